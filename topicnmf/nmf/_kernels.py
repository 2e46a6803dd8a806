"""Compiled kernels of the NMF core (numba, compiled on first use, cached on disk).

Nothing is compiled at import: numba compiles each function the first time it is
called with a given set of dtypes and caches it on disk. The package reaches this
module through ``_lazy.kernels()``, which chooses a writable cache folder and, for
small problems, hands out the numpy kernels of ``_small`` instead.

Each kernel is one definition, a loop over ranges of rows that ``_drivers.kernel``
compiles into a serial and a parallel driver (see there); the functions
without a leading underscore check and convert their arguments and call it.
The sparse kernels work on the arrays of a CSR matrix (``indptr``, ``indices``,
``data``); they never allocate ``nnz x k`` or ``n_rows x n_cols`` temporaries.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange
from scipy.sparse import _sparsetools  # scipy's compiled sparse loops (see _scipy_matvecs)

from ._drivers import (_OPTS, N_CHUNKS, PARALLEL_MIN_WORK, SCIPY_MAX_K, _cached,  # noqa: F401
                       balanced_column_split, balanced_row_split, choose, even_split, kernel)
from ._hals import _hals, _kkt, _settled, _step, hals_block, hals_rows  # noqa: F401 (the namespace of _lazy.kernels())
from ._dense import cholesky_lower, sum_products
from ._small import nnls_gram

# ------------------------------------------------------------ X @ B (CSR rows)
@kernel
def _csr_dot(indptr, indices, data, B, out, split):
    k = B.shape[1]
    for c in prange(split.shape[0] - 1):
        for i in range(split[c], split[c + 1]):
            for jj in range(indptr[i], indptr[i + 1]):
                j = indices[jj]
                v = data[jj]
                for l in range(k):
                    out[i, l] += v * B[j, l]


def _zeroed(out, shape, dtype):
    """A zeroed C-ordered ``(shape, dtype)`` result: ``out`` (zeroed) if given, else a new one."""
    if out is None:
        return np.zeros(shape, dtype=dtype)
    if out.shape != shape or out.dtype != dtype or not out.flags.c_contiguous:
        raise ValueError(f"out must be a C-ordered {dtype} array of shape {shape}")
    out.fill(0)
    return out


def _scipy_matvecs(name, shape, indptr, indices, data, B, out):
    """``out += M @ B`` by scipy's own loop (``csr_matvecs`` or, for ``M`` the CSC matrix of
    these arrays, ``csc_matvecs``), into ``out``: what ``matrix @ B`` runs, without the
    result it would allocate."""
    getattr(_sparsetools, name)(shape[0], shape[1], B.shape[1], indptr, indices, data,
                                B.ravel(), out.ravel())


def csr_dot(indptr, indices, data, B, *, matrix=None, cache=None, out=None):
    """``X @ B`` for CSR ``X`` (given by its arrays) and dense ``B`` of shape (n_cols, k).

    ``matrix``, the scipy CSR matrix of those arrays if given, serves the serial
    driver when ``k < SCIPY_MAX_K``: scipy's loop is the same (same terms, same
    order, so the same bits) and faster for short rows of ``B``. ``cache``, a
    dict kept with ``X``, holds its split into ranges. ``out``: a C-ordered
    ``(n_rows, k)`` array of the result's dtype to write the result into (a fit
    keeps one for all its products: see ``_solvers._buffer``).
    """
    n_rows = indptr.shape[0] - 1
    dtype = np.result_type(data.dtype, B.dtype)
    B = np.ascontiguousarray(B, dtype=dtype)
    data = data.astype(dtype, copy=False)
    split = _cached(cache, "rows", lambda: balanced_row_split(indptr))
    out = _zeroed(out, (n_rows, B.shape[1]), dtype)
    if matrix is not None and B.shape[1] < SCIPY_MAX_K and matrix.dtype == dtype:
        def serial(*args):
            _scipy_matvecs("csr_matvecs", matrix.shape, indptr, indices, data, B, out)
    else:
        serial = None
    _csr_dot(("dot", n_rows), data.shape[0] * B.shape[1], indptr, indices, data, B,
             out, split, serial=serial)
    return out


# --------------------------------------------------------- X.T @ B (CSR rows)
@kernel
def _csr_tdot(indptr, indices, data, B, out, split, is_sorted):
    """Threads own disjoint column ranges of ``X`` (rows of ``out``)."""
    n_rows = indptr.shape[0] - 1
    k = B.shape[1]
    for c in prange(split.shape[0] - 1):
        c0 = split[c]
        c1 = split[c + 1]
        for i in range(n_rows):
            lo = indptr[i]
            hi = indptr[i + 1]
            if is_sorted:
                if lo == hi or indices[hi - 1] < c0 or indices[lo] >= c1:
                    continue
                a = lo  # first stored entry of row i with column >= c0
                b = hi
                while a < b:
                    m = (a + b) >> 1
                    if indices[m] < c0:
                        a = m + 1
                    else:
                        b = m
                lo = a
            for jj in range(lo, hi):
                j = indices[jj]
                if j < c0:
                    continue
                if j >= c1:
                    if is_sorted:
                        break
                    continue
                v = data[jj]
                for l in range(k):
                    out[j, l] += v * B[i, l]


def csr_tdot(indptr, indices, data, B, n_cols, *, is_sorted=False, matrix=None, cache=None,
             out=None):
    """``X.T @ B`` for CSR ``X`` and dense ``B`` of shape (n_rows, k).

    In parallel, threads own disjoint column ranges of ``X`` (rows of the
    result), so no thread-private copies of the result are needed. With sorted
    column indices a thread finds its range in each row by bisection; otherwise it
    scans the row, so the split then has one range per thread. The serial driver
    runs one range over all columns (scipy's loop, as in :func:`csr_dot`, where
    ``matrix`` is given and ``k < SCIPY_MAX_K``). Every entry of the result adds its
    terms in row order either way. ``out``: as in :func:`csr_dot`, ``(n_cols, k)``.
    """
    dtype = np.result_type(data.dtype, B.dtype)
    B = np.ascontiguousarray(B, dtype=dtype)
    data = data.astype(dtype, copy=False)
    n_chunks = N_CHUNKS if is_sorted else numba.get_num_threads()
    split = _cached(cache, ("cols", n_chunks),  # (made before out is written: off the peak)
                    lambda: balanced_column_split(indices, n_cols, n_chunks))
    out = _zeroed(out, (n_cols, B.shape[1]), dtype)
    whole = np.array([0, n_cols], dtype=np.int64)
    if matrix is not None and B.shape[1] < SCIPY_MAX_K and matrix.dtype == dtype:
        def serial(*args):  # the CSC matrix of these arrays is X.T
            _scipy_matvecs("csc_matvecs", matrix.shape[::-1], indptr, indices, data, B, out)
    else:
        def serial(*args):
            _csr_tdot.serial(indptr, indices, data, B, out, whole, False)
    _csr_tdot(("tdot", n_cols), data.shape[0] * B.shape[1], indptr, indices, data, B,
              out, split, bool(is_sorted), serial=serial)
    return out


# ------------------------------------------------ (W @ H) at the stored entries
@kernel
def _csr_dot_at(indptr, indices, W, Ht, out, split):
    k = W.shape[1]
    for c in prange(split.shape[0] - 1):
        for i in range(split[c], split[c + 1]):
            for jj in range(indptr[i], indptr[i + 1]):
                j = indices[jj]
                acc = 0.0
                for l in range(k):
                    acc += W[i, l] * Ht[j, l]
                out[jj] = acc


def csr_dot_at(indptr, indices, W, Ht, *, cache=None):
    """``(W @ Ht.T)[i, j]`` at the stored entries of a CSR pattern, in storage order."""
    dtype = np.result_type(W.dtype, Ht.dtype)
    W = np.ascontiguousarray(W, dtype=dtype)
    Ht = np.ascontiguousarray(Ht, dtype=dtype)
    out = np.empty(indices.shape[0], dtype=dtype)
    split = _cached(cache, "rows", lambda: balanced_row_split(indptr))
    _csr_dot_at(("dot_at", W.shape[0]), indices.shape[0] * W.shape[1], indptr, indices, W, Ht,
                out, split)
    return out


# ------------------------------------------------------------------ reductions
def fdot(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)`` accumulated in float64, for arrays of the same shape (one call, serial:
    at an image's small ranks it runs twice an iteration, where a call's cost counts;
    ``_dense.sum_products``, which the images' compiled iteration calls too)."""
    return float(sum_products(a, b))


