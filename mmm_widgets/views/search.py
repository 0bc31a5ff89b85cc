"""The model search panel: choose a grid, run it on Dask, rank, take a candidate."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from mmm_widgets.engine.jobs import Job
from mmm_widgets.views.common import bokeh_pane, follow_job, problems_html

ADSTOCK_CHOICES = ("geometric", "delayed", "weibull_pdf", "weibull_cdf", "binomial")
SATURATION_CHOICES = ("logistic", "hill", "michaelis_menten", "tanh", "root")
SHOWN = ("adstock", "saturation", "l_max", "yearly_seasonality", "crps", "mape",
         "roas_spread", "pareto", "error")


def parse_numbers(text: str, what: str) -> list[int | None]:
    """``"4, 8, 12"`` -> ``[4, 8, 12]``; ``none`` or ``0`` is no seasonality.

    Raises
    ------
    ValueError
        Naming the box and the entry that is not a whole number.
    """
    values: list[int | None] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        if entry.lower() in ("none", "0") and what == "seasonality":
            values.append(None)
            continue
        if not entry.isdigit():
            raise ValueError(f"{what}: {entry!r} is not a whole number; list them like 4, 8, 12")
        values.append(int(entry))
    if not values:
        raise ValueError(f"{what}: give at least one value, e.g. 4, 8, 12")
    return values


class SearchPanel(w.VBox):
    """Compare model specifications by rolling-fold forecasts, on the kit's Dask cluster.

    Parameters
    ----------
    workflow : Workflow
        A workflow whose data is mapped; the candidates vary its model (or the default).
    client : distributed.Client, optional
        The user's cluster; default the kit's local one.
    on_used : callable, optional
        Called after "Use this model" configured the model step (the model panel reloads).
    """

    def __init__(self, workflow: Any, client: Any = None,
                 on_used: Callable[[], None] | None = None) -> None:
        self.workflow, self.client, self.on_used = workflow, client, on_used
        from mmm_widgets.steps.holdout import default_window
        from mmm_widgets.steps.model import default_params
        from mmm_widgets.steps.search import default_grid

        base = (workflow.step("model").params if workflow.status("model") in ("done", "stale")
                else default_params(workflow.data_result))
        data = workflow.data_result
        # The boxes start at the grid wf.search() uses without one.
        grid = default_grid(base, data.periods)
        self.adstocks = w.SelectMultiple(options=ADSTOCK_CHOICES, value=tuple(grid["adstock"]),
                                         description="Adstock", rows=3)
        self.saturations = w.SelectMultiple(options=SATURATION_CHOICES,
                                            value=tuple(grid["saturation"]),
                                            description="Saturation", rows=3)
        self.lengths = w.Text(value=", ".join(map(str, grid["l_max"])), description="l_max")
        self.seasonality = w.Text(value=", ".join(str(v or "none")
                                                  for v in grid["yearly_seasonality"]),
                                  description="Seasonality")
        self.folds = w.BoundedIntText(value=3, min=1, max=10, description="Folds")
        self.horizon = w.BoundedIntText(
            value=default_window(data.periods, max(grid["l_max"]), workflow.quarter_periods,
                                 self.folds.value), min=1, max=104, description="Horizon")
        self.count = w.HTML()
        self.run_button = w.Button(description="Search", button_style="primary",
                                   icon="search")
        self.cancel_button = w.Button(description="Cancel", disabled=True, icon="stop")
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0)
        self.status = w.HTML()
        self.message = w.HTML()
        self.table = w.HTML()
        self.plot = w.VBox()
        self.choice = w.Dropdown(description="Candidate", options=[])
        self.use_button = w.Button(description="Use this model", disabled=True)
        self.job: Job | None = None
        self._follower: threading.Thread | None = None
        for box in (self.adstocks, self.saturations, self.lengths, self.seasonality):
            box.observe(lambda _change: self._count(), names="value")
        self.run_button.on_click(lambda _b: self.start())
        self.cancel_button.on_click(lambda _b: self.cancel())
        self.use_button.on_click(lambda _b: self.use())
        self._count()
        super().__init__([
            w.HTML("<b>Model search</b>: every combination is refit on rolling folds and "
                   "ranked by its out-of-sample forecasts (CRPS); ROAS spread says how much "
                   "its channels' ROAS moves between folds."),
            w.HBox([self.adstocks, self.saturations]),
            w.HBox([self.lengths, self.seasonality]),
            w.HBox([self.folds, self.horizon]),
            self.count, w.HBox([self.run_button, self.cancel_button, self.progress]),
            self.status, self.message, self.table, self.plot,
            w.HBox([self.choice, self.use_button]),
        ])

    def grid(self) -> dict[str, list[Any]]:
        """The grid the boxes describe.

        Raises
        ------
        ValueError
            When a box of numbers holds something else, naming the box.
        """
        return {"adstock": list(self.adstocks.value),
                "saturation": list(self.saturations.value),
                "l_max": parse_numbers(self.lengths.value, "l_max"),
                "yearly_seasonality": parse_numbers(self.seasonality.value, "seasonality")}

    def _count(self) -> None:
        try:
            grid = self.grid()
        except ValueError as error:
            self.count.value = f"<span style='color:#b00'>{html.escape(str(error))}</span>"
            return
        total = 1
        for values in grid.values():
            total *= len(values)
        self.count.value = f"{total} candidates x {self.folds.value} folds"

    def start(self) -> threading.Thread | None:
        """Start the search in the background; return the thread following it."""
        self.message.value = ""
        try:
            grid = self.grid()
        except ValueError as error:
            self.message.value = f"<span style='color:#b00'>{html.escape(str(error))}</span>"
            return None
        self.run_button.disabled, self.cancel_button.disabled = True, False
        self.progress.value = 0.0
        try:
            self.job = self.workflow.search_in_background(
                grid, folds=int(self.folds.value), horizon=int(self.horizon.value),
                client=self.client)
        except Exception as error:  # shown in the panel; the kernel goes on
            self.run_button.disabled, self.cancel_button.disabled = False, True
            self.message.value = problems_html(error)
            return None
        self._follower = follow_job(self.job, self._progress, self._done)
        return self._follower

    def cancel(self) -> None:
        """Cancel the running search; the previous result, if any, is kept."""
        if self.job is not None:
            self.job.cancel()

    def _progress(self, snap: Any) -> None:
        self.progress.value = (snap.done + snap.failed) / snap.total if snap.total else 0.0
        self.status.value = html.escape(snap.describe())

    def _done(self, job: Job) -> None:
        self.run_button.disabled, self.cancel_button.disabled = False, True
        if job.error is not None:
            self.message.value = problems_html(job.error)
            return
        self.show(job.result)

    def show(self, ranked: Any) -> None:
        """Show a ranked table, its Pareto plot, and offer its candidates."""
        from mmm_widgets.plots.search import pareto_figure

        shown = ranked[[c for c in SHOWN if c in ranked.columns]]
        self.table.value = shown.to_html(float_format=lambda v: f"{v:,.4g}", na_rep="-",
                                         classes="mmm-search")
        self.plot.children = [bokeh_pane(pareto_figure(ranked))]
        self.choice.options = [(f"{n}: {r.adstock} / {r.saturation} / l_max {r.l_max}", int(n))
                               for n, r in ranked.iterrows() if r["error"] == ""]
        self.use_button.disabled = not self.choice.options

    def use(self) -> None:
        """Configure the model step with the chosen candidate."""
        if self.choice.value is None:
            return
        try:
            self.workflow.use_candidate(int(self.choice.value))
        except Exception as error:  # shown in the panel; the kernel goes on
            self.message.value = problems_html(error)
            return
        self.message.value = (f"The model step now uses candidate {self.choice.value}; "
                              "fit it again in the Fit step.")
        if self.on_used is not None:
            self.on_used()
