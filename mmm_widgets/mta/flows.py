"""How journeys move between channels: flows by touch position (for a Sankey) and top paths.

Both read a touch table the way :func:`mmm_widgets.mta.attribute` does (one row per
touch: user, time, channel label, conversion flag; ``lookback`` and ``grouping`` work the
same), cut it into journeys (a user's touches up to and including a conversion; touches
after the last conversion form a journey that did not convert) and count journeys.

:func:`flow_links` and :func:`path_table` do the counting on touches already cut into
journeys. They use nothing but numpy and pandas, so the cross-channel step copies their
source into its exported cell, as the attribution step does with its functions.

Examples
--------
>>> import pandas as pd
>>> from mmm_widgets.mta import journey_flows, top_paths
>>> touches = pd.DataFrame({"user": [1, 1, 2], "time": [1, 2, 1],
...                         "channel": ["search", "email", "search"],
...                         "converted": [0, 1, 0]})
>>> journey_flows(touches, "user", "time", "channel", "converted").to_dict("records")
... # doctest: +NORMALIZE_WHITESPACE
[{'source': '1 search', 'target': '2 email', 'journeys': 1},
 {'source': '1 search', 'target': 'no conversion', 'journeys': 1},
 {'source': '2 email', 'target': 'conversion', 'journeys': 1}]
>>> top_paths(touches, "user", "time", "channel", "converted")["path"].tolist()
['search > email', 'search']
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mmm_widgets.errors import Problem, problem
from mmm_widgets.mta.journeys import Journeys, from_events

#: Label of the node a converting journey ends in.
CONVERSION = "conversion"
#: Label of the node a journey without conversion ends in.
NO_CONVERSION = "no conversion"
#: What :func:`top_paths` can rank by.
RANKINGS = ("conversions", "journeys")


# ----- the counting, copied into exported cells ------------------------------------------
def flow_links(touches: pd.DataFrame, converted: np.ndarray, max_steps: int = 4
               ) -> pd.DataFrame:
    """Journeys flowing from channel to channel by touch position, then to their outcome.

    Nodes are a step and a channel (``"1 search"``: the first touch was search) and the
    two outcomes ``"conversion"`` and ``"no conversion"``. A journey of up to
    ``max_steps`` touches passes through one node per touch. A longer journey keeps its
    first ``max_steps - 1`` touches and its **last** touch, which stands at step
    ``max_steps``; the touches in between are left out. So the last column reads "the
    last touch before the outcome", and a node such as ``"4 search"`` holds journeys
    whose fourth touch was their last or whose last touch (the 4th or later) was search.

    Parameters
    ----------
    touches : pandas.DataFrame
        One row per touch with ``journey`` (0, 1, ... in order, touches of a journey
        together and in time order) and ``channel``.
    converted : numpy.ndarray
        Conversions of each journey (1 or 0), indexed by journey number.
    max_steps : int
        Touch positions shown (1 or more).

    Returns
    -------
    pandas.DataFrame
        ``source, target, journeys``: one row per link, how many journeys take it;
        ordered by the source's step, then the largest links first.
    """
    journey = touches["journey"].to_numpy()
    codes, labels = pd.factorize(touches["channel"], sort=True)
    width = len(labels)
    first = np.ones(len(journey), dtype=bool)
    first[1:] = journey[1:] != journey[:-1]
    last = np.append(first[1:], True)
    position = np.arange(len(journey)) - np.flatnonzero(first)[np.cumsum(first) - 1]
    keep = (position < max_steps - 1) | last
    node = np.minimum(position[keep], max_steps - 1) * width + codes[keep]
    ends = last[keep]
    won = np.asarray(converted, dtype="float64")[journey[keep][ends]] > 0
    outcome = np.where(won, max_steps * width, max_steps * width + 1)
    source = np.concatenate((node[:-1][~ends[:-1]], node[ends]))
    target = np.concatenate((node[1:][~ends[:-1]], outcome))
    nodes = max_steps * width + 2
    link, count = np.unique(source * nodes + target, return_counts=True)
    source, target = np.divmod(link, nodes)
    names = np.array([f"{step + 1} {label}" for step in range(max_steps) for label in labels]
                     + ["conversion", "no conversion"], dtype=object)
    order = np.lexsort((target, source, -count, source // max(width, 1)))
    return pd.DataFrame({"source": names[source[order]], "target": names[target[order]],
                         "journeys": count[order].astype("int64")})


def path_table(touches: pd.DataFrame, converted: np.ndarray, n: int = 10,
               by: str = "conversions", sep: str = " > ") -> pd.DataFrame:
    """The most frequent paths (channel sequences) with their journeys and conversions.

    Parameters
    ----------
    touches : pandas.DataFrame
        One row per touch with ``journey`` (0, 1, ... in order, touches of a journey
        together and in time order) and ``channel``.
    converted : numpy.ndarray
        Conversions of each journey (1 or 0), indexed by journey number.
    n : int
        How many paths to return.
    by : {"conversions", "journeys"}
        Rank by conversions (then journeys) or by journeys (then conversions); ties keep
        the order in which the paths first appear.
    sep : str
        Written between the channels of a path.

    Returns
    -------
    pandas.DataFrame
        ``path, journeys, conversions, conversion_rate, share_of_conversions``; the share
        is of all conversions, not only those of the listed paths.
    """
    journey = touches["journey"].to_numpy()
    codes, labels = pd.factorize(touches["channel"], sort=True)
    labels = np.array([str(label) for label in labels], dtype=object)
    first = np.ones(len(journey), dtype=bool)
    first[1:] = journey[1:] != journey[:-1]
    start = np.flatnonzero(first)
    length = np.diff(np.append(start, len(journey)))
    won = np.asarray(converted, dtype="float64")[journey[start]]
    # Number the distinct paths without building strings: extend each journey's number
    # by one touch at a time (journeys alive at a step share a number iff they share the
    # path so far), then tell equal numbers of different lengths apart.
    path = np.zeros(len(start), dtype=np.int64)
    for step in range(int(length.max(initial=0))):
        alive = np.flatnonzero(length > step)
        key = path[alive] * (len(labels) + 1) + codes[start[alive] + step]
        path[alive] = np.unique(key, return_inverse=True)[1]
    _, path = np.unique(length * (len(start) + 1) + path, return_inverse=True)
    _, representative = np.unique(path, return_index=True)
    journeys = np.bincount(path)
    conversions = np.rint(np.bincount(path, weights=won)).astype("int64")
    ranks = (conversions, journeys) if by == "conversions" else (journeys, conversions)
    order = np.lexsort((representative, -ranks[1], -ranks[0]))[:n]
    text = [sep.join(labels[codes[start[r]:start[r] + length[r]]])
            for r in representative[order]]
    table = pd.DataFrame({"path": text, "journeys": journeys[order].astype("int64"),
                          "conversions": conversions[order]})
    table["conversion_rate"] = table["conversions"] / table["journeys"]
    total = won.sum()
    table["share_of_conversions"] = table["conversions"] / total if total > 0 else np.nan
    return table


# ----- the checked entry points ---------------------------------------------------------
def read_touches(events: pd.DataFrame, user: str, time: str, channel: str, conversion: str,
                 *, lookback: object = None, grouping: Mapping[str, str] | None = None,
                 problems: list[Problem] | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Check a touch table and cut it into journeys, as :func:`flow_links` takes them.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per touch.
    user, time, channel, conversion : str
        Columns of the user id, the time of the touch, the channel label and the
        conversion flag (see :func:`mmm_widgets.mta.attribute`).
    lookback : str, Timedelta or float, optional
        Touches more than this long before the end of their journey are left out.
    grouping : dict, optional
        Channel label -> group label, applied first.
    problems : list of Problem, optional
        Problems with other arguments, reported together with those of the table.

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray)
        Touches (``journey``, ``channel`` as a categorical of the labels) and the
        conversions of each journey.

    Raises
    ------
    DataError
        Missing columns (naming them, with close matches), unreadable times, missing
        users, channels or flags, no conversion at all, a bad ``lookback``.
    """
    journeys = from_events(events, user=user, time=time, channel=channel,
                           conversion=conversion, lookback=lookback, grouping=grouping,
                           problems=problems)
    return journey_touches(journeys), journeys.conversions


