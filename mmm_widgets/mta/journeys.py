"""Cut touch tables into journeys: flat, journey-ordered arrays that every model reads.

A *journey* is the ordered list of touches one user had up to and including a
conversion. Touches after a conversion start the user's next journey; touches after
the user's last conversion form a *non-converting* ("null") journey, which the Markov,
Shapley and logistic models use (rule-based models give credit to conversions only).

Both input formats end up as the same :class:`Journeys` object:

* event level (:func:`from_events`) -- one row per touch, with a user id, a time,
  a channel and a conversion flag on the converting touch;
* aggregated paths (:func:`from_paths`) -- one row per distinct path such as
  ``"Search > Social > Email"`` with a count of conversions (and optionally of
  non-converting journeys and of conversion value).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from mmm_widgets.errors import DataError, Problem, problem
from mmm_widgets.mta._checks import (
    bad_rows,
    has_column,
    missing_column,
    read_duration,
    read_flags,
    read_numbers,
)


# ----- channel labels, cleaned once for every reader -------------------------------------
def clean_label(value: object) -> str:
    """A channel label as every part of the kit reads it: text without surrounding spaces.

    The exported cell's ``cut_journeys`` cleans labels the same way, vectorised.

    Examples
    --------
    >>> clean_label("  Paid Search ")
    'Paid Search'
    """
    return str(value).strip()


def clean_mapping(mapping: Mapping | None, values: bool = True) -> dict[str, Any]:
    """A grouping or channel map keyed by cleaned labels (see :func:`clean_label`).

    Parameters
    ----------
    mapping : dict, optional
        Label -> label (a grouping) or label -> model channel (a channel map).
    values : bool
        Clean the values too; False keeps them as given.

    Returns
    -------
    dict
        An empty dict for None.

    Examples
    --------
    >>> clean_mapping({" Search ": " Paid "})
    {'Search': 'Paid'}
    """
    return {clean_label(k): clean_label(v) if values else v for k, v in (mapping or {}).items()}


def grouped_labels(labels: Iterable[object], grouping: Mapping | None) -> list[str]:
    """Each label cleaned, then renamed by ``grouping`` (labels not in it are kept).

    Parameters
    ----------
    labels : iterable
        Channel labels as the table holds them.
    grouping : dict, optional
        Label -> group label; its keys and values are cleaned first.

    Returns
    -------
    list of str
        One label per input, in order.

    Examples
    --------
    >>> grouped_labels([" FB", "Search"], {"FB": "Social"})
    ['Social', 'Search']
    """
    groups = clean_mapping(grouping)
    return [groups.get(label, label) for label in map(clean_label, labels)]


@dataclass(frozen=True, eq=False)
class Journeys:
    """Touches of all journeys, grouped by journey and in time order within each.

    Attributes
    ----------
    channels : tuple of str
        Channel labels, sorted; ``channel`` holds positions in this tuple.
    channel : numpy.ndarray of int64
        Channel code of every touch.
    journey : numpy.ndarray of int64
        Journey number of every touch (0, 1, ...; non-decreasing).
    age : numpy.ndarray of float64
        How long before the journey's last touch each touch happened, in ``unit``.
        The last touch (the converting one) has age 0.
    conversions : numpy.ndarray of float64
        Conversions per journey (events: 1 or 0; paths: the count column).
    nulls : numpy.ndarray of float64
        Non-converting journeys per journey row (events: 1 or 0; paths: the count).
    value : numpy.ndarray of float64 or None
        Conversion value per journey, when a value column was given.
    unit : {"seconds", "number", "steps"}
        Unit of ``age``: seconds for dates, the time column's own unit for numeric
        times, and positions (touches before the last) for paths.
    """

    channels: tuple[str, ...]
    channel: np.ndarray
    journey: np.ndarray
    age: np.ndarray
    conversions: np.ndarray
    nulls: np.ndarray
    value: np.ndarray | None
    unit: str

    @property
    def n_journeys(self) -> int:
        """Number of journeys (rows of ``conversions``)."""
        return len(self.conversions)

    @cached_property
    def starts(self) -> np.ndarray:
        """Index of each journey's first touch."""
        first = np.ones(len(self.journey), dtype=bool)
        first[1:] = self.journey[1:] != self.journey[:-1]
        return np.flatnonzero(first)

    @cached_property
    def lengths(self) -> np.ndarray:
        """Touches per journey."""
        return np.diff(np.append(self.starts, len(self.journey)))

    @cached_property
    def ends(self) -> np.ndarray:
        """Index of each journey's last touch."""
        return self.starts + self.lengths - 1

    @cached_property
    def position(self) -> np.ndarray:
        """Position of every touch within its journey (0 = first touch)."""
        return np.arange(len(self.journey)) - self.starts[self.journey]

    def weights(self, weight: str) -> np.ndarray:
        """What each journey hands out as credit: its conversions or its value.

        Parameters
        ----------
        weight : {"conversions", "value"}

        Returns
        -------
        numpy.ndarray of float64
        """
        if weight == "value":
            if self.value is None:
                raise DataError(
                    problem(
                        what="weight='value' needs a value column.",
                        fix="Pass value='<revenue column>' or use weight='conversions'.",
                    )
                )
            return self.value
        return self.conversions


