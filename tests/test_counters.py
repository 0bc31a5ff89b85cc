"""Tables that count their periods (``Week`` 1 to 156, ``t`` 0 to 155) instead of dating
them, and tables without any dates: each gets one problem whose line dates its rows, and
the table maps once the line has run."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.counters import PLACEHOLDER_START
from tests.conformance.tables import TableSpec, spec, table, true_dates

#: Generated tables: national weekly, a weekly geo panel, a monthly geo panel, monthly,
#: a daily geo panel.
SEEDS = (0, 10, 14, 22, 29)
#: What a course table calls the number of each frequency's periods.
COUNTER_NAMES = {"W": "Week", "M": "Month", "D": "Day"}
#: The fix's line (on the table by its name) and the column it adds.
_LINE = re.compile(r": ((\w+)\[.+?); then map '(\w+)'")


def _counted(seed: int, name: str | None = None, first: int = 1, text: bool = False):
    """The seed's table with its dates replaced by the number of each row's period."""
    variation = spec(seed)
    frame = table(variation)
    date = variation.roles["date"]
    truth = true_dates(variation, frame[date])
    number = truth.rank(method="dense").astype(int) - 1 + first
    name = name or COUNTER_NAMES[variation.frequency]
    counted = frame.drop(columns=date).assign(**{name: number.astype(str) if text else number})
    return variation, counted, truth


def _problem(frame: pd.DataFrame, roles: dict):
    with pytest.raises(DataError) as raised:
        mw.Workflow(frame).map_data(**roles)
    return raised.value.problems[0]


def _run_line(fix: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    line, name, new_column = _LINE.search(fix).groups()
    names = {"pd": pd, name: frame.copy()}
    exec(line, names)
    return names[name], new_column


def _months(dates: pd.Series) -> pd.Series:
    return dates.dt.year * 12 + dates.dt.month


@pytest.mark.parametrize("seed", SEEDS)
def test_a_column_counting_the_periods_gets_the_line_that_dates_them(seed):
    variation, counted, truth = _counted(seed, text=seed == 22)
    name = COUNTER_NAMES[variation.frequency]
    fixes = set()
    for date in ("", name):  # none chosen, or the counter chosen as the date
        found = _problem(counted, {**variation.roles, "date": date})
        assert found.column == name
        assert f"counts the {name.lower()}s (1 to {truth.nunique()})" in found.what
        fixes.add(found.fix)
    assert len(fixes) == 1  # one fix, on the table by its name
    dated, new_column = _run_line(found.fix, counted)
    # Period 1 falls on the placeholder, and each row keeps its distance from period 1.
    start = pd.Timestamp(PLACEHOLDER_START)
    if variation.frequency == "M":
        assert (_months(dated[new_column]) - _months(pd.Series([start]))[0]
                == _months(truth) - _months(truth)[truth.idxmin()]).all()
    else:
        assert (dated[new_column] - start == truth - truth.min()).all()
    wf = mw.Workflow(dated)
    wf.map_data(**{**variation.roles, "date": new_column})
    assert len(wf.data) == len(counted)


def test_a_counter_not_named_by_its_unit_is_dated_as_weeks_and_says_so():
    variation, counted, truth = _counted(1, name="t", first=0)
    found = _problem(counted, {**variation.roles, "date": ""})
    assert f"'t' counts the periods (0 to {truth.nunique() - 1})" in found.what
    assert "unit='D'" in found.fix
    dated, new_column = _run_line(found.fix, counted)
    assert (dated[new_column] - pd.Timestamp(PLACEHOLDER_START) == truth - truth.min()).all()


def test_a_table_without_dates_gets_the_line_that_dates_its_rows(tmp_path):
    # ISLR's Advertising table: pandas' own index written with it, no time column (nor a
    # trend counting the periods: seed 1 has none).
    variation = spec(1)
    frame = table(variation).drop(columns=variation.roles["date"])
    frame.to_csv(tmp_path / "advertising.csv")
    wf = mw.Workflow.from_file(tmp_path / "advertising.csv")
    assert wf.suggest_mapping()["date"] is None
    with pytest.raises(DataError) as raised:
        wf.map_data(**{**variation.roles, "date": ""})
    found = raised.value.problems[0]
    assert "no column holds dates" in found.what and "Advertising" in found.fix
    dated, new_column = _run_line(found.fix, wf.raw)
    weeks = pd.date_range(PLACEHOLDER_START, periods=len(frame), freq="7D")
    assert (dated[new_column].to_numpy() == weeks.to_numpy()).all()
    dated_wf = mw.Workflow(dated)
    dated_wf.map_data(**{**variation.roles, "date": new_column})
    assert len(dated_wf.data) == len(frame)


def test_numbers_that_skip_or_repeat_unevenly_are_no_counter():
    variation, counted, _ = _counted(0)
    skipping = counted.assign(Week=counted["Week"].where(counted["Week"] != 5, 500))
    found = _problem(skipping, {**variation.roles, "date": "Week"})
    assert "counts" not in found.what


def test_weeks_of_the_year_repeated_each_year_lack_their_year_not_a_start():
    # Week 1 to 52, twice: two years' weeks without their year, not 104 weeks counted
    variation, counted, _ = _counted(0)
    yearly = counted.head(104).assign(Week=[*range(1, 53), *range(1, 53)])
    found = _problem(yearly, {**variation.roles, "date": "Week"})
    assert "without their year" in found.what


@pytest.mark.parametrize(("written", "geos"), [("{year}-Q{quarter}", 0), ("Q{quarter} {year}", 3),
                                               ("{year}Q{quarter}", 2)])
def test_a_column_of_quarters_is_named_as_the_tables_time_not_dated_as_weeks(written, geos):
    # a regional panel of quarters: dating its rows as consecutive weeks would be wrong
    variation = TableSpec(seed=4, frequency="M", periods=36, geos=geos, date_name="period")
    monthly = table(variation)
    months = true_dates(variation, monthly["period"])
    frame = monthly[months.dt.month.isin([1, 4, 7, 10])].reset_index(drop=True)
    frame["period"] = [written.format(year=d.year, quarter=d.quarter)
                       for d in months[months.dt.month.isin([1, 4, 7, 10])]]
    wf = mw.Workflow(frame, name="raw")
    suggested = wf.suggest_mapping()
    assert suggested["date"] is None and "period" not in suggested["controls"]
    with pytest.raises(DataError) as raised:
        wf.map_data(**{**variation.roles, "date": ""})
    found = raised.value.problems[0]
    assert found.column == "period"
    assert "holds quarters" in found.what and frame["period"].iloc[0] in found.what
    assert "date_range" not in found.fix and "finer grain" in found.fix
