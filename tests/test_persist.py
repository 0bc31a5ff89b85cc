"""Saved workflows changed by hand or damaged: a clear error, and nothing stored is run."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xarray as xr

import mmm_widgets as mw
from mmm_widgets.persist import LoadError

pytestmark = pytest.mark.fit

PWN = 'x"); import os; os.system("touch pwned") #'
CODE = "__import__('os').system('touch pwned')"
CHANNELS = ["tv", "radio", "search"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    """A MAP-fitted workflow over a DataFrame, saved once for every test to copy."""
    weekly = mw.datasets.load("weekly_sales")
    my_sales = weekly.assign(tv=weekly["tv"] * 1.1)
    wf = mw.Workflow(my_sales, name="my_sales")
    wf.map_data(date="date", target="sales", channels=CHANNELS, controls=["promo"])
    wf.configure_model(l_max=4, yearly_seasonality=None)
    wf.fit("map")
    return wf.save(tmp_path_factory.mktemp("saved") / "workflow")


@pytest.fixture
def copy(saved, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the saved folder; the working directory is the test's own."""
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}).to_csv(tmp_path / "other.csv", index=False)
    return Path(shutil.copytree(saved, tmp_path / "copy"))


def _edit_json(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / "workflow.json"
    state = json.loads(path.read_text())
    change(state)
    path.write_text(json.dumps(state))


def _edit_attrs(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / "model.nc"
    with xr.open_datatree(path) as tree:
        tree = tree.load()
    attrs = dict(tree.attrs)
    change(attrs)
    tree.attrs = attrs
    path.unlink()
    tree.to_netcdf(path)


def _load_fails(folder: Path, *texts: str) -> mw.MMMWidgetsError:
    with pytest.raises(mw.MMMWidgetsError) as info:
        mw.Workflow.load(folder)
    message = str(info.value)
    for text in texts:
        assert text in message, (text, message)
    assert "Fix:" in message
    assert not (Path.cwd() / "pwned").exists() and not (folder / "pwned").exists()
    return info.value


def test_untouched_copy_loads(copy):
    loaded = mw.Workflow.load(copy)
    assert loaded.source.name == "my_sales" and loaded.status("fit") == "done"
    assert list(loaded.channel_summary().index) == CHANNELS


def test_time_varying_baseline_round_trips(tmp_path):
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=CHANNELS)
    wf.configure_model(l_max=4, yearly_seasonality=None, time_varying_intercept=True)
    wf.fit("map")
    loaded = mw.Workflow.load(wf.save(tmp_path / "trend"))
    assert loaded.step("model").params.time_varying_intercept
    pd.testing.assert_frame_equal(loaded.channel_summary(), wf.channel_summary())


def test_resaved_netcdf_with_same_attrs_still_loads(copy):
    _edit_attrs(copy, lambda attrs: None)
    assert mw.Workflow.load(copy).status("fit") == "done"


def _set_source(state: dict, **changes: Any) -> None:
    for source in (state["source"], state["steps"]["data"]["source"]):
        source.update(changes)


# ----- workflow.json --------------------------------------------------------------------------
JSON_TAMPERING: dict[str, tuple[Callable[[dict], None], tuple[str, ...]]] = {
    "prior_is_code": (lambda s: s["steps"]["model"]["priors"].update(likelihood=CODE),
                      ("model step", "is not a prior")),
    "prior_dist_is_code": (
        lambda s: s["steps"]["model"]["priors"].update(
            saturation_lam={"dist": PWN, "kwargs": {"alpha": 1}}),
        ("model step", "PyMC doesn't have a distribution")),
    "prior_key_is_code": (
        lambda s: s["steps"]["model"]["priors"].update(
            saturation_lam={"dist": "Gamma", "kwargs": {f"alpha=1, {CODE}, beta": 1}}),
        ("is not a parameter name",)),
    "prior_name_is_code": (
        lambda s: s["steps"]["model"]["priors"].update({CODE: {"dist": "Normal"}}),
        ("There is no parameter",)),
    "lift_test_channel_is_code": (
        lambda s: s["steps"]["model"].update(lift_tests=[{
            "channel": PWN, "x": 1.0, "delta_x": 1.0, "delta_y": 1.0, "sigma": 1.0,
            "geo": None}]),
        ("is not a mapped channel",)),
    "source_name_is_code": (lambda s: _set_source(s, name=CODE),
                            ("source does not read back", "cannot name the raw table")),
    "source_name_is_reserved": (lambda s: _set_source(s, name="data"),
                                ("cannot name the raw table",)),
    "source_kind_unknown": (lambda s: _set_source(s, kind="pickle"),
                            ("Unknown source kind 'pickle'",)),
    "source_read_option_is_code": (
        lambda s: _set_source(s, kind="csv", path="sales.csv",
                              read_options={f"sep=','); {CODE}; pd.read_csv('x', y": 1}),
        ("is not an option of pd.read_csv",)),
    "source_path_is_a_device": (lambda s: _set_source(s, kind="csv", path="/dev/zero"),
                                ("data step", "is not a file")),
    "source_path_is_a_url": (
        lambda s: _set_source(s, kind="csv", path="https://example.com/sales.csv"),
        ("is not a local file",)),
    "source_path_is_code": (lambda s: _set_source(s, kind="csv", path=PWN),
                            ("does not exist",)),
    "source_path_elsewhere": (lambda s: _set_source(s, kind="csv", path="other.csv"),
                              ("data step", "not in the data")),
    "sources_disagree": (lambda s: s["source"].update(name="other"),
                         ("source differs",)),
    "unknown_step_kind": (lambda s: s["steps"].update(evil={"code": CODE}),
                          ("unknown kind evil",)),
    "unknown_field": (lambda s: s["steps"]["fit"].update(command=CODE),
                      ("steps.fit has unknown fields command",)),
    "unknown_entry": (lambda s: s.update(hook=CODE), ("unknown entries hook",)),
    "channels_not_a_list": (lambda s: s["steps"]["data"].update(channels="tv"),
                            ("steps.data.channels should be a list, not str 'tv'",)),
    "channel_not_text": (lambda s: s["steps"]["data"].update(channels=["tv", 3]),
                         ("steps.data.channels[1] should be text",)),
    "l_max_as_text": (lambda s: s["steps"]["model"].update(l_max="8"),
                      ("steps.model.l_max should be a whole number",)),
    "draws_as_bool": (lambda s: s["steps"]["fit"].update(draws=True),
                      ("steps.fit.draws should be a whole number",)),
    "geo_as_number": (lambda s: s["steps"]["data"].update(geo=3),
                      ("steps.data.geo should be text or null",)),
    "long_as_list": (lambda s: s["steps"]["data"].update(long=[CODE]),
                     ("steps.data.long should be an object or null",)),
    "missing_field": (lambda s: s["steps"]["data"].pop("target"),
                      ("steps.data lacks the fields target",)),
    "steps_not_an_object": (lambda s: s.update(steps=[CODE]), ("has no steps",)),
    "raw_path_elsewhere": (lambda s: s.update(raw="../copy/raw.parquet"),
                           ("'raw' should be 'raw.parquet' or null",)),
    "model_path_elsewhere": (lambda s: s.update(model="/tmp/model.nc"),
                             ("'model' should be 'model.nc' or null",)),
    "newer_version": (lambda s: s.update(version=2), ("format version 2",)),
    "foreign_format": (lambda s: s.update(format="pickle"), ("not an mmm-widgets workflow",)),
}


@pytest.mark.parametrize("name", list(JSON_TAMPERING))
def test_tampered_workflow_json_is_refused(name, copy):
    change, texts = JSON_TAMPERING[name]
    _edit_json(copy, change)
    _load_fails(copy, *texts)


def test_workflow_json_that_is_not_json(copy):
    (copy / "workflow.json").write_text("{" * 100_000)
    error = _load_fails(copy, "not valid JSON")
    assert isinstance(error, LoadError)


def test_missing_raw_table(copy):
    (copy / "raw.parquet").unlink()
    _load_fails(copy, "raw.parquet is missing")


def test_damaged_raw_table(copy):
    (copy / "raw.parquet").write_bytes(b"PAR1 not really")
    _load_fails(copy, "raw.parquet cannot be read")


# ----- model.nc --------------------------------------------------------------------------------
def _retype(key: str, new: str) -> Callable[[dict], None]:
    def change(attrs: dict) -> None:
        data = json.loads(attrs[key])
        data["__type__"] = new
        attrs[key] = json.dumps(data)

    return change


def _deferred(attrs: dict) -> None:
    config = json.loads(attrs["model_config"])
    config["likelihood"]["kwargs"]["sigma"] = {
        "__deferred__": True, "factory": "os.system", "kwargs": {"command": "touch pwned"}}
    attrs["model_config"] = json.dumps(config)


NETCDF_TAMPERING: dict[str, tuple[Callable[[dict], None], tuple[str, ...]]] = {
    "adstock_outside_pymc_marketing": (_retype("adstock", "os.system"),
                                       ("unexpected adstock class 'os.system'",)),
    "adstock_other_pymc_marketing_class": (
        _retype("adstock", "pymc_marketing.mmm.components.adstock.DelayedAdstock"),
        ("unexpected adstock class",)),
    "saturation_outside_pymc_marketing": (_retype("saturation", "subprocess.Popen"),
                                          ("unexpected saturation class",)),
    "scaling_registered_but_foreign": (_retype("scaling", "pymc_marketing.mmm.hsgp.HSGP"),
                                       ("unexpected scaling class",)),
    "deferred_factory_in_config": (_deferred, ("unexpected model_config class 'os.system'",)),
    "extra_effect": (lambda a: a.update(mu_effects=json.dumps([{
        "__type__": "pymc_marketing.mmm.additive_effect.EventAdditiveEffect"}])),
        ("unexpected mu_effects class",)),
    "other_channels": (lambda a: a.update(channel_columns=json.dumps(["tv", "radio"])),
                       ("not the model of this workflow", "channels")),
    "other_window": (lambda a: a.update(adstock=a["adstock"].replace('"l_max": 4',
                                                                     '"l_max": 9')),
                     ("carryover window",)),
    "old_serialization": (lambda a: a.update(__serialization_version__="0"),
                          ("unexpected serialization version",)),
    "config_not_json": (lambda a: a.update(model_config="{" + CODE), ("no readable model_config",)),
    "config_missing": (lambda a: a.pop("model_config"), ("no readable model_config",)),
}


@pytest.mark.parametrize("name", list(NETCDF_TAMPERING))
def test_tampered_netcdf_is_refused_before_pymc_marketing_reads_it(name, copy, monkeypatch):
    from pymc_marketing.mmm import MMM

    def never(*args, **kwargs):
        raise AssertionError("MMM.load was reached")

    change, texts = NETCDF_TAMPERING[name]
    _edit_attrs(copy, change)
    monkeypatch.setattr(MMM, "load", classmethod(never))
    error = _load_fails(copy, "model.nc", *texts)
    assert isinstance(error, LoadError)


def test_truncated_netcdf(copy):
    data = (copy / "model.nc").read_bytes()
    (copy / "model.nc").write_bytes(data[: len(data) // 3])
    _load_fails(copy, "model.nc cannot be read")


def test_netcdf_that_is_text(copy):
    (copy / "model.nc").write_text(CODE)
    _load_fails(copy, "model.nc cannot be read")


def test_missing_netcdf(copy):
    (copy / "model.nc").unlink()
    _load_fails(copy, "model.nc is missing")


def test_failed_load_leaves_files_as_they_were(copy):
    before = {p.name: p.read_bytes() for p in copy.iterdir()}
    _edit_json(copy, lambda s: s["steps"]["data"].update(channels="tv"))
    edited = (copy / "workflow.json").read_bytes()
    _load_fails(copy, "channels")
    after = {p.name: p.read_bytes() for p in copy.iterdir()}
    assert after == {**before, "workflow.json": edited}
    assert pd.read_parquet(copy / "raw.parquet").shape[0] == 156


def test_saving_again_rewrites_only_what_changed(tmp_path):
    weekly = mw.datasets.load("weekly_sales")
    my_sales = weekly.assign(tv=weekly["tv"] * 1.1)
    wf = mw.Workflow(my_sales, name="my_sales")
    wf.map_data(date="date", target="sales", channels=CHANNELS)
    wf.configure_model(l_max=4, yearly_seasonality=None)
    wf.fit("map")
    folder = tmp_path / "saved"
    wf.save(folder)

    def stamps() -> dict[str, int]:
        return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    first = stamps()
    wf.overview(0.3)  # a new margin: parameters only
    wf.save(folder)
    second = stamps()
    assert second["model.nc"] == first["model.nc"]
    assert second["raw.parquet"] == first["raw.parquet"]
    assert second["workflow.json"] != first["workflow.json"]
    assert mw.Workflow.load(folder).step("overview").params.margin == 0.3
    my_sales.loc[0, "tv"] += 1.0  # the table changed in place: written again
    (folder / "model.nc").unlink()  # a file gone: written again
    wf.save(folder)
    third = stamps()
    assert third["raw.parquet"] != second["raw.parquet"] and "model.nc" in third
    wf.fit("map")  # a new fit: a new model.nc
    wf.save(folder)
    assert stamps()["model.nc"] != third["model.nc"]
    pd.testing.assert_frame_equal(mw.Workflow.load(folder).channel_summary(),
                                  wf.channel_summary())
