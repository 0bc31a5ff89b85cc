"""Writing a step's cell through the extension's comm: answers, refusal, silence."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pytest

import mmm_widgets as mw
from mmm_widgets.views.common import CodeBox
from mmm_widgets.views.data import DataView
from mmm_widgets.views.export import TARGET_NAME, CellWriter, ancestor_model_ids


class FakeComm:
    """Stands in for the comm to the front end; the test plays the front end."""

    def __init__(self, target_name: str, data: dict[str, Any]):
        self.target_name = target_name
        self.data = data
        self._on_msg: Callable | None = None
        self._on_close: Callable | None = None

    def on_msg(self, callback: Callable) -> None:
        self._on_msg = callback

    def on_close(self, callback: Callable) -> None:
        self._on_close = callback

    def reply(self, **data: Any) -> None:
        assert self._on_msg is not None
        self._on_msg({"content": {"comm_id": "c", "data": data}})

    def close(self) -> None:
        assert self._on_close is not None
        self._on_close({"content": {"comm_id": "c", "data": {}}})


class FakeFrontEnd:
    def __init__(self) -> None:
        self.comms: list[FakeComm] = []

    def __call__(self, target_name: str, data: dict[str, Any]) -> FakeComm:
        channel = FakeComm(target_name, data)
        self.comms.append(channel)
        return channel


def box_with(front: FakeFrontEnd, timeout: float = 5.0) -> CodeBox:
    box = CodeBox("Data step code")
    box.writer = CellWriter(box, timeout=timeout, create_comm=front)
    return box


def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_request_names_the_widget_and_its_ancestors():
    front = FakeFrontEnd()
    box = box_with(front)
    outer = w.VBox([w.HBox([box])])
    box.export("x = 1", key="data", execute=True)
    (channel,) = front.comms
    assert channel.target_name == TARGET_NAME
    assert channel.data["code"] == "x = 1"
    assert channel.data["key"] == "data" and channel.data["execute"] is True
    assert channel.data["model_ids"][0] == box.model_id
    assert channel.data["model_ids"][-1] == outer.model_id
    assert "Writing the code" in box.note.value


def test_wizard_is_an_ancestor_of_the_data_panels_code_box(weekly):
    wizard = mw.Wizard(weekly)
    panel = wizard.panel("data")
    assert wizard.model_id in ancestor_model_ids(panel.code_box)


def test_answer_ok_reports_the_written_cell():
    front = FakeFrontEnd()
    box = box_with(front)
    box.export("x = 1", key="data")
    front.comms[0].reply(status="ok", index=3, action="inserted")
    front.comms[0].close()
    assert "Wrote the code cell below" in box.note.value
    assert box.code_html.value == ""
    assert box.code == "x = 1"


def test_replaced_cell_is_reported_as_updated():
    front = FakeFrontEnd()
    box = box_with(front)
    box.export("x = 2", key="data")
    front.comms[0].reply(status="ok", index=1, action="replaced")
    assert "Updated the code cell" in box.note.value


def test_closed_at_open_falls_back_to_the_copy_box():
    front = FakeFrontEnd()
    box = box_with(front)
    box.export("x = 1", key="data")
    front.comms[0].close()
    assert "mmm-copy" in box.code_html.value and "x = 1" in box.code_html.value
    assert "to_notebook" in box.note.value
    assert "not active" in box.note.value


class ClosingFrontEnd(FakeFrontEnd):
    """Refuses each comm as soon as its close handler is set: before ``write`` returns.

    JupyterLab 4.6 opens a kernel subshell per comm target: the answer to a write request
    is handled on that subshell's thread while the click that asked still runs on the
    main thread (seen in a real JupyterLab), so it can land before ``write`` returns.
    """

    def __call__(self, target_name: str, data: dict[str, Any]) -> FakeComm:
        channel = super().__call__(target_name, data)
        register = channel.on_close

        def on_close(callback: Callable) -> None:
            register(callback)
            channel.close()

        channel.on_close = on_close  # type: ignore[method-assign]
        return channel


def test_an_answer_before_the_request_returns_still_shows_the_code_to_copy():
    box = box_with(ClosingFrontEnd())
    box.export("x = 1", key="data")
    assert "mmm-copy" in box.code_html.value and "x = 1" in box.code_html.value
    assert "not active" in box.note.value
    assert "Writing the code" not in box.note.value


def test_error_answer_falls_back_with_the_reason():
    front = FakeFrontEnd()
    box = box_with(front)
    box.export("x = 1", key="data")
    front.comms[0].reply(status="error", message="the notebook has no model")
    front.comms[0].close()
    assert "the notebook has no model" in box.note.value
    assert "mmm-copy" in box.code_html.value


def test_silence_falls_back_after_the_timeout_and_a_late_answer_still_counts():
    front = FakeFrontEnd()
    box = box_with(front, timeout=0.05)
    box.export("x = 1", key="data")
    wait_for(lambda: "mmm-copy" in box.code_html.value)
    assert "no answer" in box.note.value
    front.comms[0].reply(status="ok", index=2, action="inserted")
    assert "Wrote the code cell below" in box.note.value


@pytest.mark.parametrize("answer", ["close", "error"])
def test_the_front_ends_reason_after_the_timeout_replaces_no_answer(answer):
    # Under load (seen in CI) JupyterLab's refusal of the comm came after the time-out.
    front = FakeFrontEnd()
    box = box_with(front, timeout=0.05)
    box.export("x = 1", key="data")
    wait_for(lambda: "no answer" in box.note.value)
    if answer == "close":
        front.comms[0].close()
        reason = "not active in this front end"
    else:
        front.comms[0].reply(status="error", message="the notebook is read-only")
        front.comms[0].close()
        reason = "the notebook is read-only"
    assert reason in box.note.value
    assert "no answer" not in box.note.value
    assert "mmm-copy" in box.code_html.value and "x = 1" in box.code_html.value


def test_without_a_kernel_nothing_is_sent_and_the_code_is_shown():
    box = CodeBox()
    box.export("x = 1", key="data")
    assert "mmm-copy" in box.code_html.value
    assert box.layout.display is None


def test_data_panel_export_goes_through_the_writer(weekly):
    front = FakeFrontEnd()
    panel = DataView(mw.Workflow(weekly), namespace={})
    panel.code_box.writer = CellWriter(panel.code_box, create_comm=front)
    panel.apply_button.click()
    panel.export_button.click()
    assert "pd.read_csv(" in front.comms[0].data["code"]
    assert front.comms[0].data["key"] == "data"


def test_in_a_kernel_with_a_silent_front_end_the_code_box_appears_after_the_timeout():
    # nbclient, like a front end without the extension that keeps quiet, never answers.
    import nbclient
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from mmm_widgets.views.common import CodeBox\n"
                                  "box = CodeBox()\nbox.writer.timeout = 0.3\n"
                                  "box.export('x = 1', key='demo')\nprint(box.note.value)"),
        nbformat.v4.new_code_cell("import asyncio\nawait asyncio.sleep(1.5)"),
        nbformat.v4.new_code_cell("print('mmm-copy' in box.code_html.value, box.note.value)"),
    ])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    asked, _, answered = (cell.outputs[0]["text"] if cell.outputs else "" for cell in
                          notebook.cells)
    assert "Writing the code" in asked
    assert answered.startswith("True") and "no answer from the front end" in answered
