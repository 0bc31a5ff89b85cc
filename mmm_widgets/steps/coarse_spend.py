"""Spend at a coarser grain than its rows: a week's spend on each of its days, or on one.

Ad platforms and media plans give spend by the week (or the month) while sales come by
the day (or the week); joined on the date, the week's spend lands either on each of its
days (each day then counts it again: the channel reads as spending 7 times what it did,
and its ROAS 7 times too low) or on the day the week is dated by (the channel then seems
to spend on Mondays only, and is credited with Mondays' sales). Either is a guess from the
values alone (a steady daily rate, or a buy on Mondays, look the same), so
:func:`coarse_spend_finding` notes it with the line that spreads the period's spend
evenly over its rows. On generated daily tables whose TV returns 2.0 (MAP fits), TV's ROAS
read 0.28 to 0.30 with the week's spend on each day and 2.2 to 2.8 with it on Mondays;
2.0 to 2.1 after the line, in both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.outliers import geo_series
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: Fewest periods with spend a channel needs for its pattern to be read.
LEAST_PERIODS = 6
#: Least share of those periods whose rows all hold one amount, for "the same on every
#: row of each period".
LEAST_SHARE = 0.9
#: The coarser periods each spacing of rows is read at: a name and the pandas period.
GRAINS = {"daily": (("week", "W-SUN"), ("week", "W-SAT"), ("month", "M")),
          "weekly": (("month", "M"),)}
ROW_NAMES = {"daily": "day", "weekly": "week"}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


#: A Monday and a Sunday: weeks counted from them start on that day.
_MONDAY, _SUNDAY = np.datetime64("1970-01-05", "D"), np.datetime64("1970-01-04", "D")


def _period_codes(dates: np.ndarray, freq: str) -> np.ndarray:
    """An integer per row naming its period (``"W-SUN"``: Monday to Sunday weeks,
    ``"W-SAT"``: Sunday to Saturday, ``"M"``: months), without pandas periods."""
    days = dates.astype("datetime64[D]")
    if freq == "M":
        return days.astype("datetime64[M]").astype(np.int64)
    start = _MONDAY if freq == "W-SUN" else _SUNDAY
    return (days - start).astype(np.int64) // 7


@dataclass(frozen=True)
class _Periods:
    """One series' periods: where each starts (rows in date order) and its rows."""

    starts: np.ndarray
    sizes: np.ndarray

    @classmethod
    def of(cls, codes: np.ndarray) -> _Periods:
        _, starts, sizes = np.unique(codes, return_index=True, return_counts=True)
        return cls(starts, sizes)


def _repeated(values: np.ndarray, periods: _Periods) -> bool:
    """Whether ``values`` hold one amount on every row of each period they spend in,
    amounts that differ from period to period and are written in whole cents.

    An amount spread over the period's rows (the note's own line) is not in whole cents
    but in one period of 7 (a week's over its days): it is not noted again.
    """
    low = np.minimum.reduceat(values, periods.starts)
    high = np.maximum.reduceat(values, periods.starts)
    spent = (periods.sizes > 1) & (high > 0)
    if spent.sum() < LEAST_PERIODS:
        return False
    first = values[periods.starts][spent]
    cents = first * 100
    return bool((low[spent] == high[spent]).mean() >= LEAST_SHARE
                and np.unique(first).size >= spent.sum() / 2
                and np.isclose(cents, np.round(cents), rtol=1e-12, atol=1e-6).mean()
                >= LEAST_SHARE)


def _first_rows_only(values: np.ndarray, periods: _Periods) -> bool:
    """Whether ``values`` spend only on the first row of each period they spend in."""
    spent = np.flatnonzero(values > 0)
    return bool(spent.size >= LEAST_PERIODS and np.isin(spent, periods.starts).all())


