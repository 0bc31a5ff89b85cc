"""Date parsing with an explicit, reportable format, and frequency detection."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mmm_widgets.steps.month_names import (
    in_language,
    month_languages,
    split_language,
    to_english,
    translation_code,
)

CANDIDATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%y",
    "%m/%d/%y",
    "%Y.%m.%d",
    "%d.%m.%y",
    # Timestamps, as APIs and spreadsheets write them: 2024-01-31T00:00:00(Z),
    # 2024-01-31 00:00:00+01:00, 01/31/2024 00:00 (an offset is dropped, the time as
    # written kept: a local export's offsets change with daylight saving; a timestamp
    # with a zone is read as the nearest day, see ZONED_FORMATS)
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    # ... with seconds and fractions, as databases, JavaScript (toISOString), BigQuery and
    # US-locale tools write them: 2024-01-31 00:00:00.000, 2024-01-31T00:00:00.000Z,
    # 2024-01-31 00:00:00 UTC, 01/31/2024 12:00:00 AM
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S UTC",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    # ... without seconds, as US-locale reports write them: 1/31/2024 12:00 AM,
    # Jan 31, 2024 12:00 AM
    "%m/%d/%Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    # Two-digit years with dashes: 31-01-24, 01-31-24
    "%d-%m-%y",
    "%m-%d-%y",
    # Month names: 31-Jan-2024, 31-Jan-24, 31 Jan 2024, Jan 31, 2024, January 31, 2024
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    # ... with the weekday: Wed, 31 Jan 2024; Wednesday, January 31, 2024; Wed 31 Jan 2024;
    # Wed Jan 31 2024 (JavaScript's toDateString)
    "%a, %d %b %Y",
    "%A, %B %d, %Y",
    "%a %d %b %Y",
    "%a %b %d %Y",
    # Months, as monthly exports name them: 2024-01, 01/2024, Jan 2024, January 2024, Jan-24
    "%Y-%m",
    "%Y/%m",
    "%m/%Y",
    "%b %Y",
    "%B %Y",
    "%b-%y",
    "%b-%Y",
    # ... as statistics offices write them: 2024-M01, 2024M01
    "%Y-M%m",
    "%YM%m",
    # ISO weeks, as analytics exports name weeks: 2024-W01, 2024W01, 2024 W01, W01 2024
    # (read as their Monday: see is_iso_week)
    "%G-W%V",
    "%GW%V",
    "%G W%V",
    "W%V %G",
    "W%V-%G",
    # ... with the weekday: 2024-W01-1
    "%G-W%V-%u",
    # Whole numbers, as retail and BI tables write a week or a month: 202401 (year and ISO
    # week; a month of the year in a monthly table, whose spacing settles which it is)
    "%G%V",
    "%Y%m",
)

#: An ISO week and its year behind a label naming weeks (``Week 1 2024``, ``KW 01/2024``,
#: German exports' Kalenderwoche): the formats tried after the label.
_LABELLED_WEEK_FORMATS = ("%V %G", "%V/%G", "%V-%G", "%V, %G", "%G %V", "%G/%V", "%G-%V")
_WEEK_LABEL = re.compile(r"(week|wk|kw|cw|w|woche|semaine|semana|settimana)\.?", re.I)
#: Formats that also read whole numbers (20240131, as Google Analytics writes a date;
#: 202401, a year and week): the column is read as text, since pandas will read numbers
#: as epochs.
DIGITS_FORMATS = ("%Y%m%d", "%G%V", "%Y%m")
#: A UTC offset (``Z``, ``+01:00``, ``-0500``) at the end of a timestamp.
OFFSET = r"(Z|[+-]\d{2}:?\d{2})$"
#: Formats of timestamps with a zone. Each is read as the nearest day: a day's data
#: written as its local midnight in UTC (JavaScript's toISOString in New York writes
#: 2024-03-04T05:00:00.000Z, then 2024-03-11T04:00:00.000Z once daylight saving starts;
#: Berlin's midnight is 23:00 the day before) would otherwise be off its day by hours
#: that change with daylight saving, and its weeks would not be 7 days apart. Noon stays
#: on its day (some APIs stamp a day at 12:00 UTC); later times go to the next midnight.
ZONED_FORMATS = tuple(f for f in CANDIDATE_FORMATS if f.endswith(("%z", " UTC")))
#: Code taking a Series of timestamps to the day each names (see ZONED_FORMATS).
TO_DAY = " - pd.Timedelta(hours=12)).dt.ceil('D')"

#: What separates the two ends of a period written as a range (``2024-01-01 - 2024-01-07``,
#: ``Jan 1, 2024 to Jan 7, 2024``). A format made of two equal formats joined by one of
#: these (``'%Y-%m-%d - %Y-%m-%d'``) reads each range as its first day.
RANGE_SEPARATORS = (" - ", " – ", " — ", " to ")

_FREQUENCIES = {1: "daily", 7: "weekly"}
#: The spacing of rows mostly less than a day apart (hourly exports): not modelled as such.
WITHIN_A_DAY = "within a day"

#: Periods in a quarter of a year, by the data's spacing: the default length of a
#: budget, a plan, the current run-rate, a hold-out and a cross-validation window.
PERIODS_PER_QUARTER = {"weekly": 13, "monthly": 3, "daily": 91}

#: Formats tried, once its month words are in English, on text naming months in another
#: language (``Mär 2024``, ``4. März 2024``, ``31 dic 2024``; see ``month_names``).
MONTH_NAME_FORMATS = ("%b %Y", "%b-%Y", "%b-%y", "%b %y", "%d %b %Y", "%d. %b %Y",
                      "%d-%b-%Y", "%d-%b-%y", "%d/%b/%Y", "%b %d, %Y", "%b %d %Y")

#: The ``date_format`` of Excel serial day numbers (days since 1899-12-30, as a
#: spreadsheet stores a date cell exported as a number).
EXCEL_SERIAL = "excel serial"
EXCEL_ORIGIN = "1899-12-30"
#: The ``date_format`` of Unix timestamps in seconds or milliseconds since 1970-01-01 UTC,
#: as databases and APIs export a time (1704067200 is 2024-01-01 00:00 UTC).
UNIX_SECONDS = "unix seconds"
UNIX_MILLISECONDS = "unix milliseconds"
#: The ``date_format`` of a column of pandas periods (``Period('2024-01', 'M')``, as
#: ``to_period`` and ``resample(kind='period')`` make them): each read as its first day.
PERIOD_START = "period start"
#: The ``date_format`` of datetimes with a time zone (``datetime64[ns, UTC]``, as a
#: database's ``timestamptz`` reads): each read as the day it names in its zone, the
#: nearest midnight, as zoned text is (:data:`ZONED_FORMATS`); pymc-marketing compares
#: its dates with zoneless ones.
ZONED_DATETIMES = "datetimes with a zone"


@dataclass(frozen=True)
class NumberDates:
    """Dates written as numbers: which numbers, and the code that reads them.

    Attributes
    ----------
    low, high : float
        The numbers of 1950-01-01 (2000-01-01 for timestamps) and 2100-01-01: a column of
        numbers outside the range is no such dates.
    per_day : float
        Numbers in a day (1 for day numbers, 86,400 for seconds).
    code : str
        Code reading ``{column}`` as datetimes; timestamps go to the day they name, the
        nearest midnight, as zoned text timestamps do (:data:`ZONED_FORMATS`).
    """

    low: float
    high: float
    per_day: float
    code: str


#: Every way of writing dates as numbers, by ``date_format``.
NUMBER_DATES = {
    EXCEL_SERIAL: NumberDates(
        18264, 73051, 1, f"pd.to_datetime(pd.to_numeric({{column}}), unit='D', "
                         f"origin={EXCEL_ORIGIN!r})"),
    UNIX_SECONDS: NumberDates(
        946_684_800, 4_102_444_800, 86_400,
        "(pd.to_datetime(pd.to_numeric({column}), unit='s') - pd.Timedelta(hours=12))"
        ".dt.ceil('D')"),
    UNIX_MILLISECONDS: NumberDates(
        946_684_800_000, 4_102_444_800_000, 86_400_000,
        "(pd.to_datetime(pd.to_numeric({column}), unit='ms') - pd.Timedelta(hours=12))"
        ".dt.ceil('D')"),
}


@dataclass(frozen=True)
class ParsedDates:
    """Outcome of parsing a column of dates.

    Attributes
    ----------
    values : pandas.Series
        Parsed datetimes (NaT where parsing failed).
    date_format : str or None
        The format that parsed the column: None for datetimes without a zone,
        :data:`PERIOD_START` and :data:`ZONED_DATETIMES` for periods and zoned datetimes.
    bad_rows : list
        Index labels whose value could not be parsed (missing values included).
    blank_rows : list
        The labels among ``bad_rows`` whose value is missing or empty.
    """

    values: pd.Series
    date_format: str | None
    bad_rows: list
    blank_rows: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every value parsed."""
        return not self.bad_rows


