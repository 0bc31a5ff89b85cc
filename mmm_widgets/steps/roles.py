"""Suggest which column plays which role, from names, dtypes and values."""

from __future__ import annotations

import numbers
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from mmm_widgets.steps.amounts import (
    abbreviated,
    abbreviated_code,
    find_text_amounts,
    with_amounts_read,
)
from mmm_widgets.steps.categorical import MAX_LEVELS, NOTHING_LEVELS
from mmm_widgets.steps.copies import copies_of_others
from mmm_widgets.steps.currencies import holds_currency_codes
from mmm_widgets.steps.dates import NUMBER_DATES, is_period, number_dates_format, parse_dates
from mmm_widgets.steps.nested import nested_columns
from mmm_widgets.steps.rows import (
    find_non_period_rows,
    second_header,
    without_non_period_rows,
)
from mmm_widgets.steps.totals import totals_of_others

_DATE_NAMES = re.compile(
    r"(^|[^a-z])(date|week|day|period|time|month|ds|dt|wk|yearweek|yearmonth|yrwk)([^a-z]|$)",
    re.I)
#: Sales and revenue in the languages whose month names the dates are read in (German,
#: French, Spanish, Italian, Dutch, Portuguese), accents dropped as :func:`_words` drops
#: them: "Umsatz", "Chiffre d'affaires", "Ventas", "Fatturato", "Omzet", "Receita".
_FOREIGN_MONEY_TARGETS = frozenset({
    "umsatz", "umsatze", "erlos", "erlose", "verkaufe", "ventes", "affaires", "ventas",
    "ingresos", "fatturato", "vendite", "ricavi", "omzet", "verkopen", "receita", "receitas",
    "vendas", "faturamento"})
#: Orders and conversions in those languages.
_FOREIGN_COUNT_TARGETS = frozenset({
    "bestellungen", "commandes", "pedidos", "conversiones", "ordini", "conversioni",
    "bestellingen", "conversoes"})
_TARGET_WORDS = frozenset({
    "sales", "sale", "revenue", "revenues", "conversion", "conversions", "orders", "target",
    "kpi", "bookings", "signups", "units", "gmv", "income", "y", "turnover", "leads",
    # the same in German, French, Spanish, Italian, Dutch and Portuguese (accents dropped)
    *_FOREIGN_MONEY_TARGETS, *_FOREIGN_COUNT_TARGETS,
})
# Words that make a column an amount spent ("Amount spent (EUR)", as Meta exports it); a
# currency alone does not (revenue has one too).
# "media" alone names a channel's execution too (Meridian's media_0 beside media_spend_0).
# "sp", "spd", "spnd" and "mdsp" (media spend) only as words of their own ("mdsp_sem",
# "tv_sp"; not "display", "sp500").
# And the same in German, French, Spanish, Italian, Dutch and Portuguese ("TV Kosten",
# "Dépenses TV", "Inversión TV", "Spesa TV", "Zoeken uitgaven", "Custo Busca"; "cost"
# and "invest" cover "Costo", "Investimento", "Investissement").
_EXPLICIT_SPEND_WORDS = (r"spend|spent|cost|budget|invest|_s$|(?<![a-z0-9])(md)?spn?d?(?![a-z0-9])|"
                         r"kosten|ausgaben|aufwand|d[ée]penses?|(?<![a-z])co[uû]ts?(?![a-z])|"
                         r"gastos?(?![a-z])|inversi[oó]n|spes[ae](?![a-z])|uitgaven|besteding|"
                         r"(?<![a-z])custos?(?![a-z])|despesas?")
_EXPLICIT_SPEND = re.compile(f"({_EXPLICIT_SPEND_WORDS})", re.I)
_SPEND_NAMES = re.compile(f"({_EXPLICIT_SPEND_WORDS}|media)", re.I)
# Drivers that are not paid media, whatever else their names say: controls (Robyn's
# demo table has its organic newsletter beside the paid channels).
_NOT_PAID_WORDS = r"non.?media|organic|newsletter|competitor|competition"
_NOT_PAID = re.compile(f"({_NOT_PAID_WORDS})", re.I)
_CURRENCY = re.compile(r"(^|[^a-z])(usd|eur|gbp|dollars?|euros?)([^a-z]|$)|[$€£]", re.I)
# A name's first word: a channel (or the start of one: "tvc", "printad"), or a medium or
# platform that is a word of its own ("press", not "pressure"; "paid search"); camel case
# comes apart ("TikTok" reads "tik tok").
_CHANNEL_WORDS = re.compile(
    r"^((tv|radio|ooh|print|search|sem|seo|social|facebook|meta|google|you ?tube|tik ?tok|"
    r"display|video|email|affiliate|podcast|programmatic|ctv|influencer)|"
    r"(newspapers?|press|magazines?|outdoor|dooh|billboards?|cinema|direct mail|mailers?|"
    r"catalogs?|sms|sponsorships?|instagram|snapchat|pinterest|linked ?in|twitter|reddit|bing|"
    r"spotify|audio|criteo|taboola|outbrain|native|retargeting|paid|ppc)\b)",
    re.I,
)
# pymc-marketing's and many textbooks' generic names: y explained by x1, x2, ...
_GENERIC_CHANNEL = re.compile(r"^x_?\d+$", re.I)
_CONTROL_NAMES = re.compile(
    r"(promo|holiday|event|price|index|temperature|temp\b|precipitation|weather|discount|"
    r"competitor|trend|covid|launch|dummy|flag|season|macro|cpi|gdp|unemployment|control|"
    r"sentiment|markdown|mrkdn|"
    # holidays and prices in German, French, Spanish, Italian, Dutch and Portuguese
    r"feiertag|f[ée]ri[ée]|festivo|feriado|feestdag|preis|prix|precio|prezzo|pre[çc]o|prijs|"
    f"{_NOT_PAID_WORDS})",
    re.I,
)
_GEO_NAMES = re.compile(r"(geo|region|market|country|state|city|dma|area|territory|store)", re.I)
# A long table's column of channel names: it repeats each date once per level, like a
# geo, and holds a few text levels, like an event control; it is neither (a national
# table's one campaign per date is an event all the same).
_CHANNEL_LIST_NAMES = re.compile(
    r"(channel|campaign|platform|medium|media|publisher|source)", re.I)
