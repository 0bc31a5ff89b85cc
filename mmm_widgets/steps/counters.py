"""Tables that count their periods instead of dating them, and tables with no dates at all.

Course and textbook tables often number their rows' periods (``Week`` 1 to 156, ``t`` 0 to
103) and say nothing of when they were; some have no time column at all (ISLR's
Advertising table: one row per market). Neither names a date, and no date format reads
one. :func:`find_counter` recognises a column that counts periods, :func:`counter_problem`
says so with the pandas line that dates them from the first period's date,
:func:`quarters_problem` names a column of quarters (``2024-Q1``: the table's time, in
periods the model does not take), and :func:`no_dates_problem` says what a table without
any dates would need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from mmm_widgets.codegen import literal, unused_name
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.date_columns import part_without_year

#: The first period's date the lines start from, for the user to replace (a Monday).
PLACEHOLDER_START = "2024-01-01"
#: Fewest periods a column must count to be taken for a counter.
MIN_PERIODS = 8
_UNIT_NAMES = {
    "week": re.compile(r"(^|[^a-z])(weeks?|wk|kw|woche|semaine|semana|settimana)(no)?"
                       r"([^a-z]|$)", re.I),
    "month": re.compile(r"(^|[^a-z])(months?|mon|mth|monat|mois|mes|mese)([^a-z]|$)", re.I),
    "day": re.compile(r"(^|[^a-z])(days?|tag|jour|d[ií]a|giorno)([^a-z]|$)", re.I),
}
_NEW_COLUMNS = {"week": "week_start", "month": "month_start", "day": "day"}
#: Names of a row's number, not a period's: pandas' own index written with the table, ids.
_ROW_NUMBERS = re.compile(r"(unnamed: \d+|id|index|row|rownum|obs|no|#)", re.I)


@dataclass(frozen=True)
class PeriodCounter:
    """A column that numbers the periods: ``first``, ``first + 1``, ..., ``last``.

    Attributes
    ----------
    column : str
        The counting column.
    first, last : int
        Its smallest and largest number (``first`` is 0 or 1).
    unit : str
        ``"week"``, ``"month"`` or ``"day"`` as its name says, or ``"period"`` when it
        does not say (the lines then count weeks, as most media mix tables do).
    text : bool
        Whether the numbers are written as text (``"1"``, ``"2"``).
    new_column : str
        The name the dates get (``week_start``, ``month_start``, ``day``; with ``_``
        added while the table has a column of that name).
    """

    column: str
    first: int
    last: int
    unit: str
    text: bool
    new_column: str


def find_counter(frame: pd.DataFrame, column: str) -> PeriodCounter | None:
    """``column`` as a :class:`PeriodCounter` when it numbers the periods, else None.

    It does when its values are whole numbers from 0 or 1 up, none skipped, each as many
    times as the others (once per geo in a panel), at least :data:`MIN_PERIODS` of them.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw table.
    column : str
        The column to look at.

    Returns
    -------
    PeriodCounter or None
    """
    series = frame[column]
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return None
    # Weeks 1-53 (months 1-12) named as such may be a year's, repeated each year: their
    # year is what they lack (date_columns names them so).
    if part_without_year(series, str(column)) is not None:
        return None
    numeric = pd.api.types.is_numeric_dtype(series)
    numbers = pd.to_numeric(series if numeric else series.astype("string").str.strip(),
                            errors="coerce")
    if not len(numbers) or numbers.isna().any() or (numbers != numbers.round()).any():
        return None
    first, last = int(numbers.min()), int(numbers.max())
    counts = numbers.value_counts()
    if first not in (0, 1) or last - first + 1 < MIN_PERIODS or len(counts) != last - first + 1 \
            or counts.nunique() != 1:
        return None
    unit = next((unit for unit, words in _UNIT_NAMES.items() if words.search(str(column))),
                "period")
    new_column = unused_name(_NEW_COLUMNS.get(unit, "week_start"), frame.columns)
    return PeriodCounter(column, first, last, unit, not numeric, new_column)


def counter_in(frame: pd.DataFrame) -> PeriodCounter | None:
    """The first column of ``frame`` that counts periods, one named by its unit first.

    A row's number (``Unnamed: 0``, ``id``, ``index``) is not taken for one.
    """
    found = [counter for column in frame.columns
             if isinstance(column, str) and not _ROW_NUMBERS.fullmatch(column.strip())
             and (counter := find_counter(frame, column))]
    return min(found, key=lambda counter: counter.unit == "period", default=None)


def dating_line(table: str, counter: PeriodCounter) -> str:
    """The pandas line adding ``counter``'s dates to ``table`` (code) as its new column.

    Period ``counter.first`` falls on :data:`PLACEHOLDER_START`; weeks (and periods of
    no named unit) step by 7 days, days by one, months by a calendar month.
    """
    numbers = f"{table}[{literal(counter.column)}]" + (".astype(int)" if counter.text else "")
    since = f"{numbers} - {counter.first}" if counter.first else numbers
    target = f"{table}[{literal(counter.new_column)}]"
    if counter.unit == "month":  # from January of the placeholder's year
        year = pd.Timestamp(PLACEHOLDER_START).year
        months = f"({since})" if counter.first else since
        return (f"{target} = pd.to_datetime({{'year': {year} + {months} // 12, "
                f"'month': {months} % 12 + 1, 'day': 1}})")
    unit = "D" if counter.unit == "day" else "W"
    return (f"{target} = pd.Timestamp({literal(PLACEHOLDER_START)}) + "
            f"pd.to_timedelta({since}, unit={literal(unit)})")


def counter_problem(counter: PeriodCounter, table: str = "df") -> Problem:
    """The problem of a table whose periods ``counter`` numbers: what it is, and the fix.

    Parameters
    ----------
    counter : PeriodCounter
    table : str
        The table's name in the fix's code.

    Returns
    -------
    Problem
    """
    unit = counter.unit
    what = (f"{counter.column!r} counts the {unit}s ({counter.first} to {counter.last}) "
            "without saying when they were; the model needs their dates (its yearly "
            "seasonality follows the calendar, and a plan is made for dates).")
    named = "" if unit != "period" else " (The line counts weeks; for days write unit='D'.)"
    fix = (f"Date them from the first {unit}'s date ({PLACEHOLDER_START} below: put in the "
           f"real one, or the seasonality falls in the wrong months): "
           f"{dating_line(table, counter)}; then map {counter.new_column!r} as the "
           f"date.{named}")
    return problem(what, fix, column=counter.column)


def no_dates_problem(columns: pd.Index, table: str = "df") -> Problem:
    """The problem of a table with no column of dates, nor one counting periods.

    Parameters
    ----------
    columns : pandas.Index
        The table's columns (the dates' column gets a name none of them has).
    table : str
        The table's name in the fix's code.

    Returns
    -------
    Problem
    """
    new_column = unused_name("week_start", columns)
    return problem(
        "No date column is chosen, and none can be: no column holds dates. A media mix "
        "model explains the target over time, one row per period.",
        f"If the rows are consecutive weeks in order, date them from the first week's "
        f"Monday ({PLACEHOLDER_START} below: put in the real one): "
        f"{table}[{literal(new_column)}] = pd.date_range({literal(PLACEHOLDER_START)}, "
        f"periods=len({table}), freq='W-MON'); then map {new_column!r} as the date. If the "
        "rows are not periods (markets, stores or customers, as in ISLR's Advertising "
        "table), the table cannot be modelled as a media mix.")


def quarters_problem(column: str, example: str) -> Problem:
    """The problem of a table whose time is a column of quarters (``2024-Q1``).

    Without it, the table would be told that no column holds dates, with a line that
    dates its rows as consecutive weeks: wrong for quarters, and for a panel's rows.

    Parameters
    ----------
    column : str
        The column of quarters.
    example : str
        One of its values, as written.

    Returns
    -------
    Problem
    """
    return problem(
        f"No date column is chosen: the table's time is {column!r}, which holds quarters "
        f"(such as {example}), periods the model does not take; it takes one row per day, "
        "week or month.",
        "Use the table at a finer grain if you have it (daily, weekly or monthly rows; "
        "coarser periods split into weeks are not data).", column=column)
