"""Overview and profit view on the stored fit: numbers, margins, staleness, saving, replay."""

from __future__ import annotations

import json
import math
import re

import arviz
import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.persist import LoadError
from mmm_widgets.steps.budget import TOTAL_ROW
from mmm_widgets.steps.overview import (
    CHANNEL_COLUMNS,
    MARGINAL_COLUMNS,
    NOT_RUN,
    OUT_OF_DATE,
    PROFIT_COLUMNS,
    TREND_COLUMNS,
    OverviewStep,
)
from tests.conftest import run_fresh
from tests.test_roas_carryover import by_hand

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]
MARGINS = {"tv": 0.5, "radio": 0.8, "search": 0.4, "social": 0.7, "display": 2.0}


@pytest.fixture(scope="module")
def fitted() -> mw.Workflow:
    return mw.datasets.load_fitted("weekly_sales")


@pytest.fixture
def fresh() -> mw.Workflow:
    """A workflow of its own, for tests that refit or run later steps."""
    return mw.datasets.load_fitted("weekly_sales")


def test_channel_table_matches_the_fit_and_totals_add_up(fitted):
    overview = fitted.overview()
    channels, totals, summary = overview.channels, overview.totals, fitted.channel_summary()
    assert list(channels.columns) == [*CHANNEL_COLUMNS, *MARGINAL_COLUMNS]
    assert list(channels.index) == CHANNELS and totals.name == TOTAL_ROW
    assert overview.margin is None and overview.hdi_prob == pytest.approx(0.94)
    pd.testing.assert_frame_equal(
        channels[["spend", "contribution", "contribution_hdi_low", "contribution_hdi_high",
                  "roas", "roas_hdi_low", "roas_hdi_high"]],
        summary[["spend", "contribution", "contribution_hdi_low", "contribution_hdi_high",
                 "roas", "roas_hdi_low", "roas_hdi_high"]], rtol=1e-9, check_names=False)
    np.testing.assert_allclose(channels["spend"], fitted.data[CHANNELS].sum(), rtol=1e-12)
    target = fitted.data["sales"].sum()
    # Share of the target on the fitted dates: the contribution landing on them (the
    # contribution column counts carryover past the last date too)
    np.testing.assert_allclose(channels["share_of_target"],
                               summary["contribution_window"] / target, rtol=1e-9)
    assert channels["share"].sum() == pytest.approx(1.0, rel=1e-12)
    # One meaning of share: the fit's channel summary and the overview agree.
    np.testing.assert_allclose(channels["share"], summary["share"], rtol=1e-9)
    # Totals are sums over channels; their intervals are those of the summed draws,
    # narrower than the sum of the channels' intervals.
    assert totals["spend"] == pytest.approx(channels["spend"].sum(), rel=1e-12)
    assert totals["contribution"] == pytest.approx(channels["contribution"].sum(), rel=1e-9)
    assert totals["roas"] == pytest.approx(totals["contribution"] / totals["spend"], rel=1e-9)
    assert totals["share_of_target"] == pytest.approx(
        summary["contribution_window"].sum() / target, rel=1e-9)
    assert channels["contribution_hdi_low"].sum() < totals["contribution_hdi_low"] < \
        totals["contribution"] < totals["contribution_hdi_high"] < \
        channels["contribution_hdi_high"].sum()
    assert overview.table.index[-1] == TOTAL_ROW and len(overview.table) == len(CHANNELS) + 1


def _hdi(draws: np.ndarray, prob: float) -> tuple[float, float]:
    """The narrowest interval holding ``prob`` of the draws (as arviz defines it)."""
    ordered = np.sort(np.ravel(draws))
    inside = math.floor(prob * len(ordered))
    start = int(np.argmin(ordered[inside:] - ordered[: len(ordered) - inside]))
    return float(ordered[start]), float(ordered[start + inside])


