"""The raw table's variable name never collides with a name the exported code binds."""

from __future__ import annotations

import ast

import pytest

import mmm_widgets as mw
from mmm_widgets.steps.source import RESERVED_NAMES, is_safe_name

pytestmark = pytest.mark.fit


def _bound_names(code: str) -> set[str]:
    """Names a cell binds at its top level: assigned, imported, defined, loop variables.

    Names inside the functions a cell defines, and comprehension variables, have their
    own scope and cannot overwrite the user's table.
    """
    names: set[str] = set()
    scoped = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp,
              ast.SetComp, ast.DictComp, ast.GeneratorExp)
    pending = list(ast.parse(code).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        if not isinstance(node, scoped):
            pending.extend(ast.iter_child_nodes(node))
    return names


def test_every_name_the_whole_analysis_binds_is_reserved():
    wf = mw.datasets.load_fitted()
    wf.overview(margin=0.3)
    journeys = mw.datasets.load("journeys")
    wf.attribution(journeys)
    wf.synergy()
    wf.optimize_budget(total=300_000, periods=13)
    # Numbers shown beside the steps are exported too: their cells count.
    wf.prior_check(samples=20)
    wf.response_curves(threshold=1.7, points=10)
    wf.what_if(wf.scenarios.allocation("current"))
    bound = set()
    for chunk in wf.chunks():
        bound |= _bound_names(chunk.cell())
    # The tables themselves: the raw data's and the journeys' own variables.
    sources = {wf.source.name, wf.step("attribution").params.journeys.name}
    missing = sorted(name for name in bound - sources if is_safe_name(name))
    assert not missing, f"add to RESERVED_NAMES: {missing}"
    assert "data" in RESERVED_NAMES
