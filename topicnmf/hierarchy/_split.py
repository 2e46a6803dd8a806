"""One rank-2 split of a node's documents, and the scores that order the splits.

A node's documents, their rows of ``X`` with the node's own term weights
(:func:`node_weights`), are split in one of two ways, both started from NNDSVDa
on an exact 2-SVD (:func:`rank2_start`):

- ``"kmeans"``: spherical 2-means (:func:`two_means`): each document goes to the
  nearer (by cosine) of the two sides' centroids until no document moves, and
  each child's topic is the rank-1 NMF of its documents (:func:`rank1_topic`).
  It runs from ``n_init`` starts together, the NNDSVD's sides and pairs of
  documents drawn as k-means++ draws them, and keeps the split of best objective
  (:func:`best_split`) among those whose children both hold ``min_docs`` and a
  tenth of the node; where every start peels a few documents off rather than
  split the node, it starts again from the sides of the rank-2 NMF;
- ``"nmf"``: a rank-2 NMF (HierNMF2); each document goes to the child with the
  larger weight once the two topics have unit length, and the children's topics
  are the two rows of the factorisation.

What the split gains over rank 1 (``"gain"``), Kuang & Park's ranking score
(``"mndcg"``, :func:`mndcg_score`) or the node's size (``"size"``) decide which
leaf is split next.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from topicnmf.nmf import NMF

__all__ = ["PARTITIONS", "Split", "best_split", "idf", "mndcg_score", "node_weights", "rank1_topic",
           "rank2_start", "try_split", "two_means"]

PARTITIONS = ("kmeans", "nmf")
SMALLEST = 0.1  # the share of a node below which a child of 2-means is a peel, not a split


def idf(X, rows: np.ndarray | None = None) -> np.ndarray:
    """Smoothed inverse document frequency ``1 + log((n + 1) / (df + 1))`` of the columns of ``X[rows]``."""
    part = X if rows is None else X[rows]
    df = np.bincount(part.indices, minlength=part.shape[1]).astype(np.float64)
    return 1.0 + np.log((part.shape[0] + 1.0) / (df + 1.0))


def node_weights(Xn, corpus_idf: np.ndarray) -> np.ndarray:
    """Column factors that turn the corpus's IDF in ``Xn`` into the node's own IDF.

    A term that most of a node's documents use cannot tell them apart, however rare
    it is in the whole corpus (inside a node about religion, "god" is such a term);
    the node's IDF weighs it down, so that the split follows what differs inside
    the node rather than what sets the node apart from the rest of the corpus
    (Spärck Jones's IDF, taken over the node's documents).
    """
    return idf(Xn) / corpus_idf


def rank2_start(X) -> tuple[np.ndarray, np.ndarray, float]:
    """NNDSVDa start of a rank-2 NMF (Boutsidis & Gallopoulos 2008) from an exact 2-SVD.

    ARPACK's two singular triplets cost a few sparse products; the randomized SVD of
    the general initialisation costs far more for a rank-2 problem. Also returns the
    largest singular value: its square is what the best rank-1 NMF explains (the
    leading singular vectors of a non-negative matrix are non-negative).
    """
    from scipy.sparse.linalg import svds

    n, m = X.shape
    Xd = X.astype(np.float64)
    if min(n, m) > 2:
        U, s, Vt = svds(Xd, k=2, v0=np.ones(min(n, m)) / np.sqrt(min(n, m)), tol=1e-4)
    else:  # ARPACK needs k < min(n, m): a node of two documents or two terms is decomposed densely
        U, s, Vt = np.linalg.svd(Xd.toarray(), full_matrices=False)
        short = 2 - len(s)  # one triplet where a single document or term: the second is zero
        U, s, Vt = np.pad(U, ((0, 0), (0, short))), np.pad(s, (0, short)), np.pad(Vt, ((0, short), (0, 0)))
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


class Split:
    """A tried rank-2 split of one node: its score, the children's documents and topics."""

    __slots__ = ("score", "rows", "H")

    def __init__(self, score: float, rows: tuple[np.ndarray, np.ndarray] | None, H: np.ndarray | None):
        self.score, self.rows, self.H = score, rows, H


NO_SPLIT = Split(-np.inf, None, None)


def rank1_topic(Xn, v: np.ndarray, *, max_iter: int = 20, tol: float = 1e-4) -> tuple[np.ndarray, float]:
    """The rank-1 NMF of ``Xn``: its leading right singular vector, by power iterations from ``v``.

    The leading singular vectors of a non-negative matrix are non-negative (Perron
    and Frobenius), so the best rank-1 approximation is the best rank-1 NMF. Started
    from a non-negative ``v`` (a centroid), the iterates stay non-negative and, the
    gap to the second singular value of a cluster being wide, settle in a few steps.

    Returns
    -------
    topic : ndarray of shape (n_terms,)
        Unit length, non-negative.
    sigma : float
        The leading singular value (its square is what the topic explains of ``Xn``).
    """
    v = v / max(float(np.sqrt((v * v).sum())), 1e-300)
    sigma = 0.0
    for _ in range(max_iter):
        w = np.asarray(Xn.T @ (Xn @ v)).ravel()
        norm = float(np.sqrt((w * w).sum()))  # elementwise: no BLAS call for a vector
        if norm <= 0:
            break
        w /= norm
        step = float(np.abs(w - v).max())
        v, sigma = w, float(np.sqrt(norm))
        if step < tol:
            break
    return v, sigma


