"""Budget step on the bundled weekly data: curves, optimizer, scenarios, what-if, replay."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import mmm_widgets as mw
from mmm_widgets.api.budget import synergy_note
from mmm_widgets.steps.budget import (
    ALLOCATION_COLUMNS,
    CURVE_COLUMNS,
    IMPORTS,
    RISK_IMPORT,
    SCENARIO_COLUMNS,
    TOTAL_ROW,
    BudgetCancelled,
    BudgetParams,
    BudgetStep,
    Scenario,
)
from mmm_widgets.steps.source import is_safe_name
from tests.conftest import run_fresh
from tests.test_reserved_names import _bound_names

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]
PERIODS = 13


@pytest.fixture(scope="module")
def fitted() -> mw.Workflow:
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=CHANNELS,
                controls=["promo", "price_index"])
    wf.configure_model()
    wf.fit(draws=200, tune=200, chains=2, random_seed=1)
    return wf


@pytest.fixture(scope="module")
def current_total(fitted) -> float:
    return float(fitted.data[CHANNELS].tail(PERIODS).mean().sum() * PERIODS)


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(b), 1e-300)


def _cvar(draws: np.ndarray, level: float) -> float:
    """Mean of the draws at or below the ``1 - level`` quantile (linear interpolation)."""
    cut = np.quantile(draws, 1 - level)
    return float(draws[draws <= cut].mean())


def _run_rate(wf: mw.Workflow) -> pd.Series:
    """Each channel's spend over the horizon at the average of the last 13 weeks."""
    return wf.data.sort_values("date")[CHANNELS].tail(13).mean() * PERIODS


def test_response_curves_are_tidy_saturating_and_marked(fitted):
    curves = fitted.response_curves(threshold=1.0, points=60)
    assert list(curves.columns) == list(CURVE_COLUMNS)
    assert curves.groupby("channel").size().to_dict() == dict.fromkeys(CHANNELS, 60)
    for channel, points in curves.groupby("channel"):
        assert points["spend"].iloc[0] == 0 and points["response"].iloc[0] == 0
        assert (points["response_hdi_low"] <= points["response"] + 1e-9).all()
        assert (points["response"] <= points["response_hdi_high"] + 1e-9).all()
        assert np.all(np.diff(points["response"]) > 0), channel
        # Logistic saturation is concave: each extra unit of spend returns less.
        assert np.all(np.diff(points["marginal_roas"]) < 0), channel
        top = points["spend"].iloc[-1]
        assert top == pytest.approx(2 * fitted.data[channel].max(), rel=1e-9)
    run_rate = fitted.data[CHANNELS].tail(13).mean()
    assert curves.attrs["current_spend"] == pytest.approx(run_rate.to_dict(), rel=1e-12)
    for channel, spend in curves.attrs["threshold_spend"].items():
        points = curves[curves["channel"] == channel]
        if spend > 0 and np.isfinite(spend):
            slope = np.interp(spend, points["spend"], points["marginal_roas"])
            assert slope == pytest.approx(1.0, rel=1e-3)
    stricter = fitted.response_curves(threshold=2.0, points=60).attrs["threshold_spend"]
    assert all(stricter[c] <= curves.attrs["threshold_spend"][c] or
               np.isnan(curves.attrs["threshold_spend"][c]) for c in CHANNELS)


def test_curves_are_the_optimizers_steady_state(fitted, current_total):
    fitted.optimize_budget(current_total, PERIODS)
    result = fitted.step("budget").result
    curves = result.curves
    optimizer = result.optimizer
    index = 20
    spends = {c: float(curves[curves["channel"] == c]["spend"].iloc[index]) for c in CHANNELS}
    plan = xr.DataArray([spends[c] for c in CHANNELS], dims="channel",
                        coords={"channel": CHANNELS})
    per_date = optimizer.evaluate_response_distribution(
        plan, response_variable="channel_contribution")
    # After l_max periods of the same spend only that spend is in the adstock window.
    steady = per_date.isel(date=optimizer.carry_in_periods + optimizer.num_periods - 1)
    scale = float(fitted.mmm.data.get_target_scale())
    for channel in CHANNELS:
        expected = curves[curves["channel"] == channel]["response"].iloc[index]
        got = float(steady.sel(channel=channel).mean()) * scale
        assert got == pytest.approx(expected, rel=1e-6), channel


