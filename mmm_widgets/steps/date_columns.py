"""A date written over two columns: a year beside its week or its month.

Retail, syndicated and BI tables often carry no date column at all: ``Year`` and ``Week``
(``2024``, ``1``), or ``Year`` and ``Month`` (``2024``, ``Jan``). Neither column is a date,
so the data step cannot read one as the date; :func:`find_date_columns` recognises the pair
and :func:`joining_line` writes the pandas line that makes one date column of it, for the
data step's message to give as its fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from mmm_widgets.codegen import literal, unused_name

_YEAR_NAMES = re.compile(r"(^|[^a-z])(year|yr|yyyy|jahr|ann[eé]e|a[nñ]o|anno)([^a-z]|$)", re.I)
_PART_NAMES = {
    "week": re.compile(r"(^|[^a-z])(week|wk|kw|woche|semaine|semana|settimana)(no)?([^a-z]|$)",
                       re.I),
    "month": re.compile(r"(^|[^a-z])(month|mon|mth|monat|mois|mes|mese)([^a-z]|$)", re.I),
}
#: Whole numbers each part takes: ISO weeks 1-53, months 1-12.
_PART_RANGE = {"week": (1, 53), "month": (1, 12)}
_YEAR_RANGE = (1950, 2100)
#: How month names are written, as strptime reads them.
_MONTH_NAME_FORMATS = ("%b", "%B")


@dataclass(frozen=True)
class DateColumns:
    """A year column and the column of the week or month within it.

    Attributes
    ----------
    year : str
        The year's column.
    part : str
        The week's or month's column.
    kind : str
        ``"week"`` (ISO weeks, read as their Monday) or ``"month"`` (read as its first day).
    month_format : str or None
        ``"%b"`` or ``"%B"`` when the months are named (``Jan``, ``January``); None when
        they are numbers.
    new_column : str
        The name the joined date gets: ``week_start`` or ``month_start`` (with ``_``
        added while the table has a column of that name).
    """

    year: str
    part: str
    kind: str
    month_format: str | None
    new_column: str


def find_date_columns(frame: pd.DataFrame) -> DateColumns | None:
    """The year and week (or month) columns of a table whose dates are written over two.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    DateColumns or None
        None unless one column is named like a year and holds years, and another is named
        like a week (or month) and holds week numbers 1-53 (months 1-12 or month names).

    Examples
    --------
    >>> table = pd.DataFrame({"Year": [2024, 2024, 2024], "Week": [1, 2, 3],
    ...                       "Sales": [5.0, 6.0, 7.0]})
    >>> found = find_date_columns(table)
    >>> found.year, found.part, found.kind, found.new_column
    ('Year', 'Week', 'week', 'week_start')
    """
    names = [name for name in frame.columns if isinstance(name, str)]
    years = [name for name in names
             if _YEAR_NAMES.search(name) and _whole_in(frame[name], _YEAR_RANGE)]
    if len(years) != 1:
        return None
    for kind, words in _PART_NAMES.items():
        for name in names:
            if name == years[0] or not words.search(name):
                continue
            if _is_part(frame[name], kind):
                month_format = _month_name_format(frame[name]) if kind == "month" else None
                return DateColumns(years[0], name, kind, month_format,
                                   unused_name(f"{kind}_start", frame.columns))
    return None


def part_without_year(series: pd.Series, column: str) -> str | None:
    """``"week"`` or ``"month"`` when a column picked as the date holds only those numbers.

    Parameters
    ----------
    series : pandas.Series
        The column's values.
    column : str
        Its name.

    Returns
    -------
    str or None
        None unless the column is named like a week (month) and holds week numbers 1-53
        (months 1-12, or month names), which name no date without their year.
    """
    return next((kind for kind, words in _PART_NAMES.items()
                 if words.search(str(column)) and _is_part(series, kind)), None)


def joined_dates(frame: pd.DataFrame, found: DateColumns) -> pd.Series:
    """The dates :func:`joining_line` makes, NaT where a row names no date.

    The text the line parses is computed by the line's own expression.

    Parameters
    ----------
    frame : pandas.DataFrame
    found : DateColumns

    Returns
    -------
    pandas.Series
    """
    text, date_format = _joined_text("frame", found)
    joined = eval(text, {"frame": frame})  # code of our own making: column names as literals
    return pd.to_datetime(joined, format=date_format, errors="coerce")


def joining_line(table: str, found: DateColumns) -> str:
    """The pandas line adding the joined date to ``table`` (code) as ``found.new_column``.

    Parameters
    ----------
    table : str
        The frame's variable, e.g. ``"df"``.
    found : DateColumns

    Returns
    -------
    str

    Examples
    --------
    >>> joining_line("df", DateColumns("Year", "Month", "month", None, "month_start"))
    "df['month_start'] = pd.to_datetime(df['Year'].astype(int).astype(str) + '-' + \
df['Month'].astype(int).astype(str).str.zfill(2), format='%Y-%m')"
    """
    text, date_format = _joined_text(table, found)
    return (f"{table}[{literal(found.new_column)}] = pd.to_datetime({text}, "
            f"format={literal(date_format)})")


def _joined_text(table: str, found: DateColumns) -> tuple[str, str]:
    """The expression joining year and part into text, and the format that reads it."""
    year = f"{table}[{literal(found.year)}].astype(int).astype(str)"
    part = f"{table}[{literal(found.part)}]"
    if found.month_format is not None:
        return f"{year} + ' ' + {part}.str.strip()", f"%Y {found.month_format}"
    number = f"{part}.astype(int).astype(str).str.zfill(2)"
    if found.kind == "month":
        return f"{year} + '-' + {number}", "%Y-%m"
    return f"{year} + '-W' + {number} + '-1'", "%G-W%V-%u"


def _is_part(series: pd.Series, kind: str) -> bool:
    """Whether ``series`` holds weeks 1-53 (``kind`` "week") or months: 1-12 or names."""
    return _whole_in(series, _PART_RANGE[kind], 2) or (
        kind == "month" and _month_name_format(series) is not None)


def _whole_in(series: pd.Series, bounds: tuple[int, int], distinct: int = 1) -> bool:
    """Whether every value is a whole number within ``bounds`` (numbers or their text),
    with at least ``distinct`` different values."""
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return False
    numbers = pd.to_numeric(series, errors="coerce")
    low, high = bounds
    return bool(len(numbers) and numbers.notna().all() and (numbers == numbers.round()).all()
                and numbers.between(low, high).all() and numbers.nunique() >= distinct)


def _month_name_format(series: pd.Series) -> str | None:
    """``%b`` or ``%B`` when every value names a month (``Jan``, ``January``), else None."""
    if pd.api.types.is_numeric_dtype(series):
        return None
    text = series.astype("string").str.strip()
    if text.isna().any() or not len(text):
        return None
    for month_format in _MONTH_NAME_FORMATS:
        read = pd.to_datetime("2000 " + text, format=f"%Y {month_format}", errors="coerce")
        if read.notna().all():
            return month_format
    return None
