"""A channel whose spend is, on every row, an exact combination of other channels'.

A variance inflation factor past any bound (:func:`~mmm_widgets.steps.quality.
variance_inflation` returns inf) says a channel's spend is some other channels' weighted
sum plus a constant on every row: ``facebook = 10 x instagram - 2 x youtube`` in a public
sample table made by formula. The model cannot tell apart the effects of columns tied so,
and "VIF inf" does not say which columns tie it. :func:`exact_combination` writes the tie.

Totals of other channels (weights of 1) are found apart, before the mapping is accepted,
by :mod:`~mmm_widgets.steps.totals`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: A weight whose share of the column's spread is below this is read as 0.
_NEGLIGIBLE = 1e-6
#: Most a row may miss the combination by, as a share of the column's spread: an
#: unbounded VIF leaves a spread of the misses of 1e-6 or less.
_TIED = 1e-5


@dataclass(frozen=True)
class Combination:
    """A column written as other columns' weighted sum plus a constant.

    Attributes
    ----------
    column : str
        The column the others make.
    weights : tuple of (str, float)
        Each other column and its weight, in the table's order; none is 0.
    constant : float
        What is added on every row (0.0 when nothing is).
    """

    column: str
    weights: tuple[tuple[str, float], ...]
    constant: float

    def describe(self) -> str:
        """The tie as a formula over the columns' names.

        Examples
        --------
        >>> Combination("facebook", (("youtube", -2.0), ("instagram", 10.0)), 0.0).describe()
        "'facebook' = 10 x 'instagram' - 2 x 'youtube'"
        >>> Combination("x", (("a", -1.0), ("b", -0.25)), 5.0).describe()
        "'x' = -'a' - 0.25 x 'b' + 5"
        >>> Combination("all", (("tv", 0.5), ("radio", 1.0)), 1200.0).describe()
        "'all' = 0.5 x 'tv' + 'radio' + 1,200"
        """
        terms = []
        # Added columns first, each sign's in the table's order: "a = 10 x b - 2 x c".
        for name, weight in sorted(self.weights, key=lambda pair: pair[1] < 0):
            size = "" if np.isclose(abs(weight), 1.0) else f"{_number(abs(weight))} x "
            sign = "-" if weight < 0 else "+"
            terms.append((sign, f"{size}{name!r}"))
        if self.constant:
            terms.append(("-" if self.constant < 0 else "+", _number(abs(self.constant))))
        first_sign, first = terms[0]
        formula = ("-" if first_sign == "-" else "") + first
        formula += "".join(f" {sign} {term}" for sign, term in terms[1:])
        return f"{self.column!r} = {formula}"


def _number(value: float) -> str:
    """Three significant digits, thousands grouped, no trailing zeros: 10, 0.85, 1,200."""
    rounded = float(f"{value:.3g}")
    return f"{rounded:,.0f}" if rounded == round(rounded) else f"{rounded:,}"


def exact_combination(frame: pd.DataFrame, column: str,
                      others: Sequence[str]) -> Combination | None:
    """``column`` as an exact weighted sum of ``others`` plus a constant, if it is one.

    Parameters
    ----------
    frame : pandas.DataFrame
        Numeric columns without missing values.
    column : str
        The column to write.
    others : sequence of str
        The columns it may be made of (the channels whose VIF is also unbounded: only
        they can take part in an exact tie).

    Returns
    -------
    Combination or None
        None when no weights make the column on every row (up to 1e-5 of its
        spread). Weights are the least-squares ones; when the others are tied among
        themselves too, the smallest such weights.

    Examples
    --------
    >>> frame = pd.DataFrame({"youtube": [1.0, 4.0, 2.0, 8.0], "instagram": [3.0, 1.0, 5.0, 2.0]})
    >>> frame["facebook"] = 10 * frame["instagram"] - 2 * frame["youtube"]
    >>> exact_combination(frame, "facebook", ["youtube", "instagram"]).describe()
    "'facebook' = 10 x 'instagram' - 2 x 'youtube'"
    """
    others = [c for c in others if c != column]
    if not others:
        return None
    target = frame[column].to_numpy(dtype=float)
    parts = frame[others].to_numpy(dtype=float)
    design = np.column_stack([parts, np.ones(len(frame))])
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    spread = float(target.std())
    if spread == 0 or np.abs(design @ solution - target).max() > _TIED * spread:
        return None
    weights = tuple((name, float(weight)) for name, weight, scale
                    in zip(others, solution[:-1], parts.std(axis=0), strict=True)
                    if abs(weight) * scale > _NEGLIGIBLE * spread)
    if not weights:
        return None
    constant = float(solution[-1])
    if abs(constant) <= _NEGLIGIBLE * max(spread, float(np.abs(target).mean())):
        constant = 0.0
    return Combination(column, weights, constant)
