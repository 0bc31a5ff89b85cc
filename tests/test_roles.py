import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.names import not_spend_kind
from mmm_widgets.steps.roles import suggest_roles
from tests.conftest import run_fix


def _weeks(n=60, start="2023-01-02"):
    return pd.date_range(start, periods=n, freq="W-MON")


def test_robyn_style_names():
    rng = np.random.default_rng(0)
    dates = _weeks()
    frame = pd.DataFrame({
        "DATE": dates.strftime("%Y-%m-%d"), "revenue": rng.uniform(1e5, 2e5, 60),
        "tv_S": rng.uniform(0, 1e4, 60), "ooh_S": rng.uniform(0, 1e4, 60),
        "facebook_I": rng.uniform(0, 1e6, 60), "search_S": rng.uniform(0, 5e3, 60),
        "competitor_sales_B": rng.uniform(1e5, 2e5, 60), "events": rng.integers(0, 2, 60),
    })
    roles = suggest_roles(frame)
    assert roles["date"] == "DATE"
    assert roles["target"] == "revenue"
    assert roles["channels"] == ["tv_S", "ooh_S", "search_S"]
    assert "events" in roles["controls"] and "competitor_sales_B" in roles["controls"]
    assert roles["geo"] is None


def test_spreadsheet_style_names():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "week_start": _weeks(), "Net Sales": rng.uniform(1e5, 2e5, 60),
        "Spend - Search": rng.uniform(0, 1e4, 60), "Spend - Social": rng.uniform(0, 1e4, 60),
        "TV cost (USD)": rng.uniform(0, 1e4, 60), "Avg Price": rng.uniform(9, 11, 60),
        "Holiday": rng.integers(0, 2, 60),
    })
    roles = suggest_roles(frame)
    assert roles["date"] == "week_start"
    assert roles["target"] == "Net Sales"
    assert set(roles["channels"]) == {"Spend - Search", "Spend - Social", "TV cost (USD)"}
    assert set(roles["controls"]) == {"Avg Price", "Holiday"}


def test_day_first_text_dates_and_geo():
    rng = np.random.default_rng(2)
    dates = _weeks(40)
    rows = []
    for region in ("North", "South", "East"):
        for date in dates:
            rows.append({"Week": date.strftime("%d/%m/%Y"), "Region": region,
                         "conversions": rng.integers(100, 500),
                         "google_spend": rng.uniform(0, 1e3), "meta_spend": rng.uniform(0, 1e3),
                         "promo_flag": rng.integers(0, 2)})
    roles = suggest_roles(pd.DataFrame(rows))
    assert roles == {"date": "Week", "target": "conversions",
                     "channels": ["google_spend", "meta_spend"], "controls": ["promo_flag"],
                     "geo": "Region", "value_per_unit": None, "long": None}


def test_bundled_weekly_suggestion(weekly):
    assert suggest_roles(weekly) == {
        "date": "date", "target": "sales",
        "channels": ["tv", "radio", "search", "social", "display"],
        "controls": ["promo", "price_index"], "geo": None,
        "value_per_unit": None, "long": None}


def test_bundled_geo_suggestion(geo):
    roles = suggest_roles(geo)
    assert roles["geo"] == "geo" and roles["target"] == "sales"
    assert roles["channels"] == ["tv", "search", "social", "display"]


def test_abbreviated_spend_and_impressions_as_in_the_media_mix_case_study():
    # The layout of a widely used public case-study table: mdsp_* media spend beside
    # mdip_* impressions, markdowns, holiday and period dummies, counters of the calendar.
    rng = np.random.default_rng(3)
    n = 80
    frame = pd.DataFrame({"wk_strt_dt": _weeks(n).strftime("%Y-%m-%d"),
                          "yr_nbr": _weeks(n).year, "wk_nbr": np.arange(n) % 4 + 1})
    for media in ("dm", "vidtr", "sem"):
        frame[f"mdip_{media}"] = rng.uniform(1e5, 1e7, n).round()
    for media in ("dm", "vidtr", "sem"):
        frame[f"mdsp_{media}"] = rng.uniform(1e4, 1e6, n).round(2)
    frame["sales"] = rng.uniform(1e8, 2e8, n)
    frame["mrkdn_pdm"] = rng.uniform(0, 1e6, n)
    frame["hldy_Father's Day"] = (np.arange(n) % 52 == 24).astype(int)
    roles = suggest_roles(frame)
    assert (roles["date"], roles["target"]) == ("wk_strt_dt", "sales")
    assert roles["channels"] == ["mdsp_dm", "mdsp_vidtr", "mdsp_sem"]
    assert set(roles["controls"]) == {"mrkdn_pdm", "hldy_Father's Day"}


