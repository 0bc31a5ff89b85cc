"""Pieces every panel uses: messages, exception capture, the code box, bokeh panes."""

from __future__ import annotations

import functools
import html
import json
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w

from mmm_widgets.engine.jobs import Job
from mmm_widgets.errors import MMMWidgetsError
from mmm_widgets.views import activity
from mmm_widgets.views.export import CellWriter, WriteOutcome
from mmm_widgets.wording import listed

_bokeh_loaded = False
#: Seconds between two looks at a running job's progress.
FOLLOW_SECONDS = 0.25


def follow_job(job: Job, on_progress: Callable[[Any], None],
               on_done: Callable[[Job], None], every: float = FOLLOW_SECONDS
               ) -> threading.Thread:
    """Follow a running job from a watcher thread: the one polling loop of every panel.

    Parameters
    ----------
    job : Job
        A started fit, holdout, cross-validation or budget job.
    on_progress : callable
        Called with the job's progress snapshot while it runs, and once more at the end.
    on_done : callable
        Called with the job once it finished, failed or was cancelled (``job.error``).
    every : float
        Seconds between two snapshots.

    Returns
    -------
    threading.Thread
        The watcher; ``join()`` it to wait until the panel shows the outcome.
    """

    def watch() -> None:
        while not job.done:
            on_progress(job.progress())
            time.sleep(every)
        on_progress(job.progress())
        on_done(job)

    watcher = threading.Thread(target=watch, daemon=True, name="mmm-widgets-follow")
    watcher.start()
    return watcher


def ensure_bokeh_loaded() -> None:
    """Load BokehJS INLINE once per kernel (the CDN is unreachable offline)."""
    global _bokeh_loaded
    if _bokeh_loaded:
        return
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return
    from bokeh.io import output_notebook
    from bokeh.resources import INLINE

    output_notebook(resources=INLINE, hide_banner=True)
    _bokeh_loaded = True


def bokeh_pane(fig) -> w.Widget:
    """A widget showing a bokeh figure (jupyter_bokeh's BokehModel)."""
    from jupyter_bokeh import BokehModel

    ensure_bokeh_loaded()
    return BokehModel(fig)


class SharedLooks:
    """Makes a panel's widgets with one layout model per set of CSS properties and one
    style model per style class, shared among them.

    ipywidgets gives every widget a Layout and a style model of its own: each is a model the
    kernel opens and sends and the browser builds when the panel opens, two thirds of a
    panel's models. ipywidgets lets widgets share them, and the browser draws each widget as
    with its own, so sharing changes nothing shown. Only for widgets whose layout and style
    are never changed afterwards: a change would reach every widget sharing them.

    Examples
    --------
    >>> looks = SharedLooks()
    >>> a, b = looks(w.HTML, "a"), looks(w.HTML, "b")
    >>> a.layout is b.layout and a.style is b.style
    True
    >>> looks(w.Text, width="120px").layout is a.layout
    False
    >>> wide = looks(w.Text, style={"description_width": "130px"})
    >>> wide.style is looks(w.Text).style, wide.style.description_width
    (False, '130px')
    """

    def __init__(self) -> None:
        self._layouts: dict[tuple[tuple[str, str], ...], w.Layout] = {}
        self._styles: dict[tuple[type, tuple[tuple[str, str], ...]], w.Widget] = {}

    def layout(self, **css: str) -> w.Layout:
        """The shared layout with these CSS properties (e.g. ``width="120px"``)."""
        key = tuple(sorted(css.items()))
        if key not in self._layouts:
            self._layouts[key] = w.Layout(**css)
        return self._layouts[key]

    def __call__(self, cls: type, *args: Any, width: str | None = None,
                 style: Mapping[str, str] | None = None, **kwargs: Any) -> Any:
        """``cls(*args, **kwargs)`` with the shared layout (of ``width``) and style.

        ``style`` (e.g. ``{"description_width": "130px"}``) picks the shared style model
        with those settings; a ``layout`` given explicitly is used as it is.
        """
        kwargs.setdefault("layout", self.layout(**({"width": width} if width else {})))
        trait = cls.class_traits().get("style")
        style_class = getattr(trait, "klass", None)
        if isinstance(style_class, type):
            key = (style_class, tuple(sorted((style or {}).items())))
            if key not in self._styles:
                self._styles[key] = style_class(**dict(key[1]))
            kwargs["style"] = self._styles[key]
        elif style:
            raise TypeError(f"{cls.__name__} has no style model")
        return cls(*args, **kwargs)


#: A list whose text keeps its spaces as written: a fix's line names columns as the table
#: does ('DATE     ', padded by an export), and copied from a collapsed rendering it
#: would name another.
LINES_LIST = '<ul style="white-space:pre-wrap">'


def problems_html(error: BaseException) -> str:
    """Render an error for the panel: each problem with its place and fix."""
    if isinstance(error, MMMWidgetsError):
        items = []
        for problem in error.problems:
            where = f"<b>{html.escape(problem.column)}</b>" if problem.column is not None else ""
            rows = listed([html.escape(r) for r in problem.rows], 5, total=problem.total_rows)
            place = " ".join(p for p in (where, f"at {rows}" if rows else "") if p)
            items.append(f"<li>{place + ': ' if place else ''}{html.escape(problem.what)}"
                         f"<br><i>Fix:</i> {html.escape(problem.fix)}</li>")
        count = len(error.problems)
        head = "1 problem to fix" if count == 1 else f"{count} problems to fix"
        return _box("error", f"<b>{head}</b>{LINES_LIST}{''.join(items)}</ul>")
    detail = html.escape("".join(traceback.format_exception_only(type(error), error)).strip())
    return _box("error", "<b>Something went wrong.</b> Your inputs are kept; nothing was "
                         f"changed.<br><code>{detail}</code>")


