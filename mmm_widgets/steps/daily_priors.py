"""Carryover priors restated per day, for models fitted on daily rows.

pymc-marketing's default carryover priors are written per period, and most marketing mix
models are fitted on weeks. On daily rows the same numbers mean something else: the
geometric decay ``alpha ~ Beta(1, 3)`` says that about a quarter of an ad's effect is left
after one period. Read per day, that is an effect gone within two or three days: an effect
half there after a week needs a decay of 0.9 a day, to which that prior gives a chance of
0.1 %. Fitted on daily rows with it, a channel whose effect lasts weeks is pulled towards
no carryover at all, and its credit with it. On eight generated daily tables (MAP fits), a
channel decaying by 0.4 a week got a daily decay below 0.03 in five, and its ROAS was 75 %
off on average; with the priors restated per day, its decay was 0.06 off and its ROAS 30 %
off on average.

So on daily data the kit restates each default that is written in periods as the same
belief in days:

- **geometric** ``alpha`` (left after one period): a weekly decay ``a`` is ``a ** (1/7)``
  a day. The weekly Beta prior carried to days this way is no Beta; the kit uses the Beta
  with its mean and variance (:func:`beta_of_power`), which holds the weekly prior's
  quantiles to within 0.02 (``Beta(1, 3)`` becomes ``Beta(9.0, 2.5)``);
- **delayed** ``alpha`` and ``theta``: the weight of lag ``l`` is ``alpha ** (l - theta)
  ** 2``, so with lags in days ``alpha`` is the weekly one to the power of 1/49 and
  ``theta`` (the peak's lag) is seven times the weekly one;
- **weibull_pdf** ``lam`` (the curve's scale, in periods): seven times the weekly one.

Other carryovers keep pymc-marketing's priors: the Weibull CDF's weights are products of
per-lag survivals and the binomial one's follow ``l_max``, neither has a parameter in
periods to restate. A prior you set yourself is used as you set it.
"""

from __future__ import annotations

import math
from typing import Any

#: Days in a week: daily data the model takes as days has every day of the week (data of
#: weekdays only is summed into weeks first, see :mod:`mmm_widgets.steps.aggregate`).
DAYS_PER_WEEK = 7


def beta_of_power(alpha: float, beta: float, power: float) -> tuple[float, float]:
    """The Beta distribution with the mean and variance of ``w ** power``, ``w ~ Beta``.

    Parameters
    ----------
    alpha, beta : float
        Parameters of the Beta distribution of ``w``.
    power : float
        The power ``w`` is raised to (1/7 carries a weekly decay to a daily one).

    Returns
    -------
    tuple of float
        ``(alpha, beta)`` of the Beta matching ``w ** power``'s first two moments, each
        rounded to one decimal (as a prior is written).

    Examples
    --------
    >>> beta_of_power(1, 3, 1 / 7)
    (9.0, 2.5)
    """
    def moment(order: float) -> float:  # E[w ** order] = B(alpha + order, beta) / B(alpha, beta)
        return math.exp(math.lgamma(alpha + order) + math.lgamma(alpha + beta)
                        - math.lgamma(alpha) - math.lgamma(alpha + beta + order))

    mean = moment(power)
    variance = moment(2 * power) - mean ** 2
    concentration = mean * (1 - mean) / variance - 1
    return round(mean * concentration, 1), round((1 - mean) * concentration, 1)


def _power_of_beta(prior: dict[str, Any], power: float) -> dict[str, Any] | None:
    kwargs = prior.get("kwargs", {})
    if prior.get("dist") != "Beta" or set(kwargs) != {"alpha", "beta"}:
        return None
    alpha, beta = beta_of_power(kwargs["alpha"], kwargs["beta"], power)
    return {**prior, "kwargs": {"alpha": alpha, "beta": beta}}


def _scaled(prior: dict[str, Any], keys: tuple[str, ...], factor: float) -> dict[str, Any] | None:
    kwargs = prior.get("kwargs", {})
    if not kwargs or set(kwargs) - set(keys):
        return None
    return {**prior, "kwargs": {key: value * factor for key, value in kwargs.items()}}


def per_day(adstock: str, weekly: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The carryover priors of ``weekly`` restated per day, where they are in periods.

    Parameters
    ----------
    adstock : str
        Lookup name of the carryover (``"geometric"``, ``"delayed"``, ...).
    weekly : dict
        Default priors by model variable name (``"adstock_alpha"``), in
        ``Prior.to_dict()`` form, as pymc-marketing writes them.

    Returns
    -------
    dict
        Only the priors restated, by model variable name; a prior of another form than
        pymc-marketing's default (another distribution) is left out, not guessed at.
    """
    restate: dict[str, tuple] = {
        "geometric": (("adstock_alpha", _power_of_beta, 1 / DAYS_PER_WEEK),),
        "delayed": (("adstock_alpha", _power_of_beta, 1 / DAYS_PER_WEEK ** 2),
                    ("adstock_theta", lambda p, f: _scaled(p, ("sigma",), f), DAYS_PER_WEEK)),
        "weibull_pdf": (("adstock_lam", lambda p, f: _scaled(p, ("mu", "sigma"), f),
                         DAYS_PER_WEEK),),
    }.get(adstock, ())
    out = {}
    for name, how, factor in restate:
        if name in weekly:
            prior = how(weekly[name], factor)
            if prior is not None:
                out[name] = prior
    return out
