"""A target of 0 on the first (or last) dates while the channels spend: not yet recorded.

Sales tracking often starts after the media history does (a shop's analytics installed in
March, a market whose sales feed was connected later), and exports write the months before
as 0, not as missing. The rows look like data: the model must explain a jump from nothing
to the usual level with the channels and its baseline. On a generated weekly table (80
weeks, TV and search returning 2 and 3 per unit spent, the first 12 weeks' sales written
as 0; MAP fits), the ROAS came out 21.6 and 0.0 on one seed and 5.9 and 12.1 on another;
without those weeks, 2.0 and 3.0 on both. :func:`untracked_target_problems` names
such a run of zeros at either end, over the whole table or in one geo of a panel, when the
target is never 0 anywhere else, with the line that fits the dates it was recorded on.

A run of one or two dates is named when the target never falls under a fifth of its median
on the others (the last week's sales not in yet): on two generated weekly tables (156
weeks, TV returning 2.0, search 3.0), the last two weeks written as 0 read TV's ROAS as
1.64 and 1.68 (2.06 and 2.00 without) and search's as 3.50 and 4.28 (3.15 and 3.21).
"""

from __future__ import annotations

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.dates import to_datetime_code

#: Fewest dates in a run of zeros at an end for it to be named: one or two may be real,
#: unless the target is never under :data:`_FLOOR` of its median on the other dates.
_LEAST_RUN = 3
#: Share of the target's median it never falls under elsewhere for one or two zeros at an
#: end to be named: sales that never go below a fifth of their usual level do not stop
#: for a week at the very end (that week is not in yet).
_FLOOR = 0.2


def _zero_ends(target: pd.Series, spend: pd.Series) -> tuple[int, int]:
    """The lengths of the runs of zeros at the start and end of ``target`` (in date order)
    that hold some spend, when the target is above 0 on every other date; else 0."""
    zero = (target == 0).to_numpy()
    if zero.all() or not zero.any():
        return 0, 0
    lead = int(zero.argmin())
    trail = int(zero[::-1].argmin())
    middle = target.iloc[lead:len(target) - trail]
    if (middle <= 0).any() or len(middle) < lead + trail:
        return 0, 0
    spent = spend.to_numpy() > 0
    least = 1 if middle.min() >= _FLOOR * middle.median() else _LEAST_RUN
    lead = lead if lead >= least and spent[:lead].any() else 0
    trail = trail if trail >= least and spent[len(spent) - trail:].any() else 0
    return lead, trail


def _run_said(end: str, run: pd.Series) -> str:
    """``the first 4 dates (2023-01-02 to 2023-01-23)``, ``the last date (2024-06-24)``."""
    if len(run) == 1:
        return f"the {end} date ({run.iloc[0]:%Y-%m-%d})"
    return f"the {end} {len(run)} dates ({run.iloc[0]:%Y-%m-%d} to {run.iloc[-1]:%Y-%m-%d})"


def untracked_target_problems(frame: pd.DataFrame, dates: pd.Series, target: str,
                              channels: list[str], date: str, geo: str | None = None,
                              date_format: str | None = None, table: str = "df"
                              ) -> list[Problem]:
    """One problem naming the runs of zeros at the ends of the target, per geo.

    Parameters
    ----------
    frame : pandas.DataFrame
        The wide table (rows without a target at either end left out).
    dates : pandas.Series
        Its dates, parsed (aligned with ``frame``).
    target, date : str
        The mapped target and date columns.
    channels : list of str
        The mapped channels: a run of zeros with no spend in it is left alone.
    geo : str, optional
        The geo column of a panel (one row per date and geo).
    date_format : str, optional
        The dates' format, for the line that reads them in the fix.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    list of Problem
    """
    values = pd.to_numeric(frame[target], errors="coerce")
    spend = frame[channels].apply(pd.to_numeric, errors="coerce").fillna(0).sum(axis=1)
    if values.isna().any() or dates.isna().any():
        return []
    keys = frame[geo] if geo else pd.Series("", index=frame.index)
    found: dict[object, tuple[pd.Series, int, int]] = {}
    for name, rows in keys.groupby(keys, sort=True).groups.items():
        order = dates[rows].sort_values(kind="stable").index
        lead, trail = _zero_ends(values[order], spend[order])
        if lead or trail:
            found[name] = (dates[order], lead, trail)
    if not found:
        return []
    parts, starts, ends = [], [], []
    for name, (at, lead, trail) in found.items():
        runs = []
        if lead:
            runs.append(_run_said("first", at.iloc[:lead]))
            starts.append(at.iloc[lead])
        if trail:
            runs.append(_run_said("last", at.iloc[-trail:]))
            ends.append(at.iloc[-trail - 1])
        parts.append((f"in {name!r} on " if geo else "on ") + " and ".join(runs))
    read = to_datetime_code(f"{table}[{literal(date)}]", date_format)
    keep = [*([f"({read} >= {f'{max(starts):%Y-%m-%d}'!r})"] if starts else []),
            *([f"({read} <= {f'{min(ends):%Y-%m-%d}'!r})"] if ends else [])]
    fix = f"Fit the dates it was recorded on: {table} = {table}[{' & '.join(keep)}]"
    if geo and len(found) < keys.nunique():
        fix += (f"; or leave {'that geo' if len(found) == 1 else 'those geos'} out: "
                f"{table} = {table}[~{table}[{literal(geo)}].isin({literal(list(found))})]")
    return [problem(
        f"The target is 0 {'; '.join(parts)}, while the channels spent, and never 0 on any "
        "other date: sales not recorded yet (or any more), written as 0 by the export? The "
        "model would have to explain the jump from 0 with the channels and its baseline: "
        "every channel's ROAS would be wrong, by far.",
        f"{fix}. If those periods truly sold nothing, leave them out all the same: the model "
        "learns how sales move with spend where both are measured.", column=target,
        rows=[f"geo {name}" for name in found] if geo else (), count=len(found) if geo else None)]
