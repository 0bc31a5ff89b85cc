"""One name written several ways: a long table's channel (``'TV'`` and ``'tv '``,
``'Paid Social'`` and ``'paid_social'``) would be pivoted into a channel per spelling, each
with part of the spend; a geo into geos that each lack dates. Named with the line that
writes each one way, which gives back the table's frame. Generated long tables (national
and geo, several date formats)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.spellings import spelling_key
from tests.conformance.tables import spec, table
from tests.conftest import mapped, run_fix

LONG_SEEDS = [s for s in range(80) if spec(s).long][:4]


def _roles(seed: int) -> dict:
    return {k: v for k, v in spec(seed).roles.items() if v is not None}


def _respelled(name: str) -> str:
    """The name as another export writes it: lower case, '_' for spaces, a space after."""
    return name.lower().replace(" ", "_") + " "


def test_the_seeds_vary_what_they_should():
    chosen = [spec(s) for s in LONG_SEEDS]
    assert {bool(v.geos) for v in chosen} == {False, True}


@pytest.mark.parametrize("seed", LONG_SEEDS)
def test_a_long_tables_channel_written_two_ways_is_named_and_the_line_gives_the_table_back(
        seed):
    frame, roles = table(spec(seed)), _roles(seed)
    column = roles["long"]["channel_column"]
    later = np.arange(len(frame)) >= len(frame) * 2 // 3  # a later export's spelling
    respelled = frame.copy()
    respelled.loc[later, column] = respelled.loc[later, column].map(_respelled)
    with pytest.raises(mw.DataError) as caught:
        mapped(respelled, roles)
    [named] = caught.value.problems
    assert named.column == column
    assert named.count == int(later.sum())
    for channel in frame[column].unique():
        assert f"{channel!r} and {_respelled(channel)!r}" in named.what
    line = named.fix.split(": ", 1)[1].removesuffix(".")
    pd.testing.assert_frame_equal(mapped(run_fix(line, respelled), roles),
                                  mapped(frame, roles))


def test_names_that_differ_in_more_than_spaces_case_and_separators_are_not_one():
    assert spelling_key(" Paid_Social") == spelling_key("paid - social ") == "paid social"
    assert spelling_key("TV") != spelling_key("TV2")
    assert spelling_key("Search") != spelling_key("Search Brand")
