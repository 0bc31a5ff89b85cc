"""A report's empty rows and summary rows are left out by the data cell; other rows are not."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import TableSpec, table

ROLES = {"date": "date", "target": "sales", "channels": ["tv_S", "radio_S"],
         "controls": ["holiday"]}


def _mapped(frame: pd.DataFrame) -> mw.Workflow:
    wf = mw.Workflow()
    wf.set_frame(frame)
    wf.map_data(**ROLES)
    return wf


def _assert_replays(wf: mw.Workflow, names: dict | None = None) -> None:
    """The data cell's code, run without mmm_widgets, gives the data the step showed."""
    names = {} if names is None else names
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)


def _through_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as it reads back from a CSV file."""
    return pd.read_csv(io.StringIO(frame.to_csv(index=False)))


@pytest.mark.parametrize("date_format", ["iso", "excel", "dmy"])
def test_a_reports_empty_and_total_rows_are_left_out(date_format):
    clean = table(TableSpec(seed=3, n_channels=2, date_format=date_format))
    report = table(TableSpec(seed=3, n_channels=2, date_format=date_format, report_rows=True))
    # seed 3 ends with a note under the Total row
    assert len(report) == len(clean) + 4 and report.iloc[-2]["date"] == "Total"
    # read back from a file: the Total row makes the date column text
    wf = _mapped(_through_csv(report))
    expected = _mapped(clean).data
    pd.testing.assert_frame_equal(wf.data, expected)
    n = len(clean)
    assert [f.message for f in wf.data_result.warnings if f.kind == "left_out"] == [
        f"Rows that are not periods were left out: 2 empty rows (rows {n}, {n + 1}), "
        f"1 summary row (row {n + 2}: 'Total') and 1 row of notes after the last values "
        f"(row {n + 3}: 'Source: Ads Manager, exported 2024-05-01')."]
    suggested = wf.suggest_mapping()
    assert (suggested["date"], suggested["target"]) == ("date", "sales")
    assert sorted(suggested["channels"]) == ["radio_S", "tv_S"]


def test_subtotals_between_quarters_are_left_out_and_the_export_does_the_same():
    clean = table(TableSpec(seed=5, n_channels=2, periods=30))
    subtotal = {"date": "Subtotal Q1", "tv_S": 1.0, "radio_S": 2.0, "holiday": 0, "sales": 3.0}
    report = pd.concat([clean.iloc[:13], pd.DataFrame([subtotal]), clean.iloc[13:]],
                       ignore_index=True)
    wf = _mapped(report)
    assert len(wf.data) == 30
    assert "row 13: 'Subtotal Q1'" in wf.data_result.warnings[0].message
    _assert_replays(wf, {"df": report})
    np.testing.assert_allclose(wf.data["sales"], clean["sales"])


def test_a_dated_row_with_empty_values_still_stops_the_mapping():
    clean = table(TableSpec(seed=5, n_channels=2, periods=30))
    clean.loc[4, ["tv_S", "radio_S", "holiday", "sales"]] = np.nan
    with pytest.raises(mw.DataError, match="The target has missing values") as raised:
        _mapped(clean)
    assert any(p.column == "sales" and p.rows and "row 4" in p.rows[0]
               for p in raised.value.problems)


def test_a_total_geo_beside_the_real_ones_is_left_out():
    variation = TableSpec(seed=4, n_channels=2, geos=3, periods=40)
    clean = table(variation)
    report = table(dataclasses.replace(variation, report_rows=True))
    assert (report["geo"] == "Total").sum() == 40
    roles = {**ROLES, "geo": "geo", "controls": []}
    wf, expected = mw.Workflow(), mw.Workflow()
    wf.set_frame(_through_csv(report))
    wf.map_data(**roles)
    expected.set_frame(_through_csv(clean))
    expected.map_data(**roles)
    pd.testing.assert_frame_equal(wf.data, expected.data)
    assert sorted(wf.data["geo"].unique()) == ["East_2", "North_0", "South_1"]
    message = wf.data_result.warnings[0].message
    assert "40 rows of the geo 'Total', a sum of the others" in message
    assert wf.suggest_mapping()["geo"] == "geo"


def test_a_row_of_units_under_the_header_is_left_out_when_the_file_is_read(tmp_path):
    clean = table(TableSpec(seed=3, n_channels=2))
    units = pd.DataFrame([{"date": "", "tv_S": "EUR", "radio_S": "EUR", "holiday": "flag",
                           "sales": "EUR"}])
    path = tmp_path / "with_units.csv"
    pd.concat([units, clean.astype(object)], ignore_index=True).to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    assert wf.suggest_mapping()["channels"] == ["tv_S", "radio_S"]
    wf.map_data(**ROLES)
    pd.testing.assert_frame_equal(wf.data, _mapped(clean).data)
    assert [f.message for f in wf.data_result.warnings if f.kind == "left_out"] == [
        "Rows that are not periods were left out: 1 row without a date or a number "
        "(row 0: 'EUR, EUR, flag, EUR')."]
    _assert_replays(wf)


def test_a_row_without_a_date_but_with_numbers_still_stops_the_mapping():
    clean = table(TableSpec(seed=5, n_channels=2, periods=30)).astype({"date": object})
    clean.loc[4, "date"] = None
    with pytest.raises(mw.DataError, match="The date is missing") as raised:
        _mapped(clean)
    assert any(p.column == "date" and p.rows == ("row 4",) for p in raised.value.problems)


def test_a_reports_notes_after_its_last_values_are_left_out(tmp_path):
    clean = table(TableSpec(seed=3, n_channels=2))
    notes = pd.DataFrame({"date": ["Source: Ads Manager", "Generated 2024-05-01 10:00"]})
    total = pd.DataFrame([{"date": "Total", **clean[["tv_S", "radio_S", "sales"]].sum()}])
    path = tmp_path / "with_notes.csv"
    # notes between the last week and the Total row, as some reports put them
    pd.concat([clean, notes, total], ignore_index=True).to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(**ROLES)
    pd.testing.assert_frame_equal(wf.data, _mapped(clean).data)
    n = len(clean)
    assert [f.message for f in wf.data_result.warnings if f.kind == "left_out"] == [
        f"Rows that are not periods were left out: 1 summary row (row {n + 2}: 'Total') and "
        f"2 rows of notes after the last values (rows {n}, {n + 1}: 'Source: Ads Manager' "
        "or 'Generated 2024-05-01 10:00')."]
    _assert_replays(wf)


def test_a_note_between_periods_is_no_period_and_still_stops_the_mapping():
    clean = table(TableSpec(seed=5, n_channels=2, periods=30)).astype({"date": object})
    clean.loc[4, ["date", "tv_S", "radio_S", "holiday", "sales"]] = ["see note 1", *[np.nan] * 4]
    with pytest.raises(mw.DataError, match="could not be parsed") as raised:
        _mapped(clean)
    assert any(p.column == "date" and "row 4 ('see note 1')" in p.rows
               for p in raised.value.problems)
