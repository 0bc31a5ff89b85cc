"""A target that never moves is named before the model is built: over the whole table, or
in one geo of a panel (a market whose sales were never loaded), with the line that leaves
that geo out; a table whose target moves everywhere is not touched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from tests.conftest import run_fix

WEEKS = 60


def _national(target: np.ndarray | float) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"Week": pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON"),
                         "Net Revenue (EUR)": target, "TV": rng.gamma(3, 1000, WEEKS),
                         "Search": rng.gamma(3, 800, WEEKS)})


def _panel(geos: list, flat: dict) -> pd.DataFrame:
    """A weekly panel whose target moves with spend, but stays at ``flat[geo]`` there."""
    rng = np.random.default_rng(5)
    dates = pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON")
    frames = []
    for geo in geos:
        tv, search = rng.gamma(3, 1000, WEEKS), rng.gamma(3, 800, WEEKS)
        sales = (np.full(WEEKS, flat[geo]) if geo in flat
                 else 20000 + 2 * tv + 3 * search + rng.normal(0, 500, WEEKS))
        frames.append(pd.DataFrame({"week_start": dates, "Market": geo, "sales": sales,
                                    "tv_spend": tv, "search_spend": search}))
    return pd.concat(frames, ignore_index=True)


def _map_national(frame: pd.DataFrame) -> mw.Workflow:
    wf = mw.Workflow(frame)
    wf.map_data(date="Week", target="Net Revenue (EUR)", channels=["TV", "Search"])
    return wf


def _map_panel(frame: pd.DataFrame) -> mw.Workflow:
    wf = mw.Workflow(frame)
    wf.map_data(date="week_start", target="sales", channels=["tv_spend", "search_spend"],
                geo="Market")
    return wf


@pytest.mark.parametrize(("level", "said"), [(0.0, "0"), (1250.5, "1250.5")])
def test_a_target_that_never_moves_is_named(level, said):
    with pytest.raises(DataError) as raised:
        _map_national(_national(level))
    found = [p for p in raised.value.problems if "on every row" in p.what]
    assert len(found) == 1
    assert found[0].column == "Net Revenue (EUR)"
    assert f"The target is {said} on every row" in found[0].what


@pytest.mark.parametrize(("geos", "flat"), [
    (["North", "South", "Closed"], {"Closed": 0.0}),
    ([501, 602, 703, 804], {602: 0.0, 804: 310.0}),  # numbered geos (DMA codes)
])
def test_a_geo_whose_target_never_moves_is_named_and_the_fix_leaves_it_out(geos, flat):
    frame = _panel(geos, flat)
    with pytest.raises(DataError) as raised:
        _map_panel(frame)
    found = [p for p in raised.value.problems if "never moves in" in p.what]
    assert len(found) == 1
    assert found[0].rows == tuple(f"geo {geo}" for geo in sorted(flat))
    assert found[0].count == len(flat)
    # the line in the fix, run on the table, leaves out those geos and no other
    line = found[0].fix.removeprefix("Leave it out: ").split(";")[0]
    kept = run_fix(line, frame)  # the fix's own pandas line
    assert sorted(kept["Market"].unique().tolist()) == sorted(set(geos) - set(flat))
    assert _map_panel(kept).data_result.data["Market"].nunique() == len(geos) - len(flat)


def test_a_target_that_moves_everywhere_is_not_named():
    wf = _map_panel(_panel(["North", "South"], {}))
    assert wf.status("data") == "done"
    moving = np.random.default_rng(0).normal(50000, 3000, WEEKS)
    assert _map_national(_national(moving)).status("data") == "done"
    # nor one that is 0 on most weeks and moves on some (a product that sells rarely)
    rare = np.where(np.arange(WEEKS) % 10 == 0, 800.0, 0.0)
    assert _map_national(_national(rare)).status("data") == "done"
