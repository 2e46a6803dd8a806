"""The held-out error of a sweep: a masked fit on the seen entries, measured on the others."""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone

from topicnmf.errors import ConvergenceWarning

__all__ = ["heldout_errors"]

#: Documents in the held-out fit: all of them up to this many, else a random sample of this many.
#: (A fit with held-out entries costs ``n_docs * n_terms`` mask look-ups per product: with 300
#: documents of 20 Newsgroups it took a fifth of the sweep's CPU time, as much as its sample runs;
#: with 150, half that. Its 400,000 held-out entries, the same for every k, keep the trend over k.)
HELDOUT_DOCS = 150
#: Largest held-out fit (entries) whose mask is spelt out as a boolean array.
HELDOUT_DENSE_ENTRIES = 20_000_000
#: Iterations of a cold held-out fit (all documents), and of each stage of a warm one.
HELDOUT_MAX_ITER = 50
HELDOUT_WARM_ITER = 5


def _capped(nmf, max_iter: int):
    """``nmf`` with at most ``max_iter`` iterations (if it has the parameter)."""
    current = nmf.get_params(deep=False).get("max_iter")
    if isinstance(current, int) and current > max_iter:
        nmf.set_params(max_iter=max_iter)
    return nmf


def _exactly(nmf, max_iter: int):
    """``nmf`` capped at ``max_iter`` iterations, with ``tol=0`` where it has the parameter.

    ``tol=0`` runs the iterations without a ``ConvergenceWarning`` at the cap: the sample
    runs and held-out fits of a sweep share the process with its other threads, whose warning
    filters (process-wide) may lift this thread's own.
    """
    nmf = _capped(nmf, max_iter)
    if "tol" in nmf.get_params(deep=False):
        nmf.set_params(tol=0.0)
    return nmf


def heldout_errors(X, k: int, nmf, *, test_fraction: float, seed: int, rows=None, H=None) -> float:
    """Root mean square error of a rank-``k`` fit on matrix entries it did not see.

    The cross-validation of RcppML: a share ``test_fraction`` of all entries
    (zeros included) is held out by :class:`~topicnmf.nmf.HeldOutMask`, a clone of
    ``nmf`` with ``n_components=k`` is fitted on the other entries
    (``fit(X, mask=...)``), and the error is measured on the held-out ones
    (:func:`~topicnmf.nmf.heldout_error`). Too few components miss structure,
    too many fit the noise of the seen entries: the error is lowest near the
    rank of the signal.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_docs, n_terms)
    k : int
    nmf : NMF
        A factorisation whose ``fit`` takes ``mask=`` (as :class:`~topicnmf.nmf.NMF`).
    test_fraction : float
        Share of entries held out.
    seed : int
        Chooses the held-out entries and seeds the fit.
    rows : ndarray of int or None, default=None
        Fit on these documents only.
    H : ndarray of shape (k, n_terms) or None, default=None
        A warm start: topics fitted on all documents (the sweep's reference model),
        when ``rows`` are a small sample of them. The sample's ``W`` is then solved
        from its seen entries with ``H`` fixed, and both are refined on the seen
        entries, ``HELDOUT_WARM_ITER`` iterations each. ``H`` has seen the
        held-out entries of the sample, but they are a negligible share of what it
        was fitted on. None: a cold fit of ``HELDOUT_MAX_ITER`` iterations.

    Returns
    -------
    error : float
        NaN when ``nmf`` does not take a mask.
    """
    from topicnmf.nmf import HeldOutMask, factorize, heldout_error

    if rows is not None:
        X = X[rows]
    # The hash mask, spelt out as a boolean array of the (small) fitted matrix: same entries,
    # cheaper products than hashing each one in every product.
    mask = _spelt_out(HeldOutMask(test_fraction, seed=seed), X.shape)
    model = clone(nmf).set_params(n_components=k, random_state=seed)
    try:
        with warnings.catch_warnings():  # a measurement, not the model: max_iter is no news here
            warnings.simplefilter("ignore", ConvergenceWarning)
            if H is None:
                W = _exactly(model, HELDOUT_MAX_ITER).fit_transform(X, mask=mask)
                H = model.components_
            else:
                params = model.get_params(deep=False)
                solve = {p: params[p] for p in ("solver", "beta_loss", "alpha_W", "alpha_H", "l1_ratio") if p in params}
                H = np.ascontiguousarray(H, dtype=X.dtype)
                # tol=0: exactly HELDOUT_WARM_ITER iterations each (see _exactly)
                W, _, _ = factorize(X, k, H=H, update_H=False, mask=mask, max_iter=HELDOUT_WARM_ITER,
                                    tol=0.0, init="custom", W=_start_w(X, H), **solve)
                W, H, _ = factorize(X, k, W=W, H=H.copy(), mask=mask, max_iter=HELDOUT_WARM_ITER,
                                    tol=0.0, init="custom", random_state=seed, **solve)
    except TypeError:  # a factorisation without masks
        return float("nan")
    return float(heldout_error(X, W, H, mask))


def _spelt_out(mask, shape, step: int = 64):
    """A :class:`~topicnmf.nmf.HeldOutMask` as a boolean array (True = seen) when that is small.

    The same entries; the products of a fit then walk a list of the held-out entries
    instead of hashing every entry of the matrix in every product (about 2.5 times faster).
    """
    n, m = shape
    if n * m > HELDOUT_DENSE_ENTRIES:
        return mask
    cols = np.arange(m)
    out = np.empty((n, m), dtype=bool)
    for start in range(0, n, step):
        stop = min(n, start + step)
        out[start:stop] = ~mask.held_out(np.arange(start, stop)[:, None], cols[None, :])
    return out


def _start_w(X, H) -> np.ndarray:
    """A positive starting ``W`` for fixed ``H``: rows scaled so that ``W H`` has the mean of ``X``."""
    mean = (X.sum() if sp.issparse(X) else float(np.sum(X))) / max(X.shape[0] * X.shape[1], 1)
    scale = np.sqrt(max(float(mean), 1e-12) / max(float(H.mean()), 1e-12) / H.shape[0])
    return np.full((X.shape[0], H.shape[0]), scale, dtype=X.dtype)
