"""Model against model: expected predictive accuracy (PSIS-LOO), fit error and channel ROAS.

pymc-marketing does not store the pointwise log-likelihood that LOO needs, so it is
computed here from each fitted model (``pm.compute_log_likelihood``) into a separate
tree; the workflows' own inference data are left unchanged.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mmm_widgets.errors import StepOrderError, problem

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow

COLUMNS = ("adstock", "saturation", "method", "elpd_loo", "elpd_se", "p_loo", "pareto_k_bad",
           "elpd_diff", "elpd_diff_se", "weight", "mape", "holdout_mape")


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
        and why.

    Raises
    ------
    StepOrderError
        When a workflow has not been fitted.

    Notes
    -----
    LOO needs posterior draws: MAP fits get no ELPD. ELPD is only comparable between
    models of the same target data; otherwise the differences are left out.
    """
    import arviz as az

    items = dict(workflows) if isinstance(workflows, Mapping) else \
        {f"model_{i}": wf for i, wf in enumerate(workflows, start=1)}
    rows: dict[str, dict[str, Any]] = {}
    loos: dict[str, Any] = {}
    notes: list[str] = []
    targets = []
    for label, workflow in items.items():
        if workflow.status("fit") != "done":
            raise StepOrderError(problem(f"The model {label!r} has not been fitted (or its fit "
                                         "is out of date).", "Fit it first: wf.fit(...)."))
        model, fit = workflow.step("model").params, workflow.step("fit").params
        row: dict[str, Any] = {"adstock": model.adstock, "saturation": model.saturation,
                               "method": fit.method}
        idata = workflow.idata
        targets.append(np.asarray(idata["constant_data"]["target_data"]))
        if fit.method == "mcmc":
            with warnings.catch_warnings():
                # High Pareto k values are reported in the table (pareto_k_bad) and notes.
                warnings.filterwarnings("ignore", "Estimated shape parameter of Pareto",
                                        UserWarning)
                loo = az.loo(log_likelihood_tree(workflow))
            loos[label] = loo
            bad = int((np.asarray(loo.pareto_k) > loo.good_k).sum())
            row.update(elpd_loo=float(loo.elpd), elpd_se=float(loo.se), p_loo=float(loo.p),
                       pareto_k_bad=bad)
            if bad:
                notes.append(f"{label}: LOO is unreliable for {bad} observation(s) (Pareto k "
                             f"above {loo.good_k:.2f}); treat its ELPD with care.")
        else:
            notes.append(f"{label}: a MAP fit has no posterior draws, so no ELPD.")
        row["mape"] = in_sample_mape(workflow)
        row["holdout_mape"] = _holdout_mape(workflow)
        for channel, roas in workflow.channel_summary()["roas"].items():
            row[f"roas_{channel}"] = float(roas)
        rows[label] = row
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame = frame.reindex(columns=[*COLUMNS, *[c for c in frame.columns
                                               if c.startswith("roas_")]])
    same_target = all(t.shape == targets[0].shape and np.array_equal(t, targets[0])
                      for t in targets)
    if len(loos) >= 2 and same_target:
        compared = az.compare(loos, round_to="none")
        # Written as "worse than the best by": 0 for the best, negative for the others.
        frame.loc[compared.index, "elpd_diff"] = 0.0 - compared["elpd_diff"].abs()
        frame.loc[compared.index, "elpd_diff_se"] = compared["dse"]
        frame.loc[compared.index, "weight"] = compared["weight"]
        frame = frame.loc[[*compared.index, *[i for i in frame.index if i not in loos]]]
    elif len(loos) >= 2:
        notes.append("The models were fitted to different target data: their ELPDs are not "
                     "comparable, so no differences are given.")
    if frame["holdout_mape"].isna().all():
        frame = frame.drop(columns="holdout_mape")
        notes.append("No holdout MAPE: run wf.holdout() on a workflow to add it.")
    frame.index.name = "model"
    frame.attrs["notes"] = notes
    return frame


def log_likelihood_tree(workflow: Workflow):
    """Posterior and pointwise log-likelihood of a fitted workflow, for ``arviz.loo``.

    Returns
    -------
    xarray.DataTree
        Groups ``posterior`` and ``log_likelihood`` (the observed target, scaled).
    """
    import pymc as pm
    import xarray as xr

    idata = workflow.idata
    log_likelihood = pm.compute_log_likelihood(idata, model=workflow.mmm.model,
                                               extend_inferencedata=False, progressbar=False)
    return xr.DataTree.from_dict({"posterior": idata["posterior"].to_dataset(),
                                  "log_likelihood": log_likelihood})


def in_sample_mape(workflow: Workflow) -> float:
    """Mean absolute percentage error of the posterior-mean fit over the fitted periods."""
    idata = workflow.idata
    scale = idata["constant_data"]["target_scale"]
    predicted = idata["posterior"]["mu"].mean(("chain", "draw")) * scale
    observed = idata["constant_data"]["target_data"]
    error = np.abs((observed - predicted) / observed)
    return float(error.where(observed != 0).mean())


def _holdout_mape(workflow: Workflow) -> float:
    try:
        done = workflow.status("holdout") == "done"
    except (ValueError, KeyError):
        return float("nan")
    return float(workflow.step("holdout").result.mape) if done else float("nan")
