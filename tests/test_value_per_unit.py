"""A target counted in units with its value per unit beside it (Meridian's revenue_per_kpi).

The model explains the revenue, units times value row by row, so ROAS is money per unit
of spend; the tables here are generated (daily geo panels, long tables), never the bundled
ones.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.views.data import DataView
from tests.conftest import run_fresh

VALUE = "revenue 'per' order (EUR)"


def _daily_panel(days: int = 42) -> pd.DataFrame:
    """Two markets, ``days`` daily rows each from a Monday; orders and a varying value."""
    rng = np.random.default_rng(7)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    return pd.concat([pd.DataFrame({
        "Day": dates.strftime("%d/%m/%Y"), "market": market,
        "Search cost": rng.uniform(0, 900, days).round(2),
        "TV cost": rng.uniform(0, 3000, days).round(2),
        "Orders": rng.integers(50, 400, days).astype(float),
        VALUE: (30 + 5 * np.sin(np.arange(days) / 3) + 4 * g).round(3),
    }) for g, market in enumerate(["north", "south"])], ignore_index=True)


def test_daily_rows_are_valued_before_they_are_summed_into_weeks(tmp_path):
    raw = _daily_panel()
    wf = mw.Workflow(raw)
    data = wf.map_data(date="Day", target="Orders", channels=["Search cost", "TV cost"],
                       geo="market", aggregate="weekly", value_per_unit=VALUE)
    assert wf.data_result.roles.target == "revenue"
    assert list(data.columns) == ["Day", "market", "Search cost", "TV cost", "revenue"]
    # By hand: each day's orders times that day's value, summed per market and week.
    days = pd.to_datetime(raw["Day"], format="%d/%m/%Y")
    week = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    by_hand = (raw["Orders"] * raw[VALUE]).groupby([week, raw["market"]]).sum()
    shown = data.set_index(["Day", "market"])["revenue"]
    assert len(shown) == 12
    np.testing.assert_allclose(shown.to_numpy(), by_hand.loc[shown.index].to_numpy(),
                               rtol=1e-12)
    # Summing orders and values first would not give the revenue.
    assert not np.allclose(shown.to_numpy(), (
        raw["Orders"].groupby([week, raw["market"]]).sum()
        * raw[VALUE].groupby([week, raw["market"]]).sum()).loc[shown.index].to_numpy())
    raw.to_pickle(tmp_path / "raw.pkl")
    data.to_pickle(tmp_path / "expected.pkl")
    script = wf.to_script()
    assert "mmm_widgets" not in script
    run_fresh("import pandas as pd\nraw = pd.read_pickle('raw.pkl')\n" + script
              + "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n",
              tmp_path)


def test_a_long_table_keeps_the_value_of_each_date(tmp_path):
    wide = _daily_panel(28).query("market == 'north'").drop(columns="market")
    long_frame = wide.melt(id_vars=["Day", "Orders", VALUE],
                           value_vars=["Search cost", "TV cost"], var_name="medium",
                           value_name="cost").sample(frac=1, random_state=1)
    wf = mw.Workflow(long_frame)
    data = wf.map_data(date="Day", target="Orders", channels=(), value_per_unit=VALUE,
                       long={"channel_column": "medium", "value_column": "cost"})
    assert sorted(wf.data_result.roles.channels) == ["Search cost", "TV cost"]
    np.testing.assert_allclose(data["revenue"].to_numpy(),
                               (wide["Orders"] * wide[VALUE]).to_numpy(), rtol=1e-12)
    long_frame.to_pickle(tmp_path / "raw.pkl")
    data.to_pickle(tmp_path / "expected.pkl")
    run_fresh("import pandas as pd\nlong_frame = pd.read_pickle('raw.pkl')\n" + wf.to_script()
              + "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n",
              tmp_path)


@pytest.mark.parametrize(("change", "what"), [
    (lambda df: df.assign(**{VALUE: df[VALUE].where(df.index != 5, -1.0)}), "negative"),
    (lambda df: df.assign(**{VALUE: df[VALUE].where(df.index != 9)}), "missing"),
    (lambda df: df.assign(**{VALUE: df[VALUE].astype(object).where(df.index != 3, "n/a")}),
     "n/a"),
])
def test_a_bad_value_names_its_column_and_keeps_the_previous_mapping(change, what):
    wf = mw.Workflow(_daily_panel())
    kept = wf.map_data(date="Day", target="Orders", channels=["Search cost", "TV cost"],
                       geo="market")
    wf.set_frame(change(_daily_panel()), name="changed")
    with pytest.raises(mw.DataError) as info:
        wf.map_data(date="Day", target="Orders", channels=["Search cost", "TV cost"],
                    geo="market", value_per_unit=VALUE)
    assert info.value.columns == [VALUE]
    assert what in str(info.value)
    assert wf.data is kept


def test_the_value_cannot_play_a_second_role_nor_be_missing():
    wf = mw.Workflow(_daily_panel())
    with pytest.raises(mw.DataError) as info:
        wf.map_data(date="Day", target="Orders", channels=["Search cost", "TV cost", VALUE],
                    geo="market", value_per_unit=VALUE)
    assert "more than one role" in str(info.value) and VALUE in info.value.columns
    with pytest.raises(mw.DataError) as info:
        wf.map_data(date="Day", target="Orders", channels=["Search cost"],
                    value_per_unit="revenue_per_order")
    assert "not in the data" in str(info.value) and "revenue_per_order" in info.value.columns


def test_a_mapped_column_called_revenue_keeps_its_name():
    raw = _daily_panel().rename(columns={"TV cost": "revenue"})
    wf = mw.Workflow(raw)
    data = wf.map_data(date="Day", target="Orders", channels=["Search cost"],
                       controls=["revenue"], geo="market", value_per_unit=VALUE)
    assert wf.data_result.roles.target == "Orders revenue"
    in_order = raw.assign(day=pd.to_datetime(raw["Day"], format="%d/%m/%Y")).sort_values(
        ["day", "market"])
    np.testing.assert_allclose(data["revenue"].to_numpy(), in_order["revenue"].to_numpy())
    np.testing.assert_allclose(data["Orders revenue"].to_numpy(),
                               (in_order["Orders"] * in_order[VALUE]).to_numpy(), rtol=1e-12)


def test_the_data_panel_suggests_applies_and_shows_the_value():
    raw = _daily_panel().rename(columns={VALUE: "revenue_per_order"})
    wf = mw.Workflow(raw)
    panel = DataView(wf, namespace={})
    assert panel.value.value == "revenue_per_order"
    panel.weekly.value = True
    panel.apply_button.click()
    assert "Mapping applied" in panel.message.value, panel.message.value
    assert "<b>revenue</b> = Orders &times; revenue_per_order" in panel.message.value
    assert wf.step("data").params.value_per_unit == "revenue_per_order"
    # Opened again, the panel shows the applied mapping, value included.
    again = DataView(wf, namespace={})
    assert again.value.value == "revenue_per_order"
    again.value.value = "(none)"
    again.apply_button.click()
    assert wf.data_result.roles.target == "Orders"
    assert "revenue" not in wf.data.columns


def test_a_saved_workflow_keeps_the_value_per_unit(tmp_path):
    path = tmp_path / "orders.csv"
    _daily_panel().to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(date="Day", target="Orders", channels=["Search cost", "TV cost"],
                geo="market", aggregate="weekly", value_per_unit=VALUE)
    loaded = mw.Workflow.load(wf.save(tmp_path / "saved"))
    assert loaded.step("data").params.value_per_unit == VALUE
    pd.testing.assert_frame_equal(loaded.data, wf.data)
