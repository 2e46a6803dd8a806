"""Seeded topics: TopicModel(seed_topics=...), the seed file and topicnmf fit --seed-topics."""

import re
import warnings

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score
from typer.testing import CliRunner

from topicnmf import InputError, TopicModel, read_corpus, read_seed_topics
from topicnmf.cli import app
from topicnmf.measures import top_topics

SEEDS = {
    "space": ["telescope", "planet", "galaxy"],
    "kitchen": ["recipe", "oven", "sauce"],
    "money": ["mortgage", "savings", "pension"],
}


@pytest.fixture(scope="module")
def corpus(sample_corpus_dir):
    return read_corpus(sample_corpus_dir)


@pytest.fixture(scope="module")
def seeded(corpus):
    return TopicModel(8, seed_topics=SEEDS, random_state=0).fit(corpus)


def _nmi(model, corpus):
    return normalized_mutual_info_score(corpus.labels, model.doc_topic_.argmax(axis=1))


def test_seeded_topics_carry_names_and_keep_seed_words(seeded):
    assert set(seeded.seed_topic_ids_) == set(SEEDS)
    top = seeded.top_words(10)
    for name, topic in seeded.seed_topic_ids_.items():
        assert seeded.topic_labels_[topic] == name
        assert set(SEEDS[name]) <= set(top[topic])
    assert len(set(seeded.seed_topic_ids_.values())) == 3
    assert seeded.seed_words_missing_ == {}


def test_seeds_steer_without_forcing_junk(seeded, corpus):
    """Seeded topics take their theme's documents; the unseeded themes are still found."""
    assert _nmi(seeded, corpus) >= 0.985  # unseeded: 0.977; seeded: 0.989
    labels = np.asarray(corpus.labels)
    top = seeded.doc_topic_.argmax(axis=1)
    for name, theme in [("space", "astronomy"), ("kitchen", "cooking"), ("money", "personal_finance")]:
        assert (top[labels == theme] == seeded.seed_topic_ids_[name]).mean() > 0.8
    for theme in ["football", "gardening", "medicine", "music", "programming"]:
        assert np.bincount(top[labels == theme]).max() / (labels == theme).sum() > 0.8


def test_every_theme_seeded(corpus):
    """All eight themes seeded: the seeds raise the NMI and stay on top."""
    seeds = dict(SEEDS, football=["goal", "striker", "match"], gardening=["soil", "compost", "garden"],
                 medicine=["patients", "symptoms", "vaccine"], music=["guitar", "piano", "chord"],
                 programming=["code", "bugs", "database"])
    model = TopicModel(8, seed_topics=seeds, random_state=0).fit(corpus)
    assert _nmi(model, corpus) >= 0.98  # unseeded: 0.977; seeded: 0.983 (0.994 with seed_strength=0)
    top = model.top_words(10)
    for name, topic in model.seed_topic_ids_.items():
        assert set(seeds[name]) <= set(top[topic])


def test_missing_seed_words_are_reported(corpus):
    seeds = {"space": ["telescope", "zzyzxq"], "odd": ["qqqxx"]}
    with pytest.warns(UserWarning, match=re.escape("Seed words not in the vocabulary of TopicModel.fit "
                                                   "(space: zzyzxq; odd: qqqxx)")):
        model = TopicModel(8, seed_topics=seeds, random_state=0).fit(corpus)
    assert model.seed_words_missing_ == {"space": ["zzyzxq"], "odd": ["qqqxx"]}
    assert model.topic_labels_[model.seed_topic_ids_["space"]] == "space"
    # a seed topic with no word in the vocabulary stays empty: it takes no cluster
    assert model.topic_sizes_[model.seed_topic_ids_["odd"]] == 0
    assert not model.components_[model.seed_topic_ids_["odd"]].any()


def test_seed_of_an_absent_theme_takes_no_cluster(corpus):
    """Seed words that occur here and there, of a theme the corpus does not hold: the topic stays
    small (only documents that use its words) and the eight themes are still found."""
    with pytest.warns(UserWarning, match=re.escape("Few documents back the seed topics 'travel' of TopicModel.fit")):
        model = TopicModel(9, seed_topics={**SEEDS, "travel": ["travel", "car", "city"]}, random_state=0).fit(corpus)
    labels = np.asarray(corpus.labels)
    top = model.doc_topic_.argmax(axis=1)
    travel = top == model.seed_topic_ids_["travel"]
    assert travel.sum() < 0.03 * len(labels)  # 3 of 416
    X = model.vectorizer_.transform(np.asarray(corpus.texts)[travel])
    words = [list(model.vocabulary_).index(w) for w in ("travel", "car", "city")]
    assert (X[:, words].sum(axis=1) > 0).all()  # each uses a seed word
    assert normalized_mutual_info_score(labels[~travel], top[~travel]) >= 0.98  # 0.994


