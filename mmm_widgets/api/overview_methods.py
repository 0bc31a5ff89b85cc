"""The overview of the :class:`~mmm_widgets.workflow.Workflow` facade: the fit on one screen."""

from __future__ import annotations

from typing import Any

import pandas as pd


class OverviewMethods:
    """The overview and profit methods of the :class:`~mmm_widgets.workflow.Workflow` facade.

    Part of the Workflow facade: a mixin with no state of its own whose methods forward to
    :mod:`mmm_widgets.api.overview`, which runs the overview step and adds the diagnostics
    verdict and the best budget scenario.
    """

    def overview(self, margin: float | dict[str, float] | None = None) -> Any:
        """The fit on one screen: channels, trend, verdict, best plan and (with a margin) profit.

        Runs the overview step (its exported cell is plain pandas / xarray / arviz code on
        the fitted ``mmm``) unless it is current for this margin and :attr:`interval`.

        Parameters
        ----------
        margin : float or dict, optional
            Profit per unit of the target (``0.3``: 30 % of each unit of revenue is
            profit; ``1.0`` when the target is profit already), or channel -> margin for
            every channel. Adds profit, profit ROI (with HDIs) and the spend per period
            where marginal profit turns negative.

        Returns
        -------
        Overview
            ``channels`` (per channel: ``spend, contribution`` with HDI, ``roas`` with
            HDI, both with carryover as in :meth:`channel_summary`, ``cost_per_unit`` =
            spend / contribution, ``share`` = contribution / total media contribution (as
            in :meth:`channel_summary`), ``share_of_target`` (of the target on the fitted
            dates, from the contribution landing on them), each
            computed per posterior draw with its HDI; on a national model
            ``current_marginal_roas`` with HDI (the return per period of one more unit
            of spend per period at the current spend, carryover included: the slope of
            each draw's steady-state response curve, as in :meth:`response_curves`, at
            the mean spend of the last quarter's periods (:attr:`run_rate_periods`);
            not the channel summary's
            ``marginal_roas``, 1 % more of the fitted period's spend); with a margin
            ``margin, profit, profit_roi`` with HDIs,
            ``breakeven_spend`` and ``current_spend`` per period), ``totals`` (the same
            over all channels), ``trend`` (``date, channel, spend, contribution``),
            ``verdict`` and ``messages`` of the diagnostics (``"not run yet"`` without
            them), ``best_scenario`` (the budget scenario with the highest expected
            contribution, or None) and ``notes``.

        Raises
        ------
        DataError
            A margin that is not a positive number, or a dict with unknown or missing
            channels, naming each.
        StepOrderError
            When the model is not fitted (or the fit is out of date).
        """
        from mmm_widgets.api.overview import overview

        return overview(self, margin)

    def profit(self, margin: float | dict[str, float]) -> pd.DataFrame:
        """Profit of each channel at ``margin``: what media earned after paying for itself.

        Parameters
        ----------
        margin : float or dict
            Profit per unit of the target, or channel -> margin (see :meth:`overview`).

        Returns
        -------
        pandas.DataFrame
            Indexed by channel plus ``"all channels"``: ``spend, contribution, margin,
            profit, profit_hdi_low, profit_hdi_high, profit_roi, profit_roi_hdi_low,
            profit_roi_hdi_high, breakeven_spend, current_spend``. ``profit`` =
            contribution x margin - spend over the fitted period; ``profit_roi`` = profit /
            spend; ``breakeven_spend`` is the spend per period above which one more unit
            of spend earns less than it costs (marginal ROAS x margin < 1), NaN when that
            is beyond twice the largest past spend; ``current_spend`` is the recent spend
            per period.
        """
        from mmm_widgets.api.overview import profit

        return profit(self, margin)
