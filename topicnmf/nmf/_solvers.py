"""Solvers: plain functions with one signature, found through ``SOLVERS``.

A registry entry maps each beta-loss it supports to a function
(``SOLVERS["hals"]`` runs ``hals`` for Frobenius and ``kl_cd``, in ``_kl``, for
Kullback-Leibler). Every solver is called as ``solver(op, W, Ht, problem, monitor)``
and returns ``(W, Ht)``:

- ``op`` is the data operator (see ``_operator``); the solver reads ``X`` only
  through it;
- ``W`` (n_samples, k) and ``Ht`` (n_features, k) are the starting factors,
  C-ordered, in the dtype of ``X``; ``Ht`` is ``H.T``;
- ``problem`` holds the loss and the regularisation (a ``Problem``);
- ``monitor`` takes the objective and the squared stationarity residual of each
  iteration (``monitor.step(loss, residual2)``) and says when to stop; it owns
  the stopping rule, the history, the callback and the timing, so every solver
  stops by the same rule.

The objective is ``D_beta(X, W H) + l1_W |W|_1 + l1_H |H|_1 + 0.5 l2_W |W|_F^2
+ 0.5 l2_H |H|_F^2`` where ``D_2 = 0.5 |X - W H|_F^2`` (scikit-learn's meaning).

``solve_w`` solves for ``W`` with ``H`` fixed; ``NMF.transform`` and the end of
every fit use it, so that ``fit(X).transform(X)`` matches ``fit_transform(X)``.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from ._lazy import kernels
from ._loss import frobenius_objective, kl_divergence, penalty

EPS = float(np.finfo(np.float32).eps)
#: iterations over which a stall of the objective at the data's precision is judged (``Monitor``)
STALL_WINDOW = 10


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

    The rule (all solvers): each iteration reports a stationarity residual of
    the objective, the norm over all coordinates of ``r = c (v - max(0, v - g / c))``
    (``v`` the coordinate, ``g`` its gradient, ``c`` its diagonal curvature). It
    is the projected gradient, except that a coordinate whose Newton step would
    cross zero counts as ``c v``, so that values on their way to zero (which
    multiplicative updates never reach) do not hold the rule up; it is zero
    exactly at a KKT point. Each block (``W``, then ``H``) is measured at the
    point where the solver starts updating it (``hals`` measures coordinate by
    coordinate in its first sweep, as scikit-learn's ``cd`` does). The solver
    stops after iteration ``t`` once ``r[t] <= tol * r[1]``, or when ``max_iter``
    iterations are done. ``tol=0`` disables the rule. A callback that returns
    ``True`` (that object, not any true value) stops the iterations too, as
    converged: a caller's own rule (``topicnmf.images`` stops when the PSNR
    closes its gap to the SVD bound too slowly).

    Unlike a relative decrease of the objective, this is blind to the size of the
    irreducible residual: on TF-IDF matrices, where that residual dominates, a
    relative decrease below 1e-4 comes within a few iterations, long before the
    factors settle, while ``tol`` here has about the meaning it has for
    scikit-learn's ``cd``.

    The one exception is a stall at the data's precision (``rounding``, the
    machine epsilon of the dtype of ``X``): once the objective has decreased by
    at most ``rounding`` times its value over the last :data:`STALL_WINDOW`
    iterations, the iterates cannot improve in that precision and the residual
    only wanders with the rounding (float32 TF-IDF: the last half of the
    iterations moved the objective by 2e-8 relatively on 20 Newsgroups), so the
    iterations stop as converged. Never with ``tol=0``.
    """

    def __init__(self, tol: float, max_iter: int, callback: Callable | None = None,
                 rounding: float = 0.0):
        self.tol = tol
        self.max_iter = max_iter
        self.callback = callback
        self.rounding = float(rounding)
        self.history: list[float] = []
        self.initial_loss: float | None = None
        self.converged = False
        self.pg0: float | None = None
        self.pg: float | None = None
        self.start_time = time.perf_counter()

    def start(self, loss: float) -> None:
        """Record the objective at the starting point."""
        self.initial_loss = float(loss)

    def step(self, loss: float, pg2: float) -> bool:
        """Record the objective and the squared stationarity residual of one iteration.

        Returns True when the iterations should stop.
        """
        loss = float(loss)
        self.history.append(loss)
        self.pg = float(np.sqrt(max(pg2, 0.0)))
        if self.pg0 is None:
            self.pg0 = self.pg
        if self.callback is not None:
            stop = self.callback(
                {
                    "iteration": len(self.history),
                    "loss": loss,
                    "elapsed": time.perf_counter() - self.start_time,
                    "pg_ratio": self.pg / self.pg0 if self.pg0 > 0 else 0.0,
                }
            )
            if stop is True:  # the caller's own stopping rule (images stop on PSNR)
                self.converged = True
                return True
        if self.tol > 0 and (self.pg <= self.tol * self.pg0 or self._stalled()):
            self.converged = True
            return True
        return len(self.history) >= self.max_iter

    def _stalled(self) -> bool:
        """Whether the objective moved by at most the data's rounding over the last iterations."""
        h = self.history
        if self.rounding <= 0 or len(h) <= STALL_WINDOW:
            return False
        return h[-1 - STALL_WINDOW] - h[-1] <= self.rounding * abs(h[-1])

    @property
    def n_iter(self) -> int:
        return len(self.history)

    def info(self, div: float, t0: float) -> dict:
        """The ``info`` of a finished fit: iterations, losses, final error, convergence, time."""
        return {
            "n_iter": self.n_iter,
            "loss_history": list(self.history),
            "initial_loss": self.initial_loss,
            "reconstruction_err": float(np.sqrt(2.0 * div)),
            "converged": bool(self.converged),
            "elapsed": time.perf_counter() - t0,
        }


