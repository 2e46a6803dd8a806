"""read_corpus and iter_corpus: what a path is, which reader reads it, in one chunk or many."""

from __future__ import annotations

import inspect
import os
import stat
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from topicnmf._validation import (
    check_callable,
    check_int,
    check_keywords,
    check_one_of,
    parameter_error,
)
from topicnmf.corpus._bounded import (
    DEFAULT_LIMITS,
    STREAM_LIMITS,
    Limits,
    NotRegularFile,
    Reading,
    check_limits,
    file_kind,
    sniff,
)
from topicnmf.corpus._corpus import Corpus
from topicnmf.corpus._decode import SNIFF_BYTES
from topicnmf.corpus._folders import read_folder
from topicnmf.corpus._lines import read_lines
from topicnmf.corpus._messages import printable
from topicnmf.corpus._stream import Docs, ProgressCallback, ReadState, Skipped, assemble
from topicnmf.corpus._tables import read_table
from topicnmf.errors import InputError

# File suffix (after dropping ".gz") -> how the file is read.
_FILE_KINDS = {
    ".txt": "lines",
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
SUPPORTED = (
    "a folder of .txt/.md files or a .txt (one document per line), .csv, .tsv, .jsonl, "
    ".ndjson or .json file, optionally gzipped (.gz)"
)


class _Plan:
    """A checked call: what to read and how."""

    def __init__(self, owner: str, path: Any, options: dict[str, Any], limits: Limits) -> None:
        self.options = options
        self.limits = limits
        self.path, self.source = _check_path(path, owner)
        self.folder, self.kind, self.gzipped = _what(self.path, self.source)
        time_column, time_from = options["time_column"], options["time_from"]
        if self.folder or self.kind == "lines":
            _warn_ignored_columns(self.source, options)
            if time_column is not None:
                raise InputError(
                    f"The 'time_column' parameter of {owner} applies to tables (.csv, .tsv, .jsonl, .json); "
                    f"{self.source!r} is not one. A folder whose first level of folders are time "
                    "windows gives its times with time_from='folder'."
                )
        if time_from is not None and not self.folder:
            raise InputError(
                f"Time windows read with time_from='folder' apply to folders; {self.source!r} "
                "is a file. For a table pass time_column."
            )

    def items(self, state: ReadState, batch_rows: int | None) -> Iterator[Docs | Skipped]:
        if self.folder:
            yield from read_folder(self.path, state, self.options["time_from"])
            return
        try:
            stream = state.reading.open_stream(self.path, self.source, self.gzipped)
        except NotRegularFile as exc:
            raise InputError(
                f"The corpus path {self.source!r} is {exc.kind}, not a folder or a regular "
                f"file. Pass {SUPPORTED}."
            ) from None
        except OSError as exc:
            raise InputError(
                f"The file {self.source!r} could not be read ({exc.strerror}). "
                "Check its permissions."
            ) from None
        with stream:
            if self.kind == "lines":
                first, pieces = sniff(stream, SNIFF_BYTES)
                yield from read_lines(first, pieces, state)
            else:
                yield from read_table(
                    stream,
                    self.kind,
                    state,
                    text_column=self.options["text_column"],
                    id_column=self.options["id_column"],
                    label_column=self.options["label_column"],
                    time_column=self.options["time_column"],
                    batch_rows=batch_rows,
                )


def _options(owner: str, given: dict[str, Any]) -> dict[str, Any]:
    """The reading options (the keyword parameters of read_corpus), checked.

    ``given`` holds some of them (other names are ignored); the others take
    read_corpus's defaults.
    """
    options = {name: given.get(name, default) for name, default in _DEFAULTS.items()}
    if not isinstance(options["text_column"], str):
        raise parameter_error("text_column", owner, "a str", options["text_column"])
    for name in ("id_column", "label_column", "time_column"):
        if options[name] is not None and not isinstance(options[name], str):
            raise parameter_error(name, owner, "None or a str", options[name])
    check_one_of(options["time_from"], "time_from", owner, [None, "folder"])
    check_callable(options["callback"], "callback", owner)
    return options


def read_corpus(
    path: str | os.PathLike[str],
    *,
    text_column: str = "text",
    id_column: str | None = None,
    label_column: str | None = None,
    time_column: str | None = None,
    time_from: str | None = None,
    limits: Limits | dict[str, int | None] | None = None,
    callback: ProgressCallback | None = None,
) -> Corpus:
    """Read a folder of documents, a line-per-document text file or a table into a Corpus.

    What is read depends on ``path``:

    Folder
        Read recursively. Every ``.txt`` and ``.md`` file (suffix in any case) is one document;
        other files and everything whose name starts with ``.`` are ignored. Files are sorted
        by their relative path, which is the id (with ``/`` separators; bytes of a name that
        are not UTF-8 and control characters are escaped as ``\\xNN``). The label is the
        first folder below ``path`` (``sport/2024/a.txt`` has label ``sport``). When every file
        sits directly in ``path`` these are the documents and there are no labels (None);
        otherwise, as in scikit-learn's ``load_files``, only files inside sub-folders are
        documents, and files directly in ``path`` (a ``README.md``, say) are left out and
        listed in ``Corpus.skipped``, without a warning. Binary files (a NUL byte in the
        first 8192 bytes; files with a UTF-16 byte order mark are decoded instead), special
        files (FIFOs, devices, sockets, links to them) and unreadable paths (links in a loop,
        dangling links, folders that cannot be listed) are skipped with one ``UserWarning``
        per kind that names them, and listed in ``Corpus.skipped``. A folder reached twice
        through a symbolic link is read once.
    Folder with ``time_from="folder"``
        The folders of the first level are time windows (``corpus/2016-01/a.txt`` or
        ``corpus/month1/sport/a.txt``, the layout of dynamic-nmf): their names are the
        documents' :attr:`Corpus.times`, the next level of folders (if any) their labels.
        Files directly in ``path`` are left out as above.
    ``.txt`` file
        One document per line; a line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (old Mac
        files). Lines that are empty or whitespace only are not documents and are left out;
        ids are the 1-based line numbers of the file, ``line_1``, ``line_2``, ..., so they
        still point at the right line. No labels.
    ``.csv``, ``.tsv`` file
        A header row, then one document per row, read with pandas (its quoting rules). Every
        cell is read as the string written in the file (``007`` stays ``007``); a missing cell
        is ``""``, so a missing text is an empty document.
    ``.jsonl``, ``.ndjson`` file
        One JSON object per line; blank lines are ignored. A ``.json`` file holds either such
        lines or one array of objects. Keys missing in a row and ``null`` are ``""``; numbers
        become strings (``3`` -> ``"3"``), lists and objects their JSON text.

    For tables, the ids come from ``id_column`` if given, else from a column named ``id`` if
    there is one, else they are row numbers ``row_1``, ``row_2``, ... (1-based, header not
    counted); the labels come from ``label_column`` if given, else from a column named
    ``label`` if there is one, else there are none; the times come from ``time_column``
    if given. Any of these files may be gzipped (``.csv.gz``, ...).

    Text is UTF-8 (a byte order mark is dropped). A document that is not valid UTF-8 is
    decoded as cp1252 (latin-1 for the five bytes cp1252 leaves undefined) and counted in
    ``n_fallback_decoded``. Empty documents are kept and counted in ``empty``.

    Reading is bounded (see :class:`Limits`): only regular files are read, a gzipped file
    that expands like a decompression bomb is refused, and a document, the number of
    documents and the bytes read have limits, each raised with ``limits``.

    Parameters
    ----------
    path : str or os.PathLike
        A folder, or a ``.txt``, ``.csv``, ``.tsv``, ``.jsonl``, ``.ndjson`` or ``.json`` file,
        each optionally ending in ``.gz``.
    text_column : str, default="text"
        The column (key) of a table that holds the texts.
    id_column : str or None, default=None
        The column of a table that holds unique document ids; None uses a column ``id`` if
        present, else row numbers.
    label_column : str or None, default=None
        The column of a table that holds labels; None uses a column ``label`` if present,
        else no labels.
    time_column : str or None, default=None
        The column of a table that holds each document's time: dates in ISO 8601 or a common
        format, whole numbers, or window names that sort (see :attr:`Corpus.times`). None:
        no times.
    time_from : {None, "folder"}, default=None
        ``"folder"``: the first level of folders of ``path`` are the time windows.
    limits : Limits, dict or None, default=None
        Limits on what is read; a dict changes only the limits it names, e.g.
        ``{"max_bytes": 16 * 2**30}``. None uses :data:`DEFAULT_LIMITS`.
    callback : callable or None, default=None
        Called as ``callback({"done": int, "total": int | None})`` as documents are read.
        For a folder ``done`` counts its files out of ``total``, at the start, about every
        1 % and at the end; for a file ``done`` counts documents, about every 1000 with
        ``total=None`` and once at the end with ``total`` the number of documents.

    Returns
    -------
    corpus : Corpus
        With ``source`` set to ``str(path)``.

    Raises
    ------
    InputError
        If the path is empty, does not exist or is not a folder or a regular file, a folder
        holds no ``.txt``/``.md`` file, the file type is not supported, a gzip, CSV or JSON
        file is malformed, a column does not exist, ids are empty or repeat, times mix kinds,
        a limit is passed, or no document holds any text.

    Warns
    -----
    UserWarning
        When files are skipped, and when column options are given for a folder or a ``.txt``
        file (they only apply to tables).

    See Also
    --------
    iter_corpus : The same reading, in chunks that are never all held at once.
    Corpus.from_texts : A corpus from strings already in memory.

    Examples
    --------
    >>> corpus = read_corpus("corpora/eight_themes")  # doctest: +SKIP
    >>> sorted(set(corpus.labels))[:2]  # doctest: +SKIP
    ['astronomy', 'cooking']
    """
    owner = "read_corpus"
    options = _options(owner, locals())
    plan = _Plan(owner, path, options, check_limits(limits, DEFAULT_LIMITS, owner))
    state = ReadState(plan.source, Reading(plan.limits), callback)
    (corpus,) = assemble(plan.items(state, None), state, None)
    return corpus


#: The reading options, read_corpus's keyword parameters: {name: default}.
_DEFAULTS = {
    name: parameter.default
    for name, parameter in inspect.signature(read_corpus).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
}


def iter_corpus(
    path: str | os.PathLike[str], *, chunksize: int = 10_000, **options: Any
) -> Iterator[Corpus]:
    """Read a corpus as :func:`read_corpus` does, in chunks of ``chunksize`` documents.

    Only one chunk of texts is held at a time: files are read as they are needed, line
    files, CSV, TSV and JSON lines stream through (a ``.json`` array is parsed whole, so
    prefer JSON lines for large tables). Each chunk is a :class:`Corpus` with ``source`` set,
    its own ``n_fallback_decoded`` and the files skipped while it was read. Checks that
    need the whole corpus are made per chunk: ids must be unique within a chunk, and the
    kind of the times (and, for a JSON lines file, which columns exist) is learned on the
    first chunk and kept. The path and the parameters are checked when this is called;
    reading starts at the first chunk.

    Parameters
    ----------
    path : str or os.PathLike
        As for :func:`read_corpus`.
    chunksize : int, default=10_000
        Documents per chunk (the last may hold fewer).
    **options
        The reading options of :func:`read_corpus` (every keyword parameter of it:
        ``text_column``, ``id_column``, ``label_column``, ``time_column``,
        ``time_from``, ``limits``, ``callback``), with its defaults and meanings,
        except that ``limits=None`` uses :data:`STREAM_LIMITS` (no limit on the
        number of documents or the bytes in all, since only a chunk is held). The
        signature shown by ``inspect.signature`` and ``help()`` lists them.

    Yields
    ------
    chunk : Corpus
        The next ``chunksize`` documents.

    Raises
    ------
    InputError
        As :func:`read_corpus`, here for the path and the parameters (an unknown
        keyword too), during the iteration for what is found while reading.

    Examples
    --------
    >>> for chunk in iter_corpus("corpora/eight_themes", chunksize=100):  # doctest: +SKIP
    ...     print(len(chunk))
    """
    owner = "iter_corpus"
    check_keywords(options, list(inspect.signature(iter_corpus).parameters)[1:], owner)
    chunksize = check_int(chunksize, "chunksize", owner, low=1)
    options = _options(owner, options)
    plan = _Plan(owner, path, options, check_limits(options["limits"], STREAM_LIMITS, owner))
    return _chunks(plan, chunksize)


def _iter_signature() -> inspect.Signature:
    """iter_corpus's path and chunksize, then the reading options of read_corpus."""
    own = inspect.signature(iter_corpus)
    reading = [inspect.signature(read_corpus).parameters[name] for name in _DEFAULTS]
    return own.replace(parameters=[own.parameters["path"], own.parameters["chunksize"], *reading])


iter_corpus.__signature__ = _iter_signature()  # type: ignore[attr-defined]


def _chunks(plan: _Plan, chunksize: int) -> Iterator[Corpus]:
    state = ReadState(plan.source, Reading(plan.limits), plan.options["callback"])
    yield from assemble(plan.items(state, chunksize), state, chunksize)


# ----------------------------------------------------------------------------- the path


def _check_path(path: Any, owner: str) -> tuple[str, str]:
    """(the path to open, its printable form for ``source`` and messages)."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        raise parameter_error("path", owner, "a str or os.PathLike", type(path).__name__)
    fspath = os.fspath(path)
    if isinstance(fspath, bytes):
        fspath = os.fsdecode(fspath)
    source = printable(fspath)
    if fspath == "":
        raise InputError(
            f"The corpus path is empty (''). Pass a folder or a file (use '.' for the "
            f"working directory): {SUPPORTED}."
        )
    if "\x00" in fspath:
        raise InputError(f"The corpus path {source!r} holds a NUL character. Pass a valid path.")
    return fspath, source


def _what(path: str, source: str) -> tuple[bool, str | None, bool]:
    """(is a folder, file kind, gzipped) of an existing path; InputError otherwise."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise InputError(
            f"The corpus path {source!r} does not exist. Pass an existing folder or file: "
            f"{SUPPORTED}."
        ) from None
    except OSError as exc:
        raise InputError(
            f"The corpus path {source!r} could not be read ({exc.strerror}). "
            "Check the path and its permissions."
        ) from None
    if stat.S_ISDIR(mode):
        return True, None, False
    if not stat.S_ISREG(mode):
        raise InputError(
            f"The corpus path {source!r} is {file_kind(mode)}, not a folder or a regular file. "
            f"Pass {SUPPORTED}."
        )
    name = Path(path).name
    lower = name.lower()
    gzipped = lower.endswith(".gz")
    if gzipped:
        lower = lower[: -len(".gz")]
    kind = _FILE_KINDS.get(os.path.splitext(lower)[1])
    if kind is None:
        suffixes = Path(printable(name)).suffixes[-2 if gzipped else -1 :]
        suffix = repr("".join(suffixes)) if suffixes else "(no suffix)"
        raise InputError(f"The file {source!r} has an unsupported type {suffix}. Pass {SUPPORTED}.")
    return False, kind, gzipped


def _warn_ignored_columns(source: str, options: dict[str, Any]) -> None:
    given = [
        name
        for name, default in (("text_column", "text"), ("id_column", None), ("label_column", None))
        if options[name] != default
    ]
    if given:
        warnings.warn(
            f"The column options ({', '.join(given)}) apply to .csv, .tsv and .jsonl files "
            f"only; they are ignored for {source!r}.",
            UserWarning,
            stacklevel=4,
        )
