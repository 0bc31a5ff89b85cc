"""Step 5 of the :class:`~mmm_widgets.workflow.Workflow` facade: attribution and synergy."""

from __future__ import annotations

import inspect
from typing import Any

import pandas as pd

from mmm_widgets.api.names import variable_name
from mmm_widgets.errors import problem
from mmm_widgets.steps.source import Source


class AttributionMethods:
    """The journey methods of the :class:`~mmm_widgets.workflow.Workflow` facade.

    Part of the Workflow facade: a mixin with no state of its own that compares the MMM's
    shares with multi-touch and platform credit, reads channel synergy from journeys,
    suggests the journey label -> model channel map, and picks the variable name under
    which exported code finds each touch table.
    """

    def attribution(self, journeys: pd.DataFrame | None = None, platform: Any = None,
                    channel_map: dict[str, str] | None = None, lookback: Any = None,
                    grouping: dict[str, str] | None = None, **options: Any) -> pd.DataFrame:
        """Compare the MMM's media shares with multi-touch and platform-reported credit.

        Per model channel: the MMM's share of total media contribution with its HDI
        (:attr:`interval`, 94 % by default), each multi-touch model's share of the tracked
        credit, the platforms' share of reported conversions, and a flag where a method
        falls outside the MMM's interval.
        Shares of the other methods are over the model channels the journeys map to;
        channels without touches (TV, radio: offline) get 0 and are noted.

        Parameters
        ----------
        journeys : pandas.DataFrame, optional
            One row per touch: user, time, channel label, conversion flag (and value).
            Exported code refers to it by its variable name (``name=`` overrides; a
            bundled table is read from its file). Omitted: the previous table and
            settings are reused and only what is passed changes.
        platform : dict, pandas.Series or pandas.DataFrame, optional
            Platform-reported conversions per channel (model names, or journey labels in
            ``channel_map``). A text value names a column of the raw data holding that
            platform's conversions per period, summed over the compared periods, e.g.
            ``{"search": "search_platform_conversions", "tv": 300}``.
        channel_map : dict, optional
            Journey label -> model channel. Omitted: suggested by name similarity
            (:meth:`suggest_channel_map`); labels nothing matches are left out and noted.
        lookback : str or float, optional
            Touches longer than this before their conversion get no credit (``"30D"``).
        grouping : dict, optional
            Journey label -> group label, applied before attribution.
        **options
            ``user, time, channel, conversion, value`` (columns; guessed from common
            names), ``models`` (default last_touch, first_touch, linear, markov; built-in
            names and :func:`mmm_widgets.mta.custom_rule` rules),
            ``weight`` ("value" when there is a value column), ``half_life`` ("7D"),
            ``direct_channel`` (the label "direct" if present), ``period`` (the model
            dates the journeys cover; None for the whole fit), ``hdi_prob`` (default
            :attr:`interval`), ``name``.

        Returns
        -------
        pandas.DataFrame
            Indexed by channel: ``mmm_share, mmm_share_hdi_low, mmm_share_hdi_high`` (of
            all media), then per method (models, ``platform``) ``<method>_share``,
            ``<method>_mmm`` with ``_hdi_low`` / ``_hdi_high`` (the MMM's share over the
            channels the method covers, renormalised per posterior draw; NaN elsewhere) and
            ``<method>_outside`` (its share outside that interval), ``mmm_incremental`` (the
            MMM's contribution over the compared periods) and per method
            ``<method>_incremental`` with ``_hdi_low`` / ``_hdi_high``: its shares times
            the MMM's contribution of the channels it covers, per draw (so those channels
            add up to it), i.e. influenced credit in incremental units. Notes are in
            :attr:`attribution_result`.

        Raises
        ------
        DataError
            Missing or unreadable journey columns, no conversions, a channel map that
            reaches no model channel, bad platform numbers; the previous result is kept.
        """
        from mmm_widgets.steps.attribution import AttributionStep, build_params

        source = None
        if journeys is not None:
            source = self._journeys_source(journeys, options.get("name"),
                                           inspect.currentframe())
        previous = self._steps.get("attribution")
        if journeys is not None or previous is None:
            options.setdefault("hdi_prob", self.interval)
        params, frame = build_params(self.data_result, previous, journeys, source, platform,
                                     channel_map, lookback, grouping, options)
        if journeys is None and previous is not None:
            frame = previous.journeys
        step = AttributionStep(params, self.data_result, frame, self.step("data").params)
        return self.run_step(step).table.copy()

    @property
    def attribution_result(self) -> Any:
        """The attribution step's result: table, raw multi-touch credit, notes."""
        return self.step("attribution").result

    def synergy(self, journeys: pd.DataFrame | None = None, *,
                channel_map: dict[str, str] | None = None, lookback: Any = None,
                grouping: dict[str, str] | None = None, **options: Any) -> pd.DataFrame:
        """Synergy or cannibalization of each pair of channels, read from journeys.

        For channels A and B, journeys are split by whether they touch A and whether they
        touch B, with conversion rates ``p00, p10, p01, p11``. Independent effects
        (noisy-OR: each channel converts a journey on its own) predict
        ``expected = 1 - (1 - p10) * (1 - p01) / (1 - p00)`` for journeys with both;
        ``lift = p11 / expected`` is above 1 for synergy, below 1 for cannibalization.
        Its interval (:attr:`interval`, 94 % by default) is the HDI of the lift over
        draws of each cell's rate from ``Beta(conversions + 1, non-conversions + 1)``.
        Journeys are observational: a lift can reflect who gets both touches, not what
        adding a channel would cause.

        The step also computes the flows between channels by touch position (for a
        Sankey) and the top paths: see :attr:`synergy_result`. It needs no fitted model.

        Parameters
        ----------
        journeys : pandas.DataFrame, optional
            One row per touch: user, time, channel label, conversion flag. Omitted: the
            attribution step's table and settings (columns, look-back, grouping, channel
            map), or else the previous table of this step; only what is passed changes.
        channel_map : dict, optional
            Journey label -> model channel (the name shown); labels not in the map keep
            theirs. Omitted with a new table: suggested from the data step's channels.
        lookback : str or float, optional
            Touches longer than this before the end of their journey are left out.
        grouping : dict, optional
            Journey label -> group label, applied first.
        **options
            ``user, time, channel, conversion`` (columns; guessed from common names),
            ``value`` (accepted, not used), ``hdi_prob`` (default :attr:`interval`),
            ``draws`` (4000), ``random_seed`` (42), ``min_journeys`` (30: pairs with
            fewer journeys in any cell are flagged), ``max_steps`` (4: touch positions
            of the flows), ``top`` (10 paths), ``name`` (the table's variable in
            exported code).

        Returns
        -------
        pandas.DataFrame
            One row per pair: ``channel_a, channel_b``, journeys ``n_neither, n_a_only,
            n_b_only, n_both`` and conversions ``conversions_neither, ...,
            conversions_both`` of each cell, ``p00, p10, p01, p11``, ``expected``,
            ``lift``, ``lift_hdi_low``, ``lift_hdi_high``, ``few_journeys`` and
            ``verdict`` (``"synergy"``, ``"cannibalization"``, ``"no clear effect"`` or
            ``"not estimable"``).

        Raises
        ------
        DataError
            Missing or unreadable journey columns (naming them), no conversions, fewer
            than two channels, bad options; the previous result is kept.
        """
        from mmm_widgets.steps.synergy import SynergyStep, build_params

        source = None
        if journeys is not None:
            source = self._journeys_source(journeys, options.get("name"),
                                           inspect.currentframe(), kind="synergy")
        channels = (tuple(self.data_result.roles.channels)
                    if self.status("data") in ("done", "stale") else ())
        params, frame = build_params(self._steps.get("attribution"), self._steps.get("synergy"),
                                     channels, journeys, source, channel_map, lookback,
                                     grouping, dict(options), self.interval)
        return self.run_step(SynergyStep(params, frame)).table.copy()

    @property
    def synergy_result(self) -> Any:
        """The cross-channel step's result: pair ``table``, ``flows``, top ``paths``, notes."""
        return self.step("synergy").result

    def suggest_channel_map(self, journeys: pd.DataFrame, channel: str | None = None
                            ) -> dict[str, str]:
        """Suggest which model channel each journey label stands for (by name similarity).

        Parameters
        ----------
        journeys : pandas.DataFrame
            The touch table.
        channel : str, optional
            Its channel column (guessed when omitted).

        Returns
        -------
        dict
            ``{journey label: model channel}``; labels nothing matches are left out.
        """
        from mmm_widgets.steps.attribution import suggest_channel_map, suggest_journey_columns

        column = channel if channel is not None else suggest_journey_columns(journeys)["channel"]
        labels = sorted({str(v).strip() for v in journeys[column].dropna().unique()})
        return suggest_channel_map(labels, self.data_result.roles.channels)

    def _journeys_source(self, journeys: pd.DataFrame, name: str | None, frame,
                         kind: str = "attribution") -> Source:
        """Where exported code finds the touch table: its file, or a variable name.

        The name is the caller's variable holding ``journeys`` unless another step's code
        (or the cell of step ``kind`` itself) uses it; then ``journeys`` (or
        ``journeys_2``, ...), avoiding the name under which the other journey step (the
        attribution or cross-channel step) reads a different table.
        """
        import ast

        from mmm_widgets.datasets.bundled import source_of
        from mmm_widgets.errors import DataError
        from mmm_widgets.steps.attribution import CELL_NAMES, JOURNEYS_VARIABLE
        from mmm_widgets.steps.synergy import CELL_NAMES as SYNERGY_NAMES

        if not isinstance(journeys, pd.DataFrame):
            raise DataError(problem(f"journeys is a {type(journeys).__name__}, not a DataFrame.",
                                    "Pass the touch table as a DataFrame, e.g. "
                                    "pd.read_csv('touches.csv')."))
        given = name is not None
        if name is None:
            name = variable_name(journeys, frame)
            # "df" is also the look-up's answer when no variable holds the table.
            caller, given = (frame.f_back if frame is not None else None), name != "df"
            while caller is not None and not given:
                given = any(scope.get("df") is journeys
                            for scope in (caller.f_locals, caller.f_globals))
                caller = caller.f_back
        taken = set(self._frames) | set(CELL_NAMES) | set(SYNERGY_NAMES)
        if self.source is not None:
            taken.add(self.source.name)
        others: set[str] = set()
        for step in self.steps:
            if step.kind == kind:
                continue
            if hasattr(step, "journeys"):
                # The caller's own variable stays theirs to reuse for a new table.
                if step.journeys is not journeys:
                    others.add(step.params.journeys.name)
                continue
            taken |= {node.id for node in ast.walk(ast.parse(step.code().cell()))
                      if isinstance(node, ast.Name)}
        defaults = [c for c in (JOURNEYS_VARIABLE,
                                *(f"{JOURNEYS_VARIABLE}_{i}" for i in range(2, 99)))
                    if c not in others]
        candidates = [name, *defaults] if given else defaults
        chosen = next(c for c in candidates if c not in taken)
        return source_of(journeys, chosen) or Source(kind="frame", name=chosen)
