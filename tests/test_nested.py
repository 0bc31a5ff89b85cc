"""Nested tables, as APIs answer: rows under a key (Meta's insights), values nested in each
row (the Google Ads API), a frame of dicts in memory. Each is named with the line that
flattens it; once flattened, it maps to the numbers of the table it was written from."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw
from mmm_widgets.errors import DataError
from mmm_widgets.steps.roles import suggest_roles
from tests.conformance.tables import spec, table

#: National weekly tables: channels named spend_*, and x1, x2 beside y.
SEEDS = (0, 12)


def _api_rows(frame: pd.DataFrame) -> list[dict]:
    """The table's rows as an API writes them: numbers as text, as Meta's insights do."""
    return [{column: str(value) for column, value in row.items()}
            for row in frame.to_dict("records")]


def _line(fix: str) -> str:
    return re.search(r": (import json; .+?); then map", fix).group(1)


def _read_by_fix(path, name: str = "df") -> pd.DataFrame:
    with pytest.raises(DataError) as raised:
        mw.Workflow.from_file(path).raw  # noqa: B018
    found = raised.value.problems[0]
    assert "API's response" in found.what
    names = {"pd": pd}
    exec(_line(found.fix), names)
    return names[name]


@pytest.mark.parametrize("seed", SEEDS)
def test_rows_under_a_key_beside_paging_read_by_the_line_given(seed, tmp_path):
    variation = spec(seed)
    frame = table(variation)
    path = tmp_path / "insights.json"
    path.write_text(json.dumps({"data": _api_rows(frame),
                                "paging": {"cursors": {"before": "MAZDZD", "after": "MjQZD"}}}))
    read = _read_by_fix(path)
    suggested = suggest_roles(read)
    roles = variation.roles
    assert (suggested["date"], suggested["target"]) == (roles["date"], roles["target"])
    assert sorted(suggested["channels"]) == sorted(roles["channels"])
    wf = mw.Workflow(read)
    wf.map_data(date=roles["date"], target=roles["target"], channels=roles["channels"])
    money = [*roles["channels"], roles["target"]]
    np.testing.assert_allclose(wf.data[money].to_numpy(), frame[money].to_numpy(), rtol=1e-12)


def test_values_nested_in_each_row_read_by_the_line_given(tmp_path):
    # The Google Ads API: each row's date under segments, its numbers under metrics, the
    # cost in micros of whole cents, written as text.
    variation = spec(0)
    frame = table(variation)
    cents = (frame["spend_tv"] * 100).round()
    rows = [{"segments": {"date": day}, "campaign": {"name": "TV"},
             "metrics": {"costMicros": str(int(c) * 10_000), "conversionsValue": float(y)}}
            for day, c, y in zip(frame["week_start"], cents, frame["y"], strict=True)]
    path = tmp_path / "search_stream.json"
    path.write_text(json.dumps({"results": rows, "fieldMask": "segments.date,metrics"}))
    read = _read_by_fix(path)
    suggested = suggest_roles(read)
    assert suggested["date"] == "segments.date"
    assert suggested["target"] == "metrics.conversionsValue"
    assert suggested["channels"] == ["metrics.costMicros"]
    wf = mw.Workflow(read)
    wf.map_data(date="segments.date", target="metrics.conversionsValue",
                channels=["metrics.costMicros"])
    np.testing.assert_allclose(wf.data["metrics.costMicros"], cents * 10_000)
    assert "micros" in [f.kind for f in wf.data_result.warnings]


def test_a_frame_of_records_in_memory_is_named_with_the_line_that_flattens_it():
    variation = spec(12)
    frame = table(variation)
    nested = pd.DataFrame({"results": [{"when": {"week": day}, "values": {"x1": x1, "y": y}}
                                       for day, x1, y in zip(frame["time"], frame["x1"],
                                                             frame["y"], strict=True)]})
    wf = mw.Workflow(nested)
    assert wf.suggest_mapping()["date"] is None  # no roles, and no error
    with pytest.raises(DataError) as raised:
        wf.map_data(date="", target="", channels=[])
    found = raised.value.problems[0]
    assert found.column == "results" and "records" in found.what
    line = re.search(r": (\w+ = pd\.json_normalize\(.+?\)); then map", found.fix).group(1)
    table_name = line.split(" = ", 1)[0]
    names = {"pd": pd, table_name: nested}
    exec(line, names)
    flat = names[table_name]
    assert list(flat.columns) == ["when.week", "values.x1", "values.y"]
    assert suggest_roles(flat)["date"] == "when.week"
    np.testing.assert_allclose(flat["values.x1"], frame["x1"])


def test_amounts_written_as_digits_are_read_while_codes_stay_text():
    # an API's whole amounts and counts as text, beside a code of digits
    variation = spec(0)
    frame = table(variation)
    rng = np.random.default_rng(0)
    frame = frame.assign(
        zip=rng.integers(10_000, 99_999, len(frame)).astype(str),
        # a spend of its own: tv's times a factor would be tv written twice, no channel
        google_cost=rng.gamma(3, 1000, len(frame)).round().astype(int).astype(str),
        impressions=(frame["spend_tv"] * 40).round().astype(int).astype(str))
    suggested = suggest_roles(frame)
    assert sorted(suggested["channels"]) == sorted([*variation.roles["channels"],
                                                    "google_cost"])
    assert "zip" not in suggested["controls"] and "impressions" not in suggested["controls"]
