"""Generator of the bundled touch table ``journeys``, consistent with ``weekly_sales``.

Users browse online channels (paid search, paid social, display, email, direct) over
the last 26 weeks of ``weekly_sales``; how many users arrive, and through which paid
channel, follows that week's spend on search, social and display. TV and radio never
appear as touches -- they are offline -- but a user who saw TV or heard radio that week
converts more readily. A multi-touch model cannot see that lift; the MMM can.

Conversion happens more readily at "closing" touches (search, direct, email) than at
"opening" ones (display, social), so last-touch rules credit lower-funnel channels more
than their incremental effect: the gap the attribution step is meant to show.

Run ``python -m mmm_widgets.datasets.generate_journeys`` to rewrite the bundled files.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from mmm_widgets.datasets.generate import make_weekly_sales

HERE = Path(__file__).parent
FILE_NAME = "journeys.csv.gz"
WEEKS = 26
USERS = 8200

#: Touch labels as a web-analytics export writes them -> the ``weekly_sales`` channel.
LABELS = {"Paid Search": "search", "Paid Social": "social", "Display": "display",
          "Email": None, "Direct": None}
PAID = {"Paid Search": "search", "Paid Social": "social", "Display": "display"}
# Where a journey goes next, by current touch (labels in LABELS order).
NEXT = {
    "Paid Search": (0.30, 0.10, 0.10, 0.20, 0.30),
    "Paid Social": (0.35, 0.20, 0.15, 0.15, 0.15),
    "Display": (0.35, 0.20, 0.15, 0.15, 0.15),
    "Email": (0.30, 0.00, 0.00, 0.30, 0.40),
    "Direct": (0.40, 0.00, 0.00, 0.30, 0.30),
}
#: Lasting lift of each touch on the chance to convert later in the journey.
LIFT = {"Paid Search": 0.05, "Paid Social": 0.05, "Display": 0.03, "Email": 0.04,
        "Direct": 0.02}
#: How much more readily a conversion happens *at* a touch of this channel.
CLOSING = {"Paid Search": 1.7, "Paid Social": 0.5, "Display": 0.3, "Email": 1.3,
           "Direct": 1.9}
BASE = 0.04
OFFLINE_LIFT = {"tv": 0.6, "radio": 0.25}
LEAVE = 0.28
RETURN = 0.15
MAX_TOUCHES = 8


def make_journeys(seed: int = 23) -> tuple[pd.DataFrame, dict]:
    """A touch table: one row per touch, the converting touch flagged, with its revenue.

    Parameters
    ----------
    seed : int
        Random seed.

    Returns
    -------
    (pandas.DataFrame, dict)
        Columns ``user_id, timestamp, channel, converted, revenue`` sorted by time, and
        the generator's settings with counts per label.
    """
    rng = np.random.default_rng(seed)
    weekly, _ = make_weekly_sales()
    weeks = weekly.tail(WEEKS).reset_index(drop=True)
    labels = list(LABELS)
    paid_spend = weeks[list(PAID.values())]
    arrivals = paid_spend.sum(axis=1).to_numpy()
    offline = {name: (weeks[name] / weekly[name].max()).to_numpy() for name in OFFLINE_LIFT}
    rows: list[tuple] = []
    for user in range(1, USERS + 1):
        week = int(rng.choice(WEEKS, p=arrivals / arrivals.sum()))
        clock = weeks.at[week, "date"] + pd.Timedelta(minutes=int(rng.integers(0, 7 * 1440)))
        # Paid channels bring users in proportion to that week's spend; some come by
        # e-mail or directly.
        first = np.append(paid_spend.iloc[week].to_numpy() / arrivals[week] * 0.8, [0.1, 0.1])
        label = labels[int(rng.choice(len(labels), p=first))]
        lift = 1 + sum(effect * offline[name][week] * (rng.uniform() < 0.7)
                       for name, effect in OFFLINE_LIFT.items())
        intent, touches = BASE, 0
        while True:
            touches += 1
            intent += LIFT[label]
            converts = rng.uniform() < min(intent * CLOSING[label] * lift, 0.9)
            revenue = round(float(rng.lognormal(4.0, 0.45)), 2) if converts else None
            rows.append((user, clock, label, int(converts), revenue))
            if converts:
                if rng.uniform() >= RETURN:
                    break
                intent, touches = BASE, 0
            elif touches >= MAX_TOUCHES or rng.uniform() < LEAVE:
                break
            clock = clock + pd.Timedelta(minutes=int(rng.exponential(1.5 * 1440)) + 1)
            label = labels[int(rng.choice(len(labels), p=NEXT[label]))]
    frame = pd.DataFrame(rows, columns=["user_id", "timestamp", "channel", "converted",
                                        "revenue"])
    end = weeks["date"].iloc[-1] + pd.Timedelta(days=7)
    frame = frame[frame["timestamp"] < end]
    frame = frame.sort_values(["timestamp", "user_id"], kind="stable", ignore_index=True)
    frame["timestamp"] = frame["timestamp"].dt.floor("min")
    truth = {
        "description": "Settings the touch table was generated with. Touch labels map to "
                       "weekly_sales channels as in 'labels'; tv and radio are offline and "
                       "never appear as touches but raise the chance to convert by up to "
                       "'offline_lift' (scaled by that week's spend relative to the maximum).",
        "labels": LABELS,
        "period": [str(weeks["date"].iloc[0].date()), str((end - pd.Timedelta(days=1)).date())],
        "lift": LIFT, "closing": CLOSING, "base": BASE, "offline_lift": OFFLINE_LIFT,
        "touches": {k: int(v) for k, v in frame["channel"].value_counts().items()},
        "conversions": int(frame["converted"].sum()),
        "revenue": round(float(frame["revenue"].sum()), 2),
    }
    return frame, truth


def write_journeys(folder: Path = HERE) -> None:
    """Regenerate the bundled ``journeys`` file (gzip CSV) and its truth."""
    frame, truth = make_journeys()
    frame.to_csv(folder / FILE_NAME, index=False, date_format="%Y-%m-%d %H:%M",
                 compression={"method": "gzip", "mtime": 0})
    (folder / "journeys.truth.json").write_text(json.dumps(truth, indent=1) + "\n")


if __name__ == "__main__":
    write_journeys()
