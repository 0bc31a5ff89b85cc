"""Step 6 — budget: response curves, pymc-marketing's optimizer, scenarios and what-if.

Units. Every allocation the user sees (``total``, ``bounds``, scenarios, what-if) is
spend over the whole horizon of ``periods`` future periods. pymc-marketing's
``BudgetOptimizer`` works per period: ``allocate_budget(total_budget=...)`` is the spend
of *one* period, repeated on every period of the window. The exported code divides by
``periods`` on the way in and multiplies on the way out.

Carryover. ``mmm.budget_optimizer(start, end)`` builds a date axis of three blocks: the
last ``l_max`` observed periods with their real spend (carry-in, so the adstock does not
start cold), the ``periods`` decision periods, and ``l_max`` zero-spend periods after
them (carry-over, so spend late in the window is credited for its tail). Its objective
sums the media contribution over all three blocks. The carry-in part does not depend on
the plan, so it moves no decision of the mean; but it differs by draw, so the risk-aware
objectives (CVaR, VaR) are applied to what the plan adds instead. The contributions
reported here are what a plan *adds*: the response with the plan minus the response
with no spend in the window, per posterior draw, over the window and its tail.

Bounds. Channels without bounds of their own stay within ``DEFAULT_BOUND_PCT`` percent
of their current spend, so the plan stays near today's; ``bounds="none"`` allows any
split of the total.

Geo models. pymc-marketing's optimizer decides one budget per (channel, geo) cell; a
channel never gets budget in a geo where it never spent (``budgets_to_optimize`` leaves
that cell out, and its response curve, which would rest on the priors alone, is not
drawn). Default bounds apply to every cell's own current spend. A plan or a bound given
per channel is split over the channel's geos in proportion to current spend; plans and
bounds may also be given per (channel, geo).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mmm_widgets import settings
from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.errors import DataError, MMMWidgetsError, ModelError, StepOrderError, problem
from mmm_widgets.steps.base import Params, Step, execute
from mmm_widgets.steps.data import DataResult

if TYPE_CHECKING:
    from mmm_widgets.workflow import FitJob, Workflow

OBJECTIVES = ("mean", "cvar", "var")
# Channels without bounds of their own stay within this percentage of their current
# spend (Meridian's default): an optimized plan near today's, not one that switches
# channels off. ``bounds="none"`` lifts it.
DEFAULT_BOUND_PCT = 30.0
NO_LIMIT = "none"
HDI_PROB = 0.94
BUILT_IN = ("current", "optimized")
TOTAL_ROW = "all channels"
# The last index entry of a geo what-if: every channel in every geo.
ALL_GEOS = "all geos"
# Response curves reach twice each channel's largest past spend per period (in the
# model's scaled units a spend of 1 is that largest spend).
CURVE_MAX = 2.0
# Nodes of the precomputed what-if grid per channel: linear interpolation between them
# is within 1e-5 of the exact response on the bundled data; scenarios are extra nodes,
# so the what-if of a saved scenario is exact.
WHAT_IF_NODES = 201
ALLOCATION_COLUMNS = ("current", "optimized", "change_pct", "expected_contribution",
                      "contribution_hdi_low", "contribution_hdi_high")
SCENARIO_COLUMNS = ("total_spend", "expected_outcome", "outcome_hdi_low", "outcome_hdi_high",
                    "roas", "prob_beats_current")
WHAT_IF_COLUMNS = ("spend", "contribution", "contribution_hdi_low", "contribution_hdi_high",
                   "roas")
CURVE_COLUMNS = ("channel", "spend", "response", "response_hdi_low", "response_hdi_high",
                 "marginal_roas")


class BudgetCancelled(MMMWidgetsError, RuntimeError):
    """The user cancelled a running optimization; the workflow is as it was before."""


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

    def __post_init__(self) -> None:
        # JSON gives lists and dicts back; keep the frozen value canonical so params
        # compare equal after a save/load round trip.
        bounds = {str(k): ({str(g): _pair(b) for g, b in v.items()}
                           if isinstance(v, Mapping) else _pair(v))
                  for k, v in dict(self.bounds).items()}
        scenarios = tuple(s if isinstance(s, Scenario) else Scenario.from_dict(s)
                          for s in self.scenarios)
        object.__setattr__(self, "bounds", bounds)
        object.__setattr__(self, "scenarios", scenarios)
        if self.total is not None:
            object.__setattr__(self, "total", float(self.total))
        if self.default_bound_pct is not None:
            object.__setattr__(self, "default_bound_pct", float(self.default_bound_pct))

    def scenario(self, name: str) -> Scenario | None:
        """The user scenario called ``name`` (None if there is none)."""
        return next((s for s in self.scenarios if s.name == name), None)


def _pair(bound: Any) -> tuple[float, float]:
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
    setup_source, setup_vars, mmm
        The optimizer and optimization code, the variables it defined, and the fitted
        model it ran on; a later step with the same code on the same model reuses them.
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
    setup_source: str = ""
    setup_vars: dict[str, Any] = field(default_factory=dict, repr=False)
    mmm: Any = field(default=None, repr=False)
    geo_totals: pd.DataFrame | None = None


# ----- progress and cancel ----------------------------------------------------------

_PHASES = {"idle": 0.0, "building": 0.02, "optimizing": 0.35, "scenarios": 0.7,
           "curves": 0.8, "what-if": 0.85, "done": 1.0, "cancelled": 0.0, "failed": 0.0}


@dataclass(frozen=True)
class BudgetProgress:
    """A snapshot of a running budget step.

    Attributes
    ----------
    phase : str
        ``"building"`` (optimizer model), ``"optimizing"`` (compile + SLSQP),
        ``"scenarios"``, ``"curves"``, ``"what-if"``, ``"done"``, ``"cancelled"`` or
        ``"failed"``.
    fraction : float
        Rough share done, by phase (the optimizer gives no finer progress).
    elapsed : float
        Seconds since the start.
    """

    phase: str
    fraction: float
    elapsed: float


class BudgetMonitor:
    """Shared between the thread running the budget step and whoever watches it.

    pymc-marketing compiles the optimizer on its first evaluation and scipy's SLSQP has
    no cancel hook, so a cancel takes effect at the next phase boundary: the thread
    may finish its current call, and its result is then discarded.
    """

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self.phase = "idle"
        self._started: float | None = None

    def cancel(self) -> None:
        """Ask the run to stop; its result is discarded."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel.is_set()

    def start(self) -> None:
        """Reset for a new run."""
        with self._lock:
            self._started = time.perf_counter()
            self.phase = "building"

    def set_phase(self, phase: str) -> None:
        """Record what the run is doing now."""
        with self._lock:
            self.phase = phase

    def check_cancel(self) -> None:
        """Raise :class:`BudgetCancelled` if a cancel was asked for."""
        if self._cancel.is_set():
            raise BudgetCancelled(problem("The optimization was cancelled.",
                                          "Nothing was changed; optimize again when ready."))

    def snapshot(self) -> BudgetProgress:
        """The current progress."""
        with self._lock:
            elapsed = time.perf_counter() - self._started if self._started else 0.0
            return BudgetProgress(self.phase, _PHASES.get(self.phase, 0.0), elapsed)


# ----- the step ---------------------------------------------------------------------

