"""Step 1 of the :class:`~mmm_widgets.workflow.Workflow` facade: map the raw table's columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from mmm_widgets.steps.data import DataParams, DataResult, DataStep, LongFormat
from mmm_widgets.steps.dates import periods_per_quarter
from mmm_widgets.steps.measure_rows import find_measure_rows
from mmm_widgets.steps.roles import no_roles, suggest_roles


class DataMethods:
    """The data step's methods of the :class:`~mmm_widgets.workflow.Workflow` facade.

    Part of the Workflow facade: a mixin with no state of its own that guesses column
    roles, maps and validates the raw table through :meth:`Workflow.run_step`, and reads the
    data step's result back. It relies on the core's ``_require_raw``, ``_require_source``
    and :meth:`Workflow.step`.
    """

    def suggest_mapping(self) -> dict[str, Any]:
        """Guess the role of each column of the raw table.

        Returns
        -------
        dict
            Keys ``date, target, channels, controls, geo, value_per_unit, long`` (a long
            table's channel and spend columns, or None); pass them to :meth:`map_data` as
            they are or after changing them.
        """
        raw = self._require_raw()
        if find_measure_rows(raw) is not None:  # no column is a role until pivoted
            return no_roles()
        return suggest_roles(raw)

    def map_data(self, date: str, target: str, channels: Sequence[str],
                 controls: Sequence[str] = (), geo: str | None = None,
                 date_format: str | None = None, long: LongFormat | dict | None = None,
                 aggregate: str | None = None,
                 value_per_unit: str | None = None,
                 empty_spend_is_zero: bool = False) -> pd.DataFrame:
        """Map columns to roles, validate, and build the frame the model will get.

        Parameters
        ----------
        date, target : str
            Date column and the outcome to explain (sales, revenue, conversions).
        channels : sequence of str
            Spend columns, one per channel (for a long table: channel names to keep).
        controls : sequence of str, optional
            Non-media drivers: promotions, prices, holidays.
        geo : str, optional
            Geography column for panel data (one row per date and geo).
        date_format : str, optional
            ``strftime`` format of text dates, e.g. ``"%d/%m/%Y"``; inferred if omitted.
        long : LongFormat or dict, optional
            For a long table: ``{"channel_column": ..., "value_column": ...}``.
        aggregate : {"weekly"}, optional
            Sum daily rows into weeks starting on Monday (spend and target summed,
            controls averaged, partly covered weeks dropped). Without it daily data is
            modelled by the day (set ``l_max`` in days).
        value_per_unit : str, optional
            Column of the money one unit of the target brings, e.g.
            ``revenue_per_conversion`` beside ``conversions`` (Meridian's
            ``revenue_per_kpi``). The model then explains the revenue (target times value,
            row by row, in a column named ``revenue``), so ROAS is money per unit of spend.
        empty_spend_is_zero : bool
            Read an empty spend cell as no spend (0), as exports leave a channel's cells
            empty when it did not run. By default an empty spend cell is reported.

        Returns
        -------
        pandas.DataFrame
            The mapped frame, also available as :attr:`data`.

        Raises
        ------
        DataError
            Listing every problem found, each with its column, rows and fix. The
            previous mapping, if any, is kept.
        """
        source = self._require_source()
        if isinstance(long, dict):
            long = LongFormat(**long)
        # New periods a refresh appended stay appended when the mapping changes.
        previous = self._steps.get("data")
        appended = (previous.params.appended
                    if previous is not None and previous.params.source == source else ())
        params = DataParams(source=source, date=date, target=target,
                            channels=tuple(channels or ()), controls=tuple(controls or ()),
                            geo=geo,
                            date_format=date_format, long=long, aggregate=aggregate,
                            appended=appended, value_per_unit=value_per_unit,
                            empty_spend_is_zero=bool(empty_spend_is_zero))
        self.run_step(DataStep(params))
        return self.data

    @property
    def data(self) -> pd.DataFrame:
        """The mapped, validated frame (date, geo, channels, controls, target)."""
        return self.data_result.data

    @property
    def data_result(self) -> DataResult:
        """Everything the data step produced: frame, roles, frequency, warnings."""
        return self.step("data").result

    @property
    def quarter_periods(self) -> int:
        """Periods in a quarter of the mapped data: 13 weeks, 3 months or 91 days.

        The default length of a budget, a plan, the current run-rate, a hold-out and a
        cross-validation window.
        """
        return periods_per_quarter(self.data_result.frequency)

    @property
    def run_rate_periods(self) -> int:
        """Recent periods averaged for the current spend: a quarter
        (:attr:`quarter_periods`), or every period of a shorter table."""
        return min(self.quarter_periods, self.data_result.periods)
