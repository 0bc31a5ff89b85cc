"""What one part of a cell bound is reused only for the same code on the same fitted model."""

from __future__ import annotations

from typing import Any

from mmm_widgets.engine.reuse import BoundPart, bind_part


class Fitted:
    """Stands for a fitted model: only its identity matters here."""


def counting_part() -> tuple[list[int], Any]:
    runs: list[int] = []

    def run(names: dict[str, Any]) -> None:
        runs.append(1)
        names["curve"] = [names["x"] * 2]
        names["x"] = names["x"] + 1
    return runs, run


def test_the_same_code_on_the_same_model_is_not_run_again() -> None:
    mmm = Fitted()
    runs, run = counting_part()
    first_names = {"mmm": mmm, "x": 1, "kept": "a"}
    first = bind_part("curve = ...", first_names, run)
    assert runs == [1]
    # Bound or rebound names are recorded; an untouched one is not.
    assert dict(first.names) == {"curve": [2], "x": 2}
    again = {"mmm": mmm, "x": 1, "kept": "b"}
    assert bind_part("curve = ...", again, run, earlier=first) is first
    assert runs == [1]
    assert again == {"mmm": mmm, "x": 2, "kept": "b", "curve": [2]}
    assert again["curve"] is first_names["curve"]


def test_other_code_another_model_or_no_model_runs_the_part() -> None:
    mmm = Fitted()
    runs, run = counting_part()
    first = bind_part("curve = ...", {"mmm": mmm, "x": 1}, run)
    cases = [("curve = ... # changed", {"mmm": mmm, "x": 5}),
             ("curve = ...", {"mmm": Fitted(), "x": 5}),
             ("curve = ...", {"x": 5})]
    for source, names in cases:
        bound = bind_part(source, names, run, earlier=first)
        assert isinstance(bound, BoundPart) and bound is not first
        assert names["curve"] == [10] and bound.names["curve"] == [10]
    assert len(runs) == 4
    # Without a model nothing is ever reused, even for the same code.
    unfitted = bind_part("curve = ...", {"x": 1}, run)
    assert not unfitted.serves("curve = ...", {"x": 1})
