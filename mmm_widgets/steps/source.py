"""Where the raw data comes from, and the code that loads it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import DataError, problem
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


def read_source(source: Source) -> pd.DataFrame:
    """Run the source's own loading code and return the raw frame.

    Raises
    ------
    DataError
        When the file cannot be read, with the reason and what to try.
    """
    namespace: dict[str, Any] = {}
    code = "\n".join(["import pandas as pd", *source.code_lines()])
    try:
        exec(compile(code, "<mmm_widgets: source>", "exec"), namespace)
    except FileNotFoundError as error:
        raise DataError(problem(f"The file {source.path!r} does not exist.",
                                "Check the path (it is relative to the notebook's folder)."
                                )) from error
    except (OSError, ValueError, ImportError, pd.errors.ParserError) as error:
        raise DataError(problem(
            f"The file {source.path!r} could not be read: {error}",
            "Check the separator (sep=';'?), the decimal mark (decimal=','?) and header rows "
            "(skiprows=...).")) from error
    frame = namespace[source.name]
    if not isinstance(frame, pd.DataFrame):
        raise DataError(problem("The source did not give a table.", "Pick a CSV or Excel file."))
    return frame
