"""Dates as exports write them: ISO weeks, timestamps, month names, integers, year-weeks."""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw


@pytest.mark.parametrize("pattern", ["{year}-W{week:02d}", "{year}W{week:02d}",
                                     "{year} W{week:02d}", "W{week:02d} {year}",
                                     "W{week:02d}-{year}", "{year}-W{week}",
                                     # German exports' Kalenderwoche, and other labels
                                     "KW {week:02d}/{year}", "KW{week:02d}/{year}",
                                     "Week {week}, {year}", "CW {week}-{year}",
                                     # with the weekday
                                     "{year}-W{week:02d}-1"])
def test_iso_weeks_are_read_as_their_mondays(pattern):
    # 2020 has 53 ISO weeks: the run crosses 2020-W53 into 2021-W01
    weeks = [(2020, w) for w in range(20, 54)] + [(2021, w) for w in range(1, 27)]
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({
        "Week": [pattern.format(year=y, week=w) for y, w in weeks],
        "tv": rng.gamma(2, 500, len(weeks)).round(2),
        "radio": rng.gamma(2, 200, len(weeks)).round(2),
    })
    frame["sales"] = 5000 + frame["tv"] + frame["radio"]
    wf = mw.Workflow()
    wf.set_frame(frame)
    suggested = wf.suggest_mapping()
    assert suggested["date"] == "Week"
    wf.map_data(**{k: suggested[k] for k in ("date", "target", "channels", "controls")})
    mondays = [pd.Timestamp(datetime.date.fromisocalendar(y, w, 1)) for y, w in weeks]
    assert wf.data["Week"].tolist() == mondays
    assert wf.data_result.frequency == "weekly"
    names = {"df": frame}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)


WRITTEN = {
    "%Y-%m-%dT%H:%M:%S": "2022-01-03T00:00:00",   # APIs
    "%Y-%m-%dT%H:%M:%SZ": "2022-01-03T00:00:00Z",
    "%Y-%m-%d %H:%M:%S+00:00": "2022-01-03 00:00:00+00:00",
    "%m/%d/%Y %H:%M": "01/03/2022 00:00",         # a spreadsheet's CSV of date cells
    "%d-%b-%Y": "03-Jan-2022",                    # spreadsheets' default date style
    "%d-%b-%y": "03-Jan-22",
    "%d %b %Y": "03 Jan 2022",
    "%b %d, %Y": "Jan 03, 2022",                  # ad platforms' reports
    "%B %d, %Y": "January 03, 2022",
    "%Y.%m.%d": "2022.01.03",
    "%d.%m.%y": "03.01.22",
    "%Y-%m-%d %H:%M:%S.000": "2022-01-03 00:00:00.000",     # databases
    "%Y-%m-%dT%H:%M:%S.000Z": "2022-01-03T00:00:00.000Z",   # JavaScript's toISOString
    "%Y-%m-%d %H:%M:%S UTC": "2022-01-03 00:00:00 UTC",     # BigQuery's CSV export
    "%Y/%m/%d %H:%M:%S": "2022/01/03 00:00:00",
    "%d/%m/%Y %H:%M:%S": "03/01/2022 00:00:00",
    "%m/%d/%Y %I:%M:%S %p": "01/03/2022 12:00:00 AM",       # US-locale tools
    "%d-%m-%y": "03-01-22",
    "%a, %d %b %Y": "Mon, 03 Jan 2022",
    "%A, %B %d, %Y": "Monday, January 03, 2022",
    "%b %d %Y": "Jan 03 2022",
    "%a %d %b %Y": "Mon 03 Jan 2022",
    "%a %b %d %Y": "Mon Jan 03 2022",                       # JavaScript's toDateString
    "%m/%d/%Y %I:%M %p": "01/03/2022 12:00 AM",             # US-locale reports
    "%b %d, %Y %I:%M %p": "Jan 03, 2022 12:00 AM",
}


@pytest.mark.parametrize("written", ["%a %d %b %Y", "%a %b %d %Y", "%a, %d %b %Y"])
def test_days_written_with_their_weekdays_are_read(written):
    # daily rows: the weekday changes from row to row (weekly rows share one)
    days = pd.date_range("2022-01-01", periods=120, freq="D")
    wf = _reads_as(_weekly_table(days.strftime(written)), days)
    assert wf.data_result.frequency == "daily"


