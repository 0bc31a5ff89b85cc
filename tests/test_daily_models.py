"""Daily data's model defaults: a level per day of the week and a carryover window of 28
days; each recovered from a table made for it, planned, saved, shown in the panel.

Day of the week: daily sales whose level moves with the day while TV is bought mostly for
the weekend and search on weekdays; without a level per day, TV takes the credit for the
weekend's sales. Carryover: TV in flights whose effect decays by 0.85 a day (0.32 a week);
a window of 8 days, the weekly default, cuts most of it off. Expected numbers are the
generator's own (its levels, its decay and its channels' effects over their spend), not
the kit's output.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import ModelError
from mmm_widgets.steps.model import DAILY_L_MAX, WEEKDAYS, default_params, weekday_columns

pytestmark = pytest.mark.fit

#: The generator's level of each day (pandas' day number) above Monday's.
LEVELS = {0: 0.0, 1: 300.0, 2: 500.0, 3: 700.0, 4: 2000.0, 5: 4000.0, 6: 3000.0}
TARGET, DATE = "Net Revenue (EUR)", "Day"


def _carried(spend: np.ndarray, alpha: float = 0.5, l_max: int = 8) -> np.ndarray:
    weights = alpha ** np.arange(l_max)
    return np.convolve(spend, weights / weights.sum())[:len(spend)]


def _saturated(x: np.ndarray, lam: float = 2.0) -> np.ndarray:
    return (1 - np.exp(-lam * x)) / (1 + np.exp(-lam * x))


def daily_table(seed: int = 0, days: int = 546) -> tuple[pd.DataFrame, dict[str, float]]:
    """A daily table (dates written ``31.01.2024``) and each channel's true ROAS over the
    table's dates (its effect landing on them over its spend)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-02", periods=days, freq="D")
    day = dates.day_of_week.to_numpy()
    tv = np.where(day >= 4, rng.gamma(4, 500, days), rng.gamma(2, 100, days))
    search = np.where(day < 5, rng.gamma(4, 300, days), rng.gamma(2, 50, days))
    effects = {}
    for name, spend, size in (("TV spend", tv, 6000.0), ("Search spend", search, 4000.0)):
        carried = _carried(spend)
        effects[name] = size * _saturated(carried / carried.max())
    sales = (20000 + np.array([LEVELS[d] for d in day]) + sum(effects.values())
             + rng.normal(0, 400, days))
    frame = pd.DataFrame({DATE: dates.strftime("%d.%m.%Y"), TARGET: sales.round(2),
                          "TV spend": tv.round(2), "Search spend": search.round(2)})
    spends = {"TV spend": tv, "Search spend": search}
    return frame, {name: effects[name].sum() / spends[name].sum() for name in effects}


def _mapped(frame: pd.DataFrame) -> mw.Workflow:
    wf = mw.Workflow()
    wf.set_frame(frame)
    wf.map_data(date=DATE, target=TARGET, channels=["TV spend", "Search spend"])
    return wf


@pytest.fixture(scope="module")
def fitted() -> tuple[mw.Workflow, mw.Workflow, dict[str, float]]:
    frame, truth = daily_table()
    with_days = _mapped(frame)
    with_days.configure_model()  # daily data: the days' levels by default
    with_days.fit("map")
    without = _mapped(frame)
    without.configure_model(weekday_effects=False)
    without.fit("map")
    return with_days, without, truth


def test_daily_data_get_a_level_per_day_by_default(fitted):
    with_days, without, _ = fitted
    assert with_days.step("model").params.weekday_effects
    assert "day-of-week effects" in with_days.step("model").describe()
    assert list(with_days.mmm.control_columns) == list(WEEKDAYS)
    assert not without.mmm.control_columns


