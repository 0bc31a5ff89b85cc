"""Saving and restoring a workflow's holdout (see :mod:`mmm_widgets.persist`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmm_widgets.steps.holdout import FRAME_FILE, HoldoutParams, HoldoutStep, read_stored

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow


def save_extra(workflow: Workflow, folder: Path) -> None:
    """Store the holdout's forecast, so loading needs no refit."""
    workflow.step("holdout").result.frame.to_parquet(Path(folder) / FRAME_FILE)


def rerun(workflow: Workflow, params: dict[str, Any], folder: Any) -> None:
    """Restore the holdout of a loaded workflow from its stored forecast (else refit it).

    Raises
    ------
    ValueError
        When the stored forecast does not match the parameters or the data.
    """
    restored = HoldoutParams.from_dict(params)
    if folder is None or not (Path(folder) / FRAME_FILE).is_file():
        workflow.holdout(**restored.to_dict())
        return
    step = HoldoutStep(restored, workflow.step("model"), workflow.step("fit"))
    step.validate({})
    frame = read_stored(Path(folder), step)
    workflow.restore_step(step, lambda namespace: step.restore(frame))
