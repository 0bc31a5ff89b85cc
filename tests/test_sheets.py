"""Workbooks with a table per sheet (a sheet per market): not read as their first sheet alone."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.views.data import FIRST_SHEET, DataView
from tests.conformance.tables import spec, table

MARKETS = ("UK", "DE", "FR")


def _market(seed: int, weeks: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "Week": pd.date_range("2023-01-02", periods=weeks, freq="W-MON").strftime("%d/%m/%Y"),
        "TV spend": rng.uniform(100, 1000, weeks).round(2),
        "Search spend": rng.uniform(50, 500, weeks).round(2),
        "Revenue": rng.uniform(1e4, 2e4, weeks).round(2),
    })


def _workbook(path: Path, notes: bool) -> dict[str, pd.DataFrame]:
    sheets = {market: _market(seed) for seed, market in enumerate(MARKETS)}
    with pd.ExcelWriter(path) as writer:
        for market, frame in sheets.items():
            frame.to_excel(writer, sheet_name=market, index=False)
        if notes:
            pd.DataFrame({"Note": ["Spend from the agency's plan", "Revenue net of VAT"]}
                         ).to_excel(writer, sheet_name="Notes", index=False)
    return sheets


def _read_option(message: str) -> object:
    """The sheet_name the message's fix reads every market with (a Python literal)."""
    written = message.split("mw.Workflow.from_file(path, sheet_name=", 1)[1].split(")", 1)[0]
    return eval(written)  # a literal the kit wrote with repr


@pytest.mark.parametrize("notes", [True, False])
def test_a_workbook_with_a_sheet_per_market_is_read_whole_once_told(notes, tmp_path):
    path = tmp_path / "markets.xlsx"
    sheets = _workbook(path, notes)
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow.from_file(path).suggest_mapping()
    message = str(raised.value)
    assert "3 sheets with the same columns ('UK', 'DE', 'FR')" in message
    assert "only the first was read" in message
    option = _read_option(message)
    assert option == (list(MARKETS) if notes else None)

    wf = mw.Workflow.from_file(path, sheet_name=option)
    suggested = wf.suggest_mapping()
    assert (suggested["date"], suggested["geo"]) == ("Week", "sheet")
    wf.map_data(**suggested)
    data = wf.data
    assert sorted(data["sheet"].unique()) == sorted(MARKETS)
    for market, frame in sheets.items():
        mine = data[data["sheet"] == market].reset_index(drop=True)
        np.testing.assert_allclose(mine["TV spend"], frame["TV spend"])
        np.testing.assert_allclose(mine["Revenue"], frame["Revenue"])
        assert mine["Week"].tolist() == list(pd.to_datetime(frame["Week"], format="%d/%m/%Y"))
    names: dict = {}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)


def test_sheets_with_their_columns_in_another_order_are_stacked_by_name(tmp_path):
    path = tmp_path / "markets.xlsx"
    sheets = {market: _market(seed) for seed, market in enumerate(MARKETS)}
    with pd.ExcelWriter(path) as writer:
        for number, (market, frame) in enumerate(sheets.items()):
            columns = list(frame.columns)
            order = columns[number:] + columns[:number]  # each market its own order
            frame[order].to_excel(writer, sheet_name=market, index=False)
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow.from_file(path).suggest_mapping()
    assert "3 sheets with the same columns ('UK', 'DE', 'FR')" in str(raised.value)
    wf = mw.Workflow.from_file(path, sheet_name=_read_option(str(raised.value)))
    wf.map_data(**wf.suggest_mapping())
    for market, frame in sheets.items():
        mine = wf.data[wf.data["sheet"] == market].reset_index(drop=True)
        for column in ("TV spend", "Search spend", "Revenue"):
            np.testing.assert_allclose(mine[column], frame[column])


def test_a_workbook_whose_other_sheets_are_notes_reads_its_first(tmp_path):
    path = tmp_path / "one_table.xlsx"
    with pd.ExcelWriter(path) as writer:
        _market(0).to_excel(writer, sheet_name="Data", index=False)
        pd.DataFrame({"Note": ["net of VAT"]}).to_excel(writer, sheet_name="Notes", index=False)
        _market(1).groupby(lambda i: i // 4).sum(numeric_only=True).to_excel(
            writer, sheet_name="Monthly summary", index=False)
    wf = mw.Workflow.from_file(path)
    assert wf.suggest_mapping()["date"] == "Week"
    assert len(wf.raw) == 40


def test_one_market_is_read_when_its_sheet_is_named(tmp_path):
    path = tmp_path / "markets.xlsx"
    sheets = _workbook(path, notes=True)
    wf = mw.Workflow.from_file(path, sheet_name="DE")
    pd.testing.assert_frame_equal(wf.raw, sheets["DE"])


def _upload(panel: DataView, path: Path) -> None:
    content = path.read_bytes()
    panel.upload.value = ({"name": path.name, "type": "", "size": len(content),
                           "content": memoryview(content),
                           "last_modified": datetime.datetime(2025, 1, 1)},)


