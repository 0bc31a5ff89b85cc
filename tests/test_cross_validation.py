"""Time-slice cross-validation: metrics, fold windows, refusals, replay, panel, save/load."""

from __future__ import annotations

import threading
import time

import numpy as np
import nutpie
import pandas as pd
import pymc
import pytest

import mmm_widgets as mw
from mmm_widgets.plots import diagnostics as plots
from mmm_widgets.steps.monitor import FitMonitor
from mmm_widgets.views.diagnostics import DiagnosticsView
from tests.conftest import configured_weekly, run_fresh

pytestmark = pytest.mark.fit


@pytest.fixture(scope="module")
def preview():
    wf = configured_weekly()
    wf.fit("map")
    return wf


@pytest.fixture(scope="module")
def validated(preview):
    report = preview.cross_validate(folds=2, horizon=13)
    return preview, report


@pytest.fixture(scope="module")
def panel_run(validated):
    """The diagnostics panel runs the same cross-validation again (each run refits)."""
    wf, _ = validated
    before = wf.step("cross_validation").result
    panel = DiagnosticsView(wf)
    panel.cv_folds.value, panel.cv_horizon.value = 2, 13
    panel.cv_button.click()
    panel.wait(600)
    again = wf.step("cross_validation").result
    assert again is not before, panel.message.value  # a new run, not the first kept
    return panel, again.report()


def test_metrics_are_finite_and_repeatable(validated, panel_run):
    _, first = validated
    for key in ("mape", "r2", "crps"):
        assert np.isfinite(first[key]), key
    per_fold = first["per_fold"]
    assert list(per_fold.index) == [1, 2]
    assert first["mape"] == pytest.approx(per_fold["mape"].mean())
    assert first["mape"] < 0.15
    _, second = panel_run
    assert (first["mape"], first["r2"], first["crps"]) == (second["mape"], second["r2"],
                                                           second["crps"])
    pd.testing.assert_frame_equal(first["frame"], second["frame"])


def test_forecast_windows_follow_their_training_data(validated):
    wf, report = validated
    per_fold, frame = report["per_fold"], report["frame"]
    assert list(frame.columns) == ["fold", "date", "predicted", "hdi_low", "hdi_high",
                                   "actual"]
    assert len(frame) == 2 * 13
    dates = wf.data["date"].drop_duplicates().sort_values().reset_index(drop=True)
    for fold, row in per_fold.iterrows():
        window = frame[frame["fold"] == fold]["date"]
        assert row["train_end"] < row["test_start"] == window.min()
        assert row["test_end"] == window.max()
        assert row["train_start"] == dates.iloc[0]
        assert window.nunique() == 13
    # The folds end the data and follow each other: fold 2 trains on fold 1's window.
    assert per_fold.loc[2, "test_end"] == dates.iloc[-1]
    assert per_fold.loc[2, "train_end"] == per_fold.loc[1, "test_end"]
    assert (frame["hdi_low"] <= frame["predicted"]).all()
    assert (frame["predicted"] <= frame["hdi_high"]).all()


@pytest.mark.parametrize(("folds", "horizon", "fix"), [(3, 50, "at most 2 folds"),
                                                        (20, 13, "at most 10 folds")])
def test_too_many_folds_or_too_long_a_horizon_is_refused(preview, folds, horizon, fix):
    with pytest.raises(mw.ModelError, match="first fold to fit on") as caught:
        preview.cross_validate(folds=folds, horizon=horizon)
    assert fix in str(caught.value)


def test_exported_script_reproduces_the_metrics(validated, tmp_path):
    wf, report = validated
    out = run_fresh(wf.to_script() + "\nprint(repr((cv_mape, cv_r2, cv_crps)))\n", tmp_path)
    values = eval(out.strip().splitlines()[-1])  # our own repr of three floats
    assert values == (report["mape"], report["r2"], report["crps"])


