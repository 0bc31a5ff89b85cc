"""Model against model: ``mw.compare_models`` and the script that reproduces its table.

The table comes from the comparison cell of :mod:`mmm_widgets.steps.compare`, run through
the :class:`~mmm_widgets.engine.runner.Runner` on the workflows' fitted models, channel
summaries and holdout errors; the same cell ends the exported script.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from mmm_widgets.engine.runner import Runner
from mmm_widgets.errors import DataError, StepOrderError, problem
from mmm_widgets.steps.compare import (
    BOUND_FIRST,
    HOLDOUTS,
    MODELS,
    SUMMARIES,
    TABLE,
    ComparedModel,
    comparison_chunk,
    comparison_script,
)

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow


def compare_models(workflows: Mapping[str, Workflow] | Sequence[Workflow]) -> pd.DataFrame:
    """Compare fitted workflows side by side.

    Parameters
    ----------
    workflows : dict or sequence of Workflow
        ``{"label": workflow}``; a list is labelled ``model_1``, ``model_2``, ...

    Returns
    -------
    pandas.DataFrame
        One row per model (best ELPD first when every model has a posterior): ``adstock,
        saturation, method``; ``elpd_loo, elpd_se, p_loo`` (PSIS-LOO expected log
        predictive density on the model's scaled target: higher is better),
        ``pareto_k_bad`` (observations whose Pareto k is too high for LOO to be
        reliable), ``elpd_diff, elpd_diff_se, weight`` (from ``arviz.compare``), ``mape``
        (in-sample, posterior mean), ``holdout_mape`` (when the workflow's holdout step was
        run), then ``roas_<channel>`` per channel (ROAS with carryover, as in
        :meth:`Workflow.channel_summary`). ``attrs["notes"]`` says what was left out
        and why; ``attrs["code"]`` is the script that reproduces the table
        (:func:`compare_models_script`).

    Raises
    ------
    StepOrderError
        When a workflow has not been fitted.
    DataError
        When a workflow's raw table has a name the comparison script binds first.

    Notes
    -----
    LOO needs posterior draws: MAP fits get no ELPD. ELPD is only comparable between
    models of the same target data; otherwise the differences are left out.

    The numbers are computed by the comparison cell that ends ``attrs["code"]``, run on
    ``models``, ``summaries`` and ``holdouts`` (label -> fitted ``mmm``,
    ``channel_summary`` and ``holdout_mape`` of each workflow).
    """
    items = _labelled(workflows)
    compared = _compared(items)
    namespace = {
        MODELS: {label: wf.mmm for label, wf in items.items()},
        SUMMARIES: {label: wf.channel_summary() for label, wf in items.items()},
        HOLDOUTS: {label: float(wf.step("holdout").result.mape)
                   for label, wf in items.items() if compared[label].holdout},
    }
    frame = Runner().run([comparison_chunk(compared)], namespace)[TABLE]
    frame.attrs["code"] = _script(items, compared)
    return frame


def compare_models_script(workflows: Mapping[str, Workflow] | Sequence[Workflow]) -> str:
    """The plain pandas / pymc-marketing / arviz script behind :func:`compare_models`.

    Each workflow's own exported script (:meth:`Workflow.to_script`) in turn, each followed
    by lines keeping its ``mmm``, ``channel_summary`` and (when its holdout was run)
    ``holdout_mape`` under its label in ``models``, ``summaries`` and ``holdouts``; then
    the comparison cell, which leaves the table in ``model_comparison``. Run in a fresh
    interpreter (with each workflow's raw table defined when it was given a DataFrame), it
    refits the models and gives the same table, without mmm_widgets.

    Parameters
    ----------
    workflows : dict or sequence of Workflow
        As for :func:`compare_models`.

    Returns
    -------
    str
        The script (the same text as ``compare_models(...).attrs["code"]``).
    """
    items = _labelled(workflows)
    return _script(items, _compared(items))


def _labelled(workflows: Mapping[str, Workflow] | Sequence[Workflow]) -> dict[str, Workflow]:
    if isinstance(workflows, Mapping):
        return dict(workflows)
    return {f"model_{i}": wf for i, wf in enumerate(workflows, start=1)}


def _compared(items: Mapping[str, Workflow]) -> dict[str, ComparedModel]:
    """Check every workflow is fitted and describe it for the comparison cell."""
    compared = {}
    for label, workflow in items.items():
        if workflow.status("fit") != "done":
            raise StepOrderError(problem(f"The model {label!r} has not been fitted (or its fit "
                                         "is out of date).", "Fit it first: wf.fit(...)."))
        model, fit = workflow.step("model").params, workflow.step("fit").params
        compared[label] = ComparedModel(adstock=model.adstock, saturation=model.saturation,
                                        method=fit.method, holdout=_holdout_done(workflow))
    return compared


def _holdout_done(workflow: Workflow) -> bool:
    try:
        return workflow.status("holdout") == "done"
    except (ValueError, KeyError):
        return False


def _script(items: Mapping[str, Workflow], compared: Mapping[str, ComparedModel]) -> str:
    for label, workflow in items.items():
        source = workflow.source
        if source is not None and source.name in BOUND_FIRST:
            raise DataError(problem(
                f"The raw table of the model {label!r} is called {source.name!r}, a name the "
                "comparison script uses for its own dictionaries.",
                f"Give the table another name (not one of {', '.join(BOUND_FIRST)})."))
    return comparison_script({label: wf.to_script() for label, wf in items.items()}, compared)
