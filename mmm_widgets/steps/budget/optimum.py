"""The check after pymc-marketing's optimizer: keep a plan SLSQP could not certify if optimal.

The budget and plan cells define the function :func:`optimum_check_lines` writes and
pass every ``allocate_budget(..., return_if_fail=True)`` through it.
"""

from __future__ import annotations

#: What the cells import to raise pymc-marketing's own optimizer failure.
MINIMIZE_IMPORT = "from pymc_marketing.mmm.budget_optimizer import MinimizeException"


def optimum_check_lines(name: str) -> list[str]:
    """Code of a function ``name(optimizer, optimization, budget_bounds)``: the plan or a failure.

    pymc-marketing's SLSQP tolerance is absolute (1e-9 on the objective over its steepest
    gradient), so with large amounts of money (hundreds of millions per period) SLSQP
    can stop at the optimum without certifying it: "Positive directional derivative for
    linesearch". ``allocate_budget(..., return_if_fail=True)`` hands back that plan, and
    the function keeps it when the first-order conditions of the problem hold: no budget
    that can still rise has a larger marginal response than one that can still fall
    (within 1 % of the largest); otherwise it raises pymc-marketing's ``MinimizeException``.
    """
    return [
        f"def {name}(optimizer, optimization, budget_bounds):",
        "    \"\"\"``optimization`` if SLSQP succeeded or stopped where no move between "
        "budgets adds.",
        "",
        "    SLSQP's tolerance is absolute, so with large amounts of money it can stop at "
        "the optimum",
        "    without certifying it ('Positive directional derivative for linesearch'). "
        "Such a plan is",
        "    kept when no budget that can still rise has a larger marginal response than "
        "one that can",
        "    still fall (within 1 % of the largest).",
        "    \"\"\"",
        "    result = optimization.scipy_result",
        "    if result.success:",
        "        return optimization",
        "    decided = optimizer.budgets_to_optimize",
        "",
        "    def decided_cells(values, *other_dims):",
        "        \"\"\"The values of the cells SLSQP decided, in the order of its gradient.\"\"\"",
        "        aligned = values.reindex_like(decided).transpose(*decided.dims, *other_dims)",
        "        return aligned.values[decided.values]",
        "",
        "    spend = decided_cells(optimization.budgets)",
        "    low, high = decided_cells(budget_bounds, 'bound').T",
        "    marginal = -np.asarray(result.jac)[:spend.size]  # SLSQP minimizes minus the "
        "utility",
        "    room = 1e-6 * float((high - low).max())",
        "    can_rise, can_fall = spend < high - room, spend > low + room",
        "    slack = 0.01 * float(np.abs(marginal).max())",
        "    if can_rise.any() and can_fall.any() and \\",
        "            marginal[can_rise].max() > marginal[can_fall].min() + slack:",
        "        raise MinimizeException(f'Optimization failed: {result.message}')",
        "    return optimization",
        "",
        "",
    ]

