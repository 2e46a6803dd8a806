"""The data seam: the few operations the solvers apply to ``X``.

Solvers never touch ``X`` itself. They see it through an operator with

- ``matmul(Ht, out=None)``: ``X @ Ht`` of shape ``(n_samples, k)`` (that is ``X @ H.T``),
- ``rmatmul(W, out=None)``: ``X.T @ W`` of shape ``(n_features, k)`` (that is ``(W.T @ X).T``),
  both C-ordered, and written into ``out`` when it is given (a C-ordered array of the
  result's shape and dtype): a fit keeps one such buffer for all its products
  (``_solvers._buffer``) rather than allocating two arrays an iteration,
- ``sq_norm``: ``||X||_F^2`` as a Python float, and ``total``: the sum of all entries,
- for the beta-divergences other than Frobenius, the stored entries:
  ``data`` (their values), ``dot_at_data(W, Ht)`` (``W @ H`` at those entries)
  and ``with_data(values)`` (an operator with the same pattern and new values);
  ``rows(transposed)`` gives ``X`` (or ``X.T``) row by row, for solvers that
  sweep over the entries of one row at a time (the Kullback-Leibler coordinate
  descent).

``H`` is kept transposed (``Ht``, shape ``(n_features, k)``, C-ordered) inside the
solvers so that the updates of ``W`` and of ``H`` are the same code applied to
``X`` and to ``X.T``.

A dense array, a CSR or a CSC matrix each have an operator here; a memory-mapped
or a row-partitioned matrix plugs in by implementing the same methods.

Missing entries (``_mask.MaskedOperator``) add ``fill(W, Ht)``: the products
are then those of ``X`` with its missing entries filled by ``W @ H``. The plain
operators have nothing missing (``masked = False``) and ignore ``fill``.

``hals_iteration(k)`` offers ``_solvers.hals`` a compiled iteration over ``X`` at
rank ``k``, or None (every operator but a dense one with narrow products).
"""

from __future__ import annotations

import functools

import numpy as np
import scipy.sparse as sp

from ._lazy import kernels, running_small, thread_pool


#: a dense product of at least this many multiply-adds may run on all BLAS threads
#: (a 1000 x 1000 image by k = 50 is 5e7; below, a slow second thread, re-measured
#: every ``_drivers.REMEASURE_EVERY`` calls, costs more than the others can win)
DENSE_THREADS_MIN_WORK = 40_000_000


#: the fewest and the most columns of a factor multiplied by ``_dense.narrow_product``
#: (on a 427 x 640 photograph in float32: OpenBLAS takes 0.1 ms at k = 5, about the
#: time it takes at k = 20; those loops a third of it; at 1 and 2 columns and from
#: about 14 on BLAS is faster)
NARROW_K = (3, 12)


#: the large dense products are computed as this many fixed ranges of rows, each a
#: one-thread BLAS call, whether the ranges run one after the other or at once
DENSE_PIECES = 2


def _pieces(a):
    bounds = np.linspace(0, a.shape[0], DENSE_PIECES + 1).astype(int)
    return list(zip(bounds[:-1], bounds[1:]))


def _out(a, b):
    return np.empty((a.shape[0], b.shape[1]), dtype=np.result_type(a.dtype, b.dtype))


def _one_thread(a, b, out=None):
    out = _out(a, b) if out is None else out
    for lo, hi in _pieces(a):
        np.matmul(a[lo:hi], b, out=out[lo:hi])
    return out


def _all_threads(a, b, out=None):
    pool = thread_pool("dense", DENSE_PIECES)
    out = _out(a, b) if out is None else out
    jobs = [pool.submit(np.matmul, a[lo:hi], b, out=out[lo:hi]) for lo, hi in _pieces(a)]
    for job in jobs:
        job.result()
    return out


@functools.lru_cache(maxsize=None)
def _narrow_product():
    """``_dense.narrow_product`` (its module imports numba: imported on first use)."""
    from ._dense import narrow_product

    return narrow_product


