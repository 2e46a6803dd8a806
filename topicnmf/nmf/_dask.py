"""NMF of a Dask array of row blocks: ``W`` stays with its rows on the workers.

The row-partitioned design of PLANC and pyDNMFk, run as the in-memory ``hals``
solver (extrapolated HALS, same stopping rule) step for step:

- every worker holds an actor (:class:`RowBlocks`) with its row blocks of ``X``
  (one CSR or dense matrix) and the matching rows of ``W`` and of the second
  buffer ``W_n``; ``X`` and ``W`` never leave the worker;
- each iteration the client broadcasts the extrapolated ``H`` (``Ht``, n_terms x
  k) and its Gram matrix ``H H^T`` (k x k); each worker updates its rows of
  ``W`` (``X_b @ Ht``, then HALS sweeps, exactly as ``hals_rows`` updates them in
  memory) and sends back ``X_b^T W_b`` (n_terms x k), ``W_b^T W_b`` (k x k),
  its share of the stationarity residual and of the penalty;
- the client sums the reductions, updates ``H`` by HALS sweeps and computes the
  objective ``0.5 ||X||^2 - <H^T, X^T W> + 0.5 <W^T W, H H^T>`` from them,
  without another pass over ``X``; it accepts or rejects the extrapolated step
  and tells the workers with the next broadcast (one round trip per iteration).

The actors are created once per fit from the computed blocks (the futures of
``X.to_delayed()``), so no graph is built per iteration: the calls go straight
to the workers.

A lost worker is recovered: its blocks are computed again from the graph of
``X`` (the source), handed to a new actor on a surviving worker, and their rows
of ``W`` are re-solved exactly for the current ``H`` (the objective cannot rise
by it); the momentum is dropped and the iterations go on. Blocks that cannot be
recomputed (data scattered by hand and lost with the worker) end the fit with
one :class:`~topicnmf.errors.InputError` line.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import scipy.sparse as sp

from ..errors import InputError
from ._loss import frobenius_objective, penalty
from ._solvers import Monitor, Problem, _extrapolate, _gram, _inner_sweeps

#: solvers with a distributed twin (the same algorithm as in memory)
DASK_SOLVERS = ("hals",)


def _kern():
    from . import _kernels

    return _kernels


def is_dask_array(X) -> bool:
    """Whether ``X`` is a ``dask.array.Array`` (without importing dask)."""
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "to_delayed")


def _worker_threads():
    """Limit numba to the worker's threads (two workers on two cores: one each)."""
    import numba

    try:
        from distributed import get_worker

        n = get_worker().state.nthreads
    except (ImportError, ValueError, AttributeError):
        n = numba.config.NUMBA_NUM_THREADS
    numba.set_num_threads(max(1, min(n, numba.config.NUMBA_NUM_THREADS)))


def as_block(block, dtype):
    """One row block as a checked CSR matrix or C-ordered array of ``dtype``."""
    from ._core import check_data

    if sp.issparse(block):
        block = sp.csr_matrix(block, dtype=dtype)
    else:
        block = np.ascontiguousarray(block, dtype=dtype)
    check_data(block, "NMF.fit")
    return block


class RowBlocks:
    """The state of one worker: its row blocks of ``X``, its rows of ``W`` and ``W_n``, and a
    buffer for ``X_b @ H^T`` kept from one step to the next."""

    def __init__(self, dtype, *blocks):
        from ._operator import as_operator

        self.dtype = np.dtype(dtype)
        blocks = [as_block(b, self.dtype) for b in blocks]
        self.sizes = [b.shape[0] for b in blocks]
        X = sp.vstack(blocks, format="csr") if sp.issparse(blocks[0]) else np.vstack(blocks)
        self.op = as_operator(X)
        self.W = np.zeros((X.shape[0], 0), dtype=self.dtype)
        self.Wn = self.A = None

    def stats(self):
        """``(sizes, ||X_b||^2, stored non-zeros, sum of X_b)``."""
        return self.sizes, self.op.sq_norm, self.op.n_nonzero, self.op.total

    def set_w(self, W):
        self.W = np.ascontiguousarray(W, dtype=self.dtype)
        self.Wn, self.A = np.empty_like(self.W), np.empty_like(self.W)

    def _pieces(self, W, P):
        """``<W, P>``, ``W^T W``, ``sum(W)``, ``||W||^2`` in float64."""
        kern = _kern()
        return (kern.fdot(W, P), _gram(W), float(W.sum(dtype=np.float64)), kern.sq_norm(W))

    def start(self, Ht):
        """The reductions of the objective at the accepted point."""
        _worker_threads()
        return self._pieces(self.W, self.op.matmul(Ht))

    def step(self, accept, Hn, HtH, beta, momentum, l1, l2, inner, eps):
        """Take the client's last decision (``accept``: True, False, or None for
        none pending), update ``W_n`` from the (extrapolated) accepted point;
        return the reductions."""
        _worker_threads()
        if accept is not None:
            self.decide(accept)
        if momentum:
            _extrapolate(self.W, self.Wn, beta)
        else:
            np.copyto(self.Wn, self.W)
        kern = _kern()
        pg2 = kern.hals_rows(self.Wn, self.op.matmul(Hn, out=self.A), HtH, l1, l2, inner, eps)
        C = self.op.rmatmul(self.Wn)
        return C, _gram(self.Wn), pg2, float(self.Wn.sum(dtype=np.float64)), kern.sq_norm(self.Wn)

    def decide(self, accept):
        """Accept ``W_n`` (the old point's buffer keeps the step) or keep ``W``."""
        if accept:
            np.subtract(self.Wn, self.W, out=self.W)
            self.W, self.Wn = self.Wn, self.W

    def solve(self, Ht, l1, l2):
        """Rows of ``W`` solved exactly for ``H`` from zero; the objective's reductions."""
        from ._solvers import solve_w

        _worker_threads()
        problem = Problem(l1_W=l1, l2_W=l2)
        self.W = np.zeros((self.op.shape[0], Ht.shape[1]), dtype=self.dtype)
        self.W, _ = solve_w(self.op, Ht, problem, self.W)
        self.Wn, self.A = np.empty_like(self.W), np.empty_like(self.W)
        return self._pieces(self.W, self.op.matmul(Ht))


