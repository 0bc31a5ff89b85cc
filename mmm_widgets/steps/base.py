"""What every step shares: frozen, serialisable parameters and code that is run."""

from __future__ import annotations

import dataclasses
import types
import typing
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from mmm_widgets.codegen import CodeChunk
from mmm_widgets.engine import registry
from mmm_widgets.engine.runner import Runner, commit, execute

__all__ = ["Params", "Step", "check_plain", "execute", "ran_on_copy"]


def ran_on_copy(what: str, lines: list[str], frame: Any, name: str = "data") -> Any:
    """``frame`` after a cell's ``lines`` ran on a copy of it bound to ``name``.

    Where a step inspects the raw table as its cell will change it (the rows left out,
    text amounts read), it runs that code itself, so what it checks and what the export
    does cannot drift apart.

    Parameters
    ----------
    what : str
        What the lines do (the chunk's comment, shown in a traceback).
    lines : list of str
        The cell's lines; pandas is imported as ``pd``.
    frame : pandas.DataFrame
    name : str
        The frame's name in the lines.

    Returns
    -------
    pandas.DataFrame
    """
    namespace: dict[str, Any] = {name: frame.copy()}
    execute(CodeChunk(what, tuple(lines), ("import pandas as pd",)), namespace)
    return namespace[name]


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


def check_plain(cls: type[Params], data: Any, where: str) -> None:
    """Check that JSON ``data`` has exactly the fields of ``cls``, each of its type.

    Used on data from outside (a saved workflow) before :meth:`Params.from_dict`, which
    trusts its input: a list where a number belongs, a string for a list of channels
    or an unknown field is reported here with its place instead of failing later or
    being half-used.

    Parameters
    ----------
    cls : type
        A :class:`Params` dataclass.
    data : object
        The decoded JSON.
    where : str
        Where ``data`` sits (e.g. ``"steps.data"``), for the message.

    Raises
    ------
    TypeError
        Naming the first field that does not fit.
    """
    if not isinstance(data, dict):
        raise TypeError(f"{where} should be an object, not {_kind(data)}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [str(k) for k in data if k not in fields]
    if unknown:
        raise TypeError(f"{where} has unknown fields {', '.join(sorted(unknown))}")
    required = [name for name, f in fields.items() if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING]
    missing = [name for name in required if name not in data]
    if missing:
        raise TypeError(f"{where} lacks the fields {', '.join(missing)}")
    hints = typing.get_type_hints(cls)
    for name, value in data.items():
        _check_value(value, hints[name], f"{where}.{name}")


def _check_value(value: Any, hint: Any, where: str) -> None:
    origin = typing.get_origin(hint)
    if hint is Any:
        _check_json(value, where)
    elif origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        fitting = [o for o in options if _plain_match(value, o)]
        # Report against the option the value resembles (a dict for a nested Params),
        # else list what would have been accepted.
        if fitting:
            _check_value(value, fitting[0], where)
        else:
            _expect(False, value, " or ".join(_describe(o) for o in options), where)
    elif hint is type(None):
        _expect(value is None, value, "null", where)
    elif isinstance(hint, type) and issubclass(hint, Params):
        check_plain(hint, value, where)
    elif hint is bool:
        _expect(isinstance(value, bool), value, "true or false", where)
    elif hint is int:
        _expect(isinstance(value, int) and not isinstance(value, bool), value,
                "a whole number", where)
    elif hint is float:
        _expect(isinstance(value, int | float) and not isinstance(value, bool), value,
                "a number", where)
    elif hint is str:
        _expect(isinstance(value, str), value, "text", where)
    elif origin in (tuple, list):
        _expect(isinstance(value, list), value, "a list", where)
        args = typing.get_args(hint)
        if origin is tuple and args and args[-1] is not Ellipsis:
            _expect(len(value) == len(args), value, f"a list of {len(args)} values", where)
            items = list(args)
        else:
            items = [args[0] if args else Any] * len(value)
        for index, (entry, item) in enumerate(zip(value, items, strict=True)):
            _check_value(entry, item, f"{where}[{index}]")
    elif origin is dict:
        _expect(isinstance(value, dict), value, "an object", where)
        key_hint, item = typing.get_args(hint)
        for key, entry in value.items():
            _check_value(key, key_hint, f"{where} key")
            _check_value(entry, item, f"{where}.{key}")
    else:
        raise TypeError(f"{where}: cannot check a value of type {hint!r}")


_DESCRIPTIONS = {bool: "true or false", int: "a whole number", float: "a number", str: "text",
                 type(None): "null"}


def _describe(hint: Any) -> str:
    if hint in _DESCRIPTIONS:
        return _DESCRIPTIONS[hint]
    origin = typing.get_origin(hint)
    if origin in (tuple, list):
        return "a list"
    if origin is dict or (isinstance(hint, type) and issubclass(hint, Params)):
        return "an object"
    return "plain data"


def _plain_match(value: Any, hint: Any) -> bool:
    """Whether ``value`` has the JSON shape of ``hint`` (its contents are checked later)."""
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (tuple, list):
        return isinstance(value, list)
    return isinstance(value, dict)


def _check_json(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, entry in value.items():
            _expect(isinstance(key, str), key, "text", f"{where} key")
            _check_json(entry, f"{where}.{key}")
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            _check_json(entry, f"{where}[{index}]")
    else:
        _expect(value is None or isinstance(value, str | int | float | bool), value,
                "plain data", where)


def _expect(ok: bool, value: Any, expected: str, where: str) -> None:
    if not ok:
        raise TypeError(f"{where} should be {expected}, not {_kind(value)}")


def _kind(value: Any) -> str:
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"{type(value).__name__} {shown}"


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
    for option in _options(hint):
        if _origin(option) is tuple and isinstance(value, list):
            # tuple[X, ...] holds Params or plain items; tuple[A, B] is a fixed record.
            args = [a for a in typing.get_args(option) if a is not Ellipsis]
            item = args[0] if len(args) == 1 else None
            return tuple(_from_plain(v, item) if item is not None else
                         (tuple(v) if isinstance(v, list) else v) for v in value)
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

    Subclasses set :attr:`kind`, implement :meth:`code`, and may override
    :meth:`validate` and :meth:`read_results`. Their :attr:`title` and :attr:`requires`
    come from the step graph (:mod:`mmm_widgets.engine.registry`), declared once.
    """

    kind: ClassVar[str]
    title: ClassVar[str]
    requires: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind")
        if kind is not None:
            spec = registry.spec(kind)
            cls.title, cls.requires = spec.title, spec.requires

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

    def translate(self, error: BaseException) -> BaseException:
        """The :mod:`mmm_widgets` error to raise for ``error`` from the step's code.

        By default errors pass unchanged; steps that know their library's failures
        override this to say what to change.
        """
        return error

    def run(self, namespace: dict[str, Any]) -> Any:
        """Validate, execute :meth:`code` in ``namespace``, and read the results.

        The :class:`~mmm_widgets.engine.runner.Runner` executes the code in a copy of the
        namespace that replaces the original only when everything succeeded, so a
        failing step leaves earlier results untouched.

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
        trial = Runner(self.translate).run([self.code()], namespace)
        result = self.read_results(trial)
        commit(namespace, trial)
        self.result = result
        return result
