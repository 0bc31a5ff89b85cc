"""Running totals: a column that adds each period to the ones before (year or month to date).

Finance and dashboard exports often give spend or sales *to date*: ``TV spend YTD`` holds
the year's spend so far, not the week's. Read as each week's spend, the first weeks of a
year look cheap and the last ones enormous; the model credits the channel with whatever
rises through the year, and its ROAS is computed on many times the money spent. Such a
column only grows, falling back at most at the start of each year (or month), which
spend and sales of single periods never do for long; :func:`running_total_problems`
names it with the line that turns it back into each period's amount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.dates import to_datetime_code

#: Fewest rows (per geo) on which a column is judged, and least share of them on which a
#: running total must grow (a channel that spends one week in four still grows on those).
_LEAST_ROWS = 8
_LEAST_GROWING = 0.25
#: What a running total restarts with, if it restarts: the calendar unit and its pandas
#: period, which groups the rows both in the check and in the fix's line.
_RESTARTS = {"year": "Y", "quarter": "Q", "month": "M"}


def _new_periods(dates: pd.Series) -> dict[str, np.ndarray]:
    """For each restart unit, whether each row after the first starts a new one."""
    starts = {}
    for unit, freq in _RESTARTS.items():
        period = dates.dt.to_period(freq).to_numpy()
        starts[unit] = period[1:] != period[:-1]
    return starts


def _restart_unit(values: pd.Series, new_periods: dict[str, np.ndarray]) -> str | None:
    """How a column restarts if it is a running total: "" (never), a calendar unit, or
    None for a column of single periods' amounts (``new_periods``: :func:`_new_periods`
    of its dates)."""
    steps = values.diff().iloc[1:]
    growing = steps > 0
    if len(values) < _LEAST_ROWS or growing.sum() < max(4, _LEAST_GROWING * len(values)):
        return None
    falls = (steps < 0).to_numpy()
    # a running total falls at most once per month: single periods' amounts fall on
    # about half their rows
    if falls.sum() > new_periods["month"].sum():
        return None
    # equal steps are a ramp, or a constant amount added up: nothing a total reveals
    if steps[growing].round(6).nunique() < 3:
        return None
    if not falls.any():
        return ""
    for unit, new_period in new_periods.items():
        # a unit is a restart only where it holds several rows: monthly rows start a new
        # month on every row, and single periods' amounts fall on half of them
        if 2 * new_period.sum() <= len(values) and not (falls & ~new_period).any():
            return unit
    return None


def running_total_problems(frame: pd.DataFrame, dates: pd.Series, columns: list[str],
                           date: str, geo: str | None = None,
                           date_format: str | None = None, table: str = "df"
                           ) -> list[Problem]:
    """One problem per column among ``columns`` that is a running total in every geo.

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table.
    dates : pandas.Series
        Its dates, parsed (aligned with ``frame``); one row per date (and geo).
    columns : list of str
        The columns that must hold single periods' amounts (channels, the target).
    date, geo : str
        The date column, and the geo column of a panel.
    date_format : str, optional
        The dates' format, for the line that reads them in the fix.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    list of Problem
    """
    order = dates.sort_values(kind="stable").index
    groups = [order] if geo is None else [
        index for _, index in frame.loc[order].groupby(geo, sort=False).groups.items()]
    new_periods = [_new_periods(dates.loc[index]) for index in groups]
    problems = []
    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any():
            continue
        units = []
        for index, starts in zip(groups, new_periods, strict=True):
            unit = _restart_unit(values.loc[index], starts)
            if unit is None:  # single periods' amounts in one geo: no running total
                break
            units.append(unit)
        if units and len(units) == len(groups):
            unit = max(units, key=lambda u: list(_RESTARTS).index(u) if u else -1)
            problems.append(_problem(column, unit, to_datetime_code(
                f"{table}[{literal(date)}]", date_format), geo, table))
    return problems


def _problem(column: str, unit: str, read_dates: str, geo: str | None,
             table: str) -> Problem:
    since = f"restarting at each {unit}" if unit else "from the first row on"
    kind = f"{unit} to date" if unit else "since the first row"
    keys = ([f"{table}[{literal(geo)}]"] if geo else []) + (
        [f"dates.dt.to_period({literal(_RESTARTS[unit])})"] if unit else [])
    grouped = f"{table}.groupby([{', '.join(keys)}])" if keys else table
    name = literal(column)
    return problem(
        f"The column only grows, {since}: a running total ({kind}), not each period's "
        "amount. Read as each period's, the last periods look many times the first, and "
        "the model is fitted on sums of many periods.",
        f"Turn it into each period's amount, rows in date order: dates = {read_dates}; "
        f"{table} = {table}.loc[dates.sort_values(kind='stable').index]; "
        f"{table}[{name}] = {grouped}[{name}].diff().fillna({table}[{name}]).",
        column=column)
