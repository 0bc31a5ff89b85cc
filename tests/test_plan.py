"""Dated plan (#19): total and bounds, calendar and pattern, carry-in and carry-over,
forecast, a geo model, a renamed date column, and the exported cell replayed fresh.

Expected numbers come from the data and from pymc-marketing's posterior predictive on a
future ``X`` built here (not from the plan's own optimizer).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.budget import BudgetParams, BudgetStep
from mmm_widgets.steps.plan import (
    ALLOCATION_COLUMNS,
    EFFECT_COLUMNS,
    FORECAST_COLUMNS,
    PlanParams,
    PlanStep,
)
from mmm_widgets.steps.source import is_safe_name
from tests.conftest import run_fresh
from tests.test_reserved_names import _bound_names

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]
GEO_CHANNELS = ["tv", "search", "social", "display"]
PERIODS = 13
WEEK = pd.Timedelta(weeks=1)
# Slack of pymc-marketing's optimizer on its constraints, relative to the total.
SLACK = 1e-6


@pytest.fixture(scope="module")
def fitted() -> mw.Workflow:
    """The bundled national fit: 2 chains x 100 draws, so intervals have width."""
    return mw.datasets.load_fitted()


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> mw.Workflow:
    """A MAP fit of the weekly table whose date column is called ``week_start``."""
    df = mw.datasets.load("weekly_sales").rename(columns={"date": "week_start"})
    # From a file, so the exported script reads the same table in a fresh process.
    path = tmp_path_factory.mktemp("renamed") / "weekly_renamed.csv"
    df.to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(date="week_start", target="sales", channels=CHANNELS,
                controls=["promo", "price_index"])
    wf.configure_model(l_max=4)
    wf.fit("map")
    return wf


@pytest.fixture(scope="module")
def geo(tmp_path_factory) -> mw.Workflow:
    """A small MAP fit of the geo table."""
    path = tmp_path_factory.mktemp("geo") / "geo_plan.csv"
    mw.datasets.load("geo_sales").to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(**wf.suggest_mapping())
    wf.configure_model(l_max=4)
    wf.fit("map")
    return wf


def _current(frame: pd.DataFrame, date: str, channels: list[str],
             geo: str | None = None) -> pd.Series:
    """Spend over the window at the average of the last 13 periods (per geo with one)."""
    recent = frame[frame[date].isin(np.sort(frame[date].unique())[-13:])]
    if geo is None:
        return recent.groupby(date)[channels].sum().mean() * PERIODS
    rate = recent.groupby(geo)[channels].mean() * PERIODS
    return rate.stack().swaplevel().rename_axis(["channel", geo]).sort_index()


def _posterior_predictive(wf: mw.Workflow, spend: pd.DataFrame, var_names: list[str]):
    """pymc-marketing's posterior predictive on future dates with ``spend`` (date x
    channel), controls at their mean over the data, the real past spend before them."""
    mmm = wf.mmm
    X = pd.DataFrame({mmm.date_column: spend.index})
    for channel in mmm.channel_columns:
        X[channel] = spend[channel].to_numpy()
    for control in mmm.control_columns or []:
        X[control] = float(mmm.X[control].mean())
    predicted = mmm.sample_posterior_predictive(
        X, extend_idata=False, combined=False, include_last_observations=True,
        var_names=var_names, progressbar=False, random_seed=1)
    scale = float(mmm.get_scales_as_xarray()["target_scale"])
    return {name: (predicted[name] * scale).stack(sample=("chain", "draw"))
            for name in var_names}


def _future_spend(wf: mw.Workflow, plan, date: str = "date") -> pd.DataFrame:
    """The plan's calendar on every date from the one after the data to the end of the
    adstock's reach after the window (0 where it does not spend)."""
    last = pd.Timestamp(wf.data[date].max())
    end = plan.window[-1] + wf.mmm.adstock.l_max * WEEK
    dates = pd.date_range(last + WEEK, end, freq="7D")
    spend = plan.calendar.pivot(index="period", columns="channel", values="spend")
    return spend.reindex(dates).fillna(0.0)[CHANNELS]


