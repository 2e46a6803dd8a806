"""HierarchicalTopicModel: a tree of topics by rank-2 splits of the documents."""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from topicnmf._persistence import SavedAsFolder
from topicnmf._validation import check_int, check_one_of, keep_params
from topicnmf.model import TopicModel
from topicnmf.model._fitting import fit_inputs, text_model_doc

from ._split import PARTITIONS, idf, try_split

__all__ = ["HierarchicalTopicModel", "PARTITIONS", "SPLIT_RULES", "TERM_WEIGHTS", "node_documents"]

SPLIT_RULES = ("size", "gain", "mndcg")
TERM_WEIGHTS = ("node", "corpus")
_OWNER = "HierarchicalTopicModel"


@text_model_doc
class HierarchicalTopicModel(SavedAsFolder, BaseEstimator):
    """A tree of topics by recursive rank-2 splits (HierNMF2, Kuang & Park 2013).

    Starting from all documents, a leaf's documents are split in two, and each
    child's topic is the rank-1 NMF of its documents; this repeats until the tree
    has ``n_leaves`` leaves. Every split is tried once, when its leaf is made, so
    a tree of ``L`` leaves costs ``2L - 1`` rank-2 splits of ever smaller matrices.

    Four choices depart from the paper, each measured on 20 Newsgroups against
    the newsgroup families (``benchmarks/hierarchy.py``):

    - the documents are split by spherical 2-means (Dhillon & Modha 2001), the
      split of bisecting k-means (Steinbach, Karypis & Kumar 2000), rather than by
      the weights of a rank-2 NMF: rank-2 NMF tends to peel one tight group off a
      node and leave the rest together, 2-means moves the documents in between to
      the nearer side. The 2-means runs from ``n_init`` starts and keeps the split
      of best objective (the sum of the documents' cosines to their side's
      centroid), as scikit-learn's ``BisectingKMeans(n_init=...)`` does: the
      node's rank-2 NNDSVD (which side of its exact 2-SVD each document leans to)
      and ``n_init - 1`` pairs of documents drawn as k-means++ draws them; a split
      that leaves a child of less than a tenth of the node is a peel, and only
      where every start peels does 2-means start again from the rank-2 NMF's sides.
      From the NNDSVD start alone, the node of rec, sci and talk/religion sheds
      the sports groups first, a local optimum: the split of rec against the rest
      holds its documents closer to their centroids, and some of the other starts
      find it;
    - once the tree is grown, each document moves to the leaf whose topic is
      nearest it (by cosine), the refinement of bisecting k-means: a split is
      final for the documents it sends down, and a document an upper split sent
      the wrong way would otherwise stay there (a leaf that would keep fewer than
      ``min_docs`` documents keeps its own);
    - the leaf split next is the largest (the rule of bisecting k-means);
    - each node is split with its own term weights (the IDF of its documents, so
      that words its documents share do not steer the split).

    Measured (NMI of the cuts against the families; six ``random_state`` on cleaned
    posts, four on raw ones): the cut to 3 leaves is comp (with misc.forsale),
    rec and the rest in every run, NMI 0.448 to 0.459 on cleaned posts (0.567 to
    0.575 on raw ones) against 0.367 (0.431) from the NNDSVD start alone without
    the refinement; the 20 leaves' NMI against the newsgroups rises from 0.460
    to 0.479-0.496 (raw: 0.615 to 0.639-0.653). The same change on other
    labelled corpora (NMI of the cut to as many leaves as classes): AG News
    0.472 to 0.526-0.532, the sample corpus (8 leaves) 0.944 to 0.971-0.983,
    BBC News 0.867 to 0.860-0.868, Reuters R8 0.563 to 0.494-0.542 (its classes
    are of very different sizes). ``partition="nmf"`` keeps the paper's split.

    A split that would leave a child of fewer than ``min_docs`` documents is not
    made (that child is an outlier group, kept in its parent).

    Parameters
    ----------
    n_leaves : int, default=10
        Leaves of the tree, at least 2 (fewer when no leaf can be split any more).
    split_rule : {"size", "gain", "mndcg"}, default="size"
        Which leaf is split next: ``"size"``, the one with most documents;
        ``"gain"``, the one whose two children's rank-1 topics (``"kmeans"``)
        or rank-2 factorisation (``"nmf"``) explain most more than its own
        rank 1; ``"mndcg"``, the one whose split scores best by Kuang & Park's
        modified NDCG of the children's top words against the leaf's
        (:func:`~topicnmf.hierarchy.mndcg_score`). All three try the same splits
        and differ only in their order.
    term_weights : {"node", "corpus"}, default="node"
        ``"node"``: split each node's documents with the IDF of the node's
        documents in place of the corpus's; ``"corpus"``: split the rows of the
        TF-IDF matrix as they are (as Kuang & Park do).
    partition : {"kmeans", "nmf"}, default="kmeans"
        How a node's documents are split: ``"kmeans"``, spherical 2-means from
        ``n_init`` starts (the first the node's rank-2 NNDSVD), each child's topic
        the rank-1 NMF of its documents; ``"nmf"``, a rank-2 NMF from the NNDSVD
        start, each document to the topic with the larger weight (the paper's
        split), the two topics the children's.
    min_docs : int, default=5
        Smallest child a split may leave; smaller groups stay in their parent.
    n_init : int, default=16
        Starts of each split's 2-means (``partition="kmeans"``): the node's rank-2
        NNDSVD and ``n_init - 1`` pairs of documents; the split of best objective is
        kept. All the starts run together (each pass over the node one sparse
        product with a column per start), so 16 starts cost about twice one.
        ``n_init=1`` splits from the NNDSVD start alone.
    vectorizer : object or None, default=None
        As in :class:`~topicnmf.model.TopicModel`.
    nmf : object or None, default=None
        The rank-2 factorisation of ``partition="nmf"``, as in
        :class:`~topicnmf.model.TopicModel` (``None``: ``NMF()``, started from
        NNDSVDa on an exact 2-SVD).
    random_state : int, RandomState instance or None, default=None
        Seed of every split's initialisation.
    {{keep_tokens}}
    {{text_column}}

    Attributes
    ----------
    node_components_ : ndarray of shape (n_nodes, n_terms)
        Each node's topic (unit length): the root's is the rank-1 topic of all
        documents; every other node's is the rank-1 NMF of the documents its
        parent's split gave it, weighted as in that split (``partition="kmeans"``),
        or the row of its parent's rank-2 NMF (``"nmf"``).
    node_parent_ : ndarray of int of shape (n_nodes,)
        Each node's parent (-1 for the root, node 0). The ``j``-th split makes
        the nodes ``2j + 1`` and ``2j + 2``.
    node_docs_ : list of ndarray of int
        The documents of each node (a child's are a part of its parent's), after
        the refinement: a leaf's documents are those nearest its topic, a node's
        those of its leaves.
    split_order_ : list of int
        The nodes split, in the order they were split.
    leaves_ : list of int
        The leaves of the whole tree, in the order of the flat model (see ``model_``).
    model_ : TopicModel
        The tree's leaves as a flat model, the documents' weights solved on ``X``.
    vocabulary_ : ndarray of str of shape (n_terms,)
    timings_ : dict of str to float
        Seconds spent vectorizing and splitting.

    Notes
    -----
    :meth:`save` writes a folder of ``hierarchy.json`` (parameters, the tree's
    shape, timings), ``hierarchy.npz`` (the nodes' topics, each document's leaf)
    and ``model/``, the leaves' flat model (:meth:`TopicModel.save`); :meth:`load`
    reads it back, or a ``topicnmf hierarchy`` run folder. A loaded tree's
    ``vectorizer`` and ``nmf`` parameters are ``None`` (the fitted vectorizer is
    ``model_.vectorizer_``); every fitted attribute is as saved.

    References
    ----------
    D. Kuang and H. Park, "Fast rank-2 nonnegative matrix factorization for
    hierarchical document clustering", KDD 2013, 739-747.
    https://doi.org/10.1145/2487575.2487606

    M. Steinbach, G. Karypis and V. Kumar, "A comparison of document clustering
    techniques", KDD Workshop on Text Mining, 2000.

    I. S. Dhillon and D. S. Modha, "Concept decompositions for large sparse text
    data using clustering", Machine Learning 42 (2001), 143-175.
    https://doi.org/10.1023/A:1007612920971

    Examples
    --------
    >>> docs = ["goal striker penalty match", "oven bread dough bake",
    ...         "telescope planet star orbit", "match referee goal striker"] * 5
    >>> from topicnmf import TextVectorizer
    >>> tree = HierarchicalTopicModel(n_leaves=3, min_docs=2, random_state=0,
    ...     vectorizer=TextVectorizer(min_df=1, max_df=1.0)).fit(docs)
    >>> len(tree.leaves_), tree.reduce_topics(2).n_topics_
    (3, 2)
    >>> tree.tree().columns.tolist()
    ['node', 'parent', 'depth', 'split', 'documents', 'share', 'topic', 'top_words']
    """

    _state_module = "topicnmf.hierarchy._state"

    def __init__(
        self,
        n_leaves: int = 10,
        *,
        split_rule: str = "size",
        term_weights: str = "node",
        partition: str = "kmeans",
        min_docs: int = 5,
        n_init: int = 16,
        vectorizer: Any = None,
        nmf: Any = None,
        random_state: int | np.random.RandomState | None = None,
        keep_tokens: bool = True,
        text_column: str = "text",
    ):
        keep_params(self, locals())

    def fit(self, documents, y=None, *, callback: Callable[[dict], None] | None = None):
        """Grow the tree to ``n_leaves`` leaves.

        Parameters
        ----------
        documents : Corpus, sequence or Series of str, 1-D array of str, or DataFrame
        y : None
            Ignored.
        callback : callable or None, default=None
            Called with ``{"stage": "vectorize"}``, then ``{"stage": "split",
            "leaves": n}`` after every split.

        Returns
        -------
        self : HierarchicalTopicModel
        """
        from topicnmf._assemble import topic_model, vectorize
        from topicnmf.nmf import factorize

        n_leaves = check_int(self.n_leaves, "n_leaves", _OWNER, low=2)
        min_docs = check_int(self.min_docs, "min_docs", _OWNER)
        n_init = check_int(self.n_init, "n_init", _OWNER)
        rule = check_one_of(self.split_rule, "split_rule", _OWNER, SPLIT_RULES)
        weights = check_one_of(self.term_weights, "term_weights", _OWNER, TERM_WEIGHTS)
        partition = check_one_of(self.partition, "partition", _OWNER, PARTITIONS)
        random_state, keep_tokens, corpus, notify = fit_inputs(self, documents, _OWNER, at_least="two",
                                                               callback=callback)
        timings = {}
        data = vectorize(corpus, self.vectorizer, keep_tokens=keep_tokens, notify=notify, timings=timings)
        X = data.X

        start = time.perf_counter()
        corpus_idf = idf(X) if weights == "node" else None
        _, H1, _ = factorize(X, 1, init="nndsvd", max_iter=1, tol=0.0, random_state=random_state)
        root = H1[0].astype(np.float64)
        topics = [root / max(np.linalg.norm(root), 1e-300)]
        parents, docs = [-1], [np.arange(X.shape[0])]

        def split(node):
            return try_split(X, docs[node], min_docs=min_docs, rule=rule, nmf=self.nmf,
                             random_state=random_state, corpus_idf=corpus_idf, topic=topics[node],
                             partition=partition, n_init=n_init)

        splits = {0: split(0)}
        leaves, order = [0], []
        while len(leaves) < n_leaves:
            best = max(leaves, key=lambda node: splits[node].score)
            chosen = splits.pop(best)
            if chosen.rows is None:
                break
            leaves.remove(best)
            order.append(best)
            for side in (0, 1):
                node = len(parents)
                parents.append(best)
                docs.append(chosen.rows[side])
                topics.append(chosen.H[side])
                splits[node] = split(node)
                leaves.append(node)
            notify({"stage": "split", "leaves": len(leaves)})
        leaves = sorted(leaves)
        H = np.vstack([topics[node] for node in leaves]).astype(X.dtype)
        docs = node_documents(_settled(X, H, leaves, docs, min_docs), len(parents), order)
        W, _, info = factorize(X, len(leaves), H=H, update_H=False)
        timings["factorize"] = time.perf_counter() - start
        model = topic_model(data, H, W, random_state=self.random_state, info=info, timings=timings)
        self._set_fitted(np.vstack(topics), np.asarray(parents, dtype=np.int64), order, docs, model)
        return self

    def _set_fitted(self, components, parents, order, docs, model) -> None:
        """Set the fitted attributes (fit and load)."""
        self.node_components_ = components
        self.node_parent_ = parents
        self.node_docs_ = docs
        self.split_order_ = list(order)
        self.model_ = model
        self.model_.tree_nodes_ = self._cut(len(order) + 1)
        self.leaves_ = list(self.model_.tree_nodes_)
        self.vocabulary_ = model.vocabulary_
        self.timings_ = dict(model.timings_)

    def _cut(self, n: int) -> list[int]:
        """The leaves after the first ``n - 1`` splits, in node order."""
        leaves = set(range(2 * (n - 1) + 1))
        leaves.difference_update(self.split_order_[: n - 1])
        return sorted(leaves)

    def _check_n(self, n, owner: str) -> int:
        check_is_fitted(self, "node_components_")
        return check_int(n, "n", owner, high=len(self.split_order_) + 1)

    def reduce_topics(self, n: int) -> TopicModel:
        """The tree cut to ``n`` leaves (undoing the last splits) as a flat TopicModel.

        Parameters
        ----------
        n : int
            Topics wanted, at most the tree's leaves.

        Returns
        -------
        model : TopicModel
            A fitted model whose topics are the ``n`` nodes of the cut (in node order,
            which keeps siblings together; ``model.tree_nodes_`` lists them). The
            documents' weights are solved, by non-negative least squares, for the
            documents as the leaves reconstruct them (``model_.doc_topic_ @
            model_.components_``), so a saved and loaded tree cuts the same way.
            ``n`` equal to the leaves gives ``model_`` itself.
        """
        from topicnmf.model._explore import refitted
        from topicnmf.nmf import NMF
        from topicnmf.nmf._small import nnls_rows

        n = self._check_n(n, "reduce_topics")
        if n == len(self.leaves_):
            return self.model_
        nodes = self._cut(n)
        leaves = self.model_
        H = self.node_components_[nodes].astype(leaves.components_.dtype)
        # X ~= W_leaves H_leaves, so X H^T ~= W_leaves (H_leaves H^T): no pass over the documents
        A = leaves.doc_topic_.astype(np.float64) @ (leaves.components_.astype(np.float64) @ H.T.astype(np.float64))
        W = np.zeros_like(A)
        W[np.arange(len(A)), A.argmax(axis=1)] = 1.0
        nnls_rows(W, A, H.astype(np.float64) @ H.T.astype(np.float64), 0.0, 0.0)
        nmf = NMF.from_components(H, n_iter=0, reconstruction_err=float("nan"), loss_history=[], init="nndsvda")
        model = refitted(leaves, nmf, W.astype(leaves.doc_topic_.dtype), order=np.arange(n))
        model.tree_nodes_ = list(nodes)
        return model

    def tree(self, n: int = 10) -> pd.DataFrame:
        """The tree as a table, one row per node.

        Parameters
        ----------
        n : int, default=10
            Top words listed per node.

        Returns
        -------
        DataFrame
            Columns ``node``, ``parent`` (-1 for the root), ``depth`` (0 for the root),
            ``split`` (when the node was split: 0 for the first split, -1 for a leaf),
            ``documents``, ``share`` (of all documents), ``topic`` (a leaf's topic in
            ``model_``, -1 for a split node) and ``top_words`` (space-separated);
            sorted by node. A node's top words are those that set it apart from its
            sibling: its topic's weights ``c`` ranked by ``c * log((c + e) / (s + e))``,
            with ``s`` the sibling's topic and ``e`` a thousandth of the node's largest
            weight (each term's part in the Kullback-Leibler divergence of the two
            topics, as words are ranked against a background in labelling); the root's
            are its heaviest words. Upper nodes hold many themes, and their heaviest
            words are the corpus's common ones ("people", "time"), whereas these say
            what one side of a split holds that the other does not.
        """
        check_is_fitted(self, "node_components_")
        n = check_int(n, "n", "tree")
        depth = np.zeros(len(self.node_parent_), dtype=np.int64)
        for node, parent in enumerate(self.node_parent_):
            if parent >= 0:
                depth[node] = depth[parent] + 1
        split = np.full(len(depth), -1, dtype=np.int64)
        split[self.split_order_] = np.arange(len(self.split_order_))
        score = _distinctive(self.node_components_, self.node_parent_)
        top = np.argsort(-score, axis=1, kind="stable")[:, :n]
        words = [" ".join(self.vocabulary_[t[score[i, t] > 0]]) for i, t in enumerate(top)]
        sizes = np.array([len(d) for d in self.node_docs_], dtype=np.int64)
        topic = np.full(len(depth), -1, dtype=np.int64)
        topic[self.model_.tree_nodes_] = np.arange(len(self.model_.tree_nodes_))
        return pd.DataFrame({
            "node": np.arange(len(depth)),
            "parent": self.node_parent_,
            "depth": depth,
            "split": split,
            "documents": sizes,
            "share": sizes / max(int(sizes[0]), 1),
            "topic": topic,
            "top_words": words,
        })

    def doc_leaf(self, n: int | None = None) -> np.ndarray:
        """Each document's node among the ``n`` leaves of the cut (default: the whole tree).

        Returns
        -------
        nodes : ndarray of int of shape (n_docs,)
        """
        n = self._check_n(len(self.split_order_) + 1 if n is None else n, "doc_leaf")
        out = np.full(len(self.node_docs_[0]), -1, dtype=np.int64)
        for node in self._cut(n):
            out[self.node_docs_[node]] = node
        return out


