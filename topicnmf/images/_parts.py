"""Parts of a stack of same-sized images, as in Lee & Seung (1999).

The stack is one matrix, one image per row: ``X (n_images, n_pixels) ~= W @ H``;
the rows of ``H`` are the basis images (the "parts").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from topicnmf.errors import InputError
from topicnmf.images._fit import check_fit_params, factorize_image
from topicnmf.images._io import as_stack, check_pixels
from topicnmf.images._pictures import image_grid

__all__ = ["Parts", "parts"]


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
    init, solver, max_iter, random_state, callback
        As in :func:`compress`.
    tol : float, default=1e-4
        As in :class:`topicnmf.nmf.NMF` (the core's stationarity rule; a stack
        of images has no one PSNR to watch).

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
    check_fit_params(n_components, init, solver, tol, max_iter, random_state, callback, owner)
    stack = as_stack(images, image_shape, owner)
    check_pixels(stack.reshape(stack.shape[0], -1), "the images passed to parts")
    n, r, c = stack.shape
    X = np.ascontiguousarray(stack.reshape(n, r * c), dtype=np.float64)
    k = int(n_components)
    if k > min(X.shape):
        raise InputError(
            f"n_components={k} is larger than the stack ({n} images of {r * c} pixels); "
            f"choose at most {min(X.shape)}."
        )
    W, H, info, fit_time = factorize_image(X, k, init=init, solver=solver, tol=tol, max_iter=max_iter,
                                           random_state=random_state, callback=callback)
    err = float(info["reconstruction_err"])
    norm = float(np.linalg.norm(X))
    return Parts(components=H.reshape(k, r, c), W=W, reconstruction_err=err,
                 relative_err=err / norm if norm > 0 else 0.0, n_iter=int(info["n_iter"]),
                 loss_history=list(info["loss_history"]), fit_time=fit_time)

