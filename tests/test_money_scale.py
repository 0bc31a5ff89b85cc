"""A money target and spend written a thousand times apart (revenue in thousands from a
finance export beside spend in units; spend in thousands from a media plan beside sales)
are named with the line that writes both in one unit: every ROAS reads a thousand times
off. Generated tables with money targets, national and geo panels, wide and long."""

from __future__ import annotations

import numpy as np
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.names import named_like_money
from tests.conformance.tables import spec, table
from tests.conftest import map_roas, run_fix

#: Seeds whose target is money (revenue, sales, a currency) with no value per unit.
MONEY_SEEDS = [s for s in range(60) if named_like_money(spec(s).target_name)
               and spec(s).value_name is None and not spec(s).text_amounts]


def _notes(frame, roles) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return [f for f in wf.data_result.warnings if f.kind == "money_scale"]


def _line(note) -> str:
    return note.message.split("write both in one unit before mapping: ", 1)[1].rstrip(".")


def test_the_seeds_cover_national_geo_and_long_tables():
    variations = [spec(s) for s in MONEY_SEEDS]
    assert any(v.geos for v in variations) and any(not v.geos for v in variations)
    assert any(v.long for v in variations)


@pytest.mark.parametrize("seed", MONEY_SEEDS)
def test_a_target_in_thousands_is_scaled_back_by_its_line(seed):
    variation = spec(seed)
    frame, roles = table(variation), variation.roles
    target = roles["target"]
    in_thousands = frame.assign(**{target: frame[target] / 1000})
    notes = _notes(in_thousands, roles)
    assert len(notes) == 1 and notes[0].columns[0] == target
    assert "every ROAS would read 1,000 times too low" in notes[0].message
    fixed = run_fix(_line(notes[0]), in_thousands)
    np.testing.assert_allclose(fixed[target], frame[target])
    assert _notes(fixed, roles) == []


@pytest.mark.parametrize("seed", MONEY_SEEDS[:6])
def test_spend_in_thousands_beside_sales_is_scaled_back_by_its_line(seed):
    variation = spec(seed)
    if variation.long:
        pytest.skip("a long table's spend is one column")
    frame, roles = table(variation), variation.roles
    channels, target = roles["channels"], roles["target"]
    # Sales ten times the spend, as a business's are; the spend from a plan in thousands.
    frame[target] = frame[target] * 10
    in_thousands = frame.copy()
    in_thousands[channels] = frame[channels] / 1000
    notes = _notes(in_thousands, roles)
    assert len(notes) == 1 and "every ROAS would read 1,000 times too high" in notes[0].message
    fixed = run_fix(_line(notes[0]), in_thousands)
    money = [c for c in notes[0].columns[1:]]
    np.testing.assert_allclose(fixed[money], frame[money])
    assert _notes(fixed, roles) == []


def test_a_count_in_thousands_and_the_tables_as_written_are_not_named():
    for seed in MONEY_SEEDS:
        variation = spec(seed)
        assert _notes(table(variation), variation.roles) == []
    counted = next(spec(s) for s in range(60) if spec(s).target_name == "Orders"
                   and spec(s).value_name is None and not spec(s).text_amounts)
    frame = table(counted)
    target = counted.roles["target"]
    # Orders are a count: under the spend, whatever its scale (a cost per order).
    assert _notes(frame.assign(**{target: frame[target] / 1000}), counted.roles) == []


@pytest.mark.fit
def test_a_target_in_thousands_reads_every_roas_a_thousand_times_low():
    """The premise: a MAP fit on the target in thousands returns the channel about a
    thousandth of the ROAS fitted on the target in units (not exactly: the priors are
    not set in the data's scale alone)."""
    seed = next(s for s in MONEY_SEEDS if not spec(s).geos and not spec(s).long
                and spec(s).frequency == "W")
    variation = spec(seed)
    frame, roles = table(variation), variation.roles
    channel = roles["channels"][0]
    in_units = map_roas(frame, channel, **roles)
    target = roles["target"]
    in_thousands = map_roas(frame.assign(**{target: frame[target] / 1000}), channel,
                            **roles)
    assert in_units > 0.2
    assert 0.5 < in_thousands * 1000 / in_units < 2
