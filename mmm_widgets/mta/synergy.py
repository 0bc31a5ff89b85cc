"""Synergy and cannibalization between channels, read from journeys.

For a pair of channels A and B, journeys fall into four cells: touching neither, only A,
only B, or both; each cell has its conversion rate (``p00, p10, p01, p11``). If the two
channels acted independently -- each one, on its own, turning a journey into a
conversion with some probability, on top of what the journey would do without either
(a *noisy-OR*) -- journeys with both would convert at

    expected = 1 - (1 - p10) * (1 - p01) / (1 - p00).

The **lift** ``p11 / expected`` is above 1 where the pair does better together than
independent effects explain (synergy) and below 1 where it does worse (cannibalization:
the channels reach the same people, or one makes the other redundant).

Its interval comes from the cells' uncertainty: each rate is drawn from
``Beta(conversions + 1, non-conversions + 1)`` (a uniform prior) with a seeded numpy
generator, the lift is computed per draw, and ``arviz.hdi`` gives the highest-density
interval.

Journeys are observational: who gets both touches is not random (engaged users see more
channels and convert more), so a lift describes the journeys, not what adding a channel
would cause.

:func:`pair_synergy` does the counting on journeys already cut; it uses numpy, pandas
and arviz only, and the cross-channel step copies its source into its exported cell.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from mmm_widgets.errors import DataError, problem
from mmm_widgets.mta.flows import _whole_number_problems, read_touches

#: What the verdict column can say.
VERDICTS = ("synergy", "cannibalization", "no clear effect", "not estimable")
#: Fewer draws than this make a rough interval.
MIN_DRAWS = 100


def pair_synergy(touches: pd.DataFrame, converted: np.ndarray, hdi_prob: float = 0.94,
                 draws: int = 4000, random_seed: int = 42, min_journeys: int = 30
                 ) -> pd.DataFrame:
    """Lift of every pair of channels over independent (noisy-OR) effects, with its HDI.

    Parameters
    ----------
    touches : pandas.DataFrame
        One row per touch with ``journey`` (0, 1, ... in order) and ``channel``.
    converted : numpy.ndarray
        Conversions of each journey (1 or 0), indexed by journey number.
    hdi_prob : float
        Probability mass of the lift's highest-density interval.
    draws : int
        Draws of each cell's conversion rate.
    random_seed : int
        Seed of the numpy generator the draws come from.
    min_journeys : int
        Pairs with fewer journeys than this in any cell are flagged ``few_journeys``.

    Returns
    -------
    pandas.DataFrame
        One row per pair (``channel_a`` before ``channel_b``, both sorted): journeys
        ``n_neither, n_a_only, n_b_only, n_both`` and conversions ``conversions_neither,
        conversions_a_only, conversions_b_only, conversions_both`` of each cell, their
        rates ``p00, p10, p01, p11``, ``expected`` (noisy-OR), ``lift`` with
        ``lift_hdi_low`` / ``lift_hdi_high``, ``few_journeys`` and ``verdict``:
        ``"synergy"`` (interval above 1), ``"cannibalization"`` (below 1), ``"no clear
        effect"`` (it contains 1) or ``"not estimable"`` (no interval: a cell is empty,
        or independent effects predict no conversion -- expected 0 or below, when the
        channels alone convert much less than neither -- at the observed rates or in more
        than 5 % of the draws). ``lift`` is NaN only where the observed rates give no
        expectation.
    """
    import arviz as az

    journey = touches["journey"].to_numpy().astype(np.int64)
    codes, labels = pd.factorize(touches["channel"], sort=True)
    labels = [str(label) for label in labels]
    width = len(labels)
    won = np.asarray(converted, dtype="float64")
    # Every journey's distinct channels, then each ordered pair of them (a channel with
    # itself included): counts of journeys touching both, without a journey x channel matrix.
    cell = np.unique(journey * width + codes)
    owner, channel = cell // width, cell % width
    size = np.bincount(owner, minlength=len(won))[owner]
    left = np.repeat(np.arange(len(cell)), size)
    offset = np.arange(len(left)) - np.repeat(np.cumsum(size) - size, size)
    right = np.repeat(np.searchsorted(owner, owner), size) + offset
    pair = channel[left] * width + channel[right]
    together = np.bincount(pair, minlength=width * width).reshape(width, width)
    together_won = np.bincount(pair, weights=won[owner[left]],
                               minlength=width * width).reshape(width, width)
    a, b = np.triu_indices(width, 1)
    n = np.empty((4, len(a)))
    c = np.empty((4, len(a)))
    n[3], c[3] = together[a, b], together_won[a, b]
    n[1], c[1] = together[a, a] - n[3], together_won[a, a] - c[3]
    n[2], c[2] = together[b, b] - n[3], together_won[b, b] - c[3]
    n[0], c[0] = len(won) - n[1:].sum(axis=0), won.sum() - c[1:].sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = c / n
        expected = 1 - (1 - p[1]) * (1 - p[2]) / (1 - p[0])
        lift = np.where(expected > 0, p[3] / expected, np.nan)
        rng = np.random.default_rng(random_seed)
        rate = rng.beta(c[:, :, None] + 1, n[:, :, None] - c[:, :, None] + 1,
                        size=(4, len(a), draws))
        expected_draws = 1 - (1 - rate[1]) * (1 - rate[2]) / (1 - rate[0])
        lift_draws = np.where(expected_draws > 0, rate[3] / expected_draws, np.nan)
    estimable = (n.min(axis=0) > 0) & np.isfinite(lift) & (
        np.isnan(lift_draws).mean(axis=1) <= 0.05)
    interval = np.full((len(a), 2), np.nan)
    if estimable.any():
        interval[estimable] = az.hdi(lift_draws[estimable], prob=hdi_prob, skipna=True)
    verdict = np.select([~estimable, interval[:, 0] > 1, interval[:, 1] < 1],
                        ["not estimable", "synergy", "cannibalization"], "no clear effect")
    names = np.array(labels, dtype=object)
    table = pd.DataFrame({"channel_a": names[a], "channel_b": names[b]})
    for i, cell_name in enumerate(("neither", "a_only", "b_only", "both")):
        table[f"n_{cell_name}"] = n[i].astype("int64")
    for i, cell_name in enumerate(("neither", "a_only", "b_only", "both")):
        table[f"conversions_{cell_name}"] = np.rint(c[i]).astype("int64")
    for i, rate_name in enumerate(("p00", "p10", "p01", "p11")):
        table[rate_name] = p[i]
    table["expected"] = np.where(np.isfinite(expected), expected, np.nan)
    table["lift"] = lift
    table["lift_hdi_low"], table["lift_hdi_high"] = interval[:, 0], interval[:, 1]
    table["few_journeys"] = n.min(axis=0) < min_journeys
    table["verdict"] = verdict
    return table


def channel_synergy(events: pd.DataFrame, user: str, time: str, channel: str, conversion: str,
            *, lookback: object = None, grouping: Mapping[str, str] | None = None,
            hdi_prob: float = 0.94, draws: int = 4000, random_seed: int = 42,
            min_journeys: int = 30) -> pd.DataFrame:
    """Synergy or cannibalization of every pair of channels, from a touch table.

    Journeys are cut as in :func:`mmm_widgets.mta.attribute` (a user's touches up to and
    including a conversion; ``lookback`` and ``grouping`` work the same). For each pair
    of channels (A, B) journeys are split by whether they touch A and whether they touch
    B; the lift is the conversion rate of journeys with both over what independent
    (noisy-OR) effects predict, ``1 - (1 - p10) * (1 - p01) / (1 - p00)``: above 1
    synergy, below 1 cannibalization. See :mod:`mmm_widgets.mta.synergy`.

    Journeys are observational: a pair's lift can reflect *who* gets both touches (more
    engaged users see more channels), not what adding a channel would cause.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per touch.
    user, time, channel, conversion : str
        Columns of the user id, the time of the touch, the channel label and the
        conversion flag (True/False or 1/0 on the converting touch).
    lookback : str, Timedelta or float, optional
        Touches more than this long before the end of their journey are left out.
    grouping : dict, optional
        Channel label -> group label (``{"Facebook": "Social"}``), applied first.
    hdi_prob : float, default 0.94
        Probability mass of the lift's interval (highest-density, ``arviz.hdi``).
    draws : int, default 4000
        Draws of each cell's conversion rate from its Beta posterior.
    random_seed : int, default 42
        Seed of the draws: the same seed gives the same interval.
    min_journeys : int, default 30
        Pairs with fewer journeys than this in any cell are flagged (not dropped).

    Returns
    -------
    pandas.DataFrame
        One row per pair of channels; columns as :func:`pair_synergy`.

    Raises
    ------
    DataError
        Missing or unreadable columns (naming them), no conversion, fewer than two
        channels, bad ``hdi_prob``, ``draws``, ``random_seed`` or ``min_journeys``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mmm_widgets.mta import channel_synergy
    >>> touches = pd.DataFrame({"user": [1, 1, 2, 3], "time": [1, 2, 1, 1],
    ...                         "channel": ["search", "social", "search", "social"],
    ...                         "converted": [0, 1, 0, 1]})
    >>> table = channel_synergy(touches, "user", "time", "channel", "converted")
    >>> table[["channel_a", "channel_b", "n_both", "conversions_both", "verdict"]].values
    array([['search', 'social', 1, 1, 'not estimable']], dtype=object)
    """
    problems = _whole_number_problems({"draws": draws}, lowest=MIN_DRAWS)
    problems += _whole_number_problems({"random_seed": random_seed, "min_journeys": min_journeys},
                                       lowest=0)
    if not isinstance(hdi_prob, int | float) or isinstance(hdi_prob, bool) or \
            not 0 < hdi_prob < 1:
        problems.append(problem(f"hdi_prob={hdi_prob!r} is not a probability between 0 and 1.",
                                "Pass e.g. hdi_prob=0.94."))
    touches, converted = read_touches(events, user, time, channel, conversion,
                                      lookback=lookback, grouping=grouping, problems=problems)
    labels = touches["channel"].unique()
    if len(labels) < 2:
        raise DataError(problem(
            f"The journeys touch only one channel ({', '.join(map(str, labels))}), so there "
            "is no pair to compare.", "Pass journeys with touches of two channels or more "
            "(or a grouping that keeps them apart).", column=str(channel)))
    return pair_synergy(touches, converted, hdi_prob=float(hdi_prob), draws=int(draws),
                        random_seed=int(random_seed), min_journeys=int(min_journeys))
