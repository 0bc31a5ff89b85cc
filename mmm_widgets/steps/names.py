"""What a column's name says it holds: sales, spend, activity, a ratio, a scale.

The words tables name their columns by, in English and in the languages whose month names
the dates are read in (German, French, Spanish, Italian, Dutch, Portuguese; accents
dropped), and the tests of a name built on them: an outcome (:func:`named_like_target`,
:func:`named_like_outcome`, :func:`named_like_count`), money spent
(:func:`named_like_spend`), activity or a ratio (:func:`not_spend_kind`), the scale of an
amount (:func:`named_scale`, :func:`in_micros`, :func:`in_cents`), and what an ad platform
reports its ads brought (:func:`reported_outcomes`). :mod:`~mmm_widgets.steps.roles`
suggests roles from these and the values; the data step's notes read them too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Sales and revenue in the languages whose month names the dates are read in (German,
#: French, Spanish, Italian, Dutch, Portuguese), accents dropped as :func:`lower_words` drops
#: them: "Umsatz", "Chiffre d'affaires", "Ventas", "Fatturato", "Omzet", "Receita".
_FOREIGN_MONEY_TARGETS = frozenset({
    "umsatz", "umsatze", "erlos", "erlose", "verkaufe", "ventes", "affaires", "ventas",
    "ingresos", "fatturato", "vendite", "ricavi", "omzet", "verkopen", "receita", "receitas",
    "vendas", "faturamento"})
#: Orders and conversions in those languages.
_FOREIGN_COUNT_TARGETS = frozenset({
    "bestellungen", "commandes", "pedidos", "conversiones", "ordini", "conversioni",
    "bestellingen", "conversoes"})
TARGET_WORDS = frozenset({
    "sales", "sale", "revenue", "revenues", "conversion", "conversions", "orders", "target",
    "kpi", "bookings", "signups", "units", "gmv", "income", "y", "turnover", "leads",
    "customers", "acquisitions", "installs", "registrations", "mql", "mqls",
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
_EXPLICIT_SPEND_WORDS = (r"spend|spent|cost|budget|invest|expen(ses?|ditures?)|_s$|"
                         r"(?<![a-z0-9])(md)?spn?d?(?![a-z0-9])|"
                         r"kosten|ausgaben|aufwand|d[ée]penses?|(?<![a-z])co[uû]ts?(?![a-z])|"
                         r"gastos?(?![a-z])|inversi[oó]n|spes[ae](?![a-z])|uitgaven|besteding|"
                         r"(?<![a-z])custos?(?![a-z])|despesas?")
EXPLICIT_SPEND = re.compile(f"({_EXPLICIT_SPEND_WORDS})", re.I)
SPEND_NAMES = re.compile(f"({_EXPLICIT_SPEND_WORDS}|media)", re.I)
# Drivers that are not paid media, whatever else their names say: controls (Robyn's
# demo table has its organic newsletter beside the paid channels).
_NOT_PAID_WORDS = r"non.?media|organic|newsletter|competitor|competition|(?<![a-z])comp(?![a-z])"
NOT_PAID = re.compile(f"({_NOT_PAID_WORDS})", re.I)
CURRENCY = re.compile(r"(^|[^a-z])(usd|eur|gbp|dollars?|euros?)([^a-z]|$)|[$€£]", re.I)
# A name's first word: a channel (or the start of one: "tvc", "printad"), or a medium or
# platform that is a word of its own ("press", not "pressure"; "paid search"); camel case
# comes apart ("TikTok" reads "tik tok").
CHANNEL_WORDS = re.compile(
    # where or how it runs may come first: online display, national TV, linear TV; or its
    # number in a plan's list of channels ("CH4_TV", "CH_12_Facebook ads")
    r"^((online|digital|mobile|linear|national|local|regional|ch|chnl) )?"
    r"((tv|radio|ooh|print|search|sem|seo|social|facebook|meta|google|you ?tube|tik ?tok|"
    r"display|video|email|affiliate|podcast|programmatic|ctv|influencer)|"
    r"(newspapers?|press|magazines?|outdoor|dooh|billboards?|cinema|direct mail|mailers?|"
    r"catalogs?|sms|sponsorships?|instagram|snapchat|pinterest|linked ?in|twitter|reddit|bing|"
    r"posters?|internet|pay per click|"
    r"banners?|spotify|audio|criteo|taboola|outbrain|native|retargeting|paid|ppc|"
    # programmatic and streaming buys as agencies' plans name them ("DV360" reads "dv")
    r"dv|dsp|b?vod|avod|ams|"
    # Google's Performance Max campaigns ("Perf max", "PMax"), China's and Korea's platforms
    r"p ?max|perf(ormance)? max|wechat|weibo|baidu|douyin|naver|kakao|"
    # Google's Shopping campaigns, alone ("Shopping", "Shopping ads"; not "shopping days")
    r"shopping(?=$| ads?\b| campaigns?\b))\b)",
    re.I,
)
# pymc-marketing's and many textbooks' generic names: y explained by x1, x2, ...
GENERIC_CHANNEL = re.compile(r"^x_?\d+$", re.I)
# A channel by its number ("channel_1", "media 2"; "Channel3_frequency" starts as one), as
# simulated tables and anonymised exports name them: never the outcome.
NUMBERED_CHANNEL = re.compile(r"(channel|media)[ _-]?\d+", re.I)
# Each geo's population (Meridian's ``population``): a size, never the outcome.
POPULATION = re.compile(r"(?i)^(?:.*\b)?(population|pop|inhabitants|residents)(?:\b.*)?$")
CONTROL_NAMES = re.compile(
    r"(promo|holiday|event|price|index|temperature|temp\b|precipitation|weather|discount|"
    r"competitor|trend|covid|launch|dummy|flag|season|macro|cpi|gdp|employment|inflation|control|"
    r"sentiment|markdown|mrkdn|coupon|voucher|rebate|"
    # consumers' trust in the economy; Google's query volume for the category (Meridian's GQV)
    r"(?<![a-z])trust(?![a-z])|(?<![a-z])gqv(?![a-z])|"
    # the market's state: distribution, shelf price, confidence, fuel, the stores open
    r"distribution|(?<![a-z])rsp(?![a-z])|confidence|(?<![a-z])gas(?![a-z])|"
    r"(?<![a-z])st_ct(?![a-z])|stores?[ _]?(count|ct|number)|num(ber)?[ _]?(of[ _])?stores|"
    # holidays and prices in German, French, Spanish, Italian, Dutch and Portuguese
    r"feiertag|f[ée]ri[ée]|festivo|feriado|feestdag|preis|prix|precio|prezzo|pre[çc]o|prijs|"
    f"{_NOT_PAID_WORDS})",
    re.I,
)
# What a channel runs, counted: "No_of_banners", "Number of TV spots" (not handsets sold).
_RAN = (r"((tv |radio )?(banners?|ads?|adverts?|spots?|insertions?|e?mails?|mailers?|posts?|"
        r"placements?|creatives?|messages?|sms|texts?|flyers?|leaflets?|billboards?)"
        r"(?![a-z]))")
# What a channel did, not what it cost: impressions, clicks, GRPs, spots, insertions, emails
# sent and posts published.
NOT_SPEND = re.compile(r"(impression|(?<!pay per )(?<!pay-per-)(?<!pay_per_)click|klic?k|"
                       r"(?<![a-z])cli(c|que)s?(?![a-z])|grp|reach|view|"
                       r"imps|_i$|_p$|spots?\b|insertion|"
                       r"(?<![a-z])(sends?|sent|delivered|posts)(?![a-z])|"
                       # a count of what ran ("Ad2 (No_of_banners)"), not of what sold
                       r"(?<![a-z])(no|num|number)[ _.]+of[ _]+" + _RAN + ")", re.I)
# What an audience did: no spend either ("search_sessions"), but it may be the outcome to
# explain (store visits, web sessions).
AUDIENCE = re.compile(r"(follower|likes\b|engagement|sessions?\b|visits?\b|"
                      # emails opened, a podcast's streams, the searches made for the brand
                      r"(?<![a-z])(opens|opened|streams?|listens|quer(y|ies))(?![a-z]))", re.I)
# A medium's volume ("tv.volume", "Radio volume"): its GRPs or spots, not its spend.
_MEDIA_VOLUME = re.compile(r"^(tv|radio|print|press|ooh|outdoor|display|video|cinema)\b.*"
                           r"\bvolumes?\b")
# An index ("tv.budget.index", "price_index") is a level relative to a base, never money.
_INDEX = re.compile(r"(?<![a-z])ind(ex|ices)(?![a-z])", re.I)
# Ratios that ad platforms export beside spend: "Cost per result", "Cost / conv.",
# "Avg. CPC", "CPM". A cost, but per something: not an amount spent. Shares of the budget
# or of voice ("tv_share", "Search %", "tv_sov") are ratios too.
_RATIO = re.compile(r"(\bper\b|/\s*(conv|click|result|impr|lead|order|acq|sale)|\bavg\b|"
                    r"\baverage\b|\bcp[acmv]\b|\bctr\b|\broas\b|\brate\b|\bshare\b|"
                    r"\bpct\b|\bpercent(age)?\b|%|\bsov\b)", re.I)
# Money per unit of the target (Meridian's revenue_per_kpi: "revenue_per_conversion").
VALUE_WORDS = frozenset({"revenue", "value"})
MONEY_TARGET_WORDS = frozenset({"revenue", "revenues", "sales", "sale", "gmv", "income",
                                 "turnover", *_FOREIGN_MONEY_TARGETS})
# Where camel case starts a word: "totalRevenue", "TVImpressions" (not inside "TV", nor
# before a plural's s: "GRPs").
_CAMEL_HUMPS = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z]{2})")


#: What a column named like activity holds, by the word of its name that says so.
_ACTIVITY = ((re.compile(r"(?<![a-z])(impr|imps)", re.I), "impressions"),
             (re.compile(r"(?<![a-z])(?<!pay per )(click|klic?k|clic|clique)", re.I), "clicks"),
             (re.compile(r"(?<![a-z])(tv|radio)?(grp|trp)", re.I), "GRPs"),
             (re.compile(r"(?<![a-z])reach(?![a-z])", re.I), "reach"),
             (re.compile(r"(?<![a-z])views?(?![a-z])", re.I), "views"),
             (re.compile(r"(?<![a-z])(sends?|sent|delivered)(?![a-z])", re.I), "messages sent"),
             (_MEDIA_VOLUME, "volume"),
             (re.compile(r"(?<![a-z])posts(?![a-z])", re.I), "posts"),
             (re.compile(r"(?<![a-z])(no|num|number) of " + _RAN, re.I), "a count"))
#: The kinds of activity :func:`not_spend_kind` names (a table may measure its media so).
ACTIVITY_KINDS = tuple(kind for _, kind in _ACTIVITY)


#: Words of a plan or a forecast: what was to be spent or sold, not what was ("TV Spend
#: Plan", "Planned TV Budget", "Sales Forecast"); finance tables set them beside actuals.
PLAN_WORDS = frozenset({"plan", "planned", "budgeted", "forecast", "forecasted", "fcst",
                         "projected", "projection", "goal", "goals", "estimate", "estimated",
                         "outlook", "guidance",
                         # German, French, Spanish, Italian, Dutch, Portuguese (no accents)
                         "planung", "geplant", "prognose", "soll", "prevision", "previsions",
                         "prevu", "prevue", "objectif", "pronostico", "objetivo",
                         "previsione", "previsto", "obiettivo", "previsao"})
#: Last year's figures beside this year's ("Sales LY", "TV Spend PY", "Revenue prior
#: year"), as finance tables set them.
PAST_WORDS = re.compile(r"\b(ly|py|yago|(last|prior|previous|prev) year|years? ago|vorjahr|"
                   r"annee precedente|ano anterior|anno precedente|vorig jaar)\b")
#: Costs that buy no media: the business's other costs, "cost" in their names all the same.
_OTHER_COST_WORDS = frozenset({
    "shipping", "delivery", "freight", "fulfilment", "fulfillment", "logistics", "warehouse",
    "warehousing", "packaging", "cogs", "goods", "production", "salaries", "salary",
    "payroll", "wages", "rent", "utilities", "tax", "taxes", "vat", "duty", "duties",
    "overhead", "overheads", "opex", "capex", "insurance", "depreciation", "refunds"})
#: What a price cut costs: a promotion's depth, a control, not a channel ("Discount Cost").
_PRICE_CUT_WORDS = frozenset({"discount", "discounts", "coupon", "coupons", "voucher",
                              "vouchers", "markdown", "markdowns", "rebate", "rebates"})
#: What :func:`not_media_kind` calls each.
PLAN, PAST, OTHER_COST, PRICE_CUT = ("a plan or forecast", "last year's figures",
                                     "a cost that buys no media", "a price cut")


def not_media_kind(column: str) -> str | None:
    """What a column holds when its name says it is money, but not this period's media
    spend (nor its outcome): a plan, last year's figures, another cost, a price cut.

    "Target" is a plan beside a spend or outcome word ("TV Spend Target", "Sales Target");
    alone, it names the outcome. "Budget" is one beside an outcome word ("Sales Budget");
    beside a channel, its spend ("Radio Budget").

    Parameters
    ----------
    column : str

    Returns
    -------
    str or None
        :data:`PLAN`, :data:`PAST`, :data:`OTHER_COST` or :data:`PRICE_CUT`.

    Examples
    --------
    >>> not_media_kind("TV Spend Plan"), not_media_kind("Sales LY")
    ('a plan or forecast', "last year's figures")
    >>> not_media_kind("Shipping Cost"), not_media_kind("Coupon cost")
    ('a cost that buys no media', 'a price cut')
    >>> not_media_kind("target"), not_media_kind("tv_spend"), not_media_kind("Radio Budget")
    (None, None, None)
    """
    lowered = lower_words(column)
    words = set(lowered.split())
    outcome = bool(TARGET_WORDS & (words - {"target"}))
    if (words & PLAN_WORDS or ("target" in words and (outcome or EXPLICIT_SPEND.search(column)))
            or ("budget" in words and outcome)):  # "Sales Budget": the sales planned
        return PLAN
    if PAST_WORDS.search(lowered):
        return PAST
    if words & _OTHER_COST_WORDS:
        return OTHER_COST
    if words & _PRICE_CUT_WORDS:
        return PRICE_CUT
    return None


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
    spent = {spend_stem(c) for c in names if EXPLICIT_SPEND.search(c) and not is_ratio(c)}
    reported = {}
    for column in names:
        words = _name_words(column)
        if (not _REPORTED_WORDS & set(words) or EXPLICIT_SPEND.search(column)
                or is_ratio(column) or NOT_SPEND.search(column)):
            continue
        rest = tuple(w for w in words if w not in _REPORTED_WORDS | _QUALIFIERS)
        if rest and (rest in spent or CHANNEL_WORDS.search(" ".join(rest))):
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
    return next((c for c in columns if isinstance(c, str) and EXPLICIT_SPEND.search(c)
                 and not is_ratio(c) and spend_stem(c) == named), None)


def spend_stem(column: str) -> tuple[str, ...]:
    """What a spend column's name says besides spend: its channel's words."""
    return tuple(w for w in _name_words(column) if w not in _SPEND_WORDS | _QUALIFIERS)


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
        ``"messages sent"``, ``"posts"``, ``"a count"`` or ``"a ratio"``; or money other than this
        period's media spend (:func:`not_media_kind`); None when the name may be spend.

    Examples
    --------
    >>> not_spend_kind("TV GRPs"), not_spend_kind("Cost / conv."), not_spend_kind("tv_S")
    ('GRPs', 'a ratio', None)
    >>> not_spend_kind("email_sends"), not_spend_kind("Instagram posts")
    ('messages sent', 'posts')
    """
    if is_ratio(column):
        return "a ratio"
    activity = next((kind for words, kind in _ACTIVITY if words.search(lower_words(column))),
                    None)
    return activity if activity is not None else not_media_kind(column)


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
    return bool((named_like_target(column) or AUDIENCE.search(column))
                and not CONTROL_NAMES.search(column)
                and not _DEMAND_WORDS & set(lower_words(column).split()))


