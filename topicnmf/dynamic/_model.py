"""Topics over time: window topics per time window, then dynamic topics over them.

The two-level method of Greene & Cross (2017): the documents of each time window
are factorised on their own (``window_topics`` topics per window); the topic-term
rows of all windows, each cut to its ``top_terms`` heaviest terms and scaled to unit
length, are stacked into one matrix that a second NMF factorises into ``n_topics``
dynamic topics. A window topic belongs to the dynamic topic that weighs most in its
row of that second factorisation, so a dynamic topic can persist over all windows,
appear late or fade early.

D. Greene and J. P. Cross, "Exploring the Political Agenda of the European
Parliament Using a Dynamic Topic Modeling Approach", *Political Analysis* 25(1),
77-94, 2017. https://doi.org/10.1017/pan.2016.7
"""

from __future__ import annotations

import time
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from topicnmf._periods import FREQUENCIES, over_time, periods
from topicnmf._persistence import SavedAsFolder
from topicnmf._validation import (
    check_int,
    check_int_or_auto,
    check_one_of,
    check_one_per,
    keep_params,
)
from topicnmf.errors import InputError
from topicnmf.measures import top_topics
from topicnmf.model._fitting import auto_sweep, fit_inputs, text_model_doc
from topicnmf.model._fitting import topic_shares as _shares
from topicnmf.nmf import NMF, factorize

__all__ = ["DynamicTopicModel", "WINDOW_AUTO_DOCS", "WINDOW_AUTO_RUNS", "WINDOW_AUTO_TOPICS"]

#: The numbers of topics that ``window_topics="auto"`` tries in each window (those it supports).
WINDOW_AUTO_TOPICS = (2, 3, 4, 5, 6, 7, 8, 10, 12, 15)
#: The sample runs per ``k`` of each window's sweep with ``window_topics="auto"``.
WINDOW_AUTO_RUNS = 2
#: With ``window_topics="auto"``, at least this many documents per window topic.
WINDOW_AUTO_DOCS = 10


def _cut_rows(H: np.ndarray, top_terms: int) -> np.ndarray:
    """Each row keeps its ``top_terms`` heaviest terms, the rest set to 0, then unit L2 length."""
    H = np.asarray(H, dtype=np.float64)
    out = np.zeros_like(H)
    n = min(top_terms, H.shape[1])
    top = np.argpartition(-H, n - 1, axis=1)[:, :n]
    np.put_along_axis(out, top, np.take_along_axis(H, top, axis=1), axis=1)
    norms = np.linalg.norm(out, axis=1)
    return out / np.where(norms > 0, norms, 1.0)[:, None]


