"""A geo whose amounts are in another scale than the others' (one market's revenue in
thousands, or its spend): named with the lines that rescale its target or its spend, each
giving back the table's frame. A market that spends far less than the others, and the
generated panels as they are, are not named. Generated geo panels, weekly and daily."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table
from tests.conftest import mapped, run_fix, wide_table_seeds

GEO_SEEDS = [s for s in wide_table_seeds() if spec(s).geos]
#: Panels of three geos or more: of two, the one written smaller is named, so spend in units
#: beside the other's in thousands reads as the other's in thousands.
WIDER = [s for s in range(80) if (v := spec(s)).geos >= 3 and not (
    v.long or v.text_amounts or v.reported_outcomes or v.units_row or v.report_rows
    or v.frequency == "M")][:3]
CASES = [(seed, "target", 1e-3, "If its target is in another scale: ") for seed in GEO_SEEDS] + [
    (seed, "spend", 1e3, "if its spend is: ") for seed in WIDER]


def _roles(seed: int) -> dict:
    return {k: v for k, v in spec(seed).roles.items() if v is not None}


def _notes(frame: pd.DataFrame, roles: dict) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return [n for n in wf.data_result.warnings if n.kind == "geo_scale"]


def _rescaled(seed: int, columns: str, factor: float) -> tuple[pd.DataFrame, pd.DataFrame,
                                                               dict, object]:
    """The seed's table, and it with one geo's target (or spend) times ``factor``: the geo
    whose target over spend is nearest the others' (the note reads a scale within about
    three times of a thousand; the generator's geos differ up to a hundred times in that)."""
    frame, roles = table(spec(seed)), _roles(seed)
    sums = frame.groupby(roles["geo"])[[roles["target"], *roles["channels"]]].sum()
    ratio = np.log(sums[roles["target"]] / sums[list(roles["channels"])].sum(axis=1))
    geo = (ratio - ratio.median()).abs().idxmin()
    amounts = [roles["target"]] if columns == "target" else list(roles["channels"])
    rows = frame[roles["geo"]] == geo
    scaled = frame.copy()
    scaled.loc[rows, amounts] = scaled.loc[rows, amounts].astype(float) * factor
    return frame, scaled, roles, geo


def test_the_seeds_vary_what_they_should():
    assert len({spec(s).frequency for s in GEO_SEEDS}) > 1
    assert {spec(s).geos for s in GEO_SEEDS} >= {2, 3} and len(WIDER) == 3


@pytest.mark.parametrize(("seed", "columns", "factor", "line_after"), CASES,
                         ids=[f"{seed}-{columns}" for seed, columns, *_ in CASES])
def test_a_geo_in_another_scale_is_named_and_its_line_gives_the_table_back(
        seed, columns, factor, line_after):
    frame, scaled, roles, geo = _rescaled(seed, columns, factor)
    [named] = _notes(scaled, roles)
    assert named.message.startswith(f"Geo {str(geo)!r} has ")
    assert "1/1,000 times the other geos'" in named.message
    line = named.message.split(line_after, 1)[1].split("; if its spend", 1)[0].removesuffix(".")
    pd.testing.assert_frame_equal(mapped(run_fix(line, scaled), roles), mapped(frame, roles))


@pytest.mark.parametrize("seed", GEO_SEEDS)
def test_the_panels_as_they_are_and_a_geo_that_spends_little_are_not_named(seed):
    frame, small, roles, _ = _rescaled(seed, "spend", 1 / 150)
    assert not _notes(frame, roles)
    assert not _notes(small, roles)
