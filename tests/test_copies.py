"""One spend written twice (gross and net, two currencies, a copied column): found from the
values whatever the names, left out of the suggested channels, and named when mapped.
Expected factors are the ones the tables are made with."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.copies import copies_of_others

WEEKS = 104


def _table(second: str, make, seed: int = 0) -> pd.DataFrame:
    """A weekly table with TV spend, a second column made from it, and search."""
    rng = np.random.default_rng(seed)
    tv = np.where(rng.random(WEEKS) < 0.3, 0.0, rng.gamma(3, 1000, WEEKS)).round(2)
    search = rng.gamma(3, 800, WEEKS).round(2)
    return pd.DataFrame({
        "week_start": pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON"),
        "Net Revenue (EUR)": 20000 + 2 * tv + 3 * search + rng.normal(0, 500, WEEKS),
        "TV spend": tv, second: make(tv, rng), "Search spend": search})


CASES = {  # the second column, how it is made from TV's, and its factor
    "net of a 15 % fee": ("TV spend net", lambda tv, _: (0.85 * tv).round(2), 0.85),
    "another currency": ("TV cost (USD)", lambda tv, _: (1.0873 * tv).round(2), 1.087),
    "a copy": ("TV spend (copy)", lambda tv, _: tv.copy(), 1.0),
    "in thousands": ("TV spend k", lambda tv, _: (tv / 1000).round(5), 0.001),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_column_that_is_another_times_a_factor_is_found(case):
    second, make, factor = CASES[case]
    table = _table(second, make)
    found = copies_of_others(table, ["TV spend", "Search spend", second])
    assert found == {second: ("TV spend", pytest.approx(factor, rel=1e-3))}


@pytest.mark.parametrize("case", list(CASES))
def test_the_suggestion_keeps_the_first_and_mapping_both_is_named(case):
    second, make, factor = CASES[case]
    wf = mw.Workflow(_table(second, make))
    assert wf.suggest_mapping()["channels"] == ["TV spend", "Search spend"]
    with pytest.raises(DataError) as raised:
        wf.map_data(date="week_start", target="Net Revenue (EUR)",
                    channels=["TV spend", second, "Search spend"])
    named = [p for p in raised.value.problems if p.column == second]
    assert len(named) == 1
    assert f"'TV spend' times {factor:g} on every row" in named[0].what
    wf.map_data(date="week_start", target="Net Revenue (EUR)",
                channels=["TV spend", "Search spend"])
    assert wf.status("data") == "done"


def test_channels_that_move_together_but_are_bought_apart_are_not_copies():
    # TV and a channel bought with it, 1 % apart week to week: correlated near 1, not a
    # copy (the correlation warning says what the model will make of them)
    close = _table("Radio spend", lambda tv, rng: (0.4 * tv * rng.normal(1, 0.01, WEEKS))
                   .round(2))
    assert np.corrcoef(close["TV spend"], close["Radio spend"])[0, 1] > 0.99
    assert copies_of_others(close, ["TV spend", "Radio spend", "Search spend"]) == {}
    # nor are columns that never change (named by the checks of constant spend)
    flat = close.assign(**{"Radio spend": 500.0, "OOH spend": 250.0})
    assert copies_of_others(flat, ["Radio spend", "OOH spend"]) == {}
    # nor a column of the opposite sign (a refund column is no spend of its own)
    refunds = close.assign(**{"Radio spend": -close["TV spend"]})
    assert copies_of_others(refunds, ["TV spend", "Radio spend"]) == {}


def test_a_control_that_is_the_target_in_another_unit_is_not_suggested_and_is_named():
    table = _table("Radio spend", lambda tv, rng: rng.gamma(3, 500, WEEKS).round(2))
    revenue = table["Net Revenue (EUR)"]
    table["Sales index"] = (revenue / revenue.mean() * 100).round(3)  # 100 = an average week
    table["Price index"] = 1 + 0.02 * np.sin(np.arange(WEEKS) / 5)
    wf = mw.Workflow(table)
    suggested = wf.suggest_mapping()
    assert suggested["target"] == "Net Revenue (EUR)"
    assert suggested["controls"] == ["Price index"]
    with pytest.raises(DataError) as raised:
        wf.map_data(date="week_start", target="Net Revenue (EUR)",
                    channels=["TV spend", "Radio spend", "Search spend"],
                    controls=["Sales index", "Price index"])
    named = [p for p in raised.value.problems if p.column == "Sales index"]
    assert len(named) == 1
    factor = 100 / revenue.mean()
    assert f"the target 'Net Revenue (EUR)' times {float(f'{factor:.4g}'):g}" in named[0].what
    wf.map_data(date="week_start", target="Net Revenue (EUR)",
                channels=["TV spend", "Radio spend", "Search spend"], controls=["Price index"])
    assert wf.status("data") == "done"
