"""The bad-input corpus through the workflow, the file reader and the data panel."""

from __future__ import annotations

import datetime
import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.views.data import DECIMALS, NO_GEO, SEPARATORS, DataView
from tests.bad_inputs import builders
from tests.bad_inputs.cases import CASES, MAPPING, Case

FILES_LIMIT = 200_000


def _ids(cases: tuple[Case, ...]) -> list[str]:
    return [case.name for case in cases]


def _mapped_base() -> pd.DataFrame:
    return mw.Workflow(builders.base(), name="raw").map_data(**MAPPING)


# ----- the corpus itself ------------------------------------------------------------------
def test_corpus_is_large_small_and_named_uniquely():
    names = _ids(CASES)
    assert len(set(names)) == len(names)
    assert sum(not case.valid for case in CASES) >= 25
    total = sum(p.stat().st_size for p in builders.FILES.iterdir())
    assert total < FILES_LIMIT
    used = {case.file for case in CASES if case.file}
    assert used == {p.name for p in builders.FILES.iterdir()}


def test_every_error_case_names_what_to_expect():
    for case in CASES:
        if not case.valid:
            assert case.message, case.name


# ----- through the workflow ---------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_case_gives_data_error_naming_columns_and_rows(case: Case):
    workflow = case.workflow()
    if case.valid:
        data = workflow.map_data(**case.mapping)
        pd.testing.assert_frame_equal(data, _mapped_base())
        return
    with pytest.raises(mw.DataError) as info:
        workflow.map_data(**case.mapping)
    error = info.value
    message = str(error)
    assert set(error.columns) == set(case.columns), message
    for text in (*case.message, *case.where):
        assert text in message, (text, message)
    assert all(p.fix.strip() for p in error.problems)
    assert workflow.status("data") == "ready"


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_role_suggestion_never_crashes(case: Case):
    workflow = case.workflow()
    try:
        mapping = workflow.suggest_mapping()
    except mw.DataError:
        assert case.file is not None  # only a file that cannot be read may refuse
        return
    assert set(mapping) == {"date", "target", "channels", "controls", "geo", "value_per_unit",
                            "long"}


def test_unsorted_dates_are_sorted_and_exported_sorted():
    raw = builders.unsorted_dates()
    workflow = mw.Workflow(raw, name="raw")
    data = workflow.map_data(**MAPPING)
    assert data["date"].is_monotonic_increasing
    namespace: dict = {"raw": raw}
    exec(workflow.to_script(), namespace)
    pd.testing.assert_frame_equal(namespace["data"], data)


def test_problems_in_all_columns_are_reported_with_a_missing_column():
    frame = builders.many_problems()
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(frame).map_data(**{**MAPPING, "channels": ["tv", "search", "radio"]})
    assert set(info.value.columns) == {"radio", "tv", "search", "sales", "date"}
    assert len(info.value.problems) == 5


def test_many_bad_rows_are_counted_not_all_listed():
    frame = builders.base(200)
    # refunds on 150 rows: under 0 on nine rows in ten or more would be costs' sign
    frame.loc[:149, "tv"] = -1.0
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(frame).map_data(**MAPPING)
    negative = next(p for p in info.value.problems if "negative" in p.what)
    assert negative.total_rows == 150 and len(negative.rows) == 50
    assert "and 145 more" in str(info.value)


# ----- the file-reading path ----------------------------------------------------------------
@pytest.mark.parametrize(("file", "needed", "said"), [
    ("semicolon_decimal_comma.csv", {"sep": ";", "decimal": ","},
     "values are separated by ';'; numbers have a decimal comma"),
    ("tab_separated.tsv", {"sep": "\t"}, "values are separated by '\\t'"),
    ("header_rows.xlsx", {"skiprows": 2}, "the header is on row 3"),
])
def test_a_file_is_read_with_the_options_it_needs_and_says_so(file, needed, said):
    path = builders.FILES / file
    workflow = mw.Workflow.from_file(path)
    assert workflow.source.read_options == needed
    assert said in workflow.source.note
    data = workflow.map_data(**MAPPING)
    pd.testing.assert_frame_equal(data, _mapped_base())
    # the exported code reads the file the same way, and says why
    script = workflow.to_script()
    assert f"# {workflow.source.note}" in script
    namespace: dict = {}
    exec(script, namespace)
    pd.testing.assert_frame_equal(namespace["data"], data)


@pytest.mark.parametrize(("options", "suggested"), [
    ({"sep": ","}, "sep=';', decimal=','"),   # a separator given is never changed
    ({"decimal": "."}, "decimal=',', sep=';'"),
])
def test_options_given_are_kept_and_the_error_says_which_would_read(options, suggested):
    path = builders.FILES / "semicolon_decimal_comma.csv"
    workflow = mw.Workflow.from_file(path, **options)
    assert workflow.source.read_options == options and workflow.source.note == ""
    with pytest.raises(mw.DataError, match=f"Read the file with {suggested}"):
        workflow.map_data(**MAPPING)


