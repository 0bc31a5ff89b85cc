"""Save and load workflows as JSON + pymc-marketing netCDF; never pickle.

A saved workflow is a folder::

    workflow.json   format marker, version, each step's parameters
    raw.parquet     the raw table, when it came from a DataFrame
    model.nc        the fitted model (``MMM.save``), when there is one

Loading re-runs the data and model steps from their parameters (cheap) and reads the
fitted model from netCDF instead of refitting. Nothing stored is executed: every field
of ``workflow.json`` is checked against the type of its parameter before use,
parameters enter generated code only as literals, and the netCDF's attributes are
checked before pymc-marketing reads them: every class they name must be one this
workflow can have, nothing may ask for a factory to be called, and the model must be
the one ``workflow.json`` describes.
"""

from __future__ import annotations

import contextlib
import json
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mmm_widgets.engine import registry
from mmm_widgets.errors import MMMWidgetsError, Problem, problem
from mmm_widgets.output_paths import folder_to_write

if TYPE_CHECKING:
    from mmm_widgets.steps.data import DataResult
    from mmm_widgets.steps.model import ModelParams
    from mmm_widgets.workflow import Workflow

FORMAT = "mmm-widgets workflow"
VERSION = 1
RAW_FILE = "raw.parquet"
MODEL_FILE = "model.nc"
# The fit before the last wf.refresh, kept so both fits survive a save.
PREVIOUS_MODEL_FILE = "previous_model.nc"
# Steps after the fit are re-run on load by their api module's ``rerun(workflow, params,
# folder)`` (cheap: they read the fitted model); ``save_extra(workflow, folder)`` may store
# inputs that are not parameters, such as journey tables. Steps that read journeys only
# (no model) are re-run first, so a workflow saved before any fit keeps them too; steps
# that need the data only (the model search) right after the data step.
LATER_STEPS = registry.restored("later")
JOURNEY_STEPS = registry.restored("journeys")
DATA_STEPS = registry.restored("data")
_STATE_KEYS = {"format", "version", "steps", "source", "raw", "model", "interval", "refresh"}
# Attributes pymc-marketing's MMM.save writes as JSON, all read back by MMM.load.
_JSON_ATTRS = ("model_config", "sampler_config", "dims", "adstock", "saturation",
               "adstock_first", "control_columns", "channel_columns", "yearly_seasonality",
               "time_varying_intercept", "time_varying_media", "scaling",
               "lift_test_calibrations", "dag", "treatment_nodes", "outcome_node",
               "mu_effects", "cost_per_unit", "original_scale_vars")
_SERIALIZATION_VERSION = "1"


class LoadError(MMMWidgetsError, ValueError):
    """A saved workflow is missing, damaged or was changed by hand."""


def save_workflow(workflow: Workflow, folder: Path) -> Path:
    """Write ``workflow`` to ``folder`` (created if needed); return the folder.

    Saving again into the same folder rewrites only what changed since this workflow last
    wrote it there (see :func:`_write_once`): ``workflow.json`` always, the raw table when
    its content differs, ``model.nc`` when the fit does; a new margin on the overview
    writes the parameters only, not the posterior.
    """
    folder = folder_to_write(folder, "a saved workflow")
    steps = {step.kind: step.params.to_dict() for step in workflow.steps
             if workflow.status(step.kind) == "done"}
    for kind in (*JOURNEY_STEPS, *DATA_STEPS, *LATER_STEPS):
        if kind in steps:
            module = registry.spec(kind).api_module()
            if hasattr(module, "save_extra"):
                # A step's stored inputs change only when it is re-run (a new step).
                _write_once(workflow, folder, f"extra:{kind}", workflow.step(kind), kind,
                            lambda module=module: module.save_extra(workflow, folder))
    source, raw = workflow.source, workflow.raw
    if "data" in steps and workflow.step("data").params.appended:
        # New periods of a refresh live in variables of the session, not in files: the
        # table with them is stored whole and read back as the table given.
        from mmm_widgets.steps.source import Source

        data_step = workflow.step("data")
        raw = data_step.with_new_periods(raw, workflow.context().namespace())
        source = Source(kind="frame", name=source.name)
        steps["data"] = data_step.params.replace(source=source, appended=()).to_dict()
    state: dict[str, Any] = {"format": FORMAT, "version": VERSION, "steps": steps,
                             "source": source.to_dict() if source else None,
                             "raw": None, "model": None, "interval": workflow._interval,
                             "refresh": None}
    if source is not None and source.kind == "frame":
        _write_once(workflow, folder, RAW_FILE, None, _frame_fingerprint(raw),
                    lambda: raw.to_parquet(folder / RAW_FILE), (RAW_FILE,))
        state["raw"] = RAW_FILE
    if "fit" in steps:
        mmm = workflow.mmm
        _write_once(workflow, folder, MODEL_FILE, mmm, _idata_fingerprint(mmm),
                    lambda: mmm.save(str(folder / MODEL_FILE)), (MODEL_FILE,))
        state["model"] = MODEL_FILE
        if workflow.last_refresh is not None:
            previous = workflow.last_refresh.previous.mmm
            _write_once(workflow, folder, PREVIOUS_MODEL_FILE, previous,
                        _idata_fingerprint(previous),
                        lambda: previous.save(str(folder / PREVIOUS_MODEL_FILE)),
                        (PREVIOUS_MODEL_FILE,))
            state["refresh"] = {"added": int(workflow.last_refresh.added),
                                "model": PREVIOUS_MODEL_FILE}
    (folder / "workflow.json").write_text(json.dumps(state, indent=1), encoding="utf-8")
    return folder


