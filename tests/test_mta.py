"""Rule-based attribution on hand-computed journeys, and the shared guarantees of all models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_widgets import mta
from mmm_widgets.mta import MODELS, attribute, attribute_paths, custom_rule

DAY = pd.Timedelta("1D")
T0 = pd.Timestamp("2024-03-01")


def events_from(journeys: list[tuple[object, list[tuple[float, str]], bool]]) -> pd.DataFrame:
    """Events table from (user, [(day, channel), ...], converts) journeys.

    The last touch of a converting journey carries the conversion flag.
    """
    rows = []
    for user, touches, converts in journeys:
        for i, (day, channel) in enumerate(touches):
            flag = converts and i == len(touches) - 1
            rows.append({"user": user, "time": T0 + day * DAY, "channel": channel, "conv": flag})
    return pd.DataFrame(rows)


def run(events: pd.DataFrame, models, **kwargs) -> pd.DataFrame:
    return attribute(events, "user", "time", "channel", "conv", models=models, **kwargs)


def credit(result: pd.DataFrame, model: str) -> dict[str, float]:
    return {k: round(v, 10) for k, v in result[model].items() if v != 0}


def random_events(n_users: int = 300, seed: int = 0, n_channels: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_users * 4
    channels = np.array([f"ch{i}" for i in range(n_channels)])
    return pd.DataFrame(
        {
            "user": rng.integers(0, n_users, n),
            "time": T0 + pd.to_timedelta(rng.integers(0, 60 * 24, n), unit="min") * 60,
            "channel": channels[rng.integers(0, n_channels, n)],
            "conv": rng.random(n) < 0.2,
            "revenue": rng.gamma(2.0, 50.0, n).round(2),
        }
    )


# --- single rules, by hand ------------------------------------------------------------


def test_repeats_count_per_touch_in_order_based_rules():
    # Search, Social, Search, Email(conv): four touches, Search twice.
    events = events_from([(1, [(0, "Search"), (1, "Social"), (2, "Search"), (3, "Email")], True)])
    result = run(events, ["first_touch", "last_touch", "linear", "position_based"])
    assert credit(result, "first_touch") == {"Search": 1.0}
    assert credit(result, "last_touch") == {"Email": 1.0}
    assert credit(result, "linear") == {"Email": 0.25, "Search": 0.5, "Social": 0.25}
    # 40 % first (Search), 40 % last (Email), 20 % over the two middle touches.
    assert credit(result, "position_based") == {"Email": 0.4, "Search": 0.5, "Social": 0.1}


def test_position_based_short_journeys():
    events = events_from(
        [
            (1, [(0, "Search"), (1, "Email")], True),  # two touches: 50/50
            (2, [(0, "Social")], True),  # one touch: 100 %
        ]
    )
    result = run(events, ["position_based"])
    assert credit(result, "position_based") == {"Email": 0.5, "Search": 0.5, "Social": 1.0}


def test_last_non_direct_skips_direct_unless_only_direct():
    events = events_from(
        [
            (1, [(0, "Search"), (1, "Direct")], True),  # -> Search
            (2, [(0, "Direct"), (1, "Direct")], True),  # only direct -> Direct
            (3, [(0, "Email"), (1, "Social"), (2, "Direct"), (3, "Direct")], True),  # -> Social
            (4, [(0, "Direct"), (1, "Email")], True),  # last is not direct -> Email
        ]
    )
    result = run(events, ["last_touch", "last_non_direct"], direct_channel="Direct")
    assert credit(result, "last_non_direct") == {
        "Direct": 1.0,
        "Email": 1.0,
        "Search": 1.0,
        "Social": 1.0,
    }
    assert credit(result, "last_touch") == {"Direct": 3.0, "Email": 1.0}


def test_last_non_direct_without_direct_channel_is_last_touch():
    events = events_from([(1, [(0, "Search"), (1, "Direct")], True)])
    result = run(events, ["last_touch", "last_non_direct"])
    assert result["last_non_direct"].equals(result["last_touch"])


def test_time_decay_seven_day_half_life():
    # Ages 14, 7 and 0 days -> weights 1/4, 1/2, 1 -> shares 1/7, 2/7, 4/7.
    events = events_from([(1, [(0, "Display"), (7, "Search"), (14, "Email")], True)])
    result = run(events, ["time_decay"], half_life="7D")
    assert result.loc["Display", "time_decay"] == pytest.approx(1 / 7)
    assert result.loc["Search", "time_decay"] == pytest.approx(2 / 7)
    assert result.loc["Email", "time_decay"] == pytest.approx(4 / 7)


def test_time_decay_fractional_ages_and_other_half_life():
    # Ages 3.5 days and 0 with a 7-day half-life: weights 2**-0.5 and 1.
    events = events_from([(1, [(0, "Search"), (3.5, "Email")], True)])
    result = run(events, ["time_decay"])
    w = 2**-0.5
    assert result.loc["Search", "time_decay"] == pytest.approx(w / (1 + w))
    # A 1-day half-life makes the same touch weigh 2**-3.5.
    result = run(events, ["time_decay"], half_life=pd.Timedelta("1D"))
    w = 2**-3.5
    assert result.loc["Search", "time_decay"] == pytest.approx(w / (1 + w))


def test_lookback_drops_old_touches_and_keeps_window_edge():
    # Ages 25, 10 and 0 days; a 10-day look-back keeps the touch exactly 10 days old.
    events = events_from([(1, [(0, "Display"), (15, "Search"), (25, "Email")], True)])
    result = run(events, ["first_touch", "linear", "markov"], lookback="10D")
    assert credit(result, "first_touch") == {"Search": 1.0}
    assert credit(result, "linear") == {"Email": 0.5, "Search": 0.5}
    assert result.loc["Display"].eq(0).all()  # still listed, with no credit
    assert credit(run(events, ["first_touch"], lookback="9D"), "first_touch") == {"Email": 1.0}
    assert credit(run(events, ["first_touch"]), "first_touch") == {"Display": 1.0}


def test_lookback_zero_keeps_only_the_converting_touch():
    events = events_from([(1, [(0, "Display"), (3, "Email")], True)])
    assert credit(run(events, ["linear"], lookback="0D"), "linear") == {"Email": 1.0}


def test_journeys_split_at_each_conversion_and_trailing_touches_earn_nothing():
    events = events_from([(1, [(0, "A"), (1, "B"), (2, "C"), (3, "D"), (4, "E")], False)])
    events.loc[[1, 3], "conv"] = True  # B and D convert: journeys A>B, C>D, E (null)
    result = run(events, ["first_touch", "last_touch", "linear"])
    assert credit(result, "first_touch") == {"A": 1.0, "C": 1.0}
    assert credit(result, "last_touch") == {"B": 1.0, "D": 1.0}
    assert credit(result, "linear") == {"A": 0.5, "B": 0.5, "C": 0.5, "D": 0.5}
    assert list(result.index) == ["A", "B", "C", "D", "E"]
    assert result.attrs["journeys"] == 3
    assert result.attrs["converting_journeys"] == 2


def test_touches_are_sorted_by_time_per_user_and_ties_keep_table_order():
    events = events_from(
        [
            (1, [(0, "Search"), (2, "Email")], True),
            (2, [(0, "Social"), (0, "Video"), (1, "Email")], True),
        ]
    )
    shuffled = events.iloc[[4, 2, 0, 3, 1]]  # Video stays after Social: same time
    result = run(shuffled, ["first_touch", "last_touch"])
    assert credit(result, "first_touch") == {"Search": 1.0, "Social": 1.0}
    assert credit(result, "last_touch") == {"Email": 2.0}


def test_text_times_string_users_and_whitespace_in_labels():
    events = pd.DataFrame(
        {
            "user": ["u1", "u1", "u2"],
            "time": ["2024-03-01 10:00", "2024-03-02", "2024/03/01"],
            "channel": [" Search", "Email ", "Email"],
            "conv": ["no", "yes", "true"],
        }
    )
    result = run(events, ["first_touch"])
    assert credit(result, "first_touch") == {"Email": 1.0, "Search": 1.0}


def test_numeric_times_use_their_own_unit():
    events = pd.DataFrame(
        {"user": [1, 1, 1], "time": [0, 2, 4], "channel": ["A", "B", "C"], "conv": [0, 0, 1]}
    )
    result = run(events, ["time_decay", "first_touch"], half_life=2, lookback=2)
    assert credit(result, "time_decay") == {"B": round(1 / 3, 10), "C": round(2 / 3, 10)}
    assert credit(result, "first_touch") == {"B": 1.0}


# --- custom rules ---------------------------------------------------------------------


def test_custom_rule_40_20_40_equals_position_based():
    events = random_events(seed=1)
    rule = custom_rule("u_shape", first=0.4, middle=0.2, last=0.4)
    result = run(events, ["position_based", rule])
    np.testing.assert_allclose(result["u_shape"], result["position_based"], atol=1e-12)
    assert list(result.columns) == ["position_based", "u_shape"]


def test_custom_rule_shares_by_journey_length():
    rule = custom_rule("front", first=0.6, middle=0.3, last=0.1)
    events = events_from(
        [
            (1, [(0, "A"), (1, "B"), (2, "C"), (3, "D")], True),  # A .6, B .15, C .15, D .1
            (2, [(0, "E"), (1, "F")], True),  # renormalized 0.6:0.1 -> 6/7, 1/7
            (3, [(0, "G")], True),  # alone -> 1
        ]
    )
    got = run(events, [rule])["front"]
    expected = {"A": 0.6, "B": 0.15, "C": 0.15, "D": 0.1, "E": 6 / 7, "F": 1 / 7, "G": 1.0}
    assert got.to_dict() == pytest.approx(expected)


def test_custom_rule_with_half_life_decays_the_middle_only():
    rule = custom_rule("decayed", first=0.3, middle=0.4, last=0.3, half_life="7D")
    # Middle touches B (age 14 days, weight 1/4) and C (age 7 days, weight 1/2).
    events = events_from([(1, [(0, "A"), (7, "B"), (14, "C"), (21, "D")], True)])
    got = run(events, [rule])["decayed"]
    assert got.to_dict() == pytest.approx({"A": 0.3, "B": 0.4 / 3, "C": 0.8 / 3, "D": 0.3})


def test_custom_rule_with_no_end_shares_splits_two_touches_equally():
    rule = custom_rule("middle_only", first=0, middle=1, last=0)
    events = events_from(
        [(1, [(0, "A"), (1, "B")], True), (2, [(0, "A"), (1, "B"), (2, "C")], True)]
    )
    assert run(events, [rule])["middle_only"].to_dict() == pytest.approx(
        {"A": 0.5, "B": 1.5, "C": 0.0}
    )


# --- guarantees of every model --------------------------------------------------------


def test_every_model_hands_out_exactly_the_conversions():
    events = random_events(seed=2)
    rule = custom_rule("mine", first=0.5, middle=0.25, last=0.25, half_life="2D")
    result = run(events, [*MODELS, rule], direct_channel="ch0", lookback="20D")
    total = events["conv"].sum()
    assert result.attrs["total"] == total
    np.testing.assert_allclose(result.sum(), total, rtol=1e-10)
    assert (result >= -1e-12).all().all()


def test_value_weighting_hands_out_exactly_the_revenue():
    events = random_events(seed=3)
    result = run(events, list(MODELS), value="revenue", weight="value", direct_channel="ch1")
    revenue = events.loc[events["conv"], "revenue"].sum()
    np.testing.assert_allclose(result.sum(), revenue, rtol=1e-10)
    # Order-based rules credit each conversion's own value to the converting touch.
    by_channel = events[events["conv"]].groupby("channel")["revenue"].sum()
    np.testing.assert_allclose(result["last_touch"], by_channel.reindex(result.index, fill_value=0))


def test_result_layout():
    events = random_events(seed=4)
    result = run(events, ["shapley", "linear", "first_touch"])
    assert result.index.name == "channel"
    assert list(result.index) == sorted(result.index)
    assert list(result.columns) == ["shapley", "linear", "first_touch"]
    assert (result.dtypes == np.float64).all()
    single = run(events, "markov")
    assert list(single.columns) == ["markov"]
    default = attribute(events, "user", "time", "channel", "conv")
    assert list(default.columns) == list(MODELS)


def test_grouping_merges_channels_and_keeps_totals():
    events = random_events(seed=5)
    groups = {"ch0": "Paid", "ch1": "Paid", "ch2": "Owned"}
    plain = run(events, list(MODELS), direct_channel="ch4")
    grouped = run(events, list(MODELS), direct_channel="ch4", grouping=groups)
    assert list(grouped.index) == ["Owned", "Paid", "ch3", "ch4"]
    np.testing.assert_allclose(grouped.sum(), plain.sum(), rtol=1e-10)
    # First touch only moves credit between labels, so the groups add up exactly.
    assert grouped.loc["Paid", "first_touch"] == pytest.approx(
        plain.loc[["ch0", "ch1"], "first_touch"].sum()
    )


def test_grouping_merges_consecutive_repeats_into_one_group():
    events = events_from([(1, [(0, "Facebook"), (1, "TikTok"), (2, "Email")], True)])
    result = run(
        events, ["linear", "first_touch"], grouping={"Facebook": "Social", "TikTok": "Social"}
    )
    assert credit(result, "linear") == {"Email": round(1 / 3, 10), "Social": round(2 / 3, 10)}
    assert credit(result, "first_touch") == {"Social": 1.0}


def test_direct_channel_may_name_a_grouped_label():
    events = events_from([(1, [(0, "Search"), (1, "direct")], True)])
    result = run(
        events, ["last_non_direct"], direct_channel="direct", grouping={"direct": "Direct"}
    )
    assert credit(result, "last_non_direct") == {"Search": 1.0}


# --- paths ------------------------------------------------------------------------------


def paths_from_events(events: pd.DataFrame) -> pd.DataFrame:
    """The same journeys as aggregated paths (touches one time unit apart)."""
    ordered = events.sort_values(["user", "time"], kind="stable")
    journey = ordered.groupby("user")["conv"].transform(
        lambda s: s.shift(fill_value=False).cumsum()
    )
    grouped = ordered.groupby([ordered["user"], journey], sort=False)
    table = grouped.agg(path=("channel", " > ".join), conversions=("conv", "last"))
    table["nulls"] = (~table["conversions"]).astype(int)
    table["conversions"] = table["conversions"].astype(int)
    return table.groupby("path", as_index=False)[["conversions", "nulls"]].sum()


def test_paths_agree_with_events_for_every_model():
    events = random_events(seed=6, n_users=200)
    # One touch per time step, so a half-life of 1 step equals a half-life of 1 time unit.
    events["time"] = events.groupby("user").cumcount()
    models = list(MODELS)
    by_events = run(events, models, direct_channel="ch3", half_life=1)
    paths = paths_from_events(events)
    by_paths = attribute_paths(
        paths, "path", "conversions", nulls="nulls", models=models, direct_channel="ch3"
    )
    pd.testing.assert_frame_equal(by_events, by_paths, rtol=1e-9)


def test_paths_hand_computed_and_whitespace():
    paths = pd.DataFrame(
        {
            "path": ["Search>Social >  Email", "Social > Search", "Email"],
            "conversions": [2, 1, 0],
            "nulls": [0, 3, 5],
            "revenue": [100.0, 30.0, 0.0],
        }
    )
    result = attribute_paths(
        paths,
        "path",
        "conversions",
        nulls="nulls",
        value="revenue",
        models=["first_touch", "linear", "time_decay"],
    )
    assert credit(result, "first_touch") == {"Search": 2.0, "Social": 1.0}
    assert credit(result, "linear") == pytest.approx(
        {"Search": 2 / 3 + 0.5, "Social": 2 / 3 + 0.5, "Email": 2 / 3}
    )
    # Half-life of one step: weights 1/4, 1/2, 1 -> 1/7, 2/7, 4/7 of 2 conversions.
    assert credit(result, "time_decay") == pytest.approx(
        {"Search": 2 / 7 + 2 / 3, "Social": 4 / 7 + 1 / 3, "Email": 8 / 7}
    )
    valued = attribute_paths(
        paths, "path", "conversions", value="revenue", weight="value", models=["last_touch"]
    )
    assert credit(valued, "last_touch") == {"Email": 100.0, "Search": 30.0}


def test_paths_custom_rule_half_life_counts_touches():
    rule = custom_rule("late_middle", first=0.2, middle=0.6, last=0.2, half_life=1)
    paths = pd.DataFrame({"p": ["A/B/C/D"], "n": [1]})
    got = attribute_paths(paths, "p", "n", sep="/", models=[rule])["late_middle"]
    # Middle B (2 steps back, weight 1/4) and C (1 step back, weight 1/2).
    assert got.to_dict() == pytest.approx({"A": 0.2, "B": 0.2, "C": 0.4, "D": 0.2})


def test_package_exports():
    assert mta.MODELS == (
        "first_touch",
        "last_touch",
        "last_non_direct",
        "linear",
        "time_decay",
        "position_based",
        "markov",
        "shapley",
        "logistic",
    )
    assert mta.attribute is attribute
    assert callable(mta.channel_effects)
    assert isinstance(custom_rule("x", 1, 0, 0), mta.CustomRule)


def test_time_zones_categorical_channels_and_nullable_flags():
    # 10:00+01:00 is 09:00 UTC: 90 minutes before the 10:30 UTC conversion.
    events = pd.DataFrame(
        {
            "user": [1, 1],
            "time": ["2024-01-01T10:00+01:00", "2024-01-01T10:30+00:00"],
            "channel": pd.Categorical(["A", "B"]),
            "conv": pd.array([False, True], dtype="boolean"),
        }
    )
    result = run(events, ["time_decay"], half_life="90min")
    assert result["time_decay"].to_dict() == pytest.approx({"A": 1 / 3, "B": 2 / 3})
    local = events.assign(
        time=pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:30"]).tz_localize("Europe/Berlin")
    )
    assert run(local, ["time_decay"], half_life="90min").equals(result)
