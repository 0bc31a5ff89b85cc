"""Rule-based attribution: fixed formulas that split each conversion over its journey.

Every rule returns a *share* per touch; the shares of one journey add up to 1, so
multiplying by the journey's conversions (or value) and summing per channel hands
out exactly the conversions (or value) there are. All rules work on whole arrays
(no loop over journeys), which keeps a million touches well under a second each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mmm_widgets.errors import DataError, problem
from mmm_widgets.mta.journeys import Journeys
from mmm_widgets.mta.names import MODELS


def _decay(age: np.ndarray, half_life: float) -> np.ndarray:
    return np.exp2(-age / half_life)


def _share_within(journeys: Journeys, raw: np.ndarray) -> np.ndarray:
    total = np.bincount(journeys.journey, weights=raw, minlength=journeys.n_journeys)
    safe = np.where(total > 0, total, 1.0)
    return raw / safe[journeys.journey]


def first_touch(journeys: Journeys) -> np.ndarray:
    """First touch: the whole conversion goes to the first touch of the journey.

    Parameters
    ----------
    journeys : Journeys

    Returns
    -------
    numpy.ndarray
        Share of every touch (1 for first touches, 0 elsewhere).
    """
    return (journeys.position == 0).astype(np.float64)


def last_touch(journeys: Journeys) -> np.ndarray:
    """Last touch: the whole conversion goes to the converting (last) touch.

    Parameters
    ----------
    journeys : Journeys

    Returns
    -------
    numpy.ndarray
        Share of every touch.
    """
    share = np.zeros(len(journeys.channel))
    share[journeys.ends] = 1.0
    return share


def last_non_direct(journeys: Journeys, direct: int | None) -> np.ndarray:
    """Last non-direct touch: the last touch whose channel is not the direct channel.

    Direct visits are usually the result of earlier marketing, so the credit goes
    to the last touch before them. A journey made only of direct touches credits
    direct (its last touch).

    Parameters
    ----------
    journeys : Journeys
    direct : int or None
        Code of the direct channel; None means no channel is direct, and the rule
        equals last touch.

    Returns
    -------
    numpy.ndarray
        Share of every touch.
    """
    if direct is None:
        return last_touch(journeys)
    index = np.arange(len(journeys.channel))
    candidate = np.where(journeys.channel != direct, index, -1)
    latest = np.maximum.reduceat(candidate, journeys.starts)
    target = np.where(latest >= journeys.starts, latest, journeys.ends)
    share = np.zeros(len(journeys.channel))
    share[target] = 1.0
    return share


def linear(journeys: Journeys) -> np.ndarray:
    """Linear: every touch gets an equal share; a channel touched twice gets two shares.

    Parameters
    ----------
    journeys : Journeys

    Returns
    -------
    numpy.ndarray
        Share of every touch (1 / number of touches of its journey).
    """
    return 1.0 / journeys.lengths[journeys.journey]


def time_decay(journeys: Journeys, half_life: float) -> np.ndarray:
    """Time decay: touches closer to the conversion get more, halving every half-life.

    A touch ``age`` before the conversion (the journey's last touch) weighs
    ``2 ** (-age / half_life)``; the weights of a journey are scaled to add up to 1.
    The converting touch has age 0 and weight 1.

    Parameters
    ----------
    journeys : Journeys
    half_life : float
        In the unit of ``journeys.age`` (seconds for dates, touches for paths).

    Returns
    -------
    numpy.ndarray
        Share of every touch.
    """
    return _share_within(journeys, _decay(journeys.age, half_life))


@dataclass(frozen=True)
class CustomRule:
    """A position-based rule with your own first / middle / last shares.

    Build it with :func:`custom_rule`; pass it in ``models=[...]``. Its result
    column is ``name``.

    Attributes
    ----------
    name : str
    first, middle, last : float
        Shares of the first touch, of all middle touches together and of the last
        touch; they add up to 1.
    half_life : object or None
        When given, the middle share is split in proportion to
        ``2 ** (-age / half_life)`` instead of equally.
    """

    name: str
    first: float
    middle: float
    last: float
    half_life: object = None

    def shares(self, journeys: Journeys, half_life: float | None = None) -> np.ndarray:
        """Share of every touch.

        Parameters
        ----------
        journeys : Journeys
        half_life : float, optional
            ``self.half_life`` converted to the unit of ``journeys.age``.

        Returns
        -------
        numpy.ndarray
        """
        n = journeys.lengths[journeys.journey]
        position = journeys.position
        is_first = position == 0
        is_last = position == n - 1
        middle = ~is_first & ~is_last
        if half_life is None:
            raw = middle.astype(np.float64)
        else:
            raw = np.where(middle, _decay(journeys.age, half_life), 0.0)
        share = self.middle * _share_within(journeys, raw)
        share = share + self.first * is_first + self.last * is_last
        ends = self.first + self.last
        # Two touches have no middle: first and last split their own shares again
        # (a 40/20/40 rule gives 50/50); with no end share at all, they split equally.
        two_first = self.first / ends if ends > 0 else 0.5
        share = np.where(n == 2, np.where(is_first, two_first, 1.0 - two_first), share)
        return np.where(n == 1, 1.0, share)


POSITION_BASED = CustomRule("position_based", first=0.4, middle=0.2, last=0.4)


def position_based(journeys: Journeys) -> np.ndarray:
    """Position-based (U-shaped): 40 % first, 40 % last, 20 % split over the middle.

    Two-touch journeys split 50/50; a single touch gets everything.

    Parameters
    ----------
    journeys : Journeys

    Returns
    -------
    numpy.ndarray
        Share of every touch.
    """
    return POSITION_BASED.shares(journeys)


def custom_rule(
    name: str, first: float, middle: float, last: float, half_life: object = None
) -> CustomRule:
    """Make a position-based rule with your own shares, usable in ``models=[...]``.

    The first touch gets ``first``, the last (converting) touch gets ``last`` and
    the touches in between share ``middle`` -- equally, or, with ``half_life``,
    in proportion to ``2 ** (-age / half_life)`` so later middle touches get more
    (the first and last shares stay fixed). A journey with one touch gives it
    100 %; with two touches they get ``first`` and ``last`` scaled to add up to 1
    (50/50 when both are 0). ``custom_rule("u", 0.4, 0.2, 0.4)`` equals
    ``"position_based"``.

    Parameters
    ----------
    name : str
        Column name of the rule in the result; must differ from the built-in model
        names.
    first, middle, last : float
        Non-negative shares adding up to 1.
    half_life : str, Timedelta or float, optional
        Time-decay of the middle share. With :func:`attribute` on date times use a
        time span such as ``"3D"``; with numeric times a number in their unit; with
        :func:`attribute_paths` a number of touches.

    Returns
    -------
    CustomRule

    Raises
    ------
    DataError
        When the name is empty or the shares are negative or do not add up to 1.

    Examples
    --------
    >>> rule = custom_rule("first_heavy", first=0.6, middle=0.2, last=0.2)
    >>> rule.name
    'first_heavy'
    """
    problems = []
    if not isinstance(name, str) or not name.strip():
        problems.append(
            problem(
                what=f"The rule name {name!r} is empty or not text.",
                fix="Give the rule a name such as 'first_heavy'; it becomes its column.",
            )
        )
    elif name.strip() in MODELS:
        problems.append(
            problem(
                what=f"The rule name {name!r} is already a built-in model.",
                fix=f"Pick another name, e.g. 'my_{name.strip()}'.",
            )
        )
    shares = {"first": first, "middle": middle, "last": last}
    numbers = {}
    for key, amount in shares.items():
        if isinstance(amount, bool) or not isinstance(amount, int | float | np.number):
            problems.append(
                problem(what=f"{key}={amount!r} is not a number.", fix=f"Pass {key}=0.2 etc.")
            )
        elif not math.isfinite(amount) or amount < 0:
            problems.append(
                problem(
                    what=f"{key}={amount!r} is negative or not finite.",
                    fix="Shares are fractions of a conversion: use numbers from 0 to 1.",
                )
            )
        else:
            numbers[key] = float(amount)
    if len(numbers) == 3 and not math.isclose(sum(numbers.values()), 1.0, abs_tol=1e-9):
        total = sum(numbers.values())
        problems.append(
            problem(
                what=f"first + middle + last = {total:g}, not 1.",
                fix="Make the three shares add up to 1, e.g. first=0.4, middle=0.2, last=0.4.",
            )
        )
    if problems:
        raise DataError(problems)
    return CustomRule(name.strip(), numbers["first"], numbers["middle"], numbers["last"], half_life)
