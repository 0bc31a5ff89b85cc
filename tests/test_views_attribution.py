"""The attribution panel driven headless: pick a table, edit the map, compare, export."""

from __future__ import annotations

import ipywidgets as w
import pandas as pd
import pytest
from ipywidgets.widgets.widget import _instances
from ipywidgets.widgets.widget_style import Style

import mmm_widgets as mw
from mmm_widgets.views.attribution import EXAMPLE, NOT_MAPPED, AttributionView

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]


@pytest.fixture(scope="module")
def fitted() -> mw.Workflow:
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=CHANNELS, controls=["promo", "price_index"])
    wf.configure_model()
    wf.fit("map")
    return wf


@pytest.fixture
def touches() -> pd.DataFrame:
    return mw.datasets.load("journeys").rename(columns={"user_id": "Visitor",
                                                        "timestamp": "Event Time"})


def test_pick_table_suggests_columns_and_map(fitted, touches):
    panel = AttributionView(fitted, namespace={"touches": touches, "n": 3, "_hidden": touches})
    assert panel.frame_picker.options == (EXAMPLE, "touches")
    panel.frame_picker.value = "touches"
    assert (panel.user.value, panel.time.value, panel.channel.value,
            panel.conversion.value, panel.value.value) == ("Visitor", "Event Time", "channel",
                                                           "converted", "revenue")
    assert {label: box.value for label, box in panel.map_inputs.items()} == {
        "Direct": NOT_MAPPED, "Display": "display", "Email": NOT_MAPPED,
        "Paid Search": "search", "Paid Social": "social"}
    assert panel.direct.value == "Direct"
    assert "suggested" in panel.message.value


def test_panel_widgets_share_layout_and_style_models(fitted):
    # ipywidgets' default is one Layout and one style model per widget (156 models for
    # this panel with its cross-channel section); the panels' widgets share them.
    before = set(_instances)
    panel = AttributionView(fitted, namespace={})
    made = [_instances[key] for key in set(_instances) - before]
    looks = [x for x in made if isinstance(x, (w.Layout, Style))]
    assert len(made) <= 90 and len(looks) <= 25
    assert panel.user.layout is panel.time.layout and panel.user.style is panel.value.style
    assert panel.cross.analyse_button.style is panel.cross.export_button.style
    assert panel.cross.max_steps.layout.width == "150px"
    # The code boxes hide and show themselves through their layouts: each keeps its own.
    assert panel.code_box.layout is not panel.message.layout


def test_compare_runs_the_step_and_shows_chart_table_and_notes(fitted, touches):
    panel = AttributionView(fitted, namespace={"touches": touches})
    panel.frame_picker.value = "touches"
    panel.map_inputs["Email"].value = "social"
    panel.models.value = ("last_touch", "shapley")
    panel.platform_inputs["search"].value = 4000.0
    panel.platform_inputs["display"].value = 1000.0
    panel.lookback.value = "30D"
    panel.compare_button.click()
    params = fitted.step("attribution").params
    assert params.journeys.name == "touches" and params.user == "Visitor"
    assert params.channel_map["Email"] == "social" and params.models == ("last_touch",
                                                                         "shapley")
    assert params.platform == {"search": 4000.0, "display": 1000.0}
    assert params.lookback == "30D" and params.weight == "value"
    table = fitted.attribution_result.table
    assert table.loc["search", "platform_share"] == pytest.approx(0.8)
    assert "Compared" in panel.message.value
    assert "tv and radio have no touches" in panel.notes.value
    assert len(panel.chart.children) == 1
    assert "pts" in panel.table.value and "⚠" in panel.table.value
    assert "offline" in panel.explanation.value and "incrementality" in panel.explanation.value
    panel.export_button.click()
    assert panel.code_box.code == fitted.step_code("attribution")
    assert "cut_journeys(touches, " in panel.code_box.code


def test_bad_column_is_reported_and_result_kept(fitted, touches):
    panel = AttributionView(fitted, namespace={"touches": touches})
    panel.frame_picker.value = "touches"
    panel.compare_button.click()
    before = fitted.attribution_result.table
    panel.conversion.value = "channel"
    panel.compare_button.click()
    assert "problem" in panel.message.value and "<b>channel</b>" in panel.message.value
    pd.testing.assert_frame_equal(fitted.attribution_result.table, before)
    for box in panel.map_inputs.values():
        box.value = NOT_MAPPED
    panel.conversion.value = "converted"
    panel.compare_button.click()
    assert "None of the journey channels maps" in panel.message.value


def test_reopened_panel_shows_the_current_step(fitted, touches):
    panel = AttributionView(fitted, namespace={"touches": touches})
    panel.frame_picker.value = "touches"
    panel.platform_inputs["social"].value = 250.0
    panel.compare_button.click()
    again = AttributionView(fitted, namespace={})
    assert again.frame_picker.value == "(current table)"
    assert again.user.value == "Visitor" and again.platform_inputs["social"].value == 250.0
    assert "Compared" in again.message.value and len(again.chart.children) == 1
    again.compare_button.click()
    assert fitted.step("attribution").params.journeys.name == "touches"


