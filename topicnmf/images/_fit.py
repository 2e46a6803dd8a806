"""The factorisation behind :func:`~topicnmf.images.compress` and :func:`~topicnmf.images.parts`.

HALS (or the chosen solver of :mod:`topicnmf.nmf`) from a cheap start, NNDSVDa
on a one-pass randomized SVD, unless another start is asked for; the parameter
checks both functions share.
"""

from __future__ import annotations

import math
import time

import numpy as np

from topicnmf._validation import check_callable, check_int, check_one_of, check_random_state, check_real

__all__ = ["INITS", "check_fit_params", "factorize_image"]

INITS = (None, "random", "nndsvd", "nndsvda", "nndsvdar")


def _quick_start(X: np.ndarray, k: int, rng: np.random.RandomState):
    """NNDSVDa (Boutsidis & Gallopoulos, 2008) on a one-pass randomized SVD.

    The range of ``X`` is sampled once, with no power iterations (one product with
    ``k + 10`` random columns): on photographs, whose spectra fall fast, HALS from
    this start reaches a given PSNR sooner than from the core's ``nndsvda`` (whose
    SVD runs 4 to 7 power iterations), measured in benchmarks/images.py.
    """
    from scipy import linalg

    n, m = X.shape
    rank = min(k + 10, n, m)
    Q, _ = linalg.qr(X @ rng.standard_normal((m, rank)), mode="economic", check_finite=False)
    Ub, s, Vt = linalg.svd(Q.T @ X, full_matrices=False, check_finite=False)
    U = Q @ Ub[:, :k]
    W = np.zeros((n, k))
    H = np.zeros((k, m))
    for j in range(k):
        x, y = U[:, j], Vt[j]
        xp, yp, xn, yn = np.maximum(x, 0), np.maximum(y, 0), np.maximum(-x, 0), np.maximum(-y, 0)
        nxp, nyp, nxn, nyn = (float(np.linalg.norm(v)) for v in (xp, yp, xn, yn))
        if nxp * nyp >= nxn * nyn and nxp * nyp > 0:
            u, v, sigma = xp / nxp, yp / nyp, nxp * nyp
        elif nxn * nyn > 0:
            u, v, sigma = xn / nxn, yn / nyn, nxn * nyn
        else:
            continue
        scale = math.sqrt(s[j] * sigma)
        W[:, j] = scale * u
        H[j] = scale * v
    mean = float(X.mean())
    W[W < 1e-6] = mean
    H[H < 1e-6] = mean
    return W, H


def factorize_image(X, k, *, init, solver, tol, max_iter, random_state, callback):
    """HALS (or the chosen solver) from the start ``init``; ``(W, H, info, seconds)``."""
    from sklearn.utils import check_random_state as as_rng

    from topicnmf.nmf import factorize

    start = time.perf_counter()
    if init is None:
        W0, H0 = _quick_start(X, k, as_rng(random_state))
        W, H, info = factorize(X, k, W=W0, H=H0, init="custom", solver=solver, tol=tol,
                               max_iter=max_iter, callback=callback)
    else:
        W, H, info = factorize(X, k, init=init, solver=solver, tol=tol, max_iter=max_iter,
                               random_state=random_state, callback=callback)
    return W, H, info, time.perf_counter() - start


def check_fit_params(n_components, init, solver, tol, max_iter, random_state, callback, owner):
    check_int(n_components, "n_components", owner, low=1)
    check_one_of(init, "init", owner, INITS)
    check_one_of(solver, "solver", owner, ("hals", "mu", "als"))
    check_real(tol, "tol", owner, low=0.0)
    check_int(max_iter, "max_iter", owner, low=1)
    check_random_state(random_state, "random_state", owner)
    check_callable(callback, "callback", owner)