def test_the_panel_offers_the_sheets_and_reads_the_ones_chosen(tmp_path, strict_callbacks):
    path = tmp_path / "markets.xlsx"
    sheets = _workbook(path, notes=True)
    panel = DataView(mw.Workflow(), namespace={}, upload_dir=tmp_path / "uploads")
    assert panel.sheet.disabled
    _upload(panel, path)
    assert "3 sheets with the same columns" in panel.message.value
    assert list(panel.sheet.options) == [FIRST_SHEET, "all like the first", *MARKETS, "Notes"]
    assert not panel.sheet.disabled

    panel.sheet.value = "all like the first"
    assert panel.workflow.source.read_options["sheet_name"] == list(MARKETS)
    assert (panel.date.value, panel.geo.value) == ("Week", "sheet")
    panel.apply_button.click()
    assert "Mapping applied" in panel.message.value
    assert "3 geos" in panel.message.value

    panel.sheet.value = "FR"
    panel.apply_button.click()
    assert "Mapping applied" in panel.message.value
    np.testing.assert_allclose(panel.workflow.data["Revenue"], sheets["FR"]["Revenue"])

    csv = tmp_path / "spend.csv"
    sheets["UK"].to_csv(csv, index=False)
    _upload(panel, csv)
    assert panel.sheet.disabled and panel.sheet.value == FIRST_SHEET
    assert "sheet_name" not in panel.workflow.source.read_options


def _panel_seeds(count: int) -> list[int]:
    return [s for s in range(300) if spec(s).geos and not spec(s).long
            and not spec(s).report_rows and not spec(s).units_row][:count]


@pytest.mark.parametrize("seed", _panel_seeds(4))
def test_generated_panels_saved_a_sheet_per_geo_map_as_the_panels_they_are(seed, tmp_path):
    variation = spec(seed)
    raw = table(variation)
    roles = variation.roles
    wf = mw.Workflow(raw)
    wf.map_data(**roles)
    expected = wf.data
    geo = roles["geo"]
    path = tmp_path / "panel.xlsx"
    with pd.ExcelWriter(path) as writer:
        for name, rows in raw.groupby(geo, sort=False):
            rows.drop(columns=[geo]).to_excel(writer, sheet_name=str(name), index=False)
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow.from_file(path).suggest_mapping()
    wf = mw.Workflow.from_file(path, sheet_name=_read_option(str(raised.value)))
    wf.map_data(**{**roles, "geo": "sheet"})
    keys = [roles["date"], geo]
    mapped = wf.data.rename(columns={"sheet": geo}).sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(mapped, expected.sort_values(keys).reset_index(drop=True),
                                  check_dtype=False)


@pytest.mark.parametrize("seed", [s for s in _panel_seeds(12) if s not in (4, 11)][:5])
def test_a_market_without_a_channels_column_is_stacked_with_it_empty(seed, tmp_path):
    """A sheet per geo whose market never buys a channel has no column for it at all (as
    real workbooks do): the sheets are still alike, and with empty spend read as none the
    panel maps as the generator's, where that channel is 0 in that geo."""
    variation = spec(seed)
    raw, roles = table(variation), variation.roles
    geo = roles["geo"]
    expected = mw.Workflow(raw).map_data(**roles)
    path = tmp_path / "panel.xlsx"
    lacking: dict[str, list[str]] = {}
    with pd.ExcelWriter(path) as writer:
        for name, rows in raw.groupby(geo, sort=False):
            silent = [c for c in variation.channel_names if (rows[c] == 0).all()]
            if silent:
                lacking[str(name)] = silent
            rows.drop(columns=[geo, *silent]).to_excel(writer, sheet_name=str(name),
                                                       index=False)
        pd.DataFrame({"Note": ["spend from the agency"]}).to_excel(writer, sheet_name="Notes",
                                                                   index=False)
    assert lacking  # the seeds are those with a channel silent in a geo
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow.from_file(path).suggest_mapping()
    assert "the first one's columns or most of them" in str(raised.value)
    option = _read_option(str(raised.value))
    assert "Notes" not in option
    wf = mw.Workflow.from_file(path, sheet_name=option)
    for sheet, columns in lacking.items():
        assert f"{sheet!r} has no {', '.join(map(repr, columns))}" in wf.source.note
    assert f"# {wf.source.note}" in wf.source.code_lines()
    with pytest.raises(mw.DataError, match="empty_spend_is_zero=True"):
        wf.map_data(**{**roles, "geo": "sheet"})
    wf.map_data(**{**roles, "geo": "sheet"}, empty_spend_is_zero=True)
    names: dict = {}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)
    keys = [roles["date"], geo]
    mapped = wf.data.rename(columns={"sheet": geo}).sort_values(keys).reset_index(drop=True)
    expected = expected.assign(**{geo: expected[geo].astype(str)})
    pd.testing.assert_frame_equal(mapped[list(expected.columns)],
                                  expected.sort_values(keys).reset_index(drop=True),
                                  check_dtype=False)


