"""Input checks shared by the event and path readers: columns, flags, numbers, durations."""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterable
from datetime import timedelta

import numpy as np
import pandas as pd

from mmm_widgets.errors import Problem, problem

_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0"}


def close_matches(name: object, columns: Iterable[Hashable], n: int = 3) -> list[str]:
    """Column names that look like ``name``: same spelling ignoring case first, then similar.

    Parameters
    ----------
    name : object
        The name the caller asked for.
    columns : iterable
        The names the table has.
    n : int, default 3
        At most this many suggestions.

    Returns
    -------
    list of str
    """
    labels = [str(c) for c in columns]
    wanted = str(name).strip().lower()
    same = [c for c in labels if c.strip().lower() == wanted]
    similar = difflib.get_close_matches(wanted, [c.lower() for c in labels], n=n, cutoff=0.5)
    by_lower = {c.lower(): c for c in labels}
    found = same + [by_lower[s] for s in similar if by_lower[s] not in same]
    contains = [c for c in labels if wanted and wanted in c.lower() and c not in found]
    return (found + contains)[:n]


def missing_column(role: str, name: object, columns: Iterable[Hashable], table: str) -> Problem:
    """Problem for a column argument that names no column of the table.

    Parameters
    ----------
    role : str
        The argument, e.g. ``"user"``.
    name : object
        What the caller passed.
    columns : iterable
        The table's columns.
    table : str
        What the table is called in messages (``"events"``, ``"paths"``).

    Returns
    -------
    Problem
    """
    columns = list(columns)
    suggestions = close_matches(name, columns)
    if suggestions:
        hint = "Did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
    else:
        shown = ", ".join(repr(str(c)) for c in columns[:12])
        hint = f"The {table} columns are: {shown}."
    if name is None:
        return problem(
            what=f"No column was given for {role}.",
            fix=f"Pass {role}='<column name>'. {hint}",
            column=None,
        )
    return problem(
        what=f"The {table} table has no column {name!r} (given as {role}=).",
        fix=f"Pass the name of the column that holds the {role}. {hint}",
        column=str(name),
    )


def has_column(frame: pd.DataFrame, name: object) -> bool:
    """True when ``name`` is a hashable label of exactly one column of ``frame``."""
    try:
        return name is not None and name in frame.columns
    except TypeError:
        return False


def bad_rows(index: pd.Index, mask: np.ndarray) -> list:
    """Row labels where ``mask`` is true."""
    return list(index[np.asarray(mask, dtype=bool)])


def read_flags(series: pd.Series, column: str) -> tuple[np.ndarray, list[Problem]]:
    """Read a conversion flag column (bool, 0/1 or true/false text) as a bool array.

    Parameters
    ----------
    series : pandas.Series
        The flag column.
    column : str
        Its name, for messages.

    Returns
    -------
    tuple of (numpy.ndarray, list of Problem)
        Flags (False where unreadable) and the problems found.
    """
    problems: list[Problem] = []
    missing = series.isna().to_numpy()
    if missing.any():
        problems.append(
            problem(
                what="The conversion flag is missing.",
                fix="Fill it with 1 (or True) on the converting touch and 0 (or False) "
                "everywhere else.",
                column=column,
                rows=bad_rows(series.index, missing),
            )
        )
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.fillna(False).to_numpy(dtype=bool), problems
    if pd.api.types.is_numeric_dtype(series.dtype):
        numbers = series.to_numpy(dtype=float, na_value=0.0)
        wrong = ~np.isin(numbers, (0.0, 1.0))
        flags = numbers == 1.0
    else:
        lookup = {}
        for item in pd.unique(series.dropna()):
            lookup[item] = _flag(item)
        mapped = series.map(lookup)
        wrong = (mapped.isna() & ~series.isna()).to_numpy()
        flags = mapped.fillna(False).to_numpy(dtype=bool)
    if wrong.any():
        problems.append(
            problem(
                what="The conversion flag must be True/False or 1/0.",
                fix="Use 1 (or True) on the converting touch and 0 (or False) elsewhere; "
                "for counts of conversions per journey use attribute_paths.",
                column=column,
                rows=bad_rows(series.index, wrong),
            )
        )
        flags = flags & ~wrong
    return flags, problems


