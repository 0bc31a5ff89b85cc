"""Step 3 — fit: pymc-marketing's ``mmm.fit`` and the channel summary it gives."""

from __future__ import annotations

import importlib.util
import os
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mmm_widgets import settings
from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.errors import FitError, ModelError, problem
from mmm_widgets.steps.base import Params, Step, execute
from mmm_widgets.steps.compiled import model_key, reusing_compiled
from mmm_widgets.steps.convergence import (
    MAX_DRAWS,
    ConvergenceWatch,
    FitAttempt,
    comment_lines,
    convergence_lines,
    held_back,
    judge_attempt,
    message,
    next_settings,
    predicted_seconds,
    retuned,
)
from mmm_widgets.steps.model import ModelStep, interaction_columns
from mmm_widgets.steps.monitor import FitMonitor

METHODS = ("mcmc", "map")
SAMPLERS = ("auto", "nutpie", "pymc")
# nutpie's mass-matrix adaptations; "diag" is nutpie's default (gradient-based).
ADAPTATIONS = ("draw_diag", "diag", "low_rank")
HDI_PROB = 0.94
#: What the channel summary's code imports (:func:`summary_lines`).
SUMMARY_IMPORTS = ("import arviz as az", "import pandas as pd", "import xarray as xr",
                   "from pymc_marketing.mmm.incrementality import Incrementality")
#: Channel-contribution values (draws x chains x dates x geos x channels) that
#: pymc-marketing's incrementality evaluates at once in the summary; more draws go in slices.
#: All at once it holds some twenty arrays the size of the posterior's channel contributions
#: (the process grew from 1.8 to 13.9 GB on 20 geos x 12 channels x 156 weeks x 2 x 1,000
#: draws); a slice of a million values added under 100 MB to the process, and the slices
#: were faster than the whole (benchmarks/RESULTS.md, "Large geo panel").
SLICE_VALUES = 1_000_000
# contribution and roas count carryover; the _window columns leave it out (see summary_lines)
SUMMARY_COLUMNS = ("spend", "contribution", "contribution_hdi_low", "contribution_hdi_high",
                   "roas", "roas_hdi_low", "roas_hdi_high", "share", "marginal_roas",
                   "marginal_roas_hdi_low", "marginal_roas_hdi_high", "contribution_window",
                   "contribution_window_hdi_low", "contribution_window_hdi_high",
                   "roas_window", "roas_window_hdi_low", "roas_window_hdi_high")


