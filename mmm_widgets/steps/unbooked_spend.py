"""Spend not booked: no channel spends on the table's first or last dates, sales go on.

Invoices and ad platforms' final figures come in weeks after the sales do, and a table
exported before them writes its last weeks' spend as 0. Read as no spend, those weeks'
sales are the baseline's, and every channel's return reads low: on two generated weekly
tables (TV returning 2.0, search 3.0; MAP fits), four such weeks of 156 read TV's ROAS as
1.6 and 1.8 and search's as 2.0 and 2.2 (2.0-2.1 and 3.2 with them left out); eight weeks,
1.3-1.5 and 1.5-1.6. Until now the kit named those weeks' sales as outliers, and a last
fortnight of the year as a holiday that falls every year.

The same at the start is media history that begins later than the sales' (the agency's
reports from the second year), written as 0: 26 such weeks of 208 read TV's ROAS as 0.9 and
1.2 and search's as 1.1 and 1.3; 52 weeks, 0.6 to 0.8 and 0.5 to 0.8 (1.8 to 1.9 and 2.8 to
2.9 with those 52 left out). The kit named their sales as a step in the target's level.
Empty rather than 0, they are named before mapping
(:mod:`~mmm_widgets.steps.media_history`).

:func:`find_unbooked` finds a run of :data:`LEAST_RUN` or more dates at the table's end on
which no channel spends in any geo, when the channels together spend on every date before
it and the target stays above :data:`KEPT_LEVEL` of its level before, and such a run at the
start; :func:`unbooked_finding` names each with the line that fits the dates with spend.

One channel's spend alone can come in late (an agency's invoice): a channel that spends on
every date, then on none of the last ones while the others go on and the target holds,
is named the same way. On the two tables, search's last four weeks at 0 read its ROAS as
2.61 and 2.63 (3.15 and 3.21 as booked), eight weeks 2.23 and 1.89, without a note. A
channel that pauses now and then (flighted TV) is not read so.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.outliers import Outage
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: Fewest dates at an end without any spend for them to be named.
LEAST_RUN = 2
#: The target over the run must stay at this share of its median over the :data:`BEFORE`
#: dates before it: not a business shut (all media stopped also takes its share of sales,
#: which can be half of them).
KEPT_LEVEL = 0.5
#: Dates beside the run the target's level is read over (a quarter of weeks).
BEFORE = 13


class Unbooked(NamedTuple):
    """Dates at the table's start or end on which no channel spends."""

    at: str  #: ``"start"`` or ``"end"``
    first: pd.Timestamp
    last: pd.Timestamp
    periods: int
    spent: pd.Timestamp  #: the date with spend next to the run (the first or last kept)
    kept: float  #: the target's median over the run, over its median beside it
    channel: str | None = None  #: the one channel without spend (None: every channel)

    def as_outage(self) -> Outage:
        """The run as periods the checks of the target leave out of their fits."""
        return Outage(None, self.first, self.last, self.periods, 0.0)


def find_unbooked(data: pd.DataFrame, roles: Roles) -> list[Unbooked]:
    """The runs of dates at either end without spend, while sales go on.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates; a panel's geos summed per date).
    roles : Roles
        The mapping.

    Returns
    -------
    list of Unbooked
        The run at the start (at most half the dates), then the one at the end (at most a
        fifth), each of :data:`LEAST_RUN` dates or more.
    """
    by_date = data.groupby(roles.date)[[roles.target, *roles.channels]].sum().sort_index()
    spend = by_date[list(roles.channels)].sum(axis=1).to_numpy(float)
    target = by_date[roles.target].to_numpy(float)
    if not (spend > 0).any():
        return []
    dates, found = by_date.index, []
    run = int(np.argmax(spend > 0))
    if _unbooked(spend[run:], target[:run], target[run:run + BEFORE], run, most=0.5):
        found.append(Unbooked("start", dates[0], dates[run - 1], run, dates[run],
                              _kept(target[:run], target[run:run + BEFORE])))
    end = _end_run(spend, target, dates)
    if end is not None:
        found.append(end)
    elif len(roles.channels) > 1:  # one channel's spend alone not booked yet
        found += [run for channel in dict.fromkeys(roles.channels)
                  if (run := _end_run(by_date[channel].to_numpy(float), target, dates,
                                      channel)) is not None]
    return found


