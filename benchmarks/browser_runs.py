"""Collect runs of the browser wizard test and write their section of RESULTS.md.

Each run of ``tests/browser/test_browser_wizard.py`` writes
``test-artifacts/browser_latency.json`` (the time from each click to its visible
answer). Run the test, then add its figures with a label; repeat; then write the
section::

    flock /tmp/mmm-heavy.lock .venv/bin/python -m pytest tests/browser/test_browser_wizard.py
    .venv/bin/python benchmarks/browser_runs.py add "after 1"
    .venv/bin/python benchmarks/browser_runs.py write

The runs are kept in ``benchmarks/browser_runs.json`` with the commit they ran on and a
``notes`` list (what bounds the slowest clicks, from profiles; written by hand); ``write``
replaces the ``browser`` section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
from pathlib import Path
from typing import Any

from results_section import replace_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RUNS = HERE / "browser_runs.json"
LATENCY = ROOT / "test-artifacts" / "browser_latency.json"
BEGIN, END = "<!-- browser:begin -->", "<!-- browser:end -->"
GOAL_MS = 300
# The steps the test opens, in its order (the "open step" samples).
OPENED = ("Model", "Fit", "Fit again", "Overview", "Diagnostics", "Attribution", "Budget")


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.0f}"


def add_run(label: str, path: Path = LATENCY) -> dict[str, Any]:
    """Append the run in ``path`` to :data:`RUNS` under ``label``; return it.

    Parameters
    ----------
    label : str
        e.g. ``"before"`` or ``"after 1"``; runs whose label starts with ``"after"`` are
        the ones the spread is taken over.
    path : pathlib.Path
        A ``browser_latency.json`` written by the test.
    """
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no",
                            "mmm_widgets"], cwd=ROOT, capture_output=True, text=True,
                           check=False).stdout.strip()
    run = {"label": label, "commit": commit + (" + working tree" if dirty else ""),
           "timing": json.loads(path.read_text())}
    data = json.loads(RUNS.read_text()) if RUNS.exists() else {"runs": [], "notes": []}
    data["runs"].append(run)
    RUNS.write_text(json.dumps(data, indent=1) + "\n")
    return run


def section(data: dict[str, Any]) -> str:
    """The Markdown section for the runs in ``data`` (see :data:`RUNS`).

    Parameters
    ----------
    data : dict
        ``{"runs": [{"label", "commit", "timing"}], "notes": [str]}``.

    Returns
    -------
    str
        From :data:`BEGIN` to :data:`END`.
    """
    runs = data["runs"]
    after = [r for r in runs if r["label"].startswith("after")] or runs
    n = after[-1]["timing"]["n"]
    lines = [BEGIN, "## Browser: click to visible answer (tests/browser/test_browser_wizard.py)",
             "",
             f"Goal: p95 <= {GOAL_MS} ms over the test's {n} clicks (with {n} clicks the p95 "
             "is the slowest one). Each run alone under the machine's lock "
             "(`flock /tmp/mmm-heavy.lock`): JupyterLab, Chromium and the kernel on the 2 "
             "cores, which other work shares between runs. Written by "
             "`benchmarks/browser_runs.py` from each run's `test-artifacts/browser_latency.json` "
             "(kept in `benchmarks/browser_runs.json`).", "",
             "| run | code | p50 ms | p95 ms | apply mapping | open step "
             f"({', '.join(OPENED)}) | apply model | type a margin |",
             "|---|---|---:|---:|---:|---|---:|---:|"]
    for run in runs:
        t, s = run["timing"], run["timing"]["samples"]
        lines.append(f"| {run['label']} | {run['commit']} | {_ms(t['p50'])} | {_ms(t['p95'])} | "
                     f"{', '.join(map(_ms, s.get('apply mapping', [])))} | "
                     f"{', '.join(map(_ms, s.get('open step', [])))} | "
                     f"{', '.join(map(_ms, s.get('apply model', [])))} | "
                     f"{', '.join(map(_ms, s.get('type a margin', [])))} |")
    p50s = [1000 * r["timing"]["p50"] for r in after]
    p95s = [1000 * r["timing"]["p95"] for r in after]
    met = sum(p <= GOAL_MS for p in p95s)
    lines += ["", f"Spread over the {len(after)} runs labelled *after*: p50 {min(p50s):.0f}-"
              f"{max(p50s):.0f} ms, p95 {min(p95s):.0f}-{max(p95s):.0f} ms; the goal was met "
              f"in {met} of {len(after)}.", "",
              "Per action over those runs (every click pooled):", "",
              f"| action | clicks | median ms | slowest ms | over {GOAL_MS} ms |",
              "|---|---:|---:|---:|---:|"]
    actions: dict[str, list[float]] = {}
    for run in after:
        for action, values in run["timing"]["samples"].items():
            actions.setdefault(action, []).extend(values)
    for action, values in actions.items():
        over = sum(1000 * v > GOAL_MS for v in values)
        lines.append(f"| {action} | {len(values)} | {_ms(statistics.median(values))} | "
                     f"{_ms(max(values))} | {over} |")
    slowest = max(actions, key=lambda a: max(actions[a]))
    lines += ["", f"Slowest click over those runs: **{slowest}** "
              f"({_ms(max(actions[slowest]))} ms).", ""]
    lines += [*data.get("notes", []), END]
    return "\n".join(lines)


def main() -> None:
    """``add LABEL [PATH]`` or ``write``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="append test-artifacts/browser_latency.json as a run")
    add.add_argument("label")
    add.add_argument("path", nargs="?", type=Path, default=LATENCY)
    sub.add_parser("write", help="write the section of RESULTS.md")
    args = parser.parse_args()
    if args.command == "add":
        run = add_run(args.label, args.path)
        print(f"{run['label']}: p50 {_ms(run['timing']['p50'])} ms, "
              f"p95 {_ms(run['timing']['p95'])} ms")
    else:
        replace_section(HERE / "RESULTS.md", BEGIN, END,
                        section(json.loads(RUNS.read_text())))


if __name__ == "__main__":
    main()
