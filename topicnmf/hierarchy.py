"""A topic tree by rank-2 splits (HierNMF2, Kuang & Park 2013).

Starting from all documents, the leaf whose split gains most is split by a rank-2
NMF of its documents into two children, each document going to the child with the
larger weight; this repeats until the tree has ``n_leaves`` leaves. Every split is
tried once, when its leaf is made, so a tree of ``L`` leaves costs ``2L - 1`` rank-2
factorisations of ever smaller matrices.

Split-or-stop rule. Kuang & Park choose the leaf to split by a ranking score of the
children's top words and set aside splits that cut off only a handful of documents
as outliers. Here the leaf chosen is the one whose rank-2 factorisation explains
most more of its documents' squared TF-IDF mass than a rank-1 factorisation does
(the same quantity bisecting k-means maximises), and a leaf is not split when it
has fewer than ``2 * min_docs`` documents or when its split would leave a child
with fewer than ``min_docs`` documents (such a child is an outlier group, kept
in its parent). ``split_rule="mndcg"`` chooses instead by the paper's ranking
score (:func:`mndcg_score`).

D. Kuang and H. Park, "Fast rank-2 nonnegative matrix factorization for
hierarchical document clustering", KDD 2013, 739-747.
https://doi.org/10.1145/2487575.2487606
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from topicnmf._validation import check_bool, check_int, check_one_of, check_random_state
from topicnmf.errors import InputError
from topicnmf.model import TopicModel, as_corpus
from topicnmf.nmf import NMF, factorize

__all__ = ["HierarchicalTopicModel", "SPLIT_RULES", "mndcg_score"]

SPLIT_RULES = ("gain", "mndcg")


def _rank2_start(X) -> tuple[np.ndarray, np.ndarray, float]:
    """NNDSVDa start of a rank-2 NMF (Boutsidis & Gallopoulos 2008) from an exact 2-SVD.

    ARPACK's two singular triplets cost a few sparse products; the randomized SVD of
    the general initialisation costs far more for a rank-2 problem. Also returns the
    largest singular value: its square is what the best rank-1 NMF explains (the
    leading singular vectors of a non-negative matrix are non-negative).
    """
    from scipy.sparse.linalg import svds

    n, m = X.shape
    Xd = X.astype(np.float64)
    U, s, Vt = svds(Xd, k=2, v0=np.ones(min(n, m)) / np.sqrt(min(n, m)), tol=1e-4)
    order = np.argsort(-s)
    U, s, V = U[:, order], s[order], Vt[order].T
    W = np.zeros((n, 2))
    H = np.zeros((2, m))
    W[:, 0] = np.sqrt(s[0]) * np.abs(U[:, 0])
    H[0] = np.sqrt(s[0]) * np.abs(V[:, 0])
    x, y = U[:, 1], V[:, 1]
    xp, yp, xn, yn = np.maximum(x, 0), np.maximum(y, 0), np.maximum(-x, 0), np.maximum(-y, 0)
    mp = np.linalg.norm(xp) * np.linalg.norm(yp)
    mn = np.linalg.norm(xn) * np.linalg.norm(yn)
    u, v, sigma = (xp, yp, mp) if mp > mn else (xn, yn, mn)
    if sigma > 0:
        lam = np.sqrt(s[1] * sigma)
        W[:, 1] = lam * u / np.linalg.norm(u)
        H[1] = lam * v / np.linalg.norm(v)
    mean = float(X.sum()) / (n * m)
    W[W < 1e-6] = mean
    H[H < 1e-6] = mean
    return W.astype(X.dtype), H.astype(X.dtype), float(s[0])


def _ranks(v: np.ndarray) -> np.ndarray:
    """Each entry's place when ``v`` is sorted largest first (0 for the largest), ties by position."""
    ranks = np.empty(len(v), dtype=np.int64)
    ranks[np.argsort(-v, kind="stable")] = np.arange(len(v))
    return ranks


