"""Out-of-sample check: refit without the last periods, predict them, score the forecast."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mmm_widgets import settings
from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.errors import ModelError, problem
from mmm_widgets.steps.base import Params, Step, execute
from mmm_widgets.steps.data import DATA_VARIABLE
from mmm_widgets.steps.dims import row_keys, tidy_code
from mmm_widgets.steps.fit import FitStep, translate_fit_error
from mmm_widgets.steps.model import ModelStep
from mmm_widgets.steps.monitor import FitMonitor

#: Where a saved workflow keeps the holdout's forecast, so loading needs no refit.
FRAME_FILE = "holdout.parquet"
FORECAST_COLUMNS = ("predicted", "hdi_low", "hdi_high", "actual")


def least_training_periods(l_max: int) -> int:
    """Fewest periods a refit may fit on: twice the carryover, and at least 20."""
    return max(2 * int(l_max), 20)


def default_window(periods: int, l_max: int, quarter: int, windows: int = 1) -> int:
    """A hold-out or cross-validation window's default length.

    Parameters
    ----------
    periods : int
        Distinct dates of the data.
    l_max : int
        The model's longest carryover.
    quarter : int
        Periods in a quarter of the data (13 weeks, 3 months, 91 days).
    windows : int
        Windows cut from the end of the data (cross-validation's folds).

    Returns
    -------
    int
        A quarter, or as many periods as leave :func:`least_training_periods` before the
        first window when a quarter does not; a quarter when not even one period does
        (validation then says what fits).
    """
    fitting = (periods - least_training_periods(l_max)) // max(int(windows), 1)
    return min(quarter, fitting) if fitting >= 1 else quarter


@dataclass(frozen=True)
class HoldoutParams(Params):
    """Parameters of the holdout check.

    Parameters
    ----------
    periods : int
        Number of final periods held out and predicted.
    random_seed : int
        Seed of the refit and of the predictive draws.
    hdi_prob : float
        Level of the forecast's band.
    """

    periods: int = 13
    random_seed: int = 42
    hdi_prob: float = field(default_factory=settings.interval)


@dataclass
class HoldoutResult:
    """Forecast accuracy on the held-out periods."""

    mape: float
    r2: float
    frame: pd.DataFrame

    def report(self) -> dict[str, Any]:
        """The contract's dict: ``mape``, ``r2`` and the predicted-vs-actual frame."""
        return {"mape": self.mape, "r2": self.r2, "frame": self.frame}


class HoldoutStep(Step):
    """Refit the same model with the same settings on all but the last periods."""

    kind = "holdout"

    params: HoldoutParams

    def __init__(self, params: HoldoutParams, model_step: ModelStep, fit_step: FitStep,
                 monitor: FitMonitor | None = None):
        super().__init__(params)
        self.model_step = model_step
        self.fit_step = fit_step
        self.monitor = monitor or FitMonitor()

    def validate(self, namespace: dict[str, Any]) -> None:
        """The holdout must leave enough periods to fit on."""
        periods = self.model_step.data.periods
        l_max = self.model_step.params.l_max
        if not isinstance(self.params.periods, int) or self.params.periods < 1:
            raise ModelError(problem("The holdout needs at least one period.",
                                     "Set periods to e.g. 13 (a quarter of weekly data)."))
        least = least_training_periods(l_max)
        if periods - self.params.periods < least:
            raise ModelError(problem(
                f"Holding out {self.params.periods} of {periods} periods leaves too few to fit.",
                f"Hold out at most {periods - least} periods."))

    def code(self) -> CodeChunk:
        """Split, refit, predict the held-out periods and score them."""
        roles = self.model_step.data.roles
        keys = row_keys(roles)
        p = self.params
        model = self.model_step.code_for("train", "holdout_mmm", "X_train", "y_train")
        fit, _ = self.fit_step.fit_line("holdout_mmm", "X_train", "y_train")
        lines = [
            f"holdout_dates = {DATA_VARIABLE}[{literal(roles.date)}].drop_duplicates()"
            f".sort_values().iloc[-{literal(p.periods)}:]",
            f"train = {DATA_VARIABLE}[~{DATA_VARIABLE}[{literal(roles.date)}]"
            ".isin(holdout_dates)].reset_index(drop=True)",
            f"test = {DATA_VARIABLE}[{DATA_VARIABLE}[{literal(roles.date)}]"
            ".isin(holdout_dates)].reset_index(drop=True)",
            *model.lines,
            fit,
            *self.model_step.features_lines("test", "X_test", None),
            "holdout_ppc = holdout_mmm.sample_posterior_predictive(X_test, extend_idata=False, "
            "combined=False, include_last_observations=True, "
            f"random_seed={literal(p.random_seed)}, progressbar=False)",
            "holdout_predicted = holdout_ppc['y'] * "
            "float(holdout_mmm.get_scales_as_xarray()['target_scale'])",
            "holdout_band = az.hdi(holdout_predicted.rename('predicted'), "
            f"prob={literal(p.hdi_prob)})",
            "holdout_frame = holdout_predicted.mean(('chain', 'draw')).rename('predicted')"
            ".to_dataframe()",
            "holdout_frame['hdi_low'] = holdout_band.sel(ci_bound='lower').to_series()",
            "holdout_frame['hdi_high'] = holdout_band.sel(ci_bound='upper').to_series()",
            f"holdout_actual = test[{literal([*keys, roles.target])}]"
            f".rename(columns={{{literal(roles.target)}: 'actual'}})",
            f"holdout_frame = {tidy_code('holdout_frame', roles)}.merge(holdout_actual, "
            f"on={literal(keys)})",
            "holdout_error = (holdout_frame['actual'] - holdout_frame['predicted']).to_numpy()",
            "holdout_observed = holdout_frame['actual'].to_numpy()",
            "holdout_mape = float(np.mean(np.abs(holdout_error / holdout_observed)))",
            "holdout_r2 = float(1 - np.sum(holdout_error ** 2) / "
            "np.sum((holdout_observed - holdout_observed.mean()) ** 2))",
        ]
        imports = (*model.imports, "import arviz as az", "import numpy as np")
        return CodeChunk(comment=f"Holdout: refit without the last {p.periods} periods, then "
                                 "predict them and score the forecast",
                         lines=tuple(lines), imports=imports, title=self.title)

    def run(self, namespace: dict[str, Any]) -> HoldoutResult:
        """Run the holdout code with progress and cancel (like the fit)."""
        self.validate(namespace)
        fit = self.fit_step.params
        per_chain = fit.draws + fit.tune
        self.monitor.start(per_chain * fit.chains if fit.method == "mcmc" else 0)
        trial = dict(namespace)
        with self.monitor.outcome(translate_fit_error), self.monitor.instrument():
            execute(self.code(), trial)
        self.monitor.set_phase("done")
        result = HoldoutResult(float(trial["holdout_mape"]), float(trial["holdout_r2"]),
                               trial["holdout_frame"])
        namespace.clear()
        namespace.update(trial)
        self.result = result
        return result

    def restore(self, frame: pd.DataFrame) -> HoldoutResult:
        """Take a stored forecast as this step's result (no refit).

        The scores are computed from it as the exported code computes them, so they
        equal the saved run's.
        """
        error = (frame["actual"] - frame["predicted"]).to_numpy()
        observed = frame["actual"].to_numpy()
        self.result = HoldoutResult(
            float(np.mean(np.abs(error / observed))),
            float(1 - np.sum(error ** 2) / np.sum((observed - observed.mean()) ** 2)), frame)
        return self.result


def read_stored(folder: Path, step: HoldoutStep) -> pd.DataFrame:
    """The stored forecast of ``step``, after checking its columns and dates.

    Raises
    ------
    ValueError
        When the file does not hold the forecast of the step's last periods.
    """
    roles = step.model_step.data.roles
    frame = pd.read_parquet(Path(folder) / FRAME_FILE)
    if list(frame.columns) != [*row_keys(roles), *FORECAST_COLUMNS]:
        raise ValueError(f"{FRAME_FILE} has the columns {list(frame.columns)}")
    if not all(pd.api.types.is_float_dtype(frame[c]) for c in FORECAST_COLUMNS):
        raise ValueError(f"{FRAME_FILE} holds a forecast that is not numbers")
    dates = step.model_step.data.data[roles.date].drop_duplicates().sort_values()
    if sorted(frame[roles.date].unique()) != sorted(dates.iloc[-step.params.periods:]):
        raise ValueError(f"{FRAME_FILE}'s dates are not the last {step.params.periods} periods")
    return frame
