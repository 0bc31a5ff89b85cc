"""A target whose baseline grows, or steps to a new level, beyond what its spend and
controls explain is noted with the line that adds the trend (or the step) as a column to
map as a control. Without it, the channels whose spend moved with the baseline take the
move: the fit test measures that premise, then the fix. A flat baseline, a trend mapped
already, a strong season and a table too short to tell a trend from the season are not
noted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conftest import map_roas, run_fix
from tests.test_month_length import weekly_summed

WEEKS = 104
DATES = pd.date_range("2023-01-02", periods=WEEKS, freq="W-MON")
BASE = 20000.0


def _carryover(spend: np.ndarray, alpha: float = 0.5, l_max: int = 8) -> np.ndarray:
    weights = alpha ** np.arange(l_max)
    return np.convolve(spend, weights)[:len(spend)] / weights.sum()


def weekly(seed: int, growth: float = 0.0, step_at: int | None = None, step: float = 0.0,
            weeks: int = WEEKS, season: float = 1500.0) -> pd.DataFrame:
    """Weekly sales: a baseline growing by ``growth`` of :data:`BASE` over the table (TV's
    spend growing 40 % with it), or stepping up by ``step`` of it at ``step_at``; TV returns
    2.0 and search 3.0 per unit spent."""
    rng = np.random.default_rng(seed)
    time = np.arange(weeks) / weeks
    tv = rng.gamma(4, 500, weeks) * (1 + 0.4 * time)
    search = rng.gamma(4, 300, weeks)
    baseline = BASE * (1 + growth * time)
    if step_at is not None:
        tv[step_at:] *= 1.5  # the budget rose with the new shop
        baseline = baseline + BASE * step * (np.arange(weeks) >= step_at)
    sales = (baseline + season * np.sin(2 * np.pi * np.arange(weeks) / 52)
             + 2 * _carryover(tv) + 3 * _carryover(search) + rng.normal(0, 500, weeks))
    return pd.DataFrame({"Week": DATES[:weeks].strftime("%d/%m/%Y"), "Revenue": sales.round(2),
                         "TV": tv.round(2), "Search": search.round(2)})


MAPPING = {"date": "Week", "target": "Revenue", "channels": ["TV", "Search"],
           "date_format": "%d/%m/%Y"}


def _notes(frame: pd.DataFrame, **mapping) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**{**MAPPING, **mapping})
    return [f for f in wf.data_result.warnings if f.kind == "baseline"]


def _line(note) -> str:
    return note.message.split("map it as a control: ", 1)[1].split("; or let the")[0]


@pytest.mark.parametrize("seed", [1, 2])
def test_growth_beyond_the_spend_is_noted_with_the_trend_line(seed):
    frame = weekly(seed, growth=0.4)
    notes = _notes(frame)
    assert len(notes) == 1
    # by hand: the baseline rises by 0.4 x BASE x 103/104 over the table
    expected = 0.4 * BASE * (WEEKS - 1) / WEEKS / frame["Revenue"].mean()
    shown = float(notes[0].message.split("(+")[1].split("%")[0]) / 100
    assert shown == pytest.approx(expected, abs=0.05)
    fixed = run_fix(_line(notes[0]), frame)
    years = (pd.to_datetime(fixed["Week"], format="%d/%m/%Y") - DATES[0]).dt.days / 365.25
    np.testing.assert_allclose(fixed["trend"], years)
    assert _notes(fixed, controls=["trend"]) == []


def test_a_step_is_noted_with_the_line_marking_its_dates():
    frame = weekly(1, step_at=60, step=0.3)
    notes = _notes(frame)
    assert len(notes) == 1
    assert f"steps to a new level from {DATES[60]:%Y-%m-%d}" in notes[0].message
    fixed = run_fix(_line(notes[0]), frame)
    name = f"from_{DATES[60]:%Y_%m_%d}"
    np.testing.assert_array_equal(fixed[name], (np.arange(WEEKS) >= 60).astype(int))
    assert _notes(fixed, controls=[name]) == []


@pytest.mark.parametrize("step", [-0.8, 0.3])
def test_a_step_is_told_as_a_share_of_the_level_before_it(step):
    """Of the series' mean, a fall to a thousandth read -213 %: a fall is at most 100 %."""
    frame = weekly(2, step_at=60, step=step)
    notes = _notes(frame)
    assert len(notes) == 1
    # by hand: the baseline moves by step x BASE, over the mean level of the weeks before
    expected = step * BASE / frame["Revenue"][:60].mean()
    sign = "-" if step < 0 else "+"
    shown = float(notes[0].message.split(f"({sign}")[1].split("%")[0]) / 100
    assert float(f"{sign}{shown}") == pytest.approx(expected, abs=0.05)


def test_a_step_in_one_geo_marks_that_geo_only():
    panel = pd.concat([weekly(1).assign(Region="North"),
                       weekly(2, step_at=60, step=0.3).assign(Region="South"),
                       weekly(3).assign(Region="West")], ignore_index=True)
    notes = _notes(panel, geo="Region")
    assert len(notes) == 1
    assert "in 'South' at that date" in notes[0].message
    fixed = run_fix(_line(notes[0]), panel)
    marked = fixed[fixed[f"from_{DATES[60]:%Y_%m_%d}"] == 1]
    assert set(marked["Region"]) == {"South"} and len(marked) == WEEKS - 60


@pytest.mark.parametrize("frame", [
    weekly(1),  # flat baseline, TV's spend growing
    weekly(2, season=6000.0),  # a strong season
    weekly(3, growth=0.4, weeks=70),  # 70 weeks: a trend and the season are one
], ids=["flat", "season", "short"])
def test_no_note_without_a_move_to_tell(frame):
    assert _notes(frame) == []


def test_a_mapped_trend_explains_the_growth():
    frame = weekly(1, growth=0.4).assign(t=np.arange(WEEKS))
    assert _notes(frame, controls=["t"]) == []


@pytest.mark.fit
def test_the_trend_line_gives_the_channels_back_their_returns():
    """Premise: with sales growing 40 % with TV's spend, TV's ROAS reads far above its 2.0;
    with the noted trend mapped, within 20 % of it."""
    frame = weekly(1, growth=0.4)
    assert map_roas(frame, "TV", **MAPPING) > 3.5
    fixed = run_fix(_line(_notes(frame)[0]), frame)
    assert map_roas(fixed, "TV", controls=["trend"], **MAPPING) == pytest.approx(2.0, rel=0.2)


def test_growth_over_few_months_is_read_without_last_months_spend():
    # 8 channels over 58 months: too few months for each channel's spend and its last
    # month's; sales grow by 40 % of a month's baseline over the table
    months = weekly_summed(1)
    months["sales"] += 0.4 * 30_000 * months["rows"] * np.linspace(0, 1, len(months))
    rng = np.random.default_rng(1)
    extra = [f"channel_{k}" for k in range(6)]
    for name in extra:
        months[name] = rng.gamma(4, 1000, len(months))
    wf = mw.Workflow(months, name="raw")
    wf.map_data(date="month", target="sales", channels=["tv", "search", *extra],
                controls=[])
    [note] = [f for f in wf.data_result.warnings if f.kind == "baseline"]
    assert "grows over the table" in note.message
