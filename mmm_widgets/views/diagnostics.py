"""Panel of step 4 — diagnostics: verdict, traffic lights, plots, holdout, cross-validation."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from mmm_widgets.codegen import assemble_script
from mmm_widgets.engine.jobs import Job
from mmm_widgets.plots import diagnostics as plots
from mmm_widgets.views.common import (
    CodeBox,
    SharedLooks,
    bokeh_pane,
    follow_job,
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
         "Decomposition", "Waterfall", "Holdout", "Cross-validation")


class DiagnosticsView(w.VBox):
    """Show whether the fit can be trusted, and why.

    Parameters
    ----------
    workflow : Workflow
        A workflow with a fit.
    """

    def __init__(self, workflow: Workflow):
        self.workflow = workflow
        # Sent as one piece when the wizard opens the step: its widgets share layout and
        # style models (see SharedLooks), 75 models down to 41.
        looks = SharedLooks()
        self.message = looks(w.HTML)
        self.verdict = looks(w.HTML)
        self.checks = looks(w.HTML)
        self.code_box = CodeBox("Diagnostics code")
        guard = report_errors(self.message)
        self.run_button = looks(w.Button, description="Check the fit", button_style="primary",
                                icon="stethoscope")
        self.export_button = looks(w.Button, description="Export code", icon="code")
        self.plot_choice = looks(w.ToggleButtons, options=PLOTS, value="Fit")
        # Its own layout: hidden or shown with the plot chosen.
        self.parameter = w.Dropdown(description="Parameter", options=[])
        self.plot_area = looks(w.VBox)
        # Both start at wf.holdout()'s and wf.cross_validate()'s defaults: a quarter.
        self.holdout_periods = looks(w.BoundedIntText, description="Hold out",
                                     value=workflow.default_window(), min=1, max=520)
        self.holdout_button = looks(w.Button, description="Run holdout", icon="forward")
        self.holdout_progress = looks(w.FloatProgress, value=0.0, min=0.0, max=1.0)
        self.holdout_status = looks(w.HTML)
        self.cv_folds = looks(w.BoundedIntText, description="Folds", value=3, min=1, max=20)
        self.cv_horizon = looks(w.BoundedIntText, description="Horizon",
                                value=workflow.default_window(self.cv_folds.value), min=1,
                                max=520)
        self.cv_button = looks(w.Button, description="Cross-validate", icon="forward")
        self.cv_cancel = looks(w.Button, description="Cancel", icon="stop", disabled=True)
        self.cv_progress = looks(w.FloatProgress, value=0.0, min=0.0, max=1.0)
        self.cv_status = looks(w.HTML)
        self._panes: dict[tuple[str, str], w.Widget] = {}
        self._holdout_thread: threading.Thread | None = None
        self._cv_thread: threading.Thread | None = None
        self._cv_job: Job | None = None
        self.run_button.on_click(guard(lambda _: self.run()))
        self.export_button.on_click(guard(lambda _: self.export()))
        self.plot_choice.observe(guard(lambda _: self.show_plot()), names="value")
        self.parameter.observe(guard(lambda _: self.show_plot()), names="value")
        self.holdout_button.on_click(guard(lambda _: self.start_holdout()))
        self.cv_button.on_click(guard(lambda _: self.start_cross_validation()))
        self.cv_cancel.on_click(guard(lambda _: self.cancel_cross_validation()))
        super().__init__([
            looks(w.HBox, [self.run_button, self.export_button]), self.message, self.verdict,
            self.checks, self.plot_choice, self.parameter, self.plot_area,
            looks(w.HTML, "<b>Out of sample</b> <i>refit without the last periods and "
                  "forecast them</i>"),
            looks(w.HBox, [self.holdout_periods, self.holdout_button, self.holdout_progress,
                           self.holdout_status]),
            looks(w.HTML, "<i>or refit on rolling windows and forecast the periods after "
                  "each (time-slice cross-validation)</i>"),
            looks(w.HBox, [self.cv_folds, self.cv_horizon, self.cv_button, self.cv_cancel,
                           self.cv_progress, self.cv_status]),
            self.code_box,
        ])
        self.parameter.layout.display = "none"
        if workflow.status("diagnostics") == "done":
            self._show_result()
        if workflow.status("cross_validation") == "done":
            report = workflow.step("cross_validation").result.report()
            self.cv_status.value = cross_validation_summary(report)

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
                what = "cross-validation" if choice == "Cross-validation" else "holdout"
                self.plot_area.children = [w.HTML(f"<i>Run the {what} below first.</i>")]
                return None
            self._panes[key] = bokeh_pane(figure)
        self.plot_area.children = [self._panes[key]]
        return self._panes[key]

    def _builders(self) -> dict[str, Callable[[], Any]]:
        result = self.workflow.step("diagnostics").result
        frames, roles = result.frames, self.workflow.data_result.roles
        periods = self.workflow.data_result.periods
        return {
            "Fit": lambda: plots.fit_figure(frames["fit"], roles.date,
                                            self.workflow.step("diagnostics").params.hdi_prob),
            "Residuals": lambda: plots.residual_figure(frames["fit"], roles.date),
            "Autocorrelation": lambda: plots.autocorrelation_figure(frames["autocorrelation"],
                                                                    periods),
            "Traces": lambda: plots.trace_figure(frames["traces"], self.parameter.value),
            "Prior vs posterior": lambda: plots.prior_posterior_figure(
                frames["prior_posterior"]),
            "Decomposition": lambda: plots.decomposition_figure(frames["decomposition"]),
            "Waterfall": lambda: plots.waterfall_figure(frames["totals"]),
            "Holdout": self._holdout_figure,
            "Cross-validation": self._cross_validation_figure,
        }

    def _holdout_figure(self) -> Any:
        if self.workflow.status("holdout") != "done":
            return None
        step = self.workflow.step("holdout")
        return plots.holdout_figure(step.result.frame, self.workflow.data_result.roles.date,
                                    step.params.hdi_prob)

    def _cross_validation_figure(self) -> Any:
        if self.workflow.status("cross_validation") != "done":
            return None
        step = self.workflow.step("cross_validation")
        return plots.cross_validation_figure(step.result.frame,
                                             self.workflow.data_result.roles.date,
                                             step.params.hdi_prob)

    def start_holdout(self) -> threading.Thread:
        """Run the holdout refit as a job with progress; return the thread following it."""
        job = self.workflow.holdout_in_background(int(self.holdout_periods.value))
        self.holdout_button.disabled = True
        self._holdout_thread = follow_job(job, self._holdout_progress, self._holdout_done)
        return self._holdout_thread

    def wait(self, timeout: float | None = None) -> None:
        """Block until a running holdout or cross-validation has finished and been shown."""
        for thread in (self._holdout_thread, self._cv_thread):
            if thread is not None:
                thread.join(timeout)

    def start_cross_validation(self) -> threading.Thread:
        """Run the cross-validation as a job, showing fold k of n; return its follower."""
        self.cv_button.disabled = True
        self.cv_cancel.disabled = False
        self.cv_progress.value = 0.0
        self._cv_job = self.workflow.cross_validate_in_background(
            int(self.cv_folds.value), int(self.cv_horizon.value))
        self._cv_thread = follow_job(self._cv_job, self._cv_progress, self._cv_done)
        return self._cv_thread

    def cancel_cross_validation(self) -> None:
        """Stop a running cross-validation; the previous result, if any, is kept."""
        if self._cv_job is not None:
            self._cv_job.cancel()

    def _cv_progress(self, snap: Any) -> None:
        folds = max(snap.folds, 1)
        done = max(snap.fold - 1, 0) + snap.fraction
        self.cv_progress.value = min(done / folds, 1.0)
        fold = f"fold {snap.fold} of {snap.folds}: " if snap.folds else ""
        eta = f", about {snap.eta:.0f} s left in this fold" if snap.eta is not None else ""
        self.cv_status.value = f"{fold}{snap.phase} {snap.elapsed:.0f} s{eta}"

    def _cv_done(self, job: Job) -> None:
        self.cv_button.disabled = False
        self.cv_cancel.disabled = True
        if job.error is not None:
            self.cv_status.value = ""
            self.message.value = problems_html(job.error)
            return
        self.cv_progress.value = 1.0
        self.cv_status.value = cross_validation_summary(job.result)
        self._panes.pop(("Cross-validation", ""), None)
        if self.plot_choice.value == "Cross-validation":
            self.show_plot()

    def _holdout_progress(self, snap: Any) -> None:
        self.holdout_progress.value = snap.fraction
        self.holdout_status.value = f"{snap.phase} {snap.elapsed:.0f} s"

    def _holdout_done(self, job: Job) -> None:
        self.holdout_button.disabled = False
        self.holdout_progress.value = 1.0
        if job.error is not None:
            self.holdout_status.value = ""
            self.message.value = problems_html(job.error)
            return
        report = job.result
        self.holdout_status.value = (f"MAPE {report['mape']:.1%}, R² {report['r2']:.2f} on "
                                     f"{int(self.holdout_periods.value)} held-out periods")
        self._panes.pop(("Holdout", ""), None)
        if self.plot_choice.value == "Holdout":
            self.show_plot()

    def export(self) -> str:
        """Write the diagnostics code (and the holdout's and cross-validation's) below."""
        chunks = [self.workflow.step("diagnostics").code()]
        for kind in ("holdout", "cross_validation"):
            if self.workflow.status(kind) == "done":
                chunks.append(self.workflow.step(kind).code())
        code = assemble_script(chunks)
        self.code_box.export(code, key="diagnostics")
        return code


def cross_validation_summary(report: dict[str, Any]) -> str:
    """One line of HTML: mean out-of-sample MAPE, R² and CRPS, and each fold's MAPE."""
    per_fold = report["per_fold"]
    folds = ", ".join(f"{mape:.1%}" for mape in per_fold["mape"])
    return (f"Mean over {len(per_fold)} folds: MAPE {report['mape']:.1%}, R² {report['r2']:.2f}, "
            f"CRPS {report['crps']:,.0f} <span style='color:#666'>(MAPE per fold: {folds})"
            "</span>")
