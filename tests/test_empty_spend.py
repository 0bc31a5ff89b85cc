"""Empty spend cells: reported by default, read as no spend when the user says so."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.views.data import DataView
from tests.conformance.tables import TableSpec, table

VARIATION = TableSpec(seed=6, n_channels=3, zero_runs=True)
ROLES = {"date": "date", "target": "sales", "channels": ["tv_S", "radio_S", "search_S"],
         "controls": ["promo_flag"]}


def _exported() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The generated table, and the same as an export writes it: no spend is an empty cell."""
    numbers = table(VARIATION)
    assert (numbers["tv_S"] == 0).sum() > 10  # the flighted channel's off weeks
    exported = numbers.copy()
    exported[ROLES["channels"]] = exported[ROLES["channels"]].replace(0.0, np.nan)
    return numbers, exported


def test_empty_spend_is_reported_with_the_option_that_reads_it_as_zero():
    _, exported = _exported()
    wf = mw.Workflow()
    wf.set_frame(exported)
    with pytest.raises(mw.DataError) as raised:
        wf.map_data(**ROLES)
    assert "tv_S" in raised.value.columns
    assert "empty_spend_is_zero=True" in str(raised.value)


def test_empty_spend_read_as_zero_gives_the_tables_numbers_and_the_export_does_the_same():
    numbers, exported = _exported()
    wf = mw.Workflow()
    wf.set_frame(exported)
    wf.map_data(**ROLES, empty_spend_is_zero=True)
    expected = mw.Workflow()
    expected.set_frame(numbers)
    expected.map_data(**ROLES)
    pd.testing.assert_frame_equal(wf.data, expected.data)
    names = {"df": exported}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)


def test_an_empty_target_cell_is_still_reported():
    _, exported = _exported()
    exported.loc[5, "sales"] = np.nan
    wf = mw.Workflow()
    wf.set_frame(exported)
    with pytest.raises(mw.DataError, match="The target has missing values"):
        wf.map_data(**ROLES, empty_spend_is_zero=True)


def test_the_data_panels_box_reads_empty_spend_as_zero(tmp_path):
    numbers, exported = _exported()
    panel = DataView(mw.Workflow(), namespace={"exported": exported}, upload_dir=tmp_path)
    panel.frame_picker.value = "exported"
    panel.suggest()
    panel.apply_button.click()
    assert "empty_spend_is_zero=True" in panel.message.value
    panel.empty_spend.value = True
    panel.apply_button.click()
    assert "Mapping applied" in panel.message.value
    np.testing.assert_allclose(panel.workflow.data["tv_S"], numbers["tv_S"])
    assert panel.workflow.step("data").params.empty_spend_is_zero
