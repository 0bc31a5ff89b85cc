"""A date written over two columns (a year beside its week or month): found, joined by the
line the data step's message gives, then mapped."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.date_columns import find_date_columns
from tests.conformance.tables import spec, table, true_dates


def _fix_line(error: DataError) -> str:
    """The pandas line of the message's fix (after 'as the date: ', without the last '.')."""
    fixes = [p.fix for p in error.problems if "written over two columns" in p.what]
    assert len(fixes) == 1, [p.what for p in error.problems]
    return fixes[0].split("as the date: ", 1)[1].removesuffix(".")


def _weekly_table(weeks: list[tuple[int, int]], year: str = "Year", week: str = "Week",
                  seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({year: [y for y, _ in weeks], week: [w for _, w in weeks],
                          "tv": rng.gamma(2, 500, len(weeks)).round(2),
                          "radio": rng.gamma(2, 200, len(weeks)).round(2)})
    frame["Sales"] = (5000 + 2 * frame["tv"] + frame["radio"]).round(2)
    return frame


# 2020 has 53 ISO weeks: the run crosses 2020-W53 into 2021-W01
CROSSING = [(2020, w) for w in range(20, 54)] + [(2021, w) for w in range(1, 27)]


@pytest.mark.parametrize(("year", "week"), [("Year", "Week"), ("yr", "wk"), ("Jahr", "KW"),
                                            ("YEAR", "WEEK_NO"), ("year", "week_number")])
def test_a_year_and_an_iso_week_make_the_weeks_mondays(year, week):
    frame = _weekly_table(CROSSING, year, week)
    wf = mw.Workflow()
    wf.set_frame(frame)
    suggested = wf.suggest_mapping()
    assert suggested["date"] is None
    assert (suggested["target"], sorted(suggested["channels"])) == ("Sales", ["radio", "tv"])
    assert suggested["controls"] == []
    with pytest.raises(DataError) as raised:
        wf.map_data(date=None, target="Sales", channels=["tv", "radio"])
    line = _fix_line(raised.value)
    assert "written over two columns" in str(raised.value)
    assert f"the year in {year!r} and the ISO week in {week!r}" in str(raised.value)
    assert "No date column is chosen" not in str(raised.value)

    names = {"df": frame.copy(), "pd": pd}
    exec(line, names)
    fixed = names["df"]
    mondays = [pd.Timestamp(datetime.date.fromisocalendar(y, w, 1)) for y, w in CROSSING]
    assert fixed["week_start"].tolist() == mondays
    wf = mw.Workflow()
    wf.set_frame(fixed)
    wf.map_data(date="week_start", target="Sales", channels=["tv", "radio"])
    assert wf.data_result.frequency == "weekly"
    assert wf.data["week_start"].tolist() == mondays


def test_picking_the_week_or_the_year_as_the_date_gets_the_same_fix():
    frame = _weekly_table(CROSSING)
    for picked in ("Week", "Year"):
        wf = mw.Workflow()
        wf.set_frame(frame)
        with pytest.raises(DataError) as raised:
            wf.map_data(date=picked, target="Sales", channels=["tv", "radio"])
        assert "could not be parsed" not in str(raised.value)
        assert _fix_line(raised.value).startswith("df['week_start'] = pd.to_datetime(")


@pytest.mark.parametrize("written", ["number", "%b", "%B", "number text"])
def test_a_year_and_a_month_make_the_months_first_days(written, tmp_path):
    firsts = pd.date_range("2021-07-01", periods=30, freq="MS")
    rng = np.random.default_rng(3)
    months = {"number": firsts.month, "number text": [f"{m:02d}" for m in firsts.month],
              "%b": firsts.strftime("%b"), "%B": firsts.strftime("%B")}[written]
    frame = pd.DataFrame({"Year": firsts.year, "Month": months,
                          "search_spend": rng.gamma(2, 300, 30).round(2),
                          "revenue": rng.gamma(5, 900, 30).round(2)})
    path = tmp_path / "monthly.csv"
    frame.to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    with pytest.raises(DataError) as raised:
        wf.map_data(date=None, target="revenue", channels=["search_spend"])
    line = _fix_line(raised.value)
    assert "the year in 'Year' and the month in 'Month'" in str(raised.value)
    names = {"df": pd.read_csv(path), "pd": pd}
    exec(line, names)
    assert names["df"]["month_start"].tolist() == list(firsts)
    wf = mw.Workflow()
    wf.set_frame(names["df"])
    wf.map_data(date="month_start", target="revenue", channels=["search_spend"])
    assert wf.data_result.frequency == "monthly"


def test_a_taken_name_gets_an_underscore_and_a_panel_joins_row_by_row():
    weeks = [(2023, w) for w in range(1, 53)] + [(2024, w) for w in range(1, 30)]
    frames = []
    for index, geo in enumerate(("north", "south", "east")):
        part = _weekly_table(weeks, seed=index)
        frames.append(part.assign(region=geo, week_start="see notes"))
    frame = pd.concat(frames, ignore_index=True)
    wf = mw.Workflow()
    wf.set_frame(frame)
    with pytest.raises(DataError) as raised:
        wf.map_data(date=None, target="Sales", channels=["tv", "radio"], geo="region")
    line = _fix_line(raised.value)
    assert line.startswith("df['week_start_'] = ")
    names = {"df": frame.copy(), "pd": pd}
    exec(line, names)
    mondays = [pd.Timestamp(datetime.date.fromisocalendar(y, w, 1)) for y, w in weeks]
    assert names["df"]["week_start_"].tolist() == mondays * 3
    wf = mw.Workflow()
    wf.set_frame(names["df"].drop(columns=["week_start"]))
    wf.map_data(date="week_start_", target="Sales", channels=["tv", "radio"], geo="region")
    assert wf.data_result.frequency == "weekly"
    assert len(wf.data) == 3 * len(weeks)


def test_week_numbers_that_are_no_iso_weeks_are_listed():
    # weeks counted from 1 January: 2021 gets a week 53, which ISO 2021 does not have
    weeks = [(2021, w) for w in range(1, 54)] + [(2022, w) for w in range(1, 20)]
    frame = _weekly_table(weeks)
    wf = mw.Workflow()
    wf.set_frame(frame)
    with pytest.raises(DataError) as raised:
        wf.map_data(date=None, target="Sales", channels=["tv", "radio"])
    found = [p for p in raised.value.problems if "written over two columns" in p.what]
    assert len(found) == 1
    assert "name no ISO week" in found[0].what
    assert found[0].column == "Week"
    assert found[0].rows == ("row 52",) and found[0].count == 1


@pytest.mark.parametrize(("column", "values", "told"), [
    ("Week", list(range(1, 53)) * 2, "week numbers (1-53) without their year"),
    ("Month", [f"{m:%b}" for m in pd.date_range("2023-01", periods=24, freq="MS")],
     "months without their year"),
])
def test_a_week_or_month_without_its_year_is_named_as_such(column, values, told):
    frame = pd.DataFrame({column: values, "tv": np.arange(len(values)) % 7 * 100.0,
                          "Sales": 1000.0 + np.arange(len(values))})
    wf = mw.Workflow()
    wf.set_frame(frame)
    with pytest.raises(DataError) as raised:
        wf.map_data(date=column, target="Sales", channels=["tv"])
    [found] = [p for p in raised.value.problems if p.column == column]
    assert told in found.what and "Add each row's year as a column" in found.fix


@pytest.mark.parametrize("frame", [
    pd.DataFrame({"Year": [2024] * 3, "Sales": [1.0, 2.0, 3.0]}),                # no week
    pd.DataFrame({"Year": [2024] * 3, "Week": [1, 60, 61]}),                    # not weeks
    pd.DataFrame({"Year": [2024] * 3, "Week": [1.5, 2.0, 3.0]}),                # not whole
    pd.DataFrame({"Year": [12, 13, 14], "Week": [1, 2, 3]}),                     # not years
    pd.DataFrame({"Year": [2024] * 3, "Week": [1, 1, 1]}),                      # one week
    pd.DataFrame({"Year": [2024] * 3, "Month": ["Jan", "Feb", "Total"]}),       # a total
    pd.DataFrame({"Year": [2024] * 3, "Week": [1, 2, None]}),                   # missing
    pd.DataFrame({"launch_year": [2019] * 3, "model_year": [2020] * 3,         # two years
                  "Week": [1, 2, 3]}),
    pd.DataFrame({"Year": [2024] * 3, "tv": [1, 2, 3]}),                        # no name
])
def test_other_tables_have_no_date_over_two_columns(frame):
    assert find_date_columns(frame) is None


def test_a_table_with_a_date_and_its_year_and_week_maps_its_date():
    frame = _weekly_table(CROSSING)
    frame.insert(0, "date", [datetime.date.fromisocalendar(y, w, 1).isoformat()
                             for y, w in CROSSING])
    wf = mw.Workflow()
    wf.set_frame(frame)
    assert wf.suggest_mapping()["date"] == "date"
    wf.map_data(date="date", target="Sales", channels=["tv", "radio"])
    assert wf.data_result.frequency == "weekly"


# ----- generated tables: the split table maps to what the one-column table mapped -----------

YEAR_NAMES = ("Year", "YEAR", "yr", "year")
PART_NAMES = {"W": ("Week", "WEEK_NO", "wk", "week_number"), "M": ("Month", "MONTH", "mth")}


def _seeds(weekly: int, monthly: int) -> list[int]:
    """The first generated weekly and monthly tables without report or units rows."""
    chosen: dict[str, list[int]] = {"W": [], "M": []}
    wanted = {"W": weekly, "M": monthly}
    for seed in range(400):
        variation = spec(seed)
        kind = variation.frequency
        if (kind in wanted and len(chosen[kind]) < wanted[kind] and not variation.report_rows
                and not variation.units_row):
            chosen[kind].append(seed)
    return chosen["W"] + chosen["M"]


@pytest.mark.parametrize("seed", _seeds(8, 4))
def test_generated_tables_written_with_year_and_week_or_month_map_the_same(seed, tmp_path):
    variation = spec(seed)
    frame = table(variation)
    wf = mw.Workflow()
    wf.set_frame(frame)
    wf.map_data(**variation.roles)
    expected = wf.data
    date = variation.date_name

    # The year and week (month) of each row, from the dates the generator wrote there.
    written = true_dates(variation, frame[date])
    assert written.notna().all()
    rng = np.random.default_rng(seed)
    kind = variation.frequency
    if kind == "W":
        iso = written.dt.isocalendar()
        year, part = iso["year"].astype(int), iso["week"].astype(int)
        joined = written - pd.to_timedelta(written.dt.day_of_week, unit="D")  # the Monday
    else:
        year = written.dt.year
        part = written.dt.strftime("%b") if (seed // 8) % 2 else written.dt.month
        joined = written
    position = frame.columns.get_loc(date)
    split = frame.drop(columns=[date])
    split.insert(position, str(rng.choice(PART_NAMES[kind])), part.to_numpy())
    split.insert(position, str(rng.choice(YEAR_NAMES)), year.to_numpy())
    path = tmp_path / "split.csv"
    split.to_csv(path, index=False)

    wf = mw.Workflow.from_file(path)
    assert wf.suggest_mapping()["date"] is None
    roles = {k: v for k, v in variation.roles.items() if k != "date"}
    with pytest.raises(DataError) as raised:
        wf.map_data(date=None, **roles)
    names = {"df": pd.read_csv(path), "pd": pd}
    exec(_fix_line(raised.value), names)
    new = "week_start" if kind == "W" else "month_start"
    assert names["df"][new].tolist() == joined.tolist()

    wf = mw.Workflow()
    wf.set_frame(names["df"])
    wf.map_data(**roles, date=new)
    mapped = wf.data.reset_index(drop=True)
    expected = expected.reset_index(drop=True)
    pd.testing.assert_frame_equal(mapped.drop(columns=[new]), expected.drop(columns=[date]),
                                  check_dtype=False)
    # the same periods, each moved back to its ISO week's Monday (Sunday weeks: 6 days; a
    # table writing ISO weeks was read as their Mondays already)
    shift = (expected[date] - mapped[new]).unique()
    assert len(shift) == 1 and shift[0] in (pd.Timedelta(0), pd.Timedelta(days=6))
