"""Long tables (one row per date, [geo,] and channel) are recognised as such.

Exports from ad platforms and pymc-marketing's own ``monthly_impressions`` are long: a
column names the channel (or platform, or campaign) of each row, one column holds its
spend and the target repeats on every row of a date. The roles used to suggest the spend
column as the one channel, and the mapping then failed on repeated dates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.roles import suggest_roles
from mmm_widgets.views.data import DataView

#: (date column, channel column, spend column, target, geo column or None, campaigns
#: under each channel, how the dates are written)
LAYOUTS = {
    "national": ("week_start", "channel", "spend", "sales", None, 0, "%Y-%m-%d"),
    "platform export": ("DATE", "Platform", "Cost (EUR)", "Net Revenue (EUR)", None, 0,
                        "%d/%m/%Y"),
    "campaigns under channels": ("Week", "Channel", "Amount Spent", "revenue", None, 3,
                                 "%Y-%m-%d"),
    "geo panel": ("date", "medium", "media_cost", "orders_value", "region", 0, "%m/%d/%Y"),
    "campaigns in a geo panel": ("week", "channel", "spend", "sales", "market", 2,
                                 "%Y-%m-%d"),
    # the channel named as an ad's type: it had been suggested as the geo
    "ad types": ("date", "ads_type", "ads_cost", "sales", None, 0, "%Y-%m-%d"),
    "ad types in a geo panel": ("Week", "Ad Type", "Spend", "Revenue", "Market", 0,
                                "%d.%m.%Y"),
}
CHANNELS = ("Search", "Social", "TV", "Display")


def _long_table(layout: str, seed: int = 0) -> pd.DataFrame:
    date, channel, spend, target, geo, campaigns, written = LAYOUTS[layout]
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2022-01-03", periods=70, freq="W-MON")
    geos = ["North", "South", "West"] if geo else [None]
    rows = []
    for week in weeks:
        for where in geos:
            outcome = float(rng.uniform(1e4, 5e4))
            for name in CHANNELS:
                # Display is dark some weeks: those weeks have no row for it at all.
                if name == "Display" and rng.uniform() < 0.3:
                    continue
                for number in range(max(campaigns, 1)):
                    row = {date: week.strftime(written), channel: name,
                           spend: float(rng.uniform(100, 900)), target: outcome,
                           "promo": float(week.month == 12)}
                    if geo:
                        row[geo] = where
                    if campaigns:
                        row["Campaign"] = f"{name} campaign {number}"
                    rows.append(row)
    return pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_a_long_table_is_suggested_as_long_and_maps_to_its_spend_per_channel(layout):
    date, channel, spend, target, geo, _, written = LAYOUTS[layout]
    raw = _long_table(layout)
    suggested = suggest_roles(raw)
    assert suggested["long"] == {"channel_column": channel, "value_column": spend}
    assert (suggested["date"], suggested["target"], suggested["geo"]) == (date, target, geo)
    assert suggested["channels"] == []
    assert channel not in suggested["controls"] and "Campaign" not in suggested["controls"]
    wf = mw.Workflow(raw, name="raw")
    data = wf.map_data(**suggested)
    assert sorted(wf.data_result.roles.channels) == sorted(CHANNELS)
    # Each date's (and geo's) spend per channel, summed over its rows (campaigns), 0 where
    # a channel has no row, straight from the raw table.
    keys = [date, *([geo] if geo else [])]
    parsed = raw.assign(**{date: pd.to_datetime(raw[date], format=written)})
    expected = (parsed.groupby([*keys, channel])[spend].sum().unstack(fill_value=0.0)
                .reset_index())
    got = data[[*keys, *CHANNELS]].sort_values(keys).reset_index(drop=True)
    want = expected[[*keys, *CHANNELS]].sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want.rename_axis(columns=None), check_dtype=False)
    assert (got["Display"] == 0).any()
    outcome = parsed.drop_duplicates(keys).set_index(keys)[target]
    assert np.allclose(data.set_index(keys)[target].sort_index(), outcome.sort_index())


@pytest.mark.parametrize("layout", ["platform export", "geo panel"])
def test_a_long_workbook_with_date_cells_and_a_total_row_maps_and_replays(layout, tmp_path):
    """A sheet stores dates as date cells, read back as datetimes; its Total row's text in
    the date column keeps the column of objects, which the pivot's index must still match."""
    date, channel, spend, _, geo, _, written = LAYOUTS[layout]
    raw = _long_table(layout)
    cells = raw.assign(**{date: pd.to_datetime(raw[date], format=written)})
    total = pd.DataFrame([{date: "Total", spend: float(raw[spend].sum())}])
    path = tmp_path / "export.xlsx"
    pd.concat([cells, total], ignore_index=True).to_excel(path, index=False)
    wf = mw.Workflow.from_file(path)
    roles = wf.suggest_mapping()
    data = wf.map_data(**roles)
    keys = [date, *([geo] if geo else [])]
    expected = cells.groupby([*keys, channel])[spend].sum().unstack(fill_value=0.0)
    got = data.set_index(keys)[list(CHANNELS)].sort_index()
    np.testing.assert_allclose(got.to_numpy(), expected[list(CHANNELS)].sort_index().to_numpy())
    assert "Total" not in set(data[date].astype(str))
    namespace: dict = {}
    exec(wf.to_script(), namespace)
    pd.testing.assert_frame_equal(namespace["data"], data)


