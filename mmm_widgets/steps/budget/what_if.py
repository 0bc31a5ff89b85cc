"""The budget what-if: every channel's posterior response on a grid of spends, as code.

The budget cell builds the grid (:func:`grid_lines`, :func:`node_lines`): what each channel
(or, on a geo model, each channel x geo cell) adds at evenly spaced spends, evaluated once
with pymc-marketing's own response (the cell's ``plan_contribution``), with every
scenario's spends as exact nodes. A what-if is then the cell of :func:`what_if_chunk`:
one linear interpolation per channel over the posterior draws, in numpy, so the panel's
sliders answer in milliseconds and every answer they show is the exported cell's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.errors import DataError, problem
from mmm_widgets.steps.budget.checks import allocation_problems

TOTAL_ROW = "all channels"
# The last index entry of a geo what-if: every channel in every geo.
ALL_GEOS = "all geos"
# Nodes of the what-if grid per channel: linear interpolation between them is within
# 1e-5 of the exact response on the bundled data; scenarios are extra nodes, so the
# what-if of a saved scenario is exact.
WHAT_IF_NODES = 201
WHAT_IF_COLUMNS = ("spend", "contribution", "contribution_hdi_low", "contribution_hdi_high",
                   "roas")
WHAT_IF_IMPORTS = ("import arviz as az", "import numpy as np", "import pandas as pd")


def grid_lines(highs: Mapping[Any, float], total: float | None, geo: str | None,
               nodes: int = WHAT_IF_NODES) -> list[str]:
    """Code of the what-if grid before scenarios: ``what_if_cells`` and the base grid.

    Parameters
    ----------
    highs : mapping
        Channel (or ``(channel, geo)`` cell where the channel ever spent) -> its upper
        bound over the horizon (0 without one); each cell's slider reaches at least this.
    total : float or None
        The budget to allocate, if any.
    geo : str or None
        The geo column of a geo model.
    nodes : int
        Evenly spaced spends per cell.
    """
    if geo:
        draws = [
            "    values = plan_contribution(dict(zip(what_if_cells, spends)))",
            "    geo_dim = next(d for d in values.dims if d not in ('channel', 'sample'))",
            "    values = values.transpose('channel', geo_dim, 'sample')",
            "    at_channel = {str(c): i for i, c in enumerate(values['channel'].to_numpy())}",
            "    at_geo = {str(g): i for i, g in enumerate(values[geo_dim].to_numpy())}",
            "    array = values.to_numpy()",
            "    return np.stack([array[at_channel[c], at_geo[g]] for c, g in what_if_cells])",
        ]
    else:
        draws = [
            "    values = plan_contribution(dict(zip(what_if_cells, spends)))",
            "    values = values.transpose('channel', 'sample')",
            "    return values.sel(channel=what_if_cells).to_numpy()",
        ]
    return [
        f"# What-if grid: what each {'channel x geo' if geo else 'channel'} adds at "
        f"{nodes} evenly spaced spends over the horizon, from",
        "# nothing to three times its largest past spend (at least the whole budget), so "
        "that any",
        "# allocation is read off by linear interpolation",
        "past_max = past_spend.max('date').to_series()",
        f"what_if_budget = max({literal(float(total or 0.0))}, float(current.sum()))",
        "what_if_top = {cell: max(3.0 * float(past_max[cell]) * periods, what_if_budget, high)",
        f"               for cell, high in {literal(dict(highs))}.items()}}",
        "what_if_cells = list(what_if_top)",
        "",
        "",
        "def cell_draws(spends):",
        "    \"\"\"Contribution draws (cell, sample) a plan adds, for every what-if cell.\"\"\"",
        *draws,
        "",
        "",
        f"what_if_rows = np.linspace(0.0, 1.0, {literal(int(nodes))})[:, None] * "
        "np.array(list(what_if_top.values()))",
        "what_if_stacked = np.stack([cell_draws(row) for row in what_if_rows])",
        "what_if_base_nodes = [what_if_rows[:, i].copy() for i in range(len(what_if_cells))]",
        "what_if_base_draws = [what_if_stacked[:, i, :] for i in range(len(what_if_cells))]",
    ]


def node_lines() -> list[str]:
    """Code adding every scenario's spends to the grid: ``what_if_nodes, what_if_draws``."""
    return [
        "# Every scenario's spends are nodes of the grid too, so a scenario's what-if is "
        "exact",
        "def with_nodes(nodes, draws, plans):",
        "    \"\"\"The grid with each plan's spends added as a node of every cell.\"\"\"",
        "    nodes, draws = list(nodes), list(draws)",
        "    for plan in plans:",
        "        row = np.array([float(plan.get(cell, 0.0)) for cell in what_if_cells])",
        "        if all(np.any(nodes[i] == row[i]) for i in range(len(row))):",
        "            continue",
        "        values = cell_draws(row)",
        "        for i in range(len(row)):",
        "            if not np.any(nodes[i] == row[i]):",
        "                at = int(np.searchsorted(nodes[i], row[i]))",
        "                nodes[i] = np.insert(nodes[i], at, row[i])",
        "                draws[i] = np.insert(draws[i], at, values[i], axis=0)",
        "    return nodes, draws",
        "",
        "",
        "what_if_nodes, what_if_draws = with_nodes(what_if_base_nodes, what_if_base_draws,",
        "                                          scenarios.values())",
    ]


