"""Progress and cancel of a running budget step: :class:`BudgetMonitor` and its snapshots."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from mmm_widgets.errors import MMMWidgetsError, problem


class BudgetCancelled(MMMWidgetsError, RuntimeError):
    """The user cancelled a running optimization; the workflow is as it was before."""


_PHASES = {"idle": 0.0, "building": 0.02, "optimizing": 0.35, "what-if": 0.55,
           "scenarios": 0.7, "curves": 0.8, "done": 1.0, "cancelled": 0.0, "failed": 0.0}


@dataclass(frozen=True)
class BudgetProgress:
    """A snapshot of a running budget step.

    Attributes
    ----------
    phase : str
        ``"building"`` (optimizer model), ``"optimizing"`` (compile + SLSQP),
        ``"what-if"`` (the what-if grid), ``"scenarios"``, ``"curves"``, ``"done"``,
        ``"cancelled"`` or ``"failed"``.
    fraction : float
        Rough share done, by phase (the optimizer gives no finer progress).
    elapsed : float
        Seconds since the start.
    """

    phase: str
    fraction: float
    elapsed: float


class BudgetMonitor:
    """Shared between the thread running the budget step and whoever watches it.

    pymc-marketing compiles the optimizer on its first evaluation and scipy's SLSQP has
    no cancel hook, so a cancel takes effect at the next phase boundary: the thread
    may finish its current call, and its result is then discarded.
    """

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self.phase = "idle"
        self._started: float | None = None

    def cancel(self) -> None:
        """Ask the run to stop; its result is discarded."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel.is_set()

    def start(self) -> None:
        """Reset for a new run."""
        with self._lock:
            self._started = time.perf_counter()
            self.phase = "building"

    def set_phase(self, phase: str) -> None:
        """Record what the run is doing now."""
        with self._lock:
            self.phase = phase

    def check_cancel(self) -> None:
        """Raise :class:`BudgetCancelled` if a cancel was asked for."""
        if self._cancel.is_set():
            raise BudgetCancelled(problem("The optimization was cancelled.",
                                          "Nothing was changed; optimize again when ready."))

    def snapshot(self) -> BudgetProgress:
        """The current progress."""
        with self._lock:
            elapsed = time.perf_counter() - self._started if self._started else 0.0
            return BudgetProgress(self.phase, _PHASES.get(self.phase, 0.0), elapsed)

