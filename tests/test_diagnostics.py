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


@pytest.fixture(scope="module")
def held_out(preview):
    """The preview's 13-week holdout (each holdout refits the model)."""
    return preview.holdout(periods=13)


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


def test_holdout_is_finite_and_repeatable(preview, held_out):
    first = held_out
    second = preview.holdout(periods=13)
    assert np.isfinite(first["mape"]) and np.isfinite(first["r2"])
    assert first["mape"] == second["mape"] and first["r2"] == second["r2"]
    frame = first["frame"]
    assert len(frame) == 13
    assert frame["date"].min() == pd.Timestamp("2024-09-30")
    assert first["mape"] < 0.1


def test_a_loaded_holdout_is_the_saved_one_without_a_refit(preview, held_out, tmp_path,
                                                           monkeypatch):
    import nutpie
    import pymc

    # The holdout the preview holds now (a 13-week one, or whichever a test ran last).
    report = preview.step("holdout").result.report()
    assert len(report["frame"]) == preview.step("holdout").params.periods
    folder = preview.save(tmp_path / "saved")

    def refit(*args, **kwargs):
        raise AssertionError("Workflow.load fitted a model")

    for module, name in ((pymc, "sample"), (pymc, "find_MAP"), (nutpie, "sample")):
        monkeypatch.setattr(module, name, refit)
    loaded = mw.Workflow.load(folder).step("holdout").result
    # The scores are recomputed from the stored forecast as the exported code scores it.
    assert (loaded.mape, loaded.r2) == (report["mape"], report["r2"])
    pd.testing.assert_frame_equal(loaded.frame, report["frame"])
    stored = pd.read_parquet(folder / "holdout.parquet")
    stored.iloc[1:].to_parquet(folder / "holdout.parquet")
    with pytest.raises(mw.MMMWidgetsError, match="holdout"):
        mw.Workflow.load(folder)


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
    # The parameter picker has a layout of its own: showing it shows nothing else.
    assert panel.holdout_periods.layout is panel.cv_folds.layout
    assert panel.holdout_periods.layout.display is None
    panel.plot_choice.value = "Fit"
    assert panel.parameter.layout.display == "none"
    assert panel.cv_folds.layout.display is None and panel.run_button.layout.display is None
    panel.holdout_periods.value = 8
    panel.holdout_button.click()
    panel.wait(300)
    assert "MAPE" in panel.holdout_status.value
    panel.plot_choice.value = "Holdout"
    assert "Run the holdout" not in str(panel.plot_area.children[0])
    code = panel.export()
    assert "holdout_mmm.fit(" in code and "az.summary" in code


# ----- thresholds, judged by hand -------------------------------------------------------
def _metrics(**changes):
    metrics = {"sampled": True, "chains": 2, "draws": 500, "r_hat_max": 1.0,
               "ess_bulk_min": 800.0, "ess_tail_min": 800.0, "divergences": 0,
               "tree_depth_hits": 0, "r2": 0.95, "mape": 0.03, "residual_acf1": 0.0,
               "residual_acf_band": 2 / np.sqrt(156)}
    return {**metrics, **changes}


def _check(name, **changes):
    from mmm_widgets.steps.diagnostics import judge

    return next(c for c in judge(_metrics(**changes)) if c.check == name)


@pytest.mark.parametrize(("ess", "level"), [(800.0, "ok"), (200.0, "ok"), (199.0, "warn"),
                                            (50.0, "warn"), (49.0, "fail")])
def test_tail_ess_is_judged_per_chain_like_bulk_ess(ess, level):
    check = _check("ess_tail", ess_tail_min=ess)
    assert check.level == level and check.value == ess
    if level != "ok":
        assert "What to do" in check.message and "interval" in check.message


@pytest.mark.parametrize(("acf", "level", "words"), [
    (0.10, "ok", "look like noise"),            # inside 2 / sqrt(156) = 0.16
    (-0.15, "ok", "look like noise"),
    (0.30, "info", "1.4 times too narrow"),     # beyond the band, mild: does not lower it
    (0.50, "warn", "1.7 times too narrow"),
    (-0.60, "warn", "alternate"),
])
def test_residual_autocorrelation_is_judged_against_the_noise_band(acf, level, words):
    check = _check("residual_autocorrelation", residual_acf1=acf)
    assert check.level == level and words in check.message
    assert "±0.16" in check.message and "156 periods" in check.message
    # With 9 periods the band is ±0.67: 0.5 cannot be told apart from noise.
    assert _check("residual_autocorrelation", residual_acf1=0.5,
                  residual_acf_band=2 / 3).level == "ok"


def test_stored_fit_is_failed_on_its_tail_ess_and_reports_the_band():
    wf = mw.datasets.load_fitted()
    report = wf.diagnostics()
    checks = wf.step("diagnostics").result.checks_frame().set_index("check")
    n = wf.data["date"].nunique()
    assert report["residual_acf_band"] == pytest.approx(2 / np.sqrt(n))
    assert checks.at["ess_tail", "value"] == pytest.approx(report["ess_tail_min"])
    expected = "ok" if report["ess_tail_min"] >= 200 else (
        "warn" if report["ess_tail_min"] >= 50 else "fail")
    assert checks.at["ess_tail", "level"] == expected
    assert any("Tail effective sample size" in m for m in report["messages"]) == (
        expected != "ok")