@dataclass
class _Written:
    """One piece of a saved folder as this workflow last wrote it."""

    owner: Callable[[], Any] | None  # weak reference to the object written, if any
    fingerprint: Any  # what else must be equal (the table's content hash, the draws' shapes)
    files: dict[str, tuple[int, int]]  # the files written: (modification time ns, size)


# Per workflow (dropped with it), per folder, per piece: what was last written there.
_WRITTEN: weakref.WeakKeyDictionary[Any, dict[Path, dict[str, _Written]]] = \
    weakref.WeakKeyDictionary()


def _write_once(workflow: Workflow, folder: Path, piece: str, owner: Any, fingerprint: Any,
                write: Callable[[], None], files: tuple[str, ...] | None = None) -> bool:
    """Run ``write`` unless this workflow already wrote the same piece into ``folder``.

    The piece is the same when ``owner`` is the very object written last time (a new fit
    or a re-run step is a new object), ``fingerprint`` is equal, and each file written
    then is unchanged on disk (same modification time and size: not deleted, not
    overwritten by another workflow or by hand).

    Parameters
    ----------
    workflow : Workflow
        The workflow being saved (the record is kept per workflow).
    folder : pathlib.Path
        The folder saved into.
    piece : str
        Name of the piece (a file name, or ``"extra:<kind>"``).
    owner : object or None
        The object whose content is written (compared by identity), or None.
    fingerprint : object
        Compared with ``==``; None means "unknown": always write.
    write : callable
        Writes the piece.
    files : tuple of str, optional
        The files ``write`` writes; by default the files of ``folder`` it changed.

    Returns
    -------
    bool
        Whether ``write`` ran.
    """
    record = _WRITTEN.setdefault(workflow, {}).setdefault(folder.resolve(), {})
    last = record.pop(piece, None)
    if last is not None and fingerprint is not None and last.fingerprint == fingerprint \
            and (last.owner() if last.owner is not None else None) is owner \
            and _stats(folder, last.files) == last.files:
        record[piece] = last
        return False
    before = _stats(folder, None) if files is None else {}
    write()
    after = _stats(folder, files)
    written = after if files is not None else {
        name: stat for name, stat in after.items() if before.get(name) != stat}
    try:
        ref = weakref.ref(owner) if owner is not None else None
    except TypeError:  # not weakly referable: write it every time
        return True
    record[piece] = _Written(ref, fingerprint, written)
    return True


def _stats(folder: Path, names: Any) -> dict[str, tuple[int, int]]:
    """(modification time ns, size) of the files ``names`` in ``folder`` (all when None)."""
    paths = folder.iterdir() if names is None else (folder / name for name in names)
    out = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        out[path.name] = (stat.st_mtime_ns, stat.st_size)
    return out


def _frame_fingerprint(frame: pd.DataFrame) -> Any:
    """The table's content, hashed (None when a cell cannot be hashed: always write)."""
    try:
        hashed = int(pd.util.hash_pandas_object(frame, index=True).sum())
    except TypeError:
        return None
    return (tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes)),
            frame.index.names, len(frame), hashed)


def _idata_fingerprint(mmm: Any) -> Any:
    """The fitted model's groups and variables: names, shapes, types and array objects.

    With the model object itself (compared by identity) this tells a posterior replaced
    or extended since the last save from the one written.
    """
    idata = getattr(mmm, "idata", None)
    if idata is None:
        return None
    return (id(idata), tuple(
        (node.path, name, variable.shape, str(variable.dtype), id(getattr(variable, "_data", None)))
        for node in idata.subtree for name, variable in node.variables.items()))


