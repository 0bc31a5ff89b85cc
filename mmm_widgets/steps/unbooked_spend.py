"""Spend not yet booked: no channel spends on the table's last dates, while sales go on.

Invoices and ad platforms' final figures come in weeks after the sales do, and a table
exported before them writes its last weeks' spend as 0. Read as no spend, those weeks'
sales are the baseline's, and every channel's return reads low: on two generated weekly
tables (TV returning 2.0, search 3.0; MAP fits), four such weeks of 156 read TV's ROAS as
1.6 and 1.8 and search's as 2.0 and 2.2 (2.0-2.1 and 3.2 with them left out); eight weeks,
1.3-1.5 and 1.5-1.6. Until now the kit named those weeks' sales as outliers, and a last
fortnight of the year as a holiday that falls every year.

:func:`find_unbooked` finds a run of :data:`LEAST_RUN` or more dates at the table's end on
which no channel spends in any geo, when the channels together spend on every date before
it and the target stays above :data:`KEPT_LEVEL` of its level before; :func:`unbooked_finding`
names it with the line that fits the dates before it.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.outliers import Outage
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: Fewest dates at the end without any spend for them to be named.
LEAST_RUN = 2
#: The target over the run must stay at this share of its median over the :data:`BEFORE`
#: dates before it: not a business shut (all media stopped also takes its share of sales,
#: which can be half of them).
KEPT_LEVEL = 0.5
#: Dates before the run its level is read over (a quarter of weeks).
BEFORE = 13


class Unbooked(NamedTuple):
    """The last dates, on which no channel spends."""

    first: pd.Timestamp
    last: pd.Timestamp
    periods: int
    last_spent: pd.Timestamp  #: the last date with spend
    kept: float  #: the target's median over the run, over its median before

    def as_outage(self) -> Outage:
        """The run as periods the checks of the target leave out of their fits."""
        return Outage(None, self.first, self.last, self.periods, 0.0)


def find_unbooked(data: pd.DataFrame, roles: Roles) -> Unbooked | None:
    """The run of dates at the end without spend, while sales go on, or None.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates; a panel's geos summed per date).
    roles : Roles
        The mapping.

    Returns
    -------
    Unbooked or None
    """
    by_date = data.groupby(roles.date)[[roles.target, *roles.channels]].sum().sort_index()
    spend = by_date[list(roles.channels)].sum(axis=1).to_numpy(float)
    target = by_date[roles.target].to_numpy(float)
    run = int(np.argmax(spend[::-1] > 0)) if (spend > 0).any() else 0
    before = len(spend) - run
    if run < LEAST_RUN or before < 4 * run or (spend[:before] <= 0).any():
        return None
    level = float(np.median(target[max(0, before - BEFORE):before]))
    if level <= 0 or np.median(target[before:]) < KEPT_LEVEL * level:
        return None  # sales fell with it: a business shut, or the table's end
    dates = by_date.index
    kept = float(np.median(target[before:])) / level
    return Unbooked(dates[before], dates[-1], run, dates[before - 1], kept)


def unbooked_finding(found: Unbooked | None, roles: Roles, table: str = "df",
                     date_format: str | None = None) -> list[Finding]:
    """The note on spend not yet booked, with the line that fits the dates before it.

    Parameters
    ----------
    found : Unbooked or None
        From :func:`find_unbooked`.
    roles : Roles
        The mapping.
    table : str
        The raw table's variable, as the fix writes it.
    date_format : str or None
        How the table's dates read.

    Returns
    -------
    list of Finding
        Kind ``"unbooked_spend"``, one at most.
    """
    if found is None:
        return []
    dates = to_datetime_code(f"{table}[{roles.date!r}]", date_format)
    kept = f"{found.last_spent:%Y-%m-%d}"
    return [Finding(
        "unbooked_spend",
        f"No channel spends on the last {found.periods} dates ({found.first:%Y-%m-%d} to "
        f"{found.last:%Y-%m-%d}), though they spent on every date before, and "
        f"{roles.target!r} goes on ({found.kept:.0%} of its level the quarter before): "
        "spend not yet booked when the table was exported (invoices and platforms' final "
        "figures come in after the sales)? Read as no spend, those sales would be taken "
        "for the baseline's and every channel's return read low (on generated tables, "
        "four such weeks of 156 read search's ROAS as 2.0 to 2.2 for 3.0). If so, fit "
        "the dates before them: "
        f"{table} = {table}[{dates} <= {kept!r}]; or fill in the spend.",
        tuple(roles.channels))]
