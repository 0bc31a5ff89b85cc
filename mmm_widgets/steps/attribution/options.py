"""Parameters of the journey steps from what the user passed, filling in suggestions.

:func:`journey_columns` and :func:`setting_changes` serve the cross-channel step too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from mmm_widgets.errors import DataError, problem
from mmm_widgets.mta import MODELS, CustomRule
from mmm_widgets.steps.attribution.params import (
    COLUMN_ROLES,
    OPTIONS,
    PLATFORM,
    AttributionParams,
    RuleParams,
)
from mmm_widgets.steps.attribution.platform import platform_settings
from mmm_widgets.steps.attribution.step import AttributionStep
from mmm_widgets.steps.attribution.suggest import (
    name_key,
    suggest_channel_map,
    suggest_journey_columns,
    suggest_period,
)
from mmm_widgets.steps.data import DataResult
from mmm_widgets.steps.journeys import clean_mapping, labels
from mmm_widgets.steps.source import Source, read_source

__all__ = ["build_params", "journey_columns", "setting_changes"]


def build_params(data: DataResult, previous: AttributionStep | None, journeys: pd.DataFrame | None,
                 source: Source | None, platform: Any, channel_map: Mapping[str, str] | None,
                 lookback: Any, grouping: Mapping[str, str] | None,
                 options: dict[str, Any]) -> tuple[AttributionParams, pd.DataFrame | None]:
    """Parameters from the arguments of :meth:`Workflow.attribution`, filling in suggestions.

    With ``journeys`` None the previous step's table and settings are reused (only what is
    passed changes). Otherwise columns are guessed from the new table's names, the channel
    map is suggested from its labels, the direct channel is the label ``direct`` if there is
    one, and the period is what the journeys cover.

    Returns
    -------
    (AttributionParams, pandas.DataFrame or None)
        The parameters and the touch table (None for a file source read later).

    Raises
    ------
    DataError
        For unknown options, no journeys at all, and unreadable platform numbers.
    """
    unknown = [key for key in options if key not in OPTIONS]
    if unknown:
        raise DataError(problem(f"Unknown option {', '.join(map(repr, unknown))}.",
                                f"Use {', '.join(OPTIONS)}."))
    options = {key: value for key, value in options.items() if key != "name"}
    channels = tuple(data.roles.channels)
    if journeys is None and source is None:
        if previous is None:
            raise DataError(problem("No journeys to attribute.",
                                    "Pass the touch table: wf.attribution(journeys=df), e.g. "
                                    "mw.datasets.load('journeys').", column=None))
        base, frame = previous.params, previous.journeys
        changes = setting_changes(options, channel_map, grouping, lookback, map_values=False)
        if "value" in changes and "weight" not in changes:
            changes["weight"] = "conversions" if changes["value"] is None else "value"
        if platform is not None:
            changes.update(platform_settings(platform, channels,
                                             changes.get("channel_map", base.channel_map)))
        if "models" in changes:
            changes["models"], changes["custom_rules"] = _models(changes["models"])
        return base.replace(**changes), frame
    if source is None:
        raise ValueError("a new touch table needs its source")
    frame = journeys if journeys is not None else read_source(source)
    chosen = journey_columns(frame, options, COLUMN_ROLES,
                             required=("user", "time", "channel", "conversion"))
    groups = clean_mapping(grouping)
    found = labels(frame, chosen["channel"], groups)
    if channel_map is None:
        channel_map = suggest_channel_map(found, channels)
    direct = [label for label in found if name_key(label) == "direct"]
    options.setdefault("direct_channel", direct[0] if direct else None)
    options.setdefault("weight", "value" if chosen["value"] is not None else "conversions")
    if "period" not in options:
        options["period"] = suggest_period(frame, chosen["time"], data.data[data.roles.date])
    if "models" in options:
        options["models"], options["custom_rules"] = _models(options["models"])
    params = AttributionParams(
        journeys=source, **chosen, lookback=lookback, grouping=groups,
        channel_map=clean_mapping(channel_map, values=False),
        **platform_settings(platform, channels, channel_map), **options)
    return params, journeys


def setting_changes(options: Mapping[str, Any], channel_map: Mapping[str, str] | None,
                    grouping: Mapping[str, str] | None, lookback: Any, *,
                    map_values: bool) -> dict[str, Any]:
    """What to change in an earlier run's settings: the options and whatever else is given.

    ``map_values`` also strips the channel map's values (see
    :func:`~mmm_widgets.mta.journeys.clean_mapping`).
    """
    changes = dict(options)
    if channel_map is not None:
        changes["channel_map"] = clean_mapping(channel_map, values=map_values)
    if grouping is not None:
        changes["grouping"] = clean_mapping(grouping)
    if lookback is not None:
        changes["lookback"] = lookback
    return changes


def journey_columns(frame: pd.DataFrame, options: dict[str, Any], roles: Sequence[str],
                    required: Sequence[str]) -> dict[str, Any]:
    """The touch table's column per role: as named in ``options`` (taken out), else guessed.

    Raises
    ------
    DataError
        Naming each role in ``required`` that no column looks like.
    """
    guessed = suggest_journey_columns(frame)
    chosen = {role: options.pop(role, guessed[role]) for role in roles}
    missing = [role for role in required if chosen[role] is None]
    if missing:
        raise DataError([problem(f"No column of the journeys looks like the {role}.",
                                 f"Pass {role}='<column>'; the columns are "
                                 f"{', '.join(map(repr, map(str, frame.columns)))}.")
                         for role in missing])
    return chosen


def _models(models: Any) -> tuple[tuple[str, ...], tuple[RuleParams, ...]]:
    """Model names, and the definitions of the custom rules among them."""
    if isinstance(models, str | CustomRule):
        models = [models]
    try:
        chosen = tuple(models)
    except TypeError as error:
        raise DataError(problem(f"models={models!r} is not a list of model names.",
                                f"Pass e.g. models=['last_touch', 'markov'] from {MODELS}.")
                        ) from error
    names, rules = [], []
    for model in chosen:
        if isinstance(model, CustomRule):
            rules.append(RuleParams.of(model))
            names.append(model.name)
        elif isinstance(model, RuleParams):
            rules.append(model)
            names.append(model.name)
        else:
            names.append(model)
    reserved = [name for name in names if name in ("mmm", PLATFORM)]
    if reserved:
        raise DataError(problem(f"A model cannot be named {reserved[0]!r}: the comparison uses "
                                "that name for its own column.",
                                "Give the custom rule another name."))
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise DataError(problem(f"The model {duplicated[0]!r} is listed twice.",
                                "List each model once; give custom rules their own names."))
    return tuple(names), tuple(rules)