def test_optimized_beats_current_at_the_same_total(fitted, current_total):
    table = fitted.optimize_budget(current_total, PERIODS)
    assert list(table.columns) == list(ALLOCATION_COLUMNS)
    assert list(table.index) == CHANNELS
    assert table["optimized"].sum() == pytest.approx(current_total, rel=1e-6)
    np.testing.assert_allclose(table["current"],
                               fitted.data[CHANNELS].tail(13).mean() * PERIODS, rtol=1e-12)
    optimized = fitted.what_if(table["optimized"].to_dict()).loc[TOTAL_ROW, "contribution"]
    current = fitted.what_if(table["current"].to_dict()).loc[TOTAL_ROW, "contribution"]
    assert optimized >= current
    assert table["expected_contribution"].sum() == pytest.approx(optimized, rel=1e-9)
    assert (table["contribution_hdi_low"] <= table["expected_contribution"] + 1e-6).all()
    assert (table["expected_contribution"] <= table["contribution_hdi_high"] + 1e-6).all()
    compare = fitted.scenarios.compare()
    assert compare.at["optimized", "expected_outcome"] >= compare.at["current",
                                                                     "expected_outcome"]
    assert compare.at["optimized", "prob_beats_current"] > 0.5
    code = fitted.step_code("budget")
    assert "best_allocation(optimizer, total / periods, budget_bounds)" in code
    assert "mmm_widgets" not in code


def test_bounds_are_respected(fitted, current_total):
    bounds = {"tv": (100_000.0, 150_000.0), "search": (0.0, 60_000.0),
              "display": (10_000.0, 20_000.0)}
    table = fitted.optimize_budget(current_total, PERIODS, bounds=bounds)
    for channel, (low, high) in bounds.items():
        assert low - 1e-6 <= table.at[channel, "optimized"] <= high + 1e-6, channel
    assert table["optimized"].sum() == pytest.approx(current_total, rel=1e-6)
    assert fitted.step("budget").params.bounds == bounds
    # Channels without bounds of their own keep within 30 % of their current spend.
    current = _run_rate(fitted)
    for channel in ("radio", "social"):
        assert 0.7 * current[channel] * (1 - 1e-6) <= table.at[channel, "optimized"] \
            <= 1.3 * current[channel] * (1 + 1e-6), channel


def test_default_bounds_keep_every_channel_within_30_pct_of_current(fitted, current_total):
    total = 1.1 * current_total
    table = fitted.optimize_budget(total, PERIODS)
    current = _run_rate(fitted)
    np.testing.assert_allclose(table["current"], current, rtol=1e-12)
    for channel in CHANNELS:
        assert 0.7 * current[channel] * (1 - 1e-6) <= table.at[channel, "optimized"] \
            <= 1.3 * current[channel] * (1 + 1e-6), channel
    assert table["optimized"].sum() == pytest.approx(total, rel=1e-6)
    assert table["change_pct"].between(-30 - 1e-4, 30 + 1e-4).all()
    params = fitted.step("budget").params
    assert params.bounds == {} and params.default_bound_pct == 30.0
    code = fitted.step_code("budget")
    assert "bounds = {c: (0.7 * current[c], 1.3 * current[c]) for c in channels}" in code
    assert "within 30 % of current spend" in code
    # "none" is the explicit choice of any split: the same total, no band.
    free = fitted.optimize_budget(total, PERIODS, bounds="none")
    assert fitted.step("budget").params.default_bound_pct is None
    assert "bounds = {c: (0.0, total) for c in channels}" in fitted.step_code("budget")
    assert free["optimized"].sum() == pytest.approx(total, rel=1e-6)
    assert (free["optimized"] / current).max() > 1.3 or (free["optimized"] / current).min() < 0.7
    optimized = fitted.what_if(free["optimized"].to_dict()).loc[TOTAL_ROW, "contribution"]
    banded = fitted.what_if(table["optimized"].to_dict()).loc[TOTAL_ROW, "contribution"]
    assert optimized >= banded * (1 - 1e-6)


