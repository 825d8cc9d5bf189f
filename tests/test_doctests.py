"""The examples in the core's docstrings run, and print what they say they print."""

import doctest
import importlib

import pytest

from tests.test_package_layout import MODULES, is_core

CORE = [module for module in MODULES if is_core(module)]


@pytest.mark.parametrize("module", CORE)
def test_docstring_examples_run(module):
    imported = importlib.import_module(module)
    globs = {"np": importlib.import_module("numpy"), **vars(imported)}
    result = doctest.testmod(imported, globs=globs, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {module}"


def test_the_core_has_examples():
    counted = sum(
        len(test.examples)
        for module in CORE
        for test in doctest.DocTestFinder().find(importlib.import_module(module))
    )
    assert counted >= 30
