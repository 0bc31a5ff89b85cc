"""The model search (issue #20): many specifications, scored out of sample, on Dask.

Candidates. A grid over the model step's adstock, saturation, carryover length and
seasonality order (:func:`~.params.expand_grid`, scikit-learn's ``ParameterGrid``);
without one, a dozen around the current model (:func:`~.params.default_grid`).

Scores. Each candidate is refit on the periods before each of ``folds`` rolling windows
(pymc-marketing's ``TimeSliceCrossValidator``) and scored on its forecast of the window:
CRPS and MAPE; stability is how much each channel's ROAS (with carryover, as in the fit
table) moves across the folds; ELPD-LOO with ``method="mcmc"``.

Scale-out. Each (candidate, fold) is a task on a Dask cluster: the user's client, else a
local cluster of one process per CPU (:mod:`mmm_widgets.engine.cluster`). Dask reruns the
task of a worker that died; a task that raises is reported with its error and the rest
go on.

Modules: :mod:`.params` (parameters, grid, result), :mod:`.cell` (the exported code),
:mod:`.progress` (task counts and cancel) and :mod:`.step` (:class:`SearchStep`).
"""

from __future__ import annotations

from mmm_widgets.steps.search.params import (
    GRID_KEYS,
    RANKED_COLUMNS,
    Candidate,
    SearchParams,
    SearchResult,
    default_grid,
    expand_grid,
)
from mmm_widgets.steps.search.progress import SearchMonitor, SearchProgress
from mmm_widgets.steps.search.step import SearchStep

__all__ = ["GRID_KEYS", "RANKED_COLUMNS", "Candidate", "SearchMonitor", "SearchParams",
           "SearchProgress", "SearchResult", "SearchStep", "default_grid", "expand_grid"]