def test_ratios_and_their_intervals_come_from_the_posterior_draws(fitted):
    margin = 0.3
    overview = fitted.overview(margin)
    table = overview.table
    # Contribution with carryover per draw, by hand (the fitted period and l_max periods
    # without spend after it)
    per_draw, _ = by_hand(fitted.mmm)
    draws = pd.DataFrame(per_draw, columns=CHANNELS)
    draws[TOTAL_ROW] = draws[CHANNELS].sum(axis=1)
    spend = fitted.data[CHANNELS].sum()
    spend[TOTAL_ROW] = spend.sum()
    for row in [*CHANNELS, TOTAL_ROW]:
        derived = {"cost_per_unit": spend[row] / draws[row],
                   "share": draws[row] / draws[TOTAL_ROW],
                   "profit_roi": (draws[row] * margin - spend[row]) / spend[row]}
        for name, values in derived.items():
            low, high = _hdi(values.to_numpy(), overview.hdi_prob)
            assert table.at[row, name] == pytest.approx(values.mean(), rel=1e-9), (row, name)
            assert table.at[row, f"{name}_hdi_low"] == pytest.approx(low, rel=1e-9)
            assert table.at[row, f"{name}_hdi_high"] == pytest.approx(high, rel=1e-9)
    # Inverting the contribution's bounds is not the interval of the cost per unit.
    inverted = table["spend"] / table["contribution_hdi_high"]
    assert not np.allclose(table["cost_per_unit_hdi_low"], inverted, rtol=1e-3)


def test_trend_sums_to_the_channel_totals(fitted):
    overview = fitted.overview()
    trend = overview.trend
    assert list(trend.columns) == list(TREND_COLUMNS)
    assert len(trend) == fitted.data["date"].nunique() * len(CHANNELS)
    by_channel = trend.groupby("channel")[["spend", "contribution"]].sum().loc[CHANNELS]
    np.testing.assert_allclose(by_channel["spend"], overview.channels["spend"], rtol=1e-12)
    # The trend is what lands on the fitted dates; the carryover after them is not in it
    np.testing.assert_allclose(by_channel["contribution"],
                               fitted.channel_summary()["contribution_window"], rtol=1e-9)
    weekly_tv = trend[trend["channel"] == "tv"].set_index("date")["spend"]
    np.testing.assert_allclose(weekly_tv.to_numpy(), fitted.data["tv"].to_numpy(), rtol=1e-12)


def test_profit_roi_is_hand_checked_from_the_channel_summary(fitted):
    margin = 0.45
    table = fitted.profit(margin)
    summary = fitted.channel_summary()
    channels = table.loc[CHANNELS]
    assert list(table.columns) == ["spend", "contribution", *PROFIT_COLUMNS]
    assert (channels["margin"] == margin).all()
    np.testing.assert_allclose(channels["profit"],
                               summary["contribution"] * margin - summary["spend"], rtol=1e-9)
    np.testing.assert_allclose(channels["profit_roi"], summary["roas"] * margin - 1, rtol=1e-9)
    # Profit is linear in the draws, so its interval is the ROAS interval, moved.
    np.testing.assert_allclose(channels["profit_roi_hdi_low"],
                               summary["roas_hdi_low"] * margin - 1, rtol=1e-9)
    np.testing.assert_allclose(channels["profit_roi_hdi_high"],
                               summary["roas_hdi_high"] * margin - 1, rtol=1e-9)
    np.testing.assert_allclose(channels["profit_hdi_low"],
                               summary["contribution_hdi_low"] * margin - summary["spend"],
                               rtol=1e-9)
    total = table.loc[TOTAL_ROW]
    assert total["profit"] == pytest.approx(channels["profit"].sum(), rel=1e-9)
    assert total["profit_roi"] == pytest.approx(total["profit"] / total["spend"], rel=1e-9)
    overview = fitted.overview(margin)
    assert overview.margin == margin
    assert overview.totals["profit"] == pytest.approx(total["profit"], rel=1e-12)


