"""Columns whose header the file repeats: the names pandas gave them say nothing.

A header that names two columns alike (``Spend, Spend`` under a channel row lost on
export, ``Cost`` for two platforms pasted side by side) reads without error: pandas
calls the second ``Spend.1``, the third ``Spend.2``. Mapped so, the model, the plan and
every table speak of ``Spend`` and ``Spend.1``, and nothing says which channel is which.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mmm_widgets.codegen import literal
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: A name pandas gives a repeated header: the header, a dot and the repeat's number.
_REPEAT = re.compile(r"^(?P<header>.+)\.(?P<number>[1-9][0-9]*)$")


def repeated_headers(columns: Iterable[object], roles: Roles) -> dict[str, list[str]]:
    """The repeated headers among the mapped columns, with every column they name.

    Parameters
    ----------
    columns : iterable
        The raw table's columns.
    roles : Roles
        The mapping.

    Returns
    -------
    dict
        Header -> the columns pandas named from it (``['Spend', 'Spend.1']``), for each
        header one of whose columns is mapped; in the table's order.
    """
    names = [str(c) for c in columns]
    present = set(names)
    found: dict[str, list[str]] = {}
    for name in names:
        match = _REPEAT.match(name)
        if match and match["header"] in present:
            found.setdefault(match["header"], [match["header"]]).append(name)
    mapped = set(roles.all)
    return {header: named for header, named in found.items() if mapped & set(named)}


def repeated_header_finding(found: dict[str, list[str]], table: str = "df") -> list[Finding]:
    """What to say of mapped columns whose header the table repeats (see
    :func:`repeated_headers`): one finding per header, with the line that renames them."""
    findings = []
    for header, named in found.items():
        renames = {name: f"<what column {i} holds>" for i, name in enumerate(named, 1)}
        findings.append(Finding(
            "repeated_header",
            f"The table names {len(named)} columns {header!r}: pandas called them "
            f"{', '.join(map(repr, named))}, and the model, the plan and every table will "
            "too, with nothing to say which is which. Name each by what it holds before "
            f"mapping: {table} = {table}.rename(columns={literal(renames)}); or, if the "
            "header spans two rows (a channel above each metric), read it with "
            "header=[0, 1].", tuple(named)))
    return findings
