"""Panel of step 1 — data mapping: a thin view over :meth:`Workflow.map_data`."""

from __future__ import annotations

import contextlib
import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from mmm_widgets.plots import data as data_plots
from mmm_widgets.steps.aggregate import WEEKLY
from mmm_widgets.steps.sheets import (
    ALIKE_SHEETS,
    reads_every_sheet,
    sheet_names,
    sheets_like_the_first,
    stacked_sheets_option,
)
from mmm_widgets.steps.source import FILE_KINDS, file_kind
from mmm_widgets.views.common import (
    LINES_LIST,
    CodeBox,
    bokeh_pane,
    ensure_bokeh_loaded,
    frame_html,
    frame_names,
    message_html,
    problems_html,
    report_errors,
    user_namespace,
)
from mmm_widgets.workflow import Workflow

NO_GEO = NO_VALUE = "(none)"  # the option of a role no column plays
SEPARATORS = {"comma ,": ",", "semicolon ;": ";", "tab": "\t", "pipe |": "|"}
DECIMALS = {"point .": ".", "comma ,": ","}
#: The files the upload button offers: text of values and every other kind read.
UPLOADS = ",".join((".csv", ".tsv", ".txt", ".gz", ".zip", *FILE_KINDS))
#: The Sheet box's choice of a workbook's first sheet (pd.read_excel's default).
FIRST_SHEET = "first"


