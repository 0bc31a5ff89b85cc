"""Fit to convergence: the targets, the check in the fit cell, and the schedule.

A fit "until converged" samples, checks every free parameter against the targets
(r-hat <= :data:`~mmm_widgets.steps.diagnostics.R_HAT_TARGET`, bulk and tail ESS >=
:data:`ESS_TARGET`, with arviz) and goes on until they hold or the time budget runs out.

With nutpie, an *attempt* is one run of the sampler: it is asked for up to
:data:`MAX_DRAWS` draws and :class:`ConvergenceWatch` checks the targets on the first
``draws`` of every chain at a schedule of checks (:func:`next_check`), drawing on from
the adapted state in between; at the first check where they hold it stops the chains
and the fit keeps those first draws. nutpie's draws do not depend on how many are asked
for, so ``mmm.fit(..., draws=<the draws kept>)`` with the same seed gives the very same
posterior: that is the exported cell. A new attempt (more tuning, the same seed, the
compiled model reused) starts only when the chains still clearly disagree after the
draws have doubled. PyMC's sampler cannot stop at a check, so with it every attempt
runs to its draws and the next one has more (:func:`next_settings`).

The schedule follows from the convergence tables alone, so the same tables give the
same schedule on every machine; the time budget only decides where it ends.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.steps.base import Params
from mmm_widgets.steps.diagnostics import (
    CONVERGENCE_CALL,
    CONVERGENCE_OPTIONS,
    FREE_PARAMETERS_LINE,
    R_HAT_TARGET,
)

#: Bulk and tail effective sample size every free parameter needs.
ESS_TARGET = 400
#: Caps of the schedule, per chain (a posterior keeps every draw of every date in memory).
MAX_DRAWS = 20_000
MAX_TUNE = 5_000
#: Why a fit to convergence ended after an attempt ("extended": another attempt followed).
OUTCOMES = ("extended", "converged", "time_budget", "max_attempts", "max_draws")
#: Within an attempt, the chains "clearly disagree" above this r-hat (a new attempt with
#: more tuning follows once the draws have doubled); below it, more draws settle r-hat.
R_HAT_RETUNE = 1.05


@dataclass(frozen=True)
class FitAttempt(Params):
    """One attempt of a fit to convergence, as its convergence table judged it.

    Parameters
    ----------
    draws, tune : int
        Draws and tuning steps per chain of the attempt.
    seconds : float
        Wall time of the attempt (model build, compile and sampling).
    sampling_seconds : float
        Its sampling time alone (what a longer attempt scales).
    converged : bool
        Every free parameter met the targets.
    worst : str
        The parameter value furthest from a target (or closest to one, when converged),
        e.g. ``"saturation_lam[tv]"``.
    r_hat, ess_bulk, ess_tail : float
        That parameter's r-hat, bulk ESS and tail ESS.
    held_back : int
        How many parameter values missed a target.
    outcome : str
        What followed: ``"extended"`` (another attempt), ``"converged"``,
        ``"time_budget"`` (the next check or attempt would not fit in the budget),
        ``"max_attempts"`` or ``"max_draws"`` (the schedule's caps).
    checks : tuple of int
        With nutpie: the draws per chain at which the targets were checked while the
        chains ran, the last being ``draws`` (empty for PyMC's sampler).
    """

    draws: int
    tune: int
    seconds: float
    sampling_seconds: float
    converged: bool
    worst: str
    r_hat: float
    ess_bulk: float
    ess_tail: float
    held_back: int
    outcome: str = "extended"
    checks: tuple[int, ...] = ()


def convergence_lines() -> list[str]:
    """The fit cell's check: ``convergence`` per parameter value, ``held_back``, ``converged``."""
    target, ess = literal(R_HAT_TARGET), literal(ESS_TARGET)
    return [
        f"# Converged when every free parameter has r-hat <= {R_HAT_TARGET} and bulk and "
        f"tail ESS >= {ESS_TARGET}",
        FREE_PARAMETERS_LINE,
        f"convergence = {CONVERGENCE_CALL}",
        f"held_back = convergence[~((convergence['r_hat'] <= {target}) "
        f"& (convergence['ess_bulk'] >= {ess}) & (convergence['ess_tail'] >= {ess}))]",
        "converged = held_back.empty",
    ]


def shortfall(table: pd.DataFrame) -> pd.Series:
    """How far each parameter value is from the targets: above 1 misses one.

    The larger of r-hat's excess over 1 relative to the target's (1.02 gives 2) and the
    ESS target over the smaller of bulk and tail ESS (200 gives 2); a missing r-hat or ESS
    counts as infinitely far.
    """
    r_hat = (table["r_hat"].astype(float).fillna(np.inf) - 1) / (R_HAT_TARGET - 1)
    ess = table[["ess_bulk", "ess_tail"]].astype(float).min(axis=1, skipna=False)
    ess_ratio = (ESS_TARGET / ess.where(ess > 0)).fillna(np.inf)
    return np.maximum(r_hat, ess_ratio)


def misses(table: pd.DataFrame) -> pd.Series:
    """Whether each parameter value misses a target, as the fit cell's ``held_back`` says."""
    return ~((table["r_hat"] <= R_HAT_TARGET) & (table["ess_bulk"] >= ESS_TARGET)
             & (table["ess_tail"] >= ESS_TARGET))


def held_back(table: pd.DataFrame) -> pd.DataFrame:
    """The parameter values that miss a target, furthest first (r_hat, ess_bulk, ess_tail)."""
    missing = misses(table)
    order = shortfall(table)[missing].sort_values(ascending=False, kind="stable").index
    return table.loc[order, ["r_hat", "ess_bulk", "ess_tail"]]


def judge_attempt(draws: int, tune: int, seconds: float, sampling_seconds: float,
                  table: pd.DataFrame, converged: bool,
                  checks: Sequence[int] = ()) -> FitAttempt:
    """Record an attempt from the convergence table its cell computed."""
    far = shortfall(table)
    worst = str(far.idxmax())
    row = table.loc[worst]
    return FitAttempt(draws=int(draws), tune=int(tune), seconds=float(seconds),
                      sampling_seconds=float(sampling_seconds), converged=bool(converged),
                      worst=worst, r_hat=float(row["r_hat"]), ess_bulk=float(row["ess_bulk"]),
                      ess_tail=float(row["ess_tail"]), held_back=int(misses(table).sum()),
                      outcome="converged" if converged else "extended",
                      checks=tuple(int(c) for c in checks))


def next_settings(draws: int, tune: int, table: pd.DataFrame) -> tuple[int, int] | None:
    """The next attempt's draws and tuning per chain, from this attempt's table; None at the caps.

    ESS grows about in proportion to the draws, so the draws grow by 1.25 times what the
    smallest ESS lacks, at least 1.5 and at most 4 times, rounded up to 100. When some
    r-hat misses its target the chains disagree, which more tuning helps most: the
    tuning doubles (at least 200) and the draws at least double. Deterministic: the same
    table gives the same schedule on every machine.
    """
    new_draws, disagree = _grown(draws, table, lacking=1.25, least=(1.5, 2.0), most=4.0)
    new_tune = retuned(tune) if disagree else tune
    if new_draws <= draws and new_tune <= tune:
        return None
    return new_draws, max(new_tune, tune)


def next_check(draws: int, table: pd.DataFrame) -> int | None:
    """Draws per chain at which to check again, from the table at ``draws``; None at the cap.

    ESS grows about in proportion to the draws, so the next check is at 1.1 times what
    the smallest ESS lacks, at least 1.25 times the draws (1.5 when some r-hat misses) and
    at most 3 times, rounded up to 100 and at most :data:`MAX_DRAWS`.
    """
    if draws >= MAX_DRAWS:
        return None
    return _grown(draws, table, lacking=1.1, least=(1.25, 1.5), most=3.0)[0]


def _grown(draws: int, table: pd.DataFrame, lacking: float, least: tuple[float, float],
           most: float) -> tuple[int, bool]:
    """``draws`` grown by ``lacking`` times what the smallest ESS lacks; whether r-hat misses.

    The factor is at least ``least[0]`` (``least[1]`` when some r-hat misses its target)
    and at most ``most`` (also when an ESS is missing or zero); the draws are rounded up
    to 100 and at most :data:`MAX_DRAWS`.
    """
    ess = table[["ess_bulk", "ess_tail"]].astype(float).min(axis=1)
    smallest = float(ess.min()) if ess.notna().any() else 0.0
    disagree = not bool((table["r_hat"].astype(float) <= R_HAT_TARGET).all())
    factor = most if smallest <= 0 else lacking * ESS_TARGET / smallest
    factor = min(most, max(least[1] if disagree else least[0], factor))
    return min(MAX_DRAWS, math.ceil(draws * factor / 100) * 100), disagree


def retuned(tune: int) -> int:
    """Tuning steps of a new attempt after chains that disagreed: doubled, at least 200."""
    return min(MAX_TUNE, max(2 * tune, 200))


class ConvergenceWatch:
    """Stops a running nutpie fit at the first check where the targets hold.

    Called by :meth:`~mmm_widgets.steps.monitor.FitMonitor.instrument` at every poll
    with the sampler and the draws finished per chain. When every chain has made
    ``tune`` plus the next check's draws, it reads the draws so far
    (``sampler.inspect()``), computes the fit cell's convergence table on the first
    ``draws`` of every chain and decides (:attr:`stop`):

    - ``"converged"``: every free parameter meets the targets; keep these draws.
    - ``"max_draws"``: the checks reached :data:`MAX_DRAWS`.
    - ``"retune"``: some r-hat is above :data:`R_HAT_RETUNE` although the draws have
      doubled since the first check: the chains disagree and a new attempt with more
      tuning should follow (only while ``may_retune``; otherwise ``"max_attempts"``).
    - ``"time_budget"``: at the sampling speed so far, the next check would come after
      ``deadline``.
    - otherwise it goes on to the next check (:func:`next_check`).

    Parameters
    ----------
    free_parameters : sequence of str
        The model's free random variables (the fit cell's ``free_parameters``).
    tune, first_check, chains : int
        The attempt's tuning steps, the draws per chain of its first check, its chains.
    deadline : float
        ``time.perf_counter()`` value by which the fit must end.
    may_retune : bool
        Whether another attempt is allowed.
    on_next_check : callable, optional
        Called with the total draws (all chains, tuning included) of the next check, to
        show progress against it.
    """

    def __init__(self, free_parameters: Sequence[str], tune: int, first_check: int,
                 chains: int, deadline: float, may_retune: bool,
                 on_next_check: Callable[[int], None] | None = None) -> None:
        self.free_parameters = list(free_parameters)
        self.tune, self.first_check, self.chains = tune, first_check, chains
        self.deadline, self.may_retune = deadline, may_retune
        self.on_next_check = on_next_check
        self.next = first_check
        self.checks: list[int] = []
        self.stop: str | None = None
        self._began: float | None = None

    def __call__(self, sampler: Any, finished: list[int]) -> int | None:
        """None to go on, or the draws per chain to keep (see the class docstring)."""
        now = time.perf_counter()
        if self._began is None:
            self._began = now
            self._announce()
        if self.stop is not None or not finished or min(finished) < self.tune + self.next:
            return None
        per_draw = (now - self._began) / max(1, min(finished))
        ahead = (self.tune - min(finished)) * per_draw
        return self._check(sampler.inspect()["posterior"].to_dataset(),
                           lambda following: now + ahead + following * per_draw)

    def finish(self, trace: Any) -> int | None:
        """The draws to keep when nutpie ended before a check stopped it (a fast model).

        The checks not yet made are made on the finished ``trace``, in order, so the
        draws kept are those of the first check where the targets hold, however fast
        the chains ran; None when every draw is kept.
        """
        posterior = trace["posterior"].to_dataset()
        while self.stop is None and posterior.sizes["draw"] >= self.next:
            kept = self._check(posterior, None)
            if kept is not None:
                return kept
        return None

    def _check(self, posterior: Any, ends_at: Callable[[int], float] | None) -> int | None:
        """Check the targets at the next check's draws; the draws to keep when it stops.

        ``ends_at`` gives, for the draws of the following check, when the chains would
        reach it (None: they already have).
        """
        draws = self.next
        table = convergence_table(posterior.isel(draw=slice(0, draws)), self.free_parameters)
        self.checks.append(draws)
        following = next_check(draws, table)
        r_hat = table["r_hat"].astype(float).fillna(math.inf)
        if not misses(table).any():
            self.stop = "converged"
        elif following is None:
            self.stop = "max_draws"
        elif draws >= 2 * self.first_check and float(r_hat.max()) > R_HAT_RETUNE:
            self.stop = "retune" if self.may_retune else "max_attempts"
        elif ends_at is not None and ends_at(following) > self.deadline:
            self.stop = "time_budget"
        if self.stop is not None:
            return draws
        self.next = following
        self._announce()
        return None

    def _announce(self) -> None:
        if self.on_next_check is not None:
            self.on_next_check((self.tune + self.next) * self.chains)


def convergence_table(posterior: Any, free_parameters: Sequence[str]) -> pd.DataFrame:
    """The fit cell's ``convergence`` table for a posterior dataset (chain, draw, ...)."""
    import arviz as az
    import xarray as xr

    return az.summary(xr.DataTree.from_dict({"posterior": posterior}),
                      var_names=list(free_parameters), **CONVERGENCE_OPTIONS)


def predicted_seconds(attempt: FitAttempt, draws: int, tune: int) -> float:
    """Sampling time of an attempt of ``draws`` and ``tune``, scaled from ``attempt``'s."""
    return attempt.sampling_seconds * (draws + tune) / max(1, attempt.draws + attempt.tune)


def message(attempts: tuple[FitAttempt, ...], chains: int, time_budget: float,
            max_attempts: int, table: pd.DataFrame | None = None) -> str:
    """What the fit to convergence reached, why it stopped and, short of it, what to change.

    Parameters
    ----------
    attempts : tuple of FitAttempt
        Every attempt, the one kept last.
    chains : int
        Chains of each attempt.
    time_budget, max_attempts : float, int
        The limits the fit ran with.
    table : pandas.DataFrame, optional
        The last attempt's convergence table (for the next settings it would have tried).
    """
    last = attempts[-1]
    spent = sum(a.seconds for a in attempts)
    tries = f"{len(attempts)} attempt{'s' if len(attempts) > 1 else ''}"
    what = (f"{chains} chains x {last.draws:,} draws after {last.tune:,} tuning steps")
    numbers = (f"{last.worst} (r-hat {last.r_hat:.3f}, bulk ESS {last.ess_bulk:.0f}, tail ESS "
               f"{last.ess_tail:.0f})")
    targets = f"r-hat <= {R_HAT_TARGET} and bulk and tail ESS >= {ESS_TARGET}"
    if last.converged:
        return (f"Converged after {tries} ({spent:.0f} s): {what}. Every free parameter has "
                f"{targets}; the closest to a target is {numbers}.")
    following = next_settings(last.draws, last.tune, table) if table is not None else None
    held = f"{last.held_back} parameter value{'s' if last.held_back > 1 else ''}"
    text = (f"Not converged: after {tries} ({spent:.0f} s, the last {what}) {held} still "
            f"miss the targets ({targets}); the worst is {numbers}. ")
    if last.outcome == "time_budget":
        text += f"The time budget of {time_budget:.0f} s ran out"
        check = next_check(last.draws, table) if last.checks and table is not None else None
        if check is not None:
            following = (check, last.tune)
            more = predicted_seconds(last, *following) - last.sampling_seconds
            text += (f": drawing on to the next check ({check:,} draws per chain) would "
                     f"take about {more:.0f} s more")
        elif following is not None:
            more = predicted_seconds(last, *following)
            text += (f": the next attempt ({following[0]:,} draws after {following[1]:,} "
                     f"tuning steps) would take about {more:.0f} s more")
        if following is not None:
            fix = (f"raise time_budget to about {60 * math.ceil((spent + more) / 60):.0f}, or "
                   f"start there with draws={following[0]}, tune={following[1]}")
        else:
            fix = "raise time_budget"
        text += ". "
    elif last.outcome == "max_attempts":
        text += f"All {max_attempts} attempt{'s' if max_attempts > 1 else ''} allowed were used. "
        fix = f"raise max_attempts (e.g. max_attempts={max_attempts + 2})"
        if following is not None:
            fix += f", or start with draws={following[0]}, tune={following[1]}"
    else:
        text += (f"The draws reached the schedule's cap ({MAX_DRAWS:,} per chain, "
                 f"{MAX_TUNE:,} tuning steps). ")
        fix = "simplify the model (fewer channels or parameters) or tighten its priors"
    if not last.r_hat <= R_HAT_TARGET:
        fix += (f"; the chains disagree on {last.worst}: more tuning, target_accept=0.95 or "
                "tighter priors on it help more than draws")
    return text + f"What to change: {fix}."


def comment_lines(attempts: tuple[FitAttempt, ...], chains: int, time_budget: float) -> list[str]:
    """Comments of the exported fit cell saying how its settings were reached."""
    if not attempts:
        return [f"# Fit to convergence: the kit checks the targets below at growing draws "
                f"from these settings until they hold or {time_budget:.0f} s have passed, "
                "then exports the draws it reached"]
    lines = [f"# Fit to convergence (time budget {time_budget:.0f} s): {len(attempts)} "
             f"attempt(s) of {chains} chains with the same seed; this cell is the last one, "
             "run once"]
    for number, attempt in enumerate(attempts, 1):
        verdict = "met the targets" if attempt.converged else (
            f"{attempt.held_back} short, worst {_printable(attempt.worst)}")
        checked = (f", checked at {', '.join(str(c) for c in attempt.checks)} draws while "
                   "the chains ran on" if len(attempt.checks) > 1 else "")
        lines.append(f"#   {number}. {attempt.draws} draws after {attempt.tune} tuning"
                     f"{checked}: {verdict} (r-hat {attempt.r_hat:.3f}, bulk ESS "
                     f"{attempt.ess_bulk:.0f}, tail ESS {attempt.ess_tail:.0f}); "
                     f"{attempt.seconds:.0f} s")
    if attempts[-1].checks:
        lines.append("# nutpie's draws do not depend on how many are asked for: the first "
                     f"{attempts[-1].draws} draws of each chain of the attempt are the draws "
                     "of this cell")
    return lines


def attempts_frame(attempts: tuple[FitAttempt, ...]) -> pd.DataFrame:
    """The attempts as a table, one row each from 1."""
    frame = pd.DataFrame([a.to_dict() for a in attempts])
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="attempt")
    return frame


def _printable(text: Any) -> str:
    """``text`` safe inside a one-line comment (no line breaks or control characters)."""
    return "".join(c if c.isprintable() else "?" for c in str(text))
