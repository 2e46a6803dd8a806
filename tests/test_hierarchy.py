"""HierarchicalTopicModel: rank-2 splits, the tree table, reduce_topics and the tree plot."""

import re

import numpy as np
import pytest
from sklearn.metrics import normalized_mutual_info_score

from topicnmf import HierarchicalTopicModel, InputError, TopicModel, read_corpus
from topicnmf.hierarchy import mndcg_score
from topicnmf.plotting import plot_topic_tree


@pytest.fixture(scope="module")
def corpus(sample_corpus_dir):
    return read_corpus(sample_corpus_dir)


@pytest.fixture(scope="module")
def tree(corpus):
    return HierarchicalTopicModel(8, random_state=0).fit(corpus)


def test_tree_partitions_documents(tree, corpus):
    table = tree.tree(5)
    assert table.columns.tolist() == ["node", "parent", "depth", "split", "documents", "share", "topic", "top_words"]
    assert len(tree.leaves_) == 8 and len(table) == 15 and (table["split"] >= 0).sum() == 7
    for node in table.loc[table["split"] >= 0, "node"]:
        children = np.flatnonzero(tree.node_parent_ == node)
        assert len(children) == 2
        both = np.concatenate([tree.node_docs_[c] for c in children])
        assert sorted(both.tolist()) == tree.node_docs_[node].tolist()
    leaf = tree.doc_leaf()
    assert (leaf >= 0).all() and set(leaf.tolist()) == set(tree.leaves_)
    assert normalized_mutual_info_score(corpus.labels, leaf) > 0.95  # measured 0.971; one 2-means start: 0.984


def test_each_document_ends_in_the_leaf_nearest_it(tree, corpus):
    """The refinement: a document that an upper split sent the wrong way moves to its nearest leaf."""
    X = tree.model_.vectorizer_.transform(corpus.texts)
    H = tree.node_components_[tree.leaves_]
    nearest = np.asarray(tree.leaves_)[np.asarray(X @ H.T).argmax(axis=1)]
    np.testing.assert_array_equal(tree.doc_leaf(), nearest)


def test_reduce_topics_along_the_tree(tree, corpus):
    flat = tree.reduce_topics(4)
    assert isinstance(flat, TopicModel) and flat.n_topics_ == 4
    assert flat.doc_topic_.shape == (len(corpus), 4) and len(flat.top_words(5)) == 4
    # each of the 4 topics is a node whose documents are the union of some of the 8 leaves
    leaf4, leaf8 = tree.doc_leaf(4), tree.doc_leaf(8)
    for node in flat.tree_nodes_:
        inside = np.unique(leaf8[leaf4 == node])
        assert all(tree.node_parent_[n] == node or n == node or tree.node_parent_[tree.node_parent_[n]] == node
                   or n in tree.leaves_ for n in inside)
    assert tree.model_.n_topics_ == 8
    np.testing.assert_allclose(tree.model_.transform(corpus.texts[:5]), tree.model_.doc_topic_[:5], atol=1e-4)


def test_tree_plot(tree):
    fig = plot_topic_tree(tree, top_n=2)
    assert len(fig.axes[0].texts) == 15 and len(fig.axes[0].lines) == 14


def test_small_leaves_are_not_split():
    docs = ["goal striker penalty match"] * 4 + ["oven bread dough bake"] * 3
    from topicnmf import TextVectorizer

    tree = HierarchicalTopicModel(5, min_docs=3, vectorizer=TextVectorizer(min_df=1, max_df=1.0),
                                  random_state=0).fit(docs)
    assert len(tree.leaves_) == 2  # a third leaf would hold fewer than 3 documents


def test_nodes_of_two_terms_and_documents_without_terms_split_cleanly():
    """A node whose documents use two terms (too few for ARPACK's 2-SVD) and documents left without
    terms (all stop words) give a tree, not an error; no side of documents without terms is made."""
    from topicnmf import TextVectorizer

    docs = ["goal striker"] * 10 + ["the and of"] * 10 + ["oven bread"] * 10
    for n_init in (1, 16):
        tree = HierarchicalTopicModel(6, min_docs=2, n_init=n_init, random_state=0,
                                      vectorizer=TextVectorizer(min_df=1, max_df=1.0)).fit(docs)
        assert np.isfinite(tree.node_components_).all() and len(tree.leaves_) == 2
        leaf = tree.doc_leaf()
        assert len(set(leaf[:10])) == len(set(leaf[20:])) == 1 and leaf[0] != leaf[20]


