"""The plan step: a dated spend calendar for a future window and its forecast.

The cell's code comes from :mod:`~mmm_widgets.steps.plan.cell`; what it leaves behind
becomes a :class:`~mmm_widgets.steps.plan.params.PlanResult`.
"""

from __future__ import annotations

import math
import time
from typing import Any

import pandas as pd

from mmm_widgets.codegen import CodeChunk
from mmm_widgets.errors import (
    DataError,
    MMMWidgetsError,
    ModelError,
    StepOrderError,
    problem,
)
from mmm_widgets.steps.base import Step
from mmm_widgets.steps.budget.checks import bounds_problems, translate_budget_error
from mmm_widgets.steps.budget.geo import GeoLayout, geo_bounds_problems
from mmm_widgets.steps.budget.held import CONSTRAINT_IMPORT, held_channels, held_problems
from mmm_widgets.steps.data import DataResult
from mmm_widgets.steps.model import (
    ModelParams,
    control_transform,
    model_controls,
    weekday_columns,
)
from mmm_widgets.steps.plan.cell import IMPORTS, plan_lines, year_before
from mmm_widgets.steps.plan.params import (
    ALLOCATION_COLUMNS,
    CONTROL_SOURCES,
    EFFECT_COLUMNS,
    FORECAST_COLUMNS,
    PARTS,
    PATTERNS,
    SCORES,
    TARGET_CAP,
    TARGETS,
    PlanParams,
    PlanResult,
    pattern_weights,
    weights_ok,
)


