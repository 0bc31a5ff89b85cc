"""A total beside the channels it sums is found from its values, never taken as a channel."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.totals import totals_of_others
from tests.conformance.tables import spec, table


def _table(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "date": pd.date_range("2023-01-02", periods=n, freq="W-MON").strftime("%Y-%m-%d"),
        "tv_spend": rng.gamma(2, 400, n).round(2),
        "search_spend": rng.gamma(2, 150, n).round(2),
        "social_spend": rng.gamma(2, 90, n).round(2),
    })
    frame.loc[frame.index % 5 == 0, "social_spend"] = 0.0  # flighting
    frame["sales"] = (20_000 + 3 * frame["tv_spend"] + rng.normal(0, 500, n)).round(2)
    return frame


@pytest.mark.parametrize(("name", "parts"), [
    ("Total spend", ("tv_spend", "search_spend", "social_spend")),
    ("All media", ("tv_spend", "search_spend", "social_spend")),
    ("digital_spend", ("search_spend", "social_spend")),   # a subtotal, beside tv
])
def test_a_total_is_not_suggested_and_stops_when_mapped(name, parts):
    frame = _table()
    frame[name] = frame[list(parts)].sum(axis=1).round(2)
    channels = ["tv_spend", "search_spend", "social_spend"]
    wf = mw.Workflow(frame)
    assert sorted(wf.suggest_mapping()["channels"]) == sorted(channels)
    with pytest.raises(mw.DataError) as raised:
        wf.map_data(date="date", target="sales", channels=[*channels, name])
    [problem] = raised.value.problems
    assert problem.column == name
    assert problem.what.startswith("The channel is the sum of " + ", ".join(map(repr, parts)))
    assert problem.fix == f"Leave {name!r} out of the channels."
    wf.map_data(date="date", target="sales", channels=channels)  # as the fix says


def test_a_total_of_amounts_rounded_on_their_own_is_still_a_total():
    frame = _table()
    exact = frame["tv_spend"] + frame["search_spend"] + frame["social_spend"]
    # a total rounded to whole currency units, from unrounded parts
    frame["Total"] = (exact + np.random.default_rng(1).uniform(-0.004, 0.004, len(frame))
                      ).round(0)
    found = totals_of_others(frame, ["tv_spend", "search_spend", "social_spend", "Total"])
    assert found == {"Total": ("tv_spend", "search_spend", "social_spend")}


@pytest.mark.parametrize("make", [
    lambda f: f["tv_spend"] * 2,                              # a multiple, not a sum
    lambda f: f["tv_spend"] + f["search_spend"] * 1.1,       # a weighted sum
    lambda f: f["tv_spend"] + f["search_spend"] + 50.0,      # a sum plus a fee
    lambda f: np.random.default_rng(3).gamma(2, 300, len(f)).round(2),   # its own channel
])
def test_columns_that_are_no_plain_sum_are_channels(make):
    frame = _table()
    frame["total_tv"] = make(frame)
    assert totals_of_others(frame, ["tv_spend", "search_spend", "social_spend",
                                    "total_tv"]) == {}


def test_rows_with_missing_values_and_too_few_rows_find_nothing_wrong():
    frame = _table(n=60)
    frame["Total"] = frame[["tv_spend", "search_spend"]].sum(axis=1)
    frame.loc[[3, 17], "tv_spend"] = np.nan
    assert totals_of_others(frame, ["tv_spend", "search_spend", "Total"]) == {
        "Total": ("tv_spend", "search_spend")}
    assert totals_of_others(frame.head(4), ["tv_spend", "search_spend", "Total"]) == {}


@pytest.mark.parametrize("seed", [s for s in range(200) if spec(s).total_spend][:8])
def test_generated_tables_with_a_total_suggest_their_channels_and_stop_on_the_total(seed):
    variation = spec(seed)
    raw = table(variation)
    assert "Total spend" in raw.columns
    wf = mw.Workflow(raw)
    suggested = wf.suggest_mapping()
    assert sorted(suggested["channels"]) == sorted(variation.roles["channels"])
    roles = variation.roles
    with pytest.raises(mw.DataError) as raised:
        wf.map_data(**{**roles, "channels": [*roles["channels"], "Total spend"]})
    assert [p.column for p in raised.value.problems] == ["Total spend"]
    wf.map_data(**roles)


@pytest.mark.parametrize("seed", [0, 3, 7])
def test_groups_and_a_grand_total_over_them_are_all_totals(seed):
    """Digital (search and social) and Offline (TV and radio) beside their channels, and
    All media over both: the grand total is the groups' sum and the channels' at once,
    which least squares tells apart only once the groups are out."""
    frame = _table(seed=seed)
    frame["radio_spend"] = np.random.default_rng(seed + 100).gamma(2, 120, len(frame)).round(2)
    frame["Digital"] = (frame["search_spend"] + frame["social_spend"]).round(2)
    frame["Offline"] = (frame["tv_spend"] + frame["radio_spend"]).round(2)
    frame["All media"] = (frame["Digital"] + frame["Offline"]).round(2)
    channels = ["tv_spend", "search_spend", "social_spend", "radio_spend"]
    found = totals_of_others(frame, [*channels, "Digital", "Offline", "All media"])
    assert found == {"Digital": ("search_spend", "social_spend"),
                     "Offline": ("tv_spend", "radio_spend"), "All media": tuple(channels)}
    wf = mw.Workflow(frame)
    assert sorted(wf.suggest_mapping()["channels"]) == sorted(channels)
    with pytest.raises(mw.DataError) as raised:
        wf.map_data(date="date", target="sales",
                    channels=[*channels, "Digital", "Offline", "All media"])
    assert sorted(p.column for p in raised.value.problems) == ["All media", "Digital",
                                                               "Offline"]
