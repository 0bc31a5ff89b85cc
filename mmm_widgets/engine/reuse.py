"""Reusing what one part of a cell bound, for the same code on the same fitted model.

Some cells have a part that reads only the fitted model: the budget step's optimizer
and what-if grid, the overview's response curves. When a new step runs the very same
lines of that part on the very same ``mmm``, the names the part bound last time are
handed over instead of being computed again. The rest of the cell runs as exported, so
running the whole exported cell at once gives the same numbers.

Examples
--------
>>> class Fitted: ...
>>> namespace = {"mmm": Fitted()}
>>> def curves(names):
...     names["curve"] = [len(names)]
>>> first = bind_part("curve = ...", namespace, curves)
>>> second = bind_part("curve = ...", dict(namespace), curves, earlier=first)
>>> second is first, sorted(first.names)
(True, ['curve'])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

_MISSING = object()


@dataclass(frozen=True, eq=False)
class BoundPart:
    """The names one part of a cell bound, with the source it ran and the model it read.

    Parameters
    ----------
    source : str
        The part's code.
    mmm : object
        The fitted model (the namespace's ``mmm``) the part ran on.
    names : mapping
        Each name the part bound or rebound, with its value.
    """

    source: str
    mmm: Any = field(repr=False)
    names: Mapping[str, Any] = field(repr=False)

    def serves(self, source: str, namespace: Mapping[str, Any]) -> bool:
        """Whether these names are what ``source`` would bind in ``namespace``.

        Only for the same code on the very same fitted model (not an equal one: a refit
        makes a new ``mmm``).
        """
        mmm = namespace.get("mmm")
        return mmm is not None and mmm is self.mmm and source == self.source


def bind_part(source: str, namespace: dict[str, Any],
              run: Callable[[dict[str, Any]], None],
              earlier: BoundPart | None = None) -> BoundPart:
    """Bind a part's names in ``namespace``: ``earlier``'s when they serve, else by running it.

    Parameters
    ----------
    source : str
        The part's code, as ``run`` executes it.
    namespace : dict
        The names the part sees; changed in place.
    run : callable
        Executes the part in the namespace it is given.
    earlier : BoundPart, optional
        What an earlier run of a part bound.

    Returns
    -------
    BoundPart
        ``earlier`` when it served, else what this run bound.
    """
    if earlier is not None and earlier.serves(source, namespace):
        namespace.update(earlier.names)
        return earlier
    before = dict(namespace)
    run(namespace)
    names = {name: value for name, value in namespace.items()
             if before.get(name, _MISSING) is not value}
    return BoundPart(source=source, mmm=namespace.get("mmm"), names=names)
