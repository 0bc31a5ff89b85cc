"""The manifest: each malformed dataset, how to load it, the mapping to try, what it must give.

A case is valid (the mapping must work) or names what the :class:`mw.DataError` must
say: ``columns`` are exactly the columns its problems name, ``message`` and ``where``
are substrings of its message (``where``: the rows, dates or file lines named).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import mmm_widgets as mw
from tests.bad_inputs import builders
from tests.bad_inputs.builders import FILES

MAPPING: dict[str, Any] = {"date": "date", "target": "sales", "channels": ["tv", "search"],
                           "controls": ["promo"]}
GEO_MAPPING: dict[str, Any] = {**MAPPING, "geo": "geo"}


@dataclass(frozen=True)
class Case:
    """One malformed (or, for contrast, well-formed) input and what it must give.

    Attributes
    ----------
    name : str
        Test id.
    build : callable, optional
        Returns the raw DataFrame (frame cases).
    file : str, optional
        File in ``files/`` (file cases), read with ``read_options``.
    mapping : dict
        Keyword arguments of ``Workflow.map_data``.
    columns : tuple of str
        The columns the error's problems name, all of them.
    message : tuple of str
        Substrings of the error message (what and fix).
    where : tuple of str
        Substrings naming the rows, dates or lines.
    valid : bool
        The mapping must work (unsorted dates, a file read with the right options).
    panel : bool
        The mapping can be entered in the data panel (not a misspelt column, say).
    """

    name: str
    build: Callable[[], pd.DataFrame] | None = None
    file: str | None = None
    read_options: dict[str, Any] = field(default_factory=dict)
    mapping: dict[str, Any] = field(default_factory=lambda: dict(MAPPING))
    columns: tuple[str, ...] = ()
    message: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    valid: bool = False
    panel: bool = True

    def frame(self) -> pd.DataFrame:
        """The raw table of a frame case."""
        assert self.build is not None
        return self.build()

    @property
    def path(self) -> Path:
        """The file of a file case."""
        assert self.file is not None
        return FILES / self.file

    def workflow(self) -> mw.Workflow:
        """A workflow over this case's data, loaded the way the case says."""
        if self.file is not None:
            return mw.Workflow.from_file(self.path, **self.read_options)
        return mw.Workflow(self.frame(), name="raw")


