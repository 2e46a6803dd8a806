"""Tests of the times of a corpus: time columns, time folders, Corpus.times."""

import datetime
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from topicnmf.corpus import Corpus, iter_corpus, read_corpus
from topicnmf.errors import InputError


def write(root: Path, files: dict) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)


def table(tmp_path, dates, name="docs.csv"):
    rows = "".join(f'{i},text {i},"{date}"\n' for i, date in enumerate(dates, 1))
    write(tmp_path, {name: "id,text,date\n" + rows})
    return tmp_path / name


T = pd.Timestamp


@pytest.mark.parametrize(
    "dates, expected",
    [
        (["2016-03-05", "2016-03-06"], [T("2016-03-05"), T("2016-03-06")]),
        (["2016-03", "2016-04"], [T("2016-03-01"), T("2016-04-01")]),
        (["2016", "2017"], [T("2016-01-01"), T("2017-01-01")]),
        # an offset is converted to UTC, and the times are naive
        (["2016-03-05T10:00:00+02:00", "2016-03-05 10:00"], [T("2016-03-05 08:00"), T("2016-03-05 10:00")]),
        (["2016/03/05", "2016/12/31"], [T("2016-03-05"), T("2016-12-31")]),
        # month first where both read, as pandas does; day first when only that reads
        (["03/04/2016", "12/01/2016"], [T("2016-03-04"), T("2016-12-01")]),
        (["25/03/2016", "01/04/2016"], [T("2016-03-25"), T("2016-04-01")]),
        (["25.03.2016", "01.04.2016"], [T("2016-03-25"), T("2016-04-01")]),
        (["5 March 2016", "17 April 2016"], [T("2016-03-05"), T("2016-04-17")]),
        (["March 5, 2016", "Apr 17, 2016"], None),  # two formats: refused below
        (["Mar 2016", "Apr 2016"], [T("2016-03-01"), T("2016-04-01")]),
        (
            ["Sat, 05 Mar 2016 10:00:00 +0100", "Mon, 5 Apr 1993 12:00:00 GMT"],
            [T("2016-03-05 09:00"), T("1993-04-05 12:00")],
        ),
        (["month2", "month1"], ["month2", "month1"]),
        (["2010-q1", "2010-q2"], ["2010-q1", "2010-q2"]),
        (["1", "10"], [1, 10]),
    ],
)
def test_time_column_kinds(tmp_path, dates, expected):
    path = table(tmp_path, dates)
    if expected is None:
        with pytest.raises(InputError, match="does not read as a date in the format of"):
            read_corpus(path, time_column="date")
        return
    corpus = read_corpus(path, time_column="date")
    assert corpus.times == expected
    assert all(type(t) is type(expected[0]) for t in corpus.times)
    assert corpus.ids == ["1", "2"]


@pytest.mark.parametrize("name", ["docs.jsonl", "docs.json", "docs.tsv.gz"])
def test_time_column_in_other_tables(tmp_path, name):
    import gzip
    import json

    records = [{"text": "a", "when": "2016-01-02"}, {"text": "b", "when": "2016-02-03"}]
    if name.startswith("docs.tsv"):
        data = "text\twhen\na\t2016-01-02\nb\t2016-02-03\n".encode()
        data = gzip.compress(data)
    elif name == "docs.json":
        data = json.dumps(records).encode()
    else:
        data = "".join(json.dumps(r) + "\n" for r in records).encode()
    write(tmp_path, {name: data})
    assert read_corpus(tmp_path / name, time_column="when").times == [T("2016-01-02"), T("2016-02-03")]


def test_no_time_column_gives_no_times(tmp_path):
    assert read_corpus(table(tmp_path, ["2016-01-01"])).times is None


TIME_ERRORS = [
    (
        ["2016-01-01", "soon"],
        "The time column 'date' of '{path}' holds 'soon' in row 2, which does not read as a date "
        "in the format of '2016-01-01' in row 1. Use one date format throughout, or window names "
        "that sort (such as 2016-q1) throughout.",
    ),
    (
        ["2016-01-01", ""],
        "The time column 'date' of '{path}' is empty in row 2. Fill in every time or drop that "
        "document.",
    ),
]


@pytest.mark.parametrize("dates, message", TIME_ERRORS)
def test_time_column_errors(tmp_path, dates, message):
    path = table(tmp_path, dates)
    with pytest.raises(InputError, match=re.escape(message.replace("{path}", str(path)))):
        read_corpus(path, time_column="date")


def test_missing_time_column(tmp_path):
    path = table(tmp_path, ["2016"])
    message = (
        f"The file {str(path)!r} has no time column 'when'; its columns are 'id', 'text', "
        "'date'. Pick one with time_column."
    )
    with pytest.raises(InputError, match=re.escape(message)):
        read_corpus(path, time_column="when")


def test_time_options_that_do_not_apply(tmp_path):
    write(tmp_path, {"a/x.txt": "one", "docs.txt": "one\n"})
    with pytest.raises(InputError, match=re.escape("The 'time_column' parameter of read_corpus applies to tables")):
        read_corpus(tmp_path / "a", time_column="date")
    with pytest.raises(InputError, match=re.escape("The 'time_column' parameter of read_corpus applies to tables")):
        read_corpus(tmp_path / "docs.txt", time_column="date")
    message = f"Time windows read with time_from='folder' apply to folders; {str(tmp_path / 'docs.txt')!r} is a file."
    with pytest.raises(InputError, match=re.escape(message)):
        read_corpus(tmp_path / "docs.txt", time_from="folder")
    with pytest.raises(InputError, match=re.escape("The 'time_from' parameter of read_corpus must be one of")):
        read_corpus(tmp_path / "a", time_from="folders")


