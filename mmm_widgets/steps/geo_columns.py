"""A geo panel written wide: a column per measure and geo (``sales_north``, ``tv_north``).

Spreadsheets often hold markets side by side instead of one under another: each date is
one row, and every measure has a column per geo (``sales_north``, ``sales_south``,
``tv_north``, ...; or ``North Sales``, ``North TV``). Mapped as it stands, one geo's sales
would be explained by every geo's media. :func:`find_geo_columns` recognises the layout
and :func:`long_lines` writes the pandas lines that put the geos one under another, with a
geo column, for the data step's message to give as its fix.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from mmm_widgets.codegen import literal, unused_name
from mmm_widgets.steps.names import named_like_target

#: What separates a measure from its geo in a column's name.
_SEPARATORS = ("_", " ", ".", "-")
#: What the long table's geo column is called (with ``_`` added while the name is taken).
GEO_COLUMN = "geo"
# Joins measure and geo in the renamed columns pd.wide_to_long reads: in no name here.
_JOIN = "|"


@dataclass(frozen=True)
class GeoColumns:
    """The columns of a wide geo panel, each with its measure and geo.

    Attributes
    ----------
    split : dict
        ``{column: (measure, geo)}`` for every column of the grid.
    date : str
        The date column (one row per date).
    geo_column : str
        The name the long table's geo column gets.
    """

    split: dict[str, tuple[str, str]]
    date: str
    geo_column: str

    @property
    def geos(self) -> list[str]:
        """The geos, in the order their columns come."""
        return list(dict.fromkeys(geo for _, geo in self.split.values()))

    @property
    def measures(self) -> list[str]:
        """The measures, in the order their columns come."""
        return list(dict.fromkeys(measure for measure, _ in self.split.values()))


def find_geo_columns(frame: pd.DataFrame, date: str | None,
                     target: str | None = None) -> GeoColumns | None:
    """The measure-by-geo columns of a table with one row per date and a column per geo.

    Parameters
    ----------
    frame : pandas.DataFrame
    date : str or None
        The date column; None finds nothing.
    target : str, optional
        The column mapped as the target: its measure counts as the target's, whatever it
        is named (``Umsatz_north``).

    Returns
    -------
    GeoColumns or None
        None unless the names split, at one separator, into two or more geos and measures
        such that the target's measure (``target``'s, or one named like a target: sales,
        revenue, conversions) has a column for every geo, and each date is on one row.

    Examples
    --------
    >>> table = pd.DataFrame({"date": ["2024-01-01", "2024-01-08"],
    ...                       "sales_north": [5.0, 6.0], "sales_south": [4.0, 3.0],
    ...                       "tv_north": [1.0, 2.0], "tv_south": [2.0, 1.0]})
    >>> found = find_geo_columns(table, "date")
    >>> found.geos, found.measures
    (['north', 'south'], ['sales', 'tv'])
    """
    if date is None or date not in frame.columns or not frame[date].dropna().is_unique:
        return None
    names = [c for c in frame.columns if isinstance(c, str) and c != date]
    # a measure named like a target first, anywhere; the mapped target's only then
    for chosen in (None, target):
        for separator in _SEPARATORS:
            for geo_last in (True, False):
                found = _grid(names, separator, geo_last, chosen)
                if found:
                    return GeoColumns(found, date, unused_name(GEO_COLUMN, frame.columns))
    return None


def _grid(names: list[str], separator: str, geo_last: bool,
          target: str | None) -> dict[str, tuple[str, str]]:
    """``{column: (measure, geo)}`` when ``names`` hold a grid with a target per geo.

    Geos and measures may hold the separator themselves (``New York Net Sales``): every
    target measure a name can end (or start) with names a set of geos, the parts left
    beside it in the target's columns; the other columns split where one of those geos
    ends (or starts). The set of geos covering the most columns wins.
    """
    splits = {name: _splits(name.strip(), separator, geo_last) for name in names}
    chosen = {measure for measure, _ in splits.get(target, ())}
    best: dict[str, tuple[str, str]] = {}
    for anchor in dict.fromkeys(measure for parts in splits.values() for measure, _ in parts):
        if anchor in chosen or named_like_target(anchor):
            grid = _grid_around(splits, anchor, set(names), target)
            if len(grid) > len(best):
                best = grid
    return best


def _splits(name: str, separator: str, geo_last: bool) -> list[tuple[str, str]]:
    """Every ``(measure, geo)`` a name splits into at one of its separators."""
    pieces = name.split(separator)
    found = []
    for cut in range(1, len(pieces)):
        head, tail = (separator.join(pieces[:cut]).strip(),
                      separator.join(pieces[cut:]).strip())
        if head and tail:
            found.append((head, tail) if geo_last else (tail, head))
    return found


def _grid_around(splits: dict[str, list[tuple[str, str]]], anchor: str, names: set[str],
                 target: str | None) -> dict[str, tuple[str, str]]:
    """The grid whose geos are those ``anchor``, the target's measure, is written with."""
    geos = {geo for parts in splits.values() for measure, geo in parts
            if measure == anchor and not named_like_target(geo)}
    split = {}
    for name, parts in splits.items():
        own = [(measure, geo) for measure, geo in parts if geo in geos]
        if own:  # the longest geo the name holds ("New York", not "York")
            split[name] = max(own, key=lambda part: len(part[1]))
    measures = Counter(measure for measure, _ in split.values())
    grid_measures = {m for m, n in measures.items() if n >= 2 and m not in names}
    grid = {name: (m, g) for name, (m, g) in split.items() if m in grid_measures}
    per_geo = Counter(geo for _, geo in grid.values())
    grid_geos = {g for g, n in per_geo.items() if n >= 2}
    pairs = set(grid.values())
    if (len(grid_geos) < 2 or len(grid_measures) < 2 or anchor not in grid_measures
            or not all((anchor, g) in pairs for g in grid_geos)):
        return {}
    if target in split and (split[target][0] != anchor or split[target][1] not in grid_geos):
        return {}  # the mapped target is not the anchor's geo by geo: another split's grid
    return {name: (m, g) for name, (m, g) in grid.items() if g in grid_geos}


def long_lines(table: str, found: GeoColumns) -> list[str]:
    """Code putting the geos of ``table`` (a variable) one under another, by geo and date.

    Parameters
    ----------
    table : str
        The frame's variable, e.g. ``"df"``.
    found : GeoColumns

    Returns
    -------
    list of str
        A rename to ``measure|geo`` names, then ``pd.wide_to_long``; columns outside the
        grid (national controls) repeat on every geo's row.
    """
    renamed = {column: f"{measure}{_JOIN}{geo}" for column, (measure, geo)
               in found.split.items()}
    return [f"{table} = {table}.rename(columns={literal(renamed)})",
            f"{table} = pd.wide_to_long({table}, stubnames={literal(found.measures)}, "
            f"i={literal(found.date)}, j={literal(found.geo_column)}, sep={_JOIN!r}, "
            "suffix='.+').reset_index()"]
