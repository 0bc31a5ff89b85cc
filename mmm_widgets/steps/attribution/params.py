"""The attribution step's parameters, as data: models, rules, channel map, platform numbers.

Also the names the step and its exported cell share (the ``platform`` column, the cell's
variables) and the options :meth:`Workflow.attribution` accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from mmm_widgets import settings
from mmm_widgets.mta import CustomRule, custom_rule
from mmm_widgets.steps.base import Params
from mmm_widgets.steps.source import Source

__all__ = ["CELL_NAMES", "COLUMN_ROLES", "DEFAULT_MODELS", "HDI_PROB", "JOURNEYS_VARIABLE",
           "OPTIONS", "PLATFORM", "AttributionParams", "RuleParams"]

DEFAULT_MODELS: tuple[str, ...] = ("last_touch", "first_touch", "linear", "markov")
HDI_PROB = 0.94
JOURNEYS_VARIABLE = "journeys"
PLATFORM = "platform"
COLUMN_ROLES = ("user", "time", "channel", "conversion", "value")
#: Names the exported cell defines: a touch table bound to one of them would be overwritten.
CELL_NAMES = ("az", "np", "pd", "cut_journeys", "rule_credit", "markov_credit", "shapley_credit",
              "logistic_credit",
              "mta_touches", "mta_journeys", "mta_weight", "mta_credit", "channel_map",
              "model_channels", "attribution_credit", "attribution_share", "mmm", "mmm_media",
              "mmm_media_share", "mmm_media_hdi", "attribution", "method",
              "method_share", "platform_dates", "platform_rows", "xr", "journey_channels",
              "method_channels", "mmm_covered", "mmm_like_share", "mmm_like_hdi", "mmm_like",
              "mmm_split", "channel_incremental", "label_channel", "label_credit",
              "label_fraction", "label_media", "label_incremental", "calibrated")
OPTIONS = ("user", "time", "channel", "conversion", "value", "models", "weight", "half_life",
           "direct_channel", "period", "hdi_prob", "name")


@dataclass(frozen=True)
class RuleParams(Params):
    """A custom position-based rule (see :func:`mmm_widgets.mta.custom_rule`) as data.

    Parameters
    ----------
    name : str
        Its column in the comparison (``<name>_share``).
    first, middle, last : float
        Shares of the first touch, the middle touches together and the last touch.
    half_life : str or float, optional
        Time-decay of the middle share.
    """

    name: str
    first: float
    middle: float
    last: float
    half_life: str | float | None = None

    @classmethod
    def of(cls, rule: CustomRule) -> RuleParams:
        """The data of a :class:`~mmm_widgets.mta.CustomRule`."""
        half_life = rule.half_life
        if half_life is not None and not isinstance(half_life, str | int | float):
            half_life = str(pd.Timedelta(half_life))
        return cls(rule.name, rule.first, rule.middle, rule.last, half_life)

    def rule(self) -> CustomRule:
        """The :class:`~mmm_widgets.mta.CustomRule` these parameters describe."""
        return custom_rule(self.name, self.first, self.middle, self.last, self.half_life)


@dataclass(frozen=True)
class AttributionParams(Params):
    """Parameters of the attribution step.

    Parameters
    ----------
    journeys : Source
        The touch table: a DataFrame bound to ``journeys.name`` or a file to read.
    user, time, channel, conversion : str
        Columns of the user id, the time of the touch, the channel label and the
        conversion flag (True/False or 1/0 on the converting touch).
    value : str, optional
        Column of the conversion value (revenue).
    models : tuple of str
        Multi-touch models (see :data:`mmm_widgets.mta.MODELS`).
    weight : {"conversions", "value"}
        Credit conversions, or conversion value (needs ``value``).
    half_life : str or float
        Half-life of ``time_decay``: a span such as ``"7D"``, or a number for numeric times.
    direct_channel : str, optional
        Label of direct traffic for ``last_non_direct``.
    lookback : str or float, optional
        Touches longer than this before their conversion get no credit (``"30D"``).
    grouping : dict
        Journey label -> group label, applied before attribution.
    channel_map : dict
        Journey label (after ``grouping``) -> model channel; other labels get no share.
    platform : dict
        Platform-reported conversions by model channel (empty: none).
    platform_columns : dict
        Model channel -> column of the raw data with that platform's reported
        conversions per period, summed over the compared periods.
    custom_rules : tuple of RuleParams
        Definitions of the custom rules named in ``models``.
    period : tuple of str, optional
        First and last date of the model periods to compare (those the journeys cover);
        None compares the whole fitted period.
    hdi_prob : float
        Probability mass of the MMM share's interval.
    """

    journeys: Source
    user: str
    time: str
    channel: str
    conversion: str
    value: str | None = None
    models: tuple[str, ...] = DEFAULT_MODELS
    weight: str = "conversions"
    half_life: str | float = "7D"
    direct_channel: str | None = None
    lookback: str | float | None = None
    grouping: dict[str, str] = field(default_factory=dict)
    channel_map: dict[str, str] = field(default_factory=dict)
    platform: dict[str, float] = field(default_factory=dict)
    period: tuple[str, str] | None = None
    hdi_prob: float = field(default_factory=lambda: settings.interval())
    platform_columns: dict[str, str] = field(default_factory=dict)
    custom_rules: tuple[RuleParams, ...] = ()

    @property
    def methods(self) -> tuple[str, ...]:
        """Columns of the comparison: the models, then ``platform`` when given."""
        return (*self.models, *((PLATFORM,) if self.has_platform else ()))

    @property
    def has_platform(self) -> bool:
        """Whether platform numbers or columns were given."""
        return bool(self.platform or self.platform_columns)

    def model_specs(self) -> list[str | CustomRule]:
        """The models as :func:`mmm_widgets.mta.attribute` takes them."""
        rules = {rule.name: rule for rule in self.custom_rules}
        return [rules[m].rule() if m in rules else m for m in self.models]

