"""A frame whose dates are its index (``set_index('date')``): the message gives the line
that makes them a column, and the table then maps as it did before the set_index."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table

MAPPING = {"target": "sales", "channels": ["tv", "radio"], "controls": ["promo"]}


def _fix_line(error: mw.DataError) -> str:
    [problem] = [p for p in error.problems if p.what.startswith("The dates are the frame's")]
    return problem.fix.split("as the date: ", 1)[1].removesuffix(".")


@pytest.fixture
def bundled() -> pd.DataFrame:
    return mw.datasets.load("weekly_sales")


def _expected(frame: pd.DataFrame, **mapping) -> pd.DataFrame:
    wf = mw.Workflow(frame)
    wf.map_data(**mapping)
    return wf.data


@pytest.mark.parametrize("index", ["text", "datetime", "unnamed"])
@pytest.mark.parametrize("picked", [None, "date"])
def test_dates_in_the_index_get_the_line_making_them_a_column(bundled, index, picked):
    df = bundled.copy()
    if index != "text":
        df["date"] = pd.to_datetime(df["date"])
    df = df.set_index("date")
    if index == "unnamed":
        df.index.name = None
    wf = mw.Workflow(df)
    assert wf.suggest_mapping()["date"] is None
    with pytest.raises(mw.DataError) as raised:
        wf.map_data(date=picked, **MAPPING)
    assert "not in the data" not in str(raised.value)
    line = _fix_line(raised.value)
    names = {"df": df}
    exec(line, names)
    wf = mw.Workflow(names["df"])
    wf.map_data(date="date", **MAPPING)
    pd.testing.assert_frame_equal(wf.data, _expected(bundled, date="date", **MAPPING))


def test_a_panel_indexed_by_date_and_geo_is_reset_whole():
    geo = mw.datasets.load("geo_sales")
    mapping = {"target": "sales", "channels": ["tv", "search"], "geo": "geo"}
    df = geo.set_index(["date", "geo"])
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(df).map_data(date=None, **{**mapping, "geo": None})
    names = {"df": df}
    exec(_fix_line(raised.value), names)
    assert {"date", "geo"} <= set(names["df"].columns)
    wf = mw.Workflow(names["df"])
    wf.map_data(date="date", **mapping)
    pd.testing.assert_frame_equal(wf.data, _expected(geo, date="date", **mapping))


def test_an_index_of_geos_or_numbers_is_not_taken_for_dates(bundled):
    for df in (bundled, bundled.set_index("promo"), bundled.set_index(bundled.index + 7)):
        with pytest.raises(mw.DataError, match="No date column is chosen"):
            mw.Workflow(df).map_data(date=None, **MAPPING)


def test_a_file_read_with_its_dates_as_index_is_told_to_read_without(bundled, tmp_path):
    path = tmp_path / "weekly.csv"
    bundled.to_csv(path, index=False)
    wf = mw.Workflow.from_file(path, index_col=0)
    with pytest.raises(mw.DataError, match="Read the file without index_col"):
        wf.map_data(date=None, **MAPPING)


def _wide_seeds(count: int) -> list[int]:
    return [s for s in range(200) if not spec(s).long and not spec(s).report_rows
            and not spec(s).units_row][:count]


@pytest.mark.parametrize("seed", _wide_seeds(6))
def test_generated_tables_indexed_by_their_dates_map_the_same_through_the_fix(seed):
    variation = spec(seed)
    raw = table(variation)
    roles = variation.roles
    keys = [roles["date"], *([roles["geo"]] if roles["geo"] else [])]
    df = raw.set_index(keys)
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(df).map_data(**roles)
    names = {"df": df}
    exec(_fix_line(raised.value), names)
    wf = mw.Workflow(names["df"])
    wf.map_data(**roles)
    pd.testing.assert_frame_equal(wf.data, _expected(raw, **roles))
