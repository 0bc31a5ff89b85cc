"""Model against model: PSIS-LOO, fit error, holdout error and ROAS side by side."""

from __future__ import annotations

import arviz as az
import numpy as np
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.compare import log_likelihood_tree

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]


def _fitted(adstock: str, **fit) -> mw.Workflow:
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=CHANNELS, controls=["promo", "price_index"])
    wf.configure_model(adstock=adstock)
    wf.fit(**fit)
    return wf


@pytest.fixture(scope="module")
def geometric() -> mw.Workflow:
    return _fitted("geometric", draws=200, tune=200, chains=2, random_seed=1)


@pytest.fixture(scope="module")
def weibull() -> mw.Workflow:
    return _fitted("weibull_pdf", draws=200, tune=200, chains=2, random_seed=1)


def test_two_posteriors_side_by_side(geometric, weibull):
    groups = set(geometric.idata.children)
    table = mw.compare_models({"weibull": weibull, "geometric": geometric})
    assert set(table.index) == {"weibull", "geometric"}
    assert table.loc["weibull", "adstock"] == "weibull_pdf"
    best, other = table.index
    assert table.loc[best, "elpd_loo"] >= table.loc[other, "elpd_loo"]
    assert table.loc[best, "elpd_diff"] == 0.0
    assert table.loc[other, "elpd_diff"] == pytest.approx(
        table.loc[other, "elpd_loo"] - table.loc[best, "elpd_loo"])
    assert table["weight"].sum() == pytest.approx(1.0)
    assert (table["elpd_se"] > 0).all() and (table["p_loo"] > 0).all()
    expected = az.loo(log_likelihood_tree(geometric))
    assert table.loc["geometric", "elpd_loo"] == pytest.approx(float(expected.elpd))
    for channel in CHANNELS:
        assert table.loc["geometric", f"roas_{channel}"] == pytest.approx(
            geometric.channel_summary().loc[channel, "roas"])
    assert (table["mape"] < 0.1).all()
    assert "holdout_mape" not in table.columns
    assert any("wf.holdout()" in note for note in table.attrs["notes"])
    # The log-likelihood is computed aside: the fitted models are left as they were.
    assert set(geometric.idata.children) == groups


def test_map_fit_has_no_elpd_but_holdout_error(geometric):
    preview = _fitted("geometric", method="map")
    holdout = preview.holdout(periods=13)
    table = mw.compare_models([preview, geometric])
    assert list(table.index) == ["model_1", "model_2"]
    assert np.isnan(table.loc["model_1", "elpd_loo"])
    assert table.loc["model_1", "holdout_mape"] == pytest.approx(holdout["mape"])
    assert np.isnan(table.loc["model_2", "holdout_mape"])
    assert table.loc["model_1", "method"] == "map"
    assert any("MAP" in note for note in table.attrs["notes"])


def test_unfitted_workflow_is_a_step_order_error():
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=CHANNELS)
    wf.configure_model()
    with pytest.raises(mw.StepOrderError, match="'draft' has not been fitted"):
        mw.compare_models({"draft": wf})
