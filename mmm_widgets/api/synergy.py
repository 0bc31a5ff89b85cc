"""Saving and restoring a workflow's cross-channel step (see :mod:`mmm_widgets.persist`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmm_widgets.steps.attribution import save_journeys, saved_journeys
from mmm_widgets.steps.synergy import JOURNEYS_FILE, SynergyParams, SynergyStep

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow

__all__ = ["rerun", "save_extra"]


def save_extra(workflow: Workflow, folder: Path) -> None:
    """Store the touch table of a DataFrame source as ``synergy_journeys.parquet``.

    Parameters
    ----------
    workflow : Workflow
        A workflow whose cross-channel step is done.
    folder : pathlib.Path
        The folder the workflow is saved in.
    """
    save_journeys(workflow.step("synergy"), Path(folder) / JOURNEYS_FILE)


def rerun(workflow: Workflow, params: dict[str, Any], folder: Path) -> None:
    """Re-run the cross-channel step of a loaded workflow from its parameters and table.

    Parameters
    ----------
    workflow : Workflow
        The workflow being loaded (the step needs no model).
    params : dict
        The step's saved parameters (:meth:`SynergyParams.to_dict`).
    folder : pathlib.Path
        The folder the workflow was saved in.

    Raises
    ------
    DataError
        When the stored touch table is missing.
    """
    restored = SynergyParams.from_dict(params)
    journeys = saved_journeys(restored.journeys, Path(folder) / JOURNEYS_FILE)
    workflow.run_step(SynergyStep(restored, journeys))
