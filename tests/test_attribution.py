"""Step 5 — attribution: MMM shares vs multi-touch and platform credit, export and replay."""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.mta import MODELS, attribute
from mmm_widgets.steps.attribution import (
    AttributionParams,
    cell,
    difference_table,
    platform_numbers,
    suggest_channel_map,
    suggest_journey_columns,
)
from tests.conftest import run_fresh

CHANNELS = ["tv", "radio", "search", "social", "display"]
MAPPED = ["search", "social", "display"]
HOSTILE = 'x"); import os #'


def _mapped_workflow(weekly: pd.DataFrame) -> mw.Workflow:
    wf = mw.Workflow(weekly)
    wf.map_data(date="date", target="sales", channels=CHANNELS, controls=["promo", "price_index"])
    wf.configure_model()
    return wf


@pytest.fixture(scope="module")
def fitted() -> mw.Workflow:
    wf = _mapped_workflow(mw.datasets.load("weekly_sales"))
    wf.fit("map")
    return wf


@pytest.fixture(scope="module")
def sampled() -> mw.Workflow:
    wf = _mapped_workflow(mw.datasets.load("weekly_sales"))
    wf.fit(draws=200, tune=200, chains=2, random_seed=3)
    return wf


@pytest.fixture
def journeys() -> pd.DataFrame:
    return mw.datasets.load("journeys")


def _cell_credit(events, models, half_life="2D", **cut) -> pd.DataFrame:
    touches, per_journey = cell.cut_journeys(events, "user", "time", "channel", "conv", **cut)
    weight = per_journey["value" if cut.get("value") else "conversions"]
    columns = {}
    for model in models:
        if model == "markov":
            columns[model] = cell.markov_credit(touches, per_journey, weight)
        elif model == "shapley":
            columns[model] = cell.shapley_credit(touches, weight)
        elif model == "logistic":
            columns[model] = cell.logistic_credit(touches, per_journey, weight)
        else:
            columns[model] = cell.rule_credit(touches, weight, model, half_life=half_life,
                                              direct_channel="Direct")
    return pd.DataFrame(columns).fillna(0.0).sort_index()


# ----- the exported functions against the reference package ----------------------------
@pytest.mark.parametrize("variant", ["plain", "value_lookback", "text_flags", "numeric_times"])
def test_cell_functions_equal_reference_mta(journeys, variant):
    events = journeys.rename(columns={"user_id": "user", "timestamp": "time",
                                      "converted": "conv"})
    cut: dict = {}
    reference: dict = {"half_life": "2D", "direct_channel": "Direct"}
    if variant == "value_lookback":
        cut = {"value": "revenue", "lookback": "3D"}
        reference.update(value="revenue", weight="value", lookback="3D")
    elif variant == "text_flags":
        events = events.assign(conv=events["conv"].map({1: " Yes", 0: "no"}))
    elif variant == "numeric_times":
        events = events.assign(time=(events["time"] - events["time"].min()).dt.total_seconds()
                               / 86400)
        cut = {"half_life": 2.0}
        reference["half_life"] = 2.0
    mine = _cell_credit(events, MODELS, **cut)
    expected = attribute(events, "user", "time", "channel", "conv", models=MODELS, **reference)
    assert list(mine.index) == list(expected.index)
    np.testing.assert_allclose(mine.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-9)


def test_cell_functions_need_only_numpy_and_pandas():
    tree = ast.parse(inspect.getsource(cell))
    imported = {alias.name for node in tree.body
                if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names}
    assert imported <= {"annotations", "numpy", "pandas"}
    # Only the logistic model needs more: scikit-learn, imported inside its function.
    inside = {(function.name, node.module) for function in tree.body
              if isinstance(function, ast.FunctionDef) for node in ast.walk(function)
              if isinstance(node, ast.Import | ast.ImportFrom)}
    assert inside == {("logistic_credit", "sklearn.linear_model")}
    namespace = {"np": np, "pd": pd}
    for name in set(cell.FUNCTIONS.values()) | {"cut_journeys"}:
        exec(inspect.getsource(getattr(cell, name)), namespace)
        assert callable(namespace[name])


