"""Online NMF: ``H`` learned from chunks of rows seen one at a time (``NMF.partial_fit``).

Online HALS in the way of Mairal et al. (2010), with the forgetting factor of
scikit-learn's ``MiniBatchNMF``. For each chunk ``X_c``:

1. ``W_c`` is solved exactly for the current ``H`` (the non-negative least
   squares of ``transform``: block principal pivoting per row);
2. the sufficient statistics of the surrogate objective are updated,
   ``A <- rho A + X_c^T W_c`` (n_features x k) and ``B <- rho B + W_c^T W_c``
   (k x k), ``rho`` being ``forget_factor``;
3. ``H`` takes HALS sweeps on ``min_H 0.5 tr(H B H^T) - tr(A H)`` (plus the
   penalties), the problem ``sum_c rho^age 0.5 ||X_c - W_c H||^2`` reduces to.

Memory is that of one chunk, its ``W_c``, ``H`` and ``A`` (the size of ``H``):
it never depends on how many chunks came before. Compared with
``MiniBatchNMF`` (multiplicative updates of ``W_c`` and ``H``), each chunk gets
the exact ``W_c`` and ``H`` moves by coordinate descent, which converges in far
fewer chunks (``benchmarks/scale.py`` measures it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._loss import frobenius_objective
from ._solvers import Problem, _gram, _inner_sweeps, solve_w


def _kern():
    from . import _kernels

    return _kernels


@dataclass
class OnlineState:
    """The statistics carried from chunk to chunk."""

    A: np.ndarray  # (n_features, k): sum of rho^age X_c^T W_c
    B: np.ndarray  # (k, k): sum of rho^age W_c^T W_c
    n_eff: float  # sum of rho^age n_c: the rows the statistics stand for
    n_chunks: int = 0


def start(Ht: np.ndarray) -> OnlineState:
    """Empty statistics for ``Ht`` (n_features, k)."""
    m, k = Ht.shape
    return OnlineState(np.zeros((m, k), dtype=Ht.dtype), np.zeros((k, k), dtype=Ht.dtype), 0.0)


def online_step(state: OnlineState, op, Ht: np.ndarray, settings, forget_factor: float,
                *, eps: float = 0.1):
    """One chunk: solve ``W_c``, fold it into the statistics, update ``Ht`` in place.

    Returns the divergence ``0.5 ||X_c - W_c H||^2`` of the chunk at the ``H``
    it was given (before the update).
    """
    n, m = op.shape
    k = Ht.shape[1]
    problem = settings.problem((n, m))
    W, _ = solve_w(op, Ht, problem)
    C = op.rmatmul(W)
    WtW = _gram(W)
    div = frobenius_objective(op.sq_norm, Ht, C, WtW, _gram(Ht))
    rho = forget_factor if state.n_chunks else 0.0
    state.A *= rho
    state.A += C
    state.B *= rho
    state.B += WtW
    state.n_eff = rho * state.n_eff + n
    state.n_chunks += 1
    # H's penalty scaled by the rows the statistics stand for (scikit-learn scales by n)
    h_problem = settings.problem((state.n_eff, m))
    inner = _inner_sweeps(op.n_nonzero, m, n, k, 1.0)
    _kern().hals_rows(Ht, state.A, state.B, h_problem.l1_H, h_problem.l2_H, inner, eps)
    return div


__all__ = ["OnlineState", "Problem", "online_step", "start"]
