"""Reporting: the topic summary, coherence and representative-document tables, and the report files."""

import importlib
import json
import os
import re
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from topicnmf import Corpus, TextVectorizer, TopicModel, reporting
from topicnmf.errors import InputError

PLOTS = ["coherence", "convergence", "doc_topics", "prevalence", "top_words"]
MEASURES = ["c_npmi", "c_v", "u_mass", "c_uci"]


# the module behind topicnmf.coherence
coherence_module = importlib.import_module("topicnmf.measures")


@pytest.fixture(scope="module")
def report_dir(model, tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("report")
    summary = reporting.write_report(model, run_dir)
    return run_dir, summary


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


# -- topic_summary ---------------------------------------------------------------------------


def test_topic_summary_is_one_row_per_topic(model):
    summary = reporting.topic_summary(model, top_n=10)
    assert summary.columns.tolist() == ["topic", "topic_label", "size", "share", "coherence", "top_words"]
    assert summary["topic"].tolist() == list(range(8))
    top = model.doc_topics()["top_topic"]
    assert summary["size"].sum() == (top >= 0).sum()
    assert summary["size"].tolist() == [int((top == t).sum()) for t in range(8)]
    assert summary["share"].sum() == pytest.approx(1.0)
    assert np.all(np.diff(summary["share"].to_numpy()) <= 1e-12), "topics are numbered by share"
    words = model.top_words(10)
    assert summary["topic_label"].tolist() == list(model.topic_labels_)
    assert summary["top_words"].tolist() == [" ".join(w) for w in words]
    np.testing.assert_allclose(summary["coherence"], model.coherence("c_npmi", top_n=10))


def test_topic_summary_takes_precomputed_scores_and_no_measure(model):
    scores = np.linspace(0, 1, 8)
    summary = reporting.topic_summary(model, measure="c_v", scores=scores)
    np.testing.assert_array_equal(summary["coherence"], scores)
    bare = reporting.topic_summary(model, measure=None, top_n=3)
    assert bare.columns.tolist() == ["topic", "topic_label", "size", "share", "top_words"]
    assert all(len(words.split()) == 3 for words in bare["top_words"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"scores": [0.1, 0.2]}, "The 'scores' parameter of topic_summary must have one score per topic (8). Got shape (2,)."),
        ({"top_n": 0}, "The 'top_n' parameter of topic_summary must be an int >= 1. Got 0."),
    ],
)
def test_topic_summary_errors(model, kwargs, message):
    with pytest.raises(InputError, match=re.escape(message)):
        reporting.topic_summary(model, **kwargs)


# -- coherence_table -------------------------------------------------------------------------


def test_coherence_table_has_a_column_per_measure(model):
    table = reporting.coherence_table(model, top_n=10)
    assert table.columns.tolist() == ["topic"] + MEASURES
    assert table["topic"].tolist() == list(range(8))
    for measure in MEASURES:
        np.testing.assert_allclose(table[measure], model.coherence(measure, top_n=10))
    assert table["c_npmi"].between(-1, 1).all()
    assert table["c_v"].between(0, 1).all()


def test_coherence_table_takes_one_measure_by_name(model):
    table = reporting.coherence_table(model, measures="u_mass", top_n=5)
    assert table.columns.tolist() == ["topic", "u_mass"]
    np.testing.assert_allclose(table["u_mass"], model.coherence("u_mass", top_n=5))


@pytest.mark.parametrize(
    "measures, message",
    [
        ((), "The 'measures' parameter of coherence_table must be a non-empty sequence of measure names. Got ()."),
        (("c_v", "c_v"), "The 'measures' parameter of coherence_table names a measure twice. Got ('c_v', 'c_v')."),
        (("c_v", 3), "The 'measures' parameter of coherence_table must be a non-empty sequence of measure names. Got ('c_v', 3)."),
    ],
)
def test_coherence_table_errors(small_model, measures, message):
    with pytest.raises(InputError, match=re.escape(message)):
        reporting.coherence_table(small_model, measures=measures)


# -- representative_docs ---------------------------------------------------------------------


def test_representative_docs_are_the_heaviest_of_their_topic(model):
    table = reporting.representative_docs(model, n=3)
    assert table.columns.tolist() == ["topic", "rank", "doc_id", "weight", "snippet"]
    assert list(zip(table["topic"], table["rank"])) == sorted(zip(table["topic"], table["rank"]))
    assert table["topic"].tolist() == [t for t in range(8) for _ in range(3)]
    doc_topics = model.doc_topics(normalize=True).set_index("doc_id")
    snippets = dict(zip(model.doc_ids_, model.doc_snippets_))
    for topic, group in table.groupby("topic"):
        assert group["rank"].tolist() == [0, 1, 2]
        assert (doc_topics.loc[group["doc_id"], "top_topic"] == topic).all()
        np.testing.assert_allclose(group["weight"], doc_topics.loc[group["doc_id"], f"topic_{topic}"])
        assert np.all(np.diff(group["weight"].to_numpy()) <= 0)
        members = doc_topics.loc[doc_topics["top_topic"] == topic, f"topic_{topic}"]
        assert group["weight"].iloc[-1] >= members.drop(group["doc_id"]).max()
        assert group["snippet"].tolist() == [snippets[d] for d in group["doc_id"]]
    assert table["snippet"].str.len().between(1, 300).all()


