"""Channel interactions in the MMM: a known synergy is found, a null pair is not."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import run_fresh

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]
SYNERGY = 40_000.0  # sales added in a week when tv and search both spend their largest


def _with_synergy() -> tuple[pd.DataFrame, float]:
    """The bundled data plus a tv x search interaction of known total size."""
    df = mw.datasets.load("weekly_sales")
    product = (df["tv"] / df["tv"].max()) * (df["search"] / df["search"].max())
    extra = SYNERGY * product
    return df.assign(sales=(df["sales"] + extra).round(2)), float(extra.sum())


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    df, truth = _with_synergy()
    path = tmp_path_factory.mktemp("synergy") / "sales.csv"
    df.to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(date="date", target="sales", channels=CHANNELS,
                controls=["promo", "price_index"])
    wf.configure_model(interactions=[("tv", "search"), ("radio", "social")])
    wf.fit(draws=300, tune=300, chains=2, random_seed=3)
    return wf, truth


def test_known_synergy_is_found_and_null_pair_is_not(fitted):
    wf, truth = fitted
    effects = wf.interaction_effects()
    assert list(effects.index) == ["tv x search", "radio x social"]
    tv_search = effects.loc["tv x search"]
    assert tv_search["contribution_hdi_low"] <= truth <= tv_search["contribution_hdi_high"]
    assert tv_search["verdict"] == "synergy"
    assert tv_search["probability_positive"] > 0.97
    null = effects.loc["radio x social"]
    assert null["contribution_hdi_low"] < 0 < null["contribution_hdi_high"]
    assert null["verdict"] == "no clear effect"


def test_interaction_is_relative_to_the_pairs_own_contribution(fitted):
    wf, _ = fitted
    effects, summary = wf.interaction_effects(), wf.channel_summary()
    pair = summary.loc[["tv", "search"], "contribution"].sum()
    assert effects.at["tv x search", "relative_to_pair"] == pytest.approx(
        effects.at["tv x search", "contribution"] / pair, rel=1e-6)


def test_interaction_regressor_enters_the_code_as_literals(fitted):
    wf, _ = fitted
    code = wf.step_code("model")
    assert "control_columns=['promo', 'price_index', 'tv x search', 'radio x social']" in code
    assert "'tv x search': ('tv', 23548.0, 'search', 11782.7)" in code
    assert "interaction_effects" in wf.step_code("fit")


def test_exported_script_reproduces_interaction_effects(fitted, tmp_path):
    wf, _ = fitted
    wf.interaction_effects().to_pickle(tmp_path / "expected.pkl")
    run_fresh(wf.to_script() + "\npd.testing.assert_frame_equal(interaction_effects, "
              "pd.read_pickle('expected.pkl'), rtol=1e-9)\n", tmp_path)


def test_saved_workflow_keeps_interactions(fitted, tmp_path):
    wf, _ = fitted
    loaded = mw.Workflow.load(wf.save(tmp_path / "saved"))
    assert loaded.step("model").params.interactions == (("tv", "search"), ("radio", "social"))
    pd.testing.assert_frame_equal(loaded.interaction_effects(), wf.interaction_effects())


@pytest.mark.parametrize(("pairs", "message"), [
    ([("tv", "podcast")], "'podcast' is not a mapped channel"),
    ([("tv", "tv")], "not a pair of two channels"),
    ([("tv", "search"), ("search", "tv")], "given twice"),
    ([("tv", "search", "radio")], "not a pair of two channels"),
])
def test_bad_pairs_are_model_errors_and_keep_the_model(weekly, pairs, message):
    wf = mw.Workflow(weekly)
    wf.map_data(date="date", target="sales", channels=CHANNELS)
    wf.configure_model(l_max=4)
    with pytest.raises(mw.ModelError, match=message):
        wf.configure_model(interactions=pairs)
    assert wf.step("model").params.l_max == 4
    assert wf.status("model") == "done"


def test_a_model_without_interactions_says_how_to_add_one():
    wf = mw.datasets.load_fitted()
    with pytest.raises(mw.StepOrderError, match="interactions="):
        wf.interaction_effects()
