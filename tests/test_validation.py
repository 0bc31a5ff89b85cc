import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.names import named_scale
from tests.conformance.tables import spec
from tests.conftest import run_fix

MAPPING = {"date": "date", "target": "sales", "channels": ["tv", "search"],
           "controls": ["promo"]}


def _frame(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "date": pd.date_range("2023-01-02", periods=n, freq="W-MON"),
        "tv": rng.uniform(0, 1000, n).round(2), "search": rng.uniform(0, 500, n).round(2),
        "promo": rng.integers(0, 2, n), "sales": rng.uniform(1e4, 2e4, n).round(2),
    })


def _error(frame, **changes) -> mw.DataError:
    mapping = {**MAPPING, **changes}
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(frame).map_data(**mapping)
    return info.value


def test_data_error_is_a_value_error():
    assert issubclass(mw.DataError, ValueError)


def test_missing_column_names_it_and_suggests_close_match():
    error = _error(_frame(), channels=["tv", "serach"])
    assert error.columns == ["serach"]
    assert "'search'" in str(error)


def test_text_in_numeric_column_names_rows():
    frame = _frame().astype({"tv": object})
    frame.loc[4, "tv"] = "n/a"
    frame.loc[9, "tv"] = "twelve"
    error = _error(frame)
    assert error.columns == ["tv"]
    assert error.problems[0].rows[0].startswith("row 4 (2023-01-30)")
    assert "row 9" in str(error)


def test_currency_and_thousands_get_specific_fixes():
    frame = _frame().astype({"tv": object, "search": object})
    # Columns that are not all amounts written as text (mmm_widgets.steps.amounts):
    # a note beside a currency sign, a placeholder beside a thousands separator.
    frame.loc[2, "tv"] = "$1,200.50"
    frame.loc[4, "tv"] = "TBD"
    frame.loc[3, "search"] = "1,234.5"
    frame.loc[5, "search"] = "n/a"
    error = _error(frame)
    by_column = {p.column: p for p in error.problems}
    assert "currency" in by_column["tv"].fix
    assert "thousands" in by_column["search"].fix


def test_an_abbreviation_beside_a_currency_sign_gets_the_line_that_reads_both():
    # the fix for currency alone would read '1.2k' as 1.2
    frame = _frame().astype({"tv": object})
    frame.loc[2, "tv"] = "$1,200.50"
    frame.loc[4, "tv"] = "1.2k"
    found = next(p for p in _error(frame).problems if p.column == "tv")
    assert "abbreviated" in found.what
    read = run_fix(found.fix.split("round to: ", 1)[1].removesuffix("."), frame)
    assert read.loc[[2, 4], "tv"].tolist() == [1200.5, 1200.0]
    untouched = frame.index.difference([2, 4])
    assert read.loc[untouched, "tv"].tolist() == frame.loc[untouched, "tv"].tolist()


def test_empty_target():
    frame = _frame()
    frame["sales"] = np.nan
    error = _error(frame)
    assert error.columns == ["sales"] and "empty" in str(error)


def test_nan_in_target_and_channel_reported_together():
    frame = _frame()
    frame.loc[5, "sales"] = np.nan
    frame.loc[7, "tv"] = np.nan
    error = _error(frame)
    assert set(error.columns) == {"sales", "tv"}
    assert "empty_spend_is_zero=True" in str(error)


def test_negative_spend():
    frame = _frame()
    frame.loc[3, "search"] = -20.0
    error = _error(frame)
    assert error.columns == ["search"] and "negative" in str(error)


def test_duplicate_dates():
    frame = _frame()
    frame.loc[6, "date"] = frame.loc[5, "date"]
    error = _error(frame)
    assert "date" in error.columns
    assert "more than once" in str(error) and "2023-02-06" in str(error)


def test_duplicate_dates_within_a_geo(geo):
    frame = geo.copy()
    frame.loc[frame.index[frame["geo"] == "south"][3], "date"] = pd.Timestamp("2022-01-03")
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(frame).map_data(date="date", target="sales", channels=["tv", "search"],
                                    geo="geo")
    message = str(info.value)
    assert "in geo 'south'" in message and "2022-01-03" in message


