"""Code lines of the budget cell: optimizer, bounds, optimization, risk objective, scenarios.

The national model's parts; a geo model's optimizer and optimization are in
:mod:`mmm_widgets.steps.budget.geo`, and both share the risk objective and the scenarios.
Spends are over the horizon; the code divides by ``periods`` for pymc-marketing, which
works per period.
"""

from __future__ import annotations

from mmm_widgets.codegen import literal
from mmm_widgets.steps.budget.checks import band_factors
from mmm_widgets.steps.budget.geo import geo_plan_lines
from mmm_widgets.steps.budget.optimum import best_allocation_lines
from mmm_widgets.steps.budget.params import BudgetParams
from mmm_widgets.steps.budget.window import window_end_lines

RISK_IMPORT = "import pytensor.xtensor as ptx"


def objective_text(params: BudgetParams) -> str:
    """What the optimizer maximises, in words (for the cell's comments)."""
    if params.objective == "cvar":
        return f"CVaR at {params.risk_level:g}"
    if params.objective == "var":
        return f"VaR at {params.risk_level:g}"
    return "mean response"


def _utility_code(params: BudgetParams) -> str:
    name = "conditional_value_at_risk" if params.objective == "cvar" else "value_at_risk"
    return f"utility.{name}({literal(float(params.risk_level))})"


def setup_lines(params: BudgetParams, risk: list[str]) -> list[str]:
    """Code of a national model's optimizer, ``per_period`` and ``plan_contribution``.

    Needs :func:`~mmm_widgets.steps.budget.curves.spend_lines`; ``risk`` is
    :func:`risk_lines`.
    """
    return [
        f"periods = {literal(params.periods)}",
        "dates = pd.DatetimeIndex(past_spend.indexes['date'], freq='infer')",
        "horizon = pd.date_range(dates[-1], periods=periods + 1,",
        "                        freq=dates.freq or dates[-1] - dates[-2])[1:]",
        "current = run_rate * periods",
        *window_end_lines("horizon", "horizon_end"),
        "# pymc-marketing keeps the last l_max periods of real spend before the window "
        "(carry-in)",
        "# and adds l_max periods without spend after it (carry-over)",
        "optimizer = mmm.budget_optimizer(",
        "    start_date=horizon[0], end_date=horizon_end,",
        "    utility_function=utility.average_response,",
        ")",
        "target_scale = float(mmm.data.get_target_scale())",
        "",
        "",
        "def per_period(allocation):",
        "    \"\"\"Spend per period of a plan (channel -> spend over the horizon).\"\"\"",
        "    values = [allocation.get(c, 0.0) / periods for c in channels]",
        "    return xr.DataArray(values, dims='channel', coords={'channel': channels})",
        "",
        "",
        "no_spend = optimizer.evaluate_response_distribution(",
        "    per_period({}), response_variable='channel_contribution')",
        "",
        "",
        "def plan_contribution(allocation):",
        "    \"\"\"Contribution (sample, channel) a plan adds over the horizon and its "
        "carry-over tail.\"\"\"",
        "    with_plan = optimizer.evaluate_response_distribution(",
        "        per_period(allocation), response_variable='channel_contribution')",
        "    return (with_plan - no_spend).sum('date') * target_scale",
        "",
        "",
        *best_allocation_lines("best_allocation", "checked_optimum"),
        *risk,
    ]


def optimizer_name(params: BudgetParams) -> str:
    """The optimizer the plan is optimized with: the risk-aware one for CVaR and VaR."""
    return "optimizer" if params.objective == "mean" else "risk_optimizer"


def risk_lines(params: BudgetParams, geo: str | None = None) -> list[str]:
    """A second optimizer whose risk measure sees only what the plan adds.

    pymc-marketing applies the utility to its response over the whole date axis,
    carry-in included. That part does not depend on the plan but differs by draw,
    so a risk measure of it would pick its worst draws by the spend made before the
    window. Subtracting each draw's response without spend in the window leaves the
    plan's own contribution, as :func:`plan_contribution` reports it; for the mean
    the constant changes nothing, so the mean objective needs no second optimizer.
    """
    if params.objective == "mean":
        return []
    return [
        f"# {objective_text(params)} of what the plan adds. pymc-marketing's response "
        "also holds the",
        "# contribution of spend made before the window, which differs by draw: left "
        "in, it would",
        "# decide which draws are the worst and hedge the plan against past spend",
        "def of_the_plan(risk):",
        "    \"\"\"``risk`` of the response a plan adds: its response minus the one "
        "without spend.\"\"\"",
        "    no_spend_total = optimizer.evaluate_response_distribution(per_period({}))",
        "    baseline = ptx.as_xtensor(no_spend_total.to_numpy(), "
        "dims=no_spend_total.dims)",
        "",
        "    def plan_utility(samples, budgets):",
        "        return risk(samples - baseline, budgets)",
        "",
        "    return plan_utility",
        "",
        "",
        "risk_optimizer = mmm.budget_optimizer(",
        "    start_date=horizon[0], end_date=horizon_end,",
        f"    utility_function=of_the_plan({_utility_code(params)}),",
        *(["    budgets_to_optimize=spends,"] if geo else []),
        ")",
    ]


