"""Initial factors: ``random``, ``nndsvd``, ``nndsvda``, ``nndsvdar``.

All of them read ``X`` only through the operator (the SVD is a randomized SVD
built on ``X @ B`` and ``X.T @ B``), and all draw their randomness from the
``numpy.random.RandomState`` they are given, so a fixed ``random_state`` gives
the same factors every time.
"""

from __future__ import annotations

import numpy as np
from scipy import linalg
from scipy.linalg import lapack

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
    if n_iter:  # else Q is already orthonormal
        Q, _ = linalg.qr(Q, mode="economic", check_finite=False)
    Bt = op.rmatmul(Q.astype(op.dtype, copy=False)).astype(np.float64)  # (m, rank) = (Q.T X).T
    Vb, s, Ut = linalg.svd(Bt, full_matrices=False, check_finite=False)  # Bt = Vb s Ut
    U = Q @ Ut.T
    return U[:, :k], s[:k], Vb[:, :k]


def _cholesky_qr(Y, dtype, basis: bool = True):
    """``(Q, R^-1)`` of Cholesky QR of ``Y`` (n, r), ``Y = Q R``, in float64 (``Q`` in ``dtype``).

    ``basis=False``: ``Y`` itself (in ``dtype``) in place of ``Q`` (its Gram
    matrix and ``R^-1`` are all the caller needs). Plain QR (then ``R^-1`` is
    the identity and ``Q`` stands for ``Y`` either way) where ``Y`` is too
    ill-conditioned for Cholesky, or rank-deficient (``_dense.power_sketch``
    compiles the same steps).
    """
    Y64 = Y.astype(np.float64)
    R, info = lapack.dpotrf(Y64.T @ Y64, lower=False, clean=True, overwrite_a=True)
    if info == 0:
        d = np.abs(np.diag(R))
        # Y's condition (about max/min of R's diagonal) must stay below 1 / sqrt(eps) of
        # its dtype: else its columns' rounding, magnified by R^-1, would show as singular
        # values X does not have (a rank-deficient Y makes a Cholesky factor of its noise)
        info = 0 if d.min() > np.sqrt(np.finfo(dtype).eps) * d.max() else 1
    if info == 0:
        R_inv, info = lapack.dtrtri(R, lower=False)
    if info != 0:  # too ill-conditioned for Cholesky QR (or rank-deficient)
        Q, _ = linalg.qr(Y64, mode="economic", check_finite=False)
        return Q.astype(dtype), np.eye(Y.shape[1])
    if not basis:
        return Y.astype(dtype, copy=False), R_inv
    return (Y64 @ R_inv).astype(dtype), R_inv


def draw_test_matrix(rng, m: int, rank: int, dtype) -> np.ndarray:
    """:class:`Sketch`'s test matrix (m, rank) in ``dtype``: uniform integers -128..127 from
    ``rng.bytes`` (a ``numpy.random.RandomState`` or ``Generator``)."""
    return np.frombuffer(rng.bytes(m * rank), dtype=np.int8).reshape(m, rank).astype(dtype)


class Sketch:
    """A one-pass randomized SVD of rank ``k`` for a dense matrix whose spectrum falls fast.

    By default no power iteration (a photograph's singular values fall fast
    enough that the sketch ``Y = X @ Omega`` catches the top ``k`` directions
    well for a start; ``n_iter`` power iterations, each basis made orthonormal
    by Cholesky QR, for an accurate SVD: the reference of
    ``_dense.power_sketch``, which ``images``' bound runs), a
    test matrix of random bytes (uniform integers -128..127 in the dtype of
    ``X``: several times cheaper to draw than ``rng``'s float64 numbers), and
    the basis ``Q = Y R^-1`` of Cholesky QR never formed: with ``Z = X^T Y``,
    ``B = Q^T X`` has ``B B^T = R^-T Z^T Z R^-1``, whose eigenpairs give the
    SVD of ``B`` (plain QR if the sketch is too ill-conditioned for Cholesky).
    A start, not a bound (:func:`randomized_svd` is the accurate one). ``rng``
    is a ``numpy.random.RandomState`` or ``Generator``.

    Attributes ``U`` (n_samples, k), ``s`` (k,), ``V`` (n_features, k): as
    :func:`randomized_svd` returns them, except that ``U`` and ``V`` are in
    the dtype of ``X`` (float32 for an image: :func:`nndsvd_factors` then runs
    in float32 too). :meth:`product` gives ``X @ B`` projected on the sketch's
    range without reading ``X`` again.
    """

    def __init__(self, op, k: int, rng, n_oversamples: int = 10, n_iter: int = 0):
        n, m = op.shape
        rank = min(k + n_oversamples, n, m)
        dtype = self.dtype = op.dtype if op.dtype in (np.float32, np.float64) else np.float64
        Y = op.matmul(draw_test_matrix(rng, m, rank, dtype))
        for _ in range(n_iter):  # power iterations, each product's basis made orthonormal first
            Z = op.rmatmul(_cholesky_qr(Y, dtype)[0])
            Y = op.matmul(_cholesky_qr(Z, dtype)[0])
        Y, R_inv = _cholesky_qr(Y, dtype, basis=False)
        Z = op.rmatmul(Y)  # (m, rank) = X^T Y; B^T = Z R^-1
        Z64 = Z.astype(np.float64)
        evals, Ub = np.linalg.eigh(R_inv.T @ (Z64.T @ Z64) @ R_inv)  # B B^T = Ub diag(s^2) Ub^T, ascending
        P = R_inv @ Ub[:, ::-1][:, :k]  # U = Q Ub = Y P
        s = np.sqrt(np.maximum(evals[::-1][:k], 0.0))
        inv = np.divide(1.0, s, out=np.zeros_like(s), where=s > 0)
        self._Y, self._Z, self._R_inv = Y, Z.astype(dtype, copy=False), R_inv
        # the two (n + m) x rank x k products in the dtype of X (all this start needs)
        self.U = Y @ P.astype(dtype)
        self.s = s
        self.V = self._Z @ (P * inv).astype(dtype)

    def product(self, B: np.ndarray) -> np.ndarray:
        """``Q Q^T X @ B`` (n_samples, k): ``X @ B`` with ``X`` projected on the range of
        the sketch (``Y R^-1 R^-T Z^T B``), for ``B`` of shape (n_features, k); in the
        dtype of ``X``, at ``(n + m) rank k`` multiply-adds instead of ``n m k``."""
        T = self._Z.T @ B
        T = self._R_inv @ (self._R_inv.T @ T.astype(np.float64))
        return self._Y @ T.astype(self.dtype)


