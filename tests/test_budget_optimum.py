"""A plan SLSQP could not certify is kept only where no move between budgets adds.

pymc-marketing's SLSQP tolerance is absolute, so with hundreds of millions per period
it stops at the optimum with "Positive directional derivative for linesearch". The
budget and plan cells pass every ``allocate_budget(..., return_if_fail=True)`` through
the function of :func:`~mmm_widgets.steps.budget.optimum.optimum_check_lines`.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import xarray as xr
from pymc_marketing.mmm.budget_optimizer import MinimizeException

import mmm_widgets as mw
from mmm_widgets.steps.budget.checks import translate_budget_error
from mmm_widgets.steps.budget.optimum import MINIMIZE_IMPORT, optimum_check_lines
from tests.conformance.tables import TableSpec, spec, table
from tests.conftest import budget_namespaces

CHANNELS = ["a", "b", "c"]


def _check() -> object:
    names: dict = {"np": np}
    exec(MINIMIZE_IMPORT, names)
    exec("\n".join(optimum_check_lines("check")), names)
    return names["check"]


def _stopped(spend: list[float], marginal: list[float]) -> tuple[object, object, xr.DataArray]:
    """An optimizer and an SLSQP result that stopped short, with bounds (0, 10) per channel."""
    coords = {"channel": CHANNELS}
    optimizer = SimpleNamespace(budgets_to_optimize=xr.DataArray(
        [True, True, True], dims="channel", coords=coords))
    result = SimpleNamespace(success=False, jac=-np.asarray(marginal), status=8,
                             message="Positive directional derivative for linesearch")
    optimization = SimpleNamespace(
        budgets=xr.DataArray(spend, dims="channel", coords=coords), scipy_result=result)
    bounds = xr.DataArray([[0.0, 10.0]] * 3, dims=("channel", "bound"), coords=coords)
    return optimizer, optimization, bounds


@pytest.mark.parametrize(("spend", "marginal"), [
    ([4.0, 3.0, 3.0], [2.0, 2.0, 2.0]),    # inside the bounds, equal marginal responses
    ([10.0, 0.0, 5.0], [3.0, 1.0, 2.0]),   # the best at its upper bound, the worst at 0
    ([10.0, 10.0, 0.0], [5.0, 4.0, 1.0]),  # only c can rise, and it adds the least
])
def test_a_plan_no_move_improves_is_kept(spend, marginal):
    optimizer, optimization, bounds = _stopped(spend, marginal)
    assert _check()(optimizer, optimization, bounds) is optimization


@pytest.mark.parametrize(("spend", "marginal"), [
    ([4.0, 3.0, 3.0], [2.0, 1.0, 2.0]),    # moving from b to a adds
    ([0.0, 10.0, 5.0], [3.0, 1.0, 2.0]),   # the best channel at 0
    ([10.0, 10.0, 0.0], [2.0, 2.0, 2.03]),  # c adds more than 1 % above the others
])
def test_a_plan_a_move_improves_raises_pymc_marketings_error(spend, marginal):
    optimizer, optimization, bounds = _stopped(spend, marginal)
    with pytest.raises(MinimizeException, match="Positive directional derivative"):
        _check()(optimizer, optimization, bounds)


@pytest.mark.parametrize(("objective", "suggests_mean"), [("mean", False), ("cvar", True)])
def test_a_refused_plan_says_what_to_change(objective, suggests_mean):
    optimizer, optimization, bounds = _stopped([4.0, 3.0, 3.0], [2.0, 1.0, 2.0])
    with pytest.raises(MinimizeException) as raised:
        _check()(optimizer, optimization, bounds)
    error = translate_budget_error(raised.value, objective)
    assert isinstance(error, mw.ModelError)
    assert "did not find an allocation" in str(error)
    assert "Loosen the bounds or change the total" in str(error)
    # the mean objective is suggested only to those who chose another one
    assert ("'mean' objective" in str(error)) is suggests_mean


def test_a_certified_plan_passes_unchecked():
    optimizer, optimization, bounds = _stopped([0.0, 10.0, 5.0], [3.0, 1.0, 2.0])
    optimization.scipy_result.success = True
    assert _check()(optimizer, optimization, bounds) is optimization


def _fitted(variation: TableSpec, folder) -> mw.Workflow:
    """A MAP fit of a generated table, read from a CSV file as a user's would be."""
    path = folder / "their_table.csv"
    table(variation).to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(**variation.roles)
    wf.configure_model(l_max=4, yearly_seasonality=2)
    wf.fit("map")
    return wf


def _optimized(wf: mw.Workflow, total: float, monkeypatch) -> tuple[object, dict]:
    """The budget step's table for ``total`` over 4 periods, and the namespace its cell ran in."""
    namespaces = budget_namespaces(monkeypatch)
    return wf.optimize_budget(total=total, periods=4), namespaces[-1]


