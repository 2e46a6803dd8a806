"""Compress one image with NMF and compare it with the truncated SVD of the same rank.

A grey image of ``r`` rows and ``c`` columns is a non-negative matrix ``X (r, c)``;
NMF of rank ``k`` stores it as ``W (r, k)`` and ``H (k, c)``: ``k (r + c)``
values instead of ``r c``. A colour image ``(r, c, 3)`` is one matrix with its
channels stacked along the image's shorter side: for a landscape image
(``r <= c``) one above the other, ``X = [R; G; B]`` of shape ``(3r, c)`` (the
channels share the column profiles ``H``, each has its own rows of ``W``); for a
portrait image side by side, ``[R | G | B]`` of shape ``(r, 3c)``. That stores
``k (3 min + max)`` values per rank ``k``, the fewest of the joint layouts.
benchmarks/images.py compares the layouts at the same number of stored values on
the two sample photographs (427 x 640): stacked along the short side ends 0.4 to
0.7 dB above the channels side by side (china k = 20: 20.70 against 20.29 dB;
k = 50: 22.75 against 22.34 dB; flower k = 20: 26.38 against 25.96 dB; k = 50:
30.61 against 29.89 dB) and 0.5 to 1.0 dB above one factorisation per channel
(20.07, 21.88, 25.89, 29.63 dB).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import numpy as np

from topicnmf.errors import InputError
from topicnmf.images._fit import PsnrRule, check_fit_params, factorize_image, image_operator
from topicnmf.images._io import check_pixels
from topicnmf.images._quality import _data_range, psnr, ssim_many

__all__ = ["Compression", "compress"]


def _work_dtype(image: np.ndarray):
    """float32 for pixels that it holds exactly (8- and 16-bit integers) and for float32
    images; float64 otherwise. The sums behind the loss are accumulated in float64."""
    if image.dtype in (np.uint8, np.int8, np.uint16, np.int16, np.bool_, np.float32, np.float16):
        return np.float32
    return np.float64


def _arranged(image: np.ndarray) -> np.ndarray:
    """:func:`_to_matrix`'s matrix in the image's own dtype (C-ordered)."""
    if image.ndim == 2:
        X = image
    elif image.shape[0] <= image.shape[1]:
        X = image.transpose(2, 0, 1).reshape(-1, image.shape[1])
    else:
        X = image.transpose(0, 2, 1).reshape(image.shape[0], -1)
    return np.ascontiguousarray(X)


def _to_matrix(image: np.ndarray) -> np.ndarray:
    """The matrix NMF factorises: grey, the image; colour ``(r, c, C)``, the channels stacked
    along the shorter side: ``(C r, c)`` (one above the other) if ``r <= c``, else ``(r, C c)``
    (side by side)."""
    return _arranged(image).astype(_work_dtype(image), copy=False)


def _to_image(X: np.ndarray, shape: tuple) -> np.ndarray:
    """The inverse of :func:`_to_matrix` for an image of ``shape``."""
    if len(shape) == 2:
        return X
    r, c, C = shape
    if r <= c:
        return X.reshape(C, r, c).transpose(1, 2, 0)
    return X.reshape(r, C, c).transpose(0, 2, 1)


def _clip_cast(R: np.ndarray, image: np.ndarray) -> np.ndarray:
    """``R`` clipped to the range of ``image`` and in its dtype (rounded for integers)."""
    R = np.clip(R, image.min(), image.max())
    if np.issubdtype(image.dtype, np.integer):
        R = np.rint(R)
    return R.astype(image.dtype, copy=False)



class _SvdBound:
    """The rank-``k`` truncated SVD of ``X``: the best rank-``k`` approximation in squared error.

    Its factors are computed once: by the stopping rule (which needs its
    objective ``0.5 |X - X_k|^2``), after the fit, or, once :meth:`start` is
    called, on a thread of its own while the fit goes on; its random draws
    are its own, so the result is the same. ``compress`` starts it before
    the fit where the fit runs on one thread (the compiled narrow products
    of a small rank, ``DenseOperator.narrow``), else once the gain of one
    iteration falls below ``PsnrRule.LEAD`` times the level at which the
    rule needs it, ``tol * PsnrRule.MAX_GAP``. At k = 5 from a random
    start the rule started it at about the 6th iteration and, where the fit
    stopped soon after, waited for it (the Hubble deep field in grey, 872 x
    1000: 2.5 to 5.5 ms of a 23 to 26 ms call); started before the fit, it
    shortened the time to reach scikit-learn cd's final PSNR on 23 of the 38
    photographs and copies of ``benchmarks/images.py`` that reach it (that
    one: from 22.7 to 19.2 ms, the best of four calls each; by 7% in the
    geometric mean of the 38).
    The objective is ``0.5 (|X|^2 - sum s_i^2)`` (``X_k`` is the projection of
    ``X`` on the top ``k`` left singular vectors), ``|X|^2`` as the caller
    knows it; the matrix ``X_k`` is formed only when asked for (or when ``X``
    is so nearly of rank ``k`` that the difference would be mostly rounding:
    then the objective is computed from it).

    The core's :class:`~topicnmf.nmf._init.Sketch` with 3 power iterations and
    :meth:`oversamples` columns beyond ``k``, as one compiled call that holds
    no GIL (``topicnmf.nmf._dense.power_sketch``): its bases are made
    orthonormal by Cholesky QR, and its SVD of ``Q^T X`` comes from a small
    symmetric eigenproblem. scipy's LU and SVD, which the core's
    ``randomized_svd`` runs, hold the GIL through their LAPACK calls, so on
    a thread beside the fit they stopped its iterations for as long (china
    grey, k = 5 from a random start: over the SVD's 5.4 to 6.3 ms the fit's
    thread waited 3.7 to 4.1 ms, in 29 to 38 waits); the same steps in
    numpy, each releasing the GIL, still left 1.3 to 2.1 ms of waits in 23 to
    26 (for the GIL between the steps' Python). On the sample photographs, copies of
    them resized to 200 x 300 and 800 x 1200 (grey and colour), a crop and a
    1000 x 1000 one, its PSNR (of the reconstruction clipped to the image's
    range) is within 0.005 dB of LAPACK's exact ``gesdd`` at k = 5, 20 and
    50, and it takes about 0.7 times ``randomized_svd``'s time (k + 20
    columns, 3 power iterations: within 0.009 dB). ``seconds``: its computing
    time (the factors and the matrix); ``waited``: the time its callers waited
    for the factors.
    """

    def __init__(self, X: np.ndarray, k: int, random_state=None, sq_norm: float | None = None):
        self.X, self.k, self.random_state = X, k, random_state
        self._sq_norm = sq_norm
        self._factors = None
        self._matrix = None
        self._future = None
        self.seconds = 0.0
        self.waited = 0.0

    @staticmethod
    def oversamples(k: int) -> int:
        """The sketch's columns beyond ``k``: ``k``, at least 10 and at most 30 (at k = 50
        within 0.005 dB of the exact SVD where 20 columns were within 0.013 dB)."""
        return max(10, min(k, 30))

    def start(self) -> None:
        """Compute the factors on a thread of its own (with the serial kernels) from now on.

        For an int or None ``random_state`` only (a ``RandomState`` is shared
        with the start, whose draws must come in order); the caller holds a
        one-thread BLAS context until :meth:`matrix` returns.
        """
        if self._future is None and self._factors is None and not isinstance(
                self.random_state, np.random.RandomState):
            import contextvars

            from topicnmf.nmf._lazy import thread_pool

            pool = thread_pool("svd", os.cpu_count() or 1)
            self._future = pool.submit(contextvars.copy_context().run, self._serially)

    def _serially(self) -> None:
        from topicnmf.nmf._lazy import serial_kernels

        with serial_kernels():
            self._compute()

    def _compute(self) -> None:
        from topicnmf.images._fit import _start_rng
        from topicnmf.nmf._dense import power_sketch
        from topicnmf.nmf._init import draw_test_matrix
        from topicnmf.nmf._lazy import blas_threads
        from topicnmf.nmf._operator import DenseOperator

        start = time.perf_counter()
        op = DenseOperator(self.X, sq_norm=self._sq_norm)
        n, m = self.X.shape
        rank = min(self.k + self.oversamples(self.k), n, m)
        omega = draw_test_matrix(_start_rng(self.random_state), m, rank, self.X.dtype)
        with blas_threads(1):  # (one BLAS thread, as the fit's own products)
            U, s, V = power_sketch(self.X, omega, 3, self.k)
        loss = 0.5 * max(op.sq_norm - float(np.dot(s, s)), 0.0)
        self._factors = (U, s, V, loss)
        self.seconds += time.perf_counter() - start
        if loss < 0.5e-3 * op.sq_norm:  # nearly rank k: the difference would show the sums' rounding
            from topicnmf.nmf._lazy import kernels

            self._factors = (U, s, V, 0.5 * kernels().sq_norm(self.X - self.matrix()))

    def _ready(self):
        if self._factors is None:
            start = time.perf_counter()
            if self._future is not None:
                self._future.result()
            else:
                self._compute()
            self.waited += time.perf_counter() - start
        return self._factors

    def matrix(self) -> np.ndarray:
        """``X_k`` (in the dtype of ``X``)."""
        if self._matrix is None:
            U, s, V, _ = self._ready()
        if self._matrix is None:  # (computing the factors may have formed it)
            start = time.perf_counter()
            self._matrix = (U * s).astype(self.X.dtype) @ V.T.astype(self.X.dtype)
            self.seconds += time.perf_counter() - start
        return self._matrix

    def loss(self) -> float:
        """``0.5 |X - X_k|^2``."""
        return self._ready()[3]


def _truncated_svd(X: np.ndarray, k: int, random_state=None) -> np.ndarray:
    """The rank-``k`` truncated SVD of ``X`` as one matrix (see :class:`_SvdBound`)."""
    return _SvdBound(X, k, random_state).matrix()


@dataclass
class Compression:
    """What :func:`compress` returns: the factors, the reconstruction and its quality.

    Attributes
    ----------
    W : ndarray of shape (rows, n_components) or (channels * rows, n_components)
    H : ndarray of shape (n_components, columns) or (n_components, channels * columns)
        Colour images: the channels stacked along the image's shorter side
        (``W`` has the channels' rows one above the other if ``rows <= columns``,
        else ``H`` has their columns side by side).
    reconstruction : ndarray of the image's shape and dtype
        ``W @ H`` clipped to the image's range (rounded for integer dtypes).
    svd_reconstruction : ndarray of the image's shape and dtype
        The truncated SVD of the same rank, clipped the same way.
    psnr, ssim : float
        Of ``reconstruction`` against the image (see :func:`psnr`, :func:`ssim`).
        The SSIM of both reconstructions is computed on first access of
        ``ssim`` or ``svd_ssim`` (eight Gaussian filters over the image), then
        kept.
    svd_psnr, svd_ssim : float
        The same for ``svd_reconstruction``: the bound on what any rank-``k``
        factorisation reaches in squared error.
    image : ndarray
        The image compressed (the caller's array, not a copy).
    n_components : int
    n_values : int
        Values in the image (``rows * columns * channels``).
    n_stored : int
        Values in ``W`` and ``H``: ``n_components * (n_rows + n_columns)`` of the
        factorised matrix.
    ratio : float
        ``n_values / n_stored``.
    n_iter : int
    loss_history : list of float
        ``0.5 ||X - W H||^2`` after each iteration.
    fit_time : float
        Seconds for the NMF (start and iterations), without the time the
        stopping rule waited for the SVD bound during the iterations.
    svd_time : float
        Seconds for the SVD bound (computed on a thread of its own while the
        fit goes on, from the first iteration that gains less than ten times
        the PSNR per iteration at which the stopping rule needs the bound, for
        an int or None ``random_state``).
    """

    W: np.ndarray
    H: np.ndarray
    reconstruction: np.ndarray
    svd_reconstruction: np.ndarray
    psnr: float
    svd_psnr: float
    n_components: int
    n_values: int
    n_stored: int
    ratio: float
    n_iter: int
    loss_history: list = field(repr=False)
    fit_time: float
    svd_time: float
    image: np.ndarray = field(repr=False, compare=False)

    @cached_property
    def _ssims(self) -> tuple:
        return tuple(ssim_many(self.image, [self.reconstruction, self.svd_reconstruction]))

    @property
    def ssim(self) -> float:
        return self._ssims[0]

    @property
    def svd_ssim(self) -> float:
        return self._ssims[1]

    def summary(self) -> dict:
        """The scalars and the loss history, ready for ``json.dumps``."""
        return {
            "n_components": self.n_components,
            "psnr": self.psnr,
            "ssim": self.ssim,
            "svd_psnr": self.svd_psnr,
            "svd_ssim": self.svd_ssim,
            "n_values": self.n_values,
            "n_stored": self.n_stored,
            "ratio": self.ratio,
            "n_iter": self.n_iter,
            "fit_time": self.fit_time,
            "svd_time": self.svd_time,
            "loss_history": list(self.loss_history),
        }


def compress(
    image,
    n_components: int,
    *,
    init: str | None = None,
    solver: str = "hals",
    tol: float = 5e-4,
    max_iter: int = 100,
    random_state: int | np.random.RandomState | None = None,
    callback: Callable[[dict], Any] | None = None,
) -> Compression:
    """Compress an image with NMF of rank ``n_components``; compare with the SVD bound.

    Parameters
    ----------
    image : array-like of shape (rows, columns) or (rows, columns, channels)
        Non-negative pixels (any integer or float dtype). Colour images are
        factorised with the channels stacked along the shorter side (see the
        module's notes): ``(channels * rows, columns)`` if ``rows <= columns``,
        else ``(rows, channels * columns)``.
    n_components : int
        Rank ``k``; at most the smaller side of that matrix.
    init : {None, 'random', 'nndsvd', 'nndsvda', 'nndsvdar'}, default=None
        None: NNDSVD (its zeros kept) on a one-pass randomized SVD
        (``image_start`` of :mod:`topicnmf.images._fit`: cheap, and on
        photographs a better start than NNDSVDa, whose fill with the mean pixel
        makes ``W H`` far too bright; the first update of ``W`` uses the
        sketch's projection of ``X`` for ``X @ H.T``, every later product is
        exact); the others as in
        :class:`topicnmf.nmf.NMF` (``'random'`` is scikit-learn's random start,
        draw for draw).
    solver : {'hals', 'mu', 'als'}, default='hals'
    tol : float, default=5e-4
        The stopping rule: the iterations stop once the PSNR of ``W @ H``
        (before clipping; it follows from the loss of each iteration) has
        gained, per iteration over the last 8 iterations, less than ``tol``
        times its distance to the PSNR of the truncated SVD (the bound; counted
        at most 10 dB): at that pace the gap would take more than ``1 / tol``
        iterations to close (:class:`~topicnmf.images._fit.PsnrRule`).
        ``tol=0`` runs ``max_iter`` iterations. On loss histories of the 43
        photographs and copies of ``benchmarks/images.py`` at k = 5 (random
        start), 20 and 50, with ``max_iter=100``, 5e-4 ended no lower than
        scikit-learn's cd and mu in 253 of 258 comparisons, 1e-3 in 252 (it
        stopped the astronaut in grey at k = 5 on a slow stretch, 0.008 dB
        below cd), 3e-4 in 254 and 1e-4 in 251 (ties with cd tip either
        way), for 11%, 15% and 18% more fitting time than 1e-3.
    max_iter : int, default=100
        The most iterations. Half of scikit-learn's 200: near the SVD bound
        (textured photographs at a large rank) the rule can run on through a
        long tail that gains little. On 1000 x 1000 copies of 15 grey
        photographs at k = 50 (``benchmarks/images.py --only big-photographs``)
        it ran 31 to 200 iterations, 0.2 to 1.2 s on two cores; the iterations
        past 100 gained at most 0.073 dB on 14 of them and 0.38 dB on a
        scanned page of text. On the 43 photographs and copies of that
        benchmark at k = 5, 20 and 50 (loss histories of 200 iterations),
        stopping at 100 ended no lower than scikit-learn's cd and mu (which run
        up to 200) in the same comparisons as stopping at 200.
    random_state : int, RandomState instance or None, default=None
        Seeds the start.
    callback : callable, default=None
        Called after every iteration, as in :class:`topicnmf.nmf.NMF`.

    Returns
    -------
    result : Compression

    Examples
    --------
    A rank-3 image of 40 x 60 pixels, stored in 300 values instead of 2400:

    >>> from numpy.random import RandomState
    >>> from topicnmf.images import compress
    >>> image = (RandomState(0).rand(40, 3) @ RandomState(1).rand(3, 60) * 80).astype("uint8")
    >>> result = compress(image, 3, random_state=0)
    >>> result.reconstruction.dtype, result.n_stored, round(result.ratio, 1)
    (dtype('uint8'), 300, 8.0)
    >>> result.psnr > 40 and result.svd_psnr > 40
    True
    """
    owner = "compress"
    check_fit_params(n_components, init, solver, tol, max_iter, random_state, callback, owner)
    image = check_pixels(np.asarray(image), "the image passed to compress")
    pixels = _arranged(image)  # (the narrow products of 8- and 16-bit images read these)
    X = pixels.astype(_work_dtype(image), copy=False)
    k = int(n_components)
    if k > min(X.shape):
        raise InputError(
            f"n_components={k} is larger than the image ({X.shape[0]} x {X.shape[1]}"
            f"{' with the channels stacked' if image.ndim == 3 else ''}); "
            f"choose at most {min(X.shape)}."
        )
    from topicnmf.nmf._lazy import blas_threads

    scan = time.perf_counter()
    op = image_operator(X, image, pixels)
    bound = _SvdBound(X, k, random_state, sq_norm=op.sq_norm)
    scan = time.perf_counter() - scan  # a part of the fit (the core would scan X for |X|^2)
    rule = PsnrRule(tol, _data_range(image), X.size, bound.loss, callback, prepare=bound.start)
    if op.narrow(k):  # the fit runs on one thread: the SVD (for the rule and the report) takes another
        bound.start()
    # Every product of the call on one BLAS thread, the SVD's thread included (the
    # setting is process-wide): after a product on two, OpenBLAS's second thread spins
    # for a while, on the core the fit's kernels and the SVD need (measured at k = 5:
    # about 35 us of each 220 us iteration of the next call).
    with blas_threads(1):
        W, H, info, fit_time = factorize_image(X, k, init=init, solver=solver, tol=tol, max_iter=max_iter,
                                               random_state=random_state, callback=None, rule=rule,
                                               op=op)
        fit_time += scan - bound.waited  # less the SVD, if the rule waited for it during the fit
        svd = _clip_cast(_to_image(bound.matrix(), image.shape), image)
        rec = _clip_cast(_to_image(W @ H, image.shape), image)
        n_stored = k * sum(X.shape)
        return Compression(
            W=W, H=H, reconstruction=rec, svd_reconstruction=svd,
            psnr=psnr(image, rec), svd_psnr=psnr(image, svd), image=image,
            n_components=k, n_values=int(image.size), n_stored=int(n_stored),
            ratio=image.size / n_stored, n_iter=int(info["n_iter"]),
            loss_history=list(info["loss_history"]), fit_time=fit_time, svd_time=bound.seconds,
        )

