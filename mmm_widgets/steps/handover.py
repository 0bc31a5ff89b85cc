"""One channel's spend stopping as another's starts, at a like level: a channel renamed.

Long histories cross the day a platform or an account was renamed (Facebook became Meta,
Twitter X, an agency's new naming): the export writes one channel under two names, each
spending only on its side of that day. Mapped as two channels, each is fitted on its own
part of the history, and a budget plan treats the stopped one as a channel of its own,
to restart or to cut. :func:`handover_finding` names such a pair, with the line that
merges them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: Periods each side must spend over, and must stand off the table's ends by (a stop in
#: the last weeks is a campaign's end, not a handover).
LEAST_PERIODS = 8
#: Most periods between one's last spend and the other's first (a gap of a week or two,
#: or an overlap of as much, as accounts are switched).
MOST_GAP = 2
#: Most that one side's typical (median) spend may be of the other's, either way.
LEVEL_RATIO = 3.0


def handover_finding(data: pd.DataFrame, roles: Roles, table: str = "df"
                     ) -> list[Finding]:
    """A note per pair of channels where one stops spending as the other starts.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates; a panel's geos summed per date).
    roles : Roles
        The mapping.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    list of Finding
        Kind ``"handover"``, one per pair, each channel in one pair at most.
    """
    channels = list(roles.channels)
    if len(channels) < 2:
        return []
    spend = data.groupby(roles.date)[channels].sum().sort_index()
    periods = len(spend)
    spans = {c: _span(spend[c].to_numpy(float) > 0) for c in channels}
    found, paired = [], set()
    for first in channels:
        for then in channels:
            if {first, then} & paired or first == then:
                continue
            if _hands_over(spans[first], spans[then], periods) and _alike(spend[first],
                                                                          spend[then]):
                paired |= {first, then}
                found.append(_finding(first, then, spend.index[spans[first][1]],
                                      spend.index[spans[then][0]], table))
    return found


def _span(spent: np.ndarray) -> tuple[int, int]:
    """The first and last period a channel spends in ((-1, -1) when none)."""
    where = np.flatnonzero(spent)
    return (int(where[0]), int(where[-1])) if len(where) else (-1, -1)


def _hands_over(first: tuple[int, int], then: tuple[int, int], periods: int) -> bool:
    """Whether ``first`` spends from near the start and stops, and ``then`` starts within
    :data:`MOST_GAP` periods of that stop and spends to near the end."""
    (start, stop), (begin, end) = first, then
    if start < 0 or begin < 0:
        return False
    return (stop - start + 1 >= LEAST_PERIODS and end - begin + 1 >= LEAST_PERIODS
            and stop <= periods - 1 - LEAST_PERIODS and begin >= LEAST_PERIODS
            and abs(begin - (stop + 1)) <= MOST_GAP)


def _alike(first: pd.Series, then: pd.Series) -> bool:
    """Whether the two channels' typical spend, where they spend, is of a like level."""
    one, other = float(first[first > 0].median()), float(then[then > 0].median())
    return max(one, other) <= LEVEL_RATIO * min(one, other)


def _finding(first: str, then: str, stopped: pd.Timestamp, started: pd.Timestamp,
             table: str) -> Finding:
    merged = f"{table}[{literal(then)}]"
    return Finding(
        "handover",
        f"{first!r} spends until {stopped:%Y-%m-%d} and {then!r} from {started:%Y-%m-%d} "
        f"on, at a like level: one channel renamed (or its buy moved to another "
        f"account)? Kept apart, each is fitted on its own part of the history, and a "
        f"budget plan treats {first!r} as a channel of its own, to restart or cut. If so,"
        f" merge them before mapping and map {then!r} alone: {merged} = "
        f"{table}[{literal(first)}] + {merged}.", (first, then))
