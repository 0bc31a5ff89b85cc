"""Every public step on generated tables that are not ours, and the export replays them.

For each table: the suggested roles are the true ones, every public ``Workflow`` method
runs without a raw exception (a valid table must not even give an ``mmm_widgets`` error),
the wizard's panels run it headless, and the exported script, run in a fresh process that
never imports mmm_widgets, gives the numbers the kit showed.

CI runs :data:`CI_SEEDS`, picked to cover every variation at least once (Excel serial,
text and datetime dates; daily and monthly rows; geo panels with a channel that never spends in one
geo; a long table; currency targets; ``x1`` beside ``y``; 15 channels; text events; a trend column;
conversions with their revenue per conversion; spend and sales written as text, ``1.234,56 €``
and ``1,234.56``, and in a spreadsheet's Accounting format, `` $ -  `` for zero; a report's
empty rows and ``Total`` row at the end, a row of units above the first period; ISO weeks,
``2021-W01``, and ``Jan 01, 2022``).
``pytest tests/conformance --conformance N`` runs seeds 0..N-1 instead.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import MMMWidgetsError
from tests.conformance.tables import (
    YEAR_WEEKS,
    TableSpec,
    outage_rows,
    periods,
    spec,
    table,
)
from tests.conftest import run_fresh

pytestmark = pytest.mark.fit

#: Excel serials + x/y + trend; DATE + events + trend; geo + events + day-first dates;
#: daily geo panel with impressions; 15 platform-cost channels + events; daily national;
#: daily geo panel of conversions with their revenue per conversion; monthly geo panel;
#: a long daily geo panel (a row per date, geo and channel) with month-first dates. Seeds 11
#: and 18 write spend and sales as text (``1.234,56 €``, ``1,234.56``), seed 11 its days as an
#: ad platform's report does (``Jan 01, 2022``); seed 34 ends as a report does, with two empty
#: rows and a ``Total`` row; seed 20 names its weeks ``2021-W01``; seed 25 starts with a row
#: of units (``EUR``) and writes its money in the Accounting format (`` $ (12.50)``, `` $ -  ``);
#: seeds 18 and 25 write their price index as a percentage (``101.25%``); seeds 3 and 11
#: write their first channel's national spend on every geo's row; seed 17 has no sales
#: recorded on 3 weeks mid-series in every geo (an outage).
CI_SEEDS = (5, 8, 17, 11, 18, 34, 29, 14, 3, 20, 25)


#: A quarter in periods of each spacing: the run-rate the budget's default bounds follow.
QUARTER = {"D": 91, "W": 13, "M": 3}


#: The wizard's panels call the same steps: in CI they are clicked through on a national
#: weekly table, a geo panel, daily rows and a long table.
CI_WIZARD_SEEDS = (8, 17, 34, 3)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "seed" in metafunc.fixturenames:
        count = metafunc.config.getoption("--conformance")
        wizard = metafunc.function.__name__ == "test_the_wizard_panels_run_headless"
        ci = CI_WIZARD_SEEDS if wizard else CI_SEEDS
        metafunc.parametrize("seed", list(range(count)) if count else list(ci))


def _l_max(variation: TableSpec) -> int:
    return 7 if variation.modelled_frequency == "D" else 4


def _call(failures: list[str], name: str, work: Callable[[], Any]) -> Any:
    """Run one public method; record an error of any kind with its traceback."""
    try:
        return work()
    except MMMWidgetsError as error:
        failures.append(f"{name}: mmm_widgets error on a valid table: {error}")
    except Exception:  # the defect this suite exists to find
        failures.append(f"{name}: raw exception\n{traceback.format_exc(limit=-4)}")
    return None


def _run_every_step(wf: mw.Workflow, variation: TableSpec,
                    folder: Path) -> tuple[list[str], Any]:
    """The failures, and the prior check (shown first, it is in the export)."""
    failures: list[str] = []
    channels = variation.channel_names
    # Spend per period at the current run-rate (the last quarter's periods, every geo):
    # the default bounds keep each channel within 30 % of it, so this total is always
    # allowed (the average over all periods is not when spend grew by more than 43 %).
    mapped, date = wf.data_result.data, variation.roles["date"]
    last = sorted(mapped[date].unique())[-QUARTER[variation.modelled_frequency]:]
    spend = float(mapped[mapped[date].isin(last)][channels].sum().sum()) / len(last)
    call = lambda name, work: _call(failures, name, work)  # noqa: E731
    prior = call("prior_check", lambda: wf.prior_check(samples=30))
    call("channel_summary", wf.channel_summary)
    call("diagnostics", lambda: wf.diagnostics(prior_draws=30))
    call("holdout", lambda: wf.holdout(periods=6))
    call("overview", lambda: wf.overview(margin=0.3))
    call("profit", lambda: wf.profit(0.3))
    call("response_curves", lambda: wf.response_curves(points=15))
    call("optimize_budget", lambda: wf.optimize_budget(total=4 * spend, periods=4))
    call("what_if", lambda: wf.what_if({c: float(wf.data[c].mean()) for c in channels}))
    call("report", lambda: wf.report(folder / "report.html"))
    call("save_load", lambda: mw.Workflow.load(wf.save(folder / "saved")))
    call("to_notebook", lambda: wf.to_notebook(folder / "analysis.ipynb"))
    return failures, prior


@pytest.fixture
def generated(seed: int, tmp_path: Path) -> tuple[TableSpec, mw.Workflow]:
    variation = spec(seed)
    path = tmp_path / "their_table.csv"
    table(variation).to_csv(path, index=False)
    return variation, mw.Workflow.from_file(path)


def test_every_public_step_runs_and_the_export_replays(generated, tmp_path):
    variation, wf = generated
    suggested = wf.suggest_mapping()
    roles = ("date", "target", "geo", "value_per_unit", "long")
    assert {k: suggested[k] for k in roles} == {k: variation.roles[k] for k in roles}
    assert sorted(suggested["channels"]) == sorted(variation.roles["channels"])
    wf.map_data(**variation.roles)
    national = [f.columns for f in wf.data_result.warnings if f.kind == "national"]
    assert national == ([(variation.channel_names[0],)] if variation.national_channel else [])
    outages = [f.message for f in wf.data_result.warnings if f.kind == "outage"]
    assert len(outages) == variation.outage
    if variation.outage and not variation.weekdays_only:
        first = periods(variation)[outage_rows(variation)][0]
        if variation.date_format in YEAR_WEEKS:  # read as its ISO week's Monday
            first -= pd.Timedelta(days=first.weekday())
        assert f"on {first:%Y-%m-%d} to " in outages[0]
    # the generated baselines are flat (or their trend mapped as a control)
    assert not [f for f in wf.data_result.warnings if f.kind == "baseline"]
    wf.configure_model(l_max=_l_max(variation), yearly_seasonality=2)
    wf.fit("map")
    failures, prior = _run_every_step(wf, variation, tmp_path)
    assert not failures, "\n".join(failures)
    if variation.national_channel:
        # The plan keeps the national channel's split: the same spend in every geo
        plan = wf.step("budget").result.allocation.loc[variation.channel_names[0]]
        geos = wf.data[variation.roles["geo"]].nunique()
        assert len(plan) == geos
        np.testing.assert_allclose(plan["optimized"] / plan["optimized"].sum(),
                                   np.full(geos, 1 / geos), atol=1e-6)

    wf.channel_summary().to_pickle(tmp_path / "summary.pkl")
    # Numbers shown outside any step are exported once shown: the prior check (shown
    # above, after the model's cell; no step run since re-ran the data or the model) and
    # response curves at a threshold the budget step did not use.
    curves = wf.response_curves(threshold=1.3, points=15)
    curves.to_pickle(tmp_path / "curves.pkl")
    # What the panels showed: the steps' results, not a second run of them.
    diagnostics = wf.step("diagnostics").result.report()
    shown = {"diagnostics": {k: diagnostics[k] for k in ("r2", "mape")},
             "holdout_mape": wf.step("holdout").result.mape,
             "prior": [prior.implied_low, prior.implied_high],
             "threshold_spend": list(curves.attrs["threshold_spend"].values())}
    (tmp_path / "shown.json").write_text(json.dumps(shown))
    run_fresh(wf.to_script() + """
