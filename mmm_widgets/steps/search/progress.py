"""Progress and cancel of a search: counts of its Dask tasks, read from their futures."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Name the search cell binds its futures to, (candidate, fold) -> Future.
FUTURES = "search_futures"
#: Seconds between two looks for the futures while the search submits its tasks.
GRAB_SECONDS = 0.02


@dataclass(frozen=True)
class SearchProgress:
    """Where a search stands.

    Attributes
    ----------
    phase : str
        ``"idle"``, ``"starting"`` (cluster and data), ``"running"``, ``"done"`` or
        ``"cancelled"``.
    total, done, running, failed, waiting : int
        Tasks (one per candidate and fold) in all, finished, on a worker now, failed,
        and not started.
    elapsed : float
        Seconds since the search started.
    eta : float or None
        Seconds left at the pace so far (None before the first task finishes).
    """

    phase: str = "idle"
    total: int = 0
    done: int = 0
    running: int = 0
    failed: int = 0
    waiting: int = 0
    elapsed: float = 0.0
    eta: float | None = None

    def describe(self) -> str:
        """One line for a progress label."""
        if self.phase in ("idle", "starting"):
            return "Starting the cluster..." if self.phase == "starting" else ""
        eta = f", about {self.eta:.0f} s left" if self.eta is not None and self.phase == \
            "running" else ""
        return (f"{self.done} of {self.total} tasks done, {self.running} running, "
                f"{self.failed} failed{eta} ({self.elapsed:.0f} s)")


class SearchMonitor:
    """Shared by a running search and whoever watches it (a panel, a :class:`Job`).

    The search binds its futures in the namespace it runs in; :meth:`watch` hands that
    namespace and the client to the monitor, which reads the futures' states on demand.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._namespace: Mapping[str, Any] = {}
        self._client: Any = None
        self._started = 0.0
        self._phase = "idle"
        self._cancelled = False
        self._last = SearchProgress()
        self._seen: dict[Any, Any] = {}

    def watch(self, client: Any, namespace: Mapping[str, Any]) -> None:
        """Start following the futures the search will bind in ``namespace``."""
        with self._lock:
            self._client, self._namespace, self._seen = client, namespace, {}
            self._started, self._phase = time.monotonic(), "starting"
        threading.Thread(target=self._grab, daemon=True, name="mmm-widgets-search-watch").start()

    def _grab(self) -> None:
        """Keep the futures as soon as the cell binds them, so the final counts survive
        the cell deleting its name even when nobody asked for progress meanwhile."""
        while True:
            with self._lock:
                if self._phase != "starting" or self._futures():
                    return
            time.sleep(GRAB_SECONDS)

    def finish(self, phase: str = "done") -> None:
        """The search ended: keep the final counts, let go of the futures."""
        last = self.snapshot()
        with self._lock:
            self._phase = phase
            self._namespace, self._seen = {}, {}
        self._last = dataclasses.replace(last, phase=phase, running=0, waiting=0, eta=None)

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._cancelled

    def cancel(self) -> None:
        """Cancel every task not yet finished; the search then stops with ``FitCancelled``."""
        self._cancelled = True
        futures = self._futures()
        if futures and self._client is not None:
            self._client.cancel(list(futures.values()))

    def _futures(self) -> dict[Any, Any]:
        """The search's futures, kept from the first look on (the cell deletes its name)."""
        if not self._seen:
            futures = self._namespace.get(FUTURES)
            self._seen = dict(futures) if isinstance(futures, Mapping) else {}
        return self._seen

    def snapshot(self) -> SearchProgress:
        """Counts of the tasks now."""
        with self._lock:
            phase, client, started = self._phase, self._client, self._started
            if phase not in ("starting", "running"):
                return self._last
            futures = self._futures()
        elapsed = time.monotonic() - started
        if not futures:
            return SearchProgress(phase="starting", elapsed=elapsed)
        states = [future.status for future in futures.values()]
        done = states.count("finished")
        failed = sum(state in ("error", "cancelled", "lost") for state in states)
        running = _running(client, {future.key for future in futures.values()})
        total = len(states)
        left = total - done - failed
        eta = elapsed / (done + failed) * left if done + failed else None
        self._last = SearchProgress("running", total, done, min(running, left), failed,
                                    max(left - running, 0), elapsed, eta)
        return self._last


def _running(client: Any, keys: set[Any]) -> int:
    """How many of ``keys`` a worker is computing now (0 when the scheduler cannot say)."""
    try:
        processing = client.processing()
    except Exception:  # a busy or closing scheduler: the count is only for display
        return 0
    return sum(key in keys for tasks in processing.values() for key in tasks)
