"""Numbers shown outside any step are exported once shown, and dropped when they go stale."""

from __future__ import annotations

import pandas as pd

import mmm_widgets as mw
from mmm_widgets.codegen import CodeChunk
from mmm_widgets.engine.shown import Shown, ShownNumbers


def _mapped(weekly: pd.DataFrame) -> mw.Workflow:
    wf = mw.Workflow(weekly.rename(columns={"date": "Week", "sales": "Net Revenue (EUR)"}))
    wf.map_data(date="Week", target="Net Revenue (EUR)", channels=["tv", "search"])
    wf.configure_model(l_max=4, yearly_seasonality=None)
    return wf


def test_the_prior_check_follows_the_model_cell_until_the_model_changes(weekly):
    wf = _mapped(weekly)
    assert "prior_y" not in wf.to_script()
    wf.prior_check(samples=20, random_seed=3)
    script = wf.to_script()
    model_cell = wf.step("model").code().body()
    # Right after the model's cell, before anything a later step adds.
    assert script.index("random_seed=3") > script.index(model_cell)
    assert "random_seed=3" in wf.step_code("model")
    wf.configure_model(l_max=3, yearly_seasonality=None)
    assert "prior_y" not in wf.to_script()
    assert "prior_y" not in wf.step_code("model")


def test_a_new_data_mapping_drops_what_the_old_one_showed(weekly):
    wf = _mapped(weekly)
    wf.prior_check(samples=20)
    wf.map_data(date="Week", target="Net Revenue (EUR)", channels=["tv", "radio"])
    assert "prior_y" not in wf.to_script()


def test_showing_again_keeps_only_the_latest_chunk_of_a_kind():
    shown = ShownNumbers()
    first = CodeChunk("first", ("a = 1",))
    second = CodeChunk("second", ("a = 2",))
    other = CodeChunk("other", ("b = 1",))
    shown.record(Shown("curves", first, ("fit",)))
    shown.record(Shown("what_if", other, ("budget",)))
    shown.record(Shown("curves", second, ("fit",)))
    assert shown.after(None) == [other, second]
    # A change of the budget step leaves what read the fit only.
    shown.changed("budget")
    assert shown.after(None) == [second]
    # Re-running the model makes everything that read the fit stale.
    shown.changed("model")
    assert len(shown) == 0
    # A preview of a step's numbers goes once the step itself runs.
    shown.record(Shown("preview", first, ("fit",), superseded_by="overview"))
    shown.changed("diagnostics")
    assert shown.after(None) == [first]
    shown.changed("overview")
    assert len(shown) == 0
