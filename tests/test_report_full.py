"""The report of a complete workflow, and opening it in Chromium with no network."""

from __future__ import annotations

import pytest

import mmm_widgets as mw
from mmm_widgets.report import SECTIONS

pytestmark = pytest.mark.fit


@pytest.fixture(scope="module")
def report_path(tmp_path_factory):
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(**wf.suggest_mapping())
    wf.configure_model()
    wf.fit("map")
    wf.diagnostics()
    wf.attribution(mw.datasets.load("journeys"))
    wf.optimize_budget(total=300_000, periods=13)
    wf.scenarios.add_budget_change(10)
    return wf.report(tmp_path_factory.mktemp("report") / "report.html")


def test_every_section_has_content(report_path):
    text = report_path.read_text()
    assert "has not been done" not in text
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in text
    assert "mmm_share" in text and "budget +10 %" in text
    assert "does not include the measured interaction" not in text
    assert text.count('class="bk-root"') + text.count("data-root-id") >= 3