def journey_touches(journeys: Journeys) -> pd.DataFrame:
    """Touches of :class:`~mmm_widgets.mta.journeys.Journeys` as a frame.

    Parameters
    ----------
    journeys : Journeys

    Returns
    -------
    pandas.DataFrame
        ``journey`` and ``channel`` (a categorical of the sorted labels).
    """
    return pd.DataFrame({
        "journey": journeys.journey,
        "channel": pd.Categorical.from_codes(journeys.channel, categories=journeys.channels),
    })


def journey_flows(events: pd.DataFrame, user: str, time: str, channel: str, conversion: str,
                  *, lookback: object = None, grouping: Mapping[str, str] | None = None,
                  max_steps: int = 4) -> pd.DataFrame:
    """Flows between channels by touch position, ending in conversion or not (for a Sankey).

    A journey is a user's touches in time order up to and including a conversion;
    touches after the last conversion form a journey that did not convert. Each journey
    passes through one node per touch, labelled with its step and channel (``"1 search"``,
    ``"2 social"``, ...), and ends in ``"conversion"`` or ``"no conversion"``.

    Journeys longer than ``max_steps`` touches keep their first ``max_steps - 1`` touches
    and their **last** touch, shown at step ``max_steps``; the touches in between are
    left out. The last column of a Sankey thus always holds the touch just before the
    outcome (the converting touch, for a conversion).

    Parameters
    ----------
    events : pandas.DataFrame
        One row per touch.
    user, time, channel, conversion : str
        Columns of the user id, the time of the touch, the channel label and the
        conversion flag (True/False or 1/0 on the converting touch).
    lookback : str, Timedelta or float, optional
        Touches more than this long before the end of their journey are left out
        (``"30D"``; a number for numeric times), as in :func:`mmm_widgets.mta.attribute`.
    grouping : dict, optional
        Channel label -> group label (``{"Facebook": "Social"}``), applied first.
    max_steps : int, default 4
        Touch positions shown (1 or more).

    Returns
    -------
    pandas.DataFrame
        ``source, target, journeys``: one row per link and how many journeys take it,
        ordered by the source's step, then the largest links first. The journeys into
        ``"conversion"`` add up to the converting journeys, and those into both outcomes
        to all journeys.

    Raises
    ------
    DataError
        Naming the column and the fix: missing or unreadable columns, no conversion, a
        bad ``lookback`` or ``max_steps``.
    """
    problems = _whole_number_problems({"max_steps": max_steps}, lowest=1)
    touches, converted = read_touches(events, user, time, channel, conversion,
                                      lookback=lookback, grouping=grouping, problems=problems)
    return flow_links(touches, converted, max_steps=int(max_steps))