def _unit_rows(A: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1 (rows of zeros stay zero)."""
    A = np.asarray(A, dtype=np.float64)
    totals = A.sum(axis=1, keepdims=True)
    return A / np.where(totals > 0, totals, 1.0)


def _of_model(name: str) -> property:
    """The fitted attribute ``name`` of the flat model of the dynamic topics (``model_``)."""

    def get(self):
        check_is_fitted(self, "model_")
        return getattr(self.model_, name)

    return property(get, doc=f"``model_.{name}`` (see :class:`~topicnmf.model.TopicModel`).")


@text_model_doc
class DynamicTopicModel(SavedAsFolder, BaseEstimator):
    """Dynamic topics: topics per time window, tracked across windows (Greene & Cross 2017).

    Parameters
    ----------
    n_topics : int or "auto", default=10
        Number of dynamic topics (the second-level factorisation's rank).
        ``"auto"``: the number :class:`~topicnmf.TopicModel` with ``n_topics="auto"``
        would choose for all the documents together (the same sweep, coherence
        included; its table is kept as ``sweep_``): dynamic topics are the themes
        of the whole corpus. At most as many as there are window topics.
    window_topics : int or "auto", default=10
        Topics per time window (fewer in a window with fewer documents or terms).
        ``"auto"``: each window's number is the recommendation of a quick
        :func:`topicnmf.sweep` over ``k`` in ``WINDOW_AUTO_TOPICS`` (those with at
        least ``WINDOW_AUTO_DOCS`` documents per topic in the window) with
        ``WINDOW_AUTO_RUNS`` sample runs per ``k``, without held-out fits and
        coherence (the rule then takes the knee of the error among the most stable
        ``k``), and never fewer than ``n_topics`` where the window supports them:
        each dynamic topic present in a window needs a window topic of its own, and
        window topics that merge themes cannot be parted again by the second level,
        while extra ones are merged there (on 1,324 BBC News articles over three
        months, five sections: the sweeps chose 3, 2 and 3 topics and the dynamic
        topics had an NMI of 0.667 against the sections; with the floor 0.850, and
        with 8 topics per window 0.842). The sweep's model of the ``k`` taken is the
        window's (one topic for a window too small to sweep).
    window : {"auto", "day", "week", "month", "quarter", "year"}, default="auto"
        How dates are grouped into windows; ``"auto"`` is ``"month"`` for dates, and
        for whole numbers or window names every distinct value is a window of its own.
    top_terms : int, default=20
        Terms kept from each window topic for the second level (Greene & Cross keep
        the top terms so that the long tail of weights does not blur the tracking).
    vectorizer : object or None, default=None
        As in :class:`~topicnmf.model.TopicModel`; one vocabulary is learnt over all
        windows, so that window topics compare term by term.
    nmf : object or None, default=None
        The factorisation of both levels, as in :class:`~topicnmf.model.TopicModel`.
    random_state : int, RandomState instance or None, default=None
        Seed of every factorisation's initialisation.
    {{keep_tokens}}
    {{text_column}}

    Attributes
    ----------
    model_ : TopicModel
        The dynamic topics as a fitted :class:`~topicnmf.model.TopicModel` over all
        documents (its ``components_`` are the dynamic topics, its ``doc_topic_`` each
        document's weights on them, its ``doc_times_`` the documents' times), so that
        every table, plot and report of a TopicModel works on it.
    windows_ : list of str
        The time windows, earliest first.
    doc_window_ : ndarray of int of shape (n_docs,)
        Each document's window (a position in ``windows_``).
    window_components_ : ndarray of shape (n_window_topics, n_terms)
        The topic-term rows of all window topics, window by window, each window's
        topics ordered by their share of that window.
    window_topic_window_ : ndarray of int of shape (n_window_topics,)
        The window of each window topic.
    window_n_topics_ : ndarray of int of shape (n_windows,)
        The number of topics fitted in each window (0 for a window without terms).
    window_topic_dynamic_ : ndarray of shape (n_window_topics, n_topics)
        Each window topic's weights on the dynamic topics, rows summing to 1 (the
        second-level ``W``, normalised).
    window_topic_assignment_ : ndarray of int of shape (n_window_topics,)
        The dynamic topic each window topic belongs to (-1 for an empty one).
    doc_window_topic_ : ndarray of int of shape (n_docs,)
        Each document's top window topic (a row of ``window_components_``; -1 for a
        document with no weight).
    doc_topic_ : ndarray of shape (n_docs, n_topics)
        Each document's weights on the dynamic topics (``model_.doc_topic_``).
    sweep_ : DataFrame or None
        With ``n_topics="auto"``: the sweep's table, as :attr:`TopicModel.sweep_`
        (``model_.sweep_``); None otherwise.
    topic_labels_ : list of str
        The dynamic topics' names (``model_.topic_labels_``).
    vocabulary_ : ndarray of str of shape (n_terms,)
        The shared vocabulary.

    Notes
    -----
    :meth:`save` writes a folder of ``dynamic.json`` (parameters, windows, topics
    per window), ``dynamic.npz`` (the window topics, their weights on the dynamic
    topics and assignment, each document's window and window topic) and
    ``model/``, the dynamic topics' flat model (:meth:`TopicModel.save`);
    :meth:`load` reads it back, or a ``topicnmf dynamic`` run folder. A loaded
    model's ``vectorizer`` and ``nmf`` parameters are ``None`` (the fitted
    vectorizer is ``model_.vectorizer_``); every fitted attribute is as saved.

    Examples
    --------
    >>> docs = ["goal striker penalty match", "oven bread dough bake",
    ...         "match referee goal striker", "bread crust bake oven"] * 6
    >>> months = ["2016-01"] * 8 + ["2016-02"] * 8 + ["2016-03"] * 8
    >>> from topicnmf import TextVectorizer
    >>> model = DynamicTopicModel(n_topics=2, window_topics=2, random_state=0,
    ...                           vectorizer=TextVectorizer(min_df=1, max_df=1.0))
    >>> model = model.fit(docs, times=[pd.Timestamp(m) for m in months])
    >>> model.windows_
    ['2016-01', '2016-02', '2016-03']
    >>> model.topics_over_time().columns.tolist()
    ['period', 'topic', 'documents', 'share']
    """

    _state_module = "topicnmf.dynamic._state"

    def __init__(
        self,
        n_topics: int = 10,
        *,
        window_topics: int | str = 10,
        window: str = "auto",
        top_terms: int = 20,
        vectorizer: Any = None,
        nmf: Any = None,
        random_state: int | np.random.RandomState | None = None,
        keep_tokens: bool = True,
        text_column: str = "text",
    ):
        keep_params(self, locals())

    def _nmf(self, k: int, random_state) -> Any:
        nmf = NMF(init="nndsvda") if self.nmf is None else clone(self.nmf)
        return nmf.set_params(n_components=k, random_state=random_state)

    def fit(self, documents, y=None, *, times: Sequence[Any] | None = None,
            callback: Callable[[dict], None] | None = None) -> "DynamicTopicModel":
        """Fit window topics per window, then the dynamic topics over them.

        Parameters
        ----------
        documents : Corpus, sequence or Series of str, 1-D array of str, or DataFrame
            The documents.
        y : None
            Ignored.
        times : sequence of length n_docs or None, default=None
            When each document was written: dates, whole numbers or window names that
            sort in time order. ``None`` takes the corpus's ``times`` (a
            :class:`~topicnmf.corpus.Corpus` read with a time column or window folders).
        callback : callable or None, default=None
            Called with ``{"stage": "vectorize"}``, with ``n_topics="auto"`` then with
            the sweep's steps (``{"stage": "sweep", ...}``, as :meth:`TopicModel.fit`),
            then ``{"stage": "window", "window": name, "done": i, "total": n}`` per
            window, then ``{"stage": "dynamic"}``.

        Returns
        -------
        self : DynamicTopicModel
        """
        from topicnmf._assemble import topic_model, vectorize

        owner = "DynamicTopicModel"
        n_topics = check_int_or_auto(self.n_topics, "n_topics", owner)
        window_topics = check_int_or_auto(self.window_topics, "window_topics", owner)
        check_one_of(self.window, "window", owner, ["auto", *FREQUENCIES])
        top_terms = check_int(self.top_terms, "top_terms", owner)
        random_state, keep_tokens, corpus, notify = fit_inputs(self, documents, owner, at_least="one per window",
                                                               callback=callback)
        if times is None:
            times = getattr(corpus, "times", None)
            if times is None:
                raise InputError(
                    "DynamicTopicModel.fit needs the documents' times: pass times=[...] or a Corpus "
                    "read with a time column or window folders."
                )
        times = check_one_per(times, len(corpus), "time", "document",
                              "The 'times' passed to DynamicTopicModel.fit")
        doc_window, windows = periods(times, self.window, "DynamicTopicModel.fit")

        timings = {}
        data = vectorize(corpus, self.vectorizer, keep_tokens=keep_tokens, times=times, notify=notify, timings=timings)
        X = data.X
        sweep = None
        if n_topics is None:
            sweep = auto_sweep(X, data.tokens, data.vocabulary, self._nmf(2, random_state), random_state, notify, owner)
            n_topics = sweep.attrs["best_k"]
            timings["sweep"] = float(sweep["time"].sum())

        start = time.perf_counter()
        rows_H, doc_window_topic = [], np.full(len(corpus), -1, dtype=np.int64)
        window_k = np.zeros(len(windows), dtype=np.int64)
        for w, name in enumerate(windows):
            notify({"stage": "window", "window": name, "done": w, "total": len(windows)})
            rows = np.flatnonzero(doc_window == w)
            fitted = self._fit_window(data, rows, window_topics, n_topics, random_state)
            if fitted is None:
                continue
            Ww, Hw = fitted
            order = np.argsort(-_shares(Ww, Hw), kind="stable")
            Ww, Hw = Ww[:, order], Hw[order]
            offset = sum(len(h) for h in rows_H)
            top = top_topics(Ww)
            doc_window_topic[rows] = np.where(top >= 0, offset + top, -1)
            rows_H.append(Hw)
            window_k[w] = len(Hw)
        timings["windows"] = time.perf_counter() - start

        start = time.perf_counter()
        notify({"stage": "dynamic"})
        window_H = np.vstack(rows_H)
        B = _cut_rows(window_H, top_terms)
        k2 = min(n_topics, int((B.sum(axis=1) > 0).sum()), int((B.sum(axis=0) > 0).sum()))
        if sweep is not None:
            n_topics = k2  # the sweep's choice, as far as the window topics support it
        elif k2 < n_topics:
            raise InputError(
                f"n_topics={n_topics} is more than the {k2} window topics (or their terms) support; "
                f"ask for at most {k2} dynamic topics or more window_topics."
            )
        nmf = self._nmf(n_topics, random_state)
        U = nmf.fit_transform(B)
        membership = _unit_rows(U)
        # A dynamic topic's terms on the documents' scale: the membership-weighted sum
        # of its window topics' whole rows (unit length), not only their top terms; the
        # documents' weights are solved for these topics, as TopicModel.transform does.
        unit = window_H / np.maximum(np.linalg.norm(window_H, axis=1), np.finfo(float).tiny)[:, None]
        H = (membership.T @ unit).astype(X.dtype)
        W, _, _ = factorize(X, n_topics, H=H, update_H=False)
        order = np.argsort(-_shares(W, H), kind="stable")  # the largest dynamic topic first
        W, H, membership = W[:, order], H[order], membership[:, order]
        assignment = np.where(U.sum(axis=1) > 0, membership.argmax(axis=1), -1)
        timings["dynamic"] = time.perf_counter() - start

        info = {"n_iter": getattr(nmf, "n_iter_", 0), "reconstruction_err": getattr(nmf, "reconstruction_err_", np.nan),
                "loss_history": getattr(nmf, "loss_history_", [])}
        model = topic_model(data, H, W, random_state=self.random_state, info=info, timings=timings, sweep=sweep)
        return self._set_fitted(model, windows, doc_window, window_H, window_k, membership, assignment,
                                doc_window_topic)

    def _set_fitted(self, model, windows, doc_window, window_components, window_n_topics, membership,
                    assignment, doc_window_topic) -> "DynamicTopicModel":
        """Set the fitted attributes, from :meth:`fit` or from a saved folder (see ``_state``)."""
        self.model_ = model
        self.windows_ = list(windows)
        self.doc_window_ = doc_window
        self.window_components_ = window_components
        self.window_n_topics_ = window_n_topics
        self.window_topic_window_ = np.repeat(np.arange(len(windows), dtype=np.int64), window_n_topics)
        self.window_topic_dynamic_ = membership
        self.window_topic_assignment_ = assignment
        self.doc_window_topic_ = doc_window_topic
        self._window_doc_counts = np.bincount(doc_window_topic[doc_window_topic >= 0],
                                              minlength=len(window_components))
        return self

    def _fit_window(self, data, rows: np.ndarray, k: int | None, n_topics: int, random_state):
        """``(W, H)`` of one window's documents ``rows`` (``H`` over all terms); None without terms.

        ``k`` None is "auto": the recommendation of a quick sweep over the window, at
        least ``n_topics`` where the window supports them.
        """
        Xw = data.X[rows]
        used = np.flatnonzero(np.asarray(Xw.sum(axis=0)).ravel() > 0)
        most = min(len(rows), len(used))
        if most == 0:
            return None
        if k is None:
            supported = min(most, len(rows) // WINDOW_AUTO_DOCS)
            ks = [k for k in WINDOW_AUTO_TOPICS if k <= supported]
            k = max(1, min(n_topics, supported))
            if ks:
                fitted = self._sweep_window(Xw[:, used], ks, k, random_state)
                if fitted is not None:
                    W, H = fitted
                    Hw = np.zeros((len(H), data.X.shape[1]), dtype=np.float64)
                    Hw[:, used] = H
                    return W, Hw
        k = min(k, most)
        nmf = self._nmf(k, random_state)
        Ww = nmf.fit_transform(Xw[:, used])
        Hw = np.zeros((k, data.X.shape[1]), dtype=np.float64)
        Hw[:, used] = nmf.components_
        return Ww, Hw

    def _sweep_window(self, X, ks: list[int], floor: int, random_state):
        """``(W, H)`` of the sweep's recommended ``k`` for the window's matrix ``X``, or of
        ``floor`` where the recommendation is lower; None when ``floor`` was not swept.

        The sweep gets no texts and no held-out fits: its rule then takes the knee of
        the reconstruction error among the most stable ``k`` (step 3 of
        :func:`topicnmf.selection.recommend`). Measured on a news-like sample of 20
        Newsgroups (5 sections, 1,500 posts over 3 months): with the coherence step the
        windows got 4, 3 and 3 topics and the dynamic topics an NMI of 0.721 against the
        sections; without it 6, 5 and 5 and 0.845 (5 per window: 0.846), in less time.
        """
        from topicnmf.selection import sweep_matrix

        result = sweep_matrix(X, ks, runs=WINDOW_AUTO_RUNS, random_state=random_state, test_fraction=None,
                              nmf=self._nmf(ks[0], random_state))
        k = max(result.best_k, floor)
        if k not in result.models:
            return None
        return np.asarray(result.doc_topics[k]), np.asarray(result.models[k].components_, dtype=np.float64)

    # -- facts of the fitted model -------------------------------------------------------

    doc_topic_ = _of_model("doc_topic_")
    sweep_ = _of_model("sweep_")
    components_ = _of_model("components_")
    topic_labels_ = _of_model("topic_labels_")
    vocabulary_ = _of_model("vocabulary_")
    n_topics_ = _of_model("n_topics_")

    def doc_topics(self, *, normalize: bool = False) -> pd.DataFrame:
        """Each document's weights on the dynamic topics, as :meth:`TopicModel.doc_topics`,
        with its ``window`` and ``window_topic`` (a row of :meth:`tracking`)."""
        check_is_fitted(self, "model_")
        table = self.model_.doc_topics(normalize=normalize)
        table.insert(1, "window", [self.windows_[w] for w in self.doc_window_])
        table.insert(2, "window_topic", self.doc_window_topic_)
        return table

    def tracking(self, n: int = 10) -> pd.DataFrame:
        """The window topics and the dynamic topic each belongs to (the tracking).

        Parameters
        ----------
        n : int, default=10
            Top words listed per window topic.

        Returns
        -------
        DataFrame
            One row per window topic, window by window: ``window_topic`` (its
            number, as in :meth:`doc_topics`), ``window``, ``rank`` (0 is the
            window's largest topic), ``topic`` (its dynamic topic, -1 for none),
            ``weight`` (its weight on that dynamic topic, in [0, 1]), ``documents``
            (documents whose top window topic it is) and ``top_words``
            (space-separated).
        """
        check_is_fitted(self, "model_")
        n = check_int(n, "n", "tracking")
        H = self.window_components_
        top = np.argsort(-H, axis=1, kind="stable")[:, :n]
        words = [" ".join(self.vocabulary_[t[H[i, t] > 0]]) for i, t in enumerate(top)]
        window = self.window_topic_window_
        rank = np.concatenate([np.arange(c) for c in np.bincount(window, minlength=len(self.windows_))])
        assignment = self.window_topic_assignment_
        weight = np.where(assignment >= 0,
                          self.window_topic_dynamic_[np.arange(len(H)), np.maximum(assignment, 0)], 0.0)
        return pd.DataFrame({
            "window_topic": np.arange(len(H)),
            "window": [self.windows_[w] for w in window],
            "rank": rank,
            "topic": assignment,
            "weight": weight,
            "documents": self._window_doc_counts,
            "top_words": words,
        })

    def topics_over_time(self) -> pd.DataFrame:
        """The dynamic topics' documents and shares per window.

        Returns
        -------
        DataFrame
            Columns ``period, topic, documents, share``: for every window and dynamic
            topic, the documents whose top dynamic topic it is and their share of the
            window's documents. Sorted by period (in time order), then topic.
        """
        check_is_fitted(self, "model_")
        return over_time(self.doc_topic_, self.doc_window_, self.windows_)

    def topic_words(self, n: int = 10, *, topic: int | None = None) -> pd.DataFrame:
        """The dynamic topics' top words: :meth:`TopicModel.topic_words` of :attr:`model_`."""
        check_is_fitted(self, "model_")
        return self.model_.topic_words(n, topic=topic)

    def top_words(self, n: int = 10) -> list[list[str]]:
        """The dynamic topics' top words: :meth:`TopicModel.top_words` of :attr:`model_`."""
        check_is_fitted(self, "model_")
        return self.model_.top_words(n)

