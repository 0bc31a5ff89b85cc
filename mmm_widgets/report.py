"""A standalone HTML report of a workflow, for people who do not open notebooks.

Bokeh's JavaScript is embedded INLINE, so the file opens offline and can be mailed.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mmm_widgets.output_paths import file_to_write

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow

SECTIONS = ("Overview", "Data", "Model check", "Contributions and ROAS",
            "Attribution comparison", "Budget scenarios")

_STYLE = """
<style>
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 900px; color: #222; }
table.mmm-table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
table.mmm-table td, table.mmm-table th { border-bottom: 1px solid #ddd; padding: 3px 8px;
  text-align: right; }
.verdict { padding: 8px 12px; border-radius: 4px; }
.ok { background: #e8f5e9; } .warn { background: #fff8e1; } .fail { background: #ffebee; }
.missing { color: #777; font-style: italic; }
</style>
"""


def write_report(workflow: Workflow, path: str | Path, title: str = "Marketing mix report"
                 ) -> Path:
    """Write the report of ``workflow`` to ``path`` (one self-contained HTML file).

    Sections: the overview (headline numbers, channel table, trend, verdict, best plan;
    with the overview step's margin, profit), data summary, diagnostics verdict,
    contributions and ROAS with HDIs, the attribution comparison and the budget scenarios;
    a section whose step was not done says so.

    Parameters
    ----------
    workflow : Workflow
        A workflow with at least the data step done.
    path : str or Path
        Where to write the file.
    title : str
        Title of the page.

    Returns
    -------
    Path
    """
    from bokeh.embed import components
    from bokeh.resources import INLINE

    path = file_to_write(path, "the report", "report.html")
    parts: list[str] = [f"<h1>{html.escape(title)}</h1>"]
    figures: list[Any] = []
    for name, builder in (("Overview", _overview), ("Data", _data),
                          ("Model check", _diagnostics),
                          ("Contributions and ROAS", _contributions),
                          ("Attribution comparison", _attribution),
                          ("Budget scenarios", _budget)):
        text, figure = builder(workflow)
        parts.append(f'<section id="{name.lower().replace(" ", "-")}"><h2>{name}</h2>{text}')
        if figure is not None:
            parts.append(f"<!--figure {len(figures)}-->")
            figures.append(figure)
        parts.append("</section>")
    body = "\n".join(parts)
    if figures:
        script, divs = components(figures)
        for index, div in enumerate(divs):
            body = body.replace(f"<!--figure {index}-->", div)
    else:
        script = ""
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title>{INLINE.render()}{_STYLE}{script}</head><body>{body}"
            "<footer><p class='missing'>Made with mmm-widgets and pymc-marketing.</p></footer>"
            "</body></html>")
    path.write_text(page, encoding="utf-8")
    return path


def _table(frame: pd.DataFrame, float_format: str = "{:,.2f}") -> str:
    return frame.to_html(float_format=float_format.format, na_rep="", border=0,
                         classes="mmm-table")


def _missing(step: str) -> tuple[str, None]:
    return f"<p class='missing'>The {step} step has not been done.</p>", None


def _overview(workflow: Workflow) -> tuple[str, Any]:
    from mmm_widgets.api.overview import preview
    from mmm_widgets.plots.overview import trend_figure

    overview = preview(workflow)
    if overview is None:
        return _missing("fit")
    t, level = overview.totals, f"{overview.hdi_prob:.0%}"
    target = html.escape(overview.target)
    text = (f"<p>Media spend in the fitted period drove <b>{t['contribution']:,.0f}</b> "
            f"{target}, its carryover included ({level} interval "
            f"{t['contribution_hdi_low']:,.0f} – {t['contribution_hdi_high']:,.0f}); media "
            f"drove <b>{t['share_of_target']:.1%}</b> of all {target} in the fitted period. "
            f"From {t['spend']:,.0f} of spend: ROAS with carryover <b>{t['roas']:.2f}</b> "
            f"({t['roas_hdi_low']:.2f} – "
            f"{t['roas_hdi_high']:.2f}), {t['cost_per_unit']:,.2f} of spend per incremental "
            "unit.")
    if overview.margin is not None:
        text += (f" After its spend, media earned a profit of <b>{t['profit']:,.0f}</b> "
                 f"({t['profit_hdi_low']:,.0f} – {t['profit_hdi_high']:,.0f}), a profit ROI "
                 f"of <b>{t['profit_roi']:.2f}</b>.")
    verdict = overview.verdict
    best = overview.best_scenario
    plan = (f"best plan <b>{html.escape(best.name)}</b> ({best.expected_outcome:,.0f} "
            f"{target} for {best.total_spend:,.0f} over {best.periods} periods)"
            if best is not None else f"budget scenarios {overview.scenario_status}")
    text += (f"</p><p class='verdict {verdict if verdict in ('ok', 'warn', 'fail') else ''}'>"
             f"Model check: <b>{html.escape(verdict)}</b>; {plan}.</p>")
    text += "".join(f"<p class='missing'>{html.escape(note)}</p>" for note in overview.notes)
    figure, _ = trend_figure(overview.trend, overview.target)
    columns = ["spend", "contribution", "roas", "roas_hdi_low", "roas_hdi_high",
               "cost_per_unit", "share_of_target"]
    if "current_marginal_roas" in overview.table:
        columns.insert(5, "current_marginal_roas")
    if overview.margin is not None:
        columns += ["profit", "profit_roi", "breakeven_spend"]
    return text + _table(overview.table[columns]), figure


def _data(workflow: Workflow) -> tuple[str, Any]:
    if workflow.status("data") not in ("done", "stale"):
        return _missing("data")
    result = workflow.data_result
    data, roles = result.data, result.roles
    dates = data[roles.date]
    text = (f"<p>{len(data)} rows, {result.frequency} from {dates.min():%Y-%m-%d} to "
            f"{dates.max():%Y-%m-%d}; target <b>{html.escape(roles.target)}</b>; "
            f"{len(roles.channels)} channels, {len(roles.controls)} controls"
            + (f"; geos in <b>{html.escape(roles.geo)}</b>" if roles.geo else "") + ".</p>")
    return text + _table(result.quality), None


def _diagnostics(workflow: Workflow) -> tuple[str, Any]:
    if workflow.status("diagnostics") != "done":
        return _missing("diagnostics")
    report = workflow.step("diagnostics").result.report()
    items = "".join(f"<li>{html.escape(m)}</li>" for m in report["messages"])
    metrics = pd.DataFrame({"value": {k: report[k] for k in (
        "r_hat_max", "ess_bulk_min", "divergences", "r2", "mape", "nrmse")}})
    return (f"<p class='verdict {report['verdict']}'>Verdict: <b>{report['verdict']}</b></p>"
            f"<ul>{items}</ul>" + _table(metrics, "{:,.3f}")), None


def _contributions(workflow: Workflow) -> tuple[str, Any]:
    if workflow.status("fit") not in ("done", "stale"):
        return _missing("fit")
    from mmm_widgets.plots.summary import interval_figure

    summary = workflow.channel_summary()
    level = f"{workflow.step('fit').params.hdi_prob:.0%}"
    figure = interval_figure(summary, "roas", f"ROAS with carryover by channel ({level} HDI)",
                             "0.00",
                             reference=1.0, level=workflow.step("fit").params.hdi_prob)
    return ("<p>Incremental contribution of each channel's spend in the fitted period, "
            "its carryover included (after the last fitted date too), and its return on ad "
            "spend (ROAS with carryover), with the marginal ROAS of 1 % more spend and "
            f"{level} credible intervals. The <i>_window</i> columns leave out the carryover "
            "past the fitted period.</p>" + _table(summary)
            ), figure


def _attribution(workflow: Workflow) -> tuple[str, Any]:
    if workflow.status("attribution") != "done":
        return _missing("attribution")
    result = workflow.step("attribution").result
    frame = result if isinstance(result, pd.DataFrame) else getattr(result, "table", None)
    if frame is None:
        return "<p class='missing'>No attribution table.</p>", None
    from mmm_widgets.plots import attribution as attribution_plots

    figure = attribution_plots.share_figure(attribution_plots.tidy_frame(frame))
    shown = [c for c in frame.columns if c.endswith(("_share", "_share_hdi_low",
                                                      "_share_hdi_high", "_mmm", "_mmm_hdi_low",
                                                      "_mmm_hdi_high", "_outside"))]
    frame = frame[shown] if shown else frame
    return ("<p>Share of credit per channel under each method, beside the MMM's share with "
            f"its {workflow.step('attribution').params.hdi_prob:.0%} interval. "
            "Multi-touch methods measure influence on tracked journeys; "
            "the MMM measures incremental sales, offline channels included. Each method is "
            "flagged against the MMM's share over the channels it covers "
            "(<code>&lt;method&gt;_mmm</code>).</p>"
            + _table(frame, "{:,.3f}")), figure


def _budget(workflow: Workflow) -> tuple[str, Any]:
    if workflow.status("budget") != "done" or not hasattr(workflow, "scenarios"):
        return _missing("budget")
    from mmm_widgets.api.budget import synergy_note
    from mmm_widgets.plots.budget import scenario_figure

    compare = workflow.scenarios.compare()
    result = workflow.step("budget").result
    allocation = getattr(result, "allocation", None)
    text = ("<p>Named budget scenarios and their predicted outcome "
            f"({workflow.step('budget').params.hdi_prob:.0%} interval).</p>")
    text += _table(compare)
    note = synergy_note(workflow)
    if note is not None:
        text += f'<p class="warn">{html.escape(note)}</p>'
    if allocation is not None:
        held = workflow.step("budget").held()
        kept = (f" {', '.join(map(repr, held))} bought nationally: each keeps its split "
                "over the geos (each geo's share of current spend), only its total moves."
                if held else "")
        text += (f"<p>Optimized allocation over the planning horizon.{html.escape(kept)}</p>"
                 + _table(allocation))
    if getattr(result, "geo_totals", None) is not None:
        text += "<p>Per geo, every channel together.</p>" + _table(result.geo_totals)
    figure, _ = scenario_figure(compare, workflow.step("budget").params.hdi_prob)
    return text, figure
