"""Code lines of the plan cell: window, pattern, future controls, optimizer, plan, forecast.

Every name the cell binds starts with ``plan_`` and none is one of the budget cell's
(``optimizer``, ``periods``, ``current``, its ``plan_contribution``, ...), so running it
leaves those as they were for the scenario and what-if cells that read them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mmm_widgets.codegen import literal
from mmm_widgets.steps.budget.checks import band_factors
from mmm_widgets.steps.budget.geo import share_lines
from mmm_widgets.steps.budget.held import held_split_lines
from mmm_widgets.steps.budget.optimum import MINIMIZE_IMPORT, best_allocation_lines
from mmm_widgets.steps.budget.window import window_end_lines
from mmm_widgets.steps.model import weekday_lines
from mmm_widgets.steps.plan.params import PlanParams

IMPORTS = ("import arviz as az", "import numpy as np", "import pandas as pd",
           "import xarray as xr", "from pymc_marketing.mmm import utility", MINIMIZE_IMPORT)


def window_lines(params: PlanParams, gap: int, weights: Sequence[float],
                 geo: str | None) -> list[str]:
    """Code of the spend so far, the current run-rate, the window and its pattern."""
    rate = literal(int(params.run_rate_periods))
    if geo:
        spend = [
            f"plan_past_spend = mmm.data.get_channel_spend().transpose('date', 'channel', "
            f"{literal(geo)})",
            f"plan_geos = list(plan_past_spend.indexes[{literal(geo)}])",
            "# A channel gets no budget in a geo where it never spent",
            "plan_spends = plan_past_spend.sum('date') > 0",
            "# Current spend over the window of each channel in each geo: the average of the "
            "most recent",
            "# periods, repeated",
            f"plan_current = plan_past_spend.isel(date=slice(-{rate}, None)).mean('date')"
            ".to_series() * plan_periods",
            "plan_cells = plan_current.index",
        ]
    else:
        spend = [
            "plan_past_spend = mmm.data.get_channel_spend()",
            "plan_past_spend = plan_past_spend.sum([d for d in plan_past_spend.dims "
            "if d not in ('date', 'channel')])",
            "# Current spend over the window: the average of the most recent periods, "
            "repeated",
            f"plan_current = plan_past_spend.isel(date=slice(-{rate}, None)).mean('date')"
            ".to_series().reindex(plan_channels) * plan_periods",
        ]
    what = {"even": "the same share every period",
            "front": "front-loaded: weights falling linearly from the first period to the "
                     "last",
            "custom": "your weights"}[params.pattern]
    if params.pattern == "even":
        weight_code = "np.ones(plan_periods)"
    elif params.pattern == "front":
        weight_code = "np.arange(plan_periods, 0, -1, dtype=float)"
    else:
        weight_code = f"np.array({literal([float(w) for w in weights])})"
    gap_text = ("" if gap == 0 else
                f"; {gap} period{'s' if gap > 1 else ''} between the data and the window get "
                "no spend")
    return [
        "plan_channels = list(mmm.channel_columns)",
        f"plan_periods = {literal(int(params.periods))}",
        *spend,
        "# In nanoseconds whether the model was fitted here or read from a file, so the "
        "calendar's",
        "# dates are the same either way",
        "plan_dates = pd.DatetimeIndex(plan_past_spend.indexes['date'], freq='infer')"
        ".as_unit('ns')",
        f"# The window: {plan_window_text(params, gap)}{gap_text}",
        f"plan_gap = {literal(int(gap))}",
        "plan_axis = pd.date_range(plan_dates[-1], periods=plan_gap + plan_periods + 1,",
        "                          freq=plan_dates.freq or plan_dates[-1] - plan_dates[-2])[1:]",
        "plan_window = plan_axis[plan_gap:]",
        f"# Share of each budget spent in each period of the window ({what})",
        f"plan_weights = {weight_code}",
        "plan_weights = plan_weights / plan_weights.sum()",
        "# pymc-marketing's budget_distribution_over_period: (date, channel[, geo]), summing "
        "to 1 over",
        "# date; the optimizer's dates run from the period after the data, so the gap gets "
        "a share of 0",
        "plan_shares = xr.DataArray(np.concatenate([np.zeros(plan_gap), plan_weights]), "
        "dims='date',",
        "                           coords={'date': plan_axis})",
        "plan_pattern = plan_shares * xr.ones_like(plan_past_spend.sum('date'), dtype=float)",
    ]


def plan_window_text(params: PlanParams, gap: int) -> str:
    """The window in words, for the cell's comments."""
    start = f"{params.start}" if params.start else "the period after the data"
    return f"{params.periods} periods from {start}"


