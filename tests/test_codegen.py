import ast

import pytest

from mmm_widgets.codegen import CodeChunk, assemble_script, literal, to_notebook_json

HOSTILE = [
    'x"); import os; os.system("touch pwned") #',
    "'''", '"""', "back\\slash", "new\nline", "{braces}", "# hash", "ünïcödé ✓", "",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_literal_round_trips_hostile_strings(value):
    text = literal(value)
    assert ast.literal_eval(text) == value
    tree = ast.parse(f"x = {text}")
    assert isinstance(tree.body[0].value, ast.Constant)


def test_literal_handles_nested_data_and_special_floats():
    assert ast.literal_eval(literal({"tv": (0.0, 1.5), "s": [None, True]})) == {
        "tv": (0.0, 1.5), "s": [None, True]}
    assert literal(float("inf")) == "float('inf')"


def test_literal_refuses_objects():
    with pytest.raises(TypeError):
        literal(object())


def test_assemble_deduplicates_imports_and_keeps_order():
    first = CodeChunk("load", ("a = 1",), ("import pandas as pd",))
    second = CodeChunk("use", ("b = a + 1",), ("import pandas as pd", "import numpy as np"))
    script = assemble_script([first, second], header="test")
    assert script.count("import pandas as pd") == 1
    assert script.index("# load") < script.index("# use")
    namespace: dict = {}
    exec(script, namespace)
    assert namespace["b"] == 2


def test_comment_cannot_break_out_of_its_line():
    chunk = CodeChunk("evil\nimport os", ("x = 1",))
    tree = ast.parse(chunk.cell())
    assert [type(node) for node in tree.body] == [ast.Assign]


def test_notebook_has_markdown_and_code_cell_per_chunk():
    chunks = [CodeChunk("one", ("a = 1",), title="One"), CodeChunk("two", ("b = 2",))]
    notebook = to_notebook_json(chunks)
    kinds = [cell["cell_type"] for cell in notebook["cells"]]
    assert kinds == ["markdown", "markdown", "code", "markdown", "code"]
    assert notebook["cells"][2]["source"].endswith("a = 1")
