"""Amounts named in cents (as payment and shop APIs write money) beside amounts in whole
units are named with the line that divides them: ROAS read from the two is 100 times
off. Generated tables of each channel scheme, national and geo panels."""

from __future__ import annotations

import numpy as np
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table
from tests.conftest import run_fix


def _in_cents(seed: int, which: str):
    """A generated table with its first channel (or its target) written in cents."""
    variation = spec(seed)
    frame = table(variation)
    roles = dict(variation.roles)
    column = roles["channels"][0] if which == "channel" else roles["target"]
    renamed = f"{column}_cents"
    frame[renamed] = (frame.pop(column).astype(float) * 100).round()
    if which == "channel":
        roles["channels"] = [renamed, *roles["channels"][1:]]
    else:
        roles["target"] = renamed
    return frame, roles, renamed


def _notes(frame, roles) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return [f for f in wf.data_result.warnings if f.kind == "cents"]


@pytest.mark.parametrize("which", ["channel", "target"])
@pytest.mark.parametrize("seed", [0, 2, 17, 21, 44])
def test_an_amount_in_cents_beside_units_is_divided_by_its_line(seed, which):
    frame, roles, renamed = _in_cents(seed, which)
    notes = _notes(frame, roles)
    assert [n.columns for n in notes] == [(renamed,)]
    line = notes[0].message.split("divide it before mapping: ", 1)[1].rstrip(".")
    fixed = run_fix(line, frame)
    np.testing.assert_allclose(fixed[renamed], frame[renamed] / 100)
    assert _notes(fixed, roles) == []  # in units, the amounts have fractions again


def test_every_amount_in_cents_is_one_unit_and_not_named():
    frame, roles, _ = _in_cents(0, "target")
    for channel in list(roles["channels"]):
        frame[f"{channel}_cents"] = (frame.pop(channel) * 100).round()
    roles["channels"] = [f"{c}_cents" for c in roles["channels"]]
    assert _notes(frame, roles) == []


def test_a_percent_or_amounts_with_fractions_of_a_cent_are_not_named():
    frame, roles, renamed = _in_cents(2, "channel")
    frame[renamed] = frame[renamed] + 0.25  # not whole: not cents
    assert _notes(frame, roles) == []
