"""The examples in the kit's docstrings run and print what they say.

Every module of ``mmm_widgets`` is imported and its ``>>>`` examples are run as doctests,
so an example that drifts from the code fails here instead of misleading a reader.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import mmm_widgets


def _modules() -> list[str]:
    return sorted(info.name for info in pkgutil.walk_packages(mmm_widgets.__path__,
                                                              "mmm_widgets."))


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples_print_what_they_say(name):
    module = importlib.import_module(name)
    tests = [t for t in doctest.DocTestFinder().find(module) if t.examples]
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    assert runner.failures == 0, f"{runner.failures} example(s) in {name} print otherwise"
