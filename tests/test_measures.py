"""Coherence measures and topic diversity, against gensim 4.4's CoherenceModel."""

import importlib
import gzip
import json
import re
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest

from topicnmf.errors import InputError

from topicnmf.measures import MEASURES, WINDOW_SIZES, coherence, topic_diversity

# the module behind topicnmf.coherence
coherence_module = importlib.import_module("topicnmf.measures")

gensim_corpora = pytest.importorskip("gensim.corpora")
gensim_models = pytest.importorskip("gensim.models")

ALL_MEASURES = sorted(MEASURES)
TOKEN = re.compile(r"\b\w\w+\b")


def gensim_scores(topics, texts, measure, window_size=None, top_n=None):
    """gensim's per-topic coherence on the same tokens (its reference numbers)."""
    kwargs = {} if top_n is None else {"topn": top_n}
    model = gensim_models.CoherenceModel(
        topics=topics,
        texts=[list(text) for text in texts],
        dictionary=gensim_corpora.Dictionary(texts),
        coherence=measure,
        window_size=window_size,
        processes=1,
        **kwargs,
    )
    return np.array(model.get_coherence_per_topic(), dtype=float)


def ours(topics, texts, measure, window_size=None, top_n=None):
    window_size = None if measure == "u_mass" else window_size
    return coherence(topics, texts, measure, window_size=window_size, top_n=top_n)


def random_case(rng, n_words=12, n_docs=8, max_len=30, n_topics=3, topic_len=5):
    """Texts with skewed word frequencies (so words repeat), some short or empty, and topics of seen words."""
    vocabulary = [f"w{i}" for i in range(n_words)]
    p = rng.dirichlet(np.full(n_words, 0.5))
    texts = [list(rng.choice(vocabulary, size=rng.integers(0, max_len + 1), p=p)) for _ in range(n_docs)]
    texts.append([])
    texts.append([vocabulary[0]])
    seen = sorted({word for text in texts for word in text})
    size = min(topic_len, len(seen))
    topics = [list(rng.choice(seen, size=size, replace=False)) for _ in range(n_topics)]
    return topics, texts


# -- equality with gensim ------------------------------------------------------------------------


@pytest.mark.parametrize("measure", ALL_MEASURES)
@pytest.mark.parametrize("seed", range(6))
def test_equals_gensim_on_random_texts(measure, seed):
    rng = np.random.default_rng(seed)
    topics, texts = random_case(rng)
    np.testing.assert_allclose(ours(topics, texts, measure), gensim_scores(topics, texts, measure), rtol=0, atol=1e-9)


@pytest.mark.parametrize("measure", ["c_npmi", "c_uci", "c_v"])
@pytest.mark.parametrize("window_size", [1, 2, 3, 7, 29, 30, 31, 200])
def test_equals_gensim_for_window_sizes_below_and_above_text_lengths(measure, window_size):
    rng = np.random.default_rng(window_size)
    topics, texts = random_case(rng, max_len=30)
    np.testing.assert_allclose(
        ours(topics, texts, measure, window_size),
        gensim_scores(topics, texts, measure, window_size),
        rtol=0,
        atol=1e-9,
    )


@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_equals_gensim_on_short_and_empty_texts(measure):
    texts = [[], ["a"], ["a", "b"], [], ["b", "a", "a", "c"], ["c"], ["a", "c", "b"], []]
    topics = [["a", "b", "c"], ["c", "a"]]
    for window_size in (None, 1, 2, 3, 4, 5):
        np.testing.assert_allclose(
            ours(topics, texts, measure, window_size),
            gensim_scores(topics, texts, measure, window_size),
            rtol=0,
            atol=1e-9,
        )


@pytest.mark.parametrize("measure", ["c_npmi", "c_v"])
def test_a_leaving_word_is_dropped_even_while_another_copy_is_inside(measure):
    # With windows of 3, "a" leaves the window at the second step while its
    # second copy is still inside: gensim drops it from the window's word set.
    texts = [["a", "x", "a", "b", "y", "z", "b", "a"], ["b", "a", "b", "b", "a"]]
    topics = [["a", "b", "x"]]
    ref = gensim_scores(topics, texts, measure, 3)
    np.testing.assert_allclose(ours(topics, texts, measure, 3), ref, rtol=0, atol=1e-9)


