"""Text controls become indicator columns; Excel serial dates are read as dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.categorical import levels_of
from tests.conftest import run_fresh

N = 40


def _table(events: list[object]) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({
        "week_start": pd.date_range("2023-01-02", periods=N, freq="W-MON").strftime("%Y-%m-%d"),
        "tv": rng.uniform(100, 1000, N), "search": rng.uniform(50, 500, N),
        "events": events, "Net Revenue (EUR)": rng.uniform(1e4, 2e4, N),
    })


def _events() -> list[object]:
    events: list[object] = ["na"] * N
    for row in (3, 17, 30):
        events[row] = "event2"
    for row in (8, 25):
        events[row] = " black friday "
    return events


def _mapped(frame: pd.DataFrame) -> mw.Workflow:
    raw_table = frame
    wf = mw.Workflow(raw_table)
    wf.map_data(date="week_start", target="Net Revenue (EUR)", channels=["tv", "search"],
                controls=["events"])
    return wf


def test_a_text_control_becomes_one_indicator_per_level_but_the_na_reference():
    wf = _mapped(_table(_events()))
    data = wf.data
    assert "events" not in data.columns
    assert wf.data_result.roles.controls == ("events=black friday", "events=event2")
    assert data["events=event2"].tolist() == [1.0 if r in (3, 17, 30) else 0.0
                                              for r in range(N)]
    assert data["events=black friday"].sum() == 2.0
    (found,) = wf.step("data").params.categorical
    assert (found.reference, found.levels) == ("na", ("black friday", "event2"))


def test_without_a_nothing_level_the_most_frequent_level_is_the_reference():
    values = pd.Series(["low"] * 20 + ["high"] * 12 + ["mid"] * 8)
    found = levels_of(values, "season")
    assert (found.reference, found.levels) == ("low", ("high", "mid"))


def test_missing_text_values_are_the_empty_reference_level():
    events = [None if v == "na" else v for v in _events()]
    wf = _mapped(_table(events))
    (found,) = wf.step("data").params.categorical
    assert found.reference == ""
    assert wf.data["events=event2"].sum() == 3.0


def test_the_model_uses_the_indicators_as_controls_and_the_export_replays(tmp_path):
    frame = _table(_events())
    frame.to_csv(tmp_path / "events.csv", index=False)
    wf = mw.Workflow.from_file(tmp_path / "events.csv")
    wf.map_data(date="week_start", target="Net Revenue (EUR)", channels=["tv", "search"],
                controls=["events"])
    wf.configure_model(l_max=4, yearly_seasonality=None)
    assert list(wf.step("model").result.control_columns) == ["events=black friday", "events=event2"]
    wf.data.to_pickle(tmp_path / "expected.pkl")
    run_fresh(wf.to_script() + "\nimport pandas as pd\n"
              "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n"
              "assert list(mmm.control_columns) == ['events=black friday', 'events=event2']\n",
              tmp_path)


def test_a_control_with_too_many_text_values_is_a_data_error_naming_it():
    frame = _table([f"campaign {i % 60}" for i in range(N)])
    frame = pd.concat([frame] * 2, ignore_index=True)
    frame["week_start"] = pd.date_range("2023-01-02", periods=2 * N, freq="W-MON").strftime(
        "%Y-%m-%d")
    frame["events"] = [f"campaign {i}" for i in range(2 * N)]
    with pytest.raises(DataError) as error:
        _mapped(frame)
    assert "events" in str(error.value) and "categories" in str(error.value)


def test_a_numeric_control_with_a_text_typo_is_still_reported_as_text():
    frame = _table(_events()).assign(price=np.linspace(1, 2, N).astype(object))
    frame.loc[5, "price"] = "n/a"
    wf = mw.Workflow(frame)
    with pytest.raises(DataError) as error:
        wf.map_data(date="week_start", target="Net Revenue (EUR)", channels=["tv"],
                    controls=["price"])
    assert "price" in str(error.value) and "row 5" in str(error.value)


def test_excel_serial_dates_are_read_as_dates_and_exported_with_their_origin(tmp_path):
    frame = _table(_events())
    dates = pd.to_datetime(frame["week_start"])
    frame["week_start"] = (dates - pd.Timestamp("1899-12-30")).dt.days
    frame.to_csv(tmp_path / "serials.csv", index=False)
    wf = mw.Workflow.from_file(tmp_path / "serials.csv")
    assert wf.suggest_mapping()["date"] == "week_start"
    wf.map_data(date="week_start", target="Net Revenue (EUR)", channels=["tv", "search"])
    assert wf.data["week_start"].tolist() == dates.tolist()
    script = wf.to_script()
    assert "unit='D', origin='1899-12-30'" in script
    wf.data.to_pickle(tmp_path / "expected.pkl")
    run_fresh(script + "\nimport pandas as pd\n"
              "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n", tmp_path)


def test_the_data_panel_suggests_the_text_control_and_lists_its_levels():
    from mmm_widgets.views.data import DataView

    panel = DataView(mw.Workflow(_table(_events())), namespace={})
    assert panel.controls.value == ("events",)
    panel.apply_button.click()
    assert "Mapping applied" in panel.message.value
    assert "&#x27;event2&#x27;" in panel.message.value
    assert "&#x27;na&#x27; is the reference" in panel.message.value
