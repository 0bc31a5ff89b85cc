"""Restoring a workflow's diagnostics (see :mod:`mmm_widgets.persist`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mmm_widgets.steps.diagnostics import DiagnosticsParams

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow


def rerun(workflow: Workflow, params: dict[str, Any], folder: Any) -> None:
    """Recompute diagnostics of a loaded workflow (see :mod:`mmm_widgets.persist`)."""
    workflow.diagnostics(**DiagnosticsParams.from_dict(params).to_dict())
