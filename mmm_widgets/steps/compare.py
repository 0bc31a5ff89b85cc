"""Model against model: the code of the comparison table (PSIS-LOO, fit error, ROAS).

The table is computed by one cell, :func:`comparison_chunk`, run on a namespace holding
``models`` (label -> fitted pymc-marketing ``MMM``), ``summaries`` (label -> its
``channel_summary``) and ``holdouts`` (label -> its ``holdout_mape``, for the models whose
holdout was run): the names the fit and holdout cells bind, kept under each label by
:func:`keep_lines`. :func:`comparison_script` joins each model's own exported script,
its keep lines and the comparison cell into one script that rebuilds the table in a
fresh interpreter.

pymc-marketing does not store the pointwise log-likelihood that LOO needs, so the cell
computes it from each fitted model (``pm.compute_log_likelihood``) into a separate tree;
the models' own inference data are left unchanged.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mmm_widgets.codegen import CodeChunk, literal

COLUMNS = ("adstock", "saturation", "method", "elpd_loo", "elpd_se", "p_loo", "pareto_k_bad",
           "elpd_diff", "elpd_diff_se", "weight", "mape", "holdout_mape")
#: The dictionaries the comparison cell reads: label -> fitted model, channel summary,
#: holdout MAPE.
MODELS, SUMMARIES, HOLDOUTS = "models", "summaries", "holdouts"
#: The variable the comparison cell leaves the table in.
TABLE = "model_comparison"
#: Names the comparison script binds before the models' own scripts run: a model's raw
#: table must not be called one of these, or the dictionaries would overwrite it.
BOUND_FIRST = (MODELS, SUMMARIES, HOLDOUTS)
IMPORTS = ("import warnings", "import arviz as az", "import numpy as np", "import pandas as pd",
           "import pymc as pm", "import xarray as xr")
HEADER = "Model comparison, exported as plain pandas / pymc-marketing / arviz code"


@dataclass(frozen=True)
class ComparedModel:
    """What the comparison needs to know of one model besides its fitted ``mmm``.

    Parameters
    ----------
    adstock, saturation : str
        The model's transformations, as configured (shown in the table).
    method : {"mcmc", "map"}
        How it was fitted: only a posterior (``"mcmc"``) has the draws LOO needs.
    holdout : bool
        Whether its holdout was run, i.e. ``holdouts`` holds its holdout MAPE.
    """

    adstock: str
    saturation: str
    method: str
    holdout: bool = False

    def setting(self) -> dict[str, str]:
        """The table's first columns for this model."""
        return {"adstock": self.adstock, "saturation": self.saturation, "method": self.method}


def keep_lines(label: str, holdout: bool) -> list[str]:
    """Lines keeping, under ``label``, what a model's exported script just bound.

    Parameters
    ----------
    label : str
        The model's row label (entered as a literal).
    holdout : bool
        Whether the script ran the holdout (and so bound ``holdout_mape``).
    """
    key = literal(label)
    lines = [f"{MODELS}[{key}] = mmm", f"{SUMMARIES}[{key}] = channel_summary"]
    if holdout:
        lines.append(f"{HOLDOUTS}[{key}] = holdout_mape")
    return lines


