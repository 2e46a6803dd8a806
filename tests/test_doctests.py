"""The examples in the docstrings of every module of the package run as doctests."""

import doctest
import importlib
import pkgutil

import pytest

import topicnmf

MODULES = sorted(
    name for _, name, _ in pkgutil.walk_packages(topicnmf.__path__, "topicnmf.") if name != "topicnmf.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(module, name):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