def _buffer(op, k: int, dtype) -> np.ndarray:
    """A flat buffer for an iteration's temporaries of either block, ``max(n, m) * k`` values.

    A solver keeps its large temporaries (the products ``X @ H.T`` and ``X.T @ W``,
    ``mu``'s ``V @ B``) in such buffers for the whole fit, each seen as ``(n, k)`` or
    ``(m, k)`` (:func:`_rows`): the peak is that of allocating them anew each
    iteration, and the memory stays mapped. Arrays allocated and freed every
    iteration are, in a fresh process, given back to the system by glibc and
    faulted in again on their next first writes: on 20 Newsgroups at k = 10
    (18,846 x 34,877) that was 1,700 page faults an iteration, and 200
    iterations of ``mu`` took 8.0 s where the same fit in a process whose
    allocator had already grown past those sizes took 4.5 s.
    """
    n, m = op.shape
    return np.empty(max(n, m) * k, dtype=dtype)


def _rows(buffer: np.ndarray, n_rows: int, k: int) -> np.ndarray:
    """The first ``n_rows * k`` values of a flat buffer as a C-ordered ``(n_rows, k)`` array."""
    return buffer[:n_rows * k].reshape(n_rows, k)


def _gram(V: np.ndarray) -> np.ndarray:
    """``V.T @ V`` (k, k)."""
    return V.T @ V


def _frobenius(op, V, P, WtW, HtH, W, Ht) -> float:
    """``0.5 ||X - W H||^2`` from a product (see ``frobenius_objective``).

    With missing entries the products are those of the filled matrix: the
    masked objective is computed afresh at ``(W, Ht)``.
    """
    if op.masked:
        return op.objective(W, Ht)
    return frobenius_objective(op.sq_norm, V, P, WtW, HtH)


# ------------------------------------------------------------------------ HALS
_HALS_OPTIONS: ContextVar[dict] = ContextVar("topicnmf_hals_options", default={})


@contextmanager
def hals_options(**options):
    """Within the block (this thread or task only), ``hals`` runs with these keyword arguments.

    For callers that know their problem better than the defaults do:
    ``topicnmf.images`` factorises dense images, whose products run on BLAS at
    several times the multiply-adds per second of the compiled sweeps (a
    smaller ``alpha``), and whose extrapolation pays to grow faster (``gamma``)
    after a few plain iterations (``warmup``).
    ``blas_gradient=True``: for dense factors, the sweeps start from gradients
    computed by one BLAS product per block and run over blocks of rows at once
    (``hals_rows(..., blas_gradient=True)``: the same arithmetic per row,
    vectorised across rows). Every other fit keeps the defaults (so dense and
    sparse ``X`` give the same result).
    """
    unknown = set(options) - set(hals.__kwdefaults__)
    if unknown:
        raise TypeError(f"hals takes no {sorted(unknown)}")
    token = _HALS_OPTIONS.set({**_HALS_OPTIONS.get(), **options})
    try:
        yield
    finally:
        _HALS_OPTIONS.reset(token)


