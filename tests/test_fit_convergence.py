"""Fit to convergence (#21): real pymc-marketing fits on the bundled data, small draws."""

from __future__ import annotations

import math

import arviz as az
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.convergence import (
    ESS_TARGET,
    MAX_DRAWS,
    R_HAT_RETUNE,
    ConvergenceWatch,
    FitAttempt,
    held_back,
    message,
    next_check,
    next_settings,
)
from mmm_widgets.steps.fit import FitParams, FitStep
from mmm_widgets.steps.monitor import FitMonitor
from mmm_widgets.views.fit import FitView
from tests.conftest import configured_weekly, run_fresh


def _table(rows: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=["r_hat", "ess_bulk", "ess_tail"])


def _free(wf: mw.Workflow) -> list[str]:
    return [v.name for v in wf.mmm.model.free_RVs]


@pytest.fixture(scope="module")
def converged():
    wf = configured_weekly()
    wf.fit(until_converged=True, time_budget=600, random_seed=7)
    return wf


# ----- without fitting ----------------------------------------------------------------
def test_schedule_follows_the_table_alone():
    # ESS short: draws grow by 1.25 x what the smallest ESS lacks, tuning kept
    assert next_settings(500, 500, _table({"a": (1.001, 300.0, 160.0)})) == (1600, 500)
    # nearly there: at least 1.5 times
    assert next_settings(500, 500, _table({"a": (1.001, 390.0, 395.0)})) == (800, 500)
    # chains disagree: tuning doubles, draws at least double
    assert next_settings(500, 300, _table({"a": (1.05, 900.0, 900.0)})) == (1000, 600)
    assert next_settings(MAX_DRAWS, 500, _table({"a": (1.0, 10.0, 10.0)})) is None


def test_checks_follow_the_table_alone():
    # 1.1 x what the smallest ESS lacks: 400 / 200 -> 2.2 x 500 = 1100
    assert next_check(500, _table({"a": (1.001, 300.0, 200.0)})) == 1100
    # nearly there: at least 1.25 times; r-hat missing: at least 1.5 times
    assert next_check(500, _table({"a": (1.001, 395.0, 399.0)})) == 700
    assert next_check(500, _table({"a": (1.02, 900.0, 900.0)})) == 800
    # far off: at most 3 times, and never past the cap
    assert next_check(500, _table({"a": (1.001, 10.0, 10.0)})) == 1500
    assert next_check(MAX_DRAWS - 100, _table({"a": (1.0, 10.0, 10.0)})) == MAX_DRAWS
    assert next_check(MAX_DRAWS, _table({"a": (1.0, 10.0, 10.0)})) is None


def test_held_back_and_message_name_the_worst_and_the_fix():
    table = _table({"intercept": (1.001, 2000.0, 1500.0), "lam[tv]": (1.002, 150.0, 90.0),
                    "beta[tv]": (1.03, 500.0, 450.0)})
    assert list(held_back(table).index) == ["lam[tv]", "beta[tv]"]
    attempt = FitAttempt(draws=100, tune=100, seconds=5.0, sampling_seconds=2.0,
                         converged=False, worst="lam[tv]", r_hat=1.002, ess_bulk=150.0,
                         ess_tail=90.0, held_back=2, outcome="time_budget")
    text = message((attempt,), 2, 10, 5, table)
    assert "lam[tv]" in text and "time budget of 10 s ran out" in text
    assert "What to change: raise time_budget" in text and "draws=400, tune=200" in text
    restored = FitParams.from_dict(FitParams(until_converged=True, attempts=(attempt,))
                                   .to_dict())
    assert restored.attempts == (attempt,)
    # A workflow saved before fit to convergence existed loads as a plain fit
    old = {k: v for k, v in FitParams().to_dict().items()
           if k not in ("until_converged", "time_budget", "max_attempts", "attempts")}
    assert FitParams.from_dict(old) == FitParams()
    assert FitParams.preset("notebook").until_converged
    assert FitParams.preset("publication").until_converged
    assert not FitParams.preset("binder").until_converged


