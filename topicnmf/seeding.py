"""Seeded (guided) topics: seed words that steer some topics while the rest are discovered.

The method is guided NMF (Vendrow, Haddock, Rebrova and Needell 2021): besides
``X ~= W H`` the topics ``H`` must also reconstruct a seed matrix ``Y`` (one row per
seeded topic, its seed words' columns set), through a free non-negative ``B``::

    min_{W, B, H >= 0}  ||X - W H||_F^2 + lam ||Y - B H||_F^2

which is plain NMF of ``X`` with the rows ``sqrt(lam) Y`` stacked under it, so the
seeds go through the same core (solvers, stopping rule, sparse data) as any fit.
The seed rows act as heavy pseudo-documents: a topic forms around the seed words
where the documents back them, and the documents' own weights ``W`` are solved
without the seed rows. Seeds that the documents do not support get a topic of their
own that no document takes, rather than a topic pulled away from the data.

J. Vendrow, J. Haddock, E. Rebrova and D. Needell, "On a guided nonnegative matrix
factorization", ICASSP 2021, 3265-3269. https://arxiv.org/abs/2010.11365
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np
import scipy.sparse as sp

from topicnmf._validation import parameter_error
from topicnmf.errors import InputError

__all__ = ["check_seed_topics", "guided_fit", "read_seed_topics", "seed_matrix"]

_LINE = re.compile(r"\s*([^:#]+?)\s*:\s*(.*?)\s*\Z")


def check_seed_topics(seed_topics: Any, n_topics: int, owner: str = "TopicModel") -> dict[str, list[str]]:
    """Seed topics as a dict of name to a list of words, checked.

    Names must be non-empty str, each with at least one word, and there may not be
    more seeded topics than ``n_topics`` (more topics than seeds are allowed).
    """
    expected = "None or a dict of topic name to a list of seed words"
    if not isinstance(seed_topics, Mapping) or not seed_topics:
        raise parameter_error("seed_topics", owner, expected, seed_topics)
    seeds = {}
    for name, words in seed_topics.items():
        if isinstance(words, str):
            words = words.split()
        if (not isinstance(name, str) or not name.strip() or isinstance(words, bytes)
                or not hasattr(words, "__iter__")):
            raise parameter_error("seed_topics", owner, expected, seed_topics)
        words = list(words)
        if not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise InputError(
                f"The 'seed_topics' parameter of {owner} must give each topic at least one non-empty "
                f"seed word. Got {name!r}: {words!r}."
            )
        seeds[name.strip()] = [w.strip() for w in words]
    if len(seeds) > n_topics:
        raise InputError(
            f"The 'seed_topics' parameter of {owner} names {len(seeds)} topics, more than "
            f"n_topics={n_topics}; ask for at least {len(seeds)} topics."
        )
    return seeds


def read_seed_topics(path) -> dict[str, list[str]]:
    """Seed topics from a text file: one topic a line, ``name: word word word``.

    Blank lines and lines starting with ``#`` are skipped; words may also be
    separated by commas.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "seeds.txt"
    >>> _ = path.write_text("space: nasa orbit shuttle\\n# a comment\\nhockey: team, season\\n")
    >>> read_seed_topics(path)
    {'space': ['nasa', 'orbit', 'shuttle'], 'hockey': ['team', 'season']}
    """
    from pathlib import Path

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"Cannot read the seed topics file '{path}' ({error}); pass a UTF-8 text file.") from None
    seeds: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _LINE.match(line)
        words = match.group(2).replace(",", " ").split() if match else []
        if not match or not words:
            raise InputError(
                f"Line {number} of the seed topics file '{path}' is not 'name: word word ...'; "
                "write one topic a line, its name, a colon and its seed words."
            )
        name = match.group(1)
        if name in seeds:
            raise InputError(f"The seed topic {name!r} is named twice in '{path}'; give each topic one line.")
        seeds[name] = words
    if not seeds:
        raise InputError(f"The seed topics file '{path}' names no topic; write lines such as 'space: nasa orbit'.")
    return seeds


def seed_matrix(seeds: dict[str, list[str]], vectorizer, vocabulary: np.ndarray):
    """The seed rows ``Y`` (n_seeds, n_terms) and the seed words missing from the vocabulary.

    Each seed word is looked up as a vocabulary term, else through the fitted
    vectorizer (so stemmed or phrased vocabularies find it as the documents' words
    do). Each row has unit length over its words found.

    Returns
    -------
    Y : ndarray of shape (n_seeds, n_terms)
    missing : dict of str to list of str
        Per seeded topic, the words found neither way (only topics that miss some).
    """
    index = {word: i for i, word in enumerate(np.asarray(vocabulary).tolist())}
    Y = np.zeros((len(seeds), len(vocabulary)))
    missing: dict[str, list[str]] = {}
    for row, (name, words) in enumerate(seeds.items()):
        for word in words:
            column = index.get(word, index.get(word.lower()))
            if column is None:
                found = np.flatnonzero(vectorizer.transform([word]).toarray().ravel())
                if len(found):
                    Y[row, found] = 1.0
                    continue
                missing.setdefault(name, []).append(word)
            else:
                Y[row, column] = 1.0
    norms = np.linalg.norm(Y, axis=1)
    return Y / np.where(norms > 0, norms, 1.0)[:, None], missing


def guided_fit(nmf, X, Y: np.ndarray, weight: float, random_state=None, rounds: int = 3) -> np.ndarray:
    """Fit ``nmf`` to ``X`` with the seeds ``Y``; return the documents' ``W``.

    Topics ``0 .. n_seeds - 1`` are the seeded ones, in the order of ``Y``.

    Three things steer them, the data decides the rest:

    1. a seeded start (as seeded k-means, Basu, Banerjee and Mooney 2002): each
       seeded topic starts as the mean of the documents whose seed-word weight is
       largest for it, the other topics from the remaining documents;
    2. a fixed support: a seed word may weigh only in its own seeded topic, so a
       document that uses it must use that topic (multiplicative updates keep these
       entries at zero);
    3. the guided-NMF term ``lam ||Y - B H||^2`` (the seed rows stacked under ``X``),
       with ``lam = weight * ||X||_F^2 / n_topics``, which keeps the seed words among
       their topic's heaviest; when a seed word is still not among its topic's 10
       heaviest, ``lam`` grows 4 times and the fit goes on (at most ``rounds`` times).

    Parameters
    ----------
    nmf : estimator like :class:`~topicnmf.nmf.NMF`
        Its clone settings (``max_iter``, ``tol``, ``alpha_*``) are used with
        ``solver='mu'`` and the seeded start; fitted in place on the stacked matrix.
    X : sparse matrix of shape (n_docs, n_terms)
    Y : ndarray of shape (n_seeds, n_terms)
        Seed rows, as :func:`seed_matrix` gives them.
    weight : float
        Strength of the guided term (see above).
    random_state : int, RandomState or None
        Seed of the start of the unseeded topics.

    Returns
    -------
    W : ndarray of shape (n_docs, n_topics)
        The documents' weights, solved for the final topics without the seed rows.
    """
    from topicnmf.nmf import factorize

    X = sp.csr_matrix(X)
    n_docs, n_terms = X.shape
    k = nmf.get_params()["n_components"]
    p = len(Y)
    dtype = X.dtype
    support = Y > 0
    allowed = np.ones((k, n_terms), dtype=bool)
    allowed[:, support.any(axis=0)] = False
    allowed[:p][support] = True

    # 1. the seeded start
    evidence = np.asarray(X @ Y.T)
    owner = np.where(evidence.max(axis=1) > 0, evidence.argmax(axis=1), -1)
    H0 = np.zeros((k, n_terms))
    for i in range(p):
        rows = owner == i
        H0[i] = np.asarray(X[rows].mean(axis=0)).ravel() if rows.any() else Y[i]
    if k > p:
        rest = np.flatnonzero(owner < 0)
        if len(rest) < k - p:
            rest = np.arange(n_docs)
        Xr = X[rest][:, ~support.any(axis=0)]
        Xr = Xr[np.asarray(Xr.sum(axis=1)).ravel() > 0]
        if Xr.shape[0] >= k - p and Xr.shape[1] >= k - p:
            _, Hr, _ = factorize(Xr, k - p, init="nndsvda", max_iter=10, tol=0.0, random_state=random_state)
            H0[p:, ~support.any(axis=0)] = Hr
    floor = 1e-3 * float(X.sum()) / (n_docs * n_terms)
    H0 = np.where(allowed, np.maximum(H0, floor), 0.0)

    # 2 and 3: multiplicative updates (the masked entries stay 0) on the stacked matrix;
    # while a seed word is not among its topic's top 10, the guided term is made 4 times
    # stronger and the fit continues from where it stopped (at most ``rounds`` times).
    sq = float(X.multiply(X).sum())
    W0, _, _ = factorize(X, k, H=H0.astype(dtype), update_H=False)
    W_docs, H = W0 + floor, H0
    B = None
    nmf.set_params(solver="mu", init="custom")
    for round_ in range(rounds + 1):
        lam = weight * 4.0**round_ * sq / k
        stacked = sp.vstack([X, sp.csr_matrix(np.sqrt(lam) * Y)]).tocsr().astype(dtype)
        if B is None:
            B = np.zeros((p, k))
            B[np.arange(p), np.arange(p)] = np.linalg.norm(Y, axis=1) / np.maximum((H0[:p] * Y).sum(axis=1), floor)
        W_all = nmf.fit_transform(stacked, W=np.vstack([W_docs, np.sqrt(lam) * B + floor]).astype(dtype),
                                  H=np.asarray(H, dtype=dtype))
        W_docs, B, H = W_all[:n_docs], W_all[n_docs:] / np.sqrt(lam), nmf.components_
        if _seeds_on_top(H[:p], support, 10):
            break
    return np.ascontiguousarray(W_docs)


def _seeds_on_top(H: np.ndarray, support: np.ndarray, n: int) -> bool:
    """Whether every seed word of each seeded topic is among its ``n`` heaviest terms."""
    for h, words in zip(H, support):
        cut = np.partition(h, -n)[-n] if h.size > n else -np.inf
        if (h[words] < cut).any() or (h[words] <= 0).any():
            return False
    return True
