"""A date typed wrong (a year, a digit) puts one row far from the others. It is named as
such, with the line that writes the date the others lack (or leaves the row out); the
hundreds of periods it would leave between are not named as missing, nor filled by the
line that adds them at 0. Generated wide tables, weekly and daily, national and geo, with
dates as text in three formats and as datetimes."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table, true_dates
from tests.conftest import mapped, run_fix

FORMATS = {"iso": "%Y-%m-%d", "dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}


def _seeds() -> list[int]:
    """Wide tables of numbers, dated in :data:`FORMATS` or as datetimes."""
    found = [s for s in range(200) if not (
        (v := spec(s)).long or v.text_amounts or v.reported_outcomes or v.units_row
        or v.report_rows or v.weekdays_only or v.zero_runs or v.frequency == "M"
        or v.date_format not in (*FORMATS, "datetime"))]
    daily = [s for s in found if spec(s).frequency == "D"][:3]
    return sorted([s for s in found if s not in daily][:5] + daily)


SEEDS = _seeds()


def _typed(seed: int, moved: pd.DateOffset, at: float = 0.5):
    """The seed's table with one row's date (the first geo's, ``at`` through the table)
    written ``moved`` from its own, in the table's format; that row and its true date."""
    variation = spec(seed)
    frame, roles = table(variation), dict(variation.roles)
    dates = true_dates(variation, frame[roles["date"]])
    day = sorted(dates.unique())[int((dates.nunique() - 1) * at)]
    row = dates.index[dates == day][0]
    wrong = day + moved
    frame[roles["date"]] = frame[roles["date"]].astype(object)
    frame.at[row, roles["date"]] = (wrong if variation.date_format == "datetime"
                                    else wrong.strftime(FORMATS[variation.date_format]))
    return frame, roles, row, day, wrong


def _date_problems(frame: pd.DataFrame, roles: dict) -> list:
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(frame, name="raw").map_data(**roles)
    return [p for p in raised.value.problems if p.column == roles["date"]]


def test_the_seeds_vary_what_they_should():
    chosen = [spec(s) for s in SEEDS]
    assert {bool(v.geos) for v in chosen} == {False, True}
    assert {v.frequency for v in chosen} == {"W", "D"}
    assert len({v.date_format for v in chosen}) >= 3


@pytest.mark.parametrize("seed", SEEDS)
def test_a_year_typed_wrong_is_named_and_written_back_by_the_line(seed):
    frame, roles, _, day, wrong = _typed(seed, pd.DateOffset(years=10))
    (named,) = _date_problems(frame, roles)  # not the years it leaves between
    assert named.rows == (f"{wrong:%Y-%m-%d}",) and "lies far from the others" in named.what
    line = named.fix.split("write it so: ", 1)[1].split(". Otherwise", 1)[0]
    assert f"If it is {day:%Y-%m-%d} " in named.fix
    pd.testing.assert_frame_equal(mapped(run_fix(line, frame), roles),
                                  mapped(table(spec(seed)), roles))


@pytest.mark.parametrize("seed", SEEDS[::2])
def test_a_first_date_typed_wrong_is_written_back_too(seed):
    frame, roles, _, day, _ = _typed(seed, pd.DateOffset(years=-10), at=0.0)
    (named,) = _date_problems(frame, roles)
    assert f"If it is {day:%Y-%m-%d} " in named.fix
    line = named.fix.split("write it so: ", 1)[1].split(". Otherwise", 1)[0]
    pd.testing.assert_frame_equal(mapped(run_fix(line, frame), roles),
                                  mapped(table(spec(seed)), roles))


@pytest.mark.parametrize("seed", SEEDS[::2])
def test_a_date_unlike_any_missing_one_is_left_out_by_the_line(seed):
    frame, roles, row, _, wrong = _typed(seed, pd.DateOffset(years=10, days=35))
    named = _date_problems(frame, roles)
    assert named[0].rows == (f"{wrong:%Y-%m-%d}",) and "If it is" not in named[0].fix
    # left out, its period is missing, as any other: a gap of one period per geo it was in
    assert [p.count for p in named[1:]] == [1]
    line = named[0].fix.split("leave the row out: ", 1)[1].rstrip(".")
    kept = run_fix(line, frame)
    pd.testing.assert_frame_equal(kept, frame.drop(index=row))


def test_a_gap_mid_table_is_no_stray_date():
    variation = spec(SEEDS[0])
    frame, roles = table(variation), dict(variation.roles)
    dates = true_dates(variation, frame[roles["date"]])
    ordered = sorted(dates.unique())
    gap = frame[~dates.isin(ordered[40:80])]  # 40 periods missing mid-table
    named = _date_problems(gap, roles)
    assert [p.count for p in named] == [40]
    assert "lies far from the others" not in named[0].what
