"""The unit of exported code and the safe way to put values into it.

A :class:`CodeChunk` is what a step runs and what it exports: the two are the same
text, so what the panel shows cannot drift from what the exported cell computes.
User-controlled values (column names, paths, labels) enter code only through
:func:`literal`, which produces a Python literal that evaluates back to the value.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

_LITERAL_TYPES = (str, int, float, bool, type(None))


def unused_name(name: str, taken: Iterable[object]) -> str:
    """``name``, with ``_`` added until no name in ``taken`` is the same.

    For a column the generated code adds to the user's table (``week_start``, ``geo``).

    Examples
    --------
    >>> unused_name("geo", ["date", "geo", "geo_"])
    'geo__'
    """
    names = {str(t) for t in taken}
    while name in names:
        name += "_"
    return name


def plain(value: Any) -> Any:
    """A value as Python holds it, not as numpy does: ``501``, not ``np.int64(501)``.

    Geos, row labels and cells read from a frame are numpy scalars; written into a message
    or into generated code they must read as the table's own values.

    Examples
    --------
    >>> import numpy as np
    >>> plain(np.int64(501)), plain("North")
    (501, 'North')
    """
    return value.item() if isinstance(value, np.generic) else value


def literal(value: Any) -> str:
    """Render ``value`` as Python source that evaluates back to it.

    Only plain data is accepted: str, int, float, bool, None and lists, tuples and
    dicts of these. The result is checked with :func:`ast.literal_eval`, so a
    hostile column name such as ``'x"); import os #'`` stays a string.

    Parameters
    ----------
    value : object
        The value to embed in generated code.

    Returns
    -------
    str
        Python source text.

    Raises
    ------
    TypeError
        If ``value`` is not plain data.

    Examples
    --------
    >>> literal('x"); import os #')
    '\\'x"); import os #\\''
    >>> literal({"tv": (0.0, 1.5)})
    "{'tv': (0.0, 1.5)}"
    """
    _check_plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        text = f"float({str(value)!r})"
        return text
    text = repr(value)
    if ast.literal_eval(text) != value and not _has_nan(value):
        raise TypeError(f"value {value!r} does not survive a repr round-trip")
    return text


def _check_plain(value: Any) -> None:
    if isinstance(value, _LITERAL_TYPES):
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_plain(item)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_plain(key)
            _check_plain(item)
        return
    raise TypeError(f"cannot embed a {type(value).__name__} in generated code")


def _has_nan(value: Any) -> bool:
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, (list, tuple)):
        return any(_has_nan(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nan(v) for v in value.values())
    return False


@dataclass(frozen=True)
class CodeChunk:
    """A cell's worth of code: imports, one comment saying what it does, the lines.

    Parameters
    ----------
    comment : str
        One line saying what the step does (written as ``# comment``).
    lines : tuple of str
        The statements, already rendered with :func:`literal` for every value.
    imports : tuple of str
        Import statements the lines need, e.g. ``"import pandas as pd"``.
    title : str
        Short heading for the notebook's markdown cell.
    """

    comment: str
    lines: tuple[str, ...]
    imports: tuple[str, ...] = field(default_factory=tuple)
    title: str = ""

    def body(self) -> str:
        """The comment and the statements, without imports."""
        return "\n".join([f"# {_one_line(self.comment)}", *self.lines])

    def cell(self) -> str:
        """A self-contained cell: imports, then the body.

        Returns
        -------
        str
            Source text that parses with :func:`ast.parse`.
        """
        parts = [*self.imports, ""] if self.imports else []
        text = "\n".join([*parts, self.body()])
        ast.parse(text)
        return text


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def assemble_script(chunks: list[CodeChunk], header: str = "") -> str:
    """Join chunks into one script with imports de-duplicated at the top.

    Parameters
    ----------
    chunks : list of CodeChunk
        The steps' code, in order.
    header : str, optional
        A comment line placed first.

    Returns
    -------
    str
        A script that parses with :func:`ast.parse`.
    """
    imports: dict[str, None] = {}
    for chunk in chunks:
        for statement in chunk.imports:
            imports.setdefault(statement, None)
    parts: list[str] = []
    if header:
        parts.append(f"# {_one_line(header)}")
    parts.extend(imports)
    for chunk in chunks:
        parts.append("")
        parts.append(chunk.body())
    text = "\n".join(parts).strip("\n") + "\n"
    ast.parse(text)
    return text
