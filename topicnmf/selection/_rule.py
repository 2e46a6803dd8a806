"""The rule that turns a sweep's signals into one recommended number of topics."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["recommend", "stable_knee"]

#: Stabilities within this of the best count as tied (about the spread of stability between runs).
STABILITY_TOLERANCE = 0.05
#: A topic-quality peak counts when its stability is within this of the best (about two spreads).
PEAK_TOLERANCE = 0.1


def _knees(table: pd.DataFrame) -> np.ndarray:
    """``gain(k)`` over the mean gain of the next two ``k`` of the table.

    ``gain(k)`` is the fall of ``||X - W H||^2`` per topic added from the previous
    ``k`` of the table up to ``k``; two following gains rather than one keep a
    single unlucky fit from making a knee. NaN for the first ``k`` and the last
    two (a table of three ``k``: the middle one, over the one gain after it).
    """
    ks = table["k"].to_numpy(dtype=float)
    sq = table["reconstruction_error"].to_numpy(dtype=float) ** 2
    gain = np.full(len(ks), np.nan)
    gain[1:] = (sq[:-1] - sq[1:]) / np.diff(ks)
    floor = 1e-12 * np.nanmax(np.abs(gain), initial=1.0)
    knees = np.full(len(ks), np.nan)
    last = len(ks) - 2 if len(ks) > 3 else len(ks) - 1  # of three k, the middle one has a knee
    for i in range(1, last):
        knees[i] = max(gain[i], 0.0) / max(float(np.mean(gain[i + 1:i + 3])), floor)
    return knees


def _quality(table: pd.DataFrame) -> np.ndarray | None:
    """Topic quality per row: the mean ``c_npmi`` mapped from [-1, 1] to [0, 1]; None without it.

    ``(1 + c_npmi) / 2``: 0.5 where the topics' words co-occur as often as by
    chance, 1 where they always co-occur. It weighs the knee rather than
    outweighing it: ``c_npmi`` itself (0.01 to 0.25 on news) changes several
    times over across a sweep, so where the knees are flat (short texts) the
    quality alone chose, and it keeps rising with ``k`` on news.

    Topic diversity is not part of it: it falls as ``k`` grows on any corpus
    whose large themes come in several forms that share words (earnings
    reports on newswire), and the knee already discounts topics that split a
    theme without lowering the error much.
    """
    if "c_npmi" not in table:
        return None
    quality = table["c_npmi"].to_numpy(dtype=float)
    return None if np.isnan(quality).all() else (1.0 + quality) / 2.0


def _quality_knee(quality: np.ndarray, knees: np.ndarray, stable: np.ndarray) -> int | None:
    """Position, among ``stable``, of the best product ``log(knee) * quality``; None if no knee.

    Only positions where the error has a knee (``knees > 1``: each topic up to ``k``
    lowered the squared error more than each of the next ones) and the quality is
    positive count.
    """
    score = np.full(len(quality), -np.inf)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (knees > 1.0) & (quality > 0)
        score[ok] = np.log(knees[ok]) * quality[ok]
    candidates = [i for i in stable if np.isfinite(score[i])]
    return max(candidates, key=lambda i: score[i]) if candidates else None


def recommend(table: pd.DataFrame) -> tuple[int, str]:
    """The recommended ``k`` of a sweep table and the reason in words.

    The rule, in three steps:

    1. **Stable.** The candidates are the ``k`` whose ``stability`` is within
       ``PEAK_TOLERANCE`` (0.1) of the best one (``STABILITY_TOLERANCE``, 0.05,
       in step 3): topics that come back when the documents are resampled
       (Greene et al. 2014), counting differences of about the run-to-run spread
       as ties. Stability alone favours too few topics: a model that merges two
       themes is as reproducible as one that separates them.
    2. **Where the error stops falling fast, weighed by the topics' quality**
       (texts only). Of the candidates, the one with the largest product of the
       knee of the reconstruction error (step 3's measure, its logarithm: 0
       where the error falls as fast after ``k`` as up to it) and the topic
       quality, the mean ``c_npmi`` of the topics (coherence: Bouma 2009;
       Röder et al. 2015) mapped to [0, 1], ``(1 + c_npmi) / 2``. Topics up to
       the number of themes separate themes and lower the error a lot; topics
       beyond it split themes or fit noise and lower it little, so the error
       has a knee there. The knee leads; the quality settles knees of about
       the same sharpness in favour of the more coherent topics. Mapped, it
       varies by a few percent over a sweep (0.5 means words that co-occur as
       by chance); ``c_npmi`` itself, 0.01 to 0.25 on news, varies several
       times over and keeps rising with ``k`` (a theme's sub-themes, such as
       football clubs, are coherent too), so where the knees are flat it alone
       made the choice.
    3. **The sharpest knee among the most stable** (when step 2 finds no knee:
       a matrix without texts). Of the ``k`` within ``STABILITY_TOLERANCE`` of
       the best stability, the one with the sharpest knee of the reconstruction
       error: the fall of ``||X - W H||^2`` per topic added up to ``k``, over the
       mean of the same fall for the next two ``k`` of the range. The first
       ``k`` and the last two have no knee (nothing is known before them, and
       one fit after them is too little to tell a knee from an unlucky fit; of
       three ``k``, the middle one is measured against the one after it); if no
       candidate has one, the most stable one is chosen.

    The held-out error is reported beside them but does not enter the rule: on
    TF-IDF matrices it is dominated by the zeros and rises from the smallest
    ``k`` on, well before the number of themes a reader would name.

    Measured on 138 sweep tables, each scored by this rule and by the one
    before it (``c_npmi`` itself as the quality); a choice within one of the
    number of classes counts:

    ==============================================  ==========  ==========
    sweeps                                           this rule   c_npmi
    ==============================================  ==========  ==========
    three public news corpora (36)                    27          21
    - AG News, 7,600 test articles, 4 classes           7           1
    - Reuters R8, 2,189 test articles, 8 classes        6           6
    - BBC News, all 2,225 articles, 5 sections          6           6
    - BBC News, 1,324 articles in month folders         8           8
    16 subsets of 20 Newsgroups, 4 to 8 groups (32)   14          18
    their news-like variants (64)                     22          25
    the sample corpus and planted corpora (6)          6           6
    ==============================================  ==========  ==========

    The news corpora are run by ``benchmarks/labelled_news.py``: the whole
    corpus, 60% of it and a copy where the largest class holds about half,
    three seeds each. The 20 Newsgroups subsets (two draws) and their
    variants come from ``benchmarks/sweep_choice.py``: posts cut to their
    first 40 words, a subject line and 40 words, one group holding half the
    posts, and 5,000 posts a subset, one draw each.

    What moved:

    - **AG News (short texts).** Every knee is flat: no topic lowers the
      error more than 1.33 times as much as the next ones. Meanwhile
      ``c_npmi`` doubles from k = 4 to 12, so ``c_npmi`` itself chose 5 to 13.
      This rule chooses 4 or 5 on the whole corpus and on 60% of it; the
      labels agree best with k = 4 (NMI 0.420, 0.409 at 5). The copies with
      one class at half still choose 9 and 10.
    - **20 Newsgroups subsets.** A sharp knee at 3 (one family of groups
      against the rest) now wins more often over a weaker knee of more
      coherent topics at the number of groups: fourteen subsets and variants
      of 5 to 8 groups moved to 3 (nine of them had been within one), while
      four of 4 groups moved to within one. On these subsets the models
      themselves separate the groups best at a ``k`` within one of their
      number in only 52 of 80 sweeps (five draws).
    - **R8.** It chooses 9 on the whole corpus and where earnings hold half,
      and 3 or 11 on 60% of it. Its topics at k = 8 are five forms of
      earnings reports, acquisitions, dividends, and one topic for crude oil,
      interest and money markets together, so no ``k`` separates its classes;
      its sharpest knee is at 9.
    - **BBC News.** It chooses exactly 5 on the whole corpus and on 60% of it.
      The copies where sport holds half choose 8, 3 and 8: sport's football,
      rugby, tennis and athletics become topics of their own.

    Left out, because they did worse on one of the groups above:

    - the knee alone;
    - the quality's peak alone;
    - the quality peak moved to a sharper knee near it;
    - products with ``knee - 1`` or with the stability;
    - a knee over the next one or three ``k`` instead of two;
    - counting only knees that stand out from the table's others (above their
      median by 2 to 4 robust spreads): 8 or 9 of 9 on AG News but 3 of 9 on R8;
    - ``c_v`` as the quality (its author no longer recommends it);
    - stability from independent starts on each sample;
    - the agreement of the documents' heaviest topics between runs;
    - the median or lowest coherence of the topics;
    - the silhouette of the documents' top topics.

    Topic diversity (Dieng, Ruiz and Blei 2020) multiplied the quality in an
    earlier rule. It held every Reuters R8 sweep at 3, since diversity falls
    as the forms of earnings reports share their words.

    Parameters
    ----------
    table : DataFrame
        :attr:`SweepResult.table` (the columns ``k``, ``stability``,
        ``reconstruction_error`` and, where measured, ``c_npmi`` and
        ``diversity`` are used).

    Returns
    -------
    best_k : int
    reason : str
    """
    table = table.sort_values("k").reset_index(drop=True)
    ks = table["k"].to_numpy()
    if len(ks) == 1:
        return int(ks[0]), f"k={int(ks[0])} is the only number of topics tried."
    stability = table["stability"].to_numpy(dtype=float)
    top = int(np.nanargmax(stability))
    knees = _knees(table)
    quality = _quality(table)
    stable = np.flatnonzero(stability >= stability[top] - PEAK_TOLERANCE)
    best = None if quality is None else _quality_knee(quality, knees, stable)
    if best is not None:
        return int(ks[best]), (
            f"The most stable k is {int(ks[top])} (stability {stability[top]:.3f}). Among the k within "
            f"{PEAK_TOLERANCE:g} of it, k = {int(ks[best])} has the best product of the knee of the "
            f"reconstruction error (each topic up to it lowered the squared error {knees[best]:.2f} times as "
            f"much as each of the next ones) and the topic quality (c_npmi {table['c_npmi'].iloc[best]:.3f})."
        )
    return stable_knee(table)


def stable_knee(table: pd.DataFrame) -> tuple[int, str]:
    """Step 3 of :func:`recommend` alone: the sharpest knee of the error among the most stable ``k``.

    This was the whole rule before coherence entered it; ``benchmarks/sweep_choice.py``
    prints both choices side by side.
    """
    table = table.sort_values("k").reset_index(drop=True)
    ks = table["k"].to_numpy()
    stability = table["stability"].to_numpy(dtype=float)
    top = int(np.nanargmax(stability))
    knees = _knees(table)
    tied = np.flatnonzero(stability >= stability[top] - STABILITY_TOLERANCE)
    listed = ", ".join(str(int(k)) for k in ks[tied])
    start = (
        f"The most stable k is {int(ks[top])} (stability {stability[top]:.3f}); "
        f"within {STABILITY_TOLERANCE:g} of it: k = {listed}."
    )
    if np.isnan(knees[tied]).all():
        return int(ks[top]), f"{start} None of them has a knee of the reconstruction error, so the most stable one."
    best = int(tied[np.nanargmax(knees[tied])])
    return int(ks[best]), (
        f"{start} Of these, k = {int(ks[best])} is where the reconstruction error stops falling fast: "
        f"each topic up to it lowered the squared error {knees[best]:.2f} times as much as each of the next ones."
    )
