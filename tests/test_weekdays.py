"""Weeks dated by two weekdays (tables joined that each date a week their own way) are named
with the line that dates every week by one weekday, and the line that joins a week's rows
when an outer join left them apart; the fixed table maps as the table before its dates were
moved. Days and twice-weekly rows are not read as weeks dated two ways."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table, true_dates
from tests.conftest import run_fix

#: Weekly generated tables: national (Monday and Sunday weeks, text events, a value per
#: unit), and geo panels of 3 and 5 geos.
NATIONAL = (0, 1, 12, 77)
PANELS = (21, 36, 57)
FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y")


def _generated(seed: int) -> tuple[pd.DataFrame, dict, pd.Series]:
    """A generated table with its date column as datetimes, its roles, and its dates."""
    variation = spec(seed)
    frame = table(variation)
    date = variation.roles["date"]
    dates = true_dates(variation, frame[date])
    roles = {k: v for k, v in variation.roles.items() if v is not None}
    return frame, roles, dates


def _written(frame: pd.DataFrame, date: str, dates: pd.Series, fmt: str) -> pd.DataFrame:
    return frame.assign(**{date: dates.dt.strftime(fmt)})


def _map(frame: pd.DataFrame, roles: dict, fmt: str | None):
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles, **({"date_format": fmt} if fmt else {}))
    return wf


def _problem(frame: pd.DataFrame, roles: dict, fmt: str):
    with pytest.raises(mw.DataError) as caught:
        _map(frame, roles, fmt)
    problems = caught.value.problems
    named = [p for p in problems if p.what.startswith("Weekly dates fall on")]
    assert len(named) == 1, [p.what for p in problems]
    return named[0], problems


def _code(fix: str) -> str:
    """The pandas lines of a fix (after its first colon, without the closing stop)."""
    return fix.split(": ", 1)[1].removesuffix(".")


def _same_as_before(fixed: pd.DataFrame, before: pd.DataFrame, roles: dict, fmt: str,
                    dates: pd.Series) -> None:
    """The fixed table maps with no problem, to the data of the table before its dates
    were moved."""
    expected = _map(_written(before, roles["date"], dates, fmt), roles, fmt).data
    got = _map(fixed, roles, None).data
    pd.testing.assert_frame_equal(got.reset_index(drop=True),
                                  expected.reset_index(drop=True), check_dtype=False)


@pytest.mark.parametrize(("seed", "days", "fmt"), [(0, -1, FORMATS[0]), (1, 1, FORMATS[1]),
                                                   (12, 6, FORMATS[2]), (77, -1, FORMATS[0])])
def test_a_switch_of_weekday_mid_series_is_named_and_undone(seed, days, fmt):
    frame, roles, dates = _generated(seed)
    moved = dates.copy()
    switch = 2 * len(dates) // 3  # most weeks keep their weekday
    moved.iloc[switch:] += pd.Timedelta(days=days)
    found, problems = _problem(_written(frame, roles["date"], moved, fmt), roles, fmt)
    # nothing else is said about the dates: no gap, no weekdays-only daily sequence
    assert [p for p in problems if p.column == roles["date"]] == [found]
    main = dates.iloc[0].day_name()
    other = moved.iloc[-1].day_name()
    assert (f"weeks are dated by {main}s up to {dates.iloc[switch - 1]:%Y-%m-%d}, by "
            f"{other}s from {moved.iloc[switch]:%Y-%m-%d} on") in found.what
    assert found.count == len(dates) - switch
    assert f"{other}s move to the {main} {'before' if days > 0 else 'after'}" in found.fix
    fixed = run_fix(_code(found.fix),
                    _written(frame, roles["date"], moved, fmt))
    _same_as_before(fixed, frame, roles, fmt, dates)


@pytest.mark.parametrize("seed", PANELS)
def test_a_geo_dating_its_weeks_by_another_weekday_is_named(seed):
    frame, roles, dates = _generated(seed)
    geo = roles["geo"]
    second = frame[geo].unique()[1]
    moved = dates.where(frame[geo] != second, dates - pd.Timedelta(days=1))
    fmt = FORMATS[seed % 3]
    found, problems = _problem(_written(frame, roles["date"], moved, fmt), roles, fmt)
    assert [p for p in problems if p.column in (roles["date"], geo)] == [found]
    assert (f"geo {second!r} dates its weeks by "
            f"{moved[frame[geo] == second].iloc[0].day_name()}s") in found.what
    assert found.count == (frame[geo] == second).sum()
    fixed = run_fix(_code(found.fix),
                    _written(frame, roles["date"], moved, fmt))
    _same_as_before(fixed, frame, roles, fmt, dates)


@pytest.mark.parametrize(("seed", "zeros"), [(0, False), (12, False), (21, False),
                                             (1, True), (57, True)])
def test_a_platform_joined_on_its_own_weekday_is_moved_and_joined(seed, zeros):
    """One channel's spend, from a platform dating weeks a day earlier, joined onto the
    rest on the dates (an outer join): each week is two rows, each empty where the other
    has values (or 0, once filled)."""
    frame, roles, dates = _generated(seed)
    keys = [roles["date"], *([roles["geo"]] if "geo" in roles else [])]
    channel = roles["channels"][-1]
    fmt = FORMATS[seed % 3]
    written = _written(frame, roles["date"], dates, fmt)
    platform = _written(frame[[*keys, channel]], roles["date"], dates - pd.Timedelta(days=1),
                        fmt)
    joined = written.drop(columns=channel).merge(platform, on=keys, how="outer")
    if zeros:
        numbers = [c for c in joined.columns if pd.api.types.is_numeric_dtype(joined[c])]
        joined[numbers] = joined[numbers].fillna(0)
    found, problems = _problem(joined, roles, fmt)
    assert problems == [found]  # the empty cells are not named: joining fills them
    assert f"the rows on {(dates.iloc[0] - pd.Timedelta(days=1)).day_name()}s hold " \
           f"{channel!r} alone" in found.what
    assert (".first()" if not zeros else ".agg({c: 'sum' if") in found.fix
    fixed = run_fix(_code(found.fix), joined)
    _same_as_before(fixed, frame, roles, fmt, dates)


def test_one_week_dated_a_day_late_is_named():
    frame, roles, dates = _generated(0)
    moved = dates.copy()
    moved.iloc[40] += pd.Timedelta(days=1)  # a Tuesday, after a Monday holiday
    found, _ = _problem(_written(frame, roles["date"], moved, FORMATS[0]), roles, FORMATS[0])
    assert f"1 week is dated by {moved.iloc[40].day_name()}s" in found.what
    assert found.rows == (f"{moved.iloc[40]:%Y-%m-%d}",)


def test_rows_twice_a_week_are_not_weeks_dated_two_ways():
    """Rows on Mondays and Thursdays, each with its own figures: no shift joins them."""
    rng = np.random.default_rng(3)
    mondays = pd.date_range("2023-01-02", periods=60, freq="W-MON")
    days = mondays.append(mondays + pd.Timedelta(days=3)).sort_values()
    frame = pd.DataFrame({"day": days.strftime("%Y-%m-%d"), "sales": rng.gamma(9, 100, 120),
                          "tv": rng.gamma(3, 10, 120), "search": rng.gamma(3, 10, 120)})
    with pytest.raises(mw.DataError) as caught:
        _map(frame, {"date": "day", "target": "sales", "channels": ["tv", "search"]}, None)
    assert not [p for p in caught.value.problems if "Weekly dates" in p.what]


@pytest.mark.parametrize("seed", [0, 21, 36])
def test_weeks_on_one_weekday_pass(seed):
    frame, roles, dates = _generated(seed)
    wf = _map(_written(frame, roles["date"], dates, FORMATS[0]), roles, FORMATS[0])
    assert len(wf.data) == len(frame)


@pytest.mark.parametrize("seed", [23, 33])
def test_a_long_tables_platform_dating_its_own_weeks_is_moved_and_pivoted(seed):
    """One platform's rows of a long table (a row per date, [geo,] and channel) dated a
    day earlier: moved, they meet the other platforms' rows, which the pivot joins."""
    frame, roles, dates = _generated(seed)
    channel_column = roles["long"]["channel_column"]
    platform = frame[channel_column] == frame[channel_column].iloc[-1]
    moved = dates.where(~platform, dates - pd.Timedelta(days=1))
    fmt = FORMATS[seed % 3]
    found, problems = _problem(_written(frame, roles["date"], moved, fmt), roles, fmt)
    assert problems == [found]
    assert f"hold {frame[channel_column].iloc[-1]!r} alone" in found.what
    assert "groupby" not in found.fix  # the pivot sums each date's rows
    fixed = run_fix(_code(found.fix), _written(frame, roles["date"], moved, fmt))
    _same_as_before(fixed, frame, roles, fmt, dates)