class PlanStep(Step):
    """Allocate a budget over a dated future window with pymc-marketing, and forecast it.

    Parameters
    ----------
    params : PlanParams
        Window, total, bounds, pattern.
    data : DataResult
        The mapped data (channel names, dates, spend so far).
    model : ModelParams, optional
        The fitted model's settings: its controls beyond the mapped ones (interactions,
        day-of-week indicators, which the plan sets from each future date).
    """

    kind = "plan"

    params: PlanParams

    def __init__(self, params: PlanParams, data: DataResult,
                 model: ModelParams | None = None):
        super().__init__(params)
        self.data = data
        model = model or ModelParams()
        self.controls = tuple(model_controls(data, model))
        self.weekdays = weekday_columns(data, model)

    # ----- what the data says ------------------------------------------------------
    @property
    def channels(self) -> tuple[str, ...]:
        """The model's channels."""
        return tuple(str(c) for c in self.data.roles.channels)

    @property
    def geo(self) -> str | None:
        """The geo column, None on a national model."""
        return self.data.roles.geo or None

    def dates(self) -> pd.DatetimeIndex:
        """The data's dates, with their spacing when pandas can tell it."""
        values = pd.to_datetime(self.data.data[self.data.roles.date]).drop_duplicates()
        return pd.DatetimeIndex(values.sort_values(), freq="infer")

    def future(self, count: int) -> pd.DatetimeIndex:
        """The ``count`` dates after the data, spaced like the exported code spaces them."""
        dates = self.dates()
        freq = dates.freq or dates[-1] - dates[-2]
        return pd.date_range(dates[-1], periods=count + 1, freq=freq)[1:]

    def gap(self) -> int:
        """Periods between the data's last date and the window's start (0: right after)."""
        if self.params.start is None:
            return 0
        start = pd.Timestamp(self.params.start)
        dates = self.dates()
        step = (dates[-1] - dates[-2]) if len(dates) > 1 else pd.Timedelta(days=7)
        # Enough dates to pass the start whatever the spacing (months vary in length).
        count = int((start - dates[-1]) / step) + 3
        future = self.future(max(count, 1))
        return int((future < start).sum())

    def window(self) -> pd.DatetimeIndex:
        """The plan's dates."""
        gap = self.gap()
        return self.future(gap + int(self.params.periods))[gap:]

    def weights(self) -> list[float]:
        """The pattern's weight of each period, before scaling."""
        params = self.params
        return pattern_weights(params.pattern, int(params.periods), params.weights)

    def held(self) -> tuple[str, ...]:
        """The channels whose split over the geos the plan keeps (none on a national
        model; see :meth:`BudgetStep.held <mmm_widgets.steps.budget.BudgetStep.held>`)."""
        return held_channels(self.data, self.params.held_split, self.params.bounds)

    def layout(self) -> GeoLayout:
        """The (channel, geo) budget cells of a geo model."""
        return GeoLayout.from_data(self.data, self.params.run_rate_periods,
                                   int(self.params.periods))

    def current_spend(self) -> dict[Any, float]:
        """Each channel's (each cell's) run-rate spend over the window."""
        if self.geo:
            return dict(self.layout().current)
        roles, params = self.data.roles, self.params
        spend = self.data.data.groupby(roles.date)[list(self.channels)].sum().sort_index()
        run_rate = spend.tail(params.run_rate_periods).mean()
        return {c: float(run_rate[c]) * int(params.periods) for c in self.channels}

    def total(self) -> float:
        """The budget to allocate: ``total``, or the current spend over the window.

        With a target it is the highest budget the search tries: ``total`` when given,
        else ``TARGET_CAP`` times the current spend.
        """
        if self.params.total is not None:
            return float(self.params.total)
        current = float(sum(self.current_spend().values()))
        return TARGET_CAP * current if self.params.target else current

    # ----- validation ---------------------------------------------------------------
    def validate(self, namespace: dict[str, Any]) -> None:
        """Check window, pattern, total and bounds; raise :class:`DataError`."""
        if "mmm" not in namespace:
            raise StepOrderError(problem("There is no fitted model.", "Fit the model first."))
        problems = self.settings_problems()
        if problems:
            raise DataError(problems)
        params, total = self.params, self.total()
        if params.target:
            # The search picks the total: only the bounds themselves are checked, against
            # the highest budget it tries.
            total = None
        if self.geo:
            problems = geo_bounds_problems(total, params.bounds, self.channels, self.layout(),
                                           params.default_bound_pct)
            problems += held_problems(params.held_split or (), self.channels, params.bounds)
        else:
            problems = bounds_problems(total, params.bounds, self.channels,
                                       self.current_spend(), params.default_bound_pct)
            # a national model has no split to hold, but a name that is no channel is a typo
            problems += held_problems(params.held_split or (), self.channels, {})
        if problems:
            raise DataError(problems)

    def settings_problems(self) -> list:
        """Problems with the window, the pattern, the objective and the total."""
        params, problems = self.params, []
        periods = params.periods
        if not isinstance(periods, int) or isinstance(periods, bool) or periods < 1:
            return [problem(f"periods must be a whole number of 1 or more, not {periods!r}.",
                            "e.g. periods=13 for a quarter of weekly data.")]
        if params.start is not None:
            last = self.dates()[-1]
            try:
                start = pd.Timestamp(params.start)
            except (TypeError, ValueError):
                return [problem(f"start {params.start!r} is not a date.",
                                f"Give a date after the data's last date {last.date()}, "
                                "e.g. '2025-01-06'.")]
            if start <= last:
                problems.append(problem(
                    f"start {start.date()} is not after the data, which ends on "
                    f"{last.date()}.",
                    f"Plan from a later date (the first free one is "
                    f"{self.future(1)[0].date()}), or leave start out."))
        if params.pattern not in PATTERNS:
            problems.append(problem(f"Unknown pattern {params.pattern!r}.",
                                    "Use 'even', 'front' or a list of one weight per period."))
        elif params.pattern == "custom":
            if len(params.weights) != periods:
                problems.append(problem(
                    f"The pattern has {len(params.weights)} weights for {periods} periods.",
                    "Give one weight per period of the window."))
            elif not weights_ok(params.weights):
                problems.append(problem("The pattern's weights must be numbers of 0 or more "
                                        "with a positive sum.",
                                        "e.g. [2, 2, 1, 1, ...] to spend twice as much early."))
        problems += self._target_problems()
        problems += self._control_problems()
        if params.objective != "mean":
            problems.append(problem(f"The plan maximises the mean response, not "
                                    f"{params.objective!r}.",
                                    "Use objective='mean', or wf.optimize_budget for CVaR "
                                    "and VaR."))
        if params.total is not None and not (math.isfinite(params.total)
                                             and params.total > 0):
            problems.append(problem(f"The total budget must be positive, not "
                                    f"{params.total:,.2f}.",
                                    "Enter the spend to allocate over the whole window."))
        return problems

    def _control_problems(self) -> list:
        """Problems with the source of future controls and the rows given."""
        params, roles = self.params, self.data.roles
        if params.controls not in CONTROL_SOURCES:
            return [problem(f"Unknown source of future controls {params.controls!r}.",
                            "Use 'mean', 'last_year' or a table of future control values.")]
        if params.controls != "table":
            return []
        keys = [roles.date, *([roles.geo] if roles.geo else [])]
        known = set(self.controls)
        first = self.future(1)[0]
        problems = []
        for number, row in enumerate(params.control_table, start=1):
            missing = [key for key in keys if key not in row]
            if missing:
                problems.append(problem(f"Row {number} of the future controls has no "
                                        f"{', '.join(missing)}.",
                                        f"Give each row its {' and '.join(keys)}."))
                continue
            try:
                when = pd.Timestamp(row[roles.date])
            except (TypeError, ValueError):
                problems.append(problem(f"Row {number} of the future controls: "
                                        f"{row[roles.date]!r} is not a date.",
                                        f"Give dates from {first.date()} on.",
                                        column=roles.date))
                continue
            if when < first:
                problems.append(problem(f"Row {number} of the future controls is dated "
                                        f"{when.date()}, inside the data.",
                                        f"Give dates from {first.date()} on.",
                                        column=roles.date))
            for name, value in row.items():
                if name in keys:
                    continue
                if name not in known:
                    problems.append(problem(f"{name!r} in the future controls is not a "
                                            "control of the model.",
                                            f"Use {', '.join(sorted(known)) or 'no controls'}.",
                                            column=str(name)))
                elif isinstance(value, bool) or not isinstance(value, int | float) \
                        or not math.isfinite(value):
                    problems.append(problem(f"Row {number}: {name} is {value!r}, not a number.",
                                            "Give the control's value in the data's units.",
                                            column=str(name)))
        return problems

    def _target_problems(self) -> list:
        target = self.params.target
        if not target:
            return []
        if len(target) != 1 or next(iter(target)) not in TARGETS:
            return [problem(f"Unknown target {target!r}.",
                            "Give one of {'min_roas': r}, {'outcome': value} or "
                            "{'marginal_roas': r}.")]
        (kind, value), = target.items()
        if not (math.isfinite(value) and value > 0):
            return [problem(f"The {kind} target must be a positive number, not {value!r}.",
                            "e.g. {'min_roas': 2.0}.")]
        return []

    # ----- code ---------------------------------------------------------------------
    def code(self) -> CodeChunk:
        """The exported cell: window, pattern, optimizer, plan, calendar, forecast."""
        held = self.held()
        lines = plan_lines(self.params, self.total(), self.gap(), self.weights(),
                           self.channels, self.geo, control_transform(self.data),
                           self.data.frequency, self.weekdays, held)
        imports = (*IMPORTS, CONSTRAINT_IMPORT) if held else IMPORTS
        return CodeChunk(comment=self.describe(), lines=tuple(lines), imports=imports,
                         title=self.title)

    def describe(self) -> str:
        """One line saying what the step does."""
        params, window = self.params, self.window()
        held = self.held()
        kept = (f"; the split over the geos held for {', '.join(map(repr, held))}"
                if held else "")
        spread = {"even": "spent evenly", "front": "front-loaded",
                  "custom": "spent by your weights"}.get(params.pattern, params.pattern)
        if params.target:
            (kind, value), = params.target.items()
            what = {"outcome": "the smallest budget whose expected contribution reaches",
                    "min_roas": "the largest budget with a ROAS of at least",
                    "marginal_roas": "the budget where the marginal ROAS falls to"}[kind]
            return (f"Plan: {what} {value:,.4g} over {params.periods} periods from "
                    f"{window[0].date()} to {window[-1].date()} (budgets up to "
                    f"{self.total():,.0f}), {spread}{kept}; the forecast of the outcome with it")
        return (f"Plan: allocate {self.total():,.0f} over {params.periods} periods from "
                f"{window[0].date()} to {window[-1].date()}, {spread}{kept}; the forecast of "
                "the outcome with it")

    def notes(self) -> list[str]:
        """What the plan assumes, in sentences."""
        params, notes = self.params, []
        window = self.window()
        if params.total is None and not params.target:
            notes.append(f"No total was given: the plan allocates the current spend over the "
                         f"window ({self.total():,.0f}, the run-rate of the last "
                         f"{params.run_rate_periods} periods).")
        if params.start is not None and window[0] != pd.Timestamp(params.start):
            notes.append(f"start {params.start} is not a date of the data's spacing: the "
                         f"window starts on the next one, {window[0].date()}.")
        gap = self.gap()
        if gap:
            notes.append(f"The {gap} period(s) between the data and the window get no spend; "
                         "past spend's carry-in still reaches into the window.")
        held = [c for c in self.controls if c not in self.weekdays]
        if held:
            where = " in each geo" if self.geo else ""
            names = ", ".join(held)
            year = year_before(self.data.frequency)[1]
            given = {"mean": "",
                     "last_year": f", except on dates whose date {year} earlier is in "
                                  "the data: those take its values",
                     "table": f", except where the {len(params.control_table)} rows given "
                              "set them"}[params.controls]
            notes.append(f"Future controls are held at their mean over the data{where}"
                         f"{given} ({names}; plan.future_controls has them).")
        if self.weekdays:
            notes.append("The day-of-week effects follow the plan's dates.")
        notes.append("The forecast band is the credible interval of the expected outcome; "
                     "the observation noise of each period is left out.")
        return notes

    # ----- run ----------------------------------------------------------------------
    def run(self, namespace: dict[str, Any]) -> PlanResult:
        """Run the cell and read its tables (see :meth:`Step.run`)."""
        started = time.perf_counter()
        result = super().run(namespace)
        result.seconds = time.perf_counter() - started
        result.code = self.code().cell()
        return result

    def translate(self, error: BaseException) -> BaseException:
        """pymc-marketing's failures as a :class:`ModelError` saying what to change."""
        if isinstance(error, MMMWidgetsError):
            return error
        if type(error).__name__ == "MinimizeException":
            return translate_budget_error(error)
        first = (str(error).splitlines() or [type(error).__name__])[0]
        return ModelError(problem(f"The plan failed: {type(error).__name__}: {first[:300]}",
                                  "Your settings are kept. Check the window, the bounds and "
                                  "the total, or refit the model."))

    def read_results(self, namespace: dict[str, Any]) -> PlanResult:
        """The plan's tables from the names the cell bound."""
        allocation = namespace["plan_allocation"][list(ALLOCATION_COLUMNS)].astype(float)
        forecast = namespace["plan_forecast"][list(FORECAST_COLUMNS)].astype(float)
        effects = {part: namespace[f"plan_{part}"][list(EFFECT_COLUMNS)].astype(float)
                   for part in ("carry_in", "in_window", "carry_over")}
        draws = namespace["plan_draws"][list(PARTS)]
        result = PlanResult(
            allocation=allocation,
            calendar=namespace["plan_calendar"].copy(),
            forecast=forecast,
            draws=draws,
            window=pd.DatetimeIndex(namespace["plan_window"]),
            notes=self.notes(),
            optimizer=namespace["plan_optimizer"],
            optimization=namespace["plan_optimization"],
            current_draws=namespace["plan_current_draws"][list(PARTS)],
            scores=namespace["plan_scores"][list(SCORES)],
            future_controls=namespace.get("plan_future_controls"),
            **effects,
        )
        if self.params.target:
            result.target_value = float(namespace["plan_target_value"])
            result.target_met = bool(namespace["plan_target_met"])
            result.notes.insert(0, self._target_note(result))
        return result

    def _target_note(self, result: PlanResult) -> str:
        """Whether the plan reaches its target, and if not, the best it achieves."""
        (kind, value), = self.params.target.items()
        what = {"outcome": "expected contribution", "min_roas": "ROAS",
                "marginal_roas": "marginal ROAS"}[kind]
        reached = float(result.target_value)

        def show(number: float) -> str:
            return f"{number:,.0f}" if kind == "outcome" else f"{number:,.3f}"

        if result.target_met:
            return (f"Sized by the target {what} {show(value)}: a budget of "
                    f"{result.total:,.0f} gives {show(reached)}.")
        if kind == "outcome":
            limit = (f"the most the plan can add with budgets up to {self.total():,.0f} "
                     "within the bounds")
        else:
            limit = "the best within the bounds, at the lowest budget they allow"
        return (f"The target {what} {show(value)} is out of reach: {limit} is "
                f"{show(reached)}, short by {show(value - reached)}. The plan shown is that "
                f"one ({result.total:,.0f}).")
