"""Topics of a corpus too large for memory: the streaming fit, one chunk of documents at a time.

The module sits beside ``model`` (it uses ``corpus``, ``preprocessing``, ``nmf`` and
``measures``, and nothing uses it but the CLI): :class:`~topicnmf.TopicModel`
keeps every document, its weights and its tokens, which is what a streamed fit
must not do. :func:`fit_stream` reads and tokenizes the corpus file once, with
:func:`~topicnmf.iter_corpus`, and then reads integer codes back from disk:

1. the vocabulary and the document frequencies, chunk by chunk
   (:class:`~topicnmf.preprocessing.chunked.ChunkedVocabulary`); each chunk's
   kept tokens are spilled as int32 codes (with the document lengths and ids)
   to a temporary folder, removed at the end;
2. ``epochs`` passes of TF-IDF chunks, built from the codes with numpy
   (:func:`~topicnmf.preprocessing.chunked.rows_of`), into
   :meth:`NMF.partial_fit <topicnmf.nmf.NMF.partial_fit>` (online HALS), the
   next chunk built in a thread while this one is fitted;
3. each chunk's document-topic weights for the final ``H`` (``transform``),
   written out in a thread if asked, and the coherence counts of the topics'
   top words, added from the same codes
   (:class:`~topicnmf.measures.CoherenceCounts`).

Memory is bounded by the chunk (its texts, codes, TF-IDF rows and weights, and
the chunk built ahead), ``k`` and the vocabulary (``H``, the online statistics
and the counts per distinct word); it does not grow with the number of
documents. Disk: about 4 bytes per kept token while the fit runs.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
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
    work_dir: str | os.PathLike[str] | None = None,
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
    work_dir : str, os.PathLike or None, default=None
        Where the corpus's word codes are kept between passes (a temporary
        folder made inside it and removed at the end; about 4 bytes per kept
        token); None: the system's temporary folder.

    Returns
    -------
    result : StreamedTopics
    """
    import numpy as np

    from topicnmf._validation import check_int
    from topicnmf.corpus import iter_corpus
    from topicnmf.measures import CoherenceCounts
    from topicnmf.measures import topic_sizes as sizes_of
    from topicnmf.nmf import NMF
    from topicnmf.preprocessing import TextVectorizer
    from topicnmf.preprocessing.chunked import ChunkedVocabulary, rows_of

    owner = "fit_stream"
    n_topics = check_int(n_topics, "n_topics", owner, low=1)
    epochs = check_int(epochs, "epochs", owner, low=1)
    top_n = check_int(top_n, "top_n", owner, low=2)
    vectorizer = TextVectorizer() if vectorizer is None else vectorizer
    nmf = NMF(n_topics, random_state=random_state) if nmf is None else nmf
    nmf.set_params(n_components=n_topics)
    chunks = iter_corpus(path, chunksize=chunksize, text_column=text_column, id_column=id_column)
    counter = ChunkedVocabulary(vectorizer)  # refuses phrases and stems before the first read

    def report(stage, epoch, n):
        if callback is not None:
            callback({"stage": stage, "epoch": epoch, "n_docs": n})

    with tempfile.TemporaryDirectory(prefix="topicnmf-stream-", dir=work_dir) as folder:
        spill = _Spill(Path(folder), keep_ids=doc_topics_path is not None)
        with spill:
            for chunk in chunks:
                codes, offsets = counter.add(chunk.texts)
                spill.write(codes, offsets, chunk.ids)
                report("vocabulary", 0, counter.n_docs)
        del chunks
        columns = counter.fit()

        def matrices():
            for codes, offsets, ids in spill:
                X, stream = rows_of(vectorizer, columns, codes, offsets)
                yield X, stream, ids

        for epoch in range(epochs):
            n = 0
            for X, _, _ in _ahead(matrices()):
                nmf.partial_fit(X)
                n += X.shape[0]
                report("topics", epoch + 1, n)

        H = nmf.components_
        top = np.argsort(-H, axis=1, kind="stable")[:, :top_n]
        counts = CoherenceCounts([row.tolist() for row in top], measures=measures, owner=owner)
        sizes = np.zeros(n_topics, dtype=np.int64)
        n_docs = 0
        with _Table(doc_topics_path, n_topics) as table:
            for X, stream, ids in _ahead(matrices()):
                W = nmf.transform(X)
                counts.add_ids(stream.ids, stream.offsets)
                sizes += sizes_of(W)
                table.write(ids, W)
                n_docs += X.shape[0]
                report("weights", epochs, n_docs)
    coherence = {m: counts.scores(m, owner=owner) for m in measures}
    words = vectorizer.get_feature_names_out()
    return StreamedTopics(vectorizer, nmf, n_docs, [words[row].tolist() for row in top],
                          coherence, sizes)


