"""Plan plots: the calendar (spend per period, stacked by channel) and the forecast band.

Tidy frames in, bokeh out: :func:`calendar_figure` draws ``plan.calendar`` and
:func:`forecast_figure` draws ``plan.forecast`` of :meth:`Workflow.plan_budget`. The
``*_data`` functions give the column data each figure draws, so what is drawn can be
checked against the plan's frames.
"""

from __future__ import annotations

import pandas as pd
from bokeh.models import ColumnDataSource, HoverTool, NumeralTickFormatter
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

from mmm_widgets.errors import DataError, problem

WIDTH, HEIGHT = 640, 300
TOOLS = "pan,wheel_zoom,box_zoom,reset,save"
CALENDAR_COLUMNS = ("period", "channel", "spend")
FORECAST_COLUMNS = ("predicted", "predicted_hdi_low", "predicted_hdi_high", "baseline",
                    "media")


def _missing(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    """Raise :class:`DataError` naming the columns ``frame`` lacks."""
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise DataError(problem(f"The {what} has no column {', '.join(absent)}.",
                                f"Pass plan.{what} of wf.plan_budget(...)."))


def channel_key(channel: object) -> str:
    """The column name of ``channel``'s spend in :func:`calendar_data`."""
    return f"spend_{channel}"


def calendar_data(calendar: pd.DataFrame) -> dict[str, list]:
    """Column data for :func:`calendar_figure`: spend per period and channel.

    Parameters
    ----------
    calendar : pandas.DataFrame
        ``plan.calendar``: tidy ``period, channel, [geo,] spend``.

    Returns
    -------
    dict
        ``period`` (the window's dates, in order) and one ``spend_<channel>`` column per
        channel in the calendar's order: its spend in each period, all geos together on
        a geo model.
    """
    _missing(calendar, CALENDAR_COLUMNS, "calendar")
    channels = list(dict.fromkeys(calendar["channel"]))
    wide = (calendar.groupby(["period", "channel"], sort=False)["spend"].sum()
            .unstack("channel").sort_index().reindex(columns=channels).fillna(0.0))
    data: dict[str, list] = {"period": list(pd.DatetimeIndex(wide.index))}
    for channel in channels:
        data[channel_key(channel)] = wide[channel].astype(float).tolist()
    return data


def _bar_width(periods: list) -> float:
    """80 % of the shortest spacing between periods, in milliseconds (bokeh's time unit)."""
    if len(periods) < 2:
        return 0.8 * pd.Timedelta(days=7).total_seconds() * 1000
    gaps = pd.DatetimeIndex(periods).to_series().diff().dropna()
    return 0.8 * gaps.min().total_seconds() * 1000


def calendar_figure(calendar: pd.DataFrame):
    """Spend per period of the plan's window, one stacked bar per period.

    Parameters
    ----------
    calendar : pandas.DataFrame
        ``plan.calendar`` (on a geo model each channel's bar part sums its geos).

    Returns
    -------
    bokeh.plotting.figure
        Its stacked bars read a ``ColumnDataSource`` of :func:`calendar_data`.
    """
    data = calendar_data(calendar)
    channels = list(dict.fromkeys(calendar["channel"]))
    source = ColumnDataSource(data)
    fig = figure(width=WIDTH, height=HEIGHT, x_axis_type="datetime", tools=TOOLS,
                 title="The plan's calendar: spend per period and channel",
                 x_axis_label="period", y_axis_label="spend")
    stackers = [channel_key(c) for c in channels]
    renderers = fig.vbar_stack(stackers, x="period", width=_bar_width(data["period"]),
                               source=source,
                               color=[Category10_10[i % 10] for i in range(len(channels))],
                               legend_label=[str(c) for c in channels])
    for renderer, channel, stacker in zip(renderers, channels, stackers, strict=True):
        fig.add_tools(HoverTool(renderers=[renderer], formatters={"@period": "datetime"},
                                tooltips=[("period", "@period{%F}"), ("channel", str(channel)),
                                          ("spend", f"@{{{stacker}}}{{0,0}}")]))
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    fig.legend.location = "top_right"
    fig.legend.click_policy = "hide"
    fig.legend.label_text_font_size = "8pt"
    return fig


def forecast_data(forecast: pd.DataFrame) -> dict[str, list]:
    """Column data for :func:`forecast_figure`: the forecast's columns per period.

    Parameters
    ----------
    forecast : pandas.DataFrame
        ``plan.forecast``, indexed by ``period``.

    Returns
    -------
    dict
        ``period`` and ``predicted, predicted_hdi_low, predicted_hdi_high, baseline,
        media``, as in the forecast.
    """
    _missing(forecast, FORECAST_COLUMNS, "forecast")
    data: dict[str, list] = {"period": list(pd.DatetimeIndex(forecast.index))}
    for column in FORECAST_COLUMNS:
        data[column] = forecast[column].astype(float).tolist()
    return data


def forecast_figure(forecast: pd.DataFrame, level: float = 0.94):
    """The predicted outcome per period with its HDI band, its baseline and its media.

    Parameters
    ----------
    forecast : pandas.DataFrame
        ``plan.forecast``.
    level : float
        Level of the band, for the title.

    Returns
    -------
    bokeh.plotting.figure
        Band, lines and points read one ``ColumnDataSource`` of :func:`forecast_data`.
    """
    source = ColumnDataSource(forecast_data(forecast))
    fig = figure(width=WIDTH, height=HEIGHT, x_axis_type="datetime", tools=TOOLS,
                 title=f"Forecast with the plan ({level * 100:g} % HDI of the expected "
                       "outcome)",
                 x_axis_label="period", y_axis_label="outcome per period")
    fig.varea("period", "predicted_hdi_low", "predicted_hdi_high", source=source,
              fill_color=Category10_10[0], fill_alpha=0.2, legend_label="HDI")
    line = fig.line("period", "predicted", source=source, color=Category10_10[0],
                    line_width=2, legend_label="predicted")
    fig.scatter("period", "predicted", source=source, color=Category10_10[0], size=5,
                legend_label="predicted")
    fig.line("period", "baseline", source=source, color=Category10_10[7], line_width=2,
             line_dash="dashed", legend_label="baseline")
    fig.line("period", "media", source=source, color=Category10_10[1], line_width=2,
             line_dash="dotted", legend_label="media")
    fig.add_tools(HoverTool(renderers=[line], formatters={"@period": "datetime"}, tooltips=[
        ("period", "@period{%F}"), ("predicted", "@predicted{0,0}"),
        ("HDI", "@predicted_hdi_low{0,0} – @predicted_hdi_high{0,0}"),
        ("baseline", "@baseline{0,0}"), ("media", "@media{0,0}")]))
    fig.yaxis.formatter = NumeralTickFormatter(format="0,0")
    fig.legend.location = "top_right"
    fig.legend.click_policy = "hide"
    fig.legend.label_text_font_size = "8pt"
    return fig