def test_plan_spends_its_total_within_every_bound(fitted):
    current = _current(fitted.data, "date", CHANNELS)
    total = 1.1 * float(current.sum())
    tv = (0.5 * current["tv"], 0.9 * current["tv"])
    plan = fitted.plan_budget(total, bounds={"tv": tv}, pattern="front")
    allocation = plan.allocation
    assert list(allocation.columns) == list(ALLOCATION_COLUMNS)
    assert list(allocation.index) == CHANNELS
    assert allocation["current"].to_dict() == pytest.approx(current.to_dict(), rel=1e-9)
    assert allocation["optimized"].sum() == pytest.approx(total, rel=SLACK)
    slack = SLACK * total
    assert tv[0] - slack <= allocation.at["tv", "optimized"] <= tv[1] + slack
    for channel in CHANNELS[1:]:
        low, high = 0.7 * current[channel], 1.3 * current[channel]
        assert low - slack <= allocation.at[channel, "optimized"] <= high + slack, channel
    assert (allocation["contribution_hdi_low"] <= allocation["contribution"]).all()
    assert (allocation["contribution"] <= allocation["contribution_hdi_high"]).all()
    assert plan.total == pytest.approx(total, rel=SLACK)


def test_calendar_sums_to_the_allocation_and_follows_the_pattern(fitted, tmp_path):
    last = pd.Timestamp(fitted.data["date"].max())
    start = last + 3 * WEEK
    weights = [3.0, 3.0, 2.0, 2.0] + [1.0] * 9
    plan = fitted.plan_budget(300_000, start=start.date().isoformat(), pattern=weights)
    window = pd.date_range(start, periods=PERIODS, freq="7D")
    assert list(plan.window) == list(window)
    calendar = plan.calendar
    assert list(calendar.columns) == ["period", "channel", "spend"]
    assert sorted(set(calendar["period"])) == list(window)
    sums = calendar.groupby("channel")["spend"].sum()
    assert sums.to_dict() == pytest.approx(plan.allocation["optimized"].to_dict(), rel=1e-9)
    share = np.array(weights) / sum(weights)
    for channel, rows in calendar.groupby("channel"):
        spend = rows.sort_values("period")["spend"].to_numpy()
        np.testing.assert_allclose(spend / spend.sum(), share, rtol=1e-9, err_msg=channel)
    assert any("2 period(s) between the data and the window" in n for n in plan.notes)
    # Front-loaded: falling linearly, the first period 13 times the last.
    front = fitted.plan_budget(300_000, pattern="front")
    assert front.window[0] == last + WEEK
    for channel, rows in front.calendar.groupby("channel"):
        spend = rows.sort_values("period")["spend"].to_numpy()
        assert np.all(np.diff(spend) < 0), channel
        np.testing.assert_allclose(np.diff(spend), np.diff(spend)[0], rtol=1e-9)
        assert spend[0] == pytest.approx(PERIODS * spend[-1], rel=1e-9)
    # The export's file: tidy, one row per period and channel.
    written = pd.read_csv(front.to_csv(tmp_path / "calendar.csv"), parse_dates=["period"])
    pd.testing.assert_frame_equal(written, front.calendar, check_dtype=False)