def test_gap_in_dates():
    frame = _frame().drop(index=[10, 11]).reset_index(drop=True)
    error = _error(frame)
    assert error.columns == ["date"]
    assert "missing" in str(error) and "2023-03-13" in str(error)


def test_geo_missing_dates_is_reported(geo):
    frame = geo[~((geo["geo"] == "east") & (geo["date"] >= "2024-12-01"))]
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(frame).map_data(date="date", target="sales", channels=["tv"], geo="geo")
    assert "Geo 'east' ends on 2024-11-25" in str(info.value)


@pytest.mark.parametrize("written", ["%d/%m/%Y", "%Y-%m-%d"])
def test_the_fix_for_a_geo_that_starts_late_fits_the_dates_all_geos_have(geo, written):
    # a store that opened 5 weeks after the others; its dates as a day-first export writes
    late = (geo["geo"] == "south") & (geo["date"] < geo["date"].min() + pd.Timedelta(weeks=5))
    df = geo[~late].assign(date=lambda f: f["date"].dt.strftime(written))
    mapping = {"date": "date", "target": "sales", "channels": ["tv"], "geo": "geo"}
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(df).map_data(**mapping)
    opened = (geo["date"].min() + pd.Timedelta(weeks=5)).strftime("%Y-%m-%d")
    problem = next(p for p in info.value.problems if p.column == "geo")
    assert problem.what.startswith(f"Geo 'south' starts on {opened}, 5 dates after")
    fit_common, leave_out = problem.fix.removeprefix(
        "Fit every geo on the dates they all have: ").split("; or leave the geo out: ")
    every = set(geo["geo"])
    for line, kept in ((fit_common, every), (leave_out.rstrip("."), every - {"south"})):
        names = {"df": df, "pd": pd}
        exec(line, names)
        data = mw.Workflow(names["df"]).map_data(**mapping)
        assert set(data["geo"]) == kept
        expected_first = opened if "south" in kept else geo["date"].min()
        assert data["date"].min() == pd.Timestamp(expected_first)


@pytest.mark.parametrize(("every", "apart"), [("1h", "an hour"), ("15min", "15 minutes")])
def test_rows_hours_apart_get_the_lines_that_sum_them_into_days(every, apart, geo):
    # an ad platform's hourly export of the geo panel: each week's spend spread over its
    # first 24 hours, as text timestamps
    per_day = pd.Timedelta(days=1) // pd.Timedelta(every)
    hours = pd.timedelta_range(0, periods=per_day, freq=every)
    rows = geo.loc[geo.index.repeat(per_day)].reset_index(drop=True)
    rows["date"] = (rows["date"] + np.tile(hours, len(geo))).dt.strftime("%Y-%m-%d %H:%M")
    for column in ("tv", "sales"):
        rows[column] = rows[column] / per_day
    mapping = {"date": "date", "target": "sales", "channels": ["tv"], "geo": "geo"}
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(rows).map_data(**mapping)
    [found] = info.value.problems
    assert found.column == "date" and f"typically {apart} apart" in found.what
    names = {"df": rows, "pd": pd}
    exec(found.fix.split(": ", 1)[1].rstrip("."), names)
    data = mw.Workflow(names["df"]).map_data(**mapping)
    expected = geo.sort_values(["date", "geo"]).reset_index(drop=True)
    assert data["date"].tolist() == expected["date"].tolist()
    np.testing.assert_allclose(data[["tv", "sales"]], expected[["tv", "sales"]], rtol=1e-9)


@pytest.mark.parametrize(("dates", "named"), [
    (pd.date_range("2019-01-07", periods=80, freq="14D"), "two weeks apart"),
    (pd.date_range("2019-01-07", periods=60, freq="28D"), "four weeks apart"),
    (pd.date_range("2019-01-01", periods=100, freq="SMS"), "twice a month"),
    (pd.date_range("2012-01-01", periods=40, freq="QS"), "a quarter apart"),
    (pd.date_range("2019-01-07", periods=60, freq="21D"), "21 days apart"),
])
def test_periods_the_model_does_not_take_are_named_once(dates, named):
    # before: "not evenly spaced", dates "missing from the irregular sequence", and for
    # four-weekly periods a fix moving each date to its month's first day (two periods
    # then fall in one month)
    rng = np.random.default_rng(0)
    n = len(dates)
    frame = pd.DataFrame({"date": dates, "tv": rng.uniform(0, 1000, n),
                          "search": rng.uniform(0, 500, n), "promo": rng.integers(0, 2, n),
                          "sales": rng.uniform(1e4, 2e4, n)})
    [found] = _error(frame).problems
    assert found.column == "date"
    assert found.what.startswith(f"The dates are {named}")
    assert "periods the model does not take" in found.what


