"""A channel with a small share of the spend is noted; one spending a thousand (a million)
times less per period than the others is asked whether it is written in thousands
(millions), with the line that puts it in their unit. A channel merely small is not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table
from tests.conftest import run_fix


def _generated(seed: int) -> tuple[pd.DataFrame, dict]:
    variation = spec(seed)
    return table(variation), {k: v for k, v in variation.roles.items() if v is not None}


def _small(frame: pd.DataFrame, roles: dict, channel: str) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return [f for f in wf.data_result.warnings
            if f.kind == "small_channel" and f.columns == (channel,)]


@pytest.mark.parametrize(("seed", "scale", "unit"), [(1, 1_000, "thousands"),
                                                      (21, 1_000, "thousands"),
                                                      (54, 1_000_000, "millions")])
def test_a_channel_in_thousands_is_asked_about_with_its_line(seed, scale, unit):
    frame, roles = _generated(seed)
    channel = roles["channels"][-1]
    assert not any("Written in" in f.message for f in _small(frame, roles, channel))
    scaled = frame.assign(**{channel: (frame[channel] / scale).round(6)})
    notes = _small(scaled, roles, channel)
    assert len(notes) == 1 and f"Written in {unit}?" in notes[0].message
    line = notes[0].message.split("put it in the others' unit: ")[1].split(". If it")[0]
    fixed = run_fix(line, scaled)
    np.testing.assert_allclose(fixed[channel], frame[channel], atol=scale * 1e-6)


def test_a_channel_merely_small_is_not_asked_about():
    frame, roles = _generated(1)
    channel = roles["channels"][-1]
    smaller = frame.assign(**{channel: (frame[channel] / 50).round(2)})
    notes = _small(smaller, roles, channel)
    assert len(notes) == 1 and "Written in" not in notes[0].message
