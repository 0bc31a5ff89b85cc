"""Tables that hold one measure per row: a column names it, another holds its figure.

Warehouse models and BI exports often keep every measure in two columns, tidy fashion:
``date, [geo,] metric, value`` with ``metric`` naming ``revenue``, ``tv_spend``,
``search_spend`` on rows of their own. The data step maps a column per measure; without
one, the role suggestion read the figures as the target and the measure's names as geos.
:func:`find_measure_rows` tells such a table by the names it holds in one column: an
outcome's and a channel's spend among them; :func:`measure_rows_problem` gives the line
that gives each measure its column.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.names import named_like_spend, named_like_target
from mmm_widgets.steps.roles import date_column

#: More distinct names than this in one column are no list of measures.
MAX_MEASURES = 200


@dataclass(frozen=True)
class MeasureRows:
    """How a table holds one measure per row.

    Attributes
    ----------
    measure : str
        The column naming each row's measure.
    value : str
        The column of their figures.
    keys : tuple of str
        The columns each row belongs to besides its measure: the date (and geo, ...).
    outcomes, spend : tuple of str
        The measures named like an outcome, and like a channel's spend.
    repeated : bool
        Whether some measure is written more than once for the same keys (summed).
    """

    measure: str
    value: str
    keys: tuple[str, ...]
    outcomes: tuple[str, ...]
    spend: tuple[str, ...]
    repeated: bool


def find_measure_rows(raw: pd.DataFrame) -> MeasureRows | None:
    """How ``raw`` holds one measure per row, or None when it holds a column per measure.

    A table is read so when it has a date column, one column of figures, and a text
    column whose values name an outcome (``revenue``, ``conversions``) and at least one
    channel's spend (``tv_spend``, ``Paid Social``).

    Parameters
    ----------
    raw : pandas.DataFrame
        The table as read.

    Returns
    -------
    MeasureRows or None

    Examples
    --------
    >>> raw = pd.DataFrame({"date": ["2024-01-01"] * 3 + ["2024-01-08"] * 3,
    ...                     "metric": ["revenue", "tv_spend", "search_spend"] * 2,
    ...                     "value": [9.0, 1.0, 2.0, 8.0, 1.5, 2.5]})
    >>> found = find_measure_rows(raw)
    >>> found.measure, found.value, found.keys, found.outcomes
    ('metric', 'value', ('date',), ('revenue',))
    """
    names = [c for c in raw.columns if isinstance(c, str)]
    if len(names) != raw.shape[1]:
        return None
    # one column of figures besides the date (cheap to tell: looked at first)
    numbers = [c for c in names if pd.api.types.is_numeric_dtype(raw[c])
               and not pd.api.types.is_bool_dtype(raw[c])]
    if not 1 <= len(numbers) <= 2:
        return None
    date = date_column(raw)
    numbers = [c for c in numbers if c != date]
    if date is None or len(numbers) != 1:
        return None
    [value] = numbers
    for column in names:
        if column in (date, value) or pd.api.types.is_numeric_dtype(raw[column]):
            continue
        levels = raw[column].dropna().astype(str).unique()
        if not 2 <= len(levels) <= MAX_MEASURES:
            continue
        outcomes = tuple(str(v) for v in levels if named_like_target(v)
                         and not named_like_spend(v))
        spend = tuple(str(v) for v in levels if named_like_spend(v))
        if outcomes and spend:
            keys = tuple(c for c in names if c not in (column, value))
            repeated = bool(raw.duplicated(subset=[*keys, column]).any())
            return MeasureRows(column, value, keys, outcomes, spend, repeated)
    return None


def measure_rows_problem(found: MeasureRows, table: str) -> Problem:
    """The problem naming a table of one measure per row, with the line that gives each
    measure a column.

    Parameters
    ----------
    found : MeasureRows
        What :func:`find_measure_rows` found.
    table : str
        The raw table's variable.

    Returns
    -------
    Problem
    """
    shown = [*found.outcomes[:1], *found.spend[:2]]
    more = len(found.outcomes) + len(found.spend) > len(shown)
    named = ", ".join(map(repr, shown)) + (", ..." if more else "")
    index, measure, value = literal(list(found.keys)), literal(found.measure), literal(
        found.value)
    if found.repeated:
        widen = (f"{table}.pivot_table(index={index}, columns={measure}, values={value}, "
                 "aggfunc='sum')")
        repeated = (" Some measure is written more than once for the same "
                    f"{'/'.join(found.keys)}: the line adds them up (parts of one figure, "
                    "such as campaigns; check they are not copies).")
    else:
        widen = f"{table}.pivot(index={index}, columns={measure}, values={value})"
        repeated = ""
    return problem(
        f"The table holds one measure per row: {found.measure!r} names it ({named}) and "
        f"{found.value!r} holds its figure. The data step maps a column per measure: the "
        f"target, and each channel's spend.{repeated}",
        f"Give each measure its column, then map them (the target {found.outcomes[0]!r}): "
        f"{table} = {widen}.reset_index().rename_axis(columns=None).")

