"""Month names in other languages: ``Mär 2024``, ``janv. 2024``, ``31 dic 2024``.

pandas reads month names in English only (``%b``, ``%B``). A table written in German,
French, Spanish, Italian, Dutch or Portuguese names its months in that language; the
kit reads it with :func:`to_english`, which writes every month word as its English
abbreviation, then an English format (``%b %Y``). The date format it records says which
language (``'%b %Y in German'``), and the exported code does the same translation, its
words and their abbreviations written out.
"""

from __future__ import annotations

import pandas as pd

from mmm_widgets.codegen import literal

#: Month words by language (lower case, full and abbreviated) and the English abbreviation
#: each stands for, January first.
MONTH_WORDS: dict[str, dict[str, str]] = {
    "German": {
        "januar": "jan", "jan": "jan", "jänner": "jan", "februar": "feb", "feb": "feb",
        "märz": "mar", "mär": "mar", "mrz": "mar", "april": "apr", "apr": "apr",
        "mai": "may", "juni": "jun", "jun": "jun", "juli": "jul", "jul": "jul",
        "august": "aug", "aug": "aug", "september": "sep", "sept": "sep", "sep": "sep",
        "oktober": "oct", "okt": "oct", "november": "nov", "nov": "nov",
        "dezember": "dec", "dez": "dec"},
    "French": {
        "janvier": "jan", "janv": "jan", "jan": "jan", "février": "feb", "févr": "feb",
        "fév": "feb", "fevrier": "feb", "fevr": "feb", "mars": "mar", "mar": "mar",
        "avril": "apr", "avr": "apr", "mai": "may", "juin": "jun", "juillet": "jul",
        "juil": "jul", "août": "aug", "aout": "aug", "aoû": "aug", "septembre": "sep",
        "sept": "sep", "sep": "sep", "octobre": "oct", "oct": "oct", "novembre": "nov",
        "nov": "nov", "décembre": "dec", "déc": "dec", "decembre": "dec", "dec": "dec"},
    "Spanish": {
        "enero": "jan", "ene": "jan", "febrero": "feb", "feb": "feb", "marzo": "mar",
        "mar": "mar", "abril": "apr", "abr": "apr", "mayo": "may", "may": "may",
        "junio": "jun", "jun": "jun", "julio": "jul", "jul": "jul", "agosto": "aug",
        "ago": "aug", "septiembre": "sep", "setiembre": "sep", "sept": "sep", "sep": "sep",
        "set": "sep", "octubre": "oct", "oct": "oct", "noviembre": "nov", "nov": "nov",
        "diciembre": "dec", "dic": "dec"},
    "Italian": {
        "gennaio": "jan", "gen": "jan", "febbraio": "feb", "feb": "feb", "marzo": "mar",
        "mar": "mar", "aprile": "apr", "apr": "apr", "maggio": "may", "mag": "may",
        "giugno": "jun", "giu": "jun", "luglio": "jul", "lug": "jul", "agosto": "aug",
        "ago": "aug", "settembre": "sep", "set": "sep", "ottobre": "oct", "ott": "oct",
        "novembre": "nov", "nov": "nov", "dicembre": "dec", "dic": "dec"},
    "Dutch": {
        "januari": "jan", "jan": "jan", "februari": "feb", "feb": "feb", "maart": "mar",
        "mrt": "mar", "april": "apr", "apr": "apr", "mei": "may", "juni": "jun",
        "jun": "jun", "juli": "jul", "jul": "jul", "augustus": "aug", "aug": "aug",
        "september": "sep", "sept": "sep", "sep": "sep", "oktober": "oct", "okt": "oct",
        "november": "nov", "nov": "nov", "december": "dec", "dec": "dec"},
    "Portuguese": {
        "janeiro": "jan", "jan": "jan", "fevereiro": "feb", "fev": "feb", "março": "mar",
        "mar": "mar", "abril": "apr", "abr": "apr", "maio": "may", "mai": "may",
        "junho": "jun", "jun": "jun", "julho": "jul", "jul": "jul", "agosto": "aug",
        "ago": "aug", "setembro": "sep", "set": "sep", "outubro": "oct", "out": "oct",
        "novembro": "nov", "nov": "nov", "dezembro": "dec", "dez": "dec"},
}
_IN = " in "
# A word (letters only) and the dot that may end its abbreviation.
_WORD = r"([^\W\d_]+)\.?"


def in_language(date_format: str, language: str) -> str:
    """The date format of dates whose months are named in ``language``.

    Parameters
    ----------
    date_format : str
        The English format they read with once translated: ``%b``, since every month
        word becomes an abbreviation (``dates.MONTH_NAME_FORMATS``).
    language : str
        A key of :data:`MONTH_WORDS`.

    Returns
    -------
    str
        E.g. ``'%b %Y in German'``.
    """
    return f"{date_format}{_IN}{language}"


def split_language(date_format: str | None) -> tuple[str | None, str | None]:
    """The English format and the language of a format from :func:`in_language`.

    Parameters
    ----------
    date_format : str or None

    Returns
    -------
    (str or None, str or None)
        ``(date_format, None)`` for a format without a language.
    """
    if date_format:
        for language in MONTH_WORDS:
            if date_format.endswith(f"{_IN}{language}"):
                return date_format.removesuffix(f"{_IN}{language}"), language
    return date_format, None


def month_languages(text: pd.Series) -> list[str]:
    """The languages of :data:`MONTH_WORDS` one of whose month words is in ``text``.

    Parameters
    ----------
    text : pandas.Series
        Dates as written (a sample will do).

    Returns
    -------
    list of str
        In :data:`MONTH_WORDS`' order; empty for text without a month word.
    """
    found = set(text.dropna().astype(str).str.lower().str.findall(_WORD).explode().dropna())
    return [language for language, words in MONTH_WORDS.items() if found & words.keys()]


def to_english(text: pd.Series, language: str) -> pd.Series:
    """``text`` with each month word of ``language`` as its English abbreviation.

    Runs :func:`translation_code`'s code, the code the export writes.
    """
    namespace = {"text": text, "pd": pd}
    return eval(translation_code("text", language), namespace)


def translation_code(column: str, language: str) -> str:
    """Pandas code writing the month words of ``column`` (code of a Series) in English.

    Lower case first; a month word's abbreviation dot goes too (``janv.``); other words
    stay as they are.
    """
    return (f"{column}.astype('string').str.lower().str.replace({literal(_WORD)}, "
            f"lambda word: {literal(MONTH_WORDS[language])}.get(word.group(1), "
            "word.group(0)), regex=True)")