def _inner_sweeps(nnz: int, n_rows: int, n_other: int, k: int, alpha: float) -> int:
    """Inner sweeps worth doing per product (Gillis & Glineur 2012, ``1 + alpha rho``).

    ``rho`` is the cost of the product and the Gram matrix that feed the sweeps
    over the cost of one sweep.
    """
    rho = (nnz * k + n_other * k * k) / max(1, n_rows * (k * k + k))
    return max(1, int(1 + alpha * rho))


def hals(op, W, Ht, problem: Problem, monitor: Monitor, *, alpha: float = 1.0,
         eps: float = 0.3, beta0: float = 0.5, eta: float = 1.5, gamma: float = 1.01,
         gamma_bar: float = 1.005, blas_gradient: bool = False, warmup: int = 0):
    """Accelerated hierarchical ALS with extrapolation. Frobenius loss only.

    - Block updates: coordinate descent over the rows of ``W`` (then of ``H.T``),
      the HALS update of Cichocki & Phan (2009). Each product ``X @ H.T`` (or
      ``X.T @ W``) feeds several sweeps (Gillis & Glineur 2012): a row stops when a
      sweep moves it by less than ``eps`` times its first move, or after
      ``1 + alpha * rho`` sweeps, ``rho`` being the cost of the product over the
      cost of a sweep (a caller can set these arguments with :func:`hals_options`).
    - Extrapolation (Ang & Gillis 2019): each iteration starts from the accepted
      point pushed along its last step, ``W + beta (W - W_prev)`` (projected on
      ``W >= 0``), and likewise for ``H``; ``beta`` grows by ``gamma`` (capped by
      ``beta_bar``, which grows by ``gamma_bar`` up to 1) while the objective
      decreases. An extrapolated iteration that would raise the objective is
      rejected: the accepted point stays, the momentum is dropped (the next
      iteration starts from that point, not extrapolated) and ``beta`` shrinks by
      ``eta``. So the objective of the iterate never increases (but by rounding).
    - Warm-up: the first ``warmup`` iterations are plain ones (one sweep per
      product, no extrapolation): the steps of scikit-learn's ``cd`` solver.
      From a random start the first steps are large, and several sweeps and
      a push along them settle the factors early in whatever basin they
      point to (see ``topicnmf.images._fit.WARMUP``).

    Memory: two buffers per factor. One holds the accepted point; the other holds
    the last step, is overwritten by the extrapolated start, updated in place by
    the sweeps, and then swaps roles with the first. The products ``X @ H.T`` and
    ``X.T @ W`` are written into one more buffer, kept for the fit (:func:`_buffer`).

    With ``blas_gradient`` (an image's) and an operator that offers one
    (``op.hals_iteration(k)``: a dense ``X`` and factors of a few columns), the
    steps of an iteration up to its objective run as one compiled call
    (``_dense.hals_iteration``): the same kernels, the objective summed in
    another order; the acceptance, the extrapolation's weights and the
    stopping rule stay here.
    """
    options = _HALS_OPTIONS.get()
    if options:  # a caller's keyword arguments (see hals_options), taken once
        token = _HALS_OPTIONS.set({})
        try:
            return hals(op, W, Ht, problem, monitor, **options)
        finally:
            _HALS_OPTIONS.reset(token)
    kern = kernels()
    n, m = op.shape
    k = W.shape[1]
    inner_W = _inner_sweeps(op.n_nonzero, n, m, k, alpha)
    inner_H = _inner_sweeps(op.n_nonzero, m, n, k, alpha)
    l1_W, l2_W, l1_H, l2_H = problem.l1_W, problem.l2_W, problem.l1_H, problem.l2_H
    HtH = _gram(Ht)
    products = _buffer(op, k, W.dtype)  # X @ H.T, then X.T @ W
    op.fill(W, Ht)
    A = op.matmul(Ht, _rows(products, n, k))
    f = _frobenius(op, W, A, _gram(W), HtH, W, Ht) + problem.penalty(W, Ht)
    monitor.start(f)
    Wn = np.empty_like(W)  # the second buffers
    Hn = np.empty_like(Ht)
    momentum = False  # do Wn, Hn hold the last accepted step?
    beta, beta_bar = beta0, 1.0
    # dense factors of a few columns (an image's): the iteration's steps below in one compiled call
    step = op.hals_iteration(k) if blas_gradient and A.dtype == W.dtype else None
    if step is not None:
        from ._hals import block_split

        penalties = (float(l1_W), float(l2_W), float(l1_H), float(l2_H))
        blocks = (float(eps) ** 2, block_split(n), block_split(m))
    plain_left = int(warmup)  # plain iterations still to run
    while True:
        plain = plain_left > 0
        if plain:
            plain_left -= 1
            momentum = False
        sweeps_W, sweeps_H = (1, 1) if plain else (inner_W, inner_H)
        extrapolated = momentum
        if step is not None:
            fn, pg2 = step(W, Ht, Wn, Hn, momentum, beta, A, *penalties, sweeps_W, sweeps_H, *blocks)
            A = None  # (the first iteration's)
        else:
            if momentum:  # start from the extrapolated point, written over the step
                _extrapolate(W, Wn, beta)
                _extrapolate(Ht, Hn, beta)
                A = None
            else:
                np.copyto(Wn, W)
                np.copyto(Hn, Ht)
            if A is None:
                op.fill(Wn, Hn)
                A = op.matmul(Hn, _rows(products, n, k))
                HtH = _gram(Hn)
            pg2 = kern.hals_rows(Wn, A, HtH, l1_W, l2_W, sweeps_W, eps, blas_gradient)
            A = None  # C is written over it
            op.fill(Wn, Hn)
            C = op.rmatmul(Wn, _rows(products, m, k))
            WtW = _gram(Wn)
            pg2 += kern.hals_rows(Hn, C, WtW, l1_H, l2_H, sweeps_H, eps, blas_gradient)
            HtH = _gram(Hn)
            fn = _frobenius(op, Hn, C, WtW, HtH, Wn, Hn)
            del C
        fn += problem.penalty(Wn, Hn)
        # A step that was not extrapolated never raises the objective but by rounding
        # (float32 data): it is always taken, so the iterations cannot stall on rounding noise.
        if fn <= f or not extrapolated:  # accept; the step goes to the old point's buffers
            np.subtract(Wn, W, out=W)
            np.subtract(Hn, Ht, out=Ht)
            W, Wn = Wn, W
            Ht, Hn = Hn, Ht
            f = fn
            momentum = True
            if not plain:  # the extrapolation's weights move from the first accelerated iteration on
                beta = min(beta_bar, gamma * beta)
                beta_bar = min(1.0, gamma_bar * beta_bar)
        else:  # reject: keep the accepted point, drop the momentum
            momentum = False
            beta_bar = beta
            beta = beta / eta
        if monitor.step(f, pg2):
            return W, Ht


