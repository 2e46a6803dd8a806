"""The report page and its explorer's data: distances, the map, relevance, agreement, escaping, snippets.

What the page does in a browser is tested in tests/test_browser.py; this file pins the
numbers the page embeds and the HTML it is made of.
"""

import gzip
import json
import re
from itertools import islice

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon, pdist, squareform
from sklearn.metrics import normalized_mutual_info_score

from topicnmf import TextVectorizer, TopicModel, reporting
from topicnmf.model._documents import SNIPPET_CHARS, snippet
from topicnmf.reporting import explorer
from topicnmf.reporting.page import PageData, asset, render_page

LAMBDAS = np.linspace(0.0, 1.0, 101)


def _embedded(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', page, re.S)
    assert match, "the page embeds its data"
    return json.loads(match.group(1))


def _ranked(p, log_p_word, words, lam):
    """The page's order: relevance, then larger p(w|t), then vocabulary order."""
    log_p = np.log(p)
    r = lam * log_p + (1 - lam) * (log_p - log_p_word[words])
    return [words[i] for i in np.lexsort((words, -p, -r))]


# -- distances and the map ---------------------------------------------------------------------


def test_topic_distances_are_jensen_shannon():
    rng = np.random.default_rng(0)
    P = rng.random((5, 40)) * (rng.random((5, 40)) < 0.5)
    P /= P.sum(axis=1, keepdims=True)
    D = explorer.topic_distances(P)
    expected = np.array([[jensenshannon(p, q, base=2) for q in P] for p in P])
    np.testing.assert_allclose(D, expected, atol=1e-7)
    assert np.allclose(D, D.T) and np.all(np.diag(D) == 0) and D.min() >= 0 and D.max() <= 1
    disjoint = explorer.topic_distances([[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5], [0.5, 0.5, 0, 0]])
    np.testing.assert_allclose(disjoint, [[0, 1, 0], [1, 0, 1], [0, 1, 0]], atol=1e-12)


def test_classical_mds_recovers_planar_points():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(7, 2))
    X = explorer.classical_mds(squareform(pdist(points)))
    np.testing.assert_allclose(pdist(X), pdist(points), atol=1e-9)
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-12)
    for column in X.T:
        assert column[np.argmax(np.abs(column))] > 0, "signs are fixed"
    mirrored = explorer.classical_mds(squareform(pdist(points * [-1, 1])))
    np.testing.assert_allclose(np.abs(mirrored), np.abs(X), atol=1e-9)


@pytest.mark.parametrize("D", [[[0.0]], [[0.0, 0.6], [0.6, 0.0]]])
def test_classical_mds_of_one_or_two_topics(D):
    X = explorer.classical_mds(D)
    assert X.shape == (len(D), 2) and np.all(X[:, 1] == 0)
    assert np.allclose(pdist(X), pdist(np.asarray(D)[:, :1]) if len(D) == 1 else [0.6])


# -- relevance --------------------------------------------------------------------------------


def test_word_distributions_use_the_mass_of_w_h(model):
    P, p_word = explorer.word_distributions(model.components_, model.topic_shares_)
    np.testing.assert_allclose(P.sum(axis=1), 1)
    mass = model.doc_topic_.astype(np.float64).sum(axis=0) @ model.components_.astype(np.float64)
    np.testing.assert_allclose(p_word, mass / mass.sum(), rtol=1e-6)


def test_relevance_ends_are_weight_and_lift():
    P = np.array([[0.5, 0.3, 0.2, 0.0], [0.1, 0.1, 0.4, 0.4]])
    p_word = np.array([0.3, 0.2, 0.3, 0.2])
    np.testing.assert_allclose(explorer.relevance(P, p_word, 1.0)[:, :3], np.log(P[:, :3]))
    np.testing.assert_allclose(explorer.relevance(P, p_word, 0.0)[0, :3], np.log(P[0, :3] / p_word[:3]))
    assert explorer.relevance(P, p_word, 0.5)[0, 3] == -np.inf


def test_relevance_candidates_hold_every_top_n_at_every_lambda():
    rng = np.random.default_rng(2)
    H = rng.random((4, 300)) ** 4 * (rng.random((4, 300)) < 0.6)
    H[:, :20] = np.round(H[:, :20], 1)  # ties
    shares = np.array([0.4, 0.3, 0.2, 0.1])
    P, p_word = explorer.word_distributions(H, shares)
    for t in range(4):
        candidates = explorer.relevance_candidates(P[t], p_word, 10)
        assert np.all(np.diff(P[t, candidates]) <= 0), "by decreasing p(w|t)"
        assert len(candidates) < np.count_nonzero(P[t])
        words = np.flatnonzero(P[t] > 0)
        log_p_word = np.log(p_word, where=p_word > 0, out=np.full_like(p_word, -np.inf))
        for lam in LAMBDAS:
            top = _ranked(P[t, words], log_p_word, words, lam)[:10]
            assert set(top) <= set(candidates.tolist()), (t, lam)


