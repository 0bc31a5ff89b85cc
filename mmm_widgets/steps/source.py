"""Where the raw data comes from, the code that loads it, and what to do when it reads badly."""

from __future__ import annotations

import builtins
import contextlib
import inspect
import io
import keyword
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from mmm_widgets.codegen import literal
from mmm_widgets.errors import DataError, Problem, problem
from mmm_widgets.steps.base import Params
from mmm_widgets.steps.components import ADSTOCKS, SATURATIONS
from mmm_widgets.steps.nested import nested_columns, records_key, records_line
from mmm_widgets.steps.read_options import (
    COMPRESSED_SUFFIXES,
    SEPARATORS,
    better_options,
    describe_options,
    open_bytes,
    text_encoding,
)
from mmm_widgets.steps.rows import second_header
from mmm_widgets.steps.sheets import (
    ALIKE_SHEETS,
    SHEET_COLUMN,
    missing_columns,
    missing_note,
    reads_every_sheet,
    sheets_like_the_first,
    stacked_sheets_option,
    stacking_lines,
    workbook_engine,
)

SOURCE_KINDS = ("frame", "csv", "excel", "parquet", "json")
#: The pandas reader of each kind of file.
READERS = {"csv": "read_csv", "excel": "read_excel", "parquet": "read_parquet",
           "json": "read_json"}
#: Files read other than as CSV (text of any separator), by the end of their name.
FILE_KINDS = {".xlsx": "excel", ".xlsm": "excel", ".xls": "excel", ".xlsb": "excel",
              ".ods": "excel", ".parquet": "parquet", ".pq": "parquet", ".json": "json",
              ".jsonl": "json", ".ndjson": "json"}
