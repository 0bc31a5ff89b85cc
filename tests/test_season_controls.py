"""Month indicators mapped as controls are named: a second yearly season beside the model's.

The indicators are written here from the dates the generator drew (``true_dates``), not
read back from the table's text, in the ways regression tables name them.
"""

from __future__ import annotations

import calendar
import dataclasses

import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import TableSpec, table, true_dates

MONTHS = range(1, 13)
#: How tables name one 0/1 column per month.
NAMINGS = {
    "upper": lambda m: f"IS_{calendar.month_name[m].upper()}",
    "numbered": lambda m: f"seas_prd_{m}",
    "abbreviated": lambda m: f"m_{calendar.month_abbr[m].lower()}",
}
VARIATIONS = [
    # (spec, naming, months with an indicator)
    (TableSpec(seed=1, periods=156), "upper", list(MONTHS)),
    (TableSpec(seed=2, periods=156, date_name="week_start", date_format="dmy",
               week_start="SUN"), "numbered", [1, 2, 3, 4, 5, 6, 7, 8, 9, 12]),
    (TableSpec(seed=3, periods=60, frequency="M", date_name="Month"), "abbreviated",
     list(MONTHS)[1:]),
    (TableSpec(seed=4, periods=800, frequency="D", date_name="DATE"), "upper",
     list(MONTHS)[1:]),
    (TableSpec(seed=5, periods=104, geos=3, geo_name="region"), "numbered", list(MONTHS)),
]


def _with_month_indicators(spec: TableSpec, naming: str, months: list[int]):
    frame = table(spec)
    month = true_dates(spec, frame[spec.date_name]).dt.month
    names = [NAMINGS[naming](m) for m in months]
    for m, name in zip(months, names, strict=True):
        frame[name] = (month == m).astype(int)
    return frame, names


def _season_notes(frame: pd.DataFrame, roles: dict) -> list:
    wf = mw.Workflow(frame, name="df")
    wf.map_data(**roles)
    return [f for f in wf.data_result.warnings if f.kind == "season_controls"]


@pytest.mark.parametrize(("spec", "naming", "months"), VARIATIONS)
def test_month_indicators_are_named_with_the_controls_without_them(spec, naming, months):
    frame, names = _with_month_indicators(spec, naming, months)
    others = list(spec.roles["controls"])
    roles = {**spec.roles, "controls": [*others, *names]}
    [note] = _season_notes(frame, roles)
    assert list(note.columns) == names
    assert f"controls={others!r}" in note.message
    assert ("add up to 1" in note.message) == (len(months) == 12)
    # mapped as the note says, the table has no such note
    assert _season_notes(frame, {**roles, "controls": others}) == []


def test_a_months_name_as_a_text_control_is_named_by_its_column():
    spec = TableSpec(seed=6, periods=156)
    frame = table(spec)
    frame["month_name"] = true_dates(spec, frame[spec.date_name]).dt.month_name()
    others = list(spec.roles["controls"])
    [note] = _season_notes(frame, {**spec.roles, "controls": [*others, "month_name"]})
    assert note.columns == ("month_name",)
    assert f"controls={others!r}" in note.message


def test_quarter_indicators_spell_out_the_season_too():
    spec = TableSpec(seed=7, periods=156)
    frame = table(spec)
    quarter = true_dates(spec, frame[spec.date_name]).dt.quarter
    names = [f"Q{q}" for q in range(1, 5)]
    for q, name in enumerate(names, start=1):
        frame[name] = (quarter == q).astype(int)
    [note] = _season_notes(frame, {**spec.roles, "controls": names})
    assert list(note.columns) == names


def _events(spec: TableSpec) -> tuple[pd.DataFrame, list[str]]:
    """Events that recur every year, or mark a month once: no season spelled out."""
    frame = table(spec)
    dates = true_dates(spec, frame[spec.date_name])
    week = dates.dt.isocalendar().week.astype(int)
    frame["christmas_week"] = (week == 51).astype(int)
    frame["black_friday"] = (week == 47).astype(int)
    # December's last three weeks, every year: a holiday season, not a month
    frame["holiday_season"] = ((dates.dt.month == 12) & (dates.dt.day >= 11)).astype(int)
    frame["summer_sale"] = dates.dt.month.isin([7, 8]).astype(int)
    frame["spring_sale"] = (dates.dt.month == 4).astype(int)
    # a month-long launch in one year only
    first_year = dates.dt.year == dates.dt.year.min()
    frame["launch"] = (first_year & (dates.dt.month == 9)).astype(int)
    return frame, ["christmas_week", "black_friday", "holiday_season", "summer_sale",
                   "spring_sale", "launch"]


@pytest.mark.parametrize("spec", [TableSpec(seed=8, periods=156),
                                  TableSpec(seed=9, periods=900, frequency="D"),
                                  TableSpec(seed=10, periods=104, geos=2)])
def test_events_and_a_few_sales_months_are_not_named(spec):
    frame, events = _events(spec)
    assert _season_notes(frame, {**spec.roles, "controls": events}) == []


def test_month_indicators_over_one_year_only_are_not_named():
    spec = TableSpec(seed=11, periods=52)
    frame, names = _with_month_indicators(spec, "upper", list(MONTHS))
    assert _season_notes(frame, {**spec.roles, "controls": names}) == []


def test_a_table_without_them_gets_no_note_on_every_frequency():
    for spec in (TableSpec(seed=12), TableSpec(seed=13, frequency="M", periods=36),
                 dataclasses.replace(TableSpec(seed=14), event_control=True)):
        assert _season_notes(table(spec), spec.roles) == []