# What a channel did, not what it cost: impressions, clicks, GRPs, spots, insertions, emails
# sent and posts published.
_NOT_SPEND = re.compile(r"(impression|click|klic?k|(?<![a-z])cli(c|que)s?(?![a-z])|grp|reach|view|"
                        r"imps|_i$|_p$|spots?\b|insertion|"
                        r"(?<![a-z])(sends|sent|posts)(?![a-z]))", re.I)
# What an audience did: no spend either ("search_sessions"), but it may be the outcome to
# explain (store visits, web sessions).
_AUDIENCE = re.compile(r"(follower|likes\b|engagement|opens\b|sessions?\b|visits?\b)", re.I)
# Ratios that ad platforms export beside spend: "Cost per result", "Cost / conv.",
# "Avg. CPC", "CPM". A cost, but per something: not an amount spent.
_RATIO = re.compile(r"(\bper\b|/\s*(conv|click|result|impr|lead|order|acq|sale)|\bavg\b|"
                    r"\baverage\b|\bcp[acmv]\b|\bctr\b|\broas\b|\brate\b)", re.I)
# Money per unit of the target (Meridian's revenue_per_kpi: "revenue_per_conversion").
_VALUE_WORDS = frozenset({"revenue", "value"})
_MONEY_TARGET_WORDS = frozenset({"revenue", "revenues", "sales", "sale", "gmv", "income",
                                 "turnover", *_FOREIGN_MONEY_TARGETS})