# Names bound by the overview, attribution, synergy and budget cells, by interaction
# terms and by day-of-week indicators (tests/test_reserved_names.py finds any new one).
_LATER_STEP_NAMES = (
    'attribution', 'attribution_credit', 'attribution_share', 'below', 'bounds',
    'budget_allocation', 'calibrated', 'channel', 'channel_incremental', 'channel_map',
    'channels', 'current', 'curve', 'curve_draws', 'curve_hdi', 'curve_spend',
    'cut_journeys', 'dates', 'flow_links', 'high', 'horizon', 'i', 'interaction',
    'interaction_effects', 'interaction_hdi', 'interaction_pairs', 'interactions',
    'journey_channels', 'label_channel', 'label_credit', 'label_fraction',
    'label_incremental', 'label_media', 'low', 'margin', 'marginal_roas', 'markov_credit',
    'mean', 'method', 'method_channels', 'method_share', 'mmm_covered', 'mmm_like',
    'mmm_like_hdi', 'mmm_like_share', 'mmm_media', 'mmm_media_hdi', 'mmm_media_share',
    'mmm_split', 'model_channels', 'mta_credit', 'mta_journeys', 'mta_touches',
    'mta_weight', 'name', 'no_spend', 'optimization', 'optimized', 'optimized_contribution',
    'optimized_hdi', 'optimizer', 'outcome', 'outcomes', 'overview_contribution',
    'overview_draws', 'overview_hdi', 'overview_margin', 'overview_marginal',
    'overview_marginal_draws', 'overview_marginal_hdi', 'overview_samples',
    'overview_spend', 'overview_table', 'overview_target', 'overview_total_spend',
    'overview_trend', 'overview_with_total', 'pair_contribution', 'pair_synergy',
    'past_spend', 'path_table', 'per_period', 'periods', 'plan_contribution', 'plan_spend',
    'points', 'response_curves', 'rule_credit', 'run_rate', 'scenario_rows',
    'scenario_table', 'scenarios', 'shapley_credit', 'slope', 'synergy',
    'synergy_converted', 'synergy_flows', 'synergy_journeys', 'synergy_paths',
    'synergy_touches', 'threshold', 'threshold_spend', 'total', 'utility', 'weekdays', 'x',
    # the budget cell's check of the optimizer's plan
    'budget_bounds', 'checked_optimum', 'MinimizeException', 'best_allocation',
    # the budget cell with a risk-aware objective
    'of_the_plan', 'ptx', 'risk_optimizer',
    # the budget cell's what-if grid and the what-if cell
    'cell_draws', 'interpolate', 'past_max', 'what_if', 'what_if_base_draws',
    'what_if_base_nodes', 'what_if_budget', 'what_if_cells', 'what_if_draws', 'what_if_hdi',
    'what_if_mean', 'what_if_nodes', 'what_if_rows', 'what_if_samples', 'what_if_spend',
    'what_if_spends', 'what_if_stacked', 'what_if_top', 'with_nodes',
    # the budget and plan cells' end date for pymc-marketing (budget/window.py)
    'horizon_end', 'horizon_end_lags', 'horizon_end_carried', 'plan_end', 'plan_end_lags',
    'plan_end_carried',
    # the data cell after a refresh
    'new_rows',
    # the plan cell (issue #19)
    'plan_added', 'plan_after', 'plan_allocation', 'plan_axis', 'plan_band', 'plan_baseline',
    'plan_bounds', 'plan_budget_bounds', 'plan_calendar', 'plan_checked_optimum',
    'plan_best_allocation',
    'plan_carry_in', 'plan_carry_over',
    'plan_cell_draws', 'plan_cells', 'plan_channel', 'plan_channels',
    'plan_control_columns', 'plan_control_dates', 'plan_control_means', 'plan_controls',
    'plan_current', 'plan_dates', 'plan_draws', 'plan_forecast', 'plan_gap', 'plan_geos',
    'plan_hdi', 'plan_high', 'plan_in_window', 'plan_low', 'plan_media', 'plan_mu',
    'plan_optimization', 'plan_optimized', 'plan_optimizer', 'plan_past_spend',
    'plan_pattern', 'plan_periods', 'plan_predicted', 'plan_share', 'plan_shares',
    'plan_spends', 'plan_summary', 'plan_tail', 'plan_target_scale', 'plan_total',
    'plan_weights', 'plan_window', 'plan_with', 'plan_without', 'plan_allocate', 'plan_cap',
    'plan_target', 'plan_base', 'plan_adds', 'plan_meets', 'plan_open', 'plan_lowest',
    'plan_highest', 'plan_mid', 'plan_try', 'plan_value', 'plan_target_value',
    'plan_target_met', 'plan_contribution_mean', 'plan_current_budgets', 'plan_even',
    'plan_current_optimizer', 'plan_current_with', 'plan_current_added', 'plan_current_draws',
    'plan_current_mu', 'plan_scores', 'plan_scores_by_name', 'plan_reference',
    'plan_current_effect', 'plan_current_outcome', 'plan_compared', 'plan_name', 'plan_score',
    'plan_comparison_rows', 'plan_row_spend', 'plan_effect', 'plan_outcome', 'plan_gain',
    'plan_effect_hdi', 'plan_gain_hdi', 'plan_outcome_hdi', 'plan_is_current',
    'plan_comparison',
    # the plan's future controls
    'plan_year_before', 'plan_given', 'plan_scaling', 'plan_unscaling', 'plan_future_controls',
    # the model search (issue #20; its search_model_<n> functions too, see is_safe_name)
    'search_models', 'search_grid', 'search_fold', 'search_cv', 'search_splits',
    'search_client', 'search_data', 'search_futures', 'search_rows', 'search_errors',
    'search_scores', 'search_failures', 'search_roas_spread', 'search_roas', 'search_scored',
    'search_by_candidate', 'search_points', 'ranked', 'candidate', 'fold', 'error',
    'Client', 'LocalCluster', 'get_client',
    # cross-validation on Dask
    'cv_fold_run', 'cv_client', 'cv_futures', 'cv_results', 'cv_fold_scores',
)
#: Names the exported code binds or imports: a raw frame bound to one of them would be
#: overwritten by a later cell (``data = data[...]`` then ``X = data...``).
RESERVED_NAMES = frozenset({
    "pd", "np", "az", "xr", "pytensor", "MMM", "Prior",
    "data", "wide", "spend", "X", "y", "mmm", "contribution", "roas", "share",
    "contribution_hdi", "roas_hdi", "channel_summary", "fitted_dates", "tail_dates",
    "carryover_past_data", "carryover_as_spent", "incremental_contribution", "incremental_within",
    "Incrementality",
    "full_posterior", "values_per_draw", "draws_per_slice", "slice_results", "first_draw",
    "sliced_idata", "slice_result",
    "summary_draws", "recent", "future",
    "tail", "within", "indicators", "week_days",
    "contribution_window", "draws", "lift_tests", "control_transform",
    "prior", "target_scale", "prior_y", "ppc", "predicted", "bands", "fit_frame", "observed",
    "residual", "actual", "mape", "nrmse", "by_date", "centred", "autocorrelation", "rows",
    "prior_posterior", "keep", "traces", "decomposition", "totals", "convergence",
    "sample_stats", "divergences", "free_parameters", "media_parameters", "sampled",
    "depth_name", "depth_hits", "train", "test", "X_test", "holdout_mmm", "holdout_dates",
    "cv", "crps", "TimeSliceCrossValidator", "cv_frames", "cv_scores", "cv_fold",
    "cv_train_index", "cv_test_index", "cv_train", "cv_test", "cv_mmm", "X_cv_train",
    "y_cv_train", "X_cv_test", "cv_ppc", "cv_predicted", "cv_band", "cv_fold_frame",
    "cv_actual", "cv_observed", "cv_error", "cv_draws", "cv_train_dates", "cv_test_dates",
    "cv_frame", "cv_folds", "cv_mape", "cv_r2", "cv_crps",
    *ADSTOCKS.values(), *SATURATIONS.values(), *_LATER_STEP_NAMES,
})
FALLBACK_NAME = "df"