class BudgetStep(Step):
    """Optimize a budget with pymc-marketing and compare named scenarios.

    Parameters
    ----------
    params : BudgetParams
        Horizon, total, bounds, objective, scenarios.
    data : DataResult
        The mapped data (channel names, number of periods).
    previous : BudgetStep, optional
        The budget step this one replaces. When the optimizer and optimization parts of
        the code are unchanged and the fitted model is the same object, their results
        are taken from it instead of running the identical code again, so adding a
        scenario does not re-optimize.
    monitor : BudgetMonitor, optional
        Receives progress; its ``cancel()`` stops the run.
    """

    kind = "budget"
    title = "Budget"
    requires = ("data", "model", "fit")

    params: BudgetParams

    def __init__(self, params: BudgetParams, data: DataResult,
                 previous: BudgetStep | None = None, monitor: BudgetMonitor | None = None):
        super().__init__(params)
        self.data = data
        self.previous = previous
        self.monitor = monitor or BudgetMonitor()

    @property
    def channels(self) -> tuple[str, ...]:
        """The model's channels."""
        return tuple(self.data.roles.channels)

    @property
    def geo(self) -> str | None:
        """The geo column (pymc-marketing's geo dimension), None on a national model."""
        roles = getattr(self.data, "roles", None)
        return (roles.geo or None) if roles is not None else None

    def layout(self) -> GeoLayout:
        """The (channel, geo) budget cells of a geo model, from the mapped data."""
        return GeoLayout.from_data(self.data, self.params.run_rate_periods,
                                   self.params.periods)

    # ----- validation -------------------------------------------------------------
    def validate(self, namespace: dict[str, Any]) -> None:
        """Check horizon, total, bounds and scenarios; raise :class:`DataError`."""
        if "mmm" not in namespace:
            raise StepOrderError(problem("There is no fitted model.", "Fit the model first."))
        problems = settings_problems(self.params, self.channels, self._n_dates())
        if self.geo:
            layout = None if problems else self.layout()
            problems += geo_bounds_problems(self.params.total, self.params.bounds,
                                            self.channels, layout,
                                            self.params.default_bound_pct)
            problems += scenario_problems(self.params, self.channels, layout)
            if problems:
                raise DataError(problems)
            return
        current = None if problems else self.current_spend()
        problems += bounds_problems(self.params.total, self.params.bounds, self.channels,
                                    current, self.params.default_bound_pct)
        problems += scenario_problems(self.params, self.channels)
        if problems:
            raise DataError(problems)

    def _n_dates(self) -> int:
        return int(self.data.data[self.data.roles.date].nunique())

    def current_spend(self) -> dict[Any, float]:
        """Each channel's run-rate over the horizon, from the mapped data.

        The same numbers as ``current`` in the exported code (which reads them from the
        model's data), so bounds can be checked before anything runs. On a geo model:
        ``(channel, geo)`` -> run-rate.
        """
        if self.geo:
            return dict(self.layout().current)
        roles, params = self.data.roles, self.params
        spend = self.data.data.groupby(roles.date)[list(self.channels)].sum().sort_index()
        run_rate = spend.tail(params.run_rate_periods).mean()
        return {c: float(run_rate[c]) * params.periods for c in self.channels}

    # ----- code ---------------------------------------------------------------------
    def sections(self) -> list[tuple[str, list[str]]]:
        """The step's code as named parts: setup, optimize (with a total), scenarios, curves."""
        params = self.params
        if self.geo:
            return self._geo_sections()
        parts = [("setup", spend_lines(params.run_rate_periods) + self._setup_lines())]
        if params.total is not None:
            parts.append(("optimize", self._optimize_lines()))
        parts.append(("scenarios", self._scenario_lines()))
        parts.append(("curves", curve_lines(params.threshold, params.points, params.hdi_prob)))
        return parts

    def _geo_sections(self) -> list[tuple[str, list[str]]]:
        params, geo = self.params, self.geo
        parts = [("setup", spend_lines(params.run_rate_periods, geo)
                  + geo_setup_lines(geo, params.periods, self._risk_lines()))]
        if params.total is not None:
            parts.append(("optimize", geo_optimize_lines(
                geo, float(params.total), params.bounds, params.default_bound_pct,
                self._optimizer_name(), float(params.hdi_prob))))
        parts.append(("scenarios", self._scenario_lines()))
        parts.append(("curves", curve_lines(params.threshold, params.points, params.hdi_prob,
                                            geo)))
        return parts

    def code(self) -> CodeChunk:
        """The exported cell: optimizer, optimized allocation, scenarios, response curves."""
        lines = [line for _, part in self.sections() for line in part]
        return CodeChunk(comment=self.describe(), lines=tuple(lines),
                         imports=self._imports(), title=self.title)

    def describe(self) -> str:
        """One line saying what the step does."""
        params = self.params
        what = (f"allocate {params.total:,.0f} over {params.periods} future periods "
                f"({_objective_text(params)}; {self._bounds_text()})"
                if params.total is not None
                else f"compare plans over {params.periods} future periods")
        return (f"Budget: {what}; {len(params.scenarios)} own scenarios; response curves "
                f"with a marginal-ROAS threshold of {params.threshold:g}")

    def _bounds_text(self) -> str:
        params = self.params
        if all(c in params.bounds for c in self.channels):
            return "bounds set per channel"
        if params.default_bound_pct is None:
            return "no default bounds"
        return f"channels within {params.default_bound_pct:g} % of current spend"

    def _setup_lines(self) -> list[str]:
        params = self.params
        return [
            f"periods = {literal(params.periods)}",
            "dates = pd.DatetimeIndex(past_spend.indexes['date'], freq='infer')",
            "horizon = pd.date_range(dates[-1], periods=periods + 1,",
            "                        freq=dates.freq or dates[-1] - dates[-2])[1:]",
            "current = run_rate * periods",
            "# pymc-marketing keeps the last l_max periods of real spend before the window "
            "(carry-in)",
            "# and adds l_max periods without spend after it (carry-over)",
            "optimizer = mmm.budget_optimizer(",
            "    start_date=horizon[0], end_date=horizon[-1],",
            "    utility_function=utility.average_response,",
            ")",
            "target_scale = float(mmm.data.get_target_scale())",
            "",
            "",
            "def per_period(allocation):",
            "    \"\"\"Spend per period of a plan (channel -> spend over the horizon).\"\"\"",
            "    values = [allocation.get(c, 0.0) / periods for c in channels]",
            "    return xr.DataArray(values, dims='channel', coords={'channel': channels})",
            "",
            "",
            "no_spend = optimizer.evaluate_response_distribution(",
            "    per_period({}), response_variable='channel_contribution')",
            "",
            "",
            "def plan_contribution(allocation):",
            "    \"\"\"Contribution (sample, channel) a plan adds over the horizon and its "
            "carry-over tail.\"\"\"",
            "    with_plan = optimizer.evaluate_response_distribution(",
            "        per_period(allocation), response_variable='channel_contribution')",
            "    return (with_plan - no_spend).sum('date') * target_scale",
            "",
            "",
            *self._risk_lines(),
        ]

    def _optimizer_name(self) -> str:
        return "optimizer" if self.params.objective == "mean" else "risk_optimizer"

    def _risk_lines(self) -> list[str]:
        """A second optimizer whose risk measure sees only what the plan adds.

        pymc-marketing applies the utility to its response over the whole date axis,
        carry-in included. That part does not depend on the plan but differs by draw,
        so a risk measure of it would pick its worst draws by the spend made before the
        window. Subtracting each draw's response without spend in the window leaves the
        plan's own contribution, as :func:`plan_contribution` reports it; for the mean
        the constant changes nothing, so the mean objective needs no second optimizer.
        """
        params = self.params
        if params.objective == "mean":
            return []
        return [
            f"# {_objective_text(params)} of what the plan adds. pymc-marketing's response "
            "also holds the",
            "# contribution of spend made before the window, which differs by draw: left "
            "in, it would",
            "# decide which draws are the worst and hedge the plan against past spend",
            "def of_the_plan(risk):",
            "    \"\"\"``risk`` of the response a plan adds: its response minus the one "
            "without spend.\"\"\"",
            "    no_spend_total = optimizer.evaluate_response_distribution(per_period({}))",
            "    baseline = ptx.as_xtensor(no_spend_total.to_numpy(), "
            "dims=no_spend_total.dims)",
            "",
            "    def plan_utility(samples, budgets):",
            "        return risk(samples - baseline, budgets)",
            "",
            "    return plan_utility",
            "",
            "",
            "risk_optimizer = mmm.budget_optimizer(",
            "    start_date=horizon[0], end_date=horizon[-1],",
            f"    utility_function=of_the_plan({_utility_code(params)}),",
            *(["    budgets_to_optimize=spends,"] if self.geo else []),
            ")",
        ]

    def _bounds_lines(self) -> list[str]:
        params, pct = self.params, self.params.default_bound_pct
        explicit = [f"    {literal(c)}: {literal(params.bounds[c])},"
                    for c in self.channels if c in params.bounds]
        if len(explicit) == len(self.channels):
            return ["# (lowest, highest) spend of each channel over the horizon",
                    "bounds = {", *explicit, "}"]
        if pct is None:
            lines = ["# (lowest, highest) spend of each channel over the horizon: any split "
                     "of the total",
                     "bounds = {c: (0.0, total) for c in channels}"]
        else:
            low, high = band_factors(pct)
            lines = [f"# (lowest, highest) spend of each channel over the horizon: within "
                     f"{pct:g} % of its",
                     "# current spend" + (", unless set below" if explicit else ""),
                     f"bounds = {{c: ({literal(low)} * current[c], {literal(high)} * current[c])"
                     " for c in channels}"]
        return lines + (["bounds.update({", *explicit, "})"] if explicit else [])

    def _optimize_lines(self) -> list[str]:
        params = self.params
        total = float(params.total)
        prob = literal(float(params.hdi_prob))
        return [
            f"total = {literal(total)}",
            *self._bounds_lines(),
            f"optimization = {self._optimizer_name()}.allocate_budget(",
            "    total_budget=total / periods,",
            "    budget_bounds={c: (low / periods, high / periods) "
            "for c, (low, high) in bounds.items()},",
            ")",
            "optimized = optimization.budgets.to_series().reindex(channels) * periods",
            "optimized_contribution = plan_contribution(optimized.to_dict())",
            "optimized_hdi = az.hdi(optimized_contribution.transpose('channel', 'sample')"
            f".to_numpy(), prob={prob})",
            "budget_allocation = pd.DataFrame({",
            "    'current': current,",
            "    'optimized': optimized,",
            "    'change_pct': (optimized / current - 1) * 100,",
            "    'expected_contribution': optimized_contribution.mean('sample').to_series(),",
            "    'contribution_hdi_low': optimized_hdi[:, 0],",
            "    'contribution_hdi_high': optimized_hdi[:, 1],",
            "}, index=pd.Index(channels, name='channel'))",
        ]

    def _scenario_lines(self) -> list[str]:
        params = self.params
        prob = literal(float(params.hdi_prob))
        what = "(channel, geo)" if self.geo else "channel"
        lines = [f"# Scenarios: {what} -> spend over the horizon",
                 "scenarios = {'current': current.to_dict()}"]
        if params.total is not None:
            lines.append("scenarios['optimized'] = optimized.to_dict()")
        for scenario in params.scenarios:
            name = literal(scenario.name)
            if scenario.base is not None:
                factor = f"(1 + {literal(float(scenario.change_pct or 0.0))} / 100)"
                lines.append(f"scenarios[{name}] = {{c: v * {factor} "
                             f"for c, v in scenarios[{literal(scenario.base)}].items()}}")
            elif self.geo:
                lines += geo_plan_lines(f"scenarios[{name}]", scenario.allocation)
            else:
                lines.append(f"scenarios[{name}] = {{")
                lines += [f"    {literal(c)}: {literal(v)}," for c, v in
                          scenario.allocation.items()]
                lines.append("}")
        total_dims = f"['channel', {literal(self.geo)}]" if self.geo else "'channel'"
        lines += [
            f"outcomes = {{name: plan_contribution(allocation).sum({total_dims})",
            "            for name, allocation in scenarios.items()}",
            "scenario_rows = []",
            "for name, outcome in outcomes.items():",
            "    plan_spend = sum(scenarios[name].values())",
            "    mean = float(outcome.mean())",
            f"    low, high = az.hdi(outcome.to_numpy(), prob={prob})",
            "    scenario_rows.append({",
            "        'scenario': name, 'total_spend': plan_spend, 'expected_outcome': mean,",
            "        'outcome_hdi_low': float(low), 'outcome_hdi_high': float(high),",
            "        'roas': mean / plan_spend if plan_spend else float('nan'),",
            "        'prob_beats_current': float((outcome > outcomes['current']).mean()),",
            "    })",
            "scenario_table = pd.DataFrame(scenario_rows).set_index('scenario')",
        ]
        return lines

    # ----- run ----------------------------------------------------------------------
    def run(self, namespace: dict[str, Any]) -> BudgetResult:
        """Run the code part by part with progress; commit only if not cancelled.

        Raises
        ------
        BudgetCancelled
            When :meth:`BudgetMonitor.cancel` was called; nothing changes.
        ModelError
            When pymc-marketing's optimizer fails, with what to change.
        """
        self.validate(namespace)
        monitor = self.monitor
        monitor.start()
        started = time.perf_counter()
        trial = dict(namespace)
        sections = self.sections()
        setup = [(k, lines) for k, lines in sections if k in ("setup", "optimize")]
        setup_source = "\n".join(line for _, lines in setup for line in lines)
        previous = self._reusable(setup_source, trial.get("mmm"))
        try:
            if previous is not None:
                trial.update(previous.setup_vars)
            else:
                before = dict(trial)
                for kind, lines in setup:
                    monitor.set_phase("building" if kind == "setup" else "optimizing")
                    self._execute(kind, lines, trial)
                    monitor.check_cancel()
                setup_vars = {k: v for k, v in trial.items() if before.get(k, _MISSING) is not v}
            for kind, lines in sections:
                if kind in ("scenarios", "curves"):
                    monitor.set_phase(kind)
                    self._execute(kind, lines, trial)
                    monitor.check_cancel()
            monitor.set_phase("what-if")
            result = self._read(trial, previous)
            monitor.check_cancel()
        except BudgetCancelled:
            monitor.set_phase("cancelled")
            raise
        except MMMWidgetsError:
            monitor.set_phase("failed")
            raise
        except Exception as error:
            monitor.set_phase("failed")
            raise translate_budget_error(error) from error
        result.seconds = time.perf_counter() - started
        result.setup_source = setup_source
        result.setup_vars = previous.setup_vars if previous is not None else setup_vars
        result.mmm = trial.get("mmm")
        monitor.set_phase("done")
        namespace.clear()
        namespace.update(trial)
        self.result = result
        return result

    def _reusable(self, setup_source: str, mmm: Any) -> BudgetResult | None:
        previous = self.previous
        if previous is None or previous.result is None:
            return None
        result = previous.result
        if result.setup_source != setup_source or result.mmm is not mmm or mmm is None:
            return None
        return result

    def _execute(self, kind: str, lines: list[str], namespace: dict[str, Any]) -> None:
        # Each part runs with the cell's imports: executing the parts one after another
        # in one namespace is executing the exported cell.
        execute(CodeChunk(comment=f"{self.describe()} ({kind})", lines=tuple(lines),
                          imports=self._imports(), title=self.title), namespace)

    def _imports(self) -> tuple[str, ...]:
        return IMPORTS if self.params.objective == "mean" else (*IMPORTS, RISK_IMPORT)

    def _read(self, namespace: dict[str, Any], previous: BudgetResult | None) -> BudgetResult:
        params = self.params
        optimizer = namespace["optimizer"]
        if int(optimizer.num_periods) != params.periods:
            raise ModelError(problem(
                f"The optimizer covers {optimizer.num_periods} periods, not {params.periods}.",
                "The dates are irregular; check the date column's spacing in the data step."))
        allocation = geo_totals = None
        if params.total is not None and self.geo:
            allocation = namespace["budget_allocation"][list(ALLOCATION_COLUMNS)].astype(float)
            geo_totals = namespace["budget_geo_totals"][list(ALLOCATION_COLUMNS)].astype(float)
        elif params.total is not None:
            allocation = namespace["budget_allocation"].loc[list(self.channels)]
            allocation = allocation[list(ALLOCATION_COLUMNS)].astype(float)
        allocations = {name: {_key(c): float(v) for c, v in plan.items()}
                       for name, plan in namespace["scenarios"].items()}
        base = previous.what_if.base if previous is not None else None
        if base is None:
            maxima = self._what_if_maxima(namespace)
            base = WhatIf.prepare(namespace["plan_contribution"], tuple(maxima),
                                  params.periods, maxima, params.hdi_prob,
                                  names=("channel", self.geo) if self.geo else ("channel",))
        what_if = base.with_allocations(namespace["plan_contribution"], allocations.values())
        return BudgetResult(
            allocation=allocation,
            scenarios=namespace["scenario_table"][list(SCENARIO_COLUMNS)].astype(float),
            allocations=allocations,
            curves=read_curves(namespace),
            what_if=what_if,
            optimizer=optimizer,
            optimization=namespace.get("optimization") if params.total is not None else None,
            seconds=0.0,
            geo_totals=geo_totals,
        )

    def _what_if_maxima(self, namespace: dict[str, Any]) -> dict[Any, float]:
        """Top of each channel's what-if grid, in spend over the horizon.

        Three times the largest past spend per period, and at least the whole budget,
        so a slider can move any channel from nothing to all of it. On a geo model, per
        (channel, geo) where the channel ever spent: the others get no budget.
        """
        params = self.params
        past = namespace["past_spend"].max("date").to_series()
        current_total = float(namespace["current"].sum())
        budget = max(params.total or 0.0, current_total)
        maxima = {}
        if self.geo:
            layout = self.layout()
            highs = (geo_full_bounds(params.total, params.bounds, layout,
                                     params.default_bound_pct)
                     if params.total is not None else {})
            for cell in map(_key, past.index):
                if layout.spends.get(cell, False):
                    high = highs.get(cell, (0.0, 0.0))[1]
                    maxima[cell] = max(3.0 * float(past[cell]) * params.periods, budget, high)
            return maxima
        for channel in self.channels:
            high = params.bounds.get(channel, (0.0, 0.0))[1]
            maxima[channel] = max(3.0 * float(past[channel]) * params.periods, budget, high)
        return maxima


