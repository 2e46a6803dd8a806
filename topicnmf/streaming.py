"""Topics of a corpus too large for memory: the streaming fit, one chunk of documents at a time.

The module sits beside ``model`` (it uses ``corpus``, ``preprocessing``, ``nmf`` and
``measures``, and nothing uses it but the CLI): :class:`~topicnmf.TopicModel`
keeps every document, its weights and its tokens, which is what a streamed fit
must not do. :func:`fit_stream` reads the corpus file three times with
:func:`~topicnmf.iter_corpus`:

1. the vocabulary and the document frequencies, chunk by chunk
   (:func:`~topicnmf.preprocessing.chunked.fit_chunks`);
2. ``epochs`` passes of TF-IDF chunks into :meth:`NMF.partial_fit <topicnmf.nmf.NMF.partial_fit>`
   (online HALS);
3. each chunk's document-topic weights (``transform``), written out as they
   come if asked, and the coherence counts of the topics' top words, added
   from the chunk's token stream (:class:`~topicnmf.measures.CoherenceCounts`).

Memory is bounded by the chunk (its texts, TF-IDF rows, token stream and
weights), ``k`` and the vocabulary (``H``, the online statistics and the
counts per distinct word); it does not grow with the number of documents.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["StreamedTopics", "fit_stream"]


@dataclass
class StreamedTopics:
    """What :func:`fit_stream` learned.

    Attributes
    ----------
    vectorizer : TextVectorizer
        Fitted on the whole corpus (vocabulary and idf as a one-shot fit gives).
    nmf : NMF
        Fitted by ``partial_fit``; ``components_`` of shape (n_topics, n_terms).
    n_docs : int
        Documents read.
    top_words : list of list of str
        Each topic's ``top_n`` words, best first.
    coherence : dict of str to ndarray of shape (n_topics,)
        Each measure's per-topic score over the whole corpus.
    topic_sizes : ndarray of shape (n_topics,)
        Documents whose largest weight is on each topic.
    """

    vectorizer: Any
    nmf: Any
    n_docs: int
    top_words: list
    coherence: dict = field(default_factory=dict)
    topic_sizes: Any = None


def fit_stream(
    path: str | os.PathLike[str],
    *,
    n_topics: int = 10,
    vectorizer=None,
    nmf=None,
    chunksize: int = 10_000,
    epochs: int = 1,
    measures=("c_npmi",),
    top_n: int = 10,
    doc_topics_path: str | os.PathLike[str] | None = None,
    text_column: str = "text",
    id_column: str | None = None,
    random_state=None,
    callback: Callable[[dict], None] | None = None,
) -> StreamedTopics:
    """Fit topics to the corpus at `path`, holding one chunk of documents at a time.

    Parameters
    ----------
    path : str or os.PathLike
        A corpus :func:`~topicnmf.iter_corpus` reads (best: JSON lines, gzipped or not).
    n_topics : int, default=10
        Number of topics ``k``.
    vectorizer : TextVectorizer or None, default=None
        Its parameters are used (``phrases`` and ``stem`` must be off); None:
        ``TextVectorizer()``.
    nmf : NMF or None, default=None
        Its parameters are used by ``partial_fit`` (``forget_factor``, ``init``
        of the first chunk, regularisation); None: ``NMF(n_topics)``.
    chunksize : int, default=10_000
        Documents per chunk.
    epochs : int, default=1
        Passes of ``partial_fit`` over the corpus.
    measures : sequence of str, default=("c_npmi",)
        Coherence measures computed over the whole corpus.
    top_n : int, default=10
        Top words per topic (for ``top_words`` and coherence).
    doc_topics_path : str, os.PathLike or None, default=None
        If given, a CSV file written chunk by chunk: ``doc_id`` (or the row
        number) and one weight column per topic.
    text_column, id_column : str
        As for :func:`~topicnmf.iter_corpus`.
    random_state : int, RandomState or None, default=None
        Seeds ``nmf`` when it is None.
    callback : callable, default=None
        Called after each chunk with ``{"stage": "vocabulary" | "topics" | "weights",
        "epoch": int, "n_docs": int}``.

    Returns
    -------
    result : StreamedTopics
    """
    import numpy as np

    from topicnmf._validation import check_int
    from topicnmf.corpus import iter_corpus
    from topicnmf.measures import CoherenceCounts
    from topicnmf.nmf import NMF
    from topicnmf.preprocessing import TextVectorizer
    from topicnmf.preprocessing.chunked import fit_chunks, transform_chunk

    owner = "fit_stream"
    n_topics = check_int(n_topics, "n_topics", owner, low=1)
    epochs = check_int(epochs, "epochs", owner, low=1)
    top_n = check_int(top_n, "top_n", owner, low=2)
    vectorizer = TextVectorizer() if vectorizer is None else vectorizer
    nmf = NMF(n_topics, random_state=random_state) if nmf is None else nmf
    nmf.set_params(n_components=n_topics)
    chunks = iter_corpus(path, chunksize=chunksize, text_column=text_column, id_column=id_column)
    del chunks  # checks the path and the options now, before the first pass

    def corpus_chunks():
        return iter_corpus(path, chunksize=chunksize, text_column=text_column, id_column=id_column)

    def report(stage, epoch, n):
        if callback is not None:
            callback({"stage": stage, "epoch": epoch, "n_docs": n})

    def texts_of(stage, epoch):
        n = 0
        for chunk in corpus_chunks():
            n += len(chunk)
            yield chunk
            report(stage, epoch, n)

    fit_chunks(vectorizer, (c.texts for c in texts_of("vocabulary", 0)))
    for epoch in range(epochs):
        for chunk in texts_of("topics", epoch + 1):
            nmf.partial_fit(transform_chunk(vectorizer, chunk.texts)[0])

    H = nmf.components_
    top = np.argsort(-H, axis=1, kind="stable")[:, :top_n]
    words = vectorizer.get_feature_names_out()
    counts = CoherenceCounts([row.tolist() for row in top], measures=measures, owner=owner)
    sizes = np.zeros(n_topics, dtype=np.int64)
    n_docs = 0
    out = None
    try:
        if doc_topics_path is not None:
            out = open(doc_topics_path, "w", newline="", encoding="utf-8")
            writer = csv.writer(out)
            writer.writerow(["doc_id"] + [f"topic_{t}" for t in range(n_topics)])
        for chunk in texts_of("weights", epochs):
            X, stream = transform_chunk(vectorizer, chunk.texts)
            W = nmf.transform(X)
            counts.add_ids(stream.ids, stream.offsets)
            has_weight = W.max(axis=1) > 0
            sizes += np.bincount(W.argmax(axis=1)[has_weight], minlength=n_topics)
            if out is not None:
                ids = chunk.ids if chunk.ids is not None else range(n_docs, n_docs + len(chunk))
                writer.writerows([doc_id, *row] for doc_id, row in zip(ids, W.astype(np.float64).round(6).tolist()))
            n_docs += len(chunk)
    finally:
        if out is not None:
            out.close()
    coherence = {m: counts.scores(m, owner=owner) for m in measures}
    return StreamedTopics(vectorizer, nmf, n_docs, [words[row].tolist() for row in top],
                          coherence, sizes)
