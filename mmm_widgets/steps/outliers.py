"""Target values the spend does not explain: an outage, and outliers.

An outage is a run of periods, between periods with the usual target, where the target
is at or near zero: sales a tracking tag stopped recording, or a shop that was shut. Kept
as it is, the model reads those periods as spend that sold nothing (on generated weekly
tables whose TV returns 2.0, four weeks at zero made its ROAS read 0.3, 0.9 and 2.3;
with the weeks marked by a 0/1 control, 2.0 to 2.1). The note gives the line that marks
them.

An outlier is a period whose target is far from what its spend explains. Each series (a
geo's, or the nation's) is read on its own, so a large geo's sales are not outliers
beside a small one's, and against a least-squares line through its spend (this period's
and the last), controls, trend, yearly season and, on daily rows, day of the week, so a
week of heavy spend and the sales it brought are not either. The note gives the line that
marks the periods, to map as a control when they are real events.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.dates import to_datetime_code, true_runs
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles
from mmm_widgets.wording import listed

#: A period whose target is at most this fraction of its series' median was not recorded.
OUTAGE_LEVEL = 0.05
#: Largest share of a series' periods at that level for them to read as an outage: a
#: target at zero more often is sparse (a small geo's orders, a shop shut on Sundays).
OUTAGE_SHARE = 0.1
#: An outage is a fall to the floor, not the low end of a spread target: the periods above
#: :data:`OUTAGE_LEVEL` and up to this fraction of the median must not outnumber those at
#: it. A target that is noisy down to zero (Meridian's simulated ``kpi``: 9 of 200 weeks
#: under a twentieth of the median, 18 more under a quarter) has no outage.
OUTAGE_GAP = 0.25
#: Robust z-score (median and scaled median absolute deviation of the residuals) from
#: which a period is an outlier.
OUTLIER_Z = 5.0
#: Periods needed per term of the least-squares line; with fewer, levels are read.
ROWS_PER_TERM = 3
#: Dates a note lists before saying how many more.
LISTED = 5
#: Name of a period, by the data's frequency.
PERIOD_NAMES = {"daily": "day", "weekly": "week", "monthly": "month"}


@dataclass(frozen=True)
class Outage:
    """A run of periods whose target was not recorded.

    Attributes
    ----------
    geo : str or None
        The geo, in a panel; None in a national table, or when the run is in every geo.
    first, last : pandas.Timestamp
        The run's first and last dates.
    periods : int
        How many periods it covers.
    spend : float
        What the channels spent over it.
    lowest : float
        Its lowest target: below 0 where returns or refunds outweighed the sales.
    """

    geo: str | None
    first: pd.Timestamp
    last: pd.Timestamp
    periods: int
    spend: float
    lowest: float = 0.0


def geo_series(data: pd.DataFrame, roles: Roles) -> Iterator[tuple[str | None, pd.DataFrame]]:
    """Each geo's name and rows (or None and all rows, national), in date order."""
    if not roles.geo:
        yield None, data.sort_values(roles.date, kind="stable")
        return
    ordered = data.sort_values([roles.geo, roles.date], kind="stable")
    geos = ordered[roles.geo].to_numpy()
    # slices of the sorted frame, one per geo: views, not a copy of each geo's rows
    bounds = [0, *(np.flatnonzero(geos[1:] != geos[:-1]) + 1), len(geos)]
    for start, stop in itertools.pairwise(bounds):
        yield str(geos[start]), ordered.iloc[start:stop]


def _not_recorded(target: np.ndarray) -> np.ndarray:
    """The periods at or near zero, when they are few enough to be an outage and stand
    apart from the other periods' values (see :data:`OUTAGE_GAP`)."""
    median = float(np.median(target)) if len(target) else 0.0
    low = target <= OUTAGE_LEVEL * median
    near = ~low & (target <= OUTAGE_GAP * median)
    if not median > 0 or low.mean() > OUTAGE_SHARE or near.sum() > low.sum():
        return np.zeros(len(target), bool)
    return low


