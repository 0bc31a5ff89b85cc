"""Journey flows between channels and top paths: hand-counted cases, options, errors, Sankey."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.mta import journey_flows, top_paths
from mmm_widgets.mta.flows import flow_links, path_table
from mmm_widgets.steps.attribution import cell

COLUMNS = ("user", "time", "channel", "converted")


@pytest.fixture
def touches() -> pd.DataFrame:
    """Six users, seven journeys; rows deliberately not in time order.

    user 1: search, social, display (converts) | search (no conversion)
    user 2: social, social, search, display, email (converts): five touches
    users 3 and 5: search (converts)
    users 4 and 6: search, display (no conversion); listed display first
    """
    rows = [
        (1, 1, "search", 0), (1, 2, "social", 0), (1, 3, "display", 1), (1, 4, "search", 0),
        (2, 1, "social", 0), (2, 2, "social", 0), (2, 3, "search", 0), (2, 4, "display", 0),
        (2, 5, "email", 1),
        (3, 1, "search", 1),
        (4, 2, "display", 0), (4, 1, "search", 0),
        (5, 7, "search", 1),
        (6, 9, "display", 0), (6, 8, "search", 0),
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _links(flows: pd.DataFrame) -> dict[tuple[str, str], int]:
    return {(s, t): int(n) for s, t, n in flows[["source", "target", "journeys"]].to_numpy()}


def test_flows_by_touch_position_are_counted_by_hand(touches):
    flows = journey_flows(touches, *COLUMNS)
    assert list(flows.columns) == ["source", "target", "journeys"]
    assert _links(flows) == {
        ("1 search", "2 social"): 1, ("2 social", "3 display"): 1,
        ("3 display", "conversion"): 1, ("1 search", "no conversion"): 1,
        ("1 social", "2 social"): 1, ("2 social", "3 search"): 1, ("3 search", "4 email"): 1,
        ("4 email", "conversion"): 1, ("1 search", "conversion"): 2,
        ("1 search", "2 display"): 2, ("2 display", "no conversion"): 2,
    }
    # Ordered by the source's step, then the largest links first.
    steps = flows["source"].str[0].astype(int)
    assert steps.is_monotonic_increasing
    for _, group in flows.groupby(steps):
        assert group["journeys"].is_monotonic_decreasing
    outcomes = flows[flows["target"].isin(["conversion", "no conversion"])]
    assert outcomes["journeys"].sum() == 7
    assert outcomes.loc[outcomes["target"] == "conversion", "journeys"].sum() == 4


def test_longer_journeys_keep_their_first_steps_and_their_last_touch(touches):
    flows = journey_flows(touches, *COLUMNS, max_steps=2)
    assert _links(flows) == {
        ("1 search", "2 display"): 3, ("2 display", "conversion"): 1,
        ("1 search", "no conversion"): 1, ("1 social", "2 email"): 1,
        ("2 email", "conversion"): 1, ("1 search", "conversion"): 2,
        ("2 display", "no conversion"): 2,
    }
    last_only = journey_flows(touches, *COLUMNS, max_steps=1)
    assert _links(last_only) == {("1 display", "conversion"): 1,
                                 ("1 search", "no conversion"): 1,
                                 ("1 email", "conversion"): 1, ("1 search", "conversion"): 2,
                                 ("1 display", "no conversion"): 2}


def test_top_paths_are_counted_by_hand(touches):
    paths = top_paths(touches, *COLUMNS)
    assert list(paths.columns) == ["path", "journeys", "conversions", "conversion_rate",
                                   "share_of_conversions"]
    assert paths["path"].tolist() == ["search", "search > social > display",
                                      "social > social > search > display > email",
                                      "search > display"]
    assert paths["journeys"].tolist() == [3, 1, 1, 2]
    assert paths["conversions"].tolist() == [2, 1, 1, 0]
    np.testing.assert_allclose(paths["conversion_rate"], [2 / 3, 1, 1, 0])
    np.testing.assert_allclose(paths["share_of_conversions"], [0.5, 0.25, 0.25, 0])
    by_journeys = top_paths(touches, *COLUMNS, by="journeys", n=2, sep="/")
    assert by_journeys["path"].tolist() == ["search", "search/display"]


def test_lookback_and_grouping_are_respected(touches):
    late = pd.DataFrame([(7, 0, "display", 0), (7, 100, "search", 1)], columns=list(COLUMNS))
    events = pd.concat([touches, late], ignore_index=True)
    assert "display > search" in top_paths(events, *COLUMNS)["path"].tolist()
    cut = top_paths(events, *COLUMNS, lookback=10)
    assert "display > search" not in cut["path"].tolist()
    assert cut.loc[cut["path"] == "search", "journeys"].item() == 4
    # Lookback counts back from each journey's last touch: user 1's second journey keeps
    # its only touch, the first keeps the touches within 1 of its conversion.
    assert ("1 social", "2 display") in _links(journey_flows(touches, *COLUMNS, lookback=1))
    grouped = journey_flows(touches, *COLUMNS, grouping={"social": "paid", "search": "paid"})
    assert ("1 paid", "2 paid") in _links(grouped)
    assert not any("search" in node for node in grouped["source"])


def test_dates_and_text_flags_read_like_attribution(touches):
    events = touches.assign(time=pd.Timestamp("2024-05-01") + pd.to_timedelta(touches["time"],
                                                                            unit="h"),
                            converted=touches["converted"].map({1: "yes", 0: "no"}))
    pd.testing.assert_frame_equal(journey_flows(events, *COLUMNS, lookback="1h"),
                                  journey_flows(touches, *COLUMNS, lookback=1))


def test_bad_input_is_a_data_error_naming_the_column(touches):
    with pytest.raises(mw.DataError, match="converted") as caught:
        journey_flows(touches, "user", "time", "channel", "convertd")
    assert caught.value.columns == ["convertd"] and "Did you mean 'converted'" in str(caught.value)
    broken = touches.assign(channel=touches["channel"].where(touches.index != 3))
    with pytest.raises(mw.DataError, match="channel is missing") as caught:
        top_paths(broken, *COLUMNS)
    assert caught.value.problems[0].column == "channel" and caught.value.problems[0].rows == ("3",)
    with pytest.raises(mw.DataError, match="max_steps=0") as caught:
        journey_flows(touches, "user", "time", "chanel", "converted", max_steps=0)
    assert len(caught.value.problems) == 2
    with pytest.raises(mw.DataError, match="by='value'"):
        top_paths(touches, *COLUMNS, by="value")
    with pytest.raises(mw.DataError, match="lookback"):
        top_paths(touches.assign(time=pd.Timestamp("2024-01-01")), *COLUMNS, lookback=3)


def test_cell_path_equals_the_checked_functions_on_bundled_journeys():
    journeys = mw.datasets.load("journeys")
    columns = ("user_id", "timestamp", "channel", "converted")
    grouping = {"Paid Search": "paid", "Paid Social": "paid"}
    cut, per_journey = cell.cut_journeys(journeys, *columns, lookback="3D", grouping=grouping)
    converted = per_journey["conversions"].to_numpy()
    pd.testing.assert_frame_equal(
        flow_links(cut, converted, max_steps=3),
        journey_flows(journeys, *columns, lookback="3D", grouping=grouping, max_steps=3))
    pd.testing.assert_frame_equal(
        path_table(cut, converted, n=25),
        top_paths(journeys, *columns, lookback="3D", grouping=grouping, n=25))


def test_a_million_touches():
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    from bench_mta import make_events

    events = make_events(1_000_000, 200_000)
    columns = ("user_id", "timestamp", "channel", "converted")
    flows = journey_flows(events, *columns, lookback="30D")
    paths = top_paths(events, *columns, lookback="30D", n=5)
    ends = flows[flows["target"].isin(["conversion", "no conversion"])]
    converted = ends.loc[ends["target"] == "conversion", "journeys"].sum()
    assert converted == events["converted"].sum()
    assert paths["conversions"].iloc[0] / paths["share_of_conversions"].iloc[0] == \
        pytest.approx(converted)
    assert paths["conversions"].is_monotonic_decreasing
    assert set(flows["source"].str[0]) == {"1", "2", "3", "4"}


# ----- the Sankey -----------------------------------------------------------------------
def test_sankey_figure_draws_every_link_and_node(touches):
    from bokeh.models import GlyphRenderer, GraphRenderer

    from mmm_widgets.plots.journeys import sankey_figure

    flows = journey_flows(touches, *COLUMNS)
    fig = sankey_figure(flows)
    graph = next(r for r in fig.renderers if isinstance(r, GraphRenderer))
    edges = graph.edge_renderer.data_source.data
    drawn = {(s, t): int(n) for s, t, n in zip(edges["source"], edges["target"],
                                               edges["journeys"], strict=True)}
    assert drawn == _links(flows)
    assert list(edges["channel"]) == [s.split(" ", 1)[1] for s in edges["source"]]
    labels = next(r.data_source.data["text"] for r in fig.renderers
                  if isinstance(r, GlyphRenderer) and "text" in r.data_source.data)
    nodes = set(flows["source"]) | set(flows["target"])
    assert {label.rsplit(" - ", 1)[0] for label in labels} == nodes
    assert "conversion - 4" in labels and "no conversion - 3" in labels
    # Plain bokeh models only, drawn on a canvas: shown offline with bokeh's inline JS.
    assert {type(m).__module__.split(".")[0] for m in fig.references()} == {"bokeh"}
    assert fig.output_backend == "canvas"


def test_importing_the_kit_and_its_plots_does_not_import_holoviews(tmp_path):
    from tests.conftest import run_fresh

    out = run_fresh("""
        import sys
        import mmm_widgets
        import mmm_widgets.plots.journeys
        import mmm_widgets.views.attribution
        print("holoviews" in sys.modules)
        """, tmp_path)
    assert out.strip() == "False"
