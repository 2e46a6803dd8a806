"""The factorisation step of ``TopicModel.fit``: a fixed k, the sweep's k, seeds, or a cluster.

Everything here works on the vectorised corpus; the model validates its
parameters before and sets its fitted state after.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from sklearn.base import clone

from topicnmf._docstrings import fill_doc
from topicnmf._validation import check_bool, check_callable, check_random_state
from topicnmf.corpus import as_corpus
from topicnmf.errors import InputError
from topicnmf.nmf import NMF
from topicnmf.preprocessing import TextVectorizer


#: The docs of the parameters every text model shares (TopicModel, DynamicTopicModel,
#: HierarchicalTopicModel), put in place by ``topicnmf._docstrings.fill_doc``.
TEXT_MODEL_DOCS = {
    "keep_tokens": """
        keep_tokens : bool, default=True
            Keep the tokenised training texts (as vocabulary ids) so that the topics'
            coherence can be scored (:meth:`TopicModel.coherence`, also after saving and loading).
    """,
    "text_column": """
        text_column : str, default="text"
            The column that holds the texts when documents come as a pandas DataFrame.
    """,
}


#: Decorator: fill a text model's docstring from :data:`TEXT_MODEL_DOCS`.
text_model_doc = fill_doc(TEXT_MODEL_DOCS)


def fit_inputs(estimator, documents, owner: str, *, at_least: str, callback=None) -> tuple:
    """``(random_state, keep_tokens, corpus, notify)``: the checked shared inputs of a text model's fit.

    ``estimator`` is a TopicModel or a model built on it (named ``owner`` in
    errors), with ``random_state``, ``keep_tokens`` and ``text_column``;
    ``documents`` become a :class:`~topicnmf.corpus.Corpus`, which must not be
    empty (``at_least`` says how many documents the model needs); ``notify`` is
    ``callback`` or a function that does nothing.
    """
    random_state = check_random_state(estimator.random_state, "random_state", owner)
    keep_tokens = check_bool(estimator.keep_tokens, "keep_tokens", owner)
    check_callable(callback, "callback", f"{owner}.fit")
    corpus = as_corpus(documents, text_column=estimator.text_column, owner=f"{owner}.fit")
    if len(corpus) == 0:
        raise InputError(f"The corpus passed to {owner}.fit has no documents; give at least {at_least}.")
    return random_state, keep_tokens, corpus, callback or (lambda info: None)


def fit_vectorizer(vectorizer, texts, keep_tokens: bool, notify, timings: dict) -> tuple:
    """``(vectorizer, X, tokens, vocabulary)``: a clone of ``vectorizer`` fitted on ``texts``.

    ``None`` stands for ``TextVectorizer()``; ``tokens`` are the encoded token
    streams (``keep_tokens``) or None. ``notify`` is called with ``{"stage":
    "vectorize"}`` first; the seconds taken go to ``timings["vectorize"]``.
    """
    start = time.perf_counter()
    notify({"stage": "vectorize"})
    vectorizer = TextVectorizer() if vectorizer is None else clone(vectorizer)
    if keep_tokens:
        X, tokens = vectorizer.fit_transform_stream(texts)
    else:
        X, tokens = vectorizer.fit_transform(texts), None
    vocabulary = np.asarray(vectorizer.get_feature_names_out(), dtype=str)
    timings["vectorize"] = time.perf_counter() - start
    return vectorizer, X, tokens, vocabulary


def topic_shares(W: np.ndarray, H: np.ndarray) -> np.ndarray:
    """Each topic's total mass in ``W @ H`` over the whole mass (zeros if there is none)."""
    mass = np.asarray(W, dtype=np.float64).sum(axis=0) * np.asarray(H, dtype=np.float64).sum(axis=1)
    total = mass.sum()
    return mass / total if total > 0 else mass


def topic_order(W: np.ndarray, H: np.ndarray) -> np.ndarray:
    """Topics by their share of ``W @ H``, largest first."""
    return np.argsort(-topic_shares(W, H), kind="stable")


def make_nmf(model, n_topics: int, random_state, callback):
    """A clone of the model's ``nmf`` (or the default) set to ``n_topics`` and the model's seed."""
    default_init = "nndsvda" if model.scheduler is None else "random"  # nndsvd needs X in memory
    nmf = NMF(init=default_init) if model.nmf is None else clone(model.nmf)
    theirs = nmf.get_params(deep=False).get("random_state")
    if theirs is not None and theirs is not random_state and theirs != random_state:
        warnings.warn(
            f"The nmf component's random_state={theirs!r} is replaced by TopicModel's "
            f"random_state={random_state!r}; set the seed on TopicModel only.",
            UserWarning,
            stacklevel=4,
        )
    params = {"n_components": n_topics, "random_state": random_state}
    if callback is not None:
        params["callback"] = callback
    return nmf.set_params(**params)

