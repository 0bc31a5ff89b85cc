"""National figures written on every geo's row of a panel are named: a national spend (a
finding, with the line that splits it by each geo's share of the target), a national
target (a problem, with the line that models the nation), and one geo's target written
under two names. Panels whose geos have figures of their own are not touched."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.national import same_in_every_geo
from tests.conftest import run_fix
from tests.test_geo_columns import _fix_lines

WEEKS = 80
SHARES = {"North": 0.5, "South": 0.3, "East": 0.2}
TV_ROAS, SEARCH_ROAS = 2.0, 3.0


def _geometric(spend: np.ndarray, alpha: float, l_max: int = 8) -> np.ndarray:
    weights = alpha ** np.arange(l_max)
    return np.convolve(spend, weights / weights.sum())[:len(spend)]


def _panel(seed: int = 2, weeks: int = WEEKS) -> pd.DataFrame:
    """Three geos sharing one national TV spend, each with a search spend of its own.

    National TV sells ``TV_ROAS`` per unit spent over the nation, in each geo by its
    share; search sells ``SEARCH_ROAS`` per unit. The geos' rows are shuffled and the dates
    written as text, as a join of two sources leaves them.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
    tv = rng.gamma(2, 6000, weeks)
    season = 1 + 0.1 * np.sin(np.arange(weeks) * 2 * np.pi / 52)
    frames = []
    for geo, share in SHARES.items():
        search = rng.gamma(3, 2400 * share, weeks)
        sales = (30000 * share * season + TV_ROAS * share * _geometric(tv, 0.5)
                 + SEARCH_ROAS * _geometric(search, 0.2) + rng.normal(0, 300 * share, weeks))
        frames.append(pd.DataFrame({"Week": dates.strftime("%d/%m/%Y"), "Region": geo,
                                    "Net Revenue (EUR)": sales, "TV national": tv,
                                    "Search spend": search}))
    frame = pd.concat(frames, ignore_index=True)
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _mapped(frame: pd.DataFrame, channels=("TV national", "Search spend")) -> mw.Workflow:
    wf = mw.Workflow(frame)
    wf.map_data(date="Week", target="Net Revenue (EUR)", channels=list(channels),
                geo="Region", date_format="%d/%m/%Y")
    return wf


