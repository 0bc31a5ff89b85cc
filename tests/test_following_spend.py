"""A channel whose spend is a steady share of the target (a commission paid on sales) is
noted: the model reads spend that follows sales as spend that brings them. The fit test
measures that premise; media in flights, an always-on channel beside steady sales and a
channel that pauses are not noted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import map_roas
from tests.test_baseline import weekly

MAPPING = {"date": "Week", "target": "Revenue", "channels": ["TV", "Search", "Affiliate"],
           "date_format": "%d/%m/%Y"}


def _with_affiliate(seed: int, share: float = 0.02, lag: int = 0,
                    noise: float = 0.03) -> pd.DataFrame:
    """The weekly table with an affiliate cost of ``share`` of the week's sales (or the
    week before's), each week's rate within ``noise`` of it; it brings no sales."""
    frame = weekly(seed)
    rng = np.random.default_rng(seed + 100)
    paid_on = frame["Revenue"].shift(lag).bfill()
    rate = share * rng.uniform(1 - noise, 1 + noise, len(frame))
    return frame.assign(Affiliate=(paid_on * rate).round(2))


def _notes(frame: pd.DataFrame, **mapping) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**{**MAPPING, **mapping})
    return [f for f in wf.data_result.warnings if f.kind == "follows_target"]


@pytest.mark.parametrize(("seed", "lag", "whose"), [(1, 0, "the same period's"),
                                                     (2, 0, "the same period's"),
                                                     (3, 1, "the period before's")])
def test_a_commission_on_sales_is_noted(seed, lag, whose):
    notes = _notes(_with_affiliate(seed, 0.025, lag))
    assert [n.columns for n in notes] == [("Affiliate",)]
    assert f"about 2.5% of {whose} target 'Revenue'" in notes[0].message


def test_a_commission_in_every_geo_is_noted_once():
    panel = pd.concat([_with_affiliate(seed).assign(Region=region)
                       for seed, region in ((1, "North"), (2, "South"))], ignore_index=True)
    assert [n.columns for n in _notes(panel, geo="Region")] == [("Affiliate",)]


def test_a_commission_in_one_geo_only_is_not_noted():
    panel = pd.concat([_with_affiliate(1).assign(Region="North"),
                       weekly(2).assign(Region="South", Affiliate=np.random.default_rng(
                           2).gamma(2, 300, 104).round(2))], ignore_index=True)
    assert _notes(panel, geo="Region") == []


def test_a_commission_in_the_geos_it_is_paid_in_is_noted_for_those():
    # an affiliate programme in two markets of three: no spend at all in the third
    panel = pd.concat([_with_affiliate(1).assign(Region="North"),
                       _with_affiliate(2).assign(Region="South"),
                       weekly(3).assign(Region="West", Affiliate=0.0)], ignore_index=True)
    [note] = _notes(panel, geo="Region")
    assert note.columns == ("Affiliate",)
    assert "on every period in the 2 of 3 geos it spends in" in note.message


def _other_spend(kind: str) -> np.ndarray:
    rng = np.random.default_rng(7)
    if kind == "flights":
        return np.where(rng.random(104) < 0.5, rng.gamma(2, 300, 104), 0.0)
    if kind == "always on":  # steady, beside steady sales: not following them
        return 400 + rng.normal(0, 40, 104)
    # a commission, but the channel pauses for 20 weeks
    paused = _with_affiliate(1)["Affiliate"].to_numpy().copy()
    paused[40:60] = 0.0
    return paused


@pytest.mark.parametrize("kind", ["flights", "always on", "paused"])
def test_other_spend_is_not_noted(kind):
    frame = weekly(1).assign(Affiliate=_other_spend(kind).round(2))
    assert _notes(frame) == []


def _trending_with_sales(seed: int) -> pd.DataFrame:
    """TV growing 2.5 times over three years, returning 2.0 over its carryover, beside a
    base that grows as much: its share of the sales is steady over the years."""
    rng = np.random.default_rng(seed)
    n = 156
    level = np.linspace(1.0, 2.5, n)
    tv = 5000 * level * rng.uniform(0.8, 1.2, n)
    carried = np.convolve(tv, 0.5 ** np.arange(6))[:n] * 0.5
    sales = 2 * carried + 4000 * level + rng.normal(0, 300, n)
    return pd.DataFrame({"Week": pd.date_range("2022-01-03", periods=n, freq="W-MON"),
                         "Revenue": sales.round(2), "TV": tv.round(2)})


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_channel_that_brings_the_sales_and_grows_with_them_is_not_noted(seed):
    frame = _trending_with_sales(seed)
    tv, revenue = frame["TV"].to_numpy(), frame["Revenue"].to_numpy()
    share = tv / revenue
    spread = share.std() / share.mean()
    apart = np.hypot(tv.std() / tv.mean(), revenue.std() / revenue.mean())
    assert spread <= 0.15 and spread <= 0.5 * apart  # the premise: steady over the years
    # ... but week to week the sales move with TV's return, not with its amount
    assert _notes(frame, date="Week", channels=["TV"], date_format=None) == []


@pytest.mark.fit
def test_a_commission_takes_credit_until_left_out():
    """Premise: the affiliate, which brings no sales, reads a ROAS far above 0 and TV's
    falls; without it, TV's is within 20 % of its 2.0."""
    frame = _with_affiliate(1)
    assert _notes(frame)
    assert map_roas(frame, "Affiliate", **MAPPING) > 2.0
    assert map_roas(frame, "TV", **{**MAPPING, "channels": ["TV", "Search"]}) == \
        pytest.approx(2.0, rel=0.2)


def test_a_cost_per_unit_of_a_counted_target_is_said_per_unit_not_as_a_percentage():
    # a CPA deal: 25.00 paid per order, within 3 %
    frame = weekly(4)
    frame["Orders"] = (frame.pop("Revenue") / 80).round()
    rate = 25.0 * np.random.default_rng(4).uniform(0.97, 1.03, len(frame))
    frame["Affiliate"] = (frame["Orders"] * rate).round(2)
    [note] = _notes(frame, target="Orders")
    assert "'Affiliate' is about 25.00 per unit of the same period's target 'Orders'" in \
        note.message