def test_seed_strength_pulls_seeded_topics(corpus):
    """A whole-fit pull keeps the seeded topics on their themes too."""
    model = TopicModel(8, seed_topics=SEEDS, seed_strength=0.1, random_state=0).fit(corpus)
    labels = np.asarray(corpus.labels)
    top = model.doc_topic_.argmax(axis=1)
    for name, theme in [("space", "astronomy"), ("kitchen", "cooking"), ("money", "personal_finance")]:
        assert (top[labels == theme] == model.seed_topic_ids_[name]).mean() > 0.8
    assert _nmi(model, corpus) >= 0.95


def test_seeded_kmeans_moves_supported_centroids_only():
    """Seeded k-means: a centroid moves to its documents' mean; one whose documents do not use
    its seed words (an absent theme) stays, and so does one with no document."""
    import scipy.sparse as sp

    from topicnmf.seeding import _seeded_kmeans

    X = sp.csr_matrix(np.array([[1.0, 1.0, 0, 0, 0], [1.0, 0.5, 0, 0, 0], [0, 0, 1.0, 1.0, 0],
                                [0, 0, 1.0, 0.5, 0]]))
    R = np.asarray(X @ np.eye(5)[[0, 2, 4]].T)  # seeds: word 0, word 2, word 4 (used by no document)
    start = np.eye(5)[[0, 3, 4]]  # the second seeded centroid starts on word 3, which all its documents use
    start[1] = [0, 0, 0.1, 1.0, 0]
    C, top = _seeded_kmeans(X, start, R)
    np.testing.assert_array_equal(top, [0, 0, 1, 1])
    np.testing.assert_allclose(C[0], [0.8, 0.6, 0, 0, 0], atol=1e-12)  # mean of documents 0 and 1, unit
    np.testing.assert_allclose(C[1], [0, 0, 0.8, 0.6, 0], atol=1e-12)
    np.testing.assert_array_equal(C[2], np.eye(5)[4])  # no document: stays
    R[:, 1] = [0, 0, 0, 1.0]  # only one of its two documents uses the seed: 0.5 >= MIN_SUPPORT, it moves
    np.testing.assert_allclose(_seeded_kmeans(X, start, R)[0][1], C[1])
    R[:, 1] = 0  # none uses it: the centroid stays where its seeds put it
    np.testing.assert_allclose(_seeded_kmeans(X, start, R)[0][1], start[1] / np.linalg.norm(start[1]))


def test_association_weights():
    """A term used by one cluster only weighs 1, one used alike by all 0, one in between between."""
    import scipy.sparse as sp

    from topicnmf.seeding import _association_weights

    X = sp.csr_matrix(np.array([[1.0, 1.0, 2.0, 0], [1.0, 1.0, 0, 0], [0, 1.0, 1.0, 0], [0, 1.0, 0, 0]]))
    w = _association_weights(X, np.array([0, 0, 1, 1]), 2)
    np.testing.assert_allclose(w[[0, 1, 3]], [1.0, 0.0, 1.0], atol=1e-12)  # term 3 is unused: no effect
    assert 0 < w[2] < 1  # means 1.0 and 0.5 over the two clusters
    assert _association_weights(X, np.array([0, 0, 1, -1]), 2)[1] == pytest.approx(0.0)  # -1: in no cluster


def test_reweighted_kmeans_keeps_an_absent_theme_in_place():
    """Through the reweighting rounds a seeded centroid whose documents do not use its seed words
    stays where its seeds put it; the supported clusters keep their documents."""
    import scipy.sparse as sp

    from topicnmf.seeding import _reweighted_kmeans

    rows = [[1.0, 1, 0, 0, 0.2]] * 4 + [[0, 0.2, 1, 1, 0.2]] * 4
    X = sp.csr_matrix(np.array(rows) / np.linalg.norm(rows, axis=1, keepdims=True))
    R = np.asarray(X @ np.eye(5)[[0, 2, 4]].T)[:, :2]  # the third centroid's seed word is used by none
    R = np.hstack([R, np.zeros((8, 1))])
    start = np.eye(5)[[0, 2, 4]]
    C, top = _reweighted_kmeans(X, start, R)
    np.testing.assert_array_equal(top, [0] * 4 + [1] * 4)
    np.testing.assert_array_equal(C[2], np.eye(5)[4])