def year_before(frequency: str) -> tuple[str, str]:
    """The code of a year's step back from a date, and its words.

    52 weeks keep a weekly or daily date's weekday; a monthly date goes back 12 months
    (52 weeks before a month's first day is no date of monthly data).
    """
    if frequency == "monthly":
        return "pd.DateOffset(months=12)", "12 months"
    return "pd.Timedelta(weeks=52)", "52 weeks"


def control_lines(geo: str | None, source: str = "mean",
                  table: Sequence[dict[str, Any]] = (),
                  transform: dict[str, tuple[float, float]] | None = None,
                  frequency: str = "weekly",
                  weekdays: dict[str, int] | None = None) -> list[str]:
    """Code of ``plan_controls`` (the model's units) and ``plan_future_controls`` (the data's).

    pymc-marketing needs the controls on every date after the data through the end of
    the carry-over; without them they would be 0 there. Every control starts at its mean
    over the data (in each geo); ``source="last_year"`` then takes the values of the same
    dates a year earlier (:func:`year_before` of ``frequency``, the data's) where the data
    has them, ``source="table"`` the user's rows
    (in the data's units: the model's centring and scaling, ``transform``, is applied).
    The day-of-week indicators ``weekdays``
    (:func:`mmm_widgets.steps.model.weekday_columns`) are those of each date, whatever
    the source.
    """
    transform = transform or {}
    keys = "[mmm.date_column" + (f", {literal(geo)}]" if geo else "]")
    if geo:
        frame = [
            f"    plan_control_means = mmm.X.groupby({literal(geo)})[plan_control_columns]"
            ".mean().reset_index()",
            "    plan_controls = pd.concat([plan_control_means.assign(**{mmm.date_column: d})",
            "                               for d in plan_control_dates], ignore_index=True)",
        ]
        where = "in each geo"
    else:
        frame = [
            "    plan_controls = pd.DataFrame({mmm.date_column: plan_control_dates,",
            "                                  **mmm.X[plan_control_columns].mean().to_dict()})",
        ]
        where = "over the data"
    if source == "last_year":
        year, words = year_before(frequency)
        frame += [
            f"    # ... then the same dates {words} earlier, where the data has them",
            "    plan_year_before = mmm.X.assign(**{mmm.date_column: "
            f"pd.to_datetime(mmm.X[mmm.date_column]) + {year}}})",
            f"    plan_controls = plan_controls.set_index({keys})",
            f"    plan_controls.update(plan_year_before.set_index({keys})[plan_control_columns])",
            "    plan_controls = plan_controls.reset_index()",
        ]
    elif source == "table":
        frame += [
            "    # ... then the values given for the plan (in the data's units, centred and "
            "scaled",
            "    # like the model's controls)",
            "    plan_given = pd.DataFrame([",
            *(f"        {literal(dict(row))}," for row in table),
            "    ])",
            "    plan_given[mmm.date_column] = pd.to_datetime(plan_given[mmm.date_column])",
            f"    plan_scaling = {literal(transform)}",
            "    plan_given = plan_given.assign(**{c: (plan_given[c] - m) / s for c, (m, s) in "
            "plan_scaling.items() if c in plan_given})",
            f"    plan_controls = plan_controls.set_index({keys})",
            f"    plan_controls.update(plan_given.set_index({keys})"
            "[[c for c in plan_control_columns if c in plan_given]])",
            "    plan_controls = plan_controls.reset_index()",
        ]
    return [
        f"# Future controls: each control at its mean {where}, from the period after the "
        "data to the",
        "# end of the carry-over",
        "plan_control_columns = list(mmm.control_columns or [])",
        "plan_controls = plan_future_controls = None",
        "if plan_control_columns:",
        "    plan_control_dates = pd.date_range(plan_axis[0], periods=len(plan_axis)",
        "                                       + mmm.effective_carryover_lags(), "
        "freq=plan_axis.freq)",
        *frame,
        *(f"    {line}" for line in weekday_lines(weekdays or {}, "plan_controls",
                                                  "mmm.date_column")),
        "    # The same in the data's units: the table to edit and give back to the plan",
        f"    plan_unscaling = {literal(transform)}",
        "    plan_future_controls = plan_controls.assign(**{c: plan_controls[c] * s + m "
        "for c, (m, s) in plan_unscaling.items() if c in plan_controls})",
    ]


