"""What to map when no column is mapped as a channel.

The roles are suggested from column names: ``tv_spend``, ``Facebook``, ``Channel0_spend``.
A table whose media columns are named otherwise (after the people who buy them, ``alex``
and ``fiona``; by a code, ``m1``) gets no channel suggested, and a table measuring its
media as activity only (views, impressions, GRPs) has no spend to suggest. Either way the
mapping cannot be fitted; :func:`no_channels_fix` says which columns to look at:

- the columns measuring media as activity, when there are some (each one's ROAS is then
  a return per unit of that activity);
- otherwise the columns of amounts left without a role that could hold spend: numbers,
  never below 0, not a 0/1 flag, not the same on every row, not a year, and not named as
  something other than spend (a price, a promotion, a ratio, a population).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mmm_widgets.steps.names import (
    ACTIVITY_KINDS,
    CONTROL_NAMES,
    NOT_PAID,
    POPULATION,
    not_spend_kind,
)
from mmm_widgets.wording import listed

#: Names of activity summed over channels, not one channel's ("Overall_Views").
_SUMMED = re.compile(r"(overall|total)", re.I)
#: Most columns of amounts the fix names one by one.
LISTED = 8
#: Whole numbers in this range on every row are years ("YEAR", "anio"), not spend.
_YEARS = (1900, 2100)


def unmapped_amounts(frame: pd.DataFrame, mapped: Sequence[str]) -> list[str]:
    """The columns left without a role whose amounts could be media spend.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, its text amounts read as numbers.
    mapped : sequence of str
        The columns that have a role.

    Returns
    -------
    list of str
        In the table's order: numeric columns never below 0, neither a 0/1 flag nor the
        same on every row nor a year, whose name does not say they are something other
        than spend (a control's, a ratio's, a population's). Columns measuring activity
        are left to :func:`no_channels_fix`'s first list.

    Examples
    --------
    >>> frame = pd.DataFrame({"week": ["2024-01-01", "2024-01-08", "2024-01-15"],
    ...                       "sales": [9.0, 8.0, 7.0], "alex": [0.0, 120.5, 80.0],
    ...                       "price": [2.0, 2.1, 2.2], "promo": [0, 1, 0],
    ...                       "YEAR": [2024, 2024, 2024], "fiona": [10.0, 0.0, 5.0]})
    >>> unmapped_amounts(frame, ["week", "sales"])
    ['alex', 'fiona']
    """
    taken = set(mapped)
    found = []
    for column in frame.columns:
        if (not isinstance(column, str) or column in taken or not_spend_kind(column)
                or CONTROL_NAMES.search(column) or POPULATION.match(column)):
            continue
        series = frame[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        values = series.dropna().to_numpy(dtype=float)
        if (len(values) == 0 or values.min() < 0 or values.min() == values.max()
                or ((values == 0) | (values == 1)).all() or _years(values)):
            continue
        found.append(column)
    return found


def _years(values: np.ndarray) -> bool:
    return bool((values == np.round(values)).all() and values.min() >= _YEARS[0]
                and values.max() <= _YEARS[1])


def no_channels_fix(unmapped: Sequence[str], amounts: Sequence[str] = ()) -> str:
    """What to map when no channel is: the columns measuring media as activity, if any,
    else the columns of amounts without a role.

    Parameters
    ----------
    unmapped : sequence of str
        The columns without a role.
    amounts : sequence of str
        Those of them whose amounts could be spend (:func:`unmapped_amounts`).

    Returns
    -------
    str

    Examples
    --------
    >>> no_channels_fix(["Paid_Views", "Google_Impressions", "Organic_Views", "Sales"])
    "This table names no column as spend; its media are measured as activity: \
'Paid_Views' (views), 'Google_Impressions' (impressions). Map those as channels to model \
their effect: each one's ROAS is then a return per unit of that activity, not per unit of \
money. Or pick at least one column of media spend as a channel."
    >>> no_channels_fix(["alex", "fiona", "AVERAGE"], ["alex", "fiona", "AVERAGE"])
    "Pick at least one column of media spend as a channel. No column's name says it is \
spend; these hold amounts and have no role: 'alex', 'fiona', 'AVERAGE'. Map those that \
are media spend per period (in money) as channels."
    """
    activity = [(c, kind) for c in unmapped
                if (kind := not_spend_kind(c)) in ACTIVITY_KINDS
                and not (NOT_PAID.search(c) or _SUMMED.search(c))]
    if activity:
        kinds = ", ".join(f"{c!r} ({kind})" for c, kind in activity)
        return ("This table names no column as spend; its media are measured as activity: "
                f"{kinds}. Map those as channels to model their effect: each one's ROAS is "
                "then a return per unit of that activity, not per unit of money. Or pick at "
                "least one column of media spend as a channel.")
    pick = "Pick at least one column of media spend as a channel."
    if not amounts:
        return pick
    return (f"{pick} No column's name says it is spend; these hold amounts and have no "
            f"role: {listed([repr(c) for c in amounts], LISTED)}. Map those that are media "
            "spend per period (in money) as channels.")
