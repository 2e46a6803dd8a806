"""Tests of topicnmf._validation: the constructor contract of every public estimator, keywords."""

import importlib
import inspect
import re

import pytest
from sklearn.base import BaseEstimator, clone

import topicnmf
from topicnmf._validation import check_keywords, keep_params
from topicnmf.errors import InputError

ESTIMATORS = ["Tokenizer", "TextVectorizer", "NMF", "TopicModel", "DynamicTopicModel",
              "HierarchicalTopicModel"]


def _init_params(cls) -> list[str]:
    return [name for name in inspect.signature(cls.__init__).parameters if name != "self"]


def test_the_list_holds_every_public_estimator():
    found = set()
    for sub in ("corpus", "preprocessing", "nmf", "model", "dynamic", "hierarchy", "seeding",
                "measures", "selection", "images", "streaming"):
        module = importlib.import_module(f"topicnmf.{sub}")
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if inspect.isclass(value) and issubclass(value, BaseEstimator):
                found.add(name)
    assert found == set(ESTIMATORS)


@pytest.mark.parametrize("name", ESTIMATORS)
def test_the_constructor_keeps_every_parameter_unchanged(name):
    cls = getattr(topicnmf, name)
    names = _init_params(cls)
    values = {param: f"<{param}>" for param in names}  # __init__ checks nothing
    estimator = cls(**values)
    assert vars(estimator) == values  # nothing else is set in __init__
    assert estimator.get_params(deep=False) == values
    assert clone(estimator).get_params(deep=False) == values
    default = cls()
    for param in names:
        marker = object()
        assert default.set_params(**{param: marker}).get_params(deep=False)[param] is marker
    assert clone(cls()).get_params(deep=False) == cls().get_params(deep=False)


def test_keep_params_skips_self_and_class_cell():
    class Model(BaseEstimator):
        def __init__(self, a=1, *, b=None):
            keep_params(self, locals())
            super().__init__()  # puts __class__ among the locals

    model = Model(2, b="x")
    assert vars(model) == {"a": 2, "b": "x"}
    assert model.get_params() == {"a": 2, "b": "x"}


def test_check_keywords():
    check_keywords({"b": 1}, ["a", "b"], "f")
    check_keywords({}, ["a"], "f")
    msg = "The keyword arguments of f must be among 'a', 'b'. Got 'c'."
    with pytest.raises(InputError, match=re.escape(msg)):
        check_keywords({"c": 1, "a": 2}, ["b", "a"], "f")
