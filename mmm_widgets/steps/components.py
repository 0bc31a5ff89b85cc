"""pymc-marketing's adstock and saturation classes by name, and priors as safe code.

pymc-marketing 1.3 has no name registry any more, so the names here follow its former
``lookup_name`` convention (``"geometric"``, ``"logistic"``, ...). pymc-marketing itself is
imported only when a class or a default prior is needed, to keep ``import mmm_widgets``
fast.
"""

from __future__ import annotations

import copy
import functools
import json
import keyword as keywords
from pathlib import Path
from typing import Any

from mmm_widgets.codegen import literal
from mmm_widgets.errors import ModelError, problem

ADSTOCKS: dict[str, str] = {
    "geometric": "GeometricAdstock",
    "delayed": "DelayedAdstock",
    "weibull_pdf": "WeibullPDFAdstock",
    "weibull_cdf": "WeibullCDFAdstock",
    "binomial": "BinomialAdstock",
    "no_adstock": "NoAdstock",
}
SATURATIONS: dict[str, str] = {
    "logistic": "LogisticSaturation",
    "inverse_scaled_logistic": "InverseScaledLogisticSaturation",
    "tanh": "TanhSaturation",
    "tanh_baselined": "TanhSaturationBaselined",
    "michaelis_menten": "MichaelisMentenSaturation",
    "hill": "HillSaturation",
    "hill_sigmoid": "HillSaturationSigmoid",
    "root": "RootSaturation",
    "log": "LogSaturation",
    "no_saturation": "NoSaturation",
}

# pymc-marketing's default priors, as live_defaults() gives them for one version.
DEFAULTS_FILE = Path(__file__).with_name("default_priors.json")

EXPLANATIONS: dict[str, str] = {
    "adstock_alpha": "Share of an ad's effect that carries over to the next period "
                     "(0 = none, near 1 = long memory).",
    "adstock_theta": "Periods until the effect peaks (delayed adstock).",
    "adstock_lam": "Scale of the Weibull carryover curve: larger means longer carryover.",
    "adstock_k": "Shape of the Weibull carryover curve.",
    "saturation_lam": "How fast returns diminish: higher means the channel saturates at "
                      "lower spend.",
    "saturation_beta": "Largest effect the channel can have, in scaled target units.",
    "saturation_alpha": "Largest effect the channel can have (Michaelis-Menten, root).",
    "saturation_b": "Largest effect the channel can have (tanh).",
    "saturation_c": "Spend scale at which the tanh curve bends.",
    "saturation_slope": "Steepness of the Hill curve.",
    "saturation_kappa": "Spend (scaled) at which the Hill curve reaches half its maximum.",
    "saturation_sigma": "Height of the sigmoid Hill curve.",
    "saturation_x0": "Reference spend of the baselined tanh curve.",
    "saturation_gain": "Return at the reference spend (baselined tanh).",
    "saturation_r": "Share of the maximum reached at the reference spend (baselined tanh).",
    "intercept": "Baseline level of the target without marketing (scaled units).",
    "likelihood": "Noise around the model's prediction (scaled units).",
    "gamma_control": "Effect of each control variable on the target (scaled units).",
    "gamma_fourier": "Strength of the yearly seasonal pattern.",
}


def _module():
    import pymc_marketing.mmm as mmm_module

    return mmm_module


def adstock_class(name: str):
    """The pymc-marketing adstock class for a lookup name (or class name)."""
    return getattr(_module(), _resolve(name, ADSTOCKS, "adstock"))


def saturation_class(name: str):
    """The pymc-marketing saturation class for a lookup name (or class name)."""
    return getattr(_module(), _resolve(name, SATURATIONS, "saturation"))


def class_name(name: str, kind: str) -> str:
    """The class name of an adstock or saturation given by lookup name."""
    return _resolve(name, ADSTOCKS if kind == "adstock" else SATURATIONS, kind)


def _resolve(name: str, table: dict[str, str], kind: str) -> str:
    if name in table:
        return table[name]
    if name in table.values():
        return name
    raise ModelError(problem(f"Unknown {kind} {name!r}.",
                             f"Use one of {', '.join(repr(n) for n in table)}."))


def _lookup_name(name: str, table: dict[str, str], kind: str) -> str:
    """The lookup name (``"geometric"``) for a lookup or class name."""
    resolved = _resolve(name, table, kind)
    return next(key for key, value in table.items() if value == resolved)


