"""The headless workflow: ordered steps sharing one namespace, exportable as code."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_widgets import settings
from mmm_widgets.codegen import CodeChunk, assemble_script, to_notebook_json
from mmm_widgets.engine.context import Context
from mmm_widgets.engine.jobs import Job
from mmm_widgets.engine.registry import ALL_KINDS, SCREENS, dependents, requirements
from mmm_widgets.engine.runner import Runner
from mmm_widgets.engine.shown import Shown, ShownNumbers
from mmm_widgets.errors import StepOrderError, problem
from mmm_widgets.steps.base import Step
from mmm_widgets.steps.data import DataParams, DataResult, DataStep, LongFormat
from mmm_widgets.steps.roles import suggest_roles
from mmm_widgets.steps.source import Source, is_safe_name, read_source, safe_name

# The step graph lives in the registry; these names are kept for existing imports.
STEP_ORDER = SCREENS
__all__ = ["ALL_KINDS", "STEP_ORDER", "FitJob", "Workflow", "requirements"]

Listener = Callable[[str], None]
#: A fit, holdout, fold or budget run in a worker thread (the one job protocol).
FitJob = Job


class Workflow:
    """An analysis from raw table to budget, one step at a time, always exportable.

    Each step turns its parameters into plain pandas / pymc-marketing code, runs that
    code in the workflow's namespace, and keeps the result; :meth:`to_script` joins the
    steps' code into a script that reproduces the same numbers in a fresh kernel.

    Parameters
    ----------
    df : pandas.DataFrame, optional
        The raw table. Its variable name in the caller is looked up so that exported
        code refers to it; a frame from :func:`mmm_widgets.datasets.load` is exported as
        the read of its bundled CSV file.
    name : str, optional
        Variable name to use for ``df`` in exported code (overrides the look-up).
    source : Source, optional
        A file to read instead of ``df`` (see :meth:`from_file`).

    Examples
    --------
    >>> import mmm_widgets as mw
    >>> wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    >>> data = wf.map_data(**wf.suggest_mapping())
    >>> "import pandas as pd" in wf.to_script()
    True
    """

    def __init__(self, df: pd.DataFrame | None = None, *, name: str | None = None,
                 source: Source | None = None):
        self._frames: dict[str, pd.DataFrame] = {}
        self._namespace: dict[str, Any] = {}
        self._steps: dict[str, Step] = {}
        self._stale: set[str] = set()
        self._listeners: list[Listener] = []
        self._interval: float | None = None
        self._shown = ShownNumbers()
        #: What the last :meth:`refresh` did (previous fit, rows added, comparison).
        self.last_refresh: Any = None
        if source is not None:
            self.source = source
        elif df is not None:
            self.set_frame(df, name=name or _variable_name(df, inspect.currentframe()))
        else:
            self.source = None

    # ----- settings ------------------------------------------------------------------
    @property
    def interval(self) -> float:
        """Level of the credible intervals this workflow's new steps compute (HDIs).

        Defaults to :func:`mmm_widgets.set_interval`'s kit-wide level (0.94); setting it
        overrides that for this workflow. Steps already run keep the level they recorded
        (their exported code has it as a literal); re-run them to change it.
        """
        return self._interval if self._interval is not None else settings.interval()

    @interval.setter
    def interval(self, prob: float | None) -> None:
        self._interval = None if prob is None else settings.check_interval(prob)

    def _level(self, prob: float | None) -> float:
        """``prob`` checked, or :attr:`interval` when it is None."""
        return self.interval if prob is None else settings.check_interval(prob)

    # ----- sources -------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | Path, **read_options: Any) -> Workflow:
        """A workflow whose data is read from a CSV or Excel file.

        Parameters
        ----------
        path : str or Path
            ``.csv``/``.txt`` or ``.xlsx``/``.xls`` file.
        **read_options
            Keyword arguments for ``pd.read_csv`` / ``pd.read_excel`` (e.g. ``sep=';'``,
            ``decimal=','``, ``skiprows=2``); they are repeated in exported code.
        """
        workflow = cls()
        workflow.set_file(path, **read_options)
        return workflow

    def set_frame(self, df: pd.DataFrame, name: str = "df") -> None:
        """Use ``df`` (bound to ``name`` in exported code) as the raw table.

        ``name`` must be an identifier that exported code does not bind itself (not
        ``data``, ``X``, ``mmm``, ``pd``...); otherwise ``"df"`` is used.

        A frame loaded with :func:`mmm_widgets.datasets.load` and left unchanged is
        exported as the read of its bundled CSV, so the exported code runs anywhere
        the package's data file is.
        """
        from mmm_widgets.datasets.bundled import source_of

        # A name exported code cannot bind (not an identifier, a keyword, or a name the
        # exported cells use themselves) falls back to "df" rather than failing.
        name = safe_name(name)
        self.source = source_of(df, name) or Source(kind="frame", name=name)
        self._frames = {name: df}
        self._invalidate_from("data")

    def set_file(self, path: str | Path, **read_options: Any) -> None:
        """Read the raw table from a CSV or Excel file (options repeat in exported code)."""
        kind = "excel" if str(path).lower().endswith((".xlsx", ".xls")) else "csv"
        self.source = Source(kind=kind, name="df", path=str(path), read_options=read_options)
        self._frames = {}
        self._invalidate_from("data")

    @property
    def raw(self) -> pd.DataFrame | None:
        """The raw table as loaded from the source (None before one is set)."""
        if self.source is None:
            return None
        if self.source.kind == "frame":
            return self._frames.get(self.source.name)
        cached_source, frame = getattr(self, "_raw_cache", (None, None))
        if cached_source != self.source:
            frame = read_source(self.source)
            self._raw_cache = (self.source, frame)
        return frame

    # ----- step 1: data -------------------------------------------------------------
    def suggest_mapping(self) -> dict[str, Any]:
        """Guess the role of each column of the raw table.

        Returns
        -------
        dict
            Keys ``date, target, channels, controls, geo``; pass them to
            :meth:`map_data` as they are or after changing them.
        """
        raw = self._require_raw()
        return suggest_roles(raw)

    def map_data(self, date: str, target: str, channels: Sequence[str],
                 controls: Sequence[str] = (), geo: str | None = None,
                 date_format: str | None = None, long: LongFormat | dict | None = None,
                 aggregate: str | None = None) -> pd.DataFrame:
        """Map columns to roles, validate, and build the frame the model will get.

        Parameters
        ----------
        date, target : str
            Date column and the outcome to explain (sales, revenue, conversions).
        channels : sequence of str
            Spend columns, one per channel (for a long table: channel names to keep).
        controls : sequence of str, optional
            Non-media drivers: promotions, prices, holidays.
        geo : str, optional
            Geography column for panel data (one row per date and geo).
        date_format : str, optional
            ``strftime`` format of text dates, e.g. ``"%d/%m/%Y"``; inferred if omitted.
        long : LongFormat or dict, optional
            For a long table: ``{"channel_column": ..., "value_column": ...}``.
        aggregate : {"weekly"}, optional
            Sum daily rows into weeks starting on Monday (spend and target summed,
            controls averaged, partly covered weeks dropped). Without it daily data is
            modelled by the day (set ``l_max`` in days).

        Returns
        -------
        pandas.DataFrame
            The mapped frame, also available as :attr:`data`.

        Raises
        ------
        DataError
            Listing every problem found, each with its column, rows and fix. The
            previous mapping, if any, is kept.
        """
        source = self._require_source()
        if isinstance(long, dict):
            long = LongFormat(**long)
        params = DataParams(source=source, date=date, target=target,
                            channels=tuple(channels), controls=tuple(controls), geo=geo,
                            date_format=date_format, long=long, aggregate=aggregate)
        self.run_step(DataStep(params))
        return self.data

    @property
    def data(self) -> pd.DataFrame:
        """The mapped, validated frame (date, geo, channels, controls, target)."""
        return self.data_result.data

    @property
    def data_result(self) -> DataResult:
        """Everything the data step produced: frame, roles, frequency, warnings."""
        return self.step("data").result

    # ----- step 2: model ------------------------------------------------------------
    def configure_model(self, adstock: str = "geometric", saturation: str = "logistic",
                        l_max: int = 8, yearly_seasonality: int | None = 2,
                        priors: dict[str, Any] | None = None,
                        lift_tests: Any = None, time_varying_intercept: bool = False,
                        interactions: Sequence[tuple[str, str]] = ()) -> Any:
        """Choose the model: carryover, diminishing returns, seasonality, priors, lift tests.

        Parameters
        ----------
        adstock : str
            ``"geometric"``, ``"delayed"``, ``"weibull_pdf"``, ``"weibull_cdf"``,
            ``"binomial"`` or ``"no_adstock"``.
        saturation : str
            ``"logistic"``, ``"inverse_scaled_logistic"``, ``"tanh"``, ``"tanh_baselined"``,
            ``"michaelis_menten"``, ``"hill"``, ``"hill_sigmoid"``, ``"root"``, ``"log"``
            or ``"no_saturation"``.
        l_max : int
            Longest carryover in periods.
        yearly_seasonality : int or None
            Fourier order of the yearly pattern (None or 0 for none).
        priors : dict, optional
            Prior overrides by variable name, as ``Prior.to_dict()`` data or ``Prior``
            objects, e.g. ``{"adstock_alpha": Prior("Beta", alpha=2, beta=2)}``.
        lift_tests : pandas.DataFrame or list of dict, optional
            Columns ``channel, x, delta_x, delta_y, sigma`` (and the geo column).
        time_varying_intercept : bool
            Let the baseline drift over time.
        interactions : sequence of (str, str)
            Channel pairs whose joint effect to estimate (synergy > 0, cannibalization
            < 0), e.g. ``[("tv", "search")]``; after the fit,
            :meth:`interaction_effects` reports each with its interval.

        Returns
        -------
        pymc_marketing.mmm.MMM
            The built, unfitted model.
        """
        from mmm_widgets.steps.model import ModelParams, ModelStep

        params = ModelParams(
            adstock=adstock, saturation=saturation, l_max=l_max,
            yearly_seasonality=yearly_seasonality or None,
            time_varying_intercept=bool(time_varying_intercept),
            priors=_plain_priors(priors or {}),
            lift_tests=_lift_tests(lift_tests, self.data_result.roles.geo),
            interactions=tuple(tuple(map(str, pair)) for pair in interactions))
        return self.run_step(ModelStep(params, self.data_result))

    def prior_check(self, samples: int = 200, random_seed: int = 42):
        """Draw the target from the priors and compare with the observed target.

        Parameters
        ----------
        samples : int
            Prior predictive draws.
        random_seed : int
            Seed of the draws.

        Returns
        -------
        PriorCheck
            Verdict, message, implied and observed ranges.
        """
        from mmm_widgets.steps.model import judge_prior, prior_check_lines

        model_step = self.step("model")
        if self.status("model") != "done":
            raise StepOrderError(problem("The model is out of date.", "Apply the model again."))
        # The check follows the model's cell in the export, so it runs on the namespace as
        # that cell leaves it: an unfitted model, whatever was run since.
        chunk = CodeChunk("Prior predictive check: the target the priors imply",
                          tuple(prior_check_lines(samples, random_seed)),
                          ("import numpy as np",), title="Prior check")
        trial = Runner().run([model_step.code()], self._namespace_for_run())
        trial = self.show(Shown("prior_check", chunk, ("data", "model"), after="model"),
                          trial)
        roles = self.data_result.roles
        return judge_prior(trial["prior_y"], self.data[roles.target])

    # ----- step 3: fit --------------------------------------------------------------
    def fit(self, method: str = "mcmc", *, preset: str | None = None, monitor=None,
            **settings: Any) -> pd.DataFrame:
        """Fit the configured model (blocks; the panel runs it in a worker thread).

        Parameters
        ----------
        method : {"mcmc", "map"}
            Full posterior, or a quick MAP preview.
        preset : str, optional
            ``"notebook"`` (default settings), ``"binder"``, ``"publication"``.
        monitor : FitMonitor, optional
            Receives progress; its ``cancel()`` stops the fit.
        **settings
            ``draws``, ``tune``, ``chains``, ``random_seed``, ``sampler`` (``"auto"``,
            ``"nutpie"``, ``"pymc"``), ``target_accept``, ``hdi_prob``.

        Returns
        -------
        pandas.DataFrame
            :meth:`channel_summary`.
        """
        from mmm_widgets.steps.fit import FitParams, FitStep

        settings = {k: v for k, v in settings.items() if v is not None}
        settings.setdefault("hdi_prob", self.interval)
        params = FitParams.preset(preset or ("preview" if method == "map" else "notebook"),
                                  **settings)
        if method != params.method and preset is None:
            params = params.replace(method=method)
        self.run_step(FitStep(params, self.step("model"), monitor))
        return self.channel_summary()

    def fit_in_background(self, method: str = "mcmc", **settings: Any) -> FitJob:
        """Start :meth:`fit` in a worker thread and return at once.

        Returns
        -------
        FitJob
            With ``monitor`` (progress), ``cancel()``, ``done`` and ``error``.
        """
        from mmm_widgets.steps.monitor import FitMonitor

        job = FitJob(FitMonitor())
        job.start(lambda: self.fit(method, monitor=job.monitor, **settings))
        return job

    def holdout_in_background(self, periods: int = 13, **options: Any) -> FitJob:
        """Start :meth:`holdout` in a worker thread; ``job.result`` is its report."""
        from mmm_widgets.steps.monitor import FitMonitor

        job = FitJob(FitMonitor(), "mmm-widgets-holdout")
        job.start(lambda: self.holdout(periods, monitor=job.monitor, **options))
        return job

    def cross_validate_in_background(self, folds: int = 3, horizon: int = 13,
                                     **options: Any) -> FitJob:
        """Start :meth:`cross_validate` in a worker thread; ``job.result`` is its report."""
        from mmm_widgets.steps.monitor import FitMonitor

        job = FitJob(FitMonitor(), "mmm-widgets-cv")
        job.start(lambda: self.cross_validate(folds, horizon, monitor=job.monitor, **options))
        return job

    def refresh_in_background(self, new_df: pd.DataFrame) -> FitJob:
        """Start :meth:`refresh` in a worker thread; ``job.result`` is its comparison."""
        from mmm_widgets.steps.monitor import FitMonitor

        job = FitJob(FitMonitor())
        job.start(lambda: self.refresh(new_df, monitor=job.monitor))
        return job

    @property
    def mmm(self) -> Any:
        """The fitted pymc-marketing ``MMM``."""
        return self.step("fit").result.mmm

    @property
    def idata(self) -> Any:
        """The fitted model's inference data (an ``xarray.DataTree``)."""
        return self.mmm.idata

    def channel_summary(self) -> pd.DataFrame:
        """Per channel: spend, contribution and ROAS with carryover, with HDIs, share of media.

        Returns
        -------
        pandas.DataFrame
            Indexed by channel; columns ``spend, contribution, contribution_hdi_low,
            contribution_hdi_high, roas, roas_hdi_low, roas_hdi_high, share,
            marginal_roas, marginal_roas_hdi_low, marginal_roas_hdi_high,
            contribution_window, contribution_window_hdi_low, contribution_window_hdi_high,
            roas_window, roas_window_hdi_low, roas_window_hdi_high`` in the original units
            of target and spend. ``contribution`` is what the channel's spend in the fitted
            period adds, its adstock carryover included, after the last fitted date too
            (pymc-marketing's incremental contribution); ``roas`` is that over the spend.
            ``marginal_roas`` is what 1 % more spend adds per unit of it, carryover
            included. The ``_window`` columns leave out the carryover past the fitted
            period (pymc-marketing's "elementwise" ROAS). ``share`` is the posterior mean
            of the channel's contribution / the total media contribution, computed per
            draw (the same ``share`` as :meth:`overview`). Every ratio is computed per
            posterior draw; the intervals are the HDIs of the draws.
        """
        return self.step("fit").result.channel_summary.copy()

    def interaction_effects(self) -> pd.DataFrame:
        """What each channel interaction of the model (``configure_model(interactions=)``) adds.

        Returns
        -------
        pandas.DataFrame
            Indexed by the interaction's regressor (``"tv x search"``): ``channels``,
            ``contribution`` over the fitted period in target units with its HDI
            (``contribution_hdi_low`` / ``_high``, at the fit's interval level),
            ``probability_positive``, ``relative_to_pair`` (the contribution over the two
            channels' own contributions) and ``verdict``: ``"synergy"`` when the whole
            interval is above zero, ``"cannibalization"`` when below, else
            ``"no clear effect"``.

        Raises
        ------
        StepOrderError
            When the fitted model has no interaction term.
        """
        effects = self.step("fit").result.interaction_effects
        if effects is None:
            raise StepOrderError(problem(
                "The fitted model has no interaction term.",
                "Add one with configure_model(..., interactions=[('tv', 'search')]) and fit "
                "again."))
        return effects.copy()

    def refresh(self, new_df: pd.DataFrame, monitor=None) -> pd.DataFrame:
        """Append new periods to the raw data, refit with the same settings, compare ROAS.

        Rows of ``new_df`` dated after the last date of the current raw table are appended
        (so the whole updated table may be passed); the data, model and fit steps are
        re-run with their current parameters. The previous fit is kept in
        :attr:`last_refresh` (``previous``); later steps (diagnostics, attribution,
        budget) are marked stale. On any failure the workflow is left as it was.

        Parameters
        ----------
        new_df : pandas.DataFrame
            The new periods (or the whole table), with the raw table's columns.
        monitor : FitMonitor, optional
            Receives the refit's progress; its ``cancel()`` stops it.

        Returns
        -------
        pandas.DataFrame
            Indexed by channel: ``roas_before, roas_before_hdi_low, roas_before_hdi_high,
            roas_after, roas_after_hdi_low, roas_after_hdi_high, change_pct, moved``
            (``moved``: the new ROAS lies outside the previous interval).

        Raises
        ------
        DataError
            Columns that differ, unreadable dates, no newer rows.
        StepOrderError
            When there is no current fit.
        """
        from mmm_widgets.refresh import refresh

        return refresh(self, new_df, monitor)

    def snapshot(self) -> tuple:
        """The workflow's state, for :meth:`restore` after a failed multi-step change."""
        return (dict(self._frames), self.source, dict(self._steps), set(self._stale),
                dict(self._namespace), self._shown.copy())

    def restore(self, state: tuple) -> None:
        """Go back to a :meth:`snapshot`."""
        frames, self.source, steps, stale, namespace, shown = state
        self._frames, self._steps, self._stale, self._namespace = (
            dict(frames), dict(steps), set(stale), dict(namespace))
        self._shown = shown.copy()
        for kind in self._steps:
            self._notify(kind)

    # ----- overview -----------------------------------------------------------------
    def overview(self, margin: float | dict[str, float] | None = None) -> Any:
        """The fit on one screen: channels, trend, verdict, best plan and (with a margin) profit.

        Runs the overview step (its exported cell is plain pandas / xarray / arviz code on
        the fitted ``mmm``) unless it is current for this margin and :attr:`interval`.

        Parameters
        ----------
        margin : float or dict, optional
            Profit per unit of the target (``0.3``: 30 % of each unit of revenue is
            profit; ``1.0`` when the target is profit already), or channel -> margin for
            every channel. Adds profit, profit ROI (with HDIs) and the spend per period
            where marginal profit turns negative.

        Returns
        -------
        Overview
            ``channels`` (per channel: ``spend, contribution`` with HDI, ``roas`` with
            HDI, both with carryover as in :meth:`channel_summary`, ``cost_per_unit`` =
            spend / contribution, ``share`` = contribution / total media contribution (as
            in :meth:`channel_summary`), ``share_of_target`` (of the target on the fitted
            dates, from the contribution landing on them), each
            computed per posterior draw with its HDI; with a margin ``margin, profit,
            profit_roi`` with HDIs,
            ``breakeven_spend`` and ``current_spend`` per period), ``totals`` (the same
            over all channels), ``trend`` (``date, channel, spend, contribution``),
            ``verdict`` and ``messages`` of the diagnostics (``"not run yet"`` without
            them), ``best_scenario`` (the budget scenario with the highest expected
            contribution, or None) and ``notes``.

        Raises
        ------
        DataError
            A margin that is not a positive number, or a dict with unknown or missing
            channels, naming each.
        StepOrderError
            When the model is not fitted (or the fit is out of date).
        """
        from mmm_widgets.api.overview import overview

        return overview(self, margin)

    def profit(self, margin: float | dict[str, float]) -> pd.DataFrame:
        """Profit of each channel at ``margin``: what media earned after paying for itself.

        Parameters
        ----------
        margin : float or dict
            Profit per unit of the target, or channel -> margin (see :meth:`overview`).

        Returns
        -------
        pandas.DataFrame
            Indexed by channel plus ``"all channels"``: ``spend, contribution, margin,
            profit, profit_hdi_low, profit_hdi_high, profit_roi, profit_roi_hdi_low,
            profit_roi_hdi_high, breakeven_spend, current_spend``. ``profit`` =
            contribution x margin - spend over the fitted period; ``profit_roi`` = profit /
            spend; ``breakeven_spend`` is the spend per period above which one more unit
            of spend earns less than it costs (marginal ROAS x margin < 1), NaN when that
            is beyond twice the largest past spend; ``current_spend`` is the recent spend
            per period.
        """
        from mmm_widgets.api.overview import profit

        return profit(self, margin)

    # ----- step 4: diagnostics ------------------------------------------------------
    def diagnostics(self, random_seed: int = 42, max_plot_draws: int = 200,
                    prior_draws: int = 500, hdi_prob: float | None = None) -> dict[str, Any]:
        """Check the fit: convergence, fit to the data, residuals, prior vs posterior.

        Parameters
        ----------
        random_seed : int
            Seed of the posterior predictive and prior draws.
        max_plot_draws : int
            Draws per chain kept for trace plots.
        prior_draws : int
            Prior draws for the prior-vs-posterior comparison.
        hdi_prob : float, optional
            Level of the fit plot's outer band (default :attr:`interval`).

        Returns
        -------
        dict
            ``r_hat_max, ess_bulk_min, ess_tail_min, divergences, tree_depth_hits, r2, mape,
            nrmse, residual_acf1, residual_acf_band`` (``2 / sqrt(n)`` of the ``n``
            periods: noise stays within it), ``verdict`` (``"ok"``, ``"warn"`` or ``"fail"``;
            both ESS, bulk and tail, are judged) and
            ``messages`` (findings, each with what to do). The tidy frames behind the
            plots are in ``wf.step("diagnostics").result.frames``.
        """
        from mmm_widgets.steps.diagnostics import DiagnosticsParams, DiagnosticsStep

        params = DiagnosticsParams(random_seed=random_seed, max_plot_draws=max_plot_draws,
                                   prior_draws=prior_draws,
                                   hdi_prob=self._level(hdi_prob))
        step = DiagnosticsStep(params, self.data_result)
        return self.run_step(step).report()

    def holdout(self, periods: int = 13, random_seed: int = 42, monitor=None,
                hdi_prob: float | None = None) -> dict[str, Any]:
        """Refit on all but the last ``periods`` periods and predict them.

        Parameters
        ----------
        periods : int
            Periods held out (the most recent ones).
        random_seed : int
            Seed of the refit's predictive draws (the refit uses the fit's own seed).
        monitor : FitMonitor, optional
            Receives the refit's progress; its ``cancel()`` stops it.
        hdi_prob : float, optional
            Level of the forecast's band (default :attr:`interval`).

        Returns
        -------
        dict
            ``mape``, ``r2`` and ``frame`` (date, [geo], predicted, hdi_low, hdi_high,
            actual).
        """
        from mmm_widgets.steps.holdout import HoldoutParams, HoldoutStep

        step = HoldoutStep(HoldoutParams(periods=periods, random_seed=random_seed,
                                         hdi_prob=self._level(hdi_prob)),
                           self.step("model"), self.step("fit"), monitor)
        return self.run_step(step).report()

    def cross_validate(self, folds: int = 3, horizon: int = 13, random_seed: int = 42,
                       monitor=None, hdi_prob: float | None = None) -> dict[str, Any]:
        """Time-slice cross-validation: refit on rolling windows, forecast what follows.

        The last ``folds * horizon`` periods are cut into ``folds`` windows of ``horizon``
        periods; each fold refits the same model with the fit's settings on every period
        before its window (pymc-marketing's ``TimeSliceCrossValidator`` splits the data)
        and forecasts the window.

        Parameters
        ----------
        folds : int
            Number of folds.
        horizon : int
            Periods each fold forecasts.
        random_seed : int
            Seed of the forecasts' predictive draws (the refits use the fit's own seed).
        monitor : FitMonitor, optional
            Receives progress (``snapshot().fold`` of ``.folds``); its ``cancel()`` stops.
        hdi_prob : float, optional
            Level of the forecasts' bands (default :attr:`interval`).

        Returns
        -------
        dict
            Means over the folds of ``mape``, ``r2`` and ``crps`` (continuous ranked
            probability score, in target units), ``per_fold`` (indexed by fold: training
            and forecast dates, ``mape, r2, crps``) and ``frame`` (fold, date, [geo],
            predicted, hdi_low, hdi_high, actual).

        Raises
        ------
        ModelError
            When the folds leave too few periods to fit on, saying how many fit.
        """
        from mmm_widgets.steps.cross_validation import CrossValidationParams, CrossValidationStep

        params = CrossValidationParams(folds=folds, horizon=horizon, random_seed=random_seed,
                                       hdi_prob=self._level(hdi_prob))
        step = CrossValidationStep(params, self.step("model"), self.step("fit"), monitor)
        return self.run_step(step).report()

    # ----- step 5: attribution ------------------------------------------------------
    def attribution(self, journeys: pd.DataFrame | None = None, platform: Any = None,
                    channel_map: dict[str, str] | None = None, lookback: Any = None,
                    grouping: dict[str, str] | None = None, **options: Any) -> pd.DataFrame:
        """Compare the MMM's media shares with multi-touch and platform-reported credit.

        Per model channel: the MMM's share of total media contribution with its HDI
        (:attr:`interval`, 94 % by default), each multi-touch model's share of the tracked
        credit, the platforms' share of reported conversions, and a flag where a method
        falls outside the MMM's interval.
        Shares of the other methods are over the model channels the journeys map to;
        channels without touches (TV, radio: offline) get 0 and are noted.

        Parameters
        ----------
        journeys : pandas.DataFrame, optional
            One row per touch: user, time, channel label, conversion flag (and value).
            Exported code refers to it by its variable name (``name=`` overrides; a
            bundled table is read from its file). Omitted: the previous table and
            settings are reused and only what is passed changes.
        platform : dict, pandas.Series or pandas.DataFrame, optional
            Platform-reported conversions per channel (model names, or journey labels in
            ``channel_map``). A text value names a column of the raw data holding that
            platform's conversions per period, summed over the compared periods, e.g.
            ``{"search": "search_platform_conversions", "tv": 300}``.
        channel_map : dict, optional
            Journey label -> model channel. Omitted: suggested by name similarity
            (:meth:`suggest_channel_map`); labels nothing matches are left out and noted.
        lookback : str or float, optional
            Touches longer than this before their conversion get no credit (``"30D"``).
        grouping : dict, optional
            Journey label -> group label, applied before attribution.
        **options
            ``user, time, channel, conversion, value`` (columns; guessed from common
            names), ``models`` (default last_touch, first_touch, linear, markov; built-in
            names and :func:`mmm_widgets.mta.custom_rule` rules),
            ``weight`` ("value" when there is a value column), ``half_life`` ("7D"),
            ``direct_channel`` (the label "direct" if present), ``period`` (the model
            dates the journeys cover; None for the whole fit), ``hdi_prob`` (default
            :attr:`interval`), ``name``.

        Returns
        -------
        pandas.DataFrame
            Indexed by channel: ``mmm_share, mmm_share_hdi_low, mmm_share_hdi_high`` (of
            all media), then per method (models, ``platform``) ``<method>_share``,
            ``<method>_mmm`` with ``_hdi_low`` / ``_hdi_high`` (the MMM's share over the
            channels the method covers, renormalised per posterior draw; NaN elsewhere) and
            ``<method>_outside`` (its share outside that interval), ``mmm_incremental`` (the
            MMM's contribution over the compared periods) and per method
            ``<method>_incremental`` with ``_hdi_low`` / ``_hdi_high``: its shares times
            the MMM's contribution of the channels it covers, per draw (so those channels
            add up to it), i.e. influenced credit in incremental units. Notes are in
            :attr:`attribution_result`.

        Raises
        ------
        DataError
            Missing or unreadable journey columns, no conversions, a channel map that
            reaches no model channel, bad platform numbers; the previous result is kept.
        """
        from mmm_widgets.steps.attribution import AttributionStep, build_params

        source = None
        if journeys is not None:
            source = self._journeys_source(journeys, options.get("name"),
                                           inspect.currentframe())
        previous = self._steps.get("attribution")
        if journeys is not None or previous is None:
            options.setdefault("hdi_prob", self.interval)
        params, frame = build_params(self.data_result, previous, journeys, source, platform,
                                     channel_map, lookback, grouping, options)
        if journeys is None and previous is not None:
            frame = previous.journeys
        step = AttributionStep(params, self.data_result, frame, self.step("data").params)
        return self.run_step(step).table.copy()

    @property
    def attribution_result(self) -> Any:
        """The attribution step's result: table, raw multi-touch credit, notes."""
        return self.step("attribution").result

    def synergy(self, journeys: pd.DataFrame | None = None, *,
                channel_map: dict[str, str] | None = None, lookback: Any = None,
                grouping: dict[str, str] | None = None, **options: Any) -> pd.DataFrame:
        """Synergy or cannibalization of each pair of channels, read from journeys.

        For channels A and B, journeys are split by whether they touch A and whether they
        touch B, with conversion rates ``p00, p10, p01, p11``. Independent effects
        (noisy-OR: each channel converts a journey on its own) predict
        ``expected = 1 - (1 - p10) * (1 - p01) / (1 - p00)`` for journeys with both;
        ``lift = p11 / expected`` is above 1 for synergy, below 1 for cannibalization.
        Its interval (:attr:`interval`, 94 % by default) is the HDI of the lift over
        draws of each cell's rate from ``Beta(conversions + 1, non-conversions + 1)``.
        Journeys are observational: a lift can reflect who gets both touches, not what
        adding a channel would cause.

        The step also computes the flows between channels by touch position (for a
        Sankey) and the top paths: see :attr:`synergy_result`. It needs no fitted model.

        Parameters
        ----------
        journeys : pandas.DataFrame, optional
            One row per touch: user, time, channel label, conversion flag. Omitted: the
            attribution step's table and settings (columns, look-back, grouping, channel
            map), or else the previous table of this step; only what is passed changes.
        channel_map : dict, optional
            Journey label -> model channel (the name shown); labels not in the map keep
            theirs. Omitted with a new table: suggested from the data step's channels.
        lookback : str or float, optional
            Touches longer than this before the end of their journey are left out.
        grouping : dict, optional
            Journey label -> group label, applied first.
        **options
            ``user, time, channel, conversion`` (columns; guessed from common names),
            ``value`` (accepted, not used), ``hdi_prob`` (default :attr:`interval`),
            ``draws`` (4000), ``random_seed`` (42), ``min_journeys`` (30: pairs with
            fewer journeys in any cell are flagged), ``max_steps`` (4: touch positions
            of the flows), ``top`` (10 paths), ``name`` (the table's variable in
            exported code).

        Returns
        -------
        pandas.DataFrame
            One row per pair: ``channel_a, channel_b``, journeys ``n_neither, n_a_only,
            n_b_only, n_both`` and conversions ``conversions_neither, ...,
            conversions_both`` of each cell, ``p00, p10, p01, p11``, ``expected``,
            ``lift``, ``lift_hdi_low``, ``lift_hdi_high``, ``few_journeys`` and
            ``verdict`` (``"synergy"``, ``"cannibalization"``, ``"no clear effect"`` or
            ``"not estimable"``).

        Raises
        ------
        DataError
            Missing or unreadable journey columns (naming them), no conversions, fewer
            than two channels, bad options; the previous result is kept.
        """
        from mmm_widgets.steps.synergy import SynergyStep, build_params

        source = None
        if journeys is not None:
            source = self._journeys_source(journeys, options.get("name"),
                                           inspect.currentframe(), kind="synergy")
        channels = (tuple(self.data_result.roles.channels)
                    if self.status("data") in ("done", "stale") else ())
        params, frame = build_params(self._steps.get("attribution"), self._steps.get("synergy"),
                                     channels, journeys, source, channel_map, lookback,
                                     grouping, dict(options), self.interval)
        return self.run_step(SynergyStep(params, frame)).table.copy()

    @property
    def synergy_result(self) -> Any:
        """The cross-channel step's result: pair ``table``, ``flows``, top ``paths``, notes."""
        return self.step("synergy").result

    def suggest_channel_map(self, journeys: pd.DataFrame, channel: str | None = None
                            ) -> dict[str, str]:
        """Suggest which model channel each journey label stands for (by name similarity).

        Parameters
        ----------
        journeys : pandas.DataFrame
            The touch table.
        channel : str, optional
            Its channel column (guessed when omitted).

        Returns
        -------
        dict
            ``{journey label: model channel}``; labels nothing matches are left out.
        """
        from mmm_widgets.steps.attribution import suggest_channel_map, suggest_journey_columns

        column = channel if channel is not None else suggest_journey_columns(journeys)["channel"]
        labels = sorted({str(v).strip() for v in journeys[column].dropna().unique()})
        return suggest_channel_map(labels, self.data_result.roles.channels)

    def _journeys_source(self, journeys: pd.DataFrame, name: str | None, frame,
                         kind: str = "attribution") -> Source:
        """Where exported code finds the touch table: its file, or a variable name.

        The name is the caller's variable holding ``journeys`` unless another step's code
        (or the cell of step ``kind`` itself) uses it; then ``journeys`` (or
        ``journeys_2``, ...), avoiding the name under which the other journey step (the
        attribution or cross-channel step) reads a different table.
        """
        import ast

        from mmm_widgets.datasets.bundled import source_of
        from mmm_widgets.errors import DataError
        from mmm_widgets.steps.attribution import CELL_NAMES, JOURNEYS_VARIABLE
        from mmm_widgets.steps.synergy import CELL_NAMES as SYNERGY_NAMES

        if not isinstance(journeys, pd.DataFrame):
            raise DataError(problem(f"journeys is a {type(journeys).__name__}, not a DataFrame.",
                                    "Pass the touch table as a DataFrame, e.g. "
                                    "pd.read_csv('touches.csv')."))
        given = name is not None
        if name is None:
            name = _variable_name(journeys, frame)
            # "df" is also the look-up's answer when no variable holds the table.
            caller, given = (frame.f_back if frame is not None else None), name != "df"
            while caller is not None and not given:
                given = any(scope.get("df") is journeys
                            for scope in (caller.f_locals, caller.f_globals))
                caller = caller.f_back
        taken = set(self._frames) | set(CELL_NAMES) | set(SYNERGY_NAMES)
        if self.source is not None:
            taken.add(self.source.name)
        others: set[str] = set()
        for step in self.steps:
            if step.kind == kind:
                continue
            if hasattr(step, "journeys"):
                # The caller's own variable stays theirs to reuse for a new table.
                if step.journeys is not journeys:
                    others.add(step.params.journeys.name)
                continue
            taken |= {node.id for node in ast.walk(ast.parse(step.code().cell()))
                      if isinstance(node, ast.Name)}
        defaults = [c for c in (JOURNEYS_VARIABLE,
                                *(f"{JOURNEYS_VARIABLE}_{i}" for i in range(2, 99)))
                    if c not in others]
        candidates = [name, *defaults] if given else defaults
        chosen = next(c for c in candidates if c not in taken)
        return source_of(journeys, chosen) or Source(kind="frame", name=chosen)

    # ----- step 6: budget -----------------------------------------------------------
    def response_curves(self, threshold: float = 1.0, points: int = 100) -> pd.DataFrame:
        """Steady-state response of each channel to a spend repeated every period.

        Parameters
        ----------
        threshold : float
            Marginal ROAS below which extra spend does not pay back (1.0: one unit of
            outcome per unit of spend).
        points : int
            Points per curve, from 0 to twice the channel's largest past spend per period.

        Returns
        -------
        pandas.DataFrame
            Tidy: ``channel, spend, response, response_hdi_low, response_hdi_high,
            marginal_roas`` (spend per period, response per period in target units, 94 %
            HDI). ``attrs``: ``current_spend`` (recent run-rate per period),
            ``threshold_spend`` (spend per period where the marginal ROAS falls below
            ``threshold``; NaN if it never does on the curve) and ``threshold``. On a geo
            model one curve per channel and geo (the geo column follows ``channel``; no
            curve where a channel never spent), spends in ``attrs`` keyed by
            ``(channel, geo)``.
        """
        from mmm_widgets.api.budget import budget_params
        from mmm_widgets.steps.budget import curves_chunk, read_curves

        params = budget_params(self)
        if self.status("budget") == "done" and (params.threshold, params.points) == (
                float(threshold), points):
            return self.step("budget").result.curves.copy()
        if self.status("fit") != "done":
            raise StepOrderError(problem("The model is not fitted (or out of date).",
                                         "Fit the model first."))
        chunk = curves_chunk(params.run_rate_periods, float(threshold), int(points),
                             params.hdi_prob, self.data_result.roles.geo)
        return read_curves(self.show(Shown("response_curves", chunk, ("data", "model", "fit"))))

    def optimize_budget(self, total: float, periods: int,
                        bounds: dict[str, tuple[float, float]] | str | None = None,
                        objective: str = "mean", *, risk_level: float = 0.95,
                        monitor=None) -> pd.DataFrame:
        """Allocate ``total`` over the next ``periods`` periods with pymc-marketing.

        Parameters
        ----------
        total : float
            Budget over the whole horizon (not per period).
        periods : int
            Future periods after the last observed date.
        bounds : dict or "none", optional
            Channel -> ``(lowest, highest)`` spend over the horizon. Channels left out
            (all of them by default) stay within 30 % of their current spend;
            ``"none"`` lets every channel get anything from 0 to ``total``. On a geo
            model the plan is per (channel, geo), the 30 % apply to each geo's own
            current spend, a channel's bounds are split over its geos in proportion to
            current spend, and ``(channel, geo)`` keys bound one geo.
        objective : {"mean", "cvar", "var"}
            Maximise the mean response, or a risk-aware utility at ``risk_level`` of
            the contribution the plan adds.
        risk_level : float
            Confidence level of ``"cvar"`` / ``"var"``.
        monitor : BudgetMonitor, optional
            Receives progress; its ``cancel()`` discards the run.

        Returns
        -------
        pandas.DataFrame
            Indexed by channel: ``current, optimized, change_pct, expected_contribution,
            contribution_hdi_low, contribution_hdi_high`` (spend over the horizon;
            contribution the plan adds over the horizon and its carry-over tail). On a
            geo model indexed by channel and geo; a channel gets nothing in a geo where
            it never spent, and the totals per geo are in
            ``wf.step("budget").result.geo_totals``.

        Raises
        ------
        DataError
            Infeasible or invalid inputs, naming the channel and the fix; the previous
            result is kept.
        """
        from mmm_widgets.api.budget import optimize_budget

        return optimize_budget(self, total, periods, bounds, objective, risk_level, monitor)

    def optimize_budget_in_background(self, total: float, periods: int,
                                      bounds: dict[str, tuple[float, float]] | str | None = None,
                                      objective: str = "mean", *,
                                      risk_level: float = 0.95) -> FitJob:
        """Start :meth:`optimize_budget` in a worker thread; ``job.cancel()`` discards it."""
        from mmm_widgets.api.budget import optimize_in_background

        return optimize_in_background(self, total, periods, bounds, objective, risk_level)

    @property
    def scenarios(self) -> Any:
        """Named plans to compare: ``add``, ``add_budget_change``, ``remove``, ``compare``."""
        from mmm_widgets.api.budget import Scenarios

        return Scenarios(self)

    def what_if(self, allocation: dict[str, float]) -> pd.DataFrame:
        """Predicted contribution and ROAS of an allocation, in milliseconds.

        Parameters
        ----------
        allocation : dict
            Channel -> spend over the horizon (channels left out spend nothing). On a
            geo model a channel's spend is split over its geos in proportion to current
            spend (so nothing goes where it spends nothing now); ``(channel, geo)``
            keys, or channel -> geo -> spend, set it per geo.

        Returns
        -------
        pandas.DataFrame
            Indexed by channel plus ``"all channels"``: ``spend, contribution,
            contribution_hdi_low, contribution_hdi_high, roas``. On a geo model indexed
            by channel and geo, plus ``("all channels", "all geos")``.
        """
        from mmm_widgets.api.budget import what_if

        return what_if(self, allocation)

    # ----- report -------------------------------------------------------------------
    def report(self, path: str | Path, title: str = "Marketing mix report") -> Path:
        """Write a standalone HTML report (opens offline) of every step done so far.

        Sections: overview (headline numbers, channels, trend; profit at the overview's
        margin), data summary, diagnostics verdict, contributions and ROAS with HDIs,
        attribution comparison, budget scenarios.
        """
        from mmm_widgets.report import write_report

        return write_report(self, path, title)

    # ----- save / load --------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save mapping, configuration and fitted model to the folder ``path``.

        Writes ``workflow.json`` (parameters of every step), ``raw.parquet`` (the raw
        table, when it came from a DataFrame) and ``model.nc`` (pymc-marketing's
        netCDF). No pickle: loading never executes stored code.
        """
        from mmm_widgets.persist import save_workflow

        return save_workflow(self, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> Workflow:
        """Load a workflow saved with :meth:`save`; every later step works on it."""
        from mmm_widgets.persist import load_workflow

        return load_workflow(cls, Path(path))

    # ----- steps --------------------------------------------------------------------
    def run_step(self, step: Step) -> Any:
        """Run ``step`` and make it the current step of its kind.

        Steps after it are kept but marked stale. On failure nothing changes.

        Parameters
        ----------
        step : Step
            A step whose ``requires`` are done.

        Returns
        -------
        object
            The step's result.
        """
        for needed in step.requires:
            if needed not in self._steps or needed in self._stale:
                raise StepOrderError(problem(
                    f"{step.title} needs the {needed} step first.",
                    f"Complete the {needed} step (it is missing or out of date)."))
        return self.restore_step(step, step.run)

    def restore_step(self, step: Step, restore: Callable[[dict[str, Any]], Any]) -> Any:
        """Make ``step`` current with the result of ``restore(namespace)``.

        :meth:`run_step` passes ``step.run``; loading a saved workflow passes a function
        that reads the fitted model from disk instead of refitting.
        """
        namespace = self._namespace_for_run()
        result = restore(namespace)
        self._namespace = namespace
        self._steps[step.kind] = step
        self._stale.discard(step.kind)
        self._shown.changed(step.kind)
        self._invalidate_after(step.kind)
        self._notify(step.kind)
        return result

    def step(self, kind: str) -> Step:
        """The current step of ``kind`` (``"data"``, ``"model"``, ...)."""
        if kind not in self._steps:
            raise StepOrderError(problem(f"The {kind} step has not been done yet.",
                                         f"Run the {kind} step first."))
        return self._steps[kind]

    @property
    def steps(self) -> list[Step]:
        """Steps done so far, in workflow order."""
        return [self._steps[k] for k in ALL_KINDS if k in self._steps]

    def status(self, kind: str) -> str:
        """``"done"``, ``"stale"`` (an earlier step changed), ``"ready"`` or ``"blocked"``."""
        if kind in self._steps:
            return "stale" if kind in self._stale else "done"
        ready = all(self.status(k) == "done" for k in requirements(kind))
        return "ready" if ready else "blocked"

    def context(self) -> Context:
        """A read-only view of the steps' parameters, results, statuses and namespace.

        What steps and the per-topic helpers read instead of the workflow itself; its
        :meth:`~mmm_widgets.engine.context.Context.namespace` is a copy to run code in.
        """
        return Context.of(self._steps, self._stale, self.interval, self._namespace_for_run())

    def observe(self, listener: Listener) -> None:
        """Call ``listener(kind)`` whenever a step of ``kind`` is (re)run or goes stale."""
        self._listeners.append(listener)

    def _namespace_for_run(self) -> dict[str, Any]:
        namespace = dict(self._namespace)
        namespace.update(self._frames)
        return namespace

    def _invalidate_after(self, kind: str) -> None:
        self._stale.update(k for k in dependents(kind) if k in self._steps)

    def _invalidate_from(self, kind: str) -> None:
        self._shown.changed(kind)
        for k in (kind, *dependents(kind)):
            if k in self._steps:
                self._stale.add(k)
                self._notify(k)

    def _notify(self, kind: str) -> None:
        for listener in list(self._listeners):
            listener(kind)

    def _require_source(self) -> Source:
        if self.source is None:
            raise StepOrderError(problem("No data has been given to the workflow.",
                                         "Pass a DataFrame: mw.Workflow(df), or use "
                                         "mw.Workflow.from_file(path)."))
        return self.source

    def _require_raw(self) -> pd.DataFrame:
        self._require_source()
        return self.raw

    # ----- export -------------------------------------------------------------------
    def chunks(self) -> list[CodeChunk]:
        """The code of every step done so far, in order, with the numbers shown besides.

        The code behind a number shown outside a step (:meth:`prior_check`,
        :meth:`response_curves`) follows the cell of the step it ran after, or every
        step's; it is dropped once a step it read is re-run.
        """
        chunks: list[CodeChunk] = []
        for step in self.steps:
            chunks.append(step.code())
            chunks.extend(self._shown.after(step.kind))
        return [*chunks, *self._shown.after(None)]

    def show(self, shown: Shown, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
        """Compute a number that is not a step: run its chunk, then keep it for the export.

        Parameters
        ----------
        shown : Shown
            The chunk, the steps it reads and the step whose cell it follows.
        namespace : dict, optional
            Where it runs (copied first); by default the workflow's own namespace.

        Returns
        -------
        dict
            The namespace after the chunk ran (the workflow's is unchanged).

        Raises
        ------
        StepOrderError
            When a step it reads is not done or out of date.
        """
        for needed in shown.depends:
            if self.status(needed) != "done":
                raise StepOrderError(problem(
                    f"{shown.chunk.title} needs the {needed} step first.",
                    f"Complete the {needed} step (it is missing or out of date)."))
        trial = Runner().run([shown.chunk],
                             namespace if namespace is not None else self._namespace_for_run())
        self._shown.record(shown)
        return trial

    def step_code(self, kind: str) -> str:
        """The exported cell of one step: its imports and code, then the code of the numbers
        shown on its namespace (e.g. the model's prior check), each as in :meth:`chunks`."""
        cells = [self.step(kind).code().cell(), *(c.cell() for c in self._shown.after(kind))]
        return "\n\n".join(cells)

    def to_script(self) -> str:
        """A Python script of every step done so far.

        Run in a fresh interpreter (after defining the source DataFrame when the
        workflow was given one), it rebuilds the same data and results.
        """
        header = "mmm-widgets workflow, exported as plain pandas / pymc-marketing code"
        script = assemble_script(self.chunks(), header=header)
        if self.source is not None and self.source.kind == "frame":
            note = (f"# Expects the DataFrame `{self.source.name}` you gave the workflow "
                    "to be defined.\n")
            script = note + script
        return script

    def to_notebook(self, path: str | Path) -> Path:
        """Write an .ipynb with one markdown and one code cell per step.

        Parameters
        ----------
        path : str or Path
            Where to write the notebook.

        Returns
        -------
        Path
            The written file.
        """
        path = Path(path)
        notebook = to_notebook_json(self.chunks())
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")
        return path


def _plain_priors(priors: dict[str, Any]) -> dict[str, Any]:
    """Priors as ``Prior.to_dict()`` data (``Prior`` objects are converted)."""
    from mmm_widgets.steps.components import plain_prior

    return {name: plain_prior(value) for name, value in priors.items()}


def _lift_tests(tests: Any, geo: str | None) -> tuple:
    from mmm_widgets.steps.model import LiftTest

    if tests is None:
        return ()
    rows = tests.to_dict("records") if isinstance(tests, pd.DataFrame) else list(tests)
    out = []
    for row in rows:
        if isinstance(row, LiftTest):
            out.append(row)
            continue
        row = dict(row)
        geo_value = row.pop(geo, None) if geo else None
        row.setdefault("geo", geo_value)
        out.append(LiftTest(**{k: row[k] for k in (*LIFT_FIELDS, "geo") if k in row}))
    return tuple(out)


LIFT_FIELDS = ("channel", "x", "delta_x", "delta_y", "sigma")


def _variable_name(obj: object, frame) -> str:
    """Find a variable that holds ``obj`` in the callers' scopes ("df" if none).

    Only names exported code can bind are taken (see :func:`is_safe_name`): a frame held
    in ``data`` or ``X`` would be overwritten by the exported cells themselves.
    """
    caller = frame.f_back if frame is not None else None
    depth = 0
    while caller is not None and depth < 8:
        if caller.f_globals.get("__name__", "").startswith("mmm_widgets"):
            caller = caller.f_back
            continue
        for scope in (caller.f_locals, caller.f_globals):
            for key, value in list(scope.items()):
                if value is obj and is_safe_name(key):
                    return key
        caller = caller.f_back
        depth += 1
    return "df"