CASES: tuple[Case, ...] = (
    # ----- dates
    Case("missing_dates", builders.missing_dates, columns=("date",),
         message=("The date is missing", "dropna"), where=("row 5", "row 12")),
    Case("duplicated_dates", builders.duplicated_dates, columns=("date",),
         message=("more than once",), where=("2023-02-06",)),
    Case("unsorted_dates", builders.unsorted_dates, valid=True),
    Case("unparseable_dates", builders.unparseable_dates, columns=("date",),
         message=("could not be parsed",), where=("row 7 ('week 8')", "row 9 ('TBD')")),
    Case("mixed_date_formats", builders.mixed_date_formats, columns=("date",),
         message=("mixes date formats", "'%d/%m/%Y'"), where=("row 3", "row 8")),
    Case("date_gap", builders.date_gap, columns=("date",),
         message=("missing from the weekly sequence",), where=("2023-03-13", "2023-03-20")),
    Case("month_gap", builders.month_gap, columns=("date",),
         message=("missing from the monthly sequence",), where=("2020-08-01", "2020-09-01")),
    Case("mid_month_dates", builders.mid_month_dates, columns=("date",),
         message=("first day of their month", ".dt.to_period('M').dt.start_time"),
         where=("2020-01-15", "and 35 more")),
    Case("dates_with_spaces", builders.dates_with_spaces, columns=("date",),
         message=("spaces", ".str.strip()"), where=("row 2", "row 3")),
    # ----- numbers
    Case("text_in_numbers", builders.text_in_numbers, columns=("tv",),
         message=("text where numbers are expected",),
         where=("row 4 (2023-01-30): 'twelve'", "row 9 (2023-03-06): 'n/a'")),
    Case("placeholders_for_missing", builders.placeholders_for_missing, columns=("search",),
         message=("na_values=", "'n/a'"), where=("row 3 (2023-01-23)", "row 6")),
    # amounts written as text in one certain way are read (mmm_widgets.steps.amounts)
    Case("currency_symbols", builders.currency_symbols, valid=True),
    Case("thousands_separators", builders.thousands_separators, valid=True),
    Case("decimal_commas", builders.decimal_commas, valid=True),
    Case("thousands_or_decimals", builders.thousands_or_decimals, columns=("sales",),
         message=("1,234 have a comma", "thousands=','", "decimal=','"),
         where=("row 0 (2023-01-02): '14,800'",)),
    Case("currency_with_placeholders", builders.currency_with_placeholders, columns=("tv",),
         message=("currency symbols",), where=("row 3 (2023-01-23): 'n/a'",)),
    # a control's percentages are read as fractions; a channel's are no amounts
    Case("percent_signs", builders.percent_signs, valid=True),
    Case("percent_spend", builders.percent_spend, columns=("search",),
         message=("% signs",), where=("row 0 (2023-01-02)",)),
    Case("nan_target", builders.nan_target, columns=("sales",),
         message=("target has missing values",), where=("row 5 (2023-02-06)",)),
    Case("target_not_yet_measured", builders.target_not_yet_measured, columns=("sales",),
         message=("No row has a target on the last 2 dates (2023-09-25 to 2023-10-02",
                  "raw = raw[raw['sales'].notna()]"),
         where=("row 38 (2023-09-25)", "row 39 (2023-10-02)")),
    Case("target_not_yet_recorded", builders.target_not_yet_recorded, columns=("sales",),
         message=("The target is 0 on the first 6 dates (2023-01-02 to 2023-02-06)",
                  ">= '2023-02-13'")),
    Case("two_currencies_in_a_column", builders.two_currencies_in_a_column, columns=("tv",),
         message=("2 currencies ($ on 38 rows, EUR on 2 rows)",), where=("row 4", "row 9")),
    Case("inf_target", builders.inf_target, columns=("sales",),
         message=("target has infinite values",), where=("row 9 (2023-03-06)",)),
    Case("nan_channel", builders.nan_channel, columns=("tv",),
         message=("channel has missing values", "empty_spend_is_zero=True"),
         where=("row 7 (2023-02-20)",)),
    Case("inf_channel", builders.inf_channel, columns=("search",),
         message=("channel has infinite values",), where=("row 2 (2023-01-16)",)),
    Case("negative_spend", builders.negative_spend, columns=("search",),
         message=("Spend is negative", "clip"), where=("row 3 (2023-01-23)",)),
    Case("constant_channel", builders.constant_channel, columns=("search",),
         message=("spend is constant",)),
    Case("all_zero_channel", builders.all_zero_channel, columns=("tv",),
         message=("spend is all zero",)),
    Case("only_nan_channel", builders.only_nan_channel, columns=("tv",),
         message=("channel column is empty",)),
    Case("only_none_object_column", builders.only_none_object_column, columns=("search",),
         message=("channel column is empty",)),
    Case("boolean_channel", builders.boolean_channel,
         mapping={**MAPPING, "channels": ["tv", "search", "promo"], "controls": []},
         columns=("promo",), message=("True/False", "as a control")),
    Case("categorical_channel", builders.categorical_channel, columns=("tv",),
         message=("categorical",)),
    # ----- shape and mapping
    Case("single_row", builders.single_row, columns=("date",),
         message=("Only 1 period;", "at least 16")),
    Case("fewer_rows_than_adstock", builders.fewer_rows_than_adstock, columns=("date",),
         message=("Only 6 periods", "adstock window")),
    Case("duplicate_column_names", builders.duplicate_column_names,
         mapping={**MAPPING, "channels": ["tv"]}, columns=("tv",),
         message=("two or more columns with this name",)),
    Case("empty_frame", builders.empty_frame, message=("no rows",)),
    Case("frame_without_columns", builders.frame_without_columns, message=("no rows",),
         panel=False),
    Case("column_mapped_twice", builders.base,
         mapping={**MAPPING, "controls": ["promo", "tv"]}, columns=("tv",),
         message=("more than one role (channel, control)",)),
    Case("channel_listed_twice", builders.base,
         mapping={**MAPPING, "channels": ["tv", "tv", "search"]}, columns=("tv",),
         message=("listed 2 times as a channel",), panel=False),
    Case("target_as_channel", builders.base,
         mapping={**MAPPING, "channels": ["tv", "search", "sales"]}, columns=("sales",),
         message=("also mapped as a spend channel",)),
    Case("no_date_chosen", builders.base, mapping={**MAPPING, "date": None},
         message=("No date column is chosen", "Pick the column that holds the dates"),
         panel=False),  # the panel asks for both before it maps
    Case("no_target_or_date_chosen", builders.base,
         mapping={**MAPPING, "date": None, "target": None},
         message=("2 problems", "No date column is chosen", "No target column is chosen"),
         panel=False),
    Case("channels_none", builders.base, mapping={**MAPPING, "channels": None},
         message=("No spend channels are mapped",), panel=False),
    Case("misspelt_column", builders.base, mapping={**MAPPING, "channels": ["tv", "serach"]},
         columns=("serach",), message=("not in the data", "Did you mean 'search'"),
         panel=False),
    Case("many_problems", builders.many_problems, columns=("tv", "search", "sales", "date"),
         message=("4 problems", "negative", "constant", "missing values",
                  "missing from the weekly sequence"),
         where=("row 3 (2023-01-23)", "row 5 (2023-02-06)", "2023-05-22")),
    # ----- geo panels
    Case("geo_missing_dates", builders.geo_missing_dates, mapping=GEO_MAPPING,
         columns=("geo",), message=("Geo 'east' ends on 2023-07-03, 3 dates before the others",
                                    "raw = raw[raw['geo'] != 'east']"),
         where=("2023-07-10", "2023-07-17", "2023-07-24")),
    # the date written over two columns: picked as the date, or none picked
    Case("year_and_week_columns", builders.year_and_week_columns,
         mapping={**MAPPING, "date": "Week"}, columns=("Week",),
         message=("the year in 'Year' and the ISO week in 'Week'",
                  "['week_start'] = pd.to_datetime(", "['Year'].astype(int).astype(str)")),
    Case("year_and_week_not_iso", builders.year_and_week_not_iso,
         mapping={**MAPPING, "date": None}, columns=("Week",),
         message=("name no ISO week",), where=("row 39",)),
    Case("geo_starts_late", builders.geo_starts_late, mapping=GEO_MAPPING,
         columns=("geo",), message=("Geo 'south' starts on 2023-01-30, 4 dates after the others",
                                    ">= '2023-01-30'"),
         where=("2023-01-02", "2023-01-23")),
    Case("geo_gap", builders.geo_gap, mapping=GEO_MAPPING, columns=("date",),
         message=("missing from the weekly sequence in geo 'south'",), where=("2023-03-06",)),
    Case("geo_media_history_before_target", builders.geo_media_history_before_target,
         mapping=GEO_MAPPING, columns=("sales",),
         message=("the first 3 dates (2023-01-02 to 2023-01-16; history",
                  "raw = raw[raw['sales'].notna()]"),
         where=("row 0 (2023-01-02)", "row 31 (2023-01-09)", "and 4 more")),
    Case("geo_blank", builders.geo_blank, mapping=GEO_MAPPING, columns=("geo",),
         message=("geo column has missing values",), where=("row 33 (2023-01-23)",)),
    Case("national_target", builders.national_target, mapping=GEO_MAPPING,
         columns=("sales",), message=("The target is the same in every geo on every date "
                                      "(3 geos)", "raw.groupby('date', as_index=False)")),
    Case("currencies_per_geo", builders.currencies_per_geo, mapping=GEO_MAPPING,
         columns=("currency",), message=("2 currencies (EUR on 60 rows, GBP on 30 rows)",
                                         "'GBP': <EUR per GBP>")),
    # ----- files
    # a file needing options nobody gave is read with them (source.settle_source) ...
    Case("semicolon_read_with_defaults", file="semicolon_decimal_comma.csv", valid=True),
    # ... but the options given are never changed: the error says which would read it
    Case("semicolon_read_with_a_comma_given", file="semicolon_decimal_comma.csv",
         read_options={"sep": ","}, columns=("date;tv;search;promo;sales",),
         message=("single column", "sep=';'", "decimal=','"), panel=False),
    Case("decimal_commas_read_with_sep_only", file="semicolon_decimal_comma.csv",
         read_options={"sep": ";"}, valid=True),
    Case("semicolon_decimal_comma_read_right", file="semicolon_decimal_comma.csv",
         read_options={"sep": ";", "decimal": ","}, valid=True),
    Case("tab_separated_read_with_defaults", file="tab_separated.tsv", valid=True),
    Case("tab_separated_read_with_a_semicolon_given", file="tab_separated.tsv",
         read_options={"sep": ";"}, columns=("date\ttv\tsearch\tpromo\tsales",),
         message=("sep='\\t'",)),
    Case("thousands_in_csv", file="thousands.csv", valid=True),
    Case("european_numbers_in_csv", file="european_numbers.csv", read_options={"sep": ";"},
         valid=True),
    Case("excel_header_rows_read_with_defaults", file="header_rows.xlsx", valid=True),
    Case("excel_header_rows_skipped_too_few", file="header_rows.xlsx",
         read_options={"skiprows": 1}, columns=("exported 2025-01-06",),
         message=("header", "skiprows=2")),
    Case("excel_header_rows_skipped", file="header_rows.xlsx", read_options={"skiprows": 2},
         valid=True),
    Case("excel_totals_row", file="totals_row.xlsx", valid=True),  # left out (steps.rows)
    Case("empty_file", file="empty.csv", message=("empty (0 bytes)",)),
    Case("header_only_csv", file="header_only.csv", message=("no rows",)),
    Case("ragged_csv", file="ragged.csv", message=("6 values where the lines before it have 5",
                                                   "thousands"), where=("line 6",)),
    Case("text_file_named_xlsx", file="text_named.xlsx", message=("not an Excel workbook",
                                                                 ".csv")),
    Case("excel_file_named_csv", file="workbook_named.csv",
         message=("is an Excel workbook, not a CSV",)),
    Case("latin1_csv_read_as_utf8", file="latin1.csv", read_options={"encoding": "utf-8"},
         message=("not utf-8 text", "encoding='cp1252'"), panel=False),
)
