"""Step 1 — data mapping: pick columns for each role, parse dates, validate, export."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.errors import DataError, MMMWidgetsError, Problem, problem
from mmm_widgets.steps.aggregate import AGGREGATIONS, WEEKLY, weekly_lines
from mmm_widgets.steps.amounts import (
    TextAmounts,
    amount_lines,
    amount_text,
    find_text_amounts,
    with_amounts_read,
)
from mmm_widgets.steps.base import Params, Step, ran_on_copy
from mmm_widgets.steps.baseline import baseline_finding
from mmm_widgets.steps.brand_search import brand_search_finding
from mmm_widgets.steps.categorical import (
    MAX_LEVELS,
    Levels,
    expand_controls,
    find_levels,
    indicator_lines,
)
from mmm_widgets.steps.coarse_spend import coarse_spend_finding
from mmm_widgets.steps.currencies import currency_column_problems, mixed_currency_problems
from mmm_widgets.steps.dates import parse_dates, to_datetime_code
from mmm_widgets.steps.filled_down import (
    block_label_problem,
    written_once_per_block,
)
from mmm_widgets.steps.following_spend import following_spend_finding
from mmm_widgets.steps.geo_scale import geo_scale_finding
from mmm_widgets.steps.handover import handover_finding
from mmm_widgets.steps.late_spend import late_spend_finding
from mmm_widgets.steps.layouts import layout_problems
from mmm_widgets.steps.money_scale import money_scale_finding
from mmm_widgets.steps.month_length import month_length_finding
from mmm_widgets.steps.names import named_like_count
from mmm_widgets.steps.national import national_channels, population_column
from mmm_widgets.steps.outliers import (
    Outage,
    Series,
    find_outages,
    outage_finding,
    outlier_finding,
    read_series,
)
from mmm_widgets.steps.partial_periods import partial_period_finding
from mmm_widgets.steps.quality import (
    Finding,
    find_warnings,
    left_out_finding,
    quality_table,
    text_amounts_finding,
)
from mmm_widgets.steps.repeated_headers import repeated_header_finding, repeated_headers
from mmm_widgets.steps.repeated_rows import repeated_labels_problem
from mmm_widgets.steps.reported import reported_outcome_finding
from mmm_widgets.steps.rows import (
    NonPeriodRows,
    blank_cells,
    dropped_rows_lines,
    find_non_period_rows,
    without_non_period_rows,
)
from mmm_widgets.steps.scale_switch import find_switches, in_one_unit, scale_switch_finding
from mmm_widgets.steps.scaled_spend import scaled_spend_finding
from mmm_widgets.steps.season_controls import season_controls_finding
from mmm_widgets.steps.shares import shares_finding, without_moot_notes
from mmm_widgets.steps.source import Source, read_source
from mmm_widgets.steps.spellings import spellings_problem
from mmm_widgets.steps.unbooked_spend import find_unbooked, unbooked_finding
from mmm_widgets.steps.validation import DEFAULT_L_MAX, MAX_ROWS_LISTED, Roles, check_frame

DATA_VARIABLE = "data"
WIDE_VARIABLE = "wide"


@dataclass(frozen=True)
class LongFormat(Params):
    """How a long table (one row per date and channel) holds spend.

    Parameters
    ----------
    channel_column : str
        Column naming the channel of each row.
    value_column : str
        Column holding that channel's spend.
    """

    channel_column: str
    value_column: str


@dataclass(frozen=True)
class DataParams(Params):
    """Parameters of the data-mapping step.

    Parameters
    ----------
    source : Source
        Where the raw table comes from.
    date, target : str
        Columns of the period and of the outcome to explain.
    channels : tuple of str
        Spend columns (for a long table: the channel names to keep; empty keeps all).
    controls : tuple of str
        Non-media drivers (promotions, prices, holidays).
    geo : str, optional
        Column of the geography, for panel data.
    date_format : str, optional
        ``strftime`` format of text dates; inferred when omitted.
    long : LongFormat, optional
        Set when the table is long; it is pivoted to one column per channel.
    categorical : tuple of Levels
        The text controls and their levels, found by :meth:`DataStep.validate`; each
        becomes one 0/1 column per level except its reference level.
    aggregate : str, optional
        ``"weekly"`` sums daily rows into weeks starting on Monday (see
        :mod:`mmm_widgets.steps.aggregate`); None keeps the rows as they are.
    appended : tuple of str
        Variables holding new periods (:meth:`Workflow.refresh`): in turn, the rows of
        each dated after the last date of the table so far are appended to it.
    value_per_unit : str, optional
        Column of the money one unit of the target brings (Meridian's ``revenue_per_kpi``,
        e.g. ``revenue_per_conversion``). The model then explains the revenue, the
        target times this value row by row (:func:`revenue_column`), so ROAS is money
        per unit of spend.
    left_out : tuple of str
        The kinds of row that are not periods the data cell leaves out (``"empty"``,
        ``"summary"``, ``"summary geo"``; see :mod:`mmm_widgets.steps.rows`), found by
        :meth:`DataStep.validate`.
    empty_spend_is_zero : bool
        Read an empty spend cell as no spend (0), as exports leave a channel's cells
        empty when it did not run; by default an empty cell is a problem to report.
    amounts : tuple of TextAmounts
        The mapped columns (and a long table's spend column) whose amounts are written
        as text (``'$9,171.55'``), found by
        :meth:`DataStep.validate`; the data cell reads them as numbers (see
        :mod:`mmm_widgets.steps.amounts`).
    """

    source: Source
    date: str
    target: str
    channels: tuple[str, ...]
    controls: tuple[str, ...] = ()
    geo: str | None = None
    date_format: str | None = None
    long: LongFormat | None = None
    categorical: tuple[Levels, ...] = ()
    aggregate: str | None = None
    appended: tuple[str, ...] = ()
    value_per_unit: str | None = None
    empty_spend_is_zero: bool = False
    amounts: tuple[TextAmounts, ...] = ()
    left_out: tuple[str, ...] = ()

    def roles(self, channels: tuple[str, ...] | None = None) -> Roles:
        """The mapping as :class:`Roles` (optionally with other channels)."""
        return Roles(self.date, self.target, self.channels if channels is None else channels,
                     self.controls, self.geo, self.value_per_unit)

    def model_roles(self) -> Roles:
        """The roles of the mapped frame: text controls replaced by their indicators, and
        the target by the revenue when the target has a value per unit."""
        levels = {found.column: found for found in self.categorical}
        return dataclasses.replace(self.roles(),
                                   controls=expand_controls(self.controls, levels),
                                   target=revenue_column(self), value=None)

    def per_date(self) -> list[str]:
        """The columns a long table repeats on each channel row of a date: target, controls
        and the value per unit."""
        return [self.target, *self.controls,
                *([self.value_per_unit] if self.value_per_unit else [])]


def revenue_column(params: DataParams) -> str:
    """The column the model explains: the target, or its revenue with a value per unit.

    ``"revenue"``, unless a mapped column (the target included) already has that name;
    then the target's name followed by `` revenue``.
    """
    if params.value_per_unit is None:
        return params.target
    taken = {*params.roles().all}
    return "revenue" if "revenue" not in taken else f"{params.target} revenue"


@dataclass
class DataResult:
    """What the data step produced.

    Attributes
    ----------
    data : pandas.DataFrame
        The mapped frame: date, geo, channels, controls, target; sorted by date.
    roles : Roles
        The mapping with channels resolved, and text controls replaced by their
        indicator columns (the columns the model uses).
    frequency : str
        Detected spacing of the dates.
    date_format : str or None
        The format used to parse the dates.
    warnings : list of Finding
        Non-blocking findings.
    quality : pandas.DataFrame
        Per-column summary.
    """

    data: pd.DataFrame
    roles: Roles
    frequency: str
    date_format: str | None
    warnings: list[Finding] = field(default_factory=list)
    quality: pd.DataFrame | None = None

    @cached_property
    def bought_nationally(self) -> tuple[str, ...]:
        """Channels of a geo panel whose split over the geos is the same on every date
        they spent (:func:`~mmm_widgets.steps.national.national_channels`); none without
        geos."""
        roles = self.roles
        if not roles.geo:
            return ()
        return national_channels(self.data, roles.date, roles.geo, roles.channels)

    @property
    def periods(self) -> int:
        """Distinct dates of the mapped frame (each geo has them all)."""
        return int(self.data[self.roles.date].nunique())


class DataStep(Step):
    """Map raw columns to roles and produce the frame the model is fitted on."""

    kind = "data"

    params: DataParams

    def __init__(self, params: DataParams, l_max: int = DEFAULT_L_MAX):
        super().__init__(params)
        self.l_max = l_max
        self._frequency = "unknown"
        self._left_out = NonPeriodRows()
        self._repeated: dict[str, list[str]] = {}
        self._population: str | None = None
        self._daily_spend: list[Finding] = []

    def validate(self, namespace: dict[str, Any]) -> None:
        """Check the raw table and mapping; raise :class:`DataError` with every problem.

        On success the inferred date format and, for a long table, the channel names
        are written into :attr:`params`, so the saved step and its code are explicit.
        """
        raw = self._raw_frame(namespace)
        if raw.index.is_unique:
            self._validate(raw, namespace)
            return
        # Row labels repeated (tables concatenated): checked by position, which the
        # problems' rows then name.
        try:
            self._validate(raw.reset_index(drop=True), namespace)
        except DataError as error:
            raise DataError([repeated_labels_problem(raw.index, self.params.source.name),
                             *error.problems]) from None

    def _validate(self, raw: pd.DataFrame, namespace: dict[str, Any]) -> None:
        params = self.params
        laid_out = layout_problems(raw, params)
        if laid_out:
            raise DataError(laid_out)
        currency = self._currency_problems(raw)
        spend_text: dict[str, TextAmounts] = {}
        if params.long is not None:
            wide, channels, spend_text = self._pivot(raw, namespace)
        else:
            wide, channels = raw, params.channels
        mapped = params.roles(channels)
        left_out = find_non_period_rows(wide, [c for c in mapped.all if c in wide.columns],
                                        mapped.date, mapped.geo)
        wide = without_non_period_rows(wide, left_out)
        amounts = find_text_amounts(wide, mapped.numeric, rates=mapped.controls)
        wide = with_amounts_read(wide, amounts)
        if params.empty_spend_is_zero:
            wide = _with_empty_spend_zero(wide, [c for c in channels if c in wide.columns])
        levels = find_levels(wide, params.controls)
        result = check_frame(wide, mapped, params.date_format, self.l_max,
                             text_controls=tuple(levels), into_weeks=params.aggregate == WEEKLY,
                             table=params.source.name, pivoted=params.long is not None,
                             text_amounts=amounts)
        result.problems += [
            problem(f"The text control has {len(found.levels) + 1} different values; a control "
                    f"can have at most {MAX_LEVELS + 1}.",
                    "Group the values into a few categories, or leave the column out.",
                    column=column)
            for column, found in levels.items() if len(found.levels) > MAX_LEVELS]
        result.problems += _aggregate_problems(params.aggregate, result.frequency)
        result.problems += currency
        if result.problems:
            raise DataError(result.problems)
        self.params = params.replace(date_format=params.date_format or result.date_format,
                                     channels=tuple(channels),
                                     categorical=tuple(levels.values()),
                                     amounts=(*spend_text.values(), *amounts.values()),
                                     left_out=left_out.kinds)
        self._left_out = left_out
        self._repeated = repeated_headers(raw.columns, mapped)
        self._population = (population_column(wide.columns, wide) if mapped.geo else None)
        self._frequency = WEEKLY if params.aggregate == WEEKLY else result.frequency
        self._daily_spend = (self._coarse_daily_spend(wide, mapped, result.frequency)
                             if params.aggregate == WEEKLY and params.long is None else [])

    def _coarse_daily_spend(self, wide: pd.DataFrame, mapped: Roles,
                            frequency: str) -> list[Finding]:
        """Spend by the week (month) on the days the data cell sums into weeks: read on
        the days, since the weeks' sums no longer show it."""
        dates = parse_dates(wide[mapped.date], self.params.date_format).values
        daily = wide[list(mapped.channels)].apply(pd.to_numeric, errors="coerce").assign(
            **{mapped.date: dates},
            **({mapped.geo: wide[mapped.geo].astype(str)} if mapped.geo else {}))
        return coarse_spend_finding(daily, mapped, frequency, self.params.source.name,
                                    self.params.date_format, summed_into_weeks=True)

    def run(self, namespace: dict[str, Any]) -> DataResult:
        """Validate, run the mapping code and read the result (see :meth:`Step.run`).

        Raises
        ------
        DataError
            Also when the mapping code itself fails on data the checks let through, so
            the user gets a message in place of a pandas traceback.
        """
        try:
            return super().run(namespace)
        except MMMWidgetsError:
            raise
        except Exception as error:
            text = str(error).splitlines()[0] if str(error) else ""
            raise DataError(problem(
                f"The mapping code failed: {type(error).__name__}: {text[:300]}",
                "Check that each mapped column holds what its role needs (dates, amounts); "
                "the previous mapping is kept.")) from error

    def _currency_problems(self, raw: pd.DataFrame) -> list[Problem]:
        """Amounts in more than one currency: written so, or beside a column of codes."""
        params = self.params
        long = params.long
        spend = [long.value_column] if long is not None else list(params.channels)
        # the target only when it is money: a count is the same in any currency
        worth = params.value_per_unit or (None if named_like_count(params.target)
                                          else params.target)
        money = [*spend, *([worth] if worth else [])]
        roles = params.roles()
        mapped = [roles.date, *([roles.geo] if roles.geo else []), *money, *roles.channels,
                  *([long.channel_column] if long is not None else [])]
        return [*mixed_currency_problems(raw, money),
                *currency_column_problems(raw, money, mapped, params.source.name)]

    def _raw_frame(self, namespace: dict[str, Any]) -> pd.DataFrame:
        source = self.params.source
        frame = read_source(source) if source.kind != "frame" else namespace.get(source.name)
        if not isinstance(frame, pd.DataFrame):
            raise DataError(problem(f"No DataFrame named {source.name!r} is available.",
                                    "Pass the DataFrame to the workflow or pick another."))
        return self.with_new_periods(frame, namespace)

    def with_new_periods(self, frame: pd.DataFrame, namespace: dict[str, Any]) -> pd.DataFrame:
        """``frame`` with the new periods of :attr:`DataParams.appended`, by the cell's code.

        Raises
        ------
        DataError
            When a variable of new periods is not available.
        """
        params = self.params
        if not params.appended:
            return frame
        missing = [name for name in params.appended
                   if not isinstance(namespace.get(name), pd.DataFrame)]
        if missing:
            raise DataError(problem(f"No DataFrame named {missing[0]!r} (new periods) is "
                                    "available.", "Define it again, or map the data anew."))
        trial = {**namespace, params.source.name: frame}
        chunk = CodeChunk("new periods", tuple(appended_lines(params)), ("import pandas as pd",))
        exec(compile(chunk.cell(), "<mmm_widgets: new periods>", "exec"), trial)
        return trial[params.source.name]

    def _pivot(self, raw: pd.DataFrame, namespace: dict[str, Any]):
        params, long = self.params, self.params.long
        assert long is not None
        keys = [params.date, *([params.geo] if params.geo else [])]
        measured = params.per_date()
        needed = [*keys, long.channel_column, long.value_column, *measured]
        missing = [c for c in needed if c not in raw.columns]
        if missing:
            raise DataError([problem("The mapped column is not in the data.",
                                     "Pick a column that exists.", column=c) for c in missing])
        spend_text = find_text_amounts(raw, [long.value_column])
        if not spend_text and not pd.api.types.is_numeric_dtype(raw[long.value_column]):
            raise DataError(problem("The spend column of the long table is not numeric.",
                                    "Map the column that holds spend amounts.",
                                    column=long.value_column))
        source = params.source.name
        unlabelled = _unlabelled_rows(raw, keys, long, source)
        if unlabelled:  # the pivot would leave out rows of spend without a date (geo)
            raise DataError(unlabelled)
        spelled = spellings_problem(raw[long.channel_column], long.channel_column, "channel",
                                    source)
        if spelled is not None:  # the pivot would split each channel's spend
            raise DataError(spelled)
        # a report's empty rows are alike too: only rows naming a date and a channel
        named = raw[raw[[params.date, long.channel_column]].notna().all(axis=1)]
        repeated = named.duplicated(keep="first")
        if repeated.any():  # the pivot would add them up: each counted twice
            raise DataError(problem(
                f"{int(repeated.sum())} row{'s repeat' if repeated.sum() > 1 else ' repeats'} "
                "another row in full (every column alike): a report downloaded or appended "
                "twice? The pivot adds up each date's rows, so their spend would count twice.",
                f"Keep one of each: {source} = {source}.drop_duplicates().",
                column=long.value_column,
                rows=[str(d) for d in named.loc[repeated, params.date].unique()[:5]],
                count=int(named.loc[repeated, params.date].nunique())))
        varying = raw.groupby(keys)[measured].nunique(dropna=False)
        problems = [
            problem("The value differs between rows of the same date; a long table must "
                    "repeat the same target and controls on every channel row.",
                    # a platform's results per campaign: the date's total is the outcome
                    f"If each row holds its {long.channel_column}'s part (a platform's "
                    f"results per campaign), use the date's total on every row: "
                    f"{source}[{column!r}] = {source}.groupby({literal(keys)})[{column!r}]"
                    ".transform('sum'); otherwise aggregate the table per date first. If "
                    "they are what each platform reports its ads brought, their sum counts a "
                    "sale each platform claims once per platform and leaves out the sales no "
                    "ad touched: the business's own outcome (from the shop, the CRM or web "
                    "analytics), joined on by date, is the target to map."
                    if column == params.target else "Aggregate the table per date first.",
                    column=column, rows=[k[0] if isinstance(k, tuple) else k
                                         for k in varying.index[varying[column] > 1]])
            for column in varying.columns if (varying[column] > 1).any()
        ]
        if problems:
            raise DataError(problems)
        trial = dict(namespace)
        trial[params.source.name] = raw
        chunk = CodeChunk("pivot", tuple(self._pivot_lines(spend_text.get(long.value_column))),
                          ("import pandas as pd",))
        exec(compile(chunk.cell(), "<mmm_widgets: pivot>", "exec"), trial)
        wide = trial[WIDE_VARIABLE]
        available = tuple(c for c in wide.columns if c not in (*keys, *measured))
        channels = params.channels or available
        return wide, tuple(channels), spend_text

    def _pivot_lines(self, spend_text: TextAmounts | None = None) -> list[str]:
        """The pivot to a column per channel; ``spend_text`` when the spend is text."""
        params, long = self.params, self.params.long
        assert long is not None
        keys = [params.date, *([params.geo] if params.geo else [])]
        measured = params.per_date()
        raw = params.source.name
        spend_rows, comment = raw, []
        if spend_text is not None:  # read as numbers for the sum, the table left as it is
            value = literal(spend_text.column)
            spend_rows = (f"{raw}.assign(**{{{value}: lambda rows: pd.to_numeric(\n    "
                          f"{amount_text(f'rows[{value}]', spend_text.decimal)})}})")
            comment = [f"# The spend is written as text: {value} read as numbers before the sum "
                       "(currency, spaces and thousands separators removed)"]
        return [
            *comment,
            f"spend = ({spend_rows}).pivot_table(index={literal(keys)}, "
            f"columns={literal(long.channel_column)}, values={literal(long.value_column)}, "
            "aggfunc='sum', fill_value=0)",
            "spend.columns.name = None",
            # Joined on the pivot's index as it is: reset_index would make dates read from
            # a sheet datetimes, and they no longer match a column that also holds text
            # (a report's Total row).
            f"{WIDE_VARIABLE} = {raw}[{literal([*keys, *measured])}]"
            f".drop_duplicates(subset={literal(keys)}).join(spend, on={literal(keys)}, "
            "how='inner').reset_index(drop=True)",
        ]

    def code(self) -> CodeChunk:
        """Plain pandas code that loads the source and rebuilds the mapped frame."""
        params = self.params
        roles = params.roles()
        frame = params.source.name
        lines = [*params.source.code_lines(), *appended_lines(params)]
        if params.long is not None:
            value = params.long.value_column
            lines += self._pivot_lines(next((a for a in params.amounts if a.column == value),
                                            None))
            frame = WIDE_VARIABLE
        date, data = literal(roles.date), DATA_VARIABLE
        sort = [roles.date, *([roles.geo] if roles.geo else [])]
        text = {found.column for found in params.categorical}
        numeric = [c for c in roles.numeric if c not in text]
        lines += [
            f"{data} = {frame}[{literal(list(roles.all))}].copy()",
            *dropped_rows_lines(data, roles.date, roles.geo, params.left_out),
            f"{data}[{date}] = {to_datetime_code(f'{data}[{date}]', params.date_format)}",
            *([f"{data}[{literal(roles.geo)}] = {data}[{literal(roles.geo)}].astype(str)  "
               "# geos as names, codes (DMA 501) too"] if roles.geo else []),
            *amount_lines(data, [a for a in params.amounts if a.column in roles.numeric]),
            *(empty_spend_lines(data, roles.channels) if params.empty_spend_is_zero else []),
            f"{data}[{literal(numeric)}] = {data}[{literal(numeric)}].astype('float64')",
            *revenue_lines(data, params),
            *indicator_lines(data, params.categorical),
            *(weekly_lines(data, params.model_roles()) if params.aggregate == WEEKLY else []),
            f"{data} = {data}.sort_values({literal(sort)}).reset_index(drop=True)",
        ]
        return CodeChunk(
            comment="Data: keep the mapped columns, parse the dates, use float amounts, "
                    "sort by date",
            lines=tuple(lines), imports=("import pandas as pd",), title=self.title)

    def read_results(self, namespace: dict[str, Any]) -> DataResult:
        """Collect the mapped frame and its quality findings."""
        data = namespace[DATA_VARIABLE]
        roles = self.params.model_roles()
        outages = find_outages(data, roles)
        unbooked = find_unbooked(data, roles)
        # the checks of the target leave the dates without booked spend out of their fits
        skipped = [*outages, *(run.as_outage() for run in unbooked)]
        # a channel written in another scale from a date on is read in one unit by the
        # checks of the target (days summed into weeks are not read: a week mixes both)
        switches = [] if self.params.aggregate == WEEKLY else find_switches(data, roles)
        checked = in_one_unit(data, roles, switches)
        series = read_series(checked, roles, skipped)
        return DataResult(data=data, roles=roles, frequency=self._frequency,
                          date_format=self.params.date_format,
                          warnings=without_moot_notes([
                                    *left_out_finding(self._left_out),
                                    *text_amounts_finding(self.params.amounts),
                                    *repeated_header_finding(self._repeated,
                                                             self.params.source.name),
                                    *find_warnings(data, roles, self.params.source.name,
                                                   self._population),
                                    *shares_finding(data, roles, self.params.source.name,
                                                    _raw_frame(namespace, self.params)),
                                    *(scaled_spend_finding(data, roles,
                                                           self.params.source.name)
                                      or money_scale_finding(data, roles,
                                                             self.params.source.name)),
                                    *geo_scale_finding(data, roles, self.params.source.name,
                                                       self.params.target),
                                    *scale_switch_finding(switches, roles,
                                                          self.params.source.name,
                                                          self.params.date_format,
                                                          self.params.target),
                                    *handover_finding(data, roles,
                                                      self.params.source.name),
                                    *season_controls_finding(data, roles,
                                                             self.params.controls,
                                                             self.params.categorical),
                                    *reported_outcome_finding(
                                        roles, _raw_columns(namespace, self.params)),
                                    *self._paid_on_sales_or_late(data, roles),
                                    *self._partial_periods(data, roles, series),
                                    *self._coarse_spend(data, roles),
                                    *unbooked_finding(unbooked, roles,
                                                      self.params.source.name,
                                                      self.params.date_format),
                                    *self._unexplained(checked, roles, outages, skipped,
                                                       series)], roles.target),
                          quality=quality_table(data, roles))

    def _partial_periods(self, data: pd.DataFrame, roles: Roles,
                         series: list[Series]) -> list[Finding]:
        """A first or last period the export covers in part (none once days are summed
        into weeks: the data cell leaves partial weeks out)."""
        if self.params.aggregate == WEEKLY:
            return []
        return partial_period_finding(data, roles, self._frequency, self.params.source.name,
                                      self.params.date_format, series)

    def _coarse_spend(self, data: pd.DataFrame, roles: Roles) -> list[Finding]:
        """Spend by the week (month) written on days (weeks); days summed into weeks were
        read before the sums (at validation); not looked for in a long table (its spend
        is one column for all)."""
        if self.params.aggregate == WEEKLY:
            return self._daily_spend
        if self.params.long is not None:
            return []
        return coarse_spend_finding(data, roles, self._frequency, self.params.source.name,
                                    self.params.date_format)

    def _paid_on_sales_or_late(self, data: pd.DataFrame, roles: Roles) -> list[Finding]:
        """Spend that follows the target: brand search, paid on sales, or dated a period
        late (a channel named as one is not named again as the next)."""
        brand = brand_search_finding(data, roles)
        following = following_spend_finding(data, roles, _named(brand))
        named = _named(brand) | _named(following)
        return [*brand, *following, *late_spend_finding(data, roles, self.params.source.name,
                                                        self.params.date_format, named)]

    def _unexplained(self, data: pd.DataFrame, roles: Roles, outages: list[Outage],
                     skipped: list[Outage], series: list[Series]) -> list[Finding]:
        """Periods of the target not recorded (an outage), outliers and a baseline that
        moves (a trend, a step), each named once; ``series`` are ``data``'s read without
        the ``skipped`` periods (the outages', and those without booked spend;
        :func:`~.outliers.read_series`)."""
        table, read = self.params.source.name, self.params.date_format
        weeks = self.params.aggregate == WEEKLY
        return [*outage_finding(outages, roles, self._frequency, table, read, weeks),
                *outlier_finding(data, roles, skipped, table, read, weeks, series),
                *baseline_finding(data, roles, skipped, table, read, series),
                *month_length_finding(series, roles, table, read)]


def _named(findings: list[Finding]) -> frozenset[str]:
    """The columns ``findings`` name."""
    return frozenset(c for finding in findings for c in finding.columns)


def _unlabelled_rows(raw: pd.DataFrame, keys: list[str], long: LongFormat,
                     table: str) -> list[Problem]:
    """A problem per date or geo column left empty on rows of a long table that name a
    channel and hold its spend: the pivot would leave them out without a word."""
    spent = raw[[long.channel_column, long.value_column]].notna().all(axis=1).to_numpy()
    problems = []
    for column, role in zip(keys, ("date", "geo"), strict=False):
        empty = blank_cells(raw[column]) & spent
        if not empty.any():
            continue
        rows = [f"row {r}" for r in raw.index[empty][:MAX_ROWS_LISTED]]
        problems.append(
            block_label_problem(column, role, table, rows, int(empty.sum()))
            if written_once_per_block(raw, column) else problem(
                f"The {role} is missing in rows that hold a channel's spend: the pivot to a "
                "column per channel would leave them out.",
                f"Fill in the {role} of these rows, or drop them: {table} = "
                f"{table}.dropna(subset=[{literal(column)}]).", column=column, rows=rows,
                count=int(empty.sum())))
    return problems


def _raw_frame(namespace: dict[str, Any], params: DataParams) -> pd.DataFrame | None:
    """The raw table, as the data cell loaded it (None when the cell has none)."""
    raw = namespace.get(params.source.name)
    return raw if isinstance(raw, pd.DataFrame) else None


def _raw_columns(namespace: dict[str, Any], params: DataParams) -> list[str]:
    """The raw table's columns, as the data cell loaded it (the mapped ones otherwise)."""
    raw = _raw_frame(namespace, params)
    return [*raw.columns] if raw is not None else [*params.roles().all]


def empty_spend_lines(data: str, channels: tuple[str, ...]) -> list[str]:
    """Code reading the empty spend cells of ``data`` as no spend."""
    return ["# Empty spend cells: the channel did not run",
            f"{data}[{literal(list(channels))}] = {data}[{literal(list(channels))}].fillna(0)"]


def _with_empty_spend_zero(frame: pd.DataFrame, channels: list[str]) -> pd.DataFrame:
    """``frame`` with its empty spend cells 0, by :func:`empty_spend_lines`' own code."""
    return ran_on_copy("empty spend cells", empty_spend_lines("data", tuple(channels)), frame)


def revenue_lines(data: str, params: DataParams) -> list[str]:
    """Code replacing the target and its value per unit by their product, the revenue."""
    if params.value_per_unit is None:
        return []
    target, value = literal(params.target), literal(params.value_per_unit)
    revenue = literal(revenue_column(params))
    return ["# The model explains revenue: the target times its value per unit",
            f"{data}[{revenue}] = {data}[{target}] * {data}[{value}]",
            f"{data} = {data}.drop(columns=[{target}, {value}])"]


def appended_lines(params: DataParams) -> list[str]:
    """Code appending the new periods of each variable in ``params.appended`` to the table."""
    raw, date = params.source.name, literal(params.date)
    lines: list[str] = []
    for name in params.appended:
        new_dates = to_datetime_code(f"{name}[{date}]", params.date_format)
        last = to_datetime_code(f"{raw}[{date}]", params.date_format)
        lines += [
            f"# New periods: the rows of {name} dated after the last date so far",
            f"new_rows = {name}[{new_dates} > {last}.max()]",
            f"{raw} = pd.concat([{raw}, new_rows[list({raw}.columns)]], ignore_index=True)",
        ]
    return lines


def _aggregate_problems(aggregate: str | None, frequency: str) -> list:
    if aggregate is None:
        return []
    if aggregate not in AGGREGATIONS:
        return [problem(f"{aggregate!r} is not a way to aggregate the rows.",
                        f"Use one of {', '.join(map(repr, AGGREGATIONS))}, or None.")]
    if frequency != "daily":
        return [problem(f"Only daily data can be summed into weeks; these dates are "
                        f"{frequency}.", "Leave aggregate out (None).")]
    return []
