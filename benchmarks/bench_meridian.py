"""Fresh process to a converged posterior: the kit against Google Meridian 2.x (#21).

Run from the repository root (the first run builds Meridian's own environment, about
1.5 GB, in ``.venv-meridian``; fits run one after the other)::

    .venv/bin/python benchmarks/bench_meridian.py --lock /tmp/mmm-heavy.lock

One generated national table with a known truth (:func:`generate`): 156 weeks, 4 paid
channels, one control. Each side runs once per sampler seed (:data:`SEEDS`), each run in
a fresh process whose clock starts before its first import and stops at a posterior
meeting the targets (every free parameter with r-hat <= 1.01 and bulk and tail ESS >= 400,
arviz), its ROAS per channel computed:

* the kit: ``wf.fit()`` at its defaults (fits to convergence; the channel summary with
  ROAS counting carryover is part of the fit);
* the kit's model search between its default saturation and Hill (the generator's
  curve), then the kit's fit of the saturation it ranks first, at the same defaults
  (``--searched-only`` reruns just these, keeping the other sides' results);
* Meridian (JAX on CPU, in ``.venv-meridian``; its environment cannot share the kit's:
  Meridian 2.1 pins ``arviz<0.20`` and needs TensorFlow and JAX): ``ModelSpec()`` at its
  defaults, ``sample_prior(500)`` and ``sample_posterior(n_chains=7, n_adapt=500,
  n_burnin=500, n_keep=1000)`` as its user guide runs them; short of the targets, as a
  user would, ``n_keep`` doubled (and ``n_adapt`` and ``n_burnin`` with it while r-hat
  misses, its docs' "increase MCMC iterations") and sampled again, until the targets hold
  or 30 minutes have passed; ROI from ``Analyzer.roi()``.

The true ROAS of each channel is computed from the generator's parameters by simulating
expected sales with and without the channel (:func:`true_roas`). The figures replace the
"Meridian" section of ``benchmarks/RESULTS.md``; the raw results go to
``benchmarks/meridian.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import tomllib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from results_section import replace_section
from run import CONVERGED_CHECK, PRELUDE

from mmm_widgets.datasets.generate import geometric_adstock

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV = ROOT / ".venv-meridian"
BEGIN, END = "<!-- meridian:begin -->", "<!-- meridian:end -->"
LOCK: list[str] = []

WEEKS = 156
L_MAX = 8
#: The table's seed; the samplers' seeds are :data:`SEEDS`.
DATA_SEED = 1
SEEDS = (1, 2)
BASELINE = 120_000.0
PROMO_EFFECT = 6_000.0
NOISE = 3_000.0
#: Per channel: geometric carryover ``alpha``; Hill half-saturation ``k`` as a multiple
#: of the channel's mean carried-over spend (Hill slope 1); the ROAS its ``beta`` is set
#: from (the ROAS reported as truth is recomputed by simulation, :func:`true_roas`);
#: mean weekly spend; spend pattern.
CHANNELS = {
    "tv": dict(alpha=0.6, k=1.0, roas=2.0, spend=8_000.0, pattern="flighted"),
    "radio": dict(alpha=0.4, k=0.8, roas=1.0, spend=3_000.0, pattern="flighted"),
    "search": dict(alpha=0.1, k=1.5, roas=3.0, spend=5_000.0, pattern="steady"),
    "social": dict(alpha=0.3, k=1.0, roas=1.2, spend=4_000.0, pattern="growing"),
}
NAMES = list(CHANNELS)


def hill(x: np.ndarray, k: float) -> np.ndarray:
    """Hill saturation with slope 1 (Meridian's default media curve; the kit's is logistic)."""
    return x / (x + k)


def _spend(rng: np.random.Generator, mean: float, pattern: str) -> np.ndarray:
    weeks = np.arange(WEEKS)
    if pattern == "flighted":
        on = (weeks // 6) % 3 != 2  # 12 weeks on, 6 off, repeated
        level = rng.gamma(4.0, 1.0 / 4.0, WEEKS) * on / on.mean()
    elif pattern == "growing":
        level = np.linspace(0.5, 1.5, WEEKS) * rng.gamma(6.0, 1.0 / 6.0, WEEKS)
    else:
        level = rng.gamma(8.0, 1.0 / 8.0, WEEKS)
    return np.round(mean * level, 2)


def media_effect(spend: np.ndarray, channel: str, beta: float, k_abs: float) -> np.ndarray:
    """Expected sales from one channel's spend (any length: zeros after the data count)."""
    return beta * hill(geometric_adstock(spend, CHANNELS[channel]["alpha"], L_MAX), k_abs)


