"""Files other than CSV and .xlsx: Parquet, JSON (records, columns, JSON Lines), macro-enabled
workbooks, compressed text. Each generated table written so maps to the data of the same
table read from a plain CSV, and the data cell the kit exports reads it without the kit."""

from __future__ import annotations

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.source import file_kind
from tests.conformance.tables import spec, table
from tests.conftest import run_fresh


def _to_xls(frame: pd.DataFrame, path) -> None:
    """Write ``frame`` as an old Excel 97-2003 workbook (.xls), as legacy systems export."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Data")
    day = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for j, name in enumerate(frame.columns):
        sheet.write(0, j, str(name))
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            if isinstance(value, pd.Timestamp):
                sheet.write(i, j, value.to_pydatetime(), day)
            elif not pd.isna(value):
                sheet.write(i, j, value.item() if hasattr(value, "item") else value)
    book.save(str(path))


#: How each kind of file is written, by the name it is given.
WRITERS = {
    "table.parquet": lambda frame, path: frame.to_parquet(path),
    "table.json": lambda frame, path: frame.to_json(path, orient="records"),
    "columns.json": lambda frame, path: frame.to_json(path, orient="columns"),
    "table.jsonl": lambda frame, path: frame.to_json(path, orient="records", lines=True),
    # BigQuery's and many APIs' exports: one record per line under a .json name
    "export.json": lambda frame, path: frame.to_json(path, orient="records", lines=True),
    "table.json.gz": lambda frame, path: frame.to_json(path, orient="records"),
    "table.xlsm": lambda frame, path: frame.to_excel(path, index=False, engine="openpyxl"),
    "table.xls": _to_xls,
    "table.ods": lambda frame, path: frame.to_excel(path, index=False, engine="odf"),
    "table.tsv.gz": lambda frame, path: frame.to_csv(path, sep="\t", index=False),
}
#: Generated tables: national weekly, a long table, a geo panel with text amounts, daily.
SEEDS = (0, 3, 4, 25)


def _data(wf: mw.Workflow, roles: dict) -> pd.DataFrame:
    wf.map_data(**roles)
    return wf.data


@pytest.mark.parametrize("seed", SEEDS)
def test_each_kind_of_file_maps_to_the_data_of_its_csv(seed, tmp_path):
    variation = spec(seed)
    frame = table(variation)
    frame.to_csv(tmp_path / "table.csv", index=False)
    expected = _data(mw.Workflow.from_file(tmp_path / "table.csv"), variation.roles)
    for name, write in WRITERS.items():
        path = tmp_path / name
        write(frame, path)
        wf = mw.Workflow.from_file(path)
        suggested = wf.suggest_mapping()
        assert (suggested["date"], suggested["target"]) == (
            variation.roles["date"], variation.roles["target"]), name
        data = _data(wf, variation.roles)
        pd.testing.assert_frame_equal(data, expected, check_dtype=False, obj=name)
        names: dict = {}
        exec(wf.step_code("data"), names)
        pd.testing.assert_frame_equal(names["data"], data, obj=name)


def test_json_lines_are_read_as_such_and_say_so(tmp_path):
    frame = table(spec(0))
    path = tmp_path / "export.json"
    frame.to_json(path, orient="records", lines=True)
    wf = mw.Workflow.from_file(path)
    assert wf.source.read_options == {"lines": True}
    assert "(JSON Lines)" in wf.source.note
    # given lines=False, the kit does not change it: the error names the option to pass
    with pytest.raises(DataError, match="lines=True"):
        mw.Workflow.from_file(path, lines=False).raw  # noqa: B018


def test_the_exported_read_runs_without_the_kit(tmp_path):
    variation = spec(3)
    table(variation).to_parquet(tmp_path / "table.parquet")
    table(variation).to_json(tmp_path / "table.jsonl", orient="records", lines=True)
    for name in ("table.parquet", "table.jsonl"):
        wf = mw.Workflow.from_file(tmp_path / name)
        wf.map_data(**variation.roles)
        wf.data.to_pickle(tmp_path / "data.pkl")
        run_fresh(wf.step_code("data") + """
import sys
assert not any(module.startswith('mmm_widgets') for module in sys.modules)
pd.testing.assert_frame_equal(data, pd.read_pickle('data.pkl'))
""", tmp_path)


@pytest.mark.parametrize(("name", "content", "told"), [
    ("table.parquet", b"date,sales\n2024-01-01,3\n", "is not a Parquet file"),
    ("table.csv", b"PAR1" + bytes(64), "is a Parquet file, not a CSV"),
    ("table.json", b'{"data": [1, 2', "list of records"),
])
def test_a_file_of_another_kind_than_its_name_says_is_told(name, content, told, tmp_path):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError, match=told):
        mw.Workflow.from_file(path).raw  # noqa: B018


def test_file_kinds_by_name():
    kinds = {name: file_kind(name) for name in
             ("a.csv", "a.TSV", "a.txt", "a.csv.gz", "a.xlsx", "a.XLSM", "a.xls", "a.parquet",
              "a.pq", "a.json", "a.jsonl", "a.ndjson.bz2", "data")}
    assert kinds == {"a.csv": "csv", "a.TSV": "csv", "a.txt": "csv", "a.csv.gz": "csv",
                     "a.xlsx": "excel", "a.XLSM": "excel", "a.xls": "excel",
                     "a.parquet": "parquet", "a.pq": "parquet", "a.json": "json",
                     "a.jsonl": "json", "a.ndjson.bz2": "json", "data": "csv"}
