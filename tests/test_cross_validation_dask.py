"""Cross-validation with its folds as tasks on a real local Dask cluster (#20)."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.engine.cluster import local_client
from tests.conformance.tables import TableSpec, table

pytestmark = pytest.mark.fit

TABLE = TableSpec(seed=9, date_name="week_start", target_name="revenue", periods=70,
                  n_channels=3, channel_scheme="suffix_s", event_control=True)


def test_folds_on_dask_give_the_numbers_of_folds_fitted_in_turn(tmp_path):
    path = tmp_path / "renamed.csv"
    table(TABLE).to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(**{role: value for role, value in TABLE.roles.items() if value})
    wf.configure_model(l_max=4)
    wf.fit("map")
    in_turn = wf.cross_validate(folds=2, horizon=8)
    on_dask = wf.cross_validate(folds=2, horizon=8, client=local_client(2))
    pd.testing.assert_frame_equal(on_dask["per_fold"], in_turn["per_fold"], rtol=1e-9)
    pd.testing.assert_frame_equal(on_dask["frame"], in_turn["frame"], rtol=1e-9)
    assert on_dask["frame"]["fold"].value_counts().to_dict() == {1: 8, 2: 8}
    # The cell submits the loop's body per fold (the same lines the loop runs, replayed
    # in test_cross_validation; the Dask submission is replayed in test_search).
    script = wf.to_script()
    assert "cv_client.submit(cv_fold_run" in script and "mmm_widgets" not in script
