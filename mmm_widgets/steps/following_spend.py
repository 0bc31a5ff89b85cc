"""Spend that follows the target: a fixed share of each period's sales (or the last's).

Some costs are paid on sales, not to make them: an affiliate's or a marketplace's
commission, a CPA deal, a budget set as a share of last month's revenue. Mapped as a
channel, such spend moves with the target because the target moved, and the model reads
it the other way round: on three generated weekly tables (TV returns 2.0 and search 3.0;
an affiliate cost of 2 % of each week's sales, within 3 %, that brings none; MAP fits),
the affiliate's ROAS read 27.5 to 28.1, TV's 0.95 to 1.13 and search's 1.5 to 1.7; without
the affiliate, 1.9 to 2.1 and 3.0 to 3.5. :func:`following_spend_finding` names a channel
whose ratio to the target (the same period's, or the one before) varies far less than
the two do, in every geo it spends in, from period to period too: a channel that brings
the sales can share their trend, so that its share of them is steady over the years
(pymc-marketing's daily ``data_mmm`` example: within 7 %), but each period's sales do
not move with its spend as a commission's base does.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from mmm_widgets.steps.names import named_like_count
from mmm_widgets.steps.outliers import geo_series
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: Largest coefficient of variation of spend / target for the spend to follow the target.
SHARE_SPREAD = 0.15
#: The share must vary at most this fraction as much as it would if spend and target
#: moved apart (the root of the sum of their spreads squared): a steady channel beside a
#: steady target is not following it.
SPREAD_RATIO = 0.5
#: Least share of periods with spend: a channel in flights is bought, not paid on sales.
SPENDING_SHARE = 0.9


def _spread(values: np.ndarray) -> float:
    mean = float(np.mean(values))
    return float(np.std(values) / mean) if mean > 0 else np.inf


class Share(NamedTuple):
    """How steady a share of the target a channel's spend is, at its steadiest lag."""

    lag: int  #: 0: the same period's target; 1: the one before's
    median: float  #: the share
    spread: float  #: its coefficient of variation
    apart: float  #: its spread if spend and target moved apart
    change: float  #: the spread of its change from one period to the next (of its log)
    changes_apart: float  #: that spread if spend and target moved apart

    @property
    def steady(self) -> bool:
        """Steady enough for the spend to follow the target (:data:`SHARE_SPREAD`,
        :data:`SPREAD_RATIO`), over the whole series and from one period to the next."""
        return (self.spread <= SHARE_SPREAD and self.spread <= SPREAD_RATIO * self.apart
                and self.change <= SPREAD_RATIO * self.changes_apart)


def _share_of_target(spend: np.ndarray, target: np.ndarray) -> Share | None:
    """The lag (0: the same period; 1: the one before) at which ``spend`` is the steadiest
    share of ``target``, that share, its spread, and its spread if the two moved apart;
    None when the spend is not on nearly every period."""
    if len(spend) < 8 or (spend > 0).mean() < SPENDING_SHARE:
        return None
    best = None
    for lag in (0, 1):
        paid, sales = spend[lag:], target[:len(target) - lag]
        kept = (paid > 0) & (sales > 0)
        if kept.sum() < 8:
            continue
        ratio = paid[kept] / sales[kept]
        apart = float(np.hypot(_spread(paid[kept]), _spread(sales[kept])))
        paid_moves, sales_moves = np.diff(np.log(paid[kept])), np.diff(np.log(sales[kept]))
        found = Share(lag, float(np.median(ratio)), _spread(ratio), apart,
                      float(np.std(paid_moves - sales_moves)),
                      float(np.hypot(np.std(paid_moves), np.std(sales_moves))))
        if best is None or found.spread < best.spread:
            best = found
    return best


def following_spend_finding(data: pd.DataFrame, roles: Roles,
                            skip: frozenset[str] = frozenset()) -> list[Finding]:
    """A note per channel whose spend is a steady share of the target, in every geo it
    spends in.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (datetime dates).
    roles : Roles
        The mapping.
    skip : frozenset of str
        Channels already named for following the target (brand search).

    Returns
    -------
    list of Finding
    """
    # only channels spending on nearly every row (of the geos they spend in at all) can
    # follow the target in each of those geos
    spends = data[list(roles.channels)] > 0
    if roles.geo:
        active = spends.groupby(data[roles.geo].to_numpy()).transform("any")
        spending = (spends & active).sum() / active.sum().clip(lower=1)
    else:
        spending = spends.mean()
    candidates = [c for c in roles.channels
                  if spending[c] >= SPENDING_SHARE and c not in skip]
    if not candidates:
        return []
    needed = [roles.date, *([roles.geo] if roles.geo else []), roles.target, *candidates]
    series = list(geo_series(data[needed], roles))
    findings = []
    for channel in candidates:
        shares = []
        for _, rows in series:
            spend = rows[channel].to_numpy(float)
            if not (spend > 0).any():  # a geo it never spends in (an affiliate in some)
                continue
            share = _share_of_target(spend, rows[roles.target].to_numpy(float))
            if share is None or not share.steady:
                break
            shares.append(share)
        else:
            if shares:
                findings.append(_finding(channel, roles, shares, len(series)))
    return findings


def _finding(channel: str, roles: Roles, shares: list[Share], geos: int) -> Finding:
    lag = max(share.lag for share in shares)
    median = float(np.median([share.median for share in shares]))
    spread = max(share.spread for share in shares)
    whose = "the period before's" if lag else "the same period's"
    # a target counted in units: the share is a cost per unit (a CPA), not a percentage
    counted = named_like_count(roles.target) and not roles.value
    size = (f"about {median:,.2f} per unit of {whose} target {roles.target!r} (a cost per "
            "unit)" if counted else f"about {median:.1%} of {whose} target {roles.target!r}")
    return Finding(
        "follows_target",
        f"{channel!r} is {size} on every period{_where(roles, len(shares), geos)} (that "
        f"share varies by {spread:.0%}, far less than the spend and target do): spend that "
        "follows sales (a commission on them: affiliates, marketplaces, CPA deals; or a "
        "budget set as a share of sales)? The model cannot tell spend that follows sales "
        "from spend that brings them: it would credit the channel with the sales that paid "
        "for it, and take that credit from the others. If so, leave it out of the "
        "channels: its cost is a cost of the sales, not media.", (channel,))


def _where(roles: Roles, spending: int, geos: int) -> str:
    """Where the share holds: "" nationally and in every geo, else the geos it spends in."""
    if not roles.geo or spending == geos:
        return ""
    return f" in the {spending} of {geos} geos it spends in"