def _extrapolate(V, dV, beta):
    """``dV <- max(V + beta dV, 0)`` in place."""
    dV *= beta
    dV += V
    np.maximum(dV, 0, out=dV)


# -------------------------------------------------------------------------- MU
def _kl_ratio(op, WH):
    """The operator of ``X / (W H)`` at the stored entries of ``X`` (``WH`` is overwritten)."""
    return op.with_data(kernels().kl_ratio(op.data, WH, EPS))


def mu(op, W, Ht, problem: Problem, monitor: Monitor):
    """Multiplicative updates (Lee & Seung 2001; Fevotte & Idier 2011).

    Frobenius (``beta=2``) and Kullback-Leibler (``beta=1``) losses, with the
    updates of scikit-learn's ``solver='mu'`` (W first, then H). On sparse ``X``
    the Kullback-Leibler updates touch only the stored entries of ``X``.
    """
    if problem.beta == 2.0:
        return _mu_frobenius(op, W, Ht, problem, monitor)
    return _mu_kl(op, W, Ht, problem, monitor)


def _mu_frobenius(op, W, Ht, problem, monitor):
    kern = kernels()

    def update(V, A, B, l1, l2, scratch):
        return kern.mu_update(V, A, np.matmul(V, B, out=scratch), np.diag(B), l1, l2, EPS)

    return _alternate(op, W, Ht, problem, monitor, update)


