"""One protocol for long work (fits, holdout, folds, budgets): start, progress, cancel, result.

A :class:`Job` runs a function in a worker thread, so the kernel keeps answering widgets
while it works. Its ``monitor`` is shared with the work: the work reports progress on it
and checks it for a cancel; whoever watches reads ``job.progress()`` and may call
``job.cancel()``. Views follow a job with
:func:`mmm_widgets.views.common.follow_job`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol


class Monitor(Protocol):
    """What a job's work reports to and its watcher reads."""

    def cancel(self) -> None:
        """Ask the work to stop."""

    @property
    def cancelled(self) -> bool:
        """Whether a cancel was asked for."""

    def snapshot(self) -> Any:
        """The progress now (a frozen dataclass with at least ``phase``)."""


class Job:
    """Work running in a worker thread, with a monitor for progress and cancel.

    Parameters
    ----------
    monitor : Monitor
        Shared with the work (:class:`~mmm_widgets.steps.monitor.FitMonitor` for fits,
        ``BudgetMonitor`` for budgets).
    name : str
        The thread's name (seen in debuggers and ``threading.enumerate()``).

    Attributes
    ----------
    monitor : Monitor
        Progress of the work.
    result : object
        What the work returned, once it finished.
    error : BaseException or None
        Why it stopped if it did not finish (a ``FitCancelled`` after a cancel).
    """

    def __init__(self, monitor: Monitor, name: str = "mmm-widgets-job") -> None:
        self.monitor = monitor
        self.error: BaseException | None = None
        self.result: Any = None
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)
        self._work: Callable[[], Any] | None = None

    def start(self, work: Callable[[], Any]) -> Job:
        """Run ``work`` in the worker thread; return the job."""
        self._work = work
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self.result = self._work()
        except BaseException as error:  # reported to whoever waits; the kernel stays up
            self.error = error

    @property
    def done(self) -> bool:
        """True once the work finished, failed or was cancelled."""
        return self._thread.ident is not None and not self._thread.is_alive()

    def progress(self) -> Any:
        """The monitor's snapshot."""
        return self.monitor.snapshot()

    def cancel(self) -> None:
        """Stop the work; the workflow stays as it was before it."""
        self.monitor.cancel()

    def wait(self, timeout: float | None = None) -> Any:
        """Block until done; return the result or raise the work's error."""
        self._thread.join(timeout)
        if self.error is not None:
            raise self.error
        return self.result


def start_job(monitor: Monitor, work: Callable[[Monitor], Any],
              name: str = "mmm-widgets-job") -> Job:
    """Start ``work(monitor)`` as a :class:`Job` and return it at once."""
    job = Job(monitor, name)
    return job.start(lambda: work(monitor))
