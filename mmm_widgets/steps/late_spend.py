"""Spend dated a period late: each date's spend goes with the target of the date before.

Tables joined from sources that date a week differently (sales by the week's start, a
media plan by its end, an invoice date) can put each period's spend one row after the
sales it brought. Spend cannot bring sales before it is spent, so the model gives such a
channel little credit: on three generated weekly tables (search returns 3.0), search's
spend dated a week late made its ROAS read 0.3, 0.9 and 1.6.

:func:`late_spend_finding` reads the nation's series (every geo's target and spend summed
by date) against the least-squares line of :mod:`mmm_widgets.steps.outliers` with each
channel's next-period spend added. A channel whose next-period spend explains the target
more than its own (an F statistic of :data:`F_LEAST`, its coefficient positive and above
its own period's) is noted, with the line that moves its spend a period earlier. Over
the 300 generated conformance tables, the largest such F statistic is 11; with search's
spend a week late, 130 to 163.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.outliers import ROWS_PER_TERM, SPEND_COLUMN, NormalEquations, design
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: Least F statistic of a channel's next-period spend for it to be named.
F_LEAST = 30.0


def late_channels(data: pd.DataFrame, roles: Roles,
                  skip: frozenset[str] = frozenset()) -> dict[str, float]:
    """The channels whose next period's spend explains the target more than their own.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates).
    roles : Roles
        The mapping.
    skip : frozenset of str
        Channels named already for another reason (spend paid on sales).

    Returns
    -------
    dict of str to float
        Each such channel's F statistic, in the mapping's order.
    """
    channels = list(roles.channels)
    controls = [c for c in roles.controls
                if c in data and pd.api.types.is_numeric_dtype(data[c])]
    # summed by date with numpy: the mapped frame may hold hundreds of columns
    codes, dates = pd.factorize(data[roles.date], sort=True)
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    values = data[[roles.target, *channels, *controls]].to_numpy(float)[order]
    summed = np.add.reduceat(values, starts, axis=0)
    summed[:, 1 + len(channels):] /= np.diff(np.r_[starts, len(codes)])[:, None]  # means
    nation = pd.DataFrame(summed, columns=[roles.target, *channels, *controls]).assign(
        **{roles.date: dates})
    columns = design(nation, Roles(roles.date, roles.target, tuple(channels),
                                   tuple(controls)), controls)
    spend = nation[channels].to_numpy(float)
    terms = np.column_stack([columns[:-1], spend[1:]])
    target = nation[roles.target].to_numpy(float)[:-1]
    if len(target) < ROWS_PER_TERM * terms.shape[1] or not np.isfinite(terms).all():
        return {}
    coefficients, f = NormalEquations(terms).f_statistics(target)
    own = coefficients[SPEND_COLUMN:SPEND_COLUMN + len(channels)]
    lead, lead_f = coefficients[columns.shape[1]:], f[columns.shape[1]:]
    return {channel: float(lead_f[k]) for k, channel in enumerate(channels)
            if channel not in skip and lead_f[k] >= F_LEAST and lead[k] > max(own[k], 0)}


def late_spend_finding(data: pd.DataFrame, roles: Roles, table: str = "df",
                       date_format: str | None = None,
                       skip: frozenset[str] = frozenset()) -> list[Finding]:
    """A note naming the channels whose spend looks dated a period late, with the line
    that moves it a period earlier.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates).
    roles : Roles
        The mapping.
    table : str
        The raw table's variable, as the fix writes it.
    date_format : str, optional
        Format of the raw table's text dates, as the fix reads them.
    skip : frozenset of str
        Channels named already for another reason (spend paid on sales).

    Returns
    -------
    list of Finding
        At most one.
    """
    late = late_channels(data, roles, skip)
    if not late:
        return []
    names = list(late)
    read = to_datetime_code(f"{table}[{literal(roles.date)}]", date_format)
    rows = f"{table}.loc[{read}.sort_values().index]"
    moved = (f"{rows}.groupby({literal(roles.geo)})[{literal(names)}].shift(-1)"
             if roles.geo else f"{rows}[{literal(names)}].shift(-1)")
    listed = ", ".join(f"{name!r} (F statistic {f:.0f})" for name, f in late.items())
    return [Finding(
        "late_spend",
        f"The spend of {listed} on each date explains the target {roles.target!r} of the "
        "date before better than that of its own date: its dates a period late (a week "
        "labelled by its end beside sales labelled by its start, an invoice date), or its "
        "budget set from the sales before? Spend cannot bring sales before it is spent: as "
        "dated, the model gives it little of its credit. If its dates are late, move its "
        f"spend a period earlier (the last date then has none: leave it out): "
        f"{table}[{literal(names)}] = {moved}; {table} = "
        f"{table}[{table}[{literal(names[0])}].notna()].", tuple(names))]
