"""Monthly figures written on every week or day are named with the line that models the
table by the month. The line is run: the monthly table it makes must hold each month's
spend summed by hand and the month's figure, and map as monthly data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError


def _made(freq: str, periods: int, geos: tuple = (None,), seed: int = 0) -> pd.DataFrame:
    """Spend per week or day, and each month's sales written on each of its rows."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-01", periods=periods, freq=freq)
    frames = []
    for geo in geos:
        tv, search = rng.gamma(3, 1000, periods).round(2), rng.gamma(3, 800, periods).round(2)
        month_sales = pd.Series(2 * tv + 3 * search + rng.normal(20000, 800, periods)).groupby(
            dates.to_period("M")).transform("sum").round(2)
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


@pytest.mark.parametrize(("freq", "periods", "row", "geo"), [
    ("W-SUN", 104, "week", False), ("D", 560, "day", False), ("W-SUN", 80, "week", True)])
def test_a_monthly_target_on_finer_rows_is_named_and_its_line_models_by_the_month(
        freq, periods, row, geo):
    made = _made(freq, periods, ("North", "South") if geo else (None,))
    table = made.assign(Date=made["Date"].dt.strftime("%d.%m.%Y"))
    with pytest.raises(DataError) as raised:
        _map(table, geo, "%d.%m.%Y")
    named = [p for p in raised.value.problems if "of each month" in p.what]
    assert [p.column for p in named] == ["Sales (EUR)"]
    assert f"the same in every {row} of each month" in named[0].what
    line = named[0].fix.split("known at: ", 1)[1].split(" ('first'", 1)[0]
    namespace = {"df": table, "pd": pd}
    exec(line, namespace)  # the fix's own pandas lines
    monthly = namespace["df"]
    keys = [*(["Market"] if geo else []), made["Date"].dt.to_period("M").dt.start_time]
    by_hand = made.groupby(keys).agg(TV=("TV", "sum"), Sales=("Sales (EUR)", "first"),
                                     Promo=("Promo", "mean"))
    np.testing.assert_allclose(monthly["TV"].to_numpy(), by_hand["TV"].to_numpy())
    np.testing.assert_allclose(monthly["Promo"].to_numpy(), by_hand["Promo"].to_numpy())
    np.testing.assert_allclose(monthly["Sales (EUR)"].to_numpy(), by_hand["Sales"].to_numpy())
    assert _map(monthly, geo).data_result.frequency == "monthly"


def test_weekly_sales_and_coarsely_rounded_ones_are_not_taken_for_monthly():
    weekly = _made("W-SUN", 104)
    rng = np.random.default_rng(2)
    weekly["Sales (EUR)"] = rng.normal(50000, 3000, 104).round(2)
    assert _map(weekly, geo=False).status("data") == "done"
    # sales rounded to ten thousands: most weeks share a value, months too
    weekly["Sales (EUR)"] = (weekly["Sales (EUR)"] / 10000).round() * 10000
    assert _map(weekly, geo=False).status("data") == "done"
