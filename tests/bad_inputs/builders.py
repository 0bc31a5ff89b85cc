"""Builders of malformed tables, and the writer of the corpus's files.

Every builder starts from :func:`base`, a clean weekly table of 40 rows (row ``i`` is
the week of 2023-01-02 plus ``i`` weeks), and plants one kind of problem at known rows,
so the expected messages can name them. Run this module to rewrite ``files/``::

    .venv/bin/python -m tests.bad_inputs.builders
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

FILES = Path(__file__).parent / "files"
WEEKS = 40


def base(n: int = WEEKS, seed: int = 0) -> pd.DataFrame:
    """A clean weekly table: text dates, two spend channels, a 0/1 promo, sales."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2023-01-02", periods=n, freq="W-MON")
    return pd.DataFrame({
        "date": pd.Series(dates.strftime("%Y-%m-%d"), dtype=object),
        "tv": rng.uniform(100, 1000, n).round(2),
        "search": rng.uniform(50, 500, n).round(2),
        "promo": rng.integers(0, 2, n),
        "sales": rng.uniform(10_000, 20_000, n).round(2),
    })


def geo_base(geos: tuple[str, ...] = ("north", "south", "east"), n: int = 30) -> pd.DataFrame:
    """A clean panel: one row per week and geo, sorted by geo then date."""
    frames = [base(n, seed=i).assign(geo=geo) for i, geo in enumerate(geos)]
    frame = pd.concat(frames, ignore_index=True)
    return frame[["date", "geo", "tv", "search", "promo", "sales"]]


def _set(frame: pd.DataFrame, column: str, rows: dict[int, object]) -> pd.DataFrame:
    frame = frame.copy()
    if any(isinstance(v, str) or v is None for v in rows.values()):
        frame[column] = frame[column].astype(object)
    for row, value in rows.items():
        frame.loc[row, column] = value
    return frame


# ----- dates ---------------------------------------------------------------------------
def missing_dates() -> pd.DataFrame:
    return _set(base(), "date", {5: None, 12: None})


def months(written: str = "%Y-%m") -> pd.DataFrame:
    """The base table's 40 rows as months from 2020-01, written with ``written``."""
    frame = base()
    dates = pd.date_range("2020-01-01", periods=WEEKS, freq="MS")
    frame["date"] = pd.Series(dates.strftime(written), dtype=object)
    return frame


def month_gap() -> pd.DataFrame:
    return months().drop(index=[7, 8]).reset_index(drop=True)


def mid_month_dates() -> pd.DataFrame:
    return months("%Y-%m-15")


def duplicated_dates() -> pd.DataFrame:
    frame = base()
    frame.loc[6, "date"] = frame.loc[5, "date"]
    return frame


def unsorted_dates() -> pd.DataFrame:
    return base().sample(frac=1, random_state=3)


def unparseable_dates() -> pd.DataFrame:
    return _set(base(), "date", {7: "week 8", 9: "TBD"})


def mixed_date_formats() -> pd.DataFrame:
    frame = base()
    for row in (3, 8):
        frame.loc[row, "date"] = pd.Timestamp(frame.loc[row, "date"]).strftime("%d/%m/%Y")
    return frame


def date_gap() -> pd.DataFrame:
    return base().drop(index=[10, 11])


def dates_with_spaces() -> pd.DataFrame:
    frame = base()
    for row in (2, 3):
        frame.loc[row, "date"] = f" {frame.loc[row, 'date']} "
    return frame


# ----- numbers -------------------------------------------------------------------------
def text_in_numbers() -> pd.DataFrame:
    return _set(base(), "tv", {4: "twelve", 9: "n/a"})


def placeholders_for_missing() -> pd.DataFrame:
    return _set(base(), "search", {3: "n/a", 6: "-"})


def currency_symbols() -> pd.DataFrame:
    frame = base()
    frame["tv"] = [f"${v:,.2f}" for v in frame["tv"]]
    frame["sales"] = [f"{v:,.2f} EUR" for v in frame["sales"]]
    return frame


def thousands_or_decimals() -> pd.DataFrame:
    """Sales in whole units with a comma: thousands, or three decimals?"""
    frame = base()
    frame["sales"] = [f"{v:,.0f}" for v in frame["sales"]]
    return frame


