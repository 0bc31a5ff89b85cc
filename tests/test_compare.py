"""Model against model: PSIS-LOO, fit error, holdout error and ROAS side by side, and the
exported script that gives the same table without mmm_widgets."""

from __future__ import annotations

import ast
import textwrap

import arviz as az
import numpy as np
import pytest

import mmm_widgets as mw
from mmm_widgets.codegen import literal
from mmm_widgets.steps.compare import log_likelihood_tree
from tests.conftest import run_fresh

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]
# A label that would end a string and import a module if it were pasted into the code.
HOSTILE = 'x"); import os #'


def _fitted(adstock: str, **fit) -> mw.Workflow:
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=CHANNELS, controls=["promo", "price_index"])
    wf.configure_model(adstock=adstock)
    wf.fit(**fit)
    return wf


@pytest.fixture(scope="module")
def geometric() -> mw.Workflow:
    return _fitted("geometric", draws=200, tune=200, chains=2, random_seed=1)


@pytest.fixture(scope="module")
def weibull() -> mw.Workflow:
    return _fitted("weibull_pdf", draws=200, tune=200, chains=2, random_seed=1)


@pytest.fixture(scope="module")
def map_preview() -> tuple[mw.Workflow, dict]:
    """A MAP fit with its holdout run (the cheapest model with a holdout MAPE)."""
    wf = _fitted("geometric", method="map")
    return wf, wf.holdout(periods=13)


def test_two_posteriors_side_by_side(geometric, weibull):
    groups = set(geometric.idata.children)
    table = mw.compare_models({"weibull": weibull, "geometric": geometric})
    assert set(table.index) == {"weibull", "geometric"}
    assert table.loc["weibull", "adstock"] == "weibull_pdf"
    best, other = table.index
    assert table.loc[best, "elpd_loo"] >= table.loc[other, "elpd_loo"]
    assert table.loc[best, "elpd_diff"] == 0.0
    assert table.loc[other, "elpd_diff"] == pytest.approx(
        table.loc[other, "elpd_loo"] - table.loc[best, "elpd_loo"])
    assert table["weight"].sum() == pytest.approx(1.0)
    assert (table["elpd_se"] > 0).all() and (table["p_loo"] > 0).all()
    expected = az.loo(log_likelihood_tree(geometric.mmm))
    assert table.loc["geometric", "elpd_loo"] == pytest.approx(float(expected.elpd))
    for channel in CHANNELS:
        assert table.loc["geometric", f"roas_{channel}"] == pytest.approx(
            geometric.channel_summary().loc[channel, "roas"])
    assert (table["mape"] < 0.1).all()
    assert "holdout_mape" not in table.columns
    assert any("wf.holdout()" in note for note in table.attrs["notes"])
    # The log-likelihood is computed aside: the fitted models are left as they were.
    assert set(geometric.idata.children) == groups


def test_map_fit_has_no_elpd_but_holdout_error(geometric, map_preview):
    preview, holdout = map_preview
    table = mw.compare_models([preview, geometric])
    assert list(table.index) == ["model_1", "model_2"]
    assert np.isnan(table.loc["model_1", "elpd_loo"])
    assert table.loc["model_1", "holdout_mape"] == pytest.approx(holdout["mape"])
    assert np.isnan(table.loc["model_2", "holdout_mape"])
    assert table.loc["model_1", "method"] == "map"
    assert any("MAP" in note for note in table.attrs["notes"])


def test_unfitted_workflow_is_a_step_order_error():
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=CHANNELS)
    wf.configure_model()
    with pytest.raises(mw.StepOrderError, match="'draft' has not been fitted"):
        mw.compare_models({"draft": wf})


def test_exported_script_gives_the_same_table_without_the_kit(geometric, weibull, map_preview,
                                                              tmp_path):
    preview, _ = map_preview
    workflows = {"geometric": geometric, HOSTILE: preview, "weibull": weibull}
    table = mw.compare_models(workflows)
    assert set(table.index) == set(workflows)
    assert table.loc[HOSTILE, "holdout_mape"] == pytest.approx(map_preview[1]["mape"])
    assert table["weight"].notna().sum() == 2
    script = table.attrs["code"]
    assert script == mw.compare_models_script(workflows)
    assert "mmm_widgets" not in script
    # Each model's own script, then what it bound kept under its label.
    for label in workflows:
        assert script.count(f"models[{literal(label)}] = mmm\n") == 1
    assert f"holdouts[{literal(HOSTILE)}] = holdout_mape" in script
    assert "holdouts['geometric']" not in script
    expected = table.copy()
    expected.attrs = {}
    expected.to_pickle(tmp_path / "expected.pkl")
    check = textwrap.dedent("""
        import sys
        assert not any(name.startswith('mmm_widgets') for name in sys.modules)
        pd.testing.assert_frame_equal(model_comparison, pd.read_pickle('expected.pkl'),
                                      rtol=1e-6)
        print(repr(model_comparison.attrs['notes']))
    """)
    out = run_fresh(script + check, tmp_path)
    assert ast.literal_eval(out.strip().splitlines()[-1]) == table.attrs["notes"]


def test_a_hostile_label_enters_the_code_only_as_a_literal(map_preview):
    preview, _ = map_preview
    table = mw.compare_models({HOSTILE: preview})
    assert list(table.index) == [HOSTILE]
    script = table.attrs["code"]
    tree = ast.parse(script)
    compile(tree, "comparison.py", "exec")
    # Every occurrence of the label is inside its repr, and it imported nothing.
    assert script.count(HOSTILE) == script.count(literal(HOSTILE)) > 0
    assert not any(isinstance(node, ast.Import) and any(a.name == "os" for a in node.names)
                   for node in ast.walk(tree))
    assert HOSTILE in {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
