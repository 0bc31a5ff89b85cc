"""Geos that are the sum of other geos: a country beside its regions, named as a geo.

Exports of a country's markets often carry the country too, as a geo of its own and named
as one (``UK`` beside ``North``, ``South`` and ``West``), and reports over several
countries carry each country beside its regions (``UK`` beside ``London`` and
``Manchester``, ``FR`` beside ``Paris`` and ``Lyon``). A total called ``Total`` or ``All``
is left out as a row that is not a period, by its name (:mod:`~mmm_widgets.steps.rows`);
one named as a market is found by its values. Beside the markets it sums, it counts every
sale and every unit of spend twice: spend and contributions read twice the truth (TV's
spend 565,110 for 282,555 on a generated panel), and a budget plan spends in it as in a
market of its own.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.national import by_date_and_geo
from mmm_widgets.steps.totals import sums_of_others

#: How close a geo's target must come to the sum of its parts on every date to be their
#: total: 0.5 % of it (amounts rounded geo by geo, or to whole units from 100 up, stay
#: within it). Relative only: a table's amounts may be written in thousands.
TOTAL_TOLERANCE = 5e-3


def find_total_geos(grid: pd.DataFrame) -> dict[object, list[object]]:
    """The geos of a date x geo grid that are each the sum of other geos, and their parts.

    Found as :func:`~mmm_widgets.steps.totals.sums_of_others` finds totals of channels (at
    every level: countries beside their regions, and a grand total over them), each
    total's parts' sum within :data:`TOTAL_TOLERANCE` of it on every date.

    Parameters
    ----------
    grid : pandas.DataFrame
        One column per geo, one row per date, numbers.

    Returns
    -------
    dict
        ``{total: [its parts]}``, the parts in the grid's order.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> regions = pd.DataFrame(rng.uniform(10, 50, (8, 4)),
    ...                        columns=["London", "Leeds", "Paris", "Lyon"])
    >>> grid = regions.assign(UK=regions["London"] + regions["Leeds"],
    ...                       FR=regions["Paris"] + regions["Lyon"])
    >>> find_total_geos(grid)
    {'UK': ['London', 'Leeds'], 'FR': ['Paris', 'Lyon']}
    """
    values = grid.to_numpy(float)

    def sums(total: int, parts: list[int]) -> bool:
        return len(np.unique(values[:, total])) >= 3 and bool(np.allclose(
            values[:, total], values[:, parts].sum(axis=1), rtol=TOTAL_TOLERANCE, atol=0))

    found = sums_of_others(grid, sums)
    names = grid.columns.tolist()  # the geos as Python values (DMA codes as int)
    return {names[total]: [names[j] for j in found[total]] for total in sorted(found)}


def total_geo_problems(frame: pd.DataFrame, dates: pd.Series, target: str, geo: str,
                       channels: list[str], table: str = "df") -> list[Problem]:
    """A problem when geos are the sum of other geos' target on every date.

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table of a panel.
    dates : pandas.Series
        Its dates, parsed (aligned with ``frame``).
    target, geo : str
        The mapped target and geo columns.
    channels : list of str
        The mapped channels: the message says which are their parts' sum too.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    list of Problem
        At most one, naming the totals and their parts, with the line that leaves them
        out (or, when only their rows hold spend, keeps them).

    Examples
    --------
    >>> sales = [[10, 20, 30], [20, 20, 50], [40, 10, 30]] * 2  # N, S, W on six dates
    >>> panel = pd.DataFrame([(geo, value) for row in sales
    ...                       for geo, value in zip(["N", "S", "W", "UK"], [*row, sum(row)])],
    ...                      columns=["geo", "sales"])
    >>> found = total_geo_problems(panel, pd.Series(range(24)) // 4, "sales", "geo", [])
    >>> found[0].fix.split(" (")[0]
    "Leave it out: df = df[df['geo'] != 'UK']"
    """
    grid = by_date_and_geo(frame, target, dates, geo)
    # With two geos a "total" would equal the other geo: a twin (national_target_problems).
    if grid is None or grid.shape[1] < 3:
        return []
    found = find_total_geos(grid)
    if not found:
        return []
    # in the table's order of geos, as the user reads them
    order = {name: at for at, name in enumerate(dict.fromkeys(frame[geo]))}
    totals = {name: sorted(found[name], key=order.__getitem__)
              for name in sorted(found, key=order.__getitem__)}
    one = len(totals) == 1
    others = grid.shape[1] - len(totals)

    def of(parts: list[object]) -> str:
        return (f"the other {others} geos" if len(parts) == others
                else ", ".join(map(repr, parts)))

    summed = [c for c in channels if _sums_its_parts(frame, c, dates, geo, totals)]
    spend = f"; so does the spend of {', '.join(map(repr, summed))}" if summed else ""
    if one:
        name, parts = next(iter(totals.items()))
        said = f"Geo {name!r} holds, on every date, the target of {of(parts)} added up{spend}"
    else:
        said = (f"Geos {', '.join(map(repr, totals))} each hold, on every date, the target "
                "of other geos added up ("
                + "; ".join(f"{name!r}: {of(parts)}" for name, parts in totals.items())
                + f"){spend}")
    in_totals = frame[geo].isin(list(totals))
    return [problem(
        f"{said}: {'a total' if one else 'totals'}, not "
        f"{'a market' if one else 'markets'} of {'its' if one else 'their'} own. Beside "
        f"the geos {'it sums' if one else 'they sum'}, every sale and every unit of spend "
        "counts twice: spend and contributions read twice the truth, and a budget plan "
        f"spends in {'it' if one else 'them'} as in markets.",
        _fix(frame, geo, list(totals), channels, table), column=geo,
        rows=[f"geo {name}" for name in totals], count=int(in_totals.sum()))]


def _sums_its_parts(frame: pd.DataFrame, column: str, dates: pd.Series, geo: str,
                    totals: dict[object, list[object]]) -> bool:
    """Whether each total geo's ``column`` is its parts' sum on every date too."""
    grid = by_date_and_geo(frame, column, dates, geo)
    return grid is not None and all(
        total in grid.columns and set(parts) <= set(grid.columns)
        and np.allclose(grid[total], grid[parts].sum(axis=1), rtol=TOTAL_TOLERANCE, atol=0)
        for total, parts in totals.items())


def _fix(frame: pd.DataFrame, geo: str, totals: list[object], channels: list[str],
         table: str) -> str:
    """The line that leaves the totals out; or keeps them, when only their rows hold
    spend (the parts' rows have sales only)."""
    column, them = literal(geo), literal(totals)
    parts = frame.loc[~frame[geo].isin(totals), list(channels)]
    if channels and not parts.apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy().any():
        one = len(totals) == 1
        return (f"Only {'its' if one else 'their'} rows hold the spend: keep them, and map "
                f"them {'without a geo' if one else 'as the geos'}: {table} = "
                f"{table}[{table}[{column}].isin({them})].")
    if len(totals) == 1:
        return (f"Leave it out: {table} = {table}[{table}[{column}] != "
                f"{literal(totals[0])}] (or keep only its rows, to model the whole as one "
                "national series).")
    return f"Leave them out: {table} = {table}[~{table}[{column}].isin({them})]."