class _Lost(Exception):
    """A worker holding row blocks was lost during a call."""


class DaskRows:
    """The client side: the actors, the broadcasts and the reductions, and recovery."""

    def __init__(self, X, client):
        self.client = client
        self.dtype = np.dtype(X.dtype) if X.dtype in (np.float32, np.float64) else np.dtype(
            np.float64)
        self.delayed = list(X.to_delayed().ravel())
        self.futures = client.compute(self.delayed)
        self.n_recovered = 0
        self.actors = []
        self._build(range(len(self.futures)))

    def _build(self, block_ids):
        """One actor per worker for the blocks in ``block_ids`` (where they are computed)."""
        from distributed import wait

        futures = [self.futures[b] for b in block_ids]
        wait(futures)
        bad = [f for f in futures if f.status == "error"]
        if bad:
            bad[0].result()  # raises the block's own error (InputError for bad data)
        who = self.client.who_has(futures)
        groups: dict = {}
        for b, f in zip(block_ids, futures):
            holders = who.get(f.key) or [None]
            groups.setdefault(holders[0], []).append(b)
        for address, ids in groups.items():
            workers = None if address is None else [address]
            actor = self.client.submit(
                RowBlocks, self.dtype, *[self.futures[b] for b in ids], actor=True,
                workers=workers, allow_other_workers=address is None, pure=False,
            ).result()
            # An actor handle binds to the process's default client, which is not
            # this one when several clients coexist: bind it to ours.
            if actor._client is not self.client:
                actor._client = self.client
            self.actors.append((ids, actor))

    def call(self, method, *args, actors=None):
        """Call ``method`` on every actor at once; the results in actor order."""
        pending, lost = [], False
        for _, actor in actors or self.actors:
            try:
                pending.append(getattr(actor, method)(*args))
            except (OSError, RuntimeError):  # the worker (or its actor) is gone
                lost = True
        out = []
        for p in pending:
            try:
                out.append(p.result())
            except (OSError, RuntimeError):
                lost = True
        if lost:
            raise _Lost()
        return out

    def stats(self):
        sizes, sq, nnz, total = {}, 0.0, 0, 0.0
        for (ids, _), (sz, s, z, t) in zip(self.actors, self.call("stats")):
            sizes.update(zip(ids, sz))
            sq, nnz, total = sq + s, nnz + z, total + t
        return [sizes[b] for b in range(len(self.futures))], sq, nnz, total

    def set_w(self, W_blocks):
        """Hand each actor its rows of the starting ``W`` (a list of per-block arrays)."""
        for ids, actor in self.actors:
            actor.set_w(np.concatenate([W_blocks[b] for b in ids]) if ids else None).result()

    def recover(self, Ht, l1, l2):
        """Replace the lost actors; their rows of ``W`` are solved for ``Ht``."""
        alive, lost_ids = [], []
        for ids, actor in self.actors:
            try:
                actor.stats().result()
                alive.append((ids, actor))
            except (OSError, RuntimeError):
                lost_ids.extend(ids)
        self.actors = alive
        for b in lost_ids:  # computed again from the graph where they were lost
            self.futures[b] = self.client.compute(self.delayed[b])
        try:
            self._build(lost_ids)
        except Exception as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(
                f"A Dask worker holding {len(lost_ids)} row block(s) of X passed to NMF.fit was "
                f"lost and the blocks cannot be computed again ({type(exc).__name__}); build X "
                f"from a source Dask can recompute (not client.scatter) or retry the fit."
            ) from None
        self.n_recovered += len(lost_ids)
        self.call("solve", Ht, l1, l2, actors=self.actors[len(alive):])

    def close(self):
        self.actors = []
        self.futures = []