# Where camel case starts a word: "totalRevenue", "TVImpressions" (not inside "TV", nor
# before a plural's s: "GRPs").
_CAMEL_HUMPS = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2})")
# A number as plain text: whole, with a decimal point, or in scientific notation.
_PLAIN_NUMBER = r"-?\d+(\.\d+)?([eE][+-]?\d+)?"
# pandas' name for a column without a header: almost always an index written with the table.
_UNNAMED = re.compile(r"^Unnamed: \d+$")
# A simulated table's answers (pymc-marketing's media_tvp: "x1_contribution",
# "control_contribution", "yearly_seasonality_contribution"): outputs of the model that
# made the target, which would explain it perfectly as a control.
_MODEL_OUTPUT = re.compile(r"contrib", re.I)
# A text column with more levels than this is an identifier or free text, not a control.
MAX_CONTROL_LEVELS = 20


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
        "controls": list[str], "geo": str | None, "value_per_unit": str | None,
        "long": dict | None}``.
        ``value_per_unit`` is a column of money per unit of a target that is not money
        itself (``revenue_per_conversion`` beside ``conversions``). ``long`` is set for a
        long table (one row per date, [geo,] and channel, the target repeated on each):
        ``{"channel_column": ..., "value_column": ...}``, with ``channels`` empty (every
        channel kept). Every suggestion is a guess the user can change.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"DATE": ["2024-01-01", "2024-01-08"], "revenue": [1.0, 2.0],
    ...                       "tv_S": [3.0, 4.0]})
    >>> suggest_roles(frame)["channels"]
    ['tv_S']
    """
    # Names are judged without the spaces a spreadsheet's header cells often keep
    # (" TV Spend "), and the suggestion names the columns as the table has them.
    stripped = {c: c.strip() for c in df.columns if isinstance(c, str) and c != c.strip()}
    if stripped and len({*map(str, df.columns), *stripped.values()}) == (
            len(set(map(str, df.columns))) + len(stripped)):
        back = {new: old for old, new in stripped.items()}
        suggested = _suggest_roles(df.rename(columns=stripped))
        return {role: _named_back(value, back) for role, value in suggested.items()}
    return _suggest_roles(df)


def _named_back(value: Any, back: dict[str, str]) -> Any:
    """A suggestion's column names (one, a list, a long layout's dict) renamed by ``back``."""
    if isinstance(value, str):
        return back.get(value, value)
    if isinstance(value, list):
        return [back.get(name, name) for name in value]
    if isinstance(value, dict):
        return {key: back.get(name, name) for key, name in value.items()}
    return value


#: The suggestion for a table that must be laid out anew before any role can be chosen.
_NO_ROLES = {"date": None, "target": None, "channels": [], "controls": [], "geo": None,
             "value_per_unit": None, "long": None}


def _suggest_roles(df: pd.DataFrame) -> dict:
    """:func:`suggest_roles` on a frame whose names need no stripping."""
    if nested_columns(df):  # records in cells: no roles until the table is flattened
        return dict(_NO_ROLES)
    columns = _role_candidates(df)
    date = _pick_date(df, columns)
    # A column per date, or a header over two rows: no roles until it is read as a table.
    if (date is None and dates_across(df) is not None) or second_header(df) is not None:
        return dict(_NO_ROLES)
    if date is not None:
        # A report's empty and Total rows say nothing about the roles.
        left_out = find_non_period_rows(df, columns, date)
        df = without_non_period_rows(df, left_out)
        df = df.infer_objects()  # numbers that shared a column with 'Total' are numbers
        if left_out.undated_text:  # a row of units ('EUR') made every column below it text
            df = _number_text_read(df)
    rest = [c for c in columns if c != date]
    geo = _pick_geo(df, rest, date)
    if date is not None and geo is not None:
        # nor does a Total geo beside the real ones
        df = without_non_period_rows(df, find_non_period_rows(df, columns, date, geo))
    rest = [c for c in rest if c != geo]
    # Amounts written as text ('$9,171.55') are judged as the numbers the data cell reads,
    # percentages ('12%') too: only a control can be one.
    amounts = find_text_amounts(df, rest, rates=rest)
    df = _numbers_read(with_amounts_read(df, amounts), rest)
    rates = [c for c, found in amounts.items() if found.percent]
    # A column that never changes (a channel that never spent, a placeholder of zeros)
    # explains nothing; only a fixed value per unit of the target is one.
    numbers = [c for c in rest if _numeric_like(df[c])]
    numeric = [c for c in numbers if not _constant(df[c])]
    trends = [c for c in numeric if _is_trend(df, c, date)]
    # What a platform says its ads brought is the target only when nothing else is.
    reported = reported_outcomes(rest)
    outcomes = [c for c in numeric if c not in trends and c not in rates]
    target = (_pick_target(df, [c for c in outcomes if c not in reported])
              or _pick_target(df, outcomes))
    generic = target is not None and target.lower() == "y"
    channels, controls = [], []
    value = _pick_value([c for c in numbers if c not in rates], target)
    # Dates (per geo) repeated: a long table, whose columns naming channels or campaigns
    # are neither geo nor control.
    keys = [] if date is None else [date, *([geo] if geo else [])]
    listing = (channel_list_columns(df, rest, keys)
               if keys and df.duplicated(subset=keys).any() else [])
    for column in rest:
        if column in (target, value) or column in reported or _MODEL_OUTPUT.search(column):
            continue
        if column in trends or (column in rates and column in numeric):
            controls.append(column)
        elif column in rates:
            continue
        elif column not in numeric:
            # a column of currency codes says what the amounts are in: no control
            if (_is_categorical(df[column], column) and column not in listing
                    and not holds_currency_codes(df[column])):
                controls.append(column)
        elif _looks_like_spend(column, df[column]) or (generic and
                                                       _GENERIC_CHANNEL.match(column)):
            channels.append(column)
        elif _looks_like_control(column, df[column]):
            controls.append(column)
    # Beside columns of spend (or y's x1, x2), a column named only "media" is that
    # media's execution.
    if any(_EXPLICIT_SPEND.search(c) or _GENERIC_CHANNEL.match(c) for c in channels):
        channels = [c for c in channels if not _only_media(c)]
    # A total beside the channels it sums is none of its own (its spend would count twice).
    totals = totals_of_others(df, channels)
    channels = [c for c in channels if c not in totals]
    # Nor is the same spend written again (net beside gross, in another currency).
    copies = copies_of_others(df, channels)
    channels = [c for c in channels if c not in copies]
    # A control that is the target in another unit (an index of sales) is no control.
    if target is not None:
        copies = copies_of_others(df, [target, *controls])
        controls = [c for c in controls if copies.get(c, (None,))[0] != target]
    layout = _long_layout(df, keys, listing, target, channels)
    if layout is not None:
        channels = []
    return {"date": date, "target": target, "channels": channels, "controls": controls,
            "geo": geo, "value_per_unit": value, "long": layout}


def dates_across(frame: pd.DataFrame) -> tuple[list, list] | None:
    """The columns named by dates and the others, when a table has a column per date.

    A report turned sideways (one row per channel or measure, one column per week) has
    no date column; its column names are the dates.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    tuple of list, or None
        ``(dated, labels)``: the columns whose names are dates (at least three, and more
        than the others) and the other columns; None when the table is not so.
    """
    names = list(frame.columns)
    if len(names) < 4:
        return None
    parsed = parse_dates(pd.Series([str(name) for name in names], dtype="string"))
    dated = [name for name, when in zip(names, parsed.values, strict=True) if pd.notna(when)]
    labels = [name for name in names if name not in dated]
    return (dated, labels) if len(dated) >= 3 and len(dated) > len(labels) else None


#: What a column named like activity holds, by the word of its name that says so.
_ACTIVITY = ((re.compile(r"(?<![a-z])(impr|imps)", re.I), "impressions"),
             (re.compile(r"(?<![a-z])(click|klic?k|clic|clique)", re.I), "clicks"),
             (re.compile(r"(?<![a-z])(grp|trp)", re.I), "GRPs"),
             (re.compile(r"(?<![a-z])reach(?![a-z])", re.I), "reach"),
             (re.compile(r"(?<![a-z])views?(?![a-z])", re.I), "views"),
             (re.compile(r"(?<![a-z])(sends|sent)(?![a-z])", re.I), "messages sent"),
             (re.compile(r"(?<![a-z])posts(?![a-z])", re.I), "posts"))


#: Words naming what a channel brought, as its ad platform reports it ("Facebook
#: Conversions", "Google Ads Conv. value", "tiktok_purchases").
_REPORTED_WORDS = frozenset({"conversion", "conversions", "conv", "convs", "purchase",
                             "purchases", "results", "leads", "installs", "orders", "revenue",
                             "sales", "transactions", "signups", "bookings"})
#: Words that qualify such an outcome or an amount without naming a channel.
_QUALIFIERS = frozenset({"value", "attributed", "reported", "platform", "total", "all", "net",
                         "gross", "eur", "usd", "gbp", "k", "m"})
#: Words that make a column the spend of the channel the rest of its name names.
_SPEND_WORDS = frozenset({"spend", "spent", "cost", "costs", "budget", "investment", "invest",
                          "s", "sp", "spd", "spnd", "mdsp", "amount"})


def reported_outcomes(columns: Iterable[str]) -> dict[str, str]:
    """The columns that hold what one channel brought, as its ad platform reports it.

    A platform counts the conversions (purchases, revenue) it credits its own ads with.
    That is an outcome of the channel, not money spent on it, and only the part of the
    business's outcome the platform claims: neither a channel, a control nor the target.
    A column is one when its name holds an outcome word ("conversions", "revenue") and
    no spend word, and the rest of its name names a channel: by a channel's or platform's
    word ("Facebook Conversions", "Google Ads Conv. value"), or as a spend column's name
    does without its spend word ("Channel0_conversions" beside "Channel0_spend").

    Parameters
    ----------
    columns : iterable of str
        A table's column names.

    Returns
    -------
    dict of str to str
        Each such column and the channel its name names, in words (``"facebook"``).

    Examples
    --------
    >>> reported_outcomes(["Week", "Revenue", "Facebook Spend", "Facebook Conversions",
    ...                    "Channel0_spend", "Channel0_conversions", "Cost / conv."])
    {'Facebook Conversions': 'facebook', 'Channel0_conversions': 'channel 0'}
    """
    names = [c for c in columns if isinstance(c, str)]
    spent = {tuple(w for w in _name_words(c) if w not in _SPEND_WORDS | _QUALIFIERS)
             for c in names if _EXPLICIT_SPEND.search(c) and not _is_ratio(c)}
    reported = {}
    for column in names:
        words = _name_words(column)
        if (not _REPORTED_WORDS & set(words) or _EXPLICIT_SPEND.search(column)
                or _is_ratio(column) or _NOT_SPEND.search(column)):
            continue
        rest = tuple(w for w in words if w not in _REPORTED_WORDS | _QUALIFIERS)
        if rest and (rest in spent or _CHANNEL_WORDS.search(" ".join(rest))):
            reported[column] = " ".join(rest)
    return reported


def spend_of(channel: str, columns: Iterable[str]) -> str | None:
    """The spend column of the channel a :func:`reported_outcomes` column names, if any.

    Examples
    --------
    >>> spend_of("facebook", ["Facebook Conversions", "Facebook Spend"])
    'Facebook Spend'
    """
    named = tuple(channel.split())
    return next((c for c in columns if isinstance(c, str) and _EXPLICIT_SPEND.search(c)
                 and not _is_ratio(c) and tuple(
                     w for w in _name_words(c) if w not in _SPEND_WORDS | _QUALIFIERS) == named),
                None)


def _name_words(column: str) -> list[str]:
    """A name's lower-case words and numbers: ``"Channel0_spend"`` -> ``channel, 0, spend``."""
    return re.findall(r"[a-z]+|\d+", _CAMEL_HUMPS.sub(" ", _unaccented(column)).lower())


