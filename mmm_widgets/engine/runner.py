"""The one way code runs: copy the namespace, execute the chunks, commit on success.

Every number the kit shows is produced here, by executing the same cell text that the
export contains (:meth:`~mmm_widgets.codegen.CodeChunk.cell`). A failure leaves the
caller's namespace as it was and surfaces as an :mod:`mmm_widgets` error when a
translator knows the exception.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mmm_widgets.codegen import CodeChunk
from mmm_widgets.errors import MMMWidgetsError

Translate = Callable[[BaseException], BaseException]
#: Called with the chunk about to run and ``"start"``, then with ``"done"``.
ProgressHook = Callable[[CodeChunk, str], None]


def execute(chunk: CodeChunk, namespace: dict[str, Any]) -> None:
    """Execute a chunk's cell in ``namespace``, as a notebook runs the exported cell.

    Parameters
    ----------
    chunk : CodeChunk
        The code to run.
    namespace : dict
        Globals for the code; changed in place.
    """
    source = chunk.cell()
    exec(compile(source, f"<mmm_widgets: {chunk.title or chunk.comment}>", "exec"), namespace)


def _keep(error: BaseException) -> BaseException:
    return error


class Runner:
    """Runs chunks on a copy of a namespace and hands back the copy only on success.

    Parameters
    ----------
    translate : callable, optional
        Turns an exception that is not already an :class:`~mmm_widgets.errors.MMMWidgetsError`
        into one that says what to change (e.g. a step's pymc-marketing error
        translator); by default exceptions pass unchanged.
    on_chunk : callable, optional
        Progress hook, called as ``on_chunk(chunk, "start")`` and ``(chunk, "done")``.

    Examples
    --------
    >>> from mmm_widgets.codegen import CodeChunk
    >>> namespace = {"x": 1}
    >>> trial = Runner().run([CodeChunk("add", ("y = x + 1",))], namespace)
    >>> trial["y"], "y" in namespace
    (2, False)
    """

    def __init__(self, translate: Translate | None = None,
                 on_chunk: ProgressHook | None = None) -> None:
        self.translate = translate or _keep
        self.on_chunk = on_chunk

    def run(self, chunks: Iterable[CodeChunk], namespace: Mapping[str, Any],
            extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Execute ``chunks`` in order on a copy of ``namespace`` and return the copy.

        Parameters
        ----------
        chunks : iterable of CodeChunk
            The cells to run.
        namespace : mapping
            The names the cells see; never changed.
        extra : mapping, optional
            Names added to the copy first (the user's raw frames).

        Returns
        -------
        dict
            The namespace after the cells ran: commit it by replacing the original.

        Raises
        ------
        MMMWidgetsError
            An error of the kit, or what :attr:`translate` made of another exception.
        """
        trial = dict(namespace)
        if extra:
            trial.update(extra)
        for chunk in chunks:
            self._run_one(chunk, trial)
        return trial

    def _run_one(self, chunk: CodeChunk, trial: dict[str, Any]) -> None:
        if self.on_chunk is not None:
            self.on_chunk(chunk, "start")
        try:
            execute(chunk, trial)
        except MMMWidgetsError:
            raise
        except Exception as error:
            translated = self.translate(error)
            if translated is error:
                raise
            raise translated from error
        if self.on_chunk is not None:
            self.on_chunk(chunk, "done")


def commit(namespace: dict[str, Any], trial: Mapping[str, Any]) -> None:
    """Make ``trial`` the content of ``namespace`` (after a run succeeded)."""
    namespace.clear()
    namespace.update(trial)
