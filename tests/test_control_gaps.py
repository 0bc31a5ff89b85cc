"""A control with missing values gets the line that fills them, by where they are.

The expected values are computed here from the generated control: the last value carried
forward, the first carried back, a gap filled on the straight line between its neighbours.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import TableSpec, table, true_dates
from tests.conftest import run_fix

CONTROL = "price_index"  # the generator's continuous control on seeds 2 mod 4
VARIATIONS = [
    TableSpec(seed=2, continuous_control=True, binary_control=False),  # price_index
    TableSpec(seed=6, continuous_control=True, binary_control=False, frequency="D",
              periods=200, date_name="DATE"),
    TableSpec(seed=10, continuous_control=True, binary_control=False, frequency="M",
              periods=48, date_name="Month"),
]


def _table(spec: TableSpec) -> tuple[pd.DataFrame, dict]:
    frame = table(spec)
    assert CONTROL in frame.columns
    frame[spec.date_name] = true_dates(spec, frame[spec.date_name]).dt.strftime("%Y-%m-%d")
    return frame, {k: v for k, v in spec.roles.items() if v is not None}


def _fix(frame: pd.DataFrame, roles: dict) -> str:
    with pytest.raises(mw.DataError) as caught:
        mw.Workflow(frame, name="raw").map_data(**roles)
    [missing] = [p for p in caught.value.problems if p.what == "The control has missing values."]
    return missing.fix


def _line(fix: str, pattern: str) -> str:
    found = re.search(pattern, fix)
    assert found, fix
    return found.group(1)


@pytest.mark.parametrize("spec", VARIATIONS, ids=lambda s: s.frequency)
def test_the_latest_figures_missing_are_carried_forward_or_left_out(spec):
    frame, roles = _table(spec)
    original = frame[CONTROL].copy()
    frame.loc[frame.index[-3:], CONTROL] = np.nan
    fix = _fix(frame, roles)
    assert fix.startswith("Its latest figures are not out yet?")
    carried = run_fix(_line(fix, r"Carry the last one forward: (.*?); or"), frame)
    assert (carried[CONTROL].iloc[-3:] == original.iloc[-4]).all()
    mw.Workflow(carried).map_data(**roles)
    kept = run_fix(_line(fix, r"fit the dates it has: (.*)\.$"), frame)
    assert len(mw.Workflow(kept).map_data(**roles)) == len(frame) - 3


@pytest.mark.parametrize("spec", VARIATIONS, ids=lambda s: s.frequency)
def test_a_control_starting_after_the_table_is_fitted_on_its_dates_or_carried_back(spec):
    frame, roles = _table(spec)
    original = frame[CONTROL].copy()
    frame.loc[frame.index[:4], CONTROL] = np.nan
    fix = _fix(frame, roles)
    assert fix.startswith("It starts after the table?")
    kept = run_fix(_line(fix, r"Fit the dates it has: (.*?); or"), frame)
    assert len(mw.Workflow(kept).map_data(**roles)) == len(frame) - 4
    back = run_fix(_line(fix, r"carry its first value back: (.*)\.$"), frame)
    assert (back[CONTROL].iloc[:4] == original.iloc[4]).all()


@pytest.mark.parametrize("spec", VARIATIONS, ids=lambda s: s.frequency)
def test_gaps_between_values_are_filled_on_the_line_between_their_neighbours(spec):
    frame, roles = _table(spec)
    original = frame[CONTROL].copy()
    gap = frame.index[20:23]
    frame.loc[gap, CONTROL] = np.nan
    frame.loc[frame.index[-1], CONTROL] = np.nan  # and the last one
    fix = _fix(frame, roles)
    assert fix.startswith("Fill each gap from the values around it")
    filled = run_fix(_line(fix, r"around it: (.*?); or"), frame)
    before, after = original.iloc[19], original.iloc[23]
    expected = before + (after - before) * np.arange(1, 4) / 4
    np.testing.assert_allclose(filled.loc[gap, CONTROL], expected)
    assert filled[CONTROL].iloc[-1] == original.iloc[-2]
    mw.Workflow(filled).map_data(**roles)


def test_a_panels_or_an_unsorted_tables_control_asks_to_fill_them_in():
    """Each geo's order (or a table out of order) would need its own line."""
    spec = TableSpec(seed=14, continuous_control=True, binary_control=False, geos=3)
    frame, roles = _table(spec)
    frame.loc[frame.index[5], CONTROL] = np.nan
    assert _fix(frame, roles) == "Fill in the control values or drop these rows."
    national, roles = _table(VARIATIONS[0])
    national.loc[national.index[5], CONTROL] = np.nan
    shuffled = national.sample(frac=1.0, random_state=1)
    assert _fix(shuffled, roles) == "Fill in the control values or drop these rows."
