"""Platform-reported conversions: numbers by channel, or columns of the raw data to sum."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mmm_widgets.errors import DataError, Problem, problem
from mmm_widgets.steps.journeys import clean_label, clean_mapping

__all__ = ["platform_columns", "platform_numbers", "platform_settings"]


def platform_columns(platform: Any, channels: Sequence[str],
                     channel_map: Mapping[str, str] | None = None
                     ) -> tuple[Any, dict[str, str]]:
    """Split column names of the raw table out of ``platform``.

    A dict (or Series) whose values are text names columns of the raw data holding each
    channel's platform-reported conversions per period; they are summed over the compared
    periods when the step runs.

    Returns
    -------
    (numbers, columns)
        ``platform`` without the text values (None if nothing is left) and
        ``{model channel: column}``.

    Raises
    ------
    DataError
        For a label that is no model channel.
    """
    if not isinstance(platform, Mapping | pd.Series):
        return platform, {}
    texts = {label: value for label, value in platform.items() if isinstance(value, str)}
    if not texts:
        return platform, {}
    lookup = clean_mapping(channel_map, values=False)
    columns: dict[str, str] = {}
    problems: list[Problem] = []
    for label, column in texts.items():
        channel = label if label in channels else lookup.get(clean_label(label))
        if channel not in channels:
            problems.append(problem(
                f"Platform column {column!r} is given for {label!r}, which is not a channel "
                "of the model.", f"Use the model's channel names ({', '.join(map(str, channels))})"
                f" or add {label!r} to channel_map.", column=str(label)))
            continue
        columns[str(channel)] = column
    if problems:
        raise DataError(problems)
    numbers = {label: value for label, value in platform.items() if label not in texts}
    return (numbers or None), columns


def platform_numbers(platform: Any, channels: Sequence[str],
                     channel_map: Mapping[str, str] | None = None) -> dict[str, float]:
    """Read platform-reported conversions into ``{model channel: number}``.

    Parameters
    ----------
    platform : dict, pandas.Series or pandas.DataFrame
        Numbers by channel. A frame needs a text column of channels and a numeric column
        of conversions (the first of each is used). Labels that are not model channels
        are translated with ``channel_map``; numbers of labels mapping to the same
        channel are added.
    channels : sequence of str
        Channels of the model.
    channel_map : dict, optional
        Journey label -> model channel.

    Returns
    -------
    dict
        Plain floats, keyed by model channel.

    Raises
    ------
    DataError
        For a label that is no model channel, a frame without the two columns, and
        numbers that are missing, negative or not finite.
    """
    if platform is None:
        return {}
    if isinstance(platform, pd.DataFrame):
        text = [c for c in platform.columns if not pd.api.types.is_numeric_dtype(platform[c])]
        numbers = [c for c in platform.columns if pd.api.types.is_numeric_dtype(platform[c])]
        if not text or not numbers:
            raise DataError(problem(
                "The platform table needs a column of channels and a column of conversions.",
                "Pass e.g. pd.DataFrame({'channel': ['search'], 'conversions': [1200]}), a "
                "Series or a dict {channel: conversions}."))
        platform = platform.groupby(text[0])[numbers[0]].sum()
    items = platform.items() if isinstance(platform, pd.Series | Mapping) else None
    if items is None:
        raise DataError(problem(f"platform must be a dict, Series or DataFrame, not "
                                f"{type(platform).__name__}.",
                                "Pass e.g. platform={'search': 1200, 'social': 800}."))
    lookup = clean_mapping(channel_map, values=False)
    out: dict[str, float] = {}
    problems: list[Problem] = []
    for label, number in items:
        channel = label if label in channels else lookup.get(clean_label(label))
        if channel not in channels:
            problems.append(problem(
                f"Platform numbers for {label!r}, which is not a channel of the model.",
                f"Use the model's channel names ({', '.join(map(str, channels))}) or add "
                f"{label!r} to channel_map.", column=str(label)))
            continue
        try:
            amount = float(number)
        except (TypeError, ValueError):
            amount = math.nan
        if not math.isfinite(amount) or amount < 0:
            problems.append(problem(f"The platform number {number!r} is not a count of "
                                    "conversions.", "Enter a number of 0 or more.",
                                    column=str(label)))
            continue
        out[channel] = out.get(channel, 0.0) + amount
    if problems:
        raise DataError(problems)
    return out


def platform_settings(platform: Any, channels: Sequence[str],
                      channel_map: Mapping[str, str] | None) -> dict[str, Any]:
    """``platform`` and ``platform_columns`` from what the user passed."""
    numbers, columns = platform_columns(platform, channels, channel_map)
    if numbers is None and not columns:
        numbers = platform
    return {"platform": platform_numbers(numbers, channels, channel_map),
            "platform_columns": columns}

