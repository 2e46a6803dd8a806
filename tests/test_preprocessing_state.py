"""Tests of topicnmf.preprocessing.state: the vectorizer's JSON state and pickling."""

import json
import pickle
import re

import numpy as np
import pytest

from topicnmf.errors import InputError
from topicnmf.preprocessing import TextVectorizer, Tokenizer

# the corpora of test_preprocessing_vectorizer (test modules do not import each other)
THEMES = {
    "space": "orbit rocket launch shuttle satellite moon planet astronaut telescope",
    "food": "recipe oven flour sugar butter bake dough kitchen spice",
    "cars": "engine brake tire fuel gearbox dealer clutch mileage wheel",
}


def themed_corpus(n_per_theme=20, seed=0, extra=""):
    """Texts of three themes, words drawn with a local generator."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for label, words in THEMES.items():
        vocab = words.split()
        for _ in range(n_per_theme):
            body = " ".join(rng.choice(vocab, size=12))
            texts.append(f"The {body}, and {extra}")
            labels.append(label)
    return texts, labels


def phrase_corpus():
    rng = np.random.default_rng(1)
    filler = "apple river stone cloud pencil garden violin copper harbor meadow".split()
    texts = []
    for i in range(60):
        words = list(rng.choice(filler, size=10))
        words.insert(int(rng.integers(0, 10)), "new york")
        if i % 3 == 0:
            words.append("new " + filler[i % len(filler)])
        if i % 4 == 0:
            words.append("york minster")
        texts.append(" ".join(words))
    return texts


def fitted(**kwargs):
    texts = phrase_corpus() + themed_corpus()[0]
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
