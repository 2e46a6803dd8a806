"""TopicModel: fitting real text, tables, transform, persistence and errors."""

import json
import pickle
import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import normalized_mutual_info_score

from topicnmf import NMF, TextVectorizer, TopicModel, read_corpus
from topicnmf.measures import coherence
from topicnmf.errors import InputError

DOCS = [
    "the striker scored a goal and the goalkeeper could not stop the penalty",
    "the referee gave a penalty after the defender fouled the striker in the match",
    "fans cheered as the team won the league match with a late goal",
    "bake the bread in a hot oven until the crust is golden and crisp",
    "knead the dough, let the bread rise, then bake it in the oven",
    "a pinch of salt and fresh herbs season the sauce before it simmers",
    "the telescope showed saturn's rings and the moons of jupiter",
    "astronomers watched the comet cross the night sky through a telescope",
    "the planet orbits its star and the telescope measured its moons",
] * 3


@pytest.fixture(scope="module")
def sample_corpus(sample_corpus_dir):
    return read_corpus(sample_corpus_dir)


@pytest.fixture(scope="module")
def sample_model(sample_corpus):
    return TopicModel(n_topics=8, random_state=0).fit(sample_corpus)


def small(n_topics=3, **params):
    """A model for the small corpus above: every word counts (min_df=1)."""
    return TopicModel(n_topics, vectorizer=TextVectorizer(min_df=1), random_state=0, **params)


@pytest.fixture(scope="module")
def small_model():
    return small().fit(DOCS)


def test_recovers_the_themes_of_the_sample_corpus(sample_corpus, sample_model):
    labels = sample_model.doc_topics()["top_topic"]
    assert len(set(sample_corpus.labels)) == 8
    assert normalized_mutual_info_score(sample_corpus.labels, labels) >= 0.8


def test_topic_words_is_one_tidy_table(small_model):
    table = small_model.topic_words(n=4)
    assert table.columns.tolist() == ["topic", "rank", "word", "weight"]
    assert len(table) == 12
    assert table["topic"].tolist() == sorted(table["topic"].tolist())
    for _, group in table.groupby("topic"):
        assert group["rank"].tolist() == [0, 1, 2, 3]
        assert np.all(np.diff(group["weight"].to_numpy()) <= 0)
    assert set(table["word"]) <= set(small_model.vocabulary_)


def test_topic_words_of_one_topic_are_its_rows_of_the_whole_table(small_model):
    whole = small_model.topic_words(n=4)
    for topic in range(small_model.n_topics_):
        one = small_model.topic_words(n=4, topic=topic)
        assert one.equals(whole[whole["topic"] == topic].reset_index(drop=True))
        assert one["word"].tolist() == small_model.top_words(4)[topic]
    for bad in (-1, small_model.n_topics_, 1.0, True, "0"):
        with pytest.raises(InputError, match=r"'topic' parameter of topic_words must be an int in \[0, 2\]"):
            small_model.topic_words(n=4, topic=bad)


def test_the_three_planted_topics_are_found(small_model):
    words = [set(w) for w in small_model.top_words(4)]
    themes = [{"striker", "goal", "penalty", "match", "referee", "league"},
              {"bread", "oven", "bake", "dough", "sauce"},
              {"telescope", "moons", "comet", "planet", "star"}]
    for theme in themes:
        assert any(len(w & theme) >= 2 for w in words), (theme, words)


def test_topics_are_numbered_by_share(sample_model):
    W, H = sample_model.doc_topic_, sample_model.components_
    mass = W.sum(axis=0) * H.sum(axis=1)
    assert np.all(np.diff(mass) <= 0)


def test_doc_topics_table(small_model):
    table = small_model.doc_topics()
    assert table.columns.tolist() == ["doc_id", "topic_0", "topic_1", "topic_2", "top_topic"]
    assert len(table) == len(DOCS)
    weights = table[["topic_0", "topic_1", "topic_2"]].to_numpy()
    expected = np.where(weights.sum(axis=1) > 0, weights.argmax(axis=1), -1)
    np.testing.assert_array_equal(table["top_topic"], expected)
    assert (expected >= 0).sum() >= len(DOCS) - 3
    normalized = small_model.doc_topics(normalize=True)[["topic_0", "topic_1", "topic_2"]].to_numpy()
    np.testing.assert_allclose(normalized.sum(axis=1), np.where(expected >= 0, 1.0, 0.0))


