"""The model and fit panels driven headless, with real (quick) fits."""

from __future__ import annotations

import asyncio
import threading
import time

import ipywidgets as w
import pandas as pd
import pytest
from ipywidgets.widgets.widget import _instances
from ipywidgets.widgets.widget_style import Style

import mmm_widgets as mw
from mmm_widgets.views import activity
from mmm_widgets.views.fit import FitView
from mmm_widgets.views.model import ModelView
from mmm_widgets.views.wizard import AHEAD_QUIET, STEP_ORDER


@pytest.fixture
def mapped(weekly) -> mw.Workflow:
    wf = mw.Workflow(weekly)
    wf.map_data(date="date", target="sales", channels=["tv", "search", "social"],
                controls=["promo"])
    return wf


def test_model_panel_applies_settings_and_priors(mapped):
    panel = ModelView(mapped)
    assert panel.prior_inputs["adstock_alpha"].value == "Beta(alpha=1, beta=3)"
    assert "carries over" in panel.prior_box.children[0].children[1].value
    panel.saturation.value = "hill"
    assert "saturation_kappa" in panel.prior_inputs
    panel.l_max.value = 6
    panel.prior_inputs["adstock_alpha"].value = "Beta(alpha=2, beta=2)"
    panel.add_lift_button.click()
    row = panel.lift_rows.children[0]
    row.children[0].value = "search"
    for field, value in zip(row.children[1:5], (6000.0, 1000.0, 2500.0, 500.0), strict=True):
        field.value = value
    panel.apply_button.click()
    params = mapped.step("model").params
    assert (params.saturation, params.l_max) == ("hill", 6)
    assert params.priors == {"adstock_alpha": {"dist": "Beta", "kwargs": {"alpha": 2, "beta": 2}}}
    assert params.lift_tests[0].channel == "search" and params.lift_tests[0].delta_y == 2500.0
    assert "Model ready" in panel.message.value


def test_model_and_fit_panels_share_layout_and_style_models(mapped):
    # ipywidgets' default is one Layout and one style model per widget (130 models for
    # the model panel, 96 for the fit panel); the widgets share them and keep their CSS.
    before = set(_instances)
    panel = ModelView(mapped)
    made = [_instances[key] for key in set(_instances) - before]
    assert len(made) <= 70 and sum(isinstance(x, (w.Layout, Style)) for x in made) <= 16
    prior, other = panel.prior_inputs["adstock_alpha"], panel.prior_inputs["intercept"]
    assert prior.layout is other.layout and prior.style is other.style
    assert prior.layout.width == "420px" and prior.style.description_width == "130px"
    panel.add_lift_row()
    x_box, sigma_box = panel.lift_rows.children[0].children[1], \
        panel.lift_rows.children[0].children[4]
    assert x_box.style is sigma_box.style and x_box.style.description_width == "55px"
    assert x_box.layout.width == "160px" and x_box.style is not prior.style
    assert panel.apply_button.style is panel.export_button.style
    # The code box hides and shows itself through its layout: it keeps its own.
    assert panel.code_box.layout is not panel.message.layout

    before = set(_instances)
    fit_panel = FitView(mapped)
    made = [_instances[key] for key in set(_instances) - before]
    assert len(made) <= 55 and sum(isinstance(x, (w.Layout, Style)) for x in made) <= 16
    assert fit_panel.draws.layout is fit_panel.seed.layout
    assert fit_panel.reload_button.layout.width == "40px"
    assert fit_panel.draws.layout.width is None


def test_model_panel_interactions_round_trip(mapped):
    panel = ModelView(mapped)
    labels = [label for label, _ in panel.interactions.options]
    assert labels == ["tv x search", "tv x social", "search x social"]
    panel.interactions.value = (("tv", "social"),)
    panel.apply_button.click()
    assert mapped.step("model").params.interactions == (("tv", "social"),)
    assert "interactions tv x social" in panel.message.value
    assert ModelView(mapped).interactions.value == (("tv", "social"),)


def test_model_panel_bad_prior_text_keeps_entries(mapped):
    panel = ModelView(mapped)
    panel.apply_button.click()
    panel.prior_inputs["saturation_lam"].value = "Gamma(alpha=3, beta=oops)"
    panel.l_max.value = 5
    panel.apply_button.click()
    assert "could not be read" in panel.message.value
    assert panel.prior_inputs["saturation_lam"].value == "Gamma(alpha=3, beta=oops)"
    assert mapped.step("model").params.l_max == 8


