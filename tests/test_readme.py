"""The README's headless example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.fit

README = Path(__file__).resolve().parents[1] / "README.md"


def test_headless_example_runs():
    section = README.read_text().split("## Headless use", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    wf = namespace["wf"]
    assert wf.status("budget") == "done" and wf.status("attribution") == "done"
    assert "mmm.fit(" in wf.to_script()
