"""The search's exported code: one function per candidate, one task per candidate and fold.

The cell defines ``search_model_<n>(frame)`` for every candidate (the model step's own
code with the candidate's settings) and ``search_fold``, which fits a candidate on one
fold's training periods with the fit step's code, reads each channel's ROAS with
carryover (the fit table's code) and scores its forecast of the fold's periods. Every
(candidate, fold) pair is one Dask task on the cluster the kernel is connected to
(``get_client()``), else on a new local cluster. Results are gathered in submission
order, so the tables do not depend on which worker finished first.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmm_widgets.codegen import literal
from mmm_widgets.engine.cluster import CLIENT_IMPORT, client_lines
from mmm_widgets.steps.data import DATA_VARIABLE
from mmm_widgets.steps.dims import row_keys, tidy_code
from mmm_widgets.steps.fit import SUMMARY_IMPORTS, FitStep, incremental_lines
from mmm_widgets.steps.model import ModelStep
from mmm_widgets.steps.search.params import (
    GRID_KEYS,
    MAP_FORECAST_DRAWS,
    RANKED_COLUMNS,
    Candidate,
)

INDENT = "    "
IMPORTS = ("import numpy as np", "import pandas as pd",
           CLIENT_IMPORT,
           "from pymc_marketing.metrics import crps",
           "from pymc_marketing.mmm import TimeSliceCrossValidator")


def indented(lines: Sequence[str], depth: int = 1) -> list[str]:
    """``lines`` indented ``depth`` levels (blank lines stay blank)."""
    return [INDENT * depth + line if line else "" for line in lines]


def model_function_lines(number: int, candidate: Candidate, model: ModelStep) -> list[str]:
    """``def search_model_<number>(frame)``: build the candidate's model on ``frame``."""
    chunk = model.code_for("frame", "mmm", "X", "y")
    return [f"def search_model_{number}(frame):",
            f"    # Candidate {number}: {candidate.describe()}",
            *indented(chunk.lines),
            "    return mmm, X, y",
            "", ""]


def fold_function_lines(fit: FitStep, method: str, random_seed: int) -> list[str]:
    """``def search_fold(...)``: fit one candidate on one fold, score its forecast.

    Parameters
    ----------
    fit : FitStep
        Gives the fit call (its model step is one of the candidates': the call does not
        depend on which).
    method : {"map", "mcmc"}
    random_seed : int
        Seed of the forecast draws.
    """
    roles = fit.model_step.data.roles
    keys = row_keys(roles)
    fit_line, _ = fit.fit_line("mmm", "X", "y")
    if method == "map":
        repeat = [
            f"# MAP gives one point: repeat it {MAP_FORECAST_DRAWS} times so the forecast "
            "draws carry the likelihood's noise",
            "mmm.idata['posterior'] = mmm.idata['posterior'].to_dataset().isel(",
            f"    draw=np.zeros({MAP_FORECAST_DRAWS}, dtype=int)).assign_coords("
            f"draw=np.arange({MAP_FORECAST_DRAWS}))",
        ]
        elpd = ["elpd_loo = float('nan')  # a MAP point has no posterior to cross-validate"]
    else:
        repeat = []
        elpd = ["# Leave-one-out expected log predictive density of the fold's fit",
                "pm.compute_log_likelihood(mmm.idata, model=mmm.model, progressbar=False)",
                "elpd_loo = float(az.loo(mmm.idata).elpd)"]
    body = [
        "train = frame.iloc[train_index].reset_index(drop=True)",
        "test = frame.iloc[test_index].reset_index(drop=True)",
        "mmm, X, y = search_models[candidate](train)",
        fit_line,
        *incremental_lines(),
        "# ROAS with carryover, as in the fit table: posterior mean of contribution / spend",
        "roas = (incremental_contribution(0.0) / spend).mean(('chain', 'draw')).to_series()",
        *elpd,
        *repeat,
        *fit.model_step.features_lines("test", "X_test", None),
        "predictive = mmm.sample_posterior_predictive(X_test, extend_idata=False, "
        "combined=False, include_last_observations=True, "
        f"random_seed={literal(random_seed)}, progressbar=False)",
        "predicted = predictive['y'] * float(mmm.get_scales_as_xarray()['target_scale'])",
        "forecast = predicted.mean(('chain', 'draw')).rename('predicted').to_dataframe()",
        f"actual = test[{literal([*keys, roles.target])}]"
        f".rename(columns={{{literal(roles.target)}: 'actual'}})",
        f"forecast = {tidy_code('forecast', roles)}.merge(actual, on={literal(keys)}, "
        "validate='one_to_one')",
        "observed = forecast['actual'].to_numpy()",
        "error = observed - forecast['predicted'].to_numpy()",
        "# Draws in the forecast's row order (dates, then geos), one row per draw",
        "draws = predicted.stack(sample=('chain', 'draw')).transpose('sample', ...)"
        ".to_numpy().reshape(-1, len(observed))",
        "return {'candidate': candidate, 'fold': fold,",
        "        'crps': float(crps(observed, draws)),",
        "        'mape': float(np.mean(np.abs(error / observed))),",
        "        'elpd_loo': elpd_loo,",
        "        **{f'roas:{channel}': float(roas) for channel, roas in "
        "roas.items()}}",
    ]
    return ["def search_fold(candidate, fold, frame, train_index, test_index):",
            '    """Fit a candidate on the periods before a fold\'s window; score its '
            'forecast of the window."""',
            *indented(body),
            "", ""]