def _end_run(spend: np.ndarray, target: np.ndarray, dates: pd.Index,
             channel: str | None = None) -> Unbooked | None:
    """The run of dates at the end without ``spend`` (a channel's, or all channels'),
    when it is named (:func:`_unbooked`; at most a fifth of the dates)."""
    run = int(np.argmax(spend[::-1] > 0)) if (spend > 0).any() else 0
    before = len(spend) - run
    beside = target[max(0, before - BEFORE):before]
    if not _unbooked(spend[:before], target[before:], beside, run, most=0.2):
        return None
    return Unbooked("end", dates[before], dates[-1], run, dates[before - 1],
                    _kept(target[before:], beside), channel)


def _unbooked(spent: np.ndarray, over: np.ndarray, beside: np.ndarray, run: int,
              most: float) -> bool:
    """Whether a run of ``run`` dates without spend is named: long enough, at most
    ``most`` of the dates, spend on every other date, and the target kept."""
    if run < LEAST_RUN or run > most * (run + len(spent)) or (spent <= 0).any():
        return False
    level = float(np.median(beside))
    # sales that fell with it: a business shut, or the table's end
    return level > 0 and float(np.median(over)) >= KEPT_LEVEL * level


def _kept(over: np.ndarray, beside: np.ndarray) -> float:
    return float(np.median(over)) / float(np.median(beside))


def unbooked_finding(found: list[Unbooked], roles: Roles, table: str = "df",
                     date_format: str | None = None) -> list[Finding]:
    """The notes on spend not (yet) booked, with the line that fits the dates with it.

    Parameters
    ----------
    found : list of Unbooked
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
        Kind ``"unbooked_spend"``, one per run.
    """
    dates = to_datetime_code(f"{table}[{roles.date!r}]", date_format)
    return [Finding("unbooked_spend", (_start_message if run.at == "start" else
                                       _channel_end_message if run.channel else
                                       _end_message)(run, roles.target, table, dates),
                    (run.channel,) if run.channel else tuple(roles.channels))
            for run in found]


def _end_message(found: Unbooked, target: str, table: str, dates: str) -> str:
    return (
        f"No channel spends on the last {found.periods} dates ({found.first:%Y-%m-%d} to "
        f"{found.last:%Y-%m-%d}), though they spent on every date before, and "
        f"{target!r} goes on ({found.kept:.0%} of its level the quarter before): "
        "spend not yet booked when the table was exported (invoices and platforms' final "
        "figures come in after the sales)? Read as no spend, those sales would be taken "
        "for the baseline's and every channel's return read low (on generated tables, "
        "four such weeks of 156 read search's ROAS as 2.0 to 2.2 for 3.0). If so, fit "
        f"the dates before them: {_kept_dates(found, table, dates)}")


def _channel_end_message(found: Unbooked, target: str, table: str, dates: str) -> str:
    return (
        f"{found.channel!r} spends on every date but the last {found.periods} "
        f"({found.first:%Y-%m-%d} to {found.last:%Y-%m-%d}), while the other channels go "
        f"on and {target!r} holds ({found.kept:.0%} of its level the quarter before): its "
        "spend not yet booked when the table was exported (an invoice that comes in "
        "late)? Read as no spend, those sales would be taken for the other channels' and "
        "the baseline's, and its return read low (on generated tables, search's last four "
        "weeks of 156 at 0 read its ROAS as 2.6 for 3.0; eight weeks, 1.9 and 2.2). If "
        f"so, fit the dates before them: {_kept_dates(found, table, dates)} If it stopped "
        "then, keep them.")


def _start_message(found: Unbooked, target: str, table: str, dates: str) -> str:
    return (
        f"No channel spends on the first {found.periods} dates ({found.first:%Y-%m-%d} to "
        f"{found.last:%Y-%m-%d}), though they spent on every date after, and {target!r} "
        f"is there ({found.kept:.0%} of its level the quarter after): media history that "
        "starts later than the sales', written as 0? Read as no spend, those sales would "
        "be taken for the baseline's and every channel's return read low (on generated "
        "weekly tables, 26 such weeks of 208 read TV's ROAS as 0.9 to 1.2 for 2.0 and "
        "search's as 1.1 to 1.3 for 3.0). If so, fit the dates from the first spend: "
        f"{_kept_dates(found, table, dates)} If nothing was spent then, keep them: dates "
        "without advertising tell the baseline.")


def _kept_dates(found: Unbooked, table: str, dates: str) -> str:
    """The line that keeps the dates with spend beside the run, and the other way out."""
    side = ">=" if found.at == "start" else "<="
    return (f"{table} = {table}[{dates} {side} {f'{found.spent:%Y-%m-%d}'!r}]; or fill in "
            "the spend.")