def sq_norm(a: np.ndarray) -> float:
    """``||a||^2`` accumulated in float64."""
    return fdot(a, a)


# ------------------------------------------------ NNLS: block principal pivoting
@kernel
def _bpp(V, A, G, l1, max_pivots, split):
    """Exact NNLS per row (Kim & Park 2011), ``G`` float64 with ``l2`` on its diagonal."""
    k = G.shape[0]
    gmax = 0.0
    for j in range(k):
        if G[j, j] > gmax:
            gmax = G[j, j]
    tiny = 1e-13 * gmax + 1e-300
    for c in prange(split.shape[0] - 1):
        passive = np.zeros(k, dtype=np.bool_)
        idx = np.empty(k, dtype=np.int64)
        M = np.empty((k, k))
        rhs = np.empty(k)
        x = np.empty(k)
        y = np.empty(k)
        b = np.empty(k)
        for i in range(split[c], split[c + 1]):
            bmax = 0.0
            for j in range(k):
                b[j] = A[i, j] - l1
                passive[j] = V[i, j] > 0.0
                if abs(b[j]) > bmax:
                    bmax = abs(b[j])
            ytol = 1e-12 * (bmax + 1e-300)
            ninf_best = k + 1
            backup = 3
            for _ in range(max_pivots):
                # x_F solves G_FF x_F = b_F (Cholesky), x_G = 0
                nf = 0
                for j in range(k):
                    x[j] = 0.0
                    if passive[j]:
                        idx[nf] = j
                        nf += 1
                for p in range(nf):
                    rhs[p] = b[idx[p]]
                    for q in range(p + 1):
                        M[p, q] = G[idx[p], idx[q]]
                cholesky_lower(M, nf, tiny)
                for p in range(nf):  # forward
                    t = rhs[p]
                    for q in range(p):
                        t -= M[p, q] * rhs[q]
                    rhs[p] = t / M[p, p]
                for p in range(nf - 1, -1, -1):  # backward
                    t = rhs[p]
                    for q in range(p + 1, nf):
                        t -= M[q, p] * rhs[q]
                    rhs[p] = t / M[p, p]
                for p in range(nf):
                    x[idx[p]] = rhs[p]
                # y = G x - b on the active set; count the infeasible variables
                ninf = 0
                last = -1
                for j in range(k):
                    if passive[j]:
                        y[j] = 0.0
                        if x[j] < 0.0:
                            ninf += 1
                            last = j
                    else:
                        t = -b[j]
                        for p in range(nf):
                            t += G[j, idx[p]] * rhs[p]
                        y[j] = t
                        if t < -ytol:
                            ninf += 1
                            last = j
                if ninf == 0:
                    break
                if ninf < ninf_best:
                    ninf_best = ninf
                    backup = 3
                    full = True
                elif backup >= 1:
                    backup -= 1
                    full = True
                else:
                    full = False
                if full:
                    for j in range(k):
                        if (passive[j] and x[j] < 0.0) or (not passive[j] and y[j] < -ytol):
                            passive[j] = not passive[j]
                else:
                    passive[last] = not passive[last]
            for j in range(k):
                V[i, j] = x[j] if x[j] > 0.0 else 0.0


