"""Reading corpora into a :class:`Corpus`: folders of text files, text files and tables.

:func:`read_corpus` accepts

- a folder, read recursively: every ``.txt`` and ``.md`` file is one document, its id is the
  path relative to the folder and its label the first sub-folder name (the layout of
  scikit-learn's ``load_files``);
- a ``.txt`` file with one document per line;
- a ``.csv``, ``.tsv``, ``.jsonl`` (also ``.ndjson``) or ``.json`` file with a text column and
  optional id and label columns.

Files may be gzipped (``.txt.gz``, ``.csv.gz``, ...). Text is read as UTF-8 (a byte order
mark is dropped); a document that is not valid UTF-8 is decoded as cp1252, the bytes cp1252
leaves undefined as latin-1, so decoding never fails; such documents are counted in
``Corpus.n_fallback_decoded``. The library never prints: skipped files are reported with a
``UserWarning`` and recorded in ``Corpus.skipped``.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import math
import os
import re
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from topicnmf.errors import InputError

__all__ = ["Corpus", "read_corpus"]

#: Suffixes of the files read as documents inside a folder (compared case-insensitively).
DOCUMENT_SUFFIXES = (".txt", ".md")

# File suffix (after dropping ".gz") -> how the file is read.
_FILE_KINDS = {
    ".txt": "lines",
    ".csv": "csv",
    ".tsv": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
_SUPPORTED = (
    "a folder of .txt/.md files or a .txt (one document per line), .csv, .tsv, .jsonl, "
    ".ndjson or .json file, optionally gzipped (.gz)"
)

# A NUL byte among the first _SNIFF_BYTES bytes marks a file as binary.
_SNIFF_BYTES = 8192

# latin-1 decodes every byte; this table then maps 0x80-0x9F to cp1252's characters where
# cp1252 defines one (the five bytes it leaves undefined keep their latin-1 code points).
_CP1252_FROM_LATIN1 = {}
for _byte in range(0x80, 0xA0):
    try:
        _CP1252_FROM_LATIN1[_byte] = bytes([_byte]).decode("cp1252")
    except UnicodeDecodeError:
        pass
del _byte

# Lone surrogates left by the 'surrogateescape' error handler mark bytes that were not UTF-8.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")

# Callbacks are called at most about this many times for one folder.
_PROGRESS_STEPS = 100

# Names listed in one warning or error message before "and N more".
_LISTED = 5

ProgressCallback = Callable[[dict[str, Any]], Any]


@dataclass(repr=False)
class Corpus:
    """Documents with their ids, optional labels and a record of how they were read.

    Build one with :func:`read_corpus` (from a folder or a file) or :meth:`from_texts` (from
    strings). Iterating over a corpus yields its texts; ``len(corpus)`` is the number of
    documents.

    Parameters
    ----------
    ids : list of str of length n_docs
        Unique document ids: paths relative to the folder, ``line_<n>`` or ``row_<n>`` for
        files, positions for :meth:`from_texts`.
    texts : list of str of length n_docs
        The documents, as decoded; empty documents are kept.
    labels : list of str of length n_docs or None, default=None
        One label per document (a folder name or a label column), or None.
    source : str, default="<texts>"
        The path that was read, or ``"<texts>"``.
    n_fallback_decoded : int, default=0
        Number of documents that were not valid UTF-8 and were decoded as cp1252/latin-1.
    skipped : list of str, default=[]
        Files that were skipped (binary or unreadable), relative to the folder read.

    Attributes
    ----------
    empty : int
        Number of documents kept although empty or whitespace only, counted when the corpus
        is built.

    Examples
    --------
    >>> corpus = Corpus.from_texts(["Stars and planets.", "", "Bread rises."],
    ...                            labels=["space", "none", "food"])
    >>> len(corpus), corpus.ids, corpus.empty
    (3, ['0', '1', '2'], 1)
    >>> [text.upper() for text in corpus][2]
    'BREAD RISES.'
    >>> corpus
    Corpus(n_docs=3, n_labels=3, source='<texts>', n_fallback_decoded=0, skipped=0, empty=1)
    """

    ids: list[str]
    texts: list[str]
    labels: list[str] | None = None
    source: str = "<texts>"
    n_fallback_decoded: int = 0
    skipped: list[str] = field(default_factory=list)
    empty: int = field(init=False)

    def __post_init__(self) -> None:
        self.ids = list(self.ids)
        self.texts = list(self.texts)
        n_docs = len(self.texts)
        if len(self.ids) != n_docs:
            raise InputError(
                f"A Corpus needs one id per text. Got {len(self.ids)} ids for {n_docs} texts."
            )
        if self.labels is not None:
            self.labels = list(self.labels)
            if len(self.labels) != n_docs:
                raise InputError(
                    f"A Corpus needs one label per text or labels=None. "
                    f"Got {len(self.labels)} labels for {n_docs} texts."
                )
        self.skipped = list(self.skipped)
        self.empty = sum(1 for text in self.texts if not text or text.isspace())

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts)

    def __repr__(self) -> str:
        n_labels = None if self.labels is None else len(set(self.labels))
        return (
            f"Corpus(n_docs={len(self)}, n_labels={n_labels}, source={self.source!r}, "
            f"n_fallback_decoded={self.n_fallback_decoded}, skipped={len(self.skipped)}, "
            f"empty={self.empty})"
        )

    @classmethod
    def from_texts(
        cls,
        texts: Iterable[str],
        ids: Iterable[Any] | None = None,
        labels: Iterable[Any] | None = None,
    ) -> Corpus:
        """Build a corpus from strings.

        Parameters
        ----------
        texts : iterable of str of length n_docs
            The documents. A single string is refused (wrap it in a list); missing values
            must be replaced by ``""`` first.
        ids : iterable of length n_docs or None, default=None
            Unique ids, converted with ``str``. None numbers the texts ``"0"``, ``"1"``, ...
            (their positions).
        labels : iterable of length n_docs or None, default=None
            Labels, converted with ``str``, or None for no labels.

        Returns
        -------
        corpus : Corpus
            With ``source="<texts>"``.

        Raises
        ------
        InputError
            If ``texts`` is a string or holds something else than strings, if the lengths
            differ or the ids repeat.

        Examples
        --------
        >>> corpus = Corpus.from_texts(["a first text", "a second one"], ids=["a", "b"])
        >>> corpus.ids, corpus.labels
        (['a', 'b'], None)
        """
        if isinstance(texts, (str, bytes)):
            raise InputError(
                "The 'texts' parameter of Corpus.from_texts must be a list of strings. "
                "Got a single string; wrap it in a list."
            )
        texts = list(texts)
        for position, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(
                    "The 'texts' parameter of Corpus.from_texts must hold strings only. "
                    f"Got {type(text).__name__} at position {position}; "
                    "replace missing values with ''."
                )
        if ids is None:
            ids = [str(position) for position in range(len(texts))]
        else:
            ids = [str(doc_id) for doc_id in ids]
            if len(ids) != len(texts):
                raise InputError(
                    "The 'ids' parameter of Corpus.from_texts must hold one id per text. "
                    f"Got {len(ids)} ids for {len(texts)} texts."
                )
            repeated = _repeated(ids)
            if repeated:
                raise InputError(
                    f"The 'ids' parameter of Corpus.from_texts must hold unique ids. "
                    f"Got {repeated}."
                )
        if labels is not None:
            labels = [str(label) for label in labels]
            if len(labels) != len(texts):
                raise InputError(
                    "The 'labels' parameter of Corpus.from_texts must hold one label per text. "
                    f"Got {len(labels)} labels for {len(texts)} texts."
                )
        return cls(ids=ids, texts=texts, labels=labels)


def read_corpus(
    path: str | os.PathLike[str],
    *,
    text_column: str = "text",
    id_column: str | None = None,
    label_column: str | None = None,
    callback: ProgressCallback | None = None,
) -> Corpus:
    """Read a folder of documents, a line-per-document text file or a table into a Corpus.

    What is read depends on ``path``:

    Folder
        Read recursively. Every ``.txt`` and ``.md`` file (suffix in any case) is one document;
        other files and everything whose name starts with ``.`` are ignored. Files are sorted
        by their relative path, which is the id (with ``/`` separators). The label is the
        first folder below ``path`` (``sport/2024/a.txt`` has label ``sport``). When every file
        sits directly in ``path`` these are the documents and there are no labels (None);
        otherwise, as in scikit-learn's ``load_files``, only files inside sub-folders are
        documents, and files directly in ``path`` (a ``README.md``, say) are left out and
        listed in ``Corpus.skipped``, without a warning. Binary files (a NUL byte in the
        first 8192 bytes; files with a UTF-16 byte order mark are decoded instead) and
        unreadable files are skipped with one ``UserWarning`` that names them, and listed in
        ``Corpus.skipped``.
    ``.txt`` file
        One document per line (``\\n`` or ``\\r\\n``). Lines that are empty or whitespace only
        are not documents and are left out; ids are the 1-based line numbers of the file,
        ``line_1``, ``line_2``, ..., so they still point at the right line. No labels.
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
    ``label`` if there is one, else there are none. Any of these files may be gzipped
    (``.csv.gz``, ...).

    Text is UTF-8 (a byte order mark is dropped). A document that is not valid UTF-8 is
    decoded as cp1252 (latin-1 for the five bytes cp1252 leaves undefined) and counted in
    ``n_fallback_decoded``. Empty documents are kept and counted in ``empty``.

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
    callback : callable or None, default=None
        Called as ``callback({"done": int, "total": int | None})`` while files are read:
        ``done`` files out of ``total``. For a folder it is called at the start, about every
        1 % of the files and at the end; for a single file once, when it has been read.

    Returns
    -------
    corpus : Corpus
        With ``source`` set to ``str(path)``.

    Raises
    ------
    InputError
        If the path does not exist, a folder holds no ``.txt``/``.md`` file, the file type is
        not supported, a gzip, CSV or JSON file is malformed, a column does not exist, ids are
        empty or repeat, or no document holds any text.

    Warns
    -----
    UserWarning
        When files are skipped, and when column options are given for a folder or a ``.txt``
        file (they only apply to tables).

    See Also
    --------
    Corpus.from_texts : A corpus from strings already in memory.

    Examples
    --------
    >>> corpus = read_corpus("corpora/eight_themes")  # doctest: +SKIP
    >>> sorted(set(corpus.labels))[:2]  # doctest: +SKIP
    ['astronomy', 'cooking']
    """
    source = os.fspath(path)
    root = Path(source)
    if not root.exists():
        raise InputError(
            f"The corpus path {source!r} does not exist. Pass an existing folder or file: "
            f"{_SUPPORTED}."
        )
    if root.is_dir():
        _warn_ignored_columns(source, text_column, id_column, label_column)
        corpus = _read_folder(root, source, callback)
    else:
        kind, gzipped = _file_kind(root.name)
        if kind is None:
            raise InputError(
                f"The file {source!r} has an unsupported type "
                f"{_suffix_for_message(root.name)}. Pass {_SUPPORTED}."
            )
        data = _read_file_bytes(source, gzipped)
        if kind == "lines":
            _warn_ignored_columns(source, text_column, id_column, label_column)
            corpus = _read_lines(data, source)
        else:
            corpus = _read_table(data, kind, source, text_column, id_column, label_column)
        _progress(callback, 1, 1)
    if corpus.empty == len(corpus):
        read = f"{len(corpus)} documents read, all empty" if len(corpus) else "no document read"
        skipped = f", {_count(len(corpus.skipped), 'file')} skipped" if corpus.skipped else ""
        raise InputError(
            f"The corpus {source!r} has no readable documents ({read}{skipped}). "
            "Pass documents that hold text."
        )
    return corpus


# ----------------------------------------------------------------------------- decoding


def _decode_fallback(data: bytes) -> str:
    """Decode bytes that are not UTF-8 as cp1252, undefined bytes as latin-1."""
    return data.decode("latin-1").translate(_CP1252_FROM_LATIN1)


def _decode_document(data: bytes) -> tuple[str | None, bool]:
    """Decode one document: (text or None when binary, whether the fallback was used)."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), False
        except UnicodeDecodeError:
            return None, False
    if data.find(b"\x00", 0, _SNIFF_BYTES) != -1:
        return None, False
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return _decode_fallback(data), True


