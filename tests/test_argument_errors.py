"""Bad arguments to the fit and the response curves are reported as mmm_widgets errors
that say what to enter, before anything runs: each problem once, with an example of
the setting it is about."""

from __future__ import annotations

import pytest

import mmm_widgets as mw


@pytest.fixture
def configured() -> mw.Workflow:
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=["tv", "radio", "search"])
    wf.configure_model()
    return wf


CURVE_POINTS_FIX = "Use e.g. 100."
THRESHOLD_FIX = "Use 1.0 (a unit of spend returns a unit of outcome)."


@pytest.mark.parametrize(("points", "threshold", "bad", "fix"), [
    (1, 1.0, 1, CURVE_POINTS_FIX), (2.5, 1.0, 2.5, CURVE_POINTS_FIX),
    (True, 1.0, True, CURVE_POINTS_FIX), (100, 0.0, 0.0, THRESHOLD_FIX),
    (100, float("nan"), float("nan"), THRESHOLD_FIX), (100, "one", "one", THRESHOLD_FIX)])
def test_response_curves_with_too_few_points_or_no_threshold_say_what_to_enter(
        configured, points, threshold, bad, fix):
    with pytest.raises(mw.ModelError) as raised:
        configured.response_curves(threshold=threshold, points=points)
    [found] = raised.value.problems
    assert f"not {bad!r}." in found.what
    assert found.fix == fix


@pytest.mark.fit  # raised before any fit, but through wf.fit
@pytest.mark.parametrize(("setting", "example"), [("draws", "Set draws to e.g. 500."),
                                                  ("tune", "Set tune to e.g. 500."),
                                                  ("chains", "Set chains to e.g. 2.")])
def test_each_sampler_count_gets_an_example_of_its_own(configured, setting, example):
    with pytest.raises(mw.ModelError) as raised:
        configured.fit("mcmc", until_converged=False, **{setting: -1})
    assert [p.fix for p in raised.value.problems] == [example]


@pytest.mark.fit  # raised before any fit, but through wf.fit
def test_an_unknown_method_is_one_problem_not_two(configured):
    with pytest.raises(mw.ModelError) as raised:
        configured.fit("nuts")
    assert [p.what for p in raised.value.problems] == ["Unknown method 'nuts'."]


@pytest.mark.fit
def test_diagnostics_without_prior_draws_say_how_many_to_take(configured):
    configured.fit("map")
    with pytest.raises(mw.ModelError) as raised:
        configured.diagnostics(prior_draws=0)
    assert [p.fix for p in raised.value.problems] == ["Set prior_draws to e.g. 500."]


@pytest.mark.fit
def test_a_map_fit_pulled_onto_a_priors_edge_says_which_prior_would_do(configured):
    # Beta(0.1, 4.3): the density is highest at alpha = 0, where the adstock is undefined
    configured.configure_model(priors={"adstock_alpha": {"dist": "Beta",
                                                         "kwargs": {"alpha": 0.1, "beta": 4.3}}})
    with pytest.raises(mw.FitError) as raised:
        configured.fit("map")
    [found] = raised.value.problems
    assert "onto the edge of its range (0 < alpha <= 1)" in found.what
    assert "Beta(1, 3)" in found.fix and "method='mcmc'" in found.fix
    configured.configure_model()  # the default priors fit
    configured.fit("map")
    assert configured.status("fit") == "done"