def generate(seed: int = DATA_SEED) -> tuple[pd.DataFrame, dict]:
    """The table (date, sales, the channels' spend, promo) and the parameters made from."""
    rng = np.random.default_rng(seed)
    spend = {c: _spend(rng, p["spend"], p["pattern"]) for c, p in CHANNELS.items()}
    promo = (rng.random(WEEKS) < 0.15).astype(float)
    params: dict = {"baseline": BASELINE, "promo_effect": PROMO_EFFECT, "noise_sd": NOISE,
                    "l_max": L_MAX, "channels": {}}
    for channel, p in CHANNELS.items():
        padded = np.concatenate([spend[channel], np.zeros(L_MAX - 1)])
        k_abs = p["k"] * geometric_adstock(spend[channel], p["alpha"], L_MAX).mean()
        # beta such that the spend's whole effect (carryover after the data included) over
        # the spend is p["roas"]
        beta = p["roas"] * spend[channel].sum() / media_effect(padded, channel, 1.0,
                                                               k_abs).sum()
        params["channels"][channel] = dict(alpha=p["alpha"], k=k_abs, beta=beta,
                                           hill_slope=1.0)
    mean = expected_sales(spend, promo, params)[:WEEKS]
    sales = mean + rng.normal(0.0, NOISE, WEEKS)
    dates = pd.date_range("2022-01-03", periods=WEEKS, freq="W-MON")
    frame = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "sales": np.round(sales, 2),
                          **spend, "promo": promo})
    return frame, params


def expected_sales(spend: dict, promo: np.ndarray, params: dict,
                   without: str | None = None) -> np.ndarray:
    """Expected weekly sales over the data and ``l_max - 1`` weeks without spend after it.

    ``without``: a channel whose spend is set to zero over the whole period.
    """
    horizon = WEEKS + L_MAX - 1
    total = np.full(horizon, params["baseline"])
    total[:WEEKS] += params["promo_effect"] * promo
    for channel, p in params["channels"].items():
        x = np.zeros(horizon)
        if channel != without:
            x[:WEEKS] = spend[channel]
        total += p["beta"] * hill(geometric_adstock(x, p["alpha"], params["l_max"]), p["k"])
    return total


def true_roas(frame: pd.DataFrame, params: dict) -> dict:
    """Per channel: the incremental sales of its spend over that spend, by simulation.

    ``roas``: carryover counted in full (the weeks after the data included), the kit's
    definition; ``roas_window``: only the sales landing on the data's weeks, Meridian's
    (its ROI sets a channel's spend to zero and sums the expected outcome over the
    modelled weeks).
    """
    spend = {c: frame[c].to_numpy() for c in NAMES}
    promo = frame["promo"].to_numpy()
    full = expected_sales(spend, promo, params)
    out = {}
    for channel in NAMES:
        lift = full - expected_sales(spend, promo, params, without=channel)
        out[channel] = {"spend": float(spend[channel].sum()),
                        "roas": float(lift.sum() / spend[channel].sum()),
                        "roas_window": float(lift[:WEEKS].sum() / spend[channel].sum())}
    return out


KIT_CASE = """
t0 = time.perf_counter()
import mmm_widgets as mw
import pandas as pd
""" + CONVERGED_CHECK + """
frame = pd.read_csv({csv!r}, parse_dates=["date"])
wf = mw.Workflow(frame)
wf.map_data(date="date", target="sales", channels={names!r}, controls=["promo"])
wf.configure_model(**{model!r})
wf.fit(random_seed={seed})
summary = wf.channel_summary()
seconds = time.perf_counter() - t0
result = wf.step("fit").result
import pymc_marketing, arviz
report(seconds=seconds, seed={seed}, draws=result.draws, chains=wf.step("fit").params.chains,
       attempts=[[a.draws, a.tune, round(a.seconds, 1)] for a in result.attempts],
       kit_converged=result.converged, **targets(wf.idata, wf.mmm.model),
       roas={{c: [float(summary.loc[c, "roas"]), float(summary.loc[c, "roas_hdi_low"]),
                 float(summary.loc[c, "roas_hdi_high"])] for c in summary.index}},
       versions=dict(pymc_marketing=pymc_marketing.__version__, arviz=arviz.__version__))
"""