def is_safe_name(name: object) -> bool:
    """Whether exported code can bind the raw frame to ``name``.

    It must be an identifier, not a keyword or builtin, not private, and not one of
    the names the exported code binds itself (:data:`RESERVED_NAMES`, and the model
    search's ``search_model_<n>``).

    Parameters
    ----------
    name : object
        A candidate variable name.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_safe_name("sales_data"), is_safe_name("data"), is_safe_name("my frame")
    (True, False, False)
    """
    return (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)
            and not keyword.issoftkeyword(name) and not name.startswith("_")
            and name not in RESERVED_NAMES and not hasattr(builtins, name)
            and not name.startswith("search_model_"))


def safe_name(name: object, fallback: str = FALLBACK_NAME) -> str:
    """``name`` if exported code can use it (see :func:`is_safe_name`), else ``fallback``.

    Parameters
    ----------
    name : object
        A candidate variable name.
    fallback : str
        The name to use instead.

    Returns
    -------
    str
    """
    return name if is_safe_name(name) else fallback


def file_kind(path: str | Path) -> str:
    """How a file is read, by the end of its name: ``"excel"``, ``"parquet"``, ``"json"``
    or ``"csv"`` (any other text: ``.csv``, ``.tsv``, ``.txt``, compressed ones too).

    Examples
    --------
    >>> file_kind("sales.XLSM"), file_kind("export.json.gz"), file_kind("weekly.tsv")
    ('excel', 'json', 'csv')
    """
    suffixes = [suffix.lower() for suffix in Path(path).suffixes]
    while suffixes and suffixes[-1] in COMPRESSED_SUFFIXES:
        suffixes.pop()
    return FILE_KINDS.get(suffixes[-1], "csv") if suffixes else "csv"


