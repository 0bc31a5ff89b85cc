"""Saving and restoring a workflow's cross-validation (see :mod:`mmm_widgets.persist`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmm_widgets.steps.cross_validation import (
    FOLDS_FILE,
    FRAME_FILE,
    CrossValidationParams,
    CrossValidationStep,
    read_stored,
)

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow


def save_extra(workflow: Workflow, folder: Path) -> None:
    """Store the forecasts and per-fold scores, so loading needs no refit of every fold."""
    result = workflow.step("cross_validation").result
    result.frame.to_parquet(Path(folder) / FRAME_FILE)
    result.per_fold.reset_index().to_parquet(Path(folder) / FOLDS_FILE)


def rerun(workflow: Workflow, params: dict[str, Any], folder: Path) -> None:
    """Restore the cross-validation of a loaded workflow (see :mod:`mmm_widgets.persist`).

    The stored forecasts and scores are read back (checked against the parameters and
    the data); without them the folds are refit.

    Raises
    ------
    ValueError
        When the stored files do not match the parameters or the data.
    """
    restored = CrossValidationParams.from_dict(params)
    folder = Path(folder)
    step = CrossValidationStep(restored, workflow.step("model"), workflow.step("fit"))
    if not (folder / FRAME_FILE).is_file() or not (folder / FOLDS_FILE).is_file():
        workflow.run_step(step)
        return
    step.validate({})
    per_fold, frame = read_stored(folder, step)
    workflow.restore_step(step, lambda namespace: step.restore(per_fold, frame))
