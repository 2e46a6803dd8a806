"""Solvers: plain functions with one signature, found through ``SOLVERS``.

Every solver is called as ``solver(op, W, Ht, problem, monitor)`` and returns
``(W, Ht)``:

- ``op`` is the data operator (see ``_operator``); the solver reads ``X`` only
  through it;
- ``W`` (n_samples, k) and ``Ht`` (n_features, k) are the starting factors,
  C-ordered, in the dtype of ``X``; ``Ht`` is ``H.T``;
- ``problem`` holds the loss and the regularisation (a ``Problem``);
- ``monitor`` takes the objective after each iteration (``monitor.step(loss)``)
  and says when to stop; it owns the stopping rule, the history, the callback
  and the timing, so every solver stops by the same rule.

The objective is ``D_beta(X, W H) + l1_W |W|_1 + l1_H |H|_1 + 0.5 l2_W |W|_F^2
+ 0.5 l2_H |H|_F^2`` where ``D_2 = 0.5 |X - W H|_F^2`` (scikit-learn's meaning).

``solve_w`` solves for ``W`` with ``H`` fixed; ``NMF.transform`` and the end of
every fit use it, so that ``fit(X).transform(X)`` matches ``fit_transform(X)``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from ._loss import frobenius_objective, kl_divergence, penalty

EPS = float(np.finfo(np.float32).eps)


def _kern():
    from . import _kernels  # imports numba on first use only

    return _kernels


@dataclass(frozen=True)
class Problem:
    """The loss and the (already scaled) regularisation of one factorisation."""

    beta: float = 2.0
    l1_W: float = 0.0
    l1_H: float = 0.0
    l2_W: float = 0.0
    l2_H: float = 0.0

    def penalty(self, W, Ht) -> float:
        return penalty(W, self.l1_W, self.l2_W) + penalty(Ht, self.l1_H, self.l2_H)


class Monitor:
    """The one stopping rule, the loss history, the callback and the clock.

    The rule: stop after iteration ``t`` when the objective ``f`` decreased by
    less than ``tol`` relative to its previous value,
    ``f[t-1] - f[t] <= tol * |f[t-1]|`` (``f[0]`` being the objective at the
    starting point), or when ``max_iter`` iterations are done. ``tol=0``
    disables the rule.
    """

    def __init__(self, tol: float, max_iter: int, callback: Callable | None = None):
        self.tol = tol
        self.max_iter = max_iter
        self.callback = callback
        self.history: list[float] = []
        self.initial_loss: float | None = None
        self.converged = False
        self.start_time = time.perf_counter()

    def start(self, loss: float) -> None:
        """Record the objective at the starting point."""
        self.initial_loss = float(loss)

    def step(self, loss: float) -> bool:
        """Record the objective after one iteration; return True to stop."""
        loss = float(loss)
        prev = self.history[-1] if self.history else self.initial_loss
        self.history.append(loss)
        if self.callback is not None:
            self.callback(
                {
                    "iteration": len(self.history),
                    "loss": loss,
                    "elapsed": time.perf_counter() - self.start_time,
                }
            )
        if self.tol > 0 and prev is not None and prev - loss <= self.tol * abs(prev):
            self.converged = True
            return True
        return len(self.history) >= self.max_iter

    @property
    def n_iter(self) -> int:
        return len(self.history)


def _gram(V: np.ndarray) -> np.ndarray:
    """``V.T @ V`` (k, k)."""
    return V.T @ V


# ------------------------------------------------------------------------ HALS
def _inner_sweeps(nnz: int, n_rows: int, n_other: int, k: int, alpha: float) -> int:
    """Inner sweeps worth doing per product (Gillis & Glineur 2012, ``1 + alpha rho``).

    ``rho`` is the cost of the product and the Gram matrix that feed the sweeps
    over the cost of one sweep.
    """
    rho = (nnz * k + n_other * k * k) / max(1, n_rows * (k * k + k))
    return max(1, int(1 + alpha * rho))


def hals(op, W, Ht, problem: Problem, monitor: Monitor, *, alpha: float = 0.5,
         eps: float = 0.1):
    """Accelerated hierarchical ALS (Cichocki & Phan 2009; Gillis & Glineur 2012).

    Each product ``X @ H.T`` (or ``X.T @ W``) feeds several coordinate-descent
    sweeps over the rows of ``W`` (or of ``H.T``); a row stops sweeping when a
    sweep moves it by less than ``eps`` times its first move, and after at most
    ``1 + alpha * rho`` sweeps, ``rho`` being the relative cost of the product.
    Frobenius loss only.
    """
    kern = _kern()
    n, m = op.shape
    k = W.shape[1]
    inner_W = _inner_sweeps(op.nnz, n, m, k, alpha)
    inner_H = _inner_sweeps(op.nnz, m, n, k, alpha)
    HtH = _gram(Ht)
    first = True
    while True:
        A = op.matmul(Ht)
        if first:
            monitor.start(frobenius_objective(op.sq_norm, W, A, _gram(W), HtH)
                          + problem.penalty(W, Ht))
            first = False
        kern.hals_rows(W, A, HtH, problem.l1_W, problem.l2_W, inner_W, eps)
        del A
        C = op.rmatmul(W)
        WtW = _gram(W)
        kern.hals_rows(Ht, C, WtW, problem.l1_H, problem.l2_H, inner_H, eps)
        HtH = _gram(Ht)
        loss = frobenius_objective(op.sq_norm, Ht, C, WtW, HtH) + problem.penalty(W, Ht)
        del C
        if monitor.step(loss):
            return W, Ht


# -------------------------------------------------------------------------- MU
def _mu_frobenius_update(V, A, B, l1, l2):
    """``V *= A / (V B + l1 + l2 V)`` in place (denominators at 0 set to EPS)."""
    denom = V @ B
    if l1 > 0:
        denom += l1
    if l2 > 0:
        denom += l2 * V
    denom[denom == 0] = EPS
    np.divide(A, denom, out=denom)
    V *= denom


def _mu_kl_update(V, numer, colsum, l1, l2):
    """``V *= numer / (colsum + l1 + l2 V)`` in place (KL multiplicative update)."""
    denom = np.broadcast_to(colsum, V.shape).astype(V.dtype)
    if l1 > 0:
        denom += l1
    if l2 > 0:
        denom += l2 * V
    denom[denom == 0] = EPS
    np.divide(numer, denom, out=denom)
    V *= denom


def _kl_ratio(op, WH):
    """``X / (W H)`` at the stored entries of ``X``, with ``W H`` floored at EPS."""
    np.maximum(WH, EPS, out=WH)
    np.divide(op.data, WH, out=WH)
    return op.with_data(WH)


def mu(op, W, Ht, problem: Problem, monitor: Monitor):
    """Multiplicative updates (Lee & Seung 2001; Fevotte & Idier 2011).

    Frobenius (``beta=2``) and Kullback-Leibler (``beta=1``) losses. On sparse
    ``X`` the Kullback-Leibler updates touch only the stored entries of ``X``.
    """
    if problem.beta == 2.0:
        return _mu_frobenius(op, W, Ht, problem, monitor)
    return _mu_kl(op, W, Ht, problem, monitor)


def _mu_frobenius(op, W, Ht, problem, monitor):
    HtH = _gram(Ht)
    first = True
    while True:
        A = op.matmul(Ht)
        if first:
            monitor.start(frobenius_objective(op.sq_norm, W, A, _gram(W), HtH)
                          + problem.penalty(W, Ht))
            first = False
        _mu_frobenius_update(W, A, HtH, problem.l1_W, problem.l2_W)
        del A
        C = op.rmatmul(W)
        WtW = _gram(W)
        _mu_frobenius_update(Ht, C, WtW, problem.l1_H, problem.l2_H)
        HtH = _gram(Ht)
        loss = frobenius_objective(op.sq_norm, Ht, C, WtW, HtH) + problem.penalty(W, Ht)
        del C
        if monitor.step(loss):
            return W, Ht


def _mu_kl(op, W, Ht, problem, monitor):
    WH = op.dot_at_data(W, Ht)
    monitor.start(kl_divergence(op, WH, W, Ht) + problem.penalty(W, Ht))
    while True:
        R = _kl_ratio(op, WH)
        _mu_kl_update(W, R.matmul(Ht), Ht.sum(axis=0), problem.l1_W, problem.l2_W)
        R = _kl_ratio(op, op.dot_at_data(W, Ht))
        _mu_kl_update(Ht, R.rmatmul(W), W.sum(axis=0), problem.l1_H, problem.l2_H)
        del R
        WH = op.dot_at_data(W, Ht)
        loss = kl_divergence(op, WH, W, Ht) + problem.penalty(W, Ht)
        if monitor.step(loss):
            return W, Ht


# ------------------------------------------------------------------------- ALS
def als(op, W, Ht, problem: Problem, monitor: Monitor):
    """Alternating non-negative least squares, each block solved exactly.

    Each half-step solves the non-negative least-squares problem of all rows of
    ``W`` (then of ``H.T``) to optimality. Frobenius loss only.
    """
    HtH = _gram(Ht)
    first = True
    while True:
        A = op.matmul(Ht)
        if first:
            monitor.start(frobenius_objective(op.sq_norm, W, A, _gram(W), HtH)
                          + problem.penalty(W, Ht))
            first = False
        W = nnls_rows(A, HtH, problem.l1_W, problem.l2_W, W)
        del A
        C = op.rmatmul(W)
        WtW = _gram(W)
        Ht = nnls_rows(C, WtW, problem.l1_H, problem.l2_H, Ht)
        HtH = _gram(Ht)
        loss = frobenius_objective(op.sq_norm, Ht, C, WtW, HtH) + problem.penalty(W, Ht)
        del C
        if monitor.step(loss):
            return W, Ht


def nnls_rows(A, B, l1, l2, V0=None):
    """Solve ``min_v 0.5 v B v' - a v' + l1 sum(v) + 0.5 l2 |v|^2, v >= 0`` for every row ``a`` of ``A``."""
    V = np.zeros_like(A) if V0 is None else V0
    _kern().hals_rows(V, A, B, l1, l2, 10000, 1e-7)
    return V


# ------------------------------------------------------------- W for fixed H
def solve_w(op, Ht, problem: Problem, W=None, *, tol: float = 1e-8, max_iter: int = 2000):
    """``argmin_{W >= 0}`` of the objective for fixed ``H`` (``Ht = H.T``).

    Frobenius: an exact non-negative least-squares solve per row. Other losses:
    multiplicative updates from ``W`` (or a constant start) until the objective
    decreases by less than ``tol`` relatively.
    """
    n, m = op.shape
    k = Ht.shape[1]
    if problem.beta == 2.0:
        A = op.matmul(Ht)
        return nnls_rows(A, _gram(Ht), problem.l1_W, problem.l2_W,
                         None if W is None else W)
    if W is None:
        W = np.full((n, k), np.sqrt(op.total / (n * m) / k), dtype=op.dtype)
    colsum = Ht.sum(axis=0)
    prev = None
    for _ in range(max_iter):
        WH = op.dot_at_data(W, Ht)
        loss = kl_divergence(op, WH.copy(), W, Ht) + penalty(W, problem.l1_W, problem.l2_W)
        if prev is not None and prev - loss <= tol * abs(prev):
            break
        prev = loss
        R = _kl_ratio(op, WH)
        _mu_kl_update(W, R.matmul(Ht), colsum, problem.l1_W, problem.l2_W)
    return W


class SolverEntry(NamedTuple):
    """A registered solver: the function and the beta-losses it supports."""

    solve: Callable
    betas: tuple  # supported beta values


SOLVERS: dict[str, SolverEntry] = {
    "als": SolverEntry(als, (2.0,)),
    "hals": SolverEntry(hals, (2.0,)),
    "mu": SolverEntry(mu, (1.0, 2.0)),
}
