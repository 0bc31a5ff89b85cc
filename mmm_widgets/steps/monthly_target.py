"""Monthly figures written on every week (or day): a target at a coarser grain than spend.

Sales are often booked by the month while media is bought by the week; joined on the
month, each week then carries the month's sales (or an equal share of them). Modelled by
the week, the target stands still within each month and jumps at its first week, and the
model credits the channels for the month's level by the week their spend fell in.
:func:`monthly_target_problems` names such a target with the line that models the table
by the month, at the grain both are known at.
"""

from __future__ import annotations

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.dates import to_datetime_code

#: Least share of a geo's months (those holding more than one row) whose rows all carry
#: one value, and fewest such months, for the target to be called monthly.
_LEAST_SHARE = 0.8
_LEAST_MONTHS = 6
_ROW_NAMES = {"weekly": "week", "daily": "day"}


def _monthly(values: pd.Series, months: pd.Series) -> bool:
    per_month = values.groupby(months.to_numpy()).agg(["nunique", "size", "first"])
    several = per_month[per_month["size"] > 1]
    one_value = int((several["nunique"] == 1).sum())
    # and a value of its own each month: a target rounded so coarsely that most rows share
    # a value is another matter (months share it too)
    return (one_value >= _LEAST_MONTHS and one_value >= _LEAST_SHARE * len(several)
            and per_month["first"].nunique() >= _LEAST_SHARE * len(per_month))


def monthly_target_problems(frame: pd.DataFrame, dates: pd.Series, frequency: str,
                            target: str, channels: list[str], date: str,
                            geo: str | None = None, controls: tuple[str, ...] = (),
                            text_controls: tuple[str, ...] = (),
                            date_format: str | None = None) -> list[Problem]:
    """One problem when the target of weekly or daily rows holds one value per month.

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

    Returns
    -------
    list of Problem
    """
    if frequency not in _ROW_NAMES:
        return []
    values = pd.to_numeric(frame[target], errors="coerce")
    if values.isna().any():
        return []
    months = dates.dt.to_period("M")
    if geo is None:
        monthly = _monthly(values, months)
    else:
        monthly = all(_monthly(values[group], months[group])
                      for group in frame.groupby(geo, sort=False).groups.values())
    if not monthly:
        return []
    row = _ROW_NAMES[frequency]
    keys = ([f"df[{literal(geo)}]"] if geo else []) + ["month"]
    how = {**{channel: "sum" for channel in channels},
           **{control: "first" if control in text_controls else "mean"
              for control in controls}, target: "first"}
    month = f"{to_datetime_code(f'df[{literal(date)}]', date_format)}.dt.to_period('M')"
    return [problem(
        f"The target is the same in every {row} of each month: monthly figures written on "
        f"each {row}. Modelled by the {row}, it stands still within each month and jumps "
        "at its start, and the channels are credited for the month's level by the "
        f"{row} their spend fell in.",
        f"Model the table by the month, the grain both are known at: month = {month}"
        f".dt.start_time.rename({literal(date)}); df = df.groupby([{', '.join(keys)}])"
        f".agg({literal(how)}).reset_index() ('first' if each {row} holds the month's "
        "figure, 'sum' if it holds a share; drop a first or last month the table covers "
        "only in part); then map the monthly table.", column=target)]
