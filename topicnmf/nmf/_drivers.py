"""The two drivers of every compiled kernel, the choice between them, and the row splits.

Each kernel of ``_kernels`` is written once, as a loop over a fixed split of
its rows into at most ``N_CHUNKS`` ranges (``for c in prange(n_chunks)``).
:func:`kernel` turns that one definition into two drivers, each compiled on
first use (and only for the dtypes a run passes): compiled with
``parallel=True`` the ranges run on threads; compiled without it ``prange`` is a
plain loop. Both give bit-identical results, reductions included (one partial
sum per range, added in order), whatever the number of threads. Which driver
runs is decided in one place, :data:`choose`: the serial one below
``PARALLEL_MIN_WORK``, else whichever was measured faster on this machine,
re-measuring the other now and then, less often each time it stays the slower
(on a busy machine, waiting for a second thread can cost more than it brings).

Importing this module imports numba; the package reaches it through
``_lazy.kernels()``, which first chooses a writable cache folder.
"""

from __future__ import annotations

import functools
import time
import types

import numba
import numpy as np
from numba import njit

from . import _lazy

_lazy.choose_cache()  # before any kernel is defined, however this module is reached
_OPTS = dict(cache=_lazy.CACHE, nogil=True)
#: number of ranges every kernel splits its rows into (fixed: results never depend on threads)
N_CHUNKS = 16
#: below this many multiply-adds a kernel runs serially
PARALLEL_MIN_WORK = 2_000_000
#: after this many calls a kernel runs its slower driver once, to re-measure it; each
#: re-measure that confirms the choice doubles the wait, up to ``REMEASURE_MOST`` calls
REMEASURE_EVERY = 16
REMEASURE_MOST = 256
#: below this many columns of ``B`` the serial sparse products are scipy's
SCIPY_MAX_K = 16


# ------------------------------------------------------------ the two drivers
class Kernel:
    """One kernel definition and its two drivers, each compiled on first use.

    ``func`` loops over ranges with ``prange``. The serial driver is compiled
    from a renamed copy of it: numba keys its on-disk cache by the function's
    name and code, not by the compile flags, so the two drivers need two names.
    """

    def __init__(self, func):
        self.func = func
        self._drivers = [None, None]

    def driver(self, parallel: bool):
        """The compiled driver (a numba dispatcher), made on first request."""
        found = self._drivers[parallel]
        if found is None:
            func = self.func
            if not parallel:
                func = types.FunctionType(func.__code__, func.__globals__,
                                          func.__name__ + "_serial", func.__defaults__,
                                          func.__closure__)
                func.__qualname__ = self.func.__qualname__ + "_serial"
                func.__module__ = self.func.__module__
            found = self._drivers[parallel] = njit(parallel=parallel, **_OPTS)(func)
        return found

    @property
    def serial(self):
        return self.driver(False)

    @property
    def parallel(self):
        return self.driver(True)

    def __call__(self, key, work, *args, serial=None):
        """Run the driver :func:`choose` picks (``serial``: a replacement for the serial one)."""
        if work < PARALLEL_MIN_WORK:  # what choose would pick, without its bookkeeping: the
            # serial driver, untimed (at an image's small ranks a kernel runs in microseconds)
            found = serial if serial is not None else self._drivers[False]
            return (found if found is not None else self.serial)(*args)
        return choose.run(key, work, lambda mode: (serial if serial is not None and not mode
                                                   else self.driver(bool(mode))), args)


def kernel(func) -> Kernel:
    """Decorator: a :class:`Kernel` of ``func`` (nothing compiled yet)."""
    return Kernel(func)


