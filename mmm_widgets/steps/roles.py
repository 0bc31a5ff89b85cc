"""Suggest which column plays which role, from names, dtypes and values."""

from __future__ import annotations

import numbers
import re
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from mmm_widgets.steps.amounts import (
    abbreviated,
    abbreviated_code,
    find_text_amounts,
    with_amounts_read,
)
from mmm_widgets.steps.calendar_labels import calendar_labels
from mmm_widgets.steps.categorical import MAX_LEVELS, NOTHING_LEVELS
from mmm_widgets.steps.copies import copies_of_others
from mmm_widgets.steps.currencies import holds_currency_codes
from mmm_widgets.steps.dates import (
    NUMBER_DATES,
    holds_quarters,
    is_period,
    number_dates_format,
    parse_dates,
)
from mmm_widgets.steps.filled_down import written_once_per_block
from mmm_widgets.steps.lagged_copies import lagged_copies
from mmm_widgets.steps.names import (
    ACTIVITY_KINDS,
    AUDIENCE,
    CHANNEL_WORDS,
    CONTROL_NAMES,
    CURRENCY,
    EXPLICIT_SPEND,
    GENERIC_CHANNEL,
    MONEY_TARGET_WORDS,
    NOT_PAID,
    NOT_SPEND,
    NUMBERED_CHANNEL,
    PAST,
    PLAN,
    POPULATION,
    SPEND_NAMES,
    TARGET_WORDS,
    VALUE_WORDS,
    is_ratio,
    lower_words,
    named_like_spend,
    named_not_spend,
    not_media_kind,
    not_spend_kind,
    reported_outcomes,
)
from mmm_widgets.steps.nested import nested_columns
from mmm_widgets.steps.outcome_controls import outcome_controls
from mmm_widgets.steps.repeated_rows import (
    FEW_REPEATS,
    doubled_geos,
    panel_with_few_repeats,
    stacked_rows_fix,
)
from mmm_widgets.steps.rows import (
    blank_cells,
    find_non_period_rows,
    is_placeholder,
    second_header,
    without_non_period_rows,
)
from mmm_widgets.steps.totals import totals_of_others
from mmm_widgets.steps.versions import find_versions

_DATE_NAMES = re.compile(
    r"(^|[^a-z])(date|week|day|period|time|month|ds|dt|wk|yearweek|yearmonth|yrwk)([^a-z]|$)",
    re.I)
# When a row was written, not the period it is of: a warehouse's load and update stamps
# ("updated_at", "loaded_date", "etl_timestamp"), a date of every row, never repeated.
_RECORD_DATE = re.compile(r"(updated|modified|loaded|created|inserted|ingested|extracted|"
                          r"refreshed|synced|etl|_at$)", re.I)
_GEO_NAMES = re.compile(r"(geo|region|market|country|state|city|dma|area|territory|store)", re.I)
# One of those words alone, singular: a geo's code, not a count of geos ("stores").
_GEO_WORD = re.compile(r"(sub)?(geo(graphy)?|region|market|country|state|city|dma|area|"
                       r"territory|store|zip|postcode)")
# A long table's column of channel names: it repeats each date once per level, like a
# geo, and holds a few text levels, like an event control; it is neither (a national
# table's one campaign per date is an event all the same).
_CHANNEL_LIST_NAMES = re.compile(
    r"(channel|campaign|platform|medium|media|publisher|source|\bads?[\s_-]?(type|kind|name)\b)",
    re.I)
# A date written in numbers and separators, in whatever order: 1/14/2018, 01-07-2018.
_NUMERIC_DATE = r"\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\s*"
# Words naming money spent, apart from what it was spent on ("tv spend", "tv budget").
_SPEND_WORDS = frozenset({"budget", "spend", "spends", "spent", "cost", "costs"})
# A number as plain text: whole, with a decimal point, or in scientific notation.
_PLAIN_NUMBER = r"-?\d+(\.\d+)?([eE][+-]?\d+)?"
# pandas' name for a column without a header: almost always an index written with the table.
_UNNAMED = re.compile(r"^Unnamed: \d+$")
# A simulated table's answers (pymc-marketing's media_tvp: "x1_contribution",
# "control_contribution", "yearly_seasonality_contribution"): outputs of the model that
# made the target, which would explain it perfectly as a control.
_MODEL_OUTPUT = re.compile(r"contrib", re.I)
# A text column with more levels than this is an identifier or free text, not a control.
MAX_CONTROL_LEVELS = 20


