"""Checks on a mapped frame: every problem found at once, each with column, rows and fix.

pymc-marketing checks almost nothing about its input (a missing channel column is
silently filled with zeros; NaN, negative spend and duplicate dates pass), so this is
where users are protected.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal, plain
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.amounts import TextAmounts, abbreviated, abbreviated_code, amount_text
from mmm_widgets.steps.coarse_target import coarse_target_problems
from mmm_widgets.steps.control_gaps import missing_control_fix
from mmm_widgets.steps.copies import copies_of_others
from mmm_widgets.steps.date_columns import part_without_year
from mmm_widgets.steps.dates import (
    QUARTER,
    WITHIN_A_DAY,
    ParsedDates,
    detect_frequency,
    formats_matching,
    is_iso_week,
    longest_run,
    missing_dates,
    parse_dates,
    period_alias,
    to_datetime_code,
)
from mmm_widgets.steps.filled_down import (
    block_label_problem,
    written_once_per_block,
)
from mmm_widgets.steps.flat_target import flat_target_problems
from mmm_widgets.steps.lagged_copies import lagged_copy_problems
from mmm_widgets.steps.media_history import (
    dates_without_spend,
    empty_edge_dates,
    ended_early_fix,
    no_spend_problem,
)
from mmm_widgets.steps.mixed_dates import SERIAL, mixed_formats_fix
from mmm_widgets.steps.national import national_target_problems
from mmm_widgets.steps.no_channels import no_channels_fix, unmapped_amounts
from mmm_widgets.steps.repeated_rows import (
    parts_of_dates_fix,
    repeated_rows_fix,
    stacked_rows_fix,
)
from mmm_widgets.steps.roles import channel_list_columns
from mmm_widgets.steps.rows import DASHES, FORMULA_ERROR, blank_cells, is_placeholder
from mmm_widgets.steps.running_totals import running_total_problems
from mmm_widgets.steps.spellings import spellings_problem
from mmm_widgets.steps.split_channels import renamed_columns
from mmm_widgets.steps.stray_dates import stray_date_problem, stray_dates
from mmm_widgets.steps.total_geos import total_geo_problems
from mmm_widgets.steps.totals import totals_of_others
from mmm_widgets.steps.typed_dates import TypedDate, typed_dates_problem, typed_for_neighbours
from mmm_widgets.steps.untracked_target import untracked_target_problems
from mmm_widgets.steps.weekdays import mixed_weekdays_problem
from mmm_widgets.wording import listed

DEFAULT_L_MAX = 8
#: Rows named per problem; the message gives the total count beyond these.
MAX_ROWS_LISTED = 50

RowLabeler = Callable[[pd.Index], list[str]]


@dataclass(frozen=True)
class Roles:
    """Which column plays which role.

    ``value`` is the column of money per unit of the target, when the target counts units
    (see :attr:`mmm_widgets.steps.data.DataParams.value_per_unit`).
    """

    date: str
    target: str
    channels: tuple[str, ...]
    controls: tuple[str, ...] = ()
    geo: str | None = None
    value: str | None = None

    @property
    def numeric(self) -> tuple[str, ...]:
        """Columns that must hold numbers: channels, controls, the target and its value."""
        return (*self.channels, *self.controls, self.target, *self._value)

    @property
    def all(self) -> tuple[str, ...]:
        """Every mapped column, in the order the mapped frame keeps them."""
        geo = (self.geo,) if self.geo else ()
        return (self.date, *geo, *self.channels, *self.controls, self.target, *self._value)

    @property
    def _value(self) -> tuple[str, ...]:
        return (self.value,) if self.value else ()


@dataclass
class CheckResult:
    """What the checks found.

    Attributes
    ----------
    problems : list of Problem
        Blocking problems; empty when the mapping can be used.
    date_format : str or None
        The date format that parsed the date column.
    frequency : str
        ``"weekly"``, ``"daily"``, ...
    """

    problems: list[Problem] = field(default_factory=list)
    date_format: str | None = None
    frequency: str = "unknown"


def minimum_periods(n_channels: int, n_controls: int, l_max: int = DEFAULT_L_MAX) -> int:
    """Fewest periods (per geo) a model with these inputs can learn from.

    The adstock window eats ``l_max`` periods of history, and each channel and
    control needs a few periods of variation of its own to be told apart.

    Parameters
    ----------
    n_channels, n_controls : int
        Numbers of spend and control columns.
    l_max : int
        Adstock window length.

    Returns
    -------
    int
    """
    return max(2 * l_max, l_max + 2 * (n_channels + n_controls))


def check_roles(columns: Sequence[object], roles: Roles, table: str = "df",
                amounts: Sequence[str] = ()) -> list[Problem]:
    """Problems with the mapping itself: missing, duplicated or doubly used columns.

    Parameters
    ----------
    columns : sequence
        The frame's column labels.
    roles : Roles
        The mapping to check.
    table : str
        The raw table's variable, as the fixes write it.
    amounts : sequence of str
        The columns without a role whose amounts could be spend, named when no channel
        is mapped (:func:`~mmm_widgets.steps.no_channels.unmapped_amounts`).

    Returns
    -------
    list of Problem
    """
    problems: list[Problem] = []
    labels = list(columns)
    counts = Counter(labels)
    names = [str(c) for c in labels]
    roles_of: dict[str, list[str]] = {}
    for role, column in _role_pairs(roles):
        roles_of.setdefault(column, []).append(role)
    for column, used_as in roles_of.items():
        if counts.get(column, 0) > 1:
            # Only mapped duplicates matter: the mapped frame selects columns by name.
            problems.append(problem(
                f"The frame has two or more columns with this name ({counts[column]}).",
                "Rename the duplicates so every column name is unique (e.g. "
                f"{table}.columns = [...]) before mapping.", column=column))
        elif column not in counts:
            close = difflib.get_close_matches(column, names, n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            problems.append(problem("The mapped column is not in the data.",
                                    f"Pick a column that exists.{hint}", column=column))
        if len(used_as) > 1:
            problems.append(_double_role(column, used_as))
    if not roles.channels:
        problems.append(problem("No spend channels are mapped.", no_channels_fix(
            [c for c in names if c not in (roles.date, roles.target, roles.geo)
             and c not in roles.controls], amounts)))
    return problems


def _double_role(column: str, used_as: list[str]) -> Problem:
    if "target" in used_as and "channel" in used_as:
        what = "The target is also mapped as a spend channel."
        fix = "Remove it from the channels: a column cannot explain itself."
    elif len(set(used_as)) == 1:
        what = f"The column is listed {len(used_as)} times as a {used_as[0]}."
        fix = f"List each {used_as[0]} once."
    else:
        what = f"The column is mapped to more than one role ({', '.join(used_as)})."
        fix = "Give each column one role."
    return problem(what, fix, column=column)


def _role_pairs(roles: Roles) -> list[tuple[str, str]]:
    pairs = [("date", roles.date), ("target", roles.target)]
    pairs += [("channel", c) for c in roles.channels]
    pairs += [("control", c) for c in roles.controls]
    if roles.geo:
        pairs.append(("geo", roles.geo))
    if roles.value:
        pairs.append(("value per unit", roles.value))
    return pairs


def check_frame(frame: pd.DataFrame, roles: Roles, date_format: str | None = None,
                l_max: int = DEFAULT_L_MAX, text_controls: tuple[str, ...] = (),
                into_weeks: bool = False, table: str = "df",
                pivoted: bool = False,
                text_amounts: Mapping[str, TextAmounts] | None = None) -> CheckResult:
    """Check a wide frame against a mapping and collect every problem.

    A problem with one column does not stop the checks of the others: a missing
    channel, unreadable dates and negative spend elsewhere are all reported together.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data with one column per channel.
    roles : Roles
        The mapping.
    date_format : str, optional
        Format of text dates; inferred when omitted.
    l_max : int
        Adstock window used to judge whether there are enough periods.
    text_controls : tuple of str
        Controls that hold categories (they become indicator columns), so they are not
        checked as numbers.
    into_weeks : bool
        The days will be summed into weeks: daily data of weekdays only (no Saturday or
        Sunday at all) has no gap then.
    table : str
        The raw table's variable, as the fixes write it.
    pivoted : bool
        The frame is a long table pivoted: its rows' spend is summed per date.
    text_amounts : mapping of str to TextAmounts, optional
        The columns the raw table writes as text amounts (read already in ``frame``): the
        fixes read them so.

    Returns
    -------
    CheckResult
    """
    result = CheckResult()
    if frame.shape[0] == 0:
        result.problems.append(problem(
            "The data has no rows.",
            "Load a file or frame that holds data (a file with only a header row reads "
            "as an empty table)."))
        return result
    amounts = () if roles.channels else unmapped_amounts(frame, roles.all)
    result.problems += check_roles(frame.columns, roles, table, amounts)
    counts = Counter(frame.columns)
    usable = {c for c in roles.all if counts.get(c, 0) == 1}
    parsed = None
    if roles.date in usable:
        parsed = parse_dates(frame[roles.date], date_format)
        result.date_format = parsed.date_format
        result.problems += _date_problems(frame[roles.date], roles.date, parsed, date_format,
                                          table, written_once_per_block(frame, roles.date))
    where = _row_labeler(parsed.values if parsed is not None else None)
    mixed = None
    if parsed is not None and parsed.ok and (not roles.geo or roles.geo in usable):
        others = [c for c in roles.all if c in usable and c not in (roles.date, roles.geo)]
        mixed = mixed_weekdays_problem(frame, parsed.values, roles.date, roles.geo or None,
                                       others, parsed.date_format, table,
                                       summed=roles.channels if pivoted else ())
    if mixed is not None:
        result.problems.append(mixed[0])
        result.frequency = "weekly"
        if mixed[1].join:  # each row lacks what the other holds: checked once joined
            return result
    if parsed is not None and parsed.ok and mixed is None:
        stacked = _stacked_problem(frame, roles, usable, parsed.values, table)
        if stacked is not None:  # every row lacks a part: checked once joined
            result.problems.append(stacked)
            result.frequency = detect_frequency(pd.Series(parsed.values.dropna().unique()))[0]
            return result
    renamed, merged = renamed_columns(
        frame, list(dict.fromkeys(c for c in roles.channels if c in usable)),
        roles.target if roles.target in usable else None, tuple(roles.all),
        parsed.values if parsed is not None and parsed.ok else None, table)
    result.problems += renamed
    # Dates at either end without any target: one problem, not one per column of theirs.
    edge = pd.Index([])
    if parsed is not None and roles.target in usable and roles.target not in merged:
        edge = _dates_without_target(frame[roles.target], parsed.values)
        if len(edge):
            result.problems.append(_edge_problem(roles.target, parsed.values, edge, where,
                                                 table))
    # Dates at either end without any spend: one problem, not one per channel.
    unspent = pd.Index([])
    channels = [c for c in roles.channels if c in usable and c not in merged]
    if parsed is not None and channels:
        found = dates_without_spend(frame[channels].drop(edge), parsed.values.drop(edge))
        if found is not None:
            unspent = frame.index[parsed.values.isin(found.dates).to_numpy()].difference(edge)
            result.problems.append(no_spend_problem(found, roles.date, roles.target,
                                                    parsed.date_format, where, unspent,
                                                    table))
    checked: set[str] = {roles.date, *([roles.geo] if roles.geo else []), *text_controls}
    checked |= merged
    for column in roles.numeric:
        if column in usable and column not in checked:
            checked.add(column)
            skipped = edge.union(unspent) if column in roles.channels else edge
            result.problems += _check_numeric(frame[column].drop(skipped), column, roles,
                                              where, table, parsed,
                                              (text_amounts or {}).get(column))
    for total, parts in totals_of_others(frame, [c for c in roles.channels if c in usable]
                                         ).items():
        result.problems.append(problem(
            f"The channel is the sum of {', '.join(map(repr, parts))} on every row: a total, "
            "not a channel of its own. Beside them, their spend counts twice, and the model "
            "cannot tell its effect from theirs.",
            f"Leave {total!r} out of the channels.", column=total))
    result.problems += _copy_problems(frame, [c for c in roles.channels if c in usable])
    if parsed is not None and parsed.ok and (not roles.geo or roles.geo in usable):
        result.problems += lagged_copy_problems(
            frame, [c for c in roles.channels if c in usable and c not in merged],
            parsed.values, roles.geo or None, l_max)
    if roles.target in usable:
        result.problems += _target_copy_problems(frame, roles.target, [
            c for c in roles.controls if c in usable and c not in text_controls])
    geo_ok = roles.geo is None or roles.geo in usable
    no_geo = blank_cells(frame[roles.geo]) if roles.geo and geo_ok else None
    if no_geo is not None and no_geo.any():
        missing = frame.index[no_geo]
        listed = where(missing[:MAX_ROWS_LISTED])
        result.problems.append(
            block_label_problem(roles.geo, "geo", table, listed, len(missing))
            if written_once_per_block(frame, roles.geo) else problem(
                "The geo column has missing values.",
                "Fill in the geo of these rows or drop them.", column=roles.geo,
                rows=listed, count=len(missing)))
        # Rows without a geo would show up as gaps in their geo's dates: one cause, one
        # report.
        geo_ok = False
    if roles.geo and geo_ok:
        spelled = spellings_problem(frame[roles.geo], roles.geo, "geo", table, where)
        if spelled is not None:
            # each spelling would look like a geo missing the other's dates
            result.problems.append(spelled)
            geo_ok = False
    if roles.target in usable and geo_ok:
        result.problems += flat_target_problems(frame.drop(edge), roles.target,
                                                roles.geo if roles.geo else None, table)
    if parsed is not None and parsed.ok and geo_ok and mixed is None:
        result.frequency = _check_dates(frame, roles, parsed.values, result.problems, l_max,
                                        into_weeks, parsed.date_format, table, pivoted)
        if roles.target in usable:
            result.problems += untracked_target_problems(
                frame.drop(edge), parsed.values.drop(edge), roles.target,
                [c for c in roles.channels if c in usable], roles.date, roles.geo or None,
                parsed.date_format, table)
        if roles.geo and roles.target in usable:
            result.problems += national_target_problems(
                frame.drop(edge), parsed.values.drop(edge), roles.target, roles.geo,
                roles.date, [c for c in roles.channels if c in usable],
                tuple(c for c in roles.controls if c in usable), text_controls, table)
            result.problems += total_geo_problems(
                frame.drop(edge), parsed.values.drop(edge), roles.target, roles.geo,
                [c for c in roles.channels if c in usable], table)
        amounts = [c for c in (*roles.channels, roles.target) if c in usable]
        result.problems += running_total_problems(frame, parsed.values, amounts, roles.date,
                                                  roles.geo or None, parsed.date_format,
                                                  table)
        if roles.target in usable:
            result.problems += coarse_target_problems(
                frame, parsed.values, result.frequency, roles.target,
                [c for c in roles.channels if c in usable], roles.date, roles.geo or None,
                tuple(c for c in roles.controls if c in usable), text_controls,
                parsed.date_format, table)
    return result


def _stacked_problem(frame: pd.DataFrame, roles: Roles, usable: set[str],
                     dates: pd.Series, table: str) -> Problem | None:
    """Tables stacked where a join was meant (see :func:`stacked_rows_fix`), or None."""
    if roles.geo and roles.geo not in usable:
        return None
    others = [c for c in roles.all if c in usable and c not in (roles.date, roles.geo)]
    stacked = stacked_rows_fix(frame, roles.date, roles.geo or None, others, table)
    if stacked is None:
        return None
    keys = [roles.date, *([roles.geo] if roles.geo else [])]
    repeated = sorted(dates[frame.duplicated(subset=keys, keep=False).to_numpy()].unique())
    return problem(f"The same date appears more than once.{stacked.what}", stacked.fix,
                   column=roles.date, rows=repeated[:MAX_ROWS_LISTED], count=len(repeated))


def _copy_problems(frame: pd.DataFrame, channels: list[str]) -> list[Problem]:
    """One problem per channel that is another times a fixed factor (see
    :mod:`mmm_widgets.steps.copies`)."""
    return [problem(
        f"The channel is {original!r} times {factor:g} on every row: the same spend written "
        "twice (gross and net of a fee, two currencies, a copied column), or two channels "
        "always bought together. Mapped both, the spend counts twice, and the model cannot "
        "tell one's effect from the other's.",
        f"Map one of {original!r} and {copy!r} (the one in the target's currency, as paid), "
        "or, for two channels bought together, their sum as one channel.", column=copy)
        for copy, (original, factor) in copies_of_others(frame, channels).items()]


def _target_copy_problems(frame: pd.DataFrame, target: str,
                          controls: list[str]) -> list[Problem]:
    """One problem per control that is the target times a fixed factor."""
    return [problem(
        f"The control is the target {target!r} times {factor:g} on every row (the target "
        "in another unit, or as an index): it would explain the target by itself and "
        "leave the channels no credit.",
        f"Leave {copy!r} out of the controls.", column=copy)
        for copy, (original, factor) in copies_of_others(frame, [target, *controls]).items()
        if original == target]


# ----- dates ----------------------------------------------------------------------------


def _date_problems(series: pd.Series, column: str, parsed: ParsedDates,
                   date_format: str | None, table: str, blocks: bool = False
                   ) -> list[Problem]:
    problems = []
    blank = parsed.blank_rows
    if blank and blocks:  # a pivot table's export: each date over its block of rows
        problems.append(block_label_problem(column, "date", table,
                                            [f"row {r}" for r in blank[:MAX_ROWS_LISTED]],
                                            len(blank)))
    elif blank:
        problems.append(problem(
            "The date is missing in these rows.",
            f"Fill in the dates or drop these rows ({table}.dropna(subset=[{column!r}])).",
            column=column, rows=[f"row {r}" for r in blank[:MAX_ROWS_LISTED]],
            count=len(blank)))
    blank_set = set(blank)
    bad = [r for r in parsed.bad_rows if r not in blank_set]
    if bad:
        problems.append(_bad_dates_problem(series, column, parsed, bad, date_format, table))
    elif not pd.api.types.is_datetime64_any_dtype(series):
        # parse_dates reads ' 2024-01-01 ', the exported pd.to_datetime(..., format) does not.
        text = series.astype("string")
        padded = series.index[(text.notna() & (text != text.str.strip())).to_numpy()]
        if len(padded):
            problems.append(problem(
                "Dates have spaces before or after them.",
                f"Strip them first: {table}[{column!r}] = {table}[{column!r}].str.strip().",
                column=column, rows=[f"row {r}" for r in padded[:MAX_ROWS_LISTED]],
                count=len(padded)))
    return problems


def _bad_dates_problem(series: pd.Series, column: str, parsed: ParsedDates, bad: list,
                       date_format: str | None, table: str) -> Problem:
    examples = [f"row {r} ({_shown(series.at[r])})" for r in bad[:MAX_ROWS_LISTED]]
    texts = [str(series.at[r]).strip() for r in bad[:20]]
    what = "Dates could not be parsed."
    parsed_any = len(bad) + len(parsed.blank_rows) < len(series)
    if date_format:
        fix = (f"These values do not match the format {date_format!r}. Correct them, "
               "or clear the format to let it be inferred.")
    elif parsed_any and is_iso_week(parsed.date_format):
        what = (f"Most rows are a year and its ISO week ({parsed.date_format!r}, read as the "
                "week's Monday); these name no ISO week (a year has 52 of them, 53 in "
                "some years).")
        fix = ("If the table counts weeks another way (from 1 January, or from a Sunday), "
               f"turn {table}[{column!r}] into the first day of each week before mapping; "
               "otherwise correct these rows.")
    elif parsed_any and parsed.date_format and (mixed := mixed_formats_fix(
            series, parsed.values, parsed.date_format, bad, f"{table}[{column!r}]")):
        what = (f"The column mixes date formats: most rows are {parsed.date_format!r}, these "
                f"are {mixed.other if mixed.other == SERIAL else repr(mixed.other)}.")
        fix = f"Read each row in its own format: {mixed.line}."
    elif parsed_any and any(formats_matching(t) for t in texts):
        others = sorted({f for t in texts for f in formats_matching(t)})
        what = (f"The column mixes date formats: most rows are {parsed.date_format!r}, "
                f"these look like {' or '.join(repr(f) for f in others)}.")
        fix = ("Make every value use one format (e.g. 2024-01-31), or parse each part "
               "separately before mapping.")
    elif parsed_any:
        what = f"Dates could not be parsed (the other rows are {parsed.date_format!r})."
        fix = "Correct these values or drop these rows."
    elif (kind := part_without_year(series, column)) is not None:
        held = "week numbers (1-53)" if kind == "week" else "months"
        what = f"The column holds {held} without their year, and those name no date."
        fix = (f"Add each row's year as a column ({table}['Year'] = ...), then map again: the "
               f"data step gives the line that makes a date of the year and the {kind}.")
    elif all(QUARTER.fullmatch(text) for text in texts):
        what = ("The dates are quarters (such as 2024Q1): periods the model does not take; "
                "it takes one row per day, week or month.")
        fix = ("Use the table at a finer grain if you have it (daily, weekly or monthly "
               "rows; coarser periods split into weeks are not data).")
    elif _excel_serials(series):
        what = "The dates are Excel day numbers, not dates."
        fix = (f"Convert them: {table}[{column!r}] = pd.to_datetime({table}[{column!r}], unit='D', "
               "origin='1899-12-30').")
    else:
        fix = "Enter the format of the dates (e.g. %d/%m/%Y) or pick another date column."
    return Problem(what=what, fix=fix, column=column, rows=tuple(examples), count=len(bad))



def _shown(value: object) -> str:
    """A value as the user typed it: ``'n/a'``, ``44928`` (not ``np.int64(44928)``)."""
    return repr(plain(value))


def _excel_serials(series: pd.Series) -> bool:
    numbers = pd.to_numeric(series, errors="coerce")
    return bool(numbers.notna().all() and numbers.between(20_000, 80_000).all())


def _row_labeler(dates: pd.Series | None) -> RowLabeler:
    """Label rows as 'row 3 (2022-01-24)' so the user can find them either way."""

    def label(index) -> list[str]:
        out = []
        for row in index:
            date = dates.get(row) if dates is not None else None
            out.append(f"row {row}" if date is None or pd.isna(date)
                       else f"row {row} ({date:%Y-%m-%d})")
        return out

    return label


def _dates_without_target(target: pd.Series, dates: pd.Series) -> pd.Index:
    """The rows of the first and last dates on which no row has a target.

    Lagged media before the outcome was measured (Meridian's lagged tables) or periods
    after it (a plan, the current week). Empty when every date, or none, lacks it.
    """
    start, end = empty_edge_dates(target.to_frame(), dates)
    return target.index[dates.isin(start.append(end)).to_numpy() & dates.notna().to_numpy()]


def _edge_problem(target: str, dates: pd.Series, rows: pd.Index,
                  where: RowLabeler, table: str) -> Problem:
    at, measured = dates[rows], dates[~dates.index.isin(rows)]
    parts = []
    if (at == dates.min()).any():
        lead = at[at < measured.min()]
        parts.append(f"the first {lead.nunique()} dates ({lead.min():%Y-%m-%d} to "
                     f"{lead.max():%Y-%m-%d}; history from before the outcome was measured)")
    if (at == dates.max()).any():
        trail = at[at > measured.max()]
        parts.append(f"the last {trail.nunique()} dates ({trail.min():%Y-%m-%d} to "
                     f"{trail.max():%Y-%m-%d}; periods after the outcome was last measured, "
                     "such as a plan)")
    return problem(
        f"No row has a target on {' and on '.join(parts)}.",
        f"Drop these rows before mapping: {table} = {table}[{table}[{target!r}].notna()]. The "
        "model needs "
        "the outcome of every period it fits.", column=target,
        rows=where(rows[:MAX_ROWS_LISTED]), count=len(rows))


# ----- numbers --------------------------------------------------------------------------
def _check_numeric(series: pd.Series, column: str, roles: Roles,
                   where: RowLabeler, table: str,
                   parsed: ParsedDates | None = None,
                   text: TextAmounts | None = None) -> list[Problem]:
    is_channel = column in roles.channels
    role = ("target" if column == roles.target else "value per unit"
            if column == roles.value else "channel" if is_channel else "control")
    if series.isna().all():
        return [problem(f"The {role} column is empty (only missing values).",
                        "Map a column that holds data.", column=column)]
    if isinstance(series.dtype, pd.CategoricalDtype):
        return [problem("The column is categorical, not numeric.",
                        "Map a column of amounts, or convert the categories to numbers.",
                        column=column)]
    if pd.api.types.is_bool_dtype(series):
        if is_channel:
            return [problem("The channel holds True/False values, not spend amounts.",
                            "Map it as a control (an on/off event) instead of a channel.",
                            column=column)]
        return []
    if pd.api.types.is_numeric_dtype(series):
        values = series.astype("float64")
    else:
        # Text that is all numbers ('12.5') converts in the exported astype('float64').
        numbers = pd.to_numeric(series, errors="coerce")
        bad = series.index[(numbers.isna() & series.notna()).to_numpy()]
        if len(bad):
            return [_text_in_numbers(series, column, where, bad, table)]
        values = numbers.astype("float64")
    problems = []
    missing = values.index[values.isna().to_numpy()]
    if len(missing):
        if role == "control":
            in_order = bool(not roles.geo and parsed is not None and parsed.ok
                            and parsed.values.is_monotonic_increasing
                            and parsed.values.is_unique)
            fix = missing_control_fix(values, column, in_order, table)
        else:
            fix = {"target": "Fill in the target for these rows or drop the rows.",
                   "channel": "If nothing was spent there, read empty spend as 0: "
                              "map_data(..., empty_spend_is_zero=True) (in the data panel: "
                              "'Empty spend cells are 0'); otherwise fill in the spend.",
                   "value per unit": "Fill in the value of a unit of the target for these "
                                     "rows or drop the rows."}[role]
        ended = (ended_early_fix(series, parsed.values, column, roles.date,
                                 parsed.date_format, table)
                 if is_channel and parsed is not None and parsed.ok else None)
        if ended is not None:
            fix = f"{ended}. {fix}"
        problems.append(problem(f"The {role} has missing values.", fix, column=column,
                                rows=where(missing[:MAX_ROWS_LISTED]), count=len(missing)))
    infinite = values.index[np.isinf(values.to_numpy())]
    if len(infinite):
        problems.append(problem(f"The {role} has infinite values.",
                                "Replace them with real numbers or drop these rows.",
                                column=column, rows=where(infinite[:MAX_ROWS_LISTED]),
                                count=len(infinite)))
    if is_channel:
        problems += _check_spend(values, column, where, table, text)
    elif role == "value per unit":
        problems += _negative(values, column, where, "The value of a unit of the target is "
                              "negative.", "Correct these values at the source or drop the rows.")
    return problems


def _negative(values: pd.Series, column: str, where: RowLabeler, what: str,
              fix: str) -> list[Problem]:
    """One problem naming the rows where ``values`` are below zero, or none."""
    negative = values.index[(values < 0).to_numpy()]
    if not len(negative):
        return []
    return [problem(what, fix, column=column, rows=where(negative[:MAX_ROWS_LISTED]),
                    count=len(negative))]


#: Share of a channel's rows with spend that must be under 0 for its sign to be read as the
#: export's (costs written as negative amounts), not as refunds.
NEGATIVE_BY_SIGN = 0.9


def _check_spend(values: pd.Series, column: str, where: RowLabeler,
                 table: str, text: TextAmounts | None = None) -> list[Problem]:
    spent = values[np.isfinite(values.to_numpy()) & (values != 0).to_numpy()]
    negative = int((spent < 0).sum())
    if len(spent) >= 2 and negative >= NEGATIVE_BY_SIGN * len(spent):
        problems = [_costs_as_negative(column, table, negative, len(spent) - negative,
                                       text)]
    else:
        problems = _negative(values, column, where, "Spend is negative.",
                             "Spend must be zero or more: correct refunds/credits at the "
                             f"source, or set them to 0: {table}[{column!r}] = "
                             f"{table}[{column!r}].clip(lower=0).")
    finite = values[np.isfinite(values.to_numpy())]
    # With a single row everything is "constant"; the too-few-periods problem says it.
    if len(finite) > 1 and finite.min() == finite.max():
        level = "all zero" if (finite == 0).all() else "constant"
        problems.append(problem(
            f"The channel's spend is {level}, so its effect cannot be estimated.",
            "Drop this channel from the mapping (or use a period where its spend varies).",
            column=column))
    return problems


def _costs_as_negative(column: str, table: str, negative: int, positive: int,
                       text: TextAmounts | None = None) -> Problem:
    """The problem of a channel whose spend is under 0 on (nearly) every row it has: costs
    written as negative amounts, as accounting exports and ledgers write them. Set to 0,
    as refunds are, every row would read as no spend. Amounts written as text
    (``$(1,200.00)``) are read as the data cell reads them, then turned."""
    written = f"{table}[{literal(column)}]"
    flipped = (f"-{written}" if text is None else
               f"-({amount_text(written, text.decimal, wrapped=False)}).astype('float64')")
    if positive:
        return problem(
            f"Spend is under 0 on {negative} of its {negative + positive} rows with spend: "
            "costs written as negative amounts (as accounting exports write them), with "
            f"{positive} credits above 0? Set to 0, every cost would read as no spend.",
            f"Turn the sign, and set the credits to 0: {table}[{literal(column)}] = "
            f"({flipped}).clip(lower=0).", column=column, count=negative)
    return problem(
        f"Spend is under 0 on all {negative} rows with spend: costs written as negative "
        "amounts (as accounting exports write them). Set to 0, every row would read as no "
        "spend.",
        f"Turn the sign: {table}[{literal(column)}] = {flipped}.", column=column,
        count=negative)


_CURRENCY = re.compile(r"[$€£¥₹]|\b(USD|EUR|GBP|CHF)\b", re.I)
# 1,234 / 1,234,567.89: comma thousands, point decimals.
_COMMA_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
# 1.234,56 / 1.234.567: point thousands (and comma decimals).
_POINT_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d*,\d+$")


def number_format_fix(texts: Sequence[str], column: str = "df[col]") -> str:
    """How to read numbers written as ``texts`` (currency, separators, placeholders).

    Parameters
    ----------
    texts : sequence of str
        Values of a numeric column that did not read as numbers.
    column : str
        Code of the column, e.g. ``"raw['TV']"``.

    Returns
    -------
    str
        A fix naming the read option to use, e.g. ``decimal=','``.

    Examples
    --------
    >>> number_format_fix(["1.234,56"])
    "Numbers use decimal commas: read the file with decimal=',', thousands='.'."
    """
    stripped = [str(t).strip() for t in texts]
    if stripped and all(is_placeholder(t) for t in stripped):
        return _placeholder_fix(sorted(set(stripped)), column)
    core = [re.sub(r"[\s\u00a0\u202f%]", "", _CURRENCY.sub("", t)) for t in stripped]
    point_thousands = any(_POINT_THOUSANDS.match(c) for c in core)
    # A comma followed by other than exactly three digits can only be a decimal comma.
    decimal_comma = point_thousands or any(
        _DECIMAL_COMMA.match(c) and not _COMMA_THOUSANDS.match(c) for c in core)
    comma_thousands = any(_COMMA_THOUSANDS.match(c) for c in core)
    if _CURRENCY.search(" ".join(stripped)):
        pattern = r"[^0-9,\-]" if decimal_comma else r"[^0-9.\-]"
        then = ".str.replace(',', '.')" if decimal_comma else ""
        return (f"Remove currency symbols (and thousands separators), e.g. "
                f"{column}.str.replace(r'{pattern}', '', regex=True){then}.astype(float).")
    if decimal_comma:
        thousands = ", thousands='.'" if point_thousands else ""
        return f"Numbers use decimal commas: read the file with decimal=','{thousands}."
    if comma_thousands:
        if all(re.match(r"^[-+]?\d{1,3},\d{3}$", c) for c in core):
            return ("Numbers such as 1,234 have a comma: read the file with thousands=',' "
                    "if it separates thousands, or with decimal=',' if it is a decimal mark.")
        return "Numbers have thousands separators: read the file with thousands=','."
    if any("%" in t for t in stripped):
        return f"Remove the % signs: {column}.str.rstrip('%').astype(float)."
    return "Correct or remove the text values so the column holds only numbers."


def _placeholder_fix(marks: list[str], column: str) -> str:
    """How to read cells that stand for no value (:func:`~.rows.is_placeholder`): formula
    errors, dashes (an accounting format's 0) or placeholders for missing values."""
    listed = ", ".join(map(repr, marks))
    missing = (f"read the file with na_values=[{listed}] (or {column} = "
               f"{column}.replace([{listed}], None)), then fill or drop those rows")
    errors = [m for m in marks if FORMULA_ERROR.fullmatch(m)]
    if errors:
        return (f"A spreadsheet's formulas failed in these cells ({', '.join(errors)}): their "
                f"values are unknown. Correct the formulas and export again; or {missing}.")
    if set(marks) <= DASHES:
        return (f"A dash is how accounting formats write 0: if these are 0, {column} = "
                f"pd.to_numeric({column}.replace([{listed}], '0')); if they are missing, "
                f"{missing}.")
    return f"These are placeholders for missing values: {missing}."


def _text_in_numbers(series: pd.Series, column: str, where: RowLabeler,
                     bad: pd.Index, table: str) -> Problem:
    shown = bad[:MAX_ROWS_LISTED]
    if abbreviated(series.loc[bad].dropna().astype(str).unique()):
        what = ("The amounts are abbreviated by their scale (K, M, B): each is rounded to the "
                "digits shown.")
        fix = (f"Export them in full if you can (the report's number format); otherwise read "
               f"them as the numbers they round to: {table}[{column!r}] = "
               f"{abbreviated_code(f'{table}[{column!r}]')}.")
    else:
        what = "The column holds text where numbers are expected."
        fix = number_format_fix([str(series.at[r]) for r in bad[:200]],
                                f"{table}[{column!r}]")
    examples = [f"{label}: {_shown(series.at[r])}" for label, r in zip(where(shown), shown,
                                                                       strict=True)]
    return Problem(what=what, fix=fix,
                   column=column, rows=tuple(examples), count=len(bad))


# ----- the date sequence ------------------------------------------------------------------
def _periods(n: int) -> str:
    return f"{n} period" if n == 1 else f"{n} periods"


def _in_geo(roles: Roles, geo: object) -> str:
    return f" in geo {geo!r}" if roles.geo else ""


def _check_dates(frame: pd.DataFrame, roles: Roles, dates: pd.Series,
                 problems: list[Problem], l_max: int, into_weeks: bool = False,
                 date_format: str | None = None, table: str = "df",
                 pivoted: bool = False) -> str:
    """Duplicates, gaps, unequal geos and too short a history; grouped, not looped."""
    frequency, step = detect_frequency(dates)
    needed = minimum_periods(len(roles.channels), len(roles.controls), l_max)
    if roles.geo:
        geo_values = frame[roles.geo]
        keep = geo_values.notna().to_numpy()
        keyed = pd.DataFrame({"date": dates.to_numpy()[keep],
                              "geo": geo_values.to_numpy()[keep]})
    else:
        keyed = pd.DataFrame({"date": dates.to_numpy(), "geo": 0})
    duplicated = keyed.duplicated(keep=False).to_numpy()
    typed: list[TypedDate] = []  # dates typed for a missing neighbour
    if duplicated.any():
        keys = [roles.date, *([roles.geo] if roles.geo else [])]
        fix = parts_of_dates_fix(keys, [*roles.channels, roles.target],
                                 [*roles.controls, *([roles.value] if roles.value else [])],
                                 table)
        single = [c for c, n in Counter(frame.columns).items() if n == 1]
        lists = channel_list_columns(frame, single, keys)
        if lists:
            spend = roles.channels[0] if len(roles.channels) == 1 else "<spend column>"
            fix = (f"If each row is one {lists[0]}'s spend (a long table), map it as one: "
                   f"long={{'channel_column': {lists[0]!r}, 'value_column': {spend!r}}} "
                   f"(the Long table box of the data panel). Otherwise: {fix}")
        counts = Counter(frame.columns)
        others = [c for c in roles.all if c not in (roles.date, roles.geo) and counts[c] == 1]
        rows = np.flatnonzero(keep) if roles.geo else np.arange(len(frame))
        known = repeated_rows_fix(frame.iloc[rows], dates.iloc[rows], roles.date,
                                  roles.geo or None, others, table)
        if known is None and step is not None and frequency != "irregular":
            typed = typed_for_neighbours(keyed["date"], keyed["geo"], rows, step)
        if typed:
            problems.append(typed_dates_problem(
                typed, None if pivoted else frame.index, frame[roles.date], roles.date,
                date_format, table, frequency, fix, geo_named=bool(roles.geo)))
            named = pd.MultiIndex.from_tuples([(t.geo, t.written) for t in typed])
            duplicated = duplicated & ~pd.MultiIndex.from_frame(
                keyed[["geo", "date"]]).isin(named)
        by_geo = keyed[duplicated].groupby("geo", sort=False)["date"]
        if known is not None:  # one cause over the table: one problem
            repeated = keyed.loc[duplicated, "date"]
            where = _in_geo(roles, next(iter(by_geo.groups))) if by_geo.ngroups == 1 else ""
            problems.append(problem(
                f"The same date appears more than once{where}.{known.what}", known.fix,
                column=roles.date, rows=sorted(repeated.unique())[:MAX_ROWS_LISTED],
                count=repeated.nunique()))
        elif by_geo.ngroups > GAP_GEOS_APART:  # one line for them all: one problem
            problems.append(_repeats_in_geos(roles, by_geo, keyed["geo"].nunique(), fix))
        else:
            for geo, group in by_geo:
                problems.append(problem(
                    f"The same date appears more than once{_in_geo(roles, geo)}.", fix,
                    column=roles.date, rows=sorted(group.unique())[:MAX_ROWS_LISTED],
                    count=group.nunique()))
    meant = {(t.geo, t.meant) for t in typed}
    pairs = keyed.drop_duplicates()
    stats = pairs.groupby("geo", sort=False)["date"].agg(["min", "max", "count"])
    gaps_of: dict[object, list[pd.Timestamp]] = {}
    stray_of: set[pd.Timestamp] = set()  # dates typed wrong, in any geo
    written_of: dict[object, list[pd.Timestamp]] = {}  # what their lines write, by geo
    gap_dates: dict[object, tuple[list[pd.Timestamp], pd.Series]] = {}
    if step is not None and frequency != "irregular":
        width = pd.Timedelta(days=step)
        expected = (stats["max"] - stats["min"]) // width + 1
        off_grid = ((pairs["date"] - pairs["geo"].map(stats["min"])) % width
                    != pd.Timedelta(0)).groupby(pairs["geo"], sort=False).any()
        for geo in stats.index[(expected != stats["count"]) | off_grid.reindex(stats.index)]:
            present = pairs.loc[pairs["geo"] == geo, "date"]
            strays = stray_dates(pd.DatetimeIndex(present), step)
            if strays:  # a date typed wrong: not the hundreds of dates it leaves between
                present = present[~present.isin(strays)]
                stray_of.update(strays)
                stray, written = stray_date_problem(
                    strays, pd.DatetimeIndex(present), step, frequency, frame[roles.date],
                    roles.date, date_format, table, _in_geo(roles, geo))
                problems.append(stray)
                written_of[geo] = sorted(written)
                present = pd.concat([present, pd.Series(written_of[geo])])
            gaps = missing_dates(present, step)
            weekends: list[pd.Timestamp] = []
            if frequency == "daily" and _weekdays_only(present):
                weekends = [day for day in gaps if day.day_of_week >= 5]
                gaps = [day for day in gaps if day.day_of_week < 5]
                weekends = [] if into_weeks else weekends
                problems += _weekend_problems(roles, geo, weekends)
            gaps_of[geo] = [*gaps, *weekends]
            gaps = [day for day in gaps if (geo, day) not in meant]  # named with the typed
            if gaps:
                gap_dates[geo] = (gaps, present)
    elif frequency == "monthly":
        problems += _month_problems(pairs, roles, gaps_of, date_format, table, pivoted)
    if len(gap_dates) > GAP_GEOS_APART:
        freq = period_alias(frequency, pd.DatetimeIndex(pairs["date"].unique()).sort_values())
        problems.append(_gaps_in_geos(roles, {g: gaps for g, (gaps, _) in gap_dates.items()},
                                      frequency, freq, len(stats), date_format, table,
                                      pivoted))
    else:
        for geo, (gaps, present) in gap_dates.items():
            problems += _gap_problems(roles, geo, gaps, frequency, present, date_format,
                                      table, pivoted)
    if roles.geo:
        all_dates = pd.DatetimeIndex(pairs["date"].unique()).difference(list(stray_of))
        for geo in stats.index[stats["count"] < len(all_dates)]:
            absent = all_dates.difference(pd.DatetimeIndex(pairs.loc[pairs["geo"] == geo,
                                                                     "date"]))
            absent = absent.difference(pd.DatetimeIndex([*gaps_of.get(geo, []),
                                                         *written_of.get(geo, [])]))
            if len(absent):
                problems.append(_unequal_geo_problem(roles, geo, absent, stats.loc[geo],
                                                     date_format, table,
                                                     (len(stats), len(all_dates))))
    short = stats["count"][stats["count"] < needed]
    if len(short):
        problems.append(_too_few_periods(roles, short, needed, l_max))
    if frequency == "irregular":
        problems.append(_spacing_problem(roles, dates, step))
    if frequency == WITHIN_A_DAY:
        problems.append(_within_a_day_problem(roles, dates, date_format, table))
    return frequency


#: Periods the kit does not model, by the days between their dates (least, most).
_COARSE_PERIODS = {"two weeks apart": (14, 14),
                   "four weeks apart (a retail calendar's periods)": (28, 28),
                   "twice a month": (13, 17), "a quarter apart": (89, 92),
                   "a year apart": (365, 366)}


def _spacing_problem(roles: Roles, dates: pd.Series, step: int) -> Problem:
    """Dates neither a day, a week nor a month apart: what they are, and what to use."""
    unique = np.sort(pd.Series(dates).dropna().unique())
    days = np.diff(unique).astype("timedelta64[D]").astype(int)
    named = next((name for name, (least, most) in _COARSE_PERIODS.items()
                  if least <= days.min() and days.max() <= most), None)
    if named is None and days.min() == days.max():
        named = f"{step} days apart"
    what = (f"The dates are {named}: periods the model does not take" if named else
            f"The dates are not evenly spaced (typically {step} days apart)")
    return problem(
        f"{what}; it takes one row per day, week or month.",
        "Use the table at a finer grain if you have it (daily or weekly rows; finer rows "
        "summed into weeks or months are exact, coarser periods split into weeks are not).",
        column=roles.date)


def _within_a_day_problem(roles: Roles, dates: pd.Series, date_format: str | None,
                          table: str) -> Problem:
    """Rows hours apart (an hourly export): the lines summing them into days."""
    unique = np.sort(pd.Series(dates).dropna().unique())
    minutes = float(np.median(np.diff(unique)) / np.timedelta64(1, "m"))
    hours = minutes / 60
    apart = ("an hour" if hours == 1 else f"{hours:g} hours" if hours > 1
             else f"{minutes:g} minutes")
    keys = [roles.date, *([roles.geo] if roles.geo else [])]
    day = f"{to_datetime_code(f'{table}[{roles.date!r}]', date_format)}.dt.floor('D')"
    return problem(
        f"The rows are typically {apart} apart, several per day; the model takes one row "
        "per day, week or month.",
        f"Sum each day's rows first (text columns are left out): {table}[{roles.date!r}] = "
        f"{day}; {table} = {table}.groupby({keys!r}, as_index=False).sum(numeric_only=True).",
        column=roles.date)


def _unequal_geo_problem(roles: Roles, geo: object, absent: pd.DatetimeIndex,
                         own: pd.Series, date_format: str | None, table: str,
                         panel: tuple[int, int]) -> Problem:
    """A geo without some of the other geos' dates; one that starts late (a store that
    opened later) or ends early is named so, with the lines that fit the dates all geos
    have or leave it out, since its target before it starts is missing, not zero. The
    line that keeps more of the panel's rows (``panel``: its geos and dates) comes first:
    a geo with a few months of a history of years is left out rather than the years cut."""
    rows, count = sorted(absent)[:MAX_ROWS_LISTED], len(absent)
    starts_late, ends_early = (absent < own["min"]).all(), (absent > own["max"]).all()
    if not (starts_late or ends_early):
        return problem(f"Geo {geo!r} lacks dates that other geos have.",
                       "Every geo needs the same dates: add the missing rows.",
                       column=roles.geo, rows=rows, count=count)
    edge = own["min"] if starts_late else own["max"]
    dates = to_datetime_code(f"{table}[{roles.date!r}]", date_format)
    what = (f"Geo {geo!r} {'starts' if starts_late else 'ends'} on {edge:%Y-%m-%d}, "
            f"{count} date{'s' if count > 1 else ''} {'after' if starts_late else 'before'} "
            f"the others; its target {'before' if starts_late else 'after'} that is missing, "
            "not zero.")
    keep = ">=" if starts_late else "<="
    cut = (f"fit every geo on the dates they all have: {table} = {table}[{dates} {keep} "
           f"{f'{edge:%Y-%m-%d}'!r}]")
    left_out = f"leave the geo out: {table} = {table}[{table}[{roles.geo!r}] != {geo!r}]"
    geos, periods = panel
    first, second = ((left_out, cut) if (geos - 1) * periods > geos * (periods - count)
                     else (cut, left_out))
    fix = f"{first[0].upper()}{first[1:]}; or {second}."
    return problem(what, fix, column=roles.geo, rows=rows, count=count)


def _month_problems(pairs: pd.DataFrame, roles: Roles,
                    gaps_of: dict[object, list[pd.Timestamp]], date_format: str | None,
                    table: str, pivoted: bool) -> list[Problem]:
    """Monthly dates off their months' first (or last) day, and missing months per geo.

    pandas (and pymc-marketing after it) can tell the spacing of months only when every
    date is its month's first day, or every date its last; the missing months of each geo
    go into ``gaps_of``.
    """
    dates = pd.DatetimeIndex(pairs["date"])
    if not (dates.is_month_start.all() or dates.is_month_end.all()):
        off = sorted(dates[~dates.is_month_start].unique())
        date = roles.date
        return [problem(
            "Monthly dates must all be the first day of their month (or all the last).",
            f"Move each date to its month's first day: {table}[{date!r}] = "
            f"pd.to_datetime({table}[{date!r}]).dt.to_period('M').dt.start_time",
            column=roles.date, rows=off[:MAX_ROWS_LISTED], count=len(off))]
    months = "MS" if dates.is_month_start.all() else "ME"
    problems = []
    for geo, group in pairs.groupby("geo", sort=False)["date"]:
        gaps = gaps_of[geo] = missing_dates(group, months)
        problems += _gap_problems(roles, geo, gaps, "monthly", group, date_format, table,
                                  pivoted)
    return problems


def _weekdays_only(present: pd.Series) -> bool:
    """Whether daily dates have no Saturday or Sunday (business days)."""
    return bool((pd.DatetimeIndex(present).day_of_week < 5).all())


def _weekend_problems(roles: Roles, geo: object,
                      gaps: list[pd.Timestamp]) -> list[Problem]:
    """Weekdays-only data modelled by the day: its weekends are gaps, weeks have none."""
    if not gaps:
        return []
    return [problem(
        f"The data has weekdays only: Saturdays and Sundays are missing from the daily "
        f"sequence{_in_geo(roles, geo)}.",
        "Sum the days into weeks: map_data(..., aggregate='weekly') (in the data panel: "
        "'Sum daily rows into weeks'); or add rows for the weekends, with 0 spend.",
        column=roles.date, rows=gaps[:MAX_ROWS_LISTED], count=len(gaps))]


def _gap_problems(roles: Roles, geo: object, gaps: list[pd.Timestamp], frequency: str,
                  present: pd.Series, date_format: str | None, table: str,
                  pivoted: bool = False) -> list[Problem]:
    """The problem naming the dates missing from a geo's sequence, if any are, with the
    lines that add them with 0 (nothing sold or spent; not for a long table, whose
    missing dates have no target) or fit the longest run without a gap (not recorded):
    the model's carryover cannot step over a missing period."""
    if not gaps:
        return []
    have = pd.DatetimeIndex(present.unique()).sort_values()
    freq = period_alias(frequency, have)
    grid = pd.date_range(have[0], have[-1], freq=freq)
    start, end = longest_run(grid.isin(have))
    first, last = f"{grid[start]:%Y-%m-%d}", f"{grid[end]:%Y-%m-%d}"
    dates = to_datetime_code(f"{table}[{roles.date!r}]", date_format)
    fit = (f"fit the longest run without a gap ({first} to {last}, "
           f"{_periods(end - start + 1)}): {table} = {table}[({dates} >= {first!r}) & "
           f"({dates} <= {last!r})].")
    fix = (f"The sales of those dates are not in the table: {fit}" if pivoted else
           f"{_added_with_zero(roles, freq, date_format, table)} If they were not recorded, "
           f"{fit}")
    return [problem(
        f"Dates are missing from the {frequency} sequence{_in_geo(roles, geo)}: "
        f"{_periods(len(gaps))} between {have[0]:%Y-%m-%d} and {have[-1]:%Y-%m-%d} have "
        f"no row. {_NO_STEPPING_OVER}", fix,
        column=roles.date, rows=gaps[:MAX_ROWS_LISTED], count=len(gaps))]


_NO_STEPPING_OVER = ("The model cannot step over them: each period's spend carries over into "
                     "the next ones.")
#: Most geos with dates missing named one problem each; more are named in one.
GAP_GEOS_APART = 3


def _added_with_zero(roles: Roles, freq: str, date_format: str | None, table: str) -> str:
    """The sentence adding a table's missing periods (every geo's) with 0 spend and sales."""
    column = f"{table}[{roles.date!r}]"
    span = f"pd.date_range({column}.min(), {column}.max(), freq={freq!r})"
    if roles.geo:
        keys = [roles.date, roles.geo]
        added = (f"{table}.set_index({keys!r}).reindex(pd.MultiIndex.from_product([{span}, "
                 f"{table}[{roles.geo!r}].unique()], names={keys!r})).reset_index()")
    else:
        added = (f"{table}.set_index({roles.date!r}).reindex({span})"
                 f".rename_axis({roles.date!r}).reset_index()")
    amounts = [*roles.channels, roles.target]
    added += f"; {table}[{amounts!r}] = {table}[{amounts!r}].fillna(0)"
    return (f"If nothing was sold or spent then (a shop shut, an export that leaves empty rows "
            f"out), add them with 0 spend and sales (controls to fill in): {column} = "
            f"{to_datetime_code(column, date_format)}; {table} = {added}.")


def _gaps_in_geos(roles: Roles, gaps_by_geo: dict[object, list[pd.Timestamp]],
                  frequency: str, freq: str, geos: int, date_format: str | None, table: str,
                  pivoted: bool) -> Problem:
    """One problem for the dates missing in more than :data:`GAP_GEOS_APART` geos: the
    line adding them is the same for all, and the geos may be left out together."""
    ranked = sorted(gaps_by_geo.items(), key=lambda item: -len(item[1]))
    named = listed([f"{geo!r} ({_periods(len(gaps))})" for geo, gaps in ranked], 5,
                   noun="geos")
    missing = sorted({day for gaps in gaps_by_geo.values() for day in gaps})
    left_out = (f"leave those geos out: {table} = {table}[~{table}[{roles.geo!r}].isin("
                f"{literal([plain(geo) for geo in gaps_by_geo])})].")
    fix = (f"The sales of those dates are not in the table: {left_out}" if pivoted else
           f"{_added_with_zero(roles, freq, date_format, table)} If they were not recorded, "
           f"{left_out}")
    return problem(
        f"Dates are missing from the {frequency} sequence in {len(gaps_by_geo)} of {geos} "
        f"geos: {named}. {_NO_STEPPING_OVER}", fix,
        column=roles.date, rows=missing[:MAX_ROWS_LISTED], count=len(missing))


def _repeats_in_geos(roles: Roles, by_geo: pd.api.typing.SeriesGroupBy, geos: int,
                     fix: str) -> Problem:
    """One problem for dates repeated in more than :data:`GAP_GEOS_APART` geos: the line
    that adds up (or keeps the last of) their rows is the same for all."""
    counts = sorted(((geo, group.nunique()) for geo, group in by_geo), key=lambda g: -g[1])
    named = listed([f"{geo!r} ({n} date{'s' if n > 1 else ''})" for geo, n in counts], 5,
                   noun="geos")
    repeated = sorted({day for _, group in by_geo for day in group})
    return problem(
        f"The same date appears more than once in {len(counts)} of {geos} geos: {named}.",
        fix, column=roles.date, rows=repeated[:MAX_ROWS_LISTED], count=len(repeated))


def _too_few_periods(roles: Roles, short: pd.Series, needed: int, l_max: int) -> Problem:
    least = int(short.min())
    if not roles.geo:
        where, rows = "", []
    elif len(short) == 1:
        where, rows = f" in geo {short.index[0]!r}", []
    else:
        where = f" in {len(short)} geos"
        rows = [f"geo {geo!r}: {_periods(int(n))}" for geo, n in short.items()]
    return problem(
        f"Only {_periods(least)}{where}; the model needs at least {needed}: {l_max} are used "
        "up by the adstock window and each channel and control needs about two more to be "
        "estimated.",
        "Use a longer history, or fewer channels and controls.", column=roles.date,
        rows=rows[:MAX_ROWS_LISTED], count=len(rows) or None)
