"""A pivot table's export writes the date (or the geo) on the first row of each block of
rows and leaves it empty below. The suggestion reads the rows below as the label's (the
geo was suggested as a control), and mapping stops with the line that fills the label
down (its fix said to drop the rows: two in three of a panel's). Generated geo panels,
wide and long, dates as text and as timestamps, empty cells as NaN and as blank text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table
from tests.conftest import run_fix


def _seeds() -> list[int]:
    """Geo panels of numbers: two wide, two long."""
    kinds: dict[bool, list[int]] = {}
    for seed in range(120):
        v = spec(seed)
        if v.geos and not (v.text_amounts or v.reported_outcomes or v.units_row
                           or v.report_rows or v.weekdays_only):
            found = kinds.setdefault(bool(v.long), [])
            if len(found) < 2:
                found.append(seed)
    return sorted(s for seeds in kinds.values() for s in seeds)


SEEDS = _seeds()


def _blocked(seed: int, label: str, empty: object) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """A generated panel in blocks by ``label`` ("date" or "geo"), that label kept on the
    first row of each block only (the others ``empty``), and the roles."""
    variation = spec(seed)
    frame, roles = table(variation), variation.roles
    by = roles[label]
    then = roles["geo"] if label == "date" else roles["date"]
    order = frame.assign(_when=variation_dates(variation, frame)).sort_values(
        ["_when", then] if label == "date" else [by, "_when"], kind="stable")
    ordered = order.drop(columns="_when").reset_index(drop=True)
    blocked = ordered.copy().astype({by: object})
    blocked.loc[blocked[by].duplicated(), by] = empty
    return ordered, blocked, roles


def variation_dates(variation, frame: pd.DataFrame) -> pd.Series:
    from tests.conformance.tables import true_dates
    return true_dates(variation, frame[variation.roles["date"]])


def test_the_seeds_hold_wide_and_long_panels():
    assert {bool(spec(s).long) for s in SEEDS} == {False, True}


@pytest.mark.parametrize("empty", [np.nan, ""])
@pytest.mark.parametrize("label", ["date", "geo"])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_label_over_its_block_is_filled_down_by_the_line(seed, label, empty):
    ordered, blocked, roles = _blocked(seed, label, empty)
    column = roles[label]
    if label == "date":
        suggested = mw.Workflow(blocked, name="raw").suggest_mapping()
        assert (suggested["date"], suggested["geo"]) == (roles["date"], roles["geo"])
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(blocked, name="raw").map_data(**roles)
    [found] = [p for p in raised.value.problems if p.column == column]
    assert found.what.startswith(f"The {label} is written on the first row of each block")
    filled = run_fix(found.fix.split("Fill it down before mapping: ", 1)[1].rstrip("."),
                     blocked)
    mapped = mw.Workflow(filled, name="raw").map_data(**roles)
    expected = mw.Workflow(ordered, name="raw").map_data(**roles)
    pd.testing.assert_frame_equal(mapped.reset_index(drop=True),
                                  expected.reset_index(drop=True))


def test_a_few_missing_dates_are_missing_not_blocks():
    variation = spec(SEEDS[0])
    frame, roles = table(variation), variation.roles
    frame = frame.astype({roles["date"]: object})
    frame.loc[[5, 40], roles["date"]] = np.nan
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(frame, name="raw").map_data(**roles)
    assert [p.what for p in raised.value.problems if p.column == roles["date"]] == [
        "The date is missing in these rows."]


def test_a_long_tables_rows_of_spend_without_a_date_are_named_not_left_out():
    """The pivot to a column per channel leaves out rows without a date: a few blank
    dates of a platform's export lost their spend without a word."""
    seed = next(s for s in SEEDS if spec(s).long)
    variation = spec(seed)
    frame, roles = table(variation), variation.roles
    frame = frame.astype({roles["date"]: object})
    frame.loc[[3, 17], roles["date"]] = np.nan
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(frame, name="raw").map_data(**roles)
    [found] = [p for p in raised.value.problems if p.column == roles["date"]]
    assert found.what.startswith("The date is missing in rows that hold a channel's spend")
    assert found.rows == ("row 3", "row 17")
