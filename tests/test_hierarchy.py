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
    assert normalized_mutual_info_score(corpus.labels, leaf) > 0.85


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


@pytest.mark.parametrize(
    "params, message",
    [({"n_leaves": 0}, "The 'n_leaves' parameter of HierarchicalTopicModel must be an int >= 1. Got 0."),
     ({"min_docs": 0}, "The 'min_docs' parameter of HierarchicalTopicModel must be an int >= 1. Got 0."),
     ({"split_rule": "sizes"},
      "The 'split_rule' parameter of HierarchicalTopicModel must be one of 'gain', 'mndcg', 'size'. Got 'sizes'.")],
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


def test_mndcg_rule_grows_the_same_kind_of_tree(corpus):
    tree = HierarchicalTopicModel(8, split_rule="mndcg", random_state=0).fit(corpus)
    assert len(tree.leaves_) == 8
    assert normalized_mutual_info_score(corpus.labels, tree.doc_leaf()) > 0.8


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
                                      "--top-words", "4"])
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
    assert len(HierarchicalTopicModel.load(out).leaves_) == 4
    assert "documents" in result.stdout and not [p for p in tmp_path.iterdir() if "staging" in p.name]


@pytest.mark.parametrize(
    "args, fragment",
    [(["--split-rule", "best"], "The --split-rule option must be one of 'gain', 'mndcg', 'size'. Got 'best'."),
     (["--leaves", "0"], "--leaves"),
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
