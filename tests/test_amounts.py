"""Amounts written as text are read as the numbers they say, by the data cell's own code."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.amounts import (
    decimal_mark,
    find_text_amounts,
    possible_marks,
    with_amounts_read,
)
from tests.conformance.tables import TEXT_AMOUNT_STYLES, TableSpec, table


@pytest.mark.parametrize(("texts", "mark", "numbers"), [
    (["$1,200.50", "$0.99", "(300)", "$ 12,345,678.00"], ".", [1200.5, 0.99, -300, 12345678]),
    (["1.234,56 €", "12,5 €", "−7,25 €", "1 234 567,00 EUR"], ",", [1234.56, 12.5, -7.25,
                                                                    1234567]),
    (["USD 1,000", "USD 25.5"], ".", [1000, 25.5]),
    (["£500", "£1200"], ".", [500, 1200]),  # no separator: both marks read it the same
    (["69,811.13", None, "87,202.78"], ".", [69811.13, np.nan, 87202.78]),
    # zero as a spreadsheet's Accounting format writes it: a lone dash
    ([" $ 1,922.08 ", " $ -   ", "$ (12.50)"], ".", [1922.08, 0, -12.5]),
    (["1.234,56 €", "- €"], ",", [1234.56, 0]),
    (["12,345.00", " - ", "7,000.25"], ".", [12345, 0, 7000.25]),
    # Switzerland groups thousands with apostrophes, typed or typographic
    (["CHF 1'234.50", "CHF 12'345'678.90", "CHF 5.50"], ".", [1234.5, 12345678.9, 5.5]),
    (["1’234.50", "999.00"], ".", [1234.5, 999]),
    # India's lakhs and crores: the last three digits, then pairs
    (["₹1,23,456.78", "₹12,34,567.89", "₹999.99"], ".", [123456.78, 1234567.89, 999.99]),
    (["1,23,45,678.90", "2,00,000.00", "45,000.00"], ".", [12345678.9, 200000, 45000]),
])
def test_text_amounts_read_as_the_numbers_they_say(texts, mark, numbers):
    frame = pd.DataFrame({"spend": pd.Series(texts, dtype=object)})
    assert decimal_mark(frame["spend"]) == mark
    read = with_amounts_read(frame, find_text_amounts(frame, ["spend"]))
    assert read["spend"].dtype == np.float64
    np.testing.assert_allclose(read["spend"].to_numpy(), numbers)


@pytest.mark.parametrize(("texts", "mark", "numbers"), [
    # a number format without decimals groups every amount from 1,000 on: "$288" beside
    # "$4,836" says the comma groups thousands (three decimals on some amounts only would
    # be no format)
    (["$4,836", "$288", "$0", "$12,345"], ".", [4836, 288, 0, 12345]),
    (["4,836", "75", "1,002"], ".", [4836, 75, 1002]),
    (["4.836 €", "288 €", "12.500 €"], ",", [4836, 288, 12500]),
    (["-1,500", "-20"], ".", [-1500, -20]),
])
def test_whole_amounts_grouped_in_thousands_read_as_thousands(texts, mark, numbers):
    frame = pd.DataFrame({"spend": pd.Series(texts, dtype=object)})
    assert decimal_mark(frame["spend"]) == mark
    read = with_amounts_read(frame, find_text_amounts(frame, ["spend"]))
    np.testing.assert_allclose(read["spend"].to_numpy(), numbers)


@pytest.mark.parametrize("texts", [
    ["1,234", "5,678"],            # 1234 or 1.234: the reading is not certain
    ["$4,836", "$0"],              # beside zero only: still not certain
    ["$4,836", "$5"],              # nor beside one digit
    ["4,836", "1288"],             # a bare amount over 999: no format groups some only
    ["1,234", "5.678", "12"],      # both marks, three digits after each
    ["1.5M", "2M"],                # abbreviated
    ["12%", "15%"],                # a rate, not an amount
    ["$1,200", "n/a"],             # a placeholder among amounts
    ["00123", "00456"],            # bare digits: a code more often than an amount
    ["na", "black_friday"],        # an event column
    ["123.45", "-", "67.80"],      # a dash beside plain numbers: zero or missing?
    ["$ -", " - "],                # dashes only: no amount to go by
    ["1,2,3", "4,5,6"],            # commas grouping digits as no amount is written
    ["12,34,5", "1,2"],
])
def test_other_text_is_left_to_the_checks(texts):
    assert decimal_mark(pd.Series(texts, dtype=object)) is None


def test_numbers_are_not_touched():
    assert decimal_mark(pd.Series([1.5, 2.0])) is None


@pytest.mark.parametrize("style", TEXT_AMOUNT_STYLES)
def test_a_table_of_text_amounts_maps_to_its_numbers(style):
    # weeks without TV spend: zero as each style writes it ("$0.00", " $ -  ")
    variation = TableSpec(seed=3, n_channels=3, event_control=True, zero_runs=True)
    numbers = table(variation)
    written = table(dataclasses.replace(variation, text_amounts=style))
    assert written["tv_S"].map(type).eq(str).all()
    assert (numbers["tv_S"] == 0).sum() > 10
    wf = mw.Workflow()
    wf.set_frame(written)
    suggested = wf.suggest_mapping()
    assert suggested["target"] == "sales"
    assert sorted(suggested["channels"]) == ["radio_S", "search_S", "tv_S"]
    assert suggested["controls"] == ["holiday", "events"]
    wf.map_data(**{k: suggested[k] for k in ("date", "target", "channels", "controls")})
    money = ["tv_S", "radio_S", "search_S", "sales"]
    np.testing.assert_allclose(wf.data[money].to_numpy(), numbers[money].to_numpy(),
                               rtol=1e-12)
    assert "text_amounts" in [f.kind for f in wf.data_result.warnings]
    # the data cell's code reads them, without mmm_widgets
    names = {"df": written}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)


def test_a_saved_workflow_keeps_how_it_read_the_amounts(tmp_path):
    written = table(TableSpec(seed=3, n_channels=2, text_amounts="euro"))
    wf = mw.Workflow()
    wf.set_frame(written)
    wf.map_data(date="date", target="sales", channels=["tv_S", "radio_S"])
    loaded = mw.Workflow.load(wf.save(tmp_path / "saved"))
    assert loaded.step("data").params.amounts == wf.step("data").params.amounts
    assert {a.decimal for a in loaded.step("data").params.amounts} == {","}


@pytest.mark.parametrize("style", ["dollar", "euro"])
def test_a_long_tables_spend_written_as_text_is_summed_as_numbers(style):
    variation = TableSpec(seed=3, n_channels=3, long=True, geos=2, event_control=True)
    numbers = mw.Workflow()
    numbers.set_frame(table(variation))
    numbers.map_data(**variation.roles)
    written = table(dataclasses.replace(variation, text_amounts=style))
    spend = variation.long_layout["value_column"]
    assert written[spend].map(type).eq(str).all()
    wf = mw.Workflow()
    wf.set_frame(written)
    assert wf.suggest_mapping()["long"] == variation.long_layout
    wf.map_data(**variation.roles)
    pd.testing.assert_frame_equal(wf.data, numbers.data)
    names = {"df": written}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)
    assert written.equals(table(dataclasses.replace(variation, text_amounts=style)))


def _with_rates(rates: list[str]) -> pd.DataFrame:
    frame = table(TableSpec(seed=3, n_channels=2, periods=len(rates)))
    frame["discount_rate"] = pd.Series(rates, dtype=object)
    return frame


def test_a_control_of_percentages_is_read_as_the_fractions_they_say(tmp_path):
    rates = ["12%", "0%", "-1.5 %", "7.25%"] * 13
    frame = _with_rates(rates)
    wf = mw.Workflow()
    wf.set_frame(frame)
    assert "discount_rate" in wf.suggest_mapping()["controls"]
    wf.map_data(date="date", target="sales", channels=["tv_S", "radio_S"],
                controls=["discount_rate"])
    np.testing.assert_allclose(wf.data["discount_rate"], [0.12, 0.0, -0.015, 0.0725] * 13)
    assert any("'discount_rate' ('12%' is 0.12" in f.message for f in wf.data_result.warnings)
    names = {"df": frame}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)
    loaded = mw.Workflow.load(wf.save(tmp_path / "saved"))
    assert [a.percent for a in loaded.step("data").params.amounts] == [True]


def test_percentages_with_a_decimal_comma_are_read_too():
    # 3,5 % with a narrow no-break space, as French exports write it
    wf = mw.Workflow()
    wf.set_frame(_with_rates(["3,5\u202f%", "4 %", "10,25 %", "0,5%"] * 13))
    wf.map_data(date="date", target="sales", channels=["tv_S", "radio_S"],
                controls=["discount_rate"])
    np.testing.assert_allclose(wf.data["discount_rate"], [0.035, 0.04, 0.1025, 0.005] * 13)


def test_percentages_as_spend_still_stop_with_the_fix():
    frame = _with_rates(["12%", "15%", "3%", "8%"] * 13)
    wf = mw.Workflow()
    wf.set_frame(frame)
    assert "discount_rate" not in wf.suggest_mapping()["channels"]
    with pytest.raises(mw.DataError, match="Remove the % signs") as raised:
        wf.map_data(date="date", target="sales", channels=["tv_S", "discount_rate"])
    assert [p.column for p in raised.value.problems] == ["discount_rate"]


def _abbreviated(value: float) -> str:
    """A dashboard's short form, written here by hand: $950, $91.7K, $1.83M."""
    if abs(value) < 1e3:
        return f"${value:.0f}"
    if abs(value) < 1e6:
        return f"${value / 1e3:.1f}K"
    return f"${value / 1e6:.2f}M"


