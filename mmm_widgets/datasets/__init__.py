"""Bundled example data, generated with known truth (see :mod:`.generate`)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from mmm_widgets.errors import DataError, problem
from mmm_widgets.steps.source import Source

HERE = Path(__file__).parent
_ATTR = "mmm_widgets_dataset"
_READ_OPTIONS = {"parse_dates": ["date"]}
_DESCRIPTIONS = {
    "weekly_sales": "National weekly sales, 3 years, 5 channels (tv, radio, search, social, "
                    "display), promo flag and price index.",
    "geo_sales": "Weekly sales in 4 geos, 3 years, 4 channels (tv, search, social, display) "
                 "and a promo flag; one row per week and geo.",
    "journeys": "About 20,000 online touches (Paid Search, Paid Social, Display, Email, "
                "Direct) of 8,200 users over the last 26 weeks of weekly_sales, converting "
                "touches flagged with their revenue; tv and radio are offline, so absent.",
}
# Datasets stored other than as "<name>.csv" with a "date" column: file, read options.
_FILES = {"journeys": ("journeys.csv.gz", {"parse_dates": ["timestamp"]})}


def load_fitted(name: str = "weekly_sales"):
    """A fitted workflow of a bundled dataset, loaded in seconds (see :mod:`.fitted`)."""
    from mmm_widgets.datasets.fitted import load_fitted as _load_fitted

    return _load_fitted(name)


def names() -> list[str]:
    """Names of the bundled datasets."""
    return sorted(_DESCRIPTIONS)


def describe(name: str) -> str:
    """One sentence on what a bundled dataset holds."""
    return _DESCRIPTIONS[_checked(name)]


def path(name: str) -> Path:
    """The bundled CSV file of dataset ``name``."""
    return HERE / _FILES.get(_checked(name), (f"{name}.csv",))[0]


def _read_options(name: str) -> dict:
    return dict(_FILES[name][1]) if name in _FILES else dict(_READ_OPTIONS)


def load(name: str) -> pd.DataFrame:
    """Load a bundled dataset (offline; no download).

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import mmm_widgets as mw
    >>> mw.datasets.load("weekly_sales").shape
    (156, 9)
    """
    frame = pd.read_csv(path(name), **_read_options(name))
    frame.attrs[_ATTR] = name
    return frame


def truth(name: str) -> dict:
    """The parameters and contributions dataset ``name`` was generated with.

    Returns
    -------
    dict
        ``{"channels": {name: {"alpha", "lam", "roas", "contribution", "spend", "share"}},
        "l_max", "total_media_contribution", ...}``.
    """
    return json.loads((HERE / f"{_checked(name)}.truth.json").read_text())


def source_of(frame: pd.DataFrame, variable: str) -> Source | None:
    """The CSV source of an unchanged bundled frame, else None."""
    name = frame.attrs.get(_ATTR)
    if name not in _DESCRIPTIONS:
        return None
    try:
        pristine = pd.read_csv(path(name), **_read_options(name))
    except OSError:
        return None
    if not frame.equals(pristine) or list(frame.columns) != list(pristine.columns):
        return None
    return Source(kind="csv", name=variable, path=str(path(name)),
                  read_options=_read_options(name))


def _checked(name: str) -> str:
    if name not in _DESCRIPTIONS:
        raise DataError(problem(f"There is no bundled dataset named {name!r}.",
                                f"Use one of {', '.join(repr(n) for n in names())}."))
    return name