@pytest.mark.parametrize(("kwargs", "match", "column"), [
    ({"bounds": {"tv": (200_000.0, 300_000.0), "search": (200_000.0, 300_000.0)}},
     "lowest spends add up to", None),
    ({"bounds": dict.fromkeys(CHANNELS, (0.0, 10_000.0))}, "highest spends add up to", None),
    ({"bounds": {"radio": (50_000.0, 10_000.0)}}, "above its highest", "radio"),
    ({"bounds": {"facebook": (0.0, 10_000.0)}}, "'facebook' is not a channel", "facebook"),
    ({"total": 0.0}, "must be positive", None),
    ({"total": -5.0}, "must be positive", None),
    ({"periods": 0}, "at least one period", None),
    ({"objective": "median"}, "Unknown objective", None),
    ({"total": 1e7}, "bounds='none'", None),
    ({"bounds": "everything"}, "Unknown bounds", None),
    ({"held_split": ["tvv"]}, "'tvv' is held across geos but is not a channel", "tvv"),
])
def test_bad_budget_input_names_the_problem_and_keeps_state(fitted, current_total, kwargs,
                                                            match, column):
    fitted.optimize_budget(current_total, PERIODS)
    before_params = fitted.step("budget").params
    before = fitted.step("budget").result.allocation.copy()
    call = {"total": current_total, "periods": PERIODS, **kwargs}
    with pytest.raises(mw.DataError, match=match) as info:
        fitted.optimize_budget(**call)
    assert "Fix:" in str(info.value)
    if column is not None:
        assert column in info.value.columns
    assert fitted.step("budget").params == before_params
    pd.testing.assert_frame_equal(fitted.step("budget").result.allocation, before)


def test_scenarios_agree_with_what_if_and_each_other(fitted, current_total):
    fitted.optimize_budget(current_total, PERIODS)
    optimizer = fitted.step("budget").result.optimizer
    fitted.scenarios.add_budget_change(10)
    fitted.scenarios.add_budget_change(-20, base="optimized")
    table = fitted.scenarios.add("search push", {"tv": 50_000.0, "search": 150_000.0,
                                                 "social": 50_000.0})
    # Scenarios re-use the optimizer instead of optimizing again.
    assert fitted.step("budget").result.optimizer is optimizer
    assert list(table.columns) == list(SCENARIO_COLUMNS)
    assert list(table.index) == ["current", "optimized", "budget +10 %", "optimized -20 %",
                                 "search push"]
    for name in table.index:
        allocation = fitted.scenarios.allocation(name)
        what_if = fitted.what_if(allocation).loc[TOTAL_ROW]
        assert what_if["contribution"] == pytest.approx(table.at[name, "expected_outcome"],
                                                        rel=1e-9), name
        assert what_if["contribution_hdi_low"] == pytest.approx(
            table.at[name, "outcome_hdi_low"], rel=1e-9)
        assert table.at[name, "total_spend"] == pytest.approx(sum(allocation.values()))
    assert table.at["budget +10 %", "total_spend"] == pytest.approx(
        1.1 * table.at["current", "total_spend"])
    assert table.at["optimized -20 %", "total_spend"] == pytest.approx(0.8 * current_total)
    np.testing.assert_allclose(table["roas"], table["expected_outcome"] / table["total_spend"])
    assert table.at["budget +10 %", "prob_beats_current"] == 1.0
    assert table.at["current", "prob_beats_current"] == 0.0
    with pytest.raises(mw.DataError, match="already a scenario"):
        fitted.scenarios.add("search push", {"tv": 1.0})
    with pytest.raises(mw.DataError, match="'podcast' is not a channel") as info:
        fitted.scenarios.add("podcast", {"podcast": 1.0})
    assert info.value.columns == ["podcast"]
    with pytest.raises(mw.DataError, match="built-in"):
        fitted.scenarios.add("current", {"tv": 1.0})
    with pytest.raises(mw.DataError, match="must be a number of percent, not 'ten'"):
        fitted.scenarios.add_budget_change("ten")
    pd.testing.assert_frame_equal(fitted.scenarios.compare(), table)
    after = fitted.scenarios.remove("budget +10 %")
    assert "budget +10 %" not in after.index and "search push" in after.index
    assert fitted.step("budget").result.optimizer is optimizer
    # Another total is other optimizer code: the optimizer runs again.
    fitted.optimize_budget(0.9 * current_total, PERIODS)
    assert fitted.step("budget").result.optimizer is not optimizer