def test_prior_check_gives_a_verdict(mapped):
    panel = ModelView(mapped)
    panel.check_button.click()
    check = mapped.prior_check()
    assert check.verdict in ("ok", "warn")
    assert check.implied_low < check.implied_high
    assert "priors" in panel.prior_message.value


def test_prior_check_flags_implausible_priors(mapped):
    mapped.configure_model(priors={"intercept": {"dist": "Normal",
                                                 "kwargs": {"mu": 50, "sigma": 0.1}}})
    check = mapped.prior_check()
    assert check.verdict == "warn" and "does not cover" in check.message


@pytest.mark.fit
def test_fit_panel_quick_preview_shows_card_and_table(mapped):
    mapped.configure_model(l_max=4)
    panel = FitView(mapped)
    panel.preset.value = "Quick preview (MAP)"
    panel.start_button.click()
    panel.wait(300)
    assert "Fitted" in panel.card.value and "MAP" in panel.card.value
    assert "roas_hdi_low" in panel.table.value
    assert not panel.start_button.disabled and panel.cancel_button.disabled


@pytest.mark.fit
def test_fit_panel_cancel_keeps_state_and_kernel_free(mapped):
    mapped.configure_model(l_max=4)
    panel = FitView(mapped)
    panel.draws.value, panel.tune.value = 5000, 2000
    job = panel.start()
    deadline = time.monotonic() + 120
    while job.monitor.snapshot().draws_done < 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert "draws" in panel.status.value
    panel.cancel_button.click()
    panel.wait(60)
    assert "Fit cancelled" in panel.message.value
    assert mapped.status("fit") == "ready"


def test_wizard_guards_and_invalidation(mapped):
    wizard = mw.Wizard(mapped)
    wizard.stepper.value = "fit"
    assert "needs these steps first" in wizard.status_line.value
    wizard.stepper.value = "model"
    wizard.panel("model").apply_button.click()
    assert mapped.status("fit") == "ready"
    wizard.stepper.value = "data"
    wizard.panel("data").channels.value = ("tv", "search")
    wizard.panel("data").apply_button.click()
    assert mapped.status("model") == "stale"
    assert wizard.stepper.icons[1] == "refresh"
    assert "model" not in wizard._panels


def test_wizard_keeps_built_panels_hidden_with_what_was_entered(mapped):
    wizard = mw.Wizard(mapped, save_to=None)
    slots = list(wizard.body.children)

    def in_body():
        return [slot.children[0] for slot in wizard.body.children if slot.children]

    data = wizard.shown_panel
    data.channels.value = ("tv", "search")  # entered, not applied
    wizard.stepper.value = "model"
    model = wizard.shown_panel
    model.l_max.value = 6
    assert isinstance(model, ModelView) and wizard.slots["data"].layout.display == "none"
    assert in_body() == [data, model]
    # A blocked step shows no panel; the built ones wait, hidden.
    wizard.stepper.value = "fit"
    assert wizard.shown_panel is None and in_body() == [data, model]
    wizard.stepper.value = "data"
    assert wizard.shown_panel is data and data.channels.value == ("tv", "search")
    assert wizard.slots["model"].layout.display == "none"
    wizard.stepper.value = "model"
    assert wizard.shown_panel is model and model.l_max.value == 6
    # A panel built on an old result leaves the body as soon as that result changes,
    # taken out of its own slot: the body's children, whose change would make the browser
    # rebuild the views after the first one that differs, stay the same.
    wizard.stepper.value = "data"
    data_slot = wizard.slots["data"].children
    data.apply_button.click()
    assert model not in in_body() and in_body() == [data]
    wizard.stepper.value = "model"
    assert wizard.shown_panel is not model and in_body() == [data, wizard.shown_panel]
    assert list(wizard.body.children) == slots and wizard.slots["data"].children == data_slot