# ------------------------------------------------------------------------------- folders


def test_time_folders_with_labels(tmp_path):
    """dynamic-nmf's layout with sections: corpus/<window>/<section>/<doc>."""
    write(
        tmp_path,
        {
            "2016-02/sport/b.txt": "match",
            "2016-01/sport/a.txt": "goal",
            "2016-01/news/c.txt": "vote",
            "2016-01/loose.txt": "above the label level",
            "README.md": "about",
        },
    )
    corpus = read_corpus(tmp_path, time_from="folder")
    assert corpus.ids == ["2016-01/news/c.txt", "2016-01/sport/a.txt", "2016-02/sport/b.txt"]
    assert corpus.labels == ["news", "sport", "sport"]
    assert corpus.times == [T("2016-01-01"), T("2016-01-01"), T("2016-02-01")]
    assert corpus.skipped == ["2016-01/loose.txt", "README.md"]


def test_time_folders_without_labels(tmp_path):
    """dynamic-nmf's sample: corpus/month1/<doc>, window names that sort."""
    write(tmp_path, {"month1/a.txt": "one", "month2/b.txt": "two", "month2/c.txt": "three"})
    corpus = read_corpus(tmp_path, time_from="folder")
    assert corpus.times == ["month1", "month2", "month2"]
    assert corpus.labels is None
    assert repr(corpus).endswith("empty=0, n_times=2)")


def test_time_folders_errors(tmp_path):
    write(tmp_path, {"a.txt": "one"})
    message = f"The folder {str(tmp_path)!r} has no time folders: with time_from='folder'"
    with pytest.raises(InputError, match=re.escape(message)):
        read_corpus(tmp_path, time_from="folder")
    write(tmp_path, {"2016-01/a.txt": "one", "later/b.txt": "two"})
    message = (
        f"The time folders of {str(tmp_path)!r} holds 'later' in the folder 'later', which does "
        "not read as a date in the format of '2016-01' in the folder '2016-01'."
    )
    with pytest.raises(InputError, match=re.escape(message)):
        read_corpus(tmp_path, time_from="folder")


# ------------------------------------------------------------------------------- Corpus


@pytest.mark.parametrize(
    "times, expected",
    [
        ([datetime.date(2016, 1, 1), datetime.date(2016, 1, 2)], [T("2016-01-01"), T("2016-01-02")]),
        (
            [datetime.datetime(2016, 1, 1, 12, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
             datetime.datetime(2016, 1, 2)],
            [T("2016-01-01 10:00"), T("2016-01-02")],
        ),
        (np.array(["2016-01-01", "2016-02-01"], dtype="datetime64[D]"), [T("2016-01-01"), T("2016-02-01")]),
        (pd.to_datetime(["2016-01-01", "2016-02-01"]), [T("2016-01-01"), T("2016-02-01")]),
        (["2016-01-01", "2016-02-01"], [T("2016-01-01"), T("2016-02-01")]),
        ([3, np.int64(1)], [3, 1]),
        (["w2", "w1"], ["w2", "w1"]),
    ],
)
def test_from_texts_times(times, expected):
    corpus = Corpus.from_texts(["a", "b"], times=times)
    assert corpus.times == expected


@pytest.mark.parametrize(
    "times, message",
    [
        (["2016"], "The 'times' parameter of Corpus.from_texts must hold one time per text. Got 1 times for 2 texts."),
        ("2016", "The 'times' parameter of Corpus.from_texts must hold one time per text. Got a single string; pass a list."),
        (
            [1, "a"],
            "The 'times' parameter of Corpus.from_texts must hold dates, whole numbers or strings, "
            "one kind throughout. Got int at position 0 and str at position 1.",
        ),
        (
            [1.5, 2.5],
            "The 'times' parameter of Corpus.from_texts must hold dates, whole numbers or strings, "
            "one kind throughout. Got float at position 0.",
        ),
        (
            [pd.NaT, datetime.date(2016, 1, 1)],
            "The 'times' parameter of Corpus.from_texts holds a missing time (NaT) at position 0.",
        ),
    ],
)
def test_from_texts_times_errors(times, message):
    with pytest.raises(InputError, match=re.escape(message)):
        Corpus.from_texts(["a", "b"], times=times)


def test_times_carried_through_slicing():
    corpus = Corpus.from_texts(["a", "b", "c"], labels=["x", "y", "z"], times=[3, 1, 2])
    assert corpus[1:].times == [1, 2]
    assert corpus[[2, 0]].times == [2, 3]
    assert corpus[np.array([True, False, True])].times == [3, 2]
    assert Corpus.from_texts(["a"])[0:1].times is None
    with pytest.raises(InputError, match=re.escape("A Corpus needs one time per text or times=None. Got 1 times for 2 texts.")):
        Corpus(ids=["a", "b"], texts=["x", "y"], times=[1])


def test_time_kind_is_learned_on_the_first_chunk(tmp_path):
    path = table(tmp_path, ["2016-01-01", "2016-01-02", "soon"])
    chunks = iter_corpus(path, chunksize=2, time_column="date")
    assert next(chunks).times == [T("2016-01-01"), T("2016-01-02")]
    message = (
        f"The time column 'date' of {str(path)!r} holds 'soon' in row 3, which does not read as "
        "a date in the format of the values before it (ISO8601). Use one date format throughout."
    )
    with pytest.raises(InputError, match=re.escape(message)):
        next(chunks)
