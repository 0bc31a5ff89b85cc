"""The attribution step: checks, the exported cell, and what it computed.

:class:`JourneysStep` is the base of both steps that read a touch table (this one and the
cross-channel step); :class:`AttributionStep` compares the MMM's media shares with
multi-touch and platform credit. Its cell copies the functions of
:mod:`mmm_widgets.steps.attribution.cell` verbatim and the step runs exactly that cell.
"""

from __future__ import annotations

import difflib
import inspect
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.errors import DataError, Problem, problem
from mmm_widgets.mta import attribute
from mmm_widgets.steps.attribution import cell
from mmm_widgets.steps.attribution.params import PLATFORM, AttributionParams, RuleParams
from mmm_widgets.steps.attribution.result import AttributionResult
from mmm_widgets.steps.attribution.suggest import suggest_channel_map
from mmm_widgets.steps.base import Step
from mmm_widgets.steps.data import DataParams, DataResult
from mmm_widgets.steps.dates import to_datetime_code
from mmm_widgets.steps.journeys import time_problems
from mmm_widgets.steps.source import read_source

__all__ = ["AttributionStep", "JourneysStep", "function_lines"]


class JourneysStep(Step):
    """A step whose code reads a touch table (``params.journeys``: a file or a variable).

    A table passed as a DataFrame is bound to its variable name in the namespace before
    the code runs, so the exported cell refers to it by that name.
    """

    #: The call that passes the table, for the message when none is bound.
    call = "wf.attribution"
    journeys: pd.DataFrame | None

    def frame(self) -> pd.DataFrame:
        """The touch table (read from its file for a file source)."""
        source = self.params.journeys
        if source.kind != "frame":
            if self.journeys is None:
                self.journeys = read_source(source)
            return self.journeys
        if not isinstance(self.journeys, pd.DataFrame):
            raise DataError(problem(f"No touch table is bound to {source.name!r}.",
                                    f"Pass the journeys DataFrame: {self.call}(journeys=df)."))
        return self.journeys

    def run(self, namespace: dict[str, Any]) -> Any:
        """Bind the touch table, then validate, run the code cell and read the results."""
        if self.params.journeys.kind == "frame":
            namespace[self.params.journeys.name] = self.frame()
        return super().run(namespace)


