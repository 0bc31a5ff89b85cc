"""A channel whose spend is dated a period late (each date's spend goes with the target of
the date before) is noted with the line that moves it a period earlier. The fit test
measures the premise (the model, which cannot credit spend for sales before it, gives the
channel little credit) and the fix. On-time spend, and spend paid on last period's sales
(noted as such), are not noted."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table
from tests.conftest import map_roas, run_fix
from tests.test_baseline import _carryover, weekly

MAPPING = {"date": "Week", "target": "Revenue", "channels": ["TV", "Search"],
           "date_format": "%d/%m/%Y"}


def _late(frame: pd.DataFrame, channel: str, geo: str | None = None) -> pd.DataFrame:
    """``frame`` with each date's ``channel`` spend written on the next date's row (the
    first date's repeats the second's)."""
    moved = (frame.groupby(geo)[channel].shift(1) if geo else frame[channel].shift(1))
    return frame.assign(**{channel: moved.fillna(frame[channel])})


def _notes(frame: pd.DataFrame, kind: str = "late_spend", **mapping) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**{**MAPPING, **mapping})
    return [f for f in wf.data_result.warnings if f.kind == kind]


def _line(note) -> str:
    return note.message.split("leave it out): ", 1)[1].removesuffix(".")


@pytest.mark.parametrize("seed", [1, 2])
def test_spend_dated_a_week_late_is_noted_and_moved_back(seed):
    frame = weekly(seed)
    late = _late(frame, "Search")
    notes = _notes(late)
    assert [n.columns for n in notes] == [("Search",)]
    fixed = run_fix(_line(notes[0]), late)
    assert len(fixed) == len(frame) - 1  # the last date has no spend left
    np.testing.assert_array_equal(fixed["Search"], frame["Search"].iloc[:-1])
    assert _notes(fixed) == []


def test_spend_dated_late_in_every_geo_is_moved_back_geo_by_geo():
    panel = pd.concat([weekly(seed).assign(Region=region)
                       for seed, region in ((1, "North"), (2, "South"))], ignore_index=True)
    late = _late(panel, "Search", "Region")
    notes = _notes(late, geo="Region")
    assert [n.columns for n in notes] == [("Search",)]
    fixed = run_fix(_line(notes[0]), late)
    for region, rows in panel.groupby("Region"):
        np.testing.assert_array_equal(fixed.loc[fixed["Region"] == region, "Search"],
                                      rows["Search"].iloc[:-1])


def _driven_by(frame: pd.DataFrame, roles: dict, channel: str) -> pd.DataFrame:
    """A generated table whose target ``channel`` drives strongly: its carried-over spend
    adds 30 % of the target's mean on average (the generator's channels each move the
    target little, too little for a period's shift to show)."""
    def carried(spend: pd.Series) -> np.ndarray:
        return _carryover(spend.to_numpy(float), alpha=0.3)

    geo = roles.get("geo")
    effect = (frame.groupby(geo, sort=False)[channel].transform(carried) if geo
              else pd.Series(carried(frame[channel]), index=frame.index))
    target = frame[roles["target"]]
    return frame.assign(**{roles["target"]: target + 0.3 * target.mean() * effect
                           / effect.mean()})


@pytest.mark.parametrize(("seed", "changes"), [(1, {}), (21, {}), (65, {"periods": 800})],
                         ids=["weekly", "weekly panel", "daily"])
def test_late_spend_is_noted_on_generated_tables(seed, changes):
    variation = replace(spec(seed), **changes)
    roles = {k: v for k, v in variation.roles.items() if v is not None}
    channel = roles["channels"][0]
    frame = _driven_by(table(variation), roles, channel)

    def named(table_: pd.DataFrame) -> list:
        wf = mw.Workflow(table_, name="raw")
        wf.map_data(**roles)
        return [f.columns for f in wf.data_result.warnings if f.kind == "late_spend"]

    assert named(frame) == []
    # rows in date order within each geo, as the generator writes them
    assert named(_late(frame, channel, roles.get("geo"))) == [(channel,)]


def test_spend_paid_on_last_weeks_sales_is_noted_as_such_only():
    frame = weekly(3)
    paid = frame.assign(Affiliate=(frame["Revenue"].shift(1).bfill() * 0.02).round(2))
    mapping = {"channels": ["TV", "Search", "Affiliate"]}
    assert [n.columns for n in _notes(paid, "follows_target", **mapping)] == [("Affiliate",)]
    assert _notes(paid, **mapping) == []


@pytest.mark.fit
def test_moving_late_spend_back_gives_its_return_back():
    """Premise: search, returning 3.0, reads far less dated a week late; moved back,
    within 20 % of 3.0."""
    late = _late(weekly(1), "Search")
    assert map_roas(late, "Search", **MAPPING) < 2.0
    fixed = run_fix(_line(_notes(late)[0]), late)
    assert map_roas(fixed, "Search", **MAPPING) == pytest.approx(3.0, rel=0.2)