_MISSING = object()

IMPORTS = ("import arviz as az", "import numpy as np", "import pandas as pd",
           "import xarray as xr", "from pymc_marketing.mmm import utility")
RISK_IMPORT = "import pytensor.xtensor as ptx"


def _utility_code(params: BudgetParams) -> str:
    name = "conditional_value_at_risk" if params.objective == "cvar" else "value_at_risk"
    return f"utility.{name}({literal(float(params.risk_level))})"


def _objective_text(params: BudgetParams) -> str:
    if params.objective == "cvar":
        return f"CVaR at {params.risk_level:g}"
    if params.objective == "var":
        return f"VaR at {params.risk_level:g}"
    return "mean response"


def spend_lines(run_rate_periods: int, geo: str | None = None) -> list[str]:
    """Code defining ``channels``, ``past_spend`` (date, channel) and ``run_rate`` per period.

    With ``geo`` (a geo model): ``past_spend`` is (date, channel, geo), ``run_rate`` is
    indexed by (channel, geo), and ``geos``, ``cells`` (that index) and ``spends`` (whether
    a channel ever spent in a geo) are defined too.
    """
    if geo:
        return [
            "channels = list(mmm.channel_columns)",
            f"past_spend = mmm.data.get_channel_spend().transpose('date', 'channel', "
            f"{literal(geo)})",
            f"geos = list(past_spend.indexes[{literal(geo)}])",
            "# A channel gets no budget in a geo where it never spent",
            "spends = past_spend.sum('date') > 0",
            "# Current run-rate of each channel in each geo: average spend per period over "
            "the most",
            "# recent periods",
            f"run_rate = past_spend.isel(date=slice(-{literal(int(run_rate_periods))}, None))"
            ".mean('date').to_series()",
            "cells = run_rate.index",
        ]
    return [
        "channels = list(mmm.channel_columns)",
        "past_spend = mmm.data.get_channel_spend()",
        "past_spend = past_spend.sum([d for d in past_spend.dims if d not in ('date', "
        "'channel')])",
        "# Current run-rate: average spend per period over the most recent periods",
        f"run_rate = past_spend.isel(date=slice(-{literal(int(run_rate_periods))}, None))"
        ".mean('date').to_series().reindex(channels)",
    ]


