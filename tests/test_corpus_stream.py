"""Tests of iter_corpus (reading in chunks), progress in documents, and Corpus subsets."""

import gzip
import inspect
import json
import re
import tracemalloc
import types
from pathlib import Path

import numpy as np
import pytest

from topicnmf.corpus import Corpus, Limits, iter_corpus, read_corpus
from topicnmf.errors import InputError

WORDS = "orbit shuttle launch bread oven dough goal match penalty vote court law".split()


def write(root: Path, files: dict) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        if relative.endswith(".gz"):
            data = gzip.compress(data)
        path.write_bytes(data)


def generated_jsonl_gz(path: Path, n_docs: int, n_words: int, seed: int = 0) -> int:
    """Write a gzipped JSON lines corpus one line at a time; return its decompressed size."""
    rng = np.random.default_rng(seed)
    size = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as handle:
        for i in range(n_docs):
            words = rng.choice(WORDS, n_words)
            line = json.dumps({"id": f"d{i}", "text": " ".join(words), "label": words[0]}) + "\n"
            size += len(line)
            handle.write(line)
    return size


def as_tuple(corpus: Corpus):
    return corpus.ids, corpus.texts, corpus.labels, corpus.times, corpus.n_fallback_decoded


@pytest.mark.parametrize(
    "name, content",
    [
        ("docs.txt", "one\n\ntwo\r\nthree\rfour\n" + "caf\u00e9\n" * 3),
        ("docs.csv", "id,text,label\n" + "".join(f"{i},text {i},{i % 3}\n" for i in range(11))),
        ("docs.jsonl.gz", "".join(json.dumps({"text": f"t{i}", "label": "a"}) + "\n" for i in range(11))),
        ("docs.json", json.dumps([{"text": f"t{i}"} for i in range(11)])),
    ],
)
@pytest.mark.parametrize("chunksize", [1, 4, 100])
def test_chunks_add_up_to_read_corpus(tmp_path, name, content, chunksize):
    write(tmp_path, {name: content})
    whole = read_corpus(tmp_path / name)
    chunks = list(iter_corpus(tmp_path / name, chunksize=chunksize))
    assert [len(chunk) for chunk in chunks[:-1]] == [chunksize] * (len(chunks) - 1)
    assert 0 < len(chunks[-1]) <= chunksize
    joined = [sum((list(getattr(c, f) or []) for c in chunks), []) for f in ("ids", "texts")]
    assert joined == [whole.ids, whole.texts]
    if whole.labels is not None:
        assert sum((c.labels for c in chunks), []) == whole.labels
    assert all(chunk.source == whole.source for chunk in chunks)


def test_chunks_of_a_folder_carry_their_skipped_files(tmp_path):
    write(tmp_path, {"a/1.txt": "one", "a/2.txt": b"\x00bin", "b/3.txt": "three", "README.md": "x"})
    with pytest.warns(UserWarning, match="Skipped 1 binary file"):
        chunks = list(iter_corpus(tmp_path, chunksize=1))
    assert [c.ids for c in chunks] == [["a/1.txt"], ["b/3.txt"]]
    assert [c.labels for c in chunks] == [["a"], ["b"]]
    assert sorted(sum((c.skipped for c in chunks), [])) == ["README.md", "a/2.txt"]


def test_fallback_counts_per_chunk(tmp_path):
    write(tmp_path, {"docs.txt": "caf\u00e9 utf-8\n".encode() + b"caf\xe9 latin-1\n" + b"plain\n"})
    chunks = list(iter_corpus(tmp_path / "docs.txt", chunksize=2))
    assert [c.n_fallback_decoded for c in chunks] == [1, 0]
    whole = read_corpus(tmp_path / "docs.txt")
    assert whole[1:].n_fallback_decoded == 1 and whole[[0, 2]].n_fallback_decoded == 0