@dataclass(frozen=True)
class FitParams(Params):
    """Parameters of the fit step.

    Parameters
    ----------
    method : {"mcmc", "map"}
        Full posterior by NUTS, or a quick point estimate (MAP) for a preview.
    draws, tune, chains : int
        Posterior draws per chain, tuning steps per chain, and number of chains.
    random_seed : int
        Seed, so that the exported code gives the same numbers.
    sampler : {"auto", "nutpie", "pymc"}
        ``"auto"`` uses nutpie when installed (several times faster here), else PyMC.
    target_accept : float
        NUTS step-size target; raise it (0.95) when there are divergences.
    hdi_prob : float
        Probability mass of the credible intervals in the summary.
    adaptation : {"draw_diag", "diag", "low_rank"}
        How nutpie adapts its mass matrix while tuning. ``"draw_diag"`` (the variance
        of the draws, as in Stan and PyMC) mixed the saturation parameters of the bundled
        model best: 1.3 to 2 times the minimum ESS per second of nutpie's default
        ``"diag"`` (see ``benchmarks/RESULTS.md``). Ignored by PyMC's sampler.
    freeze_model : bool
        Let nutpie compile the data into the model as constants
        (``compile_kwargs={"freeze_model": True}``). The compiled code is then the same for
        every fit of the same model, so numba's disk cache serves it: a new fit of a model
        compiled before (in any session) compiles in about half the time. Sampling is not
        slower for it: on a 20 geos x 12 channels x 156 weeks panel, frozen and not, the
        same seed gave the same posterior in 115 and 119 s (nutpie's steps are slower
        frozen only when it also computes the deterministics at each draw, which
        pymc-marketing's fit leaves to after the sampling). Ignored by PyMC's sampler.
    cores : int, optional
        Threads nutpie samples the chains on. By default one per chain, up to this
        machine's CPU count (PyMC's own default assumes half the CPUs are hyper-threads and
        would run two chains one after the other on a two-core machine). The draws do not
        depend on it. PyMC's sampler keeps its own default.
    until_converged : bool
        Fit to convergence (MCMC only): check every free parameter (r-hat <= 1.01, bulk
        and tail ESS >= 400, with arviz) and, while they fall short, draw on. With nutpie
        the chains run on from their adapted state and the targets are checked at growing
        draws; the fit keeps the first draws of every chain up to the check where they
        held. A new attempt with more tuning (the same seed) starts only when the chains
        clearly disagree; with PyMC's sampler every attempt is a new fit with more draws.
        ``draws`` is the first check; after the fit, ``draws`` and ``tune`` are the
        settings reached, which the exported cell runs once for the same posterior (see
        :mod:`mmm_widgets.steps.convergence`).
    time_budget : float
        Seconds a fit to convergence may take, from its start (model build and compile
        included): it stops at the last check (or attempt) after which, at the sampling
        speed so far, the next would end after it. The first check is always made.
    max_attempts : int
        Most sampler runs (each with its own tuning) a fit to convergence makes.
    attempts : tuple of FitAttempt
        Filled by a fit to convergence: every attempt, the one exported last.
    """

    method: str = "mcmc"
    draws: int = 500
    tune: int = 500
    chains: int = 2
    random_seed: int = 42
    sampler: str = "auto"
    target_accept: float = 0.8
    hdi_prob: float = field(default_factory=lambda: settings.interval())
    adaptation: str = "draw_diag"
    freeze_model: bool = True
    cores: int | None = None
    until_converged: bool = False
    time_budget: float = 600.0
    max_attempts: int = 5
    attempts: tuple[FitAttempt, ...] = ()

    @classmethod
    def preset(cls, name: str, **changes: Any) -> FitParams:
        """Named settings: ``"preview"`` (MAP), ``"notebook"``, ``"binder"``, ``"publication"``.

        ``"notebook"`` and ``"publication"`` fit to convergence (``until_converged``),
        starting from their draws; ``"binder"`` makes one short fit.
        """
        presets = {
            "preview": cls(method="map"),
            "notebook": cls(until_converged=True),
            "binder": cls(draws=300, tune=300, chains=2),
            "publication": cls(draws=2000, tune=1500, chains=4, target_accept=0.95,
                               until_converged=True),
        }
        if name not in presets:
            raise ModelError(problem(f"Unknown preset {name!r}.",
                                     f"Use one of {', '.join(presets)}."))
        return presets[name].replace(**changes)


def resolve_sampler(sampler: str) -> str:
    """The NUTS implementation ``sampler`` stands for on this machine."""
    if sampler == "auto":
        return "nutpie" if importlib.util.find_spec("nutpie") is not None else "pymc"
    return sampler


@dataclass
class FitResult:
    """What a fit produced.

    Attributes
    ----------
    mmm : pymc_marketing.mmm.MMM
        The fitted model.
    channel_summary : pandas.DataFrame
        Per channel (:data:`SUMMARY_COLUMNS`): spend; contribution and ROAS with
        carryover (what the spend in the fitted period adds, its adstock carryover after
        the last fitted date included) with HDIs; ``share``: the posterior mean of
        contribution / total media contribution per draw (the overview's ``share`` too);
        ``marginal_roas`` (1 % more spend, carryover included) with HDI; and
        ``contribution_window`` / ``roas_window`` without the carryover past the fitted
        period (pymc-marketing's "elementwise" ROAS) with HDIs. See :func:`summary_lines`.
    seconds : float
        Wall time of the fit.
    divergences : int
        Divergent transitions after tuning (0 for MAP).
    interaction_effects : pandas.DataFrame or None
        Per interaction of the model (:func:`interaction_lines`); None without any.
    converged : bool or None
        For a fit to convergence: every free parameter met the targets (r-hat <= 1.01,
        bulk and tail ESS >= 400). None for other fits.
    attempts : tuple of FitAttempt
        A fit to convergence's attempts, the one kept last (empty for other fits).
    held_back : pandas.DataFrame or None
        The parameter values that miss a target (``r_hat``, ``ess_bulk``, ``ess_tail``),
        furthest first; empty when converged.
    message : str
        What a fit to convergence reached, why it stopped and, short of the targets, what
        to change.
    """

    mmm: Any
    channel_summary: pd.DataFrame
    seconds: float
    divergences: int
    interaction_effects: pd.DataFrame | None = None
    converged: bool | None = None
    attempts: tuple[FitAttempt, ...] = ()
    held_back: pd.DataFrame | None = None
    message: str = ""

    @property
    def worst_parameter(self) -> str | None:
        """The parameter value furthest from the targets (None outside a fit to convergence)."""
        return self.attempts[-1].worst if self.attempts else None

    @property
    def draws(self) -> int | None:
        """Draws per chain of the posterior a fit to convergence kept (None otherwise)."""
        return self.attempts[-1].draws if self.attempts else None

    @property
    def stopped(self) -> str | None:
        """Why a fit to convergence stopped: ``"converged"``, ``"time_budget"``,
        ``"max_attempts"`` or ``"max_draws"`` (None otherwise)."""
        return self.attempts[-1].outcome if self.attempts else None