def not_a_frame_problem(value: object) -> Problem | None:
    """What to pass instead of ``value`` as the raw table; None for a DataFrame.

    Parameters
    ----------
    value : object
        What was given as the raw table.

    Returns
    -------
    Problem or None
    """
    if isinstance(value, pd.DataFrame):
        return None
    given = f"{type(value).__module__}.{type(value).__qualname__}".removeprefix("builtins.")
    if hasattr(value, "to_pandas"):  # polars, pyarrow, cuDF, Ibis
        fix = "Convert it first: df = df.to_pandas(), then mw.Workflow(df)."
    elif isinstance(value, pd.Series):
        fix = ("A Series is one column: give the whole table, with the dates, the target and "
               "the spend as columns: mw.Workflow(df).")
    elif isinstance(value, dict | list | tuple) or hasattr(value, "__array__"):
        fix = ("Make a DataFrame of it, its columns named: df = pd.DataFrame(...), then "
               "mw.Workflow(df).")
    else:
        fix = "Give a pandas DataFrame, or a file's path: mw.Workflow.from_file(path)."
    return problem(f"The table must be a pandas DataFrame or a file's path; this is a {given}.",
                   fix)


@cache
def _reader_parameters(kind: str) -> frozenset[str]:
    reader = getattr(pd, READERS[kind])
    return frozenset(inspect.signature(reader).parameters) - {
        "filepath_or_buffer", "io", "path", "path_or_buf"}


@dataclass(frozen=True)
class Source(Params):
    """The raw table the data step starts from.

    Parameters
    ----------
    kind : {"frame", "csv", "excel", "parquet", "json"}
        A DataFrame already in the user's namespace, or a file to read
        (:func:`file_kind`).
    name : str
        The variable the raw frame is bound to in the exported code.
    path : str, optional
        File to read (every kind but ``"frame"``).
    read_options : dict
        Keyword arguments of the kind's pandas reader (:data:`READERS`); plain values
        only, since they are written into the exported code.
    note : str
        What a reader of the table should know of how the file was read
        (:func:`settle_source`): the options nobody gave and why, the columns some of the
        sheets stacked lack. Shown with the source and written above the read in the
        exported code; empty otherwise.
    """

    kind: str = "frame"
    name: str = FALLBACK_NAME
    path: str | None = None
    read_options: dict[str, Any] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise DataError(problem(f"Unknown source kind {self.kind!r}.",
                                    f"Use one of {', '.join(SOURCE_KINDS)}."))
        if not is_safe_name(self.name):
            raise DataError(problem(
                f"{self.name!r} cannot name the raw table in exported code.",
                "Use a Python identifier that the exported code does not use itself, "
                "e.g. 'df' or 'sales_data'."))
        if self.kind == "frame":
            return
        if not isinstance(self.path, str) or not self.path:
            raise DataError(problem(f"A {self.kind} source needs a file path.",
                                    "Give the path of the file to read."))
        if not isinstance(self.read_options, dict):
            raise DataError(problem("Read options must be keyword arguments.",
                                    "Pass them as e.g. sep=';', decimal=','."))
        problems = [p for key, value in self.read_options.items()
                    if (p := _option_problem(self.kind, key, value)) is not None]
        if problems:
            raise DataError(problems)

    def code_lines(self) -> list[str]:
        """Statements that bind :attr:`name` to the raw frame (none for a frame)."""
        if self.kind == "frame":
            return []
        reader = f"pd.{READERS[self.kind]}"
        given = self.read_options
        if self.kind == "excel" and "engine" not in given:
            engine = workbook_engine(Path(self.path))
            given = {**given, "engine": engine} if engine else given
        options = "".join(f", {key}={literal(value)}" for key, value in given.items())
        comments = [f"# {line}" for line in self.note.splitlines()]
        lines = [*comments, f"{self.name} = {reader}({literal(self.path)}{options})"]
        if self.kind == "excel" and reads_every_sheet(self.read_options):
            lines += stacking_lines(self.name)
        if isinstance(self.read_options.get("header"), list):
            lines += ["# Two header rows: each column named by both ('TV Spend'; pandas "
                      "names an empty header cell 'Unnamed: ...')",
                      *names_by_both_rows(self.name, wrap=True)]
        return lines

    def describe(self) -> str:
        """One line for humans: which frame or file."""
        if self.kind == "frame":
            return f"DataFrame `{self.name}`"
        return f"{self.kind.upper()} file {self.path}"