class DataView(w.VBox):
    """Map the columns of a table to roles, check them, preview, and export the code.

    Parameters
    ----------
    workflow : Workflow
        The workflow this panel edits.
    namespace : dict, optional
        Where to look for DataFrames to pick from (the notebook's namespace by default).
    upload_dir : str or Path
        Folder where uploaded files are saved, so the exported code can read them.
    """

    def __init__(self, workflow: Workflow, namespace: dict[str, Any] | None = None,
                 upload_dir: str | Path = "."):
        self.workflow = workflow
        self.namespace = namespace if namespace is not None else user_namespace()
        self.upload_dir = Path(upload_dir)
        self.message = w.HTML()
        self.findings = w.HTML()
        self.quality = w.HTML()
        self.plots = w.VBox()
        self.code_box = CodeBox("Data step code")
        # Load BokehJS now, while a cell runs: called later from a button callback, its
        # output would belong to no cell and the plots would fail to render.
        ensure_bokeh_loaded()
        guard = report_errors(self.message)

        self.frame_picker = w.Dropdown(description="DataFrame", options=self._frame_names(),
                                       value=None)
        self.upload = w.FileUpload(accept=UPLOADS, multiple=False,
                                   description="Upload file")
        self.separator = w.Dropdown(description="Separator", options=list(SEPARATORS),
                                    value="comma ,")
        self.decimal = w.Dropdown(description="Decimal", options=list(DECIMALS),
                                  value="point .")
        self.skiprows = w.BoundedIntText(description="Skip rows", value=0, min=0, max=1000)
        self.header_rows = w.BoundedIntText(description="Header rows", value=1, min=1, max=2)
        self.sheet = w.Dropdown(description="Sheet", options=[FIRST_SHEET], value=FIRST_SHEET,
                                disabled=True, tooltip=(
                                    "A workbook's sheet to read; all like the first: every "
                                    "sheet with the first one's columns, one under another, "
                                    "each row's sheet in a column 'sheet' (a sheet per market)"))
        self._quiet = False  # while True, changing a read option reads nothing
        self.date = w.Dropdown(description="Date")
        self.target = w.Dropdown(description="Target")
        self.channels = w.SelectMultiple(description="Channels", rows=6)
        self.controls = w.SelectMultiple(description="Controls", rows=6)
        self.geo = w.Dropdown(description="Geo")
        self.value = w.Dropdown(description="Value/unit", tooltip=(
            "Money one unit of the target brings (e.g. revenue_per_conversion): the model "
            "then explains the revenue, target times value, and ROAS is money per unit of "
            "spend."))
        self.date_format = w.Text(description="Date format", placeholder="inferred, e.g. %d/%m/%Y")
        self.is_long = w.Checkbox(description="Long table (one row per date and channel)")
        self.weekly = w.Checkbox(description="Sum daily rows into weeks (Monday to Sunday)")
        self.empty_spend = w.Checkbox(description="Empty spend cells are 0 (nothing spent)")
        self.channel_column = w.Dropdown(description="Channel col")
        self.value_column = w.Dropdown(description="Spend col")
        self.suggest_button = w.Button(description="Suggest roles", icon="magic")
        self.apply_button = w.Button(description="Apply mapping", button_style="primary",
                                     icon="check")
        self.export_button = w.Button(description="Export code", icon="code")

        self.frame_picker.observe(guard(self._on_frame_picked), names="value")
        self.upload.observe(guard(self._on_upload), names="value")
        # A read error's fix names these options: changing one re-reads the current file.
        for option in (self.separator, self.decimal, self.skiprows, self.header_rows,
                       self.sheet):
            option.observe(guard(self._on_read_option), names="value")
        self.is_long.observe(self._on_long_toggled, names="value")
        self.suggest_button.on_click(guard(lambda _: self.suggest()))
        self.apply_button.on_click(guard(lambda _: self.apply()))
        self.export_button.on_click(guard(lambda _: self.export()))

        self.long_box = w.HBox([self.channel_column, self.value_column])
        self.long_box.layout.display = "none"
        source_box = w.VBox([
            w.HTML("<b>Source</b>"),
            w.HBox([self.frame_picker, self.upload]),
            w.HBox([self.separator, self.decimal, self.skiprows, self.header_rows]),
            self.sheet,
            w.HTML(f"<i>{html.escape(self._source_text())}</i>"),
        ])
        self.source_label = source_box.children[-1]
        roles_box = w.VBox([
            w.HTML("<b>Roles</b>"),
            w.HBox([w.VBox([self.date, self.target, self.value, self.geo,
                            self.date_format]),
                    w.VBox([self.channels, self.controls])]),
            self.is_long, self.long_box, w.HBox([self.weekly, self.empty_spend]),
            w.HBox([self.suggest_button, self.apply_button, self.export_button]),
        ])
        super().__init__([source_box, roles_box, self.message, self.findings, self.quality,
                          self.plots, self.code_box])
        guard(self._load_state)()

    # ----- state ------------------------------------------------------------------------
    def _load_state(self) -> None:
        self._show_read_options()
        self._refresh_columns()
        if self.workflow.status("data") in ("done", "stale"):
            self._show_mapping(self.workflow.step("data").params)
            self._show_result()
        elif self.workflow.source is not None:
            self.suggest()

    def _refresh_columns(self) -> None:
        self.source_label.value = f"<i>{html.escape(self._source_text())}</i>"
        raw = self.workflow.raw
        columns = [] if raw is None else [str(c) for c in raw.columns]
        with self.hold_sync():
            for dropdown in (self.date, self.target, self.channel_column, self.value_column):
                dropdown.options = columns
                dropdown.value = None
            self.geo.options = [NO_GEO, *columns]
            self.geo.value = NO_GEO
            self.value.options = [NO_VALUE, *columns]
            self.value.value = NO_VALUE
            self.channels.options = columns
            self.controls.options = columns

    def _source_text(self) -> str:
        source = self.workflow.source
        if source is None:
            return "No data yet: pick a DataFrame or upload a file."
        note = f". {source.note}" if source.note else ""
        return f"Using {source.describe()}{note}"

    def _frame_names(self) -> list[str]:
        return frame_names(self.namespace)

    def _show_mapping(self, params) -> None:
        with self.hold_sync():
            self.date.value = params.date
            self.target.value = params.target
            self.geo.value = params.geo or NO_GEO
            self.value.value = params.value_per_unit or NO_VALUE
            self.date_format.value = params.date_format or ""
            self.controls.value = tuple(params.controls)
            self.weekly.value = params.aggregate == WEEKLY
            self.empty_spend.value = params.empty_spend_is_zero
            if params.long is not None:
                self.is_long.value = True
                self.channel_column.value = params.long.channel_column
                self.value_column.value = params.long.value_column
            else:
                self.is_long.value = False
                self.channels.value = tuple(c for c in params.channels
                                            if c in self.channels.options)

    # ----- actions ----------------------------------------------------------------------
    def suggest(self) -> dict[str, Any]:
        """Fill the role widgets with the suggested mapping."""
        mapping = self.workflow.suggest_mapping()
        options = set(self.date.options)
        with self.hold_sync():
            self.date.value = mapping["date"] if mapping["date"] in options else None
            self.target.value = mapping["target"] if mapping["target"] in options else None
            self.geo.value = mapping["geo"] or NO_GEO
            self.value.value = mapping["value_per_unit"] or NO_VALUE
            self.channels.value = tuple(mapping["channels"])
            self.controls.value = tuple(mapping["controls"])
            long = mapping.get("long")
            self.is_long.value = long is not None
            if long is not None:
                self.channel_column.value = long["channel_column"]
                self.value_column.value = long["value_column"]
        layout = (" One row per date and channel: a long table, pivoted to a column per "
                  "channel." if mapping.get("long") else "")
        self.message.value = message_html(
            "info", f"Roles suggested from column names and values.{layout} Change any of "
                    "them, then press <b>Apply mapping</b>.")
        return mapping

    def mapping(self) -> dict[str, Any]:
        """The mapping as currently entered in the widgets (keyword arguments of map_data)."""
        long = None
        channels = tuple(self.channels.value)
        if self.is_long.value:
            long = {"channel_column": self.channel_column.value,
                    "value_column": self.value_column.value}
            channels = ()
        return {
            "date": self.date.value, "target": self.target.value, "channels": channels,
            "controls": tuple(self.controls.value),
            "geo": None if self.geo.value in (None, NO_GEO) else self.geo.value,
            "date_format": self.date_format.value.strip() or None, "long": long,
            "aggregate": WEEKLY if self.weekly.value else None,
            "value_per_unit": None if self.value.value in (None, NO_VALUE) else self.value.value,
            "empty_spend_is_zero": bool(self.empty_spend.value),
        }

    def apply(self) -> pd.DataFrame | None:
        """Run the data step with the entered mapping and show the outcome.

        On a :class:`~mmm_widgets.errors.DataError` every problem is listed and both the
        entered values and the workflow's previous mapping are kept. A role left empty
        is one of them, with what to pick; a table without a date column gets the fix that
        makes one (its dates written over two columns, one column per date, or a column
        counting its periods) or says what it would need (no dates at all).
        """
        mapping = self.mapping()
        try:
            data = self.workflow.map_data(**mapping)
        except Exception as error:  # shown in the panel
            self.message.value = problems_html(error)
            return None
        self._show_result()
        return data

    def export(self) -> str:
        """Write the data step's code into the cell below the panel (or show it to copy)."""
        code = self.workflow.step_code("data")
        self.code_box.export(code, key="data")
        return code

    def _show_result(self) -> None:
        result = self.workflow.data_result
        data, roles = result.data, result.roles
        dates = data[roles.date]
        geos = f", {data[roles.geo].nunique()} geos" if roles.geo else ""
        stale = " (the source changed since: apply again)" \
            if self.workflow.status("data") == "stale" else ""
        self.message.value = message_html(
            "ok", f"<b>Mapping applied{stale}.</b> {len(data)} rows, {result.frequency} from "
                  f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}{geos}; "
                  f"{len(roles.channels)} channels, {len(roles.controls)} controls."
                  f"{_revenue_html(self.workflow.step('data').params, roles.target)}"
                  f"{_levels_html(self.workflow.step('data').params.categorical)}")
        if result.warnings:
            items = "".join(f"<li>{html.escape(f.message)}</li>" for f in result.warnings)
            self.findings.value = message_html("warn",
                                               f"<b>Worth a look</b>{LINES_LIST}{items}</ul>")
        else:
            self.findings.value = ""
        self.quality.value = "<b>Data quality</b>" + frame_html(result.quality)
        self.plots.children = [
            bokeh_pane(data_plots.target_figure(data_plots.target_frame(data, roles),
                                                roles.target)),
            bokeh_pane(data_plots.spend_figure(data_plots.spend_frame(data, roles))),
            bokeh_pane(data_plots.share_figure(data_plots.share_frame(data, roles))),
        ]

    # ----- callbacks ------------------------------------------------------------------
    def _on_frame_picked(self, change: dict) -> None:
        name = change["new"]
        if name is None:
            return
        self.workflow.set_frame(self.namespace[name], name=name)
        self._refresh_columns()
        self.suggest()

    def _on_upload(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        path = _save_upload(self.upload_dir, upload["name"], bytes(upload["content"]))
        self._read_file(path)

    def _on_read_option(self, change: dict) -> None:
        if self._quiet:
            return
        source = self.workflow.source
        if source is not None and source.kind != "frame" and source.path:
            self._read_file(Path(source.path))

    def _read_file(self, path: Path) -> None:
        """Read ``path`` with the separator, decimal mark and skipped rows entered."""
        options: dict[str, Any] = {}
        kind = file_kind(path)
        if kind == "csv":
            if SEPARATORS[self.separator.value] != ",":
                options["sep"] = SEPARATORS[self.separator.value]
            if DECIMALS[self.decimal.value] != ".":
                options["decimal"] = DECIMALS[self.decimal.value]
        if self.skiprows.value and kind in ("csv", "excel"):
            options["skiprows"] = int(self.skiprows.value)
        if self.header_rows.value == 2 and kind in ("csv", "excel"):
            options["header"] = [0, 1]
        if kind == "excel":
            self._offer_sheets(path)
            if self.sheet.value == ALIKE_SHEETS:
                alike = sheets_like_the_first(path, options)
                options["sheet_name"] = stacked_sheets_option(path, alike) if alike else None
            elif self.sheet.value != FIRST_SHEET:
                options["sheet_name"] = self.sheet.value
        else:
            self._offer_sheets(None)
        self.workflow.set_file(path, **options)
        self._show_read_options()  # with any the file needed besides those entered
        self._refresh_columns()
        self.suggest()

    @contextlib.contextmanager
    def _quietly(self) -> Iterator[None]:
        """Change the read options' boxes without reading the file again."""
        quiet, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = quiet

    def _show_read_options(self) -> None:
        """Show the current file's read options in their boxes (a saved workflow's too), so
        that changing one box re-reads the file with the others as they were."""
        source = self.workflow.source
        if source is None or source.kind == "frame" or not source.path:
            return
        options = source.read_options
        with self._quietly():
            self.separator.value = next((k for k, v in SEPARATORS.items()
                                         if v == options.get("sep", ",")), self.separator.value)
            self.decimal.value = next((k for k, v in DECIMALS.items()
                                       if v == options.get("decimal", ".")), self.decimal.value)
            if isinstance(options.get("skiprows", 0), int):
                self.skiprows.value = options.get("skiprows", 0)
            self.header_rows.value = 2 if isinstance(options.get("header"), list) else 1
            if source.kind == "excel":
                self._offer_sheets(Path(source.path))
                sheet = options.get("sheet_name", FIRST_SHEET)
                sheets = list(self.sheet.options)[2:]  # after first and all like the first
                if isinstance(sheet, int) and 0 <= sheet < len(sheets):
                    sheet = sheets[sheet]
                self.sheet.value = (sheet if sheet in self.sheet.options
                                    else ALIKE_SHEETS if reads_every_sheet(options)
                                    and ALIKE_SHEETS in self.sheet.options else FIRST_SHEET)

    def _offer_sheets(self, path: Path | None) -> None:
        """Offer the workbook's sheets in the Sheet box (none for a CSV), keeping the choice
        when the new workbook has it; changing the options reads nothing."""
        names = sheet_names(path) if path is not None else []
        options = [FIRST_SHEET, ALIKE_SHEETS, *names] if len(names) > 1 else [FIRST_SHEET]
        keep = self.sheet.value if self.sheet.value in options else FIRST_SHEET
        with self._quietly():
            if list(self.sheet.options) != options:
                self.sheet.options = options
            self.sheet.value = keep
            self.sheet.disabled = len(options) == 1

    def _on_long_toggled(self, change: dict) -> None:
        self.long_box.layout.display = None if change["new"] else "none"
        self.channels.disabled = bool(change["new"])


def _revenue_html(params, target: str) -> str:
    """What the model explains when the target has a value per unit."""
    if not params.value_per_unit:
        return ""
    return (f" The model explains <b>{html.escape(target)}</b> = "
            f"{html.escape(params.target)} &times; {html.escape(params.value_per_unit)}, "
            "so ROAS is money per unit of spend.")


def _levels_html(categorical: tuple) -> str:
    """Which levels each text control has, and which one is the reference."""
    items = "".join(
        f"<li><b>{html.escape(found.column)}</b>: "
        f"{', '.join(html.escape(repr(level)) for level in found.levels)} "
        f"(each a 0/1 column; {html.escape(repr(found.reference))} is the reference)</li>"
        for found in categorical)
    return f"<br>Text controls become indicator columns:<ul>{items}</ul>" if items else ""


def _save_upload(folder: Path, name: str, content: bytes) -> Path:
    """Save an uploaded file under its own name, never overwriting a different file."""
    folder.mkdir(parents=True, exist_ok=True)
    safe = Path(name).name or "upload.csv"
    path = folder / safe
    counter = 1
    while path.exists() and path.read_bytes() != content:
        path = folder / f"{Path(safe).stem}-{counter}{Path(safe).suffix}"
        counter += 1
    path.write_bytes(content)
    return path
