"""Hostile names and values stay data: in exported code, in a fresh process, in the model."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.codegen import literal
from mmm_widgets.steps.components import parse_prior_text, prior_code
from mmm_widgets.steps.source import is_safe_name
from tests.conftest import run_fresh

PWN = 'x"); import os; os.system("touch pwned") #'
HOSTILE = (
    PWN,
    "x'); import os; os.system('touch pwned') #",
    "'''\n{}",
    '"""; __import__("os").system("touch pwned"); """\\',
    "new\nline # not a comment",
    "{0} {__class__} %s",
    "ünïcødé € 名前",
)
DATE = "week 'of' \"date\"\n#"


def _hostile_frame(n: int = 60) -> pd.DataFrame:
    """Weekly sales with every column named by a hostile string."""
    weekly = mw.datasets.load("weekly_sales").head(n)
    return pd.DataFrame({
        DATE: weekly["date"].dt.strftime("%d/%m/%Y"),
        HOSTILE[0]: weekly["tv"], HOSTILE[1]: weekly["radio"], HOSTILE[2]: weekly["search"],
        HOSTILE[3]: weekly["social"], HOSTILE[4]: weekly["promo"],
        HOSTILE[5]: weekly["price_index"], HOSTILE[6]: weekly["sales"],
    })


MAPPING = {"date": DATE, "target": HOSTILE[6], "channels": list(HOSTILE[:4]),
           "controls": [HOSTILE[4], HOSTILE[5]]}


def _no_pwned(*folders: Path) -> None:
    for folder in (*folders, Path.cwd()):
        assert not (folder / "pwned").exists(), folder


@pytest.mark.parametrize("value", [*HOSTILE, DATE, "\\", "'", '"', "\x00", "\r\n", "#"])
def test_literal_round_trips_hostile_text(value):
    text = literal(value)
    assert ast.literal_eval(text) == value
    tree = ast.parse(f"x = {text}")
    assert isinstance(tree.body[0].value, ast.Constant)


def test_hostile_column_names_in_every_role_replay_as_data(tmp_path):
    frame = _hostile_frame()
    wf = mw.Workflow(frame, name="frame")
    data = wf.map_data(**MAPPING)
    assert list(data.columns) == [DATE, *HOSTILE[:4], HOSTILE[4], HOSTILE[5], HOSTILE[6]]
    script = wf.to_script()
    ast.parse(script)
    frame.to_pickle(tmp_path / "raw.pkl")
    data.to_pickle(tmp_path / "expected.pkl")
    run_fresh("import pandas as pd\nframe = pd.read_pickle('raw.pkl')\n" + script +
              "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n"
              "print('replayed')\n", tmp_path)
    _no_pwned(tmp_path)


def test_hostile_channel_names_in_an_interaction_stay_strings(tmp_path):
    frame = _hostile_frame()
    wf = mw.Workflow(frame, name="frame")
    wf.map_data(**MAPPING)
    wf.configure_model(l_max=4, interactions=[(HOSTILE[0], HOSTILE[1])])
    column = f"{HOSTILE[0]} x {HOSTILE[1]}"
    assert column in wf.step("model").result.control_columns
    script = wf.to_script()
    ast.parse(script)
    frame.to_pickle(tmp_path / "raw.pkl")
    run_fresh("import pandas as pd\nframe = pd.read_pickle('raw.pkl')\n" + script +
              f"assert {column!r} in X.columns\nprint('replayed')\n", tmp_path)
    _no_pwned(tmp_path)


def test_hostile_names_in_problems_and_panel_are_escaped():
    from mmm_widgets.views.common import problems_html

    frame = _hostile_frame()
    frame.loc[3, HOSTILE[0]] = -1.0
    frame[HOSTILE[1]] = 0.0
    with pytest.raises(mw.DataError) as info:
        mw.Workflow(frame).map_data(**MAPPING)
    assert set(info.value.columns) == {HOSTILE[0], HOSTILE[1]}
    rendered = problems_html(info.value)
    assert "<b>x&quot;); import os" in rendered and '"); import os' not in rendered


def test_hostile_file_path_is_read_and_replayed(tmp_path):
    folder = tmp_path / "d'ir\"s $(touch pwned)"
    folder.mkdir()
    path = folder / f"{PWN}\n'''.csv"
    mw.datasets.load("weekly_sales").to_csv(path, index=False)
    wf = mw.Workflow.from_file(path)
    data = wf.map_data(date="date", target="sales", channels=["tv", "radio"])
    script = wf.to_script()
    assert literal(str(path)) in script
    ast.parse(script)
    data.to_pickle(tmp_path / "expected.pkl")
    run_fresh(script + "pd.testing.assert_frame_equal(data, pd.read_pickle('expected.pkl'))\n",
              tmp_path)
    _no_pwned(tmp_path, folder)


@pytest.mark.parametrize(("given", "used"), [
    ("sales_frame", "sales_frame"), ("bad name", "df"), (PWN, "df"), ("class", "df"),
    ("match", "df"), ("data", "df"), ("X", "df"), ("mmm", "df"), ("pd", "df"), ("print", "df"),
    ("_private", "df"), ("1st", "df"), ("名前", "名前"),
])
def test_source_name_falls_back_to_df_when_code_cannot_use_it(given, used):
    frame = mw.datasets.load("weekly_sales").assign(tv=lambda f: f["tv"] * 2)
    wf = mw.Workflow(frame, name=given)
    assert wf.source.name == used
    wf.map_data(date="date", target="sales", channels=["tv", "radio"])
    namespace = {used: frame}
    exec(wf.to_script(), namespace)
    pd.testing.assert_frame_equal(namespace["data"], wf.data)


def test_variable_lookup_skips_names_the_exported_code_binds():
    make = "mw.datasets.load('weekly_sales').assign(tv=1.0)"
    cases = {
        f"globals()['weird key'] = {make}\nwf = mw.Workflow(globals()['weird key'])": "df",
        f"data = {make}\nwf = mw.Workflow(data)": "df",
        f"data = {make}\nsales = data\nwf = mw.Workflow(data)": "sales",
        f"globals()['class'] = {make}\nwf = mw.Workflow(globals()['class'])": "df",
    }
    for code, name in cases.items():
        scope = {"mw": mw}
        exec(code, scope)
        assert scope["wf"].source.name == name, code


def test_source_refuses_unusable_names_directly():
    from mmm_widgets.steps.source import Source

    for name in ("data", "bad name", "lambda", PWN):
        with pytest.raises(mw.DataError, match="cannot name the raw table"):
            Source(kind="frame", name=name)


@pytest.mark.parametrize("prior", [
    {"dist": PWN, "kwargs": {"alpha": 1, "beta": 1}},
    {"dist": "Gamma", "kwargs": {PWN: 1}},
    {"dist": "Gamma", "kwargs": {"lambda": 1}},
    {"dist": "Gamma", "kwargs": {"alpha": PWN, "beta": 1}},
    {"dist": "Gamma", "kwargs": {"alpha": 1, "beta": 1}, "dims": [PWN]},
    {"dist": "Gamma", "kwargs": {"alpha": {"dist": PWN}, "beta": 1}},
    {"dist": "Gamma", "kwargs": [PWN]},
    PWN,
])
def test_hostile_priors_are_refused_without_running_anything(prior, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=["tv", "radio"])
    wf.configure_model(l_max=4)
    with pytest.raises(mw.ModelError) as info:
        wf.configure_model(l_max=6, priors={"saturation_lam": prior})
    assert "Fix:" in str(info.value)
    assert wf.step("model").params.l_max == 4
    _no_pwned(tmp_path)


def test_hostile_prior_name_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wf = mw.Workflow(mw.datasets.load("weekly_sales"))
    wf.map_data(date="date", target="sales", channels=["tv", "radio"])
    with pytest.raises(mw.ModelError, match="There is no parameter"):
        wf.configure_model(priors={PWN: {"dist": "HalfNormal", "kwargs": {"sigma": 1}}})
    _no_pwned(tmp_path)


def test_prior_code_quotes_every_value():
    code = prior_code({"dist": PWN, "kwargs": {"mu": 0, "sigma": {"dist": "HalfNormal",
                                                                   "kwargs": {"sigma": 1}}},
                       "dims": [PWN]})
    call = ast.parse(code, mode="eval").body
    assert isinstance(call, ast.Call) and call.func.id == "Prior"
    assert ast.literal_eval(call.args[0]) == PWN
    assert ast.literal_eval(call.keywords[-1].value) == (PWN,)


@pytest.mark.parametrize("text", [
    'Beta(alpha=__import__("os").system("touch pwned"), beta=1)',
    "Beta(alpha=1, beta=1); import os",
    "Beta(**{'alpha': 1})",
    "os.system('touch pwned')",
    "Beta(alpha='1', beta=1)",
])
def test_prior_text_is_parsed_never_evaluated(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(mw.ModelError, match="could not be read"):
        parse_prior_text(text, "adstock_alpha")
    _no_pwned(tmp_path)


@pytest.mark.fit
def test_model_with_hostile_names_fits_and_replays(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    frame = _hostile_frame(80)
    wf = mw.Workflow(frame, name="frame")
    wf.map_data(**MAPPING)
    wf.configure_model(l_max=4, yearly_seasonality=None,
                       priors={"likelihood": {"dist": "Normal", "kwargs": {
                           "sigma": {"dist": "HalfNormal", "kwargs": {"sigma": 2}}},
                           "dims": ["date"]}})
    summary = wf.fit("map")
    assert list(summary.index) == list(HOSTILE[:4])
    assert np.isfinite(summary.to_numpy()).all()
    script = wf.to_script()
    tree = ast.parse(script)
    bound = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
             for t in node.targets if isinstance(t, ast.Name)}
    imported = {(a.asname or a.name).split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import | ast.ImportFrom) for a in node.names}
    # A raw frame can never be bound to a name the exported code itself rebinds.
    assert not [name for name in bound | imported if is_safe_name(name)]
    frame.to_pickle(tmp_path / "raw.pkl")
    summary.to_pickle(tmp_path / "expected.pkl")
    run_fresh("import pandas as pd\nframe = pd.read_pickle('raw.pkl')\n" + script +
              "\npd.testing.assert_frame_equal(channel_summary, pd.read_pickle('expected.pkl'),"
              " rtol=1e-6)\n", tmp_path)
    _no_pwned(tmp_path)
    assert not any("pwned" in name for name in os.listdir(tmp_path))


@pytest.mark.parametrize("note", [*HOSTILE, "a\rimport os; os.system('touch pwned')",
                                  "a\u2028import os; os.system('touch pwned')"])
def test_a_source_note_stays_a_comment(note, tmp_path):
    """The note a settled file carries (or a tampered save) is written as comments only."""
    from mmm_widgets.steps.source import Source

    path = tmp_path / "t.csv"
    pd.DataFrame({"a": [1, 2]}).to_csv(path, index=False)
    lines = Source(kind="csv", path=str(path), note=note).code_lines()
    tree = ast.parse("\n".join(lines))
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign)
    namespace: dict = {"pd": pd}
    exec("\n".join(lines), namespace)
    assert namespace["df"]["a"].tolist() == [1, 2]
    _no_pwned(tmp_path)
