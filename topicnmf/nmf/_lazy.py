"""Loading the kernels: on first use only, with a cache that never breaks a run.

``kernels()`` returns the kernels a factorisation runs on: the numpy ones of
``_small`` while a small problem runs (``small_problem``, set by ``_core.run``
from the size of the problem alone), else ``_kernels``, imported (with numba)
the first time a solver needs it. ``import topicnmf.nmf`` compiles and loads
nothing. Where the compiled kernels are cached is chosen by
``topicnmf._numba_cache`` (a writable folder, else no cache: slower, never broken).
"""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path

from .. import _numba_cache

_LOADED: list = []
_CONTROLLER: list = []
#: at most this much work per iteration (stored entries x k, plus the Gram
#: products (n + m) x k^2) runs on the numpy kernels: loading compiled ones
#: from their cache costs more than such a problem takes in all
SMALL_WORK = 4_000_000
_SMALL: ContextVar[bool] = ContextVar("topicnmf_small_problem", default=False)
_SERIAL: ContextVar[bool] = ContextVar("topicnmf_serial_kernels", default=False)
_COMPILED: ContextVar[bool] = ContextVar("topicnmf_compiled_kernels", default=False)
#: whether the kernels are cached on disk (decided once, before they are defined)
CACHE = True


def choose_cache() -> str | None:
    """Point numba's cache at a writable folder; return it (None: next to the sources, or none)."""
    global CACHE
    folder, CACHE = _numba_cache.choose_cache(Path(__file__).resolve().parent)
    return folder


def is_small(n_nonzero: int, shape: tuple, k: int) -> bool:
    """Whether a problem of this size runs on the numpy kernels (never within :func:`always_compiled`)."""
    return not _COMPILED.get() and n_nonzero * k + (shape[0] + shape[1]) * k * k <= SMALL_WORK


@contextmanager
def always_compiled():
    """Within the block (this thread or task only), every problem runs on the compiled kernels.

    For callers whose problems are small in work per iteration but run many
    iterations, where the numpy kernels' cost per call dominates:
    ``topicnmf.images.compress`` (a 427 x 640 photograph at k = 5 runs an
    iteration in about a seventh of the time on the compiled kernels).
    """
    token = _COMPILED.set(True)
    try:
        yield
    finally:
        _COMPILED.reset(token)


@contextmanager
def small_problem(small: bool):
    """Within the block (this thread or task only), ``kernels()`` are the numpy ones if ``small``."""
    token = _SMALL.set(bool(small))
    try:
        yield
    finally:
        _SMALL.reset(token)


@contextmanager
def serial_kernels():
    """Within the block (this thread or task only), the compiled kernels run their serial drivers.

    For work run on threads of its own beside a fit (see :func:`concurrently`):
    parallel kernels launched from two threads at once would share the cores
    badly, and some threading layers do not allow it.
    """
    token = _SERIAL.set(True)
    try:
        yield
    finally:
        _SERIAL.reset(token)


def serial_only() -> bool:
    """Whether the compiled kernels must run their serial drivers (see :func:`concurrently`)."""
    return _SERIAL.get()


def concurrently(tasks: list) -> list:
    """``[task() for task in tasks]``, run on as many threads as there are cores.

    For independent fits (the sample runs of a sweep): the kernels release the
    GIL, and each thread runs their serial drivers, so that two fits share the
    cores instead of each splitting its rows over both. Results come back in the
    order of ``tasks``; the first exception raised is raised here.
    """
    import os
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    n_threads = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
                    len(tasks))
    if n_threads < 2:
        return [task() for task in tasks]

    def serially(task):
        with serial_kernels():
            return task()

    # BLAS limits and warning filters are process-wide: the threads' own contexts may
    # restore each other's settings, so this one, entered first, restores the caller's.
    with blas_threads(1), warnings.catch_warnings(), ThreadPoolExecutor(n_threads) as pool:
        return list(pool.map(serially, tasks))


def thread_pool(name: str, n_threads: int):
    """This process's pool of ``n_threads`` threads named ``topicnmf-<name>``, made on first use.

    Kept for the life of the process; a forked child has none of its parent's
    threads, so it makes its own.
    """
    return _pool_of(os.getpid(), name, n_threads)


@functools.lru_cache(maxsize=None)
def _pool_of(pid: int, name: str, n_threads: int):
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(n_threads, thread_name_prefix=f"topicnmf-{name}")


def running_small() -> bool:
    """Whether the running problem is a small one (on the numpy kernels, nothing compiled)."""
    return _SMALL.get()


def kernels():
    """The kernels of the running problem: ``_small`` for a small one, else ``_kernels``."""
    if _SMALL.get():
        from . import _small

        return _small
    return compiled_kernels()


def compiled_kernels():
    """The ``_kernels`` module, imported (and its cache location chosen) once."""
    if not _LOADED:
        from . import _kernels  # its drivers choose the cache folder first

        _LOADED.append(_kernels)
    return _LOADED[0]


def blas_threads(limit: int | None):
    """A context in which the BLAS libraries run on ``limit`` threads (None: as they were).

    The scan of the loaded BLAS libraries (threadpoolctl) is done once per process.
    Where every BLAS library runs on ``limit`` threads already, nothing is set
    (an empty context): setting and restoring the limits costs a few tens of
    microseconds, and a fifth of a millisecond when the caches were just filled
    by a large product (an image's ``compress`` enters two such contexts before
    its first iteration).
    """
    if not _CONTROLLER:
        from threadpoolctl import ThreadpoolController

        controller = ThreadpoolController()
        _CONTROLLER.append((controller, [lib for lib in controller.lib_controllers if lib.user_api == "blas"]))
    controller, libs = _CONTROLLER[0]
    if limit is not None and all(lib.num_threads == limit for lib in libs):
        return nullcontext()
    return controller.limit(limits=limit, user_api="blas")
