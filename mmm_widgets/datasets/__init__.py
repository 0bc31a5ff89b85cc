"""Bundled example data, generated with known truth (see :mod:`.generate`)."""

from __future__ import annotations

from mmm_widgets.datasets.bundled import (
    HERE,
    describe,
    load,
    local_copy,
    names,
    path,
    source_of,
    truth,
)

__all__ = ["HERE", "describe", "load", "load_fitted", "local_copy", "names", "path",
           "source_of", "truth"]


def load_fitted(name: str = "weekly_sales"):
    """A fitted workflow of a bundled dataset, loaded in seconds (see :mod:`.fitted`)."""
    from mmm_widgets.datasets.fitted import load_fitted as _load_fitted

    return _load_fitted(name)