def find_outages(data: pd.DataFrame, roles: Roles) -> list[Outage]:
    """Runs of periods, between periods with the usual target, whose target is at most
    :data:`OUTAGE_LEVEL` of its series' median.

    Runs at either end are left to the checks of a target not yet (or no longer)
    recorded; runs a mapped 0/1 control marks (1 on each of their periods) are explained.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates).
    roles : Roles
        The mapping.

    Returns
    -------
    list of Outage
    """
    found = []
    for geo, rows in geo_series(data, roles):
        target = rows[roles.target].to_numpy(float)
        spend = rows[list(roles.channels)].to_numpy(float).sum(axis=1)
        dates = pd.DatetimeIndex(rows[roles.date])
        runs = [(start, stop) for start, stop in true_runs(_not_recorded(target))
                if start > 0 and stop < len(target)]
        marks = _marks(rows, roles) if runs else None
        for start, stop in runs:
            if not marks[start:stop].all(axis=0).any():
                found.append(Outage(geo, dates[start], dates[stop - 1], int(stop - start),
                                    float(spend[start:stop].sum()),
                                    float(target[start:stop].min())))
    return _in_every_geo(found, data[roles.geo].nunique()) if roles.geo else found


def _marks(rows: pd.DataFrame, roles: Roles) -> np.ndarray:
    """One column per mapped 0/1 control: True where it is 1."""
    numeric = [c for c in roles.controls
               if c in rows and pd.api.types.is_numeric_dtype(rows[c])]
    values = rows[numeric].to_numpy(float)
    return values[:, ((values == 0) | (values == 1)).all(axis=0)] == 1


def _in_every_geo(outages: list[Outage], geos: int) -> list[Outage]:
    """``outages`` with the runs every geo has on the same dates told once, for all."""
    runs: dict[tuple[pd.Timestamp, pd.Timestamp], list[Outage]] = {}
    for outage in outages:
        runs.setdefault((outage.first, outage.last), []).append(outage)
    told = []
    for (first, last), alike in runs.items():
        if len(alike) == geos:
            told.append(Outage(None, first, last, alike[0].periods,
                               sum(outage.spend for outage in alike),
                               min(outage.lowest for outage in alike)))
        else:
            told += alike
    return told


def outage_finding(outages: list[Outage], roles: Roles, frequency: str | None,
                   table: str = "df", date_format: str | None = None,
                   summed_into_weeks: bool = False) -> list[Finding]:
    """A note naming the outages, with the line that marks them by a 0/1 column.

    Parameters
    ----------
    outages : list of Outage
        From :func:`find_outages`.
    roles : Roles
        The mapping.
    frequency : str or None
        The data's frequency, to name its periods.
    table : str
        The raw table's variable, as the fix writes it.
    date_format : str, optional
        Format of the raw table's text dates, as the fix reads them.
    summed_into_weeks : bool
        The raw table's days are summed into weeks: the line marks each week's days.

    Returns
    -------
    list of Finding
        At most one.
    """
    if not outages:
        return []
    period = "week" if summed_into_weeks else PERIOD_NAMES.get(frequency or "", "period")
    named = []
    for outage in outages:
        when = f"{outage.first:%Y-%m-%d}" + (
            f" to {outage.last:%Y-%m-%d}" if outage.periods > 1 else "")
        details = ([f"{outage.periods} {period}s"] if outage.periods > 1 else []) + (
            [f"spend {outage.spend:,.0f}"] if outage.spend > 0 else []) + (
            [f"target {outage.lowest:,.0f}"] if outage.lowest < 0 else [])
        where = (f" in {outage.geo!r}" if outage.geo is not None else
                 " in every geo" if roles.geo else "")
        named.append(when + where + (f" ({', '.join(details)})" if details else ""))
    outages_listed = listed(named, LISTED, separator="; ")
    line = _mark_line("outage", [(o.first, o.last, () if o.geo is None else (o.geo,))
                                 for o in outages], roles, table, date_format,
                      summed_into_weeks)
    below = any(outage.lowest < 0 for outage in outages)
    return [Finding(
        "outage",
        f"The target {roles.target!r} is {'at, near or below' if below else 'at or near'} "
        f"0, between {period}s with the usual figures, on {outages_listed}: sales not recorded (a "
        "tracking outage), or a shop that was shut"
        f"{'; under 0, returns or refunds booked over the sales' if below else ''}? Kept "
        f"as they are, the model reads them as {period}s the spend sold nothing, and "
        "every channel's ROAS is wrong. Mark them and map the mark as a "
        f"control: {line}; or fill in the figures if you have them.", (roles.target,))]


Span = tuple[pd.Timestamp, pd.Timestamp, tuple[str, ...]]


