"""Weeks dated by two weekdays: tables joined that each date a week their own way.

Ad platforms, shops and finance systems date a week by its Monday, by its Sunday or by its
last day. Rows put together from two of them fall on two weekdays, a day (or six) apart:
an export appended to another, a market whose feed dates its weeks by Sunday, a
platform's spend joined onto the sales on their dates. Read as they are, such dates break
the weekly sequence: the date checks saw a daily sequence with most days missing, or
weekdays only, and named hundreds of gaps that were not there.

:func:`mixed_weekdays_problem` finds weekly dates on two or three weekdays that, each
weekday moved by a fixed number of days to the most common one, make one regular weekly
sequence in every geo, and names them with the line that dates every week by that
weekday. When the moved rows meet rows of the same week whose empty cells they fill (an
outer join on the dates), it adds the line that joins each week's rows into one.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.repeated_rows import joined_rows_code

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Most weekdays weekly dates are read on: more are days, not weeks.
_MOST_WEEKDAYS = 3
#: Share of a geo's weeks that may be missing once the dates are moved (gaps of their
#: own are named by the date checks after the fix).
_MOST_MISSING = 0.1
#: Dates named in the problem; its count gives the rest.
_LISTED = 50


@dataclass(frozen=True)
class WeekdayShift:
    """How to date every week by one weekday.

    Attributes
    ----------
    weekday : int
        The weekday most rows fall on (0 is Monday), which every date moves to.
    days : dict of int to int
        Days added to a date by its weekday (0 for ``weekday`` itself).
    join : str or None
        How the rows of a week (and geo) are joined into one, when moved rows meet rows
        of the same week: ``"first"`` when each fills the other's empty cells (an outer
        join on the dates), ``"sum"`` when each holds 0 where the other holds a number
        (the same, its empty cells filled with 0: numbers are summed, text is the first);
        None when no rows meet.
    """

    weekday: int
    days: dict[int, int]
    join: str | None


def find_weekday_shift(dates: pd.Series, geos: pd.Series | None, values: pd.DataFrame,
                       summed: Sequence[str] = ()) -> WeekdayShift | None:
    """The shift that makes weekly dates on two or three weekdays one weekly sequence.

    Each weekday but the most common one is moved forward or back to it, whichever way
    leaves fewest weeks missing, fewest rows meeting rows they conflict with, and fewest
    dates one geo has and another lacks.

    Parameters
    ----------
    dates : pandas.Series
        Parsed dates, one per row (NaT allowed).
    geos : pandas.Series, optional
        The geo of each row in a panel.
    values : pandas.DataFrame
        The mapped columns other than the date and geo: two rows of a week may be joined
        only when no column holds two different values between them, or (all of them
        numbers) two numbers other than 0.
    summed : sequence of str
        Columns the data cell adds up over rows of one date (a long table's channels,
        pivoted): rows that meet are joined by the pivot once their dates are moved, when
        the other columns agree.

    Returns
    -------
    WeekdayShift or None
        None when the dates fall on one weekday, or on more than three, or when no shift
        makes a weekly sequence with at most a tenth of any geo's weeks missing and no
        conflicting rows.
    """
    known = dates.notna().to_numpy()
    stamps = pd.DatetimeIndex(dates[known])
    if len(stamps) < 2 or not (stamps == stamps.normalize()).all():
        return None
    weekday = stamps.day_of_week.to_numpy()
    counts = np.bincount(weekday, minlength=7)
    used = np.flatnonzero(counts)
    if not 2 <= len(used) <= _MOST_WEEKDAYS:
        return None
    # on a tie (an outer join: one row per week on each weekday), the weekday whose
    # rows hold more figures
    filled = (values[known].notna() & (values[known] != 0)).sum(axis=1).to_numpy()
    held = np.bincount(weekday, weights=filled, minlength=7)
    main = int(np.lexsort((held, counts))[-1])
    others = [int(w) for w in used if w != main]
    keys = (geos[known].to_numpy() if geos is not None
            else np.zeros(len(stamps), dtype=int))
    rows = values[known].reset_index(drop=True)
    best: tuple[tuple[int, int, int], dict[int, int], str | None] | None = None
    for ways in itertools.product(*[((main - w) % 7, (main - w) % 7 - 7) for w in others]):
        days = {main: 0, **dict(zip(others, ways, strict=True))}
        added = np.zeros(7, dtype="int64")
        added[list(days)] = list(days.values())
        moved = stamps.to_numpy() + added[weekday] * np.timedelta64(1, "D")
        score, join = _disorder(pd.DatetimeIndex(moved), keys, rows, summed)
        if best is None or score < best[0]:
            best = (score, days, join)
    if best is None or best[0][0] > 0:  # conflicting rows, or too many weeks missing
        return None
    return WeekdayShift(weekday=main, days=best[1], join=best[2])


def _disorder(moved: pd.DatetimeIndex, keys: np.ndarray, rows: pd.DataFrame,
              summed: Sequence[str]) -> tuple[tuple[int, int, int], str | None]:
    """How far moved dates are from one weekly sequence per geo, and how rows that meet
    are joined (see :attr:`WeekdayShift.join`; None as well when the pivot sums them).

    The score orders (weeks whose rows cannot be joined, plus geos with more than a tenth
    of their weeks missing; weeks missing; dates some geos lack), least first.
    """
    pairs = pd.DataFrame({"geo": keys, "date": moved})
    met = pairs.duplicated(keep=False).to_numpy()
    unjoined, join = 0, None
    if met.any() and summed:  # a long table: the pivot adds up the meeting rows' spend
        agreed = rows.loc[met, rows.columns.difference(list(summed))].groupby(
            [keys[met], moved[met]], sort=False).nunique()
        unjoined = int((agreed > 1).any(axis=1).sum())
    elif met.any():
        grouped = rows[met].groupby([keys[met], moved[met]], sort=False)
        unjoined = int((grouped.nunique() > 1).any(axis=1).sum())
        join = "first"
        numbers = [c for c in rows.columns if pd.api.types.is_numeric_dtype(rows[c])]
        if unjoined and numbers:  # each row's empty cells written as 0: sum the numbers
            figures = (rows.loc[met, numbers].fillna(0) != 0).groupby(
                [keys[met], moved[met]], sort=False).sum()
            texts = grouped.nunique().drop(columns=numbers)
            unjoined = int(((figures > 1).any(axis=1) | (texts > 1).any(axis=1)).sum())
            join = "sum"
    spans = pairs.drop_duplicates().groupby("geo", sort=False)["date"].agg(
        ["min", "max", "count"])
    weeks = (spans["max"] - spans["min"]) // pd.Timedelta(days=7) + 1
    missing = weeks - spans["count"]
    unjoined += int((missing > _MOST_MISSING * weeks).sum())
    unshared = int((pairs["date"].nunique() - spans["count"]).sum())
    return (unjoined, int(missing.sum()), unshared), join


def mixed_weekdays_problem(frame: pd.DataFrame, dates: pd.Series, date: str,
                           geo: str | None, columns: list[str],
                           date_format: str | None = None, table: str = "df",
                           summed: Sequence[str] = ()) -> tuple[Problem, WeekdayShift] | None:
    """The problem naming weeks dated by two (or three) weekdays, with its fix.

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table.
    dates : pandas.Series
        Its dates, parsed (aligned with ``frame``).
    date, geo : str
        The mapped date and geo (None for a national table) columns.
    columns : list of str
        The other mapped columns (target, channels, controls).
    date_format : str, optional
        The date column's format, as the fix reads it.
    table : str
        The raw table's variable, as the fix names it.
    summed : sequence of str
        Columns the data cell adds up over rows of one date (a long table's channels).

    Returns
    -------
    tuple of (Problem, WeekdayShift) or None
    """
    geos = frame[geo] if geo else None
    shift = find_weekday_shift(dates, geos, frame[columns], summed)
    if shift is None:
        return None
    weekday = pd.Series(pd.DatetimeIndex(dates).day_of_week, index=frame.index)
    moved = dates.notna() & (weekday != shift.weekday)
    names = sorted({int(w) for w in weekday[dates.notna()]},
                   key=lambda w: w != shift.weekday)
    main = WEEKDAYS[shift.weekday]
    listed = " and ".join(f"{WEEKDAYS[w]}s" for w in names)
    where = _where(frame, dates, moved, shift, geo, list(summed) or columns, bool(summed))
    what = (f"Weekly dates fall on {listed}: {where}. Read as they are, weeks dated a few "
            "days apart break the weekly sequence, "
            "so the date checks would find days missing that are not.")
    column = f"{table}[{date!r}]"
    ways = "; ".join(
        f"{WEEKDAYS[w]}s move to the {main} {'after' if days > 0 else 'before'}"
        for w, days in shift.days.items() if days)
    fix = (f"{column} = {to_datetime_code(column, date_format)}; {column} += "
           f"pd.to_timedelta({column}.dt.day_of_week.map({shift.days!r}), unit='D')")
    if shift.join:
        keys = [date, *([geo] if geo else [])]
        joined = joined_rows_code(table, keys, shift.join)
        fix += f"; {table} = {table}.groupby({keys!r}, as_index=False).{joined}"
    then = ", then join each week's rows into one" if shift.join else ""
    fix = f"Date every week by its {main} ({ways}){then}: {fix}"
    shown = sorted(pd.DatetimeIndex(dates[moved]).unique())
    return problem(what, fix + ".", column=date, rows=shown[:_LISTED],
                   count=len(shown)), shift


def _where(frame: pd.DataFrame, dates: pd.Series, moved: pd.Series, shift: WeekdayShift,
           geo: str | None, columns: list[str], met: bool = False) -> str:
    """Which rows are dated the other way: some geos', the rows holding some of
    ``columns`` (one source's; ``met``: a long table's channels, whose rows the pivot
    joins), or the dates before or after a switch."""
    main = f"{WEEKDAYS[shift.weekday]}s"
    other = " or ".join(f"{WEEKDAYS[w]}s" for w in shift.days if w != shift.weekday)
    if geo:
        by_geo = moved.groupby(frame[geo], sort=False).agg(["all", "any"])
        if (by_geo["all"] == by_geo["any"]).all():
            named = by_geo.index[by_geo["all"]]
            whose = "geos {} date their" if len(named) > 1 else "geo {} dates its"
            return (f"{whose.format(', '.join(map(repr, named)))} weeks by {other}, the "
                    f"others by {main}")
    if shift.join or met:
        held = frame.loc[moved, columns]
        filled = held.notna() & ~held.isin([0])
        listed = ", ".join(repr(c) for c in columns if filled[c].any())
        source = ("exports dating weeks their own ways" if met else
                  "two tables joined on their dates")
        return (f"the rows on {other} hold {listed} alone, the rows on {main} the rest, of "
                f"the same weeks: {source}")
    known = dates.notna()
    first, last = dates[moved].min(), dates[moved].max()
    kept = dates[~moved & known]
    if (kept < first).all():
        return (f"weeks are dated by {main} up to {kept.max():%Y-%m-%d}, by {other} from "
                f"{first:%Y-%m-%d} on")
    if (kept > last).all():
        return (f"weeks are dated by {other} up to {last:%Y-%m-%d}, by {main} from "
                f"{kept.min():%Y-%m-%d} on")
    count = int(dates[moved].nunique())
    return f"{count} week{'s are' if count > 1 else ' is'} dated by {other}, the others by {main}"
