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


def _counts_documented(summary: str, unit: str = "Windows", returns: str = ""):
    """Give a measure its numpydoc docstring: ``summary`` and the shared counts parameters."""

    def document(measure):
        measure.__doc__ = f"""{summary}

    Parameters
    ----------
    occurrences : ndarray of shape (n_words,)
        {unit} that hold each topic word, best word first.
    co_occurrences : ndarray of shape (n_words, n_words)
        {unit} that hold both words; the diagonal equals ``occurrences``.
    n_windows : int
        Number of {unit.lower()}.

    Returns
    -------
    score : float{returns}
    """
        return measure

    return document


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


@_counts_documented(
    "UMass coherence of one topic from document counts.\n\n"
    "    The mean over the pairs of a word and a higher-ranked word ``w*`` of\n"
    "    ``log((D(w, w*) / D + eps) / (D(w*) / D))``, ``D`` the number of documents.",
    unit="Documents",
)
def u_mass(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> float:
    below = np.tril_indices(len(occurrences), k=-1)
    n = float(n_windows)
    conditional = (co_occurrences[below] / n + EPSILON) / (occurrences[below[1]] / n)
    return float(np.mean(np.log(conditional)))


@_counts_documented("UCI coherence of one topic: the mean PMI over all ordered pairs of distinct places.")
def c_uci(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> float:
    return float(np.mean(_off_diagonal(_log_ratio(occurrences, co_occurrences, n_windows))))


@_counts_documented("NPMI coherence of one topic: the mean NPMI over all ordered pairs of distinct places.")
def c_npmi(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> float:
    return float(np.mean(_off_diagonal(_normalized_log_ratio(occurrences, co_occurrences, n_windows))))


@_counts_documented(
    "C_V coherence of one topic.\n\n"
    "    Each word ``w`` gets the context vector ``(NPMI(w, w_j))_j`` over the\n"
    "    topic's words (the diagonal included, gamma = 1); the whole topic gets the\n"
    "    sum of those vectors. The score is the mean over the words of the cosine\n"
    "    between the word's vector and the topic's vector.",
    returns="\n        NaN where a context vector is all zeros.",
)
def c_v(occurrences: np.ndarray, co_occurrences: np.ndarray, n_windows: int) -> float:
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