def names_by_both_rows(frame: str, wrap: bool = False) -> list[str]:
    """Code naming each column of ``frame`` (read with ``header=[0, 1]``) by both rows.

    Parameters
    ----------
    frame : str
        The frame's name in the code.
    wrap : bool
        Split the statement over two lines (for a cell; one line for a message).

    Returns
    -------
    list of str
    """
    # (an empty name: the column a stacking of sheets adds, 'sheet', under no second row)
    joined = ("' '.join(name for name in map(str, names) if name and not "
              "name.startswith('Unnamed:'))")
    loop = f"for names in {frame}.columns]"
    if wrap:
        return [f"{frame}.columns = [{joined}", f"{' ' * (len(frame) + 14)}{loop}"]
    return [f"{frame}.columns = [{joined} {loop}"]


def _option_problem(kind: str, key: object, value: Any) -> Problem | None:
    reader = f"pd.{READERS[kind]}"
    # Keys are written into the exported call as keywords: only the reader's own pass.
    if not isinstance(key, str) or key not in _reader_parameters(kind):
        return problem(f"{key!r} is not an option of {reader}.",
                       f"Use {reader}'s keyword arguments, e.g. sep=';', decimal=',', "
                       "skiprows=2.")
    try:
        literal(value)
    except TypeError:
        return problem(f"The read option {key}={value!r} cannot be written into exported "
                       "code.", "Use plain values (text, numbers, lists, dicts).")
    return None


def read_source(source: Source) -> pd.DataFrame:
    """Run the source's own loading code and return the raw frame.

    Besides failures to read, a read that "works" but gives a table that is obviously
    not the one in the file (a single column whose name holds ``;``, title rows read as
    the header) is an error too, with the read options that give the right table.

    Raises
    ------
    DataError
        When the file cannot be read or reads badly, with the reason and what to try.
    """
    path = _checked_path(source)
    frame = _read_frame(source, path)
    layout = _layout_problem(source, path, frame)
    if layout is not None:
        raise DataError(layout)
    return frame


def settle_source(source: Source) -> tuple[Source, pd.DataFrame | None]:
    """The source with the read options under which its file reads as the table it holds.

    A file that reads as given is left as it is (but for a note when the sheets it stacks
    do not all have the same columns). One that does not (a text encoding other
    than UTF-8, another separator, a title above the header, decimal commas, a header over
    two rows) gets the options that read it, as long as they only add to the options
    given, never change one; the source's :attr:`Source.note` then says which and why.
    A workbook whose sheets hold one table each is left for the user to choose
    (``sheet_name``), since stacking them is a choice about what the rows mean.

    Parameters
    ----------
    source : Source

    Returns
    -------
    (Source, pandas.DataFrame or None)
        The source to use and the table it reads; None when even the options found do
        not read it (:func:`read_source` then says what is wrong and what to try).
    """
    if source.kind == "frame":
        return source, None
    try:
        path = _checked_path(source)
    except DataError:
        return source, None
    added: dict[str, Any] = {}
    # Each fix can reveal the next: the encoding, then a separator, then the header line.
    for _ in range(4):
        trial = source.replace(read_options={**source.read_options, **added})
        frame = None
        with contextlib.suppress(DataError):  # a file that does not read yet: fix it below
            frame = _read_frame(trial, path)
        if frame is not None and _layout_problem(trial, path, frame) is None:
            note = _note(trial, path, added)
            return (trial.replace(note=note) if note else source), frame
        fixes = _next_fixes(trial, path, frame)
        if not fixes or any(key in source.read_options for key in fixes):
            return source, None
        added.update(fixes)
    return source, None


