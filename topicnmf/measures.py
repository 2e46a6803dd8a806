"""Topic coherence and topic diversity.

Coherence follows the four stages of Röder, Both and Hinneburg (2015),
"Exploring the space of topic coherence measures": segmentation of each topic
into word pairs, probabilities from counts of (co-)occurring words, a
confirmation measure per pair and the mean over the pairs. The numbers are
those of gensim 4.4's ``CoherenceModel`` on the same tokenised texts.

The work is split in two:

1. Counting. The texts are encoded once as arrays of topic-word ids (``-1`` for
   every other token, which still takes its place) and a compiled kernel counts,
   for the topic words only, how many windows (or documents) hold each word and
   each pair of words of a common topic. Memory grows with the number of topic
   words, not with the vocabulary or the documents.
2. Scoring. :data:`MEASURES` maps each measure's name to a pure function of one
   topic's counts.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from itertools import chain, repeat
from typing import Callable

import numpy as np

__all__ = ["EPSILON", "MEASURES", "WINDOW_SIZES", "coherence", "topic_diversity"]

#: Added to the joint probability inside the logarithms, as gensim does.
EPSILON = 1e-12

#: Default sliding-window size of each measure; ``None`` counts whole documents.
WINDOW_SIZES: dict[str, int | None] = {"c_npmi": 10, "c_uci": 10, "c_v": 110, "u_mass": None}

# Texts are encoded in chunks of about this many tokens, which bounds the
# temporary memory of the encoding whatever the size of the corpus.
_CHUNK_TOKENS = 1 << 15

# Separators of the joined text buffer: between the tokens of a document and
# between documents. Tokens that contain them take the slower dictionary path.
_TOKEN_SEP = "\x00"
_DOC_SEP = "\x01"


# -- scoring: one pure function per measure -------------------------------------------------


def _log_ratio(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> np.ndarray:
    """PMI of every pair: ``log((P(a, b) + eps) / (P(a) P(b)))``."""
    p = occurrences / n_windows
    joint = co_occurrences / n_windows + EPSILON
    return np.log(joint / (p[:, None] * p[None, :]))


def _normalized_log_ratio(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> np.ndarray:
    """NPMI of every pair: the PMI over ``-log(P(a, b) + eps)``."""
    pmi = _log_ratio(occurrences, co_occurrences, n_windows)
    return pmi / -np.log(co_occurrences / n_windows + EPSILON)


def _off_diagonal(matrix: np.ndarray) -> np.ndarray:
    """The entries ``(i, j)``, ``i != j``, row by row."""
    return matrix[~np.eye(matrix.shape[0], dtype=bool)]


def u_mass(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> float:
    """UMass coherence of one topic from document counts.

    The mean over the pairs of a word and a higher-ranked word ``w*`` of
    ``log((D(w, w*) / D + eps) / (D(w*) / D))``.

    Parameters
    ----------
    occurrences : ndarray of shape (n_words,)
        Documents that hold each topic word, best word first.
    co_occurrences : ndarray of shape (n_words, n_words)
        Documents that hold both words; the diagonal equals ``occurrences``.
    n_windows : int
        Number of documents ``D``.

    Returns
    -------
    score : float
    """
    below = np.tril_indices(len(occurrences), k=-1)
    n = float(n_windows)
    conditional = (co_occurrences[below] / n + EPSILON) / (occurrences[below[1]] / n)
    return float(np.mean(np.log(conditional)))


def c_uci(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> float:
    """UCI coherence of one topic: the mean PMI over all ordered pairs of distinct places.

    Parameters
    ----------
    occurrences : ndarray of shape (n_words,)
        Windows that hold each topic word.
    co_occurrences : ndarray of shape (n_words, n_words)
        Windows that hold both words; the diagonal equals ``occurrences``.
    n_windows : int
        Number of windows.

    Returns
    -------
    score : float
    """
    return float(np.mean(_off_diagonal(_log_ratio(occurrences, co_occurrences, n_windows))))


def c_npmi(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> float:
    """NPMI coherence of one topic: the mean NPMI over all ordered pairs of distinct places.

    Parameters
    ----------
    occurrences : ndarray of shape (n_words,)
        Windows that hold each topic word.
    co_occurrences : ndarray of shape (n_words, n_words)
        Windows that hold both words; the diagonal equals ``occurrences``.
    n_windows : int
        Number of windows.

    Returns
    -------
    score : float
    """
    return float(np.mean(_off_diagonal(_normalized_log_ratio(occurrences, co_occurrences, n_windows))))


def c_v(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> float:
    """C_V coherence of one topic.

    Each word ``w`` gets the context vector ``(NPMI(w, w_j))_j`` over the
    topic's words (the diagonal included, gamma = 1); the whole topic gets the
    sum of those vectors. The score is the mean over the words of the cosine
    between the word's vector and the topic's vector.

    Parameters
    ----------
    occurrences : ndarray of shape (n_words,)
        Windows that hold each topic word.
    co_occurrences : ndarray of shape (n_words, n_words)
        Windows that hold both words; the diagonal equals ``occurrences``.
    n_windows : int
        Number of windows.

    Returns
    -------
    score : float
        NaN where a context vector is all zeros.
    """
    npmi = _normalized_log_ratio(occurrences, co_occurrences, n_windows)
    topic_vector = npmi.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        cosines = (npmi @ topic_vector) / (np.sqrt((npmi**2).sum(axis=1)) * np.sqrt(topic_vector @ topic_vector))
    return float(np.mean(cosines))


#: The coherence measures: name -> function ``(occurrences, co_occurrences, n_windows) -> float``
#: of one topic's counts. :data:`WINDOW_SIZES` says what each one counts.
MEASURES: dict[str, Callable[[np.ndarray, np.ndarray, int], float]] = {
    "c_npmi": c_npmi,
    "c_uci": c_uci,
    "c_v": c_v,
    "u_mass": u_mass,
}


# -- counting: compiled kernels ---------------------------------------------------------------

_HASH_MULTIPLIER = 0x9E3779B97F4A7C15


def _encode_buffer(buf, lengths, word_buf, word_offsets, word_ids, ids):  # pragma: no cover - compiled
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


def _count_windows(ids, lengths, window, indptr, neighbors, occurrences, pair_counts):  # pragma: no cover - compiled
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


def _compiled(func: Callable) -> Callable:
    """``func`` compiled by numba on first use (cached on disk), so importing compiles nothing."""
    kernel = _COMPILED.get(func.__name__)
    if kernel is None:
        import numba

        kernel = _COMPILED[func.__name__] = numba.njit(cache=True, nogil=True)(func)
    return kernel


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


def _encode_texts(texts: list, lengths: np.ndarray, words: list, tables: dict) -> np.ndarray:
    """Topic-word ids of all tokens of ``texts`` (``-1`` for the other tokens).

    Str tokens go through one joined buffer and the compiled kernel; texts
    with other tokens, or with tokens that hold a separator, are looked up
    token by token. ``tables`` caches the encoded topic words by codec.
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
        if codec not in tables:
            tables[codec] = _word_table(words, codec)
        buf = np.frombuffer(raw, dtype=np.uint8)
        if _compiled(_encode_buffer)(buf, lengths, *tables[codec], ids):
            return ids
    index = {word: i for i, word in enumerate(words)}
    ids[:] = np.fromiter(map(index.get, chain.from_iterable(texts), repeat(-1)), dtype=np.int32, count=len(ids))
    return ids


