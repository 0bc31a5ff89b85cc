"""The overview screen: what media drove, what it cost, whether to trust it, what to do next."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import pandas as pd

from mmm_widgets.errors import DataError, problem
from mmm_widgets.plots.overview import ALL, trend_data, trend_figure
from mmm_widgets.steps.overview import NOT_RUN, Overview
from mmm_widgets.views.common import (
    CodeBox,
    SharedLooks,
    bokeh_pane,
    message_html,
    report_errors,
)
from mmm_widgets.views.diagnostics import LIGHTS, VERDICTS
from mmm_widgets.workflow import Workflow

_GREY = '<span style="color:#9e9e9e;font-size:1.2em">●</span>'


class OverviewView(w.VBox):
    """The fit on one screen, with a margin box that adds the profit view.

    Headline numbers (incremental contribution with its interval, ROAS, the share of the
    target driven by media), the channel table, spend and contribution over time, the
    diagnostics verdict, the best budget scenario, and, once a margin is entered, profit,
    profit ROI and the spend per period where marginal profit turns negative.

    Parameters
    ----------
    workflow : Workflow
        A workflow with a fit.
    """

    def __init__(self, workflow: Workflow):
        self.workflow = workflow
        self.channels = tuple(workflow.data_result.roles.channels)
        self.target = workflow.data_result.roles.target
        self.overview: Overview | None = None
        self._silent = False
        self._source: Any = None
        self._shown_trend: tuple[str, pd.DataFrame] | None = None
        # Sent as one piece when the wizard shows the step after a fit: its widgets share
        # layout and style models (see SharedLooks), 67 models down to 40.
        looks = SharedLooks()
        self.message = looks(w.HTML)
        self.headline = looks(w.HTML)
        self.verdict = looks(w.HTML)
        self.scenario = looks(w.HTML)
        self.table = looks(w.HTML)
        self.notes = looks(w.HTML)
        self.trend_box = looks(w.VBox)
        self.code_box = CodeBox("Overview code")
        guard = report_errors(self.message)

        self.margin = looks(w.Text, description="Margin", placeholder="e.g. 0.3 or 30 %",
                            continuous_update=False, width="260px")
        self.per_channel = looks(w.Checkbox, description="Per channel", value=False,
                                 indent=False)
        self.channel_margins = {c: looks(w.Text, description=c, continuous_update=False,
                                         width="220px")
                                for c in self.channels}
        # Its own layout: hidden or shown with the per-channel box.
        self.channel_box = w.HBox(list(self.channel_margins.values()),
                                  layout=w.Layout(flex_flow="row wrap"))
        self.trend_channel = looks(w.Dropdown, description="Trend of",
                                   options=[ALL, *self.channels], value=ALL)
        self.export_button = looks(w.Button, description="Export code", icon="code")
        self._fill_margin()
        self.margin.observe(guard(self._on_margin), names="value")
        self.per_channel.observe(guard(self._on_per_channel), names="value")
        for box in self.channel_margins.values():
            box.observe(guard(self._on_margin), names="value")
        self.trend_channel.observe(guard(lambda _: self.show_trend()), names="value")
        self.export_button.on_click(guard(lambda _: self.export()))
        super().__init__([
            self.headline,
            looks(w.HBox, [self.verdict, self.scenario]),
            looks(w.HTML, "<b>Profit</b> <i>Enter the profit per unit of "
                  f"{html.escape(self.target)} (0.3: 30 % of it is profit; 1 when it is "
                  "profit already) to add profit, profit ROI and the spend per period where "
                  "one more unit of spend earns less than it costs.</i>"),
            looks(w.HBox, [self.margin, self.per_channel]), self.channel_box,
            self.message, self.table, self.notes,
            self.trend_channel, self.trend_box,
            self.export_button, self.code_box,
        ])
        guard(self.refresh)()

    # ----- margin -------------------------------------------------------------------
    def _fill_margin(self) -> None:
        """Start from the overview step's margin, if it has one."""
        if self.workflow.status("overview") not in ("done", "stale"):
            self.channel_box.layout.display = "none"
            return
        margin = self.workflow.step("overview").params.margin
        if isinstance(margin, dict):
            self.per_channel.value = True
            for channel, value in margin.items():
                if channel in self.channel_margins:
                    self.channel_margins[channel].value = f"{value:g}"
        elif margin is not None:
            self.margin.value = f"{margin:g}"
        self.channel_box.layout.display = None if self.per_channel.value else "none"

    def margin_value(self) -> float | dict[str, float] | None:
        """The margin as entered: None (empty), a number, or channel -> number.

        Accepts ``0.3``, ``0,3`` and ``30 %``; per channel, every box must hold one
        (all empty: no margin).

        Raises
        ------
        DataError
            Naming each box that does not hold a number.
        """
        if not self.per_channel.value:
            text = self.margin.value.strip()
            return None if not text else _number(text, None)
        problems, out = [], {}
        for channel, box in self.channel_margins.items():
            text = box.value.strip()
            if not text:
                continue
            try:
                out[channel] = _number(text, channel)
            except DataError as error:
                problems += error.problems
        if problems:
            raise DataError(problems)
        return out or None

    def _on_margin(self, change: dict) -> None:
        if not self._silent:
            self.refresh()

    def _on_per_channel(self, change: dict) -> None:
        if change["new"]:
            self._silent = True
            try:
                for box in self.channel_margins.values():
                    if not box.value.strip():
                        box.value = self.margin.value.strip()
            finally:
                self._silent = False
        self.channel_box.layout.display = None if change["new"] else "none"
        self.refresh()

    # ----- results ------------------------------------------------------------------
    def refresh(self) -> Overview:
        """Compute the overview for the margin entered and show it."""
        overview = self.workflow.overview(self.margin_value())
        self.show(overview)
        return overview

    def show(self, overview: Overview) -> None:
        """Show headline, verdict, best scenario, table, notes and trend."""
        self.overview = overview
        self.message.value = ""
        self.headline.value = headline_html(overview)
        self.verdict.value = verdict_html(overview)
        self.scenario.value = scenario_html(overview)
        self.table.value = ("<b>Channels</b> <i>over the fitted period; "
                            f"{overview.hdi_prob:.0%} intervals under the estimates</i>"
                            + table_html(overview))
        self.notes.value = "" if not overview.notes else message_html(
            "info", "<br>".join(html.escape(n) for n in overview.notes))
        self.show_trend()

    def show_trend(self) -> None:
        """Draw (or update in one assignment) the trend of the chosen channel."""
        if self.overview is None:
            return
        channel, trend = self.trend_channel.value, self.overview.trend
        shown = self._shown_trend
        if self._source is None:
            layout, self._source = trend_figure(trend, self.target, channel)
            self.trend_box.children = [bokeh_pane(layout)]
        elif shown is None or shown[0] != channel or not shown[1].equals(trend):
            # A margin changes the numbers above, not spend and contribution over time:
            # the plot's data is sent again only when it differs.
            self._source.data = trend_data(trend, channel)
        self._shown_trend = (channel, trend)

    # ----- export -------------------------------------------------------------------
    def export(self) -> str:
        """Write the overview's code below the panel (or show it to copy)."""
        code = self.workflow.step_code("overview")
        self.code_box.export(code, key="overview")
        return code


