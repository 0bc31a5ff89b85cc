"""wf.refresh: append new periods, refit with the same settings, compare ROAS before/after."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.refresh import COLUMNS, compare_roas
from tests.conftest import run_fresh

CHANNELS = ["tv", "radio", "search", "social", "display"]


def _fitted(frame: pd.DataFrame) -> mw.Workflow:
    wf = mw.Workflow(frame, name="sales_history")
    wf.map_data(date="date", target="sales", channels=CHANNELS, controls=["promo", "price_index"])
    wf.configure_model(l_max=4)
    wf.fit("map", random_seed=7)
    return wf


def test_compare_roas_flags_moves_outside_the_previous_interval():
    before = pd.DataFrame({"roas": [2.0, 1.0], "roas_hdi_low": [1.5, 0.8],
                           "roas_hdi_high": [2.5, 1.2]}, index=["tv", "search"])
    after = pd.DataFrame({"roas": [2.4, 1.5], "roas_hdi_low": [2.0, 1.3],
                          "roas_hdi_high": [2.8, 1.7]}, index=["tv", "search"])
    table = compare_roas(before, after)
    assert list(table.columns) == list(COLUMNS)
    assert table["moved"].tolist() == [False, True]
    assert table.loc["search", "change_pct"] == pytest.approx(50.0)


@pytest.mark.fit
def test_refresh_appends_periods_refits_and_keeps_the_previous_fit(weekly, tmp_path):
    wf = _fitted(weekly.head(130).copy())
    before = wf.channel_summary()
    fit_params = wf.step("fit").params
    model_params = wf.step("model").params
    wf.attribution(mw.datasets.load("journeys"), models=["linear"])
    with pytest.raises(mw.DataError, match="No row of the new data is dated after"):
        wf.refresh(weekly.head(100))
    with pytest.raises(mw.DataError, match="missing 'promo'"):
        wf.refresh(weekly.drop(columns="promo"))
    pd.testing.assert_frame_equal(wf.channel_summary(), before)
    assert wf.status("attribution") == "done"

    comparison = wf.refresh(weekly)
    assert list(comparison.columns) == list(COLUMNS)
    assert list(comparison.index) == CHANNELS
    assert len(wf.data) == len(weekly) and wf.last_refresh.added == len(weekly) - 130
    pd.testing.assert_frame_equal(wf.last_refresh.previous.channel_summary, before)
    pd.testing.assert_series_equal(comparison["roas_before"], before["roas"],
                                   check_names=False)
    after = wf.channel_summary()
    pd.testing.assert_series_equal(comparison["roas_after"], after["roas"], check_names=False)
    moved = (after["roas"] < before["roas_hdi_low"]) | (after["roas"] > before["roas_hdi_high"])
    assert comparison["moved"].tolist() == moved.tolist()
    # MAP intervals are points, so any change moves outside them.
    assert comparison["moved"].any()
    assert wf.step("fit").params == fit_params and wf.step("model").params == model_params
    assert wf.status("attribution") == "stale"
    # The refreshed fit is what the exported code computes: from the two tables the user
    # holds (the original and the new periods, under their own variables), nothing injected.
    wf.raw.to_pickle(tmp_path / "raw.pkl")
    weekly.to_pickle(tmp_path / "new.pkl")
    after.to_pickle(tmp_path / "expected.pkl")
    assert len(wf.raw) == 130
    script = wf.to_script()
    assert "mmm_widgets" not in script
    assert script.startswith("# Expects the DataFrames `sales_history`, `weekly` you gave")
    run_fresh("import pandas as pd\nsales_history = pd.read_pickle('raw.pkl')\n"
              "weekly = pd.read_pickle('new.pkl')\n" + script
              + "\nassert len(data) == len(weekly)\n"
              "pd.testing.assert_frame_equal(channel_summary, "
              "pd.read_pickle('expected.pkl'), rtol=1e-6)\n", tmp_path)
    # Both fits survive a save, and so does the workflow's interval level.
    wf.interval = 0.9
    folder = wf.save(tmp_path / "saved")
    loaded = mw.Workflow.load(folder)
    assert loaded.interval == 0.9 and loaded.last_refresh.added == wf.last_refresh.added
    pd.testing.assert_frame_equal(loaded.last_refresh.previous.channel_summary, before)
    pd.testing.assert_frame_equal(loaded.last_refresh.comparison, wf.last_refresh.comparison)
    pd.testing.assert_frame_equal(loaded.channel_summary(), after)
    state = (folder / "workflow.json").read_text()
    (folder / "workflow.json").write_text(state.replace('"previous_model.nc"', '"/etc/x.nc"'))
    with pytest.raises(mw.MMMWidgetsError, match="refresh should be"):
        mw.Workflow.load(folder)
