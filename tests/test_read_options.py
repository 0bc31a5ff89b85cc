"""Files written the way real exports write them read as the table they hold.

Generated tables (tests/conformance/tables.py: other date and column names, geo panels,
long tables, text amounts, report rows) are written as a German Excel, an ad platform,
Excel's "Unicode text" and a workbook with a title would write them. Each must read with
no option given, map to the same data as the plain CSV, and export a read that does the
same in a fresh process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.steps.read_options import describe_options, text_encoding
from tests.conformance.tables import spec, table
from tests.conftest import run_fresh

#: National, geo panel, long table, text amounts, day-first and monthly dates, a report's
#: empty and Total rows.
SEEDS = (0, 3, 5, 8, 11, 17, 34)


def _german_excel(frame: pd.DataFrame, path: Path) -> dict:
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="cp1252")
    return {"encoding": "cp1252", "sep": ";"}


def _unicode_text(frame: pd.DataFrame, path: Path) -> dict:
    frame.to_csv(path, sep="\t", index=False, encoding="utf-16")
    return {"encoding": "utf-16", "sep": "\t"}


def _ad_platform(frame: pd.DataFrame, path: Path) -> dict:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write('Campaign performance report\n"January 1, 2022 - December 31, 2023"\n')
        frame.to_csv(handle, index=False)
    return {"skiprows": 2}


def _titled_workbook(frame: pd.DataFrame, path: Path) -> dict:
    path = path.with_suffix(".xlsx")
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["Media plan, actuals"], ["exported 2025-01-06"], [None]]).to_excel(
            writer, index=False, header=False)
        frame.to_excel(writer, index=False, startrow=3)
    return {"skiprows": 3}


STYLES: dict[str, Callable[[pd.DataFrame, Path], dict]] = {
    "german_excel": _german_excel, "unicode_text": _unicode_text,
    "ad_platform": _ad_platform, "titled_workbook": _titled_workbook}


def _written(frame: pd.DataFrame, style: str, folder: Path) -> tuple[Path, dict]:
    path = folder / "export.csv"
    needed = STYLES[style](frame, path)
    return (path.with_suffix(".xlsx") if style == "titled_workbook" else path), needed


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("seed", SEEDS)
def test_an_export_reads_as_the_plain_table(seed, style, tmp_path):
    variation = spec(seed)
    frame = table(variation)
    # a column of notes with letters outside ASCII, so the encodings differ
    frame = frame.assign(Kommentar=["Prüfung à 5 €"] * len(frame))
    plain = tmp_path / "plain.csv"
    frame.to_csv(plain, index=False)
    expected = mw.Workflow.from_file(plain).map_data(**variation.roles)

    path, needed = _written(frame, style, tmp_path)
    workflow = mw.Workflow.from_file(path)
    options = workflow.source.read_options
    assert {k: options[k] for k in needed if k in options} == needed, options
    assert workflow.source.note.startswith("Read with ")
    data = workflow.map_data(**variation.roles)
    pd.testing.assert_frame_equal(data, expected, check_dtype=False)


def test_the_exported_read_replays_in_a_fresh_process(tmp_path):
    variation = spec(34)
    frame = table(variation)
    path, _ = _written(frame, "german_excel", tmp_path)
    workflow = mw.Workflow.from_file(path)
    data = workflow.map_data(**variation.roles)
    data.to_pickle(tmp_path / "expected.pkl")
    run_fresh(workflow.to_script() + "pd.testing.assert_frame_equal(data, "
              "pd.read_pickle('expected.pkl'))\n", tmp_path)


@pytest.mark.parametrize(("content", "encoding"), [
    ("Woche;Umsatz (€)\n".encode("cp1252"), "cp1252"),
    ("week,sales\n".encode("utf-16"), "utf-16"),
    ("week,sales €\n".encode("utf-8-sig"), "utf-8-sig"),
    ("week,sales €\n".encode(), "utf-8"),
    (b"week,sales \x81\x8d\n", "latin-1"),  # bytes Windows-1252 leaves undefined
])
def test_text_encoding_by_hand(content, encoding, tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    assert text_encoding(path) == encoding


def test_the_note_says_each_option_in_words():
    note = describe_options({"encoding": "cp1252", "sep": ";", "skiprows": 2, "decimal": ",",
                             "thousands": ".", "header": [0, 1]})
    assert note == ("Read with encoding='cp1252', sep=';', skiprows=2, decimal=',', "
                    "thousands='.', header=[0, 1]: the text is Windows-1252, not UTF-8; its "
                    "values are separated by ';'; the header is on row 3 (the rows above are "
                    "a title or notes); numbers have a decimal comma; thousands are grouped "
                    "with '.'; the header spans two rows, each column named by both.")


@pytest.mark.parametrize("seed", [0, 5, 21])
def test_a_file_of_lines_each_in_quotes_is_named_with_the_read_that_unwraps_them(seed,
                                                                                 tmp_path):
    """A CSV saved as text into one column of another: each line quoted whole (its quotes
    doubled). The fix reads the lines, then the table they hold: the table as written."""
    frame = table(spec(seed))
    plain = tmp_path / "plain.csv"
    frame.to_csv(plain, index=False)
    expected = pd.read_csv(plain)
    wrapped = tmp_path / "wrapped.csv"
    lines = pd.Series(plain.read_text().splitlines())
    lines.to_csv(wrapped, index=False, header=False, quoting=1)  # every line quoted
    assert wrapped.read_text().startswith('"')
    with pytest.raises(mw.DataError) as caught:
        mw.Workflow.from_file(wrapped).raw  # noqa: B018 (reading raises)
    (found,) = caught.value.problems
    assert "inside quotes" in found.what
    code = found.fix.split("Read the lines, then the table they hold: ")[1].split(
        "; then mw.Workflow")[0]
    namespace = {"pd": pd}
    exec(code, namespace)
    pd.testing.assert_frame_equal(namespace["df"], expected)
