"""Channels that are another channel's spend a few periods later: lags written as columns.

Tables made for a regression carry a channel's spend again, shifted by a period or more
(``Meta``, ``Meta-1``, ``Meta-2``, ``Meta-3`` in a public daily table), so that a linear
model can give past spend an effect. The model here does that itself: its adstock carries
each period's spend over the next ``l_max`` periods. Mapped as channels, the lags count
the same spend again (each one's ROAS divides by money never spent) and the model cannot
tell the lags' effects from the adstock's. :func:`lagged_copies` finds them from their
values, whatever their names.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mmm_widgets.errors import Problem, problem

#: Most periods a lag is looked for over.
MOST_LAG = 8
#: Fewest rows on which a lag must repeat its channel, and fewest distinct amounts the
#: channel must have: a channel flighted on and off at one fixed amount repeats another's
#: schedule by chance.
FEWEST_ROWS = 10
FEWEST_AMOUNTS = 5


def lagged_copies(frame: pd.DataFrame, columns: Sequence[str], dates: pd.Series,
                  geo: str | None = None) -> dict[str, tuple[str, int]]:
    """The columns that are, on every row, another column ``k`` periods earlier.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table, in any row order.
    columns : sequence of str
        Numeric columns (the channels).
    dates : pandas.Series
        Each row's date, read (aligned with ``frame``).
    geo : str, optional
        The geo column of a panel: lags are read within each geo.

    Returns
    -------
    dict
        ``{lagged: (original, k)}``: where both hold a value, ``lagged`` on each date is
        ``original`` ``k`` rows (periods) earlier, on :data:`FEWEST_ROWS` rows or more;
        ``original`` is itself no lag, and ``k`` is the smallest such.

    Examples
    --------
    >>> meta = [5.0, 7.0, 2.0, 9.0, 4.0, 8.0, 1.0, 6.0, 3.0, 7.5, 2.5, 9.5, 4.5]
    >>> frame = pd.DataFrame({"Meta": meta, "Meta-1": [None, *meta[:-1]],
    ...                       "Google": [3.0] * 13})
    >>> dates = pd.Series(pd.date_range("2024-01-01", periods=13))
    >>> lagged_copies(frame, ["Meta", "Meta-1", "Google"], dates)
    {'Meta-1': ('Meta', 1)}
    """
    # By position: a table put together with pd.concat may hold a row label twice.
    when = pd.to_datetime(dates).to_numpy()
    geos = pd.factorize(frame[geo])[0] if geo else np.zeros(len(frame), dtype=int)
    order = np.lexsort((when, geos))
    values = (frame[list(columns)].iloc[order].apply(pd.to_numeric, errors="coerce")
              .to_numpy(dtype=float))
    groups = geos[order]
    varied = [j for j in range(values.shape[1])
              if pd.Series(values[:, j]).nunique() >= FEWEST_AMOUNTS]
    found: dict[str, tuple[str, int]] = {}
    for lag in range(1, MOST_LAG + 1):
        later = np.arange(lag, len(values))
        later = later[groups[later] == groups[later - lag]]  # within a geo
        now, before = values[np.ix_(later, varied)], values[np.ix_(later - lag, varied)]
        for j, i in _candidates(now, before):
            name = columns[varied[j]]
            if name in found:
                continue
            both = ~(np.isnan(now[:, j]) | np.isnan(before[:, i]))
            if both.sum() >= FEWEST_ROWS and np.array_equal(now[both, j], before[both, i]):
                found[name] = (columns[varied[i]], lag)
    # A lag of a lag (Meta-2 is Meta-1 one period later) is named from the first.
    for name, (original, lag) in list(found.items()):
        while original in found:
            original, step = found[original]
            lag += step
        found[name] = (original, lag)
    return found


def _candidates(now: np.ndarray, before: np.ndarray, looks: int = 24) -> list[tuple[int, int]]:
    """Pairs ``(j, i)`` of columns, ``j`` not ``i``, whose amounts agree (or one is
    missing) on ``looks`` rows spread over the table: the pairs worth a look at every row.
    One comparison of all pairs at once, so that wide tables stay quick."""
    rows = np.unique(np.linspace(0, len(now) - 1, min(looks, len(now))).astype(int))
    a, b = now[rows][:, :, None], before[rows][:, None, :]
    agree = ((a == b) | np.isnan(a) | np.isnan(b)).all(axis=0)
    np.fill_diagonal(agree, False)
    return [(int(j), int(i)) for j, i in zip(*np.nonzero(agree), strict=True)]


def lagged_copy_problems(frame: pd.DataFrame, channels: Sequence[str], dates: pd.Series,
                         geo: str | None, l_max: int) -> list[Problem]:
    """One problem per mapped channel that is another mapped channel's lag.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    channels : sequence of str
        The mapped channels.
    dates : pandas.Series
        Each row's date, read.
    geo : str, optional
        The geo column of a panel.
    l_max : int
        The adstock's window, named in the fix.

    Returns
    -------
    list of Problem
    """
    problems = []
    for lagged, (original, lag) in lagged_copies(frame, channels, dates, geo).items():
        later = "1 period" if lag == 1 else f"{lag} periods"
        problems.append(problem(
            f"The channel is {original!r} {later} later on every row: a lag written as a "
            "column, as tables made for a regression carry them. Mapped as a channel, it "
            f"counts {original!r}'s spend again, and the model cannot tell its effect from "
            f"the carry-over its adstock already gives {original!r}.",
            f"Leave {lagged!r} out of the channels: the adstock carries each period's spend "
            f"over the next {l_max} periods (l_max in the model step).", column=lagged))
    return problems
