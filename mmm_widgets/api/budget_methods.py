"""Step 6 of the :class:`~mmm_widgets.workflow.Workflow` facade: response curves and budget."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mmm_widgets.engine.jobs import Job as FitJob  # workflow.FitJob, from below the facade
from mmm_widgets.engine.shown import Shown
from mmm_widgets.errors import ModelError, StepOrderError, problem


class BudgetMethods:
    """The budget methods of the :class:`~mmm_widgets.workflow.Workflow` facade.

    Part of the Workflow facade: a mixin with no state of its own that computes response
    curves (a number shown through :meth:`Workflow.show`) and forwards optimisation,
    scenarios and what-if to :mod:`mmm_widgets.api.budget`.
    """

    def response_curves(self, threshold: float = 1.0, points: int = 100) -> pd.DataFrame:
        """Steady-state response of each channel to a spend repeated every period.

        Parameters
        ----------
        threshold : float
            Marginal ROAS below which extra spend does not pay back (1.0: one unit of
            outcome per unit of spend).
        points : int
            Points per curve, from 0 to twice the channel's largest past spend per period.

        Returns
        -------
        pandas.DataFrame
            Tidy: ``channel, spend, response, response_hdi_low, response_hdi_high,
            marginal_roas`` (spend per period, response per period in target units, 94 %
            HDI). ``attrs``: ``current_spend`` (recent run-rate per period),
            ``threshold_spend`` (spend per period where the marginal ROAS falls below
            ``threshold``; NaN if it never does on the curve) and ``threshold``. On a geo
            model one curve per channel and geo (the geo column follows ``channel``; no
            curve where a channel never spent), spends in ``attrs`` keyed by
            ``(channel, geo)``.
        """
        from mmm_widgets.api.budget import budget_params
        from mmm_widgets.steps.budget import curves_chunk, read_curves
        from mmm_widgets.steps.budget.checks import curve_problems

        if problems := curve_problems(threshold, points):
            raise ModelError(problems)
        params = budget_params(self)
        if self.status("budget") == "done" and (params.threshold, params.points) == (
                float(threshold), points):
            return self.step("budget").result.curves.copy()
        if self.status("fit") != "done":
            raise StepOrderError(problem("The model is not fitted (or out of date).",
                                         "Fit the model first."))
        chunk = curves_chunk(params.run_rate_periods, float(threshold), int(points),
                             params.hdi_prob, self.data_result.roles.geo)
        return read_curves(self.show(Shown("response_curves", chunk, ("data", "model", "fit"))))

    def optimize_budget(self, total: float, periods: int,
                        bounds: dict[str, tuple[float, float]] | str | None = None,
                        objective: str = "mean", *, risk_level: float = 0.95,
                        held_split: list[str] | None = None, monitor=None) -> pd.DataFrame:
        """Allocate ``total`` over the next ``periods`` periods with pymc-marketing.

        Parameters
        ----------
        total : float
            Budget over the whole horizon (not per period).
        periods : int
            Future periods after the last observed date.
        bounds : dict or "none", optional
            Channel -> ``(lowest, highest)`` spend over the horizon. Channels left out
            (all of them by default) stay within 30 % of their current spend;
            ``"none"`` lets every channel get anything from 0 to ``total``. On a geo
            model the plan is per (channel, geo), the 30 % apply to each geo's own
            current spend, a channel's bounds are split over its geos in proportion to
            current spend, and ``(channel, geo)`` keys bound one geo.
        objective : {"mean", "cvar", "var"}
            Maximise the mean response, or a risk-aware utility at ``risk_level`` of
            the contribution the plan adds.
        risk_level : float
            Confidence level of ``"cvar"`` / ``"var"``.
        held_split : list of str, optional
            Geo models: channels bought nationally, whose split over the geos the plan
            keeps (each geo's share of current spend), so only their total moves. By
            default the channels the data shows bought nationally (each geo's share of
            the channel's spend the same on every date) unless bounded per geo; ``[]``
            holds none.
        monitor : BudgetMonitor, optional
            Receives progress; its ``cancel()`` discards the run.

        Returns
        -------
        pandas.DataFrame
            Indexed by channel: ``current, optimized, change_pct, expected_contribution,
            contribution_hdi_low, contribution_hdi_high`` (spend over the horizon;
            contribution the plan adds over the horizon and its carry-over tail). On a
            geo model indexed by channel and geo; a channel gets nothing in a geo where
            it never spent, and the totals per geo are in
            ``wf.step("budget").result.geo_totals``.

        Raises
        ------
        DataError
            Infeasible or invalid inputs, naming the channel and the fix; the previous
            result is kept.
        """
        from mmm_widgets.api.budget import optimize_budget

        return optimize_budget(self, total, periods, bounds, objective, risk_level, monitor,
                               held_split)

    def plan_budget(self, total: float | None = None, *, start: Any = None,
                    periods: int | None = None,
                    bounds: dict[str, tuple[float, float]] | str | None = None,
                    pattern: str | list[float] = "even", target: dict[str, float] | None = None,
                    objective: str = "mean", controls: Any = "mean",
                    held_split: list[str] | None = None) -> Any:
        """Plan the next window: a dated spend calendar and a forecast with its uncertainty.

        Parameters
        ----------
        total : float, optional
            Budget over the whole window; None plans the current spend (the run-rate of
            the last quarter's periods over the window).
        start : str or datetime, optional
            The window's first date, after the data (default: the period after its last
            date); a date off the data's spacing moves to the next one.
        periods : int, optional
            Periods in the window (default a quarter: 13 weeks, 3 months or 91 days, as
            :attr:`quarter_periods`).
        bounds : dict or "none", optional
            As in :meth:`optimize_budget`, over the window: channels left out stay within
            30 % of their current spend; on a geo model per (channel, geo).
        pattern : "even", "front" or list of float
            How each budget is spread over the window: the same every period,
            front-loaded (weights falling linearly), or one weight per period (a
            flighting plan); passed to pymc-marketing as
            ``budget_distribution_over_period``.
        target : dict, optional
            Size the plan by a target instead of a total: ``{"min_roas": r}`` (the
            largest budget whose ROAS is at least r), ``{"outcome": value}`` (the
            smallest budget whose expected contribution reaches it) or
            ``{"marginal_roas": r}`` (the budget where the marginal ROAS falls to r, so
            every channel spends up to it). pymc-marketing's optimizer is run on the
            budgets of a bisection, within the bounds and up to ``total`` (default three
            times the current spend). An unreachable target gives the best plan with a
            note saying the value it achieves and by how much it falls short
            (``plan.target_met``, ``plan.target_value``).
        objective : {"mean"}
            Maximise the posterior mean of the media response.
        controls : "mean", "last_year" or pandas.DataFrame
            Future values of the controls, from the period after the data to the end of
            the carry-over. By default each control's mean over the data (in each geo);
            ``"last_year"``: the values of the same dates 52 weeks earlier (12 months on
            monthly data) where the data has them (the mean elsewhere); a table (date
            column, [geo column,] control columns, in the data's units, e.g.
            ``plan.future_controls`` edited) sets the values it gives, the mean elsewhere.
        held_split : list of str, optional
            As in :meth:`optimize_budget`: channels bought nationally keep their split
            over the geos (by default those the data shows bought nationally).

        Returns
        -------
        PlanResult
            ``allocation`` (per channel, or channel and geo: ``current, optimized,
            change_pct, contribution, contribution_hdi_low, contribution_hdi_high``),
            ``calendar`` (tidy ``period, channel, [geo,] spend``), ``forecast`` (per
            period: ``predicted, predicted_hdi_low, predicted_hdi_high, baseline,
            media``), ``carry_in``, ``in_window`` and ``carry_over`` (what past spend adds
            from the window's start, what the plan adds inside it and after it, per
            channel with an ``"all channels"`` row), per-draw ``draws``, ``notes`` and
            ``to_csv(path)`` for the calendar, ``future_controls`` (the controls it
            assumed, in the data's units, ready to edit). The exported script reproduces it
            (``plan_allocation``, ``plan_calendar``, ``plan_forecast``).

        Raises
        ------
        DataError
            A start inside the data, a pattern of the wrong length, infeasible bounds;
            the previous plan is kept.
        """
        from mmm_widgets.api.plan import plan_budget

        return plan_budget(self, total, start=start, periods=periods, bounds=bounds,
                           pattern=pattern, target=target, objective=objective,
                           controls=controls, held_split=held_split)

    def optimize_budget_in_background(self, total: float, periods: int,
                                      bounds: dict[str, tuple[float, float]] | str | None = None,
                                      objective: str = "mean", *,
                                      risk_level: float = 0.95,
                                      held_split: list[str] | None = None) -> FitJob:
        """Start :meth:`optimize_budget` in a worker thread; ``job.cancel()`` discards it."""
        from mmm_widgets.api.budget import optimize_in_background

        return optimize_in_background(self, total, periods, bounds, objective, risk_level,
                                      held_split)

    @property
    def scenarios(self) -> Any:
        """Named plans to compare: ``add``, ``add_budget_change``, ``remove``, ``compare``."""
        from mmm_widgets.api.budget import Scenarios

        return Scenarios(self)

    def what_if(self, allocation: dict[str, float]) -> pd.DataFrame:
        """Predicted contribution and ROAS of an allocation, in milliseconds.

        Parameters
        ----------
        allocation : dict
            Channel -> spend over the horizon (channels left out spend nothing). On a
            geo model a channel's spend is split over its geos in proportion to current
            spend (so nothing goes where it spends nothing now); ``(channel, geo)``
            keys, or channel -> geo -> spend, set it per geo.

        Returns
        -------
        pandas.DataFrame
            Indexed by channel plus ``"all channels"``: ``spend, contribution,
            contribution_hdi_low, contribution_hdi_high, roas``. On a geo model indexed
            by channel and geo, plus ``("all channels", "all geos")``.
        """
        from mmm_widgets.api.budget import what_if

        return what_if(self, allocation)
