"""Compiled kernels of the NMF core (numba, compiled on first use, cached on disk).

Nothing here is compiled at import: the functions carry no signatures, so numba
compiles each one the first time it is called with a given set of dtypes and
writes the result to its on-disk cache, which later processes load.

Importing this module imports numba; the rest of the package imports it lazily,
so ``import topicnmf.nmf`` stays light.

The sparse kernels work on the arrays of a CSR matrix (``indptr``, ``indices``,
``data``) with sorted column indices. They are parallel over the available
threads (``numba.get_num_threads()``) and never allocate ``nnz x k`` or
``n_rows x n_cols`` temporaries.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

_OPTS = dict(cache=True, nogil=True)


# --------------------------------------------------------------------- helpers
def _n_chunks() -> int:
    return max(1, 4 * numba.get_num_threads())


def balanced_row_split(indptr: np.ndarray, n_chunks: int | None = None) -> np.ndarray:
    """Row boundaries splitting a CSR matrix into chunks of about equal ``nnz``."""
    n_chunks = n_chunks or _n_chunks()
    n_rows = indptr.shape[0] - 1
    targets = np.linspace(0, indptr[-1], n_chunks + 1)
    split = np.searchsorted(indptr, targets, side="left").astype(np.int64)
    split[0], split[-1] = 0, n_rows
    return np.unique(np.clip(split, 0, n_rows))


def balanced_column_split(indices: np.ndarray, n_cols: int, n_chunks: int | None = None) -> np.ndarray:
    """Column boundaries splitting a CSR matrix into chunks of about equal ``nnz``."""
    n_chunks = n_chunks or _n_chunks()
    counts = np.bincount(indices, minlength=n_cols)
    cum = np.concatenate([[0], np.cumsum(counts)])
    targets = np.linspace(0, cum[-1], n_chunks + 1)
    split = np.searchsorted(cum, targets, side="left").astype(np.int64)
    split[0], split[-1] = 0, n_cols
    return np.unique(np.clip(split, 0, n_cols))


# ----------------------------------------------------------- sparse products
@njit(parallel=True, **_OPTS)
def _csr_dot(indptr, indices, data, B, row_split, out):
    k = B.shape[1]
    for c in prange(row_split.shape[0] - 1):
        for i in range(row_split[c], row_split[c + 1]):
            for jj in range(indptr[i], indptr[i + 1]):
                j = indices[jj]
                v = data[jj]
                for l in range(k):
                    out[i, l] += v * B[j, l]


def csr_dot(indptr, indices, data, B, row_split=None):
    """``X @ B`` for CSR ``X`` (given by its arrays) and dense ``B`` of shape (n_cols, k)."""
    n_rows = indptr.shape[0] - 1
    dtype = np.result_type(data.dtype, B.dtype)
    B = np.ascontiguousarray(B, dtype=dtype)
    out = np.zeros((n_rows, B.shape[1]), dtype=dtype)
    if row_split is None:
        row_split = balanced_row_split(indptr)
    _csr_dot(indptr, indices, data.astype(dtype, copy=False), B, row_split, out)
    return out


@njit(parallel=True, **_OPTS)
def _csr_tdot(indptr, indices, data, B, col_split, out):
    n_rows = indptr.shape[0] - 1
    k = B.shape[1]
    for c in prange(col_split.shape[0] - 1):
        c0 = col_split[c]
        c1 = col_split[c + 1]
        for i in range(n_rows):
            lo = indptr[i]
            hi = indptr[i + 1]
            if lo == hi or indices[hi - 1] < c0 or indices[lo] >= c1:
                continue
            # first stored entry of row i with column >= c0 (indices are sorted)
            a = lo
            b = hi
            while a < b:
                m = (a + b) >> 1
                if indices[m] < c0:
                    a = m + 1
                else:
                    b = m
            jj = a
            while jj < hi:
                j = indices[jj]
                if j >= c1:
                    break
                v = data[jj]
                for l in range(k):
                    out[j, l] += v * B[i, l]
                jj += 1


def csr_tdot(indptr, indices, data, B, n_cols, col_split=None):
    """``X.T @ B`` for CSR ``X`` and dense ``B`` of shape (n_rows, k).

    Threads own disjoint column ranges of ``X`` (rows of the result), so no
    thread-private copies of the result are needed.
    """
    dtype = np.result_type(data.dtype, B.dtype)
    B = np.ascontiguousarray(B, dtype=dtype)
    out = np.zeros((n_cols, B.shape[1]), dtype=dtype)
    if col_split is None:
        col_split = balanced_column_split(indices, n_cols)
    _csr_tdot(indptr, indices, data.astype(dtype, copy=False), B, col_split, out)
    return out


@njit(parallel=True, **_OPTS)
def _csr_dot_at(indptr, indices, W, Ht, row_split, out):
    k = W.shape[1]
    for c in prange(row_split.shape[0] - 1):
        for i in range(row_split[c], row_split[c + 1]):
            for jj in range(indptr[i], indptr[i + 1]):
                j = indices[jj]
                acc = 0.0
                for l in range(k):
                    acc += W[i, l] * Ht[j, l]
                out[jj] = acc


def csr_dot_at(indptr, indices, W, Ht, row_split=None):
    """``(W @ Ht.T)[i, j]`` at the stored entries of a CSR pattern, in storage order."""
    dtype = np.result_type(W.dtype, Ht.dtype)
    out = np.empty(indices.shape[0], dtype=dtype)
    if row_split is None:
        row_split = balanced_row_split(indptr)
    _csr_dot_at(
        indptr, indices, np.ascontiguousarray(W, dtype=dtype),
        np.ascontiguousarray(Ht, dtype=dtype), row_split, out,
    )
    return out


# ------------------------------------------------------------------ reductions
@njit(parallel=True, **_OPTS)
def _fdot(a, b):
    acc = 0.0
    for i in prange(a.shape[0]):
        acc += np.float64(a[i]) * np.float64(b[i])
    return acc


def fdot(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)`` accumulated in float64, for arrays of the same shape."""
    if a.dtype == np.float64 and b.dtype == np.float64:
        return float(np.dot(a.ravel(), b.ravel()))
    return float(_fdot(a.ravel(), b.ravel()))


