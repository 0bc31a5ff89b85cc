"""A first or last week (or month) the export covers only in part.

Platforms export by the week or the month over the date range asked for: a range that
starts or ends mid-week (the last 90 days, a report run on a Wednesday) gives a first or
last row holding a few days of spend and sales. It reads as a week of both falling
together, by the same fraction: the model credits the channels, whose spend fell, with the
baseline's drop (on generated weekly tables whose TV returns 2.0, a first week of 3 days
and a last of 2 made TV's ROAS read 4.0 to 5.2), and the current run-rate a plan starts
from counts a short week as a whole one.

A full week of low spend falls alike too where the channels drive most of the sales: its
target lies where its spend puts it, while a short week's lies under that by the
baseline's share. So the end's target must also lie :data:`BELOW_LINE` robust deviations
under the line its spend, controls, trend and season draw (:func:`~.outliers.unexplained_z`).
On 200 generated weekly tables of one to three channels (ROAS 0.5 to 4, a baseline 0.2 to
3 times the mean spend), the fractions alone named a full first or last week in 25, with
the line in 1; a last week of 1 to 4 days of 7 was named in 682 of 800 by the fractions
alone, in 671 with the line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.outliers import Series, unexplained_z
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: The end's target and spend each at most this fraction of the usual (6 days of 7 reads
#: 0.86, 5 of 7 0.71): a short period, not a quiet one.
SHORT = 0.75
#: Largest gap between the end's target and spend fractions: a period with fewer days has
#: less of both alike; a campaign that ended, or a sales dip, moves only one.
ALIKE = 0.2
#: Periods before (after) the end whose median is the usual.
USUAL = 8
#: Robust deviations the end's target lies under its least-squares line at least (the
#: median over the geos of a panel): a short period loses its baseline's share too.
BELOW_LINE = -2.0
#: Frequencies whose periods an export cuts short.
FREQUENCIES = ("weekly", "monthly")


def partial_period_finding(data: pd.DataFrame, roles: Roles, frequency: str,
                           table: str = "df", date_format: str | None = None,
                           series: list[Series] | None = None) -> list[Finding]:
    """A note when the first or last date's target and spend are both short alike.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates; every geo's rows in a panel).
    roles : Roles
        The mapping.
    frequency : str
        The data's frequency; only weekly and monthly data are looked at.
    table : str
        The raw table's variable, as the fix writes it.
    date_format : str, optional
        Format of the raw table's text dates, as the fix reads them.
    series : list of Series, optional
        :func:`~.outliers.read_series` of ``data``: an end is named only when its target
        lies under their lines too (:data:`BELOW_LINE`); without them, or where a series
        is too short for its line, on the fractions alone.

    Returns
    -------
    list of Finding
        At most one, naming the dates and the fractions, with the line that drops them.
    """
    if frequency not in FREQUENCIES or not roles.channels:
        return []
    totals = data.groupby(roles.date)[[roles.target, *roles.channels]].sum().sort_index()
    if len(totals) < 2 * USUAL:
        return []
    target = totals[roles.target].to_numpy(float)
    spend = totals[list(roles.channels)].sum(axis=1).to_numpy(float)
    short = []
    for end, usual in ((0, slice(1, 1 + USUAL)), (-1, slice(-1 - USUAL, -1))):
        sales_usual, spend_usual = np.median(target[usual]), np.median(spend[usual])
        if sales_usual <= 0 or spend_usual <= 0:
            continue
        sales_part, spend_part = target[end] / sales_usual, spend[end] / spend_usual
        if (0 < sales_part <= SHORT and 0 < spend_part <= SHORT
                and abs(sales_part - spend_part) <= ALIKE
                and _under_the_line(series or [], roles, totals.index[end])):
            short.append((totals.index[end], sales_part, spend_part))
    if not short:
        return []
    period = "week" if frequency == "weekly" else "month"
    named = " and ".join(f"{'first' if when == totals.index[0] else 'last'} date "
                         f"({when:%Y-%m-%d}: target {sales:.0%}, spend {spent:.0%} of the "
                         f"{USUAL} {period}s beside it)"
                         for when, sales, spent in short)
    read = to_datetime_code(f"{table}[{literal(roles.date)}]", date_format)
    dropped = literal([f"{when:%Y-%m-%d}" for when, _, _ in short])
    return [Finding(
        "partial_period",
        f"The {named} {'has' if len(short) == 1 else 'have'} less of both the target and "
        f"the spend, alike: a {period} the export "
        "covers only in part "
        "(a date range starting or ending mid-period)? Kept, the channels are credited with "
        "the baseline's drop that period (their ROAS reads high), and the run-rate a plan "
        "starts from counts it as a whole one. If "
        f"so, leave it out: {table} = {table}[~{read}.isin(pd.to_datetime({dropped}))].",
        (roles.target,))]


def _under_the_line(series: list[Series], roles: Roles, when: pd.Timestamp) -> bool:
    """Whether the target on ``when`` lies :data:`BELOW_LINE` robust deviations under its
    line, in the median of the series that have it (True when none has)."""
    found = []
    for read in series:
        at = np.flatnonzero(read.dates == when)
        z = unexplained_z(read, roles) if len(at) else None
        if z is not None and np.isfinite(z[at[0]]):
            found.append(float(z[at[0]]))
    return not found or float(np.median(found)) <= BELOW_LINE
