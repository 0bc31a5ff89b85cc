"""The kit-wide credible-interval level: recorded in new steps' parameters."""

from __future__ import annotations

import pytest

import mmm_widgets as mw
from mmm_widgets.steps.attribution import AttributionParams
from mmm_widgets.steps.budget import BudgetParams
from mmm_widgets.steps.fit import FitParams, summary_lines


@pytest.fixture
def interval_09():
    previous = mw.set_interval(0.9)
    yield
    mw.set_interval(previous)


def test_default_is_94_percent():
    assert mw.settings.interval() == 0.94
    assert FitParams().hdi_prob == 0.94 and BudgetParams().hdi_prob == 0.94


def test_new_params_record_the_level(interval_09):
    assert FitParams().hdi_prob == 0.9
    assert FitParams.preset("publication").hdi_prob == 0.9
    assert BudgetParams().hdi_prob == 0.9
    source = mw.datasets.source_of(mw.datasets.load("journeys"), "journeys")
    assert AttributionParams(journeys=source, user="u", time="t", channel="c",
                             conversion="v").hdi_prob == 0.9
    assert "prob=0.9)" in "\n".join(summary_lines(FitParams().hdi_prob))
    # A saved level is kept whatever the setting is when it is loaded.
    assert FitParams.from_dict({**FitParams().to_dict(), "hdi_prob": 0.5}).hdi_prob == 0.5


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, float("nan"), "0.9", True])
def test_bad_levels_are_refused(bad):
    with pytest.raises(mw.DataError, match="not a probability"):
        mw.set_interval(bad)
    assert mw.settings.interval() == 0.94


def test_workflow_level_overrides_the_kit_level(interval_09):
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    assert wf.interval == 0.9
    wf.interval = 0.8
    assert wf.interval == 0.8 and mw.settings.interval() == 0.9
    wf.interval = None
    assert wf.interval == 0.9
    with pytest.raises(mw.DataError):
        wf.interval = 2


@pytest.mark.fit
def test_fit_summary_uses_the_level(weekly, interval_09):
    wf = mw.Workflow(weekly)
    wf.map_data(date="date", target="sales", channels=["tv", "radio", "search", "social",
                                                        "display"])
    wf.configure_model(l_max=4)
    wf.interval = 0.5
    wf.fit(draws=100, tune=100, chains=2, random_seed=1)
    assert wf.step("fit").params.hdi_prob == 0.5
    assert "prob=0.5)" in wf.step_code("fit")
    narrow = wf.channel_summary()
    wf.fit(draws=100, tune=100, chains=2, random_seed=1, hdi_prob=0.94)
    wide = wf.channel_summary()
    assert ((wide["roas_hdi_high"] - wide["roas_hdi_low"])
            > (narrow["roas_hdi_high"] - narrow["roas_hdi_low"])).all()
    from mmm_widgets.api.budget import budget_params

    assert budget_params(wf).hdi_prob == 0.5
    curves = wf.response_curves(points=5)
    assert (curves["response_hdi_low"] <= curves["response"]).all()


@pytest.mark.fit
def test_diagnostics_and_holdout_bands_follow_the_level(weekly):
    wf = mw.Workflow(weekly)
    wf.map_data(date="date", target="sales", channels=["tv", "search", "social"])
    wf.configure_model(l_max=4, yearly_seasonality=None)
    wf.fit(draws=100, tune=100, chains=2, random_seed=1)
    wf.interval = 0.5
    wf.diagnostics(prior_draws=50)
    fit = wf.step("diagnostics").result.frames["fit"]
    # At 50 % the outer band is the inner one: both are 50 % HDIs of the same draws.
    assert (fit["hdi_low"] == fit["hdi50_low"]).all()
    assert "prob=0.5)" in wf.step_code("diagnostics")
    wf.diagnostics(prior_draws=50, hdi_prob=0.9)
    fit = wf.step("diagnostics").result.frames["fit"]
    assert (fit["hdi_low"] <= fit["hdi50_low"]).all() and (fit["hdi_low"] < fit["hdi50_low"]).any()
    holdout = wf.holdout(periods=8, hdi_prob=0.8)
    assert wf.step("holdout").params.hdi_prob == 0.8 and "prob=0.8)" in wf.step_code("holdout")
    assert (holdout["frame"]["hdi_low"] <= holdout["frame"]["predicted"]).all()
    with pytest.raises(mw.DataError, match="not a probability"):
        wf.diagnostics(hdi_prob=1.5)
    from mmm_widgets.plots.diagnostics import fit_figure

    assert "80 % and 50 % HDI" in fit_figure(fit, "date", 0.8).title.text
