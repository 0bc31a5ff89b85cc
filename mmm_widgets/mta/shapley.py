"""Data-driven Shapley attribution: coalition worth from conversion rates.

The channels are players of a cooperative game (Shao and Li 2011; Dalessandro et al.
2012). The worth of a coalition ``S`` is the conversion rate of the journeys exposed to
exactly that set of channels, read from converting *and* non-converting journeys:

    v(S) = conversions of journeys whose distinct channels are S
           / number of journeys whose distinct channels are S

(with ``weight="value"`` the numerator is their conversion value: value per journey).
Two cases have no journeys of their own:

* ``v(empty set) = 0``: every journey has at least one touch, so there is no
  unexposed group to measure a baseline on; the baseline rate is therefore shared by
  the channels through their single-channel journeys.
* an *unseen* coalition (no journey has exactly these channels) takes the worth of its
  largest seen subset: the extra channels add nothing we can measure. Among seen
  subsets of the same size the one with the most journeys wins (then the lowest
  channel codes). A coalition without any seen subset is worth 0.

Channel ``c`` gets its Shapley value

    phi_c = sum over S not containing c of |S|! (n - |S| - 1)! / n! * (v(S + c) - v(S)),

enumerated exactly over all ``2 ** n`` coalitions (bitmasks), so at most
:data:`MAX_CHANNELS` channels with touches are allowed. Negative values (a channel
whose journeys convert less) are set to 0, and the credits are scaled to add up to the
total conversions (or value). Order and repeats within a journey do not matter.

A channel that appears as often in converting as in non-converting journeys leaves
every rate unchanged, so it gets almost nothing. Without non-converting journeys (paths
without ``nulls``) every rate is 1 and the game only rewards channels that convert on
their own: pass the non-converting journeys.

References
----------
Shao, X., & Li, L. (2011). Data-driven multi-touch attribution models. KDD '11.
Dalessandro, B., Perlich, C., Stitelman, O., & Provost, F. (2012). Causally motivated
attribution for online advertising. ADKDD '12.
"""

from __future__ import annotations

import math

import numpy as np

from mmm_widgets.errors import DataError, problem
from mmm_widgets.mta.journeys import Journeys

#: Most channels (with touches) the exact enumeration of 2 ** n coalitions handles.
MAX_CHANNELS = 15


def journey_sets(journeys: Journeys) -> tuple[np.ndarray, np.ndarray]:
    """Each journey's distinct channels as a bitmask over the channels with touches.

    Parameters
    ----------
    journeys : Journeys

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Per journey its bitmask, and the codes of the channels with touches (bit ``i``
        stands for the ``i``-th of them).

    Raises
    ------
    DataError
        With more than :data:`MAX_CHANNELS` channels.
    """
    present = np.unique(journeys.channel)
    if len(present) > MAX_CHANNELS:
        raise DataError(problem(
            what=f"Shapley enumerates every set of channels, and {len(present)} channels "
            f"make {2 ** len(present):,} sets; it handles at most {MAX_CHANNELS}.",
            fix="Group channels with grouping={...} (e.g. campaigns into their channel) "
            "or leave 'shapley' out of models.",
        ))
    player = np.searchsorted(present, journeys.channel)
    bits = np.left_shift(np.int64(1), player)
    masks = np.bitwise_or.reduceat(bits, journeys.starts)
    return masks, present


def coalition_worths(masks: np.ndarray, counts: np.ndarray, weights: np.ndarray,
                     n_players: int) -> np.ndarray:
    """Worth of every coalition (indexed by bitmask) under the rules of this module.

    Parameters
    ----------
    masks : numpy.ndarray
        Per journey, its channel set as a bitmask.
    counts : numpy.ndarray
        Per journey, how many journeys it stands for (1 for events).
    weights : numpy.ndarray
        Per journey, its conversions (or value).
    n_players : int

    Returns
    -------
    numpy.ndarray of shape (2 ** n_players,)
    """
    size = 1 << n_players
    journeys = np.bincount(masks, weights=counts, minlength=size)
    converted = np.bincount(masks, weights=weights, minlength=size)
    seen = journeys > 0
    rate = np.divide(converted, journeys, out=np.zeros(size), where=seen)
    coalitions = np.arange(size)
    members = _popcount(coalitions)
    # source[S]: the seen coalition whose rate S takes (itself when seen), -1 for none.
    source = np.where(seen, coalitions, -1)
    source[0] = -1
    for level in range(2, n_players + 1):
        unseen = coalitions[(members == level) & ~seen]
        chosen = np.full(len(unseen), -1)
        for player in range(n_players):
            bit = 1 << player
            candidate = np.where(unseen & bit, source[unseen & ~bit], -1)
            chosen = np.where(_preferred(candidate, chosen, members, journeys), candidate, chosen)
        source[unseen] = chosen
    return np.where(source >= 0, rate[source], 0.0)


def shapley_values(worth: np.ndarray, n_players: int) -> np.ndarray:
    """Exact Shapley value of every player of the game ``worth`` (indexed by bitmask).

    Parameters
    ----------
    worth : numpy.ndarray of shape (2 ** n_players,)
    n_players : int

    Returns
    -------
    numpy.ndarray of shape (n_players,)
    """
    coalitions = np.arange(1 << n_players)
    members = _popcount(coalitions)
    factor = np.array([math.factorial(s) * math.factorial(n_players - s - 1)
                       for s in range(n_players)]) / math.factorial(n_players)
    phi = np.zeros(n_players)
    for player in range(n_players):
        bit = 1 << player
        without = coalitions[(coalitions & bit) == 0]
        phi[player] = np.sum(factor[members[without]] * (worth[without | bit] - worth[without]))
    return phi


def shapley(journeys: Journeys, weights: np.ndarray) -> np.ndarray:
    """Shapley credit per channel, scaled to add up to ``weights.sum()``.

    Parameters
    ----------
    journeys : Journeys
    weights : numpy.ndarray
        Per journey, what it hands out (conversions or value).

    Returns
    -------
    numpy.ndarray
        Credit per channel (0 for channels without touches).

    Raises
    ------
    DataError
        With more than :data:`MAX_CHANNELS` channels.
    """
    masks, present = journey_sets(journeys)
    counts = journeys.conversions + journeys.nulls
    worth = coalition_worths(masks, counts, weights, len(present))
    phi = np.clip(shapley_values(worth, len(present)), 0.0, None)
    credit = np.zeros(len(journeys.channels))
    if phi.sum() > 0:
        credit[present] = phi / phi.sum() * weights.sum()
    return credit


def _popcount(values: np.ndarray) -> np.ndarray:
    count = np.zeros_like(values)
    rest = values.copy()
    while rest.any():
        count += rest & 1
        rest >>= 1
    return count


def _preferred(candidate: np.ndarray, current: np.ndarray, members: np.ndarray,
               journeys: np.ndarray) -> np.ndarray:
    """Where ``candidate`` beats ``current``: more channels, then more journeys, then lower."""
    valid = candidate >= 0
    a, b = np.where(valid, candidate, 0), np.where(current >= 0, current, 0)
    larger = members[a] > members[b]
    same = members[a] == members[b]
    busier = journeys[a] > journeys[b]
    tied = journeys[a] == journeys[b]
    return valid & ((current < 0) | larger | (same & (busier | (tied & (a < b)))))