def auto_sweep(X, tokens, vocabulary, nmf, random_state, notify, owner: str = "TopicModel"):
    """The sweep behind ``n_topics="auto"``: its table, with ``best_k`` and ``reason`` in ``attrs``.

    Over the ``k`` of :data:`~topicnmf.selection.AUTO_TOPICS` that ``X`` supports, with
    coherence where ``tokens`` are given; ``nmf`` is the estimator each ``k`` clones.
    """
    from topicnmf.selection import AUTO_RUNS, AUTO_TOPICS, sweep_matrix

    n_docs, n_terms = X.shape
    ks = [k for k in AUTO_TOPICS if k <= min(n_docs, n_terms)]
    if not ks:
        raise InputError(
            f"n_topics='auto' of {owner} needs a corpus that supports at least {AUTO_TOPICS[0]} topics "
            f"({n_docs} documents, {n_terms} terms after preprocessing); add documents or lower min_df."
        )
    result = sweep_matrix(
        X, ks, runs=AUTO_RUNS, random_state=random_state,
        callback=lambda info: notify({**info, "stage": "sweep", "step": info["stage"]}),
        nmf=nmf, tokens=tokens, vocabulary=vocabulary,
    )
    table = result.table.copy()
    table.attrs.update(best_k=result.best_k, reason=result.reason)
    return table


def _sweep(model, X, tokens, vocabulary, random_state, notify):
    """n_topics="auto": the sweep's chosen model, its ``W`` and the sweep table."""
    table = auto_sweep(X, tokens, vocabulary, make_nmf(model, 2, random_state, None), random_state, notify)
    # The sweep's reference fits stop at a looser tolerance: the chosen k is fitted as
    # TopicModel(best_k) fits it.
    nmf = make_nmf(model, table.attrs["best_k"], random_state, None)
    W = nmf.fit_transform(X)
    return nmf, W, table



def factorize_topics(model, X, vectorizer, vocabulary, tokens, n_topics, seeds, random_state, callback, timings):
    """Factorise ``X`` for ``model``; return ``(nmf, W, sweep, missing_seed_words)``.

    ``n_topics`` None means "auto" (the sweep's k); ``seeds`` are the checked seed
    topics or None. The seeded topics come first in ``W``'s columns. Stage times go
    into ``timings``; ``callback`` gets the stages as ``TopicModel.fit`` documents them.
    """
    notify = callback or (lambda info: None)
    n_docs, n_terms = X.shape
    if n_topics is None:
        nmf, W, sweep = _sweep(model, X, tokens, vocabulary, random_state, notify)
        timings["sweep"] = float(sweep["time"].sum())
        return nmf, W, sweep, {}
    if n_topics > min(n_docs, n_terms):
        raise InputError(
            f"n_topics={n_topics} is more than the corpus supports ({n_docs} documents, "
            f"{n_terms} terms after preprocessing); ask for at most {min(n_docs, n_terms)} topics "
            "or lower min_df."
        )
    start = time.perf_counter()
    nmf = make_nmf(
        model, n_topics, random_state,
        None if callback is None else (lambda info: notify({"stage": "factorize", **info})),
    )
    missing = {}
    if seeds is None and model.scheduler is not None:
        from topicnmf.model._cluster import fit_on_cluster

        W = fit_on_cluster(nmf, X, model.scheduler)
    elif seeds is None:
        W = nmf.fit_transform(X)
    else:
        from topicnmf import seeding

        Y, missing = seeding.seed_matrix(seeds, vectorizer, vocabulary)
        if missing:
            listed = "; ".join(f"{name}: {' '.join(words)}" for name, words in missing.items())
            warnings.warn(
                f"Seed words not in the vocabulary of TopicModel.fit ({listed}); check their spelling "
                "or lower min_df. They are listed in seed_words_missing_.",
                UserWarning,
                stacklevel=3,
            )
        W, nmf, unsupported = seeding.seeded_fit(nmf, X, Y, random_state, float(model.seed_strength))
        names = [name for i, name in enumerate(seeds) if i in unsupported and name not in missing]
        if names:
            warnings.warn(
                f"Few documents back the seed topics {', '.join(map(repr, names))} of TopicModel.fit: the "
                "documents they would gather mostly do not use their seed words, so each holds only the "
                "documents that do. Check the seed words, or drop the topic if its theme is not in the corpus.",
                UserWarning,
                stacklevel=3,
            )
    timings["factorize"] = time.perf_counter() - start
    if callback is not None:
        nmf.set_params(callback=None)
    return nmf, W, None, missing
