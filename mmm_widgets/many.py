"""One specification fitted to many tables (brands, markets) as Dask tasks: :func:`fit_many`.

Each table is one task: a :class:`~mmm_widgets.workflow.Workflow` maps, configures and
fits it on a worker and returns its channel summary and exported script, so every number
in the combined table comes from a script that reproduces it without mmm_widgets. The
workers import mmm_widgets: on a cluster of your own, install it on the workers too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from mmm_widgets.errors import DataError, FitError, problem

#: Settings that go to ``configure_model``; the rest go to ``fit``.
MODEL_SETTINGS = ("adstock", "saturation", "l_max", "yearly_seasonality",
                  "time_varying_intercept", "priors", "weekday_effects")


def fit_one(name: str, table: pd.DataFrame, roles: Mapping[str, Any] | None,
            model: Mapping[str, Any], fit: Mapping[str, Any]) -> tuple[pd.DataFrame, str]:
    """Map, configure and fit one table; return its channel summary and its script.

    Roles left out are the suggested ones (:meth:`Workflow.suggest_mapping`). The script
    reads the table from a variable ``table_<name>`` (non-word characters as ``_``).
    """
    from mmm_widgets.workflow import Workflow

    workflow = Workflow(table, name="table_" + re.sub(r"\W", "_", name))
    mapping = {**workflow.suggest_mapping(), **(roles or {})}
    missing = [role for role in ("date", "target", "channels") if not mapping.get(role)]
    if missing:
        raise DataError(problem(f"Table {name!r}: no column was recognised as the "
                                f"{' or '.join(missing)}.",
                                f"Pass roles={{{', '.join(repr(r) + ': ...' for r in missing)}}} "
                                "to fit_many, naming the columns."))
    workflow.map_data(**{role: value for role, value in mapping.items() if value is not None})
    workflow.configure_model(**model)
    workflow.fit(**fit)
    return workflow.channel_summary(), workflow.to_script()


def fit_many(tables: Mapping[str, pd.DataFrame], *, client: Any = None,
             roles: Mapping[str, Any] | None = None, workers: int | None = None,
             **settings: Any) -> pd.DataFrame:
    """Fit one model specification to each table, in parallel on a Dask cluster.

    Parameters
    ----------
    tables : dict
        Name (a brand, a market) -> raw table.
    client : distributed.Client, optional
        The cluster to run on (its workers need mmm_widgets and pymc-marketing);
        default: the kit's local cluster of one process per CPU.
    roles : dict, optional
        ``date``, ``target``, ``channels``, ``controls``, ``geo`` shared by the tables;
        each left out is suggested per table.
    workers : int, optional
        Processes of the local cluster (ignored with ``client``).
    **settings
        ``configure_model`` settings (:data:`MODEL_SETTINGS`) and ``fit`` settings
        (``method``, ``draws``, ``tune``, ``chains``, ``random_seed``, ...).

    Returns
    -------
    pandas.DataFrame
        The channel summaries, indexed by ``name`` and ``channel``. ``attrs["scripts"]``
        holds each table's exported script; ``attrs["errors"]`` each failed table's
        error (the others are kept).

    Raises
    ------
    DataError
        When ``tables`` is empty or not a mapping of names to DataFrames.
    FitError
        When every table failed.
    """
    from mmm_widgets.engine.cluster import local_client

    if not isinstance(tables, Mapping) or not tables or not all(
            isinstance(frame, pd.DataFrame) for frame in tables.values()):
        raise DataError(problem("fit_many needs a dict of names to DataFrames.",
                                "e.g. mw.fit_many({'brand_a': df_a, 'brand_b': df_b})."))
    model = {key: value for key, value in settings.items() if key in MODEL_SETTINGS}
    fit = {key: value for key, value in settings.items() if key not in MODEL_SETTINGS}
    client = client if client is not None else local_client(workers)
    futures = {name: client.submit(fit_one, str(name), frame, roles, model, fit, pure=False)
               for name, frame in tables.items()}
    summaries, scripts, errors = {}, {}, {}
    for name, future in futures.items():
        try:
            summaries[name], scripts[name] = future.result()
        except Exception as error:  # one table's failure does not sink the others
            errors[name] = f"{type(error).__name__}: {error}"
    if not summaries:
        raise FitError(problem(f"No table could be fitted: {errors}",
                               "Fix the first table's error and run again."))
    combined = pd.concat(summaries, names=["name"])
    combined.attrs["scripts"] = scripts
    combined.attrs["errors"] = errors
    return combined
