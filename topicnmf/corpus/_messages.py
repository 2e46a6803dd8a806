"""Small pieces of the corpus messages: listings, counts, sizes and printable names."""

from __future__ import annotations

import re
from collections import Counter

# Names listed in one warning or error message before "and N more".
LISTED = 5

# Lone surrogates (bytes of a file name that are not UTF-8, kept by the file system
# encoding's 'surrogateescape') and control characters (C0, DEL, C1).
_UNPRINTABLE = re.compile("[\udc80-\udcff\x00-\x1f\x7f-\x9f]")


def printable(name: str) -> str:
    """A file or folder name with undecodable bytes and control characters escaped.

    Bytes that are not UTF-8 become ``\\xNN`` and control characters their ``\\xNN``,
    ``\\n``... escape, so an id built from a name can be printed and written to UTF-8.

    Examples
    --------
    >>> printable("caf\\udce9.txt"), printable("a\\nb.txt"), printable("café.txt")
    ('caf\\\\xe9.txt', 'a\\\\nb.txt', 'café.txt')
    """
    if _UNPRINTABLE.search(name) is None:
        return name
    return _UNPRINTABLE.sub(_escape, name)


def _escape(match: re.Match) -> str:
    char = match.group()
    if "\udc80" <= char <= "\udcff":
        return f"\\x{ord(char) - 0xDC00:02x}"
    return char.encode("unicode_escape").decode("ascii")


def repeated(ids: list[str]) -> str:
    """'' when ids are unique, else a short description of the repeated ones."""
    if len(set(ids)) == len(ids):
        return ""
    counts = [(doc_id, n) for doc_id, n in Counter(ids).items() if n > 1]
    shown = ", ".join(f"{doc_id!r} ({n} times)" for doc_id, n in counts[:LISTED])
    more = f" and {len(counts) - LISTED} more" if len(counts) > LISTED else ""
    return shown + more


def listing(names: list[str]) -> str:
    """``'a', 'b', 'c', 'd', 'e' and 2 more``."""
    shown = ", ".join(repr(name) for name in names[:LISTED])
    more = f" and {len(names) - LISTED} more" if len(names) > LISTED else ""
    return shown + more


def count(n: int, noun: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def size(n_bytes: float) -> str:
    """A byte count for messages: ``512 bytes``, ``16 MiB``, ``1.5 GiB``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{int(n_bytes)} bytes"
