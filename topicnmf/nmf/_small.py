"""The kernels for small problems: numpy and scipy only, nothing to compile.

A small factorisation (the work per iteration below ``_lazy.SMALL_WORK``) runs
on these instead of the compiled kernels of ``_kernels``: compiling those costs
seconds on first use, and even loading them from the on-disk cache costs more
than such a problem needs in all. The functions have the signatures and the
meaning of their namesakes in ``_kernels`` and run the same algorithms (the
same sweeps, the same stopping rules, the same pivoting), vectorised over
rows; the results agree with the compiled ones to rounding. Which set a run
uses depends on the size of the problem only, never on the machine or on what
was compiled before. Any other name (the masked-entry products) is the
compiled kernel's.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.linalg.blas import dger as _ger


def __getattr__(name):
    if name.startswith("__"):  # the import system's probes
        raise AttributeError(name)
    from ._lazy import compiled_kernels

    return getattr(compiled_kernels(), name)


def kkt(v, g, c):
    """Stationarity residual of coordinates ``v >= 0`` with gradients ``g``, curvatures ``c``.

    ``c * (v - max(0, v - g / c))``: the gradient where a Newton step stays
    non-negative, ``c * v`` where it would cross zero; zero exactly at a KKT point
    (the vectorised ``_kernels._kkt``; ``c`` broadcasts).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        cross = v - g / c < 0.0
    inside = np.where(cross, c * v, g)
    return np.where(c > 0.0, inside, np.where((v > 0.0) | (g < 0.0), g, 0.0))


def _csr(indptr, indices, data, n_cols, matrix, dtype):
    if matrix is not None and matrix.dtype == dtype:
        return matrix
    n_rows = indptr.shape[0] - 1
    return sp.csr_matrix((data.astype(dtype, copy=False), indices, indptr),
                         shape=(n_rows, n_cols), copy=False)


def _into(out, result):
    """``result`` as a C-ordered array, copied into ``out`` if given."""
    if out is None:
        return np.ascontiguousarray(result)
    np.copyto(out, result)
    return out


def csr_dot(indptr, indices, data, B, *, matrix=None, cache=None, out=None):
    """``X @ B`` for CSR ``X`` (given by its arrays) and dense ``B`` of shape (n_cols, k)."""
    dtype = np.result_type(data.dtype, B.dtype)
    B = np.ascontiguousarray(B, dtype=dtype)
    return _into(out, _csr(indptr, indices, data, B.shape[0], matrix, dtype) @ B)


def csr_tdot(indptr, indices, data, B, n_cols, *, is_sorted=False, matrix=None, cache=None,
             out=None):
    """``X.T @ B`` for CSR ``X`` and dense ``B`` of shape (n_rows, k)."""
    dtype = np.result_type(data.dtype, B.dtype)
    B = np.ascontiguousarray(B, dtype=dtype)
    return _into(out, _csr(indptr, indices, data, n_cols, matrix, dtype).T @ B)


def csr_dot_at(indptr, indices, W, Ht, *, cache=None):
    """``(W @ Ht.T)[i, j]`` at the stored entries of a CSR pattern, in storage order."""
    dtype = np.result_type(W.dtype, Ht.dtype)
    rows = np.repeat(np.arange(indptr.shape[0] - 1), np.diff(indptr))
    return np.einsum("ij,ij->i", W[rows].astype(dtype, copy=False),
                     Ht[indices].astype(dtype, copy=False))


