"""The bundled example tables: where they are, how they load, how exported code reads them.

Kept apart from :func:`mmm_widgets.datasets.load_fitted` (which needs the workflow) so that
the workflow can recognise a bundled frame without importing itself back.
"""

from __future__ import annotations

import json
import shutil
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
    return Source(kind="csv", name=variable, path=local_copy(name),
                  read_options=_read_options(name))


def local_copy(name: str, folder: Path | None = None) -> str:
    """The path exported code reads bundled dataset ``name`` from: a file beside the notebook.

    Exported code must run on a colleague's machine, where the installed package (and so
    a path into it) differs. The bundled file is written once into ``folder`` (the
    kernel's working directory: the notebook's folder) and read under its bare name, so
    the file travels with the notebook like any data file. A file of that name that
    holds something else is never overwritten; then, as when the folder cannot be
    written, the package's own path is used.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    folder : Path, optional
        Where the copy goes (default: the working directory).

    Returns
    -------
    str
        The file's bare name, or the absolute path of the package's file.
    """
    original = path(name)
    folder = Path.cwd() if folder is None else Path(folder)
    copy = folder / original.name
    try:
        if not copy.exists():
            shutil.copyfile(original, copy)
        elif copy.read_bytes() != original.read_bytes():
            return str(original)
    except OSError:
        return str(original)
    return original.name if folder.resolve() == Path.cwd().resolve() else str(copy)


def _checked(name: str) -> str:
    if name not in _DESCRIPTIONS:
        raise DataError(problem(f"There is no bundled dataset named {name!r}.",
                                f"Use one of {', '.join(repr(n) for n in names())}."))
    return name
