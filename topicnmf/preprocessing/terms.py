"""Terms from words: bigram phrases and Snowball stems, on integer token streams.

The streams come from :func:`topicnmf.preprocessing.stream.encode_texts`: a list
of distinct ``words`` (``words[0] == ""``) and one array of codes into it, with
code 0 where a dropped word or punctuation breaks a phrase. Phrases are found
and joined with numpy over the codes; stems are taken once per distinct word.
nltk is imported only here, and only when phrases or stems are asked for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from topicnmf.preprocessing.stream import kept_before

__all__ = ["find_phrases", "join_phrases", "Stems", "term_codes", "display_words"]


def _pair_ends(offsets: np.ndarray, n: int) -> np.ndarray:
    """Positions ``i`` (in ``[0, n - 1)``) where tokens ``i`` and ``i + 1`` lie in two documents."""
    ends = offsets[1:-1] - 1
    return ends[(ends >= 0) & (ends < n - 1)]


def find_phrases(
    words: Sequence[str], codes: np.ndarray, offsets: np.ndarray, min_count: int | str, threshold: float
) -> list[tuple[str, str]]:
    """Return the bigram collocations of a coded corpus, best first.

    Word and bigram counts are taken with numpy and handed to nltk's
    ``BigramCollocationFinder``, which scores the frequent pairs with pointwise
    mutual information. A pair is kept when it occurs at least `min_count` times
    ("auto": once per 100,000 tokens, at least 5) and its normalised PMI,
    ``pmi / -log2(p(a, b))`` (in [-1, 1]), is at least `threshold`. No pair
    spans a break (code 0) or two documents.
    """
    if codes.size < 2:
        return []
    from nltk.collocations import BigramCollocationFinder
    from nltk.metrics import BigramAssocMeasures
    from nltk.probability import FreqDist

    flat = codes.astype(np.int64)
    n_words = len(words)
    counts = np.bincount(flat, minlength=n_words)
    first, second = flat[:-1], flat[1:]
    valid = (first != 0) & (second != 0)
    valid[_pair_ends(offsets, flat.size)] = False
    pairs, pair_counts = np.unique(first[valid] * n_words + second[valid], return_counts=True)
    if min_count == "auto":
        min_count = max(5, round(int(counts[1:].sum()) / 100_000))
    frequent = pair_counts >= min_count
    if not frequent.any():
        return []
    pair_fd = FreqDist(
        {
            (words[c // n_words], words[c % n_words]): n
            for c, n in zip(pairs[frequent].tolist(), pair_counts[frequent].tolist())
        }
    )
    present = np.flatnonzero(counts[1:]) + 1
    word_fd = FreqDist(dict(zip((words[i] for i in present.tolist()), counts[present].tolist())))
    finder = BigramCollocationFinder(word_fd, pair_fd)
    kept = []
    for (a, b), pmi in finder.score_ngrams(BigramAssocMeasures.pmi):
        npmi = pmi / -math.log2(pair_fd[a, b] / finder.N)
        if npmi >= threshold:
            kept.append((-npmi, a, b))
    kept.sort()
    return [(a, b) for _, a, b in kept]


def join_phrases(
    words: list[str], codes: np.ndarray, offsets: np.ndarray, phrases: Sequence[tuple[str, str]]
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Join adjacent phrase pairs (left to right, no overlap) and drop the breaks.

    Each phrase ``(a, b)`` whose words both occur becomes a new word ``a_b``
    appended to `words`. In "new york city" with phrases ``new_york`` and
    ``york_city`` the first pair wins.

    Returns
    -------
    words, codes, offsets
        The extended words and the stream without code 0.
    """
    index = {w: i for i, w in enumerate(words)}
    found = [(index[a], index[b], f"{a}_{b}") for a, b in phrases if a in index and b in index]
    keep = codes != 0
    if found and codes.size > 1:
        n_words = len(words)
        keys = np.array([a * n_words + b for a, b, _ in found], dtype=np.int64)
        joined = np.arange(n_words, n_words + len(found), dtype=np.int64)
        order = np.argsort(keys)
        keys, joined = keys[order], joined[order]
        pair = codes[:-1].astype(np.int64) * n_words + codes[1:]
        slot = np.minimum(np.searchsorted(keys, pair), keys.size - 1)
        starts = keys[slot] == pair
        starts[_pair_ends(offsets, codes.size)] = False
        at = np.flatnonzero(starts)
        if at.size:
            # in a run of overlapping pairs at i, i+1, i+2, ... take i, i+2, ...
            run_start = np.maximum.accumulate(np.where(np.diff(at, prepend=-2) != 1, at, 0))
            at = at[(at - run_start) % 2 == 0]
            codes = codes.copy()
            codes[at] = joined[slot[at]]
            keep[at + 1] = False
        words = words + [w for _, _, w in found]
    return words, codes[keep], kept_before(keep)[offsets]


class Stems(dict):
    """A word -> Snowball stem dict that stems each new word once (phrases unchanged)."""

    def __init__(self) -> None:
        super().__init__()
        from nltk.stem.snowball import SnowballStemmer

        self._stem = SnowballStemmer("english").stem

    def __missing__(self, word: str) -> str:
        stem = word if "_" in word else self._stem(word)
        self[word] = stem
        return stem

    def __reduce__(self):
        return (Stems, ())


def term_codes(words: list[str], stems: Stems | None) -> tuple[list[str], np.ndarray]:
    """The term of each word (itself, or its stem) as a code; terms by first occurrence.

    Returns
    -------
    terms : list of str
        The distinct terms, in the order of the first word that gives each.
    term_of_word : ndarray of int64 of shape (len(words),)
        ``terms[term_of_word[w]]`` is the term of ``words[w]``; -1 for ``words[0]``.
    """
    if stems is None:
        return words[1:], np.arange(-1, len(words) - 1, dtype=np.int64)
    index: dict[str, int] = {}
    term_of_word = np.fromiter(
        (index.setdefault(stems[w], len(index)) for w in words[1:]), dtype=np.int64, count=len(words) - 1
    )
    return list(index), np.concatenate([[-1], term_of_word])


def display_words(
    words: list[str], word_counts: np.ndarray, stems: Stems, vocabulary: dict[str, int]
) -> dict[str, str]:
    """The most frequent word of each vocabulary stem (ties: alphabetical first), by stem."""
    best: dict[str, tuple[int, str]] = {}
    for word, count in zip(words[1:], word_counts[1:].tolist()):
        if count == 0:
            continue
        stem = stems[word]
        if stem not in vocabulary:
            continue
        current = best.get(stem)
        if current is None or count > current[0] or (count == current[0] and word < current[1]):
            best[stem] = (count, word)
    return {stem: word for stem, (_, word) in sorted(best.items())}