def test_sp_is_spend_only_as_a_word_of_its_own():
    n = 30
    frame = pd.DataFrame({"date": _weeks(n), "sales": np.linspace(1e3, 2e3, n)})
    for shift, name in enumerate(("tv_sp", "Radio SPND", "search spd", "sp500", "spot_rate",
                                  "Special Offer")):
        # spends of their own: one spend written twice is no second channel
        frame[name] = np.linspace(10.5, 50.5, n) + np.sin(np.arange(n) + shift)
    assert suggest_roles(frame)["channels"] == ["tv_sp", "Radio SPND", "search spd"]


def test_a_column_that_never_changes_plays_no_role():
    # A channel that never spent, a placeholder of zeros: validation would refuse either
    # as a channel or a control, so neither is suggested (nor as the target).
    n = 40
    frame = pd.DataFrame({"date": _weeks(n), "init_target": 0.0, "tv_spend": 0.0,
                          "sales": np.linspace(1e3, 2e3, n),
                          "search_spend": np.linspace(5.5, 9.5, n), "promo": 1})
    roles = suggest_roles(frame)
    assert (roles["target"], roles["channels"], roles["controls"]) == (
        "sales", ["search_spend"], [])


def test_the_target_named_by_the_word_alone_before_one_that_only_holds_it():
    # pymc-marketing's time-varying-media example: init_target and y, x1 and x2, and a
    # simulated "media" fluctuation that is no channel beside them.
    rng = np.random.default_rng(4)
    n = 50
    frame = pd.DataFrame({"date_week": _weeks(n), "x1": rng.uniform(0, 1, n),
                          "x2": rng.uniform(0, 1, n), "init_target": rng.uniform(1, 2, n),
                          "hidden_latent_media_fluctuation": rng.uniform(0.5, 1.5, n),
                          "y": rng.uniform(3e3, 6e3, n)})
    roles = suggest_roles(frame)
    assert (roles["target"], roles["channels"]) == ("y", ["x1", "x2"])


def test_a_long_tables_column_of_channel_names_is_no_geo_and_no_control():
    # pymc-marketing's monthly_impressions layout: one row per month and channel.
    months = pd.date_range("2023-01-01", periods=24, freq="MS").strftime("%Y-%m")
    names = ["HMI Audio", "Search", "Social"]
    frame = pd.DataFrame({"month": np.repeat(months, 3), "channel": names * 24,
                          "impressions": np.arange(72) * 1e3 + 5})
    roles = suggest_roles(frame)
    assert (roles["date"], roles["geo"], roles["controls"]) == ("month", None, [])
    # A media market is a geo all the same.
    frame = frame.rename(columns={"channel": "media_market"})
    assert suggest_roles(frame)["geo"] == "media_market"


