"""Tests of topicnmf.preprocessing.state: the vectorizer's JSON state and pickling."""

import json
import pickle
import re

import numpy as np
import pytest

from topicnmf.errors import InputError
from topicnmf.preprocessing import TextVectorizer, Tokenizer

WORDS = "orbit rocket planets planet moon shuttle apple river stone cloud garden gardens".split()


def fitted(**kwargs):
    """A vectorizer fitted on texts with a phrase ("new york"), stems and rare words."""
    rng = np.random.default_rng(2)
    texts = [" ".join(["The new York", *rng.choice(WORDS, size=8), f"rare{i % 30}"]) for i in range(60)]
    params = {"min_df": 2, "max_df": 0.9, "phrase_min_count": 5, **kwargs}
    return TextVectorizer(**params).fit(texts), texts


def test_state_keeps_the_flat_parameter_layout():
    vec, _ = fitted(tokenizer=Tokenizer(min_length=3))
    params = vec.to_dict()["params"]
    assert params["min_length"] == 3 and params["stop_words"] == "english" and params["dtype"] == "float32"
    assert "tokenizer" not in params and "n_jobs" not in params
    assert sorted(params) == sorted(
        (set(TextVectorizer._get_param_names()) | set(Tokenizer._get_param_names())) - {"tokenizer", "n_jobs"}
    )


@pytest.mark.parametrize("kwargs", [{}, {"stem": True, "phrases": True}])
def test_pickle_round_trip(kwargs):
    vec, texts = fitted(**kwargs)
    again = pickle.loads(pickle.dumps(vec))
    assert (again.transform(texts) != vec.transform(texts)).nnz == 0
    assert again.get_feature_names_out().tolist() == vec.get_feature_names_out().tolist()


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"stem": True, "phrases": True, "sublinear_tf": False, "dtype": np.float64},
     {"tokenizer": Tokenizer(stop_words={"orbit", "The"}, extra_stop_words=["apple"], strip_quotes=True)}],
)
def test_to_dict_from_dict_round_trip_through_json(kwargs):
    vec, texts = fitted(**kwargs)
    state = json.loads(json.dumps(vec.to_dict()))
    again = TextVectorizer.from_dict(state)
    X, Y = vec.transform(texts), again.transform(texts)
    assert X.dtype == Y.dtype and (X != Y).nnz == 0
    assert again.get_feature_names_out().tolist() == vec.get_feature_names_out().tolist()
    assert again.tokenize(texts) == vec.tokenize(texts)
    assert again.to_dict() == state


def test_state_saved_before_html_stripping_tokenizes_as_then():
    vec, texts = fitted()
    state = json.loads(json.dumps(vec.to_dict()))
    del state["params"]["strip_html"]
    again = TextVectorizer.from_dict(state)
    assert again.tokenizer_.strip_html is False
    now = TextVectorizer.from_dict(vec.to_dict())
    assert now.tokenizer_.strip_html is True
    assert again.tokenize(["orbit &lt;b&gt;moon"]) == [["orbit", "lt", "gt", "moon"]]
    assert now.tokenize(["orbit &lt;b&gt;moon"]) == [["orbit", "moon"]]


def test_to_dict_records_the_fitted_state():
    vec, texts = fitted(min_df=np.int64(2), stem=True, tokenizer=Tokenizer())
    expected = vec.transform(texts)
    vec.set_params(stem=False, tokenizer__min_length=5, dtype=np.float64)  # after fit: not in the state
    state = json.loads(json.dumps(vec.to_dict()))
    assert state["params"]["stem"] is True and state["params"]["min_length"] == 2
    assert state["params"]["min_df"] == 2 and state["params"]["dtype"] == "float32"
    assert (TextVectorizer.from_dict(state).transform(texts) != expected).nnz == 0


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: "state", "expected a dict, got str"),
        (lambda s: {**s, "format": "other"}, "'format' must be 'topicnmf.TextVectorizer', got 'other'"),
        (lambda s: {**s, "version": 99}, "'version' must be 1, got 99"),
        (lambda s: {k: v for k, v in s.items() if k != "idf"}, "missing key(s) 'idf'"),
        (lambda s: {**s, "idf": s["idf"][:-1]}, "'idf' must be a list of"),
        (lambda s: {**s, "vocabulary": s["vocabulary"][:-1] + [1]}, "'vocabulary' must be a list of str"),
        (lambda s: {**s, "params": {**s["params"], "colour": 1}}, "unknown parameter(s) 'colour'"),
        (
            lambda s: {**s, "params": {**s["params"], "min_df": -1}},
            "invalid 'params' (The 'min_df' parameter of TextVectorizer must be",
        ),
        (lambda s: {**s, "phrases": [["a"]]}, "'phrases' must be a list of [str, str] pairs"),
        (lambda s: {**s, "idf": [float("nan")] + s["idf"][1:]}, "'idf' must be a list of"),
        (lambda s: {**s, "idf": ["1.0"] + s["idf"][1:]}, "'idf' must be a list of"),
        (lambda s: {**s, "n_docs": 0}, "'n_docs' must be a positive int"),
        (lambda s: {**s, "extra": 1}, "unknown key(s) 'extra'"),
        (lambda s: {**s, "display_words": {"zzz": "zzz"}}, "'display_words' names a term outside the vocabulary: 'zzz'"),
        (lambda s: {**s, "params": {**s["params"], "dtype": "int8"}}, "dtype must be 'float32' or 'float64', got 'int8'"),
        (
            lambda s: {**s, "params": {**s["params"], "min_length": "2"}},
            "invalid 'params' (The 'min_length' parameter of Tokenizer must be an int >= 1. Got '2'.)",
        ),
        (lambda s: {**s, "params": []}, "'params' must be a dict"),
    ],
)
def test_from_dict_rejects_malformed_state(change, message):
    vec, _ = fitted()
    with pytest.raises(InputError, match=re.escape(message)) as info:
        TextVectorizer.from_dict(change(vec.to_dict()))
    assert str(info.value).startswith("The state passed to TextVectorizer.from_dict is malformed: ")
    assert "\n" not in str(info.value)