#: The kit's model search on the table: its default saturation against the generator's
#: curve (rolling out-of-sample forecasts, MAP fits on a local Dask cluster of one worker).
#: The candidate it ranks first is fitted as a second kit side.
SEARCH_GRID = {"saturation": ["logistic", "hill"]}

SEARCH_CASE = """
t0 = time.perf_counter()
import mmm_widgets as mw
import pandas as pd
frame = pd.read_csv({csv!r}, parse_dates=["date"])
wf = mw.Workflow(frame)
wf.map_data(date="date", target="sales", channels={names!r}, controls=["promo"])
wf.configure_model()
table = wf.search({grid!r}, workers=1, random_seed=1)
report(seconds=time.perf_counter() - t0, folds=3, horizon=13,
       ranked=[dict(saturation=str(row.saturation), crps=float(row.crps),
                    mape=float(row.mape), roas_spread=float(row.roas_spread),
                    pareto=bool(row.pareto)) for row in table.itertuples()])
"""

MERIDIAN_CASE = """
t0 = time.perf_counter()
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np, pandas as pd, arviz as az
import jax, meridian
from meridian.backend import config
from meridian.data import data_frame_input_data_builder as data_builder
from meridian.model import model, spec
from meridian.analysis import analyzer
frame = pd.read_csv({csv!r})
names = {names!r}
data = (data_builder.DataFrameInputDataBuilder(kpi_type="revenue", default_time_column="date",
                                               default_kpi_column="sales")
        .with_kpi(frame)
        .with_controls(frame, control_cols=["promo"])
        .with_media(frame, media_cols=names, media_spend_cols=names, media_channels=names)
        .build())
mmm = model.Meridian(input_data=data, model_spec=spec.ModelSpec())
t = time.perf_counter()
mmm.sample_prior(500, seed={seed})
prior_seconds = time.perf_counter() - t

# The variables Meridian's joint distribution samples (the others in its posterior are
# computed from them); elements a default prior fixes (e.g. the Hill slope at 1, the geo
# spreads of a national model) have no variance and no r-hat and are left out.
FREE = ["knot_values", "sigma", "tau_g_excl_baseline", "alpha_m", "ec_m", "eta_m", "slope_m",
        "beta_gm_dev", "roi_m", "gamma_c", "xi_c", "gamma_gc_dev"]

def targets(idata):
    post = idata.posterior
    names_ = [n for n in FREE if n in post.data_vars and post[n].size]
    table = az.summary(idata, var_names=names_, kind="diagnostics", round_to="none")
    stacked = {{}}
    for n in names_:
        values = post[n].values.reshape(post.sizes["chain"] * post.sizes["draw"], -1)
        stacked[n] = values.std(axis=0) > 0
    keep = np.concatenate([stacked[n] for n in names_])
    table = table[keep]
    numbers = dict(r_hat_max=float(table["r_hat"].max()),
                   ess_bulk_min=float(table["ess_bulk"].min()),
                   ess_tail_min=float(table["ess_tail"].min()),
                   worst=str(table["r_hat"].idxmax()), parameters=int(len(table)),
                   variables=[n for n in names_ if stacked[n].any()])
    numbers["converged"] = bool(numbers["r_hat_max"] <= 1.01 and numbers["ess_bulk_min"] >= 400
                                and numbers["ess_tail_min"] >= 400)
    return numbers

n_chains, n_adapt, n_burnin, n_keep = 7, 500, 500, 1000
attempts = []
while True:
    t = time.perf_counter()
    mmm.sample_posterior(n_chains=n_chains, n_adapt=n_adapt, n_burnin=n_burnin,
                         n_keep=n_keep, seed={seed})
    numbers = targets(mmm.inference_data)
    attempts.append([n_keep, n_adapt, n_burnin, round(time.perf_counter() - t, 1)])
    print("ATTEMPT", attempts[-1], numbers, flush=True)
    if numbers["converged"] or time.perf_counter() - t0 > 1800:
        break
    if numbers["r_hat_max"] > 1.01:
        n_adapt, n_burnin = 2 * n_adapt, 2 * n_burnin
    n_keep = 2 * n_keep
posterior_seconds = time.perf_counter() - t0
t = time.perf_counter()
roi = np.asarray(analyzer.Analyzer(mmm).roi())  # (chain, draw, channel)
roi_seconds = time.perf_counter() - t
flat = roi.reshape(-1, roi.shape[-1])
roas = {{}}
for i, c in enumerate(mmm.input_data.media_channel.values):
    low, high = az.hdi(flat[:, i], hdi_prob=0.94)
    roas[str(c)] = [float(flat[:, i].mean()), float(low), float(high)]
seconds = time.perf_counter() - t0
report(seconds=seconds, posterior_seconds=posterior_seconds, prior_seconds=prior_seconds,
       roi_seconds=roi_seconds, seed={seed}, draws=n_keep, chains=n_chains,
       attempts=attempts, roas=roas, **numbers,
       versions=dict(meridian=meridian.__version__, jax=jax.__version__,
                     backend=str(config.get_backend().value), arviz=az.__version__,
                     devices=[str(d) for d in jax.devices()]))
"""


