"""Navigating fitted topics: find topics for words, compare topics, merge topics."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import clone

from topicnmf._validation import check_int
from topicnmf.corpus import as_corpus
from topicnmf.errors import InputError

from ._fitting import topic_order


def _unit_rows(H: np.ndarray) -> np.ndarray:
    H = np.asarray(H, dtype=np.float64)
    norms = np.linalg.norm(H, axis=1, keepdims=True)
    return H / np.where(norms > 0, norms, 1.0)


def find_topics(model, query, n: int = 5) -> pd.DataFrame:
    """Topics ranked by the cosine between the query's TF-IDF vector and each topic's terms."""
    n = check_int(n, "n", "find_topics")
    if isinstance(query, str):
        text = query
    elif hasattr(query, "__iter__") and all(isinstance(q, str) for q in query):
        text = " ".join(query)
    else:
        raise InputError(f"The 'words' parameter of find_topics must be a str or a list of str. Got {query!r}.")
    q = model.vectorizer_.transform([text])
    q = np.asarray(q.toarray() if hasattr(q, "toarray") else q, dtype=np.float64).ravel()
    norm = np.linalg.norm(q)
    columns = ["topic", "topic_label", "score"]
    if norm == 0:
        warnings.warn(
            f"No word of {text!r} is in the model's vocabulary; find_topics found no topic.",
            UserWarning,
            stacklevel=3,
        )
        return pd.DataFrame({c: pd.Series(dtype=d) for c, d in zip(columns, ("int64", "object", "float64"))})
    scores = _unit_rows(model.components_) @ (q / norm)
    order = np.lexsort((np.arange(len(scores)), -scores))[: min(n, len(scores))]
    order = order[scores[order] > 0]
    return pd.DataFrame(
        {
            "topic": order.astype(np.int64),
            "topic_label": [model.topic_labels_[t] for t in order],
            "score": scores[order],
        }
    )


def topic_similarity(model) -> pd.DataFrame:
    """Cosine similarity of every pair of topics' term weights, as a tidy table."""
    unit = _unit_rows(model.components_)
    similarity = np.clip(unit @ unit.T, 0.0, 1.0)
    k = similarity.shape[0]
    return pd.DataFrame(
        {
            "topic": np.repeat(np.arange(k), k),
            "other_topic": np.tile(np.arange(k), k),
            "similarity": similarity.ravel(),
        }
    )


def _check_groups(groups, k: int) -> list[list[int]]:
    message = (
        f"The 'groups' parameter of merge_topics must be a list of lists of topic numbers in [0, {k - 1}], "
        "each topic in at most one group"
    )
    if isinstance(groups, (str, bytes)) or not hasattr(groups, "__iter__"):
        raise InputError(f"{message}. Got {groups!r}.")
    checked, seen = [], set()
    for group in groups:
        if isinstance(group, (str, bytes)) or not hasattr(group, "__iter__"):
            raise InputError(f"{message}. Got {groups!r}.")
        members = [check_int(t, "groups", "merge_topics", low=0, high=k - 1) for t in group]
        if seen & set(members) or len(set(members)) != len(members):
            raise InputError(f"{message}. Got {groups!r}.")
        seen |= set(members)
        if len(members) > 1:
            checked.append(sorted(members))
    if not checked:
        raise InputError(f"{message}, with at least one group of two topics. Got {groups!r}.")
    return checked


def merge_topics(model, groups, documents):
    """A new model in which each group of topics is one topic, refitted from the merged start."""
    k = model.n_topics_
    groups = _check_groups(groups, k)
    corpus = as_corpus(documents, text_column=model.text_column, owner="merge_topics")
    if list(corpus.ids) != list(model.doc_ids_) and len(corpus) != len(model.doc_ids_):
        raise InputError(
            f"merge_topics needs the model's {len(model.doc_ids_)} training documents; got {len(corpus)}. "
            "Pass the documents the model was fitted on."
        )
    merged = {t for group in groups for t in group}
    blocks = groups + [[t] for t in range(k) if t not in merged]
    blocks.sort(key=min)
    H = np.stack([model.components_[b].sum(axis=0) for b in blocks])
    W = np.stack([model.doc_topic_[:, b].sum(axis=1) for b in blocks], axis=1)
    X = model.vectorizer_.transform(corpus.texts)
    nmf = clone(model.nmf_).set_params(n_components=len(blocks), init="custom")
    W = nmf.fit_transform(X, W=np.ascontiguousarray(W, dtype=X.dtype), H=np.ascontiguousarray(H, dtype=X.dtype))
    return refitted(model, nmf, W)


def refitted(self, nmf, W, order=None):
    """A copy of the model ``self`` with a refitted factorisation (same vocabulary and documents).

    The topics are numbered by share unless ``order`` numbers them.
    """
    order = topic_order(W, nmf.components_) if order is None else np.asarray(order)
    model = clone(self).set_params(n_topics=int(W.shape[1]))
    model._set_fitted(
        nmf=nmf,
        order=order,
        vectorizer=self.vectorizer_,
        doc_topic=np.ascontiguousarray(W[:, order]),
        vocabulary=self.vocabulary_,
        documents=self._documents(),
        timings=dict(self.timings_),
    )
    return model

