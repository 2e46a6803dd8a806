"""Compiled counting kernels (numba, compiled on first use and cached on disk).

Importing this module imports neither numba nor compiles anything: :func:`compiled`
compiles a kernel the first time it is asked for.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

_HASH_MULTIPLIER = 0x9E3779B97F4A7C15


def encode_buffer(buf, lengths, word_buf, word_offsets, word_ids, ids):  # pragma: no cover - compiled
    """Topic-word ids of the tokens in a joined buffer.

    ``buf`` holds the documents' tokens, tokens separated by byte 0, each
    document followed by byte 1; ``lengths`` gives the number of tokens of
    each document. Fills ``ids`` (one entry a token, ``-1`` for tokens that
    are not topic words) and returns False where the buffer does not have the
    layout ``lengths`` says (a token holds a separator byte), True otherwise.
    The topic words
    (``word_buf`` cut at ``word_offsets``, ids ``word_ids``) go into an
    open-addressing hash table that keeps each word's full hash, so that most
    other tokens are turned down without comparing bytes.
    """
    n_table_words = word_ids.shape[0]
    size = 1024
    while size < 8 * n_table_words:
        size *= 2
    shift = np.uint64(64)
    while (np.uint64(1) << (np.uint64(64) - shift)) < np.uint64(size):
        shift -= np.uint64(1)
    imask = size - 1
    multiplier = np.uint64(_HASH_MULTIPLIER)
    seven = np.uint64(7)
    fifty_seven = np.uint64(57)
    table = np.full(size, -1, np.int64)
    table_hash = np.zeros(size, np.uint64)
    for k in range(n_table_words):
        h = np.uint64(0)
        for p in range(word_offsets[k], word_offsets[k + 1]):
            h = ((h << seven) | (h >> fifty_seven)) ^ np.uint64(word_buf[p])
        h = (h ^ np.uint64(word_offsets[k + 1] - word_offsets[k])) * multiplier
        slot = np.int64(h >> shift)
        while table[slot] != -1:
            slot = (slot + 1) & imask
        table[slot] = k
        table_hash[slot] = h

    n_bytes = buf.shape[0]
    pos = 0
    token = 0
    for d in range(lengths.shape[0]):
        # Every document ends with byte 1, so a scan that starts inside the
        # buffer stops inside it; only a document's start needs a bounds check.
        if pos >= n_bytes:
            return False
        for j in range(lengths[d]):
            if j > 0:
                if buf[pos] != 0:
                    return False
                pos += 1
            start = pos
            h = np.uint64(0)
            byte = buf[pos]
            while byte > 1:
                h = ((h << seven) | (h >> fifty_seven)) ^ np.uint64(byte)
                pos += 1
                byte = buf[pos]
            length = pos - start
            h = (h ^ np.uint64(length)) * multiplier
            found = -1
            slot = np.int64(h >> shift)
            while table[slot] != -1:
                if table_hash[slot] == h:
                    k = table[slot]
                    first = word_offsets[k]
                    if word_offsets[k + 1] - first == length:
                        same = True
                        for q in range(length):
                            if buf[start + q] != word_buf[first + q]:
                                same = False
                                break
                        if same:
                            found = word_ids[k]
                            break
                slot = (slot + 1) & imask
            ids[token] = found
            token += 1
        if buf[pos] != 1:
            return False
        pos += 1
    return pos == n_bytes


def count_windows(ids, lengths, window, indptr, neighbors, occurrences, pair_counts):  # pragma: no cover - compiled
    """Add the window counts of some documents to ``occurrences`` and ``pair_counts``.

    ``ids`` holds the documents' tokens as topic-word ids (``-1`` elsewhere),
    ``lengths`` the number of tokens of each document. A document of ``L``
    tokens has ``L - window + 1`` windows, or one window (its whole text, even
    an empty one) where ``L <= window`` or ``window <= 0``. The set of words of a
    window is updated as gensim's ``WordOccurrenceAccumulator`` does: when the
    window slides, the word that leaves is dropped even where another copy of
    it is still inside, then the word that enters is added.

    Each word is in the set over runs of consecutive windows; a run's length
    goes to ``occurrences`` and, when a word leaves, the overlap of its run
    with the run of each word of a common topic still in the set goes to
    ``pair_counts[s]``, ``s`` the slot of the pair in the CSR layout
    ``(indptr, neighbors)``. Returns the number of windows.
    """
    n_words = occurrences.shape[0]
    in_set = np.zeros(n_words, np.bool_)
    entered = np.zeros(n_words, np.int64)
    active = np.empty(n_words, np.int64)
    where = np.empty(n_words, np.int64)
    n_active = 0
    n_windows = 0
    start = 0
    for d in range(lengths.shape[0]):
        length = lengths[d]
        if window <= 0 or length <= window:
            n_steps = 1
            first = length
        else:
            n_steps = length - window + 1
            first = window
        n_windows += n_steps
        for i in range(first):
            x = ids[start + i]
            if x >= 0 and not in_set[x]:
                in_set[x] = True
                entered[x] = 0
                where[x] = n_active
                active[n_active] = x
                n_active += 1
        t = 1
        while True:
            if t < n_steps:
                x = ids[start + t - 1]
                if x >= 0 and not in_set[x]:
                    x = -1
            elif n_active > 0:
                x = active[n_active - 1]
            else:
                break
            if x >= 0:
                since = entered[x]
                occurrences[x] += t - since
                for s in range(indptr[x], indptr[x + 1]):
                    y = neighbors[s]
                    if in_set[y]:
                        pair_counts[s] += t - max(since, entered[y])
                in_set[x] = False
                last = active[n_active - 1]
                active[where[x]] = last
                where[last] = where[x]
                n_active -= 1
            if t < n_steps:
                y = ids[start + t + window - 1]
                if y >= 0 and not in_set[y]:
                    in_set[y] = True
                    entered[y] = t
                    where[y] = n_active
                    active[n_active] = y
                    n_active += 1
                t += 1
        start += length
    return n_windows


_COMPILED: dict[str, Callable] = {}


def compiled(func: Callable) -> Callable:
    """``func`` compiled by numba on first use (cached on disk), so importing compiles nothing."""
    kernel = _COMPILED.get(func.__name__)
    if kernel is None:
        import numba

        kernel = _COMPILED[func.__name__] = numba.njit(cache=True, nogil=True)(func)
    return kernel
