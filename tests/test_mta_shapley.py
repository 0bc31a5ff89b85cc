"""Data-driven Shapley attribution: worth = conversion rate of the journeys of a channel set."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from mmm_widgets.errors import DataError
from mmm_widgets.mta import attribute, attribute_paths


def paths(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["path", "conversions", "nulls"])


def shapley(rows: list[tuple[str, float, float]]) -> dict[str, float]:
    result = attribute_paths(paths(rows), "path", "conversions", nulls="nulls",
                             models=["shapley"])
    return result["shapley"].to_dict()


def test_three_channels_by_hand_with_unseen_coalitions():
    # Rates of the seen sets: {A} 2/4, {B} 1/4, {A,B} 3/4, {C} 1/2, {A,C} 0/2.
    # {B,C} is unseen: of its seen subsets of size 1, {B} has 4 journeys and {C} 2, so
    # v(BC) = v(B) = 1/4. {A,B,C} is unseen: {A,B} (4 journeys) beats {A,C} (2), 3/4.
    # Weights for 3 players: 1/3 (S empty or of size 2), 1/6 (S of size 1); v(empty) = 0.
    #   phi_A = 1/3*(1/2) + 1/6*(3/4-1/4) + 1/6*(0-1/2) + 1/3*(3/4-1/4) = 1/3
    #   phi_B = 1/3*(1/4) + 1/6*(3/4-1/2) + 1/6*(1/4-1/2) + 1/3*(3/4-0) = 1/3
    #   phi_C = 1/3*(1/2) + 1/6*(0-1/2)   + 1/6*(1/4-1/4) + 1/3*(3/4-3/4) = 1/12
    # They add up to v(ABC) = 3/4 and are scaled to the 7 conversions.
    rows = [("A", 2, 2), ("B > B", 1, 3), ("B > A", 2, 0), ("A > B > A", 1, 1), ("C", 1, 1),
            ("A > C", 0, 2)]
    expected = {"A": 7 * (1 / 3) / 0.75, "B": 7 * (1 / 3) / 0.75, "C": 7 * (1 / 12) / 0.75}
    assert shapley(rows) == pytest.approx(expected)


def test_negative_values_are_set_to_zero_before_scaling():
    # v(A) = 1/2, v(B) = 1/4, v(AB) = 0: phi_A = 1/2*(1/2) + 1/2*(0-1/4) = 1/8,
    # phi_B = 1/2*(1/4) + 1/2*(0-1/2) = -1/8 -> 0, so A gets both conversions.
    rows = [("A", 1, 1), ("B", 1, 3), ("A > B", 0, 2)]
    assert shapley(rows) == pytest.approx({"A": 2.0, "B": 0.0})


def _worth(sets: dict[frozenset, tuple[float, float]], coalition: frozenset) -> float:
    """The documented rule, written with Python sets: exact rate, else largest seen subset.

    A set is seen when it has journeys; among equally large seen subsets the one with most
    journeys wins, then the lowest bitmask (channel letters are in code order).
    """
    candidates = [(len(s), n, -sum(1 << ord(c) for c in s), s) for s, (n, _) in sets.items()
                  if s <= coalition and n > 0]
    if not candidates:
        return 0.0
    chosen = max(candidates)[-1]
    journeys, converted = sets[chosen]
    return converted / journeys


def _shapley_by_orderings(rows) -> dict[str, float]:
    sets: dict[frozenset, tuple[float, float]] = {}
    for path, conversions, nulls in rows:
        key = frozenset(c.strip() for c in path.split(">"))
        n, conv = sets.get(key, (0.0, 0.0))
        sets[key] = (n + conversions + nulls, conv + conversions)
    players = sorted(set().union(*sets))
    phi = dict.fromkeys(players, 0.0)
    for order in itertools.permutations(players):
        before: frozenset = frozenset()
        for player in order:
            phi[player] += _worth(sets, before | {player}) - _worth(sets, before)
            before = before | {player}
    phi = {p: max(v / math.factorial(len(players)), 0.0) for p, v in phi.items()}
    total = sum(conversions for _, conversions, _ in rows)
    return {p: v / sum(phi.values()) * total for p, v in phi.items()}


def test_equals_the_average_marginal_contribution_over_all_orderings():
    rng = np.random.default_rng(11)
    labels = list("VWXYZ")
    rows = []
    for _ in range(60):
        length = rng.integers(1, 5)
        rows.append((" > ".join(rng.choice(labels, length)), int(rng.integers(0, 4)),
                     int(rng.integers(0, 6))))
    result = shapley(rows)
    expected = _shapley_by_orderings(rows)
    assert result == pytest.approx(expected, rel=1e-10)
    assert sum(result.values()) == pytest.approx(sum(r[1] for r in rows))


def _events_with_a_bystander(seed: int = 5, users: int = 6000) -> pd.DataFrame:
    """A and B raise conversion; Noise is touched by half of all users, converting or not."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(users):
        touched = []
        while not touched:
            touched = [c for c, p in (("A", 0.5), ("B", 0.5), ("Noise", 0.5)) if rng.random() < p]
        labels = [c for c in touched for _ in range(rng.integers(1, 3))]
        rng.shuffle(labels)
        chance = 0.05 + 0.30 * ("A" in touched) + 0.15 * ("B" in touched)
        converted = rng.random() < chance
        for position, label in enumerate(labels):
            rows.append((user, position, label, converted and position == len(labels) - 1))
    return pd.DataFrame(rows, columns=["user", "time", "channel", "conv"])


