"""The bundled fitted workflow loads without fitting and matches a refit."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.datasets.fitted import SETTINGS

pytestmark = pytest.mark.fit


def test_load_fitted_is_ready_and_equals_its_exported_refit(tmp_path):
    wf = mw.datasets.load_fitted("weekly_sales")
    assert wf.status("fit") == "done" and wf.step("fit").result.seconds == 0.0
    params = wf.step("fit").params
    assert (params.draws, params.tune, params.chains, params.random_seed) == (
        SETTINGS["draws"], SETTINGS["tune"], SETTINGS["chains"], SETTINGS["random_seed"])
    # Exported code reads the table beside the notebook, never inside the installed package.
    script = wf.to_script()
    assert "pd.read_csv('weekly_sales.csv'" in script
    assert str(mw.datasets.HERE) not in script
    fresh = mw.Workflow(mw.datasets.load("weekly_sales"))
    fresh.map_data(**fresh.suggest_mapping())
    fresh.configure_model()
    summary = fresh.fit(**SETTINGS)
    pd.testing.assert_frame_equal(wf.channel_summary(), summary, rtol=1e-9)
    assert wf.diagnostics()["r2"] > 0.9


def test_unknown_fitted_dataset_is_a_data_error():
    with pytest.raises(mw.DataError, match="weekly_sales"):
        mw.datasets.load_fitted("geo_sales")
