"""A column naming which version of the figures each row holds (actuals beside a budget, a
forecast, last year's), as finance and planning tables keep them: the suggestion gives it
no role (it was suggested as the geo, fitting the plan as a market), and mapping stops with
the line that keeps the actuals (kept one row per date, the plan written last won).
Generated wide and long tables, national and geo panels, versions named several ways."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table
from tests.conftest import run_fix

#: How tables name the column and its versions, the actuals first.
NAMINGS = [("Version", ("Actual", "Budget")), ("Scenario", ("Actuals", "Forecast", "LY")),
           ("data_type", ("ACT", "BUD")), ("Type", ("Ist", "Soll")),
           ("scenario", ("Actual", "Forecast Q3", "Budget 2024"))]


def _seeds() -> list[int]:
    """Tables of numbers: national and geo, wide and long."""
    kinds: dict[tuple[bool, bool], list[int]] = {}
    for seed in range(120):
        v = spec(seed)
        if not (v.text_amounts or v.reported_outcomes or v.units_row or v.report_rows
                or v.weekdays_only):
            found = kinds.setdefault((bool(v.geos), bool(v.long)), [])
            if len(found) < 2:
                found.append(seed)
    return sorted(s for seeds in kinds.values() for s in seeds)


SEEDS = _seeds()


def _with_versions(seed: int, column: str, levels: tuple[str, ...], plan_last: bool = True
                   ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """A generated table (the actuals), and the same with a plan's rows for each other
    version (spend and target within 20 % of the actuals, rounded), and the roles."""
    variation = spec(seed)
    actual, roles = table(variation), variation.roles
    rng = np.random.default_rng(seed)
    amounts = [roles["target"], *roles["channels"]]
    if roles["long"]:
        amounts = [roles["target"], roles["long"]["value_column"]]
    versions = [actual.assign(**{column: levels[0]})]
    for level in levels[1:]:
        plan = actual.copy()
        plan[amounts] = (plan[amounts].astype(float)
                         * rng.uniform(0.8, 1.2, (len(plan), len(amounts)))).round(-1)
        versions.append(plan.assign(**{column: level}))
    ordered = versions if plan_last else versions[::-1]
    return actual, pd.concat(ordered, ignore_index=True), roles


def test_the_seeds_cover_national_geo_wide_and_long_tables():
    kinds = {(bool(spec(s).geos), bool(spec(s).long)) for s in SEEDS}
    assert kinds == {(False, False), (False, True), (True, False), (True, True)}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("column", "levels"), NAMINGS[:3])
def test_the_versions_column_is_no_role_and_its_line_keeps_the_actuals(seed, column, levels):
    actual, versions, roles = _with_versions(seed, column, levels, plan_last=seed % 2 == 0)
    suggested = mw.Workflow(versions, name="raw").suggest_mapping()
    assert suggested["geo"] == roles["geo"]
    assert column not in suggested["controls"]
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(versions, name="raw").map_data(**roles)
    found = [p for p in raised.value.problems if p.column == column]
    assert len(found) == 1
    assert found[0].fix.startswith("Keep the actuals: ")
    kept = run_fix(found[0].fix.split(": ", 1)[1].rstrip("."), versions)
    mapped = mw.Workflow(kept, name="raw").map_data(**roles)
    expected = mw.Workflow(actual, name="raw").map_data(**roles)
    pd.testing.assert_frame_equal(mapped.reset_index(drop=True),
                                  expected.reset_index(drop=True))


@pytest.mark.parametrize(("column", "levels"), NAMINGS[3:])
def test_versions_in_german_and_with_numbers_are_read(column, levels):
    _, versions, roles = _with_versions(SEEDS[0], column, levels)
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(versions, name="raw").map_data(**roles)
    assert [p.fix.split(": ", 1)[1] for p in raised.value.problems if p.column == column] == [
        f"raw = raw[raw[{column!r}] == {levels[0]!r}]."]


def test_versions_mapped_as_the_geo_are_named_and_the_line_maps_no_geo():
    seed = next(s for s in SEEDS if not spec(s).geos and not spec(s).long)
    _, versions, roles = _with_versions(seed, "Version", ("Actual", "Budget"))
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(versions, name="raw").map_data(**{**roles, "geo": "Version"})
    problem = next(p for p in raised.value.problems if p.column == "Version")
    assert "Mapped as the geo, each version is fitted as a market of its own" in problem.what
    assert problem.fix.endswith(", and map no geo.")


def test_plans_alone_keep_the_first_and_geos_named_like_words_are_geos():
    seed = next(s for s in SEEDS if not spec(s).geos and not spec(s).long)
    _, versions, roles = _with_versions(seed, "Version", ("Budget", "Forecast"))
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(versions, name="raw").map_data(**roles)
    assert [p.fix for p in raised.value.problems if p.column == "Version"] == [
        "Keep the version that records what happened (here the first): "
        "raw = raw[raw['Version'] == 'Budget']."]
    # Markets, one of them named like a version: a panel, as it was.
    panel_seed = next(s for s in SEEDS if spec(s).geos and not spec(s).long)
    variation = spec(panel_seed)
    frame, roles = table(variation), variation.roles
    first = frame[roles["geo"]].iloc[0]
    frame[roles["geo"]] = frame[roles["geo"]].replace({first: "Target"})
    assert mw.Workflow(frame, name="raw").suggest_mapping()["geo"] == roles["geo"]