def optimizer_lines(geo: str | None) -> list[str]:
    """Code of ``plan_optimizer``: pymc-marketing's optimizer over the window."""
    return [
        *window_end_lines("plan_axis", "plan_end"),
        "# pymc-marketing keeps the last l_max periods of real spend before its dates "
        "(carry-in) and",
        "# adds l_max periods without spend after them (carry-over)",
        "plan_optimizer = mmm.budget_optimizer(",
        "    start_date=plan_axis[0], end_date=plan_end,",
        "    utility_function=utility.average_response,",
        *(["    budgets_to_optimize=plan_spends,"] if geo else []),
        "    control_data=plan_controls,",
        "    budget_distribution_over_period=plan_pattern,",
        ")",
        "plan_target_scale = mmm.data.get_target_scale()",
    ]


def limit_lines(params: PlanParams, total: float) -> tuple[str, list[str]]:
    """The name the bounds without a limit of their own stop at, and its code.

    A plan sized by a total stops at the total; one sized by a target at the highest
    budget the target's search tries (``plan_cap``).
    """
    if not params.target:
        return "plan_total", [f"plan_total = {literal(float(total))}"]
    return "plan_cap", ["# The target's search tries budgets up to this one",
                        f"plan_cap = {literal(float(total))}"]


def bounds_lines(params: PlanParams, total: float, channels: Sequence[str]) -> list[str]:
    """Code of a national model's ``plan_total`` (or ``plan_cap``) and ``plan_bounds``."""
    pct = params.default_bound_pct
    explicit = {c: b for c, b in params.bounds.items() if c in channels}
    limit, lines = limit_lines(params, total)
    if len(explicit) == len(channels):
        lines.append("# (lowest, highest) spend of each channel over the window")
        lines.append("plan_bounds = {}")
    elif pct is None:
        lines += ["# (lowest, highest) spend of each channel over the window: any split of "
                  "the total",
                  f"plan_bounds = {{c: (0.0, {limit}) for c in plan_channels}}"]
    else:
        low, high = band_factors(pct)
        lines += [f"# (lowest, highest) spend of each channel over the window: within "
                  f"{pct:g} % of its current",
                  "# spend" + (", unless set below" if explicit else ""),
                  f"plan_bounds = {{c: ({literal(low)} * plan_current[c], {literal(high)} * "
                  "plan_current[c]) for c in plan_channels}"]
    if explicit:
        lines += ["plan_bounds.update({",
                  *(f"    {literal(c)}: {literal(tuple(b))}," for c, b in explicit.items()),
                  "})"]
    return lines


def optimize_lines() -> list[str]:
    """Code of a national model's ``plan_allocate``: pymc-marketing's plan for a total."""
    return [
        "",
        "",
        "plan_budget_bounds = xr.DataArray(",
        "    [plan_bounds[c] for c in plan_channels], dims=('channel', 'bound'),",
        "    coords={'channel': plan_channels},",
        ") / len(plan_axis)",
        "",
        "",
        "def plan_allocate(total):",
        "    \"\"\"pymc-marketing's best plan for ``total`` over the window.",
        "",
        "    It decides a budget level per period; period t spends that level times the "
        "number of its",
        "    dates times the share of t, so the total and the bounds are divided by that "
        "number.",
        "    \"\"\"",
        "    return plan_best_allocation(plan_optimizer, total / len(plan_axis), "
        "plan_budget_bounds)",
        "",
        "",
        *best_allocation_lines("plan_best_allocation", "plan_checked_optimum"),
    ]