def not_spend_kind(column: str) -> str | None:
    """What a column holds when its name says it is not money spent, else None.

    Parameters
    ----------
    column : str
        A column's name, e.g. ``"tv_impressions"`` or ``"Cost per result"``.

    Returns
    -------
    str or None
        ``"impressions"``, ``"clicks"``, ``"GRPs"``, ``"reach"``, ``"views"``,
        ``"messages sent"``, ``"posts"`` or ``"a ratio"``; None when the name may be spend.

    Examples
    --------
    >>> not_spend_kind("TV GRPs"), not_spend_kind("Cost / conv."), not_spend_kind("tv_S")
    ('GRPs', 'a ratio', None)
    >>> not_spend_kind("email_sends"), not_spend_kind("Instagram posts")
    ('messages sent', 'posts')
    """
    if _is_ratio(column):
        return "a ratio"
    return next((kind for words, kind in _ACTIVITY if words.search(_words(column))), None)


#: Words that make an outcome's name the demand around it: the market's or category's
#: sales (ours among them) are a control of demand, not our outcome.
_DEMAND_WORDS = frozenset({"category", "market", "industry", "sector"})


def named_like_outcome(column: str) -> bool:
    """Whether a name says the column is an outcome (orders, sessions, revenue), not a
    driver of one; "Competitor sales", "Category sales" and the like are drivers.

    Examples
    --------
    >>> named_like_outcome("Orders"), named_like_outcome("Web sessions")
    (True, True)
    >>> named_like_outcome("Competitor sales"), named_like_outcome("holiday")
    (False, False)
    >>> named_like_outcome("Category sales"), named_like_outcome("market_revenue")
    (False, False)
    """
    return bool((named_like_target(column) or _AUDIENCE.search(column))
                and not _CONTROL_NAMES.search(column)
                and not _DEMAND_WORDS & set(_words(column).split()))


