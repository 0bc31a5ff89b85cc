"""Dates written as ISO weeks (``2024-W01``), as analytics exports name weeks."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw


@pytest.mark.parametrize("pattern", ["{year}-W{week:02d}", "{year}W{week:02d}"])
def test_iso_weeks_are_read_as_their_mondays(pattern):
    # 2020 has 53 ISO weeks: the run crosses 2020-W53 into 2021-W01
    weeks = [(2020, w) for w in range(20, 54)] + [(2021, w) for w in range(1, 27)]
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "Week": [pattern.format(year=y, week=w) for y, w in weeks],
        "tv": rng.gamma(2, 500, len(weeks)).round(2),
        "radio": rng.gamma(2, 200, len(weeks)).round(2),
    })
    frame["sales"] = 5000 + frame["tv"] + frame["radio"]
    wf = mw.Workflow()
    wf.set_frame(frame)
    suggested = wf.suggest_mapping()
    assert suggested["date"] == "Week"
    wf.map_data(**{k: suggested[k] for k in ("date", "target", "channels", "controls")})
    mondays = [pd.Timestamp(datetime.date.fromisocalendar(y, w, 1)) for y, w in weeks]
    assert wf.data["Week"].tolist() == mondays
    assert wf.data_result.frequency == "weekly"
    names = {"df": frame}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)