def nnls_rows(V, A, B, l1, l2):
    """Exact non-negative least squares for every row, in place, warm-started from ``V``.

    Each row ``v`` of ``V`` becomes ``argmin_{v >= 0} 0.5 v B v' - a v' + l1 sum(v)
    + 0.5 l2 |v|^2`` (``a`` the matching row of ``A``), found by block principal
    pivoting (Kim & Park 2011); the support of the incoming row is the first guess
    of the passive set. ``B`` is symmetric positive semi-definite (k, k).
    """
    n, k = V.shape
    G = nnls_gram(B, l2, V.dtype)
    A = np.ascontiguousarray(A, dtype=V.dtype)
    _bpp(("bpp", n), n * k * k * 4, V, A, G, float(l1), 10 * k + 50, even_split(n))


# -------------------------------------------------------------------------- MU
@kernel
def _mu(V, numer, denom, curv, l1, l2, eps, split):
    """``V *= numer / (denom + l1 + l2 V)`` per range; per range, the squared residual.

    ``denom`` and ``curv`` are (n, k), or (1, k) to broadcast their one row.
    """
    k = V.shape[1]
    d_row = denom.shape[0] == 1
    c_row = curv.shape[0] == 1
    n_chunks = split.shape[0] - 1
    out = np.zeros(n_chunks)
    for c in prange(n_chunks):
        pg2 = 0.0
        for i in range(split[c], split[c + 1]):
            di = 0 if d_row else i
            ci = 0 if c_row else i
            for j in range(k):
                v = V[i, j]
                d = denom[di, j] + l1 + l2 * v
                r = _kkt(v, d - numer[i, j], curv[ci, j] + l2)
                pg2 += r * r
                if d == 0.0:
                    d = eps
                V[i, j] = v * (numer[i, j] / d)
        out[c] = pg2
    return out


def _as_rows(a, k, dtype):
    return np.ascontiguousarray(a.reshape(1, k) if a.ndim == 1 else a, dtype=dtype)