_END = object()


def _ahead(items):
    """The items of `items`, the next one made in a thread while the caller works on this one.

    The numba kernels of the fit release the GIL, and so do most of numpy's and
    scipy's sparse operations: reading and building the next chunk overlaps the
    fit of this one on a second core.
    """
    from concurrent.futures import ThreadPoolExecutor

    items = iter(items)
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(next, items, _END)
        while True:
            item = future.result()
            if item is _END:
                return
            future = pool.submit(next, items, _END)
            yield item


class _Spill:
    """The corpus as word codes, written once in the first pass and read back chunk by chunk.

    Three files in `folder`: the codes (int32), each document's number of codes
    (int32) and, with `keep_ids`, the document ids (UTF-8, with their byte
    lengths). Reading them back costs far less than decoding and tokenizing the
    corpus again.
    """

    _NAMES = ("codes", "lengths", "ids", "id_lengths")

    def __init__(self, folder: Path, keep_ids: bool) -> None:
        self.paths = {name: folder / f"{name}.bin" for name in self._NAMES}
        self.keep_ids = keep_ids
        self.chunks: list[tuple[int, int, int]] = []  # (documents, codes, id bytes)
        self._files: dict = {}

    def __enter__(self) -> _Spill:
        self._files = {name: open(path, "wb") for name, path in self.paths.items()}
        return self

    def __exit__(self, *exc) -> None:
        for f in self._files.values():
            f.close()
        self._files = {}

    def write(self, codes, offsets, ids) -> None:
        import numpy as np

        files = self._files
        codes.astype(np.int32, copy=False).tofile(files["codes"])
        np.diff(offsets).astype(np.int32).tofile(files["lengths"])
        n_bytes = 0
        if self.keep_ids:
            encoded = [doc_id.encode("utf-8") for doc_id in ids]
            np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded)).tofile(files["id_lengths"])
            blob = b"".join(encoded)
            files["ids"].write(blob)
            n_bytes = len(blob)
        self.chunks.append((len(offsets) - 1, codes.size, n_bytes))

    def __iter__(self):
        import numpy as np

        with open(self.paths["codes"], "rb") as codes_file, open(self.paths["lengths"], "rb") as lengths_file, \
                open(self.paths["ids"], "rb") as ids_file, open(self.paths["id_lengths"], "rb") as id_lengths_file:
            for n_docs, n_codes, n_bytes in self.chunks:
                codes = np.fromfile(codes_file, dtype=np.int32, count=n_codes)
                offsets = np.zeros(n_docs + 1, dtype=np.int64)
                np.cumsum(np.fromfile(lengths_file, dtype=np.int32, count=n_docs), out=offsets[1:])
                ids = None
                if self.keep_ids:
                    ends = np.cumsum(np.fromfile(id_lengths_file, dtype=np.int64, count=n_docs)).tolist()
                    blob = ids_file.read(n_bytes)
                    ids = [blob[a:b].decode("utf-8") for a, b in zip([0] + ends[:-1], ends)]
                yield codes, offsets, ids


class _Table:
    """The document-topic CSV (``doc_id`` and one column per topic), written chunk by chunk.

    Each chunk is formatted and written in a thread while the next chunk's
    weights are solved; with no path, nothing is written.
    """

    def __init__(self, path, n_topics: int) -> None:
        self.path = path
        self.n_topics = n_topics

    def __enter__(self) -> _Table:
        from concurrent.futures import ThreadPoolExecutor

        self._pending = None
        if self.path is None:
            return self
        self._file = open(self.path, "w", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        self._writer.writerow(["doc_id"] + [f"topic_{t}" for t in range(self.n_topics)])
        self._pool = ThreadPoolExecutor(1)
        return self

    def write(self, ids, W) -> None:
        if self.path is None:
            return
        if self._pending is not None:
            self._pending.result()
        self._pending = self._pool.submit(self._rows, ids, W)

    def _rows(self, ids, W) -> None:
        import numpy as np

        self._writer.writerows([doc_id, *row] for doc_id, row in zip(ids, W.astype(np.float64).round(6).tolist()))

    def __exit__(self, *exc) -> None:
        if self.path is None:
            return
        try:
            if self._pending is not None and exc[0] is None:
                self._pending.result()
        finally:
            self._pool.shutdown(wait=True)
            self._file.close()
