"""Tables that are not laid out one row per date (and geo) with a column per role.

Before the data step checks the values, it looks at how the raw table is laid out: its
dates written over two columns or kept in its index, its geos side by side, a column per
date, a header over two rows, a measure per row, versions of its figures (actuals and a
plan) in its rows. Each such layout stops the mapping with one problem whose fix is the
pandas code that lays the table out as the data step reads it (:func:`layout_problems`);
the roles left unchosen are reported with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from mmm_widgets.codegen import literal, unused_name
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.counters import (
    counter_in,
    counter_problem,
    find_counter,
    no_dates_problem,
    quarters_problem,
)
from mmm_widgets.steps.date_columns import (
    DateColumns,
    find_date_columns,
    joined_dates,
    joining_line,
)
from mmm_widgets.steps.dates import holds_quarters, parse_dates
from mmm_widgets.steps.geo_columns import GeoColumns, find_geo_columns, long_lines
from mmm_widgets.steps.measure_rows import find_measure_rows, measure_rows_problem
from mmm_widgets.steps.nested import nested_columns, nested_problem
from mmm_widgets.steps.roles import date_column, dates_across
from mmm_widgets.steps.rows import second_header
from mmm_widgets.steps.source import Source, names_by_both_rows
from mmm_widgets.steps.versions import find_versions, versions_problem

if TYPE_CHECKING:
    from mmm_widgets.steps.data import DataParams


def layout_problems(raw: pd.DataFrame, params: DataParams) -> list[Problem]:
    """What keeps the data step from reading ``raw`` as mapped, layout first.

    Parameters
    ----------
    raw : pandas.DataFrame
        The table as the source reads it.
    params : DataParams
        The mapping.

    Returns
    -------
    list of Problem
        Empty when the table is laid out as the data step reads it and the date and
        target are chosen; else the layout's problem (with the code that fixes it) and the
        roles left unchosen.
    """
    name = params.source.name
    unnamed = _names_problem(raw.columns, name)
    if unnamed is not None:  # no role can be chosen until the columns are named by text
        return [unnamed]
    nested = nested_columns(raw)
    if nested:  # nor until each value has a column
        return [nested_problem(raw, nested, name)]
    measures = find_measure_rows(raw)
    if measures is not None:  # nor until each measure has one
        return [measure_rows_problem(measures, name)]
    unchosen = _unchosen_roles(params)
    split = find_date_columns(raw)
    if split is not None and (not params.date or params.date in (split.year, split.part)):
        return [_date_columns_problem(raw, split, name), *_other_than(unchosen, _NO_DATE)]
    in_index = (_index_dates_problem(raw, params.source)
                if not params.date or params.date not in raw.columns else None)
    if in_index is not None:
        return [in_index, *_other_than(unchosen, _NO_DATE)]
    versions = (find_versions(raw, params.date, params.geo or None)
                if params.date and params.date in raw.columns else None)
    if versions is not None:  # nor until one version of the figures is kept
        return [versions_problem(versions, params.geo or None, name),
                *_other_than(unchosen, _NO_TARGET)]
    wide_geos = (None if params.geo or params.long is not None
                 else find_geo_columns(raw, params.date, params.target))
    if wide_geos is not None and _mixes_geos(params, wide_geos):
        return [_geo_columns_problem(wide_geos, name), *_other_than(unchosen, _NO_TARGET)]
    counted = (find_counter(raw, params.date)
               if params.date and params.date in raw.columns else None)
    if counted is not None:  # the chosen "date" numbers the periods
        return [counter_problem(counted, name), *unchosen]
    header = second_header(raw)
    if unchosen:
        return _undated_fix(_sideways_fix(unchosen, raw, name), raw, name, header is not None)
    return [_second_header_problem(header, name)] if header is not None else []


def _other_than(problems: list[Problem], what: str) -> list[Problem]:
    return [p for p in problems if p.what != what]


def _unchosen_roles(params: DataParams) -> list[Problem]:
    """A problem for the date and for the target when no column is chosen for it."""
    fixes = {"date": "Pick the column that holds the dates (in the data panel: Date).",
             "target": "Pick the column of the outcome to explain: sales, revenue or "
                       "conversions (in the data panel: Target)."}
    return [problem(f"No {role} column is chosen.", fixes[role])
            for role, column in (("date", params.date), ("target", params.target))
            if column is None or column == ""]


_NO_DATE = "No date column is chosen."
_NO_TARGET = "No target column is chosen."


def _names_problem(columns: pd.Index, name: str) -> Problem | None:
    """The columns are named by numbers, or over several levels (a pivot's output): how
    to name them by text; None when every name is text.

    pymc-marketing names its channels and controls by text, and a saved workflow keeps
    the raw table in Parquet, which does too.
    """
    if isinstance(columns, pd.MultiIndex):
        first = ", ".join(repr(c) for c in columns[:3]) + (", ..." if len(columns) > 3 else "")
        joined = "'_'.join(str(level) for level in names if str(level))"
        return problem(
            f"The columns are named over {columns.nlevels} levels ({first}); the data step "
            "maps columns named by text.",
            f"Join each column's levels into one name: {name} = {name}.set_axis([{joined} "
            f"for names in {name}.columns], axis=1).")
    other = [c for c in columns if not isinstance(c, str)]
    if not other:
        return None
    shown = ", ".join(repr(c) for c in other[:5]) + (", ..." if len(other) > 5 else "")
    return problem(
        f"{len(other)} column names are not text ({shown}); the data step maps columns "
        "named by text.",
        f"Name them by text: {name} = {name}.rename(columns=str).")


def _index_dates_problem(raw: pd.DataFrame, source: Source) -> Problem | None:
    """The dates are the frame's index (``set_index('date')``, ``index_col=0``): how to make
    them a column; None when the index holds no dates."""
    if isinstance(raw.index, pd.RangeIndex) and raw.index.name is None:
        return None  # pandas' own numbering of the rows
    levels = [raw.index.get_level_values(i) for i in range(raw.index.nlevels)]
    # datetimes, or text and whole numbers that read as dates (Excel serials, 202401)
    dated = [level for level in levels if pd.api.types.is_datetime64_any_dtype(level)
             or (not pd.api.types.is_bool_dtype(level) and not pd.api.types.is_float_dtype(level)
                 and parse_dates(pd.Series(level[:50])).ok)]
    if not dated:
        return None
    name = dated[0].name
    told = f"the frame's index ({name!r})" if name is not None else "the frame's index"
    if "index_col" in source.read_options:
        fix = "Read the file without index_col, so that the dates stay a column; then map it."
    elif name is None:
        column = unused_name("date", raw.columns)
        fix = (f"Make them a column, then map {column!r} as the date: "
               f"{source.name} = {source.name}.rename_axis({column!r}).reset_index().")
    else:
        fix = (f"Make them a column, then map {name!r} as the date: "
               f"{source.name} = {source.name}.reset_index().")
    return problem(f"The dates are {told}, not a column; the data step maps columns.", fix)


def _mixes_geos(params: DataParams, found: GeoColumns) -> bool:
    """Whether a mapping of a wide geo panel needs its geos apart: no target yet, or one
    geo's target with no channel or with another geo's columns (one geo alone is a model)."""
    if not params.target:
        return True
    if params.target not in found.split:
        return False
    _, geo = found.split[params.target]
    drivers = [*params.channels, *params.controls]
    return not params.channels or any(found.split[c][1] != geo for c in drivers
                                      if c in found.split)


def _geo_columns_problem(found: GeoColumns, name: str) -> Problem:
    """The geos are side by side, a column per measure and geo: the lines stacking them."""
    geos = ", ".join(repr(g) for g in found.geos[:5]) + (", ..." if len(found.geos) > 5 else "")
    measures = ", ".join(repr(m) for m in found.measures[:5])
    return problem(
        f"The table holds its geos side by side: a column per measure and geo "
        f"({len(found.geos)} geos: {geos}; measures {measures}"
        f"{', ...' if len(found.measures) > 5 else ''}). Mapped so, one geo's target would "
        "be explained by every geo's media.",
        f"Put the geos one under another, then map {found.geo_column!r} as the geo and "
        f"the measures as roles: {'; '.join(long_lines(name, found))}.",
        column=next(iter(found.split)))


def _date_columns_problem(raw: pd.DataFrame, split: DateColumns, name: str) -> Problem:
    """The table's date is a year and a week (or month) in two columns: the line joining them."""
    part = {"week": "ISO week", "month": "month"}[split.kind]
    told = f"the year in {split.year!r} and the {part} in {split.part!r}"
    unread = raw.index[joined_dates(raw, split).isna().to_numpy()]
    if len(unread):
        return problem(
            f"The table's dates are written over two columns ({told}), but these rows name "
            "no ISO week (a year has 52 of them, 53 in some years).",
            "The table may count weeks another way (from 1 January, or from a Sunday): make "
            "one column of the first day of each week, then map it as the date.",
            column=split.part, rows=[f"row {r}" for r in unread[:5]], count=len(unread))
    return problem(
        f"The table's dates are written over two columns ({told}); neither is a date.",
        f"Make one date column of them, then map {split.new_column!r} as the date: "
        f"{joining_line(name, split)}.", column=split.part)


def _second_header_problem(header: tuple[str, ...], name: str) -> Problem:
    """The frame's first row is its header's second row: how to name columns by both."""
    told = ", ".join(repr(cell) for cell in header if cell)
    return problem(
        f"The table's header spans two rows: its first row ({told}) names what the columns "
        "under the first header hold (pandas named repeated ones 'TV.1').",
        "Read the file with both header rows, header=[0, 1], and name each column by both: "
        f"{names_by_both_rows(name)[0]} (or mw.Workflow.from_file(path, header=[0, 1]), "
        "which does both).")


def _undated_fix(unchosen: list[Problem], raw: pd.DataFrame, name: str,
                 two_row_header: bool) -> list[Problem]:
    """``unchosen`` with the date's fix for a table that holds no dates: what a column of
    quarters is, the line that dates a column counting the periods, or what a table
    without dates would need."""
    if not any(p.what == _NO_DATE for p in unchosen) or two_row_header \
            or date_column(raw) is not None:
        return unchosen
    quarters = next((c for c in raw.columns if isinstance(c, str) and holds_quarters(raw[c])),
                    None)
    if quarters is not None:
        undated = quarters_problem(quarters, str(raw[quarters].dropna().iloc[0]).strip())
    elif (counter := counter_in(raw)) is not None:
        undated = counter_problem(counter, name)
    else:
        undated = no_dates_problem(raw.columns, name)
    return [undated if p.what == _NO_DATE else p for p in unchosen]


def _sideways_fix(unchosen: list[Problem], raw: pd.DataFrame, name: str) -> list[Problem]:
    """``unchosen`` with the date's fix turning ``raw`` around when its columns are dates."""
    across = dates_across(raw)
    if across is None:
        return unchosen
    dated, labels = across
    shown = ", ".join(str(name) for name in dated[:3])
    if len(labels) == 1:
        lines = [f"{name} = {name}.set_index({literal(labels[0])}).T.rename_axis('date')"
                 ".reset_index()"]
    else:
        lines = [f"{name} = {name}.set_index({literal(labels)}).T",
                 f"{name}.columns = [' '.join(map(str, names)) for names in {name}.columns]",
                 f"{name} = {name}.rename_axis('date').reset_index()"]
    sideways = problem(
        f"No date column is chosen, and none can be: the dates are the column names "
        f"({shown}, ...: {len(dated)} columns), one column per date.",
        "Turn the table around so that each date is a row, then map 'date': "
        + "; ".join(lines) + ".")
    return [sideways if p.what == _NO_DATE else p for p in unchosen]
