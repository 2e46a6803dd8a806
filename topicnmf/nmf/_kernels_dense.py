"""The HALS sweeps of dense factors (an image's), vectorised across rows.

The row-by-row sweeps of ``_kernels._hals`` update one row's coordinates one
after the other: each depends on the last, so the compiler cannot vectorise
them, and at an image's ranks (k = 5 to 50, every coordinate non-zero) that
runs at a few multiply-adds per nanosecond. Here the same sweeps run over a
block of rows at once, coordinate by coordinate, the loops across the rows
vectorised; per row the arithmetic is that of ``_hals``, so the results are
the same bits given the same starting gradients (tests/test_nmf_kernels.py).
``_kernels.hals_rows(..., blas_gradient=True)`` runs them.
"""

from __future__ import annotations

import functools

import numpy as np
from numba import prange

from ._drivers import N_CHUNKS, kernel
from ._kernels import _kkt, _settled

#: rows swept together by ``hals_block`` (their gradients, ``k x ROW_BLOCK`` float64, stay in L1)
ROW_BLOCK = 64


@kernel
def hals_block(V, R, B, l1, l2, max_inner, eps2, split):
    """``_hals`` for dense rows, ``ROW_BLOCK`` rows at a time; ``R = A - V B`` is given.

    Each row goes through exactly the arithmetic of ``_hals`` (a coordinate
    that does not move adds ``0 * B`` to the gradient, which changes nothing),
    so ``V`` ends the same given the same starting gradients; the loops run
    across the rows of a block, coordinate by coordinate, which the compiler
    vectorises (a row's own coordinates depend on each other and cannot be).
    A row that settles (``_settled``) stops moving; the block stops once all
    its rows have.
    """
    k = V.shape[1]
    n_chunks = split.shape[0] - 1
    out = np.zeros(n_chunks)
    for c in prange(n_chunks):
        gT = np.empty((k, ROW_BLOCK))
        Vt = np.empty((k, ROW_BLOCK), dtype=V.dtype)
        diff = np.empty(ROW_BLOCK)
        delta = np.empty(ROW_BLOCK)
        first = np.zeros(ROW_BLOCK)
        active = np.empty(ROW_BLOCK, dtype=np.bool_)
        pg2 = 0.0
        for b0 in range(split[c], split[c + 1], ROW_BLOCK):
            bs = min(ROW_BLOCK, split[c + 1] - b0)
            for i in range(bs):
                active[i] = True
                for j in range(k):
                    Vt[j, i] = V[b0 + i, j]
                    gT[j, i] = l1 - R[b0 + i, j]
            for it in range(max_inner):
                for i in range(bs):
                    delta[i] = 0.0
                for j in range(k):
                    d = B[j, j] + l2
                    for i in range(bs):
                        moved = 0.0
                        if active[i]:
                            old = Vt[j, i]
                            grad = gT[j, i] + l2 * old
                            if it == 0:
                                r = _kkt(old, grad, d)
                                pg2 += r * r
                            if d > 0.0:
                                new = old - grad / d
                                if new < 0.0:
                                    new = 0.0
                                if new != old:
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
                for j in range(k):
                    V[b0 + i, j] = Vt[j, i]
        out[c] = pg2
    return out


@functools.lru_cache(maxsize=256)
def block_split(n: int) -> np.ndarray:
    """At most ``N_CHUNKS`` ranges over ``range(n)`` made of whole blocks of ``ROW_BLOCK`` rows
    (the last block may be shorter): the ranges the drivers run, serially or on threads.
    Made once per ``n`` and shared (callers only read it), as ``_drivers.even_split``."""
    n_blocks = -(-n // ROW_BLOCK)
    n_chunks = max(1, min(N_CHUNKS, n_blocks))
    split = np.minimum(np.linspace(0, n_blocks, n_chunks + 1).astype(np.int64) * ROW_BLOCK, n)
    return split