@pytest.mark.parametrize("labels", [["Channel"], ["Channel", "Metric"]])
def test_a_table_with_a_column_per_date_gets_the_lines_that_turn_it_around(labels):
    # a report turned sideways: a row per channel (and measure), a column per week
    rng = np.random.default_rng(0)
    weeks = pd.date_range("2023-01-02", periods=60, freq="W-MON")
    rows = ["TV", "Radio", "Search", "Sales"]
    side = pd.DataFrame(rng.gamma(2, 1e3, (4, 60)).round(2), columns=weeks.strftime("%d/%m/%Y"))
    side.insert(0, "Channel", rows)
    if len(labels) == 2:
        side.insert(1, "Metric", ["spend", "spend", "spend", "revenue"])
    wf = mw.Workflow(side)
    suggested = wf.suggest_mapping()
    assert (suggested["date"], suggested["target"], suggested["channels"]) == (None, None, [])
    with pytest.raises(mw.DataError) as raised:
        wf.map_data(date=None, target=None, channels=[])
    date_problem = raised.value.problems[0]
    assert "the dates are the column names (02/01/2023, 09/01/2023, 16/01/2023, ...: " \
           "60 columns)" in date_problem.what
    lines = date_problem.fix.split("then map 'date': ")[1].rstrip(".").split("; ")
    turned = run_fix("\n".join(lines), side)
    names_of = {"Channel": rows, "Metric": ["TV spend", "Radio spend", "Search spend",
                                            "Sales revenue"]}
    assert list(turned.columns) == ["date", *names_of[labels[-1]]]
    wf = mw.Workflow(turned)
    suggested = wf.suggest_mapping()
    assert suggested["date"] == "date"
    target = names_of[labels[-1]][-1]
    data = wf.map_data(date="date", target=target, channels=names_of[labels[-1]][:3])
    assert data["date"].tolist() == list(weeks)
    np.testing.assert_allclose(data[target], side.iloc[3, len(labels):].astype(float))


def test_a_money_target_comes_before_a_count_and_ratios_are_no_spend():
    # a shop's sales beside its orders, and ad platforms' ratios beside their spend
    rng = np.random.default_rng(3)
    n = 90
    frame = pd.DataFrame({
        "Day": _weeks(n).strftime("%Y-%m-%d"), "Orders": rng.integers(50, 150, n),
        "Total sales": rng.normal(1e4, 1e3, n), "google_cost": rng.gamma(2, 100, n),
        "meta_spend": rng.gamma(2, 80, n), "Cost / conv.": rng.gamma(5, 3, n),
        "Avg. CPC": rng.gamma(5, 0.2, n), "cost_per_result": rng.gamma(5, 4, n),
        "TV/Radio spend": rng.gamma(2, 500, n)})
    roles = suggest_roles(frame)
    assert roles["target"] == "Total sales"
    assert roles["channels"] == ["google_cost", "meta_spend", "TV/Radio spend"]


def test_media_named_only_by_their_medium_or_platform_are_channels():
    # Course and agency tables name channels by the medium or platform alone (ISLR's
    # Advertising: TV, radio, newspaper); what a channel did and what is not paid media
    # beside them are no spend.
    rng = np.random.default_rng(4)
    n = 80
    media = ["TV", "radio", "newspaper", "Magazines", "Billboards", "Direct Mail", "Paid Social",
             "Sponsorship", "Pinterest", "Snapchat", "LinkedIn", "Bing", "TikTok", "YouTube"]
    frame = pd.DataFrame({"week_start": _weeks(n), "sales": rng.normal(1e4, 1e3, n),
                          **{column: rng.gamma(2, 100, n) for column in media},
                          "tv_spots": rng.integers(5, 40, n),
                          "instagram_followers": np.cumsum(rng.integers(0, 50, n)),
                          "email_opens": rng.integers(100, 900, n),
                          "search_index": rng.uniform(40, 100, n),
                          "social_sentiment": rng.uniform(-1, 1, n),
                          "competitor_tv_spend": rng.gamma(2, 300, n),
                          "outdoor_temp": rng.normal(15, 8, n),
                          "pressure": rng.normal(1013, 8, n)})
    roles = suggest_roles(frame)
    assert roles["target"] == "sales"
    assert roles["channels"] == media
    assert {"search_index", "social_sentiment", "competitor_tv_spend",
            "outdoor_temp"} <= set(roles["controls"])


def test_spend_in_scientific_notation_written_as_text_is_suggested_and_read():
    # a spreadsheet shows a wide number as 2.9669E+05, and its CSV keeps the text
    from tests.conformance.tables import spec, table

    variation = spec(0)
    frame = table(variation)
    written = frame.assign(spend_tv=frame["spend_tv"].map(lambda v: f"{v:.6E}"))
    suggested = suggest_roles(written)
    assert sorted(suggested["channels"]) == sorted(variation.roles["channels"])
    wf = mw.Workflow(written)
    wf.map_data(**variation.roles)
    np.testing.assert_allclose(wf.data["spend_tv"], frame["spend_tv"], rtol=1e-6)