def _dense_product(name: str, a: np.ndarray, b: np.ndarray, pixels=None, out=None) -> np.ndarray:
    """``a @ b`` for the dense ``X`` (or ``X.T``) and a factor.

    A factorisation runs with one BLAS thread (``_core._blas_threads``): right
    for the small products of the kernels, not for the two large products of a
    dense ``X`` (an image: ``1000 x 1000`` times ``k = 50`` columns is 5e7
    multiply-adds, most of an iteration). Those of at least
    ``DENSE_THREADS_MIN_WORK`` multiply-adds are computed as ``DENSE_PIECES``
    fixed ranges of rows, one-thread BLAS calls run one after the other or on
    as many threads at once, whichever ``_drivers.choose`` measured faster for
    this shape (re-measuring the other now and then): on a busy machine a
    second thread waiting for a core can make a product several times slower.
    The pieces are the same calls either way, so the result does not depend on
    the choice (a BLAS call on two threads would change the rounding). Smaller
    products by a factor of ``NARROW_K`` columns run on the compiled loops of
    ``_dense.narrow_product`` (where BLAS is slow), unless the problem is a
    small one (on the numpy kernels, nothing compiled). Those loops read the
    array ``pixels()`` returns, if any (``a``'s values as 8- or 16-bit unsigned
    integers, in ``a``'s layout; asked for only here), rather than ``a``: the
    same result, bit for bit, from a quarter or an eighth of the bytes
    (``_dense.narrow_product``). ``out``: the C-ordered array to write the result
    into, if any.
    """
    work = a.shape[0] * a.shape[1] * b.shape[1]
    if work < DENSE_THREADS_MIN_WORK:
        if NARROW_K[0] <= b.shape[1] <= NARROW_K[1] and a.dtype.char in "fd" and a.dtype == b.dtype \
                and (a.flags.c_contiguous or a.flags.f_contiguous) and not running_small():
            return _narrow_product()(a, b, None if pixels is None else pixels(), out)
        return np.matmul(a, b, out=out)
    from ._drivers import choose

    return choose(("dense", name, a.shape, b.shape[1], a.dtype.char), work, _one_thread,
                  _all_threads, a, b, out)


class _Stored:
    """What the dense and the sparse operator compute alike from the values they store (``data``)."""

    masked = False
    _sq_norm = None
    _n_nonzero = None
    _total = None

    def fill(self, W, Ht) -> None:
        """Nothing is missing: nothing to fill."""

    def hals_iteration(self, k: int):
        """A compiled iteration of ``_solvers.hals`` over this ``X`` at rank ``k``, or None
        (see :meth:`DenseOperator.hals_iteration`)."""
        return None

    @property
    def sq_norm(self) -> float:
        if self._sq_norm is None:
            self._sq_norm = kernels().sq_norm(self.data)
        return self._sq_norm

    @property
    def total(self) -> float:
        if self._total is None:
            self._total = float(self.data.sum(dtype=np.float64))
        return self._total

    @property
    def n_nonzero(self) -> int:
        """Number of non-zero entries (stored zeros not counted): what a sparse copy of ``X`` would store."""
        if self._n_nonzero is None:
            self._n_nonzero = int(np.count_nonzero(self.data))
        return self._n_nonzero


