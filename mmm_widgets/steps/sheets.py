"""Workbooks that hold one table per sheet (a sheet per market, say).

``pd.read_excel`` reads the first sheet unless told otherwise, so a workbook with a sheet
per geo would silently lose every geo but the first. :func:`sheets_like_the_first` finds
such sheets; :func:`stacking_lines` writes the code that reads them all, one under another,
each row's sheet in the column :data:`SHEET_COLUMN` (to map as the geo).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from mmm_widgets.codegen import literal

#: The column naming each row's sheet when every sheet is read.
SHEET_COLUMN = "sheet"
#: The data panel's choice of the sheets with the first one's columns, stacked.
ALIKE_SHEETS = "all like the first"
#: The share of the larger sheet's columns two sheets must have in common to be alike.
ALIKE_SHARE = 2 / 3
#: pandas' reader of each kind of workbook, named in every read: openpyxl for .xlsx (pandas
#: warns that its default will change), python-calamine (a dependency of the kit) for the
#: kinds whose other readers (xlrd, pyxlsb, odfpy) are not installed with it.
ENGINES = {".xlsx": "openpyxl", ".xlsm": "openpyxl", ".xls": "calamine", ".xlsb": "calamine",
           ".ods": "calamine"}


def reads_every_sheet(read_options: dict[str, Any]) -> bool:
    """Whether these ``pd.read_excel`` options read several sheets (a dict of frames).

    Parameters
    ----------
    read_options : dict
        The source's keyword arguments of ``pd.read_excel``.

    Returns
    -------
    bool
        True for ``sheet_name=None`` (every sheet) or a list of sheets.
    """
    return "sheet_name" in read_options and (read_options["sheet_name"] is None
                                             or isinstance(read_options["sheet_name"], list))


def stacking_lines(name: str) -> list[str]:
    """Code turning ``name``, a dict of frames by sheet, into one frame with their rows.

    Parameters
    ----------
    name : str
        The variable that holds what ``pd.read_excel(..., sheet_name=None)`` returned.

    Returns
    -------
    list of str
    """
    column = literal(SHEET_COLUMN)
    return [f"# The sheets read, one under another; each row's sheet in the column {column}",
            f"{name} = pd.concat({name}, names=[{column}, None]).reset_index(level={column})"
            ".reset_index(drop=True)"]


def workbook_engine(path: Path, engine: str | None = None) -> str | None:
    """pandas' reader for the workbook at ``path``: ``engine`` when given, else the one of
    its kind (:data:`ENGINES`), else None (pandas' default)."""
    return engine or ENGINES.get(Path(path).suffix.lower())


def sheet_names(path: Path) -> list[str]:
    """The names of a workbook's sheets, in order; none for a file that is no workbook
    (reading it as one then says what is wrong: ``source.read_source``)."""
    try:
        with pd.ExcelFile(path, engine=workbook_engine(path)) as workbook:
            return [str(sheet) for sheet in workbook.sheet_names]
    except Exception:  # a text file named .xlsx, a damaged workbook: no sheets to offer
        return []


def stacked_sheets_option(path: Path, alike: list[str]) -> list[str] | None:
    """The ``sheet_name`` reading ``alike``: None when they are every sheet, else the list."""
    return None if alike == sheet_names(path) else list(alike)


def sheets_like_the_first(path: Path, read_options: dict[str, Any]) -> list[str]:
    """The names of a workbook's sheets when two or more hold tables like the first's.

    A sheet is like the first when it has the same columns in any order (pandas stacks
    them by name), or most of them: the first's first column (the dates, as a rule), at
    least three columns in common and two thirds of the larger sheet's, as when one
    market buys a channel the others do not.

    Parameters
    ----------
    path : Path
        The workbook.
    read_options : dict
        The options it is read with (``skiprows``, ``header``); ``sheet_name`` is ignored.

    Returns
    -------
    list of str
        Every sheet like the first, the first included; empty when no other is (the others
        being notes, a chart's data or a summary).
    """
    headers = _sheet_headers(path, read_options)
    if len(headers) < 2:
        return []
    first = next(iter(headers.values()))
    alike = [sheet for sheet, columns in headers.items() if _alike(columns, first)]
    return alike if len(alike) >= 2 and first else []


def missing_columns(path: Path, read_options: dict[str, Any]) -> dict[str, list[str]]:
    """The columns each sheet read lacks, of those the others have (none when all agree).

    Parameters
    ----------
    path : Path
        The workbook.
    read_options : dict
        The options it is read with, ``sheet_name`` the sheets stacked
        (:func:`reads_every_sheet`).

    Returns
    -------
    dict
        Sheet name -> the columns of the stacked table it does not have, in table order.
    """
    headers = _sheet_headers(path, read_options)
    chosen = read_options.get("sheet_name")
    if isinstance(chosen, list):
        headers = {sheet: headers[sheet] for sheet in map(str, chosen) if sheet in headers}
    every = list(dict.fromkeys(c for columns in headers.values() for c in columns))
    missing = {sheet: [c for c in every if c not in columns]
               for sheet, columns in headers.items()}
    return {sheet: lacking for sheet, lacking in missing.items() if lacking}


def missing_note(missing: dict[str, list[str]]) -> str:
    """What stacking sheets with different columns leaves empty, for the source's note."""
    told = "; ".join(f"{sheet!r} has no {', '.join(map(repr, columns))}"
                     for sheet, columns in missing.items())
    return (f"The sheets are read one under another; {told}: a sheet's rows leave the "
            "columns it lacks empty (a channel a market does not buy: read empty spend as "
            "none, empty_spend_is_zero=True).")


def _sheet_headers(path: Path, read_options: dict[str, Any]) -> dict[str, list[str]]:
    options = {k: v for k, v in read_options.items()
               if k not in ("sheet_name", "nrows", "engine")}
    with pd.ExcelFile(path, engine=workbook_engine(path, read_options.get("engine"))) \
            as workbook:
        return {str(sheet): [str(c) for c in pd.read_excel(workbook, sheet_name=sheet, nrows=0,
                                                           **options).columns]
                for sheet in workbook.sheet_names}


def _alike(columns: list[str], first: list[str]) -> bool:
    if sorted(columns) == sorted(first):
        return True
    shared = len(set(columns) & set(first))
    return bool(first) and first[0] in columns and shared >= 3 and (
        shared >= ALIKE_SHARE * max(len(set(columns)), len(set(first))))