def mndcg_score(parent: np.ndarray, children: np.ndarray) -> float:
    """Kuang & Park's split score: the product of the children's modified NDCG against the parent.

    Each term's relevance is its place among the parent's non-zero terms
    (``log(n_parent - rank)``), divided by ``log(m - r + 1)`` where ``r`` is the
    term's worse place in the two children: a term at the top of both children
    (shared, so not telling them apart) counts little. Each child's ranking of
    the terms is scored by its discounted cumulative gain (discount ``log2(i)``
    from the third place on) relative to the ideal one; a split scores high when
    both children rank the parent's top terms high and different ones.

    Parameters
    ----------
    parent : ndarray of shape (m,)
        The node's topic over the terms of its documents.
    children : ndarray of shape (2, m)
        The topics of its rank-2 split over the same terms.

    Returns
    -------
    score : float in [0, 1]
    """
    m = len(parent)
    n_parent = int(np.count_nonzero(parent > 0))
    if m < 2 or n_parent < 2:
        return -np.inf
    rank_parent = _ranks(parent)
    rank_children = np.vstack([_ranks(child) for child in children])
    discount = np.log(m - rank_children.max(axis=0) + 1.0)
    discount[discount == 0] = np.log(2.0)
    ideal = np.where(rank_parent < n_parent, np.log(m - rank_parent), 1.0) / discount
    gain = np.where(rank_parent < n_parent, np.log(np.maximum(n_parent - rank_parent, 1)), 0.0) / discount
    place = np.ones(m)
    place[2:] = 1.0 / np.log2(np.arange(2, m))
    best = float(np.sort(ideal)[::-1] @ place)
    score = 1.0
    for child in children:
        score *= float(gain[np.argsort(-child, kind="stable")] @ place) / best
    return score


class _Split:
    """A tried rank-2 split of one node: children's documents and topics, and its gain."""

    __slots__ = ("gain", "rows", "H")

    def __init__(self, gain: float, rows: tuple[np.ndarray, np.ndarray] | None, H: np.ndarray | None):
        self.gain, self.rows, self.H = gain, rows, H