@pytest.mark.fit
def test_hundreds_of_millions_per_period_get_a_plan_no_move_improves(tmp_path, monkeypatch):
    # Generated table 0: 13 channels with 0.3 to 190 million of spend per week.
    variation = spec(0)
    wf = _fitted(variation, tmp_path)
    channels = variation.channel_names
    total = 4 * float(wf.data[channels].sum().sum()) / variation.periods
    table_, names = _optimized(wf, total, monkeypatch)
    optimizer, budget_bounds = names["optimizer"], names["budget_bounds"]
    # This is the case: pymc-marketing's own call, without return_if_fail, fails here.
    with pytest.raises(MinimizeException, match="Positive directional derivative"):
        optimizer.allocate_budget(total_budget=total / 4, budget_bounds=budget_bounds)
    # With the kit's tolerance (relative to the objective) SLSQP certifies the plan itself
    result = names["optimization"].scipy_result
    assert result.success, result.message
    plan = table_["optimized"]
    assert plan.sum() == pytest.approx(total, rel=1e-9)
    low, high = (budget_bounds.sel(bound=i).to_series().reindex(channels) * 4 for i in (0, 1))
    assert (plan >= low * (1 - 1e-9)).all() and (plan <= high * (1 + 1e-9)).all()
    # No move of 0.1 % of the total from a budget that can fall to one that can rise adds
    # to the expected contribution, straight from the posterior's response to each plan.
    plan_contribution = names["plan_contribution"]

    def expected(allocation):
        return float(plan_contribution(allocation).sum("channel").mean("sample"))

    at_plan, step = expected(plan.to_dict()), 1e-3 * total
    room = 1e-6 * float((high - low).max())
    rising = [c for c in channels if plan[c] < high[c] - room]
    falling = [c for c in channels if plan[c] > low[c] + room]
    assert rising and falling
    for up in rising:
        for down in falling:
            if up == down:
                continue
            moved = plan.to_dict()
            moved[up] += min(step, high[up] - plan[up])
            moved[down] -= moved[up] - plan[up]
            assert expected(moved) <= at_plan * (1 + 1e-6), (up, down)


@pytest.mark.fit
def test_a_geo_panel_worth_hundreds_of_millions_gets_a_plan_no_move_improves(tmp_path,
                                                                              monkeypatch):
    """pymc-marketing's SLSQP tolerance is absolute (1e-9 of the objective, or of the
    objective over its steepest gradient when that exceeds 1): on Meridian's 40-geo table
    it ran to its iteration limit, and on this generated panel (5 geos x 8 channels,
    conversions worth hundreds of millions a week) it stops early. The kit's tolerance is
    relative to the objective."""
    variation = TableSpec(seed=7, geos=5, n_channels=8, target_scale=1e8, value_per_unit=True,
                          target_name="conversions")
    wf = _fitted(variation, tmp_path)
    channels, geo = variation.channel_names, variation.geo_name
    # Four weeks at the run-rate of the last 13 (over every geo)
    recent = wf.data[wf.data["date"] >= sorted(wf.data["date"].unique())[-13]]
    total = 4 * float(recent[channels].sum().sum()) / 13
    table_, names = _optimized(wf, total, monkeypatch)
    plan = table_["optimized"].to_dict()
    optimizer, budget_bounds = names["optimizer"], names["budget_bounds"]
    plan_contribution = names["plan_contribution"]

    def expected(allocation):
        return float(plan_contribution(allocation).sum(["channel", geo]).mean("sample"))

    at_plan = expected(plan)
    assert sum(plan.values()) == pytest.approx(total, rel=1e-9)
    # pymc-marketing's own call at its default tolerance stops at a plan
    # that adds less
    default = optimizer.allocate_budget(total_budget=total / 4, budget_bounds=budget_bounds,
                                        return_if_fail=True)
    default_plan = (default.budgets.transpose("channel", geo).to_series() * 4).to_dict()
    assert at_plan > expected(default_plan) * (1 + 1e-4)
    # No move of 0.01 % of the total from a cell that can fall to one that can rise adds
    # to the expected contribution. Cells add up (each one's contribution depends on its
    # own spend alone), so a move adds the gain of one cell minus the loss of the other.
    step = 1e-4 * total
    low, high = ({cell: 4 * float(budget_bounds.sel(channel=cell[0], bound=i).sel({geo: cell[1]}))
                  for cell in plan} for i in (0, 1))
    gains = {cell: expected({**plan, cell: plan[cell] + step}) - at_plan
             for cell in plan if plan[cell] + step <= high[cell]}
    losses = {cell: at_plan - expected({**plan, cell: plan[cell] - step})
              for cell in plan if plan[cell] - step >= low[cell]}
    assert gains and losses
    best_move = max(gains[up] - losses[down] for up in gains for down in losses if up != down)
    assert best_move <= 1e-6 * at_plan, best_move