def what_if_chunk(allocation: Mapping[Any, float], hdi_prob: float,
                  geo: str | None = None) -> CodeChunk:
    """The cell answering one what-if: the table ``what_if`` of an allocation.

    Parameters
    ----------
    allocation : mapping
        Channel (or ``(channel, geo)`` cell) -> spend over the horizon; cells left out
        spend nothing.
    hdi_prob : float
        Mass of the intervals.
    geo : str, optional
        The geo column of a geo model (the index gains its level).
    """
    if geo:
        index = ("index=pd.MultiIndex.from_tuples([*what_if_cells, "
                 f"({literal(TOTAL_ROW)}, {literal(ALL_GEOS)})], "
                 f"names=['channel', {literal(geo)}]))")
    else:
        index = f"index=pd.Index([*what_if_cells, {literal(TOTAL_ROW)}], name='channel'))"
    spend = {key: float(value) for key, value in allocation.items()}
    lines = (
        f"what_if_spend = {literal(spend)}",
        "",
        "",
        "def interpolate(spend, nodes, draws):",
        "    \"\"\"Contribution draws at ``spend``, linear between the two nearest nodes.\"\"\"",
        "    j = min(max(int(np.searchsorted(nodes, spend, side='right')) - 1, 0), "
        "len(nodes) - 2)",
        "    weight = min((spend - nodes[j]) / (nodes[j + 1] - nodes[j]), 1.0)",
        "    return draws[j] * (1.0 - weight) + draws[j + 1] * weight",
        "",
        "",
        "what_if_samples = np.stack([",
        "    interpolate(float(what_if_spend.get(cell, 0.0)), nodes, draws)",
        "    for cell, nodes, draws in zip(what_if_cells, what_if_nodes, what_if_draws)])",
        "what_if_samples = np.vstack([what_if_samples, "
        "what_if_samples.sum(axis=0, keepdims=True)])",
        f"what_if_hdi = az.hdi(what_if_samples, prob={literal(float(hdi_prob))})",
        "what_if_spends = np.array([float(what_if_spend.get(cell, 0.0)) "
        "for cell in what_if_cells])",
        "what_if_spends = np.append(what_if_spends, what_if_spends.sum())",
        "what_if_mean = what_if_samples.mean(axis=1)",
        "what_if = pd.DataFrame({",
        "    'spend': what_if_spends, 'contribution': what_if_mean,",
        "    'contribution_hdi_low': what_if_hdi[:, 0], "
        "'contribution_hdi_high': what_if_hdi[:, 1],",
        "    'roas': np.where(what_if_spends > 0,",
        "                     what_if_mean / np.where(what_if_spends > 0, what_if_spends, 1.0),",
        "                     np.nan),",
        f"}}, {index}",
    )
    return CodeChunk(comment="What-if: the contribution an allocation adds over the horizon, "
                             "read off the budget cell's what-if grid",
                     lines=lines, imports=WHAT_IF_IMPORTS, title="What-if")


@dataclass(frozen=True)
class WhatIf:
    """The what-if grid the budget cell left, for checking allocations before a what-if.

    Attributes
    ----------
    channels : tuple
        Channel names, or ``(channel, geo)`` cells.
    periods : int
        Horizon of the spends.
    nodes : list of numpy.ndarray
        Per channel, sorted spends over the horizon.
    draws : list of numpy.ndarray
        Per channel, ``(len(nodes), samples)`` contribution the spend adds.
    """

    channels: tuple[Any, ...]
    periods: int
    nodes: list[np.ndarray]
    draws: list[np.ndarray]

    @classmethod
    def read(cls, namespace: Mapping[str, Any], periods: int) -> WhatIf:
        """The grid in ``namespace`` after the budget cell ran."""
        cells = tuple(tuple(str(part) for part in c) if isinstance(c, tuple) else str(c)
                      for c in namespace["what_if_cells"])
        return cls(cells, periods, list(namespace["what_if_nodes"]),
                   list(namespace["what_if_draws"]))

    @property
    def limits(self) -> dict[Any, float]:
        """Largest spend over the horizon each channel can be moved to."""
        return {c: float(self.nodes[i][-1]) for i, c in enumerate(self.channels)}

    def check(self, allocation: Mapping[Any, Any]) -> None:
        """Raise a :class:`DataError` naming each channel the grid cannot answer for.

        Raises
        ------
        DataError
            Unknown channels, spends that are not numbers, or beyond the grid.
        """
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
