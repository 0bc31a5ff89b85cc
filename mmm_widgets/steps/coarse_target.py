"""A target at a coarser grain than its rows: monthly (or weekly) figures on every row.

Sales are often booked by the month (or the week) while media is bought by the week (or
the day); joined on the month, each week then carries the month's sales, or an equal share
of them. Modelled by the row, the target stands still within each month and jumps at its
start, and the model credits the channels for the month's level by the row their spend
fell in. :func:`coarse_target_problems` names such a target with the line that models the
table at the grain both are known at: daily rows by the week (Monday or Sunday weeks) or
the month, weekly rows by the month.
"""

from __future__ import annotations

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.dates import to_datetime_code

#: Least share of a geo's periods (those holding more than one row) whose rows all carry
#: one value, and fewest such periods, for the target to be called one of that grain.
_LEAST_SHARE = 0.8
_LEAST_PERIODS = 6
_ROW_NAMES = {"weekly": "week", "daily": "day"}
#: The coarser grains each spacing of rows is checked for, finest first: a name and the
#: pandas period (weeks from Monday to Sunday, or from Sunday to Saturday).
_GRAINS = {"daily": (("week", "W-SUN"), ("week", "W-SAT"), ("month", "M")),
           "weekly": (("month", "M"),)}


def _one_value_per(values: pd.Series, periods: pd.Series) -> bool:
    per_period = values.groupby(periods.to_numpy()).agg(["nunique", "size", "first"])
    several = per_period[per_period["size"] > 1]
    one_value = int((several["nunique"] == 1).sum())
    # and a value of its own each period: a target rounded so coarsely that most rows
    # share a value is another matter (periods share it too)
    return (one_value >= _LEAST_PERIODS and one_value >= _LEAST_SHARE * len(several)
            and per_period["first"].nunique() >= _LEAST_SHARE * len(per_period))


def coarse_target_problems(frame: pd.DataFrame, dates: pd.Series, frequency: str,
                            target: str, channels: list[str], date: str,
                            geo: str | None = None, controls: tuple[str, ...] = (),
                            text_controls: tuple[str, ...] = (),
                            date_format: str | None = None, table: str = "df"
                            ) -> list[Problem]:
    """One problem when the target of weekly or daily rows holds one value per month
    (or, on daily rows, per week).

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table.
    dates : pandas.Series
        Its dates, parsed (aligned with ``frame``).
    frequency : str
        The rows' spacing (``"weekly"``, ``"daily"``, ...); other spacings pass.
    target, date, geo : str
        The mapped target, date and geo (of a panel) columns.
    channels : list of str
        The mapped channels (summed into months by the fix).
    controls : tuple of str
        The mapped controls (averaged over each month by the fix: an event on one week
        in four becomes 0.25), but for those among ``text_controls``, which hold
        categories (the fix keeps each month's first).
    date_format : str, optional
        The dates' format, for the line that reads them in the fix.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    list of Problem
    """
    if frequency not in _GRAINS:
        return []
    values = pd.to_numeric(frame[target], errors="coerce")
    if values.isna().any():
        return []
    groups = ([values.index] if geo is None else
              list(frame.groupby(geo, sort=False).groups.values()))
    for grain, freq in _GRAINS[frequency]:
        periods = dates.dt.to_period(freq)
        if all(_one_value_per(values[group], periods[group]) for group in groups):
            return [_problem(_ROW_NAMES[frequency], grain, freq, target, date, geo, date_format,
                             table,
                             aggregation(target, channels, controls, text_controls))]
    return []


def aggregation(target: str, channels: list[str], controls: tuple[str, ...] = (),
                text_controls: tuple[str, ...] = (),
                taken_once: frozenset[str] = frozenset()) -> dict[str, str]:
    """How a fix's ``groupby(...).agg`` folds rows into one: the target's figure kept,
    spend summed, controls averaged (text ones, categories, kept first).

    Parameters
    ----------
    target : str
    channels : list of str
    controls, text_controls : tuple of str
    taken_once : frozenset of str
        Channels and controls written the same on every row folded (a national figure on
        every geo's row): kept first, like the target.

    Returns
    -------
    dict
        ``{column: 'sum' | 'mean' | 'first'}``.
    """
    return {**{c: "first" if c in taken_once else "sum" for c in channels},
            **{c: "first" if c in taken_once or c in text_controls else "mean"
               for c in controls}, target: "first"}


def _problem(row: str, grain: str, freq: str, target: str, date: str, geo: str | None,
             date_format: str | None, table: str, how: dict[str, str]) -> Problem:
    keys = ([f"{table}[{literal(geo)}]"] if geo else []) + [grain]
    period = (f"{to_datetime_code(f'{table}[{literal(date)}]', date_format)}"
              f".dt.to_period({literal(freq)})")
    return problem(
        f"The target is the same in every {row} of each {grain}: {grain}ly figures written "
        f"on each {row}. Modelled by the {row}, it stands still within each {grain} and "
        f"jumps at its start, and the channels are credited for the {grain}'s level by the "
        f"{row} their spend fell in.",
        f"Model the table by the {grain}, the grain both are known at: {grain} = {period}"
        f".dt.start_time.rename({literal(date)}); {table} = {table}.groupby([{', '.join(keys)}])"
        f".agg({literal(how)}).reset_index() ('first' if each {row} holds the {grain}'s "
        f"figure, 'sum' if it holds a share; drop a first or last {grain} the table covers "
        f"only in part); then map the {grain}ly table.", column=target)
