"""The shareable report opens in Chromium with the network switched off."""

from __future__ import annotations

import pytest
from browser_harness import ARTIFACTS
from playwright.sync_api import Browser, expect

import mmm_widgets as mw
from mmm_widgets.report import SECTIONS

pytestmark = [pytest.mark.browser, pytest.mark.fit, pytest.mark.timeout(1800)]


def test_report_opens_offline_with_every_section(browser: Browser, tmp_path):
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(**wf.suggest_mapping())
    wf.configure_model()
    wf.fit("map")
    wf.diagnostics()
    wf.attribution(mw.datasets.load("journeys"))
    wf.optimize_budget(total=300_000, periods=13)
    path = wf.report(tmp_path / "report.html")

    context = browser.new_context(offline=True, viewport={"width": 1100, "height": 1400})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        page.wait_for_selector("canvas", timeout=30_000)
        assert page.locator("h2").all_inner_texts() == list(SECTIONS)
        # Bokeh draws inside shadow roots; Playwright's locators look inside them.
        expect(page.locator("canvas").nth(2)).to_be_attached()
        assert not errors
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "report.png", full_page=True)
    finally:
        context.close()
