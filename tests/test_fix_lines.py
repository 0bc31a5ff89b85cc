"""A problem's fix line names the table as the user named it (``raw`` here, from
``mw.Workflow(raw)``), never a ``df`` they do not have, and run as written it mends the
table."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import mmm_widgets as mw

DATES = pd.date_range("2023-01-02", periods=60, freq="W-MON")


def _table(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"Week": DATES.strftime("%Y-%m-%d"),
                         "Revenue": rng.normal(5000, 300, 60).round(2),
                         "TV": rng.gamma(3, 100, 60).round(2),
                         "Search": rng.gamma(3, 80, 60).round(2)})


def _panel() -> pd.DataFrame:
    return pd.concat([_table(seed).assign(Region=region)
                      for seed, region in enumerate(("North", "South"))], ignore_index=True)


def _padded_date() -> pd.DataFrame:
    raw = _table()
    raw.loc[3, "Week"] = f" {raw.loc[3, 'Week']} "
    return raw


def _no_target_at_the_end() -> pd.DataFrame:
    raw = _table()
    raw.loc[58:, "Revenue"] = np.nan
    return raw


def _geo_spelled_twice() -> pd.DataFrame:
    raw = _panel()
    raw.loc[raw.index[-5:], "Region"] = "south "
    return raw


def _geo_starting_late() -> pd.DataFrame:
    raw = _panel()
    return raw.drop(raw.index[raw["Region"] == "South"][:4]).reset_index(drop=True)


def _running_total() -> pd.DataFrame:
    raw = _table()
    raw["Revenue"] = raw["Revenue"].cumsum()
    return raw


def _flat_geo() -> pd.DataFrame:
    raw = _panel()
    raw.loc[raw["Region"] == "South", "Revenue"] = 100.0
    return raw


def _negative_spend() -> pd.DataFrame:
    raw = _table()
    raw.loc[[3, 7], "TV"] = [-40.0, -5.5]  # credits
    return raw


# (table, geo, the text before the line, the text after it)
CASES = {
    "padded date": (_padded_date, None, "Strip them first: ", "."),
    "no target at the end": (_no_target_at_the_end, None, "before mapping: ", ". The"),
    "geo spelled twice": (_geo_spelled_twice, "Region", "one way: ", "."),
    "geo starting late": (_geo_starting_late, "Region", "dates they all have: ", "; or"),
    "running total": (_running_total, None, "rows in date order: ", "."),
    "geo without sales": (_flat_geo, "Region", "Leave it out: ", "; or"),
    "negative spend": (_negative_spend, None, "set them to 0: ", "."),
}


def _problems(raw: pd.DataFrame, geo: str | None) -> list:
    wf = mw.Workflow(raw)
    try:
        wf.map_data(date="Week", target="Revenue", channels=["TV", "Search"], geo=geo)
    except mw.DataError as error:
        return error.problems
    return []


@pytest.mark.parametrize("case", list(CASES))
def test_the_fix_line_names_the_users_table_and_mends_it(case):
    make, geo, before, after = CASES[case]
    raw = make()
    problems = _problems(raw, geo)
    assert len(problems) == 1
    fix = problems[0].fix
    assert not re.search(r"\bdf\b", fix)
    line = fix.split(before, 1)[1]
    line = line[:line.rindex(after)] if after == "." else line.split(after, 1)[0]
    namespace = {"raw": raw.copy(), "pd": pd}
    exec(line, namespace)
    assert _problems(namespace["raw"], geo) == []


def test_a_number_format_fix_names_the_column_of_the_users_table():
    raw = _table()
    raw["TV"] = raw["TV"].astype(object)
    raw.loc[[5, 9], "TV"] = ["n/a", "-"]
    fix = _problems(raw, None)[0].fix
    assert "raw['TV'].replace(['-', 'n/a'], None)" in fix
    assert not re.search(r"\bdf\b", fix)
