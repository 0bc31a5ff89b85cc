"""Monthly tables: months as exports write them, and budgets and plans of whole months.

pymc-marketing adds the carry-over after a window's end as 30-day months, so a window
ending on a month's first day lost its last carry-over month and the optimizer planned a
month fewer than asked (the kit refused: "The optimizer covers 3 periods, not 4").
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import mmm_widgets as mw
from mmm_widgets.steps.dates import detect_frequency, parse_dates
from mmm_widgets.steps.roles import suggest_roles
from tests.conformance.tables import TableSpec, table
from tests.conftest import run_fresh

#: Five years of months written "Jan 2019", three channels, a flag and a price index.
SPEC = TableSpec(seed=6, date_name="Month", date_format="dmy", frequency="M", periods=60,
                 target_name="revenue", channel_scheme="spend_prefix", n_channels=3,
                 binary_control=True, continuous_control=True)
L_MAX = 3
PERIODS = 4


@pytest.mark.parametrize("written", ["%Y-%m", "%Y/%m", "%m/%Y", "%b %Y", "%B %Y", "%b-%y",
                                     "%b-%Y"])
def test_months_written_as_exports_write_them_are_monthly_dates(written):
    months = pd.date_range("2021-11-01", periods=30, freq="MS")
    parsed = parse_dates(pd.Series(months.strftime(written)))
    assert parsed.ok and parsed.date_format == written
    assert list(parsed.values) == list(months)
    assert detect_frequency(parsed.values) == ("monthly", None)


@pytest.mark.parametrize("written", ["%b %Y", "excel"])
def test_a_month_column_is_suggested_as_the_date(written):
    months = pd.date_range("2021-01-01", periods=36, freq="MS")
    dates = ((months - pd.Timestamp("1899-12-30")).days if written == "excel"
             else months.strftime(written))
    frame = pd.DataFrame({"month": dates, "sales": np.linspace(100.0, 200.0, 36),
                          "tv_spend": np.linspace(5.0, 9.0, 36) % 7})
    roles = suggest_roles(frame)
    assert (roles["date"], roles["target"], roles["channels"]) == ("month", "sales",
                                                                   ["tv_spend"])


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> tuple[mw.Workflow, pd.DataFrame]:
    raw = table(SPEC)
    assert raw[SPEC.date_name].iloc[0] == "Jan 2019"
    path = tmp_path_factory.mktemp("monthly") / "monthly.csv"
    raw.to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    suggested = wf.suggest_mapping()
    assert {k: suggested[k] for k in ("date", "target", "geo")} == {
        "date": SPEC.date_name, "target": SPEC.target_name, "geo": None}
    wf.map_data(**{role: value for role, value in SPEC.roles.items() if value})
    assert wf.data_result.frequency == "monthly"
    wf.configure_model(l_max=L_MAX, yearly_seasonality=2)
    wf.fit("map")
    raw[SPEC.date_name] = pd.to_datetime(raw[SPEC.date_name], format="%b %Y")
    return wf, raw


@pytest.mark.fit
def test_a_budget_of_four_months_is_optimized_over_four_months(fitted, tmp_path):
    wf, raw = fitted
    last = raw[SPEC.date_name].max()
    spend = float(raw[SPEC.channel_names].tail(12).sum().sum()) / 12
    allocation = wf.optimize_budget(total=PERIODS * spend, periods=PERIODS)
    assert allocation["optimized"].sum() == pytest.approx(PERIODS * spend, rel=1e-6)
    result = wf.step("budget").result
    # pymc-marketing's window: the last l_max months of the data (carry-in), the four
    # months planned, then l_max months of carry-over; each month on its first day.
    optimizer = result.optimizer
    assert optimizer.num_periods == PERIODS
    channels = list(SPEC.channel_names)
    response = optimizer.evaluate_response_distribution(
        xr.DataArray(np.ones(len(channels)), dims="channel", coords={"channel": channels}),
        response_variable="channel_contribution")
    first = last - pd.DateOffset(months=L_MAX - 1)
    expected = pd.date_range(first, periods=L_MAX + PERIODS + L_MAX, freq="MS")
    assert list(pd.DatetimeIndex(response["date"].values)) == list(expected)

    allocation.to_pickle(tmp_path / "allocation.pkl")
    run_fresh(wf.to_script() + """
import sys
assert not any(name.startswith('mmm_widgets') for name in sys.modules)
assert optimizer.num_periods == 4, optimizer.num_periods
pd.testing.assert_frame_equal(budget_allocation[list(pd.read_pickle('allocation.pkl').columns)],
                              pd.read_pickle('allocation.pkl'), rtol=1e-5)
""", tmp_path)


@pytest.mark.fit
def test_a_plan_takes_last_years_controls_from_twelve_months_earlier(fitted):
    wf, raw = fitted
    plan = wf.plan_budget(periods=PERIODS, controls="last_year")
    last = raw[SPEC.date_name].max()
    months = pd.date_range(last + pd.DateOffset(months=1), periods=PERIODS, freq="MS")
    assert list(plan.window) == list(months)
    assert list(pd.DatetimeIndex(plan.calendar["period"].unique())) == list(months)
    future = plan.future_controls.set_index(SPEC.date_name)
    past = raw.set_index(SPEC.date_name)
    price = SPEC.control_names[1]
    # Every future month through the carry-over has its month a year earlier in the data.
    assert len(future) == PERIODS + L_MAX
    for when, row in future.iterrows():
        before = when - pd.DateOffset(months=12)
        for control in SPEC.control_names:
            assert row[control] == pytest.approx(past.at[before, control], rel=1e-9)
    assert not np.allclose(future[price], raw[price].mean())
    assert any("12 months earlier" in note for note in plan.notes)


def test_months_on_their_last_days_are_a_monthly_sequence():
    ends = pd.date_range("2020-01-31", periods=40, freq="ME")
    frame = pd.DataFrame({"month": ends.strftime("%Y-%m-%d"),
                          "sales": np.linspace(1e4, 2e4, 40), "tv": np.linspace(5.0, 9.0, 40)})
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(date="month", target="sales", channels=["tv"])
    assert wf.data_result.frequency == "monthly"
    with pytest.raises(mw.DataError, match="missing from the monthly sequence") as error:
        mw.Workflow(frame.drop(index=[5]), name="raw").map_data(
            date="month", target="sales", channels=["tv"])
    assert "2020-06-30" in str(error.value)
