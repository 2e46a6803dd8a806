"""Texts to integer token streams in one pass, in parallel where it pays.

Each text is tokenized once and every token is encoded at once to an integer
code (one C-level dict lookup per token; the keep-or-drop decision is taken once
per distinct word). What comes out is compact: the distinct words, one int32
array of codes for the whole corpus and int64 document offsets. Counting,
phrases, stems and the token stream that coherence needs are numpy operations
on these arrays (see :mod:`topicnmf.preprocessing.vectorizer`).

Above :data:`PARALLEL_MIN_CHARS` characters of text the corpus is cut into one
chunk per process; the calling process encodes the first chunk while forked
workers encode the others, and the chunk vocabularies are merged in chunk
order, so codes are numbered by first occurrence exactly as in one pass.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from itertools import repeat
from typing import NamedTuple

import numpy as np

__all__ = ["TokenStream", "encode_texts", "kept_before", "PARALLEL_MIN_CHARS"]

# Below this many characters of text (a ninth of 20 Newsgroups) one process does.
# Measured: forking a worker and collecting its result costs about 0.02 s of CPU
# (0.06 s wall), encoding costs about 0.08 s of CPU per million characters, and a
# worker saves about half of that only when a second core is free.
PARALLEL_MIN_CHARS = 4_000_000


class TokenStream(NamedTuple):
    """Tokenized documents as vocabulary ids: what coherence measures read.

    Attributes
    ----------
    ids : ndarray of int32 of shape (n_tokens,)
        Every kept token of every document in text order, as its column in the
        document-term matrix, or -1 for a token outside the vocabulary (too rare
        or too common), so that sliding windows keep their width. The word of
        id ``i`` is ``get_feature_names_out()[i]``.
    offsets : ndarray of int64 of shape (n_docs + 1,)
        Document ``d`` is ``ids[offsets[d]:offsets[d + 1]]``.
    """

    ids: np.ndarray
    offsets: np.ndarray


class _Codes(dict):
    """Distinct token -> code: 0 for a dropped token or a break, else 1, 2, ... by first occurrence."""

    def __init__(self, keeps) -> None:
        super().__init__({"": 0})
        self.keeps = keeps
        self.words = [""]

    def __missing__(self, token: str) -> int:
        if self.keeps(token):
            code = len(self.words)
            self.words.append(token)
        else:
            code = 0
        self[token] = code
        return code


def kept_before(mask: np.ndarray) -> np.ndarray:
    """``out[i]``: how many of ``mask[:i]`` are True (``out`` has one entry more than `mask`).

    Indexing it with old positions gives new ones after ``x[mask]``; with
    document offsets, the new offsets.
    """
    out = np.zeros(mask.size + 1, dtype=np.int64)
    np.cumsum(mask, dtype=np.int64, out=out[1:])
    return out


def _encode(rules, texts: list[str], breaks: bool) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Encode `texts` with fresh codes; without `breaks` the 0 codes are left out."""
    codes = _Codes(rules.keeps)
    get, matches = codes.__getitem__, rules.matches
    if breaks:
        parts = [np.fromiter(map(get, tokens), np.int32, len(tokens)) for tokens in map(matches, texts, repeat(True))]
    else:
        parts = [np.fromiter(filter(None, map(get, matches(text, False))), np.int32) for text in texts]
    lengths = np.fromiter(map(len, parts), dtype=np.int64, count=len(parts))
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    return codes.words, ids, lengths


# Texts handed to forked workers without pickling (they inherit the parent's memory).
_FORKED_TEXTS: list[str] = []


def _encode_forked(rules, start: int, stop: int, breaks: bool):
    return _encode(rules, _FORKED_TEXTS[start:stop], breaks)


def n_processes(n_jobs: int | None, n_chars: int) -> int:
    """How many processes encode `n_chars` characters of text for `n_jobs`."""
    if not sys.platform.startswith("linux") or multiprocessing.current_process().daemon:
        return 1  # no fork start method (or workers may not have children)
    available = len(os.sched_getaffinity(0))
    if n_jobs is None:
        return available if n_chars >= PARALLEL_MIN_CHARS else 1
    return available if n_jobs == -1 else n_jobs


@contextmanager
def forked_pool(n_workers: int):
    """A :class:`~concurrent.futures.ProcessPoolExecutor` of ``n_workers`` forked processes.

    Forked workers inherit the caller's memory: data set in a module global before
    the first ``submit`` reaches them without being pickled. Python >= 3.12 warns
    about fork() in a process with threads (a progress bar, BLAS pools); the
    workers of this package only compute and return arrays or bytes, taking none
    of those threads' locks, so the warning is silenced inside the block.
    """
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(n_workers, mp_context=context) as pool, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks", category=DeprecationWarning)
        yield pool


def encode_texts(rules, texts: list[str], *, breaks: bool, n_jobs: int | None) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Tokenize and encode `texts`.

    Parameters
    ----------
    rules : topicnmf.preprocessing.tokenizer._Rules
        The compiled tokenizer.
    texts : list of str
        The texts.
    breaks : bool
        Keep code 0 where a dropped word or punctuation breaks a phrase.
    n_jobs : int or None
        Processes (None: all available CPUs above :data:`PARALLEL_MIN_CHARS`).

    Returns
    -------
    words : list of str
        The distinct kept words by first occurrence; ``words[0]`` is ``""``.
    codes : ndarray of int32 of shape (n_tokens,)
        Each token as its index in `words`.
    offsets : ndarray of int64 of shape (n_docs + 1,)
        Document boundaries in `codes`.
    """
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    n_proc = min(n_processes(n_jobs, int(sizes.sum())), len(texts))
    if n_proc <= 1:
        words, codes, lengths = _encode(rules, texts, breaks)
    else:
        words, codes, lengths = _encode_parallel(rules, texts, sizes, breaks, n_proc)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return words, codes, offsets


def _encode_parallel(rules, texts, sizes, breaks, n_proc):
    # chunks of about equal characters; the caller encodes the first one
    cuts = np.searchsorted(np.cumsum(sizes), sizes.sum() * np.arange(1, n_proc) / n_proc)
    bounds = np.unique(np.concatenate([[0], cuts + 1, [len(texts)]])).tolist()
    chunks = list(zip(bounds[:-1], bounds[1:]))
    if len(chunks) == 1:
        return _encode(rules, texts, breaks)
    global _FORKED_TEXTS
    _FORKED_TEXTS = texts
    try:
        with forked_pool(len(chunks) - 1) as pool:
            futures = [pool.submit(_encode_forked, rules, a, b, breaks) for a, b in chunks[1:]]
            parts = [_encode(rules, texts[chunks[0][0] : chunks[0][1]], breaks)]
            parts += [future.result() for future in futures]
    finally:
        _FORKED_TEXTS = []
    # merge the chunk vocabularies in chunk order: codes stay numbered by first occurrence
    words, codes, lengths = parts[0]
    index = dict(zip(words, range(len(words))))
    all_codes, all_lengths = [codes], [lengths]
    for chunk_words, chunk_codes, chunk_lengths in parts[1:]:
        remap = np.fromiter(
            (index.setdefault(w, len(index)) for w in chunk_words), dtype=np.int32, count=len(chunk_words)
        )
        all_codes.append(remap[chunk_codes])
        all_lengths.append(chunk_lengths)
    return list(index), np.concatenate(all_codes), np.concatenate(all_lengths)
