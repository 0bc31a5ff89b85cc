"""Journey-level bagged logistic regression: effects, incremental and influenced credit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_widgets.errors import DataError
from mmm_widgets.mta import attribute, attribute_paths, channel_effects
from mmm_widgets.steps.attribution import function_lines
from tests.conftest import run_fresh

#: True log-odds of converting: intercept, then the lift of touching each channel.
INTERCEPT = -2.0
LIFT = {"Search": 1.2, "Social": 0.6, "Display": 0.3, "Banner": 0.0}
EXPOSURE = {"Search": 0.5, "Social": 0.5, "Display": 0.5, "Banner": 0.5}
COLUMNS = ("user", "time", "channel", "conv")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def simulate(users: int = 6000, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One journey per user: touched channels (1-3 touches each), conversion by LIFT.

    Returns the touch table and per user the touched flags and the true probability.
    """
    rng = np.random.default_rng(seed)
    channels = list(LIFT)
    touched = rng.random((users, len(channels))) < np.array(list(EXPOSURE.values()))
    empty = ~touched.any(axis=1)
    touched[empty, rng.integers(0, len(channels), empty.sum())] = True
    probability = _sigmoid(INTERCEPT + touched @ np.array(list(LIFT.values())))
    converted = rng.random(users) < probability
    rows = []
    for user in range(users):
        labels = [c for c, t in zip(channels, touched[user], strict=True) if t
                  for _ in range(rng.integers(1, 4))]
        rng.shuffle(labels)
        for position, label in enumerate(labels):
            rows.append((user, position, label, bool(converted[user])
                         and position == len(labels) - 1, 50.0 + 10 * (user % 7)))
    events = pd.DataFrame(rows, columns=[*COLUMNS, "revenue"])
    truth = pd.DataFrame(touched, columns=channels).assign(p=probability)
    return events, truth


def true_effects(truth: pd.DataFrame) -> pd.Series:
    """Average drop of the true probability when a channel is removed, over who had it."""
    lift = pd.Series(LIFT)
    logit = INTERCEPT + truth[list(LIFT)].to_numpy() @ lift.to_numpy()
    return pd.Series({c: float(np.mean(
        _sigmoid(logit[truth[c]]) - _sigmoid(logit[truth[c]] - lift[c]))) for c in LIFT})


@pytest.fixture(scope="module")
def simulated() -> tuple[pd.DataFrame, pd.DataFrame]:
    return simulate()


@pytest.fixture(scope="module")
def effects(simulated) -> pd.DataFrame:
    return channel_effects(simulated[0], *COLUMNS)


def test_effects_rank_the_channels_as_the_truth_does(simulated, effects):
    truth = true_effects(simulated[1])
    assert list(effects["effect"].sort_values(ascending=False).index) == \
        list(truth.sort_values(ascending=False).index)
    # The channels with a lift are found, each effect near its true size (6,000 journeys).
    for channel in ("Search", "Social", "Display"):
        assert effects.at[channel, "effect_low"] > 0
        assert effects.at[channel, "effect"] == pytest.approx(truth[channel], abs=0.025)


def test_a_channel_without_effect_gets_an_interval_covering_zero(effects):
    assert effects.at["Banner", "effect_low"] < 0 < effects.at["Banner", "effect_high"]
    assert abs(effects.at["Banner", "effect"]) < 0.02


def test_influenced_credit_adds_up_to_the_conversions_and_equals_attribute(simulated, effects):
    events = simulated[0]
    assert effects["influenced"].sum() == pytest.approx(events["conv"].sum(), rel=1e-12)
    assert (effects["influenced"] >= 0).all()
    column = attribute(events, *COLUMNS, models=["logistic"])["logistic"]
    pd.testing.assert_series_equal(column, effects["influenced"], check_names=False,
                                   rtol=1e-12)