def parse_dates(series: pd.Series, date_format: str | None = None) -> ParsedDates:
    """Parse ``series`` as dates with ``date_format`` or the best candidate format.

    Without a format, every format in :data:`CANDIDATE_FORMATS` that parses all values
    is tried; when several do (``01/02/2024`` is ambiguous), the one that yields the most
    regular spacing wins, so day-first weekly data is read day-first.

    Parameters
    ----------
    series : pandas.Series
        Text or datetime values.
    date_format : str, optional
        A ``strftime`` format; when given, it alone is used.

    Returns
    -------
    ParsedDates
    """
    # whatever format was given: datetimes and periods carry their own
    carried = (PERIOD_START if is_period(series) else ZONED_DATETIMES
               if is_zoned(series) else None)
    if carried is not None or pd.api.types.is_datetime64_any_dtype(series):
        values = to_datetime(series, carried) if carried else pd.Series(series, copy=False)
        bad = list(series.index[values.isna()])
        return ParsedDates(values, carried, bad, bad)
    numbers = date_format if date_format in NUMBER_DATES else (
        number_dates_format(series) if date_format is None else None)
    if numbers is not None:
        return _parse_numbers(series, numbers)
    text = series.astype("string").str.strip()
    blank = text.isna() | (text == "")
    # A panel repeats each date once per geo: parsing the distinct texts only is what
    # keeps a 50-geo daily table fast.
    codes, uniques = pd.factorize(text.mask(blank))
    distinct = pd.Series(np.asarray(uniques, dtype=object), dtype="string")
    blank_rows = list(series.index[blank.to_numpy()])
    if date_format is not None:
        return _parse_with(distinct, codes, series.index, date_format, blank_rows)
    attempts = [_parse_with(distinct, codes, series.index, fmt, blank_rows)
                for fmt in (*CANDIDATE_FORMATS, *_written_around(distinct))]
    complete = [a for a in attempts if a.ok]
    if not complete:  # months named in another language?
        attempts += [_parse_with(distinct, codes, series.index, in_language(fmt, language),
                                 blank_rows)
                     for language in month_languages(distinct) for fmt in MONTH_NAME_FORMATS]
        complete = [a for a in attempts if a.ok]
    if complete:
        return min(complete, key=lambda a: _irregularity(a.values))
    return min(attempts, key=lambda a: len(a.bad_rows))


