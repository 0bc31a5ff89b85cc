"""Step 6 — budget: response curves, pymc-marketing's optimizer, scenarios and what-if.

Units. Every allocation the user sees (``total``, ``bounds``, scenarios, what-if) is
spend over the whole horizon of ``periods`` future periods. pymc-marketing's
``BudgetOptimizer`` works per period: ``allocate_budget(total_budget=...)`` is the spend
of *one* period, repeated on every period of the window. The exported code divides by
``periods`` on the way in and multiplies on the way out.

Carryover. ``mmm.budget_optimizer(start, end)`` builds a date axis of three blocks: the
last ``l_max`` observed periods with their real spend (carry-in, so the adstock does not
start cold), the ``periods`` decision periods, and ``l_max`` zero-spend periods after
them (carry-over, so spend late in the window is credited for its tail). Its objective
sums the media contribution over all three blocks. The carry-in part does not depend on
the plan, so it moves no decision of the mean; but it differs by draw, so the risk-aware
objectives (CVaR, VaR) are applied to what the plan adds instead. The contributions
reported here are what a plan *adds*: the response with the plan minus the response
with no spend in the window, per posterior draw, over the window and its tail.

Bounds. Channels without bounds of their own stay within ``DEFAULT_BOUND_PCT`` percent
of their current spend, so the plan stays near today's; ``bounds="none"`` allows any
split of the total.

Geo models. pymc-marketing's optimizer decides one budget per (channel, geo) cell; a
channel never gets budget in a geo where it never spent (``budgets_to_optimize`` leaves
that cell out, and its response curve, which would rest on the priors alone, is not
drawn). Default bounds apply to every cell's own current spend. A plan or a bound given
per channel is split over the channel's geos in proportion to current spend; plans and
bounds may also be given per (channel, geo). A channel bought nationally (each geo's
share of its spend the same on every date) keeps that split: a plan moves its total only.

Modules, one job each: :mod:`.params` (parameters and result), :mod:`.progress`
(monitor and cancel), :mod:`.checks` (input problems, bounds, error messages),
:mod:`.curves` (response-curve code and frame), :mod:`.geo` (geo cells and their
code), :mod:`.held` (channels bought nationally, whose split over the geos a plan
holds), :mod:`.cell` (the national cell's code), :mod:`.what_if` (the instant what-if)
and :mod:`.step` (:class:`BudgetStep`). What a workflow calls lives in ``api/budget.py``;
nothing here imports the workflow, its helpers or the views.
"""

from __future__ import annotations

from mmm_widgets.steps.budget.cell import (
    RISK_IMPORT,
    bounds_lines,
    objective_text,
    optimize_lines,
    optimizer_name,
    risk_lines,
    scenario_lines,
    setup_lines,
)
from mmm_widgets.steps.budget.checks import (
    allocation_problems,
    band_factors,
    bounds_problems,
    full_bounds,
    scenario_problems,
    settings_problems,
    translate_budget_error,
)
from mmm_widgets.steps.budget.curves import (
    CURVE_COLUMNS,
    CURVE_MAX,
    HDI_PROB,
    IMPORTS,
    curve_lines,
    curves_chunk,
    read_curves,
    response_curve_lines,
    spend_lines,
    threshold_lines,
)
from mmm_widgets.steps.budget.geo import (
    GeoLayout,
    geo_bounds_problems,
    geo_full_bounds,
    geo_optimize_lines,
    geo_plan_lines,
    geo_setup_lines,
)
from mmm_widgets.steps.budget.held import held_channels, held_split_lines
from mmm_widgets.steps.budget.params import (
    ALLOCATION_COLUMNS,
    BUILT_IN,
    DEFAULT_BOUND_PCT,
    NO_LIMIT,
    OBJECTIVES,
    SCENARIO_COLUMNS,
    BudgetParams,
    BudgetResult,
    Scenario,
    bound_pair,
    plain_key,
)
from mmm_widgets.steps.budget.progress import BudgetCancelled, BudgetMonitor, BudgetProgress
from mmm_widgets.steps.budget.step import BudgetStep
from mmm_widgets.steps.budget.what_if import (
    ALL_GEOS,
    TOTAL_ROW,
    WHAT_IF_COLUMNS,
    WHAT_IF_NODES,
    WhatIf,
)

__all__ = [
    "ALLOCATION_COLUMNS", "ALL_GEOS", "BUILT_IN", "CURVE_COLUMNS", "CURVE_MAX",
    "DEFAULT_BOUND_PCT", "HDI_PROB", "IMPORTS", "NO_LIMIT", "OBJECTIVES", "RISK_IMPORT",
    "SCENARIO_COLUMNS", "TOTAL_ROW", "WHAT_IF_COLUMNS", "WHAT_IF_NODES", "BudgetCancelled",
    "BudgetMonitor", "BudgetParams", "BudgetProgress", "BudgetResult", "BudgetStep",
    "GeoLayout", "Scenario", "WhatIf", "allocation_problems", "band_factors", "bound_pair",
    "bounds_lines", "bounds_problems", "curve_lines", "curves_chunk", "full_bounds",
    "geo_bounds_problems", "geo_full_bounds", "geo_optimize_lines", "geo_plan_lines",
    "geo_setup_lines", "held_channels", "held_split_lines", "objective_text",
    "optimize_lines", "optimizer_name", "plain_key",
    "read_curves", "response_curve_lines", "risk_lines", "scenario_lines", "scenario_problems",
    "settings_problems", "setup_lines", "spend_lines", "threshold_lines",
    "translate_budget_error",
]
