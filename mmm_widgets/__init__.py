"""mmm-widgets: from a table of marketing spend and sales to a budget, in the notebook.

The public face: :class:`Workflow` (headless), :class:`Wizard` (the panels),
:mod:`datasets`, :mod:`mta` and the errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mmm_widgets import datasets, settings
from mmm_widgets.errors import (
    DataError,
    FitCancelled,
    FitError,
    MMMWidgetsError,
    ModelError,
    PathError,
    StepOrderError,
)
from mmm_widgets.settings import set_interval
from mmm_widgets.workflow import Workflow

if TYPE_CHECKING:
    from mmm_widgets.views.wizard import Wizard

__version__ = "0.1.0"

__all__ = [
    "DataError",
    "FitCancelled",
    "FitError",
    "MMMWidgetsError",
    "ModelError",
    "PathError",
    "SearchPanel",
    "StepOrderError",
    "Wizard",
    "Workflow",
    "compare_models",
    "compare_models_script",
    "compare_plans",
    "datasets",
    "fit_many",
    "mta",
    "set_interval",
    "settings",
]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the built JupyterLab extension lives (for ``jupyter labextension develop``)."""
    return [{"src": "labextension", "dest": "mmm-widgets"}]


def __getattr__(name: str):
    # Widgets and attribution load on first use, so `import mmm_widgets` stays fast.
    if name == "Wizard":
        from mmm_widgets.views.wizard import Wizard

        return Wizard
    if name == "mta":
        import importlib

        return importlib.import_module("mmm_widgets.mta")
    if name == "SearchPanel":
        from mmm_widgets.views.search import SearchPanel

        return SearchPanel
    if name == "fit_many":
        # One specification fitted to many tables on Dask (mmm_widgets.many).
        from mmm_widgets.many import fit_many

        return fit_many
    if name == "compare_plans":
        # Named plans of one window side by side (mmm_widgets.api.plan).
        from mmm_widgets.api.plan import compare_plans

        return compare_plans
    if name in ("compare_models", "compare_models_script"):
        # The table and the script that reproduces it (mmm_widgets.api.compare).
        from mmm_widgets.api import compare

        return getattr(compare, name)
    raise AttributeError(f"module 'mmm_widgets' has no attribute {name!r}")
