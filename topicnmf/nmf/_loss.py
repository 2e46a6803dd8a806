"""Objectives, computed through the data operator and accumulated in float64.

``0.5 ||X - W H||_F^2`` for ``beta=2`` and the generalised Kullback-Leibler
divergence for ``beta=1`` (scikit-learn's ``_beta_divergence``);
``reconstruction_err_`` is ``sqrt(2 * it)``.
"""

from __future__ import annotations

import numpy as np

from ._lazy import kernels

EPS = float(np.finfo(np.float32).eps)


def penalty(V: np.ndarray, l1: float, l2: float) -> float:
    """``l1 * sum(V) + 0.5 * l2 * ||V||_F^2``."""
    out = 0.0
    if l1 > 0:
        out += l1 * float(V.sum(dtype=np.float64))
    if l2 > 0:
        out += 0.5 * l2 * kernels().sq_norm(V)
    return out


def frobenius_objective(sq_norm_X: float, V, P, WtW, HtH) -> float:
    """``0.5 ||X - W H||^2`` from ``<W, X H.T>`` (``V``, ``P``) and the two Gram matrices.

    ``(V, P)`` is ``(W, X @ H.T)`` or ``(H.T, X.T @ W)``: both give
    ``trace(W.T X H.T)``. The result is clipped at 0 (rounding can push an exact
    fit slightly below).
    """
    kern = kernels()
    value = 0.5 * sq_norm_X - kern.fdot(V, P) + 0.5 * kern.fdot(WtW, HtH)
    return max(value, 0.0)


def kl_divergence(op, WH: np.ndarray, W: np.ndarray, Ht: np.ndarray) -> float:
    """Generalised KL divergence ``sum(X log(X / WH) - X + WH)``.

    ``WH`` holds ``W @ H`` at the stored entries of ``X`` (``op.dot_at_data``);
    entries of ``X`` at or below EPS contribute only ``WH``; ``WH`` is floored at
    EPS as scikit-learn does.
    """
    sum_wh = float(np.dot(W.sum(axis=0, dtype=np.float64), Ht.sum(axis=0, dtype=np.float64)))
    value = kernels().kl_data_term(op.data, WH, EPS) + sum_wh
    return max(value, 0.0)

