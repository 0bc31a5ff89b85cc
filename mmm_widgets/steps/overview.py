"""The overview: what media drove, what it cost and, given a margin, what it earned.

The exported cell computes from the fitted ``mmm``, per channel and over all channels,
the incremental contribution, the spend, ROAS, cost per incremental unit of the target and
shares; the spend and media contribution of every period; on a national model, each
channel's marginal ROAS at its current spend; and, with a margin, profit and profit ROI
and the spend per period where marginal profit turns negative. Contribution,
ROAS, cost per unit, share and profit count carryover: they start from the fit cell's
``contribution`` (what the spend in the fitted period adds, its adstock carryover after
the last fitted date included; see :func:`mmm_widgets.steps.fit.summary_lines`), so they
agree with :meth:`Workflow.channel_summary`. ``share_of_target`` is the share of the
target on the fitted dates, from the contribution landing on those dates. Every derived
number is computed in each posterior draw; the table holds its posterior mean and the HDI
of its draws (a ratio's interval is never a ratio of interval bounds). The marginal ROAS
and the break-even spend come from the budget step's response curves
(:func:`mmm_widgets.steps.budget.response_curve_lines`): the steady state of a spend
repeated every period, so they count carryover too. The marginal ROAS is each draw's
slope at the run-rate (the recent spend per period). The break-even spend is where the
mean slope falls below ``1 / margin`` (:func:`mmm_widgets.steps.budget.threshold_lines`):
marginal profit ``margin * marginal ROAS - 1`` is negative exactly there.

The diagnostics verdict and the best budget scenario are not computed here: the overview
shows those steps' results when they were run (see :func:`compose`).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mmm_widgets import settings
from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.engine.reuse import BoundPart, bind_part
from mmm_widgets.engine.runner import Runner, commit
from mmm_widgets.errors import DataError, StepOrderError, problem
from mmm_widgets.steps.base import Params, Step
from mmm_widgets.steps.budget import (
    TOTAL_ROW,
    read_curves,
    response_curve_lines,
    spend_lines,
    threshold_lines,
)
from mmm_widgets.steps.data import DataResult

CHANNEL_COLUMNS = ("spend", "contribution", "contribution_hdi_low", "contribution_hdi_high",
                   "roas", "roas_hdi_low", "roas_hdi_high", "cost_per_unit",
                   "cost_per_unit_hdi_low", "cost_per_unit_hdi_high", "share", "share_hdi_low",
                   "share_hdi_high", "share_of_target", "share_of_target_hdi_low",
                   "share_of_target_hdi_high")
#: A national model's marginal ROAS at the current spend (the slope of each draw's
#: steady-state response curve at the run-rate; the total row has none).
MARGINAL_COLUMNS = ("current_marginal_roas", "current_marginal_roas_hdi_low",
                    "current_marginal_roas_hdi_high")
PROFIT_COLUMNS = ("margin", "profit", "profit_hdi_low", "profit_hdi_high", "profit_roi",
                  "profit_roi_hdi_low", "profit_roi_hdi_high", "breakeven_spend",
                  "current_spend")
TREND_COLUMNS = ("date", "channel", "spend", "contribution")
NOT_RUN = "not run yet"
OUT_OF_DATE = "out of date"
IMPORTS = ("import arviz as az", "import numpy as np", "import pandas as pd",
           "import xarray as xr")


@dataclass(frozen=True)
class OverviewParams(Params):
    """Parameters of the overview step.

    Parameters
    ----------
    margin : float, dict or None
        Profit per unit of the target: one number for every channel (e.g. ``0.3`` when
        the target is revenue and 30 % of it is profit), or channel -> its margin. None
        leaves out the profit columns.
    hdi_prob : float
        Probability mass of the credible intervals.
    run_rate_periods : int
        Recent periods averaged for the current spend per period (where the marginal
        ROAS is read, and next to the break-even spend).
    points : int
        Points per response curve behind the marginal ROAS and the break-even spend.
    """

    margin: float | dict[str, float] | None = None
    hdi_prob: float = field(default_factory=settings.interval)
    run_rate_periods: int = 13
    points: int = 100


@dataclass
class OverviewResult:
    """What the overview's code produced.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by channel plus a last row ``"all channels"``: :data:`CHANNEL_COLUMNS`,
        :data:`MARGINAL_COLUMNS` on a national model, and :data:`PROFIT_COLUMNS` when
        there is a margin.
    trend : pandas.DataFrame
        :data:`TREND_COLUMNS`: spend and posterior-mean contribution per date and channel.
    notes : list of str
        What the numbers leave out (break-even spend beyond the curves, geo models).
    """

    table: pd.DataFrame
    trend: pd.DataFrame
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BestScenario:
    """The budget scenario with the highest expected contribution.

    Attributes
    ----------
    name : str
        ``"current"``, ``"optimized"`` or one of yours.
    total_spend, expected_outcome, outcome_hdi_low, outcome_hdi_high, roas : float
        As in :meth:`Scenarios.compare` (spend over the horizon; outcome: the media
        contribution the plan adds over the horizon and its carry-over tail).
    prob_beats_current : float
        Posterior probability that it beats the current plan.
    periods : int
        The horizon.
    allocation : dict
        Channel -> spend over the horizon.
    """

    name: str
    total_spend: float
    expected_outcome: float
    outcome_hdi_low: float
    outcome_hdi_high: float
    roas: float
    prob_beats_current: float
    periods: int
    allocation: dict[str, float]


@dataclass
class Overview:
    """One screen of results: channels, trend, profit, verdict and the best plan.

    Attributes
    ----------
    channels : pandas.DataFrame
        Indexed by channel: :data:`CHANNEL_COLUMNS` over the fitted period (spend and
        contribution in the data's units, contribution with carryover as in
        :meth:`Workflow.channel_summary`; ``roas`` = contribution / spend;
        ``cost_per_unit`` = spend / contribution,
        infinite in a draw where the contribution is not positive; ``share`` = contribution
        / total media contribution, as in :meth:`Workflow.channel_summary`;
        ``share_of_target`` = contribution landing on the fitted dates / the whole
        target there; each computed per posterior
        draw: its mean, and the HDI of its draws), and with a margin
        :data:`PROFIT_COLUMNS`: ``profit`` = contribution x margin - spend,
        ``profit_roi`` = profit / spend (HDIs from the posterior draws),
        ``breakeven_spend`` = spend per period where marginal profit turns negative
        (NaN when it stays positive up to twice the largest past spend) and
        ``current_spend`` = the recent spend per period.
    totals : pandas.Series
        The same over all channels (``contribution`` is the sum over channels, its
        interval that of the summed draws; ``share_of_target`` is the share of the
        target driven by media).
    trend : pandas.DataFrame
        ``date, channel, spend, contribution`` per period.
    margin : float, dict or None
        The margin used.
    hdi_prob : float
        Level of the intervals.
    target : str
        The target column (what contribution counts).
    verdict : str
        The diagnostics verdict, ``"ok"``, ``"warn"`` or ``"fail"``; ``"not run yet"``,
        or ``"out of date"`` when the fit changed after the diagnostics ran.
    messages : list of str
        The diagnostics' findings (or what to do when there is no verdict).
    best_scenario : BestScenario or None
        The budget scenario with the highest expected contribution, when the budget step
        is done.
    scenario_status : str
        ``"done"``, ``"not run yet"`` or ``"out of date"``.
    notes : list of str
        What the numbers leave out.
    """

    channels: pd.DataFrame
    totals: pd.Series
    trend: pd.DataFrame
    margin: float | dict[str, float] | None
    hdi_prob: float
    target: str
    verdict: str
    messages: list[str]
    best_scenario: BestScenario | None
    scenario_status: str
    notes: list[str]

    @property
    def table(self) -> pd.DataFrame:
        """:attr:`channels` with :attr:`totals` as a last row ``"all channels"``."""
        return pd.concat([self.channels, self.totals.to_frame().T]).rename_axis("channel")


class OverviewStep(Step):
    """Channel table, trend and (with a margin) profit of the fitted model.

    Parameters
    ----------
    params : OverviewParams
        The margin and settings.
    data : DataResult
        The data step's result (roles, table).
    curves_from : OverviewStep, optional
        The overview step this one replaces on the same fit, whose response curves it
        takes instead of drawing them again (see :meth:`run`); dropped once used.
    """

    kind = "overview"

    params: OverviewParams

    def __init__(self, params: OverviewParams, data: DataResult,
                 curves_from: OverviewStep | None = None):
        super().__init__(params)
        self.data = data
        self.curves_from = curves_from
        #: What the curve part of the code (:meth:`parts`) bound.
        self.curve_part: BoundPart | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        """The model's channels."""
        return tuple(self.data.roles.channels)

    @property
    def breakeven(self) -> bool:
        """Whether the cell computes the break-even spend (a margin, and no geo)."""
        return self.params.margin is not None and not self.data.roles.geo

    def validate(self, namespace: dict[str, Any]) -> None:
        """Check the margin and settings; raise :class:`DataError` listing every problem."""
        if "mmm" not in namespace:
            raise StepOrderError(problem("There is no fitted model.", "Fit the model first."))
        params, problems = self.params, []
        try:
            check_margin(params.margin, self.channels, self.data.roles.target)
        except DataError as error:
            problems += error.problems
        if TOTAL_ROW in self.channels:
            problems.append(problem(f"A channel is called {TOTAL_ROW!r}, the name of the "
                                    "overview's total row.", "Rename the channel column.",
                                    column=TOTAL_ROW))
        n_dates = self.data.periods
        if not isinstance(params.run_rate_periods, int) or \
                not 1 <= params.run_rate_periods <= n_dates:
            problems.append(problem(f"The run-rate must average 1 to {n_dates} past periods, "
                                    f"not {params.run_rate_periods!r}.", "Use e.g. 13."))
        if not isinstance(params.points, int) or params.points < 3:
            problems.append(problem("Response curves need at least 3 points.",
                                    "Use e.g. 100."))
        if not 0 < params.hdi_prob < 1:
            problems.append(problem("hdi_prob must be between 0 and 1.", "Use e.g. 0.94."))
        if problems:
            raise DataError(problems)

    def describe(self) -> str:
        """One line saying what the cell computes."""
        margin = self.params.margin
        target = self.data.roles.target
        what = (f"Overview: incremental {target}, ROAS and cost per unit by channel with "
                f"{self.params.hdi_prob:.0%} HDIs, spend and contribution per period")
        if margin is None:
            return what
        shown = f"a margin of {margin:g}" if not isinstance(margin, dict) else \
            "per-channel margins"
        return f"{what}; profit at {shown} and where marginal profit turns negative"

    def code(self) -> CodeChunk:
        """pandas / xarray / arviz code computing ``overview_table`` and ``overview_trend``."""
        return self._chunk([line for part in self.parts() if part is not None for line in part])

    def _chunk(self, lines: list[str]) -> CodeChunk:
        """The cell's comment, imports and title around ``lines`` (the cell or a part)."""
        return CodeChunk(comment=self.describe(), lines=tuple(lines), imports=IMPORTS,
                         title=self.title)

    def parts(self) -> tuple[list[str], list[str] | None, list[str]]:
        """The lines of :meth:`code` in three parts: before, the curves, after.

        The curves (national models only; None otherwise) are the response curves and
        each draw's marginal ROAS at the current spend. They read only the fitted model,
        so a new margin on the same fit reuses them (see :meth:`run`).
        """
        params = self.params
        before = [
            "overview_draws = mmm.data.get_channel_contributions(original_scale=True)",
            "overview_draws = overview_draws.sum([d for d in overview_draws.dims "
            "if d not in ('chain', 'draw', 'date', 'channel')])",
            "overview_spend = mmm.data.get_channel_spend()",
            "overview_spend = overview_spend.sum([d for d in overview_spend.dims "
            "if d not in ('date', 'channel')])",
            "overview_target = float(mmm.data.get_target().sum())",
            "# Spend and media contribution (posterior mean) of every period",
            "overview_trend = pd.DataFrame({",
            "    'spend': overview_spend.to_series(),",
            "    'contribution': overview_draws.mean(('chain', 'draw')).to_series(),",
            "}).reset_index()",
            "",
            "",
            "def overview_with_total(values):",
            f"    \"\"\"Values by channel, and their sum over channels as {TOTAL_ROW!r}.\"\"\"",
            f"    total = values.sum('channel').expand_dims(channel=[{literal(TOTAL_ROW)}])",
            "    return xr.concat([values, total], dim='channel')",
            "",
            "",
            "# Over the fitted period, per posterior draw. Contribution counts carryover, as in "
            "the fit",
            "# cell's channel summary: what the spend in the fitted period adds, its carryover "
            "after the",
            "# last fitted date included",
            "overview_contribution = contribution",
            "overview_total_spend = overview_with_total(overview_spend.sum('date'))",
            "overview_samples = xr.Dataset({'contribution': "
            "overview_with_total(overview_contribution)})",
            "overview_samples['roas'] = overview_samples['contribution'] / overview_total_spend",
            "# Share of the target on the fitted dates: the media contribution landing on them",
            "overview_samples['share_of_target'] = overview_with_total("
            "overview_draws.sum('date')) / overview_target",
            "# Cost of one incremental unit of the target (infinite where media added nothing)"
            " and share of",
            "# the media contribution, both per draw: a ratio's interval is not a ratio of "
            "interval bounds",
            "overview_samples['cost_per_unit'] = xr.where(overview_samples['contribution'] > 0,"
            " overview_total_spend / overview_samples['contribution'], np.inf)",
            "overview_samples['share'] = overview_samples['contribution'] / "
            f"overview_samples['contribution'].sel(channel={literal(TOTAL_ROW)})",
        ]
        curves = None if self.data.roles.geo else [
            "# Marginal ROAS at the current spend: one more unit of spend per period, repeated"
            " every",
            "# period, returns this much per period once its carryover has built up (the "
            "slope of the",
            "# steady-state response curve at the run-rate), per draw",
            *spend_lines(params.run_rate_periods),
            *response_curve_lines(params.points, params.hdi_prob),
            "overview_marginal_draws = np.stack([",
            "    [np.interp(run_rate[channel], spend, draw) for draw in slopes.T]",
            "    for channel, spend, slopes in zip(curve['channel'].to_numpy(), curve_spend, "
            "marginal_roas, strict=True)])",
            "overview_marginal_hdi = az.hdi(overview_marginal_draws, "
            f"prob={literal(float(params.hdi_prob))})",
            "overview_marginal = pd.DataFrame({",
            "    'current_marginal_roas': overview_marginal_draws.mean(axis=-1),",
            "    'current_marginal_roas_hdi_low': overview_marginal_hdi[:, 0],",
            "    'current_marginal_roas_hdi_high': overview_marginal_hdi[:, 1],",
            "}, index=curve['channel'].to_index())",
        ]
        after: list[str] = []
        if params.margin is not None:
            after += [
                "# Profit: contribution x margin (profit per unit of the target) - spend",
                f"margin = {literal(params.margin)}",
                "overview_margin = xr.DataArray(pd.Series(margin, "
                "index=overview_contribution['channel'].to_index()))",
                "overview_samples['profit'] = overview_with_total("
                "overview_contribution * overview_margin - overview_spend.sum('date'))",
                "overview_samples['profit_roi'] = overview_samples['profit'] / "
                "overview_total_spend",
            ]
        after += [
            f"overview_hdi = az.hdi(overview_samples, prob={literal(float(params.hdi_prob))})",
            "overview_table = pd.DataFrame({'spend': overview_total_spend.to_series()})",
            "for name in overview_samples.data_vars:",
            "    overview_table[name] = overview_samples[name].mean(('chain', 'draw'))"
            ".to_series()",
            "    overview_table[name + '_hdi_low'] = overview_hdi[name].sel(ci_bound='lower')"
            ".to_series()",
            "    overview_table[name + '_hdi_high'] = overview_hdi[name].sel(ci_bound='upper')"
            ".to_series()",
        ]
        columns = list(CHANNEL_COLUMNS)
        if curves is not None:
            columns += list(MARGINAL_COLUMNS)
            after.append("overview_table = overview_table.join(overview_marginal)")
        if params.margin is not None:
            columns += list(PROFIT_COLUMNS)
            after.append("overview_table['margin'] = pd.Series(margin, "
                         "index=overview_contribution['channel'].to_index())")
            if self.breakeven:
                after += [
                    "# Marginal profit (margin x marginal ROAS - 1) turns negative where the "
                    "marginal ROAS",
                    "# falls below 1 / margin: the response curves with that threshold per "
                    "channel",
                    *threshold_lines(self._thresholds()),
                    "overview_table['breakeven_spend'] = pd.Series(threshold_spend)",
                    "overview_table['current_spend'] = run_rate",
                ]
            else:
                after += ["# Break-even spend per geo is not computed: response curves "
                          "cover national models",
                          "overview_table['breakeven_spend'] = float('nan')",
                          "overview_table['current_spend'] = float('nan')"]
        after += [f"overview_table = overview_table[{literal(columns)}]",
                  "overview_table.index.name = 'channel'"]
        return before, curves, after

    def run(self, namespace: dict[str, Any]) -> OverviewResult:
        """Run :meth:`code` part by part; the curves of :attr:`curves_from` when they fit.

        The curves read only the fitted model: when :attr:`curves_from` (the overview
        step this one replaces) ran the same curve lines on the same fitted model, the
        names they bound are taken from it rather than sampled again
        (:func:`~mmm_widgets.engine.reuse.bind_part`). The rest of the cell
        runs as exported, and running the whole exported cell gives the same numbers.
        (Sampling the curves is most of the cell's time: about 0.2 s of 0.3 s on the
        bundled table, paid once per fit rather than at every margin typed.)
        """
        self.validate(namespace)
        before, curves, after = self.parts()
        runner = Runner(self.translate)
        trial = runner.run([self._chunk(before)], namespace)
        # Not kept: each step would otherwise hold every overview before it.
        earlier, self.curves_from = self.curves_from, None
        if curves is not None:
            self.curve_part = bind_part(
                "\n".join(curves), trial,
                lambda names: names.update(runner.run([self._chunk(curves)], names)),
                earlier=earlier.curve_part if earlier is not None else None)
        trial = runner.run([self._chunk(after)], trial)
        result = self.read_results(trial)
        commit(namespace, trial)
        self.result = result
        return result

    def _thresholds(self) -> dict[str, float]:
        margin = self.params.margin
        margins = margin if isinstance(margin, dict) else dict.fromkeys(self.channels, margin)
        return {c: 1.0 / float(margins[c]) for c in self.channels}

    def read_results(self, namespace: dict[str, Any]) -> OverviewResult:
        """The channel table and trend, with the notes their numbers need."""
        table = namespace["overview_table"].astype(float)
        table.index = pd.Index([str(c) for c in table.index], name="channel")
        trend = namespace["overview_trend"][list(TREND_COLUMNS)].copy()
        trend["channel"] = trend["channel"].astype(str)
        notes = []
        if self.params.margin is not None and self.data.roles.geo:
            notes.append("The break-even spend is not computed for geo models; profit and "
                         "profit ROI are.")
        elif self.breakeven:
            limit = read_curves(namespace).attrs["threshold_spend"]
            beyond = [c for c in self.channels if math.isnan(limit[c])]
            losing = [c for c in self.channels if limit[c] == 0.0]
            if beyond:
                notes.append("Marginal profit stays positive up to twice the largest past "
                             f"spend per period for {', '.join(beyond)}: no break-even spend "
                             "on the curve.")
            if losing:
                notes.append(f"The first unit of spend already returns less than it costs "
                             f"at this margin for {', '.join(losing)}.")
        return OverviewResult(table=table, trend=trend, notes=notes)


