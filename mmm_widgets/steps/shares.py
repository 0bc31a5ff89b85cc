"""Channels that add up to 100 (or 1) on every row: shares of a total, not money spent.

A media plan's split of the budget (or a tracker's share of voice) is written per channel
as a share: ``TV`` 62.5 and ``Search`` 37.5, adding up to 100 on every row. Nothing in the
names says so (a name with ``share``, ``%`` or ``sov`` is read as a ratio by
:mod:`mmm_widgets.steps.names`). Mapped as channels, the model credits sales to share
points: every ROAS is per point, not per unit of money, and a budget plans points. With
the shares adding to the same total on every row, one channel's rise is the others' fall,
so the baseline and the channels cannot be told apart either (the only other note was
their correlation of -1).

:func:`shares_finding` names mapped channels that do, all of them or all but one (a total
mapped beside them), with the line that turns them into money when the raw table holds one
spend column left unmapped (the total they are shares of).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.names import named_like_spend
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: The totals shares are written against: percent, or fractions of one.
WHOLES = (100.0, 1.0)
#: How far a row's sum may be from the whole, as a share of it: shares rounded to one
#: decimal (of 100) each.
ROUNDING = 0.01


def share_columns(spend: pd.DataFrame) -> tuple[list[str], float] | None:
    """The columns of ``spend`` (all, or all but one) that add up to one whole on every
    row, each between 0 and it, and the whole; None when none do.

    Examples
    --------
    >>> frame = pd.DataFrame({"TV": [60.0, 45.5], "Search": [40.0, 54.5],
    ...                       "Total": [900.0, 1200.0]})
    >>> share_columns(frame)
    (['TV', 'Search'], 100.0)
    >>> share_columns(frame.assign(Search=[40.0, 50.0])) is None
    True
    """
    columns = list(spend.columns)
    sets = [columns] + ([[c for c in columns if c != left] for left in columns]
                        if len(columns) > 2 else [])
    for subset in sets:
        values = spend[subset].to_numpy(float)
        if len(values) < 2 or not np.isfinite(values).all():
            continue
        sums = values.sum(axis=1)
        for whole in WHOLES:
            if (np.abs(sums - whole) <= ROUNDING * whole).all() and (
                    (values >= 0) & (values <= whole)).all() and values.std(axis=0).min() > 0:
                return subset, whole
    return None


def shares_finding(data: pd.DataFrame, roles: Roles, table: str,
                   raw: pd.DataFrame | None = None) -> list[Finding]:
    """A note naming the channels that are shares of a total, with the line that turns
    them into money when ``raw`` holds one spend column left unmapped.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame.
    roles : Roles
        The mapping.
    table : str
        The raw table's variable, as the line writes it.
    raw : pandas.DataFrame, optional
        The raw table: its rows as written are read when the mapped ones are summed
        (daily into weeks), and it holds the total the shares are of.

    Returns
    -------
    list of Finding
        At most one, of kind ``"shares"``.
    """
    channels = list(roles.channels)
    if len(channels) < 2:
        return []
    found = share_columns(data[channels])
    if found is None and raw is not None and set(channels) <= set(raw.columns):
        # daily shares summed into weeks add up to 700 (500 on weekdays): read the rows
        # as written, those with every channel a number
        written = raw[channels].apply(pd.to_numeric, errors="coerce")
        found = share_columns(written[written.notna().all(axis=1)])
    if found is None:
        return []
    shares, whole = found
    written = "100" if whole == 100 else "1"
    message = (
        f"The channels {', '.join(map(repr, shares))} add up to {written} on every row: "
        "shares of a total (of the budget, or of voice), not money spent. The model would "
        "credit sales to share points: each ROAS would be per point, a budget would plan "
        "points, and with the shares adding to the same total on every row, one "
        "channel's rise is the others' fall. Map each channel's spend instead")
    total = _total_spend(raw, roles, shares)
    if total is not None:
        scale = f"{table}[{literal(total)}] / {whole:g}" if whole != 1 else \
            f"{table}[{literal(total)}]"
        message += (f"; with the total spend in {total!r}: {table}[{literal(shares)}] = "
                    f"{table}[{literal(shares)}].mul({scale}, axis=0)")
    return [Finding("shares", message + ".", tuple(shares))]


def _total_spend(raw: pd.DataFrame | None, roles: Roles, shares: list[str]) -> str | None:
    """The raw table's one numeric column named like spend, not mapped (or mapped as a
    channel beside the shares): the total they are shares of."""
    if raw is None:
        return None
    mapped = {*roles.all} - ({*roles.channels} - {*shares})
    named = [c for c in raw.columns if isinstance(c, str) and c not in mapped
             and named_like_spend(c) and pd.api.types.is_numeric_dtype(raw[c])]
    return named[0] if len(named) == 1 else None


#: Notes a shares note makes moot when they name its channels only (and the target): their
#: correlation of -1, their spend's size or scale.
_MOOT = frozenset({"collinear", "small_channel", "money_scale"})


def without_moot_notes(findings: list[Finding], target: str) -> list[Finding]:
    """``findings`` without the notes on share channels (and the ``target``) that
    :data:`_MOOT` lists, when a shares note names them: they would tell the user to merge
    share points or rescale them."""
    named = {c for f in findings if f.kind == "shares" for c in f.columns}
    if not named:
        return findings
    return [f for f in findings
            if not (f.kind in _MOOT and set(f.columns) <= named | {target})]
