"""TextVectorizer: texts to a TF-IDF document-term matrix and a compact token stream.

One pass tokenizes every text once and encodes each token to an integer code
(:mod:`topicnmf.preprocessing.stream`); the counts, the pruned vocabulary, the
TF-IDF weights and the token stream for coherence are numpy operations on those
codes. The matrix equals scikit-learn's ``TfidfVectorizer`` fed the same tokens,
entry for entry and in the same storage order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Integral, Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from topicnmf._docstrings import fill_doc, fragment
from topicnmf._validation import check_bool, check_int, check_real, keep_params, parameter_error
from topicnmf.errors import InputError
from topicnmf.preprocessing import terms as _terms
from topicnmf.preprocessing.stream import TokenStream, encode_texts, kept_before
from topicnmf.preprocessing.tokenizer import Tokenizer

__all__ = ["TextVectorizer"]

_OWNER = "TextVectorizer"
_TEXTS = "Parameters\n----------\ntexts : iterable of str of length n_docs\n    The {}texts."
_FIT_TEXTS = _TEXTS.format("training ")
#: docstring fragments of the methods (see ``topicnmf._docstrings``)
_documented = fill_doc({
    "texts": _TEXTS.format(""),
    "fit_texts": _FIT_TEXTS,
    "fit_params": fragment(_FIT_TEXTS, "y : None\n    Ignored."),
    "tfidf": """
        X : scipy.sparse.csr_matrix of shape (n_docs, n_terms)
            Non-negative TF-IDF weights, each non-empty row of unit L2 norm.
        """,
})


def _check_df(value: Any, name: str) -> int | float:
    ok = not isinstance(value, (bool, np.bool_)) and (
        (isinstance(value, Integral) and value >= 1) or (isinstance(value, Real) and 0.0 < value <= 1.0)
    )
    if not ok:
        raise parameter_error(
            name, _OWNER, "an int >= 1 (documents) or a float in (0, 1] (fraction of documents)", value
        )
    return int(value) if isinstance(value, Integral) else float(value)


def _check_texts(texts: Any, where: str) -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise InputError(
            f"TextVectorizer.{where} expects a collection of texts and got a single "
            f"{type(texts).__name__}; wrap it in a list."
        )
    if not isinstance(texts, Iterable):
        raise InputError(f"TextVectorizer.{where} expects a collection of texts (str). Got {type(texts).__name__}.")
    texts = texts if isinstance(texts, list) else list(texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(
                f"Text {i} passed to TextVectorizer.{where} is a {type(text).__name__}, "
                "not a str; decode or convert the texts first."
            )
    return texts


def _csr(codes: np.ndarray, offsets: np.ndarray, n_cols: int, dtype) -> sp.csr_matrix:
    """Counts of ``codes`` per document, indices sorted within each row."""
    X = sp.csr_matrix((np.ones(codes.size, dtype=dtype), codes, offsets), shape=(offsets.size - 1, n_cols))
    X.sum_duplicates()
    return X


def _tfidf(X: sp.csr_matrix, idf: np.ndarray, sublinear: bool) -> sp.csr_matrix:
    """Weight counts in place as scikit-learn's ``TfidfTransformer`` does (L2 rows)."""
    from sklearn.preprocessing import normalize

    if sublinear:
        np.log(X.data, X.data)
        X.data += 1.0
    X.data *= idf[X.indices]
    return normalize(X, norm="l2", copy=False)