def test_what_an_audience_did_is_no_spend_but_may_be_the_outcome():
    rng = np.random.default_rng(5)
    n = 70
    frame = pd.DataFrame({"week": _weeks(n), "store_visits": rng.normal(5e4, 4e3, n),
                          "tv_spend": rng.gamma(2, 900, n), "search_spend": rng.gamma(2, 300, n),
                          "search_sessions": rng.normal(9e3, 500, n)})
    roles = suggest_roles(frame)
    assert roles["target"] == "store_visits"
    assert roles["channels"] == ["tv_spend", "search_spend"]


def test_emails_sent_and_posts_published_are_no_spend():
    rng = np.random.default_rng(6)
    n = 70
    frame = pd.DataFrame({"date": _weeks(n), "revenue": rng.normal(5e4, 4e3, n),
                          "fb_spend": rng.gamma(2, 900, n), "email_sends": rng.gamma(4, 9e3, n),
                          "Instagram posts": rng.poisson(5, n), "Emails Sent": rng.gamma(4, 9e3, n),
                          "post_buy_spend": rng.gamma(2, 300, n)})
    assert suggest_roles(frame)["channels"] == ["fb_spend", "post_buy_spend"]
    assert [not_spend_kind(c) for c in frame.columns[3:6]] == ["messages sent", "posts",
                                                              "messages sent"]


def test_shares_of_the_budget_or_of_voice_are_no_spend():
    """A plan's split of the budget (``tv_share`` and ``search_share`` adding up to 100 on
    every row) was suggested as two channels, named only as collinear."""
    rng = np.random.default_rng(7)
    n = 80
    tv = rng.uniform(20, 80, n).round(1)
    frame = pd.DataFrame({"date": _weeks(n), "revenue": rng.normal(5e4, 4e3, n),
                          "tv_share": tv, "search_share": 100 - tv, "Social %": tv / 3,
                          "tv_sov": rng.uniform(0, 40, n), "ShareChat_spend": rng.gamma(2, 90, n),
                          "Sharethrough Spend": rng.gamma(2, 70, n)})
    assert suggest_roles(frame)["channels"] == ["ShareChat_spend", "Sharethrough Spend"]
    assert {not_spend_kind(c) for c in frame.columns[2:6]} == {"a ratio"}
    assert not_spend_kind("ShareChat_spend") is None


def test_sales_after_discounts_and_returns_come_before_gross_sales():
    # as a shop's sales report has them: gross, discounts, returns, net, total
    rng = np.random.default_rng(7)
    n = 70
    gross = rng.normal(5e4, 4e3, n)
    frame = pd.DataFrame({"Day": _weeks(n), "Gross sales": gross, "Discounts": -0.1 * gross,
                          "Returns": -0.05 * gross, "Net sales": 0.85 * gross,
                          "Meta spend": rng.gamma(2, 900, n)})
    assert suggest_roles(frame)["target"] == "Net sales"


def test_a_calendar_of_named_days_is_a_control_however_many_names_it_has():
    # a holidays table joined on: empty on most days, 32 names over two years
    rng = np.random.default_rng(8)
    n = 730
    named = np.full(n, None, dtype=object)
    named[::23] = [f"Holiday {k}" for k in range(len(named[::23]))]
    frame = pd.DataFrame({"date": pd.date_range("2023-01-01", periods=n, freq="D"),
                          "holiday_name": named, "notes": named,
                          "sales": rng.normal(5e4, 4e3, n), "tv_spend": rng.gamma(2, 900, n)})
    assert frame["holiday_name"].nunique() == 32
    # named like events it is one; the same text under another name may be free text
    assert suggest_roles(frame)["controls"] == ["holiday_name"]
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(date="date", target="sales", channels=["tv_spend"], controls=["holiday_name"])
    marked = wf.data.filter(like="holiday_name=")
    assert marked.shape[1] == 32
    np.testing.assert_array_equal(marked.sum(axis=1).to_numpy(), frame["notes"].notna())
