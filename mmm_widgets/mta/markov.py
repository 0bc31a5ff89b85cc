"""First-order Markov attribution by removal effect, solved exactly (no simulation).

The journeys are read as walks through a Markov chain whose states are ``start``,
one state per channel, and the two absorbing states ``conversion`` and ``null``
(journey ended without converting). Transition probabilities are the observed
transition counts divided by the counts out of each state; a repeated channel
(``Search > Search``) is a self-loop, which does not change absorption probabilities.

Let ``Q`` be the transitions among the transient states (start and channels),
``r`` the one-step probabilities into ``conversion`` and ``N = (I - Q)^-1`` the
fundamental matrix. The probability to convert from each state is ``x = N r`` and
the chain's conversion probability is ``P = x[start]``.

*Removing* channel ``c`` sends every walk that reaches ``c`` to ``null``. Walks
that never reach ``c`` are unchanged, and a walk that does reach it converts
afterwards with probability ``x[c]`` (Markov property at the first visit), so

    P(conversion | c removed) = P - h_c * x[c],   h_c = N[start, c] / N[c, c],

where ``h_c`` is the probability of ever reaching ``c`` from start (expected visits
divided by expected visits once there). This is the same number as solving the
chain with ``c`` turned into ``null``, obtained from one matrix inverse for all
channels. The removal effect is ``1 - P(conversion | c removed) / P`` and channels
are credited in proportion to their removal effects, scaled to the total
conversions (or total value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmm_widgets.mta.journeys import Journeys


@dataclass(frozen=True)
class MarkovChain:
    """The fitted chain and its removal effects.

    Attributes
    ----------
    states : tuple of str
        Channel labels, then ``"(start)"``, ``"(conversion)"``, ``"(null)"``.
    probabilities : numpy.ndarray
        Transition probabilities, rows = from, columns = to, in ``states`` order.
        Absorbing rows are all zero.
    conversion_probability : float
        Probability that a walk from start converts.
    removal_effects : numpy.ndarray
        Per channel, ``1 - P(conversion | channel removed) / P(conversion)``.
    """

    states: tuple[str, ...]
    probabilities: np.ndarray
    conversion_probability: float
    removal_effects: np.ndarray


def transition_counts(journeys: Journeys) -> np.ndarray:
    """Count the transitions between start, channels, conversion and null.

    Every journey (converting or not) walks start -> its touches -> conversion or
    null; path rows count as many walks as they have conversions plus nulls.

    Parameters
    ----------
    journeys : Journeys

    Returns
    -------
    numpy.ndarray of shape (C + 3, C + 3)
        Counts with states ordered channels (C), start, conversion, null.
    """
    n_channels = len(journeys.channels)
    size = n_channels + 3
    start, conversion, null = n_channels, n_channels + 1, n_channels + 2
    walks = journeys.conversions + journeys.nulls
    same = journeys.journey[1:] == journeys.journey[:-1]
    source = journeys.channel[:-1][same]
    target = journeys.channel[1:][same]
    along = walks[journeys.journey[1:][same]]
    first = journeys.channel[journeys.starts]
    last = journeys.channel[journeys.ends]
    cells = np.concatenate(
        (
            source * size + target,
            start * size + first,
            last * size + conversion,
            last * size + null,
        )
    )
    counts = np.concatenate((along, walks, journeys.conversions, journeys.nulls))
    flat = np.bincount(cells, weights=counts, minlength=size * size)
    return flat.reshape(size, size)


def fit_chain(journeys: Journeys) -> MarkovChain:
    """Estimate the chain from the journeys and compute every removal effect exactly.

    Parameters
    ----------
    journeys : Journeys

    Returns
    -------
    MarkovChain
    """
    counts = transition_counts(journeys)
    n_channels = len(journeys.channels)
    start, conversion = n_channels, n_channels + 1
    out = counts.sum(axis=1, keepdims=True)
    probabilities = np.divide(counts, out, out=np.zeros_like(counts), where=out > 0)
    transient = n_channels + 1
    q = probabilities[:transient, :transient]
    r = probabilities[:transient, conversion]
    # A channel seen only in dropped touches has no row; I - Q keeps an identity row
    # for it, so the system stays solvable and the channel converts with probability 0.
    fundamental = np.linalg.inv(np.eye(transient) - q)
    convert_from = fundamental @ r
    p_conversion = float(convert_from[start])
    diagonal = np.diag(fundamental)[:n_channels]
    reach = fundamental[start, :n_channels] / diagonal
    lost = reach * convert_from[:n_channels]
    effects = lost / p_conversion if p_conversion > 0 else np.zeros(n_channels)
    states = (*tuple(journeys.channels), "(start)", "(conversion)", "(null)")
    return MarkovChain(states, probabilities, p_conversion, np.clip(effects, 0.0, 1.0))


def markov(journeys: Journeys, weights: np.ndarray) -> np.ndarray:
    """Credit per channel, proportional to the removal effects.

    Parameters
    ----------
    journeys : Journeys
    weights : numpy.ndarray
        Per journey, what it hands out (conversions or value); only their total is
        used, because removal effects are computed from the journey counts.

    Returns
    -------
    numpy.ndarray
        Credit per channel, adding up to ``weights.sum()``.
    """
    effects = fit_chain(journeys).removal_effects
    total_effect = effects.sum()
    if total_effect <= 0:
        return np.zeros(len(journeys.channels))
    return effects / total_effect * weights.sum()
