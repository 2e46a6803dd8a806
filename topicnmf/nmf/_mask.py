"""Missing entries: masks, the masked data operator and the held-out error.

A mask says which entries of ``X`` are observed (True) and which are missing
(False). The objective then counts the observed entries only,
``0.5 sum_{observed} (X - W H)_ij^2``, and so do the loss history, the stopping
rule and ``reconstruction_err_``.

How the solvers see it (majorise-minimise, the EM algorithm of Zhang, Wang,
Ding & Sun 2006): before each block update the missing entries are filled with
the current model ``W H``. The ordinary objective of the filled matrix equals the
masked objective at that point and lies above it everywhere else, so every step
that lowers the one lowers the other: the solvers run unchanged on an operator
whose products are those of the filled matrix,
``X_filled @ H.T = X_obs @ H.T + P_missing(W H) @ H.T``, where ``X_obs`` is ``X``
with its missing entries set to zero and ``P_missing(W H)`` is ``W H`` at the
missing entries only. Each product costs ``O(nnz(X_obs) k + |missing| k)``.

Representation of the missing set (nothing of size ``n_samples x n_features``
is stored for a sparse ``X``):

- a boolean array or a sparse matrix (True = observed) is turned into a sparse
  pattern of the missing entries, or of the observed ones when those are fewer
  (``P_missing(F) @ B = W (H B) - P_observed(F) @ B``);
- :class:`HeldOutMask` holds out a fraction of all entries chosen by a hash of
  ``(row, column, seed)`` (as RcppML does): it stores two numbers, and the
  kernels enumerate the missing entries of each row on the fly (``O(n m)`` cheap
  hash evaluations per product on top of the ``O(|missing| k)`` arithmetic).
  That is the form for holding out, say, 10% of all entries of a large sparse
  matrix, where even a sparse list of the held-out positions would be 35 times
  larger than ``X``.
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp

from .._validation import check_real
from ..errors import InputError
from ._lazy import kernels
from ._operator import as_operator

_U64 = np.uint64
_H1, _H2 = _U64(0x9E3779B97F4A7C15), _U64(0xC2B2AE3D27D4EB4F)
_H3, _H4 = _U64(0xBF58476D1CE4E5B9), _U64(0x94D049BB133111EB)


def _hash(rows: np.ndarray, cols: np.ndarray, seed: int) -> np.ndarray:
    """The kernels' hash of ``(row, column, seed)``, vectorised (uint64 arithmetic wraps)."""
    i = np.asarray(rows).astype(_U64)
    j = np.asarray(cols).astype(_U64)
    with np.errstate(over="ignore"):
        z = (i * _H1) ^ ((j + _U64(seed)) * _H2)
        z ^= z >> _U64(31)
        z *= _H3
        z ^= z >> _U64(29)
        z *= _H4
        z ^= z >> _U64(32)
    return z


