"""What every step shares: frozen, serialisable parameters and code that is run."""

from __future__ import annotations

import dataclasses
import typing
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from mmm_widgets.codegen import CodeChunk


class Params:
    """Mixin for frozen dataclasses of step parameters: a JSON round-trip.

    ``to_dict`` gives plain JSON data (tuples become lists, nested params become
    dicts); ``from_dict`` restores an equal object.
    """

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data describing these parameters."""
        return {f.name: _to_plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        """Rebuild parameters saved with :meth:`to_dict`.

        Parameters
        ----------
        data : dict
            Output of :meth:`to_dict`.
        """
        hints = typing.get_type_hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):
            if f.name in data:
                kwargs[f.name] = _from_plain(data[f.name], hints.get(f.name))
        return cls(**kwargs)

    def replace(self, **changes: Any):
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def _to_plain(value: Any) -> Any:
    if isinstance(value, Params):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_plain(v) for k, v in value.items()}
    return value


def _from_plain(value: Any, hint: Any) -> Any:
    for option in _options(hint):
        if isinstance(option, type) and issubclass(option, Params) and isinstance(value, dict):
            return option.from_dict(value)
    if isinstance(value, list) and any(_origin(o) is tuple for o in _options(hint)):
        return tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return value


def _options(hint: Any) -> tuple:
    if hint is None:
        return ()
    args = typing.get_args(hint)
    if _origin(hint) in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return args
    return (hint,)


def _origin(hint: Any) -> Any:
    return typing.get_origin(hint) or hint


class Step(ABC):
    """A unit of the workflow: parameters in, code out, results from running that code.

    Subclasses set :attr:`kind` and :attr:`title`, implement :meth:`code`, and may
    override :meth:`validate` and :meth:`read_results`.
    """

    kind: ClassVar[str]
    title: ClassVar[str]
    requires: ClassVar[tuple[str, ...]] = ()

    def __init__(self, params: Params):
        self.params = params
        self.result: Any = None

    @abstractmethod
    def code(self) -> CodeChunk:
        """The code this step runs and exports."""

    def validate(self, namespace: dict[str, Any]) -> None:  # noqa: B027 - optional hook
        """Raise an :class:`~mmm_widgets.errors.MMMWidgetsError` if the step cannot run."""

    def read_results(self, namespace: dict[str, Any]) -> Any:
        """Turn what the code left in ``namespace`` into this step's result."""
        return None

    def run(self, namespace: dict[str, Any]) -> Any:
        """Validate, execute :meth:`code` in ``namespace``, and read the results.

        The code runs in a copy of the namespace that replaces the original only when
        everything succeeded, so a failing step leaves earlier results untouched.

        Parameters
        ----------
        namespace : dict
            The workflow's shared namespace.

        Returns
        -------
        object
            The step's result (also stored on :attr:`result`).
        """
        self.validate(namespace)
        trial = dict(namespace)
        execute(self.code(), trial)
        result = self.read_results(trial)
        namespace.clear()
        namespace.update(trial)
        self.result = result
        return result


def execute(chunk: CodeChunk, namespace: dict[str, Any]) -> None:
    """Execute a chunk's cell in ``namespace``, as a notebook would run the exported cell.

    Parameters
    ----------
    chunk : CodeChunk
        The code to run.
    namespace : dict
        Globals for the code.
    """
    source = chunk.cell()
    exec(compile(source, f"<mmm_widgets: {chunk.title or chunk.comment}>", "exec"), namespace)
