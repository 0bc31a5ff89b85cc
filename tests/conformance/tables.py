"""Seeded generator of tables shaped like the ones analysts bring, with their true roles.

Every table varies what real marketing tables vary: the date column's name, format,
weekday and frequency (daily, weekly, monthly); the target's name, unit and scale; how
channels are named; impressions and clicks beside spend; channels with long runs of zero;
binary, continuous, text-event and trend controls; geo panels with a channel that never
spends in one geo; and long tables, one row per date (and geo) and channel as ad platforms
export them, with no row where a channel did not spend. :func:`spec` draws one variation
from a seed, :func:`table` builds it, and :attr:`TableSpec.roles` says what each column
really is, so a test can compare a suggestion or a step's output with the truth.

Run ``python -m tests.conformance.tables 5`` to print a few specs.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

DATE_NAMES = ("week_start", "time", "DATE", "Week", "date_week", "date", "Period")
DATE_FORMATS = ("iso", "dmy", "mdy", "excel", "datetime")
#: Dates as exports write them, on some seeds (``_written_dates``): ISO weeks, an API's
#: timestamps, an ad platform's report, a database's timestamps and JavaScript's (of New
#: York's midnights, so 05:00Z or 04:00Z), a German export's ISO weeks (``KW 01/2024``).
EXPORT_DATE_FORMATS = {"isoweek": "%G-W%V", "api": "%Y-%m-%dT%H:%M:%SZ", "report": "%b %d, %Y",
                       "database": "%Y-%m-%d %H:%M:%S.000", "js": "%Y-%m-%dT%H:%M:%S.000Z",
                       "label": "Week of %Y-%m-%d", "kw": "KW %V/%G"}
#: A week written as the range of its days, as BI tools write it: Jan 03, 2022 - Jan 09, 2022.
WEEK_RANGE = "{start:%b %d, %Y} - {end:%b %d, %Y}"
#: Weeks and months as whole numbers, as retail and BI tables write them: 202401 (a year
#: and its ISO week in a weekly table, a year and month in a monthly one).
INTEGER_DATE_FORMATS = {"yearweek": "%G%V", "yearmonth": "%Y%m"}
#: Date formats that write a week's year and number: the kit reads its ISO week's Monday,
#: whatever weekday the generator's weeks start on.
YEAR_WEEKS = ("isoweek", "yearweek", "kw")
#: Unix time in seconds or milliseconds, as databases and APIs export it; the generator
#: writes Berlin's midnights, 23:00 or 22:00 UTC the day before.
EPOCHS = {"epoch_s": pd.Timedelta(seconds=1), "epoch_ms": pd.Timedelta(milliseconds=1)}
TARGET_NAMES = ("Net Revenue (EUR)", "conversions", "y", "Sales $", "revenue", "Orders",
                "kpi", "Bookings")
CHANNEL_SCHEMES = ("suffix_s", "spend_prefix", "numbered", "platform_cost", "x")
CHANNELS = ("tv", "radio", "search", "social", "display", "ooh", "print", "video",
            "email", "affiliate", "podcast", "tiktok", "youtube", "ctv", "influencer")
PLATFORMS = {"tv": "Linear", "radio": "Audio", "search": "Google", "social": "Meta",
             "display": "DV360", "ooh": "Outdoor", "print": "Press", "video": "YouTube",
             "email": "CRM", "affiliate": "Awin", "podcast": "Spotify", "tiktok": "TikTok",
             "youtube": "Google", "ctv": "Roku", "influencer": "Creators"}
GEO_NAMES = ("geo", "region", "market", "DMA")
#: Targets that count units, not money: a table may give each unit's revenue beside them.
UNIT_TARGETS = ("conversions", "Orders", "kpi", "Bookings")
EVENT_LEVELS = ("event1", "event2", "black_friday")
#: How a finance export writes amounts as text: ``$1,234.56``, ``1.234,56 €``, ``1,234.56``,
#: a spreadsheet's Accounting format (`` $ 1,234.56 ``, `` $ (12.50)``, `` $ -  `` for 0),
#: Switzerland's ``CHF 1'234.56`` and India's lakh grouping, ``₹1,23,456.78``.
TEXT_AMOUNT_STYLES = ("dollar", "euro", "grouped", "accounting", "swiss", "indian")
#: A long table's column of channel names and its column of their spend.
CHANNEL_COLUMNS = ("channel", "Platform", "media_channel")
SPEND_COLUMNS = ("spend", "Cost", "Amount spent (EUR)")
PERIODS_PER_YEAR = {"D": 365, "W": 52, "M": 12}


@dataclass(frozen=True)
class TableSpec:
    """One variation of a realistic table.

    Attributes
    ----------
    seed : int
        Seed of the values (and of the draw that made this spec).
    date_name, date_format : str
        Name of the date column and how it is written (:data:`DATE_FORMATS`, or one of
        :data:`EXPORT_DATE_FORMATS`: ``2024-W01``, ``2024-01-31T00:00:00Z``,
        ``Jan 31, 2024``, ``Week of 2024-01-29``; or of :data:`INTEGER_DATE_FORMATS`:
        ``202401``; or ``"range"``, a week's days: :data:`WEEK_RANGE`).
    frequency : str
        ``"W"`` (weekly), ``"D"`` (daily) or ``"M"`` (monthly, rows on each month's first
        day, the month written as monthly exports write it: ``2024-01``, ``Jan 2024``).
    week_start : str
        ``"MON"`` or ``"SUN"``: the weekday weekly rows fall on.
    periods : int
        Number of distinct dates.
    target_name : str
        Name of the outcome column.
    target_scale : float
        Typical size of the outcome (10**2 to 10**9).
    channel_scheme : str
        How spend columns are named (:data:`CHANNEL_SCHEMES`).
    n_channels : int
        Number of spend channels.
    with_activity : bool
        Impressions and clicks columns beside some spend columns (and, on seeds 0 mod 3, the
        platform's cost per click: a ratio, neither spend nor a control).
    zero_runs : bool
        One channel is off for long runs (flighting).
    binary_control, continuous_control, event_control, trend_control : bool
        Which controls the table has: a 0/1 flag, a price index, a text event column
        (``"na"`` on ordinary periods) and a trend ``t = 0..n-1``.
    geos : int
        0 for a national table, else the number of geos of the panel.
    value_per_unit : bool
        The target counts units (conversions, orders) and a column beside it holds the
        revenue of a unit, varying over time and geos (Meridian's ``revenue_per_kpi``).
    long : bool
        One row per date (and geo) and channel: a column names the channel, another holds
        its spend (and, with activity, one its impressions); the target and controls repeat
        on each row; a channel other than the first has no row where it spent nothing.
    text_amounts : str, optional
        Spend (and a target in money) written as text in one of
        :data:`TEXT_AMOUNT_STYLES`, as finance and ad platform exports write it; a
        ``price_index`` control then as a percentage (``101.25%``).
    geo_codes : bool
        A geo panel names its geos by number (DMA codes: 501, 602, ...).
    report_rows : bool
        The table ends as a spreadsheet report does: two empty rows, then a ``Total`` row
        (the sums of the number columns) and, on seeds 3 mod 4, a note (``Source: ...``);
        a geo panel also has a ``Total`` geo on each date.
    units_row : bool
        The table starts as a sheet with a second header row does: a row of units
        (``EUR`` over the money, nothing over the rest) above the first period.
    weekdays_only : bool
        A daily table of weekdays only, as B2B and finance data are (no rows on Saturdays
        and Sundays, from a Monday on); it is mapped summed into weeks of five days
        (``aggregate="weekly"``, in :attr:`roles`).
    total_spend : bool
        A ``Total spend`` column, the sum of the channels on each row, as spreadsheets
        keep one beside them (no channel of its own).
    net_spend : bool
        The first channel's spend net of a 15 % agency fee beside it (0.85 times it, to
        the cent), as agency reports keep gross and net: the same spend written twice, no
        channel of its own.
    reported_outcomes : bool
        Beside the first two channels' spend, the conversions their platforms report
        their ads brought (spend over a cost per conversion, within 15 %, plus a twentieth
        of the target's units as view-through credit), named as each scheme names the
        channel (``tv_purchases``, ``Channel0_conversions``, ``Tv (Linear) conversions``):
        neither a channel, a control nor the target.
    outage : bool
        The target was not recorded for a while mid-series (a tracking outage): 0 in every
        geo on the 3 periods from the middle one (3 weeks of five days, weekdays only),
        while the channels spent.
    """

    seed: int
    date_name: str = "date"
    date_format: str = "iso"
    frequency: str = "W"
    week_start: str = "MON"
    periods: int = 104
    target_name: str = "sales"
    target_scale: float = 1e5
    channel_scheme: str = "suffix_s"
    n_channels: int = 3
    with_activity: bool = False
    zero_runs: bool = False
    binary_control: bool = True
    continuous_control: bool = False
    event_control: bool = False
    trend_control: bool = False
    geos: int = 0
    geo_name: str = "geo"
    value_per_unit: bool = False
    long: bool = False
    text_amounts: str | None = None
    report_rows: bool = False
    geo_codes: bool = False
    units_row: bool = False
    weekdays_only: bool = False
    total_spend: bool = False
    net_spend: bool = False
    national_channel: bool = False
    outage: bool = False
    reported_outcomes: bool = False

    @property
    def value_name(self) -> str | None:
        """The column of revenue per unit of the target, if the table has one."""
        if not self.value_per_unit:
            return None
        return f"revenue_per_{self.target_name.lower().removesuffix('s')}"

    @property
    def channel_names(self) -> list[str]:
        """The spend columns, in table order (a long table's channel names)."""
        if self.long:
            return [CHANNELS[i].capitalize() for i in range(self.n_channels)]
        return [_channel_name(self.channel_scheme, i, CHANNELS[i])
                for i in range(self.n_channels)]

    @property
    def net_name(self) -> str:
        """The column of the first channel's spend net of the agency's fee."""
        return f"{self.channel_names[0]} (net)"

    @property
    def long_layout(self) -> dict | None:
        """A long table's channel and spend columns, as ``map_data(long=...)`` takes them."""
        if not self.long:
            return None
        return {"channel_column": CHANNEL_COLUMNS[self.seed % 3],
                "value_column": SPEND_COLUMNS[(self.seed // 10) % 3]}

    @property
    def control_names(self) -> list[str]:
        """The control columns, in table order."""
        names = []
        if self.binary_control:
            names.append("holiday" if self.seed % 2 else "promo_flag")
        if self.continuous_control:
            # Meridian's simulated tables name every control ``*_control``.
            names.append(("Competitor Price", "price_index", "price_index",
                          "sentiment_score_control")[self.seed % 4])
        if self.event_control:
            names.append("events")
        if self.trend_control:
            names.append("t")
        return names

    @property
    def roles(self) -> dict:
        """The true roles, in the shape of :meth:`mmm_widgets.Workflow.suggest_mapping`."""
        return {"date": self.date_name, "target": self.target_name,
                "channels": [] if self.long else self.channel_names,
                "controls": self.control_names,
                "geo": self.geo_name if self.geos else None, "value_per_unit": self.value_name,
                "long": self.long_layout,
                **({"aggregate": "weekly"} if self.weekdays_only else {})}

    @property
    def modelled_frequency(self) -> str:
        """The spacing of the modelled rows: ``"W"`` for weekdays summed into weeks."""
        return "W" if self.weekdays_only else self.frequency


def _channel_name(scheme: str, index: int, channel: str) -> str:
    if scheme == "suffix_s":
        return f"{channel}_S"
    if scheme == "spend_prefix":
        return f"spend_{channel}"
    if scheme == "numbered":
        return f"Channel{index}_spend"
    if scheme == "platform_cost":
        return f"{channel.title()} ({PLATFORMS[channel]}) cost"
    return f"x{index + 1}"


def _activity_names(scheme: str, index: int, channel: str) -> tuple[str, str]:
    if scheme == "numbered":
        return f"Channel{index}_impression", f"Channel{index}_clicks"
    if scheme == "x":
        return f"impressions_{index + 1}", f"clicks_{index + 1}"
    return f"{channel}_impressions", f"{channel} clicks"


def _reported_name(scheme: str, index: int, channel: str) -> str:
    if scheme == "numbered":
        return f"Channel{index}_conversions"
    if scheme == "platform_cost":
        return f"{channel.title()} ({PLATFORMS[channel]}) conversions"
    if scheme == "spend_prefix":
        return f"{channel} conv. value"
    return f"{channel}_purchases"


def spec(seed: int) -> TableSpec:
    """Draw one table variation from ``seed``.

    Parameters
    ----------
    seed : int

    Returns
    -------
    TableSpec
    """
    rng = np.random.default_rng(seed)
    frequency = "D" if rng.random() < 0.15 else "W"
    periods = int(rng.integers(120, 366)) if frequency == "D" else int(rng.integers(52, 261))
    # Drawn from the seed, not the generator: the other variations stay as they were.
    if frequency == "W" and seed % 8 == 6:
        frequency, periods = "M", 48 + periods % 37
    scheme = str(rng.choice(CHANNEL_SCHEMES))
    target = "y" if scheme == "x" else str(rng.choice(TARGET_NAMES))
    geos = int(rng.choice([0, 0, 0, 2, 3, 5]))
    # A geo panel multiplies the rows: keep panels short enough to fit quickly.
    if geos:
        periods = min(periods, 156)
    # Drawn from the seed, not the generator: the other variations stay as they were.
    weekdays_only = frequency == "D" and seed % 4 == 0
    if weekdays_only:  # 52 to 104 weeks of five days
        periods = 5 * (52 + periods % 53)
    return TableSpec(
        seed=seed,
        date_name=str(rng.choice(DATE_NAMES)),
        date_format=_written_dates(str(rng.choice(DATE_FORMATS)), seed, frequency),
        frequency=frequency,
        week_start=str(rng.choice(["MON", "SUN"])),
        periods=periods,
        target_name=target,
        target_scale=float(10 ** rng.uniform(2, 9)),
        channel_scheme=scheme,
        n_channels=int(rng.integers(2, 16)),
        with_activity=bool(rng.random() < 0.4),
        zero_runs=bool(rng.random() < 0.5),
        binary_control=bool(rng.random() < 0.6),
        continuous_control=bool(rng.random() < 0.5),
        event_control=bool(rng.random() < 0.4),
        trend_control=bool(rng.random() < 0.3),
        geos=geos,
        geo_name=str(rng.choice(GEO_NAMES)),
        # Drawn from the seed, not the generator: the other variations stay as they were.
        value_per_unit=target in UNIT_TARGETS and seed % 2 == 1,
        long=seed % 10 == 3,
        text_amounts=_text_amounts(seed),
        report_rows=seed % 9 == 7,
        geo_codes=bool(geos) and seed % 12 == 10,
        units_row=seed % 9 == 7 and seed % 2 == 1 and seed % 10 != 3,
        weekdays_only=weekdays_only,
        total_spend=seed % 7 == 3 and seed % 10 != 3,
        net_spend=seed % 11 == 5 and seed % 10 != 3,
        national_channel=bool(geos) and seed % 8 == 3,
        outage=seed % 13 == 4,
        reported_outcomes=seed % 6 == 1 and scheme != "x" and seed % 10 != 3,
    )


def _text_amounts(seed: int) -> str | None:
    """How amounts are written on this seed (:data:`TEXT_AMOUNT_STYLES`), or None.

    Decided from the seed, not the generator: the other variations stay as they were.
    """
    if seed % 7 != 4:
        return None
    return "accounting" if seed % 5 == 0 else TEXT_AMOUNT_STYLES[(seed // 7) % 3]


def _written_dates(drawn: str, seed: int, frequency: str) -> str:
    """How the dates are written: the format drawn, or on some seeds how exports write
    them (:data:`EXPORT_DATE_FORMATS`).

    Decided from the seed, not the generator: the other variations stay as they were.
    """
    if frequency == "W" and seed % 11 == 9:
        return "isoweek" if (seed // 11) % 2 else "yearweek"
    if frequency == "W" and seed % 19 == 16:
        return "kw"
    if frequency == "M" and seed % 5 == 1:
        return "yearmonth"
    if frequency != "M" and seed % 13 in (6, 11):
        return "api" if seed % 13 == 6 else "report"
    if frequency != "M" and seed % 13 == 9:
        return "database" if (seed // 13) % 2 else "js"
    if frequency == "W" and seed % 13 == 2:
        return "range" if (seed // 13) % 2 else "label"
    if frequency != "M" and seed % 17 == 13:
        return "epoch_ms" if (seed // 17) % 2 else "epoch_s"
    return drawn


def table(spec: TableSpec) -> pd.DataFrame:
    """Build the table a spec describes.

    Sales follow a small media mix model: a baseline with yearly seasonality, geometric
    carryover and saturating response per channel, the controls' effects and noise,
    all scaled to :attr:`TableSpec.target_scale`.

    Parameters
    ----------
    spec : TableSpec

    Returns
    -------
    pandas.DataFrame
    """
    rng = np.random.default_rng(spec.seed)
    n = spec.periods
    dates = _dates(spec)
    geos: list[object] = ([501 + 101 * i for i in range(spec.geos)] if spec.geo_codes else
                          [f"{name}_{i}" for i, name in
                           enumerate(["North", "South", "East", "West", "Central"][:spec.geos])])
    geos = geos or [None]
    frames = []
    events = _events(rng, n)
    price = 1 + 0.05 * np.sin(np.arange(n) / 9) + rng.normal(0, 0.01, n)
    flag = (rng.random(n) < 0.15).astype(int)
    for g, geo in enumerate(geos):
        columns: dict[str, object] = {}
        contribution = np.zeros(n)
        for i, name in enumerate(spec.channel_names):
            level = 10 ** rng.uniform(2, 5) * spec.target_scale / 1e5
            spend = rng.gamma(4.0, level / 4.0, n).round(2)
            if spec.zero_runs and i == 0:
                spend[(np.arange(n) // 8) % 3 != 0] = 0.0
            if geo is not None and g == len(geos) - 1 and i == spec.n_channels - 1:
                spend[:] = 0.0  # a channel that never spends in this geo
            if spec.national_channel and i == 0 and g > 0:
                spend = frames[0][name].to_numpy().copy()  # the first geo's, as it is
            columns[name] = spend
            carried = _geometric(spend, 0.2 + 0.6 * rng.random())
            half = max(float(np.median(carried[carried > 0])) if (carried > 0).any() else 1.0,
                       1e-9)
            contribution += 0.04 * rng.uniform(0.3, 1.0) * carried / (carried + half)
            if spec.with_activity and i < 2:
                impressions, clicks = _activity_names(spec.channel_scheme, i, CHANNELS[i])
                columns[impressions] = (spend * rng.uniform(50, 400)).round()
                columns[clicks] = (spend * rng.uniform(0.1, 2)).round()
                if spec.seed % 3 == 0:  # and the platform's ratio: no spend, no control
                    columns[f"Cost per click ({CHANNELS[i]})"] = np.where(
                        columns[clicks] > 0, spend / np.maximum(columns[clicks], 1), 0).round(3)
        if spec.total_spend:
            columns["Total spend"] = np.sum([columns[c] for c in spec.channel_names],
                                            axis=0).round(2)
        if spec.net_spend:
            columns[spec.net_name] = (0.85 * columns[spec.channel_names[0]]).round(2)
        # a year of weekdays is 261 rows, not 365
        per_year = 261 if spec.weekdays_only else PERIODS_PER_YEAR[spec.frequency]
        season = 0.08 * np.sin(2 * np.pi * np.arange(n) / per_year)
        baseline = 1.0 + season + (0.001 * np.arange(n) if spec.trend_control else 0)
        effect = 0.05 * flag - 0.3 * (price - 1) + 0.06 * (events != "na")
        noise = rng.normal(0, 0.01, n)
        target = spec.target_scale * (1 + 0.2 * g) * (baseline + contribution + effect + noise)
        target[outage_rows(spec)] = 0.0
        frame = pd.DataFrame({spec.date_name: dates})
        if geo is not None:
            frame[spec.geo_name] = geo
        for name, values in columns.items():
            frame[name] = values
        for name in spec.control_names:
            if name == "events":
                frame[name] = events
            elif name == "t":
                frame[name] = np.arange(n)
            elif name in ("holiday", "promo_flag"):
                frame[name] = flag
            else:
                frame[name] = price.round(4)
        if spec.value_name is None:
            frame[spec.target_name] = np.maximum(target, 0).round(2)
        else:
            # The simulated outcome is revenue: the table gives units and revenue per unit.
            value = (20 + 2 * np.sin(np.arange(n) / 7)) * (1 + 0.1 * g)
            frame[spec.target_name] = (np.maximum(target, 0) / value).round(4)
            frame[spec.value_name] = value.round(4)
        if spec.reported_outcomes:
            _add_reported_outcomes(frame, spec, columns, np.maximum(target, 0), g)
        frames.append(frame)
    wide = pd.concat(frames, ignore_index=True)
    made = _long(spec, wide) if spec.long else wide
    if spec.text_amounts is not None:
        spend = ([spec.long_layout["value_column"]] if spec.long else
                 [*spec.channel_names, *([spec.net_name] if spec.net_spend else [])])
        money = [*spend, *([] if spec.value_name else [spec.target_name])]
        made[money] = made[money].map(lambda v: _as_text(v, spec.text_amounts))
        if "price_index" in made.columns:  # a price index as a percentage: 101.25%
            euro = spec.text_amounts == "euro"
            made["price_index"] = made["price_index"].map(
                lambda v: f"{100 * v:.2f} %".replace(".", ",") if euro else f"{100 * v:.2f}%")
    made = _with_report_rows(made, spec) if spec.report_rows else made
    return _with_units_row(made, spec) if spec.units_row else made


def _add_reported_outcomes(frame: pd.DataFrame, spec: TableSpec, columns: dict,
                           outcome: np.ndarray, geo: int) -> None:
    """Add what the first two channels' platforms report their ads brought to ``frame``
    (:attr:`TableSpec.reported_outcomes`), from a generator of their own: the table's
    other values stay as they were."""
    claims = np.random.default_rng([spec.seed, geo, 7])
    for i in range(min(2, spec.n_channels)):
        spend = np.asarray(columns[spec.channel_names[i]], dtype=float)
        per_conversion = claims.uniform(20, 60) * spec.target_scale / 1e5
        frame[_reported_name(spec.channel_scheme, i, CHANNELS[i])] = (
            spend / per_conversion * claims.lognormal(0, 0.15, len(spend))
            + 0.05 * outcome / 50).round()


def _with_units_row(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """``frame`` under a row of units: ``EUR`` over the money columns, empty elsewhere."""
    money = [*spec.channel_names, *([] if spec.value_name else [spec.target_name])]
    units = {column: "EUR" if column in money else None for column in frame.columns}
    units[spec.date_name] = ""
    return pd.concat([pd.DataFrame([units]), frame.astype(object)], ignore_index=True)


def _with_report_rows(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """``frame`` with a ``Total`` geo on each date (a panel) and, as a report ends, two
    empty rows and a ``Total`` row."""
    if spec.geos and not spec.long:
        keys = [spec.date_name, spec.geo_name]
        by_date = frame.groupby(spec.date_name, sort=False).sum(numeric_only=True)
        totals = by_date.reset_index().assign(**{spec.geo_name: "Total"})
        frame = pd.concat([frame, totals[[c for c in frame.columns if c in totals]]],
                          ignore_index=True).sort_values(keys, kind="stable")
        frame = frame.reset_index(drop=True)
    numbers = frame.select_dtypes("number").sum()
    total = pd.DataFrame([{**numbers.to_dict(), frame.columns[0]: "Total"}])
    empty = pd.DataFrame(np.nan, index=range(2), columns=frame.columns)
    # and, on some seeds, a note under it
    notes = pd.DataFrame({frame.columns[0]: ["Source: Ads Manager, exported 2024-05-01"]
                          if spec.seed % 4 == 3 else []})
    return pd.concat([frame.astype({frame.columns[0]: object}), empty, total, notes],
                     ignore_index=True)


def _long(spec: TableSpec, wide: pd.DataFrame) -> pd.DataFrame:
    """The wide table as a platform export: a row per date, [geo,] and channel."""
    layout = spec.long_layout
    assert layout is not None
    activity = [name for i in range(min(2, spec.n_channels)) if spec.with_activity
                for name in _activity_names(spec.channel_scheme, i, CHANNELS[i])]
    shared = [c for c in wide.columns if c not in (*spec.channel_names, *activity)]
    long = wide.melt(id_vars=shared, value_vars=spec.channel_names,
                     var_name=layout["channel_column"], value_name=layout["value_column"])
    spend = long[layout["value_column"]]
    if spec.with_activity:
        long["Impressions"] = (spend * 120).round()
    first = long[layout["channel_column"]] == spec.channel_names[0]
    return long[first | (spend > 0)].sort_values(
        [spec.date_name, layout["channel_column"]], kind="stable").reset_index(drop=True)


def _as_text(amount: float, style: str) -> str:
    """``amount`` as a finance export writes it (:data:`TEXT_AMOUNT_STYLES`)."""
    grouped = f"{amount:,.2f}"
    if style == "dollar":
        return f"${grouped}"
    if style == "euro":
        return grouped.replace(",", " ").replace(".", ",").replace(" ", ".") + " €"
    if style == "accounting":  # a spreadsheet's Accounting format: $ (12.50), $ - for 0
        shown = "-  " if amount == 0 else f"{abs(amount):,.2f} "
        return f" $ {f'({shown.strip()})' if amount < 0 else shown}"
    if style == "swiss":
        return "CHF " + grouped.replace(",", "'")
    if style == "indian":  # the last three digits, then pairs: 12,34,567.89
        whole, cents = f"{abs(amount):.2f}".split(".")
        pairs = [whole[max(0, end - 2):end] for end in range(len(whole) - 3, 0, -2)][::-1]
        return f"{'-' if amount < 0 else ''}₹{','.join([*pairs, whole[-3:]])}.{cents}"
    return grouped


def outage_rows(spec: TableSpec) -> slice:
    """The rows of each geo whose target was not recorded (none without an outage)."""
    if not spec.outage:
        return slice(0, 0)
    if spec.weekdays_only:  # whole weeks of five days, from a Monday
        start = spec.periods // 2 // 5 * 5
        return slice(start, start + 15)
    return slice(spec.periods // 2, spec.periods // 2 + 3)


def periods(spec: TableSpec) -> pd.DatetimeIndex:
    """The dates of a spec's periods, as datetimes (the table writes them as it says)."""
    if spec.weekdays_only:
        return pd.bdate_range("2022-01-03", periods=spec.periods)
    if spec.frequency == "D":
        return pd.date_range("2022-01-01", periods=spec.periods, freq="D")
    if spec.frequency == "M":
        return pd.date_range("2019-01-01", periods=spec.periods, freq="MS")
    return pd.date_range("2021-01-01", periods=spec.periods, freq=f"W-{spec.week_start}")


def true_dates(spec: TableSpec, column: pd.Series) -> pd.Series:
    """The dates a table's date column was written from, row by row (not read back from
    the text: looked up in what the generator wrote for each period)."""
    written = dict(zip(_dates(spec), periods(spec), strict=True))
    return column.map(written)


def _dates(spec: TableSpec) -> object:
    index = periods(spec)
    if spec.date_format == "datetime":
        return index
    if spec.date_format == "excel":
        return ((index - pd.Timestamp("1899-12-30")).days).astype(int)
    if spec.date_format in EPOCHS:  # a database's Unix time of Berlin's midnights
        utc = index.tz_localize("Europe/Berlin").tz_convert("UTC")
        return ((utc - pd.Timestamp("1970-01-01", tz="UTC")) // EPOCHS[spec.date_format]
                ).to_numpy()
    if spec.date_format in INTEGER_DATE_FORMATS:  # whole numbers: 202401
        return index.strftime(INTEGER_DATE_FORMATS[spec.date_format]).astype(int).to_numpy()
    formats = {"iso": "%Y-%m-%d", "dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y",
               **EXPORT_DATE_FORMATS}
    if spec.frequency == "M":  # monthly exports name the month, not its first day
        formats = {"iso": "%Y-%m", "dmy": "%b %Y", "mdy": "%m/%Y"}
    if spec.date_format == "range":
        return np.array([WEEK_RANGE.format(start=day, end=day + pd.Timedelta(days=6))
                         for day in index], dtype=object)
    if spec.date_format == "js":  # toISOString of New York's midnights: 05:00Z, 04:00Z
        index = index.tz_localize("America/New_York").tz_convert("UTC")
    return pd.Series(index.strftime(formats[spec.date_format]), dtype=object).to_numpy()


def _events(rng: np.random.Generator, n: int) -> np.ndarray:
    events = np.full(n, "na", dtype=object)
    hits = rng.choice(n, size=max(2, n // 12), replace=False)
    events[hits] = rng.choice(EVENT_LEVELS, size=len(hits))
    return events


def _geometric(spend: np.ndarray, alpha: float, l_max: int = 8) -> np.ndarray:
    out = np.zeros_like(spend)
    for lag in range(l_max):
        out[lag:] += alpha ** lag * spend[:len(spend) - lag]
    return out


if __name__ == "__main__":
    for seed in range(int(sys.argv[1]) if len(sys.argv) > 1 else 5):
        print(spec(seed))