#: Words naming an outcome counted, not money.
_COUNT_WORDS = frozenset({"conversion", "conversions", "orders", "order", "bookings",
                          "signups", "units", "leads", "installs", "transactions", "visits",
                          "customers", "subscribers"})


def named_like_count(column: str) -> bool:
    """Whether a name says its outcome is counted (conversions, orders), not money.

    Examples
    --------
    >>> named_like_count("Conversions"), named_like_count("Net Revenue (EUR)")
    (True, False)
    """
    return bool(_COUNT_WORDS & set(_words(column).split()))


def named_like_spend(column: str) -> bool:
    """Whether a name says its column is money spent on a channel: a spend word
    ("spend", "cost", "_S") or a medium's or platform's ("TV", "Paid Social"), and no
    word of activity, audience, ratio or control.

    Examples
    --------
    >>> named_like_spend("tv_spend"), named_like_spend("Paid Social")
    (True, True)
    >>> named_like_spend("tv_impressions"), named_like_spend("revenue")
    (False, False)
    """
    if (_NOT_SPEND.search(column) or _AUDIENCE.search(column) or _NOT_PAID.search(column)
            or _is_ratio(column)):
        return False
    if _CONTROL_NAMES.search(column) and not _EXPLICIT_SPEND.search(column):
        return False
    return bool(_SPEND_NAMES.search(column) or _CHANNEL_WORDS.search(_words(column)))


def no_roles() -> dict:
    """The suggestion for a table that must be laid out anew before any role can be
    chosen: no role suggested."""
    return dict(_NO_ROLES)


def named_like_target(column: str) -> bool:
    """Whether a name holds a word outcomes are named by (sales, revenue, conversions, ...).

    Examples
    --------
    >>> named_like_target("Net Sales"), named_like_target("tv")
    (True, False)
    """
    return bool(_TARGET_WORDS & set(_words(column).split()))


#: Words naming the unit of an amount in thousands or millions ("Spend (k€)", "Revenue
#: (EUR m)", "Sales ('000)", "Umsatz TEUR"): the scale each says.
_SCALE_WORDS = {
    **dict.fromkeys(("000", "000s", "'000", "thousand", "thousands", "tsd", "teur", "tusd",
                     "tgbp", "tchf"), 1_000),
    **dict.fromkeys(("mm", "mn", "mln", "mio", "million", "millions", "meur", "musd",
                     "mgbp"), 1_000_000),
    **dict.fromkeys(("bn", "billion", "billions", "mrd"), 1_000_000_000),
}
# "k" and "m" alone say a scale only beside a currency or in brackets ("k€", "(m)"):
# the tokens that make that context.
_SHORT_SCALE_WORDS = {"k": 1_000, "m": 1_000_000}
_UNIT_TOKENS = re.compile(r"'000|[A-Za-z]+|\d+|[$€£()\[\]]")
_SCALE_CONTEXT_TOKENS = frozenset({"$", "€", "£", "eur", "usd", "gbp", "chf", "jpy", "(", ")",
                              "[", "]"})


