"""The budget as a workflow sees it: optimize, scenarios, what-if, reload.

The :class:`~mmm_widgets.workflow.Workflow` methods of step 6 delegate here; the step
itself (:mod:`mmm_widgets.steps.budget`) never sees the workflow. ``rerun`` is the
hook :mod:`mmm_widgets.persist` calls to rebuild the step of a loaded workflow.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from mmm_widgets.engine.jobs import Job
from mmm_widgets.engine.shown import Shown
from mmm_widgets.errors import DataError, problem
from mmm_widgets.steps.budget import (
    DEFAULT_BOUND_PCT,
    NO_LIMIT,
    BudgetMonitor,
    BudgetParams,
    BudgetResult,
    BudgetStep,
    Scenario,
    bound_pair,
)
from mmm_widgets.steps.budget.what_if import what_if_chunk

if TYPE_CHECKING:
    # Type hints only: importing the workflow at run time would close the cycle this
    # module exists to break.
    from mmm_widgets.workflow import Workflow


def budget_params(workflow: Workflow) -> BudgetParams:
    """The budget step's parameters if it was run, else the defaults."""
    if workflow.status("budget") in ("done", "stale"):
        return workflow.step("budget").params
    return BudgetParams(hdi_prob=workflow.interval, periods=workflow.quarter_periods,
                        run_rate_periods=workflow.run_rate_periods)


def run_budget(workflow: Workflow, params: BudgetParams,
               monitor: BudgetMonitor | None = None) -> BudgetResult:
    """Run the budget step with ``params`` (reusing the optimizer when it is unchanged)."""
    previous = workflow.step("budget") if workflow.status("budget") == "done" else None
    step = BudgetStep(params, workflow.data_result, previous, monitor)
    return workflow.run_step(step)


def ensure_budget(workflow: Workflow) -> BudgetResult:
    """The budget result, running the step with the current settings when it is not done."""
    if workflow.status("budget") != "done":
        return run_budget(workflow, budget_params(workflow))
    return workflow.step("budget").result


def parse_bounds(bounds: Any) -> tuple[dict[str, Any], float | None]:
    """Bounds as the budget and plan steps store them, and the default band around current.

    Parameters
    ----------
    bounds : dict, "none" or None
        Channel (or ``(channel, geo)``, or channel -> geo) -> ``(lowest, highest)``;
        ``"none"`` for no limits (and no default band).

    Returns
    -------
    tuple
        The bounds as plain data, and the default band in percent (None for ``"none"``).

    Raises
    ------
    DataError
        Unknown text or bounds that are not pairs of numbers, with an example.
    """
    pct: float | None = DEFAULT_BOUND_PCT
    if isinstance(bounds, str):
        if bounds.strip().lower() != NO_LIMIT:
            raise DataError(problem(f"Unknown bounds {bounds!r}.",
                                    f"Pass {NO_LIMIT!r} for no limits, or a dict of "
                                    "(lowest, highest) per channel."))
        bounds, pct = None, None
    try:
        return _bounds_params(bounds or {}), pct
    except (TypeError, ValueError, IndexError, AttributeError) as error:
        raise DataError(problem("bounds must map each channel to (lowest, highest) numbers.",
                                "e.g. {'tv': (10000, 200000)}, or "
                                f"{NO_LIMIT!r} for no limits.")) from error


