"""A channel whose spend is under 0 on (nearly) every row it has (costs written as negative
amounts, as accounting exports write them, as numbers or as ``$(1,200.00)``) is named with
the line that turns the sign, which gives the spend back; its fix was the line that set
every row to 0. A few refunds under 0 keep theirs. Generated wide tables, weekly and daily,
national and geo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table
from tests.conftest import run_fix, wide_table_seeds

SEEDS = wide_table_seeds()


def _roles(seed: int) -> dict:
    return {k: v for k, v in spec(seed).roles.items() if v is not None}


def _negated(seed: int, as_text: bool = False, credits: int = 0
             ) -> tuple[pd.DataFrame, pd.DataFrame, str, int]:
    """The seed's table, and it with its largest channel under 0 (``credits`` of its rows
    with spend left above 0; as accounting text when ``as_text``), and that count of rows
    under 0."""
    frame, roles = table(spec(seed)), _roles(seed)
    channel = frame[roles["channels"]].apply(pd.to_numeric).sum().idxmax()
    spend = frame[channel].astype(float)
    written = -spend
    spent = np.flatnonzero(spend.to_numpy() != 0)
    written.iloc[spent[:credits]] = spend.iloc[spent[:credits]]
    out = frame.copy()
    out[channel] = (written.map(lambda v: "$ -  " if v == 0 else
                                f"$({-v:,.2f})" if v < 0 else f"${v:,.2f}")
                    if as_text else written)
    return frame, out, channel, len(spent) - credits


def _problem(frame: pd.DataFrame, roles: dict, channel: str):
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(frame, name="raw").map_data(**roles)
    found = [p for p in raised.value.problems if p.column == channel]
    assert len(found) == 1, raised.value.problems
    return found[0]


def _line(problem) -> str:
    return problem.fix.split(": ", 1)[1].removesuffix(".")


@pytest.mark.parametrize("as_text", [False, True], ids=["numbers", "text"])
@pytest.mark.parametrize("seed", SEEDS)
def test_costs_written_under_0_are_named_and_the_line_gives_the_spend_back(seed, as_text):
    frame, written, channel, negative = _negated(seed, as_text)
    found = _problem(written, _roles(seed), channel)
    assert f"under 0 on all {negative} rows with spend" in found.what
    back = run_fix(_line(found), written)
    np.testing.assert_allclose(back[channel].astype(float), frame[channel].astype(float),
                               rtol=1e-9)


def test_credits_among_costs_under_0_are_set_to_0():
    seed = SEEDS[0]
    frame, written, channel, negative = _negated(seed, credits=2)
    found = _problem(written, _roles(seed), channel)
    assert f"under 0 on {negative} of its {negative + 2} rows with spend" in found.what
    back = run_fix(_line(found), written)[channel]
    expected = frame[channel].astype(float).where(written[channel] <= 0, 0.0)
    np.testing.assert_allclose(back, expected, rtol=1e-9)
    assert (back > 0).sum() == negative


def test_a_few_refunds_under_0_are_still_set_to_0():
    seed = SEEDS[0]
    roles = _roles(seed)
    frame = table(spec(seed))
    channel = roles["channels"][0]
    frame[channel] = frame[channel].astype(float)
    frame.loc[frame.index[:2], channel] = -50.0
    found = _problem(frame, roles, channel)
    assert found.what == "Spend is negative." and found.count == 2
    assert ".clip(lower=0)" in found.fix