def _alternate(op, W, Ht, problem, monitor, update):
    """The iterations of a Frobenius solver that updates whole blocks: ``W``, then ``H.T``.

    ``update(V, A, B, l1, l2, scratch)`` updates the block ``V`` in place for the
    product ``A`` (``X @ H.T`` or ``X.T @ W``) and the Gram matrix ``B`` of the
    other factor, and returns the block's squared stationarity residual at the
    incoming ``V``; ``scratch``, an array of ``V``'s shape and dtype, is its to
    overwrite. The products and the scratch arrays live in two buffers kept for
    the fit (:func:`_buffer`).
    """
    n, m = op.shape
    k = W.shape[1]
    products, scratch = _buffer(op, k, W.dtype), _buffer(op, k, W.dtype)
    HtH = _gram(Ht)
    first = True
    while True:
        op.fill(W, Ht)
        A = op.matmul(Ht, _rows(products, n, k))
        if first:
            monitor.start(_frobenius(op, W, A, _gram(W), HtH, W, Ht) + problem.penalty(W, Ht))
            first = False
        pg2 = update(W, A, HtH, problem.l1_W, problem.l2_W, _rows(scratch, n, k))
        op.fill(W, Ht)
        C = op.rmatmul(W, _rows(products, m, k))  # over A
        WtW = _gram(W)
        pg2 += update(Ht, C, WtW, problem.l1_H, problem.l2_H, _rows(scratch, m, k))
        HtH = _gram(Ht)
        loss = _frobenius(op, Ht, C, WtW, HtH, W, Ht) + problem.penalty(W, Ht)
        if monitor.step(loss, pg2):
            return W, Ht


def _kl_curvature(op, WH, V_other, transpose):
    """Diagonal of the KL Hessian for one block: ``(X / (W H)^2) @ (other factor)^2``."""
    R2 = op.with_data(kernels().kl_ratio2(op.data, WH, EPS))
    sq = V_other * V_other
    return R2.rmatmul(sq) if transpose else R2.matmul(sq)


def _mu_kl(op, W, Ht, problem, monitor):
    kern = kernels()
    WH = op.dot_at_data(W, Ht)
    monitor.start(kl_divergence(op, WH, W, Ht) + problem.penalty(W, Ht))
    while True:
        curv = _kl_curvature(op, WH, Ht, False)
        numer = _kl_ratio(op, WH).matmul(Ht)
        pg2 = kern.mu_update(W, numer, Ht.sum(axis=0), curv, problem.l1_W, problem.l2_W, EPS)
        WH = op.dot_at_data(W, Ht)
        curv = _kl_curvature(op, WH, W, True)
        numer = _kl_ratio(op, WH).rmatmul(W)
        pg2 += kern.mu_update(Ht, numer, W.sum(axis=0), curv, problem.l1_H, problem.l2_H, EPS)
        del numer, curv
        WH = op.dot_at_data(W, Ht)
        loss = kl_divergence(op, WH, W, Ht) + problem.penalty(W, Ht)
        if monitor.step(loss, pg2):
            return W, Ht


# ------------------------------------------------------------------------- ALS
def als(op, W, Ht, problem: Problem, monitor: Monitor):
    """Alternating non-negative least squares, each block solved exactly.

    Each half-step solves the non-negative least-squares problem of all rows of
    ``W`` (then of ``H.T``) to optimality. Frobenius loss only.
    """
    kern = kernels()

    def update(V, A, B, l1, l2, scratch):
        pg2 = _projected_gradient2(V, A, B, l1, l2, scratch)
        kern.nnls_rows(V, A, B, l1, l2)
        return pg2

    return _alternate(op, W, Ht, problem, monitor, update)


def _projected_gradient2(V, A, B, l1, l2, scratch) -> float:
    """Squared stationarity residual of ``0.5 V B V' - A V' + l1 V + 0.5 l2 V^2`` at ``V``.

    The same measure as the other solvers (see ``_kernels._kkt``), with the
    curvature ``diag(B) + l2``; the gradient is computed in ``scratch``.
    """
    G = np.matmul(V, B, out=scratch)
    G -= A
    if l1 > 0:
        G += l1
    if l2 > 0:
        G += l2 * V
    return kernels().kkt_sq_norm(V, G, np.diag(B) + l2)