def default_priors(adstock: str, saturation: str) -> dict[str, dict[str, Any]]:
    """Default priors of the media parameters, keyed by model variable name.

    Taken from the defaults shipped for the installed pymc-marketing version (so the model
    panel opens without importing it), else read from pymc-marketing's classes.

    Returns
    -------
    dict
        ``{"adstock_alpha": {"dist": "Beta", "kwargs": {...}}, "saturation_lam": ...}``.
    """
    shipped = _shipped_defaults()
    out: dict[str, dict[str, Any]] = {}
    for prefix, name, table in (("adstock", adstock, ADSTOCKS),
                                ("saturation", saturation, SATURATIONS)):
        lookup = _lookup_name(name, table, prefix)
        priors = copy.deepcopy(shipped[prefix][lookup]) if shipped is not None \
            else _class_priors(prefix, lookup)
        out.update({f"{prefix}_{parameter}": prior for parameter, prior in priors.items()})
    return out


def live_defaults() -> dict[str, Any]:
    """Every default prior as the installed pymc-marketing gives it (imports it).

    What ``default_priors.json`` holds for that version: regenerate the file with
    :func:`write_shipped_defaults` after upgrading pymc-marketing.
    """
    from importlib.metadata import version

    return {"pymc_marketing": version("pymc-marketing"),
            "adstock": {name: _class_priors("adstock", name) for name in ADSTOCKS},
            "saturation": {name: _class_priors("saturation", name) for name in SATURATIONS},
            "model_config": _live_model_config_defaults()}


def _class_priors(kind: str, name: str) -> dict[str, dict[str, Any]]:
    """The default priors of one adstock or saturation class, read from pymc-marketing."""
    cls = adstock_class(name) if kind == "adstock" else saturation_class(name)
    return {parameter: _plain_prior(prior.to_dict())
            for parameter, prior in cls.default_priors.items()}


@functools.cache
def _shipped_defaults() -> dict[str, Any] | None:
    """The shipped defaults if they were made from the installed pymc-marketing version."""
    from importlib.metadata import version

    shipped = json.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))
    return shipped if shipped.get("pymc_marketing") == version("pymc-marketing") else None


