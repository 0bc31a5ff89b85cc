"""Response curves of the budget step: the code that draws them and the frame read back.

:func:`spend_lines` (channels, past spend, run-rate) and :func:`curve_lines` (curves and
the spend where the marginal ROAS falls below a threshold; on a national model
:func:`response_curve_lines` then :func:`threshold_lines`) are shared with the overview
step; :func:`curves_chunk` is the curve code on its own, for
``Workflow.response_curves``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.steps.budget.params import plain_key

HDI_PROB = 0.94
# Response curves reach twice each channel's largest past spend per period (in the
# model's scaled units a spend of 1 is that largest spend).
CURVE_MAX = 2.0
CURVE_COLUMNS = ("channel", "spend", "response", "response_hdi_low", "response_hdi_high",
                 "marginal_roas")
# The budget cell's imports; the curve code on its own runs with the same ones.
IMPORTS = ("import arviz as az", "import numpy as np", "import pandas as pd",
           "import xarray as xr", "from pymc_marketing.mmm import utility")


def spend_lines(run_rate_periods: int, geo: str | None = None) -> list[str]:
    """Code defining ``channels``, ``past_spend`` (date, channel) and ``run_rate`` per period.

    With ``geo`` (a geo model): ``past_spend`` is (date, channel, geo), ``run_rate`` is
    indexed by (channel, geo), and ``geos``, ``cells`` (that index) and ``spends`` (whether
    a channel ever spent in a geo) are defined too.
    """
    if geo:
        return [
            "channels = list(mmm.channel_columns)",
            f"past_spend = mmm.data.get_channel_spend().transpose('date', 'channel', "
            f"{literal(geo)})",
            f"geos = list(past_spend.indexes[{literal(geo)}])",
            "# A channel gets no budget in a geo where it never spent",
            "spends = past_spend.sum('date') > 0",
            "# Current run-rate of each channel in each geo: average spend per period over "
            "the most",
            "# recent periods",
            f"run_rate = past_spend.isel(date=slice(-{literal(int(run_rate_periods))}, None))"
            ".mean('date').to_series()",
            "cells = run_rate.index",
        ]
    return [
        "channels = list(mmm.channel_columns)",
        "past_spend = mmm.data.get_channel_spend()",
        "past_spend = past_spend.sum([d for d in past_spend.dims if d not in ('date', "
        "'channel')])",
        "# Current run-rate: average spend per period over the most recent periods",
        f"run_rate = past_spend.isel(date=slice(-{literal(int(run_rate_periods))}, None))"
        ".mean('date').to_series().reindex(channels)",
    ]


def curve_lines(threshold: float | Mapping[str, float], points: int,
                hdi_prob: float = HDI_PROB, geo: str | None = None) -> list[str]:
    """Code computing ``response_curves`` and ``threshold_spend`` from the fitted ``mmm``.

    Needs ``channels`` and ``run_rate`` (see :func:`spend_lines`). ``threshold`` is one
    marginal ROAS for every channel, or channel -> its own (the overview's 1 / margin).
    With ``geo``, one curve per (channel, geo) where the channel ever spent. On a national
    model it is :func:`response_curve_lines` then :func:`threshold_lines`.
    """
    if geo:
        value, level = _threshold_value(threshold)
        return _geo_curve_lines(value, level, int(points), literal(float(hdi_prob)), geo)
    return response_curve_lines(points, hdi_prob) + threshold_lines(threshold)


def response_curve_lines(points: int, hdi_prob: float = HDI_PROB) -> list[str]:
    """Code computing a national model's ``response_curves`` from the fitted ``mmm``.

    Also leaves each draw's curve: ``curve`` (channel, x, sample), ``curve_spend``
    (channel, x: the spend per period of each point), ``curve_draws`` and
    ``marginal_roas`` (channel, x, sample: the slope of each draw's curve).
    """
    prob = literal(float(hdi_prob))
    return [
        "# Response curves: the response per period when the same spend is repeated every",
        "# period. The adstock weights sum to one, so the adstocked spend settles at the "
        "spend",
        "# itself and the steady state is the saturation curve, drawn for every posterior "
        "draw",
        f"curve = mmm.sample_saturation_curve(max_value={literal(CURVE_MAX)}, "
        f"num_points={literal(int(points))},",
        "                                     num_samples=None, original_scale=True)",
        "curve = curve.stack(sample=('chain', 'draw')).transpose('channel', 'x', 'sample')",
        "curve_spend = (curve['x'] * mmm.data.get_channel_scale()).transpose('channel', 'x')"
        ".to_numpy()",
        "curve_draws = curve.to_numpy()",
        "marginal_roas = np.stack([np.gradient(d, s, axis=0)",
        "                          for d, s in zip(curve_draws, curve_spend, strict=True)])",
        f"curve_hdi = az.hdi(curve_draws.reshape(-1, curve_draws.shape[-1]), prob={prob})",
        "curve_hdi = curve_hdi.reshape(*curve_draws.shape[:2], 2)",
        "response_curves = pd.DataFrame({",
        "    'channel': np.repeat(curve['channel'].to_numpy(), curve_draws.shape[1]),",
        "    'spend': curve_spend.ravel(),",
        "    'response': curve_draws.mean(axis=-1).ravel(),",
        "    'response_hdi_low': curve_hdi[..., 0].ravel(),",
        "    'response_hdi_high': curve_hdi[..., 1].ravel(),",
        "    'marginal_roas': marginal_roas.mean(axis=-1).ravel(),",
        "})",
    ]


def threshold_lines(threshold: float | Mapping[str, float]) -> list[str]:
    """Code computing ``threshold`` and ``threshold_spend`` from a national model's curves.

    Needs :func:`response_curve_lines`. ``threshold`` is one marginal ROAS for every
    channel, or channel -> its own.
    """
    value, level = _threshold_value(threshold)
    return _threshold_lines(value, level,
                            "for channel, points in response_curves.groupby('channel', "
                            "sort=False):", "channel")


def _threshold_value(threshold: float | Mapping[str, float]
                     ) -> tuple[float | dict[str, float], str]:
    """The threshold as a literal's value, and how the code reads a channel's."""
    if isinstance(threshold, Mapping):
        return {str(c): float(t) for c, t in threshold.items()}, "threshold[channel]"
    return float(threshold), "threshold"


def _geo_curve_lines(value: float | dict[str, float], level: str, points: int, prob: str,
                     geo: str) -> list[str]:
    dims = f"'channel', {literal(geo)}"
    return [
        "# Response curves: the response per period when the same spend is repeated every",
        "# period, in each geo. The adstock weights sum to one, so the adstocked spend "
        "settles at",
        "# the spend itself and the steady state is the saturation curve, drawn for every "
        "posterior draw",
        f"curve = mmm.sample_saturation_curve(max_value={literal(CURVE_MAX)}, "
        f"num_points={literal(points)},",
        "                                     num_samples=None, original_scale=True)",
        f"curve = curve.stack(sample=('chain', 'draw')).transpose({dims}, 'x', 'sample')",
        "curve_spend = (curve['x'] * mmm.data.get_channel_scale()).broadcast_like(",
        f"    curve.isel(sample=0)).transpose({dims}, 'x').to_numpy()",
        "# A channel's curve in a geo where it never spent would rest on the priors alone: "
        "left out",
        f"curve_cells = pd.MultiIndex.from_product([curve['channel'].to_numpy(), "
        f"curve[{literal(geo)}].to_numpy()])",
        f"drawn = spends.sel({{'channel': curve['channel'].to_numpy(), "
        f"{literal(geo)}: curve[{literal(geo)}].to_numpy()}})",
        f"drawn = drawn.transpose({dims}).to_numpy().ravel()",
        "curve_cells = curve_cells[drawn]",
        "curve_spend = curve_spend.reshape(-1, curve_spend.shape[-1])[drawn]",
        "curve_draws = curve.to_numpy().reshape(-1, *curve.shape[-2:])[drawn]",
        "marginal_roas = np.stack([np.gradient(d, s, axis=0)",
        "                          for d, s in zip(curve_draws, curve_spend, strict=True)])",
        f"curve_hdi = az.hdi(curve_draws.reshape(-1, curve_draws.shape[-1]), prob={prob})",
        "curve_hdi = curve_hdi.reshape(*curve_draws.shape[:2], 2)",
        "response_curves = pd.DataFrame({",
        "    'channel': np.repeat(curve_cells.get_level_values(0), curve_draws.shape[1]),",
        f"    {literal(geo)}: np.repeat(curve_cells.get_level_values(1), "
        "curve_draws.shape[1]),",
        "    'spend': curve_spend.ravel(),",
        "    'response': curve_draws.mean(axis=-1).ravel(),",
        "    'response_hdi_low': curve_hdi[..., 0].ravel(),",
        "    'response_hdi_high': curve_hdi[..., 1].ravel(),",
        "    'marginal_roas': marginal_roas.mean(axis=-1).ravel(),",
        "})",
        *_threshold_lines(value, level,
                          "for (channel, area), points in response_curves.groupby("
                          f"['channel', {literal(geo)}], sort=False):", "channel, area"),
    ]


def _threshold_lines(value: float | dict[str, float], level: str, loop: str, key: str
                     ) -> list[str]:
    """Code finding, per curve, the spend where marginal ROAS falls below the threshold.

    ``loop`` is the ``for`` line over the curves' groups and ``key`` the dictionary key
    it binds (``"channel"``, or ``"channel, area"`` per geo).
    """
    return [
        "# Spend per period above which one more unit of spend returns less than the "
        "threshold",
        f"threshold = {literal(value)}",
        "threshold_spend = {}",
        loop,
        "    slope, x = points['marginal_roas'].to_numpy(), points['spend'].to_numpy()",
        f"    below = np.flatnonzero(slope < {level})",
        "    if below.size == 0:",
        f"        threshold_spend[{key}] = float('nan')",
        "    elif below[0] == 0:",
        f"        threshold_spend[{key}] = 0.0",
        "    else:",
        "        i = below[0]",
        f"        threshold_spend[{key}] = float(np.interp({level}, [slope[i], "
        "slope[i - 1]], [x[i], x[i - 1]]))",
    ]


def curves_chunk(run_rate_periods: int, threshold: float | Mapping[str, float], points: int,
                 hdi_prob: float = HDI_PROB, geo: str | None = None) -> CodeChunk:
    """The response-curve code on its own (for :meth:`Workflow.response_curves`)."""
    return CodeChunk(comment="Response curves of every channel",
                     lines=tuple(spend_lines(run_rate_periods, geo)
                                 + curve_lines(threshold, points, hdi_prob, geo)),
                     imports=IMPORTS, title="Response curves")


def read_curves(namespace: dict[str, Any]) -> pd.DataFrame:
    """The tidy response curves the curve code left in ``namespace``.

    Returns
    -------
    pandas.DataFrame
        ``channel, spend, response, response_hdi_low, response_hdi_high,
        marginal_roas`` (spend and response per period); ``attrs`` hold ``threshold``
        (a number, or channel -> number when each channel has its own),
        ``current_spend`` (run-rate per period) and ``threshold_spend`` (per period, NaN
        when the marginal ROAS stays above the threshold on the whole curve). On a geo
        model the geo column follows ``channel`` and the spends in ``attrs`` are keyed
        by ``(channel, geo)``.
    """
    frame = namespace["response_curves"]
    levels = ["channel", *(c for c in frame.columns if c not in CURVE_COLUMNS)]
    curves = frame[[*levels, *CURVE_COLUMNS[1:]]].copy()
    for level in levels:
        curves[level] = curves[level].astype(str)
    threshold = namespace["threshold"]
    curves.attrs = {
        "threshold": ({str(k): float(v) for k, v in threshold.items()}
                      if isinstance(threshold, Mapping) else float(threshold)),
        "current_spend": {plain_key(k): float(v) for k, v in namespace["run_rate"].items()},
        "threshold_spend": {plain_key(k): float(v)
                            for k, v in namespace["threshold_spend"].items()},
    }
    return curves


