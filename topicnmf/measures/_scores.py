"""The coherence measures: pure functions of one topic's counts.

Each measure maps ``(occurrences, co_occurrences, n_windows)`` to one float;
:data:`MEASURES` is the registry and :data:`WINDOW_SIZES` says what each one counts.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

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