def message_html(kind: str, text: str) -> str:
    """A coloured message box; ``kind`` is ``"ok"``, ``"warn"``, ``"error"`` or ``"info"``."""
    return _box(kind, text)


_COLOURS = {"ok": "#e8f5e9", "warn": "#fff8e1", "error": "#ffebee", "info": "#e3f2fd"}


def _box(kind: str, inner: str) -> str:
    colour = _COLOURS.get(kind, "#f5f5f5")
    return (f'<div class="mmm-message mmm-{kind}" style="background:{colour};padding:6px 10px;'
            f'border-radius:4px;margin:4px 0">{inner}</div>')


def report_errors(target: w.HTML) -> Callable:
    """Decorate a widget callback so any exception is shown in ``target``, never lost.

    The callback runs inside :func:`mmm_widgets.views.activity.handling`.
    """

    def decorate(callback: Callable) -> Callable:
        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any):
            try:
                with activity.handling():
                    return callback(*args, **kwargs)
            except Exception as error:  # shown to the user; the kernel stays up
                target.value = problems_html(error)
                return None

        return wrapper

    return decorate


class CodeBox(w.VBox):
    """The exported code of a step: written into the notebook, or shown with a copy button.

    In JupyterLab 4 and Notebook 7 with the mmm-widgets extension, :meth:`export` writes
    the code into the cell below the widget; elsewhere (VS Code, Colab, no extension, no
    kernel) it shows the code here with a copy button.

    Parameters
    ----------
    title : str
        Heading above the code.
    writer : CellWriter, optional
        Writes cells through the extension (one anchored at this box by default).
    """

    def __init__(self, title: str = "Exported code", writer: CellWriter | None = None):
        self.note = w.HTML()
        self.code_html = w.HTML()
        self._title = title
        # JupyterLab 4.6 answers a write request over a kernel subshell: the answer is
        # handled on the subshell's thread while the click that asked may still run.
        self._lock = threading.RLock()
        super().__init__([self.note, self.code_html])
        self.writer = writer if writer is not None else CellWriter(self)
        self.layout.display = "none"

    @property
    def code(self) -> str:
        """The code currently shown or written."""
        return getattr(self, "_code", "")

    def export(self, code: str, key: str, *, execute: bool = False) -> None:
        """Write ``code`` into the cell below the widget, or show it here to copy.

        Parameters
        ----------
        code : str
            The cell's source.
        key : str
            What the cell holds (e.g. the step kind): exporting the same key again replaces
            the cell written before, unless the user edited it.
        execute : bool
            Also run the written cell.
        """
        # Shown before the request goes out: the answer may come back before write returns.
        with self._lock:
            self._code = code
            self.code_html.value = ""
            self.note.value = message_html("info", "Writing the code into a cell below…")
            self.layout.display = None
        sent = self.writer.write(code, key, execute=execute,
                                 on_done=lambda outcome: self._written(code, outcome, execute))
        if not sent:
            self.show(code)

    def _written(self, code: str, outcome: WriteOutcome, executed: bool) -> None:
        with self._lock:
            if code == self._code:  # else a later export superseded this one
                self._show_outcome(code, outcome, executed)

    def _show_outcome(self, code: str, outcome: WriteOutcome, executed: bool) -> None:
        if outcome.ok:
            done = "Updated" if outcome.action == "replaced" else "Wrote"
            then = "It ran, as it would" if executed else "Run it to reproduce this step"
            self.code_html.value = ""
            self.note.value = message_html(
                "ok", f"{done} the code cell below the widget (cell {(outcome.index or 0) + 1})."
                      f" {then} without the widgets.")
            return
        self.show(code)
        self.note.value = message_html(
            "info", f"Could not write a cell here ({html.escape(outcome.message)}). Copy the "
                    "code instead, or save every step as a notebook with "
                    "<code>wf.to_notebook(\"analysis.ipynb\")</code> (for a wizard: "
                    "<code>wizard.workflow.to_notebook(...)</code>).")

    def show(self, code: str) -> None:
        """Show ``code`` with a copy-to-clipboard button."""
        payload = html.escape(json.dumps(code), quote=True)
        with self._lock:
            self._code = code
            self.note.value = ""
            self.code_html.value = (
                f"<div><b>{html.escape(self._title)}</b> "
                f"<button class=\"mmm-copy\" onclick=\"navigator.clipboard.writeText("
                f"{payload});this.textContent='Copied';\">Copy</button></div>"
                f"<pre class=\"mmm-code\" style=\"background:#f7f7f7;padding:8px;"
                f"overflow:auto;max-height:320px\">{html.escape(code)}</pre>")
            self.layout.display = None

    def hide(self) -> None:
        """Hide the box."""
        self.layout.display = "none"


def user_namespace() -> dict[str, Any]:
    """The notebook's namespace (empty outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return {}
    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


def frame_names(namespace: dict[str, Any]) -> list[str]:
    """Names of the DataFrames in ``namespace``, private ones left out."""
    import pandas as pd

    return sorted(name for name, value in namespace.items()
                  if isinstance(value, pd.DataFrame) and not name.startswith("_"))


def frame_html(frame, float_format: str = "{:,.2f}") -> str:
    """A pandas frame as a compact HTML table for the panel."""
    return frame.to_html(float_format=float_format.format, na_rep="", border=0,
                         classes="mmm-table")