def test_a_channel_touched_as_often_by_converters_and_others_gets_almost_nothing():
    events = _events_with_a_bystander()
    result = attribute(events, "user", "time", "channel", "conv",
                       models=["shapley", "linear", "markov"])
    share = result / result.sum()
    # Linear credits the bystander for a touch in half the journeys.
    assert share.at["Noise", "linear"] > 0.2
    # Shapley leaves it the baseline it shares through journeys of Noise alone (v of the
    # empty set is 0): about 0.05 / 3 of a total worth near 0.5, some 3 %.
    assert share.at["Noise", "shapley"] < 0.06
    assert share.at["A", "shapley"] > share.at["B", "shapley"] > share.at["Noise", "shapley"]
    # Markov's removal effect does not see it: removing Noise cuts every path through it,
    # so the bystander keeps a linear-like share. Recorded, not endorsed.
    assert share.at["Noise", "markov"] > 0.2


def test_value_weight_uses_value_per_journey_and_adds_up_to_revenue():
    rows = [("A", 2, 2), ("B", 1, 3), ("A > B", 3, 1)]
    table = paths(rows).assign(revenue=[40.0, 5.0, 90.0])
    result = attribute_paths(table, "path", "conversions", nulls="nulls", value="revenue",
                             weight="value", models=["shapley"])["shapley"]
    # v(A) = 40/4, v(B) = 5/4, v(AB) = 90/4; phi_A = (10 + 21.25)/2, phi_B = (1.25 + 12.5)/2.
    phi = {"A": (10 + 21.25) / 2, "B": (1.25 + 12.5) / 2}
    assert result.to_dict() == pytest.approx({c: v / 22.5 * 135.0 for c, v in phi.items()})


def test_fifteen_channels_are_enumerated_and_sixteen_are_a_data_error():
    rng = np.random.default_rng(3)
    labels = [f"c{i:02d}" for i in range(16)]
    rows = [(" > ".join(rng.choice(labels[:15], rng.integers(1, 5))), int(rng.integers(0, 3)),
             int(rng.integers(0, 3))) for _ in range(300)]
    rows[0] = (" > ".join(labels[:15]), 1, 0)
    fifteen = shapley(rows)
    assert len(fifteen) == 15
    assert sum(fifteen.values()) == pytest.approx(sum(r[1] for r in rows))
    rows.append(("c15", 1, 1))
    with pytest.raises(DataError, match="at most 15") as error:
        shapley(rows)
    assert "grouping" in str(error.value)
