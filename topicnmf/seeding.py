"""Seeded (guided) topics: seed words that steer some topics while the rest are discovered.

The method fixes the support instead of penalising:

1. a seeded start (seeded initialisation, as in Jagarlamudi, Daume and Udupa 2012):
   the ``nndsvda`` start of all topics is computed as for an unseeded fit; each seed
   list takes the start topic closest to it (an optimal one-to-one matching on cosine
   similarity), whose seed-word columns are set to its heaviest weight, while every
   other topic starts at zero on all seed words;
2. a held support: for the first ``n_held`` iterations (multiplicative updates, which
   keep zeros at zero) a seed word may weigh only in its own seeded topic, so the
   documents that use it gather there; then the support is released and the fit goes
   on with the model's own solver (HALS by default) until it converges;
3. a seed word that the data has then left below its topic's 10 heaviest terms is
   lifted to the 10th weight (the smallest change of ``H`` that puts it on the list),
   and the documents' weights are solved again for these topics.

No weight is tuned: where the documents back the seeds, steps 1 and 2 decide. A
penalty (the guided NMF of Vendrow et al. 2021, seed rows stacked under ``X``) was
tried first; its weight traded the documents' fit against the seed words, and a
weight 3 times larger or smaller moved the NMI against the sections by up to 0.1.

J. Jagarlamudi, H. Daume III and R. Udupa, "Incorporating lexical priors into topic
models", EACL 2012, 204-213. J. Vendrow, J. Haddock, E. Rebrova and D. Needell,
"On a guided nonnegative matrix factorization", ICASSP 2021, 3265-3269.
https://arxiv.org/abs/2010.11365
"""


from __future__ import annotations

import re
from typing import Any, Mapping

import numpy as np
import scipy.sparse as sp

from topicnmf._validation import parameter_error
from topicnmf.errors import InputError

__all__ = ["check_seed_topics", "read_seed_topics", "seed_matrix", "seeded_fit"]

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


def seeded_fit(nmf, X, Y: np.ndarray, random_state=None, n_held: int = 100):
    """Fit ``nmf`` to ``X`` with the seeds ``Y``; return the documents' ``W`` and the fitted NMF.

    Topics ``0 .. n_seeds - 1`` are the seeded ones, in the order of ``Y``. The
    method (seeded start, support held for ``n_held`` iterations then released, the
    lift of seed words left below the top 10) is described in :mod:`topicnmf.seeding`.

    Parameters
    ----------
    nmf : estimator like :class:`~topicnmf.nmf.NMF`
        Fitted in place (``init='custom'``) after the held phase, with its own solver,
        ``max_iter``, ``tol`` and ``alpha_*``.
    X : sparse matrix of shape (n_docs, n_terms)
    Y : ndarray of shape (n_seeds, n_terms)
        Seed rows, as :func:`seed_matrix` gives them.
    random_state : int, RandomState or None
        Seed of the ``nndsvda`` start.
    n_held : int, default=100
        Iterations with the seed support held before it is released.

    Returns
    -------
    W : ndarray of shape (n_docs, n_topics)
        The documents' weights, solved for the final topics.
    nmf : NMF
        The fitted estimator whose ``components_`` are the final topics: ``nmf`` itself,
        or, where seed words were lifted, a new one with the same parameters.
    """
    from topicnmf.nmf import NMF, factorize

    X = sp.csr_matrix(X)
    n_docs, n_terms = X.shape
    k = nmf.get_params()["n_components"]
    dtype = X.dtype
    H0 = _seeded_start(X, Y, k, random_state).astype(dtype)
    floor = 1e-3 * float(X.sum()) / (n_docs * n_terms)
    W0, _, _ = factorize(X, k, H=H0, update_H=False)
    W, H, _ = factorize(X, k, W=(W0 + floor).astype(dtype), H=H0, init="custom", solver="mu",
                        max_iter=n_held, tol=0.0)
    W = nmf.set_params(init="custom").fit_transform(X, W=np.asarray(W, dtype=dtype), H=np.asarray(H, dtype=dtype))
    H = np.array(nmf.components_)
    if _lift_seed_words(H[: len(Y)], Y > 0, 10):
        # the smallest change of H that puts the seed words on their topic's list
        nmf = NMF.from_components(H, n_iter=nmf.n_iter_, loss_history=nmf.loss_history_,
                                  **nmf.get_params(deep=False))
        W = nmf.transform(X)
    return np.ascontiguousarray(W), nmf


def _seeded_start(X, Y: np.ndarray, k: int, random_state) -> np.ndarray:
    """The ``nndsvda`` start ``H0`` (k, n_terms), seeded topics first (see the module)."""
    from scipy.optimize import linear_sum_assignment

    from topicnmf.nmf._init import initialize
    from topicnmf.nmf._operator import as_operator

    rng = random_state if isinstance(random_state, np.random.RandomState) else np.random.RandomState(random_state)
    _, Ht = initialize(as_operator(X), k, "nndsvda", rng)
    H = np.asarray(Ht.T, dtype=float)
    unit = H / np.maximum(np.linalg.norm(H, axis=1, keepdims=True), 1e-12)
    topics, seeds = linear_sum_assignment(-(unit @ Y.T))
    seeded = np.empty(len(Y), dtype=np.intp)
    seeded[seeds] = topics
    H0 = np.vstack([H[seeded], H[np.setdiff1d(np.arange(k), seeded)]])
    support = Y > 0
    H0[:, support.any(axis=0)] = 0.0
    for i, words in enumerate(support):
        H0[i, words] = max(H0[i].max(), 1e-12)
    return H0


def _lift_seed_words(H: np.ndarray, support: np.ndarray, n: int) -> bool:
    """Raise in place each topic's seed words that are not among its ``n`` heaviest terms.

    A topic with ``s`` seed words keeps its ``n - s`` heaviest other terms; a seed word
    not above the last of them is raised just above it. Topics with ``n`` seed words or
    more are left as they are. Returns whether any weight was raised.
    """
    lifted = False
    for h, words in zip(H, support):
        free = n - int(words.sum())
        others = h[~words]
        if free <= 0 or others.size < free:
            continue
        cut = np.partition(others, -free)[-free]
        low = words & (h <= cut)
        if low.any() and cut > 0:
            h[low] = cut * (1 + 1e-4)
            lifted = True
    return lifted
