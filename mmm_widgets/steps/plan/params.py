"""Parameters and result of the plan step: :class:`PlanParams`, :class:`PlanResult`.

Every spend here is over the plan's window of ``periods`` future periods, like the
budget step's; the calendar splits it over the window's dates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_widgets import settings
from mmm_widgets.steps.base import Params
from mmm_widgets.steps.budget.params import DEFAULT_BOUND_PCT, bound_pair

#: How the budget is spread over the window: the same every period, front-loaded
#: (linearly decreasing weights), or the user's own weights.
PATTERNS = ("even", "front", "custom")
#: Where future control values come from (see :class:`PlanParams`).
CONTROL_SOURCES = ("mean", "last_year", "table")
ALLOCATION_COLUMNS = ("current", "optimized", "change_pct", "contribution",
                      "contribution_hdi_low", "contribution_hdi_high")
FORECAST_COLUMNS = ("predicted", "predicted_hdi_low", "predicted_hdi_high", "baseline",
                    "media")
#: Targets a plan can be sized by instead of a total: the largest budget whose ROAS is at
#: least r, the smallest whose expected contribution reaches a value, the budget where
#: the marginal ROAS falls to r.
TARGETS = ("min_roas", "outcome", "marginal_roas")
#: Without a total, a target's search goes up to this many times the current spend.
TARGET_CAP = 3.0
EFFECT_COLUMNS = ("contribution", "contribution_hdi_low", "contribution_hdi_high")
#: The per-draw parts of the media effect over the window and its tail.
PARTS = ("carry_in", "in_window", "carry_over", "total")
#: Per posterior draw, the plan against the current spend continued over its window: spend,
#: what each adds inside the window and after it (``effect``), the outcome predicted over
#: the window.
SCORES = ("spend", "effect", "outcome", "current_spend", "current_effect", "current_outcome")


@dataclass(frozen=True)
class PlanParams(Params):
    """Parameters of the plan step.

    Parameters
    ----------
    total : float, optional
        Budget over the window to allocate; None plans the current run-rate's spend.
    start : str, optional
        First date of the window (ISO ``YYYY-MM-DD``, a date of the data's own spacing
        after its last date); None starts the period after the last date.
    periods : int
        Periods in the window.
    bounds : dict
        Channel -> ``(lowest, highest)`` spend over the window; on a geo model also
        channel -> geo -> bounds (see :class:`~mmm_widgets.steps.budget.BudgetParams`).
    default_bound_pct : float or None
        Channels left out of ``bounds`` stay within this percentage of their current
        spend; None lets them get anything from 0 to ``total``.
    pattern : {"even", "front", "custom"}
        How each channel's budget is spread over the window.
    weights : tuple of float
        The ``"custom"`` pattern: one weight per period (scaled to sum to 1).
    target : dict
        Size the plan by a target instead of a total: ``{"min_roas": r}``,
        ``{"outcome": value}`` or ``{"marginal_roas": r}``; a total given with it caps the
        search.
    objective : {"mean"}
        What to maximise: the posterior mean of the media response.
    run_rate_periods : int
        Recent periods averaged for the current run-rate.
    hdi_prob : float
        Probability mass of the credible intervals.
    controls : {"mean", "last_year", "table"}
        Future values of the controls (pymc-marketing needs them from the period after
        the data to the end of the carry-over): each control's mean over the data (in
        each geo); the same dates 52 weeks earlier (12 months on monthly data) where the
        data has them, the mean elsewhere; or the rows of ``control_table``, the mean elsewhere.
    control_table : tuple of dict
        ``controls="table"``: rows of ``{date column: ISO date, [geo column: geo,]
        control: value}`` in the data's units (as ``PlanResult.future_controls`` gives
        them, ready to edit).
    held_split : tuple of str, optional
        Geo models: channels whose split over the geos the plan keeps (see
        :class:`~mmm_widgets.steps.budget.BudgetParams`); None holds those the data shows
        bought nationally.
    """

    total: float | None = None
    start: str | None = None
    periods: int = 13
    bounds: dict[str, tuple[float, float] | dict[str, tuple[float, float]]] = field(
        default_factory=dict)
    default_bound_pct: float | None = DEFAULT_BOUND_PCT
    pattern: str = "even"
    weights: tuple[float, ...] = ()
    target: dict[str, float] = field(default_factory=dict)
    objective: str = "mean"
    run_rate_periods: int = 13
    hdi_prob: float = field(default_factory=lambda: settings.interval())
    controls: str = "mean"
    control_table: tuple[dict[str, Any], ...] = ()
    held_split: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # JSON gives lists back; keep the frozen value canonical so params compare equal
        # after a save/load round trip.
        bounds = {str(k): ({str(g): bound_pair(b) for g, b in v.items()}
                           if isinstance(v, Mapping) else bound_pair(v))
                  for k, v in dict(self.bounds).items()}
        object.__setattr__(self, "bounds", bounds)
        object.__setattr__(self, "weights", tuple(float(w) for w in self.weights))
        object.__setattr__(self, "target", {str(k): float(v) for k, v in
                                            dict(self.target).items()})
        if self.total is not None:
            object.__setattr__(self, "total", float(self.total))
        if self.default_bound_pct is not None:
            object.__setattr__(self, "default_bound_pct", float(self.default_bound_pct))
        if self.held_split is not None:
            object.__setattr__(self, "held_split", tuple(str(c) for c in self.held_split))


def pattern_weights(pattern: str, periods: int, weights: Sequence[float] = ()) -> list[float]:
    """The weight of each period of the window, before scaling to sum to 1.

    ``"front"`` is linearly decreasing: ``periods, periods - 1, ..., 1``, so the first
    period gets ``periods`` times the last one's spend.
    """
    if pattern == "front":
        return [float(periods - i) for i in range(periods)]
    if pattern == "custom":
        return [float(w) for w in weights]
    return [1.0] * periods


def weights_ok(weights: Sequence[Any]) -> bool:
    """Whether ``weights`` are finite numbers of 0 or more with a positive sum."""
    try:
        values = [float(w) for w in weights]
    except (TypeError, ValueError):
        return False
    return (all(math.isfinite(v) and v >= 0 for v in values) and sum(values) > 0
            and not any(isinstance(w, bool) for w in weights))


@dataclass
class PlanResult:
    """What the plan step produced.

    Attributes
    ----------
    allocation : pandas.DataFrame
        Indexed by channel (channel and geo on a geo model): ``current, optimized,
        change_pct, contribution, contribution_hdi_low, contribution_hdi_high``. Spend
        over the window; contribution is what the plan adds over the window and its
        carry-over tail.
    calendar : pandas.DataFrame
        Tidy: ``period, channel, [geo,] spend`` (spend in that period).
    forecast : pandas.DataFrame
        Indexed by ``period``: ``predicted, predicted_hdi_low, predicted_hdi_high,
        baseline, media`` (all geos together on a geo model). ``predicted`` is the
        model's expected outcome; ``media`` every channel's contribution in the period
        (past spend's carry-in and the plan's own); ``baseline`` the rest (intercept,
        trend, seasonality, controls), per draw.
    carry_in, in_window, carry_over : pandas.DataFrame
        ``contribution, contribution_hdi_low, contribution_hdi_high`` per channel (per
        channel and geo), with an ``"all channels"`` row: what spend before the window
        adds from its start on; what the plan adds inside the window; what it adds
        after the window.
    draws : xarray.Dataset
        Per posterior draw (``sample``) and channel (and geo): ``carry_in, in_window,
        carry_over, total`` -- ``total`` being every channel's contribution from the
        window's start to the end of the carry-over, with the plan.
    window : pandas.DatetimeIndex
        The plan's dates.
    notes : list of str
        What the plan assumes (future controls, a moved start, ...).
    optimizer, optimization : object
        pymc-marketing's ``BudgetOptimizer`` of the window and its result.
    seconds : float
        Wall time of the run.
    target_value : float or None
        With a target: the plan's value of the targeted measure (expected contribution,
        ROAS or marginal ROAS).
    target_met : bool or None
        With a target: whether the plan reaches it (if not, ``notes`` say by how much).
    current_draws : xarray.Dataset or None
        As ``draws``, for the current plan: each channel's current spend (the run-rate)
        in every period of the same window.
    scores : xarray.Dataset or None
        Per draw (``sample``): ``effect`` (what the plan adds inside the window and
        after it, every channel together), ``outcome`` (the expected outcome summed over
        the window), the same for the current plan (``current_effect``,
        ``current_outcome``), and both plans' ``spend`` and ``current_spend``; what
        :func:`mmm_widgets.compare_plans` compares.
    code : str
        The plan's exported cell (it reads ``mmm``), as the workflow's script has it.
    future_controls : pandas.DataFrame or None
        The controls the plan assumed on every date from the period after the data to the
        end of the carry-over, in the data's units: ``date, [geo,] control...``. Edit it
        and pass it back as ``wf.plan_budget(..., controls=table)``. None without
        controls.
    """

    allocation: pd.DataFrame
    calendar: pd.DataFrame
    forecast: pd.DataFrame
    carry_in: pd.DataFrame
    in_window: pd.DataFrame
    carry_over: pd.DataFrame
    draws: Any
    window: pd.DatetimeIndex
    notes: list[str] = field(default_factory=list)
    optimizer: Any = field(default=None, repr=False)
    optimization: Any = field(default=None, repr=False)
    seconds: float = 0.0
    target_value: float | None = None
    target_met: bool | None = None
    current_draws: Any = field(default=None, repr=False)
    scores: Any = field(default=None, repr=False)
    code: str = field(default="", repr=False)
    future_controls: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def total(self) -> float:
        """The plan's spend over the window."""
        return float(self.allocation["optimized"].sum())

    def to_csv(self, path: str | Path) -> Path:
        """Write the calendar, tidy (``period, channel, [geo,] spend``), to ``path``."""
        path = Path(path)
        self.calendar.to_csv(path, index=False)
        return path

    def __repr__(self) -> str:
        start, end = self.window[0].date(), self.window[-1].date()
        media = float(self.forecast["media"].sum())
        return (f"<Plan {self.total:,.0f} over {len(self.window)} periods {start} to {end}; "
                f"predicted {float(self.forecast['predicted'].sum()):,.0f} (media "
                f"{media:,.0f}); carry-in {float(self.carry_in['contribution'].iloc[-1]):,.0f}, "
                f"carry-over {float(self.carry_over['contribution'].iloc[-1]):,.0f}>")
