"""Window counts of topic words, accumulated over any number of chunks of texts.

:class:`WindowCounts` holds, for fixed topics and one window size, the number of
windows (or documents), how many of them hold each topic word and how many hold
each pair of words of a common topic. Chunks of texts are added one after the
other, as token lists (:meth:`WindowCounts.add_texts`) or as streams of term ids
(:meth:`WindowCounts.add_ids`), so a corpus never needs to be in memory at once
and counts of chunks add up to the counts of the whole. Memory grows with the
number of topic words, not with the vocabulary or the documents.
"""

from __future__ import annotations

from collections.abc import Hashable
from itertools import chain, repeat

import numpy as np

from ._kernels import compiled, count_windows, encode_buffer

# Texts are encoded in chunks of about this many tokens, which bounds the
# temporary memory of the encoding whatever the size of the corpus.
_CHUNK_TOKENS = 1 << 15

# Separators of the joined text buffer: between the tokens of a document and
# between documents. Tokens that contain them take the slower dictionary path.
_TOKEN_SEP = "\x00"
_DOC_SEP = "\x01"


def _off_diagonal(matrix: np.ndarray) -> np.ndarray:
    """The entries ``(i, j)``, ``i != j``, row by row."""
    return matrix[~np.eye(matrix.shape[0], dtype=bool)]


def _word_table(words: list, codec: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The topic words that are str, encoded with ``codec``: bytes, offsets and their ids."""
    encoded, word_ids = [], []
    for i, word in enumerate(words):
        if isinstance(word, str):
            try:
                encoded.append(word.encode(codec, "surrogatepass"))
            except UnicodeEncodeError:  # a word that cannot occur in texts of this codec
                continue
            word_ids.append(i)
    word_offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=word_offsets[1:])
    word_buf = np.frombuffer(b"".join(encoded) or b"\x00", dtype=np.uint8)
    return word_buf, word_offsets, np.asarray(word_ids, dtype=np.int64)


class WindowCounts:
    """Counts of topic words and of their pairs in sliding windows, added chunk by chunk.

    Parameters
    ----------
    words : list of hashable
        The distinct topic words (str for :meth:`add_texts`, int term ids for
        :meth:`add_ids`); a topic word's place in this list is its id.
    topics_ids : list of ndarray of int
        Each topic's words as places in ``words``.
    window : int
        Window size in tokens; 0 counts whole documents.
    """

    def __init__(self, words: list[Hashable], topics_ids: list[np.ndarray], window: int):
        self.words = words
        self.window = int(window)
        n_words = len(words)
        keys = [np.empty(0, dtype=np.int64)]
        for ids in topics_ids:
            if len(ids) > 1:
                keys.append(_off_diagonal(ids[:, None] * n_words + ids[None, :]))
        #: sorted keys ``a * n_words + b`` of the ordered pairs ``a != b`` of a common topic
        self.keys = np.unique(np.concatenate(keys))
        sources = self.keys // max(n_words, 1)
        self._neighbors = self.keys % max(n_words, 1)
        self._indptr = np.zeros(n_words + 1, dtype=np.int64)
        np.cumsum(np.bincount(sources, minlength=n_words), out=self._indptr[1:])
        self.n_windows = 0
        self.occurrences = np.zeros(n_words, dtype=np.int64)
        self.pair_counts = np.zeros(len(self.keys), dtype=np.int64)
        self._tables: dict = {}
        self._remap: np.ndarray | None = None

    def _add(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        self.n_windows += compiled(count_windows)(
            ids, lengths, self.window, self._indptr, self._neighbors, self.occurrences, self.pair_counts
        )

    def add_texts(self, texts: list) -> "WindowCounts":
        """Count tokenised texts (a list of token lists), in chunks of bounded memory."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        ends = np.cumsum(lengths)
        start = 0
        while start < len(texts):
            base = ends[start - 1] if start else 0
            stop = max(int(np.searchsorted(ends, base + _CHUNK_TOKENS, side="right")), start + 1)
            self._add(self._encode(texts[start:stop], lengths[start:stop]), lengths[start:stop])
            start = stop
        return self

    def add_ids(self, token_ids: np.ndarray, offsets: np.ndarray) -> "WindowCounts":
        """Count texts given as term ids (``-1`` for a token outside the vocabulary).

        ``offsets`` (length ``n_docs + 1``) cuts ``token_ids`` into documents; the
        topic words are term ids.
        """
        token_ids = np.asarray(token_ids)
        offsets = np.asarray(offsets, dtype=np.int64)
        top = int(token_ids.max(initial=-1))
        if self._remap is None or len(self._remap) < top + 2:
            size = max(top, max((int(w) for w in self.words), default=-1)) + 2
            remap = np.full(size, -1, dtype=np.int32)  # remap[-1] (the last entry) stays -1
            remap[np.asarray(self.words, dtype=np.int64)] = np.arange(len(self.words), dtype=np.int32)
            self._remap = remap
        self._add(self._remap[token_ids], np.diff(offsets))
        return self

    def _encode(self, texts: list, lengths: np.ndarray) -> np.ndarray:
        """Topic-word ids of all tokens of ``texts`` (``-1`` for the other tokens).

        Str tokens go through one joined buffer and the compiled kernel; texts
        with other tokens, or with tokens that hold a separator, are looked up
        token by token.
        """
        ids = np.empty(int(lengths.sum()), dtype=np.int32)
        try:
            joined = _DOC_SEP.join(chain(map(_TOKEN_SEP.join, texts), ("",)))
        except TypeError:  # some token is not a str
            raw = None
        else:
            try:  # a plain copy for texts in ASCII or Latin-1, the usual case
                codec, raw = "latin-1", joined.encode("latin-1")
            except UnicodeEncodeError:
                codec, raw = "utf-8", joined.encode("utf-8", "surrogatepass")
            del joined
        if raw is not None:
            if codec not in self._tables:
                self._tables[codec] = _word_table(self.words, codec)
            buf = np.frombuffer(raw, dtype=np.uint8)
            if compiled(encode_buffer)(buf, lengths, *self._tables[codec], ids):
                return ids
        index = {word: i for i, word in enumerate(self.words)}
        ids[:] = np.fromiter(map(index.get, chain.from_iterable(texts), repeat(-1)), dtype=np.int32, count=len(ids))
        return ids

    def co_occurrences(self, ids: np.ndarray) -> np.ndarray:
        """The symmetric matrix of co-occurrence counts of the topic words ``ids``.

        The diagonal holds each word's occurrences.
        """
        n_words = len(self.words)
        slots = np.searchsorted(self.keys, ids[:, None] * n_words + ids[None, :])
        both = self.pair_counts[np.minimum(slots, len(self.keys) - 1)]  # ids of >= 2 words have pairs
        matrix = both + both.T
        np.fill_diagonal(matrix, self.occurrences[ids])
        return matrix