# ------------------------------------------------------------- W for fixed H
def solve_w(op, Ht, problem: Problem, W=None, *, warm: bool = False, tol: float = 1e-8,
            max_iter: int = 2000):
    """``argmin_{W >= 0}`` of the objective for fixed ``H`` (``Ht = H.T``).

    Returns ``(W, divergence)``, the divergence ``D_beta(X, W H)`` being without
    the penalties. ``W`` (n_samples, k), if given, is overwritten: it is the start
    with ``warm=True``, else only a buffer for the result.

    Frobenius: an exact non-negative least-squares solve per row (block principal
    pivoting), from zero unless ``warm`` (its passive sets guessed by two
    coordinate-descent sweeps). Kullback-Leibler: coordinate descent
    (``_kl.solve_w_kl``) from ``W`` (``warm``) or from a constant, until the
    objective decreases by less than ``tol`` relatively (or ``max_iter`` rounds).
    """
    n, m = op.shape
    k = Ht.shape[1]
    l1, l2 = problem.l1_W, problem.l2_W
    if W is None:
        W = np.zeros((n, k), dtype=op.dtype)
    if problem.beta == 2.0 and op.masked:
        return _solve_w_masked(op, Ht, problem, W, warm, tol, max_iter)
    if problem.beta == 2.0:
        # The exact solve runs in float64 whatever the data's dtype: block
        # principal pivoting on a float32 Gram matrix of large values (an
        # image's 0..255) can pick a wrong active set and miss the optimum.
        W64 = W.astype(np.float64) if warm else np.zeros((n, k))
        A = op.matmul(Ht).astype(np.float64, copy=False)
        Ht64 = Ht.astype(np.float64, copy=False)
        HtH = _gram(Ht64)
        if not warm:
            # Two coordinate-descent sweeps from zero guess each row's support, so
            # block principal pivoting starts near its answer: at k = 50 on text it
            # needs a quarter of the time of a start from zero, to the same W.
            kernels().hals_rows(W64, A, HtH, l1, l2, 2, 0.0)
        kernels().nnls_rows(W64, A, HtH, l1, l2)
        W[...] = W64
        return W, frobenius_objective(op.sq_norm, W64, A, _gram(W64), HtH)
    return _kl().solve_w_kl(op, Ht, problem, W, warm=warm, tol=tol, max_iter=max_iter)


def _kl():
    """The ``_kl`` module, imported (with numba) on first use only."""
    from . import _kl as module

    return module


def kl_cd(op, W, Ht, problem: Problem, monitor: Monitor):
    """Coordinate descent with Newton steps for the Kullback-Leibler loss (see ``_kl``)."""
    return _kl().kl_cd(op, W, Ht, problem, monitor)


def _solve_w_masked(op, Ht, problem, W, warm, tol, max_iter):
    """``W`` for fixed ``H`` with missing entries: exact solves of the filled problem.

    Each step fills the missing entries with the current ``W H`` and solves the
    filled problem exactly (the EM algorithm); it stops once the masked
    objective decreases by at most ``tol`` relatively. From zero unless ``warm``.
    """
    l1, l2 = problem.l1_W, problem.l2_W
    if not warm:
        W[...] = 0.0
    HtH = _gram(Ht)
    kern = kernels()
    prev = None
    for _ in range(max_iter):
        op.fill(W, Ht)
        A = op.matmul(Ht)
        kern.nnls_rows(W, A, HtH, l1, l2)
        div = op.objective(W, Ht)
        loss = div + penalty(W, l1, l2)
        if prev is not None and prev - loss <= tol * abs(prev):
            break
        prev = loss
    return W, div


class SolverEntry(NamedTuple):
    """A registered solver: the function that solves each beta-loss it supports.

    ``masked_betas``: the beta-losses for which it accepts missing entries (a
    mask), seeing them through ``op.fill`` (see ``_mask``).
    """

    by_beta: dict  # {beta: solver function}
    masked_betas: tuple = ()

    @property
    def betas(self) -> tuple:
        """The supported beta values."""
        return tuple(sorted(self.by_beta))

    def solve(self, op, W, Ht, problem: Problem, monitor: Monitor):
        """Run the function registered for ``problem.beta``."""
        return self.by_beta[problem.beta](op, W, Ht, problem, monitor)


SOLVERS: dict[str, SolverEntry] = {
    "als": SolverEntry({2.0: als}, (2.0,)),
    "hals": SolverEntry({2.0: hals, 1.0: kl_cd}, (2.0,)),  # coordinate descent, either loss
    "mu": SolverEntry({2.0: mu, 1.0: mu}, (2.0,)),
}