@pytest.mark.parametrize(
    "params, message",
    [({"n_leaves": 1}, "The 'n_leaves' parameter of HierarchicalTopicModel must be an int >= 2. Got 1."),
     ({"n_init": 0}, "The 'n_init' parameter of HierarchicalTopicModel must be an int >= 1. Got 0."),
     ({"min_docs": 0}, "The 'min_docs' parameter of HierarchicalTopicModel must be an int >= 1. Got 0."),
     ({"split_rule": "sizes"},
      "The 'split_rule' parameter of HierarchicalTopicModel must be one of 'gain', 'mndcg', 'size'. Got 'sizes'."),
     ({"partition": "svd"},
      "The 'partition' parameter of HierarchicalTopicModel must be one of 'kmeans', 'nmf'. Got 'svd'.")],
)
def test_errors(params, message):
    with pytest.raises(InputError, match=re.escape(message)):
        HierarchicalTopicModel(**params).fit(["cats purr", "dogs bark"])


def test_reduce_topics_error(tree):
    with pytest.raises(InputError, match=re.escape("The 'n' parameter of reduce_topics must be an int in [1, 8]. Got 9.")):
        tree.reduce_topics(9)


def test_mndcg_score_prefers_children_that_part_the_parent_words():
    """Kuang & Park's score: highest when the children rank different top words of the parent first."""
    m = 200
    parent = np.r_[np.linspace(1.0, 0.01, 150), np.zeros(50)]
    apart = np.vstack([np.where(np.arange(m) % 2 == 0, parent, 0), np.where(np.arange(m) % 2 == 1, parent, 0)])
    shared = np.vstack([parent, parent])
    backwards = np.vstack([parent[::-1], parent[::-1]])
    scores = [mndcg_score(parent, children) for children in (apart, shared, backwards)]
    assert 0 <= scores[2] < scores[1] < scores[0] <= 1


@pytest.mark.parametrize("params", [{"split_rule": "mndcg"}, {"partition": "nmf"}, {"term_weights": "corpus"},
                                    {"partition": "nmf", "split_rule": "gain"}])
def test_other_rules_grow_the_same_kind_of_tree(corpus, params):
    tree = HierarchicalTopicModel(8, random_state=0, **params).fit(corpus)
    assert len(tree.leaves_) == 8
    assert normalized_mutual_info_score(corpus.labels, tree.doc_leaf()) > 0.85


def test_two_means_ends_where_each_document_is_nearer_its_own_centroid():
    """Spherical 2-means from a poor start: two groups of rows on disjoint terms come apart."""
    import scipy.sparse as sp

    from topicnmf.hierarchy._split import two_means

    rng = np.random.RandomState(0)
    A = np.zeros((40, 12))
    A[:20, :6] = rng.uniform(0.1, 1, (20, 6))
    A[20:, 6:] = rng.uniform(0.1, 1, (20, 6))
    A[:, 5:7] += 0.3  # two terms both groups use
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    X = sp.csr_matrix(A.astype(np.float32))
    start = np.arange(40) % 2 == 0  # half of each group on each side
    start[0], start[21] = True, False
    side, centroids = two_means(X, start)
    assert len(set(side[:20])) == len(set(side[20:])) == 1 and side[0] != side[20]
    unit = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)
    np.testing.assert_array_equal((A @ unit.T).argmax(axis=1) == 1, side)
    np.testing.assert_allclose(centroids[1], A[side].sum(axis=0), rtol=1e-5)


def test_two_means_runs_several_starts_as_it_runs_each():
    import scipy.sparse as sp

    from topicnmf.hierarchy._split import two_means

    X = sp.random(80, 40, density=0.2, random_state=1, format="csr", dtype=np.float64)
    X = sp.csr_matrix(X.multiply(1 / np.sqrt(X.multiply(X).sum(axis=1))))
    starts = np.random.RandomState(0).uniform(size=(80, 6)) < 0.5
    sides, sums = two_means(X, starts)
    for j in range(6):
        side, centroids = two_means(X, starts[:, j])
        np.testing.assert_array_equal(sides[:, j], side)
        np.testing.assert_allclose(sums[j], centroids, atol=1e-12)


