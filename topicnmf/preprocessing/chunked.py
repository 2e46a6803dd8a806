"""A TextVectorizer fitted on texts that come in chunks, one chunk in memory at a time.

:func:`fit_chunks` learns the vocabulary and the document frequencies over an
iterable of chunks of texts (one pass; what is held is one chunk and a count per
distinct word), and leaves the vectorizer fitted exactly as
:meth:`TextVectorizer.fit` on all the texts at once would (same vocabulary, same
idf, same ``transform``). :func:`transform_chunk` then gives each chunk's
TF-IDF matrix and its token stream (vocabulary ids, for coherence) from one
tokenization. Phrases and stems need corpus-wide statistics of their own and
are not learned from chunks.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from topicnmf.errors import InputError
from topicnmf.preprocessing.stream import TokenStream, encode_texts, kept_before
from topicnmf.preprocessing.vectorizer import TextVectorizer, _check_texts, _csr, _tfidf

__all__ = ["fit_chunks", "transform_chunk"]


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
    p = vectorizer._validated()
    if p["phrases"] or p["stem"]:
        raise InputError(
            "TextVectorizer fitted on chunks (a streamed corpus) cannot learn phrases or stems; "
            "use phrases=False and stem=False, or fit on the whole corpus."
        )
    index: dict[str, int] = {}  # word -> term id, by first occurrence
    df = np.zeros(0, dtype=np.int64)
    tf = np.zeros(0, dtype=np.float64)
    n_docs = 0
    for texts in chunks:
        texts = _check_texts(texts, "fit")
        words, codes, offsets = encode_texts(p["rules"], texts, breaks=False, n_jobs=vectorizer.n_jobs)
        remap = np.fromiter((index.setdefault(w, len(index)) for w in words[1:]), dtype=np.int64,
                            count=len(words) - 1)
        remap = np.concatenate([[-1], remap])
        counts = _csr(remap[codes], offsets, len(index), np.float64)
        grow = len(index) - df.size
        if grow:
            df = np.concatenate([df, np.zeros(grow, dtype=np.int64)])
            tf = np.concatenate([tf, np.zeros(grow)])
        df += np.bincount(counts.indices, minlength=len(index))
        tf += np.bincount(counts.indices, weights=counts.data, minlength=len(index))
        n_docs += len(texts)
    if n_docs == 0:
        raise InputError("No texts were passed to TextVectorizer.fit; pass at least one text.")
    if not index:
        raise InputError(
            "No tokens are left in the texts passed to TextVectorizer.fit after removing stop words, "
            f"numbers and tokens shorter than min_length={p['tokenizer'].min_length!r}; pass texts with "
            "words, or a tokenizer with stop_words=None or a smaller min_length."
        )
    terms = list(index)
    column = TextVectorizer._keep(df, lambda: tf.astype(p["dtype"]), terms, p, n_docs)
    kept = np.flatnonzero(column >= 0)
    vocabulary = {terms[t]: int(column[t]) for t in kept.tolist()}
    kept_df = np.zeros(kept.size, dtype=p["dtype"])
    kept_df[column[kept]] = df[kept]
    idf = np.full_like(kept_df, n_docs + 1)
    idf /= kept_df + 1
    np.log(idf, out=idf)
    idf += 1.0
    vectorizer._set_fitted(p, vocabulary, idf, [], {}, n_docs)
    return vectorizer


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
    ids = columns[codes]
    kept = ids >= 0
    X = _csr(ids[kept], kept_before(kept)[offsets], len(vectorizer.vocabulary_), vectorizer._fitted["dtype"])
    X = _tfidf(X, vectorizer.idf_, vectorizer._fitted["sublinear_tf"])
    return X, TokenStream(ids.astype(np.int32), offsets)
