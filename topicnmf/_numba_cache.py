"""Where numba caches compiled kernels: a writable folder, or no cache (never an error).

numba caches compiled kernels next to their source (``__pycache__``). Where that
folder cannot be written (a read-only or system-wide install, another user's
files), the cache goes to ``$XDG_CACHE_HOME/topicnmf/numba`` (``~/.cache/...``),
else to ``<tempdir>/topicnmf-numba-<uid>``; where none of them can be written the
kernels are compiled without a cache (slower first calls in every process, never
an error). A ``NUMBA_CACHE_DIR`` set by the user is used as it is.

Both packages with kernels (``nmf``, ``measures``) choose through
:func:`choose_cache` before defining any. This module imports the standard
library alone.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


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


def choose_cache(source_dir: Path) -> tuple[str | None, bool]:
    """Point numba's cache at a writable folder for kernels defined in ``source_dir``.

    Returns ``(folder, cache)``: the folder chosen (None: numba's default, next to
    the sources, or no folder at all) and whether the kernels can be cached.
    """
    given = os.environ.get("NUMBA_CACHE_DIR")
    if given:
        return given, True
    if _writable(Path(source_dir) / "__pycache__"):
        return None, True
    for folder in _user_cache_dirs():
        if _writable(folder):
            os.environ["NUMBA_CACHE_DIR"] = str(folder)
            if "numba" in sys.modules:  # numba already read its configuration
                sys.modules["numba"].config.CACHE_DIR = str(folder)
            return str(folder), True
    return None, False
