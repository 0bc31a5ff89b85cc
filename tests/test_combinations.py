"""A channel made, on every row, from other channels is named with the formula that makes it.

The combined column is written here from the generated channels with known weights, so the
expected formula comes from those weights, never from the kit's output.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.combinations import exact_combination
from tests.conformance.tables import TableSpec, table

VARIATIONS = [
    # (spec, combined column's name, weights of the first channels, constant, formula)
    (TableSpec(seed=1, n_channels=3), "facebook", (3.0, 0.5), 0.0,
     "'facebook' = 3 x '{0}' + 0.5 x '{1}'"),
    (TableSpec(seed=2, n_channels=4, channel_scheme="spend_prefix", date_name="week_start",
               date_format="dmy", week_start="SUN"), "Digital total (EUR)", (10.0, -0.25),
     1200.0, "'Digital total (EUR)' = 10 x '{0}' - 0.25 x '{1}' + 1,200"),
    (TableSpec(seed=3, n_channels=3, frequency="D", periods=400, date_name="DATE",
               channel_scheme="numbered"), "blended", (1.0, 1.0, 2.0), 0.0,
     "'blended' = '{0}' + '{1}' + 2 x '{2}'"),
    (TableSpec(seed=4, n_channels=3, geos=3, geo_name="region", channel_scheme="x"),
     "m_combo", (0.85, 1.0), 0.0, "'m_combo' = 0.85 x '{0}' + '{1}'"),
]


def _with_combination(spec: TableSpec, name: str, weights: tuple[float, ...],
                      constant: float) -> pd.DataFrame:
    frame = table(spec)
    parts = spec.channel_names[:len(weights)]
    frame[name] = constant + sum(w * frame[c] for w, c in zip(weights, parts, strict=True))
    frame[name] = frame[name].clip(lower=0.0) if min(weights) >= 0 else frame[name]
    return frame


@pytest.mark.parametrize(("spec", "name", "weights", "constant", "formula"), VARIATIONS,
                         ids=lambda v: v.date_name if isinstance(v, TableSpec) else None)
def test_a_channel_made_from_others_is_named_with_its_formula(spec, name, weights,
                                                              constant, formula):
    frame = _with_combination(spec, name, weights, constant)
    assert (frame[name] >= 0).all()  # spend below 0 would stop the mapping instead
    roles = {**spec.roles, "channels": [*spec.channel_names, name]}
    wf = mw.Workflow(frame)
    wf.map_data(**roles)
    named = [f for f in wf.data_result.warnings
             if f.kind == "collinear" and "exact combination" in f.message]
    parts = spec.channel_names[:len(weights)]
    assert len(named) == 1
    assert formula.format(*parts) in named[0].message
    assert named[0].columns[0] == name and set(named[0].columns[1:]) == set(parts)
    # No column of the tie is told "VIF inf" besides.
    assert not [f for f in wf.data_result.warnings if "VIF inf" in f.message]


def test_channels_moving_together_but_not_tied_are_not_called_a_combination():
    """A channel near another's double, with noise of 1 % of its spread: a VIF, no formula."""
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"a": rng.uniform(0, 100, 200), "b": rng.uniform(0, 100, 200)})
    frame["c"] = 2 * frame["a"] + 0.5 * frame["b"] + rng.normal(0, 0.5, 200)
    assert exact_combination(frame, "c", ["a", "b"]) is None
    frame["c"] = 2 * frame["a"] + 0.5 * frame["b"]
    combination = exact_combination(frame, "c", ["a", "b"])
    assert combination is not None
    assert dict(combination.weights) == pytest.approx({"a": 2.0, "b": 0.5})


def _evaluate(formula: str, frame: pd.DataFrame) -> tuple[str, np.ndarray]:
    """The column a written formula names, and its right-hand side on the table's rows."""
    left, right = formula.split(" = ")
    total = np.zeros(len(frame))
    for sign, weight, name, constant in re.findall(
            r"(^-|[+-] )(?:([\d.,]+) x )?(?:'([^']+)'|([\d.,]+))", "+ " + right
            if not right.startswith("-") else right):
        value = float((weight or constant or "1").replace(",", ""))
        value = -value if sign.strip() == "-" else value
        total += value * frame[name].to_numpy(float) if name else value
    return left.strip("'"), total


def test_a_tie_with_a_negative_weight_is_written_in_a_way_that_holds_on_every_row():
    """A public sample table's 'facebook' is 10 x 'instagram' - 2 x 'youtube', youtube the
    largest spender: whichever column the kit writes from the others, the formula it gives
    must make that column on every row (to its three significant digits)."""
    spec = TableSpec(seed=8, n_channels=3, date_name="Week", channel_scheme="x")
    frame = table(spec)
    youtube, instagram = spec.channel_names[:2]
    frame[youtube] = frame[youtube] * 4 + 1000.0
    frame[instagram] = 0.2 * frame[youtube] + frame[instagram]
    frame["facebook"] = 10 * frame[instagram] - 2 * frame[youtube]
    assert (frame["facebook"] >= 0).all()
    wf = mw.Workflow(frame)
    wf.map_data(**{**spec.roles, "channels": [*spec.channel_names, "facebook"]})
    [tie] = [f for f in wf.data_result.warnings if "exact combination" in f.message]
    assert set(tie.columns) == {youtube, instagram, "facebook"}
    formula = re.search(r"every row: (.*)\. The model", tie.message).group(1)
    column, made = _evaluate(formula, frame)
    assert column == tie.columns[0]
    spread = frame[column].std()
    assert np.abs(made - frame[column].to_numpy(float)).max() < 0.01 * spread
