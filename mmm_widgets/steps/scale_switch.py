"""A channel, or the target, written in another scale from a date on (units, then thousands).

A media history is put together from exports made over the years, and an agency's newer
report writes spend in thousands (``k€``) where the older one wrote units, or the reverse.
Nothing fails: the channel reads as if its spend all but stopped (or soared) on that date
while the sales held their level. On two generated weekly tables (156 weeks; TV returning
2.0, search 3.0; TV's last 78 weeks written in thousands; MAP fits), TV's ROAS read 0.43
and 0.77, and search's 3.21 and 4.30 (2.06 / 3.15 and 2.00 / 3.21 as written in one unit);
the only note was outliers in the target. The target written so, while the spend keeps its
level, is worse: on the same tables with the last 78 weeks' sales in thousands, TV's and
search's ROAS read 0.00 and 18.2, and 1.23 and 0.00 (the note was a step in the target's
level of -213 %); with the line, 2.06 / 3.15 and 1.99 / 3.21.

:func:`find_switches` looks, in the target and in each channel's spend in date order (per
geo in a panel; the days of a table summed into weeks are not read), for the date that
parts it into two runs whose levels (medians of the periods above 0) are a thousand or a
million times apart (within :data:`~mmm_widgets.steps.money_scale.NEAR`), each with
:data:`LEAST` such periods or more, hardly overlapping (:data:`OVERLAP`), while the
target's level (the spend's, for the target) moves less than ten times. It is named with
the line that multiplies the smaller run back into the other's unit, and the checks of the
target (outliers, a step in its level) read it so (they named the weeks after the switch as
outliers, and a step on its date). A channel that was cut to a trickle looks the same: the
note asks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.geo_scale import geo_rows_code
from mmm_widgets.steps.money_scale import SCALE_WORDS, nearest_scale
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: Fewest periods with spend on either side of the date.
LEAST = 4
#: Share of either run allowed past the other's edge: the smaller run's 90th percentile
#: must be under the larger's 10th.
OVERLAP = 0.1
#: Most the other side's level may move at the date (a factor, either way): the target's
#: for a channel, the spend's for the target; a whole table rescaled is not one column's
#: switch.
OTHER_MOVES = 10.0

#: What a target written in thousands from halfway did to the ROAS, measured (see above).
_TARGET_MEASURED = ("on generated tables whose TV returns 2.0 and search 3.0, a last half "
                    "in thousands read them 0.00 and 18.2, and 1.23 and 0.00")


@dataclass(frozen=True)
class Switch:
    """A channel (or the target) written ``scale`` times smaller on one side of ``date``.

    Attributes
    ----------
    column : str
        The channel, or the target.
    geo : str or None
        The geo, in a panel (None: the series is national).
    date : pandas.Timestamp
        The first date of the later run.
    scale : int
        One of :data:`~mmm_widgets.steps.money_scale.SCALES`.
    smaller_after : bool
        Whether the later run is the smaller (written in the larger unit).
    before, after : float
        The runs' levels as written.
    """

    column: str
    geo: str | None
    date: pd.Timestamp
    scale: int
    smaller_after: bool
    before: float
    after: float


def find_switch(dates: pd.Series, values: pd.Series, other: pd.Series, column: str,
                geo: str | None = None) -> Switch | None:
    """The date from which ``values`` are written in another scale, in one series.

    Parameters
    ----------
    dates : pandas.Series
        The series' dates (datetimes), in order.
    values : pandas.Series
        A channel's spend (or the target) on those dates.
    other : pandas.Series
        What must keep its level across the date: the target (for a channel's spend),
        the spend (for the target).
    column : str
        The column's name.
    geo : str, optional
        The series' geo.

    Returns
    -------
    Switch or None

    Examples
    --------
    >>> dates = pd.Series(pd.date_range("2024-01-01", periods=12, freq="W-MON"))
    >>> spend = pd.Series([900.0, 1200, 0, 800, 1500, 1000, 1.1, 0.9, 1.3, 0, 1.0, 0.7])
    >>> found = find_switch(dates, spend, pd.Series([5000.0] * 12), "TV")
    >>> found.date.date(), found.scale, found.smaller_after
    (datetime.date(2024, 2, 12), 1000, True)
    """
    written = values.to_numpy(float)
    spent = np.flatnonzero(np.isfinite(written) & (written > 0))
    if len(spent) < 2 * LEAST:
        return None
    logs = np.log10(written[spent])
    # the split whose runs' mean logs are furthest apart, weighed by their sizes
    n = len(logs)
    k = np.arange(LEAST, n - LEAST + 1)
    total = np.cumsum(logs)
    before_mean = total[k - 1] / k
    after_mean = (total[-1] - total[k - 1]) / (n - k)
    best = int(k[np.argmax(np.abs(after_mean - before_mean) * np.sqrt(k * (n - k) / n))])
    low, high = logs[:best], logs[best:]
    apart = float(np.median(high) - np.median(low))
    near = nearest_scale(10 ** abs(apart))
    if near is None or near < 1:
        return None
    scale = round(near)
    smaller, larger = (high, low) if apart < 0 else (low, high)
    if np.quantile(smaller, 1 - OVERLAP) >= np.quantile(larger, OVERLAP):
        return None
    at = spent[best]
    levels = other.to_numpy(float)
    other_before, other_after = np.nanmedian(levels[:at]), np.nanmedian(levels[at:])
    if not (other_before > 0 and other_after > 0) or abs(
            np.log10(other_after / other_before)) >= np.log10(OTHER_MOVES):
        return None
    return Switch(column, geo, pd.Timestamp(dates.iloc[at]), scale, apart < 0,
                  float(10 ** np.median(low)), float(10 ** np.median(high)))


def find_switches(data: pd.DataFrame, roles: Roles) -> list[Switch]:
    """The channels, and the target, written in another scale from a date on, per geo.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates), one row per date (and geo).
    roles : Roles
        The mapping.

    Returns
    -------
    list of Switch
        The target's first, when it switched: then no channel is read (a channel's
        switch is told by the target holding its level).
    """
    keys = data[roles.geo].astype(str) if roles.geo else pd.Series("", index=data.index)
    found = []
    for name, rows in keys.groupby(keys, sort=True).groups.items():
        series = data.loc[rows].sort_values(roles.date, kind="stable")
        geo = name if roles.geo else None
        target = pd.to_numeric(series[roles.target], errors="coerce")
        spend = series[list(roles.channels)].apply(pd.to_numeric, errors="coerce")
        switch = find_switch(series[roles.date], target, spend.sum(axis=1), roles.target,
                             geo)
        if switch is not None:
            found.append(switch)
            continue
        found += [switch for channel in roles.channels
                  if (switch := find_switch(series[roles.date], spend[channel], target,
                                            channel, geo)) is not None]
    return sorted(found, key=lambda switch: switch.column != roles.target)


def in_one_unit(data: pd.DataFrame, roles: Roles, switches: list[Switch]) -> pd.DataFrame:
    """``data`` with each switch's smaller run multiplied back (as its line does), for the
    checks of the target to read; ``data`` itself when there are none."""
    if not switches:
        return data
    fixed = data.copy()
    for switch in switches:
        later = fixed[roles.date] >= switch.date
        rows = later if switch.smaller_after else ~later
        if switch.geo is not None:
            rows &= fixed[roles.geo].astype(str) == switch.geo
        fixed.loc[rows, switch.column] = fixed.loc[rows, switch.column] * switch.scale
    return fixed


def scale_switch_finding(switches: list[Switch], roles: Roles, table: str = "df",
                         date_format: str | None = None,
                         written_target: str | None = None) -> list[Finding]:
    """Notes on channels (and the target) written in another scale from a date on, with
    the lines that put each in one unit.

    Parameters
    ----------
    switches : list of Switch
        :func:`find_switches`' answer.
    roles : Roles
        The mapping.
    table : str
        The raw table's variable, as the lines write it.
    date_format : str, optional
        The format of the raw table's text dates, as the lines read them.
    written_target : str, optional
        The table's target column, when the mapped target is computed from it (units times
        their value): the line rescales it.

    Returns
    -------
    list of Finding
        Kind ``"scale_switch"``, one per column.
    """
    by_column: dict[str, list[Switch]] = {}
    for switch in switches:
        by_column.setdefault(switch.column, []).append(switch)
    read = to_datetime_code(f"{table}[{literal(roles.date)}]", date_format)
    return [_finding(found, roles, table, read, written_target or roles.target)
            for found in by_column.values()]


def _finding(found: list[Switch], roles: Roles, table: str, read: str,
             written_target: str) -> Finding:
    column = found[0].column
    is_target = column == roles.target
    said, lines = [], []
    for switch in found:
        side = ">=" if switch.smaller_after else "<"
        rows = f"({read} {side} {f'{switch.date:%Y-%m-%d}'!r})"
        if switch.geo is not None:
            rows += f" & ({geo_rows_code(table, roles.geo, switch.geo)})"
        written = written_target if is_target else column
        lines.append(f"{table}.loc[{rows}, {literal(written)}] *= {switch.scale:_}")
        smaller = "from" if switch.smaller_after else "before"
        said.append(
            f"{switch.scale:,} times smaller {smaller} {switch.date:%Y-%m-%d}"
            f"{f' in {switch.geo!r}' if switch.geo is not None else ''} (its level "
            f"{switch.before:,.4g} before, {switch.after:,.4g} from then)")
    words = " or ".join(sorted({SCALE_WORDS[s.scale] for s in found}))
    if is_target:
        means = (
            f"The target {column!r} is written {'; and '.join(said)}, while the spend "
            f"keeps its level: written in {words} on those dates (exports in two units "
            "put together)? Read as it is, the target falls (or soars) that many times "
            "on that date: the model would credit the move to the channels whose spend "
            f"moved then, and every ROAS would be far off ({_TARGET_MEASURED}). If so, "
            "put it in one unit: ")
        keep = ("If sales truly moved that far, fit the dates on one side of it only: a "
                "thousandfold move is no channel's doing.")
    else:
        means = (
            f"{column!r} is written {'; and '.join(said)}, while the target keeps its "
            f"level: written in {words} on those dates (exports in two units put "
            "together)? Read as it is, the channel's spend all but stops (or soars) on "
            "that date: its ROAS would be far off (on generated tables whose TV returns "
            "2.0, its last half in thousands read 0.43 and 0.77), and the other channels' "
            "with it. If so, put it in one unit: ")
        keep = "If its spend was truly cut to a trickle, keep it as it is."
    return Finding("scale_switch", means + "; ".join(lines) + ". " + keep, (column,))
