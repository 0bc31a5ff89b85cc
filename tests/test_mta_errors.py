"""Bad input raises DataError that names the column (or argument) and says how to fix it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_widgets.errors import DataError
from mmm_widgets.mta import attribute, attribute_paths, custom_rule


@pytest.fixture
def events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": [1, 1, 2, 2],
            "ts": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03"]),
            "channel": ["Search", "Email", "Social", "Direct"],
            "converted": [0, 1, 0, 1],
            "revenue": [0.0, 10.0, 0.0, 5.0],
        }
    )


@pytest.fixture
def path_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"path": ["Search > Email", "Social"], "conversions": [3, 1], "nulls": [2, 4]}
    )


def run(events: pd.DataFrame, **kwargs) -> pd.DataFrame:
    args = {"user": "user_id", "time": "ts", "channel": "channel", "conversion": "converted"}
    args.update(kwargs)
    return attribute(events, **args)


def test_missing_column_is_named_with_close_matches(events):
    with pytest.raises(DataError) as info:
        run(events, user="user")
    assert info.value.columns == ["user"]
    message = str(info.value)
    assert "'user_id'" in message  # the close match
    assert "Fix:" in message


def test_all_missing_columns_are_reported_at_once(events):
    with pytest.raises(DataError) as info:
        run(events, time="timestamp", channel="Channel ", conversion="conversion")
    assert info.value.columns == ["timestamp", "Channel ", "conversion"]
    message = str(info.value)
    assert "3 problems" in message
    assert "'channel'" in message and "'converted'" in message


def test_missing_value_column(events):
    with pytest.raises(DataError) as info:
        run(events, value="revenu")
    assert info.value.columns == ["revenu"]
    assert "'revenue'" in str(info.value)


def test_unparseable_timestamps_name_the_rows(events):
    bad = events.assign(ts=["2024-01-01", "yesterday", "2024-01-01", "31/02/2024"])
    with pytest.raises(DataError) as info:
        run(bad)
    assert info.value.columns == ["ts"]
    (found,) = info.value.problems
    assert found.rows == ("1", "3")


def test_missing_timestamps_name_the_rows(events):
    bad = events.assign(ts=events["ts"].where(events.index != 2))
    with pytest.raises(DataError) as info:
        run(bad)
    assert info.value.columns == ["ts"]
    assert info.value.problems[0].rows == ("2",)


def test_no_conversions(events):
    with pytest.raises(DataError) as info:
        run(events.assign(converted=0))
    assert info.value.columns == ["converted"]
    assert "conversion" in str(info.value)


def test_conversion_flag_must_be_zero_or_one(events):
    with pytest.raises(DataError) as info:
        run(events.assign(converted=[0, 2, 0, 1]))
    assert info.value.columns == ["converted"]
    assert info.value.problems[0].rows == ("1",)


def test_empty_frame(events):
    with pytest.raises(DataError) as info:
        run(events.iloc[:0])
    assert "no rows" in str(info.value)


def test_not_a_dataframe():
    with pytest.raises(DataError, match="not a DataFrame"):
        attribute([1, 2], "u", "t", "c", "x")


def test_unknown_model_suggests_the_right_name(events):
    with pytest.raises(DataError) as info:
        run(events, models=["linear", "markow"])
    message = str(info.value)
    assert "'markow'" in message and "'markov'" in message


def test_duplicate_and_empty_models(events):
    with pytest.raises(DataError, match="listed twice"):
        run(events, models=["linear", "linear"])
    with pytest.raises(DataError, match="models is empty"):
        run(events, models=[])


def test_nan_channel_labels_name_rows(events):
    bad = events.assign(channel=["Search", None, "Social", np.nan])
    with pytest.raises(DataError) as info:
        run(bad)
    assert info.value.columns == ["channel"]
    assert info.value.problems[0].rows == ("1", "3")


def test_blank_channel_labels(events):
    with pytest.raises(DataError) as info:
        run(events.assign(channel=["Search", "  ", "Social", "Direct"]))
    assert info.value.columns == ["channel"]


def test_missing_users(events):
    with pytest.raises(DataError) as info:
        run(events.assign(user_id=[1, None, 2, 2]))
    assert info.value.columns == ["user_id"]


def test_weight_value_without_value(events):
    with pytest.raises(DataError) as info:
        run(events, weight="value")
    assert "value" in info.value.columns
    assert "value=" in str(info.value)


def test_unknown_weight(events):
    with pytest.raises(DataError, match="weight='revenue'"):
        run(events, weight="revenue", value="revenue")


def test_value_missing_on_a_converting_row(events):
    with pytest.raises(DataError) as info:
        run(events.assign(revenue=[np.nan, np.nan, 0.0, 5.0]), value="revenue", weight="value")
    assert info.value.columns == ["revenue"]
    assert info.value.problems[0].rows == ("1",)  # row 0 does not convert: no value needed


def test_problems_of_several_columns_come_together(events):
    bad = events.assign(channel=["Search", None, "Social", "Direct"], ts="not a date")
    with pytest.raises(DataError) as info:
        run(bad, models=["linaer"])
    assert info.value.columns == ["ts", "channel"]
    assert len(info.value.problems) == 3  # the unknown model too


def test_bad_half_life_and_lookback(events):
    with pytest.raises(DataError, match="half_life=7 has no unit"):
        run(events, half_life=7)
    with pytest.raises(DataError, match="lookback"):
        run(events, lookback="thirty days")
    with pytest.raises(DataError, match="more than 0"):
        run(events, half_life="0D")


def test_direct_channel_typo(events):
    with pytest.raises(DataError) as info:
        run(events, direct_channel="direct", models=["last_non_direct"])
    assert info.value.columns == ["channel"]
    assert "'Direct'" in str(info.value)


def test_grouping_must_be_a_mapping(events):
    with pytest.raises(DataError, match="grouping"):
        run(events, grouping=["Search", "Social"])


# --- paths ------------------------------------------------------------------------------


def test_paths_missing_columns_named(path_table):
    with pytest.raises(DataError) as info:
        attribute_paths(path_table, "paths", "conversion", nulls="null")
    assert info.value.columns == ["paths", "conversion", "null"]


def test_paths_negative_counts(path_table):
    bad = path_table.assign(conversions=[3, -1], nulls=[-2, 4])
    with pytest.raises(DataError) as info:
        attribute_paths(bad, "path", "conversions", nulls="nulls")
    assert info.value.columns == ["conversions", "nulls"]
    assert [p.rows for p in info.value.problems] == [("1",), ("0",)]


def test_paths_counts_that_are_not_numbers(path_table):
    bad = path_table.assign(conversions=["3", "three"])
    with pytest.raises(DataError) as info:
        attribute_paths(bad, "path", "conversions")
    assert info.value.columns == ["conversions"]
    assert info.value.problems[0].rows == ("1",)


def test_paths_malformed_strings(path_table):
    bad = pd.DataFrame(
        {
            "path": ["Search > Email", "", "Search >> Email", None, "  > Email", "Ok"],
            "conversions": [1] * 6,
        }
    )
    with pytest.raises(DataError) as info:
        attribute_paths(bad, "path", "conversions")
    assert info.value.columns == ["path"]
    assert info.value.problems[0].rows == ("1", "2", "3", "4")


def test_paths_without_conversions(path_table):
    with pytest.raises(DataError) as info:
        attribute_paths(path_table.assign(conversions=0), "path", "conversions")
    assert info.value.columns == ["conversions"]


def test_paths_half_life_must_be_a_number_of_touches(path_table):
    with pytest.raises(DataError, match="number of touches"):
        attribute_paths(path_table, "path", "conversions", half_life="7D")


def test_paths_value_weight_without_value(path_table):
    with pytest.raises(DataError, match="value"):
        attribute_paths(path_table, "path", "conversions", weight="value")


# --- custom rules -------------------------------------------------------------------------


def test_custom_rule_weights_must_add_up_to_one():
    with pytest.raises(DataError) as info:
        custom_rule("r", first=0.5, middle=0.5, last=0.5)
    assert "add up to 1" in str(info.value)


def test_custom_rule_weights_must_not_be_negative():
    with pytest.raises(DataError, match="negative"):
        custom_rule("r", first=1.2, middle=-0.2, last=0.0)


def test_custom_rule_name_must_be_new():
    with pytest.raises(DataError, match="built-in"):
        custom_rule("linear", first=0.4, middle=0.2, last=0.4)
    with pytest.raises(DataError, match="name"):
        custom_rule("", first=0.4, middle=0.2, last=0.4)


def test_custom_rule_half_life_checked_against_the_time_unit(events):
    rule = custom_rule("r", first=0.4, middle=0.2, last=0.4, half_life=3)
    with pytest.raises(DataError, match="half_life of rule 'r'"):
        run(events, models=[rule])


def test_duplicated_column_name(events):
    doubled = pd.concat([events, events[["channel"]]], axis=1)
    with pytest.raises(DataError) as info:
        run(doubled)
    assert info.value.columns == ["channel"]
    assert "2 columns named 'channel'" in str(info.value)
