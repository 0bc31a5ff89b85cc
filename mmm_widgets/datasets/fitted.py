"""A fitted workflow of the bundled weekly data, so lessons after fitting start at once.

Made by ``python -m mmm_widgets.datasets.fitted`` (a small fit: 2 chains x 100 draws after
300 tuning steps) and stored like any saved workflow (JSON + pymc-marketing netCDF). The
data source inside is written as a placeholder and pointed at this installation's bundled
CSV when loaded, so the files work wherever the package is installed.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from mmm_widgets.errors import DataError, problem

if TYPE_CHECKING:
    from mmm_widgets.workflow import Workflow

FOLDER = Path(__file__).parent / "fitted"
PLACEHOLDER = "<bundled>"
SETTINGS = {"draws": 100, "tune": 300, "chains": 2, "random_seed": 7, "adaptation": "diag",
            "freeze_model": False}
FITTED = ("weekly_sales",)


def load_fitted(name: str = "weekly_sales") -> Workflow:
    """The bundled dataset ``name`` mapped, modelled and fitted, loaded without fitting.

    Parameters
    ----------
    name : str
        One of the datasets with a stored fit (``"weekly_sales"``).

    Returns
    -------
    Workflow
        Data, model and fit steps done; exported code refits with the same settings.
    """
    from mmm_widgets.datasets.bundled import local_copy
    from mmm_widgets.workflow import Workflow

    stored = FOLDER / name
    if name not in FITTED or not (stored / "workflow.json").exists():
        raise DataError(problem(f"There is no stored fit for {name!r}.",
                                f"Use one of {', '.join(repr(n) for n in FITTED)}, or fit "
                                "the workflow yourself."))
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / name
        shutil.copytree(stored, copy)
        state_file = copy / "workflow.json"
        text = state_file.read_text(encoding="utf-8")
        # json.dumps keeps the path a valid JSON string, whatever characters it holds.
        state_file.write_text(text.replace(json.dumps(PLACEHOLDER + f"/{name}.csv"),
                                           json.dumps(local_copy(name))), encoding="utf-8")
        return Workflow.load(copy)


def make_fitted(name: str = "weekly_sales") -> Path:
    """Fit the bundled dataset and store the workflow under ``datasets/fitted/<name>``."""
    from mmm_widgets.datasets.bundled import load
    from mmm_widgets.workflow import Workflow

    workflow = Workflow(load(name), name="df")
    workflow.map_data(**workflow.suggest_mapping())
    workflow.configure_model()
    workflow.fit(**SETTINGS)
    target = FOLDER / name
    shutil.rmtree(target, ignore_errors=True)
    workflow.save(target)
    state_file = target / "workflow.json"
    text = state_file.read_text(encoding="utf-8")
    state_file.write_text(text.replace(json.dumps(workflow.source.path),
                                       json.dumps(PLACEHOLDER + f"/{name}.csv")),
                          encoding="utf-8")
    return target


if __name__ == "__main__":
    for dataset in FITTED:
        print(make_fitted(dataset))
