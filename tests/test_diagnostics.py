"""Diagnostics on real fits: verdicts, metrics, plot data, holdout, export replay."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.plots import diagnostics as plots
from mmm_widgets.views.diagnostics import DiagnosticsView
from tests.conftest import configured_weekly, run_fresh

pytestmark = pytest.mark.fit


@pytest.fixture(scope="module")
def proper():
    wf = configured_weekly()
    wf.fit(draws=1500, tune=1000, chains=2, random_seed=1)
    wf.diagnostics()
    return wf


@pytest.fixture(scope="module")
def preview():
    wf = configured_weekly()
    wf.fit("map")
    return wf


def test_proper_fit_is_ok(proper):
    report = proper.diagnostics()
    assert report["verdict"] == "ok", report["messages"]
    assert report["r_hat_max"] < 1.01 and report["divergences"] == 0
    assert report["ess_bulk_min"] >= 200
    assert report["r2"] > 0.9 and report["mape"] < 0.05
    assert report["messages"][0].startswith("All checks passed")


def test_poor_fit_is_flagged_with_reasons():
    wf = configured_weekly()
    wf.fit(draws=40, tune=40, chains=1, random_seed=2)
    report = wf.diagnostics()
    assert report["verdict"] in ("warn", "fail")
    text = " ".join(report["messages"])
    assert "one chain" in text and "Effective sample size" in text
    assert all("What to do" in m for m in report["messages"] if "informed" not in m)


def test_map_preview_says_it_has_no_uncertainty(preview):
    report = preview.diagnostics()
    assert np.isnan(report["r_hat_max"])
    assert any("MAP point estimate" in m for m in report["messages"])


def test_fit_frame_is_tidy_and_consistent(proper):
    frames = proper.step("diagnostics").result.frames
    fit = frames["fit"]
    assert list(fit.columns) == ["date", "predicted", "hdi50_low", "hdi50_high", "hdi_low",
                                 "hdi_high", "actual", "residual"]
    assert len(fit) == 156
    assert (fit["hdi_low"] <= fit["hdi50_low"]).all()
    assert (fit["hdi50_high"] <= fit["hdi_high"]).all()
    inside = ((fit["actual"] >= fit["hdi_low"]) & (fit["actual"] <= fit["hdi_high"])).mean()
    assert inside > 0.85
    np.testing.assert_allclose(fit["residual"], fit["actual"] - fit["predicted"])


def test_decomposition_adds_up_to_the_fit(proper):
    frames = proper.step("diagnostics").result.frames
    wide = plots.decomposition_frame(frames["decomposition"])
    total = wide.drop(columns="date").sum(axis=1).to_numpy()
    predicted = frames["fit"]["predicted"].to_numpy()
    np.testing.assert_allclose(total, predicted, rtol=0.02)
    waterfall = plots.waterfall_frame(frames["totals"])
    assert waterfall["end"].iloc[-1] == pytest.approx(frames["totals"]["mean"].sum())


def test_prior_posterior_and_traces_are_thinned(proper):
    frames = proper.step("diagnostics").result.frames
    traces = frames["traces"]
    assert traces.groupby(["parameter", "channel", "chain"]).size().max() <= 200
    shrink = frames["prior_posterior"].set_index(["parameter", "channel"])["shrinkage"]
    assert shrink[("saturation_beta", "search")] > 0.5
    assert set(frames["prior_posterior"]["parameter"]) == {
        "adstock_alpha", "saturation_lam", "saturation_beta"}


def test_holdout_is_finite_and_repeatable(preview):
    first = preview.holdout(periods=13)
    second = preview.holdout(periods=13)
    assert np.isfinite(first["mape"]) and np.isfinite(first["r2"])
    assert first["mape"] == second["mape"] and first["r2"] == second["r2"]
    frame = first["frame"]
    assert len(frame) == 13
    assert frame["date"].min() == pd.Timestamp("2024-09-30")
    assert first["mape"] < 0.1


def test_holdout_too_long_is_refused(preview):
    with pytest.raises(mw.ModelError, match="leaves too few"):
        preview.holdout(periods=150)


def test_exported_code_reproduces_metrics(proper, tmp_path):
    report = proper.diagnostics()
    script = proper.to_script()
    out = run_fresh(script + "\nprint(repr((float(r2), float(mape), float(nrmse), divergences,"
                    " float(convergence['r_hat'].max()))))\n", tmp_path)
    values = eval(out.strip().splitlines()[-1])  # our own repr of floats and an int
    assert values == (report["r2"], report["mape"], report["nrmse"], report["divergences"],
                      report["r_hat_max"])


def test_panel_shows_verdict_switches_plots_and_runs_holdout(preview):
    panel = DiagnosticsView(preview)
    panel.run_button.click()
    assert "Verdict: warn" in panel.verdict.value
    assert "MAP point estimate" in panel.checks.value
    shown = []
    for choice in ("Fit", "Residuals", "Decomposition", "Waterfall", "Fit"):
        panel.plot_choice.value = choice
        shown.append(panel.plot_area.children[0])
    assert shown[0] is shown[-1]
    panel.plot_choice.value = "Traces"
    assert panel.parameter.layout.display is None
    panel.holdout_periods.value = 8
    panel.holdout_button.click()
    panel.wait(300)
    assert "MAPE" in panel.holdout_status.value
    panel.plot_choice.value = "Holdout"
    assert "Run the holdout" not in str(panel.plot_area.children[0])
    code = panel.export()
    assert "holdout_mmm.fit(" in code and "az.summary" in code