def bounds_lines(params: BudgetParams, channels: tuple[str, ...]) -> list[str]:
    """Code of ``bounds``: (lowest, highest) spend of each channel over the horizon."""
    pct = params.default_bound_pct
    explicit = [f"    {literal(c)}: {literal(params.bounds[c])},"
                for c in channels if c in params.bounds]
    if len(explicit) == len(channels):
        return ["# (lowest, highest) spend of each channel over the horizon",
                "bounds = {", *explicit, "}"]
    if pct is None:
        lines = ["# (lowest, highest) spend of each channel over the horizon: any split "
                 "of the total",
                 "bounds = {c: (0.0, total) for c in channels}"]
    else:
        low, high = band_factors(pct)
        lines = [f"# (lowest, highest) spend of each channel over the horizon: within "
                 f"{pct:g} % of its",
                 "# current spend" + (", unless set below" if explicit else ""),
                 f"bounds = {{c: ({literal(low)} * current[c], {literal(high)} * current[c])"
                 " for c in channels}"]
    return lines + (["bounds.update({", *explicit, "})"] if explicit else [])


def optimize_lines(params: BudgetParams, channels: tuple[str, ...]) -> list[str]:
    """Code of a national model's optimization: ``optimized`` and ``budget_allocation``."""
    total = float(params.total)
    prob = literal(float(params.hdi_prob))
    return [
        f"total = {literal(total)}",
        *bounds_lines(params, channels),
        "budget_bounds = xr.DataArray([bounds[c] for c in channels], dims=('channel', 'bound'),",
        "                             coords={'channel': channels}) / periods",
        f"optimization = best_allocation({optimizer_name(params)}, total / periods, "
        "budget_bounds)",
        "optimized = optimization.budgets.to_series().reindex(channels) * periods",
        "optimized_contribution = plan_contribution(optimized.to_dict())",
        "optimized_hdi = az.hdi(optimized_contribution.transpose('channel', 'sample')"
        f".to_numpy(), prob={prob})",
        "budget_allocation = pd.DataFrame({",
        "    'current': current,",
        "    'optimized': optimized,",
        "    'change_pct': (optimized / current - 1) * 100,",
        "    'expected_contribution': optimized_contribution.mean('sample').to_series(),",
        "    'contribution_hdi_low': optimized_hdi[:, 0],",
        "    'contribution_hdi_high': optimized_hdi[:, 1],",
        "}, index=pd.Index(channels, name='channel'))",
    ]


def scenario_lines(params: BudgetParams, geo: str | None = None) -> list[str]:
    """Code of ``scenarios`` (the plans to compare) and ``scenario_table``."""
    prob = literal(float(params.hdi_prob))
    what = "(channel, geo)" if geo else "channel"
    lines = [f"# Scenarios: {what} -> spend over the horizon",
             "scenarios = {'current': current.to_dict()}"]
    if params.total is not None:
        lines.append("scenarios['optimized'] = optimized.to_dict()")
    for scenario in params.scenarios:
        name = literal(scenario.name)
        if scenario.base is not None:
            factor = f"(1 + {literal(float(scenario.change_pct or 0.0))} / 100)"
            lines.append(f"scenarios[{name}] = {{c: v * {factor} "
                         f"for c, v in scenarios[{literal(scenario.base)}].items()}}")
        elif geo:
            lines += geo_plan_lines(f"scenarios[{name}]", scenario.allocation)
        else:
            lines.append(f"scenarios[{name}] = {{")
            lines += [f"    {literal(c)}: {literal(v)}," for c, v in
                      scenario.allocation.items()]
            lines.append("}")
    total_dims = f"['channel', {literal(geo)}]" if geo else "'channel'"
    lines += [
        f"outcomes = {{name: plan_contribution(allocation).sum({total_dims})",
        "            for name, allocation in scenarios.items()}",
        "scenario_rows = []",
        "for name, outcome in outcomes.items():",
        "    plan_spend = sum(scenarios[name].values())",
        "    mean = float(outcome.mean())",
        f"    low, high = az.hdi(outcome.to_numpy(), prob={prob})",
        "    scenario_rows.append({",
        "        'scenario': name, 'total_spend': plan_spend, 'expected_outcome': mean,",
        "        'outcome_hdi_low': float(low), 'outcome_hdi_high': float(high),",
        "        'roas': mean / plan_spend if plan_spend else float('nan'),",
        "        'prob_beats_current': float((outcome > outcomes['current']).mean()),",
        "    })",
        "scenario_table = pd.DataFrame(scenario_rows).set_index('scenario')",
    ]
    return lines
