"""Benchmark the model search on Dask: wall time on 1 and 2 local workers, and what bounds it.

Run from the repository root::

    .venv/bin/python benchmarks/bench_search.py

Each case runs in a fresh process: the bundled weekly table, ``wf.search()`` at its
defaults (12 candidates x 3 folds of 13 weeks, MAP fits), on a new ``LocalCluster`` of 1
or 2 worker processes. Dask's task stream gives each task's compute time on its worker;
from those the time on 8, 64 and 256 workers is extrapolated. The figures replace the "Model search"
section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from results_section import replace_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BEGIN, END = "<!-- search:begin -->", "<!-- search:end -->"

CASE = """
import json, time, warnings
warnings.filterwarnings("ignore")
import logging; logging.disable(logging.WARNING)
import mmm_widgets as mw
from distributed import Client, LocalCluster, get_task_stream

started = time.perf_counter()
cluster = LocalCluster(n_workers={workers}, threads_per_worker=1, dashboard_address=None)
client = Client(cluster)
cluster_seconds = time.perf_counter() - started
wf = mw.Workflow(mw.datasets.load("weekly_sales"))
wf.map_data(date="date", target="sales", channels=["tv", "radio", "search", "social",
            "display"], controls=["promo", "price_index"])
wf.configure_model()
searched = time.perf_counter()
with get_task_stream(client=client) as stream:
    ranked = wf.search(client=client)
search_seconds = time.perf_counter() - searched
import psutil
worker_mb = sorted(client.run(lambda: psutil.Process().memory_info().rss / 1e6).values())
tasks = []
for record in stream.data:
    if not str(record["key"]).startswith("search_fold"):
        continue
    compute = [s for s in record["startstops"] if s["action"] == "compute"]
    transfer = [s for s in record["startstops"] if s["action"] == "transfer"]
    tasks.append({{"worker": record["worker"],
                  "compute": sum(s["stop"] - s["start"] for s in compute),
                  "transfer": sum(s["stop"] - s["start"] for s in transfer),
                  "start": min(s["start"] for s in compute)}})
print("RESULT " + json.dumps({{"workers": {workers}, "cluster_seconds": cluster_seconds,
                              "search_seconds": search_seconds, "tasks": tasks,
                              "candidates": len(ranked), "best": int(ranked.index[0]),
                              "worker_mb": worker_mb}}))
client.close(); cluster.close()
"""


#: The folds ``wf.search()`` uses without arguments.
FOLDS = 3


def run(workers: int) -> dict:
    """One search on a fresh local cluster of ``workers`` processes, in a fresh process."""
    # Run as a kernel runs cells: with no __main__ file, which the cluster's spawned
    # workers would otherwise import (and so start a cluster each).
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "case.py"
        script.write_text(textwrap.dedent(CASE.format(workers=workers)), encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, "-c", f"exec(compile(open({str(script)!r}).read(), 'case', 'exec'))"],
            cwd=ROOT, capture_output=True, text=True, timeout=3600)
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"search benchmark failed:\n{completed.stderr[-3000:]}")


def first_task_per_worker(tasks: list[dict]) -> list[float]:
    """Compute time of each worker's first task (imports and compiles land there)."""
    first: dict[str, dict] = {}
    for task in sorted(tasks, key=lambda t: t["start"]):
        first.setdefault(task["worker"], task)
    return [task["compute"] for task in first.values()]


def extrapolate(case: dict, workers: int, total: int) -> float:
    """Wall time of ``total`` such tasks on ``workers`` processes, from the measured tasks.

    Every worker pays its first task's warm-up (imports, first compile); the rest of the
    tasks (median compute time of the others) are shared out in rounds of ``workers``;
    scheduling and gathering cost what the measured run spent beyond its tasks, per task,
    spread over the workers. Not measured: an estimate of what bounds a larger run.
    """
    tasks = case["tasks"]
    warm = statistics.mean(first_task_per_worker(tasks))
    firsts = set(first_task_per_worker(tasks))
    steady = statistics.median([t["compute"] for t in tasks if t["compute"] not in firsts]
                               or [t["compute"] for t in tasks])
    rounds = math.ceil(total / workers)
    busy = sum(t["compute"] for t in tasks) / case["workers"]
    overhead = max(case["search_seconds"] - busy, 0.0) / len(tasks)
    return case["cluster_seconds"] + warm + (rounds - 1) * steady + \
        overhead * total / min(workers, total)


def section(cases: list[dict]) -> str:
    """The Markdown section for RESULTS.md."""
    one, two = cases
    tasks = two["tasks"]
    steady = statistics.median(t["compute"] for t in tasks)
    lines = [BEGIN, "## Model search on Dask (`benchmarks/bench_search.py`)", "",
             f"Bundled weekly table, `wf.search()` at its defaults: {one['candidates']} "
             f"candidates (2 adstocks x 2 saturations x 3 carryover lengths) x {FOLDS} "
             f"folds of 13 weeks = {len(tasks)} tasks, MAP fits, each run in a fresh "
             "process on a new `LocalCluster` (processes, one thread each). Best "
             f"candidate in both runs: {one['best']} and {two['best']}.", "",
             "| workers | cluster start s | search s | speed-up |", "|---:|---:|---:|---:|",
             f"| 1 | {one['cluster_seconds']:.1f} | {one['search_seconds']:.1f} | 1.0x |",
             f"| 2 | {two['cluster_seconds']:.1f} | {two['search_seconds']:.1f} | "
             f"{one['search_seconds'] / two['search_seconds']:.2f}x |", "",
             f"Per task (2 workers): median compute {steady:.1f} s; each worker's first "
             f"task {statistics.mean(first_task_per_worker(tasks)):.1f} s on average "
             "(pymc-marketing import and first compiles land there); data transfer "
             f"{sum(t['transfer'] for t in tasks):.2f} s in all. Each worker's resident "
             "memory at the end: "
             f"{', '.join(f'{mb:.0f}' for mb in one['worker_mb'])} MB on 1 worker, "
             f"{', '.join(f'{mb:.0f}' for mb in two['worker_mb'])} MB on 2 (every task "
             "compiles its own model in the worker's process; the compiled code stays).", "",
             "Extrapolated from the 2-worker run's task times (estimates, not measured): "
             f"the default grid ({len(tasks)} tasks) and a Robyn-sized search (400 "
             "candidates x 3 folds = 1,200 tasks):", "",
             f"| workers | {len(tasks)} tasks, s | 1,200 tasks, s |", "|---:|---:|---:|"]
    for workers in (8, 64, 256):
        lines.append(f"| {workers} | {extrapolate(two, workers, len(tasks)):.0f} | "
                     f"{extrapolate(two, workers, 1200):.0f} |")
    lines += ["", "What bounds it: a search has as many tasks as candidates x folds, and "
              "workers beyond that add nothing; with few tasks per worker the wall time is "
              "each worker's "
              "warm-up (import and compile of its first model, paid once per worker "
              "process) plus the longest task.", END]
    return "\n".join(lines)


def main() -> None:
    cases = [run(1), run(2)]
    (HERE / "search.json").write_text(json.dumps(cases, indent=1), encoding="utf-8")
    new = section(cases)
    replace_section(HERE / "RESULTS.md", BEGIN, END, new)
    print(new)


if __name__ == "__main__":
    main()
