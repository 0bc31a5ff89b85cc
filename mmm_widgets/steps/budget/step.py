"""The budget step: runs the budget cell part by part, with progress and cancel.

The cell's code comes from :mod:`~mmm_widgets.steps.budget.curves`,
:mod:`~mmm_widgets.steps.budget.cell` and :mod:`~mmm_widgets.steps.budget.geo`; what it
leaves behind becomes a :class:`~mmm_widgets.steps.budget.params.BudgetResult`.
"""

from __future__ import annotations

import time
from typing import Any

from mmm_widgets.codegen import CodeChunk
from mmm_widgets.engine.reuse import bind_part
from mmm_widgets.engine.runner import execute
from mmm_widgets.errors import DataError, MMMWidgetsError, ModelError, StepOrderError, problem
from mmm_widgets.steps.base import Step
from mmm_widgets.steps.budget.cell import (
    RISK_IMPORT,
    objective_text,
    optimize_lines,
    optimizer_name,
    risk_lines,
    scenario_lines,
    setup_lines,
)
from mmm_widgets.steps.budget.checks import (
    bounds_problems,
    scenario_problems,
    settings_problems,
    translate_budget_error,
)
from mmm_widgets.steps.budget.curves import IMPORTS, curve_lines, read_curves, spend_lines
from mmm_widgets.steps.budget.geo import (
    GeoLayout,
    geo_bounds_problems,
    geo_full_bounds,
    geo_optimize_lines,
    geo_setup_lines,
)
from mmm_widgets.steps.budget.held import CONSTRAINT_IMPORT, held_channels, held_problems
from mmm_widgets.steps.budget.optimum import MINIMIZE_IMPORT
from mmm_widgets.steps.budget.params import (
    ALLOCATION_COLUMNS,
    SCENARIO_COLUMNS,
    BudgetParams,
    BudgetResult,
    plain_key,
)
from mmm_widgets.steps.budget.progress import BudgetCancelled, BudgetMonitor
from mmm_widgets.steps.budget.what_if import WhatIf, grid_lines, node_lines
from mmm_widgets.steps.data import DataResult