# ----- real fits ------------------------------------------------------------------------
@pytest.mark.fit
def test_watch_stops_at_the_first_check_that_holds_with_a_plain_fit_s_draws():
    """A real nutpie run on a small PyMC model, watched as a fit to convergence is."""
    import numpy as np
    import pymc as pm
    import xarray as xr

    rng = np.random.default_rng(3)
    x = rng.normal(size=100)
    y = 1 + 2 * x + rng.normal(size=100)
    with pm.Model() as model:
        a, b, noise = pm.Normal("a"), pm.Normal("b"), pm.HalfNormal("noise")
        pm.Normal("y", a + b * x, noise, observed=y)
    names = ["a", "b", "noise"]
    settings = {"tune": 100, "chains": 2, "random_seed": 4, "nuts_sampler": "nutpie",
                "progressbar": False}
    monitor = FitMonitor()
    monitor.start(0)
    watch = ConvergenceWatch(names, tune=100, first_check=50, chains=2,
                             deadline=math.inf, may_retune=False)
    with monitor.instrument(watch), model:
        watched = pm.sample(draws=MAX_DRAWS, **settings)
    kept = watched.posterior.sizes["draw"]
    assert watch.stop == "converged" and kept == watch.checks[-1] < MAX_DRAWS
    assert watch.checks[0] == 50 and len(watch.checks) >= 2
    # The draws kept are those of a plain fit asking for that many
    with model:
        plain = pm.sample(draws=kept, **settings)
    xr.testing.assert_equal(watched.posterior.to_dataset()[names],
                            plain.posterior.to_dataset()[names])

    def meets(draws: int) -> bool:
        posterior = plain.posterior.to_dataset()[names].isel(draw=slice(0, draws))
        r_hat = az.rhat(posterior)
        bulk, tail = az.ess(posterior, method="bulk"), az.ess(posterior, method="tail")
        return all(float(r_hat[v]) <= 1.01 and float(bulk[v]) >= ESS_TARGET
                   and float(tail[v]) >= ESS_TARGET for v in names)

    # arviz on the plain fit: met at the check kept, missed at every earlier check
    assert meets(kept)
    assert not any(meets(draws) for draws in watch.checks[:-1])


@pytest.mark.fit
def test_converges_within_budget_and_arviz_agrees(converged):
    result = converged.step("fit").result
    assert result.converged is True and result.stopped == "converged"
    assert result.held_back is not None and result.held_back.empty
    assert result.draws == converged.idata.posterior.sizes["draw"] >= 500
    assert result.draws == converged.step("fit").params.draws
    # Independently of the kit's table: arviz's r-hat and ESS of every free parameter
    posterior = converged.idata.posterior.to_dataset()[_free(converged)]
    r_hat = az.rhat(posterior)
    bulk, tail = az.ess(posterior, method="bulk"), az.ess(posterior, method="tail")
    assert max(float(r_hat[v].max()) for v in posterior.data_vars) <= 1.01
    assert min(float(bulk[v].min()) for v in posterior.data_vars) >= ESS_TARGET
    assert min(float(tail[v].min()) for v in posterior.data_vars) >= ESS_TARGET
    # The worst parameter's reported numbers are arviz's
    worst = result.attempts[-1]
    name, _, label = worst.worst.partition("[")
    pick = {}
    if label:
        dim = next(d for d in posterior[name].dims if d not in ("chain", "draw"))
        labels = [str(c) for c in posterior[name][dim].values]
        pick = {dim: labels.index(label.rstrip("]"))}
    assert float(bulk[name].isel(pick)) == pytest.approx(worst.ess_bulk, rel=1e-6)
    assert float(tail[name].isel(pick)) == pytest.approx(worst.ess_tail, rel=1e-6)
    assert float(r_hat[name].isel(pick)) == pytest.approx(worst.r_hat, rel=1e-6)
    assert "Converged after" in result.message and result.worst_parameter in result.message
    # nutpie ran on from its adapted state: the draws kept are those of the last check
    assert worst.checks[0] == 500 and worst.checks[-1] == result.draws
    assert list(worst.checks) == sorted(set(worst.checks))
    panel = FitView(converged, namespace={})
    assert "Converged after" in panel.card.value and "Attempts" in panel.card.value
    assert ", ".join(str(c) for c in worst.checks) in panel.card.value
    assert "Held back by" not in panel.card.value