def _rounded(value: float) -> float:
    """The number ``_abbreviated(value)`` rounds to."""
    if abs(value) < 1e3:
        return round(value)
    if abs(value) < 1e6:
        return round(value / 1e3, 1) * 1e3
    return round(value / 1e6, 2) * 1e6


def test_amounts_abbreviated_by_their_scale_get_the_line_that_reads_them():
    # spend copied from a dashboard: $950, $91.7K, $1.83M; the target in full
    variation = TableSpec(seed=5, n_channels=3, zero_runs=True)
    numbers = table(variation)
    spend = numbers["tv_S"] * np.where(np.arange(len(numbers)) % 9 == 0, 400, 1)
    written = numbers.assign(tv_S=spend.map(_abbreviated))
    assert written["tv_S"].str.endswith("M").any() and written["tv_S"].str.endswith("K").any()
    wf = mw.Workflow()
    wf.set_frame(written)
    roles = {"date": variation.roles["date"], "target": "sales",
             "channels": ["tv_S", "radio_S", "search_S"]}
    assert sorted(wf.suggest_mapping()["channels"]) == sorted(roles["channels"])
    with pytest.raises(mw.DataError) as raised:
        wf.map_data(**roles)
    found = next(p for p in raised.value.problems if p.column == "tv_S")
    assert "abbreviated" in found.what and "rounded" in found.what
    line = found.fix.split("round to: ", 1)[1].removesuffix(".")
    names = {"df": written.copy(), "pd": pd}
    exec(line, names)
    np.testing.assert_allclose(names["df"]["tv_S"].to_numpy(), spend.map(_rounded).to_numpy(),
                               rtol=1e-12)
    wf.set_frame(names["df"])
    wf.map_data(**roles)
    assert wf.data["tv_S"].dtype == np.float64


