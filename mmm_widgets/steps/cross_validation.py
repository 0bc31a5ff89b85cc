"""Time-slice cross-validation: refit on rolling windows, forecast the periods after each.

pymc-marketing's ``TimeSliceCrossValidator`` chooses the folds; the exported code loops
over its ``split`` and builds and fits a fresh model per fold with the model and fit
steps' own code. Its ``run`` is not used because it always samples by NUTS (no MAP
preview) and draws its forecasts without a seed, so the numbers could not be reproduced.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_widgets import settings
from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.engine.cluster import (
    CLIENT_IMPORT,
    client_lines,
    default_workers,
    local_client,
)
from mmm_widgets.errors import ModelError, problem
from mmm_widgets.steps.base import Params, Step, execute
from mmm_widgets.steps.data import DATA_VARIABLE
from mmm_widgets.steps.dims import row_keys, tidy_code
from mmm_widgets.steps.fit import FitStep, translate_fit_error
from mmm_widgets.steps.holdout import least_training_periods
from mmm_widgets.steps.model import ModelStep
from mmm_widgets.steps.monitor import FitMonitor

INDENT = "    "
FRAME_FILE = "cross_validation.parquet"
FOLDS_FILE = "cross_validation_folds.parquet"
FOLD_COLUMNS = ("fold", "train_start", "train_end", "test_start", "test_end", "mape", "r2",
                "crps")
FORECAST_COLUMNS = ("predicted", "hdi_low", "hdi_high", "actual")


@dataclass(frozen=True)
class CrossValidationParams(Params):
    """Parameters of the time-slice cross-validation.

    Parameters
    ----------
    folds : int
        Number of rolling folds; the last one forecasts the most recent periods.
    horizon : int
        Periods each fold forecasts (also the step between folds, so the forecast
        windows follow one another without overlap).
    random_seed : int
        Seed of the forecasts' predictive draws (the refits use the fit's own seed).
    hdi_prob : float
        Level of the forecasts' bands.
    on_dask : bool
        Fit the folds as tasks on a Dask cluster (the kernel's current client, else a
        local cluster of ``workers`` processes) instead of one after another.
    workers : int, optional
        Processes of that local cluster (default one per CPU).
    """

    folds: int = 3
    horizon: int = 13
    random_seed: int = 42
    hdi_prob: float = field(default_factory=settings.interval)
    on_dask: bool = False
    workers: int | None = None


@dataclass
class CrossValidationResult:
    """Out-of-sample accuracy, fold by fold and on average.

    Attributes
    ----------
    mape, r2, crps : float
        Means over the folds.
    per_fold : pandas.DataFrame
        One row per fold: ``fold, train_start, train_end, test_start, test_end, mape, r2,
        crps``.
    frame : pandas.DataFrame
        Tidy forecasts: ``fold, date, [geo], predicted, hdi_low, hdi_high, actual``.
    """

    mape: float
    r2: float
    crps: float
    per_fold: pd.DataFrame
    frame: pd.DataFrame

    def report(self) -> dict[str, Any]:
        """The contract's dict: mean ``mape``, ``r2``, ``crps``, ``per_fold`` and ``frame``."""
        return {"mape": self.mape, "r2": self.r2, "crps": self.crps,
                "per_fold": self.per_fold, "frame": self.frame}


def first_training_periods(periods: int, folds: int, horizon: int) -> int:
    """Periods the first fold fits on when ``folds`` windows of ``horizon`` end the data."""
    return periods - folds * horizon


