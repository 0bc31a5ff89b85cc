"""Step 4 of the :class:`~mmm_widgets.workflow.Workflow` facade: check the fit."""

from __future__ import annotations

from typing import Any

from mmm_widgets.engine.jobs import Job as FitJob  # workflow.FitJob, from below the facade


class DiagnosticsMethods:
    """The checks of a fit in the :class:`~mmm_widgets.workflow.Workflow` facade.

    Part of the Workflow facade: a mixin with no state of its own that runs the
    diagnostics, the holdout forecast and time-slice cross-validation as steps through
    :meth:`Workflow.run_step`, the two refits also as a :class:`FitJob` in a worker thread.
    """

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

    def default_window(self, windows: int = 1) -> int:
        """Periods a hold-out, or each of ``windows`` cross-validation folds, forecasts.

        A quarter of the data (:attr:`quarter_periods`), shortened when the windows would
        leave the refit too few periods to fit on (twice the model's ``l_max``, at least
        20).

        Parameters
        ----------
        windows : int
            Windows cut from the end of the data: 1 for the hold-out, the folds for
            cross-validation.

        Returns
        -------
        int
        """
        from mmm_widgets.steps.holdout import default_window
        from mmm_widgets.steps.model import default_params

        model = (self.step("model").params if self.status("model") in ("done", "stale")
                 else default_params(self.data_result))
        return default_window(self.data_result.periods, model.l_max, self.quarter_periods,
                              windows)

    def holdout(self, periods: int | None = None, random_seed: int = 42, monitor=None,
                hdi_prob: float | None = None) -> dict[str, Any]:
        """Refit on all but the last ``periods`` periods and predict them.

        Parameters
        ----------
        periods : int, optional
            Periods held out (the most recent ones). Default: a quarter
            (:attr:`quarter_periods`: 13 weeks, 3 months or 91 days), fewer when a quarter
            would leave too few periods to fit on.
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

        if periods is None:
            periods = self.default_window()
        step = HoldoutStep(HoldoutParams(periods=periods, random_seed=random_seed,
                                         hdi_prob=self._level(hdi_prob)),
                           self.step("model"), self.step("fit"), monitor)
        return self.run_step(step).report()

    def cross_validate(self, folds: int = 3, horizon: int | None = None, random_seed: int = 42,
                       monitor=None, hdi_prob: float | None = None, *, client: Any = None,
                       on_dask: bool | None = None,
                       workers: int | None = None) -> dict[str, Any]:
        """Time-slice cross-validation: refit on rolling windows, forecast what follows.

        The last ``folds * horizon`` periods are cut into ``folds`` windows of ``horizon``
        periods; each fold refits the same model with the fit's settings on every period
        before its window (pymc-marketing's ``TimeSliceCrossValidator`` splits the data)
        and forecasts the window.

        Parameters
        ----------
        folds : int
            Number of folds.
        horizon : int, optional
            Periods each fold forecasts. Default: a quarter (:attr:`quarter_periods`),
            fewer when the folds would leave too few periods to fit on.
        random_seed : int
            Seed of the forecasts' predictive draws (the refits use the fit's own seed).
        monitor : FitMonitor, optional
            Receives progress (``snapshot().fold`` of ``.folds``); its ``cancel()`` stops.
        hdi_prob : float, optional
            Level of the forecasts' bands (default :attr:`interval`).
        client : distributed.Client, optional
            Fit the folds as tasks on this Dask cluster (any deployment; its workers need
            pymc-marketing). The numbers are those of the folds fitted one after another.
        on_dask : bool, optional
            Fit the folds as Dask tasks without giving a client: the kit's local cluster
            of ``workers`` processes (default: True when ``client`` is given).
        workers : int, optional
            Processes of that local cluster (default one per CPU).

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

        if horizon is None:
            horizon = self.default_window(folds if isinstance(folds, int) else 1)
        params = CrossValidationParams(folds=folds, horizon=horizon, random_seed=random_seed,
                                       hdi_prob=self._level(hdi_prob),
                                       on_dask=bool(client is not None if on_dask is None
                                                    else on_dask), workers=workers)
        step = CrossValidationStep(params, self.step("model"), self.step("fit"), monitor,
                                   client)
        return self.run_step(step).report()

    def holdout_in_background(self, periods: int | None = None, **options: Any) -> FitJob:
        """Start :meth:`holdout` in a worker thread; ``job.result`` is its report."""
        from mmm_widgets.steps.monitor import FitMonitor

        job = FitJob(FitMonitor(), "mmm-widgets-holdout")
        job.start(lambda: self.holdout(periods, monitor=job.monitor, **options))
        return job

    def cross_validate_in_background(self, folds: int = 3, horizon: int | None = None,
                                     **options: Any) -> FitJob:
        """Start :meth:`cross_validate` in a worker thread; ``job.result`` is its report."""
        from mmm_widgets.steps.monitor import FitMonitor

        job = FitJob(FitMonitor(), "mmm-widgets-cv")
        job.start(lambda: self.cross_validate(folds, horizon, monitor=job.monitor, **options))
        return job
