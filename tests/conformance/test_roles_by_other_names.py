"""Roles of columns that public tables name as their makers did, on generated tables.

Each test takes generated tables (their dates, geos and channels varied) and names or adds
columns as public tables were found to: spend as "Advertising Expenses (TV)", Google's
Performance Max as "Perf max", a competitor's spend as "Comp Media Spend", activity as
"email_delivered_cnt" or "tv.volume", a channel's budget beside its spend, a medium's
activity total beside its parts. The expected roles come from how each column was made.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmm_widgets.steps.roles import suggest_roles
from tests.conformance.tables import TableSpec, table, true_dates

SPECS = [
    TableSpec(seed=1),
    TableSpec(seed=2, date_name="week_start", date_format="dmy", week_start="SUN",
              target_name="Net Revenue (EUR)", channel_scheme="spend_prefix"),
    TableSpec(seed=3, frequency="D", periods=400, date_name="DATE", channel_scheme="numbered"),
    TableSpec(seed=4, geos=3, geo_name="region", channel_scheme="platform_cost"),
]
IDS = ["weekly", "sunday-dmy", "daily", "geo-panel"]


def _frame(spec: TableSpec) -> tuple[pd.DataFrame, np.random.Generator]:
    return table(spec), np.random.default_rng(spec.seed)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
@pytest.mark.parametrize("names", [
    ("Advertising Expenses (SMS)", "Advertising Expenses(TV)"),
    ("Marketing expenditure radio", "print_expenses"),
    ("Perf max", "Google-PMAX"),
    ("Wechat", "Shopping"),
    # a plan's numbered list of channels, as a public handset maker's table names them
    ("CH1_SMS", "CH4_TV", "CH_12_Facebook ads"),
    ("CH5_Pay Per Click", "CH_9_Internet", "CH_16_Poster"),
])
def test_spend_named_by_other_words_is_a_channel(spec, names):
    frame, rng = _frame(spec)
    for name in names:
        frame[name] = rng.uniform(0, 5e3, len(frame)).round(2)
    guess = suggest_roles(frame)
    assert guess["channels"] == [*spec.channel_names, *names]
    assert guess["target"] == spec.target_name


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_activity_indices_volumes_and_a_competitors_spend_are_no_channels(spec):
    """Emails delivered and opened, a podcast's streams, a medium's volume, the searches
    for the brand and a budget index are not money spent; 'Comp Media Spend' is a
    competitor's, a control."""
    frame, rng = _frame(spec)
    activity = ["email_delivered_cnt", "email_opened_cnt", "podcast_streams", "tv.volume",
                "search.query.volume", "tv.budget.index"]
    for name in activity:
        frame[name] = rng.uniform(1, 9e4, len(frame)).round()
    frame["Comp Media Spend"] = rng.uniform(1e3, 4e4, len(frame)).round(2)
    guess = suggest_roles(frame)
    assert guess["channels"] == spec.channel_names
    assert "Comp Media Spend" in guess["controls"]
    assert not set(activity) & set(guess["controls"]) - {"tv.budget.index"}


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_a_channels_budget_beside_its_spend_is_not_a_channel(spec):
    """'tv.budget' beside 'tv.spend' is the plan; 'cinema_budget' with no cinema spend beside
    it is what radio was given, a channel."""
    frame, rng = _frame(spec)
    frame["tv.spend"] = rng.uniform(0, 5e4, len(frame)).round(2)
    frame["tv.budget"] = np.repeat(rng.uniform(4e6, 6e6, len(frame) // 52 + 1), 52)[
        :len(frame)]
    frame["cinema_budget"] = rng.uniform(0, 5e3, len(frame)).round(2)
    guess = suggest_roles(frame)
    assert guess["channels"] == [*spec.channel_names, "tv.spend", "cinema_budget"]


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_a_mediums_activity_total_is_neither_a_channel_nor_its_parts_controls(spec):
    """'Display' is, on every row, the sum of three columns of display impressions (one
    bought for the holidays): impressions, no spend; the holiday's part is no control."""
    frame, rng = _frame(spec)
    parts = ["DisplayAlwaysOnImpression", "DisplayBrandingImpression",
             "DisplayHolidayImpression"]
    for name in parts:
        frame[name] = rng.integers(0, 2_000_000, len(frame))
    frame["Display"] = frame[parts].sum(axis=1)
    frame["price_p"] = rng.uniform(2.0, 3.0, len(frame))  # our price, as a textbook names it
    frame["inflation_rate"] = rng.uniform(0.01, 0.04, len(frame))
    guess = suggest_roles(frame)
    assert guess["channels"] == spec.channel_names
    assert not {"Display", *parts} & set(guess["controls"])
    assert {"price_p", "inflation_rate"} <= set(guess["controls"])


@pytest.mark.parametrize("spec", SPECS[:3], ids=IDS[:3])
@pytest.mark.parametrize(("outcome", "beside"), [
    ("new_customers", "Perf max"), ("mql_count", "averageMQL"), ("app_installs", "Shopping")])
def test_customers_leads_and_installs_are_the_outcome(spec, outcome, beside):
    """A table counting new customers, marketing-qualified leads or installs (and no
    sales): the count is the outcome, however much a channel or an average is larger."""
    frame, rng = _frame(spec)
    frame = frame.drop(columns=[spec.target_name])
    frame[outcome] = rng.poisson(40, len(frame))
    frame[beside] = rng.uniform(1e5, 2e5, len(frame))
    guess = suggest_roles(frame)
    assert guess["target"] == outcome


@pytest.mark.parametrize("spec", SPECS[:3], ids=IDS[:3])
def test_the_dates_that_do_not_repeat_are_the_table_s_beside_a_repeated_week(spec):
    """A daily (or weekly) table with its ISO year-week beside each date, written first:
    the dates are the table's time; the year-week repeats over a week's days."""
    frame, _ = _frame(spec)
    dates = pd.to_datetime(frame[spec.date_name], dayfirst=spec.date_format == "dmy",
                           format="mixed")
    frame.insert(0, "model_week", (dates.dt.isocalendar().year * 100
                                   + dates.dt.isocalendar().week).astype(int))
    if spec.frequency == "W":  # one day's dates every week
        frame["model_week"] = frame["model_week"].where(np.arange(len(frame)) % 2 == 0,
                                                        frame["model_week"].shift(1))
        frame["model_week"] = frame["model_week"].astype(int)
    guess = suggest_roles(frame)
    assert guess["date"] == spec.date_name


@pytest.mark.parametrize(("dash", "slash"), [("%m-%d-%Y", "%m/%d/%Y"),
                                             ("%d-%m-%Y", "%d/%m/%Y")])
def test_dates_written_two_ways_by_a_spreadsheet_are_the_date(dash, slash):
    """Excel wrote the dates whose day reads as a month one way, the others another."""
    spec = TableSpec(seed=5, date_name="Date", week_start="SUN")
    frame = table(spec)
    dates = pd.to_datetime(frame["Date"])
    frame["Date"] = [d.strftime(dash if d.day <= 12 else slash) for d in dates]
    assert frame["Date"].str.contains("-").any() and frame["Date"].str.contains("/").any()
    guess = suggest_roles(frame)
    assert guess["date"] == "Date"
    assert guess["channels"] == spec.channel_names


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_sends_are_activity_and_trust_employment_and_query_volume_are_controls(spec):
    """'emails_send' and 'sms_send' count messages sent, not money; consumers' trust, the
    employment rate and Meridian's Google query volume ('GQV') are the market's state."""
    frame, rng = _frame(spec)
    for name in ("emails_send", "sms_send"):
        frame[name] = rng.integers(1_000, 90_000, len(frame))
    controls = ["consumer_trust", "avg_employment", "GQV"]
    for name in controls:
        frame[name] = rng.normal(100, 5, len(frame)).round(2)
    guess = suggest_roles(frame)
    assert guess["channels"] == spec.channel_names
    assert set(controls) <= set(guess["controls"])
    assert not {"emails_send", "sms_send"} & set(guess["controls"])


@pytest.mark.parametrize("spec", SPECS[:3], ids=IDS[:3])
def test_a_count_of_stores_is_no_geo_code_beside_the_geo(spec):
    """A panel of three regions whose rows count the stores a promotion ran in
    ('Prom (No_of_stores)', whole numbers), dated over two columns as a public table is (no
    date column: the data step names the line that makes one): the region is the geo, the
    count no geo code."""
    one, rng = _frame(spec)
    one = one.drop(columns=spec.roles["date"])
    frame = pd.concat([one.assign(Region=name) for name in ("North", "South", "West")],
                      ignore_index=True)
    frame.insert(1, "Prom (No_of_stores)", rng.integers(0, 40, len(frame)))
    guess = suggest_roles(frame)
    assert guess["geo"] == "Region"


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
@pytest.mark.parametrize("stamp", ["updated_at", "loaded_date", "etl_created_timestamp"])
def test_a_rows_load_or_update_stamp_is_not_the_date(spec, stamp):
    """A warehouse export stamps each row when it was written: a date on every row, never
    repeated, beside the period's date (repeated once per geo in a panel)."""
    frame, rng = _frame(spec)
    stamps = pd.Timestamp("2025-03-01") + pd.to_timedelta(
        np.sort(rng.integers(0, 10**7, len(frame))), unit="s")
    days = pd.date_range("2025-03-01", periods=len(frame), freq="D").strftime("%Y-%m-%d")
    frame.insert(0, stamp, stamps if stamp != "loaded_date" else days)
    guess = suggest_roles(frame)
    assert guess["date"] == spec.roles["date"]
    assert guess["geo"] == spec.roles.get("geo")


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_counts_of_what_ran_are_no_channel_and_a_count_of_stores_a_control(spec):
    """'Ad2 (No_of_banners)' and 'Number of TV spots' count what ran, not money (what the
    data step then lists as activity: tests/test_validation.py); the number of stores open
    is the market's state."""
    frame, rng = _frame(spec)
    for name in ("Ad2 (No_of_banners)", "Number of TV spots"):
        frame[name] = rng.integers(0, 400, len(frame))
    frame["Number of stores"] = rng.integers(80, 120, len(frame))
    guess = suggest_roles(frame)
    assert guess["channels"] == spec.channel_names
    assert "Number of stores" in guess["controls"]
    assert not {"Ad2 (No_of_banners)", "Number of TV spots"} & set(guess["controls"])


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_the_dates_month_quarter_or_weekday_written_out_is_no_control(spec):
    """A month's name, a quarter, a season or a weekday beside the date is the model's own
    yearly season (or day-of-week effects); a sales month marked 0/1 every December and
    a text event are controls."""
    frame, rng = _frame(spec)
    dates = true_dates(spec, frame[spec.roles["date"]])
    frame["Month"] = dates.dt.strftime("%b")
    frame["Quarter"] = "Q" + dates.dt.quarter.astype(str)
    frame["Season"] = dates.dt.month.map(lambda m: ["Winter", "Spring", "Summer",
                                                    "Autumn"][(m % 12) // 3])
    frame["december_sale"] = (dates.dt.month == 12).astype(int)
    frame["promo_event"] = np.where(rng.random(len(frame)) < 0.1,
                                    rng.choice(["spring sale", "launch"], len(frame)), "none")
    if spec.frequency == "D":
        frame["Weekday"] = dates.dt.day_name()
    guess = suggest_roles(frame)
    assert not {"Month", "Quarter", "Season", "Weekday"} & set(guess["controls"])
    assert {"december_sale", "promo_event"} <= set(guess["controls"])
