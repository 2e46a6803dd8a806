"""Kullback-Leibler NMF by cyclic coordinate descent with Newton steps.

The method of Hsieh & Dhillon (KDD 2011, "Fast coordinate descent methods with
variable selection for non-negative matrix factorization", section 4): with
``H`` fixed, the rows of ``W`` are independent problems, and each coordinate
``w = W[i, r]`` of a row minimises the convex one-variable function

    f(w) = w * (sum_j H[r, j] + l1) + 0.5 l2 w^2
           - sum_{j : X[i, j] > 0} X[i, j] log(WH[i, j] - w_old H[r, j] + w H[r, j])

by projected Newton steps ``w <- max(0, w - f'(w) / f''(w))``. Then ``H`` is
updated the same way, row by row of ``X.T``. One iteration updates ``W``, then
``H``.

Each row is processed on its own (in parallel across rows): its stored entries
``x``, the matching rows of the other factor (transposed, in float64) and
``WH`` at those entries are gathered into small buffers, and every sweep over
the row's ``k`` coordinates then touches only those buffers. ``x / WH`` and
``x / WH^2`` are kept per entry and refreshed only when a coordinate moves, so
a coordinate that stays at zero (most of them, in topic models) costs two dot
products and no division. A row stops after ``max_inner`` sweeps, or once a
sweep moves it by at most ``eps`` times what its first sweep moved it.

Safeguard: ``f'`` is concave (``f''' < 0``), so a Newton step from the left of
the minimiser never passes it and always lowers ``f``; a step to the left can
overshoot. Such a step is accepted when ``f'(w_old) + f'(w_new) >= 0``, which by
concavity of ``f'`` implies ``f(w_new) <= f(w_old)``; else it is halved until it
is. The objective of the iterate therefore never increases (but by rounding).

Memory: no ``nnz x k`` or ``n x m`` temporaries; per thread, buffers of
``(k + 4) x`` (the longest row) float64; for CSR (CSC) ``X`` one CSC (CSR) copy
of ``X`` for the other factor's rows, made once per fit.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._lazy import kernels
from ._loss import penalty

_shared = kernels()  # chooses the kernel cache folder before the kernels below are defined
_OPTS, _kkt, _settled, _step, kernel = (_shared._OPTS, _shared._kkt, _shared._settled, _shared._step,
                                         _shared.kernel)
balanced_row_split, even_split = _shared.balanced_row_split, _shared.even_split

EPS = float(np.finfo(np.float32).eps)
#: sweeps per row and iteration, at most (fit), and the relative move that ends a row's sweeps
MAX_INNER = 2
INNER_EPS = 0.3
#: the same for the solve of ``W`` alone (``transform`` and the end of a fit)
SOLVE_W_INNER = 50
SOLVE_W_EPS = 1e-3
#: the loops over a row's entries may reorder their sums (vectorised); no other liberty
_FAST = {"reassoc", "contract", "arcp", "nsz"}


@njit(fastmath=_FAST, **_OPTS)
def _wh(V, i, Ub, wh, nz):
    """``wh = V[i] @ Ub`` over the row's entries (zero coordinates of ``V[i]`` skipped)."""
    for t in range(nz):
        wh[t] = 0.0
    for r in range(V.shape[1]):
        v = np.float64(V[i, r])
        if v != 0.0:
            for t in range(nz):
                wh[t] += v * Ub[r, t]


@njit(fastmath=_FAST, **_OPTS)
def _refresh(xs, wh, q, s, nz, eps):
    """``q = x / wh`` and ``s = x / wh^2`` (``wh`` floored at ``eps``)."""
    for t in range(nz):
        w = wh[t]
        if w < eps:
            w = eps
        inv = 1.0 / w
        q[t] = xs[t] * inv
        s[t] = q[t] * inv


@njit(fastmath=_FAST, **_OPTS)
def _grad(Ub, q, s, nz, r):
    """``sum u q`` and ``sum u^2 s`` over the row's entries, ``u`` the r-th factor row."""
    g = 0.0
    h = 0.0
    for t in range(nz):
        u = Ub[r, t]
        g += u * q[t]
        h += u * u * s[t]
    return g, h


@njit(fastmath=_FAST, **_OPTS)
def _move(xs, Ub, wh, q, s, nz, r, nxt, d, eps):
    """Move coordinate ``r`` by ``d``: ``wh += d u_r``, refresh ``q``, ``s``.

    Returns ``sum u_r q`` at the new point and ``_grad`` of coordinate ``nxt``.
    """
    g1 = 0.0
    g = 0.0
    h = 0.0
    for t in range(nz):
        w = wh[t] + d * Ub[r, t]
        wh[t] = w
        if w < eps:
            w = eps
        inv = 1.0 / w
        qq = xs[t] * inv
        ss = qq * inv
        q[t] = qq
        s[t] = ss
        g1 += Ub[r, t] * qq
        u = Ub[nxt, t]
        g += u * qq
        h += u * u * ss
    return g1, g, h


