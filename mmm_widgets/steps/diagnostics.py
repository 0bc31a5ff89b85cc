"""Step 4 — diagnostics: can this model be trusted, and why.

The exported cell computes every number (convergence table, divergences, fit metrics,
the tidy frames behind each plot) with arviz, pymc and pandas from the fitted ``mmm``;
:func:`judge` turns those numbers into traffic lights and advice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mmm_widgets import settings
from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.errors import ModelError, problem
from mmm_widgets.steps.base import Params, Step
from mmm_widgets.steps.data import DATA_VARIABLE, DataResult
from mmm_widgets.steps.dims import row_keys, tidy_code

LEVELS = ("ok", "warn", "fail")
# "info" findings are worth reading but do not lower the verdict.
INFO = "info"
MEDIA_PREFIXES = ("adstock_", "saturation_")
#: r-hat at or below this: the chains agree (Vehtari et al. 2021).
R_HAT_TARGET = 1.01
#: The convergence table of the free parameters, as the diagnostics and the fit to
#: convergence compute it (one row per parameter element: r_hat, ess_bulk, ess_tail, ...).
FREE_PARAMETERS_LINE = "free_parameters = [v.name for v in mmm.model.free_RVs]"
#: ``arviz.summary``'s options for that table (the exported call and the in-process checks).
CONVERGENCE_OPTIONS = {"kind": "diagnostics", "round_to": "none"}
CONVERGENCE_CALL = ("az.summary(mmm.idata, var_names=free_parameters, "
                    + ", ".join(f"{k}={v!r}" for k, v in CONVERGENCE_OPTIONS.items()) + ")")


@dataclass(frozen=True)
class DiagnosticsParams(Params):
    """Parameters of the diagnostics step.

    Parameters
    ----------
    random_seed : int
        Seed of the posterior predictive and prior draws.
    max_plot_draws : int
        Draws per chain kept for trace plots (thinning keeps plots fast on long fits).
    prior_draws : int
        Prior draws for the prior-vs-posterior comparison.
    hdi_prob : float
        Level of the outer band of the fit plot (the inner one is 50 %).
    """

    random_seed: int = 42
    max_plot_draws: int = 200
    prior_draws: int = 500
    hdi_prob: float = field(default_factory=settings.interval)


@dataclass(frozen=True)
class Check:
    """One traffic light: what was measured, its level and what to do."""

    check: str
    value: float
    level: str
    message: str


@dataclass
class DiagnosticsResult:
    """Numbers, verdict and the tidy frames behind every plot of the step."""

    metrics: dict[str, Any]
    checks: list[Check]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """The worst level of all checks."""
        levels = [c.level for c in self.checks if c.level in LEVELS]
        return max(levels, key=LEVELS.index, default="ok")

    def report(self) -> dict[str, Any]:
        """The contract's dict: metrics, ``verdict`` and ``messages``."""
        messages = [c.message for c in self.checks if c.level != "ok"]
        if not any(c.level in ("warn", "fail") for c in self.checks):
            messages.insert(0,
                            "All checks passed: the sampler converged and the model reproduces "
                            "the target well. The results can be used.")
        return {**self.metrics, "verdict": self.verdict, "messages": messages}

    def checks_frame(self) -> pd.DataFrame:
        """The checks as a table (check, value, level, message)."""
        return pd.DataFrame([c.__dict__ for c in self.checks])