def suggest_roles(df: pd.DataFrame) -> dict:
    """Guess the date, target, channel, control and geo columns of a frame.

    Parameters
    ----------
    df : pandas.DataFrame
        Raw data, wide (one column per channel).

    Returns
    -------
    dict
        ``{"date": str | None, "target": str | None, "channels": list[str],
        "controls": list[str], "geo": str | None, "value_per_unit": str | None,
        "long": dict | None}``.
        ``value_per_unit`` is a column of money per unit of a target that is not money
        itself (``revenue_per_conversion`` beside ``conversions``). ``long`` is set for a
        long table (one row per date, [geo,] and channel, the target repeated on each):
        ``{"channel_column": ..., "value_column": ...}``, with ``channels`` empty (every
        channel kept). Every suggestion is a guess the user can change.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"DATE": ["2024-01-01", "2024-01-08"], "revenue": [1.0, 2.0],
    ...                       "tv_S": [3.0, 4.0]})
    >>> suggest_roles(frame)["channels"]
    ['tv_S']
    """
    # Names are judged without the spaces a spreadsheet's header cells often keep
    # (" TV Spend "), and the suggestion names the columns as the table has them.
    stripped = {c: c.strip() for c in df.columns if isinstance(c, str) and c != c.strip()}
    if stripped and len({*map(str, df.columns), *stripped.values()}) == (
            len(set(map(str, df.columns))) + len(stripped)):
        back = {new: old for old, new in stripped.items()}
        suggested = _suggest_roles(df.rename(columns=stripped))
        return {role: _named_back(value, back) for role, value in suggested.items()}
    return _suggest_roles(df)


def _named_back(value: Any, back: dict[str, str]) -> Any:
    """A suggestion's column names (one, a list, a long layout's dict) renamed by ``back``."""
    if isinstance(value, str):
        return back.get(value, value)
    if isinstance(value, list):
        return [back.get(name, name) for name in value]
    if isinstance(value, dict):
        return {key: back.get(name, name) for key, name in value.items()}
    return value


#: The suggestion for a table that must be laid out anew before any role can be chosen.
_NO_ROLES = {"date": None, "target": None, "channels": [], "controls": [], "geo": None,
             "value_per_unit": None, "long": None}


