"""Multi-touch attribution (MTA) with pandas and numpy: who gets credit for a conversion.

Two entry points share the same models:

* :func:`attribute` -- an event-level table, one row per touch (user, time,
  channel, conversion flag, optional value);
* :func:`attribute_paths` -- aggregated paths such as ``"Search > Social > Email"``
  with conversion counts (and optionally non-converting counts and value).

Both return one row per channel and one column per model; every column adds up to
the total conversions (or total value with ``weight="value"``). The built-in models
are listed in :data:`MODELS`; :func:`custom_rule` makes your own position-based rule.
:func:`channel_effects` gives the journey-level logistic model's per-channel effects
with intervals, its incremental and influenced credit, and the baseline.

Across channels, from the same touch tables: :func:`journey_flows` (flows between
channels by touch position, for a Sankey), :func:`top_paths` (the most frequent paths)
and :func:`channel_synergy` (each pair's lift over independent effects: synergy or
cannibalization, with an interval).

Examples
--------
>>> import pandas as pd
>>> from mmm_widgets.mta import attribute_paths
>>> paths = pd.DataFrame({"path": ["Search > Email", "Email"], "conversions": [3, 1]})
>>> attribute_paths(paths, "path", "conversions", models=["first_touch"])["first_touch"].sum()
np.float64(4.0)
"""

from __future__ import annotations

from mmm_widgets.mta.api import attribute, attribute_paths, channel_effects
from mmm_widgets.mta.flows import journey_flows, top_paths
from mmm_widgets.mta.names import MODELS, RULE_MODELS
from mmm_widgets.mta.rules import CustomRule, custom_rule
from mmm_widgets.mta.synergy import channel_synergy

__all__ = ["MODELS", "RULE_MODELS", "CustomRule", "attribute", "attribute_paths",
           "channel_effects", "channel_synergy", "custom_rule", "journey_flows", "top_paths"]
