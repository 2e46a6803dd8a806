"""Reading corpora into a :class:`Corpus`: folders of text files, text files and tables.

:func:`read_corpus` reads all of a corpus, :func:`iter_corpus` the same in chunks. Both
accept

- a folder, read recursively: every ``.txt`` and ``.md`` file is one document, its id is the
  path relative to the folder and its label the first sub-folder name (the layout of
  scikit-learn's ``load_files``); with ``time_from="folder"`` the first level of folders are
  time windows (the layout of dynamic-nmf);
- a ``.txt`` file with one document per line;
- a ``.csv``, ``.tsv``, ``.jsonl`` (also ``.ndjson``) or ``.json`` file with a text column and
  optional id, label and time columns.

Files may be gzipped (``.txt.gz``, ``.csv.gz``, ...). Text is read as UTF-8 (a byte order
mark is dropped); a document that is not valid UTF-8 is decoded as cp1252, the bytes cp1252
leaves undefined as latin-1, so decoding never fails; such documents are counted in
``Corpus.n_fallback_decoded``. The library never prints: skipped files are reported with a
``UserWarning`` and recorded in ``Corpus.skipped``.

Limits
------
Reading is bounded, so that a small hostile input cannot hang or exhaust the machine:

========================  ===================  =========================================
limit                     read_corpus          what it bounds
========================  ===================  =========================================
max_document_bytes        16 MiB               a file of a folder, a line, a table cell
max_documents             10 000 000           documents in one corpus
max_bytes                 4 GiB                bytes read in all, after decompression
max_compression_ratio     200                  how much a ``.gz`` file may expand
========================  ===================  =========================================

:func:`iter_corpus` keeps the first and last and has no ``max_documents`` or ``max_bytes``
(it holds one chunk). Raise a limit with ``limits={"max_bytes": 16 * 2**30}`` (``None``
switches it off) or a :class:`Limits`. Only regular files are read: FIFOs, devices, sockets
and links to them are refused at the top and skipped in a folder, before a byte is read.
An empty path is refused (pass ``"."`` for the working directory).

The package, one idea a module: ``_corpus`` (the Corpus type), ``_read`` (the two entry
points and what a path is), ``_stream`` (documents into Corpus chunks, progress, warnings),
``_bounded`` (the bounded reader and its limits), ``_folders`` (the walk), ``_lines`` (line
files and line splitting), ``_tables`` (CSV, TSV, JSON), ``_decode`` (UTF-8 and the
fallback), ``_times`` (time values), ``_messages`` (listings and printable names).
"""

from topicnmf.corpus._bounded import DEFAULT_LIMITS, STREAM_LIMITS, Limits
from topicnmf.corpus._corpus import Corpus, as_corpus
from topicnmf.corpus._folders import DOCUMENT_SUFFIXES
from topicnmf.corpus._read import iter_corpus, read_corpus

__all__ = [
    "DEFAULT_LIMITS",
    "DOCUMENT_SUFFIXES",
    "STREAM_LIMITS",
    "Corpus",
    "Limits",
    "as_corpus",
    "iter_corpus",
    "read_corpus",
]
