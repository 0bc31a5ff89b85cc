"""Frames as analysts hold them in memory, passed to the kit as they are.

Not read from a file: built with ``to_period``, read from a database (zoned timestamps,
``decimal.Decimal`` amounts), held in Arrow or nullable dtypes, or pivoted (columns named
by numbers or over two levels). Each either runs like a tidy table, its exported code
included, or stops with the line of pandas that makes it one.
"""

from __future__ import annotations

import decimal
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from tests.conformance.tables import spec, table, true_dates
from tests.conformance.test_tables import _l_max, _run_every_step
from tests.conftest import run_fresh
from tests.test_date_formats import _reads_as, _weekly_table


def test_periods_are_read_as_their_first_days():
    months = pd.period_range("2021-01", periods=36, freq="M")
    _reads_as(_weekly_table(months), pd.date_range("2021-01-01", periods=36, freq="MS"))
    # weeks ending on Saturday (to_period('W-SAT')) start on Sundays
    sundays = pd.date_range("2022-01-02", periods=60, freq="7D")
    weeks = pd.Series(sundays).dt.to_period("W-SAT")
    wf = _reads_as(_weekly_table(weeks), sundays)
    assert "['Week'].dt.start_time" in wf.step_code("data")


@pytest.mark.parametrize("backend", ["numpy", "pyarrow"])
def test_zoned_datetimes_are_read_as_the_days_they_name(backend):
    mondays = pd.date_range("2023-01-02", periods=60, freq="7D")  # across daylight saving
    local = pd.Series(mondays).dt.tz_localize("Europe/Berlin")
    # The same instants in UTC: 23:00 (22:00 in summer) on the Sunday before.
    in_utc = local.dt.tz_convert("UTC")
    assert (in_utc.dt.hour.isin([22, 23])).all()
    for zoned in (local, in_utc):
        frame = _weekly_table(zoned)
        if backend == "pyarrow":
            frame = frame.convert_dtypes(dtype_backend="pyarrow")
        _reads_as(frame, mondays)


def test_decimal_amounts_are_suggested_and_read_as_numbers():
    frame = _weekly_table(pd.date_range("2023-01-02", periods=60, freq="7D"))
    written = [decimal.Decimal(f"{value:.2f}") for value in frame["tv"]]
    frame["tv"] = pd.Series(written, dtype=object)  # as pd.read_sql reads NUMERIC
    wf = mw.Workflow()
    wf.set_frame(frame)
    assert sorted(wf.suggest_mapping()["channels"]) == ["radio", "tv"]
    wf.map_data(date="Week", target="sales", channels=["tv", "radio"])
    assert wf.data["tv"].tolist() == [float(value) for value in written]


