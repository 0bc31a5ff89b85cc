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


def sheet_names(path: Path) -> list[str]:
    """The names of a workbook's sheets, in order; none for a file that is no workbook
    (reading it as one then says what is wrong: ``source.read_source``)."""
    try:
        with pd.ExcelFile(path) as workbook:
            return [str(sheet) for sheet in workbook.sheet_names]
    except Exception:  # a text file named .xlsx, a damaged workbook: no sheets to offer
        return []


def stacked_sheets_option(path: Path, alike: list[str]) -> list[str] | None:
    """The ``sheet_name`` reading ``alike``: None when they are every sheet, else the list."""
    return None if alike == sheet_names(path) else list(alike)


def sheets_like_the_first(path: Path, read_options: dict[str, Any]) -> list[str]:
    """The names of a workbook's sheets when two or more have the first one's columns.

    Parameters
    ----------
    path : Path
        The workbook.
    read_options : dict
        The options it is read with (``skiprows``, ``header``); ``sheet_name`` is ignored.

    Returns
    -------
    list of str
        Every sheet with the first one's columns, in any order (pandas stacks them by
        name), the first included; empty when only the first has them (the others being
        notes, a chart's data or a summary).
    """
    options = {k: v for k, v in read_options.items() if k not in ("sheet_name", "nrows")}
    with pd.ExcelFile(path) as workbook:
        names = workbook.sheet_names
        if len(names) < 2:
            return []
        headers = {sheet: list(pd.read_excel(workbook, sheet_name=sheet, nrows=0,
                                           **options).columns)
                   for sheet in names}
    first = headers[names[0]]
    alike = [str(sheet) for sheet in names
             if sorted(map(str, headers[sheet])) == sorted(map(str, first))]
    return alike if len(alike) >= 2 and first else []
