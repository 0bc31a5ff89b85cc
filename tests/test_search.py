"""The model search (#20) on a real local Dask cluster, on generated tables that are not ours.

Every test fits real pymc-marketing models (MAP) on a real ``LocalCluster`` of two worker
processes. Expected numbers come from an independent computation: the ranking from the
per-fold scores by hand, the scores from the same fold functions run one after another
in this process, and the exported cell from a fresh process without mmm_widgets.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.engine.cluster import local_client, worker_pids
from mmm_widgets.errors import ModelError, StepOrderError
from mmm_widgets.steps.search import RANKED_COLUMNS
from tests.conformance.tables import TableSpec, table

pytestmark = pytest.mark.fit

#: Runs the script the way a notebook kernel runs cells: no ``__main__`` file, which a
#: LocalCluster's spawned workers would otherwise import (and so start a cluster each).
LAUNCH = "exec(compile(open('replay.py').read(), 'replay.py', 'exec'))"

GRID = {"adstock": ["geometric", "delayed"]}
FOLDS, HORIZON, WORKERS = 2, 8, 2
NATIONAL = TableSpec(seed=3, date_name="week_start", target_name="Net Revenue (EUR)",
                     periods=80, n_channels=3, channel_scheme="platform_cost",
                     event_control=True)
GEO = TableSpec(seed=4, date_name="DATE", target_name="Orders", periods=60, n_channels=2,
                geos=2, geo_name="region", channel_scheme="numbered")


def _workflow(spec: TableSpec, folder: Path, l_max: int = 4, **model) -> mw.Workflow:
    path = folder / f"table_{spec.seed}.csv"
    table(spec).to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    wf.map_data(**{role: value for role, value in spec.roles.items() if value})
    wf.configure_model(l_max=l_max, **model)
    return wf


@pytest.fixture(scope="module")
def searched(tmp_path_factory) -> mw.Workflow:
    """The national table searched over two adstocks on two folds."""
    wf = _workflow(NATIONAL, tmp_path_factory.mktemp("search"))
    wf.search(GRID, folds=FOLDS, horizon=HORIZON, workers=WORKERS)
    return wf


def test_the_ranking_follows_the_fold_scores(searched):
    result = searched.search_result
    ranked, scores = result.ranked, result.scores
    assert list(ranked.columns) == list(RANKED_COLUMNS)
    assert sorted(ranked.index) == [1, 2]
    assert len(scores) == 2 * FOLDS and result.failures.empty
    roas_columns = [f"roas:{channel}" for channel in NATIONAL.channel_names]
    for number in ranked.index:
        mine = scores[scores["candidate"] == number]
        assert sorted(mine["fold"]) == list(range(1, FOLDS + 1))
        assert ranked.at[number, "crps"] == pytest.approx(np.mean(mine["crps"]), rel=1e-12)
        assert ranked.at[number, "mape"] == pytest.approx(np.mean(mine["mape"]), rel=1e-12)
        roas = mine[roas_columns].to_numpy()
        by_hand = np.mean(roas.std(axis=0) / np.abs(roas.mean(axis=0)))
        assert ranked.at[number, "roas_spread"] == pytest.approx(by_hand, rel=1e-9)
        assert ranked.at[number, "adstock"] == GRID["adstock"][number - 1]
    assert ranked["crps"].is_monotonic_increasing
    assert np.isnan(ranked["elpd_loo"]).all()  # MAP: no posterior to cross-validate
    # Two candidates: both are on the front unless one beats the other on both scores.
    (a, b) = ranked[["crps", "roas_spread"]].to_numpy()
    dominated = bool(np.all(a <= b) and np.any(a < b))
    assert ranked["pareto"].tolist() == [True, not dominated]
    assert (scores["mape"] < 0.2).all()  # the generated sales follow an MMM closely


def test_tasks_give_the_same_scores_as_running_them_one_after_another(searched):
    namespace = searched.context().namespace()
    fold_task, frame = namespace["search_fold"], namespace["data"]
    scores = searched.search_result.scores.set_index(["candidate", "fold"])
    for number in (1, 2):
        for fold, (train_index, test_index) in namespace["search_splits"]:
            row = fold_task(number, fold, frame, train_index, test_index)
            expected = scores.loc[(number, fold)]
            for name, value in row.items():
                if name not in ("candidate", "fold"):
                    assert value == pytest.approx(expected[name], rel=1e-9, nan_ok=True), name


def test_a_task_whose_worker_is_killed_is_rerun_elsewhere(searched):
    client = local_client(WORKERS)
    before = searched.search_result.ranked
    job = searched.search_in_background(GRID, folds=FOLDS, horizon=HORIZON, workers=WORKERS)
    victim = None
    deadline = time.monotonic() + 300
    while victim is None and time.monotonic() < deadline and not job.done:
        busy = {worker: tasks for worker, tasks in client.processing().items() if tasks}
        if busy:
            victim = next(iter(busy))
        else:
            time.sleep(0.05)
    assert victim is not None, "no task ever ran"
    os.kill(worker_pids(client)[victim], signal.SIGKILL)
    ranked = job.wait(600)
    assert job.monitor.snapshot().done == 2 * FOLDS
    assert victim not in client.scheduler_info()["workers"]  # it died; the nanny replaced it
    pd.testing.assert_frame_equal(ranked, before)


def test_use_candidate_configures_the_model_with_its_settings(searched):
    ranked = searched.search_result.ranked
    best = int(ranked.index[0])
    searched.use_candidate(best)
    params = searched.step("model").params
    assert (params.adstock, params.l_max) == (ranked.at[best, "adstock"], 4)
    assert searched.status("search") == "done"  # taking a candidate keeps the search
    with pytest.raises(ModelError, match="no candidate 7"):
        searched.use_candidate(7)


def test_the_exported_search_replays_on_a_fresh_cluster_without_mmm_widgets(searched,
                                                                             tmp_path):
    expected = searched.search_result.ranked
    expected.to_pickle(tmp_path / "ranked.pkl")
    script = searched.to_script()
    assert "mmm_widgets" not in script
    assert "get_client()" in script and "LocalCluster(n_workers=2" in script
    check = (
        "\nimport sys\n"
        "assert not any(name.startswith('mmm_widgets') for name in sys.modules)\n"
        "on_workers = search_client.run(lambda: any(name.startswith('mmm_widgets') "
        "for name in __import__('sys').modules))\n"
        "assert not any(on_workers.values()), on_workers\n"
        "pd.testing.assert_frame_equal(ranked, pd.read_pickle('ranked.pkl'), rtol=1e-9)\n"
        "print('replayed', len(ranked))\n"
    )
    # Run as a notebook kernel runs it: with no __main__ file for the cluster's spawned
    # workers to re-import.
    (tmp_path / "replay.py").write_text(script + check, encoding="utf-8")
    completed = subprocess.run([sys.executable, "-c", LAUNCH], cwd=tmp_path,
                               capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert "replayed 2" in completed.stdout


def test_a_failing_candidate_is_reported_and_the_others_are_ranked(tmp_path):
    # A prior the model accepts but no fit can start from: only the geometric adstock
    # keeps it (a candidate with another adstock drops the adstock's priors).
    wf = _workflow(GEO, tmp_path, priors={"adstock_alpha": {"dist": "Beta",
                                                            "kwargs": {"alpha": -1,
                                                                       "beta": 3}}})
    ranked = wf.search(GRID, folds=FOLDS, horizon=HORIZON, workers=WORKERS)
    assert ranked.index.tolist() == [2, 1]
    assert ranked.at[2, "folds_scored"] == FOLDS and ranked.at[2, "error"] == ""
    assert np.isfinite(ranked.at[2, "crps"])
    assert np.isnan(ranked.at[1, "crps"]) and ranked.at[1, "folds_scored"] == 0
    assert "fold 1:" in ranked.at[1, "error"] and "fold 2:" in ranked.at[1, "error"]
    scores = wf.search_result.scores
    # Both geos forecast: the fold's rows are (date, region) pairs.
    assert set(scores["candidate"]) == {2}
    assert {f"roas:{channel}" for channel in GEO.channel_names} <= set(scores.columns)


def test_bad_grids_and_folds_name_the_problem(searched):
    with pytest.raises(ModelError, match="cannot vary: priors"):
        searched.search({"priors": [{}]})
    with pytest.raises(ModelError, match="first fold to fit on"):
        searched.search(GRID, folds=8, horizon=13)
    with pytest.raises(ModelError, match=r"Candidate 2 .*Unknown saturation"):
        searched.search({"saturation": ["logistic", "no_such_curve"]}, folds=2, horizon=8)
    fresh = mw.Workflow(table(NATIONAL))
    with pytest.raises(StepOrderError):
        fresh.use_candidate(1)


def test_a_saved_search_loads_without_searching_again(searched, tmp_path):
    searched.save(tmp_path / "saved")
    loaded = mw.Workflow.load(tmp_path / "saved")
    pd.testing.assert_frame_equal(loaded.search_result.ranked, searched.search_result.ranked)
    pd.testing.assert_frame_equal(loaded.search_result.scores, searched.search_result.scores)
    assert "search_fold" not in loaded.context().namespace()  # read back, not re-run
    assert loaded.search_result.candidates == searched.search_result.candidates


def test_the_panel_shows_the_ranking_cancels_and_uses_a_candidate(searched):
    from mmm_widgets.plots.search import pareto_data
    from mmm_widgets.views.search import SearchPanel

    before = searched.search_result
    used: list[bool] = []
    panel = SearchPanel(searched, on_used=lambda: used.append(True))
    panel.lengths.value = "4, x"
    assert "not a whole number" in panel.count.value
    panel.lengths.value = "4"
    panel.saturations.value = ("logistic",)
    assert panel.count.value.startswith("2 candidates x 3 folds")
    panel.folds.value, panel.horizon.value = FOLDS, HORIZON
    follower = panel.start()
    deadline = time.monotonic() + 300
    while panel.job.progress().running == 0 and not panel.job.done \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    panel.cancel()
    follower.join(300)
    assert "cancelled" in panel.message.value
    assert searched.search_result is before  # a cancelled search changes nothing
    panel.show(before.ranked)
    drawn = pareto_data(before.ranked)
    assert drawn["crps"] == before.ranked["crps"].tolist()
    assert drawn["candidate"] == before.ranked.index.tolist()
    assert [value for _label, value in panel.choice.options] == before.ranked.index.tolist()
    panel.choice.value = int(before.ranked.index[-1])
    panel.use()
    assert used == [True]
    assert searched.step("model").params.adstock == before.ranked["adstock"].iloc[-1]
