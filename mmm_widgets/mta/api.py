"""The two entry points: :func:`attribute` (event level) and :func:`attribute_paths`."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from mmm_widgets import settings
from mmm_widgets.errors import DataError, Problem, problem
from mmm_widgets.mta import rules
from mmm_widgets.mta._checks import close_matches, read_duration
from mmm_widgets.mta.journeys import Journeys, from_events, from_paths
from mmm_widgets.mta.logistic import N_MODELS, SEED, effects_table, logistic
from mmm_widgets.mta.markov import markov
from mmm_widgets.mta.names import MODELS
from mmm_widgets.mta.rules import CustomRule
from mmm_widgets.mta.shapley import shapley

_WEIGHTS = ("conversions", "value")

_SIMPLE_RULES: dict[str, Callable[[Journeys], np.ndarray]] = {
    "first_touch": rules.first_touch,
    "last_touch": rules.last_touch,
    "linear": rules.linear,
    "position_based": rules.position_based,
}

_MODELS_DOC = """
    Models (each conversion, or its value, is split over the touches of its journey):

    - ``first_touch``: all to the first touch.
    - ``last_touch``: all to the last (converting) touch.
    - ``last_non_direct``: all to the last touch whose channel is not
      ``direct_channel``; journeys of direct touches only credit direct. Without
      ``direct_channel`` it equals ``last_touch``.
    - ``linear``: equal share per touch; a channel touched twice gets two shares.
    - ``time_decay``: weight ``2 ** (-age / half_life)`` per touch, ``age`` being
      how long before the conversion it happened, scaled to add up to 1.
    - ``position_based`` (U-shaped): 40 % first, 40 % last, 20 % split equally over
      the touches in between; 50/50 with two touches; 100 % with one.
    - ``markov``: first-order Markov chain over start, channels, conversion and
      null (non-converting journeys included); credit proportional to each
      channel's removal effect ``1 - P(conv | channel removed) / P(conv)``,
      computed exactly from the absorbing chain (fundamental matrix, no
      simulation). See :mod:`mmm_widgets.mta.markov`.
    - ``shapley``: data-driven Shapley value (Shao and Li 2011; Dalessandro et al.
      2012). A set of channels is worth the conversion rate of the journeys exposed
      to exactly that set (converting and non-converting journeys); the empty set is
      worth 0 and a set no journey has takes the worth of its largest seen subset.
      Exact over all coalitions, for up to 15 channels with touches; negative values
      are set to 0 and the credits scaled to the total. See
      :mod:`mmm_widgets.mta.shapley`.
    - ``logistic``: journey-level bagged logistic regression (Shao and Li 2011) of
      conversion on each channel's touched flag and touch count; each conversion is
      split over its channels in proportion to how much its predicted probability
      drops without each (influenced credit). Seeded (seed 0, 50 fits); the effects,
      incremental credit and baseline come from :func:`channel_effects`. See
      :mod:`mmm_widgets.mta.logistic`.
    - a :func:`custom_rule`, whose column is its name.

    Every column adds up to the total conversions (``weight="conversions"``) or the
    total conversion value (``weight="value"``). Markov removal effects come from
    the journey counts; with ``weight="value"`` they share out the total value. Shapley
    and logistic compare converting with non-converting journeys: for paths, pass
    ``nulls``.
