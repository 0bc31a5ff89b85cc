"""Spend scaled to 0-1 (each channel over its largest amount) mapped as money.

Tutorial data are often scaled so: pymc-marketing's example table (``mmm_example.csv``:
``y`` in thousands beside ``x1`` and ``x2`` between 0 and 0.997) is the data of its
getting-started notebook. The model fits scaled spend as well as money, but a ROAS is
then a return per unit of that scale (5,064 and 2,363 on that table, MAP fit), not per
unit of money, and a budget plan spends scaled units. Nothing in ``x1`` says so; the
values do: every channel between 0 and 1, each reaching nearly 1, beside a target
hundreds of times their sum.
"""

from __future__ import annotations

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: Least largest amount of each spending channel for the spend to read as scaled to 0-1.
SCALED_MAX = 0.98
#: Least ratio of the target's sum to the spend's: under it the ROAS could be money's.
TARGET_RATIO = 100.0


def scaled_spend_finding(data: pd.DataFrame, roles: Roles, table: str = "df"
                         ) -> list[Finding]:
    """A note when every channel's spend is scaled to 0-1 beside a far larger target.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame.
    roles : Roles
        The mapping.
    table : str
        The raw table's variable, as the line in the note writes it.

    Returns
    -------
    list of Finding
        At most one, kind ``"scaled_spend"``, naming the channels.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [4000.0, 5200.0, 6100.0], "x1": [0.2, 1.0, 0.6]})
    >>> [f.kind for f in scaled_spend_finding(frame, Roles("date", "y", ("x1",)))]
    ['scaled_spend']
    """
    spend = data[list(roles.channels)].apply(pd.to_numeric, errors="coerce")
    largest = spend.max()
    spending = largest[largest > 0]
    if spending.empty or float(spend.min().min()) < 0 or float(largest.max()) > 1 or (
            float(spending.min()) < SCALED_MAX):
        return []
    target_total = float(pd.to_numeric(data[roles.target], errors="coerce").sum())
    spend_total = float(spend.sum().sum())
    if target_total < TARGET_RATIO * spend_total:
        return []
    channels = list(map(str, spending.index))
    named = ", ".join(map(repr, channels[:3])) + (", ..." if len(channels) > 3 else "")
    first = literal(channels[0])
    return [Finding(
        "scaled_spend",
        f"Every channel's spend lies between 0 and 1, each reaching "
        f"{float(spending.min()):.2f} or more ({named}), beside a target {roles.target!r} "
        f"that adds up to {target_total / spend_total:,.0f} times their sum: spend scaled "
        "to 0-1 (each channel's over its largest, as pymc-marketing's example data are), "
        "not money? The model fits it as well, but every ROAS would be a return per unit "
        "of that scale, not per unit of money, and a budget plan would spend scaled "
        "units. Map the spend in money to read a return on it (each channel times its "
        f"largest spend, if you know it: {table}[{first}] = {table}[{first}] * <the "
        f"largest spend of {channels[0]}>); as it is, compare the channels' ROAS with one "
        "another only.",
        (roles.target, *channels))]
