"""Export writes the data step's cell below the wizard, in JupyterLab 4 and Notebook 7.

Drives the real front ends in Chromium: run the notebook, click through the data step,
press "Export code", then check the notebook's cells and run the written one. Without
the extension, the code is offered to copy instead. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import nbformat
import pytest
from browser_harness import (
    EXTENSION,
    JupyterServer,
    cells,
    extension_enabled,
    run_all,
    screenshot,
)
from playwright.sync_api import Locator, Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(1800)]

WIZARD_CELL = """import mmm_widgets as mw
df = mw.datasets.load("weekly_sales")
wiz = mw.Wizard(df)
wiz"""

# A code box in a box of its own, asking for its cell to be run at once.
WRITE_AND_RUN_CELL = """import ipywidgets as w
from mmm_widgets.views.common import CodeBox
box = CodeBox("demo")
button = w.Button(description="Write and run")
button.on_click(lambda _: box.export("answer = 6 * 7\\nprint(answer)", key="demo", execute=True))
w.VBox([button, box])"""


# A date column named with the spaces an export padded it with, its dates padded too.
PADDED = "DATE     "
PADDED_CELL = f"""import mmm_widgets as mw
df = mw.datasets.load("weekly_sales").rename(columns={{"date": {PADDED!r}}})
df[{PADDED!r}] = " " + df[{PADDED!r}].astype(str)
wiz = mw.Wizard(df)
wiz"""


def write_notebook(root: Path, name: str, source: str = WIZARD_CELL) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                       "display_name": "Python 3 (ipykernel)"}
    nbformat.write(notebook, root / name)
    return name


def wait_for_idle_kernel(server: JupyterServer, name: str, timeout: float = 60) -> None:
    """Wait until the server reports the notebook's kernel started and idle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sessions = server.api("GET", "/api/sessions")
        for session in sessions if isinstance(sessions, list) else []:
            if session["path"] == name and session["kernel"]["execution_state"] == "idle":
                return
        time.sleep(0.2)
    pytest.fail(f"the kernel of {name} did not become idle within {timeout} s")


def apply_and_export(page: Page) -> Locator:
    """Apply the suggested mapping, press Export; return the Export button."""
    page.locator(".widget-button", has_text="Apply mapping").click()
    expect(page.get_by_text("Mapping applied")).to_be_visible()
    # The model panel, built ahead once the mapping is applied, waits hidden with its own.
    export = page.locator(".widget-button", has_text="Export code").locator("visible=true")
    export.click()
    return export


def expect_data_step_code(cell: Locator) -> None:
    editor = cell.locator(".cm-content")
    expect(editor).to_contain_text("pd.read_csv(")
    expect(editor).to_contain_text("weekly_sales.csv")