class CrossValidationStep(Step):
    """Refit the same model with the same settings on rolling windows and forecast each."""

    kind = "cross_validation"

    params: CrossValidationParams

    def __init__(self, params: CrossValidationParams, model_step: ModelStep, fit_step: FitStep,
                 monitor: FitMonitor | None = None, client: Any = None):
        super().__init__(params)
        self.model_step = model_step
        self.fit_step = fit_step
        self.monitor = monitor or FitMonitor()
        self.client = client

    @property
    def periods(self) -> int:
        """Distinct dates of the mapped data."""
        return self.model_step.data.periods

    def minimum_training(self) -> int:
        """Fewest periods a fold may fit on (as for the holdout)."""
        return least_training_periods(self.model_step.params.l_max)

    def validate(self, namespace: dict[str, Any]) -> None:
        """Every fold must leave enough earlier periods to fit on."""
        p = self.params
        problems = []
        for name in ("folds", "horizon"):
            value = getattr(p, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.append(problem(f"{name} must be a whole number of at least 1.",
                                        "Use e.g. folds=3 and horizon=13 (a quarter of weekly "
                                        "data)."))
        if problems:
            raise ModelError(problems)
        periods, least = self.periods, self.minimum_training()
        train = first_training_periods(periods, p.folds, p.horizon)
        if train < least:
            most_folds = (periods - least) // p.horizon
            longest = (periods - least) // p.folds
            fixes = []
            if most_folds >= 1:
                fixes.append(f"use at most {most_folds} folds of {p.horizon} periods")
            if longest >= 1:
                fixes.append(f"a horizon of at most {longest} periods for {p.folds} folds")
            fix = " or ".join(fixes) if fixes else "use a longer history"
            raise ModelError(problem(
                f"{p.folds} folds of {p.horizon} periods leave {max(train, 0)} of {periods} "
                f"periods for the first fold to fit on; it needs at least {least}.",
                f"{fix[0].upper()}{fix[1:]}."))

    def code(self) -> CodeChunk:
        """Loop over the validator's folds: build, fit, forecast and score each."""
        roles = self.model_step.data.roles
        keys = row_keys(roles)
        p = self.params
        n_init = first_training_periods(self.periods, p.folds, p.horizon)
        model = self.model_step.code_for("cv_train", "cv_mmm", "X_cv_train", "y_cv_train")
        fit, _ = self.fit_step.fit_line("cv_mmm", "X_cv_train", "y_cv_train")
        body = [
            f"cv_train = {DATA_VARIABLE}.iloc[cv_train_index].reset_index(drop=True)",
            f"cv_test = {DATA_VARIABLE}.iloc[cv_test_index].reset_index(drop=True)",
            *model.lines,
            fit,
            *self.model_step.features_lines("cv_test", "X_cv_test", None),
            "cv_ppc = cv_mmm.sample_posterior_predictive(X_cv_test, extend_idata=False, "
            "combined=False, include_last_observations=True, "
            f"random_seed={literal(p.random_seed)}, progressbar=False)",
            "cv_predicted = cv_ppc['y'] * "
            "float(cv_mmm.get_scales_as_xarray()['target_scale'])",
            "cv_band = az.hdi(cv_predicted.rename('predicted'), "
            f"prob={literal(p.hdi_prob)})",
            "cv_fold_frame = cv_predicted.mean(('chain', 'draw')).rename('predicted')"
            ".to_dataframe()",
            "cv_fold_frame['hdi_low'] = cv_band.sel(ci_bound='lower').to_series()",
            "cv_fold_frame['hdi_high'] = cv_band.sel(ci_bound='upper').to_series()",
            f"cv_actual = cv_test[{literal([*keys, roles.target])}]"
            f".rename(columns={{{literal(roles.target)}: 'actual'}})",
            f"cv_fold_frame = {tidy_code('cv_fold_frame', roles)}.merge(cv_actual, "
            f"on={literal(keys)}, validate='one_to_one')",
            "cv_fold_frame.insert(0, 'fold', cv_fold)",
            "cv_observed = cv_fold_frame['actual'].to_numpy()",
            "cv_error = cv_observed - cv_fold_frame['predicted'].to_numpy()",
            "# Draws in the frame's row order (dates, then geos), one row per draw",
            "cv_draws = cv_predicted.stack(sample=('chain', 'draw')).transpose('sample', ...)"
            ".to_numpy().reshape(-1, len(cv_observed))",
            f"cv_train_dates = cv_train[{literal(roles.date)}]",
            f"cv_test_dates = cv_test[{literal(roles.date)}]",
            "cv_fold_scores = {",
            "    'fold': cv_fold,",
            "    'train_start': cv_train_dates.min(), 'train_end': cv_train_dates.max(),",
            "    'test_start': cv_test_dates.min(), 'test_end': cv_test_dates.max(),",
            "    'mape': float(np.mean(np.abs(cv_error / cv_observed))),",
            "    'r2': float(1 - np.sum(cv_error ** 2) / "
            "np.sum((cv_observed - cv_observed.mean()) ** 2)),",
            "    'crps': float(crps(cv_observed, cv_draws)),",
            "}",
        ]
        splitter = (f"cv = TimeSliceCrossValidator(n_init={literal(n_init)}, "
                    f"forecast_horizon={literal(p.horizon)}, date_column={literal(roles.date)}, "
                    f"step_size={literal(p.horizon)})")
        folds = f"enumerate(cv.split({DATA_VARIABLE}), start=1)"
        imports: tuple[str, ...] = ()
        if p.on_dask:
            workers = p.workers or default_workers()
            lines = [
                "def cv_fold_run(cv_fold, cv_train_index, cv_test_index):",
                "    # Refit on the periods before fold cv_fold; forecast and score its window",
                *(INDENT + line for line in body),
                "    return cv_fold_frame, cv_fold_scores",
                "",
                "",
                splitter,
                *client_lines("cv_client", workers),
                "# Each fold is one task; results come back in fold order",
                "cv_futures = [cv_client.submit(cv_fold_run, cv_fold, cv_train_index, "
                "cv_test_index, pure=False)",
                f"              for cv_fold, (cv_train_index, cv_test_index) in {folds}]",
                "cv_results = cv_client.gather(cv_futures)",
                "del cv_futures",
                "cv_frames = [frame for frame, _ in cv_results]",
                "cv_scores = [scores for _, scores in cv_results]",
            ]
            imports = (CLIENT_IMPORT,)
        else:
            lines = [
                splitter,
                "cv_frames, cv_scores = [], []",
                f"for cv_fold, (cv_train_index, cv_test_index) in {folds}:",
                *(INDENT + line for line in body),
                INDENT + "cv_frames.append(cv_fold_frame)",
                INDENT + "cv_scores.append(cv_fold_scores)",
            ]
        lines += [
            "cv_frame = pd.concat(cv_frames, ignore_index=True)",
            "cv_folds = pd.DataFrame(cv_scores)",
            "cv_mape = float(cv_folds['mape'].mean())",
            "cv_r2 = float(cv_folds['r2'].mean())",
            "cv_crps = float(cv_folds['crps'].mean())",
        ]
        imports = (*model.imports, "import arviz as az", "import numpy as np",
                   "import pandas as pd", *imports, "from pymc_marketing.metrics import crps",
                   "from pymc_marketing.mmm import TimeSliceCrossValidator")
        return CodeChunk(comment=f"Cross-validation: {p.folds} rolling folds, each refit on the "
                                 f"periods before it and forecasting the next {p.horizon}",
                         lines=tuple(lines), imports=imports, title=self.title)

    def run(self, namespace: dict[str, Any]) -> CrossValidationResult:
        """Run the cross-validation code with progress (fold k of n) and cancel.

        Raises
        ------
        FitCancelled
            When the monitor's ``cancel()`` was called; nothing changes.
        FitError
            When a fold's fit fails, with the likely cause and what to change.
        """
        self.validate(namespace)
        fit = self.fit_step.params
        per_fold = (fit.draws + fit.tune) * fit.chains if fit.method == "mcmc" else 0
        monitor = self.monitor
        monitor.start(per_fold)
        trial = dict(namespace)
        if self.params.on_dask:
            client = self.client if self.client is not None else \
                local_client(self.params.workers)
            trial.setdefault("__name__", "__main__")
            # The folds run on the workers: progress is per gathered result, cancel
            # takes effect when they are back.
            with monitor.outcome(translate_fit_error), client.as_current():
                execute(self.code(), trial)
                monitor.check_cancel()
        else:
            with monitor.outcome(translate_fit_error), monitor.instrument(), \
                    _reporting_folds(monitor, per_fold):
                execute(self.code(), trial)
        monitor.set_phase("done")
        result = CrossValidationResult(float(trial["cv_mape"]), float(trial["cv_r2"]),
                                       float(trial["cv_crps"]),
                                       trial["cv_folds"].set_index("fold"), trial["cv_frame"])
        namespace.clear()
        namespace.update(trial)
        self.result = result
        return result

    def restore(self, per_fold: pd.DataFrame, frame: pd.DataFrame) -> CrossValidationResult:
        """Take stored scores and forecasts as this step's result (no refit).

        The means are taken as the exported code takes them, so they equal the saved run's.

        Parameters
        ----------
        per_fold : pandas.DataFrame
            Scores indexed by fold.
        frame : pandas.DataFrame
            The tidy forecasts.
        """
        self.result = CrossValidationResult(float(per_fold["mape"].mean()),
                                            float(per_fold["r2"].mean()),
                                            float(per_fold["crps"].mean()), per_fold, frame)
        return self.result


@contextlib.contextmanager
def _reporting_folds(monitor: FitMonitor, draws_per_fold: int) -> Iterator[None]:
    """Within this block, each fold the validator yields to this thread starts a new fit.

    The exported loop runs as it is; wrapping ``TimeSliceCrossValidator.split`` (for the
    running thread only, like :meth:`FitMonitor.instrument`) tells the monitor which fold
    is under way and stops between folds on cancel.
    """
    from pymc_marketing.mmm import TimeSliceCrossValidator

    owner = threading.get_ident()
    original = TimeSliceCrossValidator.split

    def split(self: Any, X: pd.DataFrame, y: Any = None) -> Iterator[Any]:
        if threading.get_ident() != owner:
            yield from original(self, X, y)
            return
        folds = self.get_n_splits(X, y)
        for fold, indices in enumerate(original(self, X, y), start=1):
            monitor.check_cancel()
            monitor.start_fold(fold, folds, draws_per_fold)
            yield indices

    TimeSliceCrossValidator.split = split
    try:
        yield
    finally:
        TimeSliceCrossValidator.split = original


def read_stored(folder: Path, step: CrossValidationStep) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored per-fold scores and forecasts, after checking their shape and dates.

    Raises
    ------
    ValueError
        When the files do not match the step's parameters or data.
    """
    roles = step.model_step.data.roles
    keys = row_keys(roles)
    per_fold = pd.read_parquet(folder / FOLDS_FILE)
    frame = pd.read_parquet(folder / FRAME_FILE)
    if list(per_fold.columns) != list(FOLD_COLUMNS):
        raise ValueError(f"{FOLDS_FILE} has the columns {list(per_fold.columns)}")
    if list(frame.columns) != ["fold", *keys, *FORECAST_COLUMNS]:
        raise ValueError(f"{FRAME_FILE} has the columns {list(frame.columns)}")
    folds = list(range(1, step.params.folds + 1))
    if per_fold["fold"].tolist() != folds or sorted(frame["fold"].unique().tolist()) != folds:
        raise ValueError(f"the stored folds differ from the {step.params.folds} asked for")
    for table, columns in ((per_fold, FOLD_COLUMNS[5:]), (frame, FORECAST_COLUMNS)):
        if not all(pd.api.types.is_float_dtype(table[c]) for c in columns):
            raise ValueError("the stored scores or forecasts are not numbers")
    dates = step.model_step.data.data[roles.date]
    last = dates.drop_duplicates().sort_values().iloc[-step.params.folds * step.params.horizon:]
    if sorted(frame[roles.date].unique()) != sorted(last.unique()):
        raise ValueError("the stored forecast dates are not the last periods of the data")
    return per_fold.set_index("fold"), frame
