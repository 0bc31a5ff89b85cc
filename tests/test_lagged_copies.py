"""A channel's spend written again a few periods later (a regression's lags) is no channel.

The lags are made here by shifting a generated channel within each geo, in date order,
so which column lags which, and by how much, is known without the kit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.lagged_copies import lagged_copies
from tests.conformance.tables import TableSpec, table, true_dates

VARIATIONS = [
    TableSpec(seed=1),
    TableSpec(seed=2, date_name="week_start", date_format="dmy", week_start="SUN",
              channel_scheme="spend_prefix"),
    TableSpec(seed=3, frequency="D", periods=300, date_name="DATE", zero_runs=True),
    TableSpec(seed=4, geos=3, geo_name="region", channel_scheme="platform_cost"),
]


def _with_lags(spec: TableSpec, lags: tuple[int, ...]) -> tuple[pd.DataFrame, str]:
    """The table with the first channel's lags as columns ('tv-1' ...), rows shuffled and
    their labels repeated."""
    frame = table(spec)
    first = spec.channel_names[0]
    dates = true_dates(spec, frame[spec.date_name])
    by = [spec.geo_name] if spec.geos else []
    ordered = frame.assign(__date=dates).sort_values([*by, "__date"])
    for lag in lags:
        shifted = (ordered.groupby(spec.geo_name)[first].shift(lag) if spec.geos
                   else ordered[first].shift(lag))
        frame[f"{first}-{lag}"] = shifted.reindex(frame.index).fillna(0.0)
    shuffled = frame.sample(frac=1.0, random_state=spec.seed)
    shuffled.index = np.arange(len(shuffled)) % 40  # labels written twice, as concat leaves
    return shuffled, first


@pytest.mark.parametrize("spec", VARIATIONS, ids=lambda s: s.date_name + str(s.geos))
def test_lags_of_a_channel_are_not_suggested_and_mapped_are_named(spec):
    frame, first = _with_lags(spec, (1, 2, 3))
    lags = [f"{first}-{k}" for k in (1, 2, 3)]
    assert mw.Workflow(frame).suggest_mapping()["channels"] == spec.channel_names
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(frame).map_data(**{**spec.roles,
                                       "channels": [*spec.channel_names, *lags]})
    named = {p.column: p for p in info.value.problems if "a lag written as" in p.what}
    assert set(named) == set(lags)
    for k, lag in enumerate(lags, start=1):
        later = "1 period" if k == 1 else f"{k} periods"
        assert named[lag].what.startswith(f"The channel is {first!r} {later} later")
        assert named[lag].fix.startswith(f"Leave {lag!r} out of the channels")


def test_channels_flighted_alike_or_a_lag_broken_on_some_rows_are_no_lags():
    """Two channels on and off on the same weeks at one fixed amount repeat each other by
    schedule; a 'lag' that differs on one row in ten is a channel of its own."""
    n = 104
    dates = pd.Series(pd.date_range("2023-01-02", periods=n, freq="W-MON"))
    rng = np.random.default_rng(3)
    on = (np.arange(n) // 4) % 2 == 0
    frame = pd.DataFrame({"tv": np.where(on, 5000.0, 0.0),
                          "radio": np.where(np.roll(on, 1), 5000.0, 0.0),
                          "search": rng.uniform(100, 900, n).round(2)})
    frame["social"] = frame["search"].shift(1).fillna(0.0)
    frame.loc[::10, "social"] += 50.0
    assert lagged_copies(frame, ["tv", "radio", "search", "social"], dates) == {}
