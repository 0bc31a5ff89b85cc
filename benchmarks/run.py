"""Measure mmm-widgets against plain pymc-marketing on this machine; write RESULTS.md.

Run from the repository root (takes 10-30 minutes; fits run one after another)::

    .venv/bin/python benchmarks/run.py               # everything
    .venv/bin/python benchmarks/run.py --skip-scaling

Every figure is measured in this run, on this machine, each case in a fresh process so
that compile caches, imports and peak memory are its own. Results go to
``benchmarks/RESULTS.md`` (and the scaling plot to ``benchmarks/scaling.html``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

PRELUDE = """
import json, resource, time, warnings
warnings.filterwarnings("ignore")
import logging; logging.disable(logging.WARNING)
def report(**values):
    values["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(values))
"""

DATA = """
import mmm_widgets as mw
CHANNELS = ["tv", "radio", "search", "social", "display"]
MAPPING = dict(date="date", target="sales", channels=CHANNELS, controls=["promo", "price_index"])
"""


LOCK: list[str] = []
# A longer run (e.g. for a report), where nutpie's per-fit compile weighs less.
LONG_DRAWS, LONG_TUNE = 2000, 1000


def run_case(code: str, timeout: float = 3600) -> dict:
    """Run ``code`` in a fresh interpreter and return what it reported."""
    source = textwrap.dedent(PRELUDE) + textwrap.dedent(code)
    completed = subprocess.run([*LOCK, sys.executable, "-c", source], cwd=ROOT,
                               capture_output=True, text=True, timeout=timeout)
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"benchmark case failed:\n{completed.stderr[-3000:]}")


def import_times() -> dict:
    """1. Wall time of importing the kit vs pymc-marketing, fresh process each."""
    kit = min(run_case("t = time.perf_counter(); import mmm_widgets\n"
                       "import sys\nreport(seconds=time.perf_counter() - t, "
                       "pymc_loaded='pymc' in sys.modules)")["seconds"] for _ in range(3))
    loaded = run_case("import mmm_widgets, sys\nreport(pymc_loaded='pymc' in sys.modules, "
                      "seconds=0)")["pymc_loaded"]
    pmm = min(run_case("t = time.perf_counter(); import pymc_marketing.mmm\n"
                       "report(seconds=time.perf_counter() - t)")["seconds"] for _ in range(2))
    return {"kit": kit, "pymc_marketing": pmm, "pymc_loaded_by_kit": loaded}


def first_table() -> dict:
    """2. Fresh process to the first channel table through the MAP quick path."""
    return run_case("t0 = time.perf_counter()\n" + DATA + """
wf = mw.Workflow(mw.datasets.load("weekly_sales"))
wf.map_data(**MAPPING)
wf.configure_model()
summary = wf.fit("map")
report(seconds=time.perf_counter() - t0)
""")


def mcmc_vs_pymc(draws: int, tune: int, chains: int, seeds: tuple[int, ...] = (1, 2)) -> dict:
    """3. The kit's default MCMC (nutpie) vs pymc-marketing with PyMC's own sampler.

    Each side fits once per seed in one fresh process, as a user refitting with another
    seed would: the first fit pays the compile (the kit then reuses it; PyMC's sampler
    compiles again, from pytensor's disk cache). The minimum bulk ESS over the free
    parameters is noisy, so the seeds are pooled; each fit is also reported on its own.
    """
    kit = run_case(DATA + f"""
import arviz as az
wf = mw.Workflow(mw.datasets.load("weekly_sales"))
wf.map_data(**MAPPING)
wf.configure_model()
seconds, ess = [], []
for seed in {seeds!r}:
    t = time.perf_counter()
    wf.fit(draws={draws}, tune={tune}, chains={chains}, random_seed=seed)
    seconds.append(time.perf_counter() - t)
    names = [v.name for v in wf.mmm.model.free_RVs]
    ess.append(float(az.summary(wf.idata, var_names=names, kind="diagnostics")["ess_bulk"].min()))
report(seconds=sum(seconds), ess_bulk_min=sum(ess), runs=len(seconds), each_seconds=seconds,
       each_ess=ess)
""")
    plain = run_case(_plain_pymc_case(draws, tune, chains, seeds, cores=None))
    # PyMC's default assumes half the CPUs are hyper-threads (one core here, so the chains
    # run one after the other); with one process per chain it is fairer to PyMC.
    parallel = run_case(_plain_pymc_case(draws, tune, chains, seeds, cores=chains))
    return {"kit": kit, "plain_pymc_sampler": plain, "plain_pymc_sampler_parallel": parallel}


def _plain_pymc_case(draws: int, tune: int, chains: int, seeds: tuple[int, ...],
                     cores: int | None) -> str:
    """pymc-marketing's ``fit`` with PyMC's sampler on the kit's model cell, per seed."""
    return DATA + f"""
import arviz as az
wf = mw.Workflow(mw.datasets.load("weekly_sales"))
wf.map_data(**MAPPING)
wf.configure_model()
model_cell = wf.step("model").code().cell()
seconds, ess = [], []
for seed in {seeds!r}:
    namespace = {{"data": wf.data}}
    exec(model_cell, namespace)
    mmm = namespace["mmm"]
    t = time.perf_counter()
    mmm.fit(namespace["X"], namespace["y"], draws={draws}, tune={tune}, chains={chains},
            random_seed=seed, nuts_sampler="pymc", progressbar=False, cores={cores!r})
    seconds.append(time.perf_counter() - t)
    names = [v.name for v in mmm.model.free_RVs]
    ess.append(float(az.summary(mmm.idata, var_names=names, kind="diagnostics")["ess_bulk"].min()))
report(seconds=sum(seconds), ess_bulk_min=sum(ess), runs=len(seconds), each_seconds=seconds,
       each_ess=ess)
"""


CONVERGED_CHECK = """
import arviz as az
def targets(idata, model):
    names = [v.name for v in model.free_RVs]
    table = az.summary(idata, var_names=names, kind="diagnostics", round_to="none")
    numbers = dict(r_hat_max=float(table["r_hat"].max()),
                   ess_bulk_min=float(table["ess_bulk"].min()),
                   ess_tail_min=float(table["ess_tail"].min()))
    numbers["converged"] = bool(numbers["r_hat_max"] <= 1.01 and numbers["ess_bulk_min"] >= 400
                                and numbers["ess_tail_min"] >= 400)
    return numbers
"""


# The generated geo panel of the convergence case (section 9): geos x channels x weeks.
PANEL = (5, 4, 156)


def converged_posterior(seeds: tuple[int, ...] = (1, 2), panel: bool = False) -> dict:
    """9. Fresh process to a posterior meeting r-hat <= 1.01, bulk and tail ESS >= 400.

    The kit: ``wf.fit()`` at its defaults (2 chains x 500 draws, fitted to convergence;
    the channel summary included). Plain pymc-marketing: the kit's exported data and model
    cells (no kit imported), ``mmm.fit(X, y)`` at pymc-marketing's and PyMC's defaults
    (PyMC's sampler, 1000 draws after 1000 tuning steps, its default chains), then, as a
    user would, the draws doubled (same seed) until the same targets hold. One fresh
    process per side and seed; the clock starts before the first import.

    Parameters
    ----------
    seeds : tuple of int
        One run per side and seed.
    panel : bool
        The bundled weekly table (False) or a generated geo panel of ``PANEL`` size, read
        from a CSV file by both sides.
    """
    import tempfile

    import mmm_widgets as mw

    folder = Path(tempfile.mkdtemp(prefix="mmm-converged-"))
    if panel:
        geos, channels, weeks = PANEL
        generator: dict = {}
        exec(SCALING_CASE[:SCALING_CASE.index("frame = synthetic")], generator)
        frame = generator["synthetic"](weeks, channels, geos)
        frame.to_csv(folder / "panel.csv", index=False)
        load = f"pd.read_csv({str(folder / 'panel.csv')!r})"
        mapping = (f"dict(date='date', target='sales', geo='geo', channels="
                   f"{[c for c in frame.columns if c.endswith('_spend')]!r})")
    else:
        load = 'mw.datasets.load("weekly_sales")'
        mapping = "MAPPING"
        mw.datasets.local_copy("weekly_sales", folder)
    setup = f"""
import pandas as pd
frame = {load}
wf = mw.Workflow(frame)
wf.map_data(**{mapping})
wf.configure_model()
"""
    namespace: dict = {}
    exec(DATA + setup, namespace)
    cells = namespace["wf"].to_script()
    if panel:
        cells = f"import pandas as pd\nframe = {load}\n" + cells
    out: dict = {"kit": [], "plain": [], "table": "panel" if panel else "weekly_sales"}
    for seed in seeds:
        out["kit"].append(run_case("t0 = time.perf_counter()\n" + DATA + CONVERGED_CHECK
                                   + setup + f"""
wf.fit(random_seed={seed})
seconds = time.perf_counter() - t0
result = wf.step("fit").result
report(seconds=seconds, seed={seed}, draws=result.draws, chains=wf.step("fit").params.chains,
       attempts=[[a.draws, a.tune, round(a.seconds, 1)] for a in result.attempts],
       sampling=[round(a.sampling_seconds, 1) for a in result.attempts],
       checks=[list(a.checks) for a in result.attempts],
       kit_converged=result.converged, **targets(wf.idata, wf.mmm.model))
"""))
        print("converged kit", out["kit"][-1], flush=True)
        out["plain"].append(run_case(
            f"import os\nos.chdir({str(folder)!r})\nt0 = time.perf_counter()\n"
            + cells + CONVERGED_CHECK + f"""
draws, attempts = None, []
while True:
    t = time.perf_counter()
    if draws is None:
        mmm.fit(X, y, random_seed={seed}, progressbar=False)
    else:
        exec(MODEL_CELL)
        mmm.fit(X, y, draws=draws, random_seed={seed}, progressbar=False)
    numbers = targets(mmm.idata, mmm.model)
    size = mmm.idata.posterior.sizes
    # 1000 tuning steps: pm.sample's default
    attempts.append([int(size["draw"]), 1000, round(time.perf_counter() - t, 1)])
    if numbers["converged"] or size["draw"] >= 16000 or time.perf_counter() - t0 > 1800:
        break
    draws = 2 * int(size["draw"])
report(seconds=time.perf_counter() - t0, seed={seed}, draws=int(size["draw"]),
       chains=int(size["chain"]), attempts=attempts, **numbers)
""".replace("MODEL_CELL", repr(_model_cell(cells))), timeout=3600))
        print("converged plain", out["plain"][-1], flush=True)
    return out


def _model_cell(script: str) -> str:
    """The model cell of an exported script (from its "# Model:" comment to the end)."""
    return script[script.index("# Model:"):]


def mta() -> dict:
    """6. Multi-touch attribution on 1 million events (benchmarks/bench_mta.py)."""
    completed = subprocess.run([*LOCK, sys.executable, str(HERE / "bench_mta.py")], cwd=ROOT,
                               capture_output=True, text=True, timeout=1800)
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr[-2000:])
    return {"markdown": completed.stdout}


def overhead(draws: int, tune: int, chains: int, repeats: int = 3) -> dict:
    """4. The kit's fit vs the same pymc-marketing calls made directly, same sampler.

    The kit's reuse of compiled models is cleared before each of its fits, so that both
    sides compile (from numba's disk cache) and the ratio is the workflow's own overhead.
    """
    return run_case(DATA + f"""
import pytensor
from mmm_widgets.steps import compiled
wf = mw.Workflow(mw.datasets.load("weekly_sales"))
wf.map_data(**MAPPING)
wf.configure_model()
# Pay the process's first compiles outside the comparison.
wf.fit("map")
wf.fit(draws=20, tune=20, chains={chains}, random_seed=99)
kit, direct = [], []
for repeat in range({repeats}):
    compiled.clear()
    t = time.perf_counter()
    wf.fit(draws={draws}, tune={tune}, chains={chains}, random_seed=repeat)
    kit.append(time.perf_counter() - t)
    namespace = {{"data": wf.data}}
    t = time.perf_counter()
    exec(wf.step("model").code().cell(), namespace)
    settings = wf.step("fit").params
    namespace["mmm"].fit(namespace["X"], namespace["y"], draws={draws}, tune={tune},
                         chains={chains}, random_seed=repeat, nuts_sampler="nutpie",
                         target_accept=settings.target_accept,
                         nuts={{"adaptation": settings.adaptation}},
                         compile_kwargs={{"freeze_model": settings.freeze_model}},
                         cores=wf.step("fit").nutpie_cores(),
                         progressbar=False)
    direct.append(time.perf_counter() - t)
report(kit=sorted(kit)[len(kit) // 2], direct=sorted(direct)[len(direct) // 2])
""")


def latency() -> dict:
    """5. Python-side latency of switching a diagnostics plot (and what-if, if present)."""
    return run_case(DATA + """
import numpy as np
from mmm_widgets.views.diagnostics import DiagnosticsView
wf = mw.Workflow(mw.datasets.load("weekly_sales"))
wf.map_data(**MAPPING)
wf.configure_model()
wf.fit(draws=300, tune=300, chains=2, random_seed=1)
view = DiagnosticsView(wf)
view.run()
choices = ["Fit", "Residuals", "Autocorrelation", "Prior vs posterior", "Decomposition",
           "Waterfall"]
first, again = [], []
for round_ in range(6):
    for choice in choices:
        t = time.perf_counter()
        view.plot_choice.value = choice
        (first if round_ == 0 else again).append(time.perf_counter() - t)
values = {"plot_first_build_p95": float(np.percentile(first, 95)),
          "plot_switch_p50": float(np.percentile(again, 50)),
          "plot_switch_p95": float(np.percentile(again, 95))}
if hasattr(wf, "what_if"):
    rng = np.random.default_rng(0)
    current = wf.data[CHANNELS].tail(13).mean()
    wf.what_if(current.to_dict())
    times = []
    for _ in range(200):
        move = (current * rng.uniform(0.5, 1.5, len(current))).to_dict()
        t = time.perf_counter()
        wf.what_if(move)
        times.append(time.perf_counter() - t)
    values.update(what_if_p50=float(np.percentile(times, 50)),
                  what_if_p95=float(np.percentile(times, 95)))
# The budget panel's slider: what-if, plot and summary within the slider's change
# (tests/test_views_budget.py checks what it shows).
from mmm_widgets.views.budget import BudgetView
panel = BudgetView(wf)
panel.ready.wait(600)
panel.optimize_button.click()
panel.wait(1800)
rng = np.random.default_rng(1)
slider, times = panel.sliders["tv"], []
for _ in range(50):
    value = float(rng.uniform(slider.min, slider.max))
    t = time.perf_counter()
    slider.value = value
    times.append(time.perf_counter() - t)
values.update(slider_p50=float(np.percentile(times, 50)),
              slider_p95=float(np.percentile(times, 95)))
report(**values)
""")


def load_times(repeats: int = 3) -> dict:
    """8a. Loading a saved workflow with a fit and a cross-validation (no refit)."""
    return run_case(DATA + f"""
import tempfile
wf = mw.Workflow(mw.datasets.load("weekly_sales"))
wf.map_data(**MAPPING)
wf.configure_model()
wf.fit("map")
wf.cross_validate(folds=2, horizon=13)
folder = wf.save(tempfile.mkdtemp() + "/saved")
times = []
for _ in range({repeats}):
    t = time.perf_counter()
    mw.Workflow.load(folder)
    times.append(time.perf_counter() - t)
report(first=times[0], best=min(times))
""")


def after_cancel(seconds: float = 2.0) -> dict:
    """8b. CPU the process burns once a background fit is cancelled (sampler stopped)."""
    return run_case(DATA + f"""
wf = mw.Workflow(mw.datasets.load("weekly_sales"))
wf.map_data(**MAPPING)
wf.configure_model(l_max=4)
job = wf.fit_in_background(draws=20_000, tune=1000, chains=2)
deadline = time.monotonic() + 600
while job.monitor.snapshot().draws_done < 30 and time.monotonic() < deadline:
    time.sleep(0.05)
c, w = time.process_time(), time.perf_counter()
time.sleep(0.5)
sampling = (time.process_time() - c) / (time.perf_counter() - w)
job.cancel()
try:
    job.wait(60)
except mw.FitCancelled:
    pass
time.sleep(0.5)
c, w = time.process_time(), time.perf_counter()
time.sleep({seconds})
report(cpu_share=(time.process_time() - c) / (time.perf_counter() - w),
       cpu_share_sampling=sampling)
""")


SCALING_CASE = """
import numpy as np, pandas as pd
from mmm_widgets.datasets.generate import geometric_adstock, logistic_saturation
def synthetic(weeks, channels, geos, seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2020-01-06", periods=weeks, freq="W-MON")
    frames = []
    for g in range(geos):
        spend = rng.gamma(2.0, 1000.0, size=(weeks, channels)) * rng.uniform(0.5, 2, channels)
        effect = sum(0.3 * spend[:, c].sum() / weeks * logistic_saturation(
            geometric_adstock(spend[:, c] / spend[:, c].max(), 0.4), 2.0) for c in range(channels))
        sales = 50000 + effect + rng.normal(0, 2000, weeks)
        frame = pd.DataFrame(spend, columns=["ch%02d_spend" % c for c in range(channels)])
        frames.append(frame.assign(date=dates, geo="g%02d" % g, sales=sales))
    return pd.concat(frames, ignore_index=True)
frame = synthetic({weeks}, {channels}, {geos})
wf = mw.Workflow(frame)
channels = [c for c in frame.columns if c.endswith("_spend")]
wf.map_data(date="date", target="sales", channels=channels, geo="geo" if {geos} > 1 else None)
wf.configure_model()
t = time.perf_counter()
wf.fit(draws={draws}, tune={tune}, chains=2, random_seed=1)
report(seconds=time.perf_counter() - t, weeks={weeks}, channels={channels_n}, geos={geos})
"""


def scaling(draws: int, tune: int) -> list[dict]:
    """7. Fit time and peak memory against weeks, channels and geos."""
    grid = [(52, 4, 1), (104, 4, 1), (156, 4, 1), (260, 4, 1),
            (156, 2, 1), (156, 10, 1), (156, 20, 1),
            (156, 4, 5), (156, 4, 10), (156, 4, 20),
            (156, 12, 20)]
    results = []
    for weeks, channels, geos in grid:
        code = DATA + SCALING_CASE.format(weeks=weeks, channels=channels, geos=geos,
                                          draws=draws, tune=tune, channels_n=channels)
        try:
            results.append(run_case(code, timeout=1800))
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            results.append({"weeks": weeks, "channels": channels, "geos": geos,
                            "seconds": float("nan"), "peak_mb": float("nan"),
                            "error": str(error)[-200:]})
        print("scaling", results[-1], flush=True)
    return results


def machine() -> str:
    """One line describing this machine and the library versions."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = run_case("import pymc_marketing, pymc, nutpie, pandas\n"
                        "report(pmm=pymc_marketing.__version__, pymc=pymc.__version__, "
                        "nutpie=nutpie.__version__, pandas=pandas.__version__)")
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; {platform.platform()}; Python "
            f"{platform.python_version()}; pymc-marketing {versions['pmm']}, pymc "
            f"{versions['pymc']}, nutpie {versions['nutpie']}, pandas {versions['pandas']}")


def scaling_plot(rows: list[dict], path: Path) -> None:
    """Save fit time against each scaling dimension as a standalone bokeh page."""
    from bokeh.embed import file_html
    from bokeh.layouts import row
    from bokeh.plotting import figure
    from bokeh.resources import CDN

    panels = []
    for axis, fixed in (("weeks", {"channels": 4, "geos": 1}),
                        ("channels", {"weeks": 156, "geos": 1}),
                        ("geos", {"weeks": 156, "channels": 4})):
        points = [r for r in rows if all(r.get(k) == v for k, v in fixed.items())]
        points.sort(key=lambda r: r[axis])
        fig = figure(width=320, height=260, title=f"fit seconds vs {axis}",
                     x_axis_label=axis, y_axis_label="seconds")
        fig.line([r[axis] for r in points], [r["seconds"] for r in points], line_width=2)
        fig.scatter([r[axis] for r in points], [r["seconds"] for r in points], size=6)
        panels.append(fig)
    # CDN resources keep the committed page small; it is a record, not an offline report.
    path.write_text(file_html(row(*panels), CDN, "mmm-widgets scaling"), encoding="utf-8")


def marked_sections(path: Path) -> list[str]:
    """The ``<!-- name:begin -->`` ... ``<!-- name:end -->`` sections other scripts wrote."""
    if not path.exists():
        return []
    pattern = re.compile(r"<!-- ([\w-]+):begin -->.*?<!-- \1:end -->", flags=re.DOTALL)
    return [match.group(0) for match in pattern.finditer(path.read_text(encoding="utf-8"))]


def write_results(results: dict, path: Path) -> None:
    """Write the Markdown report; the sections other scripts wrote in it are kept."""
    kept = marked_sections(path)
    lines = ["# Benchmark results", "", f"Machine: {results['machine']}", "",
             "Each case ran in a fresh process; times are wall-clock seconds. The sections "
             "other scripts write keep their figures until those scripts run again: the "
             "large panel's says when and where it was measured; the model search, the "
             "large panel's profile, "
             "Meridian and compile-profile sections, and the browser runs before 2026-12-05, "
             "were measured on another machine (AMD EPYC, 2 cores, 24 GiB).", ""]
    imp = results.get("imports")
    if imp:
        lines += ["## 1. Import time", "", "| what | seconds |", "|---|---:|",
                  f"| `import mmm_widgets` | {imp['kit']:.2f} (goal <= 0.5) |",
                  f"| `import pymc_marketing.mmm` | {imp['pymc_marketing']:.2f} |", "",
                  f"pymc imported by `import mmm_widgets`: {imp['pymc_loaded_by_kit']}.", ""]
    first = results.get("first_table")
    if first:
        lines += ["## 2. Fresh process to first contribution table (MAP)", "",
                  f"{first['seconds']:.1f} s (goal <= 10 s), peak memory "
                  f"{first['peak_mb']:.0f} MB.", ""]
    if results.get("mcmc"):
        lines += ["## 3. MCMC: the kit's default vs pymc-marketing with PyMC's sampler", "",
                  "Same model code (the kit's model cell), same data, draws and chains; "
                  "2 seeds per side in one fresh process, seconds and minimum bulk ESS "
                  "summed over the seeds; compile time included.", "",
                  "| draws | | seconds | min bulk ESS | ESS/s | peak MB | kit's ESS/s "
                  "÷ this |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for key in ("mcmc", "mcmc_long"):
            if key in results:
                lines += _mcmc_rows(results[key], results.get(f"{key}_settings", ""))
        lines += ["", "Each fit on its own (seconds / min bulk ESS, seed 1 then seed 2; the "
                  "first fit of the process pays the compile):", "",
                  "| draws | mmm-widgets (nutpie) | pymc-marketing, PyMC's sampler | "
                  "ratio of ESS/s, first fit | ratio, refit |", "|---|---|---|---:|---:|"]
        for key in ("mcmc", "mcmc_long"):
            if "each_seconds" in results.get(key, {}).get("kit", {}):
                lines.append(_each_fit_row(results[key], results.get(f"{key}_settings", "")))
        lines += ["", "Goal: ESS/s ratio >= 2x. nutpie compiles each new model with numba; "
                  "with `freeze_model=True` the data are compiled in as constants, so "
                  "numba's disk cache serves most of it, and a refit of the same model in "
                  "the same session reuses the compiled model outright "
                  "(`mmm_widgets/steps/compiled.py`). PyMC's sampler compiles each "
                  "model too (from pytensor's disk cache), then samples several times slower "
                  "per draw. The kit adapts nutpie's mass matrix from the draws' variance "
                  "(`adaptation='draw_diag'`), which mixed the saturation `lam`/`beta` "
                  "parameters (the slowest) far better than nutpie's default here.", ""]
    over = results.get("overhead")
    if over:
        lines += ["## 4. Workflow overhead (same model, same sampler, warm process)", "",
                  f"Kit {over['kit']:.1f} s vs direct pymc-marketing {over['direct']:.1f} s: "
                  f"{over['kit'] / over['direct']:.2f}x (goal <= 1.1x). The kit rebuilds the "
                  "model and computes the channel summary inside its fit. Peak memory of "
                  f"the process (both sides, 8 fits): {over['peak_mb']:.0f} MB.", ""]
    lat = results.get("latency")
    if lat:
        lines += ["## 5. Python-side latency", "", "| action | p50 ms | p95 ms |",
                  "|---|---:|---:|",
                  f"| switch diagnostics plot (built before) | "
                  f"{1000 * lat['plot_switch_p50']:.1f} | {1000 * lat['plot_switch_p95']:.1f} |",
                  f"| show a diagnostics plot the first time | | "
                  f"{1000 * lat['plot_first_build_p95']:.0f} |"]
        if "what_if_p50" in lat:
            lines.append(f"| what-if slider move | {1000 * lat['what_if_p50']:.1f} | "
                         f"{1000 * lat['what_if_p95']:.1f} |")
        if "slider_p50" in lat:
            lines.append(f"| budget panel what-if slider (plot and numbers) | "
                         f"{1000 * lat['slider_p50']:.1f} | {1000 * lat['slider_p95']:.1f} |")
        lines += ["", "Goals: what-if p95 <= 50 ms (formerly asserted in tests/test_budget.py), "
                  "budget slider p95 <= 50 ms (formerly tests/test_views_budget.py), "
                  "plot switch p95 <= 100 ms. Peak memory of "
                  f"the process (a fit, the diagnostics panel, the what-if): "
                  f"{lat['peak_mb']:.0f} MB.", ""]
    rows = results.get("scaling")
    if rows:
        lines += [f"## 7. Scaling ({results['scaling_settings']})", "",
                  "| weeks | channels | geos | fit seconds | peak MB |",
                  "|---:|---:|---:|---:|---:|"]
        lines += [f"| {r['weeks']} | {r['channels']} | {r['geos']} | {r['seconds']:.1f} | "
                  f"{r['peak_mb']:.0f} |" for r in rows]
        lines += ["", "Plot: `benchmarks/scaling.html`. Goal: 20 geos x 12 channels x 156 "
                  "weeks in <= 600 s. The compile is included, with numba's disk cache "
                  "holding each case's model from an earlier run: on a machine's first run, "
                  "which compiles every model from scratch, the small cases took about twice "
                  "as long (12.0-13.9 s against 6.4-7.9 s for the national ones on the "
                  "machine above, 2026-12-05).", ""]
    if "mta" in results:
        lines += ["## 6. Multi-touch attribution (`benchmarks/bench_mta.py`)", "",
                  results["mta"]["markdown"].strip(), "", "Goal: all rule-based models on "
                  "1 million events in <= 10 s.", ""]
    if results.get("converged"):
        lines += _converged_lines(results["converged"])
    if results.get("converged_panel"):
        lines += _converged_lines(results["converged_panel"])
    load, cancel = results.get("load_times"), results.get("after_cancel")
    if load or cancel:
        lines += ["## 8. Figures the tests used to assert", "",
                  "The tests check behaviour (no refit on load, no draws after a cancel); "
                  "how long it takes is measured here.", ""]
    if load:
        lines += [f"Load a saved workflow with a MAP fit and a 2-fold cross-validation: "
                  f"first {load['first']:.2f} s, best {load['best']:.2f} s (goal < 60 s, "
                  "formerly in tests/test_cross_validation.py).", ""]
    if cancel:
        lines += [f"CPU used by the process after a background fit is cancelled: "
                  f"{100 * cancel['cpu_share']:.1f} % of one core (while sampling: "
                  f"{100 * cancel['cpu_share_sampling']:.0f} %; goal < 30 %, formerly "
                  "in tests/test_long_runs.py).", ""]
    lines += [line for section in kept for line in (section, "")]
    path.write_text("\n".join(lines), encoding="utf-8")


def _converged_lines(case: dict) -> list[str]:
    """Section 9: fresh process to a converged posterior, the kit vs plain pymc-marketing."""
    if case.get("table") == "panel":
        geos, channels, weeks = PANEL
        return _converged_table(case, [
            f"### 9b. The same on a generated geo panel ({geos} geos x {channels} channels x "
            f"{weeks} weeks)", "",
            "The scaling case's generator (`synthetic` in this file), written to a CSV file "
            "that both sides read; the kit's default model for a geo panel (per-geo "
            "adstock, saturation, intercept and seasonality); the same targets and rules "
            "as above."])
    return _converged_table(case, [
             "## 9. Fresh process to a converged posterior (#21)", "",
             "Targets: every free parameter with r-hat <= 1.01 and bulk and tail ESS >= 400 "
             "(arviz), checked in the process. The kit: `wf.fit()` at its defaults (nutpie, "
             "2 chains after 500 tuning, fitted to convergence: the targets checked from 500 "
             "draws on while the chains run; the channel summary included). Plain "
             "pymc-marketing: the kit's exported data and model cells without the kit, "
             "`mmm.fit(X, y)` at its defaults (PyMC's sampler, 1000 "
             "draws after 1000 tuning; PyMC counts one CPU here, so 2 chains one after the "
             "other), then the draws doubled with the same seed until the targets hold, as "
             "a user would. The clock starts before the first import; compile included."])


def _converged_table(case: dict, lines: list[str]) -> list[str]:
    """The runs of one convergence case as a table under ``lines``, then the ratio."""
    lines = [*lines, "",
             "| side | seed | seconds | converged | draws per chain (each attempt: draws, "
             "tuning, seconds) | "
             "max r-hat | min bulk ESS | min tail ESS | peak MB |",
             "|---|---:|---:|---|---|---:|---:|---:|---:|"]
    for side, label in (("kit", "mmm-widgets `wf.fit()`"),
                        ("plain", "pymc-marketing defaults, draws doubled")):
        for run in case[side]:
            tries = "; ".join(", ".join(str(v) for v in a) for a in run["attempts"])
            lines.append(f"| {label} | {run['seed']} | {run['seconds']:.1f} | "
                         f"{'yes' if run['converged'] else 'no'} | {run['draws']} "
                         f"({tries}) | {run['r_hat_max']:.3f} | {run['ess_bulk_min']:.0f} | "
                         f"{run['ess_tail_min']:.0f} | {run['peak_mb']:.0f} |")
    kit = sum(r["seconds"] for r in case["kit"])
    plain = sum(r["seconds"] for r in case["plain"])
    short = sum(len(run["attempts"]) > 1 for run in case["plain"])
    lines += ["", f"Kit over plain, seconds summed over the seeds: **{kit / plain:.2f}x** "
              f"({kit:.0f} s vs {plain:.0f} s; goal <= 0.3x). What bounds the kit: "
              + _kit_bounds(case["kit"]) + " Plain pymc-marketing's default run (2 x 1000 "
              f"after 1000 tuning) fell short of the targets for {short} of "
              f"{len(case['plain'])} seeds."]
    same = ([a[2] for run in case["kit"] for a in run["attempts"] if a[:2] == [1000, 1000]],
            [a[2] for run in case["plain"] for a in run["attempts"] if a[:2] == [1000, 1000]])
    if all(same):
        lines += [f"An attempt of 2 chains x 1000 draws after 1000 tuning took the kit (nutpie, "
                  f"its compile reused) {', '.join(f'{t:.1f}' for t in same[0])} s and plain "
                  f"pymc-marketing (PyMC's sampler, its compile included) "
                  f"{', '.join(f'{t:.1f}' for t in same[1])} s."]
    return [*lines, ""]


def _kit_bounds(runs: list[dict]) -> str:
    """Where the kit's runs to convergence spent their time, from their records."""
    if not all("sampling" in run for run in runs):
        # Runs recorded before the checks (each attempt a fit from scratch)
        thrown = [run["attempts"][0][2] for run in runs if len(run["attempts"]) > 1]
        return (f"in {len(thrown)} of {len(runs)} runs its first attempt was thrown away "
                f"({', '.join(f'{t:.1f}' for t in thrown)} s).")
    parts = []
    for run in runs:
        checks = "; ".join(", ".join(str(c) for c in attempt) for attempt in run["checks"])
        in_attempts = sum(a[2] for a in run["attempts"]) - sum(run["sampling"])
        outside = run["seconds"] - sum(a[2] for a in run["attempts"])
        parts.append(f"seed {run['seed']}: {len(run['attempts'])} attempt(s), sampling "
                     f"{sum(run['sampling']):.1f} s with checks at {checks} draws, "
                     f"{in_attempts:.1f} s building and compiling the model, {outside:.1f} s "
                     "on the imports, the data and model cells and the channel summary")
    return ("nutpie draws on from its adapted state and the targets are checked at growing "
            "draws, so no draws are thrown away unless the chains disagree; "
            + "; ".join(parts) + ". The parts outside the sampling do not change with the "
            "draws; the compile is mostly numba compiling nutpie's C callbacks "
            "(`numba.cfunc` closures, which numba cannot cache on disk).")


def _mcmc_rows(case: dict, settings: str) -> list[str]:
    kit = case["kit"]
    kit_rate = kit["ess_bulk_min"] / kit["seconds"]
    rows = [f"| {settings} | mmm-widgets (nutpie) | {kit['seconds']:.1f} | "
            f"{kit['ess_bulk_min']:.0f} | {kit_rate:.1f} | {kit['peak_mb']:.0f} | |"]
    for key, label in (("plain_pymc_sampler", "pymc-marketing, `nuts_sampler='pymc'`"),
                       ("plain_pymc_sampler_parallel", "the same, `cores=2` (a process "
                                                       "per chain)")):
        if key in case:
            plain = case[key]
            rate = plain["ess_bulk_min"] / plain["seconds"]
            rows.append(f"| {settings} | {label} | {plain['seconds']:.1f} | "
                        f"{plain['ess_bulk_min']:.0f} | {rate:.1f} | {plain['peak_mb']:.0f} | "
                        f"**{kit_rate / rate:.1f}x** |")
    return rows


def _each_fit_row(case: dict, settings: str) -> str:
    kit, plain = case["kit"], case["plain_pymc_sampler"]

    def fits(side: dict) -> str:
        return ", ".join(f"{t:.1f} s / {e:.0f}"
                         for t, e in zip(side["each_seconds"], side["each_ess"], strict=True))

    def ratio(index: int) -> float:
        return ((kit["each_ess"][index] / kit["each_seconds"][index])
                / (plain["each_ess"][index] / plain["each_seconds"][index]))

    return (f"| {settings} | {fits(kit)} | {fits(plain)} | {ratio(0):.1f}x | "
            f"{ratio(-1):.1f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--tune", type=int, default=500)
    parser.add_argument("--lock", help="run each case under `flock LOCK` (shared machines)")
    parser.add_argument("--only", help="comma-separated cases to re-measure; the others are "
                                       "kept from benchmarks/results.json")
    args = parser.parse_args()
    if args.lock:
        LOCK[:] = ["flock", args.lock]
    results: dict = {}
    if args.only and (HERE / "results.json").exists():
        results = json.loads((HERE / "results.json").read_text())
    results["machine"] = machine()
    steps = [("imports", import_times), ("first_table", first_table),
             ("mcmc", lambda: mcmc_vs_pymc(args.draws, args.tune, 2)),
             ("mcmc_long", lambda: mcmc_vs_pymc(LONG_DRAWS, LONG_TUNE, 2)),
             ("overhead", lambda: overhead(args.draws, args.tune, 2)), ("latency", latency),
             ("mta", mta), ("load_times", load_times), ("after_cancel", after_cancel),
             ("converged", converged_posterior),
             ("converged_panel", lambda: converged_posterior(panel=True))]
    if not args.skip_scaling:
        steps.append(("scaling", lambda: scaling(draws=200, tune=200)))
    wanted = set(args.only.split(",")) if args.only else None
    for name, measure in steps:
        if wanted is not None and name not in wanted:
            continue
        results[name] = measure()
        print(name, json.dumps(results[name]), flush=True)
        # Written after every case, so a late failure keeps what was measured.
        results["mcmc_settings"] = f"2 x {args.draws} after {args.tune} tuning"
        results["mcmc_long_settings"] = f"2 x {LONG_DRAWS} after {LONG_TUNE} tuning"
        results["scaling_settings"] = "2 chains x 200 draws, 200 tuning"
        (HERE / "results.json").write_text(json.dumps(results, indent=1))
        write_results(results, HERE / "RESULTS.md")
    if "scaling" in results:
        scaling_plot(results["scaling"], HERE / "scaling.html")
    write_results(results, HERE / "RESULTS.md")
    print((HERE / "RESULTS.md").read_text())


if __name__ == "__main__":
    main()