#: Words naming an outcome counted, not money.
_COUNT_WORDS = frozenset({"conversion", "conversions", "orders", "order", "bookings",
                          "signups", "unit", "units", "leads", "installs", "transactions", "visits",
                          "customers", "subscribers"})


def named_like_count(column: str) -> bool:
    """Whether a name says its outcome is counted (conversions, orders), not money.

    Examples
    --------
    >>> named_like_count("Conversions"), named_like_count("Net Revenue (EUR)")
    (True, False)
    """
    return bool(_COUNT_WORDS & set(lower_words(column).split()))


def named_like_money(column: str) -> bool:
    """Whether a name says its outcome is money (revenue, sales, a currency), not a count.

    Examples
    --------
    >>> named_like_money("Net Revenue (EUR)"), named_like_money("Sales $")
    (True, True)
    >>> named_like_money("Unit sales"), named_like_money("kpi")
    (False, False)
    """
    money = MONEY_TARGET_WORDS & set(lower_words(column).split()) or CURRENCY.search(column)
    return bool(money) and not named_like_count(column)


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
    if named_not_spend(column):
        return False
    if CONTROL_NAMES.search(column) and not EXPLICIT_SPEND.search(column):
        return False
    return bool(SPEND_NAMES.search(column) or CHANNEL_WORDS.search(lower_words(column)))


