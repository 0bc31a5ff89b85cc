"""Test hygiene (#18): every test that fits a model carries the ``fit`` marker.

A static check over the test modules' source: a test function that calls a fitting method
(directly, or through a helper or fixture defined in the same module) must be marked
``@pytest.mark.fit``, or its module must set ``pytestmark`` to include it, so that
``-m "not fit"`` really leaves out every fit.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
# Workflow methods (and the kit's functions) that fit a pymc-marketing model.
FITTING = {"fit", "fit_in_background", "holdout", "cross_validate", "refresh",
           "compare_models"}
# Panel buttons whose click starts one of those.
FITTING_BUTTONS = {"start_button", "refresh_button", "cv_button", "holdout_button"}


def _modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("test_*.py") if "node_modules" not in p.parts)


def _is_fit_mark(node: ast.expr) -> bool:
    """``pytest.mark.fit`` (also called, e.g. ``pytest.mark.fit()``)."""
    if isinstance(node, ast.Call):
        node = node.func
    return isinstance(node, ast.Attribute) and node.attr == "fit" and \
        isinstance(node.value, ast.Attribute) and node.value.attr == "mark"


def _module_marked(tree: ast.Module) -> bool:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) \
                else [node.value]
            if any(_is_fit_mark(v) for v in values):
                return True
    return False


def _calls_fitting(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                node.func.id if isinstance(node.func, ast.Name) else None
            if name in FITTING:
                return True
        if isinstance(node, ast.Attribute) and node.attr in FITTING_BUTTONS:
            return True
    return False


def _uses(function: ast.FunctionDef) -> set[str]:
    """Names a function refers to, and the fixtures it asks for."""
    names = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
    names |= {a.arg for a in function.args.args + function.args.kwonlyargs}
    return names


def unmarked_fits(source: str) -> list[str]:
    """The test functions in ``source`` that fit a model without the ``fit`` marker."""
    tree = ast.parse(source)
    if _module_marked(tree):
        return []
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    fits: dict[str, bool] = {}

    def reaches_fit(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name not in fits:
            function = functions[name]
            fits[name] = _calls_fitting(function) or any(
                reaches_fit(other, seen | {name}) for other in _uses(function)
                if other in functions and other not in seen and other != name)
        return fits[name]

    return [name for name, function in functions.items()
            if name.startswith("test_") and reaches_fit(name)
            and not any(_is_fit_mark(d) for d in function.decorator_list)]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(TESTS)))
def test_every_fitting_test_has_the_fit_marker(path: Path):
    missing = unmarked_fits(path.read_text(encoding="utf-8"))
    assert not missing, (f"{path.name}: {missing} fit a model; mark them "
                         "@pytest.mark.fit (or set pytestmark = pytest.mark.fit)")


def test_the_check_follows_helpers_and_fixtures_and_accepts_marks():
    source = '''
import pytest

@pytest.fixture
def fitted(weekly):
    return _fit(weekly)

def _fit(weekly):
    wf = make(weekly)
    wf.fit("map")
    return wf

def test_direct():
    wf.fit_in_background(draws=10)

def test_through_fixture(fitted):
    assert fitted

@pytest.mark.fit
def test_marked(fitted):
    assert fitted

def test_no_fit(weekly):
    assert weekly is not None

def test_panel(panel):
    panel.start_button.click()
'''
    assert unmarked_fits(source) == ["test_direct", "test_through_fixture", "test_panel"]
    assert unmarked_fits("import pytest\npytestmark = [pytest.mark.fit]\n" + source) == []


def test_a_test_file_stays_on_one_xdist_worker(request: pytest.FixtureRequest) -> None:
    # scripts/test.sh runs `--dist loadgroup`: tests/conftest.py marks each file as a
    # group, and pytest-xdist adds the group to the test's id. (pytest 9.2 reads ids where
    # pytest-xdist 3.8 no longer writes them, so every test became its own group.)
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("runs only in a pytest-xdist worker with --dist loadgroup")
    assert request.node.nodeid.endswith("@tests/test_markers.py")
