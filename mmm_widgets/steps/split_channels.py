"""One channel under two names, each empty where the other is written: exports appended
with the column renamed.

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
the one spending at the likest level. :func:`split_problem` names a pair with
the line that merges them under the later name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.names import spend_stem

#: Fewest rows each name must be written on.
LEAST_ROWS = 4
#: Most that two differently named channels' typical spend may be apart (a factor), for
#: one to be read as the other renamed.
LEVEL_RATIO = 3.0


def split_channels(spend: pd.DataFrame, dates: pd.Series | None = None
                   ) -> list[tuple[str, str]]:
    """The pairs of channels written each where the other is empty, earlier name first.

    Parameters
    ----------
    spend : pandas.DataFrame
        The mapped channels' cells.
    dates : pandas.Series, optional
        The rows' dates, parsed (aligned with ``spend``): which name came first. Row
        order otherwise.

    Returns
    -------
    list of tuple of (str, str)
        Each channel in one pair at most.

    Examples
    --------
    >>> spend = pd.DataFrame({"tv": [5.0, 6, 7, 8, None, None, None, None],
    ...                       "TV Spend": [None, None, None, None, 6.0, 5, 7, 8],
    ...                       "search": [1.0, 2, 3, 4, 5, 6, 7, 8]})
    >>> split_channels(spend)
    [('tv', 'TV Spend')]
    """
    written = spend.notna()
    partial = [c for c in spend.columns
               if LEAST_ROWS <= int(written[c].sum()) <= len(spend) - LEAST_ROWS]
    order = (dates.reindex(spend.index) if dates is not None
             else pd.Series(np.arange(len(spend)), index=spend.index))
    candidates = []
    for k, one in enumerate(partial):
        for other in partial[k + 1:]:
            if not (written[one] ^ written[other]).all():
                continue
            likeness = _likeness(spend[one], spend[other], one, other)
            # names of other channels (TV in one geo's export, radio in another's) are
            # one channel only when one follows the other, at a like level
            dated = sorted([(order[written[one]].min(), order[written[one]].max()),
                            (order[written[other]].min(), order[written[other]].max())])
            if likeness[0] and (dated[0][1] >= dated[1][0]
                                or likeness[1] > np.log(LEVEL_RATIO)):
                continue
            candidates.append((likeness, one, other))
    pairs, paired = [], set()
    for _, one, other in sorted(candidates, key=lambda found: found[0]):
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


def split_problem(first: str, then: str, dates: pd.Series | None, spend: pd.DataFrame,
                  table: str) -> Problem:
    """The problem naming ``first`` and ``then`` as one channel, with the merging line.

    Parameters
    ----------
    first, then : str
        The earlier and the later name.
    dates : pandas.Series, optional
        The rows' dates, parsed: where each name is written.
    spend : pandas.DataFrame
        The mapped channels' cells.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    Problem
    """
    when = ""
    if dates is not None:
        at = dates.reindex(spend.index)
        until, since = at[spend[first].notna()].max(), at[spend[then].notna()].min()
        when = f" ({first!r} up to {until:%Y-%m-%d}, {then!r} from {since:%Y-%m-%d})"
    merged = f"{table}[{literal(then)}]"
    return problem(
        f"{first!r} and {then!r} are each empty where the other is written{when}: one "
        "channel under two names, exports appended with the column renamed? Mapped as two, "
        "each would be fitted on its own part of the history (or half the history left "
        "out), and a plan would treat the old name as a channel to restart or cut.",
        f"Merge them and map {then!r} alone: {merged} = {merged}.fillna("
        f"{table}[{literal(first)}]).", column=then)
