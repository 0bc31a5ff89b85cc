"""Rows that hold versions of a table's figures: the actuals beside a budget or forecast.

Finance and planning tables keep what happened and what was planned in one table, a
column saying which each row holds: ``Version`` (``Actual``, ``Budget``), ``Scenario``
(``Actuals``, ``Forecast``, ``LY``). Every date then comes once per version. Suggested as
the geo (its few text values repeat on each date, as geos do), the plan is fitted as a
market of its own; left unmapped, the dates repeat, and keeping one row per date keeps
whichever version comes last: the plan, in most exports. :func:`find_versions` recognises
such a column by its values, and :func:`versions_problem` gives the line that keeps the
actuals.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.names import PAST_WORDS, PLAN_WORDS, lower_words

#: Words a version of the figures is called by (digits dropped: "Forecast Q3", "Budget
#: 2024"), in English and the languages of the month names the dates are read in.
ACTUAL_WORDS = frozenset({"actual", "actuals", "act", "ist", "reel", "real", "realizado",
                          "effettivo", "consuntivo", "werkelijk"})
#: A plan's or last year's version: the words that name such a column
#: (:data:`~mmm_widgets.steps.names.PLAN_WORDS`, :data:`~mmm_widgets.steps.names.PAST_WORDS`)
#: and, as a version's whole name, a budget, a target and the abbreviations of finance
#: tables ("BUD", "FC", "LE" for the latest estimate).
VERSION_WORDS = PLAN_WORDS | {"budget", "bud", "bgt", "fc", "reforecast", "target", "est",
                              "le", "presupuesto", "begroting"}
#: Fewest and most versions a column holds.
_LEVELS = (2, 6)
#: Most words a version's name has ("Q3 forecast", "Budget v2").
_WORDS = 3


@dataclass(frozen=True)
class Versions:
    """A column naming which version of the figures each row holds.

    Attributes
    ----------
    column : str
        The column.
    levels : tuple
        Its values, as written, the actuals first.
    actual : object or None
        The value of the rows of actuals, when one is named so.
    """

    column: str
    levels: tuple
    actual: object | None


def _version(value: object) -> str | None:
    """``"actual"`` or ``"plan"`` when a value names a version of the figures, else None."""
    words = lower_words(str(value)).split()
    if not words or len(words) > _WORDS:
        return None
    if set(words) & ACTUAL_WORDS:
        return "actual"
    if set(words) & VERSION_WORDS or PAST_WORDS.search(" ".join(words)):
        return "plan"
    return None


def find_versions(frame: pd.DataFrame, date: str, geo: str | None = None
                  ) -> Versions | None:
    """The column of ``frame`` whose values name versions of the figures, when each date
    comes under more than one of them.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw table.
    date : str
        Its date column.
    geo : str, optional
        The column mapped as the geo: the dates repeat per geo and version (the geo may
        be the version column itself).

    Returns
    -------
    Versions or None
        The first such column; None when there is none.

    Examples
    --------
    >>> table = pd.DataFrame({"week": ["2024-01-01", "2024-01-01", "2024-01-08",
    ...                                "2024-01-08"], "Version": ["Budget", "Actual"] * 2,
    ...                       "sales": [100, 90, 110, 120]})
    >>> find_versions(table, "week")
    Versions(column='Version', levels=('Actual', 'Budget'), actual='Actual')
    """
    if date not in frame.columns:
        return None
    for column in frame.columns:
        if column == date or frame.columns.tolist().count(column) != 1:
            continue
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(
                values):
            continue
        levels = list(values.dropna().unique())
        if not _LEVELS[0] <= len(levels) <= _LEVELS[1]:
            continue
        kinds = [_version(level) for level in levels]
        if None in kinds:
            continue
        keys = [date, *([geo] if geo and geo != column and geo in frame.columns else [])]
        if not (frame.groupby(keys, sort=False)[column].nunique() > 1).any():
            continue
        actual = next((level for level, kind in zip(levels, kinds, strict=True)
                       if kind == "actual"), None)
        ordered = sorted(levels, key=lambda level: (level != actual, str(level)))
        return Versions(str(column), tuple(ordered), actual)
    return None


def versions_problem(found: Versions, geo: str | None, table: str = "df") -> Problem:
    """The problem naming the versions, with the line that keeps the actuals.

    Parameters
    ----------
    found : Versions
        From :func:`find_versions`.
    geo : str, optional
        The column mapped as the geo.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    Problem
    """
    column = found.column
    named = ", ".join(map(repr, found.levels))
    how = ("Mapped as the geo, each version is fitted as a market of its own"
           if geo == column else
           "Each date comes once per version, and one row kept per date would keep the "
           "version written last")
    keep = found.actual if found.actual is not None else found.levels[0]
    which = ("Keep the actuals" if found.actual is not None
             else "Keep the version that records what happened (here the first)")
    return problem(
        f"{column!r} says which version of the figures each row holds ({named}): a plan "
        f"or forecast beside what happened, not a geo. {how}; the model must fit what "
        "happened.",
        f"{which}: {table} = {table}[{table}[{literal(column)}] == {literal(keep)}]"
        + (", and map no geo." if geo == column else "."),
        column=column)
