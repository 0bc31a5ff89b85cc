"""A target of 0 on the first or last dates while the channels spend (sales not recorded
yet, written as 0) is named with the line that fits the dates it was recorded on, over the
whole table or in one geo; zeros that are the target's own (a product that sells rarely, a
run with no spend either) are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from tests.conftest import run_fix

WEEKS = 80
DATES = pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON")


def _national(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tv, search = rng.gamma(3, 1000, WEEKS), rng.gamma(3, 800, WEEKS)
    return pd.DataFrame({"week_start": DATES.strftime("%d.%m.%Y"),
                         "Net Revenue (EUR)": 20000 + 2 * tv + 3 * search
                         + rng.normal(0, 300, WEEKS), "TV": tv, "Search": search})


def _map(frame: pd.DataFrame, geo: str | None = None) -> mw.Workflow:
    wf = mw.Workflow(frame)
    wf.map_data(date="week_start", target="Net Revenue (EUR)", channels=["TV", "Search"],
                geo=geo, date_format="%d.%m.%Y")
    return wf


def _untracked(frame: pd.DataFrame, geo: str | None = None):
    with pytest.raises(DataError) as raised:
        _map(frame, geo)
    found = [p for p in raised.value.problems if "never 0 on any other date" in p.what]
    assert len(found) == 1, raised.value.problems
    return found[0]


def _run(fix: str, frame: pd.DataFrame, option: int = 0) -> pd.DataFrame:
    """The table after the fix's ``option``-th line (``frame = ...``)."""
    lines = [part.split(": ", 1)[1] for part in fix.split(". If those")[0].split("; or ")]
    return run_fix(lines[option], frame)


@pytest.mark.parametrize(("lead", "trail"), [(12, 0), (0, 5), (4, 3)])
def test_zeros_at_the_ends_are_named_and_the_line_fits_the_recorded_dates(lead, trail):
    frame = _national()
    zero = np.r_[np.ones(lead, bool), np.zeros(WEEKS - lead - trail, bool),
                 np.ones(trail, bool)]
    frame.loc[zero, "Net Revenue (EUR)"] = 0.0
    shuffled = frame.sample(frac=1.0, random_state=1)
    found = _untracked(shuffled)
    assert found.column == "Net Revenue (EUR)"
    if lead:
        assert (f"the first {lead} dates (2023-01-02 to "
                f"{DATES[lead - 1]:%Y-%m-%d})") in found.what
    if trail:
        assert f"the last {trail} dates ({DATES[-trail]:%Y-%m-%d} to" in found.what
    kept = _run(found.fix, shuffled)
    assert sorted(kept["week_start"], key=lambda d: d[6:] + d[3:5] + d[:2]) == \
        list(DATES[~zero].strftime("%d.%m.%Y"))
    assert len(_map(kept).data) == WEEKS - lead - trail


def test_one_geo_tracked_later_is_named_with_both_lines():
    frames = [_national(seed).assign(Market=market)
              for seed, market in ((1, "North"), (2, "South"), (4, "East"))]
    frames[1].loc[:7, "Net Revenue (EUR)"] = 0.0
    panel = pd.concat(frames, ignore_index=True)
    found = _untracked(panel, geo="Market")
    assert "in 'South' on the first 8 dates (2023-01-02 to 2023-02-20)" in found.what
    assert found.rows == ("geo South",)
    by_dates = _run(found.fix, panel)
    assert by_dates.groupby("Market").size().to_dict() == {"East": 72, "North": 72,
                                                           "South": 72}
    without = _run(found.fix, panel, option=1)
    assert sorted(without["Market"].unique()) == ["East", "North"]
    assert _map(by_dates, geo="Market").status("data") == "done"


def test_zeros_of_the_targets_own_are_not_named():
    # a product that sells on some weeks only
    rare = _national()
    rare.loc[np.arange(WEEKS) % 3 != 0, "Net Revenue (EUR)"] = 0.0
    assert _map(rare).status("data") == "done"
    # zeros at the start with no spend in them: a history padded before launch
    padded = _national()
    padded.loc[:5, ["Net Revenue (EUR)", "TV", "Search"]] = 0.0
    assert _map(padded).status("data") == "done"
    # two zero weeks at the start of sales that ramp up from a few percent: a launch
    launch = _national()
    launch.loc[:1, "Net Revenue (EUR)"] = 0.0
    launch.loc[2:5, "Net Revenue (EUR)"] *= [0.05, 0.15, 0.4, 0.7]
    assert _map(launch).status("data") == "done"


@pytest.mark.parametrize(("lead", "trail"), [(0, 1), (0, 2), (1, 0), (1, 1)])
def test_one_or_two_zeros_at_an_end_of_a_steady_target_are_named(lead, trail):
    """Sales never under a fifth of their median elsewhere: a 0 on the last week is that
    week not in yet (two such weeks of 156 read TV's ROAS 1.64 for 2.0: see the module)."""
    frame = _national()
    zero = np.r_[np.ones(lead, bool), np.zeros(WEEKS - lead - trail, bool),
                 np.ones(trail, bool)]
    frame.loc[zero, "Net Revenue (EUR)"] = 0.0
    found = _untracked(frame)
    if trail == 1:
        assert f"the last date ({DATES[-1]:%Y-%m-%d})" in found.what
    if trail == 2:
        assert f"the last 2 dates ({DATES[-2]:%Y-%m-%d} to {DATES[-1]:%Y-%m-%d})" in found.what
    if lead:
        assert "the first date (2023-01-02)" in found.what
    kept = _run(found.fix, frame)
    assert list(kept["week_start"]) == list(DATES[~zero].strftime("%d.%m.%Y"))
