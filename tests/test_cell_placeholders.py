"""Cells that stand for no value in a column of numbers: a formula's error (``#DIV/0!``,
``#REF!``), an accounting format's dash for 0, ``n/a``. The suggestion keeps such a
column in its role (it used to leave a channel out, or suggest no target, without a
word); the mapping names the cells with the line that reads them, and that line gives
the numbers back. Generated wide tables, national and geo, written to CSV and read as a
user reads them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.rows import is_placeholder
from tests.conformance.tables import spec, table
from tests.conftest import run_fix


def _seeds() -> list[int]:
    """Wide tables of plain numbers, national and geo."""
    found = [s for s in range(120) if not (
        (v := spec(s)).long or v.text_amounts or v.reported_outcomes or v.units_row
        or v.report_rows or v.weekdays_only)]
    return found[:6]


SEEDS = _seeds()


def _written(seed: int, tmp_path, cells: dict[str, dict[int, str]]):
    """The seed's table read back from CSV, as written and with ``cells`` (column role ->
    row -> text) written over; the roles."""
    variation = spec(seed)
    frame, roles = table(variation), dict(variation.roles)
    clean = tmp_path / "clean.csv"
    frame.to_csv(clean, index=False)
    marked = frame.astype({roles[r] if r == "target" else roles["channels"][0]: object
                           for r in cells})
    for role, rows in cells.items():
        column = roles[role] if role == "target" else roles["channels"][0]
        for row, text in rows.items():
            marked.loc[row, column] = text
    path = tmp_path / "marked.csv"
    marked.to_csv(path, index=False)
    return pd.read_csv(clean), pd.read_csv(path), roles


def test_the_seeds_hold_national_and_geo_tables():
    assert {bool(spec(s).geos) for s in SEEDS} == {False, True}


@pytest.mark.parametrize("text", ["#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#N/A", "#NUM!",
                                  "#SPILL!", "#ERROR!", "Err:502", "-", " – ", "—", "n/a",
                                  "NULL", ""])
def test_what_stands_for_no_value(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["0", "-1", "TV", "#1", "n/a yet", "Err", "- 5"])
def test_what_does_not(text):
    assert not is_placeholder(text)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_suggestion_keeps_a_channel_and_the_target_with_such_cells(seed, tmp_path):
    clean, marked, roles = _written(seed, tmp_path, {"channel": {5: "-", 9: "#REF!"},
                                                     "target": {12: "#DIV/0!"}})
    suggested = mw.Workflow(marked, name="raw").suggest_mapping()
    assert suggested == mw.Workflow(clean, name="raw").suggest_mapping()
    assert roles["channels"][0] in suggested["channels"]
    assert suggested["target"] == roles["target"]


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_a_dash_is_read_as_0_by_the_line_the_problem_gives(seed, tmp_path):
    clean, marked, roles = _written(seed, tmp_path, {"channel": {5: "-", 9: "\u2013"}})
    channel = roles["channels"][0]
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(marked, name="raw").map_data(**roles)
    (found,) = [p for p in raised.value.problems if p.column == channel]
    assert found.count == 2 and "accounting formats write 0" in found.fix
    line = found.fix.split("if these are 0, ", 1)[1].split("; if they are missing", 1)[0]
    read = run_fix(line, marked)
    expected = clean[channel].astype(float).copy()
    expected[[5, 9]] = 0.0  # by hand: the two dashes, and every other cell as written
    np.testing.assert_array_equal(read[channel].to_numpy(float), expected.to_numpy())
    mw.Workflow(read, name="raw").map_data(**roles)  # nothing else stands in the way


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_a_formula_error_is_named_and_read_as_missing(seed, tmp_path):
    clean, marked, roles = _written(seed, tmp_path, {"target": {12: "#DIV/0!", 20: "#REF!"}})
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(marked, name="raw").map_data(**roles)
    (found,) = [p for p in raised.value.problems if p.column == roles["target"]]
    assert "formulas failed in these cells (#DIV/0!, #REF!)" in found.fix
    assert [r.split(":")[0].split(" (")[0] for r in found.rows] == ["row 12", "row 20"]
    line = found.fix.split("(or ", 1)[1].split("), then", 1)[0]
    read = run_fix(line, marked)
    target = pd.to_numeric(read[roles["target"]])
    assert target.isna().to_numpy().nonzero()[0].tolist() == [12, 20]
    np.testing.assert_allclose(target.drop([12, 20]), clean[roles["target"]].drop([12, 20]))


def test_text_that_is_not_numbers_with_placeholders_is_left_as_it_is():
    dates = pd.date_range("2024-01-01", periods=30, freq="W-MON")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "sales": rng.gamma(9, 100, 30),
                          "tv_spend": rng.gamma(2, 50, 30),
                          # mostly dashes: a column of notes, not of numbers
                          "search_spend": ["-"] * 20 + [str(v) for v in range(10)]})
    assert mw.Workflow(frame, name="raw").suggest_mapping()["channels"] == ["tv_spend"]