@pytest.mark.parametrize("written", ["%Y-M%m", "%YM%m"])
def test_months_as_statistics_offices_write_them_are_read(written):
    months = pd.date_range("2019-01-01", periods=48, freq="MS")
    assert months[0].strftime(written) in ("2019-M01", "2019M01")
    wf = _reads_as(_weekly_table(months.strftime(written)), months)
    assert wf.data_result.frequency == "monthly"


@pytest.mark.parametrize("written", list(WRITTEN), ids=list(WRITTEN.values()))
def test_dates_as_exports_write_them_are_read_and_suggested(written):
    dates = pd.date_range("2022-01-03", periods=60, freq="W-MON")
    assert dates[0].strftime(written) == WRITTEN[written]
    _reads_as(_weekly_table(dates.strftime(written)), dates)


# A week written as a range, or behind a label: (how each week is written, the day named)
AROUND = {
    "{start:%Y-%m-%d} - {end:%Y-%m-%d}": "start",              # BI tools' week ranges
    "{start:%b %d, %Y} - {end:%b %d, %Y}": "start",
    "{start:%d/%m/%Y} – {end:%d/%m/%Y}": "start",               # an en dash
    "{start:%m/%d/%Y} to {end:%m/%d/%Y}": "start",
    "Week of {start:%Y-%m-%d}": "start",
    "W/C {start:%d/%m/%Y}": "start",                            # week commencing (UK)
    "Week Ending {end:%m/%d/%Y}": "end",                        # syndicated data
    "w/e {end:%d.%m.%Y}": "end",
}


@pytest.mark.parametrize("pattern", list(AROUND))
def test_weeks_written_as_ranges_or_behind_a_label_are_read(pattern):
    starts = pd.date_range("2022-01-03", periods=60, freq="W-MON")
    ends = starts + pd.Timedelta(days=6)
    written = [pattern.format(start=a, end=b) for a, b in zip(starts, ends, strict=True)]
    frame = _weekly_table(written)
    wf = mw.Workflow()
    wf.set_frame(frame)
    assert wf.suggest_mapping()["date"] == "Week"
    wf.map_data(date="Week", target="sales", channels=["tv", "radio"])
    assert wf.data["Week"].tolist() == list(starts if AROUND[pattern] == "start" else ends)
    assert wf.data_result.frequency == "weekly"
    names = {"df": frame}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)


def test_a_range_whose_end_does_not_read_or_comes_first_is_named():
    starts = pd.date_range("2022-01-03", periods=30, freq="W-MON")
    written = [f"{a:%Y-%m-%d} - {a + pd.Timedelta(days=6):%Y-%m-%d}" for a in starts]
    written[4] = "2022-01-31 - 2022-01-24"   # ends before it starts
    written[9] = "2022-03-07 - soon"
    wf = mw.Workflow()
    wf.set_frame(_weekly_table(written))
    with pytest.raises(mw.DataError) as raised:
        wf.map_data(date="Week", target="sales", channels=["tv", "radio"])
    message = str(raised.value)
    assert "row 4 ('2022-01-31 - 2022-01-24')" in message
    assert "row 9 ('2022-03-07 - soon')" in message


def test_a_label_all_rows_share_is_no_date_by_itself():
    frame = _weekly_table([f"Week {n}" for n in range(1, 61)])
    wf = mw.Workflow()
    wf.set_frame(frame)
    assert wf.suggest_mapping()["date"] is None


def test_a_local_exports_offsets_change_with_daylight_saving_and_the_day_is_kept():
    # Europe/Berlin: +01:00 in winter, +02:00 from the last Sunday of March
    dates = pd.date_range("2022-01-03", periods=30, freq="W-MON", tz="Europe/Berlin")
    written = [d.isoformat() for d in dates]
    assert {w[-6:] for w in written} == {"+01:00", "+02:00"}
    wf = mw.Workflow()
    wf.set_frame(_weekly_table(written))
    wf.map_data(date="Week", target="sales", channels=["tv", "radio"])
    assert wf.data["Week"].tolist() == list(dates.tz_localize(None))



@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Asia/Tokyo"])
@pytest.mark.parametrize("freq", ["W-MON", "D"])
def test_local_midnights_written_in_utc_are_read_as_their_days(zone, freq):
    # JavaScript's toISOString of local midnights: 05:00Z in New York, 04:00Z once daylight
    # saving starts; Berlin's midnight is 23:00Z the day before, Tokyo's 15:00Z
    days = pd.date_range("2023-01-02", periods=120, freq=freq, tz=zone)
    written = days.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert written.str[11:13].nunique() == (1 if zone == "Asia/Tokyo" else 2)
    wf = mw.Workflow()
    wf.set_frame(_weekly_table(written))
    wf.map_data(date="Week", target="sales", channels=["tv", "radio"])
    assert wf.data["Week"].tolist() == list(days.tz_localize(None))
    assert wf.data_result.frequency == ("weekly" if freq == "W-MON" else "daily")
    names = {"df": _weekly_table(written)}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)


