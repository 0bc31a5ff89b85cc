"""Budget plots: response curves, allocation, scenarios, what-if; tidy frames in, bokeh out.

On a geo model the curves are drawn per channel (one small plot each, a line per geo)
and the allocation bars stack the geos of each channel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from bokeh.layouts import gridplot
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, NumeralTickFormatter
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

WIDTH, HEIGHT = 640, 300
TOOLS = "pan,wheel_zoom,box_zoom,reset,save"


def geo_column(curves: pd.DataFrame) -> str | None:
    """The geo column of response curves of a geo model (None for a national model).

    The curves name their own levels: on a geo model the geo column follows ``channel``,
    on a national model ``spend`` does, so plots need not know the step's column list.
    """
    columns = list(curves.columns)
    at = columns.index("channel") + 1 if "channel" in columns else len(columns)
    if at >= len(columns) or columns[at] == "spend":
        return None
    return str(columns[at])


def curve_marks(curves: pd.DataFrame) -> pd.DataFrame:
    """Points to mark on the response curves: the current spend and the threshold spend.

    Parameters
    ----------
    curves : pandas.DataFrame
        From :meth:`Workflow.response_curves` (its ``attrs`` hold the spends).

    Returns
    -------
    pandas.DataFrame
        ``channel, kind, spend, response, marginal_roas``; ``kind`` is ``"current"`` or
        ``"threshold"`` (left out where the curve never falls below the threshold). On a
        geo model the geo column follows ``channel``.
    """
    geo = geo_column(curves)
    levels = ["channel", geo] if geo else ["channel"]
    groups = dict(tuple(curves.groupby(levels if geo else "channel", sort=False)))
    rows = []
    for kind, key in (("current", "current_spend"), ("threshold", "threshold_spend")):
        for label, spend in curves.attrs.get(key, {}).items():
            points = groups.get(label)
            if points is None or not np.isfinite(spend):
                continue
            x = points["spend"].to_numpy()
            where = dict(zip(levels, label if geo else (label,), strict=True))
            rows.append({**where, "kind": kind, "spend": float(spend),
                         "response": float(np.interp(spend, x, points["response"])),
                         "marginal_roas": float(np.interp(spend, x,
                                                          points["marginal_roas"]))})
    return pd.DataFrame(rows, columns=[*levels, "kind", "spend", "response",
                                       "marginal_roas"])


def response_figure(curves: pd.DataFrame, marks: pd.DataFrame | None = None,
                    level: float = 0.94):
    """One curve per channel with its HDI band; circles at current spend, diamonds at
    the spend where the marginal ROAS falls below the threshold.

    Parameters
    ----------
    curves : pandas.DataFrame
        ``channel, spend, response, response_hdi_low, response_hdi_high, marginal_roas``.
    marks : pandas.DataFrame, optional
        From :func:`curve_marks` (computed from ``curves`` when omitted).
    level : float
        Level of the bands, for the title.
    """
    marks = curve_marks(curves) if marks is None else marks
    threshold = curves.attrs.get("threshold")
    title = f"Response per period at a steady spend ({level * 100:g} % HDI)"
    if threshold is not None and not isinstance(threshold, dict):
        title += f"; ◆ marginal ROAS falls below {threshold:g}"
    geo = geo_column(curves)
    if geo:
        return _geo_response_figure(curves, marks, geo, title)
    fig = figure(width=WIDTH, height=HEIGHT + 40, title=title, tools=TOOLS,
                 x_axis_label="spend per period", y_axis_label="response per period")
    for index, (channel, points) in enumerate(curves.groupby("channel", sort=False)):
        colour = Category10_10[index % 10]
        source = ColumnDataSource({c: points[c].to_numpy() for c in points.columns})
        fig.varea("spend", "response_hdi_low", "response_hdi_high", source=source,
                  fill_color=colour, fill_alpha=0.15, legend_label=str(channel))
        line = fig.line("spend", "response", source=source, color=colour, line_width=2,
                        legend_label=str(channel))
        fig.add_tools(HoverTool(renderers=[line], tooltips=[
            ("channel", "@channel"), ("spend", "@spend{0,0}"), ("response", "@response{0,0}"),
            ("marginal ROAS", "@marginal_roas{0.00}")]))
        own = marks[marks["channel"] == channel]
        for kind, marker in (("current", "circle"), ("threshold", "diamond")):
            point = own[own["kind"] == kind]
            if not point.empty:
                fig.scatter(point["spend"].to_numpy(), point["response"].to_numpy(),
                            marker=marker, size=11, color=colour, line_color="black",
                            legend_label=str(channel))
    fig.xaxis.formatter = NumeralTickFormatter(format="0,0")
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    fig.legend.click_policy = "hide"
    fig.legend.location = "top_left"
    fig.legend.label_text_font_size = "8pt"
    return fig


def _geo_response_figure(curves: pd.DataFrame, marks: pd.DataFrame, geo: str, title: str):
    """One small plot per channel with a curve (and band) per geo, in a grid."""
    geos = list(dict.fromkeys(curves[geo]))
    colours = {g: Category10_10[i % 10] for i, g in enumerate(geos)}
    figures = []
    for channel, own in curves.groupby("channel", sort=False):
        fig = figure(width=WIDTH // 2 + 20, height=HEIGHT - 40, title=str(channel),
                     tools=TOOLS, x_axis_label="spend per period",
                     y_axis_label="response per period")
        for area, points in own.groupby(geo, sort=False):
            colour = colours[area]
            source = ColumnDataSource({c: points[c].to_numpy() for c in points.columns})
            fig.varea("spend", "response_hdi_low", "response_hdi_high", source=source,
                      fill_color=colour, fill_alpha=0.12, legend_label=str(area))
            line = fig.line("spend", "response", source=source, color=colour, line_width=2,
                            legend_label=str(area))
            fig.add_tools(HoverTool(renderers=[line], tooltips=[
                ("channel", "@channel"), ("geo", f"@{{{geo}}}"), ("spend", "@spend{0,0}"),
                ("response", "@response{0,0}"),
                ("marginal ROAS", "@marginal_roas{0.00}")]))
            here = marks[(marks["channel"] == channel) & (marks[geo] == area)]
            for kind, marker in (("current", "circle"), ("threshold", "diamond")):
                point = here[here["kind"] == kind]
                if not point.empty:
                    fig.scatter(point["spend"].to_numpy(), point["response"].to_numpy(),
                                marker=marker, size=9, color=colour, line_color="black",
                                legend_label=str(area))
        fig.xaxis.formatter = NumeralTickFormatter(format="0,0")
        fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
        fig.legend.click_policy = "hide"
        fig.legend.location = "top_left"
        fig.legend.label_text_font_size = "7pt"
        figures.append(fig)
    figures[0].title.text = f"{figures[0].title.text} — {title}"
    return gridplot(figures, ncols=2, toolbar_location="right")


def _is_geo_table(table: pd.DataFrame) -> bool:
    return isinstance(table.index, pd.MultiIndex)


def allocation_data(table: pd.DataFrame) -> dict[str, list]:
    """Column data for :func:`allocation_figure` from the optimize table.

    On a geo model (indexed by channel and geo) one column per geo, ``geo_0``,
    ``geo_1``... in the order of the table, stacked in each bar.
    """
    if _is_geo_table(table):
        geos = list(dict.fromkeys(table.index.get_level_values(1)))
        channels = list(dict.fromkeys(table.index.get_level_values(0)))
        data: dict[str, list] = {"factor": [(str(c), kind) for c in channels
                                            for kind in ("current", "optimized")]}
        for i, area in enumerate(geos):
            data[f"geo_{i}"] = [float(table.at[(c, area), kind]) if (c, area) in table.index
                                else 0.0 for c in channels for kind in ("current", "optimized")]
        return data
    factors, values, colours = [], [], []
    for channel in table.index:
        for kind, colour in (("current", Category10_10[7]), ("optimized", Category10_10[0])):
            factors.append((str(channel), kind))
            values.append(float(table.at[channel, kind]))
            colours.append(colour)
    return {"factor": factors, "spend": values, "colour": colours}


def allocation_figure(table: pd.DataFrame):
    """Current vs optimized spend per channel, grouped bars.

    Returns
    -------
    tuple
        ``(figure, source)``; update with ``source.data = allocation_data(table)``.
    """
    data = allocation_data(table)
    source = ColumnDataSource(data)
    fig = figure(width=WIDTH, height=HEIGHT, x_range=FactorRange(*data["factor"]),
                 title="Spend over the horizon: current vs optimized", tools=TOOLS)
    if _is_geo_table(table):
        geos = list(dict.fromkeys(table.index.get_level_values(1)))
        stackers = [f"geo_{i}" for i in range(len(geos))]
        fig.title.text += " (each bar stacks the geos)"
        renderers = fig.vbar_stack(stackers, x="factor", width=0.8, source=source,
                                   color=[Category10_10[i % 10] for i in range(len(geos))],
                                   legend_label=[str(g) for g in geos])
        for renderer, area, stacker in zip(renderers, geos, stackers, strict=True):
            fig.add_tools(HoverTool(renderers=[renderer], tooltips=[
                ("", "@factor"), ("geo", str(area)), ("spend", f"@{stacker}{{0,0}}")]))
        fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
        fig.xaxis.major_label_orientation = 0.8
        fig.legend.location = "top_left"
        fig.legend.label_text_font_size = "8pt"
        return fig, source
    fig.vbar(x="factor", top="spend", width=0.8, color="colour", source=source)
    fig.add_tools(HoverTool(tooltips=[("", "@factor"), ("spend", "@spend{0,0}")]))
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    fig.xaxis.major_label_orientation = 0.8
    return fig, source


def scenario_data(table: pd.DataFrame) -> dict[str, list]:
    """Column data for :func:`scenario_figure` from the scenario comparison table."""
    return {"scenario": [str(s) for s in table.index],
            "outcome": table["expected_outcome"].astype(float).tolist(),
            "low": table["outcome_hdi_low"].astype(float).tolist(),
            "high": table["outcome_hdi_high"].astype(float).tolist(),
            "spend": table["total_spend"].astype(float).tolist(),
            "roas": table["roas"].astype(float).tolist()}


def scenario_figure(table: pd.DataFrame, level: float = 0.94):
    """Expected outcome per scenario with its HDI.

    Returns
    -------
    tuple
        ``(figure, source)``; update with ``source.data = scenario_data(table)`` and
        ``figure.x_range.factors = list(table.index)``.
    """
    data = scenario_data(table)
    source = ColumnDataSource(data)
    fig = figure(width=WIDTH, height=HEIGHT, x_range=FactorRange(*data["scenario"]),
                 title=f"Outcome the plan adds ({level * 100:g} % HDI)", tools=TOOLS)
    fig.vbar(x="scenario", top="outcome", width=0.6, source=source,
             color=Category10_10[0], alpha=0.8)
    fig.segment(x0="scenario", x1="scenario", y0="low", y1="high", source=source,
                color="black", line_width=2)
    fig.add_tools(HoverTool(tooltips=[("scenario", "@scenario"), ("spend", "@spend{0,0}"),
                                      ("outcome", "@outcome{0,0}"),
                                      ("HDI", "@low{0,0} – @high{0,0}"),
                                      ("ROAS", "@roas{0.00}")]))
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    fig.xaxis.major_label_orientation = 0.5
    return fig, source


def _label(key) -> str:
    return " · ".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def what_if_data(frame: pd.DataFrame) -> dict[str, list]:
    """Column data for :func:`what_if_figure` from :meth:`Workflow.what_if` (channels only;
    on a geo model one bar per channel and geo, labelled ``"channel · geo"``)."""
    channels = frame.iloc[:-1]
    return {"channel": [_label(c) for c in channels.index],
            "contribution": channels["contribution"].astype(float).tolist(),
            "low": channels["contribution_hdi_low"].astype(float).tolist(),
            "high": channels["contribution_hdi_high"].astype(float).tolist(),
            "spend": channels["spend"].astype(float).tolist(),
            "roas": channels["roas"].astype(float).tolist()}


def what_if_figure(frame: pd.DataFrame, level: float = 0.94):
    """Predicted contribution per channel with its HDI, for the what-if sliders.

    Returns
    -------
    tuple
        ``(figure, source)``; on every slider move assign
        ``source.data = what_if_data(frame)`` once.
    """
    data = what_if_data(frame)
    source = ColumnDataSource(data)
    height = max(HEIGHT - 60, 22 * len(data["channel"]) + 60)
    fig = figure(width=WIDTH, height=height, y_range=FactorRange(*data["channel"][::-1]),
                 title=f"What-if: contribution of each channel ({level * 100:g} % HDI)",
                 tools=TOOLS)
    fig.hbar(y="channel", right="contribution", height=0.6, source=source,
             color=Category10_10[2], alpha=0.8)
    fig.segment(x0="low", x1="high", y0="channel", y1="channel", source=source,
                color="black", line_width=2)
    fig.add_tools(HoverTool(tooltips=[("channel", "@channel"), ("spend", "@spend{0,0}"),
                                      ("contribution", "@contribution{0,0}"),
                                      ("ROAS", "@roas{0.00}")]))
    fig.xaxis.formatter = NumeralTickFormatter(format="0,0")
    return fig, source
