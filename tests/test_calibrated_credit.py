"""MMM-calibrated credit per campaign: each channel's MMM contribution over its campaigns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import run_fresh

pytestmark = pytest.mark.fit

CHANNEL_MAP = {"Search brand": "search", "Search generic": "search", "Paid Social": "social",
               "Display": "display"}


@pytest.fixture(scope="module")
def compared():
    journeys = mw.datasets.load("journeys")
    search = journeys["channel"] == "Paid Search"
    campaign = np.where(journeys["user_id"] % 3 == 0, "Search brand", "Search generic")
    campaigns = journeys.assign(channel=journeys["channel"].where(~search, campaign))
    wf = mw.datasets.load_fitted()
    wf.attribution(campaigns, channel_map=CHANNEL_MAP, models=["linear", "markov"],
                   name="campaigns")
    return wf, campaigns


def test_campaigns_of_a_channel_add_up_to_its_mmm_contribution(compared):
    wf, _ = compared
    result = wf.attribution_result
    calibrated, table = result.calibrated, result.table
    assert set(calibrated["method"]) == {"linear", "markov"}
    assert set(calibrated["label"]) == set(CHANNEL_MAP)
    sums = calibrated.groupby(["method", "channel"])["incremental"].sum()
    for method in ("linear", "markov"):
        for channel in ("search", "social", "display"):
            assert sums[(method, channel)] == pytest.approx(table.at[channel, "mmm_incremental"])
    search = calibrated[(calibrated["channel"] == "search") & (calibrated["method"] == "linear")]
    credit = result.credit.loc[["Search brand", "Search generic"], "linear"]
    expected = credit / credit.sum()
    np.testing.assert_allclose(search.set_index("label")["fraction"].loc[expected.index],
                               expected.to_numpy())
    assert (calibrated["incremental_hdi_low"] <= calibrated["incremental"]).all()
    assert (calibrated["incremental"] <= calibrated["incremental_hdi_high"]).all()
    # Labels the map leaves out (direct, e-mail) get no calibrated credit.
    assert not {"Direct", "Email"} & set(calibrated["label"])


def test_exported_cell_computes_the_calibrated_table(compared, tmp_path):
    wf, campaigns = compared
    campaigns.to_pickle(tmp_path / "campaigns.pkl")
    wf.attribution_result.calibrated.to_pickle(tmp_path / "expected.pkl")
    run_fresh("import pandas as pd\ncampaigns = pd.read_pickle('campaigns.pkl')\n"
              + wf.to_script() + "\npd.testing.assert_frame_equal(calibrated, "
              "pd.read_pickle('expected.pkl'), rtol=1e-9)\n", tmp_path)
    assert isinstance(wf.attribution_result.calibrated, pd.DataFrame)


def test_panel_shows_campaigns_only_when_labels_are_finer_than_channels(compared):
    from mmm_widgets.views.attribution import calibrated_html

    wf, _ = compared
    text = calibrated_html(wf.attribution_result.calibrated)
    assert "Search brand" in text and "Search generic" in text and "MMM-calibrated" in text
    one_each = wf.attribution_result.calibrated.query("label != 'Search brand'")
    assert calibrated_html(one_each) == ""
