"""Hostile and odd inputs to the corpus readers: each gives a clean result or one InputError line.

Every case of the table is read under a deadline (an interval timer, so a read that blocks,
on a FIFO say, is interrupted instead of hanging the suite) and checked for: no exception but
``InputError``; a message (and every warning) of one line without a traceback; ids, labels
and texts that can be written as UTF-8; the outcome the case expects. Large cases are scaled
down: a decompression bomb of a few MB under the default limits, a corpus over a lowered
limit. ``test_every_case_is_clean`` runs them all, prints the count line
``N cases: N clean`` and fails with the problems of each case that is not.

The property tests feed arbitrary bytes (and JSON and CSV token soup) to ``read_corpus``.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import signal
import socket
import tempfile
import time
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topicnmf.corpus import Corpus, iter_corpus, read_corpus
from topicnmf.errors import InputError

DEADLINE = 10.0  # seconds; every case takes well under one

# name -> (builder, expected outcome: "ok", "error" or "either", words the message must hold)
CASES: dict = {}


def case(expect: str, match: str = ""):
    def register(builder):
        CASES[builder.__name__.removeprefix("case_").replace("_", "-")] = (builder, expect, match)
        return builder

    return register


def write(root: Path, files: dict) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def bomb(n_bytes: int = 3 << 20, line: bytes = b"the same line again\n") -> bytes:
    """A gzip member of n_bytes of one repeated line (3 MB compress to about 10 KB)."""
    return gzip.compress(line * (n_bytes // len(line)), compresslevel=6)


def symlink(target, link: Path) -> None:
    try:
        os.symlink(target, link)
    except (OSError, NotImplementedError):
        pytest.skip("symbolic links are not available")


def fifo(path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs are not available")
    os.mkfifo(path)


def raw_name(root: Path, name: bytes) -> Path:
    """A path whose last part is the raw bytes name (not UTF-8)."""
    try:
        path = Path(os.fsdecode(os.path.join(os.fsencode(root), name)))
        path.write_bytes(b"a document with an odd file name")
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses such names")
    return path


# ------------------------------------------------------------------------------- special files


@case("error", "is a FIFO, not a folder or a regular file")
def case_fifo_as_corpus(tmp):
    fifo(tmp / "docs.txt")
    return tmp / "docs.txt", {}


@case("ok")
def case_fifo_in_folder(tmp):
    write(tmp, {"a/one.txt": "kept"})
    fifo(tmp / "a" / "pipe.txt")
    return tmp, {}


@case("error", "is a device, not a folder or a regular file")
def case_link_to_dev_zero_as_corpus(tmp):
    symlink("/dev/zero", tmp / "zero.jsonl")
    return tmp / "zero.jsonl", {}


@case("ok")
def case_link_to_dev_zero_in_folder(tmp):
    write(tmp, {"a/one.txt": "kept"})
    symlink("/dev/zero", tmp / "a" / "zero.txt")
    return tmp, {}


@case("error", "is a device")
def case_dev_null_as_corpus(tmp):
    if not os.path.exists("/dev/null"):
        pytest.skip("no /dev/null")
    return Path("/dev/null"), {}


@case("ok")
def case_socket_in_folder(tmp):
    write(tmp, {"a/one.txt": "kept"})
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("no Unix sockets")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp / "a" / "sock.txt"))
    except OSError:
        pytest.skip("cannot bind a Unix socket here")
    finally:
        server.close()
    return tmp, {}


# ------------------------------------------------------------------------------- links


@case("ok")
def case_link_loop_up_the_tree(tmp):
    write(tmp, {"a/one.txt": "kept"})
    symlink(tmp, tmp / "a" / "up")
    return tmp, {}


@case("ok")
def case_link_to_itself(tmp):
    write(tmp, {"a/one.txt": "kept"})
    symlink("self.txt", tmp / "a" / "self.txt")
    symlink("selfdir", tmp / "a" / "selfdir")
    return tmp, {}


@case("ok")
def case_link_pair_loop(tmp):
    write(tmp, {"a/one.txt": "kept"})
    symlink("y", tmp / "a" / "x")
    symlink("x", tmp / "a" / "y")
    return tmp, {}


@case("ok")
def case_dangling_link(tmp):
    write(tmp, {"a/one.txt": "kept"})
    symlink(tmp / "nowhere.txt", tmp / "a" / "gone.txt")
    return tmp, {}


@case("error", "could not be read (Too many levels of symbolic links)")
def case_corpus_path_is_a_link_loop(tmp):
    symlink("loop.csv", tmp / "loop.csv")
    return tmp / "loop.csv", {}


# ------------------------------------------------------------------------------- sizes and bombs


@case("error", "expands like a decompression bomb")
def case_gzip_bomb_lines(tmp):
    write(tmp, {"docs.txt.gz": bomb()})
    return tmp / "docs.txt.gz", {}


@case("error", "expands like a decompression bomb")
def case_gzip_bomb_jsonl(tmp):
    write(tmp, {"docs.jsonl.gz": bomb(line=b'{"text": "the same"}\n')})
    return tmp / "docs.jsonl.gz", {}


@case("error", "expands like a decompression bomb")
def case_gzip_bomb_csv(tmp):
    write(tmp, {"docs.csv.gz": gzip.compress(b"text\n" + b"same row\n" * (3 << 17), 6)})
    return tmp / "docs.csv.gz", {}


@case("error", "expands like a decompression bomb")
def case_gzip_bomb_json_array(tmp):
    data = b'[{"text": "x"}' + b', {"text": "x"}' * (1 << 18) + b"]"
    write(tmp, {"docs.json.gz": gzip.compress(data, 6)})
    return tmp / "docs.json.gz", {}


@case("error", "expands like a decompression bomb")
def case_gzip_bomb_streamed(tmp):
    write(tmp, {"docs.txt.gz": bomb()})
    return tmp / "docs.txt.gz", {"reader": iter_corpus}


@case("error", "expands like a decompression bomb")
def case_gzip_bomb_one_line(tmp):
    write(tmp, {"docs.txt.gz": gzip.compress(b"x" * (3 << 20), 6)})
    return tmp / "docs.txt.gz", {}


@case("error", "passes the limit max_bytes=1 MiB")
def case_many_bytes_under_a_lowered_limit(tmp):
    write(tmp, {"docs.txt": b"a short line of text\n" * 150_000})
    return tmp / "docs.txt", {"limits": {"max_bytes": 1 << 20}}


@case("error", "passes the limit max_documents=1000")
def case_many_lines_under_a_lowered_limit(tmp):
    write(tmp, {"docs.txt.gz": gzip.compress(b"w\n" * 200_000)})
    return tmp / "docs.txt.gz", {"limits": {"max_documents": 1000}}


@case("error", "Line 1 of")
def case_one_endless_line(tmp):
    write(tmp, {"docs.txt": b"x" * (3 << 20)})
    return tmp / "docs.txt", {"limits": {"max_document_bytes": 1 << 20}}


@case("error", "passes the limit max_document_bytes=1 MiB")
def case_huge_file_in_folder(tmp):
    write(tmp, {"a/big.txt": b"word " * (300_000), "a/small.txt": "kept"})
    return tmp, {"limits": {"max_document_bytes": 1 << 20}}


@case("error", "The text in row 2 of")
def case_huge_csv_cell(tmp):
    write(tmp, {"docs.csv": b"text\nsmall\n" + b"y" * (2 << 20) + b"\n"})
    return tmp / "docs.csv", {"limits": {"max_document_bytes": 1 << 20}}


@case("error", "Line 2 of")
def case_huge_jsonl_line(tmp):
    write(tmp, {"docs.jsonl": b'{"text": "a"}\n{"text": "' + b"z" * (2 << 20) + b'"}\n'})
    return tmp / "docs.jsonl", {"limits": {"max_document_bytes": 1 << 20}}


@case("ok")
def case_many_blank_lines(tmp):
    write(tmp, {"docs.txt": b"\n" * 500_000 + b"finally a document\n"})
    return tmp / "docs.txt", {}


# ------------------------------------------------------------------------------- JSON


@case("error", "nested too deeply")
def case_deep_json_array(tmp):
    write(tmp, {"docs.json": "[" * 100_000 + "]" * 100_000})
    return tmp / "docs.json", {}


@case("error", "nested too deeply to read on line 2")
def case_deep_jsonl(tmp):
    write(tmp, {"docs.jsonl": '{"text": "a"}\n{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n"})
    return tmp / "docs.jsonl", {}


@case("error", "cannot be read on line 1")
def case_huge_json_integer(tmp):
    write(tmp, {"docs.jsonl": '{"text": ' + "9" * 5000 + "}\n"})
    return tmp / "docs.jsonl", {}


@case("ok")
def case_json_lone_surrogates(tmp):
    write(tmp, {"docs.jsonl": '{"id": "\\ud800", "text": "a \\udfff b", "label": "\\udce9"}\n'})
    return tmp / "docs.jsonl", {}


@case("ok")
def case_json_nested_values(tmp):
    write(tmp, {"docs.jsonl": '{"text": {"a": [1, {"b": null}]}}\n{"text": [[["x"]]]}\n'})
    return tmp / "docs.jsonl", {}


@case("error", "holds a JSON number as item 1")
def case_json_scalar(tmp):
    write(tmp, {"docs.json": "3"})
    return tmp / "docs.json", {}


@case("error", "holds a JSON null as item 1")
def case_json_null(tmp):
    write(tmp, {"docs.json": "null"})
    return tmp / "docs.json", {}


@case("error", "not an object")
def case_json_array_of_arrays(tmp):
    write(tmp, {"docs.json": "[[1, 2], [3]]"})
    return tmp / "docs.json", {}


@case("error", "has no text column 'text'; its columns are none")
def case_json_empty_array(tmp):
    write(tmp, {"docs.json": "[]"})
    return tmp / "docs.json", {}


@case("error", "malformed JSON on line 1")
def case_jsonl_nan_and_garbage(tmp):
    write(tmp, {"docs.jsonl": '{"text": NaN, }\n'})
    return tmp / "docs.jsonl", {}


@case("ok")
def case_jsonl_keys_not_utf8(tmp):
    write(tmp, {"docs.jsonl": b'{"text": "a", "caf\xe9": "b"}\n'})
    return tmp / "docs.jsonl", {}


# ------------------------------------------------------------------------------- CSV, TSV


@case("error", "is not a valid CSV file")
def case_csv_unbalanced_quote(tmp):
    write(tmp, {"docs.csv": 'id,text\n1,"never closed\n2,x\n'})
    return tmp / "docs.csv", {}


@case("either")
def case_csv_nul_bytes(tmp):
    write(tmp, {"docs.csv": b"text\nbefore\x00after\nplain\n"})
    return tmp / "docs.csv", {}


@case("ok")
def case_csv_repeated_header(tmp):
    write(tmp, {"docs.csv": "text,text,id,id\na,b,1,2\nc,d,3,4\n"})
    return tmp / "docs.csv", {}


@case("error", "is empty")
def case_csv_only_newlines(tmp):
    write(tmp, {"docs.csv": "\n\n\n"})
    return tmp / "docs.csv", {}


@case("ok")
def case_csv_formula_cells(tmp):
    write(tmp, {"docs.csv": 'id,text\n"=HYPERLINK(""http://x"")",=1+2\n@SUM,+cmd\n'})
    return tmp / "docs.csv", {}


@case("ok")
def case_tsv_with_quotes_and_cr(tmp):
    write(tmp, {"docs.tsv": 'text\tlabel\r\n"a\tb"\tx\r\nplain\ty\r\n'})
    return tmp / "docs.tsv", {}


# ------------------------------------------------------------------------------- encodings, ends


@case("ok")
def case_old_mac_line_ends(tmp):
    write(tmp, {"docs.txt": b"one\rtwo\rthree"})
    return tmp / "docs.txt", {"expect_texts": ["one", "two", "three"]}


@case("ok")
def case_mixed_line_ends(tmp):
    write(tmp, {"docs.txt": b"one\r\ntwo\rthree\nfour\n\r"})
    return tmp / "docs.txt", {"expect_texts": ["one", "two", "three", "four"]}


@case("error", "looks binary")
def case_binary_txt(tmp):
    write(tmp, {"docs.txt": bytes(range(256)) * 10})
    return tmp / "docs.txt", {}


@case("ok")
def case_utf16_odd_length(tmp):
    write(tmp, {"docs.txt": "one\ntwo\n".encode("utf-16") + b"\x00"})
    return tmp / "docs.txt", {}


@case("error", "no readable documents")
def case_bom_only(tmp):
    write(tmp, {"docs.txt": b"\xef\xbb\xbf"})
    return tmp / "docs.txt", {}


@case("ok")
def case_every_byte_value_in_a_folder(tmp):
    write(tmp, {"a/all.txt": bytes(range(1, 256)), "a/high.md": bytes(range(128, 256))})
    return tmp, {}


@case("error", "no readable documents")
def case_empty_txt(tmp):
    write(tmp, {"docs.txt": b""})
    return tmp / "docs.txt", {}


@case("error", "is empty")
def case_empty_csv_gz(tmp):
    write(tmp, {"docs.csv.gz": gzip.compress(b"")})
    return tmp / "docs.csv.gz", {}


# ------------------------------------------------------------------------------- gzip


@case("error", "is not a valid gzip file")
def case_truncated_gzip(tmp):
    data = gzip.compress("".join(f"line {i}\n" for i in range(20_000)).encode())
    write(tmp, {"docs.txt.gz": data[: len(data) // 2]})
    return tmp / "docs.txt.gz", {}


@case("error", "is not a valid gzip file")
def case_not_gzip(tmp):
    write(tmp, {"docs.jsonl.gz": b'{"text": "plain"}\n'})
    return tmp / "docs.jsonl.gz", {}


@case("error", "no readable documents")
def case_empty_gzip_file(tmp):
    write(tmp, {"docs.txt.gz": b""})
    return tmp / "docs.txt.gz", {}


@case("ok")
def case_gzip_members_joined(tmp):
    write(tmp, {"docs.txt.gz": gzip.compress(b"one\n") + gzip.compress(b"two\n")})
    return tmp / "docs.txt.gz", {"expect_texts": ["one", "two"]}


@case("either")
def case_gzip_with_trailing_garbage(tmp):
    write(tmp, {"docs.txt.gz": gzip.compress(b"one\n") + b"\x00garbage"})
    return tmp / "docs.txt.gz", {}


# ------------------------------------------------------------------------------- paths and names


@case("error", "The corpus path is empty ('')")
def case_empty_path(tmp):
    write(tmp, {"a/one.txt": "would be read from the working directory"})
    return "", {}


@case("error", "holds a NUL character")
def case_nul_in_path(tmp):
    return str(tmp) + "\x00.txt", {}


@case("ok")
def case_file_name_not_utf8(tmp):
    (tmp / "a").mkdir()
    raw_name(tmp / "a", b"caf\xe9.txt")
    write(tmp, {"a/plain.txt": "kept"})
    return tmp, {}


@case("ok")
def case_folder_name_not_utf8(tmp):
    folder = Path(os.fsdecode(os.path.join(os.fsencode(tmp), b"lab\xffel")))
    try:
        folder.mkdir()
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses such names")
    (folder / "doc.txt").write_text("a document")
    return tmp, {}


@case("ok")
def case_control_characters_in_names(tmp):
    write(tmp, {"a\x1b[2J/one\n.txt": "kept", "b\x07/two\r.txt": "kept"})
    return tmp, {}


@case("ok")
def case_corpus_path_not_utf8(tmp):
    folder = Path(os.fsdecode(os.path.join(os.fsencode(tmp), b"corp\xe9")))
    try:
        folder.mkdir()
    except (OSError, UnicodeError):
        pytest.skip("the file system refuses such names")
    (folder / "doc.txt").write_text("a document")
    return folder, {}


@case("ok")
def case_folder_named_like_a_document(tmp):
    write(tmp, {"a/inner.txt/doc.txt": "kept", "a/plain.txt": "kept"})
    return tmp, {}


@case("ok")
def case_folder_named_like_a_table(tmp):
    write(tmp, {"docs.csv/doc.txt": "a folder, read as one"})
    return tmp / "docs.csv", {}


@case("error", "holds no .txt or .md files")
def case_folder_of_special_files_only(tmp):
    fifo(tmp / "pipe.txt")
    return tmp, {}


@case("error", "has an unsupported type")
def case_unsupported_suffix(tmp):
    write(tmp, {"docs.txt.bz2": b"BZh9"})
    return tmp / "docs.txt.bz2", {}


# ------------------------------------------------------------------------------- times


@case("error", "does not read as a date")
def case_time_column_garbage(tmp):
    write(tmp, {"docs.csv": "text,date\na,2016-01-01\nb,\x1b[31mred\n"})
    return tmp / "docs.csv", {"time_column": "date"}


@case("either")
def case_time_column_far_years(tmp):
    write(tmp, {"docs.csv": "text,date\na,99999-01-01\nb,0001-01-01\nc,2016-01-01\n"})
    return tmp / "docs.csv", {"time_column": "date"}


@case("ok")
def case_time_folders_hostile_names(tmp):
    write(tmp, {"month\x1b1/a.txt": "one", "month2/b.txt": "two"})
    return tmp, {"time_from": "folder"}


# ------------------------------------------------------------------------------- the runner


class _Timeout(BaseException):
    pass


@contextlib.contextmanager
def deadline(seconds: float):
    """Interrupt the block after ``seconds`` (an interval timer: a blocked read is interrupted)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _strings(corpus: Corpus) -> list[str]:
    return corpus.ids + corpus.texts + (corpus.labels or []) + [corpus.source] + corpus.skipped