def test_breakeven_spend_is_where_marginal_roas_crosses_one_over_the_margin(fitted):
    margin = 0.6
    table = fitted.profit(margin).loc[CHANNELS]
    curves = fitted.response_curves(threshold=1 / margin)
    assert table["breakeven_spend"].to_dict() == pytest.approx(
        curves.attrs["threshold_spend"], rel=1e-12, nan_ok=True)
    assert table["current_spend"].to_dict() == pytest.approx(curves.attrs["current_spend"],
                                                             rel=1e-12)
    crossed = 0
    for channel, spend in table["breakeven_spend"].items():
        points = curves[curves["channel"] == channel]
        slope = points["marginal_roas"].to_numpy()
        if spend > 0 and math.isfinite(spend):
            at = np.interp(spend, points["spend"], slope)
            assert at * margin == pytest.approx(1.0, rel=1e-3), channel
            crossed += 1
        elif spend == 0:
            assert slope[0] * margin < 1, channel
        else:
            assert (slope * margin >= 1).all(), channel
    assert crossed >= 2
    # A higher margin makes more spend pay: break-even moves out.
    richer = fitted.profit(0.9).loc[CHANNELS, "breakeven_spend"]
    assert all(richer[c] >= table.at[c, "breakeven_spend"] or math.isnan(richer[c])
               for c in CHANNELS)


def test_per_channel_margins(fitted):
    shuffled = dict(reversed(list(MARGINS.items())))
    table = fitted.profit(shuffled)
    summary = fitted.channel_summary()
    margins = pd.Series(MARGINS)
    channels = table.loc[CHANNELS]
    np.testing.assert_allclose(channels["margin"], margins.loc[CHANNELS])
    np.testing.assert_allclose(channels["profit"],
                               summary["contribution"] * margins - summary["spend"], rtol=1e-9)
    np.testing.assert_allclose(channels["profit_roi"], summary["roas"] * margins - 1, rtol=1e-9)
    assert math.isnan(table.at[TOTAL_ROW, "margin"])
    assert table.at[TOTAL_ROW, "profit"] == pytest.approx(channels["profit"].sum(), rel=1e-9)
    assert list(fitted.step("overview").params.margin) == CHANNELS
    for channel, margin in MARGINS.items():
        expected = fitted.response_curves(threshold=1 / margin).attrs["threshold_spend"][channel]
        assert table.at[channel, "breakeven_spend"] == pytest.approx(expected, rel=1e-12,
                                                                     nan_ok=True), channel
    assert "threshold[channel]" in fitted.step_code("overview")


@pytest.mark.parametrize(("margin", "columns", "needle"), [
    (-0.2, [None], "must be a positive number"),
    (0, [None], "must be a positive number"),
    (float("nan"), [None], "must be a positive number"),
    (float("inf"), [None], "must be a positive number"),
    ("0.3", [None], "must be a number"),
    (True, [None], "must be a number"),
    ({"tv": 0.3}, ["radio"], "No margin for 'radio', 'search', 'social', 'display'"),
    ({**MARGINS, "tv": -1.0}, ["tv"], "margin of 'tv'"),
    ({**MARGINS, "search": "high"}, ["search"], "margin of 'search'"),
    ({**MARGINS, "podcast": 0.3}, ["podcast"], "'podcast' is not a channel"),
])
def test_bad_margins_name_the_channel_and_keep_the_overview(fitted, margin, columns, needle):
    fitted.overview(0.5)
    before = fitted.step("overview")
    with pytest.raises(mw.DataError, match=needle) as caught:
        fitted.overview(margin)
    assert [p.column for p in caught.value.problems] == columns
    assert all(p.fix for p in caught.value.problems)
    assert fitted.step("overview") is before and fitted.status("overview") == "done"


def test_profit_needs_a_margin(fitted):
    with pytest.raises(mw.DataError, match="needs a margin"):
        fitted.profit(None)