def comparison_chunk(compared: Mapping[str, ComparedModel]) -> CodeChunk:
    """The cell computing ``model_comparison`` from ``models``, ``summaries``, ``holdouts``.

    Parameters
    ----------
    compared : mapping
        ``{label: ComparedModel}``, in the order the rows start in (before the models
        with an ELPD are sorted best first).

    Returns
    -------
    CodeChunk
        Leaves the table in :data:`TABLE` (its notes in ``attrs["notes"]``); binds helper
        names prefixed ``comparison_`` and the functions ``model_loo`` and
        ``in_sample_mape``.
    """
    settings = {label: model.setting() for label, model in compared.items()}
    lines = [
        "def model_loo(fitted):",
        "    \"\"\"PSIS-LOO of a model with posterior draws. pymc-marketing does not store the",
        "    pointwise log-likelihood: it is computed into a separate tree, so the model's own",
        "    inference data stay as they are.\"\"\"",
        "    log_likelihood = pm.compute_log_likelihood(fitted.idata, model=fitted.model,",
        "                                               extend_inferencedata=False, "
        "progressbar=False)",
        "    tree = xr.DataTree.from_dict({'posterior': fitted.idata['posterior'].to_dataset(),",
        "                                  'log_likelihood': log_likelihood})",
        "    with warnings.catch_warnings():",
        "        # High Pareto k values are counted in the table (pareto_k_bad) and the notes",
        "        warnings.filterwarnings('ignore', 'Estimated shape parameter of Pareto', "
        "UserWarning)",
        "        return az.loo(tree)",
        "",
        "",
        "def in_sample_mape(fitted):",
        "    \"\"\"Mean absolute percentage error of the posterior-mean fit over the fitted "
        "periods.\"\"\"",
        "    idata = fitted.idata",
        "    predicted = idata['posterior']['mu'].mean(('chain', 'draw')) * "
        "idata['constant_data']['target_scale']",
        "    observed = idata['constant_data']['target_data']",
        "    error = np.abs((observed - predicted) / observed)",
        "    return float(error.where(observed != 0).mean())",
        "",
        "",
        f"comparison_settings = {literal(settings)}",
        "comparison_rows, comparison_loos, comparison_notes, comparison_targets = {}, {}, [], []",
        "for comparison_label, comparison_setting in comparison_settings.items():",
        f"    comparison_fitted = {MODELS}[comparison_label]",
        "    comparison_row = dict(comparison_setting)",
        "    comparison_targets.append(",
        "        np.asarray(comparison_fitted.idata['constant_data']['target_data']))",
        "    if comparison_setting['method'] == 'mcmc':",
        "        comparison_loo = model_loo(comparison_fitted)",
        "        comparison_loos[comparison_label] = comparison_loo",
        "        comparison_bad = int((np.asarray(comparison_loo.pareto_k) > "
        "comparison_loo.good_k).sum())",
        "        comparison_row.update(elpd_loo=float(comparison_loo.elpd), "
        "elpd_se=float(comparison_loo.se),",
        "                              p_loo=float(comparison_loo.p), "
        "pareto_k_bad=comparison_bad)",
        "        if comparison_bad:",
        "            comparison_notes.append(",
        "                f'{comparison_label}: LOO is unreliable for {comparison_bad} "
        "observation(s) (Pareto k '",
        "                f'above {comparison_loo.good_k:.2f}); treat its ELPD with care.')",
        "    else:",
        "        comparison_notes.append(f'{comparison_label}: a MAP fit has no posterior "
        "draws, so no ELPD.')",
        "    comparison_row['mape'] = in_sample_mape(comparison_fitted)",
        f"    comparison_row['holdout_mape'] = float({HOLDOUTS}.get(comparison_label, "
        "float('nan')))",
        f"    for comparison_channel, comparison_roas in {SUMMARIES}[comparison_label]['roas']"
        ".items():",
        "        comparison_row[f'roas_{comparison_channel}'] = float(comparison_roas)",
        "    comparison_rows[comparison_label] = comparison_row",
        f"{TABLE} = pd.DataFrame.from_dict(comparison_rows, orient='index')",
        f"{TABLE} = {TABLE}.reindex(columns=[*{literal(list(COLUMNS))},",
        f"    *[c for c in {TABLE}.columns if c.startswith('roas_')]])",
        "# ELPDs are only comparable between models of the same target data",
        "comparison_same_target = all(t.shape == comparison_targets[0].shape",
        "                             and np.array_equal(t, comparison_targets[0])",
        "                             for t in comparison_targets)",
        "if len(comparison_loos) >= 2 and comparison_same_target:",
        "    comparison_compared = az.compare(comparison_loos, round_to='none')",
        "    comparison_best_first = comparison_compared.index",
        "    # Written as 'worse than the best by': 0 for the best, negative for the others",
        f"    {TABLE}.loc[comparison_best_first, 'elpd_diff'] = "
        "0.0 - comparison_compared['elpd_diff'].abs()",
        f"    {TABLE}.loc[comparison_best_first, 'elpd_diff_se'] = comparison_compared['dse']",
        f"    {TABLE}.loc[comparison_best_first, 'weight'] = comparison_compared['weight']",
        f"    {TABLE} = {TABLE}.loc[[*comparison_best_first,",
        f"                                 *[i for i in {TABLE}.index "
        "if i not in comparison_loos]]]",
        "elif len(comparison_loos) >= 2:",
        "    comparison_notes.append('The models were fitted to different target data: their "
        "ELPDs are not '",
        "                            'comparable, so no differences are given.')",
        f"if {TABLE}['holdout_mape'].isna().all():",
        f"    {TABLE} = {TABLE}.drop(columns='holdout_mape')",
        "    comparison_notes.append('No holdout MAPE: run wf.holdout() on a workflow to add it.')",
        f"{TABLE}.index.name = 'model'",
        f"{TABLE}.attrs['notes'] = comparison_notes",
    ]
    return CodeChunk(comment="Compare the models: PSIS-LOO expected log predictive density, "
                             "in-sample and holdout MAPE, ROAS per channel",
                     lines=tuple(lines), imports=IMPORTS, title="Model comparison")


def comparison_script(scripts: Mapping[str, str],
                      compared: Mapping[str, ComparedModel]) -> str:
    """One script: each model's own exported script, what it bound kept under its label,
    then the comparison cell.

    Parameters
    ----------
    scripts : mapping
        ``{label: exported script}`` of each model (it binds ``mmm`` and
        ``channel_summary``, and ``holdout_mape`` when its holdout ran).
    compared : mapping
        ``{label: ComparedModel}`` for the same labels.

    Returns
    -------
    str
        A script that parses with :func:`ast.parse` and leaves the table in
        :data:`TABLE`.
    """
    parts = [f"# {HEADER}", f"{', '.join(BOUND_FIRST)} = {{}}, {{}}, {{}}"]
    for label, script in scripts.items():
        # The label stays a literal even in a comment: its repr is one line.
        parts += ["", "", f"# ===== The model {literal(label)} =====", script.rstrip("\n"),
                  "# Keep what the comparison reads under the model's label",
                  *keep_lines(label, compared[label].holdout)]
    parts += ["", "", "# ===== The comparison =====", comparison_chunk(compared).cell()]
    text = "\n".join(parts) + "\n"
    ast.parse(text)
    return text


def log_likelihood_tree(mmm: Any):
    """Posterior and pointwise log-likelihood of a fitted ``mmm``, for ``arviz.loo``.

    An independent check of what the comparison cell computes (see the tests).

    Returns
    -------
    xarray.DataTree
        Groups ``posterior`` and ``log_likelihood`` (the observed target, scaled).
    """
    import pymc as pm
    import xarray as xr

    log_likelihood = pm.compute_log_likelihood(mmm.idata, model=mmm.model,
                                               extend_inferencedata=False, progressbar=False)
    return xr.DataTree.from_dict({"posterior": mmm.idata["posterior"].to_dataset(),
                                  "log_likelihood": log_likelihood})