def test_what_if_answers_any_move_and_checks_input(fitted, current_total):
    # How fast a move is answered is measured in benchmarks/run.py (latency), not here.
    fitted.optimize_budget(current_total, PERIODS)
    limits = fitted.step("budget").result.what_if.limits
    rng = np.random.default_rng(7)
    for _ in range(20):
        allocation = {c: float(rng.uniform(0, limits[c])) for c in CHANNELS}
        frame = fitted.what_if(allocation)
        assert list(frame.index) == [*CHANNELS, TOTAL_ROW]
        assert frame.at[TOTAL_ROW, "contribution"] == pytest.approx(
            frame["contribution"].iloc[:-1].sum(), rel=1e-9)
        assert (frame["contribution"].iloc[:-1] >= 0).all()
    zero = fitted.what_if({})
    assert (zero["contribution"] == 0).all()
    with pytest.raises(mw.DataError, match="beyond the prepared range") as info:
        fitted.what_if({"tv": limits["tv"] * 2})
    assert info.value.columns == ["tv"]
    with pytest.raises(mw.DataError, match="0 or more"):
        fitted.what_if({"radio": -1.0})
    with pytest.raises(mw.DataError, match="not a channel"):
        fitted.what_if({"tiktok": 1.0})


def test_risk_aware_objective_is_the_risk_of_what_the_plan_adds(fitted, current_total):
    mean_plan = fitted.optimize_budget(current_total, PERIODS, bounds="none")["optimized"]
    cvar_plan = fitted.optimize_budget(current_total, PERIODS, bounds="none",
                                       objective="cvar", risk_level=0.9)["optimized"]
    assert cvar_plan.sum() == pytest.approx(current_total, rel=1e-6)
    code = fitted.step_code("budget")
    assert "of_the_plan(utility.conditional_value_at_risk(0.9))" in code
    assert "optimization = best_allocation(risk_optimizer, total / periods, budget_bounds)" \
        in code
    # A raw frame may not take a name the risk code binds.
    assert not [n for n in _bound_names(fitted.step("budget").code().cell()) if is_safe_name(n)]
    setup = fitted.step("budget").result.setup.names
    risk_optimizer, plan_contribution = setup["risk_optimizer"], setup["plan_contribution"]
    current = fitted.scenarios.allocation("current")
    # The objective at any plan is the CVaR of that plan's own contribution, computed
    # here straight from its posterior draws (with the plan minus without spend).
    added = {}
    for name, plan in (("mean", mean_plan.to_dict()), ("cvar", cvar_plan.to_dict()),
                       ("current", current)):
        spend = xr.DataArray([plan[c] / PERIODS for c in CHANNELS], dims="channel",
                             coords={"channel": CHANNELS})
        draws = plan_contribution(plan).sum("channel").to_numpy()
        added[name] = _cvar(draws, 0.9)
        assert risk_optimizer.evaluate_plan(spend).utility == pytest.approx(
            added[name], rel=1e-6), name
    assert added["cvar"] >= added["mean"] * (1 - 1e-6)
    assert added["cvar"] >= added["current"] * (1 - 1e-6)


def _risk_utility(objective: str, level: float, baseline: np.ndarray):
    """The utility function the exported risk code hands pymc-marketing."""
    captured = {}

    class Evaluator:
        def evaluate_response_distribution(self, plan):
            return xr.DataArray(baseline, dims="sample")

    class Model:
        def budget_optimizer(self, **kwargs):
            captured.update(kwargs)

    step = BudgetStep(BudgetParams(objective=objective, risk_level=level), data=None)
    source = "\n".join([*IMPORTS, RISK_IMPORT, *step._risk_lines()])
    exec(source, {"optimizer": Evaluator(), "mmm": Model(), "per_period": dict,
                  "horizon": [0, 1], "horizon_end": 1})
    return captured["utility_function"]


