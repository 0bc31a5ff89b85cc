"""Text and categorical controls (events, holidays, campaigns) as indicator columns.

A control such as ``events`` holding ``"na"``, ``"event1"``, ``"black_friday"`` cannot
enter a regression as text. The data step turns it into one 0/1 column per level except
a reference level, whose effect the baseline absorbs: an empty or ``"na"``-like level when
there is one (ordinary periods), else the most frequent level. The indicator of level
``event1`` of column ``events`` is called ``"events=event1"``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.base import Params

#: Levels that mean "nothing happened": the reference when present, in this order.
NOTHING_LEVELS = ("", "na", "n/a", "none", "no", "nan", "null", "-", "0")
#: More levels than this is an identifier or free text, not a control.
MAX_LEVELS = 50


@dataclass(frozen=True)
class Levels(Params):
    """The levels of one categorical control.

    Attributes
    ----------
    column : str
        The control's column.
    reference : str
        The level without an indicator (absorbed by the baseline).
    levels : tuple of str
        The other levels, each with an indicator column, in sorted order.
    """

    column: str
    reference: str
    levels: tuple[str, ...]

    @property
    def indicators(self) -> dict[str, str]:
        """Indicator column name -> the level it marks."""
        return {indicator_name(self.column, level): level for level in self.levels}


def indicator_name(column: str, level: str) -> str:
    """The name of the 0/1 column marking ``level`` of ``column``."""
    return f"{column}={level}"


def is_categorical(series: pd.Series) -> bool:
    """Whether a control column holds categories rather than numbers.

    Text and category columns are categorical unless most of their values read as
    numbers once signs and separators are removed (then the text among them is a typo to
    report, not a level).

    Parameters
    ----------
    series : pandas.Series

    Returns
    -------
    bool
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        return True
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return False
    present = series.dropna()
    if present.empty:
        return False
    # "12%", "$1,200" and "1,5" are numbers written badly, which the checks report.
    numbers = pd.to_numeric(present.astype(str).str.replace(r"[%$€£,\s]", "", regex=True),
                            errors="coerce")
    return bool(numbers.isna().mean() > 0.5)


def clean(series: pd.Series) -> pd.Series:
    """The levels as the exported code reads them: stripped text, missing as ``""``."""
    return series.astype("string").str.strip().fillna("")


def levels_of(series: pd.Series, column: str) -> Levels:
    """Find the reference and the other levels of a categorical control.

    Parameters
    ----------
    series : pandas.Series
        The control's values.
    column : str
        Its name.

    Returns
    -------
    Levels
    """
    counts = clean(series).value_counts(sort=False)
    by_lower = {str(level).lower(): str(level) for level in counts.index}
    reference = next((by_lower[n] for n in NOTHING_LEVELS if n in by_lower), None)
    if reference is None:
        # The most frequent level; ties go to the first in sorted order.
        ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
        reference = str(ordered[0][0])
    others = tuple(sorted(str(level) for level in counts.index if str(level) != reference))
    return Levels(column, reference, others)


def find_levels(frame: pd.DataFrame, controls: Iterable[str]) -> dict[str, Levels]:
    """The categorical controls of a frame with their levels.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw (wide) table.
    controls : iterable of str
        The mapped controls.

    Returns
    -------
    dict
        ``{column: Levels}`` for the controls that are categorical, in mapping order.
    """
    return {c: levels_of(frame[c], c) for c in controls
            if c in frame.columns and frame.columns.tolist().count(c) == 1
            and is_categorical(frame[c])}


def expand_controls(controls: Iterable[str], levels: dict[str, Levels]) -> tuple[str, ...]:
    """The model's control columns: each categorical control replaced by its indicators."""
    out: list[str] = []
    for control in controls:
        out += list(levels[control].indicators) if control in levels else [control]
    return tuple(out)


def indicator_lines(data: str, levels: Iterable[Levels]) -> list[str]:
    """Pandas code replacing each categorical control of ``data`` by its indicator columns.

    Parameters
    ----------
    data : str
        Name of the mapped frame.
    levels : iterable of Levels
        The categorical controls (values of :func:`find_levels`).

    Returns
    -------
    list of str
    """
    levels = list(levels)
    if not levels:
        return []
    indicators = {name: (found.column, level) for found in levels
                  for name, level in found.indicators.items()}
    references = {found.column: found.reference for found in levels}
    return [
        "# Text controls become 0/1 columns, one per level; the reference level "
        f"({', '.join(f'{c}: {r!r}' for c, r in references.items())}) has none",
        f"indicators = {literal(indicators)}",
        f"{data} = {data}.assign(**{{name: ({data}[column].astype('string').str.strip()"
        ".fillna('') == level).astype('float64')",
        "                         for name, (column, level) in indicators.items()})",
        f"{data} = {data}.drop(columns={literal(list(references))})",
    ]