def _objective(sq_norm, pieces, Ht, HtH, problem):
    """The objective at the workers' ``W`` from their ``_pieces`` reductions."""
    fd = sum(p[0] for p in pieces)
    WtW = sum(p[1] for p in pieces)
    w_sum = sum(p[2] for p in pieces)
    w_sq = sum(p[3] for p in pieces)
    div = max(0.5 * sq_norm - fd + 0.5 * _kern().fdot(WtW, HtH), 0.0)
    pen = problem.l1_W * w_sum + 0.5 * problem.l2_W * w_sq
    pen += penalty(Ht, problem.l1_H, problem.l2_H)
    return div, div + pen


def hals_dask(rows: DaskRows, Ht, problem: Problem, monitor: Monitor, *, n, nnz, sq_norm,
              alpha: float = 1.0, eps: float = 0.3, beta0: float = 0.5, eta: float = 1.5,
              gamma: float = 1.01, gamma_bar: float = 1.005):
    """The ``hals`` solver of ``_solvers`` with ``W`` on the workers; returns ``Ht``.

    Step for step the in-memory ``hals`` (same extrapolation, acceptance and
    stopping rule); only the order of the sums of ``X^T W`` and ``W^T W`` over
    the blocks differs, so the objectives agree to rounding.
    """
    kern = _kern()
    m, k = Ht.shape
    inner_W = _inner_sweeps(nnz, n, m, k, alpha)
    inner_H = _inner_sweeps(nnz, m, n, k, alpha)
    l1_W, l2_W, l1_H, l2_H = problem.l1_W, problem.l2_W, problem.l1_H, problem.l2_H
    f = _objective(sq_norm, rows.call("start", Ht), Ht, _gram(Ht), problem)[1]
    monitor.start(f)
    Hn = np.empty_like(Ht)
    momentum = False
    beta, beta_bar = beta0, 1.0
    decision = None  # sent with the next step: one round trip per iteration
    while True:
        try:
            extrapolated = momentum
            if momentum:
                _extrapolate(Ht, Hn, beta)
            else:
                np.copyto(Hn, Ht)
            HtH = _gram(Hn)
            parts = rows.call("step", decision, Hn, HtH, beta, momentum, l1_W, l2_W, inner_W, eps)
            C = parts[0][0].copy()
            WtW = parts[0][1].copy()
            for p in parts[1:]:
                C += p[0]
                WtW += p[1]
            pg2 = sum(p[2] for p in parts)
            pg2 += kern.hals_rows(Hn, C, WtW, l1_H, l2_H, inner_H, eps)
            HtH = _gram(Hn)
            pen = (l1_W * sum(p[3] for p in parts) + 0.5 * l2_W * sum(p[4] for p in parts)
                   + penalty(Hn, l1_H, l2_H))
            fn = frobenius_objective(sq_norm, Hn, C, WtW, HtH) + pen
            del C
            accept = fn <= f or not extrapolated
        except _Lost:
            decision = None  # the survivors took it with the failed step
            rows.recover(Ht, l1_W, l2_W)
            f = _objective(sq_norm, rows.call("start", Ht), Ht, _gram(Ht), problem)[1]
            momentum = False
            continue
        decision = accept
        if accept:
            np.subtract(Hn, Ht, out=Ht)
            Ht, Hn = Hn, Ht
            f = fn
            momentum = True
            beta = min(beta_bar, gamma * beta)
            beta_bar = min(1.0, gamma_bar * beta_bar)
        else:
            momentum = False
            beta_bar = beta
            beta = beta / eta
        if monitor.step(f, pg2):
            return Ht


def _client():
    try:
        from distributed import get_client
    except ImportError:  # pragma: no cover - the dask extra is missing
        raise InputError(
            "NMF.fit got a Dask array but the 'distributed' package is missing; "
            "pip install \"topicnmf[dask]\"."
        ) from None
    try:
        return get_client()
    except ValueError:
        raise InputError(
            "NMF.fit got a Dask array but no Dask client is running; start one first "
            "(distributed.Client(address) or distributed.Client(LocalCluster()))."
        ) from None