class HeldOutMask:
    """A fraction of all entries of a matrix held out (missing), chosen by a hash.

    Entry ``(i, j)`` is held out when a 64-bit hash of ``(i, j, seed)`` falls in
    the lowest ``fraction`` of its range: a deterministic, uniformly spread
    choice that depends on the row and column numbers only (not on the shape or
    the data) and that stores nothing of the matrix's size. Pass it as ``mask``
    to :meth:`NMF.fit` or :func:`factorize` to fit on the other entries, and to
    :func:`heldout_error` to measure the fit on the held-out ones.

    Parameters
    ----------
    fraction : float
        Expected share of held-out entries, in (0, 1).
    seed : int, default=0
        Chooses the held-out set; a non-negative int below ``2**63``.

    Examples
    --------
    >>> from topicnmf.nmf import HeldOutMask
    >>> mask = HeldOutMask(0.25, seed=1)
    >>> observed = mask.to_array((200, 100))
    >>> observed.shape, round(1 - float(observed.mean()), 2)
    ((200, 100), 0.25)
    """

    def __init__(self, fraction: float, *, seed: int = 0):
        self.fraction = check_real(fraction, "fraction", "HeldOutMask", low=0.0, high=1.0,
                                   low_open=True)
        if self.fraction >= 1.0:
            raise InputError(
                f"The 'fraction' parameter of HeldOutMask must be a float in (0, 1). "
                f"Got {fraction}."
            )
        if (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                or not 0 <= seed < 2**63):
            raise InputError(
                f"The 'seed' parameter of HeldOutMask must be an int in [0, 2**63 - 1]. "
                f"Got {seed!r}."
            )
        self.seed = int(seed)

    @property
    def threshold(self) -> int:
        """Entries whose hash is below this are held out."""
        return min(int(self.fraction * 2.0**64), 2**64 - 1)

    def held_out(self, rows, cols) -> np.ndarray:
        """Whether the entries ``(rows[p], cols[p])`` are held out (bool array)."""
        return _hash(rows, cols, self.seed) < _U64(self.threshold)

    def to_array(self, shape) -> np.ndarray:
        """The dense boolean mask of a matrix of this shape (True = observed); small shapes only."""
        n, m = shape
        rows, cols = np.indices((n, m))
        return ~self.held_out(rows, cols)

    def __repr__(self) -> str:
        return f"HeldOutMask({self.fraction!r}, seed={self.seed})"


class MissingSet:
    """The missing entries of an ``(n, m)`` matrix: a pattern, its complement, or a hash.

    ``product(W, Ht, B, transpose)`` returns ``(P @ B, sum P**2)`` for ``P = W @ Ht.T``
    at the missing entries (``transpose``: ``P.T @ B``).
    """

    def __init__(self, shape, *, pattern=None, complement=False, hashed=None):
        self.shape = shape
        self.hashed = hashed
        self.complement = complement  # pattern lists the observed entries
        if pattern is not None:
            pattern = sp.csr_matrix(pattern, dtype=bool)
            pattern.sum_duplicates()
            pattern.eliminate_zeros()
            self._rows = (pattern.indptr.astype(np.int64), pattern.indices)
            self._cols = None
            self._pattern = pattern
        n, m = shape
        if hashed is not None:
            self.count = None  # counted by the first product
        else:
            stored = int(self._pattern.nnz)
            self.count = n * m - stored if complement else stored

    def _pattern_arrays(self, transpose):
        if not transpose:
            return self._rows
        if self._cols is None:
            t = self._pattern.T.tocsr()
            self._cols = (t.indptr.astype(np.int64), t.indices)
        return self._cols

    def product(self, W, Ht, B, transpose=False):
        kern = kernels()
        A, Af = (Ht, W) if transpose else (W, Ht)
        if self.hashed is not None:
            out, s, count = kern.missing_product(
                A, Af, B, seed=self.hashed.seed, threshold=self.hashed.threshold, swap=transpose)
            self.count = count
            return out, s
        indptr, indices = self._pattern_arrays(transpose)
        out, s, _ = kern.missing_product(A, Af, B, indptr=indptr, indices=indices)
        if self.complement:  # all entries minus the observed ones
            out = (A @ (Af.T @ B)).astype(out.dtype, copy=False) - out
            s = kern.fdot(W.T @ W, Ht.T @ Ht) - s
        return out, s


