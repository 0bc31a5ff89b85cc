"""Cross-channel analysis of journeys: flows between channels, top paths, pairwise lift.

The step reads a touch table only -- no fitted model -- usually the attribution step's,
with its columns, look-back, grouping and channel map. It computes

* the **flows** between channels by touch position, for a Sankey
  (:func:`mmm_widgets.mta.flows.flow_links`);
* the **top paths** with their journeys, conversions and conversion rate
  (:func:`mmm_widgets.mta.flows.path_table`);
* each pair of channels' **lift** over independent (noisy-OR) effects, with an interval at
  the workflow's level: synergy above 1, cannibalization below
  (:func:`mmm_widgets.mta.synergy.pair_synergy`).

Its code cell is plain pandas / numpy / arviz: ``cut_journeys`` of the attribution cell
and the three functions above are copied into it, and the step runs exactly that cell.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mmm_widgets import settings
from mmm_widgets.codegen import CodeChunk, literal
from mmm_widgets.errors import DataError, Problem, problem
from mmm_widgets.mta import flows, synergy
from mmm_widgets.mta.flows import read_touches
from mmm_widgets.steps.attribution import (
    AttributionStep,
    JourneysStep,
    cell,
    journey_columns,
    setting_changes,
    suggest_channel_map,
)
from mmm_widgets.steps.base import Params
from mmm_widgets.steps.journeys import clean_mapping, labels, time_problems
from mmm_widgets.steps.source import Source, read_source
from mmm_widgets.wording import listed

JOURNEYS_FILE = "synergy_journeys.parquet"
COLUMN_ROLES = ("user", "time", "channel", "conversion")
#: Names the exported cell defines: a touch table bound to one of them would be overwritten.
CELL_NAMES = ("az", "np", "pd", "cut_journeys", "flow_links", "path_table", "pair_synergy",
              "synergy_touches", "synergy_journeys", "synergy_converted", "synergy_flows",
              "synergy_paths", "synergy")
#: Options of :meth:`Workflow.synergy` besides the table, look-back, grouping and map;
#: ``value`` is accepted so attribution settings can be passed as they are (lift is
#: about conversions, so it is not used).
OPTIONS = ("user", "time", "channel", "conversion", "value", "hdi_prob", "draws",
           "random_seed", "min_journeys", "max_steps", "top", "name")
# Settings of this step alone, kept when the journeys come from the attribution step.
_OWN_SETTINGS = ("draws", "random_seed", "min_journeys", "max_steps", "top")


@dataclass(frozen=True)
class SynergyParams(Params):
    """Parameters of the cross-channel step.

    Parameters
    ----------
    journeys : Source
        The touch table: a DataFrame bound to ``journeys.name`` or a file to read.
    user, time, channel, conversion : str
        Columns of the user id, the time of the touch, the channel label and the
        conversion flag (True/False or 1/0 on the converting touch).
    lookback : str or float, optional
        Touches longer than this before the end of their journey are left out (``"30D"``).
    grouping : dict
        Journey label -> group label, applied first.
    channel_map : dict
        Journey label (after ``grouping``) -> the name to show (the model channel);
        labels not in the map keep their own name.
    hdi_prob : float
        Probability mass of the lift's interval.
    draws : int
        Draws of each cell's conversion rate.
    random_seed : int
        Seed of the draws.
    min_journeys : int
        Pairs with fewer journeys than this in any cell are flagged.
    max_steps : int
        Touch positions the flows show (longer journeys: first steps and last touch).
    top : int
        Paths listed.
    """

    journeys: Source
    user: str
    time: str
    channel: str
    conversion: str
    lookback: str | float | None = None
    grouping: dict[str, str] = field(default_factory=dict)
    channel_map: dict[str, str] = field(default_factory=dict)
    hdi_prob: float = field(default_factory=lambda: settings.interval())
    draws: int = 4000
    random_seed: int = 42
    min_journeys: int = 30
    max_steps: int = 4
    top: int = 10


@dataclass
class SynergyResult:
    """What the cross-channel step produced.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per pair of channels: cells, rates, ``expected``, ``lift`` with its HDI,
        ``few_journeys`` and ``verdict`` (see :func:`mmm_widgets.mta.synergy.pair_synergy`).
    flows : pandas.DataFrame
        ``source, target, journeys`` between step-channel nodes and the outcomes.
    paths : pandas.DataFrame
        ``path, journeys, conversions, conversion_rate, share_of_conversions``.
    journeys : int
        Journeys in all.
    conversions : int
        Converting journeys.
    notes : tuple of str
        Plain-language remarks.
    """

    table: pd.DataFrame
    flows: pd.DataFrame
    paths: pd.DataFrame
    journeys: int
    conversions: int
    notes: tuple[str, ...] = ()


class SynergyStep(JourneysStep):
    """Flows, top paths and pairwise lift of the journeys' channels.

    Parameters
    ----------
    params : SynergyParams
    journeys : pandas.DataFrame, optional
        The touch table, for a ``"frame"`` source; it is bound to the source's name in
        the namespace the code runs in.
    """

    kind = "synergy"
    call = "wf.synergy"

    params: SynergyParams

    def __init__(self, params: SynergyParams, journeys: pd.DataFrame | None = None):
        super().__init__(params)
        self.journeys = journeys

    def validate(self, namespace: dict[str, Any]) -> None:
        """Check the touch table, the options and that two channels are left to pair.

        Raises
        ------
        DataError
            Listing every problem, each with its column and fix.
        """
        params, frame = self.params, self.frame()
        touches, _ = read_touches(frame, params.user, params.time, params.channel,
                                  params.conversion, lookback=params.lookback,
                                  grouping=params.grouping or None,
                                  problems=_option_problems(params))
        problems = time_problems(frame[params.time], str(params.time))
        bad = [label for label, name in params.channel_map.items() if not isinstance(name, str)
               or not name.strip()]
        problems += [problem(f"channel_map gives {label!r} the name {params.channel_map[label]!r}"
                             ", which is not a label.", "Map each journey label to a channel "
                             "name (text).", column=str(params.channel)) for label in bad]
        shown = {params.channel_map.get(str(label), str(label))
                 for label in touches["channel"].unique()}
        if len(shown) < 2 and not bad:
            problems.append(problem(
                f"The journeys touch only one channel ({', '.join(sorted(shown))}) after "
                "grouping and mapping, so there is no pair to compare.",
                "Pass journeys with touches of two channels or more, or a grouping / "
                "channel_map that keeps them apart.", column=str(params.channel)))
        if problems:
            raise DataError(problems)

    def code(self) -> CodeChunk:
        """The cell: the journey functions, then flows, top paths and pairwise lift."""
        params = self.params
        source = params.journeys
        lines: list[str] = [*source.code_lines()]
        if source.kind == "frame":
            lines.append(f"# Expects the touch table `{source.name}` (the DataFrame given to "
                         "the workflow) to be defined")
        lines.append("")
        for function in (cell.cut_journeys, flows.flow_links, flows.path_table,
                         synergy.pair_synergy):
            lines += [*inspect.getsource(function).rstrip().splitlines(), ""]
        cut = [f"user={literal(params.user)}", f"time={literal(params.time)}",
               f"channel={literal(params.channel)}", f"conversion={literal(params.conversion)}"]
        if params.lookback is not None:
            cut.append(f"lookback={literal(params.lookback)}")
        if params.grouping:
            cut.append(f"grouping={literal(dict(params.grouping))}")
        lines.append(f"synergy_touches, synergy_journeys = cut_journeys({source.name}, "
                     f"{', '.join(cut)})")
        if params.channel_map:
            lines += ["# Journey labels -> model channels (labels not in the map keep their name)",
                      "synergy_touches['channel'] = synergy_touches['channel'].replace("
                      f"{literal(dict(params.channel_map))})"]
        lines += [
            "synergy_converted = synergy_journeys['conversions'].to_numpy()",
            f"synergy_flows = flow_links(synergy_touches, synergy_converted, "
            f"max_steps={literal(int(params.max_steps))})",
            f"synergy_paths = path_table(synergy_touches, synergy_converted, "
            f"n={literal(int(params.top))})",
            "# Lift of each pair over independent (noisy-OR) effects: > 1 synergy, "
            "< 1 cannibalization",
            f"synergy = pair_synergy(synergy_touches, synergy_converted, "
            f"hdi_prob={literal(float(params.hdi_prob))}, draws={literal(int(params.draws))}, "
            f"random_seed={literal(int(params.random_seed))}, "
            f"min_journeys={literal(int(params.min_journeys))})",
        ]
        comment = (f"Cross-channel: journey flows over {params.max_steps} steps, top "
                   f"{params.top} paths and each pair's lift ({params.hdi_prob:.0%} interval)")
        return CodeChunk(comment=comment, lines=tuple(lines),
                         imports=("import arviz as az", "import numpy as np",
                                  "import pandas as pd"), title=self.title)

    def read_results(self, namespace: dict[str, Any]) -> SynergyResult:
        """The pair table, flows and paths, with notes on how to read them."""
        params = self.params
        table = namespace["synergy"]
        touches, journeys = namespace["synergy_touches"], namespace["synergy_journeys"]
        lengths = np.bincount(touches["journey"].to_numpy())
        notes = []
        longer = int((lengths > params.max_steps).sum())
        if longer:
            notes.append(f"{longer:,} journeys have more than {params.max_steps} touches: the "
                         f"flows show their first {params.max_steps - 1} and their last "
                         "touch.")
        few = table.loc[table["few_journeys"]]
        if len(few):
            notes.append(f"{_pairs(few)}: fewer than {params.min_journeys} journeys in a cell; "
                         "read the lift with care.")
        unknown = table.loc[table["verdict"].eq("not estimable")]
        if len(unknown):
            notes.append(f"{_pairs(unknown)}: lift not estimable (a cell is empty, or one "
                         "channel alone converts less than neither, which independent effects "
                         "cannot express).")
        notes.append("Journeys are observational: a pair's lift can reflect who gets both "
                     "touches (engaged users see more channels), not what adding a channel "
                     "would cause. A lift test settles that.")
        return SynergyResult(table=table, flows=namespace["synergy_flows"],
                             paths=namespace["synergy_paths"], journeys=len(journeys),
                             conversions=int(journeys["conversions"].sum()), notes=tuple(notes))


def _pairs(rows: pd.DataFrame) -> str:
    names = [f"{a} & {b}" for a, b in zip(rows["channel_a"], rows["channel_b"], strict=True)]
    return f"{len(names)} pair{'s' if len(names) > 1 else ''} ({listed(names, 4)})"


def _option_problems(params: SynergyParams) -> list[Problem]:
    problems = []
    if not isinstance(params.hdi_prob, int | float) or isinstance(params.hdi_prob, bool) or \
            not 0 < params.hdi_prob < 1:
        problems.append(problem(f"hdi_prob={params.hdi_prob!r} is not a probability between 0 "
                                "and 1.", "Use e.g. 0.94."))
    lowest = {"draws": synergy.MIN_DRAWS, "random_seed": 0, "min_journeys": 0, "max_steps": 1,
              "top": 1}
    for name, bound in lowest.items():
        value = getattr(params, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < bound:
            problems.append(problem(f"{name}={value!r} is not a whole number of {bound} or more.",
                                    f"Pass e.g. {name}={max(bound, 4)}."))
    return problems


# ----- building parameters from what the user passed ------------------------------------
def build_params(attribution: AttributionStep | None, previous: SynergyStep | None,
                 channels: Sequence[str], journeys: pd.DataFrame | None, source: Source | None,
                 channel_map: Mapping[str, str] | None, lookback: Any,
                 grouping: Mapping[str, str] | None, options: dict[str, Any],
                 interval: float) -> tuple[SynergyParams, pd.DataFrame | None]:
    """Parameters from the arguments of :meth:`Workflow.synergy`, filling in suggestions.

    Without a table, the attribution step's table and settings (columns, look-back,
    grouping, channel map) are used, else the previous cross-channel step's; this step's
    own settings (draws, seed, steps, paths) are kept from its previous run. With a table,
    columns are guessed from its names and the channel map is suggested from the model's
    ``channels``. Whatever is passed replaces what would be used; ``hdi_prob`` defaults
    to ``interval``.

    Returns
    -------
    (SynergyParams, pandas.DataFrame or None)
        The parameters and the touch table (None for a file source read later).

    Raises
    ------
    DataError
        For unknown options, no journeys at all, and columns nothing looks like.
    """
    unknown = [key for key in options if key not in OPTIONS]
    if unknown:
        raise DataError(problem(f"Unknown option {', '.join(map(repr, unknown))}.",
                                f"Use {', '.join(OPTIONS)}, channel_map, lookback or grouping."))
    options = {key: value for key, value in options.items() if key not in ("name", "value")}
    options.setdefault("hdi_prob", interval)
    if journeys is None and source is None:
        if attribution is None and previous is None:
            raise DataError(problem(
                "No journeys to analyse.", "Pass the touch table: wf.synergy(journeys=df), or "
                "run wf.attribution(journeys) first and its table is used."))
        if attribution is not None:
            given = attribution.params
            base = SynergyParams(journeys=given.journeys, user=given.user, time=given.time,
                                 channel=given.channel, conversion=given.conversion,
                                 lookback=given.lookback, grouping=dict(given.grouping),
                                 channel_map=dict(given.channel_map))
            if previous is not None:
                base = base.replace(**{key: getattr(previous.params, key)
                                       for key in _OWN_SETTINGS})
            frame = attribution.journeys
        else:
            base, frame = previous.params, previous.journeys
        changes = setting_changes(options, channel_map, grouping, lookback, map_values=True)
        return base.replace(**changes), frame
    if source is None:
        raise ValueError("a new touch table needs its source")
    frame = journeys if journeys is not None else read_source(source)
    chosen = journey_columns(frame, options, COLUMN_ROLES, required=COLUMN_ROLES)
    groups = clean_mapping(grouping)
    if channel_map is None:
        channel_map = suggest_channel_map(labels(frame, chosen["channel"], groups), channels) \
            if channels else {}
    params = SynergyParams(journeys=source, **chosen, lookback=lookback, grouping=groups,
                           channel_map=clean_mapping(channel_map), **options)
    return params, journeys
