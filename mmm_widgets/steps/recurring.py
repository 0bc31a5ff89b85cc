"""Weeks (or months) of the year when the target rises, or falls, every year.

The model's yearly season is two orders of sines: too smooth for a holiday peak of a few
weeks. Channels bought up for the same weeks (TV before Christmas) then take the peak: on
three generated weekly tables (104 weeks; TV returns 2.0; sales 40 % up in ISO weeks 47 to
52, when TV's spend doubles; MAP fits), TV's ROAS read 3.2, 6.0 and 3.4; with those weeks
marked by a 0/1 control, 1.9 to 2.1.

:func:`find_recurring` looks, in one series' residuals from its least-squares line
(:mod:`mmm_widgets.steps.outliers`, without a trend), for the run of weeks of the year
(of months, in monthly data) whose rows rise or fall together, in two years or more:
every run of 1 to :data:`LONGEST` weeks is screened by the residuals, and the best
:data:`SCREENED` are fitted with the other terms. One with an F statistic and a move (a
share of the series' mean) as large as :mod:`~mmm_widgets.steps.baseline` asks of a trend
is named when each year's rows in the run move its way (:func:`_every_year`): a one-off
promotion, or a last week written as 0, is not a season.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.outliers import NormalEquations, f_added

#: Longest run of weeks, or months, of the year looked at.
LONGEST = {"week": 8, "month": 3}
#: Weeks and months in a year (a 53rd ISO week counts as the 52nd).
IN_A_YEAR = {"week": 52, "month": 12}
#: Runs fitted with the other terms, of those the residuals rank first.
SCREENED = 5
#: Least move of each year's rows in the run, as a share of the run's move over the years.
YEAR_SHARE = 1 / 3
#: Shortest series read: the run must come round twice.
SPAN_LEAST = pd.Timedelta(days=700)


@dataclass(frozen=True)
class Recurring:
    """A run of weeks (months) of the year when one series rises or falls.

    Attributes
    ----------
    geo : str or None
        The series' geo, in a panel.
    unit : str
        ``"week"`` (ISO weeks) or ``"month"``.
    first, last : int
        The run's first and last week (month) of the year; ``first > last`` when it runs
        over the new year.
    share : float
        The move as a share of the series' mean.
    years : tuple of int
        The years whose rows it covers.
    """

    geo: str | None
    unit: str
    first: int
    last: int
    share: float
    years: tuple[int, ...]

    @property
    def numbers(self) -> list[int]:
        """The weeks (months) of the year in the run, a 52nd week with the 53rd."""
        size = IN_A_YEAR[self.unit]
        count = (self.last - self.first) % size + 1
        numbers = [(self.first - 1 + k) % size + 1 for k in range(count)]
        return numbers + ([53] if self.unit == "week" and 52 in numbers else [])

    def line(self, table: str, read: str, name: str, geos: list[str] | None,
             geo: str | None) -> str:
        """The line adding the 0/1 column ``name`` to the raw table (``read``: its dates
        as pandas reads them), 1 on the run's rows (in ``geos`` when given)."""
        of_year = ".dt.isocalendar().week" if self.unit == "week" else ".dt.month"
        marked = f"{read}{of_year}.isin({literal(self.numbers)})"
        if geos:
            marked = f"({marked}) & {table}[{literal(geo)}].astype(str).isin({literal(geos)})"
        return f"{table}[{literal(name)}] = ({marked}).astype(int)"

    @property
    def name(self) -> str:
        """The column's name: ``weeks_47_to_52``, ``month_12``."""
        if self.first == self.last:
            return f"{self.unit}_{self.first}"
        return f"{self.unit}s_{self.first}_to_{self.last}"

    @property
    def said(self) -> str:
        """``ISO weeks 47 to 52``, ``month 12``."""
        unit = "ISO week" if self.unit == "week" else "month"
        if self.first == self.last:
            return f"{unit} {self.first}"
        return f"{unit}s {self.first} to {self.last}"


def _of_year(dates: pd.DatetimeIndex, unit: str) -> np.ndarray:
    if unit == "month":
        return dates.month.to_numpy()
    return np.minimum(dates.isocalendar().week.to_numpy(int), 52)


