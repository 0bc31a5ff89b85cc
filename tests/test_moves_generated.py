"""The notes of a moving baseline, of weeks that rise every year and of spend paid on sales,
on generated tables that are not ours: their names, date formats, weekly, monthly and
daily rows, geo panels, and targets counted in units with their value per unit beside
them (the model's target is then their product)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table, true_dates

#: Seeds of tables of two years or more (daily ones lengthened): weekly national, monthly,
#: a weekly panel of 3 geos, a weekly panel of 5 geos counting bookings, daily national, a
#: daily panel of 2 geos counting conversions.
CASES = [(1, {}), (54, {}), (21, {}), (57, {}), (65, {"periods": 800, "trend_control": False}),
         (29, {"periods": 760})]
IDS = ["weekly", "monthly", "panel", "units panel", "daily", "daily units panel"]


def _generated(seed: int, changes: dict) -> tuple[pd.DataFrame, dict, pd.Series, object]:
    variation = replace(spec(seed), **changes)
    frame = table(variation)
    dates = true_dates(variation, frame[variation.roles["date"]])
    roles = {k: v for k, v in variation.roles.items() if v is not None}
    return frame, roles, dates, variation


def _kinds(frame: pd.DataFrame, roles: dict, kind: str) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return [f for f in wf.data_result.warnings if f.kind == kind]


@pytest.mark.parametrize(("seed", "changes"), CASES, ids=IDS)
def test_growth_is_noted_on_generated_tables(seed, changes):
    frame, roles, dates, _ = _generated(seed, changes)
    assert _kinds(frame, roles, "baseline") == []
    elapsed = ((dates - dates.min()) / (dates.max() - dates.min())).to_numpy()
    grown = frame.assign(**{roles["target"]: frame[roles["target"]] * (1 + 0.4 * elapsed)})
    notes = _kinds(grown, roles, "baseline")
    assert len(notes) == 1 and "grows over the table" in notes[0].message


@pytest.mark.parametrize(("seed", "changes"), CASES, ids=IDS)
def test_a_holiday_peak_is_noted_on_generated_tables(seed, changes):
    frame, roles, dates, variation = _generated(seed, changes)
    assert _kinds(frame, roles, "recurring") == []
    monthly = variation.frequency == "M"
    peak = (dates.dt.month == 12) if monthly else dates.dt.isocalendar().week.between(47, 52)
    lifted = frame.assign(**{roles["target"]: frame[roles["target"]]
                             * np.where(peak, 1.4, 1.0)})
    notes = _kinds(lifted, roles, "recurring")
    assert len(notes) == 1
    assert ("rises on month 12 of every year" if monthly else
            "rises on ISO weeks 47 to 52 of every year") in notes[0].message


@pytest.mark.parametrize(("seed", "changes"), CASES, ids=IDS)
def test_a_commission_is_noted_on_generated_tables(seed, changes):
    frame, roles, _, variation = _generated(seed, changes)
    revenue = frame[roles["target"]] * (frame[variation.value_name]
                                        if variation.value_name else 1.0)
    rate = 0.02 * np.random.default_rng(seed).uniform(0.97, 1.03, len(frame))
    paid = frame.assign(affiliate_cost=(revenue * rate).round(2))
    notes = _kinds(paid, {**roles, "channels": [*roles["channels"], "affiliate_cost"]},
                   "follows_target")
    assert [n.columns for n in notes] == [("affiliate_cost",)]