def named_scale(column: str) -> int:
    """The scale a column's name gives its amounts: 1, 1,000 or 1,000,000 (or 10**9).

    Examples
    --------
    >>> named_scale("TV spend (k€)"), named_scale("Revenue (EUR m)"), named_scale("Sales")
    (1000, 1000000, 1)
    >>> named_scale("Umsatz TEUR"), named_scale("tv_m"), named_scale("Sales ('000)")
    (1000, 1, 1000)
    """
    tokens = [token.lower() for token in _UNIT_TOKENS.findall(column)]
    for token in tokens:
        if token in _SCALE_WORDS:
            return _SCALE_WORDS[token]
    if _SCALE_CONTEXT_TOKENS & set(tokens):
        for token in tokens:
            if token in _SHORT_SCALE_WORDS:
                return _SHORT_SCALE_WORDS[token]
    return 1


def in_micros(column: str) -> bool:
    """Whether a column is named like an amount in micros (millionths of the currency), as
    the Google Ads API reports cost (``cost_micros``, ``costMicros``).

    Examples
    --------
    >>> in_micros("metrics.cost_micros"), in_micros("costMicros"), in_micros("microsoft_ads")
    (True, True, False)
    """
    return "micros" in _words(column).split()


def in_cents(column: str) -> bool:
    """Whether a column is named like an amount in cents (hundredths of the currency), as
    payment and shop APIs write money (``amount_cents``, ``revenueCents``).

    Examples
    --------
    >>> in_cents("spend_cents"), in_cents("revenueCents"), in_cents("discount_percent")
    (True, True, False)
    """
    return bool({"cents", "cent", "pence"} & set(_words(column).split()))


def _is_ratio(column: str) -> bool:
    """Whether a column is named like a ratio an ad platform exports (:data:`_RATIO`)."""
    return bool(_RATIO.search(column.replace("_", " ")))


