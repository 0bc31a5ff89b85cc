"""Touch tables stored next to a saved workflow, and read back when it is loaded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from mmm_widgets.errors import DataError, problem
from mmm_widgets.steps.attribution.step import JourneysStep
from mmm_widgets.steps.source import Source

__all__ = ["JOURNEYS_FILE", "save_journeys", "saved_journeys"]

JOURNEYS_FILE = "journeys.parquet"


def save_journeys(step: JourneysStep, path: Path) -> None:
    """Store the touch table of a DataFrame source at ``path`` (a file source is re-read)."""
    if step.params.journeys.kind == "frame":
        step.frame().to_parquet(path)


def saved_journeys(source: Source, path: Path) -> pd.DataFrame | None:
    """The touch table :func:`save_journeys` stored for ``source`` (None for a file source).

    Raises
    ------
    DataError
        When the stored touch table is missing.
    """
    if source.kind != "frame":
        return None
    if not path.exists():
        raise DataError(problem(f"The saved touch table {path.name} is missing in "
                                f"{str(path.parent)!r}.", "Save the workflow again."))
    return pd.read_parquet(path)

