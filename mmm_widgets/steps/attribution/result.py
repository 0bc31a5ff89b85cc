"""What the attribution step produced, and its comparison read as gaps to the MMM."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["AttributionResult", "difference_table"]


@dataclass
class AttributionResult:
    """What the attribution step produced.

    Attributes
    ----------
    table : pandas.DataFrame
        Per model channel: ``mmm_share, mmm_share_hdi_low, mmm_share_hdi_high``, then
        ``<method>_share`` and ``<method>_outside`` for every method, ``mmm_incremental``
        (the MMM's mean contribution over the compared periods) and, per method,
        ``<method>_incremental`` with ``_hdi_low`` / ``_hdi_high``: its credit rescaled so
        the channels add up to the MMM's total media contribution (influenced credit
        turned into incremental units), with the interval of that total.
    credit : pandas.DataFrame
        Multi-touch credit per journey label (after grouping) and model, before mapping.
    unmapped : tuple of str
        Journey labels that are not model channels (their credit is left out).
    unseen : tuple of str
        Model channels without touches in the journeys (offline channels, typically).
    notes : tuple of str
        Plain-language remarks on the comparison.
    calibrated : pandas.DataFrame or None
        MMM-calibrated credit per journey label (a campaign, when the journeys' labels are
        campaigns mapped to channels) and method: ``label, channel, method, fraction``
        (the label's part of its channel's multi-touch credit), ``credit``, and
        ``incremental`` with ``_hdi_low`` / ``_hdi_high``: that part of the channel's MMM
        contribution, so the labels of a channel add up to its MMM contribution.
    """

    table: pd.DataFrame
    credit: pd.DataFrame
    unmapped: tuple[str, ...]
    unseen: tuple[str, ...]
    notes: tuple[str, ...] = ()
    calibrated: pd.DataFrame | None = None


def difference_table(table: pd.DataFrame) -> pd.DataFrame:
    """Gaps to the MMM, in share points: each method's share minus the MMM's like share.

    A method is compared with the MMM's share over the channels the method covers
    (``<method>_mmm``); tables without those columns (an older version's) use ``mmm_share``.

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`AttributionResult.table`.

    Returns
    -------
    pandas.DataFrame
        Per channel: ``mmm_share`` and, per method, ``<method>`` (its share minus the MMM
        share over the same channels; NaN where the method covers no such channel);
        ``attrs["outside"]`` holds the matching ``<method>_outside`` flags.
    """
    methods = [c[: -len("_share")] for c in table.columns
               if c.endswith("_share") and c != "mmm_share"]
    gaps = pd.DataFrame({m: table[f"{m}_share"] - table.get(f"{m}_mmm", table["mmm_share"])
                         for m in methods}, index=table.index)
    gaps.insert(0, "mmm_share", table["mmm_share"])
    gaps.attrs["outside"] = table[[f"{m}_outside" for m in methods]].set_axis(methods, axis=1)
    return gaps