def check_dask(X, settings, whom="NMF.fit"):
    """Reject what the distributed fit does not do, each with its remedy."""
    if X.ndim != 2:
        raise InputError(f"X passed to {whom} must be 2-D. Got a Dask array of {X.ndim} dims.")
    if X.numblocks[1] != 1:
        raise InputError(
            f"The Dask array X passed to {whom} must be cut into row blocks only "
            f"(got {X.numblocks[1]} column blocks); use X.rechunk({{1: -1}})."
        )
    if settings.solver not in DASK_SOLVERS or settings.beta != 2.0:
        raise InputError(
            f"On a Dask array {whom} runs solver='hals' with beta_loss='frobenius'. "
            f"Got solver={settings.solver!r}, beta_loss={settings.beta:g}."
        )
    if settings.init is not None and settings.init not in ("random", "custom"):
        raise InputError(
            f"init={settings.init!r} needs the whole matrix in memory; on a Dask array "
            f"{whom} uses init='random' or 'custom'."
        )


def fit_dask(X, settings, *, W=None, H=None, whom: str = "NMF.fit"):
    """Factorise a Dask array of row blocks; return ``(H, info)`` (``W`` stays distributed).

    ``info`` holds ``n_iter``, ``loss_history``, ``initial_loss``,
    ``reconstruction_err``, ``converged``, ``elapsed`` as :func:`run` does, and
    ``n_recovered`` (row blocks rebuilt after a lost worker).
    """
    from sklearn.utils import check_random_state

    from ..errors import ConvergenceWarning
    from ._core import _blas_threads, _check_factor

    t0 = time.perf_counter()
    check_dask(X, settings, whom)
    client = _client()
    rows = DaskRows(X, client)
    try:
        sizes, sq_norm, nnz, total = rows.stats()
        n, m = sum(sizes), X.shape[1]
        k = settings.n_components
        dtype = rows.dtype
        problem = settings.problem((n, m))
        bounds = np.concatenate([[0], np.cumsum(sizes)])
        custom = settings.init == "custom" or (settings.init is None and W is not None
                                               and H is not None)
        if custom:
            if W is None or H is None:
                raise InputError(f"init='custom' needs both W and H passed to {whom}.")
            Ht = _check_factor("H", H, (k, m), dtype, whom, transpose=True)
            W = _check_factor("W", W, (n, k), dtype, whom)
            W_blocks = [W[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        else:  # 'random', drawn as the in-memory 'random' draws it (H first, then W)
            rng = check_random_state(settings.random_state)
            scale = np.sqrt(total / (n * m) / k)
            Ht = np.ascontiguousarray(
                np.abs(scale * rng.standard_normal(size=(k, m))).T, dtype=dtype)
            W_blocks = [np.abs(scale * rng.standard_normal(size=(s, k))).astype(dtype)
                        for s in sizes]
        rows.set_w(W_blocks)
        del W_blocks, W
        monitor = Monitor(settings.tol, settings.max_iter, settings.callback,
                          rounding=float(np.finfo(dtype).eps))
        with _blas_threads():
            Ht = hals_dask(rows, Ht, problem, monitor, n=n, nnz=nnz, sq_norm=sq_norm)
        while True:  # W for the final H, as transform solves it: the reported error
            try:
                pieces = rows.call("solve", Ht, problem.l1_W, problem.l2_W)
                break
            except _Lost:
                rows.recover(Ht, problem.l1_W, problem.l2_W)
        div = _objective(sq_norm, pieces, Ht, _gram(Ht), problem)[0]
    finally:
        rows.close()
    if not monitor.converged and settings.tol > 0:
        warnings.warn(
            f"Maximum number of iterations {settings.max_iter} reached before the "
            f"objective converged (tol={settings.tol:g}); increase max_iter or tol.",
            ConvergenceWarning, stacklevel=3,
        )
    if rows.n_recovered:
        warnings.warn(
            f"A Dask worker was lost during {whom}: {rows.n_recovered} row block(s) of X "
            f"were computed again on the other workers and their rows of W re-solved.",
            UserWarning, stacklevel=3,
        )
    info = {**monitor.info(div, t0), "n_recovered": rows.n_recovered}
    return np.ascontiguousarray(Ht.T), info


def _transform_block(block, H, l1, l2):
    from ._operator import as_operator
    from ._solvers import solve_w

    _worker_threads()
    op = as_operator(as_block(block, H.dtype))
    W, _ = solve_w(op, np.ascontiguousarray(H.T), Problem(l1_W=l1, l2_W=l2))
    return W


def transform_dask(X, H, problem: Problem):
    """``W`` for fixed ``H``, block by block, as a Dask array with the row chunks of ``X``."""
    k = H.shape[0]
    return X.map_blocks(_transform_block, H, problem.l1_W, problem.l2_W, dtype=H.dtype,
                        chunks=(X.chunks[0], (k,)), meta=np.empty((0, 0), dtype=H.dtype))