def test_bundled_journeys_come_from_the_generator_and_fit_weekly_sales(journeys, weekly):
    from mmm_widgets.datasets.generate_journeys import make_journeys

    generated, truth = make_journeys()
    pd.testing.assert_frame_equal(journeys, generated.astype(journeys.dtypes.to_dict()),
                                  check_exact=False, rtol=1e-12)
    assert mw.datasets.truth("journeys") == truth
    assert 15_000 <= len(journeys) <= 25_000
    assert mw.datasets.path("journeys").stat().st_size < 300_000
    assert set(journeys["channel"]) == {"Paid Search", "Paid Social", "Display", "Email",
                                        "Direct"}
    assert weekly["date"].min() <= journeys["timestamp"].min()
    assert journeys["timestamp"].max() < weekly["date"].max() + pd.Timedelta(days=7)
    assert journeys.loc[journeys["converted"] == 1, "revenue"].notna().all()
    assert journeys.loc[journeys["converted"] == 0, "revenue"].isna().all()


# ----- suggestions ----------------------------------------------------------------------
def test_channel_map_suggestion_on_real_world_labels():
    labels = ["Paid Search", "paid_social", "Display Ads", "Facebook", "Organic Search",
              "(direct)", "Email", "Dispaly", "TV ", "Google Ads"]
    suggested = suggest_channel_map(labels, CHANNELS)
    assert suggested == {"Paid Search": "search", "paid_social": "social",
                         "Display Ads": "display", "Dispaly": "display", "TV ": "tv"}
    spend_named = suggest_channel_map(["Paid Search", "Social", "Direct"],
                                      ["tv_spend", "search_spend", "social_cost"])
    assert spend_named == {"Paid Search": "search_spend", "Social": "social_cost"}
    assert suggest_channel_map(["email"], ["email", "search"]) == {"email": "email"}


def test_journey_columns_guessed_by_name_and_content(journeys):
    assert suggest_journey_columns(journeys) == {
        "user": "user_id", "time": "timestamp", "channel": "channel",
        "conversion": "converted", "value": "revenue"}
    odd = journeys.rename(columns={"user_id": "Visitor ID", "timestamp": "when",
                                   "channel": "Touchpoint", "converted": "bought",
                                   "revenue": "Order Value"})
    guessed = suggest_journey_columns(odd)
    assert guessed == {"user": "Visitor ID", "time": "when", "channel": "Touchpoint",
                       "conversion": "bought", "value": "Order Value"}


def test_platform_numbers_accept_dict_series_frame_and_labels():
    expected = {"search": 5.0, "social": 2.0}
    assert platform_numbers({"search": 5, "social": 2}, CHANNELS) == expected
    assert platform_numbers(pd.Series({"search": 5, "social": 2}), CHANNELS) == expected
    frame = pd.DataFrame({"platform": ["Google", "Meta", "Meta"], "reported": [5, 1, 1]})
    assert platform_numbers(frame, CHANNELS, {"Google": "search", "Meta": "social"}) == expected
    with pytest.raises(mw.DataError, match="'Bing'") as caught:
        platform_numbers({"Bing": 3, "search": -1}, CHANNELS)
    assert len(caught.value.problems) == 2


def test_params_round_trip_through_json():
    import json

    params = AttributionParams(
        journeys=mw.datasets.source_of(mw.datasets.load("journeys"), "journeys"),
        user="user_id", time="timestamp", channel="channel", conversion="converted",
        value="revenue", models=("last_touch", "markov"), lookback="30D", half_life=3.5,
        grouping={"Paid Social": "Social"}, channel_map={HOSTILE: "search"},
        platform={"search": 10.0}, period=("2024-07-01", "2024-12-29"))
    again = AttributionParams.from_dict(json.loads(json.dumps(params.to_dict())))
    assert again == params


