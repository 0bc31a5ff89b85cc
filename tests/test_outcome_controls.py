"""A control that moves with the target from period to period (orders beside revenue, web
sessions) is an outcome of the same sales: named, since as a control it would take the
channels' credit. Drivers that share the target's level (a trend, a season, a competitor's
sales) or mark events (0/1) are not named."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import map_roas

WEEKS = 80


def _table(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    weeks = np.arange(WEEKS)
    tv, search = rng.gamma(3, 1000, WEEKS), rng.gamma(3, 800, WEEKS)
    promo = (weeks % 7 == 3).astype(int)
    season = np.sin(2 * np.pi * weeks / 52)
    orders = (300 + 0.05 * tv + 0.08 * search + 120 * promo + 40 * season
              + rng.normal(0, 8, WEEKS)).round()
    return pd.DataFrame({
        "Week": pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON"),
        "Revenue": orders * 48.5 + rng.normal(0, 600, WEEKS),
        "TV": tv, "Search": search, "Orders": orders, "promo": promo,
        "t": weeks, "temperature": 12 + 9 * season + rng.normal(0, 1, WEEKS),
        "Competitor sales": 20000 + 3000 * season + rng.normal(0, 2000, WEEKS),
        "Web sessions": orders * 30 + rng.normal(0, 2500, WEEKS)})


def _findings(frame: pd.DataFrame, controls: list[str], geo: str | None = None):
    wf = mw.Workflow(frame)
    wf.map_data(date="Week", target="Revenue", channels=["TV", "Search"], controls=controls,
                geo=geo)
    return [f for f in wf.data_result.warnings if f.kind == "outcome_control"]


def _changes_correlation(frame: pd.DataFrame, column: str) -> float:
    return float(np.corrcoef(np.diff(frame["Revenue"]), np.diff(frame[column]))[0, 1])


def test_an_outcome_mapped_as_a_control_is_named_with_the_correlation_of_its_changes():
    frame = _table()
    found = _findings(frame, ["Orders", "promo", "t", "temperature", "Competitor sales"])
    assert [f.columns for f in found] == [("Orders",)]
    r = _changes_correlation(frame, "Orders")
    assert r > 0.9
    assert f"(correlation of their changes {r:.2f})" in found[0].message
    assert "Leave it out of the controls" in found[0].message


def test_a_control_named_like_an_outcome_is_named_at_a_lower_correlation():
    frame = _table()
    r = _changes_correlation(frame, "Web sessions")
    assert 0.5 <= r < 0.9  # below the bar for a control of any name
    assert [f.columns for f in _findings(frame, ["Web sessions"])] == [("Web sessions",)]
    # the same column under a driver's name passes
    renamed = frame.rename(columns={"Web sessions": "footfall index"})
    assert _findings(renamed, ["footfall index"]) == []
    # the category's sales, ours among them: a control of demand
    demand = frame.rename(columns={"Web sessions": "Category sales"})
    assert _findings(demand, ["Category sales"]) == []


def test_drivers_sharing_the_targets_level_are_not_named():
    frame = _table()
    assert _findings(frame, ["promo", "t", "temperature", "Competitor sales"]) == []


def test_changes_are_taken_within_each_geo():
    frames = [_table(seed).assign(Market=name)
              for seed, name in ((2, "North"), (3, "South"))]
    # the second geo sells at another level: across the geos' boundary the changes jump
    frames[1][["Revenue", "Orders"]] *= 3
    panel = pd.concat(frames, ignore_index=True)
    found = _findings(panel, ["Orders", "t"], geo="Market")
    assert [f.columns for f in found] == [("Orders",)]
    by_geo = pd.concat([frame.diff().dropna() for frame in
                        (f[["Revenue", "Orders"]] for f in frames)])
    r = float(np.corrcoef(by_geo["Revenue"], by_geo["Orders"])[0, 1])
    assert f"(correlation of their changes {r:.2f})" in found[0].message


@pytest.mark.parametrize("column", ["Orders", "Web sessions"])
def test_outcomes_are_not_suggested_as_controls(column):
    assert column not in mw.Workflow(_table()).suggest_mapping()["controls"]


def _shop(seed: int = 3) -> pd.DataFrame:
    """A shop's export beside its spend: net sales, and the discounts given (a fixed
    share of gross sales) written as negative amounts; a price that drives the sales."""
    rng = np.random.default_rng(seed)
    search, social = rng.gamma(3, 300, WEEKS), rng.gamma(2, 500, WEEKS)
    price = np.repeat(rng.uniform(18, 24, WEEKS // 10 + 1), 10)[:WEEKS]
    net = (9000 + 3 * search + 2 * social - 150 * (price - 21)
           + rng.normal(0, 300, WEEKS)).round(2)
    return pd.DataFrame({"day": pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON"),
                         "net_sales": net, "discounts": (-net * 1.15 * 0.05).round(2),
                         "price": price.round(2), "search_cost": search.round(2),
                         "social_amount_spent": social.round(2)})


SHOP = {"date": "day", "target": "net_sales", "channels": ["search_cost", "social_amount_spent"]}


def test_a_control_that_mirrors_the_target_is_named_and_not_suggested():
    frame = _shop()
    wf = mw.Workflow(frame)
    wf.map_data(**SHOP, controls=["discounts", "price"])
    found = [f for f in wf.data_result.warnings if f.kind == "outcome_control"]
    r = float(np.corrcoef(np.diff(frame["net_sales"]), np.diff(frame["discounts"]))[0, 1])
    assert r < -0.9
    assert [f.columns for f in found] == [("discounts",)]
    assert found[0].message.startswith(
        f"'discounts' moves against the target 'net_sales' from period to period "
        f"(correlation of their changes {r:.2f})")
    suggested = mw.Workflow(frame).suggest_mapping()
    assert "discounts" not in suggested["controls"] and "price" in suggested["controls"]


@pytest.mark.fit
def test_a_mirror_of_the_target_as_a_control_moves_the_channels_roas():
    """The premise: as a control, the discounts take the channels' returns far from the
    truth (search 3.0, social 2.0); left out, they come back."""
    frame = _shop()
    mirrored = map_roas(frame, "search_cost", controls=["discounts"], **SHOP)
    left_out = map_roas(frame, "search_cost", **SHOP)
    assert abs(left_out - 3.0) < 0.5
    assert abs(mirrored - 3.0) > 1.0