class FitStep(Step):
    """Fit the model built by the model step and summarise the channels.

    The step re-runs the model step's code first, so each fit starts from a fresh
    ``MMM`` (pymc-marketing reuses an already-built model on a second ``fit``), and a
    cancelled or failed fit leaves the previous fit untouched.
    """

    kind = "fit"

    params: FitParams

    def __init__(self, params: FitParams, model_step: ModelStep,
                 monitor: FitMonitor | None = None):
        super().__init__(params)
        self.model_step = model_step
        self.monitor = monitor or FitMonitor()

    def validate(self, namespace: dict[str, Any]) -> None:
        """Check the settings; raise :class:`ModelError` listing every problem."""
        params, problems = self.params, []
        if params.method not in METHODS:
            problems.append(problem(f"Unknown method {params.method!r}.",
                                    "Use 'mcmc' (full posterior) or 'map' (quick preview)."))
        if params.sampler not in SAMPLERS:
            problems.append(problem(f"Unknown sampler {params.sampler!r}.",
                                    f"Use one of {', '.join(SAMPLERS)}."))
        if resolve_sampler(params.sampler) == "nutpie" and \
                importlib.util.find_spec("nutpie") is None:
            problems.append(problem("nutpie is not installed.",
                                    "pip install nutpie, or use sampler='pymc'."))
        for name, example in (("draws", 500), ("tune", 500), ("chains", 2)):
            value = getattr(params, name)
            minimum = 0 if name == "tune" else 1
            if not isinstance(value, int) or value < minimum:
                problems.append(problem(f"{name} must be a whole number of at least {minimum}.",
                                        f"Set {name} to e.g. {example}."))
        if not 0.5 <= params.target_accept < 1:
            problems.append(problem("target_accept must be between 0.5 and 1.",
                                    "Use 0.8 to 0.99; higher values reduce divergences."))
        if not 0 < params.hdi_prob < 1:
            problems.append(problem("hdi_prob must be between 0 and 1.", "Use e.g. 0.94."))
        if params.adaptation not in ADAPTATIONS:
            problems.append(problem(f"Unknown nutpie adaptation {params.adaptation!r}.",
                                    f"Use one of {', '.join(ADAPTATIONS)}."))
        if params.cores is not None and (not isinstance(params.cores, int) or params.cores < 1):
            problems.append(problem("cores must be a whole number of at least 1.",
                                    "Leave it unset (one per chain) or set e.g. 2."))
        if not isinstance(params.freeze_model, bool):
            problems.append(problem("freeze_model must be True or False.",
                                    "Use True (faster compiles) unless reproducing an older fit."))
        problems += self._convergence_problems()
        if problems:
            raise ModelError(problems)

    def _convergence_problems(self) -> list:
        params, problems = self.params, []
        if not isinstance(params.until_converged, bool):
            problems.append(problem("until_converged must be True or False.",
                                    "Use True to fit until r-hat and ESS meet their targets."))
        elif params.until_converged and params.method == "map":
            problems.append(problem("until_converged needs method='mcmc' (a MAP fit has no "
                                    "draws to check).", "Use method='mcmc' or "
                                    "until_converged=False."))
        elif params.until_converged and isinstance(params.chains, int) and params.chains < 2:
            problems.append(problem("until_converged needs at least 2 chains (r-hat compares "
                                    "chains).", "Set chains=2 or more."))
        budget = params.time_budget
        if isinstance(budget, bool) or not isinstance(budget, int | float) or not budget > 0:
            problems.append(problem("time_budget must be a number of seconds above 0.",
                                    "Set time_budget to e.g. 600."))
        attempts = params.max_attempts
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            problems.append(problem("max_attempts must be a whole number of at least 1.",
                                    "Set max_attempts to e.g. 5."))
        return problems

    @property
    def checks_convergence(self) -> bool:
        """Whether this is a fit to convergence (its cell checks the targets)."""
        return self.params.method == "mcmc" and self.params.until_converged

    def code(self) -> CodeChunk:
        """``mmm.fit(...)`` with every setting explicit, then the channel summary.

        A fit to convergence adds how its settings were reached (comments) and the check
        of the targets (``convergence``, ``held_back``, ``converged``).
        """
        sampling = self._sampling_chunk()
        return CodeChunk(comment=sampling.comment,
                         lines=(*sampling.lines, *self.summary_lines()),
                         imports=sampling.imports, title=self.title)

    def _sampling_chunk(self) -> CodeChunk:
        """The cell's first part: the fit and, for a fit to convergence, its check."""
        fit, comment = self.fit_line()
        params = self.params
        lines = [fit, *self.trim_lines()]
        if self.checks_convergence:
            lines = [*comment_lines(params.attempts, params.chains, params.time_budget),
                     *lines, *convergence_lines()]
        return CodeChunk(comment=comment, lines=tuple(lines),
                         imports=SUMMARY_IMPORTS,
                         title=self.title)

    def trim_lines(self) -> list[str]:
        """Drop the posterior variables no later step reads, to keep the posterior small.

        With yearly seasonality, pymc-marketing keeps each Fourier term per date
        (``fourier_contribution``, the largest variable after the channels'); their sum,
        ``yearly_seasonality_contribution``, is what the diagnostics and decomposition use.
        """
        if not self.model_step.params.yearly_seasonality:
            return []
        return ["# The seasonal terms per Fourier mode are not read later (their sum is "
                "yearly_seasonality_contribution).",
                'mmm.idata["posterior"] = mmm.idata["posterior"].to_dataset().drop_vars('
                '"fourier_contribution", errors="ignore")']

    def summary_lines(self) -> list[str]:
        """The channel summary's code, and the interaction effects' when the model has any."""
        columns = interaction_columns(self.model_step.data, self.model_step.params.interactions)
        return [*summary_lines(self.params.hdi_prob),
                *(interaction_lines(columns, self.params.hdi_prob) if columns else [])]

    def _result(self, namespace: dict[str, Any], seconds: float) -> FitResult:
        mmm = namespace["mmm"]
        result = FitResult(mmm=mmm, channel_summary=namespace["channel_summary"],
                           seconds=seconds, divergences=count_divergences(mmm),
                           interaction_effects=namespace.get("interaction_effects")
                           if self.model_step.params.interactions else None)
        if self.checks_convergence and self.params.attempts:
            params, table = self.params, namespace["convergence"]
            result.converged = bool(namespace["converged"])
            result.attempts = params.attempts
            result.held_back = held_back(table)
            result.message = message(params.attempts, params.chains, params.time_budget,
                                     params.max_attempts, table)
        return result

    def fit_line(self, mmm: str = "mmm", X: str = "X", y: str = "y") -> tuple[str, str]:
        """The ``fit`` call (for the named model and data) and a comment describing it."""
        params = self.params
        if params.method == "map":
            fit = (f"{mmm}.fit({X}, {y}, method='map', "
                   f"random_seed={literal(params.random_seed)}, progressbar=False)")
            comment = f"Fit: quick preview by MAP (a point estimate), seed {params.random_seed}"
        else:
            sampler = resolve_sampler(params.sampler)
            fit = (f"{mmm}.fit({X}, {y}, draws={literal(params.draws)}, "
                   f"tune={literal(params.tune)}, "
                   f"chains={literal(params.chains)}, "
                   f"target_accept={literal(params.target_accept)}, "
                   f"random_seed={literal(params.random_seed)}, "
                   f"nuts_sampler={literal(sampler)}{self._sampler_options(sampler)}, "
                   "progressbar=False)")
            comment = (f"Fit: NUTS ({sampler}), {params.chains} chains x {params.draws} draws "
                       f"after {params.tune} tuning steps, seed {params.random_seed}")
        return fit, comment

    def _sampler_options(self, sampler: str) -> str:
        if sampler != "nutpie":
            return ""
        options = {"adaptation": self.params.adaptation}
        compile_options = {"freeze_model": self.params.freeze_model}
        return (f", nuts={literal(options)}, compile_kwargs={literal(compile_options)}, "
                f"cores={literal(self.nutpie_cores())}")

    def nutpie_cores(self) -> int:
        """Threads for nutpie: ``params.cores``, else one per chain up to the CPU count."""
        if self.params.cores is not None:
            return self.params.cores
        return max(1, min(self.params.chains, os.cpu_count() or 1))

    def _compile_reuse(self, model_cell: str,
                       namespace: dict[str, Any]) -> AbstractContextManager[None]:
        """Reuse nutpie's compile of this very model (same model cell, same data)."""
        if self.params.method != "mcmc" or resolve_sampler(self.params.sampler) != "nutpie":
            return nullcontext()
        return reusing_compiled(model_key(model_cell, namespace["X"], namespace["y"]))

    def restore(self, namespace: dict[str, Any], mmm: Any) -> FitResult:
        """Take a fitted ``mmm`` loaded from disk as this step's result (no refit).

        Parameters
        ----------
        namespace : dict
            The workflow's namespace (the model step's variables are rebuilt in it).
        mmm : pymc_marketing.mmm.MMM
            A model loaded with ``MMM.load``.
        """
        trial = dict(namespace)
        execute(self.model_step.code(), trial)
        result = self.summarise(mmm, trial)
        namespace.clear()
        namespace.update(trial)
        self.result = result
        return result

    def summarise(self, mmm: Any, namespace: dict[str, Any] | None = None) -> FitResult:
        """The result of an already fitted ``mmm``, by running this step's summary code.

        Parameters
        ----------
        mmm : pymc_marketing.mmm.MMM
            A fitted model (e.g. loaded with ``MMM.load``).
        namespace : dict, optional
            Where the summary code runs (it binds ``mmm`` and its tables there); a new
            one by default.
        """
        namespace = {} if namespace is None else namespace
        namespace["mmm"] = mmm
        check = convergence_lines() if self.checks_convergence else []
        execute(CodeChunk("summary", (*check, *self.summary_lines()),
                          SUMMARY_IMPORTS), namespace)
        return self._result(namespace, 0.0)

    def run(self, namespace: dict[str, Any]) -> FitResult:
        """Rebuild the model, fit it with progress and cancel, and read the summary.

        Raises
        ------
        FitCancelled
            When :meth:`FitMonitor.cancel` was called; nothing changes.
        FitError
            When sampling fails, with the likely cause and what to change.
        """
        self.validate(namespace)
        if self.checks_convergence:
            return self._run_until_converged(namespace)
        params = self.params
        monitor = self.monitor
        per_chain = params.draws + params.tune
        monitor.start(per_chain * params.chains if params.method == "mcmc" else 0)
        trial = dict(namespace)
        with monitor.outcome(translate_fit_error):
            model_code = self.model_step.code()
            execute(model_code, trial)
            monitor.check_cancel()
            with self._compile_reuse(model_code.cell(), trial), monitor.instrument():
                execute(self.code(), trial)
        snapshot = monitor.snapshot()
        result = self._result(trial, snapshot.elapsed)
        monitor.set_phase("done")
        namespace.clear()
        namespace.update(trial)
        self.result = result
        return result

    def _run_until_converged(self, namespace: dict[str, Any]) -> FitResult:
        """Fit, checking the targets as the chains run, until converged or out of budget.

        Each attempt runs this step's cell on a fresh model (the model cell first), the
        compiled model reused. With nutpie the cell asks for up to :data:`MAX_DRAWS` draws
        and a :class:`ConvergenceWatch` stops the chains at the first check where the
        targets hold (or the budget or schedule ends), keeping the first draws of every
        chain; a new attempt (more tuning) starts only when the chains clearly disagree.
        With PyMC's sampler each attempt runs to its draws and the next has more. The
        last attempt's namespace is kept and its settings, with the draws it kept, become
        this step's parameters: the exported cell gives the same posterior.
        """
        start = self.params.replace(attempts=())
        monitor = self.monitor
        began = time.perf_counter()
        attempts: list[FitAttempt] = []
        current, trial = start, dict(namespace)
        watching = resolve_sampler(start.sampler) == "nutpie"
        monitor.start((start.draws + start.tune) * start.chains)
        with monitor.outcome(translate_fit_error):
            model_code = self.model_step.code()
            while True:
                number = len(attempts) + 1
                monitor.start_fold(number, start.max_attempts,
                                   (current.draws + current.tune) * current.chains)
                attempt_began = time.perf_counter()
                trial = dict(namespace)
                execute(model_code, trial)
                monitor.check_cancel()
                watch = ConvergenceWatch(
                    [v.name for v in trial["mmm"].model.free_RVs], current.tune,
                    current.draws, current.chains, began + start.time_budget,
                    may_retune=number < start.max_attempts,
                    on_next_check=monitor.set_total) if watching else None
                planned = current.replace(draws=MAX_DRAWS) if watching else current
                step = FitStep(planned, self.model_step)
                with self._compile_reuse(model_code.cell(), trial), \
                        monitor.instrument(watch):
                    execute(step._sampling_chunk(), trial)
                current = current.replace(
                    draws=int(trial["mmm"].idata.posterior.sizes["draw"]))
                seconds = time.perf_counter() - attempt_began
                sampling = monitor.sampling_seconds() or seconds
                attempt = judge_attempt(current.draws, current.tune, seconds, sampling,
                                        trial["convergence"], bool(trial["converged"]),
                                        watch.checks if watch else ())
                outcome, following = self._after(attempt, number, watch,
                                                 time.perf_counter() - began,
                                                 trial["convergence"])
                attempts.append(attempt.replace(outcome=outcome))
                if outcome != "extended":
                    break
                current = current.replace(draws=following[0], tune=following[1])
            monitor.set_phase("summarising")
            execute(CodeChunk("summary", tuple(self.summary_lines()),
                              SUMMARY_IMPORTS), trial)
        self.params = current.replace(attempts=tuple(attempts))
        result = self._result(trial, time.perf_counter() - began)
        monitor.set_phase("done")
        namespace.clear()
        namespace.update(trial)
        self.result = result
        return result

    def _after(self, attempt: FitAttempt, number: int, watch: ConvergenceWatch | None,
               elapsed: float, table: pd.DataFrame) -> tuple[str, tuple[int, int] | None]:
        """What follows an attempt (see OUTCOMES) and, when another, its draws and tuning.

        After a watched (nutpie) attempt, another follows only when the watch stopped for
        chains that disagree: the same draws, more tuning. After a PyMC attempt, the
        draws grow by :func:`next_settings` while the budget allows.
        """
        if attempt.converged:
            return "converged", None
        if watch is not None and watch.stop != "converged":
            if watch.stop == "retune":
                return "extended", (attempt.draws, retuned(attempt.tune))
            if watch.stop is not None:
                return watch.stop, None
        if number >= self.params.max_attempts:
            return "max_attempts", None
        following = next_settings(attempt.draws, attempt.tune, table)
        if following is None or attempt.draws >= MAX_DRAWS:
            return "max_draws", None
        if elapsed + predicted_seconds(attempt, *following) > self.params.time_budget:
            return "time_budget", None
        return "extended", following