def _run(line: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` after the message's own pandas line, run under the name the line gives
    the table (the one the data step was given it: here ``frame``, the variable
    :func:`_mapped` passes on)."""
    return run_fix(line, frame)


def test_only_columns_the_same_in_every_geo_on_every_date_are_found():
    frame = _panel()
    dates = pd.to_datetime(frame["Week"], format="%d/%m/%Y")
    # a spend of 0 on all but two dates, the same everywhere there: chance, not national
    rare = np.where(dates.isin(dates.drop_duplicates().iloc[[3, 9]]), 500.0, 0.0)
    frame = frame.assign(rare=rare)
    assert same_in_every_geo(frame, ["Search spend", "TV national", "rare"], dates,
                             "Region") == ["TV national"]
    one_geo = frame[frame["Region"] == "North"]
    assert same_in_every_geo(one_geo, ["TV national"], dates[one_geo.index], "Region") == []


def test_a_national_spend_is_named_and_its_line_splits_it_by_each_geos_share():
    frame = _panel()
    wf = _mapped(frame)
    assert wf.status("data") == "done"
    found = [f for f in wf.data_result.warnings if f.kind == "national"]
    assert len(found) == 1
    assert found[0].columns == ("TV national",)
    assert "national spend written on each of the 3 geos' rows" in found[0].message
    assert "its ROAS reads 3 times too low" in found[0].message

    line = found[0].message.split("before mapping: ")[1].split(". If each geo")[0]
    assert line.startswith("frame[['TV national']] = ")
    split = _run(line, frame)
    # each geo's share of the target, by hand
    totals = {geo: frame.loc[frame["Region"] == geo, "Net Revenue (EUR)"].sum()
              for geo in SHARES}
    whole = sum(totals.values())
    for geo, total in totals.items():
        rows = frame["Region"] == geo
        np.testing.assert_allclose(split.loc[rows, "TV national"],
                                   frame.loc[rows, "TV national"] * total / whole)
    # over the geos, each date's spend is the national amount again
    national = frame.groupby("Week")["TV national"].first()
    np.testing.assert_allclose(split.groupby("Week")["TV national"].sum()[national.index],
                               national)
    assert "national" not in [f.kind for f in _mapped(split).data_result.warnings]


def test_with_a_population_column_the_line_splits_by_each_geos_share_of_it():
    # Meridian's tables carry each geo's population, which grows a little over the years
    frame = _panel()
    dates = pd.to_datetime(frame["Week"], format="%d/%m/%Y")
    people = {"North": 5.1e6, "South": 2.4e6, "East": 1.5e6}
    growth = 1 + (dates - dates.min()).dt.days / 3650
    frame["population"] = frame["Region"].map(people) * growth.where(
        frame["Region"] == "North", 1.0)
    found = [f for f in _mapped(frame).data_result.warnings if f.kind == "national"]
    assert "each geo's share of the population ('population')" in found[0].message
    line = found[0].message.split("before mapping: ")[1].split(". If each geo")[0]
    split = _run(line, frame)
    # each row's share of its date's population, by hand
    for week, rows in frame.groupby("Week").groups.items():
        total = sum(frame.loc[rows, "population"])
        for row in rows:
            assert split.at[row, "TV national"] == pytest.approx(
                frame.at[row, "TV national"] * frame.at[row, "population"] / total), week
    national = frame.groupby("Week")["TV national"].first()
    np.testing.assert_allclose(split.groupby("Week")["TV national"].sum()[national.index],
                               national)


def test_a_national_spend_beside_geos_side_by_side_is_named_once_they_are_stacked():
    """The geos-side-by-side fix writes a column outside the grid on every geo's row:
    right for a national control, the trap above for a national spend."""
    rng = np.random.default_rng(11)
    weeks = 60
    wide = pd.DataFrame({"Week": pd.date_range("2023-01-02", periods=weeks, freq="W-MON")
                         .strftime("%Y-%m-%d"), "TV national": rng.gamma(2, 5000, weeks)})
    for geo in SHARES:
        wide[f"Sales {geo}"] = rng.uniform(1e4, 2e4, weeks).round(2)
        wide[f"Search {geo}"] = rng.uniform(0, 500, weeks).round(2)
    wf = mw.Workflow(wide)
    with pytest.raises(DataError) as raised:
        wf.map_data(**wf.suggest_mapping())
    stacked = run_fix("\n".join(_fix_lines(raised.value)), wide)
    wf = mw.Workflow(stacked)
    wf.map_data(date="Week", target="Sales", channels=["TV national", "Search"], geo="geo")
    [found] = [f for f in wf.data_result.warnings if f.kind == "national"]
    assert found.columns == ("TV national",)
    line = found.message.split("before mapping: ")[1].split(". If each geo")[0]
    split = _run(line, stacked)
    np.testing.assert_allclose(split.groupby("Week")["TV national"].sum()[wide["Week"]],
                               wide["TV national"])


def test_a_national_target_is_a_problem_and_its_line_models_the_nation():
    frame = _panel()
    national = frame.groupby("Week")["Net Revenue (EUR)"].transform("sum")
    frame["Net Revenue (EUR)"] = national
    with pytest.raises(DataError) as raised:
        _mapped(frame)
    found = [p for p in raised.value.problems if "same in every geo" in p.what]
    assert len(found) == 1
    assert found[0].column == "Net Revenue (EUR)"
    assert "(3 geos)" in found[0].what

    line = found[0].fix.split("model the nation: ")[1].split(" (spend summed")[0]
    nation = _run(line, frame).set_index("Week")
    by_hand = frame.groupby("Week").agg(sales=("Net Revenue (EUR)", "first"),
                                        tv=("TV national", "first"),
                                        search=("Search spend", "sum"))
    assert len(nation) == WEEKS
    np.testing.assert_allclose(nation.loc[by_hand.index, "Net Revenue (EUR)"],
                               by_hand["sales"])
    np.testing.assert_allclose(nation.loc[by_hand.index, "TV national"], by_hand["tv"])
    np.testing.assert_allclose(nation.loc[by_hand.index, "Search spend"], by_hand["search"])
    wf = mw.Workflow(nation.reset_index())
    wf.map_data(date="Week", target="Net Revenue (EUR)",
                channels=["TV national", "Search spend"], date_format="%d/%m/%Y")
    assert wf.status("data") == "done"


def test_one_geos_target_written_under_two_names_is_a_problem():
    frame = _panel()
    south = frame["Region"] == "South"
    north = frame[frame["Region"] == "North"].set_index("Week")["Net Revenue (EUR)"]
    frame.loc[south, "Net Revenue (EUR)"] = frame.loc[south, "Week"].map(north).to_numpy()
    with pytest.raises(DataError) as raised:
        _mapped(frame)
    found = [p for p in raised.value.problems if "same target on every date" in p.what]
    assert len(found) == 1
    assert found[0].what.startswith("Geos 'North' and 'South' have")
    assert found[0].rows == ("geo South",)
    kept = _run(found[0].fix.split("keep one of each: ")[1].rstrip("."), frame)
    assert sorted(kept["Region"].unique()) == ["East", "North"]


def test_geos_with_figures_of_their_own_are_not_named():
    frame = _panel()
    # each geo's own TV; every geo's target the same in the first weeks only (a launch
    # week's allocation, shared out evenly)
    rng = np.random.default_rng(7)
    frame["TV national"] = rng.gamma(2, 2000, len(frame))
    dates = pd.to_datetime(frame["Week"], format="%d/%m/%Y")
    frame.loc[dates < "2023-03-01", "Net Revenue (EUR)"] = (
        15000.0 + dates[dates < "2023-03-01"].dt.day)
    wf = _mapped(frame)
    assert wf.status("data") == "done"
    assert "national" not in [f.kind for f in wf.data_result.warnings]


@pytest.mark.fit
def test_a_national_spend_split_by_share_gets_its_roas_back():
    """Fitted as it is, national TV's ROAS is a third of what it sold per unit spent (its
    spend counted in each of 3 geos); split by the line, the fit recovers it."""
    frame = _panel()
    line = _mapped(frame).data_result.warnings[0].message
    line = line.split("before mapping: ")[1].split(". If each geo")[0]
    roas = {}
    for name, table in (("as is", frame), ("split", _run(line, frame))):
        wf = _mapped(table)
        wf.configure_model()
        wf.fit("map")
        roas[name] = wf.channel_summary()["roas_window"]
    assert roas["as is"]["TV national"] == pytest.approx(TV_ROAS / 3, rel=0.15)
    assert roas["split"]["TV national"] == pytest.approx(TV_ROAS, rel=0.15)
    for name in roas:
        assert roas[name]["Search spend"] == pytest.approx(SEARCH_ROAS, rel=0.15)