def _note(source: Source, path: Path, added: dict[str, Any]) -> str:
    """What a reader of the table should know of how it was read (empty: nothing)."""
    notes = [describe_options(added)] if added else []
    if source.kind == "excel" and reads_every_sheet(source.read_options):
        missing = missing_columns(path, source.read_options)
        notes += [missing_note(missing)] if missing else []
    return "\n".join(notes)


def _next_fixes(source: Source, path: Path, frame: pd.DataFrame | None) -> dict[str, Any]:
    """The options to try next on a file that does not read (as ``frame``, if it read)."""
    if source.kind == "json":  # one record per line, as BigQuery and log tools export
        return ({"lines": True} if "lines" not in source.read_options and _json_lines(path)
                else {})
    if source.kind == "parquet":  # a Parquet file carries its own schema
        return {}
    if source.kind == "csv" and "encoding" not in source.read_options:
        # First: pandas may stop at a line of another width before a byte it cannot
        # decode, and the separator and header are sniffed from the decoded text.
        encoding = text_encoding(path)
        if encoding not in ("utf-8", "utf-8-sig"):
            return {"encoding": encoding}
    if frame is not None and second_header(frame) is not None and (
            "header" not in source.read_options):
        return {"header": [0, 1]}
    return better_options(source.kind, path, dict(source.read_options))


def _json_lines(path: Path) -> bool:
    """Whether the file's first two lines are each a JSON object (JSON Lines)."""
    with contextlib.suppress(OSError, UnicodeDecodeError, EOFError), io.TextIOWrapper(
            open_bytes(path), encoding="utf-8") as text:
        lines = [line.strip() for _, line in zip(range(2), text, strict=False)]
        return len(lines) == 2 and all(line.startswith("{") and line.endswith("}")
                                       for line in lines)
    return False


def _read_frame(source: Source, path: Path) -> pd.DataFrame:
    """Run the source's loading code: the frame it reads, or a DataError saying why not."""
    namespace: dict[str, Any] = {}
    code = "\n".join(["import pandas as pd", *source.code_lines()])
    try:
        exec(compile(code, "<mmm_widgets: source>", "exec"), namespace)
    except FileNotFoundError as error:
        raise DataError(problem(f"The file {source.path!r} does not exist.",
                                "Check the path (it is relative to the notebook's folder)."
                                )) from error
    except pd.errors.EmptyDataError as error:
        raise DataError(problem(f"The file {source.path!r} holds no table (it is blank).",
                                "Pick the file that holds the data.")) from error
    except pd.errors.ParserError as error:
        raise DataError(_parser_problem(source, path, error)) from error
    except UnicodeDecodeError as error:
        raise DataError(_encoding_problem(source, path)) from error
    except Exception as error:  # every reader failure becomes a message with a fix
        raise DataError(_read_failed(source, error)) from error
    frame = namespace[source.name]
    if not isinstance(frame, pd.DataFrame):
        raise DataError(problem("The source did not give a table.",
                                "Pick a CSV, Excel, Parquet or JSON file."))
    return frame


