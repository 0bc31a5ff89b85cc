"""Time multi-touch attribution on a synthetic event table (default: 1 million touches).

Run from the repository root::

    .venv/bin/python benchmarks/bench_mta.py            # 1M events, 200k users, 8 channels
    .venv/bin/python benchmarks/bench_mta.py --events 100000 --users 20000

Prints a Markdown table: wall time of reading the events into journeys, of each
model on its own (reading included, as a user would call it), of all rule-based
models together and of all models together, plus the process's peak resident
memory and the peak of memory allocated during one all-models call (tracemalloc,
measured in a separate, untimed call because tracing slows allocation down).
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mmm_widgets.mta import MODELS, RULE_MODELS, attribute
from mmm_widgets.mta.journeys import from_events

CHANNELS = ("Affiliate", "Direct", "Display", "Email", "Search", "Social", "TV", "Video")
POPULARITY = (0.05, 0.15, 0.15, 0.12, 0.2, 0.18, 0.05, 0.1)


def make_events(n_events: int, n_users: int, seed: int = 2024) -> pd.DataFrame:
    """Synthetic touches: random users, times over 90 days, about 4 % converting."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00:00", "s")
    seconds = rng.integers(0, 90 * 24 * 3600, n_events)
    converting = rng.random(n_events) < 0.04
    return pd.DataFrame(
        {
            "user_id": rng.integers(0, n_users, n_events),
            "timestamp": (start + seconds.astype("timedelta64[s]")).astype("datetime64[ns]"),
            "channel": pd.array(np.asarray(CHANNELS)[rng.choice(8, n_events, p=POPULARITY)]),
            "converted": converting,
            "revenue": np.where(converting, rng.gamma(2.0, 40.0, n_events).round(2), 0.0),
        }
    )


def timed(function, repeat: int = 1) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - began)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=200_000)
    options = parser.parse_args()

    events = make_events(options.events, options.users)
    columns = {
        "user": "user_id",
        "time": "timestamp",
        "channel": "channel",
        "conversion": "converted",
    }
    common = dict(columns, direct_channel="Direct", half_life="7D", lookback="30D")

    rows: list[tuple[str, float]] = []
    seconds, journeys = timed(lambda: from_events(events, **columns, lookback="30D"))
    rows.append(("read events into journeys", seconds))
    for model in MODELS:
        seconds, _ = timed(lambda m=model: attribute(events, models=[m], **common))
        rows.append((model, seconds))
    seconds, _ = timed(lambda: attribute(events, models=list(RULE_MODELS), **common))
    rows.append(("all 6 rule-based together", seconds))
    seconds, result = timed(lambda: attribute(events, models=list(MODELS), **common))
    rows.append(("all 8 models together", seconds))
    seconds, _ = timed(
        lambda: attribute(events, models=list(MODELS), value="revenue", weight="value", **common)
    )
    rows.append(("all 8 models, value-weighted", seconds))
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    tracemalloc.start()
    attribute(events, models=list(MODELS), **common)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    n_journeys = journeys.n_journeys
    converting = int(np.count_nonzero(journeys.conversions))
    print(
        f"MTA benchmark: {len(events):,} touch events, {events['user_id'].nunique():,} users, "
        f"{len(CHANNELS)} channels, {n_journeys:,} journeys ({converting:,} converting); "
        f"lookback 30D, half-life 7D. Python {platform.python_version()}, "
        f"pandas {pd.__version__}, numpy {np.__version__}, {platform.machine()}."
    )
    print()
    print("| step | seconds |")
    print("|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value:.2f} |")
    print()
    print("| memory | MB |")
    print("|---|---:|")
    print(f"| events table (deep) | {events.memory_usage(deep=True).sum() / 2**20:.0f} |")
    print(f"| peak resident set of the process | {peak_rss_mb:.0f} |")
    print(
        f"| peak allocated during one all-models call (tracemalloc) | {traced_peak / 2**20:.0f} |"
    )
    print()
    total = result.attrs["total"]
    sums_ok = np.allclose(result.sum().to_numpy(), total)
    print(f"Every model credits {total:,.0f} conversions in total: {sums_ok}.")


if __name__ == "__main__":
    main()