def run_cell(page: Page, cell: Locator) -> None:
    """Run one cell in place (Ctrl+Enter) and check that it ran without an error."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+Enter")
    expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"))
    expect(cell.locator(".jp-OutputArea-output[data-mime-type*='stderr'], "
                        ".jp-OutputArea-output[data-mime-type*='error']")).to_have_count(0)


def test_jupyterlab_writes_replaces_and_keeps_edits(page: Page, jupyter_server: JupyterServer):
    assert extension_enabled(jupyter_server)
    name = write_notebook(jupyter_server.root, "export_lab.ipynb")
    page.goto(f"{jupyter_server.url}/lab/tree/{name}?reset")
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()
    run_all(page)
    export = apply_and_export(page)
    expect(page.locator(".bk-Figure").first).to_be_visible()
    expect(page.get_by_text("Click to show javascript error")).to_have_count(0)

    expect(cells(page)).to_have_count(2)
    written = cells(page).nth(1)
    expect_data_step_code(written)
    expect(page.get_by_text("Wrote the code cell below")).to_be_visible()
    screenshot(page, "lab-1-written", show=written)
    run_cell(page, written)
    screenshot(page, "lab-2-ran", show=written)

    export.click()
    expect(page.get_by_text("Updated the code cell below")).to_be_visible()
    expect(cells(page)).to_have_count(2)
    expect_data_step_code(cells(page).nth(1))
    expect(cells(page).nth(1).locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[ ?\]"))

    cells(page).nth(1).locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# my own change")
    export.click()
    expect(cells(page)).to_have_count(3)
    expect(cells(page).nth(1).locator(".cm-content")).to_contain_text("# my own change")
    expect_data_step_code(cells(page).nth(2))
    expect(cells(page).nth(2).locator(".cm-content")).not_to_contain_text("# my own change")
    screenshot(page, "lab-3-edit-kept", show=cells(page).nth(2))


def test_notebook7_writes_the_cell_below(page: Page, jupyter_server: JupyterServer):
    name = write_notebook(jupyter_server.root, "export_nb7.ipynb")
    page.goto(f"{jupyter_server.url}/notebooks/{name}")
    wait_for_idle_kernel(jupyter_server, name)
    expect(page.get_by_text("Kernel status: Idle")).to_be_attached()
    run_all(page)
    apply_and_export(page)

    expect(cells(page)).to_have_count(2)
    written = cells(page).nth(1)
    expect_data_step_code(written)
    run_cell(page, written)
    screenshot(page, "notebook7-written", show=written)


def test_a_written_cell_can_be_run_at_once(page: Page, jupyter_server: JupyterServer):
    name = write_notebook(jupyter_server.root, "export_run.ipynb", WRITE_AND_RUN_CELL)
    page.goto(f"{jupyter_server.url}/lab/tree/{name}?reset")
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()
    run_all(page)
    page.locator(".widget-button", has_text="Write and run").click()
    expect(cells(page)).to_have_count(2)
    written = cells(page).nth(1)
    expect(written.locator(".jp-OutputArea-output")).to_have_text("42")
    expect(written.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"))
    screenshot(page, "lab-written-and-run", show=written)


def test_without_the_extension_the_code_is_offered_to_copy(page: Page,
                                                           jupyter_server: JupyterServer):
    # The server reads the page config at each page load: disabling applies to new pages.
    jupyter_server.jupyter("labextension", "disable", "--level=user", EXTENSION)
    try:
        assert not extension_enabled(jupyter_server)
        name = write_notebook(jupyter_server.root, "export_off.ipynb")
        page.goto(f"{jupyter_server.url}/lab/tree/{name}?reset")
        expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()
        run_all(page)
        apply_and_export(page)

        copy = page.locator("button.mmm-copy")
        expect(copy).to_be_visible()
        expect(page.locator("pre.mmm-code")).to_contain_text("pd.read_csv(")
        expect(page.get_by_text("not active in this front end")).to_be_visible()
        expect(page.get_by_text("to_notebook(", exact=False).first).to_be_visible()
        expect(cells(page)).to_have_count(1)
        screenshot(page, "lab-extension-disabled-copy", show=copy)
    finally:
        jupyter_server.jupyter("labextension", "enable", "--level=user", EXTENSION)


def test_a_fix_reads_with_the_spaces_of_the_column_it_names(page: Page,
                                                            jupyter_server: JupyterServer):
    """The line a problem's fix shows, copied as the page draws it, runs on the table: the
    column's name keeps its padding (collapsed, it would name a column that is not there)."""
    import pandas as pd

    import mmm_widgets as mw

    name = write_notebook(jupyter_server.root, "padded.ipynb", PADDED_CELL)
    page.goto(f"{jupyter_server.url}/lab/tree/{name}?reset")
    expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()
    run_all(page)
    page.locator(".widget-button", has_text="Apply mapping").click()
    fix = page.locator("li", has_text="Dates have spaces before or after them")
    expect(fix).to_be_visible()
    screenshot(page, "lab-fix-with-padded-name", show=fix)
    line = fix.inner_text().split("Strip them first: ", 1)[1].strip().removesuffix(".")
    frame = mw.datasets.load("weekly_sales").rename(columns={"date": PADDED})
    frame[PADDED] = " " + frame[PADDED].astype(str)
    namespace = {line.split("[", 1)[0]: frame, "pd": pd}
    exec(line, namespace)  # as a user pastes it
    stripped = next(iter(v for k, v in namespace.items() if k not in ("pd", "__builtins__")))
    assert not stripped[PADDED].str.startswith(" ").any()
