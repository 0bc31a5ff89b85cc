"""Packaging (#18): every third-party module the package imports is a declared dependency.

Counts the package's own imports and the imports in the code it generates and runs (string
constants such as ``"import pytensor"``), so that a user's environment resolved from
``pyproject.toml`` alone can run every step and its exported code.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mmm_widgets"
# Where the import name is not the distribution's name; used when the installed metadata
# does not say (a module not installed here).
DISTRIBUTIONS = {"IPython": "ipython", "pymc_extras": "pymc-extras", "sklearn": "scikit-learn",
                 "yaml": "pyyaml", "pymc_marketing": "pymc-marketing", "PIL": "pillow",
                 "dateutil": "python-dateutil", "jupyter_bokeh": "jupyter-bokeh"}
CODE_IMPORT = re.compile(
    r"(?m)^\s*(?:import\s+([A-Za-z_]\w*)|from\s+([A-Za-z_]\w*)[\w.]*\s+import\b)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_modules(source: str) -> set[str]:
    """Top-level modules imported by ``source`` or by code in its string constants."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            modules |= {m.group(1) or m.group(2) for m in CODE_IMPORT.finditer(node.value)}
    return modules


def third_party(modules: set[str]) -> set[str]:
    return {m for m in modules if m not in sys.stdlib_module_names and m != "mmm_widgets"
            and m != "__future__"}


@cache
def _installed() -> dict[str, list[str]]:
    return packages_distributions()


def distribution(module: str) -> str:
    installed = _installed().get(module)
    if installed:
        return canonical(installed[0])
    return canonical(DISTRIBUTIONS.get(module, module))


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {canonical(re.match(r"[A-Za-z0-9._-]+", r).group(0))
            for r in project["dependencies"]}


def test_every_third_party_import_is_a_declared_dependency():
    modules: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for module in third_party(imported_modules(path.read_text(encoding="utf-8"))):
            modules.setdefault(module, []).append(str(path.relative_to(ROOT)))
    missing = {distribution(m): files[:3] for m, files in modules.items()
               if distribution(m) not in declared()}
    assert not missing, f"imported but not in [project] dependencies: {missing}"
    # The check sees the modules the issue named.
    assert {"arviz", "pymc", "pytensor", "xarray", "IPython", "pymc_extras"} <= set(modules)


def test_the_check_sees_generated_code_and_maps_names():
    source = ('import numpy as np\nfrom IPython.display import HTML\nimport json\n'
              'CELL = "import pytensor.xtensor as ptx\\nfrom sklearn.linear_model import X"\n'
              'def f():\n    from . import sibling\n    import yaml\n'
              'DOC = """raised from error, not an import"""\n')
    assert third_party(imported_modules(source)) == {"numpy", "IPython", "pytensor", "sklearn",
                                                     "yaml"}
    assert distribution("IPython") == "ipython"
    assert distribution("sklearn") == "scikit-learn"
    assert distribution("pymc_extras") == "pymc-extras"
    assert canonical(DISTRIBUTIONS["yaml"]) == "pyyaml"
    assert "pymc-marketing" in declared() and "jupyter-bokeh" in declared()
