"""A channel bought nationally keeps its split over the geos in a plan.

National TV in a geo panel is written as the same spend on every geo's row, or as the
nation's spend split by a fixed key. pymc-marketing's optimizer decides one budget per
(channel, geo), so left free it moves TV from one geo to another: a plan no one can buy.
The budget and plan steps hold such a channel's split (each geo's share of its current
spend) and move its total only; the exported code holds it with pymc-marketing's own
constraints.
"""

from __future__ import annotations

import html
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from pymc_marketing.mmm.budget_optimizer import MinimizeException

import mmm_widgets as mw
from mmm_widgets.steps.budget import BudgetParams, BudgetStep
from mmm_widgets.steps.budget.optimum import MINIMIZE_IMPORT, optimum_check_lines
from mmm_widgets.steps.national import national_channels
from mmm_widgets.views.budget import BudgetView
from tests.conftest import budget_namespaces, run_fresh

WEEKS = 100
DATES = pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON")
# The key national TV is split by, and the regions' own sizes.
KEY = {"North": 0.4, "South": 0.3, "East": 0.2, "West": 0.1}
TV, RADIO, SEARCH = "TV (national, split)", "National radio", "Search"
TARGET = "Net Revenue (EUR)"
TOTAL, PERIODS = 520_000.0, 13


def _panel(seed: int = 5) -> pd.DataFrame:
    """Weekly regions (text dates, day first): national TV split by ``KEY`` and rounded to
    cents, national radio written as it is on every region's row, search bought per region."""
    rng = np.random.default_rng(seed)
    tv, radio = rng.gamma(4, 5000, WEEKS), rng.gamma(3, 900, WEEKS)
    frames = []
    for region, key in KEY.items():
        search = rng.gamma(3, 800 * (1 + key), WEEKS)
        sales = (30000 * key + 2.5 * (0.5 + 3 * key) * tv * key + 0.8 * key * radio
                 + 3 * search + rng.normal(0, 500, WEEKS))
        frames.append(pd.DataFrame({
            "Week": DATES.strftime("%d/%m/%Y"), "Region": region,
            TV: (tv * key).round(2), RADIO: radio.round(2), SEARCH: search.round(2),
            TARGET: sales.round(2)}))
    return pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=2)


def _mapped(frame: pd.DataFrame) -> mw.Workflow:
    wf = mw.Workflow(frame)
    wf.map_data(date="Week", target=TARGET, channels=[TV, RADIO, SEARCH], geo="Region",
                date_format="%d/%m/%Y")
    return wf


def _current_shares(frame: pd.DataFrame, channel: str) -> pd.Series:
    """Each region's share of the channel's average spend over the last 13 weeks, by hand."""
    dates = pd.to_datetime(frame["Week"], format="%d/%m/%Y")
    recent = frame[dates >= DATES[-13]]
    spend = recent.groupby("Region")[channel].mean()
    return spend / spend.sum()


# ----- which channels are bought nationally ----------------------------------------------

def test_a_split_by_a_key_and_a_spend_on_every_row_are_read_as_national():
    wf = _mapped(_panel())
    data = wf.data_result
    assert national_channels(data.data, "Week", "Region", [TV, RADIO, SEARCH]) == (TV, RADIO)
    step = BudgetStep(BudgetParams(total=TOTAL), data)
    assert step.held() == (TV, RADIO)
    # The user's choice wins; bounds per geo say a channel is bought geo by geo
    assert BudgetStep(BudgetParams(total=TOTAL, held_split=()), data).held() == ()
    per_geo = BudgetParams(total=TOTAL, bounds={TV: {"North": (0.0, 1e5)}})
    assert BudgetStep(per_geo, data).held() == (RADIO,)


def test_a_split_whose_key_changes_or_one_geo_is_not_national():
    frame = _panel()
    # A new key from the second year on: the shares are not the same on every date
    second_year = pd.to_datetime(frame["Week"], format="%d/%m/%Y") >= DATES[52]
    frame.loc[second_year & (frame["Region"] == "North"), TV] *= 1.3
    # Radio bought in one region only
    frame.loc[frame["Region"] != "East", RADIO] = 0.0
    data = _mapped(frame).data_result
    assert national_channels(data.data, "Week", "Region", [TV, RADIO, SEARCH]) == ()


