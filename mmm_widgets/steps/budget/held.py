"""Channels bought nationally on a geo model: their split over the geos is held in a plan.

National TV is bought once for the nation. In a geo panel its spend is either the same
on every geo's row or the nation's spend split by a fixed key (each geo's share of
sales, of population). Left free, pymc-marketing's optimizer decides one budget per
(channel, geo) and may move TV from one geo to another: a plan no one can buy. A held
channel's budget in each geo is its share of the channel's budget in all geos (the split
of current spend, as every plan given per channel is split); the plan moves its total
only.

By default the channels held are those the data shows bought nationally
(:func:`mmm_widgets.steps.national.national_channels`): on every date with spend, each
geo's share of the channel's spend is the same, in at least two geos.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mmm_widgets.codegen import literal
from mmm_widgets.errors import problem
from mmm_widgets.steps.data import DataResult

#: What the constraint cells import.
CONSTRAINT_IMPORT = ("from pymc_marketing.mmm.constraints import Constraint, "
                     "build_default_sum_constraint")


def held_channels(data: DataResult, requested: Iterable[str] | None,
                  bounds: Mapping[str, Any]) -> tuple[str, ...]:
    """The channels a plan holds the split of (none on a national model).

    Parameters
    ----------
    data : DataResult
        The mapped data; its :attr:`~DataResult.bought_nationally` channels are held by
        default.
    requested : iterable of str or None
        The user's choice (``held_split``); None holds the channels bought nationally but
        those bounded per geo (bounds per geo say the user buys the channel geo by geo).
    bounds : dict
        The plan's bounds (channel -> pair, or geo -> pair).
    """
    if not data.roles.geo:
        return ()
    if requested is not None:
        return tuple(c for c in requested if c in data.roles.channels)
    return tuple(c for c in data.bought_nationally if not isinstance(bounds.get(c), Mapping))


def held_problems(held: Iterable[str], channels: tuple[str, ...],
                  bounds: Mapping[str, Any]) -> list:
    """Problems with the held channels: unknown ones, and bounds set per geo on one.

    A held channel's geos move together, so its bounds are the channel's (split over its
    geos like its spend); bounds of its own in one geo would fight the split.
    """
    problems = []
    for channel in held:
        if channel not in channels:
            problems.append(problem(
                f"{channel!r} is held across geos but is not a channel of the model.",
                f"Use one of {', '.join(channels)}.", column=channel))
        elif isinstance(bounds.get(channel), Mapping):
            problems.append(problem(
                f"{channel!r} has bounds per geo, but its split over the geos is held (it is "
                "bought nationally), so its geos move together.",
                f"Give {channel!r} bounds for all geos together, or stop holding its split.",
                column=channel))
    return problems


def held_split_lines(geo: str, held: tuple[str, ...], share: str, optimizers: Iterable[str],
                     prefix: str = "") -> list[str]:
    """Code of ``{prefix}held_split`` and the constraints that hold it on ``optimizers``.

    Parameters
    ----------
    geo : str
        The geo dimension.
    held : tuple of str
        The channels whose split is held.
    share : str
        The code's pandas Series of each (channel, geo)'s share of the channel's spend.
    optimizers : iterable of str
        The code's pymc-marketing optimizers to constrain.
    prefix : str
        Prefix of the names the code defines (the plan cell's ``plan_``).
    """
    dim, function = literal(geo), f"{prefix}split_constraints"
    return [
        "# Channels bought nationally: each geo keeps its share of the channel's spend, so a "
        "plan",
        "# moves the channel's total only (pymc-marketing decides one budget per (channel, "
        "geo))",
        f"{prefix}held_split = {literal(list(held))}",
        "",
        "",
        f"def {function}(optimizer):",
        "    \"\"\"pymc-marketing's sum constraint, and for each held channel one per geo but "
        "one: the",
        "    channel's budget there is the geo's share of its budget in all geos.\"\"\"",
        "    decided = optimizer.budgets_to_optimize",
        "    order = {dim: [str(v) for v in decided.coords[dim].values] for dim in "
        "decided.dims}",
        "    constraints = [build_default_sum_constraint('default')]",
        f"    for channel in {prefix}held_split:",
        "        # The geos where the channel gets budget; one with a share is left out, as "
        "the shares",
        "        # sum to 1",
        f"        in_geos = [g for g in order[{dim}] if bool(decided.sel({{'channel': "
        f"channel, {dim}: g}}))]",
        "        if not in_geos:  # it never spent: no budget to hold",
        "            continue",
        f"        shared = [g for g in in_geos if {share}[channel, g] > 0]",
        "        for g in in_geos:",
        "            if g == shared[-1]:",
        "                continue",
        "            def residual(budgets, total_budget, optimizer, channel=channel, g=g):",
        "                spend = budgets.isel(channel=order['channel'].index(channel))",
        f"                return (spend.isel({{{dim}: order[{dim}].index(g)}})",
        f"                        - float({share}[channel, g]) * spend.sum({dim}))",
        "",
        "            constraints.append(Constraint(f'{channel} in {g}: share held', 'eq', "
        "residual))",
        "    return constraints",
        "",
        "",
        *(f"{name}.set_constraints({function}({name}))" for name in optimizers),
        f"{prefix}held_shares = {{c: {{g: float({share}[c, g]) for g in {prefix}geos}} "
        f"for c in {prefix}held_split}}",
    ]