def test_a_target_that_differs_between_a_dates_rows_is_no_long_table():
    # Revenue per channel row (platform-attributed) is no shared target to pivot beside.
    raw = _long_table("national")
    raw["sales"] = raw["sales"] + np.arange(len(raw))
    assert suggest_roles(raw)["long"] is None


def test_repeated_dates_name_the_long_layout_in_the_fix():
    raw = _long_table("platform export")
    with pytest.raises(mw.DataError) as error:
        mw.Workflow(raw, name="raw").map_data(date="DATE", target="Net Revenue (EUR)",
                                              channels=["Cost (EUR)"])
    text = str(error.value)
    assert "long={'channel_column': 'Platform', 'value_column': 'Cost (EUR)'}" in text
    # A table whose dates repeat for no channel column keeps the plain fix.
    wide = raw.drop(columns="Platform")
    with pytest.raises(mw.DataError) as error:
        mw.Workflow(wide, name="raw").map_data(date="DATE", target="Net Revenue (EUR)",
                                               channels=["Cost (EUR)"])
    assert "long=" not in str(error.value) and "add them up: raw = raw.groupby(" in str(error.value)


def test_the_data_panel_suggests_the_long_layout_and_applies_it():
    raw = _long_table("geo panel")
    wide = raw.pivot_table(index=["date", "region", "orders_value"], columns="medium",
                           values="media_cost", fill_value=0).reset_index()
    wide.columns.name = None
    panel = DataView(mw.Workflow(raw, name="raw"), namespace={"wide": wide})
    assert panel.is_long.value is True
    assert (panel.channel_column.value, panel.value_column.value) == ("medium", "media_cost")
    assert panel.long_box.layout.display is None and panel.channels.disabled
    assert "long table" in panel.message.value
    assert panel.apply() is not None
    assert sorted(panel.workflow.data_result.roles.channels) == sorted(CHANNELS)
    # Picking a wide table next clears the long layout.
    panel.frame_picker.value = "wide"
    assert panel.is_long.value is False and not panel.channels.disabled
    assert sorted(panel.channels.value) == sorted(CHANNELS)


def test_a_platforms_results_per_campaign_get_the_line_that_totals_them_per_date():
    # an ad platform's export: results attributed to each campaign, not a shared outcome
    rng = np.random.default_rng(4)
    days = pd.date_range("2023-01-02", periods=120, freq="D").strftime("%Y-%m-%d")
    export = pd.DataFrame([
        {"Reporting starts": day, "Campaign name": campaign,
         "Amount spent (EUR)": round(float(rng.gamma(2, 80)), 2),
         "Results": int(rng.integers(1, 40)), "Cost per result": round(float(rng.gamma(5, 4)), 2)}
        for day in days for campaign in ("Prospecting", "Retargeting")])
    assert "Cost per result" not in suggest_roles(export)["channels"]
    long = {"channel_column": "Campaign name", "value_column": "Amount spent (EUR)"}
    wf = mw.Workflow(export, name="export")
    with pytest.raises(mw.DataError) as error:
        wf.map_data(date="Reporting starts", target="Results", channels=[], long=long)
    [problem] = error.value.problems
    line = problem.fix.split("use the date's total on every row: ")[1].split("; otherwise")[0]
    names = {"export": export.copy()}
    exec(line, names)
    data = mw.Workflow(names["export"]).map_data(date="Reporting starts", target="Results",
                                                 channels=[], long=long)
    totals = export.groupby("Reporting starts")["Results"].sum()
    np.testing.assert_array_equal(data["Results"], totals.to_numpy())
    spend = export.pivot(index="Reporting starts", columns="Campaign name",
                         values="Amount spent (EUR)")
    np.testing.assert_allclose(data[["Prospecting", "Retargeting"]], spend.to_numpy())
