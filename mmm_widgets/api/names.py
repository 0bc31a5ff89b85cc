"""The caller's variable name for a table, so that exported code refers to it by that name.

Shared by the :class:`~mmm_widgets.workflow.Workflow` core (the raw table) and its
attribution methods (touch tables).
"""

from __future__ import annotations

from types import FrameType

from mmm_widgets.steps.source import is_safe_name

__all__ = ["variable_name"]


def variable_name(obj: object, frame: FrameType | None) -> str:
    """Find a variable that holds ``obj`` in the callers' scopes ("df" if none).

    Only names exported code can bind are taken (see :func:`is_safe_name`): a frame held
    in ``data`` or ``X`` would be overwritten by the exported cells themselves.

    Parameters
    ----------
    obj : object
        The value to look for (compared by identity).
    frame : frame or None
        The frame of the kit's method that was called; the search starts at its caller.
        Frames of modules under ``mmm_widgets`` (the facade and its mixins, the views)
        are skipped, so a method defined in any of them finds the user's variable.

    Returns
    -------
    str
        The first such name within eight user frames, else ``"df"``.
    """
    caller = frame.f_back if frame is not None else None
    depth = 0
    while caller is not None and depth < 8:
        if caller.f_globals.get("__name__", "").startswith("mmm_widgets"):
            caller = caller.f_back
            continue
        for scope in (caller.f_locals, caller.f_globals):
            for key, value in list(scope.items()):
                if value is obj and is_safe_name(key):
                    return key
        caller = caller.f_back
        depth += 1
    return "df"