@njit(**_OPTS)
def _sweeps(xs, Ub, wh, q, s, nz, V, i, colsum, l1, l2, max_inner, eps2, eps):
    """Coordinate sweeps over row ``i`` of ``V`` (entries gathered); returns the
    squared stationarity residual met by the first sweep."""
    k = V.shape[1]
    pg2 = 0.0
    if max_inner == 0:
        return pg2
    _refresh(xs, wh, q, s, nz, eps)
    gd, h = _grad(Ub, q, s, nz, 0)
    first = 0.0
    for it in range(max_inner):
        moved = 0.0
        for r in range(k):
            nxt = r + 1 if r + 1 < k else 0
            v = V[i, r]
            g = colsum[r] + l1 + l2 * v - gd
            c = h + l2
            if it == 0:
                res = _kkt(v, g, c)
                pg2 += res * res
            new = 0.0 if c <= 0.0 and g > 0.0 else _step(v, g, c)
            V[i, r] = new
            new = V[i, r]  # rounded to the dtype of V: wh follows the stored value
            if new == v:
                gd, h = _grad(Ub, q, s, nz, nxt)
                continue
            cur = v  # the value wh reflects
            for _ in range(60):
                g1, gd, h = _move(xs, Ub, wh, q, s, nz, r, nxt, new - cur, eps)
                cur = new
                if new > v:  # a step to the right never passes the minimiser
                    break
                if g + (colsum[r] + l1 + l2 * new - g1) >= 0.0:
                    break  # f(new) <= f(v) by concavity of f'
                V[i, r] = v + 0.5 * (new - v)
                new = V[i, r]
                if new == cur:
                    break
            V[i, r] = cur
            moved += (cur - v) * (cur - v)
        first, settled = _settled(it, moved, first, eps2)
        if settled:
            break
    return pg2


@njit(fastmath=_FAST, **_OPTS)
def _data_term(xs, wh, nz, eps):
    """``sum x log(x / wh) - x`` over the entries ``x > eps`` (``wh`` floored at ``eps``)."""
    acc = 0.0
    for t in range(nz):
        x = xs[t]
        if x > eps:
            w = wh[t]
            if w < eps:
                w = eps
            acc += x * np.log(x / w) - x
    return acc


@njit(**_OPTS)
def _row_update(xs, Ub, wh, q, s, nz, V, i, colsum, l1, l2, max_inner, eps2, eps, want_loss):
    """Coordinate sweeps over row ``i`` of ``V`` from its gathered non-zeros; ``(pg2, loss)``."""
    _wh(V, i, Ub, wh, nz)
    pg2 = _sweeps(xs, Ub, wh, q, s, nz, V, i, colsum, l1, l2, max_inner, eps2, eps)
    return pg2, (_data_term(xs, wh, nz, eps) if want_loss else 0.0)


@njit(**_OPTS)
def _gather(indptr, indices, data, X, i, U, xs, Ub):
    """Row ``i``'s positive entries into ``xs`` and the matching rows of ``U`` into ``Ub``.

    ``X`` is a dense 2-D array, or has no rows and the row is that of the CSR
    arrays; returns the number of entries gathered.
    """
    dense = X.shape[0] > 0
    lo = 0 if dense else indptr[i]
    hi = X.shape[1] if dense else indptr[i + 1]
    nz = 0
    for p in range(lo, hi):
        x = X[i, p] if dense else data[p]
        if x > 0.0:
            j = p if dense else indices[p]
            xs[nz] = x
            for r in range(Ub.shape[0]):
                Ub[r, nz] = U[j, r]
            nz += 1
    return nz


@njit(**_OPTS)
def _body(indptr, indices, data, X, V, U, colsum, l1, l2, max_inner, eps2, eps, want_loss,
          r0, r1):
    """Rows ``r0`` to ``r1`` of ``V``, of a CSR ``X`` (its arrays) or a dense one (``X``)."""
    k = V.shape[1]
    longest = X.shape[1]
    if X.shape[0] == 0:
        for i in range(r0, r1):
            longest = max(longest, indptr[i + 1] - indptr[i])
    xs = np.empty(longest)
    wh = np.empty(longest)
    q = np.empty(longest)
    s = np.empty(longest)
    Ub = np.empty((k, longest))
    pg2 = 0.0
    loss = 0.0
    for i in range(r0, r1):
        nz = _gather(indptr, indices, data, X, i, U, xs, Ub)
        step, part = _row_update(xs, Ub, wh, q, s, nz, V, i, colsum, l1, l2, max_inner, eps2, eps, want_loss)
        pg2 += step
        loss += part
    return pg2, loss


