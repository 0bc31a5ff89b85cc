"""Running totals (spend or sales to date) are named with the line that turns them back into
each period's amount. The line is run on the table: it must give back the amounts the
table was made from, whatever the order of its rows and the way its dates are written."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from tests.conftest import run_fix

WEEKS = 110


def _made(geos: tuple = (None,), seed: int = 0) -> pd.DataFrame:
    """Weekly spend and sales of single weeks (dates written 31/01/2023), per geo."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON")
    frames = []
    for geo in geos:
        tv = np.where(rng.random(WEEKS) < 0.4, 0.0, rng.gamma(3, 1000, WEEKS)).round(2)
        search = rng.gamma(3, 800, WEEKS).round(2)
        frame = pd.DataFrame({"Week": dates, "Revenue": (20000 + 2 * tv + 3 * search
                                                         + rng.normal(0, 500, WEEKS)).round(2),
                              "TV spend": tv, "Search spend": search})
        if geo is not None:
            frame.insert(1, "Region", geo)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _to_date(made: pd.DataFrame, column: str, unit: str | None, geo: bool) -> pd.DataFrame:
    """``made`` with ``column`` summed to date, restarting at each ``unit``."""
    keys = [made["Region"]] if geo else []
    if unit == "year":
        keys.append(made["Week"].dt.year)
    elif unit == "month":
        keys.append(made["Week"].dt.to_period("M"))
    summed = made.groupby(keys)[column].cumsum() if keys else made[column].cumsum()
    return made.assign(**{column: summed.round(2)})


def _written(table: pd.DataFrame, seed: int = 1) -> pd.DataFrame:
    """As a report hands it over: dates as text, rows in no order."""
    table = table.assign(Week=table["Week"].dt.strftime("%d/%m/%Y"))
    return table.sample(frac=1, random_state=seed)


def _map(table: pd.DataFrame, geo: bool) -> mw.Workflow:
    wf = mw.Workflow(table)
    wf.map_data(date="Week", target="Revenue", channels=["TV spend", "Search spend"],
                geo="Region" if geo else None, date_format="%d/%m/%Y")
    return wf


@pytest.mark.parametrize(("column", "unit", "said", "geo"), [
    ("TV spend", "year", "restarting at each year: a running total (year to date)", False),
    ("TV spend", "month", "restarting at each month: a running total (month to date)", False),
    ("Search spend", None, "from the first row on: a running total (since the first row)",
     False),
    ("Revenue", "year", "restarting at each year", False),
    ("TV spend", "year", "restarting at each year", True),
])
def test_a_running_total_is_named_and_its_line_gives_back_each_period(column, unit, said,
                                                                      geo):
    made = _made(("North", "South") if geo else (None,))
    table = _written(_to_date(made, column, unit, geo))
    with pytest.raises(DataError) as raised:
        _map(table, geo)
    named = [p for p in raised.value.problems if "running total" in p.what]
    assert [p.column for p in named] == [column]
    assert said in named[0].what
    # the line in the fix, run on the table as given, gives back the amounts it was made of
    line = named[0].fix.split("rows in date order: ", 1)[1].removesuffix(".")
    fixed = run_fix(line, table)  # the fix's own pandas lines
    keys = ["Region", "Week"] if geo else ["Week"]
    back = fixed.assign(Week=pd.to_datetime(fixed["Week"], format="%d/%m/%Y")).sort_values(keys)
    np.testing.assert_allclose(back[column].to_numpy(),
                               made.sort_values(keys)[column].to_numpy(), atol=0.02)
    assert _map(fixed, geo).status("data") == "done"


def test_amounts_of_single_periods_are_not_taken_for_running_totals():
    made = _made()
    rng = np.random.default_rng(4)
    # a budget that grows through the two years, week to week up and down
    growing = (np.linspace(1000, 5000, WEEKS) * rng.uniform(0.8, 1.2, WEEKS)).round(2)
    ramp = np.linspace(100.0, 900.0, WEEKS)  # a made-up ramp: equal steps, nothing added up
    table = made.assign(**{"TV spend": growing, "Search spend": ramp})
    assert _map(table, geo=False).status("data") == "done"
    # nor sales that rise for months and fall now and then (a growing business)
    rising = made.assign(Revenue=(20000 + 150 * np.arange(WEEKS)
                                  + rng.normal(0, 900, WEEKS)).round(2))
    assert _map(rising, geo=False).status("data") == "done"
