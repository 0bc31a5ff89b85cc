"""A channel written in another scale from a date on (an older export in units, a newer one
in thousands) is named with the line that puts it back in one unit, which gives back the
table; the checks of the target read it in one unit. A channel cut by ten times, a whole
table rescaled and the generated tables as they are are not named. Generated wide tables,
weekly and daily, national and geo; the fit test measures the premise, then the line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import YEAR_WEEKS, spec, table, true_dates
from tests.conftest import run_fix, wide_table_seeds

SEEDS = [s for s in wide_table_seeds() if "aggregate" not in spec(s).roles]


def _roles(seed: int) -> dict:
    return {k: v for k, v in spec(seed).roles.items() if v is not None}


def _notes(frame: pd.DataFrame, roles: dict) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return wf.data_result.warnings


def _switched(seed: int, factor: float = 1e-3, later: bool = True, one_geo: bool = True,
              target: bool = False
              ) -> tuple[pd.DataFrame, pd.DataFrame, str, pd.Timestamp, object]:
    """The seed's table, and it with its largest channel (its target, when ``target``)
    times ``factor`` from the middle date on (before it, unless ``later``), in its first geo
    only when ``one_geo``."""
    variation, roles = spec(seed), _roles(seed)
    frame = table(variation)
    channel = (roles["target"] if target else
               frame[roles["channels"]].apply(pd.to_numeric).sum().idxmax())
    dates = true_dates(variation, frame[roles["date"]])
    middle = sorted(dates.unique())[len(dates.unique()) // 2]
    rows = (dates >= middle) if later else (dates < middle)
    geo = sorted(frame[roles["geo"]].astype(str).unique())[0] if roles.get("geo") else None
    if geo is not None and one_geo:
        rows &= frame[roles["geo"]].astype(str) == geo
    written = frame.copy()
    written[channel] = written[channel].astype(float)
    written.loc[rows, channel] = written.loc[rows, channel] * factor
    return frame, written, channel, middle, geo if one_geo else None


def _line(note) -> str:
    return note.message.split("If so, put it in one unit: ", 1)[1].split(". If ", 1)[0]


def test_the_seeds_vary_what_they_should():
    assert {spec(s).frequency for s in SEEDS} == {"W", "D"}
    assert {bool(spec(s).geos) for s in SEEDS} == {False, True}


@pytest.mark.parametrize(("factor", "later"), [(1e-3, True), (1e-3, False), (1e-6, True)],
                         ids=["thousands-later", "thousands-earlier", "millions-later"])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_switch_is_named_and_its_line_gives_the_table_back(seed, factor, later):
    _named_and_given_back(seed, factor, later, target=False)


@pytest.mark.parametrize("later", [True, False], ids=["later", "earlier"])
@pytest.mark.parametrize("seed", SEEDS)
def test_a_target_in_thousands_from_a_date_is_named_and_given_back(seed, later):
    """Units times their value (seed 29's conversions): the line rescales the units."""
    _named_and_given_back(seed, 1e-3, later, target=True)


def _named_and_given_back(seed: int, factor: float, later: bool, target: bool) -> None:
    frame, written, channel, middle, geo = _switched(seed, factor, later, target=target)
    roles = _roles(seed)
    notes = _notes(written, roles)
    switches = [n for n in notes if n.kind == "scale_switch"]
    # a target of units times their value is mapped as the value (seed 29's revenue)
    assert len(switches) == 1 and (target or switches[0].columns == (channel,))
    message = switches[0].message
    assert f"{round(1 / factor):,} times smaller" in message
    assert message.startswith("The target ") is target
    # the later run's first date with spend (year-week dates read as the ISO week's Monday)
    dates = true_dates(spec(seed), written[roles["date"]])
    first = dates[(written[channel] > 0) & (dates >= middle)].min()
    shown = pd.Timestamp(message.split(" from " if later else " before ", 1)[1][:10])
    if spec(seed).date_format in YEAR_WEEKS:
        assert pd.Timedelta(0) <= first - shown < pd.Timedelta(days=7)
    else:
        assert shown == first
    if geo is not None:
        assert f"in {geo!r}" in message
    back = run_fix(_line(switches[0]), written)
    np.testing.assert_allclose(back[channel].astype(float),
                               frame[channel].astype(float), rtol=1e-9)
    # the checks of the target read the channel in one unit: no note the table lacked
    before = {n.kind for n in _notes(frame, roles)}
    assert {n.kind for n in notes} - {"scale_switch"} <= before


@pytest.mark.parametrize("seed", SEEDS)
def test_the_generated_tables_and_a_channel_cut_ten_times_are_not_named(seed):
    roles = _roles(seed)
    assert not [n for n in _notes(table(spec(seed)), roles) if n.kind == "scale_switch"]
    _, cut, *_ = _switched(seed, 0.1)
    assert not [n for n in _notes(cut, roles) if n.kind == "scale_switch"]


def test_a_whole_table_rescaled_from_a_date_is_not_one_channels_switch():
    seed = SEEDS[0]
    roles = _roles(seed)
    frame = table(spec(seed))
    dates = true_dates(spec(seed), frame[roles["date"]])
    later = dates >= sorted(dates.unique())[len(dates.unique()) // 2]
    amounts = [roles["target"], *roles["channels"]]
    frame[amounts] = frame[amounts].astype(float)
    frame.loc[later, amounts] = frame.loc[later, amounts] / 1000
    assert not [n for n in _notes(frame, roles) if n.kind == "scale_switch"]


@pytest.mark.fit
def test_the_line_gives_tv_back_its_return():
    """Premise: TV's last 78 weeks of 156 in thousands read its ROAS far under its 2.0;
    after the noted line, within 15 % of it."""
    from tests.test_unbooked_spend import _demand_table, _roas

    frame = _demand_table(1)
    frame.loc[78:, "tv"] /= 1000
    roas, notes = _roas(frame)
    assert roas["tv"] < 1.0
    fixed = run_fix(_line(next(n for n in notes if n.kind == "scale_switch")), frame)
    assert _roas(fixed)[0]["tv"] == pytest.approx(2.0, rel=0.15)
