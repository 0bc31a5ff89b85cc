"""Columns that are the sum of others: a total beside the channels it adds up.

Spreadsheets often carry a ``Total spend`` (or ``All media``) column next to the channels
it sums. Taken as a channel of its own, the spend counts twice, and the model cannot tell
the total's effect from its parts' (one is the sum of the others). Whatever its name,
:func:`totals_of_others` finds such a column from its values.
"""

from __future__ import annotations

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
    # Least squares of each column on the others from one Gram matrix of the columns
    # scaled to unit length: a hundred channels cost a hundred small solves, not a hundred
    # passes over the rows.
    gram, norms = scaled_gram(values)
    found: dict[str, tuple[str, ...]] = {}
    for position, column in enumerate(columns):
        others = [j for j, other in enumerate(columns) if j != position and other not in found]
        if len(others) < 2:
            continue
        scaled, *_ = np.linalg.lstsq(gram[np.ix_(others, others)], gram[others, position],
                                     rcond=None)
        weights = scaled * norms[position] / norms[others]
        ones = np.abs(weights - 1) < _WEIGHT_TOLERANCE
        if (ones | (np.abs(weights) < _WEIGHT_TOLERANCE)).all() and ones.sum() >= 2:
            parts = tuple(columns[j] for j, one in zip(others, ones, strict=True) if one)
            if _sums(values, column, parts):
                found[column] = parts
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
    rows = np.linspace(0, len(values) - 1, min(len(values), _SAMPLE_ROWS)).astype(int)
    sample = values.iloc[rows].to_numpy(float)
    norms = np.linalg.norm(sample, axis=0)
    norms[norms == 0] = 1.0
    return (sample / norms).T @ (sample / norms), norms


def _sums(values: pd.DataFrame, column: str, parts: tuple[str, ...]) -> bool:
    """Whether ``column`` is the sum of ``parts`` on every row, up to rounding."""
    total = values[column].to_numpy(float)
    gap = np.abs(total - values[list(parts)].to_numpy(float).sum(axis=1))
    return bool(gap.max() <= _SUM_TOLERANCE * np.abs(total).max())