def _suggest_roles(df: pd.DataFrame) -> dict:
    """:func:`suggest_roles` on a frame whose names need no stripping."""
    if nested_columns(df):  # records in cells: no roles until the table is flattened
        return dict(_NO_ROLES)
    columns = _role_candidates(df)
    date = _pick_date(df, columns)
    # A column per date, or a header over two rows: no roles until it is read as a table.
    if (date is None and dates_across(df) is not None) or second_header(df) is not None:
        return dict(_NO_ROLES)
    if date is not None and written_once_per_block(df, date):
        # A pivot table's date over its block of rows: each row's, once filled down.
        df = df.assign(**{date: df[date].mask(blank_cells(df[date])).ffill()})
    if date is not None:
        # A report's empty and Total rows say nothing about the roles.
        left_out = find_non_period_rows(df, columns, date)
        df = without_non_period_rows(df, left_out)
        df = df.infer_objects()  # numbers that shared a column with 'Total' are numbers
        if left_out.undated_text:  # a row of units ('EUR') made every column below it text
            df = _number_text_read(df)
    # A column of versions of the figures (Actual, Budget) is no role: one version's rows
    # are kept (the data step says so), and the roles are read from them. Its values
    # repeat on each date, as a geo's do.
    versions = None if date is None else find_versions(df, date)
    if versions is not None:
        kept = versions.actual if versions.actual is not None else versions.levels[0]
        df = df[df[versions.column] == kept]
    rest = [c for c in columns if c != date and (versions is None or c != versions.column)]
    geo = _pick_geo(df, rest, date)
    if date is not None and geo is not None:
        # nor does a Total geo beside the real ones
        df = without_non_period_rows(df, find_non_period_rows(df, columns, date, geo))
    rest = [c for c in rest if c != geo]
    # Amounts written as text ('$9,171.55') are judged as the numbers the data cell reads,
    # percentages ('12%') too: only a control can be one.
    amounts = find_text_amounts(df, rest, rates=rest)
    df = _numbers_read(with_amounts_read(df, amounts), rest)
    rates = [c for c, found in amounts.items() if found.percent]
    # A column that never changes (a channel that never spent, a placeholder of zeros)
    # explains nothing; only a fixed value per unit of the target is one.
    numbers = [c for c in rest if _numeric_like(df[c])]
    numeric = [c for c in numbers if not _constant(df[c])]
    trends = [c for c in numeric if _is_trend(df, c, date)]
    # What a platform says its ads brought is the target only when nothing else is.
    reported = reported_outcomes(rest)
    outcomes = [c for c in numeric if c not in trends and c not in rates]
    target = (_pick_target(df, [c for c in outcomes if c not in reported])
              or _pick_target(df, outcomes))
    generic = target is not None and target.lower() == "y"
    channels, controls = [], []
    value = _pick_value([c for c in numbers if c not in rates], target)
    # Dates (per geo) repeated: a long table, whose columns naming channels or campaigns
    # are neither geo nor control.
    keys = [] if date is None else [date, *([geo] if geo else [])]
    listing = (channel_list_columns(df, rest, keys)
               if keys and df.duplicated(subset=keys).any() else [])
    for column in rest:
        if column in (target, value) or column in reported or _MODEL_OUTPUT.search(column):
            continue
        if column in trends or (column in rates and column in numeric):
            controls.append(column)
        elif column in rates:
            continue
        elif column not in numeric:
            # a column of currency codes says what the amounts are in, one of quarters
            # (2024-Q1) is the table's time: no control
            if (_is_categorical(df[column], column) and column not in listing
                    and not holds_currency_codes(df[column]) and not holds_quarters(df[column])):
                controls.append(column)
        elif _looks_like_spend(column, df[column]) or (generic and
                                                       GENERIC_CHANNEL.match(column)) or (
                _numbered_channel(column, df[column])):
            channels.append(column)
        elif _looks_like_control(column, df[column]):
            controls.append(column)
    # Beside columns of spend (or y's x1, x2), a column named only "media" is that
    # media's execution.
    if any(EXPLICIT_SPEND.search(c) or GENERIC_CHANNEL.match(c) for c in channels):
        channels = [c for c in channels if not _only_media(c)]
    # A total beside the channels it sums is none of its own (its spend would count twice).
    totals = totals_of_others(df, channels)
    channels = [c for c in channels if c not in totals]
    # Nor is the same spend written again (net beside gross, in another currency), a
    # channel's budget beside its spend, or the total of a medium's activity.
    copies = copies_of_others(df, channels)
    activity_totals = _activity_totals(df, channels, numeric)
    channels = [c for c in channels if c not in copies and c not in activity_totals
                and not _plan_beside_spend(c, channels)]
    # Nor is a channel's spend a few periods later (a regression's lags: "Meta-1").
    if date is not None and len(channels) > 1:
        lagged = lagged_copies(df, channels, parse_dates(df[date]).values, geo)
        channels = [c for c in channels if c not in lagged]
    # Nor is the date's month, quarter or weekday written out ("Mar", "Q1", "Tue"): the
    # model's own yearly season and day-of-week effects.
    if date is not None and controls:
        labels = calendar_labels(df, controls, parse_dates(df[date]).values)
        controls = [c for c in controls if c not in labels]
    # A control that is the target in another unit (an index of sales) is no control.
    if target is not None:
        copies = copies_of_others(df, [target, *controls])
        controls = [c for c in controls if copies.get(c, (None,))[0] != target]
    # Nor is an outcome of the same sales (orders, discounts written as negative amounts):
    # read period to period, in a table of one row per date (and geo).
    looked = [c for c in controls if c in numeric]
    if target is not None and date is not None and looked and not listing:
        outcomes = outcome_controls(df, target, looked, date, geo,
                                    parse_dates(df[date]).values)
        controls = [c for c in controls if c not in outcomes]
    layout = _long_layout(df, keys, listing, target, channels)
    if layout is not None:
        channels = []
    return {"date": date, "target": target, "channels": channels, "controls": controls,
            "geo": geo, "value_per_unit": value, "long": layout}


