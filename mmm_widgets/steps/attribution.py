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
:mod:`mmm_widgets.steps.attribution_cell` are copied into it, and the step runs exactly
that cell.
"""

from __future__ import annotations

import difflib
import inspect
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from mmm_widgets import settings
from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.errors import DataError, Problem, problem
from mmm_widgets.mta import MODELS, CustomRule, attribute, custom_rule
from mmm_widgets.steps import attribution_cell
from mmm_widgets.steps.base import Params, Step
from mmm_widgets.steps.data import DataParams, DataResult
from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.source import Source, read_source

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow

DEFAULT_MODELS: tuple[str, ...] = ("last_touch", "first_touch", "linear", "markov")
HDI_PROB = 0.94
JOURNEYS_VARIABLE = "journeys"
PLATFORM = "platform"
JOURNEYS_FILE = "journeys.parquet"
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

# Common names of each column of a touch table, compared without case and punctuation.
_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "user": ("user_id", "user", "userid", "customer_id", "customer", "client_id", "visitor_id",
             "cookie_id", "cookie", "anonymous_id", "person_id", "account_id", "session_id"),
    "time": ("timestamp", "time", "event_time", "datetime", "date_time", "touch_time", "ts",
             "event_timestamp", "date", "event_date"),
    "channel": ("channel", "touchpoint", "touch_point", "marketing_channel", "channel_name",
                "source_medium", "utm_source", "source", "medium", "campaign"),
    "conversion": ("converted", "conversion", "is_conversion", "conversion_flag", "conv",
                   "purchase", "purchased", "is_purchase", "order", "converts"),
    "value": ("revenue", "conversion_value", "value", "order_value", "amount", "sales"),
}
# Words that make a spend column name longer than the channel it is for.
_SPEND_WORDS = frozenset({"spend", "spends", "cost", "costs", "media", "budget", "investment",
                          "eur", "usd", "gbp"})
# Labels of unpaid traffic: never matched by similarity to a paid channel.
_UNPAID_WORDS = frozenset({"organic", "seo", "direct", "referral", "none", "notset", "unknown",
                           "unassigned"})


# ----- suggestions ----------------------------------------------------------------------
def suggest_journey_columns(frame: pd.DataFrame) -> dict[str, str | None]:
    """Guess which column of a touch table holds the user, time, channel, flag and value.

    Names are compared without case and punctuation against common names (``user_id``,
    ``timestamp``, ``channel``, ``converted``, ``revenue``, ...); a column left unguessed
    by name is picked by its content (a datetime column for the time, a 0/1 column for the
    conversion flag).

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per touch.

    Returns
    -------
    dict
        Keys ``user, time, channel, conversion, value``; None where nothing fits
        (``value`` is optional).

    Examples
    --------
    >>> import pandas as pd
    >>> touches = pd.DataFrame({"User ID": [1], "Event Time": ["2024-01-01"],
    ...                         "Source": ["Search"], "Purchase": [1]})
    >>> suggest_journey_columns(touches)["user"], suggest_journey_columns(touches)["time"]
    ('User ID', 'Event Time')
    """
    columns = list(frame.columns)
    keys = {column: _key(column) for column in columns}
    chosen: dict[str, str | None] = {}
    taken: set = set()
    for role in COLUMN_ROLES:
        chosen[role] = None
        for name in _COLUMN_NAMES[role]:
            hits = [c for c in columns if keys[c] == _key(name) and c not in taken]
            if hits:
                chosen[role] = hits[0]
                taken.add(hits[0])
                break
    if chosen["time"] is None:
        chosen["time"] = _first(columns, taken, lambda c: pd.api.types.is_datetime64_any_dtype(
            frame[c]))
    if chosen["conversion"] is None:
        chosen["conversion"] = _first(columns, taken, lambda c: _is_flag(frame[c]))
    if chosen["channel"] is None:
        chosen["channel"] = _first(columns, taken, lambda c: not pd.api.types.is_numeric_dtype(
            frame[c]) and frame[c].nunique() <= max(50, len(frame) // 100))
    if chosen["user"] is None:
        chosen["user"] = _first(columns, taken, lambda c: frame[c].nunique() > len(frame) // 20)
    return chosen


def _first(columns: list, taken: set, test) -> Any:
    for column in columns:
        if column not in taken and test(column):
            taken.add(column)
            return column
    return None


def _is_flag(series: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(series):
        return True
    return pd.api.types.is_numeric_dtype(series) and bool(series.dropna().isin([0, 1]).all())


def _words(text: object) -> list[str]:
    return re.findall(r"[a-z0-9]+", str(text).lower())


def _key(text: object, drop: frozenset = frozenset()) -> str:
    return "".join(word for word in _words(text) if word not in drop)


def suggest_channel_map(labels: Sequence[str], channels: Sequence[str]) -> dict[str, str]:
    """Suggest which model channel each journey label stands for, by name similarity.

    Names are compared without case, punctuation and spend words (``tv_spend`` reads as
    ``tv``): an equal name first, then a channel named as a word of the label (``Paid
    Search`` -> ``search``) or contained in it, then a near spelling (``Dispaly``).
    Labels of unpaid traffic (organic, direct, referral, ...) are only matched by an equal
    name. Labels nothing fits -- ``Facebook`` is not guessable as ``social`` -- stay out of
    the map; pass them yourself.

    Parameters
    ----------
    labels : sequence of str
        Channel labels of the journeys.
    channels : sequence of str
        Channels of the model.

    Returns
    -------
    dict
        ``{journey label: model channel}`` for the labels that matched.

    Examples
    --------
    >>> suggest_channel_map(["Paid Search", "Facebook", "Direct", "TV"],
    ...                     ["tv_spend", "search_spend", "social_spend"])
    {'Paid Search': 'search_spend', 'TV': 'tv_spend'}
    """
    short = {channel: _key(channel, _SPEND_WORDS) or _key(channel) for channel in channels}
    mapping: dict[str, str] = {}
    for label in labels:
        key, words = _key(label), set(_words(label))
        equal = [c for c in channels if key in (short[c], _key(c))]
        if equal:
            mapping[label] = equal[0]
            continue
        if not key or words & _UNPAID_WORDS:
            continue
        hits = [c for c in channels if short[c] in words
                or (len(short[c]) >= 4 and short[c] in key)
                or (len(key) >= 4 and key in short[c])]
        if not hits:
            near = difflib.get_close_matches(key, list(short.values()), n=1, cutoff=0.8)
            hits = [c for c in channels if near and short[c] == near[0]]
        if hits:
            # Several channels in one label ("Paid Social Video"): the closest name wins.
            mapping[label] = max(hits, key=lambda c: difflib.SequenceMatcher(
                None, key, short[c]).ratio())
    return mapping


def suggest_period(frame: pd.DataFrame, time: str, dates: pd.Series) -> tuple[str, str] | None:
    """The model periods the journeys cover, as ISO dates (None if they cover none).

    The start is the model period that contains the first touch (for weekly data, the
    week it falls in); the end is the day of the last touch.

    Parameters
    ----------
    frame : pandas.DataFrame
        The touch table.
    time : str
        Its time column.
    dates : pandas.Series
        Dates of the model's data.

    Returns
    -------
    tuple of str or None
        ``(start, end)``; None when the times are plain numbers, cannot be read, or lie
        outside the model's dates.
    """
    if time not in frame.columns:
        return None
    times = frame[time]
    if pd.api.types.is_numeric_dtype(times) or pd.api.types.is_bool_dtype(times):
        return None
    try:
        stamps = pd.to_datetime(times, utc=True).dt.tz_localize(None)
    except (ValueError, TypeError):
        return None
    model_dates = pd.Series(pd.to_datetime(dates).unique()).sort_values()
    first, last = stamps.min(), stamps.max()
    if pd.isna(first) or last < model_dates.iloc[0] or first > model_dates.iloc[-1]:
        return None
    before = model_dates[model_dates <= first]
    start = before.iloc[-1] if len(before) else model_dates.iloc[0]
    return str(start.date()), str(last.date())


def platform_columns(platform: Any, channels: Sequence[str],
                     channel_map: Mapping[str, str] | None = None
                     ) -> tuple[Any, dict[str, str]]:
    """Split column names of the raw table out of ``platform``.

    A dict (or Series) whose values are text names columns of the raw data holding each
    channel's platform-reported conversions per period; they are summed over the compared
    periods when the step runs.

    Returns
    -------
    (numbers, columns)
        ``platform`` without the text values (None if nothing is left) and
        ``{model channel: column}``.

    Raises
    ------
    DataError
        For a label that is no model channel.
    """
    if not isinstance(platform, Mapping | pd.Series):
        return platform, {}
    texts = {label: value for label, value in platform.items() if isinstance(value, str)}
    if not texts:
        return platform, {}
    lookup = {str(k).strip(): v for k, v in (channel_map or {}).items()}
    columns: dict[str, str] = {}
    problems: list[Problem] = []
    for label, column in texts.items():
        channel = label if label in channels else lookup.get(str(label).strip())
        if channel not in channels:
            problems.append(problem(
                f"Platform column {column!r} is given for {label!r}, which is not a channel "
                "of the model.", f"Use the model's channel names ({', '.join(map(str, channels))})"
                f" or add {label!r} to channel_map.", column=str(label)))
            continue
        columns[str(channel)] = column
    if problems:
        raise DataError(problems)
    numbers = {label: value for label, value in platform.items() if label not in texts}
    return (numbers or None), columns


def platform_numbers(platform: Any, channels: Sequence[str],
                     channel_map: Mapping[str, str] | None = None) -> dict[str, float]:
    """Read platform-reported conversions into ``{model channel: number}``.

    Parameters
    ----------
    platform : dict, pandas.Series or pandas.DataFrame
        Numbers by channel. A frame needs a text column of channels and a numeric column
        of conversions (the first of each is used). Labels that are not model channels
        are translated with ``channel_map``; numbers of labels mapping to the same
        channel are added.
    channels : sequence of str
        Channels of the model.
    channel_map : dict, optional
        Journey label -> model channel.

    Returns
    -------
    dict
        Plain floats, keyed by model channel.

    Raises
    ------
    DataError
        For a label that is no model channel, a frame without the two columns, and
        numbers that are missing, negative or not finite.
    """
    if platform is None:
        return {}
    if isinstance(platform, pd.DataFrame):
        text = [c for c in platform.columns if not pd.api.types.is_numeric_dtype(platform[c])]
        numbers = [c for c in platform.columns if pd.api.types.is_numeric_dtype(platform[c])]
        if not text or not numbers:
            raise DataError(problem(
                "The platform table needs a column of channels and a column of conversions.",
                "Pass e.g. pd.DataFrame({'channel': ['search'], 'conversions': [1200]}), a "
                "Series or a dict {channel: conversions}."))
        platform = platform.groupby(text[0])[numbers[0]].sum()
    items = platform.items() if isinstance(platform, pd.Series | Mapping) else None
    if items is None:
        raise DataError(problem(f"platform must be a dict, Series or DataFrame, not "
                                f"{type(platform).__name__}.",
                                "Pass e.g. platform={'search': 1200, 'social': 800}."))
    lookup = {str(k).strip(): v for k, v in (channel_map or {}).items()}
    out: dict[str, float] = {}
    problems: list[Problem] = []
    for label, number in items:
        channel = label if label in channels else lookup.get(str(label).strip())
        if channel not in channels:
            problems.append(problem(
                f"Platform numbers for {label!r}, which is not a channel of the model.",
                f"Use the model's channel names ({', '.join(map(str, channels))}) or add "
                f"{label!r} to channel_map.", column=str(label)))
            continue
        try:
            amount = float(number)
        except (TypeError, ValueError):
            amount = math.nan
        if not math.isfinite(amount) or amount < 0:
            problems.append(problem(f"The platform number {number!r} is not a count of "
                                    "conversions.", "Enter a number of 0 or more.",
                                    column=str(label)))
            continue
        out[channel] = out.get(channel, 0.0) + amount
    if problems:
        raise DataError(problems)
    return out


# ----- parameters and result ------------------------------------------------------------
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


@dataclass
class AttributionResult:
    """What the attribution step produced.

    Attributes
    ----------
    table : pandas.DataFrame
        Per model channel: ``mmm_share, mmm_share_hdi_low, mmm_share_hdi_high``, then
        ``<method>_share`` and ``<method>_outside`` for every method, ``mmm_incremental``
        (the MMM's mean contribution over the compared periods) and, per method,
        ``<method>_incremental`` with ``_hdi_low`` / ``_hdi_high``: its credit rescaled so
        the channels add up to the MMM's total media contribution (influenced credit
        turned into incremental units), with the interval of that total.
    credit : pandas.DataFrame
        Multi-touch credit per journey label (after grouping) and model, before mapping.
    unmapped : tuple of str
        Journey labels that are not model channels (their credit is left out).
    unseen : tuple of str
        Model channels without touches in the journeys (offline channels, typically).
    notes : tuple of str
        Plain-language remarks on the comparison.
    calibrated : pandas.DataFrame or None
        MMM-calibrated credit per journey label (a campaign, when the journeys' labels are
        campaigns mapped to channels) and method: ``label, channel, method, fraction``
        (the label's part of its channel's multi-touch credit), ``credit``, and
        ``incremental`` with ``_hdi_low`` / ``_hdi_high``: that part of the channel's MMM
        contribution, so the labels of a channel add up to its MMM contribution.
    """

    table: pd.DataFrame
    credit: pd.DataFrame
    unmapped: tuple[str, ...]
    unseen: tuple[str, ...]
    notes: tuple[str, ...] = ()
    calibrated: pd.DataFrame | None = None


# ----- the step -------------------------------------------------------------------------
class JourneysStep(Step):
    """A step whose code reads a touch table (``params.journeys``: a file or a variable).

    A table passed as a DataFrame is bound to its variable name in the namespace before
    the code runs, so the exported cell refers to it by that name.
    """

    #: The call that passes the table, for the message when none is bound.
    call = "wf.attribution"
    journeys: pd.DataFrame | None

    def frame(self) -> pd.DataFrame:
        """The touch table (read from its file for a file source)."""
        source = self.params.journeys
        if source.kind != "frame":
            if self.journeys is None:
                self.journeys = read_source(source)
            return self.journeys
        if not isinstance(self.journeys, pd.DataFrame):
            raise DataError(problem(f"No touch table is bound to {source.name!r}.",
                                    f"Pass the journeys DataFrame: {self.call}(journeys=df)."))
        return self.journeys

    def run(self, namespace: dict[str, Any]) -> Any:
        """Bind the touch table, then validate, run the code cell and read the results."""
        if self.params.journeys.kind == "frame":
            namespace[self.params.journeys.name] = self.frame()
        return super().run(namespace)


class AttributionStep(JourneysStep):
    """Compare the fitted MMM's media shares with multi-touch and platform credit.

    Parameters
    ----------
    params : AttributionParams
    data : DataResult
        The data step's result (model channels and dates).
    journeys : pandas.DataFrame, optional
        The touch table, for a ``"frame"`` source; it is bound to the source's name in
        the namespace the code runs in.
    data_params : DataParams, optional
        The data step's parameters: where the raw table and its date column are, for
        platform numbers read from columns of the raw data.
    """

    kind = "attribution"
    title = "Attribution"
    requires = ("data", "model", "fit")

    params: AttributionParams

    def __init__(self, params: AttributionParams, data: DataResult,
                 journeys: pd.DataFrame | None = None, data_params: DataParams | None = None):
        super().__init__(params)
        self.data = data
        self.journeys = journeys
        self.data_params = data_params
        self._labels: tuple[str, ...] = ()

    @property
    def channels(self) -> tuple[str, ...]:
        """Channels of the model, in its order."""
        return tuple(self.data.roles.channels)

    def validate(self, namespace: dict[str, Any]) -> None:
        """Check the touch table, models, channel map, platform numbers and period.

        Raises
        ------
        DataError
            Listing every problem, each with its column and fix.
        """
        params, frame = self.params, self.frame()
        credit = attribute(frame, params.user, params.time, params.channel, params.conversion,
                           value=params.value, models=params.model_specs(),
                           half_life=params.half_life,
                           direct_channel=params.direct_channel, weight=params.weight,
                           lookback=params.lookback, grouping=params.grouping or None)
        problems = _time_problems(frame[params.time], str(params.time))
        self._labels = tuple(str(label) for label in credit.index)
        problems += self._map_problems()
        problems += self._platform_problems()
        problems += self._column_problems(namespace)
        problems += self._other_problems()
        if problems:
            raise DataError(problems)

    def _map_problems(self) -> list[Problem]:
        params, channels = self.params, self.channels
        problems = [problem(f"channel_map sends {label!r} to {target!r}, which is not a "
                            "channel of the model.",
                            f"Map it to one of {', '.join(map(str, channels))}, or leave it "
                            "out.", column=str(params.channel))
                    for label, target in params.channel_map.items() if target not in channels]
        if problems:
            return problems
        if not any(label in params.channel_map for label in self._labels):
            suggested = suggest_channel_map(self._labels, channels)
            hint = f" Suggested: channel_map={suggested!r}." if suggested else ""
            problems.append(problem(
                "None of the journey channels maps to a channel of the model, so nothing "
                "can be compared.",
                f"Pass channel_map={{'<journey label>': '<model channel>'}}. Journey labels: "
                f"{', '.join(map(repr, self._labels))}; model channels: "
                f"{', '.join(map(repr, channels))}.{hint}", column=str(params.channel)))
        return problems

    def _platform_problems(self) -> list[Problem]:
        platform = self.params.platform
        problems = [problem(f"Platform numbers for {label!r}, which is not a channel of the "
                            "model.", "Key platform numbers by the model's channel names.",
                            column=str(label))
                    for label in platform if label not in self.channels]
        bad = [label for label, number in platform.items()
               if not isinstance(number, int | float) or not math.isfinite(number) or number < 0]
        problems += [problem("The platform number is not a count of conversions.",
                             "Enter a number of 0 or more.", column=str(label)) for label in bad]
        if platform and not problems and sum(platform.values()) <= 0:
            problems.append(problem("The platform numbers add up to 0.",
                                    "Enter the conversions each platform reports, or none."))
        return problems

    def _column_problems(self, namespace: dict[str, Any]) -> list[Problem]:
        """Platform columns must be numeric columns of a wide raw table, 0 or more."""
        columns = self.params.platform_columns
        if not columns:
            return []
        source = self.data_params.source if self.data_params is not None else None
        if source is None or self.data_params.long is not None:
            return [problem("Platform numbers from columns need the wide raw table of the data "
                            "step (one row per date).",
                            "Pass the numbers instead: platform={'search': 1200, ...}.")]
        raw = namespace.get(source.name)
        if not isinstance(raw, pd.DataFrame):
            return [problem(f"The raw table {source.name!r} is not available.",
                            "Run the data step again.")]
        problems: list[Problem] = []
        for channel, column in columns.items():
            if column not in raw.columns:
                near = difflib.get_close_matches(str(column), list(map(str, raw.columns)), n=1)
                hint = f" Did you mean {near[0]!r}?" if near else ""
                problems.append(problem(
                    f"The platform column {column!r} (for {channel}) is not in the data.",
                    f"Use a column of the raw table.{hint}", column=str(column)))
                continue
            values = pd.to_numeric(raw[column], errors="coerce")
            bad = raw.index[values.isna() & raw[column].notna() | (values < 0)]
            if len(bad) or not pd.api.types.is_numeric_dtype(raw[column]):
                problems.append(problem(
                    f"The platform column {column!r} holds values that are not counts of "
                    "conversions.", "Use numbers of 0 or more (empty cells count as 0).",
                    column=str(column), rows=list(bad[:5]) or list(raw.index[:1])))
        return problems

    def _other_problems(self) -> list[Problem]:
        params, problems = self.params, []
        if not 0 < params.hdi_prob < 1:
            problems.append(problem("hdi_prob must be between 0 and 1.", "Use e.g. 0.94."))
        if params.period is not None:
            try:
                start, end = (pd.Timestamp(day) for day in params.period)
            except (ValueError, TypeError):
                return [*problems, problem(f"period={params.period!r} is not two dates.",
                                           "Write it like ('2024-07-01', '2024-12-29').")]
            dates = pd.to_datetime(self.data.data[self.data.roles.date])
            if start > end or not ((dates >= start) & (dates <= end)).any():
                problems.append(problem(
                    f"The period {params.period[0]} to {params.period[1]} holds no period of "
                    "the model's data.",
                    f"Pick dates between {dates.min().date()} and {dates.max().date()}, or "
                    "period=None for the whole fitted period.", column=self.data.roles.date))
        return problems

    def code(self) -> CodeChunk:
        """The cell: multi-touch functions, credit per method, MMM shares and flags."""
        params = self.params
        source = params.journeys
        lines: list[str] = [*source.code_lines()]
        if source.kind == "frame":
            lines.append(f"# Expects the touch table `{source.name}` (the DataFrame given to "
                         "the workflow) to be defined")
        lines += ["", *_function_lines(params.models, params.custom_rules)]
        lines += self._credit_lines()
        lines += self._share_lines()
        models = ", ".join(params.models)
        platform = " and platform-reported conversions" if params.has_platform else ""
        comment = (f"Attribution: share of credit per channel, MMM ({params.hdi_prob:.0%} "
                   f"interval) vs {models}{platform}")
        return CodeChunk(comment=comment, lines=tuple(lines),
                         imports=("import arviz as az", "import numpy as np",
                                  "import pandas as pd", "import xarray as xr"),
                         title=self.title)

    def _credit_lines(self) -> list[str]:
        params = self.params
        cut = [f"user={literal(params.user)}", f"time={literal(params.time)}",
               f"channel={literal(params.channel)}", f"conversion={literal(params.conversion)}"]
        if params.value is not None:
            cut.append(f"value={literal(params.value)}")
        if params.lookback is not None:
            cut.append(f"lookback={literal(params.lookback)}")
        if params.grouping:
            cut.append(f"grouping={literal(dict(params.grouping))}")
        lines = [f"mta_touches, mta_journeys = cut_journeys({params.journeys.name}, "
                 f"{', '.join(cut)})",
                 f"mta_weight = mta_journeys[{literal(params.weight)}]",
                 "mta_credit = pd.DataFrame({"]
        for model in params.models:
            lines.append(f"    {literal(model)}: {self._model_call(model)},")
        lines += ["}).fillna(0.0).sort_index()"]
        return lines

    def _model_call(self, model: str) -> str:
        params = self.params
        if model == "markov":
            return "markov_credit(mta_touches, mta_journeys, mta_weight)"
        if model == "shapley":
            return "shapley_credit(mta_touches, mta_weight)"
        if model == "logistic":
            return "logistic_credit(mta_touches, mta_journeys, mta_weight)"
        extra = ""
        custom = {rule.name: rule for rule in params.custom_rules}
        if model in custom:
            rule = custom[model]
            if rule.half_life is not None:
                extra = f", half_life={literal(rule.half_life)}"
            shares = (float(rule.first), float(rule.middle), float(rule.last))
            return (f"rule_credit(mta_touches, mta_weight, 'custom'{extra}, "
                    f"shares={literal(shares)})")
        if model == "time_decay":
            extra = f", half_life={literal(params.half_life)}"
        elif model == "last_non_direct" and params.direct_channel is not None:
            extra = f", direct_channel={literal(params.direct_channel)}"
        return f"rule_credit(mta_touches, mta_weight, {literal(model)}{extra})"

    def _share_lines(self) -> list[str]:
        params = self.params
        lines = [
            "# Journey labels -> model channels; labels not in the map (e.g. direct, e-mail) "
            "get no share",
            f"channel_map = {literal(dict(params.channel_map))}",
            f"model_channels = {literal(list(self.channels))}",
            "attribution_credit = mta_credit.groupby(mta_credit.index.map(channel_map)).sum()"
            ".reindex(model_channels, fill_value=0.0)",
        ]
        if params.platform_columns:
            lines += self._platform_row_lines()
        if params.has_platform:
            entries = [f"{literal(channel)}: {literal(float(number))}"
                       for channel, number in params.platform.items()
                       if channel not in params.platform_columns]
            entries += [f"{literal(channel)}: float(platform_rows[{literal(column)}].sum())"
                        for channel, column in params.platform_columns.items()]
            lines.append(f"attribution_credit[{literal(PLATFORM)}] = pd.Series("
                         f"{{{', '.join(entries)}}}, dtype='float64')"
                         ".reindex(model_channels, fill_value=0.0)")
        lines += [
            "attribution_share = attribution_credit / attribution_credit.sum()",
            "# MMM: share of total media contribution in each posterior draw",
            "mmm_media = mmm.data.get_channel_contributions(original_scale=True)",
        ]
        if params.period is not None:
            lines.append(f"mmm_media = mmm_media.sel(date=slice({literal(params.period[0])}, "
                         f"{literal(params.period[1])}))  # the periods the journeys cover")
        lines += [
            "mmm_media = mmm_media.sum([d for d in mmm_media.dims "
            "if d not in ('chain', 'draw', 'channel')])",
            "mmm_media_share = mmm_media / mmm_media.sum('channel')",
            f"mmm_media_hdi = az.hdi(mmm_media_share.rename('mmm_media_share'), "
            f"prob={literal(float(params.hdi_prob))})",
            "attribution = pd.DataFrame({",
            "    'mmm_share': mmm_media_share.mean(('chain', 'draw')).to_series(),",
            "    'mmm_share_hdi_low': mmm_media_hdi.sel(ci_bound='lower').to_series(),",
            "    'mmm_share_hdi_high': mmm_media_hdi.sel(ci_bound='upper').to_series(),",
            "}).reindex(model_channels)",
            "attribution = attribution.join(attribution_share.add_suffix('_share'))",
            *self._covered_lines(),
            "# Influenced -> incremental: each method's shares of the MMM's contribution of the "
            "channels it covers",
            "attribution['mmm_incremental'] = mmm_media.mean(('chain', 'draw')).to_series()"
            ".reindex(model_channels)",
            "channel_incremental = mmm_split(attribution_share, mmm_covered)",
            "for method in attribution_share.columns:",
            "    attribution[f'{method}_incremental'] = channel_incremental[0][method]",
            "    attribution[f'{method}_incremental_hdi_low'] = channel_incremental[1][method]",
            "    attribution[f'{method}_incremental_hdi_high'] = channel_incremental[2][method]",
            "attribution.index.name = 'channel'",
            *self._calibrated_lines(),
        ]
        return lines

    def _covered_lines(self) -> list[str]:
        """Code comparing each method with the MMM over the channels the method covers.

        A method spreads its credit over the channels it sees: the journeys' channels (for
        platform numbers, the channels they are given for). Its shares are compared with the
        MMM's contribution renormalised over those channels in each posterior draw, and
        ``mmm_split`` (one rule for channels and journey labels) restates credit as
        fractions of the MMM's contribution per draw, with the HDI of those draws.
        """
        params = self.params
        prob = literal(float(params.hdi_prob))
        lines = [
            "# Like with like: each method against the MMM's contribution of the channels it "
            "covers (the journeys'",
            "# channels; platform numbers: the channels they are given for), renormalised in "
            "each posterior draw",
            "journey_channels = set(mta_credit.index.map(channel_map).dropna())",
            "method_channels = pd.DataFrame({method: [c in journey_channels for c in "
            "model_channels] for method in mta_credit.columns}, index=model_channels)",
        ]
        if params.has_platform:
            given = [c for c in self.channels
                     if c in params.platform or c in params.platform_columns]
            lines.append(f"method_channels[{literal(PLATFORM)}] = [c in {literal(given)} "
                         "for c in model_channels]")
        lines += [
            "method_channels = method_channels.rename_axis(index='channel', columns='method')",
            "mmm_covered = (mmm_media * xr.DataArray(method_channels)).sum('channel')",
            "mmm_like_share = (mmm_media / mmm_covered).rename('mmm_like_share')",
            f"mmm_like_hdi = az.hdi(mmm_like_share, prob={prob})",
            "mmm_like = [v.transpose('channel', 'method').to_pandas().reindex(model_channels)"
            ".where(method_channels) for v in (mmm_like_share.mean(('chain', 'draw')), "
            "mmm_like_hdi.sel(ci_bound='lower'), mmm_like_hdi.sel(ci_bound='upper'))]",
            "for method in attribution_share.columns:",
            "    attribution[f'{method}_mmm'] = mmm_like[0][method]",
            "    attribution[f'{method}_mmm_hdi_low'] = mmm_like[1][method]",
            "    attribution[f'{method}_mmm_hdi_high'] = mmm_like[2][method]",
            "for method in attribution_share.columns:",
            "    method_share = attribution[f'{method}_share']",
            "    attribution[f'{method}_outside'] = (method_share < attribution[f'{method}_mmm_"
            "hdi_low']) | (method_share > attribution[f'{method}_mmm_hdi_high'])",
            "",
            "",
            "def mmm_split(fraction, contribution):",
            "    \"\"\"Credit in incremental units: fractions (rows x methods) of the MMM's "
            "contribution, per draw.\"\"\"",
            "    draws = xr.DataArray(fraction.rename_axis(index='row', columns='method')) * "
            "contribution",
            f"    hdi = az.hdi(draws.rename('incremental'), prob={prob})",
            "    return [v.transpose('row', 'method').to_pandas().reindex(index=fraction.index, "
            "columns=fraction.columns)",
            "            for v in (draws.mean(('chain', 'draw')), hdi.sel(ci_bound='lower'), "
            "hdi.sel(ci_bound='upper'))]",
            "",
            "",
        ]
        return lines

    def _calibrated_lines(self) -> list[str]:
        """Code splitting each channel's MMM contribution over its journey labels."""
        return [
            "# MMM-calibrated credit per journey label (e.g. a campaign): each channel's MMM "
            "contribution",
            "# split over the labels mapped to it in proportion to their multi-touch credit",
            "label_channel = pd.Series(mta_credit.index.map(channel_map), "
            "index=mta_credit.index)",
            "label_credit = mta_credit[label_channel.notna()]",
            "label_channel = label_channel[label_channel.notna()]",
            "label_fraction = (label_credit / label_credit.groupby(label_channel)"
            ".transform('sum')).fillna(0.0)",
            "label_media = mmm_media.sel(channel=list(label_channel)).rename(channel='row')"
            ".assign_coords(row=list(label_channel.index))",
            "label_incremental = mmm_split(label_fraction, label_media)",
            "calibrated = label_fraction.stack().rename('fraction').reset_index()",
            "calibrated.columns = ['label', 'method', 'fraction']",
            "calibrated.insert(1, 'channel', calibrated['label'].map(channel_map))",
            "calibrated['credit'] = label_credit.stack().to_numpy()",
            "calibrated['incremental'] = label_incremental[0].stack().to_numpy()",
            "calibrated['incremental_hdi_low'] = label_incremental[1].stack().to_numpy()",
            "calibrated['incremental_hdi_high'] = label_incremental[2].stack().to_numpy()",
        ]

    def _platform_row_lines(self) -> list[str]:
        """Rows of the raw table in the compared periods, to sum platform columns over."""
        params, data = self.params, self.data_params
        assert data is not None
        raw = data.source.name
        dates = to_datetime_code(f"{raw}[{literal(data.date)}]", data.date_format)
        lines = ["# Platform-reported conversions: columns of the raw data, summed over the "
                 "compared periods",
                 f"platform_dates = {dates}"]
        if params.period is not None:
            lines.append(f"platform_rows = {raw}[(platform_dates >= {literal(params.period[0])})"
                         f" & (platform_dates <= {literal(params.period[1])})]")
        else:
            lines.append(f"platform_rows = {raw}")
        return lines

    def read_results(self, namespace: dict[str, Any]) -> AttributionResult:
        """The comparison table, the raw multi-touch credit and notes on the gaps."""
        params = self.params
        table, credit = namespace["attribution"], namespace["mta_credit"]
        mapped = {label: params.channel_map[label] for label in credit.index
                  if label in params.channel_map}
        unmapped = tuple(str(label) for label in credit.index if label not in mapped)
        unseen = tuple(c for c in self.channels if c not in set(mapped.values()))
        notes = []
        if unseen:
            notes.append(f"{_join(unseen)} {'has' if len(unseen) == 1 else 'have'} no touches "
                         "in the journeys, so every multi-touch method gives "
                         f"{'it' if len(unseen) == 1 else 'them'} 0 %; the MMM sees offline "
                         "channels too.")
        if unmapped:
            left = credit.loc[list(unmapped)].sum() / credit.sum()
            what = "is not a channel" if len(unmapped) == 1 else "are not channels"
            notes.append(f"{_join(unmapped)} {what} of the model: {left.min():.0%} to "
                         f"{left.max():.0%} of the multi-touch credit is left out of the "
                         "shares.")
        missing = [k for k in params.channel_map if k not in set(map(str, credit.index))]
        if missing:
            notes.append(f"channel_map entries not found in the journeys: {_join(missing)}.")
        empty = [m for m in params.methods if not table[f"{m}_share"].notna().all()]
        if empty:
            notes.append(f"{_join(empty)} gave no credit to any mapped channel; "
                         "its shares are empty.")
        draws = namespace["mmm_media_share"].sizes
        if draws.get("chain", 1) * draws.get("draw", 1) == 1:
            notes.append("The MMM was fitted by MAP (a point estimate): its interval is a "
                         "single point, so every difference is flagged. Fit with MCMC for "
                         "real intervals.")
        if params.period is not None:
            notes.append(f"MMM shares are over {params.period[0]} to {params.period[1]}, the "
                         "periods the journeys cover.")
        else:
            notes.append("MMM shares are over the whole fitted period; the journeys may cover "
                         "less (pass period=(first, last date) to match).")
        return AttributionResult(table=table, credit=credit, unmapped=unmapped, unseen=unseen,
                                 notes=tuple(notes), calibrated=namespace["calibrated"])


