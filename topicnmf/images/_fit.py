"""The factorisation behind :func:`~topicnmf.images.compress` and :func:`~topicnmf.images.parts`.

HALS (or the chosen solver of :mod:`topicnmf.nmf`) from a cheap start, NNDSVD
on a one-pass randomized SVD (:func:`image_start`, whose sketch also stands in
for the first product ``X @ H.T``), unless another start is asked for, with
fewer sweeps per product than for sparse data (``SWEEP_ALPHA``), an extrapolation
that grows faster (``EXTRAPOLATION_GROWTH``; from a random start, after a few plain
iterations: ``WARMUP``), on the core's
code path without its scans of ``X`` (the pixels were checked already);
the PSNR stopping rule of ``compress`` (against the SVD bound); the parameter
checks both functions share.
"""

from __future__ import annotations

import functools
import math
import time

import numpy as np

from topicnmf._validation import check_callable, check_int, check_one_of, check_random_state, check_real

__all__ = ["INITS", "PsnrRule", "check_fit_params", "factorize_image"]

INITS = (None, "random", "nndsvd", "nndsvda", "nndsvdar")


#: ``alpha`` of the HALS sweeps (``topicnmf.nmf._solvers.hals``: ``1 + alpha rho``
#: sweeps per product, ``rho`` the product's multiply-adds over a sweep's): a dense
#: product runs on BLAS at about 5 (float64) to 13 (float32) times the multiply-adds
#: per second of the compiled sweeps (1000 x 1000 by k = 50). With the stopping
#: rule against the SVD bound, 1/10 runs the 1000 x 1000 photograph at k = 50 in
#: about 10% less time than 1/4 (84 iterations against 82, 0.01-0.02 dB higher)
#: and reaches scikit-learn's final PSNR on the sample photographs as soon (the
#: geometric mean of the 16 ratios at k = 20 and 50: 0.38 against 0.39); 1/20
#: ended the 1000 x 1000 one 0.02 dB below 1/4 and 1/25 reached later on the
#: samples (0.41), both measured on a busy machine (benchmarks/images.py)
SWEEP_ALPHA = 0.1

#: ``gamma`` of the HALS extrapolation (``topicnmf.nmf._solvers.hals``: the factor
#: by which ``beta`` grows after each accepted iteration, up to its cap). The
#: core's 1.01 (Ang & Gillis 2019) takes about 70 iterations to raise ``beta`` from
#: 0.5 to 1; an image's iterations are cheap and its start at k = 5 random, so
#: that is most of the fit. 1.03 reaches scikit-learn cd's final PSNR at k = 5 from
#: a random start in 38 iterations rather than 69 (china grey) and 53 rather than 72
#: (china colour), and on 30 resized, cropped and colour copies of the sample
#: photographs at k = 5, 20 and 50 in at most 0.3x cd's and mu's time in 55 of 60
#: comparisons rather than 52, the final PSNR at least theirs in 58 of 60 as before;
#: 1.02 and 1.04 did no better there, and 1.02 ended china colour k = 5 0.001 dB
#: below cd (benchmarks/images.py). On sparse text the core's 1.01 stays: 1.03
#: reached cd's objective on 20 Newsgroups a little later at k = 10 (0.46x of cd's
#: time against 0.41x) and the same at k = 20 and 50 (benchmarks/solvers.py).
EXTRAPOLATION_GROWTH = 1.03

