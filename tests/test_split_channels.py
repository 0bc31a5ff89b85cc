"""One channel (or the target) under two names, each empty where the other is written
(exports appended with the column renamed), is named once with the line that merges them,
which gives the channel back, whether the later name is mapped or not; each had been named
for its missing values, with a line leaving half the history out. Two channels that split
a panel's geos are not one. Generated wide tables, weekly and daily, national and geo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table, true_dates
from tests.conftest import run_fix, wide_table_seeds

SEEDS = wide_table_seeds()


def _roles(seed: int) -> dict:
    return {k: v for k, v in spec(seed).roles.items() if v is not None}


def _renamed(seed: int, new: str | None = None, target: bool = False
             ) -> tuple[pd.DataFrame, pd.DataFrame, str, str, dict]:
    """The seed's table, and it with its largest channel (its target, when ``target``)
    written under ``new`` (its name upper-cased with " Spend", by default) from the middle
    date on, empty under its old name there; and the mapping with both names (a channel)."""
    variation, roles = spec(seed), _roles(seed)
    frame = table(variation)
    channel = (roles["target"] if target else
               frame[roles["channels"]].apply(pd.to_numeric).sum().idxmax())
    new = new or f"{channel.upper()} Spend"
    dates = true_dates(variation, frame[roles["date"]])
    later = (dates >= sorted(dates.unique())[len(dates.unique()) // 2]).to_numpy()
    written = frame.copy()
    written[new] = frame[channel].astype(float).where(later)
    written[channel] = frame[channel].astype(float).where(~later)
    return frame, written, channel, new, roles if target else {
        **roles, "channels": [*roles["channels"], new]}


def _problems(frame: pd.DataFrame, roles: dict) -> list:
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(frame, name="raw").map_data(**roles)
    return raised.value.problems


def _line(found) -> str:
    return found.fix.split("): " if "unmapped)" in found.fix else " alone: ", 1)[1].removesuffix(
        ".")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_renamed_column_is_named_once_and_the_line_gives_the_channel_back(seed):
    frame, written, channel, new, roles = _renamed(seed)
    problems = _problems(written, roles)
    assert len(problems) == 1, problems
    assert problems[0].column == new and "one channel under two names" in problems[0].what
    merged = run_fix(_line(problems[0]), written)
    np.testing.assert_allclose(merged[new], frame[channel].astype(float))
    mapped = {**roles, "channels": [c for c in roles["channels"] if c != channel]}
    wf = mw.Workflow(merged, name="raw")
    wf.map_data(**mapped)
    assert wf.status("data") == "done"


def test_a_channel_renamed_to_other_words_is_one_when_it_follows_at_a_like_level():
    _, written, channel, _, roles = _renamed(SEEDS[0], new="Meta Ads Cost")
    problems = _problems(written, roles)
    assert [p.column for p in problems] == ["Meta Ads Cost"]
    assert f"{channel!r} up to " in problems[0].what


@pytest.mark.parametrize("target", [False, True], ids=["channel", "target"])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_column_renamed_and_left_unmapped_is_merged_into_the_mapped_one(seed, target):
    """The target's later name left unmapped had been named as dates to drop (half the
    table), a channel's as missing values (with the line fitting half the history)."""
    frame, written, column, new, roles = _renamed(seed, new="Net Amount", target=target)
    roles = {**roles, "channels": [c for c in roles["channels"] if c != new]}
    problems = _problems(written, roles)
    assert len(problems) == 1, problems
    assert problems[0].column == column
    assert f"one {'target' if target else 'channel'} under two names" in problems[0].what
    merged = run_fix(_line(problems[0]), written)
    np.testing.assert_allclose(merged[column].astype(float), frame[column].astype(float))
    wf = mw.Workflow(merged.drop(columns=new), name="raw")
    wf.map_data(**roles)
    assert wf.status("data") == "done"


def test_two_channels_that_split_a_panels_geos_are_not_one():
    seed = next(s for s in SEEDS if spec(s).geos)
    roles = _roles(seed)
    frame = table(spec(seed))
    one, other = roles["channels"][:2]
    first_geo = frame[roles["geo"]].astype(str) == sorted(frame[roles["geo"]].astype(str))[0]
    frame[one] = frame[one].astype(float).where(first_geo)
    frame[other] = frame[other].astype(float).where(~first_geo)
    problems = _problems(frame, roles)
    assert not [p for p in problems if "one channel under two names" in p.what]
    assert {p.column for p in problems} >= {one, other}  # each named for its empty cells


def test_a_forecast_on_the_dates_after_the_actuals_is_not_the_targets_other_name():
    seed = SEEDS[0]
    *_, written, _, _, roles = _renamed(seed, new="Sales Forecast", target=True)
    problems = _problems(written, roles)
    assert not [p for p in problems if "under two names" in p.what]
    assert [p for p in problems if "No row has a target on the last" in p.what]