def _fake_model(W):
    W = np.asarray(W, dtype=float)
    ids = [f"d{i}" for i in range(len(W))]
    return SimpleNamespace(
        n_topics_=W.shape[1], doc_topic_=W, doc_ids_=ids, doc_snippets_=[f"text of {i}" for i in ids]
    )


def test_representative_docs_choice_rules():
    W = [
        [0.0, 0.0, 0.0],  # no weight: represents nothing
        [2.0, 0.0, 0.0],  # normalised 1.0, raw 2
        [4.0, 0.0, 0.0],  # normalised 1.0, raw 4: wins the tie
        [3.0, 1.0, 0.0],  # normalised 0.75
        [1.0, 3.0, 0.0],  # the only document of topic 1
        [0.5, 0.5, 0.0],  # a tie between topics goes to the first
    ]
    table = reporting.representative_docs(_fake_model(W), n=2)
    assert table["doc_id"].tolist() == ["d2", "d1", "d4"]
    assert table["topic"].tolist() == [0, 0, 1]
    assert table["rank"].tolist() == [0, 1, 0]
    np.testing.assert_allclose(table["weight"], [1.0, 1.0, 0.75])
    assert table["snippet"].tolist() == ["text of d2", "text of d1", "text of d4"]
    assert reporting.representative_docs(_fake_model(W), n=10)["doc_id"].tolist() == ["d2", "d1", "d3", "d5", "d4"]


def test_representative_docs_checks_n(small_model):
    message = "The 'n' parameter of representative_docs must be an int >= 1. Got 0."
    with pytest.raises(InputError, match=re.escape(message)):
        reporting.representative_docs(small_model, n=0)


# -- new_doc_topics --------------------------------------------------------------------------


def test_new_doc_topics_takes_a_corpus_or_texts(small_model):
    texts = ["the telescope showed the moons of jupiter", "knead the dough and bake the bread"]
    table = reporting.new_doc_topics(small_model, texts, normalize=True)
    assert table.columns.tolist() == ["doc_id", "topic_0", "topic_1", "topic_2", "top_topic"]
    assert table["doc_id"].tolist() == ["0", "1"]
    np.testing.assert_allclose(table.filter(like="topic_").sum(axis=1), 1.0)
    assert table["top_topic"].nunique() == 2
    corpus = Corpus.from_texts(texts, ids=["sky", "oven"], labels=["space", "food"])
    raw = reporting.new_doc_topics(small_model, corpus)
    assert raw[["doc_id", "label"]].values.tolist() == [["sky", "space"], ["oven", "food"]]
    np.testing.assert_allclose(raw.filter(like="topic_"), small_model.transform(texts))
    message = "new_doc_topics takes a Corpus, a sequence or Series of str, or a DataFrame with a text column; got str."
    with pytest.raises(InputError, match=re.escape(message)):
        reporting.new_doc_topics(small_model, texts[0])


# -- write_report ----------------------------------------------------------------------------


