"""The one bounded reader under every way of reading a corpus.

Every byte :func:`~topicnmf.corpus.read_corpus` and :func:`~topicnmf.corpus.iter_corpus`
read comes through :class:`Reading`:

- only regular files are opened (a FIFO, a device, a socket, a link to ``/dev/zero`` are
  refused before a byte is read, and a file swapped for one between the check and the
  ``open`` is refused by ``fstat`` on the open descriptor);
- a gzipped file is decompressed in bounded steps, and refused as soon as it expands more
  than ``max_compression_ratio`` times (past the first MiB): a decompression bomb fails in
  milliseconds;
- the bytes of one read are counted against ``max_bytes``, the size of one document against
  ``max_document_bytes`` and the number of documents against ``max_documents``.
"""

from __future__ import annotations

import gzip
import io
import itertools
import os
import stat
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from topicnmf._validation import check_int, parameter_error
from topicnmf.corpus._messages import size
from topicnmf.errors import InputError

__all__ = ["DEFAULT_LIMITS", "STREAM_LIMITS", "Limits"]

# Bytes read at a time.
CHUNK_BYTES = 1 << 16

# A gzipped file may expand this much before its compression ratio is checked, so small
# files of repeated text are never refused.
RATIO_FREE_BYTES = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Limits on what one call of ``read_corpus`` or ``iter_corpus`` reads.

    A limit of ``None`` switches that check off. Pass your own as
    ``read_corpus(path, limits=Limits(max_bytes=16 * 2**30))`` or as a dict of the limits to
    change, ``read_corpus(path, limits={"max_bytes": None})``.

    Parameters
    ----------
    max_document_bytes : int or None, default=16 MiB (16 * 2**20)
        Largest document: a file in a folder, a line of a line file (bytes), a text cell of a
        table (characters), or a line of a JSON lines file.
    max_documents : int or None, default=10_000_000
        Most documents in one corpus (a file's lines or rows, a folder's files). ``None``
        for :func:`iter_corpus`, which holds one chunk at a time.
    max_bytes : int or None, default=4 GiB (4 * 2**30)
        Most bytes read in all, after decompression. ``None`` for :func:`iter_corpus`.
    max_compression_ratio : int or None, default=200
        Most a gzipped file may expand (decompressed size over compressed size), checked
        once it has produced 1 MiB. Text compresses 3 to 10 times; a decompression bomb
        about 1000 times.

    Examples
    --------
    >>> Limits().max_document_bytes == 16 * 2**20
    True
    >>> Limits(max_bytes=None).max_bytes is None
    True
    """

    max_document_bytes: int | None = 16 << 20
    max_documents: int | None = 10_000_000
    max_bytes: int | None = 4 << 30
    max_compression_ratio: int | None = 200


#: The limits of :func:`~topicnmf.corpus.read_corpus`.
DEFAULT_LIMITS = Limits()
#: The limits of :func:`~topicnmf.corpus.iter_corpus`: no total, since it holds one chunk.
STREAM_LIMITS = replace(DEFAULT_LIMITS, max_documents=None, max_bytes=None)

_LIMIT_NAMES = tuple(field.name for field in fields(Limits))


def check_limits(value: Any, default: Limits, owner: str) -> Limits:
    """``limits`` of read_corpus/iter_corpus: None, a Limits or a dict of some limits."""
    if value is None:
        return default
    if isinstance(value, Limits):
        given = {name: getattr(value, name) for name in _LIMIT_NAMES}
    elif isinstance(value, Mapping):
        unknown = [key for key in value if key not in _LIMIT_NAMES]
        if unknown:
            raise parameter_error(
                "limits", owner, f"a Limits or a dict with keys among {', '.join(_LIMIT_NAMES)}",
                unknown[0],
            )
        given = {**{name: getattr(default, name) for name in _LIMIT_NAMES}, **value}
    else:
        raise parameter_error("limits", owner, "None, a Limits or a dict", value)
    checked = {
        name: None if limit is None else check_int(limit, f"limits.{name}", owner, low=1)
        for name, limit in given.items()
    }
    return Limits(**checked)


def limit_error(what: str, limit: str, value: int, remedy: str = "") -> InputError:
    """One line: what passed which limit, and how to raise it."""
    shown = value if limit in ("max_documents", "max_compression_ratio") else size(value)
    how = f"{remedy} raise" if remedy else "Raise"
    return InputError(
        f"{what} passes the limit {limit}={shown}. {how} it with "
        f"limits={{'{limit}': ...}} (None switches it off)."
    )


class Reading:
    """The state of one read: its limits, and the bytes and documents counted so far."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.n_bytes = 0
        self.n_documents = 0

    # ------------------------------------------------------------------ counting

    def add_bytes(self, n: int, where: str) -> None:
        self.n_bytes += n
        limit = self.limits.max_bytes
        if limit is not None and self.n_bytes > limit:
            raise limit_error(
                f"Reading {where!r}", "max_bytes", limit, "Read it in chunks with iter_corpus, or"
            )

    def add_documents(self, n: int, where: str) -> None:
        self.n_documents += n
        limit = self.limits.max_documents
        if limit is not None and self.n_documents > limit:
            raise limit_error(
                f"The number of documents in {where!r}", "max_documents", limit,
                "Read it in chunks with iter_corpus, or",
            )

    def check_document(self, n: int, what: str) -> None:
        """Refuse a document of n bytes (or characters) over max_document_bytes."""
        limit = self.limits.max_document_bytes
        if limit is not None and n > limit:
            raise limit_error(what, "max_document_bytes", limit, "Split it, or")

    # ------------------------------------------------------------------ files

    def read_document(self, path: str, where: str) -> bytes:
        """The whole of one regular file that is one document.

        Raises NotRegularFile or OSError for a file to skip; InputError past a limit.
        """
        limit = self.limits.max_document_bytes
        with open_regular(path) as handle:
            declared = os.fstat(handle.fileno()).st_size
            self.check_document(declared, f"The file {where!r} ({size(declared)})")
            data = handle.read() if limit is None else handle.read(limit + 1)
        self.check_document(len(data), f"The file {where!r} (grown while read)")
        self.add_bytes(len(data), where)
        return data

    def open_stream(self, path: str, where: str, gzipped: bool) -> io.BufferedReader:
        """A buffered binary stream of a file's (decompressed) bytes, counted and bounded."""
        raw = open_regular(path)
        try:
            return io.BufferedReader(_BoundedRaw(raw, gzipped, self, where), CHUNK_BYTES)
        except BaseException:
            raw.close()
            raise