# ----- the step on a fitted model -------------------------------------------------------
@pytest.mark.fit
def test_shares_sum_to_one_and_flags_mark_outside(fitted, journeys):
    table = fitted.attribution(journeys, platform={"search": 900, "social": 500,
                                                   "display": 100, "tv": 300})
    methods = ["last_touch", "first_touch", "linear", "markov", "platform"]
    assert list(table.index) == CHANNELS
    assert list(table.columns) == ["mmm_share", "mmm_share_hdi_low", "mmm_share_hdi_high",
                                   *[f"{m}_share" for m in methods],
                                   *[f"{m}_mmm{end}" for m in methods
                                     for end in ("", "_hdi_low", "_hdi_high")],
                                   *[f"{m}_outside" for m in methods], "mmm_incremental",
                                   *[f"{m}_incremental{end}" for m in methods
                                     for end in ("", "_hdi_low", "_hdi_high")]]
    for method in ["mmm", *methods]:
        assert table[f"{method}_share"].sum() == pytest.approx(1.0)
    for method in methods[:-1]:
        assert (table.loc[["tv", "radio"], f"{method}_share"] == 0).all()
        assert table.loc[MAPPED, f"{method}_share"].sum() == pytest.approx(1.0)
    # Each method against the MMM's share over the channels it covers
    for method in methods:
        share = table[f"{method}_share"]
        low, high = table[f"{method}_mmm_hdi_low"], table[f"{method}_mmm_hdi_high"]
        pd.testing.assert_series_equal(table[f"{method}_outside"],
                                       (share < low) | (share > high), check_names=False)
        covered = table[f"{method}_mmm"].dropna().index
        assert table.loc[covered, f"{method}_mmm"].sum() == pytest.approx(1.0)
    assert table["linear_mmm"].dropna().index.tolist() == MAPPED
    assert table["platform_mmm"].dropna().index.tolist() == ["tv", "search", "social", "display"]
    assert not table.loc[["tv", "radio"], "linear_outside"].any()
    assert table.loc["tv", "platform_share"] == pytest.approx(300 / 1800)
    # Last click favours the lower funnel: search gets more than under first touch.
    assert table.loc["search", "last_touch_share"] > table.loc["search", "first_touch_share"]
    result = fitted.attribution_result
    assert result.unseen == ("tv", "radio") and result.unmapped == ("Direct", "Email")
    assert any("tv and radio have no touches" in note for note in result.notes)
    assert any("MAP" in note for note in result.notes)
    gaps = difference_table(table)
    assert gaps.loc["search", "markov"] == pytest.approx(
        table.loc["search", "markov_share"] - table.loc["search", "markov_mmm"])


@pytest.mark.fit
def test_mmm_share_is_share_of_media_contribution_over_the_journey_weeks(fitted, journeys):
    table = fitted.attribution(journeys, models=["linear"])
    contribution = fitted.mmm.data.get_channel_contributions(original_scale=True)
    weeks = contribution.sel(date=slice("2024-07-01", "2024-12-29")).sum(("chain", "draw",
                                                                          "date"))
    expected = (weeks / weeks.sum()).to_series()
    np.testing.assert_allclose(table["mmm_share"], expected.loc[CHANNELS], rtol=1e-12)
    # Over every fitted week: the share of what lands on those weeks (the fit table's
    # share also counts the carryover after the last week, so it differs slightly).
    whole = fitted.attribution(period=None)
    every_week = contribution.sum(("chain", "draw", "date"))
    np.testing.assert_allclose(whole["mmm_share"],
                               (every_week / every_week.sum()).to_series().loc[CHANNELS],
                               rtol=1e-12)
    assert fitted.step("attribution").params.models == ("linear",)