def _columns_fixed_by(fix: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Run the code after ``Fix: ... : `` on ``frame`` (named df); the frame it makes."""
    code = fix.rsplit(": ", 1)[1].rstrip(".")
    names = {"df": frame, "pd": pd}
    exec(code, names)
    return names["df"]


@pytest.mark.parametrize("layout", ["numbers", "two levels"])
def test_columns_not_named_by_text_get_the_line_that_names_them(layout):
    frame = _weekly_table(pd.date_range("2023-01-02", periods=60, freq="7D"))
    if layout == "numbers":  # a pivot by channel id
        frame = frame.rename(columns={"tv": 101, "radio": 102})
        channels = ["101", "102"]
    else:  # a pivot_table with two values, or pd.concat of dicts of frames
        frame = pd.concat({"when": frame[["Week"]], "spend": frame[["tv", "radio"]],
                           "kpi": frame[["sales"]]}, axis=1)
        channels = ["spend_tv", "spend_radio"]
    wf = mw.Workflow()
    wf.set_frame(frame)
    with pytest.raises(DataError) as raised:
        wf.map_data(**wf.suggest_mapping())
    [found] = raised.value.problems
    assert ("101" in found.what) if layout == "numbers" else ("('spend', 'tv')" in found.what)
    fixed = _columns_fixed_by(found.fix, frame)
    wf.set_frame(fixed)
    date, target = ("Week", "sales") if layout == "numbers" else ("when_Week", "kpi_sales")
    suggested = wf.suggest_mapping()
    assert (suggested["date"], suggested["target"]) == (date, target)
    if layout == "two levels":  # (numbers say nothing of what a column holds)
        assert sorted(suggested["channels"]) == sorted(channels)
    wf.map_data(date=date, target=target, channels=channels)
    assert wf.data[channels[0]].tolist() == frame.iloc[:, 1].tolist()


def test_a_path_given_as_the_table_is_read_as_from_file_reads_it(tmp_path):
    frame = _weekly_table(pd.date_range("2023-01-02", periods=60, freq="7D"))
    frame.to_csv(tmp_path / "sales.csv", sep=";", index=False)
    given = mw.Workflow(str(tmp_path / "sales.csv"))
    assert given.source == mw.Workflow.from_file(tmp_path / "sales.csv").source
    pd.testing.assert_frame_equal(given.raw, frame.assign(Week=frame["Week"].astype(str)),
                                  check_dtype=False)


@pytest.mark.parametrize(("given", "told"), [
    (pd.Series([1.0, 2.0]), "A Series is one column"),
    (np.zeros((3, 3)), "df = pd.DataFrame(...)"),
    ({"date": ["2024-01-01"], "sales": [1.0]}, "df = pd.DataFrame(...)"),
    (pa.table({"sales": [1.0, 2.0]}), "df = df.to_pandas()"),
    (42, "mw.Workflow.from_file(path)"),
])
def test_what_is_no_table_is_told_what_to_pass(given, told):
    with pytest.raises(DataError) as raised:
        mw.Workflow(given)
    assert "must be a pandas DataFrame or a file's path" in str(raised.value)
    assert told in str(raised.value)


def _held_in_memory(seed: int) -> tuple:
    """Generated table ``seed`` as read from a database into Arrow dtypes: its dates
    timestamps with a zone (New York's midnights, in UTC), its first channel's spend
    ``decimal.Decimal`` values (a NUMERIC column); and its spec and true dates."""
    variation = spec(seed)
    frame = table(variation)
    date, first = variation.roles["date"], variation.channel_names[0]
    days = true_dates(variation, frame[date])
    assert days.notna().all()
    frame[date] = days.dt.tz_localize("America/New_York").dt.tz_convert("UTC")
    frame[first] = pd.Series([decimal.Decimal(f"{v:.2f}") for v in frame[first]], dtype=object)
    return variation, frame.convert_dtypes(dtype_backend="pyarrow"), days


@pytest.mark.fit
def test_a_frame_held_in_memory_runs_every_step_and_the_export_replays(tmp_path):
    variation, frame, days = _held_in_memory(92)
    first = variation.channel_names[0]
    assert str(frame[variation.roles["date"]].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    assert frame.drop(columns=first).dtypes.map(str).str.endswith("[pyarrow]").all()
    wf = mw.Workflow(frame, name="frame")
    suggested = wf.suggest_mapping()
    roles = ("date", "target", "geo", "value_per_unit", "long")
    assert {k: suggested[k] for k in roles} == {k: variation.roles[k] for k in roles}
    assert sorted(suggested["channels"]) == sorted(variation.roles["channels"])
    wf.map_data(**variation.roles)
    date = variation.roles["date"]
    assert sorted(wf.data[date].unique()) == sorted(days.unique())
    wf.configure_model(l_max=_l_max(variation), yearly_seasonality=2)
    wf.fit("map")
    failures, _ = _run_every_step(wf, variation, tmp_path)
    assert not failures, "\n".join(failures)

    wf.channel_summary().to_pickle(tmp_path / "summary.pkl")
    frame.to_pickle(tmp_path / "frame.pkl")
    shown = {"r2": wf.step("diagnostics").result.report()["r2"]}
    (tmp_path / "shown.json").write_text(json.dumps(shown))
    run_fresh("import pandas as pd\nframe = pd.read_pickle('frame.pkl')\n" + wf.to_script() + """
import json, sys
import numpy as np
assert not any(name.startswith('mmm_widgets') for name in sys.modules)
pd.testing.assert_frame_equal(channel_summary, pd.read_pickle('summary.pkl'), rtol=1e-6)
np.testing.assert_allclose(r2, json.load(open('shown.json'))['r2'], rtol=1e-6)
""", Path(tmp_path))
