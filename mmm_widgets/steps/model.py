"""Step 2 — model: a pymc-marketing ``MMM`` with chosen adstock, saturation and priors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mmm_widgets.codegen import CodeChunk, literal, unused_name
from mmm_widgets.errors import MMMWidgetsError, ModelError, problem
from mmm_widgets.steps import components
from mmm_widgets.steps.base import Params, Step
from mmm_widgets.steps.daily_priors import per_day
from mmm_widgets.steps.data import DATA_VARIABLE, DataResult
from mmm_widgets.steps.dims import model_dims
from mmm_widgets.steps.validation import DEFAULT_L_MAX

LIFT_COLUMNS = ("channel", "x", "delta_x", "delta_y", "sigma")
#: The default carryover window on daily data, in days; other data carry over
#: DEFAULT_L_MAX (8) weeks or months. 8 days would cut a TV campaign's carryover off after
#: a week (a weekly decay of 0.5 is 0.906 a day: the first 8 days hold half of it, the
#: first 28 days 94 %).
DAILY_L_MAX = 28
#: The days of the week a daily model gives an effect of its own, by pandas' day number;
#: Monday's level is the baseline's.
WEEKDAYS = {"Tuesday": 1, "Wednesday": 2, "Thursday": 3, "Friday": 4, "Saturday": 5,
            "Sunday": 6}
MODEL_CONFIG_KEYS = ("intercept", "likelihood", "gamma_control", "gamma_fourier")


@dataclass(frozen=True)
class LiftTest(Params):
    """One lift-test result: spending ``delta_x`` more at level ``x`` gave ``delta_y``.

    Parameters
    ----------
    channel : str
        The channel tested.
    x, delta_x : float
        Spend per period before the test and its change, in spend units.
    delta_y : float
        Measured change of the target per period, in target units.
    sigma : float
        Standard error of ``delta_y``.
    geo : str, optional
        The geo of the test, for geo models.
    """

    channel: str
    x: float
    delta_x: float
    delta_y: float
    sigma: float
    geo: str | None = None


@dataclass(frozen=True)
class ModelParams(Params):
    """Parameters of the model step.

    Parameters
    ----------
    adstock : str
        Lookup name of the carryover (``"geometric"``, ``"delayed"``, ``"weibull_pdf"``...).
    saturation : str
        Lookup name of the diminishing-returns curve (``"logistic"``, ``"hill"``...).
    l_max : int
        Longest carryover, in periods (by default 8; 28 on daily data, see
        :func:`default_params`).
    yearly_seasonality : int or None
        Number of Fourier pairs for the yearly pattern (None or 0: none).
    time_varying_intercept : bool
        Let the baseline drift over time (a Gaussian-process trend).
    priors : dict
        Overrides by model variable name (``"adstock_alpha"``, ``"saturation_lam"``,
        ``"intercept"``, ``"likelihood"``, ``"gamma_control"``, ``"gamma_fourier"``), each in
        ``Prior.to_dict()`` form: ``{"dist": "Beta", "kwargs": {"alpha": 2, "beta": 2}}``.
    lift_tests : tuple of LiftTest
        Experiment results that calibrate the media curves.
    interactions : tuple of (str, str)
        Channel pairs whose joint effect the model estimates: each adds a regressor, the
        product of the two channels' spends (each divided by its largest value), with its
        own coefficient. Positive: the pair works better together than apart (synergy);
        negative: one takes from the other (cannibalization). See
        :meth:`mmm_widgets.Workflow.interaction_effects`.
    weekday_effects : bool
        Daily data only: give each day of the week but Monday its own level, an indicator
        control per day (Robyn's ``weekday``). Daily sales rise and fall with the day of
        the week, and spend often does too (search on weekdays, TV at weekends): without
        them a channel would take the credit for its days' pattern. On by default for
        daily data (:func:`default_params`).
    """

    adstock: str = "geometric"
    saturation: str = "logistic"
    l_max: int = DEFAULT_L_MAX
    yearly_seasonality: int | None = 2
    time_varying_intercept: bool = False
    priors: dict[str, Any] = field(default_factory=dict)
    lift_tests: tuple[LiftTest, ...] = ()
    interactions: tuple[tuple[str, str], ...] = ()
    weekday_effects: bool = False


def default_params(data: DataResult) -> ModelParams:
    """The model the kit fits on ``data`` unless told otherwise.

    On daily data: a carryover window of 28 days (:data:`DAILY_L_MAX`; shorter on a
    table too short for it, down to 8) and day-of-week effects.
    """
    if data.frequency != "daily":
        return ModelParams()
    l_max = max(DEFAULT_L_MAX, min(DAILY_L_MAX, data.periods // 2 - 1))
    return ModelParams(l_max=l_max, weekday_effects=True)


def restated_default_priors(data: DataResult, adstock: str,
                            saturation: str) -> dict[str, dict[str, Any]]:
    """The default priors the kit states otherwise than pymc-marketing on ``data``: on
    daily data, the carryover's restated per day (:mod:`~mmm_widgets.steps.daily_priors`);
    else none.

    Parameters
    ----------
    data : DataResult
        The mapped data (its frequency).
    adstock, saturation : str
        Lookup names of the curves.
    """
    if data.frequency != "daily":
        return {}
    return per_day(adstock, components.default_priors(adstock, saturation))


def media_default_priors(data: DataResult, adstock: str,
                         saturation: str) -> dict[str, dict[str, Any]]:
    """The priors of the media curves the kit uses on ``data`` unless told otherwise:
    pymc-marketing's defaults (:func:`~mmm_widgets.steps.components.default_priors`), with
    :func:`restated_default_priors` over them."""
    return {**components.default_priors(adstock, saturation),
            **restated_default_priors(data, adstock, saturation)}


class ModelStep(Step):
    """Build the pymc-marketing ``MMM`` for the mapped data (no fitting yet)."""

    kind = "model"

    params: ModelParams

    def __init__(self, params: ModelParams, data: DataResult):
        super().__init__(params)
        self.data = data

    def validate(self, namespace: dict[str, Any]) -> None:
        """Check names, window length, priors and lift tests; raise :class:`ModelError`."""
        params, roles = self.params, self.data.roles
        problems = []
        for kind, name in (("adstock", params.adstock), ("saturation", params.saturation)):
            try:
                components.class_name(name, kind)
            except ModelError as error:
                problems += error.problems
        periods = self.data.periods
        if not isinstance(params.l_max, int) or params.l_max < 1:
            problems.append(problem("l_max must be a whole number of periods, at least 1.",
                                    "Set l_max to e.g. 8 weeks."))
        elif params.l_max >= periods // 2:
            problems.append(problem(
                f"The adstock window (l_max={params.l_max}) is too long for {periods} periods.",
                f"Use l_max below {periods // 2}, or a longer history.", column=roles.date))
        if params.yearly_seasonality is not None and params.yearly_seasonality < 0:
            problems.append(problem("yearly_seasonality cannot be negative.",
                                    "Use 0 (none) or an order such as 2."))
        known = self._prior_names()
        for name, prior in params.priors.items():
            if name not in known:
                problems.append(problem(
                    f"There is no parameter {name!r} in this model.",
                    f"Set priors for one of {', '.join(sorted(known))}."))
                continue
            try:
                components.check_prior(name, prior)
            except ModelError as error:
                problems += error.problems
        if params.weekday_effects and self.data.frequency != "daily":
            problems.append(problem(
                f"Day-of-week effects need daily data; these dates are {self.data.frequency}.",
                "Turn the day-of-week effects off.", column=roles.date))
        problems += self._check_lift_tests()
        problems += self._check_interactions()
        if problems:
            raise ModelError(problems)

    def _prior_names(self) -> set[str]:
        names = set(components.default_priors(self.params.adstock, self.params.saturation))
        return names | set(MODEL_CONFIG_KEYS)

    def _check_lift_tests(self) -> list:
        roles, problems = self.data.roles, []
        for index, test in enumerate(self.params.lift_tests, start=1):
            where = f"lift test {index}"
            if test.channel not in roles.channels:
                problems.append(problem(f"{where}: {test.channel!r} is not a mapped channel.",
                                        f"Use one of {', '.join(roles.channels)}.",
                                        column="channel"))
            if not test.sigma > 0:
                problems.append(problem(f"{where}: sigma must be positive.",
                                        "Enter the standard error of the measured lift.",
                                        column="sigma"))
            if test.x < 0 or test.x + test.delta_x < 0:
                problems.append(problem(f"{where}: spend cannot be negative.",
                                        "Check x and delta_x.", column="x"))
            if roles.geo and test.geo is None:
                problems.append(problem(f"{where}: this is a geo model; the test needs a geo.",
                                        "Enter the geo where the test ran.", column="geo"))
        return problems

    def _check_interactions(self) -> list:
        channels, problems, seen = self.data.roles.channels, [], set()
        for index, pair in enumerate(self.params.interactions, start=1):
            where = f"interaction {index}"
            if len(pair) != 2 or pair[0] == pair[1]:
                problems.append(problem(f"{where}: {pair!r} is not a pair of two channels.",
                                        "Name two different channels, e.g. ('tv', 'search')."))
                continue
            unknown = [c for c in pair if c not in channels]
            if unknown:
                problems.append(problem(
                    f"{where}: {', '.join(map(repr, unknown))} is not a mapped channel.",
                    f"Use channels among {', '.join(channels)}.", column=str(unknown[0])))
            elif frozenset(pair) in seen:
                problems.append(problem(f"{where}: the pair {pair!r} is given twice.",
                                        "Give each pair once."))
            elif not all(self.data.data[c].max() > 0 for c in pair):
                problems.append(problem(f"{where}: a channel of {pair!r} never spends.",
                                        "Pick channels with spend.", column=str(pair[0])))
            seen.add(frozenset(pair))
        return problems

    def code(self) -> CodeChunk:
        """Code that builds the ``MMM`` and its data (``X``, ``y``)."""
        return self.code_for()

    def code_for(self, data: str = DATA_VARIABLE, mmm: str = "mmm", X: str = "X",
                 y: str = "y") -> CodeChunk:
        """The model code with other variable names (e.g. for a holdout refit).

        Parameters
        ----------
        data, mmm, X, y : str
            Names of the input frame and of the model, features and target it defines.
        """
        params, roles = self.params, self.data.roles
        adstock_class = components.class_name(params.adstock, "adstock")
        saturation_class = components.class_name(params.saturation, "saturation")
        priors = self.priors()
        media_priors = {k: v for k, v in priors.items() if k not in MODEL_CONFIG_KEYS}
        config = {k: v for k, v in priors.items() if k in MODEL_CONFIG_KEYS}
        lines = [
            "# numba's fast-math lets cached and freshly compiled code round differently; "
            "off, the",
            "# same seed gives the same draws in every kernel",
            "pytensor.config.numba__fastmath = False",
        ]
        if self.restated_priors():
            lines += [
                "# Daily rows: the carryover priors are pymc-marketing's defaults, written per "
                "period for",
                "# weeks, restated per day (a weekly decay a is a ** (1/7) a day)",
            ]
        lines += [
            f"{mmm} = MMM(",
            f"    date_column={literal(roles.date)},",
            f"    channel_columns={literal(list(roles.channels))},",
            f"    target_column={literal(roles.target)},",
        ]
        controls = model_controls(self.data, params)
        if controls:
            lines.append(f"    control_columns={literal(controls)},")
        if model_dims(roles):
            lines.append(f"    dims={literal(model_dims(roles))},")
        lines.append(f"    adstock={adstock_class}(l_max={literal(params.l_max)}"
                     f"{_component_priors('adstock', media_priors)}),")
        lines.append(f"    saturation={saturation_class}("
                     f"{_component_priors('saturation', media_priors)[2:]}),")
        if params.yearly_seasonality:
            lines.append(f"    yearly_seasonality={literal(params.yearly_seasonality)},")
        if params.time_varying_intercept:
            lines.append("    time_varying_intercept=True,")
        if config:
            lines.append("    model_config={")
            lines += [f"        {literal(k)}: {components.prior_code(v)}," for k, v in
                      config.items()]
            lines.append("    },")
        lines.append(")")
        lines += self.features_lines(data, X, y)
        lines.append(f"{mmm}.build_model({X}, {y})")
        imports = ["import pytensor", "from pymc_marketing.mmm import MMM, "
                   f"{', '.join(sorted({adstock_class, saturation_class}))}"]
        if priors:
            imports.append("from pymc_extras.prior import Prior")
        if params.lift_tests or params.weekday_effects:
            imports.insert(0, "import pandas as pd")
        if params.lift_tests:
            lines += self._lift_lines(mmm)
        return CodeChunk(comment=self.describe(), lines=tuple(lines), imports=tuple(imports),
                         title=self.title)

    def restated_priors(self) -> dict[str, Any]:
        """On daily data, the default carryover priors restated per day; else empty.

        Those the user set are left out: theirs are used (see
        :mod:`mmm_widgets.steps.daily_priors`).
        """
        params = self.params
        restated = restated_default_priors(self.data, params.adstock, params.saturation)
        return {name: prior for name, prior in restated.items() if name not in params.priors}

    def priors(self) -> dict[str, Any]:
        """Every prior the model sets beyond pymc-marketing's defaults, by variable name:
        the user's (:attr:`ModelParams.priors`) and :meth:`restated_priors`."""
        return {**self.restated_priors(), **self.params.priors}

    def features_lines(self, data: str = DATA_VARIABLE, X: str = "X",
                       y: str | None = "y") -> list[str]:
        """Code building the model's features ``X`` (and target ``y``) from a mapped frame.

        Parameters
        ----------
        data : str
            Name of the mapped frame.
        X, y : str
            Names to bind; ``y=None`` skips the target (for prediction).
        """
        roles = self.data.roles
        lines = [f"{X} = {data}.drop(columns=[{literal(roles.target)}])"]
        if y is not None:
            lines.append(f"{y} = {data}[{literal(roles.target)}]")
        transform = control_transform(self.data)
        if transform:
            lines += [
                "# Centre and scale non-binary controls so they do not compete with the "
                "intercept",
                f"control_transform = {literal(transform)}",
                f"{X} = {X}.assign(**{{c: ({X}[c] - m) / s "
                "for c, (m, s) in control_transform.items()})",
            ]
        columns = interaction_columns(self.data, self.params.interactions)
        if columns:
            lines += [
                "# Interaction regressors: the product of two channels' spends, each divided "
                "by its largest value",
                f"interactions = {literal(columns)}",
                f"{X} = {X}.assign(**{{name: {X}[a] / scale_a * {X}[b] / scale_b",
                "                     for name, (a, scale_a, b, scale_b) in "
                "interactions.items()})",
            ]
        lines += weekday_lines(weekday_columns(self.data, self.params), X,
                               literal(roles.date))
        return lines

    def _lift_lines(self, mmm: str) -> list[str]:
        geo = self.data.roles.geo
        rows = []
        for test in self.params.lift_tests:
            row = {"channel": test.channel, "x": float(test.x), "delta_x": float(test.delta_x),
                   "delta_y": float(test.delta_y), "sigma": float(test.sigma)}
            if geo:
                row = {geo: test.geo, **row}
            rows.append(row)
        return ["lift_tests = pd.DataFrame([",
                *[f"    {literal(row)}," for row in rows],
                "])",
                f"{mmm}.add_lift_test_measurements(lift_tests)"]

    def describe(self) -> str:
        """One line saying what the model is."""
        params = self.params
        season = (f", yearly seasonality of order {params.yearly_seasonality}"
                  if params.yearly_seasonality else "")
        trend = ", time-varying baseline" if params.time_varying_intercept else ""
        lift = f", calibrated with {len(params.lift_tests)} lift tests" \
            if params.lift_tests else ""
        pairs = ", ".join(f"{a} x {b}" for a, b in params.interactions)
        interactions = f", interactions {pairs}" if pairs else ""
        weekdays = ", day-of-week effects" if params.weekday_effects else ""
        in_days = " (its priors per day)" if self.restated_priors() else ""
        return (f"Model: {params.adstock} adstock over {params.l_max} periods{in_days}, "
                f"{params.saturation} saturation{season}{weekdays}{trend}{lift}"
                f"{interactions}")

    def run(self, namespace: dict[str, Any]) -> Any:
        """Validate, build the model by running :meth:`code`, and return it.

        Raises
        ------
        ModelError
            Also when pymc-marketing refuses the configuration while building (e.g. a
            prior over dimensions the model does not have); nothing changes.
        """
        try:
            return super().run(namespace)
        except MMMWidgetsError:
            raise
        except Exception as error:
            text = str(error).splitlines()[0] if str(error) else ""
            raise ModelError(problem(
                f"pymc-marketing could not build the model: {type(error).__name__}: "
                f"{text[:300]}",
                "Check the priors (their dims must be dimensions of the model, such as "
                "'channel') and the lift tests; the previous model is kept.")) from error

    def read_results(self, namespace: dict[str, Any]) -> Any:
        """The built (unfitted) ``MMM``."""
        return namespace["mmm"]


def control_transform(data: DataResult) -> dict[str, tuple[float, float]]:
    """Centre and scale of each non-binary control, from the mapped data.

    pymc-marketing scales the target and the channels but not the controls; a control
    such as a price index near 1 then competes with the intercept and the baseline and
    control contributions come out large and opposite. Binary (0/1) controls are left as
    they are so their effect reads as "the effect of the event".

    Returns
    -------
    dict
        ``{column: (centre, scale)}``; the model uses ``(x - centre) / scale``.
    """
    out = {}
    for column in data.roles.controls:
        values = data.data[column]
        if set(values.dropna().unique().tolist()) <= {0.0, 1.0}:
            continue
        centre = float(values.mean())
        scale = float((values - centre).abs().max()) or 1.0
        out[column] = (centre, scale)
    return out


def interaction_columns(data: DataResult, pairs: tuple[tuple[str, str], ...]
                        ) -> dict[str, tuple[str, float, str, float]]:
    """The regressor each channel pair adds: its column name and how it is made.

    Parameters
    ----------
    data : DataResult
        The mapped data (for the spends' largest values and the names already taken).
    pairs : tuple of (str, str)
        The pairs (:attr:`ModelParams.interactions`).

    Returns
    -------
    dict
        ``{column: (channel_a, largest_a, channel_b, largest_b)}``; the column is
        ``"<a> x <b>"`` (with `` (interaction)`` appended if the data has that name).
    """
    taken, out = set(map(str, data.data.columns)), {}
    for a, b in pairs:
        name = f"{a} x {b}"
        while name in taken:
            name += " (interaction)"
        taken.add(name)
        out[name] = (a, float(data.data[a].max()), b, float(data.data[b].max()))
    return out


def weekday_columns(data: DataResult, params: ModelParams) -> dict[str, int]:
    """The indicator column each day of the week gets (none without weekday effects).

    Returns
    -------
    dict
        ``{column: day}``, the day numbered as pandas does (Tuesday 1 ... Sunday 6); a
        column is the day's name (with ``_`` added while the data or an interaction has it).
    """
    if not params.weekday_effects:
        return {}
    taken = {*map(str, data.data.columns), *interaction_columns(data, params.interactions)}
    out = {}
    for day, number in WEEKDAYS.items():
        name = unused_name(day, taken)
        taken.add(name)
        out[name] = number
    return out


def weekday_lines(columns: dict[str, int], frame: str, date: str) -> list[str]:
    """Code adding the day-of-week indicators ``columns`` to ``frame`` from its dates.

    Parameters
    ----------
    columns : dict
        :func:`weekday_columns`.
    frame : str
        The frame's variable.
    date : str
        Code of the name of its date column (``"'date'"``, ``"mmm.date_column"``).
    """
    if not columns:
        return []
    return [
        "# Day of the week: an indicator per day but Monday (the baseline's level)",
        f"weekdays = {literal(columns)}",
        f"{frame} = {frame}.assign(**{{",
        f"    name: (pd.to_datetime({frame}[{date}]).dt.day_of_week == day).astype(float)",
        "    for name, day in weekdays.items()",
        "})",
    ]


def model_controls(data: DataResult, params: ModelParams) -> list[str]:
    """The model's control columns: the mapped controls, then the interactions' and the
    days of the week's regressors."""
    return [*data.roles.controls, *interaction_columns(data, params.interactions),
            *weekday_columns(data, params)]


def _component_priors(prefix: str, priors: dict[str, Any]) -> str:
    own = {k[len(prefix) + 1:]: v for k, v in priors.items() if k.startswith(prefix + "_")}
    if not own:
        return ""
    inner = ", ".join(f"{literal(k)}: {components.prior_code(v)}" for k, v in own.items())
    return f", priors={{{inner}}}"


def prior_check_lines(samples: int, random_seed: int) -> list[str]:
    """Code drawing the target from the priors, in original units (``prior_y``)."""
    return [
        f"prior = mmm.sample_prior_predictive(X, y, samples={literal(samples)}, "
        f"extend_idata=False, random_seed={literal(random_seed)})",
        "target_scale = float(mmm.get_scales_as_xarray()['target_scale'].max())",
        "prior_y = prior['y'].to_numpy().ravel() * target_scale",
    ]


@dataclass(frozen=True)
class PriorCheck:
    """How the target the priors imply compares with the observed target.

    Attributes
    ----------
    verdict : str
        ``"ok"`` or ``"warn"``.
    message : str
        Plain-language finding and what to do.
    implied_low, implied_high : float
        3 % and 97 % quantiles of the prior predictive target.
    observed_low, observed_high : float
        Smallest and largest observed target.
    negative_share : float
        Share of prior predictive values below zero.
    """

    verdict: str
    message: str
    implied_low: float
    implied_high: float
    observed_low: float
    observed_high: float
    negative_share: float


WIDE_RATIO = 20.0


def judge_prior(prior_y, observed) -> PriorCheck:
    """Compare prior predictive draws of the target with the observed target.

    Parameters
    ----------
    prior_y : array-like
        Prior predictive draws in original units.
    observed : array-like
        The observed target.

    Returns
    -------
    PriorCheck
    """
    import numpy as np

    draws = np.asarray(prior_y, dtype=float)
    seen = np.asarray(observed, dtype=float)
    low, high = (float(v) for v in np.quantile(draws, [0.03, 0.97]))
    seen_low, seen_high = float(seen.min()), float(seen.max())
    negative = float(np.mean(draws < 0))
    ratio = (high - low) / max(seen_high - seen_low, 1e-12)
    if low > seen_low or high < seen_high:
        verdict, message = "warn", (
            f"The priors imply a target between {low:,.0f} and {high:,.0f}, which does not "
            f"cover the observed {seen_low:,.0f} to {seen_high:,.0f}. Widen the intercept or "
            "noise priors.")
    elif ratio > WIDE_RATIO:
        verdict, message = "warn", (
            f"The priors allow a target between {low:,.0f} and {high:,.0f}, {ratio:.0f} times "
            "the observed range. That is very vague; tighter priors (e.g. on the noise or "
            "channel effects) usually fit faster and better.")
    else:
        verdict, message = "ok", (
            f"The priors imply a target between {low:,.0f} and {high:,.0f}; the observed "
            f"{seen_low:,.0f} to {seen_high:,.0f} lies well inside. Plausible.")
    if negative > 0.25 and seen_low >= 0:
        message += (f" {negative:.0%} of prior draws are negative although the target never "
                    "is; consider a positive intercept prior.")
        verdict = "warn"
    return PriorCheck(verdict, message, low, high, seen_low, seen_high, negative)
