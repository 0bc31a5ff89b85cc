import datetime
import gc

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.views.data import DataView
from mmm_widgets.views.wizard import _import_and_collect


def test_wizard_opens_on_data_step_with_suggested_roles(weekly):
    wizard = mw.Wizard(weekly)
    panel = wizard.panel("data")
    assert wizard.current == "data"
    assert panel.target.value == "sales"
    assert panel.channels.value == ("tv", "radio", "search", "social", "display")


@pytest.mark.parametrize("enabled", [True, False])
def test_preload_collects_once_with_the_collector_paused(enabled, monkeypatch):
    collected = []
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(gc.isenabled()))
    monkeypatch.setattr(gc, "freeze", lambda: pytest.fail("gc.freeze() keeps user garbage"))
    (gc.enable if enabled else gc.disable)()
    try:
        _import_and_collect("json")
        # Collected while still paused: no young collection in another thread first.
        assert gc.isenabled() is enabled and collected == [False]
    finally:
        gc.enable()


def test_preload_warms_up_after_the_import_with_the_collector_paused(monkeypatch):
    collected, warmed = [], []
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(len(warmed)))
    _import_and_collect("json", warm=lambda: warmed.append(gc.isenabled()))
    assert warmed == [False] and collected == [1]


def test_preload_settles_before_collecting_with_the_collector_paused(monkeypatch):
    order = []
    monkeypatch.setattr(gc, "collect", lambda *args: order.append("collect"))
    _import_and_collect("json", warm=lambda: order.append("warm"),
                        settle=lambda: order.append(("settle", gc.isenabled())))
    assert order == ["warm", ("settle", False), "collect"]


def test_apply_changes_the_workflow_like_clicks(weekly):
    wizard = mw.Wizard(weekly)
    panel = wizard.panel("data")
    panel.channels.value = ("tv", "search")
    panel.controls.value = ("promo",)
    panel.apply_button.click()
    wf = wizard.workflow
    assert list(wf.data.columns) == ["date", "tv", "search", "promo", "sales"]
    assert "Mapping applied" in panel.message.value
    assert "Data quality" in panel.quality.value
    assert len(panel.plots.children) == 3
    assert wizard.status_icons()["data"] == "done" and wizard.stepper.icons[0] == "check"


def test_bad_mapping_shows_problems_and_keeps_everything(weekly):
    frame = weekly.copy()
    frame.loc[4, "tv"] = -3.0
    frame.loc[6, "sales"] = None
    panel = DataView(mw.Workflow(frame), namespace={})
    panel.apply_button.click()
    assert "2 problems to fix" in panel.message.value
    assert "<b>tv</b>" in panel.message.value and "<b>sales</b>" in panel.message.value
    assert panel.channels.value == ("tv", "radio", "search", "social", "display")
    assert panel.workflow.status("data") == "ready"


def test_error_after_success_keeps_previous_mapping(weekly):
    panel = DataView(mw.Workflow(weekly), namespace={})
    panel.channels.value = ("tv", "search")
    panel.apply_button.click()
    panel.target.value = "tv"
    panel.apply_button.click()
    assert "also mapped as a spend channel" in panel.message.value
    assert panel.target.value == "tv"
    assert panel.workflow.step("data").params.target == "sales"


def test_pick_frame_from_namespace(weekly, geo):
    namespace = {"national": weekly, "regional": geo, "_hidden": weekly, "n": 3}
    panel = DataView(mw.Workflow(), namespace=namespace)
    assert panel.frame_picker.options == ("national", "regional")
    panel.frame_picker.value = "regional"
    assert panel.geo.value == "geo"
    panel.apply_button.click()
    assert panel.workflow.source.name == "regional"
    assert panel.workflow.data["geo"].nunique() == 4


def test_upload_csv_saves_file_and_exports_read(tmp_path, weekly):
    content = weekly.to_csv(index=False, sep=";").encode()
    panel = DataView(mw.Workflow(), namespace={}, upload_dir=tmp_path)
    panel.separator.value = "semicolon ;"
    panel.upload.value = ({"name": "spend.csv", "type": "text/csv", "size": len(content),
                           "content": memoryview(content),
                           "last_modified": datetime.datetime(2025, 1, 1)},)
    assert (tmp_path / "spend.csv").read_bytes() == content
    assert panel.target.value == "sales"
    panel.apply_button.click()
    code = panel.export()
    assert "sep=';'" in code and "spend.csv" in code
    assert "pd.read_csv" in panel.code_box.code_html.value


@pytest.mark.parametrize(("name", "reader"), [("spend.parquet", "pd.read_parquet"),
                                                ("spend.jsonl", "pd.read_json")])
def test_upload_of_another_kind_of_file_reads_it_with_its_reader(name, reader, tmp_path,
                                                                 weekly):
    written = tmp_path / "written"
    written.mkdir()
    if name.endswith(".parquet"):
        weekly.to_parquet(written / name)
    else:
        weekly.to_json(written / name, orient="records", lines=True)
    content = (written / name).read_bytes()
    panel = DataView(mw.Workflow(), namespace={}, upload_dir=tmp_path)
    panel.skiprows.value = 1  # a CSV's option left in its box: not one of these readers'
    assert name.rsplit(".", 1)[1] in panel.upload.accept
    panel.upload.value = ({"name": name, "type": "", "size": len(content),
                           "content": memoryview(content),
                           "last_modified": datetime.datetime(2025, 1, 1)},)
    assert panel.target.value == "sales"
    panel.apply_button.click()
    assert len(panel.workflow.data) == len(weekly)
    assert f"{reader}(" in panel.export()


def test_export_button_shows_the_code_that_ran(weekly):
    panel = DataView(mw.Workflow(weekly), namespace={})
    panel.apply_button.click()
    panel.export_button.click()
    namespace: dict = {}
    exec(panel.code_box.code, namespace)
    pd.testing.assert_frame_equal(namespace["data"], panel.workflow.data)


def test_export_before_apply_reports_in_panel(weekly):
    panel = DataView(mw.Workflow(weekly), namespace={})
    panel.export_button.click()
    assert "has not been done yet" in panel.message.value


def test_long_table_in_panel(weekly):
    long_frame = weekly.melt(id_vars=["date", "sales"], value_vars=["tv", "search"],
                             var_name="channel", value_name="spend")
    panel = DataView(mw.Workflow(long_frame), namespace={})
    panel.is_long.value = True
    panel.channel_column.value = "channel"
    panel.value_column.value = "spend"
    panel.controls.value = ()
    panel.apply_button.click()
    assert sorted(panel.workflow.data_result.roles.channels) == ["search", "tv"]


def test_blocked_step_explains_what_it_needs(weekly):
    wizard = mw.Wizard(weekly)
    wizard.stepper.value = "fit"
    assert "needs these steps first" in wizard.status_line.value
