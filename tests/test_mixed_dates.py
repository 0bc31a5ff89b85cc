"""A date column written two ways: an export appended in another format, or cells of
Excel's day numbers among text dates. The rows of the other format are named as such,
with the line that reads each row in its own format; that line gives back the table's
dates. Generated wide tables, weekly and daily, national and geo."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table, true_dates
from tests.conftest import mapped, run_fix

FORMATS = {"iso": "%Y-%m-%d", "dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}
#: Another format for each: one that cannot read the first's dates the same way.
OTHER = {"iso": "%d/%m/%Y", "dmy": "%Y-%m-%d", "mdy": "%Y-%m-%d"}


def _seeds() -> list[int]:
    found = [s for s in range(200) if not (
        (v := spec(s)).long or v.text_amounts or v.reported_outcomes or v.units_row
        or v.report_rows or v.weekdays_only or v.frequency == "M"
        or v.date_format not in FORMATS)]
    daily = [s for s in found if spec(s).frequency == "D"][:2]
    return sorted([s for s in found if s not in daily][:4] + daily)


SEEDS = _seeds()


def _mixed(seed: int, written, rows: str = "last third"):
    """The seed's table with some rows' dates written by ``written`` (a Timestamp ->
    value): the last third of its dates (an export appended), or every fifth date."""
    variation = spec(seed)
    frame, roles = table(variation), dict(variation.roles)
    dates = true_dates(variation, frame[roles["date"]])
    ordered = sorted(dates.unique())
    chosen = ordered[len(ordered) * 2 // 3:] if rows == "last third" else ordered[2::5]
    moved = dates.isin(chosen)
    frame[roles["date"]] = frame[roles["date"]].astype(object)
    frame.loc[moved, roles["date"]] = [written(d) for d in dates[moved]]
    return frame, roles


def test_the_seeds_vary_what_they_should():
    chosen = [spec(s) for s in SEEDS]
    assert {bool(v.geos) for v in chosen} == {False, True}
    assert {v.frequency for v in chosen} == {"W", "D"}


@pytest.mark.parametrize("rows", ["last third", "every fifth date"])
@pytest.mark.parametrize("seed", SEEDS)
def test_dates_of_another_format_are_read_by_the_line(seed, rows):
    other = OTHER[spec(seed).date_format]
    frame, roles = _mixed(seed, lambda d: d.strftime(other), rows)
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(frame, name="raw").map_data(**roles)
    (named,) = [p for p in raised.value.problems if p.column == roles["date"]]
    assert named.what.endswith(f"these are {other!r}.")
    line = named.fix.split("own format: ", 1)[1].rstrip(".")
    pd.testing.assert_frame_equal(mapped(run_fix(line, frame), roles),
                                  mapped(table(spec(seed)), roles))


@pytest.mark.parametrize("seed", SEEDS)
def test_excel_day_numbers_among_text_dates_are_read_by_the_line(seed):
    frame, roles = _mixed(seed, lambda d: str((d - pd.Timestamp("1899-12-30")).days),
                          "every fifth date")
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(frame, name="raw").map_data(**roles)
    (named,) = [p for p in raised.value.problems if p.column == roles["date"]]
    assert named.what.endswith("these are Excel day numbers.")
    line = named.fix.split("own format: ", 1)[1].rstrip(".")
    pd.testing.assert_frame_equal(mapped(run_fix(line, frame), roles),
                                  mapped(table(spec(seed)), roles))
