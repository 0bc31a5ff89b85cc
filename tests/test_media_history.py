"""Dates at either end with no channel's spend written while the target's is: media
history that starts later than the sales', or spend not in yet. Named once (not as every
channel's missing values, whose line read them as 0), with the line that fits the dates
with spend, and the line for a business that did not advertise then. One empty date, or
one channel empty at the start (a channel launched later), keep the channels' message; one
channel empty on the last dates (its export stops earlier) gets the line that fits the
dates up to its last figure as well.
Generated wide tables, national and geo, weekly and daily."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table, true_dates
from tests.conftest import always_spending, mapped, run_fix, wide_table_seeds

SEEDS = wide_table_seeds()



def _emptied(seed: int, first: int, last: int, channels: list[str] | None = None):
    """The seed's table with the channels' cells empty on its first ``first`` and last
    ``last`` dates, the roles, and the rows of the dates between."""
    variation = spec(seed)
    frame = table(variation)
    roles = {k: v for k, v in variation.roles.items() if v is not None}
    dates = true_dates(variation, frame[roles["date"]])
    ordered = sorted(dates.unique())
    edges = dates.isin(ordered[:first] + ordered[len(ordered) - last:]).to_numpy()
    frame.loc[edges, channels or list(roles["channels"])] = np.nan
    return frame, roles, ~edges


def _problems(frame: pd.DataFrame, roles: dict, **options) -> list:
    with pytest.raises(mw.DataError) as caught:
        mapped(frame, {**roles, **options})
    return caught.value.problems


def test_the_seeds_vary_what_they_should():
    chosen = [spec(s) for s in SEEDS]
    assert {bool(v.geos) for v in chosen} == {False, True}
    assert len({v.frequency for v in chosen}) > 1


@pytest.mark.parametrize(("first", "last"), [(10, 0), (0, 3), (6, 2)])
@pytest.mark.parametrize("seed", SEEDS)
def test_dates_without_spend_are_named_once_and_the_line_fits_the_rest(seed, first, last):
    frame, roles, between = _emptied(seed, first, last)
    [named] = _problems(frame, roles)  # not each channel's missing values
    assert named.column == roles["date"]
    assert named.count == int((~between).sum())
    assert ("the first " in named.what) is bool(first)
    assert ("the last " in named.what) is bool(last)
    line = named.fix.split("Fit the dates with spend: ", 1)[1].split(". If nothing", 1)[0]
    pd.testing.assert_frame_equal(run_fix(line, frame), frame[between])
    mapped(run_fix(line, frame), roles)  # the rest maps


def test_read_as_zero_they_are_noted_as_spend_not_booked():
    seed = next(s for s in SEEDS if always_spending(s))
    frame, roles, _ = _emptied(seed, 10, 0)
    [named] = _problems(frame, roles)
    assert "empty_spend_is_zero=True" in named.fix
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles, empty_spend_is_zero=True)
    [note] = [n for n in wf.data_result.warnings if n.kind == "unbooked_spend"]
    assert "the first 10 dates" in note.message


@pytest.mark.parametrize(("case", "first", "one_channel"), [
    ("one empty date", 1, False), ("a channel launched later", 10, True)])
def test_what_keeps_the_channels_message(case, first, one_channel):
    seed = SEEDS[0]
    channels = [spec(seed).roles["channels"][0]] if one_channel else None
    frame, roles, _ = _emptied(seed, first, 0, channels)
    problems = _problems(frame, roles)
    assert all(p.column in roles["channels"] for p in problems), case
    assert all("missing values" in p.what for p in problems), case


@pytest.mark.parametrize("seed", SEEDS[::2])
def test_one_channel_that_ends_early_gets_the_line_that_fits_the_dates_before(seed):
    channel = spec(seed).roles["channels"][-1]
    frame, roles, before = _emptied(seed, 0, 3, [channel])
    [named] = _problems(frame, roles)
    assert named.column == channel and "missing values" in named.what
    line = named.fix.split("fit the dates up to then: ", 1)[1].split(". If nothing", 1)[0]
    pd.testing.assert_frame_equal(run_fix(line, frame), frame[before])
    assert "empty_spend_is_zero=True" in named.fix  # a channel that stopped: read as 0


def test_a_channel_empty_on_other_dates_as_well_gets_no_such_line():
    seed = SEEDS[0]
    channel = spec(seed).roles["channels"][-1]
    frame, roles, _ = _emptied(seed, 0, 3, [channel])
    frame.loc[frame.index[5], channel] = np.nan
    [named] = _problems(frame, roles)
    assert "fit the dates up to then" not in named.fix