def run_case(python: str, code: str, timeout: float) -> dict:
    """Run ``code`` in a fresh ``python`` and return what it reported."""
    source = textwrap.dedent(PRELUDE) + textwrap.dedent(code)
    completed = subprocess.run([*LOCK, python, "-c", source], cwd=ROOT, capture_output=True,
                               text=True, timeout=timeout)
    for line in completed.stdout.splitlines():
        if line.startswith("ATTEMPT "):
            print(line, flush=True)
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"benchmark case failed:\n{completed.stdout[-2000:]}\n"
                       f"{completed.stderr[-4000:]}")


def meridian_python() -> str:
    """The Python of ``.venv-meridian``, built from the ``meridian`` dependency group if missing.

    Only this benchmark builds it (never the tests or CI). Meridian cannot go in the kit's
    environment: it pins ``arviz<0.20`` (the kit needs arviz 1.x) and brings TensorFlow.
    """
    python = VENV / "bin" / "python"
    if not python.exists():
        groups = tomllib.loads((ROOT / "pyproject.toml").read_text())["dependency-groups"]
        print(f"building {VENV} for Meridian: {groups['meridian']}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *groups["meridian"]],
                       check=True)
    return str(python)


def _row(label: str, run: dict, draws: str) -> str:
    return (f"| {label} | {run['seed']} | {run['seconds']:.1f} | "
            f"{'yes' if run['converged'] else 'no'} | {draws} | {run['r_hat_max']:.3f} | "
            f"{run['ess_bulk_min']:.0f} | {run['ess_tail_min']:.0f} | {run['peak_mb']:.0f} |")


def _interval(values: list[float]) -> str:
    return f"{values[0]:.2f} [{values[1]:.2f}, {values[2]:.2f}]"


def covered(run: dict, truth: dict, key: str) -> int:
    """How many channels' HDIs hold the true ROAS (``key``: its definition)."""
    return sum(low <= truth[c][key] <= high for c, (_, low, high) in run["roas"].items())


