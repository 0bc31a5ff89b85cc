"""What a step may read of the workflow: a read-only view, never the workflow itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from mmm_widgets.engine import registry
from mmm_widgets.errors import StepOrderError, problem


@dataclass(frozen=True)
class Context:
    """Upstream parameters and results, statuses and a namespace to copy.

    Built by :meth:`mmm_widgets.workflow.Workflow.context`; steps and the per-topic helpers
    read the workflow through it, so they never import (or change) the workflow.

    Attributes
    ----------
    params : mapping
        Kind -> the parameters of the current step of that kind.
    results : mapping
        Kind -> its result.
    statuses : mapping
        Kind -> ``"done"``, ``"stale"``, ``"ready"`` or ``"blocked"`` for every kind.
    interval : float
        Level of the intervals new steps compute.
    """

    params: Mapping[str, Any]
    results: Mapping[str, Any]
    statuses: Mapping[str, str]
    interval: float
    _namespace: Mapping[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def of(cls, steps: Mapping[str, Any], stale: set[str], interval: float,
           namespace: Mapping[str, Any]) -> Context:
        """A context over ``steps`` (kind -> step), of which ``stale`` are out of date."""
        return cls(MappingProxyType({k: s.params for k, s in steps.items()}),
                   MappingProxyType({k: s.result for k, s in steps.items()}),
                   MappingProxyType(registry.statuses(steps, stale)), interval,
                   MappingProxyType(dict(namespace)))

    def namespace(self) -> dict[str, Any]:
        """A fresh copy of the workflow's namespace (with the raw frames) to run code in."""
        return dict(self._namespace)

    def status(self, kind: str) -> str:
        """The status of step ``kind``."""
        return self.statuses[kind]

    def done(self, kind: str) -> bool:
        """Whether step ``kind`` is done and current."""
        return self.statuses.get(kind) == "done"

    def result(self, kind: str) -> Any:
        """The result of step ``kind``, which must be done and current.

        Raises
        ------
        StepOrderError
            When it is missing or out of date, saying which step to run.
        """
        if not self.done(kind):
            raise StepOrderError(problem(
                f"The {kind} step is {self.statuses.get(kind, 'unknown')}.",
                f"Run the {kind} step first (it is missing or out of date)."))
        return self.results[kind]
