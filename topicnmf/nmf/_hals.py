"""HALS: coordinate-descent sweeps over the rows of a factor (compiled, as ``_kernels``).

Each row ``v`` of ``V`` solves ``min 0.5 v B v' - a v' + l1 sum(v) + 0.5 l2 |v|^2``
over ``v >= 0`` by exact coordinate steps. Two layouts of the same arithmetic:

- ``_hals``, row by row: a row's gradient is kept with one axpy per coordinate
  that moves, so the zeros of sparse factors (a text's) cost one comparison;
- ``hals_block``, for dense factors (an image's): the sweeps run over a block
  of rows at once, coordinate by coordinate, the loops across the rows
  vectorised (a row's own coordinates depend on each other and cannot be); at
  an image's ranks (k = 5 to 50, every coordinate non-zero) the row-by-row
  sweeps run at a few multiply-adds per nanosecond. Per row the arithmetic is
  that of ``_hals``, so the results are the same bits given the same starting
  gradients (tests/test_nmf_kernels.py).

``hals_rows`` runs one or the other; ``_kernels`` re-exports it with the other kernels.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import njit, prange

from ._drivers import _OPTS, even_split, kernel


@njit(**_OPTS)
def _kkt(v, g, c):
    """Stationarity residual of one coordinate: gradient ``g``, curvature ``c``, value ``v >= 0``.

    ``c * (v - max(0, v - g / c))``: the gradient where a Newton step stays
    non-negative, ``c * v`` where it would cross zero; zero exactly at a KKT point.
    """
    if c > 0.0:
        if v - g / c >= 0.0:
            return g
        return c * v
    if v > 0.0 or g < 0.0:
        return g
    return 0.0


@njit(inline="always", **_OPTS)
def _step(v, g, c):
    """The exact minimiser over ``v >= 0`` of one coordinate (value ``v``, gradient ``g``,
    curvature ``c``): ``max(0, v - g / c)``; ``v`` itself where ``c <= 0`` (a factor row
    with no weight)."""
    if c <= 0.0:
        return v
    new = v - g / c
    if new < 0.0:
        new = 0.0
    return new


@njit(inline="always", **_OPTS)
def _update(old, g, d, l2, first_sweep):
    """One coordinate's step: value ``old``, gradient ``g`` without the ``l2`` term,
    curvature ``d`` (``l2`` included); returns the new value and, on the first sweep,
    the squared stationarity residual (``_kkt``) before the step (else 0)."""
    grad = g + l2 * old
    r2 = 0.0
    if first_sweep:
        r = _kkt(old, grad, d)
        r2 = r * r
    return _step(old, grad, d), r2


@njit(inline="always", **_OPTS)
def _settled(it, moved, first, eps2):
    """A row's sweeps stop once one moves it by at most ``eps`` times what the first moved it.

    ``moved`` is the squared move of sweep ``it`` (0-based), ``first`` that of the
    first sweep, ``eps2`` is ``eps ** 2``; returns ``(first, whether to stop)``.
    """
    if it == 0:
        return moved, moved == 0.0
    return first, moved <= eps2 * first


@kernel
def _hals(V, A, B, l1, l2, max_inner, eps2, split):
    """Sweeps over the rows of each range; per range, the squared residual of the first sweep.

    The gradient of a row, ``g = v B - a + l1`` (plus ``l2 v``), is kept up to date
    with one axpy per coordinate that moves, so coordinates that stay at zero (most
    of them in sparse factors) cost one comparison.
    """
    k = V.shape[1]
    n_chunks = split.shape[0] - 1
    out = np.zeros(n_chunks)
    for c in prange(n_chunks):
        g = np.empty(k)
        pg2 = 0.0
        for i in range(split[c], split[c + 1]):
            for j in range(k):
                g[j] = l1 - A[i, j]
            for l in range(k):
                v = V[i, l]
                if v != 0.0:
                    for j in range(k):
                        g[j] += v * B[l, j]
            first = 0.0
            for it in range(max_inner):
                delta = 0.0
                for j in range(k):
                    old = V[i, j]
                    new, r2 = _update(old, g[j], B[j, j] + l2, l2, it == 0)
                    pg2 += r2
                    if new != old:
                        diff = new - old
                        V[i, j] = new
                        for l in range(k):
                            g[l] += diff * B[j, l]
                        delta += diff * diff
                first, settled = _settled(it, delta, first, eps2)
                if settled:
                    break
        out[c] = pg2
    return out


def hals_rows(V, A, B, l1, l2, max_inner, eps, blas_gradient=False):
    """Coordinate-descent sweeps over the rows of ``V``, in place.

    Each row ``v`` of ``V`` solves ``min 0.5 v B v' - a v' + l1 sum(v) + 0.5 l2 |v|^2``
    over ``v >= 0`` (``a`` the matching row of ``A``). A row stops after
    ``max_inner`` sweeps, or once a sweep moves it by at most ``eps`` times what
    its first sweep moved it.

    ``blas_gradient``: for dense factors (an image's). The rows' starting
    gradients come from one BLAS product ``A - V B`` in the dtype of ``V``
    (rather than row by row in float64: at k = 50 a third of the sweeps'
    work; the rows of sparse factors skip their zeros and gain nothing), and
    the sweeps run over blocks of rows at once (``hals_block``: the same
    arithmetic per row, vectorised across rows; 1.5 to 2.3 times faster on a
    427 x k photograph's factors at k = 5 to 50).

    Returns the squared stationarity residual (see ``_kkt``) met by the first
    sweep, each coordinate's just before its update, as a float.
    """
    n, k = V.shape
    B = np.ascontiguousarray(B, dtype=V.dtype)
    A = np.ascontiguousarray(A, dtype=V.dtype)
    if blas_gradient:
        pg2 = hals_block(("hals_block", n), n * k * k, V, A - V @ B, B, float(l1), float(l2),
                         int(max_inner), float(eps) ** 2, block_split(n))
    else:
        pg2 = _hals(("hals", n), n * k * k, V, A, B, float(l1), float(l2), int(max_inner),
                    float(eps) ** 2, even_split(n))
    return float(pg2.sum())

#: rows swept together by ``hals_block`` (their gradients, ``k x ROW_BLOCK`` float64, stay in L1)
ROW_BLOCK = 64


@kernel
def hals_block(V, R, B, l1, l2, max_inner, eps2, split):
    """``_hals`` for dense rows, ``ROW_BLOCK`` rows at a time; ``R = A - V B`` is given.

    Each row goes through exactly the arithmetic of ``_hals`` (a coordinate
    that does not move adds ``0 * B`` to the gradient, which changes nothing),
    so ``V`` ends the same given the same starting gradients; the loops run
    across the rows of a block, coordinate by coordinate, without branches
    (a row that settled keeps its values by a select), which the compiler
    vectorises (a row's own coordinates depend on each other and cannot be).
    A row that settles (``_settled``) stops moving; the block stops once all
    its rows have. The residuals of the first sweep are summed per row, then
    over the rows (another order than ``_hals``'s: the same to rounding).
    """
    k = V.shape[1]
    n_chunks = split.shape[0] - 1
    out = np.zeros(n_chunks)
    # each range's buffers, allocated once for all ranges (at an image's small ranks the
    # allocations of every range's own buffers cost as much as a sweep)
    gTs = np.empty((n_chunks, k, ROW_BLOCK))
    Vts = np.empty((n_chunks, k, ROW_BLOCK), dtype=V.dtype)
    rows = np.zeros((n_chunks, 5, ROW_BLOCK))
    actives = np.empty((n_chunks, ROW_BLOCK), dtype=np.bool_)
    for c in prange(n_chunks):
        gT, Vt, active = gTs[c], Vts[c], actives[c]
        diff, delta, first, pg = rows[c, 0], rows[c, 1], rows[c, 2], rows[c, 3]
        pg2 = 0.0
        for b0 in range(split[c], split[c + 1], ROW_BLOCK):
            bs = min(ROW_BLOCK, split[c + 1] - b0)
            for i in range(bs):
                active[i] = True
                pg[i] = 0.0
            for j in range(k):
                for i in range(bs):
                    Vt[j, i] = V[b0 + i, j]
                    gT[j, i] = l1 - R[b0 + i, j]
            for it in range(max_inner):
                for i in range(bs):
                    delta[i] = 0.0
                for j in range(k):
                    d = B[j, j] + l2
                    if it == 0 and d > 0.0:  # _update's arithmetic written out as selects
                        for i in range(bs):
                            old = Vt[j, i]
                            grad = gT[j, i] + l2 * old
                            step = old - grad / d
                            r = grad if step >= 0.0 else d * old
                            pg[i] += r * r
                            new = 0.0 if step < 0.0 else step
                            moved = new - old
                            Vt[j, i] = new
                            delta[i] += moved * moved
                            diff[i] = moved
                    elif it == 0:  # every row moves; each coordinate's residual before its step
                        for i in range(bs):
                            old = Vt[j, i]
                            new, r2 = _update(old, gT[j, i], d, l2, True)
                            pg[i] += r2
                            moved = new - old
                            Vt[j, i] = new
                            delta[i] += moved * moved
                            diff[i] = moved
                    elif d > 0.0:
                        for i in range(bs):
                            old = Vt[j, i]
                            step = old - (gT[j, i] + l2 * old) / d
                            new = 0.0 if step < 0.0 else step
                            new = new if active[i] else old
                            moved = new - old
                            Vt[j, i] = new
                            delta[i] += moved * moved
                            diff[i] = moved
                    else:
                        for i in range(bs):
                            old = Vt[j, i]
                            new = _update(old, gT[j, i], d, l2, False)[0]
                            new = new if active[i] else old
                            moved = new - old
                            Vt[j, i] = new
                            delta[i] += moved * moved
                            diff[i] = moved
                    for l in range(k):
                        b = B[j, l]
                        for i in range(bs):
                            gT[l, i] += diff[i] * b
                n_active = 0
                for i in range(bs):
                    if active[i]:
                        first[i], settled = _settled(it, delta[i], first[i], eps2)
                        active[i] = not settled
                        n_active += active[i]
                if n_active == 0:
                    break
            for i in range(bs):
                pg2 += pg[i]
            for j in range(k):
                for i in range(bs):
                    V[b0 + i, j] = Vt[j, i]
        out[c] = pg2
    return out


@functools.lru_cache(maxsize=256)
def block_split(n: int) -> np.ndarray:
    """At most ``N_CHUNKS`` ranges over ``range(n)`` made of whole blocks of ``ROW_BLOCK`` rows
    (the last block may be shorter): the ranges the drivers run, serially or on threads.
    Made once per ``n`` and shared (callers only read it), as ``_drivers.even_split``."""
    return np.minimum(even_split(-(-n // ROW_BLOCK)) * ROW_BLOCK, n)