@pytest.mark.parametrize("written", ["{year}Q{quarter}", "Q{quarter} {year}",
                                     "{year}-Q{quarter}", "FY{short} Q{quarter}"])
def test_quarters_are_named_as_quarters(written):
    # before: "Dates could not be parsed. Fix: Enter the format of the dates", which no
    # strftime format can say
    quarters = pd.period_range("2012Q1", periods=40, freq="Q")
    frame = _frame(n=40).assign(date=[
        written.format(year=q.year, short=q.year % 100, quarter=q.quarter) for q in quarters])
    [found] = _error(frame).problems
    assert found.column == "date" and found.what.startswith("The dates are quarters")


def test_too_few_rows_says_how_many_and_why():
    error = _error(_frame(n=10))
    message = str(error)
    assert "Only 10 periods" in message and "at least 16" in message
    assert "adstock" in message


def test_constant_and_all_zero_channels():
    frame = _frame()
    frame["tv"] = 0.0
    frame["search"] = 250.0
    error = _error(frame)
    assert set(error.columns) == {"tv", "search"}
    assert "all zero" in str(error) and "constant" in str(error)


def test_one_column_in_two_roles():
    error = _error(_frame(), controls=["promo", "tv"])
    assert error.columns == ["tv"] and "more than one role" in str(error)


def test_target_also_a_channel():
    error = _error(_frame(), channels=["tv", "sales"])
    assert error.columns == ["sales"] and "also mapped as a spend channel" in str(error)


def test_duplicate_column_names():
    frame = _frame()
    frame.columns = ["date", "tv", "tv", "promo", "sales"]
    error = _error(frame, channels=["tv"])
    assert "tv" in error.columns and "two or more columns" in str(error)


def test_unparseable_and_mixed_dates():
    frame = _frame()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d").astype(object)
    frame.loc[3, "date"] = "03/02/2023"
    frame.loc[8, "date"] = "not a date"
    error = _error(frame)
    assert error.columns == ["date"]
    assert "row 3" in str(error) and "row 8" in str(error)
    assert "mixes date formats" in str(error)


def test_all_problems_reported_at_once():
    frame = _frame()
    frame.loc[2, "tv"] = -1.0
    frame.loc[4, "sales"] = np.nan
    frame = frame.drop(index=20).reset_index(drop=True)
    error = _error(frame)
    assert len(error.problems) == 3
    assert set(error.columns) == {"tv", "sales", "date"}


def test_failed_mapping_keeps_previous_one():
    frame = _frame()
    wf = mw.Workflow(frame)
    wf.map_data(**MAPPING)
    before = wf.data.copy()
    with pytest.raises(mw.DataError):
        wf.map_data(**{**MAPPING, "channels": ["tv", "nope"]})
    pd.testing.assert_frame_equal(wf.data, before)
    assert wf.step("data").params.channels == ("tv", "search")


def test_warnings_do_not_block():
    frame = _frame(n=60)
    # moves with tv, but is not tv times a factor (that would be tv written twice: a problem)
    frame["tv_copy"] = frame["tv"] * 1.01 + 6 + 5 * np.sin(np.arange(60))
    frame["tiny"] = np.r_[np.zeros(59), 5.0]
    frame.loc[30, "sales"] = 1e6
    wf = mw.Workflow(frame)
    wf.map_data(date="date", target="sales", channels=["tv", "search", "tv_copy", "tiny"])
    kinds = {f.kind: f for f in wf.data_result.warnings}
    assert set(kinds) == {"collinear", "small_channel", "outlier"}
    assert kinds["collinear"].columns == ("tv", "tv_copy")
    assert "2023-07-31" in kinds["outlier"].message


