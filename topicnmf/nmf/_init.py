"""Initial factors: ``random``, ``nndsvd``, ``nndsvda``, ``nndsvdar``.

All of them read ``X`` only through the operator (the SVD is a randomized SVD
built on ``X @ B`` and ``X.T @ B``), and all draw their randomness from the
``numpy.random.RandomState`` they are given, so a fixed ``random_state`` gives
the same factors every time.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg

INITS = ("custom", "nndsvd", "nndsvda", "nndsvdar", "random")


def randomized_svd(op, k: int, rng: np.random.RandomState, n_oversamples: int = 10,
                   n_iter: int | None = None):
    """Truncated SVD ``X ~= U diag(s) Vt`` of rank ``k`` (Halko, Martinsson & Tropp 2011).

    Returns ``U`` (n_samples, k), ``s`` (k,), ``V`` (n_features, k), in float64.
    """
    n, m = op.shape
    rank = min(k + n_oversamples, n, m)
    if n_iter is None:
        n_iter = 7 if k < 0.1 * min(n, m) else 4
    omega = rng.standard_normal(size=(m, rank)).astype(op.dtype, copy=False)
    Q = op.matmul(omega)
    Q, _ = linalg.qr(Q.astype(np.float64), mode="economic", check_finite=False)
    for _ in range(n_iter):
        Z = op.rmatmul(Q.astype(op.dtype, copy=False))
        Z, _ = linalg.lu(Z.astype(np.float64), permute_l=True, check_finite=False)
        Q = op.matmul(Z.astype(op.dtype, copy=False))
        Q, _ = linalg.lu(Q.astype(np.float64), permute_l=True, check_finite=False)
    Q, _ = linalg.qr(Q, mode="economic", check_finite=False)
    Bt = op.rmatmul(Q.astype(op.dtype, copy=False)).astype(np.float64)  # (m, rank) = (Q.T X).T
    Vb, s, Ut = linalg.svd(Bt, full_matrices=False, check_finite=False)  # Bt = Vb s Ut
    U = Q @ Ut.T
    return U[:, :k], s[:k], Vb[:, :k]


def _nndsvd(op, k: int, rng: np.random.RandomState, eps: float = 1e-6):
    """NNDSVD of Boutsidis & Gallopoulos (2008), returning ``W`` and ``Ht`` (float64)."""
    U, s, V = randomized_svd(op, k, rng)
    n, m = op.shape
    W = np.zeros((n, k))
    Ht = np.zeros((m, k))
    W[:, 0] = np.sqrt(s[0]) * np.abs(U[:, 0])
    Ht[:, 0] = np.sqrt(s[0]) * np.abs(V[:, 0])
    for j in range(1, k):
        x, y = U[:, j], V[:, j]
        xp, yp = np.maximum(x, 0.0), np.maximum(y, 0.0)
        xn, yn = np.maximum(-x, 0.0), np.maximum(-y, 0.0)
        xpn, ypn = np.linalg.norm(xp), np.linalg.norm(yp)
        xnn, ynn = np.linalg.norm(xn), np.linalg.norm(yn)
        mp, mn = xpn * ypn, xnn * ynn
        if mp > mn:
            u, v, sigma = xp / xpn, yp / ypn, mp
        elif mn > 0.0:
            u, v, sigma = xn / xnn, yn / ynn, mn
        else:  # a zero singular pair (rank-deficient X): leave the column at zero
            continue
        lam = np.sqrt(s[j] * sigma)
        W[:, j] = lam * u
        Ht[:, j] = lam * v
    W[W < eps] = 0.0
    Ht[Ht < eps] = 0.0
    return W, Ht


def initialize(op, k: int, init: str, rng: np.random.RandomState):
    """Initial ``W`` (n_samples, k) and ``Ht`` (n_features, k) in the dtype of ``X``.

    ``init`` is one of ``"random"``, ``"nndsvd"``, ``"nndsvda"``, ``"nndsvdar"``
    (``"custom"`` is handled by the caller).
    """
    n, m = op.shape
    dtype = op.dtype
    mean = op.total / (n * m)
    if init == "random":
        scale = np.sqrt(mean / k)
        Ht = np.abs(scale * rng.standard_normal(size=(k, m))).T
        W = np.abs(scale * rng.standard_normal(size=(n, k)))
    else:
        W, Ht = _nndsvd(op, k, rng)
        if init == "nndsvda":
            W[W == 0.0] = mean
            Ht[Ht == 0.0] = mean
        elif init == "nndsvdar":
            W[W == 0.0] = np.abs(mean * rng.standard_normal(size=int((W == 0.0).sum())) / 100)
            Ht[Ht == 0.0] = np.abs(mean * rng.standard_normal(size=int((Ht == 0.0).sum())) / 100)
    return (np.ascontiguousarray(W, dtype=dtype), np.ascontiguousarray(Ht, dtype=dtype))