def load_workflow(cls: type[Workflow], folder: Path) -> Workflow:
    """Rebuild a workflow saved by :func:`save_workflow`.

    Raises
    ------
    LoadError
        When a file is missing, unreadable, of the wrong shape or inconsistent; the
        message names the field or file. Nothing stored is executed.
    """
    from mmm_widgets.steps.data import DataStep
    from mmm_widgets.steps.fit import FitStep
    from mmm_widgets.steps.model import ModelStep
    from mmm_widgets.steps.source import Source

    state = _read_state(folder)
    steps = state["steps"]
    source = _params(folder, Source, state["source"], "source") if state["source"] else None
    data_params = _step_params(folder, steps, "data")
    model_params = _step_params(folder, steps, "model")
    fit_params = _step_params(folder, steps, "fit")
    for kind in (*JOURNEY_STEPS, *DATA_STEPS, *LATER_STEPS):
        if kind in steps:
            _step_params(folder, steps, kind)
    if data_params is not None and data_params.source != source:
        raise _damaged(folder, "the data step's source differs from the workflow's source")
    if source is not None and source.kind == "frame":
        if state["raw"] != RAW_FILE or not (folder / RAW_FILE).is_file():
            raise _damaged(folder, f"the raw table {RAW_FILE} is missing")
        workflow = cls(_read_raw(folder), name=source.name)
    else:
        workflow = cls(source=source)
    workflow.interval = state["interval"]
    for kind in JOURNEY_STEPS:
        if kind in steps:
            module = registry.spec(kind).api_module()
            with _stored_step(folder, kind):
                module.rerun(workflow, steps[kind], folder)
    if data_params is None:
        return workflow
    with _stored_step(folder, "data"):
        workflow.run_step(DataStep(data_params.replace(source=workflow.source)))
    for kind in DATA_STEPS:
        if kind in steps:
            module = registry.spec(kind).api_module()
            with _stored_step(folder, kind):
                module.rerun(workflow, steps[kind], folder)
    if model_params is None:
        return workflow
    model_step = ModelStep(model_params, workflow.data_result)
    with _stored_step(folder, "model"):
        workflow.run_step(model_step)
    if fit_params is None:
        return workflow
    if state["model"] != MODEL_FILE:
        raise _damaged(folder, f"the fitted model {MODEL_FILE} is not listed")
    mmm = _load_model(folder / MODEL_FILE, workflow.data_result, model_params)
    fit_step = FitStep(fit_params, model_step)
    with _stored_step(folder, "fit"):
        workflow.restore_step(fit_step, lambda namespace: fit_step.restore(namespace, mmm))
    if state["refresh"] is not None:
        from mmm_widgets.refresh import restored_refresh

        previous = _load_model(folder / PREVIOUS_MODEL_FILE, workflow.data_result, model_params)
        with _stored_step(folder, "refresh"):
            workflow.last_refresh = restored_refresh(workflow, previous,
                                                     state["refresh"]["added"])
    for kind in LATER_STEPS:
        if kind in steps:
            module = registry.spec(kind).api_module()
            with _stored_step(folder, kind):
                module.rerun(workflow, steps[kind], folder)
    return workflow


def _read_state(folder: Path) -> dict[str, Any]:
    path = folder / "workflow.json"
    if not path.is_file():
        raise LoadError(problem(f"No saved workflow in {str(folder)!r} (workflow.json missing).",
                                "Give the folder that wf.save(path) wrote."))
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise _damaged(folder, f"workflow.json is not valid JSON ({error})") from error
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise _damaged(folder, "workflow.json is not an mmm-widgets workflow")
    if state.get("version") != VERSION:
        raise LoadError(problem(f"The workflow was saved in format version "
                                f"{state.get('version')!r}; this mmm-widgets reads {VERSION}.",
                                "Use the mmm-widgets version that saved it."))
    unknown = sorted(str(k) for k in set(state) - _STATE_KEYS)
    if unknown:
        raise _damaged(folder, f"workflow.json has unknown entries {', '.join(unknown)}")
    steps = state.get("steps")
    if not isinstance(steps, dict):
        raise _damaged(folder, "workflow.json has no steps")
    strange = sorted(str(k) for k in steps if k not in registry.BY_KIND)
    if strange:
        raise _damaged(folder, f"workflow.json has steps of unknown kind {', '.join(strange)}")
    if state.get("source") is not None and not isinstance(state["source"], dict):
        raise _damaged(folder, "workflow.json's source should be an object")
    for key, allowed in (("raw", RAW_FILE), ("model", MODEL_FILE)):
        # Fixed names: a path here could point anywhere on the disk.
        if state.get(key) not in (None, allowed):
            raise _damaged(folder, f"workflow.json's {key!r} should be {allowed!r} or null")
    state.setdefault("source", None)
    state.setdefault("raw", None)
    state.setdefault("model", None)
    state["interval"] = _interval(folder, state.get("interval"))
    state["refresh"] = _refresh(folder, state.get("refresh"))
    return state


