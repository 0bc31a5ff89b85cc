"""Save and load workflows as JSON + pymc-marketing netCDF; never pickle.

A saved workflow is a folder::

    workflow.json   format marker, version, each step's parameters
    raw.parquet     the raw table, when it came from a DataFrame
    model.nc        the fitted model (``MMM.save``), when there is one

Loading re-runs the data and model steps from their parameters (cheap) and reads the
fitted model from netCDF instead of refitting. Nothing stored is executed: parameters
are plain JSON data that enter generated code only as literals, and the classes named
inside the netCDF are checked against pymc-marketing's own before it is opened.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mmm_widgets.errors import MMMWidgetsError, problem

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow

FORMAT = "mmm-widgets workflow"
VERSION = 1
_ALLOWED_TYPE_PREFIX = "pymc_marketing.mmm.components."
# Steps after the fit are re-run on load by their module's ``rerun(workflow, params, folder)``
# (cheap: they read the fitted model); ``save_extra(workflow, folder)`` may store inputs
# that are not parameters, such as journey tables.
LATER_STEPS = ("diagnostics", "holdout", "attribution", "budget")


class LoadError(MMMWidgetsError, ValueError):
    """A saved workflow is missing, damaged or was changed by hand."""


def save_workflow(workflow: Workflow, folder: Path) -> Path:
    """Write ``workflow`` to ``folder`` (created if needed); return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    steps = {step.kind: step.params.to_dict() for step in workflow.steps
             if workflow.status(step.kind) == "done"}
    for kind in LATER_STEPS:
        if kind in steps:
            module = importlib.import_module(f"mmm_widgets.steps.{kind}")
            if hasattr(module, "save_extra"):
                module.save_extra(workflow, folder)
    state: dict[str, Any] = {"format": FORMAT, "version": VERSION, "steps": steps,
                             "source": workflow.source.to_dict() if workflow.source else None,
                             "raw": None, "model": None}
    if workflow.source is not None and workflow.source.kind == "frame":
        workflow.raw.to_parquet(folder / "raw.parquet")
        state["raw"] = "raw.parquet"
    if "fit" in steps:
        workflow.mmm.save(str(folder / "model.nc"))
        state["model"] = "model.nc"
    (folder / "workflow.json").write_text(json.dumps(state, indent=1), encoding="utf-8")
    return folder


def load_workflow(cls: type[Workflow], folder: Path) -> Workflow:
    """Rebuild a workflow saved by :func:`save_workflow`."""
    from mmm_widgets.steps.data import DataParams, DataStep
    from mmm_widgets.steps.fit import FitParams, FitStep
    from mmm_widgets.steps.model import ModelParams, ModelStep
    from mmm_widgets.steps.source import Source

    state = _read_state(folder)
    try:
        source = Source.from_dict(state["source"]) if state["source"] else None
        steps = state["steps"]
        data_params = DataParams.from_dict(steps["data"]) if "data" in steps else None
        model_params = ModelParams.from_dict(steps["model"]) if "model" in steps else None
        fit_params = FitParams.from_dict(steps["fit"]) if "fit" in steps else None
    except (KeyError, TypeError, ValueError) as error:
        raise _damaged(folder, f"its parameters do not read back ({error})") from error
    if source is not None and source.kind == "frame":
        raw_path = folder / str(state.get("raw") or "raw.parquet")
        if raw_path.name != "raw.parquet" or not raw_path.exists():
            raise _damaged(folder, "the raw table raw.parquet is missing")
        workflow = cls(pd.read_parquet(raw_path), name=source.name)
    else:
        workflow = cls(source=source)
    if data_params is None:
        return workflow
    workflow.run_step(DataStep(data_params.replace(source=workflow.source)))
    if model_params is None:
        return workflow
    model_step = ModelStep(model_params, workflow.data_result)
    workflow.run_step(model_step)
    if fit_params is None or not state.get("model"):
        return workflow
    mmm = _load_model(folder / "model.nc")
    fit_step = FitStep(fit_params, model_step)
    workflow.restore_step(fit_step, lambda namespace: fit_step.restore(namespace, mmm))
    for kind in LATER_STEPS:
        if kind in steps:
            module = importlib.import_module(f"mmm_widgets.steps.{kind}")
            module.rerun(workflow, steps[kind], folder)
    return workflow


def _read_state(folder: Path) -> dict[str, Any]:
    path = folder / "workflow.json"
    if not path.exists():
        raise LoadError(problem(f"No saved workflow in {str(folder)!r} (workflow.json missing).",
                                "Give the folder that wf.save(path) wrote."))
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _damaged(folder, f"workflow.json is not valid JSON ({error})") from error
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise _damaged(folder, "workflow.json is not an mmm-widgets workflow")
    if state.get("version") != VERSION:
        raise LoadError(problem(f"The workflow was saved in format version "
                                f"{state.get('version')!r}; this mmm-widgets reads {VERSION}.",
                                "Use the mmm-widgets version that saved it."))
    if not isinstance(state.get("steps"), dict):
        raise _damaged(folder, "workflow.json has no steps")
    return state


def _load_model(path: Path) -> Any:
    """Open a pymc-marketing netCDF after checking the classes it names."""
    import xarray as xr

    if not path.exists():
        raise _damaged(path.parent, "the fitted model model.nc is missing")
    try:
        with xr.open_datatree(path) as tree:
            attrs = dict(tree.attrs)
    except Exception as error:
        raise _damaged(path.parent, f"model.nc cannot be read ({type(error).__name__})") \
            from error
    for key in ("adstock", "saturation"):
        _check_component(attrs.get(key), key, path)
    from pymc_marketing.mmm import MMM

    try:
        return MMM.load(str(path))
    except Exception as error:
        raise _damaged(path.parent, f"model.nc does not load ({type(error).__name__}: "
                                    f"{str(error)[:200]})") from error


def _check_component(raw: Any, key: str, path: Path) -> None:
    try:
        data = json.loads(raw)
    except (TypeError, json.JSONDecodeError) as error:
        raise _damaged(path.parent, f"model.nc has no readable {key}") from error
    kind = data.get("__type__", "") if isinstance(data, dict) else ""
    if not (isinstance(kind, str) and kind.startswith(_ALLOWED_TYPE_PREFIX)):
        raise _damaged(path.parent, f"model.nc names an unexpected {key} class {kind!r}")


def _damaged(folder: Path, why: str) -> LoadError:
    return LoadError(problem(f"The saved workflow in {str(folder)!r} cannot be loaded: {why}.",
                             "Load another copy, or re-run the workflow and save it again."))
