"""Tests of topicnmf.preprocessing.vectorizer (and terms, stream): the matrix, phrases, stems, token streams."""

import gzip
import json
import re

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from topicnmf.errors import InputError
from topicnmf.preprocessing import TextVectorizer, Tokenizer

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


# ---------------------------------------------------------------------------
# TextVectorizer: the matrix


def test_fit_transform_gives_float32_csr_with_unit_rows():
    texts, _ = themed_corpus()
    vec = TextVectorizer(min_df=1)
    X = vec.fit_transform(texts)
    assert sp.issparse(X) and X.format == "csr"
    assert X.shape == (len(texts), 27) and X.dtype == np.float32
    assert X.data.min() > 0
    np.testing.assert_allclose(sp.linalg.norm(X, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(vec.transform(texts).toarray(), X.toarray(), rtol=1e-6)
    assert vec.fit(texts).transform(texts).shape == X.shape


def test_dtype_float64():
    texts, _ = themed_corpus()
    X = TextVectorizer(min_df=1, dtype=np.float64).fit_transform(texts)
    assert X.dtype == np.float64


def test_min_df_max_df_max_features():
    texts = ["alpha beta gamma", "alpha beta delta", "alpha epsilon", "alpha beta"]
    names = lambda **kw: sorted(TextVectorizer(**kw).fit(texts).get_feature_names_out())  # noqa: E731
    assert names(min_df=1, max_df=1.0) == ["alpha", "beta", "delta", "epsilon", "gamma"]
    assert names(min_df=2, max_df=1.0) == ["alpha", "beta"]
    assert names(min_df=1, max_df=0.8) == ["beta", "delta", "epsilon", "gamma"]
    assert names(min_df=1, max_df=2) == ["delta", "epsilon", "gamma"]
    assert names(min_df=1, max_df=1.0, max_features=2) == ["alpha", "beta"]


@pytest.mark.parametrize("sublinear", [True, False])
def test_tfidf_weights_follow_the_formula(sublinear):
    texts = ["orbit orbit orbit rocket", "orbit moon", "rocket rocket moon moon moon"]
    vec = TextVectorizer(min_df=1, max_df=1.0, sublinear_tf=sublinear, dtype=np.float64)
    X = vec.fit_transform(texts).toarray()
    names = list(vec.get_feature_names_out())
    counts = np.array([[t.split().count(w) for w in names] for t in texts], dtype=float)
    df = (counts > 0).sum(0)
    idf = np.log((1 + len(texts)) / (1 + df)) + 1
    tf = np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0) if sublinear else counts
    expected = tf * idf
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(X, expected, rtol=1e-12)
    np.testing.assert_allclose(vec.idf_, idf, rtol=1e-12)


# ---------------------------------------------------------------------------
# Stems and phrases


def test_stem_shows_the_most_frequent_surface_form():
    texts = [
        "connection connections connected",
        "connections connections network",
        "connecting network networks",
        "networks networks",
    ]
    vec = TextVectorizer(min_df=1, max_df=1.0, stem=True).fit(texts)
    assert sorted(vec.get_feature_names_out()) == ["connections", "networks"]
    assert vec.display_words_ == {"connect": "connections", "network": "networks"}
    assert vec.tokenize(["Connected networks"]) == [["connections", "networks"]]


def test_stem_display_ties_break_alphabetically():
    vec = TextVectorizer(min_df=1, max_df=1.0, stem=True).fit(["runs running", "running runs"])
    assert vec.display_words_ == {"run": "running"}
    assert vec.get_feature_names_out().tolist() == ["running"]


def test_stems_share_a_column():
    vec = TextVectorizer(min_df=1, max_df=1.0, stem=True).fit(["planets orbit", "planet orbits"])
    X = vec.transform(["planet", "planets"])
    assert (X != 0).sum() == 2 and (X[0] != X[1]).nnz == 0


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


def test_phrases_join_a_planted_collocation():
    texts = phrase_corpus()
    vec = TextVectorizer(min_df=1, max_df=1.0, phrases=True, phrase_min_count=5).fit(texts)
    names = set(vec.get_feature_names_out())
    assert "new_york" in names
    assert ("new", "york") in vec.phrases_
    tokens = vec.tokenize(["I love New York, and new ideas."])
    assert tokens == [["love", "new_york", "new", "ideas"]]


def test_stop_words_and_punctuation_split_phrases():
    texts = phrase_corpus()
    vec = TextVectorizer(min_df=1, max_df=1.0, phrases=True, phrase_min_count=5).fit(texts)
    assert vec.tokenize(["new the york. new. york new york"]) == [
        ["new", "york", "new", "york", "new_york"]
    ]


def test_phrases_and_stems_together():
    texts = phrase_corpus()
    vec = TextVectorizer(min_df=1, max_df=1.0, phrases=True, stem=True, phrase_min_count=5)
    vec.fit(texts)
    assert "new_york" in vec.vocabulary_
    assert "new_york" in set(vec.get_feature_names_out())
    assert vec.tokenize(["New York gardens", "the garden"]) == [["new_york", "garden"], ["garden"]]


def test_no_phrases_below_min_count():
    vec = TextVectorizer(min_df=1, max_df=1.0, phrases=True, phrase_min_count=11)
    vec.fit(phrase_corpus()[:10])
    assert vec.phrases_ == []
    assert not any("_" in n for n in vec.get_feature_names_out())
    # "auto" asks for 5 occurrences in a corpus this small; the pair occurs 10 times
    vec = TextVectorizer(min_df=1, max_df=1.0, phrases=True).fit(phrase_corpus()[:10])
    assert vec.phrases_ == [("new", "york")]


# ---------------------------------------------------------------------------
# tokenize() and the vocabulary


@pytest.mark.parametrize("kwargs", [{}, {"stem": True}, {"phrases": True, "phrase_min_count": 5}])
def test_tokenize_is_aligned_with_the_vocabulary(kwargs):
    texts = phrase_corpus()
    vec = TextVectorizer(min_df=2, max_df=1.0, **kwargs)
    X = vec.fit_transform(texts)
    names = vec.get_feature_names_out()
    streams = vec.tokenize(texts)
    assert len(streams) == len(texts)
    for row, stream in zip(X, streams):
        assert set(names[row.indices]) == set(stream) & set(names)


@pytest.mark.parametrize("kwargs", [{}, {"stem": True}, {"phrases": True, "stem": True}])
def test_fit_transform_stream_is_tokenize_as_vocabulary_ids(kwargs):
    texts = phrase_corpus() + themed_corpus()[0] + ["", "zebra giraffe"]
    vec = TextVectorizer(min_df=2, **kwargs)
    X = vec.fit_transform(texts)
    tokens = vec.tokenize(texts)
    Y, stream = TextVectorizer(min_df=2, **kwargs).fit_transform_stream(texts)
    assert (X != Y).nnz == 0
    assert stream.ids.dtype == np.int32 and stream.offsets.dtype == np.int64
    assert stream.offsets.tolist() == np.cumsum([0] + [len(t) for t in tokens]).tolist()
    names = vec.get_feature_names_out()
    index = {w: i for i, w in enumerate(names)}
    assert stream.ids.tolist() == [index.get(t, -1) for doc in tokens for t in doc]
    assert (stream.ids == -1).any()  # rare and common words keep their place


@pytest.mark.parametrize("kwargs", [{}, {"max_features": 7}, {"min_df": 0.05, "max_df": 20, "sublinear_tf": False}])
def test_matrix_equals_scikit_learn_fed_the_same_tokens(kwargs):
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = phrase_corpus() + themed_corpus()[0]
    params = {"min_df": 2, "max_df": 0.9, **kwargs}
    X = TextVectorizer(**params).fit_transform(texts)
    ref = TfidfVectorizer(tokenizer=Tokenizer(), token_pattern=None, lowercase=False, dtype=np.float32,
                          sublinear_tf=params.pop("sublinear_tf", True), **params)
    Y = ref.fit_transform(texts)
    assert X.shape == Y.shape and X.dtype == Y.dtype
    # entry for entry, in the same storage order
    for a, b in [(X.indptr, Y.indptr), (X.indices, Y.indices), (X.data, Y.data)]:
        np.testing.assert_array_equal(a, b)


def test_the_result_does_not_depend_on_the_number_of_processes():
    texts = (phrase_corpus() + themed_corpus()[0]) * 3
    for kwargs in ({}, {"phrases": True, "phrase_min_count": 5, "stem": True}):
        one = TextVectorizer(min_df=2, n_jobs=1, **kwargs)
        two = TextVectorizer(min_df=2, n_jobs=2, **kwargs)
        X1, s1 = one.fit_transform_stream(texts)
        X2, s2 = two.fit_transform_stream(texts)
        assert (X1 != X2).nnz == 0 and X1.dtype == X2.dtype
        np.testing.assert_array_equal(s1.ids, s2.ids)
        np.testing.assert_array_equal(s1.offsets, s2.offsets)
        assert one.vocabulary_ == two.vocabulary_ and one.phrases_ == two.phrases_
        assert (one.transform(texts) != two.transform(texts)).nnz == 0


# ---------------------------------------------------------------------------
# The estimator contract


def fitted(**kwargs):
    texts = phrase_corpus() + themed_corpus()[0]
    params = {"min_df": 2, "max_df": 0.9, "phrase_min_count": 5, **kwargs}
    return TextVectorizer(**params).fit(texts), texts


def test_clone_and_params():
    vec = TextVectorizer(min_df=3, stem=True)
    params = vec.get_params()
    assert params["min_df"] == 3 and params["stem"] is True and params["dtype"] is np.float32
    copy = clone(vec)
    assert copy.get_params() == params
    vec.set_params(max_df=0.7)
    assert vec.max_df == 0.7


def test_tokenizer_parameters_are_nested_parameters():
    vec = TextVectorizer(min_df=1, max_df=1.0, tokenizer=Tokenizer(min_length=3))
    assert vec.get_params()["tokenizer__min_length"] == 3
    assert "min_length" not in vec.get_params(deep=False)
    copy = clone(vec)
    assert copy.tokenizer is not vec.tokenizer and copy.get_params()["tokenizer__min_length"] == 3
    vec.set_params(tokenizer__min_length=6, tokenizer__stop_words=None)
    assert vec.fit(["the orbit of planets"]).get_feature_names_out().tolist() == ["planets"]
    assert vec.tokenizer_ is not vec.tokenizer  # the fitted copy does not follow later changes
    vec.tokenizer.set_params(min_length=2)
    assert vec.tokenize(["the orbit of planets"]) == [["planets"]]
    fitted_vec, texts = fitted()
    unfitted = clone(fitted_vec)
    assert not hasattr(unfitted, "vocabulary_")
    assert unfitted.get_params() == fitted_vec.get_params()


def test_fit_does_not_change_parameters():
    tok = Tokenizer(stop_words=["orbit"], extra_stop_words=("moon",))
    vec = TextVectorizer(min_df=1, tokenizer=tok)
    before = vec.get_params()
    vec.fit(themed_corpus()[0])
    assert vec.get_params() == before and vec.tokenizer is tok


def test_not_fitted():
    vec = TextVectorizer()
    for call in (lambda: vec.transform(["a"]), vec.get_feature_names_out, vec.to_dict,
                 lambda: vec.tokenize(["a"])):
        with pytest.raises(NotFittedError):
            call()
    assert not hasattr(vec, "idf_")


# ---------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"min_df": 0},
            "The 'min_df' parameter of TextVectorizer must be an int >= 1 (documents) or a float "
            "in (0, 1] (fraction of documents). Got 0.",
        ),
        (
            {"max_df": 1.5},
            "The 'max_df' parameter of TextVectorizer must be an int >= 1 (documents) or a float "
            "in (0, 1] (fraction of documents). Got 1.5.",
        ),
        ({"max_features": 0}, "The 'max_features' parameter of TextVectorizer must be an int >= 1. Got 0."),
        (
            {"phrase_min_count": 0},
            "The 'phrase_min_count' parameter of TextVectorizer must be an int >= 1 or 'auto'. Got 0.",
        ),
        ({"stem": "yes"}, "The 'stem' parameter of TextVectorizer must be a bool. Got 'yes'."),
        (
            {"phrase_threshold": 2},
            "The 'phrase_threshold' parameter of TextVectorizer must be a float in [-1, 1]. Got 2.",
        ),
        (
            {"dtype": np.int32},
            "The 'dtype' parameter of TextVectorizer must be one of 'float32', 'float64'. "
            "Got <class 'numpy.int32'>.",
        ),
        ({"tokenizer": Tokenizer(min_length=0)}, "The 'min_length' parameter of Tokenizer must be an int >= 1. Got 0."),
        ({"tokenizer": "words"}, "The 'tokenizer' parameter of TextVectorizer must be None or a topicnmf Tokenizer. Got 'words'."),
        ({"n_jobs": 0}, "The 'n_jobs' parameter of TextVectorizer must be None, -1 or an int >= 1. Got 0."),
    ],
)
def test_invalid_parameters_raise_at_fit(kwargs, message):
    vec = TextVectorizer(**kwargs)  # construction only stores
    with pytest.raises(InputError, match=re.escape(message)):
        vec.fit(["orbit rocket"])


