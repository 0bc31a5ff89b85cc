"""The overview panel driven headless, and the wizard moving to it after a fit."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.budget import TOTAL_ROW
from mmm_widgets.views.overview import OverviewView, table_html
from mmm_widgets.views.wizard import TITLES
from mmm_widgets.workflow import STEP_ORDER

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]


@pytest.fixture(scope="module")
def fitted() -> mw.Workflow:
    return mw.datasets.load_fitted("weekly_sales")


def test_panel_shows_headline_table_trend_verdict_and_plan(fitted):
    panel = OverviewView(fitted)
    totals = fitted.overview().totals
    assert fitted.status("overview") == "done"
    assert f"{totals['contribution']:,.0f}" in panel.headline.value
    assert f"{totals['roas']:.2f}" in panel.headline.value
    assert f"{totals['share_of_target']:.1%}" in panel.headline.value
    assert "of all sales in the fitted period driven by media" in panel.headline.value
    assert "ROAS with carryover" in panel.headline.value
    assert "profit" not in panel.headline.value and "profit" not in panel.table.value
    for name in (*CHANNELS, TOTAL_ROW):
        assert f"<th>{name}</th>" in panel.table.value
    assert "Model check: not run yet" in panel.verdict.value
    assert "Best plan: not run yet" in panel.scenario.value
    assert len(panel.trend_box.children) == 1
    assert sum(panel._source.data["spend"]) == pytest.approx(totals["spend"], rel=1e-9)


def test_typing_a_margin_adds_profit_and_clearing_it_removes_it(fitted):
    panel = OverviewView(fitted)
    panel.margin.value = "0.6"
    assert fitted.step("overview").params.margin == 0.6
    profit = fitted.profit(0.6)
    assert f"{profit.at[TOTAL_ROW, 'profit']:,.0f}" in panel.headline.value
    assert "profit ROI" in panel.table.value and "break-even spend per period" in \
        panel.table.value
    assert f"{profit.at['search', 'breakeven_spend']:,.0f}" in panel.table.value
    assert panel.overview.totals["profit"] == pytest.approx(profit.at[TOTAL_ROW, "profit"])
    panel.margin.value = "30 %"
    assert fitted.step("overview").params.margin == pytest.approx(0.3)
    panel.margin.value = "abc"
    assert "not a number" in panel.message.value
    assert fitted.step("overview").params.margin == pytest.approx(0.3)
    panel.margin.value = "-1"
    assert "positive number" in panel.message.value
    panel.margin.value = ""
    assert fitted.step("overview").params.margin is None
    assert panel.message.value == "" and "profit" not in panel.table.value


def test_per_channel_margins_from_the_panel(fitted):
    panel = OverviewView(fitted)
    panel.margin.value = ""
    panel.per_channel.value = True
    assert panel.message.value == "" and fitted.step("overview").params.margin is None
    panel.per_channel.value = False
    panel.margin.value = "0,5"
    panel.per_channel.value = True
    assert panel.channel_box.layout.display is None
    assert all(box.value == "0,5" for box in panel.channel_margins.values())
    assert fitted.step("overview").params.margin == dict.fromkeys(CHANNELS, 0.5)
    panel.channel_margins["display"].value = "2"
    margin = fitted.step("overview").params.margin
    assert margin["display"] == 2.0 and margin["tv"] == 0.5
    assert "<td>2</td>" in panel.table.value
    panel.channel_margins["radio"].value = ""
    assert "radio" in panel.message.value and "No margin for" in panel.message.value
    assert fitted.step("overview").params.margin["display"] == 2.0
    again = OverviewView(fitted)
    assert again.per_channel.value and again.channel_margins["display"].value == "2"
    # The per-channel box has a layout of its own: hiding it hides nothing else.
    again.per_channel.value = False
    assert again.channel_box.layout.display == "none"
    assert again.channel_margins["tv"].layout is again.channel_margins["radio"].layout
    assert again.margin.layout.display is None and again.table.layout.display is None
    assert again.margin.layout.width == "260px"


def test_trend_of_one_channel_and_export(fitted):
    panel = OverviewView(fitted)
    panel.trend_channel.value = "tv"
    assert panel._source.data["spend"] == pytest.approx(fitted.data["tv"].tolist())
    code = panel.export()
    assert code == fitted.step_code("overview") and "mmm_widgets" not in code
    assert panel.code_box.code == code


def test_table_escapes_channel_names(fitted):
    overview = fitted.overview()
    overview.channels = overview.channels.rename(index={"tv": "<img src=x onerror=alert(1)>"})
    text = table_html(overview)
    assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img" not in text


def test_wizard_moves_to_the_overview_after_a_fit(weekly, monkeypatch):
    new_weeks = weekly.tail(4).assign(date=pd.to_datetime(weekly["date"].tail(4)) +
                                      pd.Timedelta(weeks=4))
    # Outside IPython the fit panel would find no DataFrames to refresh with.
    monkeypatch.setattr("mmm_widgets.views.fit.user_namespace",
                        lambda: {"new_weeks": new_weeks})
    wf = mw.datasets.load_fitted("weekly_sales")
    wizard = mw.Wizard(wf, save_to=None)
    labels = [label for label, _ in wizard.stepper.options]
    assert labels == ["1 Data", "2 Model", "3 Fit", "Overview", "4 Diagnostics",
                      "5 Attribution", "6 Budget"]
    assert [TITLES[k] for k in STEP_ORDER] == labels
    wizard.stepper.value = "fit"
    fit_panel = wizard.panel("fit")
    fit_panel.preset.value = "Quick preview (MAP)"
    fit_panel.start_button.click()
    fit_panel.wait(300)
    wizard.wait(120)
    assert wf.step("fit").params.method == "map"
    assert wizard.current == "overview"
    panel = wizard.shown_panel
    assert isinstance(panel, OverviewView) and wf.status("overview") == "done"
    assert panel.overview.channels["contribution"].to_numpy() == pytest.approx(
        wf.channel_summary()["contribution"].to_numpy(), rel=1e-9)
    assert wizard.status_icons()["overview"] == "done"
    assert "point estimate (MAP): no interval" in panel.headline.value
    wf.diagnostics()
    wizard.stepper.value = "data"
    wizard.stepper.value = "overview"
    assert "Model check: " in wizard.shown_panel.verdict.value
    assert "not run yet" not in wizard.shown_panel.verdict.value
    # A refresh from the fit panel stays there to show the before/after comparison.
    wizard.stepper.value = "fit"
    fit_panel = wizard.panel("fit")
    assert fit_panel.new_frame.value == "new_weeks"
    fit_panel.refresh_button.click()
    fit_panel.wait(300)
    wizard.wait(120)
    assert wf.last_refresh is not None and wf.last_refresh.added == 4
    assert wizard.current == "fit" and "Refreshed" in fit_panel.refresh_table.value
    assert wf.status("overview") == "stale"
    # A fit run from elsewhere while another screen is shown does not move the wizard.
    wizard.stepper.value = "diagnostics"
    wf.fit("map")
    wizard.wait(60)
    assert wizard.current == "diagnostics"


def test_blocked_overview_says_what_it_needs(weekly):
    wizard = mw.Wizard(weekly, save_to=None, namespace={})
    wizard.panel("data").apply_button.click()
    wizard.stepper.value = "overview"
    assert "Overview needs these steps first: 2 Model, 3 Fit." in wizard.status_line.value
    wizard.stepper.value = "budget"
    assert "6 Budget needs these steps first: 2 Model, 3 Fit." in wizard.status_line.value
