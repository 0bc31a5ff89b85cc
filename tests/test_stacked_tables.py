"""Tables stacked where a join was meant: the media plan's rows and the sales' rows put one
under the other (``pd.concat``), each date on a row of spend without sales and a row of
sales without spend. Named once, with the line that joins each date's rows; the line gives
back the table joined. Generated wide tables, national and geo, weekly and daily, with the
other table's cells empty or 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table
from tests.conftest import mapped, run_fix, wide_table_seeds

SEEDS = wide_table_seeds()


def _roles(seed: int) -> dict:
    return {k: v for k, v in spec(seed).roles.items() if v is not None}


def _stacked(seed: int, zeros: bool = False, parts: int = 2) -> tuple[pd.DataFrame,
                                                                       pd.DataFrame]:
    """The seed's table, and it split into a table of spend and one of the rest (or one
    per channel and one of the rest), stacked; the other tables' amounts 0 when
    ``zeros``."""
    frame, roles = table(spec(seed)), _roles(seed)
    keys = [roles["date"], *([roles["geo"]] if "geo" in roles else [])]
    channels = list(roles["channels"])
    groups = [channels] if parts == 2 else [[c] for c in channels]
    rest = [c for c in frame.columns if c not in (*keys, *channels)]
    pieces = [frame[[*keys, *group]] for group in groups] + [frame[[*keys, *rest]]]
    stacked = pd.concat(pieces, ignore_index=True)[frame.columns]
    if zeros:
        amounts = [*channels, roles["target"]]
        stacked[amounts] = stacked[amounts].fillna(0.0)
    return frame, stacked


def test_the_seeds_vary_what_they_should():
    chosen = [spec(s) for s in SEEDS]
    assert {bool(v.geos) for v in chosen} == {False, True}
    assert len({v.frequency for v in chosen}) > 1


@pytest.mark.parametrize("zeros", [False, True], ids=["empty", "zeros"])
@pytest.mark.parametrize("seed", SEEDS)
def test_stacked_tables_are_named_once_and_the_line_joins_them(seed, zeros):
    frame, stacked = _stacked(seed, zeros)
    roles = _roles(seed)
    with pytest.raises(mw.DataError) as caught:
        mapped(stacked, roles)
    [named] = caught.value.problems  # not every column's missing values as well
    assert "tables stacked one under the other" in named.what
    assert named.column == roles["date"]
    assert named.count == frame[roles["date"]].nunique()
    line = named.fix.split(": ", 1)[1].removesuffix(".")
    assert ("sum" in line) is zeros
    joined = mapped(run_fix(line, stacked), roles)
    pd.testing.assert_frame_equal(joined.reset_index(drop=True),
                                  mapped(frame, roles).reset_index(drop=True))


@pytest.mark.parametrize("seed", [s for s in SEEDS if spec(s).geos][:2])
def test_a_table_per_channel_shuffled_is_named_and_its_geo_suggested(seed):
    frame, stacked = _stacked(seed, parts=3)
    stacked = stacked.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    roles = _roles(seed)
    assert mw.Workflow(stacked, name="raw").suggest_mapping()["geo"] == roles["geo"]
    with pytest.raises(mw.DataError) as caught:
        mapped(stacked, roles)
    [named] = caught.value.problems
    assert "per geo" in named.what
    line = named.fix.split(": ", 1)[1].removesuffix(".")
    joined = mapped(run_fix(line, stacked), roles)
    pd.testing.assert_frame_equal(joined.reset_index(drop=True),
                                  mapped(frame, roles).reset_index(drop=True))


def test_rows_of_a_date_that_both_hold_a_column_are_not_named_as_stacked():
    """A date's second row with the target as well (an overlapping export, revised):
    not a stack, whatever the other columns hold."""
    seed = SEEDS[0]
    _, stacked = _stacked(seed)
    roles = _roles(seed)
    stacked.loc[0, roles["target"]] = 1.0  # the spend row of the first date
    with pytest.raises(mw.DataError) as caught:
        mapped(stacked, roles)
    assert not any("stacked" in p.what for p in caught.value.problems)


@pytest.mark.parametrize(("cell", "named"), [(-5.0, "negative"), (np.nan, "missing values")])
def test_tables_concatenated_with_their_own_row_numbers_are_checked_by_position(cell, named):
    """Two halves concatenated without ignore_index: the labels 0, 1, ... twice. A clean
    table maps; one with a problem names the labels and counts its rows from 0. (An empty
    cell failed as 'The mapping code failed: ValueError'.)"""
    seed = SEEDS[0]
    frame, roles = table(spec(seed)), _roles(seed)
    half = len(frame) // 2
    concatenated = pd.concat([frame.iloc[:half].reset_index(drop=True),
                              frame.iloc[half:].reset_index(drop=True)])
    pd.testing.assert_frame_equal(mapped(concatenated, roles), mapped(frame, roles))
    channel = roles["channels"][0]
    concatenated.iloc[half + 2, concatenated.columns.get_loc(channel)] = cell
    with pytest.raises(mw.DataError) as caught:
        mapped(concatenated, roles)
    labels, negative = caught.value.problems
    assert "row labels repeat (0 on 2 rows" in labels.what
    assert labels.fix.endswith("raw = raw.reset_index(drop=True).")
    assert negative.column == channel and named in negative.what
    assert negative.rows[0].startswith(f"row {half + 2} ")