def coarse_spend_finding(data: pd.DataFrame, roles: Roles, frequency: str,
                         table: str = "df", date_format: str | None = None,
                         summed_into_weeks: bool = False) -> list[Finding]:
    """A note naming channels whose spend is the same on every row of each week (month),
    or only on each one's first row, with the line that spreads it over the rows.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates; every geo's rows in a panel).
    roles : Roles
        The mapping.
    frequency : str
        The data's frequency: daily rows are read by the week and the month, weekly
        ones by the month.
    table : str
        The raw table's variable, as the fix writes it.
    date_format : str, optional
        Format of the raw table's text dates, as the fix reads them.
    summed_into_weeks : bool
        ``data`` holds the days the data cell sums into weeks: a week's spend on its
        first day only is then summed right, and is not noted.

    Returns
    -------
    list of Finding
        At most one, naming each channel found, what it reads as and its line.
    """
    if frequency not in GRAINS:
        return []
    series = [rows for _, rows in geo_series(data, roles)]
    dates = [rows[roles.date].to_numpy("datetime64[ns]") for rows in series]
    grains = [(grain, freq, [_Periods.of(_period_codes(when, freq)) for when in dates])
              for grain, freq in GRAINS[frequency]]
    read = to_datetime_code(f"{table}[{literal(roles.date)}]", date_format)
    told = []
    for channel in roles.channels:
        values = [rows[channel].to_numpy(float) for rows in series]
        spending = [i for i, spend in enumerate(values) if (spend > 0).any()]
        if not spending:
            continue
        for grain, freq, periods in grains:
            keys = ([f"{table}[{literal(roles.geo)}]"] if roles.geo else []) + [
                f"{read}.dt.to_period({literal(freq)})"]
            line = _Line(f"{table}[{literal(channel)}]",
                         f"{table}.groupby([{', '.join(keys)}])[{literal(channel)}]")
            if all(_repeated(values[i], periods[i]) for i in spending):
                told.append(_repeated_text(channel, ROW_NAMES[frequency], grain,
                                           _rows_per_period([periods[i] for i in spending]),
                                           line))
                break
            if not (summed_into_weeks and grain == "week") and all(
                    _first_rows_only(values[i], periods[i]) for i in spending):
                geo = spending[0]
                first = pd.Timestamp(dates[geo][np.flatnonzero(values[geo] > 0)[0]])
                told.append(_first_rows_text(channel, ROW_NAMES[frequency], grain,
                                             first, line))
                break
    if not told:
        return []
    return [Finding("coarse_spend", "; ".join(text for _, text in told) + ".",
                    tuple(channel for channel, _ in told))]


@dataclass(frozen=True)
class _Line:
    """Code of a channel's column in the raw table, and of it grouped by period."""

    column: str
    grouped: str


def _rows_per_period(periods: list[_Periods]) -> str:
    """How many rows whole periods hold: ``"7"``, ``"4 to 5"`` (the first and last
    period of each series may be cut short by the table)."""
    sizes = np.concatenate([p.sizes[1:-1] for p in periods])
    if not sizes.size:
        return "several"
    low, high = int(sizes.min()), int(sizes.max())
    return f"{low}" if low == high else f"{low} to {high}"


def _repeated_text(channel: str, row: str, grain: str, times: str,
                   line: _Line) -> tuple[str, str]:
    return channel, (
        f"{channel!r} is the same on every {row} of each {grain} it spent in: the "
        f"{grain}'s spend written on each {row}, or a steady rate? If it is the {grain}'s, "
        f"each {row} counts it again and its ROAS reads {times} times too low; spread it "
        f"over the {row}s: {line.column} = {line.column} / "
        f"{line.grouped}.transform('size')")


def _first_rows_text(channel: str, row: str, grain: str, first: pd.Timestamp,
                     line: _Line) -> tuple[str, str]:
    when = (f"on {DAY_NAMES[first.day_of_week]}s only" if grain == "week"
            else f"on the first {row} of each {grain} only")
    weeks = (" (or sum the days into weeks: aggregate='weekly', the data panel's box)"
             if grain == "week" else "")
    return channel, (
        f"{channel!r} spends {when}: the {grain}'s spend dated by its first {row}? "
        f"Modelled by the {row}, it is credited with that {row}'s sales alone; spread it "
        f"over the {row}s: {line.column} = {line.grouped}.transform('mean'){weeks}")