"""


def attribute(
    events: pd.DataFrame,
    user: str,
    time: str,
    channel: str,
    conversion: str,
    value: str | None = None,
    models: Iterable[str | CustomRule] | str | CustomRule = MODELS,
    half_life: object = "7D",
    direct_channel: str | None = None,
    weight: str = "conversions",
    lookback: object = None,
    grouping: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Credit conversions to channels from an event-level table of touches.

    Touches are sorted by time within user (stable, so ties keep table order). A
    user's journey ends at a converting touch, which is itself a touch of its
    channel; later touches start the next journey, and touches after the last
    conversion form a non-converting journey (used by ``markov``, ``shapley`` and
    ``logistic``).

    Parameters
    ----------
    events : pandas.DataFrame
        One row per touch.
    user : str
        Column with the user (or cookie, or account) id.
    time : str
        Column with the time of the touch: datetimes, date text, or plain numbers
        (then ``half_life`` and ``lookback`` are numbers in the same unit).
    channel : str
        Column with the channel label; whitespace around labels is removed and
        labels are returned as text.
    conversion : str
        Column flagging the converting touch: True/False or 1/0.
    value : str, optional
        Column with the conversion value (revenue), read on converting rows.
    models : sequence of str or CustomRule, default MODELS
        Models to run, in the order of the result's columns.
    half_life : str, Timedelta or float, default "7D"
        Half-life of ``time_decay``: a touch one half-life before the conversion
        weighs half as much as the converting touch.
    direct_channel : str, optional
        Label of the direct channel for ``last_non_direct`` (after ``grouping``;
        an original label that ``grouping`` renames is accepted too).
    weight : {"conversions", "value"}, default "conversions"
        Credit conversions, or conversion value (needs ``value``).
    lookback : str, Timedelta or float, optional
        Touches more than this long before their journey's conversion get no
        credit and are left out of every model (``"30D"``). The converting touch
        is always kept. Non-converting journeys are cut the same way, back from
        their last touch. None keeps all touches.
    grouping : dict, optional
        Channel label -> group label (e.g. ``{"Facebook": "Social"}``), applied
        before attribution; labels not in the map are kept.

    Returns
    -------
    pandas.DataFrame
        One row per channel (index ``"channel"``, sorted), one column per model.
        ``attrs`` holds ``total`` (what was credited), ``weight``, ``journeys`` and
        ``converting_journeys``.

    Raises
    ------
    DataError
        Listing every problem found: missing columns (with close matches), an
        empty table, unreadable times, missing channels, users or flags, no
        conversions, unknown models, ``weight="value"`` without ``value``, and
        invalid ``half_life`` / ``lookback``.

    Notes
    -----
    {models_doc}

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "user": [1, 1, 1, 2],
    ...     "time": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-05", "2024-01-02"]),
    ...     "channel": ["Search", "Social", "Email", "Search"],
    ...     "converted": [0, 0, 1, 1],
    ... })
    >>> attribute(events, "user", "time", "channel", "converted",  # doctest: +NORMALIZE_WHITESPACE
    ...           models=["first_touch", "linear"]).round(3)
             first_touch  linear
    channel
    Email            0.0   0.333
    Search           2.0   1.333
    Social           0.0   0.333
    """
    problems: list[Problem] = []
    chosen = _resolve_models(models, problems)
    _check_weight(weight, value, problems)
    journeys = from_events(
        events,
        user=user,
        time=time,
        channel=channel,
        conversion=conversion,
        value=value,
        lookback=lookback,
        grouping=grouping,
        problems=problems,
    )
    return _credit(journeys, chosen, half_life, direct_channel, weight, grouping, str(channel))