@pytest.mark.fit
def test_wizard_saves_every_step_and_restores_without_refit(weekly, tmp_path):
    folder = tmp_path / "saved"
    wizard = mw.Wizard(weekly, save_to=folder, namespace={})
    wizard.panel("data").apply_button.click()
    wizard.stepper.value = "model"
    wizard.panel("model").apply_button.click()
    wizard.workflow.fit("map")
    assert (folder / "model.nc").exists()
    summary = wizard.workflow.channel_summary()
    again = mw.Wizard(weekly, save_to=folder, namespace={})
    assert again.restored and "Restored" in again.status_line.value
    assert again.workflow.status("fit") == "done"
    assert again.workflow.step("fit").result.seconds == 0.0
    pd.testing.assert_frame_equal(again.workflow.channel_summary(), summary)
    other = mw.Wizard(weekly.head(150), save_to=folder, namespace={})
    assert not other.restored and other.workflow.status("fit") == "blocked"


@pytest.mark.fit
def test_fit_panel_refreshes_with_a_picked_frame(weekly):
    wf = mw.Workflow(weekly.head(130).copy(), name="history")
    wf.map_data(date="date", target="sales", channels=["tv", "search", "social"],
                controls=["promo"])
    wf.configure_model(l_max=4)
    wf.fit("map")
    panel = FitView(wf, namespace={"history": wf.raw, "new_weeks": weekly.tail(40)})
    assert panel.new_frame.value == "new_weeks"
    panel.refresh_button.click()
    panel.wait(300)
    assert len(wf.data) == len(weekly)
    assert "Refreshed</b> with 26 new periods" in panel.refresh_table.value
    assert "roas_before" in panel.refresh_table.value
    assert "Fitted" in panel.card.value and not panel.refresh_button.disabled
    panel.namespace.clear()
    panel.reload_button.click()
    panel.refresh_button.click()
    assert "No DataFrame to refresh with" in panel.message.value


def test_wizard_builds_the_next_screen_ahead_hidden(mapped):
    wizard = mw.Wizard(mapped, save_to=None)
    data = wizard.shown_panel
    # The data step is done: the model screen comes next, built hidden in its own slot.
    assert wizard.build_ahead() == "model"
    model = wizard.slots["model"].children[0]
    assert isinstance(model, ModelView) and wizard.slots["model"].layout.display == "none"
    assert wizard.shown_panel is data and wizard.build_ahead() is None
    wizard.stepper.value = "model"
    assert wizard.shown_panel is model
    # The fit screen is blocked until the model is applied; then it comes next.
    assert wizard.build_ahead() is None and "fit" not in wizard._panels
    model.apply_button.click()
    assert wizard.build_ahead() == "fit"
    assert isinstance(wizard.slots["fit"].children[0], FitView)
    assert wizard.current == "model" and wizard.slots["fit"].layout.display == "none"


def test_wizard_builds_ahead_only_the_screens_that_compute_nothing():
    wizard = mw.Wizard(mw.datasets.load_fitted("weekly_sales"), save_to=None)
    status = {kind: wizard.workflow.status(kind) for kind in STEP_ORDER}
    wizard.show("fit")
    # The overview computes itself when built: it waits for its click.
    assert wizard.build_ahead() is None and "overview" not in wizard._panels
    built = []
    for kind in ("overview", "diagnostics", "attribution"):
        wizard.show(kind)
        built.append(wizard.build_ahead())
    assert built == ["diagnostics", "attribution", "budget"]
    # Built ahead, the budget panel leaves its curves until it is shown.
    budget = wizard.slots["budget"].children[0]
    assert budget._curves_thread is None and "Computing" in budget.curves_note.value
    assert {kind: wizard.workflow.status(kind) for kind in STEP_ORDER if kind != "overview"} \
        == {kind: state for kind, state in status.items() if kind != "overview"}


def test_wizard_in_the_kernels_event_loop_builds_ahead_once_the_panels_are_quiet(mapped):
    async def session() -> tuple[bool, bool, bool]:
        wizard = mw.Wizard(mapped, save_to=None)
        with activity.handling():  # a click being answered all along
            await asyncio.sleep(2 * AHEAD_QUIET)
            during = "model" in wizard._panels
        after_click = "model" in wizard._panels
        for _ in range(200):
            await asyncio.sleep(0.05)
            if "model" in wizard._panels:
                break
        hidden = wizard.slots["model"].layout.display == "none"
        return during, after_click, "model" in wizard._panels and hidden

    # In a thread of its own: the loop of Playwright's sync API may be running in this one.
    outcome: list[tuple[bool, bool, bool]] = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(session())))
    runner.start()
    runner.join(60)
    during, after_click, built = outcome[0]
    assert not during and not after_click and built
