"""Panel of step 3 — fit: settings, a background fit with progress, ETA and cancel."""

from __future__ import annotations

import html
import threading
from typing import Any

import ipywidgets as w

from mmm_widgets.errors import FitCancelled
from mmm_widgets.steps.diagnostics import CONVERGENCE_OPTIONS
from mmm_widgets.steps.fit import SAMPLERS, FitParams
from mmm_widgets.views.common import (
    CodeBox,
    SharedLooks,
    follow_job,
    frame_html,
    frame_names,
    message_html,
    problems_html,
    report_errors,
    user_namespace,
)
from mmm_widgets.workflow import FitJob, Workflow

PRESETS = {"Quick preview (MAP)": "preview", "Notebook": "notebook", "Binder": "binder",
           "Publication": "publication"}


class FitView(w.VBox):
    """Fit the model in a worker thread; the kernel stays responsive.

    Parameters
    ----------
    workflow : Workflow
        The workflow to fit (data and model steps done).
    namespace : dict, optional
        Where to look for DataFrames of new periods to refresh with (the notebook's
        namespace by default).
    """

    def __init__(self, workflow: Workflow, namespace: dict[str, Any] | None = None):
        self.workflow = workflow
        self.namespace = namespace if namespace is not None else user_namespace()
        self.job: FitJob | None = None
        self._watcher: threading.Thread | None = None
        # Sent as one piece when the wizard opens the step: its widgets share layout and
        # style models (see SharedLooks), 96 models down to 49.
        looks = SharedLooks()
        self.message = looks(w.HTML)
        self.card = looks(w.HTML)
        self.table = looks(w.HTML)
        self.interactions = looks(w.HTML)
        self.new_frame = looks(w.Dropdown, description="New data", options=[])
        self.reload_button = looks(w.Button, description="", icon="refresh",
                                   tooltip="Look for DataFrames again", width="40px")
        self.refresh_button = looks(w.Button, description="Refresh", icon="forward",
                                    tooltip="Append the new periods and fit again")
        self.refresh_table = looks(w.HTML)
        self.code_box = CodeBox("Fit step code")
        guard = report_errors(self.message)
        defaults = FitParams()
        self.preset = looks(w.ToggleButtons, options=list(PRESETS), value="Notebook")
        self.draws = looks(w.BoundedIntText, description="Draws", value=defaults.draws,
                           min=1, max=100_000)
        self.tune = looks(w.BoundedIntText, description="Tune", value=defaults.tune, min=0,
                          max=100_000)
        self.chains = looks(w.BoundedIntText, description="Chains", value=defaults.chains,
                            min=1, max=16)
        self.seed = looks(w.IntText, description="Seed", value=defaults.random_seed)
        self.sampler = looks(w.Dropdown, description="Sampler", options=list(SAMPLERS),
                             value=defaults.sampler)
        self.target_accept = looks(w.BoundedFloatText, description="target_accept",
                                   value=defaults.target_accept, min=0.5, max=0.999,
                                   step=0.01)
        notebook = FitParams.preset("notebook")
        self.until_converged = looks(
            w.Checkbox, description="Until converged", value=notebook.until_converged,
            tooltip="Fit again with more draws until every parameter has r-hat <= 1.01 "
                    "and bulk and tail ESS >= 400, or the time budget runs out")
        self.time_budget = looks(w.BoundedIntText, description="Budget (s)",
                                 value=int(notebook.time_budget), min=1, max=86_400)
        self.start_button = looks(w.Button, description="Fit", button_style="primary",
                                  icon="play")
        self.cancel_button = looks(w.Button, description="Cancel", button_style="warning",
                                   icon="stop", disabled=True)
        self.export_button = looks(w.Button, description="Export code", icon="code")
        self.progress = looks(w.FloatProgress, value=0.0, min=0.0, max=1.0,
                              description="Idle")
        self.status = looks(w.HTML)
        self.preset.observe(guard(self._on_preset), names="value")
        self.start_button.on_click(guard(lambda _: self.start()))
        self.cancel_button.on_click(guard(lambda _: self.cancel()))
        self.export_button.on_click(guard(lambda _: self.export()))
        self.reload_button.on_click(guard(lambda _: self._list_frames()))
        self.refresh_button.on_click(guard(lambda _: self.refresh()))
        self._list_frames()
        super().__init__([
            looks(w.HTML, "<b>Settings</b> <i>MAP gives a point estimate in seconds; MCMC "
                  "gives the uncertainty. ADVI is not offered: with default settings it "
                  "gave contributions several times too large on pymc-marketing's own "
                  "example data.</i>"),
            self.preset,
            looks(w.HBox, [looks(w.VBox, [self.draws, self.tune, self.chains]),
                           looks(w.VBox, [self.seed, self.sampler, self.target_accept]),
                           looks(w.VBox, [self.until_converged, self.time_budget])]),
            looks(w.HBox, [self.start_button, self.cancel_button, self.export_button]),
            looks(w.HBox, [self.progress, self.status]),
            self.message, self.card, self.table, self.interactions,
            looks(w.HTML, "<b>Refresh</b> <i>New weeks arrived? Pick the DataFrame holding "
                  "them (or the whole updated table): the rows after the last date are "
                  "appended, the model is fitted again with the same settings and each "
                  "channel's ROAS is compared with the previous fit.</i>"),
            looks(w.HBox, [self.new_frame, self.reload_button, self.refresh_button]),
            self.refresh_table, self.code_box,
        ])
        if workflow.status("fit") in ("done", "stale"):
            self._show_result()

    def _on_preset(self, change: dict) -> None:
        preset = PRESETS[change["new"]]
        if preset == "preview":
            return
        params = FitParams.preset(preset)
        with self.hold_sync():
            self.draws.value, self.tune.value = params.draws, params.tune
            self.chains.value, self.target_accept.value = params.chains, params.target_accept
            self.until_converged.value = params.until_converged

    def settings(self) -> dict[str, Any]:
        """The fit settings as entered."""
        method = "map" if PRESETS[self.preset.value] == "preview" else "mcmc"
        return {"method": method, "draws": int(self.draws.value), "tune": int(self.tune.value),
                "chains": int(self.chains.value), "random_seed": int(self.seed.value),
                "sampler": self.sampler.value, "target_accept": float(self.target_accept.value),
                "until_converged": method == "mcmc" and bool(self.until_converged.value),
                "time_budget": float(self.time_budget.value)}

    def start(self) -> FitJob | None:
        """Start the fit in a worker thread and follow its progress."""
        if self._busy():
            return None
        settings = self.settings()
        method = settings.pop("method")
        return self._follow(self.workflow.fit_in_background(method, **settings),
                            "Fitting… the notebook stays usable.")

    def refresh(self) -> FitJob | None:
        """Refresh the fit with the DataFrame picked in ``new_frame``, in a worker thread.

        See :meth:`Workflow.refresh`; the comparison with the previous fit is shown when
        it is done.
        """
        if self._busy():
            return None
        name = self.new_frame.value
        if name is None:
            self.message.value = message_html(
                "warn", "No DataFrame to refresh with: load the new periods into a variable "
                        "and press the reload button.")
            return None
        new = self.namespace[name]
        return self._follow(self.workflow.refresh_in_background(new, name=name),
                            f"Refreshing with {html.escape(name)}: fitting again…")

    def _busy(self) -> bool:
        if self.job is not None and not self.job.done:
            self.message.value = message_html("warn", "A fit is already running.")
            return True
        return False

    def _follow(self, job: FitJob, message: str) -> FitJob:
        self.job = job
        self.start_button.disabled = self.refresh_button.disabled = True
        self.cancel_button.disabled = False
        self.message.value = message_html("info", message)
        self._watcher = follow_job(job, lambda snap: self._show_progress(job), self._finished)
        return job

    def _list_frames(self) -> None:
        names = frame_names(self.namespace)
        current = self.workflow.source.name if self.workflow.source is not None else None
        self.new_frame.options = names
        # The table the workflow already holds is the least likely to bring new periods.
        self.new_frame.value = next((n for n in names if n != current),
                                    names[0] if names else None)

    def cancel(self) -> None:
        """Cancel the running fit; the previous fit, if any, is kept."""
        if self.job is not None:
            self.job.cancel()
            self.status.value = "Cancelling…"

    def wait(self, timeout: float | None = None) -> None:
        """Block until the fit and the panel's update are done (for scripts and tests)."""
        if self._watcher is not None:
            self._watcher.join(timeout)

    def export(self) -> str:
        """Write the fit step's code below the panel (or show it to copy)."""
        code = self.workflow.step_code("fit")
        self.code_box.export(code, key="fit")
        return code

    def _finished(self, job: FitJob) -> None:
        self.start_button.disabled = self.refresh_button.disabled = False
        self.cancel_button.disabled = True
        if job.error is None:
            self._show_result()
        elif isinstance(job.error, FitCancelled):
            kept = " The previous fit is kept." if self.workflow.status("fit") == "done" else ""
            self.message.value = message_html("warn", f"Fit cancelled.{kept}")
            self.progress.description = "Cancelled"
        else:
            self.message.value = problems_html(job.error)
            self.progress.description = "Failed"

    def _show_progress(self, job: FitJob) -> None:
        snap = job.monitor.snapshot()
        self.progress.value = snap.fraction if snap.draws_total else \
            (1.0 if job.done else 0.0)
        self.progress.description = snap.phase.capitalize()
        eta = f", about {snap.eta:.0f} s left" if snap.eta is not None and not job.done else ""
        draws = f"{snap.draws_done:,} of {snap.draws_total:,} draws, " if snap.draws_total \
            else ""
        if snap.fold:
            draws = f"attempt {snap.fold} (up to {snap.folds}): {draws}"
        self.status.value = (f"{draws}{snap.elapsed:.1f} s elapsed{eta}; "
                             f"{snap.divergences} divergences")

    def _show_result(self) -> None:
        result = self.workflow.step("fit").result
        params = self.workflow.step("fit").params
        stale = " <i>(an earlier step changed: fit again)</i>" \
            if self.workflow.status("fit") == "stale" else ""
        what = "MAP point estimate" if params.method == "map" else (
            f"{params.chains} chains x {params.draws} draws")
        checks = _convergence(result.mmm) if params.method == "mcmc" else {}
        parts = [f"<b>Fitted{stale}</b>: {html.escape(what)} in {result.seconds:.1f} s",
                 f"{result.divergences} divergences"]
        if checks:
            parts.append(f"max r-hat {checks['r_hat_max']:.3f}, "
                         f"min bulk ESS {checks['ess_bulk_min']:.0f}")
        kind = "ok" if result.divergences == 0 and checks.get("r_hat_max", 1.0) < 1.01 \
            else "warn"
        self.card.value = message_html(kind, "; ".join(parts) + ".")
        if result.converged is not None:
            self.card.value += _convergence_html(result)
        self.message.value = ""
        summary = self.workflow.channel_summary()
        level = self.workflow.step("fit").params.hdi_prob
        self.table.value = (f"<b>Channels</b> ({level:.0%} HDI) <i>contribution and ROAS count "
                            "the carryover of the fitted period's spend, after its last date "
                            "too; the _window columns leave that out</i>" + frame_html(summary))
        effects = result.interaction_effects
        self.interactions.value = "" if effects is None else (
            f"<b>Channel interactions</b> <i>(contribution of each pair's joint term over the "
            f"fitted period, {level:.0%} HDI; synergy when the whole interval is above zero, "
            "cannibalization when below)</i>" + frame_html(effects))
        self._show_refresh()

    def _show_refresh(self) -> None:
        last = self.workflow.last_refresh
        if last is None:
            self.refresh_table.value = ""
            return
        moved = last.comparison.index[last.comparison["moved"]].tolist()
        note = (f"ROAS moved outside its previous interval for {', '.join(map(str, moved))}: "
                "check what changed in those channels before trusting either fit."
                if moved else "Every channel's ROAS stayed inside its previous interval.")
        self.refresh_table.value = (
            message_html("warn" if moved else "ok",
                         f"<b>Refreshed</b> with {last.added} new periods. {html.escape(note)}")
            + frame_html(last.comparison))


