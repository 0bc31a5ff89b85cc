"""The budget panel driven headless on a quick MAP fit."""

from __future__ import annotations

import math
import os
import sys
import threading

import ipywidgets as w
import pytest
from ipywidgets.widgets.widget import _instances
from ipywidgets.widgets.widget_style import Style

import mmm_widgets as mw
from mmm_widgets.steps.budget import NO_LIMIT, TOTAL_ROW
from mmm_widgets.views import budget as budget_view
from mmm_widgets.views.budget import BudgetView
from tests.conftest import callback_running

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]


@pytest.fixture(scope="module")
def fitted() -> mw.Workflow:
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=CHANNELS,
                controls=["promo", "price_index"])
    wf.configure_model()
    wf.fit("map")
    return wf


@pytest.fixture(scope="module")
def optimized_panel(fitted) -> BudgetView:
    panel = BudgetView(fitted)
    assert panel.ready.wait(120)
    panel.total.value = 300_000.0
    panel.periods.value = 13
    panel.low["tv"].value = "60000"
    panel.high["search"].value = "120,000"
    panel.optimize_button.click()
    panel.wait(600)
    return panel


def test_panel_starts_with_curves_and_current_total(fitted):
    panel = BudgetView(fitted)
    assert panel.ready.wait(120)
    assert len(panel.curves_box.children) == 1 and "Computing" not in panel.curves_note.value
    run_rate = fitted.data[CHANNELS].tail(13).mean()
    assert panel.total.value == pytest.approx(round(run_rate.sum() * 13, -2))
    assert panel.cancel_button.disabled and not panel.optimize_button.disabled
    # Bounds start at current spend +/- 30 % over the horizon, rounded inwards.
    bounds = panel.bounds()
    for channel in CHANNELS:
        current = run_rate[channel] * 13
        assert bounds[channel] == (math.ceil(0.7 * current), math.floor(1.3 * current))
        assert not panel.low[channel].disabled
    # A longer horizon scales the bounds the panel filled in; edited ones stay.
    panel.low["tv"].value = "50,000"
    panel.periods.value = 26
    assert panel.bounds()["radio"] == (math.ceil(0.7 * run_rate["radio"] * 26),
                                       math.floor(1.3 * run_rate["radio"] * 26))
    assert panel.bounds()["tv"][0] == 50_000.0
    panel.no_limit.value = True
    assert panel.bounds() == NO_LIMIT and panel.low["radio"].disabled
    panel.default_bounds_button.click()
    assert not panel.no_limit.value
    assert panel.bounds()["tv"] == (math.ceil(0.7 * run_rate["tv"] * 26),
                                    math.floor(1.3 * run_rate["tv"] * 26))
    assert panel.synergy_note.value == ""


