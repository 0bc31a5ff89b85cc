"""One module per step: parameters in, plain pandas / pymc-marketing code out."""

from __future__ import annotations

import importlib


def __getattr__(name: str):
    # Step modules load on first use (mw.steps.attribution.suggest_channel_map), so
    # `import mmm_widgets` stays fast.
    module = f"{__name__}.{name}"
    if not name.startswith("_"):
        try:
            return importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