def _pair_layout(topics_ids: list[np.ndarray], n_words: int) -> np.ndarray:
    """Sorted keys ``a * n_words + b`` of the ordered pairs ``a != b`` of a common topic."""
    keys = [np.empty(0, dtype=np.int64)]
    for ids in topics_ids:
        if len(ids) > 1:
            grid = ids[:, None] * n_words + ids[None, :]
            keys.append(_off_diagonal(grid))
    return np.unique(np.concatenate(keys))


def _count(
    texts: list, topics_ids: list[np.ndarray], words: list, window: int | None
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """Windows (or documents), occurrences of each word and the counts of the pairs of ``_pair_layout``."""
    n_words = len(words)
    keys = _pair_layout(topics_ids, n_words)
    sources = keys // max(n_words, 1)
    neighbors = keys % max(n_words, 1)
    indptr = np.zeros(n_words + 1, dtype=np.int64)
    np.cumsum(np.bincount(sources, minlength=n_words), out=indptr[1:])
    occurrences = np.zeros(n_words, dtype=np.int64)
    pair_counts = np.zeros(len(keys), dtype=np.int64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    count_windows = _compiled(_count_windows)
    n_windows = 0
    tables: dict = {}
    ends = np.cumsum(lengths)
    start = 0
    while start < len(texts):
        base = ends[start - 1] if start else 0
        stop = max(int(np.searchsorted(ends, base + _CHUNK_TOKENS, side="right")), start + 1)
        chunk = texts[start:stop]
        ids = _encode_texts(chunk, lengths[start:stop], words, tables)
        n_windows += count_windows(
            ids, lengths[start:stop], window or 0, indptr, neighbors, occurrences, pair_counts
        )
        start = stop
    return n_windows, occurrences, pair_counts, keys


# -- the public functions ---------------------------------------------------------------------


def _check_count(value, name: str, function: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(
            f"The '{name}' parameter of {function} must be a positive int or None. Got {value!r}."
        )
    return int(value)


def _as_topics(topics, function: str) -> list[list]:
    if isinstance(topics, str):
        raise ValueError(f"The 'topics' parameter of {function} must be a list of word lists. Got {topics!r}.")
    result = []
    for topic in topics:
        if isinstance(topic, str):
            raise ValueError(
                f"The 'topics' parameter of {function} must be a list of word lists; "
                f"a topic is a str: {topic!r}. Pass [[word, word, ...], ...]."
            )
        result.append(list(topic))
    return result


def _show(words: list) -> str:
    """Words for a message, str subclasses (numpy's str_) shown as plain str."""
    return ", ".join(repr(str(word)) if isinstance(word, str) else repr(word) for word in words)


def coherence(
    topics: Sequence[Sequence[str]],
    texts: Sequence[Sequence[str]],
    measure: str = "c_npmi",
    *,
    window_size: int | None = None,
    top_n: int | None = None,
) -> np.ndarray:
    """Coherence of each topic, measured on tokenised texts.

    The numbers equal those of gensim 4.4's
    ``CoherenceModel(topics=topics, texts=texts, dictionary=Dictionary(texts),
    coherence=measure, window_size=window_size, topn=top_n).get_coherence_per_topic()``
    (to rounding, about 1e-15) wherever every topic word occurs in the texts
    and no topic repeats a word.

    Parameters
    ----------
    topics : sequence of sequences of str
        Each topic's words, best word first.
    texts : sequence of sequences of str
        The tokenised reference texts: any sequence of token sequences (lists,
        tuples, arrays of str). Every token keeps its place, also the tokens
        that are not topic words.
    measure : {"c_npmi", "c_uci", "c_v", "u_mass"}, default="c_npmi"
        ``"c_npmi"`` and ``"c_uci"``: mean NPMI (or PMI) over the pairs of a
        topic's words from sliding windows; ``"c_v"``: mean cosine between
        each word's NPMI context vector and the topic's, from sliding windows;
        ``"u_mass"``: mean log conditional probability of each word given each
        higher-ranked word, from document counts. See :data:`MEASURES`.
    window_size : int or None, default=None
        Sliding-window size in tokens; ``None`` takes the measure's default
        (110 for ``"c_v"``, 10 for ``"c_uci"`` and ``"c_npmi"``, see
        :data:`WINDOW_SIZES`). ``"u_mass"`` counts documents and ignores it
        (with a ``UserWarning``).
    top_n : int or None, default=None
        Score only the first ``top_n`` words of each topic; ``None`` scores
        them all.

    Returns
    -------
    scores : ndarray of shape (n_topics,), dtype float64
        NaN for a topic left with fewer than two words that occur in the texts.

    Warns
    -----
    UserWarning
        When topic words never occur in the texts, when a topic repeats a
        word, and when ``window_size`` is given for ``"u_mass"``.

    Notes
    -----
    Windows slide over each text one token at a time: a text of ``L >= w``
    tokens has ``L - w + 1`` windows; a shorter text, even an empty one, is one
    window. Windows without any topic word still count. As in gensim, when a
    window slides, the word that leaves it is dropped from the window's word
    set even where another copy of it is still inside (until a copy enters
    again). Probabilities are counts over the number of windows (of documents
    for ``"u_mass"``), and ``EPSILON = 1e-12`` is added to the joint
    probability inside the logarithms.

    Decisions where gensim has none or crashes:

    - A topic word that never occurs in the texts is left out of its topic
      (gensim leaves it out too, since ``Dictionary(texts)`` does not know it),
      and a ``UserWarning`` names it. A topic left with fewer than two words
      scores NaN; gensim gives NaN there too, except for ``"c_v"`` (1.0 for one
      word) and where no word of a topic occurs (it raises ``ValueError``).
    - ``top_n`` cuts each topic to its first ``top_n`` words before unseen
      words are left out, so a topic's score never reaches past its top
      ``top_n``. gensim cuts after leaving them out, and cuts no topic at all
      when the first topic is not longer than ``topn``.
    - A word repeated in a topic counts once, at its first place (gensim
      keeps the repeats and pairs such a word with itself).

    Examples
    --------
    >>> from topicnmf.measures import coherence
    >>> texts = [["sun", "moon", "star"], ["sun", "star"], ["bread", "oven"], ["oven", "bread", "flour"]]
    >>> topics = [["sun", "star", "moon"], ["oven", "sun", "flour"]]
    >>> coherence(topics, texts, "c_npmi").round(3)
    array([ 0.667, -0.458])
    >>> coherence(topics, texts, "c_v").round(3)
    array([0.958, 0.315])
    """
    if measure not in MEASURES:
        names = ", ".join(repr(name) for name in sorted(MEASURES))
        raise ValueError(f"The 'measure' parameter of coherence must be one of {names}. Got {measure!r}.")
    window_size = _check_count(window_size, "window_size", "coherence")
    top_n = _check_count(top_n, "top_n", "coherence")
    topics = _as_topics(topics, "coherence")
    if isinstance(texts, str):
        raise ValueError(f"The 'texts' parameter of coherence must be a list of token lists. Got {texts!r}.")
    texts = texts if isinstance(texts, (list, tuple)) else list(texts)
    if any(map(isinstance, texts, repeat(str))):
        raise ValueError(
            "The 'texts' parameter of coherence must be a list of token lists; some texts are str. "
            "Tokenize them first, e.g. [text.split() for text in texts]."
        )
    window = WINDOW_SIZES[measure]
    if window is None:
        if window_size is not None:
            warnings.warn(
                f"window_size={window_size} is ignored: {measure} counts documents, not windows.",
                UserWarning,
                stacklevel=2,
            )
    elif window_size is not None:
        window = window_size

    words: list[Hashable] = []
    index: dict[Hashable, int] = {}
    topics_ids = []
    repeated = set()
    for topic in topics:
        if top_n is not None:
            topic = topic[:top_n]
        ids = []
        for word in topic:
            i = index.setdefault(word, len(words))
            if i == len(words):
                words.append(word)
            if i in ids:
                repeated.add(word)
            else:
                ids.append(i)
        topics_ids.append(np.asarray(ids, dtype=np.int64))
    if repeated:
        warnings.warn(
            f"Topics passed to coherence repeat words ({_show(sorted(repeated, key=str))}); "
            "each word counts once, at its first place.",
            UserWarning,
            stacklevel=2,
        )

    n_windows, occurrences, pair_counts, keys = _count(texts, topics_ids, words, window)

    unseen = [word for word, n in zip(words, occurrences) if n == 0]
    if unseen:
        warnings.warn(
            f"{len(unseen)} topic words never occur in the texts passed to coherence and are left out "
            f"of their topics: {_show(unseen[:20])}{', ...' if len(unseen) > 20 else ''}.",
            UserWarning,
            stacklevel=2,
        )
    score = MEASURES[measure]
    n_words = len(words)
    scores = np.full(len(topics_ids), np.nan)
    for t, ids in enumerate(topics_ids):
        ids = ids[occurrences[ids] > 0]
        if len(ids) < 2:
            continue
        slots = np.searchsorted(keys, ids[:, None] * n_words + ids[None, :])
        both = pair_counts[np.minimum(slots, len(keys) - 1)]
        co_occurrences = both + both.T
        np.fill_diagonal(co_occurrences, occurrences[ids])
        scores[t] = score(occurrences[ids], co_occurrences, n_windows)
    return scores


def topic_diversity(topics: Sequence[Sequence[str]], top_n: int | None = None) -> float:
    """Share of distinct words among the topics' top words.

    Parameters
    ----------
    topics : sequence of sequences of str
        Each topic's words, best word first.
    top_n : int or None, default=None
        Number of top words taken from each topic; ``None`` takes them all.

    Returns
    -------
    diversity : float
        Distinct words over the number of words taken, ``K x N`` for ``K``
        topics of at least ``N = top_n`` words each; 1.0 when no word is in two
        topics (nor twice in one).

    Examples
    --------
    >>> from topicnmf.measures import topic_diversity
    >>> topic_diversity([["sun", "star", "moon"], ["bread", "oven", "sun"]])
    0.8333333333333334
    >>> topic_diversity([["sun", "star", "moon"], ["bread", "oven", "sun"]], top_n=2)
    1.0
    """
    top_n = _check_count(top_n, "top_n", "topic_diversity")
    topics = _as_topics(topics, "topic_diversity")
    taken = [topic[:top_n] if top_n is not None else topic for topic in topics]
    n_taken = sum(map(len, taken))
    if n_taken == 0:
        raise ValueError("The 'topics' parameter of topic_diversity holds no words. Pass at least one topic word.")
    return len(set(chain.from_iterable(taken))) / n_taken
