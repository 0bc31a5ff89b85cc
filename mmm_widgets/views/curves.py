"""Teach adstock and saturation: curves that move with sliders."""

from __future__ import annotations

import ipywidgets as w
import numpy as np
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from mmm_widgets.datasets.generate import geometric_adstock, logistic_saturation
from mmm_widgets.views.common import bokeh_pane


def adstock_weights(alpha: float, l_max: int) -> np.ndarray:
    """Normalized geometric carryover weights (share of an ad's effect in each period)."""
    weights = alpha ** np.arange(l_max)
    return weights / weights.sum()


class CurveExplorer(w.VBox):
    """Sliders for adstock ``alpha`` and ``l_max`` and saturation ``lam``; live curves.

    The functions are the numpy twins of pymc-marketing's ``GeometricAdstock`` (normalized)
    and ``LogisticSaturation``, so what a learner sees is what the model uses.
    """

    def __init__(self) -> None:
        self.alpha = w.FloatSlider(description="alpha", value=0.5, min=0.0, max=0.95,
                                   step=0.05, continuous_update=True)
        self.l_max = w.IntSlider(description="l_max", value=8, min=1, max=16)
        self.lam = w.FloatSlider(description="lam", value=2.0, min=0.1, max=8.0, step=0.1)
        self.burst = ColumnDataSource({"week": [], "spend": [], "effect": []})
        self.curve = ColumnDataSource({"spend": [], "response": []})
        carry = figure(width=420, height=260, title="One burst of spend and its carryover",
                       tools="", toolbar_location=None, x_axis_label="week")
        carry.vbar(x="week", top="spend", width=0.8, source=self.burst, alpha=0.3,
                   legend_label="spend")
        carry.line("week", "effect", source=self.burst, line_width=2, color="firebrick",
                   legend_label="adstocked")
        sat = figure(width=420, height=260, title="Diminishing returns", tools="",
                     toolbar_location=None, x_axis_label="spend / max spend",
                     y_axis_label="response (share of max)")
        sat.line("spend", "response", source=self.curve, line_width=2)
        for slider in (self.alpha, self.l_max, self.lam):
            slider.observe(self._update, names="value")
        self._update()
        super().__init__([w.HBox([self.alpha, self.l_max, self.lam]),
                          w.HBox([bokeh_pane(carry), bokeh_pane(sat)])])

    def _update(self, _change: object = None) -> None:
        spend = np.zeros(20)
        spend[2:4] = 1.0
        effect = geometric_adstock(spend, self.alpha.value, self.l_max.value)
        # One assignment per source, so the browser redraws once per slider move.
        self.burst.data = {"week": np.arange(20), "spend": spend, "effect": effect}
        x = np.linspace(0, 1.5, 100)
        self.curve.data = {"spend": x, "response": logistic_saturation(x, self.lam.value)}