def two_means(Xn, side: np.ndarray, *, max_iter: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Spherical 2-means of the unit rows of ``Xn`` (Dhillon & Modha 2001), from the sides ``side``.

    Each document goes to the side whose centroid (the sum of its rows, scaled to unit
    length) is nearer by cosine, until no document moves. This is the split of
    bisecting k-means (Steinbach, Karypis & Kumar 2000). Several starts (the columns
    of a 2-D ``side``) run together: each pass over ``Xn`` is two sparse products with
    a column per start still moving (one side's sum, the other's being the node's sum
    less it; and the documents' cosines to the difference of the two unit centroids,
    whose sign says the nearer side).

    Returns
    -------
    side : ndarray of bool of shape (n_docs,) or (n_docs, n_starts)
    centroids : ndarray of shape (2, n_terms) or (n_starts, 2, n_terms)
        The sides' sums of rows (not scaled).
    """
    sides = np.array(side, dtype=bool).reshape(Xn.shape[0], -1)
    n_starts = sides.shape[1]
    total = np.asarray(Xn.sum(axis=0), dtype=np.float64).ravel()
    sums = np.zeros((n_starts, 2, Xn.shape[1]))
    moving = np.arange(n_starts)
    for _ in range(max_iter + 1):
        sums[moving, 1] = np.asarray(Xn.T @ sides[:, moving].astype(Xn.dtype), dtype=np.float64).T
        sums[moving, 0] = total - sums[moving, 1]
        lengths = np.sqrt(np.einsum("sjm,sjm->sj", sums[moving], sums[moving]))
        whole = (lengths > 0).all(axis=1)
        moving, lengths = moving[whole], lengths[whole]
        if not len(moving):
            break
        difference = sums[moving, 1] / lengths[:, 1:] - sums[moving, 0] / lengths[:, :1]
        moved = np.asarray(Xn @ difference.T.astype(Xn.dtype)) > 0
        changed = (moved != sides[:, moving]).any(axis=0)
        sides[:, moving] = moved
        moving = moving[changed]
        if not len(moving):
            break
    if np.ndim(side) == 1:
        return sides[:, 0], sums[0]
    return sides, sums


def _pair_starts(Xn, n_starts: int, rng: np.random.RandomState) -> np.ndarray:
    """Sides from pairs of documents drawn as k-means++ draws them, shape (n_docs, n_starts).

    The first document of each pair is drawn uniformly, the second in proportion to its
    cosine distance from the first; each document starts on the side of the nearer one.
    """
    n = Xn.shape[0]
    first = rng.randint(n, size=n_starts)
    near = np.asarray((Xn @ Xn[first].T).toarray(), dtype=np.float64)
    far = np.maximum(1.0 - near, 0.0)
    second = np.array([rng.choice(n, p=f / f.sum()) if f.sum() > 0 else rng.randint(n) for f in far.T])
    return np.asarray((Xn @ Xn[second].T).toarray(), dtype=np.float64) > near


def best_split(Xn, starts: np.ndarray, smallest: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The best 2-means split of ``Xn`` from the ``starts`` (columns of sides) whose children both hold ``smallest``.

    Best by the spherical k-means objective, the sum of the documents' cosines to
    their side's centroid (the lengths of the two sides' sums of unit rows); None
    where every start ends with a smaller child, or with a side of documents without
    terms.

    Returns
    -------
    side : ndarray of bool of shape (n_docs,)
    centroids : ndarray of shape (2, n_terms)
        The sides' sums of rows.
    """
    sides, sums = two_means(Xn, starts)
    small = np.minimum(sides.sum(axis=0), (~sides).sum(axis=0))
    lengths = np.sqrt(np.einsum("sjm,sjm->sj", sums, sums))
    ok = np.flatnonzero((small >= smallest) & (lengths > 0).all(axis=1))  # not a side of empty documents only
    cohesion = lengths.sum(axis=1)
    if not len(ok):
        return None
    best = ok[np.argmax(cohesion[ok])]
    return sides[:, best], sums[best]


def _node_rows(X, rows: np.ndarray):
    """The rows ``rows`` of the CSR matrix ``X`` over the columns they use, and those columns.

    The columns are renumbered in their order, so the indices stay sorted and no
    column slicing (which sorts every row again) is needed.
    """
    Xn = X[rows]
    df = np.bincount(Xn.indices, minlength=X.shape[1])
    used = np.flatnonzero(df)
    position = np.cumsum(df > 0) - 1
    out = sp.csr_matrix((Xn.data.copy(), position[Xn.indices].astype(Xn.indices.dtype), Xn.indptr.copy()),
                        shape=(Xn.shape[0], len(used)))
    out.has_sorted_indices = True
    return out, used


def _scaled(Xn, scale: np.ndarray | None):
    """``Xn`` with its columns times ``scale`` (when given) and its rows scaled to unit length, in place."""
    if scale is not None:
        Xn.data *= scale.astype(Xn.dtype)[Xn.indices]
    row = np.repeat(np.arange(Xn.shape[0]), np.diff(Xn.indptr))
    norms = np.sqrt(np.bincount(row, weights=np.square(Xn.data, dtype=np.float64), minlength=Xn.shape[0]))
    Xn.data *= (1.0 / np.where(norms > 0, norms, 1.0)).astype(Xn.dtype)[row]
    return Xn


def _rank2_nmf(Xn, W0, H0, nmf, random_state):
    """The rank-2 NMF of ``Xn`` from ``(W0, H0)``: each document's side, the topics and the error (or None)."""
    model = NMF() if nmf is None else clone(nmf)
    model.set_params(n_components=2, random_state=random_state, init="custom")
    W = model.fit_transform(Xn, W=W0.copy(), H=H0.copy())
    H = model.components_.astype(np.float64)
    lengths = np.linalg.norm(H, axis=1)
    if (lengths <= 0).any():
        return None
    return W[:, 1] * lengths[1] > W[:, 0] * lengths[0], H, float(model.reconstruction_err_)


def try_split(X, rows: np.ndarray, *, min_docs: int, rule: str, nmf, random_state,
              corpus_idf: np.ndarray | None, topic: np.ndarray, partition: str = "kmeans",
              n_init: int) -> Split:
    """The rank-2 split of the documents ``rows`` of ``X`` (CSR), scored by ``rule``.

    ``corpus_idf`` (the IDF of the whole corpus) turns on the node's own term
    weights (:func:`node_weights`); ``None`` splits the rows of ``X`` as they are.
    ``partition`` is ``"kmeans"`` or ``"nmf"``, ``n_init`` the starts of ``"kmeans"``
    (see the module's text).
    The children's topics come back over the terms of ``X`` (the node's weights
    divided out) with unit length; ``topic`` is the node's own, for ``"mndcg"``.
    """
    if len(rows) < 2 * min_docs:
        return NO_SPLIT
    Xn, used = _node_rows(X, rows)
    if len(used) < 2:
        return NO_SPLIT
    scale = None
    if corpus_idf is not None:
        scale = node_weights(Xn, corpus_idf[used])
    Xn = _scaled(Xn, scale)
    W0, H0, sigma = rank2_start(Xn)
    lengths = np.linalg.norm(H0, axis=1)
    side = W0[:, 1] * lengths[1] > W0[:, 0] * lengths[0]
    if partition == "kmeans":
        starts = side[:, None]
        if n_init > 1:
            from sklearn.utils import check_random_state

            starts = np.hstack([starts, _pair_starts(Xn, n_init - 1, check_random_state(random_state))])
        found = best_split(Xn, starts, max(min_docs, SMALLEST * len(rows)))
        if found is None:  # every start peels rather than splits: start again from the rank-2 NMF's sides
            rank2 = _rank2_nmf(Xn, W0, H0, nmf, random_state)
            if rank2 is None:
                return NO_SPLIT
            found = best_split(Xn, rank2[0][:, None], min_docs)
            if found is None:
                return NO_SPLIT
        side, centroids = found
        H, explained = np.zeros((2, Xn.shape[1])), 0.0
        for j, part in enumerate((~side, side)):
            H[j], s = rank1_topic(Xn[part], centroids[j])
            explained += s**2
        gain = explained - sigma**2
    else:
        rank2 = _rank2_nmf(Xn, W0, H0, nmf, random_state)
        if rank2 is None:
            return NO_SPLIT
        side, H, error = rank2
        if min(int(side.sum()), int((~side).sum())) < min_docs:
            return NO_SPLIT
        gain = float(Xn.multiply(Xn).sum()) - sigma**2 - error**2
    left, right = rows[~side], rows[side]
    if scale is not None:
        H = H / scale
    H /= np.linalg.norm(H, axis=1, keepdims=True)
    if rule == "gain":  # what the two children explain beyond the best rank 1 of the node
        score = float(gain)
    elif rule == "mndcg":
        score = mndcg_score(topic[used], H)
    else:
        score = float(len(rows))
    Hfull = np.zeros((2, X.shape[1]))
    Hfull[:, used] = H
    return Split(score, (left, right), Hfull)
