"""A date written more than once: rows repeated in full are named with the line that drops
the repeats; two exports appended with an overlap, with the line that keeps the later
export's rows (its figures revised or not). Other repeats keep the generic message."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table, true_dates
from tests.conftest import run_fix

FORMAT = "%Y-%m-%d"


def _generated(seed: int) -> tuple[pd.DataFrame, dict]:
    variation = spec(seed)
    frame = table(variation)
    date = variation.roles["date"]
    frame[date] = true_dates(variation, frame[date]).dt.strftime(FORMAT)
    return frame, {k: v for k, v in variation.roles.items() if v is not None}


def _map(frame: pd.DataFrame, roles: dict) -> mw.Workflow:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles, date_format=FORMAT)
    return wf


def _problems(frame: pd.DataFrame, roles: dict) -> list:
    with pytest.raises(mw.DataError) as caught:
        _map(frame, roles)
    return caught.value.problems


def _code(fix: str) -> str:
    return fix.split(": ", 1)[1].removesuffix(".")


def _assert_maps_as(fixed: pd.DataFrame, expected: pd.DataFrame, roles: dict) -> None:
    pd.testing.assert_frame_equal(_map(fixed, roles).data.reset_index(drop=True),
                                  _map(expected, roles).data.reset_index(drop=True))


@pytest.mark.parametrize("seed", [0, 12, 21, 36])
def test_rows_repeated_in_full_are_dropped(seed):
    frame, roles = _generated(seed)
    picked = np.random.default_rng(seed).choice(len(frame), size=3, replace=False)
    doubled = pd.concat([frame, frame.iloc[picked]], ignore_index=True)
    problems = _problems(doubled, roles)
    assert len(problems) == 1, [p.what for p in problems]
    assert "3 rows repeat another row of the same date" in problems[0].what
    assert problems[0].count == len(frame.iloc[picked][roles["date"]].unique())
    _assert_maps_as(run_fix(_code(problems[0].fix), doubled), frame, roles)


@pytest.mark.parametrize(("seed", "revised"), [(0, True), (21, True), (36, False)])
def test_two_exports_overlapping_keep_the_later_ones_rows(seed, revised):
    """The first export runs to a date, the second from 8 periods before it; the second's
    target is revised on the overlap (or not: then they are plain repeats)."""
    frame, roles = _generated(seed)
    dates = sorted(frame[roles["date"]].unique())
    end, start = dates[2 * len(dates) // 3], dates[2 * len(dates) // 3 - 7]
    first = frame[frame[roles["date"]] <= end]
    second = frame[frame[roles["date"]] >= start].copy()
    if revised:
        overlap = second[roles["date"]] <= end
        second.loc[overlap, roles["target"]] = (second.loc[overlap, roles["target"]] * 1.02
                                                ).round(2)
    appended = pd.concat([first, second], ignore_index=True)
    problems = _problems(appended, roles)
    assert len(problems) == 1, [p.what for p in problems]
    overlapped = len(first) + len(second) - len(frame)
    if revised:
        assert f"The rows of {start} to {end} come twice" in problems[0].what
        assert f"differ on {overlapped} of the {overlapped}" in problems[0].what
        assert "keep='last'" in problems[0].fix
    else:
        assert f"{overlapped} rows repeat another row" in problems[0].what
    expected = pd.concat([first[first[roles["date"]] < start], second], ignore_index=True)
    _assert_maps_as(run_fix(_code(problems[0].fix), appended), expected, roles)


def test_a_date_typed_for_its_neighbour_is_not_called_a_repeat_or_an_export():
    frame, roles = _generated(0)
    frame.loc[6, roles["date"]] = frame.loc[5, roles["date"]]
    repeated = [p for p in _problems(frame, roles) if "more than once" in p.what]
    assert len(repeated) == 1
    assert "repeat" not in repeated[0].what and "exports" not in repeated[0].what
    assert "typed for it?" in repeated[0].what
    assert repeated[0].fix.startswith("If so, ")
    assert repeated[0].fix.endswith("if a date was typed for another, correct it in the table.")


def test_parts_of_each_date_keep_the_generic_message():
    """Two rows per date, each with half of every amount (campaigns): neither repeats nor an
    overlap."""
    frame, roles = _generated(12)
    amounts = [*roles["channels"], roles["target"]]
    half = frame.assign(**{c: frame[c] / 2 for c in amounts})
    parts = pd.concat([half, half.assign(**{c: half[c] * 1.1 for c in amounts})]
                      ).sort_index(kind="stable").reset_index(drop=True)
    repeated = [p for p in _problems(parts, roles) if "more than once" in p.what]
    assert len(repeated) == 1
    assert "repeat" not in repeated[0].what and "exports" not in repeated[0].what


@pytest.mark.parametrize("seed", [23, 33, 43])
def test_a_long_tables_rows_repeated_in_full_are_named_before_the_pivot_adds_them(seed):
    """A long table (a row per date, [geo,] and channel) with some rows twice: the pivot
    would sum them, counting their spend twice. (Seed 43 ends as a report does, with two
    empty rows: alike, but no period's, they are not named.)"""
    variation = spec(seed)
    frame = table(variation)
    roles = {k: v for k, v in variation.roles.items() if v is not None}
    doubled = pd.concat([frame, frame.iloc[[5, 6, 40]]], ignore_index=True)
    wf = mw.Workflow(doubled, name="raw")
    with pytest.raises(mw.DataError) as caught:
        wf.map_data(**roles)
    [named] = caught.value.problems
    assert "3 rows repeat another row in full" in named.what
    fixed = run_fix(_code(named.fix), doubled)
    expected = mw.Workflow(frame, name="raw")
    expected.map_data(**roles)
    got = mw.Workflow(fixed, name="raw")
    got.map_data(**roles)
    pd.testing.assert_frame_equal(got.data, expected.data)


def _one_geo_named_as_another(seed: int, revision: float | None = None
                              ) -> tuple[pd.DataFrame, pd.DataFrame, dict, object]:
    """A generated panel in a block of rows per geo, as exports write it, and the same with
    its last geo named as the first (or, with ``revision``, the first geo's rows appended
    again with the target moved by that share: a restated export)."""
    frame, roles = _generated(seed)
    geo, date = roles["geo"], roles["date"]
    frame = frame.sort_values([geo, date], kind="stable").reset_index(drop=True)
    geos = list(dict.fromkeys(frame[geo]))
    if revision is None:
        named = frame.assign(**{geo: frame[geo].replace(geos[-1], geos[0])})
    else:
        again = frame[frame[geo] == geos[0]].copy()
        again[roles["target"]] = again[roles["target"]] * (1 + revision)
        named = pd.concat([frame, again], ignore_index=True)
    return frame, named, roles, geos[0]


@pytest.mark.parametrize("seed", [2, 10, 14, 21])
def test_two_geos_under_one_name_are_named_and_the_line_parts_them(seed):
    frame, named, roles, name = _one_geo_named_as_another(seed)
    assert mw.Workflow(named).suggest_mapping()["geo"] == roles["geo"]
    problems = _problems(named, roles)
    assert len(problems) == 1, [p.what for p in problems]
    assert f"Geo {name!r} has every date twice, in two runs of rows" in problems[0].what
    assert "two geos under one name?" in problems[0].what
    parted = run_fix(problems[0].fix.split(": ", 1)[1].removesuffix("."), named)
    last = list(dict.fromkeys(frame[roles["geo"]]))[-1]
    expected = frame.assign(**{roles["geo"]: frame[roles["geo"]].astype(str).replace(
        str(last), f"{name} (2)")})
    _assert_maps_as(parted, expected, roles)


def test_a_geos_history_exported_again_with_small_revisions_is_not_two_geos():
    _, restated, roles, name = _one_geo_named_as_another(10, revision=0.02)
    problems = _problems(restated, roles)
    assert len(problems) == 1
    assert "two geos under one name" not in problems[0].what
    assert f"in geo {name!r}" in problems[0].what or f"in geo {name}" in problems[0].what


@pytest.mark.parametrize("seed", [0, 12, 21, 65])
def test_parts_of_some_dates_are_added_up_by_the_line_the_problem_gives(seed):
    """On one date in ten, the row is split in two parts (40 % and 60 % of every amount;
    the controls on both): the problem's first line adds them up into the table as it was,
    its second keeps one row per date (and geo)."""
    frame, roles = _generated(seed)
    amounts = [*roles["channels"], roles["target"]]
    split = frame.index[frame.index % 10 == 3]
    first = frame.loc[split].assign(**{c: frame.loc[split, c] * 0.4 for c in amounts})
    second = frame.loc[split].assign(**{c: frame.loc[split, c] * 0.6 for c in amounts})
    parts = pd.concat([frame.drop(split), first, second]).sort_index(kind="stable")
    parts = parts.reset_index(drop=True)
    repeated = [p for p in _problems(parts, roles) if "more than once" in p.what]
    assert len(repeated) == (parts[roles["geo"]].nunique() if "geo" in roles else 1)
    assert len({p.fix for p in repeated}) == 1  # one per geo, with the lines for all
    repeated = repeated[0]
    added, kept = re.fullmatch(r"If each row holds a part of its date .*?add them up: (.*); "
                               r"if a later row corrects an earlier one, keep the last: (.*); "
                               r"if a date was typed for another, correct it in the table\.",
                               repeated.fix).groups()
    _assert_maps_as(run_fix(added, parts), frame, roles)
    assert len(_map(run_fix(kept, parts), roles).data) == len(frame)
