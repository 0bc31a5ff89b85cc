"""Time role suggestion and validation on a large panel (default: 200 columns, 5 years of
daily data, 50 geos: 91,300 rows).

Run from the repository root::

    .venv/bin/python benchmarks/bench_large_inputs.py
    .venv/bin/python benchmarks/bench_large_inputs.py --geos 10 --years 2 --columns 60

Prints a Markdown table: wall time (best of ``--repeat`` runs) of ``suggest_roles``, of
``check_frame`` on the clean frame and on a copy with problems planted in many columns
and geos (every problem is still reported in one pass), and of the whole data step
(``Workflow.map_data``: checks, mapping code, warnings and the quality table).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mmm_widgets.steps.roles import suggest_roles
from mmm_widgets.steps.validation import Roles, check_frame
from mmm_widgets.workflow import Workflow
from tests.bad_inputs.builders import large_panel, plant_problems


def timed(function, repeat: int) -> tuple[float, object]:
    """Best wall time of ``repeat`` calls and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - began)
    return best, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=200)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--geos", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    frame, mapping = large_panel(args.columns, args.years, args.geos)
    roles = Roles(mapping["date"], mapping["target"], tuple(mapping["channels"]),
                  tuple(mapping["controls"]), mapping["geo"])
    bad, planted = plant_problems(frame, mapping)

    rows = []
    seconds, suggested = timed(lambda: suggest_roles(frame), args.repeat)
    correct = (suggested["date"], suggested["target"], suggested["geo"]) == (
        "date", "sales", "geo") and suggested["channels"] == mapping["channels"]
    rows.append(("suggest_roles", seconds, "roles correct" if correct else "ROLES WRONG"))
    seconds, result = timed(lambda: check_frame(frame, roles), args.repeat)
    rows.append(("check_frame, clean", seconds, f"{len(result.problems)} problems"))
    seconds, result = timed(lambda: check_frame(bad, roles), args.repeat)
    rows.append(("check_frame, problems planted", seconds,
                 f"{len(result.problems)} problems reported ({len(planted)} planted)"))

    def map_data() -> pd.DataFrame:
        return Workflow(frame, name="panel").map_data(**mapping)

    seconds, _ = timed(map_data, 1)
    rows.append(("Workflow.map_data (whole data step)", seconds, "mapped"))

    print(f"Frame: {len(frame):,} rows x {frame.shape[1]} columns "
          f"({args.geos} geos, {args.years} years daily); {platform.processor() or 'cpu'}, "
          f"Python {platform.python_version()}, pandas {pd.__version__}\n")
    print("| operation | seconds | outcome |")
    print("|---|---:|---|")
    for name, seconds, outcome in rows:
        print(f"| {name} | {seconds:.3f} | {outcome} |")


if __name__ == "__main__":
    main()