@pytest.mark.fit
def test_reuse_changes_only_what_is_passed(fitted, journeys):
    first = fitted.attribution(journeys, models=["last_touch", "shapley"])
    again = fitted.attribution(platform={"search": 1.0})
    kept = ["mmm_share", "last_touch_share", "shapley_share", "shapley_outside"]
    pd.testing.assert_frame_equal(again[kept], first[kept])
    assert again["platform_share"].tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]
    mapped = fitted.attribution(channel_map={"Paid Search": "search"})
    assert mapped.loc["search", "last_touch_share"] == 1.0


@pytest.mark.fit
def test_bad_journeys_are_data_errors_naming_column_and_fix(fitted, journeys):
    before = fitted.attribution(journeys)
    with pytest.raises(mw.DataError, match="user_idd") as caught:
        fitted.attribution(journeys, user="user_idd")
    assert "Did you mean 'user_id'" in str(caught.value)
    broken = journeys.assign(timestamp=journeys["timestamp"].astype(str))
    broken.loc[[3, 7], "timestamp"] = "next tuesday"
    with pytest.raises(mw.DataError, match="timestamp") as caught:
        fitted.attribution(broken)
    assert caught.value.problems[0].rows[:2] == ("3", "7")
    with pytest.raises(mw.DataError, match="No touch is flagged as a conversion"):
        fitted.attribution(journeys.assign(converted=0))
    with pytest.raises(mw.DataError, match="None of the journey channels maps") as caught:
        fitted.attribution(journeys, channel_map={"Nope": "search"})
    assert "Suggested: channel_map=" in str(caught.value)
    with pytest.raises(mw.DataError, match="not a channel of the model"):
        fitted.attribution(journeys, channel_map={"Paid Search": "seo"})
    pd.testing.assert_frame_equal(fitted.attribution_result.table, before)


@pytest.mark.fit
def test_hostile_labels_and_columns_stay_data(fitted, journeys, tmp_path):
    events = journeys.rename(columns={"channel": HOSTILE})
    events[HOSTILE] = events[HOSTILE].replace({"Paid Search": HOSTILE})
    table = fitted.attribution(events, name="touches", channel=HOSTILE,
                               channel_map={HOSTILE: "search", "Display": "display"})
    assert table.loc["search", "last_touch_share"] > 0
    code = fitted.step_code("attribution")
    assert repr(HOSTILE) in code
    imports = {alias.name for node in ast.walk(ast.parse(code))
               if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names}
    assert imports == {"arviz", "numpy", "pandas", "xarray"}
    _replay_cell(fitted, events, "touches", tmp_path)


def _replay_cell(workflow: mw.Workflow, events: pd.DataFrame, name: str, tmp_path,
                 raw: str | None = None) -> None:
    """Run the exported cell alone in a fresh interpreter; its table must equal the step's.

    ``raw`` names the workflow's raw table, bound too when the cell reads columns of it.
    """
    workflow.mmm.save(str(tmp_path / "model.nc"))
    events.to_parquet(tmp_path / "events.parquet")
    workflow.attribution_result.table.to_pickle(tmp_path / "expected.pkl")
    code = workflow.step_code("attribution")
    assert "mmm_widgets" not in code
    bind_raw = ""
    if raw is not None:
        workflow.raw.to_parquet(tmp_path / "raw.parquet")
        bind_raw = f"{raw} = pd.read_parquet('raw.parquet')"
    run_fresh(f"""
import pandas as pd
from pymc_marketing.mmm import MMM
mmm = MMM.load('model.nc')
{name} = pd.read_parquet('events.parquet')
{bind_raw}
""" + code + "\npd.testing.assert_frame_equal(attribution, pd.read_pickle('expected.pkl'), "
                 "check_exact=True)\nprint('replayed')\n", tmp_path)