def mu_update(V, numer, denom, curv, l1, l2, eps):
    """Multiplicative update ``V *= numer / (denom + l1 + l2 V)``, in place.

    ``denom`` is (n, k) or a (k,) row broadcast over the rows of ``V``; a zero
    denominator is replaced by ``eps``. ``curv`` ((n, k) or (k,)) is the diagonal
    curvature of the loss without ``l2``. Returns the squared stationarity residual
    (see ``_kkt``) at the incoming ``V``, the gradient being ``denom + l1 + l2 V - numer``.
    """
    n, k = V.shape
    denom = _as_rows(denom, k, V.dtype)
    curv = _as_rows(curv, k, np.float64)
    numer = np.ascontiguousarray(numer, dtype=V.dtype)
    # work: 16 multiply-adds an entry, for its two divisions (the residual's and the update's),
    # which cost several each: at 4 a factor of 20 Newsgroups' at k = 10 (18,846 x 10 and
    # 34,877 x 10) stayed below PARALLEL_MIN_WORK, serial at 2.2 and 4.1 ms where the
    # parallel driver takes 1.0 and 2.0 ms on two cores
    pg2 = _mu(("mu", n), n * k * 16, V, numer, denom, curv, float(l1), float(l2), float(eps),
              even_split(n))
    return float(pg2.sum())


# --------------------------------------------- stationarity residual of a block
@kernel
def _kkt_norm(V, G, curv, split):
    """Per range, the sum of the squared residuals ``_kkt(V[i, j], G[i, j], curv[j])``."""
    n_chunks = split.shape[0] - 1
    k = V.shape[1]
    out = np.zeros(n_chunks)
    for c in prange(n_chunks):
        pg2 = 0.0
        for i in range(split[c], split[c + 1]):
            for j in range(k):
                r = _kkt(V[i, j], G[i, j], curv[j])
                pg2 += r * r
        out[c] = pg2
    return out


def kkt_sq_norm(V, G, curv):
    """The squared stationarity residual (see ``_kkt``) of a block ``V`` with gradient ``G``
    (both ``(n, k)``) and curvature ``curv[j]`` in column ``j``, accumulated in float64."""
    n, k = V.shape
    curv = np.ascontiguousarray(curv, dtype=np.float64)
    return float(_kkt_norm(("kkt", n), n * k * 4, V, np.ascontiguousarray(G, dtype=V.dtype), curv,
                           even_split(n)).sum())


# ------------------------------------------------- KL: entries of X / (W H)
@kernel
def _kl(x, wh, eps, split):
    n_chunks = split.shape[0] - 1
    out = np.zeros(n_chunks)
    for c in prange(n_chunks):
        acc = 0.0
        for p in range(split[c], split[c + 1]):
            xv = np.float64(x[p])
            if xv > eps:
                w = np.float64(wh[p])
                if w < eps:
                    w = eps
                acc += xv * np.log(xv / w) - xv
        out[c] = acc
    return out


def kl_data_term(x, wh, eps):
    """``sum(x log(x / wh) - x)`` over entries ``x > eps``, ``wh`` floored at ``eps``; float64."""
    x = x.reshape(-1)
    wh = wh.reshape(-1)
    acc = _kl(("kl", x.shape[0]), x.shape[0] * 20, x, wh, float(eps), even_split(x.shape[0]))
    return float(acc.sum())


@kernel
def _ratio(x, wh, eps, power, out, split):
    for c in prange(split.shape[0] - 1):
        for p in range(split[c], split[c + 1]):
            w = wh[p]
            if w < eps:
                w = eps
            out[p] = x[p] / w if power == 1 else x[p] / (w * w)


def _ratio_of(x, wh, eps, power, out):
    xf = x.reshape(-1)
    _ratio(("ratio", xf.shape[0]), xf.shape[0] * 4, xf, wh.reshape(-1), float(eps), int(power),
           out.reshape(-1), even_split(xf.shape[0]))
    return out


def kl_ratio(x, wh, eps):
    """``wh <- x / max(wh, eps)`` in place (C-ordered arrays of the same size)."""
    return _ratio_of(x, wh, eps, 1, wh)


def kl_ratio2(x, wh, eps):
    """``x / max(wh, eps)^2`` in a new array shaped like ``wh``."""
    return _ratio_of(x, wh, eps, 2, np.empty_like(wh))


# ------------------------------------------------- missing entries (masks)
_H1 = np.uint64(0x9E3779B97F4A7C15)
_H2 = np.uint64(0xC2B2AE3D27D4EB4F)
_H3 = np.uint64(0xBF58476D1CE4E5B9)
_H4 = np.uint64(0x94D049BB133111EB)


