"""The target not recorded for a while (an outage) and target outliers: an outage is named
with the line that marks it by a 0/1 control; an outlier is a period its spend, controls,
trend and season do not explain, read geo by geo. A large geo beside small ones, a week of
heavy spend and its sales, the ends of a series, a sparse target and shops shut on Sundays
are none of these."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import map_roas, run_fix

WEEKS = 104
DATES = pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON")
CHANNELS = ["TV Spend", "Search Spend"]


def _weekly(seed: int = 1, dates: pd.DatetimeIndex = DATES, size: float = 1.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(dates)
    tv, search = rng.gamma(3, 1000, n) * size, rng.gamma(3, 800, n) * size
    return pd.DataFrame({"Week": dates.strftime("%d/%m/%Y"),
                         "Revenue": (20000 * size + 2 * tv + 3 * search
                                     + rng.normal(0, 300 * size, n)).round(2),
                         "TV Spend": tv.round(2), "Search Spend": search.round(2)})


def _panel(sizes: dict[str, float]) -> pd.DataFrame:
    return pd.concat([_weekly(seed, size=size).assign(Region=region)
                      for seed, (region, size) in enumerate(sizes.items(), start=1)],
                     ignore_index=True)


def _findings(frame: pd.DataFrame, kind: str, **mapping) -> list:
    wf = mw.Workflow(frame)
    wf.map_data(**{"date": "Week", "target": "Revenue", "channels": CHANNELS,
                   "date_format": "%d/%m/%Y", **mapping})
    return [f for f in wf.data_result.warnings if f.kind == kind]


def _fix(finding) -> str:
    return finding.message.split("map the mark as a control: ")[1].split("; or fill")[0]


def test_weeks_at_zero_mid_series_are_named_and_the_line_marks_them():
    frame = _weekly()
    frame.loc[50:53, "Revenue"] = 0.0
    frame.loc[80, "Revenue"] = 12.5  # under 5 % of the usual: not recorded either
    shuffled = frame.sample(frac=1.0, random_state=2)
    found = _findings(shuffled, "outage")
    assert len(found) == 1
    spent = frame.loc[50:53, CHANNELS].to_numpy().sum()
    assert (f"on {DATES[50]:%Y-%m-%d} to {DATES[53]:%Y-%m-%d} (4 weeks, spend {spent:,.0f}); "
            f"{DATES[80]:%Y-%m-%d} (spend ") in found[0].message
    # the outlier note does not name the same weeks again
    assert not any(f"{DATES[i]:%Y-%m-%d}" in f.message for f in _findings(shuffled, "outlier")
                   for i in (50, 51, 52, 53, 80))
    namespace = {"frame": shuffled.copy(), "pd": pd}
    exec(_fix(found[0]), namespace)
    marked = namespace["frame"]
    assert marked["outage"].tolist() == [int(i in (50, 51, 52, 53, 80)) for i in marked.index]
    # mapped as a control, the mark explains the weeks: no note
    assert _findings(marked, "outage", controls=["outage"]) == []



def test_a_week_under_zero_is_said_to_be_below_it_with_its_figure():
    frame = _weekly()
    frame.loc[30, "Revenue"] = -140.0  # returns booked over the week's sales
    frame.loc[60, "Revenue"] = 0.0
    message = _findings(frame, "outage")[0].message
    assert message.startswith("The target 'Revenue' is at, near or below 0, between weeks")
    assert f"{DATES[30]:%Y-%m-%d} (spend " in message and ", target -140)" in message
    assert "returns or refunds booked over the sales" in message
    assert f"{DATES[60]:%Y-%m-%d} (spend " in message
    marked = run_fix(_fix(_findings(frame, "outage")[0]), frame)
    assert list(np.flatnonzero(marked["outage"].to_numpy())) == [30, 60]
    frame.loc[30, "Revenue"] = 0.0
    assert _findings(frame, "outage")[0].message.startswith(
        "The target 'Revenue' is at or near 0, between weeks")

def test_in_a_panel_the_line_marks_one_geos_weeks_or_every_geos():
    panel = _panel({"North": 1.0, "South": 2.0, "West": 0.5})
    south = panel.index[(panel["Region"] == "South")][40:43]
    one = panel.copy()
    one.loc[south, "Revenue"] = 0.0
    found = _findings(one, "outage", geo="Region")
    assert f"{DATES[40]:%Y-%m-%d} to {DATES[42]:%Y-%m-%d} in 'South' (3 weeks" in \
        found[0].message
    namespace = {"frame": one.copy(), "pd": pd}
    exec(_fix(found[0]), namespace)
    assert namespace["frame"].index[namespace["frame"]["outage"] == 1].tolist() == list(south)

    every = panel.copy()
    every.loc[pd.to_datetime(every["Week"], format="%d/%m/%Y") == DATES[60], "Revenue"] = 0.0
    found = _findings(every, "outage", geo="Region")
    assert f"on {DATES[60]:%Y-%m-%d} in every geo (spend " in found[0].message
    namespace = {"frame": every.copy(), "pd": pd}
    exec(_fix(found[0]), namespace)
    marked = namespace["frame"]
    assert sorted(marked.loc[marked["outage"] == 1, "Region"]) == ["North", "South", "West"]
    assert marked["outage"].sum() == 3


def test_days_summed_into_weeks_are_marked_day_by_day():
    days = pd.date_range("2023-01-02", periods=7 * 60, freq="D")
    frame = _weekly(3, days)
    frame.loc[7 * 30:7 * 32 - 1, "Revenue"] = 0.0  # two whole weeks
    found = _findings(frame, "outage", aggregate="weekly")
    assert f"{days[7 * 30]:%Y-%m-%d} to {days[7 * 31]:%Y-%m-%d} (2 weeks" in found[0].message
    namespace = {"frame": frame.copy(), "pd": pd}
    exec(_fix(found[0]), namespace)
    assert namespace["frame"].index[namespace["frame"]["outage"] == 1].tolist() == \
        list(range(7 * 30, 7 * 32))


@pytest.mark.parametrize("change", ["ends", "sparse", "dip", "sundays", "noisy"])
def test_what_is_not_an_outage_is_not_named(change):
    if change == "noisy":  # a target spread down to 0, as Meridian's simulated kpi
        frame = _weekly()
        rng = np.random.default_rng(4)
        frame["Revenue"] = np.abs(rng.normal(26, 18, WEEKS)).round(3)
        revenue = frame["Revenue"].to_numpy()
        low = revenue <= 0.05 * np.median(revenue)
        assert 0 < low.sum() <= 0.1 * WEEKS  # weeks at a twentieth of the median ...
        assert not low[0] and not low[-1]
        assert (revenue[~low] <= 0.25 * np.median(revenue)).sum() > low.sum()  # ... and more
    elif change == "sundays":  # a shop shut every Sunday: 1 day in 7 at 0
        days = pd.date_range("2023-01-02", periods=200, freq="D")
        frame = _weekly(5, days)
        frame.loc[days.day_of_week == 6, "Revenue"] = 0.0
    else:
        frame = _weekly()
        if change == "ends":  # before the target was recorded, and after: other checks'
            frame.loc[[0, 1, WEEKS - 1], "Revenue"] = 0.0
            # a dip to a tenth, recorded: so few zeros at the ends may be real (of a
            # target never under a fifth of its median, they are named as not recorded)
            frame.loc[50:53, "Revenue"] *= 1 / 10
        elif change == "sparse":  # a target at 0 in 12 % of the weeks
            frame.loc[::8, "Revenue"] = 0.0
        else:  # a dip to a third: low, recorded
            frame.loc[50:53, "Revenue"] *= 1 / 3
    assert _findings(frame, "outage") == []


def test_a_large_geo_beside_small_ones_has_no_outliers():
    # Read together, every week of the large geo sat more than 4 spreads from the median.
    assert _findings(_panel({"North": 1.0, "South": 1.5, "East": 2.0, "West": 9.0}),
                     "outlier", geo="Region") == []


def test_a_week_of_heavy_spend_and_the_sales_it_brought_is_not_an_outlier():
    frame = _weekly()
    frame.loc[40, "TV Spend"] += 15000
    frame.loc[40, "Revenue"] += 2 * 15000
    level = frame["Revenue"]
    # the week is far out by its level alone (the old check's reading)
    spread = (level - level.median()).abs().median() * 1.4826
    assert (level[40] - level.median()) / spread > 5
    assert _findings(frame, "outlier") == []


def test_outliers_are_named_by_date_and_geo_and_the_line_marks_them():
    panel = _panel({"North": 1.0, "South": 2.0})
    south = panel.index[panel["Region"] == "South"]
    panel.loc[south[70], "Revenue"] *= 10  # a figure written wrong, in one geo
    weeks = pd.to_datetime(panel["Week"], format="%d/%m/%Y")
    panel.loc[weeks == DATES[30], "Revenue"] *= 1.6  # a promotion, in every geo
    found = _findings(panel, "outlier", geo="Region")
    assert (f"explain on {DATES[30]:%Y-%m-%d} in 'North' and 'South', "
            f"{DATES[70]:%Y-%m-%d} in 'South'.") in found[0].message
    line = found[0].message.split("map the mark as a control: ")[1].removesuffix(".")
    marked = run_fix(line, panel)
    assert marked.index[marked["event"] == 1].tolist() == sorted(
        [*panel.index[weeks == DATES[30]], south[70]])
    # a promotion alone, marked and mapped as a control, is explained: no note
    promotion = panel.copy()
    promotion.loc[south[70], "Revenue"] /= 10
    found = _findings(promotion, "outlier", geo="Region")
    assert f"explain on {DATES[30]:%Y-%m-%d} in 'North' and 'South'." in found[0].message
    line = found[0].message.split("map the mark as a control: ")[1].removesuffix(".")
    assert _findings(run_fix(line, promotion), "outlier", geo="Region",
                     controls=["event"]) == []


def _geometric(spend: np.ndarray, alpha: float, l_max: int = 8) -> np.ndarray:
    weights = alpha ** np.arange(l_max)
    return np.convolve(spend, weights / weights.sum())[:len(spend)]


@pytest.mark.fit
def test_an_outage_moves_the_channels_roas_until_marked():
    rng = np.random.default_rng(2)
    tv, search = rng.gamma(3, 1000, WEEKS), rng.gamma(3, 800, WEEKS)
    sales = (20000 + 2.0 * _geometric(tv, 0.5) + 3.0 * _geometric(search, 0.2)
             + rng.normal(0, 300, WEEKS))
    frame = pd.DataFrame({"Week": DATES.strftime("%d/%m/%Y"), "Revenue": sales,
                          "TV Spend": tv, "Search Spend": search})
    frame.loc[50:53, "Revenue"] = 0.0

    def tv_roas(table: pd.DataFrame, controls: list[str]) -> float:
        return map_roas(table, "TV Spend", {"l_max": 8}, date="Week", target="Revenue",
                        channels=CHANNELS, controls=controls, date_format="%d/%m/%Y")

    assert abs(tv_roas(frame, []) - 2.0) > 0.5  # TV returns 2.0 per unit
    namespace = {"frame": frame, "pd": pd}
    exec(_fix(_findings(frame, "outage")[0]), namespace)
    assert tv_roas(namespace["frame"], ["outage"]) == pytest.approx(2.0, rel=0.15)
