"""Attribution comparison plots: the result table made tidy, then a grouped bar chart."""

from __future__ import annotations

import pandas as pd
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, NumeralTickFormatter, Whisker
from bokeh.palettes import Category10_10
from bokeh.plotting import figure
from bokeh.transform import factor_cmap

WIDTH, HEIGHT = 720, 300
MMM = "mmm"


def tidy_frame(table: pd.DataFrame) -> pd.DataFrame:
    """One row per channel and method from the attribution table.

    Parameters
    ----------
    table : pandas.DataFrame
        The result of :meth:`Workflow.attribution` (indexed by channel).

    Returns
    -------
    pandas.DataFrame
        Columns ``channel, method, share, low, high, outside``; ``low``/``high`` are the
        MMM interval the row is compared with: on the MMM's row its share of all media, on a
        method's row its share over the channels the method covers (``<method>_mmm``; NaN
        where the method covers no such channel). ``outside`` is False for the MMM itself.
        Methods keep the table's order, the MMM first.
    """
    methods = [MMM] + [c[: -len("_share")] for c in table.columns
                       if c.endswith("_share") and c != "mmm_share"]
    rows = []
    for channel, row in table.iterrows():
        for method in methods:
            like = "mmm_share" if method == MMM or f"{method}_mmm" not in row else f"{method}_mmm"
            rows.append({
                "channel": str(channel), "method": method, "share": float(row[f"{method}_share"]),
                "low": float(row[f"{like}_hdi_low"]), "high": float(row[f"{like}_hdi_high"]),
                "outside": False if method == MMM else bool(row[f"{method}_outside"]),
            })
    return pd.DataFrame(rows, columns=["channel", "method", "share", "low", "high", "outside"])


def share_figure(tidy: pd.DataFrame):
    """Grouped bars of the share of credit per channel and method; MMM bars with HDI whiskers.

    Parameters
    ----------
    tidy : pandas.DataFrame
        From :func:`tidy_frame`.

    Returns
    -------
    bokeh.plotting.figure
    """
    channels = list(dict.fromkeys(tidy["channel"]))
    methods = list(dict.fromkeys(tidy["method"]))
    data = {
        "x": list(zip(tidy["channel"], tidy["method"], strict=True)),
        "method": tidy["method"].tolist(),
        "channel": tidy["channel"].tolist(),
        "share": tidy["share"].tolist(),
        "low": tidy["low"].tolist(),
        "high": tidy["high"].tolist(),
        "flag": ["outside the MMM interval" if o else "" for o in tidy["outside"]],
    }
    source = ColumnDataSource(data)
    fig = figure(x_range=FactorRange(*[(c, m) for c in channels for m in methods]),
                 width=WIDTH, height=HEIGHT, title="Share of credit by channel and method",
                 tools="save,reset", toolbar_location="right")
    palette = [Category10_10[i % 10] for i in range(len(methods))]
    fig.vbar(x="x", top="share", width=0.85, source=source, line_color="white",
             fill_color=factor_cmap("x", palette=palette, factors=methods, start=1, end=2))
    is_mmm = tidy["method"].eq(MMM).to_numpy()
    mmm = ColumnDataSource({key: [v for v, keep in zip(values, is_mmm, strict=True) if keep]
                            for key, values in data.items()})
    fig.add_layout(Whisker(base="x", lower="low", upper="high", source=mmm,
                           line_color="black", line_width=1.5))
    fig.add_tools(HoverTool(tooltips=[("channel", "@channel"), ("method", "@method"),
                                      ("share", "@share{0.0%}"),
                                      ("MMM interval, same channels",
                                       "@low{0.0%} to @high{0.0%}"),
                                      ("", "@flag")]))
    fig.yaxis.formatter = NumeralTickFormatter(format="0%")
    fig.y_range.start = 0
    fig.xaxis.major_label_orientation = 1.0
    fig.xaxis.group_text_font_size = "10pt"
    fig.xgrid.grid_line_color = None
    return fig