def _mark_line(name: str, spans: list[Span], roles: Roles, table: str,
               date_format: str | None, summed_into_weeks: bool) -> str:
    """The line adding a 0/1 column to the raw table, 1 on the dates of each span
    ``(first, last, geos)`` (in those geos; in every geo when ``geos`` is empty).

    The column is ``name``, or ``name`` with a number when the mapping uses that; when the
    days are summed into weeks, each week's days are marked.
    """
    read = to_datetime_code(f"{table}[{literal(roles.date)}]", date_format)
    dated: dict[tuple[str, ...], list[str]] = {}  # single dates, by the geos they are in
    spanned: list[tuple[str, tuple[str, ...]]] = []
    for first, last, geos in spans:
        if first == last and not summed_into_weeks:
            dated.setdefault(geos, []).append(f"{first:%Y-%m-%d}")
            continue
        last = last + pd.Timedelta(days=6) if summed_into_weeks else last
        spanned.append((f"{read}.between({literal(f'{first:%Y-%m-%d}')}, "
                        f"{literal(f'{last:%Y-%m-%d}')})", geos))
    conditions = []
    for condition, geos in [*spanned, *((f"{read}.isin(pd.to_datetime({literal(days)}))",
                                         geos) for geos, days in dated.items())]:
        conditions.append(f"({condition} & {table}[{literal(roles.geo)}].astype(str)"
                          f".isin({literal(list(geos))}))" if geos else condition)
    column = free_name(name, roles)
    return f"{table}[{literal(column)}] = ({' | '.join(conditions)}).astype(int)"


def free_name(name: str, roles: Roles) -> str:
    """``name``, or ``name`` with a number when the mapping uses it already."""
    taken = set(roles.all)
    number = 2
    candidate = name
    while candidate in taken:
        candidate, number = f"{name}_{number}", number + 1
    return candidate


#: Position of the trend among the columns of :func:`design`, and of the first channel's
#: spend (the channels' spend follows in their order, then their spend the period before).
TREND_COLUMN = 1
SPEND_COLUMN = 6


def design(rows: pd.DataFrame, roles: Roles, controls: list[str]) -> np.ndarray:
    """An intercept, a trend (:data:`TREND_COLUMN`), a yearly season (two orders), on
    daily rows the day of the week, each channel's spend (this period's and the last's)
    and the controls (text ones are indicator columns by then), one row per period."""
    spend = rows[list(roles.channels)].to_numpy(float)
    dates = pd.DatetimeIndex(rows[roles.date])
    angle = 2 * np.pi * (dates - pd.Timestamp("2000-01-01")).days.to_numpy() / 365.25
    daily = len(dates) > 1 and (dates[1:] - dates[:-1]).median() <= pd.Timedelta(days=1)
    weekdays = [dates.day_of_week == day for day in range(1, 7)] if daily else []
    return np.column_stack([
        np.ones(len(rows)), np.linspace(-1.0, 1.0, len(rows)),
        *(wave(order * angle) for order in (1, 2) for wave in (np.sin, np.cos)),
        *spend.T, *np.vstack([np.zeros((1, spend.shape[1])), spend[:-1]]).T,
        *rows[controls].to_numpy(float).T, *weekdays])


#: Ridge added to the normal equations, relative to their mean diagonal: enough to solve
#: them when terms repeat each other (a trend control beside the trend), too little to
#: move a fit.
RIDGE = 1e-7