@pytest.mark.fit
def test_exported_cell_reproduces_the_table_exactly(fitted, journeys, tmp_path):
    my_touches = journeys.iloc[::2].reset_index(drop=True)
    fitted.attribution(my_touches, platform={"search": 3, "social": 2}, lookback="14D",
                       models=list(MODELS))
    assert fitted.step("attribution").params.journeys.name == "my_touches"
    assert "cut_journeys(my_touches, " in fitted.step_code("attribution")
    _replay_cell(fitted, my_touches, "my_touches", tmp_path)


@pytest.mark.fit
def test_whole_script_replays_in_fresh_process(journeys, tmp_path, weekly):
    wf = _mapped_workflow(weekly)
    wf.fit("map")
    table = wf.attribution(journeys, platform={"search": 3.0})
    script = wf.to_script()
    assert "mmm_widgets" not in script
    assert "pd.read_csv(" in script and "journeys.csv.gz" in script
    table.to_pickle(tmp_path / "expected.pkl")
    run_fresh(script + "\nexpected = pd.read_pickle('expected.pkl')\n"
              "mta = [c for c in expected.columns if not c.startswith('mmm_')]\n"
              "pd.testing.assert_frame_equal(attribution[mta], expected[mta], check_exact=True)\n"
              "pd.testing.assert_frame_equal(attribution, expected, rtol=1e-6)\n", tmp_path)


@pytest.mark.fit
def test_save_and_load_reproduce_the_comparison(fitted, journeys, tmp_path):
    shop_touches = journeys.assign(channel=journeys["channel"].str.upper())
    table = fitted.attribution(shop_touches, platform={"search": 7.0},
                               channel_map={"PAID SEARCH": "search", "DISPLAY": "display"})
    fitted.save(tmp_path / "saved")
    assert (tmp_path / "saved" / "journeys.parquet").exists()
    loaded = mw.Workflow.load(tmp_path / "saved")
    assert loaded.status("attribution") == "done"
    pd.testing.assert_frame_equal(loaded.attribution_result.table, table, check_exact=True)
    assert loaded.step("attribution").params == fitted.step("attribution").params
    assert loaded.step_code("attribution") == fitted.step_code("attribution")


@pytest.mark.fit
def test_posterior_interval_flags_agree_with_shares(sampled, journeys):
    share = sampled.attribution(journeys, models=["linear"], period=None)["mmm_share"]
    # Platform numbers proportional to the MMM's mean shares fall inside its interval.
    table = sampled.attribution(platform=(share * 1000).to_dict())
    low, high = table["mmm_share_hdi_low"], table["mmm_share_hdi_high"]
    assert (low < table["mmm_share"]).all() and (table["mmm_share"] < high).all()
    # Platform numbers for every channel are compared with the MMM's share of all media.
    np.testing.assert_allclose(table["platform_mmm"], table["mmm_share"], rtol=1e-12)
    assert not table["platform_outside"].any()
    # The journeys do not cover tv and radio: no verdict on them.
    assert not table.loc[["tv", "radio"], "linear_outside"].any()
    low, high = table["linear_mmm_hdi_low"], table["linear_mmm_hdi_high"]
    outside = (table["linear_share"] < low) | (table["linear_share"] > high)
    assert table["linear_outside"].tolist() == outside.tolist()
    assert not any("MAP" in note for note in sampled.attribution_result.notes)


@pytest.mark.fit
def test_exported_name_avoids_names_other_steps_use(fitted, journeys):
    data = journeys.head(4000)
    fitted.attribution(data)
    assert fitted.step("attribution").params.journeys.name == "journeys"
    fitted.attribution(journeys.head(3000))
    assert fitted.step("attribution").params.journeys.name == "journeys"
    fitted.attribution(journeys.head(3000), name="crm_touches")
    assert "cut_journeys(crm_touches, " in fitted.step_code("attribution")
    assert mw.steps.attribution.suggest_channel_map(["Paid Search"], CHANNELS) == {
        "Paid Search": "search"}