def _settled(X, H: np.ndarray, leaves: list[int], docs: list[np.ndarray], min_docs: int) -> np.ndarray:
    """Each document's leaf (a node number) once it has moved to the leaf whose topic is nearest.

    A split is final for the documents it sends down, so a document that an upper
    split put on the wrong side stays there however its later leaves fit it. Once the
    tree is grown, each document goes to the leaf whose topic (a row of ``H``) has the
    largest cosine with it: one assignment step of spherical k-means over the leaves,
    the refinement of bisecting k-means. A leaf that would keep fewer than
    ``min_docs`` documents keeps its own.
    """
    own = np.empty(X.shape[0], dtype=np.int64)
    for j, node in enumerate(leaves):
        own[docs[node]] = j
    leaf = np.asarray(X @ H.T).argmax(axis=1)
    while True:
        short = np.flatnonzero(np.bincount(leaf, minlength=len(leaves)) < min_docs)
        back = np.isin(own, short) & (leaf != own)
        if not back.any():
            return np.asarray(leaves)[leaf]
        leaf[back] = own[back]


def node_documents(doc_leaf: np.ndarray, n_nodes: int, order: list[int]) -> list[np.ndarray]:
    """Each node's documents (sorted) from each document's leaf; ``order`` lists the nodes split."""
    docs: list = [np.flatnonzero(doc_leaf == node) for node in range(n_nodes)]
    for j in range(len(order) - 1, -1, -1):  # the j-th split made the nodes 2j + 1 and 2j + 2
        docs[order[j]] = np.sort(np.concatenate([docs[2 * j + 1], docs[2 * j + 2]]))
    return docs


def _distinctive(components: np.ndarray, parents) -> np.ndarray:
    """Each node's term weights against its sibling's (the root's as they are); see ``tree``."""
    parents = np.asarray(parents)
    score = np.array(components, dtype=np.float64)
    for parent in np.unique(parents[parents >= 0]):
        pair = np.flatnonzero(parents == parent)
        for node, sibling in ((pair[0], pair[-1]), (pair[-1], pair[0])):
            c, s = components[node], components[sibling]
            eps = 1e-3 * float(c.max()) if c.max() > 0 else 1.0
            score[node] = c * np.log((c + eps) / (s + eps))
    return score
