"""Session fixtures of the browser tests: one Jupyter server, one Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from browser_harness import (
    ARTIFACTS,
    CHROMIUM_ARGS,
    JupyterServer,
    start_server,
    stop_server,
)
from playwright.sync_api import Browser, Page, expect, sync_playwright

# Kernel start, imports and bokeh take seconds on a busy 2-core machine.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """JupyterLab 4 and Notebook 7 on one server, with the mmm-widgets extension."""
    server = start_server(tmp_path_factory.mktemp("jupyter"))
    try:
        yield server
    finally:
        stop_server(server)
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(server.log, ARTIFACTS / "jupyter-server.log")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless (Playwright's own browser downloads don't work here)."""
    executable = shutil.which("chromium")
    if executable is None:
        message = "Debian's chromium is not installed (scripts/test.sh installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, jupyter_server: JupyterServer) -> Iterator[Page]:
    """A fresh browser page; the kernels it started are stopped after the test."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    try:
        yield context.new_page()
    finally:
        context.close()
        jupyter_server.shutdown_kernels()
