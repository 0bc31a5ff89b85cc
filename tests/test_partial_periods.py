"""A first or last week (month) the export covers in part: its target and spend both fall,
alike. Named with the line that leaves it out; a campaign that ended, a dip in sales,
daily rows and days summed into weeks are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import map_roas

WEEKS = 60
DATES = pd.date_range("2024-01-01", periods=WEEKS, freq="W-MON")


def _weekly(seed: int = 4, dates: pd.DatetimeIndex = DATES) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(dates)
    tv, search = rng.gamma(3, 1000, n), rng.gamma(3, 800, n)
    return pd.DataFrame({"Week": dates.strftime("%d/%m/%Y"),
                         "Revenue": 20000 + 2 * tv + 3 * search + rng.normal(0, 300, n),
                         "TV": tv, "Search": search})


def _cut(frame: pd.DataFrame, row: int, part: float) -> pd.DataFrame:
    """``frame`` with ``row`` holding ``part`` of its period, spend and sales alike."""
    frame = frame.copy()
    frame.loc[frame.index[row], ["Revenue", "TV", "Search"]] *= part
    return frame


def _found(frame: pd.DataFrame, **options) -> list:
    wf = mw.Workflow(frame)
    wf.map_data(date="Week", target="Revenue", channels=["TV", "Search"],
                date_format=options.pop("date_format", "%d/%m/%Y"), **options)
    return [f for f in wf.data_result.warnings if f.kind == "partial_period"]


def _usual(frame: pd.DataFrame, rows: slice, column: str) -> float:
    return float(np.median(frame[column].iloc[rows]))


def test_a_short_first_and_last_week_are_named_and_the_line_leaves_them_out():
    frame = _cut(_cut(_weekly(), 0, 5 / 7), -1, 3 / 7)
    shuffled = frame.sample(frac=1.0, random_state=3)
    found = _found(shuffled)
    assert len(found) == 1
    message = found[0].message
    # the fractions, by hand: each end against the median of the 8 weeks beside it
    last_sales = frame["Revenue"].iloc[-1] / _usual(frame, slice(-9, -1), "Revenue")
    spend = frame["TV"] + frame["Search"]
    last_spend = spend.iloc[-1] / float(np.median(spend.iloc[-9:-1]))
    assert (f"last date ({DATES[-1]:%Y-%m-%d}: target {last_sales:.0%}, spend "
            f"{last_spend:.0%} of the 8 weeks beside it)") in message
    assert f"first date ({DATES[0]:%Y-%m-%d}: target" in message
    line = message.split("leave it out: ")[1].rstrip(".")
    # the line names the table as the data step was given it (``frame`` in ``_found``)
    namespace = {"frame": shuffled.copy(), "pd": pd}
    exec(line, namespace)
    kept = namespace["frame"]
    assert sorted(kept.index) == list(frame.index[1:-1])
    assert _found(kept) == []


def test_a_short_month_in_a_panel_is_named_once():
    months = pd.date_range("2020-01-01", periods=40, freq="MS")
    frames = [_cut(_weekly(seed, months), -1, 0.5).assign(Market=market)
              for seed, market in ((1, "DE"), (2, "FR"))]
    panel = pd.concat(frames, ignore_index=True)
    found = _found(panel, geo="Market")
    assert len(found) == 1
    assert f"last date ({months[-1]:%Y-%m-%d}: target" in found[0].message
    assert "of the 8 months beside it" in found[0].message
    assert "a month the export covers only in part" in found[0].message


@pytest.mark.parametrize("change", [
    {"TV": 0.1, "Search": 0.1},                   # the campaigns ended: sales go on
    {"Revenue": 0.6},                             # a dip in sales with the usual spend
    {"Revenue": 0.7, "TV": 0.2, "Search": 0.2},   # both fall, but not alike
    {"Revenue": 0.8, "TV": 0.8, "Search": 0.8},   # a little quieter: not short
])
def test_ends_that_are_not_short_periods_pass(change):
    frame = _weekly()
    for column, part in change.items():
        frame.loc[frame.index[-1], column] *= part
    assert _found(frame) == []


def test_daily_rows_and_days_summed_into_weeks_pass():
    days = pd.date_range("2024-01-03", periods=200, freq="D")  # a Wednesday
    daily = _cut(_weekly(7, days), -1, 0.3)
    assert _found(daily) == []
    # summed into weeks, the partial weeks at the ends are left out by the data cell
    assert _found(daily, aggregate="weekly") == []


def _geometric(spend: np.ndarray, alpha: float, l_max: int = 8) -> np.ndarray:
    weights = alpha ** np.arange(l_max)
    return np.convolve(spend, weights / weights.sum())[:len(spend)]


@pytest.mark.fit
def test_short_ends_credit_the_channels_with_the_baselines_drop_until_left_out():
    weeks = 80
    dates = pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
    rng = np.random.default_rng(1)
    tv, search = rng.gamma(3, 1000, weeks), rng.gamma(3, 800, weeks)
    sales = (20000 + 2.0 * _geometric(tv, 0.5) + 3.0 * _geometric(search, 0.2)
             + rng.normal(0, 300, weeks))
    frame = pd.DataFrame({"Week": dates.strftime("%d/%m/%Y"), "Revenue": sales, "TV": tv,
                          "Search": search})
    frame = _cut(_cut(frame, 0, 3 / 7), -1, 2 / 7)

    def tv_roas(table: pd.DataFrame) -> float:
        return map_roas(table, "TV", {"l_max": 8}, date="Week", target="Revenue",
                        channels=["TV", "Search"], date_format="%d/%m/%Y")

    assert tv_roas(frame) > 3.0  # TV returns 2.0 per unit
    found = _found(frame)
    namespace = {"frame": frame, "pd": pd}
    exec(found[0].message.split("leave it out: ")[1].rstrip("."), namespace)
    assert tv_roas(namespace["frame"]) == pytest.approx(2.0, rel=0.2)


def _media_driven(seed: int, weeks: int = 104) -> tuple[pd.DataFrame, list[str]]:
    """Weekly sales that one to three channels drive most of (ROAS 0.5 to 4, a baseline
    of 0.2 to 3 times the mean spend), with the channels' spend columns."""
    rng = np.random.default_rng(seed)
    channels = [f"ch{i}_spend" for i in range(int(rng.integers(1, 4)))]
    spend = rng.gamma(rng.uniform(1, 4), 1000, (weeks, len(channels)))
    baseline = rng.uniform(0.2, 3) * spend.sum(axis=1).mean()
    season = 1 + 0.1 * np.sin(np.arange(weeks) / 52 * 2 * np.pi)
    revenue = (baseline * season + spend @ rng.uniform(0.5, 4, len(channels))
               + rng.normal(0, 0.03 * baseline, weeks))
    frame = pd.DataFrame(spend, columns=channels)
    frame.insert(0, "Week", pd.date_range("2022-01-03", periods=weeks, freq="W-MON")
                 .strftime("%d/%m/%Y"))
    frame["Revenue"] = revenue
    return frame, channels


