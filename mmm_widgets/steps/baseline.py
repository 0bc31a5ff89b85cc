"""A target that grows, or steps to a new level, beyond what its spend and controls explain.

The kit's model has a constant baseline: an intercept, a yearly season and the controls.
Sales that grow over the table (a brand growing, prices rising) or step to a new level on
a date (a shop opened, a price change, a tracking change) leave it with nothing to carry
that move but the channels whose spend moved too. On generated weekly tables (104 weeks;
TV returns 2.0 and search 3.0, TV's spend growing 40 % over the table; MAP fits), sales
growing 40 % more made TV's ROAS read 5.2 to 5.6 and search's 3.3 to 5.0; with a trend
column mapped as a control, 1.8 to 2.1 and 3.0 to 3.5.

:func:`baseline_finding` reads each series (a geo's, or the nation's) against the
least-squares line of :mod:`mmm_widgets.steps.outliers` without its trend, and asks
whether a straight trend, or a step on one date (found where the line's residuals
change level most), explains much more of it: by an F statistic over
:data:`F_LEAST` and a move of at least :data:`MOVE_LEAST` of the series' mean. The note
gives the line adding the trend (years since the first date) or the step (0 before the
date, 1 from it) as a column to map as a control. Weeks of the year when the target rises
or falls every year (:mod:`~mmm_widgets.steps.recurring`) are looked for first, and the
trend and step read with them marked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.outliers import (
    SPEND_COLUMN,
    TREND_COLUMN,
    NormalEquations,
    Outage,
    Series,
    f_added,
    free_name,
    read_series,
    short_equations,
)
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.recurring import Recurring, find_recurring
from mmm_widgets.steps.validation import Roles
from mmm_widgets.wording import listed

#: Least F statistic (the residual sum of squares the trend or step removes, over the
#: residual variance left) for a move to be named.
F_LEAST = 30.0
#: Least move, over the table (a trend) or at the date (a step), as a share of the
#: series' mean target.
MOVE_LEAST = 0.1
#: A step is looked for between these shares of the series: nearer an end, it is a
#: partial period or an outlier.
STEP_WINDOW = (0.1, 0.9)
#: Shortest series read: over less than a year and a half, a trend and the yearly season
#: take each other's place.
SPAN_LEAST = pd.Timedelta(days=547)
#: Periods either side of the largest change in the residuals' level where a step is
#: fitted.
STEP_SEARCH = 8


@dataclass(frozen=True)
class Move:
    """A trend or a step in one series' baseline.

    Attributes
    ----------
    geo : str or None
        The geo, in a panel.
    kind : str
        ``"trend"`` or ``"step"``.
    share : float
        The move (negative: down): over the whole table as a share of the series' mean
        for a trend; at the date as a share of the mean level before it for a step (of
        the series' mean, a fall to a thousandth read -213 %).
    date : pandas.Timestamp or None
        A step's first date at the new level.
    """

    geo: str | None
    kind: str
    share: float
    date: pd.Timestamp | None = None


def _best_step(projection: NormalEquations, residual_y: np.ndarray, rss: float,
               dof: int) -> tuple[int, float, float]:
    """The step (0 before a position, 1 from it) that explains most of the residuals, its
    F statistic and its size: looked for near where the residuals change level most (the
    largest cumulative sum of their deviations), inside :data:`STEP_WINDOW`, then fitted
    with the other terms at each position within :data:`STEP_SEARCH` of it (the spend may
    step on the same date and take part of the move from the residuals)."""
    n = len(residual_y)
    low, high = int(STEP_WINDOW[0] * n), int(STEP_WINDOW[1] * n)
    cumulative = np.abs(np.cumsum(residual_y - residual_y.mean()))
    centre = low + int(np.argmax(cumulative[low:high])) + 1
    positions = np.arange(max(low, centre - STEP_SEARCH), min(high, centre + STEP_SEARCH) + 1)
    steps = (np.arange(n)[:, None] >= positions[None, :]).astype(float)
    residual_steps = projection.residuals(steps)
    fitted = [f_added(rss, residual_y, residual_steps[:, k], dof)
              for k in range(len(positions))]
    best = int(np.argmax([f for f, _ in fitted]))
    return int(positions[best]), *fitted[best]


def find_moves(series: Series, roles: Roles) -> tuple[Recurring | None, Move | None]:
    """The weeks of the year when one series rises or falls every year, and the trend or
    step that explains most of the rest, beyond its spend and controls.

    Parameters
    ----------
    series : Series
        The series, with its least-squares terms.
    roles : Roles
        The mapping.

    Returns
    -------
    tuple of (Recurring or None, Move or None)
        None for a move smaller than :data:`MOVE_LEAST` or with an F statistic under
        :data:`F_LEAST`, and for both when the series is too short to tell
        (:data:`SPAN_LEAST`).
    """
    kept = ~series.left_out
    dates = series.dates[kept]
    if len(dates) < 2 or dates[-1] - dates[0] < SPAN_LEAST:
        return None, None
    target = series.rows[roles.target].to_numpy(float)[kept]
    base = np.delete(series.columns[kept], TREND_COLUMN, axis=1)
    mean = float(np.mean(target))
    if not np.isfinite(base).all() or not mean > 0:
        return None, None
    fit = short_equations(base, len(roles.channels), SPEND_COLUMN - 1,
                          series.equations.without(TREND_COLUMN))
    if fit is None:
        return None, None
    equations, base = fit
    time = np.linspace(-1.0, 1.0, len(target))
    residual_y, residual_time = equations.residuals(np.column_stack([target, time])).T
    dof = len(target) - base.shape[1] - 1
    recurring = find_recurring(dates, residual_y, equations, float(residual_y @ residual_y),
                               dof, mean, series.geo, F_LEAST, MOVE_LEAST)
    if recurring is not None:  # the trend and step are read with those weeks marked
        base = np.column_stack([base, recurring[1]])
        equations, dof = NormalEquations(base), dof - 1
        residual_y, residual_time = equations.residuals(np.column_stack([target, time])).T
    rss = float(residual_y @ residual_y)
    trend_f, trend = f_added(rss, residual_y, residual_time, dof)
    at, step_f, stepped = _best_step(equations, residual_y, rss, dof)
    kind, f, share = (("trend", trend_f, 2 * trend / mean) if trend_f >= step_f else
                      ("step", step_f, stepped / mean))
    if kind == "step":  # told against the level before it: a fall is at most 100 %
        before = float(np.mean(target[:at]))
        shown = max(stepped / before, -1.0) if before > 0 else share
    else:
        shown = share
    move = (Move(series.geo, kind, float(shown), dates[at] if kind == "step" else None)
            if f >= F_LEAST and abs(share) >= MOVE_LEAST else None)
    return (recurring[0] if recurring is not None else None), move


def baseline_finding(data: pd.DataFrame, roles: Roles, outages: list[Outage] = (),
                     table: str = "df", date_format: str | None = None,
                     series: list[Series] | None = None) -> list[Finding]:
    """A note naming the series whose baseline grows, falls or steps, with the line that
    adds the trend or step as a column to map as a control.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates).
    roles : Roles
        The mapping.
    outages : list of Outage
        Runs named already (as outages): left out of the fits.
    table : str
        The raw table's variable, as the fix writes it.
    date_format : str, optional
        Format of the raw table's text dates, as the fix reads them.
    series : list of Series, optional
        :func:`~mmm_widgets.steps.outliers.read_series` of ``data`` and ``outages``, when
        read already.

    Returns
    -------
    list of Finding
        At most one.
    """
    if series is None:
        series = read_series(data, roles, outages)
    found = [find_moves(one, roles) for one in series]
    read = to_datetime_code(f"{table}[{literal(roles.date)}]", date_format)
    every = data[roles.geo].nunique() if roles.geo else 0
    return [*_recurring_finding([r for r, _ in found if r is not None], roles, table, read,
                                every),
            *_move_finding([m for _, m in found if m is not None], data, roles, table, read,
                           every)]


def _recurring_finding(runs: list[Recurring], roles: Roles, table: str, read: str,
                       every: int) -> list[Finding]:
    """The note naming the weeks of the year when the target rises or falls."""
    if not runs:
        return []
    said, lines = [], []
    for key in dict.fromkeys((r.unit, r.first, r.last) for r in runs):
        alike = [r for r in runs if (r.unit, r.first, r.last) == key]
        signs = {r.share > 0 for r in alike}
        verb = "rises" if signs == {True} else "falls" if signs == {False} else "moves"
        years = sorted({year for r in alike for year in r.years})
        said.append(f"{verb} on {alike[0].said} of every year "
                    f"({_shares(alike, roles, '')}; {years[0]} to {years[-1]})")
        geos = [r.geo for r in alike if r.geo is not None]
        lines.append(alike[0].line(table, read, free_name(alike[0].name, roles),
                                   geos if roles.geo and len(geos) < every else None,
                                   roles.geo))
    return [Finding(
        "recurring",
        f"The target {roles.target!r} {'; and '.join(said)}, beyond what its spend and "
        "yearly season explain: holidays, or a sales season? The model's season (a few "
        "sines over the year) is too smooth to follow them: the channels bought up for "
        "those weeks would take the rise, and their ROAS read too high. Mark them and map "
        f"the mark as a control: {'; '.join(lines)}.", (roles.target,))]


def _move_finding(moves: list[Move], data: pd.DataFrame, roles: Roles, table: str,
                  read: str, every: int) -> list[Finding]:
    """The note naming a baseline that grows, falls or steps."""
    if not moves:
        return []
    first = pd.Timestamp(data[roles.date].min())
    trends = [m for m in moves if m.kind == "trend"]
    steps = [m for m in moves if m.kind == "step"]
    said, lines = [], []
    if trends:
        signs = {m.share > 0 for m in trends}
        verb = "grows" if signs == {True} else "falls" if signs == {False} else "moves"
        said.append(f"{verb} over the table beyond what its spend and controls explain "
                    f"({_shares(trends, roles, 'over the table')})")
        name = free_name("trend", roles)
        lines.append(f"{table}[{literal(name)}] = ({read} - "
                     f"pd.Timestamp({literal(f'{first:%Y-%m-%d}')})).dt.days / 365.25")
    for date in sorted({m.date for m in steps}):
        at = [m for m in steps if m.date == date]
        said.append(f"steps to a new level from {date:%Y-%m-%d} "
                    f"({_shares(at, roles, 'at that date')})")
        name = free_name(f"from_{date:%Y_%m_%d}", roles)
        geos = [m.geo for m in at if m.geo is not None]
        since = f"{read} >= {literal(f'{date:%Y-%m-%d}')}"
        if roles.geo and len(geos) < every:
            since = (f"({since}) & {table}[{literal(roles.geo)}].astype(str)"
                     f".isin({literal(geos)})")
        lines.append(f"{table}[{literal(name)}] = ({since}).astype(int)")
    return [Finding(
        "baseline",
        f"The target {roles.target!r} {'; and '.join(said)}. The model's baseline is "
        "constant (an intercept and a yearly season): it would credit the move to the "
        "channels whose spend moved with it, and their ROAS would read too high (or too "
        "low). If the move is real (growth, a price change, a shop opened, tracking "
        "changed), add it as a column and map it as a control: "
        f"{'; '.join(lines)}; or let the baseline drift: configure_model("
        "time_varying_intercept=True).", (roles.target,))]


def _shares(moves: list[Move] | list[Recurring], roles: Roles, span: str) -> str:
    """The moves' sizes, by geo in a panel: ``+40 % over the table``."""
    sizes = listed([f"{m.share:+.0%}" + (f" in {m.geo!r}" if roles.geo else "")
                    for m in moves], 5, noun="geos")
    return f"{sizes}{f' {span}' if span else ''}"
