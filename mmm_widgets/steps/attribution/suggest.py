"""Guesses from a touch table: its columns, which model channel each label stands for, and
the model periods it covers. Every guess can be overridden by what the user passes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

import pandas as pd

from mmm_widgets.steps.attribution.params import COLUMN_ROLES

__all__ = ["name_key", "suggest_channel_map", "suggest_journey_columns", "suggest_period"]

# Common names of each column of a touch table, compared without case and punctuation.
_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "user": ("user_id", "user", "userid", "customer_id", "customer", "client_id", "visitor_id",
             "cookie_id", "cookie", "anonymous_id", "person_id", "account_id", "session_id"),
    "time": ("timestamp", "time", "event_time", "datetime", "date_time", "touch_time", "ts",
             "event_timestamp", "date", "event_date"),
    "channel": ("channel", "touchpoint", "touch_point", "marketing_channel", "channel_name",
                "source_medium", "utm_source", "source", "medium", "campaign"),
    "conversion": ("converted", "conversion", "is_conversion", "conversion_flag", "conv",
                   "purchase", "purchased", "is_purchase", "order", "converts"),
    "value": ("revenue", "conversion_value", "value", "order_value", "amount", "sales"),
}
# Words that make a spend column name longer than the channel it is for.
_SPEND_WORDS = frozenset({"spend", "spends", "cost", "costs", "media", "budget", "investment",
                          "eur", "usd", "gbp"})
# Labels of unpaid traffic: never matched by similarity to a paid channel.
_UNPAID_WORDS = frozenset({"organic", "seo", "direct", "referral", "none", "notset", "unknown",
                           "unassigned"})


def suggest_journey_columns(frame: pd.DataFrame) -> dict[str, str | None]:
    """Guess which column of a touch table holds the user, time, channel, flag and value.

    Names are compared without case and punctuation against common names (``user_id``,
    ``timestamp``, ``channel``, ``converted``, ``revenue``, ...); a column left unguessed
    by name is picked by its content (a datetime column for the time, a 0/1 column for the
    conversion flag).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per touch.

    Returns
    -------
    dict
        Keys ``user, time, channel, conversion, value``; None where nothing fits
        (``value`` is optional).

    Examples
    --------
    >>> import pandas as pd
    >>> touches = pd.DataFrame({"User ID": [1], "Event Time": ["2024-01-01"],
    ...                         "Source": ["Search"], "Purchase": [1]})
    >>> suggest_journey_columns(touches)["user"], suggest_journey_columns(touches)["time"]
    ('User ID', 'Event Time')
    """
    columns = list(frame.columns)
    keys = {column: name_key(column) for column in columns}
    chosen: dict[str, str | None] = {}
    taken: set = set()
    for role in COLUMN_ROLES:
        chosen[role] = None
        for name in _COLUMN_NAMES[role]:
            hits = [c for c in columns if keys[c] == name_key(name) and c not in taken]
            if hits:
                chosen[role] = hits[0]
                taken.add(hits[0])
                break
    if chosen["time"] is None:
        chosen["time"] = _first(columns, taken, lambda c: pd.api.types.is_datetime64_any_dtype(
            frame[c]))
    if chosen["conversion"] is None:
        chosen["conversion"] = _first(columns, taken, lambda c: _is_flag(frame[c]))
    if chosen["channel"] is None:
        chosen["channel"] = _first(columns, taken, lambda c: not pd.api.types.is_numeric_dtype(
            frame[c]) and frame[c].nunique() <= max(50, len(frame) // 100))
    if chosen["user"] is None:
        chosen["user"] = _first(columns, taken, lambda c: frame[c].nunique() > len(frame) // 20)
    return chosen


def _first(columns: list, taken: set, test) -> Any:
    for column in columns:
        if column not in taken and test(column):
            taken.add(column)
            return column
    return None


def _is_flag(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series):
        return True
    return pd.api.types.is_numeric_dtype(series) and bool(series.dropna().isin([0, 1]).all())


def _words(text: object) -> list[str]:
    return re.findall(r"[a-z0-9]+", str(text).lower())


def name_key(text: object, drop: frozenset = frozenset()) -> str:
    """``text`` lower-cased without punctuation, and without the words in ``drop``.

    Examples
    --------
    >>> name_key("TV Spend", frozenset({"spend"}))
    'tv'
    """
    return "".join(word for word in _words(text) if word not in drop)


def suggest_channel_map(labels: Sequence[str], channels: Sequence[str]) -> dict[str, str]:
    """Suggest which model channel each journey label stands for, by name similarity.

    Names are compared without case, punctuation and spend words (``tv_spend`` reads as
    ``tv``): an equal name first, then a channel named as a word of the label (``Paid
    Search`` -> ``search``) or contained in it, then a near spelling (``Dispaly``).
    Labels of unpaid traffic (organic, direct, referral, ...) are only matched by an equal
    name. Labels nothing fits -- ``Facebook`` is not guessable as ``social`` -- stay out of
    the map; pass them yourself.

    Parameters
    ----------
    labels : sequence of str
        Channel labels of the journeys.
    channels : sequence of str
        Channels of the model.

    Returns
    -------
    dict
        ``{journey label: model channel}`` for the labels that matched.

    Examples
    --------
    >>> suggest_channel_map(["Paid Search", "Facebook", "Direct", "TV"],
    ...                     ["tv_spend", "search_spend", "social_spend"])
    {'Paid Search': 'search_spend', 'TV': 'tv_spend'}
    """
    short = {channel: name_key(channel, _SPEND_WORDS) or name_key(channel)
             for channel in channels}
    mapping: dict[str, str] = {}
    for label in labels:
        key, words = name_key(label), set(_words(label))
        equal = [c for c in channels if key in (short[c], name_key(c))]
        if equal:
            mapping[label] = equal[0]
            continue
        if not key or words & _UNPAID_WORDS:
            continue
        hits = [c for c in channels if short[c] in words
                or (len(short[c]) >= 4 and short[c] in key)
                or (len(key) >= 4 and key in short[c])]
        if not hits:
            near = difflib.get_close_matches(key, list(short.values()), n=1, cutoff=0.8)
            hits = [c for c in channels if near and short[c] == near[0]]
        if hits:
            # Several channels in one label ("Paid Social Video"): the closest name wins.
            mapping[label] = max(hits, key=lambda c: difflib.SequenceMatcher(
                None, key, short[c]).ratio())
    return mapping


def suggest_period(frame: pd.DataFrame, time: str, dates: pd.Series) -> tuple[str, str] | None:
    """The model periods the journeys cover, as ISO dates (None if they cover none).

    The start is the model period that contains the first touch (for weekly data, the
    week it falls in); the end is the day of the last touch.

    Parameters
    ----------
    frame : pandas.DataFrame
        The touch table.
    time : str
        Its time column.
    dates : pandas.Series
        Dates of the model's data.

    Returns
    -------
    tuple of str or None
        ``(start, end)``; None when the times are plain numbers, cannot be read, or lie
        outside the model's dates.
    """
    if time not in frame.columns:
        return None
    times = frame[time]
    if pd.api.types.is_numeric_dtype(times) or pd.api.types.is_bool_dtype(times):
        return None
    try:
        stamps = pd.to_datetime(times, utc=True).dt.tz_localize(None)
    except (ValueError, TypeError):
        return None
    model_dates = pd.Series(pd.to_datetime(dates).unique()).sort_values()
    first, last = stamps.min(), stamps.max()
    if pd.isna(first) or last < model_dates.iloc[0] or first > model_dates.iloc[-1]:
        return None
    before = model_dates[model_dates <= first]
    start = before.iloc[-1] if len(before) else model_dates.iloc[0]
    return str(start.date()), str(last.date())

