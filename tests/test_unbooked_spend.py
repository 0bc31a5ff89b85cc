"""Spend not yet booked: no channel spends on the table's last dates while sales go on
(a table exported before the invoices came in). Named, with the line that fits the dates
before; those dates are not named as outliers. Not named: one such date, a business shut
(sales fall with the spend), channels that all pause now and then. The same at the start
(media history that starts later than the sales', written as 0), with the line that fits
the dates from the first spend. One channel that spends on every date but the last ones,
while the others go on, is named too (not one that pauses now and then). Generated wide
tables, national and geo, weekly and daily; three MAP fit tests check the premises and the
lines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from tests.conformance.tables import spec, table, true_dates
from tests.conftest import always_spending, run_fix


def _seeds() -> list[int]:
    found = [s for s in range(120) if not (
        (v := spec(s)).long or v.text_amounts or v.reported_outcomes or v.units_row
        or v.report_rows or v.weekdays_only or v.frequency == "M") and always_spending(s)]
    return found[:6]


SEEDS = _seeds()


def _unbooked(seed: int, periods: int = 4, sales_kept: float = 1.0):
    """The seed's table with every channel's spend 0 on its last ``periods`` dates (its
    target times ``sales_kept`` there); the roles, the true dates and the last date with
    spend."""
    variation = spec(seed)
    frame, roles = table(variation), dict(variation.roles)
    dates = true_dates(variation, frame[roles["date"]])
    ordered = sorted(dates.unique())
    late = dates.isin(ordered[-periods:]).to_numpy()
    frame.loc[late, list(roles["channels"])] = 0.0
    frame.loc[late, roles["target"]] = frame.loc[late, roles["target"]] * sales_kept
    return frame, roles, dates, ordered[-periods - 1]


def _notes(frame: pd.DataFrame, roles: dict) -> list:
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(**roles)
    return wf.data_result.warnings


def test_the_seeds_vary_what_they_should():
    chosen = [spec(s) for s in SEEDS]
    assert {bool(v.geos) for v in chosen} == {False, True}


@pytest.mark.parametrize("seed", SEEDS)
def test_spend_not_yet_booked_is_named_and_the_line_fits_the_dates_before(seed):
    frame, roles, dates, last_spent = _unbooked(seed)
    notes = _notes(frame, roles)
    (named,) = [n for n in notes if n.kind == "unbooked_spend"]
    first = sorted(dates.unique())[-4]
    # by its week: a year-week's date is read as its Monday, whatever day the table counts
    written = pd.Timestamp(named.message.split("the last 4 dates (", 1)[1][:10])
    assert abs(written - first) < pd.Timedelta(days=7)
    # those dates' sales are not named as outliers
    assert not any(n.kind == "outlier" and f"{written:%Y-%m-%d}" in n.message for n in notes)
    line = named.message.split("fit the dates before them: ", 1)[1].split("; or fill", 1)[0]
    kept = run_fix(line, frame)
    pd.testing.assert_frame_equal(kept, frame[(dates <= last_spent).to_numpy()])


def _unrecorded(seed: int, periods: int = 26):
    """The seed's table with every channel's spend 0 on its first ``periods`` dates; the
    roles, the true dates and the first date with spend."""
    variation = spec(seed)
    frame, roles = table(variation), dict(variation.roles)
    dates = true_dates(variation, frame[roles["date"]])
    ordered = sorted(dates.unique())
    frame.loc[dates.isin(ordered[:periods]).to_numpy(), list(roles["channels"])] = 0.0
    return frame, roles, dates, ordered[periods]


@pytest.mark.parametrize("seed", SEEDS)
def test_media_history_that_starts_later_is_named_and_the_line_fits_the_dates_after(seed):
    frame, roles, dates, first_spent = _unrecorded(seed)
    notes = _notes(frame, roles)
    (named,) = [n for n in notes if n.kind == "unbooked_spend"]
    assert "the first 26 dates" in named.message
    # their sales were named as a step in the target's level
    assert not [n for n in notes if n.kind == "baseline"]
    line = named.message.split("fit the dates from the first spend: ", 1)[1].split(
        "; or fill", 1)[0]
    pd.testing.assert_frame_equal(run_fix(line, frame), frame[(dates >= first_spent)
                                                              .to_numpy()])


@pytest.mark.parametrize(("case", "periods", "sales_kept"), [
    ("one date", 1, 1.0), ("a business shut: sales fell with the spend", 4, 0.3)])
def test_what_is_not_named(case, periods, sales_kept):
    frame, roles, _, _ = _unbooked(SEEDS[0], periods, sales_kept)
    assert not [n for n in _notes(frame, roles) if n.kind == "unbooked_spend"], case


def test_channels_that_all_pause_now_and_then_are_not_named():
    frame, roles, dates, _ = _unbooked(SEEDS[0])
    ordered = sorted(dates.unique())
    pauses = dates.isin(ordered[20:24] + ordered[60:63]).to_numpy()
    frame.loc[pauses, list(roles["channels"])] = 0.0
    assert not [n for n in _notes(frame, roles) if n.kind == "unbooked_spend"]


def _one_channel_unbooked(seed: int, periods: int = 4, pauses: bool = False):
    """The seed's table with its channel spending on most dates made to spend on every
    date (the median where it did not, or pausing on a few dates mid-table when
    ``pauses``), then 0 on the last ``periods``; the roles, the true dates, the channel
    and the last date with its spend."""
    variation = spec(seed)
    frame, roles = table(variation), dict(variation.roles)
    dates = true_dates(variation, frame[roles["date"]])
    ordered = sorted(dates.unique())
    spend = frame[list(roles["channels"])].apply(pd.to_numeric).astype(float)
    channel = (spend.groupby(dates.to_numpy()).sum() > 0).sum().idxmax()
    values = spend[channel]
    frame[channel] = values.where(values > 0, float(values[values > 0].median()))
    if pauses:
        frame.loc[dates.isin(ordered[30:33]).to_numpy(), channel] = 0.0
    frame.loc[dates.isin(ordered[-periods:]).to_numpy(), channel] = 0.0
    return frame, roles, dates, channel, ordered[-periods - 1]


@pytest.mark.parametrize("seed", SEEDS)
def test_one_channel_not_yet_booked_is_named_and_the_line_fits_the_dates_before(seed):
    frame, roles, dates, channel, last_spent = _one_channel_unbooked(seed)
    (named,) = [n for n in _notes(frame, roles) if n.kind == "unbooked_spend"]
    assert named.columns == (channel,)
    assert f"{channel!r} spends on every date but the last 4" in named.message
    line = named.message.split("fit the dates before them: ", 1)[1].split("; or fill", 1)[0]
    pd.testing.assert_frame_equal(run_fix(line, frame),
                                  frame[(dates <= last_spent).to_numpy()])


def test_a_channel_that_pauses_now_and_then_is_not_named_for_its_last_dates():
    frame, roles, *_ = _one_channel_unbooked(SEEDS[0], pauses=True)
    assert not [n for n in _notes(frame, roles) if n.kind == "unbooked_spend"]


def _demand_table(seed: int, unbooked: int = 0, n: int = 156,
                  unrecorded: int = 0) -> pd.DataFrame:
    """``n`` weeks: TV returning 2.0 and search 3.0 over their carryover (weights summing
    to 1), a season; the last ``unbooked`` and first ``unrecorded`` weeks' spend written
    as 0."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    tv = rng.gamma(2, 1500, n) * (rng.random(n) > 0.2)
    search = rng.gamma(4, 500, n)

    def carried(x: np.ndarray, alpha: float) -> np.ndarray:
        return np.convolve(x, alpha ** np.arange(6))[:n] * (1 - alpha)

    sales = (20_000 * (1 + 0.2 * np.sin(2 * np.pi * t / 52.18)) + 2 * carried(tv, 0.5)
             + 3 * carried(search, 0.3) + rng.normal(0, 600, n))
    frame = pd.DataFrame({"date": pd.date_range("2022-01-03", periods=n, freq="W-MON"),
                          "tv": tv, "search": search, "sales": sales})
    spent = frame.index.to_series().between(unrecorded, n - unbooked - 1)
    frame.loc[~spent, ["tv", "search"]] = 0.0
    return frame