# ----- margins ------------------------------------------------------------------------

def check_margin(margin: Any, channels: Sequence[str], target: str = "target"
                 ) -> float | dict[str, float] | None:
    """A margin as the overview stores it, or a :class:`DataError` saying what to fix.

    Parameters
    ----------
    margin : float, dict or None
        Profit per unit of the target: a positive number, or channel -> positive number
        with every channel given.
    channels : sequence of str
        The model's channels.
    target : str
        The target's name, for the messages.

    Returns
    -------
    float, dict or None
        A float, or a dict of floats in channel order.

    Raises
    ------
    DataError
        Listing every bad value (with its channel), unknown and missing channels.
    """
    if margin is None:
        return None
    fix = (f"Enter the profit per unit of {target}: e.g. 0.3 when 30 % of each unit of "
           f"{target} is profit (1.0 when {target} is already profit).")
    if isinstance(margin, Mapping):
        problems, out = [], {}
        for key, value in margin.items():
            name = str(key)
            if name not in channels:
                problems.append(problem(f"{name!r} is not a channel of the model.",
                                        f"Give margins for {', '.join(channels)}.",
                                        column=name))
                continue
            bad = _bad_number(value)
            if bad:
                problems.append(problem(f"The margin of {name!r} {bad}.", fix, column=name))
            else:
                out[name] = float(value)
        missing = [c for c in channels if c not in {str(k) for k in margin}]
        if missing:
            problems.append(problem(f"No margin for {', '.join(map(repr, missing))}.",
                                    "Give every channel a margin, or one number for all "
                                    "channels.", column=missing[0]))
        if problems:
            raise DataError(problems)
        return {c: out[c] for c in channels}
    bad = _bad_number(margin)
    if bad:
        raise DataError(problem(f"The margin {bad}.", fix))
    return float(margin)


def _bad_number(value: Any) -> str:
    """Why ``value`` is not a usable margin ('' when it is)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return f"must be a number, not {type(value).__name__} {value!r}"
    if not math.isfinite(float(value)) or float(value) <= 0:
        return f"must be a positive number, not {float(value):g}"
    return ""