def test_verdict_best_scenario_and_staleness_after_refit(fresh):
    overview = fresh.overview(0.5)
    assert overview.verdict == NOT_RUN and overview.best_scenario is None
    assert overview.scenario_status == NOT_RUN
    report = fresh.diagnostics()
    fresh.scenarios.add_budget_change(10)
    fresh.scenarios.add("search heavy", {"search": 120_000.0, "tv": 40_000.0})
    overview = fresh.overview(0.5)
    assert overview.verdict == report["verdict"] and overview.messages == report["messages"]
    compare = fresh.scenarios.compare()
    best = overview.best_scenario
    assert best.name == compare["expected_outcome"].idxmax()
    assert best.expected_outcome == pytest.approx(compare["expected_outcome"].max())
    assert best.allocation == fresh.scenarios.allocation(best.name)
    assert best.periods == fresh.step("budget").params.periods
    script = fresh.to_script()
    assert script.index("overview_table") < script.index("az.summary(") < script.index(
        "budget_optimizer(")

    before = fresh.step("overview").result.table
    fresh.fit("map")
    assert fresh.status("overview") == "stale"
    assert fresh.status("diagnostics") == "stale" and fresh.status("budget") == "stale"
    overview = fresh.overview(0.5)
    assert fresh.status("overview") == "done"
    assert overview.verdict == OUT_OF_DATE and overview.scenario_status == OUT_OF_DATE
    assert overview.best_scenario is None
    assert not np.allclose(overview.channels["contribution"],
                           before.loc[CHANNELS, "contribution"], rtol=1e-3)
    np.testing.assert_allclose(overview.channels["contribution"],
                               fresh.channel_summary()["contribution"], rtol=1e-9)


def test_saved_and_restored(fitted, tmp_path):
    fitted.overview(MARGINS)
    fitted.save(tmp_path / "saved")
    stored = json.loads((tmp_path / "saved" / "workflow.json").read_text())
    assert stored["steps"]["overview"]["margin"] == MARGINS
    loaded = mw.Workflow.load(tmp_path / "saved")
    assert loaded.status("overview") == "done"
    assert loaded.step("overview").params == fitted.step("overview").params
    pd.testing.assert_frame_equal(loaded.step("overview").result.table,
                                  fitted.step("overview").result.table, rtol=1e-9)
    assert loaded.step_code("overview") == fitted.step_code("overview")

    stored["steps"]["overview"]["margin"] = {**MARGINS, "tv": -1.0}
    (tmp_path / "saved" / "workflow.json").write_text(json.dumps(stored))
    with pytest.raises(LoadError, match="overview step") as caught:
        mw.Workflow.load(tmp_path / "saved")
    assert any(p.column == "tv" for p in caught.value.problems)
    stored["steps"]["overview"]["margin"] = "__import__('os')"
    (tmp_path / "saved" / "workflow.json").write_text(json.dumps(stored))
    with pytest.raises(LoadError, match=re.escape("steps.overview.margin")):
        mw.Workflow.load(tmp_path / "saved")


def test_export_replays_in_a_fresh_process(fitted, tmp_path):
    fitted.overview(MARGINS)
    result = fitted.step("overview").result
    result.table.to_pickle(tmp_path / "table.pkl")
    result.trend.to_pickle(tmp_path / "trend.pkl")
    script = fitted.to_script()
    assert "mmm_widgets" not in script
    # The stored fit is replayed by refitting with its seed: same draws, same numbers.
    run_fresh(script + (
        "\nexpected = pd.read_pickle('table.pkl')\n"
        "pd.testing.assert_frame_equal(overview_table, expected, rtol=1e-6)\n"
        "trend = overview_trend[['date', 'channel', 'spend', 'contribution']].copy()\n"
        "trend['channel'] = trend['channel'].astype(str)\n"
        "# The stored fit keeps dates in nanoseconds, a fresh CSV read may not\n"
        "pd.testing.assert_frame_equal(trend, pd.read_pickle('trend.pkl'), rtol=1e-6, "
        "check_dtype=False)\n"),
        tmp_path)


def test_geo_models_get_profit_without_breakeven(geo):
    wf = mw.Workflow(geo)
    wf.map_data(**wf.suggest_mapping())
    wf.configure_model(l_max=4, yearly_seasonality=None)
    wf.fit("map")
    overview = wf.overview(0.5)
    summary = wf.channel_summary()
    np.testing.assert_allclose(overview.channels["contribution"], summary["contribution"],
                               rtol=1e-9)
    np.testing.assert_allclose(overview.channels["profit"],
                               summary["contribution"] * 0.5 - summary["spend"], rtol=1e-9)
    assert overview.channels["breakeven_spend"].isna().all()
    assert any("geo" in note for note in overview.notes)
    assert overview.trend.groupby("date").size().eq(len(summary)).all()


