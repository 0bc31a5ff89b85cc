"""Write a step's code into the notebook, in the cell below the widget.

The mmm-widgets JupyterLab extension (``js/``) registers the comm target
``mmm_widgets_cells`` on every notebook's kernel. :class:`CellWriter` opens a comm to it
with the code and the model ids of the widget and its ancestors; the extension finds the
cell that displays one of them, writes the code below it and answers
``{"status": "ok", "index": ..., "action": "inserted" | "replaced"}``.

Where nothing answers (VS Code, Colab, classic Notebook, the extension disabled), the
comm is closed at once or stays silent; after ``timeout`` seconds the writer reports a
failure and the caller shows the code to copy instead. ``set_next_input`` is no
alternative: called from a widget callback it writes nothing and its payload attaches to
the next cell the user runs.

The writer never blocks: the kernel handles the answer only once the widget callback
that asked has returned, so the answer arrives as a comm callback, and the time-out as a
call handed from a timer thread to the kernel's event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import comm as comm_module
import ipywidgets as w
from ipywidgets.widgets import widget as widget_module

TARGET_NAME = "mmm_widgets_cells"


@dataclass(frozen=True)
class WriteOutcome:
    """How a request to write a cell ended.

    Attributes
    ----------
    ok : bool
        Whether the cell was written.
    index : int or None
        Index of the written cell in the notebook (0-based), when ``ok``.
    action : str or None
        ``"inserted"`` (a new cell) or ``"replaced"`` (an unedited cell the kit wrote
        before for the same key), when ``ok``.
    message : str
        Why the cell was not written, when not ``ok``.
    """

    ok: bool
    index: int | None = None
    action: str | None = None
    message: str = ""


class CommLike(Protocol):
    """The part of a ``comm.base_comm.BaseComm`` the writer uses."""

    def on_msg(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Register the callback for messages from the front end."""

    def on_close(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Register the callback for the comm being closed."""


def _kernel() -> Any:
    """The running Jupyter kernel, or None."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return getattr(shell, "kernel", None) if shell is not None else None


def kernel_available() -> bool:
    """Whether this code runs in a Jupyter kernel (so a front end may answer a comm)."""
    return _kernel() is not None


def ancestor_model_ids(widget: w.Widget) -> list[str]:
    """The model ids of ``widget`` and of the boxes holding it, innermost first.

    The notebook records only the model id of the widget that was displayed (for a
    wizard, its outermost box), so the front end is given every candidate.

    Parameters
    ----------
    widget : ipywidgets.Widget
        The widget that asks for a cell.

    Returns
    -------
    list of str
        ``widget.model_id``, then its parent's, and so on.
    """
    parents: dict[str, w.Widget] = {}
    # ipywidgets keeps no parent links; its registry of live widgets lets us build them.
    for candidate in list(getattr(widget_module, "_instances", {}).values()):
        for child in getattr(candidate, "children", ()) or ():
            if isinstance(child, w.Widget):
                parents.setdefault(child.model_id, candidate)
    ids = [widget.model_id]
    while ids[-1] in parents and parents[ids[-1]].model_id not in ids:
        ids.append(parents[ids[-1]].model_id)
    return ids


def _call_later(delay: float, callback: Callable[[], None]) -> threading.Timer:
    """Call ``callback`` after ``delay`` seconds, on the kernel's thread when in a kernel.

    A timer thread counts the time; the call itself is handed to the kernel's event loop
    (``add_callback`` is thread-safe), so it runs between messages like every other
    widget callback.
    """
    loop = getattr(_kernel(), "io_loop", None)

    def fire() -> None:
        if loop is not None:
            loop.add_callback(callback)
        else:
            callback()

    timer = threading.Timer(delay, fire)
    timer.daemon = True
    timer.start()
    return timer


class CellWriter:
    """Ask the JupyterLab extension to write code into the cell below a widget.

    Parameters
    ----------
    anchor : ipywidgets.Widget
        The widget asking; the cell goes below the cell that displays it (or one of the
        boxes holding it).
    timeout : float
        Seconds to wait for an answer before reporting a failure.
    create_comm : callable, optional
        Opens the comm (``comm.create_comm`` by default; tests pass a fake).

    Examples
    --------
    >>> import ipywidgets as w
    >>> writer = CellWriter(w.Button())
    >>> writer.write("x = 1", key="demo", on_done=print)  # no kernel here: nothing sent
    False
    """

    def __init__(self, anchor: w.Widget, timeout: float = 2.0,
                 create_comm: Callable[..., CommLike] | None = None):
        self.anchor = anchor
        self.timeout = timeout
        self._create_comm = create_comm

    def write(self, code: str, key: str, *, on_done: Callable[[WriteOutcome], None],
              execute: bool = False) -> bool:
        """Send ``code`` to the front end; ``on_done`` is called with the outcome later.

        Parameters
        ----------
        code : str
            The cell's source.
        key : str
            Names what the cell holds (e.g. the step kind): a later write with the same key
            replaces the cell while the user has not edited it.
        on_done : callable
            Called with a :class:`WriteOutcome` once the front end answered, the comm was
            closed unanswered, or ``timeout`` passed. What the front end says after the
            time-out is reported too (a success, or why it did not write, which says more
            than "no answer"), so ``on_done`` may be called a second time.
        execute : bool
            Also run the cell.

        Returns
        -------
        bool
            ``False`` when there is no kernel to send through (``on_done`` is not called);
            ``True`` when the request was sent.
        """
        if self._create_comm is None and not kernel_available():
            return False
        create = self._create_comm or comm_module.create_comm
        request = _Request(on_done)
        data = {"code": code, "key": key, "execute": execute,
                "model_ids": ancestor_model_ids(self.anchor)}
        channel = create(target_name=TARGET_NAME, data=data)
        channel.on_msg(request.on_msg)
        channel.on_close(request.on_close)
        request.timer = _call_later(self.timeout, request.on_timeout)
        return True


class _Request:
    """One write request: turns the comm's answer, its closing or silence into an outcome."""

    def __init__(self, on_done: Callable[[WriteOutcome], None]):
        self._on_done = on_done
        self._lock = threading.Lock()
        # How the request was settled: None (not yet), "timeout", "refused" or "written".
        self._settled: str | None = None
        self.timer: threading.Timer | None = None

    def on_msg(self, msg: dict[str, Any]) -> None:
        data = msg.get("content", {}).get("data", {}) or {}
        if data.get("status") == "ok":
            self._finish(WriteOutcome(ok=True, index=data.get("index"),
                                      action=data.get("action")),
                         "written", replaces=("timeout", "refused"))
        else:
            self._finish(WriteOutcome(ok=False, message=str(data.get("message",
                                                                     "unknown error"))),
                         "refused", replaces=("timeout",))

    def on_close(self, _msg: dict[str, Any]) -> None:
        # Under load (seen in CI) the front end's refusal can come after the time-out.
        self._finish(WriteOutcome(ok=False, message="the mmm-widgets extension is not active "
                                                    "in this front end"),
                     "refused", replaces=("timeout",))

    def on_timeout(self) -> None:
        self._finish(WriteOutcome(ok=False, message="no answer from the front end"), "timeout")

    def _finish(self, outcome: WriteOutcome, how: str, replaces: tuple[str, ...] = ()) -> None:
        """Report ``outcome`` (settling the request ``how``) unless it is settled already.

        An outcome settled in one of the ways in ``replaces`` is reported anew: a success
        after a refusal or a time-out, or the front end's reason after a time-out.
        """
        with self._lock:
            if self._settled is not None and self._settled not in replaces:
                return
            self._settled = how
        if self.timer is not None:
            self.timer.cancel()
        self._on_done(outcome)
