"""A date typed for its neighbour (a date on two rows, the date beside it missing) is one
problem naming both, with the line that dates the row meant for the missing date; a panel
with a few such rows keeps its geo; dates repeated in more than three geos for another
reason are one problem. Tables are generated (names, formats, frequencies and geos vary)
and the typed dates planted by copying a neighbouring row's date cell as the table writes
it; the expected table is the one before planting."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table, true_dates
from tests.conftest import mapped, run_fix

TYPED = "typed for it?"


def _seeds(geos: bool, frequency: str, count: int) -> list[int]:
    """Generated wide tables of one kind, without a report's rows, text amounts, reported
    outcomes, an outage or a units row."""
    found = [s for s in range(200) if not (
        (v := spec(s)).long or v.text_amounts or v.reported_outcomes or v.units_row
        or v.report_rows or v.outage or v.total_spend or v.net_spend)
        and bool(v.geos) is geos and v.frequency == frequency]
    return found[:count]


def _table(seed: int, iso: bool = False):
    variation = spec(seed)
    frame = table(variation)
    roles = {k: v for k, v in variation.roles.items() if v is not None}
    if iso:  # written as text the kit reads back, so its line can write a date
        frame[roles["date"]] = true_dates(variation, frame[roles["date"]]).dt.strftime(
            "%Y-%m-%d")
    return frame, roles


def _plant(frame: pd.DataFrame, roles: dict, geos: list, after: bool) -> pd.DataFrame:
    """Copy a neighbour's date cell onto a row in the middle of each of ``geos`` (all rows
    for a national table): the row's own date goes missing. ``after``: the row takes the
    date of the row before it (so the missing date is after the repeated one)."""
    typed = frame.copy()
    date = roles["date"]
    groups = ([typed.index[typed[roles["geo"]] == g] for g in geos] if "geo" in roles
              else [typed.index])
    for k, rows in enumerate(groups):
        i = len(rows) // 2 + 3 * k
        typed.loc[rows[i], date] = typed.loc[rows[i - 1 if after else i + 1], date]
    return typed


def _problems(frame: pd.DataFrame, roles: dict) -> list:
    with pytest.raises(mw.DataError) as caught:
        mapped(frame, roles)
    return caught.value.problems


def _line(fix: str) -> str:
    found = re.search(r": (raw\.loc\[.*?\]\]|raw\.loc\[.*?\])\. Otherwise", fix)
    assert found, fix
    return found.group(1)


@pytest.mark.parametrize("after", [True, False])
@pytest.mark.parametrize("seed", _seeds(geos=True, frequency="W", count=2)
                         + _seeds(geos=True, frequency="D", count=1))
def test_a_panels_typed_dates_are_one_problem_whose_line_restores_the_table(seed, after):
    frame, roles = _table(seed, iso=True)
    geos = list(frame[roles["geo"]].unique())[:2]
    typed = _plant(frame, roles, geos, after)
    assert mw.Workflow(typed, name="raw").suggest_mapping()["geo"] == roles["geo"]
    problems = _problems(typed, roles)
    assert [p for p in problems if TYPED in p.what] and len(problems) == 1, \
        [p.what for p in problems]
    (found,) = problems
    assert f"in {len(geos)} geo" in found.what
    for geo in geos:
        assert f"in geo {geo!r}" in found.what
    restored = run_fix(_line(found.fix), typed)
    pd.testing.assert_frame_equal(mapped(restored, roles), mapped(frame, roles))


@pytest.mark.parametrize("after", [True, False])
@pytest.mark.parametrize("seed", _seeds(geos=False, frequency="W", count=3)
                         + _seeds(geos=False, frequency="D", count=2))
def test_a_national_tables_typed_date_is_named_and_dated_back(seed, after):
    frame, roles = _table(seed, iso=True)
    typed = _plant(frame, roles, [], after)
    problems = _problems(typed, roles)
    assert len(problems) == 1, [p.what for p in problems]
    (found,) = problems
    assert TYPED in found.what and " in geo" not in found.what
    missing = sorted(set(frame[roles["date"]]) - set(typed[roles["date"]]))
    assert len(missing) == 1 and f"for {missing[0]}" in found.what
    restored = run_fix(_line(found.fix), typed)
    pd.testing.assert_frame_equal(mapped(restored, roles), mapped(frame, roles))


@pytest.mark.parametrize("seed", _seeds(geos=False, frequency="W", count=4)[2:]
                         + _seeds(geos=True, frequency="W", count=3)[2:])
def test_dates_as_the_table_writes_them_are_named_and_a_written_line_restores(seed):
    # the generator's own date formats: a line where the kit writes them back
    frame, roles = _table(seed)
    geos = list(frame[roles["geo"]].unique())[:1] if "geo" in roles else []
    typed = _plant(frame, roles, geos, after=True)
    problems = _problems(typed, roles)
    assert len(problems) == 1 and TYPED in problems[0].what, [p.what for p in problems]
    if "Otherwise" in problems[0].fix and ".loc[" in problems[0].fix:
        restored = run_fix(_line(problems[0].fix), typed)
        pd.testing.assert_frame_equal(mapped(restored, roles), mapped(frame, roles))


def test_rows_out_of_date_order_name_the_typed_date_without_a_line():
    (seed,) = _seeds(geos=False, frequency="W", count=1)
    frame, roles = _table(seed, iso=True)
    typed = _plant(frame, roles, [], after=True)
    shuffled = typed.sample(frac=1, random_state=3).reset_index(drop=True)
    (found,) = _problems(shuffled, roles)
    assert TYPED in found.what
    assert ".loc[" not in found.fix and "do not run in date order" in found.fix


def test_a_date_on_two_rows_with_both_neighbours_is_not_called_typed():
    (seed,) = _seeds(geos=False, frequency="W", count=1)
    frame, roles = _table(seed, iso=True)
    doubled = pd.concat([frame, frame.iloc[[20]]]).sort_values(roles["date"],
                                                              kind="stable")
    doubled = doubled.reset_index(drop=True)
    problems = _problems(doubled, roles)
    assert not [p for p in problems if TYPED in p.what]
    assert [p for p in problems if "more than once" in p.what]


def _panel(geos: int, name: str = "region", seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2022-01-03", periods=60, freq="W-MON")
    frame = pd.DataFrame([(d, f"G{g:02d}") for g in range(geos) for d in weeks],
                         columns=["week_start", name])
    frame["tv_spend"] = rng.gamma(2, 100, len(frame))
    frame["search_spend"] = rng.gamma(2, 50, len(frame))
    frame["revenue"] = 1000 + frame.tv_spend + frame.search_spend + rng.normal(
        0, 10, len(frame))
    return frame


@pytest.mark.parametrize("name", ["region", "Market", "store", "DMA", "Country"])
@pytest.mark.parametrize("typed_geos", [1, 3, 8])
def test_a_panel_with_a_few_dates_typed_twice_keeps_its_geo(name, typed_geos):
    frame = _panel(12, name)
    typed = _plant(frame, {"date": "week_start", "geo": name},
                   list(frame[name].unique())[:typed_geos], after=True)
    suggested = mw.Workflow(typed, name="raw").suggest_mapping()
    assert suggested["geo"] == name
    assert name not in suggested["controls"]


def test_a_national_tables_event_column_is_not_a_geo_for_a_repeated_date():
    frame = _panel(1).drop(columns="region")
    frame["event"] = np.where(np.arange(len(frame)) % 9 == 0, "promo", "none")
    frame.loc[30, "week_start"] = frame.loc[29, "week_start"]
    frame.loc[30, "event"] = "promo" if frame.loc[29, "event"] == "none" else "none"
    assert mw.Workflow(frame, name="raw").suggest_mapping()["geo"] is None


def test_dates_repeated_in_more_than_three_geos_for_another_reason_are_one_problem():
    frame = _panel(8)
    # each of five geos holds one week twice, both rows real (parts of the week)
    extra = pd.concat([frame[(frame.region == g) & (frame.week_start == frame.week_start[10 + k])]
                       for k, g in enumerate(["G00", "G02", "G03", "G05", "G07"])])
    extra[["tv_spend", "search_spend", "revenue"]] *= 0.5
    doubled = pd.concat([frame, extra]).sort_values(["region", "week_start"], kind="stable")
    doubled = doubled.reset_index(drop=True)
    roles = {"date": "week_start", "target": "revenue", "channels": ["tv_spend",
                                                                     "search_spend"],
             "geo": "region"}
    problems = _problems(doubled, roles)
    assert len(problems) == 1, [p.what for p in problems]
    (found,) = problems
    assert "more than once in 5 of 8 geos" in found.what and TYPED not in found.what
    assert found.count == 5
    summed = run_fix(found.fix.split("add them up: ")[1].split("; if a later")[0], doubled)
    expected = frame.copy()
    repeated = expected.index.isin(extra.index)  # extra's labels are frame's
    expected.loc[repeated, ["tv_spend", "search_spend", "revenue"]] *= 1.5
    pd.testing.assert_frame_equal(mapped(summed, roles), mapped(expected, roles))
