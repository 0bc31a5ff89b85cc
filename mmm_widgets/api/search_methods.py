"""Model search in the :class:`~mmm_widgets.workflow.Workflow` facade: search, use a candidate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mmm_widgets.engine.jobs import Job
from mmm_widgets.errors import ModelError, StepOrderError, problem


class SearchMethods:
    """The model search of the :class:`~mmm_widgets.workflow.Workflow` facade.

    Part of the Workflow facade: a mixin with no state of its own. The search runs as a
    step through :meth:`Workflow.run_step` (so it is exported like every step), blocking
    or as a :class:`~mmm_widgets.engine.jobs.Job`; :meth:`use_candidate` configures the
    model step with a ranked candidate's settings.
    """

    def search(self, grid: Mapping[str, Sequence[Any]] | None = None, *, folds: int = 3,
               horizon: int | None = None, method: str = "map", client: Any = None,
               random_seed: int = 1, workers: int | None = None, monitor: Any = None,
               **fit_settings: Any) -> pd.DataFrame:
        """Compare model specifications out of sample; one row per candidate, best first.

        Each candidate (the current model with the grid's settings) is refit on the
        periods before each of ``folds`` rolling windows of ``horizon`` periods (the
        windows end the data) and forecasts the window. Every (candidate, fold) is one
        task on a Dask cluster, seeded, so the same search gives the same table on one
        process or many.

        Parameters
        ----------
        grid : dict, optional
            Settings to values: ``adstock``, ``saturation``, ``l_max``,
            ``yearly_seasonality``; every combination is a candidate (a scalar or a
            left-out key keeps the current model's value). Default: geometric and delayed
            adstock x logistic and hill saturation x half, once and 1.5 times the model's
            ``l_max`` (12 candidates).
        folds, horizon : int
            Rolling windows and the periods each forecasts (default horizon: a quarter,
            :attr:`quarter_periods`, shortened when the folds would leave too few periods
            to fit on).
        method : {"map", "mcmc"}
            How each fold is fitted: MAP (seconds) or NUTS (``draws``, ``tune``,
            ``chains`` in ``fit_settings``; adds ELPD-LOO).
        client : distributed.Client, optional
            The Dask cluster to run on (``Client("tcp://scheduler:8786")`` or any Dask
            deployment; its workers need pymc-marketing). Default: a local cluster of one
            process per CPU, started once per kernel.
        random_seed : int
            Seed of every fit and forecast.
        workers : int, optional
            Processes of the local cluster (ignored with ``client``).
        monitor : SearchMonitor, optional
            Receives progress (tasks done, running, failed, ETA); its ``cancel()`` stops.

        Returns
        -------
        pandas.DataFrame
            Indexed by candidate: ``adstock, saturation, l_max, yearly_seasonality``,
            ``crps`` and ``mape`` (means over the folds; CRPS in target units),
            ``roas_spread`` (mean over channels of the coefficient of variation of ROAS,
            with carryover, across folds: how much the fit's story moves), ``elpd_loo``
            (last fold's fit, MCMC only), ``pareto`` (no other candidate beats it on both
            CRPS and ROAS spread), ``folds_scored`` and ``error`` (a failed candidate's
            errors; it is ranked last). Sorted by CRPS.

        Raises
        ------
        ModelError
            A grid setting the search cannot vary, a candidate the model step refuses, or
            folds that leave too little history.
        FitError
            When no candidate could be scored.
        FitCancelled
            After ``monitor.cancel()``; nothing changes.
        """
        from mmm_widgets.api.search import run_search, search_params

        unknown = sorted(set(fit_settings) - {"draws", "tune", "chains"})
        if unknown:
            raise ModelError(problem(f"search() has no argument {', '.join(unknown)}.",
                                     "Fit settings it takes: draws, tune, chains."))
        params = search_params(self, grid, folds=folds, horizon=horizon, method=method,
                               random_seed=random_seed, workers=workers, **fit_settings)
        return run_search(self, params, client, monitor).ranked

    def search_in_background(self, grid: Mapping[str, Sequence[Any]] | None = None,
                             **options: Any) -> Job:
        """Start :meth:`search` in a worker thread; ``job.result`` is its ranked table.

        ``job.progress()`` gives tasks done, running and failed with an ETA
        (:class:`~mmm_widgets.steps.search.SearchProgress`); ``job.cancel()`` stops it.
        """
        from mmm_widgets.steps.search import SearchMonitor

        job = Job(SearchMonitor(), "mmm-widgets-search")
        return job.start(lambda: self.search(grid, monitor=job.monitor, **options))

    @property
    def search_result(self) -> Any:
        """The current search's :class:`~mmm_widgets.steps.search.SearchResult`."""
        return self.step("search").result

    def use_candidate(self, number: int) -> Any:
        """Configure the model step with candidate ``number`` of the last search.

        The model keeps its priors (those of a media curve the candidate replaces are
        dropped), lift tests and interactions; the fit and later steps become stale.

        Parameters
        ----------
        number : int
            A label of the ranked table's index, e.g. ``ranked.index[0]``.

        Returns
        -------
        pymc_marketing.mmm.MMM
            The built, unfitted model.
        """
        from mmm_widgets.steps.model import ModelStep

        if self.status("search") not in ("done", "stale"):
            raise StepOrderError(problem("There is no search to take a candidate from.",
                                         "Run wf.search() first."))
        step = self.step("search")
        candidates = step.params.candidates
        if not isinstance(number, int | float) or not 1 <= int(number) <= len(candidates) \
                or int(number) != number:
            raise ModelError(problem(f"There is no candidate {number!r}.",
                                     f"Use a label of the ranked table, 1 to {len(candidates)}."))
        candidate = candidates[int(number) - 1]
        return self.run_step(ModelStep(candidate.model_params(step.params.base),
                                       self.data_result))