def test_sheets_with_a_title_above_their_headers_are_stacked_from_their_headers(tmp_path):
    path = tmp_path / "titled_markets.xlsx"
    sheets = {market: _market(seed) for seed, market in enumerate(MARKETS)}
    with pd.ExcelWriter(path) as writer:
        for market, frame in sheets.items():
            pd.DataFrame([["Weekly report"], ["exported 2025-01-06"]]).to_excel(
                writer, sheet_name=market, index=False, header=False)
            frame.to_excel(writer, sheet_name=market, index=False, startrow=2)
    wf = mw.Workflow.from_file(path, sheet_name=None)
    assert wf.source.read_options == {"sheet_name": None, "skiprows": 2}
    assert "the header is on row 3" in wf.source.note
    wf.map_data(**wf.suggest_mapping())
    for market, frame in sheets.items():
        mine = wf.data[wf.data["sheet"] == market].reset_index(drop=True)
        np.testing.assert_allclose(mine["TV spend"], frame["TV spend"])


def test_a_summary_sheet_without_the_dates_is_not_stacked(tmp_path):
    path = tmp_path / "markets.xlsx"
    sheets = {market: _market(seed) for seed, market in enumerate(MARKETS)}
    with pd.ExcelWriter(path) as writer:
        for market, frame in sheets.items():
            frame.to_excel(writer, sheet_name=market, index=False)
        # the same measures, totalled by quarter: no Week column
        sheets["UK"].drop(columns="Week").groupby(lambda i: i // 13).sum().to_excel(
            writer, sheet_name="By quarter", index=False)
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow.from_file(path).suggest_mapping()
    assert "3 sheets with the same columns" in str(raised.value)
    assert _read_option(str(raised.value)) == list(MARKETS)


def test_sheets_with_a_header_over_two_rows_are_stacked_and_named_by_both(tmp_path):
    path = tmp_path / "markets_two_rows.xlsx"
    sheets = {market: _market(seed) for seed, market in enumerate(MARKETS)}
    with pd.ExcelWriter(path) as writer:
        for market, frame in sheets.items():
            rows = [["Week", "TV", "TV", "Search", "Revenue"],
                    ["", "Spend", "GRPs", "Spend", "EUR"],
                    *[[w, tv, round(tv / 40, 1), search, revenue] for w, tv, search, revenue
                      in frame[["Week", "TV spend", "Search spend", "Revenue"]].itertuples(
                          index=False)]]
            pd.DataFrame(rows).to_excel(writer, sheet_name=market, index=False, header=False)
    wf = mw.Workflow.from_file(path, header=[0, 1], sheet_name=None)
    assert list(wf.raw.columns) == ["sheet", "Week", "TV Spend", "TV GRPs", "Search Spend",
                                    "Revenue EUR"]
    wf.map_data(date="Week", target="Revenue EUR", channels=["TV Spend", "Search Spend"],
                geo="sheet")
    uk = wf.data[wf.data["sheet"] == "UK"].reset_index(drop=True)
    np.testing.assert_allclose(uk["TV Spend"], sheets["UK"]["TV spend"])


@pytest.mark.parametrize(("option", "shown"), [(list(MARKETS), "all like the first"),
                                               ("DE", "DE"), (2, "FR")])
def test_a_saved_workbooks_read_options_show_and_stay_when_another_box_changes(
        option, shown, tmp_path, strict_callbacks):
    path = tmp_path / "markets.xlsx"
    _workbook(path, notes=True)
    panel = DataView(mw.Workflow.from_file(path, sheet_name=option), namespace={},
                     upload_dir=tmp_path)
    assert panel.sheet.value == shown and not panel.sheet.disabled
    panel.skiprows.value = 1   # each change reads the file again with every box
    panel.skiprows.value = 0
    expected = list(MARKETS) if shown == "all like the first" else shown
    assert panel.workflow.source.read_options == {"sheet_name": expected}


def test_a_csvs_read_options_show_in_their_boxes(tmp_path, strict_callbacks):
    path = tmp_path / "spend.csv"
    content = "exported by the agency\n\n" + _market(0).to_csv(sep=";", index=False)
    path.write_text(content.replace(".", ","))
    wf = mw.Workflow.from_file(path, sep=";", decimal=",", skiprows=2)
    panel = DataView(wf, namespace={}, upload_dir=tmp_path)
    assert (panel.separator.value, panel.decimal.value, panel.skiprows.value) == (
        "semicolon ;", "comma ,", 2)
    panel.header_rows.value = 1  # unchanged: nothing read
    assert panel.workflow.source.read_options == {"sep": ";", "decimal": ",", "skiprows": 2}
    assert panel.date.value == "Week"
