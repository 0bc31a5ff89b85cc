"""A date column written two ways: most rows in one format, some in another.

Spreadsheets edited by hand, or appended from two exports, mix formats in one column:
``2024-01-08`` above ``15/01/2024``, or Excel's day numbers (``45306``) where a cell was
formatted as a number. The rows of the other format do not read in the column's format.
:func:`mixed_formats_fix` finds the format (or Excel's day numbers) that reads them into
the dates the others lack (the same weekly or daily run, no date twice) and gives the line
that reads each row in its own format.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from mmm_widgets.steps.dates import (
    detect_frequency,
    formats_matching,
    missing_dates,
    parse_dates,
)

#: Excel's day numbers of 1954 to 2119: whole numbers no other date format reads so.
SERIALS = (20_000, 80_000)
#: The code reading Excel's day numbers in a column (``{column}``).
SERIAL_CODE = ("pd.to_datetime(pd.to_numeric({column}, errors='coerce'), unit='D', "
               "origin='1899-12-30')")
#: What :func:`mixed_formats_fix` calls Excel's day numbers.
SERIAL = "Excel day numbers"


class MixedFix(NamedTuple):
    """How the rows of another format read."""

    other: str  #: their format, or :data:`SERIAL`
    line: str  #: the statement reading every row in its own format


def mixed_formats_fix(series: pd.Series, parsed: pd.Series, main: str, bad: list,
                      column: str) -> MixedFix | None:
    """The format the ``bad`` rows are written in, and the line reading the column.

    Parameters
    ----------
    series : pandas.Series
        The date column as written.
    parsed : pandas.Series
        It read in ``main`` (NaT where that failed).
    main : str
        The format most rows are written in.
    bad : list
        Labels of the rows that did not read.
    column : str
        Code of the column, e.g. ``"raw['date']"``.

    Returns
    -------
    MixedFix or None
        None when no format reads them into the dates the others lack.

    Examples
    --------
    >>> written = pd.Series(["2024-01-01", "2024-01-08", "15/01/2024", "2024-01-22",
    ...                      "2024-01-29"])
    >>> parsed = pd.to_datetime(written, format="%Y-%m-%d", errors="coerce")
    >>> mixed_formats_fix(written, parsed, "%Y-%m-%d", [2], "df['date']").other
    '%d/%m/%Y'
    """
    good = pd.DatetimeIndex(parsed.dropna().unique()).sort_values()
    texts = series.loc[bad].astype(str).str.strip()
    if len(good) < 3 or texts.eq("").any():
        return None
    _, step = detect_frequency(pd.Series(good))
    if not step:
        return None
    candidates = {fmt: parse_dates(texts, fmt).values
                  for fmt in sorted({f for t in texts.unique()[:20] for f in formats_matching(t)})}
    numbers = pd.to_numeric(texts, errors="coerce")
    if numbers.notna().all() and numbers.between(*SERIALS).all():
        candidates[SERIAL] = pd.to_datetime(numbers, unit="D", origin="1899-12-30")
    fitting = [fmt for fmt, read in candidates.items() if _fills(read, good, step)]
    if len(fitting) != 1:
        return None
    other = fitting[0]
    first = f"pd.to_datetime({column}, format={main!r}, errors='coerce')"
    second = (SERIAL_CODE.format(column=column) if other == SERIAL
              else f"pd.to_datetime({column}, format={other!r}, errors='coerce')")
    return MixedFix(other, f"{column} = {first}.fillna({second})")


def _fills(read: pd.Series, good: pd.DatetimeIndex, step: int) -> bool:
    """Whether dates ``read`` all fall on the others' run (a whole number of periods from
    its first date) where it has none (each geo's rows of a date alike), and leave no
    more periods missing than the others alone do (they fill its gaps, or carry it on at
    either end)."""
    if read.isna().any():
        return False
    read = pd.DatetimeIndex(read.unique())
    width = pd.Timedelta(days=step)
    if read.isin(good).any() or not ((read - good[0]) % width == pd.Timedelta(0)).all():
        return False
    return len(missing_dates(pd.Series(good.append(read)), step)) <= len(
        missing_dates(pd.Series(good), step))
