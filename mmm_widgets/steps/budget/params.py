"""Parameters and result of the budget step: :class:`Scenario`, :class:`BudgetParams`,
:class:`BudgetResult`, and the plain values they hold.

Every spend here is over the whole horizon of ``periods`` future periods (see
:mod:`mmm_widgets.steps.budget`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from mmm_widgets import settings
from mmm_widgets.steps.base import Params

if TYPE_CHECKING:
    from mmm_widgets.engine.reuse import BoundPart
    from mmm_widgets.steps.budget.what_if import WhatIf

OBJECTIVES = ("mean", "cvar", "var")
# Channels without bounds of their own stay within this percentage of their current
# spend (Meridian's default): an optimized plan near today's, not one that switches
# channels off. ``bounds="none"`` lifts it.
DEFAULT_BOUND_PCT = 30.0
NO_LIMIT = "none"
BUILT_IN = ("current", "optimized")
ALLOCATION_COLUMNS = ("current", "optimized", "change_pct", "expected_contribution",
                      "contribution_hdi_low", "contribution_hdi_high")
SCENARIO_COLUMNS = ("total_spend", "expected_outcome", "outcome_hdi_low", "outcome_hdi_high",
                    "roas", "prob_beats_current")


@dataclass(frozen=True)
class Scenario(Params):
    """A named allocation to compare.

    Either ``allocation`` (channel -> spend over the horizon; channels left out spend
    nothing) or ``base`` and ``change_pct`` (the allocation of an earlier scenario with
    every channel scaled by ``1 + change_pct / 100``).

    Parameters
    ----------
    name : str
        Shown in the comparison table.
    allocation : dict
        Channel -> spend over the horizon. On a geo model a channel's spend is split over
        its geos in proportion to current spend, or given per geo: channel -> geo ->
        spend.
    base : str, optional
        The scenario this one scales (e.g. ``"current"`` or ``"optimized"``).
    change_pct : float, optional
        Percent change of every channel of ``base``.
    """

    name: str
    allocation: dict[str, float | dict[str, float]] = field(default_factory=dict)
    base: str | None = None
    change_pct: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "allocation",
                           {str(k): ({str(g): float(x) for g, x in v.items()}
                                     if isinstance(v, Mapping) else float(v))
                            for k, v in dict(self.allocation).items()})


@dataclass(frozen=True)
class BudgetParams(Params):
    """Parameters of the budget step.

    Parameters
    ----------
    periods : int
        Future periods the budget covers (13 weeks = a quarter of weekly data).
    total : float, optional
        Budget over the horizon to allocate; None compares scenarios without optimizing.
    bounds : dict
        Channel -> ``(lowest, highest)`` spend over the horizon; channels left out follow
        ``default_bound_pct``. On a geo model a channel's bounds are split over its geos
        in proportion to current spend, or given per geo: channel -> geo -> bounds.
    default_bound_pct : float or None
        Channels left out of ``bounds`` stay within this percentage of their current
        spend (run-rate over the horizon); None lets them get anything from 0 to
        ``total``.
    objective : {"mean", "cvar", "var"}
        What to maximise: the posterior mean of the response, or, risk-aware, its
        conditional value at risk (mean of the worst ``1 - risk_level`` share of draws)
        or value at risk (the ``1 - risk_level`` quantile), through
        ``pymc_marketing.mmm.utility``.
    risk_level : float
        Confidence level of ``"cvar"`` and ``"var"``.
    run_rate_periods : int
        Recent periods averaged for the current run-rate.
    scenarios : tuple of Scenario
        User scenarios, compared after the built-in ``"current"`` and ``"optimized"``.
    threshold : float
        Marginal ROAS below which extra spend is marked as not paying back.
    points : int
        Points per response curve.
    hdi_prob : float
        Probability mass of the credible intervals.
    held_split : tuple of str, optional
        Geo models: channels bought nationally, whose split over the geos a plan keeps
        (each geo's share of current spend); the plan moves their total only. None holds
        the channels the data shows bought nationally (each geo's share of the channel's
        spend the same on every date); ``()`` holds none.
    """

    periods: int = 13
    total: float | None = None
    bounds: dict[str, tuple[float, float] | dict[str, tuple[float, float]]] = field(
        default_factory=dict)
    default_bound_pct: float | None = DEFAULT_BOUND_PCT
    objective: str = "mean"
    risk_level: float = 0.95
    run_rate_periods: int = 13
    scenarios: tuple[Scenario, ...] = ()
    threshold: float = 1.0
    points: int = 100
    hdi_prob: float = field(default_factory=lambda: settings.interval())
    held_split: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        # JSON gives lists and dicts back; keep the frozen value canonical so params
        # compare equal after a save/load round trip.
        bounds = {str(k): ({str(g): bound_pair(b) for g, b in v.items()}
                           if isinstance(v, Mapping) else bound_pair(v))
                  for k, v in dict(self.bounds).items()}
        scenarios = tuple(s if isinstance(s, Scenario) else Scenario.from_dict(s)
                          for s in self.scenarios)
        object.__setattr__(self, "bounds", bounds)
        object.__setattr__(self, "scenarios", scenarios)
        if self.held_split is not None:
            object.__setattr__(self, "held_split", tuple(str(c) for c in self.held_split))
        if self.total is not None:
            object.__setattr__(self, "total", float(self.total))
        if self.default_bound_pct is not None:
            object.__setattr__(self, "default_bound_pct", float(self.default_bound_pct))

    def scenario(self, name: str) -> Scenario | None:
        """The user scenario called ``name`` (None if there is none)."""
        return next((s for s in self.scenarios if s.name == name), None)


def bound_pair(bound: Any) -> tuple[float, float]:
    """A ``(lowest, highest)`` bound as two floats (JSON gives lists back)."""
    return float(bound[0]), float(bound[1])


@dataclass
class BudgetResult:
    """What the budget step produced.

    Attributes
    ----------
    allocation : pandas.DataFrame or None
        Indexed by channel (by channel and geo on a geo model): ``current, optimized,
        change_pct, expected_contribution, contribution_hdi_low, contribution_hdi_high``
        (None without a total).
    scenarios : pandas.DataFrame
        Indexed by scenario: ``total_spend, expected_outcome, outcome_hdi_low,
        outcome_hdi_high, roas, prob_beats_current``.
    allocations : dict
        Scenario name -> channel (``(channel, geo)`` on a geo model) -> spend over the
        horizon.
    curves : pandas.DataFrame
        The response curves (see :func:`read_curves`).
    what_if : WhatIf
        Precomputed response of every channel on a spend grid, per draw.
    optimizer : pymc_marketing.mmm.budget_optimizer.BudgetOptimizer
        The optimizer of the horizon.
    optimization : object or None
        pymc-marketing's ``BudgetOptimizationResult`` (``scipy_result`` inside).
    seconds : float
        Wall time of the run.
    setup : BoundPart or None
        What the optimizer and optimization code bound, on which fitted model; a later
        step with the same code on the same model reuses it
        (:func:`~mmm_widgets.engine.reuse.bind_part`).
    geo_totals : pandas.DataFrame or None
        Geo models with a total: the allocation's columns per geo, summed over channels
        (contribution intervals of the per-draw sums).
    """

    allocation: pd.DataFrame | None
    scenarios: pd.DataFrame
    allocations: dict[str, dict[str, float]]
    curves: pd.DataFrame
    what_if: WhatIf
    optimizer: Any
    optimization: Any
    seconds: float
    setup: BoundPart | None = field(default=None, repr=False)
    geo_totals: pd.DataFrame | None = None


def plain_key(key: Any) -> str | tuple[str, ...]:
    """A channel name, or a (channel, geo) cell, as plain strings."""
    return tuple(str(k) for k in key) if isinstance(key, tuple) else str(key)
