"""Columns that name a part of the date: the month's name, the quarter, the day of the week.

Tables made for a spreadsheet often carry the date's parts beside it (``Month`` as "Mar",
``Quarter`` as "Q1", ``Weekday`` as "Tue", a month's number). Suggested as controls, a
month's name becomes eleven 0/1 columns: a second yearly season beside the model's own
(see :mod:`mmm_widgets.steps.season_controls` for what that does to the fit), and the
days of the week are the model's own day-of-week effects on daily data.
:func:`calendar_labels` finds them, so the suggestion leaves them out: every value is set
by the date's month, quarter or weekday. A 0/1 column so set (a sales month marked every
year) is an event the model's season cannot follow, and stays a control.
"""

from __future__ import annotations

import pandas as pd

#: The parts of a date a column may name, by the word for them.
PARTS = {"month": lambda d: d.dt.month, "quarter": lambda d: d.dt.quarter,
         "day of the week": lambda d: d.dt.day_of_week}


def calendar_labels(frame: pd.DataFrame, columns: list[str],
                    dates: pd.Series) -> dict[str, str]:
    """The columns whose every value is set by one part of the row's date.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    columns : list of str
        The columns to look at (the suggested controls).
    dates : pandas.Series
        Each row's date, parsed (NaT where none), aligned with ``frame``.

    Returns
    -------
    dict
        ``{column: part}``, the part one of :data:`PARTS`; 0/1 columns are never named.

    Examples
    --------
    >>> days = pd.Series(pd.date_range("2023-01-02", periods=730, freq="D"))
    >>> frame = pd.DataFrame({"Month": days.dt.strftime("%b"), "sale": days.dt.month == 12,
    ...                       "temp": range(730)})
    >>> calendar_labels(frame, ["Month", "sale", "temp"], days)
    {'Month': 'month'}
    """
    dated = dates.notna().to_numpy()
    found = {}
    for column in columns:
        values = frame[column][dated]
        if values.nunique(dropna=True) <= 2:
            continue
        for word, part in PARTS.items():
            parts = part(dates[dated])
            if parts.nunique() < 2:
                continue
            if (values.groupby(parts.to_numpy()).nunique(dropna=True) <= 1).all():
                found[column] = word
                break
    return found