#: ``warmup`` of HALS (``topicnmf.nmf._solvers.hals``) from a random start: the first
#: iterations plain (one sweep per product, no extrapolation), as scikit-learn's
#: ``cd`` steps. A random start's first steps are large: several sweeps and the
#: extrapolation along them settled the factors in a worse basin than ``cd``'s from
#: the same start more often. On the 20 copies of ``benchmarks/images.py --only copies``
#: (resized, cropped, transposed; grey and colour) at k = 5 from 20 random starts each
#: (``--starts 20 --warmup 0 3 4 5``, one BLAS thread), the final PSNR was at least
#: scikit-learn's (cd and mu) in 768 of 800 comparisons with 4 plain iterations
#: against 741 with none (3: 758, 5: 764), and reached it in at most 0.3x its time in
#: 696 against 670 (3: 693, 5: 695). From the default start (the sketch's NNDSVD,
#: close to a solution already) the plain iterations only cost time: at k = 20 on the
#: copies of the flower, with 4 of them ``compress`` reached scikit-learn cd's final
#: PSNR later in 7 of 10 and sooner in 2 (one run of ``--warmup 0 4`` before the
#: warm-up was limited to random starts).
WARMUP = 4


class PsnrRule:
    """Stop once the PSNR closes its distance to the SVD bound too slowly: ``compress``'s rule.

    The PSNR of ``W H`` (before clipping) follows from the objective ``0.5 |X - W H|^2``
    of each iteration: ``10 log10(peak^2 n / (2 loss))`` for ``n`` values; so does
    that of the truncated SVD of the same rank, the bound no rank-``k``
    factorisation passes (``svd_loss``, a callable computing its objective on
    first call). The iterations stop once the last ``window`` of them gained
    less than ``tol`` times the distance left to the bound per iteration: at
    that pace the gap would take more than ``1 / tol`` iterations to close.
    Near the bound (a small rank, where NMF loses little to the SVD) it runs
    on; far from it (a large rank, where non-negativity costs the most) it
    stops sooner. The distance counts at most ``MAX_GAP`` dB, so the SVD is
    computed only once the gain per iteration falls below ``tol * MAX_GAP``.
    A window, since an extrapolated HALS step that is rejected gains nothing
    by itself. ``tol=0`` never stops. ``callback``, if given, sees every
    iteration first; ``prepare``, if given, is called once, when the gain of
    one iteration first falls below ``LEAD`` times the level at which the
    rule needs the SVD, ``tol * MAX_GAP`` per iteration over the window
    (``compress`` starts computing the SVD there, on a thread of its own,
    unless it started it before the fit: see ``_compress._SvdBound``).
    The gains fall by a factor of about 1.5 to 3 per iteration then, so that
    leaves the thread some iterations before the rule first needs the SVD.
    Not sooner at k = 20 and 50: on a busy machine the thread takes its time
    from the iterations beside it, and the first 6 or so iterations are the
    ones that reach scikit-learn's final PSNR.

    ``compress``'s default ``tol`` and ``max_iter`` are measured there.
    """

    window = 8
    MAX_GAP = 10.0
    LEAD = 10.0

    def __init__(self, tol: float, peak: float, size: int, svd_loss, callback=None, prepare=None):
        self.tol = float(tol)
        self.scale = peak * peak * size / 2.0
        self.svd_loss = svd_loss
        self.callback = callback
        self.prepare = prepare
        self.psnr: list[float] = []

    def _psnr(self, loss: float) -> float:
        return math.inf if loss <= 0 else 10.0 * math.log10(self.scale / loss)

    def __call__(self, info: dict):
        if self.callback is not None:
            self.callback(info)
        self.psnr.append(self._psnr(info["loss"]))
        w = self.window
        if self.prepare is not None and len(self.psnr) > 1 \
                and self.psnr[-1] - self.psnr[-2] < self.LEAD * self.tol * self.MAX_GAP:
            self.prepare, prepare = None, self.prepare
            prepare()
        if self.tol <= 0 or len(self.psnr) <= w:
            return None
        gain = (self.psnr[-1] - self.psnr[-1 - w]) / w
        if gain >= self.tol * self.MAX_GAP:
            return None
        gap = min(self._psnr(self.svd_loss()) - self.psnr[-1], self.MAX_GAP)
        return True if gain <= self.tol * max(gap, 0.0) else None


