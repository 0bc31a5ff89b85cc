"""Steps 2 and 3 of the :class:`~mmm_widgets.workflow.Workflow` facade: model, fit, refresh."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import pandas as pd

from mmm_widgets.api.names import variable_name
from mmm_widgets.codegen import CodeChunk
from mmm_widgets.engine.jobs import Job as FitJob  # workflow.FitJob, from below the facade
from mmm_widgets.engine.runner import Runner
from mmm_widgets.engine.shown import Shown
from mmm_widgets.errors import StepOrderError, problem

#: The columns of a lift test (besides its geo) that configure_model reads from each row.
LIFT_FIELDS = ("channel", "x", "delta_x", "delta_y", "sigma")


class ModelMethods:
    """The model and fit methods of the :class:`~mmm_widgets.workflow.Workflow` facade.

    Part of the Workflow facade: a mixin with no state of its own that configures the
    model, runs the prior check, fits (blocking or as a :class:`FitJob` in a worker
    thread), reads the fitted model's summaries and refreshes the fit with new periods.
    Every change goes through :meth:`Workflow.run_step` or :meth:`Workflow.show`, so the
    core keeps the step order, staleness and the exported code.
    """

    # ----- step 2: model ------------------------------------------------------------
    def configure_model(self, adstock: str = "geometric", saturation: str = "logistic",
                        l_max: int | None = None, yearly_seasonality: int | None = 2,
                        priors: dict[str, Any] | None = None,
                        lift_tests: Any = None, time_varying_intercept: bool = False,
                        interactions: Sequence[tuple[str, str]] = (),
                        weekday_effects: bool | None = None) -> Any:
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
        l_max : int, optional
            Longest carryover in periods; by default 8 (weeks, months), 28 on daily data.
        yearly_seasonality : int or None
            Fourier order of the yearly pattern (None or 0 for none).
        priors : dict, optional
            Prior overrides by variable name, as ``Prior.to_dict()`` data or ``Prior``
            objects, e.g. ``{"adstock_alpha": Prior("Beta", alpha=2, beta=2)}``. Those not
            given are pymc-marketing's defaults; on daily data, the carryover's restated
            per day (:mod:`mmm_widgets.steps.daily_priors`).
        lift_tests : pandas.DataFrame or list of dict, optional
            Columns ``channel, x, delta_x, delta_y, sigma`` (and the geo column).
        time_varying_intercept : bool
            Let the baseline drift over time.
        interactions : sequence of (str, str)
            Channel pairs whose joint effect to estimate (synergy > 0, cannibalization
            < 0), e.g. ``[("tv", "search")]``; after the fit,
            :meth:`interaction_effects` reports each with its interval.
        weekday_effects : bool, optional
            Give each day of the week but Monday its own level (an indicator control per
            day). Daily data only; by default on for daily data, off otherwise.

        Returns
        -------
        pymc_marketing.mmm.MMM
            The built, unfitted model.
        """
        from mmm_widgets.steps.model import ModelParams, ModelStep, default_params

        defaults = default_params(self.data_result)
        if l_max is None:
            l_max = defaults.l_max
        if weekday_effects is None:
            weekday_effects = defaults.weekday_effects
        params = ModelParams(
            adstock=adstock, saturation=saturation, l_max=l_max,
            yearly_seasonality=yearly_seasonality or None,
            time_varying_intercept=bool(time_varying_intercept),
            priors=_plain_priors(priors or {}),
            lift_tests=_lift_tests(lift_tests, self.data_result.roles.geo),
            interactions=tuple(tuple(map(str, pair)) for pair in interactions),
            weekday_effects=bool(weekday_effects))
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
            until_converged: bool | None = None, **settings: Any) -> pd.DataFrame:
        """Fit the configured model (blocks; the panel runs it in a worker thread).

        Parameters
        ----------
        method : {"mcmc", "map"}
            Full posterior, or a quick MAP preview.
        preset : str, optional
            ``"notebook"`` (the default: 2 chains x 500 draws, fitted to convergence),
            ``"binder"``, ``"publication"``.
        monitor : FitMonitor, optional
            Receives progress; its ``cancel()`` stops the fit.
        until_converged : bool, optional
            Fit again with more draws until every free parameter has r-hat <= 1.01 and
            bulk and tail ESS >= 400, or ``time_budget`` (seconds, default 600) or
            ``max_attempts`` (default 5) runs out; the result
            (``wf.step("fit").result``) records ``converged``, ``attempts``, ``draws``,
            ``worst_parameter`` and a ``message``, and the exported cell is the attempt
            reached. By default the preset's choice, except that a fit given ``draws``
            or ``tune`` without a preset makes exactly those draws.
        **settings
            ``draws``, ``tune``, ``chains``, ``random_seed``, ``sampler`` (``"auto"``,
            ``"nutpie"``, ``"pymc"``), ``target_accept``, ``hdi_prob``, ``time_budget``,
            ``max_attempts``.

        Returns
        -------
        pandas.DataFrame
            :meth:`channel_summary`.
        """
        from mmm_widgets.steps.fit import FitParams, FitStep

        settings = {k: v for k, v in settings.items() if v is not None}
        settings.setdefault("hdi_prob", self.interval)
        if until_converged is None and preset is None and {"draws", "tune"} & set(settings):
            until_converged = False
        if until_converged is not None:
            settings["until_converged"] = until_converged
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

    def refresh_in_background(self, new_df: pd.DataFrame, name: str | None = None) -> FitJob:
        """Start :meth:`refresh` in a worker thread; ``job.result`` is its comparison."""
        from mmm_widgets.steps.monitor import FitMonitor

        if name is None:
            name = variable_name(new_df, inspect.currentframe())
        job = FitJob(FitMonitor())
        job.start(lambda: self.refresh(new_df, monitor=job.monitor, name=name))
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

    def refresh(self, new_df: pd.DataFrame, monitor=None, name: str | None = None
                ) -> pd.DataFrame:
        """Append new periods to the raw data, refit with the same settings, compare ROAS.

        Rows of ``new_df`` dated after the last date of the current raw table are appended
        (so the whole updated table may be passed); the data, model and fit steps are
        re-run with their current parameters. The data step's exported cell appends them
        too, from ``new_df``'s variable. The previous fit is kept in
        :attr:`last_refresh` (``previous``); later steps (diagnostics, attribution,
        budget) are marked stale. On any failure the workflow is left as it was.

        Parameters
        ----------
        new_df : pandas.DataFrame
            The new periods (or the whole table), with the raw table's columns.
        monitor : FitMonitor, optional
            Receives the refit's progress; its ``cancel()`` stops it.
        name : str, optional
            The variable holding ``new_df`` in exported code (found in the caller's
            scope when omitted; ``new_periods`` if none holds it).

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

        if name is None:
            name = variable_name(new_df, inspect.currentframe())
        return refresh(self, new_df, monitor, name)


def _plain_priors(priors: dict[str, Any]) -> dict[str, Any]:
    """Priors as ``Prior.to_dict()`` data (``Prior`` objects are converted)."""
    from mmm_widgets.steps.components import plain_prior

    return {name: plain_prior(value) for name, value in priors.items()}


def _lift_tests(tests: Any, geo: str | None) -> tuple:
    """Lift tests as :class:`LiftTest` rows, the geo taken from the data's geo column."""
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
