"""The overview and profit views of a workflow: run the overview step, add what others found.

The overview step's exported cell computes the channel table, totals and trend; the
diagnostics verdict and the best budget scenario are those steps' own results, read
here through the workflow's read-only :class:`~mmm_widgets.engine.context.Context`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from mmm_widgets.engine.context import Context
from mmm_widgets.engine.shown import Shown
from mmm_widgets.errors import DataError, problem
from mmm_widgets.steps.budget import TOTAL_ROW
from mmm_widgets.steps.overview import (
    NOT_RUN,
    OUT_OF_DATE,
    PROFIT_COLUMNS,
    BestScenario,
    Overview,
    OverviewParams,
    OverviewResult,
    OverviewStep,
    check_margin,
)

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow


def run_overview(workflow: Workflow, margin: Any = None) -> OverviewResult:
    """The overview step's result for ``margin``, running the step unless it is current."""
    context = workflow.context()
    data = context.result("data")
    params = OverviewParams(margin=check_margin(margin, data.roles.channels, data.roles.target),
                            hdi_prob=context.interval,
                            run_rate_periods=workflow.run_rate_periods)
    if context.done("overview") and context.params["overview"] == params:
        return context.results["overview"]
    # The overview on the same fit (a new margin) hands over its response curves.
    earlier = workflow.step("overview") if context.done("overview") else None
    return workflow.run_step(OverviewStep(params, data, curves_from=earlier))


def overview(workflow: Workflow, margin: Any = None) -> Overview:
    """See :meth:`Workflow.overview`."""
    run_overview(workflow, margin)
    return compose(workflow.context(), workflow.step("overview"))


def profit(workflow: Workflow, margin: Any) -> pd.DataFrame:
    """See :meth:`Workflow.profit`."""
    if margin is None:
        raise DataError(problem("The profit view needs a margin.",
                                "Pass the profit per unit of the target, e.g. "
                                "wf.profit(0.3), or a dict channel -> margin."))
    table = run_overview(workflow, margin).table
    return table[["spend", "contribution", *PROFIT_COLUMNS]].copy()


def preview(workflow: Workflow) -> Overview | None:
    """The overview without running its step (for the report); None before a fit.

    The current overview step when it is done; otherwise its code (with the stale step's
    margin, or none) runs as a shown number: on a copy of the namespace, and exported
    after every step, like the prior check.
    """
    context = workflow.context()
    status = context.status("overview")
    if status == "done":
        step = OverviewStep(context.params["overview"], context.results["data"])
        step.result = context.results["overview"]
        return compose(context, step)
    if not context.done("fit"):
        return None
    params = (context.params["overview"] if status == "stale"
              else OverviewParams(hdi_prob=context.interval,
                                  run_rate_periods=workflow.run_rate_periods))
    step = OverviewStep(params, context.results["data"])
    step.validate(context.namespace())
    namespace = workflow.show(Shown("overview_preview", step.code(), ("data", "model", "fit"),
                                    superseded_by="overview"))
    step.result = step.read_results(namespace)
    return compose(context, step)


def compose(context: Context, step: OverviewStep) -> Overview:
    """An :class:`Overview` of ``step``'s result with the current verdict and best plan."""
    result, params = step.result, step.params
    verdict, messages = _verdict(context)
    best, scenario_status = _best_scenario(context)
    return Overview(channels=result.table.drop(index=TOTAL_ROW),
                    totals=result.table.loc[TOTAL_ROW].rename(TOTAL_ROW),
                    trend=result.trend.copy(), margin=params.margin, hdi_prob=params.hdi_prob,
                    target=step.data.roles.target, verdict=verdict, messages=messages,
                    best_scenario=best, scenario_status=scenario_status,
                    notes=list(result.notes))


def _verdict(context: Context) -> tuple[str, list[str]]:
    status = context.status("diagnostics")
    if status == "done":
        report = context.results["diagnostics"].report()
        return report["verdict"], list(report["messages"])
    if status == "stale":
        return OUT_OF_DATE, ["The fit changed after the diagnostics ran: check the fit again "
                             "(wf.diagnostics())."]
    return NOT_RUN, ["Check the fit (wf.diagnostics()) before relying on these numbers."]


def _best_scenario(context: Context) -> tuple[BestScenario | None, str]:
    status = context.status("budget")
    if status != "done":
        return None, OUT_OF_DATE if status == "stale" else NOT_RUN
    result = context.results["budget"]
    table = result.scenarios
    name = str(table["expected_outcome"].idxmax())
    row = table.loc[name]
    return BestScenario(name=name, total_spend=float(row["total_spend"]),
                        expected_outcome=float(row["expected_outcome"]),
                        outcome_hdi_low=float(row["outcome_hdi_low"]),
                        outcome_hdi_high=float(row["outcome_hdi_high"]),
                        roas=float(row["roas"]),
                        prob_beats_current=float(row["prob_beats_current"]),
                        periods=int(context.params["budget"].periods),
                        allocation=dict(result.allocations[name])), "done"


def rerun(workflow: Workflow, params: dict[str, Any], folder: Any = None) -> OverviewResult:
    """Re-run the overview step of a loaded workflow from its saved parameters."""
    return workflow.run_step(OverviewStep(OverviewParams.from_dict(params),
                                          workflow.data_result))
