"""Channel summary plots: ROAS and contribution with their credible intervals."""

from __future__ import annotations

import pandas as pd
from bokeh.models import ColumnDataSource, HoverTool, NumeralTickFormatter, Span, Whisker
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

WIDTH = 640


def interval_figure(summary: pd.DataFrame, value: str, title: str, number_format: str,
                    reference: float | None = None, level: float = 0.94):
    """Horizontal bars of ``summary[value]`` per channel with HDI whiskers.

    Parameters
    ----------
    summary : pandas.DataFrame
        The channel summary (index: channel; columns ``value``, ``value_hdi_low/high``).
    value : str
        ``"roas"`` or ``"contribution"``.
    title : str
        Figure title.
    number_format : str
        Bokeh numeral format for the axis and tooltips.
    reference : float, optional
        Draw a dashed line there (e.g. ROAS 1: break-even).
    level : float
        Level of the intervals, for the tooltip.
    """
    channels = [str(c) for c in summary.index]
    source = ColumnDataSource({"channel": channels, "value": summary[value].to_numpy(),
                               "low": summary[f"{value}_hdi_low"].to_numpy(),
                               "high": summary[f"{value}_hdi_high"].to_numpy()})
    fig = figure(width=WIDTH, height=60 + 36 * len(channels), y_range=channels[::-1],
                 title=title, tools="", toolbar_location=None)
    fig.hbar(y="channel", right="value", height=0.6, source=source, color=Category10_10[0],
             alpha=0.8)
    fig.add_layout(Whisker(source=source, base="channel", lower="low", upper="high",
                           dimension="width"))
    if reference is not None:
        fig.add_layout(Span(location=reference, dimension="height", line_dash="dashed",
                            line_color="gray"))
    fmt = "{" + number_format + "}"
    fig.add_tools(HoverTool(tooltips=[("channel", "@channel"), (value, f"@value{fmt}"),
                                      (f"{level * 100:g} % HDI",
                                       f"@low{fmt} – @high{fmt}")]))
    fig.xaxis.formatter = NumeralTickFormatter(format=number_format)
    return fig
