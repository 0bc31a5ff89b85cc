"""The dated plan as a workflow sees it: build the step from the workflow, run it, reload.

:meth:`Workflow.plan_budget` delegates here; the step (:mod:`mmm_widgets.steps.plan`)
never sees the workflow. ``rerun`` is the hook :mod:`mmm_widgets.persist` calls to
rebuild the step of a loaded workflow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mmm_widgets import settings
from mmm_widgets.api.budget import parse_bounds
from mmm_widgets.engine.runner import Runner
from mmm_widgets.errors import DataError, problem
from mmm_widgets.steps.plan import PlanParams, PlanResult, PlanStep
from mmm_widgets.steps.plan.compare import (
    CURRENT,
    PLANS,
    TABLE,
    comparison_chunk,
    comparison_script,
)

if TYPE_CHECKING:
    # Type hints only: importing the workflow at run time would close a cycle.
    from mmm_widgets.workflow import Workflow


def plan_params(total: float | None = None, *, start: Any = None, periods: int = 13,
                bounds: Mapping[Any, Any] | str | None = None,
                pattern: str | Sequence[float] = "even",
                target: Mapping[str, float] | None = None, objective: str = "mean",
                hdi_prob: float = 0.94, controls: Any = "mean",
                run_rate_periods: int = 13,
                held_split: Sequence[str] | None = None) -> PlanParams:
    """:class:`PlanParams` from :meth:`Workflow.plan_budget`'s arguments.

    Raises
    ------
    DataError
        Bounds, total, start or pattern of the wrong kind, naming the argument.
    """
    clean_bounds, pct = parse_bounds(bounds)
    if total is not None:
        try:
            total = float(total)
        except (TypeError, ValueError) as error:
            raise DataError(problem(f"The total budget must be a number, not {total!r}.",
                                    "Enter the spend to allocate over the window.")) from error
    if start is not None:
        try:
            start = pd.Timestamp(start).date().isoformat()
        except (TypeError, ValueError) as error:
            raise DataError(problem(f"start {start!r} is not a date.",
                                    "Give the window's first date, e.g. '2025-01-06'.")) \
                from error
    weights: tuple[float, ...] = ()
    if not isinstance(pattern, str):
        try:
            weights = tuple(float(w) for w in pattern)
        except (TypeError, ValueError) as error:
            raise DataError(problem("pattern must be 'even', 'front' or a list of numbers.",
                                    "e.g. pattern=[2, 2, 1, 1, ...], one weight per period.")) \
                from error
        pattern = "custom"
    clean_target: dict[str, float] = {}
    if target:
        if not isinstance(target, Mapping) or len(target) != 1:
            raise DataError(problem(f"Unknown target {target!r}.",
                                    "Give one of {'min_roas': r}, {'outcome': value} or "
                                    "{'marginal_roas': r}."))
        (kind, value), = target.items()
        try:
            clean_target = {str(kind): float(value)}
        except (TypeError, ValueError) as error:
            raise DataError(problem(f"The {kind} target must be a number, not {value!r}.",
                                    "e.g. {'min_roas': 2.0}.")) from error
    source, rows = control_rows(controls)
    return PlanParams(total=total, start=start, periods=periods, bounds=clean_bounds,
                      default_bound_pct=pct, pattern=str(pattern), weights=weights,
                      target=clean_target, objective=str(objective),
                      hdi_prob=float(hdi_prob), controls=source, control_table=rows,
                      run_rate_periods=run_rate_periods,
                      held_split=None if held_split is None else tuple(held_split))


def control_rows(controls: Any) -> tuple[str, tuple[dict[str, Any], ...]]:
    """The source of future controls and, for a table, its rows as plain data.

    Parameters
    ----------
    controls : {"mean", "last_year"} or pandas.DataFrame
        A table has the date column (and the geo column) and one column per control to
        set, in the data's units (e.g. ``plan.future_controls`` edited); dates become ISO
        text, missing values are left out (those keep the mean).

    Raises
    ------
    DataError
        For anything else, saying what to give.
    """
    if isinstance(controls, str):
        return controls, ()
    if isinstance(controls, pd.DataFrame):
        rows = []
        for record in controls.to_dict("records"):
            row = {}
            for key, value in record.items():
                if isinstance(value, pd.Timestamp):
                    value = value.isoformat()
                elif pd.isna(value):
                    continue
                elif hasattr(value, "item"):
                    value = value.item()
                row[str(key)] = value
            rows.append(row)
        return "table", tuple(rows)
    raise DataError(problem(f"controls must be 'mean', 'last_year' or a DataFrame, not "
                            f"{type(controls).__name__}.",
                            "e.g. controls=plan.future_controls after editing it."))


def run_plan(workflow: Workflow, params: PlanParams) -> PlanResult:
    """Run the plan step with ``params`` and make it the workflow's current plan."""
    model = (workflow.step("model").params if workflow.status("model") in ("done", "stale")
             else None)
    return workflow.run_step(PlanStep(params, workflow.data_result, model))