def test_report_has_an_overview_section_and_leaves_the_workflow_alone(fresh, tmp_path):
    text = fresh.report(tmp_path / "report.html").read_text()
    assert fresh.status("overview") == "ready"
    section = text.split("<h2>Overview</h2>", 1)[1].split("</section>", 1)[0]
    totals = fresh.overview().totals
    assert f"<b>{totals['contribution']:,.0f}</b> sales" in section
    assert f"ROAS with carryover <b>{totals['roas']:.2f}</b>" in section
    assert "Model check: <b>not run yet</b>" in section and "profit" not in section
    fresh.overview(0.5)
    section = fresh.report(tmp_path / "profit.html").read_text().split(
        "<h2>Overview</h2>", 1)[1].split("</section>", 1)[0]
    assert f"{fresh.profit(0.5).at[TOTAL_ROW, 'profit']:,.0f}" in section
    assert "breakeven_spend" in section


def test_marginal_roas_at_the_current_spend_is_each_draws_slope_at_the_run_rate(fitted):
    table = fitted.overview().table
    mmm = fitted.mmm
    # By hand from the posterior draws: pymc-marketing's logistic saturation
    # beta * (1 - e^-lam x) / (1 + e^-lam x) on the scaled spend x, in target units; its
    # slope per unit of spend at the run-rate (the mean spend of the last 13 periods).
    def draws(name: str):
        values = mmm.idata.posterior[name].stack(sample=("chain", "draw"))
        return values.transpose("channel", "sample")

    lam, beta = draws("saturation_lam"), draws("saturation_beta").to_numpy()
    names = list(lam["channel"].to_numpy())
    channel_scale = mmm.data.get_channel_scale().sel(channel=names).to_numpy()[:, None]
    target_scale = float(mmm.data.get_target_scale())
    run_rate = fitted.data[names].tail(13).mean().to_numpy()[:, None]
    lam = lam.to_numpy()
    decay = np.exp(-lam * run_rate / channel_scale)
    slope = target_scale * beta * lam * 2 * decay / (1 + decay) ** 2 / channel_scale
    hdi = np.array([arviz.hdi(draws, prob=0.94) for draws in slope])
    # The kit differentiates 100-point curves numerically: within 0.5 %.
    np.testing.assert_allclose(table.loc[names, "current_marginal_roas"], slope.mean(axis=1),
                               rtol=5e-3)
    np.testing.assert_allclose(table.loc[names, "current_marginal_roas_hdi_low"], hdi[:, 0],
                               rtol=5e-3)
    np.testing.assert_allclose(table.loc[names, "current_marginal_roas_hdi_high"], hdi[:, 1],
                               rtol=5e-3)
    assert table.loc[TOTAL_ROW, list(MARGINAL_COLUMNS)].isna().all()


def test_a_new_margin_on_the_same_fit_reuses_the_curves_and_gives_their_numbers(
        fresh, monkeypatch):
    model_class = type(fresh.mmm)
    sampled = []
    original = model_class.sample_saturation_curve

    def counted(self, *args, **kwargs):
        sampled.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(model_class, "sample_saturation_curve", counted)
    fresh.overview()
    assert len(sampled) == 1
    for margin in (0.3, MARGINS, 0.6):
        table = fresh.profit(margin)
        assert len(sampled) == 1, margin
    # The same numbers as the whole cell run at once on the workflow's namespace.
    step = fresh.step("overview")
    again = OverviewStep(step.params, step.data).run(fresh.context().namespace())
    pd.testing.assert_frame_equal(fresh.step("overview").result.table, again.table)
    assert table["breakeven_spend"].notna().sum() >= 1 and len(sampled) == 2
    # A new fit draws new curves.
    fresh.fit("map")
    fresh.profit(0.6)
    assert len(sampled) == 3
