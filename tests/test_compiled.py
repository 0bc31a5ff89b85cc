"""Reusing nutpie's compiled model between fits of the same model (real fits, small draws)."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from mmm_widgets.steps import compiled
from tests.conftest import configured_weekly, run_fresh

pytestmark = pytest.mark.fit

DRAWS = dict(draws=60, tune=60, chains=2)


@pytest.fixture
def compile_calls(monkeypatch):
    """Count the compiles that reach nutpie (not answered from memory)."""
    compiled.clear()
    calls = []
    reuse = compiled.compile_model

    def counting(compile_, model, **options):
        def counted(*args, **kwargs):
            calls.append(options)
            return compile_(*args, **kwargs)
        return reuse(counted, model, **options)

    monkeypatch.setattr(compiled, "compile_model", counting)
    yield calls
    compiled.clear()


def test_refit_of_same_model_skips_compile_and_draws_identically(compile_calls, tmp_path):
    wf = configured_weekly()
    wf.fit(**DRAWS, random_seed=5)
    first = wf.idata.posterior.to_dataset().copy(deep=True)
    wf.fit(**DRAWS, random_seed=6)
    assert len(compile_calls) == 1
    assert not first["saturation_beta"].equals(wf.idata.posterior["saturation_beta"])
    # Sampling the chains one after the other (one core) draws the same numbers.
    wf.fit(**DRAWS, random_seed=5, cores=1)
    assert "cores=1" in wf.step_code("fit")
    assert len(compile_calls) == 1
    # Values and coordinates; the attributes hold the time of sampling.
    xr.testing.assert_equal(first, wf.idata.posterior.to_dataset())
    # A fresh kernel compiles anew and still gets the same numbers.
    wf.channel_summary().to_pickle(tmp_path / "expected.pkl")
    run_fresh(wf.to_script() + "\npd.testing.assert_frame_equal(channel_summary, "
              "pd.read_pickle('expected.pkl'), rtol=1e-9)\n", tmp_path)


def test_changed_data_or_model_compiles_again(compile_calls):
    wf = configured_weekly()
    wf.fit(**DRAWS, random_seed=1)
    wf.configure_model(l_max=6)
    wf.fit(**DRAWS, random_seed=1)
    assert len(compile_calls) == 2
    # PyMC's own sampler never compiles through nutpie (a few draws show it: PyMC's
    # Python NUTS takes seconds per hundred draws of this model).
    wf.fit(draws=10, tune=10, chains=2, random_seed=1, sampler="pymc")
    assert wf.step("fit").params.sampler == "pymc"
    assert len(compile_calls) == 2


def test_model_key_follows_every_value_of_the_data():
    X = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=4, freq="W"),
                      "tv": [1.0, 2.0, 3.0, 4.0]})
    y = pd.Series([10.0, 11.0, 12.0, 13.0], name="sales")
    key = compiled.model_key("cell", X, y)
    assert compiled.model_key("cell", X.copy(), y.copy()) == key
    assert compiled.model_key("cell 2", X, y) != key
    changed = X.copy()
    changed.loc[2, "tv"] = np.nextafter(3.0, 4.0)
    assert compiled.model_key("cell", changed, y) != key
    assert compiled.model_key("cell", X.rename(columns={"tv": "radio"}), y) != key
    assert compiled.model_key("cell", X, y.rename("revenue")) != key
    assert compiled.model_key("cell", X, y.to_numpy()) != key


def test_reuse_is_per_thread_and_ends_with_the_block():
    seen = []
    with compiled.reusing_compiled("some key"):
        worker = threading.Thread(target=lambda: seen.append(
            getattr(compiled._active, "key", None)))
        worker.start()
        worker.join()
        seen.append(compiled._active.key)
    assert seen == [None, "some key"]
    assert compiled._active.key is None
