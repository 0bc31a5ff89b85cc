"""Turn code chunks into an .ipynb document (nbformat 4) without extra dependencies."""

from __future__ import annotations

from typing import Any

from mmm_widgets.codegen.chunk import CodeChunk


def to_notebook_json(chunks: list[CodeChunk],
                     title: str = "mmm-widgets workflow") -> dict[str, Any]:
    """Build a notebook with one markdown and one code cell per chunk.

    Parameters
    ----------
    chunks : list of CodeChunk
        The steps' code, in order.
    title : str
        Heading of the first markdown cell.

    Returns
    -------
    dict
        An nbformat 4.5 notebook as plain JSON data.
    """
    cells: list[dict[str, Any]] = [_markdown(f"# {title}\n\nExported by mmm-widgets; "
                                             "runs with pandas and pymc-marketing alone.")]
    for index, chunk in enumerate(chunks):
        cells.append(_markdown(f"## {chunk.title or chunk.comment}\n\n{chunk.comment}"))
        cells.append(_code(chunk.cell(), index))
    for number, cell in enumerate(cells):
        cell["id"] = f"mmm-{number}"
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _markdown(text: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def _code(text: str, index: int) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"mmm_widgets": {"step_index": index}},
        "outputs": [],
        "source": text,
    }