def _interval(folder: Path, value: Any) -> float | None:
    from mmm_widgets.settings import check_interval

    if value is None:
        return None
    try:
        return check_interval(value)
    except MMMWidgetsError as error:
        raise _damaged(folder, f"workflow.json's interval {value!r} is not a level between "
                               "0 and 1") from error


def _refresh(folder: Path, value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"added", "model"} or \
            value["model"] != PREVIOUS_MODEL_FILE or type(value["added"]) is not int or \
            value["added"] < 1:
        raise _damaged(folder, "workflow.json's refresh should be {'added': <rows>, "
                               f"'model': {PREVIOUS_MODEL_FILE!r}}}")
    return value


def _step_params(folder: Path, steps: dict[str, Any], kind: str) -> Any:
    if kind not in steps:
        return None
    params_class = registry.spec(kind).params_class()
    return _params(folder, params_class, steps[kind], f"steps.{kind}")


def _params(folder: Path, params_class: type, data: Any, where: str) -> Any:
    """Parameters rebuilt from JSON after checking every field's type."""
    from mmm_widgets.steps.base import check_plain

    try:
        check_plain(params_class, data, where)
        return params_class.from_dict(data)
    except (TypeError, ValueError, KeyError) as error:
        detail = "; ".join(str(p.what) for p in error.problems) \
            if isinstance(error, MMMWidgetsError) else str(error)
        raise _damaged(folder, f"{where} does not read back ({detail})") from error


@contextlib.contextmanager
def _stored_step(folder: Path, kind: str) -> Iterator[None]:
    """Re-raise a stored step's failure as a :class:`LoadError` saying which step."""
    try:
        yield
    except LoadError:
        raise
    except Exception as error:
        head = problem(f"The saved workflow in {str(folder)!r} cannot be loaded: its {kind} "
                       "step does not run with the stored parameters.",
                       "Load another copy, or re-run the workflow and save it again.")
        details: list[Problem] = (list(error.problems) if isinstance(error, MMMWidgetsError)
                                  else [problem(f"{type(error).__name__}: {str(error)[:300]}",
                                                "See the step's message above.")])
        raise LoadError([head, *details]) from error


