"""Incremental credit and flags compare like with like: the MMM over the channels a method covers.

Expected numbers are computed here straight from the posterior draws of the stored fit
(``channel_contribution`` times the target scale), with a hand-written HDI.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw

pytestmark = pytest.mark.fit

COVERED = ["search", "social", "display"]
METHODS = ["linear", "markov"]
PLATFORM = {"search": 900.0, "social": 500.0, "tv": 300.0}


def hdi(draws: np.ndarray, prob: float) -> tuple[float, float]:
    """The narrowest interval holding ``prob`` of the draws (as arviz defines it)."""
    ordered = np.sort(np.ravel(draws))
    inside = math.floor(prob * len(ordered))
    widths = ordered[inside:] - ordered[: len(ordered) - inside]
    start = int(np.argmin(widths))
    return float(ordered[start]), float(ordered[start + inside])


@pytest.fixture(scope="module")
def compared():
    wf = mw.datasets.load_fitted()
    journeys = mw.datasets.load("journeys")
    table = wf.attribution(journeys, models=METHODS, platform=PLATFORM)
    return wf, table


@pytest.fixture(scope="module")
def draws(compared) -> pd.DataFrame:
    """Per posterior draw (rows), each channel's contribution over the journeys' periods."""
    wf, _ = compared
    posterior = wf.mmm.idata.posterior["channel_contribution"]
    scale = float(wf.mmm.get_scales_as_xarray()["target_scale"])
    start, end = (pd.Timestamp(day) for day in wf.step("attribution").params.period)
    dates = pd.to_datetime(posterior["date"].to_numpy())
    values = posterior.to_numpy()[:, :, (dates >= start) & (dates <= end), :].sum(axis=2)
    channels = [str(c) for c in posterior["channel"].to_numpy()]
    return pd.DataFrame(values.reshape(-1, len(channels)) * scale, columns=channels)


def _method_shares(wf, method: str) -> pd.Series:
    result = wf.attribution_result
    channel_map = wf.step("attribution").params.channel_map
    credit = result.credit[method].groupby(result.credit.index.map(channel_map)).sum()
    return credit / credit.sum()


def test_incremental_credit_splits_the_mmm_contribution_of_the_covered_channels(compared, draws):
    wf, table = compared
    prob = wf.step("attribution").params.hdi_prob
    covered = draws[COVERED].sum(axis=1)
    for method in METHODS:
        share = _method_shares(wf, method)
        assert set(share.index) == set(COVERED)
        column = table[f"{method}_incremental"]
        # The covered channels add up to the MMM's contribution of those channels, not all media.
        assert column.loc[COVERED].sum() == pytest.approx(covered.mean(), rel=1e-9)
        assert column.loc[COVERED].sum() < draws.sum(axis=1).mean() * 0.8
        assert (column.loc[["tv", "radio"]] == 0).all()
        for channel in COVERED:
            per_draw = share[channel] * covered.to_numpy()
            assert column[channel] == pytest.approx(per_draw.mean(), rel=1e-9)
            low, high = hdi(per_draw, prob)
            assert table.at[channel, f"{method}_incremental_hdi_low"] == pytest.approx(low)
            assert table.at[channel, f"{method}_incremental_hdi_high"] == pytest.approx(high)


def test_flags_compare_with_the_mmm_share_over_the_same_channels(compared, draws):
    wf, table = compared
    prob = wf.step("attribution").params.hdi_prob
    for method, channels in [*((m, COVERED) for m in METHODS),
                             ("platform", ["tv", "search", "social"])]:
        like = draws[channels].div(draws[channels].sum(axis=1), axis=0)
        for channel in table.index:
            share = table.at[channel, f"{method}_share"]
            if channel not in channels:
                assert pd.isna(table.at[channel, f"{method}_mmm"])
                assert not table.at[channel, f"{method}_outside"]
                continue
            low, high = hdi(like[channel].to_numpy(), prob)
            assert table.at[channel, f"{method}_mmm"] == pytest.approx(like[channel].mean())
            assert table.at[channel, f"{method}_mmm_hdi_low"] == pytest.approx(low)
            assert table.at[channel, f"{method}_mmm_hdi_high"] == pytest.approx(high)
            assert table.at[channel, f"{method}_outside"] == (share < low or share > high)
    # Platform numbers are shares of the channels they are given for (radio has none).
    assert table.at["tv", "platform_share"] == pytest.approx(300 / 1700)
    whole = draws.div(draws.sum(axis=1), axis=0)
    np.testing.assert_allclose(table["mmm_share"], whole.mean().loc[table.index], rtol=1e-9)


def test_calibrated_credit_uses_the_same_per_draw_split(compared, draws):
    wf, _ = compared
    prob = wf.step("attribution").params.hdi_prob
    calibrated = wf.attribution_result.calibrated
    for row in calibrated.itertuples():
        per_draw = row.fraction * draws[row.channel].to_numpy()
        low, high = hdi(per_draw, prob)
        assert row.incremental == pytest.approx(per_draw.mean(), rel=1e-9)
        assert row.incremental_hdi_low == pytest.approx(low)
        assert row.incremental_hdi_high == pytest.approx(high)


def test_gaps_are_to_the_mmm_over_the_same_channels(compared):
    from mmm_widgets.steps.attribution import difference_table
    from mmm_widgets.views.attribution import difference_html

    _, table = compared
    gaps = difference_table(table)
    expected = table.loc[COVERED, "linear_share"] - table.loc[COVERED, "linear_mmm"]
    np.testing.assert_allclose(gaps.loc[COVERED, "linear"], expected)
    assert gaps.loc[["tv", "radio"], "linear"].isna().all()
    text = difference_html(table)
    assert "MMM over the channels linear and markov cover" in text
    assert "MMM over the channels platform cover" in text and "nan" not in text