# ----- platform numbers from columns of the data ----------------------------------------
REPORTED = {"search": "search_platform_conversions", "social": "social_platform_conversions"}


@pytest.fixture(scope="module")
def reported() -> mw.Workflow:
    weekly_reported = mw.datasets.load("weekly_sales")
    rng = np.random.default_rng(5)
    for column in REPORTED.values():
        weekly_reported[column] = rng.integers(50, 150, len(weekly_reported)).astype(float)
    weekly_reported.loc[3, "social_platform_conversions"] = np.nan
    wf = _mapped_workflow(weekly_reported)
    wf.fit("map")
    return wf


def test_platform_columns_split_from_numbers():
    from mmm_widgets.steps.attribution import platform_columns

    numbers, columns = platform_columns({"search": "col_a", "tv": 30}, CHANNELS)
    assert numbers == {"tv": 30} and columns == {"search": "col_a"}
    numbers, columns = platform_columns({"Google": "col_a"}, CHANNELS, {"Google": "search"})
    assert numbers is None and columns == {"search": "col_a"}
    assert platform_columns(pd.Series({"search": 3.0}), CHANNELS)[1] == {}
    with pytest.raises(mw.DataError, match="'Bing'"):
        platform_columns({"Bing": "col_b"}, CHANNELS)


@pytest.mark.fit
def test_platform_numbers_read_from_columns_over_the_compared_period(reported, journeys,
                                                                       tmp_path):
    crm_touches = journeys.iloc[::2].reset_index(drop=True)
    table = reported.attribution(crm_touches, platform={**REPORTED, "tv": 500},
                                 models=["last_touch"])
    params = reported.step("attribution").params
    assert params.platform_columns == REPORTED and params.platform == {"tv": 500.0}
    raw = reported.raw
    dates = pd.to_datetime(raw["date"])
    inside = raw[(dates >= params.period[0]) & (dates <= params.period[1])]
    sums = {channel: inside[column].sum() for channel, column in REPORTED.items()}
    total = sums["search"] + sums["social"] + 500
    assert 0 < len(inside) < len(raw)
    assert table.loc["search", "platform_share"] == pytest.approx(sums["search"] / total)
    assert table.loc["tv", "platform_share"] == pytest.approx(500 / total)
    assert table.loc["radio", "platform_share"] == 0.0
    code = reported.step_code("attribution")
    assert "platform_rows['search_platform_conversions'].sum()" in code
    _replay_cell(reported, crm_touches, "crm_touches", tmp_path, raw=reported.source.name)
    whole = reported.attribution(period=None)
    assert whole.loc["search", "platform_share"] == pytest.approx(
        raw["search_platform_conversions"].sum() / (raw["search_platform_conversions"].sum()
                                                    + raw["social_platform_conversions"].sum()
                                                    + 500))


@pytest.mark.fit
def test_platform_columns_that_are_missing_or_not_counts_are_data_errors(reported, journeys):
    before = reported.attribution(journeys, platform=REPORTED)
    with pytest.raises(mw.DataError, match="search_platform_conversion'") as caught:
        reported.attribution(platform={"search": "search_platform_conversion"})
    assert "Did you mean 'search_platform_conversions'" in str(caught.value)
    with pytest.raises(mw.DataError, match="not counts of conversions"):
        reported.attribution(platform={"search": "date"})
    pd.testing.assert_frame_equal(reported.attribution_result.table, before)