@kernel
def _rows(indptr, indices, data, X, V, U, colsum, l1, l2, max_inner, eps2, eps, want_loss,
          split):
    n_chunks = split.shape[0] - 1
    out = np.zeros((n_chunks, 2))
    for c in prange(n_chunks):
        out[c, 0], out[c, 1] = _body(indptr, indices, data, X, V, U, colsum, l1, l2, max_inner,
                                     eps2, eps, want_loss, split[c], split[c + 1])
    return out


# ------------------------------------------------------------------ the drivers


class _Rows:
    """``X`` (or ``X.T``) row by row, with its split into ranges for the drivers.

    A sparse ``X`` is passed as its CSR arrays with a dense ``X`` of no rows; a
    dense one as itself with empty CSR arrays: one compiled body serves both.
    """

    def __init__(self, op, transposed: bool):
        X = op.rows(transposed)
        if op.is_sparse:
            self.args = (X.indptr, X.indices, X.data, np.empty((0, 0), dtype=X.dtype))
            self.split = balanced_row_split(X.indptr)
            self.size = X.nnz
        else:
            empty = np.empty(0, dtype=np.int64)
            self.args = (empty, empty, np.empty(0, dtype=X.dtype), X)
            self.split = even_split(X.shape[0])
            self.size = X.size

    def sweep(self, V, U, l1: float, l2: float, max_inner: int, eps: float,
              want_loss: bool) -> tuple[float, float]:
        """Coordinate-descent sweeps over the rows of ``V`` (in place), ``U`` fixed.

        ``V`` (n_rows, k) is the factor whose rows match the rows here (``W``,
        or ``H.T`` for ``X.T``); ``U`` (n_cols, k) is the other one. Returns the
        squared stationarity residual met by the first sweep of each row and,
        if ``want_loss``, ``sum x log(x / WH) - x`` over the entries of ``X``
        after the sweeps (else 0).
        """
        colsum = U.sum(axis=0, dtype=np.float64)
        work = self.size * V.shape[1] * (max_inner + 1)
        out = _rows(("kl", V.shape[0]), work, *self.args, V, U, colsum, float(l1), float(l2),
                    int(max_inner), float(eps) ** 2, EPS, bool(want_loss), self.split)
        return float(out[:, 0].sum()), float(out[:, 1].sum())


def _divergence(data_term: float, W, Ht) -> float:
    """The generalised KL divergence from its data term (``sum W H`` added)."""
    sum_wh = float(np.dot(W.sum(axis=0, dtype=np.float64), Ht.sum(axis=0, dtype=np.float64)))
    return max(data_term + sum_wh, 0.0)


def kl_cd(op, W, Ht, problem, monitor, *, max_inner: int = MAX_INNER,
          eps: float = INNER_EPS):
    """Cyclic coordinate descent with Newton steps for Kullback-Leibler NMF (``beta=1``).

    The solver of Hsieh & Dhillon (2011), described in the module docstring,
    with the signature of every solver (see ``_solvers``). Each iteration sweeps
    the rows of ``W`` (rows of ``X``), then those of ``H.T`` (rows of ``X.T``),
    at most ``max_inner`` times each. The objective never increases, but by
    rounding.
    """
    by_doc = _Rows(op, False)
    by_term = _Rows(op, True)
    _, data = by_term.sweep(Ht, W, 0.0, 0.0, 0, eps, True)
    monitor.start(_divergence(data, W, Ht) + problem.penalty(W, Ht))
    while True:
        pg2, _ = by_doc.sweep(W, Ht, problem.l1_W, problem.l2_W, max_inner, eps, False)
        pg2_H, data = by_term.sweep(Ht, W, problem.l1_H, problem.l2_H, max_inner, eps, True)
        loss = _divergence(data, W, Ht) + problem.penalty(W, Ht)
        if monitor.step(loss, pg2 + pg2_H):
            return W, Ht


def solve_w_kl(op, Ht, problem, W, *, warm: bool, tol: float, max_iter: int):
    """``argmin_{W >= 0}`` of the Kullback-Leibler objective for fixed ``H`` (``Ht = H.T``).

    Each row of ``W`` is swept until a sweep moves it by at most ``SOLVE_W_EPS``
    times its first move (at most ``SOLVE_W_INNER`` sweeps); that repeats until
    the objective decreases by at most ``tol`` relatively, or ``max_iter`` times.
    Starts from ``W`` (``warm``) or from a constant. Returns ``(W, divergence)``.
    """
    n, m = op.shape
    k = Ht.shape[1]
    if not warm:
        W[...] = np.sqrt(op.total / (n * m) / k)
    rows = _Rows(op, False)
    prev = None
    div = 0.0
    for _ in range(max_iter):
        _, data = rows.sweep(W, Ht, problem.l1_W, problem.l2_W, SOLVE_W_INNER, SOLVE_W_EPS,
                             True)
        div = _divergence(data, W, Ht)
        loss = div + penalty(W, problem.l1_W, problem.l2_W)
        if prev is not None and prev - loss <= tol * abs(prev):
            break
        prev = loss
    return W, div