def nndsvd_factors(U, s, V, eps: float = 1e-6):
    """NNDSVD of Boutsidis & Gallopoulos (2008) from a truncated SVD ``U diag(s) V.T``.

    Returns ``W`` (n_samples, k) and ``Ht`` (n_features, k) in float64; entries
    below ``eps`` are zero.
    """
    Up, Vp = np.maximum(U, 0.0), np.maximum(V, 0.0)
    Un, Vn = Up - U, Vp - V  # max(-U, 0), exactly, in one pass
    nup, nun = np.linalg.norm(Up, axis=0), np.linalg.norm(Un, axis=0)
    nvp, nvn = np.linalg.norm(Vp, axis=0), np.linalg.norm(Vn, axis=0)
    mp, mn = nup * nvp, nun * nvn
    # each pair keeps its positive or its negative parts, whichever has the larger
    # norm; the first pair (a Perron pair, of one sign) its absolute values; a zero
    # pair (rank-deficient X) stays at zero
    pos = mp > mn
    pos[0] = True
    if U.shape[1]:
        Up[:, 0], Vp[:, 0] = np.abs(U[:, 0]), np.abs(V[:, 0])
        nup[0], nvp[0] = 1.0, 1.0
        mp[0] = 1.0
    W = np.where(pos, Up, Un)
    Ht = np.where(pos, Vp, Vn)
    sigma = np.where(pos, mp, mn)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.sqrt(s * sigma)
        W *= np.where(sigma > 0, lam / np.where(pos, nup, nun), 0.0)
        Ht *= np.where(sigma > 0, lam / np.where(pos, nvp, nvn), 0.0)
    np.putmask(W, W < eps, 0.0)  # W[W < eps] = 0, in one pass
    np.putmask(Ht, Ht < eps, 0.0)
    return W, Ht


def initialize(op, k: int, init: str, rng: np.random.RandomState):
    """Initial ``W`` (n_samples, k) and ``Ht`` (n_features, k) in the dtype of ``X``.

    ``init`` is one of ``"random"``, ``"nndsvd"``, ``"nndsvda"``, ``"nndsvdar"``
    (``"custom"`` is handled by the caller); the ``nndsvd`` family starts from
    :func:`randomized_svd` (a photograph's start, ``images._fit.image_start``,
    from a one-pass :class:`Sketch`).
    """
    n, m = op.shape
    dtype = op.dtype
    mean = op.total / (n * m)
    if init == "random":
        scale = np.sqrt(mean / k)
        Ht = np.abs(scale * rng.standard_normal(size=(k, m))).T
        W = np.abs(scale * rng.standard_normal(size=(n, k)))
    else:
        W, Ht = nndsvd_factors(*randomized_svd(op, k, rng))
        if init == "nndsvda":
            W[W == 0.0] = mean
            Ht[Ht == 0.0] = mean
        elif init == "nndsvdar":
            W[W == 0.0] = np.abs(mean * rng.standard_normal(size=int((W == 0.0).sum())) / 100)
            Ht[Ht == 0.0] = np.abs(mean * rng.standard_normal(size=int((Ht == 0.0).sum())) / 100)
    return (np.ascontiguousarray(W, dtype=dtype), np.ascontiguousarray(Ht, dtype=dtype))
