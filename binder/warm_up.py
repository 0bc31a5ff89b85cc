"""Fit the bundled example once (MAP and a tiny MCMC) to fill pytensor's compile cache."""

from __future__ import annotations

import warnings

import mmm_widgets as mw

warnings.filterwarnings("ignore")
workflow = mw.Workflow(mw.datasets.load("weekly_sales"))
workflow.map_data(**workflow.suggest_mapping())
workflow.configure_model()
workflow.fit("map")
workflow.fit(draws=20, tune=20, chains=2)
workflow.diagnostics()
print("mmm-widgets: compile cache warmed")
