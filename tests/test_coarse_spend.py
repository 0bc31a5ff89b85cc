"""Spend at a coarser grain than its rows: a week's (month's) spend written on each of its
days (weeks), or on its first one only. Noted with the line that spreads it evenly over
the rows; spend bought day by day, or on days of no fixed weekday, is not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import map_roas, run_fix

WEEKS = 60
DAYS = pd.date_range("2023-01-02", periods=7 * WEEKS, freq="D")  # a Monday
WEEK_OF_DAY = np.arange(7 * WEEKS) // 7


def _weekly_spend(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).gamma(3, 700, WEEKS).round(2)


def _daily(seed: int = 0, tv: np.ndarray | None = None) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 100)
    search = rng.gamma(3, 80, len(DAYS)).round(2)
    tv = rng.gamma(3, 100, len(DAYS)).round(2) if tv is None else tv
    return pd.DataFrame({"Date": DAYS.strftime("%d/%m/%Y"),
                         "Sales": (3000 + 0.3 * tv + 3 * search
                                   + rng.normal(0, 100, len(DAYS))).round(2),
                         "TV": tv, "Search": search})


def _findings(frame: pd.DataFrame, **mapping) -> list:
    wf = mw.Workflow(frame)
    wf.map_data(**{"date": "Date", "target": "Sales", "channels": ["TV", "Search"],
                   "date_format": "%d/%m/%Y", **mapping})
    return [f for f in wf.data_result.warnings if f.kind == "coarse_spend"]


def _line(message: str) -> str:
    return message.split(" over the ")[1].split(": ", 1)[1].split(" (or sum")[0].rstrip(".")


def test_a_weeks_spend_on_each_of_its_days_is_named_and_the_line_spreads_it():
    weekly = _weekly_spend(1)
    raw = _daily(tv=weekly[WEEK_OF_DAY])
    [found] = _findings(raw)
    assert found.columns == ("TV",)
    assert "'TV' is the same on every day of each week it spent in" in found.message
    assert "its ROAS reads 7 times too low" in found.message
    spread = run_fix(_line(found.message), raw)
    np.testing.assert_allclose(spread["TV"], weekly[WEEK_OF_DAY] / 7)
    assert _findings(spread) == []


def test_days_summed_into_weeks_are_read_before_the_sums():
    weekly = _weekly_spend(6)
    raw = _daily(tv=weekly[WEEK_OF_DAY])
    [found] = _findings(raw, aggregate="weekly")
    assert "its ROAS reads 7 times too low" in found.message
    spread = run_fix(_line(found.message), raw)
    assert _findings(spread, aggregate="weekly") == []
    wf = mw.Workflow(spread)
    wf.map_data(date="Date", target="Sales", channels=["TV", "Search"],
                date_format="%d/%m/%Y", aggregate="weekly")
    np.testing.assert_allclose(wf.data["TV"], weekly)  # each week's spend, once
    # a week's spend on its Monday alone is summed right: nothing to note
    mondays = _daily(tv=np.where(DAYS.day_of_week == 0, weekly[WEEK_OF_DAY], 0.0))
    assert _findings(mondays, aggregate="weekly") == []


def test_a_weeks_spend_on_its_monday_is_named_and_the_line_spreads_it():
    weekly = _weekly_spend(2)
    raw = _daily(tv=np.where(DAYS.day_of_week == 0, weekly[WEEK_OF_DAY], 0.0))
    [found] = _findings(raw)
    assert "'TV' spends on Mondays only: the week's spend dated by its first day?" in \
        found.message
    assert "aggregate='weekly'" in found.message
    spread = run_fix(_line(found.message), raw)
    np.testing.assert_allclose(spread["TV"], weekly[WEEK_OF_DAY] / 7)
    assert _findings(spread) == []


def test_a_months_spend_on_each_of_its_weeks_in_a_panel_is_spread_per_geo():
    weeks = pd.date_range("2022-01-03", periods=104, freq="W-MON")
    months = weeks.to_period("M")
    frames = []
    for seed, region in enumerate(("North", "South")):
        rng = np.random.default_rng(seed)
        monthly = pd.Series(rng.gamma(3, 3000, months.nunique()).round(2),
                            index=months.unique())
        search = rng.gamma(3, 80, len(weeks)).round(2)
        frames.append(pd.DataFrame({
            "Date": weeks.strftime("%d/%m/%Y"), "Region": region,
            "Sales": (20000 + 3 * search + rng.normal(0, 300, len(weeks))).round(2),
            "TV": monthly[months].to_numpy(), "Search": search}))
    raw = pd.concat(frames, ignore_index=True)
    [found] = _findings(raw, geo="Region")
    assert "'TV' is the same on every week of each month it spent in" in found.message
    assert "reads 4 to 5 times too low" in found.message
    spread = run_fix(_line(found.message), raw)
    # by hand: each month's spend over the weeks of that month, in each region
    weeks_in_month = pd.Series(months).map(pd.Series(months).value_counts()).to_numpy()
    np.testing.assert_allclose(spread["TV"], raw["TV"] / np.tile(weeks_in_month, 2))


@pytest.mark.parametrize("spend", ["daily", "random days", "steady"])
def test_spend_of_the_days_own_is_not_named(spend):
    rng = np.random.default_rng(3)
    if spend == "daily":
        tv = None
    elif spend == "random days":  # on one day in five, no weekday of its own
        tv = np.where(rng.random(len(DAYS)) < 0.2, rng.gamma(3, 500, len(DAYS)), 0.0)
    else:  # the same every day: no week of its own (and a problem of its own)
        tv = np.where(np.arange(len(DAYS)) % 3 == 0, 100.0, 100.0 + rng.random(len(DAYS)))
    assert _findings(_daily(4, tv)) == []


def _geometric(spend: np.ndarray, alpha: float, l_max: int = 28) -> np.ndarray:
    weights = alpha ** np.arange(l_max)
    return np.convolve(spend, weights / weights.sum())[:len(spend)]


@pytest.mark.fit
def test_a_weeks_spend_on_each_day_reads_seven_times_too_little_until_spread():
    rng = np.random.default_rng(5)
    weekly = _weekly_spend(5)
    bought = weekly[WEEK_OF_DAY] / 7  # what was spent each day
    search = rng.gamma(3, 80, len(DAYS))
    sales = (3000 + 2.0 * _geometric(bought, 0.8) + 3.0 * _geometric(search, 0.3)
             + rng.normal(0, 60, len(DAYS)))
    raw = pd.DataFrame({"Date": DAYS.strftime("%d/%m/%Y"), "Sales": sales,
                        "TV": weekly[WEEK_OF_DAY], "Search": search})

    def tv_roas(table: pd.DataFrame) -> float:
        return map_roas(table, "TV", {"yearly_seasonality": None}, date="Date",
                        target="Sales", channels=["TV", "Search"], date_format="%d/%m/%Y")

    assert tv_roas(raw) < 0.5  # TV returns 2.0 per unit spent
    spread = run_fix(_line(_findings(raw)[0].message), raw)
    assert tv_roas(spread) == pytest.approx(2.0, rel=0.2)
