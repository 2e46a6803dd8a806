"""Counting kernels: compiled (numba, on first use, cached on disk) or numpy for small inputs.

Importing this module imports neither numba nor compiles anything. :func:`compiled`
returns a kernel that runs its numpy twin (same arguments, same results, the
counts being exact integers) for inputs of at most ``SMALL_TOKENS`` tokens until
this process has counted ``SMALL_TOKENS`` tokens that way, and the numba
kernel, compiled the first time it is needed, after that or for larger inputs:
a small corpus is counted without compiling anything (compiling costs seconds),
a large one at compiled speed. The cache folder is chosen as for the NMF
kernels (``topicnmf._numba_cache``): without a writable folder the kernels are
compiled without a cache, never an error.
"""

from __future__ import annotations

from itertools import chain, repeat
from pathlib import Path
from typing import Callable

import numpy as np

#: inputs of at most this many tokens (and up to this many in all) are counted with numpy
SMALL_TOKENS = 400_000

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


def _encode_buffer_numpy(buf, lengths, word_buf, word_offsets, word_ids, ids):
    """``encode_buffer`` with bytes methods and a dict: the same ids, the same layout check."""
    table = {bytes(word_buf[word_offsets[k]:word_offsets[k + 1]]): int(word_ids[k])
             for k in range(word_ids.shape[0])}
    docs = buf.tobytes().split(b"\x01")
    if len(docs) != lengths.shape[0] + 1 or docs[-1]:
        return False
    tokens = []
    for doc, length in zip(docs, lengths.tolist()):
        parts = doc.split(b"\x00") if length else ([] if not doc else None)
        if parts is None or len(parts) != length:
            return False
        tokens.append(parts)
    ids[:] = np.fromiter(map(table.get, chain.from_iterable(tokens), repeat(-1)), dtype=ids.dtype,
                         count=ids.shape[0])
    return True


def _count_windows_numpy(ids, lengths, window, indptr, neighbors, occurrences, pair_counts):
    """``count_windows`` with numpy: the same counts (a pair's count goes to one of its slots).

    A word is in the set of window ``t`` exactly when one of its occurrences
    ``p`` lies in the window and the occurrence before the window, if any, is at
    least ``window`` before the last one in it (gensim's sliding rule, see
    ``count_windows``). So each occurrence ``p`` of a word keeps it in the set
    over the windows ``max(0, p - w + 1) .. min(p, next - w, first)``, ``next``
    being the word's next occurrence and ``first`` its first one at or after
    ``p - w + 1``; counts of words and of pairs are then those of a sparse
    windows x words incidence matrix.
    """
    import scipy.sparse as sp

    n_words = occurrences.shape[0]
    lengths = lengths.astype(np.int64)
    whole = np.ones(lengths.shape[0], dtype=bool) if window <= 0 else lengths <= window
    steps = np.where(whole, 1, lengths - window + 1)
    n_windows = int(steps.sum())
    pos = np.flatnonzero(ids >= 0)
    if pos.size == 0 or n_words == 0:
        return n_windows
    doc = np.repeat(np.arange(lengths.shape[0]), lengths)[pos]
    p = pos - (np.cumsum(lengths) - lengths)[doc]
    word = ids[pos].astype(np.int64)
    order = np.lexsort((p, word, doc))
    doc, word, p = doc[order], word[order], p[order]
    new_group = np.ones(p.shape[0], dtype=bool)
    new_group[1:] = (doc[1:] != doc[:-1]) | (word[1:] != word[:-1])
    w = max(int(window), 1)
    big = int(lengths.max()) + w + 1
    key = np.cumsum(new_group) * big + p
    first = p[np.searchsorted(key, key - (w - 1), side="left")]
    nxt = np.full(p.shape[0], np.iinfo(np.int64).max // 2)
    last_in_group = np.ones(p.shape[0], dtype=bool)
    last_in_group[:-1] = new_group[1:]
    nxt[~last_in_group] = p[1:][~last_in_group[:-1]]
    start = np.maximum(p - w + 1, 0)
    end = np.minimum(np.minimum(p, nxt - w), np.minimum(first, steps[doc] - 1))
    in_whole = whole[doc]
    start[in_whole] = 0
    end[in_whole] = np.where(new_group[in_whole], 0, -1)
    size = np.maximum(end - start + 1, 0)
    offset = (np.cumsum(steps) - steps)[doc] + start
    total = int(size.sum())
    within = np.arange(total) - np.repeat(np.cumsum(size) - size, size)
    rows = np.repeat(offset, size) + within
    cols = np.repeat(word, size)
    occurrences += np.bincount(cols, minlength=n_words)
    incidence = sp.csr_matrix((np.ones(total, dtype=np.int64), (rows, cols)),
                              shape=(n_windows, n_words))
    both = (incidence.T @ incidence).tocsr()
    sources = np.repeat(np.arange(n_words), np.diff(indptr))
    upper = sources < neighbors
    pair_counts[upper] += np.asarray(both[sources[upper], neighbors[upper]]).reshape(-1)
    return n_windows


_TWINS = {"encode_buffer": _encode_buffer_numpy, "count_windows": _count_windows_numpy}
_COUNTED = [0]  # tokens counted by the numpy twins in this process


class _Kernel:
    """A kernel that runs its numpy twin on small inputs and compiles itself for the rest."""

    def __init__(self, func: Callable):
        self.func = func
        self.twin = _TWINS.get(func.__name__)
        self.jitted = None

    def __call__(self, *args):
        n_tokens = int(np.sum(args[1]))  # both kernels take the documents' lengths second
        if (self.jitted is None and self.twin is not None and n_tokens <= SMALL_TOKENS
                and _COUNTED[0] + n_tokens <= SMALL_TOKENS):
            _COUNTED[0] += n_tokens
            return self.twin(*args)
        if self.jitted is None:
            from topicnmf._numba_cache import choose_cache

            _, cache = choose_cache(Path(__file__).resolve().parent)
            import numba

            self.jitted = numba.njit(cache=cache, nogil=True)(self.func)
        return self.jitted(*args)


_COMPILED: dict[str, _Kernel] = {}


def compiled(func: Callable) -> Callable:
    """``func`` as a kernel: its numpy twin for small inputs, else compiled by numba on first use."""
    kernel = _COMPILED.get(func.__name__)
    if kernel is None:
        kernel = _COMPILED[func.__name__] = _Kernel(func)
    return kernel