def geo_bounds_lines(params: PlanParams, total: float, geo: str,
                     held: tuple[str, ...] = ()) -> list[str]:
    """Code of a geo model's ``plan_total`` (or ``plan_cap``) and ``plan_bounds``, and of
    ``plan_share`` when bounds are set per channel or ``held`` channels keep their split."""
    pct, bounds = params.default_bound_pct, params.bounds
    limit, lines = limit_lines(params, total)
    if pct is None:
        lines += ["# (lowest, highest) spend of each channel in each geo over the window: any "
                  "split of the total",
                  f"plan_bounds = {{cell: (0.0, {limit}) for cell in plan_cells}}"]
    else:
        low, high = band_factors(pct)
        lines += [f"# (lowest, highest) spend of each channel in each geo over the window: "
                  f"within {pct:g} %",
                  "# of its current spend there" + (", unless set below" if bounds else ""),
                  f"plan_bounds = {{cell: ({literal(low)} * plan_current[cell], "
                  f"{literal(high)} * plan_current[cell]) for cell in plan_cells}}"]
    per_channel = {c: b for c, b in bounds.items() if not isinstance(b, Mapping)}
    per_cell = {(c, g): b for c, v in bounds.items() if isinstance(v, Mapping)
                for g, b in v.items()}
    if per_channel or held:
        lines += [
            "# Each geo's share of a channel's current spend (of its past spend for a channel "
            "that",
            "# spends nothing now)",
            *share_lines("plan_share", "plan_current", "plan_past_spend"),
        ]
    if per_channel:
        lines += [
            "# Bounds set per channel, split over its geos in proportion to current spend",
            "for plan_channel, (plan_low, plan_high) in {",
            *(f"    {literal(c)}: {literal(tuple(b))}," for c, b in per_channel.items()),
            "}.items():",
            "    plan_bounds.update({(plan_channel, g): (plan_low * plan_share[plan_channel, g],",
            "                                            plan_high * plan_share[plan_channel, g])",
            "                        for g in plan_geos})",
        ]
    if per_cell:
        lines += ["# Bounds set per (channel, geo)", "plan_bounds.update({",
                  *(f"    {literal(cell)}: {literal(tuple(b))}," for cell, b in
                    per_cell.items()),
                  "})"]
    return lines


def geo_optimize_lines(geo: str, held: tuple[str, ...] = ()) -> list[str]:
    """Code of a geo model's ``plan_allocate``: pymc-marketing's plan for a total.

    ``held`` channels keep their split over the geos (``plan_share``, see
    :mod:`~mmm_widgets.steps.budget.held`).
    """
    dim, shares = literal(geo), ", plan_held_shares" if held else ""
    return [
        *([*held_split_lines(geo, held, "plan_share", ["plan_optimizer"], "plan_"), ""]
          if held else []),
        "plan_budget_bounds = xr.DataArray(",
        "    [[plan_bounds[c, g] for g in plan_geos] for c in plan_channels],",
        f"    dims=('channel', {dim}, 'bound'), coords={{'channel': plan_channels, "
        f"{dim}: plan_geos}},",
        ") / len(plan_axis)",
        "",
        "",
        "def plan_allocate(total):",
        "    \"\"\"pymc-marketing's best plan for ``total`` over the window, per (channel, geo).",
        "",
        "    It decides a budget level per period; period t spends that level times the "
        "number of its",
        "    dates times the share of t, so the total and the bounds are divided by that "
        "number.",
        "    \"\"\"",
        "    return plan_best_allocation(plan_optimizer, total / len(plan_axis), "
        f"plan_budget_bounds{shares})",
        "",
        "",
        *best_allocation_lines("plan_best_allocation", "plan_checked_optimum", bool(held)),
    ]


def optimized_lines(geo: str | None) -> list[str]:
    """Code of ``plan_optimized``: the plan's spend over the window per channel (cell)."""
    if geo:
        return [f"plan_optimized = plan_optimization.budgets.transpose('channel', "
                f"{literal(geo)}).to_series().reindex(plan_cells) * len(plan_axis)"]
    return ["plan_optimized = plan_optimization.budgets.to_series().reindex(plan_channels) "
            "* len(plan_axis)"]


#: What each target measures, in words and as code of ``added`` (what the plan adds,
#: mean over draws) and ``total``.
_METRICS = {
    "outcome": ("expected contribution", "added"),
    "min_roas": ("ROAS", "added / total"),
    "marginal_roas": ("marginal ROAS",
                      "(plan_adds(plan_allocate(1.01 * total)) - added) / (0.01 * total)"),
}