def _found_in(frame: pd.DataFrame, channels: list[str]) -> list:
    wf = mw.Workflow(frame)
    wf.map_data(date="Week", target="Revenue", channels=channels, date_format="%d/%m/%Y")
    return [f for f in wf.data_result.warnings if f.kind == "partial_period"]


@pytest.mark.parametrize("seed", [3, 6, 41, 45, 59, 93])
def test_a_full_week_of_low_spend_where_the_channels_drive_sales_passes(seed):
    """Its sales fall with its spend, alike, as a short week's do; but they lie where its
    spend puts them, not under that by the baseline's share."""
    frame, channels = _media_driven(seed)
    spend = frame[channels].sum(axis=1)
    # the premise, by hand: the first or last week's spend and sales are short, alike
    alike = []
    for end, usual in ((0, slice(1, 9)), (-1, slice(-9, -1))):
        sales_part = frame["Revenue"].iloc[end] / np.median(frame["Revenue"].iloc[usual])
        spend_part = spend.iloc[end] / np.median(spend.iloc[usual])
        alike.append(sales_part <= 0.75 and spend_part <= 0.75
                     and abs(sales_part - spend_part) <= 0.2)
    assert any(alike)
    assert _found_in(frame, channels) == []


@pytest.mark.parametrize("seed", [3, 41, 45, 59, 93])
def test_a_short_last_week_where_the_channels_drive_sales_is_named(seed):
    frame, channels = _media_driven(seed)
    frame = frame.iloc[:-1].copy()  # a full week last, then 3 days of the next
    frame.loc[frame.index[-1], [*channels, "Revenue"]] *= 3 / 7
    found = _found_in(frame, channels)
    assert len(found) == 1 and found[0].message.startswith("The last date (")
