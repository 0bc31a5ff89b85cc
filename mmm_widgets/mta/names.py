"""Names of the attribution models."""

from __future__ import annotations

#: Rule-based models: a fixed formula splits each conversion over its touches.
RULE_MODELS: tuple[str, ...] = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position_based",
)

#: Every built-in model, in the order results list them by default.
MODELS: tuple[str, ...] = (*RULE_MODELS, "markov", "shapley", "logistic")