def test_carry_in_plan_and_carry_over_add_up_to_pymc_marketings_total(fitted):
    last = pd.Timestamp(fitted.data["date"].max())
    # One period between the data and the window: past spend's carry-in crosses it.
    plan = fitted.plan_budget(300_000, start=(last + 2 * WEEK).date().isoformat(),
                              pattern="front")
    spend = _future_spend(fitted, plan)
    after = spend.index[spend.index >= plan.window[0]]
    with_plan = _posterior_predictive(fitted, spend, ["channel_contribution"])
    without = _posterior_predictive(fitted, spend * 0.0, ["channel_contribution"])
    total = with_plan["channel_contribution"].sel(date=after).sum("date")
    carry_in = without["channel_contribution"].sel(date=after).sum("date")
    total = total.transpose("channel", "sample").to_numpy()
    carry_in = carry_in.transpose("channel", "sample").to_numpy()
    draws = plan.draws
    parts = (draws["carry_in"] + draws["in_window"] + draws["carry_over"])
    np.testing.assert_allclose(parts.transpose("channel", "sample").to_numpy(), total,
                               rtol=1e-6)
    np.testing.assert_allclose(draws["total"].transpose("channel", "sample").to_numpy(),
                               total, rtol=1e-6)
    np.testing.assert_allclose(draws["carry_in"].transpose("channel", "sample").to_numpy(),
                               carry_in, rtol=1e-6, atol=1e-6)
    # Shown apart, all channels together: the means of the per-draw sums.
    everything = "all channels"
    assert plan.carry_in.at[everything, "contribution"] == pytest.approx(
        carry_in.sum(axis=0).mean(), rel=1e-6)
    assert plan.carry_in.at[everything, "contribution"] > 0
    assert plan.carry_over.at[everything, "contribution"] > 0
    for frame in (plan.carry_in, plan.in_window, plan.carry_over):
        assert list(frame.columns) == list(EFFECT_COLUMNS)
        assert list(frame.index) == [*CHANNELS, everything]
        assert (frame["contribution_hdi_low"] <= frame["contribution"] + 1e-9).all()
    # The allocation's contribution is what the plan adds: total minus carry-in.
    added = pd.Series((total - carry_in).mean(axis=1), index=CHANNELS)
    assert plan.allocation["contribution"].to_dict() == pytest.approx(added.to_dict(),
                                                                      rel=1e-6)


def test_forecast_band_holds_its_mean_and_adds_up(fitted):
    plan = fitted.plan_budget(300_000)
    forecast = plan.forecast
    assert list(forecast.columns) == list(FORECAST_COLUMNS)
    assert forecast.index.name == "period"
    assert list(forecast.index) == list(plan.window)
    assert (forecast["predicted_hdi_low"] < forecast["predicted"]).all()
    assert (forecast["predicted"] < forecast["predicted_hdi_high"]).all()
    np.testing.assert_allclose(forecast["baseline"] + forecast["media"],
                               forecast["predicted"], rtol=1e-9)
    # Independently: the model's mean outcome on the same future X.
    spend = _future_spend(fitted, plan)
    draws = _posterior_predictive(fitted, spend, ["mu", "channel_contribution"])
    mu = draws["mu"].sel(date=plan.window)
    media = draws["channel_contribution"].sel(date=plan.window).sum("channel")
    np.testing.assert_allclose(forecast["predicted"], mu.mean("sample"), rtol=1e-6)
    np.testing.assert_allclose(forecast["media"], media.mean("sample"), rtol=1e-6)
    assert any("mean over the data" in note for note in plan.notes)


def test_a_start_inside_the_data_or_a_bad_pattern_is_a_data_error(fitted):
    last = pd.Timestamp(fitted.data["date"].max())
    for start in (last - 4 * WEEK, last):
        with pytest.raises(DataError, match="start"):
            fitted.plan_budget(300_000, start=start)
    with pytest.raises(DataError, match="weights"):
        fitted.plan_budget(300_000, pattern=[1.0, 2.0])
    with pytest.raises(DataError, match="pattern"):
        fitted.plan_budget(300_000, pattern="back")
    with pytest.raises(DataError, match="target"):
        fitted.plan_budget(target={"roas": 2.0})
    with pytest.raises(DataError, match="'tvv' is held across geos but is not a channel"):
        fitted.plan_budget(held_split=["tvv"])


def test_params_round_trip_and_every_name_the_cell_binds_is_reserved(fitted, geo):
    params = PlanParams(total=1e5, start="2025-02-03", bounds={"tv": {"north": (1, 2)}},
                        pattern="custom", weights=tuple(range(1, 14)))
    assert PlanParams.from_dict(params.to_dict()) == params
    bound: set[str] = set()
    for wf, bounds in ((fitted, {"tv": (1.0, 2.0)}),
                       (geo, {"tv": (1.0, 2.0), "search": {"north": (1.0, 2.0)}})):
        for target in ({}, {"outcome": 1e5}, {"min_roas": 2.0}):
            step = PlanStep(PlanParams(total=1e5, bounds=bounds, target=target),
                            wf.data_result)
            bound |= _bound_names(step.code().cell())
    missing = sorted(name for name in bound if is_safe_name(name))
    assert not missing, f"add to RESERVED_NAMES: {missing}"
    # Nothing the budget cell binds is rebound: its scenarios and what-ifs still read them.
    for wf in (fitted, geo):
        budget = BudgetStep(BudgetParams(total=1e5), wf.data_result).code().cell()
        assert not bound & (_bound_names(budget) - {"az", "np", "pd", "xr", "utility",
                                                     "MinimizeException"})


