"""Future controls of the dated plan (#19): the mean, the year before, or a table to edit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import TableSpec, table
from tests.conftest import run_fresh

pytestmark = pytest.mark.fit

SPEC = TableSpec(seed=12, date_name="week_start", target_name="revenue", periods=110,
                 n_channels=2, channel_scheme="suffix_s", binary_control=True,
                 continuous_control=True)
PERIODS = 8


@pytest.fixture(scope="module")
def fitted(tmp_path_factory) -> tuple[mw.Workflow, pd.DataFrame]:
    raw = table(SPEC)
    path = tmp_path_factory.mktemp("controls") / "controls.csv"
    raw.to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(**{role: value for role, value in SPEC.roles.items() if value})
    wf.configure_model(l_max=4, yearly_seasonality=None)
    wf.fit("map")
    raw[SPEC.date_name] = pd.to_datetime(raw[SPEC.date_name])
    return wf, raw


def test_by_default_future_controls_are_the_data_means(fitted):
    wf, raw = fitted
    plan = wf.plan_budget(periods=PERIODS)
    future = plan.future_controls
    assert future[SPEC.date_name].min() > raw[SPEC.date_name].max()
    for control in SPEC.control_names:
        np.testing.assert_allclose(future[control], raw[control].mean(), rtol=1e-9)
    assert any("mean over the data" in note for note in plan.notes)


def test_an_edited_table_moves_the_baseline_and_round_trips(fitted, tmp_path):
    wf, raw = fitted
    base = wf.plan_budget(periods=PERIODS)
    price = next(c for c in SPEC.control_names if c != "holiday" and c != "promo_flag")
    edited = base.future_controls.copy()
    edited[price] = raw[price].mean() * 1.2
    plan = wf.plan_budget(periods=PERIODS, controls=edited)
    pd.testing.assert_frame_equal(plan.future_controls, edited, rtol=1e-9)
    # The same change on every date shifts the baseline by the same amount in each period;
    # the media part and the allocation do not move.
    shift = plan.forecast["baseline"] - base.forecast["baseline"]
    assert abs(shift.iloc[0]) > 0
    np.testing.assert_allclose(shift, shift.iloc[0], rtol=1e-6)
    np.testing.assert_allclose(plan.forecast["media"], base.forecast["media"], rtol=1e-6)
    assert any("rows given" in note for note in plan.notes)
    edited.to_pickle(tmp_path / "edited.pkl")
    plan.forecast.to_pickle(tmp_path / "forecast.pkl")
    script = wf.to_script()
    assert "mmm_widgets" not in script
    run_fresh(script + (
        "\nimport sys\n"
        "assert not any(name.startswith('mmm_widgets') for name in sys.modules)\n"
        "pd.testing.assert_frame_equal(plan_future_controls, pd.read_pickle('edited.pkl'), "
        "rtol=1e-9)\n"
        "pd.testing.assert_frame_equal(plan_forecast, pd.read_pickle('forecast.pkl'), "
        "rtol=1e-6)\n"), tmp_path)


def test_last_year_takes_the_values_of_the_same_weeks_52_weeks_earlier(fitted):
    wf, raw = fitted
    plan = wf.plan_budget(periods=PERIODS, controls="last_year")
    future = plan.future_controls.set_index(SPEC.date_name)
    past = raw.set_index(SPEC.date_name)
    for when, row in future.iterrows():
        before = when - pd.Timedelta(weeks=52)
        for control in SPEC.control_names:
            expected = past.at[before, control] if before in past.index \
                else raw[control].mean()
            assert row[control] == pytest.approx(expected, rel=1e-9)


def test_bad_future_controls_name_the_column_and_the_fix(fitted):
    wf, raw = fitted
    last = raw[SPEC.date_name].max()
    with pytest.raises(mw.DataError, match="'weather' in the future controls"):
        wf.plan_budget(periods=PERIODS, controls=pd.DataFrame(
            {SPEC.date_name: [last + pd.Timedelta(weeks=1)], "weather": [1.0]}))
    with pytest.raises(mw.DataError, match="inside the data"):
        wf.plan_budget(periods=PERIODS, controls=pd.DataFrame(
            {SPEC.date_name: [last], SPEC.control_names[0]: [1.0]}))
    with pytest.raises(mw.DataError, match="'mean', 'last_year' or a DataFrame"):
        wf.plan_budget(periods=PERIODS, controls=[1, 2])


def test_an_interactions_future_column_given_back_is_a_control_of_the_model(tmp_path):
    raw = table(SPEC)
    wf = mw.Workflow(raw)
    wf.map_data(**{role: value for role, value in SPEC.roles.items() if value})
    pair = tuple(wf.data_result.roles.channels[:2])
    wf.configure_model(l_max=4, yearly_seasonality=None, interactions=[pair])
    wf.fit("map")
    future = wf.plan_budget(periods=PERIODS).future_controls
    interaction = f"{pair[0]} x {pair[1]}"
    assert interaction in future.columns  # held at its mean, like every control
    plan = wf.plan_budget(periods=PERIODS, controls=future)
    pd.testing.assert_frame_equal(plan.future_controls, future, rtol=1e-9)
    assert interaction in " ".join(plan.notes)
