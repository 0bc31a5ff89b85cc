"""When the panels last answered the user: background work waits for a quiet moment.

The panels' callbacks (every one wrapped by :func:`mmm_widgets.views.common.report_errors`)
and the wizard's step changes run inside :func:`handling`. Work that would hold the
interpreter lock for a long stretch (the preload's garbage collection) calls
:func:`wait_until_quiet` first, so that it does not fall inside the answer to a click.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

_lock = threading.Lock()
_running = 0
_last_end = float("-inf")


@contextlib.contextmanager
def handling() -> Iterator[None]:
    """Mark the panels as busy answering the user while the block runs."""
    global _running, _last_end
    with _lock:
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            _last_end = time.monotonic()


def quiet_for() -> float:
    """Seconds since the panels last finished answering (0 while one is answering)."""
    with _lock:
        return 0.0 if _running else time.monotonic() - _last_end


def wait_until_quiet(quiet: float, timeout: float, poll: float = 0.02,
                     unless: threading.Event | None = None) -> bool:
    """Wait until the panels have been quiet for ``quiet`` seconds, at most ``timeout``.

    Parameters
    ----------
    quiet : float
        Seconds without a callback running or ending.
    timeout : float
        Longest wait, in seconds.
    poll : float
        Seconds between two looks.
    unless : threading.Event, optional
        Ends the wait as soon as it is set: a callback that needs the waiting work done
        sets it, so that the work does not wait for the callback to end.

    Returns
    -------
    bool
        True when the quiet came or ``unless`` was set, False when the wait timed out.
    """
    deadline = time.monotonic() + timeout
    wake = unless if unless is not None else threading.Event()
    while True:
        waited = quiet_for()
        if waited >= quiet or wake.is_set():
            return True
        now = time.monotonic()
        if now >= deadline:
            return False
        wake.wait(min(poll if waited == 0.0 else quiet - waited, deadline - now))
