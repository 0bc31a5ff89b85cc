"""Kit-wide settings read when a step's parameters are created.

Parameters record the value they were made with, so exported code carries it as a
literal and a saved workflow keeps it; changing a setting affects steps made afterwards.
"""

from __future__ import annotations

import math

from mmm_widgets.errors import DataError, problem

DEFAULT_INTERVAL = 0.94
_interval = DEFAULT_INTERVAL


def interval() -> float:
    """Probability mass of the credible intervals (HDIs) new steps compute (default 0.94)."""
    return _interval


def check_interval(prob: object) -> float:
    """``prob`` as a float strictly between 0 and 1.

    Raises
    ------
    DataError
        When it is not such a number.
    """
    if isinstance(prob, bool) or not isinstance(prob, int | float) or not math.isfinite(prob) \
            or not 0 < prob < 1:
        raise DataError(problem(f"The interval level {prob!r} is not a probability between 0 "
                                "and 1.", "Use e.g. 0.9 for 90 % intervals, or 0.94."))
    return float(prob)


def set_interval(prob: float) -> float:
    """Set the level of every credible interval the kit computes and exports from now on.

    Fit's channel summary, attribution's MMM interval and the budget step's response
    curves and contributions use it when their parameters are made (column names stay
    ``*_hdi_low`` / ``*_hdi_high``). Steps already run keep their level.

    Parameters
    ----------
    prob : float
        Probability mass, e.g. 0.9.

    Returns
    -------
    float
        The previous level.

    Examples
    --------
    >>> import mmm_widgets as mw
    >>> previous = mw.set_interval(0.9)
    >>> mw.settings.interval()
    0.9
    >>> _ = mw.set_interval(previous)
    """
    global _interval
    previous, _interval = _interval, check_interval(prob)
    return previous