def test_each_day_s_level_is_recovered(fitted):
    with_days, _, _ = fitted
    mmm = with_days.mmm
    contribution = (mmm.idata["posterior"]["control_contribution"].isel(chain=0, draw=0)
                    * float(mmm.data.get_target_scale()))
    day = pd.DatetimeIndex(contribution["date"].values).day_of_week
    for column, number in WEEKDAYS.items():
        own = contribution.sel(control=column).values
        # the generator's level on its day (noise sd 400 over 78 of each day), 0 elsewhere
        assert own[day == number].mean() == pytest.approx(LEVELS[number], abs=200)
        np.testing.assert_allclose(own[day != number], 0.0, atol=1e-9)


def test_without_them_tv_takes_the_credit_for_the_weekend(fitted):
    with_days, without, truth = fitted
    right, wrong = with_days.channel_summary(), without.channel_summary()
    for channel, roas in truth.items():
        assert right.loc[channel, "roas_window"] == pytest.approx(roas, rel=0.1)
    assert wrong.loc["TV spend", "roas_window"] > 1.3 * truth["TV spend"]


def test_the_plan_sets_each_future_date_s_day(fitted):
    with_days, _, _ = fitted
    plan = with_days.plan_budget(periods=10)
    future = plan.future_controls
    day = pd.to_datetime(future[DATE]).dt.day_of_week
    assert len(future) >= 10
    for column, number in WEEKDAYS.items():
        np.testing.assert_array_equal(future[column].to_numpy(),
                                      (day == number).astype(float).to_numpy())
    assert "The day-of-week effects follow the plan's dates." in plan.notes


def test_a_saved_workflow_keeps_them_and_an_older_save_loads_without(fitted, tmp_path):
    with_days, without, _ = fitted
    loaded = mw.Workflow.load(with_days.save(tmp_path / "with"))
    assert loaded.step("model").params.weekday_effects
    assert loaded.step_code("model") == with_days.step_code("model")
    # a save from before the setting existed has no such field: the model without
    folder = without.save(tmp_path / "older")
    state = json.loads((folder / "workflow.json").read_text())
    del state["steps"]["model"]["weekday_effects"]
    (folder / "workflow.json").write_text(json.dumps(state))
    older = mw.Workflow.load(folder)
    assert older.step("model").params.weekday_effects is False
    pd.testing.assert_frame_equal(older.channel_summary(), without.channel_summary())


def test_weekly_data_refuse_them(weekly):
    wf = mw.Workflow(weekly)
    wf.map_data(**wf.suggest_mapping())
    wf.configure_model()
    assert not wf.step("model").params.weekday_effects
    with pytest.raises(ModelError, match="Day-of-week effects need daily data; these dates "
                                         "are weekly"):
        wf.configure_model(weekday_effects=True)
    assert not wf.step("model").params.weekday_effects  # the model before is kept


def test_a_day_s_name_the_table_has_gets_an_underscore():
    frame, _ = daily_table(days=120)
    frame["Saturday"] = (pd.to_datetime(frame[DATE], format="%d.%m.%Y").dt.day_of_week
                         == 5).astype(int)  # the table's own flag, mapped as a control
    wf = mw.Workflow()
    wf.set_frame(frame)
    wf.map_data(date=DATE, target=TARGET, channels=["TV spend", "Search spend"],
                controls=["Saturday"])
    columns = weekday_columns(wf.data_result, default_params(wf.data_result))
    assert columns["Saturday_"] == 5 and "Saturday" not in columns
    assert list(columns.values()) == list(WEEKDAYS.values())


def test_the_model_panel_offers_them_for_daily_data_only(fitted, weekly):
    from mmm_widgets.views.model import ModelView

    frame, _ = daily_table(days=120)
    daily = _mapped(frame)
    view = ModelView(daily)
    assert view.weekdays.value is True
    assert view.l_max.value == default_params(daily.data_result).l_max
    assert any(view.weekdays in box.children for box in view.children[1].children)
    view.weekdays.value = False
    built = view.apply()
    assert daily.step("model").params.weekday_effects is False
    assert not built.control_columns

    wf = mw.Workflow(weekly)
    wf.map_data(**wf.suggest_mapping())
    weekly_view = ModelView(wf)
    assert weekly_view.weekdays.value is False
    assert weekly_view.l_max.value == 8
    assert not any(weekly_view.weekdays in box.children
                   for box in weekly_view.children[1].children)


