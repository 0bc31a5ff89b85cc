"""Panel of step 4 — diagnostics: verdict, traffic lights, plots, holdout."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from mmm_widgets.codegen import assemble_script
from mmm_widgets.plots import diagnostics as plots
from mmm_widgets.steps.monitor import FitMonitor
from mmm_widgets.views.common import (
    CodeBox,
    bokeh_pane,
    message_html,
    problems_html,
    report_errors,
)
from mmm_widgets.workflow import Workflow

# Coloured dots in HTML rather than emoji: not every browser font has the emoji.
LIGHTS = {level: f'<span style="color:{colour};font-size:1.2em">●</span>' for level, colour in
          (("ok", "#2e7d32"), ("warn", "#f9a825"), ("fail", "#c62828"), ("info", "#1565c0"))}
VERDICTS = {"ok": "The fit can be used.", "warn": "Usable with care: read the findings.",
            "fail": "Do not use this fit yet: fix the problems below."}
PLOTS = ("Fit", "Residuals", "Autocorrelation", "Traces", "Prior vs posterior",
         "Decomposition", "Waterfall", "Holdout")


class DiagnosticsView(w.VBox):
    """Show whether the fit can be trusted, and why.

    Parameters
    ----------
    workflow : Workflow
        A workflow with a fit.
    """

    def __init__(self, workflow: Workflow):
        self.workflow = workflow
        self.message = w.HTML()
        self.verdict = w.HTML()
        self.checks = w.HTML()
        self.code_box = CodeBox("Diagnostics code")
        guard = report_errors(self.message)
        self.run_button = w.Button(description="Check the fit", button_style="primary",
                                   icon="stethoscope")
        self.export_button = w.Button(description="Export code", icon="code")
        self.plot_choice = w.ToggleButtons(options=PLOTS, value="Fit")
        self.parameter = w.Dropdown(description="Parameter", options=[])
        self.plot_area = w.VBox()
        self.holdout_periods = w.BoundedIntText(description="Hold out", value=13, min=1,
                                                max=520)
        self.holdout_button = w.Button(description="Run holdout", icon="forward")
        self.holdout_progress = w.FloatProgress(value=0.0, min=0.0, max=1.0)
        self.holdout_status = w.HTML()
        self._panes: dict[tuple[str, str], w.Widget] = {}
        self._holdout_thread: threading.Thread | None = None
        self.run_button.on_click(guard(lambda _: self.run()))
        self.export_button.on_click(guard(lambda _: self.export()))
        self.plot_choice.observe(guard(lambda _: self.show_plot()), names="value")
        self.parameter.observe(guard(lambda _: self.show_plot()), names="value")
        self.holdout_button.on_click(guard(lambda _: self.start_holdout()))
        super().__init__([
            w.HBox([self.run_button, self.export_button]), self.message, self.verdict,
            self.checks, self.plot_choice, self.parameter, self.plot_area,
            w.HTML("<b>Out of sample</b> <i>refit without the last periods and forecast "
                   "them</i>"),
            w.HBox([self.holdout_periods, self.holdout_button, self.holdout_progress,
                    self.holdout_status]),
            self.code_box,
        ])
        self.parameter.layout.display = "none"
        if workflow.status("diagnostics") == "done":
            self._show_result()

    def run(self) -> dict[str, Any] | None:
        """Compute the diagnostics and show verdict, checks and the first plot."""
        self.message.value = message_html("info", "Checking the fit…")
        try:
            report = self.workflow.diagnostics()
        except Exception as error:  # shown in the panel
            self.message.value = problems_html(error)
            return None
        self.message.value = ""
        self._show_result()
        return report

    def _show_result(self) -> None:
        result = self.workflow.step("diagnostics").result
        self._panes.clear()
        verdict = result.verdict
        self.verdict.value = message_html(
            verdict if verdict != "fail" else "error",
            f"{LIGHTS[verdict]} <b>Verdict: {verdict}</b>. {VERDICTS[verdict]}")
        rows = "".join(
            f"<tr><td>{LIGHTS.get(c.level, '')}</td><td>{html.escape(c.check)}</td>"
            f"<td>{c.value:,.3g}</td><td>{html.escape(c.message)}</td></tr>"
            for c in result.checks)
        self.checks.value = ("<table class='mmm-table'><tr><th></th><th>check</th>"
                             f"<th>value</th><th>finding</th></tr>{rows}</table>")
        traces = result.frames["traces"]
        self.parameter.options = sorted(traces["parameter"].unique())
        self.show_plot()

    def show_plot(self) -> w.Widget | None:
        """Show the chosen plot (built once, then reused, so switching is instant)."""
        if self.workflow.status("diagnostics") != "done":
            return None
        choice = self.plot_choice.value
        self.parameter.layout.display = None if choice == "Traces" else "none"
        key = (choice, self.parameter.value if choice == "Traces" else "")
        if key not in self._panes:
            builder = self._builders().get(choice)
            figure = builder() if builder else None
            if figure is None:
                self.plot_area.children = [w.HTML("<i>Run the holdout below first.</i>")]
                return None
            self._panes[key] = bokeh_pane(figure)
        self.plot_area.children = [self._panes[key]]
        return self._panes[key]

    def _builders(self) -> dict[str, Callable[[], Any]]:
        result = self.workflow.step("diagnostics").result
        frames, roles = result.frames, self.workflow.data_result.roles
        periods = self.workflow.data[roles.date].nunique()
        return {
            "Fit": lambda: plots.fit_figure(frames["fit"], roles.date),
            "Residuals": lambda: plots.residual_figure(frames["fit"], roles.date),
            "Autocorrelation": lambda: plots.autocorrelation_figure(frames["autocorrelation"],
                                                                    periods),
            "Traces": lambda: plots.trace_figure(frames["traces"], self.parameter.value),
            "Prior vs posterior": lambda: plots.prior_posterior_figure(
                frames["prior_posterior"]),
            "Decomposition": lambda: plots.decomposition_figure(frames["decomposition"]),
            "Waterfall": lambda: plots.waterfall_figure(frames["totals"]),
            "Holdout": self._holdout_figure,
        }

    def _holdout_figure(self) -> Any:
        if self.workflow.status("holdout") != "done":
            return None
        frame = self.workflow.step("holdout").result.frame
        return plots.holdout_figure(frame, self.workflow.data_result.roles.date)

    def start_holdout(self) -> threading.Thread:
        """Run the holdout refit in a worker thread with progress."""
        monitor = FitMonitor()
        periods = int(self.holdout_periods.value)
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["report"] = self.workflow.holdout(periods, monitor=monitor)
            except BaseException as error:  # reported in the panel
                outcome["error"] = error

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        self.holdout_button.disabled = True
        self._holdout_thread = threading.Thread(target=self._watch_holdout,
                                                args=(worker, monitor, outcome), daemon=True)
        self._holdout_thread.start()
        return self._holdout_thread

    def wait(self, timeout: float | None = None) -> None:
        """Block until a running holdout has finished and been shown."""
        if self._holdout_thread is not None:
            self._holdout_thread.join(timeout)

    def _watch_holdout(self, worker: threading.Thread, monitor: FitMonitor,
                       outcome: dict[str, Any]) -> None:
        while worker.is_alive():
            snap = monitor.snapshot()
            self.holdout_progress.value = snap.fraction
            self.holdout_status.value = f"{snap.phase} {snap.elapsed:.0f} s"
            time.sleep(0.25)
        self.holdout_button.disabled = False
        self.holdout_progress.value = 1.0
        if "error" in outcome:
            self.holdout_status.value = ""
            self.message.value = problems_html(outcome["error"])
            return
        report = outcome["report"]
        self.holdout_status.value = (f"MAPE {report['mape']:.1%}, R² {report['r2']:.2f} on "
                                     f"{int(self.holdout_periods.value)} held-out periods")
        self._panes.pop(("Holdout", ""), None)
        if self.plot_choice.value == "Holdout":
            self.show_plot()

    def export(self) -> str:
        """Write the diagnostics code (and the holdout's, if run) below the panel."""
        chunks = [self.workflow.step("diagnostics").code()]
        if self.workflow.status("holdout") == "done":
            chunks.append(self.workflow.step("holdout").code())
        code = assemble_script(chunks)
        self.code_box.export(code, key="diagnostics")
        return code