def optimize_budget(workflow: Workflow, total: float, periods: int,
                    bounds: Mapping[str, tuple[float, float]] | str | None = None,
                    objective: str = "mean", risk_level: float = 0.95,
                    monitor: BudgetMonitor | None = None,
                    held_split: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
    """See :meth:`Workflow.optimize_budget`.

    ``bounds``: channel -> ``(lowest, highest)``, channels left out within
    ``DEFAULT_BOUND_PCT`` % of their current spend (also when None); ``"none"`` lets
    every channel get anything from 0 to ``total``. On a geo model, per (channel, geo):
    ``(channel, geo)`` keys or channel -> geo -> bounds; a channel's own bounds are split
    over its geos in proportion to current spend. ``held_split``: channels whose split
    over the geos the plan keeps (None: those the data shows bought nationally).
    """
    params = budget_params(workflow)
    clean_bounds, pct = parse_bounds(bounds)
    try:
        total_value = float(total)
    except (TypeError, ValueError) as error:
        raise DataError(problem(f"The total budget must be a number, not {total!r}.",
                                "Enter the spend to allocate over the horizon.")) from error
    params = params.replace(total=total_value, periods=periods, bounds=clean_bounds,
                            default_bound_pct=pct, objective=objective,
                            risk_level=float(risk_level),
                            held_split=None if held_split is None else tuple(held_split))
    return run_budget(workflow, params, monitor).allocation.copy()


def optimize_in_background(workflow: Workflow, total: float, periods: int,
                           bounds: Mapping[str, tuple[float, float]] | str | None = None,
                           objective: str = "mean", risk_level: float = 0.95,
                           held_split: list[str] | tuple[str, ...] | None = None) -> Job:
    """Start :func:`optimize_budget` in a worker thread and return the job at once."""
    job = Job(BudgetMonitor(), "mmm-widgets-budget")
    job.start(lambda: optimize_budget(workflow, total, periods, bounds, objective, risk_level,
                                      job.monitor, held_split))
    return job


def synergy_note(workflow: Workflow) -> str | None:
    """Plain text saying the plan leaves out the model's channel interactions.

    An interaction enters pymc-marketing as a control column (the product of two
    spends). The optimizer's window holds controls at zero, so response curves,
    optimizer, scenarios and what-if count every channel on its own.

    Returns
    -------
    str or None
        None when the model has no interaction.
    """
    if workflow.status("model") not in ("done", "stale"):
        return None
    pairs = workflow.step("model").params.interactions
    if not pairs:
        return None
    effects = None
    if workflow.status("fit") in ("done", "stale"):
        effects = getattr(workflow.step("fit").result, "interaction_effects", None)
    names = []
    for a, b in pairs:
        name = f"{a} x {b}"
        verdict = (effects["verdict"].get(name) if effects is not None
                   and "verdict" in effects else None)
        names.append(f"{name} ({verdict})" if verdict else name)
    return (f"The plan does not include the measured interaction of {', '.join(names)}. "
            "pymc-marketing holds an interaction as a control, and controls stay at zero "
            "in the planning window, so the response curves, the optimizer, the scenarios "
            "and the what-if count each channel on its own. The interaction's own "
            "contribution is in wf.interaction_effects().")


def what_if(workflow: Workflow, allocation: Mapping[Any, Any]) -> pd.DataFrame:
    """See :meth:`Workflow.what_if`.

    On a geo model ``allocation`` may be per channel (each channel's spend split over
    its geos in proportion to current spend), per ``(channel, geo)``, or channel -> geo
    -> spend; the frame is per (channel, geo).
    """
    result = ensure_budget(workflow)
    step = workflow.step("budget")
    if step.geo:
        cells, problems = step.layout().to_cells(dict(allocation), "what-if")
        if problems:
            raise DataError(problems)
        limits = result.what_if.limits
        allocation = {c: v for c, v in cells.items() if c in limits}
    else:
        allocation = dict(allocation)
    result.what_if.check(allocation)
    # The answer is the what-if cell's, run on the budget cell's grid; the export keeps
    # the cell of the last what-if shown, after the budget cell.
    chunk = what_if_chunk(allocation, step.params.hdi_prob, step.geo)
    namespace = workflow.show(Shown("what_if", chunk, ("data", "model", "fit", "budget"),
                                    after="budget"))
    return namespace["what_if"]


class Scenarios:
    """The named plans of a workflow's budget step: add, remove, compare.

    Built-in: ``"current"`` (the recent run-rate over the horizon) and ``"optimized"``
    (the last :meth:`Workflow.optimize_budget` result). Changes re-run the budget step,
    which reuses the optimizer, so they take well under a second.

    Parameters
    ----------
    workflow : Workflow
        The workflow whose budget step holds the scenarios.
    """

    def __init__(self, workflow: Workflow):
        self.workflow = workflow

    def add(self, name: str, allocation: Mapping[Any, Any]) -> pd.DataFrame:
        """Add a plan: channel -> spend over the horizon (channels left out spend 0).

        On a geo model a channel's spend is split over its geos in proportion to current
        spend; give ``(channel, geo)`` keys (or channel -> geo -> spend) to set it per geo.

        Returns
        -------
        pandas.DataFrame
            The comparison table (:meth:`compare`).
        """
        try:
            plan = _plan_params(allocation)
        except (TypeError, ValueError) as error:
            raise DataError(problem(f"Scenario {name!r}: spends must be numbers.",
                                    "Map each channel to its spend over the horizon.")) \
                from error
        return self._with(Scenario(name=str(name), allocation=plan))

    def add_budget_change(self, percent: float, base: str = "current",
                          name: str | None = None) -> pd.DataFrame:
        """Add ``base`` with every channel scaled by ``1 + percent / 100``.

        Parameters
        ----------
        percent : float
            E.g. ``10`` for "budget +10 %", ``-20`` for "budget -20 %".
        base : str
            The scenario to scale (``"current"``, ``"optimized"`` or one of yours).
        name : str, optional
            Defaults to ``"budget +10 %"`` (or ``"optimized +10 %"`` for another base).
        """
        if isinstance(percent, bool) or not isinstance(percent, numbers.Real):
            raise DataError(problem(f"The budget change must be a number of percent, not "
                                    f"{percent!r}.", "Use e.g. +10 or -10."))
        percent = float(percent)
        label = "budget" if base == "current" else base
        name = name or f"{label} {percent:+g} %"
        return self._with(Scenario(name=name, base=base, change_pct=percent))

    def remove(self, name: str) -> pd.DataFrame:
        """Remove one of your scenarios (and the ones that scale it)."""
        params = budget_params(self.workflow)
        if params.scenario(name) is None:
            raise DataError(problem(f"There is no scenario {name!r} of yours to remove.",
                                    f"Use one of {', '.join(self.names) or '(none yet)'}."))
        gone, kept = {name}, []
        for scenario in params.scenarios:
            if scenario.name in gone or scenario.base in gone:
                gone.add(scenario.name)
            else:
                kept.append(scenario)
        run_budget(self.workflow, params.replace(scenarios=tuple(kept)))
        return self.compare()

    def compare(self) -> pd.DataFrame:
        """Per scenario: total spend, expected outcome with its HDI, ROAS, P(beats current).

        The outcome is the media contribution the plan adds over the horizon and its
        carry-over tail, in target units.
        """
        return ensure_budget(self.workflow).scenarios.copy()

    def allocation(self, name: str) -> dict[Any, float]:
        """Channel (``(channel, geo)`` on a geo model) -> spend over the horizon."""
        allocations = ensure_budget(self.workflow).allocations
        if name not in allocations:
            raise DataError(problem(f"There is no scenario {name!r}.",
                                    f"Use one of {', '.join(allocations)}."))
        return dict(allocations[name])

    @property
    def names(self) -> list[str]:
        """Your scenarios' names (built-ins excluded)."""
        return [s.name for s in budget_params(self.workflow).scenarios]

    def __iter__(self) -> Iterator[str]:
        return iter(ensure_budget(self.workflow).allocations)

    def __len__(self) -> int:
        return len(ensure_budget(self.workflow).allocations)

    def _with(self, scenario: Scenario) -> pd.DataFrame:
        params = budget_params(self.workflow)
        run_budget(self.workflow, params.replace(scenarios=(*params.scenarios, scenario)))
        return self.compare()


def _plan_params(allocation: Mapping[Any, Any]) -> dict[str, Any]:
    """A plan as :class:`Scenario` keeps it: ``(channel, geo)`` keys become channel -> geo."""
    plan: dict[str, Any] = {}
    for key, value in dict(allocation).items():
        if isinstance(key, tuple):
            per_geo = plan.setdefault(str(key[0]), {})
            if not isinstance(per_geo, dict):
                raise TypeError(f"{key[0]!r} is given both per channel and per geo")
            per_geo[str(key[1])] = float(value)
        elif isinstance(value, Mapping):
            plan[str(key)] = {str(g): float(x) for g, x in value.items()}
        else:
            plan[str(key)] = float(value)
    return plan


def _bounds_params(bounds: Mapping[Any, Any]) -> dict[str, Any]:
    """Bounds as :class:`BudgetParams` keeps them: ``(channel, geo)`` keys become channel ->
    geo."""
    clean: dict[str, Any] = {}
    for key, bound in bounds.items():
        if isinstance(key, tuple):
            per_geo = clean.setdefault(str(key[0]), {})
            if not isinstance(per_geo, dict):
                raise TypeError(f"{key[0]!r} is bounded both per channel and per geo")
            per_geo[str(key[1])] = bound_pair(bound)
        elif isinstance(bound, Mapping):
            clean[str(key)] = {str(g): bound_pair(b) for g, b in bound.items()}
        else:
            clean[str(key)] = bound_pair(bound)
    return clean


# ----- persistence --------------------------------------------------------------------

def rerun(workflow: Workflow, params: dict[str, Any], folder: Any = None) -> BudgetResult:
    """Re-run the budget step of a loaded workflow from its saved parameters.

    The optimizer is deterministic given the posterior, which is loaded as saved, so the
    allocation and the scenario table come back as they were. Workflows saved before
    default bounds existed had none.
    """
    params = {"default_bound_pct": None, **params}
    return run_budget(workflow, BudgetParams.from_dict(params))
