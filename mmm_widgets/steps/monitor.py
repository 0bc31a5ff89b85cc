"""Progress and cancel for a running fit, without changing the code that runs.

The fit step runs the exported line ``mmm.fit(...)`` as it is. While it runs,
:meth:`FitMonitor.instrument` wraps ``nutpie.sample`` (and ``pymc.sample`` for PyMC's own
sampler) *for the fitting thread only*: nutpie is started non-blocking with the same
arguments, so the draws are identical to a plain call, and the wrapper polls it, reports
progress and aborts it on cancel. A fit to convergence also hands it a *watch*
(:class:`~mmm_widgets.steps.convergence.ConvergenceWatch`), which may stop the chains
at a number of draws: the trace kept is their first draws, identical to a plain call
with that many draws (nutpie's draws do not depend on how many are asked for).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from mmm_widgets.errors import FitCancelled, MMMWidgetsError, Problem
from mmm_widgets.steps import compiled as compiled_models

_PATCH_LOCK = threading.Lock()
_POLL_SECONDS = 0.1
#: The message of the KeyboardInterrupt a fit raises for a kernel interrupt it noted.
INTERRUPTED = "the fit was interrupted"


class SamplingWatch(Protocol):
    """Decides, while nutpie samples, whether to stop at a number of draws per chain."""

    def finish(self, trace: Any) -> int | None:
        """The draws per chain to keep of a ``trace`` nutpie finished (None: all)."""

    def __call__(self, sampler: Any, finished: list[int]) -> int | None:
        """None to go on, or the draws per chain (after tuning) to keep and stop.

        Parameters
        ----------
        sampler : nutpie's background sampler
            To ``inspect()`` the draws so far (never to stop it).
        finished : list of int
            Draws finished per chain, tuning included.
        """


@dataclass(frozen=True)
class FitProgress:
    """A snapshot of a running fit.

    Attributes
    ----------
    phase : str
        ``"idle"``, ``"building"``, ``"compiling"``, ``"sampling"``, ``"summarising"``,
        ``"done"``, ``"cancelled"``, ``"interrupted"`` or ``"failed"``.
    draws_done, draws_total : int
        Draws finished (tuning included) over all chains, and the total expected.
    divergences : int
        Divergent transitions so far (after tuning).
    elapsed : float
        Seconds since the fit started.
    eta : float or None
        Estimated seconds left (None until sampling has made progress).
    fold, folds : int
        For a run of several fits (cross-validation): the fit under way, from 1, and how
        many there are; the draws and ETA are the current fit's. 0 for a single fit.
    """

    phase: str
    draws_done: int
    draws_total: int
    divergences: int
    elapsed: float
    eta: float | None
    fold: int = 0
    folds: int = 0

    @property
    def fraction(self) -> float:
        """Share of draws done, 0 to 1."""
        return self.draws_done / self.draws_total if self.draws_total else 0.0


class FitMonitor:
    """Shared between the fitting thread and whoever watches it (a panel, a test)."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self.phase = "idle"
        self._done = 0
        self._total = 0
        self._total_override: int | None = None
        self._finished: list[int] = []
        self._divergences = 0
        self._started: float | None = None
        self._sampling_started: float | None = None
        self._done_at_sampling_start = 0
        self._fold = 0
        self._folds = 0
        self._interrupted: threading.Event | None = None

    # ----- watcher side -----------------------------------------------------------
    def cancel(self) -> None:
        """Ask the fit to stop; it raises :class:`FitCancelled` at the next poll."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel.is_set()

    def snapshot(self) -> FitProgress:
        """The current progress."""
        with self._lock:
            now = time.perf_counter()
            elapsed = now - self._started if self._started else 0.0
            eta = None
            if self._sampling_started and self._done > self._done_at_sampling_start:
                rate = (self._done - self._done_at_sampling_start) / (
                    now - self._sampling_started)
                eta = max(0.0, (self._total - self._done) / rate) if rate > 0 else None
            return FitProgress(self.phase, self._done, self._total, self._divergences,
                               elapsed, eta, self._fold, self._folds)

    # ----- fitting side -----------------------------------------------------------
    def start(self, total_draws: int) -> None:
        """Reset for a new fit of ``total_draws`` draws (tuning included, all chains)."""
        with self._lock:
            self._cancel.clear()
            self.phase = "building"
            self._done, self._total, self._divergences = 0, total_draws, 0
            self._total_override, self._finished = None, []
            self._started = time.perf_counter()
            self._sampling_started = None
            self._fold = self._folds = 0

    def start_fold(self, fold: int, folds: int, total_draws: int) -> None:
        """Begin fit ``fold`` of ``folds`` (of ``total_draws`` draws) within one run.

        Draws, divergences and the ETA restart for each fit; the elapsed time and a
        pending cancel carry over.
        """
        with self._lock:
            self.phase = "building"
            self._done, self._total, self._divergences = 0, total_draws, 0
            self._total_override, self._finished = None, []
            self._sampling_started = None
            self._fold, self._folds = fold, folds

    def set_total(self, total_draws: int) -> None:
        """Show progress against ``total_draws`` (all chains, tuning included) from now.

        A fit to convergence asks nutpie for up to its cap of draws and stops at a
        check; its progress is shown against the next check.
        """
        with self._lock:
            self._total_override = self._total = int(total_draws)

    def finished_per_chain(self) -> list[int]:
        """Draws finished per chain (tuning included) at nutpie's last report."""
        with self._lock:
            return list(self._finished)

    def sampling_seconds(self) -> float | None:
        """Seconds since the current fit began sampling (compile and build left out).

        None before it samples. Read after a fit ends, it is that fit's sampling time.
        """
        with self._lock:
            if self._sampling_started is None:
                return None
            return time.perf_counter() - self._sampling_started

    def set_phase(self, phase: str) -> None:
        """Record what the fit is doing now."""
        with self._lock:
            self.phase = phase
            if phase == "sampling" and self._sampling_started is None:
                self._sampling_started = time.perf_counter()
                self._done_at_sampling_start = self._done

    def check_cancel(self) -> None:
        """Raise :class:`FitCancelled` if a cancel was asked for.

        Inside :meth:`outcome`, it first raises a kernel interrupt that was noted but lost
        (see :func:`_raise_if`).
        """
        if self._interrupted is not None:
            _raise_if(self._interrupted)
        if self._cancel.is_set():
            raise FitCancelled(Problem(what="The fit was cancelled.",
                                       fix="Nothing was changed; start a new fit when ready."))

    def _on_nutpie_progress(self, chains: list[Any]) -> None:
        with self._lock:
            self._finished = [int(c.finished_draws) for c in chains]
            self._done = sum(self._finished)
            self._total = (self._total_override or sum(int(c.total_draws) for c in chains)
                           or self._total)
            self._divergences = sum(int(c.divergences) for c in chains)

    def _on_pymc_draw(self, trace: Any, draw: Any) -> None:
        with self._lock:
            self._done += 1
            stats = draw.stats[0] if draw.stats else {}
            if not draw.tuning and stats.get("diverging", False):
                self._divergences += 1
        self.check_cancel()

    @contextlib.contextmanager
    def outcome(self, translate: Callable[[Exception], MMMWidgetsError]) -> Iterator[None]:
        """Record how the block ends in :attr:`phase`; turn foreign errors into kit errors.

        A cancel ends "cancelled", an error "failed" (pymc / pytensor errors pass through
        ``translate``), a kernel interrupt "interrupted"; every one is raised again.

        A kernel interrupt is raised as one even when it did not surface as one: when a
        garbage collector's callback swallowed it (see :func:`_raise_if`), at the next
        :meth:`check_cancel` or, at the latest, when the block ends; when the code it
        landed in answered it otherwise (pymc's ``find_MAP`` returns the point reached,
        and PyMC's sampler the draws made so far, which then fail further on), instead of
        the error that followed. Either way the fit is not committed.
        """
        try:
            with _noting_interrupts() as interrupted:
                self._interrupted = interrupted
                try:
                    yield
                    _raise_if(interrupted)
                except Exception:
                    if interrupted.is_set():
                        raise KeyboardInterrupt(INTERRUPTED) from None
                    raise
                finally:
                    self._interrupted = None
        except FitCancelled:
            self.set_phase("cancelled")
            raise
        except MMMWidgetsError:
            self.set_phase("failed")
            raise
        except Exception as error:
            self.set_phase("failed")
            raise translate(error) from error
        except BaseException:
            # A kernel interrupt: the sampler is stopped (see instrument) and nothing was
            # committed, so the workflow keeps its previous result.
            self.set_phase("interrupted")
            raise

    @contextlib.contextmanager
    def instrument(self, watch: SamplingWatch | None = None) -> Iterator[None]:
        """Within this block, fits started by the current thread report here and obey cancel.

        ``watch``, when given, is asked at every poll of a nutpie fit whether to stop; when
        it names a number of draws, nutpie is stopped and the fit gets the trace of the
        first that many draws of every chain (see :func:`first_draws`). Each poll of a
        nutpie fit and each PyMC draw calls :meth:`check_cancel`: inside :meth:`outcome`,
        as every fit runs, that also stops the fit at a kernel interrupt that was lost.

        Their nutpie compiles go through :func:`mmm_widgets.steps.compiled.compile_model`,
        so a fit inside :func:`~mmm_widgets.steps.compiled.reusing_compiled` reuses the
        compiled model.
        """
        import nutpie
        import pymc

        owner = threading.get_ident()
        original_sample, original_compile = nutpie.sample, nutpie.compile_pymc_model
        original_pm_sample = pymc.sample
        monitor = self

        def compile_model(*args: Any, **kwargs: Any):
            if threading.get_ident() != owner:
                return original_compile(*args, **kwargs)
            monitor.set_phase("compiling")
            compiled = compiled_models.compile_model(original_compile, *args, **kwargs)
            monitor.check_cancel()
            return compiled

        def sample(*args: Any, **kwargs: Any):
            if threading.get_ident() != owner or kwargs.get("blocking") is False:
                return original_sample(*args, **kwargs)
            outer_callback = kwargs.get("progress_callback")

            def callback(chains: list[Any]) -> None:
                monitor._on_nutpie_progress(chains)
                if outer_callback is not None:
                    outer_callback(chains)

            kwargs.update(blocking=False, progress_callback=callback)
            monitor.set_phase("sampling")
            sampler = original_sample(*args, **kwargs)
            try:
                while not _finished(sampler):
                    keep = None if watch is None else watch(sampler,
                                                            monitor.finished_per_chain())
                    # Also raises a kernel interrupt that the watch's collections swallowed.
                    monitor.check_cancel()
                    if keep is not None:
                        return first_draws(sampler.abort(), keep)
                    time.sleep(_POLL_SECONDS)
                monitor.check_cancel()
                trace = sampler.wait()
                keep = None if watch is None else watch.finish(trace)
                return trace if keep is None else first_draws(trace, keep)
            except BaseException:
                # Cancel, kernel interrupt (KeyboardInterrupt) or a failure: nutpie's
                # threads would otherwise keep sampling until the sampler is collected,
                # and the traceback keeps it alive.
                _stop(sampler)
                raise

        def pm_sample(*args: Any, **kwargs: Any):
            if threading.get_ident() != owner or kwargs.get("nuts_sampler") != "pymc":
                return original_pm_sample(*args, **kwargs)
            monitor.set_phase("sampling")
            # PyMC answers a KeyboardInterrupt by returning the draws made so far (or by
            # failing with "not enough samples" during tuning, which outcome() turns back
            # into the interrupt): a fit on part of a chain must not pass for a finished one.
            on_draw = kwargs.get("callback", monitor._on_pymc_draw)

            def callback(*draw_args: Any, **draw_kwargs: Any) -> None:
                monitor.check_cancel()  # PyMC stops at a noted interrupt as at the interrupt
                on_draw(*draw_args, **draw_kwargs)

            kwargs["callback"] = callback
            idata = original_pm_sample(*args, **kwargs)
            monitor.check_cancel()
            return idata

        with _PATCH_LOCK:
            nutpie.sample, nutpie.compile_pymc_model = sample, compile_model
            pymc.sample = pm_sample
            try:
                yield
            finally:
                nutpie.sample, nutpie.compile_pymc_model = original_sample, original_compile
                pymc.sample = original_pm_sample


