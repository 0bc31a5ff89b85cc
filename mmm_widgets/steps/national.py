"""National figures written on every geo's row of a panel.

Geo panels are often joined together from national and regional sources: national TV's
spend, or the company's total sales, lands on each geo's row as it is. Modelled by the
geo, a national spend written N times counts N times: each channel's ROAS is its
contribution over N times what was spent, N times too low. (Budget plans hold the split
of a channel bought nationally over the geos, as it is or split by a key:
:mod:`mmm_widgets.steps.budget.held`.) A national target written N times is worse: each
geo's spend is credited with the whole nation's sales. :func:`same_in_every_geo` finds
such columns from their values (whatever their names); :func:`national_target_problems`
names a target written so (or one geo's target written under two names), and
:func:`national_spend_message` says what channels written so mean, with the line that
splits their spend by each geo's share of the target (of the population, when
:func:`population_column` finds one). :func:`national_channels` finds the channels bought
nationally as budget plans see them: written as they are, or split by a fixed key.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.coarse_target import aggregation
from mmm_widgets.steps.names import POPULATION

#: Fewest dates the geos must share, and fewest distinct values a column must take over
#: them, before equal values across geos say anything: a column that is 0 on all but a
#: date or two is the same everywhere by chance.
_LEAST_DATES = 6
_LEAST_VALUES = 3


def by_date_and_geo(frame: pd.DataFrame, column: str, dates: pd.Series,
                    geo: str) -> pd.DataFrame | None:
    """The column as a date x geo grid of numbers, dates every geo has; None when the
    panel has one geo, a date and geo on two rows, or too few dates."""
    values = pd.to_numeric(frame[column], errors="coerce")
    keys = pd.DataFrame({"date": dates.to_numpy(), "geo": frame[geo].to_numpy(),
                         "value": values.to_numpy()})
    if keys["geo"].nunique() < 2 or keys.duplicated(subset=["date", "geo"]).any():
        return None
    grid = keys.pivot(index="date", columns="geo", values="value").dropna()
    return grid if len(grid) >= _LEAST_DATES else None


def same_in_every_geo(frame: pd.DataFrame, columns: list[str], dates: pd.Series,
                      geo: str) -> list[str]:
    """The columns among ``columns`` that hold one value per date, the same in every geo.

    Parameters
    ----------
    frame : pandas.DataFrame
        A geo panel: one row per date and geo.
    columns : list of str
        Numeric columns (amounts written as text are read as missing and left out).
    dates : pandas.Series
        The rows' dates, parsed (aligned with ``frame``).
    geo : str
        The geo column.

    Returns
    -------
    list of str
        In the order of ``columns``; only columns that take at least three values over
        at least six dates every geo has, so that equal values are not chance.

    Examples
    --------
    >>> panel = pd.DataFrame({"geo": ["N", "S"] * 6,
    ...                       "tv": [10.0, 10.0, 0.0, 0.0, 30.0, 30.0] * 2,
    ...                       "search": [5.0, 7.0, 1.0, 2.0, 4.0, 3.0] * 2})
    >>> same_in_every_geo(panel, ["tv", "search"], pd.Series(range(12)) // 2, "geo")
    ['tv']
    """
    geos = frame[geo].nunique()
    keys = pd.DataFrame({"date": dates.to_numpy(), "geo": frame[geo].to_numpy()})
    if not columns or geos < 2 or keys.duplicated().any():
        return []
    values = frame[list(columns)].apply(pd.to_numeric, errors="coerce")
    values.index = keys["date"].to_numpy()
    # one groupby for every column; per column, the dates every geo has a value on
    by_date = values.groupby(level=0)
    full = by_date.count() == geos
    equal = by_date.max() == by_date.min()
    firsts = by_date.first()
    return [column for column in columns
            if full[column].sum() >= _LEAST_DATES and equal.loc[full[column], column].all()
            and firsts.loc[full[column], column].nunique() >= _LEAST_VALUES]


def national_target_problems(frame: pd.DataFrame, dates: pd.Series, target: str,
                             geo: str, date: str, channels: list[str],
                             controls: tuple[str, ...] = (),
                             text_controls: tuple[str, ...] = (),
                             table: str = "df") -> list[Problem]:
    """A problem when the target is the same in every geo on every date, or in some
    geos (one geo's figures written under two names).

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table of a panel.
    dates : pandas.Series
        Its dates, parsed (aligned with ``frame``).
    target, geo, date : str
        The mapped target, geo and date columns.
    channels : list of str
        The mapped channels: the fix sums them over the geos, but takes once those
        written the same on every geo's row.
    controls : tuple of str
        The mapped controls: averaged over the geos by the fix, but for those among
        ``text_controls`` (categories) and those the same everywhere, taken once.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    list of Problem
    """
    grid = by_date_and_geo(frame, target, dates, geo)
    if grid is None:
        return []
    twins = grid.loc[:, grid.T.duplicated(keep=False).to_numpy()]
    twins = twins.loc[:, twins.nunique() >= _LEAST_VALUES]
    if twins.empty:
        return []
    if twins.shape[1] == grid.shape[1]:
        how = aggregation(target, channels, controls, text_controls, frozenset(
            same_in_every_geo(frame, [*channels, *controls], dates, geo)))
        return [problem(
            f"The target is the same in every geo on every date ({grid.shape[1]} geos): a "
            "national figure written on each geo's row. Modelled by the geo, each geo's "
            "spend is credited with the whole nation's sales, and the sales count once per "
            "geo: every channel's ROAS reads too high.",
            "Map each geo's own figures if the table has them; if not, model the nation: "
            f"{table} = {table}.groupby({literal(date)}, as_index=False).agg({literal(how)}) "
            "(spend "
            "summed over the geos; a spend the same on every geo's row taken once, as the "
            "target).", column=target)]
    groups: dict[tuple, list] = {}
    for name in twins.columns:
        groups.setdefault(tuple(twins[name]), []).append(name)
    named = "; ".join(" and ".join(map(repr, group)) for group in groups.values())
    copies = [name for group in groups.values() for name in group[1:]]
    kept = [name for name in grid.columns if name not in copies]
    return [problem(
        f"Geos {named} have the same target on every date: one geo's figures written under "
        "two names. Mapped as they are, the same sales count twice, credited to each "
        "geo's spend.",
        "Fill in each geo's own figures, or keep one of each: "
        f"{table} = {table}[{table}[{literal(geo)}].isin({literal(kept)})].", column=target,
        rows=[f"geo {g}" for g in copies], count=len(copies))]



#: Largest change of a geo's share of a channel's spend from one date to another for the
#: split to count as fixed: 0.1 percentage point (a national amount split by a key and
#: rounded to cents moves its shares by far less; a channel bought geo by geo by far more).
SHARE_TOLERANCE = 1e-3
#: Dates with spend a channel needs before its split is read as fixed.
MIN_DATES = 4


def national_channels(frame: pd.DataFrame, date: str, geo: str,
                      channels: Iterable[str]) -> tuple[str, ...]:
    """The channels whose split over the geos is the same on every date they spent.

    Parameters
    ----------
    frame : pandas.DataFrame
        The mapped geo panel: one row per (date, geo).
    date, geo : str
        Its date and geo columns.
    channels : iterable of str
        The channels to look at.

    Returns
    -------
    tuple of str
        In the order given.
    """
    found = []
    for channel in channels:
        spend = frame.pivot_table(index=date, columns=geo, values=channel, aggfunc="sum",
                                  fill_value=0.0)
        totals = spend.sum(axis=1)
        spent = spend[totals > 0]
        if len(spent) < MIN_DATES or int((spent > 0).any().sum()) < 2:
            continue
        shares = spent.div(totals[totals > 0], axis=0)
        if float((shares - shares.mean()).abs().to_numpy().max()) <= SHARE_TOLERANCE:
            found.append(str(channel))
    return tuple(found)


def population_column(columns: Iterable[object], frame: pd.DataFrame | None = None
                      ) -> str | None:
    """The first column named like a geo's population (``population``, ``Pop``,
    ``inhabitants``) whose values are positive numbers in ``frame`` (when given)."""
    for column in columns:
        if not POPULATION.match(str(column)):
            continue
        if frame is None:
            return str(column)
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.notna().all() and (values > 0).all():
            return str(column)
    return None


def national_spend_message(national: list[str], geos: int, target: str, geo: str,
                           table: str = "df", population: str | None = None,
                           date: str | None = None) -> str:
    """What to say of channels written the same on every geo's row.

    Parameters
    ----------
    national : list of str
        The channels (:func:`same_in_every_geo`).
    geos : int
        How many geos the panel has.
    target, geo : str
        The mapped target and geo columns.
    table : str
        The raw table's variable, as the fix writes it.
    population : str, optional
        A column of each geo's population (:func:`population_column`): the split is by
        its share of each date's total, as Meridian splits national media. Needs ``date``.
    date : str, optional
        The date column.

    Returns
    -------
    str
        What it means, and the line that splits their spend by each geo's share of the
        population, or else of the target.
    """
    named = ", ".join(map(repr, national))
    if population is not None and date is not None:
        basis = f"population ({population!r})"
        share = (f"{table}[{literal(population)}] / {table}.groupby({literal(date)})"
                 f"[{literal(population)}].transform('sum')")
    else:
        basis = "target (or of its population)"
        share = (f"{table}.groupby({literal(geo)})[{literal(target)}].transform('sum') / "
                 f"{table}[{literal(target)}].sum()")
    return (
        f"{named} {'is' if len(national) == 1 else 'are'} the same in every geo on every "
        f"date: national spend written on each of the {geos} geos' rows? Then its spend "
        f"counts {geos} times and its ROAS reads {geos} times too low. If so, split it by "
        f"each geo's share of the {basis} before mapping: "
        f"{table}[{literal(national)}] = {table}[{literal(national)}]"
        f".mul({share}, axis=0). If each geo spent this amount, leave it as it is. Either "
        "way a budget plan keeps its split over the geos and moves its total only "
        "(held_split=[] in optimize_budget, or 'bought nationally' unticked in the budget "
        "panel, lets it move between geos).")