@pytest.mark.parametrize("written", ["%Y-%m-%dT12:00:00Z", "%Y-%m-%d 12:00:00 UTC"])
def test_days_stamped_at_noon_utc_stay_on_their_days(written):
    # some APIs stamp each day at noon UTC: the nearest midnight would be a tie
    days = pd.date_range("2023-01-02", periods=120, freq="D")
    frame = _weekly_table(days.strftime(written))
    wf = mw.Workflow()
    wf.set_frame(frame)
    wf.map_data(date="Week", target="sales", channels=["tv", "radio"])
    assert wf.data["Week"].tolist() == list(days)
    names = {"df": frame}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)

@pytest.mark.parametrize(("unit", "per_second"), [("seconds", 1), ("milliseconds", 1000)])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"])
@pytest.mark.parametrize("freq", ["W-MON", "D"])
def test_unix_timestamps_are_read_as_the_days_they_name(unit, per_second, zone, freq):
    # a database's Unix time of each period's local midnight: Berlin's is 23:00 or 22:00
    # UTC the day before, by daylight saving; seconds since 1970-01-01 counted by hand
    days = pd.date_range("2023-01-02", periods=120, freq=freq)
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    stamps = [int((day.tz_localize(zone).to_pydatetime() - epoch).total_seconds())
              * per_second for day in days]
    wf = _reads_as(_weekly_table(stamps), days)
    assert wf.data_result.date_format == f"unix {unit}"


def test_a_timestamp_by_hand():
    from mmm_widgets.steps.dates import parse_dates

    # 1704067200 s: 2024-01-01 00:00 UTC; 1704063600: Berlin's midnight of that day
    parsed = parse_dates(pd.Series([1704067200, 1704063600, 1704067200 + 7 * 86400]))
    assert parsed.date_format == "unix seconds"
    assert parsed.values.tolist() == [pd.Timestamp("2024-01-01")] * 2 + [
        pd.Timestamp("2024-01-08")]


def test_large_numbers_not_named_like_dates_are_no_dates():
    # a count in the billions that happens to step by a week of seconds, in a table
    # without dates: the roles say so rather than take it for them
    frame = _weekly_table(1_700_000_000 + 604_800 * np.arange(60)).rename(
        columns={"Week": "impressions"})
    assert mw.Workflow(frame).suggest_mapping()["date"] is None


def test_dates_as_integers_are_suggested_when_the_column_is_named_like_a_date():
    dates = pd.date_range("2022-01-03", periods=60, freq="W-MON")
    frame = _weekly_table(dates.strftime("%Y%m%d").astype(int))  # Google Analytics' date
    wf = mw.Workflow()
    wf.set_frame(frame)
    assert wf.suggest_mapping()["date"] == "Week"
    wf.map_data(date="Week", target="sales", channels=["tv", "radio"])
    assert wf.data["Week"].tolist() == list(dates)


@pytest.mark.parametrize("name", ["YearWeek", "year_week", "wk"])
def test_year_and_week_numbers_are_read_as_the_mondays_of_iso_weeks(name):
    # 2020 has 53 ISO weeks: 202053 then 202101; as text, 202013 is no month of a year
    weeks = [(2020, w) for w in range(1, 54)] + [(2021, w) for w in range(1, 30)]
    frame = _weekly_table([y * 100 + w for y, w in weeks]).rename(columns={"Week": name})
    assert frame[name].dtype.kind == "i"
    wf = mw.Workflow()
    wf.set_frame(frame)
    assert wf.suggest_mapping()["date"] == name
    wf.map_data(date=name, target="sales", channels=["tv", "radio"])
    mondays = [pd.Timestamp(datetime.date.fromisocalendar(y, w, 1)) for y, w in weeks]
    assert wf.data[name].tolist() == mondays
    assert wf.data_result.frequency == "weekly"
    names = {"df": frame}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)


