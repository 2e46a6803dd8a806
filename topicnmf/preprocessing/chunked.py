"""A TextVectorizer fitted on texts that come in chunks, one chunk in memory at a time.

:func:`fit_chunks` learns the vocabulary and the document frequencies over an
iterable of chunks of texts (one pass; what is held is one chunk and a count per
distinct word), and leaves the vectorizer fitted exactly as
:meth:`TextVectorizer.fit` on all the texts at once would (same vocabulary, same
idf, same ``transform``). :func:`transform_chunk` then gives each chunk's
TF-IDF matrix and its token stream (vocabulary ids, for coherence) from one
tokenization. Phrases and stems need corpus-wide statistics of their own and
are not learned from chunks.

:class:`ChunkedVocabulary` is the pass itself, for a caller that tokenizes
once: :meth:`~ChunkedVocabulary.add` returns each chunk as integer word codes
(numbered over the whole corpus by first occurrence), :meth:`~ChunkedVocabulary.fit`
fits the vectorizer and returns the column of every code, and :func:`rows_of`
turns stored codes into the chunk's TF-IDF rows and token stream without
tokenizing again (``topicnmf.streaming`` spills the codes to disk this way).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from topicnmf.errors import InputError
from topicnmf.preprocessing.stream import TokenStream, encode_texts, kept_before
from topicnmf.preprocessing.vectorizer import TextVectorizer, _check_texts, _csr, _tfidf

__all__ = ["ChunkedVocabulary", "fit_chunks", "rows_of", "transform_chunk"]


class ChunkedVocabulary:
    """The vocabulary pass over chunks of texts: word codes and document frequencies.

    Parameters
    ----------
    vectorizer : TextVectorizer
        Its parameters are used; ``phrases`` and ``stem`` must be False.

    Examples
    --------
    >>> from topicnmf.preprocessing import TextVectorizer
    >>> from topicnmf.preprocessing.chunked import ChunkedVocabulary, rows_of
    >>> vec = TextVectorizer(min_df=1, max_df=1.0)
    >>> counter = ChunkedVocabulary(vec)
    >>> codes, offsets = counter.add(["cats chase mice", "dogs chase cats"])
    >>> codes.tolist(), offsets.tolist()
    ([0, 1, 2, 3, 1, 0], [0, 3, 6])
    >>> columns = counter.fit()
    >>> X, stream = rows_of(vec, columns, codes, offsets)
    >>> X.shape, sorted(vec.vocabulary_)
    ((2, 4), ['cats', 'chase', 'dogs', 'mice'])
    """

    def __init__(self, vectorizer: TextVectorizer) -> None:
        p = vectorizer._validated()
        if p["phrases"] or p["stem"]:
            raise InputError(
                "TextVectorizer fitted on chunks (a streamed corpus) cannot learn phrases or stems; "
                "use phrases=False and stem=False, or fit on the whole corpus."
            )
        self.vectorizer = vectorizer
        self._p = p
        self._index: dict[str, int] = {}  # word -> code, by first occurrence over all chunks
        self._df = np.zeros(0, dtype=np.int64)
        self._tf = np.zeros(0, dtype=np.float64)
        self.n_docs = 0

    def add(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Count one chunk; return its kept tokens as corpus-wide codes.

        Parameters
        ----------
        texts : iterable of str of length n_docs
            The chunk's texts.

        Returns
        -------
        codes : ndarray of int32 of shape (n_tokens,)
            Every kept token (not a stop word, number or short token) in text order.
        offsets : ndarray of int64 of shape (n_docs + 1,)
            Document ``d`` is ``codes[offsets[d]:offsets[d + 1]]``.
        """
        texts = _check_texts(texts, "fit")
        words, codes, offsets = encode_texts(self._p["rules"], texts, breaks=False,
                                             n_jobs=self.vectorizer.n_jobs)
        index = self._index
        remap = np.empty(len(words), dtype=np.int32)
        remap[0] = -1
        remap[1:] = np.fromiter((index.setdefault(w, len(index)) for w in words[1:]), dtype=np.int32,
                                count=len(words) - 1)
        codes = remap[codes]
        counts = _csr(codes.copy(), offsets, len(index), np.float64)  # sorts its indices in place
        grow = len(index) - self._df.size
        if grow:
            self._df = np.concatenate([self._df, np.zeros(grow, dtype=np.int64)])
            self._tf = np.concatenate([self._tf, np.zeros(grow)])
        self._df += np.bincount(counts.indices, minlength=len(index))
        self._tf += np.bincount(counts.indices, weights=counts.data, minlength=len(index))
        self.n_docs += len(texts)
        return codes, offsets

    def fit(self) -> np.ndarray:
        """Fit the vectorizer on the chunks added; return each code's column.

        Returns
        -------
        columns : ndarray of int64 of shape (n_codes,)
            The vocabulary column of each code, -1 for a word left out (too
            rare, too common, beyond ``max_features``).
        """
        p, n_docs, df = self._p, self.n_docs, self._df
        if n_docs == 0:
            raise InputError("No texts were passed to TextVectorizer.fit; pass at least one text.")
        if not self._index:
            raise InputError(
                "No tokens are left in the texts passed to TextVectorizer.fit after removing stop words, "
                f"numbers and tokens shorter than min_length={p['tokenizer'].min_length!r}; pass texts with "
                "words, or a tokenizer with stop_words=None or a smaller min_length."
            )
        terms = list(self._index)
        column = TextVectorizer._keep(df, lambda: self._tf.astype(p["dtype"]), terms, p, n_docs)
        kept = np.flatnonzero(column >= 0)
        vocabulary = {terms[t]: int(column[t]) for t in kept.tolist()}
        kept_df = np.zeros(kept.size, dtype=p["dtype"])
        kept_df[column[kept]] = df[kept]
        idf = np.full_like(kept_df, n_docs + 1)
        idf /= kept_df + 1
        np.log(idf, out=idf)
        idf += 1.0
        self.vectorizer._set_fitted(p, vocabulary, idf, [], {}, n_docs)
        return np.asarray(column, dtype=np.int64)