def _number_text_read(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each text column whose every value is a plain number read as numbers."""
    read = df.copy()
    for position in range(df.shape[1]):
        values = df.iloc[:, position]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            numbers = pd.to_numeric(values, errors="coerce")
            if values.notna().any() and numbers.notna().sum() == values.notna().sum():
                read.isetitem(position, numbers)
    return read


def date_column(df: pd.DataFrame) -> str | None:
    """The column :func:`suggest_roles` would suggest as the date, judged by its values.

    Parameters
    ----------
    df : pandas.DataFrame
        The raw table.

    Returns
    -------
    str or None
        None when no column holds dates.
    """
    return _pick_date(df, _role_candidates(df))


def _role_candidates(df: pd.DataFrame) -> list[str]:
    """The columns that can take a role: named by text, once (a duplicated name selects
    several columns at once; the mapping reports it instead), not an index written with
    the table (``Unnamed: 0``)."""
    counts = Counter(df.columns)
    return [c for c in df.columns
            if isinstance(c, str) and counts[c] == 1 and not _UNNAMED.match(c)]


def _pick_date(df: pd.DataFrame, columns: list[str]) -> str | None:
    scored = []
    for position, column in enumerate(columns):
        series = df[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            # an empty cell (a row of units above the dates) is no date, nor a wrong one
            empty = series.eq("")
            series = series.mask(empty) if empty.any() else series
        if pd.api.types.is_datetime64_any_dtype(series) or is_period(series):
            scored.append((0, position, column))
        elif ((numbers := number_dates_format(series)) is not None
              and _DATE_NAMES.search(column)
              and _regular(series, NUMBER_DATES[numbers].per_day)):
            scored.append((1, position, column))
        elif (pd.api.types.is_integer_dtype(series) and _DATE_NAMES.search(column)
              and parse_dates(series.dropna().head(50)).ok):
            scored.append((1, position, column))  # 20240131, as Google Analytics writes it
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            sample = series.dropna().astype(str).head(50)
            if len(sample) and parse_dates(sample).ok:
                scored.append((1 if _DATE_NAMES.search(column) else 2, position, column))
    return min(scored)[2] if scored else None


def _pick_geo(df: pd.DataFrame, columns: list[str], date: str | None) -> str | None:
    # A panel repeats each date once per geo; a table whose dates are all distinct has no
    # geo, however much a text column (events, campaigns) looks like one.
    if date is not None and not df[date].duplicated().any():
        return None
    # A long panel repeats each date and geo once per channel (or campaign) too.
    listed = [] if date is None else channel_list_columns(df, columns, [date])
    for column in columns:
        series = df[column]
        # Geos may be codes (DMA 501, store 12) in a column named like a geo.
        coded = pd.api.types.is_integer_dtype(series) and bool(_GEO_NAMES.search(column))
        if (_numeric_like(series) and not coded) or _lists_channels(column):
            continue
        distinct = series.nunique(dropna=True)
        few = 1 < distinct <= max(50, len(df) // 20) and distinct < len(df) / 2
        if not few or not (_GEO_NAMES.search(column) or distinct <= 50):
            continue
        if date is None or not df.duplicated(subset=[date, column]).any():
            return column
        # Only where the geos differ within a date: an event repeats on a date's rows.
        if listed and not df.duplicated(subset=[date, column, *listed]).any() \
                and (df.groupby(date, sort=False)[column].nunique() > 1).any():
            return column
    return None


def _pick_target(df: pd.DataFrame, numeric: list[str]) -> str | None:
    # "Competitor sales" is a control and "revenue per conversion" a ratio, not the outcome.
    named = [c for c in numeric
             if _TARGET_WORDS & set(_words(c).split()) and not _SPEND_NAMES.search(c)
             and not _CONTROL_NAMES.search(c) and "per" not in _words(c).split()]
    if named:
        # Money before units ("Total sales" before "Orders": ROAS is money per money), then
        # sales after discounts and returns before gross sales, then a column named by the
        # word alone ("y", "Sales $") before one that only holds it ("init_target", "y_lag").
        return min(named, key=lambda c: (not (_MONEY_TARGET_WORDS & set(_words(c).split())
                                              or _CURRENCY.search(c)),
                                         "gross" in _words(c).split(),
                                         _words(c) not in _TARGET_WORDS))
    # Otherwise the outcome is a positive series, never a spend or a flag: the largest one.
    candidates = [c for c in numeric if not _SPEND_NAMES.search(c) and not _NOT_SPEND.search(c)
                  and not _CHANNEL_WORDS.search(_words(c)) and not _is_binary(df[c])
                  and not _GENERIC_CHANNEL.match(c)]
    positive = [c for c in candidates if pd.to_numeric(df[c], errors="coerce").min() > 0]
    pool = positive or candidates
    if not pool:
        return None
    return max(pool, key=lambda c: float(pd.to_numeric(df[c], errors="coerce").mean()))


def _pick_value(numeric: list[str], target: str | None) -> str | None:
    if target is None or _MONEY_TARGET_WORDS & set(_words(target).split()) \
            or _CURRENCY.search(target):
        return None
    for column in numeric:
        words = set(_words(column).split())
        if column != target and "per" in words and words & _VALUE_WORDS:
            return column
    return None


def _looks_like_spend(column: str, series: pd.Series) -> bool:
    if _is_binary(series):
        return False
    if named_like_spend(column):
        return True
    # Named as a control, and not as an amount spent: "search_index" (Google Trends),
    # "social_sentiment", "tv_holiday_flag"; an amount in a currency otherwise.
    if (_NOT_SPEND.search(column) or _AUDIENCE.search(column) or _NOT_PAID.search(column)
            or _is_ratio(column) or _CONTROL_NAMES.search(column)):
        return False
    return bool(_CURRENCY.search(column) and not _TARGET_WORDS & set(_words(column).split()))


def _only_media(column: str) -> bool:
    """Whether only the word "media" makes the column look like spend."""
    return bool(re.search("media", column, re.I)) and not (
        _EXPLICIT_SPEND.search(column) or _CHANNEL_WORDS.search(_words(column))
        or _CURRENCY.search(column))


def _long_layout(df: pd.DataFrame, keys: list[str], listing: list[str], target: str | None,
                 spend: list[str]) -> dict[str, str] | None:
    """The channel and spend columns of a long table, or None for a wide one.

    A long table repeats each date (in each geo) once per channel, names the channel in a
    text column (``listing``, fewest levels first: a channel before its campaigns) and
    repeats the target on every row; its spend is the one spend-like column (an explicit
    spend or cost first).
    """
    if not listing or target is None or not spend:
        return None
    if (df.groupby(keys, sort=False)[target].nunique(dropna=False) > 1).any():
        return None
    value = next((c for c in spend if _EXPLICIT_SPEND.search(c)), spend[0])
    return {"channel_column": listing[0], "value_column": value}


def channel_list_columns(df: pd.DataFrame, columns: list[str], keys: list[str]) -> list[str]:
    """The text columns naming a long table's channels: those varying within ``keys``.

    Parameters
    ----------
    df : pandas.DataFrame
        The raw table.
    columns : list of str
        Columns to consider.
    keys : list of str
        The date column (and the geo column) each row belongs to.

    Returns
    -------
    list of str
        The columns named like a list of channels (channel, campaign, platform, ...)
        with a few text levels, more than one of them on some date, fewest levels first.
    """
    per_key = df.groupby(keys, sort=False)
    named = [c for c in columns if isinstance(c, str) and c not in keys
             and _lists_channels(c) and not _numeric_like(df[c])
             and 1 < df[c].nunique(dropna=True) <= 2 * MAX_CONTROL_LEVELS
             and (per_key[c].nunique(dropna=True) > 1).any()]
    return sorted(named, key=lambda c: df[c].nunique(dropna=True))


def _lists_channels(column: str) -> bool:
    """Whether a column is named like a long table's column of channel names."""
    return bool(_CHANNEL_LIST_NAMES.search(column) and not _GEO_NAMES.search(column))


def _looks_like_control(column: str, series: pd.Series) -> bool:
    return bool(_CONTROL_NAMES.search(column) or _is_binary(series))


def _words(column: str) -> str:
    """A column's name as lower-case words: ``"Net Revenue (EUR)"`` -> ``"net revenue eur"``;
    camel case too, as APIs name fields: ``"totalRevenue"``, ``"TVImpressions"``."""
    apart = _CAMEL_HUMPS.sub(" ", _unaccented(column))
    return re.sub(r"[^a-zA-Z]+", " ", apart).strip().lower()


def _unaccented(text: str) -> str:
    """``text`` without its accents ("Dépenses" -> "Depenses", "Umsätze" -> "Umsatze")."""
    apart = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in apart if not unicodedata.combining(c))


