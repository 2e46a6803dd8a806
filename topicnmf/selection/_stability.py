"""Topic stability: top terms, average Jaccard agreement and Hungarian matching (Greene et al. 2014)."""

from __future__ import annotations

from typing import Iterable

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["average_jaccard", "top_terms", "topic_stability"]


def top_terms(H: np.ndarray, n: int) -> np.ndarray:
    """Indices of each row's ``n`` heaviest columns, heaviest first (ties by column index).

    Parameters
    ----------
    H : ndarray of shape (k, n_terms)
    n : int

    Returns
    -------
    top : ndarray of int of shape (k, min(n, n_terms))
    """
    H = np.asarray(H)
    n = min(n, H.shape[1])
    if n < H.shape[1]:
        part = np.argpartition(-H, n - 1, axis=1)[:, :n]
    else:
        part = np.tile(np.arange(n), (H.shape[0], 1))
    weights = np.take_along_axis(H, part, axis=1)
    order = np.lexsort((part, -weights), axis=1)
    return np.take_along_axis(part, order, axis=1)


def average_jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Average Jaccard agreement of every pair of ranked term lists.

    ``AJ(r, s) = 1/t * sum_{d=1..t} |r[:d] & s[:d]| / |r[:d] | s[:d]|``: the
    Jaccard index of the top-``d`` sets, averaged over the depths ``d = 1..t``
    (Greene et al. 2014). It is 1 for identical rankings and 0 for disjoint ones.

    Parameters
    ----------
    a : ndarray of int of shape (k_a, t)
        Ranked term indices, best first, one row per topic.
    b : ndarray of int of shape (k_b, t)

    Returns
    -------
    agreement : ndarray of shape (k_a, k_b)

    Examples
    --------
    >>> import numpy as np
    >>> float(average_jaccard(np.array([[1, 2]]), np.array([[2, 1]]))[0, 0])
    0.5
    """
    a = np.asarray(a)
    b = np.asarray(b)
    t = a.shape[1]
    depth = np.arange(t)
    # A common term at rank p of one list and rank q of the other is in both
    # top-d sets from depth d = max(p, q) on.
    same = (a[:, None, :, None] == b[None, :, None, :]).astype(np.float64)  # (k_a, k_b, t, t)
    starts = np.maximum(depth[:, None], depth[None, :])
    onehot = (starts[:, :, None] == depth[None, None, :]).astype(np.float64)  # (t, t, t)
    overlap = np.cumsum(np.einsum("abpq,pqd->abd", same, onehot), axis=2)
    size = 2.0 * (depth + 1)
    return (overlap / (size - overlap)).mean(axis=2)


def topic_stability(reference: np.ndarray, runs: Iterable[np.ndarray], top_n: int = 10):
    """Agreement of the topics of several runs with the topics of a reference model.

    Each run's topics are matched one to one to the reference topics so that the
    summed average Jaccard agreement (:func:`average_jaccard` of the top ``top_n``
    terms) is largest (the Hungarian method); a run's agreement is the mean over
    the matched pairs (Greene, O'Callaghan and Cunningham 2014).

    Parameters
    ----------
    reference : ndarray of shape (k, n_terms)
        Topic-term weights ``H`` of the reference model.
    runs : iterable of ndarray of shape (k, n_terms)
        ``H`` of every other run.
    top_n : int, default=10
        Top terms compared.

    Returns
    -------
    per_run : ndarray of shape (n_runs,)
        Agreement of each run, in [0, 1].
    per_topic : ndarray of shape (n_runs, k)
        Agreement of each reference topic with its match in each run.
    """
    ref = top_terms(reference, top_n)
    per_topic = []
    for H in runs:
        agreement = average_jaccard(ref, top_terms(H, top_n))
        rows, cols = linear_sum_assignment(agreement, maximize=True)
        matched = np.zeros(ref.shape[0])
        matched[rows] = agreement[rows, cols]
        per_topic.append(matched)
    per_topic = np.asarray(per_topic).reshape(-1, ref.shape[0])
    return per_topic.mean(axis=1), per_topic