def section(results: dict) -> str:
    """The RESULTS.md section from :func:`main`'s results."""
    kits, mers, truth = results["kit"], results["meridian"], results["truth"]
    searched = results.get("kit_searched", [])
    v, kv = mers[0]["versions"], kits[0]["versions"]
    lines = [
        BEGIN,
        "## Fresh process to a converged posterior: the kit vs Google Meridian (#21)",
        "",
        f"`benchmarks/bench_meridian.py`. One generated national table ({WEEKS} weeks, "
        f"channels {', '.join(NAMES)}, one promo control; table seed {results['data_seed']}):"
        " normalized geometric carryover over 8 weeks, then a Hill curve of slope 1 "
        "(Meridian's default media curve; the kit's default is logistic), constant baseline, "
        f"Gaussian noise (sd {NOISE:,.0f} on about {results['mean_sales']:,.0f} of weekly "
        "sales). Targets on both sides: every free parameter with r-hat <= 1.01 and bulk and "
        "tail ESS >= 400 (arviz; elements a default prior fixes are left out). Each side and "
        "sampler seed in a fresh process, the clock started before the first import and "
        "stopped with the ROAS per channel computed.",
        "",
        f"The kit (pymc-marketing {kv['pymc_marketing']}, arviz {kv['arviz']}): `wf.fit()` at "
        "its defaults (nutpie, 2 chains from 500 draws after 500 tuning, fitted to "
        "convergence; its default model: geometric adstock, logistic saturation, yearly "
        "Fourier order 2, the promo control). "
        f"Meridian {v['meridian']} (backend {v['backend']}, JAX {v['jax']} on "
        f"{', '.join(v['devices'])}; arviz {v['arviz']}; in its own `.venv-meridian`, which "
        "also holds the TensorFlow Meridian 2.1 still requires): `ModelSpec()` at its "
        "defaults (ROI priors LogNormal(0.2, 0.9) on every channel, geometric adstock over "
        "`max_lag=8`, Hill slope fixed at 1, one knot: a constant baseline for a national "
        "model), `sample_prior(500)`, then `sample_posterior(n_chains=7, n_adapt=500, "
        "n_burnin=500, n_keep=1000)` as its user guide runs it; short of the targets `n_keep` "
        "doubled (and `n_adapt`, `n_burnin` while r-hat misses) and sampled again, up to 30 "
        "minutes. r-hat and ESS for Meridian with arviz on its `inference_data` over the "
        f"variables its model samples: {', '.join(mers[0]['variables'])} "
        f"({mers[0]['parameters']} values).",
        "",
        "| side | seed | seconds | converged | draws per chain (each attempt) | max r-hat | "
        "min bulk ESS | min tail ESS | peak MB |",
        "|---|---:|---:|---|---|---:|---:|---:|---:|",
    ]
    kit_sides = [("mmm-widgets `wf.fit()`", kit) for kit in kits] + [
        (f"mmm-widgets `wf.fit()`, {_searched_name(results)} saturation", kit)
        for kit in searched]
    for label, kit in kit_sides:
        tries = "; ".join(f"{d}, {t}, {s}" for d, t, s in kit["attempts"])
        lines.append(_row(label, kit,
                          f"{kit['chains']} x {kit['draws']} (draws, tuning, s: {tries})"))
    for mer in mers:
        tries = "; ".join(f"{k}, {a}, {b}, {s}" for k, a, b, s in mer["attempts"])
        lines.append(_row("Meridian defaults, `n_keep` doubled", mer,
                          f"{mer['chains']} x {mer['draws']} (n_keep, n_adapt, n_burnin, s: "
                          f"{tries})"))
    splits = "; ".join(
        f"seed {m['seed']}: {_setup(m):.0f} s of imports and data, {m['prior_seconds']:.0f} s "
        f"of `sample_prior(500)`, {_sampling(m):.0f} s of posterior sampling (its compile "
        f"included), {m['roi_seconds']:.1f} s of `Analyzer.roi()`" for m in mers)
    lines += [
        "",
        f"Meridian's time: {splits}.",
        "",
        "ROAS per channel, posterior mean [94% HDI]. The kit's counts carryover in full (the "
        "weeks after the data included); Meridian's ROI is the change in expected revenue "
        "over the modelled weeks when the channel's spend is set to zero, over its spend "
        "(carryover past the last week left out); the truth is given both ways, computed "
        "by simulating expected sales with and without each channel.",
        "",
        "| channel | spend | true ROAS (full carryover) | true ROAS (data weeks only) | "
        + " | ".join(f"kit, seed {k['seed']}" for k in kits) + " | "
        + "".join(f"kit ({_searched_name(results)}), seed {k['seed']} | " for k in searched)
        + " | ".join(f"Meridian, seed {m['seed']}" for m in mers) + " |",
        "|---|---:|---:|---:|" + "---:|" * (len(kits) + len(searched) + len(mers)),
    ]
    for channel in NAMES:
        t = truth[channel]
        lines.append(f"| {channel} | {t['spend']:,.0f} | {t['roas']:.2f} | "
                     f"{t['roas_window']:.2f} | "
                     + " | ".join(_interval(r["roas"][channel])
                                  for r in [*kits, *searched, *mers])
                     + " |")
    kit_cover = ", ".join(str(covered(k, truth, "roas")) for k in kits)
    mer_cover = ", ".join(str(covered(m, truth, "roas_window")) for m in mers)
    kit_seconds = sum(k["seconds"] for k in kits)
    mer_seconds = sum(m["seconds"] for m in mers)
    searched_cover = ", ".join(str(covered(k, truth, "roas")) for k in searched)
    lines += [
        "",
        f"HDIs holding the true ROAS (of {len(NAMES)} channels, per seed): the kit {kit_cover}"
        + (f"; the kit with {_searched_name(results)} saturation {searched_cover}"
           if searched else "")
        + f"; Meridian {mer_cover} (each against the truth in its own definition).",
        *_search_lines(results),
        "",
        f"Kit over Meridian, seconds summed over the seeds: **{kit_seconds / mer_seconds:.2f}x**"
        f" ({kit_seconds:.0f} s vs {mer_seconds:.0f} s). " + results["bounds"]["kit"] + " "
        + results["bounds"]["meridian"],
        END,
    ]
    return "\n".join(lines)