def target_lines(target: dict[str, float], geo: str | None) -> list[str]:
    """Code sizing the plan by a target: a bisection on the total over the window.

    The expected contribution grows with the budget while the ROAS and the marginal ROAS
    fall, so the budgets meeting a target are an interval with one end in the search
    range: the outcome's smallest, the ROAS targets' largest.
    """
    (kind, value), = target.items()
    what, metric = _METRICS[kind]
    smallest = kind == "outcome"
    if geo:
        open_cells = [
            "# Only cells where the channel ever spent get a budget",
            f"plan_open = plan_spends.transpose('channel', {literal(geo)}).to_series()",
            "# (a budget of 0 has no ROAS: the search starts a little above it)",
            "plan_lowest = max(sum(plan_bounds[cell][0] for cell in plan_cells "
            "if plan_open[cell]),",
            "                  1e-4 * plan_cap)",
            "plan_highest = min(sum(plan_bounds[cell][1] for cell in plan_cells "
            "if plan_open[cell]), plan_cap)",
        ]
    else:
        open_cells = [
            "# (a budget of 0 has no ROAS: the search starts a little above it)",
            "plan_lowest = max(sum(low for low, _ in plan_bounds.values()), 1e-4 * plan_cap)",
            "plan_highest = min(sum(high for _, high in plan_bounds.values()), plan_cap)",
        ]
    if smallest:
        search = [
            "# The smallest budget whose expected contribution reaches the target",
            "plan_optimization, plan_target_value = plan_meets(plan_highest)",
            "plan_total = plan_highest",
            "if plan_target_value >= plan_target:",
            "    plan_low, plan_high = plan_lowest, plan_highest",
            "    while plan_high - plan_low > 1e-4 * plan_high:",
            "        plan_mid = (plan_low + plan_high) / 2",
            "        plan_try, plan_value = plan_meets(plan_mid)",
            "        if plan_value >= plan_target:",
            "            plan_high, plan_optimization, plan_target_value = "
            "plan_mid, plan_try, plan_value",
            "        else:",
            "            plan_low = plan_mid",
            "    plan_total = plan_high",
        ]
    else:
        search = [
            f"# The largest budget whose {what} is at least the target",
            "plan_optimization, plan_target_value = plan_meets(plan_lowest)",
            "plan_total = plan_lowest",
            "if plan_target_value >= plan_target:",
            "    plan_try, plan_value = plan_meets(plan_highest)",
            "    if plan_value >= plan_target:",
            "        plan_optimization, plan_target_value, plan_total = plan_try, plan_value, "
            "plan_highest",
            "    else:",
            "        plan_low, plan_high = plan_lowest, plan_highest",
            "        while plan_high - plan_low > 1e-4 * plan_high:",
            "            plan_mid = (plan_low + plan_high) / 2",
            "            plan_try, plan_value = plan_meets(plan_mid)",
            "            if plan_value >= plan_target:",
            "                plan_low, plan_optimization, plan_target_value = "
            "plan_mid, plan_try, plan_value",
            "            else:",
            "                plan_high = plan_mid",
            "        plan_total = plan_low",
        ]
    return [
        f"# Target: {what} of at least {value:g}",
        f"plan_target = {literal(float(value))}",
        "plan_base = plan_optimizer.evaluate_response_distribution(",
        "    xr.zeros_like(plan_past_spend.sum('date'), dtype=float),",
        "    response_variable='channel_contribution')",
        "",
        "",
        "def plan_adds(optimization):",
        "    \"\"\"Mean over draws of what a plan adds from the window's start on, every "
        "channel together.\"\"\"",
        "    added = (plan_optimizer.evaluate_response_distribution(",
        "        optimization.budgets, response_variable='channel_contribution') - plan_base) "
        "* plan_target_scale",
        "    added = added.sel(date=slice(plan_window[0], None))",
        "    return float(added.sum([d for d in added.dims if d != 'sample']).mean())",
        "",
        "",
        "def plan_meets(total):",
        f"    \"\"\"The best plan for ``total`` and its {what}.\"\"\"",
        "    optimization = plan_allocate(total)",
        "    added = plan_adds(optimization)",
        f"    return optimization, {metric}",
        "",
        "",
        *open_cells,
        *search,
        "plan_target_met = plan_target_value >= plan_target",
    ]