def _number(text: str, channel: str | None) -> float:
    """A margin typed as ``0.3``, ``0,3`` or ``30 %``."""
    cleaned = text.replace(" ", "")
    percent = cleaned.endswith("%")
    cleaned = cleaned.rstrip("%")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        where = f"The margin of {channel!r}" if channel else "The margin"
        raise DataError(problem(f"{where} {text!r} is not a number.",
                                "Enter e.g. 0.3 or 30 %.", column=channel)) from None
    return value / 100.0 if percent else value


def _interval(low: float, high: float, fmt: str) -> str:
    return f"{low:{fmt}} – {high:{fmt}}"


def _hdi(row: pd.Series, name: str, fmt: str, level: str) -> str:
    """``"94 %: low – high"``, or a note when the fit is a point estimate (MAP)."""
    low, high = row[f"{name}_hdi_low"], row[f"{name}_hdi_high"]
    if low == high:
        return "point estimate (MAP): no interval"
    return f"{level}: {_interval(low, high, fmt)}"


def headline_html(overview: Overview) -> str:
    """Big numbers: incremental contribution, ROAS, media share, cost per unit, profit."""
    t, level = overview.totals, f"{overview.hdi_prob:.0%}"
    target = html.escape(overview.target)
    cards = [
        (f"{t['contribution']:,.0f}", f"incremental {target} from media, carryover included",
         _hdi(t, "contribution", ",.0f", level)),
        (f"{t['roas']:.2f}", "ROAS with carryover (contribution per unit of spend)",
         _hdi(t, "roas", ".2f", level)),
        (f"{t['share_of_target']:.1%}", f"of all {target} in the fitted period driven by "
         "media",
         _hdi(t, "share_of_target", ".1%", level)),
        (f"{t['cost_per_unit']:,.2f}", f"spend per incremental unit of {target}",
         _hdi(t, "cost_per_unit", ",.2f", level)),
    ]
    if overview.margin is not None:
        cards += [
            (f"{t['profit']:,.0f}", "profit from media after its spend",
             _hdi(t, "profit", ",.0f", level)),
            (f"{t['profit_roi']:.2f}", "profit ROI (profit per unit of spend)",
             _hdi(t, "profit_roi", ".2f", level)),
        ]
    boxes = "".join(
        '<div class="mmm-card" style="border:1px solid #ddd;border-radius:6px;padding:6px 12px;'
        f'margin:0 8px 8px 0;min-width:150px"><div style="font-size:1.6em;font-weight:600">'
        f'{value}</div><div>{label}</div><div style="color:#666;font-size:0.85em">{note}</div>'
        "</div>" for value, label, note in cards)
    return f'<div style="display:flex;flex-wrap:wrap">{boxes}</div>'