@pytest.mark.fit
def test_exported_cell_reproduces_the_final_posterior_in_a_fresh_process(converged, tmp_path):
    params = converged.step("fit").params
    code = converged.step_code("fit")
    assert f"draws={params.draws}, tune={params.tune}" in code
    assert "converged = held_back.empty" in code and "this cell is the last one" in code
    posterior = converged.idata.posterior.to_dataset()[_free(converged)]
    posterior.to_netcdf(tmp_path / "expected.nc")
    script = converged.to_script()
    assert "mmm_widgets" not in script
    run_fresh(script + "\nimport sys\nimport xarray as xr\n"
              "assert not any(n.startswith('mmm_widgets') for n in sys.modules)\n"
              "assert converged\n"
              "expected = xr.open_dataset('expected.nc')\n"
              "posterior = mmm.idata.posterior.to_dataset()[list(expected.data_vars)]\n"
              "xr.testing.assert_allclose(posterior, expected, rtol=1e-9)\n", tmp_path)


@pytest.mark.fit
def test_saved_fit_to_convergence_loads_with_its_attempts(converged, tmp_path):
    converged.save(tmp_path / "saved")
    loaded = mw.Workflow.load(tmp_path / "saved")
    result, before = loaded.step("fit").result, converged.step("fit").result
    assert result.converged is True and result.attempts == before.attempts
    assert loaded.to_script() == converged.to_script()


@pytest.mark.fit
def test_cannot_converge_within_budget_says_what_to_change():
    wf = configured_weekly()
    wf.fit(until_converged=True, draws=40, tune=40, max_attempts=1, random_seed=7)
    result = wf.step("fit").result
    assert result.converged is False and result.stopped == "max_attempts"
    # The chains ran on from 40 draws and still disagreed once the draws had doubled:
    # with no other attempt allowed, the fit keeps the draws of its last check.
    (attempt,) = result.attempts
    assert attempt.checks[0] == 40 and attempt.checks[-1] >= 80
    assert wf.idata.posterior.sizes["draw"] == attempt.draws == attempt.checks[-1]
    posterior = wf.idata.posterior.to_dataset()[_free(wf)]
    assert max(float(az.rhat(posterior)[v].max()) for v in posterior.data_vars) > R_HAT_RETUNE
    assert result.worst_parameter == result.held_back.index[0]
    assert f"the worst is {result.worst_parameter}" in result.message
    assert "What to change: raise max_attempts" in result.message
    assert "converged = held_back.empty" in wf.step_code("fit")
    card = FitView(wf, namespace={}).card.value
    assert "Held back by" in card and "What to change: raise max_attempts" in card
    wf.fit(until_converged=True, draws=40, tune=40, time_budget=0.5, random_seed=7)
    result = wf.step("fit").result
    assert result.converged is False and result.stopped == "time_budget"
    assert result.attempts[-1].checks == (40,) and wf.idata.posterior.sizes["draw"] == 40
    assert "What to change: raise time_budget" in result.message
    with pytest.raises(mw.ModelError, match="until_converged needs at least 2 chains"):
        wf.fit(until_converged=True, chains=1)
    with pytest.raises(mw.ModelError, match="time_budget must be"):
        wf.fit(until_converged=True, time_budget=0)
    assert FitStep(FitParams(until_converged=True), wf.step("model")).checks_convergence