def test_doc_topics_carries_labels_and_marks_empty_documents(sample_corpus):
    from topicnmf import Corpus

    corpus = Corpus.from_texts(DOCS + [""], labels=["x"] * (len(DOCS) + 1))
    table = small().fit(corpus).doc_topics(normalize=True)
    assert "label" in table.columns
    assert table["top_topic"].iloc[-1] == -1
    assert table.filter(like="topic_").iloc[-1, :3].sum() == 0


def test_transform_agrees_with_fit(small_model):
    W_new = small_model.transform(DOCS)
    assert W_new.shape == (len(DOCS), 3)
    assert np.all(W_new >= 0)
    error = np.linalg.norm(W_new - small_model.doc_topic_) / np.linalg.norm(small_model.doc_topic_)
    assert error < 1e-2
    football = small_model.transform(["a late penalty decided the match for the league leaders"])
    assert football.argmax() == small_model.transform([DOCS[0]]).argmax()


def test_same_seed_same_topics():
    a = small().set_params(random_state=1).fit(DOCS)
    b = small().set_params(random_state=1).fit(DOCS)
    np.testing.assert_array_equal(a.components_, b.components_)


def test_components_are_passed_by_duck_typing():
    vectorizer = TextVectorizer(min_df=2)
    nmf = NMF(solver="mu", max_iter=500)
    model = TopicModel(n_topics=3, vectorizer=vectorizer, nmf=nmf, random_state=0).fit(DOCS)
    assert model.nmf_.get_params()["solver"] == "mu"
    assert model.nmf_.n_components_ == 3
    assert nmf.get_params()["n_components"] == 10, "the given NMF is not mutated"
    assert not hasattr(nmf, "components_")
    assert model.vectorizer_ is not vectorizer


def test_init_only_stores_parameters_and_clones():
    model = TopicModel(n_topics=4, random_state=3)
    assert model.get_params()["n_topics"] == 4
    assert not hasattr(model, "nmf_")
    twin = clone(model).set_params(n_topics=5)
    assert twin.n_topics == 5 and model.n_topics == 4


def test_coherence_scores_the_training_tokens(small_model):
    scores = small_model.coherence("c_npmi", top_n=5)
    expected = coherence(small_model.top_words(5), small_model.tokenized_texts(), "c_npmi")
    np.testing.assert_allclose(scores, expected)
    assert scores.shape == (3,)
    assert np.all(np.isfinite(scores))


def test_tokenized_texts_keep_positions(small_model):
    texts = small_model.tokenized_texts()
    assert len(texts) == len(DOCS)
    expected = small_model.vectorizer_.tokenize(DOCS[:1])[0]
    vocabulary = set(small_model.vocabulary_)
    assert texts[0] == [tok if tok in vocabulary else "" for tok in expected]