def fit_chunks(vectorizer: TextVectorizer, chunks: Iterable[Iterable[str]]) -> TextVectorizer:
    """Fit `vectorizer` on the texts of `chunks`, read once, one chunk at a time.

    Parameters
    ----------
    vectorizer : TextVectorizer
        Its parameters are used; ``phrases`` and ``stem`` must be False.
    chunks : iterable of iterables of str
        The texts, chunk by chunk (e.g. ``(c.texts for c in iter_corpus(path))``).

    Returns
    -------
    vectorizer : TextVectorizer
        The same object, fitted: ``vocabulary_``, ``idf_`` and ``n_docs_`` equal
        those of ``vectorizer.fit`` on all the texts.

    Examples
    --------
    >>> from topicnmf.preprocessing import TextVectorizer
    >>> from topicnmf.preprocessing.chunked import fit_chunks
    >>> texts = ["cats chase mice", "dogs chase cats", "mice eat cheese", "dogs eat"]
    >>> vec = fit_chunks(TextVectorizer(min_df=2, max_df=1.0), [texts[:2], texts[2:]])
    >>> sorted(vec.vocabulary_) == sorted(TextVectorizer(min_df=2, max_df=1.0).fit(texts).vocabulary_)
    True
    """
    counter = ChunkedVocabulary(vectorizer)
    for texts in chunks:
        counter.add(texts)
    counter.fit()
    return vectorizer


def rows_of(vectorizer: TextVectorizer, columns: np.ndarray, codes: np.ndarray, offsets: np.ndarray):
    """TF-IDF rows and token stream of a chunk stored as :meth:`ChunkedVocabulary.add` codes.

    Parameters
    ----------
    vectorizer : TextVectorizer
        Fitted by the :class:`ChunkedVocabulary` that gave the codes.
    columns : ndarray of int64 of shape (n_codes,)
        What :meth:`ChunkedVocabulary.fit` returned.
    codes : ndarray of int32 of shape (n_tokens,)
    offsets : ndarray of int64 of shape (n_docs + 1,)
        As :meth:`ChunkedVocabulary.add` returned them.

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_docs, n_terms)
        Equal to ``vectorizer.transform`` of the chunk's texts.
    stream : TokenStream
        The chunk's tokens as vocabulary ids (-1 outside the vocabulary).
    """
    ids = columns.take(codes)
    return _rows(vectorizer, ids, offsets)


def _rows(vectorizer, ids, offsets):
    kept = ids >= 0
    X = _csr(ids[kept], kept_before(kept)[offsets], len(vectorizer.vocabulary_), vectorizer._fitted["dtype"])
    X = _tfidf(X, vectorizer.idf_, vectorizer._fitted["sublinear_tf"])
    return X, TokenStream(ids.astype(np.int32), offsets)


def transform_chunk(vectorizer: TextVectorizer, texts: Iterable[str]):
    """TF-IDF rows and the token stream of one chunk, from one tokenization.

    Parameters
    ----------
    vectorizer : TextVectorizer
        A fitted vectorizer.
    texts : iterable of str of length n_docs
        The chunk's texts.

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_docs, n_terms)
        Equal to ``vectorizer.transform(texts)``.
    stream : TokenStream
        The texts as vocabulary ids (-1 outside the vocabulary), for
        :meth:`~topicnmf.measures.CoherenceCounts.add_ids`.
    """
    _, codes, offsets, columns = vectorizer._columns(texts, "transform")
    return _rows(vectorizer, columns[codes], offsets)
