"""Generator of the bundled example data, with the truth it was made from.

Media effects follow pymc-marketing's default transformations, so a fitted model can
be checked against the truth: spend is scaled by each channel's maximum, carried over
with normalized geometric adstock (``l_max`` weeks), saturated with the logistic curve
``(1 - exp(-lam x)) / (1 + exp(-lam x))`` and multiplied by ``beta`` (in target units).
Each ``beta`` is set so that the channel's true ROAS over the whole period is exact.

Run ``python -m mmm_widgets.datasets.generate`` to rewrite the bundled files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
L_MAX = 8
START = "2022-01-03"
WEEKS = 156


@dataclass(frozen=True)
class ChannelTruth:
    """True media parameters of one channel."""

    alpha: float
    lam: float
    roas: float
    weekly_spend: float
    pattern: str


NATIONAL_CHANNELS: dict[str, ChannelTruth] = {
    "tv": ChannelTruth(alpha=0.6, lam=2.0, roas=1.6, weekly_spend=9000.0, pattern="flighted"),
    "radio": ChannelTruth(alpha=0.4, lam=3.0, roas=0.9, weekly_spend=3500.0, pattern="flighted"),
    "search": ChannelTruth(alpha=0.1, lam=1.5, roas=3.2, weekly_spend=6000.0, pattern="steady"),
    "social": ChannelTruth(alpha=0.3, lam=2.5, roas=1.3, weekly_spend=4500.0, pattern="growing"),
    "display": ChannelTruth(alpha=0.2, lam=3.5, roas=0.6, weekly_spend=2500.0, pattern="bursty"),
}

GEO_CHANNELS: dict[str, ChannelTruth] = {
    name: NATIONAL_CHANNELS[name] for name in ("tv", "search", "social", "display")
}
GEOS: dict[str, float] = {"north": 1.0, "south": 0.7, "east": 0.5, "west": 0.35}


def geometric_adstock(x: np.ndarray, alpha: float, l_max: int = L_MAX) -> np.ndarray:
    """Normalized geometric carryover, as pymc-marketing's ``GeometricAdstock``."""
    weights = alpha ** np.arange(l_max)
    weights = weights / weights.sum()
    out = np.zeros_like(x, dtype=float)
    for lag, weight in enumerate(weights):
        out[lag:] += weight * x[: len(x) - lag]
    return out


def logistic_saturation(x: np.ndarray, lam: float) -> np.ndarray:
    """pymc-marketing's ``LogisticSaturation`` curve (without ``beta``)."""
    return (1 - np.exp(-lam * x)) / (1 + np.exp(-lam * x))