def _search_lines(results: dict) -> list[str]:
    """What the kit's model search says about the table, and the searched model's fit."""
    search, searched = results.get("search"), results.get("kit_searched", [])
    if not search or not searched:
        return []
    rows = "; ".join(
        f"{r['saturation']}: CRPS {r['crps']:,.0f}, MAPE {100 * r['mape']:.2f} %, ROAS spread "
        f"{r['roas_spread']:.2f}{' (Pareto-best)' if r['pareto'] else ''}"
        for r in search["ranked"])
    seconds = ", ".join(f"{k['seconds']:.1f} s in {len(k['attempts'])} attempt(s)"
                        for k in searched)
    by_seed = {k["seed"]: k for k in results["kit"]}
    ratios = [_width(k["roas"][c]) / _width(by_seed[k["seed"]]["roas"][c])
              for k in searched if k["seed"] in by_seed for c in NAMES]
    widths = (f"they are {min(ratios):.1f} to {max(ratios):.1f} times as wide as the default "
              "model's (same seed, same channel)") if ratios else "see the table"
    best = _searched_name(results)
    return [
        "",
        "The kit's default model draws a logistic curve where the generator drew a Hill "
        f"curve; the kit's own model search ranks {best} first on this table. "
        f"`wf.search({SEARCH_GRID!r})` (MAP fits forecasting each of "
        f"{search['folds']} rolling windows of {search['horizon']} weeks, ranked by CRPS; "
        f"{search['seconds']:.0f} s on a local Dask cluster of one worker) ranks, best first: "
        f"{rows}. Refitted with {best} saturation "
        f"(`wf.configure_model(saturation={best!r})`, "
        f"then `wf.fit()` at its defaults: {seconds}), the kit's HDIs hold the true ROAS for "
        + ", ".join(str(covered(k, results["truth"], "roas")) for k in searched)
        + f" of {len(NAMES)} channels (per seed), but {widths}: the truth is covered at the "
        "cost of precision.",
    ]


def _searched_name(results: dict) -> str:
    """The saturation the kit's model search ranked first."""
    return results["search"]["ranked"][0]["saturation"]


def _width(interval: list[float]) -> float:
    return interval[2] - interval[1]


def _sampling(run: dict) -> float:
    return sum(a[-1] for a in run["attempts"])


def _setup(run: dict) -> float:
    return run["posterior_seconds"] - run["prior_seconds"] - _sampling(run)


