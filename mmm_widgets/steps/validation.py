"""Checks on a mapped frame: every problem found at once, each with column, rows and fix.

pymc-marketing checks almost nothing about its input (a missing channel column is
silently filled with zeros; NaN, negative spend and duplicate dates pass), so this is
where users are protected.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.dates import detect_frequency, missing_dates, parse_dates

DEFAULT_L_MAX = 8


@dataclass(frozen=True)
class Roles:
    """Which column plays which role."""

    date: str
    target: str
    channels: tuple[str, ...]
    controls: tuple[str, ...] = ()
    geo: str | None = None

    @property
    def numeric(self) -> tuple[str, ...]:
        """Columns that must hold numbers: channels, controls and the target."""
        return (*self.channels, *self.controls, self.target)

    @property
    def all(self) -> tuple[str, ...]:
        """Every mapped column, in the order the mapped frame keeps them."""
        geo = (self.geo,) if self.geo else ()
        return (self.date, *geo, *self.channels, *self.controls, self.target)


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


def check_roles(columns: Sequence[object], roles: Roles) -> list[Problem]:
    """Problems with the mapping itself: missing, duplicated or doubly used columns.

    Parameters
    ----------
    columns : sequence
        The frame's column labels.
    roles : Roles
        The mapping to check.

    Returns
    -------
    list of Problem
    """
    problems: list[Problem] = []
    labels = list(columns)
    duplicated = sorted({str(c) for c in labels if labels.count(c) > 1})
    for column in duplicated:
        problems.append(problem(
            "The frame has two or more columns with this name.",
            "Rename the duplicates so every column name is unique, e.g. "
            "df.columns = [...] or pd.read_csv(..., mangle_dupe_cols) before mapping.",
            column=column,
        ))
    names = [str(c) for c in labels]
    roles_of: dict[str, list[str]] = {}
    for role, column in _role_pairs(roles):
        roles_of.setdefault(column, []).append(role)
    for column, used_as in roles_of.items():
        if column not in labels:
            close = difflib.get_close_matches(column, names, n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            problems.append(problem(
                "The mapped column is not in the data.",
                f"Pick a column that exists.{hint}",
                column=column,
            ))
        if len(used_as) > 1:
            if "target" in used_as and "channel" in used_as:
                what = "The target is also mapped as a spend channel."
                fix = "Remove it from the channels: a column cannot explain itself."
            else:
                what = f"The column is mapped to more than one role ({', '.join(used_as)})."
                fix = "Give each column one role."
            problems.append(problem(what, fix, column=column))
    if not roles.channels:
        problems.append(problem(
            "No spend channels are mapped.",
            "Pick at least one column of media spend as a channel.",
        ))
    return problems


def _role_pairs(roles: Roles) -> list[tuple[str, str]]:
    pairs = [("date", roles.date), ("target", roles.target)]
    pairs += [("channel", c) for c in roles.channels]
    pairs += [("control", c) for c in roles.controls]
    if roles.geo:
        pairs.append(("geo", roles.geo))
    return pairs


def check_frame(frame: pd.DataFrame, roles: Roles, date_format: str | None = None,
                l_max: int = DEFAULT_L_MAX) -> CheckResult:
    """Check a wide frame against a mapping and collect every problem.

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

    Returns
    -------
    CheckResult
    """
    result = CheckResult()
    if frame.shape[0] == 0:
        result.problems.append(problem(
            "The data has no rows.", "Load a file or frame that holds data."))
        return result
    result.problems += check_roles(frame.columns, roles)
    if result.problems:
        return result
    parsed = parse_dates(frame[roles.date], date_format)
    result.date_format = parsed.date_format
    if parsed.bad_rows:
        result.problems.append(_bad_dates_problem(frame, roles.date, parsed, date_format))
    where = _row_labeler(parsed.values)
    for column in roles.numeric:
        result.problems += _check_numeric(frame[column], column, roles, where)
    if roles.geo and frame[roles.geo].isna().any():
        rows = where(frame.index[frame[roles.geo].isna()])
        result.problems.append(problem(
            "The geo column has missing values.",
            "Fill in the geo of these rows or drop them.", column=roles.geo, rows=rows))
    if not parsed.bad_rows:
        result.frequency = _check_dates(frame, roles, parsed.values, result.problems, l_max)
    return result


def _bad_dates_problem(frame: pd.DataFrame, column: str, parsed, date_format) -> Problem:
    examples = [f"row {r} ({frame.at[r, column]!r})" for r in parsed.bad_rows]
    if date_format:
        fix = (f"These values do not match the format {date_format!r}. Correct them, "
               "or clear the format to let it be inferred.")
    elif len(parsed.bad_rows) < len(frame):
        fix = ("The column mixes date formats or has blanks. Make every value use one "
               "format (e.g. 2024-01-31), or fill in the missing dates.")
    else:
        fix = "Enter the format of the dates (e.g. %d/%m/%Y) or pick another date column."
    return Problem(what="Dates could not be parsed.", fix=fix, column=column,
                   rows=tuple(examples))


def _row_labeler(dates: pd.Series):
    """Label rows as 'row 3 (2022-01-24)' so the user can find them either way."""

    def label(index) -> list[str]:
        out = []
        for row in index:
            date = dates.get(row)
            out.append(f"row {row}" if date is None or pd.isna(date)
                       else f"row {row} ({date:%Y-%m-%d})")
        return out

    return label


def _check_numeric(series: pd.Series, column: str, roles: Roles, where) -> list[Problem]:
    is_channel = column in roles.channels
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
    if not pd.api.types.is_numeric_dtype(series):
        return [_text_in_numbers(series, column, where)]
    values = series.astype("float64")
    problems = []
    role = "target" if column == roles.target else ("channel" if is_channel else "control")
    missing = values.index[values.isna()]
    if len(missing) == len(values):
        problems.append(problem(f"The {role} column is empty (only missing values).",
                                "Map a column that holds data.", column=column))
        return problems
    if len(missing):
        fix = {"target": "Fill in the target for these rows or drop the rows.",
               "channel": "Fill missing spend with 0 if nothing was spent (df[col].fillna(0)).",
               "control": "Fill in the control values or drop these rows."}[role]
        problems.append(problem(f"The {role} has missing values.", fix, column=column,
                                rows=where(missing)))
    infinite = values.index[np.isinf(values.to_numpy())]
    if len(infinite):
        problems.append(problem(f"The {role} has infinite values.",
                                "Replace them with real numbers or drop these rows.",
                                column=column, rows=where(infinite)))
    if is_channel:
        problems += _check_spend(values, column, where)
    return problems


def _check_spend(values: pd.Series, column: str, where) -> list[Problem]:
    problems = []
    negative = values.index[values < 0]
    if len(negative):
        problems.append(problem(
            "Spend is negative.",
            "Spend must be zero or more: correct refunds/credits at the source or clip "
            "with .clip(lower=0).", column=column, rows=where(negative)))
    finite = values[np.isfinite(values)]
    if len(finite) and finite.nunique() <= 1:
        level = "all zero" if (finite == 0).all() else "constant"
        problems.append(problem(
            f"The channel's spend is {level}, so its effect cannot be estimated.",
            "Drop this channel from the mapping (or use a period where its spend varies).",
            column=column))
    return problems


def _text_in_numbers(series: pd.Series, column: str, where) -> Problem:
    text = series.astype("string")
    numbers = pd.to_numeric(text, errors="coerce")
    bad = series.index[numbers.isna() & series.notna()]
    sample = " ".join(text.loc[bad[:20]].dropna().tolist())
    if any(symbol in sample for symbol in "$€£¥"):
        fix = ("Remove currency symbols, e.g. "
               "df[col].str.replace(r'[^0-9.\\-]', '', regex=True).astype(float).")
    elif "," in sample and "." not in sample:
        fix = "Numbers use decimal commas: read the file with pd.read_csv(..., decimal=',')."
    elif "," in sample:
        fix = "Numbers have thousands separators: read with pd.read_csv(..., thousands=',')."
    else:
        fix = "Correct or remove the text values so the column holds only numbers."
    examples = [f"{label}: {series.at[r]!r}" for label, r in zip(where(bad), bad, strict=True)]
    return Problem(what="The column holds text where numbers are expected.", fix=fix,
                   column=column, rows=tuple(examples))


def _check_dates(frame: pd.DataFrame, roles: Roles, dates: pd.Series,
                 problems: list[Problem], l_max: int) -> str:
    groups = [(None, dates)] if not roles.geo else [
        (geo, dates[frame[roles.geo] == geo]) for geo in pd.unique(frame[roles.geo].dropna())]
    frequency, step = detect_frequency(dates)
    all_dates = pd.DatetimeIndex(dates.unique())
    needed = minimum_periods(len(roles.channels), len(roles.controls), l_max)
    for geo, geo_dates in groups:
        where = f" in geo {geo!r}" if geo is not None else ""
        duplicated = geo_dates[geo_dates.duplicated(keep=False)]
        if len(duplicated):
            problems.append(problem(
                f"The same date appears more than once{where}.",
                "Keep one row per date" + (" and geo" if geo is not None else "") +
                " (aggregate with df.groupby(...).sum() or drop duplicates).",
                column=roles.date, rows=sorted(duplicated.unique())))
        if step is not None:
            gaps = missing_dates(geo_dates, step)
            if gaps:
                problems.append(problem(
                    f"Dates are missing from the {frequency} sequence{where}.",
                    "Add rows for the missing dates (with 0 spend if nothing was spent).",
                    column=roles.date, rows=gaps))
        if geo is not None:
            absent = all_dates.difference(pd.DatetimeIndex(geo_dates.unique()))
            if len(absent) and step is not None:
                absent = absent.difference(pd.DatetimeIndex(missing_dates(geo_dates, step)))
            if len(absent):
                problems.append(problem(
                    f"Geo {geo!r} lacks dates that other geos have.",
                    "Every geo needs the same dates: add the missing rows.",
                    column=roles.geo, rows=sorted(absent)))
        periods = geo_dates.nunique()
        if periods < needed:
            problems.append(problem(
                f"Only {periods} periods{where}; the model needs at least {needed}: "
                f"{l_max} are used up by the adstock window and each channel and control "
                "needs about two more to be estimated.",
                "Use a longer history, or fewer channels and controls.", column=roles.date))
    if frequency in ("irregular",):
        problems.append(problem(
            f"Dates are not evenly spaced (typical step {step} days).",
            "Aggregate the data to weekly or daily periods first.", column=roles.date))
    return frequency
