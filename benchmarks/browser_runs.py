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


def _row(label: str, commit: str, timing: dict[str, Any]) -> str:
    s = timing["samples"]
    return (f"| {label} | {commit} | {_ms(timing['p50'])} | {_ms(timing['p95'])} | "
            f"{', '.join(map(_ms, s.get('apply mapping', [])))} | "
            f"{', '.join(map(_ms, s.get('open step', [])))} | "
            f"{', '.join(map(_ms, s.get('apply model', [])))} | "
            f"{', '.join(map(_ms, s.get('type a margin', [])))} |")


def _pooled(timings: list[dict[str, Any]]) -> dict[str, list[float]]:
    actions: dict[str, list[float]] = {}
    for timing in timings:
        for action, values in timing["samples"].items():
            actions.setdefault(action, []).extend(values)
    return actions


def section(data: dict[str, Any]) -> str:
    """The Markdown section for the runs in ``data`` (see :data:`RUNS`).

    Parameters
    ----------
    data : dict
        ``{"runs": [{"label", "commit", "timing"}], "notes": [str]}``; a run's ``timing``
        may hold ``in_page``: the same figures timed in the page (from the click's event
        to the first frame showing the answer).

    Returns
    -------
    str
        From :data:`BEGIN` to :data:`END`.
    """
    runs = data["runs"]
    after = [r for r in runs if r["label"].startswith("after")] or runs
    n = after[-1]["timing"]["n"]
    header = ["| run | code | p50 ms | p95 ms | apply mapping | open step "
              f"({', '.join(OPENED)}) | apply model | type a margin |",
              "|---|---|---:|---:|---:|---|---:|---:|"]
    lines = [BEGIN, "## Browser: click to visible answer (tests/browser/test_browser_wizard.py)",
             "",
             f"Goal: p95 <= {GOAL_MS} ms over the test's {n} clicks (with {n} clicks the p95 "
             "is the slowest one). Each run alone under the machine's lock "
             "(`flock /tmp/mmm-heavy.lock`): JupyterLab, Chromium and the kernel on the 2 "
             "cores, which other work shares between runs. Written by "
             "`benchmarks/browser_runs.py` from each run's `test-artifacts/browser_latency.json` "
             "(kept in `benchmarks/browser_runs.json`).", "",
             "Two clocks. *Playwright*: from before Playwright's click (its checks that the "
             "target is visible, stable and enabled included) to its `to_be_visible` "
             "passing. Up to *changes, polling clock 3* that assertion polled at growing "
             "intervals (20, 50, 100, 100 ms, then every 500 ms), so a figure could lie up "
             "to half a second after the answer was drawn, and each look matched text over "
             "every widget on the page's main thread, slowing the drawing it timed; from "
             "*before 3* on, the test first waits for the page's own report (one variable "
             "checked per frame), so the figure is the page's plus the click's checks and "
             "two round trips. *In the page* (runs from *before 2* on): from the click's "
             "`pointerdown` (the Enter's `keydown` for the margin) to the first animation "
             "frame in which the answer is visible, once that frame is drawn. Compare runs "
             "of one clock only.", "",
             "Playwright's clock:", "", *header]
    lines += [_row(run["label"], run["commit"], run["timing"]) for run in runs]
    timed = [r for r in runs if "in_page" in r["timing"]]
    if timed:
        lines += ["", "In the page:", "", *header]
        lines += [_row(r["label"], r["commit"], r["timing"]["in_page"]) for r in timed]
    lines.append("")
    clocks = [("Playwright", [r["timing"] for r in after])]
    if all("in_page" in r["timing"] for r in after):
        clocks.append(("in the page", [r["timing"]["in_page"] for r in after]))
    for clock, timings in clocks:
        p50s = [1000 * t["p50"] for t in timings]
        p95s = [1000 * t["p95"] for t in timings]
        met = sum(p <= GOAL_MS for p in p95s)
        lines.append(f"Spread over the {len(after)} runs labelled *after*, {clock}: p50 "
                     f"{min(p50s):.0f}-{max(p50s):.0f} ms, p95 {min(p95s):.0f}-"
                     f"{max(p95s):.0f} ms; the goal was met in {met} of {len(after)}.")
        lines.append("")
    pooled = [(clock, _pooled(timings)) for clock, timings in clocks]
    names = list(pooled[0][1])
    lines += ["Per action over those runs (every click pooled):", "",
              "| action | clicks | " + " | ".join(
                  f"median ms ({c}) | slowest ms ({c}) | over {GOAL_MS} ms ({c})"
                  for c, _ in pooled) + " |",
              "|---|---:|" + "---:|---:|---:|" * len(pooled)]
    for action in names:
        cells = []
        for _, actions in pooled:
            values = actions.get(action, [])
            cells += [_ms(statistics.median(values)), _ms(max(values)),
                      str(sum(1000 * v > GOAL_MS for v in values))]
        lines.append(f"| {action} | {len(pooled[0][1][action])} | {' | '.join(cells)} |")
    lines.append("")
    for clock, actions in pooled:
        slowest = max(actions, key=lambda a: max(actions[a]))
        lines.append(f"Slowest click over those runs, {clock}: **{slowest}** "
                     f"({_ms(max(actions[slowest]))} ms).")
    lines += ["", *data.get("notes", []), END]
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
