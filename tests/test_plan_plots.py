"""Plan plots (#19): the calendar's stacked bars and the forecast band draw the plan's frames.

The expected columns are computed here from ``plan.calendar`` and ``plan.forecast`` with
pandas (a pivot, the columns themselves), not from the plot module's helpers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bokeh.models import GlyphRenderer, VArea, VBar

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.plots.plan import (
    calendar_data,
    calendar_figure,
    channel_key,
    forecast_data,
    forecast_figure,
)

CHANNELS = ["tv", "radio", "search", "social", "display"]


@pytest.fixture(scope="module")
def plan():
    """A front-loaded plan of the bundled stored fit (its spend falls period by period)."""
    wf = mw.datasets.load_fitted()
    return wf.plan_budget(periods=13, pattern="front")


def _glyph_data(fig, glyph_type) -> list[dict]:
    return [r.data_source.data for r in fig.renderers
            if isinstance(r, GlyphRenderer) and isinstance(r.glyph, glyph_type)]


@pytest.mark.fit
def test_calendar_bars_stack_each_channels_spend_per_period(plan):
    wide = plan.calendar.pivot(index="period", columns="channel", values="spend")
    fig = calendar_figure(plan.calendar)
    bars = [r for r in fig.renderers if isinstance(r.glyph, VBar)]
    assert len(bars) == len(CHANNELS)
    data = bars[0].data_source.data
    assert list(data["period"]) == list(plan.window)
    for channel in CHANNELS:
        np.testing.assert_allclose(data[channel_key(channel)], wide.loc[plan.window, channel],
                                   rtol=1e-12, err_msg=channel)
    # Each bar's stack is that period's spend over every channel; the bars add up to the
    # plan's total.
    heights = sum(np.asarray(data[channel_key(c)]) for c in CHANNELS)
    np.testing.assert_allclose(heights, wide.sum(axis=1).loc[plan.window], rtol=1e-12)
    assert heights.sum() == pytest.approx(plan.allocation["optimized"].sum(), rel=1e-9)
    assert np.all(np.diff(heights) < 0)


@pytest.mark.fit
def test_forecast_band_and_lines_draw_the_forecast(plan):
    forecast = plan.forecast
    fig = forecast_figure(forecast, level=0.94)
    (band,) = _glyph_data(fig, VArea)
    assert list(band["period"]) == list(forecast.index)
    for column in ("predicted", "predicted_hdi_low", "predicted_hdi_high", "baseline",
                   "media"):
        np.testing.assert_array_equal(band[column], forecast[column].to_numpy())
    assert "94 % HDI" in fig.title.text
    # Baseline and media are the two parts of the prediction.
    np.testing.assert_allclose(np.asarray(band["baseline"]) + np.asarray(band["media"]),
                               band["predicted"], rtol=1e-9)
    assert all(low <= mid <= high for low, mid, high in
               zip(band["predicted_hdi_low"], band["predicted"], band["predicted_hdi_high"],
                   strict=True))


def test_calendar_of_a_geo_plan_sums_the_geos_of_each_channel():
    periods = pd.date_range("2025-01-06", periods=3, freq="7D")
    calendar = pd.DataFrame(
        [(p, c, g, float(10 * i + j + k)) for i, p in enumerate(periods)
         for j, c in enumerate(["tv", "search"]) for k, g in enumerate(["north", "south"])],
        columns=["period", "channel", "region", "spend"])
    data = calendar_data(calendar)
    assert list(data) == ["period", "spend_tv", "spend_search"]
    assert data["period"] == list(periods)
    # tv: north 10i + 0, south 10i + 1; search: 10i + 1 and 10i + 2.
    assert data["spend_tv"] == [1.0, 21.0, 41.0]
    assert data["spend_search"] == [3.0, 23.0, 43.0]
    fig = calendar_figure(calendar)
    assert len([r for r in fig.renderers if isinstance(r.glyph, VBar)]) == 2


def test_plots_name_the_frame_they_need():
    with pytest.raises(DataError, match="calendar has no column spend"):
        calendar_data(pd.DataFrame({"period": [], "channel": []}))
    with pytest.raises(DataError, match="forecast has no column media"):
        forecast_data(pd.DataFrame(columns=["predicted", "predicted_hdi_low",
                                            "predicted_hdi_high", "baseline"]))