def test_every_name_their_cells_bind_is_reserved(fitted):
    from mmm_widgets.steps.source import is_safe_name
    from tests.test_reserved_names import _bound_names

    with_days, _, _ = fitted
    with_days.plan_budget(periods=10)
    bound = set()
    for chunk in with_days.chunks():
        bound |= _bound_names(chunk.cell())
    assert "weekdays" in bound
    missing = sorted(name for name in bound - {with_days.source.name} if is_safe_name(name))
    assert not missing, f"add to RESERVED_NAMES: {missing}"


def flighted_table(seed: int = 0, days: int = 546) -> tuple[pd.DataFrame, dict[str, float]]:
    """Daily sales with TV in flights (three weeks on, three off) whose effect decays by
    0.85 a day over 80 days, search carried over a few days, and a level per day of the
    week; with each channel's true ROAS over the table's dates."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-02", periods=days, freq="D")
    tv = np.where((np.arange(days) // 21) % 2 == 0, rng.gamma(4, 500, days), 0.0)
    search = rng.gamma(4, 300, days)
    effects = {}
    for name, spend, alpha, l_max, size in (("tv", tv, 0.85, 80, 8000.0),
                                             ("search", search, 0.3, 8, 3000.0)):
        carried = _carried(spend, alpha, l_max)
        effects[name] = size * _saturated(carried / carried.max(), lam=1.5)
    sales = (20000 + np.array([LEVELS[d] for d in dates.day_of_week]) + sum(effects.values())
             + rng.normal(0, 400, days))
    frame = pd.DataFrame({"date": dates, "sales": sales, "tv": tv, "search": search})
    return frame, {"tv": effects["tv"].sum() / tv.sum(),
                   "search": effects["search"].sum() / search.sum()}


@pytest.fixture(scope="module")
def carried_over() -> tuple[mw.Workflow, mw.Workflow, dict[str, float]]:
    frame, truth = flighted_table()
    fitted = {}
    for l_max in (None, 8):  # the default window, and the weekly one
        wf = mw.Workflow(frame)
        wf.map_data(date="date", target="sales", channels=["tv", "search"])
        wf.configure_model(l_max=l_max)
        wf.fit("map")
        fitted[l_max] = wf
    return fitted[None], fitted[8], truth


def test_daily_data_carry_over_28_days_by_default(carried_over):
    default, _, _ = carried_over
    assert default.step("model").params.l_max == DAILY_L_MAX == 28
    assert default.mmm.adstock.l_max == 28


def test_the_default_window_recovers_a_long_carryover_that_8_days_cut_off(carried_over):
    default, cut, truth = carried_over
    alpha = default.mmm.idata["posterior"]["adstock_alpha"].isel(chain=0, draw=0)
    assert float(alpha.sel(channel="tv")) == pytest.approx(0.85, abs=0.05)
    right, short = default.channel_summary(), cut.channel_summary()
    for channel, roas in truth.items():
        assert right.loc[channel, "roas_window"] == pytest.approx(roas, rel=0.1)
    # the 8 days' window holds 73 % of TV's carryover: its ROAS falls well short
    assert short.loc["tv", "roas_window"] < 0.85 * truth["tv"]


@pytest.mark.parametrize(("days", "expected"), [(546, 28), (40, 19), (20, 9)])
def test_a_short_daily_table_gets_a_window_it_can_fit(days, expected):
    frame, _ = daily_table(days=days)
    wf = _mapped(frame)
    assert default_params(wf.data_result).l_max == expected


def test_the_future_controls_given_back_keep_each_date_s_day(fitted):
    with_days, _, _ = fitted
    future = with_days.plan_budget(periods=10).future_controls
    edited = future.assign(Saturday=0.5)  # a day's indicator edited: the dates decide
    plan = with_days.plan_budget(periods=10, controls=edited)
    day = pd.to_datetime(plan.future_controls[DATE]).dt.day_of_week
    np.testing.assert_array_equal(plan.future_controls["Saturday"].to_numpy(),
                                  (day == 5).astype(float).to_numpy())