def dates_across(frame: pd.DataFrame) -> tuple[list, list] | None:
    """The columns named by dates and the others, when a table has a column per date.

    A report turned sideways (one row per channel or measure, one column per week) has
    no date column; its column names are the dates.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    tuple of list, or None
        ``(dated, labels)``: the columns whose names are dates (at least three, and more
        than the others) and the other columns; None when the table is not so.
    """
    names = list(frame.columns)
    if len(names) < 4:
        return None
    parsed = parse_dates(pd.Series([str(name) for name in names], dtype="string"))
    dated = [name for name, when in zip(names, parsed.values, strict=True) if pd.notna(when)]
    labels = [name for name in names if name not in dated]
    return (dated, labels) if len(dated) >= 3 and len(dated) > len(labels) else None


def no_roles() -> dict:
    """The suggestion for a table that must be laid out anew before any role can be
    chosen: no role suggested."""
    return dict(_NO_ROLES)



def _number_text_read(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each text column whose every value is a plain number read as numbers."""
    read = df.copy()
    for position in range(df.shape[1]):
        values = df.iloc[:, position]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            numbers = pd.to_numeric(values, errors="coerce")
            if values.notna().any() and numbers.notna().sum() == values.notna().sum():
                read.isetitem(position, numbers)
    return read


def date_column(df: pd.DataFrame) -> str | None:
    """The column :func:`suggest_roles` would suggest as the date, judged by its values.

    Parameters
    ----------
    df : pandas.DataFrame
        The raw table.

    Returns
    -------
    str or None
        None when no column holds dates.
    """
    return _pick_date(df, _role_candidates(df))


def _role_candidates(df: pd.DataFrame) -> list[str]:
    """The columns that can take a role: named by text, once (a duplicated name selects
    several columns at once; the mapping reports it instead), not an index written with
    the table (``Unnamed: 0``)."""
    counts = Counter(df.columns)
    return [c for c in df.columns
            if isinstance(c, str) and counts[c] == 1 and not _UNNAMED.match(c)]


def _pick_date(df: pd.DataFrame, columns: list[str]) -> str | None:
    """The column of dates: a column of datetimes first, then one named as a date; of
    two alike, one whose dates do not repeat (a day's, beside its week's number), else
    the first; a row's load or update stamp (``updated_at``) only when no other."""
    scored = []
    for position, column in enumerate(columns):
        series = df[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            # an empty cell (a row of units above the dates) is no date, nor a wrong one
            empty = series.eq("")
            series = series.mask(empty) if empty.any() else series
        score = _date_score(series, column)
        if score is not None:
            scored.append((bool(_RECORD_DATE.search(column)), score,
                           bool(series.dropna().duplicated().any()), position, column))
    return min(scored)[-1] if scored else None


def _date_score(series: pd.Series, column: str) -> int | None:
    """How surely a column holds the table's dates: 0 surest, None not at all."""
    named = bool(_DATE_NAMES.search(column))
    if pd.api.types.is_datetime64_any_dtype(series) or is_period(series):
        return 0
    if ((numbers := number_dates_format(series)) is not None and named
            and _regular(series, NUMBER_DATES[numbers].per_day)):
        return 1
    if (pd.api.types.is_integer_dtype(series) and named
            and parse_dates(series.dropna().head(50)).ok):
        return 1  # 20240131, as Google Analytics writes it
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        sample = series.dropna().astype(str).head(50)
        if len(sample) and parse_dates(sample).ok:
            return 1 if named else 2
        # Dates a spreadsheet wrote two ways (1/14/2018 below 01-07-2018): the data step
        # names the formats and reads each row in its own.
        if named and len(sample) and sample.str.fullmatch(_NUMERIC_DATE).all():
            return 3
    return None


def _pick_geo(df: pd.DataFrame, columns: list[str], date: str | None) -> str | None:
    # A panel repeats each date once per geo; a table whose dates are all distinct has no
    # geo, however much a text column (events, campaigns) looks like one.
    if date is not None and not df[date].duplicated().any():
        return None
    # Nor has a table whose dates repeat on a few rows (a date typed twice): a panel's
    # repeat once per geo, on half its rows or more.
    if date is not None and df[date].duplicated().mean() <= FEW_REPEATS:
        return None
    # A long panel repeats each date and geo once per channel (or campaign) too.
    listed = [] if date is None else channel_list_columns(df, columns, [date])
    for column in columns:
        series = df[column]
        # Geos may be codes (DMA 501, store 12) in a column named like a geo.
        coded = pd.api.types.is_integer_dtype(series) and _names_a_geo(column)
        if (_numeric_like(series) and not coded) or _lists_channels(column):
            continue
        distinct = series.nunique(dropna=True)
        few = 1 < distinct <= max(50, len(df) // 20) and distinct < len(df) / 2
        if not few or not (_GEO_NAMES.search(column) or distinct <= 50):
            continue
        if date is None or not df.duplicated(subset=[date, column]).any():
            return column
        # Only where the geos differ within a date: an event repeats on a date's rows.
        if not (df.groupby(date, sort=False)[column].nunique() > 1).any():
            continue
        if listed and not df.duplicated(subset=[date, column, *listed]).any():
            return column
        # Two geos under one name: the data step names them, with the line that parts them.
        if doubled_geos(df[date], series):
            return column
        # Tables stacked where a join was meant: each (date, geo) on two rows, one of
        # spend and one of sales (the data step names them, with the line that joins them).
        others = [c for c in df.columns if c not in (date, column)]
        if stacked_rows_fix(df, date, column, others) is not None:
            return column
        # A date typed for its neighbour in a few geos: the data step names the repeats.
        if panel_with_few_repeats(df[date], series):
            return column
    return None


def _names_a_geo(column: str) -> bool:
    """Whether a column of whole numbers is named as one geo's code ("store_id", "DMA"), not
    as a count of geos ("No_of_stores", "Prom (No_of_stores)": a promotion's reach)."""
    return any(_GEO_WORD.fullmatch(word) for word in lower_words(column).split())


def _pick_target(df: pd.DataFrame, numeric: list[str]) -> str | None:
    # "Competitor sales" is a control, "revenue per conversion" a ratio and a 0/1 column
    # ("black friday sale") an event's flag, not the outcome.
    named = [c for c in numeric
             if TARGET_WORDS & set(lower_words(c).split()) and not SPEND_NAMES.search(c)
             and not CONTROL_NAMES.search(c) and "per" not in lower_words(c).split()
             and not is_ratio(c) and not _is_binary(df[c])]
    if named:
        # This period's actual outcome before a plan or last year's ("Sales Forecast",
        # "Sales LY"), money before units ("Total sales" before "Orders": ROAS is money per
        # money), then sales after discounts and returns before gross sales, then a column
        # named by the word alone ("y", "Sales $") before one that only holds it
        # ("init_target", "y_lag").
        return min(named, key=lambda c: (not_media_kind(c) in (PLAN, PAST),
                                         not (MONEY_TARGET_WORDS & set(lower_words(c).split())
                                              or CURRENCY.search(c)),
                                         "gross" in lower_words(c).split(),
                                         lower_words(c) not in TARGET_WORDS))
    # Otherwise the outcome is a positive series, never a spend, a flag, a channel by its
    # number, a control, a ratio or a geo's population: the largest one.
    candidates = [c for c in numeric if not SPEND_NAMES.search(c) and not NOT_SPEND.search(c)
                  and not CHANNEL_WORDS.search(lower_words(c)) and not _is_binary(df[c])
                  and not GENERIC_CHANNEL.match(c) and not NUMBERED_CHANNEL.match(c)
                  and not CONTROL_NAMES.search(c) and not POPULATION.match(c)
                  and "per" not in lower_words(c).split()]
    positive = [c for c in candidates if pd.to_numeric(df[c], errors="coerce").min() > 0]
    pool = positive or candidates
    if not pool:
        return None
    return max(pool, key=lambda c: float(pd.to_numeric(df[c], errors="coerce").mean()))


def _pick_value(numeric: list[str], target: str | None) -> str | None:
    if target is None or MONEY_TARGET_WORDS & set(lower_words(target).split()) \
            or CURRENCY.search(target):
        return None
    for column in numeric:
        words = set(lower_words(column).split())
        if column != target and "per" in words and words & VALUE_WORDS:
            return column
    return None


def _numbered_channel(column: str, series: pd.Series) -> bool:
    """A channel named by its number alone ("channel_1"), whose amounts are its spend."""
    return bool(NUMBERED_CHANNEL.fullmatch(column)) and not _is_binary(series)


def _looks_like_spend(column: str, series: pd.Series) -> bool:
    if _is_binary(series):
        return False
    if named_like_spend(column):
        return True
    # Named as a control, and not as an amount spent: "search_index" (Google Trends),
    # "social_sentiment", "tv_holiday_flag"; an amount in a currency otherwise.
    if named_not_spend(column) or CONTROL_NAMES.search(column):
        return False
    return bool(CURRENCY.search(column) and not TARGET_WORDS & set(lower_words(column).split()))


def _only_media(column: str) -> bool:
    """Whether only the word "media" makes the column look like spend."""
    return bool(re.search("media", column, re.I)) and not (
        EXPLICIT_SPEND.search(column) or CHANNEL_WORDS.search(lower_words(column))
        or CURRENCY.search(column))


def _long_layout(df: pd.DataFrame, keys: list[str], listing: list[str], target: str | None,
                 spend: list[str]) -> dict[str, str] | None:
    """The channel and spend columns of a long table, or None for a wide one.

    A long table repeats each date (in each geo) once per channel, names the channel in a
    text column (``listing``, fewest levels first: a channel before its campaigns) and
    repeats the target on every row; its spend is the one spend-like column (an explicit
    spend or cost first).
    """
    if not listing or target is None or not spend:
        return None
    if (df.groupby(keys, sort=False)[target].nunique(dropna=False) > 1).any():
        return None
    value = next((c for c in spend if EXPLICIT_SPEND.search(c)), spend[0])
    return {"channel_column": listing[0], "value_column": value}


def channel_list_columns(df: pd.DataFrame, columns: list[str], keys: list[str]) -> list[str]:
    """The text columns naming a long table's channels: those varying within ``keys``.

    Parameters
    ----------
    df : pandas.DataFrame
        The raw table.
    columns : list of str
        Columns to consider.
    keys : list of str
        The date column (and the geo column) each row belongs to.

    Returns
    -------
    list of str
        The columns named like a list of channels (channel, campaign, platform, ...)
        with a few text levels, more than one of them on some date, fewest levels first.
    """
    per_key = df.groupby(keys, sort=False)
    named = [c for c in columns if isinstance(c, str) and c not in keys
             and _lists_channels(c) and not _numeric_like(df[c])
             and 1 < df[c].nunique(dropna=True) <= 2 * MAX_CONTROL_LEVELS
             and (per_key[c].nunique(dropna=True) > 1).any()]
    return sorted(named, key=lambda c: df[c].nunique(dropna=True))


def _lists_channels(column: str) -> bool:
    """Whether a column is named like a long table's column of channel names."""
    return bool(_CHANNEL_LIST_NAMES.search(column) and not _GEO_NAMES.search(column))


def _looks_like_control(column: str, series: pd.Series) -> bool:
    # A medium's activity is no control, whatever it was bought for ("DisplayHoliday
    # Impression"); the activity of what was not bought is ("Organic Search Impressions").
    if not_spend_kind(column) in ACTIVITY_KINDS and not NOT_PAID.search(column):
        return False
    return bool(CONTROL_NAMES.search(column) or _is_binary(series))


def _plan_beside_spend(column: str, channels: list[str]) -> bool:
    """Whether ``column`` is a channel's budget beside that channel's spend ("tv.budget"
    beside "tv.spend"): the plan, not what was spent."""
    words = lower_words(column).split()
    if "budget" not in words:
        return False
    medium = [w for w in words if w not in _SPEND_WORDS]
    return any(other != column and "budget" not in lower_words(other).split()
               and EXPLICIT_SPEND.search(other)
               and [w for w in lower_words(other).split() if w not in _SPEND_WORDS] == medium
               for other in channels)


def _activity_totals(df: pd.DataFrame, channels: list[str], numeric: list[str]) -> set[str]:
    """The channels that are, on every row, the sum of columns named as activity: the
    activity's total ("Display" of "DisplayBrandingImpression" and the others), no spend."""
    activity = [c for c in numeric if NOT_SPEND.search(c) and c not in channels]
    if len(activity) < 2:
        return set()
    totals = totals_of_others(df, [*channels, *activity])
    return {total for total, parts in totals.items()
            if total in channels and all(part in activity for part in parts)}


def _numbers_read(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``df`` with those of its ``columns`` that the mapping reads as numbers (or names with
    the line that does) read as those numbers, so the suggestion judges them by their
    values (:func:`_as_numbers`)."""
    read = {c: numbers for c in columns if (numbers := _as_numbers(df[c], c)) is not None}
    return df.assign(**read) if read else df


def _as_numbers(series: pd.Series, column: str) -> pd.Series | None:
    """The numbers a column of objects or text holds, or None when it holds none.

    - Python number objects, as the data cell's ``astype('float64')`` reads them:
      ``decimal.Decimal`` values, which a database's NUMERIC columns read as
      (``pd.read_sql``);
    - amounts abbreviated by their scale (``'$91.7K'``), as the numbers they round to, by
      the line the mapping's problem gives to read them;
    - numbers written as text, as ``astype('float64')`` reads them: in scientific
      notation (``2.9669E+05``, a spreadsheet's wide number), and whole numbers where the
      name says they count money or activity (APIs write 64-bit integers as text:
      ``"costMicros": "1234000"``). Other whole numbers written as text (ids, zip codes,
      DMA codes) are left as they are.
    """
    if series.dtype == object and series.notna().any() and all(
            isinstance(value, numbers.Number) and not isinstance(value, bool)
            for value in series.dropna()):
        return series.astype("float64")
    if not (series.dtype == object or pd.api.types.is_string_dtype(series)):
        return None
    texts = series.dropna().astype(str)
    if not len(texts):
        return None
    if abbreviated(texts.unique()):
        return eval(abbreviated_code("series"), {"series": series})
    texts = texts.str.strip()
    plain = texts.str.fullmatch(_PLAIN_NUMBER)
    # numbers but for cells standing for none ('-', '#DIV/0!'): the mapping names those
    # cells with the line that reads them; left out here, the column would be left out
    # of the suggestion without a word
    if not plain.all() and (plain.sum() < len(plain) / 2
                            or not texts[~plain].map(is_placeholder).all()):
        return None
    words = lower_words(column)
    named = (SPEND_NAMES.search(column) or NOT_SPEND.search(column)
             or AUDIENCE.search(column)
             or CHANNEL_WORDS.search(words) or TARGET_WORDS & set(words.split()))
    if not (named or texts.str.contains("[eE]").any()):
        return None
    if plain.all():
        return series.astype("float64")
    return pd.to_numeric(series.astype("string").str.strip(), errors="coerce").astype("float64")


def _numeric_like(series: pd.Series) -> bool:
    return bool(pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series))


def _constant(series: pd.Series) -> bool:
    values = series.dropna().to_numpy(dtype=float)
    return len(values) == 0 or bool(values.min() == values.max())


def _is_binary(series: pd.Series) -> bool:
    if not _numeric_like(series):
        return False
    # Comparisons, not pd.unique: this runs on every column of wide, long tables.
    values = series.dropna().to_numpy(dtype=float)
    return len(values) > 0 and bool(((values == 0) | (values == 1)).all())


def _is_trend(df: pd.DataFrame, column: str, date: str | None) -> bool:
    """Whether a column counts the periods: 0..n-1 (or 1..n) in date order."""
    frame = df[[date, column]].drop_duplicates() if date is not None else df[[column]]
    if date is not None and frame[date].duplicated().any():
        return False
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    if len(values) < 3 or np.isnan(values).any():
        return False
    steps = np.diff(np.sort(values))
    return bool((steps == 1).all() and values.min() in (0.0, 1.0))


def _is_categorical(series: pd.Series, column: str) -> bool:
    """A text column with a few repeated levels (events, holidays, promotions); or, as a
    calendar of named days is, empty on most rows and named like events, with up to the
    levels a control may have (:data:`~mmm_widgets.steps.categorical.MAX_LEVELS`)."""
    distinct = series.nunique(dropna=True)
    if not 1 < distinct < len(series) / 2:
        return False
    if distinct <= MAX_CONTROL_LEVELS:
        return True
    nothing = series.isna() | series.astype(str).str.strip().str.lower().isin(NOTHING_LEVELS)
    return bool(distinct <= MAX_LEVELS and CONTROL_NAMES.search(column)
                and nothing.mean() >= 0.5)


def _regular(series: pd.Series, per_day: float = 1.0) -> bool:
    """Whether numbers step like the dates of daily, weekly or monthly rows.

    ``per_day`` numbers make a day (86,400 for Unix seconds); a timestamp's step may be an
    hour off a whole day, where a local midnight moves with daylight saving.
    """
    steps = np.diff(np.sort(pd.to_numeric(pd.Series(series)).dropna().unique()))
    if len(steps) == 0:
        return False
    days, hour = float(np.median(steps)) / per_day, 1 / 24 if per_day > 1 else 0.0
    return any(abs(days - d) <= hour for d in (1, 7)) or 28 - hour <= days <= 31 + hour
