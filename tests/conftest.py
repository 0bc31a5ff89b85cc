"""Shared fixtures: bundled data, hand-made real-world-shaped frames, a fresh-process runner."""

from __future__ import annotations

import ast
import builtins
import contextlib
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from ipywidgets.widgets.widget import CallbackDispatcher

import mmm_widgets as mw


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--conformance", type=int, default=None,
                     help="generated tables per conformance test (default: the CI sample; "
                          "see tests/conformance/conftest.py)")


#: Files whose tests share no fixture wider than a test: each test is a group of its own.
#: (The generated tables' end-to-end tests take 1-2.5 minutes each: in one group they were
#: more than 10 minutes on one worker, a third of the suite's 31 minutes in CI; each
#: notebook runs in a kernel of its own, 40-50 s.)
SPLIT_FILES = frozenset({"tests/conformance/test_tables.py", "tests/test_notebooks.py"})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep each test file on one pytest-xdist worker, and every browser test on one.

    ``scripts/test.sh`` runs the suite on two workers with ``--dist loadgroup``: a file's
    module fixtures (its fitted models) are then made once, and only one JupyterLab and
    Chromium run at a time. The tests of :data:`SPLIT_FILES` spread over the workers.
    Without ``-n`` the marks change nothing. It runs first: pytest-xdist reads the marks in
    its own hook of the same name (and needs pytest < 9.2, which reads test ids from
    where pytest-xdist 3.8 does not write the group; ``constraints.txt`` pins 9.1.1).
    """
    for item in items:
        path = item.nodeid.split("::")[0]
        if item.get_closest_marker("browser"):
            group = "browser"
        elif path in SPLIT_FILES:
            group = item.nodeid
        else:
            group = path
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture
def strict_callbacks(monkeypatch):
    """Let an exception escaping a button callback fail the test (ipywidgets logs it)."""

    def call(self, *args, **kwargs):
        value = None
        for callback in self.callbacks:
            returned = callback(*args, **kwargs)
            value = returned if returned is not None else value
        return value

    monkeypatch.setattr(CallbackDispatcher, "__call__", call)


@pytest.fixture
def weekly() -> pd.DataFrame:
    return mw.datasets.load("weekly_sales")


@pytest.fixture
def geo() -> pd.DataFrame:
    return mw.datasets.load("geo_sales")


def configured_weekly() -> mw.Workflow:
    """The bundled weekly data mapped (all channels, both controls) with the default model."""
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales",
                channels=["tv", "radio", "search", "social", "display"],
                controls=["promo", "price_index"])
    wf.configure_model()
    return wf


def run_fresh(code: str, cwd: Path, timeout: float = 600) -> str:
    """Run ``code`` in a fresh Python interpreter; return its stdout or fail with stderr."""
    script = cwd / "fresh_run.py"
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    # Exported code reads a bundled table from a copy beside the notebook; a notebook
    # shared with a colleague travels with it, so the fresh process gets it beside too.
    for name in mw.datasets.names():
        if repr(mw.datasets.path(name).name) in code:
            mw.datasets.local_copy(name, cwd)
    completed = subprocess.run([sys.executable, str(script)], cwd=cwd, capture_output=True,
                               text=True, timeout=timeout)
    if completed.returncode != 0:
        pytest.fail(f"fresh process failed:\n{completed.stderr[-4000:]}")
    return completed.stdout


def run_fix(code: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` after a problem's or finding's pandas ``code``, run as written.

    The code names the table as the data step was given it (``raw`` after
    ``mw.Workflow(raw)``, ``df`` for a file); that name is read off the code: the one name
    it reads before binding it, other than ``pd`` and builtins. Exactly one such name must
    exist.
    """
    bound: set[str] = {"pd"}
    read: list[str] = []
    for statement in ast.parse(code).body:
        nodes = list(ast.walk(statement))
        local = {node.arg for node in nodes if isinstance(node, ast.arg)} | {
            name.id for node in nodes if isinstance(node, ast.comprehension)
            for name in ast.walk(node.target) if isinstance(name, ast.Name)}
        read += [node.id for node in nodes if isinstance(node, ast.Name)
                 and isinstance(node.ctx, ast.Load) and node.id not in bound | local
                 and not hasattr(builtins, node.id)]
        bound.update(node.id for node in nodes
                     if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store))
    tables = set(read)
    assert len(tables) == 1, f"the code reads {sorted(tables)}: {code}"
    name = tables.pop()
    namespace = {name: frame.copy(), "pd": pd}
    exec(code, namespace)
    return namespace[name]


def wide_table_seeds() -> list[int]:
    """Generated wide tables without a report's rows, text amounts or months: two weekly
    and a daily one, national and geo (seeds of :func:`tests.conformance.tables.spec`)."""
    from tests.conformance.tables import spec

    found = [s for s in range(80) if not (
        (v := spec(s)).long or v.text_amounts or v.reported_outcomes or v.units_row
        or v.report_rows or v.frequency == "M")]
    picked = []
    for geos in (False, True):
        alike = [s for s in found if bool(spec(s).geos) is geos]
        picked += [s for s in alike if spec(s).frequency == "W"][:2]
        picked += [s for s in alike if spec(s).frequency == "D"][:1]
    return picked


def always_spending(seed: int) -> bool:
    """Whether the generated table's channels together spend on every date."""
    from tests.conformance.tables import spec, table, true_dates

    variation = spec(seed)
    frame = table(variation)
    dates = true_dates(variation, frame[variation.roles["date"]])
    return bool((frame[list(variation.roles["channels"])].sum(axis=1).groupby(dates).sum()
                 > 0).all())


def mapped(frame: pd.DataFrame, roles: dict) -> pd.DataFrame:
    """The data step's frame after mapping ``frame`` (named ``raw``) with ``roles``."""
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return wf.data


def map_roas(frame: pd.DataFrame, channel: str, model: dict | None = None,
             **mapping) -> float:
    """``channel``'s ROAS after mapping ``frame`` and a MAP fit of the model configured
    with ``model`` (the kit's defaults otherwise)."""
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**mapping)
    wf.configure_model(**(model or {}))
    wf.fit("map")
    return float(wf.channel_summary().loc[channel, "roas"])


def budget_namespaces(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """The namespaces the budget step's cell parts run in from now on (the last is the
    latest run's), to read what the cell defined (``optimizer``, ``plan_contribution``)."""
    from mmm_widgets.steps.budget import step as budget_step

    namespaces: list[dict] = []
    run_part = budget_step.BudgetStep._execute

    def keep_namespace(self, kind, lines, namespace):
        namespaces.append(namespace)
        return run_part(self, kind, lines, namespace)

    monkeypatch.setattr(budget_step.BudgetStep, "_execute", keep_namespace)
    return namespaces


@contextlib.contextmanager
def callback_running() -> Iterator[None]:
    """A panel callback runs (inside ``activity.handling()``, in another thread) while the
    block does, as when the user's click is being answered."""
    from mmm_widgets.views import activity

    entered, release = threading.Event(), threading.Event()

    def callback() -> None:
        with activity.handling():
            entered.set()
            release.wait(600)

    holder = threading.Thread(target=callback)
    holder.start()
    try:
        assert entered.wait(60)
        yield
    finally:
        release.set()
        holder.join(60)
