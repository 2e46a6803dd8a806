"""The data of the report page's explorer, computed in Python and embedded as JSON.

The explorer (the interactive part of ``report.html``, see
:mod:`topicnmf.reporting.page`) draws what this module computes:

- an intertopic distance map: the Jensen-Shannon distances between the topics'
  word distributions ``p(w|t)`` (the rows of ``H`` scaled to sum to 1), placed
  in 2-D by classical (Torgerson) multidimensional scaling, each topic a circle
  whose area is its share;
- each topic's words ranked by relevance (Sievert & Shirley, 2014)::

      relevance(w, t | lambda) = lambda log p(w|t) + (1 - lambda) log(p(w|t) / p(w))

  where ``p(w) = sum_t share_t p(w|t)`` is the word's part of the total weight
  of ``W @ H`` (the same mass that gives the topics' shares). Each topic embeds
  every word that can be among its ``n_words`` most relevant at some lambda in
  [0, 1] (see :func:`relevance_candidates`), so the page re-ranks exactly;
- with known labels, the label x topic counts, NMI and purity
  (:func:`label_agreement`).

:func:`json_script` embeds the data so that no text from the documents can end
the ``<script>`` block it sits in.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

__all__ = [
    "classical_mds",
    "explorer_data",
    "json_script",
    "label_agreement",
    "relevance",
    "relevance_candidates",
    "topic_distances",
    "word_distributions",
]

#: Significant digits of the probabilities embedded in the page.
DIGITS = 4


def word_distributions(H, shares) -> tuple[np.ndarray, np.ndarray]:
    """``p(w|t)`` (rows of ``H`` scaled to sum to 1) and ``p(w) = sum_t share_t p(w|t)``.

    Parameters
    ----------
    H : array-like of shape (n_topics, n_terms)
        Non-negative topic-term weights.
    shares : array-like of shape (n_topics,)
        The topics' shares of the total weight (summing to 1).

    Returns
    -------
    p_word_topic : ndarray of shape (n_topics, n_terms)
        A topic with no weight gets a row of zeros.
    p_word : ndarray of shape (n_terms,)
    """
    H = np.asarray(H, dtype=np.float64)
    totals = H.sum(axis=1, keepdims=True)
    p_word_topic = H / np.where(totals > 0, totals, 1.0)
    p_word = np.asarray(shares, dtype=np.float64) @ p_word_topic
    return p_word_topic, p_word


def topic_distances(p_word_topic) -> np.ndarray:
    """Jensen-Shannon distances (base 2, in [0, 1]) between the rows of ``p_word_topic``.

    Parameters
    ----------
    p_word_topic : array-like of shape (n_topics, n_terms)
        Word distributions, one per row.

    Returns
    -------
    D : ndarray of shape (n_topics, n_topics)
        Symmetric, zero on the diagonal.

    Examples
    --------
    >>> topic_distances([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]).round(3).tolist()
    [[0.0, 1.0, 0.558], [1.0, 0.0, 0.558], [0.558, 0.558, 0.0]]
    """
    from scipy.spatial.distance import jensenshannon

    P = np.asarray(p_word_topic, dtype=np.float64)
    k = P.shape[0]
    D = np.zeros((k, k))
    for i in range(k - 1):
        D[i, i + 1 :] = jensenshannon(P[i][None, :], P[i + 1 :], axis=1, base=2)
    D = np.nan_to_num(D + D.T, nan=1.0)  # a topic with no weight is as far as can be
    np.fill_diagonal(D, 0.0)
    return np.clip(D, 0.0, 1.0)


def classical_mds(D, n_components: int = 2) -> np.ndarray:
    """Classical (Torgerson) multidimensional scaling of a distance matrix.

    The points are the top eigenvectors of the double-centred squared distances,
    scaled by the square roots of their eigenvalues (negative eigenvalues count
    as 0). Signs are fixed so that each coordinate's largest entry in absolute
    value is positive, so the same distances always give the same picture.

    Parameters
    ----------
    D : array-like of shape (n_points, n_points)
        Symmetric distances.
    n_components : int, default=2

    Returns
    -------
    X : ndarray of shape (n_points, n_components)
        Centred coordinates; a coordinate without variance is 0.

    Examples
    --------
    >>> X = classical_mds([[0, 3, 4], [3, 0, 5], [4, 5, 0]])
    >>> from scipy.spatial.distance import pdist
    >>> pdist(X).round(6).tolist()
    [3.0, 4.0, 5.0]
    """
    D = np.asarray(D, dtype=np.float64)
    n = D.shape[0]
    J = np.eye(n) - 1.0 / n
    B = -0.5 * J @ (D**2) @ J
    values, vectors = np.linalg.eigh((B + B.T) / 2)
    order = np.argsort(-values, kind="stable")[:n_components]
    X = np.zeros((n, n_components))
    X[:, : len(order)] = vectors[:, order] * np.sqrt(np.clip(values[order], 0.0, None))
    X[np.abs(X) < 1e-12] = 0.0
    for j in range(n_components):
        if X[np.argmax(np.abs(X[:, j])), j] < 0:
            X[:, j] = -X[:, j]
    return X


def relevance(p_word_topic, p_word, lam: float) -> np.ndarray:
    """Relevance of words to topics at ``lam`` (Sievert & Shirley, 2014); ``-inf`` where ``p(w|t) = 0``.

    Examples
    --------
    >>> relevance([[0.5, 0.5]], [0.5, 0.25], 0.5).round(4).tolist()
    [[-0.3466, 0.0]]
    """
    P = np.asarray(p_word_topic, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = np.log(P)
        return np.where(P > 0, lam * log_p + (1 - lam) * (log_p - np.log(np.asarray(p_word, dtype=np.float64))), -np.inf)


def relevance_candidates(p_topic, p_word, n: int) -> np.ndarray:
    """Every word that is among the ``n`` most relevant of a topic at some lambda in [0, 1].

    Relevance is a weighted sum of ``a = log p(w|t)`` and ``b = log lift``
    with non-negative weights, so a word that ``n`` others match or beat in
    both ``a`` and ``b`` is never in the top ``n``. Peeling ``n`` layers of
    Pareto-optimal words (largest ``a`` and ``b``) therefore keeps every word
    that can be shown, and ties are ordered as the page orders them (larger
    ``p(w|t)``, then smaller term index).

    Parameters
    ----------
    p_topic : array-like of shape (n_terms,)
        ``p(w|t)`` of one topic.
    p_word : array-like of shape (n_terms,)
        ``p(w)``.
    n : int
        Words shown.

    Returns
    -------
    terms : ndarray of int
        Term indices, by decreasing ``p(w|t)``.
    """
    p_topic = np.asarray(p_topic, dtype=np.float64)
    terms = np.flatnonzero(p_topic > 0)
    a = np.log(p_topic[terms])
    b = a - np.log(np.asarray(p_word, dtype=np.float64)[terms])
    order = np.lexsort((terms, -b, -a))  # a descending, then b descending, then term index
    remaining, a, b = terms[order], a[order], b[order]
    chosen = []
    for _ in range(n):
        if remaining.size == 0:
            break
        best_before = np.maximum.accumulate(np.concatenate(([-np.inf], b[:-1])))
        front = b > best_before
        chosen.append(remaining[front])
        remaining, a, b = remaining[~front], a[~front], b[~front]
    chosen = np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)
    return chosen[np.lexsort((chosen, -p_topic[chosen]))]


def label_agreement(labels, top_topics, n_topics: int) -> dict:
    """How the topics line up with known labels: counts, NMI and purity.

    Documents with no weight (top topic -1) are left out.

    Parameters
    ----------
    labels : sequence of str of length n_docs
        Known label of each document.
    top_topics : array-like of int of shape (n_docs,)
        Top topic of each document.
    n_topics : int

    Returns
    -------
    agreement : dict
        ``counts`` (a DataFrame, one row per label sorted by name, one column
        per topic), ``nmi`` (scikit-learn's ``normalized_mutual_info_score``,
        arithmetic mean), ``purity`` (the share of documents whose label is the
        most common one of their top topic) and ``documents`` (counted).
    """
    from sklearn.metrics import normalized_mutual_info_score

    top_topics = np.asarray(top_topics)
    keep = top_topics >= 0
    labels = np.asarray([str(label) for label in labels], dtype=object)[keep]
    top_topics = top_topics[keep]
    names, codes = np.unique(labels, return_inverse=True)
    counts = np.zeros((len(names), n_topics), dtype=np.int64)
    np.add.at(counts, (codes, top_topics), 1)
    total = int(counts.sum())
    return {
        "counts": pd.DataFrame(counts, index=pd.Index(names, name="label"), columns=range(n_topics)),
        "nmi": float(normalized_mutual_info_score(labels, top_topics)) if total else float("nan"),
        "purity": float(counts.max(axis=0).sum() / total) if total else float("nan"),
        "documents": total,
    }


def _round(values) -> list:
    """Floats to :data:`DIGITS` significant digits, for a compact page."""
    return [float(f"{v:.{DIGITS}g}") for v in np.asarray(values, dtype=np.float64).tolist()]


def explorer_data(
    model,
    *,
    representatives: pd.DataFrame,
    scores=None,
    measure: str | None = None,
    n_words: int = 20,
    n_search: int = 30,
) -> dict:
    """Everything the explorer draws, as plain JSON-ready values.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    representatives : DataFrame
        :func:`~topicnmf.reporting.representative_docs` of the model.
    scores : array-like of shape (n_topics,) or None, default=None
        Coherence of each topic under ``measure``; ``None`` when there is none.
    measure : str or None, default=None
        Name of the coherence measure.
    n_words : int, default=20
        Words shown per topic at each lambda.
    n_search : int, default=30
        Each topic's heaviest words that the search box finds (on top of those
        shown at some lambda).

    Returns
    -------
    data : dict
        ``vocab`` (words), ``p_word`` (``p(w)`` of each), ``n_words``,
        ``measure`` and ``topics``: one dict per topic with ``topic``,
        ``label``, ``share``, ``size``, ``x``, ``y`` (map position),
        ``coherence``, ``words`` (indices into ``vocab``, by decreasing
        ``p(w|t)``), ``p`` (their ``p(w|t)``) and ``docs`` (``[doc_id, score,
        share, snippet, label]``).
    """
    shares = np.asarray(model.topic_shares_, dtype=np.float64)
    p_word_topic, p_word = word_distributions(model.components_, shares)
    positions = classical_mds(topic_distances(p_word_topic))
    span = np.abs(positions).max()
    positions = positions / span if span > 0 else positions
    k = p_word_topic.shape[0]
    per_topic = []
    for t in range(k):
        shown = relevance_candidates(p_word_topic[t], p_word, n_words)
        heavy = np.argsort(-p_word_topic[t], kind="stable")[:n_search]
        heavy = heavy[p_word_topic[t, heavy] > 0]
        terms = np.union1d(shown, heavy)
        per_topic.append(terms[np.lexsort((terms, -p_word_topic[t, terms]))])
    used = np.unique(np.concatenate(per_topic)) if per_topic else np.empty(0, dtype=np.int64)
    position = np.searchsorted(used, np.arange(p_word.shape[0]))
    labels = None if model.doc_labels_ is None else dict(zip(model.doc_ids_, model.doc_labels_))
    docs = {t: [] for t in range(k)}
    for row in representatives.itertuples(index=False):
        label = None if labels is None else str(labels.get(row.doc_id, ""))
        docs[int(row.topic)].append(
            [str(row.doc_id), round(float(row.score), 3), round(float(row.share), 3), str(row.snippet), label]
        )
    scores = None if scores is None else np.asarray(scores, dtype=np.float64)
    topics = []
    for t in range(k):
        coherence = None if scores is None or not math.isfinite(scores[t]) else round(float(scores[t]), 3)
        topics.append(
            {
                "topic": t,
                "label": str(model.topic_labels_[t]),
                "share": float(f"{shares[t]:.{DIGITS}g}"),
                "size": int(model.topic_sizes_[t]),
                "x": round(float(positions[t, 0]), 4),
                "y": round(float(positions[t, 1]), 4),
                "coherence": coherence,
                "words": position[per_topic[t]].tolist(),
                "p": _round(p_word_topic[t, per_topic[t]]),
                "docs": docs[t],
            }
        )
    return {
        "vocab": [str(w) for w in np.asarray(model.vocabulary_)[used].tolist()],
        "p_word": _round(p_word[used]),
        "n_words": int(n_words),
        "measure": measure,
        "topics": topics,
    }


_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_script(data, element_id: str) -> str:
    """``data`` in a ``<script type="application/json">`` block that no string in it can end.

    ``<``, ``>`` and ``&`` (and the line separators U+2028, U+2029) are written
    as ``\\u`` escapes, so ``</script>`` or ``<!--`` inside a document's text
    stay text; the JSON is ASCII (lone surrogates from undecodable file names
    become ``\\udcXX`` escapes) and has no NaN (written as ``null``).

    Examples
    --------
    >>> json_script({"s": "</script>&"}, "d")
    '<script type="application/json" id="d">{"s": "\\\\u003c/script\\\\u003e\\\\u0026"}</script>'
    """
    text = json.dumps(_no_nan(data), ensure_ascii=True, allow_nan=False).translate(_ESCAPES)
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _no_nan(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_no_nan(v) for v in value]
    return value
