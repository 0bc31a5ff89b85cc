"""A geo that is the sum of the others (a country beside its markets, as exports carry
it, named as a geo: ``UK``, ``National``, DMA code ``0``) counts every sale and unit of
spend twice: mapping stops with the line that leaves it out. Generated panels of 3 and 5
geos, weekly and monthly, text and numeric geos."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table
from tests.conftest import run_fix


def _with_total(seed: int, name: object, rounded: bool = False
                ) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """A generated panel, the same with a geo ``name`` holding the others' sum per date
    (target, channels, impressions; controls as the first geo's), and the roles."""
    variation = spec(seed)
    frame = table(variation)
    roles = variation.roles
    date, geo = roles["date"], roles["geo"]
    summed = [c for c in frame.columns if c not in (date, geo, *roles["controls"],
                                                    roles["value_per_unit"])
              and pd.api.types.is_numeric_dtype(frame[c])]
    by_date = frame.groupby(date, sort=False)
    total = by_date.first()
    total[summed] = by_date[summed].sum()
    if rounded:  # the country's figures written in whole units
        total[summed] = total[summed].round()
    total = total.reset_index()
    total[geo] = name
    return frame, pd.concat([frame, total[frame.columns]], ignore_index=True), roles


def _problems(frame: pd.DataFrame, roles: dict) -> list:
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(frame, name="raw").map_data(**roles)
    return raised.value.problems


@pytest.mark.parametrize(("seed", "name"), [(2, "UK"), (14, "National"), (35, "Germany"),
                                            (40, "US"), (10, 0), (58, 0)])
def test_a_geo_that_sums_the_others_is_left_out_by_its_line(seed, name):
    frame, with_total, roles = _with_total(seed, name)
    problems = _problems(with_total, roles)
    assert [(p.column, p.rows) for p in problems] == [(roles["geo"], (f"geo {name}",))]
    assert f"Geo {name!r} holds, on every date, the target of the other " in problems[0].what
    line = problems[0].fix.split("Leave it out: ", 1)[1].split(" (or ", 1)[0]
    fixed = run_fix(line, with_total)
    # Left out, the panel maps as the table without the total did.
    expected = mw.Workflow(frame, name="raw").map_data(**roles)
    mapped = mw.Workflow(fixed, name="raw").map_data(**roles)
    pd.testing.assert_frame_equal(mapped.reset_index(drop=True),
                                  expected.reset_index(drop=True))


def test_the_message_names_the_channels_summed_too():
    _, with_total, roles = _with_total(2, "UK")
    channels = roles["channels"]
    # The country's own buy of the first channel: not the markets' sum.
    country = with_total[roles["geo"]] == "UK"
    with_total.loc[country, channels[0]] = with_total.loc[country, channels[0]] * 1.5
    what = _problems(with_total, roles)[0].what
    assert f"so does the spend of {', '.join(map(repr, channels[1:]))}:" in what


def test_a_total_written_in_whole_units_is_named():
    _, with_total, roles = _with_total(36, "UK", rounded=True)
    assert [p.column for p in _problems(with_total, roles)] == [roles["geo"]]


def test_a_geo_near_the_sum_of_the_others_on_most_dates_is_a_market():
    frame, with_total, roles = _with_total(2, "UK")
    target, geo = roles["target"], roles["geo"]
    country = np.flatnonzero((with_total[geo] == "UK").to_numpy())
    # Its own figures two dates in three: 3 % off the markets' sum.
    off = country[::3]
    with_total.loc[off, target] = with_total.loc[off, target] * 1.03
    wf = mw.Workflow(with_total, name="raw")
    mapped = wf.map_data(**roles)
    assert set(mapped[geo]) == {*frame[geo], "UK"}


@pytest.mark.parametrize("seed", [31, 38])
def test_small_amounts_near_the_sum_of_the_others_by_chance_are_markets(seed):
    """Written in thousands (a few units a date), a geo comes within a unit or two of the
    others' sum on every date by chance: only a relative gap tells a total."""
    variation = spec(seed)
    frame, roles = table(variation), variation.roles
    target = roles["target"]
    in_thousands = frame.assign(**{target: frame[target] / 1000})
    mapped = mw.Workflow(in_thousands, name="raw").map_data(**roles)
    assert mapped[roles["geo"]].nunique() == frame[roles["geo"]].nunique()


@pytest.mark.parametrize("empty", [0.0, np.nan])
def test_spend_written_on_the_total_alone_keeps_its_rows(empty):
    """The markets' rows hold sales only; the country's hold the spend and the total."""
    frame, with_total, roles = _with_total(2, "UK")
    markets = with_total[roles["geo"]] != "UK"
    with_total.loc[markets, roles["channels"]] = empty
    problem = next(p for p in _problems(with_total, roles) if p.column == roles["geo"])
    line = problem.fix.split("map them without a geo: ", 1)[1].rstrip(".")
    national = {**roles, "geo": None}
    mapped = mw.Workflow(run_fix(line, with_total), name="raw").map_data(**national)
    # by hand: each date's target is the markets' sum
    expected = (mw.Workflow(frame, name="raw").map_data(**roles)
                .groupby(roles["date"])[roles["target"]].sum())
    np.testing.assert_allclose(mapped.set_index(roles["date"])[roles["target"]]
                               .sort_index().to_numpy(), expected.sort_index().to_numpy())


def _with_countries(seed: int, grand_total: bool) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """A generated 5-geo panel with each country beside its regions (UK of the first two,
    FR of the other three) and, if asked, Europe of them all."""
    variation = spec(seed)
    frame, roles = table(variation), variation.roles
    date, geo = roles["date"], roles["geo"]
    regions = list(dict.fromkeys(frame[geo]))
    summed = [roles["target"], *roles["channels"]]
    groups = {"UK": regions[:2], "FR": regions[2:]}
    if grand_total:
        groups["Europe"] = regions
    added = []
    for country, parts in groups.items():
        rows = frame[frame[geo].isin(parts)]
        total = rows.groupby(date, sort=False).first()
        total[summed] = rows.groupby(date, sort=False)[summed].sum()
        added.append(total.reset_index().assign(**{geo: country})[frame.columns])
    return frame, pd.concat([frame, *added], ignore_index=True), roles


@pytest.mark.parametrize("grand_total", [False, True])
@pytest.mark.parametrize("seed", [35, 40])
def test_countries_beside_their_regions_are_left_out_by_the_line(seed, grand_total):
    frame, with_countries, roles = _with_countries(seed, grand_total)
    regions = list(dict.fromkeys(frame[roles["geo"]]))
    problems = [p for p in _problems(with_countries, roles) if p.column == roles["geo"]]
    assert len(problems) == 1
    countries = ["UK", "FR", *(["Europe"] if grand_total else [])]
    assert sorted(problems[0].rows) == sorted(f"geo {c}" for c in countries)
    assert f"('UK': {regions[0]!r}, {regions[1]!r}; 'FR': " in problems[0].what
    line = problems[0].fix.split("Leave them out: ", 1)[1].rstrip(".")
    mapped = mw.Workflow(run_fix(line, with_countries), name="raw").map_data(**roles)
    expected = mw.Workflow(frame, name="raw").map_data(**roles)
    pd.testing.assert_frame_equal(mapped.reset_index(drop=True),
                                  expected.reset_index(drop=True))
