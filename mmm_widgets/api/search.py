"""The model search as a workflow sees it: build the step from the workflow, run it, reload.

:meth:`Workflow.search <mmm_widgets.api.search_methods.SearchMethods.search>` delegates
here; the step (:mod:`mmm_widgets.steps.search`) never sees the workflow. ``save_extra``
and ``rerun`` are the hooks :mod:`mmm_widgets.persist` calls: a saved search is read
back from its tables, not run again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mmm_widgets.errors import ModelError, problem
from mmm_widgets.steps.holdout import default_window
from mmm_widgets.steps.search import (
    GRID_KEYS,
    SearchMonitor,
    SearchParams,
    SearchResult,
    SearchStep,
    default_grid,
    expand_grid,
)

if TYPE_CHECKING:
    # Type hints only: importing the workflow at run time would close a cycle.
    from mmm_widgets.workflow import Workflow

RANKED_FILE = "search_ranked.parquet"
SCORES_FILE = "search_scores.parquet"
FAILURES_FILE = "search_failures.parquet"


def search_params(workflow: Workflow, grid: Mapping[str, Sequence[Any]] | None = None, *,
                  folds: int = 3, horizon: int | None = None, method: str = "map",
                  random_seed: int = 1, workers: int | None = None, draws: int = 300,
                  tune: int = 300, chains: int = 2) -> SearchParams:
    """:class:`SearchParams` from :meth:`Workflow.search`'s arguments.

    The candidates vary the current model (default settings before any model is
    configured).

    Raises
    ------
    ModelError
        A grid that is not a mapping of the known settings, naming the unknown ones.
    """
    from mmm_widgets.steps.model import default_params

    base = (workflow.step("model").params if workflow.status("model") in ("done", "stale")
            else default_params(workflow.data_result))
    periods = workflow.data_result.periods
    if grid is None:
        grid = default_grid(base, periods)
    if not isinstance(grid, Mapping):
        raise ModelError(problem(f"grid must be a dict of settings to lists, not {grid!r}.",
                                 "e.g. grid={'adstock': ['geometric', 'delayed'], "
                                 "'l_max': [4, 8]}."))
    unknown = sorted(str(key) for key in grid if key not in GRID_KEYS)
    if unknown:
        raise ModelError(problem(f"The grid has settings the search cannot vary: "
                                 f"{', '.join(unknown)}.",
                                 f"Use {', '.join(GRID_KEYS)}."))
    candidates = expand_grid(grid, base)
    if horizon is None:
        horizon = default_window(periods, max(c.l_max for c in candidates),
                                 workflow.quarter_periods,
                                 folds if isinstance(folds, int) else 1)
    return SearchParams(base=base, candidates=candidates, folds=folds,
                        horizon=horizon, method=method, draws=draws, tune=tune,
                        chains=chains, random_seed=random_seed, workers=workers)


def run_search(workflow: Workflow, params: SearchParams, client: Any = None,
               monitor: SearchMonitor | None = None) -> SearchResult:
    """Run the search step and make it the workflow's current search."""
    return workflow.run_step(SearchStep(params, workflow.data_result, client, monitor))


def save_extra(workflow: Workflow, folder: Path) -> None:
    """Store the ranked table, the per-fold scores and the failures."""
    result: SearchResult = workflow.step("search").result
    folder = Path(folder)
    result.ranked.to_parquet(folder / RANKED_FILE)
    result.scores.to_parquet(folder / SCORES_FILE)
    result.failures.to_parquet(folder / FAILURES_FILE)


def rerun(workflow: Workflow, params: dict[str, Any], folder: Path) -> None:
    """Restore a loaded workflow's search from its stored tables (no refit).

    Without the tables (saved by hand, or deleted) the search runs again.
    """
    restored = SearchParams.from_dict(params)
    step = SearchStep(restored, workflow.data_result)
    folder = Path(folder)
    files = [folder / name for name in (RANKED_FILE, SCORES_FILE, FAILURES_FILE)]
    if not all(path.is_file() for path in files):
        workflow.run_step(step)
        return
    step.validate({})
    ranked, scores, failures = (pd.read_parquet(path) for path in files)
    if len(ranked) != len(restored.candidates):
        raise ValueError(f"{RANKED_FILE} has {len(ranked)} rows for "
                         f"{len(restored.candidates)} candidates")

    def restore(namespace: dict[str, Any]) -> SearchResult:
        step.result = SearchResult(ranked, scores, failures, restored.candidates)
        return step.result

    workflow.restore_step(step, restore)