def test_baseline_is_reported_apart_and_incremental_near_the_truth(simulated, effects):
    truth = simulated[1]
    assert "baseline" not in effects.index
    assert list(effects.columns) == ["effect", "effect_low", "effect_high", "incremental",
                                     "influenced"]
    # Without any touch every journey converts with probability sigmoid(-2).
    assert effects.attrs["baseline_rate"] == pytest.approx(_sigmoid(INTERCEPT), rel=0.15)
    assert effects.attrs["baseline"] == pytest.approx(len(truth) * _sigmoid(INTERCEPT),
                                                      rel=0.15)
    # Incremental: conversions lost without the channel, over the journeys that had it.
    lift = pd.Series(LIFT)
    logit = INTERCEPT + truth[list(LIFT)].to_numpy() @ lift.to_numpy()
    for channel in ("Search", "Social"):
        had = truth[channel].to_numpy()
        lost = np.sum(_sigmoid(logit[had]) - _sigmoid(logit[had] - lift[channel]))
        assert effects.at[channel, "incremental"] == pytest.approx(lost, rel=0.2)
    assert abs(effects.at["Banner", "incremental"]) < 0.1 * effects.at["Search", "incremental"]
    # The baseline is not in the channels' credit: together they come near the conversions.
    total = effects["incremental"].sum() + effects.attrs["baseline"]
    assert total == pytest.approx(simulated[0]["conv"].sum(), rel=0.1)


def test_value_weight_splits_the_revenue(simulated):
    events = simulated[0]
    table = channel_effects(events, *COLUMNS, value="revenue", weight="value", n_models=5)
    revenue = events.loc[events["conv"], "revenue"].sum()
    assert table["influenced"].sum() == pytest.approx(revenue, rel=1e-12)
    assert table.attrs["weight"] == "value" and table.attrs["total"] == pytest.approx(revenue)


def test_seeded(simulated):
    events = simulated[0].iloc[:4000]
    first = channel_effects(events, *COLUMNS, n_models=5, seed=7)
    again = channel_effects(events, *COLUMNS, n_models=5, seed=7)
    other = channel_effects(events, *COLUMNS, n_models=5, seed=8)
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    assert not first["effect_low"].equals(other["effect_low"])
    assert first.attrs["seed"] == 7 and first.attrs["n_models"] == 5


def test_single_channel_gets_every_conversion():
    rows = [("A", 3, 5), ("A > A", 2, 1)]
    table = pd.DataFrame(rows, columns=["path", "conversions", "nulls"])
    result = attribute_paths(table, "path", "conversions", nulls="nulls", models=["logistic"])
    assert result["logistic"].to_dict() == pytest.approx({"A": 5.0})


def test_journeys_that_all_converted_and_bad_settings_are_data_errors(simulated):
    table = pd.DataFrame({"path": ["A > B", "B"], "conversions": [2, 1]})
    with pytest.raises(DataError, match="every journey converted"):
        attribute_paths(table, "path", "conversions", models=["logistic"])
    with pytest.raises(DataError) as error:
        channel_effects(simulated[0], *COLUMNS, n_models=1, seed=-1, interval=1.5)
    assert len(error.value.problems) == 3


def test_exported_functions_replay_without_the_kit(simulated, tmp_path):
    events = simulated[0].iloc[:6000]
    events.to_parquet(tmp_path / "events.parquet")
    expected = attribute(events, *COLUMNS, models=["logistic", "shapley"])
    expected.to_pickle(tmp_path / "expected.pkl")
    functions = "\n".join(function_lines(["logistic", "shapley"]))
    output = run_fresh(f"""
import sys
import numpy as np
import pandas as pd
{functions}
events = pd.read_parquet('events.parquet')
touches, journeys = cut_journeys(events, 'user', 'time', 'channel', 'conv')
weight = journeys['conversions']
credit = pd.DataFrame({{'logistic': logistic_credit(touches, journeys, weight),
                       'shapley': shapley_credit(touches, weight)}}).sort_index()
expected = pd.read_pickle('expected.pkl')
np.testing.assert_allclose(credit.to_numpy(), expected.to_numpy(), rtol=1e-9)
assert not any(name.startswith('mmm_widgets') for name in sys.modules)
print('replayed')
""", tmp_path)
    assert "replayed" in output
