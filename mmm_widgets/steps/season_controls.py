"""Controls that mark months of the year: a second yearly season beside the model's own.

Tables made for a regression often carry one 0/1 column per month (``IS_JANUARY`` to
``IS_DECEMBER``, ``seas_prd_1`` ...), or a month's name as a text control, which the data
step makes one 0/1 column per month but one. The model draws the yearly season itself, as
a few sines over the year (``yearly_seasonality`` in the model step): with month
indicators beside it, the season can be written in many ways that fit the data equally
well (indicators for all twelve months add up to 1 on every row, as the intercept does),
and the sampler wanders between them. On a generated weekly table (156 weeks; TV
returning 2.0, search 3.0; nutpie, seed 1), twelve month indicators took the fit to
convergence from 22.9 s (2 chains x 700 draws) to 123.4 s (2 x 7,200 draws), the last
parameter to converge one indicator's coefficient; the ROAS did not move (TV 2.05 and
2.02, search 3.23 and 3.19).

:func:`month_indicators` finds, among the mapped controls, the 0/1 columns that are 1 in
the same months of every year and 0 in the others, on :data:`AGREEMENT` of the rows or
more (a week that straddles two months may count for either), in at most half of the
months, over two years or more. A week's indicator (a holiday, Black Friday) is 1 on a
week or two of its month, and a one-off event in one year only: neither is one.
:func:`season_controls_finding` names them when there are two or more and they mark
:data:`SPELLED_OUT` months or more between them: the season spelled out month by month.
A sales month or two (a holiday season marked over December's weeks, a summer sale) is
an event the model's few sines cannot follow, which :mod:`~mmm_widgets.steps.recurring`
even asks to be marked.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable

import pandas as pd

from mmm_widgets.steps.categorical import Levels
from mmm_widgets.steps.quality import Finding
from mmm_widgets.steps.validation import Roles
from mmm_widgets.wording import listed

#: Share of the rows on which a month indicator is 1 exactly in its months.
AGREEMENT = 0.9
#: Most months a month indicator may mark (a season of the year, not its complement).
MOST_MONTHS = 6
#: Fewest month indicators named: one alone (a sales month) is an event like any other.
FEWEST = 2
#: Fewest months the indicators named mark between them.
SPELLED_OUT = 6


def month_indicators(data: pd.DataFrame, roles: Roles) -> dict[str, tuple[int, ...]]:
    """The controls of ``data`` that mark the same months of every year.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame (dates parsed, one row per date and geo).
    roles : Roles
        The model's roles (text controls already made indicators).

    Returns
    -------
    dict
        ``{control: months}`` (months numbered 1 to 12), in the order of the controls.
    """
    dates = pd.to_datetime(data[roles.date], errors="coerce")
    month, year = dates.dt.month, dates.dt.year
    found = {}
    for control in roles.controls:
        values = pd.to_numeric(data[control], errors="coerce")
        if values.isna().any() or not values.isin([0, 1]).all() or not values.any():
            continue
        share = values.groupby(month).mean()
        months = tuple(int(m) for m in share.index[share > 0.5])
        if not 0 < len(months) <= MOST_MONTHS:
            continue
        marked = month.isin(months)
        if (values == marked).mean() >= AGREEMENT and year[marked].nunique() >= 2:
            found[control] = months
    return found


def season_controls_finding(data: pd.DataFrame, roles: Roles, controls: Iterable[str],
                            categorical: Iterable[Levels] = ()) -> list[Finding]:
    """A note naming the controls that are month indicators, with the controls without them.

    Parameters
    ----------
    data : pandas.DataFrame
        The mapped frame.
    roles : Roles
        The model's roles (text controls already made indicators).
    controls : iterable of str
        The controls as the user mapped them (a text control by its own name).
    categorical : iterable of Levels
        How the text controls were made indicators.

    Returns
    -------
    list of Finding
        One ``"season_controls"`` finding, or none (fewer than :data:`FEWEST` month
        indicators, or fewer than :data:`SPELLED_OUT` months marked).
    """
    found = month_indicators(data, roles)
    covered = sorted({m for months in found.values() for m in months})
    if len(found) < FEWEST or len(covered) < SPELLED_OUT:
        return []
    owner = {indicator: levels.column
             for levels in categorical for indicator in levels.indicators}
    named = list(dict.fromkeys(owner.get(indicator, indicator) for indicator in found))
    rest = [c for c in controls if c not in named]
    every_month = len(covered) == 12
    sums = (" Indicators of every month add up to 1 on every row, as the model's intercept "
            "does." if every_month else "")
    months = ", ".join(calendar.month_abbr[m] for m in covered)
    return [Finding(
        "season_controls",
        f"{_listed(named)} {'marks' if len(named) == 1 else 'mark'} months of the year "
        f"({months}), the same ones every year: month indicators, a second yearly season "
        "beside the model's own (a few sines over the year: the yearly seasonality "
        "of the model step). With both, the model can write the season in many ways that "
        f"fit the data as well, and the sampler wanders between them.{sums} On a generated "
        "weekly table, twelve month indicators took a fit to convergence from 23 s to "
        "123 s (700 to 7,200 draws per chain) and left the ROAS as it was. Leave them out "
        f"of the controls (controls={rest!r}): the model's yearly season takes their "
        "place; or keep them and set the yearly seasonality to 0 in the model step"
        f"{', leaving one month out' if every_month else ''}.",
        tuple(named))]


def _listed(names: list[str]) -> str:
    return listed([repr(n) for n in names], 4)