def test_channels_named_like_impressions_or_a_ratio_are_said_not_to_be_money():
    frame = _frame(n=60)
    frame["TV GRPs"] = (frame["tv"] / 40).round(1)
    frame["Cost per click"] = (frame["search"] / (300 + 50 * np.sin(np.arange(60)))).round(3)
    wf = mw.Workflow(frame)
    wf.map_data(date="date", target="sales", channels=["TV GRPs", "search", "Cost per click"])
    said = [f for f in wf.data_result.warnings if f.kind == "not_spend"]
    assert [f.columns for f in said] == [("TV GRPs",), ("Cost per click",)]
    assert said[0].message.startswith("'TV GRPs' is named like GRPs, not money spent")
    assert "named like a ratio" in said[1].message


def test_camel_case_activity_and_an_api_cost_in_micros_are_named():
    # as API exports name fields: TVImpressions beside spend, the Google Ads API's costMicros
    frame = _frame(n=60)
    frame["TVImpressions"] = (frame["tv"] * 95).round()
    frame["costMicros"] = (frame["search"].round(2) * 1_000_000).round()  # whole cents
    mapping = {"date": "date", "target": "sales", "channels": ["TVImpressions", "costMicros"]}
    wf = mw.Workflow(frame)
    wf.map_data(**mapping)
    said = {f.kind: f for f in wf.data_result.warnings}
    assert said["not_spend"].columns == ("TVImpressions",)
    assert said["micros"].columns == ("costMicros",)
    line = said["micros"].message.split("Divide it before mapping: ", 1)[1].removesuffix(".")
    table = wf.source.name  # the raw frame's variable, as the exported code names it
    assert line.startswith(f"{table}['costMicros'] = ")
    names = {table: frame.copy()}
    exec(line, names)
    assert np.allclose(names[table]["costMicros"], frame["search"].round(2))
    wf = mw.Workflow(names[table])
    wf.map_data(**mapping)
    assert "micros" not in {f.kind for f in wf.data_result.warnings}


@pytest.mark.parametrize(("target", "scaled", "says"), [
    ("Sales (€)", "TV spend (k€)", "1,000 times too high"),   # spend in thousands
    ("Sales (€m)", "Sales (€m)", "1,000 times too low"),      # the target in millions
])
def test_spend_and_target_named_in_other_scales_get_the_line_putting_them_in_one(
        target, scaled, says):
    frame = _frame(n=60).rename(columns={"sales": target})
    frame["TV spend (k€)"] = (frame["tv"] / 1_000).round(5)
    mapping = {"date": "date", "target": target, "channels": ["TV spend (k€)", "search"]}
    wf = mw.Workflow(frame)
    wf.map_data(**mapping)
    said = [f for f in wf.data_result.warnings if f.kind == "other_scale"]
    assert said[0].columns == ("TV spend (k€)",) and says in said[0].message
    table = wf.source.name
    line = said[0].message.split("rename the column: ", 1)[1].removesuffix(".")
    assert line.startswith(f"{table}[{scaled!r}] = ")
    names = {table: frame.copy()}
    exec(line, names)
    np.testing.assert_allclose(names[table][scaled], frame[scaled] * 1_000)


def test_names_of_generated_and_public_tables_say_no_scale():
    names = {name for seed in range(300) for name in
             (*spec(seed).channel_names, spec(seed).target_name)}
    assert {name for name in names if named_scale(name) != 1} == set()
    assert [named_scale(n) for n in ("Spend ($k)", "Umsatz TEUR", "Cost (000s)", "tv_m",
                                     "Social (Meta) cost", "Sales ('000)")] == [
        1_000, 1_000, 1_000, 1, 1, 1_000]


