"""Money columns that are not this period's media spend, as finance tables set them beside
the actuals: each channel's plan and last year's spend ("TV Spend Plan", "TV Spend LY"),
the sales forecast, the business's other costs ("Shipping Cost") and a price cut's cost
("Discount Cost"). The suggestion keeps them out of the channels (the cut is a control)
and the target; mapped as a channel, each is named. Generated tables of every channel
naming scheme, national and geo panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table


def _seeds(per_scheme: int = 3) -> list[int]:
    """Wide tables of numbers, the first few of each channel naming scheme."""
    chosen: dict[str, list[int]] = {}
    for seed in range(200):
        v = spec(seed)
        if not (v.long or v.text_amounts or v.reported_outcomes or v.units_row
                or v.report_rows or v.total_spend or v.net_spend):
            found = chosen.setdefault(v.channel_scheme, [])
            if len(found) < per_scheme:
                found.append(seed)
    return sorted(seed for seeds in chosen.values() for seed in seeds)


#: Wide tables with channels named by each scheme, national and geo.
SEEDS = _seeds()


def _with_finance_columns(seed: int) -> tuple[pd.DataFrame, dict]:
    """A generated table with, beside each channel, its plan (the actual within 30 %,
    rounded to hundreds) and last year's spend, a sales forecast set before the target,
    shipping costs (8 % of the target) and discount costs."""
    variation = spec(seed)
    frame, roles = table(variation), variation.roles
    rng = np.random.default_rng(seed)
    n = len(frame)
    for channel in roles["channels"]:
        spend = frame[channel].astype(float)
        frame[f"{channel} Plan"] = (spend * rng.uniform(0.7, 1.3, n)).round(-2)
        frame[f"{channel} LY"] = spend.shift(52).fillna(spend.mean()).round(2)
    target = frame[roles["target"]].astype(float)
    frame.insert(1, "Sales Forecast", (target.rolling(4, min_periods=1).mean() * 1.05).round())
    frame["Shipping Cost"] = (target * 0.08).round(2)
    frame["Discount Cost"] = rng.gamma(2, 0.02 * target.mean(), n).round(2)
    return frame, roles


def test_the_seeds_cover_every_channel_scheme_and_geo_panels():
    variations = [spec(s) for s in SEEDS]
    assert {v.channel_scheme for v in variations} >= {"suffix_s", "spend_prefix", "numbered",
                                                      "platform_cost", "x"}
    assert any(v.geos for v in variations) and any(not v.geos for v in variations)


@pytest.mark.parametrize("seed", SEEDS)
def test_plans_last_year_and_other_costs_are_not_suggested_as_channels(seed):
    frame, roles = _with_finance_columns(seed)
    suggested = mw.Workflow(frame, name="raw").suggest_mapping()
    assert sorted(suggested["channels"]) == sorted(roles["channels"])
    assert suggested["target"] == roles["target"]
    assert "Discount Cost" in suggested["controls"]
    assert not {"Sales Forecast", "Shipping Cost"} & set(suggested["controls"])


@pytest.mark.parametrize(("column", "says"), [
    ("{channel} Plan", "a plan or forecast, not what was spent"),
    ("{channel} LY", "last year's figures, not this period's spend"),
    ("Shipping Cost", "a cost that buys no media, not media spend"),
    ("Discount Cost", "a price cut, not media spend but a promotion's depth: map it as a "
                      "control"),
])
def test_each_mapped_as_a_channel_is_named_with_what_to_map(column, says):
    frame, roles = _with_finance_columns(2)
    column = column.format(channel=roles["channels"][0])
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**{**roles, "channels": [*roles["channels"], column]})
    notes = [f.message for f in wf.data_result.warnings
             if f.kind == "not_spend" and f.columns == (column,)]
    assert notes == [f"{column!r} is named like {says}" + notes[0].split(says, 1)[1]]


def test_a_channels_budget_is_its_spend_and_the_sales_budget_a_plan():
    frame, roles = _with_finance_columns(2)
    channel = roles["channels"][0]
    # TV's budget, as no other channel is TV (beside a radio spend column, a radio budget
    # would be radio's plan, not a channel of its own)
    assert not [c for c in roles["channels"][1:] if "tv" in c.lower()]
    frame = frame.rename(columns={channel: "TV Budget"})
    frame["Sales Budget"] = frame["Sales Forecast"]
    suggested = mw.Workflow(frame, name="raw").suggest_mapping()
    assert "TV Budget" in suggested["channels"]
    assert "Sales Budget" not in suggested["channels"]
    assert suggested["target"] == roles["target"]


@pytest.mark.parametrize(("plan", "past"), [
    ("Prognose", "Vorjahr"), ("Prévision", "Année précédente"),
    ("Previsione", "Anno precedente"), ("Pronóstico", "Año anterior")])
def test_plans_and_last_year_named_in_other_languages_are_not_channels(plan, past):
    variation = spec(SEEDS[0])
    frame, roles = table(variation), variation.roles
    rng = np.random.default_rng(0)
    for channel in roles["channels"]:
        spend = frame[channel].astype(float)
        frame[f"{channel} {plan}"] = (spend * rng.uniform(0.7, 1.3, len(frame))).round(-2)
        frame[f"{channel} {past}"] = spend.shift(52).fillna(spend.mean()).round(2)
    frame.insert(1, f"Umsatz {past}", frame[roles["target"]].shift(52).bfill())
    suggested = mw.Workflow(frame, name="raw").suggest_mapping()
    assert sorted(suggested["channels"]) == sorted(roles["channels"])
    assert suggested["target"] == roles["target"]
