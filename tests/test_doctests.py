"""The Examples sections of the public docstrings run as doctests."""
from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import perfmodel

MODULES = sorted(m.name for m in pkgutil.walk_packages(perfmodel.__path__, "perfmodel.")
                 if not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
                             verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"


def test_examples_exist():
    # the doctests above must run something: a change that drops every example fails here
    finder = doctest.DocTestFinder()
    found = sum(len(t.examples) for name in MODULES
                for t in finder.find(importlib.import_module(name)))
    assert found >= 3
