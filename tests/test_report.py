"""The standalone HTML report."""

from __future__ import annotations

import pytest

import mmm_widgets as mw
from mmm_widgets.report import SECTIONS

pytestmark = pytest.mark.fit


def test_report_has_every_section_and_inline_bokeh(tmp_path, weekly):
    wf = mw.Workflow(weekly)
    wf.map_data(date="date", target="sales", channels=["tv", "search", "social"],
                controls=["promo"])
    empty = wf.report(tmp_path / "early.html").read_text()
    assert "The fit step has not been done" in empty
    wf.configure_model(l_max=4)
    wf.fit("map")
    wf.diagnostics()
    text = wf.report(tmp_path / "report.html", title="Q3 <review>").read_text()
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in text
    assert "<title>Q3 &lt;review&gt;</title>" in text
    assert "cdn.bokeh.org" not in text and "Bokeh" in text
    assert "Verdict: <b>warn</b>" in text
    summary = wf.channel_summary()
    assert f"{summary.loc['search', 'roas']:,.2f}" in text


def test_budget_section_says_the_plan_leaves_out_the_interaction(tmp_path, weekly):
    wf = mw.Workflow(weekly)
    wf.map_data(date="date", target="sales", channels=["tv", "search", "social"],
                controls=["promo"])
    wf.configure_model(l_max=4, interactions=[("tv", "search")])
    wf.fit("map")
    wf.scenarios.compare()
    text = wf.report(tmp_path / "report.html").read_text()
    budget = text[text.index("<h2>Budget scenarios</h2>"):]
    verdict = wf.interaction_effects().at["tv x search", "verdict"]
    assert f"does not include the measured interaction of tv x search ({verdict})" in budget