def test_csv_with_title_lines_is_read_from_its_header(tmp_path):
    path = tmp_path / "report.csv"
    path.write_text("Weekly report\nexported 2025-01-06\n" + builders.base().to_csv(index=False))
    workflow = mw.Workflow.from_file(path)
    assert workflow.source.read_options == {"skiprows": 2}
    pd.testing.assert_frame_equal(workflow.map_data(**MAPPING), _mapped_base())


@pytest.mark.parametrize(("encoding", "sep", "named"), [
    ("cp1252", ";", "Windows-1252"),   # Excel's "CSV" on a Western Windows
    ("utf-16", "\t", "UTF-16"),        # Excel's "Unicode text"
    ("latin-1", ",", "Windows-1252"),  # these bytes read the same in both
])
def test_text_in_another_encoding_is_read_in_it(tmp_path, encoding, sep, named):
    path = tmp_path / "export.csv"
    frame = builders.base().rename(columns={"tv": "télé (€)" if encoding != "latin-1"
                                            else "télé"})
    frame.to_csv(path, index=False, sep=sep, encoding=encoding)
    workflow = mw.Workflow.from_file(path)
    expected = {"encoding": "cp1252" if encoding == "latin-1" else encoding,
                **({"sep": sep} if sep != "," else {})}
    assert workflow.source.read_options == expected
    assert f"the text is {named}, not UTF-8" in workflow.source.note
    channel = frame.columns[1]
    data = workflow.map_data(**{**MAPPING, "channels": [channel, "search"]})
    np.testing.assert_allclose(data[channel], _mapped_base()["tv"])


@pytest.mark.parametrize("options", [
    {"sep; import os": ";"},
    {"x=1); __import__('os').system('touch pwned'); pd.read_csv('a', y": 1},
    {"sepp": ";"},
    {"converters": {"tv": float}},
])
def test_read_options_must_be_reader_keywords_with_plain_values(options, tmp_path):
    with pytest.raises(mw.DataError) as info:
        mw.Workflow.from_file(builders.FILES / "thousands.csv", **options)
    assert "Fix:" in str(info.value)
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_failed_set_file_keeps_the_source(tmp_path):
    workflow = mw.Workflow(builders.base(), name="raw")
    with pytest.raises(mw.DataError):
        workflow.set_file(builders.FILES / "thousands.csv", no_such_option=1)
    assert workflow.source.kind == "frame" and workflow.source.name == "raw"


@pytest.mark.parametrize("path", ["https://example.com/data.csv", "s3://bucket/data.csv",
                                  "/dev/zero", "."])
def test_only_local_regular_files_are_read(path):
    with pytest.raises(mw.DataError) as info:
        mw.Workflow.from_file(path).suggest_mapping()
    assert "not a local file" in str(info.value) or "not a file" in str(info.value)


# ----- through the data panel ------------------------------------------------------------------
def _enter(panel: DataView, mapping: dict) -> None:
    panel.date.value = mapping["date"]
    panel.target.value = mapping["target"]
    panel.geo.value = mapping.get("geo") or NO_GEO
    panel.channels.value = tuple(mapping["channels"])
    panel.controls.value = tuple(mapping.get("controls", ()))


def _upload(panel: DataView, case: Case) -> None:
    options = case.read_options
    panel.separator.value = next(k for k, v in SEPARATORS.items()
                                 if v == options.get("sep", ","))
    panel.decimal.value = next(k for k, v in DECIMALS.items()
                               if v == options.get("decimal", "."))
    panel.skiprows.value = options.get("skiprows", 0)
    content = case.path.read_bytes()
    panel.upload.value = ({"name": case.path.name, "type": "", "size": len(content),
                           "content": memoryview(content),
                           "last_modified": datetime.datetime(2025, 1, 1)},)


PANEL_CASES = tuple(case for case in CASES if case.panel)


@pytest.mark.parametrize("case", PANEL_CASES, ids=_ids(PANEL_CASES))
def test_panel_shows_problem_and_keeps_mapping_and_entries(case: Case, tmp_path,
                                                           strict_callbacks):
    namespace = {"good": builders.base(), **({"bad": case.frame()} if case.build else {})}
    panel = DataView(mw.Workflow(), namespace=namespace, upload_dir=tmp_path)
    panel.frame_picker.value = "good"
    _enter(panel, MAPPING)
    panel.apply_button.click()
    workflow = panel.workflow
    good_params, good_data = workflow.step("data").params, workflow.data.copy()

    if case.build:
        panel.frame_picker.value = "bad"
    else:
        _upload(panel, case)
    assert "Something went wrong" not in panel.message.value
    _enter(panel, case.mapping)
    entered = panel.mapping()
    panel.apply_button.click()
    message = panel.message.value

    assert panel.mapping() == entered
    if case.valid:
        assert "Mapping applied" in message
        pd.testing.assert_frame_equal(workflow.data, _mapped_base())
        return
    assert "problem" in message and "Something went wrong" not in message
    # the fix lines name the table as the panel was given it: "bad", or "df" for a file
    table = "bad" if case.build else "df"
    for text in (*case.columns, *case.message, *case.where):
        text = re.sub(r"\braw\b", table, text)
        assert html.escape(text) in message, (text, message)
    assert workflow.step("data").params == good_params
    assert workflow.status("data") == "stale"
    pd.testing.assert_frame_equal(workflow.data, good_data)


