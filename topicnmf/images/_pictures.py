"""Pictures of results: basis images as a grid, images side by side, PSNR against the rank.

matplotlib is imported by :func:`plot_psnr` only, which returns a ``Figure`` it
neither shows nor saves.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import numpy as np

from topicnmf._validation import check_int, parameter_error
from topicnmf.errors import InputError

if TYPE_CHECKING:
    from topicnmf.images._compress import Compression

__all__ = ["image_grid", "plot_psnr", "side_by_side"]


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
