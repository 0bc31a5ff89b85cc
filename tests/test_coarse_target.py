"""Monthly figures written on every week or day, and weekly ones on every day, are named
with the line that models the table at their grain. The line is run: the table it makes
must hold each period's spend summed by hand and the period's figure, and map at that
grain."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from tests.conftest import run_fix


def _made(freq: str, periods: int, geos: tuple = (None,), seed: int = 0,
          grain: str = "M") -> pd.DataFrame:
    """Spend per week or day, and each ``grain`` period's sales written on each of its rows."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-01", periods=periods, freq=freq)
    frames = []
    for geo in geos:
        tv, search = rng.gamma(3, 1000, periods).round(2), rng.gamma(3, 800, periods).round(2)
        month_sales = pd.Series(2 * tv + 3 * search + rng.normal(20000, 800, periods)).groupby(
            dates.to_period(grain)).transform("sum").round(2)
        frame = pd.DataFrame({"Date": dates, "Sales (EUR)": month_sales.to_numpy(),
                              "TV": tv, "Search": search,
                              "Promo": (rng.random(periods) < 0.2).astype(int),
                              "Event": rng.choice(["none", "sale", "launch"], periods)})
        if geo is not None:
            frame.insert(1, "Market", geo)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _map(table: pd.DataFrame, geo: bool, date_format: str | None = None) -> mw.Workflow:
    wf = mw.Workflow(table)
    wf.map_data(date="Date", target="Sales (EUR)", channels=["TV", "Search"],
                controls=["Promo", "Event"], geo="Market" if geo else None,
                date_format=date_format)
    return wf


@pytest.mark.parametrize(("freq", "periods", "row", "grain", "geo"), [
    ("W-SUN", 104, "week", "M", False),
    ("D", 560, "day", "M", False),
    ("W-SUN", 80, "week", "M", True),
    ("D", 400, "day", "W-SUN", False),  # weekly sales, Monday to Sunday, on daily rows
    ("D", 400, "day", "W-SAT", True),  # Sunday to Saturday, per market
])
def test_a_coarser_target_on_finer_rows_is_named_and_its_line_models_by_its_grain(
        freq, periods, row, grain, geo):
    made = _made(freq, periods, ("North", "South") if geo else (None,), grain=grain)
    table = made.assign(Date=made["Date"].dt.strftime("%d.%m.%Y"))
    with pytest.raises(DataError) as raised:
        _map(table, geo, "%d.%m.%Y")
    named = [p for p in raised.value.problems if "figures written on each" in p.what]
    assert [p.column for p in named] == ["Sales (EUR)"]
    period = "month" if grain == "M" else "week"
    assert f"the same in every {row} of each {period}" in named[0].what
    line = named[0].fix.split("known at: ", 1)[1].split(" ('first'", 1)[0]
    coarse = run_fix(line, table)  # the fix's own pandas lines
    keys = [*(["Market"] if geo else []), made["Date"].dt.to_period(grain).dt.start_time]
    by_hand = made.groupby(keys).agg(TV=("TV", "sum"), Sales=("Sales (EUR)", "first"),
                                     Promo=("Promo", "mean"))
    np.testing.assert_allclose(coarse["TV"].to_numpy(), by_hand["TV"].to_numpy())
    np.testing.assert_allclose(coarse["Promo"].to_numpy(), by_hand["Promo"].to_numpy())
    np.testing.assert_allclose(coarse["Sales (EUR)"].to_numpy(), by_hand["Sales"].to_numpy())
    if grain != "M":  # whole weeks only: the first and last may be cut by the table
        coarse = coarse[coarse["Date"].between(coarse["Date"].min(), coarse["Date"].max(),
                                               inclusive="neither")]
    mapped = _map(coarse, geo)
    assert mapped.data_result.frequency == ("monthly" if grain == "M" else "weekly")


def test_weekly_sales_and_coarsely_rounded_ones_are_not_taken_for_monthly():
    weekly = _made("W-SUN", 104)
    rng = np.random.default_rng(2)
    weekly["Sales (EUR)"] = rng.normal(50000, 3000, 104).round(2)
    assert _map(weekly, geo=False).status("data") == "done"
    # sales rounded to ten thousands: most weeks share a value, months too
    weekly["Sales (EUR)"] = (weekly["Sales (EUR)"] / 10000).round() * 10000
    assert _map(weekly, geo=False).status("data") == "done"
