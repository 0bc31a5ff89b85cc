"""Checks of the budget step's inputs, the bounds they imply, and its error messages.

Every check returns a list of problems (empty when all is well) so the step can report
them together before anything runs.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import TYPE_CHECKING

from mmm_widgets.errors import ModelError, Problem, problem
from mmm_widgets.steps.budget.params import (
    BUILT_IN,
    DEFAULT_BOUND_PCT,
    NO_LIMIT,
    OBJECTIVES,
    BudgetParams,
)

if TYPE_CHECKING:
    from mmm_widgets.steps.budget.geo import GeoLayout


def settings_problems(params: BudgetParams, channels: tuple[str, ...], n_dates: int) -> list:
    """Problems with the horizon, objective and curve settings."""
    problems = []
    if not isinstance(params.periods, int) or isinstance(params.periods, bool) \
            or params.periods < 1:
        problems.append(problem(f"The horizon must be at least one period, not "
                                f"{params.periods!r}.", "Set periods to e.g. 13 (a quarter "
                                                        "of weekly data)."))
    if params.objective not in OBJECTIVES:
        problems.append(problem(f"Unknown objective {params.objective!r}.",
                                f"Use one of {', '.join(OBJECTIVES)}."))
    pct = params.default_bound_pct
    if pct is not None and not (math.isfinite(pct) and pct >= 0):
        problems.append(problem(f"The default bound must be a percentage of 0 or more, not "
                                f"{pct!r}.", f"Use e.g. {DEFAULT_BOUND_PCT:g}, or no default "
                                             f"bounds (bounds={NO_LIMIT!r})."))
    if not 0 < params.risk_level < 1:
        problems.append(problem(f"The risk level must be between 0 and 1, not "
                                f"{params.risk_level!r}.", "Use e.g. 0.95."))
    if not isinstance(params.run_rate_periods, int) or \
            not 1 <= params.run_rate_periods <= n_dates:
        problems.append(problem(
            f"The run-rate must average 1 to {n_dates} past periods, not "
            f"{params.run_rate_periods!r}.", "Use e.g. 13."))
    problems += curve_problems(params.threshold, params.points)
    if not 0 < params.hdi_prob < 1:
        problems.append(problem("hdi_prob must be between 0 and 1.", "Use e.g. 0.94."))
    return problems


def curve_problems(threshold: object, points: object) -> list:
    """Problems with the response curves' marginal-ROAS threshold and number of points."""
    problems = []
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not (
            math.isfinite(threshold) and threshold > 0):
        problems.append(problem(f"The marginal-ROAS threshold must be a positive number, not "
                                f"{threshold!r}.",
                                "Use 1.0 (a unit of spend returns a unit of outcome)."))
    if isinstance(points, bool) or not isinstance(points, numbers.Integral) or points < 3:
        problems.append(problem(f"Response curves need a whole number of at least 3 points, "
                                f"not {points!r}.", "Use e.g. 100."))
    return problems


def bounds_problems(total: float | None, bounds: Mapping[str, tuple[float, float]],
                    channels: tuple[str, ...], current: Mapping[str, float] | None = None,
                    pct: float | None = None) -> list:
    """Problems with the total and the bounds: unknown channels, order, feasibility.

    Channels left out of ``bounds`` stay within ``pct`` percent of their ``current``
    spend (see :func:`full_bounds`); feasibility is checked only when ``current`` is
    known or ``pct`` is None.
    """
    problems = []
    for channel in bounds:
        if channel not in channels:
            problems.append(problem(f"{channel!r} is not a channel of the model.",
                                    f"Use one of {', '.join(channels)}.", column=channel))
    if total is None:
        return problems
    if not math.isfinite(total) or total <= 0:
        return [*problems, problem(f"The total budget must be positive, not {total:,.2f}.",
                                   "Enter the spend to allocate over the whole horizon.")]
    known = {c: b for c, b in bounds.items() if c in channels}
    per_geo = [c for c, b in known.items() if isinstance(b, Mapping)]
    if per_geo:
        return [*problems, *(problem(f"The bounds of {c!r} are given per geo, but the model "
                                     "has no geos.", "Give (lowest, highest) per channel.",
                                     column=c) for c in per_geo)]
    for channel, (low, high) in known.items():
        if not (math.isfinite(low) and math.isfinite(high)):
            problems.append(problem(f"The bounds of {channel!r} are not finite numbers.",
                                    "Enter numbers.", column=channel))
        elif low < 0:
            problems.append(problem(f"The lowest spend of {channel!r} is negative "
                                    f"({low:,.2f}).", "Use 0 or more.", column=channel))
        elif low > high:
            problems.append(problem(
                f"The lowest spend of {channel!r} ({low:,.2f}) is above its highest "
                f"({high:,.2f}).", "Swap them or raise the highest.", column=channel))
    if problems or (pct is not None and current is None):
        return problems
    full = full_bounds(total, known, channels, current, pct)
    lows = sum(low for low, _ in full.values())
    highs = sum(min(high, total) for _, high in full.values())
    banded = [c for c in channels if c not in known] if pct is not None else []
    band = (f" {', '.join(banded)} keep within {pct:g} % of current spend by default: "
            "give them bounds of their own, or allow any split with "
            f"bounds={NO_LIMIT!r}.") if banded else ""
    return problems + reach_problems(lows, highs, total, band)