@pytest.mark.parametrize("objective", ["cvar", "var"])
def test_risk_ignores_the_carry_in_of_past_spend(objective):
    import pytensor
    import pytensor.xtensor as ptx
    from pymc_marketing.mmm import utility

    rng = np.random.default_rng(3)
    n, level = 200, 0.9
    # Spend made before the window adds a contribution that differs a lot by draw.
    carry_in = rng.normal(10_000.0, 3_000.0, n)
    low_carry_in = carry_in < np.median(carry_in)
    # Plan a adds 100 in every draw. Plan b adds 120 where the carry-in is low (the
    # draws that are worst overall) and 50 elsewhere: its own worst case is worse.
    added = {"a": np.full(n, 100.0), "b": np.where(low_carry_in, 120.0, 50.0)}
    samples = ptx.xtensor("samples", dims=("sample",), shape=(n,))
    budgets = ptx.xtensor("budgets", dims=("channel",), shape=(2,))

    def score(function, plan):
        graph = function(samples, budgets)
        compiled = pytensor.function([samples, budgets], graph.values,
                                     on_unused_input="ignore")
        return float(compiled(carry_in + added[plan], np.zeros(2)))

    def by_hand(draws):
        return _cvar(draws, level) if objective == "cvar" else float(
            np.quantile(draws, 1 - level))

    plan_utility = _risk_utility(objective, level, carry_in)
    for plan in added:
        assert score(plan_utility, plan) == pytest.approx(by_hand(added[plan]), rel=1e-9)
    assert score(plan_utility, "a") > score(plan_utility, "b")
    # Applied to the whole response (the risk of past spend), the ranking flips.
    raw = (utility.conditional_value_at_risk(level) if objective == "cvar"
           else utility.value_at_risk(level))
    assert score(raw, "b") > score(raw, "a")


def test_export_replays_allocation_and_scenarios_in_fresh_process(fitted, current_total,
                                                                  tmp_path):
    fitted.optimize_budget(current_total, PERIODS, bounds={"tv": (60_000.0, 120_000.0)})
    for name in fitted.scenarios.names:
        if name in fitted.scenarios.names:
            fitted.scenarios.remove(name)
    fitted.scenarios.add_budget_change(15)
    fitted.scenarios.add("odd 'name' \"quoted\"", {"tv": 90_000.0, "search": 90_000.0})
    result = fitted.step("budget").result
    result.allocation.to_pickle(tmp_path / "allocation.pkl")
    result.scenarios.to_pickle(tmp_path / "scenarios.pkl")
    # A slider's answer (between grid nodes, not a scenario) is the exported cell's.
    moved = {"tv": 77_777.7, "radio": 12_345.6, "search": 54_321.0}
    fitted.what_if(moved).to_pickle(tmp_path / "what_if.pkl")
    script = fitted.to_script()
    assert "mmm_widgets" not in script
    assert script.index("what_if_spend = ") > script.index("scenario_table")
    run_fresh(script + (
        "\nimport sys\n"
        "assert not any(name.startswith('mmm_widgets') for name in sys.modules)\n"
        f"assert what_if_spend == {moved!r}\n"
        "pd.testing.assert_frame_equal(what_if, pd.read_pickle('what_if.pkl'), rtol=1e-9)\n"
        "\nexpected = pd.read_pickle('allocation.pkl')\n"
        "np.testing.assert_allclose(budget_allocation['optimized'], expected['optimized'], "
        "rtol=1e-6)\n"
        "pd.testing.assert_frame_equal(budget_allocation, expected, rtol=1e-6)\n"
        "pd.testing.assert_frame_equal(scenario_table, pd.read_pickle('scenarios.pkl'), "
        "rtol=1e-6)\n"), tmp_path)


