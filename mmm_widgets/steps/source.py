"""Where the raw data comes from, and the code that loads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mmm_widgets.codegen import literal
from mmm_widgets.steps.base import Params

SOURCE_KINDS = ("frame", "csv", "excel")


@dataclass(frozen=True)
class Source(Params):
    """The raw table the data step starts from.

    Parameters
    ----------
    kind : {"frame", "csv", "excel"}
        A DataFrame already in the user's namespace, or a file to read.
    name : str
        The variable the raw frame is bound to in the exported code.
    path : str, optional
        File to read (``kind`` csv or excel).
    read_options : dict
        Keyword arguments of ``pd.read_csv`` / ``pd.read_excel``.
    """

    kind: str = "frame"
    name: str = "df"
    path: str | None = None
    read_options: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ValueError(f"source kind must be one of {SOURCE_KINDS}, not {self.kind!r}")
        if not self.name.isidentifier():
            raise ValueError(f"source name must be a Python identifier, not {self.name!r}")
        if self.kind != "frame" and not self.path:
            raise ValueError(f"a {self.kind} source needs a path")

    def code_lines(self) -> list[str]:
        """Statements that bind :attr:`name` to the raw frame (none for a frame)."""
        if self.kind == "frame":
            return []
        reader = "pd.read_csv" if self.kind == "csv" else "pd.read_excel"
        options = "".join(f", {key}={literal(value)}" for key, value in self.read_options.items())
        return [f"{self.name} = {reader}({literal(self.path)}{options})"]

    def describe(self) -> str:
        """One line for humans: which frame or file."""
        if self.kind == "frame":
            return f"DataFrame `{self.name}`"
        return f"{self.kind.upper()} file {self.path}"
