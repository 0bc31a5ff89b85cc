"""A background import that gives way to the kernel's main thread between modules.

The wizard imports pymc-marketing in a thread while the user reads the data step (see
:func:`mmm_widgets.views.wizard._import_and_collect`). The import and the kernel's main
thread, which receives the clicks and runs the panels' callbacks, share the interpreter
lock: each time the main thread waits for a message or a socket, the import takes the
lock, and the main thread gets it back only after Python's switch interval (5 ms) or the C
call the import is in. In traced runs of the browser test, a click's callback started
53-202 ms after the click and ran two to three times slower than without the import.

While :func:`giving_way` is active, the thread that entered it waits at the start of each
module's code whenever the main thread is busy, and goes on as soon as the main thread is
back in its event loop's ``select``. The hook is a ``sys.monitoring`` callback on the start
of code objects (Python 3.12's low-cost monitoring, PEP 669): it waits there, where only
the per-module import locks are held. A meta path finder would be simpler, but importlib
calls finders under its global import lock, so every other thread's imports would wait too.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from types import CodeType
from typing import Any

#: Seconds between two looks at the main thread while the import waits.
POLL = 0.005
#: The ``sys.monitoring`` tool id used (ids 0-2 and 5 are named for debuggers, coverage,
#: profilers and optimizers; 3 and 4 are free for other tools).
TOOL_ID = 3


def main_thread_busy() -> bool:
    """Whether the main thread is busy: neither between messages nor inside an import.

    Between messages, a kernel's main thread waits in its event loop's ``select``. Inside
    an import it may wait for a module that the thread giving way is importing, so it
    counts as not busy.
    """
    frame = sys._current_frames().get(threading.main_thread().ident)
    if frame is None or frame.f_globals.get("__name__") == "selectors":
        return False
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return False
        frame = frame.f_back
    return True


class GiveWay:
    """Makes one thread wait for a busy main thread at the start of each module's code.

    Parameters
    ----------
    budget : float
        Most seconds the thread waits in all; after that it imports without waiting (a
        main thread busy for long, or one that never waits in ``select``, as in a script,
        delays the import by this much at most).
    poll : float
        Seconds between two looks at the main thread.

    Attributes
    ----------
    waited : float
        Seconds the thread has waited so far.
    active : bool
        Whether the hook is installed (False when another tool holds :data:`TOOL_ID`).
    """

    def __init__(self, budget: float, poll: float = POLL):
        self.budget = budget
        self.poll = poll
        self.waited = 0.0
        self.active = False
        self.thread = threading.get_ident()
        # Kept here: a daemon thread may still run module code while the interpreter shuts
        # down, when the modules' globals may already be gone.
        self._ident = threading.get_ident
        self._disable = sys.monitoring.DISABLE

    @property
    def spent(self) -> bool:
        """Whether the budget is used up (the thread now imports without waiting)."""
        return self.waited >= self.budget

    def on_start(self, code: CodeType, offset: int) -> Any:
        """``sys.monitoring`` callback for the start of a code object.

        Only a module's code (``<module>``) in the thread that entered :func:`giving_way`
        waits; every code object is then left unwatched (``DISABLE``), so functions cost
        the callback once, not at each call.
        """
        if code.co_name == "<module>" and self._ident() == self.thread:
            self._wait_for_main_thread()
        return self._disable

    def _wait_for_main_thread(self) -> None:
        if self.thread == threading.main_thread().ident:
            return
        while not self.spent and main_thread_busy():
            start = time.monotonic()
            time.sleep(self.poll)
            self.waited += time.monotonic() - start


@contextlib.contextmanager
def giving_way(budget: float, poll: float = POLL) -> Iterator[GiveWay]:
    """Make the modules this thread imports inside the block give way to a busy main thread.

    Parameters
    ----------
    budget : float
        Most seconds to wait in all (see :class:`GiveWay`).
    poll : float
        Seconds between two looks at the main thread.

    Yields
    ------
    GiveWay
        What waits, and records how long it waited. When another tool holds
        :data:`TOOL_ID` nothing waits (``active`` is False).
    """
    gate = GiveWay(budget, poll)
    monitoring = sys.monitoring
    if monitoring.get_tool(TOOL_ID) is not None:
        yield gate
        return
    monitoring.use_tool_id(TOOL_ID, "mmm-widgets: preload gives way")
    monitoring.register_callback(TOOL_ID, monitoring.events.PY_START, gate.on_start)
    monitoring.set_events(TOOL_ID, monitoring.events.PY_START)
    gate.active = True
    try:
        yield gate
    finally:
        monitoring.set_events(TOOL_ID, monitoring.events.NO_EVENTS)
        monitoring.register_callback(TOOL_ID, monitoring.events.PY_START, None)
        monitoring.free_tool_id(TOOL_ID)
        # The code objects the hook left unwatched would stay so for the next tool to take
        # this id. Restarting re-enables what every tool left unwatched, which only costs
        # the others one more callback per code object.
        monitoring.restart_events()
        gate.active = False
