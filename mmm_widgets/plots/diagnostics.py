"""Diagnostics plots: each takes a tidy frame of the diagnostics step and returns a figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
from bokeh.models import ColumnDataSource, HoverTool, NumeralTickFormatter, Span
from bokeh.palettes import Category10_10, Category20_20
from bokeh.plotting import figure

WIDTH, HEIGHT = 720, 280
TOOLS = "pan,wheel_zoom,box_zoom,reset,save"


def fit_figure(frame: pd.DataFrame, date: str = "date", level: float = 0.94):
    """Posterior predictive mean with 50 % and ``level`` bands against the actual target.

    Parameters
    ----------
    frame : pandas.DataFrame
        The diagnostics ``fit`` frame (summed over geos when there are several).
    date : str
        Name of the date column.
    level : float
        Level of the outer band (``hdi_low`` / ``hdi_high``), for the labels.
    """
    frame = _by_date(frame, date, ["predicted", "hdi50_low", "hdi50_high", "hdi_low",
                                   "hdi_high", "actual"])
    source = ColumnDataSource(frame.rename(columns={date: "date"}))
    fig = figure(width=WIDTH, height=HEIGHT, x_axis_type="datetime", tools=TOOLS,
                 title=f"Fit: posterior predictive ({_percent(level)} and 50 % HDI) vs actual")
    fig.varea("date", "hdi_low", "hdi_high", source=source, color=Category10_10[0],
              alpha=0.15, legend_label=f"{_percent(level)} HDI")
    fig.varea("date", "hdi50_low", "hdi50_high", source=source, color=Category10_10[0],
              alpha=0.3, legend_label="50 % HDI")
    fig.line("date", "predicted", source=source, color=Category10_10[0], line_width=2,
             legend_label="predicted")
    fig.scatter("date", "actual", source=source, color="black", size=4, legend_label="actual")
    fig.add_tools(HoverTool(tooltips=[("date", "@date{%F}"), ("actual", "@actual{0,0}"),
                                      ("predicted", "@predicted{0,0}")],
                            formatters={"@date": "datetime"}, mode="vline"))
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    fig.legend.location = "top_left"
    return fig


def residual_figure(frame: pd.DataFrame, date: str = "date"):
    """Residuals (actual minus predicted) over time."""
    frame = _by_date(frame, date, ["residual"])
    source = ColumnDataSource(frame.rename(columns={date: "date"}))
    fig = figure(width=WIDTH, height=HEIGHT, x_axis_type="datetime", tools=TOOLS,
                 title="Residuals over time")
    fig.vbar(x="date", top="residual", width=4 * 24 * 3600 * 1000, source=source,
             color=Category10_10[3])
    fig.add_layout(Span(location=0, dimension="width", line_color="gray"))
    fig.add_tools(HoverTool(tooltips=[("date", "@date{%F}"), ("residual", "@residual{0,0}")],
                            formatters={"@date": "datetime"}))
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    return fig


def autocorrelation_figure(frame: pd.DataFrame, periods: int):
    """Residual autocorrelation by lag, with the ±2/√n band of white noise."""
    source = ColumnDataSource(frame)
    fig = figure(width=WIDTH, height=HEIGHT, tools=TOOLS, title="Residual autocorrelation")
    fig.vbar(x="lag", top="acf", width=0.6, source=source, color=Category10_10[2])
    band = 2 / np.sqrt(max(periods, 1))
    for level in (band, -band):
        fig.add_layout(Span(location=level, dimension="width", line_dash="dashed",
                            line_color="gray"))
    fig.add_tools(HoverTool(tooltips=[("lag", "@lag"), ("autocorrelation", "@acf{0.00}")]))
    return fig


def trace_figure(frame: pd.DataFrame, parameter: str):
    """Thinned traces of one media parameter, one line per channel and chain."""
    rows = frame[frame["parameter"] == parameter]
    fig = figure(width=WIDTH, height=HEIGHT, tools=TOOLS, title=f"Trace of {parameter}")
    for index, ((channel, chain), part) in enumerate(rows.groupby(["channel", "chain"])):
        fig.line(part["draw"], part["value"], color=Category20_20[index % 20], alpha=0.8,
                 legend_label=f"{channel} (chain {chain})")
    if len(rows):
        fig.legend.label_text_font_size = "7pt"
        fig.legend.click_policy = "hide"
    return fig


def prior_posterior_figure(frame: pd.DataFrame):
    """How much the data narrowed each media parameter (1 = fully informed, 0 = prior)."""
    labels = [f"{p}[{c}]" for p, c in zip(frame["parameter"], frame["channel"], strict=True)]
    source = ColumnDataSource({"label": labels, "shrinkage": frame["shrinkage"].clip(lower=0),
                               "prior_sd": frame["prior_sd"],
                               "posterior_sd": frame["posterior_sd"]})
    fig = figure(width=WIDTH, height=max(200, 18 * len(labels) + 60), y_range=labels[::-1],
                 tools="", toolbar_location=None,
                 title="Prior vs posterior: share of prior variance the data removed")
    fig.hbar(y="label", right="shrinkage", height=0.7, source=source, color=Category10_10[4])
    fig.add_layout(Span(location=0.1, dimension="height", line_dash="dashed",
                        line_color="gray"))
    fig.add_tools(HoverTool(tooltips=[("parameter", "@label"), ("informed", "@shrinkage{0%}"),
                                      ("prior sd", "@prior_sd{0.000}"),
                                      ("posterior sd", "@posterior_sd{0.000}")]))
    fig.xaxis.formatter = NumeralTickFormatter(format="0%")
    return fig


def decomposition_frame(frame: pd.DataFrame, date: str = "date") -> pd.DataFrame:
    """Wide frame: one column per component (baseline, seasonality, each control/channel)."""
    label = frame["component"].astype(str)
    for column in ("channel", "control"):
        if column in frame:
            label = label.where(frame[column].isna(), frame[column].astype(str))
    tidy = frame.assign(label=label)
    group = [c for c in (date, "geo") if c in tidy]
    wide = tidy.pivot_table(index=group, columns="label", values="mean", aggfunc="sum")
    if "geo" in group:
        wide = wide.groupby(level=0).sum()
    return wide.reset_index().rename(columns={date: "date"})


def decomposition_figure(frame: pd.DataFrame, date: str = "date"):
    """Stacked contributions over time: baseline, seasonality, controls and each channel."""
    wide = decomposition_frame(frame, date)
    components = [c for c in wide.columns if c != "date"]
    positive = wide[components].clip(lower=0)
    source = ColumnDataSource({"date": wide["date"], **{c: positive[c] for c in components}})
    fig = figure(width=WIDTH, height=HEIGHT + 60, x_axis_type="datetime", tools=TOOLS,
                 title="Decomposition (positive parts stacked)")
    colors = [Category20_20[i % 20] for i in range(len(components))]
    fig.varea_stack(components, x="date", source=source, color=colors, legend_label=components)
    fig.legend.label_text_font_size = "7pt"
    fig.legend.location = "top_left"
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    return fig


def waterfall_frame(totals: pd.DataFrame) -> pd.DataFrame:
    """Bars of a waterfall: ``component, start, end, value`` from the totals table."""
    values = totals.set_index("component")["mean"]
    end = values.cumsum()
    return pd.DataFrame({"component": values.index.astype(str), "value": values.to_numpy(),
                         "start": (end - values).to_numpy(), "end": end.to_numpy()})


def waterfall_figure(totals: pd.DataFrame):
    """Totals over the fitted period, component by component, up to the total target."""
    frame = waterfall_frame(totals)
    frame["color"] = [Category10_10[2] if v >= 0 else Category10_10[3] for v in frame["value"]]
    source = ColumnDataSource(frame)
    fig = figure(width=WIDTH, height=HEIGHT, x_range=list(frame["component"]), tools="",
                 toolbar_location=None, title="Waterfall of totals over the fitted period")
    fig.vbar(x="component", bottom="start", top="end", width=0.7, color="color", source=source)
    fig.add_tools(HoverTool(tooltips=[("component", "@component"), ("total", "@value{0,0}")]))
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    return fig


def holdout_figure(frame: pd.DataFrame, date: str = "date", level: float = 0.94):
    """Forecast of the held-out periods with its HDI (at ``level``) against the actual."""
    frame = _by_date(frame, date, ["predicted", "hdi_low", "hdi_high", "actual"])
    source = ColumnDataSource(frame.rename(columns={date: "date"}))
    fig = figure(width=WIDTH, height=HEIGHT, x_axis_type="datetime", tools=TOOLS,
                 title="Holdout: forecast vs actual")
    fig.varea("date", "hdi_low", "hdi_high", source=source, color=Category10_10[1],
              alpha=0.25, legend_label=f"{_percent(level)} HDI")
    fig.line("date", "predicted", source=source, color=Category10_10[1], line_width=2,
             legend_label="forecast")
    fig.scatter("date", "actual", source=source, color="black", size=5, legend_label="actual")
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    return fig


def _percent(level: float) -> str:
    return f"{level * 100:g} %"


def _by_date(frame: pd.DataFrame, date: str, columns: list[str]) -> pd.DataFrame:
    # Geo panels are summed per date for the national view; bands then add up loosely,
    # which is fine for a picture and is said in the panel.
    return frame.groupby(date, as_index=False)[columns].sum()


def cross_validation_figure(frame: pd.DataFrame, date: str = "date", level: float = 0.94):
    """Actual target against each fold's forecast with its HDI band (at ``level``).

    Parameters
    ----------
    frame : pandas.DataFrame
        The cross-validation frame: ``fold, date, [geo], predicted, hdi_low,
        hdi_high, actual`` (summed over geos when there are several).
    date : str
        Name of the date column.
    level : float
        Level of the bands, for the title.
    """
    columns = ["predicted", "hdi_low", "hdi_high", "actual"]
    fig = figure(width=WIDTH, height=HEIGHT, x_axis_type="datetime", tools=TOOLS,
                 title=f"Cross-validation: each fold's forecast vs actual "
                       f"({_percent(level)} HDI)")
    actual = frame.groupby(date, as_index=False)["actual"].sum().rename(columns={date: "date"})
    lines = []
    for index, (fold, part) in enumerate(frame.groupby("fold")):
        part = _by_date(part, date, columns).rename(columns={date: "date"})
        source = ColumnDataSource(part.assign(fold=fold))
        color = Category10_10[(index + 1) % 10]
        fig.varea("date", "hdi_low", "hdi_high", source=source, color=color, alpha=0.2,
                  legend_label=f"fold {fold}")
        lines.append(fig.line("date", "predicted", source=source, color=color, line_width=2,
                              legend_label=f"fold {fold}"))
    fig.scatter("date", "actual", source=ColumnDataSource(actual), color="black", size=5,
                legend_label="actual")
    fig.add_tools(HoverTool(renderers=lines, formatters={"@date": "datetime"},
                            tooltips=[("date", "@date{%F}"), ("fold", "@fold"),
                                      ("forecast", "@predicted{0,0}"),
                                      ("actual", "@actual{0,0}")]))
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    fig.legend.location = "top_left"
    fig.legend.click_policy = "hide"
    return fig