def outcome(reader, path, **kwargs) -> tuple[str, str, list[str], Corpus | None]:
    """('ok' | 'error' | 'crash' | 'hang', message, warnings, corpus)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with deadline(DEADLINE):
                if reader is iter_corpus:
                    chunks = list(iter_corpus(path, chunksize=3, **kwargs))
                    corpus = Corpus(
                        ids=sum((c.ids for c in chunks), []),
                        texts=sum((c.texts for c in chunks), []),
                        skipped=sum((c.skipped for c in chunks), []),
                    )
                else:
                    corpus = read_corpus(path, **kwargs)
            result = ("ok", "", corpus)
        except InputError as error:
            result = ("error", str(error), None)
        except _Timeout:
            result = ("hang", f"no answer within {DEADLINE} s", None)
        except Exception as error:  # noqa: BLE001 - what the suite is looking for
            result = ("crash", f"{type(error).__name__}: {error}", None)
    return result[0], result[1], [str(w.message) for w in caught], result[2]


def check_case(name: str, tmp: Path) -> list[str]:
    """The problems of one case (an empty list when it is clean)."""
    builder, expect, match = CASES[name]
    path, kwargs = builder(tmp)
    reader = kwargs.pop("reader", read_corpus)
    expect_texts = kwargs.pop("expect_texts", None)
    cwd = os.getcwd()
    os.chdir(tmp)  # an empty path must not read the working directory either
    try:
        started = time.perf_counter()
        kind, message, caught, corpus = outcome(reader, path, **kwargs)
        elapsed = time.perf_counter() - started
    finally:
        os.chdir(cwd)
    problems = []
    if kind in ("crash", "hang"):
        problems.append(f"{kind}: {message}")
    if expect != "either" and kind in ("ok", "error") and kind != expect:
        problems.append(f"expected {expect}, got {kind}: {message}")
    if kind == "error" and match and match not in message:
        problems.append(f"message lacks {match!r}: {message}")
    for text in [message, *caught]:
        if "\n" in text or "\r" in text or "Traceback" in text:
            problems.append(f"not one line: {text!r}")
    if corpus is not None:
        for value in _strings(corpus):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(f"not writable as UTF-8: {value!r}")
        for value in corpus.ids + corpus.skipped + (corpus.labels or []):
            if tmp is not None and kind == "ok" and isinstance(path, Path) and path.is_dir():
                if not value.isprintable():
                    problems.append(f"id or name not printable: {value!r}")
        if expect_texts is not None and corpus.texts != expect_texts:
            problems.append(f"texts {corpus.texts!r}, expected {expect_texts!r}")
    if elapsed > 5:
        problems.append(f"took {elapsed:.1f} s")
    return problems


def test_every_case_is_clean(capsys):
    clean = 0
    failed = {}
    skipped = 0
    for name in sorted(CASES):
        with tempfile.TemporaryDirectory() as folder:
            try:
                problems = check_case(name, Path(folder))
            except pytest.skip.Exception:
                skipped += 1
                continue
        if problems:
            failed[name] = problems
        else:
            clean += 1
    n_cases = len(CASES) - skipped
    with capsys.disabled():
        print(f"\n{n_cases} cases: {clean} clean" + (f" ({skipped} skipped here)" if skipped else ""))
    assert failed == {}


# ------------------------------------------------------------------------------- properties

SUFFIXES = [".txt", ".csv", ".tsv", ".jsonl", ".json", ".txt.gz", ".csv.gz", ".jsonl.gz"]

JSON_TOKENS = st.sampled_from(
    ['{', '}', '[', ']', '"', ':', ',', '"text"', '"id"', '"label"', ' ', '\n', '\r', '\\',
     '\\u', 'd800', 'null', 'true', '1e999', '-0', '"x"', '\x00', '\u2028', '\ufeff', 'é']
)
CSV_TOKENS = st.sampled_from(
    ["text", "id", "label", ",", "\t", '"', '""', "\n", "\r", "\r\n", " ", "a", "=1", "\x00",
     "é", "\udce9", "\ufeff", "#"]
)
PROPERTY = settings(
    max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _property_check(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"docs{suffix}"
        if suffix.endswith(".gz") and data[:1] != b"\x1f":
            data = gzip.compress(data)
        path.write_bytes(data)
        kind, message, caught, corpus = outcome(read_corpus, path)
        assert kind in ("ok", "error"), message
        for text in [message, *caught]:
            assert "\n" not in text and "\r" not in text, text
        if corpus is not None:
            for value in _strings(corpus):
                value.encode("utf-8")
            assert len(set(corpus.ids)) == len(corpus.ids)


@PROPERTY
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=400))
def test_arbitrary_bytes_give_a_corpus_or_one_input_error(suffix, data):
    _property_check(suffix, data)


@PROPERTY
@given(suffix=st.sampled_from([".jsonl", ".json", ".jsonl.gz"]), tokens=st.lists(JSON_TOKENS, max_size=40))
def test_json_token_soup(suffix, tokens):
    _property_check(suffix, "".join(tokens).encode("utf-8", "surrogatepass"))


@PROPERTY
@given(suffix=st.sampled_from([".csv", ".tsv"]), tokens=st.lists(CSV_TOKENS, max_size=40))
def test_csv_token_soup(suffix, tokens):
    _property_check(suffix, "".join(tokens).encode("utf-8", "surrogateescape"))


@PROPERTY
@given(files=st.dictionaries(
    st.sampled_from(["a/x.txt", "a/y.md", "b/z.txt", "w.txt", "a/b/c.TXT"]),
    st.binary(max_size=200),
    max_size=4,
))
def test_arbitrary_folders(files):
    with tempfile.TemporaryDirectory() as folder:
        write(Path(folder), files)
        kind, message, caught, corpus = outcome(read_corpus, Path(folder))
        assert kind in ("ok", "error"), message
        for text in [message, *caught]:
            assert "\n" not in text and "\r" not in text, text
        if corpus is not None:
            for value in _strings(corpus):
                value.encode("utf-8")