class NotRegularFile(OSError):
    """A path that is a FIFO, a device, a socket or a folder, not a regular file."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def file_kind(mode: int) -> str:
    """'a FIFO', 'a device', ... for a stat mode that is not a regular file."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def open_regular(path: str) -> io.FileIO:
    """Open a regular file for reading; refuse anything else without reading or blocking."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(file_kind(info.st_mode))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)  # the path may have been swapped since the stat above
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(file_kind(info.st_mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return io.FileIO(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise


class _CountingFile(io.RawIOBase):
    """A raw file that counts the bytes read from it (the compressed size of a gzip file)."""

    def __init__(self, raw: io.FileIO) -> None:
        self.raw = raw
        self.n_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.raw.readinto(buffer)
        self.n_read += n or 0
        return n

    def close(self) -> None:
        self.raw.close()
        super().close()


class _BoundedRaw(io.RawIOBase):
    """The bytes of a file, decompressed when gzipped, counted against the limits."""

    def __init__(self, raw: io.FileIO, gzipped: bool, reading: Reading, where: str) -> None:
        self.where = where
        self.reading = reading
        self.counting = _CountingFile(raw)
        self.gzip = gzip.GzipFile(fileobj=self.counting, mode="rb") if gzipped else None
        self.n_out = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer)
        if self.gzip is None:
            n = self.counting.readinto(view)
        else:
            try:
                data = self.gzip.read(len(view))
            except (OSError, EOFError, zlib.error) as exc:
                raise InputError(
                    f"The file {self.where!r} is not a valid gzip file ({exc}). "
                    "Pass an uncompressed file or compress it again with gzip."
                ) from None
            n = len(data)
            view[:n] = data
        self.n_out += n
        self.reading.add_bytes(n, self.where)
        ratio = self.reading.limits.max_compression_ratio
        if (
            self.gzip is not None
            and ratio is not None
            and self.n_out > RATIO_FREE_BYTES
            and self.n_out > ratio * max(self.counting.n_read, 1)
        ):
            raise limit_error(
                f"The file {self.where!r} expands like a decompression bomb "
                f"({size(self.counting.n_read)} to over {size(self.n_out)}); its ratio",
                "max_compression_ratio", ratio, "If it is genuine,",
            )
        return n

    def close(self) -> None:
        if self.gzip is not None:
            self.gzip.close()
        self.counting.close()
        super().close()


def chunks(stream: io.BufferedReader) -> Iterator[bytes]:
    """The bytes of a stream in pieces of about CHUNK_BYTES."""
    while True:
        data = stream.read1(CHUNK_BYTES) if hasattr(stream, "read1") else stream.read(CHUNK_BYTES)
        if not data:
            return
        yield data


def sniff(stream: io.BufferedReader, n: int) -> tuple[bytes, Iterator[bytes]]:
    """The first n bytes of a stream (fewer if it is shorter), and all its bytes in pieces."""
    first = stream.read(n)
    return first, itertools.chain([first], chunks(stream))