def plain_prior(value: Any) -> dict[str, Any]:
    """A prior as plain ``Prior.to_dict()`` data, from a ``Prior`` or such data."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    _check_prior_shape(value)
    return _plain_prior(value)


def _check_prior_shape(data: Any) -> None:
    """Raise :class:`ModelError` unless ``data`` is shaped like ``Prior.to_dict()`` data."""
    why = _prior_shape_problem(data)
    if why is not None:
        shown = repr(data) if len(repr(data)) <= 80 else repr(data)[:77] + "..."
        raise ModelError(problem(f"{shown} is not a prior: {why}.",
                                 "Give a pymc_extras Prior or {'dist': ..., 'kwargs': {...}}."))


def _prior_shape_problem(data: Any) -> str | None:
    if not isinstance(data, dict) or not isinstance(data.get("dist"), str):
        return "it needs a distribution name under 'dist'"
    kwargs = data.get("kwargs", {})
    if not isinstance(kwargs, dict):
        return "'kwargs' must map parameter names to values"
    for value in kwargs.values():
        nested = _prior_shape_problem(value) if isinstance(value, dict) else None
        if nested is not None:
            return nested
    dims = data.get("dims")
    if dims is not None and not isinstance(dims, str) and not (
            isinstance(dims, list | tuple) and all(isinstance(d, str) for d in dims)):
        return "'dims' must be dimension names"
    return None


def _plain_prior(data: dict[str, Any]) -> dict[str, Any]:
    plain = {"dist": data["dist"], "kwargs": {
        k: _plain_prior(v) if isinstance(v, dict) else v
        for k, v in data.get("kwargs", {}).items()}}
    if data.get("dims"):
        plain["dims"] = list(data["dims"]) if not isinstance(data["dims"], str) else [data["dims"]]
    if data.get("centered") is False:
        plain["centered"] = False
    return plain


def prior_code(data: dict[str, Any]) -> str:
    """Render a prior given as ``Prior.to_dict()`` data as ``Prior(...)`` source.

    Every value enters through :func:`~mmm_widgets.codegen.literal`; keyword names
    must be identifiers. Nested priors (hierarchical) are rendered recursively.

    Parameters
    ----------
    data : dict
        ``{"dist": "Beta", "kwargs": {"alpha": 1, "beta": 3}, "dims": ["channel"]}``.

    Returns
    -------
    str

    Examples
    --------
    >>> prior_code({"dist": "Beta", "kwargs": {"alpha": 1, "beta": 3}})
    "Prior('Beta', alpha=1, beta=3)"
    """
    if not isinstance(data, dict) or "dist" not in data:
        raise ModelError(problem(f"{data!r} is not a prior.",
                                 "Give a prior as {'dist': 'Normal', 'kwargs': {...}}."))
    args = [literal(str(data["dist"]))]
    for key, value in data.get("kwargs", {}).items():
        if not str(key).isidentifier() or keywords.iskeyword(str(key)) or key in ("dims",
                                                                               "centered"):
            raise ModelError(problem(f"{key!r} is not a parameter name.",
                                     "Use the distribution's parameter names."))
        args.append(f"{key}={prior_code(value) if isinstance(value, dict) else literal(value)}")
    dims = data.get("dims")
    if dims:
        args.append(f"dims={literal(tuple(dims) if not isinstance(dims, str) else dims)}")
    if data.get("centered") is False:
        args.append("centered=False")
    return f"Prior({', '.join(args)})"


def check_prior(name: str, data: dict[str, Any]) -> None:
    """Raise :class:`ModelError` unless ``data`` builds a valid pymc_extras ``Prior``."""
    from pymc_extras.prior import Prior

    _check_prior_shape(data)
    try:
        namespace: dict[str, Any] = {"Prior": Prior}
        # prior_code builds the text from literals only, so evaluating it is safe.
        eval(compile(prior_code(data), "<prior>", "eval"), namespace)
    except ModelError:
        raise
    except Exception as error:
        raise ModelError(problem(f"The prior for {name!r} is invalid: {error}",
                                 "Use a pymc distribution name and its parameters, e.g. "
                                 "{'dist': 'HalfNormal', 'kwargs': {'sigma': 2}}.")) from error


def prior_text(data: dict[str, Any]) -> str:
    """Short form of a prior for people: ``Beta(alpha=1, beta=3)`` (dims left out)."""
    args = ", ".join(f"{k}={prior_text(v) if isinstance(v, dict) else v!r}"
                     for k, v in data.get("kwargs", {}).items())
    return f"{data['dist']}({args})"


def parse_prior_text(text: str, name: str = "prior") -> dict[str, Any]:
    """Read ``Beta(alpha=1, beta=3)`` (or ``Prior("Beta", alpha=1, beta=3)``) into data.

    The text is parsed with :mod:`ast`, never evaluated: only a distribution name,
    keyword arguments with numbers, lists of numbers and nested distributions pass.

    Parameters
    ----------
    text : str
        What the user typed.
    name : str
        Parameter name, for the error message.

    Returns
    -------
    dict
        ``{"dist": ..., "kwargs": {...}}``.

    Raises
    ------
    ModelError
        When the text is not of that form.
    """
    import ast

    try:
        node = ast.parse(text.strip(), mode="eval").body
        return _prior_from_node(node)
    except (SyntaxError, ValueError) as error:
        raise ModelError(problem(
            f"The prior for {name!r} could not be read: {text!r}.",
            "Write it like Beta(alpha=1, beta=3) or HalfNormal(sigma=2).")) from error


def _prior_from_node(node) -> dict[str, Any]:
    import ast

    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
        raise ValueError("not a distribution call")
    args = list(node.args)
    dist = node.func.id
    if dist == "Prior":
        if not args or not isinstance(args[0], ast.Constant) or not isinstance(args[0].value, str):
            raise ValueError("Prior needs a distribution name")
        dist = args.pop(0).value
    if args:
        raise ValueError("use keyword arguments")
    kwargs: dict[str, Any] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            raise ValueError("no ** arguments")
        value = keyword.value
        if keyword.arg == "dims":
            continue
        kwargs[keyword.arg] = (_prior_from_node(value) if isinstance(value, ast.Call)
                               else ast.literal_eval(value))
        if isinstance(kwargs[keyword.arg], str):
            raise ValueError("parameters are numbers")
    return {"dist": dist, "kwargs": kwargs}


def model_config_defaults() -> dict[str, dict[str, Any]]:
    """Default priors of the non-media parameters (intercept, noise, controls, seasonality).

    The shipped ones for the installed pymc-marketing version, else read from
    pymc-marketing on a throwaway model; either way they follow its defaults.
    """
    shipped = _shipped_defaults()
    if shipped is not None:
        return copy.deepcopy(shipped["model_config"])
    return _live_model_config_defaults()


def _live_model_config_defaults() -> dict[str, dict[str, Any]]:
    from pymc_marketing.mmm import MMM

    probe = MMM(date_column="date", channel_columns=["c"], control_columns=["k"],
                yearly_seasonality=1, adstock=adstock_class("geometric")(l_max=2),
                saturation=saturation_class("logistic")())
    config = probe.default_model_config
    return {key: plain_prior(config[key]) for key in
            ("intercept", "likelihood", "gamma_control", "gamma_fourier") if key in config}


def write_shipped_defaults() -> Path:
    """Write :func:`live_defaults` to ``default_priors.json`` (after a pymc-marketing upgrade)."""
    DEFAULTS_FILE.write_text(json.dumps(live_defaults(), indent=1) + "\n", encoding="utf-8")
    _shipped_defaults.cache_clear()
    return DEFAULTS_FILE
