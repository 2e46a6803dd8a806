"""Which topic each document belongs to: the facts of a document-topic matrix every layer reads."""

from __future__ import annotations

import numpy as np

__all__ = ["top_topics", "topic_sizes"]


def top_topics(W) -> np.ndarray:
    """Each document's top topic: the column of its largest weight, -1 where it has none.

    Parameters
    ----------
    W : array-like of shape (n_docs, n_topics)
        Non-negative document-topic weights.

    Returns
    -------
    ndarray of int of shape (n_docs,)
    """
    W = np.asarray(W)
    return np.where(W.max(axis=1, initial=0) > 0, W.argmax(axis=1), -1) if W.shape[1] else np.full(len(W), -1)


def topic_sizes(W) -> np.ndarray:
    """Documents per topic, each counted for its :func:`top_topics` (none if it has no weight).

    ``W`` is as for :func:`top_topics`; the counts are int64, of shape (n_topics,).
    """
    top = top_topics(W)
    return np.bincount(top[top >= 0], minlength=np.shape(W)[1]).astype(np.int64)