class NormalEquations:
    """The least-squares fit on fixed columns, its normal equations formed once (the
    product of the columns is most of the cost) for every vector fitted.

    The columns are scaled to at most 1 in absolute value and a ridge of :data:`RIDGE`
    added: a tenth of the time of an SVD at 1,826 rows and 327 terms (50 geos of daily
    rows and 118 channels are read in under a second).

    Parameters
    ----------
    columns : numpy.ndarray
        One row per period, one column per term.
    """

    def __init__(self, columns: np.ndarray):
        self.scale = np.abs(columns).max(axis=0)
        self.scale[self.scale == 0] = 1.0
        self.scaled = columns / self.scale
        gram = self.scaled.T @ self.scaled
        gram[np.diag_indices_from(gram)] += RIDGE * max(np.trace(gram) / len(gram), 1.0)
        self.gram = gram

    def without_rows(self, rows: np.ndarray) -> NormalEquations:
        """The same fit without some of its rows (a boolean mask over them), their part
        taken out of these normal equations (a few outliers cost little)."""
        cut = object.__new__(NormalEquations)
        cut.scale = self.scale
        removed = self.scaled[rows]
        cut.scaled = self.scaled[~rows]
        cut.gram = self.gram - removed.T @ removed
        return cut

    def without(self, column: int) -> NormalEquations:
        """The same fit without one column, its normal equations cut from these."""
        cut = object.__new__(NormalEquations)
        cut.scale = np.delete(self.scale, column)
        cut.scaled = np.delete(self.scaled, column, axis=1)
        cut.gram = np.delete(np.delete(self.gram, column, axis=0), column, axis=1)
        return cut

    def coefficients(self, vectors: np.ndarray) -> np.ndarray:
        """The least-squares coefficients of ``vectors`` (one, or one per column)."""
        return np.linalg.solve(self.gram, self.scaled.T @ vectors) / (
            self.scale if vectors.ndim == 1 else self.scale[:, None])

    def residuals(self, vectors: np.ndarray) -> np.ndarray:
        """``vectors`` less their least-squares fit."""
        return vectors - self.scaled @ np.linalg.solve(self.gram, self.scaled.T @ vectors)

    def f_statistics(self, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The coefficients of ``target`` and each one's F statistic (its t squared: the
        coefficient over its standard error, squared)."""
        inverse = np.linalg.inv(self.gram)
        scaled = inverse @ (self.scaled.T @ target)
        residuals = target - self.scaled @ scaled
        variance = float(residuals @ residuals) / max(len(target) - len(scaled), 1)
        spread = np.maximum(variance * np.diag(inverse), np.finfo(float).tiny)
        return scaled / self.scale, scaled * scaled / spread


def f_added(rss: float, residual_y: np.ndarray, residual_x: np.ndarray,
             dof: int) -> tuple[float, float]:
    """The F statistic of one column added to a least-squares fit, and its coefficient,
    from the target's and the column's residuals on the fit's columns (Frisch-Waugh)."""
    norm = float(residual_x @ residual_x)
    if not norm > 0:
        return 0.0, 0.0
    coefficient = float(residual_y @ residual_x) / norm
    removed = coefficient * coefficient * norm
    return removed / max((rss - removed) / dof, np.finfo(float).tiny), coefficient


def short_equations(columns: np.ndarray, channels: int, first_spend: int = SPEND_COLUMN,
                    full: NormalEquations | None = None
                    ) -> tuple[NormalEquations, np.ndarray] | None:
    """The least-squares fit on :func:`design`'s ``columns`` (one row per period fitted)
    and the columns it is on: all of them, or, where the rows are too few for them
    (:data:`ROWS_PER_TERM`), all but the last period's spend; None when too few for
    that too.

    Parameters
    ----------
    columns : numpy.ndarray
        The terms, each channel's spend from ``first_spend`` on, then each one's last
        period's spend.
    channels : int
        The number of channels.
    first_spend : int
        The first channel's column (:data:`SPEND_COLUMN`, one less without the trend).
    full : NormalEquations, optional
        The fit on every column, when formed already.

    Returns
    -------
    tuple of (NormalEquations, numpy.ndarray), or None
    """
    rows, terms = columns.shape
    if rows >= ROWS_PER_TERM * (terms + 1):
        return (full if full is not None else NormalEquations(columns)), columns
    if rows < ROWS_PER_TERM * (terms - channels + 1):
        return None
    own = np.delete(columns, range(first_spend + channels, first_spend + 2 * channels), axis=1)
    return NormalEquations(own), own