def test_more_starts_leave_a_split_that_2_means_cannot_leave():
    """Three tight groups of 20, 40 and 40 documents: the small one against the rest is a fixed point of
    2-means (each document is nearest its own side), but the small one with either other group against
    the third holds the documents closer to their centroids (sqrt(20**2 + 40**2) + 40 > 20 + sqrt(2) * 40)."""
    import scipy.sparse as sp

    from topicnmf.hierarchy._split import _pair_starts, best_split

    rng = np.random.RandomState(0)
    A = np.zeros((100, 30))
    for rows, cols in ((slice(0, 20), slice(0, 10)), (slice(20, 60), slice(10, 20)), (slice(60, 100), slice(20, 30))):
        A[rows, cols] = 1 + 0.05 * rng.uniform(size=(A[rows].shape[0], 10))
    A /= np.linalg.norm(A, axis=1, keepdims=True)
    X = sp.csr_matrix(A)
    peel = (np.arange(100) < 20)[:, None]
    side, _ = best_split(X, peel, 5)
    assert side.sum() == 20  # stuck
    side, _ = best_split(X, np.hstack([peel, _pair_starts(X, 15, rng)]), 5)
    assert sorted([int(side.sum()), int((~side).sum())]) == [40, 60]
    assert len(set(side[20:60])) == len(set(side[60:])) == 1 and side[20] != side[60]
    assert best_split(X, peel, 21) is None  # no start leaves children of 21 documents


def test_rank1_topic_is_the_leading_singular_vector():
    """The rank-1 NMF of a non-negative matrix: its leading right singular vector, found from a centroid."""
    import scipy.sparse as sp

    from topicnmf.hierarchy._split import rank1_topic

    A = sp.random(60, 30, density=0.3, random_state=0, format="csr", dtype=np.float64)
    topic, sigma = rank1_topic(A, np.asarray(A.sum(axis=0)).ravel(), max_iter=200, tol=1e-10)
    _, s, Vt = np.linalg.svd(A.toarray())
    np.testing.assert_allclose(topic, np.abs(Vt[0]), atol=1e-6)
    assert sigma == pytest.approx(s[0], rel=1e-8) and (topic >= 0).all()


@pytest.mark.slow
def test_first_splits_follow_the_newsgroup_families(twenty_ng_dir):
    """Cleaned 20 Newsgroups: the first split puts computers on one side, sports, religion and politics
    on the other; the cut to 5 nodes scores NMI >= 0.4 against the families (measured: 0.419)."""
    import pandas as pd

    docs = pd.read_json(twenty_ng_dir / "docs_clean.jsonl.gz", lines=True)
    family = docs["label"].str.split(".").str[0].replace({"alt": "talk", "soc": "talk"}).to_numpy()
    tree = HierarchicalTopicModel(5, random_state=0, keep_tokens=False).fit(docs["text"].tolist())
    sides = pd.crosstab(tree.doc_leaf(2), family, normalize="columns")
    comp_side = sides["comp"].idxmax()
    assert sides.loc[comp_side, "comp"] > 0.9
    assert sides.loc[comp_side, "rec"] < 0.15 and sides.loc[comp_side, "talk"] < 0.05
    assert normalized_mutual_info_score(family, tree.doc_leaf(5)) > 0.4


def test_term_weights_error():
    message = "The 'term_weights' parameter of HierarchicalTopicModel must be one of 'corpus', 'node'. Got 'idf'."
    with pytest.raises(InputError, match=re.escape(message)):
        HierarchicalTopicModel(term_weights="idf").fit(["cats purr", "dogs bark"])


def test_node_weights_discount_the_terms_a_node_shares():
    """Inside a node every document uses "god": its node IDF is the floor, whatever the corpus IDF."""
    import scipy.sparse as sp

    from topicnmf.hierarchy._split import idf, node_weights

    X = sp.csr_matrix(np.array([[1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1]], dtype=np.float32))
    corpus = idf(X)
    np.testing.assert_allclose(corpus, 1 + np.log(5 / 3))  # each term in 2 of 4 documents
    weights = node_weights(X[:2], corpus)  # the node of documents 0 and 1
    np.testing.assert_allclose(weights * corpus, 1 + np.log(3 / np.array([3, 2, 2])))
    assert weights[0] < weights[1] == weights[2]