def test_save_and_load_round_trip(small_model, tmp_path):
    small_model.save(tmp_path / "model")
    loaded = TopicModel.load(tmp_path / "model")
    assert loaded.topic_words(5).equals(small_model.topic_words(5))
    assert loaded.doc_topics().equals(small_model.doc_topics())
    np.testing.assert_allclose(loaded.transform(DOCS[:4]), small_model.transform(DOCS[:4]), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(loaded.coherence("c_v"), small_model.coherence("c_v"))
    state = json.loads((tmp_path / "model" / "model.json").read_text())
    assert state["versions"]["numpy"] == np.__version__
    assert loaded.doc_snippets_ == small_model.doc_snippets_


def test_model_pickles(small_model):
    again = pickle.loads(pickle.dumps(small_model))
    np.testing.assert_array_equal(again.transform(DOCS[:2]), small_model.transform(DOCS[:2]))


def _rewrite_arrays(**changes):
    """A damage that rewrites arrays.npz with some arrays changed (None drops one)."""

    def damage(folder):
        with np.load(folder / "arrays.npz") as npz:
            arrays = {key: npz[key] for key in npz.files}
        for key, change in changes.items():
            if change is None:
                arrays.pop(key)
            else:
                arrays[key] = change(arrays.get(key))
        np.savez(folder / "arrays.npz", **arrays)

    return damage


def _rewrite_state(change):
    def damage(folder):
        state = json.loads((folder / "model.json").read_text())
        change(state)
        (folder / "model.json").write_text(json.dumps(state))

    return damage


def _poison(value):
    def change(a):
        a = a.copy()
        a.flat[0] = value
        return a

    return change


def _truncate(folder):
    data = (folder / "arrays.npz").read_bytes()
    (folder / "arrays.npz").write_bytes(data[: len(data) // 2])


def _big_member(folder):
    import zipfile

    with zipfile.ZipFile(folder / "arrays.npz", "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("padding.npy", b"\0" * (1 << 20))


CORRUPT_MODELS = {
    "not json": ((lambda d: (d / "model.json").write_text("{not json")), "model.json' is corrupt: not JSON"),
    "deep json": ((lambda d: (d / "model.json").write_text("[" * 100_000 + "]" * 100_000)), "is corrupt"),
    "foreign json": ((lambda d: (d / "model.json").write_text('{"format": "other"}')), "is not a topicnmf model file"),
    "garbage npz": ((lambda d: (d / "arrays.npz").write_bytes(b"garbage")), "arrays.npz' is corrupt: unreadable arrays"),
    "truncated npz": (_truncate, "arrays.npz' is corrupt"),
    "missing npz": ((lambda d: (d / "arrays.npz").unlink()), "it lacks model.json or arrays.npz"),
    "extra member": (_big_member, "unexpected members ['padding']"),
    "missing array": (_rewrite_arrays(doc_topic=None), "missing arrays ['doc_topic']"),
    "wrong shape": (_rewrite_arrays(components=lambda a: np.ones((2, 2))), "array 'components' has shape (2, 2)"),
    "string array": (_rewrite_arrays(components=lambda a: a.astype(str)), "array 'components' has dtype <U"),
    "complex array": (_rewrite_arrays(doc_topic=lambda a: a.astype(complex)), "array 'doc_topic' has dtype complex128"),
    "nan weight": (_rewrite_arrays(components=_poison(np.nan)), "array 'components' holds NaN or infinity"),
    "inf weight": (_rewrite_arrays(doc_topic=_poison(np.inf)), "array 'doc_topic' holds NaN or infinity"),
    "negative weight": (_rewrite_arrays(components=_poison(-1.0)), "array 'components' holds values below 0"),
    "token id too large": (_rewrite_arrays(token_ids=_poison(10**6)), "array 'token_ids' holds values above"),
    "token id negative": (_rewrite_arrays(token_ids=_poison(-7)), "array 'token_ids' holds values below -1"),
    "bad offsets": (_rewrite_arrays(token_offsets=_poison(5)), "'token_offsets' do not cut 'token_ids'"),
    "n_topics a str": (_rewrite_state(lambda s: s["params"].update(n_topics="3")), "'params.n_topics' must be int, not str"),
    "n_topics a bool": (_rewrite_state(lambda s: s["params"].update(n_topics=True)), "'params.n_topics' must be int"),
    "vocabulary of ints": (_rewrite_state(lambda s: s.update(vocabulary=[1, 2])), "'vocabulary[]' must be str, not int"),
    "ids missing": (_rewrite_state(lambda s: s.pop("doc_ids")), "'doc_ids' must be list, not NoneType"),
    "labels short": (_rewrite_state(lambda s: s.update(doc_labels=["a"])), "'doc_labels' has 1 entries"),
    "nmf params unknown": (_rewrite_state(lambda s: s["nmf"]["params"].update(bogus=1)), "'nmf.params' holds unknown"),
    "history of str": (_rewrite_state(lambda s: s["nmf"].update(loss_history=["x"])), "'nmf.loss_history[]' must be"),
}


@pytest.mark.parametrize("case", sorted(CORRUPT_MODELS))
def test_load_rejects_corrupt_or_foreign_folders(small_model, tmp_path, case):
    damage, message = CORRUPT_MODELS[case]
    small_model.save(tmp_path / "model")
    damage(tmp_path / "model")
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        TopicModel.load(tmp_path / "model")
    assert "\n" not in str(caught.value)


def test_load_missing_folder(tmp_path):
    msg = f"No model folder at '{tmp_path / 'nope'}'; pass the 'model' folder written by 'topicnmf fit'."
    with pytest.raises(InputError, match=re.escape(msg)):
        TopicModel.load(tmp_path / "nope")


@pytest.mark.parametrize(
    "params, docs, message",
    [
        ({"n_topics": 0}, DOCS, "The 'n_topics' parameter of TopicModel must be an int >= 1 or 'auto'. Got 0."),
        ({"n_topics": 40}, DOCS, "n_topics=40 is more than the corpus supports (27 documents"),
        ({"n_topics": True}, DOCS, "The 'n_topics' parameter of TopicModel must be an int >= 1 or 'auto'. Got True."),
        ({"n_topics": 2.0}, DOCS, "The 'n_topics' parameter of TopicModel must be an int >= 1 or 'auto'. Got 2.0."),
        ({"n_topics": 2, "random_state": -1}, DOCS, "The 'random_state' parameter of TopicModel must be None, an int"),
        ({"n_topics": 2}, "just one string", "TopicModel.fit takes a Corpus, a sequence or Series of str"),
        ({"n_topics": 2}, np.array([DOCS, DOCS]), "The array passed to TopicModel.fit must be 1-D"),
        ({"n_topics": 2}, [], "The corpus passed to TopicModel.fit has no documents"),
    ],
)
def test_fit_errors(params, docs, message):
    with pytest.raises(InputError, match=re.escape(message)):
        TopicModel(vectorizer=TextVectorizer(min_df=1)).set_params(**params).fit(docs)


def test_fit_reports_progress():
    seen = []
    small(2).fit(DOCS, callback=seen.append)
    assert seen[0] == {"stage": "vectorize"}
    iterations = [info["iteration"] for info in seen if info["stage"] == "factorize"]
    assert iterations and iterations == sorted(iterations)


# -- topic facts -------------------------------------------------------------------------------


def test_topic_facts(small_model):
    W = small_model.doc_topic_.astype(np.float64)
    mass = W.sum(axis=0) * small_model.components_.astype(np.float64).sum(axis=1)
    np.testing.assert_allclose(small_model.topic_shares_, mass / mass.sum())
    assert np.all(np.diff(small_model.topic_shares_) <= 0)  # numbered by share
    top = small_model.doc_topics()["top_topic"].to_numpy()
    np.testing.assert_array_equal(small_model.topic_sizes_, np.bincount(top[top >= 0], minlength=3))
    words = small_model.top_words(3)
    assert small_model.topic_labels_ == ["_".join(w) for w in words]
    table = small_model.topic_words(5)
    assert words == [table.loc[table.topic == t, "word"].tolist()[:3] for t in range(3)]
    assert small_model.n_iter_ == small_model.nmf_.n_iter_ == len(small_model.loss_history_)
    assert small_model.reconstruction_err_ == small_model.nmf_.reconstruction_err_


def test_set_topic_labels_saved(small_model, tmp_path):
    model = TopicModel.load(small_model.save(tmp_path / "m"))
    model.set_topic_labels({0: "first"})
    assert model.topic_labels_[0] == "first" and model.topic_labels_[1:] == small_model.topic_labels_[1:]
    assert TopicModel.load(model.save(tmp_path / "m2")).topic_labels_ == model.topic_labels_
    with pytest.raises(InputError, match=re.escape("must be a list of 3 str or a dict of topic to str")):
        model.set_topic_labels(["a", "b"])
    with pytest.raises(InputError, match=re.escape("must hold non-empty str. Got ''")):
        model.set_topic_labels({1: ""})


def test_random_state_is_owned_by_the_model():
    nmf = NMF(max_iter=30, random_state=5, init="random")
    with pytest.warns(UserWarning, match=re.escape("random_state=5 is replaced by TopicModel's random_state=1")):
        a = small(2, nmf=nmf).set_params(random_state=1).fit(DOCS)
    b = small(2, nmf=NMF(max_iter=30, init="random")).set_params(random_state=1).fit(DOCS)
    np.testing.assert_array_equal(a.components_, b.components_)
    assert a.nmf_.random_state == 1 and nmf.random_state == 5  # the component is not changed


# -- pandas and scikit-learn ------------------------------------------------------------------


def test_pandas_and_array_inputs_match_a_list():
    pd = pytest.importorskip("pandas")
    reference = small(2).fit(DOCS).components_
    series = pd.Series(DOCS, index=[f"d{i}" for i in range(len(DOCS))])
    for docs in (series, np.asarray(DOCS), pd.DataFrame({"body": DOCS}), iter(DOCS)):
        model = small(2, text_column="body").fit(docs)
        np.testing.assert_array_equal(model.components_, reference)
    assert small(2).fit(series).doc_ids_[0] == "d0"
    with pytest.raises(InputError, match=re.escape("The DataFrame passed to TopicModel.fit has no column 'text'")):
        small(2).fit(pd.DataFrame({"body": DOCS}))


def test_in_a_pipeline_with_cross_validation_and_grid_search():
    pd = pytest.importorskip("pandas")
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline

    frame = pd.DataFrame({"text": DOCS, "label": [i % 3 for i in range(len(DOCS))]})
    pipe = make_pipeline(small(3), LogisticRegression())
    scores = cross_val_score(pipe, frame.text, frame.label, cv=3)
    assert scores.shape == (3,) and np.all(scores >= 0)
    grid = GridSearchCV(pipe, {"topicmodel__n_topics": [2, 3]}, cv=3).fit(frame.text, frame.label)
    assert grid.best_params_["topicmodel__n_topics"] in (2, 3)


def test_set_output_pandas():
    pytest.importorskip("pandas")
    model = small(3).set_output(transform="pandas").fit(DOCS)
    out = model.transform(DOCS[:4])
    assert list(out.columns) == ["topic_0", "topic_1", "topic_2"] and len(out) == 4


# -- navigation -------------------------------------------------------------------------------


def test_find_topics_ranks_the_topic_of_a_word_first(sample_model):
    for word in ("telescope", "bread", "goal"):
        found = sample_model.find_topics(word, n=3)
        term = list(sample_model.vocabulary_).index(word)
        weights = sample_model.components_[:, term] / np.linalg.norm(sample_model.components_, axis=1)
        assert found["topic"].iloc[0] == int(weights.argmax())
        assert list(found.columns) == ["topic", "topic_label", "score"]
        assert found["score"].is_monotonic_decreasing and len(found) <= 3


def test_find_topics_of_an_unknown_word_is_empty_with_a_warning(small_model):
    with pytest.warns(UserWarning, match="is in the model's vocabulary"):
        assert small_model.find_topics("zzzzqqq").empty


def test_topic_similarity_is_a_tidy_symmetric_table(small_model):
    table = small_model.topic_similarity()
    assert list(table.columns) == ["topic", "other_topic", "similarity"] and len(table) == 9
    square = table.pivot(index="topic", columns="other_topic", values="similarity").to_numpy()
    np.testing.assert_allclose(square, square.T)
    np.testing.assert_allclose(np.diag(square), 1.0)


def test_merge_topics_refits_with_fewer_topics(sample_model, sample_corpus):
    merged = sample_model.merge_topics([[0, 1]], sample_corpus)
    assert merged.n_topics_ == 7 and sample_model.n_topics_ == 8
    assert merged.doc_topic_.shape == (len(sample_corpus), 7)
    union = set(sample_model.top_words(5)[0]) | set(sample_model.top_words(5)[1])
    assert any(len(union & set(words)) >= 4 for words in merged.top_words(10))
    # a proper fit: the loss is close to a fresh fit with 7 topics
    fresh = TopicModel(n_topics=7, random_state=0).fit(sample_corpus)
    assert merged.reconstruction_err_ <= 1.05 * fresh.reconstruction_err_
    with pytest.raises(InputError, match=re.escape("each topic in at most one group")):
        sample_model.merge_topics([[0, 1], [1, 2]], sample_corpus)
    with pytest.raises(InputError, match=re.escape("needs the model's 416 training documents")):
        sample_model.merge_topics([[0, 1]], ["one text"])


def test_topics_are_the_nmf_components_in_share_order(small_model):
    # the model numbers the topics by share without touching the fitted NMF
    H = small_model.nmf_.components_
    order = [int(np.flatnonzero((H == row).all(axis=1))[0]) for row in small_model.components_]
    assert sorted(order) == [0, 1, 2]
    np.testing.assert_array_equal(small_model.transform(DOCS[:3]), small_model.nmf_.transform(
        small_model.vectorizer_.transform(DOCS[:3]))[:, order])


def test_top_topics_and_sizes_count_each_document_once():
    """A document counts for the column of its largest weight; one without weight for none."""
    from topicnmf.model import top_topics, topic_sizes

    W = np.array([[0.1, 0.5, 0.2], [0.0, 0.0, 0.0], [0.3, 0.3, 0.0], [0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(top_topics(W), [1, -1, 0, 2])
    np.testing.assert_array_equal(topic_sizes(W), [1, 1, 1])
    assert top_topics(np.zeros((2, 0))).tolist() == [-1, -1]
