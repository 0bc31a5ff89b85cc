"""Horizons a user does not set are a quarter of the data's spacing.

The budget, the plan, the current run-rate, the hold-out and the cross-validation windows
were 13 periods whatever the data: a quarter of weekly data, but 13 months (a year and
more) of monthly data and under two weeks of daily data. They now default to 13 weeks,
3 months or 91 days, shortened where the table is too short for a quarter.
"""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.api.search import search_params
from mmm_widgets.views.budget import BudgetView
from mmm_widgets.views.diagnostics import DiagnosticsView
from mmm_widgets.views.search import SearchPanel
from tests.conformance.tables import TableSpec, table

L_MAX = 4
#: One table per spacing, each written as exports write it; the daily one has fewer
#: days than a quarter leaves room for (100 - 91 < the 20 periods a refit needs).
SPECS = {
    "weekly": TableSpec(seed=3, date_name="week_start", date_format="dmy", frequency="W",
                        periods=104, target_name="Net Revenue (EUR)",
                        channel_scheme="spend_prefix", n_channels=3),
    "monthly": TableSpec(seed=5, date_name="Month", date_format="dmy", frequency="M",
                         periods=60, target_name="revenue", n_channels=3),
    "daily": TableSpec(seed=7, date_name="DATE", date_format="iso", frequency="D",
                       periods=100, target_name="orders_value", n_channels=2),
}
#: A quarter, in each spacing's periods, as a planner counts it.
QUARTER = {"weekly": 13, "monthly": 3, "daily": 91}
#: Fewest periods a refit fits on: twice l_max, at least 20.
LEAST = max(2 * L_MAX, 20)


@pytest.fixture(scope="module", params=list(SPECS))
def fitted(request, tmp_path_factory) -> tuple[str, mw.Workflow, pd.DataFrame]:
    spacing, spec = request.param, SPECS[request.param]
    raw = table(spec)
    path = tmp_path_factory.mktemp(spacing) / f"{spacing}.csv"
    raw.to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(**{role: value for role, value in spec.roles.items() if value})
    assert wf.data_result.frequency == spacing
    wf.configure_model(l_max=L_MAX, yearly_seasonality=2)
    wf.fit("map")
    dates = pd.Series(pd.to_datetime(wf.data[spec.date_name].unique())).sort_values()
    spend = raw.assign(**{spec.date_name: wf.data[spec.date_name].values})
    return spacing, wf, spend.set_index(spec.date_name).loc[dates, list(spec.channel_names)]


@pytest.mark.fit
def test_a_plan_left_at_its_defaults_covers_a_quarter_at_the_last_quarters_spend(fitted):
    spacing, wf, spend = fitted
    quarter = QUARTER[spacing]
    assert wf.quarter_periods == quarter
    plan = wf.plan_budget()
    assert len(plan.window) == quarter
    assert plan.calendar["period"].nunique() == quarter
    # The current spend: each channel's mean over the last quarter's dates, for a quarter.
    expected = spend.tail(quarter).mean() * quarter
    current = plan.allocation["current"]
    for channel, value in expected.items():
        assert current[channel] == pytest.approx(value, rel=1e-9)
    if quarter != 13:
        # What the old default (13 periods at the last 13 periods' spend) planned.
        assert current.sum() != pytest.approx(spend.tail(13).mean().sum() * 13, rel=1e-3)


@pytest.mark.fit
def test_the_budget_and_overview_default_to_the_last_quarter(fitted):
    spacing, wf, spend = fitted
    quarter = QUARTER[spacing]
    panel = BudgetView(wf, defer_curves=True)
    assert panel.periods.value == quarter
    overview = wf.overview(margin=0.3)
    current = overview.table["current_spend"]
    for channel, value in spend.tail(quarter).mean().items():
        assert current[channel] == pytest.approx(value, rel=1e-9)


@pytest.mark.fit
def test_the_holdout_holds_out_a_quarter_or_what_leaves_enough_to_fit(fitted):
    spacing, wf, spend = fitted
    periods = len(spend)
    held = min(QUARTER[spacing], periods - LEAST)
    if spacing == "daily":
        assert held == periods - LEAST < QUARTER[spacing]
    panel = DiagnosticsView(wf)
    assert panel.holdout_periods.value == held
    horizon = min(QUARTER[spacing], (periods - LEAST) // 3)
    assert panel.cv_horizon.value == horizon
    # The search's default grid goes up to 1.5 x l_max = 6, still within the 20 periods.
    assert search_params(wf).horizon == horizon
    assert SearchPanel(wf).horizon.value == horizon
    report = wf.holdout()
    date = SPECS[spacing].date_name
    assert sorted(pd.to_datetime(report["frame"][date].unique())) == list(spend.index[-held:])
