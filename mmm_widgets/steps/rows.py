"""Rows of a report that are not periods: empty rows, summary rows (``'Total'``), units.

Spreadsheet exports end with empty rows and a totals row, reports put subtotals between
quarters, geo exports add a ``Total`` (or ``All``) geo beside the real ones, which would
count every sale twice, and a sheet with a second header row of units (``EUR``, ``USD``,
``#``) writes it as the first row of data. None of them is a period of a geo, so the data
cell leaves them out (:func:`dropped_rows_lines`) when the mapped table has them: a row
whose mapped columns are all empty, a row whose date or geo cell is a summary label
(:data:`SUMMARY_LABEL`), a row with neither a date nor a digit in any mapped cell, and the
rows after the last one with a value (a report's notes: ``Source: Ads Manager``). Every
other row goes to the checks, which name what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.base import ran_on_copy
from mmm_widgets.wording import listed

#: What a summary row's date cell starts with (case ignored): no date starts so.
SUMMARY_LABEL = r"(total|totals|subtotal|sum|grand total|all|average|avg|mean)\b"
#: What a summary geo is called, the whole cell (case ignored): a geo may start with
#: such a word ("All Saints"), so only these names are left out.
GEO_SUMMARY_LABEL = (r"(total|totals|grand total|all)( (geos|regions|markets|countries|dmas"
                     r"|stores|areas|territories|states|cities))?$")
#: The kinds of row the data cell can leave out: empty, a summary label in the date cell,
#: one in the geo cell, no date and no number (a row of units under the header), no value
#: after the last value (a report's notes at its end).
EMPTY, SUMMARY_DATE, SUMMARY_GEO, UNDATED_TEXT = "empty", "summary", "summary geo", "text"
NOTES = "notes"


@dataclass(frozen=True)
class NonPeriodRows:
    """The rows of a mapped table that are not periods.

    Attributes
    ----------
    empty : tuple
        Labels of the rows whose mapped columns are all empty.
    summary, summary_geo : tuple
        Labels of the rows whose date cell, or else whose geo cell, is a summary label.
    shown, shown_geo : tuple of str
        Those cells, as written.
    undated_text : tuple
        Labels of the rows without a date and without a digit in any mapped cell.
    shown_text : tuple of str
        The text of the first of them, its cells joined.
    notes : tuple
        Labels of the rows after the last one with a value (besides its date and geo).
    shown_notes : tuple of str
        Their cells, joined.
    positions : tuple of int
        Where all these rows are in the table.
    kinds : tuple of str
        The kinds found, for :func:`dropped_rows_lines`.
    """

    empty: tuple[Hashable, ...] = ()
    summary: tuple[Hashable, ...] = ()
    shown: tuple[str, ...] = ()
    summary_geo: tuple[Hashable, ...] = ()
    shown_geo: tuple[str, ...] = ()
    undated_text: tuple[Hashable, ...] = ()
    shown_text: tuple[str, ...] = ()
    notes: tuple[Hashable, ...] = ()
    shown_notes: tuple[str, ...] = ()
    positions: tuple[int, ...] = ()
    kinds: tuple[str, ...] = ()

    def describe(self) -> str:
        """A sentence naming the rows left out, or ``""`` when there are none."""
        parts = []
        if self.empty:
            parts.append(f"{_count(len(self.empty), 'empty row')} ({_rows(self.empty)})")
        if self.summary:
            parts.append(f"{_count(len(self.summary), 'summary row')} "
                         f"({_rows(self.summary)}: {_texts(self.shown)})")
        if self.summary_geo:
            parts.append(f"{_count(len(self.summary_geo), 'row')} of the geo "
                         f"{_texts(self.shown_geo)}, a sum of the others "
                         f"({_rows(self.summary_geo)})")
        if self.undated_text:
            parts.append(f"{_count(len(self.undated_text), 'row')} without a date or a "
                         f"number ({_rows(self.undated_text)}: {_texts(self.shown_text)})")
        if self.notes:
            parts.append(f"{_count(len(self.notes), 'row')} of notes after the last values "
                         f"({_rows(self.notes)}: {_texts(self.shown_notes)})")
        if not parts:
            return ""
        listed = " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
        return f"Rows that are not periods were left out: {listed}."


def _texts(shown: Sequence[str]) -> str:
    return " or ".join(repr(t) for t in dict.fromkeys(shown))


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _rows(labels: Sequence[Hashable], shown: int = 5) -> str:
    return f"row{'' if len(labels) == 1 else 's'} {listed([str(x) for x in labels], shown)}"


def dropped_rows_lines(data: str, date: str, geo: str | None,
                       kinds: Sequence[str]) -> list[str]:
    """Pandas code leaving the rows of ``kinds`` out of the mapped frame ``data``.

    Parameters
    ----------
    data : str
        Name of the frame in the cell; it holds the mapped columns only.
    date, geo : str
        Its date and geo columns (geo None for a national table).
    kinds : sequence of {"empty", "summary", "summary geo", "text", "notes"}

    Returns
    -------
    list of str
    """
    if not kinds:
        return []
    lines = ["# Rows that are not periods: empty rows, a report's summary rows ('Total'), "
             "rows of text without a date (units: 'EUR'), notes after the last values"]
    if EMPTY in kinds:
        lines.append(f"{data} = {data}.dropna(how='all')")
    if UNDATED_TEXT in kinds:
        dated = f"{data}[{literal(date)}].astype('string').str.strip().fillna('') != ''"
        lines += [f"{data} = {data}[({dated})",
                  f"    | {data}.astype('string').apply(lambda cells: cells.str.contains("
                  r"r'\d', na=False)).any(axis=1)]"]
    for kind, column, label in ((SUMMARY_DATE, date, SUMMARY_LABEL),
                                (SUMMARY_GEO, geo, GEO_SUMMARY_LABEL)):
        if kind in kinds and column is not None:
            lines.append(f"{data} = {data}[~{data}[{literal(column)}].astype('string')"
                         f".str.strip().str.match({literal('(?i)' + label)}, na=False)]")
    if NOTES in kinds:  # the rows up to the last with a value besides its date and geo
        keys = [date, *([geo] if geo else [])]
        lines.append(f"{data} = {data}[{data}.drop(columns={literal(keys)}).notna()"
                     ".any(axis=1)[::-1].cummax()[::-1]]")
    return lines


def find_non_period_rows(frame: pd.DataFrame, columns: Sequence[str], date: str,
                         geo: str | None = None) -> NonPeriodRows:
    """The rows of ``frame`` that :func:`dropped_rows_lines` leaves out, by its own code.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw (wide) table.
    columns : sequence of str
        The mapped columns present in ``frame``.
    date, geo : str
        The date and geo columns (geo None for a national table).

    Returns
    -------
    NonPeriodRows
    """
    # A duplicated name is the checks' to report (it selects several columns).
    columns = [c for c in columns if frame.columns.tolist().count(c) == 1]
    if date not in columns or frame.empty:
        return NonPeriodRows()
    geo = geo if geo in columns else None
    mapped = frame[list(columns)]
    empty = _left_out(mapped, date, geo, (EMPTY,))
    by_date = _left_out(mapped, date, geo, (SUMMARY_DATE,)) & ~empty
    by_geo = _left_out(mapped, date, geo, (SUMMARY_GEO,)) & ~empty & ~by_date
    # Only a row without a date can be one of text: the code runs on those rows alone, as
    # it decides row by row (a large table has none, and text on all of it is slow).
    undated = np.flatnonzero(blank_cells(mapped[date]))
    text = np.zeros(len(mapped), dtype=bool)
    if len(undated):
        text[undated] = _left_out(mapped.iloc[undated], date, geo, (UNDATED_TEXT,))
    text &= ~empty & ~by_date & ~by_geo
    # Notes follow the last value once the rows above are gone, as in the data cell.
    notes = np.zeros(len(mapped), dtype=bool)
    kept = np.flatnonzero(~(empty | by_date | by_geo | text))
    if len(kept) and len(mapped.columns) > 1 + (geo is not None):
        rest = mapped if len(kept) == len(mapped) else mapped.iloc[kept]
        notes[kept] = _left_out(rest, date, geo, (NOTES,))
    found = {EMPTY: empty.any(), SUMMARY_DATE: by_date.any(), SUMMARY_GEO: by_geo.any(),
             UNDATED_TEXT: text.any(), NOTES: notes.any()}

    def cells(column: str | None, rows: np.ndarray) -> tuple[str, ...]:
        return tuple(str(v).strip() for v in mapped[column].to_numpy()[rows]) if column else ()

    return NonPeriodRows(empty=tuple(frame.index[empty]), summary=tuple(frame.index[by_date]),
                         shown=cells(date, by_date), summary_geo=tuple(frame.index[by_geo]),
                         shown_geo=cells(geo, by_geo), undated_text=tuple(frame.index[text]),
                         shown_text=_joined(mapped, text), notes=tuple(frame.index[notes]),
                         shown_notes=_joined(mapped, notes, every=True),
                         positions=tuple(int(i) for i in np.flatnonzero(
                             empty | by_date | by_geo | text | notes)),
                         kinds=tuple(kind for kind, present in found.items() if present))


#: Cells that stand for a missing value in tables as they are exported (compared lower-case).
PLACEHOLDERS = frozenset({"", "-", "--", "\u2013", "\u2014", "n/a", "na", "nan", "null",
                          "none", "?", ".", "missing"})
#: A spreadsheet formula's error, as Excel, Google Sheets and LibreOffice write it in a cell
#: and export it: ``#DIV/0!``, ``#REF!``, ``#N/A``, ``#VALUE!``, ``Err:502``.
FORMULA_ERROR = re.compile(r"#(div/0!|ref!|n/a|n/a n/a|na|value!|name\?|num!|null!|spill!|calc!|"
                           r"error!|getting_data)|err:\d{3}", re.I)
#: Dashes, as an accounting number format writes 0.
DASHES = frozenset({"-", "--", "\u2013", "\u2014"})


def is_placeholder(text: str) -> bool:
    """Whether a cell's text stands for no value: a placeholder (:data:`PLACEHOLDERS`) or a
    formula's error (:data:`FORMULA_ERROR`).

    Examples
    --------
    >>> [is_placeholder(t) for t in ("#DIV/0!", " - ", "N/A", "Err:502", "0", "TV")]
    [True, True, True, True, False, False]
    """
    text = str(text).strip()
    return text.lower() in PLACEHOLDERS or FORMULA_ERROR.fullmatch(text) is not None


def blank_cells(cells: pd.Series) -> np.ndarray:
    """Which cells are missing or empty text."""
    blank = cells.isna().to_numpy().copy()
    if cells.dtype == object or pd.api.types.is_string_dtype(cells):
        blank |= cells.astype("string").str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    return blank


def _joined(mapped: pd.DataFrame, rows: np.ndarray, every: bool = False) -> tuple[str, ...]:
    """The first of ``rows`` (or the first five, ``every``), its non-empty cells joined:
    ``"EUR, EUR, units"``."""
    first = mapped.iloc[np.flatnonzero(rows)[:5 if every else 1]].to_numpy()
    return tuple(", ".join(str(v).strip() for v in row if pd.notna(v) and str(v).strip())
                 for row in first)


#: A name pandas gives a column whose header repeats another's (``TV.1`` beside ``TV``).
_REPEATED_NAME = re.compile(r"(.+)\.\d+")


def second_header(frame: pd.DataFrame) -> tuple[str, ...] | None:
    """The cells of ``frame``'s first row when it is a second header row, else None.

    A sheet whose header spans two rows (``TV`` over ``Spend`` and ``GRPs``) reads with
    its first row as the header: pandas names a repeated header ``TV.1`` and an empty one
    ``Unnamed: 2``, and the second row becomes the first row of data. It is one when it
    holds no digit, at least two cells of text, and names what such a column holds (a
    table whose columns are mostly unnamed has a title above its header instead). Leaving
    it out, as a row of units is, would lose which column is which.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    tuple of str or None
    """
    names = [str(name) for name in frame.columns]
    # Mostly unnamed: a title above the header, which is then the first row of data.
    if frame.empty or 2 * sum(name.startswith("Unnamed:") for name in names) >= len(names):
        return None
    cells = ["" if pd.isna(v) else str(v).strip() for v in frame.iloc[0].to_numpy()]
    filled = [cell for cell in cells if cell]
    if len(filled) < 2 or any(re.search(r"\d", cell) for cell in filled):
        return None
    told_apart = [cell for name, cell in zip(names, cells, strict=True) if cell and (
        name.startswith("Unnamed:") or ((m := _REPEATED_NAME.fullmatch(name)) is not None
                                        and m.group(1) in names))]
    return tuple(cells) if told_apart else None


def without_non_period_rows(frame: pd.DataFrame, found: NonPeriodRows) -> pd.DataFrame:
    """``frame`` without the rows ``found`` (by position, so any index works)."""
    if not found.positions:
        return frame
    kept = np.ones(len(frame), dtype=bool)
    kept[list(found.positions)] = False
    return frame[kept]


def _left_out(mapped: pd.DataFrame, date: str, geo: str | None,
              kinds: Sequence[str]) -> np.ndarray:
    """Which rows (by position) the code of ``kinds`` leaves out."""
    left = ran_on_copy("rows that are not periods", dropped_rows_lines("data", date, geo, kinds),
                       mapped.reset_index(drop=True))
    kept = np.zeros(len(mapped), dtype=bool)
    kept[left.index.to_numpy()] = True
    return ~kept
