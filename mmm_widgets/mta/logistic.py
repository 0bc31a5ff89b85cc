"""Journey-level conversion model: bagged logistic regression (Shao and Li 2011).

Every journey, converting or not, is one observation. Its features, per channel with
touches: whether the journey touched the channel (0/1) and how many times (touches kept
by ``lookback`` only). A scikit-learn ``LogisticRegression`` (L2, ``C=1``) predicts
whether the journey converts. The ensemble is a seeded Bayesian bootstrap (Rubin 1981):
each of ``n_models`` fits weighs the journeys by independent Exp(1) draws, and the
predicted probability ``p(x)`` is the mean over the fits (bagging). Journeys with equal
features are fitted as one row whose weight is the sum of their draws, a Gamma draw.

From the ensemble, with ``x - c`` the journey's features with channel ``c``'s touches
removed and ``p0`` the probability predicted with no touches at all:

* **effect** of ``c``: the average drop ``p(x) - p(x - c)`` over the journeys that
  touched ``c``; its interval is the matching quantiles of the same average under each
  fit of the ensemble.
* **incremental** credit of ``c``: over the converting journeys, the fraction of each
  conversion that goes away without ``c``, ``(p(x) - p(x - c)) / p(x)``, times its
  weight (1, or its value), summed. Because ``E[converted / p(x)] = 1``, this estimates
  the conversions lost without ``c`` over all journeys that had it. The **baseline**,
  ``p0 / p(x)`` summed the same way (the conversions expected without any touch), is
  reported on its own; incremental credits and baseline need not add up to the
  conversions (the drops of a logistic model interact).
* **influenced** credit: each conversion (or its value) split over its journey's
  channels in proportion to their drops, negative drops counted as 0; a journey whose
  drops are all 0 is split equally over its channels. It adds up to the conversions.

These are associations in observational journeys: users who see more channels may
convert more anyway, so an effect is what the model predicts, not a lift test.

References
----------
Shao, X., & Li, L. (2011). Data-driven multi-touch attribution models. KDD '11.
Rubin, D. B. (1981). The Bayesian bootstrap. The Annals of Statistics, 9(1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.errors import DataError, problem
from mmm_widgets.mta.journeys import Journeys

#: Fits in the ensemble unless told otherwise.
N_MODELS = 50
#: Seed of the bootstrap weights unless told otherwise.
SEED = 0


@dataclass(frozen=True)
class LogisticFit:
    """The ensemble's predictions on every distinct feature row.

    Attributes
    ----------
    present : numpy.ndarray
        Codes of the channels with touches (the model's channels, in this order).
    touched : numpy.ndarray of shape (rows, channels)
        Whether the row touches each channel.
    journeys, weights : numpy.ndarray of shape (rows,)
        Journeys of each row, and what its converting journeys hand out.
    probability : numpy.ndarray of shape (models, rows)
        ``p(x)`` under each fit.
    without : numpy.ndarray of shape (models, channels, rows)
        ``p(x - c)`` under each fit.
    baseline : numpy.ndarray of shape (models,)
        ``p0`` under each fit.
    """

    present: np.ndarray
    touched: np.ndarray
    journeys: np.ndarray
    weights: np.ndarray
    probability: np.ndarray
    without: np.ndarray
    baseline: np.ndarray

    @property
    def drops(self) -> np.ndarray:
        """Bagged drop ``p(x) - p(x - c)`` per channel and row (0 where not touched)."""
        drop = self.probability.mean(axis=0) - self.without.mean(axis=0)
        return np.where(self.touched.T, drop, 0.0)


def fit_logistic(journeys: Journeys, weights: np.ndarray, n_models: int = N_MODELS,
                 seed: int = SEED) -> LogisticFit:
    """Fit the bagged ensemble on the journeys.

    Parameters
    ----------
    journeys : Journeys
    weights : numpy.ndarray
        Per journey, what it hands out (conversions or value).
    n_models : int
        Fits in the ensemble.
    seed : int
        Seed of the numpy generator of the bootstrap weights.

    Returns
    -------
    LogisticFit

    Raises
    ------
    DataError
        When every journey converted (nothing to contrast the conversions with).
    """
    from sklearn.linear_model import LogisticRegression

    present = np.unique(journeys.channel)
    k = len(present)
    column = np.searchsorted(present, journeys.channel)
    counts = np.bincount(journeys.journey * k + column, minlength=journeys.n_journeys * k)
    counts = counts.reshape(journeys.n_journeys, k).astype(np.float64)
    features = np.hstack(((counts > 0).astype(np.float64), counts))
    rows, inverse = np.unique(features, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n_rows = len(rows)
    converted = np.bincount(inverse, weights=journeys.conversions, minlength=n_rows)
    not_converted = np.bincount(inverse, weights=journeys.nulls, minlength=n_rows)
    if not_converted.sum() <= 0:
        raise DataError(problem(
            what="The logistic model compares converting with non-converting journeys, "
            "but every journey converted.",
            fix="Include the journeys that did not convert (for paths: nulls='<column>') "
            "or leave 'logistic' out of models.",
        ))
    design = np.vstack((rows, rows))
    target = np.concatenate((np.zeros(n_rows), np.ones(n_rows)))
    amount = np.concatenate((not_converted, converted))
    keep = amount > 0
    design, target, amount = design[keep], target[keep], amount[keep]
    rng = np.random.default_rng(seed)
    probability = np.empty((n_models, n_rows))
    without = np.empty((n_models, k, n_rows))
    baseline = np.empty(n_models)
    for fit in range(n_models):
        model = LogisticRegression(C=1.0, max_iter=1000)
        model.fit(design, target, sample_weight=rng.gamma(amount))
        coef, intercept = model.coef_[0], model.intercept_[0]
        logit = rows @ coef + intercept
        probability[fit] = 1.0 / (1.0 + np.exp(-logit))
        removed = logit[:, None] - rows[:, :k] * coef[:k] - rows[:, k:] * coef[k:]
        without[fit] = (1.0 / (1.0 + np.exp(-removed))).T
        baseline[fit] = 1.0 / (1.0 + np.exp(-intercept))
    return LogisticFit(present, rows[:, :k] > 0, converted + not_converted,
                       np.bincount(inverse, weights=weights, minlength=n_rows),
                       probability, without, baseline)


def influenced(fit: LogisticFit) -> np.ndarray:
    """Each row's weight split over its channels by their positive drops (per channel).

    Parameters
    ----------
    fit : LogisticFit

    Returns
    -------
    numpy.ndarray of shape (channels,)
        In the order of ``fit.present``; adds up to the total weight.
    """
    positive = np.clip(fit.drops, 0.0, None)
    total = positive.sum(axis=0)
    even = fit.touched.T / fit.touched.sum(axis=1)
    share = np.where(total > 0, positive / np.where(total > 0, total, 1.0), even)
    return share @ fit.weights


def incremental(fit: LogisticFit) -> tuple[np.ndarray, float]:
    """Incremental credit per channel and the baseline (see the module docstring).

    Parameters
    ----------
    fit : LogisticFit

    Returns
    -------
    (numpy.ndarray of shape (channels,), float)
    """
    scale = fit.weights / fit.probability.mean(axis=0)
    return fit.drops @ scale, float(fit.baseline.mean() * scale.sum())


def effects(fit: LogisticFit, interval: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Average drop per channel over the journeys that touched it, with its interval.

    Parameters
    ----------
    fit : LogisticFit
    interval : float
        Probability mass between the interval's quantiles.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        Effect, low and high end, per channel.
    """
    exposed = fit.touched * fit.journeys[:, None]
    lost = np.einsum("br,rk->bk", fit.probability, exposed) \
        - np.einsum("bkr,rk->bk", fit.without, exposed)
    per_fit = lost / exposed.sum(axis=0)
    low, high = np.quantile(per_fit, [(1 - interval) / 2, (1 + interval) / 2], axis=0)
    return per_fit.mean(axis=0), low, high


def logistic(journeys: Journeys, weights: np.ndarray) -> np.ndarray:
    """Influenced credit per channel from the default ensemble.

    Parameters
    ----------
    journeys : Journeys
    weights : numpy.ndarray
        Per journey, what it hands out (conversions or value).

    Returns
    -------
    numpy.ndarray
        Credit per channel (0 for channels without touches), adding up to
        ``weights.sum()``.
    """
    fit = fit_logistic(journeys, weights)
    credit = np.zeros(len(journeys.channels))
    credit[fit.present] = influenced(fit)
    return credit


def effects_table(journeys: Journeys, weights: np.ndarray, n_models: int, seed: int,
                  interval: float) -> pd.DataFrame:
    """``effect, effect_low, effect_high, incremental, influenced`` per channel.

    Channels without touches (all dropped by ``lookback``) are left out. ``attrs`` holds
    ``baseline`` (conversions, or value, expected without any touch), ``baseline_rate``
    (``p0``), ``interval``, ``n_models`` and ``seed``.
    """
    fit = fit_logistic(journeys, weights, n_models, seed)
    effect, low, high = effects(fit, interval)
    added, baseline = incremental(fit)
    index = pd.Index([journeys.channels[c] for c in fit.present], name="channel")
    table = pd.DataFrame({"effect": effect, "effect_low": low, "effect_high": high,
                          "incremental": added, "influenced": influenced(fit)}, index=index)
    table.attrs.update(baseline=baseline, baseline_rate=float(fit.baseline.mean()),
                       interval=float(interval), n_models=int(n_models), seed=int(seed))
    return table