class MaskedOperator:
    """The data operator of ``X`` with its missing entries filled by ``W H`` at a point.

    ``fill(W, Ht)`` sets the point (references, not copies: the products read
    the factors when they are computed); before the first ``fill`` the missing
    entries are zeros. ``objective(W, Ht)`` is the masked objective
    ``0.5 ||P_observed(X - W H)||^2`` at any point.
    """

    masked = True
    is_sparse = False

    def __init__(self, observed_op, missing: MissingSet):
        self.base = observed_op
        self.missing = missing
        self.shape = observed_op.shape
        self.dtype = observed_op.dtype
        self._fill = None
        self._fill_sq = None
        self.X_missing = None  # X at the missing entries, when kept (see heldout_error)

    def fill(self, W, Ht) -> None:
        self._fill = (W, Ht)
        self._fill_sq = None

    def hals_iteration(self, k: int):
        """None: the products are those of the filled ``X`` (``hals`` runs its own steps)."""
        return None

    def _with_fill(self, out, B, transpose):
        if self._fill is not None:
            extra, s = self.missing.product(*self._fill, B, transpose)
            out += extra
            self._fill_sq = s
        return out

    def matmul(self, Ht, out=None):
        return self._with_fill(self.base.matmul(Ht, out), Ht, False)

    def rmatmul(self, W, out=None):
        return self._with_fill(self.base.rmatmul(W, out), W, True)

    @property
    def sq_norm(self) -> float:
        """``||X_filled||^2`` at the current fill."""
        if self._fill is None:
            return self.base.sq_norm
        if self._fill_sq is None:
            W, Ht = self._fill
            self._fill_sq = self.missing_sq(W, Ht)
        return self.base.sq_norm + self._fill_sq

    def missing_sq(self, W, Ht) -> float:
        """``sum (W H)_ij^2`` over the missing entries."""
        return self.missing.product(W, Ht, np.empty((Ht.shape[0], 0), W.dtype))[1]

    def observed_cross(self, W, Ht) -> float:
        """``<X_observed, W H>``."""
        kern = kernels()
        if self.base.is_sparse:
            return kern.fdot(self.base.data, self.base.dot_at_data(W, Ht))
        return kern.fdot(W, self.base.matmul(Ht))

    def objective(self, W, Ht) -> float:
        """``0.5 ||P_observed(X - W H)||_F^2`` (float64, clipped at 0)."""
        kern = kernels()
        value = (0.5 * self.base.sq_norm - self.observed_cross(W, Ht)
                 + 0.5 * kern.fdot(W.T @ W, Ht.T @ Ht) - 0.5 * self.missing_sq(W, Ht))
        return max(value, 0.0)

    @property
    def n_missing(self) -> int:
        """The number of missing entries (for a hashed set, counted by one pass)."""
        if self.missing.count is None:
            n, m = self.shape
            self.missing_sq(np.zeros((n, 1), self.dtype), np.zeros((m, 1), self.dtype))
        return self.missing.count

    @property
    def n_observed(self) -> int:
        n, m = self.shape
        return n * m - self.n_missing

    @property
    def total(self) -> float:
        """The sum of the entries, the observed mean standing in for the missing ones."""
        n, m = self.shape
        return self.base.total * (n * m) / max(self.n_observed, 1)

    @property
    def n_nonzero(self) -> int:
        """Entries a product touches: the stored observed ones and the missing ones."""
        return self.base.n_nonzero + self.n_missing


# ------------------------------------------------------------------ validation
def _nan_positions(X):
    """Sparse boolean pattern of the NaN entries of ``X`` (None when there are none)."""
    if sp.issparse(X):
        bad = np.isnan(X.data)
        if not bad.any():
            return None
        P = X.copy()
        P.data = bad
        P = sp.csr_matrix(P)
        P.eliminate_zeros()
        return P
    bad = np.isnan(X)
    return sp.csr_matrix(bad) if bad.any() else None


def _zero_nan(X):
    if sp.issparse(X):
        X = X.copy()
        X.data[np.isnan(X.data)] = 0
        X.eliminate_zeros()
        return X
    return np.where(np.isnan(X), X.dtype.type(0), X)