def _channel_codes(
    series: pd.Series, column: str, grouping: Mapping | None
) -> tuple[np.ndarray, tuple[str, ...], list[Problem]]:
    # Factorizing first keeps label clean-up and grouping to one pass over the distinct
    # labels instead of one per row.
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    problems = []
    if (codes < 0).any():
        problems.append(
            problem(
                what="The channel is missing.",
                fix="Fill in the channel of every touch (e.g. 'Unknown') or drop these rows.",
                column=column,
                rows=bad_rows(series.index, codes < 0),
            )
        )
    cleaned = [clean_label(u) for u in uniques]
    blank = np.array([c == "" for c in cleaned] + [False], dtype=bool)
    if blank[:-1].any():
        problems.append(
            problem(
                what="The channel label is blank.",
                fix="Give these touches a channel name or drop them.",
                column=column,
                rows=bad_rows(series.index, blank[codes]),
            )
        )
    labels, lookup = _group_labels(cleaned, grouping)
    return lookup[codes] if len(codes) else codes.astype(np.int64), labels, problems


def _group_labels(
    cleaned: list[str], grouping: Mapping | None
) -> tuple[tuple[str, ...], np.ndarray]:
    grouped = grouped_labels(cleaned, grouping)
    labels = tuple(sorted(set(grouped)))
    position = {label: i for i, label in enumerate(labels)}
    # The trailing 0 catches the -1 sentinel of missing labels; those rows raise anyway.
    lookup = np.array([position[g] for g in grouped] + [0], dtype=np.int64)
    return labels, lookup


