"""Tests of topicnmf.preprocessing: tokenizer, stop words, stems, phrases, TF-IDF."""

import gzip
import json
import pickle
import re

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from topicnmf.errors import InputError
from topicnmf.preprocessing import TextVectorizer, Tokenizer, english_stop_words

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
# Stop words


def test_english_stop_words_is_a_frozenset_with_fragments_and_filler():
    words = english_stop_words()
    assert isinstance(words, frozenset)
    assert {"the", "and", "of", "ve", "ll", "don", "don't", "thanks", "hi", "just"} <= words
    assert not {"computer", "system", "space", "car", "new"} & words
    assert all(w == w.lower() and w.strip() == w and w for w in words)


def test_stop_word_file_has_a_comment_header():
    from importlib import resources

    text = resources.files("topicnmf").joinpath("data/stopwords_en.txt").read_text("utf-8")
    assert text.startswith("# English stop words")


# ---------------------------------------------------------------------------
# Tokenizer


@pytest.mark.parametrize(
    "text, kwargs, expected",
    [
        # case
        ("Hello GALAXY Orbit", {}, ["galaxy", "orbit"]),
        ("Galaxy orbit The", {"lowercase": False}, ["Galaxy", "orbit"]),
        # letters beyond ASCII; underscores separate (they are kept for phrases)
        ("Café naïve ÉCOLE", {}, ["café", "naïve", "école"]),
        ("foo_bar __init__", {}, ["foo", "bar", "init"]),
        # punctuation separates tokens and is dropped
        ("galaxy, orbit! (rocket) -- foo...bar", {}, ["galaxy", "orbit", "rocket", "foo", "bar"]),
        # URLs and e-mail addresses go whole
        ("see http://example.com/a?b=1 and www.foo.org/x now", {}, []),
        ("see http://example.com now", {"drop_urls": False}, ["http", "example", "com"]),
        ("mail john.doe@example.com <a1.b@host.edu> today", {}, ["mail", "today"]),
        ("mail john.doe@example.com", {"drop_emails": False}, ["mail", "john", "doe", "example", "com"]),
        # numbers: pure numbers dropped, letters-and-digits kept
        ("in 1993 the 486 ran mp3 and x11, 3.14 1,000", {}, ["ran", "mp3", "x11"]),
        ("in 1993 the 486 ran mp3", {"drop_numbers": False}, ["1993", "486", "ran", "mp3"]),
        # apostrophes: contractions whole (so they are stop words), possessive dropped
        ("don't I've we'll you're isn't", {}, []),
        ("don\u2019t I\u2019ve", {}, []),
        ("BMW's o'brien rock'n'roll students' 'quoted'", {}, ["bmw", "o'brien", "rock'n'roll", "students", "quoted"]),
        ("don't it's", {"stop_words": None, "min_length": 1}, ["don't", "it"]),
        # minimum length
        ("a ox car cars", {"stop_words": None}, ["ox", "car", "cars"]),
        ("a ox car cars", {"stop_words": None, "min_length": 4}, ["cars"]),
        # stop words: the shipped list, none, your own, extra ones
        ("the galaxy", {"stop_words": None}, ["the", "galaxy"]),
        ("the galaxy cat", {"stop_words": ["cat"]}, ["the", "galaxy"]),
        ("the galaxy cat", {"extra_stop_words": ["Cat"]}, ["galaxy"]),
        ("The Cat THE cat", {"lowercase": False, "extra_stop_words": ["cat"]}, []),
    ],
)
def test_tokenizer(text, kwargs, expected):
    assert Tokenizer(**kwargs)(text) == expected


MAIL = """From: jdoe@univ.edu (John Doe)
Subject: Re: Re: Shuttle launch window
Organization: University of Somewhere
Lines: 12

In article <1993Apr1.123@host.com>, someone@else.com (Someone Else) writes:
> the orbit decayed quickly
>>In article <1@b.com> crater@moon.edu (Crater Person) wrote:
> |> telescope mirror

The launch window opens tomorrow.

--
John Doe  |  Department of Philosophy  |  555-1234
"""


def test_tokenizer_strips_headers_and_signature_but_keeps_subject_and_quotes():
    tokens = Tokenizer()(MAIL)
    assert tokens[:3] == ["shuttle", "launch", "window"]
    gone = ("organization", "university", "lines", "jdoe", "article", "crater", "philosophy", "department")
    for word in gone:
        assert word not in tokens
    assert {"orbit", "telescope", "tomorrow"} <= set(tokens)


def test_tokenizer_strip_quotes_drops_quoted_and_attribution_lines():
    tokens = Tokenizer(strip_quotes=True)(MAIL)
    assert tokens == ["shuttle", "launch", "window", "launch", "window", "opens", "tomorrow"]


def test_tokenizer_without_stripping_sees_the_whole_mail():
    tokens = Tokenizer(strip_headers=False, strip_signatures=False)(MAIL)
    assert {"organization", "university", "lines", "philosophy", "article"} <= set(tokens)


@pytest.mark.parametrize(
    "text",
    [
        "Summary: the orbit of the moon\nDate: today\n\nBody text here.",
        "To: whom it may concern\nBody text here.",
        "From: a single header-like line\n\nBody text here.",
        "In article 5 of the treaty, the states agree.\nBody text here.",
    ],
)
def test_header_stripping_leaves_ordinary_text_alone(text):
    tok = Tokenizer()
    assert tok(text) == Tokenizer(strip_headers=False)(text)


