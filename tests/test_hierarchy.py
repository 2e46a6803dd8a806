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
    assert table.columns.tolist() == ["node", "parent", "depth", "split", "documents", "top_words"]
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
     ({"split_rule": "size"},
      "The 'split_rule' parameter of HierarchicalTopicModel must be one of 'gain', 'mndcg'. Got 'size'.")],
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