def is_period(series: pd.Series) -> bool:
    """Whether ``series`` holds pandas periods (read with :data:`PERIOD_START`)."""
    return isinstance(series.dtype, pd.PeriodDtype)


def is_zoned(series: pd.Series) -> bool:
    """Whether ``series`` holds datetimes with a zone, numpy's or Arrow's (read with
    :data:`ZONED_DATETIMES`)."""
    return bool(pd.api.types.is_datetime64_any_dtype(series)
                and getattr(series.dt, "tz", None) is not None)


def number_dates_format(series: pd.Series) -> str | None:
    """How a column of numbers writes dates (a key of :data:`NUMBER_DATES`), or None.

    Whole numbers (or text of them: a column that also held a report's ``Total`` row
    reads as text) within one way's range: Excel serial days, Unix seconds or
    milliseconds.

    Parameters
    ----------
    series : pandas.Series

    Returns
    -------
    str or None
    """
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return None
    present = series.dropna()
    if not pd.api.types.is_numeric_dtype(series):
        present = pd.to_numeric(present, errors="coerce")
        if present.isna().any():
            return None
    values = present.to_numpy(dtype=float)
    if not len(values) or not (values == np.round(values)).all():
        return None
    return next((name for name, way in NUMBER_DATES.items()
                 if values.min() >= way.low and values.max() <= way.high), None)


def range_format(date_format: str | None) -> tuple[str, str] | None:
    """The format of each end and the separator, when ``date_format`` reads ranges.

    Parameters
    ----------
    date_format : str or None

    Returns
    -------
    tuple of str, or None
        ``(end_format, separator)``; None for a format of single dates.

    Examples
    --------
    >>> range_format("%Y-%m-%d - %Y-%m-%d"), range_format("%d-%m-%Y")
    (('%Y-%m-%d', ' - '), None)
    """
    for separator in RANGE_SEPARATORS:
        start, found, end = (date_format or "").partition(separator)
        if found and start == end:
            return start, separator
    return None