def test_panel_widgets_share_layout_and_style_models(fitted):
    # ipywidgets' default is one Layout and one style model per widget (196 models for
    # this panel); the panel's widgets share them, and each widget still gets its CSS.
    before = set(_instances)
    panel = BudgetView(fitted, defer_curves=True)
    made = [_instances[key] for key in set(_instances) - before]
    looks = [x for x in made if isinstance(x, (w.Layout, Style))]
    assert len(made) <= 100 and len(looks) <= 20
    assert panel.low["tv"].layout is panel.high["radio"].layout
    assert panel.low["tv"].layout.width == "120px"
    assert panel.optimize_button.style is panel.cancel_button.style
    assert panel.message.layout.width is None
    # The code box hides and shows itself through its layout: it keeps its own.
    assert panel.code_box.layout is not panel.message.layout


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice: Linux")
def test_curves_thread_alone_runs_at_lower_priority(fitted):
    panel = BudgetView(fitted, defer_curves=True)
    seen = {}
    draw = panel.show_curves

    def spy():
        seen["curves"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        draw()

    panel.show_curves = spy
    main = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    panel.shown()
    assert panel.ready.wait(120)
    assert seen["curves"] == min(19, main + 10)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main
    assert len(panel.curves_box.children) == 1


def test_optimize_button_runs_in_thread_and_fills_tables(fitted, optimized_panel):
    panel = optimized_panel
    params = fitted.step("budget").params
    assert params.total == 300_000.0 and params.periods == 13
    run_rate = fitted.data[CHANNELS].tail(13).mean() * 13
    # What the boxes show is what the optimizer gets: every channel, explicitly.
    assert params.bounds["tv"] == (60_000.0, math.floor(1.3 * run_rate["tv"]))
    assert params.bounds["search"] == (math.ceil(0.7 * run_rate["search"]), 120_000.0)
    assert set(params.bounds) == set(CHANNELS)
    allocation = fitted.step("budget").result.allocation
    for channel, (low, high) in params.bounds.items():
        assert low - 1e-6 <= allocation.at[channel, "optimized"] <= high + 1e-6, channel
    assert "<b>Allocation</b>" in panel.allocation_table.value
    assert "optimized" in panel.scenario_table.value
    assert panel.progress.description == "Done" and panel.progress.value == 1.0
    assert "Done in" in panel.status.value
    assert not panel.optimize_button.disabled and panel.cancel_button.disabled
    assert panel.message.value == ""
    assert panel.allocation() == pytest.approx(
        fitted.scenarios.allocation("optimized"), rel=1e-9)


def test_what_if_sliders_update_plot_and_numbers_live(fitted, optimized_panel):
    panel = optimized_panel
    source = panel._what_if_source
    # The update happens within the slider's change (no thread, no wait); its latency is
    # measured in benchmarks/run.py (latency), not asserted here.
    panel.sliders["tv"].value = 150_000.0
    expected = fitted.what_if(panel.allocation())
    assert source.data["contribution"][0] == pytest.approx(expected.at["tv", "contribution"])
    assert f"{expected.at[TOTAL_ROW, 'contribution']:,.0f}" in panel.what_if_summary.value
    panel.reset_current_button.click()
    assert panel.allocation() == pytest.approx(fitted.scenarios.allocation("current"))
    current = fitted.scenarios.compare().at["current", "expected_outcome"]
    assert f"{current:,.0f}" in panel.what_if_summary.value


def test_scenarios_added_from_sliders_and_budget_change(fitted, optimized_panel):
    panel = optimized_panel
    panel.reset_optimized_button.click()
    panel.sliders["display"].value = 20_000.0
    panel.scenario_name.value = "more display"
    panel.add_scenario_button.click()
    assert "Added scenario" in panel.message.value
    assert fitted.scenarios.allocation("more display")["display"] == pytest.approx(20_000.0)
    panel.change_pct.value = -10.0
    panel.change_base.value = "optimized"
    panel.add_change_button.click()
    table = fitted.scenarios.compare()
    assert "optimized -10 %" in table.index and "more display" in table.index
    assert panel.remove_choice.options == ("more display", "optimized -10 %")
    assert panel._scenario_plot[0].x_range.factors == list(table.index)
    panel.remove_choice.value = "more display"
    panel.remove_button.click()
    assert "more display" not in fitted.scenarios.compare().index
    assert panel.sliders["display"].value == pytest.approx(20_000.0)


def test_bad_bounds_are_reported_and_inputs_kept(fitted, optimized_panel):
    panel = optimized_panel
    before = fitted.step("budget").params
    panel.high["radio"].value = "lots"
    panel.optimize_button.click()
    assert "A bound of &#x27;radio&#x27; is not a number" in panel.message.value
    panel.high["radio"].value = "10"
    panel.low["radio"].value = "20"
    panel.optimize_button.click()
    panel.wait(60)
    assert "above its highest" in panel.message.value
    assert panel.low["radio"].value == "20" and panel.total.value == 300_000.0
    assert fitted.step("budget").params == before
    panel.low["radio"].value = panel.high["radio"].value = ""
    panel.total.value = -1.0
    panel.optimize_button.click()
    panel.wait(60)
    assert "must be positive" in panel.message.value
    panel.total.value = 300_000.0
    assert fitted.step("budget").params == before


def test_cancel_frees_the_panel_and_keeps_results(fitted, optimized_panel):
    panel = optimized_panel
    before = fitted.step("budget").result.allocation.copy()
    panel.total.value = 400_000.0
    panel.periods.value = 20
    panel.optimize_button.click()
    assert panel.cancel_button.disabled is False
    panel.cancel_button.click()
    assert "cancelled" in panel.message.value and "discarded" in panel.message.value
    assert not panel.optimize_button.disabled
    panel.wait(600)
    assert fitted.step("budget").result.allocation.equals(before)
    assert fitted.step("budget").params.periods == 13
    panel.total.value, panel.periods.value = 300_000.0, 13


def test_threshold_redraws_curves_and_export_writes_the_step_code(fitted, optimized_panel):
    panel = optimized_panel
    first = panel.curves_box.children[0]
    panel.threshold.value = 2.5
    assert panel.curves_box.children[0] is not first
    assert panel._curves.attrs["threshold"] == 2.5
    code = panel.export()
    assert code == fitted.step_code("budget")
    assert panel.code_box.code == code and "allocate_budget" in code


def test_wizard_starts_the_curves_once_the_panel_is_shown(fitted):
    wizard = mw.Wizard(fitted)
    panel = wizard.panel("budget")
    assert isinstance(panel, BudgetView)
    # Built but not shown: nothing competes with sending the panel to the browser.
    assert not panel.ready.wait(0.5) and "Computing" in panel.curves_note.value
    wizard.show("budget")
    assert panel.ready.wait(120) and len(panel.curves_box.children) == 1
    thread = panel._curves_thread
    wizard.show("data")
    wizard.show("budget")
    assert panel._curves_thread is thread


@pytest.fixture
def deferred_panel(fitted, monkeypatch) -> BudgetView:
    """A budget panel whose curves wait for :meth:`BudgetView.shown`, with no cap on their
    wait for quiet: curves waiting while a callback runs would never come unasked."""
    monkeypatch.setattr(budget_view, "CURVES_QUIET_TIMEOUT", 600.0)
    return BudgetView(fitted, defer_curves=True)


def test_the_first_curves_wait_until_the_click_that_opened_the_panel_ends(deferred_panel):
    panel = deferred_panel
    started, draw = threading.Event(), panel.show_curves

    def show_curves() -> None:
        started.set()
        draw()

    panel.show_curves = show_curves
    with callback_running():
        panel.shown()
        # Still answering the click: the curves have not even started, so nothing
        # competes with drawing the panel.
        assert not started.wait(0.5) and "Computing" in panel.curves_note.value
    assert panel.ready.wait(120) and started.is_set()
    assert len(panel.curves_box.children) == 1


def test_a_callback_that_needs_the_curves_does_not_wait_for_itself_to_end(deferred_panel):
    panel = deferred_panel
    with callback_running():
        panel.shown()
        # What Optimize does inside its callback: the curves come without any quiet.
        panel.wait(60)
        assert panel.ready.is_set() and len(panel.curves_box.children) == 1


def test_panel_says_the_plan_leaves_out_a_measured_interaction(weekly):
    wf = mw.Workflow(weekly)
    wf.map_data(date="date", target="sales", channels=CHANNELS, controls=["promo"])
    wf.configure_model(l_max=4, interactions=[("tv", "search")])
    panel = BudgetView(wf, defer_curves=True)
    assert "does not include the measured interaction of tv x search" in \
        panel.synergy_note.value
