"""Replace one marked section of benchmarks/RESULTS.md (the scripts that write one each)."""

from __future__ import annotations

from pathlib import Path


def replace_section(results: Path, begin: str, end: str, section: str) -> None:
    """Put ``section`` (which starts with ``begin`` and ends with ``end``) in ``results``.

    An older section between the same markers is replaced; without one it is appended.
    """
    text = results.read_text(encoding="utf-8")
    if begin in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    results.write_text(text, encoding="utf-8")
