"""Daily rows summed into weeks by the data step's exported pandas code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from tests.conftest import run_fresh


def _daily(days: int = 7 * 30 + 3, geos: tuple[str, ...] = ()) -> pd.DataFrame:
    # Starts on a Wednesday: 5 days of a partial week, 29 whole weeks, 5 days of another.
    rng = np.random.default_rng(4)
    frames = []
    for geo in geos or (None,):
        frame = pd.DataFrame({
            "day": pd.date_range("2024-01-03", periods=days, freq="D").strftime("%d/%m/%Y"),
            "tv_spend": rng.uniform(0, 100, days).round(2),
            "promo": (rng.random(days) < 0.3).astype(int),
            "Orders": rng.uniform(50, 80, days).round(1)})
        if geo is not None:
            frame.insert(1, "store", geo)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _by_hand(frame: pd.DataFrame) -> dict[pd.Timestamp, tuple[float, float, float]]:
    """Week of Monday -> (tv spend sum, promo days / 7, orders sum), complete weeks only."""
    out: dict[pd.Timestamp, list[tuple[float, float, float]]] = {}
    for row in frame.itertuples(index=False):
        day = pd.Timestamp(pd.to_datetime(row.day, format="%d/%m/%Y"))
        monday = day - pd.Timedelta(days=day.day_of_week)
        out.setdefault(monday, []).append((row.tv_spend, row.promo, row.Orders))
    return {monday: (sum(r[0] for r in rows), sum(r[1] for r in rows) / 7,
                     sum(r[2] for r in rows))
            for monday, rows in out.items() if len(rows) == 7}


def test_days_are_summed_into_complete_monday_weeks_and_the_export_replays(tmp_path):
    frame = _daily()
    frame.to_csv(tmp_path / "daily.csv", index=False)
    wf = mw.Workflow.from_file(tmp_path / "daily.csv")
    data = wf.map_data(date="day", target="Orders", channels=["tv_spend"], controls=["promo"],
                       aggregate="weekly")
    expected = _by_hand(frame)
    assert len(data) == len(expected) == 29
    assert (data["day"].dt.day_of_week == 0).all()
    for row in data.itertuples(index=False):
        np.testing.assert_allclose((row.tv_spend, row.promo, row.Orders), expected[row.day])
    assert wf.data_result.frequency == "weekly"
    data.to_pickle(tmp_path / "expected.pkl")
    run_fresh(wf.to_script() + "\nimport pandas as pd\n"
              "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n", tmp_path)


def test_each_geo_is_summed_on_its_own():
    frame = _daily(geos=("A", "B"))
    data = mw.Workflow(frame).map_data(date="day", target="Orders", channels=["tv_spend"],
                                        geo="store", aggregate="weekly")
    for geo in ("A", "B"):
        expected = _by_hand(frame[frame["store"] == geo])
        rows = data[data["store"] == geo]
        assert len(rows) == len(expected)
        np.testing.assert_allclose(rows["Orders"], [expected[d][2] for d in rows["day"]])


def test_the_data_panel_offers_weekly_totals():
    from mmm_widgets.views.data import DataView

    panel = DataView(mw.Workflow(_daily()), namespace={})
    panel.weekly.value = True
    panel.apply_button.click()
    assert "weekly" in panel.message.value
    assert panel.workflow.step("data").params.aggregate == "weekly"


def test_weekly_data_cannot_be_summed_into_weeks_again(weekly):
    with pytest.raises(DataError, match="Only daily data"):
        mw.Workflow(weekly).map_data(date="date", target="sales", channels=["tv"],
                                     aggregate="weekly")


def _weekdays(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a business's daily export: Monday to Friday only."""
    days = pd.to_datetime(frame["day"], format="%d/%m/%Y")
    return frame[days.dt.day_of_week < 5].reset_index(drop=True)


def test_weekdays_only_data_is_summed_into_weeks_of_five_days():
    frame = _weekdays(_daily())
    wf = mw.Workflow(frame, name="raw")
    mapping = {"date": "day", "target": "Orders", "channels": ["tv_spend"],
               "controls": ["promo"]}
    with pytest.raises(DataError, match="weekdays only") as raised:
        wf.map_data(**mapping)
    assert "aggregate='weekly'" in str(raised.value)
    weekly = wf.map_data(**mapping, aggregate="weekly")
    # By hand: Monday -> sums of Monday to Friday; the first week (from a Wednesday) is
    # partial and left out, the last (to a Sunday) is whole once its weekend is gone.
    expected: dict[pd.Timestamp, list[tuple[float, float]]] = {}
    for row in frame.itertuples(index=False):
        day = pd.to_datetime(row.day, format="%d/%m/%Y")
        expected.setdefault(day - pd.Timedelta(days=day.day_of_week), []).append(
            (row.tv_spend, row.Orders))
    complete = {monday: rows for monday, rows in expected.items() if len(rows) == 5}
    assert len(complete) == len(expected) - 1 == len(weekly)
    for row in weekly.itertuples(index=False):
        rows = complete[row.day]
        assert row.tv_spend == pytest.approx(sum(r[0] for r in rows))
        assert row.Orders == pytest.approx(sum(r[1] for r in rows))


def test_a_missing_weekday_is_still_a_gap_when_weekdays_are_summed_into_weeks():
    frame = _weekdays(_daily()).drop(index=12).reset_index(drop=True)
    missing = pd.to_datetime(_weekdays(_daily())["day"], format="%d/%m/%Y")[12]
    wf = mw.Workflow(frame, name="raw")
    with pytest.raises(DataError, match="missing from the daily sequence") as raised:
        wf.map_data(date="day", target="Orders", channels=["tv_spend"], aggregate="weekly")
    assert [p.rows for p in raised.value.problems] == [(missing.strftime("%Y-%m-%d"),)]
