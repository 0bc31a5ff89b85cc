"""The headless workflow: ordered steps sharing one namespace, exportable as code.

This module is the core of the :class:`Workflow` facade: sources, settings, the step
machinery, export, report and save / load. The step methods users call (map the data,
fit, diagnose, attribute, budget) live in one mixin per topic in
``mmm_widgets/api/*_methods.py``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_widgets import settings
from mmm_widgets.api.attribution_methods import AttributionMethods
from mmm_widgets.api.budget_methods import BudgetMethods
from mmm_widgets.api.data_methods import DataMethods
from mmm_widgets.api.diagnostics_methods import DiagnosticsMethods
from mmm_widgets.api.model_methods import ModelMethods
from mmm_widgets.api.names import variable_name
from mmm_widgets.api.overview_methods import OverviewMethods
from mmm_widgets.api.search_methods import SearchMethods
from mmm_widgets.codegen import CodeChunk, assemble_script, to_notebook_json
from mmm_widgets.engine.context import Context
from mmm_widgets.engine.jobs import Job
from mmm_widgets.engine.registry import (
    ALL_KINDS,
    SCREENS,
    dependents,
    requirements,
    statuses,
)
from mmm_widgets.engine.runner import Runner
from mmm_widgets.engine.shown import Shown, ShownNumbers
from mmm_widgets.errors import DataError, StepOrderError, problem
from mmm_widgets.steps.base import Step
from mmm_widgets.steps.source import (
    Source,
    file_kind,
    not_a_frame_problem,
    read_source,
    safe_name,
    settle_source,
)

# The step graph lives in the registry; these names are kept for existing imports.
STEP_ORDER = SCREENS
__all__ = ["ALL_KINDS", "STEP_ORDER", "FitJob", "Workflow", "requirements"]

Listener = Callable[[str], None]
#: A fit, holdout, fold or budget run in a worker thread (the one job protocol).
FitJob = Job


# The facade is composed of one mixin per topic (mmm_widgets.api.*_methods): they hold
# the step methods users call and go through the core below (run_step, show, step,
# status, context) for every change, so the step order, staleness and the exported code
# are kept in one place. The mixins keep no state; all of it is set in __init__.
class Workflow(DataMethods, ModelMethods, OverviewMethods, DiagnosticsMethods,
               AttributionMethods, BudgetMethods, SearchMethods):
    """An analysis from raw table to budget, one step at a time, always exportable.

    Each step turns its parameters into plain pandas / pymc-marketing code, runs that
    code in the workflow's namespace, and keeps the result; :meth:`to_script` joins the
    steps' code into a script that reproduces the same numbers in a fresh kernel.

    Parameters
    ----------
    df : pandas.DataFrame, str or Path, optional
        The raw table. Its variable name in the caller is looked up so that exported
        code refers to it; a frame from :func:`mmm_widgets.datasets.load` is exported as
        the read of its bundled CSV file. A path is read as :meth:`from_file` reads it.
    name : str, optional
        Variable name to use for ``df`` in exported code (overrides the look-up).
    source : Source, optional
        A file to read instead of ``df`` (see :meth:`from_file`).

    Examples
    --------
    >>> import mmm_widgets as mw
    >>> wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    >>> data = wf.map_data(**wf.suggest_mapping())
    >>> "import pandas as pd" in wf.to_script()
    True
    """

    def __init__(self, df: pd.DataFrame | str | Path | None = None, *, name: str | None = None,
                 source: Source | None = None):
        self._frames: dict[str, pd.DataFrame] = {}
        self._namespace: dict[str, Any] = {}
        self._steps: dict[str, Step] = {}
        self._stale: set[str] = set()
        self._listeners: list[Listener] = []
        self._interval: float | None = None
        self._shown = ShownNumbers()
        #: What the last :meth:`refresh` did (previous fit, rows added, comparison).
        self.last_refresh: Any = None
        if source is not None:
            self.source = source
        elif isinstance(df, str | Path):  # a file's path: read as from_file reads it
            self.set_file(df)
        elif df is not None:
            self.set_frame(df, name=name or variable_name(df, inspect.currentframe()))
        else:
            self.source = None

    # ----- settings ------------------------------------------------------------------
    @property
    def interval(self) -> float:
        """Level of the credible intervals this workflow's new steps compute (HDIs).

        Defaults to :func:`mmm_widgets.set_interval`'s kit-wide level (0.94); setting it
        overrides that for this workflow. Steps already run keep the level they recorded
        (their exported code has it as a literal); re-run them to change it.
        """
        return self._interval if self._interval is not None else settings.interval()

    @interval.setter
    def interval(self, prob: float | None) -> None:
        self._interval = None if prob is None else settings.check_interval(prob)

    def _level(self, prob: float | None) -> float:
        """``prob`` checked, or :attr:`interval` when it is None."""
        return self.interval if prob is None else settings.check_interval(prob)

    # ----- sources -------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | Path, **read_options: Any) -> Workflow:
        """A workflow whose data is read from a CSV, Excel, Parquet or JSON file.

        Parameters
        ----------
        path : str or Path
            A text file of values (``.csv``, ``.tsv``, ``.txt``, compressed too:
            ``.csv.gz``), a workbook (``.xlsx``, ``.xlsm``, ``.xls``), a Parquet file
            (``.parquet``) or JSON (``.json``, ``.jsonl``): see
            :func:`mmm_widgets.steps.source.file_kind`.
        **read_options
            Keyword arguments for its pandas reader (``pd.read_csv``, ``pd.read_excel``,
            ``pd.read_parquet``, ``pd.read_json``; e.g. ``sep=';'``, ``decimal=','``,
            ``skiprows=2``); they are repeated in exported code.
        """
        workflow = cls()
        workflow.set_file(path, **read_options)
        return workflow

    def set_frame(self, df: pd.DataFrame, name: str = "df") -> None:
        """Use ``df`` (bound to ``name`` in exported code) as the raw table.

        ``name`` must be an identifier that exported code does not bind itself (not
        ``data``, ``X``, ``mmm``, ``pd``...); otherwise ``"df"`` is used.

        A frame loaded with :func:`mmm_widgets.datasets.load` and left unchanged is
        exported as the read of its bundled CSV, so the exported code runs anywhere
        the package's data file is.
        """
        from mmm_widgets.datasets.bundled import source_of

        unusable = not_a_frame_problem(df)
        if unusable is not None:
            raise DataError(unusable)
        # A name exported code cannot bind (not an identifier, a keyword, or a name the
        # exported cells use themselves) falls back to "df" rather than failing.
        name = safe_name(name)
        self.source = source_of(df, name) or Source(kind="frame", name=name)
        self._frames = {name: df}
        self._invalidate_from("data")

    def set_file(self, path: str | Path, **read_options: Any) -> None:
        """Read the raw table from a file (see :meth:`from_file`; options repeat in exported code).

        A file that does not read as a table with the options given (another encoding or
        separator, a title above the header, decimal commas, a header over two rows) is
        read with the options that read it, added to those given; ``source.note`` says
        which and why (:func:`mmm_widgets.steps.source.settle_source`).
        """
        source = Source(kind=file_kind(path), name="df", path=str(path), read_options=read_options)
        self.source, frame = settle_source(source)
        self._frames = {}
        if frame is not None:
            self._raw_cache = (self.source, frame)
        self._invalidate_from("data")

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        """The user's DataFrames exported code reads, by variable name (a copy of the map)."""
        return dict(self._frames)

    def add_frame(self, name: str, frame: pd.DataFrame) -> None:
        """Make ``frame`` readable by the steps' code as ``name`` (new periods of a refresh).

        Nothing is re-run; the caller runs the step whose code reads it.
        """
        self._frames[name] = frame

    @property
    def raw(self) -> pd.DataFrame | None:
        """The raw table as loaded from the source (None before one is set)."""
        if self.source is None:
            return None
        if self.source.kind == "frame":
            return self._frames.get(self.source.name)
        cached_source, frame = getattr(self, "_raw_cache", (None, None))
        if cached_source != self.source:
            frame = read_source(self.source)
            self._raw_cache = (self.source, frame)
        return frame

    # ----- snapshots -----------------------------------------------------------------
    def snapshot(self) -> tuple:
        """The workflow's state, for :meth:`restore` after a failed multi-step change."""
        return (dict(self._frames), self.source, dict(self._steps), set(self._stale),
                dict(self._namespace), self._shown.copy())

    def restore(self, state: tuple) -> None:
        """Go back to a :meth:`snapshot`."""
        frames, self.source, steps, stale, namespace, shown = state
        self._frames, self._steps, self._stale, self._namespace = (
            dict(frames), dict(steps), set(stale), dict(namespace))
        self._shown = shown.copy()
        for kind in self._steps:
            self._notify(kind)

    # ----- report -------------------------------------------------------------------
    def report(self, path: str | Path, title: str = "Marketing mix report") -> Path:
        """Write a standalone HTML report (opens offline) of every step done so far.

        Sections: overview (headline numbers, channels, trend; profit at the overview's
        margin), data summary, diagnostics verdict, contributions and ROAS with HDIs,
        attribution comparison, budget scenarios.
        """
        from mmm_widgets.report import write_report

        return write_report(self, path, title)

    # ----- save / load --------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save mapping, configuration and fitted model to the folder ``path``.

        Writes ``workflow.json`` (parameters of every step), ``raw.parquet`` (the raw
        table, when it came from a DataFrame) and ``model.nc`` (pymc-marketing's
        netCDF). No pickle: loading never executes stored code.
        """
        from mmm_widgets.persist import save_workflow

        return save_workflow(self, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> Workflow:
        """Load a workflow saved with :meth:`save`; every later step works on it."""
        from mmm_widgets.persist import load_workflow

        return load_workflow(cls, Path(path))

    # ----- steps --------------------------------------------------------------------
    def run_step(self, step: Step) -> Any:
        """Run ``step`` and make it the current step of its kind.

        Steps after it are kept but marked stale. On failure nothing changes.

        Parameters
        ----------
        step : Step
            A step whose ``requires`` are done.

        Returns
        -------
        object
            The step's result.
        """
        for needed in step.requires:
            if needed not in self._steps or needed in self._stale:
                raise StepOrderError(problem(
                    f"{step.title} needs the {needed} step first.",
                    f"Complete the {needed} step (it is missing or out of date)."))
        return self.restore_step(step, step.run)

    def restore_step(self, step: Step, restore: Callable[[dict[str, Any]], Any]) -> Any:
        """Make ``step`` current with the result of ``restore(namespace)``.

        :meth:`run_step` passes ``step.run``; loading a saved workflow passes a function
        that reads the fitted model from disk instead of refitting.
        """
        namespace = self._namespace_for_run()
        result = restore(namespace)
        self._namespace = namespace
        self._steps[step.kind] = step
        self._stale.discard(step.kind)
        self._shown.changed(step.kind)
        self._invalidate_after(step.kind)
        self._notify(step.kind)
        return result

    def step(self, kind: str) -> Step:
        """The current step of ``kind`` (``"data"``, ``"model"``, ...)."""
        if kind not in self._steps:
            raise StepOrderError(problem(f"The {kind} step has not been done yet.",
                                         f"Run the {kind} step first."))
        return self._steps[kind]

    @property
    def steps(self) -> list[Step]:
        """Steps done so far, in workflow order."""
        return [self._steps[k] for k in ALL_KINDS if k in self._steps]

    def status(self, kind: str) -> str:
        """``"done"``, ``"stale"`` (an earlier step changed), ``"ready"`` or ``"blocked"``."""
        return statuses(self._steps, self._stale)[kind]

    def context(self) -> Context:
        """A read-only view of the steps' parameters, results, statuses and namespace.

        What steps and the per-topic helpers read instead of the workflow itself; its
        :meth:`~mmm_widgets.engine.context.Context.namespace` is a copy to run code in.
        """
        return Context.of(self._steps, self._stale, self.interval, self._namespace_for_run())

    def observe(self, listener: Listener) -> None:
        """Call ``listener(kind)`` whenever a step of ``kind`` is (re)run or goes stale."""
        self._listeners.append(listener)

    def _namespace_for_run(self) -> dict[str, Any]:
        namespace = dict(self._namespace)
        namespace.update(self._frames)
        return namespace

    def _invalidate_after(self, kind: str) -> None:
        self._stale.update(k for k in dependents(kind) if k in self._steps)

    def _invalidate_from(self, kind: str) -> None:
        self._shown.changed(kind)
        for k in (kind, *dependents(kind)):
            if k in self._steps:
                self._stale.add(k)
                self._notify(k)

    def _notify(self, kind: str) -> None:
        for listener in list(self._listeners):
            listener(kind)

    def _require_source(self) -> Source:
        if self.source is None:
            raise StepOrderError(problem("No data has been given to the workflow.",
                                         "Pass a DataFrame: mw.Workflow(df), or use "
                                         "mw.Workflow.from_file(path)."))
        return self.source

    def _require_raw(self) -> pd.DataFrame:
        self._require_source()
        return self.raw

    # ----- export -------------------------------------------------------------------
    def chunks(self) -> list[CodeChunk]:
        """The code of every step done so far, in order, with the numbers shown besides.

        The code behind a number shown outside a step (:meth:`prior_check`,
        :meth:`response_curves`) follows the cell of the step it ran after, or every
        step's; it is dropped once a step it read is re-run.
        """
        chunks: list[CodeChunk] = []
        for step in self.steps:
            chunks.append(step.code())
            chunks.extend(self._shown.after(step.kind))
        return [*chunks, *self._shown.after(None)]

    def show(self, shown: Shown, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
        """Compute a number that is not a step: run its chunk, then keep it for the export.

        Parameters
        ----------
        shown : Shown
            The chunk, the steps it reads and the step whose cell it follows.
        namespace : dict, optional
            Where it runs (copied first); by default the workflow's own namespace.

        Returns
        -------
        dict
            The namespace after the chunk ran (the workflow's is unchanged).

        Raises
        ------
        StepOrderError
            When a step it reads is not done or out of date.
        """
        for needed in shown.depends:
            if self.status(needed) != "done":
                raise StepOrderError(problem(
                    f"{shown.chunk.title} needs the {needed} step first.",
                    f"Complete the {needed} step (it is missing or out of date)."))
        trial = Runner().run([shown.chunk],
                             namespace if namespace is not None else self._namespace_for_run())
        self._shown.record(shown)
        return trial

    def step_code(self, kind: str) -> str:
        """The exported cell of one step: its imports and code, then the code of the numbers
        shown on its namespace (e.g. the model's prior check), each as in :meth:`chunks`."""
        cells = [self.step(kind).code().cell(), *(c.cell() for c in self._shown.after(kind))]
        return "\n\n".join(cells)

    def to_script(self) -> str:
        """A Python script of every step done so far.

        Run in a fresh interpreter (after defining the source DataFrame when the
        workflow was given one), it rebuilds the same data and results.
        """
        header = "mmm-widgets workflow, exported as plain pandas / pymc-marketing code"
        script = assemble_script(self.chunks(), header=header)
        given = [n for n in self._frames
                 if self.source is None or self.source.kind == "frame" or n != self.source.name]
        if given:
            listed = ", ".join(f"`{n}`" for n in given)
            note = (f"# Expects the DataFrame{'s' if len(given) > 1 else ''} {listed} you "
                    "gave the workflow to be defined.\n")
            script = note + script
        return script

    def to_notebook(self, path: str | Path) -> Path:
        """Write an .ipynb with one markdown and one code cell per step.

        Parameters
        ----------
        path : str or Path
            Where to write the notebook.

        Returns
        -------
        Path
            The written file.
        """
        from mmm_widgets.output_paths import file_to_write

        path = file_to_write(path, "a notebook", "analysis.ipynb")
        notebook = to_notebook_json(self.chunks())
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")
        return path