def find_recurring(dates: pd.DatetimeIndex, residual_y: np.ndarray,
                   equations: NormalEquations, rss: float, dof: int, mean: float,
                   geo: str | None = None, f_least: float = 30.0, move_least: float = 0.1
                   ) -> tuple[Recurring, np.ndarray] | None:
    """The run of weeks (months) of the year that explains most of a series' residuals.

    Parameters
    ----------
    dates : pandas.DatetimeIndex
        The series' dates (the rows fitted).
    residual_y : numpy.ndarray
        The target's residuals from its least-squares line.
    equations : NormalEquations
        That line's terms.
    rss : float
        The residuals' sum of squares.
    dof : int
        The residuals' degrees of freedom.
    mean : float
        The series' mean target.
    geo : str, optional
        The series' geo.
    f_least, move_least : float
        Least F statistic, and least move as a share of ``mean``, to name a run.

    Returns
    -------
    tuple of (Recurring, numpy.ndarray) or None
        The run, and its 0/1 column over the rows; None when no run is named, or the
        series spans less than :data:`SPAN_LEAST`. Daily rows are read by their ISO
        weeks.
    """
    if len(dates) < 2 or dates[-1] - dates[0] < SPAN_LEAST:
        return None
    unit = "month" if (dates[1:] - dates[:-1]).median() >= pd.Timedelta(days=28) else "week"
    size = IN_A_YEAR[unit]
    position = _of_year(dates, unit)
    runs = [(first, length) for length in range(1, LONGEST[unit] + 1)
            for first in range(1, size + 1)]
    # each run screened from the residuals' sums by week of the year: the residuals'
    # product with the run's 0/1 column, centred, squared over its centred norm
    sums = np.bincount(position - 1, weights=residual_y, minlength=size)
    counts = np.bincount(position - 1, minlength=size).astype(float)
    wrapped_sums, wrapped_counts = np.tile(sums, 2), np.tile(counts, 2)
    n, total = len(residual_y), float(residual_y.sum())
    scores = np.zeros(len(runs))
    for k, (first, length) in enumerate(runs):
        inside = float(wrapped_counts[first - 1:first - 1 + length].sum())
        norm = inside - inside * inside / n
        if norm > 0:
            product = float(wrapped_sums[first - 1:first - 1 + length].sum()) - inside * total / n
            scores[k] = product * product / norm
    top = np.argsort(scores)[::-1][:SCREENED]
    members = np.column_stack([((position - runs[k][0]) % size) < runs[k][1] for k in top]
                              ).astype(float)
    fitted = equations.residuals(members)
    year_of_row = dates.year.to_numpy()
    best = None
    for column in range(len(top)):
        f, coefficient = f_added(rss, residual_y, fitted[:, column], dof)
        if (f >= f_least and abs(coefficient) >= move_least * mean
                and _every_year(equations, residual_y, members[:, column], year_of_row,
                                coefficient)
                and (best is None or f > best[0])):
            best = (f, coefficient, column)
    if best is None:
        return None
    f, coefficient, column = best
    first, length = runs[top[column]]
    years = tuple(sorted(set(dates[members[:, column] > 0].year)))
    last = (first - 1 + length - 1) % size + 1
    return (Recurring(geo, unit, first, last, coefficient / mean, years),
            members[:, column])


def _every_year(equations: NormalEquations, residual_y: np.ndarray, member: np.ndarray,
                years: np.ndarray, coefficient: float) -> bool:
    """Whether the run moves the target ``coefficient``'s way in each of two years or more,
    by :data:`YEAR_SHARE` of it or more: the run split into one 0/1 column per year, fitted
    together with the other terms.

    A one-off event (a promotion in one spring, the last week's sales not in yet) moves
    one year's rows only; read over the years alone, it would be named as a season."""
    held = sorted(set(years[member > 0]))
    if len(held) < 2:
        return False
    per_year = equations.residuals(np.column_stack([member * (years == year)
                                                    for year in held]))
    moves = np.linalg.lstsq(per_year, residual_y, rcond=None)[0]
    return bool((moves * np.sign(coefficient) >= YEAR_SHARE * abs(coefficient)).all())