# ----- custom rules ---------------------------------------------------------------------
@pytest.mark.fit
def test_custom_rule_is_compared_exported_and_saved(fitted, journeys, tmp_path):
    rule = mw.mta.custom_rule("my_rule", first=0.3, middle=0.4, last=0.3)
    decayed = mw.mta.custom_rule("late_middle", first=0.2, middle=0.6, last=0.2,
                                 half_life="2D")
    crm_touches = journeys.iloc[::2].reset_index(drop=True)
    table = fitted.attribution(crm_touches, models=["last_touch", rule, decayed])
    params = fitted.step("attribution").params
    assert params.models == ("last_touch", "my_rule", "late_middle")
    for name in ("my_rule", "late_middle"):
        assert f"{name}_share" in table and f"{name}_outside" in table
        assert table[f"{name}_share"].sum() == pytest.approx(1.0)
    reference = attribute(crm_touches, "user_id", "timestamp", "channel", "converted",
                          value="revenue", weight="value", models=[rule, decayed])
    credit = fitted.attribution_result.credit
    np.testing.assert_allclose(credit["my_rule"], reference["my_rule"], rtol=1e-9)
    np.testing.assert_allclose(credit["late_middle"], reference["late_middle"], rtol=1e-9)
    code = fitted.step_code("attribution")
    assert "shares=(0.3, 0.4, 0.3)" in code and "half_life='2D', shares=(0.2, 0.6, 0.2)" in code
    _replay_cell(fitted, crm_touches, "crm_touches", tmp_path)
    fitted.save(tmp_path / "saved")
    loaded = mw.Workflow.load(tmp_path / "saved")
    assert loaded.step("attribution").params == params
    pd.testing.assert_frame_equal(loaded.attribution_result.table, table, check_exact=True)
    with pytest.raises(mw.DataError, match="listed twice"):
        fitted.attribution(models=["linear", mw.mta.custom_rule("linear_2", 0.5, 0, 0.5),
                                   mw.mta.custom_rule("linear_2", 0.2, 0.6, 0.2)])


# ----- influenced vs incremental --------------------------------------------------------
@pytest.mark.fit
def test_incremental_credit_adds_up_to_the_mmm_contribution(sampled, journeys):
    table = sampled.attribution(journeys, models=["linear", "markov"])
    contribution = sampled.mmm.data.get_channel_contributions(original_scale=True)
    weeks = contribution.sel(date=slice(*sampled.step("attribution").params.period))
    total = weeks.sum(("date", "channel"))
    covered = weeks.sel(channel=MAPPED).sum(("date", "channel"))
    np.testing.assert_allclose(table["mmm_incremental"].sum(), float(total.mean()), rtol=1e-9)
    for method in ("linear", "markov"):
        column = table[f"{method}_incremental"]
        # The journeys' channels share the MMM's contribution of those channels.
        assert column.sum() == pytest.approx(float(covered.mean()), rel=1e-9)
        np.testing.assert_allclose(column, table[f"{method}_share"] * float(covered.mean()))
        low, high = table[f"{method}_incremental_hdi_low"], table[f"{method}_incremental_hdi_high"]
        assert (low <= column).all() and (column <= high).all()
        assert (low.loc[MAPPED] < high.loc[MAPPED]).all()
        assert (table.loc[["tv", "radio"], f"{method}_incremental"] == 0).all()


# ----- interval level -------------------------------------------------------------------
@pytest.mark.fit
def test_interval_level_reaches_attribution_and_its_export(sampled, journeys):
    previous = mw.set_interval(0.5)
    try:
        narrow = sampled.attribution(journeys, models=["linear"])
        assert sampled.step("attribution").params.hdi_prob == 0.5
        assert "prob=0.5)" in sampled.step_code("attribution")
    finally:
        mw.set_interval(previous)
    wide = sampled.attribution(journeys, models=["linear"])
    assert sampled.step("attribution").params.hdi_prob == 0.94
    assert ((wide["mmm_share_hdi_high"] - wide["mmm_share_hdi_low"])
            > (narrow["mmm_share_hdi_high"] - narrow["mmm_share_hdi_low"])).all()
    sampled.interval = 0.8
    try:
        sampled.attribution(journeys, models=["linear"])
        assert sampled.step("attribution").params.hdi_prob == 0.8
    finally:
        sampled.interval = None