def test_tokenize_with_breaks_marks_dropped_words_and_punctuation():
    tok = Tokenizer()
    assert tok.tokenize_with_breaks("New York is big. New York, mp3 1993") == [
        "new", "york", "", "big", "", "new", "york", "", "mp3", "",
    ]


def test_tokenizer_pickles_and_compares_by_parameters():
    tok = Tokenizer(min_length=3, extra_stop_words={"galaxy"}, strip_quotes=True)
    again = pickle.loads(pickle.dumps(tok))
    assert again == tok and hash(again) == hash(tok)
    assert again(MAIL) == tok(MAIL)
    assert repr(tok) == "Tokenizer(min_length=3, extra_stop_words=('galaxy',), strip_quotes=True)"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_length": 0}, "The 'min_length' parameter of Tokenizer must be an int >= 1. Got 0."),
        ({"min_length": 2.5}, "The 'min_length' parameter of Tokenizer must be an int >= 1. Got 2.5."),
        (
            {"stop_words": "french"},
            "The 'stop_words' parameter of Tokenizer must be 'english', None or a collection "
            "of str. Got 'french'.",
        ),
        (
            {"extra_stop_words": "foo"},
            "The 'extra_stop_words' parameter of Tokenizer must be a collection of str. Got 'foo'.",
        ),
        (
            {"stop_words": ["a", 1]},
            "The 'stop_words' parameter of Tokenizer must be a collection of str. Got an element 1.",
        ),
        ({"lowercase": "yes"}, "The 'lowercase' parameter of Tokenizer must be a bool. Got 'yes'."),
    ],
)
def test_tokenizer_rejects_bad_parameters(kwargs, message):
    with pytest.raises(InputError, match=re.escape(message)):
        Tokenizer(**kwargs)


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
def test_fit_transform_tokenize_equals_fit_transform_then_tokenize(kwargs):
    texts = phrase_corpus() + themed_corpus()[0]
    vec = TextVectorizer(min_df=2, **kwargs)
    X = vec.fit_transform(texts)
    tokens = vec.tokenize(texts)
    Y, tokens_once = TextVectorizer(min_df=2, **kwargs).fit_transform_tokenize(texts)
    assert (X != Y).nnz == 0
    assert tokens_once == tokens


# ---------------------------------------------------------------------------
# Persistence and the estimator contract


def fitted(**kwargs):
    texts = phrase_corpus() + themed_corpus()[0]
    params = {"min_df": 2, "max_df": 0.9, "phrase_min_count": 5, **kwargs}
    return TextVectorizer(**params).fit(texts), texts


@pytest.mark.parametrize("kwargs", [{}, {"stem": True, "phrases": True}])
def test_pickle_round_trip(kwargs):
    vec, texts = fitted(**kwargs)
    again = pickle.loads(pickle.dumps(vec))
    assert (again.transform(texts) != vec.transform(texts)).nnz == 0
    assert again.get_feature_names_out().tolist() == vec.get_feature_names_out().tolist()


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"stem": True, "phrases": True, "sublinear_tf": False, "dtype": np.float64},
     {"stop_words": {"orbit", "the"}, "extra_stop_words": ["apple"], "strip_quotes": True}],
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
    vec, texts = fitted(min_df=np.int64(2), stem=True)
    expected = vec.transform(texts)
    vec.set_params(stem=False, min_length=5, dtype=np.float64)  # after fit: not in the state
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
    ],
)
def test_from_dict_rejects_malformed_state(change, message):
    vec, _ = fitted()
    with pytest.raises(ValueError, match=re.escape(message)):
        TextVectorizer.from_dict(change(vec.to_dict()))


def test_clone_and_params():
    vec = TextVectorizer(min_df=3, stem=True)
    params = vec.get_params()
    assert params["min_df"] == 3 and params["stem"] is True and params["dtype"] is np.float32
    copy = clone(vec)
    assert copy.get_params() == params
    vec.set_params(max_df=0.7)
    assert vec.max_df == 0.7
    fitted_vec, texts = fitted()
    unfitted = clone(fitted_vec)
    assert not hasattr(unfitted, "vocabulary_")
    assert unfitted.get_params() == fitted_vec.get_params()


def test_fit_does_not_change_parameters():
    vec = TextVectorizer(min_df=1, stop_words=["orbit"], extra_stop_words=("moon",))
    before = vec.get_params()
    vec.fit(themed_corpus()[0])
    assert vec.get_params() == before


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
        ({"min_length": 0}, "The 'min_length' parameter of TextVectorizer must be an int >= 1. Got 0."),
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
        "numbers and tokens shorter than min_length=2; pass texts with words, or use "
        "stop_words=None or a smaller 'min_length'."
    )
    with pytest.raises(InputError, match=re.escape(message)):
        TextVectorizer(min_df=1, **kwargs).fit(["the and of", "is it a 42 ?"])


def test_pruning_everything_names_the_remedy():
    message = (
        "No terms are left in the texts passed to TextVectorizer.fit after keeping those in at "
        "least min_df=5 and at most max_df=0.5 of the 2 documents; lower 'min_df' or raise 'max_df'."
    )
    with pytest.raises(InputError, match=re.escape(message)):
        TextVectorizer().fit(["orbit rocket", "orbit moon"])


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
    X = vec.fit_transform(texts)
    assert X.dtype == np.float32 and X.shape[0] == len(texts)
    W = NMF(20, init="nndsvda", random_state=0).fit_transform(X)
    assignment = W.argmax(1)
    assert normalized_mutual_info_score(labels, assignment) >= 0.50
    assert np.bincount(assignment, minlength=20).min() >= 0.005 * len(texts)
