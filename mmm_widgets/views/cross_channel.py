"""The attribution panel's cross-channel section: journey flows, top paths, pairwise lift."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from mmm_widgets.plots import journeys as journey_plots
from mmm_widgets.views.common import (
    LINES_LIST,
    CodeBox,
    SharedLooks,
    bokeh_pane,
    message_html,
    problems_html,
    report_errors,
)
from mmm_widgets.workflow import Workflow

#: What the section needs from its panel: the touch table and the keyword arguments of
#: :meth:`Workflow.synergy` (columns, channel map, look-back, name), or None.
Inputs = Callable[[], tuple[pd.DataFrame, dict[str, Any]] | None]

HEADING = """<b>Cross-channel</b> <i>how journeys move between channels, their most common
paths, and which pairs of channels do better or worse together</i>"""

EXPLANATION = """
<b>Reading the lift</b>
<ul>
<li>For two channels, journeys that touched <b>both</b> are compared with what the two would
give if each worked on its own (each one converts a journey with its own chance, whatever the
other did). <b>Lift 1.3</b>: journeys with both convert 30 % more than that — <b>synergy</b>.
<b>Lift 0.8</b>: 20 % less — <b>cannibalization</b> (the channels reach the same people, or one
makes the other redundant).</li>
<li>The interval comes from the number of journeys in each group; when it contains 1 the
verdict is <i>no clear effect</i>. ⚠ marks pairs with few journeys in a group.</li>
</ul>
<i><b>Caveat:</b> journeys are observational. Who gets both touches is not random — engaged
users see more channels and convert more anyway — so a lift describes these journeys, not what
adding a channel would cause. A lift test, or an interaction term in the model
(<code>configure_model(interactions=...)</code>), settles that.</i>
"""


class CrossChannelView(w.VBox):
    """Flows between channels (Sankey), top paths and each pair's lift, with export.

    Parameters
    ----------
    workflow : Workflow
        The workflow; no fit is needed.
    inputs : callable, optional
        Returns the touch table and the keyword arguments of :meth:`Workflow.synergy`
        (the attribution panel's entries), or None; without it, or when it gives None,
        the attribution step's journeys and settings are used.
    """

    def __init__(self, workflow: Workflow, inputs: Inputs | None = None):
        self.workflow = workflow
        self._inputs = inputs
        # The panel's widgets share layout and style models (see SharedLooks).
        looks = SharedLooks()
        self.message = looks(w.HTML)
        self.notes = looks(w.HTML)
        self.sankey = looks(w.VBox)
        self.paths = looks(w.HTML)
        self.lift_chart = looks(w.VBox)
        self.table = looks(w.HTML)
        self.explanation = looks(w.HTML, EXPLANATION)
        self.code_box = CodeBox("Cross-channel step code")
        fit = {"style": {"description_width": "initial"}, "layout": w.Layout(width="150px")}
        self.max_steps = w.BoundedIntText(description="Steps shown", value=4, min=1, max=12,
                                          **fit)
        self.top = w.BoundedIntText(description="Top paths", value=10, min=1, max=100, **fit)
        self.analyse_button = looks(w.Button, description="Analyse journeys", icon="random")
        self.export_button = looks(w.Button, description="Export code", icon="code")
        guard = report_errors(self.message)
        self.analyse_button.on_click(guard(lambda _: self.analyse()))
        self.export_button.on_click(guard(lambda _: self.export()))
        super().__init__([
            looks(w.HTML, HEADING),
            looks(w.HBox, [self.max_steps, self.top, self.analyse_button, self.export_button]),
            self.message, self.notes, self.sankey, self.paths, self.lift_chart, self.table,
            self.explanation, self.code_box,
        ])
        if self.workflow.status("synergy") == "done":
            params = self.workflow.step("synergy").params
            self.max_steps.value, self.top.value = params.max_steps, params.top
            self.show_result()
        else:
            self.message.value = message_html(
                "info", "Press <b>Analyse journeys</b> (or <b>Compare</b> above) to see how "
                        "journeys move between channels.")

    def analyse(self) -> pd.DataFrame | None:
        """Run the cross-channel step on the panel's journeys and show what it found."""
        options = {"max_steps": int(self.max_steps.value), "top": int(self.top.value)}
        given = self._inputs() if self._inputs is not None else None
        try:
            if given is None:
                table = self.workflow.synergy(**options)
            else:
                frame, settings = given
                table = self.workflow.synergy(frame, **settings, **options)
        except Exception as error:  # shown in the panel
            self.message.value = problems_html(error)
            return None
        self.show_result()
        return table

    def export(self) -> str:
        """Write the cross-channel step's code below the panel (or show it to copy)."""
        code = self.workflow.step_code("synergy")
        self.code_box.export(code, key="synergy")
        return code

    def show_result(self) -> None:
        """Show the current cross-channel result: Sankey, paths, lift chart and table."""
        result = self.workflow.synergy_result
        table = result.table
        verdicts = table["verdict"].value_counts()
        self.message.value = message_html(
            "ok", f"<b>Analysed.</b> {result.journeys:,} journeys, "
                  f"{result.conversions:,} converting; {verdicts.get('synergy', 0)} pair(s) "
                  f"with synergy, {verdicts.get('cannibalization', 0)} with cannibalization.")
        self.notes.value = message_html(
            "info", LINES_LIST + "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
                    + "</ul>")
        self.sankey.children = [bokeh_pane(journey_plots.sankey_figure(result.flows))]
        self.paths.value = paths_html(result.paths)
        self.lift_chart.children = [bokeh_pane(journey_plots.lift_figure(table))] \
            if table["lift_hdi_low"].notna().any() else []
        self.table.value = lift_html(table)


def paths_html(paths: pd.DataFrame) -> str:
    """The top paths as an HTML table: journeys, conversions, rate and share of conversions."""
    rows = "".join(
        f"<tr><td>{html.escape(str(row.path))}</td><td>{row.journeys:,}</td>"
        f"<td>{row.conversions:,}</td><td>{_percent(row.conversion_rate)}</td>"
        f"<td>{_percent(row.share_of_conversions)}</td></tr>"
        for row in paths.itertuples(index=False))
    return ("<b>Top paths</b> <i>(a path is a journey's channels in order)</i>"
            "<table class=\"mmm-table\"><tr><th>path</th><th>journeys</th><th>conversions</th>"
            "<th>conversion rate</th><th>share of conversions</th></tr>"
            f"{rows}</table>")


def lift_html(table: pd.DataFrame) -> str:
    """Each pair's groups, rates, lift with interval and verdict as an HTML table.

    Pairs with few journeys in a group are marked ⚠; verdicts are coloured.
    """
    rows = []
    for row in table.itertuples(index=False):
        colour = journey_plots.VERDICT_COLOURS.get(row.verdict, "#7f7f7f")
        lift = "" if pd.isna(row.lift) else f"{row.lift:.2f}"
        if pd.notna(row.lift_hdi_low):
            lift += f" <small>({row.lift_hdi_low:.2f}–{row.lift_hdi_high:.2f})</small>"
        flag = " ⚠" if row.few_journeys else ""
        rows.append(
            f"<tr><td><b>{html.escape(str(row.channel_a))}</b> &amp; "
            f"<b>{html.escape(str(row.channel_b))}</b>{flag}</td>"
            f"<td>{row.n_both:,}</td><td>{_percent(row.p11)}</td>"
            f"<td>{_percent(row.p10)} / {_percent(row.p01)} / {_percent(row.p00)}</td>"
            f"<td>{_percent(row.expected)}</td><td>{lift}</td>"
            f"<td style=\"color:{colour}\"><b>{html.escape(str(row.verdict))}</b></td></tr>")
    return ("<b>Pairs of channels</b> <i>(conversion rates of journeys with both, with only "
            "one or the other, with neither; expected = if each channel worked on its own)</i>"
            "<table class=\"mmm-table\"><tr><th>pair</th><th>journeys with both</th>"
            "<th>rate with both</th><th>rate A only / B only / neither</th><th>expected</th>"
            f"<th>lift (interval)</th><th>verdict</th></tr>{''.join(rows)}</table>")


def _percent(value: float) -> str:
    return "" if pd.isna(value) else f"{value:.1%}"
