"""Channels written as shares of a total (adding up to 100, or 1, on every row) with nothing
in their names to say so are named as shares, with the line that turns them into money when
the table holds the total spend; their correlation of -1 and their size are not noted
besides. Generated wide tables, weekly and daily, national and geo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table
from tests.conftest import run_fix, wide_table_seeds

SEEDS = wide_table_seeds()
TOTAL = "Total media spend"


def _roles(seed: int) -> dict:
    return {k: v for k, v in spec(seed).roles.items() if v is not None}


def _as_shares(seed: int, whole: float = 100.0, decimals: int | None = None
               ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The seed's table, and it with each row's channels written as shares of their sum
    (even shares on rows with no spend) and that sum in :data:`TOTAL`."""
    frame, roles = table(spec(seed)), _roles(seed)
    channels = list(roles["channels"])
    spend = frame[channels].apply(pd.to_numeric).astype(float)
    total = spend.sum(axis=1)
    shares = spend.div(total.where(total > 0), axis=0).fillna(1 / len(channels)) * whole
    written = frame.assign(**{TOTAL: total})
    written[channels] = shares.round(decimals) if decimals is not None else shares
    return frame, written, roles


def _notes(frame: pd.DataFrame, roles: dict) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return wf.data_result.warnings


def _line(note) -> str:
    return note.message.split(f"with the total spend in {TOTAL!r}: ", 1)[1].removesuffix(".")


def test_the_seeds_vary_what_they_should():
    assert {spec(s).frequency for s in SEEDS} == {"W", "D"}
    assert {bool(spec(s).geos) for s in SEEDS} == {False, True}
    assert max(len(spec(s).roles["channels"]) for s in SEEDS) >= 3


@pytest.mark.parametrize("seed", SEEDS)
def test_shares_are_named_and_the_line_gives_the_spend_back(seed):
    frame, written, roles = _as_shares(seed)
    notes = _notes(written, roles)
    shares = [n for n in notes if n.kind == "shares"]
    assert len(shares) == 1 and set(shares[0].columns) == set(roles["channels"])
    assert "add up to 100 on every row" in shares[0].message
    # their correlation, size and scale are not noted besides
    assert not [n for n in notes if n.kind in ("collinear", "small_channel", "money_scale")
                and set(n.columns) <= set(roles["channels"]) | {roles["target"]}]
    back = run_fix(_line(shares[0]), written)
    expected = frame[list(roles["channels"])].apply(pd.to_numeric).astype(float)
    np.testing.assert_allclose(back[list(roles["channels"])].to_numpy(float),
                               expected.to_numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(("whole", "decimals", "said"), [(1.0, 3, "add up to 1 on"),
                                                          (100.0, 1, "add up to 100 on")])
def test_rounded_shares_and_fractions_of_one_are_named(whole, decimals, said):
    seed = SEEDS[0]
    _, written, roles = _as_shares(seed, whole, decimals)
    shares = [n for n in _notes(written, roles) if n.kind == "shares"]
    assert len(shares) == 1 and said in shares[0].message
    back = run_fix(_line(shares[0]), written)
    channel = roles["channels"][0]
    np.testing.assert_allclose(back[channel], written[channel] / whole * written[TOTAL])


def test_a_total_mapped_beside_the_shares_is_their_total():
    seed = SEEDS[0]
    _, written, roles = _as_shares(seed)
    roles = {**roles, "channels": [*roles["channels"], TOTAL]}
    shares = [n for n in _notes(written, roles) if n.kind == "shares"]
    assert len(shares) == 1 and TOTAL not in shares[0].columns
    assert f".mul(raw[{TOTAL!r}] / 100, axis=0)" in shares[0].message


def test_without_a_total_the_shares_are_named_without_a_line():
    _, written, roles = _as_shares(SEEDS[0])
    shares = [n for n in _notes(written.drop(columns=TOTAL), roles) if n.kind == "shares"]
    assert len(shares) == 1
    assert shares[0].message.endswith("Map each channel's spend instead.")


@pytest.mark.parametrize("seed", SEEDS)
def test_the_generated_tables_spend_is_no_share(seed):
    assert not [n for n in _notes(table(spec(seed)), _roles(seed)) if n.kind == "shares"]