def test_plan_on_a_renamed_date_column_replays_in_a_fresh_process(renamed, tmp_path):
    wf = renamed
    last = pd.Timestamp(wf.data["week_start"].max())
    current = _current(wf.data, "week_start", CHANNELS)
    plan = wf.plan_budget(float(current.sum()), start=(last + 2 * WEEK).date().isoformat(),
                          pattern="front", bounds={"search": (0.0, 0.5 * current["search"])})
    assert plan.window[0] == last + 2 * WEEK
    assert plan.allocation["optimized"].sum() == pytest.approx(current.sum(), rel=SLACK)
    assert plan.allocation.at["search", "optimized"] <= 0.5 * current["search"] * (1 + SLACK)
    assert list(plan.calendar.columns) == ["period", "channel", "spend"]
    np.testing.assert_allclose(plan.forecast["baseline"] + plan.forecast["media"],
                               plan.forecast["predicted"], rtol=1e-9)
    result = wf.step("plan").result
    assert result is plan
    plan.allocation.to_pickle(tmp_path / "allocation.pkl")
    plan.calendar.to_pickle(tmp_path / "calendar.pkl")
    plan.forecast.to_pickle(tmp_path / "forecast.pkl")
    plan.carry_in.to_pickle(tmp_path / "carry_in.pkl")
    plan.carry_over.to_pickle(tmp_path / "carry_over.pkl")
    script = wf.to_script()
    assert "mmm_widgets" not in script
    run_fresh(script + (
        "\nimport sys\n"
        "assert not any(name.startswith('mmm_widgets') for name in sys.modules)\n"
        "pd.testing.assert_frame_equal(plan_allocation, pd.read_pickle('allocation.pkl'), "
        "rtol=1e-6)\n"
        "pd.testing.assert_frame_equal(plan_calendar, pd.read_pickle('calendar.pkl'), "
        "rtol=1e-6)\n"
        "pd.testing.assert_frame_equal(plan_forecast, pd.read_pickle('forecast.pkl'), "
        "rtol=1e-6)\n"
        "pd.testing.assert_frame_equal(plan_carry_in, pd.read_pickle('carry_in.pkl'), "
        "rtol=1e-6)\n"
        "pd.testing.assert_frame_equal(plan_carry_over, pd.read_pickle('carry_over.pkl'), "
        "rtol=1e-6)\n"), tmp_path)


def test_a_saved_plan_comes_back_on_load(renamed, tmp_path):
    wf = renamed
    plan = wf.plan_budget(200_000, pattern=[2.0] * 6 + [1.0] * 7, bounds="none")
    wf.save(tmp_path / "saved")
    loaded = mw.Workflow.load(tmp_path / "saved")
    assert loaded.status("plan") == "done"
    again = loaded.step("plan").result
    assert loaded.step("plan").params == wf.step("plan").params
    pd.testing.assert_frame_equal(again.allocation, plan.allocation, rtol=1e-6)
    pd.testing.assert_frame_equal(again.calendar, plan.calendar, rtol=1e-6)


