"""The sweep over the number of topics: one reference fit, sample runs, a held-out fit and scores per k."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import clone

from topicnmf._validation import (
    check_callable,
    check_int,
    check_random_state,
    check_real,
    parameter_error,
)
from topicnmf.errors import ConvergenceWarning, InputError

from ._heldout import HELDOUT_DOCS, _exactly, heldout_errors
from ._rule import recommend
from ._stability import top_terms, topic_stability

__all__ = ["AUTO_RUNS", "AUTO_TOPICS", "COLUMNS", "REFERENCE_TOL", "SweepResult", "sweep", "sweep_matrix"]

#: Columns of :attr:`SweepResult.table`, in order.
COLUMNS = (
    "k",
    "reconstruction_error",
    "relative_error",
    "heldout_error",
    "stability",
    "stability_std",
    "stability_min",
    "c_npmi",
    "c_v",
    "diversity",
    "fit_time",
    "time",
)


#: The numbers of topics that ``TopicModel(n_topics="auto")`` tries (those the corpus supports).
AUTO_TOPICS = tuple(range(2, 16))
#: The sample runs per ``k`` (of :func:`sweep` and ``TopicModel(n_topics="auto")``): the standard
#: error of the stability is about 0.005 with 3 runs on 20 Newsgroups, far inside the 0.1 band the
#: rule reads, and 3 or 5 runs choose the same k on every corpus of ``benchmarks/sweep_choice.py``.
AUTO_RUNS = 3

#: Stationarity tolerance of the reference fits (at least; see :class:`~topicnmf.nmf.NMF`).
#: On 20 Newsgroups (k = 10, 20) a fit stopping at 1e-3 takes about half the iterations of one
#: at the default 1e-4, with the same reconstruction error to 7 significant digits;
#: ``TopicModel(n_topics="auto")`` refits its chosen k at the model's own tolerance.
REFERENCE_TOL = 1e-3
#: Most iterations of each sample run. The runs start from the reference model, where the
#: relative stopping rule would ask for as many iterations as a cold start; their agreement
#: with the reference measures how far the topics move in that many iterations on a sample.
RUN_MAX_ITER = 10

# -- the result ----------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """What :func:`sweep` measured and what it recommends.

    Attributes
    ----------
    table : DataFrame
        One row per ``k``, sorted by ``k``; the columns are listed in the module
        docstring (``k``, ``reconstruction_error``, ``relative_error``,
        ``heldout_error``, ``stability``, ``stability_std``, ``stability_min``,
        ``c_npmi``, ``c_v``, ``diversity``, ``fit_time``, ``time``). A signal
        that could not be measured (coherence without texts) is NaN.
    best_k : int
        The recommended number of topics (see :func:`recommend`).
    reason : str
        Why, in words.
    models : dict of int to NMF
        The fitted reference model of every ``k`` (fitted on all documents, to a
        stationarity tolerance of at least ``REFERENCE_TOL``).
    doc_topics : dict of int to ndarray of shape (n_docs, k)
        ``W`` of every reference model.
    vectorizer : object or None
        The fitted vectorizer when the sweep got texts, else None.
    vocabulary : ndarray of str of shape (n_terms,) or None
        The terms, when the sweep got texts.
    """

    table: pd.DataFrame
    best_k: int
    reason: str
    models: dict = field(default_factory=dict, repr=False)
    doc_topics: dict = field(default_factory=dict, repr=False)
    vectorizer: Any = field(default=None, repr=False)
    vocabulary: np.ndarray | None = field(default=None, repr=False)

    def top_words(self, k: int, n: int = 10) -> list[list[str]]:
        """Top ``n`` words (term indices as str without a vocabulary) of each topic of the ``k`` model."""
        if k not in self.models:
            raise parameter_error("k", "SweepResult.top_words", f"one of the swept k {sorted(self.models)}", k)
        top = top_terms(self.models[k].components_, n)
        names = self.vocabulary if self.vocabulary is not None else np.arange(top.max() + 1).astype(str)
        return [names[row].tolist() for row in top]


# -- the sweep -----------------------------------------------------------------------------------


def _check_topics(topics, owner: str) -> list[int]:
    expected = "an int >= 1 or an iterable of ints >= 1 such as range(2, 16)"
    if isinstance(topics, (str, bytes)):
        raise parameter_error("topics", owner, expected, topics)
    values = [topics] if not hasattr(topics, "__iter__") else list(topics)
    try:
        ks = sorted({check_int(k, "topics", owner) for k in values})
    except InputError:
        raise parameter_error("topics", owner, expected, topics) from None
    if not ks:
        raise parameter_error("topics", owner, expected, topics)
    return ks


def _is_matrix(data) -> bool:
    if sp.issparse(data):
        return True
    if isinstance(data, np.ndarray):
        return data.ndim == 2 and data.dtype.kind in "biuf"
    return False


def sweep(
    corpus_or_X,
    topics: Iterable[int] = range(2, 16),
    *,
    runs: int = AUTO_RUNS,
    sample: float = 0.8,
    test_fraction: float = 0.1,
    top_n: int = 10,
    random_state: int | np.random.RandomState | None = None,
    vectorizer: Any = None,
    nmf: Any = None,
    callback: Callable[[dict], None] | None = None,
) -> SweepResult:
    """Fit a model for every number of topics ``k`` in ``topics``, measure each, recommend one.

    Texts are tokenised and vectorised once; every fit reuses the matrix.

    Parameters
    ----------
    corpus_or_X : Corpus, sequence of str, DataFrame, or {array-like, sparse matrix} of shape (n_docs, n_terms)
        Documents (vectorised with ``vectorizer``), or a non-negative matrix to
        factorise as it is (then there is no coherence).
    topics : iterable of int, default=range(2, 16)
        The numbers of topics to try.
    runs : int, default=3
        Fits on random samples of the documents per ``k``, for the stability.
    sample : float, default=0.8
        Share of the documents in each sample, in (0, 1).
    test_fraction : float, default=0.1
        Share of the matrix entries held out for the held-out error, in (0, 0.5].
    top_n : int, default=10
        Top words per topic compared for stability and scored for coherence.
    random_state : int, RandomState instance or None, default=None
        Seeds the samples, the held-out entries and the initialisations.
    vectorizer : object or None, default=None
        As in :class:`~topicnmf.model.TopicModel`; ``None`` is ``TextVectorizer()``.
    nmf : object or None, default=None
        The factorisation, like :class:`~topicnmf.nmf.NMF`; each fit uses a clone
        with ``n_components=k``. ``None`` is ``NMF(init="nndsvda")``.
    callback : callable or None, default=None
        Called with a dict as the work goes on: ``{"stage": "vectorize"}``, then
        for each step ``{"stage": "fit" | "stability" | "heldout" | "score",
        "k": int, "done": int, "total": int}`` (``done`` of ``total`` steps of the
        whole sweep).

    Returns
    -------
    result : SweepResult
        The table of signals, ``best_k`` and the reason.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(60, 3) @ rng.rand(3, 40) + 0.01 * rng.rand(60, 40)
    >>> result = sweep(X, topics=[2, 3, 4], runs=2, random_state=0)
    >>> result.table["k"].tolist()
    [2, 3, 4]
    """
    owner = "sweep"
    ks = _check_topics(topics, owner)
    settings = dict(
        runs=check_int(runs, "runs", owner, low=1),
        sample=check_real(sample, "sample", owner, low=0.0, high=1.0, low_open=True),
        test_fraction=check_real(test_fraction, "test_fraction", owner, low=0.0, high=0.5, low_open=True),
        top_n=check_int(top_n, "top_n", owner, low=2),
        random_state=check_random_state(random_state, "random_state", owner),
        callback=check_callable(callback, "callback", owner),
    )
    if settings["sample"] >= 1.0:
        raise parameter_error("sample", owner, "a float in (0, 1)", sample)
    notify = settings["callback"] or (lambda info: None)
    tokens = vocabulary = fitted_vectorizer = None
    if _is_matrix(corpus_or_X):
        X = corpus_or_X
    else:
        from topicnmf.corpus import as_corpus
        from topicnmf.preprocessing import TextVectorizer

        corpus = as_corpus(corpus_or_X, owner=owner)
        notify({"stage": "vectorize"})
        fitted_vectorizer = TextVectorizer() if vectorizer is None else clone(vectorizer)
        X, tokens = fitted_vectorizer.fit_transform_stream(corpus.texts)
        vocabulary = np.asarray(fitted_vectorizer.get_feature_names_out(), dtype=str)
    result = sweep_matrix(X, ks, nmf=nmf, tokens=tokens, vocabulary=vocabulary, **settings)
    result.vectorizer = fitted_vectorizer
    return result


def _seed(rng: np.random.RandomState) -> int:
    return int(rng.randint(np.iinfo(np.int32).max))

def _loosened(nmf, tol: float):
    """``nmf`` stopping at a stationarity tolerance of at least ``tol`` (if it has the parameter)."""
    current = nmf.get_params(deep=False).get("tol")
    if isinstance(current, float) and 0 < current < tol:
        nmf.set_params(tol=tol)
    return nmf


def _sq_norm(X) -> float:
    values = X.data if sp.issparse(X) else np.asarray(X)
    return float(np.dot(values.ravel().astype(np.float64), values.ravel().astype(np.float64)))


def sweep_matrix(
    X,
    ks: list[int],
    *,
    runs: int = AUTO_RUNS,
    sample: float = 0.8,
    test_fraction: float = 0.1,
    top_n: int = 10,
    random_state=None,
    callback=None,
    nmf=None,
    tokens=None,
    vocabulary=None,
) -> SweepResult:
    """The sweep over an already vectorised matrix (parameters checked by :func:`sweep`).

    ``test_fraction=None`` skips the held-out fits (their error, NaN in the table, does
    not enter :func:`recommend`); so does ``tokens=None`` for the coherence.
    """
    from sklearn.utils import check_random_state as as_rng

    from topicnmf.measures import coherence_from_ids, topic_diversity
    from topicnmf.nmf import NMF
    from topicnmf.nmf._lazy import concurrently

    X = X.tocsr() if sp.issparse(X) else np.asarray(X)
    if X.ndim != 2:
        raise InputError(f"X passed to sweep must be 2-D (n_docs, n_terms). Got shape {X.shape}.")
    n, m = X.shape
    if ks[-1] > min(n, m):
        raise InputError(
            f"topics up to {ks[-1]} is more than the data supports ({n} documents, {m} terms); "
            f"sweep k up to {min(n, m)} at most."
        )
    notify = callback or (lambda info: None)
    rng = as_rng(random_state)
    base = NMF(init="nndsvda") if nmf is None else nmf
    # With an int seed the reference model of k starts where TopicModel(k, random_state=seed) starts
    # (and stops at a stationarity tolerance of at least REFERENCE_TOL).
    reference_seed = random_state if isinstance(random_state, int) else _seed(rng)
    size = min(n - 1, max(1, int(round(sample * n))))
    samples = [np.sort(rng.choice(n, size=size, replace=False)) for _ in range(runs)]
    run_seeds = [_seed(rng) for _ in range(runs)]
    heldout_seed = _seed(rng)
    heldout_rows = None if n <= HELDOUT_DOCS else np.sort(rng.choice(n, size=HELDOUT_DOCS, replace=False))
    norm = np.sqrt(_sq_norm(X))
    steps_per_k = 3 + runs
    total = steps_per_k * len(ks)
    done = 0

    def step(stage, k):
        nonlocal done
        done += 1
        notify({"stage": stage, "k": k, "done": done, "total": total})

    def reference(k):
        start = time.perf_counter()
        model = _loosened(clone(base).set_params(n_components=k, random_state=reference_seed), REFERENCE_TOL)
        W = model.fit_transform(X)
        return model, W, time.perf_counter() - start

    rows, models, doc_topics = [], {}, {}
    # Largest k first: its reference fit, the longest, runs alone on all the cores; each later
    # reference fit (smaller, on one core) runs beside the sample runs and held-out fit of the k
    # before it (larger, on the other cores), so that the two sides take about as long, and what
    # is left at the end is the cheapest k's runs.
    order = ks[::-1]
    pending = reference(order[0])
    for i, k in enumerate(order):
        start = time.perf_counter()
        model, W, fit_time = pending
        H = model.components_
        models[k], doc_topics[k] = model, W
        step("fit", k)

        def sample_run(chosen, seed, k=k, W=W, H=H):
            # Warm start: the reference model's factors, restricted to the sampled documents.
            run = _exactly(clone(base).set_params(n_components=k, random_state=seed, init="custom"), RUN_MAX_ITER)
            with warnings.catch_warnings():  # a measurement, not the model: max_iter is no news here
                warnings.simplefilter("ignore", ConvergenceWarning)
                run.fit(X[chosen], W=np.ascontiguousarray(W[chosen]), H=H.copy())
            return run.components_

        top = top_terms(H, top_n)
        words = [vocabulary[t].tolist() for t in top] if vocabulary is not None else top.astype(str).tolist()
        # The reference fit of the next k, the sample runs, the held-out fit and the coherence of
        # this k are independent of each other: they share the cores (the longest first).
        tasks = {"next": partial(reference, order[i + 1])} if i + 1 < len(order) else {}
        tasks.update({f"run {r}": partial(sample_run, chosen, seed) for r, (chosen, seed) in enumerate(zip(samples, run_seeds))})
        if test_fraction is not None:
            tasks["heldout"] = partial(heldout_errors, X, k, base, test_fraction=test_fraction, seed=heldout_seed,
                                       rows=heldout_rows, H=None if heldout_rows is None else H)
        if tokens is not None:  # the vectorizer's TokenStream: vocabulary ids, -1 elsewhere
            for measure in ("c_npmi", "c_v"):
                tasks[measure] = partial(coherence_from_ids, top.tolist(), tokens.ids, tokens.offsets, measure)
        results = dict(zip(tasks, concurrently(list(tasks.values()))))
        pending = results.get("next")
        run_H = [results[f"run {r}"] for r in range(runs)]
        for _ in run_H:
            step("stability", k)
        per_run, per_topic = topic_stability(H, run_H, top_n)
        heldout = results.get("heldout", float("nan"))
        step("heldout", k)
        c_npmi, c_v = (float(np.mean(results[m])) if m in results else float("nan") for m in ("c_npmi", "c_v"))
        error = float(getattr(model, "reconstruction_err_", float("nan")))
        step("score", k)
        rows.append(
            {
                "k": k,
                "reconstruction_error": error,
                "relative_error": error / norm if norm > 0 else float("nan"),
                "heldout_error": heldout,
                "stability": float(per_run.mean()),
                "stability_std": float(per_run.std()),
                "stability_min": float(per_topic.mean(axis=0).min()),
                "c_npmi": c_npmi,
                "c_v": c_v,
                "diversity": topic_diversity(words),
                "fit_time": fit_time,
                "time": fit_time + time.perf_counter() - start,
            }
        )
    table = pd.DataFrame(sorted(rows, key=lambda row: row["k"]), columns=list(COLUMNS))
    best_k, reason = recommend(table)
    models = {k: models[k] for k in ks}
    doc_topics = {k: doc_topics[k] for k in ks}
    return SweepResult(table, best_k, reason, models=models, doc_topics=doc_topics, vocabulary=vocabulary)
