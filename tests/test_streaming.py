"""Tests of the streamed fit: the chunked vectorizer (``preprocessing.chunked``) equals the
one-shot fit, ``fit_stream`` over a file, and ``topicnmf fit --stream``."""

import csv
import gzip
import json
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from topicnmf.cli import app
from topicnmf.errors import InputError
from topicnmf.preprocessing import TextVectorizer
from topicnmf.preprocessing.chunked import ChunkedVocabulary, fit_chunks, rows_of, transform_chunk
from topicnmf.streaming import fit_stream

THEMES = {
    "football": "striker goal goalkeeper penalty referee match defender league season coach",
    "baking": "bread oven dough crust flour yeast knead bake butter sugar",
    "space": "telescope saturn rings moons jupiter comet orbit planet astronomer galaxy",
}


def _texts(n=90, seed=0):
    rng = np.random.RandomState(seed)
    names = sorted(THEMES)
    return [" ".join(rng.choice(THEMES[names[i % 3]].split(), size=12)) for i in range(n)]


@pytest.fixture
def corpus_file(tmp_path):
    path = tmp_path / "docs.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for i, text in enumerate(_texts()):
            f.write(json.dumps({"id": f"d{i}", "text": text}) + "\n")
    return path


@pytest.mark.parametrize("params", [{}, {"min_df": 2, "max_df": 0.5}, {"max_features": 12, "min_df": 1},
                                    {"sublinear_tf": False, "min_df": 0.1}])
def test_chunked_fit_equals_one_shot(params):
    texts = _texts()
    whole = TextVectorizer(**params).fit(texts)
    chunked = fit_chunks(TextVectorizer(**params), [texts[i:i + 17] for i in range(0, len(texts), 17)])
    assert chunked.vocabulary_ == whole.vocabulary_
    np.testing.assert_array_equal(chunked.idf_, whole.idf_)
    assert chunked.n_docs_ == whole.n_docs_
    X, stream = transform_chunk(chunked, texts[:10])
    assert (X != whole.transform(texts[:10])).nnz == 0
    _, ref = whole.fit_transform_stream(texts)
    np.testing.assert_array_equal(stream.ids, ref.ids[: ref.offsets[10]])


@pytest.mark.parametrize("params", [{"phrases": True}, {"stem": True}])
def test_chunked_fit_refuses_phrases_and_stems(params):
    msg = "TextVectorizer fitted on chunks (a streamed corpus) cannot learn phrases or stems"
    with pytest.raises(InputError, match=re.escape(msg)):
        fit_chunks(TextVectorizer(**params), [_texts()])


def test_fit_stream_finds_the_themes(corpus_file, tmp_path):
    seen = []
    result = fit_stream(corpus_file, n_topics=3, vectorizer=TextVectorizer(min_df=1), chunksize=20,
                        epochs=2, random_state=0, doc_topics_path=tmp_path / "w.csv", top_n=5,
                        measures=("c_npmi", "u_mass"), callback=seen.append)
    assert result.n_docs == 90 and result.topic_sizes.sum() == 90
    found = sorted(min(THEMES, key=lambda t: -len(set(words) & set(THEMES[t].split())))
                   for words in result.top_words)
    assert found == sorted(THEMES)
    assert all(max(len(set(words) & set(v.split())) for v in THEMES.values()) == 5
               for words in result.top_words)
    assert np.isfinite(result.coherence["c_npmi"]).all() and set(result.coherence) == {"c_npmi", "u_mass"}
    with open(tmp_path / "w.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["doc_id", "topic_0", "topic_1", "topic_2"] and len(rows) == 91 and rows[1][0] == "d0"
    assert {s["stage"] for s in seen} == {"vocabulary", "topics", "weights"}
    assert seen[-1]["n_docs"] == 90


def test_codes_of_the_vocabulary_pass_give_the_chunks_rows():
    texts = _texts()
    parts = [texts[i:i + 17] for i in range(0, len(texts), 17)]
    vec = TextVectorizer(min_df=2, max_df=0.5)
    counter = ChunkedVocabulary(vec)
    stored = [counter.add(part) for part in parts]
    columns = counter.fit()
    assert vec.vocabulary_ == TextVectorizer(min_df=2, max_df=0.5).fit(texts).vocabulary_
    for part, (codes, offsets) in zip(parts, stored):
        assert codes.dtype == np.int32 and offsets[-1] == codes.size and offsets.size == len(part) + 1
        X, stream = rows_of(vec, columns, codes, offsets)
        X_ref, stream_ref = transform_chunk(vec, part)
        assert (X != X_ref).nnz == 0
        np.testing.assert_array_equal(stream.ids, stream_ref.ids)
        np.testing.assert_array_equal(stream.offsets, stream_ref.offsets)


def test_fit_stream_is_partial_fit_then_transform_of_the_chunks(corpus_file, tmp_path):
    from topicnmf.corpus import iter_corpus
    from topicnmf.nmf import NMF

    work = tmp_path / "work"
    work.mkdir()
    result = fit_stream(corpus_file, n_topics=3, vectorizer=TextVectorizer(min_df=1), chunksize=20, epochs=2,
                        nmf=NMF(3, random_state=0), doc_topics_path=tmp_path / "w.csv", work_dir=work)
    assert list(work.iterdir()) == []  # the spilled codes are removed
    texts = [c.texts for c in iter_corpus(corpus_file, chunksize=20)]
    vec = fit_chunks(TextVectorizer(min_df=1), texts)
    ref = NMF(3, random_state=0)
    for _ in range(2):
        for part in texts:
            ref.partial_fit(transform_chunk(vec, part)[0])
    np.testing.assert_allclose(result.nmf.components_, ref.components_, rtol=1e-6)
    with open(tmp_path / "w.csv", newline="") as f:
        rows = list(csv.reader(f))[1:]
    W = ref.transform(vec.transform(sum(texts, [])))
    np.testing.assert_allclose(np.array([r[1:] for r in rows], dtype=float), W, atol=2e-6)
    assert [r[0] for r in rows] == [f"d{i}" for i in range(90)]


def test_cli_fit_stream(corpus_file, tmp_path, monkeypatch):
    runner = CliRunner()
    target = tmp_path / "out"
    result = runner.invoke(app, ["fit", str(corpus_file), "-k", "3", "--min-df", "1", "--stream",
                                 "--chunksize", "25", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "topics.csv").is_file() and (target / "doc_topics.csv").is_file()
    assert "(streamed)" in result.stdout

    import topicnmf.cli.fit as fit_cli

    monkeypatch.setattr(fit_cli, "STREAM_ABOVE_MB", 0)
    result = runner.invoke(app, ["fit", str(corpus_file), "-k", "3", "--min-df", "1", "-o", str(tmp_path / "o2")])
    assert result.exit_code == 0, result.output
    assert "Streaming docs.jsonl.gz in chunks of 20,000 documents" in result.stderr


def test_cli_stream_refuses_stems(corpus_file, tmp_path):
    result = CliRunner().invoke(app, ["fit", str(corpus_file), "--stream", "--stem", "-o", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "--stream fits without --stem, --phrases and --seed-topics" in result.stderr
    assert not (tmp_path / "o").exists()