def _flag(item: object) -> bool | None:
    if isinstance(item, bool | np.bool_):
        return bool(item)
    if isinstance(item, int | float | np.integer | np.floating):
        return {0: False, 1: True}.get(item)
    if isinstance(item, str):
        text = item.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def read_numbers(
    series: pd.Series,
    column: str,
    what: str,
    *,
    required: np.ndarray | None = None,
    non_negative: bool = False,
) -> tuple[np.ndarray, list[Problem]]:
    """Read a numeric column; text that is not a number, gaps and negatives are problems.

    Parameters
    ----------
    series : pandas.Series
        The column.
    column : str
        Its name, for messages.
    what : str
        What the numbers are (``"conversion value"``), for messages.
    required : numpy.ndarray of bool, optional
        Rows where a value must be present; elsewhere gaps count as 0.
        All rows when omitted.
    non_negative : bool, default False
        Report negative numbers.

    Returns
    -------
    tuple of (numpy.ndarray, list of Problem)
        Float values (0 where unusable) and the problems found.
    """
    problems: list[Problem] = []
    if pd.api.types.is_bool_dtype(series.dtype):
        numbers = series.astype(float)
    else:
        numbers = pd.to_numeric(series, errors="coerce")
    values = numbers.to_numpy(dtype=float, na_value=np.nan)
    present = ~series.isna().to_numpy()
    need = np.ones(len(values), dtype=bool) if required is None else required
    not_number = present & np.isnan(values)
    if not_number.any():
        problems.append(
            problem(
                what=f"The {what} is not a number.",
                fix=f"Write the {what} as a plain number (no currency signs or text).",
                column=column,
                rows=bad_rows(series.index, not_number),
            )
        )
    gap = ~present & need
    if gap.any():
        problems.append(
            problem(
                what=f"The {what} is missing.",
                fix=f"Fill in the {what} on these rows or drop them.",
                column=column,
                rows=bad_rows(series.index, gap),
            )
        )
    infinite = np.isinf(values)
    if infinite.any():
        problems.append(
            problem(
                what=f"The {what} is infinite.",
                fix=f"Replace the infinite {what} with a finite number.",
                column=column,
                rows=bad_rows(series.index, infinite),
            )
        )
    values = np.where(np.isfinite(values), values, 0.0)
    if non_negative:
        negative = values < 0
        if negative.any():
            problems.append(
                problem(
                    what=f"The {what} is negative.",
                    fix=f"Counts cannot be below 0: correct the {what} or drop these rows.",
                    column=column,
                    rows=bad_rows(series.index, negative),
                )
            )
            values = np.where(negative, 0.0, values)
    return values, problems


def read_duration(
    value: object, unit: str, name: str, *, allow_zero: bool = False
) -> tuple[float | None, Problem | None]:
    """Turn a half-life or look-back window into a number in the unit ages are measured in.

    Parameters
    ----------
    value : object
        What the caller passed: a pandas Timedelta string such as ``"7D"``, a
        ``Timedelta``/``timedelta``, or a plain number.
    unit : {"seconds", "number", "steps"}
        ``"seconds"`` when times are dates (the result is in seconds and a plain
        number is refused as ambiguous), ``"number"`` when the time column is
        numeric, ``"steps"`` for path positions (both take plain numbers only).
    name : str
        The argument name, for messages.
    allow_zero : bool, default False
        Accept 0 (a look-back of 0 keeps only the converting touch).

    Returns
    -------
    tuple of (float or None, Problem or None)
    """
    if unit == "seconds":
        if isinstance(value, str | timedelta | np.timedelta64 | pd.Timedelta):
            try:
                amount = pd.Timedelta(value).total_seconds()
            except (ValueError, TypeError):
                return None, problem(
                    what=f"{name}={value!r} is not a time span pandas can read.",
                    fix=f"Write it like {name}='7D', '12h' or '30D'.",
                )
        else:
            return None, problem(
                what=f"{name}={value!r} has no unit, and the time column holds dates.",
                fix=f"Give a time span with its unit, e.g. {name}='7D'.",
            )
    else:
        plain = isinstance(value, int | float | np.integer | np.floating)
        if not plain or isinstance(value, bool | np.bool_) or not np.isfinite(value):
            if unit == "steps":
                fix = f"Give the number of touches, e.g. {name}=1 (paths have no clock)."
            else:
                fix = f"The time column is numeric: give {name} in the same unit, e.g. {name}=7."
            return None, problem(what=f"{name}={value!r} is not a plain number.", fix=fix)
        amount = float(value)
    if amount < 0 or (amount == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "more than 0"
        return None, problem(
            what=f"{name}={value!r} is not {bound}.", fix=f"Pass a {name} that is {bound}."
        )
    return amount, None