def _written_around(distinct: pd.Series) -> list[str]:
    """Formats beyond the candidates for dates written inside other text.

    Every value a range (``2024-01-01 - 2024-01-07``): each candidate format twice, around
    the separator they share. Every value behind the same label (``Week of 2024-01-01``,
    ``W/C 01/01/2024``, ``Week Ending 01/07/2024``): each candidate after that label.
    """
    text = distinct.dropna()
    if not len(text):
        return []
    # (an ISO week's format gets its weekday added at the end: not inside a range)
    formats = [fmt for fmt in CANDIDATE_FORMATS if not is_iso_week(fmt)]
    for separator in RANGE_SEPARATORS:
        if text.str.count(separator).eq(1).all():
            return [f"{fmt}{separator}{fmt}" for fmt in formats]
    label = _shared_label(text)
    if not label:
        return []
    weeks = _LABELLED_WEEK_FORMATS if _WEEK_LABEL.fullmatch(label.strip()) else ()
    return [f"{label}{fmt}" for fmt in (*formats, *weeks)]


def _shared_label(text: pd.Series) -> str:
    """The words without digits every value starts with (or "").

    Up to their last space (``Week of ``, ``W/C ``); a word naming weeks also when a
    digit follows it at once (``KW`` of ``KW01/2024``).
    """
    # character by character is what is meant here (these are no paths)
    shared = os.path.commonprefix(list(text.str.casefold()))  # noqa: RUF071
    label = re.split(r"\d", str(text.iloc[0])[:len(shared)], maxsplit=1)[0]
    if not _WEEK_LABEL.fullmatch(label):
        label = label[:label.rfind(" ") + 1]
    if not label.strip():
        return ""
    return label.replace("%", "%%")


def is_iso_week(date_format: str | None) -> bool:
    """Whether ``date_format`` names an ISO week and its year, but not the day.

    Such a format is read as each week's Monday (``-1`` and ``-%u`` added to value and
    format, as strptime needs a weekday with ``%G`` and ``%V``).

    Parameters
    ----------
    date_format : str or None

    Returns
    -------
    bool
    """
    return bool(date_format) and "%G" in date_format and "%V" in date_format and not any(
        day in date_format for day in ("%u", "%a", "%A", "%w"))


def _parse_numbers(series: pd.Series, date_format: str) -> ParsedDates:
    values = _numbers_to_datetime(pd.to_numeric(series, errors="coerce"), date_format)
    bad = list(series.index[values.isna().to_numpy()])
    blank = list(series.index[series.isna().to_numpy()])
    return ParsedDates(values, date_format, bad, blank)


def _numbers_to_datetime(numbers: pd.Series, date_format: str) -> pd.Series:
    """:data:`NUMBER_DATES`' code for ``date_format``, run on ``numbers``: the code the
    export writes is the code that reads them here."""
    namespace = {"pd": pd, "numbers": numbers}
    return eval(NUMBER_DATES[date_format].code.format(column="numbers"), namespace)