def test_cut_topics_come_from_the_leaves(tree, corpus):
    """reduce_topics solves each cut's weights against the leaves' reconstruction (no second pass over X)."""
    leaves = tree.model_
    assert tree.reduce_topics(len(tree.leaves_)) is leaves
    flat = tree.reduce_topics(3)
    np.testing.assert_allclose(flat.components_, tree.node_components_[flat.tree_nodes_], rtol=1e-6)
    assert (flat.doc_topic_ >= 0).all()
    # each document's top topic among the 3 is the cut node that holds its leaf, for most documents
    agree = (np.asarray(flat.tree_nodes_)[flat.doc_topic_.argmax(axis=1)] == tree.doc_leaf(3)).mean()
    assert agree > 0.9


def test_save_and_load(tree, tmp_path):
    path = tree.save(tmp_path / "tree")
    assert sorted(p.name for p in path.iterdir()) == ["hierarchy.json", "hierarchy.npz", "model"]
    loaded = HierarchicalTopicModel.load(path)
    assert loaded.get_params(deep=False)["n_leaves"] == 8
    pd_testing = pytest.importorskip("pandas.testing")
    pd_testing.assert_frame_equal(loaded.tree(5), tree.tree(5))
    np.testing.assert_array_equal(loaded.doc_leaf(4), tree.doc_leaf(4))
    np.testing.assert_allclose(loaded.reduce_topics(4).doc_topic_, tree.reduce_topics(4).doc_topic_, rtol=1e-5)
    assert loaded.model_.top_words(3) == tree.model_.top_words(3)


def test_load_a_tree_saved_before_the_partition_parameter(tree, tmp_path):
    """Trees saved before ``partition`` existed were grown by rank-2 NMF: they load as ``"nmf"``."""
    path = tree.save(tmp_path / "tree")
    _damage(path, "hierarchy.json", lambda s: s["params"].pop("partition"))
    assert HierarchicalTopicModel.load(path).partition == "nmf"


def test_load_a_tree_saved_before_the_n_init_parameter(tree, tmp_path):
    """Trees saved before ``n_init`` existed were grown from one 2-means start a split."""
    path = tree.save(tmp_path / "tree")
    _damage(path, "hierarchy.json", lambda s: s["params"].pop("n_init"))
    assert HierarchicalTopicModel.load(path).n_init == 1


def _damage(path, name, change):
    import json

    state = json.loads((path / name).read_text())
    change(state)
    (path / name).write_text(json.dumps(state))


@pytest.mark.parametrize(
    "name, change, message",
    [
        ("hierarchy.json", lambda s: s.update(node_parent=[-1, 0, 5] + s["node_parent"][3:]),
         "'node_parent' and 'split_order' do not describe a tree of rank-2 splits"),
        ("hierarchy.json", lambda s: s["split_order"].reverse(),
         "'node_parent' and 'split_order' do not describe a tree of rank-2 splits"),
        ("hierarchy.json", lambda s: s["params"].update(split_rule="best"),
         "'params' holds a value HierarchicalTopicModel does not take"),
        ("hierarchy.json", lambda s: s["params"].update(min_docs="5"), "'params.min_docs' must be int, not str"),
        ("hierarchy.json", lambda s: s["params"].update(partition="svd"),
         "'params' holds a value HierarchicalTopicModel does not take"),
    ],
)
def test_load_refuses_damaged_state(tree, tmp_path, name, change, message):
    path = tree.save(tmp_path / "tree")
    _damage(path, name, change)
    with pytest.raises(InputError, match=re.escape(message)):
        HierarchicalTopicModel.load(path)


def test_load_refuses_damaged_arrays(tree, tmp_path):
    path = tree.save(tmp_path / "tree")
    arrays = dict(np.load(path / "hierarchy.npz", allow_pickle=False))
    arrays["doc_leaf"][0] = tree.split_order_[0]  # the root: not a leaf
    np.savez(path / "hierarchy.npz", **arrays)
    with pytest.raises(InputError, match=re.escape("'doc_leaf' names a node that is not a leaf")):
        HierarchicalTopicModel.load(path)
    (path / "hierarchy.npz").write_bytes(b"not a zip")
    with pytest.raises(InputError, match=re.escape("is corrupt: unreadable arrays")):
        HierarchicalTopicModel.load(path)
    with pytest.raises(InputError, match=re.escape("is not a topic tree: it lacks hierarchy.json")):
        HierarchicalTopicModel.load(path / "model")


