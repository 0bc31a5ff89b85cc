"""Panel of step 6 — budget: response curves, optimizer with progress, scenarios, what-if."""

from __future__ import annotations

import contextlib
import html
import math
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from mmm_widgets.api.budget import budget_params, optimize_budget, run_budget, synergy_note
from mmm_widgets.engine.jobs import Job
from mmm_widgets.errors import DataError, problem
from mmm_widgets.plots.budget import (
    allocation_data,
    allocation_figure,
    response_figure,
    scenario_data,
    scenario_figure,
    what_if_data,
    what_if_figure,
)
from mmm_widgets.steps.budget import (
    DEFAULT_BOUND_PCT,
    NO_LIMIT,
    OBJECTIVES,
    BudgetCancelled,
    BudgetMonitor,
    band_factors,
    held_channels,
)
from mmm_widgets.views import activity
from mmm_widgets.views.common import (
    CodeBox,
    SharedLooks,
    bokeh_pane,
    follow_job,
    frame_html,
    message_html,
    problems_html,
    report_errors,
)
from mmm_widgets.workflow import Workflow

# Longest wait for the first response curves before an optimization starts anyway.
_CURVES_TIMEOUT = 120.0
#: The first curves wait until the panels have been quiet this long (s) ...
CURVES_QUIET = 0.2
#: ... but no longer than this (s).
CURVES_QUIET_TIMEOUT = 2.0

OBJECTIVE_LABELS = {"mean": "Mean response", "cvar": "CVaR (average of the worst draws)",
                    "var": "VaR (a low quantile)"}
_SLIDER_STEPS = 400
# How much lower the response-curve thread's scheduling priority is (nice steps).
_CURVES_NICE = 10


def lower_thread_priority(steps: int = _CURVES_NICE) -> int | None:
    """Lower the calling thread's scheduling priority by ``steps`` nice steps (Linux only).

    On Linux the nice value belongs to each thread, so the rest of the kernel keeps its
    priority. Returns the thread's new nice value, or None where it was left alone.
    """
    if not sys.platform.startswith("linux"):
        return None
    thread = threading.get_native_id()
    try:
        nice = min(19, os.getpriority(os.PRIO_PROCESS, thread) + steps)
        os.setpriority(os.PRIO_PROCESS, thread, nice)
    except OSError:
        return None
    return nice


