"""A geo whose amounts are written in another scale than the others' (thousands).

Panels are put together from each market's own export, and one market's finance team writes
revenue in thousands (or its agency writes spend in thousands) where the others write
units. Each geo's fit is the same in either scale, so nothing fails, but the model reads
every geo's amounts as one money: that geo's ROAS reads a thousand times off, and the
channels' ROAS over all geos counts its spend with almost none of its return (or the
reverse). :func:`geo_scale_finding` names a geo whose target over its spend is about a
thousand (or a million, a billion) times the other geos' median, or that much under it
(within :data:`~mmm_widgets.steps.money_scale.NEAR`), and whose target or spend is
:data:`APART` times or more from theirs. A market that spends little has a high ratio too:
on the 300 generated tables, two geos' ratios were 100 and 131 times the others' (one
spending 200 times less), and are not named. A geo whose own return is more than about
three times the others' may be missed in another scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.money_scale import nearest_scale
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: How far (a factor, either way) its target or its spend must be from the others' level.
APART = 100
#: Fewest geos for one to be told from the others. With two, each is as far from the
#: other: the one whose amount moved is the smaller (a scale writes fewer digits).
LEAST_GEOS = 2


def geo_scale_finding(data: pd.DataFrame, roles: Roles, table: str = "df",
                      written_target: str | None = None) -> list[Finding]:
    """Notes on geos whose target over spend is a power of ten away from the others'.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (a geo column).
    roles : Roles
        The mapping.
    table : str
        The raw table's variable, as the fix writes it.
    written_target : str, optional
        The table's target column, when the mapped target is computed from it (units times
        their value): the line rescales it.

    Returns
    -------
    list of Finding
        Kind ``"geo_scale"``, one per such geo (of two geos, the one whose amount is the
        smaller).
    """
    if not roles.geo or not roles.channels:
        return []
    sums = data.groupby(roles.geo, sort=False)[[roles.target, *roles.channels]].sum()
    levels = pd.DataFrame({"target": sums[roles.target],
                           "spend": sums[list(roles.channels)].sum(axis=1)})
    levels = levels[(levels > 0).all(axis=1)]
    if len(levels) < LEAST_GEOS:
        return []
    ratio = levels["target"] / levels["spend"]
    findings = []
    for geo, value in ratio.items():
        others = levels.drop(geo).median()
        factor = value / float(ratio.drop(geo).median())
        # a scale moves one amount's level too; a market that spends little moves neither
        # its sales nor its spend that far from the others'
        apart = np.log10(levels.loc[geo] / others)
        moved = float(apart.abs().max())
        if len(levels) == 2 and apart[apart.abs().idxmax()] > 0:
            continue  # of two geos, the other one wrote the smaller amount
        scale = nearest_scale(factor)
        if scale is None or moved < np.log10(APART):
            continue
        findings.append(_finding(geo, value, float(ratio.drop(geo).median()), scale, roles,
                                 table, written_target or roles.target))
    return findings


def geo_rows_code(table: str, column: str, geo: str) -> str:
    """The code of ``table``'s rows of one geo, its codes compared as text (as the data
    step reads geos: DMA 501 too)."""
    return f"{table}[{literal(column)}].astype(str) == {literal(geo)}"


def _finding(geo: object, value: float, others: float, scale: float, roles: Roles,
             table: str, target: str) -> Finding:
    geo = str(geo)  # as the data step reads geos: codes (DMA 501) as text too
    rows = geo_rows_code(table, roles.geo, geo)
    times = f"{scale:,.0f}" if scale >= 1 else f"1/{1 / scale:,.0f}"
    low = scale < 1
    multiplier = f"{round(1 / scale if low else scale):_}"
    target_line = (f"{table}.loc[{rows}, {target!r}] "
                   f"{'*' if low else '/'}= {multiplier}")
    spend_line = (f"{table}.loc[{rows}, {list(roles.channels)!r}] "
                  f"{'/' if low else '*'}= {multiplier}")
    written = ("its target in thousands (or its spend in units where the others' is in "
               "thousands)" if low else
               "its spend in thousands (or its target in units where the others' is in "
               "thousands)")
    return Finding(
        "geo_scale",
        f"Geo {geo!r} has {value:,.4g} of {roles.target!r} per unit of spend, {times} times "
        f"the other geos' ({others:,.4g}): {written}? The model reads every geo's amounts "
        "as one money: its ROAS would read that many times off, and the channels' ROAS "
        "over all geos would count its spend with almost none of its return (or the "
        f"reverse). If its target is in another scale: {target_line}; if its spend is: "
        f"{spend_line}.",
        (roles.target, *roles.channels))
