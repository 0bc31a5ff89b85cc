"""A table of one measure per row (``date, [geo,] metric, value``, as warehouse models keep
them) gets no roles suggested, and mapping it stops with one problem whose line gives each
measure its column: the table that line makes maps to the same frame as the wide table
it came from. Generated tables of each naming scheme, national and geo, weekly, monthly
and daily."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.measure_rows import find_measure_rows
from tests.conformance.tables import spec, table
from tests.conftest import run_fix

#: Generated tables with numbers as numbers and no text control (whose column a measure
#: table keeps beside its keys): national and geo, weekly, monthly and daily.
SEEDS = (0, 2, 14, 20, 22, 24, 31, 37, 44, 45)
NAMES = (("metric", "value"), ("KPI", "Amount"), ("variable", "value"))


def _measure_rows(seed: int) -> tuple:
    """The generated wide table, its spec, and the same figures one measure per row."""
    variation = spec(seed)
    wide = table(variation)
    keys = [variation.roles["date"], *([variation.roles["geo"]] if variation.geos else [])]
    measure, value = NAMES[seed % len(NAMES)]
    long = wide.melt(id_vars=keys, var_name=measure, value_name=value)
    return variation, wide, long.sample(frac=1.0, random_state=seed)  # rows in any order


@pytest.mark.parametrize("seed", SEEDS)
def test_a_table_of_measure_rows_maps_as_its_wide_table_once_pivoted(seed):
    variation, wide, long = _measure_rows(seed)
    wf = mw.Workflow(long, name="raw")
    assert wf.suggest_mapping() == {"date": None, "target": None, "channels": [],
                                    "controls": [], "geo": None, "value_per_unit": None,
                                    "long": None}
    with pytest.raises(mw.DataError) as raised:
        wf.map_data(date=None, target=None, channels=[])
    [found] = raised.value.problems
    measure, value = NAMES[seed % len(NAMES)]
    assert f"{measure!r} names it" in found.what and f"{value!r} holds its figure" in found.what
    target = variation.roles["target"]
    line = found.fix.split(f"then map them (the target {target!r}): ", 1)[1].rstrip(".")
    pivoted = run_fix(line, long)
    assert sorted(pivoted.columns) == sorted(wide.columns)
    # the pivoted table is suggested, and maps to, what the wide one is
    again = mw.Workflow(pivoted, name="raw")
    suggested = again.suggest_mapping()
    assert suggested["target"] == target
    assert sorted(suggested["channels"]) == sorted(variation.roles["channels"])
    again.map_data(**variation.roles)
    original = mw.Workflow(wide, name="raw")
    original.map_data(**variation.roles)
    pd.testing.assert_frame_equal(again.data[original.data.columns], original.data,
                                  check_dtype=False)


def test_a_measure_written_twice_for_a_date_is_summed_and_said_so():
    variation, _, long = _measure_rows(0)
    halves = long.assign(value=long["value"] / 2)
    doubled = pd.concat([halves, halves], ignore_index=True)
    found = find_measure_rows(doubled)
    assert found is not None and found.repeated
    wf = mw.Workflow(doubled, name="raw")
    with pytest.raises(mw.DataError) as raised:
        wf.map_data(date=None, target=None, channels=[])
    [problem] = raised.value.problems
    assert "written more than once" in problem.what
    line = problem.fix.split("): ", 1)[1].rstrip(".")
    date = variation.roles["date"]
    summed = run_fix(line, doubled).set_index(date)
    once = run_fix(line, long).set_index(date)  # the halves, once each, add up to this
    np.testing.assert_allclose(summed.loc[once.index, once.columns], once, rtol=1e-12)


@pytest.mark.parametrize("seed", [3, 13, 23, 33, 43])
def test_long_tables_and_wide_ones_are_not_measure_rows(seed):
    # a row per date and channel (their names in a column, the target a column) is not
    variation = spec(seed)
    assert variation.long
    assert find_measure_rows(table(variation)) is None
    assert find_measure_rows(table(spec(seed + 1))) is None
