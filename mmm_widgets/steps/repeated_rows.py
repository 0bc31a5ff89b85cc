"""Rows of one date (and geo) written twice: which of two common causes, and its line.

A date that appears more than once is most often one of two things in an export:

- the same row twice, every mapped value alike: a report downloaded twice, a week appended
  again on a refresh. Dropping the repeats is exact;
- two exports appended, the second starting before the first ended: the dates they share
  come once in the first run of rows and again in the second, the figures sometimes revised
  in between. Keeping the later export's rows keeps the later figures.

In a panel, a geo whose every date comes twice, in two runs of rows whose figures differ by
more than a revision's (:data:`REVISION`) on nearly every date, is two geos under one name
(a public table of 27 divisions lettered ``A`` to ``Z`` has two ``Z``): keeping one run
would drop a geo, and the line names the second run apart (:func:`doubled_geos`).

:func:`repeated_rows_fix` tells them apart and gives the line; anything else (rows that are
parts of a date, such as campaigns) is left to the generic message, since adding them up or
keeping one would be a guess.

A third cause comes before both: tables stacked one under the other (``pd.concat`` of the
media plan and the sales, where a join on the date was meant), so each date has a row of
spend without sales and a row of sales without spend. Read as they are, every channel and the
target have missing values, and the two causes above would keep one of the rows and lose
the other's columns. :func:`stacked_rows_fix` names them with the line that joins each
date's rows into one.

Row labels written twice (tables put together with ``pd.concat`` and their own indexes) are
no problem in themselves; where the table has problems, :func:`repeated_labels_problem` says
that their rows are counted by position, with the line that numbers the rows so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal, plain
from mmm_widgets.errors import Problem, problem

#: Sets of columns the rows of a stacked date hold, named in the problem (most common first).
_KINDS_LISTED = 4
#: Least share of a doubled geo's dates whose two rows differ by more than
#: :data:`REVISION` for them to be two geos.
TWO_GEOS_DIFFER = 0.9
#: The most a figure moves when an export is revised (a share of it): two geos' rows differ
#: by more in some column.
REVISION = 0.05


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
    doubled = doubled_geos(keys["date"], keys["geo"]) if geo else []
    if doubled and (_far_apart(values, keys[repeated]).groupby(level=1).mean()[doubled]
                    >= TWO_GEOS_DIFFER).all() and all(
            position[(order == 0) & on].max() < position[(order == 1) & on].min()
            for on in (keys["geo"][repeated].to_numpy() == g for g in doubled)):
        names = ", ".join(map(repr, doubled))
        second = f"{table}.duplicated(subset={literal(subset)})"
        named = f"{table}[{literal(geo)}]"
        return RepeatedRows(
            what=(f" {'Geo' if len(doubled) == 1 else 'Geos'} {names} "
                  f"{'has' if len(doubled) == 1 else 'have'} every date twice, in two runs "
                  f"of rows whose figures differ by more than {REVISION:.0%} on nearly every "
                  "date: two geos under one name? Keeping one row per date would drop one "
                  "of them."),
            fix=(f"Name the second run apart: second = {second}; {named} = "
                 f"{named}.astype(str).where(~second, {named}.astype(str) + ' (2)')."))
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


def _far_apart(values: pd.DataFrame, keys: pd.DataFrame) -> pd.Series:
    """For each (date, geo) of repeated rows, whether some numeric column's rows differ by
    more than :data:`REVISION` of their mean."""
    numeric = values.apply(pd.to_numeric, errors="coerce")
    grouped = numeric.groupby([keys["date"], keys["geo"]], sort=False)
    spread = (grouped.max() - grouped.min()) / grouped.mean().abs()
    return (spread > REVISION).any(axis=1)


def doubled_geos(dates: pd.Series, geos: pd.Series) -> list[object]:
    """The geos of a panel whose every date comes exactly twice, when every other geo (one
    at least) has each date once.

    Parameters
    ----------
    dates, geos : pandas.Series
        Each row's date and geo.

    Returns
    -------
    list
        The doubled geos, in the order they first appear.

    Examples
    --------
    >>> dates = pd.Series([1, 2, 1, 2, 1, 2, 1, 2])
    >>> doubled_geos(dates, pd.Series(list("AABBZZZZ")))
    ['Z']
    """
    counts = pd.DataFrame({"date": dates.to_numpy(), "geo": geos.to_numpy()}).groupby(
        ["geo", "date"], sort=False).size()
    least, most = counts.groupby(level=0, sort=False).min(), counts.groupby(
        level=0, sort=False).max()
    doubled = least.index[(least == 2) & (most == 2)]
    single = least.index[most == 1]
    if len(doubled) == 0 or len(single) == 0 or len(single) + len(doubled) < len(least):
        return []
    return list(doubled)


#: Most rows beyond one per date and geo, as a share of a panel's rows, for a date column
#: repeated in a few geos to be a typing slip (:func:`panel_with_few_repeats`).
FEW_REPEATS = 0.05
#: Least share of all (date, geo) pairs a panel holds for it to be one.
NEARLY_EVERY_PAIR = 0.9


def panel_with_few_repeats(dates: pd.Series, geos: pd.Series) -> bool:
    """Whether the rows are a panel (nearly every date in every geo) with a few dates
    written twice in a geo, as a date typed for its neighbour leaves them.

    A column of events or campaigns beside the dates of a national table holds one value a
    date, far from every date in every value, and a long table's repeats are one a channel:
    neither is a panel with few repeats.

    Parameters
    ----------
    dates, geos : pandas.Series
        Each row's date and geo (rows where either is empty are left out).

    Returns
    -------
    bool
        True when at most :data:`FEW_REPEATS` of the rows repeat a (date, geo) pair and the
        distinct pairs are at least :data:`NEARLY_EVERY_PAIR` of dates x geos.

    Examples
    --------
    >>> dates = pd.Series([1, 2, 3, 4] * 5 + [2])
    >>> panel_with_few_repeats(dates, pd.Series(list("AAAABBBBCCCCDDDDEEEE") + ["C"]))
    True
    >>> panel_with_few_repeats(pd.Series([1, 2, 3, 3]), pd.Series(["x", "y", "x", "y"]))
    False
    """
    pairs = pd.DataFrame({"date": dates.to_numpy(), "geo": geos.to_numpy()}).dropna()
    distinct = pairs.drop_duplicates()
    every = pairs["date"].nunique() * pairs["geo"].nunique()
    return (len(pairs) - len(distinct) <= FEW_REPEATS * len(pairs)
            and len(distinct) >= NEARLY_EVERY_PAIR * every)


def joined_rows_code(table: str, keys: list[str], how: str) -> str:
    """The method that joins the grouped rows of a date (and geo) into one, as code.

    Parameters
    ----------
    table : str
        The raw table's variable.
    keys : list of str
        The columns grouped on (not joined).
    how : str
        ``"first"``: each row fills the others' empty cells; ``"sum"``: each holds 0 where
        the others hold a number (numbers are summed, text is the first).

    Returns
    -------
    str
        Code to follow ``.groupby(...)``, e.g. ``"first()"``.
    """
    if how == "first":
        return "first()"
    return (f"agg({{c: 'sum' if pd.api.types.is_numeric_dtype({table}[c]) else 'first' "
            f"for c in {table}.columns.drop({keys!r})}})")


def stacked_rows_fix(frame: pd.DataFrame, date: str, geo: str | None, columns: list[str],
                     table: str = "df") -> RepeatedRows | None:
    """Rows of one date (and geo) that each hold what the others leave empty, or None.

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table (rows without a geo are not looked at).
    date, geo : str
        The mapped date and geo (None for a national table) columns, grouped on as
        written: the line groups on them.
    columns : list of str
        The other mapped columns.
    table : str
        The raw table's variable, as the fix names it.

    Returns
    -------
    RepeatedRows or None
        None unless some date repeats and, on every repeated date, each mapped column is
        written on one of its rows at most: left empty on the others (the join takes the
        first written value), or 0 on the others (the join sums the numbers).
    """
    keys = [date, *([geo] if geo else [])]
    rows = frame[frame[keys].notna().all(axis=1)]
    repeated = rows.duplicated(subset=keys, keep=False).to_numpy()
    if not repeated.any() or not columns:
        return None
    values = rows.loc[repeated, columns]
    by = [rows.loc[repeated, k].to_numpy() for k in keys]
    written = values.notna()
    if (written.groupby(by, sort=False).sum() <= 1).all(axis=None):
        joined = joined_rows_code(table, keys, "first")
    else:
        numbers = [c for c in columns if pd.api.types.is_numeric_dtype(values[c])]
        written[numbers] = values[numbers].fillna(0).ne(0)
        if not numbers or (written.groupby(by, sort=False).sum() > 1).any(axis=None):
            return None
        joined = joined_rows_code(table, keys, "sum")
    dates = pd.Index(rows.loc[repeated, date]).unique()
    # the sets of columns the rows hold, most common first
    kinds = [kind for pattern in written.value_counts().index
             if (kind := tuple(c for c, held in zip(columns, pattern, strict=True) if held))]
    parts = "; ".join(", ".join(map(repr, kind)) for kind in kinds[:_KINDS_LISTED])
    parts += "; ..." if len(kinds) > _KINDS_LISTED else ""
    return RepeatedRows(
        what=(f" The {len(dates)} date{'s' if len(dates) > 1 else ''} "
              f"{'come' if len(dates) > 1 else 'comes'} on more than one row"
              f"{' per geo' if geo else ''}, each row holding what the others leave "
              f"{'empty' if joined == 'first()' else 'empty or 0'} ({parts}): tables "
              "stacked one under the other (pd.concat), not joined on the date? Read as "
              "they are, every row lacks a part, and keeping one row of each date would "
              "lose the others' columns."),
        fix=(f"Join each date's rows into one: {table} = {table}.groupby({keys!r}, "
             f"as_index=False, sort=False).{joined}."))


def repeated_labels_problem(index: pd.Index, table: str = "df") -> Problem:
    """Row labels that repeat: the other problems' rows are counted by position.

    Parameters
    ----------
    index : pandas.Index
        The table's index, some labels on more than one row.
    table : str
        The raw table's variable, as the fix names it.

    Returns
    -------
    Problem
    """
    counts = index.value_counts()
    repeated = counts[counts > 1]
    label = repeated.index[0]
    label = plain(label)  # 0, not np.int64(0)
    return problem(
        f"The table's row labels repeat ({label!r} on {int(repeated.iloc[0])} rows; "
        f"{len(repeated)} label{'s' if len(repeated) > 1 else ''} in all): tables put "
        "together with pd.concat, each with its own row numbers? The rows named below are "
        "counted from 0 in the table's order, not by those labels.",
        f"Number the rows in order to find them: {table} = "
        f"{table}.reset_index(drop=True).")


def parts_of_dates_fix(keys: list[str], summed: list[str], kept: list[str],
                       table: str = "df") -> str:
    """The lines for dates written on several rows for a reason the values do not tell:
    rows holding parts of their date (campaigns, live streams) added up, or a correction
    written after the row it corrects kept alone.

    Parameters
    ----------
    keys : list of str
        The date column (and the geo column of a panel).
    summed : list of str
        The columns a date's parts add up to (the channels and the target).
    kept : list of str
        The columns each part repeats (the controls): the first row's is kept.
    table : str
        The raw table's variable.

    Returns
    -------
    str

    Examples
    --------
    >>> parts_of_dates_fix(["date"], ["tv", "sales"], ["price"])
    "If each row holds a part of its date (a campaign's, a live stream's), add them up: \
df = df.groupby(['date'], as_index=False, sort=False).agg({'tv': 'sum', 'sales': 'sum', \
'price': 'first'}); if a later row corrects an earlier one, keep the last: \
df = df.drop_duplicates(subset=['date'], keep='last'); if a date was typed for \
another, correct it in the table."
    """
    how = {**{c: "sum" for c in summed}, **{c: "first" for c in kept if c not in summed}}
    return (f"If each row holds a part of its date (a campaign's, a live stream's), add them "
            f"up: {table} = {table}.groupby({literal(keys)}, as_index=False, sort=False)"
            f".agg({literal(how)}); if a later row corrects an earlier one, keep the last: "
            f"{table} = {table}.drop_duplicates(subset={literal(keys)}, keep='last'); if a "
            "date was typed for another, correct it in the table.")