def image_operator(X, image=None, pixels=None):
    """The core's operator over ``X``, with what it would scan ``X`` for taken from ``image``.

    ``X`` holds the values of ``image`` (rearranged, as :func:`~topicnmf.images._compress._to_matrix`
    makes it). For 8-bit images the count of non-zero pixels, their sum (the
    random start's scale) and ``|X|^2`` come from the pixels directly: a scan
    of one byte per value, with exact integer sums, so the same numbers as the
    core's own scans (an integer below 2^53 is exact in float64 whatever the
    order of the sum).
    For 8- and 16-bit images the narrow products (a small rank) read a copy of
    ``X`` in the image's bytes, made on first use (the operator's ``pixels``:
    the same numbers, see ``topicnmf.nmf._operator._dense_product``): ``pixels``,
    if given, is that copy (the image's values arranged as ``X``).
    Its ``start_with(Ht, A)`` sets the first product (see :func:`_image_operator`).
    """
    from topicnmf.nmf._lazy import running_small

    scans = {}
    if image is not None and image.size == X.size and image.dtype in (np.uint8, np.int8):
        if running_small():  # nothing compiled: 255^2 < 2^16
            total = int(image.sum(dtype=np.int64))
            sq_norm = int((image.astype(np.uint16) ** 2).sum(dtype=np.uint64))
        else:
            from topicnmf.nmf._dense import int_sums

            total, sq_norm = int_sums(image)
        scans = {"n_nonzero": int(np.count_nonzero(image)), "sq_norm": float(sq_norm), "total": float(total)}
    op = _image_operator()(X, **scans)
    if image is not None and image.size == X.size and image.dtype.kind in "ui" and image.dtype.itemsize <= 2:
        op.pixel_dtype = np.dtype(f"u{image.dtype.itemsize}")  # non-negative: the same values unsigned
        if pixels is not None:
            op.pixels = pixels.view(op.pixel_dtype)
    return op


@functools.lru_cache(maxsize=None)
def _image_operator():
    """The class of :func:`image_operator`'s operators (made once: the core's operator
    module is imported on first use)."""
    from topicnmf.nmf._operator import DenseOperator

    class ImageOperator(DenseOperator):
        """The core's dense operator whose first product may be known from the start.

        ``start_with(Ht, A)``: ``Ht``, the start's ``H.T``, and ``A``, the
        sketch's stand-in for ``X @ Ht`` (:func:`image_start`). The operator's
        first product, if it is ``X @ Ht`` for that ``Ht`` (the solvers'
        first), is ``A``: the first update of ``W`` then costs no pass over
        the pixels (nor does the start's objective that the core records,
        ``info["initial_loss"]``, computed from ``A``). Every later product,
        and so every loss the iterations report, is exact.
        """

        _start = None
        pixel_dtype = None

        def _pixels_made(self):
            """``X`` in ``pixel_dtype`` (one or two bytes a value), made on first use."""
            if self.pixels is None and self.pixel_dtype is not None:
                self.pixels = self.X.astype(self.pixel_dtype)
            return self.pixels

        def start_with(self, Ht, A) -> None:
            self._start = (Ht, A)

        def matmul(self, Ht, out=None):
            if self._start is not None:
                (start, A), self._start = self._start, None
                if Ht.shape == start.shape and np.array_equal(Ht, start):
                    if out is None:
                        return A
                    np.copyto(out, A)
                    return out
            return super().matmul(Ht, out)

    return ImageOperator