def test_iter_corpus_is_lazy_and_checks_the_call_first(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        iter_corpus(tmp_path / "nowhere")  # raised at the call, not at the first chunk
    with pytest.raises(InputError, match=re.escape("The 'chunksize' parameter of iter_corpus must be an int >= 1. Got 0.")):
        iter_corpus(tmp_path, chunksize=0)
    write(tmp_path, {"docs.jsonl": '{"text": "a"}\n{"text": "b"}\nnot json\n'})
    chunks = iter_corpus(tmp_path / "docs.jsonl", chunksize=2)
    assert isinstance(chunks, types.GeneratorType)
    assert next(chunks).texts == ["a", "b"]
    with pytest.raises(InputError, match="malformed JSON on line 3"):
        next(chunks)


def test_iter_corpus_takes_the_reading_options_of_read_corpus(tmp_path):
    reading = inspect.signature(read_corpus).parameters
    shown = inspect.signature(iter_corpus).parameters
    assert list(shown) == ["path", "chunksize", *list(reading)[1:]]
    assert shown["chunksize"].default == 10_000
    assert all(shown[name] == reading[name] for name in reading)
    assert all(f"``{name}``" in iter_corpus.__doc__ for name in list(reading)[1:])
    msg = ("The keyword arguments of iter_corpus must be among 'callback', 'chunksize', "
           "'id_column', 'label_column', 'limits', 'text_column', 'time_column', "
           "'time_from'. Got 'text_col'.")
    with pytest.raises(InputError, match=re.escape(msg)):
        iter_corpus(tmp_path, text_col="body")
    msg = "The 'text_column' parameter of iter_corpus must be a str. Got 3."
    with pytest.raises(InputError, match=re.escape(msg)):
        iter_corpus(tmp_path, text_column=3)
    write(tmp_path, {"docs.csv": "body,id\nx,a\ny,b\n"})
    (chunk,) = iter_corpus(tmp_path / "docs.csv", chunksize=5, text_column="body")
    assert chunk.texts == ["x", "y"] and chunk.ids == ["a", "b"]


def test_duplicate_ids_are_checked_within_a_chunk(tmp_path):
    write(tmp_path, {"docs.csv": "id,text\na,x\nb,y\na,z\n"})
    assert [c.ids for c in iter_corpus(tmp_path / "docs.csv", chunksize=2)] == [["a", "b"], ["a"]]
    with pytest.raises(InputError, match="has duplicate ids: 'a' \\(2 times\\)"):
        list(iter_corpus(tmp_path / "docs.csv", chunksize=3))


def test_all_empty_is_refused_at_the_end(tmp_path):
    write(tmp_path, {"docs.jsonl": '{"text": ""}\n{"text": " "}\n'})
    chunks = iter_corpus(tmp_path / "docs.jsonl", chunksize=1)
    assert next(chunks).texts == [""]
    with pytest.raises(InputError, match="has no readable documents \\(2 documents read, all empty\\)"):
        list(chunks)


def test_streaming_holds_one_chunk(tmp_path):
    """A generated 4 MB gzipped JSON lines corpus read in chunks of 200 documents: the
    reader is a step ahead of the consumer, and the memory held stays a small part of it."""
    path = tmp_path / "big.jsonl.gz"
    size = generated_jsonl_gz(path, n_docs=10_000, n_words=60)
    calls = []
    chunks = iter_corpus(path, chunksize=200, callback=calls.append)
    first = next(chunks)
    assert len(first) == 200 and all(call["done"] <= 1000 for call in calls)
    tracemalloc.start()
    try:
        n_docs = len(first)
        for chunk in chunks:
            n_docs += len(chunk)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert n_docs == 10_000
    print(f"peak {peak / 2**20:.2f} MiB for {size / 2**20:.1f} MiB of JSON lines")
    assert peak < size / 4, (peak, size)
    assert calls[-1] == {"done": 10_000, "total": 10_000}


# ------------------------------------------------------------------------------- progress


def test_callback_counts_documents_of_a_file(tmp_path):
    text = "word " * 40
    write(tmp_path, {"docs.jsonl.gz": "".join(json.dumps({"text": f"{text}{i}"}) + "\n" for i in range(2500))})
    calls = []
    read_corpus(tmp_path / "docs.jsonl.gz", callback=calls.append)
    assert calls[-1] == {"done": 2500, "total": 2500}
    assert all(call["total"] is None for call in calls[:-1]) and len(calls) >= 3
    dones = [call["done"] for call in calls]
    assert dones == sorted(dones)


# ------------------------------------------------------------------------------- subsets


def test_corpus_indexing():
    corpus = Corpus.from_texts(["a", "b", "c", "d"], labels=["w", "x", "y", "z"])
    assert corpus[0] == "a" and corpus[-1] == "d" and corpus[np.int64(1)] == "b"
    part = corpus[1:3]
    assert isinstance(part, Corpus)
    assert (part.ids, part.texts, part.labels) == (["1", "2"], ["b", "c"], ["x", "y"])
    assert corpus[[3, 0]].ids == ["3", "0"]
    assert corpus[np.array([3, -4])].ids == ["3", "0"]
    assert corpus[[True, False, False, True]].texts == ["a", "d"]
    assert corpus[[]].ids == [] and corpus[::-1].texts == ["d", "c", "b", "a"]
    with pytest.raises(IndexError):
        corpus[4]
    with pytest.raises(IndexError, match="Corpus position 7 is out of range for 4 documents."):
        corpus[[0, 7]]
    with pytest.raises(InputError, match="A boolean mask selecting from a Corpus needs one value per document. Got 2 values for 4 documents."):
        corpus[[True, False]]
    with pytest.raises(TypeError, match="A Corpus is indexed by an int, a slice"):
        corpus["a"]


# ------------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"path": 3}, "The 'path' parameter of read_corpus must be a str or os.PathLike. Got 'int'."),
        ({"text_column": 3}, "The 'text_column' parameter of read_corpus must be a str. Got 3."),
        ({"id_column": 3}, "The 'id_column' parameter of read_corpus must be None or a str. Got 3."),
        ({"label_column": b"x"}, "The 'label_column' parameter of read_corpus must be None or a str. Got b'x'."),
        ({"callback": 1}, "The 'callback' parameter of read_corpus must be None or a callable. Got 1."),
        ({"limits": 5}, "The 'limits' parameter of read_corpus must be None, a Limits or a dict. Got 5."),
        (
            {"limits": {"max_size": 1}},
            "The 'limits' parameter of read_corpus must be a Limits or a dict with keys among "
            "max_document_bytes, max_documents, max_bytes, max_compression_ratio. Got 'max_size'.",
        ),
        (
            {"limits": {"max_bytes": 0}},
            "The 'limits.max_bytes' parameter of read_corpus must be an int >= 1. Got 0.",
        ),
        (
            {"limits": Limits(max_documents=1.5)},
            "The 'limits.max_documents' parameter of read_corpus must be an int >= 1. Got 1.5.",
        ),
    ],
)
def test_parameter_errors(tmp_path, kwargs, message):
    write(tmp_path, {"a.txt": "x"})
    kwargs = {"path": tmp_path, **kwargs}
    with pytest.raises(InputError, match=re.escape(message)):
        read_corpus(**kwargs)


def test_limits_as_a_dict_change_only_what_they_name(tmp_path):
    write(tmp_path, {"docs.txt": "one\ntwo\nthree\n"})
    message = (
        f"The number of documents in {str(tmp_path / 'docs.txt')!r} passes the limit "
        "max_documents=2. Read it in chunks with iter_corpus, or raise it with "
        "limits={'max_documents': ...} (None switches it off)."
    )
    with pytest.raises(InputError, match=re.escape(message)):
        read_corpus(tmp_path / "docs.txt", limits={"max_documents": 2})
    assert len(read_corpus(tmp_path / "docs.txt", limits={"max_documents": None})) == 3
    assert len(list(iter_corpus(tmp_path / "docs.txt", chunksize=1))) == 3