def curve_lines(threshold: float | Mapping[str, float], points: int,
                hdi_prob: float = HDI_PROB, geo: str | None = None) -> list[str]:
    """Code computing ``response_curves`` and ``threshold_spend`` from the fitted ``mmm``.

    Needs ``channels`` and ``run_rate`` (see :func:`spend_lines`). ``threshold`` is one
    marginal ROAS for every channel, or channel -> its own (the overview's 1 / margin).
    With ``geo``, one curve per (channel, geo) where the channel ever spent.
    """
    prob = literal(float(hdi_prob))
    per_channel = isinstance(threshold, Mapping)
    value = ({str(c): float(t) for c, t in threshold.items()} if per_channel
             else float(threshold))
    level = "threshold[channel]" if per_channel else "threshold"
    if geo:
        return _geo_curve_lines(value, level, int(points), prob, geo)
    return [
        "# Response curves: the response per period when the same spend is repeated every",
        "# period. The adstock weights sum to one, so the adstocked spend settles at the "
        "spend",
        "# itself and the steady state is the saturation curve, drawn for every posterior "
        "draw",
        f"curve = mmm.sample_saturation_curve(max_value={literal(CURVE_MAX)}, "
        f"num_points={literal(int(points))},",
        "                                     num_samples=None, original_scale=True)",
        "curve = curve.stack(sample=('chain', 'draw')).transpose('channel', 'x', 'sample')",
        "curve_spend = (curve['x'] * mmm.data.get_channel_scale()).transpose('channel', 'x')"
        ".to_numpy()",
        "curve_draws = curve.to_numpy()",
        "marginal_roas = np.stack([np.gradient(d, s, axis=0)",
        "                          for d, s in zip(curve_draws, curve_spend, strict=True)])",
        f"curve_hdi = az.hdi(curve_draws.reshape(-1, curve_draws.shape[-1]), prob={prob})",
        "curve_hdi = curve_hdi.reshape(*curve_draws.shape[:2], 2)",
        "response_curves = pd.DataFrame({",
        "    'channel': np.repeat(curve['channel'].to_numpy(), curve_draws.shape[1]),",
        "    'spend': curve_spend.ravel(),",
        "    'response': curve_draws.mean(axis=-1).ravel(),",
        "    'response_hdi_low': curve_hdi[..., 0].ravel(),",
        "    'response_hdi_high': curve_hdi[..., 1].ravel(),",
        "    'marginal_roas': marginal_roas.mean(axis=-1).ravel(),",
        "})",
        *_threshold_lines(value, level,
                          "for channel, points in response_curves.groupby('channel', "
                          "sort=False):", "channel"),
    ]


