"""Brand search: spend bought on searches for the brand, which follows demand. Named as
such (not "non-brand", not a brand's TV) when its spend moves with the target, once,
with a lift test to fit it by; the note's lift test, filled in, is what the model takes.
Generated wide tables, national and geo, of each channel naming scheme; a long table."""

from __future__ import annotations

import ast
import re

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.brand_search import named_brand_search
from tests.conformance.tables import spec, table, true_dates


def _seeds() -> list[int]:
    """Wide tables of numbers, national and geo."""
    found = []
    for seed in range(120):
        v = spec(seed)
        if (v.long or v.text_amounts or v.reported_outcomes or v.units_row or v.report_rows
                or v.weekdays_only):
            continue
        found.append(seed)
    return found[:6]


SEEDS = _seeds()


def _with_brand(seed: int, name: str = "Search Brand Spend", follows: bool = True,
                noise: float = 0.1):
    """A generated table with a channel ``name``: a share of each row's target (its CPC
    varying by ``noise``), or, unless ``follows``, flights apart from it; the roles with
    it."""
    variation = spec(seed)
    frame, roles = table(variation), dict(variation.roles)
    rng = np.random.default_rng(seed)
    target = pd.to_numeric(frame[roles["target"]], errors="coerce").fillna(0).clip(lower=0)
    if follows:
        spend = 0.03 * target * np.exp(rng.normal(0, noise, len(frame)))
    else:
        spend = rng.gamma(2.0, 0.015 * target.mean(), len(frame)) * (rng.random(len(frame)) > 0.5)
    frame[name] = spend.round(2)
    roles["channels"] = [*roles["channels"], name]
    return frame, roles


def _notes(frame: pd.DataFrame, roles: dict, kind: str = "brand_search") -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return [f for f in wf.data_result.warnings if f.kind == kind]


def test_the_seeds_hold_national_and_geo_tables():
    assert {bool(spec(s).geos) for s in SEEDS} == {False, True}


@pytest.mark.parametrize("name", [
    "search_brand", "Brand Search", "Paid Search - Brand", "SEM Brand (EUR)", "brand_ppc_spend",
    "Google Ads Brand", "BrandSearch", "brandsearch_cost", "Branded Search", "Bing - Brand KW",
    "SEA Marke", "Recherche marque", "Búsqueda Marca", "Trademark Search Cost"])
def test_names_of_brand_search(name):
    assert named_brand_search(name)


@pytest.mark.parametrize("name", [
    "search_nonbrand", "Search Non-Brand", "Paid Search - Non Brand", "Generic Search Brand",
    "Unbranded search", "SEA ohne Marke", "brand_tv", "Brand Awareness Display", "search",
    "Google Ads", "Brandenburg TV", "branding_ooh"])
def test_names_that_are_not_brand_search(name):
    assert not named_brand_search(name)


@pytest.mark.parametrize("seed", SEEDS)
def test_brand_search_that_follows_the_target_is_named(seed):
    frame, roles = _with_brand(seed)
    notes = _notes(frame, roles)
    assert [n.columns for n in notes] == [("Search Brand Spend",)]
    # by hand: the correlation of the two, each summed by date over the geos
    dates = true_dates(spec(seed), frame[roles["date"]])
    target = pd.to_numeric(frame[roles["target"]], errors="coerce")
    by_date = pd.DataFrame({"t": target, "s": frame["Search Brand Spend"]}).groupby(
        dates.to_numpy()).sum()
    assert f"(correlation {np.corrcoef(by_date['s'], by_date['t'])[0, 1]:.2f} by date)" \
        in notes[0].message
    others = [c for c in roles["channels"] if c != "Search Brand Spend"]
    assert notes[0].message.endswith(f"channels={others!r}).")
    assert (f"{roles['geo']!r}: <the geo>" in notes[0].message) == bool(roles.get("geo"))


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_brand_search_in_flights_apart_from_the_target_is_not_named(seed):
    frame, roles = _with_brand(seed, follows=False)
    assert _notes(frame, roles) == []


@pytest.mark.parametrize("name", ["Search Non-Brand Spend", "Brand TV Spend"])
def test_other_spend_that_follows_the_target_is_not_named_brand_search(name):
    frame, roles = _with_brand(SEEDS[0], name=name)
    assert _notes(frame, roles) == []


