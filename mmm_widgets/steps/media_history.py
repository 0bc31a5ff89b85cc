"""Dates at either end on which no channel's spend is written, while the target's is.

Media spend and sales come from different systems, and a table joined from them often has
more history of one than the other: sales from the shop's first year, spend from the year
the agency began reporting it; or the last weeks' spend not in yet. The channels' cells on
those dates are empty. The kit used to name every channel for its missing values with the
line that reads empty spend as 0, which fits the sales of those dates as the baseline's:
on two generated weekly tables (TV returning 2.0, search 3.0), 26 such weeks of 208 read
TV's ROAS as 0.9 and 1.2 and search's as 1.1 and 1.3; 52 weeks, 0.6 to 0.8 and 0.5 to 0.8
(1.8 to 1.9 and 2.8 to 2.9 with the dates left out).

:func:`dates_without_spend` finds such runs, of :data:`LEAST_RUN` dates or more, and
:func:`no_spend_problem` names them once, with the line that fits the dates between them,
and the line that reads them as 0 for a business that did not advertise then. One
channel's figures that end before the table's (its export stops earlier than the others')
get the line that fits the dates up to its last figure from :func:`ended_early_fix`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.dates import to_datetime_code

#: Fewest dates at an end without any spend written for them to be named as a run (one
#: empty first or last date is a partial export's, and named with the channels' cells).
LEAST_RUN = 2
#: Rows listed in the problem.
_LISTED = 20


class NoSpend(NamedTuple):
    """The runs of dates without spend at the table's start and end."""

    start: pd.Index  #: empty unless it has :data:`LEAST_RUN` dates or more
    end: pd.Index
    first_spent: pd.Timestamp  #: the first date with spend written
    last_spent: pd.Timestamp

    @property
    def dates(self) -> pd.Index:
        """The dates of both runs."""
        return self.start.append(self.end)


def empty_edge_dates(cells: pd.DataFrame, dates: pd.Series) -> tuple[pd.Index, pd.Index]:
    """The first and last dates on which no row has any of ``cells`` written.

    Parameters
    ----------
    cells : pandas.DataFrame
        The columns looked at (rows of every geo).
    dates : pandas.Series
        The rows' dates, parsed (aligned with ``cells``).

    Returns
    -------
    (pandas.Index, pandas.Index)
        The dates of the run at the start and of the run at the end, sorted; both empty
        when every date, or none, lacks them.
    """
    dated = dates.notna().to_numpy()
    if cells.shape[1] == 0 or not dated.any():
        return pd.DatetimeIndex([]), pd.DatetimeIndex([])
    empty = (cells[dated].isna().all(axis=1).groupby(dates[dated].to_numpy()).all()
             .sort_index())
    flags = empty.to_numpy()
    if flags.all() or not flags.any():
        return empty.index[:0], empty.index[:0]
    lead, trail = int(np.argmin(flags)), int(np.argmin(flags[::-1]))
    return empty.index[:lead], empty.index[len(flags) - trail:]


def dates_without_spend(spend: pd.DataFrame, dates: pd.Series) -> NoSpend | None:
    """The first and last dates on which no row has any channel's spend written.

    Parameters
    ----------
    spend : pandas.DataFrame
        The channels' columns (rows of every geo).
    dates : pandas.Series
        The rows' dates, parsed (aligned with ``spend``).

    Returns
    -------
    NoSpend or None
        None unless a run at either end has :data:`LEAST_RUN` dates or more.
    """
    start, end = empty_edge_dates(spend, dates)
    if max(len(start), len(end)) < LEAST_RUN:
        return None
    known = pd.DatetimeIndex(dates.dropna().unique()).sort_values()
    return NoSpend(start if len(start) >= LEAST_RUN else start[:0],
                   end if len(end) >= LEAST_RUN else end[:0],
                   known[len(start)], known[len(known) - 1 - len(end)])


def no_spend_problem(found: NoSpend, date: str, target: str,
                     date_format: str | None, where: Callable[[pd.Index], list[str]],
                     rows: pd.Index, table: str = "df") -> Problem:
    """The dates without spend at either end, named once with the lines that fix them.

    Parameters
    ----------
    found : NoSpend
        From :func:`dates_without_spend`.
    date, target : str
        The mapped date and target columns.
    date_format : str or None
        How the table's dates read (the line parses them the same way).
    where : callable
        Labels rows (``row 3 (2022-01-24)``).
    rows : pandas.Index
        The table's rows on those dates.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    Problem
    """
    start, end = found.start, found.end
    parts = []
    if len(start):
        parts.append(f"the first {len(start)} dates ({start[0]:%Y-%m-%d} to "
                     f"{start[-1]:%Y-%m-%d}: media history that starts later than the "
                     "sales'?)")
    if len(end):
        parts.append(f"the last {len(end)} dates ({end[0]:%Y-%m-%d} to {end[-1]:%Y-%m-%d}: "
                     "spend not in yet when the table was exported?)")
    dates = to_datetime_code(f"{table}[{date!r}]", date_format)
    first, last = f"{found.first_spent:%Y-%m-%d}", f"{found.last_spent:%Y-%m-%d}"
    kept = (f"{dates}.between({first!r}, {last!r})" if len(start) and len(end) else
            f"{dates} >= {first!r}" if len(start) else f"{dates} <= {last!r}")
    return problem(
        f"No channel has spend written on {' and on '.join(parts)}, while {target!r} is. "
        "Read as no spend, those sales would be taken for the baseline's and every "
        "channel's return read low (on generated weekly tables, 26 such weeks of 208 read "
        "TV's ROAS as 0.9 to 1.2 for 2.0).",
        f"Fit the dates with spend: {table} = {table}[{kept}]. If nothing was spent on "
        "those dates (no advertising then), read empty spend as 0 instead: "
        "map_data(..., empty_spend_is_zero=True).",
        column=date, rows=where(rows[:_LISTED]), count=len(rows))


def ended_early_fix(spend: pd.Series, dates: pd.Series, column: str, date: str,
                    date_format: str | None, table: str = "df") -> str | None:
    """The line for a channel whose empty cells are all on the table's last dates.

    Parameters
    ----------
    spend : pandas.Series
        The channel's cells (rows of every geo).
    dates : pandas.Series
        The table's dates, parsed (aligned with the table; ``spend`` may lack rows).
    column, date : str
        The channel and the mapped date column.
    date_format : str or None
        How the table's dates read.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    str or None
        The sentence with the line that fits the dates up to its last figure; None unless
        its empty cells fill the table's last :data:`LEAST_RUN` dates or more and no other.
    """
    at = dates.reindex(spend.index)
    _, trailing = empty_edge_dates(spend.to_frame(), at)
    before = (at.notna() & ~at.isin(trailing)).to_numpy()
    if len(trailing) < LEAST_RUN or spend[before].isna().any():
        return None
    last = at[~at.isin(trailing)].max()
    parsed = to_datetime_code(f"{table}[{date!r}]", date_format)
    return (f"If the figures of {column!r} end before the table's (its export stops on "
            f"{last:%Y-%m-%d}; the last {len(trailing)} dates lack them), fit the dates up "
            f"to then: {table} = {table}[{parsed} <= {f'{last:%Y-%m-%d}'!r}]")