def _geo_curve_lines(value: float | dict[str, float], level: str, points: int, prob: str,
                     geo: str) -> list[str]:
    dims = f"'channel', {literal(geo)}"
    return [
        "# Response curves: the response per period when the same spend is repeated every",
        "# period, in each geo. The adstock weights sum to one, so the adstocked spend "
        "settles at",
        "# the spend itself and the steady state is the saturation curve, drawn for every "
        "posterior draw",
        f"curve = mmm.sample_saturation_curve(max_value={literal(CURVE_MAX)}, "
        f"num_points={literal(points)},",
        "                                     num_samples=None, original_scale=True)",
        f"curve = curve.stack(sample=('chain', 'draw')).transpose({dims}, 'x', 'sample')",
        "curve_spend = (curve['x'] * mmm.data.get_channel_scale()).broadcast_like(",
        f"    curve.isel(sample=0)).transpose({dims}, 'x').to_numpy()",
        "# A channel's curve in a geo where it never spent would rest on the priors alone: "
        "left out",
        f"curve_cells = pd.MultiIndex.from_product([curve['channel'].to_numpy(), "
        f"curve[{literal(geo)}].to_numpy()])",
        f"drawn = spends.sel({{'channel': curve['channel'].to_numpy(), "
        f"{literal(geo)}: curve[{literal(geo)}].to_numpy()}})",
        f"drawn = drawn.transpose({dims}).to_numpy().ravel()",
        "curve_cells = curve_cells[drawn]",
        "curve_spend = curve_spend.reshape(-1, curve_spend.shape[-1])[drawn]",
        "curve_draws = curve.to_numpy().reshape(-1, *curve.shape[-2:])[drawn]",
        "marginal_roas = np.stack([np.gradient(d, s, axis=0)",
        "                          for d, s in zip(curve_draws, curve_spend, strict=True)])",
        f"curve_hdi = az.hdi(curve_draws.reshape(-1, curve_draws.shape[-1]), prob={prob})",
        "curve_hdi = curve_hdi.reshape(*curve_draws.shape[:2], 2)",
        "response_curves = pd.DataFrame({",
        "    'channel': np.repeat(curve_cells.get_level_values(0), curve_draws.shape[1]),",
        f"    {literal(geo)}: np.repeat(curve_cells.get_level_values(1), "
        "curve_draws.shape[1]),",
        "    'spend': curve_spend.ravel(),",
        "    'response': curve_draws.mean(axis=-1).ravel(),",
        "    'response_hdi_low': curve_hdi[..., 0].ravel(),",
        "    'response_hdi_high': curve_hdi[..., 1].ravel(),",
        "    'marginal_roas': marginal_roas.mean(axis=-1).ravel(),",
        "})",
        *_threshold_lines(value, level,
                          "for (channel, area), points in response_curves.groupby("
                          f"['channel', {literal(geo)}], sort=False):", "channel, area"),
    ]


def _threshold_lines(value: float | dict[str, float], level: str, loop: str, key: str
                     ) -> list[str]:
    """Code finding, per curve, the spend where marginal ROAS falls below the threshold.

    ``loop`` is the ``for`` line over the curves' groups and ``key`` the dictionary key
    it binds (``"channel"``, or ``"channel, area"`` per geo).
    """
    return [
        "# Spend per period above which one more unit of spend returns less than the "
        "threshold",
        f"threshold = {literal(value)}",
        "threshold_spend = {}",
        loop,
        "    slope, x = points['marginal_roas'].to_numpy(), points['spend'].to_numpy()",
        f"    below = np.flatnonzero(slope < {level})",
        "    if below.size == 0:",
        f"        threshold_spend[{key}] = float('nan')",
        "    elif below[0] == 0:",
        f"        threshold_spend[{key}] = 0.0",
        "    else:",
        "        i = below[0]",
        f"        threshold_spend[{key}] = float(np.interp({level}, [slope[i], "
        "slope[i - 1]], [x[i], x[i - 1]]))",
    ]


def curves_chunk(run_rate_periods: int, threshold: float | Mapping[str, float], points: int,
                 hdi_prob: float = HDI_PROB, geo: str | None = None) -> CodeChunk:
    """The response-curve code on its own (for :meth:`Workflow.response_curves`)."""
    return CodeChunk(comment="Response curves of every channel",
                     lines=tuple(spend_lines(run_rate_periods, geo)
                                 + curve_lines(threshold, points, hdi_prob, geo)),
                     imports=IMPORTS, title="Response curves")


def read_curves(namespace: dict[str, Any]) -> pd.DataFrame:
    """The tidy response curves the curve code left in ``namespace``.

    Returns
    -------
    pandas.DataFrame
        ``channel, spend, response, response_hdi_low, response_hdi_high,
        marginal_roas`` (spend and response per period); ``attrs`` hold ``threshold``
        (a number, or channel -> number when each channel has its own),
        ``current_spend`` (run-rate per period) and ``threshold_spend`` (per period, NaN
        when the marginal ROAS stays above the threshold on the whole curve). On a geo
        model the geo column follows ``channel`` and the spends in ``attrs`` are keyed
        by ``(channel, geo)``.
    """
    frame = namespace["response_curves"]
    levels = ["channel", *(c for c in frame.columns if c not in CURVE_COLUMNS)]
    curves = frame[[*levels, *CURVE_COLUMNS[1:]]].copy()
    for level in levels:
        curves[level] = curves[level].astype(str)
    threshold = namespace["threshold"]
    curves.attrs = {
        "threshold": ({str(k): float(v) for k, v in threshold.items()}
                      if isinstance(threshold, Mapping) else float(threshold)),
        "current_spend": {_key(k): float(v) for k, v in namespace["run_rate"].items()},
        "threshold_spend": {_key(k): float(v)
                            for k, v in namespace["threshold_spend"].items()},
    }
    return curves