def test_geo_plan_spends_its_total_within_every_cell_bound_and_replays(geo, tmp_path):
    wf = geo
    current = _current(wf.data, "date", GEO_CHANNELS, "geo")
    total = float(current.sum())
    search = (0.5 * current["search"].sum(), 0.8 * current["search"].sum())
    tv_north = (0.0, 0.5 * current["tv", "north"])
    plan = wf.plan_budget(total, bounds={"search": search, ("tv", "north"): tv_north},
                          pattern="front")
    allocation = plan.allocation
    assert list(allocation.columns) == list(ALLOCATION_COLUMNS)
    assert allocation.index.names == ["channel", "geo"]
    assert allocation["current"].to_dict() == pytest.approx(current.to_dict(), rel=1e-9)
    assert allocation["optimized"].sum() == pytest.approx(total, rel=SLACK)
    slack = SLACK * total
    share = current["search"] / current["search"].sum()
    for (channel, area), spend in allocation["optimized"].items():
        if channel == "search":
            low, high = search[0] * share[area], search[1] * share[area]
        elif (channel, area) == ("tv", "north"):
            low, high = tv_north
        else:
            low, high = 0.7 * current[channel, area], 1.3 * current[channel, area]
        assert low - slack <= spend <= high + slack, (channel, area)
    calendar = plan.calendar
    assert list(calendar.columns) == ["period", "channel", "geo", "spend"]
    sums = calendar.groupby(["channel", "geo"])["spend"].sum()
    assert sums.to_dict() == pytest.approx(allocation["optimized"].to_dict(), rel=1e-9,
                                           abs=1e-9)
    forecast = plan.forecast
    assert list(forecast.index) == list(plan.window)
    np.testing.assert_allclose(forecast["baseline"] + forecast["media"],
                               forecast["predicted"], rtol=1e-9)
    assert plan.carry_in.index[-1] == ("all channels", "all geos")
    allocation.to_pickle(tmp_path / "allocation.pkl")
    calendar.to_pickle(tmp_path / "calendar.pkl")
    forecast.to_pickle(tmp_path / "forecast.pkl")
    script = wf.to_script()
    assert "mmm_widgets" not in script
    run_fresh(script + (
        "\nimport sys\n"
        "assert not any(name.startswith('mmm_widgets') for name in sys.modules)\n"
        "pd.testing.assert_frame_equal(plan_allocation, pd.read_pickle('allocation.pkl'), "
        "rtol=1e-6)\n"
        "pd.testing.assert_frame_equal(plan_calendar, pd.read_pickle('calendar.pkl'), "
        "rtol=1e-6)\n"
        "pd.testing.assert_frame_equal(plan_forecast, pd.read_pickle('forecast.pkl'), "
        "rtol=1e-6)\n"), tmp_path)


def test_targets_size_the_plan_and_say_when_they_are_out_of_reach(fitted):
    last = pd.Timestamp(fitted.data["date"].max())
    base = 200_000.0
    plan = fitted.plan_budget(base, bounds="none")
    # Independently: what that plan adds, from pymc-marketing's posterior predictive.
    spend = _future_spend(fitted, plan)
    after = spend.index[spend.index >= last + WEEK]
    with_plan = _posterior_predictive(fitted, spend, ["channel_contribution"])
    without = _posterior_predictive(fitted, spend * 0.0, ["channel_contribution"])
    adds = float((with_plan["channel_contribution"] - without["channel_contribution"])
                 .sel(date=after).sum(["date", "channel"]).mean())
    # The search stops within 0.01 % of the budget.
    by_outcome = fitted.plan_budget(target={"outcome": adds}, bounds="none")
    assert by_outcome.total == pytest.approx(base, rel=2e-4)
    assert by_outcome.target_met
    assert by_outcome.allocation["contribution"].sum() >= adds * (1 - 1e-9)
    by_roas = fitted.plan_budget(target={"min_roas": adds / base}, bounds="none")
    assert by_roas.total == pytest.approx(base, rel=2e-4)
    assert by_roas.allocation["contribution"].sum() / by_roas.total >= adds / base * (1 - 1e-9)
    # The marginal ROAS at the plan's budget is the target: 1 % more adds 1 % x r.
    marginal = fitted.plan_budget(target={"marginal_roas": 1.5}, bounds="none")
    assert marginal.target_met and marginal.target_value == pytest.approx(1.5, rel=1e-3)
    total = marginal.total
    more = fitted.plan_budget(1.01 * total, bounds="none")
    again = fitted.plan_budget(total, bounds="none")
    gain = more.allocation["contribution"].sum() - again.allocation["contribution"].sum()
    assert gain / (0.01 * total) == pytest.approx(1.5, rel=1e-2)
    # Out of reach: the best plan, with a note saying by how much it falls short.
    far = fitted.plan_budget(400_000, target={"outcome": 100 * adds}, bounds="none")
    assert far.target_met is False
    assert far.total == pytest.approx(400_000, rel=SLACK)
    best = far.allocation["contribution"].sum()
    assert far.target_value == pytest.approx(best, rel=1e-9)
    assert "out of reach" in far.notes[0]
    assert f"{100 * adds - far.target_value:,.0f}" in far.notes[0]
