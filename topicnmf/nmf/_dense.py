"""Compiled helpers for dense matrices (an image): narrow products, a whole HALS iteration
over factors of a few columns (``hals_iteration``), NNDSVD in two passes, exact sums of
integers and of their squares, a power-iterated randomized SVD in one call
(``power_sketch``: no GIL held, for the SVD bound that runs on a thread beside a fit).

:func:`narrow_product`: ``X @ B`` and ``X.T @ B`` for a dense ``X`` and a
factor of a few columns, where BLAS is slow (at k = 5 on a 427 x 640 float32
photograph OpenBLAS runs at about a fifth of its speed at k = 50; the loops
here, four rows of ``X`` against two columns of the factor at a time, take
about a third of its time). Its sums are in another order than BLAS's (the
same to rounding). For an 8- or 16-bit image they read the pixels (one or two
bytes a value) rather than their float copy, each block of four rows converted
once: the same sums, bit for bit, and about a third less time where the float
copy does not fit in the cache (a colour photograph of 1281 x 640 values, or a
grey one of 800 x 1200: the loops are then bound by reading ``X``); at k = 16
and more OpenBLAS on the floats is faster than these loops on the pixels
(1.2 to 1.6 times at k = 16 to 50, so the wider products stay on BLAS).

``nndsvd_factors`` of ``_init`` is the reference (numpy, for every caller,
small problems included, with nothing to compile); :func:`nndsvd_dense` gives
the same factors (to the rounding of the column norms, accumulated here in
float64) in two passes over ``U`` and ``V``, where numpy's version makes about
twenty: at an image's ranks (427 x 640, k = 20 to 50) a few hundredths of a
millisecond rather than a few tenths, on the path to ``compress``'s first
iteration. Importing this module imports numba (``_lazy.kernels`` first chooses
the cache folder).
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.extending import overload

from ._drivers import _OPTS, N_CHUNKS
from ._hals import hals_block

_sweeps = hals_block.serial  # (at an image's small ranks the sweeps' work is below the parallel threshold)

@njit(fastmath=True, **_OPTS)
def _dot_block(R, H, out, i):
    """``out[i:i + r] = R @ H.T`` for the ``r`` (4 or 1) rows of ``R`` (float, C-ordered):
    four rows of ``R`` against two rows of ``H`` at once (each value read serves two or
    four multiply-adds: the loops are bound by reading, not by the arithmetic)."""
    m = R.shape[1]
    k = H.shape[0]
    zero = np.zeros(1, dtype=R.dtype)[0]  # the sums run in the dtype of the rows
    if R.shape[0] == 4:
        l = 0
        while l + 2 <= k:
            s0 = s1 = s2 = s3 = t0 = t1 = t2 = t3 = zero
            for j in range(m):
                h, f = H[l, j], H[l + 1, j]
                x0, x1, x2, x3 = R[0, j], R[1, j], R[2, j], R[3, j]
                s0 += x0 * h
                s1 += x1 * h
                s2 += x2 * h
                s3 += x3 * h
                t0 += x0 * f
                t1 += x1 * f
                t2 += x2 * f
                t3 += x3 * f
            out[i, l], out[i + 1, l], out[i + 2, l], out[i + 3, l] = s0, s1, s2, s3
            out[i, l + 1], out[i + 1, l + 1], out[i + 2, l + 1], out[i + 3, l + 1] = t0, t1, t2, t3
            l += 2
        if l < k:
            s0 = s1 = s2 = s3 = zero
            for j in range(m):
                h = H[l, j]
                s0 += R[0, j] * h
                s1 += R[1, j] * h
                s2 += R[2, j] * h
                s3 += R[3, j] * h
            out[i, l], out[i + 1, l], out[i + 2, l], out[i + 3, l] = s0, s1, s2, s3
    else:
        for l in range(k):
            s0 = zero
            for j in range(m):
                s0 += R[0, j] * H[l, j]
            out[i, l] = s0


@njit(fastmath=True, **_OPTS)
def _axpy_block(R, W, out, i):
    """``out += W[i:i + r].T @ R`` for the ``r`` (4 or 1) rows of ``R`` (float, C-ordered):
    two rows of ``out`` at once."""
    m = R.shape[1]
    k = W.shape[1]
    if R.shape[0] == 4:
        l = 0
        while l + 2 <= k:
            w0, w1, w2, w3 = W[i, l], W[i + 1, l], W[i + 2, l], W[i + 3, l]
            v0, v1, v2, v3 = W[i, l + 1], W[i + 1, l + 1], W[i + 2, l + 1], W[i + 3, l + 1]
            for j in range(m):
                x0, x1, x2, x3 = R[0, j], R[1, j], R[2, j], R[3, j]
                out[l, j] += w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3
                out[l + 1, j] += v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3
            l += 2
        if l < k:
            w0, w1, w2, w3 = W[i, l], W[i + 1, l], W[i + 2, l], W[i + 3, l]
            for j in range(m):
                out[l, j] += w0 * R[0, j] + w1 * R[1, j] + w2 * R[2, j] + w3 * R[3, j]
    else:
        for l in range(k):
            w0 = W[i, l]
            for j in range(m):
                out[l, j] += w0 * R[0, j]


@njit(fastmath=True, **_OPTS)
def _float_rows(X, F, out, gather):
    """``out = X @ F.T`` for ``F`` (k, m), or with ``gather`` ``out = F.T @ X`` for ``F``
    (n, k), over the rows of ``X`` (n, m, C-ordered), four at a time."""
    n = X.shape[0]
    if gather:
        out[:] = 0
    i = 0
    while i + 4 <= n:
        if gather:
            _axpy_block(X[i:i + 4], F, out, i)
        else:
            _dot_block(X[i:i + 4], F, out, i)
        i += 4
    while i < n:
        if gather:
            _axpy_block(X[i:i + 1], F, out, i)
        else:
            _dot_block(X[i:i + 1], F, out, i)
        i += 1


@njit(fastmath=True, **_OPTS)
def _pixel_rows(P, F, out, gather):
    """:func:`_float_rows` for integer pixels ``P``: each block of four rows is converted
    to the dtype of ``F`` once (into a buffer that stays in the cache), then multiplied
    as :func:`_float_rows` multiplies the rows of a float ``X``: the same numbers, bit
    for bit."""
    n, m = P.shape
    buf = np.empty((4, m), dtype=F.dtype)
    if gather:
        out[:] = 0
    i = 0
    while i < n:
        r = 4 if i + 4 <= n else 1
        for a in range(r):
            for j in range(m):
                buf[a, j] = P[i + a, j]
        if gather:
            _axpy_block(buf[:r], F, out, i)
        else:
            _dot_block(buf[:r], F, out, i)
        i += r


def narrow_product(a: np.ndarray, b: np.ndarray, pixels: np.ndarray | None = None,
                   out: np.ndarray | None = None) -> np.ndarray:
    """``a @ b`` (C-ordered) for a dense ``a`` (C- or F-ordered: ``X`` or ``X.T``) and a
    factor ``b`` of a few columns (``_operator.NARROW_K``), both of one float dtype.

    ``pixels``: ``a``'s values as 8- or 16-bit unsigned integers, in ``a``'s layout
    (``a`` holds them exactly, as floats). The loops then read them instead of ``a``
    (one or two bytes a value rather than four or eight: where ``a`` does not fit in
    the cache, the products are bound by reading it) and convert each row block to
    ``a``'s dtype once; the arithmetic is the same, so is the result, bit for bit.
    ``out``: a C-ordered array for the result, if any (for an F-ordered ``a`` the
    loops fill a transposed temporary, copied there).
    """
    k = b.shape[1]
    gather = not a.flags.c_contiguous  # a.T is C-ordered: out = b.T @ a.T, transposed
    if out is None:
        out = np.empty((a.shape[0], k), dtype=a.dtype)
    rows = np.empty((k, a.shape[0]), dtype=a.dtype) if gather else out
    factor = np.ascontiguousarray(b if gather else b.T)
    if pixels is None:
        _float_rows(a.T if gather else a, factor, rows, gather)
    else:
        _pixel_rows(pixels.T if gather else pixels, factor, rows, gather)
    if gather:
        out[...] = rows.T
    return out


def _rows_of(rows, F, out, gather):
    """:func:`_pixel_rows` for integer ``rows``, :func:`_float_rows` for float ones (chosen
    when compiled, so only the one needed is)."""


@overload(_rows_of, jit_options=_OPTS)
def _rows_of_dtype(rows, F, out, gather):
    if isinstance(rows.dtype, types.Integer):
        return lambda rows, F, out, gather: _pixel_rows(rows, F, out, gather)
    return lambda rows, F, out, gather: _float_rows(rows, F, out, gather)


@njit(**_OPTS)
def _extrapolated(V, dV, beta):
    """``dV <- max(V + beta dV, 0)`` in place (``_solvers._extrapolate``'s arithmetic)."""
    v = V.reshape(-1)
    d = dV.reshape(-1)
    for i in range(v.shape[0]):
        x = d[i] * beta + v[i]
        d[i] = x if x > 0 else 0


@njit(**_OPTS)
def sum_products(a, b):
    """``sum(a * b)`` in float64 for C-ordered arrays of one shape: ``N_CHUNKS`` partial
    sums over even ranges, then their sum (``_kernels.fdot``)."""
    x = a.reshape(-1)
    y = b.reshape(-1)
    n = x.shape[0]
    total = 0.0
    for c in range(N_CHUNKS):
        acc = 0.0
        for i in range(n * c // N_CHUNKS, n * (c + 1) // N_CHUNKS):
            acc += np.float64(x[i]) * np.float64(y[i])
        total += acc
    return total


@njit(**_OPTS)
def hals_iteration(rows, W, Ht, Wn, Hn, momentum, beta, A, have_A, l1_W, l2_W, l1_H, l2_H,
                   inner_W, inner_H, eps2, split_W, split_H, sq_norm):
    """One iteration of ``_solvers.hals`` for a dense C-ordered ``X`` and factors of a few
    columns, in one call: the start point (``Wn``, ``Hn``: the extrapolated one with
    ``momentum``, else a copy of ``W``, ``Ht``), the update of ``Wn`` from ``X @ Hn``
    (``A`` if ``have_A``: the loop's first product), the update of ``Hn`` from
    ``X.T @ Wn``, both by ``_hals.hals_block``'s sweeps from BLAS gradients, and the
    objective ``0.5 |X - Wn Hn^T|^2`` (without penalties, summed as ``_kernels.fdot`` sums). ``rows``: ``X``, or its
    8- or 16-bit ``pixels``. Returns ``(objective, squared residual of the first sweeps)``:
    the same arithmetic as the loop's steps, one call rather than about twenty (at an
    image's k = 5 those calls cost about a fifth of an iteration).
    """
    n, k = W.shape
    m = Ht.shape[0]
    if momentum:
        _extrapolated(W, Wn, beta)
        _extrapolated(Ht, Hn, beta)
    else:
        Wn[:] = W
        Hn[:] = Ht
    if not have_A:
        A = np.empty((n, k), dtype=W.dtype)
        _rows_of(rows, np.ascontiguousarray(Hn.T), A, False)
    HtH = Hn.T @ Hn
    pg2 = _sweeps(Wn, A - Wn @ HtH, HtH, l1_W, l2_W, inner_W, eps2, split_W).sum()
    CT = np.empty((k, m), dtype=W.dtype)
    _rows_of(rows, Wn, CT, True)
    C = np.ascontiguousarray(CT.T)
    WtW = Wn.T @ Wn
    pg2 += _sweeps(Hn, C - Hn @ WtW, WtW, l1_H, l2_H, inner_H, eps2, split_H).sum()
    HtH = Hn.T @ Hn
    objective = 0.5 * sq_norm - sum_products(Hn, C) + 0.5 * sum_products(WtW, HtH)
    return max(objective, 0.0), pg2


@njit(**_OPTS)
def _signed_parts(A):
    """Per column of ``A``: the squared norms of its positive and of its negative part."""
    n, k = A.shape
    pos = np.zeros(k)
    neg = np.zeros(k)
    for i in range(n):
        for j in range(k):
            a = np.float64(A[i, j])
            if a > 0.0:
                pos[j] += a * a
            else:
                neg[j] += a * a
    return pos, neg


@njit(**_OPTS)
def _scaled(A, factor, eps):
    """``max(A * factor, 0)`` per column (``factor`` signed; column 0: ``|A| * factor``),
    entries below ``eps`` set to zero, in the dtype of ``A``."""
    n, k = A.shape
    out = np.empty_like(A)
    f = factor.astype(A.dtype)
    for i in range(n):
        for j in range(k):
            a = A[i, j]
            if j == 0 and a < 0:
                a = -a
            v = a * f[j]
            out[i, j] = v if v >= eps else 0.0
    return out


def nndsvd_dense(U, s, V, eps: float = 1e-6):
    """:func:`~topicnmf.nmf._init.nndsvd_factors` for dense ``U``, ``V`` (C-ordered):
    ``W`` (n_samples, k), ``Ht`` (n_features, k) in the dtype of ``U``."""
    k = U.shape[1]
    up, un = _signed_parts(U)
    vp, vn = _signed_parts(V)
    nup, nun, nvp, nvn = np.sqrt(up), np.sqrt(un), np.sqrt(vp), np.sqrt(vn)
    mp, mn = nup * nvp, nun * nvn
    # each pair keeps its positive or its negative parts, whichever has the larger
    # norm; the first pair (a Perron pair, of one sign) its absolute values; a zero
    # pair (rank-deficient X) stays at zero
    pos = mp > mn
    if k:
        pos[0] = True
        nup[0] = nvp[0] = mp[0] = 1.0
    sigma = np.where(pos, mp, mn)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.sqrt(s * sigma)
        sign = np.where(pos, 1.0, -1.0)
        fw = np.where(sigma > 0, sign * lam / np.where(pos, nup, nun), 0.0)
        fh = np.where(sigma > 0, sign * lam / np.where(pos, nvp, nvn), 0.0)
    return _scaled(U, fw, eps), _scaled(V, fh, eps)


@njit(**_OPTS)
def _int_sums(a):
    total = 0
    squares = 0
    for i in range(a.shape[0]):
        v = np.int64(a[i])
        total += v
        squares += v * v
    return total, squares


def int_sums(a: np.ndarray) -> tuple[int, int]:
    """``(sum(a), sum(a ** 2))`` of an integer array (8 or 16 bits), exactly, in one pass
    (int64 sums: exact for up to 2^33 values of 16 bits)."""
    total, squares = _int_sums(np.ascontiguousarray(a).reshape(-1))
    return int(total), int(squares)


@njit(**_OPTS)
def cholesky_lower(M, n, floor):
    """Cholesky in place: the lower triangle of ``M[:n, :n]`` (symmetric positive
    definite, float64, only the lower triangle read) becomes ``L`` with ``L L.T = M``.

    A pivot not above ``floor`` is raised to it where ``floor > 0`` (a least-squares
    solve keeps going on a nearly singular Gram matrix); with ``floor = 0`` it makes
    the factorisation fail. Returns whether it succeeded.
    """
    for p in range(n):
        s = M[p, p]
        for q in range(p):
            s -= M[p, q] * M[p, q]
        if not s > floor:
            if floor > 0.0:
                s = floor
            else:
                return False
        s = np.sqrt(s)
        M[p, p] = s
        for r in range(p + 1, n):
            t = M[r, p]
            for q in range(p):
                t -= M[r, q] * M[p, q]
            M[r, p] = t / s
    return True


@njit(**_OPTS)
def _cholesky_inverse(G, tiny):
    """``R^-1`` for the upper Cholesky factor ``R`` of ``G`` (r x r, float64), or an empty
    array where ``G`` is not positive definite or ``R``'s diagonal spans more than
    ``1 / tiny`` (then the columns behind ``G`` are too ill-conditioned for Cholesky QR)."""
    r = G.shape[0]
    L = G.copy()
    if not cholesky_lower(L, r, 0.0):
        return np.empty((0, 0))
    diag = np.diag(L)
    if diag.min() <= tiny * diag.max():
        return np.empty((0, 0))
    Ri = np.zeros((r, r))
    for j in range(r):  # R x = e_j by back substitution, R = L.T
        Ri[j, j] = 1.0 / L[j, j]
        for i in range(j - 1, -1, -1):
            t = 0.0
            for p in range(i + 1, j + 1):
                t += L[p, i] * Ri[p, j]
            Ri[i, j] = -t / L[i, i]
    return Ri


@njit(**_OPTS)
def _cholesky_qr_compiled(Y, tiny):
    """:func:`topicnmf.nmf._init._cholesky_qr` of ``Y``: ``(Q, R^-1)``, ``Q`` in ``Y``'s dtype."""
    Y64 = Y.astype(np.float64)
    Ri = _cholesky_inverse(Y64.T @ Y64, tiny)
    if Ri.shape[0] == 0:
        Q, _ = np.linalg.qr(Y64)
        return Q.astype(Y.dtype), np.eye(Y.shape[1])
    return (Y64 @ Ri).astype(Y.dtype), Ri


@njit(**_OPTS)
def _power_sketch(X, omega, n_iter, k, tiny):
    Xt = X.T
    Y = X @ omega
    for _ in range(n_iter):
        Q = _cholesky_qr_compiled(Y, tiny)[0]
        Z = Xt @ Q
        Q = _cholesky_qr_compiled(Z, tiny)[0]
        Y = X @ Q
    Y64 = Y.astype(np.float64)
    Ri = _cholesky_inverse(Y64.T @ Y64, tiny)
    if Ri.shape[0] == 0:
        Q64, _ = np.linalg.qr(Y64)
        Y = Q64.astype(X.dtype)
        Ri = np.eye(Y.shape[1])
    Z = Xt @ Y
    Z64 = Z.astype(np.float64)
    evals, Ub = np.linalg.eigh(Ri.T @ (Z64.T @ Z64) @ Ri)  # ascending
    r = evals.shape[0]
    P = np.empty((r, k))
    s = np.empty(k)
    for j in range(k):
        s[j] = np.sqrt(max(evals[r - 1 - j], 0.0))
        for i in range(r):
            P[i, j] = Ub[i, r - 1 - j]
    P = Ri @ P
    Pv = P.copy()
    for j in range(k):
        inv = 1.0 / s[j] if s[j] > 0.0 else 0.0
        for i in range(r):
            Pv[i, j] *= inv
    return Y @ P.astype(X.dtype), s, Z @ Pv.astype(X.dtype)


def power_sketch(X: np.ndarray, omega: np.ndarray, n_iter: int, k: int):
    """:class:`topicnmf.nmf._init.Sketch` with ``n_iter`` power iterations as one compiled call:
    ``(U, s, V)`` from the test matrix ``omega`` (m, r) in ``X``'s dtype (float32 or float64).

    The same steps (Cholesky QR of each product's basis, plain QR where it is too
    ill-conditioned, the SVD of ``Q^T X`` from the eigenpairs of ``B B^T``), all in
    one call that holds no GIL: products by BLAS, the small factorisations by
    LAPACK or by loops here. On a thread beside a fit (the SVD bound of
    ``images.compress``) the fit's thread then never waits for this one's Python.
    """
    X = np.ascontiguousarray(X)
    tiny = float(np.sqrt(np.finfo(X.dtype).eps))
    return _power_sketch(X, np.ascontiguousarray(omega, dtype=X.dtype), int(n_iter), int(k), tiny)
