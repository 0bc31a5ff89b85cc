"""The wizard: a stepper over the six steps, each shown by its panel."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd

from mmm_widgets.workflow import STEP_ORDER, Workflow

TITLES = {
    "data": "1 Data", "model": "2 Model", "fit": "3 Fit", "diagnostics": "4 Diagnostics",
    "attribution": "5 Attribution", "budget": "6 Budget",
}
_MARKS = {"done": "✓", "stale": "↻", "ready": "", "blocked": "·"}


def _panel_factories() -> dict[str, Callable[[Workflow], w.Widget]]:
    import importlib

    factories: dict[str, Callable[[Workflow], w.Widget]] = {}
    for kind in STEP_ORDER:
        try:
            module = importlib.import_module(f"mmm_widgets.views.{kind}")
        except ModuleNotFoundError:
            continue
        factories[kind] = getattr(module, f"{kind.capitalize()}View")
    return factories


class Wizard(w.VBox):
    """Step through the analysis: data, model, fit, diagnostics, attribution, budget.

    Parameters
    ----------
    df_or_workflow : pandas.DataFrame or Workflow, optional
        The raw table, or a workflow to continue.
    **panel_options
        Passed to the panels (e.g. ``namespace``, ``upload_dir`` for the data panel).

    Examples
    --------
    >>> import mmm_widgets as mw
    >>> wizard = mw.Wizard(mw.datasets.load("weekly_sales"))
    >>> wizard.workflow.status("data")
    'ready'
    """

    def __init__(self, df_or_workflow: pd.DataFrame | Workflow | None = None,
                 **panel_options: Any):
        if isinstance(df_or_workflow, Workflow):
            self.workflow = df_or_workflow
        else:
            self.workflow = Workflow(df_or_workflow)
        self._options = panel_options
        self._panels: dict[str, w.Widget] = {}
        self.stepper = w.ToggleButtons(options=self._labels(), value=STEP_ORDER[0],
                                       style={"button_width": "120px"})
        self.status_line = w.HTML()
        self.body = w.VBox()
        self.stepper.observe(self._on_step, names="value")
        self.workflow.observe(self._on_workflow_change)
        super().__init__([self.stepper, self.status_line, self.body])
        self.show(STEP_ORDER[0])

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
            options = self._options if kind == "data" else {}
            self._panels[kind] = factory(self.workflow, **options)
        return self._panels[kind]

    def show(self, kind: str) -> None:
        """Switch to step ``kind``; a blocked step explains what it needs."""
        status = self.workflow.status(kind)
        if status == "blocked":
            missing = [k for k in STEP_ORDER[:STEP_ORDER.index(kind)]
                       if self.workflow.status(k) != "done"]
            self.status_line.value = (f"<i>{TITLES[kind]} needs these steps first: "
                                      f"{', '.join(TITLES[k] for k in missing)}.</i>")
            self.body.children = []
            return
        self.status_line.value = "<i>An earlier step changed: re-run this step.</i>" \
            if status == "stale" else ""
        self.body.children = [self.panel(kind)]
        if self.stepper.value != kind:
            self.stepper.value = kind

    def _labels(self) -> list[tuple[str, str]]:
        return [(f"{TITLES[k]} {_MARKS[self.workflow.status(k)]}".strip(), k)
                for k in STEP_ORDER]

    def _on_workflow_change(self, kind: str) -> None:
        # Panels after a changed step were built on its old result: build them anew.
        for later in STEP_ORDER[STEP_ORDER.index(kind) + 1:]:
            if later != self.current:
                self._panels.pop(later, None)
        self._refresh_stepper()

    def _refresh_stepper(self) -> None:
        current = self.stepper.value
        with self.stepper.hold_trait_notifications():
            self.stepper.unobserve(self._on_step, names="value")
            self.stepper.options = self._labels()
            self.stepper.value = current
            self.stepper.observe(self._on_step, names="value")

    def _on_step(self, change: dict) -> None:
        self.show(change["new"])
