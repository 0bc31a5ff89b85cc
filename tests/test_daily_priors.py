"""Daily data's carryover priors: pymc-marketing's per-period defaults restated per day.

The restated priors are checked against draws of the weekly prior carried to days by hand
(``w ** (1/7)``), the model the kit builds against the priors it should hold, and a fit
against a daily table's known truth: a channel whose effect decays by 0.877 a day (0.4 a
week), which the weekly prior pulls to no carryover and almost no credit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mmm_widgets as mw
from mmm_widgets.persist import LoadError
from mmm_widgets.steps import components
from mmm_widgets.steps.daily_priors import beta_of_power, per_day
from mmm_widgets.views.model import ModelView

WEEKLY_ALPHA = {"dist": "Beta", "kwargs": {"alpha": 1, "beta": 3}}
#: The generator's channels: (weekly decay, effect size, spend pattern).
CHANNELS = {"tv": (0.6, 6000.0, "flighted"), "social": (0.4, 3000.0, "steady"),
            "search": (0.1, 4000.0, "steady")}


def _carried(spend: np.ndarray, alpha: float, l_max: int = 28) -> np.ndarray:
    weights = alpha ** np.arange(l_max)
    return np.convolve(spend, weights / weights.sum())[:len(spend)]


def daily_table(seed: int = 4, days: int = 365) -> tuple[pd.DataFrame, dict[str, tuple]]:
    """Daily sales from three channels whose effects decay by their weekly decay to the
    power of 1/7 a day; with each channel's true ROAS over the table and daily decay."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-02", periods=days, freq="D")
    sales = (20000 + 3000 * np.sin(2 * np.pi * np.arange(days) / 365.25)
             + rng.normal(0, 1500, days))
    columns, truth = {}, {}
    for name, (weekly, size, pattern) in CHANNELS.items():
        daily = weekly ** (1 / 7)
        spend = (np.where((np.arange(days) // 14) % 2 == 0, rng.gamma(4, 500, days), 0.0)
                 if pattern == "flighted" else rng.gamma(3, 300, days))
        carried = _carried(spend, daily)
        scaled = carried / carried.max()
        effect = size * (1 - np.exp(-2 * scaled)) / (1 + np.exp(-2 * scaled))
        sales = sales + effect
        columns[name] = spend
        truth[name] = (effect.sum() / spend.sum(), daily)
    return pd.DataFrame({"date": dates, "sales": sales, **columns}), truth


def _mapped(frame: pd.DataFrame) -> mw.Workflow:
    wf = mw.Workflow(frame)
    wf.map_data(date="date", target="sales", channels=list(CHANNELS))
    return wf


def _prior(mmm, parameter: str) -> dict:
    """The carryover prior of a built model, without its dims."""
    data = mmm.adstock.function_priors[parameter].to_dict()
    return {"dist": data["dist"], "kwargs": data["kwargs"]}


def _weekly_frame() -> pd.DataFrame:
    frame, _ = daily_table(days=371)
    weeks = frame.set_index("date").resample("W-MON", label="left", closed="left").sum()
    return weeks.reset_index()


def test_the_daily_beta_has_the_mean_and_variance_of_the_weekly_decay_to_the_seventh_root():
    draws = stats.beta(1, 3).rvs(400_000, random_state=7) ** (1 / 7)
    a, b = beta_of_power(1, 3, 1 / 7)
    assert (a, b) == (9.0, 2.5)
    fitted = stats.beta(a, b)
    assert fitted.mean() == pytest.approx(draws.mean(), abs=0.003)
    assert fitted.std() == pytest.approx(draws.std(), abs=0.003)
    # and its quantiles, which moments alone need not give
    quantiles = [0.05, 0.25, 0.5, 0.75, 0.95]
    np.testing.assert_allclose(fitted.ppf(quantiles), np.quantile(draws, quantiles),
                               atol=0.02)


def test_delayed_carryover_restates_its_decay_over_squared_lags_and_its_peak_in_days():
    defaults = components.default_priors("delayed", "logistic")
    restated = per_day("delayed", defaults)
    # weight of lag l is alpha ** (l - theta) ** 2: a lag of one week is 7 days, so 49
    draws = stats.beta(1, 3).rvs(400_000, random_state=3) ** (1 / 49)
    alpha = restated["adstock_alpha"]["kwargs"]
    assert stats.beta(alpha["alpha"], alpha["beta"]).mean() == pytest.approx(draws.mean(),
                                                                               abs=0.002)
    assert defaults["adstock_theta"] == {"dist": "HalfNormal", "kwargs": {"sigma": 1}}
    assert restated["adstock_theta"] == {"dist": "HalfNormal", "kwargs": {"sigma": 7}}


def test_carryovers_without_a_parameter_in_periods_keep_pymc_marketings_priors():
    for adstock in ("weibull_cdf", "binomial", "no_adstock"):
        assert per_day(adstock, components.default_priors(adstock, "logistic")) == {}
    # a default of another form than pymc-marketing's is not guessed at
    assert per_day("geometric", {"adstock_alpha": {"dist": "Uniform",
                                                   "kwargs": {"lower": 0, "upper": 1}}}) == {}


def test_the_model_built_on_daily_rows_holds_the_priors_per_day_and_weekly_rows_do_not():
    daily_frame, _ = daily_table(days=120)
    daily = _mapped(daily_frame)
    mmm = daily.configure_model()
    assert _prior(mmm, "alpha") == {
        "dist": "Beta", "kwargs": {"alpha": 9.0, "beta": 2.5}}
    assert "(its priors per day)" in daily.step("model").describe()
    delayed = daily.configure_model(adstock="delayed")
    assert _prior(delayed, "theta")["kwargs"] == {"sigma": 7}

    weekly = _mapped(_weekly_frame())
    assert weekly.data_result.frequency == "weekly"
    mmm = weekly.configure_model()
    assert _prior(mmm, "alpha") == WEEKLY_ALPHA
    assert "per day" not in weekly.step("model").describe()


def test_a_prior_the_user_sets_is_used_as_set():
    frame, _ = daily_table(days=120)
    wf = _mapped(frame)
    mmm = wf.configure_model(priors={"adstock_alpha": WEEKLY_ALPHA})
    assert _prior(mmm, "alpha") == WEEKLY_ALPHA
    assert wf.step("model").restated_priors() == {}


def test_the_panel_shows_the_daily_default_and_passes_an_edit_on():
    frame, _ = daily_table(days=120)
    wf = _mapped(frame)
    view = ModelView(wf)
    field = view.prior_inputs["adstock_alpha"]
    assert field.value == components.prior_text({"dist": "Beta",
                                                 "kwargs": {"alpha": 9.0, "beta": 2.5}})
    assert view.priors() == {}  # the default, unchanged: not a setting of the user's
    said = view.prior_box.children[list(view.prior_inputs).index("adstock_alpha")].children[1]
    assert ("pymc-marketing&#x27;s Beta(alpha=1, beta=3) per week restated per day"
            in said.value)
    assert _prior(view.apply(), "alpha")["kwargs"] == {"alpha": 9.0, "beta": 2.5}
    field.value = components.prior_text(WEEKLY_ALPHA)
    mmm = view.apply()
    assert wf.step("model").params.priors["adstock_alpha"] == WEEKLY_ALPHA
    assert _prior(mmm, "alpha") == WEEKLY_ALPHA


@pytest.fixture(scope="module")
def fits() -> tuple[mw.Workflow, mw.Workflow, dict[str, tuple]]:
    frame, truth = daily_table()
    per_days = _mapped(frame)
    per_days.configure_model()
    per_days.fit("map")
    per_weeks = _mapped(frame)
    per_weeks.configure_model(priors={"adstock_alpha": WEEKLY_ALPHA})
    per_weeks.fit("map")
    return per_days, per_weeks, truth


@pytest.mark.fit
def test_the_daily_prior_recovers_a_carryover_of_weeks_that_the_weekly_prior_erases(fits):
    per_days, per_weeks, truth = fits
    roas = per_days.channel_summary()["roas_window"]
    alpha = per_days.mmm.idata["posterior"]["adstock_alpha"].isel(chain=0, draw=0)
    for channel, (true_roas, true_decay) in truth.items():
        assert roas[channel] == pytest.approx(true_roas, rel=0.15), channel
        assert float(alpha.sel(channel=channel)) == pytest.approx(true_decay, abs=0.05), channel
    social_roas, _ = truth["social"]
    # the weekly Beta(1, 3) read per day: social's carryover (0.877 a day) goes, and most
    # of its credit with it
    weekly_alpha = per_weeks.mmm.idata["posterior"]["adstock_alpha"].isel(chain=0, draw=0)
    assert float(weekly_alpha.sel(channel="social")) < 0.5
    assert per_weeks.channel_summary()["roas_window"]["social"] < 0.5 * social_roas


@pytest.mark.fit
def test_a_saved_fit_loads_and_one_saved_with_the_weekly_defaults_is_refused(fits, tmp_path,
                                                                            monkeypatch):
    per_days, _, _ = fits
    loaded = mw.Workflow.load(per_days.save(tmp_path / "per_days"))
    assert loaded.step_code("model") == per_days.step_code("model")
    pd.testing.assert_frame_equal(loaded.channel_summary(), per_days.channel_summary())
    # a daily fit saved before the priors were restated: its posterior is not what the
    # model cell now builds, so it is not restored as if it were
    frame, _ = daily_table(days=120)
    monkeypatch.setattr("mmm_widgets.steps.model.per_day", lambda adstock, weekly: {})
    older = _mapped(frame)
    older.configure_model()
    older.fit("map")
    folder = older.save(tmp_path / "older")
    monkeypatch.undo()
    with pytest.raises(LoadError, match="carryover priors"):
        mw.Workflow.load(folder)
