"""A date typed for its neighbour: two rows of one date, and the date beside it missing.

Copying a row down and forgetting to move its date on, or typing 05-16 for 05-23, leaves a
date on two rows and the next (or previous) date without one, in a geo of a panel or in a
national table. Read as it stands, the data step named two problems, a date written twice
and a date missing, each with a line for another cause: adding the two rows up, or adding
the missing date with 0 spend and sales. :func:`typed_for_neighbours` finds the dates
written twice whose one neighbour is missing, and the row that was meant for it where the
rows run in date order; :func:`typed_dates_lines` writes the line that dates those rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal, plain
from mmm_widgets.errors import Problem, problem
from mmm_widgets.steps.dates import missing_dates
from mmm_widgets.steps.stray_dates import date_writer
from mmm_widgets.wording import listed

#: Typed dates named one by one in a problem; the rest are counted.
NAMED = 4


@dataclass(frozen=True)
class TypedDate:
    """A date written on two rows of a geo whose neighbour the geo lacks.

    Attributes
    ----------
    geo : object
        The geo (0 in a national table).
    written : pandas.Timestamp
        The date on two rows.
    meant : pandas.Timestamp
        The missing date beside it, one period after or before.
    position : int or None
        The row (its position in the table) meant for the missing date: of the two, the
        later when the missing date is after, the earlier when it is before, where the
        geo's rows run in date order; None where they do not.
    """

    geo: object
    written: pd.Timestamp
    meant: pd.Timestamp
    position: int | None


def typed_for_neighbours(dates: pd.Series, geos: pd.Series, positions: np.ndarray,
                         step: int) -> list[TypedDate]:
    """The dates on exactly two rows of a geo whose one neighbour is missing in that geo.

    Parameters
    ----------
    dates : pandas.Series
        Each row's parsed date, in table order.
    geos : pandas.Series
        Each row's geo (one value throughout for a national table).
    positions : numpy.ndarray
        Each row's position in the table.
    step : int
        Days between periods (1 or 7; months have no one step).

    Returns
    -------
    list of TypedDate
        In the order of the geos' first rows, then of the dates.

    Examples
    --------
    >>> weeks = list(pd.date_range("2024-01-01", periods=6, freq="W-MON"))
    >>> dates = pd.Series(weeks[:3] + [weeks[2]] + weeks[4:])
    >>> found = typed_for_neighbours(dates, pd.Series([0] * 6), np.arange(6), 7)
    >>> [(f"{t.written:%m-%d}", f"{t.meant:%m-%d}", t.position) for t in found]
    [('01-15', '01-22', 3)]
    """
    width = pd.Timedelta(days=step)
    keyed = pd.DataFrame({"date": dates.to_numpy(), "geo": geos.to_numpy(),
                          "position": positions})
    found = []
    for geo, rows in keyed.groupby("geo", sort=False):
        counts = rows["date"].value_counts()
        twice = counts.index[counts == 2]
        if not len(twice):
            continue
        present = set(rows["date"])
        gaps = set(missing_dates(pd.Series(sorted(present)), step))
        in_order = rows["date"].is_monotonic_increasing
        # On weekdays only, Friday's neighbour is Monday.
        apart = (pd.offsets.BDay(1) if step == 1 and all(d.day_of_week < 5 for d in present)
                 else width)
        for written in sorted(twice):
            beside = [day for day in (written + apart, written - apart) if day in gaps]
            if len(beside) != 1:
                continue
            meant = beside[0]
            pair = rows.loc[rows["date"] == written, "position"].to_numpy()
            position = (int(pair[1] if meant > written else pair[0]) if in_order else None)
            found.append(TypedDate(geo, written, meant, position))
    return found


def typed_dates_lines(typed: list[TypedDate], labels: pd.Index | None, column: str,
                      table: str, write) -> str | None:
    """The line that writes each meant date into its row, or None when a row is not known.

    Parameters
    ----------
    typed : list of TypedDate
        From :func:`typed_for_neighbours`.
    labels : pandas.Index or None
        The raw table's row labels (a line needs them unique); None when the rows checked
        are not the table's own (a long table's, pivoted).
    column, table : str
        The date column and the raw table's variable.
    write : callable or None
        Gives the code of a date as the column holds dates
        (:func:`mmm_widgets.steps.stray_dates.date_writer`); None when it cannot.

    Returns
    -------
    str or None

    Examples
    --------
    >>> typed = [TypedDate("North", pd.Timestamp("2024-01-15"), pd.Timestamp("2024-01-22"), 3)]
    >>> typed_dates_lines(typed, pd.RangeIndex(6), "week", "df",
    ...                   lambda d: repr(f"{d:%Y-%m-%d}"))
    "df.loc[[3], 'week'] = ['2024-01-22']"
    """
    if (write is None or labels is None or not labels.is_unique
            or any(t.position is None for t in typed)):
        return None
    rows = [plain(labels[t.position]) for t in typed]
    values = ", ".join(write(t.meant) for t in typed)
    return f"{table}.loc[{literal(rows)}, {column!r}] = [{values}]"


def typed_dates_problem(typed: list[TypedDate], labels: pd.Index | None, written: pd.Series,
                        column: str, date_format: str | None, table: str, frequency: str,
                        otherwise: str, geo_named: bool) -> Problem:
    """The problem naming dates typed for their neighbours, with the line that dates the
    rows meant for them (where the rows run in date order) before the other causes' lines.

    Parameters
    ----------
    typed : list of TypedDate
        From :func:`typed_for_neighbours` (one at least).
    labels : pandas.Index or None
        The raw table's row labels (None: the rows are not the table's own).
    written : pandas.Series
        The date column as the table holds it (how a date is written back).
    column, table : str
        The date column and the raw table's variable.
    date_format : str or None
        How the column's text reads.
    frequency : str
        ``"weekly"``, ``"daily"``.
    otherwise : str
        The fix for the other causes of a date on two rows.
    geo_named : bool
        Whether the table has geos (each date is named with its geo).

    Returns
    -------
    Problem
    """
    period = {"daily": "day", "weekly": "week"}.get(frequency, "period")

    def told(t: TypedDate) -> str:
        where = f" in geo {t.geo!r}" if geo_named else ""
        return f"{t.written:%Y-%m-%d} for {t.meant:%Y-%m-%d}{where}"

    geos = len({t.geo for t in typed})
    where = f" in {geos} geo{'s' * (geos > 1)}" if geo_named else ""
    there = " there" if geo_named else ""
    what = (f"The same date appears more than once{where}, and the {period} beside it is "
            f"missing{there}: typed for it? {listed([told(t) for t in typed], NAMED)}.")
    line = typed_dates_lines(typed, labels, column, table, date_writer(written, date_format))
    one = len(typed) == 1
    if line is not None:
        rows = "row" if one else "rows"
        fix = (f"If so, date the {rows} meant for {'it' if one else 'them'} (the later of "
               f"the two where the missing {period} is after, the earlier where before): "
               f"{line}. Otherwise: {otherwise}")
    else:
        unknown = (" (the rows do not run in date order, so which of the two is not known)"
                   if any(t.position is None for t in typed) else "")
        fix = (f"If so, correct the date typed for its neighbour in the table{unknown}. "
               f"Otherwise: {otherwise}")
    return problem(what, fix, column=column,
                   rows=sorted({f"{t.written:%Y-%m-%d}" for t in typed}),
                   count=len({t.written for t in typed}))
