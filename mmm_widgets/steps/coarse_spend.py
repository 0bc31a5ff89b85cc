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


def _series(data: pd.DataFrame, roles: Roles) -> list[pd.DataFrame]:
    """Each geo's rows (or all, national), in date order."""
    ordered = data.sort_values([*([roles.geo] if roles.geo else []), roles.date])
    if not roles.geo:
        return [ordered]
    return [rows for _, rows in ordered.groupby(roles.geo, sort=False)]


def _repeated(values: pd.Series, periods: pd.Series) -> bool:
    """Whether ``values`` hold one amount on every row of each period they spend in,
    amounts that differ from period to period and are written in whole cents.

    An amount spread over the period's rows (the note's own line) is not in whole cents
    but in one period of 7 (a week's over its days): it is not noted again.
    """
    per = values.groupby(periods.to_numpy()).agg(["nunique", "size", "first", "max"])
    spent = per[(per["size"] > 1) & (per["max"] > 0)]
    if len(spent) < LEAST_PERIODS:
        return False
    cents = spent["first"].to_numpy(float) * 100
    return bool((spent["nunique"] == 1).mean() >= LEAST_SHARE
                and spent["first"].nunique() >= len(spent) / 2
                and np.isclose(cents, np.round(cents), rtol=0, atol=1e-6).mean()
                >= LEAST_SHARE)


def _first_rows_only(values: pd.Series, periods: pd.Series) -> bool:
    """Whether ``values`` spend only on the first row of each period they spend in."""
    position = values.groupby(periods.to_numpy()).cumcount().to_numpy()
    spent = values.to_numpy() > 0
    return bool(spent.sum() >= LEAST_PERIODS and (position[spent] == 0).all()
                and np.unique(periods.to_numpy()[spent]).size == spent.sum())


def coarse_spend_finding(data: pd.DataFrame, roles: Roles, frequency: str,
                         table: str = "df", date_format: str | None = None
                         ) -> list[Finding]:
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

    Returns
    -------
    list of Finding
        At most one, naming each channel found, what it reads as and its line.
    """
    if frequency not in GRAINS:
        return []
    series = _series(data, roles)
    read = to_datetime_code(f"{table}[{literal(roles.date)}]", date_format)
    told = []
    for channel in roles.channels:
        spends = [rows[channel] for rows in series if (rows[channel] > 0).any()]
        dates = [rows[roles.date] for rows in series if (rows[channel] > 0).any()]
        for grain, freq in GRAINS[frequency]:
            periods = [when.dt.to_period(freq) for when in dates]
            keys = ([f"{table}[{literal(roles.geo)}]"] if roles.geo else []) + [
                f"{read}.dt.to_period({literal(freq)})"]
            line = _Line(f"{table}[{literal(channel)}]",
                         f"{table}.groupby([{', '.join(keys)}])[{literal(channel)}]")
            if spends and all(map(_repeated, spends, periods)):
                told.append(_repeated_text(channel, ROW_NAMES[frequency], grain,
                                           _rows_per_period(periods), line))
                break
            if spends and all(map(_first_rows_only, spends, periods)):
                first = pd.concat(dates)[pd.concat(spends) > 0].iloc[0]
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


def _rows_per_period(periods: list[pd.Series]) -> str:
    """How many rows whole periods hold: ``"7"``, ``"4 to 5"`` (the first and last
    period of each series may be cut short by the table)."""
    sizes = np.concatenate([p.value_counts(sort=False).reindex(p.unique()).to_numpy()[1:-1]
                            for p in periods])
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