def least_squares(columns: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Coefficients of the least-squares line of ``target`` on ``columns``."""
    return NormalEquations(columns).coefficients(target)


def _robust_z(residuals: np.ndarray) -> np.ndarray | None:
    """Residuals over their scaled median absolute deviation (None when it is 0)."""
    centre = np.median(residuals)
    spread = np.median(np.abs(residuals - centre)) * 1.4826
    if not spread > 0 or not np.isfinite(spread):
        return None
    return (residuals - centre) / spread


@dataclass(frozen=True)
class Series:
    """One geo's rows (or the nation's), in date order, with their least-squares terms.

    Attributes
    ----------
    geo : str or None
        The geo, in a panel.
    rows : pandas.DataFrame
        The rows.
    dates : pandas.DatetimeIndex
        Their dates.
    columns : numpy.ndarray
        Their terms (:func:`design`).
    left_out : numpy.ndarray
        The periods of an outage named already, not fitted.
    """

    geo: str | None
    rows: pd.DataFrame
    dates: pd.DatetimeIndex
    columns: np.ndarray
    left_out: np.ndarray

    @cached_property
    def equations(self) -> NormalEquations:
        """The least-squares fit on :attr:`columns` over the periods not left out."""
        return NormalEquations(self.columns[~self.left_out])


def read_series(data: pd.DataFrame, roles: Roles, outages: list[Outage] = ()
                ) -> list[Series]:
    """Each series of ``data`` with its terms, for the checks that read the target
    against its spend (outliers here, a moving baseline in :mod:`~.baseline`).

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates).
    roles : Roles
        The mapping.
    outages : list of Outage
        Runs named already (as outages): their periods are left out of the fits.

    Returns
    -------
    list of Series
    """
    controls = [c for c in roles.controls
                if c in data and pd.api.types.is_numeric_dtype(data[c])]
    read = []
    for geo, rows in geo_series(data, roles):
        dates = pd.DatetimeIndex(rows[roles.date])
        in_outage = np.zeros(len(rows), bool)
        for outage in outages:
            if outage.geo is None or outage.geo == geo:
                in_outage |= (dates >= outage.first) & (dates <= outage.last)
        read.append(Series(geo, rows, dates, design(rows, roles, controls), in_outage))
    return read


def unexplained_z(series: Series, roles: Roles) -> np.ndarray | None:
    """Robust z-scores of the target against its least-squares line (:func:`design`),
    fitted without the periods left out and, a second time, without the outliers of the
    first; against its median when the series is too short for the line."""
    target = series.rows[roles.target].to_numpy(float)
    columns, left_out = series.columns, series.left_out
    if (len(target) - left_out.sum() < ROWS_PER_TERM * columns.shape[1]
            or not np.isfinite(columns).all()):
        return _robust_z(target - np.median(target[~left_out]))
    # the first pass fits every period not left out: the series' own equations; the
    # second, those without the first's outliers
    fitted = ~left_out
    z = _robust_z(target - columns @ series.equations.coefficients(target[fitted]))
    if z is None:
        return None
    outlying = np.abs(z[fitted]) > OUTLIER_Z
    equations = series.equations.without_rows(outlying) if outlying.any() else series.equations
    return _robust_z(target - columns @ equations.coefficients(target[fitted][~outlying]))


def outlier_finding(data: pd.DataFrame, roles: Roles, outages: list[Outage] = (),
                    table: str = "df", date_format: str | None = None,
                    summed_into_weeks: bool = False,
                    series: list[Series] | None = None) -> list[Finding]:
    """A note naming the periods whose target is more than :data:`OUTLIER_Z` robust
    standard deviations from what the spend, controls and trend explain.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates).
    roles : Roles
        The mapping.
    outages : list of Outage
        Runs named already (as outages): their periods are not named again.
    table : str
        The raw table's variable, as the fix writes it.
    date_format : str, optional
        Format of the raw table's text dates, as the fix reads them.
    summed_into_weeks : bool
        The raw table's days are summed into weeks: the line marks each week's days.
    series : list of Series, optional
        :func:`read_series` of ``data`` and ``outages``, when read already.

    Returns
    -------
    list of Finding
        At most one.
    """
    flagged: list[tuple[pd.Timestamp, str | None]] = []
    for read in series if series is not None else read_series(data, roles, outages):
        z = unexplained_z(read, roles)
        if z is not None:
            flagged += [(read.dates[at], read.geo) for at in
                        np.flatnonzero((np.abs(z) > OUTLIER_Z) & ~read.left_out)]
    if not flagged:
        return []
    by_date: dict[pd.Timestamp, list[str]] = {}
    for when, geo in sorted(flagged, key=lambda found: (found[0], str(found[1]))):
        by_date.setdefault(when, []).extend([] if geo is None else [geo])
    dates = listed([f"{when:%Y-%m-%d}" + (f" in {' and '.join(map(repr, geos))}" if geos else "")
                    for when, geos in by_date.items()], LISTED, noun="dates")
    every = data[roles.geo].nunique() if roles.geo else 0
    line = _mark_line("event", [(when, when, () if len(geos) == every else tuple(geos))
                                for when, geos in by_date.items()], roles, table,
                      date_format, summed_into_weeks)
    return [Finding(
        "outlier",
        f"The target {roles.target!r} has values its spend, controls, trend and "
        f"season do not explain on {dates}. Check them: correct a figure written "
        "wrong; if they are real events (a promotion, a holiday), mark them and map the "
        f"mark as a control: {line}.", (roles.target,))]