class AttributionStep(JourneysStep):
    """Compare the fitted MMM's media shares with multi-touch and platform credit.

    Parameters
    ----------
    params : AttributionParams
    data : DataResult
        The data step's result (model channels and dates).
    journeys : pandas.DataFrame, optional
        The touch table, for a ``"frame"`` source; it is bound to the source's name in
        the namespace the code runs in.
    data_params : DataParams, optional
        The data step's parameters: where the raw table and its date column are, for
        platform numbers read from columns of the raw data.
    """

    kind = "attribution"

    params: AttributionParams

    def __init__(self, params: AttributionParams, data: DataResult,
                 journeys: pd.DataFrame | None = None, data_params: DataParams | None = None):
        super().__init__(params)
        self.data = data
        self.journeys = journeys
        self.data_params = data_params
        self._labels: tuple[str, ...] = ()

    @property
    def channels(self) -> tuple[str, ...]:
        """Channels of the model, in its order."""
        return tuple(self.data.roles.channels)

    def validate(self, namespace: dict[str, Any]) -> None:
        """Check the touch table, models, channel map, platform numbers and period.

        Raises
        ------
        DataError
            Listing every problem, each with its column and fix.
        """
        params, frame = self.params, self.frame()
        credit = attribute(frame, params.user, params.time, params.channel, params.conversion,
                           value=params.value, models=params.model_specs(),
                           half_life=params.half_life,
                           direct_channel=params.direct_channel, weight=params.weight,
                           lookback=params.lookback, grouping=params.grouping or None)
        problems = time_problems(frame[params.time], str(params.time))
        self._labels = tuple(str(label) for label in credit.index)
        problems += self._map_problems()
        problems += self._platform_problems()
        problems += self._column_problems(namespace)
        problems += self._other_problems()
        if problems:
            raise DataError(problems)

    def _map_problems(self) -> list[Problem]:
        params, channels = self.params, self.channels
        problems = [problem(f"channel_map sends {label!r} to {target!r}, which is not a "
                            "channel of the model.",
                            f"Map it to one of {', '.join(map(str, channels))}, or leave it "
                            "out.", column=str(params.channel))
                    for label, target in params.channel_map.items() if target not in channels]
        if problems:
            return problems
        if not any(label in params.channel_map for label in self._labels):
            suggested = suggest_channel_map(self._labels, channels)
            hint = f" Suggested: channel_map={suggested!r}." if suggested else ""
            problems.append(problem(
                "None of the journey channels maps to a channel of the model, so nothing "
                "can be compared.",
                f"Pass channel_map={{'<journey label>': '<model channel>'}}. Journey labels: "
                f"{', '.join(map(repr, self._labels))}; model channels: "
                f"{', '.join(map(repr, channels))}.{hint}", column=str(params.channel)))
        return problems

    def _platform_problems(self) -> list[Problem]:
        platform = self.params.platform
        problems = [problem(f"Platform numbers for {label!r}, which is not a channel of the "
                            "model.", "Key platform numbers by the model's channel names.",
                            column=str(label))
                    for label in platform if label not in self.channels]
        bad = [label for label, number in platform.items()
               if not isinstance(number, int | float) or not math.isfinite(number) or number < 0]
        problems += [problem("The platform number is not a count of conversions.",
                             "Enter a number of 0 or more.", column=str(label)) for label in bad]
        if platform and not problems and sum(platform.values()) <= 0:
            problems.append(problem("The platform numbers add up to 0.",
                                    "Enter the conversions each platform reports, or none."))
        return problems

    def _column_problems(self, namespace: dict[str, Any]) -> list[Problem]:
        """Platform columns must be numeric columns of a wide raw table, 0 or more."""
        columns = self.params.platform_columns
        if not columns:
            return []
        source = self.data_params.source if self.data_params is not None else None
        if source is None or self.data_params.long is not None:
            return [problem("Platform numbers from columns need the wide raw table of the data "
                            "step (one row per date).",
                            "Pass the numbers instead: platform={'search': 1200, ...}.")]
        raw = namespace.get(source.name)
        if not isinstance(raw, pd.DataFrame):
            return [problem(f"The raw table {source.name!r} is not available.",
                            "Run the data step again.")]
        problems: list[Problem] = []
        for channel, column in columns.items():
            if column not in raw.columns:
                near = difflib.get_close_matches(str(column), list(map(str, raw.columns)), n=1)
                hint = f" Did you mean {near[0]!r}?" if near else ""
                problems.append(problem(
                    f"The platform column {column!r} (for {channel}) is not in the data.",
                    f"Use a column of the raw table.{hint}", column=str(column)))
                continue
            values = pd.to_numeric(raw[column], errors="coerce")
            bad = raw.index[values.isna() & raw[column].notna() | (values < 0)]
            if len(bad) or not pd.api.types.is_numeric_dtype(raw[column]):
                problems.append(problem(
                    f"The platform column {column!r} holds values that are not counts of "
                    "conversions.", "Use numbers of 0 or more (empty cells count as 0).",
                    column=str(column), rows=list(bad[:5]) or list(raw.index[:1])))
        return problems

    def _other_problems(self) -> list[Problem]:
        params, problems = self.params, []
        if not 0 < params.hdi_prob < 1:
            problems.append(problem("hdi_prob must be between 0 and 1.", "Use e.g. 0.94."))
        if params.period is not None:
            try:
                start, end = (pd.Timestamp(day) for day in params.period)
            except (ValueError, TypeError):
                return [*problems, problem(f"period={params.period!r} is not two dates.",
                                           "Write it like ('2024-07-01', '2024-12-29').")]
            dates = pd.to_datetime(self.data.data[self.data.roles.date])
            if start > end or not ((dates >= start) & (dates <= end)).any():
                problems.append(problem(
                    f"The period {params.period[0]} to {params.period[1]} holds no period of "
                    "the model's data.",
                    f"Pick dates between {dates.min().date()} and {dates.max().date()}, or "
                    "period=None for the whole fitted period.", column=self.data.roles.date))
        return problems

    def code(self) -> CodeChunk:
        """The cell: multi-touch functions, credit per method, MMM shares and flags."""
        params = self.params
        source = params.journeys
        lines: list[str] = [*source.code_lines()]
        if source.kind == "frame":
            lines.append(f"# Expects the touch table `{source.name}` (the DataFrame given to "
                         "the workflow) to be defined")
        lines += ["", *function_lines(params.models, params.custom_rules)]
        lines += self._credit_lines()
        lines += self._share_lines()
        models = ", ".join(params.models)
        platform = " and platform-reported conversions" if params.has_platform else ""
        comment = (f"Attribution: share of credit per channel, MMM ({params.hdi_prob:.0%} "
                   f"interval) vs {models}{platform}")
        return CodeChunk(comment=comment, lines=tuple(lines),
                         imports=("import arviz as az", "import numpy as np",
                                  "import pandas as pd", "import xarray as xr"),
                         title=self.title)

    def _credit_lines(self) -> list[str]:
        params = self.params
        cut = [f"user={literal(params.user)}", f"time={literal(params.time)}",
               f"channel={literal(params.channel)}", f"conversion={literal(params.conversion)}"]
        if params.value is not None:
            cut.append(f"value={literal(params.value)}")
        if params.lookback is not None:
            cut.append(f"lookback={literal(params.lookback)}")
        if params.grouping:
            cut.append(f"grouping={literal(dict(params.grouping))}")
        lines = [f"mta_touches, mta_journeys = cut_journeys({params.journeys.name}, "
                 f"{', '.join(cut)})",
                 f"mta_weight = mta_journeys[{literal(params.weight)}]",
                 "mta_credit = pd.DataFrame({"]
        for model in params.models:
            lines.append(f"    {literal(model)}: {self._model_call(model)},")
        lines += ["}).fillna(0.0).sort_index()"]
        return lines

    def _model_call(self, model: str) -> str:
        params = self.params
        if model == "markov":
            return "markov_credit(mta_touches, mta_journeys, mta_weight)"
        if model == "shapley":
            return "shapley_credit(mta_touches, mta_weight)"
        if model == "logistic":
            return "logistic_credit(mta_touches, mta_journeys, mta_weight)"
        extra = ""
        custom = {rule.name: rule for rule in params.custom_rules}
        if model in custom:
            rule = custom[model]
            if rule.half_life is not None:
                extra = f", half_life={literal(rule.half_life)}"
            shares = (float(rule.first), float(rule.middle), float(rule.last))
            return (f"rule_credit(mta_touches, mta_weight, 'custom'{extra}, "
                    f"shares={literal(shares)})")
        if model == "time_decay":
            extra = f", half_life={literal(params.half_life)}"
        elif model == "last_non_direct" and params.direct_channel is not None:
            extra = f", direct_channel={literal(params.direct_channel)}"
        return f"rule_credit(mta_touches, mta_weight, {literal(model)}{extra})"

    def _share_lines(self) -> list[str]:
        params = self.params
        lines = [
            "# Journey labels -> model channels; labels not in the map (e.g. direct, e-mail) "
            "get no share",
            f"channel_map = {literal(dict(params.channel_map))}",
            f"model_channels = {literal(list(self.channels))}",
            "attribution_credit = mta_credit.groupby(mta_credit.index.map(channel_map)).sum()"
            ".reindex(model_channels, fill_value=0.0)",
        ]
        if params.platform_columns:
            lines += self._platform_row_lines()
        if params.has_platform:
            entries = [f"{literal(channel)}: {literal(float(number))}"
                       for channel, number in params.platform.items()
                       if channel not in params.platform_columns]
            entries += [f"{literal(channel)}: float(platform_rows[{literal(column)}].sum())"
                        for channel, column in params.platform_columns.items()]
            lines.append(f"attribution_credit[{literal(PLATFORM)}] = pd.Series("
                         f"{{{', '.join(entries)}}}, dtype='float64')"
                         ".reindex(model_channels, fill_value=0.0)")
        lines += [
            "attribution_share = attribution_credit / attribution_credit.sum()",
            "# MMM: share of total media contribution in each posterior draw",
            "mmm_media = mmm.data.get_channel_contributions(original_scale=True)",
        ]
        if params.period is not None:
            lines.append(f"mmm_media = mmm_media.sel(date=slice({literal(params.period[0])}, "
                         f"{literal(params.period[1])}))  # the periods the journeys cover")
        lines += [
            "mmm_media = mmm_media.sum([d for d in mmm_media.dims "
            "if d not in ('chain', 'draw', 'channel')])",
            "mmm_media_share = mmm_media / mmm_media.sum('channel')",
            f"mmm_media_hdi = az.hdi(mmm_media_share.rename('mmm_media_share'), "
            f"prob={literal(float(params.hdi_prob))})",
            "attribution = pd.DataFrame({",
            "    'mmm_share': mmm_media_share.mean(('chain', 'draw')).to_series(),",
            "    'mmm_share_hdi_low': mmm_media_hdi.sel(ci_bound='lower').to_series(),",
            "    'mmm_share_hdi_high': mmm_media_hdi.sel(ci_bound='upper').to_series(),",
            "}).reindex(model_channels)",
            "attribution = attribution.join(attribution_share.add_suffix('_share'))",
            *self._covered_lines(),
            "# Influenced -> incremental: each method's shares of the MMM's contribution of the "
            "channels it covers",
            "attribution['mmm_incremental'] = mmm_media.mean(('chain', 'draw')).to_series()"
            ".reindex(model_channels)",
            "channel_incremental = mmm_split(attribution_share, mmm_covered)",
            "for method in attribution_share.columns:",
            "    attribution[f'{method}_incremental'] = channel_incremental[0][method]",
            "    attribution[f'{method}_incremental_hdi_low'] = channel_incremental[1][method]",
            "    attribution[f'{method}_incremental_hdi_high'] = channel_incremental[2][method]",
            "attribution.index.name = 'channel'",
            *self._calibrated_lines(),
        ]
        return lines

    def _covered_lines(self) -> list[str]:
        """Code comparing each method with the MMM over the channels the method covers.

        A method spreads its credit over the channels it sees: the journeys' channels (for
        platform numbers, the channels they are given for). Its shares are compared with the
        MMM's contribution renormalised over those channels in each posterior draw, and
        ``mmm_split`` (one rule for channels and journey labels) restates credit as
        fractions of the MMM's contribution per draw, with the HDI of those draws.
        """
        params = self.params
        prob = literal(float(params.hdi_prob))
        lines = [
            "# Like with like: each method against the MMM's contribution of the channels it "
            "covers (the journeys'",
            "# channels; platform numbers: the channels they are given for), renormalised in "
            "each posterior draw",
            "journey_channels = set(mta_credit.index.map(channel_map).dropna())",
            "method_channels = pd.DataFrame({method: [c in journey_channels for c in "
            "model_channels] for method in mta_credit.columns}, index=model_channels)",
        ]
        if params.has_platform:
            given = [c for c in self.channels
                     if c in params.platform or c in params.platform_columns]
            lines.append(f"method_channels[{literal(PLATFORM)}] = [c in {literal(given)} "
                         "for c in model_channels]")
        lines += [
            "method_channels = method_channels.rename_axis(index='channel', columns='method')",
            "mmm_covered = (mmm_media * xr.DataArray(method_channels)).sum('channel')",
            "mmm_like_share = (mmm_media / mmm_covered).rename('mmm_like_share')",
            f"mmm_like_hdi = az.hdi(mmm_like_share, prob={prob})",
            "mmm_like = [v.transpose('channel', 'method').to_pandas().reindex(model_channels)"
            ".where(method_channels) for v in (mmm_like_share.mean(('chain', 'draw')), "
            "mmm_like_hdi.sel(ci_bound='lower'), mmm_like_hdi.sel(ci_bound='upper'))]",
            "for method in attribution_share.columns:",
            "    attribution[f'{method}_mmm'] = mmm_like[0][method]",
            "    attribution[f'{method}_mmm_hdi_low'] = mmm_like[1][method]",
            "    attribution[f'{method}_mmm_hdi_high'] = mmm_like[2][method]",
            "for method in attribution_share.columns:",
            "    method_share = attribution[f'{method}_share']",
            "    attribution[f'{method}_outside'] = (method_share < attribution[f'{method}_mmm_"
            "hdi_low']) | (method_share > attribution[f'{method}_mmm_hdi_high'])",
            "",
            "",
            "def mmm_split(fraction, contribution):",
            "    \"\"\"Credit in incremental units: fractions (rows x methods) of the MMM's "
            "contribution, per draw.\"\"\"",
            "    draws = xr.DataArray(fraction.rename_axis(index='row', columns='method')) * "
            "contribution",
            f"    hdi = az.hdi(draws.rename('incremental'), prob={prob})",
            "    return [v.transpose('row', 'method').to_pandas().reindex(index=fraction.index, "
            "columns=fraction.columns)",
            "            for v in (draws.mean(('chain', 'draw')), hdi.sel(ci_bound='lower'), "
            "hdi.sel(ci_bound='upper'))]",
            "",
            "",
        ]
        return lines

    def _calibrated_lines(self) -> list[str]:
        """Code splitting each channel's MMM contribution over its journey labels."""
        return [
            "# MMM-calibrated credit per journey label (e.g. a campaign): each channel's MMM "
            "contribution",
            "# split over the labels mapped to it in proportion to their multi-touch credit",
            "label_channel = pd.Series(mta_credit.index.map(channel_map), "
            "index=mta_credit.index)",
            "label_credit = mta_credit[label_channel.notna()]",
            "label_channel = label_channel[label_channel.notna()]",
            "label_fraction = (label_credit / label_credit.groupby(label_channel)"
            ".transform('sum')).fillna(0.0)",
            "label_media = mmm_media.sel(channel=list(label_channel)).rename(channel='row')"
            ".assign_coords(row=list(label_channel.index))",
            "label_incremental = mmm_split(label_fraction, label_media)",
            "calibrated = label_fraction.stack().rename('fraction').reset_index()",
            "calibrated.columns = ['label', 'method', 'fraction']",
            "calibrated.insert(1, 'channel', calibrated['label'].map(channel_map))",
            "calibrated['credit'] = label_credit.stack().to_numpy()",
            "calibrated['incremental'] = label_incremental[0].stack().to_numpy()",
            "calibrated['incremental_hdi_low'] = label_incremental[1].stack().to_numpy()",
            "calibrated['incremental_hdi_high'] = label_incremental[2].stack().to_numpy()",
        ]

    def _platform_row_lines(self) -> list[str]:
        """Rows of the raw table in the compared periods, to sum platform columns over."""
        params, data = self.params, self.data_params
        assert data is not None
        raw = data.source.name
        dates = to_datetime_code(f"{raw}[{literal(data.date)}]", data.date_format)
        lines = ["# Platform-reported conversions: columns of the raw data, summed over the "
                 "compared periods",
                 f"platform_dates = {dates}"]
        if params.period is not None:
            lines.append(f"platform_rows = {raw}[(platform_dates >= {literal(params.period[0])})"
                         f" & (platform_dates <= {literal(params.period[1])})]")
        else:
            lines.append(f"platform_rows = {raw}")
        return lines

    def read_results(self, namespace: dict[str, Any]) -> AttributionResult:
        """The comparison table, the raw multi-touch credit and notes on the gaps."""
        params = self.params
        table, credit = namespace["attribution"], namespace["mta_credit"]
        mapped = {label: params.channel_map[label] for label in credit.index
                  if label in params.channel_map}
        unmapped = tuple(str(label) for label in credit.index if label not in mapped)
        unseen = tuple(c for c in self.channels if c not in set(mapped.values()))
        notes = []
        if unseen:
            notes.append(f"{_join(unseen)} {'has' if len(unseen) == 1 else 'have'} no touches "
                         "in the journeys, so every multi-touch method gives "
                         f"{'it' if len(unseen) == 1 else 'them'} 0 %; the MMM sees offline "
                         "channels too.")
        if unmapped:
            left = credit.loc[list(unmapped)].sum() / credit.sum()
            what = "is not a channel" if len(unmapped) == 1 else "are not channels"
            notes.append(f"{_join(unmapped)} {what} of the model: {left.min():.0%} to "
                         f"{left.max():.0%} of the multi-touch credit is left out of the "
                         "shares.")
        missing = [k for k in params.channel_map if k not in set(map(str, credit.index))]
        if missing:
            notes.append(f"channel_map entries not found in the journeys: {_join(missing)}.")
        empty = [m for m in params.methods if not table[f"{m}_share"].notna().all()]
        if empty:
            notes.append(f"{_join(empty)} gave no credit to any mapped channel; "
                         "its shares are empty.")
        draws = namespace["mmm_media_share"].sizes
        if draws.get("chain", 1) * draws.get("draw", 1) == 1:
            notes.append("The MMM was fitted by MAP (a point estimate): its interval is a "
                         "single point, so every difference is flagged. Fit with MCMC for "
                         "real intervals.")
        if params.period is not None:
            notes.append(f"MMM shares are over {params.period[0]} to {params.period[1]}, the "
                         "periods the journeys cover.")
        else:
            notes.append("MMM shares are over the whole fitted period; the journeys may cover "
                         "less (pass period=(first, last date) to match).")
        return AttributionResult(table=table, credit=credit, unmapped=unmapped, unseen=unseen,
                                 notes=tuple(notes), calibrated=namespace["calibrated"])



def _join(items: Sequence[object]) -> str:
    names = [str(item) for item in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def function_lines(models: Sequence[str], custom_rules: Sequence[RuleParams] = ()
                   ) -> list[str]:
    """Source of the multi-touch functions the models need, as cell lines."""
    names = ["cut_journeys"]
    custom = {rule.name for rule in custom_rules}
    for model in models:
        name = "rule_credit" if model in custom else cell.FUNCTIONS[model]
        if name not in names:
            names.append(name)
    lines: list[str] = []
    for name in names:
        lines += inspect.getsource(getattr(cell, name)).rstrip().splitlines()
        lines.append("")
    return lines

