"""Time the budget what-if: 200 random slider moves on a fitted model.

Run from the repository root (it fits a model, so take the shared fit lock)::

    flock /tmp/mmm-fit.lock .venv/bin/python benchmarks/bench_what_if.py          # MAP fit
    flock /tmp/mmm-fit.lock .venv/bin/python benchmarks/bench_what_if.py --mcmc   # 2 x 200

Fits the bundled weekly data, runs the optimizer twice (the first run compiles),
then times ``Workflow.what_if`` on 200 random allocations (every channel moved at once,
uniformly within its slider range) and prints one Markdown table row: fit kind, number
of posterior draws, first and warm optimizer wall time, and what-if p50 / p95 / max in
milliseconds.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mmm_widgets as mw

CHANNELS = ["tv", "radio", "search", "social", "display"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mcmc", action="store_true", help="2 chains x 200 draws, not MAP")
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=CHANNELS,
                controls=["promo", "price_index"])
    wf.configure_model()
    if args.mcmc:
        wf.fit(draws=200, tune=200, chains=2, random_seed=1)
    else:
        wf.fit("map")
    total = float(wf.data[CHANNELS].tail(13).mean().sum() * 13)

    started = time.perf_counter()
    wf.optimize_budget(total, 13)
    first = time.perf_counter() - started
    started = time.perf_counter()
    wf.optimize_budget(total * 1.1, 13)
    warm = time.perf_counter() - started

    what_if = wf.step("budget").result.what_if
    limits = what_if.limits
    rng = np.random.default_rng(args.seed)
    times = []
    for _ in range(args.moves):
        allocation = {c: float(rng.uniform(0, limits[c])) for c in CHANNELS}
        began = time.perf_counter()
        wf.what_if(allocation)
        times.append((time.perf_counter() - began) * 1000)
    p50, p95, worst = np.percentile(times, 50), np.percentile(times, 95), max(times)
    draws = what_if.draws[0].shape[1]
    kind = "MCMC 2x200" if args.mcmc else "MAP"
    print("| fit | draws | optimize, first (s) | optimize, warm (s) | what-if p50 (ms) "
          "| what-if p95 (ms) | what-if max (ms) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(f"| {kind} | {draws} | {first:.1f} | {warm:.1f} | {p50:.2f} | {p95:.2f} "
          f"| {worst:.2f} |")


if __name__ == "__main__":
    main()
