"""Saving and restoring a workflow's attribution step (see :mod:`mmm_widgets.persist`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mmm_widgets.steps.attribution import (
    JOURNEYS_FILE,
    AttributionParams,
    AttributionStep,
    save_journeys,
    saved_journeys,
)

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow

__all__ = ["rerun", "save_extra"]


def save_extra(workflow: Workflow, folder: Path) -> None:
    """Store the touch table of a DataFrame source as ``journeys.parquet`` in ``folder``.

    Parameters
    ----------
    workflow : Workflow
        A workflow whose attribution step is done.
    folder : pathlib.Path
        The folder the workflow is saved in.
    """
    save_journeys(workflow.step("attribution"), Path(folder) / JOURNEYS_FILE)


def rerun(workflow: Workflow, params: dict[str, Any], folder: Path) -> None:
    """Re-run the attribution step of a loaded workflow from its parameters and table.

    Parameters
    ----------
    workflow : Workflow
        The workflow being loaded (data, model and fit restored).
    params : dict
        The step's saved parameters (:meth:`AttributionParams.to_dict`).
    folder : pathlib.Path
        The folder the workflow was saved in.

    Raises
    ------
    DataError
        When the stored touch table is missing.
    """
    restored = AttributionParams.from_dict(params)
    journeys = saved_journeys(restored.journeys, Path(folder) / JOURNEYS_FILE)
    workflow.run_step(AttributionStep(restored, workflow.data_result, journeys,
                                      workflow.step("data").params))