def fdot(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)`` accumulated in float64, for arrays of the same shape."""
    return float(np.dot(a.reshape(-1).astype(np.float64, copy=False),
                        b.reshape(-1).astype(np.float64, copy=False)))


def sq_norm(a: np.ndarray) -> float:
    """``||a||^2`` accumulated in float64."""
    return fdot(a, a)


def hals_rows(V, A, B, l1, l2, max_inner, eps, blas_gradient=False):
    """Coordinate-descent sweeps over the rows of ``V``, in place (see ``_kernels.hals_rows``).

    The sweeps run over all rows at once, coordinate by coordinate, with the
    gradient kept up to date by a rank-one update per coordinate; a row stops
    (its moves are masked out) after ``max_inner`` sweeps, or once a sweep moves
    it by at most ``eps`` times what its first sweep moved it. Returns the
    squared stationarity residual met by the first sweep. (The starting
    gradients always come from one product here: ``blas_gradient`` changes nothing.)
    """
    n, k = V.shape
    B = np.ascontiguousarray(B, dtype=np.float64)
    X = np.array(V, dtype=np.float64, order="F")  # columns contiguous
    G = np.asfortranarray(X @ B - A)  # the gradient without the penalties
    if l1:
        G += l1
    curv = np.diag(B) + l2
    pg2 = 0.0
    first = active = None
    eps2 = float(eps) ** 2
    for it in range(int(max_inner)):
        delta = np.zeros(n)
        for j in range(k):
            old = X[:, j]  # a view: updated in place
            grad = G[:, j] + l2 * old if l2 else G[:, j]
            if it == 0:
                pg2 += float(np.sum(kkt(old, grad, curv[j]) ** 2))
            if curv[j] <= 0.0:
                continue
            diff = np.maximum(grad * (-1.0 / curv[j]), -old)  # max(old - grad / c, 0) - old
            if active is not None:
                diff *= active
            old += diff
            G = _ger(1.0, diff, B[j], a=G, overwrite_a=True)  # G += outer(diff, B[j])
            delta += diff * diff
        if it == 0:
            first = delta
            active = delta > 0.0
        else:
            active &= delta > eps2 * first
        if not active.any():
            break
    V[...] = X
    return pg2


def nnls_gram(B, l2, dtype) -> np.ndarray:
    """``B + (l2 + ridge) I`` in float64, the matrix every exact row solve uses.

    A ridge at the rounding level of the data's dtype keeps it positive definite
    when ``B`` is singular (more components than the rank of ``X``, dead
    components); it leaves well-posed solutions unchanged to that precision, and
    makes every row's solution unique.
    """
    G = np.array(B, dtype=np.float64)
    ridge = 10.0 * np.finfo(dtype).eps * max(float(np.max(np.diag(G), initial=0.0)), 1e-300)
    G[np.diag_indices(G.shape[0])] += l2 + ridge
    return G


def _solve_passive(G, passive, b):
    """``x`` with ``G_FF x_F = b_F`` and ``x_G = 0`` for every row, in one batched solve.

    Row ``i`` solves the ``k x k`` system that is ``G`` on its passive set ``F``
    and the identity elsewhere, with the right-hand side ``b`` on ``F`` and zero
    elsewhere.
    """
    M = G[None, :, :] * (passive[:, :, None] & passive[:, None, :])
    diag = np.arange(G.shape[0])
    M[:, diag, diag] += ~passive
    return np.linalg.solve(M, (b * passive)[:, :, None])[:, :, 0]


def nnls_rows(V, A, B, l1, l2):
    """Exact non-negative least squares for every row, in place, warm-started from ``V``.

    Block principal pivoting (Kim & Park 2011) as in ``_kernels.nnls_rows``,
    with the rows that share a passive set solved together.
    """
    n, k = V.shape
    G = nnls_gram(B, l2, V.dtype)
    b = A.astype(np.float64) - l1
    passive = V > 0.0
    ytol = 1e-12 * (np.abs(b).max(axis=1, initial=0.0) + 1e-300)
    best = np.full(n, k + 1)
    backup = np.full(n, 3)
    out = np.zeros((n, k))
    todo = np.arange(n)
    for _ in range(10 * k + 50):
        P = passive[todo]
        x = _solve_passive(G, P, b[todo])
        y = x @ G - b[todo]
        y[P] = 0.0
        infeasible = (P & (x < 0.0)) | (~P & (y < -ytol[todo, None]))
        ninf = infeasible.sum(axis=1)
        out[todo] = x
        left = ninf > 0
        todo, infeasible, ninf = todo[left], infeasible[left], ninf[left]
        if todo.size == 0:
            break
        better = ninf < best[todo]
        full = better | (backup[todo] >= 1)
        best[todo[better]] = ninf[better]
        backup[todo[better]] = 3
        backup[todo[full & ~better]] -= 1
        flip = infeasible
        one = np.flatnonzero(~full)  # only the last infeasible variable changes sides
        if one.size:
            last = k - 1 - np.argmax(infeasible[one, ::-1], axis=1)
            flip[one] = False
            flip[one, last] = True
        passive[todo] ^= flip
    V[...] = np.maximum(out, 0.0)


def mu_update(V, numer, denom, curv, l1, l2, eps):
    """Multiplicative update ``V *= numer / (denom + l1 + l2 V)``, in place.

    As ``_kernels.mu_update``; returns the squared stationarity residual at the
    incoming ``V``.
    """
    d = np.asarray(denom, dtype=np.float64) + l1 + l2 * V
    r = kkt(V, d - numer, np.asarray(curv, dtype=np.float64) + l2)
    d[d == 0.0] = eps
    V[...] = V * (numer / d)
    return float(np.sum(r * r))


def kkt_sq_norm(V, G, curv):
    """The squared stationarity residual of a block (see ``_kernels.kkt_sq_norm``)."""
    return sq_norm(kkt(V, G, np.asarray(curv, dtype=np.float64)))


def kl_data_term(x, wh, eps):
    """``sum(x log(x / wh) - x)`` over entries ``x > eps``, ``wh`` floored at ``eps``; float64."""
    x = x.reshape(-1).astype(np.float64)
    wh = np.maximum(wh.reshape(-1).astype(np.float64), eps)
    keep = x > eps
    x, wh = x[keep], wh[keep]
    return float(np.sum(x * np.log(x / wh) - x))


def kl_ratio(x, wh, eps):
    """``wh <- x / max(wh, eps)`` in place (C-ordered arrays of the same size)."""
    np.maximum(wh, eps, out=wh)
    np.divide(x.reshape(wh.shape), wh, out=wh)
    return wh


def kl_ratio2(x, wh, eps):
    """``x / max(wh, eps)^2`` in a new array shaped like ``wh``."""
    w = np.maximum(wh, eps)
    return (x.reshape(wh.shape) / (w * w)).astype(wh.dtype, copy=False)
