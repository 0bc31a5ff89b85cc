"""A background import gives way to a busy main thread (mmm_widgets/views/give_way.py).

Each test imports small modules written for it, from a thread, while the test's own (main)
thread is either busy in Python code or waiting in a selector's ``select``, as a kernel's
main thread does between messages (its asyncio event loop waits there).
"""

from __future__ import annotations

import importlib
import selectors
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from mmm_widgets.views.give_way import TOOL_ID, GiveWay, giving_way
from mmm_widgets.views.wizard import _import_and_collect

#: Longest any wait in these tests may take before the test fails (s); a generous bound on
#: what takes milliseconds, never reached when the code works.
PATIENCE = 60.0


@pytest.fixture
def new_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    """Write a module no test has imported; return its name."""
    monkeypatch.syspath_prepend(str(tmp_path))
    names: list[str] = []

    def write() -> str:
        name = f"give_way_probe_{uuid.uuid4().hex}"
        (tmp_path / f"{name}.py").write_text("VALUE = 42\n")
        names.append(name)
        return name

    yield write
    for name in names:
        sys.modules.pop(name, None)


class Importer(threading.Thread):
    """Imports ``name`` under :func:`giving_way` (or another entry point) in a thread."""

    def __init__(self, name: str, budget: float = PATIENCE,
                 entry: str = "giving_way") -> None:
        super().__init__(daemon=True)
        self.name_to_import, self.budget, self.entry = name, budget, entry
        self.gate: GiveWay | None = None
        self.done = threading.Event()

    def run(self) -> None:
        if self.entry == "giving_way":
            with giving_way(self.budget) as gate:
                self.gate = gate
                importlib.import_module(self.name_to_import)
        else:
            _import_and_collect(self.name_to_import, give_way=self.budget)
        self.done.set()

    def waiting(self) -> bool:
        return self.gate is not None and self.gate.waited > 0


def imported(name: str) -> bool:
    """Whether module ``name`` has run (it is in ``sys.modules`` from before its code runs)."""
    return hasattr(sys.modules.get(name), "VALUE")


def busy_until(condition: Callable[[], bool], seconds: float = PATIENCE) -> bool:
    """Keep the main thread busy in Python code until ``condition`` or ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
    return condition()


def idle_until(condition: Callable[[], bool]) -> bool:
    """Wait in ``select`` on the main thread, as an idle event loop does, until ``condition``.

    A selector of its own, not ``asyncio.run``: in a process that has run the browser
    tests, Playwright's event loop is still marked running and ``asyncio.run`` refuses.
    """
    deadline = time.monotonic() + PATIENCE
    with selectors.DefaultSelector() as selector:
        while not condition() and time.monotonic() < deadline:
            selector.select(timeout=0.01)
    return condition()


@pytest.fixture(autouse=True)
def _on_the_main_thread() -> None:
    assert threading.current_thread() is threading.main_thread(), \
        "these tests play the kernel's main thread"


@pytest.mark.parametrize("entry", ["giving_way", "_import_and_collect"])
def test_the_import_waits_while_the_main_thread_is_busy_and_goes_on_once_it_idles(
        new_module: Callable[[], str], entry: str) -> None:
    name = new_module()
    importer = Importer(name, entry=entry)
    importer.start()
    # Half a second of a busy main thread: the import, a millisecond's work, waits.
    busy_until(lambda: False, seconds=0.5)
    assert not importer.done.is_set()
    assert not imported(name)
    # Back in the event loop's select, the main thread lets it go on.
    assert idle_until(importer.done.is_set)
    assert sys.modules[name].VALUE == 42
    if importer.gate is not None:
        assert importer.gate.waited > 0
        assert not importer.gate.spent


def test_a_main_thread_importing_the_same_module_is_not_kept_waiting(
        new_module: Callable[[], str]) -> None:
    name = new_module()
    importer = Importer(name)
    importer.start()
    # The thread waits inside the import, holding the module's import lock ...
    assert busy_until(importer.waiting)
    # ... so the main thread's own import of it waits for that thread, which goes on.
    module = importlib.import_module(name)
    assert module.VALUE == 42
    assert importer.done.wait(PATIENCE)
    assert not importer.gate.spent, "the import waited out its budget for the main thread"
    assert importer.gate.waited > 0


def test_other_threads_import_without_waiting(new_module: Callable[[], str]) -> None:
    held, free = new_module(), new_module()
    importer = Importer(held)
    importer.start()
    assert busy_until(importer.waiting)
    other = threading.Thread(target=importlib.import_module, args=(free,), daemon=True)
    other.start()
    assert busy_until(lambda: not other.is_alive())
    assert imported(free)
    assert not imported(held)
    assert idle_until(importer.done.is_set)


def test_a_main_thread_busy_for_longer_than_the_budget_delays_the_import_by_the_budget(
        new_module: Callable[[], str]) -> None:
    name = new_module()
    importer = Importer(name, budget=0.2)
    importer.start()
    assert busy_until(importer.done.is_set)
    assert importer.gate.spent
    assert sys.modules[name].VALUE == 42


def test_the_hook_is_gone_after_the_block(new_module: Callable[[], str]) -> None:
    importer = Importer(new_module(), budget=0.05)
    importer.start()
    assert busy_until(lambda: importer.gate is not None and importer.gate.active)
    assert sys.monitoring.get_tool(TOOL_ID) is not None
    assert busy_until(importer.done.is_set)
    assert not importer.gate.active
    assert sys.monitoring.get_tool(TOOL_ID) is None


def test_a_later_user_of_the_tool_id_sees_the_code_that_ran_during_the_block() -> None:
    def probe() -> int:
        return 1

    with giving_way(budget=0.0):
        probe()  # the hook leaves its code unwatched (sys.monitoring.DISABLE)
    started: list[str] = []
    monitoring = sys.monitoring
    monitoring.use_tool_id(TOOL_ID, "test")
    try:
        monitoring.register_callback(TOOL_ID, monitoring.events.PY_START,
                                     lambda code, offset: started.append(code.co_name))
        monitoring.set_events(TOOL_ID, monitoring.events.PY_START)
        probe()
    finally:
        monitoring.set_events(TOOL_ID, monitoring.events.NO_EVENTS)
        monitoring.register_callback(TOOL_ID, monitoring.events.PY_START, None)
        monitoring.free_tool_id(TOOL_ID)
    assert "probe" in started
