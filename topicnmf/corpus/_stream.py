"""From a reader's stream of documents to Corpus chunks: the state of one read.

Every reader (folders, line files, tables) is a generator of :class:`Docs` and
:class:`Skipped` items over one :class:`ReadState`. :func:`assemble` groups the items into
:class:`Corpus` chunks of ``chunksize`` documents (all of them for ``read_corpus``), checks
the ids of each chunk, reads its times, and reports progress in documents.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from topicnmf.corpus._bounded import Reading
from topicnmf.corpus._corpus import Corpus
from topicnmf.corpus._messages import count, listing, repeated
from topicnmf.corpus._times import TimeParser
from topicnmf.errors import InputError

ProgressCallback = Callable[[dict[str, Any]], Any]

# Callbacks are called at most about this many times for one folder...
PROGRESS_STEPS = 100
# ... and every this many documents of a file.
PROGRESS_DOCS = 1000


@dataclass
class Docs:
    """A batch of documents as a reader found them, one list per field."""

    ids: list[str]
    texts: list[str]
    fallback: list[bool]  # decoded by the cp1252/latin-1 fallback
    labels: list[str] | None = None
    times: list[str] | None = None  # as written; read by the chunk's TimeParser
    places: list[str] | None = None  # where each is, for messages about times ("row 3")

    def __len__(self) -> int:
        return len(self.ids)

    def _fields(self) -> list[list | None]:
        return [self.ids, self.texts, self.fallback, self.labels, self.times, self.places]

    def copy(self) -> Docs:
        return Docs(*(None if field is None else list(field) for field in self._fields()))

    def slice(self, start: int, stop: int | None = None) -> Docs:
        """The documents from start to stop."""
        return Docs(*(None if f is None else f[start:stop] for f in self._fields()))

    def extend(self, other: Docs) -> None:
        for mine, theirs in zip(self._fields(), other._fields()):
            if mine is not None and theirs is not None:
                mine.extend(theirs)


class Skipped(NamedTuple):
    """A file of a folder that is not read: why ('binary', 'special', 'unreadable', 'outside')."""

    name: str
    why: str


# why -> (noun for the warning, detail after the folder); 'outside' is not warned about.
_WHY = {
    "binary": ("binary file", " (NUL bytes in the first 8192 bytes)"),
    "special": ("special file", " (not a regular file: a FIFO, a device or a socket)"),
    "unreadable": ("unreadable path", ""),
}


class ReadState:
    """What one read of ``source`` has counted, and what its readers have decided."""

    def __init__(
        self, source: str, reading: Reading, callback: ProgressCallback | None
    ) -> None:
        self.source = source
        self.reading = reading
        self.callback = callback
        #: The id column whose ids must be unique and non-empty, once a table reader knows it.
        self.id_column: str | None = None
        #: Reads the time values, when the corpus has times.
        self.times: TimeParser | None = None
        self.total: int | None = None
        self.done = 0
        self._step = PROGRESS_DOCS

    # ------------------------------------------------------------------ progress

    def start(self, total: int | None) -> None:
        """Reading starts: ``total`` items (files of a folder), or unknown (None)."""
        self.total = total
        if total is not None:
            self._step = max(1, total // PROGRESS_STEPS)
            self._report()

    def advance(self, n: int = 1) -> None:
        """n more items (documents or files) have been read."""
        before = self.done
        self.done += n
        if self.done // self._step > before // self._step and self.done != self.total:
            self._report()

    def finish(self) -> None:
        if self.total is None:
            self.total = self.done
        self._report()

    def _report(self) -> None:
        if self.callback is not None:
            total = self.total if self.total is not None else None
            self.callback({"done": self.done, "total": total})


def assemble(
    items: Iterable[Docs | Skipped], state: ReadState, chunksize: int | None
) -> Iterator[Corpus]:
    """Group the items into Corpus chunks of ``chunksize`` documents (None: one chunk).

    Warns once, at the end, about the files skipped; raises when no document holds text.
    """
    docs: Docs | None = None
    start = 0  # documents of docs already in a chunk
    skipped: list[Skipped] = []
    warned: dict[str, list[str]] = {why: [] for why in _WHY}
    n_docs = n_text = n_skipped = 0
    yielded = False
    for item in items:
        if isinstance(item, Skipped):
            skipped.append(item)
            n_skipped += 1
            if item.why in warned:
                warned[item.why].append(item.name)
            continue
        if docs is None:
            docs = item.copy()
        else:
            if start:
                docs, start = docs.slice(start), 0
            docs.extend(item)
        while chunksize is not None and len(docs) - start >= chunksize:
            chunk = _chunk(docs.slice(start, start + chunksize), skipped, state)
            start += chunksize
            n_docs += len(chunk)
            n_text += len(chunk) - chunk.empty
            skipped = []
            yield chunk
            yielded = True
    for why, names in warned.items():
        if names:
            noun, detail = _WHY[why]
            warnings.warn(
                f"Skipped {count(len(names), noun)} in the corpus folder {state.source!r}"
                f"{detail}: {listing(names)}.",
                UserWarning,
                stacklevel=3,
            )
    state.finish()
    docs = Docs([], [], []) if docs is None else docs.slice(start)
    last = _chunk(docs, skipped, state) if len(docs) or not yielded else None
    if last is not None:
        n_docs += len(last)
        n_text += len(last) - last.empty
    if n_text == 0:
        read = f"{n_docs} documents read, all empty" if n_docs else "no document read"
        note = f", {count(n_skipped, 'file')} skipped" if n_skipped else ""
        raise InputError(
            f"The corpus {state.source!r} has no readable documents ({read}{note}). "
            "Pass documents that hold text."
        )
    if last is not None:
        yield last


def _chunk(docs: Docs, skipped: list[Skipped], state: ReadState) -> Corpus:
    if state.id_column is not None:
        twice = repeated(docs.ids)
        if twice:
            raise InputError(
                f"The id column {state.id_column!r} of {state.source!r} has duplicate ids: "
                f"{twice}. Make the ids unique or pick another column with id_column."
            )
    times = None
    if state.times is not None:
        times = state.times.parse(docs.times or [], docs.places or [])
    corpus = Corpus(
        ids=docs.ids,
        texts=docs.texts,
        labels=docs.labels,
        source=state.source,
        skipped=sorted(item.name for item in skipped),
        times=times,
    )
    corpus._set_fallback(docs.fallback)
    return corpus
