"""Role suggestion on tables that are not ours: generated variations and public layouts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_widgets.steps.roles import suggest_roles
from tests.conformance.tables import spec, table

ROLES = ("date", "target", "channels", "controls", "geo", "value_per_unit", "long")


def _right(truth: object, guess: object) -> bool:
    if isinstance(truth, list):
        return sorted(truth) == sorted(guess)
    return truth == guess


def test_each_role_is_right_on_at_least_95_percent_of_generated_tables(conformance_count):
    hits = dict.fromkeys(ROLES, 0)
    for seed in range(conformance_count["roles"]):
        variation = spec(seed)
        guess = suggest_roles(table(variation))
        for role in ROLES:
            hits[role] += _right(variation.roles[role], guess[role])
    rates = {role: hits[role] / conformance_count["roles"] for role in ROLES}
    assert all(rate >= 0.95 for rate in rates.values()), rates


def _padded(value: object, names: dict[str, str]) -> object:
    if isinstance(value, str):
        return names[value]
    if isinstance(value, list):
        return [names[v] for v in value]
    if isinstance(value, dict):
        return {k: names[v] for k, v in value.items()}
    return value


@pytest.mark.parametrize("seed", range(0, 60, 3))
def test_names_padded_with_spaces_get_the_roles_of_their_trimmed_names(seed):
    """A spreadsheet's header cells often keep spaces (' x1 ', 'Sales '): the roles are
    those of the same table without them, named as the table names its columns."""
    variation = spec(seed)
    frame = table(variation)
    names = {c: f" {c} " if i % 2 else f"{c} " for i, c in enumerate(frame.columns)}
    guess = suggest_roles(frame.rename(columns=names))
    trimmed = suggest_roles(frame)
    for role in ROLES:
        assert _right(_padded(trimmed[role], names), guess[role]), role


def test_a_padded_name_beside_its_trimmed_twin_is_left_as_it_is():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"date": _weekly().astype(str), "y": rng.gamma(5, 100, 60),
                          "x1": rng.gamma(2, 50, 60), " x1": rng.gamma(2, 50, 60)})
    guess = suggest_roles(frame)  # trimmed, ' x1' would name the same column as 'x1'
    assert guess["channels"] == ["x1"] and guess["date"] == "date"


def _weekly(n: int = 60, start: str = "2022-01-03") -> pd.Series:
    return pd.Series(pd.date_range(start, periods=n, freq="W-MON"))


def test_robyn_style_table_currency_target_and_text_events():
    rng = np.random.default_rng(0)
    n = 60
    events = np.where(np.arange(n) % 13 == 0, "event2", "na")
    frame = pd.DataFrame({
        "DATE": _weekly(n).dt.strftime("%Y-%m-%d"),
        "Net Revenue (EUR)": rng.uniform(1e6, 2e6, n),
        "tv_S": rng.uniform(0, 1e5, n), "ooh_S": rng.uniform(0, 1e5, n),
        "facebook_I": rng.uniform(0, 1e7, n), "search_clicks_P": rng.uniform(0, 1e4, n),
        "search_S": rng.uniform(0, 1e4, n), "competitor_sales_B": rng.uniform(1e6, 9e6, n),
        "facebook_S": rng.uniform(0, 1e4, n), "price_index": rng.uniform(0.9, 1.1, n),
        "events": events, "newsletter": rng.uniform(1e4, 2e4, n),
    })
    assert suggest_roles(frame) == {
        "date": "DATE", "target": "Net Revenue (EUR)",
        "channels": ["tv_S", "ooh_S", "search_S", "facebook_S"],
        "controls": ["competitor_sales_B", "price_index", "events", "newsletter"], "geo": None,
        "value_per_unit": None, "long": None}


def test_generic_y_and_x_table_with_a_trend():
    rng = np.random.default_rng(1)
    n = 80
    frame = pd.DataFrame({
        "date_week": _weekly(n), "y": rng.uniform(3000, 8000, n),
        "x1": rng.uniform(0, 1, n), "x2": np.where(rng.random(n) < 0.5, 0, rng.random(n)),
        "event_1": (np.arange(n) == 20).astype(float), "event_2": (np.arange(n) == 50) * 1.0,
        "t": np.arange(n),
    })
    assert suggest_roles(frame) == {"date": "date_week", "target": "y", "channels": ["x1", "x2"],
                                    "controls": ["event_1", "event_2", "t"], "geo": None,
                                    "value_per_unit": None, "long": None}


def test_geo_panel_with_numbered_channels_and_excel_serial_dates():
    rng = np.random.default_rng(2)
    n, geos = 52, ["Geo0", "Geo1", "Geo2"]
    serials = (_weekly(n) - pd.Timestamp("1899-12-30")).dt.days
    frame = pd.concat([pd.DataFrame({
        "time": serials, "geo": geo,
        "Channel0_impression": rng.uniform(0, 1e6, n), "Channel0_spend": rng.uniform(0, 1e4, n),
        "Channel1_spend": rng.uniform(0, 1e4, n), "Competitor_Sales": rng.uniform(1e5, 1e6, n),
        "conversions": rng.uniform(100, 900, n), "revenue_per_conversion": 0.8,
    }) for geo in geos], ignore_index=True)
    guess = suggest_roles(frame)
    assert (guess["date"], guess["geo"], guess["target"]) == ("time", "geo", "conversions")
    assert guess["channels"] == ["Channel0_spend", "Channel1_spend"]
    assert guess["value_per_unit"] == "revenue_per_conversion"


@pytest.mark.parametrize(("target", "value"), [
    ("Orders", "Revenue per Order"), ("kpi", "revenue_per_kpi"), ("Sales", None),
    ("revenue", None), ("Net Revenue (EUR)", None)])
def test_a_value_per_unit_is_suggested_only_beside_a_target_that_is_not_money(target, value):
    rng = np.random.default_rng(4)
    n = 60
    frame = pd.DataFrame({"week_start": _weekly(n), target: rng.uniform(100, 900, n),
                          "tv_spend": rng.uniform(0, 1e4, n),
                          "Revenue per Order" if value is None else value:
                          rng.uniform(20, 30, n)})
    guess = suggest_roles(frame)
    assert guess["target"] == target
    assert guess["value_per_unit"] == value
    assert guess["channels"] == ["tv_spend"]


@pytest.mark.parametrize("geos", [["Geo0", "Geo1"], [None]])
def test_meridians_layout_controls_organic_media_and_a_written_index(geos):
    """Google Meridian's simulated CSVs: ``*_control`` columns, organic impressions, a
    population per geo and, in the geo files, the index pandas wrote (``Unnamed: 0``)."""
    rng = np.random.default_rng(3)
    n = 60
    frame = pd.concat([pd.DataFrame({
        "time": _weekly(n).dt.strftime("%Y-%m-%d"), "geo": geo,
        "Channel0_impression": rng.uniform(0, 1e6, n), "Channel0_spend": rng.uniform(0, 1e4, n),
        "Channel1_spend": rng.uniform(0, 1e4, n),
        "competitor_sales_control": rng.normal(0, 1, n),
        "sentiment_score_control": rng.normal(0, 1, n),
        "Organic_channel0_impression": rng.uniform(0, 1e5, n),
        "Promo": rng.uniform(0, 1, n), "conversions": rng.uniform(1e6, 2e6, n),
        "revenue_per_conversion": rng.uniform(0.019, 0.021, n),
        "population": rng.uniform(1e5, 1e6),
    }) for geo in geos], ignore_index=True)
    if geos != [None]:
        frame = frame.reset_index(names="")  # as read back from df.to_csv()
        frame = frame.rename(columns={"": "Unnamed: 0"})
    else:
        frame = frame.drop(columns="geo")
    guess = suggest_roles(frame)
    assert guess == {
        "date": "time", "target": "conversions", "channels": ["Channel0_spend", "Channel1_spend"],
        "controls": ["competitor_sales_control", "sentiment_score_control",
                     "Organic_channel0_impression", "Promo"],
        "geo": None if geos == [None] else "geo", "value_per_unit": "revenue_per_conversion",
        "long": None}


@pytest.mark.parametrize("extra", ["population", "promo", "ratio", "nothing"])
def test_a_table_without_its_outcome_has_no_target_and_keeps_its_channels(extra):
    """The media half of a table whose outcome is in another file (pymc-marketing's
    multidimensional example keeps X and y apart), or a plan for future weeks (Meridian's
    hypothetical file): no column is the outcome, least of all a channel by its number,
    each geo's population, a promotion's strength or a ratio."""
    rng = np.random.default_rng(5)
    n = 60
    frame = pd.concat([pd.DataFrame({
        "date": _weekly(n).dt.strftime("%Y-%m-%d"), "market": market,
        "channel_1": rng.uniform(50, 120, n), "channel_2": rng.uniform(10, 40, n),
    }) for market in ("US", "UK")], ignore_index=True)
    added = {"population": ("population", rng.uniform(1e5, 1e6)),
             "promo": ("Promo", rng.uniform(0.5, 1.5, 2 * n)),
             "ratio": ("revenue_per_conversion", rng.uniform(0.019, 0.021, 2 * n)),
             "nothing": (None, None)}[extra]
    if added[0] is not None:
        frame[added[0]] = added[1]
    guess = suggest_roles(frame)
    assert guess["target"] is None
    assert (guess["date"], guess["geo"]) == ("date", "market")
    assert guess["channels"] == ["channel_1", "channel_2"]


def test_reach_and_frequency_of_a_numbered_channel_are_not_channels():
    rng = np.random.default_rng(6)
    n = 60
    frame = pd.DataFrame({
        "time": _weekly(n).dt.strftime("%Y-%m-%d"), "conversions": rng.uniform(1e6, 2e6, n),
        "Channel0_spend": rng.uniform(0, 1e4, n), "Channel1_spend": rng.uniform(0, 1e4, n),
        "Channel1_reach": rng.uniform(1e5, 1e6, n), "Channel1_frequency": rng.uniform(1, 4, n),
        "channel2": rng.uniform(0, 1e4, n)})
    guess = suggest_roles(frame)
    assert guess["target"] == "conversions"
    assert guess["channels"] == ["Channel0_spend", "Channel1_spend", "channel2"]


@pytest.mark.parametrize("name", ["events", "campaign", "holiday_name"])
def test_a_text_column_of_a_national_table_is_a_control_not_a_geo(name):
    n = 60
    frame = pd.DataFrame({"week_start": _weekly(n), "sales": np.linspace(10, 20, n),
                          "tv": np.linspace(0, 5, n),
                          name: np.where(np.arange(n) % 10 == 0, "launch", "none")})
    guess = suggest_roles(frame)
    assert guess["geo"] is None
    assert guess["controls"] == [name]


def test_meridians_generic_layout_media_execution_reach_frequency_and_organic():
    """Meridian's test tables: ``media_N`` (execution) beside ``media_spend_N``, reach and
    frequency channels with ``rf_spend_N``, non-media treatments and organic media."""
    rng = np.random.default_rng(5)
    n = 60
    columns = ["control_0", "control_1", "non_media_0", "non_media_1", "media_0", "media_1",
               "media_spend_0", "media_spend_1", "reach_0", "frequency_0", "rf_spend_0",
               "organic_media_0", "organic_media_1", "organic_reach_0",
               "organic_frequency_0"]
    frame = pd.concat([pd.DataFrame({
        "geo": geo, "time": _weekly(n).dt.strftime("%Y-%m-%d"),
        "kpi": rng.uniform(1e3, 2e3, n), "revenue_per_kpi": rng.uniform(1, 2, n),
        "population": rng.uniform(1e5, 1e6),
        **{c: rng.uniform(0, 1e4, n) for c in columns}}) for geo in ("geo_0", "geo_1")],
        ignore_index=True).reset_index(names="Unnamed: 0")
    assert suggest_roles(frame) == {
        "date": "time", "target": "kpi", "geo": "geo", "value_per_unit": "revenue_per_kpi",
        "long": None,
        "channels": ["media_spend_0", "media_spend_1", "rf_spend_0"],
        "controls": ["control_0", "control_1", "non_media_0", "non_media_1",
                     "organic_media_0", "organic_media_1", "organic_reach_0",
                     "organic_frequency_0"]}


def test_a_simulated_tables_contribution_columns_are_neither_channels_nor_controls():
    """pymc-marketing's media_tvp table: beside y, x1 and x2, the contributions of the
    model that made y. A control among them would explain y by its own parts."""
    rng = np.random.default_rng(6)
    n = 80
    x1, x2 = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    season, events = np.sin(np.arange(n) / 8), (np.arange(n) % 26 == 3).astype(float)
    frame = pd.DataFrame({
        "date_week": _weekly(n), "x1": x1, "x2": x2, "event_1": events,
        "x1_contribution": 2 * x1, "x2_contribution": 3 * x2,
        "yearly_seasonality_contribution": season, "control_contribution": 0.5 * events,
        "y": 5 + 2 * x1 + 3 * x2 + season + 0.5 * events,
    })
    guess = suggest_roles(frame)
    assert (guess["target"], guess["channels"], guess["controls"]) == (
        "y", ["x1", "x2"], ["event_1"])


def test_banners_are_a_channel_as_tv_and_radio_are():
    """A blog's classic layout (``Date, TV, Radio, Banners, Sales``), national and with a
    country per row."""
    rng = np.random.default_rng(8)
    n = 100
    frame = pd.DataFrame({"Date": _weekly(n).dt.strftime("%Y-%m-%d"),
                          "TV": rng.gamma(2, 5000, n), "Radio": rng.gamma(2, 2000, n),
                          "Banners": rng.gamma(2, 1000, n), "Sales": rng.uniform(8e3, 2e4, n)})
    guess = suggest_roles(frame)
    assert (guess["target"], guess["channels"]) == ("Sales", ["TV", "Radio", "Banners"])
    panel = pd.concat([frame.assign(Country=c) for c in ("Germany", "Austria")],
                      ignore_index=True)
    assert suggest_roles(panel)["geo"] == "Country"


def test_an_agency_plans_buys_and_the_markets_state_are_read():
    """A consumer-goods layout (as pymc-marketing's mock CPG data): programmatic and
    streaming buys named as agencies name them, beside distribution, shelf price and a
    promotion's strength; and the market's state as a retail case study writes it."""
    rng = np.random.default_rng(10)
    n = 104
    buys = ["Google Search", "DV360", "Facebook", "AMS", "TV", "VOD", "OOH", "Radio"]
    frame = pd.DataFrame({"Weeks": _weekly(n).dt.strftime("%Y-%m-%d"),
                          **{c: rng.gamma(2, 2, n) for c in buys},
                          "Numeric Distribution": rng.uniform(0.6, 0.8, n),
                          "RSP": rng.uniform(3.5, 4.1, n), "Promotion": rng.uniform(0.7, 1, n),
                          "target1": rng.uniform(3, 12, n)})
    guess = suggest_roles(frame)
    assert guess["channels"] == buys
    assert guess["controls"] == ["Numeric Distribution", "RSP", "Promotion"]
    state = ["me_gas_dpg", "st_ct", "consumer_confidence", "store_count", "num_stores"]
    retail = pd.DataFrame({"wk_strt_dt": _weekly(n), "sales": rng.uniform(1e5, 2e5, n),
                           "mdsp_tv": rng.gamma(2, 1e3, n),
                           **{c: rng.uniform(2, 99, n) for c in state}})
    guess = suggest_roles(retail)
    assert (guess["target"], guess["channels"]) == ("sales", ["mdsp_tv"])
    assert guess["controls"] == state


@pytest.mark.parametrize(("flag", "outcome"), [("black friday sale", "Traffic"),
                                                ("sales_event", "visits"),
                                                ("Revenue Day", "web_sessions")])
def test_an_events_flag_named_like_the_outcome_is_a_control_not_the_target(flag, outcome):
    """A 0/1 column marking a sale's weeks is named by the word the outcome often is; the
    outcome here (site traffic) is named by none."""
    rng = np.random.default_rng(7)
    n = 104
    frame = pd.DataFrame({
        "Week Starting": _weekly(n).dt.strftime("%b %d, %Y"),
        outcome: rng.uniform(300, 500, n),
        "TV Spend": rng.uniform(0, 6000, n), "Search Ads Spend": rng.uniform(100, 400, n),
        flag: (np.arange(n) % 52 == 47).astype(int), "xmas": (np.arange(n) % 52 == 51).astype(int)})
    guess = suggest_roles(frame)
    assert guess["target"] == outcome
    assert guess["channels"] == ["TV Spend", "Search Ads Spend"]
    assert guess["controls"] == [flag, "xmas"]


def test_a_channel_named_with_where_it_runs_first_is_a_channel():
    """'online_display' and 'National TV' are display and TV; 'online_sales' is an outcome
    and 'national_holiday' an event."""
    rng = np.random.default_rng(8)
    n = 104
    frame = pd.DataFrame({
        "week": _weekly(n).dt.strftime("%Y-%m-%d"), "total_sales": rng.uniform(2e5, 3e5, n),
        "online_sales": rng.uniform(5e4, 1e5, n), "paid_search": rng.uniform(1e3, 9e3, n),
        "online_display": rng.uniform(1e3, 9e3, n), "National TV": rng.uniform(0, 4e4, n),
        "local_radio": rng.uniform(0, 5e3, n),
        "national_holiday": (np.arange(n) % 52 == 51).astype(int)})
    guess = suggest_roles(frame)
    assert guess["target"] == "total_sales"
    assert guess["channels"] == ["paid_search", "online_display", "National TV", "local_radio"]
    assert guess["controls"] == ["national_holiday"]
