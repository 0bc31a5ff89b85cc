"""Amounts written as text (``'$9,171.55'``, ``'1.234,56 €'``, ``'(1,200)'``) read as numbers.

Exports from finance tools and spreadsheets write money as text: a currency sign or code,
thousands separators (Switzerland's apostrophes, ``CHF 1'234.50``, and India's lakh
grouping, ``₹1,23,456.78``, too), accounting parentheses for a negative amount, a lone
dash for zero (``'$ -'``, as a spreadsheet's Accounting format shows 0). The data step reads
a mapped amount column (the target, a channel's spend, a numeric control, the value per
unit) as numbers when every value in it is such an amount in one format whose reading
is certain; the data cell's plain pandas code does it (:func:`amount_lines`), so the
export reads the file the same way. A column is left to the checks, which say how to
read it, when a value is not an amount (``'12%'``, ``'n/a'``; ``'1.5M'``, abbreviated by
its scale and rounded, gets the line that reads it: :func:`abbreviated_code`) or when its
values read differently with a decimal point and with a decimal comma (only values
such as ``'1,234'``: one thousand two hundred and thirty-four, or one point two three
four). Such a column is read as grouped in thousands when its other values are whole numbers
of two or three digits (``'$4,836'`` beside ``'$288'``: a number format groups the
thousands of every amount from 1,000 on, while three decimals on some amounts only would
be no format), or when every other amount column of the table that says its mark says
the same one (one export, one locale). A lone dash is zero only in a column written in
such a format (a currency, parentheses or thousands separators); beside plain numbers it
may mean a missing value.

A control may be a rate written as a percentage (``'12%'``, ``'3,5 %'``: a discount, an
unemployment rate); it is read as the fraction it says (0.12). Spend, the target and the
value per unit are amounts, so a percentage there still stops.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.base import Params, ran_on_copy
from mmm_widgets.steps.currencies import CURRENCY

#: The decimal marks an amount can use.
DECIMAL_MARKS = (".", ",")

#: Spaces, and the apostrophes Switzerland groups thousands with (1'234.50, 1’234.50).
_SPACES = re.compile(r"[\s\u00a0\u202f'\u2019]")
_DIGITS = re.compile(r"-?\d+")
#: An amount once currency and spaces are gone, for each decimal mark: digits grouped in
#: threes by the other mark (India's lakhs and crores: the last three, then pairs,
#: 1,23,45,678.90), or not grouped, then decimals.
_SHAPES = {".": re.compile(r"-?(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})+,\d{3}|\d+)(\.\d+)?"),
           ",": re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")}
#: A percentage once spaces are gone: 12%, -3.5%, 3,5%.
_PERCENT = re.compile(r"[-\u2212]?\d+([.,]\d+)?%")
#: Zero as an Accounting format writes it, once currency and spaces are gone.
ZERO_DASH = "-"
#: Signs that a value was written by a number format: thousands grouped, parentheses.
_FORMATTED = re.compile(r"\d[,.]\d{3}(?!\d)|^\(.*\)$")


@dataclass(frozen=True)
class TextAmounts(Params):
    """A mapped column whose amounts are written as text.

    Attributes
    ----------
    column : str
        The column.
    decimal : {".", ","}
        Its decimal mark; the other mark (and spaces) separates thousands.
    percent : bool
        The values are percentages (``'12%'``), read as fractions (0.12).
    """

    column: str
    decimal: str
    percent: bool = False


def find_text_amounts(frame: pd.DataFrame, columns: Iterable[str],
                      rates: Iterable[str] = ()) -> dict[str, TextAmounts]:
    """The ``columns`` of ``frame`` whose every value is an amount written as text.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw (wide) table.
    columns : iterable of str
        The columns that must hold numbers (target, channels, controls, value per unit).
    rates : iterable of str
        The columns among them that may hold percentages instead (the controls).

    Returns
    -------
    dict
        ``{column: TextAmounts}`` in the order of ``columns``; columns that already hold
        numbers, hold other text, or read two ways are left out.

    Examples
    --------
    >>> frame = pd.DataFrame({"tv": ["$1,200.50", "(300)"], "events": ["na", "sale"]})
    >>> find_text_amounts(frame, ["tv", "events"])
    {'tv': TextAmounts(column='tv', decimal='.', percent=False)}
    """
    found, undecided = {}, []
    columns, rates = list(columns), set(rates)  # read twice below: a generator would be spent
    for column in columns:
        if column not in frame.columns or frame.columns.tolist().count(column) != 1:
            continue
        marks = possible_marks(frame[column])
        if len(marks) == 1:
            found[column] = TextAmounts(column, marks[0])
        elif marks:
            undecided.append(column)
        elif column in rates and (decimal := percent_mark(frame[column])) is not None:
            found[column] = TextAmounts(column, decimal, percent=True)
    said = {amounts.decimal for amounts in found.values()}
    if undecided and len(said) == 1:
        found.update({column: TextAmounts(column, *said) for column in undecided})
        found = {column: found[column] for column in columns if column in found}
    return found


def percent_mark(series: pd.Series) -> str | None:
    """The decimal mark of a text column of percentages (``'12%'``, ``'3,5 %'``), or None.

    None when a value is not a percentage or the column mixes decimal marks.
    """
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    present = [str(v) for v in series.dropna().unique()]
    if not present or not all(_PERCENT.fullmatch(_SPACES.sub("", v)) for v in present):
        return None
    marks = {mark for mark in DECIMAL_MARKS for v in present if mark in v}
    return None if len(marks) > 1 else next(iter(marks), ".")


def decimal_mark(series: pd.Series) -> str | None:
    """The decimal mark of a text column of amounts, or None when it is not one.

    None also when the column already holds numbers, holds only bare digits, or reads
    as different numbers with either mark (see :func:`possible_marks`).
    """
    marks = possible_marks(series)
    return marks[0] if len(marks) == 1 else None


def possible_marks(series: pd.Series) -> tuple[str, ...]:
    """The decimal marks a text column of amounts may be written with.

    Parameters
    ----------
    series : pandas.Series
        A raw column.

    Returns
    -------
    tuple of str
        One mark when the reading is certain; both (``(".", ",")``) when the amounts read
        as different numbers with each and nothing in the column tells which (only
        ``'1,234'``-like values beside none of two or three digits, see
        :func:`_grouping_mark`); none when the column holds numbers, bare digits or
        anything but amounts.
    """
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return ()
    present = series.dropna().unique()  # each value once: a panel repeats them
    if not len(present) or not any(isinstance(v, str) for v in present):
        return ()
    # Text of bare digits is more often a code (a zip code, an id) than an amount.
    if all(_DIGITS.fullmatch(str(v).strip()) for v in present):
        return ()
    texts = [str(v) for v in present]
    core = [_core(text) for text in texts]
    if not all(core):
        return ()
    amounts = [c for c in core if c != ZERO_DASH]
    if not amounts or (len(amounts) < len(core) and not _formatted(texts)):
        return ()
    readings = {mark: [_read(c, mark) for c in amounts] for mark in DECIMAL_MARKS
                if all(_SHAPES[mark].fullmatch(c) for c in amounts)}
    if len(readings) == 2 and readings["."] != readings[","]:
        grouping = _grouping_mark(amounts)
        return DECIMAL_MARKS if grouping is None else tuple(
            mark for mark in DECIMAL_MARKS if mark != grouping)
    return tuple(readings)[:1]


def _grouping_mark(amounts: list[str]) -> str | None:
    """The mark that groups thousands in ``amounts`` that read two ways, or None.

    Amounts that read two ways write one mark, always followed by three digits
    (``'4,836'``); the others are bare digits. When some of those have two or three
    digits and none more (``'288'``), the mark groups thousands: a number format writes
    it in every amount from 1,000 on, and no format gives three decimals to some amounts
    and none to the others.
    """
    written = {mark for mark in DECIMAL_MARKS for amount in amounts if mark in amount}
    if len(written) != 1:
        return None
    mark = written.pop()
    bare = [amount.lstrip("-") for amount in amounts if mark not in amount]
    if bare and all(len(digits) <= 3 for digits in bare) and any(
            len(digits) >= 2 for digits in bare):
        return mark
    return None


def _formatted(texts: list[str]) -> bool:
    """Whether any of ``texts`` was written by a number format (currency, grouping, ())."""
    return any(CURRENCY.search(text) or _FORMATTED.search(text.strip()) for text in texts)


def _core(text: str) -> str:
    """``text`` without currency and spaces, a parenthesised amount as a negative one."""
    core = _SPACES.sub("", CURRENCY.sub("", text.strip())).replace("\u2212", "-")
    if core.startswith("(") and core.endswith(")"):
        core = "-" + core[1:-1]
    return core


def _read(core: str, mark: str) -> float:
    other = "," if mark == "." else "."
    return float(core.replace(other, "").replace(mark, "."))


def amount_lines(data: str, amounts: Iterable[TextAmounts]) -> list[str]:
    """Pandas code turning each column of ``amounts`` in ``data`` into number text.

    The data cell's ``astype('float64')`` then reads them. Per column: currency signs
    and codes, spaces and the thousands separator removed, ``(1,200)`` made ``-1200``,
    a lone dash made ``0``, a decimal comma made a point; missing values stay missing. The
    code binds no name (a lambda), so it cannot overwrite one of the user's.

    Parameters
    ----------
    data : str
        Name of the frame in the cell.
    amounts : iterable of TextAmounts

    Returns
    -------
    list of str
    """
    by_mark: dict[tuple[str, bool], list[str]] = {}
    for found in amounts:
        by_mark.setdefault((found.decimal, found.percent), []).append(found.column)
    lines = []
    for (mark, percent), columns in by_mark.items():
        selected = f"{data}[{literal(columns)}]"
        if percent:
            comma = ".str.replace(',', '.')" if mark == "," else ""
            lines += [
                "# Percentages read as the fractions they say: '12%' is 0.12",
                f"{selected} = {selected}.apply(",
                "    lambda rates: rates.astype('string').str.replace('\\u2212', '-')",
                f"    .str.replace(r'[%\\s]', '', regex=True){comma}.astype('float64') / 100)",
            ]
            continue
        lines += [
            f"# Amounts written as text{' with a decimal comma' if mark == ',' else ''}: "
            "currency, spaces and thousands separators removed, (1,200) is -1200, "
            "a lone - is 0",
            f"{selected} = {selected}.apply(",
            f"    lambda amounts: {amount_text('amounts', mark)})",
        ]
    return lines


def amount_text(series: str, decimal: str, wrapped: bool = True) -> str:
    """The pandas expression turning the text amounts ``series`` (code) into number text.

    Parameters
    ----------
    series : str
        Code of a Series of text amounts.
    decimal : {".", ","}
        Their decimal mark.
    wrapped : bool
        Break the expression over lines, for a cell (one line, for a problem's fix).

    Returns
    -------
    str
    """
    keep = r"[^0-9.\-]" if decimal == "." else r"[^0-9,\-]"
    comma = ".str.replace(',', '.')" if decimal == "," else ""
    # Currency and spaces go first: the Accounting format writes "$ (12.50)" for -12.5.
    brk = "\n    " if wrapped else ""
    return (f"{series}.astype('string').str.replace('\\u2212', '-')"
            f"{brk}.str.replace(r'[^0-9.,()\\-]', '', regex=True)"
            ".str.replace(r'^\\((.*)\\)$', r'-\\1', regex=True)"
            f"{brk}.str.replace(r'{keep}', '', regex=True).str.replace(r'^-$', '0', regex=True)"
            f"{comma}")


#: An amount abbreviated by its scale, once currency and spaces are gone: 91.7K, 1.02M,
#: 3.4bn, 1.2MM (finance's million), or written in full beside such (950).
_ABBREVIATED = re.compile(r"-?\d+(\.\d+)?(k|m|mm|mn|b|bn)?", re.I)
#: A comma other than one before a group of three digits: a decimal comma.
_DECIMAL_COMMA = re.compile(r",(?!\d{3}(?!\d))")
#: Each abbreviation's scale, as the read's code maps it (upper case).
SCALES = {"K": 1e3, "M": 1e6, "MM": 1e6, "MN": 1e6, "B": 1e9, "BN": 1e9}


def abbreviated(texts: Iterable[str]) -> bool:
    """Whether ``texts`` are amounts abbreviated by their scale (``'$91.7K'``, ``'1.02M'``).

    Every text is such an amount or a plain one, with a decimal point, and at least one
    carries a scale. They are not read as numbers on their own: each is rounded (to the
    digits shown), so the column's fix says so and gives the line that reads them.

    Parameters
    ----------
    texts : iterable of str

    Returns
    -------
    bool
    """
    cores = [_SPACES.sub("", CURRENCY.sub("", str(text))) for text in texts]
    if any(_DECIMAL_COMMA.search(c) for c in cores):  # 1,2K: the read would drop the comma
        return False
    cores = [c.replace(",", "") for c in cores]
    return bool(cores) and all(_ABBREVIATED.fullmatch(c) for c in cores) and any(
        c[-1].isalpha() for c in cores)


def abbreviated_code(series: str) -> str:
    """The pandas expression reading the abbreviated amounts ``series`` (code) as numbers.

    Parameters
    ----------
    series : str
        Code of a Series of amounts such as ``'$91.7K'`` and ``'1.02M'``.

    Returns
    -------
    str
    """
    return (f"{series}.astype('string').str.upper().str.replace(',', '')"
            r".str.extract(r'(-?\d+(?:\.\d+)?)\s*(K|MM|MN|M|BN|B)?\b')"
            f".pipe(lambda parts: parts[0].astype('float64') "
            f"* parts[1].map({SCALES!r}).astype('float64').fillna(1.0))")


def with_amounts_read(frame: pd.DataFrame, amounts: Mapping[str, TextAmounts]) -> pd.DataFrame:
    """``frame`` with its text amounts as float64, by :func:`amount_lines`' own code.

    Used where the raw table is inspected (the checks, the suggested roles) so that they
    see the numbers the data cell will make.
    """
    if not amounts:
        return frame
    read = ran_on_copy("amounts written as text", amount_lines("data", amounts.values()),
                       frame)
    columns = list(amounts)
    read[columns] = read[columns].astype("float64")
    return read

