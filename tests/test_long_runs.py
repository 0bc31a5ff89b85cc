"""Long fits: cancel, kernel interrupt and sampler failure leave the workflow as it was."""

from __future__ import annotations

import _thread
import gc
import signal
import sys
import threading
import time
from collections.abc import Callable

import nutpie
import pandas as pd
import pymc
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.monitor import FitMonitor

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]
ORIGINAL_SAMPLERS = (nutpie.sample, nutpie.compile_pymc_model, pymc.sample)


def _mapped(weekly: pd.DataFrame) -> mw.Workflow:
    wf = mw.Workflow(weekly)
    wf.map_data(date="date", target="sales", channels=CHANNELS,
                controls=["promo", "price_index"])
    wf.configure_model(l_max=4)
    return wf


@pytest.fixture(autouse=True)
def _python_sigint_handler():
    # A kernel runs cells with Python's own SIGINT handler; other tests in the same
    # session (Playwright's event loop) may have installed another one.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _when_sampling(monitor: FitMonitor, draws: int, act: Callable[[], None],
                   phase: str = "sampling") -> threading.Thread:
    """Call ``act`` from a watcher thread once the fit has made ``draws`` draws.

    With another ``phase`` (``"summarising"``), once the fit is in that phase.
    """

    def watch() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            progress = monitor.snapshot()
            if progress.phase == phase and progress.draws_done >= draws:
                act()
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


def _interrupt_when_sampling(monitor: FitMonitor, draws: int = 30) -> threading.Thread:
    """Send the main thread a KeyboardInterrupt (as a kernel interrupt does) mid-sampling."""
    return _when_sampling(monitor, draws, _thread.interrupt_main)


def _interrupt_inside_a_collection(monitor: FitMonitor, draws: int = 30,
                                   phase: str = "sampling") -> threading.Event:
    """Interrupt mid-``phase`` while the main thread runs a garbage collector's callback.

    There the SIGINT handler's ``KeyboardInterrupt`` is raised inside the callback, and
    Python reports it as unraisable ("Exception ignored") and carries on, as seen in CI
    with dask's and numba's callbacks. The returned event is set once that has happened.
    """
    armed, landed = threading.Event(), threading.Event()
    thresholds = gc.get_threshold()

    def in_collection(phase: str, _info: dict) -> None:
        if phase != "start" or not armed.is_set() or threading.current_thread() is not (
                threading.main_thread()):
            return
        armed.clear()
        gc.set_threshold(*thresholds)
        landed.set()
        _thread.interrupt_main()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # the handler runs here, and raises here
            pass

    def arm() -> None:
        armed.set()
        # A young-generation collection at nearly every allocation, so the main thread
        # runs one as soon as it allocates; never an older generation's (slow) one.
        gc.set_threshold(1, 10**9, 10**9)

    gc.callbacks.append(in_collection)
    _when_sampling(monitor, draws, arm, phase)
    return landed


# Where the interrupt lands: a fit and the phase and draws at which the collector is armed.
# nutpie samples in its own threads; the main thread's polling allocates little, so its
# collections come with the convergence checks it runs (here from 500 draws on). PyMC's
# sampler is Python code on the main thread. The channel summary after the sampling runs
# pymc-marketing and pandas code on the main thread, which collects as soon as it is armed.
INTERRUPTED_FITS = {
    "nutpie, sampling": ({"until_converged": True, "draws": 20_000, "tune": 200, "chains": 2},
                         "sampling", 30),
    "pymc, sampling": ({"sampler": "pymc", "draws": 3_000, "tune": 200, "chains": 1},
                       "sampling", 30),
    "nutpie, summary": ({"until_converged": True, "draws": 200, "tune": 200, "chains": 2},
                        "summarising", 0),
}


@pytest.mark.parametrize("case", sorted(INTERRUPTED_FITS))
def test_an_interrupt_lost_in_a_collection_still_stops_the_fit(weekly, monkeypatch, case):
    fit, phase, draws = INTERRUPTED_FITS[case]
    wf = _mapped(weekly)
    before = wf.fit("map")
    monitor = FitMonitor()
    unraisable: list[BaseException | None] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: unraisable.append(info.exc_value))
    thresholds = gc.get_threshold()
    landed = _interrupt_inside_a_collection(monitor, draws, phase)
    try:
        with pytest.raises(KeyboardInterrupt):
            wf.fit(**fit, monitor=monitor)
    finally:
        gc.callbacks[:] = [c for c in gc.callbacks if c.__name__ != "in_collection"]
        gc.set_threshold(*thresholds)
    assert landed.is_set()
    assert any(isinstance(error, KeyboardInterrupt) for error in unraisable)
    assert monitor.snapshot().phase == "interrupted"
    if phase == "sampling":  # stopped, not sampled to the end
        assert monitor.snapshot().draws_done < fit["draws"]
    assert wf.status("fit") == "done" and wf.step("fit").params.method == "map"
    pd.testing.assert_frame_equal(wf.channel_summary(), before)