def _check_mask(mask, shape, whom):
    """A user mask as ``('hash', HeldOutMask)`` or ``('observed', bool csr)`` / dense bool."""
    if isinstance(mask, HeldOutMask):
        return mask
    if sp.issparse(mask):
        if mask.shape != shape:
            raise InputError(f"mask passed to {whom} must have shape {shape}. Got {mask.shape}.")
        M = sp.csr_matrix(mask)
        M.sum_duplicates()
        if M.data.size and not np.isin(M.data, (0, 1)).all():
            raise InputError(
                f"mask passed to {whom} must hold booleans (True = observed); "
                f"got values other than 0 and 1."
            )
        return M.astype(bool)
    M = np.asarray(mask)
    if M.shape != shape:
        raise InputError(f"mask passed to {whom} must have shape {shape}. Got {M.shape}.")
    if M.dtype != bool:
        if M.dtype.kind not in "iuf" or not np.isin(M, (0, 1)).all():
            raise InputError(
                f"mask passed to {whom} must hold booleans (True = observed); "
                f"got values other than 0 and 1."
            )
        M = M.astype(bool)
    return M


def masked_operator(X, mask, missing_values, whom):
    """The operator for ``X`` and its missing entries, or the plain one when nothing is missing.

    ``X`` is validated (finite but for NaN when ``missing_values`` is NaN,
    non-negative); ``mask`` is None, a :class:`HeldOutMask`, or an array or
    sparse matrix of X's shape, True = observed.
    """
    n, m = X.shape
    nan = _nan_positions(X) if missing_values is not None else None
    if nan is not None:
        X = _zero_nan(X)
    if mask is None and nan is None:
        return as_operator(X)
    mask = None if mask is None else _check_mask(mask, (n, m), whom)
    if isinstance(mask, HeldOutMask):
        if nan is not None:
            raise InputError(
                f"X passed to {whom} has NaN entries and the mask is a HeldOutMask; "
                f"pass the NaN positions as part of a boolean mask instead."
            )
        if sp.issparse(X):
            out = _held_out_stored(X, mask)
            X_obs, X_out = X.copy(), X.copy()
            X_obs.data[out] = 0
            X_out.data[~out] = 0
            X_obs.eliminate_zeros()
            X_out.eliminate_zeros()
            op = MaskedOperator(as_operator(X_obs), MissingSet((n, m), hashed=mask))
            op.X_missing = X_out
            return op
        mask = mask.to_array((n, m))  # dense X: a pattern, no larger than X
    # observed pattern (sparse) or dense boolean; NaN positions are missing too
    if mask is None:
        missing = nan
        complement = False
    elif sp.issparse(mask):
        observed = mask if nan is None else (mask.astype(np.int8) - mask.multiply(nan)) > 0
        return _from_observed(X, sp.csr_matrix(observed), n, m)
    else:
        if nan is not None:
            mask = mask & ~nan.toarray()
        n_obs = int(mask.sum())
        if n_obs < n * m - n_obs:
            return _from_observed(X, sp.csr_matrix(mask), n, m)
        missing = sp.csr_matrix(~mask)
        complement = False
    X_obs = _drop(X, missing)
    return MaskedOperator(as_operator(X_obs), MissingSet((n, m), pattern=missing,
                                                        complement=complement))


def _held_out_stored(X, mask: HeldOutMask, step: int = 4096) -> np.ndarray:
    """Which stored entries of a CSR or CSC ``X`` the mask holds out (a few rows at a time)."""
    indptr, indices = X.indptr, X.indices
    out = np.empty(indices.shape[0], dtype=bool)
    for r0 in range(0, indptr.shape[0] - 1, step):
        r1 = min(r0 + step, indptr.shape[0] - 1)
        lo, hi = indptr[r0], indptr[r1]
        major = np.repeat(np.arange(r0, r1), np.diff(indptr[r0:r1 + 1]))
        minor = indices[lo:hi]
        rows, cols = (major, minor) if X.format == "csr" else (minor, major)
        out[lo:hi] = mask.held_out(rows, cols)
    return out


def _drop(X, missing):
    """``X`` with the entries in the boolean pattern ``missing`` set to zero (a copy)."""
    if sp.issparse(X):
        fmt = X.format
        X_obs = sp.csr_matrix(X - X.multiply(missing)).asformat(fmt)
        X_obs.eliminate_zeros()
        return X_obs
    X_obs = np.array(X, copy=True, order="C" if X.flags.c_contiguous else "F")
    rows, cols = missing.nonzero()
    X_obs[rows, cols] = 0
    return X_obs