def test_save_and_load_keep_scenarios_and_allocation(fitted, current_total, tmp_path):
    fitted.optimize_budget(current_total, PERIODS, bounds={"radio": (5_000.0, 40_000.0)})
    if "mine" not in fitted.scenarios.names:
        fitted.scenarios.add("mine", {"tv": 100_000.0, "search": 100_000.0})
    fitted.save(tmp_path / "saved")
    stored = json.loads((tmp_path / "saved" / "workflow.json").read_text())
    assert stored["steps"]["budget"]["scenarios"][-1]["name"] == "mine"
    loaded = mw.Workflow.load(tmp_path / "saved")
    assert loaded.step("budget").params == fitted.step("budget").params
    pd.testing.assert_frame_equal(loaded.step("budget").result.allocation,
                                  fitted.step("budget").result.allocation, rtol=1e-9)
    pd.testing.assert_frame_equal(loaded.scenarios.compare(), fitted.scenarios.compare(),
                                  rtol=1e-9)
    assert loaded.step_code("budget") == fitted.step_code("budget")


def test_background_optimization_cancel_keeps_previous_result(fitted, current_total):
    before = fitted.optimize_budget(current_total, PERIODS)
    params = fitted.step("budget").params
    job = fitted.optimize_budget_in_background(current_total * 1.5, 26, bounds="none")
    job.cancel()
    with pytest.raises(BudgetCancelled):
        job.wait(300)
    assert job.monitor.snapshot().phase == "cancelled"
    assert fitted.step("budget").params == params
    pd.testing.assert_frame_equal(fitted.step("budget").result.allocation, before)
    job = fitted.optimize_budget_in_background(current_total, 26, bounds="none")
    table = job.wait(300)
    assert table["optimized"].sum() == pytest.approx(current_total, rel=1e-6)
    assert job.monitor.snapshot().phase == "done"


def test_params_round_trip_through_json():
    params = BudgetParams(periods=8, total=1000.0, bounds={"tv": (1.0, 2.0)},
                          default_bound_pct=None, objective="var", risk_level=0.8,
                          scenarios=(Scenario("a", {"tv": 5.0}),
                                     Scenario("b", base="a", change_pct=-10.0)))
    again = BudgetParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert again == params
    assert isinstance(again.scenarios[1], Scenario) and again.bounds["tv"] == (1.0, 2.0)
    assert again.default_bound_pct is None
    assert BudgetParams.from_dict({"periods": 8}).default_bound_pct == 30.0


def test_geo_models_are_checked_per_channel_and_geo(geo):
    wf = mw.Workflow(geo)
    wf.map_data(date="date", target="sales", channels=["tv", "search", "social", "display"],
                controls=["promo"], geo="geo")
    BudgetStep(BudgetParams(total=800_000.0), wf.data_result).validate({"mmm": object()})
    step = BudgetStep(BudgetParams(total=800_000.0, bounds={"tv": {"mars": (0.0, 1.0)}}),
                      wf.data_result)
    with pytest.raises(mw.DataError, match="'mars' is not a geo") as info:
        step.validate({"mmm": object()})
    assert info.value.columns == ["tv"]
    national = mw.Workflow(geo.groupby("date", as_index=False).sum(numeric_only=True))
    national.map_data(date="date", target="sales", channels=["tv", "search"])
    step = BudgetStep(BudgetParams(total=1.0, bounds={"tv": {"north": (0.0, 1.0)}}),
                      national.data_result)
    with pytest.raises(mw.DataError, match="no geos"):
        step.validate({"mmm": object()})


def test_synergy_note_only_when_the_model_has_interactions(weekly):
    plain = mw.Workflow(weekly)
    plain.map_data(date="date", target="sales", channels=CHANNELS, controls=["promo"])
    plain.configure_model(l_max=4)
    assert synergy_note(plain) is None
    paired = mw.Workflow(weekly)
    paired.map_data(date="date", target="sales", channels=CHANNELS, controls=["promo"])
    paired.configure_model(l_max=4, interactions=[("tv", "search")])
    note = synergy_note(paired)
    assert "does not include the measured interaction of tv x search" in note
    assert "wf.interaction_effects()" in note


def test_workflows_saved_before_default_bounds_load_without_them(monkeypatch):
    from mmm_widgets.api import budget

    seen = []
    monkeypatch.setattr(budget, "run_budget", lambda workflow, params: seen.append(params))
    budget.rerun(None, {"periods": 13, "total": 1000.0})
    budget.rerun(None, BudgetParams(periods=13, total=1000.0).to_dict())
    assert [p.default_bound_pct for p in seen] == [None, 30.0]