def test_monitor_reports_fold_k_of_n_and_cancel_stops():
    wf = configured_weekly()
    wf.fit(draws=100, tune=100, chains=1, random_seed=3)
    seen: set[tuple[int, int]] = set()
    monitor = FitMonitor()
    job_error: list[BaseException] = []

    def work() -> None:
        try:
            wf.cross_validate(folds=2, horizon=13, monitor=monitor)
        except BaseException as error:
            job_error.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    while worker.is_alive():
        snap = monitor.snapshot()
        seen.add((snap.fold, snap.folds))
        if snap.fold == 2:
            monitor.cancel()
        time.sleep(0.05)
    worker.join()
    assert {(1, 2), (2, 2)} <= seen
    assert isinstance(job_error[0], mw.FitCancelled)
    assert wf.status("cross_validation") == "ready"


def test_panel_runs_cross_validation_and_exports_it(validated, panel_run):
    _, report = validated
    panel, _ = panel_run
    panel.run_button.click()
    assert "MAPE" in panel.cv_status.value and "CRPS" in panel.cv_status.value
    assert f"{report['mape']:.1%}" in panel.cv_status.value
    panel.plot_choice.value = "Cross-validation"
    assert "Run the cross-validation" not in str(panel.plot_area.children[0])
    code = panel.export()
    assert "TimeSliceCrossValidator(" in code and "cv_mmm.fit(" in code


def test_panel_refuses_with_the_fix(preview):
    panel = DiagnosticsView(preview)
    panel.cv_folds.value, panel.cv_horizon.value = 20, 13
    panel.cv_button.click()
    panel.wait(60)
    assert "at most 10 folds" in panel.message.value
    assert not panel.cv_button.disabled


def test_plot_has_a_band_per_fold(validated):
    _, report = validated
    fig = plots.cross_validation_figure(report["frame"])
    labels = {item.label["value"] for item in fig.legend[0].items}
    assert labels == {"fold 1", "fold 2", "actual"}


def test_save_and_load_keep_it_without_refitting(validated, tmp_path, monkeypatch):
    wf, report = validated
    wf.save(tmp_path / "saved")

    def refit(*args, **kwargs):
        raise AssertionError("Workflow.load fitted a model")

    # No refit (the load time itself is measured in benchmarks/run.py, load_times).
    for module, name in ((pymc, "sample"), (pymc, "find_MAP"), (nutpie, "sample")):
        monkeypatch.setattr(module, name, refit)
    loaded = mw.Workflow.load(tmp_path / "saved")
    assert loaded.status("cross_validation") == "done"
    again = loaded.step("cross_validation").result
    assert (again.mape, again.r2, again.crps) == (report["mape"], report["r2"],
                                                  report["crps"])
    pd.testing.assert_frame_equal(again.frame, report["frame"])
    pd.testing.assert_frame_equal(again.per_fold, report["per_fold"])
    assert "TimeSliceCrossValidator(" in loaded.to_script()


def test_load_refuses_tampered_forecasts(validated, tmp_path):
    wf, _ = validated
    folder = wf.save(tmp_path / "saved")
    frame = pd.read_parquet(folder / "cross_validation.parquet")
    frame.assign(fold=frame["fold"] + 5).to_parquet(folder / "cross_validation.parquet")
    with pytest.raises(mw.MMMWidgetsError, match="cross_validation"):
        mw.Workflow.load(folder)


def test_geo_panel_forecasts_every_geo(geo):
    wf = mw.Workflow(geo)
    wf.map_data(**wf.suggest_mapping())
    wf.configure_model()
    wf.fit("map")
    report = wf.cross_validate(folds=2, horizon=8)
    frame = report["frame"]
    assert list(frame.columns) == ["fold", "date", "geo", "predicted", "hdi_low",
                                   "hdi_high", "actual"]
    assert len(frame) == 2 * 8 * geo["geo"].nunique()
    assert np.isfinite([report["mape"], report["r2"], report["crps"]]).all()
    # With a MAP fit there is one predictive draw, so CRPS is the mean absolute error:
    # equal only if the draws were lined up with the right dates and geos.
    errors = (frame["actual"] - frame["predicted"]).abs().groupby(frame["fold"]).mean()
    np.testing.assert_allclose(report["per_fold"]["crps"], errors, rtol=1e-9)
