"""pymc-marketing's optimizer, converged and checked: the budget and plan cells' best plan.

The budget and plan cells define the two functions :func:`best_allocation_lines` writes
and get every plan from the second: pymc-marketing's ``allocate_budget`` with a tolerance
relative to the objective, started again where SLSQP stopped short, then the first's
check of the first-order conditions (:func:`optimum_check_lines`).
"""

from __future__ import annotations

#: What the cells import to raise pymc-marketing's own optimizer failure.
MINIMIZE_IMPORT = "from pymc_marketing.mmm.budget_optimizer import MinimizeException"


def optimum_check_lines(name: str, held: bool = False) -> list[str]:
    """Code of a function ``name(optimizer, optimization, budget_bounds)``: the plan or a failure.

    pymc-marketing's SLSQP tolerance is absolute (1e-9 on the objective over its steepest
    gradient), so with large amounts of money (hundreds of millions per period) SLSQP
    can stop at the optimum without certifying it: "Positive directional derivative for
    linesearch". ``allocate_budget(..., return_if_fail=True)`` hands back that plan, and
    the function keeps it when the first-order conditions of the problem hold: no budget
    that can still rise has a larger marginal response than one that can still fall
    (within 1 % of the larger of the two); otherwise it raises pymc-marketing's
    ``MinimizeException``.

    With ``held`` (a geo model with channels whose split over the geos is held, see
    :mod:`~mmm_widgets.steps.budget.held`) the function takes ``held_shares`` too
    (channel -> geo -> share): a held channel's budgets move together, so they are one
    budget whose marginal response is the share-weighted sum of its geos'.
    """
    signature = "optimizer, optimization, budget_bounds" + (", held_shares" if held else "")
    return [
        f"def {name}({signature}):",
        "    \"\"\"``optimization`` if SLSQP succeeded or stopped where no move between "
        "budgets adds.",
        "",
        "    With large amounts of money SLSQP can stop at the optimum without certifying "
        "it",
        "    ('Positive directional derivative for linesearch'). Such a plan is",
        "    kept when no budget that can still rise has a larger marginal response than "
        "one that can",
        "    still fall (within 1 % of the larger of the two).",
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
        *(_held_lines() if held else []),
        "    if not (can_rise.any() and can_fall.any()):",
        "        return optimization",
        "    # 1 % of the larger of the two marginal responses compared: a geo panel's cells "
        "held at",
        "    # their bounds can have marginal responses a thousand times the free cells'",
        "    rising, falling = marginal[can_rise].max(), marginal[can_fall].min()",
        "    if rising > falling + 0.01 * max(abs(rising), abs(falling)):",
        "        raise MinimizeException(f'Optimization failed: {result.message}')",
        "    return optimization",
        "",
        "",
    ]


def _held_lines() -> list[str]:
    """Lines of the check making each held channel one budget (see
    :func:`optimum_check_lines`)."""
    return [
        "    # A held channel's budgets move together: one budget, whose marginal response is "
        "the",
        "    # share-weighted sum of its geos'; it can rise (fall) when every geo with a share "
        "can",
        "    cells = decided.stack(cell=decided.dims)",
        "    labels = [dict(zip(decided.dims, (str(v) for v in cell)))",
        "              for cell in cells['cell'].values[cells.values]]",
        "    units = {}",
        "    for i, label in enumerate(labels):",
        "        channel = label.pop('channel')",
        "        key = channel if channel in held_shares else i",
        "        weight = held_shares[channel][label.popitem()[1]] if channel in held_shares "
        "else 1.0",
        "        units.setdefault(key, []).append((i, weight))",
        "    members = list(units.values())",
        "    marginal = np.array([sum(w * marginal[i] for i, w in m) for m in members])",
        "    can_rise = np.array([all(can_rise[i] for i, w in m if w > 0) for m in members])",
        "    can_fall = np.array([all(can_fall[i] for i, w in m if w > 0) for m in members])",
    ]


#: Tolerance of SLSQP relative to the objective. Above float64's rounding of the
#: objective (Meridian's 40-geo table: 6e-17 of it never converged, 6e-16 did); below
#: the changes of SLSQP's slow first steps on budgets of hundreds of millions (generated
#: table 0 stopped short at 1e-12, converged at 1e-13 and below).
RELATIVE_TOLERANCE = 1e-14
#: Times SLSQP starts again from where it stopped short.
RESTARTS = 3


def best_allocation_lines(name: str, check: str, held: bool = False) -> list[str]:
    """Code of ``check`` (:func:`optimum_check_lines`) and of
    ``name(optimizer, total_budget, budget_bounds)``: pymc-marketing's best plan.

    Two settings around pymc-marketing's ``allocate_budget``:

    - **A tolerance relative to the objective.** pymc-marketing's ``ftol`` (1e-9) is
      absolute, in the target's money (it divides the objective by its steepest gradient
      only when that exceeds 1, which money per unit of money rarely does). On a
      response of millions that asks more digits than float64 holds: on Meridian's
      40-geo table SLSQP ran 1,000 iterations to "Iteration limit reached". The
      tolerance is :data:`RELATIVE_TOLERANCE` of the objective at the bounds' middle.
    - **Restarts.** On budgets of very different sizes (a geo panel's cells) SLSQP's
      estimate of the curvature can leave it stopped short ("Positive directional
      derivative for linesearch") where a move between cells still adds. It then starts
      again from where it stopped, with a fresh estimate, up to :data:`RESTARTS` times
      while that improves the objective.

    The plan then goes through ``check``. With ``held`` both functions take
    ``held_shares`` too (see :func:`optimum_check_lines`).
    """
    shares = ", held_shares" if held else ""
    arguments = ("total_budget=total_budget, budget_bounds=budget_bounds, "
                 "minimize_kwargs=settings,")
    return [
        *optimum_check_lines(check, held),
        f"def {name}(optimizer, total_budget, budget_bounds{shares}):",
        "    \"\"\"pymc-marketing's plan for ``total_budget`` (per period) within "
        "``budget_bounds``.",
        "",
        "    pymc-marketing's ftol (1e-9) is absolute, in the target's money: on a response "
        "of millions",
        "    it asks more digits than float64 holds. Here it is "
        f"{RELATIVE_TOLERANCE:g} of the objective at the",
        "    middle of the bounds. When SLSQP stops short (its iteration limit, or "
        "'Positive",
        "    directional derivative' on budgets of very different sizes), it starts again "
        "from where",
        f"    it stopped, with a fresh estimate of the curvature, up to {RESTARTS} times while "
        "that",
        f"    improves the objective; the plan then goes through {check}.",
        "    \"\"\"",
        "    middle = optimizer.evaluate_plan(budget_bounds.mean('bound'))",
        f"    tolerance = {RELATIVE_TOLERANCE!r} * max(abs(float(middle.objective)), 1.0)",
        "    settings = {'options': {'ftol': tolerance}}",
        "    optimization = optimizer.allocate_budget(",
        f"        {arguments}",
        "        return_if_fail=True)",
        f"    for _ in range({RESTARTS}):",
        "        if optimization.scipy_result.success:",
        "            break",
        "        again = optimizer.allocate_budget(",
        f"            {arguments}",
        "            return_if_fail=True, x0=optimization.budgets)",
        "        if again.scipy_result.fun >= optimization.scipy_result.fun:",
        "            break",
        "        optimization = again",
        f"    return {check}(optimizer, optimization, budget_bounds{shares})",
        "",
        "",
    ]
