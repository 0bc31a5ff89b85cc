"""One channel written under two names across the day it was renamed (Facebook, then
Meta): one stops spending as the other starts, at a like level. Named with the line that
merges them; a channel launched late at another level, a campaign that ended and a
restart after a pause are not. Generated wide tables, national and geo, of each channel
naming scheme."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table, true_dates
from tests.conftest import run_fix


def _seeds() -> list[int]:
    """Wide weekly tables of numbers whose first channel spends most weeks."""
    found = []
    for seed in range(120):
        v = spec(seed)
        if (v.long or v.text_amounts or v.reported_outcomes or v.units_row or v.report_rows
                or v.frequency != "W" or v.zero_runs or v.weekdays_only):
            continue
        found.append(seed)
    return found[:6]


SEEDS = _seeds()


def _split(seed: int, at: float = 0.5, gap: int = 0, level: float = 1.0):
    """A generated table whose first channel is written as ``<name> (old)`` up to ``at``
    of its weeks and under its name after (``gap`` weeks of neither between, the later
    part's spend times ``level``), the roles with both, and the channel's spend."""
    variation = spec(seed)
    frame, roles = table(variation), dict(variation.roles)
    channel = roles["channels"][0]
    dates = true_dates(variation, frame[roles["date"]])
    week = pd.factorize(dates, sort=True)[0]
    cut = int(week.max() * at)
    spend = frame[channel].astype(float).copy()
    old = f"{channel} (old)"
    frame[old] = np.where(week < cut, spend, 0.0)
    frame[channel] = np.where(week >= cut + gap, spend * level, 0.0)
    roles["channels"] = [old, *roles["channels"]]
    return frame, roles, spend


def _notes(frame: pd.DataFrame, roles: dict) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return [f for f in wf.data_result.warnings if f.kind == "handover"]


def test_the_seeds_hold_national_and_geo_tables():
    assert {bool(spec(s).geos) for s in SEEDS} == {False, True}


@pytest.mark.parametrize("seed", SEEDS)
def test_a_channel_under_two_names_is_merged_by_the_line(seed):
    frame, roles, spend = _split(seed)
    old, channel = roles["channels"][0], roles["channels"][1]
    notes = _notes(frame, roles)
    assert [n.columns for n in notes] == [(old, channel)]
    line = notes[0].message.split(f"map {channel!r} alone: ", 1)[1].rstrip(".")
    merged = run_fix(line, frame)
    np.testing.assert_allclose(merged[channel], spend)  # by hand: the one channel again
    assert _notes(merged, {**roles, "channels": roles["channels"][1:]}) == []


@pytest.mark.parametrize(("change", "options"), [
    ("a launch at another level", {"level": 6.0}),
    ("a restart after a pause", {"gap": 10}),
    ("a campaign's end in the last weeks", {"at": 0.97}),
])
def test_what_is_no_handover_is_not_named(change, options):
    frame, roles, _ = _split(SEEDS[0], **options)
    assert _notes(frame, roles) == [], change
