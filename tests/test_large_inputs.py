"""Wide, long, many-geo tables: right roles, every problem in one pass (timings: benchmarks/)."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.roles import suggest_roles
from mmm_widgets.steps.validation import Roles, check_frame
from tests.bad_inputs.builders import large_panel, plant_problems


@pytest.fixture(scope="module")
def panel() -> tuple[pd.DataFrame, dict]:
    """200 columns, five years of daily data, 50 geos: 91,300 rows."""
    return large_panel(200, 5, 50)


def _roles(mapping: dict) -> Roles:
    return Roles(mapping["date"], mapping["target"], tuple(mapping["channels"]),
                 tuple(mapping["controls"]), mapping["geo"])


def test_large_panel_has_the_promised_size(panel):
    frame, mapping = panel
    assert frame.shape == (1826 * 50, 200)
    assert frame["geo"].nunique() == 50 and len(mapping["channels"]) == 118


def test_roles_suggested_for_every_column(panel):
    frame, mapping = panel
    suggested = suggest_roles(frame)
    assert suggested == {"date": "date", "target": "sales", "channels": mapping["channels"],
                         "controls": mapping["controls"], "geo": "geo",
                         "value_per_unit": None, "long": None}


def test_clean_panel_passes_and_maps(panel):
    frame, mapping = panel
    assert check_frame(frame, _roles(mapping)).problems == []
    wf = mw.Workflow(frame, name="panel")
    data = wf.map_data(**mapping)
    assert data.shape == frame.shape
    assert wf.data_result.frequency == "daily"
    assert data[["date", "geo"]].iloc[:2].to_dict("list") == {
        "date": [pd.Timestamp("2020-01-01")] * 2, "geo": ["geo_00", "geo_01"]}
    assert list(wf.data_result.quality.index) == [mapping["target"], *mapping["channels"],
                                                  *mapping["controls"]]


def test_every_planted_problem_is_reported_once(panel):
    frame, mapping = panel
    bad, expected = plant_problems(frame, mapping)
    problems = check_frame(bad, _roles(mapping)).problems
    unmatched = list(problems)
    for column, text in expected:
        match = next((p for p in unmatched if p.column == column and text in str(p)), None)
        assert match is not None, (column, text)
        unmatched.remove(match)
    assert unmatched == []
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(bad, name="panel").map_data(**mapping)
    assert len(info.value.problems) == len(expected)


def test_short_history_in_many_geos_is_one_problem():
    frame, mapping = large_panel(200, 1, 12)
    problems = check_frame(frame, _roles(mapping)).problems
    assert len(problems) == 1
    assert "Only 365 periods in 12 geos; the model needs at least 402" in str(problems[0])
    assert problems[0].rows[0] == "geo 'geo_00': 365 periods"
