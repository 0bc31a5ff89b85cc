"""Columns that are another column times a fixed factor: the same spend written twice.

Exports often carry one spend in two columns: gross and net of the agency's fee
(``TV spend gross``, ``TV spend net`` = 0.85 x gross), the account's currency and the
report's (``Cost``, ``Cost (EUR)``), or a column copied under another name. Mapped as two
channels, the spend counts twice and the model cannot tell one's effect from the other's:
it splits the credit between them at random. Whatever their names,
:func:`copies_of_others` finds such columns from their values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.steps.totals import scaled_gram

#: How near the cosine of two columns must be to 1 to be checked row by row (cents
#: rounded on amounts under a unit move it by 1e-4), and how near each row must be to the
#: factor times the other column: within the rounding of the two columns (half a cent
#: each, for amounts in cents), or within this share of the largest value. Two channels
#: bought apart never come this near on every row.
_COSINE_TOLERANCE = 1e-3
_ROW_TOLERANCE = 2e-3
#: Most decimals a column's rounding is looked for in.
_MOST_DECIMALS = 6


def copies_of_others(frame: pd.DataFrame, columns: list[str]) -> dict[str, tuple[str, float]]:
    """The columns among ``columns`` that are an earlier one times a fixed positive factor.

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : list of str
        Numeric columns (the channels, say), in the table's order; rows with a missing
        value are not used. Columns that never change are left to the checks that name
        them. Pairs are preselected on a sample of rows (:func:`scaled_gram`), then
        checked on every row.

    Returns
    -------
    dict
        ``{copy: (original, factor)}``: on every row, up to rounding, ``copy`` is
        ``factor`` times ``original``, the first of its kind in ``columns``.

    Examples
    --------
    >>> table = pd.DataFrame({"tv gross": [100.0, 0.0, 250.0, 80.0],
    ...                       "search": [30.0, 45.0, 20.0, 60.0]})
    >>> table["tv net"] = table["tv gross"] * 0.85
    >>> copies_of_others(table, ["tv gross", "search", "tv net"])
    {'tv net': ('tv gross', 0.85)}
    """
    columns = list(dict.fromkeys(columns))  # a column listed twice is one column
    if len(columns) < 2:
        return {}
    values = frame[columns].apply(pd.to_numeric, errors="coerce")
    # a column of text (amounts not read yet) is left to the checks that name it
    values = values.loc[:, values.notna().any()].dropna()
    columns = list(values.columns)
    if len(values) < 3:
        return {}
    varying = [c for c in columns if values[c].nunique() > 1]
    cosines, _ = scaled_gram(values[varying])
    found: dict[str, tuple[str, float]] = {}
    for later, copy in enumerate(varying):
        for earlier in range(later):
            original = varying[earlier]
            if original in found or cosines[earlier, later] < 1 - _COSINE_TOLERANCE:
                continue
            factor = _factor(values[original], values[copy])
            if factor is not None:
                found[copy] = (original, factor)
                break
    return found


def _factor(original: pd.Series, copy: pd.Series) -> float | None:
    """The factor ``copy`` is of ``original`` on every row, up to rounding, or None."""
    x, y = original.to_numpy(float), copy.to_numpy(float)
    factor = float(x @ y / (x @ x))
    if not factor > 0:
        return None
    gap = np.abs(y - factor * x)
    rounding = (_resolution(y) + factor * _resolution(x)) / 2
    if gap.max() > max(_ROW_TOLERANCE * np.abs(y).max(), rounding * (1 + 1e-6)):
        return None
    return float(f"{factor:.4g}")


def _resolution(values: np.ndarray) -> float:
    """The unit a column is rounded to (0.01 for cents), or 0 when it is not rounded."""
    for decimals in range(_MOST_DECIMALS + 1):
        scaled = values * 10.0 ** decimals
        if np.allclose(scaled, np.round(scaled), rtol=0, atol=1e-6):
            return 10.0 ** -decimals
    return 0.0