def _key(key: Any) -> str | tuple[str, ...]:
    """A channel name, or a (channel, geo) cell, as plain strings."""
    return tuple(str(k) for k in key) if isinstance(key, tuple) else str(key)


# ----- checks -----------------------------------------------------------------------

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
    if not (math.isfinite(params.threshold) and params.threshold > 0):
        problems.append(problem("The marginal-ROAS threshold must be a positive number.",
                                "Use 1.0 (a unit of spend returns a unit of outcome)."))
    if not isinstance(params.points, int) or params.points < 3:
        problems.append(problem("Response curves need at least 3 points.", "Use e.g. 100."))
    if not 0 < params.hdi_prob < 1:
        problems.append(problem("hdi_prob must be between 0 and 1.", "Use e.g. 0.94."))
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


def translate_budget_error(error: BaseException) -> ModelError:
    """Turn an optimizer failure into a readable :class:`ModelError`."""
    text = str(error)
    first = text.splitlines()[0] if text else type(error).__name__
    if type(error).__name__ == "MinimizeException":
        return ModelError(problem(f"The optimizer did not find an allocation: {first[:300]}",
                                  "Loosen the bounds, change the total, or use the 'mean' "
                                  "objective."))
    return ModelError(problem(f"The budget step failed: {type(error).__name__}: {first[:300]}",
                              "Your settings are kept. Check the bounds and the total, or "
                              "refit the model."))


