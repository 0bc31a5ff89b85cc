"""Real pymc-marketing fits on the bundled data (small draws)."""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.fit import SUMMARY_COLUMNS, FitParams, FitStep
from tests.conftest import run_fresh

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]


def _mapped(weekly, name: str | None = None) -> mw.Workflow:
    wf = mw.Workflow(weekly, name=name)
    wf.map_data(date="date", target="sales", channels=CHANNELS,
                controls=["promo", "price_index"])
    return wf


@pytest.fixture(scope="module")
def fitted():
    wf = _mapped(mw.datasets.load("weekly_sales"))
    wf.configure_model()
    wf.fit(draws=300, tune=300, chains=2, random_seed=1)
    return wf


def test_channel_summary_shape_and_units(fitted):
    summary = fitted.channel_summary()
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    assert list(summary.index) == CHANNELS
    raw = mw.datasets.load("weekly_sales")
    np.testing.assert_allclose(summary["spend"], raw[CHANNELS].sum().to_numpy())
    assert summary["share"].sum() == pytest.approx(1.0)
    assert (summary["contribution_hdi_low"] <= summary["contribution"]).all()
    assert (summary["contribution"] <= summary["contribution_hdi_high"]).all()
    np.testing.assert_allclose(summary["roas"], summary["contribution"] / summary["spend"],
                               rtol=1e-9)
    np.testing.assert_allclose(summary["roas_window"],
                               summary["contribution_window"] / summary["spend"], rtol=1e-9)
    # The carryover after the last fitted date only adds
    assert (summary["contribution"] > summary["contribution_window"]).all()


def test_truth_roas_inside_hdi_for_most_channels(fitted):
    summary = fitted.channel_summary()
    # The generator's true ROAS counts what lands on the weeks of data: the window-only one
    truth = mw.datasets.truth("weekly_sales")["channels"]
    inside = [name for name in CHANNELS
              if summary.at[name, "roas_window_hdi_low"] <= truth[name]["roas"]
              <= summary.at[name, "roas_window_hdi_high"]]
    assert len(inside) >= 4, (inside, summary.filter(like="roas_window"))


def test_fit_uses_nutpie_and_reports_divergences(fitted):
    result = fitted.step("fit").result
    assert fitted.idata.posterior.attrs["inference_library"] == "nutpie"
    assert result.divergences == int(fitted.idata.sample_stats["diverging"].sum())
    assert ("nuts_sampler='nutpie', nuts={'adaptation': 'draw_diag'}, "
            f"compile_kwargs={{'freeze_model': True}}, cores={min(2, os.cpu_count())}") in \
        fitted.step_code("fit")
    with pytest.raises(mw.ModelError, match="Unknown nutpie adaptation 'flow'"):
        fitted.fit(draws=10, tune=10, adaptation="flow")
    assert fitted.step("fit").params.adaptation == "draw_diag"


def test_posterior_keeps_only_what_later_steps_read(fitted):
    posterior = fitted.idata.posterior
    assert "fourier_contribution" not in posterior
    assert {"channel_contribution", "yearly_seasonality_contribution", "mu"} <= set(posterior)
    assert "drop_vars(\"fourier_contribution\"" in fitted.step_code("fit")
    no_season = _mapped(mw.datasets.load("weekly_sales"))
    no_season.configure_model(yearly_seasonality=None)
    assert "drop_vars" not in FitStep(FitParams(), no_season.step("model")).code().cell()


def test_exported_script_reproduces_summary_in_fresh_process(fitted, tmp_path):
    fitted.channel_summary().to_pickle(tmp_path / "expected.pkl")
    script = fitted.to_script()
    assert "mmm_widgets" not in script
    run_fresh(script + "\npd.testing.assert_frame_equal(channel_summary, "
              "pd.read_pickle('expected.pkl'), rtol=1e-9)\n", tmp_path)


def test_save_and_load_round_trip(fitted, tmp_path):
    fitted.save(tmp_path / "saved")
    loaded = mw.Workflow.load(tmp_path / "saved")
    pd.testing.assert_frame_equal(loaded.channel_summary(), fitted.channel_summary())
    assert loaded.to_script() == fitted.to_script()
    assert loaded.status("fit") == "done" and loaded.status("diagnostics") == "ready"


