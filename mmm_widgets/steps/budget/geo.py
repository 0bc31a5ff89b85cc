"""Geo models: the (channel, geo) budget cells, their bounds, and the geo cell's code.

pymc-marketing's optimizer decides one budget per (channel, geo) cell. A channel never
gets budget in a geo where it never spent; a plan or a bound given per channel is split
over the channel's geos in proportion to current spend.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from mmm_widgets.codegen import literal
from mmm_widgets.errors import problem
from mmm_widgets.steps.budget.checks import band_factors, reach_problems
from mmm_widgets.steps.budget.held import held_split_lines
from mmm_widgets.steps.budget.optimum import best_allocation_lines
from mmm_widgets.steps.budget.params import NO_LIMIT, bound_pair
from mmm_widgets.steps.budget.window import window_end_lines
from mmm_widgets.steps.data import DataResult


@dataclass(frozen=True)
class GeoLayout:
    """The (channel, geo) budget cells of a geo model, from the mapped data.

    The same numbers as ``current`` and ``spends`` in the exported code (which reads
    them from the model's data), so bounds and plans can be checked before anything runs.

    Attributes
    ----------
    geo : str
        The geo column (pymc-marketing's geo dimension).
    channels, geos : tuple of str
        The model's channels and geos.
    current : dict
        ``(channel, geo)`` -> run-rate spend over the horizon.
    spends : dict
        ``(channel, geo)`` -> whether the channel ever spent in the geo; a cell where it
        never did gets no budget.
    past : dict
        ``(channel, geo)`` -> all past spend (splits a channel that spends nothing now).
    """

    geo: str
    channels: tuple[str, ...]
    geos: tuple[str, ...]
    current: dict[tuple[str, str], float]
    spends: dict[tuple[str, str], bool]
    past: dict[tuple[str, str], float]

    @classmethod
    def from_data(cls, data: DataResult, run_rate_periods: int, periods: int) -> GeoLayout:
        """The cells of ``data`` with the run-rate of its last ``run_rate_periods`` dates."""
        roles, frame = data.roles, data.data
        channels = list(roles.channels)
        dates = np.sort(frame[roles.date].unique())[-int(run_rate_periods):]
        total = frame.groupby(roles.geo)[channels].sum()
        recent = frame[frame[roles.date].isin(dates)].groupby(roles.geo)[channels].mean()
        recent = recent.reindex(total.index).fillna(0.0)
        current, spends, past = {}, {}, {}
        for channel in channels:
            for geo in total.index:
                cell = (str(channel), str(geo))
                current[cell] = float(recent.at[geo, channel]) * periods
                spends[cell] = bool(total.at[geo, channel] > 0)
                past[cell] = float(total.at[geo, channel])
        return cls(str(roles.geo), tuple(str(c) for c in channels),
                   tuple(str(g) for g in total.index), current, spends, past)

    @property
    def cells(self) -> list[tuple[str, str]]:
        """Every (channel, geo), channel by channel."""
        return [(c, g) for c in self.channels for g in self.geos]

    def channel_current(self, channel: str) -> float:
        """A channel's current spend over the horizon, all geos together."""
        return sum(self.current[channel, g] for g in self.geos)

    def share(self, cell: tuple[str, str]) -> float:
        """The geo's share of the channel's current spend (of its past spend when it
        spends nothing now; 0 when it never spent)."""
        weights = self.current if self.channel_current(cell[0]) > 0 else self.past
        total = sum(weights[cell[0], g] for g in self.geos)
        return weights[cell] / total if total > 0 else 0.0

    def to_cells(self, allocation: Mapping[Any, Any], where: str
                 ) -> tuple[dict[tuple[str, str], float], list]:
        """A plan per (channel, geo) from one given per channel, per cell, or both.

        Keys are a channel (its spend split over its geos in proportion to current
        spend, or a mapping geo -> spend) or a ``(channel, geo)`` pair; a pair overrides
        the split of its channel there.

        Returns
        -------
        tuple
            ``(cells, problems)``: every cell's spend, and what is wrong with the input.
        """
        problems: list = []
        split: dict[str, float] = {}
        own: dict[tuple[str, str], float] = {}
        for key, value in allocation.items():
            if isinstance(key, tuple) and len(key) == 2:
                entries = {(str(key[0]), str(key[1])): value}
            elif isinstance(value, Mapping):
                entries = {(str(key), str(g)): x for g, x in value.items()}
            else:
                channel = str(key)
                if channel not in self.channels:
                    problems.append(_not_a_channel(where, channel, self.channels))
                elif not _spend_ok(value):
                    problems.append(_bad_spend(where, channel, value))
                elif value > 0 and not any(self.spends[channel, g] for g in self.geos):
                    problems.append(problem(
                        f"{where}: {channel!r} never spent in any geo, so it gets no budget.",
                        "Leave it out or set it to 0.", column=channel))
                else:
                    split[channel] = float(value)
                continue
            for (channel, geo), spend in entries.items():
                if channel not in self.channels:
                    problems.append(_not_a_channel(where, channel, self.channels))
                elif geo not in self.geos:
                    problems.append(problem(f"{where}: {geo!r} is not a geo of the model.",
                                            f"Use one of {', '.join(self.geos)}.",
                                            column=channel))
                elif not _spend_ok(spend):
                    problems.append(_bad_spend(where, f"{channel} in {geo}", spend, channel))
                elif spend > 0 and not self.spends[channel, geo]:
                    problems.append(_never_spent(where, channel, geo))
                else:
                    own[channel, geo] = float(spend)
        cells = {cell: split.get(cell[0], 0.0) * self.share(cell) for cell in self.cells}
        cells.update(own)
        return cells, problems


def _spend_ok(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and value >= 0)


def _not_a_channel(where: str, channel: str, channels: tuple[str, ...]):
    return problem(f"{where}: {channel!r} is not a channel of the model.",
                   f"Use one of {', '.join(channels)}.", column=channel)


def _bad_spend(where: str, what: str, value: Any, column: str | None = None):
    return problem(f"{where}: the spend of {what!r} must be a number of 0 or more, not "
                   f"{value!r}.", "Enter the planned spend.", column=column or what)


def _never_spent(where: str, channel: str, geo: str):
    return problem(f"{where}: {channel!r} never spent in {geo!r}, so it gets no budget there.",
                   "Leave that geo out for this channel, or set it to 0.", column=channel)


def geo_full_bounds(total: float, bounds: Mapping[str, Any], layout: GeoLayout,
                    pct: float | None = None) -> dict[tuple[str, str], tuple[float, float]]:
    """Bounds of every (channel, geo) over the horizon, as the exported code builds them.

    Cells without bounds of their own get their current spend plus or minus ``pct``
    percent, or ``(0, total)`` when ``pct`` is None. A channel's bounds are split over
    its geos in proportion to current spend; bounds per geo override that.
    """
    if pct is None:
        out = {cell: (0.0, float(total)) for cell in layout.cells}
    else:
        low, high = band_factors(pct)
        out = {cell: (low * v, high * v) for cell, v in layout.current.items()}
    for channel, bound in bounds.items():
        if channel in layout.channels and not isinstance(bound, Mapping):
            for geo in layout.geos:
                share = layout.share((channel, geo))
                out[channel, geo] = (float(bound[0]) * share, float(bound[1]) * share)
    for channel, bound in bounds.items():
        if channel in layout.channels and isinstance(bound, Mapping):
            out.update({(channel, str(g)): bound_pair(b) for g, b in bound.items()
                        if str(g) in layout.geos})
    return out


def _pair_problems(what: str, low: float, high: float, column: str) -> list:
    if not (math.isfinite(low) and math.isfinite(high)):
        return [problem(f"The bounds of {what!r} are not finite numbers.", "Enter numbers.",
                        column=column)]
    if low < 0:
        return [problem(f"The lowest spend of {what!r} is negative ({low:,.2f}).",
                        "Use 0 or more.", column=column)]
    if low > high:
        return [problem(f"The lowest spend of {what!r} ({low:,.2f}) is above its highest "
                        f"({high:,.2f}).", "Swap them or raise the highest.", column=column)]
    return []


def geo_bounds_problems(total: float | None, bounds: Mapping[str, Any],
                        channels: tuple[str, ...], layout: GeoLayout | None,
                        pct: float | None = None) -> list:
    """Problems with the total and the bounds of a geo model (see :func:`bounds_problems`).

    Feasibility is checked over the cells where a channel ever spent, when ``layout`` is
    known.
    """
    problems = [problem(f"{c!r} is not a channel of the model.",
                        f"Use one of {', '.join(channels)}.", column=c)
                for c in bounds if c not in channels]
    if total is None:
        return problems
    if not math.isfinite(total) or total <= 0:
        return [*problems, problem(f"The total budget must be positive, not {total:,.2f}.",
                                   "Enter the spend to allocate over the whole horizon.")]
    for channel, bound in bounds.items():
        if channel not in channels:
            continue
        if not isinstance(bound, Mapping):
            problems += _pair_problems(channel, *bound, column=channel)
            if layout is not None and bound[0] > 0 and not any(
                    layout.spends[channel, g] for g in layout.geos):
                problems.append(problem(
                    f"{channel!r} never spent in any geo, so it gets no budget.",
                    "Set its lowest spend to 0.", column=channel))
            continue
        for geo, (low, high) in bound.items():
            if layout is not None and geo not in layout.geos:
                problems.append(problem(f"{geo!r} is not a geo of the model.",
                                        f"Use one of {', '.join(layout.geos)}.",
                                        column=channel))
                continue
            problems += _pair_problems(f"{channel} in {geo}", low, high, column=channel)
            if layout is not None and low > 0 and not layout.spends[channel, geo]:
                problems.append(_never_spent("bounds", channel, geo))
    if problems or layout is None:
        return problems
    full = geo_full_bounds(total, bounds, layout, pct)
    open_cells = [cell for cell in layout.cells if layout.spends[cell]]
    lows = sum(full[cell][0] for cell in open_cells)
    highs = sum(min(full[cell][1], total) for cell in open_cells)
    band = (f" Channels without bounds keep within {pct:g} % of current spend in each geo by "
            f"default: give them bounds of their own, or allow any split with "
            f"bounds={NO_LIMIT!r}.") if pct is not None else ""
    return problems + reach_problems(lows, highs, total, band)


def share_lines(name: str, current: str, past_spend: str) -> list[str]:
    """Code of ``name``: each (channel, geo)'s share of the channel's ``current`` spend (a
    Series by channel and geo), of its ``past_spend`` (date, channel, geo) for a channel
    that spends nothing now, 0 for one that never spent."""
    return [
        f"{name} = {current}.where({current}.groupby(level='channel').transform('sum') > 0,",
        f"{' ' * (len(name) + len(current) + 10)}{past_spend}.sum('date').to_series())",
        f"{name} = ({name} / {name}.groupby(level='channel').transform('sum')).fillna(0.0)",
    ]


def geo_setup_lines(geo: str, periods: int, risk_lines: list[str],
                    held: tuple[str, ...] = (), optimizer: str = "optimizer") -> list[str]:
    """Code of a geo model's optimizer, ``per_period``, ``split`` and ``plan_contribution``.

    Needs :func:`spend_lines` with ``geo``. ``held`` channels keep their split over the
    geos in the plans of ``optimizer`` (:mod:`~mmm_widgets.steps.budget.held`).
    """
    dim = literal(geo)
    return [
        f"periods = {literal(periods)}",
        "dates = pd.DatetimeIndex(past_spend.indexes['date'], freq='infer')",
        "horizon = pd.date_range(dates[-1], periods=periods + 1,",
        "                        freq=dates.freq or dates[-1] - dates[-2])[1:]",
        "current = run_rate * periods",
        "# A plan given per channel is split over its geos in proportion to current spend "
        "(to past",
        "# spend for a channel that spends nothing now)",
        *share_lines("share", "current", "past_spend"),
        *window_end_lines("horizon", "horizon_end"),
        "# pymc-marketing keeps the last l_max periods of real spend before the window "
        "(carry-in)",
        "# and adds l_max periods without spend after it (carry-over); it decides one "
        "budget per",
        "# (channel, geo), only where the channel ever spent",
        "optimizer = mmm.budget_optimizer(",
        "    start_date=horizon[0], end_date=horizon_end,",
        "    utility_function=utility.average_response,",
        "    budgets_to_optimize=spends,",
        ")",
        "target_scale = mmm.data.get_target_scale()",
        "",
        "",
        "def per_period(allocation):",
        "    \"\"\"Spend per period of a plan ((channel, geo) -> spend over the horizon).\"\"\"",
        "    values = [[allocation.get((c, g), 0.0) / periods for g in geos] for c in channels]",
        f"    return xr.DataArray(values, dims=('channel', {dim}),",
        f"                        coords={{'channel': channels, {dim}: geos}})",
        "",
        "",
        "def split(allocation):",
        "    \"\"\"A plan given per channel (channel -> spend over the horizon), per (channel, "
        "geo).\"\"\"",
        "    return {(c, g): allocation.get(c, 0.0) * share[c, g] for c, g in cells}",
        "",
        "",
        "no_spend = optimizer.evaluate_response_distribution(",
        "    per_period({}), response_variable='channel_contribution')",
        "",
        "",
        "def plan_contribution(allocation):",
        "    \"\"\"Contribution (sample, channel, geo) a plan adds over the horizon and its "
        "carry-over tail.\"\"\"",
        "    with_plan = optimizer.evaluate_response_distribution(",
        "        per_period(allocation), response_variable='channel_contribution')",
        "    return (with_plan - no_spend).sum('date') * target_scale",
        "",
        "",
        *best_allocation_lines("best_allocation", "checked_optimum", bool(held)),
        *risk_lines,
        *(held_split_lines(geo, held, "share", [optimizer]) if held else []),
    ]


def geo_optimize_lines(geo: str, total: float, bounds: Mapping[str, Any], pct: float | None,
                       optimizer: str, hdi_prob: float, held: bool = False) -> list[str]:
    """Code of a geo model's optimization: ``budget_allocation`` and ``budget_geo_totals``.

    ``held``: some channels' split over the geos is held (:func:`geo_setup_lines`).
    """
    dim, prob = literal(geo), literal(hdi_prob)
    if pct is None:
        lines = ["# (lowest, highest) spend of each channel in each geo over the horizon: any "
                 "split of the total",
                 "bounds = {cell: (0.0, total) for cell in cells}"]
    else:
        low, high = band_factors(pct)
        lines = [f"# (lowest, highest) spend of each channel in each geo over the horizon: "
                 f"within {pct:g} %",
                 "# of its current spend there" + (", unless set below" if bounds else ""),
                 f"bounds = {{cell: ({literal(low)} * current[cell], {literal(high)} * "
                 "current[cell]) for cell in cells}"]
    per_channel = {c: b for c, b in bounds.items() if not isinstance(b, Mapping)}
    per_cell = {(c, g): b for c, v in bounds.items() if isinstance(v, Mapping)
                for g, b in v.items()}
    if per_channel:
        lines += ["# Bounds set per channel, split over its geos in proportion to current "
                  "spend",
                  "for channel, (low, high) in {",
                  *(f"    {literal(c)}: {literal(tuple(b))}," for c, b in per_channel.items()),
                  "}.items():",
                  "    bounds.update({(channel, g): (low * share[channel, g], high * "
                  "share[channel, g])",
                  "                   for g in geos})"]
    if per_cell:
        lines += ["# Bounds set per (channel, geo)", "bounds.update({",
                  *(f"    {literal(cell)}: {literal(tuple(b))}," for cell, b in
                    per_cell.items()),
                  "})"]
    return [
        f"total = {literal(total)}",
        *lines,
        "budget_bounds = xr.DataArray(",
        "    [[bounds[c, g] for g in geos] for c in channels],",
        f"    dims=('channel', {dim}, 'bound'), coords={{'channel': channels, {dim}: geos}},",
        ") / periods",
        f"optimization = best_allocation({optimizer}, total / periods, budget_bounds"
        + (", held_shares)" if held else ")"),
        f"optimized = optimization.budgets.transpose('channel', {dim}).to_series()"
        ".reindex(cells) * periods",
        "optimized_contribution = plan_contribution(optimized.to_dict())",
        "# Per (channel, geo): a row of posterior draws",
        f"cell_draws = optimized_contribution.transpose('channel', {dim}, 'sample')"
        ".to_series()",
        "cell_draws = cell_draws.unstack('sample').reindex(cells)",
        f"optimized_hdi = az.hdi(cell_draws.to_numpy(), prob={prob})",
        "budget_allocation = pd.DataFrame({",
        "    'current': current,",
        "    'optimized': optimized,",
        "    'change_pct': (optimized / current - 1) * 100,",
        "    'expected_contribution': cell_draws.mean(axis=1),",
        "    'contribution_hdi_low': optimized_hdi[:, 0],",
        "    'contribution_hdi_high': optimized_hdi[:, 1],",
        "}, index=cells)",
        "# Per geo, every channel together (intervals of the per-draw sums)",
        f"geo_draws = optimized_contribution.sum('channel').transpose({dim}, 'sample')"
        ".to_series()",
        "geo_draws = geo_draws.unstack('sample').reindex(geos)",
        f"geo_hdi = az.hdi(geo_draws.to_numpy(), prob={prob})",
        f"geo_current = current.groupby(level={dim}).sum().reindex(geos)",
        f"geo_optimized = optimized.groupby(level={dim}).sum().reindex(geos)",
        "budget_geo_totals = pd.DataFrame({",
        "    'current': geo_current.to_numpy(),",
        "    'optimized': geo_optimized.to_numpy(),",
        "    'change_pct': ((geo_optimized / geo_current - 1) * 100).to_numpy(),",
        "    'expected_contribution': geo_draws.mean(axis=1).to_numpy(),",
        "    'contribution_hdi_low': geo_hdi[:, 0],",
        "    'contribution_hdi_high': geo_hdi[:, 1],",
        f"}}, index=pd.Index(geos, name={dim}))",
    ]


def geo_plan_lines(target: str, allocation: Mapping[str, Any]) -> list[str]:
    """Code setting ``target`` to a plan per (channel, geo) (see :class:`Scenario`)."""
    per_channel = {c: v for c, v in allocation.items() if not isinstance(v, Mapping)}
    per_cell = {(c, g): x for c, v in allocation.items() if isinstance(v, Mapping)
                for g, x in v.items()}
    lines = []
    if per_channel:
        lines += [f"{target} = split({{",
                  *(f"    {literal(c)}: {literal(v)}," for c, v in per_channel.items()),
                  "})"]
    if per_cell:
        lines += [f"{target}.update({{" if per_channel else f"{target} = {{",
                  *(f"    {literal(cell)}: {literal(v)}," for cell, v in per_cell.items()),
                  "})" if per_channel else "}"]
    return lines or [f"{target} = {{}}"]