# -- agreement with labels ------------------------------------------------------------------


def test_label_agreement_counts_nmi_and_purity():
    labels = ["a", "a", "a", "b", "b", "c", "c", "x"]
    top = np.array([0, 0, 1, 1, 1, 2, 0, -1])
    agreement = explorer.label_agreement(labels, top, 3)
    assert agreement["counts"].index.tolist() == ["a", "b", "c"]
    assert agreement["counts"].to_numpy().tolist() == [[2, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert agreement["documents"] == 7
    assert agreement["purity"] == pytest.approx((2 + 2 + 1) / 7)
    assert agreement["nmi"] == pytest.approx(normalized_mutual_info_score(labels[:7], top[:7]))


# -- the embedded data ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def data(model):
    representatives = reporting.representative_docs(model, n=3)
    scores = model.coherence("c_npmi")
    return explorer.explorer_data(model, representatives=representatives, scores=scores, measure="c_npmi")


def test_explorer_data_describes_every_topic(model, data):
    assert [t["topic"] for t in data["topics"]] == list(range(model.n_topics_))
    assert [t["label"] for t in data["topics"]] == model.topic_labels_
    assert [t["size"] for t in data["topics"]] == model.topic_sizes_.tolist()
    np.testing.assert_allclose([t["share"] for t in data["topics"]], model.topic_shares_, rtol=1e-3)
    xy = np.array([[t["x"], t["y"]] for t in data["topics"]])
    assert np.abs(xy).max() == pytest.approx(1.0)
    np.testing.assert_allclose([t["coherence"] for t in data["topics"]], model.coherence("c_npmi"), atol=1e-3)
    table = reporting.representative_docs(model, n=3)
    for topic in data["topics"]:
        docs = table[table["topic"] == topic["topic"]]
        assert [d[0] for d in topic["docs"]] == docs["doc_id"].tolist()
        assert [d[3] for d in topic["docs"]] == docs["snippet"].tolist()


def test_explorer_data_reranks_exactly_and_finds_top_words(model, data):
    vocab = np.asarray(data["vocab"])
    assert list(vocab) == sorted(vocab, key=list(model.vocabulary_).index), "vocabulary order kept"
    log_p_word = np.log(np.asarray(data["p_word"]))
    P, p_word = explorer.word_distributions(model.components_, model.topic_shares_)
    index = {w: i for i, w in enumerate(model.vocabulary_)}
    for topic, top_words in zip(data["topics"], model.top_words(10)):
        words = np.asarray(topic["words"])
        p = np.asarray(topic["p"])
        assert set(top_words) <= set(vocab[words]), "the top words are searchable"
        terms = np.array([index[w] for w in vocab[words]])
        np.testing.assert_allclose(p, P[topic["topic"], terms], rtol=1e-3)
        full = np.flatnonzero(P[topic["topic"]] > 0)
        for lam in (0.0, 0.3, 0.6, 1.0):
            shown = _ranked(p, log_p_word, words, lam)[: data["n_words"]]
            exact = _ranked(P[topic["topic"], full], np.log(p_word), full, lam)[: data["n_words"]]
            assert [model.vocabulary_[t] for t in exact] == list(vocab[shown]) or lam == 0.0 or (
                set(vocab[shown]) == {model.vocabulary_[t] for t in exact}
            )


# -- escaping ------------------------------------------------------------------------------


def test_json_script_cannot_be_ended_by_the_data():
    hostile = {"s": "</script><script>alert(1)</script> <!-- & \u2028 \udcff", "n": float("nan")}
    block = explorer.json_script(hostile, "explorer-data")
    inner = block[block.index(">") + 1 : -len("</script>")]
    assert "<" not in inner and ">" not in inner and "&" not in inner and inner.isascii()
    assert json.loads(inner) == {"s": hostile["s"], "n": None}


def test_page_embeds_hostile_text_inertly(tmp_path, three_themes):
    attack = "</script><script>alert('x')</script> <!-- the striker & goal"
    docs = three_themes + [attack + " striker goal penalty"] * 3
    labels = ["sport"] * len(docs)
    from topicnmf import Corpus

    model = TopicModel(n_topics=3, vectorizer=TextVectorizer(min_df=1), random_state=0).fit(
        Corpus.from_texts(docs, labels=labels)
    )
    model.set_topic_labels({0: "<img src=x onerror=alert(1)>"})
    reporting.write_report(model, tmp_path, n_representative=10)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "<img src=x" not in page and "alert('x')</script>" not in page
    data = _embedded(page)
    assert data["topics"][0]["label"] == "<img src=x onerror=alert(1)>"
    assert any(doc[3].startswith("</script>") for t in data["topics"] for doc in t["docs"])


# -- the page --------------------------------------------------------------------------------


def _page_data(model, **extra):
    representatives = reporting.representative_docs(model, n=2)
    return PageData(
        n_docs=len(model.doc_ids_), n_terms=len(model.vocabulary_), n_topics=model.n_topics_, top_n=5,
        summary=reporting.topic_summary(model, top_n=5, measure=None), representatives=representatives,
        **extra,
    )


def test_page_without_explorer_has_no_script(small_model):
    page = render_page(_page_data(small_model))
    assert "<script" not in page and 'id="explorer"' not in page


def test_page_with_explorer_is_one_file(small_model):
    data = explorer.explorer_data(small_model, representatives=reporting.representative_docs(small_model))
    page = render_page(_page_data(small_model, explorer=data))
    assert _embedded(page) == json.loads(json.dumps(data))
    assert asset("explorer.js") in page and "<noscript>" in page
    assert "</script" not in asset("explorer.js") and "<!--" not in asset("explorer.js")
    assert not re.search(r"\b(src|href|action)\s*=|url\(|@import|fetch\(|XMLHttpRequest|import\(", page)
    assert re.search(r'<section id="explorer" class="explorer" hidden>', page), "hidden until the script runs"


def test_page_shows_label_agreement(model):
    W = model.doc_topic_
    top = np.where(W.sum(axis=1) > 0, W.argmax(axis=1), -1)
    agreement = explorer.label_agreement(model.doc_labels_, top, model.n_topics_)
    page = render_page(_page_data(model, agreement=agreement))
    assert "Topics and known labels" in page
    assert f"Normalised mutual information {agreement['nmi']:.3f}, purity {agreement['purity']:.3f}" in page
    for label in agreement["counts"].index:
        assert f"<td>{label}</td>" in page


def test_run_section_reads_as_a_summary(small_model, tmp_path):
    reporting.write_outputs(small_model, tmp_path / "run")
    page = (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    start = page.index('<h2 id="run">')
    run = page[start : page.index("<script>", start)]
    assert "class '" not in run and "class &#x27;" not in run and "numpy.float" not in run
    assert not re.search(r"\d\.\d{5,}", run), "numbers are rounded"
    assert re.search(r'<p class="summary">3 topics of 18 documents, factorised by hals in \d+ iterations; '
                     r'fitting took \d+\.\d s( and the report \d+\.\d s)? \(', run)


# -- snippets ---------------------------------------------------------------------------------


POST = """From: ann@example.org (Ann)
Subject: Re: Launch windows
Organization: Somewhere
Lines: 12

In article <1993@example.com>, bob@example.com writes:
> Quoted words of someone else.
The launch window opens tomorrow and the orbit is set.
--
Ann, signing off
"""


def test_snippet_is_the_cleaned_text_cut_on_a_word():
    assert snippet(POST) == "Launch windows The launch window opens tomorrow and the orbit is set."
    short = snippet(POST, 30)
    assert short == "Launch windows The launch\u2026" and len(short) <= 30
    assert snippet("> only a quote\n> and more") == "> only a quote > and more"
    assert snippet("x" * 400).endswith("\u2026") and len(snippet("x" * 400)) == SNIPPET_CHARS


def test_model_stores_clean_snippets(three_themes):
    model = TopicModel(n_topics=3, vectorizer=TextVectorizer(min_df=1), random_state=0).fit(three_themes + [POST] * 3)
    assert model.doc_snippets_[-1] == snippet(POST)
    assert not any(s.startswith(("From:", "Subject:")) for s in model.doc_snippets_)


HEADER_LINE = re.compile(
    r"(from|subject|organization|lines|nntp-posting-host|distribution|reply-to|keywords|message-id|path"
    r"|newsgroups|sender|date|references|article-i\.d\.|x-[\w-]+)\s*:",
    re.I,
)


@pytest.mark.slow
def test_no_20_newsgroups_snippet_starts_with_a_header_line(twenty_ng_dir):
    with gzip.open(twenty_ng_dir / "docs.jsonl.gz", "rt", encoding="utf-8") as lines:
        texts = [json.loads(line)["text"] for line in islice(lines, None)]
    starts = pd.Series([snippet(text)[:60] for text in texts])
    bad = starts[starts.str.match(HEADER_LINE)]
    assert bad.empty, f"{len(bad)} snippets start with a header line, e.g. {bad.iloc[:3].tolist()}"