def effect_lines(hdi_prob: float, geo: str | None) -> list[str]:
    """Code splitting the media effect per draw: carry-in, in the window, carry-over.

    ``plan_draws`` holds, per draw and channel (and geo), what spend before the window
    adds from its start on (carry-in), what the plan adds inside it and after it
    (carry-over), and the total with the plan, which is their sum.
    """
    prob = literal(float(hdi_prob))
    if geo:
        dim = literal(geo)
        summary = [
            "    cells = draws.stack(cell=('channel', " + dim + ")).transpose('cell', 'sample')",
            "    rows = np.vstack([cells.to_numpy(), draws.sum(['channel', " + dim + "])"
            ".to_numpy()[None]])",
            "    index = pd.MultiIndex.from_tuples([*cells.indexes['cell'], "
            "('all channels', 'all geos')],",
            f"                                      names=['channel', {dim}])",
        ]
    else:
        summary = [
            "    rows = np.vstack([draws.transpose('channel', 'sample').to_numpy(),",
            "                      draws.sum('channel').to_numpy()[None]])",
            "    index = pd.Index([*plan_channels, 'all channels'], name='channel')",
        ]
    return [
        "# Every channel's contribution per draw over the optimizer's dates, with the plan "
        "and with no",
        "# spend in the window: the difference is what the plan adds, the rest is past "
        "spend's carry-in",
        "plan_with = plan_optimizer.evaluate_response_distribution(",
        "    plan_optimization.budgets, response_variable='channel_contribution') "
        "* plan_target_scale",
        "plan_without = plan_optimizer.evaluate_response_distribution(",
        "    plan_optimization.budgets * 0, response_variable='channel_contribution') "
        "* plan_target_scale",
        "plan_added = plan_with - plan_without",
        "plan_tail = plan_with.indexes['date'][plan_with.indexes['date'] > plan_window[-1]]",
        "plan_after = plan_window.append(plan_tail)",
        "plan_draws = xr.Dataset({",
        "    'carry_in': plan_without.sel(date=plan_after).sum('date'),",
        "    'in_window': plan_added.sel(date=plan_window).sum('date'),",
        "    'carry_over': plan_added.sel(date=plan_tail).sum('date'),",
        "    'total': plan_with.sel(date=plan_after).sum('date'),",
        "})",
        "",
        "",
        "def plan_summary(draws):",
        "    \"\"\"Mean and HDI of per-draw contributions, per channel and for all channels "
        "together.\"\"\"",
        *summary,
        f"    hdi = az.hdi(rows, prob={prob})",
        "    return pd.DataFrame({'contribution': rows.mean(axis=1), "
        "'contribution_hdi_low': hdi[:, 0],",
        "                         'contribution_hdi_high': hdi[:, 1]}, index=index)",
        "",
        "",
        "plan_carry_in = plan_summary(plan_draws['carry_in'])",
        "plan_in_window = plan_summary(plan_draws['in_window'])",
        "plan_carry_over = plan_summary(plan_draws['carry_over'])",
    ]


def allocation_lines(hdi_prob: float, geo: str | None) -> list[str]:
    """Code of ``plan_allocation``: spend and what it adds, per channel (and geo)."""
    prob = literal(float(hdi_prob))
    if geo:
        dim = literal(geo)
        draws = [
            "# Per (channel, geo): a row of posterior draws of what the plan adds over the "
            "window and its tail",
            "plan_cell_draws = (plan_draws['in_window'] + plan_draws['carry_over']).transpose(",
            f"    'channel', {dim}, 'sample').to_series().unstack('sample').reindex(plan_cells)",
            "plan_contribution_mean = plan_cell_draws.mean(axis=1)",
            f"plan_hdi = az.hdi(plan_cell_draws.to_numpy(), prob={prob})",
        ]
        index = "plan_cells"
    else:
        draws = [
            "# What the plan adds over the window and its tail, per channel and draw",
            "plan_cell_draws = (plan_draws['in_window'] + plan_draws['carry_over'])"
            ".transpose('channel', 'sample')",
            "plan_contribution_mean = plan_cell_draws.mean('sample').to_series()"
            ".reindex(plan_channels)",
            f"plan_hdi = az.hdi(plan_cell_draws.to_numpy(), prob={prob})",
        ]
        index = "pd.Index(plan_channels, name='channel')"
    return [
        *draws,
        "plan_allocation = pd.DataFrame({",
        "    'current': plan_current,",
        "    'optimized': plan_optimized,",
        "    'change_pct': (plan_optimized / plan_current - 1) * 100,",
        "    'contribution': plan_contribution_mean,",
        "    'contribution_hdi_low': plan_hdi[:, 0],",
        "    'contribution_hdi_high': plan_hdi[:, 1],",
        f"}}, index={index})",
    ]


