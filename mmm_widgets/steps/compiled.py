"""Reuse nutpie's compiled model when the same model is fitted again in one session.

nutpie compiles every new PyMC model with numba before sampling: at notebook size that
takes longer than the sampling itself (``benchmarks/RESULTS.md``). pymc-marketing builds a
new graph for every ``MMM``, and pymc's ``sample`` compiles whatever graph it is given, so a
refit with another seed or more draws would pay the compile again. The fit step knows when
a model is the same one: the same model cell run on the same ``X`` and ``y``. Inside
:func:`reusing_compiled`, the compile that pymc asks nutpie for (which the fit monitor routes
through :func:`compile_model`) is then answered from memory.

The sampling is untouched: nutpie samples the same compiled functions with the same seed,
so a reused compile gives bit-identical draws (``tests/test_compiled.py``), and the
exported ``mmm.fit(...)`` cell still reproduces the numbers in a fresh kernel.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

# A compiled model holds numba functions and a copy of the data; a few are plenty for the
# refits of one analysis (fit, refit with more draws, back to the first settings).
CACHE_SIZE = 4

_cache: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()
_active = threading.local()


def model_key(model_cell: str, X: pd.DataFrame, y: Any) -> str:
    """A digest that is equal exactly when the same model cell sees the same data.

    Parameters
    ----------
    model_cell : str
        The model step's code; it builds the ``MMM`` from ``X`` and ``y``.
    X : pandas.DataFrame
        The model's inputs.
    y : pandas.Series or array-like
        The target.
    """
    digest = hashlib.sha256(model_cell.encode())
    target = y if isinstance(y, pd.Series) else pd.Series(y, name=None)
    for frame in (X, target.to_frame(name=repr(target.name))):
        digest.update(repr([(str(name), str(dtype)) for name, dtype in frame.dtypes.items()])
                      .encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


@contextmanager
def reusing_compiled(key: str) -> Iterator[None]:
    """Within this block, this thread's fits reuse the compiled model ``key``.

    Fits monitored by :meth:`FitMonitor.instrument` compile through :func:`compile_model`,
    which answers from memory while a key is set for the calling thread.

    Parameters
    ----------
    key : str
        :func:`model_key` of the model about to be fitted.
    """
    previous = getattr(_active, "key", None)
    _active.key = key
    try:
        yield
    finally:
        _active.key = previous


def compile_model(compile_: Callable[..., Any], model: Any, **options: Any) -> Any:
    """``compile_(model, **options)``, or its earlier result for the same model and options.

    Parameters
    ----------
    compile_ : callable
        nutpie's ``compile_pymc_model``.
    model : pymc.Model
        The model pymc asks nutpie to compile.
    **options
        nutpie's compile options (backend, var_names, freeze_model, ...).
    """
    key = getattr(_active, "key", None)
    if key is None:
        return compile_(model, **options)
    entry = (key, repr(sorted(options.items())))
    with _lock:
        if entry in _cache:
            _cache.move_to_end(entry)
            return _cache[entry]
    compiled = compile_(model, **options)
    with _lock:
        _cache[entry] = compiled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def clear() -> None:
    """Forget every compiled model (frees their memory; the next fit compiles again)."""
    with _lock:
        _cache.clear()