def bounds(results: dict) -> dict:
    """One sentence per side on what bounds its time, from the measured attempts."""
    kits, mers = results["kit"], results["meridian"]
    first = [k["attempts"][0][2] for k in kits if len(k["attempts"]) > 1]
    kit_text = "What bounds the kit: "
    if first:
        kit_text += (f"in {len(first)} of {len(kits)} runs a first attempt (2 x 500 after 500 "
                     f"tuning, compile included: {', '.join(f'{s} s' for s in first)}) falls "
                     "short of the targets and is thrown away, and the attempt reached "
                     "samples from scratch; ")
    kit_text += "the imports and the channel summary are paid once per process."
    mer_text = (
        "What bounds Meridian: posterior sampling, "
        + ", ".join(f"{_sampling(m):.0f} s of {m['seconds']:.0f} s" for m in mers)
        + f" ({mers[0]['chains']} chains of n_adapt + n_burnin + n_keep = "
        + ", ".join(str(sum(m["attempts"][-1][:3])) for m in mers)
        + " steps, vectorized over chains on 2 cores), then its TensorFlow and JAX imports "
        "(" + ", ".join(f"{_setup(m):.0f} s" for m in mers) + " with the data).")
    return {"kit": kit_text, "meridian": mer_text}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lock", help="run each case under `flock LOCK` (shared machines)")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)),
                        help="the samplers' seeds, comma-separated (one process per side each)")
    parser.add_argument("--searched-only", action="store_true",
                        help="run only the model search and the kit with the searched model, "
                             "keeping the other sides' results in meridian.json")
    args = parser.parse_args()
    if args.lock:
        LOCK[:] = ["flock", args.lock]
    seeds = [int(s) for s in args.seeds.split(",")]
    frame, params = generate(DATA_SEED)
    truth = true_roas(frame, params)
    if args.searched_only:
        results = json.loads((HERE / "meridian.json").read_text(encoding="utf-8"))
        with _table_file(frame) as csv:
            _run_searched(results, csv, seeds)
        _write(results)
        return
    python = meridian_python()
    results = {"data_seed": DATA_SEED, "weeks": WEEKS, "channels": NAMES,
               "params": params, "truth": truth,
               "mean_sales": float(frame["sales"].mean()), "kit": [], "meridian": []}
    print("truth", json.dumps(truth), flush=True)
    if os.environ.get("MERIDIAN_BACKEND"):
        print(f"note: MERIDIAN_BACKEND={os.environ['MERIDIAN_BACKEND']} is set", flush=True)
    with _table_file(frame) as csv:
        for seed in seeds:
            fill = dict(csv=csv, names=NAMES, seed=seed, model={})
            results["kit"].append(run_case(sys.executable, KIT_CASE.format(**fill),
                                           timeout=3600))
            print("kit", json.dumps(results["kit"][-1]), flush=True)
            results["meridian"].append(run_case(python, MERIDIAN_CASE.format(**fill),
                                                timeout=3600))
            print("meridian", json.dumps(results["meridian"][-1]), flush=True)
        _run_searched(results, csv, seeds)
    _write(results)


@contextlib.contextmanager
def _table_file(frame: pd.DataFrame) -> Iterator[str]:
    """The table written to a CSV file both sides read, for as long as the block runs."""
    with tempfile.TemporaryDirectory(prefix="mmm-meridian-") as folder:
        csv = str(Path(folder) / "table.csv")
        frame.to_csv(csv, index=False)
        yield csv


def _run_searched(results: dict, csv: str, seeds: list[int]) -> None:
    """The kit's model search on the table, then the kit's fit of the model it prefers."""
    results["search"] = run_case(sys.executable, SEARCH_CASE.format(
        csv=csv, names=NAMES, grid=SEARCH_GRID), timeout=3600)
    print("search", json.dumps(results["search"]), flush=True)
    results["kit_searched"] = []
    for seed in seeds:
        fill = dict(csv=csv, names=NAMES, seed=seed,
                    model={"saturation": _searched_name(results)})
        results["kit_searched"].append(run_case(sys.executable, KIT_CASE.format(**fill),
                                                timeout=3600))
        print("kit (searched)", json.dumps(results["kit_searched"][-1]), flush=True)


def _write(results: dict) -> None:
    results["bounds"] = bounds(results)
    (HERE / "meridian.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    replace_section(HERE / "RESULTS.md", BEGIN, END, section(results))
    print(section(results))


if __name__ == "__main__":
    main()