def currency_with_placeholders() -> pd.DataFrame:
    frame = base()
    frame["tv"] = [f"${v:,.2f}" for v in frame["tv"]]
    frame.loc[3, "tv"] = "n/a"
    return frame


def thousands_separators() -> pd.DataFrame:
    frame = base()
    frame["sales"] = [f"{v:,.2f}" for v in frame["sales"]]
    return frame


def decimal_commas() -> pd.DataFrame:
    frame = base()
    frame["search"] = [f"{v:.2f}".replace(".", ",") for v in frame["search"]]
    return frame


def percent_signs() -> pd.DataFrame:
    """A control written as percentages (the share of stores on promotion): 100% is 1."""
    frame = base()
    frame["promo"] = [f"{v * 100}%" for v in frame["promo"]]
    return frame


def percent_spend() -> pd.DataFrame:
    """A channel written as percentages: a share, not an amount spent."""
    frame = base()
    frame["search"] = [f"{v / 100:.1f}%" for v in frame["search"]]
    return frame


def nan_target() -> pd.DataFrame:
    return _set(base(), "sales", {5: np.nan})


def target_not_yet_measured() -> pd.DataFrame:
    """The last two weeks have spend (a plan, or the current week) but no sales yet."""
    return _set(base(), "sales", {WEEKS - 2: np.nan, WEEKS - 1: np.nan})


def geo_media_history_before_target() -> pd.DataFrame:
    """Meridian's lagged tables: the first weeks of every geo hold media only."""
    frame = geo_base()
    first = sorted(frame["date"].unique())[:3]
    frame.loc[frame["date"].isin(first), ["search", "promo", "sales"]] = np.nan
    return frame


def inf_target() -> pd.DataFrame:
    return _set(base(), "sales", {9: np.inf})


def nan_channel() -> pd.DataFrame:
    return _set(base(), "tv", {7: np.nan})


def inf_channel() -> pd.DataFrame:
    return _set(base(), "search", {2: np.inf})


def negative_spend() -> pd.DataFrame:
    return _set(base(), "search", {3: -20.0})


def constant_channel() -> pd.DataFrame:
    return base().assign(search=250.0)


def all_zero_channel() -> pd.DataFrame:
    return base().assign(tv=0.0)


def only_nan_channel() -> pd.DataFrame:
    return base().assign(tv=np.nan)


def only_none_object_column() -> pd.DataFrame:
    return base().assign(search=pd.Series([None] * WEEKS, dtype=object))


def boolean_channel() -> pd.DataFrame:
    return base().assign(promo=lambda f: f["promo"].astype(bool))


def categorical_channel() -> pd.DataFrame:
    return base().assign(tv=lambda f: f["tv"].round(-2).astype("category"))


# ----- shape ---------------------------------------------------------------------------
def single_row() -> pd.DataFrame:
    return base().head(1)


def fewer_rows_than_adstock() -> pd.DataFrame:
    return base().head(6)


def duplicate_column_names() -> pd.DataFrame:
    frame = base()
    frame.columns = ["date", "tv", "tv", "promo", "sales"]
    return frame


def empty_frame() -> pd.DataFrame:
    return base().iloc[:0]


def frame_without_columns() -> pd.DataFrame:
    return pd.DataFrame()


def many_problems() -> pd.DataFrame:
    frame = _set(base(), "sales", {5: np.nan})
    frame.loc[3, "tv"] = -1.0
    frame["search"] = 100.0
    return frame.drop(index=[20])


# ----- geo panels ------------------------------------------------------------------------
def geo_missing_dates() -> pd.DataFrame:
    """Geo east's rows end three weeks before the others' (a store that closed)."""
    frame = geo_base()
    last = sorted(frame["date"].unique())[-3:]
    return frame[~((frame["geo"] == "east") & frame["date"].isin(last))]


def year_and_week_columns() -> pd.DataFrame:
    """No date column: the year and the ISO week in two (as retail tables write them)."""
    frame = base()
    dates = pd.to_datetime(frame.pop("date"))
    frame.insert(0, "Week", dates.dt.isocalendar().week.astype(int))
    frame.insert(0, "Year", dates.dt.isocalendar().year.astype(int))
    return frame


def year_and_week_not_iso() -> pd.DataFrame:
    """Weeks counted from 1 January: 2023's week 53 (rows 39 on) is no ISO week."""
    frame = year_and_week_columns()
    frame.loc[39:, "Week"] = 53
    return frame