def _read_times(series: pd.Series, column: str) -> tuple[np.ndarray, float, str, list[Problem]]:
    """Sort keys, seconds per key unit (1 for numeric times), age unit and problems."""
    problems: list[Problem] = []
    missing = series.isna().to_numpy()
    if missing.any():
        problems.append(
            problem(
                what="The time of the touch is missing.",
                fix="Fill in when each touch happened or drop these rows.",
                column=column,
                rows=bad_rows(series.index, missing),
            )
        )
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return series.to_numpy(dtype=float, na_value=0.0), 1.0, "number", problems
    if pd.api.types.is_datetime64_any_dtype(dtype):
        stamps = series
    else:
        stamps = _parse_text_times(series)
        unreadable = stamps.isna().to_numpy() & ~missing
        if unreadable.any():
            problems.append(
                problem(
                    what="The time could not be read as a date/time.",
                    fix="Write times like '2024-03-01 14:30' (or convert the column with "
                    "pandas.to_datetime and a format) and correct these rows.",
                    column=column,
                    rows=bad_rows(series.index, unreadable),
                )
            )
    if getattr(stamps.dtype, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    values = stamps.to_numpy()
    unit, _ = np.datetime_data(values.dtype)
    seconds_per_unit = pd.Timedelta(1, unit=unit).total_seconds()
    keys = values.view(np.int64).copy()
    keys[missing | (keys == np.iinfo(np.int64).min)] = 0
    return keys, seconds_per_unit, "seconds", problems


def _parse_text_times(series: pd.Series) -> pd.Series:
    # Mixed time zones only parse with utc=True; ages are differences, so UTC loses nothing.
    with warnings.catch_warnings():
        # Text pandas cannot guess a format for is reported row by row below instead.
        warnings.filterwarnings("ignore", "Could not infer format", UserWarning)
        stamps = pd.to_datetime(series, errors="coerce", utc=True)
    retry = stamps.isna().to_numpy() & ~series.isna().to_numpy()
    if retry.any():
        # The first value fixes the format pandas infers; rows written differently
        # would otherwise come back empty.
        again = pd.to_datetime(series[retry], errors="coerce", utc=True, format="mixed")
        stamps = stamps.copy()
        stamps[retry] = again
    return stamps


def _check_columns(
    frame: object, wanted: dict[str, object], table: str, problems: list[Problem]
) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(
            [
                *problems,
                problem(
                    what=f"The {table} table is a {type(frame).__name__}, not a DataFrame.",
                    fix="Pass a pandas DataFrame (e.g. pandas.read_csv(...)).",
                ),
            ]
        )
    earlier = len(problems)
    for role, name in wanted.items():
        if not has_column(frame, name):
            problems.append(missing_column(role, name, frame.columns, table))
        elif isinstance(frame[name], pd.DataFrame):
            problems.append(
                problem(
                    what=f"The {table} table has {frame[name].shape[1]} columns named {name!r}.",
                    fix="Rename or drop the duplicates (e.g. with DataFrame.rename).",
                    column=str(name),
                )
            )
    if len(frame) == 0:
        problems.append(
            problem(
                what=f"The {table} table has no rows.",
                fix="Pass a table with at least one converting journey.",
            )
        )
    # Without the columns nothing else can be checked; otherwise keep collecting.
    if len(problems) > earlier:
        raise DataError(problems)


def _check_grouping(grouping: object, problems: list[Problem]) -> Mapping | None:
    if grouping is not None and not isinstance(grouping, Mapping):
        problems.append(
            problem(
                what=f"grouping must be a dict of channel -> group, not {type(grouping).__name__}.",
                fix="Pass e.g. grouping={'Facebook': 'Social', 'TikTok': 'Social'}.",
            )
        )
        return None
    return grouping


def from_events(
    events: pd.DataFrame,
    *,
    user: str,
    time: str,
    channel: str,
    conversion: str,
    value: str | None = None,
    lookback: object = None,
    grouping: Mapping[str, str] | None = None,
    problems: list[Problem] | None = None,
) -> Journeys:
    """Cut an event-level touch table into journeys.

    Touches are sorted by time within user with a stable sort, so touches at the
    same time keep their order in the table. A journey ends with a converting touch
    (the converting row is itself a touch of its channel); the touches that follow
    start the user's next journey. Touches after the last conversion form a
    non-converting journey.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per touch.
    user, time, channel, conversion : str
        Columns holding the user id, the time of the touch (dates, text dates or
        plain numbers), the channel label and the conversion flag (True/False or 1/0).
    value : str, optional
        Column holding the conversion value; read on converting rows only.
    lookback : str, Timedelta or float, optional
        Touches more than this long before the end of their journey (the
        conversion) are dropped. A pandas Timedelta string such as ``"30D"`` for
        date times, a plain number for numeric times. None keeps every touch.
    grouping : dict, optional
        Channel label -> group label, applied before anything else; labels not in
        the map are kept.
    problems : list of Problem, optional
        Problems found earlier (e.g. in other arguments), reported together with
        the missing columns.

    Returns
    -------
    Journeys

    Raises
    ------
    DataError
        For missing columns, an empty table, missing or unreadable values, and
        tables without any conversion.
    """
    problems = list(problems or [])
    grouping = _check_grouping(grouping, problems)
    wanted = {"user": user, "time": time, "channel": channel, "conversion": conversion}
    if value is not None:
        wanted["value"] = value
    _check_columns(events, wanted, "events", problems)

    users = events[user]
    user_codes, _ = pd.factorize(users, use_na_sentinel=True)
    if (user_codes < 0).any():
        problems.append(
            problem(
                what="The user id is missing.",
                fix="Fill in the user of every touch or drop these rows.",
                column=str(user),
                rows=bad_rows(events.index, user_codes < 0),
            )
        )
    keys, seconds_per_unit, unit, found = _read_times(events[time], str(time))
    problems += found
    channel_codes, labels, found = _channel_codes(events[channel], str(channel), grouping)
    problems += found
    flags, found = read_flags(events[conversion], str(conversion))
    problems += found
    values = None
    if value is not None:
        values, found = read_numbers(events[value], str(value), "conversion value", required=flags)
        problems += found
    if problems:
        raise DataError(problems)
    if not flags.any():
        raise DataError(
            problem(
                what="No touch is flagged as a conversion, so there is nothing to credit.",
                fix="Set the conversion flag to 1 (True) on each converting touch; check "
                "that the right column was passed as conversion=.",
                column=str(conversion),
            )
        )
    window = None
    if lookback is not None:
        window, found_one = read_duration(lookback, unit, "lookback", allow_zero=True)
        if found_one is not None:
            raise DataError(found_one)

    order = np.lexsort((keys, user_codes))
    user_sorted = user_codes[order]
    keys = keys[order]
    flags = flags[order]
    new_journey = np.ones(len(order), dtype=bool)
    new_journey[1:] = (user_sorted[1:] != user_sorted[:-1]) | flags[:-1]
    journey = np.cumsum(new_journey) - 1
    starts = np.flatnonzero(new_journey)
    ends = np.append(starts[1:], len(order)) - 1
    age = (keys[ends][journey] - keys).astype(np.float64) * seconds_per_unit
    converted = flags[ends]
    journey_value = None
    if values is not None:
        journey_value = np.where(converted, values[order][ends], 0.0)
    channel_sorted = channel_codes[order]
    if window is not None:
        # The last touch has age 0, so every journey keeps at least that touch.
        keep = age <= window
        channel_sorted, journey, age = channel_sorted[keep], journey[keep], age[keep]
    return Journeys(
        channels=labels,
        channel=channel_sorted,
        journey=journey,
        age=age,
        conversions=converted.astype(np.float64),
        nulls=(~converted).astype(np.float64),
        value=journey_value,
        unit=unit,
    )


def from_paths(
    paths: pd.DataFrame,
    *,
    path: str,
    conversions: str,
    nulls: str | None = None,
    value: str | None = None,
    sep: str = ">",
    grouping: Mapping[str, str] | None = None,
    problems: list[Problem] | None = None,
) -> Journeys:
    """Read an aggregated path table into journeys, one journey per row.

    Parameters
    ----------
    paths : pandas.DataFrame
        One row per path.
    path : str
        Column of path strings such as ``"Search > Social > Email"``; the last
        channel is the converting touch. Whitespace around channel names is removed.
    conversions : str
        Column with the number of conversions that followed the path.
    nulls : str, optional
        Column with the number of journeys on that path that did not convert.
    value : str, optional
        Column with the total conversion value of the row (not per conversion).
    sep : str, default ">"
        Separator between channels.
    grouping : dict, optional
        Channel label -> group label.
    problems : list of Problem, optional
        Problems found earlier, reported together with the missing columns.

    Returns
    -------
    Journeys
        With ``unit="steps"``: a touch's age is the number of touches between it and
        the last touch of its path.

    Raises
    ------
    DataError
        For missing columns, an empty table, empty or malformed paths, counts that
        are not numbers or are negative, and tables without any conversion.
    """
    problems = list(problems or [])
    grouping = _check_grouping(grouping, problems)
    if not isinstance(sep, str) or not sep:
        problems.append(problem(what=f"sep={sep!r} is not a separator.", fix="Pass e.g. sep='>'."))
    wanted = {"path": path, "conversions": conversions}
    if nulls is not None:
        wanted["nulls"] = nulls
    if value is not None:
        wanted["value"] = value
    _check_columns(paths, wanted, "paths", problems)

    conv, found = read_numbers(
        paths[conversions], str(conversions), "conversion count", non_negative=True
    )
    problems += found
    if nulls is not None:
        null_counts, found = read_numbers(
            paths[nulls], str(nulls), "non-converting count", non_negative=True
        )
        problems += found
    else:
        null_counts = np.zeros(len(paths))
    values = None
    if value is not None:
        values, found = read_numbers(
            paths[value], str(value), "conversion value", required=conv > 0
        )
        problems += found
    path_codes, tokens, found = _split_paths(paths[path], str(path), sep)
    problems += found
    if problems:
        raise DataError(problems)
    if conv.sum() <= 0:
        raise DataError(
            problem(
                what="The conversion counts add up to 0, so there is nothing to credit.",
                fix="Check that the right column was passed as conversions=.",
                column=str(conversions),
            )
        )

    distinct = sorted({t for row in tokens for t in row})
    token_code = {t: i for i, t in enumerate(distinct)}
    labels, lookup = _group_labels(distinct, grouping)
    flat = np.array([token_code[t] for row in tokens for t in row], dtype=np.int64)
    flat = lookup[flat] if len(flat) else flat
    unique_lengths = np.array([len(row) for row in tokens], dtype=np.int64)
    unique_starts = np.concatenate(([0], np.cumsum(unique_lengths)[:-1]))
    # Gather each row's tokens from the table of distinct paths in one vectorized step.
    lengths = unique_lengths[path_codes]
    journey = np.repeat(np.arange(len(path_codes)), lengths)
    row_starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    position = np.arange(lengths.sum()) - row_starts[journey]
    gather = unique_starts[path_codes][journey] + position
    age = (lengths[journey] - 1 - position).astype(np.float64)
    return Journeys(
        channels=labels,
        channel=flat[gather],
        journey=journey,
        age=age,
        conversions=conv,
        nulls=null_counts,
        value=values,
        unit="steps",
    )


def _split_paths(
    series: pd.Series, column: str, sep: str
) -> tuple[np.ndarray, list[list[str]], list[Problem]]:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    tokens = []
    malformed = np.zeros(len(uniques) + 1, dtype=bool)
    for i, text in enumerate(uniques):
        parts = [p.strip() for p in str(text).split(sep)] if isinstance(text, str) else []
        malformed[i] = not parts or any(p == "" for p in parts)
        tokens.append(parts)
    malformed[-1] = True
    bad = malformed[codes]
    problems = []
    if bad.any():
        problems.append(
            problem(
                what=f"The path is empty, not text, or has an empty step (paths look like "
                f"'Search {sep} Social {sep} Email').",
                fix=f"Write each path as channel names separated by {sep!r}, with no "
                "empty step, or drop these rows.",
                column=column,
                rows=bad_rows(series.index, bad),
            )
        )
    return codes, tokens, problems