def named_not_spend(column: str) -> bool:
    """Whether a name holds a word of activity, of an audience, of a ratio, of something
    not paid for or of money that is not media spend ("tv_impressions", "search_sessions",
    "Cost per result", "organic", "TV Spend Plan", "Shipping Cost")."""
    return bool(NOT_SPEND.search(column) or AUDIENCE.search(column) or NOT_PAID.search(column)
                or _MEDIA_VOLUME.search(lower_words(column)) or _INDEX.search(column)
                or is_ratio(column) or not_media_kind(column) is not None)


def named_like_target(column: str) -> bool:
    """Whether a name holds a word outcomes are named by (sales, revenue, conversions, ...).

    Examples
    --------
    >>> named_like_target("Net Sales"), named_like_target("tv")
    (True, False)
    """
    return bool(TARGET_WORDS & set(lower_words(column).split()))


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
    return "micros" in lower_words(column).split()


def in_cents(column: str) -> bool:
    """Whether a column is named like an amount in cents (hundredths of the currency), as
    payment and shop APIs write money (``amount_cents``, ``revenueCents``).

    Examples
    --------
    >>> in_cents("spend_cents"), in_cents("revenueCents"), in_cents("discount_percent")
    (True, True, False)
    """
    return bool({"cents", "cent", "pence"} & set(lower_words(column).split()))


#: Media named by how they are paid for: "Pay Per Click", "pay-per-view".
_PAY_PER = re.compile(r"\bpay[ -]per[ -](click|view)\b", re.I)


def is_ratio(column: str) -> bool:
    """Whether a column is named like a ratio an ad platform exports (:data:`_RATIO`)."""
    # "Pay per click" is a way of buying search (PPC), not a cost per click
    return bool(_RATIO.search(_PAY_PER.sub("", column.replace("_", " "))))


def lower_words(column: str) -> str:
    """A column's name as lower-case words: ``"Net Revenue (EUR)"`` -> ``"net revenue eur"``;
    camel case too, as APIs name fields: ``"totalRevenue"``, ``"TVImpressions"``."""
    apart = _CAMEL_HUMPS.sub(" ", _unaccented(column))
    return re.sub(r"[^a-zA-Z]+", " ", apart).strip().lower()


def _unaccented(text: str) -> str:
    """``text`` without its accents ("Dépenses" -> "Depenses", "Umsätze" -> "Umsatze")."""
    apart = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in apart if not unicodedata.combining(c))


