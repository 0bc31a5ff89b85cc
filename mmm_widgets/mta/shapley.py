"""Shapley-value attribution over channel coalitions (Zhao et al., 2018).

The channels are players of a cooperative game. The worth of a coalition ``S`` is
the conversions (or value) of the journeys whose *set* of channels is a subset of
``S``:

    v(S) = sum over channel sets T with T <= S of R(T),

where ``R(T)`` is the conversions of journeys whose distinct channels are exactly
``T``. Channel ``c`` gets its Shapley value

    phi_c = sum over S not containing c of |S|! (n - |S| - 1)! / n! * (v(S + c) - v(S)).

Because ``v`` is a sum of unanimity games (one per channel set ``T``, with weight
``R(T)``), the sum collapses to the closed form of Zhao et al. (2018, "Shapley
value methods for attribution modeling in online advertising"):

    phi_c = sum over channel sets T containing c of R(T) / |T|,

i.e. each conversion is split equally among the *distinct* channels of its
journey. The closed form is the exact Shapley value for any number of channels (no
coalition enumeration and no sampling is needed), and the credits add up to
``v(all channels)`` = total conversions. Order and repeats within a journey do not
matter, and non-converting journeys add nothing to any coalition's worth.

References
----------
Zhao, K., Mahboobi, S. H., & Bagheri, S. R. (2018). Shapley value methods for
attribution modeling in online advertising. arXiv:1804.05327.
"""

from __future__ import annotations

import numpy as np

from mmm_widgets.mta.journeys import Journeys


def shapley(journeys: Journeys, weights: np.ndarray) -> np.ndarray:
    """Exact Shapley credit per channel for the subset-sum coalition worth.

    Parameters
    ----------
    journeys : Journeys
    weights : numpy.ndarray
        Per journey, what it hands out (conversions or value).

    Returns
    -------
    numpy.ndarray
        Credit per channel, adding up to ``weights.sum()``.
    """
    n_channels = len(journeys.channels)
    paying = weights[journeys.journey] != 0
    pairs = np.unique(journeys.journey[paying] * n_channels + journeys.channel[paying])
    journey, channel = np.divmod(pairs, n_channels)
    distinct = np.bincount(journey, minlength=journeys.n_journeys)
    credit = weights[journey] / distinct[journey]
    return np.bincount(channel, weights=credit, minlength=n_channels)


def coalition_worth(journeys: Journeys, weights: np.ndarray, coalition: set[int]) -> float:
    """Worth ``v(S)`` of a coalition: conversions of journeys using only its channels.

    Parameters
    ----------
    journeys : Journeys
    weights : numpy.ndarray
        Per journey, what it hands out.
    coalition : set of int
        Channel codes.

    Returns
    -------
    float
    """
    outside = ~np.isin(journeys.channel, list(coalition))
    strangers = np.bincount(
        journeys.journey, weights=outside.astype(float), minlength=journeys.n_journeys
    )
    return float(weights[strangers == 0].sum())