def test_brand_search_that_is_a_steady_share_is_named_once():
    frame, roles = _with_brand(SEEDS[0], noise=0.0)  # exactly 3 % of the target
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    named = [f.kind for f in wf.data_result.warnings if "Search Brand Spend" in f.columns]
    assert named.count("brand_search") == 1 and "follows_target" not in named
    # the same spend named as an affiliate's is named for following the target
    frame = frame.rename(columns={"Search Brand Spend": "Affiliate Spend"})
    roles = {**roles, "channels": [*roles["channels"][:-1], "Affiliate Spend"]}
    assert [n.columns for n in _notes(frame, roles, "follows_target")] == [("Affiliate Spend",)]


def test_brand_search_in_a_long_table_is_named():
    rng = np.random.default_rng(3)
    dates = pd.date_range("2023-01-02", periods=104, freq="W-MON")
    sales = 10_000 * (1 + 0.3 * np.sin(np.arange(104) / 8.3)) * np.exp(rng.normal(0, 0.05, 104))
    rows = [{"Week": d, "Platform": p, "Cost": c}
            for d, s in zip(dates, sales, strict=True)
            for p, c in (("Google Ads Brand", 0.02 * s * rng.lognormal(0, 0.1)),
                         ("Meta", rng.gamma(3, 100)))]
    spend = pd.DataFrame(rows)
    frame = spend.merge(pd.DataFrame({"Week": dates, "Revenue": sales}), on="Week")
    wf = mw.Workflow(frame, name="raw")
    suggested = wf.suggest_mapping()
    wf.map_data(**suggested)
    assert [(f.kind, f.columns) for f in wf.data_result.warnings
            if f.kind == "brand_search"] == [("brand_search", ("Google Ads Brand",))]


def _demand_table(seed: int) -> pd.DataFrame:
    """Weekly sales from demand with a season, TV (returning 2.0 over its carryover),
    generic search (3.0) and brand search (0.3), whose spend is 0.72 per search, the
    searches 5 % of demand and of TV's sales."""
    rng = np.random.default_rng(seed)
    n = 156
    t = np.arange(n)
    demand = 20_000 * (1 + 0.25 * np.sin(2 * np.pi * t / 52.18)) * np.exp(rng.normal(0, 0.08, n))
    tv = rng.gamma(2, 1500, n) * (rng.random(n) > 0.3)
    tv_sales = np.convolve(tv, 0.5 ** np.arange(6))[:n]  # weights 1, 0.5, ...: 1.97 in all
    generic = rng.gamma(4, 500, n)
    searches = 0.05 * (demand + tv_sales) * np.exp(rng.normal(0, 0.05, n))
    brand = 0.72 * searches * np.exp(rng.normal(0, 0.1, n))
    sales = demand + tv_sales + 3.0 * generic + 0.3 * brand + rng.normal(0, 500, n)
    return pd.DataFrame({"date": pd.date_range("2022-01-03", periods=n, freq="W-MON"),
                         "tv": tv, "search_generic": generic, "search_brand": brand,
                         "sales": sales})


@pytest.mark.fit
def test_the_notes_lift_test_is_what_the_model_takes_and_it_reads_brand_search_right():
    frame = _demand_table(1)
    roles = {"date": "date", "target": "sales",
             "channels": ["tv", "search_generic", "search_brand"]}
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    (note,) = [f for f in wf.data_result.warnings if f.kind == "brand_search"]
    wf.configure_model()
    wf.fit("map")
    plain = wf.channel_summary()["roas"]
    assert plain["search_brand"] > 3.0  # the premise: ten times its true 0.3
    # the note's line, filled in with what a test switching it off would have measured
    call = re.search(r"wf\.configure_model\(lift_tests=(\[.*?\])\)", note.message).group(1)
    x = float(re.search(r"'x': (\d+)", call).group(1))
    lift_tests = ast.literal_eval(call.replace("<the sales it lost>", repr(-0.3 * x))
                                  .replace("<that figure's standard error>", repr(0.03 * x)))
    wf.configure_model(lift_tests=lift_tests)
    wf.fit("map")
    calibrated = wf.channel_summary()["roas"]
    assert 0.2 < calibrated["search_brand"] < 0.45
    assert abs(calibrated["tv"] - 2.0) < abs(plain["tv"] - 2.0)