def test_write_report_writes_tables_plots_and_html(model, report_dir):
    run_dir, summary = report_dir
    names = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*"))
    assert names == ["coherence.csv", "plots"] + [f"plots/{p}.png" for p in PLOTS] + ["report.html", "summary.csv"]
    pd.testing.assert_frame_equal(pd.read_csv(run_dir / "summary.csv"), summary, check_dtype=False, rtol=1e-5)
    coherence = pd.read_csv(run_dir / "coherence.csv")
    assert coherence.columns.tolist() == ["topic"] + MEASURES
    np.testing.assert_allclose(summary["coherence"], coherence["c_npmi"], rtol=1e-5)
    for name in PLOTS:
        assert (run_dir / "plots" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    mode = 0o666 & ~_umask()
    assert (run_dir / "report.html").stat().st_mode & 0o777 == mode
    assert (run_dir / "plots" / "top_words.png").stat().st_mode & 0o777 == mode


def test_report_html_is_self_contained(report_dir):
    run_dir, _ = report_dir
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    sources = re.findall(r'\bsrc\s*=\s*"([^"]*)"', page)
    assert len(sources) == len(PLOTS)
    assert all(src.startswith("data:image/png;base64,") for src in sources)
    assert not re.search(r"\bhref\s*=", page)
    assert not re.search(r"<link\b|<script\b|<iframe\b|@import", page, re.IGNORECASE)
    assert re.findall(r"url\(", page) == []
    assert not re.search(r"(src|href|action)\s*=\s*[\"']?\s*(https?:|//)", page, re.IGNORECASE)


def test_report_html_shows_every_topic_coherence_and_documents(model, report_dir):
    run_dir, summary = report_dir
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    for row in summary.itertuples():
        assert f"Topic {row.topic}: {row.topic_label}" in page
        assert row.top_words in page
    assert page.count('<div class="doc">') == 8 * 3
    for measure in MEASURES:
        assert f"mean {measure}" in page
    assert "topic diversity" in page
    for doc_id in reporting.representative_docs(model)["doc_id"]:
        assert doc_id in page
    assert "reconstruction error" in page and "solver" in page, "the model's parameters are shown"


def test_report_escapes_html_in_documents(tmp_path, three_themes):
    docs = three_themes + ["<script>alert('goal')</script> the striker & the goalkeeper <b>penalty</b> goal"] * 4
    model = TopicModel(n_topics=3, vectorizer=TextVectorizer(min_df=1), random_state=0).fit(docs)
    reporting.write_report(model, tmp_path, n_representative=20)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&#x27;goal&#x27;)&lt;/script&gt; the striker &amp; the goalkeeper" in page


def test_write_report_computes_each_measure_once(small_model, tmp_path, monkeypatch):
    calls = []
    original = coherence_module.coherence

    def counting(topics, texts, measure="c_npmi", **kwargs):
        calls.append(measure)
        return original(topics, texts, measure, **kwargs)

    monkeypatch.setattr(coherence_module, "coherence", counting)
    summary = reporting.write_report(small_model, tmp_path)
    assert sorted(calls) == sorted(MEASURES)
    assert summary["coherence"].notna().all()


def test_rebuilding_a_report_replaces_files_whole(small_model, tmp_path, monkeypatch):
    reporting.write_report(small_model, tmp_path, top_n=5)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}

    from topicnmf import plotting

    def broken(model, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(plotting, "plot_convergence", broken)
    with pytest.raises(RuntimeError, match="drawing failed"):
        reporting.write_report(small_model, tmp_path, top_n=3)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    monkeypatch.undo()

    summary = reporting.write_report(small_model, tmp_path, top_n=3)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name.startswith(".")) == []
    assert pd.read_csv(tmp_path / "summary.csv")["top_words"].tolist() == summary["top_words"].tolist()
    assert all(len(w.split()) == 3 for w in summary["top_words"])


def test_report_without_tokens_has_no_coherence(tmp_path, three_themes):
    model = TopicModel(n_topics=3, vectorizer=TextVectorizer(min_df=1), random_state=0, keep_tokens=False).fit(
        three_themes
    )
    summary = reporting.write_report(model, tmp_path)
    assert summary["coherence"].isna().all()
    assert not (tmp_path / "coherence.csv").exists()
    assert sorted(p.stem for p in (tmp_path / "plots").iterdir()) == sorted(set(PLOTS) - {"coherence"})
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "No coherence: This TopicModel was fitted with keep_tokens=False" in page


def test_report_shows_run_json_of_the_folder(small_model, tmp_path):
    run = {"format": "topicnmf-run", "corpus": {"source": "my_special_corpus"}}
    (tmp_path / "run.json").write_text(json.dumps(run))
    reporting.write_report(small_model, tmp_path)
    assert "my_special_corpus" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_write_report_needs_an_existing_folder(small_model, tmp_path):
    message = f"No output folder at '{tmp_path / 'nowhere'}'; pass a folder written by 'topicnmf fit'."
    with pytest.raises(InputError, match=re.escape(message)):
        reporting.write_report(small_model, tmp_path / "nowhere")


def test_write_report_refuses_a_model_folder(small_model, tmp_path):
    small_model.save(tmp_path / "model")
    message = f"'{tmp_path / 'model'}' is a model folder; pass the run folder that holds it ('{tmp_path}') as run_dir."
    with pytest.raises(InputError, match=re.escape(message)):
        reporting.write_report(small_model, tmp_path / "model")


# -- write_outputs ---------------------------------------------------------------------------


def test_write_outputs_records_diversity_and_report_time(small_model, tmp_path):
    out = tmp_path / "run"
    summary = reporting.write_outputs(small_model, out, top_n=5)
    run = json.loads((out / "run.json").read_text())
    assert run["topic_diversity"] == pytest.approx(coherence_module.topic_diversity(small_model.top_words(5)))
    assert {"report", "write_outputs"} <= set(run["timings"])
    assert (out / "report.html").is_file() and len(summary) == 3
    assert out.stat().st_mode & 0o777 == 0o777 & ~_umask(), "the run folder is not private"


def test_reporting_does_not_import_matplotlib():
    code = "import sys, topicnmf.reporting; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