@pytest.mark.parametrize("kwargs", [{}, {"stem": True}, {"phrases": True}])
def test_all_stop_words_names_the_remedy(kwargs):
    message = (
        "No tokens are left in the texts passed to TextVectorizer.fit after removing stop words, "
        "numbers and tokens shorter than min_length=2; pass texts with words, or a tokenizer with "
        "stop_words=None or a smaller min_length."
    )
    with pytest.raises(InputError, match=re.escape(message)):
        TextVectorizer(min_df=1, **kwargs).fit(["the and of", "is it a 42 ?"])


@pytest.mark.parametrize("kwargs, n", [({}, "5"), ({"min_df": 2, "max_df": 1}, "2")])
def test_pruning_everything_names_the_remedy(kwargs, n):
    df = {"min_df": 5, "max_df": 0.5, **kwargs}
    message = (
        "No terms are left in the texts passed to TextVectorizer.fit after keeping those in at "
        f"least min_df={df['min_df']} and at most max_df={df['max_df']} of the 2 documents; lower 'min_df' or raise 'max_df'."
    )
    with pytest.raises(InputError, match=re.escape(message)):
        TextVectorizer(**kwargs).fit(["orbit rocket", "orbit moon"])


@pytest.mark.parametrize(
    "texts, message",
    [
        ("orbit rocket", "TextVectorizer.fit expects a collection of texts and got a single str; wrap it in a list."),
        (["orbit", None], "Text 1 passed to TextVectorizer.fit is a NoneType, not a str; decode or convert the texts first."),
        ([], "No texts were passed to TextVectorizer.fit; pass at least one text."),
        (42, "TextVectorizer.fit expects a collection of texts (str). Got int."),
    ],
)
def test_bad_texts(texts, message):
    with pytest.raises(InputError, match=re.escape(message)):
        TextVectorizer(min_df=1).fit(texts)
    fitted_vec = TextVectorizer(min_df=1, max_df=1.0).fit(["orbit"])
    if texts:
        with pytest.raises(InputError, match=re.escape(message.replace(".fit", ".transform"))):
            fitted_vec.transform(texts)


# ---------------------------------------------------------------------------
# 20 Newsgroups


@pytest.mark.slow
def test_defaults_on_20_newsgroups(twenty_ng_dir):
    from sklearn.decomposition import NMF
    from sklearn.metrics import normalized_mutual_info_score

    with gzip.open(twenty_ng_dir / "docs.jsonl.gz", "rt", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    texts, labels = [d["text"] for d in docs], [d["label"] for d in docs]
    vec = TextVectorizer()
    X, stream = vec.fit_transform_stream(texts)
    assert X.dtype == np.float32 and X.shape[0] == len(texts)
    assert stream.offsets[-1] == stream.ids.size and stream.ids.max() == X.shape[1] - 1
    W = NMF(20, init="nndsvda", random_state=0).fit_transform(X)
    assignment = W.argmax(1)
    assert normalized_mutual_info_score(labels, assignment) >= 0.50
    assert np.bincount(assignment, minlength=20).min() >= 0.005 * len(texts)
