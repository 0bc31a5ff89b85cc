"""A header the file repeats (``Spend, Spend``) reads as ``Spend`` and ``Spend.1``: mapped
so, nothing says which channel is which. Named, with the line that renames them."""

from __future__ import annotations

import ast
import re

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw

WEEKS = 60
DATES = pd.date_range("2024-01-01", periods=WEEKS, freq="W-MON")


def _rows(seed: int = 1) -> list[list[object]]:
    rng = np.random.default_rng(seed)
    tv, search, social = (rng.gamma(3, scale, WEEKS) for scale in (1000, 800, 500))
    clicks = rng.poisson(300, (2, WEEKS))
    sales = 20000 + 2 * tv + 3 * search + 1.5 * social + rng.normal(0, 300, WEEKS)
    return [[f"{d:%Y-%m-%d}", round(a, 2), round(b, 2), round(c, 2), int(k), int(m),
             round(s, 2)] for d, a, b, c, k, m, s in zip(DATES, tv, search, social, *clicks,
                                                          sales, strict=True)]


def _renames(message: str) -> dict[str, str]:
    """The ``rename(columns=...)`` mapping of the finding's line."""
    return ast.literal_eval(re.search(r"rename\(columns=(\{.*?\})\)", message)[1])


def _findings(wf: mw.Workflow, **roles) -> list:
    wf.map_data(**roles)
    return [f for f in wf.data_result.warnings if f.kind == "repeated_header"]


def test_a_header_written_twice_in_a_csv_is_named_with_the_line_that_renames_it(tmp_path):
    path = tmp_path / "export.csv"
    header = "Week,Spend,Spend,Spend,Clicks,Clicks,Revenue\n"
    path.write_text(header + "\n".join(",".join(map(str, row)) for row in _rows()) + "\n",
                    encoding="utf-8")
    wf = mw.Workflow.from_file(path)
    found = _findings(wf, date="Week", target="Revenue",
                      channels=["Spend", "Spend.1", "Spend.2"])
    # One finding for the mapped header; the clicks, repeated too, are not mapped
    assert [f.columns for f in found] == [("Spend", "Spend.1", "Spend.2")]
    assert "The table names 3 columns 'Spend'" in found[0].message
    assert _renames(found[0].message) == {"Spend": "<what column 1 holds>",
                                          "Spend.1": "<what column 2 holds>",
                                          "Spend.2": "<what column 3 holds>"}
    assert "df = df.rename(" in found[0].message  # the variable the exported read writes
    # Renamed as the line says, by what each holds, the table maps without the finding
    raw = pd.read_csv(path).rename(columns={"Spend": "TV", "Spend.1": "Search",
                                            "Spend.2": "Social"})
    assert _findings(mw.Workflow(raw), date="Week", target="Revenue",
                     channels=["TV", "Search", "Social"]) == []


def test_a_repeated_header_in_a_workbook_and_in_a_frame_read_by_hand(tmp_path):
    columns = ["Week", "Cost", "Cost", "Cost", "Clicks", "Clicks", "Sales"]
    path = tmp_path / "platforms.xlsx"
    pd.DataFrame(_rows(2), columns=[f"c{i}" for i in range(7)]).to_excel(
        path, index=False, header=columns)
    found = _findings(mw.Workflow.from_file(path), date="Week", target="Sales",
                      channels=["Cost", "Cost.1", "Cost.2"])
    assert [f.columns for f in found] == [("Cost", "Cost.1", "Cost.2")]
    # Read by hand, then given as a frame: the same names, the same finding
    found = _findings(mw.Workflow(pd.read_excel(path)), date="Week", target="Sales",
                      channels=["Cost", "Cost.1", "Cost.2"])
    assert [f.columns for f in found] == [("Cost", "Cost.1", "Cost.2")]


@pytest.mark.parametrize("names", [
    ["Week", "Spend.1", "Search", "Social", "k", "m", "Revenue"],  # no 'Spend' beside it
    ["Week", "Version 2.1", "Search", "Social", "k", "m", "Revenue"],  # a dot of its own
    ["Week", "TV", "Search", "Social", "Clicks", "Clicks.1", "Revenue"],  # not mapped
])
def test_names_with_a_dot_of_their_own_or_unmapped_repeats_pass(names):
    frame = pd.DataFrame(_rows(3), columns=names)
    frame["Week"] = pd.to_datetime(frame["Week"])
    assert _findings(mw.Workflow(frame), date="Week", target="Revenue",
                     channels=[names[1], "Search", "Social"]) == []