def geo_starts_late() -> pd.DataFrame:
    """Geo south's rows start four weeks after the others' (a store that opened later)."""
    frame = geo_base()
    first = sorted(frame["date"].unique())[:4]
    return frame[~((frame["geo"] == "south") & frame["date"].isin(first))]


def geo_gap() -> pd.DataFrame:
    frame = geo_base()
    return frame[~((frame["geo"] == "south") & (frame["date"] == "2023-03-06"))]


def geo_blank() -> pd.DataFrame:
    return _set(geo_base(), "geo", {33: None})


def target_not_yet_recorded() -> pd.DataFrame:
    """Sales written as 0 on the first 6 weeks, while the channels spent."""
    frame = base()
    frame.loc[:5, "sales"] = 0.0
    return frame


def national_target() -> pd.DataFrame:
    """The panel's sales summed over the geos and written on each geo's row."""
    frame = geo_base()
    frame["sales"] = frame.groupby("date")["sales"].transform("sum")
    return frame


def currencies_per_geo() -> pd.DataFrame:
    """A panel of accounts, the south one billing and selling in pounds."""
    frame = geo_base()
    frame["currency"] = np.where(frame["geo"] == "south", "GBP", "EUR")
    return frame


def two_currencies_in_a_column() -> pd.DataFrame:
    """TV's spend in dollars, but on rows 4 and 9 in euros."""
    frame = base()
    frame["tv"] = [f"{'€' if row in (4, 9) else '$'}{value:,.2f}"
                   for row, value in enumerate(frame["tv"])]
    return frame