@pytest.mark.parametrize("texts", [["1,2K", "950"], ["12 months", "3"], ["$1,200.50", "x"]])
def test_other_text_gets_no_abbreviated_reading(texts):
    from mmm_widgets.steps.amounts import abbreviated
    assert not abbreviated(texts)


def _whole(amount: float, style: str) -> str:
    """``amount`` rounded to a whole unit, as a format without decimals writes it."""
    grouped = f"{round(amount):,}"
    return f"${grouped}" if style == "dollar" else grouped.replace(",", ".") + " €"


@pytest.mark.parametrize("scheme", ["suffix_s", "spend_prefix", "platform_cost"])
@pytest.mark.parametrize("style", ["dollar", "euro"])
def test_a_table_of_whole_amounts_maps_to_its_numbers(scheme, style):
    # Radio spends 265 to 3,965: '$288' beside '$2,394' says its mark. Search (9,917 up)
    # and the sales (94,494 up) write four digits or more in every row ('$12,345'), which
    # alone reads two ways; the table's other amounts say which.
    variation = TableSpec(seed=3, n_channels=3, channel_scheme=scheme, event_control=True,
                          zero_runs=True)
    numbers = table(variation)
    money = [*variation.channel_names, "sales"]
    written = numbers.assign(**{c: numbers[c].map(lambda v: _whole(v, style)) for c in money})
    search = variation.channel_names[2]
    assert possible_marks(written[search]) == (".", ",")
    assert possible_marks(written["sales"]) == (".", ",")
    wf = mw.Workflow()
    wf.set_frame(written)
    suggested = wf.suggest_mapping()
    assert suggested["target"] == "sales"
    assert sorted(suggested["channels"]) == sorted(variation.channel_names)
    wf.map_data(**{k: suggested[k] for k in ("date", "target", "channels", "controls")})
    np.testing.assert_allclose(wf.data[money].to_numpy(), numbers[money].round().to_numpy(),
                               rtol=1e-12)
    names = {"df": written}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)


def test_amounts_that_read_two_ways_follow_the_tables_other_amounts():
    frame = pd.DataFrame({"tv": ["$1,200.50", "$3.99"], "search": ["$4,836", "$5,000"],
                          "radio": ["$1,234", "$9,999"]})
    found = find_text_amounts(frame, ["tv", "search", "radio"])
    assert {c: a.decimal for c, a in found.items()} == {"tv": ".", "search": ".", "radio": "."}
    assert list(found) == ["tv", "search", "radio"]
    read = with_amounts_read(frame, found)
    np.testing.assert_allclose(read["search"].to_numpy(), [4836, 5000])


def test_amounts_that_read_two_ways_stay_unread_when_the_table_says_both_marks():
    frame = pd.DataFrame({"tv": ["$1,200.50", "$3.99"], "radio": ["12,5 €", "3,25 €"],
                          "search": ["$4,836", "$5,000"]})
    found = find_text_amounts(frame, ["tv", "radio", "search"])
    assert "search" not in found
    assert {c: a.decimal for c, a in found.items()} == {"tv": ".", "radio": ","}
