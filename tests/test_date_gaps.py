"""Periods missing from the middle of a table are named with two lines: one adds them with 0
(nothing sold or spent then), one fits the longest run without a gap (not recorded). Each
line, run on the table as the user has it, gives a table the data step maps."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import TableSpec, spec, table, true_dates
from tests.conftest import run_fix

FORMAT = "%Y-%m-%d"


def _with_gap(seed: int, start: int, length: int):
    """A generated table, its dates written as ISO text, without ``length`` periods from
    the ``start``-th on (in every geo); its roles and all its periods."""
    variation = spec(seed)
    frame = table(variation)
    date = variation.roles["date"]
    dates = true_dates(variation, frame[date])
    frame[date] = dates.dt.strftime(FORMAT)
    periods = sorted(dates.unique())
    gone = periods[start:start + length]
    roles = {k: v for k, v in variation.roles.items() if v is not None}
    return frame[~dates.isin(gone)].reset_index(drop=True), roles, periods, gone


def _lines(fix: str) -> tuple[str, str]:
    """The fix's two lines: add the periods with 0, and fit the longest run."""
    found = re.fullmatch(r".*add them with 0 .*?: (.*)\. If they were not recorded, .*?\): (.*)\.",
                         fix)
    assert found, fix
    return found.group(1), found.group(2)


def _map(frame: pd.DataFrame, roles: dict) -> mw.Workflow:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles, date_format=FORMAT)
    return wf


@pytest.mark.parametrize(("seed", "start", "length"), [
    (0, 30, 3),    # weekly, national
    (21, 100, 2),  # weekly, 3 geos: the longer run is the first
    (78, 20, 1),   # monthly
    (65, 150, 4),  # daily
])
def test_missing_periods_are_named_with_lines_that_add_them_or_fit_the_longest_run(
        seed, start, length):
    frame, roles, periods, gone = _with_gap(seed, start, length)
    with pytest.raises(mw.DataError) as caught:
        _map(frame, roles)
    named = [p for p in caught.value.problems if "missing from the" in p.what]
    geos = frame[roles["geo"]].nunique() if "geo" in roles else 1
    assert len(named) == geos, [p.what for p in caught.value.problems]
    assert f"{length} period{'s' if length > 1 else ''} between {periods[0]:%Y-%m-%d} and " \
           f"{periods[-1]:%Y-%m-%d} have no row" in named[0].what
    assert named[0].rows == tuple(f"{d:%Y-%m-%d}" for d in gone)
    added, longest = _lines(named[0].fix)

    # controls are left empty, for the user to fill in: here, as they were
    filled = run_fix(added, frame)
    controls = roles.get("controls", [])
    filled[controls] = filled[controls].fillna(frame[controls].iloc[0])
    filled = _map(filled, roles).data
    assert len(filled) == len(periods) * geos
    new = filled[filled[roles["date"]].isin(gone)]
    assert len(new) == length * geos
    assert (new[[roles["target"], *roles.get("channels", [])]] == 0).all().all()

    kept = _map(run_fix(longest, frame), roles).data
    before, after = periods[:start], periods[start + length:]
    run = before if len(before) >= len(after) else after
    assert sorted(kept[roles["date"]].unique()) == run


def test_a_long_tables_missing_periods_are_fitted_around():
    """A long table (a row per date and channel) without some dates has no sales for
    them either: only the longest run is offered."""
    frame, roles, periods, _ = _with_gap(23, 60, 2)
    with pytest.raises(mw.DataError) as caught:
        _map(frame, roles)
    named = [p for p in caught.value.problems if "missing from the" in p.what]
    assert len(named) == 1
    assert named[0].fix.startswith("The sales of those dates are not in the table: fit the "
                                   "longest run without a gap")
    kept = _map(run_fix(named[0].fix.split("): ", 1)[1].removesuffix("."), frame), roles).data
    run = max(periods[:60], periods[62:], key=len)
    assert sorted(kept[roles["date"]].unique()) == run


@pytest.mark.parametrize(("frequency", "date_name", "geo_codes"), [
    ("W", "week_start", False), ("D", "DATE", True)])
def test_dates_missing_in_many_geos_are_one_problem_whose_lines_fix_them_all(
        frequency, date_name, geo_codes):
    """A panel of 5 geos, 4 of them without some periods (a geo's export leaves out its
    empty days): one problem naming the geos, most periods missing first; its line adding
    them with 0 fixes every geo, its other line leaves those geos out."""
    variation = TableSpec(seed=31, frequency=frequency, periods=120 if frequency == "D" else 104,
                          date_name=date_name, geos=5, geo_name="region", geo_codes=geo_codes,
                          binary_control=False)
    frame = table(variation)
    dates = true_dates(variation, frame[date_name])
    frame[date_name] = dates.dt.strftime(FORMAT)
    periods = sorted(dates.unique())
    geos = [geo.item() if hasattr(geo, "item") else geo for geo in frame["region"].unique()]
    dropped = {geo: periods[20:20 + k] for k, geo in enumerate(geos[:4], start=1)}
    gone = pd.Series(False, index=frame.index)
    for geo, days in dropped.items():
        gone |= (frame["region"] == geo) & dates.isin(days)
    frame = frame[~gone].reset_index(drop=True)
    roles = {k: v for k, v in variation.roles.items() if v is not None}
    with pytest.raises(mw.DataError) as caught:
        _map(frame, roles)
    named = [p for p in caught.value.problems if "missing from the" in p.what]
    assert len(named) == 1
    assert (f"sequence in 4 of 5 geos: {geos[3]!r} (4 periods), {geos[2]!r} (3 periods), "
            f"{geos[1]!r} (2 periods), {geos[0]!r} (1 period).") in named[0].what
    assert named[0].rows == tuple(f"{d:%Y-%m-%d}" for d in periods[20:24])
    added, left_out = re.fullmatch(
        r".*add them with 0 .*?: (.*)\. If they were not recorded, leave those geos out: "
        r"(.*)\.", named[0].fix).groups()
    filled = _map(run_fix(added, frame), roles).data
    assert len(filled) == len(periods) * 5
    kept = run_fix(left_out, frame)  # the geo left may have a channel that never spent
    assert list(kept["region"].unique()) == [geos[4]]
    assert len(kept) == len(periods)
