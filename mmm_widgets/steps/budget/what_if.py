"""The budget what-if: every channel's posterior response on a grid of spends.

Built once per budget run, it answers an allocation in milliseconds by interpolation,
so the panel's sliders and ``Workflow.what_if`` never run the model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mmm_widgets.errors import DataError, problem
from mmm_widgets.steps.budget.checks import allocation_problems

TOTAL_ROW = "all channels"
# The last index entry of a geo what-if: every channel in every geo.
ALL_GEOS = "all geos"
# Nodes of the precomputed what-if grid per channel: linear interpolation between them
# is within 1e-5 of the exact response on the bundled data; scenarios are extra nodes,
# so the what-if of a saved scenario is exact.
WHAT_IF_NODES = 201
WHAT_IF_COLUMNS = ("spend", "contribution", "contribution_hdi_low", "contribution_hdi_high",
                   "roas")


class WhatIf:
    """Posterior response of every channel on a grid of spends, for instant what-ifs.

    Built once from pymc-marketing's own response (the step's ``plan_contribution``,
    which evaluates the optimizer's compiled model); afterwards an allocation costs one
    linear interpolation per channel over the posterior draws, in numpy. Channels do not
    interact in the model, so one evaluation of a plan gives a node of every channel.
    On a geo model the same holds for every (channel, geo) cell, which take the place
    of the channels.

    Parameters
    ----------
    channels : tuple
        Channel names, or ``(channel, geo)`` cells.
    periods : int
        Horizon of the spends.
    nodes : list of numpy.ndarray
        Per channel, sorted spends over the horizon.
    draws : list of numpy.ndarray
        Per channel, ``(len(nodes), samples)`` contribution the spend adds.
    hdi_prob : float
        Mass of the intervals.
    base : WhatIf, optional
        The grid before scenario nodes were added (reused when only scenarios change).
    names : tuple of str
        Names of the index levels of :meth:`evaluate`: ``("channel",)``, or
        ``("channel", geo)`` for cells.
    """

    def __init__(self, channels: tuple[Any, ...], periods: int, nodes: list[np.ndarray],
                 draws: list[np.ndarray], hdi_prob: float, base: WhatIf | None = None,
                 names: tuple[str, ...] = ("channel",)):
        self.channels = tuple(channels)
        self.periods = periods
        self.nodes = nodes
        self.draws = draws
        self.hdi_prob = hdi_prob
        self.base = base if base is not None else self
        self.names = tuple(names)

    @classmethod
    def prepare(cls, plan_contribution: Any, channels: tuple[Any, ...], periods: int,
                maxima: Mapping[Any, float], hdi_prob: float,
                nodes: int = WHAT_IF_NODES, names: tuple[str, ...] = ("channel",)) -> WhatIf:
        """Evaluate ``plan_contribution`` on ``nodes`` spends from 0 to each maximum."""
        grid = np.linspace(0.0, 1.0, nodes)[:, None] * np.array(
            [maxima[c] for c in channels])[None, :]
        values = [_plan_draws(plan_contribution, channels, row) for row in grid]
        stacked = np.stack(values)                       # (nodes, channel, sample)
        return cls(channels, periods, [grid[:, i].copy() for i in range(len(channels))],
                   [stacked[:, i, :] for i in range(len(channels))], hdi_prob,
                   names=names)

    def with_allocations(self, plan_contribution: Any,
                         allocations: Any) -> WhatIf:
        """A copy with each allocation added as an exact node of every channel."""
        nodes, draws = list(self.nodes), list(self.draws)
        for allocation in allocations:
            row = np.array([float(allocation.get(c, 0.0)) for c in self.channels])
            if all(np.any(nodes[i] == row[i]) for i in range(len(self.channels))):
                continue
            values = _plan_draws(plan_contribution, self.channels, row)
            for i in range(len(self.channels)):
                if np.any(nodes[i] == row[i]):
                    continue
                at = int(np.searchsorted(nodes[i], row[i]))
                nodes[i] = np.insert(nodes[i], at, row[i])
                draws[i] = np.insert(draws[i], at, values[i], axis=0)
        return WhatIf(self.channels, self.periods, nodes, draws, self.hdi_prob, self.base,
                      self.names)

    @property
    def limits(self) -> dict[Any, float]:
        """Largest spend over the horizon each channel can be moved to."""
        return {c: float(self.nodes[i][-1]) for i, c in enumerate(self.channels)}

    def samples(self, allocation: Mapping[str, float]) -> np.ndarray:
        """Contribution per channel and draw, ``(channel, sample)``, of an allocation."""
        problems = allocation_problems(allocation, self.channels, "what-if")
        limits = self.limits
        problems += [problem(f"what-if: {c!r} at {v:,.0f} is beyond the prepared range "
                             f"(up to {limits[c]:,.0f}).",
                             "Move it lower, or add a scenario with this spend to extend "
                             "the range.", column=c)
                     for c, v in allocation.items()
                     if c in limits and isinstance(v, (int, float)) and v > limits[c] * (
                         1 + 1e-12)]
        if problems:
            raise DataError(problems)
        out = np.empty((len(self.channels), self.draws[0].shape[1]))
        for i, channel in enumerate(self.channels):
            x, grid, values = float(allocation.get(channel, 0.0)), self.nodes[i], self.draws[i]
            j = min(max(int(np.searchsorted(grid, x, side="right")) - 1, 0), len(grid) - 2)
            weight = min((x - grid[j]) / (grid[j + 1] - grid[j]), 1.0)
            out[i] = values[j] * (1.0 - weight) + values[j + 1] * weight
        return out

    def evaluate(self, allocation: Mapping[str, float]) -> pd.DataFrame:
        """Predicted contribution and ROAS of an allocation (spend over the horizon).

        Returns
        -------
        pandas.DataFrame
            Indexed by channel plus a last row ``"all channels"``: ``spend,
            contribution, contribution_hdi_low, contribution_hdi_high, roas``. With
            cells: indexed by (channel, geo) plus a last row ``("all channels",
            "all geos")``.
        """
        import arviz as az

        per_channel = self.samples(allocation)
        rows = np.vstack([per_channel, per_channel.sum(axis=0, keepdims=True)])
        hdi = az.hdi(rows, prob=self.hdi_prob)
        spend = np.array([float(allocation.get(c, 0.0)) for c in self.channels])
        spend = np.append(spend, spend.sum())
        mean = rows.mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            roas = np.where(spend > 0, mean / np.where(spend > 0, spend, 1.0), np.nan)
        if len(self.names) > 1:
            index = pd.MultiIndex.from_tuples([*self.channels, (TOTAL_ROW, ALL_GEOS)],
                                              names=list(self.names))
        else:
            index = pd.Index([*self.channels, TOTAL_ROW], name="channel")
        return pd.DataFrame({"spend": spend, "contribution": mean,
                             "contribution_hdi_low": hdi[:, 0],
                             "contribution_hdi_high": hdi[:, 1], "roas": roas}, index=index)


def _plan_draws(plan_contribution: Any, channels: tuple[Any, ...], row: np.ndarray
                ) -> np.ndarray:
    allocation = {c: float(v) for c, v in zip(channels, row, strict=True)}
    values = plan_contribution(allocation)
    geo = [d for d in values.dims if d not in ("channel", "sample")]
    if not geo:
        return values.transpose("channel", "sample").sel(channel=list(channels)).to_numpy()
    values = values.transpose("channel", geo[0], "sample")
    at_channel = {str(c): i for i, c in enumerate(values["channel"].to_numpy())}
    at_geo = {str(g): i for i, g in enumerate(values[geo[0]].to_numpy())}
    array = values.to_numpy()
    return np.stack([array[at_channel[c], at_geo[g]] for c, g in channels])