def top_paths(events: pd.DataFrame, user: str, time: str, channel: str, conversion: str,
              *, lookback: object = None, grouping: Mapping[str, str] | None = None,
              n: int = 10, by: str = "conversions", sep: str = " > ") -> pd.DataFrame:
    """The most frequent journeys as paths such as ``"search > social > display"``.

    Journeys are cut as in :func:`journey_flows`; repeated touches of a channel stay in
    the path (``"search > search"``).

    Parameters
    ----------
    events : pandas.DataFrame
        One row per touch.
    user, time, channel, conversion : str
        Columns of the user id, the time, the channel label and the conversion flag.
    lookback : str, Timedelta or float, optional
        Touches more than this long before the end of their journey are left out.
    grouping : dict, optional
        Channel label -> group label, applied first.
    n : int, default 10
        How many paths to list.
    by : {"conversions", "journeys"}
        Rank paths by conversions (then journeys), or by journeys (then conversions).
    sep : str, default " > "
        Written between the channels of a path.

    Returns
    -------
    pandas.DataFrame
        ``path, journeys, conversions, conversion_rate, share_of_conversions`` (share of
        all conversions), best first.

    Raises
    ------
    DataError
        Naming the column and the fix, as :func:`journey_flows`; also a bad ``n``, ``by``
        or ``sep``.
    """
    problems = _whole_number_problems({"n": n}, lowest=1)
    if by not in RANKINGS:
        problems.append(problem(f"by={by!r} is not a ranking.",
                                f"Use one of {', '.join(map(repr, RANKINGS))}."))
    if not isinstance(sep, str):
        problems.append(problem(f"sep={sep!r} is not text.", "Pass e.g. sep=' > '."))
    touches, converted = read_touches(events, user, time, channel, conversion,
                                      lookback=lookback, grouping=grouping, problems=problems)
    return path_table(touches, converted, n=int(n), by=by, sep=sep)


def _whole_number_problems(values: dict[str, object], lowest: int) -> list[Problem]:
    """Problems for arguments that are not whole numbers of at least ``lowest``."""
    problems = []
    for name, value in values.items():
        whole = isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)
        if not whole or value < lowest:
            problems.append(problem(f"{name}={value!r} is not a whole number of {lowest} or "
                                    "more.", f"Pass e.g. {name}={max(lowest, 4)}."))
    return problems

