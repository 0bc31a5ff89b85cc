"""The model search's Pareto plot: out-of-sample accuracy against stability.

Tidy frame in, bokeh out: :func:`pareto_figure` draws the ranked table of
:meth:`Workflow.search`; :func:`pareto_data` gives what it draws, so the plot can be
checked against the table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from bokeh.models import ColumnDataSource, HoverTool
from bokeh.plotting import figure

from mmm_widgets.errors import DataError, problem

WIDTH, HEIGHT = 560, 340
COLUMNS = ("adstock", "saturation", "l_max", "crps", "roas_spread", "pareto")


def pareto_data(ranked: pd.DataFrame) -> dict[str, list]:
    """Column data of the scored candidates: ``candidate, crps, roas_spread, pareto, label``.

    Candidates that failed (no CRPS) are left out.

    Raises
    ------
    DataError
        When ``ranked`` lacks a column of the search's table.
    """
    absent = [column for column in COLUMNS if column not in ranked.columns]
    if absent:
        raise DataError(problem(f"The ranked table has no column {', '.join(absent)}.",
                                "Pass the table wf.search(...) returned."))
    scored = ranked[np.isfinite(ranked["crps"].astype(float))
                    & np.isfinite(ranked["roas_spread"].astype(float))]
    labels = [f"{row.adstock} / {row.saturation} / l_max {row.l_max}"
              for row in scored.itertuples()]
    return {"candidate": [int(number) for number in scored.index],
            "crps": scored["crps"].astype(float).tolist(),
            "roas_spread": scored["roas_spread"].astype(float).tolist(),
            "pareto": [bool(flag) for flag in scored["pareto"]],
            "label": labels}


def pareto_figure(ranked: pd.DataFrame):
    """Scatter of CRPS (lower: better forecasts) against ROAS spread (lower: steadier ROAS).

    Candidates on the Pareto front are filled and labelled with their number.
    """
    data = pareto_data(ranked)
    data["color"] = ["#d62728" if flag else "#9e9e9e" for flag in data["pareto"]]
    data["text"] = [str(n) for n in data["candidate"]]
    source = ColumnDataSource(data)
    fig = figure(width=WIDTH, height=HEIGHT, title="Model search: accuracy against stability",
                 x_axis_label="CRPS over the folds (lower is better)",
                 y_axis_label="ROAS spread across folds (lower is steadier)",
                 tools="pan,wheel_zoom,box_zoom,reset,save")
    fig.scatter("crps", "roas_spread", source=source, size=11, color="color", alpha=0.85)
    fig.text("crps", "roas_spread", text="text", source=source, x_offset=7, y_offset=-7,
             text_font_size="9pt")
    fig.add_tools(HoverTool(tooltips=[("candidate", "@candidate"), ("model", "@label"),
                                      ("CRPS", "@crps{0,0.00}"),
                                      ("ROAS spread", "@roas_spread{0.000}"),
                                      ("Pareto front", "@pareto")]))
    return fig
