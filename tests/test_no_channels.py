"""A table whose media columns are not named as spend: the problem names the columns to map.

The generated tables' spend columns are renamed as a buyer's sheet names them (after the
people who book them, or by a code), so no channel is suggested; the expected columns are
the renamed ones, known from the generator, never read back from the kit's output.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.no_channels import LISTED
from tests.conformance.tables import TableSpec, table

PEOPLE = ("alex", "fiona", "jack", "laura", "marc", "mary", "tom", "lisa", "nora", "omar")
CODES = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10")
VARIATIONS = [
    (TableSpec(seed=1), PEOPLE),
    (TableSpec(seed=2, date_name="week_start", date_format="dmy", week_start="SUN",
               target_name="Net Revenue (EUR)", continuous_control=True, trend_control=True),
     CODES),
    (TableSpec(seed=3, frequency="D", periods=400, date_name="DATE", event_control=True,
               zero_runs=True, n_channels=4), PEOPLE),
    (TableSpec(seed=4, geos=3, geo_name="region", n_channels=5), CODES),
    (TableSpec(seed=5, n_channels=10, continuous_control=True), PEOPLE),
]


def _renamed(spec: TableSpec, names: tuple[str, ...]) -> tuple[pd.DataFrame, list[str]]:
    frame = table(spec)
    renamed = dict(zip(spec.channel_names, names, strict=False))
    return frame.rename(columns=renamed), list(renamed.values())


def _no_channels_fix(frame: pd.DataFrame, mapping: dict) -> str:
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(frame).map_data(**mapping)
    [none] = [p for p in info.value.problems if p.what == "No spend channels are mapped."]
    return none.fix


@pytest.mark.parametrize(("spec", "names"), VARIATIONS,
                         ids=lambda v: v.date_name if isinstance(v, TableSpec) else v[0])
def test_media_columns_named_otherwise_are_listed_when_no_channel_is_mapped(spec, names):
    """Neither the date, the target, the geo, a control, a year nor a flag is listed: only
    the renamed spend columns, in the table's order (eight, then how many more)."""
    frame, media = _renamed(spec, names)
    frame["YEAR"] = 2024  # a year column left without a role is not spend
    mapping = {**spec.roles, "channels": []}
    suggested = mw.Workflow(frame).suggest_mapping()
    assert not set(suggested["channels"]) & set(media)
    fix = _no_channels_fix(frame, mapping)
    shown = ", ".join(repr(c) for c in media[:LISTED])
    more = f" and {len(media) - LISTED} more" if len(media) > LISTED else ""
    assert f"these hold amounts and have no role: {shown}{more}. Map those" in fix
    for other in [spec.date_name, spec.target_name, "YEAR", *spec.control_names]:
        assert repr(other) not in fix


def test_a_column_below_zero_or_the_same_on_every_row_is_not_listed():
    """Spend is never below 0; a column that never moves cannot be modelled as one."""
    frame, _media = _renamed(TableSpec(seed=6, n_channels=3), PEOPLE)
    frame["margin"] = np.linspace(-1.0, 1.0, len(frame))
    frame["budget_cap"] = 5000.0
    fix = _no_channels_fix(frame, {**TableSpec(seed=6).roles, "channels": []})
    assert "'alex', 'fiona', 'jack'. Map those" in fix
    assert "margin" not in fix and "budget_cap" not in fix


def test_without_columns_of_amounts_the_fix_only_asks_for_a_channel():
    spec = TableSpec(seed=7, n_channels=2)
    frame = table(spec).drop(columns=spec.channel_names)
    spend = dataclasses.replace(spec, n_channels=0)
    assert _no_channels_fix(frame, {**spend.roles, "channels": []}) == (
        "Pick at least one column of media spend as a channel.")