def verdict_html(overview: Overview) -> str:
    """The diagnostics verdict with its traffic light (grey when there is none)."""
    verdict = overview.verdict
    if verdict in VERDICTS:
        kind = "error" if verdict == "fail" else verdict
        return message_html(kind, f"{LIGHTS[verdict]} <b>Model check: {verdict}</b>. "
                                  f"{html.escape(VERDICTS[verdict])}")
    what = "not run yet" if verdict == NOT_RUN else "out of date (the fit changed)"
    return message_html("info", f"{_GREY} <b>Model check: {what}</b>. Open 4 Diagnostics and "
                                "press <i>Check the fit</i> before relying on these numbers.")


def scenario_html(overview: Overview) -> str:
    """The best budget scenario, or what to do to get one."""
    best = overview.best_scenario
    if best is None:
        what = "not run yet" if overview.scenario_status == NOT_RUN else \
            "out of date (the fit changed)"
        return message_html("info", f"<b>Best plan: {what}</b>. Open 6 Budget to optimize the "
                                    "budget or compare scenarios.")
    level = f"{overview.hdi_prob:.0%}"
    beats = "" if best.name == "current" else \
        f"; beats the current plan with probability {best.prob_beats_current:.0%}"
    return message_html(
        "ok", f"<b>Best plan: {html.escape(best.name)}</b>: spend {best.total_spend:,.0f} "
              f"over {best.periods} periods for {best.expected_outcome:,.0f} "
              f"{html.escape(overview.target)} ({level}: "
              f"{_interval(best.outcome_hdi_low, best.outcome_hdi_high, ',.0f')}), "
              f"ROAS {best.roas:.2f}{beats}.")


def table_html(overview: Overview) -> str:
    """The channel table, each estimate with its interval below it; the total row last."""
    table = overview.table

    def plain(values: pd.Series, fmt: str) -> pd.Series:
        return values.map(lambda v: "" if pd.isna(v) else f"{v:{fmt}}")

    def with_interval(name: str, fmt: str) -> pd.Series:
        def cell(row: pd.Series) -> str:
            low, high = row[f"{name}_hdi_low"], row[f"{name}_hdi_high"]
            below = "" if low == high else (
                f'<br><span style="color:#666;font-size:0.85em">{_interval(low, high, fmt)}'
                "</span>")
            return f"{row[name]:{fmt}}{below}"

        return table.apply(cell, axis=1)

    target = html.escape(overview.target)
    shown = pd.DataFrame({
        "spend": plain(table["spend"], ",.0f"),
        f"incremental {target}": with_interval("contribution", ",.0f"),
        "ROAS with carryover": with_interval("roas", ".2f"),
        f"spend per unit of {target}": with_interval("cost_per_unit", ",.2f"),
        "share of media": with_interval("share", ".1%"),
    })
    if "current_marginal_roas" in table:
        # The total row has no marginal ROAS: one more unit of spend goes to a channel.
        marginal = with_interval("current_marginal_roas", ".2f")
        marginal[table["current_marginal_roas"].isna()] = ""
        shown.insert(3, "marginal ROAS at current spend", marginal)
    if overview.margin is not None:
        shown["margin"] = plain(table["margin"], "g")
        shown["profit"] = with_interval("profit", ",.0f")
        shown["profit ROI"] = with_interval("profit_roi", ".2f")
        shown["break-even spend per period"] = plain(table["breakeven_spend"], ",.0f")
        shown["current spend per period"] = plain(table["current_spend"], ",.0f")
    # Cells hold markup for the intervals; the only free text, channel names, is escaped.
    shown.index = pd.Index([html.escape(str(c)) for c in table.index], name="channel")
    return shown.to_html(border=0, classes="mmm-table", escape=False)