class DiagnosticsStep(Step):
    """Convergence, fit, residuals, prior vs posterior and decomposition of the fit."""

    kind = "diagnostics"

    params: DiagnosticsParams

    def __init__(self, params: DiagnosticsParams, data: DataResult):
        super().__init__(params)
        self.data = data

    def validate(self, namespace: dict[str, Any]) -> None:
        """The draws must be ones the code can take (the interval is checked where it is
        set: :func:`mmm_widgets.settings.interval`)."""
        problems = []
        for name, example in (("prior_draws", 500), ("max_plot_draws", 200)):
            value = getattr(self.params, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(problem(f"{name} must be a whole number of at least 1, not "
                                        f"{value!r}.", f"Set {name} to e.g. {example}."))
        if problems:
            raise ModelError(problems)

    def code(self) -> CodeChunk:
        """arviz / pymc / pandas code computing the diagnostics' numbers and frames."""
        p, roles = self.params, self.data.roles
        keys = row_keys(roles)
        lines = [
            FREE_PARAMETERS_LINE,
            "media_parameters = [n for n in free_parameters "
            "if n.startswith(('adstock_', 'saturation_'))]",
            "sampled = mmm.idata.posterior.sizes['draw'] > 1",
            f"convergence = ({CONVERGENCE_CALL} if sampled else None)",
            "sample_stats = mmm.idata['sample_stats']",
            "divergences = int(sample_stats['diverging'].sum()) "
            "if 'diverging' in sample_stats else 0",
            "depth_name = next((n for n in ('maxdepth_reached', 'reached_max_treedepth') "
            "if n in sample_stats), None)",
            "depth_hits = int(sample_stats[depth_name].sum()) if depth_name else 0",
            f"# Posterior predictive in target units, with 50 % and {p.hdi_prob:.0%} HDI bands",
            f"ppc = mmm.sample_posterior_predictive(X, extend_idata=False, combined=False, "
            f"random_seed={literal(p.random_seed)}, progressbar=False)",
            "predicted = ppc['y'] * float(mmm.get_scales_as_xarray()['target_scale'])",
            "bands = {'hdi50': az.hdi(predicted.rename('predicted'), prob=0.5), "
            f"'hdi': az.hdi(predicted.rename('predicted'), prob={literal(p.hdi_prob)})}}",
            "fit_frame = predicted.mean(('chain', 'draw')).rename('predicted').to_dataframe()",
            "for name, band in bands.items():",
            "    fit_frame[name + '_low'] = band.sel(ci_bound='lower').to_series()",
            "    fit_frame[name + '_high'] = band.sel(ci_bound='upper').to_series()",
            f"observed = {DATA_VARIABLE}[{literal([*keys, roles.target])}]"
            f".rename(columns={{{literal(roles.target)}: 'actual'}})",
            f"fit_frame = {tidy_code('fit_frame', roles)}.merge(observed, on={literal(keys)})",
            "fit_frame['residual'] = fit_frame['actual'] - fit_frame['predicted']",
            "actual, residual = fit_frame['actual'].to_numpy(), fit_frame['residual'].to_numpy()",
            "r2 = 1 - np.sum(residual ** 2) / np.sum((actual - actual.mean()) ** 2)",
            "mape = np.mean(np.abs(residual[actual != 0] / actual[actual != 0]))",
            "nrmse = np.sqrt(np.mean(residual ** 2)) / (actual.max() - actual.min())",
            f"by_date = fit_frame.groupby({literal(roles.date)})['residual'].sum().to_numpy()",
            "centred = by_date - by_date.mean()",
            "autocorrelation = pd.DataFrame({'lag': np.arange(1, 11), 'acf': "
            "[np.sum(centred[k:] * centred[:-k]) / np.sum(centred ** 2) for k in range(1, 11)]})",
            "# Prior vs posterior of the media parameters: did the data inform them?",
            "with mmm.model:",
            f"    prior = pm.sample_prior_predictive(draws={literal(p.prior_draws)}, "
            f"var_names=media_parameters, random_seed={literal(p.random_seed)})",
            "rows = []",
            "for name in media_parameters:",
            "    for source, group in (('prior', prior['prior']), "
            "('posterior', mmm.idata['posterior'])):",
            "        values = group[name]",
            "        for channel in values.coords['channel'].values:",
            "            draws = values.sel(channel=channel).to_numpy().ravel()",
            "            rows.append({'parameter': name, 'channel': channel, 'source': source,",
            "                         'mean': draws.mean(), 'sd': draws.std()})",
            "prior_posterior = pd.DataFrame(rows).pivot_table(index=['parameter', 'channel'], "
            "columns='source', values=['mean', 'sd'])",
            "prior_posterior.columns = [f'{source}_{stat}' for stat, source in "
            "prior_posterior.columns]",
            "prior_posterior['shrinkage'] = 1 - prior_posterior['posterior_sd'] ** 2 / "
            "prior_posterior['prior_sd'] ** 2",
            "prior_posterior = prior_posterior.reset_index()",
            "# Thinned traces of the media parameters (a plot never needs every draw)",
            f"keep = np.unique(np.linspace(0, mmm.idata.posterior.sizes['draw'] - 1, "
            f"{literal(p.max_plot_draws)}).astype(int))",
            "traces = pd.concat([mmm.idata['posterior'][name].isel(draw=keep)"
            ".to_dataframe(name='value').reset_index().assign(parameter=name)",
            "                    for name in media_parameters])",
            "# Decomposition: what each component adds, per date and in total",
            "decomposition = pd.concat([",
            "    mmm.summary.contributions(component=component).assign(component=component)",
            "    for component in ('baseline', 'seasonality', 'control', 'channel')",
            "    if component != 'control' or mmm.control_columns",
            "    if component != 'seasonality' or mmm.yearly_seasonality",
            "], ignore_index=True)",
            "totals = mmm.summary.total_contribution(frequency='all_time')",
        ]
        return CodeChunk(comment="Diagnostics: convergence, fit to the data, residuals, prior "
                                 "vs posterior and decomposition", lines=tuple(lines),
                         imports=("import arviz as az", "import numpy as np",
                                  "import pandas as pd", "import pymc as pm"),
                         title=self.title)

    def read_results(self, namespace: dict[str, Any]) -> DiagnosticsResult:
        """Collect the numbers, judge them, and keep the frames for plots."""
        ns = namespace
        convergence = ns["convergence"]
        chains = int(ns["mmm"].idata.posterior.sizes["chain"])
        draws = int(ns["mmm"].idata.posterior.sizes["draw"])
        metrics = {
            "r_hat_max": float(convergence["r_hat"].max()) if convergence is not None
            else float("nan"),
            "ess_bulk_min": float(convergence["ess_bulk"].min()) if convergence is not None
            else float("nan"),
            "ess_tail_min": float(convergence["ess_tail"].min()) if convergence is not None
            else float("nan"),
            "divergences": int(ns["divergences"]),
            "tree_depth_hits": int(ns["depth_hits"]),
            "r2": float(ns["r2"]), "mape": float(ns["mape"]), "nrmse": float(ns["nrmse"]),
            "residual_acf1": float(ns["autocorrelation"]["acf"].iloc[0]),
            # Autocorrelations of pure noise over n periods stay within about ±2/sqrt(n)
            "residual_acf_band": float(2 / np.sqrt(len(ns["by_date"]))),
            "chains": chains, "draws": draws, "sampled": bool(ns["sampled"]),
        }
        frames = {"fit": ns["fit_frame"], "autocorrelation": ns["autocorrelation"],
                  "prior_posterior": ns["prior_posterior"], "traces": ns["traces"],
                  "decomposition": ns["decomposition"], "totals": ns["totals"]}
        if convergence is not None:
            frames["convergence"] = convergence
        return DiagnosticsResult(metrics, judge(metrics, ns["prior_posterior"]), frames)


def judge(metrics: dict[str, Any], prior_posterior: pd.DataFrame | None = None) -> list[Check]:
    """Traffic lights with plain-language advice for each diagnostic number.

    Thresholds follow common practice (Vehtari et al. 2021 for r-hat and ESS): r-hat
    below 1.01 is fine, above 1.1 means the chains disagree; bulk ESS of 100 per chain
    is enough for stable means, tail ESS (of the 5 % and 95 % quantiles) of 100 per chain
    for stable interval ends; divergences mean the sampler missed part of the posterior.
    Residual autocorrelation at lag 1 is judged against the noise band ``2 / sqrt(n)``
    of ``n`` periods: beyond it the residuals are not noise; from 0.5 on the data hold
    about a third as much independent information as periods, so intervals are too narrow
    (about ``sqrt((1 + r) / (1 - r))``, 1.7 times at 0.5) and a slow driver is missing.

    Parameters
    ----------
    metrics : dict
        Output numbers of the diagnostics code.
    prior_posterior : pandas.DataFrame, optional
        Shrinkage per media parameter.

    Returns
    -------
    list of Check
    """
    checks: list[Check] = []
    if not metrics["sampled"]:
        checks.append(Check("method", float("nan"), "warn",
                            "This is a MAP point estimate: there is no uncertainty and no "
                            "convergence to check. What to do: fit with MCMC before relying on "
                            "the numbers."))
    else:
        checks += _convergence_checks(metrics)
    checks += _fit_checks(metrics)
    if prior_posterior is not None and metrics["sampled"]:
        weak = prior_posterior[prior_posterior["shrinkage"] < 0.1]
        if len(weak):
            names = ", ".join(f"{r.parameter}[{r.channel}]" for r in weak.head(4).itertuples())
            checks.append(Check(
                "prior_vs_posterior", float(len(weak)), INFO,
                f"The data barely informed {names}: their posterior is about as wide as the "
                "prior, so results for them echo the prior. What to do: add lift tests for "
                "these channels or use priors you can justify."))
    return checks


def _convergence_checks(m: dict[str, Any]) -> list[Check]:
    chains, total = m["chains"], m["chains"] * m["draws"]
    r_hat, ess = m["r_hat_max"], m["ess_bulk_min"]
    out = [_r_hat_check(r_hat, chains)]
    level = "ok" if ess >= 100 * chains else ("warn" if ess >= 25 * chains else "fail")
    out.append(Check("ess_bulk", ess, level, {
        "ok": f"Effective sample size at least {ess:.0f}: enough for stable estimates.",
        "warn": f"Effective sample size is only {ess:.0f} for some parameter. What to do: draw "
                "more (e.g. double draws) for stable intervals.",
        "fail": f"Effective sample size is {ess:.0f}: estimates are unreliable. What to do: "
                "many more draws, or simplify the model (fewer parameters).",
    }[level]))
    out.append(_ess_tail_check(m["ess_tail_min"], chains))
    div = m["divergences"]
    level = "ok" if div == 0 else ("warn" if div <= 0.01 * total else "fail")
    out.append(Check("divergences", float(div), level, {
        "ok": "No divergent transitions.",
        "warn": f"{div} divergent transitions. What to do: raise target_accept to 0.95 and "
                "refit; if they persist, tighten priors.",
        "fail": f"{div} divergent transitions ({div / total:.1%} of draws): the sampler cannot "
                "explore the posterior. What to do: target_accept 0.95-0.99, tighter priors, "
                "fewer parameters.",
    }[level]))
    hits = m["tree_depth_hits"]
    level = "ok" if hits <= 0.01 * total else "warn"
    out.append(Check("tree_depth", float(hits), level,
                     "Tree depth limit rarely or never hit." if level == "ok" else
                     f"The maximum tree depth was hit {hits} times: sampling is inefficient. "
                     "What to do: reparametrise or use tighter priors."))
    return out


def _ess_tail_check(ess: float, chains: int) -> Check:
    """Tail ESS: how many independent draws the ends of the intervals rest on."""
    level = "ok" if ess >= 100 * chains else ("warn" if ess >= 25 * chains else "fail")
    return Check("ess_tail", ess, level, {
        "ok": f"Tail effective sample size at least {ess:.0f}: the interval ends are stable.",
        "warn": f"Tail effective sample size is only {ess:.0f} for some parameter (below "
                f"{100 * chains} for {chains} chain(s)): the ends of the intervals rest on few "
                "independent draws and may move between runs. What to do: draw more (e.g. "
                "double draws) before reporting intervals.",
        "fail": f"Tail effective sample size is {ess:.0f}: the chains rarely reach the "
                "posterior's tails, so the intervals are unreliable (often too narrow). What "
                "to do: many more draws, raise target_accept, or tighten priors.",
    }[level])


def _r_hat_check(r_hat: float, chains: int) -> Check:
    if chains < 2 or not np.isfinite(r_hat):
        return Check("r_hat", r_hat, "warn",
                     "With one chain, convergence cannot be checked (r-hat compares chains). "
                     "What to do: fit with 2 or more chains.")
    if r_hat <= R_HAT_TARGET:
        return Check("r_hat", r_hat, "ok", f"r-hat {r_hat:.3f}: the chains agree.")
    if r_hat <= 1.1:
        return Check("r_hat", r_hat, "warn",
                     f"r-hat is {r_hat:.3f} (above 1.01): the chains do not fully agree. What "
                     "to do: run more tuning and draws, or more chains.")
    return Check("r_hat", r_hat, "fail",
                 f"r-hat is {r_hat:.2f}: the chains disagree, the fit has not converged. What to "
                 "do: increase tune and draws, tighten priors, or drop collinear channels.")


def _fit_checks(m: dict[str, Any]) -> list[Check]:
    out = []
    r2, mape = m["r2"], m["mape"]
    level = "ok" if r2 >= 0.8 else ("warn" if r2 >= 0.5 else "fail")
    out.append(Check("r2", r2, level,
                     f"In-sample R² {r2:.2f}." if level == "ok" else
                     f"In-sample R² is {r2:.2f}: the model misses much of the target's "
                     "variation. What to do: add controls (holidays, prices, events), "
                     "seasonality or a time-varying baseline."))
    level = "ok" if mape <= 0.1 else ("warn" if mape <= 0.25 else "fail")
    out.append(Check("mape", mape, level,
                     f"Mean absolute percentage error {mape:.1%}." if level == "ok" else
                     f"Mean absolute percentage error is {mape:.1%}. What to do: check outliers "
                     "and missing drivers in the data step."))
    out.append(_autocorrelation_check(m["residual_acf1"], m["residual_acf_band"]))
    return out


def _autocorrelation_check(acf: float, band: float) -> Check:
    """Lag-1 residual autocorrelation against the noise band of the number of periods."""
    noise = (f"noise alone stays within ±{band:.2f} (2/sqrt(n) for the "
             f"{round(4 / band ** 2)} periods)")
    if abs(acf) <= band:
        return Check("residual_autocorrelation", acf, "ok",
                     f"Residual autocorrelation at lag 1 is {acf:.2f}: {noise}, so the residuals "
                     "look like noise.")
    if acf < 0:
        level = "warn" if acf <= -0.5 else INFO
        return Check("residual_autocorrelation", acf, level,
                     f"Residuals alternate from period to period (lag 1: {acf:.2f}; {noise}): "
                     "the model over-reacts to single periods. What to do: look for outliers "
                     "and one-off events, and check the adstock is not too short.")
    narrow = float(np.sqrt((1 + acf) / (1 - acf))) if acf < 1 else float("inf")
    why = (f"Residuals are autocorrelated (lag 1: {acf:.2f}; {noise}): neighbouring periods "
           f"miss in the same direction, so the data hold less independent information than "
           f"periods and the intervals are about {narrow:.1f} times too narrow; something "
           "slow-moving is missing.")
    if acf < 0.5:
        return Check("residual_autocorrelation", acf, INFO,
                     f"{why} Mild below 0.5. What to do: consider a trend or more seasonality.")
    return Check("residual_autocorrelation", acf, "warn",
                 f"{why} From 0.5 on (1.7 times too narrow) results are overconfident. What to "
                 "do: add a trend (time-varying baseline), more seasonality or the missing "
                 "control (prices, events, holidays).")
