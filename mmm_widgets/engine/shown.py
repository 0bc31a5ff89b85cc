"""Numbers shown outside any step (prior check, response curves): recorded, then exported.

A panel or a workflow method may show a number that is not a step of its own. It is
computed by a :class:`~mmm_widgets.codegen.CodeChunk` that runs through the
:class:`~mmm_widgets.engine.runner.Runner`, and the chunk is kept here so that the export
contains it once it has been shown. A recorded chunk goes out of date, and is dropped,
when a step it depends on is re-run or goes stale.
"""

from __future__ import annotations

from dataclasses import dataclass

from mmm_widgets.codegen import CodeChunk
from mmm_widgets.engine.registry import dependents


@dataclass(frozen=True)
class Shown:
    """One shown number and the code that computed it.

    Attributes
    ----------
    key : str
        What was shown (``"prior_check"``); showing it again replaces the chunk.
    chunk : CodeChunk
        The code that computed it.
    depends : tuple of str
        Steps whose results it read.
    after : str or None
        The step whose cell it follows in the export (it ran on the namespace as that
        step left it); None to follow every step (it ran on the whole workflow's).
    superseded_by : str or None
        A step that computes the same number (the report's overview preview is the
        overview step's code): once that step runs, the chunk is dropped.
    """

    key: str
    chunk: CodeChunk
    depends: tuple[str, ...]
    after: str | None = None
    superseded_by: str | None = None


class ShownNumbers:
    """The chunks behind the numbers shown so far, in the order they were shown."""

    def __init__(self) -> None:
        self._shown: dict[str, Shown] = {}

    def record(self, shown: Shown) -> None:
        """Keep ``shown`` (replacing an earlier chunk of its key, moved to the end)."""
        self._shown.pop(shown.key, None)
        self._shown[shown.key] = shown

    def changed(self, kind: str) -> None:
        """Drop what read step ``kind`` or a step depending on it (it was re-run or is stale)."""
        affected = {kind, *dependents(kind)}
        self._shown = {k: s for k, s in self._shown.items()
                       if not affected & set(s.depends) and s.superseded_by != kind}

    def after(self, kind: str | None) -> list[CodeChunk]:
        """The chunks exported after step ``kind``'s cell (None: after every step)."""
        return [s.chunk for s in self._shown.values() if s.after == kind]

    def copy(self) -> ShownNumbers:
        """An independent copy (for a workflow snapshot)."""
        other = ShownNumbers()
        other._shown = dict(self._shown)
        return other

    def __contains__(self, key: str) -> bool:
        return key in self._shown

    def __len__(self) -> int:
        return len(self._shown)
