import json
import os

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import run_fresh

MAPPING = {"date": "date", "target": "sales", "channels": ["tv", "search"],
           "controls": ["promo"]}


def test_issue_example_runs(weekly):
    wf = mw.Workflow(weekly)
    assert set(wf.suggest_mapping()) == {"date", "target", "channels", "controls", "geo",
                                         "value_per_unit", "long"}
    data = wf.map_data(**MAPPING)
    assert list(data.columns) == ["date", "tv", "search", "promo", "sales"]
    assert data["date"].is_monotonic_increasing
    assert (data.dtypes.drop("date") == "float64").all()


def test_bundled_frame_exports_as_a_read_of_its_csv(weekly, tmp_path):
    wf = mw.Workflow(weekly)
    wf.map_data(**MAPPING)
    script = wf.to_script()
    assert "pd.read_csv(" in script and "weekly_sales.csv" in script
    assert "mmm_widgets" not in script
    wf.data.to_pickle(tmp_path / "expected.pkl")
    run_fresh(script + "\nimport pandas as pd\n"
              "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n", tmp_path)


def test_changed_bundled_frame_is_exported_by_variable_name(weekly):
    sales_frame = weekly.assign(tv=weekly["tv"] * 2)
    wf = mw.Workflow(sales_frame)
    assert wf.source.kind == "frame" and wf.source.name == "sales_frame"


def test_frame_script_replays_in_fresh_process_with_day_first_text_dates(tmp_path):
    rng = np.random.default_rng(3)
    dates = pd.date_range("2023-01-02", periods=40, freq="W-MON")
    my_frame = pd.DataFrame({
        "Week": dates.strftime("%d/%m/%Y"), "tv spend": rng.uniform(0, 1e3, 40),
        "search": rng.integers(0, 500, 40), "promo": rng.integers(0, 2, 40).astype(bool),
        "Net Sales": rng.uniform(1e4, 2e4, 40),
    }).sample(frac=1, random_state=1)
    wf = mw.Workflow(my_frame)
    wf.map_data(date="Week", target="Net Sales", channels=["tv spend", "search"],
                controls=["promo"])
    assert wf.step("data").params.date_format == "%d/%m/%Y"
    assert wf.data["Week"].iloc[0] == pd.Timestamp("2023-01-02")
    my_frame.to_pickle(tmp_path / "raw.pkl")
    wf.data.to_pickle(tmp_path / "expected.pkl")
    run_fresh("import pandas as pd\nmy_frame = pd.read_pickle('raw.pkl')\n" + wf.to_script() +
              "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n", tmp_path)


def test_csv_with_semicolons_and_decimal_commas(tmp_path, weekly):
    path = tmp_path / "export.csv"
    weekly.to_csv(path, sep=";", decimal=",", index=False)
    expected = mw.Workflow(weekly).map_data(**MAPPING)
    told = mw.Workflow.from_file(path, sep=";", decimal=",")
    pd.testing.assert_frame_equal(told.map_data(**MAPPING), expected)
    assert "sep=';', decimal=','" in told.to_script()
    # nobody told: the separator and decimal mark are found, and the export says so
    found = mw.Workflow.from_file(path)
    pd.testing.assert_frame_equal(found.map_data(**MAPPING), expected)
    assert found.source.read_options == {"sep": ";", "decimal": ","}
    assert "# Read with sep=';', decimal=','" in found.to_script()


def test_excel_with_header_rows(tmp_path, weekly):
    path = tmp_path / "report.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["Weekly report"], ["exported 2025"]]).to_excel(
            writer, index=False, header=False)
        weekly.to_excel(writer, index=False, startrow=2)
    wf = mw.Workflow.from_file(path)  # the title rows are found
    assert wf.source.read_options == {"skiprows": 2}
    wf.map_data(**MAPPING)
    assert len(wf.data) == len(weekly)
    wf.data.to_pickle(tmp_path / "expected.pkl")
    run_fresh(wf.to_script() + "pd.testing.assert_frame_equal(data, "
              "pd.read_pickle('expected.pkl'))\n", tmp_path)


def test_missing_file_is_a_data_error(tmp_path):
    wf = mw.Workflow.from_file(tmp_path / "nope.csv")
    with pytest.raises(mw.DataError, match="does not exist"):
        wf.suggest_mapping()


