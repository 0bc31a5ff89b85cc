"""A date typed wrong: a row dated far from the run of the others (2032 for 2022).

One mistyped year or digit puts a row years away from the rest. Read as it stands, the
sequence then runs from the first date to that one, and the check of missing dates named
hundreds of periods without a row, with the line that would add them all at 0 spend and
sales. :func:`stray_dates` finds the dates at either end that stand apart from the rest
by :data:`LEAST_GAP` periods or more; :func:`stray_date_problem` names each, with the line
that writes the date the rest lack where one is alike (the same day of another year, or
one digit apart), or the line that leaves the row out.
"""

from __future__ import annotations

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.dates import missing_dates, to_datetime_code

#: Fewest periods between a date at either end and the next date in for it to stand apart
#: (a half year of weeks; on daily rows, about a month).
LEAST_GAP = 26
#: Most dates at each end that may stand apart: more are a history of their own.
MOST_STRAYS = 3
#: Fewest dates the rest must hold.
LEAST_REST = 8


def stray_dates(present: pd.DatetimeIndex, step: int) -> list[pd.Timestamp]:
    """The dates at either end that stand :data:`LEAST_GAP` periods or more from the rest.

    Parameters
    ----------
    present : pandas.DatetimeIndex
        A geo's (or the table's) dates.
    step : int
        Days between periods.

    Returns
    -------
    list of pandas.Timestamp

    Examples
    --------
    >>> weeks = pd.date_range("2022-01-03", periods=20, freq="W-MON")
    >>> stray_dates(weeks.append(pd.DatetimeIndex(["2032-07-18"])), 7)
    [Timestamp('2032-07-18 00:00:00')]
    """
    dates = pd.DatetimeIndex(present.unique()).sort_values()
    strays: list[pd.Timestamp] = []
    for end in (-1, 0):
        for _ in range(MOST_STRAYS):
            if len(dates) <= LEAST_REST:
                break
            apart = abs((dates[end] - dates[end - 1 if end == -1 else 1]).days) / step
            if apart < LEAST_GAP:
                break
            strays.append(dates[end])
            dates = dates[:-1] if end == -1 else dates[1:]
    return sorted(strays)


def stray_date_problem(strays: list[pd.Timestamp], rest: pd.DatetimeIndex, step: int,
                       frequency: str, written: pd.Series, column: str,
                       date_format: str | None, table: str, in_geo: str = ""
                       ) -> tuple[Problem, set[pd.Timestamp]]:
    """The problem naming dates that stand apart, with the line that corrects or drops them.

    Parameters
    ----------
    strays : list of pandas.Timestamp
        From :func:`stray_dates`.
    rest : pandas.DatetimeIndex
        The other dates.
    step : int
        Days between periods.
    frequency : str
        ``"weekly"``, ``"daily"``.
    written : pandas.Series
        The date column as the table holds it (its dtype says how a date is written back).
    column : str
        The date column's name.
    date_format : str or None
        How its text reads.
    table : str
        The raw table's variable.
    in_geo : str
        `` in geo 'North'``, or empty.

    Returns
    -------
    Problem
        The problem.
    set of pandas.Timestamp
        The dates missing from the rest that its line writes (none when it drops the rows).
    """
    first, last = rest.min(), rest.max()
    code = to_datetime_code(f"{table}[{column!r}]", date_format)
    # the dates the rest lacks, and the one before it and after it (a first or last date)
    slots = [first - pd.Timedelta(days=step), *missing_dates(pd.Series(rest), step),
             last + pd.Timedelta(days=step)]
    corrections = {stray: _alike(stray, slots) for stray in strays}
    told = ", ".join(f"{s:%Y-%m-%d}" for s in strays)
    one = len(strays) == 1
    what = (f"The date{'' if one else 's'} {told}{in_geo} {'lies' if one else 'lie'} far "
            f"from the others ({first:%Y-%m-%d} to {last:%Y-%m-%d}, {frequency}): written "
            f"wrong? Read as {'it stands' if one else 'they stand'}, the dates between would "
            "all be missing.")
    dropped = " & ".join(f"({code} != {f'{s:%Y-%m-%d}'!r})" for s in strays)
    drop = f"{table} = {table}[{dropped}]"
    value = date_writer(written, date_format)
    if value is not None and all(c is not None for c in corrections.values()) and len(
            set(corrections.values())) == len(strays):
        lines = "; ".join(f"{table}.loc[{code} == {f'{s:%Y-%m-%d}'!r}, {column!r}] = "
                          f"{value(c)}" for s, c in corrections.items())
        meant = ", ".join(f"{c:%Y-%m-%d}" for c in corrections.values())
        fix = (f"If {'it is' if one else 'they are'} {meant} (missing from the others' run), "
               f"write {'it' if one else 'them'} so: {lines}. Otherwise correct "
               f"{'it' if one else 'them'}, or leave the row{'' if one else 's'} out: {drop}.")
        filled = set(corrections.values())
    else:
        fix = f"Correct {'it' if one else 'them'}, or leave the row{'s' * (not one)} out: {drop}."
        filled = set()
    return problem(what, fix, column=column, rows=[f"{s:%Y-%m-%d}" for s in strays],
                   count=len(strays)), filled


def _alike(stray: pd.Timestamp, slots: list[pd.Timestamp]) -> pd.Timestamp | None:
    """The one missing date the stray was likely meant as: the same day and month of
    another year, or one digit apart written as ``YYYY-MM-DD``; None if none or several."""
    written = f"{stray:%Y-%m-%d}"
    alike = [slot for slot in slots
             if (slot.month, slot.day) == (stray.month, stray.day)
             or sum(a != b for a, b in zip(f"{slot:%Y-%m-%d}", written, strict=True)) == 1]
    return alike[0] if len(alike) == 1 else None


def date_writer(written: pd.Series, date_format: str | None):
    """How to write a date back into the column as it holds dates (a callable giving the
    code of a value), or None when it holds them in a form not written back here."""
    if pd.api.types.is_datetime64_any_dtype(written) and getattr(written.dt, "tz", None) is None:
        return lambda date: f"pd.Timestamp({f'{date:%Y-%m-%d}'!r})"
    textual = written.dtype == object or pd.api.types.is_string_dtype(written)
    if not textual or date_format is None or "%" not in date_format:
        return None
    try:  # only a format that reads back what it writes (not ISO weeks' parts alone)
        probe = pd.Timestamp("2024-02-29")
        if pd.to_datetime(probe.strftime(date_format), format=date_format) != probe:
            return None
    except (ValueError, TypeError):
        return None
    return lambda date: literal(date.strftime(date_format))