def test_save_and_load_frame_source(tmp_path, weekly):
    my_sales = weekly.assign(tv=weekly["tv"] * 1.1)
    wf = _mapped(my_sales, name="my_sales")
    wf.configure_model(l_max=4, yearly_seasonality=None)
    wf.fit("map")
    wf.save(tmp_path / "map")
    loaded = mw.Workflow.load(tmp_path / "map")
    assert loaded.source.name == "my_sales"
    pd.testing.assert_frame_equal(loaded.data, wf.data)
    pd.testing.assert_frame_equal(loaded.channel_summary(), wf.channel_summary())


def test_tampered_files_give_clear_errors(fitted, tmp_path):
    folder = fitted.save(tmp_path / "t")
    (folder / "workflow.json").write_text("{not json")
    with pytest.raises(mw.MMMWidgetsError, match="not valid JSON"):
        mw.Workflow.load(folder)
    fitted.save(folder)
    data = (folder / "model.nc").read_bytes()
    (folder / "model.nc").write_bytes(data[: len(data) // 3])
    with pytest.raises(mw.MMMWidgetsError, match=r"model\.nc"):
        mw.Workflow.load(folder)


def test_map_preview_is_quick_path(weekly, tmp_path):
    wf = _mapped(weekly)
    wf.configure_model()
    summary = wf.fit("map")
    assert np.isfinite(summary.to_numpy()).all()
    np.testing.assert_allclose(summary["contribution_hdi_low"], summary["contribution"])
    assert "method='map'" in wf.step_code("fit")
    summary.to_pickle(tmp_path / "expected.pkl")
    run_fresh(wf.to_script() + "\npd.testing.assert_frame_equal(channel_summary, "
              "pd.read_pickle('expected.pkl'), rtol=1e-6)\n", tmp_path)


def test_cancel_keeps_previous_fit_and_next_fit_works(weekly):
    wf = _mapped(weekly)
    wf.configure_model(l_max=4)
    before = wf.fit("map")
    job = wf.fit_in_background(draws=5000, tune=1000, chains=2)
    deadline = time.monotonic() + 120
    while job.monitor.snapshot().draws_done < 50 and time.monotonic() < deadline:
        assert not job.done, job.error
        time.sleep(0.1)
    progress = job.monitor.snapshot()
    assert progress.phase == "sampling" and progress.draws_total == 12000
    job.cancel()
    with pytest.raises(mw.FitCancelled):
        job.wait(60)
    assert job.monitor.snapshot().phase == "cancelled"
    pd.testing.assert_frame_equal(wf.channel_summary(), before)
    assert "method='map'" in wf.step_code("fit")
    after = wf.fit(draws=100, tune=100, chains=1, random_seed=3)
    assert after.shape == before.shape


def test_invalid_prior_is_a_model_error_and_keeps_configuration(weekly):
    wf = _mapped(weekly)
    wf.configure_model(l_max=6)
    with pytest.raises(mw.ModelError, match="saturation_lam"):
        wf.configure_model(priors={"saturation_lam": {"dist": "Gamma",
                                                      "kwargs": {"alpha": "x"}}})
    with pytest.raises(mw.ModelError, match="no parameter 'adstock_theta'"):
        wf.configure_model(priors={"adstock_theta": {"dist": "HalfNormal",
                                                     "kwargs": {"sigma": 1}}})
    assert wf.step("model").params.l_max == 6


def test_sampler_failure_is_readable(weekly):
    wf = _mapped(weekly)
    wf.configure_model(priors={"likelihood": {"dist": "Normal", "kwargs": {"sigma": -1.0},
                                              "dims": ["date"]}})
    with pytest.raises(mw.FitError) as info:
        wf.fit(draws=50, tune=50, chains=1)
    assert "Fix:" in str(info.value)
    with pytest.raises(mw.StepOrderError):
        wf.channel_summary()


def test_geo_model_with_lift_test(geo):
    wf = mw.Workflow(geo)
    wf.map_data(date="date", target="sales", channels=["tv", "search", "social", "display"],
                controls=["promo"], geo="geo")
    lift = pd.DataFrame([{"geo": "north", "channel": "search", "x": 6000.0,
                          "delta_x": 1500.0, "delta_y": 3000.0, "sigma": 600.0}])
    wf.configure_model(lift_tests=lift)
    code = wf.step_code("model")
    assert "dims=('geo',)" in code and "add_lift_test_measurements" in code
    summary = wf.fit("map")
    assert list(summary.index) == ["tv", "search", "social", "display"]
    np.testing.assert_allclose(summary["spend"], geo[summary.index].sum().to_numpy())