@njit(inline="always", **_OPTS)
def _hash(hi, j, seed):
    """A 64-bit hash of ``(row, column, seed)`` (splitmix64 finaliser); uint64 in and out.

    ``hi`` is ``row * _H1`` (computed once per row).
    """
    z = hi ^ ((j + seed) * _H2)
    z ^= z >> np.uint64(31)
    z *= _H3
    z ^= z >> np.uint64(29)
    z *= _H4
    z ^= z >> np.uint64(32)
    return z


@njit(inline="always", **_OPTS)
def _missing_entry(A, Af, B, out, r, c):
    """``v = A[r] . Af[c]``; ``out[r] += v * B[c]``; returns ``v`` (float64)."""
    v = 0.0
    for l in range(A.shape[1]):
        v += A[r, l] * Af[c, l]
    for l in range(B.shape[1]):
        out[r, l] += v * B[c, l]
    return v


@kernel
def _missing(indptr, indices, seed, thr, swap, A, Af, B, out, split, acc):
    """Over the rows ``r`` of each range: ``out[r] += sum_c (A[r] . Af[c]) B[c]``.

    Pattern (``indptr`` not empty): the rows of a CSR pattern. Hashed (``indptr``
    empty): entry ``(i, j)`` of ``X`` is missing when ``_hash(i, j, seed) < thr``;
    without ``swap`` the range is over rows ``i`` of ``X`` (``A = W``, ``Af = H.T``),
    with ``swap`` over its columns ``j`` (``A = H.T``, ``Af = W``), the loop over
    ``i`` outside so that the rows of ``A`` and ``out`` in the range stay in cache.
    ``acc[chunk]`` receives ``(sum v^2, number of entries)``.
    """
    n_other = Af.shape[0]
    for chunk in prange(split.shape[0] - 1):
        r0 = split[chunk]
        r1 = split[chunk + 1]
        s = 0.0
        cnt = 0
        if indptr.shape[0] > 0:
            for r in range(r0, r1):
                for p in range(indptr[r], indptr[r + 1]):
                    v = _missing_entry(A, Af, B, out, r, indices[p])
                    s += v * v
                cnt += indptr[r + 1] - indptr[r]
        elif not swap:
            for r in range(r0, r1):
                hi = np.uint64(r) * _H1
                for c in range(n_other):
                    if _hash(hi, np.uint64(c), seed) < thr:
                        v = _missing_entry(A, Af, B, out, r, c)
                        s += v * v
                        cnt += 1
        else:
            for c in range(n_other):  # c: the row of X, r: its column
                hi = np.uint64(c) * _H1
                for r in range(r0, r1):
                    if _hash(hi, np.uint64(r), seed) < thr:
                        v = _missing_entry(A, Af, B, out, r, c)
                        s += v * v
                        cnt += 1
        acc[chunk, 0] = s
        acc[chunk, 1] = cnt


def missing_product(A, Af, B, *, indptr=None, indices=None, seed=0, threshold=0, swap=False):
    """``P @ B`` where ``P[r, c] = A[r] . Af[c]`` on the missing entries, zero elsewhere.

    The missing entries are the stored ones of a CSR pattern (``indptr``,
    ``indices``; rows indexed like ``A``), or, without a pattern, the entries
    ``(i, j)`` of ``X`` with ``hash(i, j, seed) < threshold`` (``swap``: the rows of
    ``A`` are the columns of ``X``). ``B`` may have no columns (then only the sum
    is wanted). Returns ``(P @ B, sum of P**2 over the missing entries, their number)``.
    """
    dtype = A.dtype
    A = np.ascontiguousarray(A)
    Af = np.ascontiguousarray(Af, dtype=dtype)
    B = np.ascontiguousarray(B, dtype=dtype)
    n_rows = A.shape[0]
    if indptr is None:
        indptr = np.zeros(0, dtype=np.int64)
        indices = np.zeros(0, dtype=np.int32)
        split = even_split(n_rows)
        work = n_rows * Af.shape[0] * 4
    else:
        split = balanced_row_split(indptr)
        work = indices.shape[0] * (A.shape[1] + B.shape[1])
    out = np.zeros((n_rows, B.shape[1]), dtype=dtype)
    acc = np.zeros((split.shape[0] - 1, 2))
    _missing(("missing", n_rows, bool(swap)), work, indptr, indices, np.uint64(seed),
             np.uint64(threshold), bool(swap), A, Af, B, out, split, acc)
    return out, float(acc[:, 0].sum()), int(acc[:, 1].sum())