def _convergence_html(result: Any) -> str:
    """A fit to convergence: why it stopped, what holds it back, and its attempts."""
    from mmm_widgets.steps.convergence import attempts_frame

    kind = "ok" if result.converged else "warn"
    parts = [message_html(kind, html.escape(result.message))]
    if result.held_back is not None and len(result.held_back):
        parts.append(f"<b>Held back by</b> <i>({len(result.held_back)} parameter values miss "
                     "r-hat <= 1.01 or ESS >= 400; the furthest first)</i>"
                     + frame_html(result.held_back.head(10)))
    attempts = attempts_frame(result.attempts)
    attempts["checks"] = [", ".join(str(c) for c in checks) for checks in attempts["checks"]]
    attempts = attempts[["draws", "tune", "checks", "seconds", "worst", "r_hat", "ess_bulk",
                         "ess_tail", "held_back", "outcome"]].rename(
        columns={"checks": "checked at draws"})
    parts.append("<b>Attempts</b> <i>(same seed; the chains ran on between the checks; the "
                 "last attempt's draws up to its last check are the posterior kept and the "
                 "code exported)</i>" + frame_html(attempts))
    return "".join(parts)


def _convergence(mmm: Any) -> dict[str, float]:
    import arviz as az

    names = [v.name for v in mmm.model.free_RVs]
    table = az.summary(mmm.idata, var_names=names, **CONVERGENCE_OPTIONS)
    return {"r_hat_max": float(table["r_hat"].max()),
            "ess_bulk_min": float(table["ess_bulk"].min())}
