"""One name written several ways: a geo or a long table's channel as ``'TV'`` and ``'tv '``.

Exports typed by hand, or joined from two systems, write one name in several ways. Read as
they are, each spelling is a geo (missing the dates the others hold) or, once a long table
is pivoted, a channel of its own: the channel's spend, and its effect, split between
columns that each spend on some weeks. :func:`spellings_problem` names the names equal once
spaces, ``_``, ``-`` and case are set aside, with the line that writes each one way.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from mmm_widgets.errors import Problem, problem

#: Rows listed in the problem.
_LISTED = 20
_SEPARATORS = re.compile(r"[\s_\-]+")

#: What the spellings would be read as, by the kind of name.
_READ_AS = {
    "geo": "",
    "channel": " The pivot would make a channel of each, splitting its spend (and its "
               "effect) between them.",
}


def spelling_key(name: object) -> str:
    """The name with case, spaces, ``_`` and ``-`` set aside (``'Paid_Social '`` is
    ``'paid social'``)."""
    return _SEPARATORS.sub(" ", str(name).strip()).casefold()


def spellings_problem(values: pd.Series, column: str, kind: str, table: str = "df",
                      where: Callable[[pd.Index], list[str]] | None = None) -> Problem | None:
    """Names written several ways in ``column``, or None.

    Parameters
    ----------
    values : pandas.Series
        The column's cells.
    column : str
        Its name.
    kind : str
        ``"geo"`` or ``"channel"``: what each name is.
    table : str
        The raw table's variable, as the fix writes it.
    where : callable, optional
        Labels rows (``row 3 (2022-01-24)``); the row numbers otherwise.

    Returns
    -------
    Problem or None
        The fix writes each name the way most of its rows do, a name without spaces around
        it first.
    """
    counts = values.value_counts(dropna=True)
    keys = pd.Series([spelling_key(name) for name in counts.index], index=counts.index)
    repeated = keys[keys.duplicated(keep=False)]
    if repeated.empty:
        return None
    # value_counts puts the most frequent first; a name padded with spaces goes last
    ranked = sorted(repeated.index, key=lambda name: str(name) != str(name).strip())
    canonical: dict[str, object] = {}
    for name in ranked:
        canonical.setdefault(repeated[name], name)
    renamed = {name: canonical[key] for name, key in repeated.items()
               if name != canonical[key]}
    pairs = "; ".join(" and ".join(repr(n) for n in ranked if repeated[n] == key)
                      for key in dict.fromkeys(repeated))
    rows = values.index[values.isin(list(renamed)).to_numpy()]
    return problem(
        f"{kind.capitalize()}s written several ways are one {kind} each: {pairs} differ "
        f"only in spaces, case, '_' or '-'.{_READ_AS[kind]}",
        f"Write each one way: {table}[{column!r}] = {table}[{column!r}].replace({renamed!r}).",
        column=column, rows=(where or _row_numbers)(rows[:_LISTED]), count=len(rows))


def _row_numbers(rows: pd.Index) -> list[str]:
    return [f"row {row}" for row in rows]