@pytest.mark.parametrize("measure", ALL_MEASURES)
@pytest.mark.parametrize("top_n", [2, 3, 4])
def test_top_n_equals_gensim_topn(measure, top_n):
    rng = np.random.default_rng(100 + top_n)
    topics, texts = random_case(rng, topic_len=6)
    np.testing.assert_allclose(
        ours(topics, texts, measure, top_n=top_n),
        gensim_scores(topics, texts, measure, top_n=top_n),
        rtol=0,
        atol=1e-9,
    )
    np.testing.assert_array_equal(
        ours(topics, texts, measure, top_n=top_n), ours([t[:top_n] for t in topics], texts, measure)
    )


@pytest.fixture(scope="module")
def sample_case(sample_corpus_dir):
    """Tokenised sample corpus and one topic per theme: the 10 words in most of its documents, no word twice."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS as stop

    texts, topics = [], []
    for theme in sorted(p for p in sample_corpus_dir.iterdir() if p.is_dir()):
        theme_texts = [TOKEN.findall(path.read_text(encoding="utf-8").lower()) for path in sorted(theme.glob("*.txt"))]
        counts = Counter(word for text in theme_texts for word in set(text) if word not in stop)
        ranked = [word for word, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
        taken = {word for topic in topics for word in topic}
        topics.append([word for word in ranked if word not in taken][:10])
        texts.extend(theme_texts)
    if len(texts) < 50:
        pytest.skip("the sample corpus is incomplete")
    return topics, texts


@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_equals_gensim_on_the_sample_corpus(sample_case, measure):
    topics, texts = sample_case
    scores = ours(topics, texts, measure)
    assert scores.shape == (len(topics),) and scores.dtype == np.float64
    np.testing.assert_allclose(scores, gensim_scores(topics, texts, measure), rtol=0, atol=1e-9)


def test_sample_corpus_themes_beat_shuffled_topics(sample_case):
    topics, texts = sample_case
    k = len(topics)
    mixed = [[topics[(i + j) % k][j] for j in range(len(topics[0]))] for i in range(k)]  # one word a theme
    assert coherence(topics, texts, "c_npmi").mean() > coherence(mixed, texts, "c_npmi").mean() + 0.1


@pytest.mark.slow
def test_equals_gensim_on_20_newsgroups(twenty_ng_dir):
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    with gzip.open(twenty_ng_dir / "docs_clean.jsonl.gz", "rt", encoding="utf-8") as f:
        docs = [json.loads(line)["text"] for line in f]
    texts = [[t for t in TOKEN.findall(doc.lower()) if t not in ENGLISH_STOP_WORDS] for doc in docs]
    topics = [
        ["god", "jesus", "bible", "christ", "faith", "church", "christian", "sin", "believe", "lord"],
        ["drive", "scsi", "ide", "disk", "hard", "drives", "controller", "floppy", "cd", "hd"],
        ["space", "nasa", "shuttle", "launch", "orbit", "earth", "moon", "mission", "data", "science"],
        ["game", "team", "hockey", "baseball", "season", "play", "players", "games", "year", "win"],
        ["key", "chip", "clipper", "encryption", "keys", "escrow", "government", "algorithm", "phone", "use"],
    ]
    np.testing.assert_allclose(
        coherence(topics, texts, "c_npmi"), gensim_scores(topics, texts, "c_npmi"), rtol=0, atol=1e-9
    )


# -- behaviour ------------------------------------------------------------------------------------


TEXTS = [["sun", "moon", "star"], ["sun", "star"], ["bread", "oven"], ["oven", "bread", "flour"], []]


def test_unseen_topic_words_are_left_out_with_a_warning():
    topics = [["sun", "comet", "star", "moon"], ["bread", "oven", "flour"]]
    for measure in ALL_MEASURES:
        with pytest.warns(UserWarning, match=re.escape("1 topic words never occur in the texts passed to coherence")):
            scores = coherence(topics, TEXTS, measure)
        expected = coherence([["sun", "star", "moon"], ["bread", "oven", "flour"]], TEXTS, measure)
        np.testing.assert_array_equal(scores, expected)
        # gensim leaves the word out as well: Dictionary(texts) does not know it
        np.testing.assert_allclose(scores, gensim_scores(topics, TEXTS, measure), rtol=0, atol=1e-9)


@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_topics_left_with_fewer_than_two_words_score_nan_without_crashing(measure):
    topics = [["comet", "nebula"], ["sun", "comet"], [], ["sun"], ["sun", "star"]]
    with pytest.warns(UserWarning, match="never occur in the texts"):
        scores = coherence(topics, TEXTS, measure)
    assert np.isnan(scores[:4]).all()
    assert np.isfinite(scores[4])


def test_no_texts_gives_nan_scores():
    with pytest.warns(UserWarning, match="never occur"):
        scores = coherence([["a", "b"]], [], "c_v")
    assert scores.shape == (1,) and np.isnan(scores).all()


def test_no_topics_gives_an_empty_array():
    scores = coherence([], TEXTS)
    assert scores.shape == (0,) and scores.dtype == np.float64


def test_repeated_topic_words_count_once_with_a_warning():
    with pytest.warns(UserWarning, match=re.escape("repeat words ('sun'); each word counts once")):
        scores = coherence([["sun", "star", "sun", "moon"]], TEXTS, "c_v")
    np.testing.assert_array_equal(scores, coherence([["sun", "star", "moon"]], TEXTS, "c_v"))


def test_window_size_with_u_mass_is_ignored_with_a_warning():
    with pytest.warns(UserWarning, match=re.escape("window_size=5 is ignored: u_mass counts documents")):
        scores = coherence([["sun", "star", "moon"]], TEXTS, "u_mass", window_size=5)
    np.testing.assert_array_equal(scores, coherence([["sun", "star", "moon"]], TEXTS, "u_mass"))


def test_default_window_sizes():
    assert WINDOW_SIZES == {"c_npmi": 10, "c_uci": 10, "c_v": 110, "u_mass": None}
    rng = np.random.default_rng(7)
    topics, texts = random_case(rng, max_len=150)
    for measure in ("c_npmi", "c_uci", "c_v"):
        np.testing.assert_array_equal(
            coherence(topics, texts, measure), coherence(topics, texts, measure, window_size=WINDOW_SIZES[measure])
        )


def test_any_sequence_of_token_sequences():
    rng = np.random.default_rng(3)
    topics, texts = random_case(rng)
    expected = coherence(topics, texts, "c_npmi", window_size=4)
    as_tuples = tuple(tuple(text) for text in texts)
    as_arrays = [np.array(text, dtype=str) for text in texts]
    as_iterator = iter(texts)
    for variant in (as_tuples, as_arrays, as_iterator):
        np.testing.assert_array_equal(coherence(topics, variant, "c_npmi", window_size=4), expected)


@pytest.mark.parametrize(
    "rename",
    [
        pytest.param(lambda w: w + "\x00" + w, id="token-separator-in-tokens"),
        pytest.param(lambda w: "\x01" + w, id="document-separator-in-tokens"),
        pytest.param(lambda w: w + "é", id="latin-1"),
        pytest.param(lambda w: w + "日本", id="utf-8"),
        pytest.param(lambda w: w + "\udc80", id="lone-surrogate"),
        pytest.param(lambda w: int(w[1:]), id="int-tokens"),
        pytest.param(lambda w: w[:1] if w == "w0" else w, id="prefix-of-others"),
        pytest.param(lambda w: "" if w == "w1" else w, id="empty-token"),
    ],
)
@pytest.mark.parametrize("measure", ["c_npmi", "u_mass"])
def test_scores_depend_only_on_which_tokens_are_equal(rename, measure):
    rng = np.random.default_rng(11)
    topics, texts = random_case(rng)
    renamed_texts = [[rename(w) for w in text] for text in texts]
    renamed_topics = [[rename(w) for w in topic] for topic in topics]
    np.testing.assert_array_equal(
        coherence(renamed_topics, renamed_texts, measure), coherence(topics, texts, measure)
    )


def test_texts_are_counted_in_chunks_without_changing_the_counts(monkeypatch):
    rng = np.random.default_rng(5)
    topics, texts = random_case(rng, n_docs=30)
    expected = {measure: coherence(topics, texts, measure) for measure in ALL_MEASURES}
    monkeypatch.setattr(importlib.import_module("topicnmf.measures._counts"), "_CHUNK_TOKENS", 7)
    for measure in ALL_MEASURES:
        np.testing.assert_array_equal(coherence(topics, texts, measure), expected[measure])


def test_counts_of_chunks_add_up_to_the_counts_of_the_whole():
    rng = np.random.default_rng(6)
    topics, texts = random_case(rng, n_docs=40)
    counts = coherence_module.CoherenceCounts(topics, measures=ALL_MEASURES)
    for start in range(0, len(texts), 7):
        counts.add_texts(texts[start:start + 7])
    for measure in ALL_MEASURES:
        np.testing.assert_array_equal(counts.scores(measure), coherence(topics, texts, measure))


@pytest.mark.parametrize("measure", ALL_MEASURES)
def test_term_id_streams_score_as_the_decoded_texts(measure):
    rng = np.random.default_rng(7)
    topics, texts = random_case(rng, n_docs=25)
    vocabulary = sorted({w for text in texts for w in text} | {w for topic in topics for w in topic})
    index = {w: i for i, w in enumerate(vocabulary)}
    rare = set(vocabulary[::5]) - {w for topic in topics for w in topic}  # out of the vocabulary: -1
    ids = np.array([-1 if w in rare else index[w] for text in texts for w in text], dtype=np.int32)
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in texts])])
    topic_ids = [[index[w] for w in topic] for topic in topics]
    np.testing.assert_array_equal(
        coherence_module.coherence_from_ids(topic_ids, ids, offsets, measure),
        coherence(topics, [[w if w not in rare else "" for w in t] for t in texts], measure),
    )


def test_measures_are_pure_functions_of_counts():
    occurrences = np.array([4, 3, 2])
    co_occurrences = np.array([[4, 2, 1], [2, 3, 0], [1, 0, 2]])
    for name, measure in MEASURES.items():
        value = measure(occurrences, co_occurrences, 10)
        assert isinstance(value, float), name
        assert value == measure(occurrences.copy(), co_occurrences.copy(), 10)
    # c_npmi by hand for the pair (0, 1): log((0.2 + eps) / (0.4 * 0.3)) / -log(0.2 + eps)
    eps = 1e-12
    npmi = lambda a, b, ab: np.log((ab + eps) / (a * b)) / -np.log(ab + eps)  # noqa: E731
    by_hand = np.mean([npmi(0.4, 0.3, 0.2), npmi(0.4, 0.2, 0.1), npmi(0.3, 0.2, 0.0)])
    assert MEASURES["c_npmi"](occurrences, co_occurrences, 10) == pytest.approx(by_hand, abs=1e-12)


def test_importing_compiles_nothing():
    code = "import sys, topicnmf.measures; assert 'numba' not in sys.modules, 'numba imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- topic diversity -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "topics, top_n, expected",
    [
        ([["a", "b", "c"], ["d", "e", "f"]], None, 1.0),
        ([["a", "b", "c"], ["a", "b", "c"]], None, 0.5),
        ([["a", "b", "c"], ["c", "d", "e"]], None, 5 / 6),
        ([["a", "b", "c"], ["c", "d", "e"]], 2, 1.0),
        ([["a", "b", "c"], ["d", "a", "e"]], 2, 3 / 4),
        ([["a", "a", "b"]], None, 2 / 3),
        ([["a", "b"], ["c", "d", "e", "f"]], 3, 1.0),
    ],
)
def test_topic_diversity(topics, top_n, expected):
    assert topic_diversity(topics, top_n=top_n) == pytest.approx(expected)


# -- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"measure": "x"},
            "The 'measure' parameter of coherence must be one of 'c_npmi', 'c_uci', 'c_v', 'u_mass'. Got 'x'.",
        ),
        ({"measure": "c_w2v"}, "must be one of 'c_npmi', 'c_uci', 'c_v', 'u_mass'. Got 'c_w2v'."),
        ({"window_size": 0}, "The 'window_size' parameter of coherence must be a positive int or None. Got 0."),
        ({"window_size": 2.5}, "The 'window_size' parameter of coherence must be a positive int or None. Got 2.5."),
        ({"window_size": True}, "The 'window_size' parameter of coherence must be a positive int or None. Got True."),
        ({"top_n": -1}, "The 'top_n' parameter of coherence must be a positive int or None. Got -1."),
        ({"topics": "sun star"}, "The 'topics' parameter of coherence must be a list of word lists. Got 'sun star'."),
        ({"topics": ["sun star"]}, "a topic is a str: 'sun star'. Pass [[word, word, ...], ...]."),
        ({"texts": "sun star"}, "The 'texts' parameter of coherence must be a list of token lists. Got 'sun star'."),
        ({"texts": ["sun star", "moon"]}, "some texts are str. Tokenize them first"),
    ],
)
def test_coherence_errors(kwargs, message):
    arguments = {"topics": [["sun", "star"]], "texts": TEXTS, **kwargs}
    with pytest.raises(InputError, match=re.escape(message)):
        coherence(**arguments)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"top_n": 0}, "The 'top_n' parameter of topic_diversity must be a positive int or None. Got 0."),
        ({"topics": []}, "The 'topics' parameter of topic_diversity holds no words. Pass at least one topic word."),
        ({"topics": [[], []]}, "The 'topics' parameter of topic_diversity holds no words."),
        ({"topics": ["abc"]}, "The 'topics' parameter of topic_diversity must be a list of word lists; a topic is"),
    ],
)
def test_topic_diversity_errors(kwargs, message):
    arguments = {"topics": [["sun", "star"]], **kwargs}
    with pytest.raises(InputError, match=re.escape(message)):
        topic_diversity(**arguments)

