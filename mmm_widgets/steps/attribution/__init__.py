"""Step 5 — attribution: the MMM's media shares next to multi-touch and platform credit.

Three ways to say which channel earned the conversions disagree for known reasons:

* the **MMM** estimates incrementality from spend and sales over time, offline channels
  (TV, radio) included, with an interval (share of total media contribution per
  posterior draw, HDI at :func:`mmm_widgets.set_interval`'s level, 94 % by default);
* **multi-touch attribution** (MTA) splits each tracked conversion over the touches of
  its journey: it sees only tracked online channels and measures influence, not lift;
* **platforms** report the conversions they claim; each counts its own.

The step computes the share of credit per model channel under each method and flags
where a method falls outside the MMM's interval. Like is compared with like: a method sees
only some channels (the journeys' channels; the channels platform numbers are given for),
so its shares are compared with the MMM's contribution renormalised over those channels in
each posterior draw, and its credit is restated in incremental units as those shares of
the MMM's contribution of the same channels (per draw, then the HDI). Platform numbers
may come from columns of the raw data, summed over the compared periods; custom
position-based rules (:func:`mmm_widgets.mta.custom_rule`) are compared like built-in ones.
Its code cell is plain pandas / numpy / xarray / arviz: the multi-touch functions of
:mod:`mmm_widgets.steps.attribution.cell` are copied into it, and the step runs exactly
that cell.

One module per job:

* :mod:`~.params` -- the parameters and the names the cell defines;
* :mod:`~.suggest` -- columns, channel map and period guessed from a touch table;
* :mod:`~.platform` -- platform-reported conversions;
* :mod:`~.step` -- the journey steps' base and the attribution step (checks, cell, result);
* :mod:`~.cell` -- the multi-touch functions the cell copies;
* :mod:`~.result` -- the result and its gaps to the MMM;
* :mod:`~.options` -- parameters from :meth:`Workflow.attribution`'s arguments;
* :mod:`~.storage` -- touch tables saved with a workflow.

Restoring the step on load (``rerun``, ``save_extra``) takes the workflow, so it lives
with the workflow-level helpers, above the steps: nothing here imports the workflow.
"""

from __future__ import annotations

from mmm_widgets.steps.attribution.options import build_params, journey_columns, setting_changes
from mmm_widgets.steps.attribution.params import (
    CELL_NAMES,
    COLUMN_ROLES,
    DEFAULT_MODELS,
    HDI_PROB,
    JOURNEYS_VARIABLE,
    OPTIONS,
    PLATFORM,
    AttributionParams,
    RuleParams,
)
from mmm_widgets.steps.attribution.platform import platform_columns, platform_numbers
from mmm_widgets.steps.attribution.result import AttributionResult, difference_table
from mmm_widgets.steps.attribution.step import AttributionStep, JourneysStep, function_lines
from mmm_widgets.steps.attribution.storage import JOURNEYS_FILE, save_journeys, saved_journeys
from mmm_widgets.steps.attribution.suggest import (
    suggest_channel_map,
    suggest_journey_columns,
    suggest_period,
)

__all__ = [
    "CELL_NAMES",
    "COLUMN_ROLES",
    "DEFAULT_MODELS",
    "HDI_PROB",
    "JOURNEYS_FILE",
    "JOURNEYS_VARIABLE",
    "OPTIONS",
    "PLATFORM",
    "AttributionParams",
    "AttributionResult",
    "AttributionStep",
    "JourneysStep",
    "RuleParams",
    "build_params",
    "difference_table",
    "function_lines",
    "journey_columns",
    "platform_columns",
    "platform_numbers",
    "save_journeys",
    "saved_journeys",
    "setting_changes",
    "suggest_channel_map",
    "suggest_journey_columns",
    "suggest_period",
]
