"""Shared steps of the models built on :class:`~topicnmf.model.TopicModel`.

The dynamic and hierarchical models vectorize a corpus once, factorise parts of it
and hand their topics back as fitted :class:`TopicModel` objects, so that every
table, plot, coherence score and report works on them unchanged.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from topicnmf.model import TopicModel
from topicnmf.model._documents import Documents
from topicnmf.model._fitting import fit_vectorizer
from topicnmf.nmf import NMF

__all__ = ["Vectorized", "topic_model", "vectorize"]


class Vectorized:
    """A corpus vectorized once: ``X`` (n_docs, n_terms), the vocabulary, the fitted vectorizer."""

    def __init__(self, corpus, X, vectorizer, vocabulary, tokens, times=None):
        self.corpus = corpus
        self.times = getattr(corpus, "times", None) if times is None else list(times)
        self.X = X
        self.vectorizer = vectorizer
        self.vocabulary = vocabulary
        self.tokens = tokens  # encoded token streams (ids, offsets) or None

    def documents(self) -> Documents:
        """The corpus's documents as a fitted model keeps them."""
        return Documents.of(self.corpus, self.tokens, self.times)


def vectorize(corpus, vectorizer, *, keep_tokens: bool = True, times=None, notify=None,
              timings: dict | None = None) -> Vectorized:
    """Fit a clone of ``vectorizer`` (``None``: ``TextVectorizer()``) on ``corpus``.

    ``notify`` and ``timings`` as in :func:`~topicnmf.model._fitting.fit_vectorizer`.
    """
    vectorizer, X, tokens, vocabulary = fit_vectorizer(
        vectorizer, corpus.texts, keep_tokens, notify or (lambda info: None), {} if timings is None else timings
    )
    return Vectorized(corpus, X.tocsr(), vectorizer, vocabulary, tokens, times)


def topic_model(data: Vectorized, H: np.ndarray, W: np.ndarray, *, random_state=None,
                topic_labels=None, info: dict | None = None, timings: dict | None = None,
                sweep=None) -> TopicModel:
    """A fitted TopicModel of all the documents of ``data``: topics ``H`` (k, n_terms), weights ``W``
    (``sweep``: the table of a sweep that chose ``k``, kept as its ``sweep_``).

    The topics are kept in the order given (not reordered by share), so that callers'
    numbering holds.
    """
    H = np.ascontiguousarray(H)
    k = H.shape[0]
    info = info or {}
    nmf = NMF.from_components(H, n_iter=int(info.get("n_iter", 0)),
                              reconstruction_err=float(info.get("reconstruction_err", float("nan"))),
                              loss_history=list(info.get("loss_history", [])), init="nndsvda")
    model = TopicModel(k, vectorizer=clone(data.vectorizer), nmf=NMF(init="nndsvda"),
                       random_state=random_state, keep_tokens=data.tokens is not None)
    model._set_fitted(nmf=nmf, order=np.arange(k), vectorizer=data.vectorizer, doc_topic=np.ascontiguousarray(W),
                      vocabulary=data.vocabulary, documents=data.documents(), timings=dict(timings or {}),
                      topic_labels=topic_labels, sweep=sweep)
    return model
