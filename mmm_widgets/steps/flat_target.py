"""A target that never moves: over the whole table, or in one geo of a panel.

A media mix model explains how the target moves with spend. A target that is the same on
every row (a column of zeros mapped by mistake, a KPI the export left empty as 0) gives it
nothing to explain: the fit runs and reports every channel's ROAS as 0. In a geo panel,
one geo whose target is 0 on every date (a market whose sales were never loaded, a store
that closed) is worse, because it looks like data: its spend enters the model as spend
that sold nothing, and pulls every channel's ROAS down. (A generated panel of three geos,
two selling 2 and 3 per unit of spend and one all zero, gave ROAS of 1.5 and 1.7 against
2.0 and 3.1 without it.) Both are named with what to do, before the model is built.
"""

from __future__ import annotations

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem


def _level(value: float) -> str:
    return "0" if value == 0 else f"{value:g}"


def flat_target_problems(frame: pd.DataFrame, target: str,
                         geo: str | None = None, table: str = "df") -> list[Problem]:
    """One problem when the target never moves, or one naming the geos where it does not.

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table, rows without a target at either end left out.
    target : str
        The target column (present once).
    geo : str, optional
        The geo column of a panel (present once, no geo missing).
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    list of Problem
        Empty when the target moves everywhere, or when it is not all numbers (other
        checks name that).
    """
    values = pd.to_numeric(frame[target], errors="coerce")
    if len(values) < 2 or values.isna().any():
        return []
    if values.min() == values.max():
        return [problem(
            f"The target is {_level(float(values.iloc[0]))} on every row: there is no "
            "movement for the model to explain, and every channel would get no credit.",
            "Map the column that holds the outcome (sales, revenue, conversions).",
            column=target)]
    if geo is None:
        return []
    spread = values.groupby(frame[geo], sort=True).agg(["min", "max", "size"])
    flat = spread[(spread["min"] == spread["max"]) & (spread["size"] > 1)]
    if flat.empty:
        return []
    geos = flat.index.tolist()
    named = ", ".join(f"{name!r} ({_level(float(level))})" for name, level in
                      zip(geos, flat["min"], strict=True))
    return [problem(
        f"The target never moves in {named}, while it does in the other geos: a geo "
        "whose sales were not recorded, whose spend the model would read as spend that "
        "sold nothing (every channel's ROAS pulled down).",
        f"Leave it out: {table} = {table}[~{table}[{literal(geo)}].isin({literal(geos)})]; "
        "or fill "
        "in its target.", column=target, rows=[f"geo {name}" for name in geos],
        count=len(geos))]