def attribute_paths(
    paths: pd.DataFrame,
    path: str,
    conversions: str,
    nulls: str | None = None,
    value: str | None = None,
    sep: str = ">",
    models: Iterable[str | CustomRule] | str | CustomRule = MODELS,
    half_life: float = 1,
    direct_channel: str | None = None,
    weight: str = "conversions",
    grouping: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Credit conversions to channels from a table of aggregated paths.

    Each row is a path such as ``"Search > Social > Email"`` (the last channel is
    the converting touch) with how many conversions followed it and, optionally,
    how many journeys on the same path did not convert and the total value of the
    conversions.

    Paths carry no clock, so ``time_decay`` (and a custom rule's ``half_life``)
    measures age in touches: the last touch has age 0, the one before it age 1,
    and so on; ``half_life`` is a number of touches (default 1: each step back
    halves the weight, giving 1/7, 2/7, 4/7 over three touches).

    Parameters
    ----------
    paths : pandas.DataFrame
        One row per path (the same path may appear on several rows).
    path : str
        Column of paths; channel names are separated by ``sep`` and stripped of
        surrounding whitespace.
    conversions : str
        Column with the number of conversions of the path (non-negative).
    nulls : str, optional
        Column with the number of non-converting journeys of the path
        (non-negative); used by ``markov``, ``shapley`` and ``logistic``.
    value : str, optional
        Column with the total conversion value of the row.
    sep : str, default ">"
        Separator between channels.
    models : sequence of str or CustomRule, default MODELS
        Models to run, in the order of the result's columns.
    half_life : float, default 1
        Half-life of ``time_decay`` in touches.
    direct_channel : str, optional
        Label of the direct channel for ``last_non_direct``.
    weight : {"conversions", "value"}, default "conversions"
        Credit conversions, or conversion value (needs ``value``).
    grouping : dict, optional
        Channel label -> group label, applied before attribution.

    Returns
    -------
    pandas.DataFrame
        One row per channel (index ``"channel"``, sorted), one column per model.

    Raises
    ------
    DataError
        Listing every problem found: missing columns, an empty table, empty or
        malformed paths, counts that are missing, not numbers or negative, no
        conversions, unknown models and ``weight="value"`` without ``value``.

    Notes
    -----
    {models_doc}

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame({"path": ["Search > Email", "Social"], "conv": [2, 1]})
    >>> attribute_paths(paths, "path", "conv",  # doctest: +NORMALIZE_WHITESPACE
    ...                 models=["last_touch", "linear"])
             last_touch  linear
    channel
    Email           2.0     1.0
    Search          0.0     1.0
    Social          1.0     1.0
    """
    problems: list[Problem] = []
    chosen = _resolve_models(models, problems)
    _check_weight(weight, value, problems)
    journeys = from_paths(
        paths,
        path=path,
        conversions=conversions,
        nulls=nulls,
        value=value,
        sep=sep,
        grouping=grouping,
        problems=problems,
    )
    return _credit(journeys, chosen, half_life, direct_channel, weight, grouping, str(path))


def channel_effects(
    events: pd.DataFrame,
    user: str,
    time: str,
    channel: str,
    conversion: str,
    value: str | None = None,
    weight: str = "conversions",
    lookback: object = None,
    grouping: Mapping[str, str] | None = None,
    n_models: int = N_MODELS,
    seed: int = SEED,
    interval: float | None = None,
) -> pd.DataFrame:
    """Each channel's effect on conversion from the journey-level logistic model.

    Journeys are cut as in :func:`attribute` (converting and non-converting ones; the
    features count only the touches ``lookback`` keeps). A seeded ensemble of
    ``n_models`` logistic regressions (Bayesian bootstrap) predicts each journey's
    chance to convert from its touched flag and touch count per channel; see
    :mod:`mmm_widgets.mta.logistic` for the definitions.

    Parameters
    ----------
    events : pandas.DataFrame
        One row per touch.
    user, time, channel, conversion : str
        Columns as in :func:`attribute`.
    value : str, optional
        Column with the conversion value.
    weight : {"conversions", "value"}, default "conversions"
        Credit conversions, or conversion value (needs ``value``).
    lookback : str, Timedelta or float, optional
        Touches more than this long before the end of their journey are left out.
    grouping : dict, optional
        Channel label -> group label, applied first.
    n_models : int, default 50
        Fits in the bootstrap ensemble.
    seed : int, default 0
        Seed of the bootstrap weights: the same seed gives the same numbers.
    interval : float, optional
        Probability mass of the effect's interval (default: :func:`mmm_widgets.set_interval`'s
        level, 94 %).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``channel`` (channels with touches, sorted):

        - ``effect``: average drop in the predicted conversion probability when the
          channel's touches are removed from the journeys that had them;
        - ``effect_low``, ``effect_high``: the bootstrap interval of ``effect``;
        - ``incremental``: conversions (or value) the channel added, estimated over the
          converting journeys; the baseline is not in it;
        - ``influenced``: each conversion split over its channels in proportion to their
          drops; the column adds up to the conversions (or value) and equals
          ``attribute(..., models=["logistic"])``.

        ``attrs["baseline"]`` holds the conversions (or value) expected with no touch at
        all, reported apart from the channels; ``attrs["baseline_rate"]`` the predicted
        conversion probability of a journey without touches; also ``interval``,
        ``n_models``, ``seed``, ``total``, ``weight``, ``journeys`` and
        ``converting_journeys``.

    Raises
    ------
    DataError
        Listing every problem of the table (as :func:`attribute`), an invalid
        ``interval``, ``n_models`` or ``seed``, and journeys that all converted.

    Examples
    --------
    >>> import mmm_widgets as mw
    >>> events = mw.datasets.load("journeys")
    >>> effects = channel_effects(events, "user_id", "timestamp", "channel", "converted")
    >>> list(effects.columns)
    ['effect', 'effect_low', 'effect_high', 'incremental', 'influenced']
    >>> bool(effects["influenced"].sum().round(6) == events["converted"].sum())
    True
    """
    problems: list[Problem] = []
    _check_weight(weight, value, problems)
    level = settings.interval() if interval is None else interval
    try:
        level = settings.check_interval(level)
    except DataError as error:
        problems += error.problems
    if isinstance(n_models, bool) or not isinstance(n_models, int | np.integer) or n_models < 2:
        problems.append(problem(what=f"n_models={n_models!r} is not a whole number of 2 or more.",
                                fix="Use e.g. n_models=50 fits."))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        problems.append(problem(what=f"seed={seed!r} is not a whole number of 0 or more.",
                                fix="Use e.g. seed=0."))
    journeys = from_events(
        events,
        user=user,
        time=time,
        channel=channel,
        conversion=conversion,
        value=value,
        lookback=lookback,
        grouping=grouping,
        problems=problems,
    )
    weights = journeys.weights(weight)
    table = effects_table(journeys, weights, int(n_models), int(seed), level)
    table.attrs.update(
        total=float(weights.sum()),
        weight=weight,
        journeys=int(journeys.n_journeys),
        converting_journeys=int(np.count_nonzero(journeys.conversions)),
    )
    return table


# One description of the models serves both docstrings (absent under python -OO).
for _function in (attribute, attribute_paths):
    if _function.__doc__:
        _function.__doc__ = _function.__doc__.replace("{models_doc}", _MODELS_DOC.strip())


def _resolve_models(models: object, problems: list[Problem]) -> list[str | CustomRule]:
    if isinstance(models, str | CustomRule):
        models = [models]
    try:
        items = list(models)
    except TypeError:
        problems.append(
            problem(
                what=f"models={models!r} is not a list of model names.",
                fix=f"Pass e.g. models=['last_touch', 'markov']; the models are {MODELS}.",
            )
        )
        return []
    if not items:
        problems.append(
            problem(what="models is empty.", fix=f"Pick one or more of {', '.join(MODELS)}.")
        )
    chosen: list[str | CustomRule] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, CustomRule):
            name, spec = item.name, item
        elif isinstance(item, str) and item.strip() in MODELS:
            name = spec = item.strip()
        else:
            similar = difflib.get_close_matches(str(item).strip().lower(), MODELS, n=2)
            hint = f"Did you mean {' or '.join(map(repr, similar))}? " if similar else ""
            problems.append(
                problem(
                    what=f"Unknown model {item!r}.",
                    fix=f"{hint}The models are {', '.join(MODELS)}, or a rule made "
                    "with custom_rule(...).",
                )
            )
            continue
        if name in seen:
            problems.append(
                problem(
                    what=f"The model {name!r} is listed twice.",
                    fix="List each model once (custom rules need distinct names).",
                )
            )
            continue
        seen.add(name)
        chosen.append(spec)
    return chosen


def _check_weight(weight: object, value: object, problems: list[Problem]) -> None:
    if weight not in _WEIGHTS:
        problems.append(
            problem(
                what=f"weight={weight!r} is not one of {_WEIGHTS}.",
                fix="Use weight='conversions' to credit conversions or weight='value' to "
                "credit revenue.",
            )
        )
    elif weight == "value" and value is None:
        problems.append(
            problem(
                what="weight='value' credits conversion value, but no value column was given.",
                fix="Pass value='<revenue column>' or use weight='conversions'.",
                column="value",
            )
        )


def _direct_code(
    direct_channel: object,
    journeys: Journeys,
    grouping: Mapping | None,
    column: str,
    problems: list[Problem],
) -> int | None:
    if direct_channel is None:
        return None
    label = str(direct_channel).strip()
    groups = {str(k).strip(): str(v).strip() for k, v in (grouping or {}).items()}
    label = groups.get(label, label)
    if label in journeys.channels:
        return journeys.channels.index(label)
    similar = close_matches(label, journeys.channels)
    hint = f"Did you mean {' or '.join(map(repr, similar))}? " if similar else ""
    problems.append(
        problem(
            what=f"direct_channel={direct_channel!r} is not one of the channels.",
            fix=f"{hint}Pass the label the direct channel has in the data, or "
            "direct_channel=None if there is none.",
            column=column,
        )
    )
    return None


def _credit(
    journeys: Journeys,
    chosen: list[str | CustomRule],
    half_life: object,
    direct_channel: object,
    weight: str,
    grouping: Mapping | None,
    channel_column: str,
) -> pd.DataFrame:
    problems: list[Problem] = []
    names = [spec.name if isinstance(spec, CustomRule) else spec for spec in chosen]
    decay = None
    if "time_decay" in names:
        decay, found = read_duration(half_life, journeys.unit, "half_life")
        problems += [found] if found else []
    rule_decay: dict[str, float | None] = {}
    for spec in chosen:
        if isinstance(spec, CustomRule) and spec.half_life is not None:
            amount, found = read_duration(
                spec.half_life, journeys.unit, f"half_life of rule {spec.name!r}"
            )
            problems += [found] if found else []
            rule_decay[spec.name] = amount
    direct = None
    if "last_non_direct" in names:
        direct = _direct_code(direct_channel, journeys, grouping, channel_column, problems)
    if problems:
        raise DataError(problems)

    weights = journeys.weights(weight)
    per_touch = weights[journeys.journey]
    n_channels = len(journeys.channels)
    columns = {}
    for name, spec in zip(names, chosen, strict=True):
        if spec == "markov":
            columns[name] = markov(journeys, weights)
            continue
        if spec == "shapley":
            columns[name] = shapley(journeys, weights)
            continue
        if spec == "logistic":
            columns[name] = logistic(journeys, weights)
            continue
        if isinstance(spec, CustomRule):
            share = spec.shares(journeys, rule_decay.get(name))
        elif spec == "time_decay":
            share = rules.time_decay(journeys, decay)
        elif spec == "last_non_direct":
            share = rules.last_non_direct(journeys, direct)
        else:
            share = _SIMPLE_RULES[spec](journeys)
        columns[name] = np.bincount(
            journeys.channel, weights=share * per_touch, minlength=n_channels
        )
    index = pd.Index(list(journeys.channels), name="channel")
    result = pd.DataFrame(columns, index=index, columns=names, dtype=np.float64)
    result.attrs.update(
        total=float(weights.sum()),
        weight=weight,
        journeys=int(journeys.n_journeys),
        converting_journeys=int(np.count_nonzero(journeys.conversions)),
    )
    return result