def calendar_lines(geo: str | None) -> list[str]:
    """Code of ``plan_calendar``: tidy spend per period, channel (and geo)."""
    if geo:
        return [
            "# The calendar: each cell's budget spread over the window by the pattern",
            "plan_calendar = pd.DataFrame(",
            "    [(period, c, g, plan_optimized[c, g] * share)",
            "     for period, share in zip(plan_window, plan_weights, strict=True) "
            "for c, g in plan_cells],",
            f"    columns=['period', 'channel', {literal(geo)}, 'spend'])",
        ]
    return [
        "# The calendar: each channel's budget spread over the window by the pattern",
        "plan_calendar = pd.DataFrame(",
        "    [(period, c, plan_optimized[c] * share)",
        "     for period, share in zip(plan_window, plan_weights, strict=True) "
        "for c in plan_channels],",
        "    columns=['period', 'channel', 'spend'])",
    ]


def forecast_lines(hdi_prob: float, geo: str | None) -> list[str]:
    """Code of ``plan_forecast``: the expected outcome per period with its band."""
    prob = literal(float(hdi_prob))
    other = f"{literal(geo)}" if geo else None
    media_dims = f"['channel', {other}]" if geo else "'channel'"
    return [
        "# The forecast: the model's expected outcome (mu) with the plan, per draw; media is "
        "every",
        "# channel's contribution in the period (carry-in and the plan's), baseline the rest "
        "(intercept,",
        "# trend, seasonality, controls). The band is that of the expected outcome: "
        "observation noise",
        "# is left out",
        "plan_mu = plan_optimizer.evaluate_response_distribution(",
        "    plan_optimization.budgets, response_variable='mu') * plan_target_scale",
        ("plan_predicted = plan_mu.sel(date=plan_window)"
         + (f".sum({other})" if geo else "")),
        f"plan_media = plan_with.sel(date=plan_window).sum({media_dims})",
        "plan_baseline = plan_predicted - plan_media",
        f"plan_band = az.hdi(plan_predicted.transpose('date', 'sample').to_numpy(), "
        f"prob={prob})",
        "plan_forecast = pd.DataFrame({",
        "    'predicted': plan_predicted.mean('sample').to_numpy(),",
        "    'predicted_hdi_low': plan_band[:, 0],",
        "    'predicted_hdi_high': plan_band[:, 1],",
        "    'baseline': plan_baseline.mean('sample').to_numpy(),",
        "    'media': plan_media.mean('sample').to_numpy(),",
        "}, index=pd.Index(plan_window, name='period'))",
    ]