def _join(items: Sequence[object]) -> str:
    names = [str(item) for item in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _time_problems(series: pd.Series, column: str) -> list[Problem]:
    """Text times must parse in one format, as the exported ``pd.to_datetime`` reads them."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
        return []
    try:
        pd.to_datetime(series, utc=True)
    except (ValueError, TypeError):
        parsed = pd.to_datetime(series, utc=True, errors="coerce")
        rows = list(series.index[parsed.isna() & series.notna()]) or list(series.index[:1])
        return [problem("The times are not all written in one date/time format.",
                        "Convert the column first, e.g. journeys[col] = pd.to_datetime("
                        "journeys[col], format='%d/%m/%Y %H:%M'), and pass the converted table.",
                        column=column, rows=rows)]
    return []


def _function_lines(models: Sequence[str], custom_rules: Sequence[RuleParams] = ()
                    ) -> list[str]:
    """Source of the multi-touch functions the models need, as cell lines."""
    names = ["cut_journeys"]
    custom = {rule.name for rule in custom_rules}
    for model in models:
        name = "rule_credit" if model in custom else attribution_cell.FUNCTIONS[model]
        if name not in names:
            names.append(name)
    lines: list[str] = []
    for name in names:
        lines += inspect.getsource(getattr(attribution_cell, name)).rstrip().splitlines()
        lines.append("")
    return lines


def difference_table(table: pd.DataFrame) -> pd.DataFrame:
    """Gaps to the MMM, in share points: each method's share minus the MMM's like share.

    A method is compared with the MMM's share over the channels the method covers
    (``<method>_mmm``); tables without those columns (an older version's) use ``mmm_share``.

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`AttributionResult.table`.

    Returns
    -------
    pandas.DataFrame
        Per channel: ``mmm_share`` and, per method, ``<method>`` (its share minus the MMM
        share over the same channels; NaN where the method covers no such channel);
        ``attrs["outside"]`` holds the matching ``<method>_outside`` flags.
    """
    methods = [c[: -len("_share")] for c in table.columns
               if c.endswith("_share") and c != "mmm_share"]
    gaps = pd.DataFrame({m: table[f"{m}_share"] - table.get(f"{m}_mmm", table["mmm_share"])
                         for m in methods}, index=table.index)
    gaps.insert(0, "mmm_share", table["mmm_share"])
    gaps.attrs["outside"] = table[[f"{m}_outside" for m in methods]].set_axis(methods, axis=1)
    return gaps


# ----- building parameters from what the user passed ------------------------------------
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
            changes.update(_platform(platform, channels,
                                     changes.get("channel_map", base.channel_map)))
        if "models" in changes:
            changes["models"], changes["custom_rules"] = _models(changes["models"])
        return base.replace(**changes), frame
    if source is None:
        raise ValueError("a new touch table needs its source")
    frame = journeys if journeys is not None else read_source(source)
    chosen = journey_columns(frame, options, COLUMN_ROLES,
                             required=("user", "time", "channel", "conversion"))
    groups = _stripped(grouping or {})
    labels = _labels(frame, chosen["channel"], groups)
    if channel_map is None:
        channel_map = suggest_channel_map(labels, channels)
    direct = [label for label in labels if _key(label) == "direct"]
    options.setdefault("direct_channel", direct[0] if direct else None)
    options.setdefault("weight", "value" if chosen["value"] is not None else "conversions")
    if "period" not in options:
        options["period"] = suggest_period(frame, chosen["time"], data.data[data.roles.date])
    if "models" in options:
        options["models"], options["custom_rules"] = _models(options["models"])
    params = AttributionParams(
        journeys=source, **chosen, lookback=lookback, grouping=groups,
        channel_map=_stripped(channel_map, values=False),
        **_platform(platform, channels, channel_map), **options)
    return params, journeys


def setting_changes(options: Mapping[str, Any], channel_map: Mapping[str, str] | None,
                    grouping: Mapping[str, str] | None, lookback: Any, *,
                    map_values: bool) -> dict[str, Any]:
    """What to change in an earlier run's settings: the options and whatever else is given.

    ``map_values`` also strips the channel map's values (see :func:`_stripped`).
    """
    changes = dict(options)
    if channel_map is not None:
        changes["channel_map"] = _stripped(channel_map, values=map_values)
    if grouping is not None:
        changes["grouping"] = _stripped(grouping)
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


def _platform(platform: Any, channels: Sequence[str],
              channel_map: Mapping[str, str] | None) -> dict[str, Any]:
    """``platform`` and ``platform_columns`` from what the user passed."""
    numbers, columns = platform_columns(platform, channels, channel_map)
    if numbers is None and not columns:
        numbers = platform
    return {"platform": platform_numbers(numbers, channels, channel_map),
            "platform_columns": columns}


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


def _stripped(mapping: Mapping, values: bool = True) -> dict[str, Any]:
    """Labels as the journeys hold them after clean-up: text without surrounding spaces."""
    return {str(k).strip(): str(v).strip() if values else v for k, v in mapping.items()}


def _labels(frame: pd.DataFrame, channel: Any, grouping: Mapping[str, str]) -> list[str]:
    try:
        values = frame[channel].dropna().unique()
    except (KeyError, TypeError):
        return []
    labels = {grouping.get(str(v).strip(), str(v).strip()) for v in values}
    return sorted(label for label in labels if label)


# ----- persistence ----------------------------------------------------------------------
def save_journeys(step: JourneysStep, path: Path) -> None:
    """Store the touch table of a DataFrame source at ``path`` (a file source is re-read)."""
    if step.params.journeys.kind == "frame":
        step.frame().to_parquet(path)


def saved_journeys(source: Source, path: Path) -> pd.DataFrame | None:
    """The touch table :func:`save_journeys` stored for ``source`` (None for a file source).

    Raises
    ------
    DataError
        When the stored touch table is missing.
    """
    if source.kind != "frame":
        return None
    if not path.exists():
        raise DataError(problem(f"The saved touch table {path.name} is missing in "
                                f"{str(path.parent)!r}.", "Save the workflow again."))
    return pd.read_parquet(path)


def save_extra(workflow: Workflow, folder: Path) -> None:
    """Store the touch table of a DataFrame source as ``journeys.parquet`` in ``folder``."""
    save_journeys(workflow.step("attribution"), Path(folder) / JOURNEYS_FILE)


def rerun(workflow: Workflow, params: dict[str, Any], folder: Path) -> None:
    """Re-run the attribution step of a loaded workflow from its parameters and table.

    Raises
    ------
    DataError
        When the stored touch table is missing.
    """
    restored = AttributionParams.from_dict(params)
    journeys = saved_journeys(restored.journeys, Path(folder) / JOURNEYS_FILE)
    workflow.run_step(AttributionStep(restored, workflow.data_result, journeys,
                                      workflow.step("data").params))