def _spend(pattern: str, level: float, weeks: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(weeks)
    season = 1 + 0.25 * np.sin(2 * np.pi * t / 52.18 + rng.uniform(0, 2 * np.pi))
    noise = rng.lognormal(0, 0.25, weeks)
    if pattern == "flighted":
        on = (np.sin(2 * np.pi * t / rng.uniform(9, 14) + rng.uniform(0, 6)) > -0.2)
        base = np.where(on, 1.6, 0.0)
    elif pattern == "growing":
        base = 0.5 + t / weeks
    elif pattern == "bursty":
        base = np.where(rng.uniform(size=weeks) < 0.35, 2.0, 0.4)
    else:
        base = np.ones(weeks)
    return np.round(level * base * season * noise, 2)


def _media(spend: pd.DataFrame, channels: dict[str, ChannelTruth]) -> pd.DataFrame:
    """True contribution of each channel, in target units."""
    contributions = {}
    for name, truth in channels.items():
        x = spend[name].to_numpy()
        shaped = logistic_saturation(geometric_adstock(x / x.max(), truth.alpha), truth.lam)
        beta = truth.roas * x.sum() / shaped.sum()
        contributions[name] = beta * shaped
    return pd.DataFrame(contributions, index=spend.index)


def _baseline(weeks: int, level: float, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    t = np.arange(weeks)
    trend = level * (1 + 0.08 * t / weeks)
    season = level * (0.08 * np.sin(2 * np.pi * t / 52.18) + 0.04 * np.cos(4 * np.pi * t / 52.18))
    promo = (rng.uniform(size=weeks) < 0.12).astype(int)
    price = np.round(1 + 0.03 * np.sin(2 * np.pi * t / 30) + rng.normal(0, 0.01, weeks), 3)
    return trend, season, promo, price


def make_weekly_sales(seed: int = 7) -> tuple[pd.DataFrame, dict]:
    """National weekly sales with five channels, a promotion flag and a price index.

    Parameters
    ----------
    seed : int
        Random seed.

    Returns
    -------
    (pandas.DataFrame, dict)
        The data and its truth (parameters, contributions per week, ROAS).
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=WEEKS, freq="W-MON")
    spend = pd.DataFrame({name: _spend(c.pattern, c.weekly_spend, WEEKS, rng)
                          for name, c in NATIONAL_CHANNELS.items()})
    media = _media(spend, NATIONAL_CHANNELS)
    trend, season, promo, price = _baseline(WEEKS, 60000.0, rng)
    controls = 5000.0 * promo - 150000.0 * (price - 1)
    expected = trend + season + controls + media.sum(axis=1).to_numpy()
    sales = np.round(expected + rng.normal(0, 0.025 * expected.mean(), WEEKS), 2)
    frame = pd.DataFrame({"date": dates, **spend, "promo": promo, "price_index": price,
                          "sales": sales})
    truth = _truth(media, spend, NATIONAL_CHANNELS, dates, sales)
    return frame, truth


def make_geo_sales(seed: int = 11) -> tuple[pd.DataFrame, dict]:
    """Weekly sales in four geos with four channels and a promotion flag.

    Parameters
    ----------
    seed : int
        Random seed.

    Returns
    -------
    (pandas.DataFrame, dict)
        The long-by-geo panel (one row per week and geo) and its truth.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=WEEKS, freq="W-MON")
    frames, media_by_geo, spend_by_geo = [], {}, {}
    for geo, size in GEOS.items():
        spend = pd.DataFrame({name: _spend(c.pattern, c.weekly_spend * size, WEEKS, rng)
                              for name, c in GEO_CHANNELS.items()})
        media = _media(spend, GEO_CHANNELS)
        trend, season, promo, _ = _baseline(WEEKS, 40000.0 * size, rng)
        expected = trend + season + 3000.0 * size * promo + media.sum(axis=1).to_numpy()
        sales = np.round(expected + rng.normal(0, 0.03 * expected.mean(), WEEKS), 2)
        frames.append(pd.DataFrame({"date": dates, "geo": geo, **spend, "promo": promo,
                                    "sales": sales}))
        media_by_geo[geo], spend_by_geo[geo] = media, spend
    frame = pd.concat(frames, ignore_index=True)
    media = pd.concat(media_by_geo.values(), ignore_index=True)
    spend = pd.concat(spend_by_geo.values(), ignore_index=True)
    truth = _truth(media, spend, GEO_CHANNELS, frame["date"], frame["sales"].to_numpy())
    truth["geos"] = GEOS
    truth["contribution_by_geo"] = {
        geo: {name: float(m[name].sum()) for name in GEO_CHANNELS}
        for geo, m in media_by_geo.items()
    }
    return frame, truth


def _truth(media: pd.DataFrame, spend: pd.DataFrame, channels: dict[str, ChannelTruth],
           dates, sales: np.ndarray) -> dict:
    contribution = {name: float(media[name].sum()) for name in channels}
    total_media = sum(contribution.values())
    return {
        "description": "True parameters and contributions the data was generated with. "
                       "alpha, lam: normalized geometric adstock (l_max weeks) and logistic "
                       "saturation applied to spend divided by the channel's maximum spend "
                       "(per geo for geo data); contributions in target units.",
        "l_max": L_MAX,
        "channels": {
            name: {"alpha": c.alpha, "lam": c.lam, "roas": float(contribution[name] /
                                                                 spend[name].sum()),
                   "contribution": contribution[name], "spend": float(spend[name].sum()),
                   "share": contribution[name] / total_media}
            for name, c in channels.items()
        },
        "total_media_contribution": total_media,
        "total_sales": float(np.sum(sales)),
    }


def write_bundled(folder: Path = HERE) -> None:
    """Regenerate the bundled CSV and truth files."""
    for name, maker in (("weekly_sales", make_weekly_sales), ("geo_sales", make_geo_sales)):
        frame, truth = maker()
        frame.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d")
        (folder / f"{name}.truth.json").write_text(json.dumps(truth, indent=1) + "\n")


if __name__ == "__main__":
    write_bundled()
