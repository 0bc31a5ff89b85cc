"""How a file is meant to be read: its text encoding, separator, header line and numbers.

Exports write files their own way: a German Excel saves ``;``-separated text in Windows-1252
with decimal commas, an ad platform puts a report title and a date range above the header,
Excel's "Unicode text" is UTF-16 with tabs. :func:`better_options` finds the
``pd.read_csv`` / ``pd.read_excel`` options under which such a file reads as a table, by
sniffing its first lines and confirming them on a sample; :func:`describe_options` says in
words what they mean, for the note a file read with them carries.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import IO, Any

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.sheets import workbook_engine

#: Separators a text table may use, the usual first.
SEPARATORS = (",", ";", "\t", "|")
_SAMPLE_LINES = 60
_SAMPLE_ROWS = 200
_MISSING = object()
# Byte-order marks of UTF-16 and UTF-8 text (Excel's "Unicode text" writes UTF-16 with one).
_BOMS = ((b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"), (b"\xef\xbb\xbf", "utf-8-sig"))
_ENCODING_NAMES = {"cp1252": "Windows-1252", "latin-1": "Latin-1", "utf-16": "UTF-16",
                   "utf-8-sig": "UTF-8 with a byte-order mark"}


#: Endings of compressed files, which pandas reads as the file inside (``sales.csv.gz``).
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".zip", ".xz", ".zst", ".tar")
#: Readers of the compressed files :func:`open_bytes` looks inside, by their ending.
_DECOMPRESSORS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def open_bytes(path: Path) -> IO[bytes]:
    """``path`` opened for reading its bytes, those of the file inside when it is
    compressed as pandas reads it (``.gz``, ``.bz2``, ``.xz``, a ``.zip`` of one file).

    Parameters
    ----------
    path : Path

    Returns
    -------
    binary file object
        To be closed by the caller (``with open_bytes(path) as handle``).
    """
    suffix = path.suffix.lower()
    if suffix in _DECOMPRESSORS:
        return _DECOMPRESSORS[suffix](path, "rb")
    if suffix == ".zip" and zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        members = [name for name in archive.namelist() if not name.endswith("/")]
        if len(members) == 1:
            return archive.open(members[0])
        archive.close()
    return path.open("rb")


def text_encoding(path: Path) -> str:
    """The encoding ``path``'s text is written in: UTF-16 or UTF-8 by a byte-order mark,
    else UTF-8 when every byte decodes as UTF-8, else Windows-1252 (Excel's "CSV" on
    Western Windows; ``€`` as byte 0x80), else Latin-1, which decodes any byte.

    Parameters
    ----------
    path : Path

    Returns
    -------
    str
        A name ``pd.read_csv(encoding=...)`` takes.
    """
    with open_bytes(path) as handle:
        content = handle.read()
    for mark, encoding in _BOMS:
        if content.startswith(mark):
            return encoding
    for encoding in ("utf-8", "cp1252"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def better_options(kind: str, path: Path, current: dict[str, Any]) -> dict[str, Any]:
    """Read options (changed or added) under which the file reads as a proper table.

    Likely separators and header rows are sniffed from the first lines and confirmed by
    reading a sample with them; the decimal mark and thousands separator are then read
    off that sample's text columns.

    Parameters
    ----------
    kind : {"csv", "excel"}
    path : Path
    current : dict
        The options the file is read with now.

    Returns
    -------
    dict
        Only the options that differ from ``current``; empty when nothing better was found.
    """
    if kind == "csv":
        sniffed = _sniff_csv(path, current)
        if sniffed is None:
            return {}
        trial = {**current, **sniffed}
    else:
        trial = _excel_header(kind, path, current)
        if trial is None:
            return {}
    sample = read_sample(kind, path, trial)
    if sample is None or sample.shape[1] < 2 or mostly_unnamed(sample):
        return {}
    trial.update(_number_options(sample, trial))
    return {k: v for k, v in trial.items() if current.get(k, _MISSING) != v}


def describe_options(options: dict[str, Any]) -> str:
    """What read options found by the kit say about the file, in words.

    Parameters
    ----------
    options : dict
        Options such as :func:`better_options` finds (``encoding``, ``sep``,
        ``skiprows``, ``decimal``, ``thousands``, ``header``; ``lines`` for JSON).

    Returns
    -------
    str
        E.g. ``"Read with skiprows=2: the header is on row 3 (the rows above are a title
        or notes)."``
    """
    said = {
        "encoding": lambda v: f"the text is {_ENCODING_NAMES.get(v, v)}, not UTF-8",
        "sep": lambda v: f"its values are separated by {literal(v)}",
        "skiprows": lambda v: f"the header is on row {v + 1} (the rows above are a title "
                              "or notes)",
        "decimal": lambda v: f"numbers have a decimal {'comma' if v == ',' else literal(v)}",
        "thousands": lambda v: f"thousands are grouped with {literal(v)}",
        "header": lambda v: "the header spans two rows, each column named by both",
        "lines": lambda v: "each line holds one record (JSON Lines)",
    }
    written = ", ".join(f"{key}={literal(value)}" for key, value in options.items())
    reasons = "; ".join(said[key](value) for key, value in options.items() if key in said)
    return f"Read with {written}: {reasons}." if reasons else f"Read with {written}."


def mostly_unnamed(frame: pd.DataFrame) -> bool:
    """Whether half the columns or more have no name (pandas' ``Unnamed: ...``)."""
    unnamed = sum(str(c).startswith("Unnamed:") for c in frame.columns)
    return unnamed * 2 >= frame.shape[1]


def read_sample(kind: str, path: Path, options: dict[str, Any]) -> pd.DataFrame | None:
    """The file's first rows read with ``options``; None when they do not read.

    Of several sheets read at once, the first's: the sheets stacked share their layout.
    """
    reader = pd.read_csv if kind == "csv" else pd.read_excel
    if kind == "excel" and (engine := workbook_engine(path, options.get("engine"))):
        options = {**options, "engine": engine}
    try:
        sample = reader(path, **{**options, "nrows": _SAMPLE_ROWS})
    except Exception:  # a failed guess is no suggestion, not a new error
        return None
    if isinstance(sample, dict):
        return next(iter(sample.values()), None)
    return sample


def _sniff_csv(path: Path, current: dict[str, Any]) -> dict[str, Any] | None:
    """The separator and the header line that best explain the file's first lines."""
    encoding = current.get("encoding") or "utf-8"
    try:
        with io.TextIOWrapper(open_bytes(path), encoding=encoding, errors="replace",
                              newline="") as handle:
            lines = [line for _, line in zip(range(_SAMPLE_LINES), handle, strict=False)]
    except (OSError, LookupError, EOFError, zipfile.BadZipFile):
        return None
    best: tuple[float, int, str, int] | None = None
    for sep in SEPARATORS:
        widths = [len(row) for row in csv.reader(lines, delimiter=sep)]
        filled = [w for w in widths if w > 0]
        if not filled:
            continue
        width, hits = Counter(filled).most_common(1)[0]
        if width < 2:
            continue
        header = next(i for i, w in enumerate(widths) if w == width)
        score = (hits / len(filled), width, sep, header)
        if best is None or score[:2] > best[:2]:
            best = score
    if best is None:
        return None
    _, _, sep, header = best
    options: dict[str, Any] = {}
    if sep != current.get("sep", current.get("delimiter", ",")):
        options["sep"] = sep
    if header:
        options["skiprows"] = header
    return options or None


def _excel_header(kind: str, path: Path, current: dict[str, Any]) -> dict[str, Any] | None:
    """Skip rows that put the header on the first row with a name in every column."""
    sample = read_sample(kind, path, {**current, "header": None})
    if sample is None:
        return None
    width = sample.notna().sum(axis=1).max()
    for position, (_, row) in enumerate(sample.iterrows()):
        values = row.dropna()
        if len(values) == width and all(isinstance(v, str) for v in values):
            return {**current, "skiprows": int(current.get("skiprows") or 0) + position}
    return None


def _number_options(sample: pd.DataFrame, options: dict[str, Any]) -> dict[str, Any]:
    """``decimal=','`` / ``thousands=...`` when the sample's text columns need them."""
    text = [str(v).strip() for column in sample.columns
            if not pd.api.types.is_numeric_dtype(sample[column])
            for v in sample[column].dropna().head(20)]
    points = [t for t in text if re.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+(,\d+)?", t)]
    commas = [t for t in text if re.fullmatch(r"[-+]?\d*,\d+", t)
              and not re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+", t)]
    grouped = [t for t in text if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)", t)]
    found: dict[str, Any] = {}
    if (points or commas) and options.get("decimal", ".") != ",":
        found["decimal"] = ","
        if points:
            found["thousands"] = "."
    elif grouped and "thousands" not in options:
        found["thousands"] = ","
    return found