def _fix_escaped(value: str) -> tuple[str, bool]:
    """Redecode a string holding surrogate-escaped bytes with the fallback."""
    if _ESCAPED_BYTE.search(value) is None:
        return value, False
    return _decode_fallback(value.encode("utf-8", "surrogateescape")), True


# ----------------------------------------------------------------------------- folders


def _walk(root: Path) -> tuple[list[tuple[tuple[str, ...], str]], list[str]]:
    """Document files below root as sorted (relative parts, path), and unreadable folders."""
    found: list[tuple[tuple[str, ...], str]] = []
    unreadable: list[str] = []
    visited: set[tuple[int, int]] = set()
    pending: list[tuple[tuple[str, ...], str]] = [((), os.fspath(root))]
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
                    f"The folder {os.fspath(root)!r} could not be read ({exc.strerror}). "
                    "Check its permissions."
                ) from None
            unreadable.append("/".join(parts))
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir():
                pending.append(((*parts, name), entry.path))
            elif os.path.splitext(name)[1].lower() in DOCUMENT_SUFFIXES and entry.is_file():
                found.append(((*parts, name), entry.path))
    found.sort()
    return found, unreadable


def _read_folder(root: Path, source: str, callback: ProgressCallback | None) -> Corpus:
    found, unreadable = _walk(root)
    if not found:
        raise InputError(
            f"The folder {source!r} holds no .txt or .md files (names starting with '.' are "
            "skipped). Pass a folder of .txt/.md documents, one sub-folder per label, or a "
            ".txt, .csv, .tsv or .jsonl file."
        )
    outside: list[str] = []
    labelled = any(len(parts) > 1 for parts, _ in found)
    if labelled:
        outside = [parts[0] for parts, _ in found if len(parts) == 1]
        found = [(parts, file_path) for parts, file_path in found if len(parts) > 1]
    total = len(found)
    step = max(1, total // _PROGRESS_STEPS)
    _progress(callback, 0, total)
    ids: list[str] = []
    texts: list[str] = []
    label_parts: list[tuple[str, ...]] = []
    binary: list[str] = []
    n_fallback = 0
    for done, (parts, file_path) in enumerate(found, 1):
        try:
            with open(file_path, "rb") as handle:
                data = handle.read()
        except OSError:
            unreadable.append("/".join(parts))
            data = None
        if data is not None:
            text, fallback = _decode_document(data)
            if text is None:
                binary.append("/".join(parts))
            else:
                ids.append("/".join(parts))
                texts.append(text)
                label_parts.append(parts)
                n_fallback += fallback
        if done % step == 0 or done == total:
            _progress(callback, done, total)
    if binary:
        warnings.warn(
            f"Skipped {_count(len(binary), 'binary file')} in the corpus folder {source!r} "
            f"(NUL bytes in the first {_SNIFF_BYTES} bytes): {_listing(binary)}.",
            UserWarning,
            stacklevel=3,
        )
    if unreadable:
        warnings.warn(
            f"Skipped {_count(len(unreadable), 'unreadable path')} in the corpus folder "
            f"{source!r}: {_listing(unreadable)}.",
            UserWarning,
            stacklevel=3,
        )
    labels = [parts[0] for parts in label_parts] if labelled else None
    return Corpus(
        ids=ids,
        texts=texts,
        labels=labels,
        source=source,
        n_fallback_decoded=n_fallback,
        skipped=sorted(outside + binary + unreadable),
    )


# ----------------------------------------------------------------------------- files


def _file_kind(name: str) -> tuple[str | None, bool]:
    """('lines' | 'csv' | 'tsv' | 'jsonl' | 'json' | None, gzipped) from a file name."""
    lower = name.lower()
    gzipped = lower.endswith(".gz")
    if gzipped:
        lower = lower[: -len(".gz")]
    return _FILE_KINDS.get(os.path.splitext(lower)[1]), gzipped


def _suffix_for_message(name: str) -> str:
    suffixes = Path(name).suffixes[-2 if name.lower().endswith(".gz") else -1 :]
    suffix = "".join(suffixes)
    return repr(suffix) if suffix else "(no suffix)"


def _read_file_bytes(source: str, gzipped: bool) -> bytes:
    try:
        with open(source, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise InputError(
            f"The file {source!r} could not be read ({exc.strerror}). Check its permissions."
        ) from None
    if gzipped:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(
                f"The file {source!r} is not a valid gzip file ({exc}). "
                "Pass an uncompressed file or compress it again with gzip."
            ) from None
    return data


def _read_lines(data: bytes, source: str) -> Corpus:
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text, _ = _decode_document(data)
        data = (text or "").encode("utf-8")
    if data.find(b"\x00", 0, _SNIFF_BYTES) != -1:
        raise InputError(
            f"The file {source!r} looks binary (NUL bytes in the first {_SNIFF_BYTES} bytes). "
            "Pass a UTF-8 text file with one document per line."
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    fallback_lines: set[int] = set()
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        lines = []
        for number, raw in enumerate(data.split(b"\n"), 1):
            try:
                lines.append(raw.decode("utf-8"))
            except UnicodeDecodeError:
                lines.append(_decode_fallback(raw))
                fallback_lines.add(number)
    ids: list[str] = []
    texts: list[str] = []
    n_fallback = 0
    for number, line in enumerate(lines, 1):
        if line.endswith("\r"):
            line = line[:-1]
        if not line or line.isspace():
            continue
        ids.append(f"line_{number}")
        texts.append(line)
        n_fallback += number in fallback_lines
    return Corpus(ids=ids, texts=texts, source=source, n_fallback_decoded=n_fallback)


def _read_table(
    data: bytes,
    kind: str,
    source: str,
    text_column: str,
    id_column: str | None,
    label_column: str | None,
) -> Corpus:
    if kind in ("csv", "tsv"):
        parsed = _parse_delimited(data, "," if kind == "csv" else "\t", source)
    else:
        parsed = _parse_json(data, kind, source)
    columns, column_values, escaped = parsed
    # With escaped=True, bytes that were not UTF-8 arrive as lone surrogates (surrogateescape)
    # and are decoded again below.
    if escaped:
        columns = [_fix_escaped(name)[0] for name in columns]

    def missing(role: str, name: str, option: str) -> InputError:
        listed = ", ".join(repr(column) for column in columns) or "none"
        return InputError(
            f"The file {source!r} has no {role} column {name!r}; its columns are {listed}. "
            f"Pick one with {option}."
        )

    if text_column not in columns:
        raise missing("text", text_column, "--text-column")
    if id_column is not None and id_column not in columns:
        raise missing("id", id_column, "--id-column")
    if label_column is not None and label_column not in columns:
        raise missing("label", label_column, "--label-column")
    id_name = id_column if id_column is not None else ("id" if "id" in columns else None)
    label_name = (
        label_column if label_column is not None else ("label" if "label" in columns else None)
    )

    texts = [_cell(value) for value in column_values(text_column)]
    ids = None if id_name is None else [_cell(value) for value in column_values(id_name)]
    labels = None if label_name is None else [_cell(v) for v in column_values(label_name)]

    n_fallback = 0
    if escaped:
        for row in range(len(texts)):
            fixed = False
            for values in (texts, ids, labels):
                if values is not None:
                    values[row], was_fixed = _fix_escaped(values[row])
                    fixed = fixed or was_fixed
            n_fallback += fixed

    if ids is None:
        ids = [f"row_{row}" for row in range(1, len(texts) + 1)]
    else:
        _check_ids(ids, id_name, source)
    return Corpus(ids=ids, texts=texts, labels=labels, source=source, n_fallback_decoded=n_fallback)


def _parse_delimited(
    data: bytes, sep: str, source: str
) -> tuple[list[str], Callable[[str], list[Any]], bool]:
    """Columns, a function from a column name to its values, and whether bytes were escaped."""
    import pandas as pd

    try:
        data.decode("utf-8")
        escaped = False
    except UnicodeDecodeError:
        escaped = True
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            sep=sep,
            dtype=str,
            na_filter=False,
            encoding="utf-8",
            encoding_errors="surrogateescape",
        )
    except pd.errors.EmptyDataError:
        raise InputError(
            f"The file {source!r} is empty. Pass a table with a header row and a text column."
        ) from None
    except pd.errors.ParserError as exc:
        detail = " ".join(str(exc).replace("Error tokenizing data. C error: ", "").split())
        raise InputError(
            f"The file {source!r} is not a valid {'CSV' if sep == ',' else 'TSV'} file "
            f"({detail}). Check the quoting and the number of fields on that line."
        ) from None
    columns = [str(name) for name in frame.columns]
    return columns, lambda name: frame[name].tolist(), escaped


def _parse_json(
    data: bytes, kind: str, source: str
) -> tuple[list[str], Callable[[str], list[Any]], bool]:
    """Columns, a function from a column name to its values, and whether bytes were escaped."""
    try:
        text = data.decode("utf-8-sig")
        escaped = False
    except UnicodeDecodeError:
        text = data.decode("utf-8-sig", "surrogateescape")
        escaped = True
    records: list[Any] | None = None
    if kind == "json":
        try:
            whole = json.loads(text)
        except json.JSONDecodeError as exc:
            if text.lstrip().startswith("["):
                raise InputError(
                    f"The file {source!r} holds malformed JSON on line {exc.lineno} "
                    f"({exc.msg} at column {exc.colno}). Fix that line; the file must be one "
                    "array of objects or one object per line."
                ) from None
            whole = None  # not one JSON document: read it as JSON lines below
        if isinstance(whole, list):
            records = whole
        elif whole is not None:
            records = [whole]
        if records is not None:
            for number, record in enumerate(records, 1):
                if not isinstance(record, dict):
                    raise InputError(
                        f"The file {source!r} holds a JSON {_json_type(record)} as item "
                        f"{number}, not an object. Pass an array of objects such as "
                        '[{"text": "..."}] or one object per line.'
                    )
    if records is None:
        records = []
        for number, line in enumerate(text.split("\n"), 1):
            if not line or line.isspace():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"The file {source!r} holds malformed JSON on line {number} "
                    f"({exc.msg} at column {exc.colno}). "
                    "Fix that line; each line must be one JSON object."
                ) from None
            if not isinstance(record, dict):
                raise InputError(
                    f"The file {source!r} holds a JSON {_json_type(record)} on line {number}, "
                    'not an object. Each line must be one JSON object such as {"text": "..."}.'
                )
            records.append(record)
    columns: dict[str, None] = {}
    for record in records:
        for key in record:
            columns.setdefault(key, None)
    return list(columns), lambda name: [record.get(name) for record in records], escaped


def _json_type(value: Any) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    return "number"


def _cell(value: Any) -> str:
    """A table cell as text: missing -> '', numbers -> their text, lists/objects -> JSON."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _check_ids(ids: list[str], column: str, source: str) -> None:
    for row, doc_id in enumerate(ids, 1):
        if not doc_id:
            raise InputError(
                f"The id column {column!r} of {source!r} is empty in row {row}. "
                "Fill in every id or pick another column with --id-column."
            )
    repeated = _repeated(ids)
    if repeated:
        raise InputError(
            f"The id column {column!r} of {source!r} has duplicate ids: {repeated}. "
            "Make the ids unique or pick another column with --id-column."
        )


# ----------------------------------------------------------------------------- helpers


def _repeated(ids: list[str]) -> str:
    """'' when ids are unique, else a short description of the repeated ones."""
    if len(set(ids)) == len(ids):
        return ""
    counts = [(doc_id, n) for doc_id, n in Counter(ids).items() if n > 1]
    shown = ", ".join(f"{doc_id!r} ({n} times)" for doc_id, n in counts[:_LISTED])
    more = f" and {len(counts) - _LISTED} more" if len(counts) > _LISTED else ""
    return shown + more


def _listing(names: list[str]) -> str:
    shown = ", ".join(repr(name) for name in names[:_LISTED])
    more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return shown + more


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _progress(callback: ProgressCallback | None, done: int, total: int | None) -> None:
    if callback is not None:
        callback({"done": done, "total": total})


def _warn_ignored_columns(
    source: str, text_column: str, id_column: str | None, label_column: str | None
) -> None:
    given = [
        name
        for name, value, default in (
            ("text_column", text_column, "text"),
            ("id_column", id_column, None),
            ("label_column", label_column, None),
        )
        if value != default
    ]
    if given:
        warnings.warn(
            f"The column options ({', '.join(given)}) apply to .csv, .tsv and .jsonl files "
            f"only; they are ignored for {source!r}.",
            UserWarning,
            stacklevel=3,
        )