class DenseOperator(_Stored):
    """Operator over a dense C- or F-ordered 2-D array (an image, a small matrix)."""

    is_sparse = False

    def __init__(self, X: np.ndarray, *, sq_norm: float | None = None, n_nonzero: int | None = None,
                 pixels: np.ndarray | None = None, total: float | None = None):
        """``sq_norm``, ``n_nonzero`` and ``total``: ``|X|^2``, the count of non-zero entries and
        the sum of the entries where the caller knows them exactly (else scanned from ``X``
        on first need). ``pixels``: the
        values of ``X`` as 8- or 16-bit unsigned integers, of its shape and layout, where
        ``X`` holds integers (an image's): the narrow products read them instead of ``X``
        (the same numbers; see :func:`_dense_product`). A subclass may make them on first
        use (``_pixels_made``)."""
        self.X = X
        self.shape = X.shape
        self.dtype = X.dtype
        self._sq_norm = sq_norm
        self._n_nonzero = n_nonzero
        self._total = total
        self.pixels = pixels

    def _pixels_made(self):
        """``pixels`` (None: the products read ``X``)."""
        return self.pixels

    def _pixels_of(self, transposed: bool):
        """The pixels of ``X`` (or ``X.T``), or None."""
        P = self._pixels_made()
        return P.T if P is not None and transposed else P

    def narrow(self, k: int) -> bool:
        """Whether a fit at rank ``k`` runs on the compiled narrow products (``NARROW_K``,
        a C-ordered float ``X``, compiled kernels): loops on one thread, as is
        :meth:`hals_iteration`'s whole iteration."""
        return NARROW_K[0] <= k <= NARROW_K[1] and self.dtype.char in "fd" and self.X.flags.c_contiguous \
            and not running_small()

    def hals_iteration(self, k: int):
        """``_dense.hals_iteration`` bound to this ``X`` (or its pixels) at rank ``k``, where
        the products are the narrow ones (:meth:`narrow`); else None. Called as
        ``step(W, Ht, Wn, Hn, momentum, beta, A, l1_W, l2_W, l1_H, l2_H, inner_W,
        inner_H, eps2, split_W, split_H)`` with ``A`` None or the iteration's ``X @ Ht``."""
        if not self.narrow(k):
            return None
        from ._dense import hals_iteration

        pixels = self._pixels_made()
        rows = self.X if pixels is None else pixels
        no_A = np.empty((0, k), dtype=self.dtype)
        sq_norm = self.sq_norm

        def step(W, Ht, Wn, Hn, momentum, beta, A, *sweeps):
            return hals_iteration(rows, W, Ht, Wn, Hn, momentum, float(beta),
                                  no_A if A is None else A, A is not None, *sweeps, sq_norm)

        return step

    def matmul(self, Ht: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return _dense_product("X @ B", self.X, Ht, lambda: self._pixels_of(False), out)

    def rmatmul(self, W: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return _dense_product("X.T @ B", self.X.T, W, lambda: self._pixels_of(True), out)

    @property
    def data(self) -> np.ndarray:
        return self.X

    def dot_at_data(self, W: np.ndarray, Ht: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(W @ Ht.T)

    def with_data(self, values: np.ndarray) -> "DenseOperator":
        return DenseOperator(values)

    def rows(self, transposed: bool = False) -> np.ndarray:
        """``X`` (or ``X.T``, a view) as a 2-D array read row by row."""
        return self.X.T if transposed else self.X


class SparseOperator(_Stored):
    """Operator over a CSR or a CSC matrix, without densifying or copying it.

    A CSC matrix is handled as the CSR matrix of ``X.T`` with the two products
    swapped, so both formats use the same row-wise kernels.
    """

    is_sparse = True

    def __init__(self, X):
        if X.format == "csr":
            self._transposed = False
            csr = X
        else:  # csc: its arrays are those of the CSR matrix of X.T
            self._transposed = True
            csr = X.T  # a view, not a copy
        # Sorted column indices let X.T @ B bisect rows; unsorted ones are used as
        # they are (never copied), at the price of a scan per thread.
        self._is_sorted = bool(csr.has_sorted_indices)
        self.X = X
        self._csr = csr
        self._indptr = csr.indptr
        self._indices = csr.indices
        self._data = csr.data
        self._inner_shape = csr.shape
        self.shape = X.shape
        self.dtype = X.dtype
        self._splits: dict = {}  # the kernels' splits of the rows and columns of X

    # the two products ------------------------------------------------------
    def _dot(self, B: np.ndarray, out=None) -> np.ndarray:  # csr @ B
        return kernels().csr_dot(self._indptr, self._indices, self._data, B, matrix=self._csr,
                                 cache=self._splits, out=out)

    def _tdot(self, B: np.ndarray, out=None) -> np.ndarray:  # csr.T @ B
        return kernels().csr_tdot(self._indptr, self._indices, self._data, B,
                                  self._inner_shape[1], is_sorted=self._is_sorted,
                                  matrix=self._csr, cache=self._splits, out=out)

    def matmul(self, Ht: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return self._tdot(Ht, out) if self._transposed else self._dot(Ht, out)

    def rmatmul(self, W: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return self._dot(W, out) if self._transposed else self._tdot(W, out)

    # stored entries (for the beta-divergences) -----------------------------
    @property
    def data(self) -> np.ndarray:
        return self._data

    def dot_at_data(self, W: np.ndarray, Ht: np.ndarray) -> np.ndarray:
        """``(W @ H)[i, j]`` at the stored entries, in the order of ``data``."""
        if self._transposed:
            W, Ht = Ht, W
        return kernels().csr_dot_at(self._indptr, self._indices, W, Ht, cache=self._splits)

    def with_data(self, values: np.ndarray) -> "SparseOperator":
        new = object.__new__(SparseOperator)
        new.__dict__.update(self.__dict__)
        new._data = values
        new._csr = None
        new._sq_norm = None
        new._n_nonzero = None
        new.X = None
        return new

    def rows(self, transposed: bool = False):
        """``X`` (or ``X.T``) as a scipy CSR matrix: a view of the stored arrays
        where the format allows it, else one converted copy (``nnz`` values and
        indices), made on each call.
        """
        if transposed == self._transposed:  # the stored arrays are already that CSR
            return sp.csr_matrix((self._data, self._indices, self._indptr),
                                 shape=self._inner_shape, copy=False)
        csr = sp.csr_matrix((self._data, self._indices, self._indptr),
                            shape=self._inner_shape, copy=False)
        return csr.T.tocsr()


def as_operator(X):
    """The operator for a validated ``X`` (dense ndarray, CSR or CSC); an operator is its own."""
    if isinstance(X, _Stored):
        return X
    if sp.issparse(X):
        return SparseOperator(X)
    return DenseOperator(X)