def incremental_lines() -> list[str]:
    """Code defining ``spend`` and ``incremental_contribution(factor)`` for the fitted ``mmm``.

    It needs :data:`SUMMARY_IMPORTS`.

    ``incremental_contribution(0.0)`` is each channel's contribution with carryover per
    draw (``chain, draw, channel``), the numerator of the kit's one ROAS definition (see
    :func:`summary_lines`); the model search reads ROAS from it too.
    """
    return [
        "spend = mmm.data.get_channel_spend()",
        "spend = spend.sum([d for d in spend.dims if d != 'channel'])",
        "fitted_dates = pd.DatetimeIndex(mmm.data.dates, freq='infer')",
        "tail_dates = pd.date_range(fitted_dates[-1], periods=mmm.adstock.l_max + 1,",
        "                           freq=fitted_dates.freq or "
        "fitted_dates[-1] - fitted_dates[-2])[1:]",
        "",
        "",
        "def carryover_past_data(factor):",
        "    \"\"\"Contribution (chain, draw, channel) landing after the last fitted date, with "
        "the spend",
        "    of the last l_max fitted periods multiplied by ``factor``.\"\"\"",
        "    dates = pd.to_datetime(mmm.X[mmm.date_column])",
        "    recent = mmm.X[dates >= fitted_dates[-mmm.adstock.l_max]].copy()",
        "    recent[mmm.channel_columns] = recent[mmm.channel_columns] * factor",
        "    future = pd.concat([mmm.X[dates == fitted_dates[-1]].assign(**{mmm.date_column: d})",
        "                        for d in tail_dates])",
        "    future[mmm.channel_columns] = 0.0",
        "    predicted = mmm.sample_posterior_predictive(",
        "        pd.concat([recent, future], ignore_index=True), extend_idata=False, "
        "combined=False,",
        "        var_names=['channel_contribution'], progressbar=False)",
        "    tail = predicted['channel_contribution'].sel(date=tail_dates) * "
        "mmm.data.get_target_scale()",
        "    return tail.sum([d for d in tail.dims if d not in ('chain', 'draw', 'channel')])",
        "",
        "",
        "def incremental_within(factor):",
        "    \"\"\"pymc-marketing's incremental contribution up to the last fitted date, "
        "per draw.",
        "",
        "    It evaluates every channel's counterfactual over all the draws it is given at "
        "once, so the",
        f"    posterior goes in slices of about {SLICE_VALUES:,} contribution values: the "
        "memory stays",
        "    bounded and each draw's number is the same.\"\"\"",
        "    full_posterior = mmm.idata['posterior'].to_dataset()",
        "    values_per_draw = full_posterior['channel_contribution'].isel(draw=0).size",
        f"    draws_per_slice = max(1, {SLICE_VALUES} // values_per_draw)",
        "    slice_results = []",
        "    for first_draw in range(0, full_posterior.sizes['draw'], draws_per_slice):",
        "        sliced_idata = mmm.idata.copy()",
        "        sliced_idata['posterior'] = full_posterior.isel(",
        "            draw=slice(first_draw, first_draw + draws_per_slice))",
        "        slice_result = Incrementality(model=mmm, idata=sliced_idata)"
        ".compute_incremental_contribution(",
        "            frequency='all_time', counterfactual_spend_factor=factor)",
        "        # pymc-marketing numbers the draws of a slice from 0: give them their own",
        "        slice_results.append(slice_result.assign_coords(",
        "            draw=sliced_idata['posterior']['draw'].values))",
        "    within = xr.concat(slice_results, 'draw')",
        "    return within.sum([d for d in within.dims if d not in ('chain', 'draw', "
        "'channel')])",
        "",
        "",
        "def incremental_contribution(factor, carryover_as_spent=None):",
        "    \"\"\"What the channels' spend in the fitted period adds (factor 0: all of it; "
        "1.01: 1 % more),",
        "    carryover included: pymc-marketing's incremental contribution up to the last "
        "fitted date,",
        "    and the carryover past it (``carryover_as_spent``: "
        "``carryover_past_data(1.0)``, if known).\"\"\"",
        "    within = incremental_within(factor)",
        "    if carryover_as_spent is None:",
        "        carryover_as_spent = carryover_past_data(1.0)",
        "    if factor == 0:",
        "        return within + carryover_as_spent",
        "    return within + carryover_past_data(factor) - carryover_as_spent",
        "",
        "",
    ]