def to_datetime_code(column: str, date_format: str | None) -> str:
    """The pandas expression that turns ``column`` (code) into datetimes.

    Every exported cell that reads the user's date column writes it with this, so text
    formats and dates written as numbers (Excel serials, Unix timestamps) are read the
    same way everywhere.

    Parameters
    ----------
    column : str
        Code of the column, e.g. ``"data['week_start']"``.
    date_format : str or None
        A ``strftime`` format (one naming months in another language as
        :func:`~mmm_widgets.steps.month_names.in_language` writes it), a key of
        :data:`NUMBER_DATES`, :data:`PERIOD_START`, :data:`ZONED_DATETIMES`, or None
        (already datetimes, or let pandas infer).

    Returns
    -------
    str
    """
    if date_format in NUMBER_DATES:
        return NUMBER_DATES[date_format].code.format(column=column)
    if date_format == PERIOD_START:
        return f"{column}.dt.start_time"
    if date_format == ZONED_DATETIMES:
        return f"(pd.to_datetime({column}.dt.tz_localize(None)){TO_DAY}"
    english, language = split_language(date_format)
    if language is not None:  # its month words in English first
        return to_datetime_code(f"({translation_code(column, language)})", english)
    ranged = range_format(date_format)
    if ranged is not None:  # a range: its first day
        end_format, separator = ranged
        return to_datetime_code(f"{column}.str.split({separator!r}, n=1).str[0]", end_format)
    as_text = f"{column}.astype('string')" if date_format in DIGITS_FORMATS else column
    if is_iso_week(date_format):  # the Monday of each ISO week
        return f"pd.to_datetime({as_text} + '-1', format={date_format + '-%u'!r})"
    # a timestamp with a zone: the day it names, the nearest (see ZONED_FORMATS)
    zoned = date_format in ZONED_FORMATS
    opened, to_day = ("(", TO_DAY) if zoned else ("", "")
    if date_format and date_format.endswith("%z"):  # the time as written, offset dropped
        return (f"{opened}pd.to_datetime({column}.str.replace({OFFSET!r}, '', regex=True), "
                f"format={date_format.removesuffix('%z')!r}){to_day}")
    parse = f", format={date_format!r}" if date_format else ""
    return f"{opened}pd.to_datetime({as_text}{parse}){to_day}"


def to_datetime(series: pd.Series, date_format: str | None) -> pd.Series:
    """Evaluate :func:`to_datetime_code` on a series (same rules, no code)."""
    if date_format in NUMBER_DATES:
        return _numbers_to_datetime(pd.to_numeric(series), date_format)
    if date_format in (PERIOD_START, ZONED_DATETIMES):  # the export's own code
        return eval(to_datetime_code("series", date_format), {"pd": pd, "series": series})
    return _text_to_datetime(series, date_format)


def _text_to_datetime(text: pd.Series, date_format: str | None,
                      errors: str = "raise") -> pd.Series:
    """``pd.to_datetime`` with ``date_format``; an ISO week read as its Monday, a range as
    its first day (a range whose end does not read, or comes before its start, reads as no
    date when ``errors="coerce"``), month names in another language in English first."""
    english, language = split_language(date_format)
    if language is not None:
        return _text_to_datetime(to_english(text, language), english, errors)
    ranged = range_format(date_format)
    if ranged is not None:
        end_format, separator = ranged
        ends = text.astype("string").str.split(separator, n=1)
        start = _text_to_datetime(ends.str[0], end_format, errors)
        if errors != "coerce":
            return start
        end = _text_to_datetime(ends.str[1], end_format, errors)
        return start.where(end >= start)
    if date_format in DIGITS_FORMATS:
        text = text.astype("string")
    if is_iso_week(date_format):
        return pd.to_datetime(text + "-1", format=f"{date_format}-%u", errors=errors)
    zoned = date_format in ZONED_FORMATS
    if date_format and date_format.endswith("%z"):
        text, date_format = text.str.replace(OFFSET, "", regex=True), date_format[:-2]
    parsed = pd.to_datetime(text, format=date_format, errors=errors)
    # the day each names: noon stays on its day (the same as TO_DAY's code)
    return (parsed - pd.Timedelta(hours=12)).dt.ceil("D") if zoned else parsed


def _parse_with(distinct: pd.Series, codes: np.ndarray, index: pd.Index, date_format: str,
                blank_rows: list) -> ParsedDates:
    parsed = _text_to_datetime(distinct, date_format, errors="coerce").to_numpy(
        dtype="datetime64[ns]")
    values = np.full(len(codes), np.datetime64("NaT"), dtype="datetime64[ns]")
    present = codes >= 0
    values[present] = parsed[codes[present]]
    series = pd.Series(values, index=index)
    return ParsedDates(series, date_format, list(index[np.isnat(values)]), blank_rows)


def formats_matching(text: str) -> list[str]:
    """The candidate formats that read ``text`` as a date (to explain mixed formats).

    Parameters
    ----------
    text : str
        One date as written in the data.

    Returns
    -------
    list of str
    """
    value = pd.Series([str(text).strip()], dtype="string")
    return [fmt for fmt in CANDIDATE_FORMATS
            if _text_to_datetime(value, fmt, errors="coerce").notna().all()]


def _irregularity(values: pd.Series) -> float:
    unique = np.sort(values.dropna().unique())
    if len(unique) < 3:
        return 0.0
    steps = np.diff(unique).astype("timedelta64[D]").astype(float)
    return float(np.std(steps))