def test_long_table_pivots_to_wide(tmp_path, weekly):
    long_frame = weekly.melt(id_vars=["date", "promo", "price_index", "sales"],
                             value_vars=["tv", "search", "social"], var_name="channel",
                             value_name="spend").sample(frac=1, random_state=0)
    wf = mw.Workflow(long_frame)
    data = wf.map_data(date="date", target="sales", channels=(), controls=["promo"],
                       long={"channel_column": "channel", "value_column": "spend"})
    assert sorted(wf.data_result.roles.channels) == ["search", "social", "tv"]
    expected = weekly[["date", "search", "social", "tv", "promo", "sales"]].astype(
        {c: "float64" for c in ["search", "social", "tv", "promo", "sales"]})
    pd.testing.assert_frame_equal(data, expected, check_like=True)
    long_frame.to_pickle(tmp_path / "raw.pkl")
    data.to_pickle(tmp_path / "expected.pkl")
    run_fresh("import pandas as pd\nlong_frame = pd.read_pickle('raw.pkl')\n" + wf.to_script()
              + "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n",
              tmp_path)


def test_long_table_with_conflicting_target_values(weekly):
    long_frame = weekly.melt(id_vars=["date", "sales"], value_vars=["tv", "search"],
                             var_name="channel", value_name="spend")
    long_frame.loc[3, "sales"] += 1
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(long_frame).map_data(date="date", target="sales", channels=(), long={
            "channel_column": "channel", "value_column": "spend"})
    assert info.value.columns == ["sales"]


def test_geo_panel_shape(geo):
    wf = mw.Workflow(geo)
    data = wf.map_data(date="date", target="sales", channels=["tv", "search", "social"],
                       controls=["promo"], geo="geo")
    assert list(data.columns) == ["date", "geo", "tv", "search", "social", "promo", "sales"]
    assert data.groupby("geo").size().eq(156).all()
    assert list(data[["date", "geo"]].iloc[:2].itertuples(index=False)) == [
        (pd.Timestamp("2022-01-03"), "east"), (pd.Timestamp("2022-01-03"), "north")]


def test_hostile_column_names_stay_data(tmp_path):
    hostile = 'x"); import os; os.system("touch pwned") #'
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({
        "date": pd.date_range("2023-01-02", periods=30, freq="W-MON"),
        hostile: rng.uniform(0, 10, 30), "'''\n{}": rng.uniform(0, 10, 30),
        "sales": rng.uniform(100, 200, 30),
    })
    wf = mw.Workflow(frame, name="frame")
    wf.map_data(date="date", target="sales", channels=[hostile, "'''\n{}"])
    frame.to_pickle(tmp_path / "raw.pkl")
    wf.data.to_pickle(tmp_path / "expected.pkl")
    run_fresh("import pandas as pd\nframe = pd.read_pickle('raw.pkl')\n" + wf.to_script() +
              "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n", tmp_path)
    assert not os.path.exists(tmp_path / "pwned")


def test_to_notebook_writes_a_cell_per_step(tmp_path, weekly):
    wf = mw.Workflow(weekly)
    wf.map_data(**MAPPING)
    path = wf.to_notebook(tmp_path / "workflow.ipynb")
    notebook = json.loads(path.read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert len(code) == 1 and code[0]["source"] == wf.step_code("data")
    assert len([c for c in notebook["cells"] if c["cell_type"] == "markdown"]) == 2


def test_new_source_marks_mapping_stale(weekly):
    wf = mw.Workflow(weekly)
    wf.map_data(**MAPPING)
    assert wf.status("data") == "done" and wf.status("model") == "ready"
    wf.set_frame(weekly.head(100), name="other")
    assert wf.status("data") == "stale" and wf.status("model") == "blocked"


def test_datasets_api():
    assert mw.datasets.names() == ["geo_sales", "journeys", "weekly_sales"]
    truth = mw.datasets.truth("weekly_sales")
    frame = mw.datasets.load("weekly_sales")
    assert set(truth["channels"]) == {"tv", "radio", "search", "social", "display"}
    for name, channel in truth["channels"].items():
        assert channel["spend"] == pytest.approx(frame[name].sum())
        assert channel["roas"] == pytest.approx(channel["contribution"] / channel["spend"])
    assert sum(c["share"] for c in truth["channels"].values()) == pytest.approx(1.0)
    with pytest.raises(mw.DataError, match="weekly_sales"):
        mw.datasets.load("nope")


def test_bundled_data_is_small():
    folder = mw.datasets.HERE
    total = sum(p.stat().st_size for p in folder.iterdir() if p.suffix in (".csv", ".json"))
    assert total < 1_000_000