def summary_lines(hdi_prob: float) -> list[str]:
    """Pandas/arviz code computing ``channel_summary`` from the fitted ``mmm``.

    ``contribution`` and ``roas`` count carryover: a channel's contribution is what its
    spend in the fitted period adds to the target, including the adstock carryover of
    that spend on later dates, after the last fitted date too (pymc-marketing's
    incremental contribution, :meth:`Incrementality.compute_incremental_contribution`,
    counts it up to the last fitted date; the carryover past it comes from
    pymc-marketing's posterior predictive on ``l_max`` periods without spend after the
    data). ``marginal_roas`` is what 1 % more spend in every fitted period adds, carryover
    included, per unit of that extra spend. ``contribution_window`` and ``roas_window``
    leave the carryover past the fitted period out (pymc-marketing's "elementwise" ROAS:
    the contribution landing on the fitted dates over the spend). Every ratio is computed
    in each posterior draw: the table holds its posterior mean and the HDI of its draws,
    never ratios of bounds; ``share`` is the mean over draws of contribution / total
    media contribution.
    """
    prob = literal(float(hdi_prob))
    return [
        *incremental_lines(),
        "# Per posterior draw. ROAS counts carryover: the contribution of the spend in the "
        "fitted period,",
        "# its adstock carryover after it included, over that spend",
        "carryover_as_spent = carryover_past_data(1.0)",
        "contribution = incremental_contribution(0.0, carryover_as_spent)",
        "summary_draws = {",
        "    'contribution': contribution,",
        "    'roas': contribution / spend,",
        "    'marginal_roas': incremental_contribution(1.01, carryover_as_spent) / "
        "(0.01 * spend),",
        "}",
        "# Without carryover past the fitted period: the contribution landing on the fitted "
        "dates over",
        "# the spend (pymc-marketing's 'elementwise' ROAS)",
        "contribution_window = mmm.data.get_channel_contributions(original_scale=True, "
        "period='all_time')",
        "summary_draws['contribution_window'] = contribution_window.sum(",
        "    [d for d in contribution_window.dims if d not in ('chain', 'draw', 'channel')])",
        "summary_draws['roas_window'] = summary_draws['contribution_window'] / spend",
        "channel_summary = pd.DataFrame({'spend': spend.to_series()})",
        "for name, draws in summary_draws.items():",
        f"    bounds = az.hdi(draws.rename(name), prob={prob})",
        "    channel_summary[name] = draws.mean(('chain', 'draw')).to_series()",
        "    channel_summary[name + '_hdi_low'] = bounds.sel(ci_bound='lower').to_series()",
        "    channel_summary[name + '_hdi_high'] = bounds.sel(ci_bound='upper').to_series()",
        "channel_summary['share'] = (contribution / contribution.sum('channel'))"
        ".mean(('chain', 'draw')).to_series()",
        f"channel_summary = channel_summary[{literal(list(SUMMARY_COLUMNS))}]",
    ]


