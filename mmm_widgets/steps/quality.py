"""Non-blocking findings and the data-quality table of a mapped frame."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.steps.amounts import TextAmounts
from mmm_widgets.steps.combinations import exact_combination
from mmm_widgets.steps.currencies import named_currency, other_currency
from mmm_widgets.steps.names import (
    OTHER_COST,
    PAST,
    PLAN,
    PRICE_CUT,
    in_cents,
    in_micros,
    named_scale,
    not_spend_kind,
)
from mmm_widgets.steps.national import national_spend_message, same_in_every_geo
from mmm_widgets.steps.outcome_controls import outcome_controls
from mmm_widgets.steps.rows import NonPeriodRows
from mmm_widgets.steps.validation import Roles

COLLINEAR_CORRELATION = 0.9
COLLINEAR_VIF = 10.0
SMALL_SHARE = 0.05
#: A small channel spending this share of a thousand times less per period than the
#: other channels' median, or less, is asked whether it is written in thousands (or the
#: millions, billions nearest the gap).
SCALE_GAP = 0.5


@dataclass(frozen=True)
class Finding:
    """A warning that does not block the workflow.

    Attributes
    ----------
    kind : str
        ``"collinear"``, ``"small_channel"``, ``"national"``, ``"other_currency"``,
        ``"outcome_control"``, ``"cents"``, ``"outlier"`` and ``"outage"``
        (:mod:`~mmm_widgets.steps.outliers`), ``"baseline"``
        (:mod:`~mmm_widgets.steps.baseline`), ``"handover"``
        (:mod:`~mmm_widgets.steps.handover`), ``"money_scale"``
        (:mod:`~mmm_widgets.steps.money_scale`), ``"scaled_spend"``
        (:mod:`~mmm_widgets.steps.scaled_spend`), ``"season_controls"``
        (:mod:`~mmm_widgets.steps.season_controls`), ``"geo_scale"``
        (:mod:`~mmm_widgets.steps.geo_scale`), ``"scale_switch"``
        (:mod:`~mmm_widgets.steps.scale_switch`), ``"shares"``
        (:mod:`~mmm_widgets.steps.shares`), ``"month_length"``
        (:mod:`~mmm_widgets.steps.month_length`), ``"follows_target"``
        (:mod:`~mmm_widgets.steps.following_spend`), ``"brand_search"``
        (:mod:`~mmm_widgets.steps.brand_search`), ``"unbooked_spend"``
        (:mod:`~mmm_widgets.steps.unbooked_spend`), ``"reported_outcome"``
        (:mod:`~mmm_widgets.steps.reported`), ``"coarse_spend"``
        (:mod:`~mmm_widgets.steps.coarse_spend`), ``"partial_period"``
        (:mod:`~mmm_widgets.steps.partial_periods`), ``"repeated_header"``
        (:mod:`~mmm_widgets.steps.repeated_headers`), ``"text_amounts"``
        (:func:`text_amounts_finding`) or ``"left_out"`` (:func:`left_out_finding`).
    message : str
        What was found and what it means for the model.
    columns : tuple of str
        Columns concerned.
    """

    kind: str
    message: str
    columns: tuple[str, ...]


def find_warnings(data: pd.DataFrame, roles: Roles, table: str = "df",
                  population: str | None = None) -> list[Finding]:
    """Channels named like activity, an amount in micros or in another scale than the
    target (thousands, millions) or currency, channels the same in every geo, controls
    that are outcomes, collinear channels and channels with under 5 % of spend.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped, validated frame.
    roles : Roles
        The mapping.
    table : str
        The raw table's variable, as the fixes write it.
    population : str, optional
        The raw table's column of each geo's population, if it has one: national spend
        is split by it.

    Returns
    -------
    list of Finding
    """
    return [*_not_spend(data, roles, table), *_other_scale(roles, table),
            *_cents(data, roles, table),
            *_other_currency(roles, table), *_national(data, roles, table, population),
            *_outcome_controls(data, roles), *_collinearity(data, roles),
            *_small_channels(data, roles, table)]


def _other_currency(roles: Roles, table: str) -> list[Finding]:
    """A channel whose name gives another currency than the target's ("TV spend (USD)"
    beside "Revenue (EUR)")."""
    findings = []
    target = named_currency(roles.target)
    for channel in roles.channels:
        currency = other_currency(channel, roles.target)
        if currency is None:
            continue
        findings.append(Finding(
            "other_currency",
            f"{channel!r} is named in {currency} and the target {roles.target!r} in {target}: "
            f"its ROAS would be {target} sold per {currency} spent, and a plan would add its "
            f"{currency} to the other channels' amounts. If so, convert it at your rate before "
            f"mapping: {table}[{channel!r}] = {table}[{channel!r}] * <{target} per "
            f"{currency}>.", (channel,)))
    return findings


def _outcome_controls(data: pd.DataFrame, roles: Roles) -> list[Finding]:
    """Controls that move with the target from period to period, or against it: outcomes
    of the same sales (orders beside revenue, web sessions, discounts and returns written
    as negative amounts), not causes of them (:mod:`~mmm_widgets.steps.outcome_controls`).
    """
    found = outcome_controls(data, roles.target, list(roles.controls), roles.date,
                             roles.geo or None)
    return [Finding(
        "outcome_control",
        f"{control!r} moves {'with' if r > 0 else 'against'} the target {roles.target!r} "
        f"from period to period (correlation of their changes {r:.2f}): an outcome of the "
        f"same sales{'' if r > 0 else ' (discounts or returns written as negative amounts?)'}"
        ", not a cause of them. As a control it explains the target by itself, and the "
        "channels, whose effect runs through it, are credited wrongly. Leave it out of the "
        "controls.", (control,))
        for control, r in found.items()]


def _national(data: pd.DataFrame, roles: Roles, table: str,
              population: str | None) -> list[Finding]:
    """Channels the same in every geo on every date (national spend written on each
    geo's row; see :mod:`mmm_widgets.steps.national`)."""
    if not roles.geo:
        return []
    national = same_in_every_geo(data, list(roles.channels), data[roles.date], roles.geo)
    if not national:
        return []
    return [Finding("national", national_spend_message(
        national, data[roles.geo].nunique(), roles.target, roles.geo, table, population,
        roles.date), tuple(national))]


#: What a channel named like money other than this period's media spend means, and what
#: to map instead.
_NOT_MEDIA = {
    PLAN: "not what was spent: the model would credit sales to the plan, and a budget would "
          "plan the plan. Map the channel's actual spend instead.",
    PAST: "not this period's spend: the model would credit this year's sales to last "
          "year's spend. Map this period's spend instead.",
    OTHER_COST: "not media spend: the model would credit it with sales as if it were "
                "advertising, and a budget would move money into it. Leave it out of the "
                "channels.",
    PRICE_CUT: "not media spend but a promotion's depth: map it as a control, not a "
               "channel (its ROAS would not be a return on advertising, and a budget would "
               "plan discounts as media).",
}

def _not_spend(data: pd.DataFrame, roles: Roles, table: str) -> list[Finding]:
    """A channel named like impressions, clicks or a ratio: its ROAS is not money's; one
    named like micros and holding whole cents in micros (multiples of 10,000): its ROAS
    is a millionth of money's."""
    findings = []
    for channel in roles.channels:
        kind = not_spend_kind(channel)
        if in_micros(channel) and _whole_cents_in_micros(data[channel]):
            findings.append(Finding(
                "micros",
                f"{channel!r} is named like an amount in micros, millionths of the currency "
                f"(as the Google Ads API reports cost): its ROAS would be a millionth of "
                f"money's. Divide it before mapping: {table}[{channel!r}] = "
                f"{table}[{channel!r}] / 1_000_000.", (channel,)))
        elif kind in _NOT_MEDIA:
            findings.append(Finding("not_spend", f"{channel!r} is named like {kind}, "
                                    f"{_NOT_MEDIA[kind]}", (channel,)))
        elif kind is not None:
            findings.append(Finding(
                "not_spend",
                f"{channel!r} is named like {kind}, not money spent: its ROAS will be "
                f"contribution per unit of it, and a budget will plan it, not money. Map the "
                "channel's spend instead, if the table has it.", (channel,)))
    return findings


_SCALE_NAMES = {1: "units", 1_000: "thousands", 1_000_000: "millions",
                1_000_000_000: "billions"}


def _other_scale(roles: Roles, table: str) -> list[Finding]:
    """A channel whose name gives its amounts in another scale than the target's ("TV
    spend (k€)" beside "Sales"): its ROAS would be the target per thousand spent."""
    target_scale = named_scale(roles.target)
    findings = []
    for channel in roles.channels:
        scale = named_scale(channel)
        if scale == target_scale or not_spend_kind(channel) is not None:
            continue
        # ROAS as written is the true one times scale / target_scale
        if scale > target_scale:
            factor, scaled = scale // target_scale, channel
            reads = f"{factor:,} times too high (the target per {factor:,} spent)"
        else:
            factor, scaled = target_scale // scale, roles.target
            reads = f"{factor:,} times too low"
        findings.append(Finding(
            "other_scale",
            f"{channel!r} is named in {_SCALE_NAMES[scale]} and the target {roles.target!r} "
            f"in {_SCALE_NAMES[target_scale]}: its ROAS would read {reads}. If so, write both "
            f"in one unit before mapping, and rename the column: {table}[{scaled!r}] = "
            f"{table}[{scaled!r}] * {factor:_}.", (channel,)))
    return findings


def _cents(data: pd.DataFrame, roles: Roles, table: str) -> list[Finding]:
    """Channels or the target named in cents and holding whole numbers, beside amounts
    that are not: the ROAS read from the two would be 100 times off."""
    money = [c for c in (*roles.channels, roles.target) if not not_spend_kind(c)]
    cents = [c for c in money if in_cents(c) and _whole(data[c])]
    units = [c for c in money if c not in cents]
    if not cents or not units:
        return []
    others = ", ".join(map(repr, units[:3])) + (", ..." if len(units) > 3 else "")
    return [Finding(
        "cents",
        f"{column!r} is named like an amount in cents (as payment and shop APIs write "
        f"money), beside amounts in whole units ({others}): ROAS, read from the two, would "
        f"be 100 times off. If so, divide it before mapping: {table}[{column!r}] = "
        f"{table}[{column!r}] / 100.", (column,))
        for column in cents]


def _whole(values: pd.Series) -> bool:
    """Whether every amount is a whole number, some not 0."""
    numbers = values.to_numpy(dtype=float)
    return bool(numbers.any() and (numbers == np.round(numbers)).all())


def _whole_cents_in_micros(spend: pd.Series) -> bool:
    """Whether every amount is a multiple of 10,000 (a whole cent in micros), some not 0."""
    values = spend.to_numpy(dtype=float)
    return bool(values.any() and (values % 10_000 == 0).all())


#: How each kind of text was read: amounts, then percentages (TextAmounts.percent).
_READ_AS = ((False, "Amounts written as text were read as numbers",
             "currency, spaces and thousands separators removed, a lone '-' is 0"),
            (True, "Percentages were read as the fractions they say", "'12%' is 0.12"))


def text_amounts_finding(amounts: Iterable[TextAmounts]) -> list[Finding]:
    """Notes naming the columns read as numbers from text (none when there are none)."""
    amounts = list(amounts)
    notes = []
    for percent, what, how in _READ_AS:
        columns = tuple(found.column for found in amounts if found.percent == percent)
        if columns:
            named = ", ".join(repr(c) for c in columns)
            notes.append(Finding("text_amounts", f"{what}: {named} ({how}; see the data cell).",
                                 columns))
    return notes


def left_out_finding(left_out: NonPeriodRows) -> list[Finding]:
    """A note naming the rows that are not periods the data cell left out."""
    text = left_out.describe()
    return [Finding("left_out", text, ())] if text else []


def _collinearity(data: pd.DataFrame, roles: Roles) -> list[Finding]:
    channels = list(roles.channels)
    if len(channels) < 2:
        return []
    spend = data[channels]
    correlation = _correlation(spend)
    vif = variance_inflation(spend, correlation)
    combinations = _combinations(spend, [c for c, value in vif.items() if np.isinf(value)])
    ties = [set(f.columns) for f in combinations]
    findings = list(combinations)
    # Only the flagged pairs are visited: 200 channels make 20,000 pairs.
    first, second = np.triu_indices(len(channels), k=1)
    r = correlation[first, second]
    flagged = np.flatnonzero(np.isfinite(r) & (np.abs(r) >= COLLINEAR_CORRELATION))
    for k in flagged:
        a, b = channels[first[k]], channels[second[k]]
        if any({a, b} <= tie for tie in ties):
            continue
        findings.append(Finding(
            "collinear",
            f"Spend of {a!r} and {b!r} moves together (correlation {r[k]:.2f}); the model "
            "will struggle to split credit between them. Consider merging them or adding "
            "lift tests.", (a, b)))
    named = {c for f in findings for c in f.columns}
    if combinations:
        # A tie makes the correlation matrix singular, and every VIF read from its
        # inverse unbounded: the others are read again without the columns written.
        vif = variance_inflation(spend.drop(columns=[f.columns[0] for f in combinations]))
    for column, value in vif.items():
        if value >= COLLINEAR_VIF and column not in named:
            findings.append(Finding(
                "collinear",
                f"Spend of {column!r} is largely explained by the other channels "
                f"(VIF {value:.0f}); its effect will be uncertain.", (column,)))
    return findings


def _combinations(spend: pd.DataFrame, tied: list[str]) -> list[Finding]:
    """Channels that are, on every row, a combination of two or more other channels.

    ``tied`` are the channels whose VIF is unbounded. The largest spender of a tie is
    written from the others: a combination that adds channels up is larger than each of
    them. A tie of two channels (one a multiple of the other) is left to the pairs that
    move together.
    """
    findings: list[Finding] = []
    written: set[str] = set()
    for column in sorted(tied, key=lambda c: -float(spend[c].sum())):
        if column in written:
            continue
        combination = exact_combination(spend, column, tied)
        if combination is None or len(combination.weights) < 2:
            continue
        findings.append(Finding(
            "collinear",
            f"Spend of {column!r} is an exact combination of other channels on every row: "
            f"{combination.describe()}. The model cannot tell their effects apart; drop "
            "one of them, or merge them into one channel.",
            (column, *(name for name, _ in combination.weights))))
        written.update(findings[-1].columns)
    return findings


def _correlation(spend: pd.DataFrame) -> np.ndarray:
    """Pearson correlations of the columns (NaN for a constant column), by one product.

    Much faster than ``DataFrame.corr`` on wide frames; the mapped data has no missing
    values, so the pairwise handling of NaN that ``corr`` pays for is not needed.
    """
    values = spend.to_numpy(dtype=float)
    values = values - values.mean(axis=0)
    scale = np.sqrt((values ** 2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        standard = values / scale
        correlation = standard.T @ standard
    correlation[~(scale > 0), :] = np.nan
    correlation[:, ~(scale > 0)] = np.nan
    return correlation


def variance_inflation(spend: pd.DataFrame,
                       correlation: np.ndarray | None = None) -> pd.Series:
    """Variance inflation factor of each column given the others.

    The VIFs are the diagonal of the inverse correlation matrix: one inversion for all
    columns instead of one regression per column.

    Parameters
    ----------
    spend : pandas.DataFrame
        Numeric columns.
    correlation : numpy.ndarray, optional
        Their correlation matrix, when already computed.

    Returns
    -------
    pandas.Series
        VIF per column (inf when a column is an exact combination of the others; 1.0
        for a constant column).
    """
    if correlation is None:
        correlation = _correlation(spend)
    varying = ~np.isnan(np.diag(correlation))
    result = np.ones(spend.shape[1])
    if varying.sum() >= 2:
        try:
            inverse = np.diag(np.linalg.inv(correlation[np.ix_(varying, varying)]))
        except np.linalg.LinAlgError:
            inverse = np.full(int(varying.sum()), np.inf)
        # 1 / (1 - R²) past 1e12 means R² = 1 up to rounding: an exact combination.
        result[varying] = np.where((inverse >= 1e12) | (inverse < 1 - 1e-9), np.inf,
                                   np.maximum(inverse, 1.0))
    return pd.Series(result, index=spend.columns, dtype=float)


def _small_channels(data: pd.DataFrame, roles: Roles, table: str = "df") -> list[Finding]:
    """Channels with under :data:`SMALL_SHARE` of the spend; one spending a thousand (a
    million) times less per period than the others is asked whether it is written in
    thousands (millions)."""
    channels = list(roles.channels)
    totals = data[channels].sum()
    shares = totals / totals.sum() if totals.sum() > 0 else totals * 0
    if not (shares < SMALL_SHARE).any():
        return []
    values = data[channels].to_numpy(float)
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a channel that never spends
        typical = pd.Series(np.nanmedian(np.where(values > 0, values, np.nan), axis=0),
                            index=channels)
    findings = []
    for column, share in shares.items():
        if share >= SMALL_SHARE:
            continue
        message = (f"{column!r} has {share:.1%} of total spend; its effect will be hard to "
                   "estimate. Consider merging it with a similar channel.")
        others = typical.drop(column).dropna()
        times = (float(others.median() / typical[column])
                 if len(others) >= 2 and typical[column] > 0 else 0.0)
        # the power of a thousand nearest the gap, on a log scale
        scale = 1_000 ** min(round(np.log10(times) / 3), 3) if times > 0 else 0
        if times >= SCALE_GAP * 1_000 and scale >= 1_000:
            message = (
                f"{column!r} has {share:.1%} of total spend: it spends about {times:,.0f} "
                f"times less per period than the other channels (median "
                f"{typical[column]:,.2f} against {others.median():,.2f}). Written in "
                f"{_SCALE_NAMES[scale]}? Its ROAS would then read {scale:,} times too high; "
                f"put it in the others' unit: {table}[{column!r}] = {table}[{column!r}] * "
                f"{scale:_}. If it is a small channel, its effect will be hard to estimate.")
        findings.append(Finding("small_channel", message, (column,)))
    return findings


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