def _checked_path(source: Source) -> Path:
    text = source.path or ""
    if re.match(r"^[a-z][a-z0-9+.\-]*://", text, re.I):
        raise DataError(problem(f"{text!r} is not a local file.",
                                "Download the file and give its local path."))
    path = Path(text)
    if not path.exists():
        raise DataError(problem(f"The file {text!r} does not exist.",
                                "Check the path (it is relative to the notebook's folder)."))
    if not path.is_file():
        raise DataError(problem(f"{text!r} is not a file (a folder or a device).",
                                "Give the path of a CSV, Excel, Parquet or JSON file."))
    if path.stat().st_size == 0:
        raise DataError(problem(f"The file {text!r} is empty (0 bytes).",
                                "Pick the file that holds the data; it may not have been "
                                "saved or uploaded completely."))
    with path.open("rb") as handle:
        head = handle.read(8)
    workbook = head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))
    # A zipped CSV also starts with PK: only plain text names are judged.
    if source.kind == "csv" and workbook and path.suffix.lower() in (".csv", ".txt", ".tsv"):
        raise DataError(problem(f"The file {text!r} is an Excel workbook, not a CSV.",
                                "Give it an .xlsx (or .xls) name, or export it from Excel "
                                "as CSV."))
    if source.kind == "csv" and head.startswith(b"PAR1"):
        raise DataError(problem(f"The file {text!r} is a Parquet file, not a CSV.",
                                "Give it a .parquet name."))
    if source.kind == "parquet" and not head.startswith(b"PAR1"):
        raise DataError(problem(f"The file {text!r} is not a Parquet file.",
                                "Check that it was written as Parquet (df.to_parquet), or "
                                "give it the name its kind of file has (.csv, .xlsx, .json)."))
    if source.kind == "excel" and not workbook:
        raise DataError(problem(f"The file {text!r} is not an Excel workbook (it looks like "
                                "text, such as a CSV).",
                                "Give it a .csv name (or export it from Excel again as "
                                ".xlsx)."))
    return path


def _records_problem(source: Source, path: Path) -> Problem | None:
    """A JSON file whose rows are a list of records under one key (an API's response):
    the line that reads them; None when it is not one."""
    key = records_key(path)
    if key is None:
        return None
    return problem(
        f"The file {source.path!r} is an API's response: its rows are the records under "
        f"{key!r}, nested.",
        "Read them, one column per value (segments.date, metrics.costMicros): "
        f"{records_line(source.path, key, source.name)}; then map that frame.")


def _read_failed(source: Source, error: Exception) -> Problem:
    text = str(error).splitlines()[0] if str(error) else ""
    reason = f"{type(error).__name__}: {text[:200]}".rstrip(": ")
    if source.kind == "excel":
        fix = ("Check that it is a workbook (.xlsx, .xls, .xlsb or .ods), not a CSV or "
               "another file renamed; open and re-save it in Excel if it is damaged.")
    elif source.kind == "json":
        nested = _records_problem(source, Path(source.path))
        if nested is not None:
            return nested
        fix = ("Check that it holds a table: a list of records ([{\"date\": ..., ...}, ...]), "
               "an object of columns, or one record per line (lines=True).")
    elif source.kind == "parquet":
        fix = "Check that the file is complete; write it again with df.to_parquet if not."
    else:
        fix = ("Check the separator (sep=';'?), the decimal mark (decimal=','?) and header "
               "rows (skiprows=...).")
    return problem(f"The file {source.path!r} could not be read ({reason}).", fix)


def _encoding_problem(source: Source, path: Path) -> Problem:
    head = path.read_bytes()[:4]
    if head.startswith(b"PK") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return problem(f"The file {source.path!r} is an Excel workbook, not a CSV.",
                       "Give it an .xlsx (or .xls) name, or export it from Excel as CSV.")
    given = source.read_options.get("encoding") or "utf-8"
    return problem(f"The file {source.path!r} is not {given} text.",
                   f"Read it with its encoding: encoding={text_encoding(path)!r}.")


def _parser_problem(source: Source, path: Path, error: Exception) -> Problem:
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
    rows = (f"line {found.group(2)}",) if found else ()
    what = (f"Line {found.group(2)} of the file has {found.group(3)} values where the "
            f"lines before it have {found.group(1)}." if found
            else f"The file could not be split into columns ({str(error)[:200]}).")
    options = better_options(source.kind, path, dict(source.read_options))
    if options:
        fix = _read_with(options)
    else:
        fix = ("A value probably contains the separator (such as 1,234 in a comma-separated "
               "file): quote such values, or pass thousands=',' or on_bad_lines='skip'.")
    return Problem(what=what, fix=fix, rows=rows)


