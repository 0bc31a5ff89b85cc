"""Markov (removal effect) attribution against hand derivations (Shapley: test_mta_shapley)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_widgets.mta import attribute, attribute_paths
from mmm_widgets.mta.journeys import from_paths
from mmm_widgets.mta.markov import fit_chain, transition_counts


def paths(rows: list[tuple[str, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["path", "conversions", "nulls"])


def markov_credit(rows: list[tuple[str, int, int]]) -> dict[str, float]:
    result = attribute_paths(paths(rows), "path", "conversions", nulls="nulls", models=["markov"])
    return result["markov"].to_dict()


# --- Markov -------------------------------------------------------------------------------


def test_markov_chain_without_cycles_by_hand():
    # Journeys: A > B > conv, A > null, B > conv.
    # Transitions: start->A 2, start->B 1; A->B 1, A->null 1; B->conv 2.
    # P(conv) = P(start->A) P(A->B) P(B->conv) + P(start->B) P(B->conv)
    #         = 2/3 * 1/2 * 1 + 1/3 * 1 = 2/3.
    # Remove A (start->A goes to null): P = 1/3       -> effect 1 - (1/3)/(2/3) = 1/2.
    # Remove B (nothing converts):      P = 0         -> effect 1.
    # Credits share 2 conversions as 1/2 : 1 -> A = 2/3, B = 4/3.
    got = markov_credit([("A > B", 1, 0), ("A", 0, 1), ("B", 1, 0)])
    assert got == pytest.approx({"A": 2 / 3, "B": 4 / 3})


def test_markov_chain_with_a_cycle_by_hand():
    # Journeys: A > B > conv, B > A > null, A > conv.
    # Transitions: start->A 2, start->B 1; A->B 1, A->null 1, A->conv 1; B->conv 1, B->A 1.
    # Probabilities: start: A 2/3, B 1/3;  A: B 1/3, null 1/3, conv 1/3;  B: conv 1/2, A 1/2.
    # Conversion probability x from each state:
    #   x_A = 1/3 + 1/3 x_B,  x_B = 1/2 + 1/2 x_A  =>  x_A = 3/5, x_B = 4/5,
    #   P = 2/3 * 3/5 + 1/3 * 4/5 = 2/3.
    # Remove A: x_A = 0, x_B = 1/2, P = 1/3 * 1/2 = 1/6  -> effect 1 - (1/6)/(2/3) = 3/4.
    # Remove B: x_B = 0, x_A = 1/3, P = 2/3 * 1/3 = 2/9  -> effect 1 - (2/9)/(2/3) = 2/3.
    # Credits: 2 * (3/4) / (17/12) = 18/17 and 2 * (2/3) / (17/12) = 16/17.
    rows = [("A > B", 1, 0), ("B > A", 0, 1), ("A", 1, 0)]
    assert markov_credit(rows) == pytest.approx({"A": 18 / 17, "B": 16 / 17})
    chain = fit_chain(
        from_paths(paths(rows), path="path", conversions="conversions", nulls="nulls")
    )
    assert chain.conversion_probability == pytest.approx(2 / 3)
    np.testing.assert_allclose(chain.removal_effects, [3 / 4, 2 / 3])


def test_markov_self_loops_do_not_change_the_result():
    plain = markov_credit([("A > B", 3, 1), ("B", 1, 2), ("A", 0, 2)])
    repeated = markov_credit([("A > A > B > B > B", 3, 1), ("B > B", 1, 2), ("A", 0, 2)])
    assert repeated == pytest.approx(plain)


def _removal_by_resolving(counts: np.ndarray, n_channels: int) -> np.ndarray:
    """Removal effects by turning each channel into null and solving again (the textbook way)."""
    size = n_channels + 3
    start, conv, null = n_channels, n_channels + 1, n_channels + 2

    def p_conversion(removed: int | None) -> float:
        c = counts.copy()
        if removed is not None:
            c[:, null] += c[:, removed]
            c[:, removed] = 0
        out = c.sum(axis=1, keepdims=True)
        p = np.divide(c, out, out=np.zeros_like(c), where=out > 0)
        transient = [s for s in range(size) if s not in (conv, null)]
        q = p[np.ix_(transient, transient)]
        r = p[transient, conv]
        x = np.linalg.solve(np.eye(len(transient)) - q, r)
        return x[transient.index(start)]

    base = p_conversion(None)
    return np.array([1 - p_conversion(c) / base for c in range(n_channels)])


def test_markov_closed_form_matches_resolving_the_chain_per_removal():
    rng = np.random.default_rng(7)
    n = 4000
    events = pd.DataFrame(
        {
            "user": rng.integers(0, 700, n),
            "time": rng.random(n),
            "channel": rng.choice(list("ABCDEF"), n, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.1]),
            "conv": rng.random(n) < 0.15,
        }
    )
    from mmm_widgets.mta.journeys import from_events

    journeys = from_events(events, user="user", time="time", channel="channel", conversion="conv")
    chain = fit_chain(journeys)
    expected = _removal_by_resolving(transition_counts(journeys), len(journeys.channels))
    np.testing.assert_allclose(chain.removal_effects, expected, rtol=1e-10, atol=1e-12)
    result = attribute(events, "user", "time", "channel", "conv", models=["markov"])
    np.testing.assert_allclose(
        result["markov"].to_numpy(), expected / expected.sum() * events["conv"].sum()
    )


def test_markov_counts_non_converting_journeys_from_events():
    # Same journeys as the hand-solved chain without cycles, as events.
    events = pd.DataFrame(
        {
            "user": [1, 1, 2, 3],
            "time": [0, 1, 0, 0],
            "channel": ["A", "B", "A", "B"],
            "conv": [0, 1, 0, 1],
        }
    )
    result = attribute(events, "user", "time", "channel", "conv", models=["markov"])
    assert result["markov"].to_dict() == pytest.approx({"A": 2 / 3, "B": 4 / 3})


def test_markov_value_weighting_shares_total_value_by_removal_effect():
    events = pd.DataFrame(
        {
            "user": [1, 1, 2, 3],
            "time": [0, 1, 0, 0],
            "channel": ["A", "B", "A", "B"],
            "conv": [0, 1, 0, 1],
            "revenue": [0.0, 90.0, 0.0, 30.0],
        }
    )
    result = attribute(
        events,
        "user",
        "time",
        "channel",
        "conv",
        value="revenue",
        weight="value",
        models=["markov"],
    )
    # Removal effects 1/2 and 1 (see the hand-solved chain) share 120.
    assert result["markov"].to_dict() == pytest.approx({"A": 40.0, "B": 80.0})

