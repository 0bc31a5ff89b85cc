"""A control with missing values: the line that fills them, by where they are.

Controls are most often series published by others (a confidence index, a price index,
the weather), which come late or with holes: the latest weeks not out yet when the table
was made, a series that starts after the sales, a week the source skipped. Each asks for a
different line; :func:`missing_control_fix` gives the one that fits, for a table in date
order without geos (a panel's rows, or a table out of order, would need each geo's own
order: it then asks to fill them in).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The fix when no line fits.
FILL_IN = "Fill in the control values or drop these rows."


def missing_control_fix(values: pd.Series, column: str, in_date_order: bool,
                        table: str = "df") -> str:
    """How to fill a control's missing values, by where in the table they are.

    Parameters
    ----------
    values : pandas.Series
        The control's values, read as numbers, in the table's row order.
    column : str
        Its name.
    in_date_order : bool
        Whether the table's rows run in date order, one per date (no geos).
    table : str
        The raw table's variable.

    Returns
    -------
    str
        At the end only (the latest figures not out yet): carry the last one forward, or
        fit the dates it has. At the start only: fit the dates it has, or carry the first
        back. Between values: fill each gap from the values around it.

    Examples
    --------
    >>> index = pd.Series([96.3, 97.1, None, 98.0, None])
    >>> missing_control_fix(index, "cci", True)
    "Fill each gap from the values around it: df['cci'] = df['cci'].interpolate(\
limit_direction='both'); or fill in the control values."
    >>> missing_control_fix(pd.Series([96.3, 97.1, None]), "cci", True)
    "Its latest figures are not out yet? Carry the last one forward: df['cci'] = \
df['cci'].ffill(); or fit the dates it has: df = df[df['cci'].notna()]."
    """
    missing = values.isna().to_numpy()
    if not in_date_order or missing.all():
        return FILL_IN
    present = np.flatnonzero(~missing)
    inside = missing[present[0]:present[-1] + 1].any()
    ref = f"{table}[{column!r}]"
    kept = f"{table} = {table}[{ref}.notna()]"
    if inside:
        return (f"Fill each gap from the values around it: {ref} = {ref}.interpolate("
                "limit_direction='both'); or fill in the control values.")
    if missing[-1]:
        return (f"Its latest figures are not out yet? Carry the last one forward: {ref} = "
                f"{ref}.ffill(); or fit the dates it has: {kept}.")
    return (f"It starts after the table? Fit the dates it has: {kept}; or carry its first "
            f"value back: {ref} = {ref}.bfill().")
