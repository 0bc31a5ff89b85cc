"""Monthly rows whose target moves with how long each month is.

A month of sums holds 28 to 31 days, and a month of weekly rows summed by the month four
or five weeks: sales rise in the long months for no other reason. The channels that spend
every week spend more in those months too, and the model, which has no term for a
month's length, credits them with the rise. On generated tables (TV returns 2.0, search
3.0 per unit spent, five years of weekly rows summed into calendar months; MAP fits),
search's ROAS read 5.0 to 6.0 and TV's 2.1 to 2.5; with the months' count of week starts
mapped as a control, 3.0 to 3.6 and 2.0 to 2.1.

:func:`month_length_finding` reads each series against the least-squares line of
:mod:`mmm_widgets.steps.outliers` with each month's length added: its days, or its
count of one weekday (a month of weekly rows holds as many weeks as it holds their
first weekday). The length that explains most is named when its F statistic reaches
:data:`F_LEAST` and it moves the target by :data:`MOVE_LEAST` of its mean from the
shortest month to the longest, with the line adding it as a column to map as a control.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.outliers import Series, f_added, free_name, short_equations
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: Least F statistic of the month's length added to the series' line: a chance under
#: 1e-4 per length under the F distribution at 40 residual degrees of freedom; the largest
#: over the 51 monthly series of the 300 generated conformance tables is 11.5, over days
#: summed by the month 23 to 94 (five seeds).
F_LEAST = 20.0
#: Least move of the target from the shortest month to the longest, as a share of its
#: mean.
MOVE_LEAST = 0.05
#: The days between two rows for the rows to be months.
MONTH_DAYS = (28, 31)
WEEKDAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays",
            "Sundays")


@dataclass(frozen=True)
class MonthLength:
    """How one series' target moves with its months' length.

    Attributes
    ----------
    geo : str or None
        The geo, in a panel.
    weekday : int or None
        The weekday counted (0 for Mondays), or None for the days.
    share : float
        The target's move from the shortest month to the longest, over its mean.
    """

    geo: str | None
    weekday: int | None
    share: float

    @property
    def unit(self) -> str:
        """What is counted: ``"days"`` or ``"Mondays"``."""
        return "days" if self.weekday is None else WEEKDAYS[self.weekday]


def lengths(dates: pd.DatetimeIndex, weekday: int | None) -> np.ndarray:
    """Each date's month's days, or its count of ``weekday`` (0: Mondays), as
    :func:`month_length_line`'s code counts them.

    Examples
    --------
    >>> lengths(pd.DatetimeIndex(["2024-02-01", "2024-03-31"]), None).tolist()
    [29, 31]
    >>> lengths(pd.DatetimeIndex(["2024-02-01", "2024-04-30"]), 0).tolist()
    [4, 5]
    """
    start = pd.Series(dates).dt.to_period("M").dt.start_time
    days = start.dt.days_in_month.to_numpy()
    if weekday is None:
        return days
    return (days - (weekday - start.dt.day_of_week.to_numpy()) % 7 + 6) // 7


def find_month_length(series: Series, roles: Roles) -> MonthLength | None:
    """The month's length (its days, or its count of one weekday) that explains most of
    one monthly series beyond its spend, controls and season; None when it explains too
    little (:data:`F_LEAST`, :data:`MOVE_LEAST`) or the rows are not months.

    Parameters
    ----------
    series : Series
        The series, with its least-squares terms.
    roles : Roles
        The mapping.

    Returns
    -------
    MonthLength or None
    """
    kept = ~series.left_out
    dates = series.dates[kept]
    if len(dates) < 3:
        return None
    spacing = (dates[1:] - dates[:-1]).median().days
    target = series.rows[roles.target].to_numpy(float)[kept]
    mean = float(np.mean(target))
    if (not MONTH_DAYS[0] <= spacing <= MONTH_DAYS[1] or not mean > 0
            or not np.isfinite(series.columns).all()):
        return None
    fit = short_equations(series.columns[kept], len(roles.channels), full=series.equations)
    if fit is None:
        return None
    equations, terms = fit[0], fit[1].shape[1]
    candidates = (None, *range(7))
    counts = np.column_stack([lengths(dates, weekday) for weekday in candidates])
    residuals = equations.residuals(np.column_stack([target, counts]))
    residual_y, dof = residuals[:, 0], len(target) - terms
    rss = float(residual_y @ residual_y)
    best = None
    for k, weekday in enumerate(candidates):
        if np.ptp(counts[:, k]) == 0:
            continue
        f, coefficient = f_added(rss, residual_y, residuals[:, k + 1], dof)
        share = coefficient * float(np.ptp(counts[:, k])) / mean
        if best is None or f > best[0]:
            best = (f, MonthLength(series.geo, weekday, share))
    if best is None or best[0] < F_LEAST or best[1].share < MOVE_LEAST:
        return None
    return best[1]


def month_length_line(found: MonthLength, roles: Roles, table: str,
                      date_format: str | None) -> str:
    """The line adding each month's length (as :func:`lengths` counts it) to the raw
    table, as a column to map as a control."""
    read = to_datetime_code(f"{table}[{literal(roles.date)}]", date_format)
    name = literal(free_name(found.unit.lower(), roles))
    if found.weekday is None:
        return f"{table}[{name}] = {read}.dt.days_in_month"
    return (f"{table}[{name}] = {read}.dt.to_period('M').dt.start_time.pipe(lambda start: "
            f"(start.dt.days_in_month - ({found.weekday} - start.dt.day_of_week) % 7 + 6) // 7)")


def month_length_finding(series: list[Series], roles: Roles, table: str = "df",
                         date_format: str | None = None) -> list[Finding]:
    """A note naming monthly rows whose target moves with the months' length.

    Parameters
    ----------
    series : list of Series
        :func:`~mmm_widgets.steps.outliers.read_series` of the mapped frame.
    roles : Roles
        The mapping.
    table : str
        The raw table's variable, as the fix writes it.
    date_format : str, optional
        Format of the raw table's text dates, as the fix reads them.

    Returns
    -------
    list of Finding
        At most one: the length found in most series (the same column serves every geo).
    """
    found = [f for f in (find_month_length(one, roles) for one in series) if f is not None]
    if not found:
        return []
    units = pd.Series([f.unit for f in found])
    unit = units.mode().iloc[0]
    alike = [f for f in found if f.unit == unit]
    low, high = min(f.share for f in alike), max(f.share for f in alike)
    size = f"+{low:.0%}" if round(low, 2) == round(high, 2) else f"+{low:.0%} to +{high:.0%}"
    where = (f" in {len(alike)} of {len(series)} geos" if roles.geo else "")
    source = ("sums of days?" if unit == "days" else
              f"sums of weekly rows, each week dated by its first day ({unit[:-1]})?")
    return [Finding(
        "month_length",
        f"The target {roles.target!r} moves with how many {unit} each month holds "
        f"({size} from the shortest month to the longest{where}, beyond what its spend, "
        f"controls and season explain): {source} The model has no term for a month's "
        "length: the channels that spend every week spend more in the long months too, "
        "and would take the rise, their ROAS reading too high. Add the length as a column "
        f"and map it as a control: {month_length_line(alike[0], roles, table, date_format)}"
        ".", (roles.target,))]
