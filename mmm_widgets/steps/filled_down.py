"""A label written once per block of rows: the date (or geo) on a block's first row only.

Pivot tables and reports grouped by a field export it on the first row of each group and
leave it empty below (Excel's "Repeat item labels" off): a geo panel by date writes each
week once, over its geos' rows. Read as it is, two rows in three have no date; dropping
them, as a table's few undated rows are dropped, loses the panel. The label belongs to
every row of its block: :func:`written_once_per_block` recognises the layout and
:func:`fill_down_line` gives the line that fills it down.
"""

from __future__ import annotations

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.rows import blank_cells

#: Least share of a column's cells left empty under a label for a layout of blocks (a
#: few missing dates are missing, not blocks).
LEAST_EMPTY = 0.3


def written_once_per_block(frame: pd.DataFrame, column: str) -> bool:
    """Whether ``column`` holds a label on the first row of each block of rows and
    nothing below it.

    It does when at least :data:`LEAST_EMPTY` of its cells are empty, the first is not,
    every row left empty has a value elsewhere (it is not an empty row), and no label
    heads two blocks (filled down, each label's rows are one run).

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw table.
    column : str

    Returns
    -------
    bool

    Examples
    --------
    >>> table = pd.DataFrame({"week": ["2024-01-01", None, None, "2024-01-08", None, None],
    ...                       "geo": ["N", "S", "W"] * 2, "sales": [5, 6, 7, 5, 6, 8]})
    >>> written_once_per_block(table, "week"), written_once_per_block(table, "geo")
    (True, False)
    """
    if column not in frame.columns or frame.columns.tolist().count(column) != 1:
        return False
    values = frame[column]
    empty = blank_cells(values)
    if len(values) < 4 or empty[0] or empty.mean() < LEAST_EMPTY:
        return False
    rest = frame.drop(columns=[column])
    if rest.empty or not rest[empty].notna().any(axis=1).all():
        return False
    labels = values[~empty].astype(str).str.strip()
    return not labels.duplicated().any()


def fill_down_line(table: str, column: str) -> str:
    """The pandas line that writes each block's label on every row of its block."""
    cells = f"{table}[{literal(column)}]"
    return (f"{cells} = {cells}.replace(r'^\\s*$', pd.NA, regex=True).ffill()")


def block_label_problem(column: str, role: str, table: str, rows: list[str],
                        count: int) -> Problem:
    """The problem of a ``role`` ("date" or "geo") written once per block of rows, with
    the line that fills it down (:func:`fill_down_line`)."""
    return problem(
        f"The {role} is written on the first row of each block of rows only (as pivot "
        f"tables export it), and left empty below: the rows below are that {role}'s too.",
        f"Fill it down before mapping: {fill_down_line(table, column)}.", column=column,
        rows=rows, count=count)
