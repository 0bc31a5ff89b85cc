"""The plan step (issue #19): a dated spend calendar for the next window, and its forecast.

Window. ``start`` (default: the period after the data) and ``periods`` give the plan's
dates, spaced like the data. pymc-marketing's optimizer is built from the period after
the data, so it keeps the real spend before it (carry-in); periods between the data and
``start`` get a share of 0.

Pattern. Each budget is spread over the window by fixed weights -- even, front-loaded
(linearly decreasing) or the user's own -- passed to pymc-marketing as
``budget_distribution_over_period``; the calendar is the budget times those weights.

Effects. Per posterior draw, every channel's contribution from the window's start to the
end of pymc-marketing's carry-over dates splits into what spend before the window still
adds (carry-in), what the plan adds inside the window, and what it adds after it
(carry-over); the three add up to the total.

Targets. Instead of a total, a plan can be sized by ``{"min_roas": r}``, ``{"outcome":
value}`` or ``{"marginal_roas": r}``: the cell bisects the total, running the optimizer at
each budget it tries, within the bounds and up to the total given (else ``TARGET_CAP``
times the current spend); an unreachable target leaves the best plan and a note.

Forecast. The model's expected outcome (pymc-marketing's ``mu``) on the window's dates,
with the plan, future controls at their mean over the data; ``media`` is every channel's
contribution in the period and ``baseline`` the rest.

Current. The cell also evaluates the current spend -- each channel's run-rate in every
period of the same window, evenly -- split the same way (``plan_current_draws``), and
leaves per draw both plans' spend, what each adds and the outcome over the window
(``plan_scores``), which the comparison cell of :mod:`.compare` reads to put named plans
side by side.

Modules: :mod:`.params` (parameters and result), :mod:`.cell` (the cell's code),
:mod:`.step` (:class:`PlanStep`) and :mod:`.compare` (the comparison cell). What a
workflow calls lives in ``api/plan.py``.
"""

from __future__ import annotations

from mmm_widgets.steps.plan.cell import IMPORTS, plan_lines
from mmm_widgets.steps.plan.params import (
    ALLOCATION_COLUMNS,
    EFFECT_COLUMNS,
    FORECAST_COLUMNS,
    PARTS,
    PATTERNS,
    SCORES,
    TARGET_CAP,
    TARGETS,
    PlanParams,
    PlanResult,
    pattern_weights,
)
from mmm_widgets.steps.plan.step import PlanStep

__all__ = ["ALLOCATION_COLUMNS", "EFFECT_COLUMNS", "FORECAST_COLUMNS", "IMPORTS", "PARTS",
           "PATTERNS", "SCORES", "TARGETS", "TARGET_CAP", "PlanParams", "PlanResult", "PlanStep",
           "pattern_weights", "plan_lines"]
