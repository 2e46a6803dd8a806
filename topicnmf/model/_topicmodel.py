"""TopicModel: preprocessing, the NMF core and the vocabulary in one estimator."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from topicnmf._persistence import SavedAsFolder
from topicnmf._validation import check_int, check_int_or_auto, check_real, keep_params
from topicnmf.corpus import as_corpus
from topicnmf.errors import InputError
from topicnmf.measures import topic_sizes

from ._documents import Documents, doc_topic_frame, token_lists
from ._fitting import factorize_topics, fit_inputs, fit_vectorizer, text_model_doc, topic_order, topic_shares

__all__ = ["TopicModel"]


@text_model_doc
class TopicModel(SavedAsFolder, TransformerMixin, BaseEstimator):
    """Topics of a collection of documents by non-negative matrix factorization.

    The documents go through a :class:`~topicnmf.preprocessing.TextVectorizer`
    (tokenizing, stop words, TF-IDF) into a matrix ``X (n_docs, n_terms)`` that
    :class:`~topicnmf.nmf.NMF` factorises as ``W (n_docs, n_topics) @ H (n_topics, n_terms)``.
    Topics are numbered by their share of the corpus, the largest first.

    A scikit-learn transformer: ``transform`` gives document-topic weights, so it
    fits in a ``Pipeline`` (before a classifier, say), in ``cross_val_score`` and in
    ``GridSearchCV`` over ``n_topics``; ``set_output(transform="pandas")`` gives
    DataFrames with columns ``topic_0 ... topic_{K-1}``.

    Parameters
    ----------
    n_topics : int or "auto", default=10
        Number of topics. ``"auto"`` runs :func:`topicnmf.sweep` over ``k`` in
        ``topicnmf.selection.AUTO_TOPICS`` (those the corpus supports) on the
        vectorised corpus and keeps the recommended ``k``'s model; the sweep's
        table is kept as ``sweep_``.
    vectorizer : object or None, default=None
        Turns texts into a non-negative matrix. Anything with ``fit_transform``,
        ``fit_transform_stream``, ``transform`` and ``get_feature_names_out``
        works (``to_dict`` and ``from_dict`` for :meth:`save`); ``None`` means
        ``TextVectorizer()`` with its defaults.
    nmf : object or None, default=None
        The factorisation, an estimator like :class:`~topicnmf.nmf.NMF`; a clone
        of it is fitted with ``n_components=n_topics`` and this model's
        ``random_state``. ``None`` means ``NMF(init="nndsvda")``.
    random_state : int, RandomState instance or None, default=None
        Seed of the factorisation's initialisation. This is the only seed: it
        replaces the ``random_state`` of ``nmf`` (a ``UserWarning`` says so when
        ``nmf`` has a different one).
    {{keep_tokens}}
    {{text_column}}
    seed_topics : dict of str to list of str, or None, default=None
        Seeded topics: a name and its seed words each (``{"space": ["nasa", "orbit",
        "shuttle"]}``); at most ``n_topics`` of them, the other topics are found freely.
        Each seeded topic starts where the documents that use its seed words are
        and keeps its seed words among its 10 top words (see :mod:`topicnmf.seeding`);
        it carries its name in ``topic_labels_``. Seed words missing from the vocabulary
        are reported with a ``UserWarning`` and in ``seed_words_missing_``.
    seed_strength : float, default=0.03
        With ``seed_topics``: how hard each seeded topic is held near its seeded start
        for the whole fit, as the weight of that start in documents per document of
        the corpus (a guided-NMF pull, Vendrow et al. 2021; 0: the seeded start alone).
        0.01 to 0.05 measured alike and best on average (see :mod:`topicnmf.seeding`).
    scheduler : str, int, distributed.Client or None, default=None
        Where the factorisation runs: None in this process; a Dask scheduler address
        (``"tcp://host:8786"``), a ``distributed.Client``, or an int for a local
        cluster of that many single-threaded worker processes. The matrix goes to the
        workers in row blocks and ``NMF.fit`` runs there (see ``docs/scaling.md``;
        the default start is then ``init="random"``). Not with ``seed_topics``.

    Attributes
    ----------
    vectorizer_ : object
        The fitted vectorizer.
    nmf_ : object
        The fitted factorisation (its components in the order it found them).
    components_ : ndarray of shape (n_topics, n_terms)
        Topic-term weights ``H``.
    doc_topic_ : ndarray of shape (n_docs, n_topics)
        Document-topic weights ``W`` of the training documents.
    vocabulary_ : ndarray of str of shape (n_terms,)
        The terms, as shown to people (readable words for stems, ``new_york`` for phrases).
    doc_ids_ : list of str
        Ids of the training documents.
    doc_labels_ : list of str or None
        Labels of the training documents, where the corpus has them.
    n_topics_ : int
        Number of topics fitted.
    topic_shares_ : ndarray of shape (n_topics,)
        Each topic's part of the total weight of ``W @ H`` (the shares sum to 1,
        unless all weight is 0); topics are numbered by it, largest first.
    topic_sizes_ : ndarray of shape (n_topics,)
        Number of training documents whose top topic each topic is (documents
        with no weight count for no topic).
    topic_labels_ : list of str
        A name per topic: its three top words joined by ``_`` unless set with
        :meth:`set_topic_labels`. Every table, plot and report uses it.
    n_iter_, reconstruction_err_, loss_history_
        The factorisation's iterations, final error and loss per iteration.
    doc_times_ : list or None
        The training documents' times (from ``Corpus.times``), or None.
    seed_topic_ids_ : dict of str to int
        The topic of each seeded topic (empty without seeds).
    seed_words_missing_ : dict of str to list of str
        Per seeded topic, the seed words not in the vocabulary (only topics missing some).
    sweep_ : DataFrame or None
        With ``n_topics="auto"``: the sweep's table, one row per ``k`` (see
        :class:`topicnmf.selection.SweepResult`), with the chosen ``k`` and the
        reason in ``sweep_.attrs["best_k"]`` and ``sweep_.attrs["reason"]``;
        None otherwise. Saved and loaded with the model.

    Notes
    -----
    :meth:`save` writes a folder of ``model.json`` (parameters, vocabulary,
    vectorizer state, document ids, topic labels, library versions) and
    ``arrays.npz`` (the topic and document weights and the token streams);
    :meth:`load` reads it back (or the ``model`` folder of a ``topicnmf fit`` run).

    Examples
    --------
    >>> docs = ["the cat sat on the mat", "dogs and cats are pets",
    ...         "stocks fell on the market", "the market rallied as stocks rose"] * 5
    >>> model = TopicModel(n_topics=2, random_state=0).fit(docs)
    >>> model.topic_words(n=3).columns.tolist()
    ['topic', 'rank', 'word', 'weight']
    >>> len(model.topic_labels_), float(model.topic_shares_.sum())
    (2, 1.0)
    """

    _state_module = "topicnmf.model._state"

    def __init__(
        self,
        n_topics: int | str = 10,
        *,
        vectorizer: Any = None,
        nmf: Any = None,
        random_state: int | np.random.RandomState | None = None,
        keep_tokens: bool = True,
        text_column: str = "text",
        seed_topics: dict[str, list[str]] | None = None,
        seed_strength: float = 0.03,
        scheduler: Any = None,
    ):
        keep_params(self, locals())

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, documents, y=None, *, callback: Callable[[dict], None] | None = None):
        """Learn the vocabulary and the topics of ``documents``.

        Parameters
        ----------
        documents : Corpus, sequence or Series of str, 1-D array of str, or DataFrame
            The training documents (a DataFrame's ``text_column`` holds the texts).
        y : None
            Ignored.
        callback : callable or None, default=None
            Called with a dict as the work goes on: ``{"stage": "vectorize"}``
            before tokenizing, then once per NMF iteration with ``"stage":
            "factorize"`` and the solver's ``iteration``, ``loss`` and ``elapsed``.

        Returns
        -------
        self : TopicModel
            The fitted model.
        """
        n_topics = check_int_or_auto(self.n_topics, "n_topics", "TopicModel")
        random_state, keep_tokens, corpus, notify = fit_inputs(
            self, documents, "TopicModel", at_least="as many documents as topics", callback=callback)
        seeds = None
        if n_topics is None and self.seed_topics is not None:
            raise InputError("n_topics='auto' does not combine with seed_topics; give the number of topics.")
        if self.seed_topics is not None:
            from topicnmf import seeding

            seeds = seeding.check_seed_topics(self.seed_topics, n_topics, "TopicModel")
        check_real(self.seed_strength, "seed_strength", "TopicModel")
        timings = {}
        vectorizer, X, tokens, vocabulary = fit_vectorizer(self.vectorizer, corpus.texts, keep_tokens, notify, timings)

        nmf, W, sweep, missing = factorize_topics(
            self, X, vectorizer, vocabulary, tokens, n_topics, seeds, random_state, callback, timings
        )
        seed_topic_ids = {}
        order = topic_order(W, nmf.components_)
        if seeds is not None:  # the seeded topics are 0 .. n_seeds - 1 before the ordering
            position = np.argsort(order)
            seed_topic_ids = {name: int(position[i]) for i, name in enumerate(seeds)}
        self._set_fitted(
            nmf=nmf,
            order=order,
            vectorizer=vectorizer,
            doc_topic=np.ascontiguousarray(W[:, order]),
            vocabulary=vocabulary,
            documents=Documents.of(corpus, tokens),
            timings=timings,
            seeds=(seed_topic_ids, missing),
            sweep=sweep,
        )
        if seed_topic_ids:
            names = {t: name for name, t in seed_topic_ids.items()}
            self.topic_labels_ = [names.get(t, label) for t, label in enumerate(self.topic_labels_)]
        return self

    def _set_fitted(self, *, nmf, order, vectorizer, doc_topic, vocabulary, documents, timings,
                    topic_labels=None, seeds=None, sweep=None) -> None:
        """Set every fitted attribute and the topic facts derived from them (fit and load).

        ``order`` numbers the factorisation's components as topics (topic ``t`` is
        component ``order[t]``); the fitted ``nmf`` itself is never changed.
        ``documents`` (:class:`~topicnmf.model._documents.Documents`) are those of
        ``doc_topic``'s rows.
        """
        self.nmf_ = nmf
        self._order = np.asarray(order, dtype=np.intp)
        self.components_ = np.ascontiguousarray(nmf.components_[self._order])
        self.vectorizer_ = vectorizer
        self.doc_topic_ = doc_topic
        self.vocabulary_ = vocabulary
        self.n_topics_ = int(doc_topic.shape[1])
        self.doc_ids_ = documents.ids
        self.doc_labels_ = documents.labels
        self.doc_snippets_ = documents.snippets
        self.doc_times_ = documents.times
        self.seed_topic_ids_, self.seed_words_missing_ = ({}, {}) if seeds is None else (dict(seeds[0]), dict(seeds[1]))
        self._token_ids, self._token_offsets = (None, None) if documents.tokens is None else documents.tokens
        self.timings_ = timings
        self.sweep_ = sweep
        W = np.asarray(doc_topic, dtype=np.float64)
        self.topic_shares_ = topic_shares(W, self.components_)
        self.topic_sizes_ = topic_sizes(W)
        self.topic_labels_ = (
            ["_".join(words[:3]) for words in self.top_words(3)] if topic_labels is None else list(topic_labels)
        )

    def _documents(self) -> Documents:
        """The documents this model was fitted on, as :meth:`_set_fitted` takes them."""
        tokens = None if self._token_ids is None else (self._token_ids, self._token_offsets)
        return Documents(self.doc_ids_, self.doc_labels_, self.doc_snippets_, tokens, self.doc_times_)

    def fit_transform(self, documents, y=None, **fit_params) -> np.ndarray:
        """Fit the model and return the document-topic weights ``W`` of ``documents``.

        Returns
        -------
        W : ndarray of shape (n_docs, n_topics)
        """
        return self.fit(documents, **fit_params).doc_topic_

    def transform(self, documents) -> np.ndarray:
        """Document-topic weights of new documents, for the fitted topics.

        Parameters
        ----------
        documents : Corpus, sequence or Series of str, 1-D array of str, or DataFrame
            New documents.

        Returns
        -------
        W : ndarray of shape (n_docs, n_topics)
            Non-negative topic weights, solved to convergence with the topics fixed.
        """
        check_is_fitted(self, "nmf_")
        corpus = as_corpus(documents, text_column=self.text_column, owner="TopicModel.transform")
        W = self.nmf_.transform(self.vectorizer_.transform(corpus.texts))
        return np.ascontiguousarray(W[:, self._order])

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The output column names of :meth:`transform`: ``topic_0 ... topic_{K-1}``."""
        check_is_fitted(self, "nmf_")
        return np.asarray([f"topic_{t}" for t in range(self.n_topics_)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    # -- topic facts -----------------------------------------------------------------------

    @property
    def n_iter_(self) -> int:
        check_is_fitted(self, "nmf_")
        return int(getattr(self.nmf_, "n_iter_", 0))

    @property
    def reconstruction_err_(self) -> float:
        check_is_fitted(self, "nmf_")
        return float(getattr(self.nmf_, "reconstruction_err_", float("nan")))

    @property
    def loss_history_(self) -> list[float]:
        check_is_fitted(self, "nmf_")
        return [float(v) for v in getattr(self.nmf_, "loss_history_", [])]

    def set_topic_labels(self, labels) -> "TopicModel":
        """Name the topics; every table, plot and report (and :meth:`save`) uses the names.

        Parameters
        ----------
        labels : list of str of length n_topics, or dict of int to str
            All names in topic order, or new names for some topics.

        Returns
        -------
        self : TopicModel
        """
        check_is_fitted(self, "nmf_")
        names = list(self.topic_labels_)
        if isinstance(labels, dict):
            for topic, label in labels.items():
                topic = check_int(topic, "labels", "set_topic_labels", low=0, high=self.n_topics_ - 1)
                names[topic] = label
        elif isinstance(labels, (str, bytes)) or not hasattr(labels, "__len__") or len(labels) != self.n_topics_:
            raise InputError(
                f"The 'labels' parameter of set_topic_labels must be a list of {self.n_topics_} str "
                "or a dict of topic to str."
            )
        else:
            names = list(labels)
        for label in names:
            if not isinstance(label, str) or not label.strip():
                raise InputError(
                    f"The 'labels' parameter of set_topic_labels must hold non-empty str. Got {label!r}."
                )
        self.topic_labels_ = names
        return self

    def topic_words(self, n: int = 10, *, topic: int | None = None) -> pd.DataFrame:
        """The top words of every topic (or of one) as one tidy table.

        Parameters
        ----------
        n : int, default=10
            Words per topic.
        topic : int or None, default=None
            Only this topic's words (as BERTopic's ``get_topic`` or gensim's
            ``show_topic`` give them); None: every topic's.

        Returns
        -------
        DataFrame
            Columns ``topic, rank, word, weight``; ``n`` rows a topic, sorted by
            topic, then rank (0 is the heaviest word). Words of zero weight are left out.

        Examples
        --------
        >>> model = TopicModel(2, random_state=0).fit(
        ...     ["goal striker match", "oven bread bake", "match goal referee", "bread dough oven"] * 5)
        >>> model.topic_words(2, topic=0)["topic"].tolist()
        [0, 0]
        """
        check_is_fitted(self, "nmf_")
        n = check_int(n, "n", "topic_words")
        if topic is not None:
            topic = check_int(topic, "topic", "topic_words", low=0, high=self.n_topics_ - 1)
        top, weights = self._top_terms(n)
        topics = np.arange(len(top)) if topic is None else np.array([topic])
        top, weights = top[topics], weights[topics]
        n = top.shape[1]
        table = pd.DataFrame(
            {
                "topic": np.repeat(topics, n),
                "rank": np.tile(np.arange(n), len(topics)),
                "word": self.vocabulary_[top.ravel()],
                "weight": weights.ravel().astype(np.float64),
            }
        )
        return table[table["weight"] > 0].reset_index(drop=True)

    def top_words(self, n: int = 10) -> list[list[str]]:
        """Top ``n`` words of each topic, best first (the input of :func:`topicnmf.coherence`).

        Words of zero weight are left out, as in :meth:`topic_words`.
        """
        check_is_fitted(self, "nmf_")
        n = check_int(n, "n", "top_words")
        top, weights = self._top_terms(n)
        return [self.vocabulary_[t[w > 0]].tolist() for t, w in zip(top, weights)]

    def _top_terms(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Indices and weights of each topic's ``n`` heaviest terms, heaviest first."""
        H = self.components_
        n = min(n, H.shape[1])
        # heaviest first, ties by term index, so the first n of any longer list are these n
        # (a partition would choose among terms tied at the n-th place arbitrarily)
        top = np.argsort(-H, axis=1, kind="stable")[:, :n]
        return top, np.take_along_axis(H, top, axis=1)

    def doc_topics(self, *, normalize: bool = False) -> pd.DataFrame:
        """The document-topic table of the training documents.

        Parameters
        ----------
        normalize : bool, default=False
            Scale each document's weights to sum to 1 (documents with no weight stay at 0).

        Returns
        -------
        DataFrame
            Columns ``doc_id``, ``label`` (only where the corpus has labels),
            ``topic_0 ... topic_{K-1}`` and ``top_topic`` (-1 for a document with
            no weight on any topic, such as an empty one). One row per document,
            in corpus order.
        """
        check_is_fitted(self, "nmf_")
        return doc_topic_frame(self.doc_topic_, self.doc_ids_, self.doc_labels_, normalize=normalize)

    def topics_over_time(self, freq: str = "auto") -> pd.DataFrame:
        """How many training documents each topic is the top topic of, per period.

        Parameters
        ----------
        freq : {"auto", "day", "week", "month", "quarter", "year"}, default="auto"
            The period dates are grouped by; ``"auto"`` is ``"month"`` for dates and,
            for window names or numbers, every distinct value as its own period.

        Returns
        -------
        DataFrame
            Columns ``period`` (ordered categorical, earliest first), ``topic``,
            ``documents`` and ``share`` (of the period's documents); one row per
            period and topic, sorted by period, then topic.
        """
        check_is_fitted(self, "nmf_")
        from topicnmf._periods import topics_by_period

        return topics_by_period(self.doc_topic_, self.doc_times_, freq)

    def tokenized_texts(self) -> list[list[str]]:
        """The training texts as the token streams the model saw.

        Tokens outside the vocabulary (rare or too common words) are kept as
        ``""`` so that every token keeps its position, which sliding-window
        coherence measures depend on.
        """
        return token_lists(*self._token_stream(), self.vocabulary_)

    def _token_stream(self) -> tuple[np.ndarray, np.ndarray]:
        """``(token_ids, offsets)`` of the training texts (see :meth:`tokenized_texts`), as stored.

        ``token_ids`` holds vocabulary columns, -1 outside the vocabulary;
        document ``d`` is ``token_ids[offsets[d]:offsets[d + 1]]``.
        """
        check_is_fitted(self, "nmf_")
        if self._token_ids is None:
            raise InputError(
                "This TopicModel was fitted with keep_tokens=False; refit with keep_tokens=True "
                "to score coherence on its training texts."
            )
        return self._token_ids, self._token_offsets

    def _top_word_ids(self, top_n: int) -> list[list[int]]:
        """Each topic's ``top_n`` heaviest terms as vocabulary columns, zero weights left out (as :meth:`top_words`)."""
        top, weights = self._top_terms(top_n)
        return [t[w > 0].tolist() for t, w in zip(top, weights)]

    def coherence(self, measure: str = "c_npmi", *, top_n: int = 10, window_size: int | None = None) -> np.ndarray:
        """Coherence of each topic on the model's own tokenised training texts.

        Parameters
        ----------
        measure : {"c_npmi", "c_v", "c_uci", "u_mass"}, default="c_npmi"
            The measure, as defined by gensim's ``CoherenceModel``.
        top_n : int, default=10
            Top words per topic that are scored.
        window_size : int or None, default=None
            Sliding-window size; ``None`` takes the measure's default.

        Returns
        -------
        scores : ndarray of shape (n_topics,)
        """
        from topicnmf.measures import coherence_from_ids

        token_ids, offsets = self._token_stream()
        topics = self._top_word_ids(check_int(top_n, "top_n", "TopicModel.coherence"))
        return coherence_from_ids(topics, token_ids, offsets, measure, window_size=window_size)

    # -- navigation --------------------------------------------------------------------------

    def find_topics(self, words, n: int = 5) -> pd.DataFrame:
        """The topics that best match a word or a query, best first.

        The query goes through the fitted vectorizer (so stems and phrases match
        as in training) and each topic scores the cosine between the query's
        TF-IDF vector and the topic's term weights.

        Parameters
        ----------
        words : str or list of str
            A word, a query, or several words.
        n : int, default=5
            Most topics returned; topics that share no word with the query are left out.

        Returns
        -------
        DataFrame
            Columns ``topic, topic_label, score``, best first. Empty (with a
            ``UserWarning``) when no word of the query is in the vocabulary.

        Examples
        --------
        >>> docs = ["the cat sat on the mat", "dogs and cats are pets",
        ...         "stocks fell on the market", "the market rallied as stocks rose"] * 5
        >>> model = TopicModel(n_topics=2, random_state=0).fit(docs)
        >>> model.find_topics("stocks", n=1)["topic_label"].tolist() == [model.topic_labels_[
        ...     int(model.components_[:, list(model.vocabulary_).index("stocks")].argmax())]]
        True
        """
        from ._explore import find_topics

        check_is_fitted(self, "nmf_")
        return find_topics(self, words, n)

    def topic_similarity(self) -> pd.DataFrame:
        """Cosine similarity of the topics' term weights, as a tidy table.

        Returns
        -------
        DataFrame
            Columns ``topic, other_topic, similarity`` (in [0, 1], 1 on the
            diagonal); ``n_topics ** 2`` rows sorted by topic, then other topic.
        """
        from ._explore import topic_similarity

        check_is_fitted(self, "nmf_")
        return topic_similarity(self)

    def merge_topics(self, groups, documents) -> "TopicModel":
        """A new model in which each group of topics becomes one topic.

        The merged topics start from the sums of their groups' weights and the
        factorisation is refitted on the training documents from there (the
        other topics start where they were), so the result is a proper fit
        with fewer topics, numbered again by share. This model is not changed.

        Parameters
        ----------
        groups : list of list of int
            Topics to merge, e.g. ``[[0, 3], [1, 5, 6]]``; each topic in at most one group.
        documents : Corpus, sequence or Series of str, or DataFrame
            The documents the model was fitted on.

        Returns
        -------
        model : TopicModel
            A fitted model with ``n_topics_ - sum(len(g) - 1 for g in groups)`` topics.
        """
        from ._explore import merge_topics

        check_is_fitted(self, "nmf_")
        return merge_topics(self, groups, documents)
