"""How messages list what they name: the first few, then how many more."""

from __future__ import annotations

from collections.abc import Sequence


def listed(items: Sequence[str], shown: int, *, separator: str = ", ",
           total: int | None = None, noun: str = "") -> str:
    """The first ``shown`` items joined, then how many more there are.

    Parameters
    ----------
    items : sequence of str
        The items as the message writes them (quoted already where it quotes them).
    shown : int
        Most items written out.
    separator : str
        What joins them.
    total : int, optional
        How many there are in all, when ``items`` holds only the first of them.
    noun : str
        What the rest are, after their count ("geos" in "and 3 more geos").

    Returns
    -------
    str

    Examples
    --------
    >>> listed(["'tv'", "'radio'", "'search'"], 2)
    "'tv', 'radio' and 1 more"
    >>> listed(["row 3", "row 9"], 5, total=40, noun="rows")
    'row 3, row 9 and 38 more rows'
    >>> listed(["a", "b"], 5)
    'a, b'
    >>> listed(["3 May (spend 0, target 2)", "9 May", "1 June"], 2, separator="; ")
    '3 May (spend 0, target 2); 9 May; and 1 more'
    """
    count = len(items) if total is None else total
    written = separator.join(items[:shown])
    rest = count - min(shown, len(items))
    if rest <= 0:
        return written
    # Items holding commas are parted by semicolons, and so is the count from them.
    joiner = "; and" if ";" in separator else " and"
    return f"{written}{joiner} {rest} more" + (f" {noun}" if noun else "")