class _Chooser:
    """Chooses the serial or the parallel driver of each kernel by measured speed.

    A call that compiled or loaded its driver (the dispatcher gained an
    overload) is not taken as a measure of the driver's speed. The slower driver
    runs again after ``REMEASURE_EVERY`` calls; while it stays the slower, each
    re-measure doubles the wait (up to ``REMEASURE_MOST``); a call that changes
    the choice starts the waits over.
    """

    def __init__(self):
        self.cost: dict = {}  # key: [seconds per unit of work, serial and parallel]
        self.calls: dict = {}  # key: [calls, the call that re-measures next, the wait after it]

    def mode(self, key, work) -> int:
        """0 (serial) or 1 (parallel) for the next call of ``key``."""
        if work < PARALLEL_MIN_WORK or _lazy.serial_only() or numba.get_num_threads() < 2:
            return 0
        cost = self.cost.setdefault(key, [None, None])
        calls = self.calls.setdefault(key, [0, REMEASURE_EVERY, REMEASURE_EVERY])
        calls[0] += 1
        if cost[1] is None:
            return 1
        if cost[0] is None:
            return 0
        mode = 0 if cost[0] <= cost[1] else 1
        return 1 - mode if calls[0] >= calls[1] else mode

    def run(self, key, work, pick, args):
        """Call ``pick(mode)(*args)`` for the chosen mode, timing it."""
        mode = self.mode(key, work)
        func = pick(mode)
        # (serial runs on threads of concurrent fits are not measured: they share the cores)
        cost = self.cost.get(key) if work >= PARALLEL_MIN_WORK and not _lazy.serial_only() else None
        if cost is None:
            return func(*args)
        known = len(getattr(func, "overloads", ()))
        start = time.perf_counter()
        out = func(*args)
        measured = len(getattr(func, "overloads", ())) == known
        if measured:
            cost[mode] = (time.perf_counter() - start) / work
        calls = self.calls[key]
        again = calls[0] >= calls[1]  # this call re-measured the slower driver
        before = 1 - mode if again else mode  # the driver chosen before this call
        if measured and None not in cost and (0 if cost[0] <= cost[1] else 1) != before:
            calls[1:] = [calls[0] + REMEASURE_EVERY, REMEASURE_EVERY]  # the choice changed: start over
        elif again:
            if measured:  # the choice stands: the next re-measure waits longer
                calls[2] = min(2 * calls[2], REMEASURE_MOST)
            calls[1] = calls[0] + calls[2]
        return out

    def __call__(self, key, work, serial, parallel, *args):
        """Run ``serial(*args)`` or ``parallel(*args)``, whichever is chosen."""
        return self.run(key, work, lambda mode: parallel if mode else serial, args)


choose = _Chooser()


# ------------------------------------------------------------------ splits
def even_split(n: int, n_chunks: int = N_CHUNKS) -> np.ndarray:
    """Boundaries of ``n_chunks`` ranges of about equal length over ``range(n)``.

    Made once per ``(n, n_chunks)`` and shared: callers only read it. Every
    kernel call asks for one, and at a small rank (an image at k = 5) making
    it anew cost a tenth of an iteration. (Not flagged read-only: the kernels
    would be compiled again for read-only arrays.)
    """
    return _even_split(int(n), int(n_chunks))


@functools.lru_cache(maxsize=256)
def _even_split(n: int, n_chunks: int) -> np.ndarray:
    n_chunks = min(max(n, 1), n_chunks)
    return np.linspace(0, n, n_chunks + 1).astype(np.int64)


def balanced_row_split(indptr: np.ndarray, n_chunks: int = N_CHUNKS) -> np.ndarray:
    """Row boundaries splitting a CSR matrix into ranges of about equal ``nnz``."""
    n_rows = indptr.shape[0] - 1
    targets = np.linspace(0, indptr[-1], n_chunks + 1)
    split = np.searchsorted(indptr, targets, side="left").astype(np.int64)
    split[0], split[-1] = 0, n_rows
    return np.unique(np.clip(split, 0, n_rows))


def balanced_column_split(indices: np.ndarray, n_cols: int,
                          n_chunks: int = N_CHUNKS) -> np.ndarray:
    """Column boundaries splitting a CSR matrix into ranges of about equal ``nnz``."""
    cum = _column_starts(indices, n_cols)
    targets = np.linspace(0, cum[-1], n_chunks + 1)
    split = np.searchsorted(cum, targets, side="left").astype(np.int64)
    split[0], split[-1] = 0, n_cols
    return np.unique(np.clip(split, 0, n_cols))


@njit(**_OPTS)
def _column_starts(indices, n_cols):
    """``out[j]``: the stored entries in the columns before ``j`` (``n_cols + 1`` values).

    Compiled so that counting makes no copy of ``indices`` (``np.bincount``
    casts them to ``intp``: on 20 Newsgroups that copy, made at a fit's first
    ``X.T @ W``, had been the top of the fit's memory).
    """
    out = np.zeros(n_cols + 1, dtype=np.int64)
    for p in range(indices.shape[0]):
        out[indices[p] + 1] += 1
    for j in range(n_cols):
        out[j + 1] += out[j]
    return out


def _cached(cache, key, make):
    """``cache[key]``, made by ``make()`` on first use (no cache: made every time)."""
    if cache is None:
        return make()
    found = cache.get(key)
    if found is None:
        found = cache[key] = make()
    return found