def ranking_lines() -> list[str]:
    """Code turning ``search_scores`` and ``search_failures`` into ``ranked``.

    Per candidate: the mean CRPS and MAPE over its folds, ELPD-LOO of its last fold's fit
    (the longest history), and ``roas_spread``: over channels, the mean of the
    coefficient of variation (std / |mean|) of the channel's ROAS across folds (0: the
    folds agree). ``pareto`` marks candidates that no other beats on both CRPS and ROAS
    spread. A candidate with a failed fold is not scored and goes last with its error.
    """
    return [
        "",
        "",
        "def search_roas_spread(roas):",
        '    """Mean over channels of std / |mean| of ROAS across folds (channels that '
        'never',
        '    spent in any fold are left out)."""',
        "    mean = roas.mean()",
        "    kept = mean.abs() > 0",
        "    if not kept.any():",
        "        return float('nan')",
        "    return float((roas.loc[:, kept].std(ddof=0) / mean[kept].abs()).mean())",
        "",
        "",
        "search_roas = [column for column in search_scores.columns if "
        "column.startswith('roas:')]",
        "search_scored = search_scores[~search_scores['candidate']"
        ".isin(search_failures['candidate'])]",
        "search_by_candidate = search_scored.groupby('candidate')",
        "ranked = search_grid.join(search_by_candidate.agg(crps=('crps', 'mean'), "
        "mape=('mape', 'mean'), elpd_loo=('elpd_loo', 'last')))",
        "ranked['roas_spread'] = pd.Series({candidate: search_roas_spread(rows[search_roas]) "
        "for candidate, rows in search_by_candidate}, dtype=float)",
        "# Pareto front of accuracy (CRPS) against stability (ROAS spread): lower is better "
        "on both",
        "search_points = ranked[['crps', 'roas_spread']].to_numpy(dtype=float)",
        "ranked['pareto'] = [bool(np.isfinite(point).all() and not np.any(",
        "    np.all(search_points <= point, axis=1) & np.any(search_points < point, axis=1)))",
        "    for point in search_points]",
        "ranked['folds_scored'] = search_scores.groupby('candidate').size()"
        ".reindex(ranked.index, fill_value=0)",
        "ranked['error'] = ('fold ' + search_failures['fold'].astype(str) + ': ' + "
        "search_failures['error']).groupby(search_failures['candidate']).agg('; '.join)"
        ".reindex(ranked.index, fill_value='')",
        f"ranked = ranked.sort_values(['crps', 'mape'], na_position='last', kind='stable')"
        f"[{literal(list(RANKED_COLUMNS))}]",
    ]


def search_lines(candidates: Sequence[Candidate], models: Sequence[ModelStep], fit: FitStep,
                 *, n_init: int, horizon: int, method: str, random_seed: int,
                 workers: int) -> list[str]:
    """The whole search cell (see the module's docstring).

    Parameters
    ----------
    candidates, models : sequence
        The candidates and their model steps, numbered from 1.
    fit : FitStep
        The fit settings every fold uses.
    n_init, horizon : int
        Periods the first fold fits on, and periods each fold forecasts.
    method : {"map", "mcmc"}
    random_seed : int
    workers : int
        Size of the local cluster started when the kernel has no Dask client.
    """
    roles = fit.model_step.data.roles
    lines: list[str] = []
    for number, (candidate, model) in enumerate(zip(candidates, models, strict=True), start=1):
        lines += model_function_lines(number, candidate, model)
    numbers = range(1, len(candidates) + 1)
    lines += ["search_models = {" + ", ".join(f"{n}: search_model_{n}" for n in numbers) + "}",
              "search_grid = pd.DataFrame([",
              *(f"    {literal({key: getattr(c, key) for key in GRID_KEYS})}," for c in candidates),
              f"], index=pd.RangeIndex(1, {len(candidates) + 1}, name='candidate'))",
              "", ""]
    lines += fold_function_lines(fit, method, random_seed)
    lines += [
        f"search_cv = TimeSliceCrossValidator(n_init={literal(n_init)}, "
        f"forecast_horizon={literal(horizon)}, date_column={literal(roles.date)}, "
        f"step_size={literal(horizon)})",
        f"search_splits = list(enumerate(search_cv.split({DATA_VARIABLE}), start=1))",
        *client_lines("search_client", workers),
        "# Every (candidate, fold) is one task; the data goes to each worker once",
        f"search_data = search_client.scatter({DATA_VARIABLE}, broadcast=True)",
        "search_futures = {(candidate, fold): search_client.submit(",
        "    search_fold, candidate, fold, search_data, train_index, test_index, pure=False)",
        "    for candidate in search_models for fold, (train_index, test_index) in "
        "search_splits}",
        "search_rows, search_errors = [], []",
        "for (candidate, fold), future in search_futures.items():",
        "    try:",
        "        search_rows.append(future.result())",
        "    except Exception as error:  # a failed candidate is reported; the others go on",
        "        search_errors.append({'candidate': candidate, 'fold': fold,",
        "                              'error': f'{type(error).__name__}: {error}'})",
        "del search_futures, search_data",
        "search_scores = pd.DataFrame(search_rows)",
        "search_failures = pd.DataFrame(search_errors, columns=['candidate', 'fold', 'error'])",
        *ranking_lines(),
    ]
    return lines


def imports(models: Sequence[ModelStep], method: str) -> tuple[str, ...]:
    """The cell's imports: the candidates' model imports and the search's own."""
    found: list[str] = [*SUMMARY_IMPORTS, *(line for line in IMPORTS
                                            if line not in SUMMARY_IMPORTS)]
    if method == "mcmc":
        found.append("import pymc as pm")
    for model in models:
        found += [line for line in model.code().imports if line not in found]
    return tuple(found)
