"""Suggest which column plays which role, from names, dtypes and values."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from mmm_widgets.steps.dates import parse_dates

_DATE_NAMES = re.compile(r"(^|[^a-z])(date|week|day|period|time|month|ds|dt)([^a-z]|$)", re.I)
_TARGET_WORDS = frozenset({
    "sales", "sale", "revenue", "revenues", "conversion", "conversions", "orders", "target",
    "kpi", "bookings", "signups", "units", "gmv", "income", "y", "turnover", "leads",
})
_SPEND_NAMES = re.compile(
    r"(spend|cost|budget|invest|media|_s$|(^|[^a-z])(usd|eur|gbp|dollars?|euros?)([^a-z]|$))",
    re.I,
)
_CHANNEL_WORDS = re.compile(
    r"^(tv|radio|ooh|print|search|sem|seo|social|facebook|meta|google|youtube|tiktok|display|"
    r"video|email|affiliate|podcast|programmatic|ctv|influencer)",
    re.I,
)
_CONTROL_NAMES = re.compile(
    r"(promo|holiday|event|price|index|temperature|weather|discount|competitor|trend|"
    r"covid|launch|dummy|flag|season|macro|cpi|gdp|unemployment)",
    re.I,
)
_GEO_NAMES = re.compile(r"(geo|region|market|country|state|city|dma|area|territory|store)", re.I)
_NOT_SPEND = re.compile(r"(impression|click|grp|reach|view|imps|_i$|_p$)", re.I)


def suggest_roles(df: pd.DataFrame) -> dict:
    """Guess the date, target, channel, control and geo columns of a frame.

    Parameters
    ----------
    df : pandas.DataFrame
        Raw data, wide (one column per channel).

    Returns
    -------
    dict
        ``{"date": str | None, "target": str | None, "channels": list[str],
        "controls": list[str], "geo": str | None}``. Every suggestion is a guess the
        user can change.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"DATE": ["2024-01-01", "2024-01-08"], "revenue": [1.0, 2.0],
    ...                       "tv_S": [3.0, 4.0]})
    >>> suggest_roles(frame)["channels"]
    ['tv_S']
    """
    counts = Counter(df.columns)
    # A duplicated name selects several columns at once; the mapping reports it instead.
    columns = [c for c in df.columns if isinstance(c, str) and counts[c] == 1]
    date = _pick_date(df, columns)
    rest = [c for c in columns if c != date]
    geo = _pick_geo(df, rest)
    rest = [c for c in rest if c != geo]
    numeric = [c for c in rest if _numeric_like(df[c])]
    target = _pick_target(df, numeric)
    channels, controls = [], []
    for column in numeric:
        if column == target:
            continue
        if _looks_like_spend(column, df[column]):
            channels.append(column)
        elif _looks_like_control(column, df[column]):
            controls.append(column)
    return {"date": date, "target": target, "channels": channels, "controls": controls, "geo": geo}


def _pick_date(df: pd.DataFrame, columns: list[str]) -> str | None:
    scored = []
    for position, column in enumerate(columns):
        series = df[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            scored.append((0, position, column))
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            sample = series.dropna().astype(str).head(50)
            if len(sample) and parse_dates(sample).ok:
                scored.append((1 if _DATE_NAMES.search(column) else 2, position, column))
    return min(scored)[2] if scored else None


def _pick_geo(df: pd.DataFrame, columns: list[str]) -> str | None:
    for column in columns:
        series = df[column]
        if _numeric_like(series):
            continue
        distinct = series.nunique(dropna=True)
        few = 1 < distinct <= max(50, len(df) // 20) and distinct < len(df) / 2
        if few and (_GEO_NAMES.search(column) or distinct <= 50):
            return column
    return None


def _pick_target(df: pd.DataFrame, numeric: list[str]) -> str | None:
    named = [c for c in numeric
             if _TARGET_WORDS & set(_words(c).split()) and not _SPEND_NAMES.search(c)]
    if named:
        return named[0]
    candidates = [c for c in numeric if not _SPEND_NAMES.search(c) and not _is_binary(df[c])]
    if not candidates:
        return None
    return max(candidates, key=lambda c: float(pd.to_numeric(df[c], errors="coerce").mean()))


def _looks_like_spend(column: str, series: pd.Series) -> bool:
    if _NOT_SPEND.search(column) or _is_binary(series):
        return False
    return bool(_SPEND_NAMES.search(column) or _CHANNEL_WORDS.search(_words(column).strip()))


def _looks_like_control(column: str, series: pd.Series) -> bool:
    return bool(_CONTROL_NAMES.search(column) or _is_binary(series))


def _words(column: str) -> str:
    return re.sub(r"[^a-zA-Z]+", " ", column).strip().lower()


def _numeric_like(series: pd.Series) -> bool:
    return bool(pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series))


def _is_binary(series: pd.Series) -> bool:
    if not _numeric_like(series):
        return False
    # Comparisons, not pd.unique: this runs on every column of wide, long tables.
    values = series.dropna().to_numpy(dtype=float)
    return len(values) > 0 and bool(((values == 0) | (values == 1)).all())
