"""Columns that are the sum of others: a total beside the channels it adds up.

Spreadsheets often carry a ``Total spend`` (or ``All media``) column next to the channels
it sums. Taken as a channel of its own, the spend counts twice, and the model cannot tell
the total's effect from its parts' (one is the sum of the others). Whatever its name,
:func:`totals_of_others` finds such a column from its values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

#: Rows the search looks at (each total found is then checked on every row).
_SAMPLE_ROWS = 2_000
#: How near a weight must be to 0 or 1, and a total to the sum of its parts (relative to
#: the largest total): room for a total rounded on its own (to whole units, say). No sum
#: of other columns stays that near by chance on every row.
_WEIGHT_TOLERANCE = 1e-2
_SUM_TOLERANCE = 2e-3


def totals_of_others(frame: pd.DataFrame, columns: list[str]) -> dict[str, tuple[str, ...]]:
    """The columns among ``columns`` that are, row by row, the sum of two or more others.

    Totals at several levels are found: groups beside their channels (``Digital`` of
    search and social, ``Offline`` of TV and radio) and a grand total over them
    (:func:`sums_of_others`).

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : list of str
        Numeric columns (the channels, say); rows with a missing value are not used.

    Returns
    -------
    dict
        ``{total: (part, ...)}``; a part is never itself a total here.

    Examples
    --------
    >>> table = pd.DataFrame({"tv": [1.0, 2.0, 0.0, 4.0, 1.5, 0.0],
    ...                       "search": [3.0, 1.0, 2.0, 2.0, 0.0, 1.0],
    ...                       "social": [0.5, 0.0, 1.0, 3.0, 2.0, 0.5]})
    >>> table["Total spend"] = table["tv"] + table["search"] + table["social"]
    >>> totals_of_others(table, ["tv", "search", "social", "Total spend"])
    {'Total spend': ('tv', 'search', 'social')}
    """
    if len(columns) < 3:
        return {}
    values = frame[columns].apply(pd.to_numeric, errors="coerce").dropna()
    if len(values) < len(columns) + 2:
        return {}
    numbers = values.to_numpy(float)

    def sums(total: int, parts: list[int]) -> bool:
        gap = np.abs(numbers[:, total] - numbers[:, parts].sum(axis=1))
        return bool(gap.max() <= _SUM_TOLERANCE * np.abs(numbers[:, total]).max())

    found = sums_of_others(values, sums)
    return {columns[total]: tuple(columns[j] for j in parts)
            for total, parts in sorted(found.items())}


def sums_of_others(values: pd.DataFrame, sums: Callable[[int, list[int]], bool]
                   ) -> dict[int, list[int]]:
    """The columns of ``values`` that are each the sum of other columns, and their parts.

    Each column, largest first, is fitted by least squares on the columns smaller than it
    (and, amounts never below 0, under it on every row) that are not totals found
    already; it is a total when every weight is 0 or 1 (at least two of them 1) and
    ``sums`` accepts it. Passes repeat until none is found: with groups beside their parts,
    a grand total is the groups' sum and its parts' at once, and least squares tells it
    only once the groups are out.

    Parameters
    ----------
    values : pandas.DataFrame
        Numeric columns without missing values.
    sums : callable
        ``sums(total, parts)``, positions of columns: whether the total is its parts' sum
        on every row, up to the caller's rounding.

    Returns
    -------
    dict
        ``{total: [parts]}``, positions, the parts in order.
    """
    # Least squares of each column on the others from one Gram matrix of the columns
    # scaled to unit length: a hundred channels cost a hundred small solves, not a hundred
    # passes over the rows.
    gram, norms = scaled_gram(values)
    numbers = values.to_numpy(float)
    size = np.abs(numbers).sum(axis=0)
    sample = numbers[_sample_rows(len(numbers))]
    never_below_zero = bool((numbers >= 0).all())

    def under(total: int) -> np.ndarray:
        """Which columns are at most the total on every sampled row (all, with amounts
        below 0)."""
        if not never_below_zero:
            return np.ones(numbers.shape[1], bool)
        return (sample <= sample[:, [total]] * (1 + _WEIGHT_TOLERANCE)).all(axis=0)

    found: dict[int, list[int]] = {}
    while True:
        before = len(found)
        for total in np.argsort(-size, kind="stable"):
            total = int(total)
            if total in found:
                continue
            below = under(total)
            others = [j for j in range(numbers.shape[1]) if size[j] < size[total]
                      and below[j] and j not in found]
            if len(others) < 2:
                continue
            scaled, *_ = np.linalg.lstsq(gram[np.ix_(others, others)], gram[others, total],
                                         rcond=None)
            weights = scaled * norms[total] / norms[others]
            ones = np.abs(weights - 1) < _WEIGHT_TOLERANCE
            if (ones | (np.abs(weights) < _WEIGHT_TOLERANCE)).all() and ones.sum() >= 2:
                parts = [j for j, one in zip(others, ones, strict=True) if one]
                if sums(total, parts):
                    found[total] = parts
        if len(found) == before:
            return found


def scaled_gram(values: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The Gram matrix of ``values``' columns scaled to unit length, on a sample of rows.

    Parameters
    ----------
    values : pandas.DataFrame
        Numeric columns without missing values.

    Returns
    -------
    tuple of numpy.ndarray
        The matrix (the cosines between the columns) and each column's length on the
        sample (1 for a column of zeros).
    """
    sample = values.iloc[_sample_rows(len(values))].to_numpy(float)
    norms = np.linalg.norm(sample, axis=0)
    norms[norms == 0] = 1.0
    return (sample / norms).T @ (sample / norms), norms


def _sample_rows(rows: int) -> np.ndarray:
    """Positions of at most :data:`_SAMPLE_ROWS` rows spread evenly over ``rows``."""
    return np.linspace(0, rows - 1, min(rows, _SAMPLE_ROWS)).astype(int)
