"""The examples in the docstrings of every public module run as doctests."""

import doctest
import importlib

import pytest

MODULES = [
    "topicnmf.corpus",
    "topicnmf.preprocessing",
    "topicnmf.nmf",
    "topicnmf.model",
    "topicnmf.coherence",
    "topicnmf.reporting",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = finder.find(module, name)
    if name == "topicnmf.nmf":
        for submodule in ("_estimator", "_factorize"):
            try:
                sub = importlib.import_module(f"{name}.{submodule}")
            except ImportError:
                continue
            tests += finder.find(sub, sub.__name__)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0
