"""Errors that tell the user what is wrong, where, and how to fix it.

Every error the kit raises on purpose is an :class:`MMMWidgetsError`. It holds one
or more :class:`Problem` records so that all problems of a dataset can be reported
at once instead of one per attempt.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mmm_widgets.wording import listed


@dataclass(frozen=True)
class Problem:
    """One finding: what is wrong, where, and how to fix it.

    Parameters
    ----------
    what : str
        Plain-language description of the problem.
    fix : str
        What the user can do about it.
    column : str, optional
        The column the problem is in.
    rows : tuple of str, optional
        Row labels or dates where it occurs (a few examples, not all).
    count : int, optional
        How many rows are affected in all, when ``rows`` lists only the first of them.
    """

    what: str
    fix: str
    column: str | None = None
    rows: tuple[str, ...] = field(default_factory=tuple)
    count: int | None = None

    @property
    def total_rows(self) -> int:
        """Rows affected in all (at least the number listed)."""
        return max(self.count or 0, len(self.rows))

    def __str__(self) -> str:
        where = f"column {self.column!r}" if self.column is not None else ""
        if self.rows:
            rows = listed(self.rows, 5, total=self.total_rows)
            where = f"{where} at {rows}" if where else f"at {rows}"
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.what} Fix: {self.fix}"


class MMMWidgetsError(Exception):
    """Base class of every error mmm_widgets raises on purpose.

    Parameters
    ----------
    problems : Problem or list of Problem
        The findings; the message lists each on its own line.
    """

    def __init__(self, problems: Problem | list[Problem]):
        self.problems: list[Problem] = (
            [problems] if isinstance(problems, Problem) else list(problems)
        )
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1:
            return str(self.problems[0])
        lines = [f"{len(self.problems)} problems found:"]
        lines += [f"  {i}. {p}" for i, p in enumerate(self.problems, start=1)]
        return "\n".join(lines)

    @property
    def columns(self) -> list[str]:
        """Columns named by the problems, in order of first appearance."""
        seen: dict[str, None] = {}
        for problem in self.problems:
            if problem.column is not None:
                seen.setdefault(problem.column, None)
        return list(seen)


class DataError(MMMWidgetsError, ValueError):
    """The data or its mapping cannot be used as it is."""


class ModelError(MMMWidgetsError, ValueError):
    """The model configuration is invalid or the model cannot be built."""


class FitError(MMMWidgetsError, RuntimeError):
    """Fitting failed; the message says the likely cause and what to change."""


class PathError(MMMWidgetsError, ValueError):
    """A path to write to is not one the kit can write there (a folder for a file)."""


class StepOrderError(MMMWidgetsError, RuntimeError):
    """A step was asked for before the steps it depends on were done."""


class FitCancelled(MMMWidgetsError, RuntimeError):
    """The user cancelled a running fit; the workflow is as it was before."""


def problem(what: str, fix: str, column: str | None = None, rows=(),
            count: int | None = None) -> Problem:
    """Build a :class:`Problem`, turning row labels into strings.

    Parameters
    ----------
    what, fix : str
        What is wrong and how to fix it.
    column : str, optional
        Column the problem is in.
    rows : iterable, optional
        Row labels or dates; each is converted with ``str``.
    count : int, optional
        Rows affected in all, when ``rows`` holds only the first few.

    Returns
    -------
    Problem
    """
    return Problem(what=what, fix=fix, column=column, rows=tuple(_label(r) for r in rows),
                   count=count)


def _label(value: object) -> str:
    if hasattr(value, "strftime"):
        try:
            return value.strftime("%Y-%m-%d")
        except ValueError:
            pass
    return str(value)
