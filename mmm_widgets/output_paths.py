"""Paths the kit writes to: checked before the work, so a wrong one costs nothing.

A report or a notebook is one file, a saved workflow a folder. Given the other kind, the
user gets an :class:`~mmm_widgets.errors.PathError` naming a path that would do, not an
``IsADirectoryError`` after the report was built.
"""

from __future__ import annotations

from pathlib import Path

from mmm_widgets.errors import PathError, problem


def file_to_write(path: str | Path, what: str, example: str) -> Path:
    """The path of a file to write, its folder made if it is missing.

    Parameters
    ----------
    path : str or Path
        Where the user asked for the file.
    what : str
        What the file is, for the message (``"the report"``).
    example : str
        A file name that would do (``"report.html"``).

    Returns
    -------
    Path

    Raises
    ------
    PathError
        When ``path`` is a folder.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> file_to_write(folder, "the report", "report.html")
    Traceback (most recent call last):
    ...
    mmm_widgets.errors.PathError: ... is a folder; the report is one file. Fix: Give ...
    """
    path = Path(path)
    if path.is_dir():
        raise PathError(problem(f"{str(path)!r} is a folder; {what} is one file.",
                                f"Give a file's name, e.g. {str(path / example)!r}."))
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def folder_to_write(path: str | Path, what: str) -> Path:
    """The path of a folder to write into, made if it is missing.

    Parameters
    ----------
    path : str or Path
        Where the user asked for the folder.
    what : str
        What goes in it, for the message (``"a saved workflow"``).

    Returns
    -------
    Path

    Raises
    ------
    PathError
        When ``path`` is a file.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        folder = str(path.with_suffix("")) if path.suffix else f"{path}_saved"
        raise PathError(problem(f"{str(path)!r} is a file; {what} is a folder of files.",
                                f"Give a folder's name, e.g. {folder!r}."))
    path.mkdir(parents=True, exist_ok=True)
    return path