def test_panel_reads_a_file_with_the_options_it_needs_and_shows_them(tmp_path,
                                                                    strict_callbacks):
    case = next(c for c in CASES if c.name == "semicolon_read_with_defaults")
    panel = DataView(mw.Workflow(), namespace={}, upload_dir=tmp_path)
    _upload(panel, case)
    assert (panel.separator.value, panel.decimal.value) == ("semicolon ;", "comma ,")
    assert "values are separated by" in panel.source_label.value
    assert panel.target.value == "sales"
    _enter(panel, MAPPING)
    panel.apply_button.click()
    assert "Mapping applied" in panel.message.value
    assert "sep=';', decimal=','" in panel.workflow.step_code("data")
    np.testing.assert_allclose(panel.workflow.data["tv"], _mapped_base()["tv"])
    # a box changed reads the file with every box as shown
    panel.skiprows.value = 1
    assert panel.workflow.source.read_options == {"sep": ";", "decimal": ",", "skiprows": 1}


def _two_header_rows(path, merged: bool = False) -> pd.DataFrame:
    """``path`` written as a sheet with a header over two rows: TV over Spend and GRPs."""
    base = _mapped_base()
    tops = ["date", "tv", "tv", "search", "search", "promo", "sales"]
    if merged:  # a merged cell exports as an empty one
        tops = ["date", "tv", "", "search", "", "promo", "sales"]
    subs = ["", "Spend", "GRPs", "Spend", "Clicks", "flag", "EUR"]
    grps = (base["tv"] / 40).round(1)
    body = pd.DataFrame({0: base["date"].dt.strftime("%Y-%m-%d"), 1: base["tv"], 2: grps,
                         3: base["search"], 4: (base["search"] * 3).round(), 5: base["promo"],
                         6: base["sales"]})
    pd.concat([pd.DataFrame([tops, subs]), body.T.reset_index(drop=True).T]).to_csv(
        path, index=False, header=False)
    return base


@pytest.mark.parametrize("merged", [False, True])
def test_a_header_over_two_rows_is_read_with_both_names(tmp_path, merged):
    path = tmp_path / "two_header_rows.csv"
    base = _two_header_rows(path, merged)
    wf = mw.Workflow.from_file(path)
    assert wf.source.read_options == {"header": [0, 1]}
    assert "the header spans two rows" in wf.source.note
    suggested = wf.suggest_mapping()
    assert suggested["channels"] == ["tv Spend", "search Spend"]
    data = wf.map_data(date="date", target="sales EUR", channels=["tv Spend", "search Spend"],
                       controls=["promo flag"])
    np.testing.assert_allclose(data["tv Spend"], base["tv"])
    np.testing.assert_allclose(data["sales EUR"], base["sales"])
    names: dict = {}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], data)
    # the merged cell's column keeps its own name only
    assert list(names["df"].columns) == ["date", "tv Spend", "GRPs" if merged else "tv GRPs",
                                         "search Spend", "Clicks" if merged else "search Clicks",
                                         "promo flag", "sales EUR"]


def test_a_frame_with_a_header_over_two_rows_suggests_nothing_and_says_how_to_read_it(tmp_path):
    path = tmp_path / "two_header_rows.csv"
    _two_header_rows(path)
    wf = mw.Workflow(pd.read_csv(path))
    assert wf.suggest_mapping()["channels"] == []
    with pytest.raises(mw.DataError, match=r"header spans two rows.*header=\[0, 1\]"):
        wf.map_data(date="date", target="sales", channels=["tv", "tv.1"])


def test_the_panel_reads_a_header_over_two_rows_and_shows_it(tmp_path, strict_callbacks):
    path = tmp_path / "two_header_rows.csv"
    base = _two_header_rows(path)
    panel = DataView(mw.Workflow(), namespace={}, upload_dir=tmp_path)
    content = path.read_bytes()
    panel.upload.value = ({"name": path.name, "type": "", "size": len(content),
                           "content": memoryview(content),
                           "last_modified": datetime.datetime(2025, 1, 1)},)
    assert panel.header_rows.value == 2
    assert panel.target.value == "sales EUR"
    assert panel.channels.value == ("tv Spend", "search Spend")
    panel.apply_button.click()
    assert "Mapping applied" in panel.message.value
    np.testing.assert_allclose(panel.workflow.data["tv Spend"], base["tv"])