def interaction_lines(columns: dict[str, Any], hdi_prob: float) -> list[str]:
    """Pandas/arviz code computing ``interaction_effects`` from the fitted ``mmm``.

    Each interaction regressor's contribution over the fit period, in target units, with
    its HDI, the probability that it is positive, and its size relative to the two
    channels' own contributions.

    Parameters
    ----------
    columns : dict
        :func:`mmm_widgets.steps.model.interaction_columns`.
    hdi_prob : float
        Probability mass of the intervals.
    """
    prob = literal(float(hdi_prob))
    pairs = {name: [a, b] for name, (a, _, b, _) in columns.items()}
    return [
        f"interaction_pairs = {literal(pairs)}",
        "interaction = mmm.data.get_contributions(original_scale=True, "
        "include_baseline=False, include_seasonality=False, period='all_time')['controls']",
        "interaction = interaction.sel(control=list(interaction_pairs))",
        "interaction = interaction.sum([d for d in interaction.dims "
        "if d not in ('chain', 'draw', 'control')])",
        f"interaction_hdi = az.hdi(interaction.rename('interaction'), prob={prob})",
        "pair_contribution = pd.Series({name: float(contribution.sel(channel=pair).sum("
        "'channel').mean()) for name, pair in interaction_pairs.items()})",
        "interaction_effects = pd.DataFrame({",
        "    'channels': pd.Series({n: ' & '.join(p) for n, p in interaction_pairs.items()}),",
        "    'contribution': interaction.mean(('chain', 'draw')).to_series(),",
        "    'contribution_hdi_low': interaction_hdi.sel(ci_bound='lower').to_series(),",
        "    'contribution_hdi_high': interaction_hdi.sel(ci_bound='upper').to_series(),",
        "    'probability_positive': (interaction > 0).mean(('chain', 'draw')).to_series(),",
        "})",
        "interaction_effects['relative_to_pair'] = (interaction_effects['contribution']"
        " / pair_contribution)",
        "interaction_effects.index.name = 'interaction'",
        "interaction_effects['verdict'] = 'no clear effect'",
        "interaction_effects.loc[interaction_effects['contribution_hdi_low'] > 0, 'verdict'] "
        "= 'synergy'",
        "interaction_effects.loc[interaction_effects['contribution_hdi_high'] < 0, 'verdict'] "
        "= 'cannibalization'",
    ]


