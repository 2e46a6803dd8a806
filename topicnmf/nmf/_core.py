"""``factorize``: the one code path behind ``NMF.fit``, ``NMF.transform`` and the function.

Validation returns derived values and never changes the parameters it checks.
"""

from __future__ import annotations

import numbers
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp

from .._validation import (check_callable, check_int, check_one_of, check_random_state,
                           check_real, parameter_error)
from ..errors import ConvergenceWarning, InputError
from ._init import INITS, initialize
from ._lazy import blas_threads, is_small, small_problem
from ._mask import masked_operator
from ._solvers import SOLVERS, Monitor, Problem, solve_w

BETA_LOSSES = {"frobenius": 2.0, "kullback-leibler": 1.0}


@dataclass(frozen=True)
class Settings:
    """Validated, derived settings of one factorisation (the parameters stay untouched)."""

    n_components: int
    solver: str
    beta: float
    init: str | None
    tol: float
    max_iter: int
    alpha_W: float
    alpha_H: float
    l1_ratio: float
    random_state: Any
    callback: Callable | None

    def problem(self, shape) -> Problem:
        """The regularisation scaled as scikit-learn scales it (by the other dimension)."""
        n, m = shape
        return Problem(
            beta=self.beta,
            l1_W=m * self.alpha_W * self.l1_ratio,
            l1_H=n * self.alpha_H * self.l1_ratio,
            l2_W=m * self.alpha_W * (1.0 - self.l1_ratio),
            l2_H=n * self.alpha_H * (1.0 - self.l1_ratio),
        )


def check_params(*, n_components, solver, beta_loss, init, tol, max_iter, alpha_W,
                 alpha_H, l1_ratio, random_state, callback, owner="NMF") -> Settings:
    """Check the parameters; return the derived ``Settings`` or raise ``InputError``."""
    k = check_int(n_components, "n_components", owner, low=1)
    check_one_of(solver, "solver", owner, SOLVERS)
    if isinstance(beta_loss, str) and beta_loss in BETA_LOSSES:
        beta = BETA_LOSSES[beta_loss]
    elif (isinstance(beta_loss, numbers.Real) and not isinstance(beta_loss, bool)
          and float(beta_loss) in BETA_LOSSES.values()):
        beta = float(beta_loss)
    else:
        raise parameter_error("beta_loss", owner,
                              "one of 'frobenius', 'kullback-leibler', 1.0 or 2.0", beta_loss)
    supported = SOLVERS[solver].betas
    if beta not in supported:
        names = {v: k_ for k_, v in BETA_LOSSES.items()}
        ok = [s for s, e in sorted(SOLVERS.items()) if beta in e.betas]
        raise InputError(
            f"The '{solver}' solver of {owner} does not support "
            f"beta_loss={names[beta]!r}; use solver={ok[0]!r} for it."
        )
    if init is not None and (not isinstance(init, str) or init not in INITS):
        listed = ", ".join(repr(c) for c in INITS)
        raise parameter_error("init", owner, f"one of {listed} or None", init)
    tol = check_real(tol, "tol", owner)
    max_iter = check_int(max_iter, "max_iter", owner, low=1)
    alpha_W = check_real(alpha_W, "alpha_W", owner)
    if isinstance(alpha_H, str) and alpha_H == "same":
        alpha_H_value = alpha_W
    else:
        try:
            alpha_H_value = check_real(alpha_H, "alpha_H", owner)
        except InputError:
            raise parameter_error("alpha_H", owner, "a float >= 0 or 'same'", alpha_H) from None
    l1_ratio = check_real(l1_ratio, "l1_ratio", owner, low=0.0, high=1.0)
    check_random_state(random_state, "random_state", owner)
    check_callable(callback, "callback", owner)
    return Settings(k, solver, beta, init, tol, max_iter, alpha_W, alpha_H_value, l1_ratio,
                    random_state, callback)


def check_missing_values(value, owner: str = "NMF"):
    """``None`` (every entry of ``X`` is observed) or NaN (NaN entries are missing)."""
    if value is None:
        return None
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isnan(value):
        return np.nan
    raise parameter_error("missing_values", owner, "None or numpy.nan", value)


def check_data(X, whom: str, missing_values=None):
    """Reject negative and infinite entries of an already converted ``X``; NaN too,
    unless ``missing_values`` is NaN."""
    values = X.data if sp.issparse(X) else X
    if values.size and missing_values is None and not np.isfinite(values).all():
        raise InputError(
            f"X passed to {whom} contains NaN or infinity; remove or impute those entries first."
        )
    if values.size and missing_values is not None and np.isinf(values).any():
        raise InputError(
            f"X passed to {whom} contains infinity; remove or impute those entries first."
        )
    if values.size and np.nanmin(values) < 0:
        raise InputError(
            f"Negative values in data passed to {whom}: X must be non-negative; "
            f"shift or clip it first."
        )


def _check_factor(name, A, shape, dtype, whom, transpose=False):
    """A checked C-ordered copy of a starting factor (of its transpose if asked)."""
    A = np.asarray(A)
    if A.shape != shape:
        raise InputError(
            f"{name} passed to {whom} must have shape {shape}. Got {A.shape}."
        )
    if not np.isfinite(A).all():
        raise InputError(f"{name} passed to {whom} contains NaN or infinity.")
    if A.size and A.min() < 0:
        raise InputError(f"Negative values in {name} passed to {whom}.")
    return np.array(A.T if transpose else A, dtype=dtype, order="C", copy=True)


