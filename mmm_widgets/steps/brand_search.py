"""Brand search: spend that follows the searches for the brand, and so its demand.

A brand's own search ads are bought per click on searches for the brand's name. Those
searches come from people who already want the brand: from the season, from growth and
from the other channels (a TV flight sends people to search for what they saw). The
spend therefore rises and falls with the sales it did not bring, and the model cannot
tell that apart from sales it did bring. On three generated weekly tables (demand with a
season; TV returning 2.0 over its carryover, generic search 3.0 and brand search 0.3, its
spend a share of the searches demand and TV bring; ``tests/test_brand_search.py``), MAP
fits read brand search's ROAS as 7.9 to 10.1 and TV's as 1.4 to 1.5; with a lift test of
brand search in the model, 0.30 and 1.9 to 2.2 (without brand search, 1.9 to 2.2). In
variants (a noisier cost per click, a budget cap, a true 1.0, a trend) brand search read
4.0 to 21.9, TV 0.8 to 2.3; spend bought in flights apart from demand read 0.0 to 0.5.

:func:`brand_search_finding` names a channel whose name says brand search (a brand word
and a search word, not "non-brand") and whose spend moves with the target over the
table, with how to read it and what calibrates it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from mmm_widgets.steps.names import lower_words
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles

#: Words naming the brand's own keywords: English, German, French, Spanish / Italian /
#: Portuguese, Dutch ("Marke", "marque", "marca", "merk").
BRAND_WORDS = frozenset({"brand", "branded", "brands", "trademark", "marke", "marken",
                         "marque", "marca", "merk"})
#: Words naming paid search: its engines and its trade's abbreviations (SEM, SEA, PPC),
#: and "search" in the same languages.
SEARCH_WORDS = frozenset({"search", "sem", "sea", "ppc", "adwords", "google", "bing",
                          "yahoo", "baidu", "naver", "yandex", "keyword", "keywords", "kw",
                          "suche", "suchmaschine", "recherche", "busqueda", "ricerca",
                          "pesquisa", "zoeken"})
#: Words saying the keywords are not the brand's: generic search.
NOT_BRAND_WORDS = frozenset({"nonbrand", "nonbranded", "unbranded", "generic", "generics",
                             "nb", "category"})
#: Words glued together as some exports write them ("BrandSearch" is split by its case).
_GLUED = ("brandsearch", "searchbrand", "brandppc", "ppcbrand", "brandsem", "sembrand",
          "brandkw", "brandkeywords")
#: Least correlation of the channel's spend with the target, by date, for the note: below
#: it the spend does not follow demand (flights bought apart from it).
LEAST_CORRELATION = 0.2
#: Least periods with spend for a correlation to be read.
LEAST_PERIODS = 8


def named_brand_search(column: str) -> bool:
    """Whether a channel's name says it buys search ads on the brand's own name.

    Parameters
    ----------
    column : str

    Returns
    -------
    bool

    Examples
    --------
    >>> [named_brand_search(c) for c in ("search_brand", "Paid Search - Brand",
    ...                                  "BrandSearch_spend", "SEA Marke")]
    [True, True, True, True]
    >>> [named_brand_search(c) for c in ("search_nonbrand", "Search Non-Brand",
    ...                                  "brand_tv", "search")]
    [False, False, False, False]
    """
    words = lower_words(column).split()
    glued = "".join(words)
    if set(words) & NOT_BRAND_WORDS or "nonbrand" in glued or "unbrand" in glued:
        return False
    # "no brand", "sin marca", "ohne Marke", "hors marque", "geen merk"
    if any(a in {"no", "non", "not", "sin", "ohne", "hors", "geen"} and b in BRAND_WORDS
           for a, b in itertools.pairwise(words)):
        return False
    return bool(set(words) & BRAND_WORDS and set(words) & SEARCH_WORDS) or any(
        glue in glued for glue in _GLUED)


def brand_search_finding(data: pd.DataFrame, roles: Roles) -> list[Finding]:
    """A note per channel named brand search whose spend moves with the target.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (a panel's geos are summed per date).
    roles : Roles
        The mapping.

    Returns
    -------
    list of Finding
        Kind ``"brand_search"``, one per such channel.
    """
    named = [c for c in roles.channels if named_brand_search(c)]
    if not named:
        return []
    by_date = data.groupby(roles.date)[[roles.target, *named]].sum().sort_index()
    target = by_date[roles.target].to_numpy(float)
    findings = []
    for channel in named:
        spend = by_date[channel].to_numpy(float)
        if (spend > 0).sum() < LEAST_PERIODS or np.std(spend) == 0 or np.std(target) == 0:
            continue
        correlation = float(np.corrcoef(spend, target)[0, 1])
        if correlation >= LEAST_CORRELATION:
            rows = data[channel].to_numpy(float)
            findings.append(_finding(channel, correlation, float(np.median(rows[rows > 0])),
                                     roles))
    return findings


def _finding(channel: str, correlation: float, typical: float, roles: Roles) -> Finding:
    """The note on ``channel``; ``typical`` is its median spend per row (per date, or per
    date and geo) where it spends, the lift test's example."""
    others = [c for c in roles.channels if c != channel]
    where = f"{roles.geo!r}: <the geo>, " if roles.geo else ""
    lift = (f"wf.configure_model(lift_tests=[{{'channel': {channel!r}, {where}'x': "
            f"{typical:.0f}, 'delta_x': -{typical:.0f}, 'delta_y': <the {roles.target} it "
            "lost>, 'sigma': <that figure's standard error>}])")
    leave = f"wf.map_data(..., channels={others!r})" if others else None
    return Finding(
        "brand_search",
        f"{channel!r} is named as brand search, and its spend moves with {roles.target!r} "
        f"(correlation {correlation:.2f} by date). Brand search is bought on searches for "
        "the brand, which come from demand and from the other channels: its spend follows "
        "sales it did not bring, and the model cannot tell them apart. It would read its "
        "ROAS high and take credit from the channels that sent the searches (on generated "
        "tables: brand search 7.9 to 10.1 for a true 0.3, TV 1.4 to 1.5 for 2.0; with a "
        "lift test, 0.30 and 1.9 to 2.2). Read "
        "its ROAS as an upper bound. To fit it, give the model a lift test of it (weeks or "
        "geos with it switched off; in the model panel: 'Add lift test'), e.g. a week of "
        f"its typical spend{' in a geo' if roles.geo else ''} switched off: {lift}"
        + (f"; or leave it out of the channels: {leave}." if leave else "."),
        (channel,))
