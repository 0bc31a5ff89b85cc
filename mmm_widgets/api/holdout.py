"""Restoring a workflow's holdout (see :mod:`mmm_widgets.persist`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mmm_widgets.steps.holdout import HoldoutParams

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow


def rerun(workflow: Workflow, params: dict[str, Any], folder: Any) -> None:
    """Redo the holdout of a loaded workflow (see :mod:`mmm_widgets.persist`)."""
    workflow.holdout(**HoldoutParams.from_dict(params).to_dict())