class BudgetView(w.VBox):
    """Find a budget split with pymc-marketing, compare plans, and try your own.

    On a geo model the optimizer decides the spend of every channel in every geo; the
    bounds and what-if sliders stay per channel (bounds are split over a channel's geos
    in proportion to current spend, a slider scales the channel's spend in every geo of
    the plan it was reset to).

    Parameters
    ----------
    workflow : Workflow
        A workflow with a fitted model.
    defer_curves : bool
        Leave the response curves until :meth:`shown` is called (the wizard does, once the
        panel is on screen); by default they start at once.
    """

    def __init__(self, workflow: Workflow, *, defer_curves: bool = False):
        self.workflow = workflow
        self.channels = tuple(workflow.data_result.roles.channels)
        self.geo = workflow.data_result.roles.geo or None
        # Geo models: the (channel, geo) plan the what-if sliders scale, channel by channel.
        self._base_cells: dict[tuple[str, str], float] = {}
        self.job: Job | None = None
        self._watcher: threading.Thread | None = None
        self._silent = False
        # Sent as one piece when the wizard opens the step: its widgets share layout and
        # style models (kept in ``_looks`` for the sliders), 196 models down to 90.
        looks = self._looks = SharedLooks()
        self.message = looks(w.HTML)
        self.code_box = CodeBox("Budget step code")
        guard = report_errors(self.message)
        params = budget_params(workflow)

        self.threshold = looks(w.BoundedFloatText, description="Threshold",
                               value=params.threshold, min=0.01, max=1000.0, step=0.1)
        self.curves_box = looks(w.VBox)
        self.curves_note = looks(w.HTML)
        self.threshold.observe(guard(lambda _: self.show_curves()), names="value")

        self.periods = looks(w.BoundedIntText, description="Periods", value=params.periods,
                             min=1, max=520)
        self.total = looks(w.FloatText, description="Total", value=params.total or 0.0)
        self.objective = looks(w.Dropdown, description="Objective", value=params.objective,
                               options=[(OBJECTIVE_LABELS[o], o) for o in OBJECTIVES])
        self.risk_level = looks(w.BoundedFloatText, description="Risk level",
                                value=params.risk_level, min=0.5, max=0.999, step=0.01)
        self.low = {c: looks(w.Text, placeholder="0", width="120px")
                    for c in self.channels}
        self.high = {c: looks(w.Text, placeholder="no limit", width="120px")
                     for c in self.channels}
        for channel, (low, high) in params.bounds.items():
            if channel in self.low:
                self.low[channel].value, self.high[channel].value = f"{low:g}", f"{high:g}"
        # The boxes are filled with current spend +/- DEFAULT_BOUND_PCT once the run-rate
        # is known; a box still holding that text follows a change of the horizon.
        self._default_texts: dict[str, tuple[str, str]] = {}
        self._restored_pct = params.default_bound_pct if params.total is not None \
            else DEFAULT_BOUND_PCT
        self.no_limit = looks(w.Checkbox,
                              description="No limits: any channel from 0 to the total",
                              value=self._restored_pct is None and not params.bounds,
                              indent=False, width="auto")
        self.default_bounds_button = looks(
            w.Button, description=f"Current ± {DEFAULT_BOUND_PCT:g} %", icon="undo",
            tooltip="Fill every channel's bounds with its current spend plus or minus "
                    f"{DEFAULT_BOUND_PCT:g} % over the horizon")
        self.no_limit.observe(guard(lambda _: self._show_no_limit()), names="value")
        self.default_bounds_button.on_click(guard(lambda _: self.fill_default_bounds()))
        self.periods.observe(guard(lambda _: self._follow_periods()), names="value")
        self._show_no_limit()
        note = synergy_note(workflow)
        self.synergy_note = looks(w.HTML,
                                  message_html("warn", html.escape(note)) if note else "")
        self.optimize_button = looks(w.Button, description="Optimize", button_style="primary",
                                     icon="play")
        self.cancel_button = looks(w.Button, description="Cancel", button_style="warning",
                                   icon="stop", disabled=True)
        self.export_button = looks(w.Button, description="Export code", icon="code")
        self.prepare_button = looks(w.Button, description="Compare without optimizing",
                                    icon="balance-scale")
        self.progress = looks(w.FloatProgress, value=0.0, min=0.0, max=1.0,
                              description="Idle")
        self.status = looks(w.HTML)
        self.optimize_button.on_click(guard(lambda _: self.start()))
        self.cancel_button.on_click(guard(lambda _: self.cancel()))
        self.export_button.on_click(guard(lambda _: self.export()))
        self.prepare_button.on_click(guard(lambda _: self.prepare()))

        self.allocation_table = looks(w.HTML)
        self.allocation_box = looks(w.VBox)
        self._allocation_source: Any = None

        self.scenario_table = looks(w.HTML)
        self.scenario_box = looks(w.VBox)
        self._scenario_plot: tuple[Any, Any] | None = None
        self.scenario_name = looks(w.Text, description="Name", placeholder="e.g. more search")
        self.add_scenario_button = looks(w.Button, description="Add from sliders",
                                         icon="plus")
        self.change_pct = looks(w.FloatText, description="Change %", value=10.0)
        self.change_base = looks(w.Dropdown, description="of", options=["current"])
        self.add_change_button = looks(w.Button, description="Add budget change",
                                       icon="plus")
        self.remove_choice = looks(w.Dropdown, description="Scenario", options=[])
        self.remove_button = looks(w.Button, description="Remove", icon="trash")
        self.add_scenario_button.on_click(guard(lambda _: self.add_scenario()))
        self.add_change_button.on_click(guard(lambda _: self.add_budget_change()))
        self.remove_button.on_click(guard(lambda _: self.remove_scenario()))

        self.sliders: dict[str, w.FloatSlider] = {}
        self.slider_box = looks(w.VBox)
        self.what_if_summary = looks(w.HTML)
        self.what_if_box = looks(w.VBox)
        self._what_if_source: Any = None
        self.reset_current_button = looks(w.Button, description="Reset to current")
        self.reset_optimized_button = looks(w.Button, description="Reset to optimized")
        self.reset_current_button.on_click(guard(lambda _: self.set_allocation("current")))
        self.reset_optimized_button.on_click(guard(lambda _: self.set_allocation("optimized")))
        self._guard = guard

        # Geo models: a channel bought nationally keeps its split over the geos in a plan
        held = held_channels(workflow.data_result, params.held_split, params.bounds)
        self.held = {c: looks(w.Checkbox, description="bought nationally", value=c in held,
                              indent=False, width="auto",
                              tooltip="Keep the channel's split over the geos (each geo's "
                                      "share of current spend): the plan moves its total "
                                      "only") for c in self.channels} if self.geo else {}
        bounds_rows = [looks(w.HBox, [looks(w.Label, c, width="110px"), self.low[c],
                                      self.high[c], *([self.held[c]] if self.geo else [])])
                       for c in self.channels]
        super().__init__([
            looks(w.HTML, "<b>Response curves</b> <i>What one period returns if the same "
                          "spend is kept up; circles mark the current run-rate, diamonds where "
                          "one more unit of spend returns less than the threshold (marginal "
                          "ROAS).</i>"),
            self.threshold, self.curves_box, self.curves_note,
            looks(w.HTML, "<b>Optimize</b> <i>Total and bounds are spend over the whole "
                          "horizon. The first run compiles the optimizer (10-25 s); later runs "
                          "take seconds.</i>"),
            looks(w.HBox, [looks(w.VBox, [self.total, self.periods]),
                           looks(w.VBox, [self.objective, self.risk_level])]),
            looks(w.HTML, "<i>Bounds per channel over the horizon (lowest, highest), filled "
                          f"with current spend ± {DEFAULT_BOUND_PCT:g} % so the plan stays "
                          "near today's; edit them, or empty a box for 0 / no limit.</i>"
                          + (" <i>The plan is per channel and geo: a channel's bounds are "
                             "split over its geos in proportion to current spend, and a "
                             "channel gets nothing in a geo where it never spent. A channel "
                             "bought nationally keeps its split over the geos (ticked when "
                             "each geo's share of its spend is the same on every date).</i>"
                             if self.geo else "")),
            looks(w.VBox, bounds_rows),
            looks(w.HBox, [self.default_bounds_button, self.no_limit]),
            self.synergy_note,
            looks(w.HBox, [self.optimize_button, self.cancel_button, self.prepare_button,
                           self.export_button]),
            looks(w.HBox, [self.progress, self.status]),
            self.message, self.allocation_table, self.allocation_box,
            looks(w.HTML, "<b>Scenarios</b> <i>Outcome: the media contribution a plan adds "
                          "over the horizon and its carry-over tail.</i>"),
            self.scenario_table, self.scenario_box,
            looks(w.HBox, [self.scenario_name, self.add_scenario_button]),
            looks(w.HBox, [self.change_pct, self.change_base, self.add_change_button]),
            looks(w.HBox, [self.remove_choice, self.remove_button]),
            looks(w.HTML, "<b>What-if</b> <i>Move a channel's spend over the horizon; the "
                          "numbers follow instantly (precomputed from the posterior).</i>"),
            looks(w.HBox, [self.reset_current_button, self.reset_optimized_button]),
            self.slider_box, self.what_if_summary, self.what_if_box,
            self.code_box,
        ])
        # The curves take a few hundred milliseconds: the panel shows at once and draws
        # them when they are ready (``ready`` is set then).
        self.ready = threading.Event()
        # Set by whatever needs the curves now: the first curves stop waiting for quiet.
        self._curves_wanted = threading.Event()
        self._curves_thread: threading.Thread | None = None
        self.curves_note.value = "<i>Computing the response curves…</i>"
        if workflow.status("budget") == "done":
            guard(self.show_results)()
        if not defer_curves:
            self.shown()

    def shown(self) -> None:
        """Start drawing the response curves in the background (once).

        The wizard defers this until the panel has been sent to the browser: computed
        while the panel's widgets are still being sent, the curves slowed its opening by
        about 200 ms. The thread then waits for the click's answer to be drawn (see
        :data:`CURVES_QUIET`).
        """
        if self._curves_thread is None:
            self._curves_thread = threading.Thread(target=self._first_curves, daemon=True,
                                                   name="mmm-widgets-curves")
            self._curves_thread.start()

    def _need_curves(self, timeout: float | None) -> None:
        """Wait for the first curves, which then start without waiting for quiet."""
        self._curves_wanted.set()
        self.ready.wait(timeout)

    def _first_curves(self) -> None:
        # Computed while the browser draws the panel just shown, the curves would compete
        # with it for the cores and with the kernel's messages for the interpreter lock
        # (in a traced browser run, opening the step took 162 ms from the kernel's answer
        # to the panel on screen, against 40-50 ms for the other steps). They start once
        # the panels have been quiet for CURVES_QUIET seconds, or at once when an
        # optimization or a wait needs them; this thread also runs at a lower priority,
        # and it ends with the first curves.
        activity.wait_until_quiet(CURVES_QUIET, CURVES_QUIET_TIMEOUT,
                                  unless=self._curves_wanted)
        lower_thread_priority()
        try:
            self._guard(self.show_curves)()
            if not self.total.value:
                current = sum(self.curves_current().values()) * self.periods.value
                self.total.value = round(current, -2) if current >= 1000 else current
            if self._restored_pct is not None:
                self.fill_default_bounds(only_empty=True)
        finally:
            if "Computing" in self.curves_note.value:  # failed: the message says why
                self.curves_note.value = ""
            self.ready.set()

    # ----- response curves --------------------------------------------------------
    def curves_current(self) -> dict[Any, float]:
        """Current run-rate per period, from the response curves (per (channel, geo) on a
        geo model)."""
        return dict(getattr(self, "_curves", pd.DataFrame()).attrs.get("current_spend", {}))

    def channel_current(self) -> dict[str, float]:
        """Current run-rate per period of each channel, all geos together."""
        out: dict[str, float] = {}
        for key, rate in self.curves_current().items():
            channel = key[0] if isinstance(key, tuple) else key
            out[channel] = out.get(channel, 0.0) + rate
        return out

    def show_curves(self) -> None:
        """Draw the response curves for the threshold entered."""
        curves = self.workflow.response_curves(threshold=float(self.threshold.value))
        self._curves = curves
        level = budget_params(self.workflow).hdi_prob
        self.curves_box.children = [bokeh_pane(response_figure(curves, level=level))]
        beyond = [" in ".join(c) if isinstance(c, tuple) else c
                  for c, v in curves.attrs["threshold_spend"].items() if v != v]
        self.curves_note.value = "" if not beyond else message_html(
            "info", "Marginal ROAS stays above the threshold on the whole curve (to twice "
                    f"the largest past spend) for: {html.escape(', '.join(beyond))}.")

    # ----- bounds -----------------------------------------------------------------
    def default_bounds(self) -> dict[str, tuple[str, str]]:
        """Box texts of current spend ± ``DEFAULT_BOUND_PCT`` % over the horizon.

        Rounded inwards to whole units, so the shown bounds lie inside the exact band.
        """
        low_factor, high_factor = band_factors(DEFAULT_BOUND_PCT)
        periods, out = int(self.periods.value), {}
        for channel, rate in self.channel_current().items():
            low, high = low_factor * rate * periods, high_factor * rate * periods
            if math.floor(high) - math.ceil(low) >= 1:
                low, high = math.ceil(low), math.floor(high)
            out[channel] = (f"{low:,.0f}" if low == int(low) else f"{low:g}",
                            f"{high:,.0f}" if high == int(high) else f"{high:g}")
        return out

    def fill_default_bounds(self, only_empty: bool = False) -> None:
        """Fill the bounds with current spend ± ``DEFAULT_BOUND_PCT`` % (and allow them).

        With ``only_empty``, channels whose boxes hold anything keep it.
        """
        for channel, texts in self.default_bounds().items():
            if channel not in self.low:
                continue
            if only_empty and (self.low[channel].value.strip()
                               or self.high[channel].value.strip()):
                continue
            self.low[channel].value, self.high[channel].value = texts
            self._default_texts[channel] = texts
        if not only_empty:
            self.no_limit.value = False

    def _follow_periods(self) -> None:
        defaults = self.default_bounds()
        for channel, texts in self._default_texts.items():
            if (self.low[channel].value, self.high[channel].value) == texts \
                    and channel in defaults:
                self.low[channel].value, self.high[channel].value = defaults[channel]
                self._default_texts[channel] = defaults[channel]

    def _show_no_limit(self) -> None:
        for box in (*self.low.values(), *self.high.values()):
            box.disabled = self.no_limit.value

    # ----- optimize ---------------------------------------------------------------
    def bounds(self) -> dict[str, tuple[float, float]] | str:
        """Bounds as entered, for every channel: ``(low or 0, high or total)``.

        ``"none"`` when *No limits* is ticked.
        """
        if self.no_limit.value:
            return NO_LIMIT
        total = float(self.total.value)
        out, problems = {}, []
        for channel in self.channels:
            low_text, high_text = self.low[channel].value.strip(), self.high[channel].value.strip()
            try:
                low = float(low_text.replace(",", "")) if low_text else 0.0
                high = float(high_text.replace(",", "")) if high_text else total
            except ValueError:
                problems.append(problem(f"A bound of {channel!r} is not a number.",
                                        "Enter a number, or leave the box empty.",
                                        column=channel))
                continue
            out[channel] = (low, high)
        if problems:
            raise DataError(problems)
        return out

    def start(self) -> Job | None:
        """Optimize in a worker thread and follow its progress."""
        self._need_curves(_CURVES_TIMEOUT)
        bounds = self.bounds()
        total, periods = float(self.total.value), int(self.periods.value)
        objective, risk = self.objective.value, float(self.risk_level.value)
        held = [c for c, box in self.held.items() if box.value] if self.geo else None
        return self._launch(lambda monitor: optimize_budget(
            self.workflow, total, periods, bounds, objective, risk, monitor, held),
            "Optimizing…")

    def prepare(self) -> Job | None:
        """Set up scenarios and the what-if without optimizing (in a worker thread)."""
        self._need_curves(_CURVES_TIMEOUT)
        params = budget_params(self.workflow).replace(periods=int(self.periods.value))
        return self._launch(lambda monitor: run_budget(self.workflow, params, monitor),
                            "Preparing scenarios and the what-if…")

    def _launch(self, work: Callable[[BudgetMonitor], Any], text: str) -> Job | None:
        if self.running:
            self.message.value = message_html("warn", "An optimization is already running.")
            return None
        previous = self.job
        job = Job(BudgetMonitor(), "mmm-widgets-budget")

        def run() -> Any:
            if previous is not None:
                # A cancelled run may still be inside the optimizer; let it end first so
                # two runs never compile or write the workflow at once.
                # Its outcome was reported already, or is discarded after a cancel.
                with contextlib.suppress(BaseException):
                    previous.wait()
            job.monitor.check_cancel()
            return work(job.monitor)

        self.job = job
        job.start(run)
        self._set_running(True)
        self.message.value = message_html("info", f"{html.escape(text)} The notebook stays "
                                                  "usable.")
        self._watcher = follow_job(job, lambda snap: self._progress(job), self._finished)
        return job

    @property
    def running(self) -> bool:
        """True while an optimization this panel started is running (and not cancelled)."""
        return self.job is not None and not self.job.done and not self.job.monitor.cancelled

    def cancel(self) -> None:
        """Cancel: the panel is free at once and keeps its results; the run is discarded."""
        if self.job is None or self.job.done:
            return
        self.job.monitor.cancel()
        self._set_running(False)
        self.progress.description = "Cancelled"
        self.status.value = ""
        self.message.value = message_html(
            "warn", "Optimization cancelled; the previous results are kept. pymc-marketing's "
                    "optimizer cannot be interrupted while it compiles or iterates, so it "
                    "finishes in the background and its result is discarded.")

    def wait(self, timeout: float | None = None) -> None:
        """Block until the run and the panel's update are done (for scripts and tests)."""
        self._need_curves(timeout)
        if self._watcher is not None:
            self._watcher.join(timeout)

    def _set_running(self, running: bool) -> None:
        self.optimize_button.disabled = running
        self.cancel_button.disabled = not running
        for button in (self.add_scenario_button, self.add_change_button, self.remove_button,
                       self.prepare_button):
            button.disabled = running

    def _progress(self, job: Job) -> None:
        # A cancelled run finishes in the background: its progress is no longer shown.
        if job is self.job and not job.monitor.cancelled and not job.done:
            self._show_progress(job)

    def _finished(self, job: Job) -> None:
        if job is not self.job or job.monitor.cancelled or isinstance(job.error,
                                                                      BudgetCancelled):
            return
        self._set_running(False)
        self._show_progress(job)
        if job.error is not None:
            self.message.value = problems_html(job.error)
            self.progress.description = "Failed"
            return
        self._guard(self.show_results)()

    def _show_progress(self, job: Job) -> None:
        snap = job.monitor.snapshot()
        self.progress.value = 1.0 if job.done and job.error is None else snap.fraction
        self.progress.description = snap.phase.capitalize()
        self.status.value = f"{snap.elapsed:.1f} s elapsed"

    # ----- results ----------------------------------------------------------------
    def show_results(self) -> None:
        """Show the budget step's allocation, scenarios and what-if."""
        step = self.workflow.step("budget")
        result = step.result
        self.message.value = "" if self.workflow.status("budget") == "done" else \
            message_html("warn", "An earlier step changed: optimize again.")
        self.allocation_table.value = ""
        if result.allocation is not None:
            self.allocation_table.value = ("<b>Allocation</b> (spend over the horizon; "
                                           f"contribution with {step.params.hdi_prob:.0%}"
                                           " HDI)"
                                           + frame_html(result.allocation))
            if result.geo_totals is not None:
                self.allocation_table.value += ("<b>Per geo</b> (every channel together)"
                                                + frame_html(result.geo_totals))
            if self._allocation_source is None:
                fig, self._allocation_source = allocation_figure(result.allocation)
                self.allocation_box.children = [bokeh_pane(fig)]
            else:
                self._allocation_source.data = allocation_data(result.allocation)
            success = getattr(getattr(result.optimization, "scipy_result", None), "success",
                              True)
            note = "" if success else " (the optimizer reported no convergence)"
            self.status.value = f"Done in {result.seconds:.1f} s{note}."
        self.show_scenarios()
        self._build_sliders()

    def show_scenarios(self) -> None:
        """Refresh the scenario table, plot and choices."""
        result = self.workflow.step("budget").result
        table = result.scenarios
        self.scenario_table.value = frame_html(table)
        if self._scenario_plot is None:
            self._scenario_plot = scenario_figure(table,
                                                  self.workflow.step("budget").params.hdi_prob)
            self.scenario_box.children = [bokeh_pane(self._scenario_plot[0])]
        else:
            fig, source = self._scenario_plot
            fig.x_range.factors = [str(s) for s in table.index]
            source.data = scenario_data(table)
        names = self.workflow.scenarios.names
        self.remove_choice.options = names
        self.change_base.options = list(result.allocations)

    def add_scenario(self) -> None:
        """Add the sliders' allocation as a scenario named in the name box."""
        if self.running:
            raise DataError(problem("An optimization is running.", "Wait for it to finish."))
        name = self.scenario_name.value.strip()
        if not name:
            raise DataError(problem("The scenario needs a name.", "Type a name first."))
        self.workflow.scenarios.add(name, self.allocation())
        self.scenario_name.value = ""
        self._after_scenario_change(f"Added scenario {name!r}.")

    def add_budget_change(self) -> None:
        """Add the chosen scenario scaled by the percent entered."""
        if self.running:
            raise DataError(problem("An optimization is running.", "Wait for it to finish."))
        self.workflow.scenarios.add_budget_change(float(self.change_pct.value),
                                                  base=self.change_base.value or "current")
        self._after_scenario_change("Added the budget change.")

    def remove_scenario(self) -> None:
        """Remove the chosen scenario."""
        if self.running:
            raise DataError(problem("An optimization is running.", "Wait for it to finish."))
        name = self.remove_choice.value
        if name:
            self.workflow.scenarios.remove(name)
            self._after_scenario_change(f"Removed scenario {name!r}.")

    def _after_scenario_change(self, text: str) -> None:
        self.show_scenarios()
        self._build_sliders(keep=True)
        self.message.value = message_html("ok", html.escape(text))

    # ----- what-if ----------------------------------------------------------------
    def allocation(self) -> dict[Any, float]:
        """The sliders' allocation: channel -> spend over the horizon.

        On a geo model each channel's spend is spread over its geos like the plan the
        sliders were last reset to, as ``(channel, geo)`` -> spend; a channel that plan
        gives nothing is split by current spend (channel -> spend).
        """
        if not self.geo:
            return {c: float(s.value) for c, s in self.sliders.items()}
        out: dict[Any, float] = {}
        for channel, slider in self.sliders.items():
            weights = self._weights(channel)
            if weights:
                out.update({cell: float(slider.value) * x for cell, x in weights.items()})
            else:
                out[channel] = float(slider.value)
        return out

    def _weights(self, channel: str) -> dict[tuple[str, str], float]:
        """Each geo's fraction of ``channel`` in the sliders' base plan (empty if none)."""
        own = {cell: v for cell, v in self._base_cells.items() if cell[0] == channel}
        total = sum(own.values())
        return {cell: v / total for cell, v in own.items()} if total > 0 else {}

    def _channel_spend(self, allocation: dict[Any, float]) -> dict[str, float]:
        """A plan per channel (geo models: summed over geos), keeping it as the base."""
        if not self.geo:
            return dict(allocation)
        self._base_cells = {k: float(v) for k, v in allocation.items() if isinstance(k, tuple)}
        out: dict[str, float] = {}
        for key, value in allocation.items():
            channel = key[0] if isinstance(key, tuple) else key
            out[channel] = out.get(channel, 0.0) + float(value)
        return out

    def _slider_limits(self, limits: dict[Any, float]) -> dict[str, float]:
        """Largest spend of each channel the what-if covers, given how it is spread."""
        if not self.geo:
            return {c: limits[c] for c in self.channels}
        rates = self.workflow.step("budget").current_spend()
        out = {}
        for channel in self.channels:
            weights = self._weights(channel)
            if not weights:
                total = sum(v for (c, _), v in rates.items() if c == channel)
                weights = {cell: v / total for cell, v in rates.items()
                           if cell[0] == channel and total > 0}
            tops = [limits[cell] / x for cell, x in weights.items() if x > 0 and cell in limits]
            out[channel] = min(tops) if tops else 0.0
        return out

    def set_allocation(self, name: str) -> None:
        """Move the sliders to a scenario's allocation (one update at the end)."""
        allocations = self.workflow.step("budget").result.allocations
        if name not in allocations:
            raise DataError(problem(f"There is no {name!r} allocation yet.",
                                    "Optimize first." if name == "optimized" else
                                    "Add the scenario first."))
        self._move_sliders(allocations[name])

    def _move_sliders(self, allocation: dict[Any, float]) -> None:
        allocation = self._channel_spend(allocation)
        if self.geo:
            limits = self._slider_limits(self.workflow.step("budget").result.what_if.limits)
            for channel, slider in self.sliders.items():
                slider.max = max(limits[channel], slider.min)
                slider.step = limits[channel] / _SLIDER_STEPS or 1.0
        self._silent = True
        try:
            for channel, slider in self.sliders.items():
                slider.value = min(float(allocation.get(channel, 0.0)), slider.max)
        finally:
            self._silent = False
        self.update_what_if()

    def _build_sliders(self, keep: bool = False) -> None:
        result = self.workflow.step("budget").result
        start = self.allocation() if keep and self.sliders else result.allocations.get(
            "optimized", result.allocations["current"])
        start = self._channel_spend(start) if not (keep and self.sliders and self.geo) \
            else {c: float(s.value) for c, s in self.sliders.items()}
        limits = self._slider_limits(result.what_if.limits)
        if set(self.sliders) != set(self.channels):
            for channel in self.channels:
                slider = self._looks(w.FloatSlider, description=channel, min=0.0,
                                     readout_format=",.0f", continuous_update=True,
                                     width="520px")
                slider.observe(self._guard(self._on_slider), names="value")
                self.sliders[channel] = slider
            self.slider_box.children = list(self.sliders.values())
        self._silent = True
        try:
            for channel, slider in self.sliders.items():
                slider.max = limits[channel]
                slider.step = limits[channel] / _SLIDER_STEPS or 1.0
                slider.value = min(float(start.get(channel, 0.0)), limits[channel])
        finally:
            self._silent = False
        self.update_what_if()

    def _on_slider(self, change: dict) -> None:
        if not self._silent:
            self.update_what_if()

    def update_what_if(self) -> pd.DataFrame:
        """Recompute the what-if for the sliders and update plot and numbers."""
        frame = self.workflow.what_if(self.allocation())
        data = what_if_data(frame)
        if self._what_if_source is None:
            fig, self._what_if_source = what_if_figure(frame,
                                                       budget_params(self.workflow).hdi_prob)
            self.what_if_box.children = [bokeh_pane(fig)]
        else:
            self._what_if_source.data = data
        total = frame.iloc[-1]
        budget = self.workflow.step("budget")
        current, level = budget.result.scenarios.loc["current"], budget.params.hdi_prob
        change = total["contribution"] - current["expected_outcome"]
        self.what_if_summary.value = message_html(
            "info", f"<b>Spend</b> {total['spend']:,.0f} &nbsp; <b>Outcome</b> "
                    f"{total['contribution']:,.0f} ({level:.0%} HDI "
                    f"{total['contribution_hdi_low']:,.0f}"
                    f" – {total['contribution_hdi_high']:,.0f}) &nbsp; <b>ROAS</b> "
                    f"{total['roas']:.2f} &nbsp; <i>{change:+,.0f} vs current</i>")
        self._last_what_if = frame
        return frame

    # ----- export -----------------------------------------------------------------
    def export(self) -> str:
        """Write the budget step's code below the panel (or show it to copy)."""
        code = self.workflow.step_code("budget")
        self.code_box.export(code, key="budget")
        return code
