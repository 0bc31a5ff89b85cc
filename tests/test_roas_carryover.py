"""ROAS with carryover (#17 item 4), checked against an independent computation.

The stored fit of the bundled data (geometric adstock, logistic saturation, identity
link) is recomputed by hand from its posterior draws: each channel's spend is adstocked
and saturated over the fitted period followed by ``l_max`` periods without spend, with and
without the channel's spend. The difference, summed over every date, is the channel's
contribution with carryover; summed over the fitted dates only, the window-only one.
"""

from __future__ import annotations

import arviz as az
import numpy as np
import pytest

import mmm_widgets as mw
from mmm_widgets.datasets.fitted import FOLDER
from mmm_widgets.steps import fit as fit_step
from mmm_widgets.steps.fit import SUMMARY_IMPORTS, summary_lines
from tests.conftest import run_fresh

CHANNELS = ["tv", "radio", "search", "social", "display"]


@pytest.fixture(scope="module")
def stored():
    return mw.datasets.load_fitted("weekly_sales")


def by_hand(mmm, spend_factor: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Contribution (draw, channel) of the fitted spend x ``spend_factor``: with the tail
    of ``l_max`` periods after the data, and on the fitted dates only."""
    posterior = mmm.idata.posterior.to_dataset().stack(sample=("chain", "draw"))
    alpha = posterior["adstock_alpha"].transpose("sample", "channel").to_numpy()
    lam = posterior["saturation_lam"].transpose("sample", "channel").to_numpy()
    beta = posterior["saturation_beta"].transpose("sample", "channel").to_numpy()
    constant = mmm.idata.constant_data.to_dataset()
    spend = constant["channel_data"].transpose("date", "channel").to_numpy() * spend_factor
    scaled = spend / constant["channel_scale"].to_numpy()
    l_max = mmm.adstock.l_max
    n = scaled.shape[0]
    padded = np.vstack([scaled, np.zeros((l_max, scaled.shape[1]))])
    weights = alpha[:, None, :] ** np.arange(l_max)[None, :, None]   # sample, lag, channel
    weights = weights / weights.sum(axis=1, keepdims=True)
    adstocked = np.zeros((alpha.shape[0], n + l_max, scaled.shape[1]))
    for lag in range(l_max):
        shifted = np.vstack([np.zeros((lag, scaled.shape[1])), padded[:n + l_max - lag]])
        adstocked += weights[:, lag, None, :] * shifted[None]
    saturated = (1 - np.exp(-lam[:, None] * adstocked)) / (1 + np.exp(-lam[:, None] * adstocked))
    # Without the channel's spend the adstocked spend is 0 and so is its saturation
    per_date = beta[:, None] * saturated * float(constant["target_scale"])
    return per_date.sum(axis=1), per_date[:, :n].sum(axis=1)


def hdi(draws: np.ndarray, prob: float) -> np.ndarray:
    return np.array([az.hdi(draws[:, j], prob=prob) for j in range(draws.shape[1])])


def test_roas_counts_carryover_past_the_fitted_period(stored):
    mmm = stored.step("fit").result.mmm
    summary = stored.channel_summary()
    spend = summary["spend"].to_numpy()
    with_tail, window = by_hand(mmm)
    prob = stored.step("fit").params.hdi_prob
    np.testing.assert_allclose(summary["contribution"], with_tail.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(summary["roas"], (with_tail / spend).mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(summary[["roas_hdi_low", "roas_hdi_high"]],
                               hdi(with_tail / spend, prob), rtol=1e-6)
    np.testing.assert_allclose(summary[["contribution_hdi_low", "contribution_hdi_high"]],
                               hdi(with_tail, prob), rtol=1e-6)
    np.testing.assert_allclose(summary["roas_window"], (window / spend).mean(axis=0),
                               rtol=1e-6)
    np.testing.assert_allclose(summary[["roas_window_hdi_low", "roas_window_hdi_high"]],
                               hdi(window / spend, prob), rtol=1e-6)
    share = with_tail / with_tail.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(summary["share"], share.mean(axis=0), rtol=1e-6)
    # Spend in the last weeks still works after the data ends
    tail = summary["contribution"] - summary["contribution_window"]
    assert (tail > 0).all()
    assert (summary["roas"] > summary["roas_window"]).all()


def test_marginal_roas_is_one_percent_more_spend_with_carryover(stored):
    mmm = stored.step("fit").result.mmm
    summary = stored.channel_summary()
    more, _ = by_hand(mmm, 1.01)
    actual, _ = by_hand(mmm)
    marginal = (more - actual) / (0.01 * summary["spend"].to_numpy())
    np.testing.assert_allclose(summary["marginal_roas"], marginal.mean(axis=0), rtol=1e-5)
    prob = stored.step("fit").params.hdi_prob
    np.testing.assert_allclose(summary[["marginal_roas_hdi_low", "marginal_roas_hdi_high"]],
                               hdi(marginal, prob), rtol=1e-5)
    # Diminishing returns: the next unit of spend earns less than the average one
    assert (summary["marginal_roas"] < summary["roas"]).all()


def test_summary_cell_gives_the_same_numbers_without_mmm_widgets(stored, tmp_path):
    stored.channel_summary().to_pickle(tmp_path / "expected.pkl")
    cell = "\n".join(summary_lines(stored.step("fit").params.hdi_prob))
    assert "mmm_widgets" not in cell
    run_fresh(
        "\n".join(SUMMARY_IMPORTS) + "\n"
        "from pymc_marketing.mmm import MMM\n"
        f"mmm = MMM.load({str(FOLDER / 'weekly_sales' / 'model.nc')!r})\n"
        f"{cell}\n"
        "pd.testing.assert_frame_equal(channel_summary, pd.read_pickle('expected.pkl'), "
        "rtol=1e-9)\n", tmp_path)



def test_a_posterior_summarised_in_slices_of_draws_keeps_every_draws_number(stored,
                                                                           monkeypatch):
    """A large posterior goes through pymc-marketing's incrementality a slice of draws at a
    time (to bound its memory); every draw still gets its own contribution."""
    mmm = stored.step("fit").result.mmm
    posterior = mmm.idata.posterior.to_dataset()
    per_draw = posterior["channel_contribution"].isel(draw=0).size
    # 7 draws a slice: many slices, the last one shorter
    monkeypatch.setattr(fit_step, "SLICE_VALUES", 7 * per_draw)
    assert posterior.sizes["draw"] % 7 != 0
    namespace = {"mmm": mmm}
    exec("\n".join([*SUMMARY_IMPORTS, *summary_lines(0.94)]), namespace)
    contribution = namespace["contribution"].stack(sample=("chain", "draw"))
    with_tail, _ = by_hand(mmm)
    np.testing.assert_allclose(contribution.transpose("sample", "channel").to_numpy(),
                               with_tail, rtol=1e-6)