def image_start(op, k, rng):
    """NNDSVD (zeros kept) on a one-pass randomized SVD: ``W (n, k)``, ``Ht (m, k)`` in ``X``'s
    dtype, and ``A (n, k)``: ``X @ Ht`` with ``X`` projected on the sketch's range
    (:meth:`~topicnmf.nmf._init.Sketch.product`: no pass over ``X``).

    ``rng``: a ``numpy.random.RandomState`` or ``Generator`` (its ``bytes`` are the sketch's test matrix).

    Zeros, not NNDSVDa's fill with the mean of ``X``: for pixels (a mean near
    100) that fill makes ``W H`` about ``k`` times the mean squared, a start
    worse than zero; HALS moves zeros as freely as any other value.
    """
    from topicnmf.nmf._init import Sketch, nndsvd_factors
    from topicnmf.nmf._lazy import running_small

    sketch = Sketch(op, k, rng)
    if running_small():  # nothing compiled (a small stack of parts)
        W, Ht = (V.astype(op.dtype, copy=False) for V in nndsvd_factors(sketch.U, sketch.s, sketch.V))
    else:
        from topicnmf.nmf._dense import nndsvd_dense

        W, Ht = nndsvd_dense(sketch.U, sketch.s, sketch.V)
    # X @ Ht >= 0: so is its stand-in (the projection can dip below zero where X is dark;
    # a multiplicative update would carry a negative numerator into W)
    return W, Ht, np.maximum(sketch.product(Ht), 0)


def _start_rng(random_state):
    """What :func:`image_start` draws from: a ``RandomState`` as given, else a ``numpy``
    ``Generator`` seeded with ``random_state`` (an int or None; seeding one costs a
    tenth of seeding a ``RandomState``, which this start, drawing a few kilobytes of
    random bytes, would notice)."""
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return np.random.default_rng(random_state)


def factorize_image(X, k, *, init, solver, tol, max_iter, random_state, callback, rule=None, image=None,
                    op=None):
    """HALS (or the chosen solver) from the start ``init``; ``(W, H, info, seconds)``.

    ``X`` is already checked (finite, non-negative, a C-ordered float array);
    ``image``, if given, the pixels it holds (see :func:`image_operator`);
    ``op``, if given, the operator :func:`image_operator` made for them.
    ``rule``: a :class:`PsnrRule` (then ``tol`` is its own and the core's
    stationarity rule is off, and the fit runs on the compiled kernels whatever
    its size: one photograph at a small rank runs many cheap iterations, where
    the numpy kernels' cost per call dominates), else the core's rule with
    ``tol``. The core's own code path (``topicnmf.nmf._core.run``), without
    its checks of ``X``.
    """
    from contextlib import nullcontext

    from topicnmf.nmf._core import Settings, run
    from topicnmf.nmf._lazy import always_compiled, blas_threads, is_small, small_problem
    from topicnmf.nmf._solvers import hals_options

    start = time.perf_counter()
    if rule is not None:
        tol, callback = 0.0, rule
    W0 = H0 = None
    compiled = always_compiled() if rule is not None else nullcontext()
    warmup = WARMUP if init == "random" else 0
    with hals_options(alpha=SWEEP_ALPHA, gamma=EXTRAPOLATION_GROWTH, warmup=warmup, blas_gradient=True), \
            compiled:
        # the start on the kernels the fit will run on (a small stack of parts: numpy's,
        # nothing compiled; the core decides again from the count of non-zero pixels)
        with small_problem(is_small(X.size, X.shape, k)):
            if op is None:
                op = image_operator(X, image)
            if init is None:
                with blas_threads(1):  # as inside the fit: the products choose their threads
                    W0, H0t, A0 = image_start(op, k, _start_rng(random_state))
                op.start_with(H0t, A0)
                init, H0 = "custom", H0t.T
        settings = Settings(k, solver, 2.0, init, float(tol), int(max_iter), 0.0, 0.0, 0.0,
                            random_state, callback)
        W, H, info = run(op, settings, W=W0, H=H0, whom="compress" if rule is not None else "parts")
    return W, H, info, time.perf_counter() - start


def check_fit_params(n_components, init, solver, tol, max_iter, random_state, callback, owner):
    check_int(n_components, "n_components", owner, low=1)
    check_one_of(init, "init", owner, INITS)
    check_one_of(solver, "solver", owner, ("hals", "mu", "als"))
    check_real(tol, "tol", owner, low=0.0)
    check_int(max_iter, "max_iter", owner, low=1)
    check_random_state(random_state, "random_state", owner)
    check_callable(callback, "callback", owner)