def _from_observed(X, observed, n, m):
    if sp.issparse(X):
        X_obs = sp.csr_matrix(X.multiply(observed)).asformat(X.format)
        X_obs.eliminate_zeros()
    else:
        X_obs = np.zeros_like(X)
        rows, cols = observed.nonzero()
        X_obs[rows, cols] = X[rows, cols]
    return MaskedOperator(as_operator(X_obs),
                          MissingSet((n, m), pattern=observed, complement=True))


# ------------------------------------------------------------- held-out error
def heldout_error(X, W, H, mask) -> float:
    """Root mean square of ``X - W H`` over the held-out (missing) entries of ``mask``.

    The measure of a fit on the entries it did not see: fit with
    ``NMF(...).fit(X, mask=mask)`` (or :func:`factorize`), then call this with the
    same ``X`` and ``mask``. Costs one pass over the held-out entries (and, for a
    :class:`HeldOutMask`, ``n_samples * n_features`` hash evaluations); nothing
    of size ``n_samples x n_features`` is formed for a sparse ``X``.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The data, finite and non-negative (its held-out entries included).
    W : array-like of shape (n_samples, n_components)
    H : array-like of shape (n_components, n_features)
    mask : HeldOutMask, array-like or sparse matrix of shape (n_samples, n_features)
        True = observed (used by the fit); the error is over the others.

    Returns
    -------
    error : float
        ``sqrt(mean over held-out (i, j) of (X_ij - (W H)_ij)^2)``; NaN when no
        entry is held out.

    Examples
    --------
    >>> import numpy as np
    >>> from topicnmf.nmf import HeldOutMask, factorize, heldout_error
    >>> rng = np.random.RandomState(0)
    >>> X = rng.rand(40, 3) @ rng.rand(3, 30)
    >>> mask = HeldOutMask(0.2, seed=0)
    >>> W, H, info = factorize(X, 3, mask=mask, random_state=0, max_iter=500)
    >>> bool(heldout_error(X, W, H, mask) < 0.01 * np.sqrt(np.mean(X ** 2)))
    True
    """
    from sklearn.utils import check_array

    from ._core import check_data

    X = check_array(X, accept_sparse=("csr", "csc"), dtype=[np.float64, np.float32],
                    ensure_all_finite=False)
    check_data(X, "heldout_error")
    if mask is None:
        raise InputError("mask passed to heldout_error must be given: it names the held-out "
                         "entries.")
    n, m = X.shape
    W = np.ascontiguousarray(W, dtype=X.dtype)
    Ht = np.ascontiguousarray(np.asarray(H, dtype=X.dtype).T)
    k = W.shape[1] if W.ndim == 2 else -1
    if W.shape != (n, k) or Ht.shape != (m, k):
        raise InputError(
            f"W and H passed to heldout_error must have shapes ({n}, k) and (k, {m}). "
            f"Got {W.shape} and {Ht.T.shape}."
        )
    op = masked_operator(X, mask, None, "heldout_error")
    if not getattr(op, "masked", False):
        return float("nan")
    kern = kernels()
    X_out = op.X_missing
    if X_out is None:
        X_out = X - op.base.X if sp.issparse(X) else X - op.base.data
    if sp.issparse(X_out):
        X_out = sp.csr_matrix(X_out)
        X_out.eliminate_zeros()
        out_op = as_operator(X_out)
        cross = kern.fdot(out_op.data, out_op.dot_at_data(W, Ht))
    else:
        cross = kern.fdot(W, X_out @ Ht)
    sq = as_operator(X_out).sq_norm
    total = op.missing_sq(W, Ht) - 2.0 * cross + sq
    count = n * m - op.n_observed
    if count == 0:
        return float("nan")
    return float(np.sqrt(max(total, 0.0) / count))
