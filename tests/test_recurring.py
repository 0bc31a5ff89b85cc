"""Weeks (or months) of the year when the target rises or falls every year, beyond its spend
and its smooth yearly season, are noted with the line that marks them by a 0/1 column.
Without it, a channel bought up for those weeks takes the rise: the fit test measures that
premise, then the fix. A one-off run of weeks (one year's promotion, the last weeks in
part) and a table under two years are not noted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import map_roas, run_fix
from tests.test_baseline import BASE, _carryover

MAPPING = {"date": "Week", "target": "Revenue", "channels": ["TV", "Search"],
           "date_format": "%d/%m/%Y"}


def _weekly(seed: int, weeks: list[int], lift: float = 0.4, years: list[int] | None = None,
            periods: int = 104, tv_ramp: float = 2.0) -> pd.DataFrame:
    """Weekly sales ``lift`` of :data:`BASE` up on the ISO ``weeks`` (of ``years`` only,
    when given), TV's spend ``tv_ramp`` times as high on them; TV returns 2.0, search
    3.0."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-02", periods=periods, freq="W-MON")
    iso = dates.isocalendar()
    on = iso.week.isin(weeks).to_numpy() & (iso.year.isin(years).to_numpy() if years
                                            else True)
    tv = rng.gamma(4, 500, periods) * np.where(on, tv_ramp, 1.0)
    search = rng.gamma(4, 300, periods)
    sales = (BASE * (1 + lift * on) + 1500 * np.sin(2 * np.pi * np.arange(periods) / 52)
             + 2 * _carryover(tv) + 3 * _carryover(search) + rng.normal(0, 500, periods))
    return pd.DataFrame({"Week": dates.strftime("%d/%m/%Y"), "Revenue": sales.round(2),
                         "TV": tv.round(2), "Search": search.round(2)})


def _notes(frame: pd.DataFrame, **mapping) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**{**MAPPING, **mapping})
    return [f for f in wf.data_result.warnings if f.kind == "recurring"]


def _line(note) -> str:
    return note.message.split("map the mark as a control: ", 1)[1].removesuffix(".")


def _iso_weeks(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["Week"], format="%d/%m/%Y").dt.isocalendar().week


@pytest.mark.parametrize("seed", [1, 2])
def test_a_holiday_peak_every_year_is_noted_with_the_line_marking_its_weeks(seed):
    frame = _weekly(seed, list(range(47, 53)))
    notes = _notes(frame)
    assert len(notes) == 1
    assert "rises on ISO weeks 47 to 52 of every year" in notes[0].message
    shown = float(notes[0].message.split("(+")[1].split("%")[0]) / 100
    assert shown == pytest.approx(0.4 * BASE / frame["Revenue"].mean(), abs=0.05)
    fixed = run_fix(_line(notes[0]), frame)
    np.testing.assert_array_equal(fixed["weeks_47_to_52"],
                                  _iso_weeks(frame).between(47, 53).astype(int))
    assert _notes(fixed, controls=["weeks_47_to_52"]) == []


def test_a_dip_over_the_new_year_is_one_run():
    frame = _weekly(3, [51, 52, 53, 1, 2], lift=-0.25, tv_ramp=1.0)
    notes = _notes(frame)
    assert len(notes) == 1 and "falls on ISO weeks 51 to 2 of every year" in notes[0].message
    fixed = run_fix(_line(notes[0]), frame)
    np.testing.assert_array_equal(fixed["weeks_51_to_2"],
                                  _iso_weeks(frame).isin([51, 52, 53, 1, 2]).astype(int))


def test_a_december_peak_in_monthly_rows_is_a_month():
    rng = np.random.default_rng(4)
    months = pd.date_range("2020-01-01", periods=48, freq="MS")
    tv = rng.gamma(4, 2000, 48) * np.where(months.month == 12, 2.0, 1.0)
    sales = (80000 * (1 + 0.3 * (months.month == 12)) + 2 * tv + rng.normal(0, 1500, 48))
    frame = pd.DataFrame({"Month": months.strftime("%Y-%m"), "Sales": sales.round(2),
                          "TV": tv.round(2), "Search": rng.gamma(4, 800, 48).round(2)})
    notes = _notes(frame, date="Month", target="Sales", date_format="%Y-%m")
    assert len(notes) == 1 and "rises on month 12 of every year" in notes[0].message
    fixed = run_fix(_line(notes[0]), frame)
    np.testing.assert_array_equal(fixed["month_12"], (months.month == 12).astype(int))


def test_a_peak_in_one_geo_marks_that_geo_only():
    panel = pd.concat([_weekly(1, []).assign(Region="North"),
                       _weekly(2, list(range(47, 53))).assign(Region="South")],
                      ignore_index=True)
    notes = _notes(panel, geo="Region")
    assert len(notes) == 1 and "in 'South'" in notes[0].message
    fixed = run_fix(_line(notes[0]), panel)
    assert set(fixed.loc[fixed["weeks_47_to_52"] == 1, "Region"]) == {"South"}


def test_a_peak_in_every_geo_is_marked_in_every_geo():
    panel = pd.concat([_weekly(seed, list(range(47, 53))).assign(Region=region)
                       for seed, region in ((1, "North"), (2, "South"))], ignore_index=True)
    notes = _notes(panel, geo="Region")
    assert len(notes) == 1 and "Region" not in _line(notes[0])


@pytest.mark.parametrize("frame", [
    _weekly(1, []),  # no peak
    _weekly(2, list(range(20, 26)), years=[2023]),  # a one-off promotion
    _weekly(3, list(range(47, 53)), periods=90),  # under two years
], ids=["none", "once", "short"])
def test_no_note_without_weeks_that_recur(frame):
    assert _notes(frame) == []


def _last_weeks_low(seed: int, weeks: int, share: float) -> pd.DataFrame:
    frame = _weekly(seed, [], periods=156)
    frame.loc[len(frame) - weeks:, "Revenue"] *= share
    return frame


@pytest.mark.parametrize("frame", [
    # a promotion in one spring of three, 80 % up
    _weekly(1, [20, 21, 22], years=[2024], periods=156, lift=0.8, tv_ramp=1.0),
    _weekly(4, [20, 21, 22], years=[2024], periods=156, lift=0.4, tv_ramp=1.0),
    # the last week, or two, of three years in part (not all sales in yet)
    _last_weeks_low(1, 1, 0.1),
    _last_weeks_low(2, 2, 0.3),
], ids=["promotion-80", "promotion-40", "last-week-a-tenth", "last-two-weeks-30%"])
def test_weeks_that_move_in_one_year_only_are_no_season(frame):
    """Read over the years alone, one year's move was named as weeks that rise (fall)
    "every year", with a line marking them in every year: each year must move."""
    assert _notes(frame) == []


def test_a_peak_every_year_of_three_is_still_noted():
    notes = _notes(_weekly(3, list(range(47, 53)), lift=0.25, periods=156))
    assert len(notes) == 1 and "ISO weeks 47 to 52" in notes[0].message


@pytest.mark.fit
def test_marking_the_holiday_weeks_gives_tv_back_its_return():
    """Premise: with sales 40 % up when TV's spend doubles (weeks 47 to 52), TV's ROAS
    reads far above its 2.0; with the noted weeks mapped, within 20 % of it."""
    frame = _weekly(1, list(range(47, 53)))
    assert map_roas(frame, "TV", **MAPPING) > 2.8
    fixed = run_fix(_line(_notes(frame)[0]), frame)
    assert map_roas(fixed, "TV", controls=["weeks_47_to_52"], **MAPPING) == pytest.approx(
        2.0, rel=0.2)
