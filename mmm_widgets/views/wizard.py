"""The wizard: a stepper over the six steps and the overview, each shown by its panel."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import html
import importlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd

from mmm_widgets.engine.registry import SCREENS as STEP_ORDER
from mmm_widgets.engine.registry import requirements, spec
from mmm_widgets.views import activity
from mmm_widgets.views.give_way import giving_way
from mmm_widgets.workflow import Workflow

# The screens' labels come from the step graph; the overview is a screen of results
# rather than a step to do: it has no number.
TITLES = {kind: spec(kind).screen for kind in STEP_ORDER}
# Panels that show other steps' results besides their own: rebuilt when those change.
SHOWS = {"overview": ("diagnostics", "budget")}
# Font Awesome icons on the stepper's buttons; changing icons, unlike changing labels,
# leaves the selected step alone.
ICONS = {"done": "check", "stale": "refresh", "ready": "", "blocked": "lock"}
#: Screens built ahead, hidden, while the user reads another: building them computes
#: nothing (the overview computes itself, so it is built when it is opened).
AHEAD = ("model", "fit", "diagnostics", "attribution", "budget")
#: A screen is built ahead after this long without a panel callback (s).
AHEAD_QUIET = 0.5


def _panel_factories() -> dict[str, Callable[[Workflow], w.Widget]]:

    factories: dict[str, Callable[[Workflow], w.Widget]] = {}
    for kind in STEP_ORDER:
        try:
            module = importlib.import_module(f"mmm_widgets.views.{kind}")
        except ModuleNotFoundError:
            continue
        factories[kind] = getattr(module, f"{kind.capitalize()}View")
    return factories


_preloading: list[threading.Thread] = []


# Imported first, from a shallow stack: when jax and numpyro are missing, arviz_base's
# numpyro adapter has lazy_loader call inspect.stack(), which reads the source of every
# frame; at the depth of pymc-marketing's import chain that took about 0.8 s of a 4.4 s
# import here, from the top 0.2 s.
_IMPORT_FIRST = ("arviz_base",)


def _warm_xarray() -> None:
    """Make xarray's first conversion of a DataFrame, which imports dask.array.

    pymc-marketing's model build converts X and y with ``DataFrame.to_xarray()``; on its
    first conversion xarray looks for the duck-array libraries installed and imports them
    (dask.array: 0.2-0.3 s here), which the *Apply model* click otherwise waited for.
    """
    pd.DataFrame({"x": [0.0]}).to_xarray()


def _import_and_collect(module: str, warm: Callable[[], None] | None = None,
                        settle: Callable[[], None] | None = None,
                        give_way: float = 0.0) -> None:
    """Import ``module`` with the cyclic garbage collector paused, then collect once.

    Importing pymc-marketing creates about half a million objects that live as long as the
    kernel (modules, classes, functions). With the collector running, the import pays for
    several full collections over them (about 1 s of a 3.5-4.5 s import here). A full
    collection started later, by whatever allocates at the time, walks them again (about
    0.5 s holding the interpreter lock, so a click in the wizard waits). One collection
    here, in the preload's thread while the user reads the data step, moves them to the
    oldest generation; Python starts the next full collection only once the objects that
    survived one grow by a quarter. (``gc.freeze()`` would skip even that collection, but
    it would also keep forever any cyclic garbage made of objects alive at that moment:
    the user's too.) The collection runs before the collector is switched back on: the
    pause holds for every thread, so the import's objects all count as new, and the next
    allocation anywhere (a click's) would start a young collection over all of them first
    (0.3-0.4 s seen in the browser test's kernel).

    Parameters
    ----------
    module : str
        The module to import (``"pymc_marketing.mmm"``); :data:`_IMPORT_FIRST` go first.
    warm : callable, optional
        Called after the import, still with the collector paused: first uses whose lazy
        imports a click would otherwise wait for (:func:`_warm_xarray`).
    settle : callable, optional
        Called before the collection, still with the collector paused: waits for a moment
        when it does not fall inside the answer to a click (:func:`_settle`).
    give_way : float
        Most seconds the import waits, before its modules, for a busy main thread (see
        :func:`mmm_widgets.views.give_way.giving_way`); 0 never waits.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        with giving_way(give_way) if give_way > 0 else contextlib.nullcontext():
            for first in _IMPORT_FIRST:
                with contextlib.suppress(ImportError):
                    importlib.import_module(first)
            importlib.import_module(module)
            if warm is not None:
                warm()
        if settle is not None:
            settle()
        gc.collect()
    finally:
        if enabled:
            gc.enable()


#: The collection after the preload waits for this long without a panel callback (s) ...
SETTLE_QUIET = 0.5
#: ... but no longer than this (s): the collector stays paused, for every thread, meanwhile.
SETTLE_TIMEOUT = 10.0


def _settle() -> None:
    """Wait for a quiet moment in the panels before the preload's collection.

    The collection holds the interpreter lock for 0.3-0.4 s (browser test's kernel). In
    two traced runs of the browser test it fell right after the clicks on the model
    step and *Apply model* (which found the import done): the panel's messages and the
    model cell waited for it (*Apply model* 287 and 378 ms in the page). Waiting until
    the panels have been quiet for :data:`SETTLE_QUIET` seconds puts it between clicks.
    """
    activity.wait_until_quiet(SETTLE_QUIET, SETTLE_TIMEOUT)


#: In a kernel, the preload's import waits for a busy main thread this long at most (s).
GIVE_WAY_BUDGET = 3.0


def _preload_pymc_marketing(in_kernel: bool) -> None:
    """Import pymc-marketing in the background when the wizard opens.

    The import takes seconds; done while the user reads the data step, the model panel
    then opens at once. In a kernel, it gives way to the main thread, which answers the
    clicks, for up to :data:`GIVE_WAY_BUDGET` seconds. See :func:`_import_and_collect`.

    Parameters
    ----------
    in_kernel : bool
        Whether the wizard was made in a running event loop (a kernel's), whose main
        thread waits in ``select`` between messages.
    """
    if not _preloading:
        give_way = GIVE_WAY_BUDGET if in_kernel else 0.0
        thread = threading.Thread(target=_import_and_collect,
                                  args=("pymc_marketing.mmm", _warm_xarray, _settle, give_way),
                                  daemon=True, name="mmm-widgets-preload")
        _preloading.append(thread)
        thread.start()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running in this thread (the kernel's), or None outside one."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _save_folder(save_to: str | Path | None) -> Path | None:
    if save_to is None:
        return None
    if save_to != "auto":
        return Path(save_to)
    # Jupyter sets JPY_SESSION_NAME to the notebook's path for kernels it starts.
    session = os.environ.get("JPY_SESSION_NAME")
    return Path(".mmm_widgets") / Path(session).stem if session else None


def _restore(folder: Path | None, fresh: Workflow) -> Workflow | None:
    """The saved workflow in ``folder`` if it was made from the same data, else None."""
    if folder is None or not (folder / "workflow.json").exists() or fresh.source is None:
        return None
    try:
        saved = Workflow.load(folder)
    except Exception:  # a damaged save must not stop the user from starting afresh
        return None
    same_source = saved.source == fresh.source
    raw, saved_raw = fresh.raw, saved.raw
    same_data = raw is not None and saved_raw is not None and raw.equals(saved_raw) and list(
        raw.columns) == list(saved_raw.columns)
    return saved if same_source and same_data else None


class Wizard(w.VBox):
    """Step through the analysis: data, model, fit, diagnostics, attribution, budget.

    After a fit started from the fit panel, the wizard moves on to the overview: the fit's
    results on one screen (channels, trend, verdict, best plan, profit with a margin).

    In a kernel, while the user reads a screen, the wizard builds the next one hidden
    (:meth:`build_ahead`, after :data:`AHEAD_QUIET` seconds without a click), so that
    opening it only unhides it.

    Parameters
    ----------
    df_or_workflow : pandas.DataFrame, str, Path or Workflow, optional
        The raw table (a file's path is read as :meth:`Workflow.from_file` reads it), or
        a workflow to continue.
    save_to : str, Path, None or "auto"
        Folder where the workflow is saved after every step (JSON + netCDF, see
        :meth:`Workflow.save`). When it holds a workflow on the same data, the wizard
        starts from it: reopening the notebook and re-running the cell restores the
        steps, fitted model included, without refitting. ``"auto"`` uses
        ``.mmm_widgets/<notebook name>`` in Jupyter and nothing elsewhere; None
        switches saving off.
    **panel_options
        Passed to the panels (e.g. ``namespace``, ``upload_dir`` for the data panel).

    Examples
    --------
    >>> import mmm_widgets as mw
    >>> wizard = mw.Wizard(mw.datasets.load("weekly_sales"))
    >>> wizard.workflow.status("data")
    'ready'
    """

    def __init__(self, df_or_workflow: pd.DataFrame | str | Path | Workflow | None = None, *,
                 save_to: str | Path | None = "auto", **panel_options: Any):
        self.save_to = _save_folder(save_to)
        self.restored = False
        if isinstance(df_or_workflow, Workflow):
            self.workflow = df_or_workflow
        else:
            self.workflow = Workflow(df_or_workflow)
            saved = _restore(self.save_to, self.workflow)
            if saved is not None:
                self.workflow, self.restored = saved, True
        self._options = panel_options
        self._panels: dict[str, w.Widget] = {}
        self._seen_fit = next((s for s in self.workflow.steps if s.kind == "fit"), None)
        self._after_fit: threading.Thread | None = None
        self.stepper = w.ToggleButtons(options=[(TITLES[k], k) for k in STEP_ORDER],
                                       value=STEP_ORDER[0], icons=self._icons(),
                                       style={"button_width": "130px"})
        self.status_line = w.HTML()
        # One slot per screen, made once: the body's children never change.
        self.slots = {kind: w.VBox(layout=w.Layout(display="none")) for kind in STEP_ORDER}
        self.body = w.VBox(list(self.slots.values()))
        self.stepper.observe(self._on_step, names="value")
        self.workflow.observe(self._on_workflow_change)
        super().__init__([self.stepper, self.status_line, self.body])
        self._loop = _running_loop()
        _preload_pymc_marketing(in_kernel=self._loop is not None)
        self._ahead_planned = False
        self.show(STEP_ORDER[0])
        self._build_ahead_later()
        if self.restored:
            self.status_line.value = (f"<i>Restored the saved workflow from "
                                      f"{html.escape(str(self.save_to))}: no refit needed.</i>")

    @property
    def current(self) -> str:
        """The step shown."""
        return self.stepper.value

    def panel(self, kind: str) -> w.Widget:
        """The panel of step ``kind`` (built on first use)."""
        if kind not in self._panels:
            factory = _panel_factories().get(kind)
            if factory is None:
                return w.HTML(f"<i>The {html.escape(kind)} panel is not available yet in this "
                              "version; use the headless workflow.</i>")
            options = {"data": self._options, "budget": {"defer_curves": True}}.get(kind, {})
            self._panels[kind] = factory(self.workflow, **options)
        return self._panels[kind]

    def build_ahead(self) -> str | None:
        """Build the screen the user can open next, hidden, when it is one of :data:`AHEAD`.

        The next screen is the first one after the screen shown that is not blocked. Its
        panel waits hidden in its slot: the browser draws it now, and opening it later
        only unhides it (60-130 ms from click to answer in the page, against 130-370 ms
        for a first opening that builds the panel).

        Returns
        -------
        str or None
            The kind of the screen built; None when the next screen is built already,
            is not one of :data:`AHEAD` or there is none.
        """
        after = STEP_ORDER[STEP_ORDER.index(self.current) + 1:]
        kind = next((k for k in after if self.workflow.status(k) != "blocked"), None)
        if kind is None or kind not in AHEAD or kind in self._panels or \
                kind not in _panel_factories():
            return None
        panel = self.panel(kind)
        slot = self.slots[kind]
        if tuple(slot.children) != (panel,):
            slot.children = (panel,)
        return kind

    def _build_ahead_later(self) -> None:
        """Plan :meth:`build_ahead` in the kernel's event loop (any thread may call this).

        Outside a running event loop (a script, the tests) nothing is built ahead: the
        panels are built when they are opened.
        """
        if self._loop is None or self._ahead_planned or self._loop.is_closed():
            return
        self._ahead_planned = True
        self._loop.call_soon_threadsafe(self._loop.call_later, AHEAD_QUIET,
                                        self._build_ahead_when_quiet)

    def _build_ahead_when_quiet(self) -> None:
        """Build the next screen ahead once the panels have been quiet.

        Runs in the kernel's main thread between two messages, so it never overlaps a
        click's callback; waiting for :data:`AHEAD_QUIET` seconds of quiet keeps it out of
        the moment the browser draws a click's answer. A failure leaves the screen to be
        built, and its error shown, when the user opens it.
        """
        self._ahead_planned = False
        waited = activity.quiet_for()
        if waited < AHEAD_QUIET:
            self._ahead_planned = True
            self._loop.call_later(AHEAD_QUIET - waited, self._build_ahead_when_quiet)
            return
        # A failure is left to the click that opens the screen: it builds the panel again
        # and reports the error there.
        with contextlib.suppress(Exception), activity.handling():
            self.build_ahead()

    def show(self, kind: str) -> None:
        """Switch to step ``kind``; a blocked step explains what it needs."""
        status = self.workflow.status(kind)
        if status == "blocked":
            missing = [k for k in requirements(kind) if self.workflow.status(k) != "done"]
            self.status_line.value = (f"<i>{TITLES[kind]} needs these steps first: "
                                      f"{', '.join(TITLES[k] for k in missing)}.</i>")
            self._display(None, None)
            return
        panel = self.panel(kind)
        # Building a panel may bring its step up to date (the overview computes itself).
        status = self.workflow.status(kind)
        self.status_line.value = "<i>An earlier step changed: re-run this step.</i>" \
            if status == "stale" else ""
        self._display(kind, panel)
        # Panels with background work start it once they are on screen (see BudgetView).
        if hasattr(panel, "shown"):
            panel.shown()
        if self.stepper.value != kind:
            self.stepper.value = kind

    @property
    def shown_panel(self) -> w.Widget | None:
        """The panel on screen (None when the step shown is blocked)."""
        return next((slot.children[0] for slot in self.slots.values()
                     if slot.layout.display != "none" and slot.children), None)

    def _display(self, kind: str | None, panel: w.Widget | None) -> None:
        """Show ``panel`` alone, in the slot of ``kind`` (None: none); built panels stay hidden.

        Each screen has its own slot in the body. The browser keeps a hidden panel's views
        as drawn, so opening it again only unhides its slot. A new panel changes only its
        own slot's children: a change to the body's children would make the browser
        rebuild the views of every child after the first one that differs (ipywidgets'
        ``ViewList``), and tell every child, hidden ones too, that its size may have
        changed. (Dropping the overview built before *Check the fit* from a list of
        panels had the browser build the hidden diagnostics panel again, plots and all,
        in the next click: 100-200 ms of Attribution's first opening.)
        """
        self._drop_old_panels()
        # Hidden first: a moment with no panel rather than with two.
        for other, slot in self.slots.items():
            if other != kind:
                slot.layout.display = "none"
        if kind is None or panel is None:
            return
        slot = self.slots[kind]
        # Shown before it gets the panel, which the browser then draws in place.
        slot.layout.display = None
        if tuple(slot.children) != (panel,):
            slot.children = (panel,)

    def _drop_old_panels(self) -> None:
        """Take out of their slots the panels dropped from :attr:`_panels` (old results)."""
        for kind, slot in self.slots.items():
            if slot.children and self._panels.get(kind) is not slot.children[0]:
                slot.children = ()

    def status_icons(self) -> dict[str, str]:
        """Each step's status as shown on the stepper (``"done"``, ``"stale"``, ...)."""
        return {k: self.workflow.status(k) for k in STEP_ORDER}

    def _icons(self) -> list[str]:
        return [ICONS[self.workflow.status(k)] for k in STEP_ORDER]

    def save(self) -> Path | None:
        """Save the workflow to :attr:`save_to` (done after every step)."""
        if self.save_to is None or self.workflow.status("data") != "done":
            return None
        return self.workflow.save(self.save_to)

    def _on_workflow_change(self, kind: str) -> None:
        if self.workflow.status(kind) == "done":
            try:
                self.save()
            except Exception as error:  # saving must never break the analysis
                self.status_line.value = (f"<i>Could not save the workflow to "
                                          f"{html.escape(str(self.save_to))}: "
                                          f"{html.escape(str(error))}</i>")
        # Panels built on a changed step's old result (or showing it): build them anew;
        # the panel in use is kept, unless it only shows that result.
        for later in STEP_ORDER:
            if later != self.current and (kind in requirements(later) or
                                          kind in SHOWS.get(later, ())):
                self._panels.pop(later, None)
        if kind in SHOWS.get(self.current, ()) and self.current in self._panels:
            del self._panels[self.current]
            self.show(self.current)
        # Now rather than in the next click, which would also wait for the browser to
        # take their views down.
        self._drop_old_panels()
        self._refresh_stepper()
        self._build_ahead_later()
        if kind == "fit" and self.workflow.status("fit") == "done":
            fit = self.workflow.step("fit")
            if fit is not self._seen_fit:
                self._seen_fit = fit
                if self.current == "fit":
                    self._show_overview_after_fit()

    def _show_overview_after_fit(self) -> None:
        """Move on to the overview once the fit panel has shown the finished fit.

        The fit reports from its worker thread while it finishes; waiting in another
        thread lets it end first. A refresh stays on the fit panel, which shows the
        before/after comparison.
        """
        panel = self._panels.get("fit")
        refresh = self.workflow.last_refresh

        def switch() -> None:
            if hasattr(panel, "wait"):
                panel.wait()
            # A fit leaves many new long-lived objects (graphs, draws, summaries), enough to
            # start a full collection of all the kernel's objects (0.3-0.7 s holding the
            # interpreter lock) in whichever click allocates next. Done here, it is part
            # of waiting for the fit; Python starts the next one only once the objects
            # that survived it grow by a quarter.
            gc.collect()
            if self.current == "fit" and self.workflow.last_refresh is refresh and \
                    self.workflow.status("fit") == "done":
                with activity.handling():
                    self.show("overview")

        self._after_fit = threading.Thread(target=switch, daemon=True,
                                           name="mmm-widgets-after-fit")
        self._after_fit.start()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the move to the overview after a fit is done (for tests)."""
        if self._after_fit is not None:
            self._after_fit.join(timeout)

    def _refresh_stepper(self) -> None:
        self.stepper.icons = self._icons()

    def _on_step(self, change: dict) -> None:
        with activity.handling():
            self.show(change["new"])
        self._build_ahead_later()
