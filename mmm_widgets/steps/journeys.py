"""Helpers both journey steps (attribution, cross-channel) and their panels share.

A touch table's channel labels are read the way :mod:`mmm_widgets.mta` reads them (see
:func:`mmm_widgets.mta.journeys.clean_label`), so what the panels list, what the steps
suggest and what the exported cell computes name the same labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from mmm_widgets.errors import Problem, problem
from mmm_widgets.mta.journeys import clean_label, clean_mapping, grouped_labels

__all__ = ["clean_label", "clean_mapping", "labels", "time_problems"]


def labels(frame: pd.DataFrame, channel: Any, grouping: Mapping[str, str] | None = None
           ) -> list[str]:
    """The distinct channel labels of a touch table, cleaned and grouped, sorted.

    Parameters
    ----------
    frame : pandas.DataFrame
        The touch table.
    channel : str
        Its channel column.
    grouping : dict, optional
        Label -> group label, applied after cleaning.

    Returns
    -------
    list of str
        Blank labels and missing values are left out; an empty list when ``channel`` is
        not a column of ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> labels(pd.DataFrame({"c": [" FB", "Search", None, "TikTok"]}), "c",
    ...        {"FB": "Social", "TikTok": "Social"})
    ['Search', 'Social']
    """
    try:
        values = frame[channel].dropna().unique()
    except (KeyError, TypeError):
        # A column not picked yet (or gone from a new table) has no labels to list.
        return []
    return sorted({label for label in grouped_labels(values, grouping) if label})


def time_problems(series: pd.Series, column: str) -> list[Problem]:
    """Text times must parse in one format, as the exported ``pd.to_datetime`` reads them.

    Parameters
    ----------
    series : pandas.Series
        The touch table's time column.
    column : str
        Its name, for the message.

    Returns
    -------
    list of Problem
        Empty for numbers, datetimes and text that parses in one format; otherwise one
        problem naming the rows that do not parse.
    """
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return []
    try:
        pd.to_datetime(series, utc=True)
    except (ValueError, TypeError):
        parsed = pd.to_datetime(series, utc=True, errors="coerce")
        rows = list(series.index[parsed.isna() & series.notna()]) or list(series.index[:1])
        return [problem("The times are not all written in one date/time format.",
                        "Convert the column first, e.g. journeys[col] = pd.to_datetime("
                        "journeys[col], format='%d/%m/%Y %H:%M'), and pass the converted table.",
                        column=column, rows=rows)]
    return []
