"""A report or a notebook written to a folder, or a workflow saved onto a file, is an
mmm_widgets error naming a path that would do, raised before the work; a missing folder
on the way is made."""

from __future__ import annotations

import json

import pytest

import mmm_widgets as mw


@pytest.fixture
def mapped() -> mw.Workflow:
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=["tv", "radio", "search"])
    return wf


def test_a_report_or_notebook_into_a_folder_names_a_file_in_it(mapped, tmp_path):
    for write, example in ((mapped.report, "report.html"),
                           (mapped.to_notebook, "analysis.ipynb")):
        with pytest.raises(mw.PathError) as raised:
            write(tmp_path)
        [found] = raised.value.problems
        assert found.what.startswith(f"{str(tmp_path)!r} is a folder")
        assert repr(str(tmp_path / example)) in found.fix
    assert list(tmp_path.iterdir()) == []


def test_a_report_and_a_notebook_make_the_folders_they_are_written_in(mapped, tmp_path):
    report = mapped.report(tmp_path / "out" / "q3" / "report.html")
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    notebook = mapped.to_notebook(tmp_path / "nb" / "analysis.ipynb")
    assert json.loads(notebook.read_text(encoding="utf-8"))["nbformat"] == 4


def test_saving_onto_a_file_names_a_folder_and_leaves_the_file(mapped, tmp_path):
    taken = tmp_path / "model.json"
    taken.write_text("{}")
    with pytest.raises(mw.PathError) as raised:
        mapped.save(taken)
    assert repr(str(tmp_path / "model")) in raised.value.problems[0].fix
    assert taken.read_text() == "{}"
    saved = mapped.save(tmp_path / "model")
    assert mw.Workflow.load(saved).data.equals(mapped.data)