class HierarchicalTopicModel(BaseEstimator):
    """A tree of topics by recursive rank-2 NMF splits (HierNMF2, Kuang & Park 2013).

    Parameters
    ----------
    n_leaves : int, default=10
        Leaves of the tree (fewer when no leaf can be split any more).
    split_rule : {"gain", "mndcg"}, default="gain"
        Which leaf is split next: ``"gain"``, the one whose rank-2 factorisation
        explains most more than rank 1; ``"mndcg"``, the one whose split scores
        best by Kuang & Park's modified NDCG of the children's top words against
        the leaf's (:func:`mndcg_score`). Both try the same splits and differ
        only in their order (see ``benchmarks/hierarchy.py`` for 20 Newsgroups).
    min_docs : int, default=5
        Smallest child a split may leave; smaller groups stay in their parent.
    vectorizer : object or None, default=None
        As in :class:`~topicnmf.model.TopicModel`.
    nmf : object or None, default=None
        The rank-2 factorisation, as in :class:`~topicnmf.model.TopicModel`
        (``None``: ``NMF(init="nndsvda")``).
    random_state : int, RandomState instance or None, default=None
        Seed of every split's initialisation.
    keep_tokens : bool, default=True
        Keep the token streams so that the flat models' coherence can be scored.
    text_column : str, default="text"
        The column that holds the texts when documents come as a pandas DataFrame.

    Attributes
    ----------
    node_components_ : ndarray of shape (n_nodes, n_terms)
        Each node's topic (unit length): the root's is the rank-1 topic of all
        documents, every other node's the row of its parent's split.
    node_parent_ : ndarray of int of shape (n_nodes,)
        Each node's parent (-1 for the root, node 0). Children come in pairs.
    node_docs_ : list of ndarray of int
        The documents of each node (a child's are a part of its parent's).
    split_order_ : list of int
        The nodes split, in the order they were split.
    leaves_ : list of int
        The leaves of the whole tree, in the order of the flat model (see ``model_``).
    model_ : TopicModel
        The tree's leaves as a flat model (:meth:`reduce_topics` with ``n_leaves``).
    vocabulary_ : ndarray of str of shape (n_terms,)

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
    ['node', 'parent', 'depth', 'split', 'documents', 'top_words']
    """

    def __init__(
        self,
        n_leaves: int = 10,
        *,
        split_rule: str = "gain",
        min_docs: int = 5,
        vectorizer: Any = None,
        nmf: Any = None,
        random_state: int | np.random.RandomState | None = None,
        keep_tokens: bool = True,
        text_column: str = "text",
    ):
        self.n_leaves = n_leaves
        self.split_rule = split_rule
        self.min_docs = min_docs
        self.vectorizer = vectorizer
        self.nmf = nmf
        self.random_state = random_state
        self.keep_tokens = keep_tokens
        self.text_column = text_column

    def _try_split(self, X, rows: np.ndarray, min_docs: int, random_state, rule: str = "gain",
                   topic: np.ndarray | None = None) -> _Split:
        """The rank-2 split of the documents ``rows`` and what it gains over rank 1."""
        if len(rows) < 2 * min_docs:
            return _Split(-np.inf, None, None)
        Xn = X[rows]
        used = np.flatnonzero(np.asarray(Xn.getnnz(axis=0)) > 0)
        if len(used) < 2:
            return _Split(-np.inf, None, None)
        Xn = Xn[:, used]
        nmf = NMF() if self.nmf is None else clone(self.nmf)
        nmf.set_params(n_components=2, random_state=random_state, init="custom")
        W0, H0, sigma = _rank2_start(Xn)
        W = nmf.fit_transform(Xn, W=W0, H=H0)
        H = nmf.components_.astype(np.float64)
        norms = np.linalg.norm(H, axis=1)
        if (norms <= 0).any():
            return _Split(-np.inf, None, None)
        W = W * norms
        H = H / norms[:, None]
        side = W[:, 1] > W[:, 0]
        left, right = rows[~side], rows[side]
        if min(len(left), len(right)) < min_docs:
            return _Split(-np.inf, None, None)
        if rule == "mndcg":
            gain = mndcg_score(topic[used], H)
        else:
            err2 = float(nmf.reconstruction_err_) ** 2
            # rank 1: the best rank-1 NMF explains the leading singular value squared
            gain = float(Xn.multiply(Xn).sum()) - sigma**2 - err2
        Hfull = np.zeros((2, X.shape[1]))
        Hfull[:, used] = H
        return _Split(gain, (left, right), Hfull)

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
        from topicnmf._assemble import vectorize

        owner = "HierarchicalTopicModel"
        n_leaves = check_int(self.n_leaves, "n_leaves", owner)
        min_docs = check_int(self.min_docs, "min_docs", owner)
        rule = check_one_of(self.split_rule, "split_rule", owner, SPLIT_RULES)
        random_state = check_random_state(self.random_state, "random_state", owner)
        keep_tokens = check_bool(self.keep_tokens, "keep_tokens", owner)
        notify = callback or (lambda info: None)
        corpus = as_corpus(documents, text_column=self.text_column, owner="HierarchicalTopicModel.fit")
        if len(corpus) == 0:
            raise InputError("The corpus passed to HierarchicalTopicModel.fit has no documents; give at least two.")
        start = time.perf_counter()
        notify({"stage": "vectorize"})
        data = vectorize(corpus, self.vectorizer, keep_tokens=keep_tokens)
        X = data.X
        timings = {"vectorize": time.perf_counter() - start}

        start = time.perf_counter()
        all_rows = np.arange(X.shape[0])
        _, H1, _ = factorize(X, 1, init="nndsvd", max_iter=1, tol=0.0, random_state=random_state)
        root = H1[0].astype(np.float64)
        topics = [root / max(np.linalg.norm(root), 1e-300)]
        parents, docs = [-1], [all_rows]
        splits = {0: self._try_split(X, all_rows, min_docs, random_state, rule, topics[0])}
        leaves, order = [0], []
        while len(leaves) < n_leaves:
            best = max(leaves, key=lambda node: splits[node].gain)
            split = splits[best]
            if split.rows is None:
                break
            leaves.remove(best)
            order.append(best)
            for side in (0, 1):
                node = len(parents)
                parents.append(best)
                docs.append(split.rows[side])
                topics.append(split.H[side])
                splits[node] = self._try_split(X, split.rows[side], min_docs, random_state, rule, topics[node])
                leaves.append(node)
            del splits[best]
            notify({"stage": "split", "leaves": len(leaves)})
        timings["factorize"] = time.perf_counter() - start

        self._data = data
        self.node_components_ = np.vstack(topics)
        self.node_parent_ = np.asarray(parents, dtype=np.int64)
        self.node_docs_ = docs
        self.split_order_ = order
        self.vocabulary_ = data.vocabulary
        self.timings_ = timings
        self.leaves_ = self._cut(len(leaves))
        self.model_ = self.reduce_topics(len(leaves))
        return self

    def _cut(self, n: int) -> list[int]:
        """The leaves after the first ``n - 1`` splits, in node order."""
        leaves = {0}
        for node in self.split_order_[: n - 1]:
            leaves.remove(node)
            children = np.flatnonzero(self.node_parent_ == node)
            leaves.update(children.tolist())
        return sorted(leaves)

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
            which keeps siblings together; ``model.tree_nodes_`` lists them) and whose
            document weights are solved for them, as :meth:`TopicModel.transform` does.
        """
        from topicnmf._assemble import topic_model

        check_is_fitted(self, "node_components_")
        n = check_int(n, "n", "reduce_topics", high=len(self.split_order_) + 1)
        nodes = self._cut(n)
        H = self.node_components_[nodes].astype(self._data.X.dtype)
        W, _, info = factorize(self._data.X, n, H=H, update_H=False)
        model = topic_model(self._data, H, W, random_state=self.random_state, info=info,
                            timings=self.timings_)
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
            ``documents`` and ``top_words`` (space-separated); sorted by node.
        """
        check_is_fitted(self, "node_components_")
        n = check_int(n, "n", "tree")
        depth = np.zeros(len(self.node_parent_), dtype=np.int64)
        for node, parent in enumerate(self.node_parent_):
            if parent >= 0:
                depth[node] = depth[parent] + 1
        split = np.full(len(depth), -1, dtype=np.int64)
        split[self.split_order_] = np.arange(len(self.split_order_))
        top = np.argsort(-self.node_components_, axis=1, kind="stable")[:, :n]
        words = [" ".join(self.vocabulary_[t[self.node_components_[i, t] > 0]]) for i, t in enumerate(top)]
        return pd.DataFrame({
            "node": np.arange(len(depth)),
            "parent": self.node_parent_,
            "depth": depth,
            "split": split,
            "documents": [len(d) for d in self.node_docs_],
            "top_words": words,
        })

    def doc_leaf(self, n: int | None = None) -> np.ndarray:
        """Each document's node among the ``n`` leaves of the cut (default: the whole tree).

        Returns
        -------
        nodes : ndarray of int of shape (n_docs,)
        """
        check_is_fitted(self, "node_components_")
        n = len(self.split_order_) + 1 if n is None else check_int(n, "n", "doc_leaf",
                                                                   high=len(self.split_order_) + 1)
        out = np.full(len(self.node_docs_[0]), -1, dtype=np.int64)
        for node in self._cut(n):
            out[self.node_docs_[node]] = node
        return out
