"""Non-blocking findings and the data-quality table of a mapped frame."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.steps.validation import Roles

COLLINEAR_CORRELATION = 0.9
COLLINEAR_VIF = 10.0
SMALL_SHARE = 0.05
OUTLIER_Z = 4.0


@dataclass(frozen=True)
class Finding:
    """A warning that does not block the workflow.

    Attributes
    ----------
    kind : str
        ``"collinear"``, ``"small_channel"`` or ``"outlier"``.
    message : str
        What was found and what it means for the model.
    columns : tuple of str
        Columns concerned.
    """

    kind: str
    message: str
    columns: tuple[str, ...]


def find_warnings(data: pd.DataFrame, roles: Roles) -> list[Finding]:
    """Collinear channels, channels with under 5 % of spend, and target outliers.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped, validated frame.
    roles : Roles
        The mapping.

    Returns
    -------
    list of Finding
    """
    return [*_collinearity(data, roles), *_small_channels(data, roles), *_outliers(data, roles)]


def _collinearity(data: pd.DataFrame, roles: Roles) -> list[Finding]:
    channels = list(roles.channels)
    if len(channels) < 2:
        return []
    spend = data[channels]
    correlation = spend.corr().to_numpy()
    findings = []
    for i, first in enumerate(channels):
        for j in range(i + 1, len(channels)):
            r = correlation[i, j]
            if np.isfinite(r) and abs(r) >= COLLINEAR_CORRELATION:
                second = channels[j]
                findings.append(Finding(
                    "collinear",
                    f"Spend of {first!r} and {second!r} moves together (correlation "
                    f"{r:.2f}); the model will struggle to split credit between them. "
                    "Consider merging them or adding lift tests.", (first, second)))
    vif = variance_inflation(spend)
    for column, value in vif.items():
        if value >= COLLINEAR_VIF and not any(column in f.columns for f in findings):
            findings.append(Finding(
                "collinear",
                f"Spend of {column!r} is largely explained by the other channels "
                f"(VIF {value:.0f}); its effect will be uncertain.", (column,)))
    return findings


def variance_inflation(spend: pd.DataFrame) -> pd.Series:
    """Variance inflation factor of each column given the others.

    Parameters
    ----------
    spend : pandas.DataFrame
        Numeric columns.

    Returns
    -------
    pandas.Series
        VIF per column (inf when a column is an exact combination of the others).
    """
    values = spend.to_numpy(dtype=float)
    values = values - values.mean(axis=0)
    result = {}
    for index, column in enumerate(spend.columns):
        y = values[:, index]
        others = np.delete(values, index, axis=1)
        if others.shape[1] == 0 or not np.any(y):
            result[column] = 1.0
            continue
        coef, *_ = np.linalg.lstsq(others, y, rcond=None)
        residual = y - others @ coef
        r2 = 1.0 - residual.var() / y.var()
        result[column] = float(np.inf) if r2 >= 1 - 1e-12 else 1.0 / (1.0 - r2)
    return pd.Series(result, dtype=float)


def _small_channels(data: pd.DataFrame, roles: Roles) -> list[Finding]:
    totals = data[list(roles.channels)].sum()
    shares = totals / totals.sum() if totals.sum() > 0 else totals * 0
    return [
        Finding("small_channel",
                f"{column!r} has {share:.1%} of total spend; its effect will be hard to "
                "estimate. Consider merging it with a similar channel.", (column,))
        for column, share in shares.items() if share < SMALL_SHARE
    ]


def _outliers(data: pd.DataFrame, roles: Roles) -> list[Finding]:
    target = data[roles.target]
    median = target.median()
    spread = (target - median).abs().median() * 1.4826
    if not spread or not np.isfinite(spread):
        return []
    z = (target - median) / spread
    flagged = data.loc[z.abs() > OUTLIER_Z, roles.date]
    if flagged.empty:
        return []
    dates = ", ".join(pd.to_datetime(flagged).dt.strftime("%Y-%m-%d").head(5))
    more = f" and {len(flagged) - 5} more" if len(flagged) > 5 else ""
    return [Finding(
        "outlier",
        f"The target {roles.target!r} has unusual values on {dates}{more}. Check them; "
        "if they are real events, add a control (a 0/1 column) for them.", (roles.target,))]


def quality_table(data: pd.DataFrame, roles: Roles) -> pd.DataFrame:
    """One row per mapped column: role, missing, zeros, min, mean, max, spend share.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame.
    roles : Roles
        The mapping.

    Returns
    -------
    pandas.DataFrame
        Indexed by column name.
    """
    rows = []
    spend_total = data[list(roles.channels)].to_numpy().sum()
    role_of = {roles.target: "target", **{c: "channel" for c in roles.channels},
               **{c: "control" for c in roles.controls}}
    for column, role in role_of.items():
        values = data[column]
        rows.append({
            "column": column, "role": role, "missing": int(values.isna().sum()),
            "zeros": int((values == 0).sum()), "min": values.min(), "mean": values.mean(),
            "max": values.max(),
            "spend_share": values.sum() / spend_total if role == "channel" and spend_total
            else np.nan,
        })
    return pd.DataFrame(rows).set_index("column")