def test_bounds_per_geo_on_a_channel_held_by_choice_are_a_problem():
    data = _mapped(_panel()).data_result
    params = BudgetParams(total=TOTAL, held_split=(TV,), bounds={TV: {"North": (0.0, 1e5)}})
    with pytest.raises(mw.DataError) as raised:
        BudgetStep(params, data).validate({"mmm": object()})
    found = raised.value.problems
    assert [p.column for p in found] == [TV]
    assert "its split over the geos is held" in found[0].what
    assert "bounds for all geos together" in found[0].fix


# ----- the check of a plan SLSQP could not certify ----------------------------------------

def _check(held: bool):
    names: dict = {"np": np}
    exec(MINIMIZE_IMPORT, names)
    exec("\n".join(optimum_check_lines("check", held)), names)
    return names["check"]


def _stopped(marginal: dict[tuple[str, str], float]):
    """TV (held, half in each geo) and search at 4 in both geos, bounds (0, 10), and an
    SLSQP result that stopped short with these marginal responses."""
    geos, channels = ["north", "south"], ["tv", "search"]
    coords = {"region": geos, "channel": channels}
    decided = xr.DataArray(np.ones((2, 2), bool), dims=("region", "channel"), coords=coords)
    # SLSQP's gradient runs over the decided cells in the order of their dims
    jac = -np.array([marginal[c, g] for g in geos for c in channels])
    result = SimpleNamespace(success=False, jac=jac, status=8,
                             message="Positive directional derivative for linesearch")
    optimization = SimpleNamespace(budgets=xr.full_like(decided, 4.0, dtype=float),
                                   scipy_result=result)
    bounds = xr.DataArray(np.tile([0.0, 10.0], (2, 2, 1)), dims=("region", "channel", "bound"),
                          coords=coords)
    shares = {"tv": {"north": 0.5, "south": 0.5}}
    return SimpleNamespace(budgets_to_optimize=decided), optimization, bounds, shares


def test_a_held_channel_is_checked_as_one_budget():
    # TV adds 3 per unit in the north and 1 in the south: moving budget from search (2)
    # to TV in the north alone would add, but TV's geos move together (0.5 * 3 + 0.5 * 1
    # = 2, search's own): no move adds.
    marginal = {("tv", "north"): 3.0, ("tv", "south"): 1.0,
                ("search", "north"): 2.0, ("search", "south"): 2.0}
    optimizer, optimization, bounds, shares = _stopped(marginal)
    assert _check(True)(optimizer, optimization, bounds, shares) is optimization
    with pytest.raises(MinimizeException):  # cell by cell the north's TV would rise
        _check(False)(optimizer, optimization, bounds)
    # TV as a whole adding more than search (0.5 * 3 + 0.5 * 1.5 = 2.25): a move adds
    optimizer, optimization, bounds, shares = _stopped({**marginal, ("tv", "south"): 1.5})
    with pytest.raises(MinimizeException, match="Positive directional derivative"):
        _check(True)(optimizer, optimization, bounds, shares)


# ----- plans on a fitted model -------------------------------------------------------------

@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> tuple[mw.Workflow, pd.DataFrame]:
    frame = _panel()
    # From a file, so the exported script reads the same table in a fresh process
    path = tmp_path_factory.mktemp("national") / "regions.csv"
    frame.to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(date="Week", target=TARGET, channels=[TV, RADIO, SEARCH], geo="Region",
                date_format="%d/%m/%Y")
    wf.configure_model(l_max=4)
    wf.fit("map")
    return wf, frame


def _optimized(wf: mw.Workflow, monkeypatch, **options) -> tuple[pd.DataFrame, dict]:
    """The budget step's table and the namespace its cell ran in."""
    namespaces = budget_namespaces(monkeypatch)
    return wf.optimize_budget(TOTAL, PERIODS, **options), namespaces[-1]


def _shares(allocation: pd.DataFrame, channel: str, column: str = "optimized") -> pd.Series:
    spend = allocation.loc[channel, column]
    return spend / spend.sum()