def _blas_threads():
    """One BLAS thread while a factorisation runs: its parallel part is the compiled kernels.

    Two pools of threads (BLAS's and the kernels') spinning on the same cores
    slow each other down, badly so on a busy machine; the BLAS calls (the
    randomized SVD of the initialisation, Gram matrices, the products for dense
    ``X``, the rank-one updates of the numpy kernels, whose ``n x k`` operands
    are too small to gain from threads and can lose 10x to them) run on one
    thread. The large products of a dense ``X`` choose their own number of
    threads (``_operator.DenseOperator``).
    """
    return blas_threads(1)


def _check_masked_solver(op, settings, whom, mask):
    entry = SOLVERS[settings.solver]
    if op.masked and settings.beta not in entry.masked_betas:
        ok = sorted(s for s, e in SOLVERS.items() if settings.beta in e.masked_betas)
        names = {v: k_ for k_, v in BETA_LOSSES.items()}
        what = "mask" if mask is not None else "missing_values"
        supported = (f"solver one of {', '.join(repr(s) for s in ok)}" if ok
                     else "beta_loss='frobenius'")
        raise InputError(
            f"The '{what}' parameter of {whom} must be None with solver={settings.solver!r} "
            f"and beta_loss={names[settings.beta]!r}; missing entries need {supported}. "
            f"Got {'a ' + type(mask).__name__ if mask is not None else 'nan'}."
        )


def run(X, settings: Settings, *, W=None, H=None, update_H: bool = True,
        whom: str = "NMF.fit", mask=None, missing_values=None, init_only: bool = False):
    """Factorise a validated ``X``; return ``(W, H, info)``.

    ``X`` is a float32/float64 ndarray or CSR/CSC matrix, already checked with
    ``check_data``. With ``update_H=False``, ``H`` is fixed and only ``W`` is
    solved for (that is ``transform``). ``mask`` (True = observed) and NaN
    entries when ``missing_values`` is NaN mark missing entries (see ``_mask``).
    With ``init_only=True`` the starting factors are returned (``info`` empty):
    ``partial_fit`` starts from them.
    """
    t0 = time.perf_counter()
    op = masked_operator(X, mask, missing_values, whom)
    _check_masked_solver(op, settings, whom, mask)
    k = settings.n_components
    small = not op.masked and is_small(op.n_nonzero, op.shape, k)
    # A small problem runs on the numpy kernels (nothing to compile); every
    # problem runs with one BLAS thread, its initialisation included.
    with small_problem(small), _blas_threads():
        return _run(op, settings, W, H, update_H, whom, t0, init_only)


def _run(op, settings: Settings, W, H, update_H: bool, whom: str, t0: float, init_only: bool):
    n, m = op.shape
    k = settings.n_components
    dtype = op.dtype
    problem = settings.problem((n, m))

    if not update_H:
        if H is None:
            raise InputError(f"H must be given to {whom} when update_H=False.")
        Ht = _check_factor("H", H, (k, m), dtype, whom, transpose=True)
        warm = W is not None
        if warm:
            W = _check_factor("W", W, (n, k), dtype, whom)
        W, div = solve_w(op, Ht, problem, W, warm=warm)
        info = {"n_iter": 0, "loss_history": [], "reconstruction_err": float(np.sqrt(2 * div)),
                "converged": True, "elapsed": time.perf_counter() - t0}
        return W, Ht.T, info

    init = settings.init
    if init is None:
        init = "custom" if (W is not None and H is not None) else (
            "nndsvda" if k <= min(n, m) else "random")
    if init == "custom":
        if W is None or H is None:
            raise InputError(
                f"init='custom' needs both W and H passed to {whom}."
            )
        W = _check_factor("W", W, (n, k), dtype, whom)
        Ht = _check_factor("H", H, (k, m), dtype, whom, transpose=True)
    else:
        if W is not None or H is not None:
            raise InputError(
                f"W and H passed to {whom} are used only with init='custom' (or init=None); "
                f"got init={init!r}."
            )
        if init.startswith("nndsvd") and k > min(n, m):
            raise InputError(
                f"init={init!r} needs n_components <= min(n_samples, n_features) = "
                f"{min(n, m)}. Got {k}; use init='random'."
            )
        from sklearn.utils import check_random_state

        rng = check_random_state(settings.random_state)
        W, Ht = initialize(op, k, init, rng)
    if init_only:
        return W, Ht.T, {}
    if settings.solver == "mu" and init == "nndsvd":
        warnings.warn(
            "init='nndsvd' with solver='mu' keeps the zeros of the initial factors at zero; "
            "use init='nndsvda' or 'nndsvdar'.",
            UserWarning,
            stacklevel=4,  # _run, run, the public function, its caller
        )

    monitor = Monitor(settings.tol, settings.max_iter, settings.callback, rounding=float(np.finfo(dtype).eps))
    W, Ht = SOLVERS[settings.solver].solve(op, W, Ht, problem, monitor)
    if op.masked:
        # transform sees no mask, so there is nothing to agree with: W stays
        div = op.objective(W, Ht)
    else:
        # The returned W solves the W-problem for the final H exactly as transform
        # does (Frobenius: the same exact solve from the same start, so the two
        # agree to rounding even when the solution is not unique; other losses:
        # warm-started from the fitted W, so the objective never rises).
        W, div = solve_w(op, Ht, problem, W, warm=problem.beta != 2.0)
    if not monitor.converged and settings.tol > 0:  # tol=0 asks for max_iter iterations
        warnings.warn(
            f"Maximum number of iterations {settings.max_iter} reached before the "
            f"objective converged (tol={settings.tol:g}); increase max_iter or tol.",
            ConvergenceWarning,
            stacklevel=4,  # _run, run, the public function, its caller
        )
    return W, Ht.T, monitor.info(div, t0)
