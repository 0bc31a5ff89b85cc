"""A geo panel written wide (a column per measure and geo): named, stacked by the lines the
data step's message gives, then mapped as the panel it is."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.geo_columns import find_geo_columns
from tests.conformance.tables import spec, table

GEOS = ("North", "South", "East")


def _fix_lines(error: DataError, table: str = "df") -> list[str]:
    """The pandas lines of the message's fix (after 'as roles: ', split at '; df = ')."""
    [fix] = [p.fix for p in error.problems if "geos side by side" in p.what]
    code = fix.split("the measures as roles: ", 1)[1].removesuffix(".")
    first, *rest = code.split(f"; {table} = ")
    return [first, *[f"{table} = {line}" for line in rest]]


def _wide(name: str, geos: tuple[str, ...] = GEOS,
          measures: tuple[str, str, str] = ("Sales", "TV", "Search"),
          ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """A wide table, the columns named by ``name.format(geo=..., measure=...)``, and each
    geo's own columns (``measures``: the target's, then two channels')."""
    rng = np.random.default_rng(4)
    n = 60
    frame = pd.DataFrame({"Week": pd.date_range("2023-01-02", periods=n, freq="W-MON")
                          .strftime("%Y-%m-%d")})
    own = {}
    sales, tv, search = measures
    for geo in geos:
        own[geo] = pd.DataFrame({sales: rng.uniform(1e4, 2e4, n).round(2),
                                 tv: rng.uniform(0, 1e3, n).round(2),
                                 search: rng.uniform(0, 500, n).round(2)})
        for measure in own[geo]:
            frame[name.format(geo=geo, measure=measure)] = own[geo][measure]
    frame["holiday"] = (np.arange(n) % 9 == 0).astype(int)  # national: one column
    return frame, own


@pytest.mark.parametrize("name", ["{geo} {measure}", "{measure}_{geo}", "{measure}.{geo}",
                                  "{geo}-{measure}"])
def test_geos_side_by_side_are_named_and_stacked_by_the_fix(name):
    frame, own = _wide(name)
    wf = mw.Workflow()
    wf.set_frame(frame)
    suggested = wf.suggest_mapping()
    with pytest.raises(DataError) as raised:
        wf.map_data(**suggested)
    assert "holds its geos side by side" in str(raised.value)
    assert "3 geos: 'North', 'South', 'East'" in str(raised.value)

    names = {"df": frame.copy(), "pd": pd}
    for line in _fix_lines(raised.value):
        exec(line, names)
    stacked = names["df"]
    wf = mw.Workflow()
    wf.set_frame(stacked)
    suggested = wf.suggest_mapping()
    assert suggested["geo"] == "geo" and suggested["target"] == "Sales"
    assert sorted(suggested["channels"]) == ["Search", "TV"]
    assert suggested["controls"] == ["holiday"]
    wf.map_data(**suggested)
    data = wf.data
    for geo in GEOS:
        mine = data[data["geo"] == geo].reset_index(drop=True)
        for measure in ("Sales", "TV", "Search"):
            np.testing.assert_allclose(mine[measure], own[geo][measure])
        np.testing.assert_array_equal(mine["holiday"], frame["holiday"])


@pytest.mark.parametrize(("name", "geos", "measures"), [
    ("{geo} {measure}", ("New York", "Los Angeles", "Chicago"),
     ("Net Sales", "TV Spend", "Paid Search Spend")),
    ("{measure} {geo}", ("New York", "Los Angeles", "Chicago"),
     ("Net Sales", "TV Spend", "Paid Search Spend")),
    ("{measure}_{geo}", ("new_york", "los_angeles", "chicago"),
     ("net_sales", "tv_spend", "search_spend")),
    ("{geo}_{measure}", ("North_0", "South_1", "East_2"), ("Sales", "TV_spend", "Search")),
    ("{measure} {geo}", ("North Carolina", "North Dakota", "South Carolina"),
     ("Revenue", "TV", "Search")),
])
def test_geos_and_measures_holding_the_separator_split_where_the_geos_do(name, geos,
                                                                           measures):
    frame, own = _wide(name, geos, measures)
    found = find_geo_columns(frame, "Week")
    assert found is not None
    assert found.geos == list(geos) and found.measures == list(measures)
    wf = mw.Workflow()
    wf.set_frame(frame)
    with pytest.raises(DataError) as raised:
        wf.map_data(date="Week", target=frame.columns[1], channels=[])
    assert f"3 geos: {', '.join(map(repr, geos))}" in str(raised.value)
    names = {"df": frame.copy(), "pd": pd}
    for line in _fix_lines(raised.value):
        exec(line, names)
    stacked = names["df"]
    for geo in geos:
        mine = stacked[stacked["geo"] == geo].reset_index(drop=True)
        for measure in measures:  # each geo's own numbers, by hand
            np.testing.assert_allclose(mine[measure], own[geo][measure])


def test_one_geo_mapped_alone_is_a_model_of_its_own():
    frame, _ = _wide("{measure}_{geo}")
    wf = mw.Workflow()
    wf.set_frame(frame)
    wf.map_data(date="Week", target="Sales_North", channels=["TV_North", "Search_North"],
                controls=["holiday"])
    assert len(wf.data) == 60
    with pytest.raises(DataError, match="geos side by side"):
        wf.map_data(date="Week", target="Sales_North", channels=["TV_North", "TV_South"])


def test_a_target_named_otherwise_is_found_once_mapped():
    frame, _ = _wide("{measure}_{geo}")
    frame = frame.rename(columns=lambda c: c.replace("Sales_", "Footfall_"))
    assert find_geo_columns(frame, "Week") is None  # no name says which is the target
    found = find_geo_columns(frame, "Week", target="Footfall_North")
    assert found is not None and found.measures == ["Footfall", "TV", "Search"]
    with pytest.raises(DataError, match="geos side by side"):
        mw.Workflow(frame).map_data(date="Week", target="Footfall_North",
                                    channels=["TV_North", "TV_South"])


@pytest.mark.parametrize("columns", [
    ["tv_spend", "tv_impressions", "search_spend", "search_impressions", "sales"],
    ["tv_S", "ooh_S", "facebook_I", "search_clicks_P", "revenue"],
    ["sales_online", "sales_offline", "tv", "search"],           # one measure only
    ["Channel0_spend", "Channel1_spend", "Channel0_impressions", "conversions"],
])
def test_national_tables_have_no_geos_side_by_side(columns):
    frame = pd.DataFrame({"date": ["2024-01-01", "2024-01-08", "2024-01-15"],
                          **{c: [1.0, 2.0, 3.0] for c in columns}})
    assert find_geo_columns(frame, "date") is None


def _seeds(count: int) -> list[int]:
    found = []
    for seed in range(400):
        variation = spec(seed)
        if (variation.geos and not variation.long and not variation.report_rows
                and not variation.units_row and not variation.weekdays_only):
            found.append(seed)
        if len(found) == count:
            break
    return found


@pytest.mark.parametrize("seed", _seeds(6))
def test_generated_panels_written_wide_map_as_the_panels_they_are(seed):
    variation = spec(seed)
    raw = table(variation)
    roles = variation.roles
    wf = mw.Workflow()
    wf.set_frame(raw)
    wf.map_data(**roles)
    expected = wf.data

    date, geo = roles["date"], roles["geo"]
    measures = [c for c in raw.columns if c not in (date, geo)]
    pivoted = raw.pivot(index=date, columns=geo, values=measures)
    geo_first = seed % 2 == 1
    # the panel's geos (North_0, ...) hold the separator: "_", or " " once written North 0
    separator = "_" if seed % 4 < 2 else " "

    def column(measure: str, geo_value: object) -> str:
        written = str(geo_value).replace("_", separator)
        return (f"{written}{separator}{measure}" if geo_first
                else f"{measure}{separator}{written}")

    pivoted.columns = [column(m, g) for m, g in pivoted.columns]
    wide = pivoted.reset_index()
    with pytest.raises(DataError) as raised:
        mw.Workflow(wide).map_data(**{**roles, "geo": None,
                                      "target": wide.columns[1], "channels": []})
    names = {"df": wide.copy(), "pd": pd}
    for line in _fix_lines(raised.value):
        exec(line, names)
    wf = mw.Workflow()
    wf.set_frame(names["df"])
    wf.map_data(**{**roles, "geo": "geo"})
    mapped = wf.data.rename(columns={"geo": geo})
    mapped[geo] = mapped[geo].astype(str).str.replace(" ", "_")
    expected[geo] = expected[geo].astype(str)
    keys = [date, geo]
    pd.testing.assert_frame_equal(mapped.sort_values(keys).reset_index(drop=True),
                                  expected.sort_values(keys).reset_index(drop=True),
                                  check_dtype=False)