def plan_budget(workflow: Workflow, total: float | None = None, *, start: Any = None,
                periods: int | None = None, bounds: Mapping[Any, Any] | str | None = None,
                pattern: str | Sequence[float] = "even", target: Mapping[str, float] | None
                = None, objective: str = "mean", controls: Any = "mean",
                held_split: Sequence[str] | None = None) -> PlanResult:
    """See :meth:`Workflow.plan_budget`."""
    params = plan_params(total, start=start,
                         periods=workflow.quarter_periods if periods is None else periods,
                         bounds=bounds, pattern=pattern, target=target, objective=objective,
                         hdi_prob=workflow.interval, controls=controls,
                         run_rate_periods=workflow.run_rate_periods, held_split=held_split)
    return run_plan(workflow, params)


# ----- named plans side by side -------------------------------------------------------

def compare_plans(plans: Mapping[str, PlanResult], *,
                  hdi_prob: float | None = None) -> pd.DataFrame:
    """Compare named plans of one window with the current spend continued over it.

    Parameters
    ----------
    plans : dict
        ``{"name": plan}``, each from :meth:`Workflow.plan_budget` on the same fitted
        model and window (same ``start`` and ``periods``); patterns, totals, bounds and
        targets may differ.
    hdi_prob : float, optional
        Probability mass of the HDIs (default: the kit's level, :func:`mw.set_interval`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``plan``: a ``"current"`` row (each channel's current spend, the
        run-rate, in every period of the window), then one row per plan. ``total_spend``;
        ``effect`` (what the plan adds inside the window and after it, every channel
        together) with ``effect_hdi_low/high``; ``roas`` (effect over spend); ``gain``
        (effect minus the current spend's, draw by draw) with its HDI; ``outcome`` (the
        expected outcome summed over the window) with its HDI; ``p_beats_current`` (the
        share of posterior draws in which the plan's effect is larger than the current
        spend's) and ``p_outcome_beats_current`` (the same for the outcome over the
        window, which leaves out what each adds after the window). Every interval is the
        HDI of per-draw values. ``attrs["code"]`` reproduces the table after the
        workflow's exported script (which fits ``mmm``): each plan's exported cell, its
        ``plan_scores`` kept in ``plan_scores_by_name`` under its name, then the
        comparison cell, which leaves the table in ``plan_comparison``.

    Raises
    ------
    DataError
        No plans, a plan that is not a plan, a plan named ``"current"``, or plans of
        different windows or fits.
    """
    checked = _comparable(plans)
    prob = settings.interval() if hdi_prob is None else float(hdi_prob)
    if not 0 < prob < 1:
        raise DataError(problem(f"hdi_prob must be between 0 and 1, not {prob!r}.",
                                "e.g. hdi_prob=0.9, or leave it out for the kit's level."))
    chunk = comparison_chunk(prob)
    namespace = {PLANS: {name: plan.scores for name, plan in checked.items()}}
    table = Runner().run([chunk], namespace)[TABLE]
    table.attrs["code"] = comparison_script({name: plan.code for name, plan in
                                             checked.items()}, prob)
    return table


def _comparable(plans: Mapping[str, PlanResult]) -> dict[str, PlanResult]:
    """Check ``plans`` is a non-empty name -> plan mapping of one window and one fit."""
    fix = "Pass {'name': plan, ...} with plans from wf.plan_budget(...)."
    if not isinstance(plans, Mapping) or not plans:
        raise DataError(problem("plans must be a dictionary of named plans.", fix))
    checked: dict[str, PlanResult] = {}
    for name, plan in plans.items():
        if not isinstance(plan, PlanResult) or plan.scores is None:
            raise DataError(problem(f"plans[{name!r}] is not a plan.", fix))
        if str(name) == CURRENT:
            raise DataError(problem(f"plans cannot have a plan named {CURRENT!r}: the table's "
                                    "current row is the current spend.",
                                    "Name it otherwise, e.g. 'as is'."))
        checked[str(name)] = plan
    first_name, first = next(iter(checked.items()))
    for name, plan in checked.items():
        if list(plan.window) != list(first.window):
            raise DataError(problem(
                f"plans[{name!r}] covers {plan.window[0].date()} to {plan.window[-1].date()}, "
                f"plans[{first_name!r}] {first.window[0].date()} to "
                f"{first.window[-1].date()}.",
                "Plan every one with the same start and periods."))
        same = (plan.scores.sizes.get("sample") == first.scores.sizes.get("sample")
                and np.allclose(plan.scores["current_effect"].to_numpy(),
                                first.scores["current_effect"].to_numpy(), rtol=1e-9))
        if not same:
            raise DataError(problem(
                f"plans[{name!r}] and plans[{first_name!r}] do not share the current spend's "
                "effect: they come from different fits (or data).",
                "Compare plans of one fitted workflow."))
    return checked


# ----- persistence --------------------------------------------------------------------

def rerun(workflow: Workflow, params: dict[str, Any], folder: Any = None) -> PlanResult:
    """Re-run the plan step of a loaded workflow from its saved parameters.

    The optimizer is deterministic given the posterior, which is loaded as saved, so the
    plan comes back as it was.
    """
    return run_plan(workflow, PlanParams.from_dict(params))
