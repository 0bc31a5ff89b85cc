"""Panel of step 5 — attribution: MMM vs multi-touch vs platform-reported credit."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import pandas as pd

from mmm_widgets.mta import MODELS
from mmm_widgets.plots import attribution as attribution_plots
from mmm_widgets.steps.attribution import (
    DEFAULT_MODELS,
    JOURNEYS_VARIABLE,
    difference_table,
    suggest_channel_map,
    suggest_journey_columns,
)
from mmm_widgets.steps.journeys import labels as journey_labels
from mmm_widgets.views.common import (
    LINES_LIST,
    CodeBox,
    SharedLooks,
    bokeh_pane,
    ensure_bokeh_loaded,
    message_html,
    problems_html,
    report_errors,
    user_namespace,
)
from mmm_widgets.views.cross_channel import CrossChannelView
from mmm_widgets.workflow import Workflow

NONE = "(none)"
NOT_MAPPED = "(not in the model)"
GIVEN = "(given table)"
CURRENT = "(current table)"
EXAMPLE = "(example: bundled journeys)"

EXPLANATION = """
<b>Why the methods disagree</b>
<ul>
<li><b>Last click over-credits the lower funnel.</b> The touch just before a purchase is
usually search, direct or e-mail: people use them once they have decided. Rules that favour
the last touch give these channels more than the sales they add.</li>
<li><b>The MMM sees offline channels; multi-touch cannot.</b> TV, radio and print leave no
clicks, so they never appear in journeys and get 0 % there; the MMM reads their effect from
sales over time.</li>
<li><b>Influence is not incrementality.</b> Multi-touch credits the channels on the path to
a conversion that might have happened anyway; the MMM estimates the sales that would be lost
without the channel.</li>
<li><b>Platforms grade their own homework.</b> Each counts every conversion it touched, so
their numbers overlap and add up to more than the real total.</li>
</ul>
<i>Each method is compared with the MMM's share over the channels it covers (for multi-touch,
the journeys' channels), renormalised in every posterior draw. A flagged cell (outside that
interval) differs by more than the MMM's uncertainty; a lift test on that channel settles
which is closer.</i>
"""

INCREMENTAL = """
<b>Influenced vs incremental</b> <i><u>Influenced</u> credit splits every conversion over the
channels on its path (each multi-touch model, the logistic one included, and each platform for
its own), so it also counts conversions that would have happened anyway. <u>Incremental</u>
credit counts only the conversions a channel added, those lost without it: the MMM estimates
it from sales over time, <code>mw.mta.channel_effects</code> from journeys (baseline apart).
Below, each method's shares are rescaled so that the channels it covers add up to the MMM's
contribution of those channels over the same periods (per posterior draw, then the interval):
what each method would say the channels added if the MMM's total for them is right. Compare
each row with the MMM's own column.</i>
"""


class AttributionView(w.VBox):
    """Compare the MMM's media shares with multi-touch models and platform numbers.

    Parameters
    ----------
    workflow : Workflow
        The workflow (data, model and fit steps done).
    journeys : pandas.DataFrame, optional
        The touch table to start with; otherwise pick one from ``namespace``.
    namespace : dict, optional
        Where to look for DataFrames (the notebook's namespace by default).
    """

    def __init__(self, workflow: Workflow, journeys: pd.DataFrame | None = None,
                 namespace: dict[str, Any] | None = None):
        self.workflow = workflow
        self.namespace = namespace if namespace is not None else user_namespace()
        self.channels = tuple(workflow.data_result.roles.channels)
        self._given = journeys
        # Set in code, not in the panel: kept when the panel compares again.
        self._custom: dict[str, Any] = {}
        self._platform_columns: dict[str, str] = {}
        # The panel's widgets share layout and style models (see SharedLooks): 156 models
        # sent when the step opens, down to 82.
        looks = SharedLooks()
        self.message = looks(w.HTML)
        self.notes = looks(w.HTML)
        self.chart = looks(w.VBox)
        self.table = looks(w.HTML)
        self.incremental = looks(w.HTML)
        self.explanation = looks(w.HTML, EXPLANATION)
        self.code_box = CodeBox("Attribution step code")
        # Journeys only: flows, top paths and pairwise lift of the table picked above.
        self.cross = CrossChannelView(workflow, inputs=self._journey_inputs)
        self.cross_section = looks(w.Accordion, [self.cross],
                                   titles=("Cross-channel: journey flows, top paths, synergy",),
                                   selected_index=0)
        ensure_bokeh_loaded()
        guard = report_errors(self.message)

        self.frame_picker = looks(w.Dropdown, description="Journeys",
                                  options=self._table_names(), value=None)
        self.user = looks(w.Dropdown, description="User")
        self.time = looks(w.Dropdown, description="Time")
        self.channel = looks(w.Dropdown, description="Channel")
        self.conversion = looks(w.Dropdown, description="Converted")
        self.value = looks(w.Dropdown, description="Value")
        self.models = looks(w.SelectMultiple, description="Models", options=list(MODELS),
                            value=DEFAULT_MODELS, rows=len(MODELS))
        self.half_life = looks(w.Text, description="Half-life", value="7D")
        self.lookback = looks(w.Text, description="Look-back",
                              placeholder="all touches, e.g. 30D")
        self.direct = looks(w.Dropdown, description="Direct", options=[NONE], value=NONE)
        self.map_box = looks(w.VBox)
        self.map_inputs: dict[str, w.Dropdown] = {}
        self.platform_inputs = {c: looks(w.BoundedFloatText, description=str(c), value=0.0,
                                         min=0.0, max=1e15)
                                for c in self.channels}
        self.compare_button = looks(w.Button, description="Compare", button_style="primary",
                                    icon="balance-scale")
        self.export_button = looks(w.Button, description="Export code", icon="code")

        self.frame_picker.observe(guard(self._on_frame_picked), names="value")
        self.channel.observe(guard(self._on_channel_column), names="value")
        self.compare_button.on_click(guard(lambda _: self.compare()))
        self.export_button.on_click(guard(lambda _: self.export()))

        columns_box = looks(w.VBox, [
            looks(w.HTML,
                  "<b>Journeys</b> <i>one row per touch; the converting touch flagged</i>"),
            self.frame_picker,
            looks(w.HBox, [looks(w.VBox, [self.user, self.time, self.channel]),
                           looks(w.VBox, [self.conversion, self.value, self.direct])]),
            looks(w.HBox, [self.models, looks(w.VBox, [self.half_life, self.lookback])]),
        ])
        map_box = looks(w.VBox, [looks(w.HTML, "<b>Channel map</b> <i>journey label → model "
                                               "channel (suggested by name; unmapped labels "
                                               "get no share)</i>"),
                                 self.map_box])
        platform_box = looks(w.VBox, [looks(w.HTML, "<b>Platform-reported conversions</b> "
                                                    "<i>optional; 0 = not reported</i>"),
                                      *self.platform_inputs.values()])
        super().__init__([columns_box, looks(w.HBox, [map_box, platform_box]),
                          looks(w.HBox, [self.compare_button, self.export_button]),
                          self.message, self.notes, self.chart, self.table,
                          self.incremental, self.explanation,
                          self.code_box, self.cross_section])
        self._load_state()

    # ----- state ------------------------------------------------------------------------
    def _table_names(self) -> list[str]:
        names = [name for name, value in self.namespace.items()
                 if isinstance(value, pd.DataFrame) and not name.startswith("_")]
        special = [EXAMPLE]
        if self._current_step() is not None:
            special.insert(0, CURRENT)
        if self._given is not None:
            special.insert(0, GIVEN)
        return [*special, *sorted(names)]

    def _current_step(self):
        if self.workflow.status("attribution") in ("done", "stale"):
            return self.workflow.step("attribution")
        return None

    def _load_state(self) -> None:
        step = self._current_step()
        if step is not None:
            self.frame_picker.value = CURRENT
            self._show_result()
        elif self._given is not None:
            self.frame_picker.value = GIVEN
        else:
            self.message.value = message_html(
                "info", "Pick a table of touches (or the bundled example), check the columns "
                        "and the channel map, then press <b>Compare</b>.")

    def frame(self) -> tuple[pd.DataFrame | None, str | None]:
        """The picked touch table and the variable name exported code will use."""
        picked = self.frame_picker.value
        if picked is None:
            return None, None
        if picked == GIVEN:
            return self._given, None
        if picked == CURRENT:
            step = self._current_step()
            return step.frame(), step.params.journeys.name
        if picked == EXAMPLE:
            from mmm_widgets.datasets import load

            return load("journeys"), JOURNEYS_VARIABLE
        return self.namespace[picked], picked

    def _show_columns(self, frame: pd.DataFrame, chosen: dict[str, Any]) -> None:
        columns = list(frame.columns)
        with self.hold_sync():
            for role in ("user", "time", "channel", "conversion"):
                dropdown = getattr(self, role)
                dropdown.options = columns
                dropdown.value = chosen[role] if chosen[role] in columns else None
            self.value.options = [NONE, *columns]
            self.value.value = chosen["value"] if chosen["value"] in columns else NONE
        self._refresh_map()

    def _labels(self) -> list[str]:
        frame, _ = self.frame()
        if frame is None or self.channel.value is None:
            return []
        # Listed as the step reads them, so the map's keys match the journeys' labels.
        return journey_labels(frame, self.channel.value)

    def _refresh_map(self, channel_map: dict[str, str] | None = None,
                     direct: str | None = None) -> None:
        labels = self._labels()
        if channel_map is None:
            channel_map = suggest_channel_map(labels, self.channels)
        options = [NOT_MAPPED, *self.channels]
        self.map_inputs = {
            label: w.Dropdown(description=label, options=options,
                              value=channel_map.get(label, NOT_MAPPED),
                              style={"description_width": "initial"})
            for label in labels
        }
        self.map_box.children = list(self.map_inputs.values())
        if direct is None:
            found = [label for label in labels if label.strip().lower() == "direct"]
            direct = found[0] if found else NONE
        self.direct.options = [NONE, *labels]
        self.direct.value = direct if direct in self.direct.options else NONE

    def _show_params(self, params) -> None:
        frame, _ = self.frame()
        if frame is None:
            return
        chosen = {role: getattr(params, role) for role in ("user", "time", "channel",
                                                          "conversion", "value")}
        self._show_columns(frame, chosen)
        self._refresh_map(dict(params.channel_map), params.direct_channel or NONE)
        self._custom = {rule.name: rule for rule in params.custom_rules}
        self._platform_columns = dict(params.platform_columns)
        self.models.options = [*MODELS, *self._custom]
        self.models.value = tuple(params.models)
        self.half_life.value = str(params.half_life)
        self.lookback.value = "" if params.lookback is None else str(params.lookback)
        for channel, box in self.platform_inputs.items():
            box.value = float(params.platform.get(channel, 0.0))

    # ----- actions ----------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """Keyword arguments of :meth:`Workflow.attribution` as entered (without the table)."""
        channel_map = {label: box.value for label, box in self.map_inputs.items()
                       if box.value != NOT_MAPPED}
        platform: dict[str, Any] = {c: float(box.value)
                                    for c, box in self.platform_inputs.items() if box.value}
        # Columns of the raw data given in code stay, unless a number replaces them.
        platform.update({c: column for c, column in self._platform_columns.items()
                         if c not in platform})
        return {
            "user": self.user.value, "time": self.time.value, "channel": self.channel.value,
            "conversion": self.conversion.value,
            "value": None if self.value.value in (None, NONE) else self.value.value,
            "models": tuple(self._custom.get(m, m) for m in self.models.value),
            "channel_map": channel_map,
            "platform": platform or None,
            "half_life": _span(self.half_life.value) or "7D",
            "lookback": _span(self.lookback.value),
            "direct_channel": None if self.direct.value in (None, NONE) else self.direct.value,
        }

    def compare(self) -> pd.DataFrame | None:
        """Run the attribution step with the entered settings and show the comparison."""
        frame, name = self.frame()
        if frame is None:
            self.message.value = message_html("warn", "Pick a table of touches first.")
            return None
        settings = self.settings()
        if not settings["models"]:
            self.message.value = message_html("warn", "Pick at least one model.")
            return None
        if name is not None:
            settings["name"] = name
        # Without a value column the credit is conversions; with one, revenue.
        settings["weight"] = "value" if settings["value"] is not None else "conversions"
        try:
            table = self.workflow.attribution(frame, **settings)
        except Exception as error:  # shown in the panel
            self.message.value = problems_html(error)
            return None
        self._show_result()
        self.cross.analyse()
        return table

    def _journey_inputs(self) -> tuple[pd.DataFrame, dict[str, Any]] | None:
        """The picked table and its columns, map and look-back, for the cross-channel step."""
        frame, name = self.frame()
        if frame is None:
            return None
        settings = self.settings()
        chosen = {key: settings[key] for key in ("user", "time", "channel", "conversion",
                                                 "channel_map", "lookback")}
        if name is not None:
            chosen["name"] = name
        return frame, chosen

    def export(self) -> str:
        """Write the attribution step's code below the panel (or show it to copy)."""
        code = self.workflow.step_code("attribution")
        self.code_box.export(code, key="attribution")
        return code

    def _show_result(self) -> None:
        result = self.workflow.attribution_result
        table = result.table
        stale = " (an earlier step changed since: compare again)" \
            if self.workflow.status("attribution") == "stale" else ""
        flagged = int(table[[c for c in table.columns if c.endswith("_outside")]].sum().sum())
        self.message.value = message_html(
            "ok", f"<b>Compared{stale}.</b> {flagged} share(s) fall outside the MMM's "
                  "interval over the same channels (marked below).")
        self.notes.value = "" if not result.notes else message_html(
            "info", LINES_LIST + "".join(f"<li>{html.escape(n)}</li>" for n in result.notes)
                    + "</ul>")
        tidy = attribution_plots.tidy_frame(table)
        self.chart.children = [bokeh_pane(attribution_plots.share_figure(tidy))]
        self.table.value = difference_html(table)
        self.incremental.value = incremental_html(table) + calibrated_html(result.calibrated)

    # ----- callbacks --------------------------------------------------------------------
    def _on_frame_picked(self, change: dict) -> None:
        if change["new"] is None:
            return
        if change["new"] == CURRENT:
            self._show_params(self._current_step().params)
            return
        frame, _ = self.frame()
        self._show_columns(frame, suggest_journey_columns(frame))
        self.message.value = message_html(
            "info", "Columns and channel map suggested from names. Check them, then press "
                    "<b>Compare</b>.")

    def _on_channel_column(self, change: dict) -> None:
        if change["new"] is not None:
            self._refresh_map()


def _span(text: str) -> str | float | None:
    """A half-life or look-back as typed: a number stays a number, ``"7D"`` stays text."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def difference_html(table: pd.DataFrame) -> str:
    """The comparison as an HTML table: MMM shares with intervals, each method with its gap.

    A method covers only some channels (the journeys'; the platforms' own), so its gap is to
    the MMM's share over those same channels, shown in its own column per distinct set of
    channels. Cells of methods outside that interval are shaded and marked with ⚠.
    """
    gaps = difference_table(table)
    outside = gaps.attrs["outside"]
    methods = list(outside.columns)
    references: dict[str, list[str]] = {}
    for method in methods:
        if f"{method}_mmm" not in table:
            continue
        same = next((m for m in references if table[f"{m}_mmm"].equals(table[f"{method}_mmm"])),
                    method)
        references.setdefault(same, []).append(method)

    def share(channel: Any, name: str) -> str:
        value = table.at[channel, name]
        if pd.isna(value):
            return "<td></td>"
        return (f"<td>{value:.1%} <small>({table.at[channel, f'{name}_hdi_low']:.1%}–"
                f"{table.at[channel, f'{name}_hdi_high']:.1%})</small></td>")

    head = "".join(f"<th>MMM over the channels {html.escape(_names(group))} cover</th>"
                   for group in references.values())
    head += "".join(f"<th>{html.escape(m.replace('_', ' '))}</th>" for m in methods)
    rows = []
    for channel in gaps.index:
        cells = [f"<td><b>{html.escape(str(channel))}</b></td>", share(channel, "mmm_share")]
        cells += [share(channel, f"{method}_mmm") for method in references]
        for method in methods:
            value, gap = table.at[channel, f"{method}_share"], gaps.at[channel, method]
            if pd.isna(value):
                cells.append("<td></td>")
                continue
            flag = bool(outside.at[channel, method])
            style = ' style="background:#ffebee"' if flag else ""
            mark = " ⚠" if flag else ""
            gap_text = "" if pd.isna(gap) else f" <small>({gap * 100:+.1f} pts)</small>"
            cells.append(f"<td{style}>{value:.1%}{gap_text}{mark}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return ("<b>Share of credit, and the gap to the MMM over the same channels in percentage "
            "points</b>"
            "<table class=\"mmm-table\"><tr><th>channel</th><th>MMM, all media (interval)</th>"
            f"{head}</tr>{''.join(rows)}</table>")


def _names(methods: list[str]) -> str:
    names = [m.replace("_", " ") for m in methods]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def calibrated_html(calibrated: pd.DataFrame | None) -> str:
    """MMM-calibrated credit per journey label, as HTML, when labels are finer than channels.

    Shown only when some channel has several labels (campaigns): otherwise each label's
    calibrated credit is just its channel's MMM contribution.
    """
    if calibrated is None or calibrated.empty or \
            calibrated.groupby("channel")["label"].nunique().max() < 2:
        return ""
    wide = calibrated.pivot_table(index=["channel", "label"], columns="method",
                                  values="incremental", sort=False)
    head = "".join(f"<th>{html.escape(str(m).replace('_', ' '))}</th>" for m in wide.columns)
    rows = "".join(
        f"<tr><td>{html.escape(str(channel))}</td><td><b>{html.escape(str(label))}</b></td>"
        + "".join(f"<td>{value:,.0f}</td>" for value in values) + "</tr>"
        for (channel, label), values in zip(wide.index, wide.to_numpy(), strict=True))
    return ("<p><b>Per journey label (e.g. campaign), MMM-calibrated</b> <i>Each channel's MMM "
            "contribution split over its labels by their multi-touch credit: the labels of "
            "a channel add up to its MMM contribution (intervals in "
            "<code>wf.attribution_result.calibrated</code>).</i></p>"
            f"<table class=\"mmm-table\"><tr><th>channel</th><th>label</th>{head}</tr>"
            f"{rows}</table>")


def incremental_html(table: pd.DataFrame) -> str:
    """Each method's credit in incremental units (rescaled to the MMM's total), as HTML.

    Empty when the table has no ``mmm_incremental`` column (a step run by an older version).
    """
    if "mmm_incremental" not in table:
        return ""
    methods = [c[: -len("_incremental")] for c in table.columns
               if c.endswith("_incremental") and c != "mmm_incremental"]
    head = "".join(f"<th>{html.escape(m.replace('_', ' '))}</th>" for m in methods)
    rows = []
    for channel in table.index:
        cells = [f"<td><b>{html.escape(str(channel))}</b></td>",
                 f"<td>{table.at[channel, 'mmm_incremental']:,.0f}</td>"]
        for method in methods:
            value = table.at[channel, f"{method}_incremental"]
            if pd.isna(value):
                cells.append("<td></td>")
                continue
            low = table.at[channel, f"{method}_incremental_hdi_low"]
            high = table.at[channel, f"{method}_incremental_hdi_high"]
            cells.append(f"<td>{value:,.0f} <small>({low:,.0f}–{high:,.0f})</small></td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (INCREMENTAL + "<table class=\"mmm-table\"><tr><th>channel</th><th>MMM contribution"
            f"</th>{head}</tr>{''.join(rows)}</table>")
