"""Folders of documents: the walk, labels from the first sub-folder, times from time folders."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from topicnmf.corpus._bounded import NotRegularFile
from topicnmf.corpus._decode import decode_document
from topicnmf.corpus._messages import printable
from topicnmf.corpus._stream import Docs, ReadState, Skipped
from topicnmf.corpus._times import TimeParser
from topicnmf.errors import InputError

#: Suffixes of the files read as documents inside a folder (compared case-insensitively).
DOCUMENT_SUFFIXES = (".txt", ".md")

Found = tuple[tuple[str, ...], str]  # (printable relative parts, path to open)


def walk(root: str) -> tuple[list[Found], list[Skipped]]:
    """Document files below root, sorted by their relative parts, and the paths skipped.

    Names that are not UTF-8 or hold control characters are escaped in the parts (the ids).
    A folder reached twice (a symbolic link back up the tree) is walked once; a link that
    cannot be resolved (a loop, a dangling link) and a sub-folder that cannot be listed are
    skipped as 'unreadable'; a document name that is not a regular file as 'special'.
    """
    found: list[Found] = []
    skipped: list[Skipped] = []
    visited: set[tuple[int, int]] = set()
    pending: list[Found] = [((), root)]
    while pending:
        parts, folder = pending.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in visited:  # a symbolic link back up the tree
                continue
            visited.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as scan:
                entries = list(scan)
        except OSError as exc:
            if not parts:
                raise InputError(
                    f"The folder {printable(root)!r} could not be read ({exc.strerror}). "
                    "Check its permissions."
                ) from None
            skipped.append(Skipped("/".join(parts), "unreadable"))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            relative = (*parts, printable(name))
            try:
                is_dir = entry.is_dir()
            except OSError:  # a symbolic link loop
                skipped.append(Skipped("/".join(relative), "unreadable"))
                continue
            if is_dir:
                pending.append((relative, entry.path))
            elif os.path.splitext(name)[1].lower() in DOCUMENT_SUFFIXES:
                try:
                    mode = entry.stat().st_mode
                except OSError:  # a dangling link
                    skipped.append(Skipped("/".join(relative), "unreadable"))
                    continue
                if stat.S_ISREG(mode):
                    found.append((relative, entry.path))
                else:
                    skipped.append(Skipped("/".join(relative), "special"))
    found.sort()
    return found, skipped


def read_folder(root: str, state: ReadState, time_from: str | None) -> Iterator[Docs | Skipped]:
    """The documents of a folder (see read_corpus), after the skipped paths."""
    source = state.source
    found, skipped = walk(root)
    if not found:
        raise InputError(
            f"The folder {source!r} holds no .txt or .md files (names starting with '.' are "
            "skipped). Pass a folder of .txt/.md documents, one sub-folder per label, or a "
            ".txt, .csv, .tsv or .jsonl file."
        )
    top = 1 if time_from == "folder" else 0  # folder levels above the label level
    if top:
        windows = sorted({parts[0] for parts, _ in found if len(parts) > 1})
        if not windows:
            raise InputError(
                f"The folder {source!r} has no time folders: with time_from='folder' the "
                "folders of its first level are the time windows (such as 2016-01/ or "
                "month1/), each holding documents or one folder per label."
            )
        state.times = TimeParser(f"The time folders of {source!r}")
        state.times.parse(windows, [f"the folder {window!r}" for window in windows])
    labelled = any(len(parts) > top + 1 for parts, _ in found)
    depth = top + 2 if labelled else top + 1  # parts of a document's relative path
    documents = []
    for parts, path in found:
        if len(parts) >= depth:
            documents.append((parts, path))
        else:  # above the label (or time) level: a README.md, say
            skipped.append(Skipped("/".join(parts), "outside"))
    yield from skipped
    state.start(len(documents))
    reading = state.reading
    for parts, path in documents:
        doc_id = "/".join(parts)
        try:
            data = reading.read_document(path, doc_id)
        except NotRegularFile:  # swapped for a FIFO or a device after the walk
            item: Docs | Skipped = Skipped(doc_id, "special")
        except OSError:
            item = Skipped(doc_id, "unreadable")
        else:
            text, fallback = decode_document(data)
            if text is None:
                item = Skipped(doc_id, "binary")
            else:
                reading.add_documents(1, source)
                item = Docs(
                    ids=[doc_id],
                    texts=[text],
                    fallback=[fallback],
                    labels=[parts[top]] if labelled else None,
                    times=[parts[0]] if top else None,
                    places=[f"the folder {parts[0]!r}"] if top else None,
                )
        state.advance()
        yield item
