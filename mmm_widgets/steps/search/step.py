"""The search step: fit every candidate on every fold as Dask tasks, rank them.

The cell's code comes from :mod:`~mmm_widgets.steps.search.cell`; the step runs it with
the cluster as the kernel's current Dask client, follows its tasks on a
:class:`~mmm_widgets.steps.search.progress.SearchMonitor`, and reads what it leaves
behind into a :class:`~mmm_widgets.steps.search.params.SearchResult`.
"""

from __future__ import annotations

from typing import Any

from mmm_widgets.codegen import CodeChunk
from mmm_widgets.engine.cluster import default_workers, local_client
from mmm_widgets.errors import FitCancelled, FitError, ModelError, Problem, problem
from mmm_widgets.steps.base import Step, execute
from mmm_widgets.steps.cross_validation import first_training_periods
from mmm_widgets.steps.data import DataResult
from mmm_widgets.steps.fit import FitParams, FitStep
from mmm_widgets.steps.holdout import least_training_periods
from mmm_widgets.steps.model import ModelStep
from mmm_widgets.steps.search.cell import imports, search_lines
from mmm_widgets.steps.search.params import SearchParams, SearchResult
from mmm_widgets.steps.search.progress import SearchMonitor

METHODS = ("map", "mcmc")


class SearchStep(Step):
    """Compare model specifications by time-slice cross-validation, on a Dask cluster.

    Parameters
    ----------
    params : SearchParams
    data : DataResult
        The mapped data.
    client : distributed.Client, optional
        The cluster to run on; default the kit's local cluster
        (:func:`mmm_widgets.engine.cluster.local_client`).
    monitor : SearchMonitor, optional
        Receives progress; its ``cancel()`` stops the search.
    """

    kind = "search"

    params: SearchParams

    def __init__(self, params: SearchParams, data: DataResult, client: Any = None,
                 monitor: SearchMonitor | None = None):
        super().__init__(params)
        self.data = data
        self.client = client
        self.monitor = monitor or SearchMonitor()

    def models(self) -> list[ModelStep]:
        """Each candidate's model step, numbered from 1 in the list's order."""
        base = self.params.base
        return [ModelStep(candidate.model_params(base), self.data)
                for candidate in self.params.candidates]

    def fit_step(self) -> FitStep:
        """The fit every fold runs (one thread: each task has a worker's one core)."""
        p = self.params
        fit = FitParams(method=p.method, draws=p.draws, tune=p.tune, chains=p.chains,
                        random_seed=p.random_seed, cores=1)
        return FitStep(fit, self.models()[0])

    @property
    def periods(self) -> int:
        """Distinct dates of the mapped data."""
        return self.data.periods

    @property
    def workers(self) -> int:
        """Processes of the local cluster the exported code starts without a client."""
        return self.params.workers or default_workers()

    def validate(self, namespace: dict[str, Any]) -> None:
        """Check the settings and every candidate; raise :class:`ModelError` listing all."""
        p = self.params
        problems: list[Problem] = []
        if not p.candidates:
            problems.append(problem("The grid gives no candidate.",
                                    "Give at least one value for each setting, e.g. "
                                    "grid={'adstock': ['geometric', 'delayed']}."))
        if p.method not in METHODS:
            problems.append(problem(f"Unknown method {p.method!r}.",
                                    "Use 'map' (quick) or 'mcmc' (adds ELPD-LOO)."))
        for name in ("folds", "horizon", "draws", "chains"):
            value = getattr(p, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.append(problem(f"{name} must be a whole number of at least 1.",
                                        "e.g. folds=3, horizon=13."))
        if p.workers is not None and (not isinstance(p.workers, int) or p.workers < 1):
            problems.append(problem("workers must be a whole number of at least 1.",
                                    "Leave it unset (one per CPU) or give e.g. 2."))
        if problems:
            raise ModelError(problems)
        for number, model in enumerate(self.models(), start=1):
            try:
                model.validate(namespace)
            except ModelError as error:
                problems += [problem(f"Candidate {number} ({p.candidates[number - 1].describe()}"
                                     f"): {item.what}", item.fix, column=item.column)
                             for item in error.problems]
        least = least_training_periods(max(c.l_max for c in p.candidates))
        train = first_training_periods(self.periods, p.folds, p.horizon)
        if train < least:
            problems.append(problem(
                f"{p.folds} folds of {p.horizon} periods leave {max(train, 0)} of "
                f"{self.periods} periods for the first fold to fit on; the longest carryover "
                f"needs at least {least}.",
                "Use fewer folds, a shorter horizon or shorter l_max values."))
        if problems:
            raise ModelError(problems)

    def code(self) -> CodeChunk:
        """The search cell: candidates, fold task, Dask submission, ranking."""
        p = self.params
        models = self.models()
        lines = search_lines(p.candidates, models, self.fit_step(),
                             n_init=first_training_periods(self.periods, p.folds, p.horizon),
                             horizon=p.horizon, method=p.method, random_seed=p.random_seed,
                             workers=self.workers)
        fitted = "MAP" if p.method == "map" else f"NUTS ({p.chains} x {p.draws} draws)"
        comment = (f"Model search: {len(p.candidates)} candidates x {p.folds} rolling folds of "
                   f"{p.horizon} periods, each fold fitted by {fitted} (seed {p.random_seed}) "
                   "as a Dask task, ranked by out-of-sample CRPS")
        return CodeChunk(comment=comment, lines=tuple(lines),
                         imports=imports(models, p.method), title=self.title)

    def run(self, namespace: dict[str, Any]) -> SearchResult:
        """Run the search cell on the cluster, with progress and cancel.

        Raises
        ------
        FitCancelled
            When the monitor's ``cancel()`` was called; nothing changes.
        FitError
            When every candidate failed, with each one's error.
        """
        self.validate(namespace)
        client = self.client if self.client is not None else local_client(self.params.workers)
        trial = dict(namespace)
        trial.setdefault("__name__", "__main__")
        monitor = self.monitor
        monitor.watch(client, trial)
        try:
            with client.as_current():
                execute(self.code(), trial)
        except BaseException as error:
            monitor.finish("cancelled" if monitor.cancelled else "failed")
            if monitor.cancelled:
                raise _cancelled() from error
            raise
        monitor.finish("cancelled" if monitor.cancelled else "done")
        if monitor.cancelled:
            raise _cancelled()
        result = self.read_results(trial)
        namespace.clear()
        namespace.update(trial)
        self.result = result
        return result

    def read_results(self, namespace: dict[str, Any]) -> SearchResult:
        """The ranked table, scores and failures the cell left in ``namespace``.

        Raises
        ------
        FitError
            When no candidate could be scored.
        """
        ranked = namespace["ranked"]
        failures = namespace["search_failures"]
        if ranked["crps"].isna().all():
            errors = "; ".join(f"candidate {c}, fold {f}: {e}" for c, f, e in
                               failures.itertuples(index=False))
            raise FitError(problem(f"No candidate could be scored ({errors[:600]}).",
                                   "Check the first error; fix the model settings or the "
                                   "grid and search again."))
        return SearchResult(ranked, namespace["search_scores"], failures,
                            tuple(self.params.candidates))


def _cancelled() -> FitCancelled:
    return FitCancelled(problem("The search was cancelled.", "Start it again when ready."))
