"""Tables whose cells hold records: an API's response, read as it nests.

Ad platforms' and analytics APIs answer with nested JSON: Meta's insights put the rows
under ``"data"`` beside ``"paging"``; the Google Ads API puts each row under ``"results"``
with its values in ``{"segments": {"date": ...}, "metrics": {"costMicros": ...}}``.
``pd.read_json`` reads the first not at all and the second as one column of dicts; a frame
built from such records in memory holds dicts too. :func:`nested_columns` finds the columns
of records and :func:`nested_problem` names them with the ``pd.json_normalize`` line that
makes one column per value; :func:`records_key` finds where a JSON file keeps its rows.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem

#: Values looked at per column to tell records from values.
_LOOKED_AT = 50


def nested_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of ``frame`` whose cells hold records or lists (dicts, lists).

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    list of str
    """
    found = []
    for position, name in enumerate(frame.columns):
        values = frame.iloc[:, position]
        if values.dtype != object:
            continue
        if any(isinstance(value, dict | list) for value in values.dropna().head(_LOOKED_AT)):
            found.append(name)
    return found


def flattening_line(frame: pd.DataFrame, columns: list[str], table: str) -> str:
    """The pandas line making one column per value of ``table``'s nested ``columns``.

    A frame of one column of records becomes the table of those records
    (``segments.date``, ``metrics.costMicros``); otherwise every row is flattened, each
    value named by its path (``results.metrics.costMicros``).
    """
    if len(columns) == 1 and frame.shape[1] == 1:
        return f"{table} = pd.json_normalize({table}[{literal(columns[0])}].tolist())"
    return f"{table} = pd.json_normalize({table}.to_dict('records'))"


def nested_problem(frame: pd.DataFrame, columns: list[str], table: str) -> Problem:
    """The problem of a table whose ``columns`` hold records, with the line that flattens it.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table as read.
    columns : list of str
        Its nested columns (:func:`nested_columns`).
    table : str
        The table's name in the fix's code.

    Returns
    -------
    Problem
    """
    shown = ", ".join(repr(str(c)) for c in columns[:3]) + (", ..." if len(columns) > 3 else "")
    return problem(
        f"Column {shown} holds records ({{...}}), not values: the table is nested, as an "
        "API's JSON is.",
        f"Give each value a column of its own: {flattening_line(frame, columns, table)}; "
        "then map the flattened columns.", column=str(columns[0]))


def records_key(path: Path) -> str | None:
    """The key of a JSON object under which its rows are: a list of records.

    ``{"data": [{...}, ...], "paging": {...}}`` gives ``"data"``; None when the file is not
    such an object (or holds several lists of records, or does not parse).

    Parameters
    ----------
    path : Path

    Returns
    -------
    str or None
    """
    try:
        with path.open(encoding="utf-8") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(loaded, dict):
        return None
    keys = [key for key, value in loaded.items() if isinstance(value, list) and value
            and all(isinstance(row, dict) for row in value)]
    return keys[0] if len(keys) == 1 else None


def records_line(path: str, key: str, table: str) -> str:
    """The code reading the records under ``key`` of the JSON file at ``path`` as ``table``.

    Parameters
    ----------
    path : str
        The file's path as the source has it.
    key : str
        Where the rows are (:func:`records_key`).
    table : str
        The frame's name.

    Returns
    -------
    str
    """
    return (f"import json; {table} = pd.json_normalize(json.load(open({literal(path)}, "
            f"encoding='utf-8'))[{literal(key)}])")