def _roas(frame: pd.DataFrame) -> tuple[pd.Series, list]:
    """The channels' ROAS after a MAP fit of ``frame`` (tv, search, sales), and its notes."""
    wf = mw.Workflow(frame, name="raw")
    wf.map_data(date="date", target="sales", channels=["tv", "search"])
    wf.configure_model()
    wf.fit("map")
    return wf.channel_summary()["roas"], wf.data_result.warnings


@pytest.mark.fit
@pytest.mark.parametrize(("at", "frame_of", "line_after", "low", "search", "tv"), [
    ("end", lambda: _demand_table(1, unbooked=4), "fit the dates before them: ", 2.5,
     (2.6, 3.5), (1.7, 2.4)),
    ("start", lambda: _demand_table(2, n=208, unrecorded=26),
     "fit the dates from the first spend: ", 2.0, (2.5, 3.5), (1.6, 2.4)),
    ("one channel", lambda: _demand_table(1).assign(
        search=lambda frame: frame["search"].where(frame.index < 152, 0.0)),
     "fit the dates before them: ", 2.8, (2.8, 3.5), (1.7, 2.4))],
    ids=["end", "start", "one-channel"])
def test_the_notes_line_brings_the_returns_back(at, frame_of, line_after, low, search, tv):
    """Search returns 3.0 and TV 2.0: read low with the dates without spend, back with
    the note's line."""
    frame = frame_of()
    roas, notes = _roas(frame)
    (named,) = [n for n in notes if n.kind == "unbooked_spend"]
    assert roas["search"] < low, at  # the premise: 3.0 read low
    line = named.message.split(line_after, 1)[1].split("; or fill", 1)[0]
    roas, _ = _roas(run_fix(line, frame))
    assert search[0] < roas["search"] < search[1] and tv[0] < roas["tv"] < tv[1], at
