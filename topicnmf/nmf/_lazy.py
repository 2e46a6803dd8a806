"""Loading the kernels: on first use only, with a cache that never breaks a run.

``kernels()`` returns the kernels a factorisation runs on: the numpy ones of
``_small`` while a small problem runs (``small_problem``, set by ``_core.run``
from the size of the problem alone), else ``_kernels``, imported (with numba)
the first time a solver needs it. ``import topicnmf.nmf`` compiles and loads
nothing.

numba caches compiled kernels next to their source (``__pycache__``). Where that
folder cannot be written (a read-only or system-wide install, another user's
files), the cache goes to ``$XDG_CACHE_HOME/topicnmf/numba`` (``~/.cache/...``),
else to ``<tempdir>/topicnmf-numba-<uid>``; where none of them can be written the
kernels are compiled without a cache (slower first calls in every process, never
an error). A ``NUMBA_CACHE_DIR`` set by the user is used as it is.
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

_LOADED: list = []
#: at most this much work per iteration (stored entries x k, plus the Gram
#: products (n + m) x k^2) runs on the numpy kernels: loading compiled ones
#: from their cache costs more than such a problem takes in all
SMALL_WORK = 4_000_000
_SMALL: ContextVar[bool] = ContextVar("topicnmf_small_problem", default=False)
#: whether the kernels are cached on disk (decided once, before they are defined)
CACHE = True


def _writable(folder: Path) -> bool:
    """Whether files can be created in ``folder`` (created if missing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
        return True
    except OSError:
        return False


def _user_cache_dirs():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    yield Path(base) / "topicnmf" / "numba"
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    yield Path(tempfile.gettempdir()) / f"topicnmf-numba-{uid}"


def choose_cache() -> str | None:
    """Point numba's cache at a writable folder; return it (None: no cache at all)."""
    global CACHE
    given = os.environ.get("NUMBA_CACHE_DIR")
    if given:
        return given
    if _writable(Path(__file__).resolve().parent / "__pycache__"):
        return None  # numba's default, next to the sources
    for folder in _user_cache_dirs():
        if _writable(folder):
            os.environ["NUMBA_CACHE_DIR"] = str(folder)
            if "numba" in sys.modules:  # numba already read its configuration
                sys.modules["numba"].config.CACHE_DIR = str(folder)
            return str(folder)
    CACHE = False
    return None


def is_small(n_nonzero: int, shape: tuple, k: int) -> bool:
    """Whether a problem of this size runs on the numpy kernels."""
    return n_nonzero * k + (shape[0] + shape[1]) * k * k <= SMALL_WORK


@contextmanager
def small_problem(small: bool):
    """Within the block (this thread or task only), ``kernels()`` are the numpy ones if ``small``."""
    token = _SMALL.set(bool(small))
    try:
        yield
    finally:
        _SMALL.reset(token)


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
