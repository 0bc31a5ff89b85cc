"""Refresh: append new periods to the raw data, refit with the same settings, compare ROAS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from mmm_widgets.errors import DataError, StepOrderError, problem
from mmm_widgets.steps.dates import to_datetime
from mmm_widgets.steps.source import is_safe_name

if TYPE_CHECKING:
    from mmm_widgets.steps.fit import FitResult
    from mmm_widgets.workflow import Workflow

#: The variable of new periods in exported code when the caller's is not known.
NEW_PERIODS = "new_periods"
COLUMNS = ("roas_before", "roas_before_hdi_low", "roas_before_hdi_high", "roas_after",
           "roas_after_hdi_low", "roas_after_hdi_high", "change_pct", "moved")


@dataclass
class Refresh:
    """What :meth:`Workflow.refresh` did.

    Attributes
    ----------
    previous : FitResult
        The fit before the refresh (its model and channel summary).
    added : int
        Rows appended to the raw data.
    comparison : pandas.DataFrame
        See :func:`compare_roas`.
    """

    previous: FitResult
    added: int
    comparison: pd.DataFrame


def new_rows(raw: pd.DataFrame, new: pd.DataFrame, date: str,
             date_format: str | None) -> pd.DataFrame:
    """Rows of ``new`` dated after the last date of ``raw`` (``new`` may repeat old rows).

    Raises
    ------
    DataError
        When the columns differ, dates cannot be read, or no row is newer.
    """
    if not isinstance(new, pd.DataFrame):
        raise DataError(problem(f"new_df is a {type(new).__name__}, not a DataFrame.",
                                "Pass the new periods as a DataFrame with the same columns."))
    missing = [c for c in raw.columns if c not in new.columns]
    extra = [c for c in new.columns if c not in raw.columns]
    if missing or extra:
        parts = ([f"missing {', '.join(map(repr, map(str, missing)))}"] if missing else []) + \
                ([f"extra {', '.join(map(repr, map(str, extra)))}"] if extra else [])
        raise DataError(problem(f"The new data's columns differ from the raw data's: "
                                f"{'; '.join(parts)}.",
                                "Give the new periods the same columns as the data the "
                                "workflow was built on."))
    try:
        last = to_datetime(raw[date], date_format).max()
        dates = to_datetime(new[date], date_format)
    except (ValueError, TypeError) as error:
        raise DataError(problem(f"The dates of the new data cannot be read: {error}",
                                "Write them as in the original data.", column=str(date))
                        ) from error
    fresh = new[dates > last]
    if fresh.empty:
        raise DataError(problem(f"No row of the new data is dated after {last.date()}, the "
                                "last date of the current data.",
                                "Pass the new periods (or the whole table including them).",
                                column=str(date)))
    return fresh[list(raw.columns)]


def compare_roas(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Channel ROAS before and after a refresh, and where it moved outside its interval.

    ROAS is the channel summary's: with carryover (what the spend in each fit's period
    adds, its carryover after that fit's last date included, over that spend), in both
    fits.

    Parameters
    ----------
    before, after : pandas.DataFrame
        Channel summaries (:meth:`Workflow.channel_summary`) of the two fits.

    Returns
    -------
    pandas.DataFrame
        Indexed by channel: ``roas_before`` and ``roas_after`` with their ``_hdi_low`` /
        ``_hdi_high``, ``change_pct`` and ``moved`` (the new mean ROAS lies outside the
        previous interval).
    """
    table = pd.DataFrame({
        "roas_before": before["roas"], "roas_before_hdi_low": before["roas_hdi_low"],
        "roas_before_hdi_high": before["roas_hdi_high"],
        "roas_after": after["roas"], "roas_after_hdi_low": after["roas_hdi_low"],
        "roas_after_hdi_high": after["roas_hdi_high"],
    })
    table["change_pct"] = (table["roas_after"] / table["roas_before"] - 1.0) * 100.0
    table["moved"] = (table["roas_after"] < table["roas_before_hdi_low"]) | (
        table["roas_after"] > table["roas_before_hdi_high"])
    table.index.name = "channel"
    return table


def restored_refresh(workflow: Workflow, previous_mmm: Any, added: int) -> Refresh:
    """The :class:`Refresh` of a loaded workflow, from its previous fitted model.

    The previous fit's summary is recomputed from ``previous_mmm`` by the fit step's own
    summary code, so it equals what :func:`refresh` kept.
    """
    previous = workflow.step("fit").summarise(previous_mmm)
    comparison = compare_roas(previous.channel_summary, workflow.channel_summary())
    return Refresh(previous=previous, added=added, comparison=comparison)


def refresh(workflow: Workflow, new: pd.DataFrame, monitor: Any = None,
            name: str = NEW_PERIODS) -> pd.DataFrame:
    """See :meth:`Workflow.refresh`; ``name`` is the variable of ``new`` in exported code."""
    from mmm_widgets.steps.data import DataStep
    from mmm_widgets.steps.fit import FitStep
    from mmm_widgets.steps.model import ModelStep

    if workflow.status("fit") != "done":
        raise StepOrderError(problem("There is no current fit to refresh.",
                                     "Map the data, configure and fit the model first."))
    data_params = workflow.step("data").params
    if data_params.long is not None:
        raise DataError(problem("Refresh works on wide tables (one row per date).",
                                "Append the rows yourself and map the data again."))
    model_params = workflow.step("model").params
    fit_params = workflow.step("fit").params
    previous = workflow.step("fit").result
    # The table as the data step's code builds it: the raw table and earlier new periods.
    table = workflow.step("data").with_new_periods(workflow.raw, workflow.context().namespace())
    fresh = new_rows(table, new, data_params.date, data_params.date_format)
    name = _free_name(workflow, name, new)
    saved = workflow.snapshot()
    try:
        # The data cell appends the rows itself (see steps.data.appended_lines), reading
        # the new periods from their own variable: the export needs no copy of them.
        workflow.add_frame(name, new)
        workflow.run_step(DataStep(data_params.replace(
            appended=(*data_params.appended, name))))
        model_step = ModelStep(model_params, workflow.data_result)
        workflow.run_step(model_step)
        workflow.run_step(FitStep(fit_params, model_step, monitor))
    except BaseException:
        workflow.restore(saved)
        raise
    comparison = compare_roas(previous.channel_summary, workflow.channel_summary())
    workflow.last_refresh = Refresh(previous=previous, added=len(fresh), comparison=comparison)
    return comparison.copy()


def _free_name(workflow: Workflow, name: str, new: pd.DataFrame) -> str:
    """``name`` if exported code can read ``new`` under it, else ``new_periods`` (``_2``...).

    Taken are the names the exported cells bind, the raw table's and those of other
    frames the workflow holds (a variable may be reused for the same frame).
    """
    taken = {n for n, frame in workflow.frames.items() if frame is not new}
    candidates = [name, NEW_PERIODS, *(f"{NEW_PERIODS}_{i}" for i in range(2, 99))]
    return next(c for c in candidates if is_safe_name(c) and c != "df" and c not in taken)
