"""Topic coherence and topic diversity; each document's top topic and the topic sizes.

Coherence follows the four stages of Röder, Both and Hinneburg (2015),
"Exploring the space of topic coherence measures": segmentation of each topic
into word pairs, probabilities from counts of (co-)occurring words, a
confirmation measure per pair and the mean over the pairs. The numbers are
those of gensim 4.4's ``CoherenceModel`` on the same tokenised texts.

The work is split in two:

1. Counting (:class:`CoherenceCounts`). The texts, as token lists or as streams
   of term ids, are encoded as topic-word ids (``-1`` for every other token,
   which still takes its place) and a compiled kernel counts, for the topic
   words only, how many windows (or documents) hold each word and each pair of
   words of a common topic. Counts of chunks add up, so a corpus can be counted
   piece by piece; memory grows with the number of topic words only.
2. Scoring. :data:`MEASURES` maps each measure's name to a pure function of one
   topic's counts.

``topicnmf.coherence`` is :func:`coherence`; this module imports numpy alone.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Sequence
from itertools import chain, repeat

import numpy as np

from topicnmf._validation import check_int, check_one_of, parameter_error
from topicnmf.errors import InputError

from ._counts import WindowCounts
from ._scores import EPSILON, MEASURES, WINDOW_SIZES, c_npmi, c_uci, c_v, u_mass
from ._topics import top_topics, topic_sizes

__all__ = [
    "EPSILON",
    "MEASURES",
    "WINDOW_SIZES",
    "CoherenceCounts",
    "c_npmi",
    "c_uci",
    "c_v",
    "coherence",
    "coherence_from_ids",
    "topic_diversity",
    "top_topics",
    "topic_sizes",
    "u_mass",
]


def _show(words: list) -> str:
    """Words for a message, str subclasses (numpy's str_) shown as plain str."""
    return ", ".join(repr(str(word)) if isinstance(word, str) else repr(word) for word in words)


def _as_topics(topics, owner: str) -> list[list]:
    if isinstance(topics, str) or not isinstance(topics, Iterable):
        raise InputError(f"The 'topics' parameter of {owner} must be a list of word lists. Got {topics!r}.")
    result = []
    for topic in topics:
        if isinstance(topic, str):
            raise InputError(
                f"The 'topics' parameter of {owner} must be a list of word lists; "
                f"a topic is a str: {topic!r}. Pass [[word, word, ...], ...]."
            )
        result.append(list(topic))
    return result


def _optional_count(value, name: str, owner: str) -> int | None:
    """None, or a positive int."""
    if value is None:
        return None
    try:
        return check_int(value, name, owner)
    except InputError:
        raise parameter_error(name, owner, "a positive int or None", value) from None


class CoherenceCounts:
    """Window counts of the topics' words, added chunk by chunk, scored by any measure.

    The counting behind :func:`coherence`, for texts that come in pieces (a
    corpus streamed from disk) or as term ids. Each measure's window (see
    :data:`WINDOW_SIZES`) is counted once, whatever the number of measures.

    Parameters
    ----------
    topics : sequence of sequences of hashable
        Each topic's words, best word first: str to count token lists, int term
        ids to count id streams.
    measures : sequence of str, default=("c_npmi",)
        The measures that will be scored.
    window_size : int or None, default=None
        Sliding-window size for the window measures; ``None`` takes each
        measure's default. ``"u_mass"`` counts documents and ignores it.
    top_n : int or None, default=None
        Score only the first ``top_n`` words of each topic.

    Examples
    --------
    >>> counts = CoherenceCounts([["sun", "star"], ["oven", "bread"]], measures=["c_npmi", "u_mass"])
    >>> counts = counts.add_texts([["sun", "star", "moon"], ["oven", "bread"]]).add_texts([["sun", "oven"]])
    >>> counts.scores("u_mass").round(3)
    array([-0.693, -0.693])
    """

    def __init__(self, topics, *, measures: Sequence[str] = ("c_npmi",), window_size=None, top_n=None,
                 owner: str = "CoherenceCounts"):
        if isinstance(measures, str):
            measures = (measures,)
        for measure in measures:
            check_one_of(measure, "measure", owner, MEASURES)
        window_size = _optional_count(window_size, "window_size", owner)
        top_n = _optional_count(top_n, "top_n", owner)
        words: list[Hashable] = []
        index: dict[Hashable, int] = {}
        self.topics_ids: list[np.ndarray] = []
        repeated = set()
        for topic in _as_topics(topics, owner):
            ids = []
            for word in topic if top_n is None else topic[:top_n]:
                i = index.setdefault(word, len(words))
                if i == len(words):
                    words.append(word)
                if i in ids:
                    repeated.add(word)
                else:
                    ids.append(i)
            self.topics_ids.append(np.asarray(ids, dtype=np.int64))
        if repeated:
            warnings.warn(
                f"Topics passed to {owner} repeat words ({_show(sorted(repeated, key=str))}); "
                "each word counts once, at its first place.",
                UserWarning,
                stacklevel=3,
            )
        self.words = words
        self.windows = {
            m: (WINDOW_SIZES[m] if window_size is None or WINDOW_SIZES[m] is None else window_size) or 0
            for m in measures
        }
        self._counts = {w: WindowCounts(words, self.topics_ids, w) for w in set(self.windows.values())}

    def add_texts(self, texts) -> "CoherenceCounts":
        """Add tokenised texts (a sequence of token sequences)."""
        if isinstance(texts, str):
            raise InputError(f"The 'texts' parameter of coherence must be a list of token lists. Got {texts!r}.")
        texts = texts if isinstance(texts, (list, tuple)) else list(texts)
        if any(map(isinstance, texts, repeat(str))):
            raise InputError(
                "The 'texts' parameter of coherence must be a list of token lists; some texts are str. "
                "Tokenize them first, e.g. [text.split() for text in texts]."
            )
        for counts in self._counts.values():
            counts.add_texts(texts)
        return self

    def add_ids(self, token_ids, offsets) -> "CoherenceCounts":
        """Add texts given as term ids: ``token_ids[offsets[d]:offsets[d + 1]]`` is document ``d``.

        Tokens outside the vocabulary are ``-1``; the topic words must be term ids.
        """
        for counts in self._counts.values():
            counts.add_ids(token_ids, offsets)
        return self

    def scores(self, measure: str, *, owner: str = "coherence") -> np.ndarray:
        """Per-topic scores of ``measure`` (one of the measures given) on the counts so far.

        Returns
        -------
        scores : ndarray of shape (n_topics,)
            NaN for a topic left with fewer than two words that occur.
        """
        check_one_of(measure, "measure", owner, self.windows)
        counts = self._counts[self.windows[measure]]
        unseen = [word for word, n in zip(self.words, counts.occurrences) if n == 0]
        if unseen:
            warnings.warn(
                f"{len(unseen)} topic words never occur in the texts passed to {owner} and are left out "
                f"of their topics: {_show(unseen[:20])}{', ...' if len(unseen) > 20 else ''}.",
                UserWarning,
                stacklevel=2,
            )
        score = MEASURES[measure]
        result = np.full(len(self.topics_ids), np.nan)
        for t, ids in enumerate(self.topics_ids):
            ids = ids[counts.occurrences[ids] > 0]
            if len(ids) >= 2:
                result[t] = score(counts.occurrences[ids], counts.co_occurrences(ids), counts.n_windows)
        return result


def _window_option(measure: str, window_size, owner: str):
    check_one_of(measure, "measure", owner, MEASURES)
    window_size = _optional_count(window_size, "window_size", owner)
    if window_size is not None and WINDOW_SIZES[measure] is None:
        warnings.warn(
            f"window_size={window_size} is ignored: {measure} counts documents, not windows.",
            UserWarning,
            stacklevel=3,
        )
    return window_size


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
    window_size = _window_option(measure, window_size, "coherence")
    counts = CoherenceCounts(topics, measures=[measure], window_size=window_size, top_n=top_n, owner="coherence")
    return counts.add_texts(texts).scores(measure)


def coherence_from_ids(
    topics: Sequence[Sequence[int]],
    token_ids,
    offsets,
    measure: str = "c_npmi",
    *,
    window_size: int | None = None,
    top_n: int | None = None,
) -> np.ndarray:
    """:func:`coherence` on texts given as term ids, with topics as term ids.

    The same numbers as :func:`coherence` on the decoded texts, without
    building a single token string.

    Parameters
    ----------
    topics : sequence of sequences of int
        Each topic's term ids, best first.
    token_ids : ndarray of int of shape (n_tokens,)
        Every token of every text as a term id; ``-1`` for a token outside the
        vocabulary (it keeps its place).
    offsets : ndarray of int of shape (n_docs + 1,)
        Document ``d`` is ``token_ids[offsets[d]:offsets[d + 1]]``.
    measure, window_size, top_n
        As in :func:`coherence`.

    Returns
    -------
    scores : ndarray of shape (n_topics,), dtype float64

    Examples
    --------
    >>> import numpy as np
    >>> # sun moon star | sun star | bread oven | oven bread flour, "flour" out of the vocabulary
    >>> ids = np.array([0, 1, 2, 0, 2, 3, 4, 4, 3, -1])
    >>> offsets = np.array([0, 3, 5, 7, 10])
    >>> coherence_from_ids([[0, 2, 1], [4, 3, 0]], ids, offsets, "c_npmi").round(3)
    array([ 0.667, -0.3  ])
    """
    window_size = _window_option(measure, window_size, "coherence_from_ids")
    counts = CoherenceCounts(
        topics, measures=[measure], window_size=window_size, top_n=top_n, owner="coherence_from_ids"
    )
    return counts.add_ids(token_ids, offsets).scores(measure, owner="coherence_from_ids")


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
    top_n = _optional_count(top_n, "top_n", "topic_diversity")
    topics = _as_topics(topics, "topic_diversity")
    taken = [topic[:top_n] if top_n is not None else topic for topic in topics]
    n_taken = sum(map(len, taken))
    if n_taken == 0:
        raise InputError("The 'topics' parameter of topic_diversity holds no words. Pass at least one topic word.")
    return len(set(chain.from_iterable(taken))) / n_taken