def _interrupt_when_main_thread_in(function: str) -> threading.Event:
    """Send the main thread a KeyboardInterrupt once it runs ``function`` (any module's)."""
    sent = threading.Event()
    main = threading.main_thread().ident

    def watch() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not sent.is_set():
            frame = sys._current_frames().get(main)
            while frame is not None:
                if frame.f_code.co_name == function:
                    _thread.interrupt_main()
                    sent.set()
                    return
                frame = frame.f_back
            time.sleep(0.001)

    threading.Thread(target=watch, daemon=True).start()
    return sent


def test_an_interrupt_during_a_map_fit_keeps_the_previous_fit(weekly):
    # pymc's find_MAP answers a KeyboardInterrupt by returning the point the optimizer had
    # reached: a half-optimized fit must not pass for a finished one.
    wf = _mapped(weekly)
    before = wf.fit("map")
    monitor = FitMonitor()
    sent = _interrupt_when_main_thread_in("minimize")  # scipy's, inside find_MAP
    with pytest.raises(KeyboardInterrupt):
        wf.fit("map", monitor=monitor)
    assert sent.is_set()
    assert monitor.snapshot().phase == "interrupted"
    assert wf.status("fit") == "done"
    pd.testing.assert_frame_equal(wf.channel_summary(), before)


def _assert_stopped(monitor: FitMonitor, seconds: float = 1.0) -> None:
    """No sampler threads left running: nutpie reports no more draws.

    nutpie calls the progress callback every 100 ms while its chains run, so a sampler
    left going would keep raising the count. The CPU the process burns after a cancel is
    measured in benchmarks/run.py (after_cancel), not asserted here.
    """
    time.sleep(0.5)
    draws = monitor.snapshot().draws_done
    time.sleep(seconds)
    assert monitor.snapshot().draws_done == draws


def test_cancel_stops_the_sampler(weekly):
    wf = _mapped(weekly)
    job = wf.fit_in_background(draws=20_000, tune=1000, chains=2)
    deadline = time.monotonic() + 300
    while job.monitor.snapshot().draws_done < 30 and time.monotonic() < deadline:
        assert not job.done, job.error
        time.sleep(0.05)
    job.cancel()
    with pytest.raises(mw.FitCancelled):
        job.wait(60)
    _assert_stopped(job.monitor)
    assert wf.status("fit") == "ready"
    assert (nutpie.sample, nutpie.compile_pymc_model, pymc.sample) == ORIGINAL_SAMPLERS


def test_keyboard_interrupt_during_blocking_fit_keeps_previous_fit(weekly):
    wf = _mapped(weekly)
    before = wf.fit("map")
    monitor = FitMonitor()
    watcher = _interrupt_when_sampling(monitor)
    # Held like IPython holds the last traceback: it keeps the sampler object alive, so
    # only an explicit cancel (not garbage collection) can have stopped its threads.
    with pytest.raises(KeyboardInterrupt) as interrupted:
        wf.fit(draws=20_000, tune=1000, chains=2, monitor=monitor)
    watcher.join(5)
    assert monitor.snapshot().phase == "interrupted"
    _assert_stopped(monitor)
    assert interrupted.tb is not None
    assert (nutpie.sample, nutpie.compile_pymc_model, pymc.sample) == ORIGINAL_SAMPLERS
    assert wf.status("fit") == "done" and wf.step("fit").params.method == "map"
    pd.testing.assert_frame_equal(wf.channel_summary(), before)
    after = wf.fit(draws=100, tune=100, chains=1, random_seed=3)
    assert list(after.index) == CHANNELS and wf.step("fit").params.method == "mcmc"
    assert int(wf.idata.posterior.sizes["draw"]) == 100


def test_keyboard_interrupt_with_pymc_sampler_is_not_a_partial_fit(weekly):
    wf = _mapped(weekly)
    monitor = FitMonitor()
    watcher = _interrupt_when_sampling(monitor, draws=20)
    with pytest.raises(KeyboardInterrupt):
        wf.fit(draws=5000, tune=200, chains=1, sampler="pymc", monitor=monitor)
    watcher.join(5)
    assert monitor.snapshot().phase == "interrupted"
    assert wf.status("fit") == "ready"
    assert pymc.sample is ORIGINAL_SAMPLERS[2]
    summary = wf.fit("map")
    assert list(summary.index) == CHANNELS


def test_sampler_failure_is_a_fit_error_and_keeps_state(weekly):
    wf = _mapped(weekly)
    before = wf.fit("map")
    wf.configure_model(l_max=4, priors={"likelihood": {
        "dist": "Normal", "kwargs": {"sigma": -1.0}, "dims": ["date"]}})
    monitor = FitMonitor()
    with pytest.raises(mw.FitError) as info:
        wf.fit(draws=50, tune=50, chains=2, monitor=monitor)
    assert "log-probability was not finite" in str(info.value)
    assert "negative sigma" in str(info.value)
    assert monitor.snapshot().phase == "failed"
    assert wf.status("fit") == "stale"
    pd.testing.assert_frame_equal(wf.step("fit").result.channel_summary, before)
    assert (nutpie.sample, nutpie.compile_pymc_model, pymc.sample) == ORIGINAL_SAMPLERS
    wf.configure_model(l_max=4)
    after = wf.fit("map")
    pd.testing.assert_frame_equal(after, before)
