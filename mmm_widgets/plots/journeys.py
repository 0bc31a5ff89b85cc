"""Journey plots: a Sankey of the flows between channels, and pairwise lifts with intervals.

:func:`sankey_figure` draws with HoloViews' ``Sankey`` (its bokeh backend), imported only
when a Sankey is drawn so that importing the kit stays fast; the figure it returns is a
plain bokeh model, shown like the other plots (jupyter_bokeh, inline resources, no CDN).
"""

from __future__ import annotations

import pandas as pd
from bokeh.models import ColumnDataSource, HoverTool, Span, Whisker
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

from mmm_widgets.mta.flows import CONVERSION, NO_CONVERSION

WIDTH = 720
OUTCOME_COLOURS = {CONVERSION: "#2ca02c", NO_CONVERSION: "#c7c7c7"}
# Category10 without its green and grey, which the outcomes use.
CHANNEL_PALETTE = tuple(c for i, c in enumerate(Category10_10) if i not in (2, 7))
VERDICT_COLOURS = {"synergy": "#2ca02c", "cannibalization": "#d62728",
                   "no clear effect": "#7f7f7f", "not estimable": "#c7c7c7"}


def node_channel(node: str) -> str:
    """The channel of a Sankey node: ``"2 paid search"`` -> ``"paid search"``.

    Parameters
    ----------
    node : str
        A node label of :func:`mmm_widgets.mta.journey_flows` (step, space, channel) or
        an outcome.

    Returns
    -------
    str
    """
    if node in OUTCOME_COLOURS:
        return node
    return node.split(" ", 1)[1] if " " in node else node


def sankey_figure(flows: pd.DataFrame, title: str | None = None, height: int = 420):
    """A Sankey diagram of journeys from channel to channel, then to their outcome.

    Parameters
    ----------
    flows : pandas.DataFrame
        ``source, target, journeys`` from :func:`mmm_widgets.mta.journey_flows` (or the
        cross-channel step's ``flows``).
    title : str, optional
        Defaults to a line saying what the columns are.
    height : int
        Height in pixels.

    Returns
    -------
    bokeh.plotting.figure
        Rendered by HoloViews (``hv.render(..., backend="bokeh")``): a graph renderer
        whose edge source holds ``source, target, journeys, channel`` and whose labels
        name every node with its journeys; a channel keeps its colour at every step.
    """
    import holoviews as hv

    # Importing the bokeh plotting module registers its options (no hv.extension output).
    import holoviews.plotting.bokeh

    edges = pd.DataFrame({"source": flows["source"].astype(str),
                          "target": flows["target"].astype(str),
                          "journeys": flows["journeys"].astype("int64")})
    edges["channel"] = edges["source"].map(node_channel)
    names = list(dict.fromkeys([*edges["source"], *edges["target"]]))
    nodes = pd.DataFrame({"node": names, "channel": [node_channel(n) for n in names]})
    channels = sorted(set(nodes["channel"]) - set(OUTCOME_COLOURS))
    colours = {c: CHANNEL_PALETTE[i % len(CHANNEL_PALETTE)] for i, c in enumerate(channels)}
    colours.update(OUTCOME_COLOURS)
    steps = edges["source"].str.split(" ", n=1).str[0]
    shown = steps.max() if len(steps) else "0"
    sankey = hv.Sankey((edges, hv.Dataset(nodes, "node", "channel")),
                       kdims=["source", "target"], vdims=["journeys", "channel"])
    sankey = sankey.opts(
        width=WIDTH, height=height, node_color="channel", edge_color="channel", cmap=colours,
        node_size=0, label_position="right", tools=["hover"], default_tools=["save", "reset"],
        title=title or f"Journeys by touch: first {shown} touches (the last one: the touch "
                       "before the outcome)", backend="bokeh")
    fig = hv.render(sankey, backend="bokeh")
    # Canvas draws everywhere (WebGL may be missing in a headless browser or a report).
    fig.output_backend = "canvas"
    return fig


def lift_figure(table: pd.DataFrame):
    """Each pair's lift with its interval, a line at 1 (no interaction), coloured by verdict.

    Parameters
    ----------
    table : pandas.DataFrame
        The cross-channel step's pair table (:func:`mmm_widgets.mta.channel_synergy`).

    Returns
    -------
    bokeh.plotting.figure
        One row per pair with an interval, largest lift on top; the source holds ``pair,
        lift, low, high, verdict, n_both, colour, flag``.
    """
    rows = table.loc[table["lift_hdi_low"].notna()].sort_values("lift")
    pairs = [f"{a} & {b}" for a, b in zip(rows["channel_a"], rows["channel_b"], strict=True)]
    source = ColumnDataSource({
        "pair": pairs, "lift": rows["lift"].tolist(), "low": rows["lift_hdi_low"].tolist(),
        "high": rows["lift_hdi_high"].tolist(), "verdict": rows["verdict"].tolist(),
        "n_both": rows["n_both"].tolist(),
        "colour": [VERDICT_COLOURS.get(v, "#7f7f7f") for v in rows["verdict"]],
        "flag": ["few journeys in a cell" if f else "" for f in rows["few_journeys"]],
    })
    ends = [1.0, *rows["lift_hdi_low"].dropna(), *rows["lift_hdi_high"].dropna()]
    pad = 0.05 * (max(ends) - min(ends)) or 0.1
    fig = figure(y_range=pairs, x_range=(min(ends) - pad, max(ends) + pad), width=WIDTH,
                 height=80 + 26 * max(len(pairs), 1),
                 title="Lift of each pair over independent effects (> 1 synergy, "
                       "< 1 cannibalization)", tools="save,reset", toolbar_location="right",
                 x_axis_label="lift (journeys with both / expected if independent)")
    fig.add_layout(Whisker(base="pair", lower="low", upper="high", source=source,
                           dimension="width", line_color="black"))
    dots = fig.scatter(x="lift", y="pair", size=10, color="colour", source=source)
    fig.add_layout(Span(location=1.0, dimension="height", line_dash="dashed",
                        line_color="black", line_width=1.5))
    fig.add_tools(HoverTool(renderers=[dots], tooltips=[
        ("pair", "@pair"), ("lift", "@lift{0.00}"), ("interval", "@low{0.00} to @high{0.00}"),
        ("journeys with both", "@n_both{0,0}"), ("verdict", "@verdict"), ("", "@flag")]))
    fig.ygrid.grid_line_color = None
    return fig