def reach_problems(lows: float, highs: float, total: float, band: str) -> list[Problem]:
    """Whether bounds summing to ``lows``..``highs`` can hold ``total``; ``band`` ends the fix.

    Parameters
    ----------
    lows, highs : float
        The lowest and highest spends of every budget cell, summed.
    total : float
        The budget to allocate.
    band : str
        A sentence on the default bounds (or ""), appended to each fix.
    """
    problems = []
    if lows > total * (1 + 1e-12):
        problems.append(problem(
            f"The lowest spends add up to {lows:,.2f}, more than the total {total:,.2f}.",
            f"Lower some minimums or raise the total.{band}"))
    if highs < total * (1 - 1e-12):
        problems.append(problem(
            f"The highest spends add up to {highs:,.2f}, less than the total {total:,.2f}.",
            f"Raise some maximums or lower the total.{band}"))
    return problems


def scenario_problems(params: BudgetParams, channels: tuple[str, ...],
                      layout: GeoLayout | None = None) -> list:
    """Problems with the user scenarios: names, channels, spends, bases.

    With ``layout`` (a geo model), plans per channel or per (channel, geo) are checked
    against its cells.
    """
    problems, seen = [], set(BUILT_IN if params.total is not None else ("current",))
    for scenario in params.scenarios:
        name = scenario.name
        if not isinstance(name, str) or not name.strip():
            problems.append(problem("A scenario needs a name.", "Enter a name."))
            continue
        if name in BUILT_IN:
            problems.append(problem(f"{name!r} is a built-in scenario.",
                                    "Choose another name."))
        elif name in seen:
            problems.append(problem(f"There is already a scenario {name!r}.",
                                    "Choose another name or remove the old one first."))
        where = f"scenario {name!r}"
        problems += (layout.to_cells(scenario.allocation, where)[1] if layout is not None
                     else allocation_problems(scenario.allocation, channels, where))
        if scenario.base is not None:
            if scenario.base not in seen:
                what = ("there is no optimized allocation yet" if scenario.base == "optimized"
                        else f"there is no earlier scenario {scenario.base!r}")
                problems.append(problem(f"Scenario {name!r} scales {scenario.base!r}, but "
                                        f"{what}.", "Optimize first, or scale 'current'."))
            change = scenario.change_pct
            if change is None or not math.isfinite(change) or change <= -100:
                problems.append(problem(f"Scenario {name!r}: the change must be above "
                                        "-100 %.", "Use e.g. +10 or -10."))
        seen.add(name)
    return problems


def allocation_problems(allocation: Mapping[str, float], channels: tuple[str, ...],
                        where: str) -> list:
    """Problems with an allocation: unknown channels, negative or missing numbers."""
    problems = []
    for channel, value in allocation.items():
        if channel not in channels:
            problems.append(problem(f"{where}: {channel!r} is not a channel of the model.",
                                    f"Use one of {', '.join(channels)}.", column=channel))
        elif not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            problems.append(problem(f"{where}: the spend of {channel!r} must be a number of "
                                    f"0 or more, not {value!r}.", "Enter the planned spend.",
                                    column=channel))
    return problems


def full_bounds(total: float, bounds: Mapping[str, tuple[float, float]],
                channels: tuple[str, ...], current: Mapping[str, float] | None = None,
                pct: float | None = None) -> dict[str, tuple[float, float]]:
    """Bounds of every channel over the horizon.

    Channels left out of ``bounds`` get ``current`` spend plus or minus ``pct``
    percent (not below 0), or ``(0, total)`` when ``pct`` is None.
    """
    def default(channel: str) -> tuple[float, float]:
        if pct is None:
            return (0.0, float(total))
        low, high = band_factors(pct)
        return (low * float(current[channel]), high * float(current[channel]))

    return {c: tuple(float(v) for v in bounds[c]) if c in bounds else default(c)
            for c in channels}


def band_factors(pct: float) -> tuple[float, float]:
    """Factors of current spend at the edges of a band of ``pct`` percent (low not below 0)."""
    return max(1 - pct / 100, 0.0), 1 + pct / 100


def translate_budget_error(error: BaseException, objective: str = "mean") -> ModelError:
    """Turn an optimizer failure into a readable :class:`ModelError`.

    Parameters
    ----------
    error : BaseException
        What the budget or plan cell raised.
    objective : str
        The objective it optimized: the fix suggests the mean objective only when
        another one was used.
    """
    text = str(error)
    first = text.splitlines()[0] if text else type(error).__name__
    if type(error).__name__ == "MinimizeException":
        fix = "Your settings are kept. Loosen the bounds or change the total"
        fix += (", or use the 'mean' objective (the risk-aware ones are harder to optimize)."
                if objective != "mean" else ", then optimize again.")
        return ModelError(problem(f"The optimizer did not find an allocation: {first[:300]}",
                                  fix))
    return ModelError(problem(f"The budget step failed: {type(error).__name__}: {first[:300]}",
                              "Your settings are kept. Check the bounds and the total, or "
                              "refit the model."))

