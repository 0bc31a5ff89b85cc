"""Overview plot: spend and media contribution per period; tidy frame in, bokeh out."""

from __future__ import annotations

import pandas as pd
from bokeh.layouts import column
from bokeh.models import ColumnDataSource, HoverTool, NumeralTickFormatter
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

WIDTH, HEIGHT = 640, 190
ALL = "all channels"


def trend_data(trend: pd.DataFrame, channel: str | None = None) -> dict[str, list]:
    """Columns for :func:`trend_figure`: ``date, spend, contribution`` per period.

    Parameters
    ----------
    trend : pandas.DataFrame
        ``date, channel, spend, contribution`` (the overview's trend).
    channel : str, optional
        One channel; None or ``"all channels"`` sums over the channels.
    """
    rows = trend if channel in (None, ALL) else trend[trend["channel"] == channel]
    per_date = rows.groupby("date", sort=True)[["spend", "contribution"]].sum()
    return {"date": list(per_date.index), "spend": per_date["spend"].tolist(),
            "contribution": per_date["contribution"].tolist()}


def trend_figure(trend: pd.DataFrame, target: str = "target", channel: str | None = None):
    """Spend (top) and the contribution it drove (bottom) per period, on a shared date axis.

    Two panels rather than two y-axes: spend is money, contribution is in the target's
    units, and lines on two scales cross where nothing happens.

    Parameters
    ----------
    trend : pandas.DataFrame
        ``date, channel, spend, contribution``.
    target : str
        The target's name, for the title.
    channel : str, optional
        Show one channel (default: all channels summed).

    Returns
    -------
    tuple
        The layout and its ``ColumnDataSource`` (assign ``source.data = trend_data(...)``
        to switch channel).
    """
    source = ColumnDataSource(trend_data(trend, channel))
    spend = figure(width=WIDTH, height=HEIGHT, x_axis_type="datetime", title="Media spend "
                   "per period", tools="pan,xwheel_zoom,reset,save", toolbar_location="right")
    spend.vbar(x="date", top="spend", width=_bar_width(trend), source=source,
               color=Category10_10[0], alpha=0.7)
    contribution = figure(width=WIDTH, height=HEIGHT, x_axis_type="datetime",
                          x_range=spend.x_range,
                          title=f"Incremental {target} from media per period (posterior mean)",
                          tools="pan,xwheel_zoom,reset,save", toolbar_location="right")
    contribution.line(x="date", y="contribution", source=source, color=Category10_10[1],
                      line_width=2)
    for fig, name in ((spend, "spend"), (contribution, "contribution")):
        fig.yaxis.formatter = NumeralTickFormatter(format="0.[0]a")
        fig.add_tools(HoverTool(tooltips=[("date", "@date{%F}"), (name, f"@{name}{{0,0}}")],
                                formatters={"@date": "datetime"}, mode="vline"))
    return column(spend, contribution), source


def _bar_width(trend: pd.DataFrame) -> float:
    """Four fifths of the usual gap between dates, in milliseconds (bokeh's datetime unit)."""
    dates = pd.Series(pd.to_datetime(trend["date"].unique())).sort_values()
    gap = dates.diff().median()
    return 0.8 * (gap.total_seconds() if pd.notna(gap) else 86_400.0) * 1000.0
