"""``mw.fit_many``: one specification, many tables, as tasks on a real local Dask cluster."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.many import fit_one
from tests.conformance.tables import TableSpec, table

pytestmark = pytest.mark.fit

BRAND_A = TableSpec(seed=21, date_name="Week", target_name="Sales $", periods=70,
                    n_channels=2, channel_scheme="spend_prefix", event_control=True)
BRAND_B = TableSpec(seed=22, date_name="Week", target_name="Sales $", periods=60,
                    n_channels=3, channel_scheme="spend_prefix", zero_runs=True)


def test_each_table_is_fitted_on_the_cluster_and_a_broken_one_is_reported():
    broken = table(BRAND_A).assign(**{"Sales $": "n/a"})
    summary = mw.fit_many({"brand a": table(BRAND_A), "brand_b": table(BRAND_B),
                           "broken": broken}, roles={"date": "Week", "target": "Sales $"},
                          method="map", l_max=4, workers=2)
    assert summary.index.names == ["name", "channel"]
    assert sorted(summary.index.get_level_values("name").unique()) == ["brand a", "brand_b"]
    assert list(summary.loc["brand_b"].index) == BRAND_B.channel_names
    assert set(summary.attrs["errors"]) == {"broken"}
    assert "Sales $" in summary.attrs["errors"]["broken"]
    # The same fit in this process, one table at a time, gives the same numbers.
    alone, script = fit_one("brand a", table(BRAND_A), {"date": "Week", "target": "Sales $"},
                            {"l_max": 4}, {"method": "map"})
    pd.testing.assert_frame_equal(summary.loc["brand a"], alone, rtol=1e-9)
    assert summary.attrs["scripts"]["brand a"] == script
    assert "mmm_widgets" not in script and "table_brand_a" in script


def test_fit_many_refuses_what_is_not_a_dict_of_tables():
    with pytest.raises(mw.DataError, match="dict of names to DataFrames"):
        mw.fit_many([table(BRAND_A)])


def test_a_table_without_a_recognisable_target_names_the_role_to_pass():
    text_target = table(BRAND_A).assign(**{"Sales $": "n/a"})
    with pytest.raises(mw.DataError, match=r"no column was recognised as the target"):
        fit_one("broken", text_target, None, {}, {"method": "map"})