def _read_raw(folder: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(folder / RAW_FILE)
    except Exception as error:  # any reader failure is a damaged file
        raise _damaged(folder, f"{RAW_FILE} cannot be read ({type(error).__name__})") from error


def _load_model(path: Path, data: DataResult, model_params: ModelParams) -> Any:
    """Open a pymc-marketing netCDF after checking what its attributes would make."""
    import xarray as xr

    if not path.is_file():
        raise _damaged(path.parent, f"the fitted model {MODEL_FILE} is missing")
    try:
        with xr.open_datatree(path) as tree:
            attrs = dict(tree.attrs)
    except Exception as error:
        raise _damaged(path.parent, f"{MODEL_FILE} cannot be read ({type(error).__name__})") \
            from error
    _check_model_attrs(attrs, path, data, model_params)
    from pymc_marketing.mmm import MMM

    try:
        return MMM.load(str(path))
    except Exception as error:
        raise _damaged(path.parent, f"{MODEL_FILE} does not load ({type(error).__name__}: "
                                    f"{str(error)[:200]})") from error


def _check_model_attrs(attrs: dict[str, Any], path: Path, data: DataResult,
                       model_params: ModelParams) -> None:
    """Reject a model file that names foreign classes or is not this workflow's model."""
    from mmm_widgets.steps import components
    from mmm_widgets.steps.model import ModelStep, model_controls

    if attrs.get("__serialization_version__") != _SERIALIZATION_VERSION:
        # Older formats are migrated by code paths this check does not vouch for.
        raise _damaged(path.parent, f"{MODEL_FILE} has an unexpected serialization version")
    parsed: dict[str, Any] = {}
    for key in _JSON_ATTRS:
        raw = attrs.get(key)
        try:
            parsed[key] = json.loads(raw) if isinstance(raw, str) else _missing(key)
        except (json.JSONDecodeError, RecursionError, _MissingAttr) as error:
            raise _damaged(path.parent, f"{MODEL_FILE} has no readable {key}") from error
    allowed = _allowed_types()
    for key, value in parsed.items():
        strange = _foreign_types(value, allowed)
        if strange:
            raise _damaged(path.parent, f"{MODEL_FILE} names an unexpected {key} class "
                                        f"{strange!r}")
    roles = data.roles
    expected = {
        "adstock": _class_path(components.adstock_class(model_params.adstock)),
        "saturation": _class_path(components.saturation_class(model_params.saturation)),
    }
    for key, class_path in expected.items():
        value = parsed[key]
        kind = value.get("__type__") if isinstance(value, dict) else None
        if kind != class_path:
            raise _damaged(path.parent, f"{MODEL_FILE} names an unexpected {key} class "
                                        f"{kind!r}")
    checks = {
        "channels": (parsed["channel_columns"], list(roles.channels)),
        "controls": (parsed["control_columns"] or [], model_controls(data, model_params)),
        "target": (attrs.get("target_column"), roles.target),
        "date column": (attrs.get("date_column"), roles.date),
        "dims": (parsed["dims"], [roles.geo] if roles.geo else []),
        "carryover window": (parsed["adstock"].get("l_max"), model_params.l_max),
        # daily data's carryover priors, restated per day (steps/daily_priors.py): a model
        # saved with pymc-marketing's per-period ones is not the one the cell builds
        "carryover priors": _carryover_priors(parsed["adstock"],
                                              ModelStep(model_params, data).restated_priors()),
        "extra effects": ((parsed["mu_effects"], parsed["time_varying_media"], parsed["dag"],
                           parsed["cost_per_unit"]), ([], False, None, None)),
    }
    for what, (found, wanted) in checks.items():
        if found != wanted:
            raise _damaged(path.parent, f"{MODEL_FILE} is not the model of this workflow "
                                        f"(its {what} {found!r} differ from {wanted!r})")


def _carryover_priors(adstock: dict[str, Any], restated: dict[str, Any]) -> Any:
    """The saved carryover's priors for those the model step restates (found, wanted)."""
    saved = adstock.get("priors") or {}
    found, wanted = {}, {}
    for name, prior in restated.items():
        parameter = name.removeprefix("adstock_")
        entry = saved.get(parameter)
        found[parameter] = ({"dist": entry.get("dist"), "kwargs": entry.get("kwargs")}
                            if isinstance(entry, dict) else entry)
        wanted[parameter] = {"dist": prior["dist"], "kwargs": prior["kwargs"]}
    return found, wanted


class _MissingAttr(Exception):
    pass


def _missing(key: str) -> Any:
    raise _MissingAttr(key)


def _class_path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _allowed_types() -> set[str]:
    """Classes a model built by this kit can name: components, scaling, the trend's GP."""
    from pymc_marketing.hsgp_kwargs import HSGPKwargs
    from pymc_marketing.mmm import scaling

    from mmm_widgets.steps import components

    names = {_class_path(components.adstock_class(n)) for n in components.ADSTOCKS}
    names |= {_class_path(components.saturation_class(n)) for n in components.SATURATIONS}
    # HSGPKwargs: the settings of the time-varying baseline, kept in the model config.
    return names | {_class_path(cls) for cls in (scaling.Scaling, scaling.DataDerivedScaling,
                                                 HSGPKwargs)}


def _foreign_types(value: Any, allowed: set[str]) -> str | None:
    """The first ``__type__`` not in ``allowed`` (or a deferred factory), else None."""
    if isinstance(value, dict):
        if value.get("__deferred__") or "factory" in value:
            return str(value.get("factory", "__deferred__"))
        kind = value.get("__type__")
        if kind is not None and kind not in allowed:
            return str(kind)
        for entry in value.values():
            found = _foreign_types(entry, allowed)
            if found:
                return found
    elif isinstance(value, list):
        for entry in value:
            found = _foreign_types(entry, allowed)
            if found:
                return found
    return None


def _damaged(folder: Path, why: str) -> LoadError:
    return LoadError(problem(f"The saved workflow in {str(folder)!r} cannot be loaded: {why}.",
                             "Load another copy, or re-run the workflow and save it again."))
