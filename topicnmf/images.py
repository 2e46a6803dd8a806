"""Image compression and parts-based images on the NMF core.

A grey image of ``r`` rows and ``c`` columns is a non-negative matrix ``X (r, c)``;
NMF of rank ``k`` stores it as ``W (r, k)`` and ``H (k, c)``: ``k (r + c)``
values instead of ``r c``. :func:`compress` does that and says how good the
result is (PSNR, SSIM) next to the truncated SVD of the same rank, the best any
rank-``k`` factorisation can do in squared error. A colour image ``(r, c, 3)``
is one matrix with its channels stacked along the image's shorter side: for a
landscape image (``r <= c``) one above the other, ``X = [R; G; B]`` of shape
``(3r, c)`` (the channels share the column profiles ``H``, each has its own rows
of ``W``); for a portrait image side by side, ``[R | G | B]`` of shape ``(r, 3c)``.
That stores ``k (3 min + max)`` values per rank ``k``, the fewest of the joint
layouts. benchmarks/images.py compares the layouts at the same number of stored
values on the two sample photographs (427 x 640): stacked along the short side
ends 0.4 to 0.7 dB above the channels side by side (china k = 20: 20.70 against
20.29 dB; k = 50: 22.75 against 22.34 dB; flower k = 20: 26.38 against 25.96 dB;
k = 50: 30.61 against 29.89 dB) and 0.5 to 1.0 dB above one factorisation per
channel (20.07, 21.88, 25.89, 29.63 dB).

:func:`parts` factorises a stack of same-sized images, one image per row of
``X (n_images, n_pixels)``; the rows of ``H`` are the basis images (the
"parts" of Lee & Seung, 1999) and :func:`image_grid` tiles them.

:func:`read_image` reads PNG/JPEG (and what else Pillow reads), ``.npy`` and
whitespace matrix files (``np.loadtxt``); :func:`write_image` writes the same
formats. This module uses :mod:`topicnmf.nmf` alone (no text modules); Pillow
and matplotlib are imported where they are used.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from topicnmf._validation import (
    check_callable,
    check_int,
    check_one_of,
    check_random_state,
    check_real,
    parameter_error,
)
from topicnmf.errors import InputError

__all__ = [
    "Compression",
    "Parts",
    "compress",
    "image_grid",
    "parts",
    "plot_psnr",
    "psnr",
    "read_image",
    "read_image_stack",
    "ssim",
    "write_image",
]

#: Suffixes read and written as whitespace matrix files (``np.loadtxt``/``np.savetxt``).
MATRIX_SUFFIXES = (".txt", ".dat", ".csv", ".tsv", ".mat.txt")
#: Largest image read, in pixels (Pillow's own guard against decompression bombs is 89M).
MAX_PIXELS = 50_000_000
#: Largest ``.npy`` or matrix file read, in bytes.
MAX_FILE_BYTES = 512 * 2**20
INITS = (None, "random", "nndsvd", "nndsvda", "nndsvdar")


# ------------------------------------------------------------------ reading and writing
def _regular_file(path: Path, what: str) -> Path:
    if not path.exists():
        raise InputError(f"{what} '{path}' does not exist; check the path.")
    if not path.is_file():
        raise InputError(f"{what} '{path}' is not a regular file; pass an image file.")
    return path


def _check_pixels(image: np.ndarray, where: str) -> np.ndarray:
    """A 2-D (grey) or 3-D (colour, channels last) array of finite non-negative numbers.

    ``where`` names the input in the messages: "the image passed to compress",
    "image 'photo.png'".
    """
    if image.dtype == bool or not (np.issubdtype(image.dtype, np.integer)
                                   or np.issubdtype(image.dtype, np.floating)):
        raise InputError(f"The values of {where} must be numbers. Got dtype {image.dtype}.")
    if image.ndim not in (2, 3) or image.size == 0:
        raise InputError(
            f"The array of {where} must be a non-empty 2-D (grey) or 3-D (rows, columns, "
            f"channels) array. Got shape {image.shape}."
        )
    if np.issubdtype(image.dtype, np.floating) and not np.isfinite(image).all():
        raise InputError(f"NaN or infinity in {where}; remove them first.")
    if image.min() < 0:
        raise InputError(
            f"Negative values in {where}: an image must be non-negative; shift or clip it first."
        )
    return image


def read_image(path: str | Path) -> np.ndarray:
    """Read an image: PNG, JPEG (through Pillow), ``.npy`` or a whitespace matrix file.

    Parameters
    ----------
    path : str or Path
        ``.npy``: an array saved by numpy (no pickles); ``.txt``, ``.dat``,
        ``.csv``, ``.tsv``: a matrix of numbers, one image row per line, as
        ``np.loadtxt`` reads it (commas are separators in ``.csv``); anything
        else: an image file Pillow reads.

    Returns
    -------
    image : ndarray of shape (rows, columns) or (rows, columns, 3)
        Grey images are 2-D, colour images RGB (an alpha channel or a palette is
        dropped). Pillow images keep their integer dtype (``uint8`` for 8-bit
        images); matrix files give ``float64``.

    Raises
    ------
    InputError
        The file is missing, unreadable, larger than ``MAX_PIXELS`` pixels or
        ``MAX_FILE_BYTES`` bytes, or holds negative, NaN or non-numeric values.
    """
    path = _regular_file(Path(path), "Image")
    suffix = path.suffix.lower()
    if suffix == ".npy" or suffix in MATRIX_SUFFIXES:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"Image '{path}' is larger than {MAX_FILE_BYTES // 2**20} MB; "
                             "crop or downsample it first.")
        try:
            if suffix == ".npy":
                image = np.load(path, allow_pickle=False)
            else:
                image = np.loadtxt(path, delimiter="," if suffix == ".csv" else None, ndmin=2)
        except (ValueError, OSError, EOFError) as error:
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise InputError(f"Cannot read image '{path}': {first}.") from None
        return _check_pixels(np.asarray(image), f"image '{path}'")
    return _read_pillow(path)


def _read_pillow(path: Path) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            if im.width * im.height > MAX_PIXELS:
                raise InputError(
                    f"Image '{path}' has {im.width * im.height:,} pixels, more than "
                    f"{MAX_PIXELS:,}; downsample it first."
                )
            grey = im.mode in ("1", "L", "LA", "F") or im.mode.startswith("I")
            target = ("L" if im.mode in ("1", "LA") else im.mode) if grey else "RGB"
            im = im.convert(target) if target != im.mode else im
            image = np.asarray(im)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        reason = "not an image Pillow can read" if isinstance(error, UnidentifiedImageError) else str(error)
        raise InputError(f"Cannot read image '{path}': {reason}; pass a PNG, JPEG, .npy or "
                         "matrix file.") from None
    if image.dtype.byteorder not in ("=", "|"):
        image = image.astype(image.dtype.newbyteorder("="))
    return _check_pixels(image, f"image '{path}'")


def write_image(path: str | Path, image: np.ndarray) -> Path:
    """Write ``image`` in the format its suffix names (as :func:`read_image` reads it).

    Parameters
    ----------
    path : str or Path
        ``.npy``, a matrix suffix (``.txt``, ``.dat``, ``.csv``, ``.tsv``) or an
        image format Pillow writes (``.png``, ``.jpg``...).
    image : ndarray of shape (rows, columns) or (rows, columns, 3)
        For Pillow formats, ``uint8`` (``uint16``/``int32`` grey for PNG, as
        Pillow stores them).

    Returns
    -------
    path : Path
    """
    path = Path(path)
    image = np.asarray(image)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        with open(path, "wb") as stream:
            np.save(stream, image, allow_pickle=False)
    elif suffix in MATRIX_SUFFIXES:
        if image.ndim != 2:
            raise InputError(f"A matrix file holds one grey image; cannot write shape {image.shape} "
                             f"to '{path}'; use .npy.")
        integer = np.issubdtype(image.dtype, np.integer)
        np.savetxt(path, image, fmt="%d" if integer else "%.10g",
                   delimiter="," if suffix == ".csv" else " ")
    else:
        from PIL import Image

        try:
            Image.fromarray(image).save(path)
        except (ValueError, KeyError, OSError, TypeError) as error:
            raise InputError(f"Cannot write image '{path}': {error}; use .png or .npy.") from None
    return path


def read_image_stack(path: str | Path) -> np.ndarray:
    """Read same-sized grey images: a folder of image files, or one ``.npy`` stack.

    Parameters
    ----------
    path : str or Path
        A folder (every file :func:`read_image` reads, in name order; colour
        images are turned grey by the mean of their channels), or a ``.npy``
        file of shape (n_images, rows, columns), or (n_images, n_pixels) with a
        square number of pixels.

    Returns
    -------
    images : ndarray of shape (n_images, rows, columns)
    """
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise InputError(f"Folder '{path}' holds no image files; pass a folder of images or a .npy stack.")
        stack = []
        for file in files:
            image = read_image(file)
            if image.ndim == 3:
                image = image.mean(axis=2)
            if stack and image.shape != stack[0].shape:
                raise InputError(
                    f"Image '{file}' is {image.shape[0]} x {image.shape[1]}, not "
                    f"{stack[0].shape[0]} x {stack[0].shape[1]} like '{files[0]}'; "
                    "the images must all have the same size."
                )
            stack.append(np.asarray(image, dtype=np.float64))
        return np.stack(stack)
    images = read_image(path) if path.suffix.lower() == ".npy" else None
    if images is None:
        raise InputError(f"'{path}' is neither a folder of images nor a .npy stack.")
    return _as_stack(images, None, f"'{path}'")


def _as_stack(images, image_shape, whom: str) -> np.ndarray:
    """(n_images, rows, columns) from a 3-D stack or 2-D rows of pixels."""
    images = np.asarray(images)
    if images.ndim == 2:
        n, p = images.shape
        if image_shape is None:
            side = math.isqrt(p)
            if side * side != p:
                raise InputError(
                    f"The images passed to {whom} are rows of {p} pixels, not a square number; "
                    "pass image_shape or a 3-D (n_images, rows, columns) array."
                )
            image_shape = (side, side)
        if len(image_shape) != 2 or image_shape[0] * image_shape[1] != p:
            raise InputError(
                f"image_shape {tuple(image_shape)} passed to {whom} does not hold {p} pixels."
            )
        return images.reshape(n, *image_shape)
    if images.ndim != 3:
        raise InputError(
            f"The images passed to {whom} must be (n_images, rows, columns) or "
            f"(n_images, n_pixels). Got shape {images.shape}."
        )
    return images


# ------------------------------------------------------------------ quality measures
def _data_range(image: np.ndarray) -> float:
    if np.issubdtype(image.dtype, np.integer):
        return float(np.iinfo(image.dtype).max)
    span = float(image.max() - image.min())
    return span if span > 0 else 1.0


def psnr(image: np.ndarray, reconstruction: np.ndarray, *, data_range: float | None = None) -> float:
    """Peak signal-to-noise ratio in dB: ``10 log10(data_range^2 / MSE)``.

    Parameters
    ----------
    image, reconstruction : ndarray of the same shape
    data_range : float, default=None
        The peak; None: the largest value of an integer dtype (255 for ``uint8``),
        or ``max - min`` of a float ``image``.

    Returns
    -------
    psnr : float
        ``inf`` when the two are equal.

    Examples
    --------
    >>> import numpy as np
    >>> from topicnmf.images import psnr
    >>> a = np.full((4, 4), 100, dtype=np.uint8)
    >>> round(psnr(a, a + 1), 2)
    48.13
    """
    image = np.asarray(image)
    peak = _data_range(image) if data_range is None else float(data_range)
    diff = image.astype(np.float64) - np.asarray(reconstruction, dtype=np.float64)
    mse = float(np.mean(diff * diff))
    return math.inf if mse == 0 else 10.0 * math.log10(peak * peak / mse)


def ssim(image: np.ndarray, reconstruction: np.ndarray, *, data_range: float | None = None) -> float:
    """Mean structural similarity (Wang et al., 2004), Gaussian window (sigma 1.5).

    Local means, variances and covariance are Gaussian-weighted (truncated at
    3.5 sigma, edges reflected), with ``C1 = (0.01 L)^2`` and ``C2 = (0.03 L)^2``;
    colour images average their channels.

    Parameters
    ----------
    image, reconstruction : ndarray of shape (rows, columns) or (rows, columns, channels)
    data_range : float, default=None
        ``L``, as in :func:`psnr`.

    Returns
    -------
    ssim : float
        1 for identical images.
    """
    from scipy.ndimage import gaussian_filter

    image = np.asarray(image)
    L = _data_range(image) if data_range is None else float(data_range)
    x = image.astype(np.float64)
    y = np.asarray(reconstruction, dtype=np.float64)
    sigma = (1.5, 1.5, 0.0) if x.ndim == 3 else 1.5

    def blur(a):
        return gaussian_filter(a, sigma=sigma, truncate=3.5, mode="reflect")

    mx, my = blur(x), blur(y)
    vx = blur(x * x) - mx * mx
    vy = blur(y * y) - my * my
    cxy = blur(x * y) - mx * my
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(s.mean())


# ------------------------------------------------------------------ the factorisation
def _to_matrix(image: np.ndarray) -> np.ndarray:
    """The matrix NMF factorises: grey, the image; colour ``(r, c, C)``, the channels stacked
    along the shorter side: ``(C r, c)`` (one above the other) if ``r <= c``, else ``(r, C c)``
    (side by side)."""
    if image.ndim == 2:
        X = image
    elif image.shape[0] <= image.shape[1]:
        X = image.transpose(2, 0, 1).reshape(-1, image.shape[1])
    else:
        X = image.transpose(0, 2, 1).reshape(image.shape[0], -1)
    return np.ascontiguousarray(X, dtype=np.float64)


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


def _quick_start(X: np.ndarray, k: int, rng: np.random.RandomState):
    """NNDSVDa (Boutsidis & Gallopoulos, 2008) on a one-pass randomized SVD.

    The range of ``X`` is sampled once, with no power iterations (one product with
    ``k + 10`` random columns): on photographs, whose spectra fall fast, HALS from
    this start reaches a given PSNR sooner than from the core's ``nndsvda`` (whose
    SVD runs 4 to 7 power iterations), measured in benchmarks/images.py.
    """
    from scipy import linalg

    n, m = X.shape
    rank = min(k + 10, n, m)
    Q, _ = linalg.qr(X @ rng.standard_normal((m, rank)), mode="economic", check_finite=False)
    Ub, s, Vt = linalg.svd(Q.T @ X, full_matrices=False, check_finite=False)
    U = Q @ Ub[:, :k]
    W = np.zeros((n, k))
    H = np.zeros((k, m))
    for j in range(k):
        x, y = U[:, j], Vt[j]
        xp, yp, xn, yn = np.maximum(x, 0), np.maximum(y, 0), np.maximum(-x, 0), np.maximum(-y, 0)
        nxp, nyp, nxn, nyn = (float(np.linalg.norm(v)) for v in (xp, yp, xn, yn))
        if nxp * nyp >= nxn * nyn and nxp * nyp > 0:
            u, v, sigma = xp / nxp, yp / nyp, nxp * nyp
        elif nxn * nyn > 0:
            u, v, sigma = xn / nxn, yn / nyn, nxn * nyn
        else:
            continue
        scale = math.sqrt(s[j] * sigma)
        W[:, j] = scale * u
        H[j] = scale * v
    mean = float(X.mean())
    W[W < 1e-6] = mean
    H[H < 1e-6] = mean
    return W, H


def _factorize(X, k, *, init, solver, tol, max_iter, random_state, callback):
    """HALS (or the chosen solver) from the start ``init``; ``(W, H, info, seconds)``."""
    from sklearn.utils import check_random_state as as_rng

    from topicnmf.nmf import factorize

    start = time.perf_counter()
    if init is None:
        W0, H0 = _quick_start(X, k, as_rng(random_state))
        W, H, info = factorize(X, k, W=W0, H=H0, init="custom", solver=solver, tol=tol,
                               max_iter=max_iter, callback=callback)
    else:
        W, H, info = factorize(X, k, init=init, solver=solver, tol=tol, max_iter=max_iter,
                               random_state=random_state, callback=callback)
    return W, H, info, time.perf_counter() - start


def _check_fit_params(n_components, init, solver, tol, max_iter, random_state, callback, owner):
    check_int(n_components, "n_components", owner, low=1)
    check_one_of(init, "init", owner, INITS)
    check_one_of(solver, "solver", owner, ("hals", "mu", "als"))
    check_real(tol, "tol", owner, low=0.0)
    check_int(max_iter, "max_iter", owner, low=1)
    check_random_state(random_state, "random_state", owner)
    check_callable(callback, "callback", owner)


def _truncated_svd(X: np.ndarray, k: int, random_state=None) -> np.ndarray:
    """The rank-``k`` truncated SVD of ``X``: the best rank-``k`` approximation in squared error.

    A randomized SVD with 8 power iterations (scikit-learn's ``randomized_svd``):
    on the sample photographs its PSNR is within 0.001 dB of LAPACK's exact
    ``gesdd`` at k = 20 and 50, in a fifth of the time on 427 x 1920 and a fifth
    or less on 1000 x 1000 (benchmarks/images.py).
    """
    from sklearn.utils.extmath import randomized_svd

    U, s, Vt = randomized_svd(X, k, n_iter=8, random_state=random_state)
    return (U * s) @ Vt


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
    svd_psnr, svd_ssim : float
        The same for ``svd_reconstruction``: the bound on what any rank-``k``
        factorisation reaches in squared error.
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
        Seconds for the NMF (start and iterations).
    svd_time : float
        Seconds for the SVD bound.
    """

    W: np.ndarray
    H: np.ndarray
    reconstruction: np.ndarray
    svd_reconstruction: np.ndarray
    psnr: float
    ssim: float
    svd_psnr: float
    svd_ssim: float
    n_components: int
    n_values: int
    n_stored: int
    ratio: float
    n_iter: int
    loss_history: list = field(repr=False)
    fit_time: float
    svd_time: float

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
    tol: float = 1e-4,
    max_iter: int = 200,
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
        None: NNDSVDa on a one-pass randomized SVD (cheap, and on photographs
        as good a start as the core's ``nndsvda``); the others as in
        :class:`topicnmf.nmf.NMF` (``'random'`` is scikit-learn's random start,
        draw for draw).
    solver : {'hals', 'mu', 'als'}, default='hals'
    tol : float, default=1e-4
    max_iter : int, default=200
        As in :class:`topicnmf.nmf.NMF`.
    random_state : int, RandomState instance or None, default=None
        Seeds the start.
    callback : callable, default=None
        Called after every iteration, as in :class:`topicnmf.nmf.NMF`.

    Returns
    -------
    result : Compression

    Examples
    --------
    >>> import numpy as np
    >>> from topicnmf.images import compress
    >>> rng = np.random.RandomState(0)
    >>> image = (rng.rand(40, 3) @ rng.rand(3, 60) * 80).astype(np.uint8)
    >>> result = compress(image, 3, random_state=0)
    >>> result.reconstruction.dtype, result.n_stored, round(result.ratio, 1)
    (dtype('uint8'), 300, 8.0)
    >>> result.psnr > 40 and result.svd_psnr > 40
    True
    """
    owner = "compress"
    _check_fit_params(n_components, init, solver, tol, max_iter, random_state, callback, owner)
    image = _check_pixels(np.asarray(image), "the image passed to compress")
    X = _to_matrix(image)
    k = int(n_components)
    if k > min(X.shape):
        raise InputError(
            f"n_components={k} is larger than the image ({X.shape[0]} x {X.shape[1]}"
            f"{' with the channels stacked' if image.ndim == 3 else ''}); "
            f"choose at most {min(X.shape)}."
        )
    W, H, info, fit_time = _factorize(X, k, init=init, solver=solver, tol=tol, max_iter=max_iter,
                                      random_state=random_state, callback=callback)
    start = time.perf_counter()
    svd = _clip_cast(_to_image(_truncated_svd(X, k, random_state), image.shape), image)
    svd_time = time.perf_counter() - start
    rec = _clip_cast(_to_image(W @ H, image.shape), image)
    n_stored = k * sum(X.shape)
    return Compression(
        W=W, H=H, reconstruction=rec, svd_reconstruction=svd,
        psnr=psnr(image, rec), ssim=ssim(image, rec),
        svd_psnr=psnr(image, svd), svd_ssim=ssim(image, svd),
        n_components=k, n_values=int(image.size), n_stored=int(n_stored),
        ratio=image.size / n_stored, n_iter=int(info["n_iter"]),
        loss_history=list(info["loss_history"]), fit_time=fit_time, svd_time=svd_time,
    )


@dataclass
class Parts:
    """What :func:`parts` returns.

    Attributes
    ----------
    components : ndarray of shape (n_components, rows, columns)
        The basis images (rows of ``H``).
    W : ndarray of shape (n_images, n_components)
        How much of each part each image holds.
    reconstruction_err : float
        ``||X - W H||_F``.
    relative_err : float
        ``||X - W H||_F / ||X||_F``.
    n_iter : int
    loss_history : list of float
    fit_time : float
    """

    components: np.ndarray
    W: np.ndarray
    reconstruction_err: float
    relative_err: float
    n_iter: int
    loss_history: list = field(repr=False)
    fit_time: float

    def grid(self, *, n_cols: int | None = None, pad: int = 1, zoom: int = 1) -> np.ndarray:
        """The basis images tiled as a grid (see :func:`image_grid`), each scaled to [0, 1]."""
        return image_grid(self.components, n_cols=n_cols, pad=pad, zoom=zoom)

    def summary(self) -> dict:
        """The scalars and the loss history, ready for ``json.dumps``."""
        k, r, c = self.components.shape
        return {
            "n_components": k, "n_images": int(self.W.shape[0]), "image_shape": [r, c],
            "reconstruction_err": self.reconstruction_err, "relative_err": self.relative_err,
            "n_iter": self.n_iter, "fit_time": self.fit_time,
            "loss_history": list(self.loss_history),
        }


def parts(
    images,
    n_components: int,
    *,
    image_shape: Sequence[int] | None = None,
    init: str | None = None,
    solver: str = "hals",
    tol: float = 1e-4,
    max_iter: int = 200,
    random_state: int | np.random.RandomState | None = None,
    callback: Callable[[dict], Any] | None = None,
) -> Parts:
    """Parts of a stack of same-sized images: ``X (n_images, n_pixels) ~= W @ H``.

    Parameters
    ----------
    images : array-like of shape (n_images, rows, columns) or (n_images, n_pixels)
        Non-negative grey images, one per row.
    n_components : int
        Number of parts; at most ``min(n_images, n_pixels)``.
    image_shape : (int, int), default=None
        ``(rows, columns)`` of 2-D input; None: square images.
    init, solver, tol, max_iter, random_state, callback
        As in :func:`compress`.

    Returns
    -------
    result : Parts

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from topicnmf.images import parts
    >>> result = parts(load_digits().data, 16, random_state=0)
    >>> result.components.shape, result.grid().shape
    ((16, 8, 8), (35, 35))
    """
    owner = "parts"
    _check_fit_params(n_components, init, solver, tol, max_iter, random_state, callback, owner)
    stack = _as_stack(images, image_shape, owner)
    _check_pixels(stack.reshape(stack.shape[0], -1), "the images passed to parts")
    n, r, c = stack.shape
    X = np.ascontiguousarray(stack.reshape(n, r * c), dtype=np.float64)
    k = int(n_components)
    if k > min(X.shape):
        raise InputError(
            f"n_components={k} is larger than the stack ({n} images of {r * c} pixels); "
            f"choose at most {min(X.shape)}."
        )
    W, H, info, fit_time = _factorize(X, k, init=init, solver=solver, tol=tol, max_iter=max_iter,
                                      random_state=random_state, callback=callback)
    err = float(info["reconstruction_err"])
    norm = float(np.linalg.norm(X))
    return Parts(components=H.reshape(k, r, c), W=W, reconstruction_err=err,
                 relative_err=err / norm if norm > 0 else 0.0, n_iter=int(info["n_iter"]),
                 loss_history=list(info["loss_history"]), fit_time=fit_time)


# ------------------------------------------------------------------ pictures
def image_grid(images, *, n_cols: int | None = None, pad: int = 1, zoom: int = 1) -> np.ndarray:
    """Tile same-sized grey images into one grid image, each scaled to [0, 1] by its maximum.

    Parameters
    ----------
    images : array-like of shape (n_images, rows, columns)
    n_cols : int, default=None
        Images per grid row; None: ``ceil(sqrt(n_images))``.
    pad : int, default=1
        Pixels of background (0) between the images.
    zoom : int, default=1
        Each pixel becomes a ``zoom x zoom`` block (for small images such as digits).

    Returns
    -------
    grid : ndarray of shape (n_rows * (rows + pad) - pad, n_cols * (columns + pad) - pad)
        Float values in [0, 1] (times ``zoom`` in both sizes).

    Examples
    --------
    >>> import numpy as np
    >>> from topicnmf.images import image_grid
    >>> image_grid(np.ones((5, 2, 3))).shape
    (5, 11)
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 3 or images.shape[0] == 0:
        raise InputError(f"image_grid needs an (n_images, rows, columns) array. Got shape {images.shape}.")
    n, r, c = images.shape
    n_cols = math.ceil(math.sqrt(n)) if n_cols is None else check_int(n_cols, "n_cols", "image_grid")
    pad = check_int(pad, "pad", "image_grid", low=0)
    zoom = check_int(zoom, "zoom", "image_grid")
    n_rows = math.ceil(n / n_cols)
    top = images.reshape(n, -1).max(axis=1)
    scaled = images / np.where(top > 0, top, 1.0)[:, None, None]
    grid = np.zeros((n_rows * (r + pad) - pad, n_cols * (c + pad) - pad))
    for i in range(n):
        y, x = divmod(i, n_cols)
        grid[y * (r + pad): y * (r + pad) + r, x * (c + pad): x * (c + pad) + c] = scaled[i]
    return np.kron(grid, np.ones((zoom, zoom))) if zoom > 1 else grid


def side_by_side(*images: np.ndarray, gap: int = 8) -> np.ndarray:
    """Images of one shape placed left to right with a white gap (for original | NMF | SVD).

    Parameters
    ----------
    *images : ndarray of shape (rows, columns) or (rows, columns, channels)
        Of one shape and dtype.
    gap : int, default=8

    Returns
    -------
    picture : ndarray of shape (rows, n * columns + (n - 1) * gap[, channels])
    """
    first = images[0]
    white = np.iinfo(first.dtype).max if np.issubdtype(first.dtype, np.integer) else first.max()
    spacer = np.full((first.shape[0], gap) + first.shape[2:], white, dtype=first.dtype)
    pieces = []
    for i, image in enumerate(images):
        pieces += [spacer, image] if i else [image]
    return np.concatenate(pieces, axis=1)


def plot_psnr(results: Sequence[Compression], ax=None):
    """PSNR against the rank: NMF next to the truncated-SVD bound.

    Parameters
    ----------
    results : sequence of Compression
        One per rank, as :func:`compress` returns them.
    ax : matplotlib Axes, default=None
        Where to draw; None: a new figure.

    Returns
    -------
    fig : matplotlib Figure
    """
    if not results:
        raise parameter_error("results", "plot_psnr", "a non-empty sequence of Compression", results)
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(5.5, 3.8), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    ordered = sorted(results, key=lambda r: r.n_components)
    ks = [r.n_components for r in ordered]
    ax.plot(ks, [r.svd_psnr for r in ordered], "s--", color="0.45", label="truncated SVD (bound)")
    ax.plot(ks, [r.psnr for r in ordered], "o-", color="C0", label="NMF")
    ax.set_xlabel("rank k")
    ax.set_ylabel("PSNR (dB)")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