def sq_norm(a: np.ndarray) -> float:
    """``||a||^2`` accumulated in float64."""
    flat = a.ravel()
    return fdot(flat, flat)


# ------------------------------------------------------------------------ HALS
@njit(parallel=True, **_OPTS)
def _hals_rows(V, A, B, l1, l2, max_inner, eps2, row_split):
    k = V.shape[1]
    for c in prange(row_split.shape[0] - 1):
        for i in range(row_split[c], row_split[c + 1]):
            first = 0.0
            for it in range(max_inner):
                delta = 0.0
                for j in range(k):
                    d = B[j, j] + l2
                    if d <= 0.0:
                        continue
                    g = 0.0
                    for l in range(k):
                        g += B[j, l] * V[i, l]
                    old = V[i, j]
                    new = old - (g - A[i, j] + l1 + l2 * old) / d
                    if new < 0.0:
                        new = 0.0
                    V[i, j] = new
                    delta += (new - old) * (new - old)
                if it == 0:
                    first = delta
                    if delta == 0.0:
                        break
                elif delta <= eps2 * first:
                    break


def hals_rows(V, A, B, l1, l2, max_inner, eps, row_split=None):
    """Coordinate-descent sweeps over the rows of ``V``, in place.

    Each row ``v`` of ``V`` solves ``min 0.5 v B v' - a v' + l1 sum(v) + 0.5 l2 |v|^2``
    over ``v >= 0`` (``a`` the matching row of ``A``). A row stops after
    ``max_inner`` sweeps, or once a sweep moves it by at most ``eps`` times what
    its first sweep moved it.
    """
    if row_split is None:
        n = V.shape[0]
        row_split = np.linspace(0, n, min(n, _n_chunks()) + 1).astype(np.int64)
    _hals_rows(V, A, B, float(l1), float(l2), int(max_inner), float(eps) ** 2, row_split)