def test_year_and_month_numbers_in_a_monthly_table_are_read_as_months_not_weeks():
    # 202201 ... 202212 would read as ISO weeks 1-12 too; the gap to 202301 settles it
    months = [(y, m) for y in (2021, 2022, 2023) for m in range(1, 13)]
    frame = _weekly_table([y * 100 + m for y, m in months]).rename(columns={"Week": "month"})
    wf = mw.Workflow()
    wf.set_frame(frame)
    assert wf.suggest_mapping()["date"] == "month"
    wf.map_data(date="month", target="sales", channels=["tv", "radio"])
    assert wf.data["month"].tolist() == [pd.Timestamp(y, m, 1) for y, m in months]
    assert wf.data_result.frequency == "monthly"


def test_a_week_number_past_the_years_last_iso_week_is_reported_with_its_row():
    # 2021 has 52 ISO weeks: 202153 is no week (a table counting weeks another way)
    weeks = [202150, 202151, 202152, 202153, 202201, 202202, *range(202203, 202240)]
    wf = mw.Workflow()
    wf.set_frame(_weekly_table(weeks))
    with pytest.raises(mw.DataError) as error:
        wf.map_data(date="Week", target="sales", channels=["tv", "radio"])
    assert "row 3 (202153)" in str(error.value)
    assert "ISO week" in str(error.value)


def _reads_as(frame: pd.DataFrame, dates: object, column: str = "Week") -> mw.Workflow:
    """The table's date column is suggested, maps to ``dates`` and the export replays it."""
    wf = mw.Workflow()
    wf.set_frame(frame)
    assert wf.suggest_mapping()["date"] == column
    wf.map_data(date=column, target="sales", channels=["tv", "radio"])
    assert wf.data[column].tolist() == list(dates)
    assert wf.data[column].dtype.kind == "M"  # numpy datetimes, not periods or Arrow's
    names = {"df": frame}
    exec(wf.step_code("data"), names)
    pd.testing.assert_frame_equal(names["data"], wf.data)
    return wf


def _weekly_table(written) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = len(written)
    frame = pd.DataFrame({"Week": written, "tv": rng.gamma(2, 500, n).round(2),
                          "radio": rng.gamma(2, 200, n).round(2)})
    frame["sales"] = 5000 + frame["tv"] + frame["radio"]
    return frame


#: Month names as each language's spreadsheets write them, written out by hand (not
#: taken from the kit's table of month words).
MONTHS_WRITTEN = {
    "German": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
               "September", "Oktober", "November", "Dezember"],
    "German, Excel": ["Jan", "Feb", "Mrz", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt",
                      "Nov", "Dez"],
    "French": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
               "oct.", "nov.", "déc."],
    "Spanish": ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov",
                "dic"],
    "Italian": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio",
                "agosto", "settembre", "ottobre", "novembre", "dicembre"],
    "Dutch": ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov",
              "dec"],
    "Portuguese": ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov",
                   "dez"],
}


def _named(days: pd.DatetimeIndex, months: list[str], pattern: str) -> list[str]:
    return [pattern.format(day=day.day, month=months[day.month - 1], year=day.year)
            for day in days]


@pytest.mark.parametrize("language", list(MONTHS_WRITTEN))
def test_months_named_in_another_language_are_read(language):
    months = pd.date_range("2021-01-01", periods=36, freq="MS")
    written = _named(months, MONTHS_WRITTEN[language], "{month} {year}")
    wf = _reads_as(_weekly_table(written).rename(columns={"Week": "Monat"}), months, "Monat")
    assert wf.data_result.frequency == "monthly"
    assert wf.data_result.date_format.endswith(f" in {language.split(',')[0]}")


@pytest.mark.parametrize(("language", "pattern"), [("German", "{day}. {month} {year}"),
                                                   ("Spanish", "{day:02d}-{month}-{year}"),
                                                   ("French", "{day} {month} {year}")])
def test_days_with_month_names_in_another_language_are_read(language, pattern):
    days = pd.date_range("2023-01-02", periods=80, freq="W-MON")
    _reads_as(_weekly_table(_named(days, MONTHS_WRITTEN[language], pattern)), days)


def test_a_month_misspelt_in_another_language_is_named_with_its_row():
    months = pd.date_range("2021-01-01", periods=24, freq="MS")
    written = _named(months, MONTHS_WRITTEN["German"], "{month} {year}")
    written[5] = "Juno 2021"
    with pytest.raises(mw.DataError) as raised:
        mw.Workflow(_weekly_table(written)).map_data(date="Week", target="sales",
                                                     channels=["tv", "radio"])
    assert "row 5" in str(raised.value) and "in German" in str(raised.value)
