"""The step graph, declared once: every kind of step, what it needs, where it lives.

Status and staleness (:mod:`mmm_widgets.workflow`), persistence (:mod:`mmm_widgets.persist`),
the export order and the wizard's screens are all derived from :data:`SPECS`. Adding a
step means adding one :class:`StepSpec` here and its module under ``steps/``.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

Restore = Literal["core", "journeys", "data", "later"]


@dataclass(frozen=True)
class StepSpec:
    """One kind of step.

    Attributes
    ----------
    kind : str
        Key of the step (``"budget"``), as in saved workflows.
    title : str
        What the step is called in messages.
    requires : tuple of str
        Kinds that must be done (and current) before this step runs.
    module : str
        Module holding the step's ``Params`` and ``Step`` classes.
    params : str
        Name of its :class:`~mmm_widgets.steps.base.Params` class.
    api : str or None
        Module with the step's workflow-level helpers; its ``rerun(workflow, params,
        folder)`` restores the step on load and its optional ``save_extra(workflow,
        folder)`` stores inputs that are not parameters (journey tables).
    screen : str or None
        Label of the step's wizard screen; None for steps shown inside another panel.
    restore : {"core", "journeys", "data", "later"}
        How loading brings it back: the data, model and fit steps are rebuilt by the
        loader itself; ``"journeys"`` steps need no model and are re-run first;
        ``"data"`` steps need the data only and are restored right after it;
        ``"later"`` steps are re-run from the fitted model.
    """

    kind: str
    title: str
    requires: tuple[str, ...]
    module: str
    params: str
    api: str | None = None
    screen: str | None = None
    restore: Restore = "later"

    def params_class(self) -> type:
        """The step's parameter class (its module is imported on first use)."""
        return getattr(importlib.import_module(self.module), self.params)

    def api_module(self) -> ModuleType | None:
        """The module with the step's ``rerun`` / ``save_extra`` hooks, if any."""
        return importlib.import_module(self.api) if self.api else None


_FITTED = ("data", "model", "fit")

#: Every kind of step, in the order their code is exported.
SPECS: tuple[StepSpec, ...] = (
    StepSpec("data", "Data mapping", (), "mmm_widgets.steps.data", "DataParams",
             screen="1 Data", restore="core"),
    # The model search (issue #20) needs the data only: taking a candidate into the model
    # step does not make it stale.
    StepSpec("search", "Model search", ("data",), "mmm_widgets.steps.search", "SearchParams",
             api="mmm_widgets.api.search", restore="data"),
    StepSpec("model", "Model", ("data",), "mmm_widgets.steps.model", "ModelParams",
             screen="2 Model", restore="core"),
    StepSpec("fit", "Fit", ("data", "model"), "mmm_widgets.steps.fit", "FitParams",
             screen="3 Fit", restore="core"),
    StepSpec("overview", "Overview", _FITTED, "mmm_widgets.steps.overview", "OverviewParams",
             api="mmm_widgets.api.overview", screen="Overview"),
    StepSpec("diagnostics", "Diagnostics", _FITTED, "mmm_widgets.steps.diagnostics",
             "DiagnosticsParams", api="mmm_widgets.api.diagnostics", screen="4 Diagnostics"),
    # The holdout and cross-validation belong to the diagnostics panel but refit, so
    # they are steps of their own.
    StepSpec("holdout", "Holdout", _FITTED, "mmm_widgets.steps.holdout", "HoldoutParams",
             api="mmm_widgets.api.holdout"),
    StepSpec("cross_validation", "Cross-validation", _FITTED,
             "mmm_widgets.steps.cross_validation", "CrossValidationParams",
             api="mmm_widgets.api.cross_validation"),
    StepSpec("attribution", "Attribution", _FITTED, "mmm_widgets.steps.attribution",
             "AttributionParams", api="mmm_widgets.api.attribution", screen="5 Attribution"),
    # The attribution panel's cross-channel analysis reads journeys only: no model.
    StepSpec("synergy", "Cross-channel", (), "mmm_widgets.steps.synergy", "SynergyParams",
             api="mmm_widgets.api.synergy", restore="journeys"),
    StepSpec("budget", "Budget", _FITTED, "mmm_widgets.steps.budget", "BudgetParams",
             api="mmm_widgets.api.budget", screen="6 Budget"),
    # The dated plan of the next window (issue #19): no wizard screen yet.
    StepSpec("plan", "Plan", _FITTED, "mmm_widgets.steps.plan", "PlanParams",
             api="mmm_widgets.api.plan"),
)

BY_KIND: dict[str, StepSpec] = {spec.kind: spec for spec in SPECS}
#: Every kind, in export order.
ALL_KINDS: tuple[str, ...] = tuple(spec.kind for spec in SPECS)
#: The wizard's screens, in order (the overview is the first one after a fit).
SCREENS: tuple[str, ...] = ("data", "model", "fit", "overview", "diagnostics", "attribution",
                            "budget")


def spec(kind: str) -> StepSpec:
    """The spec of step ``kind``.

    Raises
    ------
    KeyError
        Naming the unknown kind and the known ones.
    """
    try:
        return BY_KIND[kind]
    except KeyError:
        raise KeyError(f"no step of kind {kind!r}; the kinds are {', '.join(ALL_KINDS)}") from None


def requirements(kind: str) -> tuple[str, ...]:
    """The steps that must be done before step ``kind`` can run, in export order."""
    return spec(kind).requires


def dependents(kind: str) -> tuple[str, ...]:
    """Steps whose results depend on step ``kind``, directly or through another step."""
    found: list[str] = []
    for other in ALL_KINDS:
        needs = set(spec(other).requires)
        if kind in needs or needs & set(found):
            found.append(other)
    return tuple(found)


def statuses(present: Collection[str], stale: Collection[str]) -> dict[str, str]:
    """Every kind's status: ``"done"``, ``"stale"``, ``"ready"`` or ``"blocked"``.

    Parameters
    ----------
    present : collection of str
        Kinds that have a current step (done or stale).
    stale : collection of str
        Those of them an earlier step's change made out of date.
    """
    found: dict[str, str] = {}
    for kind in ALL_KINDS:
        if kind in present:
            found[kind] = "stale" if kind in stale else "done"
        else:
            ready = all(found[k] == "done" for k in requirements(kind))
            found[kind] = "ready" if ready else "blocked"
    return found


def restored(how: Restore) -> tuple[str, ...]:
    """Kinds restored on load the way ``how`` says, in export order."""
    return tuple(s.kind for s in SPECS if s.restore == how)
