"""The dated plan as a workflow sees it: build the step from the workflow, run it, reload.

:meth:`Workflow.plan_budget` delegates here; the step (:mod:`mmm_widgets.steps.plan`)
never sees the workflow. ``rerun`` is the hook :mod:`mmm_widgets.persist` calls to
rebuild the step of a loaded workflow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from mmm_widgets.api.budget import parse_bounds
from mmm_widgets.errors import DataError, problem
from mmm_widgets.steps.plan import PlanParams, PlanResult, PlanStep

if TYPE_CHECKING:
    # Type hints only: importing the workflow at run time would close a cycle.
    from mmm_widgets.workflow import Workflow


def plan_params(total: float | None = None, *, start: Any = None, periods: int = 13,
                bounds: Mapping[Any, Any] | str | None = None,
                pattern: str | Sequence[float] = "even",
                target: Mapping[str, float] | None = None, objective: str = "mean",
                hdi_prob: float = 0.94) -> PlanParams:
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
    return PlanParams(total=total, start=start, periods=periods, bounds=clean_bounds,
                      default_bound_pct=pct, pattern=str(pattern), weights=weights,
                      target=clean_target, objective=str(objective),
                      hdi_prob=float(hdi_prob))


def run_plan(workflow: Workflow, params: PlanParams) -> PlanResult:
    """Run the plan step with ``params`` and make it the workflow's current plan."""
    return workflow.run_step(PlanStep(params, workflow.data_result))


def plan_budget(workflow: Workflow, total: float | None = None, *, start: Any = None,
                periods: int = 13, bounds: Mapping[Any, Any] | str | None = None,
                pattern: str | Sequence[float] = "even", target: Mapping[str, float] | None
                = None, objective: str = "mean") -> PlanResult:
    """See :meth:`Workflow.plan_budget`."""
    params = plan_params(total, start=start, periods=periods, bounds=bounds, pattern=pattern,
                         target=target, objective=objective, hdi_prob=workflow.interval)
    return run_plan(workflow, params)


# ----- persistence --------------------------------------------------------------------

def rerun(workflow: Workflow, params: dict[str, Any], folder: Any = None) -> PlanResult:
    """Re-run the plan step of a loaded workflow from its saved parameters.

    The optimizer is deterministic given the posterior, which is loaded as saved, so the
    plan comes back as it was.
    """
    return run_plan(workflow, PlanParams.from_dict(params))