# ----- geo models ---------------------------------------------------------------------

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
            out.update({(channel, str(g)): _pair(b) for g, b in bound.items()
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
    if lows > total * (1 + 1e-12):
        problems.append(problem(
            f"The lowest spends add up to {lows:,.2f}, more than the total {total:,.2f}.",
            f"Lower some minimums or raise the total.{band}"))
    if highs < total * (1 - 1e-12):
        problems.append(problem(
            f"The highest spends add up to {highs:,.2f}, less than the total {total:,.2f}.",
            f"Raise some maximums or lower the total.{band}"))
    return problems


def geo_setup_lines(geo: str, periods: int, risk_lines: list[str]) -> list[str]:
    """Code of a geo model's optimizer, ``per_period``, ``split`` and ``plan_contribution``.

    Needs :func:`spend_lines` with ``geo``.
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
        "weights = current.where(current.groupby(level='channel').transform('sum') > 0,",
        "                        past_spend.sum('date').to_series())",
        "share = (weights / weights.groupby(level='channel').transform('sum')).fillna(0.0)",
        "# pymc-marketing keeps the last l_max periods of real spend before the window "
        "(carry-in)",
        "# and adds l_max periods without spend after it (carry-over); it decides one "
        "budget per",
        "# (channel, geo), only where the channel ever spent",
        "optimizer = mmm.budget_optimizer(",
        "    start_date=horizon[0], end_date=horizon[-1],",
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
        *risk_lines,
    ]


def geo_optimize_lines(geo: str, total: float, bounds: Mapping[str, Any], pct: float | None,
                       optimizer: str, hdi_prob: float) -> list[str]:
    """Code of a geo model's optimization: ``budget_allocation`` and ``budget_geo_totals``."""
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
        f"optimization = {optimizer}.allocate_budget(",
        "    total_budget=total / periods, budget_bounds=budget_bounds,",
        ")",
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


# ----- what-if ----------------------------------------------------------------------

class WhatIf:
    """Posterior response of every channel on a grid of spends, for instant what-ifs.

    Built once from pymc-marketing's own response (the step's ``plan_contribution``,
    which evaluates the optimizer's compiled model); afterwards an allocation costs one
    linear interpolation per channel over the posterior draws, in numpy. Channels do not
    interact in the model, so one evaluation of a plan gives a node of every channel.
    On a geo model the same holds for every (channel, geo) cell, which take the place
    of the channels.

    Parameters
    ----------
    channels : tuple
        Channel names, or ``(channel, geo)`` cells.
    periods : int
        Horizon of the spends.
    nodes : list of numpy.ndarray
        Per channel, sorted spends over the horizon.
    draws : list of numpy.ndarray
        Per channel, ``(len(nodes), samples)`` contribution the spend adds.
    hdi_prob : float
        Mass of the intervals.
    base : WhatIf, optional
        The grid before scenario nodes were added (reused when only scenarios change).
    names : tuple of str
        Names of the index levels of :meth:`evaluate`: ``("channel",)``, or
        ``("channel", geo)`` for cells.
    """

    def __init__(self, channels: tuple[Any, ...], periods: int, nodes: list[np.ndarray],
                 draws: list[np.ndarray], hdi_prob: float, base: WhatIf | None = None,
                 names: tuple[str, ...] = ("channel",)):
        self.channels = tuple(channels)
        self.periods = periods
        self.nodes = nodes
        self.draws = draws
        self.hdi_prob = hdi_prob
        self.base = base if base is not None else self
        self.names = tuple(names)

    @classmethod
    def prepare(cls, plan_contribution: Any, channels: tuple[Any, ...], periods: int,
                maxima: Mapping[Any, float], hdi_prob: float,
                nodes: int = WHAT_IF_NODES, names: tuple[str, ...] = ("channel",)) -> WhatIf:
        """Evaluate ``plan_contribution`` on ``nodes`` spends from 0 to each maximum."""
        grid = np.linspace(0.0, 1.0, nodes)[:, None] * np.array(
            [maxima[c] for c in channels])[None, :]
        values = [_plan_draws(plan_contribution, channels, row) for row in grid]
        stacked = np.stack(values)                       # (nodes, channel, sample)
        return cls(channels, periods, [grid[:, i].copy() for i in range(len(channels))],
                   [stacked[:, i, :] for i in range(len(channels))], hdi_prob,
                   names=names)

    def with_allocations(self, plan_contribution: Any,
                         allocations: Any) -> WhatIf:
        """A copy with each allocation added as an exact node of every channel."""
        nodes, draws = list(self.nodes), list(self.draws)
        for allocation in allocations:
            row = np.array([float(allocation.get(c, 0.0)) for c in self.channels])
            if all(np.any(nodes[i] == row[i]) for i in range(len(self.channels))):
                continue
            values = _plan_draws(plan_contribution, self.channels, row)
            for i in range(len(self.channels)):
                if np.any(nodes[i] == row[i]):
                    continue
                at = int(np.searchsorted(nodes[i], row[i]))
                nodes[i] = np.insert(nodes[i], at, row[i])
                draws[i] = np.insert(draws[i], at, values[i], axis=0)
        return WhatIf(self.channels, self.periods, nodes, draws, self.hdi_prob, self.base,
                      self.names)

    @property
    def limits(self) -> dict[Any, float]:
        """Largest spend over the horizon each channel can be moved to."""
        return {c: float(self.nodes[i][-1]) for i, c in enumerate(self.channels)}

    def samples(self, allocation: Mapping[str, float]) -> np.ndarray:
        """Contribution per channel and draw, ``(channel, sample)``, of an allocation."""
        problems = allocation_problems(allocation, self.channels, "what-if")
        limits = self.limits
        problems += [problem(f"what-if: {c!r} at {v:,.0f} is beyond the prepared range "
                             f"(up to {limits[c]:,.0f}).",
                             "Move it lower, or add a scenario with this spend to extend "
                             "the range.", column=c)
                     for c, v in allocation.items()
                     if c in limits and isinstance(v, (int, float)) and v > limits[c] * (
                         1 + 1e-12)]
        if problems:
            raise DataError(problems)
        out = np.empty((len(self.channels), self.draws[0].shape[1]))
        for i, channel in enumerate(self.channels):
            x, grid, values = float(allocation.get(channel, 0.0)), self.nodes[i], self.draws[i]
            j = min(max(int(np.searchsorted(grid, x, side="right")) - 1, 0), len(grid) - 2)
            weight = min((x - grid[j]) / (grid[j + 1] - grid[j]), 1.0)
            out[i] = values[j] * (1.0 - weight) + values[j + 1] * weight
        return out

    def evaluate(self, allocation: Mapping[str, float]) -> pd.DataFrame:
        """Predicted contribution and ROAS of an allocation (spend over the horizon).

        Returns
        -------
        pandas.DataFrame
            Indexed by channel plus a last row ``"all channels"``: ``spend,
            contribution, contribution_hdi_low, contribution_hdi_high, roas``. With
            cells: indexed by (channel, geo) plus a last row ``("all channels",
            "all geos")``.
        """
        import arviz as az

        per_channel = self.samples(allocation)
        rows = np.vstack([per_channel, per_channel.sum(axis=0, keepdims=True)])
        hdi = az.hdi(rows, prob=self.hdi_prob)
        spend = np.array([float(allocation.get(c, 0.0)) for c in self.channels])
        spend = np.append(spend, spend.sum())
        mean = rows.mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            roas = np.where(spend > 0, mean / np.where(spend > 0, spend, 1.0), np.nan)
        if len(self.names) > 1:
            index = pd.MultiIndex.from_tuples([*self.channels, (TOTAL_ROW, ALL_GEOS)],
                                              names=list(self.names))
        else:
            index = pd.Index([*self.channels, TOTAL_ROW], name="channel")
        return pd.DataFrame({"spend": spend, "contribution": mean,
                             "contribution_hdi_low": hdi[:, 0],
                             "contribution_hdi_high": hdi[:, 1], "roas": roas}, index=index)


def _plan_draws(plan_contribution: Any, channels: tuple[Any, ...], row: np.ndarray
                ) -> np.ndarray:
    allocation = {c: float(v) for c, v in zip(channels, row, strict=True)}
    values = plan_contribution(allocation)
    geo = [d for d in values.dims if d not in ("channel", "sample")]
    if not geo:
        return values.transpose("channel", "sample").sel(channel=list(channels)).to_numpy()
    values = values.transpose("channel", geo[0], "sample")
    at_channel = {str(c): i for i, c in enumerate(values["channel"].to_numpy())}
    at_geo = {str(g): i for i, g in enumerate(values[geo[0]].to_numpy())}
    array = values.to_numpy()
    return np.stack([array[at_channel[c], at_geo[g]] for c, g in channels])


# ----- headless API (called by the Workflow methods) ----------------------------------

def budget_params(workflow: Workflow) -> BudgetParams:
    """The budget step's parameters if it was run, else the defaults."""
    if workflow.status("budget") in ("done", "stale"):
        return workflow.step("budget").params
    return BudgetParams(hdi_prob=workflow.interval)


def run_budget(workflow: Workflow, params: BudgetParams,
               monitor: BudgetMonitor | None = None) -> BudgetResult:
    """Run the budget step with ``params`` (reusing the optimizer when it is unchanged)."""
    previous = workflow.step("budget") if workflow.status("budget") == "done" else None
    step = BudgetStep(params, workflow.data_result, previous, monitor)
    return workflow.run_step(step)


def ensure_budget(workflow: Workflow) -> BudgetResult:
    """The budget result, running the step with the current settings when it is not done."""
    if workflow.status("budget") != "done":
        return run_budget(workflow, budget_params(workflow))
    return workflow.step("budget").result


def optimize_budget(workflow: Workflow, total: float, periods: int,
                    bounds: Mapping[str, tuple[float, float]] | str | None = None,
                    objective: str = "mean", risk_level: float = 0.95,
                    monitor: BudgetMonitor | None = None) -> pd.DataFrame:
    """See :meth:`Workflow.optimize_budget`.

    ``bounds``: channel -> ``(lowest, highest)``, channels left out within
    ``DEFAULT_BOUND_PCT`` % of their current spend (also when None); ``"none"`` lets
    every channel get anything from 0 to ``total``. On a geo model, per (channel, geo):
    ``(channel, geo)`` keys or channel -> geo -> bounds; a channel's own bounds are split
    over its geos in proportion to current spend.
    """
    params = budget_params(workflow)
    pct: float | None = DEFAULT_BOUND_PCT
    if isinstance(bounds, str):
        if bounds.strip().lower() != NO_LIMIT:
            raise DataError(problem(f"Unknown bounds {bounds!r}.",
                                    f"Pass {NO_LIMIT!r} for no limits, or a dict of "
                                    "(lowest, highest) per channel."))
        bounds, pct = None, None
    try:
        clean_bounds = _bounds_params(bounds or {})
    except (TypeError, ValueError, IndexError, AttributeError) as error:
        raise DataError(problem("bounds must map each channel to (lowest, highest) numbers.",
                                "e.g. {'tv': (10000, 200000)}, or "
                                f"{NO_LIMIT!r} for no limits.")) from error
    try:
        total_value = float(total)
    except (TypeError, ValueError) as error:
        raise DataError(problem(f"The total budget must be a number, not {total!r}.",
                                "Enter the spend to allocate over the horizon.")) from error
    params = params.replace(total=total_value, periods=periods, bounds=clean_bounds,
                            default_bound_pct=pct, objective=objective,
                            risk_level=float(risk_level))
    return run_budget(workflow, params, monitor).allocation.copy()


def optimize_in_background(workflow: Workflow, total: float, periods: int,
                           bounds: Mapping[str, tuple[float, float]] | str | None = None,
                           objective: str = "mean", risk_level: float = 0.95) -> FitJob:
    """Start :func:`optimize_budget` in a worker thread and return the job at once."""
    from mmm_widgets.workflow import FitJob

    job = FitJob(BudgetMonitor())
    job.start(lambda: optimize_budget(workflow, total, periods, bounds, objective, risk_level,
                                      job.monitor))
    return job


def synergy_note(workflow: Workflow) -> str | None:
    """Plain text saying the plan leaves out the model's channel interactions.

    An interaction enters pymc-marketing as a control column (the product of two
    spends). The optimizer's window holds controls at zero, so response curves,
    optimizer, scenarios and what-if count every channel on its own.

    Returns
    -------
    str or None
        None when the model has no interaction.
    """
    if workflow.status("model") not in ("done", "stale"):
        return None
    pairs = workflow.step("model").params.interactions
    if not pairs:
        return None
    effects = None
    if workflow.status("fit") in ("done", "stale"):
        effects = getattr(workflow.step("fit").result, "interaction_effects", None)
    names = []
    for a, b in pairs:
        name = f"{a} x {b}"
        verdict = (effects["verdict"].get(name) if effects is not None
                   and "verdict" in effects else None)
        names.append(f"{name} ({verdict})" if verdict else name)
    return (f"The plan does not include the measured interaction of {', '.join(names)}. "
            "pymc-marketing holds an interaction as a control, and controls stay at zero "
            "in the planning window, so the response curves, the optimizer, the scenarios "
            "and the what-if count each channel on its own. The interaction's own "
            "contribution is in wf.interaction_effects().")


def what_if(workflow: Workflow, allocation: Mapping[Any, Any]) -> pd.DataFrame:
    """See :meth:`Workflow.what_if`.

    On a geo model ``allocation`` may be per channel (each channel's spend split over
    its geos in proportion to current spend), per ``(channel, geo)``, or channel -> geo
    -> spend; the frame is per (channel, geo).
    """
    result = ensure_budget(workflow)
    step = workflow.step("budget")
    if not step.geo:
        return result.what_if.evaluate(dict(allocation))
    cells, problems = step.layout().to_cells(dict(allocation), "what-if")
    if problems:
        raise DataError(problems)
    limits = result.what_if.limits
    return result.what_if.evaluate({c: v for c, v in cells.items() if c in limits})


class Scenarios:
    """The named plans of a workflow's budget step: add, remove, compare.

    Built-in: ``"current"`` (the recent run-rate over the horizon) and ``"optimized"``
    (the last :meth:`Workflow.optimize_budget` result). Changes re-run the budget step,
    which reuses the optimizer, so they take well under a second.

    Parameters
    ----------
    workflow : Workflow
        The workflow whose budget step holds the scenarios.
    """

    def __init__(self, workflow: Workflow):
        self.workflow = workflow

    def add(self, name: str, allocation: Mapping[Any, Any]) -> pd.DataFrame:
        """Add a plan: channel -> spend over the horizon (channels left out spend 0).

        On a geo model a channel's spend is split over its geos in proportion to current
        spend; give ``(channel, geo)`` keys (or channel -> geo -> spend) to set it per geo.

        Returns
        -------
        pandas.DataFrame
            The comparison table (:meth:`compare`).
        """
        try:
            plan = _plan_params(allocation)
        except (TypeError, ValueError) as error:
            raise DataError(problem(f"Scenario {name!r}: spends must be numbers.",
                                    "Map each channel to its spend over the horizon.")) \
                from error
        return self._with(Scenario(name=str(name), allocation=plan))

    def add_budget_change(self, percent: float, base: str = "current",
                          name: str | None = None) -> pd.DataFrame:
        """Add ``base`` with every channel scaled by ``1 + percent / 100``.

        Parameters
        ----------
        percent : float
            E.g. ``10`` for "budget +10 %", ``-20`` for "budget -20 %".
        base : str
            The scenario to scale (``"current"``, ``"optimized"`` or one of yours).
        name : str, optional
            Defaults to ``"budget +10 %"`` (or ``"optimized +10 %"`` for another base).
        """
        percent = float(percent)
        label = "budget" if base == "current" else base
        name = name or f"{label} {percent:+g} %"
        return self._with(Scenario(name=name, base=base, change_pct=percent))

    def remove(self, name: str) -> pd.DataFrame:
        """Remove one of your scenarios (and the ones that scale it)."""
        params = budget_params(self.workflow)
        if params.scenario(name) is None:
            raise DataError(problem(f"There is no scenario {name!r} of yours to remove.",
                                    f"Use one of {', '.join(self.names) or '(none yet)'}."))
        gone, kept = {name}, []
        for scenario in params.scenarios:
            if scenario.name in gone or scenario.base in gone:
                gone.add(scenario.name)
            else:
                kept.append(scenario)
        run_budget(self.workflow, params.replace(scenarios=tuple(kept)))
        return self.compare()

    def compare(self) -> pd.DataFrame:
        """Per scenario: total spend, expected outcome with its HDI, ROAS, P(beats current).

        The outcome is the media contribution the plan adds over the horizon and its
        carry-over tail, in target units.
        """
        return ensure_budget(self.workflow).scenarios.copy()

    def allocation(self, name: str) -> dict[Any, float]:
        """Channel (``(channel, geo)`` on a geo model) -> spend over the horizon."""
        allocations = ensure_budget(self.workflow).allocations
        if name not in allocations:
            raise DataError(problem(f"There is no scenario {name!r}.",
                                    f"Use one of {', '.join(allocations)}."))
        return dict(allocations[name])

    @property
    def names(self) -> list[str]:
        """Your scenarios' names (built-ins excluded)."""
        return [s.name for s in budget_params(self.workflow).scenarios]

    def __iter__(self) -> Iterator[str]:
        return iter(ensure_budget(self.workflow).allocations)

    def __len__(self) -> int:
        return len(ensure_budget(self.workflow).allocations)

    def _with(self, scenario: Scenario) -> pd.DataFrame:
        params = budget_params(self.workflow)
        run_budget(self.workflow, params.replace(scenarios=(*params.scenarios, scenario)))
        return self.compare()


def _plan_params(allocation: Mapping[Any, Any]) -> dict[str, Any]:
    """A plan as :class:`Scenario` keeps it: ``(channel, geo)`` keys become channel -> geo."""
    plan: dict[str, Any] = {}
    for key, value in dict(allocation).items():
        if isinstance(key, tuple):
            per_geo = plan.setdefault(str(key[0]), {})
            if not isinstance(per_geo, dict):
                raise TypeError(f"{key[0]!r} is given both per channel and per geo")
            per_geo[str(key[1])] = float(value)
        elif isinstance(value, Mapping):
            plan[str(key)] = {str(g): float(x) for g, x in value.items()}
        else:
            plan[str(key)] = float(value)
    return plan


def _bounds_params(bounds: Mapping[Any, Any]) -> dict[str, Any]:
    """Bounds as :class:`BudgetParams` keeps them: ``(channel, geo)`` keys become channel ->
    geo."""
    clean: dict[str, Any] = {}
    for key, bound in bounds.items():
        if isinstance(key, tuple):
            per_geo = clean.setdefault(str(key[0]), {})
            if not isinstance(per_geo, dict):
                raise TypeError(f"{key[0]!r} is bounded both per channel and per geo")
            per_geo[str(key[1])] = _pair(bound)
        elif isinstance(bound, Mapping):
            clean[str(key)] = {str(g): _pair(b) for g, b in bound.items()}
        else:
            clean[str(key)] = _pair(bound)
    return clean


# ----- persistence --------------------------------------------------------------------

def rerun(workflow: Workflow, params: dict[str, Any], folder: Any = None) -> BudgetResult:
    """Re-run the budget step of a loaded workflow from its saved parameters.

    The optimizer is deterministic given the posterior, which is loaded as saved, so the
    allocation and the scenario table come back as they were. Workflows saved before
    default bounds existed had none.
    """
    params = {"default_bound_pct": None, **params}
    return run_budget(workflow, BudgetParams.from_dict(params))
