"""The factorisation behind :func:`~topicnmf.images.compress` and :func:`~topicnmf.images.parts`.

HALS (or the chosen solver of :mod:`topicnmf.nmf`) from a cheap start, NNDSVDa
on a one-pass randomized SVD (no power iteration), unless another start is asked
for, with fewer sweeps per product than for sparse data (``SWEEP_ALPHA``); the
PSNR stopping rule of ``compress``; the parameter checks both functions share.
"""

from __future__ import annotations

import math
import time

from topicnmf._validation import check_callable, check_int, check_one_of, check_random_state, check_real

__all__ = ["INITS", "START_POWER_ITERATIONS", "PsnrRule", "check_fit_params", "factorize_image"]

INITS = (None, "random", "nndsvd", "nndsvda", "nndsvdar")
#: power iterations of the randomized SVD behind the default start: photographs'
#: spectra fall fast, and HALS from this start reaches a given PSNR sooner than
#: from the core's ``nndsvda`` (4 to 7 power iterations), measured in benchmarks/images.py
START_POWER_ITERATIONS = 0


#: ``alpha`` of the HALS sweeps (``topicnmf.nmf._solvers.hals``: ``1 + alpha rho``
#: sweeps per product, ``rho`` the product's multiply-adds over a sweep's): a dense
#: product runs on BLAS at about 5 (float64) to 13 (float32) times the multiply-adds
#: per second of the compiled sweeps (1000 x 1000 by k = 50); of 1/2, 1/4, 1/8, 1/16
#: and one sweep, 1/4 gave the shortest time to a given PSNR on the sample photographs
SWEEP_ALPHA = 0.25


class PsnrRule:
    """Stop once the PSNR stops moving: the callback that ``compress`` runs every iteration.

    The PSNR of ``W H`` (before clipping) follows from the objective ``0.5 |X - W H|^2``
    of each iteration: ``10 log10(peak^2 n / (2 loss))`` for ``n`` values. The
    iterations stop once the last ``window`` of them gained less than
    ``tol * window`` dB together (a window, since an extrapolated HALS step
    that is rejected gains nothing by itself). ``tol=0`` never stops.
    ``callback``, if given, sees every iteration first.
    """

    window = 4

    def __init__(self, tol: float, peak: float, size: int, callback=None):
        self.tol = float(tol)
        self.scale = peak * peak * size / 2.0
        self.callback = callback
        self.psnr: list[float] = []

    def __call__(self, info: dict):
        if self.callback is not None:
            self.callback(info)
        loss = info["loss"]
        self.psnr.append(math.inf if loss <= 0 else 10.0 * math.log10(self.scale / loss))
        w = self.window
        return bool(self.tol > 0 and len(self.psnr) > w
                    and self.psnr[-1] - self.psnr[-1 - w] < self.tol * w) or None


def factorize_image(X, k, *, init, solver, tol, max_iter, random_state, callback, rule=None):
    """HALS (or the chosen solver) from the start ``init``; ``(W, H, info, seconds)``.

    ``rule``: a :class:`PsnrRule` (then ``tol`` is its own and the core's
    stationarity rule is off), else the core's rule with ``tol``.
    """
    from sklearn.utils import check_random_state as as_rng

    from topicnmf.nmf import factorize
    from topicnmf.nmf._init import initialize
    from topicnmf.nmf._lazy import blas_threads
    from topicnmf.nmf._operator import DenseOperator
    from topicnmf.nmf._solvers import hals_alpha

    start = time.perf_counter()
    if rule is not None:
        tol, callback = 0.0, rule
    with hals_alpha(SWEEP_ALPHA):
        if init is None:
            with blas_threads(1):  # as inside the fit: the products choose their threads
                W0, H0t = initialize(DenseOperator(X), k, "nndsvda", as_rng(random_state),
                                     n_iter=START_POWER_ITERATIONS)
            W, H, info = factorize(X, k, W=W0, H=H0t.T, init="custom", solver=solver, tol=tol,
                                   max_iter=max_iter, callback=callback)
        else:
            W, H, info = factorize(X, k, init=init, solver=solver, tol=tol, max_iter=max_iter,
                                   random_state=random_state, callback=callback)
    return W, H, info, time.perf_counter() - start


def check_fit_params(n_components, init, solver, tol, max_iter, random_state, callback, owner):
    check_int(n_components, "n_components", owner, low=1)
    check_one_of(init, "init", owner, INITS)
    check_one_of(solver, "solver", owner, ("hals", "mu", "als"))
    check_real(tol, "tol", owner, low=0.0)
    check_int(max_iter, "max_iter", owner, low=1)
    check_random_state(random_state, "random_state", owner)
    check_callable(callback, "callback", owner)