def _layout_problem(source: Source, path: Path, frame: pd.DataFrame) -> Problem | None:
    """A table that read without error but plainly not as the file means it."""
    if source.kind == "json" and nested_columns(frame):  # an API's rows, one column of dicts
        return _records_problem(source, path)
    if source.kind in ("parquet", "json"):  # no header rows or separators to get wrong
        return None
    if source.kind == "excel" and "sheet_name" not in source.read_options:
        alike = sheets_like_the_first(path, source.read_options)
        if alike:
            differ = bool(missing_columns(path, {**source.read_options, "sheet_name": alike}))
            return _sheets_problem(alike, stacked_sheets_option(path, alike), differ)
    header = second_header(frame)
    if header is not None and not isinstance(source.read_options.get("header"), list):
        told = ", ".join(repr(cell) for cell in header if cell)
        return problem(
            f"The file's header spans two rows: the first row of data ({told}) names what "
            "the columns under the first header hold.",
            "Read the file with header=[0, 1], which names each column by both rows "
            "('TV Spend'): mw.Workflow.from_file(path, header=[0, 1]) (in the data panel: "
            "set Header rows to 2).", column=str(frame.columns[0]))
    columns = [str(c) for c in frame.columns]
    unnamed = [c for c in columns if c.startswith("Unnamed:")]
    single = source.kind == "csv" and len(columns) == 1 and any(
        s in columns[0] for s in SEPARATORS)
    titled = len(columns) >= 2 and len(unnamed) * 2 >= len(columns)
    if not (single or titled):
        return None
    options = better_options(source.kind, path, dict(source.read_options))
    if single and "," in columns[0] and source.read_options.get("sep", ",") == ",":
        # Read by commas, a header holding commas was quoted whole: each line is one value.
        return _wrapped_lines_problem(path, columns[0])
    if single:
        what = "The file reads as a single column: its separator is not the one used."
        fix = _read_with(options) if options else (
            "Pick the separator the file uses (sep=';', sep='\\t' or sep='|').")
        return problem(what, fix, column=columns[0])
    what = ("Most columns have no name: the header is probably not on the first row "
            "(a title or notes above the table).")
    fix = _read_with(options) if options else (
        "Pass skiprows=<number of rows above the header row>.")
    return problem(what, fix, column=columns[0])


def _wrapped_lines_problem(path: Path, header: str) -> Problem:
    """Each line of a CSV written inside quotes (a table saved as text into one column of
    another): the line that reads the lines, then the table they hold."""
    lines = f"pd.read_csv({str(path)!r}, header=None)[0]"
    return problem(
        "Each line of the file is written inside quotes, so each reads as one value: a "
        "table saved as text into a single column.",
        f"Read the lines, then the table they hold: import io; df = pd.read_csv(io.StringIO("
        f"'\\n'.join({lines}))); then mw.Workflow(df, name='df').", column=header)


def _sheets_problem(alike: list[str], stacked: list[str] | None, differ: bool) -> Problem:
    """Only the first of several sheets of one table was read: how to read them all."""
    shown = ", ".join(repr(sheet) for sheet in alike[:6]) + (", ..." if len(alike) > 6 else "")
    columns = "the first one's columns or most of them" if differ else "the same columns"
    return problem(
        f"The workbook has {len(alike)} sheets with {columns} ({shown}): one table per "
        "sheet, as a workbook with a sheet per market holds it, and only the first was read.",
        f"Read them all, one under another, each row's sheet in a column {SHEET_COLUMN!r} to "
        f"map as the geo: mw.Workflow.from_file(path, sheet_name={literal(stacked)}) (in the "
        f"data panel: Sheet: {ALIKE_SHEETS}); or read one of them: "
        f"sheet_name={alike[1]!r}.")


def _read_with(options: dict[str, Any]) -> str:
    text = ", ".join(f"{key}={literal(value)}" for key, value in options.items())
    return (f"Read the file with {text}: mw.Workflow.from_file(path, {text}) (in the data "
            "panel: set Separator, Decimal and Skip rows, then upload again).")
