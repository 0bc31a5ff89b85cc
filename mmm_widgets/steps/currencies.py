"""Amounts in more than one currency: summed, they make ROAS and plans in no currency.

A report over several ad accounts or countries keeps each row's amounts in that account's
currency: Google Ads writes a ``Currency code`` column beside ``Cost``, Meta a
``Currency``; a spreadsheet may write ``$1,200.00`` on some rows and ``€950.00`` on
others. The data step reads every one as a number, and the model then adds euros to
dollars: each channel's ROAS, the totals and the budget are in no one currency.
:func:`currency_column_problems` names a column of currency codes that holds more than
one, :func:`mixed_currency_problems` an amount column written in more than one currency,
and :func:`named_currency` reads the currency a column's name gives (``Revenue (EUR)``),
so that a channel named in another currency than the target can be named too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import Problem, problem

#: A currency as amounts are written with it: the signs and codes the data step reads
#: an amount through (see :mod:`mmm_widgets.steps.amounts`).
CURRENCY = re.compile(r"[$€£¥₹]|\b(?:USD|EUR|GBP|CHF|JPY|INR|AUD|CAD)\b", re.I)
_SIGNS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
#: The codes a lone ``$`` may stand for.
_DOLLARS = frozenset({"USD", "AUD", "CAD", "NZD", "SGD", "HKD", "MXN"})
#: ISO 4217 codes of the currencies ad platforms bill in most.
ISO_CODES = frozenset({
    "USD", "EUR", "GBP", "JPY", "CNY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK",
    "PLN", "CZK", "HUF", "RON", "BGN", "TRY", "INR", "BRL", "MXN", "ARS", "CLP", "COP",
    "PEN", "ZAR", "SGD", "HKD", "KRW", "TWD", "THB", "MYR", "IDR", "PHP", "VND", "AED",
    "SAR", "ILS", "EGP", "NGN", "KES"})
#: The codes a column's name may write in lower case ("sales_eur"): others are words too
#: ("pen", "try", "php").
_LOWER_CODES = frozenset({"EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "INR", "SEK",
                          "NOK", "DKK", "PLN"})
#: A currency in a column's name: a sign, a code, or a code after a scale's T or M
#: ("TEUR", "MUSD").
_NAMED = re.compile(r"[$€£¥₹]|(?<![A-Za-z])[TtMm]?([A-Za-z]{3})(?![A-Za-z])")
#: Most rows counted in a message, per currency.
_LISTED = 4


def _currency(match: str) -> str:
    return _SIGNS.get(match, "$" if match == "$" else match.upper())


def _distinct(currencies: Iterable[str]) -> list[str]:
    """The currencies, a lone ``$`` counted with the one dollar code beside it."""
    found = list(dict.fromkeys(currencies))
    codes = [c for c in found if c != "$"]
    if "$" in found and len(codes) == 1 and codes[0] in _DOLLARS:
        found.remove("$")
    return found


def named_currency(column: str) -> str | None:
    """The currency a column's name gives its amounts, if it gives one.

    Examples
    --------
    >>> named_currency("Revenue (EUR)"), named_currency("Umsatz TEUR")
    ('EUR', 'EUR')
    >>> named_currency("TV spend ($)"), named_currency("Cost (£k)"), named_currency("tv")
    ('$', 'GBP', None)
    >>> named_currency("sales_eur"), named_currency("pen_spend"), named_currency("Spend PEN")
    ('EUR', None, 'PEN')
    """
    for match in _NAMED.finditer(column):
        sign, code = match.group(0), match.group(1)
        if code is None:
            return _currency(sign)
        if (code.isupper() and code in ISO_CODES) or code.upper() in _LOWER_CODES:
            return code.upper()
    return None


def other_currency(column: str, target: str) -> str | None:
    """The currency ``column``'s name gives when the target's names another, else None."""
    mine, theirs = named_currency(column), named_currency(target)
    if mine is None or theirs is None or len(_distinct([mine, theirs])) < 2:
        return None
    return mine


def _counted(counts: Counter) -> str:
    return ", ".join(f"{currency} on {rows} row{'s' if rows > 1 else ''}"
                     for currency, rows in counts.most_common(_LISTED))


def mixed_currency_problems(frame: pd.DataFrame, columns: Iterable[str]) -> list[Problem]:
    """One problem per column among ``columns`` whose amounts are written in more than one
    currency (``$1,200.00`` on some rows, ``€950.00`` on others).

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw table.
    columns : iterable of str
        The columns that must hold amounts; those already numbers pass.

    Returns
    -------
    list of Problem
    """
    problems = []
    for column in dict.fromkeys(columns):
        if column not in frame.columns or frame.columns.tolist().count(column) != 1:
            continue
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values):
            continue
        # amounts only: a row of units under the header ('EUR') is no amount
        texts = values.dropna().astype(str)
        written = texts[texts.str.contains(r"\d")].map(
            lambda text: tuple(_distinct(_currency(m) for m in CURRENCY.findall(text))))
        signs = written[written.map(len) == 1].map(lambda found: found[0])
        currencies = _distinct(signs)
        if len(currencies) < 2:
            continue
        counts = Counter({c: int((signs == c).sum()) for c in currencies})
        rare = counts.most_common()[-1][0]
        rows = signs.index[(signs == rare).to_numpy()]
        problems.append(problem(
            f"The amounts are written in {len(currencies)} currencies ({_counted(counts)}): "
            "read as numbers, they would be added together as one, and every ROAS, total "
            "and plan would be in no currency.",
            "Convert them to one currency at your rates before mapping (or map the column "
            "the report gives in the account's currency).", column=column,
            rows=[f"row {r}" for r in rows[:_LISTED]], count=len(rows)))
    return problems


def holds_currency_codes(values: pd.Series) -> bool:
    """Whether every value of a text column is an ISO 4217 code (``EUR``, ``usd ``).

    Examples
    --------
    >>> holds_currency_codes(pd.Series(["EUR", "GBP ", None])), holds_currency_codes(
    ...     pd.Series(["na", "EUR"]))
    (True, False)
    """
    if pd.api.types.is_numeric_dtype(values) or values.isna().all():
        return False
    return bool(values.dropna().astype(str).str.strip().str.upper().isin(ISO_CODES).all())


def currency_column_problems(frame: pd.DataFrame, amounts: list[str],
                             mapped: Iterable[str] = (), table: str = "df") -> list[Problem]:
    """A problem per column of currency codes holding more than one currency.

    Parameters
    ----------
    frame : pandas.DataFrame
        The raw table.
    amounts : list of str
        The mapped columns of money (spend, and the target when it is money), which the
        fix converts.
    mapped : iterable of str
        The date, geo and amount columns (a geo of country codes is not a currency
        column); a control of currency codes is named all the same.
    table : str
        The raw table's variable, as the fix writes it.

    Returns
    -------
    list of Problem
    """
    problems = []
    mapped = set(mapped)
    for column in frame.columns:
        if column in mapped or frame.columns.tolist().count(column) != 1:
            continue
        values = frame[column]
        if not holds_currency_codes(values):
            continue
        codes = values.dropna().astype(str).str.strip().str.upper()
        if codes.nunique() < 2:
            continue
        counts = Counter(codes)
        main = counts.most_common(1)[0][0]
        rates = ", ".join(f"{literal(code)}: " + ("1.0" if code == main else
                                                   f"<{main} per {code}>")
                          for code in counts)
        rate = f"{table}[{literal(column)}].str.strip().str.upper().map({{{rates}}})"
        problems.append(problem(
            f"The column names {len(counts)} currencies ({_counted(counts)}): each row's "
            "amounts are in its own currency, and the model would add them together as one "
            "(every ROAS, total and plan in no currency).",
            f"Convert the amounts to one currency before mapping, at your rates: "
            f"{table}[{literal(amounts)}] = {table}[{literal(amounts)}].mul({rate}, axis=0); "
            "or, if they are already in one currency, drop the column: "
            f"{table} = {table}.drop(columns={literal(column)}).", column=str(column)))
    return problems