class TextVectorizer(BaseEstimator):
    """Texts to a TF-IDF document-term matrix, with optional phrases and stems.

    The texts are tokenized by a :class:`~topicnmf.preprocessing.Tokenizer`
    (the `tokenizer` parameter); adjacent word pairs that form collocations can
    be joined into phrases ("new_york"); tokens can be reduced to Snowball stems
    (shown as their most frequent word); terms are kept by document frequency,
    weighted by TF-IDF as scikit-learn's ``TfidfVectorizer`` weights them and
    each row is L2-normalised. :meth:`fit_transform_stream` also returns the
    tokenized texts as vocabulary ids, built in the same pass, for coherence.

    Parameters
    ----------
    min_df : int or float, default=5
        Drop terms found in fewer documents than this (a float in (0, 1] is a
        fraction of the documents).
    max_df : int or float, default=0.5
        Drop terms found in more documents than this (a float in (0, 1] is a
        fraction of the documents).
    max_features : int or None, default=None
        Keep only this many terms, the most frequent over the corpus.
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)`` instead of the raw term count.
    stem : bool, default=False
        Reduce tokens to Snowball stems (nltk, English). Each stem is shown as
        its most frequent word in the training texts (ties: alphabetical first).
    phrases : bool, default=False
        Join collocated word pairs into one term ``first_second``. Stop words,
        dropped tokens and punctuation split phrases.
    phrase_min_count : int or "auto", default="auto"
        A word pair must occur at least this often to become a phrase. "auto"
        scales with the corpus: once per 100,000 tokens, and at least 5 times
        (23 on 20 Newsgroups, 5 on a few hundred short documents).
    phrase_threshold : float, default=0.5
        Minimum normalised pointwise mutual information, in [-1, 1], of a
        phrase's two words.
    tokenizer : Tokenizer or None, default=None
        How texts become tokens (stop words, minimum length, numbers, URLs and
        mail structure); ``None`` means ``Tokenizer()``. Its parameters are
        this estimator's nested parameters (``tokenizer__min_length``...), so
        ``set_params``, ``clone`` and grid searches reach them.
    dtype : {np.float32, np.float64}, default=np.float32
        The dtype of the matrix.
    n_jobs : int or None, default=None
        Processes that tokenize: None uses every available CPU when the texts
        hold at least 4 million characters (below that one process is faster),
        -1 every available CPU, an int that many. The result never depends on it.

    Attributes
    ----------
    tokenizer_ : Tokenizer
        The tokenizer used (a copy of `tokenizer`).
    vocabulary_ : dict of str to int
        Term to column. Terms are words, stems (when `stem`) or phrases.
    idf_ : ndarray of shape (n_terms,)
        Inverse document frequencies.
    phrases_ : list of tuple of (str, str)
        The word pairs joined into phrases (empty when not `phrases`).
    display_words_ : dict of str to str
        For stemmed vocabulary terms, the word shown for each stem.
    n_docs_ : int
        The number of training texts.

    Examples
    --------
    >>> from topicnmf.preprocessing import TextVectorizer, Tokenizer
    >>> texts = ["Cats chase mice.", "A cat chased a mouse!", "Dogs chase cats."]
    >>> vec = TextVectorizer(min_df=1, max_df=1.0, stem=True)
    >>> X = vec.fit_transform(texts)
    >>> X.shape, X.dtype
    ((3, 5), dtype('float32'))
    >>> vec.get_feature_names_out().tolist()
    ['cats', 'chase', 'dogs', 'mice', 'mouse']
    >>> X, stream = vec.fit_transform_stream(texts)
    >>> stream.ids.tolist(), stream.offsets.tolist()
    ([0, 1, 3, 0, 1, 4, 2, 1, 0], [0, 3, 6, 9])
    >>> vec.set_params(tokenizer=Tokenizer(min_length=5)).fit(texts).get_feature_names_out().tolist()
    ['chase', 'mouse']
    """

    def __init__(
        self,
        *,
        min_df: float | int = 5,
        max_df: float | int = 0.5,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        stem: bool = False,
        phrases: bool = False,
        phrase_min_count: int | str = "auto",
        phrase_threshold: float = 0.5,
        tokenizer: Tokenizer | None = None,
        dtype: type = np.float32,
        n_jobs: int | None = None,
    ) -> None:
        keep_params(self, locals())

    # -- validation ----------------------------------------------------------
    def _validated(self) -> dict[str, Any]:
        """Check the parameters; return derived values (the parameters stay as they are)."""
        p: dict[str, Any] = {name: check_bool(getattr(self, name), name, _OWNER)
                             for name in ("sublinear_tf", "stem", "phrases")}
        p["min_df"], p["max_df"] = _check_df(self.min_df, "min_df"), _check_df(self.max_df, "max_df")
        p["max_features"] = None if self.max_features is None else check_int(
            self.max_features, "max_features", _OWNER, low=1)
        if isinstance(self.phrase_min_count, str) and self.phrase_min_count == "auto":
            p["phrase_min_count"] = "auto"
        elif isinstance(self.phrase_min_count, Integral) and not isinstance(self.phrase_min_count, bool) \
                and self.phrase_min_count >= 1:
            p["phrase_min_count"] = int(self.phrase_min_count)
        else:
            raise parameter_error("phrase_min_count", _OWNER, "an int >= 1 or 'auto'", self.phrase_min_count)
        p["phrase_threshold"] = check_real(self.phrase_threshold, "phrase_threshold", _OWNER, low=-1.0, high=1.0)
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise parameter_error("dtype", _OWNER, "one of 'float32', 'float64'", self.dtype)
        p["dtype"] = dtype.type
        if self.n_jobs is not None and self.n_jobs != -1:
            if not (isinstance(self.n_jobs, Integral) and not isinstance(self.n_jobs, bool) and self.n_jobs >= 1):
                raise parameter_error("n_jobs", _OWNER, "None, -1 or an int >= 1", self.n_jobs)
        if self.tokenizer is not None and not isinstance(self.tokenizer, Tokenizer):
            raise parameter_error("tokenizer", _OWNER, "None or a topicnmf Tokenizer", self.tokenizer)
        tokenizer = Tokenizer() if self.tokenizer is None else self.tokenizer
        p["rules"] = tokenizer._rules()  # validates the tokenizer's own parameters
        p["tokenizer"] = Tokenizer(**tokenizer.get_params())
        return p

    # -- fitting ---------------------------------------------------------------
    @_documented
    def fit(self, texts: Iterable[str], y: Any = None) -> TextVectorizer:
        """Learn the phrases, stems, vocabulary and idf of `texts`.

        {{fit_params}}

        Returns
        -------
        self : TextVectorizer
            The fitted vectorizer.
        """
        self._fit(texts)
        return self

    @_documented
    def fit_transform(self, texts: Iterable[str], y: Any = None) -> sp.csr_matrix:
        """Learn the vocabulary and idf of `texts` and return their TF-IDF matrix.

        {{fit_params}}

        Returns
        -------
        {{tfidf}}
        """
        return self._fit(texts)[0]

    @_documented
    def fit_transform_stream(self, texts: Iterable[str]) -> tuple[sp.csr_matrix, TokenStream]:
        """Fit; return the TF-IDF matrix and the texts as a stream of vocabulary ids.

        Each text is tokenized once for both. The stream is what coherence
        measures need, in compact form: ``stream.ids[stream.offsets[d]:stream.offsets[d + 1]]``
        are the tokens of document ``d`` as columns of ``X`` (-1 for a token
        outside the vocabulary), in text order, phrases joined and stems merged
        as in the matrix.

        {{fit_texts}}

        Returns
        -------
        {{tfidf}}
        stream : TokenStream
            ``ids`` (int32, one per kept token) and ``offsets`` (int64, n_docs + 1).
        """
        return self._fit(texts)

    def _fit(self, texts: Iterable[str]) -> tuple[sp.csr_matrix, TokenStream]:
        texts = _check_texts(texts, "fit")
        if not texts:
            raise InputError("No texts were passed to TextVectorizer.fit; pass at least one text.")
        p = self._validated()
        words, codes, offsets = encode_texts(p["rules"], texts, breaks=p["phrases"], n_jobs=self.n_jobs)
        phrases: list[tuple[str, str]] = []
        if p["phrases"]:
            phrases = _terms.find_phrases(words, codes, offsets, p["phrase_min_count"], p["phrase_threshold"])
            words, codes, offsets = _terms.join_phrases(words, codes, offsets, phrases)
        if codes.size == 0:
            raise InputError(
                "No tokens are left in the texts passed to TextVectorizer.fit after removing stop words, "
                f"numbers and tokens shorter than min_length={p['tokenizer'].min_length!r}; pass texts with "
                "words, or a tokenizer with stop_words=None or a smaller min_length."
            )
        stems = _terms.Stems() if p["stem"] else None
        terms, term_of_word = _terms.term_codes(words, stems)
        term_stream = term_of_word[codes]
        if p["phrases"]:  # joining reorders first occurrences: number terms as they first occur
            seen, first = np.unique(term_stream, return_index=True)
            relabel = np.full(len(terms), -1, dtype=np.int64)  # -1: only ever inside a phrase
            relabel[seen[np.argsort(first)]] = np.arange(seen.size)
            term_of_word = np.where(term_of_word >= 0, relabel[term_of_word], -1)
            term_stream = relabel[term_stream]
            terms = [terms[t] for t in seen[np.argsort(first)].tolist()]
        counts = _csr(term_stream, offsets, len(terms), p["dtype"])
        column_of_term = self._prune(counts, terms, p, len(texts))
        X = self._matrix(counts, column_of_term)

        kept = np.flatnonzero(column_of_term >= 0)
        vocabulary = {terms[t]: int(column_of_term[t]) for t in kept.tolist()}
        df = np.bincount(X.indices, minlength=len(vocabulary)).astype(p["dtype"])
        idf = np.full_like(df, len(texts) + 1)
        idf /= df + 1
        np.log(idf, out=idf)
        idf += 1.0
        display = {}
        if stems is not None:
            display = _terms.display_words(words, np.bincount(codes, minlength=len(words)), stems, vocabulary)
        self._set_fitted(p, vocabulary, idf, phrases, display, len(texts))
        X = _tfidf(X, idf, p["sublinear_tf"])

        column_of_word = np.where(term_of_word >= 0, column_of_term[term_of_word], -1).astype(np.int32)
        return X, TokenStream(column_of_word[codes], offsets)

    @staticmethod
    def _prune(counts: sp.csr_matrix, terms: list[str], p: dict, n_docs: int) -> np.ndarray:
        """The column of each term (-1: dropped), as scikit-learn's CountVectorizer chooses them."""
        df = np.bincount(counts.indices, minlength=len(terms))

        def term_frequencies():
            return np.bincount(counts.indices, weights=counts.data, minlength=len(terms)).astype(counts.dtype)

        return TextVectorizer._keep(df, term_frequencies, terms, p, n_docs)

    @staticmethod
    def _keep(df: np.ndarray, term_frequencies, terms: list[str], p: dict, n_docs: int) -> np.ndarray:
        """The column of each term from its document frequency ``df`` (and, for ``max_features``,
        ``term_frequencies()``, its count over the corpus)."""
        max_doc = p["max_df"] if isinstance(p["max_df"], int) else p["max_df"] * n_docs
        min_doc = p["min_df"] if isinstance(p["min_df"], int) else p["min_df"] * n_docs
        keep = (df <= max_doc) & (df >= min_doc)
        alphabetical = np.array(sorted(range(len(terms)), key=terms.__getitem__), dtype=np.int64)
        limit = p["max_features"]
        if limit is not None and keep.sum() > limit:
            # the most frequent terms; ties broken as scikit-learn breaks them
            tf = term_frequencies()
            in_order = alphabetical[keep[alphabetical]]
            top = in_order[(-tf[in_order]).argsort()[:limit]]
            keep = np.zeros_like(keep)
            keep[top] = True
        if max_doc < min_doc or not keep.any():
            raise InputError(
                "No terms are left in the texts passed to TextVectorizer.fit after keeping those in at "
                f"least min_df={p['min_df']!r} and at most max_df={p['max_df']!r} of the {n_docs} documents; "
                "lower 'min_df' or raise 'max_df'."
            )
        column = np.full(len(terms), -1, dtype=np.int64)
        kept = alphabetical[keep[alphabetical]]
        column[kept] = np.arange(kept.size)
        return column

    @staticmethod
    def _matrix(counts: sp.csr_matrix, column_of_term: np.ndarray) -> sp.csr_matrix:
        """Counts over the kept columns; each row keeps its entries' order."""
        columns = column_of_term[counts.indices]
        kept = columns >= 0
        shape = (counts.shape[0], int(column_of_term.max()) + 1)
        return sp.csr_matrix((counts.data[kept], columns[kept], kept_before(kept)[counts.indptr]), shape=shape)

    def _set_fitted(self, p, vocabulary, idf, phrases, display, n_docs) -> None:
        self.tokenizer_ = p["tokenizer"]
        self.vocabulary_ = vocabulary
        self.idf_ = idf
        self.phrases_ = list(phrases)
        self.display_words_ = dict(display)
        self.n_docs_ = n_docs
        # what transform depends on, fixed at fit (a later set_params does not leak in)
        self._fitted = {name: p[name] for name in ("min_df", "max_df", "max_features", "sublinear_tf",
                                                   "stem", "phrases", "phrase_min_count",
                                                   "phrase_threshold", "dtype")}
        self._stems = _terms.Stems() if p["stem"] else None
        names = np.empty(len(vocabulary), dtype=object)
        for term, col in vocabulary.items():
            names[col] = display.get(term, term)
        self._feature_names = names

    # -- using -------------------------------------------------------------------
    def _columns(self, texts: Any, where: str) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Encode `texts` as the fitted vectorizer sees them: words, codes, offsets, column of each word."""
        check_is_fitted(self, "vocabulary_")
        texts = _check_texts(texts, where)
        rules = self.tokenizer_._rules()
        words, codes, offsets = encode_texts(rules, texts, breaks=self._fitted["phrases"], n_jobs=self.n_jobs)
        if self._fitted["phrases"]:
            words, codes, offsets = _terms.join_phrases(words, codes, offsets, self.phrases_)
        stems, get = self._stems, self.vocabulary_.get
        terms = words if stems is None else [stems[w] for w in words]
        columns = np.fromiter((get(t, -1) for t in terms), dtype=np.int64, count=len(terms))
        columns[0] = -1
        return words, codes, offsets, columns

    @_documented
    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Return the TF-IDF matrix of `texts` over the fitted vocabulary.

        {{texts}}

        Returns
        -------
        {{tfidf}}
        """
        _, codes, offsets, columns = self._columns(texts, "transform")
        cols = columns[codes]
        kept = cols >= 0
        X = _csr(cols[kept], kept_before(kept)[offsets], len(self.vocabulary_), self._fitted["dtype"])
        return _tfidf(X, self.idf_, self._fitted["sublinear_tf"])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Return the display word of each column.

        Parameters
        ----------
        input_features : None
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        names : ndarray of str of shape (n_terms,)
            The words aligned with the matrix columns: a stem is shown as its
            most frequent word, a phrase as ``first_second``.
        """
        check_is_fitted(self, "vocabulary_")
        return self._feature_names.copy()

    @_documented
    def tokenize(self, texts: Iterable[str]) -> list[list[str]]:
        """Return each text as the stream of display tokens the model sees.

        Stop words and dropped tokens are removed, phrases joined and stems shown
        as their display word, so vocabulary terms appear exactly as in
        :meth:`get_feature_names_out` (tokens outside the vocabulary appear as
        written).

        {{texts}}

        Returns
        -------
        tokens : list of list of str
            One token list per text.
        """
        words, codes, offsets, columns = self._columns(texts, "tokenize")
        shown = np.array(words, dtype=object)
        in_vocabulary = columns >= 0
        shown[in_vocabulary] = self._feature_names[columns[in_vocabulary]]
        flat = shown[codes].tolist()
        bounds = offsets.tolist()
        return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]

    # -- state ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Return the state of the fitted vectorizer as JSON-serialisable data.

        Returns
        -------
        state : dict
            Plain str, int, float, bool, None, lists and dicts: the parameters
            (the tokenizer's among them), the vocabulary in column order, the
            idf, the phrases and the display words of stems.
            :meth:`from_dict` rebuilds the vectorizer.
        """
        from topicnmf.preprocessing.state import vectorizer_state

        check_is_fitted(self, "vocabulary_")
        return vectorizer_state(self)

    @classmethod
    def from_dict(cls, state: Mapping[str, Any]) -> TextVectorizer:
        """Rebuild a fitted vectorizer from :meth:`to_dict` output.

        Parameters
        ----------
        state : dict
            The output of :meth:`to_dict` (possibly through ``json``).

        Returns
        -------
        vectorizer : TextVectorizer
            A fitted vectorizer whose ``transform`` equals the original's.

        Raises
        ------
        ValueError
            (:class:`~topicnmf.errors.InputError`) when `state` is malformed.
        """
        from topicnmf.preprocessing.state import vectorizer_from_state

        return vectorizer_from_state(cls, state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
