"""Rows of one date (and geo) written twice: which of two common causes, and its line.

A date that appears more than once is most often one of two things in an export:

- the same row twice, every mapped value alike: a report downloaded twice, a week appended
  again on a refresh. Dropping the repeats is exact;
- two exports appended, the second starting before the first ended: the dates they share
  come once in the first run of rows and again in the second, the figures sometimes revised
  in between. Keeping the later export's rows keeps the later figures.

:func:`repeated_rows_fix` tells them apart and gives the line; anything else (rows that are
parts of a date, such as campaigns) is left to the generic message, since adding them up or
keeping one would be a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class RepeatedRows:
    """What the repeated rows are, and the line that keeps one row per date.

    Attributes
    ----------
    what : str
        Added to the problem's description.
    fix : str
        The pandas line(s), naming the user's table.
    """

    what: str
    fix: str


def repeated_rows_fix(frame: pd.DataFrame, dates: pd.Series, date: str, geo: str | None,
                      columns: list[str], table: str = "df") -> RepeatedRows | None:
    """The cause of rows sharing a date (and geo), when it is one of the two above.

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table's rows with a geo (in a panel).
    dates : pandas.Series
        Their dates, parsed (aligned with ``frame``).
    date, geo : str
        The mapped date and geo (None for a national table) columns.
    columns : list of str
        The other mapped columns, whose values tell repeats from revisions.
    table : str
        The raw table's variable, as the fix names it.

    Returns
    -------
    RepeatedRows or None
        None when no date repeats, or the rows of a date are neither copies of each other
        nor two exports' overlap.
    """
    keys = pd.DataFrame({"date": dates.to_numpy(),
                         "geo": frame[geo].to_numpy() if geo else 0})
    repeated = keys.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return None
    groups = keys[repeated].groupby(["date", "geo"], sort=False)
    position = np.flatnonzero(repeated)
    values = frame.iloc[position][columns].set_axis(keys.index[repeated])
    # the dates (and geos) whose rows differ in some mapped column
    differ = (values.groupby([keys["date"][repeated], keys["geo"][repeated]], sort=False)
              .nunique(dropna=False) > 1).any(axis=1)
    subset = [date, *([geo] if geo else [])]
    dated = pd.DatetimeIndex(keys["date"][repeated].unique()).sort_values()
    span = (f"{dated[0]:%Y-%m-%d}" if len(dated) == 1 else
            f"{dated[0]:%Y-%m-%d} to {dated[-1]:%Y-%m-%d}")
    if not differ.any():
        rows = int(repeated.sum() - groups.ngroups)
        return RepeatedRows(
            what=(f" {rows} row{'s repeat' if rows > 1 else ' repeats'} another row of the "
                  f"same date{' and geo' if geo else ''} in full: a report downloaded or "
                  "appended twice?"),
            fix=(f"Keep one of each: {table} = "
                 f"{table}.drop_duplicates(subset={subset!r})."))
    order = groups.cumcount().to_numpy()
    every = pd.DatetimeIndex(keys["date"].dropna().unique()).sort_values()
    between = every[(every >= dated[0]) & (every <= dated[-1])]
    if (len(dated) >= 2 and len(between) == len(dated) and groups.size().max() == 2
            and position[order == 0].max() < position[order == 1].min()):
        return RepeatedRows(
            what=(f" The rows of {span} come twice, at the end of the rows before them and "
                  "at the start of the rows after: two exports appended, the second "
                  f"starting before the first ended? Their figures differ on "
                  f"{int(differ.sum())} of the {groups.ngroups} (revised in between?)."),
            fix=(f"Keep the later export's rows: {table} = "
                 f"{table}.drop_duplicates(subset={subset!r}, keep='last')."))
    return None