def test_one_geo_written_two_ways_gets_the_line_that_writes_it_one_way(geo):
    # a later export writes South as 'south ' (and, in another geo, case only differs)
    df = geo.copy()
    later = df["date"] >= df["date"].min() + pd.Timedelta(weeks=20)
    df.loc[later & (df["geo"] == "south"), "geo"] = "South "
    df.loc[~later & (df["geo"] == "east"), "geo"] = "EAST"
    mapping = {"date": "date", "target": "sales", "channels": ["tv"], "geo": "geo"}
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(df).map_data(**mapping)
    [problem] = info.value.problems  # not a geo that ends and one that starts late
    assert problem.column == "geo"
    assert "'south' and 'South '" in problem.what and "'east' and 'EAST'" in problem.what
    names = {"df": df}
    exec(problem.fix.removeprefix("Write each one way: ").rstrip("."), names)
    data = mw.Workflow(names["df"]).map_data(**mapping)
    expected = mw.Workflow(geo).map_data(**mapping)
    pd.testing.assert_frame_equal(data, expected)


@pytest.mark.parametrize(("weeks", "first"), [(20, "leave"), (94, "fit")])
def test_the_line_that_keeps_more_of_a_ragged_panel_comes_first(weeks, first):
    """A country with 20 weeks of a 104-week history is left out rather than the history
    cut to 20 weeks; one that ends 10 weeks early has the panel cut to its dates."""
    rng = np.random.default_rng(3)
    dates = pd.date_range("2018-01-07", periods=104, freq="W-SUN")
    panel = pd.concat([pd.DataFrame({
        "Country": country, "Date": dates.strftime("%Y-%m-%d"),
        "TV": rng.gamma(2, 500, 104).round(2), "Sales": rng.uniform(5e3, 9e3, 104).round(2)})
        for country in ("Germany", "Austria", "Switzerland")], ignore_index=True)
    short = (panel["Country"] == "Switzerland") & (panel["Date"] > dates[weeks - 1].strftime(
        "%Y-%m-%d"))
    raw = panel[~short].reset_index(drop=True)
    mapping = {"date": "Date", "target": "Sales", "channels": ["TV"], "geo": "Country"}
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(raw).map_data(**mapping)
    [ends] = [p for p in info.value.problems if p.column == "Country"]
    assert ends.what.startswith(f"Geo 'Switzerland' ends on {dates[weeks - 1]:%Y-%m-%d}")
    lines = ends.fix.rstrip(".").split("; or ")
    assert lines[0].startswith("Leave the geo out: " if first == "leave" else
                               "Fit every geo on the dates they all have: ")
    kept = []
    for line in lines:
        data = mw.Workflow(run_fix(line.split(": ", 1)[1], raw)).map_data(**mapping)
        kept.append(len(data))
    assert kept[0] > kept[1]
    assert kept == ([2 * 104, 3 * weeks] if first == "leave" else [3 * weeks, 2 * 104])


@pytest.mark.parametrize(("columns", "listed"), [
    (["Paid_Views", "Google_Impressions", "Organic_Views", "Overall_Views"],
     "'Paid_Views' (views), 'Google_Impressions' (impressions)"),
    (["tvgrp_c", "fsi_holi"], "'tvgrp_c' (GRPs)"),
    # a public chocolate panel's media: GRPs and a count of banners
    (["Ad1 (GRP)", "Ad2 (No_of_banners)", "Number of stores"],
     "'Ad1 (GRP)' (GRPs), 'Ad2 (No_of_banners)' (a count)"),
    # handsets sold, counted, are no activity of the media
    (["DEMAND (No. of Handsets)", "GRP(TV)"], "'GRP(TV)' (GRPs)"),
    (["price_index"], None)])
def test_a_table_of_activity_and_no_spend_names_the_columns_to_map(columns, listed):
    """Tables measuring media as activity only (views and impressions per division; TV
    GRPs beside coupons in newspapers): the problem names what may be mapped instead."""
    rng = np.random.default_rng(9)
    n = 60
    frame = pd.DataFrame({"week": pd.date_range("2020-01-06", periods=n, freq="W-MON"),
                          "Sales": rng.uniform(5e4, 9e4, n),
                          **{c: rng.uniform(0, 1e4, n) for c in columns}})
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(frame).map_data(date="week", target="Sales", channels=[])
    [none] = [p for p in info.value.problems if p.what == "No spend channels are mapped."]
    if listed is None:
        assert none.fix == "Pick at least one column of media spend as a channel."
    else:
        assert none.fix.startswith("This table names no column as spend; its media are "
                                   f"measured as activity: {listed}. Map those as channels")
        assert "a return per unit of that activity, not per unit of money" in none.fix
