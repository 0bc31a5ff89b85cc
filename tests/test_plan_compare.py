"""Named plans side by side (#19): mw.compare_plans against the current spend, per draw.

The current plan's draws are checked against a plan whose bounds pin every channel at its
current spend (evaluated by the plan's own optimizer), and the table against means, HDIs
and shares of draws computed here from ``plan.draws`` / ``plan.current_draws`` with numpy
and arviz, not from the comparison cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.plan import SCORES
from mmm_widgets.steps.plan.compare import COMPARISON_COLUMNS
from tests.conftest import run_fresh

pytestmark = pytest.mark.fit

CHANNELS = ["tv", "radio", "search", "social", "display"]
LEVEL = 0.9


@pytest.fixture(scope="module")
def fitted() -> mw.Workflow:
    """The bundled national fit: 2 chains x 100 draws."""
    return mw.datasets.load_fitted()


@pytest.fixture(scope="module")
def plans(fitted) -> dict:
    """An even and a front-loaded plan of the current spend, and a bigger even one."""
    even = fitted.plan_budget(periods=13)
    front = fitted.plan_budget(periods=13, pattern="front")
    bigger = fitted.plan_budget(1.2 * even.total, periods=13)
    return {"even": even, "front": front, "bigger": bigger}


def _hdi(values: np.ndarray, prob: float) -> tuple[float, float]:
    """The narrowest interval holding ``floor(prob * n)`` steps of the sorted draws."""
    ordered = np.sort(values)
    steps = int(np.floor(prob * len(ordered)))
    widths = ordered[steps:] - ordered[:len(ordered) - steps]
    start = int(np.argmin(widths))
    return float(ordered[start]), float(ordered[start + steps])


def _added(draws) -> np.ndarray:
    """Per draw: what a plan adds inside the window and after it, every channel together."""
    return (draws["in_window"] + draws["carry_over"]).sum("channel").to_numpy()


def test_the_current_plan_is_the_run_rate_spent_evenly(fitted, plans):
    even = plans["even"]
    current = even.allocation["current"]
    pinned = fitted.plan_budget(float(current.sum()), periods=13, bounds={
        c: (v * (1 - 1e-9), v * (1 + 1e-9)) for c, v in current.items()})
    np.testing.assert_allclose(pinned.allocation["optimized"], current, rtol=1e-6)
    # The plan at the current spend, evaluated by its own optimizer, is the current plan.
    for part in ("carry_in", "in_window", "carry_over", "total"):
        np.testing.assert_allclose(pinned.draws[part].transpose("sample", "channel"),
                                   even.current_draws[part].transpose("sample", "channel"),
                                   rtol=1e-5, err_msg=part)
    # A front-loaded plan evaluates the current spend with an even optimizer of its own:
    # the same draws.
    for part in ("carry_in", "in_window", "carry_over", "total"):
        np.testing.assert_allclose(plans["front"].current_draws[part],
                                   even.current_draws[part], rtol=1e-9, err_msg=part)
    scores = even.scores
    assert list(scores.data_vars) == list(SCORES)
    assert float(scores["current_spend"]) == pytest.approx(float(current.sum()), rel=1e-12)
    np.testing.assert_allclose(scores["current_effect"], _added(pinned.draws), rtol=1e-5)
    # The current outcome over the window is the pinned plan's forecast, summed.
    assert float(scores["current_outcome"].mean()) == pytest.approx(
        float(pinned.forecast["predicted"].sum()), rel=1e-5)


def test_compare_plans_gives_hdis_and_the_chance_of_beating_the_current_plan(plans):
    table = mw.compare_plans(plans, hdi_prob=LEVEL)
    assert list(table.columns) == list(COMPARISON_COLUMNS)
    assert list(table.index) == ["current", "even", "front", "bigger"]
    current = _added(plans["even"].current_draws)
    for name, plan in [("current", None), *plans.items()]:
        row = table.loc[name]
        effect = current if plan is None else _added(plan.draws)
        spend = (plans["even"].allocation["current"].sum() if plan is None
                 else plan.allocation["optimized"].sum())
        assert row["total_spend"] == pytest.approx(spend, rel=1e-12)
        assert row["effect"] == pytest.approx(effect.mean(), rel=1e-9)
        low, high = _hdi(effect, LEVEL)
        assert (row["effect_hdi_low"], row["effect_hdi_high"]) == pytest.approx((low, high),
                                                                                 rel=1e-9)
        assert row["roas"] == pytest.approx(effect.mean() / spend, rel=1e-9)
        gain = effect - current
        assert row["gain"] == pytest.approx(gain.mean(), abs=1e-6)
        low, high = _hdi(gain, LEVEL) if plan is not None else (0.0, 0.0)
        assert (row["gain_hdi_low"], row["gain_hdi_high"]) == pytest.approx((low, high),
                                                                             abs=1e-6)
        if plan is None:
            assert np.isnan(row["p_beats_current"])
            continue
        # The outcome over the window: its mean is the forecast's, summed over periods.
        assert row["outcome"] == pytest.approx(plan.forecast["predicted"].sum(), rel=1e-9)
        assert row["p_beats_current"] == pytest.approx(float(np.mean(effect > current)))
    # An interval of a difference is not the difference of intervals.
    even = table.loc["even"]
    assert even["gain_hdi_low"] != pytest.approx(even["effect_hdi_low"]
                                                 - table.loc["current", "effect_hdi_low"])
    # The optimizer's even plan adds at least as much as the current split, on average.
    assert table.loc["even", "gain"] > 0
    assert table.loc["bigger", "effect"] > table.loc["even", "effect"]


def test_compare_plans_refuses_plans_it_cannot_compare(fitted, plans):
    with pytest.raises(DataError, match="dictionary of named plans"):
        mw.compare_plans({})
    with pytest.raises(DataError, match=r"plans\['x'\] is not a plan"):
        mw.compare_plans({"x": plans["even"].allocation})
    with pytest.raises(DataError, match="named 'current'"):
        mw.compare_plans({"current": plans["even"]})
    later = pd.Timestamp(plans["even"].window[0]) + pd.Timedelta(weeks=2)
    moved = fitted.plan_budget(periods=13, start=later.date().isoformat())
    with pytest.raises(DataError, match="same start and periods"):
        mw.compare_plans({"even": plans["even"], "moved": moved})


def test_the_comparison_replays_from_the_exported_plan_cells(fitted, plans, tmp_path):
    named = {"front": plans["front"], "even": plans["even"]}
    table = mw.compare_plans(named)
    table.to_pickle(tmp_path / "table.pkl")
    code = table.attrs["code"]
    assert all(plan.code in code for plan in named.values())
    assert "mmm_widgets" not in code
    run_fresh(fitted.to_script() + "\n" + code + "\n"
              "import sys\n"
              "assert not any(name.startswith('mmm_widgets') for name in sys.modules)\n"
              "pd.testing.assert_frame_equal(plan_comparison, pd.read_pickle('table.pkl'), "
              "rtol=1e-6)\n", tmp_path)


@pytest.fixture(scope="module")
def geo(tmp_path_factory) -> mw.Workflow:
    """A small MAP fit of the geo table."""
    path = tmp_path_factory.mktemp("geo") / "geo_compare.csv"
    mw.datasets.load("geo_sales").to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(**wf.suggest_mapping())
    wf.configure_model(l_max=4)
    wf.fit("map")
    return wf


def test_geo_plans_compare_against_the_current_spend_of_every_cell(geo):
    even = geo.plan_budget(periods=13)
    front = geo.plan_budget(periods=13, pattern="front")
    current = even.allocation["current"]
    pinned = geo.plan_budget(float(current.sum()), periods=13, bounds={
        cell: (v * (1 - 1e-9), v * (1 + 1e-9)) for cell, v in current.items() if v > 0})
    dims = ["channel", "geo"]
    np.testing.assert_allclose(
        even.scores["current_effect"],
        (pinned.draws["in_window"] + pinned.draws["carry_over"]).sum(dims), rtol=1e-5)
    for part in ("carry_in", "in_window", "carry_over", "total"):
        np.testing.assert_allclose(front.current_draws[part], even.current_draws[part],
                                   rtol=1e-9, err_msg=part)
    table = mw.compare_plans({"even": even, "front": front})
    base = (even.current_draws["in_window"] + even.current_draws["carry_over"]).sum(dims)
    for name, plan in (("even", even), ("front", front)):
        effect = (plan.draws["in_window"] + plan.draws["carry_over"]).sum(dims).to_numpy()
        assert table.at[name, "effect"] == pytest.approx(effect.mean(), rel=1e-9)
        assert table.at[name, "p_beats_current"] == pytest.approx(
            float(np.mean(effect > base.to_numpy())))
        assert table.at[name, "outcome"] == pytest.approx(plan.forecast["predicted"].sum(),
                                                          rel=1e-9)
    assert table.at["current", "total_spend"] == pytest.approx(current.sum(), rel=1e-12)