def current_lines(params: PlanParams, geo: str | None) -> list[str]:
    """Code of ``plan_current_draws`` and ``plan_scores``: the plan against the current spend.

    The current plan spends each channel's (cell's) run-rate in every period of the same
    window, evenly (nothing in a gap before it). Its effects are split per draw as the
    plan's are; ``plan_scores`` holds, per draw, both plans' spend, what each adds inside
    the window and after it, and the outcome predicted over the window.
    """
    dims = f"['channel', {literal(geo)}]" if geo else "'channel'"
    if geo:
        budgets = [
            "plan_current_budgets = (xr.DataArray.from_series(plan_current) / len(plan_axis))"
            ".reindex_like(",
            "    plan_optimization.budgets).fillna(0.0)",
        ]
    else:
        budgets = [
            "plan_current_budgets = xr.DataArray((plan_current / len(plan_axis)).to_numpy(), "
            "dims='channel',",
            "                                    coords={'channel': plan_channels})",
        ]
    if params.pattern == "even":
        optimizer = ["# The plan is spent evenly too: its optimizer evaluates the current "
                     "spend",
                     "plan_current_optimizer = plan_optimizer"]
    else:
        optimizer = [
            "# An optimizer of the same window spending evenly, to evaluate the current spend",
            "plan_even = xr.DataArray(np.concatenate([np.zeros(plan_gap), "
            "np.full(plan_periods, 1 / plan_periods)]),",
            "                         dims='date', coords={'date': plan_axis})",
            "plan_current_optimizer = mmm.budget_optimizer(",
            "    start_date=plan_axis[0], end_date=plan_end,",
            "    utility_function=utility.average_response,",
            *(["    budgets_to_optimize=plan_spends,"] if geo else []),
            "    control_data=plan_controls,",
            "    budget_distribution_over_period=plan_even * xr.ones_like("
            "plan_past_spend.sum('date'), dtype=float),",
            ")",
        ]
    return [
        "# The current plan: each channel's current spend (the run-rate) in every period of "
        "the window",
        *budgets,
        *optimizer,
        "plan_current_with = plan_current_optimizer.evaluate_response_distribution(",
        "    plan_current_budgets, response_variable='channel_contribution') "
        "* plan_target_scale",
        "plan_current_added = plan_current_with - plan_without",
        "plan_current_draws = xr.Dataset({",
        "    'carry_in': plan_without.sel(date=plan_after).sum('date'),",
        "    'in_window': plan_current_added.sel(date=plan_window).sum('date'),",
        "    'carry_over': plan_current_added.sel(date=plan_tail).sum('date'),",
        "    'total': plan_current_with.sel(date=plan_after).sum('date'),",
        "})",
        "plan_current_mu = plan_current_optimizer.evaluate_response_distribution(",
        "    plan_current_budgets, response_variable='mu') * plan_target_scale",
        "# Per draw: the plan and the current spend, what each adds inside the window and "
        "after it,",
        "# and the outcome predicted over the window",
        "plan_scores = xr.Dataset({",
        "    'spend': float(plan_optimized.sum()),",
        f"    'effect': (plan_draws['in_window'] + plan_draws['carry_over']).sum({dims}),",
        "    'outcome': plan_predicted.sum('date'),",
        "    'current_spend': float(plan_current.sum()),",
        "    'current_effect': (plan_current_draws['in_window'] + "
        f"plan_current_draws['carry_over']).sum({dims}),",
        ("    'current_outcome': plan_current_mu.sel(date=plan_window)"
         + (f".sum({literal(geo)})" if geo else "") + ".sum('date'),"),
        "})",
    ]


def plan_lines(params: PlanParams, total: float, gap: int, weights: Sequence[float],
               channels: Sequence[str], geo: str | None,
               transform: dict[str, tuple[float, float]] | None = None,
               frequency: str = "weekly",
               weekdays: dict[str, int] | None = None,
               held: tuple[str, ...] = ()) -> list[str]:
    """The whole plan cell; ``total`` is the budget, or the search's cap with a target.

    ``transform`` is the model's centring and scaling of controls (``control -> (mean,
    scale)``, :func:`mmm_widgets.steps.model.control_transform`); ``frequency`` the
    data's (``DataResult.frequency``); ``weekdays`` the model's day-of-week indicators;
    ``held`` the channels whose split over the geos the plan keeps.
    """
    if geo:
        sizing = geo_bounds_lines(params, total, geo, held) + geo_optimize_lines(geo, held)
    else:
        sizing = bounds_lines(params, total, channels) + optimize_lines()
    sizing += (target_lines(params.target, geo) if params.target
               else ["plan_optimization = plan_allocate(plan_total)"])
    return [
        *window_lines(params, gap, weights, geo),
        *control_lines(geo, params.controls, params.control_table, transform, frequency,
                       weekdays),
        *optimizer_lines(geo),
        *sizing,
        *optimized_lines(geo),
        *effect_lines(params.hdi_prob, geo),
        *allocation_lines(params.hdi_prob, geo),
        *calendar_lines(geo),
        *forecast_lines(params.hdi_prob, geo),
        *current_lines(params, geo),
    ]
