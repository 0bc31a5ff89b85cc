"""Multi-touch attribution in plain pandas/numpy, copied verbatim into the exported cell.

The attribution step puts the source of the functions below into its code cell and runs
that cell, so the exported notebook recomputes every number without mmm-widgets. They
follow :mod:`mmm_widgets.mta` (which validates the input first and stays the reference
implementation; tests check both agree) but are short: no input checks, event tables
only, and credit per channel label as a Series.

This module must import nothing but numpy and pandas at its top, and every function must
run when its source is executed on its own (the cell defines ``np`` and ``pd``);
:func:`logistic_credit` imports scikit-learn inside itself.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def cut_journeys(events, user, time, channel, conversion, value=None, lookback=None,
                 grouping=None):
    """Cut a touch table into journeys: a user's touches in time order, up to a conversion.

    Touches after a user's conversion start the next journey; touches after the last
    conversion form a journey that did not convert. Ties in time keep table order.

    Returns
    -------
    touches : pandas.DataFrame
        ``journey``, ``channel``, ``age`` (time before the journey's last touch: seconds
        for dates, the time column's unit for numbers), ``position`` and ``length``.
    journeys : pandas.DataFrame
        Per journey: ``conversions`` (1 or 0) and, with ``value``, ``value``.
    """
    times = events[time]
    dates = not (pd.api.types.is_numeric_dtype(times) and not pd.api.types.is_bool_dtype(times))
    # Times become naive UTC, so tables mixing time zones still sort and subtract.
    clock = pd.to_datetime(times, utc=True).dt.tz_localize(None) if dates \
        else times.astype("float64")
    flags = events[conversion]
    if not (pd.api.types.is_bool_dtype(flags) or pd.api.types.is_numeric_dtype(flags)):
        flags = flags.astype(str).str.strip().str.lower().isin(["true", "t", "yes", "y", "1",
                                                                "1.0"])
    labels = events[channel].astype(str).str.strip()
    if grouping:
        labels = labels.map(lambda label: grouping.get(label, label))
    touches = pd.DataFrame({
        "user": pd.factorize(events[user])[0],
        "clock": clock.to_numpy(),
        "channel": labels.to_numpy(),
        "converted": flags.astype(bool).to_numpy(),
    })
    if value is not None:
        touches["value"] = pd.to_numeric(events[value], errors="coerce").fillna(0.0).to_numpy()
    touches = touches.sort_values(["user", "clock"], kind="stable", ignore_index=True)
    # A journey ends at a conversion or at the user's last touch.
    ends = touches["converted"] | touches["user"].ne(touches["user"].shift(-1))
    touches["journey"] = ends.shift(fill_value=False).cumsum()
    age = touches.groupby("journey")["clock"].transform("last") - touches["clock"]
    touches["age"] = age.dt.total_seconds() if dates else age
    last = touches[ends]
    journeys = pd.DataFrame({"conversions": last["converted"].astype("float64").to_numpy()})
    if value is not None:
        journeys["value"] = last["value"].where(last["converted"], 0.0).to_numpy()
    if lookback is not None:
        # A journey's last touch has age 0, so every journey keeps at least that touch.
        window = pd.Timedelta(lookback).total_seconds() if isinstance(lookback, str) \
            else float(lookback)
        touches = touches[touches["age"] <= window]
    touches = touches[["journey", "channel", "age"]].reset_index(drop=True)
    touches["position"] = touches.groupby("journey").cumcount()
    touches["length"] = touches.groupby("journey")["journey"].transform("size")
    return touches, journeys


def rule_credit(touches, weights, rule, half_life=None, direct_channel=None, shares=None):
    """Credit per channel under a rule: each touch's share of its journey times its weight.

    ``rule`` is ``first_touch``, ``last_touch``, ``last_non_direct`` (the last touch that
    is not ``direct_channel``; all-direct journeys credit direct), ``linear`` (equal
    shares), ``time_decay`` (weight ``2 ** (-age / half_life)``, scaled to 1 per journey),
    ``position_based`` (40 % first, 40 % last, 20 % over the middle; 50/50 for two
    touches) or ``custom``: ``shares = (first, middle, last)``, the middle share split
    equally or, with ``half_life``, by ``2 ** (-age / half_life)``; two touches split the
    first and last shares in their proportion. ``weights`` holds what each journey hands
    out (conversions or value).
    """
    n = touches["length"]
    first = touches["position"].eq(0)
    last = touches["position"].eq(n - 1)
    if rule == "first_touch":
        share = first.astype("float64")
    elif rule == "last_touch":
        share = last.astype("float64")
    elif rule == "last_non_direct":
        row = pd.Series(np.arange(len(touches)), index=touches.index)
        latest = row.where(touches["channel"].ne(direct_channel)).groupby(
            touches["journey"]).transform("max")
        share = (row.eq(latest) | (latest.isna() & last)).astype("float64")
    elif rule == "linear":
        share = 1.0 / n
    elif rule == "time_decay":
        span = pd.Timedelta(half_life).total_seconds() if isinstance(half_life, str) \
            else float(half_life)
        raw = np.exp2(-touches["age"] / span)
        share = raw / raw.groupby(touches["journey"]).transform("sum")
    elif rule == "position_based":
        ends = np.where(n == 2, 0.5, 0.4)
        middle = 0.2 / np.maximum(n - 2, 1)
        share = pd.Series(np.where(n == 1, 1.0, np.where(first | last, ends, middle)),
                          index=touches.index)
    elif rule == "custom":
        first_share, middle_share, last_share = shares
        inner = ~first & ~last
        raw = inner.astype("float64")
        if half_life is not None:
            span = pd.Timedelta(half_life).total_seconds() if isinstance(half_life, str) \
                else float(half_life)
            raw = np.exp2(-touches["age"] / span).where(inner, 0.0)
        total = raw.groupby(touches["journey"]).transform("sum")
        share = (middle_share * raw / total.where(total > 0, 1.0) + first_share * first
                 + last_share * last)
        ends = first_share + last_share
        two_first = first_share / ends if ends > 0 else 0.5
        share = np.where(n == 2, np.where(first, two_first, 1.0 - two_first), share)
        share = pd.Series(np.where(n == 1, 1.0, share), index=touches.index)
    else:
        raise ValueError(f"unknown rule {rule!r}")
    credit = share * weights.to_numpy()[touches["journey"].to_numpy()]
    return credit.groupby(touches["channel"]).sum()


def markov_credit(touches, journeys, weights):
    """Credit per channel in proportion to its removal effect in a first-order Markov chain.

    States are the channels, start, conversion and null; the removal effect of a channel
    is ``1 - P(conversion without it) / P(conversion)``, solved exactly from the
    fundamental matrix ``N = (I - Q)^-1`` of the chain (no simulation).
    """
    labels = sorted(touches["channel"].unique())
    k = len(labels)
    start, conversion, null, size = k, k + 1, k + 2, k + 3
    code = pd.Categorical(touches["channel"], categories=labels).codes.astype(np.int64)
    journey = touches["journey"].to_numpy()
    same = journey[1:] == journey[:-1]
    first, last = np.r_[True, ~same], np.r_[~same, True]
    converted = journeys["conversions"].to_numpy()[journey[last]]
    cells = np.concatenate((code[:-1][same] * size + code[1:][same], start * size + code[first],
                            code[last] * size + conversion, code[last] * size + null))
    counts = np.concatenate((np.ones(same.sum()), np.ones(first.sum()), converted,
                             1.0 - converted))
    counts = np.bincount(cells, weights=counts, minlength=size * size).reshape(size, size)
    out = counts.sum(axis=1, keepdims=True)
    p = np.divide(counts, out, out=np.zeros_like(counts), where=out > 0)
    fundamental = np.linalg.inv(np.eye(k + 1) - p[:k + 1, :k + 1])
    convert_from = fundamental @ p[:k + 1, conversion]
    reach = fundamental[start, :k] / np.diag(fundamental)[:k]
    effect = np.clip(reach * convert_from[:k] / convert_from[start], 0.0, 1.0)
    return pd.Series(effect / effect.sum() * weights.sum(), index=labels)


def shapley_credit(touches, weights):
    """Data-driven Shapley credit: coalition worth is the conversion rate of its journeys.

    A set of channels is worth the conversions (or value) per journey of the journeys
    whose distinct channels are exactly that set, converting or not; the empty set is
    worth 0 and a set no journey has takes the worth of its largest seen subset (the
    one with most journeys, then lowest codes, among equally large ones). Shapley
    values are enumerated exactly over all sets (at most 15 channels), negative ones
    set to 0, and scaled to add up to the total.
    """
    labels = sorted(touches["channel"].unique())
    n = len(labels)
    if n > 15:
        raise ValueError(f"Shapley enumerates 2 ** {n} sets of channels; group them to 15")
    code = pd.Categorical(touches["channel"], categories=labels).codes.astype(np.int64)
    journey = touches["journey"].to_numpy()
    starts = np.flatnonzero(np.r_[True, journey[1:] != journey[:-1]])
    masks = np.bitwise_or.reduceat(np.left_shift(np.int64(1), code), starts)
    paid = weights.to_numpy()[journey[starts]]
    size = 1 << n
    seen_journeys = np.bincount(masks, minlength=size).astype("float64")
    seen = seen_journeys > 0
    rate = np.divide(np.bincount(masks, weights=paid, minlength=size), seen_journeys,
                     out=np.zeros(size), where=seen)
    sets = np.arange(size)
    members = np.array([bin(s).count("1") for s in range(size)])
    source = np.where(seen, sets, -1)
    source[0] = -1
    for level in range(2, n + 1):
        unseen = sets[(members == level) & ~seen]
        chosen = np.full(len(unseen), -1)
        for player in range(n):
            bit = 1 << player
            candidate = np.where(unseen & bit, source[unseen & ~bit], -1)
            a, b = np.where(candidate >= 0, candidate, 0), np.where(chosen >= 0, chosen, 0)
            better = (candidate >= 0) & ((chosen < 0) | (members[a] > members[b]) | (
                (members[a] == members[b]) & ((seen_journeys[a] > seen_journeys[b]) | (
                    (seen_journeys[a] == seen_journeys[b]) & (a < b)))))
            chosen = np.where(better, candidate, chosen)
        source[unseen] = chosen
    worth = np.where(source >= 0, rate[source], 0.0)
    factor = np.array([np.prod(np.arange(1, s + 1)) * np.prod(np.arange(1, n - s))
                       for s in range(n)]) / np.prod(np.arange(1, n + 1))
    phi = np.zeros(n)
    for player in range(n):
        bit = 1 << player
        without = sets[(sets & bit) == 0]
        phi[player] = np.sum(factor[members[without]] * (worth[without | bit] - worth[without]))
    phi = np.clip(phi, 0.0, None)
    scale = weights.sum() / phi.sum() if phi.sum() > 0 else 0.0
    return pd.Series(phi * scale, index=labels)


def logistic_credit(touches, journeys, weights, n_models=50, seed=0):
    """Influenced credit from a journey-level bagged logistic regression (Shao and Li 2011).

    Each journey, converting or not, is a row: per channel, whether it was touched and
    how many times. ``n_models`` scikit-learn logistic regressions (L2, C=1) are fitted on
    seeded Bayesian-bootstrap weights (journeys with equal features share one row with a
    Gamma weight), and ``p(x)`` is their mean prediction. Each conversion (or its value)
    is split over its channels in proportion to the drop ``p(x) - p(x without the
    channel)``, negative drops counted as 0; all-zero drops split it equally.
    """
    from sklearn.linear_model import LogisticRegression

    labels = sorted(touches["channel"].unique())
    k = len(labels)
    code = pd.Categorical(touches["channel"], categories=labels).codes.astype(np.int64)
    n = len(journeys)
    counts = np.bincount(touches["journey"].to_numpy() * k + code, minlength=n * k)
    counts = counts.reshape(n, k).astype(np.float64)
    rows, inverse = np.unique(np.hstack(((counts > 0).astype(np.float64), counts)), axis=0,
                              return_inverse=True)
    inverse = inverse.ravel()
    converted = journeys["conversions"].to_numpy()
    yes = np.bincount(inverse, weights=converted, minlength=len(rows))
    no = np.bincount(inverse, weights=1.0 - converted, minlength=len(rows))
    amount = np.concatenate((no, yes))
    keep = amount > 0
    design = np.vstack((rows, rows))[keep]
    target = np.concatenate((np.zeros(len(rows)), np.ones(len(rows))))[keep]
    rng = np.random.default_rng(seed)
    probability = np.zeros(len(rows))
    without = np.zeros((len(rows), k))
    for _ in range(n_models):
        model = LogisticRegression(C=1.0, max_iter=1000)
        model.fit(design, target, sample_weight=rng.gamma(amount[keep]))
        coef = model.coef_[0]
        logit = rows @ coef + model.intercept_[0]
        probability += 1.0 / (1.0 + np.exp(-logit)) / n_models
        removed = logit[:, None] - rows[:, :k] * coef[:k] - rows[:, k:] * coef[k:]
        without += 1.0 / (1.0 + np.exp(-removed)) / n_models
    touched = rows[:, :k] > 0
    drop = np.where(touched, np.clip(probability[:, None] - without, 0.0, None), 0.0)
    total = drop.sum(axis=1, keepdims=True)
    share = np.where(total > 0, drop / np.where(total > 0, total, 1.0),
                     touched / touched.sum(axis=1, keepdims=True))
    paid = np.bincount(inverse, weights=weights.to_numpy(), minlength=len(rows))
    return pd.Series(paid @ share, index=labels)


#: Which function of this module computes each model.
FUNCTIONS: dict[str, str] = {
    "first_touch": "rule_credit", "last_touch": "rule_credit", "last_non_direct": "rule_credit",
    "linear": "rule_credit", "time_decay": "rule_credit", "position_based": "rule_credit",
    "markov": "markov_credit", "shapley": "shapley_credit", "logistic": "logistic_credit",
}