def detect_frequency(dates: pd.Series) -> tuple[str, int | None]:
    """Name the spacing of ``dates`` and return it in days.

    Parameters
    ----------
    dates : pandas.Series
        Parsed datetimes (duplicates allowed).

    Returns
    -------
    tuple of (str, int or None)
        ``("weekly", 7)``, ``("daily", 1)``, ``("monthly", None)``,
        ``(WITHIN_A_DAY, None)`` for rows hours apart, ``("irregular", days)``, or
        ``("unknown", None)`` for fewer than two dates.
    """
    unique = np.sort(pd.Series(dates).dropna().unique())
    if len(unique) < 2:
        return "unknown", None
    steps = np.diff(unique).astype("timedelta64[D]").astype(int)
    step = int(np.median(steps))
    if step == 0:  # most rows less than a day apart: hours, minutes
        return WITHIN_A_DAY, None
    if step in _FREQUENCIES:
        return _FREQUENCIES[step], step
    if 28 <= step <= 31 and not (steps == 28).all():  # 28 days each: four-weekly periods
        return "monthly", None
    return "irregular", step


#: A quarter as tables write it: 2024Q1, 2024-Q1, Q1 2024, Q1/24, FY2024 Q1.
QUARTER = re.compile(r"(?i)(?:FY)?(?:\d{4}|\d{2})?[ /-]?Q[1-4](?:[ /-]?(?:FY)?(?:\d{4}|\d{2}))?")


def holds_quarters(series: pd.Series) -> bool:
    """Whether every value of ``series`` is text naming a quarter of a year (``2024-Q1``).

    The model takes days, weeks or months; a column of quarters is the table's time all
    the same, neither a date the model can take nor a control.
    """
    if not (series.dtype == object or pd.api.types.is_string_dtype(series)):
        return False
    texts = series.dropna().astype(str).str.strip()
    return bool(len(texts)) and bool(texts.str.fullmatch(QUARTER).all())


def periods_per_quarter(frequency: str) -> int:
    """Periods in a quarter of a year of data with this spacing.

    Parameters
    ----------
    frequency : str
        As :func:`detect_frequency` names it.

    Returns
    -------
    int
        13 weeks, 3 months or 91 days; 13 for any other spacing.
    """
    return PERIODS_PER_QUARTER.get(frequency, PERIODS_PER_QUARTER["weekly"])


def period_alias(frequency: str, dates: pd.DatetimeIndex) -> str:
    """The pandas frequency of regular ``dates`` spaced as :func:`detect_frequency` names.

    Parameters
    ----------
    frequency : str
        ``"daily"``, ``"weekly"`` or ``"monthly"``.
    dates : pandas.DatetimeIndex
        The dates, sorted: a week's weekday, or a month's first or last day, is theirs.

    Returns
    -------
    str
        ``"D"``, ``"W-MON"`` (weeks dated by their Monday), ``"MS"`` or ``"ME"``.
    """
    if frequency == "weekly":
        return f"W-{dates[0]:%a}".upper()
    if frequency == "monthly":
        return "MS" if dates.is_month_start.all() else "ME"
    return "D"


def true_runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of True in ``flags``."""
    edges = np.diff(np.r_[0, np.asarray(flags, dtype=bool).astype(int), 0])
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def longest_run(flags: np.ndarray) -> tuple[int, int]:
    """First and last position of the longest run of True in ``flags`` (the earliest of
    equal runs); ``(0, -1)`` when there is none."""
    runs = true_runs(flags)
    if not runs:
        return 0, -1
    start, stop = max(runs, key=lambda run: run[1] - run[0])
    return int(start), int(stop) - 1


def missing_dates(dates: pd.Series, spacing: int | str) -> list[pd.Timestamp]:
    """Dates absent from a regular grid between the first and last date.

    Parameters
    ----------
    dates : pandas.Series
        Parsed datetimes.
    spacing : int or str
        The grid's step: days, or a pandas frequency (``"MS"``: months' first days).

    Returns
    -------
    list of pandas.Timestamp
    """
    present = pd.DatetimeIndex(pd.Series(dates).dropna().unique()).sort_values()
    if len(present) < 2:
        return []
    freq = f"{spacing}D" if isinstance(spacing, int) else spacing
    grid = pd.date_range(present[0], present[-1], freq=freq)
    return list(grid.difference(present))