# ----- large inputs ---------------------------------------------------------------------
def large_panel(n_columns: int = 200, years: int = 5, n_geos: int = 50,
                seed: int = 7) -> tuple[pd.DataFrame, dict]:
    """A daily geo panel with ``n_columns`` columns and the mapping it was built with.

    Columns: a text date, a geo, the target, spend channels (``<medium>_spend_<i>``),
    0/1 event flags and continuous controls (``price_index_<i>``), in ratio 3 : 1 : 1.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2020-01-01", periods=int(365.25 * years), freq="D")
    geos = [f"geo_{g:02d}" for g in range(n_geos)]
    n_rows = len(dates) * n_geos
    n_free = n_columns - 3
    n_channels = n_free * 3 // 5
    n_flags = (n_free - n_channels) // 2
    n_prices = n_free - n_channels - n_flags
    media = ("tv", "search", "social", "display", "video", "radio", "ooh", "email")
    columns: dict[str, np.ndarray] = {
        "date": np.tile(dates.strftime("%Y-%m-%d").to_numpy(), n_geos),
        "geo": np.repeat(np.array(geos, dtype=object), len(dates)),
    }
    channels = [f"{media[i % len(media)]}_spend_{i:03d}" for i in range(n_channels)]
    flags = [f"promo_flag_{i:03d}" for i in range(n_flags)]
    prices = [f"price_index_{i:03d}" for i in range(n_prices)]
    spend = rng.gamma(2.0, 500.0, (n_rows, n_channels)).round(2)
    for i, name in enumerate(channels):
        columns[name] = spend[:, i]
    for name in flags:
        columns[name] = rng.integers(0, 2, n_rows)
    for name in prices:
        columns[name] = rng.normal(1.0, 0.05, n_rows).round(4)
    columns["sales"] = (spend.sum(axis=1) * 0.3 + rng.normal(50_000, 5_000, n_rows)).round(2)
    frame = pd.DataFrame(columns)
    mapping = {"date": "date", "target": "sales", "channels": channels,
               "controls": [*flags, *prices], "geo": "geo"}
    return frame, mapping


def plant_problems(frame: pd.DataFrame,
                   mapping: dict) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """A copy of a :func:`large_panel` with problems in many columns and geos.

    Returns
    -------
    tuple
        The frame, and the problems it must give as ``(column, part of the message)``:
        one per planted problem, since all must be reported in one pass.
    """
    bad = frame.copy()
    channels, controls = mapping["channels"], mapping["controls"]
    geos = list(bad["geo"].unique())
    expected: list[tuple[str, str]] = []
    for i, column in enumerate(channels[:20]):
        bad.loc[bad.index[100 + i], column] = -1.0
        expected.append((column, "Spend is negative"))
    for column in channels[20:30]:
        bad.loc[bad.index[200], column] = np.nan
        expected.append((column, "channel has missing values"))
    bad[channels[30]] = 0.0
    expected.append((channels[30], "spend is all zero"))
    bad.loc[bad.index[300], "sales"] = np.inf
    expected.append(("sales", "target has infinite values"))
    price = controls[-1]
    bad[price] = bad[price].astype(object)
    bad.loc[bad.index[400], price] = "n/a "
    expected.append((price, "text where numbers are expected"))
    # Geos 0-9 each lose a different date in the middle of the series: a gap each, named in
    # one problem (more than three geos).
    for k, geo in enumerate(geos[:10]):
        bad = bad.drop(index=bad.index[(bad["geo"] == geo)
                                       & (bad["date"] == f"2021-03-{10 + k:02d}")])
    # The last geo stops five days early: it lacks dates the others have.
    last_dates = sorted(bad["date"].unique())[-5:]
    bad = bad[~((bad["geo"] == geos[-1]) & bad["date"].isin(last_dates))]
    ended = pd.Timestamp(sorted(bad["date"].unique())[-6]).strftime("%Y-%m-%d")
    expected.append(("geo", f"Geo {geos[-1]!r} ends on {ended}, 5 dates before the others"))
    # One day of the second-to-last geo is entered twice, so its next day is missing: a date
    # typed for its neighbour, named once with the day it was meant for.
    rows = bad.index[bad["geo"] == geos[-2]]
    meant = bad.loc[rows[11], "date"]
    bad.loc[rows[11], "date"] = bad.loc[rows[10], "date"]
    expected.append(("date", f"{bad.loc[rows[10], 'date']} for {meant} in geo {geos[-2]!r}"))
    expected.append(("date", f"missing from the daily sequence in 10 of {len(geos)} geos"))
    return bad, expected


# ----- files -----------------------------------------------------------------------------
def _header_rows(path: Path) -> None:
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["Weekly report"], ["exported 2025-01-06"]]).to_excel(
            writer, index=False, header=False)
        base().to_excel(writer, index=False, startrow=2)


def _totals_row(path: Path) -> None:
    frame = base().assign(date=lambda f: pd.to_datetime(f["date"]))
    totals = frame.drop(columns="date").sum().to_dict()
    frame = pd.concat([frame.astype({"date": object}),
                       pd.DataFrame([{"date": "Total", **totals}])], ignore_index=True)
    frame.to_excel(path, index=False)


def _ragged(path: Path) -> None:
    lines = base().to_csv(index=False).splitlines()
    fields = lines[5].split(",")
    fields[1] = f"1,{fields[1]}"  # an unquoted thousands comma in row 4 (line 6)
    lines[5] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_files(folder: Path = FILES) -> list[Path]:
    """Write every file case into ``folder``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = base()
    frame.to_csv(folder / "semicolon_decimal_comma.csv", sep=";", decimal=",", index=False)
    frame.to_csv(folder / "tab_separated.tsv", sep="\t", index=False)
    frame.assign(sales=[f"{v:,.2f}" for v in frame["sales"]]).to_csv(
        folder / "thousands.csv", index=False)
    european = frame.assign(sales=[f"{v:,.2f}".replace(",", " ").replace(".", ",")
                                   .replace(" ", ".") for v in frame["sales"]])
    european.to_csv(folder / "european_numbers.csv", sep=";", decimal=",", index=False)
    _header_rows(folder / "header_rows.xlsx")
    _totals_row(folder / "totals_row.xlsx")
    (folder / "empty.csv").write_bytes(b"")
    (folder / "header_only.csv").write_text("date,tv,search,promo,sales\n", encoding="utf-8")
    _ragged(folder / "ragged.csv")
    frame.head(5).to_csv(folder / "text_named.xlsx", index=False)
    (folder / "workbook_named.csv").write_bytes((folder / "header_rows.xlsx").read_bytes())
    frame.rename(columns={"tv": "télé"}).to_csv(folder / "latin1.csv", index=False,
                                                  encoding="latin-1")
    return sorted(folder.iterdir())


if __name__ == "__main__":
    for written in write_files():
        print(f"{written.stat().st_size:>7} {written.name}")