def _numbers_read(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``df`` with those of its ``columns`` that the mapping reads as numbers (or names with
    the line that does) read as those numbers, so the suggestion judges them by their
    values (:func:`_as_numbers`)."""
    read = {c: numbers for c in columns if (numbers := _as_numbers(df[c], c)) is not None}
    return df.assign(**read) if read else df


def _as_numbers(series: pd.Series, column: str) -> pd.Series | None:
    """The numbers a column of objects or text holds, or None when it holds none.

    - Python number objects, as the data cell's ``astype('float64')`` reads them:
      ``decimal.Decimal`` values, which a database's NUMERIC columns read as
      (``pd.read_sql``);
    - amounts abbreviated by their scale (``'$91.7K'``), as the numbers they round to, by
      the line the mapping's problem gives to read them;
    - numbers written as text, as ``astype('float64')`` reads them: in scientific
      notation (``2.9669E+05``, a spreadsheet's wide number), and whole numbers where the
      name says they count money or activity (APIs write 64-bit integers as text:
      ``"costMicros": "1234000"``). Other whole numbers written as text (ids, zip codes,
      DMA codes) are left as they are.
    """
    if series.dtype == object and series.notna().any() and all(
            isinstance(value, numbers.Number) and not isinstance(value, bool)
            for value in series.dropna()):
        return series.astype("float64")
    if not (series.dtype == object or pd.api.types.is_string_dtype(series)):
        return None
    texts = series.dropna().astype(str)
    if not len(texts):
        return None
    if abbreviated(texts.unique()):
        return eval(abbreviated_code("series"), {"series": series})
    texts = texts.str.strip()
    if not texts.str.fullmatch(_PLAIN_NUMBER).all():
        return None
    words = _words(column)
    named = (_SPEND_NAMES.search(column) or _NOT_SPEND.search(column)
             or _AUDIENCE.search(column)
             or _CHANNEL_WORDS.search(words) or _TARGET_WORDS & set(words.split()))
    return series.astype("float64") if named or texts.str.contains("[eE]").any() else None


def _numeric_like(series: pd.Series) -> bool:
    return bool(pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series))


def _constant(series: pd.Series) -> bool:
    values = series.dropna().to_numpy(dtype=float)
    return len(values) == 0 or bool(values.min() == values.max())


def _is_binary(series: pd.Series) -> bool:
    if not _numeric_like(series):
        return False
    # Comparisons, not pd.unique: this runs on every column of wide, long tables.
    values = series.dropna().to_numpy(dtype=float)
    return len(values) > 0 and bool(((values == 0) | (values == 1)).all())


def _is_trend(df: pd.DataFrame, column: str, date: str | None) -> bool:
    """Whether a column counts the periods: 0..n-1 (or 1..n) in date order."""
    frame = df[[date, column]].drop_duplicates() if date is not None else df[[column]]
    if date is not None and frame[date].duplicated().any():
        return False
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    if len(values) < 3 or np.isnan(values).any():
        return False
    steps = np.diff(np.sort(values))
    return bool((steps == 1).all() and values.min() in (0.0, 1.0))


def _is_categorical(series: pd.Series, column: str) -> bool:
    """A text column with a few repeated levels (events, holidays, promotions); or, as a
    calendar of named days is, empty on most rows and named like events, with up to the
    levels a control may have (:data:`~mmm_widgets.steps.categorical.MAX_LEVELS`)."""
    distinct = series.nunique(dropna=True)
    if not 1 < distinct < len(series) / 2:
        return False
    if distinct <= MAX_CONTROL_LEVELS:
        return True
    nothing = series.isna() | series.astype(str).str.strip().str.lower().isin(NOTHING_LEVELS)
    return bool(distinct <= MAX_LEVELS and _CONTROL_NAMES.search(column)
                and nothing.mean() >= 0.5)


def _regular(series: pd.Series, per_day: float = 1.0) -> bool:
    """Whether numbers step like the dates of daily, weekly or monthly rows.

    ``per_day`` numbers make a day (86,400 for Unix seconds); a timestamp's step may be an
    hour off a whole day, where a local midnight moves with daylight saving.
    """
    steps = np.diff(np.sort(pd.to_numeric(pd.Series(series)).dropna().unique()))
    if len(steps) == 0:
        return False
    days, hour = float(np.median(steps)) / per_day, 1 / 24 if per_day > 1 else 0.0
    return any(abs(days - d) <= hour for d in (1, 7)) or 28 - hour <= days <= 31 + hour