def test_report_page_shows_the_tree_escaped(tree):
    from topicnmf.reporting.page import PageData, _tree

    table = tree.tree(3)
    table.loc[len(table) - 1, "top_words"] = "<script>alert(1)</script>"
    html = _tree(PageData(n_docs=1, n_terms=1, n_topics=1, top_n=3, summary=None, representatives=None, tree=table))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.count("<ul") == html.count("</ul>") == 1 + len(tree.split_order_)
    assert html.count("<li>") == html.count("</li>") == len(table)
    assert "topic 0" in html and "node 0" in html


def test_cli_hierarchy(sample_corpus_dir, tmp_path):
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from topicnmf.cli import app

    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["hierarchy", str(sample_corpus_dir), "--leaves", "4", "--out", str(out),
                                      "--top-words", "4", "--n-init", "3"])
    assert result.exit_code == 0, result.output
    for name in ["tree.csv", "doc_leaves.csv", "tree.png", "report.html", "topics.csv", "hierarchy.json",
                 "model/model.json"]:
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "tree.csv")
    assert table.columns.tolist() == ["node", "parent", "depth", "split", "documents", "share", "topic", "top_words"]
    assert len(table) == 7 and sorted(table["topic"][table["topic"] >= 0]) == [0, 1, 2, 3]
    leaves = pd.read_csv(out / "doc_leaves.csv")
    assert leaves.columns.tolist() == ["doc_id", "leaf", "topic"] and set(leaves["leaf"]) <= set(table["node"])
    assert json.loads((out / "run.json").read_text())["command"] == "hierarchy"
    assert 'id="tree"' in (out / "report.html").read_text()
    loaded = HierarchicalTopicModel.load(out)
    assert len(loaded.leaves_) == 4 and loaded.get_params()["n_init"] == 3
    assert "documents" in result.stdout and not [p for p in tmp_path.iterdir() if "staging" in p.name]
    # 'topicnmf report' rebuilds the report and the tree's own files with other settings
    run = (out / "run.json").read_bytes()
    result = CliRunner().invoke(app, ["report", str(out), "--top-words", "2"])
    assert result.exit_code == 0, result.output
    rebuilt = pd.read_csv(out / "tree.csv")
    assert rebuilt[["node", "parent", "documents", "topic"]].equals(table[["node", "parent", "documents", "topic"]])
    assert all(len(words.split()) <= 2 for words in rebuilt["top_words"]) and len(table["top_words"][0].split()) == 4
    assert 'id="tree"' in (out / "report.html").read_text() and (out / "run.json").read_bytes() == run


@pytest.mark.parametrize(
    "args, fragment",
    [(["--split-rule", "best"], "The --split-rule option must be one of 'gain', 'mndcg', 'size'. Got 'best'."),
     (["--partition", "svd"], "The --partition option must be one of 'kmeans', 'nmf'. Got 'svd'."),
     (["--leaves", "1"], "--leaves"),
     (["--n-init", "0"], "--n-init"),
     ([], "")],
)
def test_cli_hierarchy_errors(sample_corpus_dir, tmp_path, args, fragment):
    from typer.testing import CliRunner

    from topicnmf.cli import app

    corpus = sample_corpus_dir if args else tmp_path / "missing"
    result = CliRunner().invoke(app, ["hierarchy", str(corpus), "--out", str(tmp_path / "out"), *args])
    assert result.exit_code != 0 and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and fragment in errors[0], result.stderr
    assert not (tmp_path / "out").exists()


def test_node_words_set_the_node_apart_from_its_sibling():
    # every document shares the word "report"; the two halves differ in their other words
    docs = (["report goal striker match report referee"] * 12
            + ["report oven bread dough report crust"] * 12)
    from topicnmf import TextVectorizer

    tree = HierarchicalTopicModel(2, min_docs=2, random_state=0,
                                  vectorizer=TextVectorizer(min_df=1, max_df=1.0)).fit(docs)
    words = tree.tree(3).set_index("node")["top_words"].str.split()
    assert "report" in words[0]  # the root: its heaviest words
    heaviest = [np.asarray(tree.vocabulary_)[np.argsort(-tree.node_components_[n])[:3]].tolist() for n in (1, 2)]
    assert all("report" in h for h in heaviest)  # by weight alone the shared word would lead
    sides = [set(words[1]), set(words[2])]
    assert all("report" not in side for side in sides)
    assert {"goal", "striker", "match", "referee"} >= sides[0] or {"goal", "striker", "match", "referee"} >= sides[1]
    assert {"oven", "bread", "dough", "crust"} >= sides[0] or {"oven", "bread", "dough", "crust"} >= sides[1]
