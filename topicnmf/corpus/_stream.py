"""From a reader's stream of documents to Corpus chunks: the state of one read.

Every reader (folders, line files, tables) is a generator of :class:`Doc` and
:class:`Skipped` items over one :class:`ReadState`. :func:`assemble` groups the items into
:class:`Corpus` chunks of ``chunksize`` documents (all of them for ``read_corpus``), checks
the ids of each chunk, reads its times, and reports progress in documents.
"""

from __future__ import annotations

import warnings
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


class Doc(NamedTuple):
    """One document as a reader found it."""

    id: str
    text: str
    label: str | None = None
    time: str | None = None  # as written; read by the chunk's TimeParser
    fallback: bool = False  # decoded by the cp1252/latin-1 fallback
    place: str = ""  # where it is, for messages about its time ("row 3")


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

    def advance(self) -> None:
        """One more item (document or file) has been read."""
        self.done += 1
        if self.done % self._step == 0 and self.done != self.total:
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
    items: Iterable[Doc | Skipped], state: ReadState, chunksize: int | None
) -> Iterator[Corpus]:
    """Group the items into Corpus chunks of ``chunksize`` documents (None: one chunk).

    Warns once, at the end, about the files skipped; raises when no document holds text.
    """
    docs: list[Doc] = []
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
        docs.append(item)
        if chunksize is not None and len(docs) == chunksize:
            chunk = _chunk(docs, skipped, state)
            n_docs += len(chunk)
            n_text += len(chunk) - chunk.empty
            docs, skipped = [], []
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
    last = _chunk(docs, skipped, state) if docs or not yielded else None
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


def _chunk(docs: list[Doc], skipped: list[Skipped], state: ReadState) -> Corpus:
    ids = [doc.id for doc in docs]
    if state.id_column is not None:
        twice = repeated(ids)
        if twice:
            raise InputError(
                f"The id column {state.id_column!r} of {state.source!r} has duplicate ids: "
                f"{twice}. Make the ids unique or pick another column with id_column."
            )
    labels = None if not docs or docs[0].label is None else [doc.label for doc in docs]
    times = None
    if state.times is not None:
        times = state.times.parse([doc.time or "" for doc in docs], [doc.place for doc in docs])
    corpus = Corpus(
        ids=ids,
        texts=[doc.text for doc in docs],
        labels=labels,
        source=state.source,
        skipped=sorted(item.name for item in skipped),
        times=times,
    )
    corpus._set_fallback([doc.fallback for doc in docs])
    return corpus
