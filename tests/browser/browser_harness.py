"""A real Jupyter server and Debian's Chromium for the browser tests.

The server runs on 127.0.0.1 with no token, in temporary Jupyter config, data, runtime,
IPython and workspace folders, so tests neither see nor change the developer's settings.
The extension is still found: the venv's ``share/jupyter`` (where pip put it) stays on
Jupyter's data path whatever ``JUPYTER_DATA_DIR`` says.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
EXTENSION = "mmm-widgets"


@dataclass(frozen=True)
class JupyterServer:
    """A running server: where it listens, its folders and the environment it runs in."""

    url: str
    root: Path
    config_dir: Path
    env: dict[str, str]
    process: subprocess.Popen
    log: Path

    def jupyter(self, *args: str) -> str:
        """Run a ``jupyter`` sub-command with the server's folders; return its output."""
        completed = subprocess.run([sys.executable, "-m", "jupyter", *args], env=self.env,
                                   capture_output=True, text=True, timeout=60, check=True)
        return completed.stdout + completed.stderr

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API; return the decoded JSON answer (None if empty)."""
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Stop every kernel, so that the next test gets the cores."""
        sessions = self.api("GET", "/api/sessions")
        for session in sessions if isinstance(sessions, list) else []:
            self.api("DELETE", f"/api/sessions/{session['id']}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_folders(base: Path) -> dict[str, str]:
    """Make the server's folders under ``base``; return the environment pointing at them."""
    folders = {name: base / name for name in ("config", "data", "runtime", "ipython")}
    for folder in folders.values():
        folder.mkdir()
    # The "Jupyter news?" toast would cover the page.
    settings = folders["config"] / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return {**os.environ, "JUPYTER_CONFIG_DIR": str(folders["config"]),
            "JUPYTER_DATA_DIR": str(folders["data"]),
            "JUPYTER_RUNTIME_DIR": str(folders["runtime"]),
            "IPYTHONDIR": str(folders["ipython"]), "PYTHONUNBUFFERED": "1"}


def start_server(base: Path, timeout: float = 90) -> JupyterServer:
    """Start ``jupyter lab`` (which also serves Notebook 7) and wait until it answers."""
    env = prepare_folders(base)
    root, workspaces = base / "root", base / "workspaces"
    root.mkdir()
    workspaces.mkdir()
    port = free_port()
    log = base / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
             f"--port={port}", "--port-retries=0", "--allow-root",
             "--IdentityProvider.token=", "--ServerApp.password=",
             # Lets the tests call the REST API without a browser's XSRF cookie.
             "--ServerApp.disable_check_xsrf=True",
             f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={workspaces}"],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = JupyterServer(url=f"http://127.0.0.1:{port}", root=root,
                           config_dir=Path(env["JUPYTER_CONFIG_DIR"]), env=env,
                           process=process, log=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"jupyter lab exited at start:\n{log.read_text()[-3000:]}")
        try:
            server.api("GET", "/api/status")
            return server
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    stop_server(server)
    pytest.fail(f"jupyter lab did not answer within {timeout} s:\n{log.read_text()[-3000:]}")


def stop_server(server: JupyterServer) -> None:
    """Stop the server and its kernels."""
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def extension_enabled(server: JupyterServer) -> bool:
    """Whether ``jupyter labextension list``, run as the server sees things, lists it enabled."""
    listing = re.sub(r"\x1b\[[0-9;]*m", "", server.jupyter("labextension", "list"))
    return re.search(rf"{EXTENSION} v\S+ enabled OK", listing) is not None


# ----- page helpers ------------------------------------------------------------------
def cells(page: Page) -> Locator:
    """The cells of the open notebook."""
    return page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell")


def screenshot(page: Page, name: str, show: Locator | None = None) -> None:
    """Save a screenshot to ``test-artifacts/NAME.png``, scrolled to ``show``."""
    if show is not None:
        show.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png")


def run_all(page: Page) -> None:
    """Run every cell through the Run menu."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator('li[data-command="runmenu:run-all"]').click()