def test_self_training_relabels_a_misplaced_document():
    """The cross-fitted classifier gives a document the label its words say, not the one its
    cluster gave it; a cluster too small to train on keeps its documents."""
    import scipy.sparse as sp

    from topicnmf.seeding import _self_trained

    rng = np.random.RandomState(0)
    a, b = (0.5 + rng.rand(20, 5) / 2) * [1, 1, 0, 0, 0.3], (0.5 + rng.rand(20, 5) / 2) * [0, 0, 1, 1, 0.3]
    a[3] = [1.0, 0.8, 0, 0, 0.1]
    X = sp.csr_matrix(np.vstack([a, b, [[0, 0, 0, 0, 1.0]] * 2]))
    top = np.array([0] * 20 + [1] * 20 + [2, 2])
    top[3] = 1  # a document of cluster 0 misplaced
    out = _self_trained(X, top, np.random.RandomState(0))
    np.testing.assert_array_equal(out[:40], [0] * 20 + [1] * 20)
    np.testing.assert_array_equal(out[40:], [2, 2])
    one = np.where(top == 1, 0, top)  # one cluster to train on besides a small one: nothing to learn
    np.testing.assert_array_equal(_self_trained(X, one, np.random.RandomState(0)), one)


def test_seeds_survive_save_and_load(seeded, tmp_path):
    loaded = TopicModel.load(seeded.save(tmp_path / "model"))
    assert loaded.seed_topic_ids_ == seeded.seed_topic_ids_
    assert loaded.topic_labels_ == seeded.topic_labels_


@pytest.mark.parametrize(
    "seeds, message",
    [
        ({"a": ["x"], "b": ["y"], "c": ["z"]},
         "The 'seed_topics' parameter of TopicModel names 3 topics, more than n_topics=2; ask for at least 3 topics."),
        (["space"], "The 'seed_topics' parameter of TopicModel must be None or a dict of topic name to a list of "
                    "seed words. Got ['space']."),
        ({"a": []}, "The 'seed_topics' parameter of TopicModel must give each topic at least one non-empty seed "
                    "word. Got 'a': []."),
        ({"a": ["cats"]}, "The 'seed_strength' parameter of TopicModel must be a float >= 0. Got -1."),
    ],
)
def test_seed_errors(seeds, message):
    with pytest.raises(InputError, match=re.escape(message)):
        TopicModel(2, seed_topics=seeds, seed_strength=-1 if "seed_strength" in message else 0.0).fit(
            ["cats purr", "dogs bark"])


def test_read_seed_topics(tmp_path):
    path = tmp_path / "seeds.txt"
    path.write_text("# seeds\nspace: nasa orbit shuttle\n\nhockey : team, season\n", encoding="utf-8")
    assert read_seed_topics(path) == {"space": ["nasa", "orbit", "shuttle"], "hockey": ["team", "season"]}
    path.write_text("space nasa\n", encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(f"Line 1 of the seed topics file '{path}' is not "
                                                   "'name: word word ...'")):
        read_seed_topics(path)


def test_cli_fit_with_seed_topics(sample_corpus_dir, tmp_path):
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("space: telescope planet orbit\n", encoding="utf-8")
    out = tmp_path / "run"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = CliRunner().invoke(app, ["fit", str(sample_corpus_dir), "-k", "8", "--seed-topics", str(seeds),
                                          "--seed-strength", "0.05", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert TopicModel.load(out / "model").seed_topic_ids_.keys() == {"space"}
    assert "space" in TopicModel.load(out / "model").topic_labels_


@pytest.mark.slow
def test_seeds_raise_nmi_on_news_sections(news_sections):
    texts, labels, _ = news_sections
    seeds = {"hockey": ["hockey", "team", "game"], "space": ["space", "nasa", "orbit"],
             "crypt": ["encryption", "key", "clipper"], "christian": ["god", "jesus", "church"],
             "autos": ["car", "engine", "cars"]}
    plain = TopicModel(5, random_state=0).fit(texts)
    model = TopicModel(5, seed_topics=seeds, random_state=0).fit(texts)
    nmi_plain = normalized_mutual_info_score(labels, plain.doc_topic_.argmax(axis=1))
    nmi_seeded = normalized_mutual_info_score(labels, model.doc_topic_.argmax(axis=1))
    assert nmi_seeded > nmi_plain + 0.05, (nmi_plain, nmi_seeded)  # 0.825 -> 0.898
    top = model.top_words(10)
    for name, topic in model.seed_topic_ids_.items():
        assert set(seeds[name]) <= set(top[topic])