# The progress phase of each part of the cell.
_PHASE_OF = {"setup": "building", "optimize": "optimizing", "what-if grid": "what-if"}


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

    def held(self) -> tuple[str, ...]:
        """The channels whose split over the geos a plan holds (none on a national model).

        ``params.held_split``, or when that is None the channels the data shows bought
        nationally (:attr:`DataResult.bought_nationally
        <mmm_widgets.steps.data.DataResult.bought_nationally>`).
        """
        return held_channels(self.data, self.params.held_split, self.params.bounds)

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
            problems += held_problems(self.params.held_split or (), self.channels,
                                      self.params.bounds)
            problems += scenario_problems(self.params, self.channels, layout)
            if problems:
                raise DataError(problems)
            return
        current = None if problems else self.current_spend()
        problems += bounds_problems(self.params.total, self.params.bounds, self.channels,
                                    current, self.params.default_bound_pct)
        # a national model has no split to hold, but a name that is no channel is a typo
        problems += held_problems(self.params.held_split or (), self.channels, {})
        problems += scenario_problems(self.params, self.channels)
        if problems:
            raise DataError(problems)

    def _n_dates(self) -> int:
        return self.data.periods

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
        parts = [("setup", spend_lines(params.run_rate_periods)
                  + setup_lines(params, self._risk_lines()))]
        if params.total is not None:
            parts.append(("optimize", optimize_lines(params, self.channels)))
        parts.append(("what-if grid", grid_lines(self._what_if_highs(), params.total, None)))
        parts.append(("scenarios", scenario_lines(params, self.geo) + node_lines()))
        parts.append(("curves", curve_lines(params.threshold, params.points, params.hdi_prob)))
        return parts

    def _geo_sections(self) -> list[tuple[str, list[str]]]:
        params, geo = self.params, self.geo
        held = self.held()
        parts = [("setup", spend_lines(params.run_rate_periods, geo)
                  + geo_setup_lines(geo, params.periods, self._risk_lines(), held,
                                    optimizer_name(params)))]
        if params.total is not None:
            parts.append(("optimize", geo_optimize_lines(
                geo, float(params.total), params.bounds, params.default_bound_pct,
                optimizer_name(params), float(params.hdi_prob), bool(held))))
        parts.append(("what-if grid", grid_lines(self._what_if_highs(), params.total, geo)))
        parts.append(("scenarios", scenario_lines(params, self.geo) + node_lines()))
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
                f"({objective_text(params)}; {self._bounds_text()})"
                if params.total is not None
                else f"compare plans over {params.periods} future periods")
        held = self.held() if params.total is not None else ()
        if held:
            what += f"; the split over the geos held for {', '.join(map(repr, held))}"
        return (f"Budget: {what}; {len(params.scenarios)} own scenarios; response curves "
                f"with a marginal-ROAS threshold of {params.threshold:g}")

    def _bounds_text(self) -> str:
        params = self.params
        if all(c in params.bounds for c in self.channels):
            return "bounds set per channel"
        if params.default_bound_pct is None:
            return "no default bounds"
        return f"channels within {params.default_bound_pct:g} % of current spend"

    def _risk_lines(self) -> list[str]:
        """The risk-aware optimizer's code (none for the mean objective)."""
        return risk_lines(self.params, self.geo)

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
        # The optimizer and the what-if grid are reused when only scenarios change.
        setup = [(k, lines) for k, lines in sections
                 if k in ("setup", "optimize", "what-if grid")]
        earlier = self.previous.result if self.previous is not None else None

        def run_setup(names: dict[str, Any]) -> None:
            for kind, lines in setup:
                monitor.set_phase(_PHASE_OF.get(kind, kind))
                self._execute(kind, lines, names)
                monitor.check_cancel()

        try:
            bound = bind_part("\n".join(line for _, lines in setup for line in lines), trial,
                              run_setup, earlier=earlier.setup if earlier is not None else None)
            for kind, lines in sections:
                if kind in ("scenarios", "curves"):
                    monitor.set_phase(kind)
                    self._execute(kind, lines, trial)
                    monitor.check_cancel()
            result = self._read(trial)
            monitor.check_cancel()
        except BudgetCancelled:
            monitor.set_phase("cancelled")
            raise
        except MMMWidgetsError:
            monitor.set_phase("failed")
            raise
        except Exception as error:
            monitor.set_phase("failed")
            raise translate_budget_error(error, self.params.objective) from error
        result.seconds = time.perf_counter() - started
        result.setup = bound
        monitor.set_phase("done")
        namespace.clear()
        namespace.update(trial)
        self.result = result
        return result

    def _execute(self, kind: str, lines: list[str], namespace: dict[str, Any]) -> None:
        # Each part runs with the cell's imports: executing the parts one after another
        # in one namespace is executing the exported cell.
        execute(CodeChunk(comment=f"{self.describe()} ({kind})", lines=tuple(lines),
                          imports=self._imports(), title=self.title), namespace)

    def _imports(self) -> tuple[str, ...]:
        imports = (*IMPORTS, MINIMIZE_IMPORT, *([CONSTRAINT_IMPORT] if self.held() else []))
        return imports if self.params.objective == "mean" else (*imports, RISK_IMPORT)

    def _read(self, namespace: dict[str, Any]) -> BudgetResult:
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
        allocations = {name: {plain_key(c): float(v) for c, v in plan.items()}
                       for name, plan in namespace["scenarios"].items()}
        what_if = WhatIf.read(namespace, params.periods)
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

    def _what_if_highs(self) -> dict[Any, float]:
        """Each what-if cell's upper bound over the horizon (0 without one).

        A slider reaches at least this (besides three times the largest past spend and
        the whole budget). On a geo model only (channel, geo) cells where the channel
        ever spent are what-if cells: the others get no budget.
        """
        params = self.params
        if self.geo:
            layout = self.layout()
            highs = (geo_full_bounds(params.total, params.bounds, layout,
                                     params.default_bound_pct)
                     if params.total is not None else {})
            return {cell: float(highs.get(cell, (0.0, 0.0))[1]) for cell in layout.cells
                    if layout.spends.get(cell, False)}
        return {c: float(params.bounds.get(c, (0.0, 0.0))[1]) for c in self.channels}
