"""A money target and its spend written in scales a thousand (or a million) apart.

Finance exports write revenue in thousands (``Revenue`` of ``1,352.4`` for 1.35 million)
while ad platforms export spend in units; a media plan writes spend in thousands beside
sales in units. Nothing in the names says so, and the model fits either as well: every
ROAS reads a thousand times off (TV's 0.002 for 2.0 on a generated table), and a plan
judged on profit cuts every channel, or spends without limit. Read over the whole table,
a business's revenue is a few to a few hundred times its media spend: a money target
under :data:`LOW` times the spend (every channel would return under 0.05 per unit spent,
were all sales its own) or over :data:`HIGH` times it (spend under 0.02 % of revenue) is
named, with the power of a thousand that brings it back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.names import named_like_money, named_scale, not_spend_kind
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: A money target summing to under this many times the channels' spend is named.
LOW = 0.05
#: A money target summing to over this many times the channels' spend is named.
HIGH = 5_000
#: The scales one amount may be written in against the other.
SCALES = (1_000, 1_000_000, 1_000_000_000)
#: What each scale is called.
SCALE_WORDS = {1_000: "thousands", 1_000_000: "millions", 1_000_000_000: "billions"}
#: How near (a factor, either way) a ratio must be to a scale to be read as one.
NEAR = 10 ** 0.5


def nearest_scale(ratio: float) -> float | None:
    """The scale of :data:`SCALES` (or its inverse) that ``ratio`` is within :data:`NEAR`
    of, or None.

    Examples
    --------
    >>> nearest_scale(1_400.0), nearest_scale(1 / 900), nearest_scale(80.0)
    (1000, 0.001, None)
    """
    return next((scale ** sign for scale in SCALES for sign in (1, -1)
                 if abs(np.log10(ratio / scale ** sign)) <= np.log10(NEAR)), None)


def money_scale_finding(data: pd.DataFrame, roles: Roles, table: str = "df"
                        ) -> list[Finding]:
    """A note when a money target and the spend differ by a power of a thousand.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame.
    roles : Roles
        The mapping; only a target named like money (:func:`named_like_money`) with no
        value per unit is read, against the channels named in its scale and not like
        activity (those are named by the checks of names).
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    list of Finding
        At most one, kind ``"money_scale"``, with the line that rescales the target (or,
        when it is the spend that reads too small, the spend).

    Examples
    --------
    >>> frame = pd.DataFrame({"revenue": [1.2, 1.5], "tv_spend": [400.0, 600.0]})
    >>> roles = Roles("date", "revenue", ("tv_spend",))
    >>> money_scale_finding(frame, roles)[0].message.split("mapping: ")[1]
    "df['revenue'] = df['revenue'] * 1_000."
    """
    target = roles.target
    if roles.value is not None or not named_like_money(target):
        return []
    spend = [c for c in roles.channels
             if not_spend_kind(c) is None and named_scale(c) == named_scale(target)]
    if not spend:
        return []
    target_total = float(pd.to_numeric(data[target], errors="coerce").sum())
    spend_total = float(data[spend].apply(pd.to_numeric, errors="coerce").sum().sum())
    if target_total <= 0 or spend_total <= 0:
        return []
    ratio = target_total / spend_total
    if LOW <= ratio <= HIGH:
        return []
    low = ratio < LOW
    factor = next((f for f in SCALES if (ratio * f >= LOW if low else ratio / f <= HIGH)),
                  SCALES[-1])
    channels = ", ".join(map(repr, spend[:3])) + (", ..." if len(spend) > 3 else "")
    if low:  # the target in thousands: scale it up
        said = (f"{ratio:.2%} of the channels' spend ({channels}: {spend_total:,.0f}): "
                f"were every sale theirs, each unit spent would return {ratio:.2g}")
        which, scaled, source = "the target is", literal(target), "finance exports write revenue"
    else:  # the spend in thousands: scale it up
        said = (f"{ratio:,.0f} times the channels' spend ({channels}: {spend_total:,.0f}): "
                f"the spend would be {1 / ratio:.3%} of it")
        which, scaled, source = "the spend is", literal(list(spend)), "media plans write spend"
    line = f"{table}[{scaled}] = {table}[{scaled}] * {factor:_}"
    return [Finding(
        "money_scale",
        f"The target {target!r} adds up to {target_total:,.0f} over the table, {said}. "
        f"If {which} written in {SCALE_WORDS[factor]} (as {source}), every ROAS would "
        f"read {factor:,} times too {'low' if low else 'high'}; write both in one unit "
        f"before mapping: {line}.",
        (target, *spend))]
