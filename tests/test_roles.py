import numpy as np
import pandas as pd

from mmm_widgets.steps.roles import suggest_roles


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
                     "geo": "Region", "value_per_unit": None}


def test_bundled_weekly_suggestion(weekly):
    assert suggest_roles(weekly) == {
        "date": "date", "target": "sales",
        "channels": ["tv", "radio", "search", "social", "display"],
        "controls": ["promo", "price_index"], "geo": None,
        "value_per_unit": None}


def test_bundled_geo_suggestion(geo):
    roles = suggest_roles(geo)
    assert roles["geo"] == "geo" and roles["target"] == "sales"
    assert roles["channels"] == ["tv", "search", "social", "display"]