def count_divergences(mmm: Any) -> int:
    """Divergent transitions in the fit (0 when the fit has none recorded)."""
    try:
        stats = mmm.idata["sample_stats"]
    except (KeyError, TypeError, AttributeError):
        return 0
    if "diverging" not in stats:
        return 0
    return int(stats["diverging"].sum())


def translate_fit_error(error: BaseException) -> FitError:
    """Turn a sampler or pytensor failure into a readable :class:`FitError`."""
    text = str(error)
    lowered = text.lower()
    # PyMC says "initial evaluation ... failed", nutpie "All initialization points failed".
    not_finite = ("initial evaluation", "initialization point", "initial point", "-inf", "nan")
    if any(marker in lowered for marker in not_finite):
        what = "The model could not start: the log-probability was not finite."
        fix = ("Check priors (e.g. a negative sigma) and the data (extreme values); try "
               "tighter priors or a different saturation.")
    elif type(error).__name__ == "ParameterValueError":
        # pymc-marketing's check of a transformation's parameter (adstock alpha in (0, 1]):
        # MAP drove it onto the edge, where a prior with its peak there pulls it
        what = (f"The fit drove a parameter onto the edge of its range ({text[:200]}): a "
                "prior whose density is highest at the edge (a Beta with alpha or beta "
                "under 1) gives the MAP no estimate inside it.")
        fix = ("Use a prior whose peak lies inside the range (e.g. Beta(1, 3) for adstock "
               "alpha), or fit with method='mcmc', which draws around the edge.")
    elif "memory" in lowered:
        what = "The fit ran out of memory."
        fix = "Use fewer draws or chains, or fewer geos and channels."
    else:
        first_line = text.splitlines()[0] if text else type(error).__name__
        what = f"The fit failed: {type(error).__name__}: {first_line[:300]}"
        fix = ("Your mapping and model settings are kept. Try the MAP preview, fewer "
               "channels, or the default priors.")
    return FitError(problem(what, fix))
