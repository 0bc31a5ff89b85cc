"""Amounts in more than one currency are named before they are added together: a column
of currency codes holding several (per geo, per platform), an amount column written in two
currencies, and a channel named in another currency than the target. One currency passes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.currencies import named_currency

WEEKS = 60
DATES = pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON")
GBP_IN_EUR = 1.17


def _accounts(codes: dict[str, str]) -> pd.DataFrame:
    """A panel of ad accounts, each billing (and selling) in its own currency."""
    rng = np.random.default_rng(8)
    return pd.concat([pd.DataFrame({
        "Week": DATES.strftime("%Y-%m-%d"), "Country": country, "Currency code": code,
        "Revenue": rng.uniform(1e4, 2e4, WEEKS).round(2),
        "Cost TV": rng.uniform(100, 1e3, WEEKS).round(2),
        "Cost Search": rng.uniform(50, 500, WEEKS).round(2)})
        for country, code in codes.items()], ignore_index=True)


def _map_accounts(frame: pd.DataFrame, name: str = "accounts") -> mw.Workflow:
    wf = mw.Workflow(frame, name=name)
    wf.map_data(date="Week", target="Revenue", channels=["Cost TV", "Cost Search"],
                geo="Country")
    return wf


def test_a_column_of_several_currencies_is_named_and_its_line_converts_the_amounts():
    accounts = _accounts({"DE": "EUR", "FR": "EUR", "UK": "GBP"})
    suggested = mw.Workflow(accounts).suggest_mapping()
    assert suggested["controls"] == []  # the codes say what the amounts are in
    with pytest.raises(DataError) as raised:
        _map_accounts(accounts)
    # mapped as a control all the same, the codes are named
    with pytest.raises(DataError) as as_control:
        mw.Workflow(accounts).map_data(**{**suggested, "controls": ["Currency code"]})
    assert [p.column for p in as_control.value.problems] == ["Currency code"]
    [found] = [p for p in raised.value.problems if p.column == "Currency code"]
    assert "2 currencies (EUR on 120 rows, GBP on 60 rows)" in found.what

    line = found.fix.split("at your rates: ")[1].split("; or, if")[0]
    assert "<EUR per GBP>" in line
    names = {"accounts": accounts.copy()}
    exec(line.replace("<EUR per GBP>", str(GBP_IN_EUR)), names)
    converted = names["accounts"]
    money = ["Revenue", "Cost TV", "Cost Search"]
    uk = accounts["Country"] == "UK"
    np.testing.assert_allclose(converted.loc[uk, money], accounts.loc[uk, money] * GBP_IN_EUR)
    pd.testing.assert_frame_equal(converted.loc[~uk, money], accounts.loc[~uk, money])
    # converted, the codes still say GBP: the other line of the fix drops them
    drop = found.fix.split("drop the column: ")[1].removesuffix(".")
    exec(drop, names)
    wf = _map_accounts(names["accounts"])
    assert wf.status("data") == "done"
    uk_tv = wf.data.loc[wf.data["Country"] == "UK", "Cost TV"].sum()
    assert uk_tv == pytest.approx(accounts.loc[uk, "Cost TV"].sum() * GBP_IN_EUR)


def test_one_currency_passes():
    assert _map_accounts(_accounts({"DE": "EUR", "FR": "eur "})).status("data") == "done"


def test_a_long_table_of_platforms_billing_in_two_currencies_is_named():
    rng = np.random.default_rng(2)
    export = pd.DataFrame([
        {"Day": day, "Platform": platform, "Currency": currency,
         "Spend": round(float(rng.gamma(2, 80)), 2), "Orders": 500 + i}
        for i, day in enumerate(DATES.strftime("%Y-%m-%d"))
        for platform, currency in (("Meta", "USD"), ("Google", "EUR"))])
    wf = mw.Workflow(export, name="export")
    with pytest.raises(DataError) as raised:
        wf.map_data(date="Day", target="Orders", channels=[],
                    long={"channel_column": "Platform", "value_column": "Spend"})
    [found] = [p for p in raised.value.problems if p.column == "Currency"]
    assert "2 currencies (USD on 60 rows, EUR on 60 rows)" in found.what
    # orders are counted, the same in any currency: only the spend is converted
    assert "export[['Spend']] = export[['Spend']].mul(" in found.fix


def test_an_amount_column_written_in_two_currencies_is_named_with_its_rows():
    rng = np.random.default_rng(5)
    tv = rng.uniform(100, 1e3, WEEKS)
    in_euros = np.arange(WEEKS) % 5 == 2  # a fifth of the rows, from another account
    frame = pd.DataFrame({
        "Week": DATES, "Revenue": rng.uniform(1e4, 2e4, WEEKS),
        "TV": [f"€{v:,.2f}" if euro else f"${v:,.2f}" for v, euro in zip(tv, in_euros,
                                                                        strict=True)],
        "Search": rng.uniform(50, 500, WEEKS)})
    with pytest.raises(DataError) as raised:
        mw.Workflow(frame).map_data(date="Week", target="Revenue", channels=["TV", "Search"])
    [found] = [p for p in raised.value.problems if "currencies" in p.what]
    assert found.column == "TV"
    assert "2 currencies ($ on 48 rows, EUR on 12 rows)" in found.what
    assert found.count == 12
    assert found.rows == tuple(f"row {r}" for r in np.flatnonzero(in_euros)[:4])


@pytest.mark.parametrize("written", [
    lambda v, i: f"${v:,.2f}" if i % 2 else f"USD {v:,.2f}",  # one currency, two ways
    lambda v, i: f"{v:,.2f} €".replace(",", " ").replace(".", ","),
])
def test_an_amount_column_in_one_currency_maps(written):
    rng = np.random.default_rng(6)
    tv = rng.uniform(100, 1e3, WEEKS)
    frame = pd.DataFrame({"Week": DATES, "Revenue": rng.uniform(1e4, 2e4, WEEKS),
                          "TV": [written(v, i) for i, v in enumerate(tv)],
                          "Search": rng.uniform(50, 500, WEEKS)})
    wf = mw.Workflow(frame)
    wf.map_data(date="Week", target="Revenue", channels=["TV", "Search"])
    np.testing.assert_allclose(wf.data["TV"], tv.round(2))


def test_a_row_of_units_above_the_amounts_is_no_amount_in_another_currency():
    rng = np.random.default_rng(7)
    tv = rng.uniform(100, 1e3, WEEKS)
    frame = pd.DataFrame({"Week": ["", *DATES.strftime("%Y-%m-%d")],
                          "Revenue": ["EUR", *rng.uniform(1e4, 2e4, WEEKS).round(2)],
                          "TV": ["EUR", *(f"${v:,.2f}" for v in tv)],
                          "Search": ["EUR", *rng.uniform(50, 500, WEEKS).round(2)]})
    wf = mw.Workflow(frame)
    wf.map_data(date="Week", target="Revenue", channels=["TV", "Search"])
    np.testing.assert_allclose(wf.data["TV"], tv.round(2))


def test_a_channel_named_in_another_currency_than_the_target_is_named():
    rng = np.random.default_rng(9)
    frame = pd.DataFrame({"Week": DATES, "Revenue (EUR)": rng.uniform(1e4, 2e4, WEEKS),
                          "TV spend (USD)": rng.uniform(100, 1e3, WEEKS),
                          "Search spend (EUR)": rng.uniform(50, 500, WEEKS),
                          "Display ($)": rng.uniform(50, 500, WEEKS)})
    wf = mw.Workflow(frame)
    wf.map_data(date="Week", target="Revenue (EUR)",
                channels=["TV spend (USD)", "Search spend (EUR)", "Display ($)"])
    found = [f for f in wf.data_result.warnings if f.kind == "other_currency"]
    assert [f.columns for f in found] == [("TV spend (USD)",), ("Display ($)",)]
    assert "its ROAS would be EUR sold per USD spent" in found[0].message
    line = found[0].message.split("before mapping: ")[1].removesuffix(".")
    names = {"frame": frame.copy()}
    exec(line.replace("<EUR per USD>", "0.92"), names)
    np.testing.assert_allclose(names["frame"]["TV spend (USD)"], frame["TV spend (USD)"] * 0.92)


def test_names_in_one_currency_or_none_are_not_named():
    rng = np.random.default_rng(10)
    frame = pd.DataFrame({"Week": DATES, "Sales (AUD)": rng.uniform(1e4, 2e4, WEEKS),
                          "TV ($)": rng.uniform(100, 1e3, WEEKS),
                          "Search spend": rng.uniform(50, 500, WEEKS)})
    wf = mw.Workflow(frame)
    wf.map_data(date="Week", target="Sales (AUD)", channels=["TV ($)", "Search spend"])
    assert "other_currency" not in [f.kind for f in wf.data_result.warnings]


@pytest.mark.parametrize(("column", "currency"), [
    ("Revenue (EUR)", "EUR"), ("Umsatz TEUR", "EUR"), ("Cost (£k)", "GBP"),
    ("Amount spent (USD)", "USD"), ("sales_eur", "EUR"), ("Spend MXN", "MXN"),
    ("TV spend ($)", "$"), ("pen_spend", None), ("Try-out spend", None), ("tv", None),
    ("Item revenue", None)])
def test_the_currency_a_name_gives(column, currency):
    assert named_currency(column) == currency
