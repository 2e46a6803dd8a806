"""Choosing the number of topics: one sweep over ``k`` that measures and recommends.

For every ``k`` in a range the sweep fits a reference model on all documents
and measures:

- ``reconstruction_error``: ``||X - W H||_F`` of the reference model, and
  ``relative_error``, the same over ``||X||_F``;
- ``heldout_error``: the root mean square error on a share ``test_fraction``
  of the matrix entries that a fit did not see (the cross-validation of
  RcppML; see :func:`heldout_errors`);
- ``stability`` and ``stability_std``: how well the topics come back when the
  model is fitted again on random samples of the documents (Greene, O'Callaghan
  and Cunningham 2014; see :func:`topic_stability`), and ``stability_min``, the
  agreement of the least reproducible topic;
- ``c_npmi``, ``c_v``: mean topic coherence on the tokenised texts (only when
  the sweep gets texts);
- ``diversity``: the share of distinct words among the topics' top words;
- ``fit_time``: seconds of the reference fit, and ``time``: seconds spent on
  this ``k`` in all.

The recommendation (:func:`recommend`) is documented there, with its reason in
words in :attr:`SweepResult.reason`.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from sklearn.base import clone

from topicnmf._validation import (
    check_callable,
    check_int,
    check_random_state,
    check_real,
    parameter_error,
)
from topicnmf.errors import ConvergenceWarning, InputError

__all__ = [
    "SweepResult",
    "average_jaccard",
    "heldout_errors",
    "recommend",
    "sweep",
    "topic_stability",
]

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
#: The sample runs per ``k`` of ``TopicModel(n_topics="auto")``.
AUTO_RUNS = 5


# -- stability ---------------------------------------------------------------------------------


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
    runs: int = 5,
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
    runs : int, default=5
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
        from topicnmf.model import as_corpus
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


def _capped(nmf, max_iter: int):
    """``nmf`` with at most ``max_iter`` iterations (if it has the parameter)."""
    current = nmf.get_params(deep=False).get("max_iter")
    if isinstance(current, int) and current > max_iter:
        nmf.set_params(max_iter=max_iter)
    return nmf


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
    """The sweep over an already vectorised matrix (parameters checked by :func:`sweep`)."""
    from sklearn.utils import check_random_state as as_rng

    from topicnmf.measures import coherence_from_ids, topic_diversity
    from topicnmf.nmf import NMF

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

    rows, models, doc_topics = [], {}, {}
    for k in ks:
        start = time.perf_counter()
        model = _loosened(clone(base).set_params(n_components=k, random_state=reference_seed), REFERENCE_TOL)
        W = model.fit_transform(X)
        H = model.components_
        fit_time = time.perf_counter() - start
        models[k], doc_topics[k] = model, W
        step("fit", k)

        run_H = []
        for chosen, seed in zip(samples, run_seeds):
            # Warm start: the reference model's factors, restricted to the sampled documents.
            run = _capped(clone(base).set_params(n_components=k, random_state=seed, init="custom"), RUN_MAX_ITER)
            with warnings.catch_warnings():  # a measurement, not the model: max_iter is no news here
                warnings.simplefilter("ignore", ConvergenceWarning)
                run.fit(X[chosen], W=np.ascontiguousarray(W[chosen]), H=H.copy())
            run_H.append(run.components_)
            step("stability", k)
        per_run, per_topic = topic_stability(H, run_H, top_n)

        heldout = heldout_errors(
            X, k, base, test_fraction=test_fraction, seed=heldout_seed, rows=heldout_rows,
            H=None if heldout_rows is None else H,
        )
        step("heldout", k)

        top = top_terms(H, top_n)
        words = [vocabulary[t].tolist() for t in top] if vocabulary is not None else top.astype(str).tolist()
        if tokens is not None:  # the vectorizer's TokenStream: vocabulary ids, -1 elsewhere
            ids = top.tolist()
            c_npmi = float(np.mean(coherence_from_ids(ids, tokens.ids, tokens.offsets, "c_npmi")))
            c_v = float(np.mean(coherence_from_ids(ids, tokens.ids, tokens.offsets, "c_v")))
        else:
            c_npmi = c_v = float("nan")
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
                "time": time.perf_counter() - start,
            }
        )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    best_k, reason = recommend(table)
    return SweepResult(table, best_k, reason, models=models, doc_topics=doc_topics, vocabulary=vocabulary)


#: Stationarity tolerance of the reference fits (at least; see :class:`~topicnmf.nmf.NMF`).
#: On 20 Newsgroups (k = 10, 20) a fit stopping at 1e-3 takes about half the iterations of one
#: at the default 1e-4, with the same reconstruction error to 7 significant digits;
#: ``TopicModel(n_topics="auto")`` refits its chosen k at the model's own tolerance.
REFERENCE_TOL = 1e-3

#: Documents in the held-out fit: all of them up to this many, else a random sample of this many.
#: (A fit with held-out entries costs ``n_docs * n_terms`` mask look-ups per product.)
HELDOUT_DOCS = 300
#: Largest held-out fit (entries) whose mask is spelt out as a boolean array.
HELDOUT_DENSE_ENTRIES = 20_000_000
#: Most iterations of a cold held-out fit (all documents), and of each stage of a warm one.
HELDOUT_MAX_ITER = 50
HELDOUT_WARM_ITER = 5
#: Most iterations of each sample run. The runs start from the reference model, where the
#: relative stopping rule would ask for as many iterations as a cold start.
RUN_MAX_ITER = 10


def heldout_errors(X, k: int, nmf, *, test_fraction: float, seed: int, rows=None, H=None) -> float:
    """Root mean square error of a rank-``k`` fit on matrix entries it did not see.

    The cross-validation of RcppML: a share ``test_fraction`` of all entries
    (zeros included) is held out by :class:`~topicnmf.nmf.HeldOutMask`, a clone of
    ``nmf`` with ``n_components=k`` is fitted on the other entries
    (``fit(X, mask=...)``), and the error is measured on the held-out ones
    (:func:`~topicnmf.nmf.heldout_error`). Too few components miss structure,
    too many fit the noise of the seen entries: the error is lowest near the
    rank of the signal.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_docs, n_terms)
    k : int
    nmf : NMF
        A factorisation whose ``fit`` takes ``mask=`` (as :class:`~topicnmf.nmf.NMF`).
    test_fraction : float
        Share of entries held out.
    seed : int
        Chooses the held-out entries and seeds the fit.
    rows : ndarray of int or None, default=None
        Fit on these documents only.
    H : ndarray of shape (k, n_terms) or None, default=None
        A warm start: topics fitted on all documents (the sweep's reference model),
        when ``rows`` are a small sample of them. The sample's ``W`` is then solved
        from its seen entries with ``H`` fixed, and both are refined on the seen
        entries, at most ``HELDOUT_WARM_ITER`` iterations each. ``H`` has seen the
        held-out entries of the sample, but they are a negligible share of what it
        was fitted on. None: a cold fit of at most ``HELDOUT_MAX_ITER`` iterations.

    Returns
    -------
    error : float
        NaN when ``nmf`` does not take a mask.
    """
    from topicnmf.nmf import HeldOutMask, factorize, heldout_error

    if rows is not None:
        X = X[rows]
    # The hash mask, spelt out as a boolean array of the (small) fitted matrix: same entries,
    # cheaper products than hashing each one in every product.
    mask = _spelt_out(HeldOutMask(test_fraction, seed=seed), X.shape)
    model = clone(nmf).set_params(n_components=k, random_state=seed)
    try:
        with warnings.catch_warnings():  # a measurement, not the model: max_iter is no news here
            warnings.simplefilter("ignore", ConvergenceWarning)
            if H is None:
                W = _capped(model, HELDOUT_MAX_ITER).fit_transform(X, mask=mask)
                H = model.components_
            else:
                params = model.get_params(deep=False)
                solve = {p: params[p] for p in ("solver", "beta_loss", "alpha_W", "alpha_H", "l1_ratio") if p in params}
                H = np.ascontiguousarray(H, dtype=X.dtype)
                W, _, _ = factorize(X, k, H=H, update_H=False, mask=mask, max_iter=HELDOUT_WARM_ITER,
                                    init="custom", W=_start_w(X, H), **solve)
                W, H, _ = factorize(X, k, W=W, H=H.copy(), mask=mask, max_iter=HELDOUT_WARM_ITER,
                                    init="custom", random_state=seed, **solve)
    except TypeError:  # a factorisation without masks
        return float("nan")
    return float(heldout_error(X, W, H, mask))


def _spelt_out(mask, shape, step: int = 64):
    """A :class:`~topicnmf.nmf.HeldOutMask` as a boolean array (True = seen) when that is small.

    The same entries; the products of a fit then walk a list of the held-out entries
    instead of hashing every entry of the matrix in every product (about 2.5 times faster).
    """
    n, m = shape
    if n * m > HELDOUT_DENSE_ENTRIES:
        return mask
    cols = np.arange(m)
    out = np.empty((n, m), dtype=bool)
    for start in range(0, n, step):
        stop = min(n, start + step)
        out[start:stop] = ~mask.held_out(np.arange(start, stop)[:, None], cols[None, :])
    return out


def _start_w(X, H) -> np.ndarray:
    """A positive starting ``W`` for fixed ``H``: rows scaled so that ``W H`` has the mean of ``X``."""
    mean = (X.sum() if sp.issparse(X) else float(np.sum(X))) / max(X.shape[0] * X.shape[1], 1)
    scale = np.sqrt(max(float(mean), 1e-12) / max(float(H.mean()), 1e-12) / H.shape[0])
    return np.full((X.shape[0], H.shape[0]), scale, dtype=X.dtype)


#: Stabilities within this of the best count as tied (about the spread of stability between runs).
STABILITY_TOLERANCE = 0.05
#: A coherence peak counts when its stability is within this of the best (about two spreads).
PEAK_TOLERANCE = 0.1


def _knees(table: pd.DataFrame) -> np.ndarray:
    """``gain(k)`` over the mean gain of the next two ``k`` (one at the end of the range).

    ``gain(k)`` is the fall of ``||X - W H||^2`` per topic added from the previous
    ``k`` of the table up to ``k``; two following gains rather than one keep a
    single unlucky fit from making a knee. NaN for the first and the last ``k``.
    """
    ks = table["k"].to_numpy(dtype=float)
    sq = table["reconstruction_error"].to_numpy(dtype=float) ** 2
    gain = np.full(len(ks), np.nan)
    gain[1:] = (sq[:-1] - sq[1:]) / np.diff(ks)
    floor = 1e-12 * np.nanmax(np.abs(gain), initial=1.0)
    knees = np.full(len(ks), np.nan)
    for i in range(1, len(ks) - 1):
        knees[i] = max(gain[i], 0.0) / max(float(np.mean(gain[i + 1:i + 3])), floor)
    return knees


def _coherence_peak(table: pd.DataFrame, stable: np.ndarray) -> int | None:
    """Position of the ``c_v`` peak with the largest rise into it, among the positions ``stable``.

    A peak is an interior ``k`` where ``c_v`` rose from the previous ``k`` and does
    not rise at the next one; its rise is its ``c_v`` over the lowest ``c_v`` since
    the coherence last fell on the way to it. None when there is no peak.
    """
    if "c_v" not in table:
        return None
    c_v = table["c_v"].to_numpy(dtype=float)
    best, best_rise = None, 0.0
    for i in range(1, len(c_v) - 1):
        if not (c_v[i] > c_v[i - 1] and c_v[i] >= c_v[i + 1]) or i not in stable:
            continue
        j = i - 1
        while j > 0 and c_v[j - 1] <= c_v[j]:
            j -= 1
        if c_v[i] - c_v[j] > best_rise:
            best, best_rise = i, c_v[i] - c_v[j]
    return best


def recommend(table: pd.DataFrame) -> tuple[int, str]:
    """The recommended ``k`` of a sweep table and the reason in words.

    The rule, in three steps:

    1. **Stable.** The candidates are the ``k`` whose ``stability`` is within
       ``PEAK_TOLERANCE`` (0.1) of the best one (``STABILITY_TOLERANCE``, 0.05,
       in step 3): topics that come back when the documents are resampled
       (Greene et al. 2014), counting differences of about the run-to-run spread
       as ties. Stability alone favours too few topics: a model that merges two
       themes is as reproducible as one that separates them.
    2. **Where coherence stops rising** (texts only). Of the candidates, the
       peak of ``c_v`` (Röder et al. 2015; a ``k`` where it rose from the
       previous ``k`` and does not rise at the next one) with the largest rise
       into it. While ``k`` is below the number of themes, some topic mixes two
       themes, pairing words that seldom occur together, and separating them
       raises the coherence; past it, new topics split a theme into halves no
       more coherent than the whole, or fit noise, and the coherence stops
       rising. The peak can come one ``k`` early when the last theme to
       separate is small (its topic moves the mean coherence little), so the
       peak and the next ``k`` are compared on the knee of the reconstruction
       error (step 3's measure), and the sharper knee is chosen.
    3. **Where the error stops falling fast** (when step 2 finds no peak: a
       matrix without texts, or coherence still rising at the end of the range).
       Of the ``k`` within ``STABILITY_TOLERANCE`` of the best stability, the one
       with the sharpest knee of the reconstruction error: the fall of
       ``||X - W H||^2`` per topic added up to ``k``, over the mean of the same
       fall for the next two ``k`` of the range. Topics up to the natural number
       separate themes and lower the error a lot; topics beyond it split themes
       or fit noise and lower it little. The first and the last ``k`` have no
       knee (nothing is known before or after them); if no candidate has one,
       the most stable one is chosen.

    The held-out error is reported beside them but does not enter the rule: on
    TF-IDF matrices it is dominated by the zeros and rises from the smallest
    ``k`` on, well before the number of themes a reader would name.
    ``benchmarks/sweep_choice.py`` measures the rule on labelled corpora.

    Parameters
    ----------
    table : DataFrame
        :attr:`SweepResult.table` (the columns ``k``, ``stability``,
        ``reconstruction_error`` and, where measured, ``c_v`` are used).

    Returns
    -------
    best_k : int
    reason : str
    """
    table = table.sort_values("k").reset_index(drop=True)
    ks = table["k"].to_numpy()
    if len(ks) == 1:
        return int(ks[0]), f"k={int(ks[0])} is the only number of topics tried."
    stability = table["stability"].to_numpy(dtype=float)
    top = int(np.nanargmax(stability))
    knees = _knees(table)
    peak = _coherence_peak(table, np.flatnonzero(stability >= stability[top] - PEAK_TOLERANCE))
    if peak is not None:
        c_v = table["c_v"].to_numpy(dtype=float)
        reason = (
            f"The most stable k is {int(ks[top])} (stability {stability[top]:.3f}). Among the k within "
            f"{PEAK_TOLERANCE:g} of it, the coherence rises most steeply up to k = {int(ks[peak])} "
            f"(c_v {c_v[peak]:.3f}) and stops rising there (c_v {c_v[peak + 1]:.3f} at k = {int(ks[peak + 1])})."
        )
        after = peak + 1
        if not np.isnan(knees[after]) and not knees[after] <= knees[peak]:  # a NaN knee at the peak loses
            return int(ks[after]), (
                f"{reason} The reconstruction error has its sharper knee one step later, at k = {int(ks[after])} "
                f"({knees[after]:.2f} against {knees[peak]:.2f}), so k = {int(ks[after])}."
            )
        return int(ks[peak]), reason
    return stable_knee(table)


def stable_knee(table: pd.DataFrame) -> tuple[int, str]:
    """Step 3 of :func:`recommend` alone: the sharpest knee of the error among the most stable ``k``.

    This was the whole rule before coherence entered it; ``benchmarks/sweep_choice.py``
    prints both choices side by side.
    """
    table = table.sort_values("k").reset_index(drop=True)
    ks = table["k"].to_numpy()
    stability = table["stability"].to_numpy(dtype=float)
    top = int(np.nanargmax(stability))
    knees = _knees(table)
    tied = np.flatnonzero(stability >= stability[top] - STABILITY_TOLERANCE)
    listed = ", ".join(str(int(k)) for k in ks[tied])
    start = (
        f"The most stable k is {int(ks[top])} (stability {stability[top]:.3f}); "
        f"within {STABILITY_TOLERANCE:g} of it: k = {listed}."
    )
    if np.isnan(knees[tied]).all():
        return int(ks[top]), f"{start} None of them has a knee of the reconstruction error, so the most stable one."
    best = int(tied[np.nanargmax(knees[tied])])
    return int(ks[best]), (
        f"{start} Of these, k = {int(ks[best])} is where the reconstruction error stops falling fast: "
        f"each topic up to it lowered the squared error {knees[best]:.2f} times as much as each of the next ones."
    )