def test_wizard_and_bundled_example(fitted):
    wizard = mw.Wizard(fitted)
    panel = wizard.panel("attribution")
    assert isinstance(panel, AttributionView)
    panel.frame_picker.value = EXAMPLE
    panel.compare_button.click()
    params = fitted.step("attribution").params
    assert params.journeys.kind == "csv" and params.journeys.name == "journeys"
    assert fitted.status("attribution") == "done"


def test_panel_keeps_custom_rules_and_shows_incremental_credit(fitted, touches):
    rule = mw.mta.custom_rule("my_rule", first=0.3, middle=0.4, last=0.3)
    fitted.attribution(touches, models=["last_touch", rule], platform={"search": "promo"})
    panel = AttributionView(fitted, namespace={})
    assert "my_rule" in panel.models.options
    assert panel.models.value == ("last_touch", "my_rule")
    assert "Influenced vs incremental" in panel.incremental.value
    assert "my rule" in panel.incremental.value
    panel.platform_inputs["social"].value = 10.0
    panel.compare_button.click()
    params = fitted.step("attribution").params
    assert params.models == ("last_touch", "my_rule")
    assert params.custom_rules[0].middle == 0.4
    assert params.platform_columns == {"search": "promo"} and params.platform == {"social": 10.0}
    assert "my_rule_share" in fitted.attribution_result.table


# ----- cross-channel section ------------------------------------------------------------
def test_compare_also_analyses_journeys_and_shows_the_cross_channel_section(fitted, touches):
    from bokeh.models import GraphRenderer

    panel = AttributionView(fitted, namespace={"touches": touches})
    panel.frame_picker.value = "touches"
    panel.lookback.value = "30D"
    panel.compare_button.click()
    cross = panel.cross
    assert cross in panel.cross_section.children and panel.cross_section.selected_index == 0
    params, given = fitted.step("synergy").params, fitted.step("attribution").params
    assert params.journeys == given.journeys and params.journeys.name == "touches"
    assert (params.user, params.time, params.lookback) == ("Visitor", "Event Time", "30D")
    assert params.channel_map == given.channel_map
    assert "Analysed" in cross.message.value and "observational" in cross.notes.value
    sankey = cross.sankey.children[0]
    assert type(sankey).__name__ == "BokehModel"
    assert "search" in cross.paths.value and "share of conversions" in cross.paths.value
    assert len(cross.lift_chart.children) == 1
    table = fitted.synergy_result.table
    first = table.iloc[0]
    assert f"{first['lift']:.2f}" in cross.table.value and first["verdict"] in cross.table.value
    assert "observational" in cross.explanation.value and "Lift 1.3" in cross.explanation.value
    graph = next(r for r in sankey._model.renderers if isinstance(r, GraphRenderer))
    edges = graph.edge_renderer.data_source.data
    assert sum(edges["journeys"]) == fitted.synergy_result.flows["journeys"].sum()


def test_cross_channel_buttons_rerun_export_and_report_errors(fitted, touches):
    panel = AttributionView(fitted, namespace={"touches": touches})
    panel.frame_picker.value = "touches"
    cross = panel.cross
    cross.max_steps.value, cross.top.value = 2, 3
    cross.analyse_button.click()
    params = fitted.step("synergy").params
    assert (params.max_steps, params.top) == (2, 3)
    assert len(fitted.synergy_result.paths) == 3
    assert cross.paths.value.count("<tr>") == 4
    before = fitted.synergy_result.table
    panel.conversion.value = "channel"
    cross.analyse_button.click()
    assert "problem" in cross.message.value and "<b>channel</b>" in cross.message.value
    pd.testing.assert_frame_equal(fitted.synergy_result.table, before)
    cross.export_button.click()
    assert cross.code_box.code == fitted.step_code("synergy")
    assert "cut_journeys(touches, " in cross.code_box.code
    reopened = AttributionView(fitted, namespace={})
    assert (reopened.cross.max_steps.value, reopened.cross.top.value) == (2, 3)
    assert "Analysed" in reopened.cross.message.value


def test_cross_channel_view_alone_needs_journeys_but_no_model():
    from mmm_widgets.views.cross_channel import CrossChannelView

    wf = mw.Workflow()
    view = CrossChannelView(wf)
    assert "Analyse journeys" in view.message.value
    view.analyse_button.click()
    assert "No journeys to analyse" in view.message.value
    journeys = mw.datasets.load("journeys")
    view = CrossChannelView(wf, inputs=lambda: (journeys, {"name": "journeys"}))
    view.analyse_button.click()
    assert "Analysed" in view.message.value and wf.status("synergy") == "done"
    assert len(view.sankey.children) == 1