import json, sys
import numpy as np
assert not any(name.startswith('mmm_widgets') for name in sys.modules)
shown = json.load(open('shown.json'))
pd.testing.assert_frame_equal(channel_summary, pd.read_pickle('summary.pkl'), rtol=1e-6)
np.testing.assert_allclose([r2, mape], [shown['diagnostics']['r2'], shown['diagnostics']['mape']],
                           rtol=1e-6)
np.testing.assert_allclose(holdout_mape, shown['holdout_mape'], rtol=1e-6)
np.testing.assert_allclose(np.quantile(prior_y, [0.03, 0.97]), shown['prior'], rtol=1e-9)
expected = pd.read_pickle('curves.pkl')
replayed = response_curves[expected.columns].astype({c: str for c in expected.columns[:-5]})
pd.testing.assert_frame_equal(replayed.reset_index(drop=True), expected.reset_index(drop=True),
                              rtol=1e-9, check_dtype=False)
np.testing.assert_allclose(list(dict(threshold_spend).values()), shown['threshold_spend'],
                           rtol=1e-9)
""", tmp_path)


def test_the_wizard_panels_run_headless(generated):
    variation, wf = generated
    wizard = mw.Wizard(wf, save_to=None)
    data_panel = wizard.panel("data")
    assert data_panel.date.value == variation.date_name
    assert data_panel.target.value == variation.target_name
    if variation.long:
        layout = (data_panel.channel_column.value, data_panel.value_column.value)
        assert data_panel.is_long.value and layout == tuple(variation.long_layout.values())
    else:
        assert sorted(data_panel.channels.value) == sorted(variation.channel_names)
    assert data_panel.value.value == (variation.value_name or "(none)")
    data_panel.controls.value = tuple(variation.control_names)
    data_panel.weekly.value = variation.weekdays_only
    data_panel.apply_button.click()
    assert "Mapping applied" in data_panel.message.value, data_panel.message.value
    model_panel = wizard.panel("model")
    model_panel.l_max.value = _l_max(variation)
    model_panel.apply_button.click()
    assert "Model ready" in model_panel.message.value, model_panel.message.value
    fit_panel = wizard.panel("fit")
    fit_panel.preset.value = "Quick preview (MAP)"
    fit_panel.start_button.click()
    fit_panel.wait(timeout=600)
    assert wf.status("fit") == "done", fit_panel.message.value
    diagnostics_panel = wizard.panel("diagnostics")
    diagnostics_panel.run_button.click()
    assert wf.status("diagnostics") == "done", diagnostics_panel.message.value
    overview = wizard.panel("overview").refresh()
    assert np.isfinite(overview.channels["contribution"]).all()
    budget_panel = wizard.panel("budget")
    budget_panel.shown()
    budget_panel.optimize_button.click()
    budget_panel.wait(timeout=600)
    assert wf.status("budget") == "done", budget_panel.message.value
