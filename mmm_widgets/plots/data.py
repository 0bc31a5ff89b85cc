"""Preview plots of the mapped data: tidy frames first, bokeh figures from them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
from bokeh.models import ColumnDataSource, HoverTool, NumeralTickFormatter
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

if TYPE_CHECKING:
    from mmm_widgets.steps.validation import Roles

WIDTH, HEIGHT = 640, 240


def target_frame(data: pd.DataFrame, roles: Roles) -> pd.DataFrame:
    """The target per date (summed over geos): columns ``date, value``."""
    summed = data.groupby(roles.date, sort=True)[roles.target].sum()
    return pd.DataFrame({"date": summed.index, "value": summed.to_numpy()})


def spend_frame(data: pd.DataFrame, roles: Roles) -> pd.DataFrame:
    """Spend per date and channel (summed over geos), tidy: ``date, channel, spend``."""
    summed = data.groupby(roles.date, sort=True)[list(roles.channels)].sum()
    tidy = summed.reset_index().melt(id_vars=roles.date, var_name="channel", value_name="spend")
    return tidy.rename(columns={roles.date: "date"})


def share_frame(data: pd.DataFrame, roles: Roles) -> pd.DataFrame:
    """Total spend and share per channel: ``channel, spend, share``."""
    totals = data[list(roles.channels)].sum()
    return pd.DataFrame({"channel": totals.index, "spend": totals.to_numpy(),
                         "share": (totals / totals.sum()).to_numpy()})


def target_figure(frame: pd.DataFrame, label: str):
    """Line of the target over time from :func:`target_frame`."""
    fig = figure(width=WIDTH, height=HEIGHT, x_axis_type="datetime", title=f"{label} over time",
                 tools="pan,wheel_zoom,box_zoom,reset,save", toolbar_location="right")
    source = ColumnDataSource(frame)
    fig.line("date", "value", source=source, line_width=2, color=Category10_10[0])
    fig.add_tools(HoverTool(tooltips=[("date", "@date{%F}"), (label, "@value{0,0}")],
                            formatters={"@date": "datetime"}, mode="vline"))
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    return fig


def spend_figure(frame: pd.DataFrame):
    """One line per channel of spend over time, from :func:`spend_frame`."""
    fig = figure(width=WIDTH, height=HEIGHT, x_axis_type="datetime", title="Spend by channel",
                 tools="pan,wheel_zoom,box_zoom,reset,save", toolbar_location="right")
    for index, (channel, rows) in enumerate(frame.groupby("channel", sort=False)):
        source = ColumnDataSource({"date": rows["date"], "spend": rows["spend"],
                                   "channel": rows["channel"]})
        fig.line("date", "spend", source=source, legend_label=str(channel), line_width=1.5,
                 color=Category10_10[index % 10])
    fig.add_tools(HoverTool(tooltips=[("channel", "@channel"), ("date", "@date{%F}"),
                                      ("spend", "@spend{0,0}")],
                            formatters={"@date": "datetime"}))
    fig.legend.click_policy = "hide"
    fig.legend.label_text_font_size = "8pt"
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    return fig


def share_figure(frame: pd.DataFrame):
    """Horizontal bars of each channel's share of spend, from :func:`share_frame`."""
    channels = [str(c) for c in frame["channel"]]
    fig = figure(width=WIDTH, height=max(120, 30 * len(channels) + 60), y_range=channels,
                 title="Share of spend", tools="", toolbar_location=None)
    source = ColumnDataSource({"channel": channels, "share": frame["share"],
                               "spend": frame["spend"]})
    fig.hbar(y="channel", right="share", height=0.7, source=source, color=Category10_10[1])
    fig.add_tools(HoverTool(tooltips=[("channel", "@channel"), ("share", "@share{0.0%}"),
                                      ("spend", "@spend{0,0}")]))
    fig.xaxis.formatter = NumeralTickFormatter(format="0%")
    return fig
