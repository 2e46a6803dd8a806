"""Tests of topicnmf.corpus: reading folders, text files and tables into a Corpus."""

import gzip
import json
import os
import re
import warnings
from pathlib import Path

import pytest

from topicnmf.corpus import Corpus, read_corpus
from topicnmf.errors import InputError

SUPPORTED = (
    "a folder of .txt/.md files or a .txt (one document per line), .csv, .tsv, .jsonl, "
    ".ndjson or .json file, optionally gzipped (.gz)"
)


def write(root: Path, files: dict) -> None:
    """Write ``{relative path: str or bytes}`` below root (str is written as UTF-8)."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if relative.endswith(".gz"):
            data = gzip.compress(data)
        path.write_bytes(data)


def jsonl(*records) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


# ------------------------------------------------------------------------------- folders


def test_folder_with_labels_sorted_ids_and_label_per_first_subfolder(tmp_path):
    write(
        tmp_path,
        {
            "sport/b.txt": "A goal in the last minute.",
            "sport/a.md": "# Match report\nThe home side won.",
            "news/2024/march/c.txt": "Elections next week.",
            "news/d.TXT": "Upper-case suffix.",
            "news/table.csv": "text\nnot a document",
            "news/notes.rst": "not a document",
            "README.md": "About this corpus.",
        },
    )
    corpus = read_corpus(tmp_path)
    assert corpus.ids == ["news/2024/march/c.txt", "news/d.TXT", "sport/a.md", "sport/b.txt"]
    assert corpus.labels == ["news", "news", "sport", "sport"]
    assert corpus.texts[2] == "# Match report\nThe home side won."
    # As with load_files, files directly in the root are no documents once there are labels.
    assert corpus.skipped == ["README.md"]
    assert corpus.source == str(tmp_path)
    assert (corpus.n_fallback_decoded, corpus.empty, len(corpus)) == (0, 0, 4)
    assert list(corpus) == corpus.texts


def test_folder_without_subfolders_has_no_labels(tmp_path):
    write(tmp_path, {"b.txt": "second", "a.txt": "first", "c.md": "third"})
    corpus = read_corpus(str(tmp_path))
    assert corpus.ids == ["a.txt", "b.txt", "c.md"]
    assert corpus.texts == ["first", "second", "third"]
    assert corpus.labels is None
    assert corpus.skipped == []


def test_folder_order_does_not_depend_on_creation_order(tmp_path):
    names = ["z/1.txt", "a/2.txt", "m/b/3.txt", "m/a.txt", "a-b/4.txt"]
    write(tmp_path / "one", {name: name for name in names})
    write(tmp_path / "two", {name: name for name in reversed(names)})
    first, second = read_corpus(tmp_path / "one"), read_corpus(tmp_path / "two")
    assert first.ids == second.ids == ["a/2.txt", "a-b/4.txt", "m/a.txt", "m/b/3.txt", "z/1.txt"]
    assert first.texts == first.ids


def test_hidden_files_and_folders_are_skipped(tmp_path):
    write(
        tmp_path,
        {
            "sport/a.txt": "kept",
            "sport/.hidden.txt": "hidden file",
            ".git/objects/x.txt": "hidden folder",
            "sport/.cache/y.txt": "hidden sub-folder",
        },
    )
    corpus = read_corpus(tmp_path)
    assert corpus.ids == ["sport/a.txt"]
    assert corpus.skipped == []


def test_symbolic_link_loop_is_read_once(tmp_path):
    write(tmp_path, {"sport/a.txt": "kept"})
    try:
        os.symlink(tmp_path, tmp_path / "sport" / "loop")
    except (OSError, NotImplementedError):
        pytest.skip("symbolic links are not available")
    assert read_corpus(tmp_path).ids == ["sport/a.txt"]


def test_fallback_decoding_is_counted(tmp_path):
    write(
        tmp_path,
        {
            "utf8.txt": "café naïve",
            "bom.txt": b"\xef\xbb\xbfwith a byte order mark",
            "latin1.txt": "café naïve".encode("latin-1"),
            "cp1252.txt": b"\x93smart quotes\x94 \x80 5",
            "undefined.txt": b"byte \x81 undefined in cp1252",
            "utf16.txt": "UTF-16 text, été".encode("utf-16"),
        },
    )
    corpus = read_corpus(tmp_path)
    texts = dict(zip(corpus.ids, corpus.texts))
    assert texts == {
        "bom.txt": "with a byte order mark",
        "cp1252.txt": "\u201csmart quotes\u201d \u20ac 5",
        "latin1.txt": "café naïve",
        "undefined.txt": "byte \x81 undefined in cp1252",
        "utf16.txt": "UTF-16 text, été",
        "utf8.txt": "café naïve",
    }
    assert corpus.n_fallback_decoded == 3


def test_binary_file_is_skipped_with_a_warning(tmp_path):
    write(
        tmp_path,
        {
            "sport/a.txt": "kept",
            "sport/image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "news/late_nul.txt": b"x" * 9000 + b"\x00",
        },
    )
    message = (
        f"Skipped 1 binary file in the corpus folder {str(tmp_path)!r} "
        "(NUL bytes in the first 8192 bytes): 'sport/image.txt'."
    )
    with pytest.warns(UserWarning, match=re.escape(message)):
        corpus = read_corpus(tmp_path)
    assert corpus.ids == ["news/late_nul.txt", "sport/a.txt"]
    assert corpus.skipped == ["sport/image.txt"]


def test_many_binary_files_make_one_warning(tmp_path):
    write(tmp_path, {f"bin_{i}.txt": b"\x00" for i in range(7)})
    write(tmp_path, {"text.txt": "kept"})
    with pytest.warns(UserWarning) as record:
        corpus = read_corpus(tmp_path)
    assert len(record) == 1
    assert str(record[0].message).endswith(
        "'bin_0.txt', 'bin_1.txt', 'bin_2.txt', 'bin_3.txt', 'bin_4.txt' and 2 more."
    )
    assert len(corpus.skipped) == 7


def test_unreadable_file_is_skipped_with_a_warning(tmp_path, monkeypatch):
    write(tmp_path, {"a.txt": "kept", "b.txt": "locked"})

    from topicnmf.corpus import _bounded

    real_open = _bounded.open_regular

    def fake_open(file):
        if str(file).endswith("b.txt"):
            raise PermissionError(13, "Permission denied")
        return real_open(file)

    monkeypatch.setattr(_bounded, "open_regular", fake_open)
    message = f"Skipped 1 unreadable path in the corpus folder {str(tmp_path)!r}: 'b.txt'."
    with pytest.warns(UserWarning, match=re.escape(message)):
        corpus = read_corpus(tmp_path)
    assert corpus.ids == ["a.txt"]
    assert corpus.skipped == ["b.txt"]


def test_empty_documents_are_kept_and_counted(tmp_path):
    write(tmp_path, {"a.txt": "text", "b.txt": "", "c.md": " \n\t\n"})
    corpus = read_corpus(tmp_path)
    assert corpus.ids == ["a.txt", "b.txt", "c.md"]
    assert corpus.texts == ["text", "", " \n\t\n"]
    assert corpus.empty == 2


def test_column_options_for_a_folder_warn(tmp_path):
    write(tmp_path, {"a.txt": "text"})
    message = (
        "The column options (text_column, label_column) apply to .csv, .tsv and .jsonl files "
        f"only; they are ignored for {str(tmp_path)!r}."
    )
    with pytest.warns(UserWarning, match=re.escape(message)):
        read_corpus(tmp_path, text_column="body", label_column="topic")


def test_callback_reports_progress_over_files(tmp_path):
    write(tmp_path, {"a.txt": "one", "b.txt": "two", "c.txt": "three"})
    calls = []
    read_corpus(tmp_path, callback=calls.append)
    assert calls == [{"done": done, "total": 3} for done in range(4)]


def test_callback_is_called_about_a_hundred_times_for_large_folders(tmp_path):
    write(tmp_path, {f"{i:03d}.txt": "x" for i in range(350)})
    calls = []
    read_corpus(tmp_path, callback=calls.append)
    done = [call["done"] for call in calls]
    assert done == list(range(0, 350, 3)) + [350]
    assert {call["total"] for call in calls} == {350}


# ------------------------------------------------------------------------------- text files


def test_txt_file_holds_one_document_per_line(tmp_path):
    write(tmp_path, {"docs.txt": "first doc\r\n\n   \nsecond doc\n\tthird  \n"})
    corpus = read_corpus(tmp_path / "docs.txt")
    # Blank lines are no documents; ids keep the line numbers of the file.
    assert corpus.ids == ["line_1", "line_4", "line_5"]
    assert corpus.texts == ["first doc", "second doc", "\tthird  "]
    assert corpus.labels is None
    assert (corpus.empty, corpus.n_fallback_decoded, corpus.skipped) == (0, 0, [])


def test_txt_file_decodes_each_line_on_its_own(tmp_path):
    data = "caf\u00e9 utf-8\n".encode() + "caf\u00e9 latin-1\n".encode("latin-1") + b"\xef\xbb\xbf"
    write(tmp_path, {"docs.txt": b"\xef\xbb\xbf" + data + "third\n".encode()})
    corpus = read_corpus(tmp_path / "docs.txt")
    assert corpus.texts == ["café utf-8", "café latin-1", "\ufeffthird"]
    assert corpus.n_fallback_decoded == 1


def test_txt_file_in_utf16(tmp_path):
    write(tmp_path, {"docs.txt": "one\r\ntwo\r\n".encode("utf-16")})
    assert read_corpus(tmp_path / "docs.txt").texts == ["one", "two"]


def test_column_options_for_a_txt_file_warn(tmp_path):
    write(tmp_path, {"docs.txt": "one\n"})
    path = tmp_path / "docs.txt"
    message = (
        "The column options (id_column) apply to .csv, .tsv and .jsonl files only; "
        f"they are ignored for {str(path)!r}."
    )
    with pytest.warns(UserWarning, match=re.escape(message)):
        read_corpus(path, id_column="id")


# ------------------------------------------------------------------------------- tables

CSV = (
    'id,text,label\nd1,"A first, quoted text",space\nd2,007,food\nd3,,food\n'
    'd4,"two\nlines",space\n'
)
EXPECTED = {
    "ids": ["d1", "d2", "d3", "d4"],
    "texts": ["A first, quoted text", "007", "", "two\nlines"],
    "labels": ["space", "food", "food", "space"],
}


def as_dict(corpus: Corpus) -> dict:
    return {"ids": corpus.ids, "texts": corpus.texts, "labels": corpus.labels}


@pytest.mark.parametrize("name", ["docs.csv", "docs.csv.gz", "DOCS.CSV"])
def test_csv_reads_id_text_and_label_columns(tmp_path, name):
    write(tmp_path, {name: CSV})
    corpus = read_corpus(tmp_path / name)
    assert as_dict(corpus) == EXPECTED
    assert corpus.empty == 1
    assert corpus.source == str(tmp_path / name)


@pytest.mark.parametrize("name", ["docs.tsv", "docs.tsv.gz"])
def test_tsv(tmp_path, name):
    tsv = (
        "id\ttext\tlabel\nd1\tA first, quoted text\tspace\nd2\t007\tfood\nd3\t\tfood\n"
        'd4\t"two\nlines"\tspace\n'
    )
    write(tmp_path, {name: tsv})
    assert as_dict(read_corpus(tmp_path / name)) == EXPECTED


RECORDS = [
    {"id": "d1", "text": "A first, quoted text", "label": "space"},
    {"id": "d2", "text": "007", "label": "food"},
    {"id": "d3", "text": None, "label": "food"},
    {"id": "d4", "text": "two\nlines", "label": "space"},
]


@pytest.mark.parametrize("name", ["docs.jsonl", "docs.jsonl.gz", "docs.ndjson", "docs.json"])
def test_json_lines(tmp_path, name):
    write(tmp_path, {name: jsonl(*RECORDS[:2]) + "\n" + jsonl(*RECORDS[2:])})
    assert as_dict(read_corpus(tmp_path / name)) == EXPECTED


@pytest.mark.parametrize("name", ["docs.json", "docs.json.gz"])
def test_json_array(tmp_path, name):
    write(tmp_path, {name: json.dumps(RECORDS, indent=2)})
    assert as_dict(read_corpus(tmp_path / name)) == EXPECTED


def test_json_values_become_strings(tmp_path):
    records = [
        {"text": 7},
        {"text": 2.5},
        {"text": True},
        {"text": ["a", "b"]},
        {"other": "no text key"},
        {"text": "plain"},
    ]
    write(tmp_path, {"docs.jsonl": jsonl(*records)})
    corpus = read_corpus(tmp_path / "docs.jsonl")
    assert corpus.texts == ["7", "2.5", "True", '["a", "b"]', "", "plain"]
    assert corpus.ids == [f"row_{row}" for row in range(1, 7)]
    assert corpus.labels is None
    assert corpus.empty == 1


def test_custom_columns(tmp_path):
    write(
        tmp_path,
        {"docs.csv": "uid,body,topic,id,label\n7,first,x,a,p\n8,second,y,a,q\n"},
    )
    corpus = read_corpus(
        tmp_path / "docs.csv", text_column="body", id_column="uid", label_column="topic"
    )
    assert as_dict(corpus) == {
        "ids": ["7", "8"],
        "texts": ["first", "second"],
        "labels": ["x", "y"],
    }


def test_table_without_id_column_numbers_rows(tmp_path):
    write(tmp_path, {"docs.csv": "text\nfirst\nsecond\nthird\n"})
    corpus = read_corpus(tmp_path / "docs.csv")
    assert corpus.ids == ["row_1", "row_2", "row_3"]
    assert corpus.labels is None


def test_numbers_and_na_words_in_csv_stay_as_written(tmp_path):
    write(tmp_path, {"docs.csv": "id,text\n1,1.50\n2,NA\n3,None\n4,nan\n"})
    corpus = read_corpus(tmp_path / "docs.csv")
    assert corpus.texts == ["1.50", "NA", "None", "nan"]
    assert corpus.empty == 0


def test_csv_with_latin1_rows_is_counted(tmp_path):
    data = b"\xef\xbb\xbfid,text,label\n1,caf\xe9,f\xf6od\n2,plain,food\n3,\x93quoted\x94,food\n"
    write(tmp_path, {"docs.csv": data})
    corpus = read_corpus(tmp_path / "docs.csv")
    assert corpus.texts == ["café", "plain", "\u201cquoted\u201d"]
    assert corpus.labels == ["föod", "food", "food"]
    assert corpus.n_fallback_decoded == 2


def test_jsonl_with_latin1_text_is_counted(tmp_path):
    data = b'{"text": "caf\xe9"}\n{"text": "caf\xc3\xa9"}\n'
    write(tmp_path, {"docs.jsonl": data})
    corpus = read_corpus(tmp_path / "docs.jsonl")
    assert corpus.texts == ["café", "café"]
    assert corpus.n_fallback_decoded == 1


def test_callback_for_a_file(tmp_path):
    write(tmp_path, {"docs.csv": "text\none\n"})
    calls = []
    read_corpus(tmp_path / "docs.csv", callback=calls.append)
    assert calls == [{"done": 1, "total": 1}]


# ------------------------------------------------------------------------------- errors

# (files to write, path to read, keyword arguments, error, message with {path})
ERROR_CASES = [
    pytest.param(
        {},
        "nowhere",
        {},
        InputError,
        f"The corpus path '{{path}}' does not exist. Pass an existing folder or file: {SUPPORTED}.",
        id="missing-path",
    ),
    pytest.param(
        {"corpus/a.pdf": "x", "corpus/.hidden.txt": "x", "corpus/sub/b.csv": "text\nx\n"},
        "corpus",
        {},
        InputError,
        "The folder '{path}' holds no .txt or .md files (names starting with '.' are skipped). "
        "Pass a folder of .txt/.md documents, one sub-folder per label, or a .txt, .csv, .tsv "
        "or .jsonl file.",
        id="folder-without-documents",
    ),
    pytest.param(
        {"paper.pdf": "x"},
        "paper.pdf",
        {},
        InputError,
        f"The file '{{path}}' has an unsupported type '.pdf'. Pass {SUPPORTED}.",
        id="unsupported-type",
    ),
    pytest.param(
        {"paper.pdf.gz": "x"},
        "paper.pdf.gz",
        {},
        InputError,
        f"The file '{{path}}' has an unsupported type '.pdf.gz'. Pass {SUPPORTED}.",
        id="unsupported-gzipped-type",
    ),
    pytest.param(
        {"Makefile": "x"},
        "Makefile",
        {},
        InputError,
        f"The file '{{path}}' has an unsupported type (no suffix). Pass {SUPPORTED}.",
        id="no-suffix",
    ),
    pytest.param(
        {"docs.csv": "id,body\n1,x\n"},
        "docs.csv",
        {},
        InputError,
        "The file '{path}' has no text column 'text'; its columns are 'id', 'body'. "
        "Pick one with text_column.",
        id="missing-text-column",
    ),
    pytest.param(
        {"docs.jsonl": jsonl({"body": "x"}, {"body": "y", "topic": "z"})},
        "docs.jsonl",
        {"text_column": "content"},
        InputError,
        "The file '{path}' has no text column 'content'; its columns are 'body', 'topic'. "
        "Pick one with text_column.",
        id="missing-custom-text-column",
    ),
    pytest.param(
        {"docs.csv": "text,label\nx,y\n"},
        "docs.csv",
        {"id_column": "uid"},
        InputError,
        "The file '{path}' has no id column 'uid'; its columns are 'text', 'label'. "
        "Pick one with id_column.",
        id="missing-id-column",
    ),
    pytest.param(
        {"docs.tsv": "text\tid\nx\t1\n"},
        "docs.tsv",
        {"label_column": "topic"},
        InputError,
        "The file '{path}' has no label column 'topic'; its columns are 'text', 'id'. "
        "Pick one with label_column.",
        id="missing-label-column",
    ),
    pytest.param(
        {"docs.jsonl": '{"text": "a"}\n\n{"text": "b",}\n'},
        "docs.jsonl",
        {},
        InputError,
        "The file '{path}' holds malformed JSON on line 3 (Expecting property name enclosed "
        "in double quotes at column 14). Fix that line; each line must be one JSON object.",
        id="malformed-jsonl",
    ),
    pytest.param(
        {"docs.jsonl.gz": '{"text": "a"}\n["text", "b"]\n'},
        "docs.jsonl.gz",
        {},
        InputError,
        "The file '{path}' holds a JSON array on line 2, not an object. "
        'Each line must be one JSON object such as {"text": "..."}.',
        id="jsonl-line-not-an-object",
    ),
    pytest.param(
        {"docs.json": '[\n  {"text": "a"},\n  {"text": "b"\n]\n'},
        "docs.json",
        {},
        InputError,
        "The file '{path}' holds malformed JSON on line 4 (Expecting ',' delimiter at column "
        "1). Fix that line; the file must be one array of objects or one object per line.",
        id="malformed-json-array",
    ),
    pytest.param(
        {"docs.json": '[{"text": "a"}, "b"]'},
        "docs.json",
        {},
        InputError,
        "The file '{path}' holds a JSON string as item 2, not an object. Pass an array of "
        'objects such as [{"text": "..."}] or one object per line.',
        id="json-array-item-not-an-object",
    ),
    pytest.param(
        {"docs.csv": "id,text\n1,\n2,  \n"},
        "docs.csv",
        {},
        InputError,
        "The corpus '{path}' has no readable documents (2 documents read, all empty). "
        "Pass documents that hold text.",
        id="all-documents-empty",
    ),
    pytest.param(
        {"docs.csv": "id,text\n"},
        "docs.csv",
        {},
        InputError,
        "The corpus '{path}' has no readable documents (no document read). "
        "Pass documents that hold text.",
        id="header-only",
    ),
    pytest.param(
        {"docs.txt": "\n  \n\n"},
        "docs.txt",
        {},
        InputError,
        "The corpus '{path}' has no readable documents (no document read). "
        "Pass documents that hold text.",
        id="blank-lines-only",
    ),
    pytest.param(
        {"docs.csv": "id,text\na,x\nb,y\na,z\nb,w\nc,v\n"},
        "docs.csv",
        {},
        InputError,
        "The id column 'id' of '{path}' has duplicate ids: 'a' (2 times), 'b' (2 times). "
        "Make the ids unique or pick another column with id_column.",
        id="duplicate-ids",
    ),
    pytest.param(
        {"docs.jsonl": jsonl({"key": 1, "text": "x"}, {"key": 1, "text": "y"})},
        "docs.jsonl",
        {"id_column": "key"},
        InputError,
        "The id column 'key' of '{path}' has duplicate ids: '1' (2 times). "
        "Make the ids unique or pick another column with id_column.",
        id="duplicate-custom-ids",
    ),
    pytest.param(
        {"docs.csv": "id,text\na,x\n,y\n"},
        "docs.csv",
        {},
        InputError,
        "The id column 'id' of '{path}' is empty in row 2. "
        "Fill in every id or pick another column with id_column.",
        id="empty-id",
    ),
    pytest.param(
        {"docs.csv": "id,text\n1,x\n2,y,z\n"},
        "docs.csv",
        {},
        InputError,
        "The file '{path}' is not a valid CSV file (Expected 2 fields in line 3, saw 3). "
        "Check the quoting and the number of fields on that line.",
        id="csv-parser-error",
    ),
    pytest.param(
        {"docs.csv": ""},
        "docs.csv",
        {},
        InputError,
        "The file '{path}' is empty. Pass a table with a header row and a text column.",
        id="empty-csv",
    ),
    pytest.param(
        {"docs.txt": b"\x7fELF\x02\x01\x01\x00\x00"},
        "docs.txt",
        {},
        InputError,
        "The file '{path}' looks binary (NUL bytes in the first 8192 bytes). "
        "Pass a UTF-8 text file with one document per line.",
        id="binary-txt-file",
    ),
]


@pytest.mark.parametrize("files, target, kwargs, error, message", ERROR_CASES)
def test_read_corpus_errors(tmp_path, files, target, kwargs, error, message):
    write(tmp_path, files)
    path = tmp_path / target
    with pytest.raises(error, match=re.escape(message.replace("{path}", str(path)))):
        read_corpus(path, **kwargs)


def test_invalid_gzip_file(tmp_path):
    path = tmp_path / "docs.csv.gz"
    path.write_bytes(b"text\nnot gzipped\n")
    message = (
        f"The file {str(path)!r} is not a valid gzip file (Not a gzipped file (b'te')). "
        "Pass an uncompressed file or compress it again with gzip."
    )
    with pytest.raises(InputError, match=re.escape(message)):
        read_corpus(path)


def test_folder_of_binary_files_has_no_readable_documents(tmp_path):
    write(tmp_path, {"a.txt": b"\x00", "b.txt": b"\x00\x01"})
    message = (
        f"The corpus {str(tmp_path)!r} has no readable documents "
        "(no document read, 2 files skipped). Pass documents that hold text."
    )
    with pytest.warns(UserWarning, match="Skipped 2 binary files"):
        with pytest.raises(InputError, match=re.escape(message)):
            read_corpus(tmp_path)


def test_errors_are_one_line(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_text('id,text\n1,"unterminated\n2,x\n')
    with pytest.raises(InputError) as info:
        read_corpus(path)
    assert "\n" not in str(info.value)
    assert "EOF inside string" in str(info.value)


# ------------------------------------------------------------------------------- Corpus


def test_from_texts_defaults():
    corpus = Corpus.from_texts(["one", "", "three"])
    assert corpus.ids == ["0", "1", "2"]
    assert corpus.labels is None
    assert corpus.source == "<texts>"
    assert (corpus.empty, corpus.n_fallback_decoded, corpus.skipped) == (1, 0, [])
    assert len(corpus) == 3 and list(corpus) == ["one", "", "three"]


def test_from_texts_converts_ids_and_labels_to_strings():
    corpus = Corpus.from_texts(("a", "b"), ids=range(10, 12), labels=[1, 2])
    assert corpus.texts == ["a", "b"]
    assert corpus.ids == ["10", "11"]
    assert corpus.labels == ["1", "2"]


def test_repr_is_short():
    corpus = Corpus.from_texts(["long text " * 1000] * 3, labels=["a", "b", "a"])
    assert repr(corpus) == (
        "Corpus(n_docs=3, n_labels=2, source='<texts>', n_fallback_decoded=0, skipped=0, "
        "empty=0)"
    )


@pytest.mark.parametrize(
    "args, error, message",
    [
        (
            {"texts": "one string"},
            InputError,
            "The 'texts' parameter of Corpus.from_texts must be a list of strings. "
            "Got a single string; wrap it in a list.",
        ),
        (
            {"texts": ["a", float("nan")]},
            InputError,
            "The 'texts' parameter of Corpus.from_texts must hold strings only. "
            "Got float at position 1; replace missing values with ''.",
        ),
        (
            {"texts": ["a", "b"], "ids": ["x"]},
            InputError,
            "The 'ids' parameter of Corpus.from_texts must hold one id per text. "
            "Got 1 ids for 2 texts.",
        ),
        (
            {"texts": ["a", "b", "c"], "ids": ["x", "y", "x"]},
            InputError,
            "The 'ids' parameter of Corpus.from_texts must hold unique ids. Got 'x' (2 times).",
        ),
        (
            {"texts": ["a", "b"], "labels": ["x", "y", "z"]},
            InputError,
            "The 'labels' parameter of Corpus.from_texts must hold one label per text. "
            "Got 3 labels for 2 texts.",
        ),
    ],
)
def test_from_texts_errors(args, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Corpus.from_texts(**args)


@pytest.mark.parametrize(
    "args, error, message",
    [
        (
            {"ids": ["a"], "texts": ["x", "y"]},
            InputError,
            "A Corpus needs one id per text. Got 1 ids for 2 texts.",
        ),
        (
            {"ids": ["a"], "texts": ["x"], "labels": []},
            InputError,
            "A Corpus needs one label per text or labels=None. Got 0 labels for 1 texts.",
        ),
    ],
)
def test_corpus_checks_lengths(args, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Corpus(**args)


def test_read_corpus_warns_nothing_on_clean_input(tmp_path):
    write(tmp_path, {"a/x.txt": "one", "b/y.md": "two", "docs.csv": "text\nthree\n"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_corpus(tmp_path)
        read_corpus(tmp_path / "docs.csv")


# ------------------------------------------------------------------------------- shipped data


def test_sample_corpus_labels_are_the_folder_names(sample_corpus_dir):
    corpus = read_corpus(sample_corpus_dir)
    folders = sorted(
        path.name
        for path in sample_corpus_dir.iterdir()
        if path.is_dir() and not path.name.startswith(".")
    )
    assert len(folders) == 8
    assert sorted(set(corpus.labels)) == folders
    assert all(doc_id.split("/")[0] == label for doc_id, label in zip(corpus.ids, corpus.labels))
    assert corpus.empty == 0 and corpus.n_fallback_decoded == 0
    assert all(len(doc_id.split("/")) == 2 for doc_id in corpus.ids)
    assert "README.md" not in corpus.ids


def test_twenty_newsgroups_jsonl(twenty_ng_dir):
    corpus = read_corpus(twenty_ng_dir / "docs.jsonl.gz")
    assert len(corpus) == 18846
    assert len(set(corpus.labels)) == 20
    assert corpus.labels.count("alt.atheism") == 799
    assert corpus.labels.count("talk.religion.misc") == 628
    assert corpus.ids[0].split("/")[1] == corpus.labels[0]
