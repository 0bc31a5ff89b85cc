"""One channel (or the target) under two names, each empty where the other is written:
exports appended with the column renamed.

A history put together from two exports whose spend columns are named differently
(``tv`` in last year's, ``TV Spend`` in this year's) comes out of ``pd.concat`` with each
column empty on the other export's rows. Each was named for its missing values, with the
line that fits the dates up to where its figures end (half the history left out) or the
option that reads empty spend as 0 (two channels, each fitted on its own part of the
history; a budget plan then treats the old name as a channel to restart or cut).
:func:`split_channels` finds such pairs among the mapped channels: on every row exactly
one of the two is written, each on :data:`LEAST_ROWS` rows or more. Names that say other
channels (their words besides spend) must follow one another in time at a like level
(:data:`LEVEL_RATIO`): TV in one geo's export and radio in another's are two channels. Of
several that fit one channel, the one whose name says the same channel comes first, then
the one spending at the likest level. A mapped column is paired with an unmapped one of
numbers (its later name, left out of the mapping) when no mapped one fits: the target too,
whose dates under the other name had been named as dates to drop. A name that says a plan,
a forecast or last year's figures is never the other name (``Sales Forecast`` written on
the dates after the actuals'). :func:`split_problem`
names a pair with the line that merges them under the mapped name (the later, when both
are mapped).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.names import not_media_kind, spend_stem

#: Fewest rows each name must be written on.
LEAST_ROWS = 4
#: Most that two differently named channels' typical spend may be apart (a factor), for
#: one to be read as the other renamed.
LEVEL_RATIO = 3.0


def split_channels(columns: pd.DataFrame, dates: pd.Series | None = None,
                   spare: pd.DataFrame | None = None) -> list[tuple[str, str]]:
    """The pairs of columns written each where the other is empty, earlier name first.

    Parameters
    ----------
    columns : pandas.DataFrame
        The mapped channels' cells (or the target's).
    dates : pandas.Series, optional
        The rows' dates, parsed (aligned with ``columns``): which name came first. Row
        order otherwise.
    spare : pandas.DataFrame, optional
        The table's unmapped columns of numbers: a mapped column paired with none of the
        others may be paired with one of these (its later name, left unmapped).

    Returns
    -------
    list of tuple of (str, str)
        Each column in one pair at most.

    Examples
    --------
    >>> spend = pd.DataFrame({"tv": [5.0, 6, 7, 8, None, None, None, None],
    ...                       "TV Spend": [None, None, None, None, 6.0, 5, 7, 8],
    ...                       "search": [1.0, 2, 3, 4, 5, 6, 7, 8]})
    >>> split_channels(spend)
    [('tv', 'TV Spend')]
    >>> split_channels(spend[["tv", "search"]], spare=spend[["TV Spend"]])
    [('tv', 'TV Spend')]
    """
    spare = spare if spare is not None else columns.iloc[:, :0]
    written = pd.concat([columns, spare], axis=1).notna()
    partial = [c for c in written.columns
               if LEAST_ROWS <= int(written[c].sum()) <= len(written) - LEAST_ROWS]
    mapped = [c for c in partial if c in columns.columns]
    order = (dates.reindex(columns.index) if dates is not None
             else pd.Series(np.arange(len(columns)), index=columns.index))
    cells = pd.concat([columns, spare], axis=1).apply(pd.to_numeric, errors="coerce")
    candidates = []
    for k, one in enumerate(mapped):
        # of the table's other columns, only those no mapped column pairs with
        for other in [*mapped[k + 1:], *(c for c in partial if c not in columns.columns)]:
            if not (written[one] ^ written[other]).all() or not_media_kind(
                    one) is not None or not_media_kind(other) is not None:
                continue  # a forecast on the dates after the actuals is no other name
            likeness = _likeness(cells[one], cells[other], one, other)
            # names of other channels (TV in one geo's export, radio in another's) are
            # one channel only when one follows the other, at a like level
            dated = sorted([(order[written[one]].min(), order[written[one]].max()),
                            (order[written[other]].min(), order[written[other]].max())])
            if likeness[0] and (dated[0][1] >= dated[1][0]
                                or likeness[1] > np.log(LEVEL_RATIO)):
                continue
            candidates.append((other in spare.columns, likeness, one, other))
    pairs, paired = [], set()
    for *_, one, other in sorted(candidates, key=lambda found: found[:2]):
        if {one, other} & paired:
            continue
        paired |= {one, other}
        first_one, first_other = order[written[one]].min(), order[written[other]].min()
        pairs.append((one, other) if first_one <= first_other else (other, one))
    return pairs


def _likeness(one: pd.Series, other: pd.Series, one_name: str, other_name: str
              ) -> tuple[bool, float]:
    """A sort key: same channel words first, then the nearest levels (log of the ratio of
    the medians where they spend)."""
    levels = [float(s[s > 0].median()) if (s > 0).any() else np.nan for s in (one, other)]
    apart = abs(np.log(levels[0] / levels[1])) if all(v > 0 for v in levels) else np.inf
    return spend_stem(one_name) != spend_stem(other_name), apart


def split_problem(first: str, then: str, dates: pd.Series | None, cells: pd.DataFrame,
                  table: str, mapped: tuple[str, ...], role: str = "channel") -> Problem:
    """The problem naming ``first`` and ``then`` as one column, with the merging line.

    Parameters
    ----------
    first, then : str
        The earlier and the later name.
    dates : pandas.Series, optional
        The rows' dates, parsed: where each name is written.
    cells : pandas.DataFrame
        The table's cells (both columns).
    table : str
        The raw table's variable, as the fix writes it.
    mapped : tuple of str
        The mapped columns: when both names are, the later is kept; when one is, it is
        (the mapping stays as it is).
    role : str
        ``"channel"`` or ``"target"``.

    Returns
    -------
    Problem
    """
    when = ""
    if dates is not None:
        at = dates.reindex(cells.index)
        until, since = at[cells[first].notna()].max(), at[cells[then].notna()].min()
        when = f" ({first!r} up to {until:%Y-%m-%d}, {then!r} from {since:%Y-%m-%d})"
    kept, other = (then, first) if then in mapped else (first, then)
    merged = f"{table}[{literal(kept)}]"
    alone = (f"map {kept!r} alone" if first in mapped and then in mapped else
             f"keep the mapping as it is ({other!r} unmapped)")
    what = (f"{first!r} and {then!r} are each empty where the other is written{when}: one "
            f"{role} under two names, exports appended with the column renamed? ")
    if role == "target":
        what += ("Mapped as it is, the target lacks the other name's dates: they would be "
                 "left out.")
    else:
        what += ("Mapped as two, each would be fitted on its own part of the history (or "
                 "half the history left out), and a plan would treat the old name as a "
                 "channel to restart or cut.")
    return problem(what, f"Merge them and {alone}: {merged} = {merged}.fillna("
                   f"{table}[{literal(other)}]).", column=kept)


def renamed_columns(frame: pd.DataFrame, channels: list[str], target: str | None,
                    mapped: tuple[str, ...], dates: pd.Series | None, table: str
                    ) -> tuple[list[Problem], set[str]]:
    """The problems naming each channel, and the target, written under two names, and the
    names so paired (their empty cells are not to be named again).

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table, its unmapped columns too.
    channels : list of str
        The mapped channels, each once.
    target : str, optional
        The mapped target.
    mapped : tuple of str
        Every mapped column: the others, of numbers, may be a mapped one's later name.
    dates : pandas.Series, optional
        The rows' dates, parsed.
    table : str
        The raw table's variable, as the fixes write it.

    Returns
    -------
    tuple of (list of Problem, set of str)
    """
    spare = [c for c in frame.columns if c not in mapped and _numbers_where_written(frame[c])]
    problems, merged = [], set()
    for columns, role in ((channels, "channel"), ([target] if target else [], "target")):
        left = frame[[c for c in spare if c not in merged]]
        for first, then in split_channels(frame[columns], dates, left) if columns else ():
            problems.append(split_problem(first, then, dates, frame, table, mapped, role))
            merged |= {first, then}
    return problems, merged


def _numbers_where_written(column: pd.Series) -> bool:
    """Whether a column holds numbers in every cell it writes (some cells, not all)."""
    written = column.notna()
    if written.all() or not written.any():
        return False
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return True
    return bool(pd.to_numeric(column[written], errors="coerce").notna().all())