@pytest.mark.fit
def test_a_plan_keeps_the_split_of_national_channels_and_the_export_replays(
        fitted, tmp_path, monkeypatch):
    wf, frame = fitted
    held, names = _optimized(wf, monkeypatch)
    assert wf.step("budget").params.held_split is None
    assert held["optimized"].sum() == pytest.approx(TOTAL, rel=1e-9)
    for channel in (TV, RADIO):
        expected = _current_shares(frame, channel)
        pd.testing.assert_series_equal(_shares(held, channel).sort_index(),
                                       expected.sort_index(), check_names=False, atol=1e-6)
    tv_shares = _shares(held, TV)
    np.testing.assert_allclose([tv_shares[r] for r in KEY], list(KEY.values()),
                               atol=1e-4)  # the key itself, rounded to cents
    assert _shares(held, RADIO).to_numpy() == pytest.approx([0.25] * 4, abs=1e-6)
    # Left free, the optimizer moves TV between the regions: a plan no one can buy
    free, free_names = _optimized(wf, monkeypatch, held_split=[])
    assert float((_shares(free, TV) - _current_shares(frame, TV)).abs().max()) > 0.02
    # Holding the split cannot add, and here it costs something, straight from the
    # posterior's response to each plan
    plan_contribution = free_names["plan_contribution"]

    def expected(allocation: pd.DataFrame) -> float:
        plan = allocation["optimized"].to_dict()
        return float(plan_contribution(plan).sum(["channel", "Region"]).mean("sample"))

    assert expected(held) < expected(free)
    # The held plan is the best of the plans holding the split: moving 1 % of the total
    # between TV as a whole (by its shares) and search in any region does not add
    step, shares = 0.01 * TOTAL, _current_shares(frame, TV)
    budget_bounds = names["budget_bounds"] * PERIODS
    low, high = (budget_bounds.isel(bound=i).to_series().reindex(held.index) for i in (0, 1))
    checked = 0
    for region in KEY:
        for sign in (1, -1):
            moved = held.copy()
            for geo, share in shares.items():
                moved.loc[(TV, geo), "optimized"] += sign * step * share
            moved.loc[(SEARCH, region), "optimized"] -= sign * step
            spend = moved["optimized"]
            if ((spend >= low - 1e-6) & (spend <= high + 1e-6)).all():
                checked += 1
                assert expected(moved) <= expected(held) * (1 + 1e-9), (region, sign)
    assert checked > 0
    # Holding it again for the export: the script reproduces the plan without the kit
    wf.optimize_budget(TOTAL, PERIODS)
    wf.step("budget").result.allocation.to_pickle(tmp_path / "allocation.pkl")
    report = html.unescape(wf.report(tmp_path / "report.html").read_text())
    assert f"{TV!r}, {RADIO!r} bought nationally: each keeps its split" in report
    script = wf.to_script()
    assert "mmm_widgets" not in script
    assert f"held_split = {[TV, RADIO]!r}" in script
    run_fresh(script + (
        "\nimport sys\n"
        "assert not any(name.startswith('mmm_widgets') for name in sys.modules)\n"
        "pd.testing.assert_frame_equal(budget_allocation, pd.read_pickle('allocation.pkl'), "
        "rtol=1e-5, atol=1e-3)\n"), tmp_path)


@pytest.mark.fit
def test_a_dated_plan_keeps_the_split_too(fitted):
    wf, frame = fitted
    plan = wf.plan_budget(TOTAL)
    for channel in (TV, RADIO):
        optimized = plan.allocation.loc[channel, "optimized"]
        shares = (optimized / optimized.sum()).sort_index()
        expected = _current_shares(frame, channel).sort_index()
        np.testing.assert_allclose(shares.to_numpy(), expected.to_numpy(), atol=1e-6)
    free = wf.plan_budget(TOTAL, held_split=[])
    optimized = free.allocation.loc[TV, "optimized"]
    assert float((optimized / optimized.sum() - _current_shares(frame, TV)).abs().max()) > 0.02


@pytest.mark.fit
def test_the_panel_ticks_national_channels_and_passes_the_users_choice(fitted):
    wf, frame = fitted
    panel = BudgetView(wf, defer_curves=True)
    assert {c: box.value for c, box in panel.held.items()} == {TV: True, RADIO: True,
                                                               SEARCH: False}
    panel.shown()
    assert panel.ready.wait(300)
    panel.no_limit.value = False
    panel.fill_default_bounds()
    panel.held[RADIO].value = False
    panel.total.value, panel.periods.value = TOTAL, PERIODS
    panel.optimize_button.click()
    panel.wait(timeout=600)
    assert wf.status("budget") == "done", panel.message.value
    assert wf.step("budget").params.held_split == (TV,)
    allocation = wf.step("budget").result.allocation
    np.testing.assert_allclose(_shares(allocation, TV).sort_index().to_numpy(),
                               _current_shares(frame, TV).sort_index().to_numpy(), atol=1e-6)
