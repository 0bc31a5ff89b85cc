"""Spend scaled to 0-1 (each channel over its largest), as tutorial data are, is named: its
ROAS is a return per unit of the scale. Spend in millions beside revenue in millions, and
spend in money, are not; the fit test measures the premise (TV's ROAS reads 2.0 times its
largest spend) and the note's line (2.0 again)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import map_roas, run_fix
from tests.test_unbooked_spend import _demand_table

NAMES = {"tidy": ("y", ["x1", "x2"]),
         "money": ("Net Revenue (EUR)", ["TV Spend", "Search Spend"]),
         "numbered": ("kpi", ["Channel0_spend", "channel_1"])}


def _scaled(seed: int, target: str, channels: list[str], geos: int = 1) -> pd.DataFrame:
    """The demand table (TV returns 2.0, search 3.0) with each channel over its largest."""
    parts = []
    for geo in range(geos):
        frame = _demand_table(seed + geo)
        frame = frame.rename(columns={"sales": target, "tv": channels[0],
                                      "search": channels[1]})
        parts.append(frame.assign(Region=f"Region {geo}") if geos > 1 else frame)
    table = pd.concat(parts, ignore_index=True)
    for channel in channels:
        table[channel] = table[channel] / table[channel].max()
    return table


def _notes(frame: pd.DataFrame, target: str, channels: list[str], **mapping) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(date="date", target=target, channels=channels, **mapping)
    return wf.data_result.warnings


@pytest.mark.parametrize("names", list(NAMES))
@pytest.mark.parametrize("geos", [1, 3])
def test_spend_scaled_to_one_is_named_whatever_the_names(names, geos):
    target, channels = NAMES[names]
    frame = _scaled(1, target, channels, geos)
    mapping = {"geo": "Region"} if geos > 1 else {}
    notes = _notes(frame, target, channels, **mapping)
    [scaled] = [n for n in notes if n.kind == "scaled_spend"]
    assert scaled.columns == (target, *channels)
    ratio = frame[target].sum() / frame[channels].to_numpy().sum()
    assert f"adds up to {ratio:,.0f} times their sum" in scaled.message
    # not also told to rescale by a thousand: the spend is no amount of money
    assert not [n for n in notes if n.kind == "money_scale"]


@pytest.mark.parametrize("kind", ["money", "millions beside millions", "one short of 1",
                                  "above 1"])
def test_spend_that_is_not_scaled_to_one_is_not_named(kind):
    frame = _demand_table(3).rename(columns={"sales": "Revenue", "tv": "TV", "search": "Search"})
    if kind == "millions beside millions":  # a finance table: both in millions
        frame[["Revenue", "TV", "Search"]] = frame[["Revenue", "TV", "Search"]] / 1e6 * 40
        assert frame[["TV", "Search"]].to_numpy().max() <= 1
    elif kind == "one short of 1":  # scaled, but one channel's largest is 0.9
        frame["TV"] = frame["TV"] / frame["TV"].max()
        frame["Search"] = 0.9 * frame["Search"] / frame["Search"].max()
    elif kind == "above 1":
        frame["TV"] = frame["TV"] / frame["TV"].max()
        frame["Search"] = 1.5 * frame["Search"] / frame["Search"].max()
    notes = _notes(frame, "Revenue", ["TV", "Search"])
    assert not [n for n in notes if n.kind == "scaled_spend"]


@pytest.mark.fit
def test_scaled_spend_reads_a_return_per_unit_of_the_scale_until_written_in_money():
    frame = _demand_table(1)
    largest = float(frame["tv"].max())
    scaled = frame.assign(tv=frame["tv"] / largest, search=frame["search"] / frame[
        "search"].max())
    mapping = {"date": "date", "target": "sales", "channels": ["tv", "search"]}
    # the premise: TV's 2.0 per unit of money reads 2.0 times its largest spend
    assert map_roas(scaled, "tv", **mapping) == pytest.approx(2.0 * largest, rel=0.15)
    [note] = [n for n in _notes(scaled, "sales", ["tv", "search"]) if n.kind == "scaled_spend"]
    line = note.message.split("if you know it: ")[1].split(");")[0]
    assert line == "raw['tv'] = raw['tv'] * <the largest spend of tv>"
    restored = run_fix(line.replace("<the largest spend of tv>", repr(largest)), scaled)
    np.testing.assert_allclose(restored["tv"], frame["tv"])
    assert map_roas(restored, "tv", **mapping) == pytest.approx(2.0, rel=0.15)