def first_draws(trace: Any, draws: int) -> Any:
    """nutpie's ``trace`` (a DataTree) cut to the first ``draws`` draws of every chain.

    The posterior, its sample stats and the unconstrained draws are cut; the tuning
    groups are whole. Every chain must have made at least ``draws`` draws.
    """
    import xarray as xr

    groups = {}
    for name, node in trace.children.items():
        dataset = node.to_dataset()
        if not name.startswith("warmup") and "draw" in dataset.dims:
            dataset = dataset.isel(draw=slice(0, draws))
        groups[name] = dataset
    cut = xr.DataTree.from_dict(groups)
    cut.attrs = dict(trace.attrs)
    return cut


def _stop(sampler: Any) -> None:
    """Abort a nutpie sampler, whatever state it is in."""
    # An error here means it had already finished or failed: nothing left to stop.
    with contextlib.suppress(Exception):
        sampler.cancel()


@contextlib.contextmanager
def _noting_interrupts() -> Iterator[threading.Event]:
    """Within this block, record SIGINT (a kernel interrupt) before handling it as usual.

    Only the main thread receives signals; elsewhere the event is never set.
    """
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum: int, frame: Any) -> None:
        interrupted.set()
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def _raise_if(interrupted: threading.Event) -> None:
    """Raise the interrupt :func:`_noting_interrupts` noted, in case it was lost.

    A signal handler runs wherever the main thread is; when that is a garbage
    collector's callback (dask's or numba's), Python prints the handler's
    ``KeyboardInterrupt`` as "Exception ignored" and carries on.
    """
    if interrupted.is_set():
        raise KeyboardInterrupt(INTERRUPTED)


def _finished(sampler: Any) -> bool:
    # nutpie 0.16 raises TimeoutError from is_finished while the chains still run.
    try:
        return bool(sampler.is_finished)
    except TimeoutError:
        return False
