"""Reporting: the topic summary, coherence and representative-document tables, and the report files."""

import errno
import importlib
import json
import os
import re
import shutil
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


def test_representative_docs_rank_by_share_times_strength(model):
    table = reporting.representative_docs(model, n=3)
    assert table.columns.tolist() == ["topic", "rank", "doc_id", "score", "share", "snippet"]
    assert list(zip(table["topic"], table["rank"])) == sorted(zip(table["topic"], table["rank"]))
    assert table["topic"].tolist() == [t for t in range(8) for _ in range(3)]
    doc_topics = model.doc_topics(normalize=True).set_index("doc_id")
    raw = model.doc_topics().set_index("doc_id")
    snippets = dict(zip(model.doc_ids_, model.doc_snippets_))
    for topic, group in table.groupby("topic"):
        column = f"topic_{topic}"
        assert group["rank"].tolist() == [0, 1, 2]
        assert (doc_topics.loc[group["doc_id"], "top_topic"] == topic).all()
        np.testing.assert_allclose(group["share"], doc_topics.loc[group["doc_id"], column])
        strength = raw.loc[group["doc_id"], column] / raw[column].max()
        np.testing.assert_allclose(group["score"], group["share"].to_numpy() * strength.to_numpy())
        assert np.all(np.diff(group["score"].to_numpy()) <= 0)
        members = doc_topics["top_topic"] == topic
        scores = doc_topics.loc[members, column] * raw.loc[members, column] / raw[column].max()
        assert group["score"].iloc[-1] >= scores.drop(group["doc_id"]).max()
        assert group["snippet"].tolist() == [snippets[d] for d in group["doc_id"]]
    assert table["snippet"].str.len().between(1, 300).all()
    assert (table["score"] < 1).sum() >= len(table) - 8, "at most one score of 1 per topic"


def _fake_model(W):
    W = np.asarray(W, dtype=float)
    ids = [f"d{i}" for i in range(len(W))]
    return SimpleNamespace(
        n_topics_=W.shape[1], doc_topic_=W, doc_ids_=ids, doc_snippets_=[f"text of {i}" for i in ids]
    )


def test_representative_docs_choice_rules():
    W = [
        [0.0, 0.0, 0.0],  # no weight: represents nothing
        [2.0, 0.0, 0.0],  # share 1, strength 2/4: score 0.5
        [4.0, 0.0, 0.0],  # share 1, the strongest of topic 0: score 1
        [3.0, 1.0, 0.0],  # share 0.75, strength 0.75: score 0.5625
        [1.0, 3.0, 0.0],  # the only document of topic 1: share 0.75, strength 1
        [0.5, 0.5, 0.0],  # a tie between topics goes to the first: 0.5 * 0.125
        [2.0, 0.0, 0.0],  # as d1: corpus order
        [2.0, 2.0, 0.0],  # score 0.25 with share 0.5 ...
        [1.0, 0.0, 0.0],  # ... after score 0.25 with share 1
    ]
    table = reporting.representative_docs(_fake_model(W), n=2)
    assert table["doc_id"].tolist() == ["d2", "d3", "d4"]
    assert table["topic"].tolist() == [0, 0, 1]
    assert table["rank"].tolist() == [0, 1, 0]
    np.testing.assert_allclose(table["score"], [1.0, 0.5625, 0.75])
    np.testing.assert_allclose(table["share"], [1.0, 0.75, 0.75])
    assert table["snippet"].tolist() == ["text of d2", "text of d3", "text of d4"]
    everything = reporting.representative_docs(_fake_model(W), n=10)
    assert everything["doc_id"].tolist() == ["d2", "d3", "d1", "d6", "d8", "d7", "d5", "d4"]


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
    assert not re.search(r"<link\b|<iframe\b|@import", page, re.IGNORECASE)
    scripts = re.findall(r"<script\b[^>]*>", page, re.IGNORECASE)
    assert scripts == ['<script type="application/json" id="explorer-data">', "<script>"], "data and inline code only"
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
    text = "<script>alert('goal')</script> the striker & the goalkeeper <b>penalty</b> goal, 3 < 4 > 2 <grin>"
    docs = three_themes + [text] * 4
    model = TopicModel(n_topics=3, vectorizer=TextVectorizer(min_df=1), random_state=0).fit(docs)
    reporting.write_report(model, tmp_path, n_representative=20)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    # the explorer's data and code, nothing from the text: its markup is dropped, the rest escaped
    assert page.count("<script") == 2 and "<b>" not in page and "<grin>" not in page
    assert "the striker &amp; the goalkeeper penalty goal, 3 &lt; 4 &gt; 2 &lt;grin&gt;" in page


def test_write_report_counts_the_texts_once_and_scores_each_measure_once(small_model, tmp_path, monkeypatch):
    counted, scored = [], []
    add_ids, scores = coherence_module.CoherenceCounts.add_ids, coherence_module.CoherenceCounts.scores

    def counting(self, token_ids, offsets):
        counted.append(len(token_ids))
        return add_ids(self, token_ids, offsets)

    def scoring(self, measure, **kwargs):
        scored.append(measure)
        return scores(self, measure, **kwargs)

    monkeypatch.setattr(coherence_module.CoherenceCounts, "add_ids", counting)
    monkeypatch.setattr(coherence_module.CoherenceCounts, "scores", scoring)
    summary = reporting.write_report(small_model, tmp_path)
    assert counted == [len(small_model._token_stream()[0])]
    assert sorted(scored) == sorted(MEASURES)
    assert summary["coherence"].notna().all()
    # the same numbers (as written, 6 significant digits) as the measures on the decoded token lists
    texts, words = small_model.tokenized_texts(), small_model.top_words(10)
    table = pd.read_csv(tmp_path / "coherence.csv")
    for measure in MEASURES:
        np.testing.assert_allclose(table[measure], coherence_module.coherence(words, texts, measure), rtol=1e-5)


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


# -- write_outputs and run.json ---------------------------------------------------------------


def test_run_json_marks_the_folder_and_records_settings(small_model, tmp_path):
    out = tmp_path / "run"
    reporting.write_outputs(small_model, out, top_n=4, n_representative=2, normalize=True)
    run = reporting.read_run_file(out)
    assert run["format"] == reporting.RUN_FORMAT and reporting.is_run_folder(out)
    assert run["settings"] == {
        "top_n": 4, "measures": MEASURES, "n_representative": 2, "normalize": True, "table_format": "csv"
    }
    assert "parameters" not in run and "n_iter" not in run
    sums = pd.read_csv(out / "doc_topics.csv").filter(like="topic_").sum(axis=1)
    np.testing.assert_allclose(sums[sums > 0], 1.0, rtol=1e-5)


def test_write_report_reads_the_settings_of_the_run(small_model, tmp_path):
    out = tmp_path / "run"
    reporting.write_outputs(small_model, out, top_n=4, measures=["u_mass"])
    summary = reporting.write_report(small_model, out)
    assert summary["top_words"].str.split().str.len().max() == 4
    assert pd.read_csv(out / "coherence.csv").columns.tolist() == ["topic", "u_mass"]
    assert reporting.write_report(small_model, out, top_n=2)["top_words"].str.split().str.len().max() == 2


# -- tables on disk ---------------------------------------------------------------------------


def test_csv_neutralises_formulas_and_keeps_six_digits(tmp_path):
    table = pd.DataFrame(
        {
            "doc_id": ['=HYPERLINK("http://x","y")', "+1", "-1", "@A1", "\tx", "\rx", "plain", "a\r=b\n@c"],
            "weight": [1 / 3, -0.5, 123456789.0, 1e-9, 0.0, 2.0, np.float32(0.1), 7.0],
        }
    )
    reporting.write_table(table, tmp_path / "t.csv")
    text = (tmp_path / "t.csv").read_text()
    back = pd.read_csv(tmp_path / "t.csv", keep_default_na=False)
    assert back["doc_id"].tolist()[:6] == ["'" + v for v in table["doc_id"][:6]]
    assert back["doc_id"].tolist()[6:] == ["plain", "a\r=b\n@c"], "a line break inside a cell is quoted"
    assert "0.333333," not in text and "0.333333\n" in text and "-0.5\n" in text and "1.23457e+08" in text
    assert "0.1\n" in text, "float32 0.1 is written as 0.1, not 0.100000001"


def test_csv_is_what_pandas_writes():
    table = pd.DataFrame(
        {
            "doc_id": ["a,b", 'say "hi"', "line\nbreak", "", "plain"],
            "topic_0": np.array([1 / 3, np.nan, np.inf, 1e-9, 0.0]),
            "topic_1": np.array([0.1, 2.0, 123456789.0, -0.5, 7.0], dtype=np.float32),
            "top_topic": [0, -1, 1, 0, 1],
            "seeded": [True, False, True, False, True],
        }
    )
    for frame in (table, table.assign(doc_id=["x", None, "z", 1, "v"])):  # the second one pandas writes
        expected = frame.to_csv(index=False, float_format="%.6g", lineterminator="\r\n").encode()
        assert reporting.table_bytes(frame) == expected


def test_write_outputs_takes_a_corpus_record(tmp_path, three_themes):
    corpus = Corpus.from_texts(three_themes)
    model = TopicModel(n_topics=3, vectorizer=TextVectorizer(min_df=1), random_state=0).fit(corpus)
    record = reporting.corpus_record(corpus)
    assert len(record) == len(corpus) and record.sha256 == reporting.corpus_hash(corpus)
    runs = {}
    for name, given in (("corpus", corpus), ("record", record)):
        reporting.write_outputs(model, tmp_path / name, corpus=given)
        runs[name] = json.loads((tmp_path / name / "run.json").read_text())["corpus"]
    assert runs["record"] == runs["corpus"] and runs["corpus"]["documents"] == len(three_themes)


def test_parquet_keeps_the_numbers(tmp_path):
    pytest.importorskip("pyarrow")
    table = pd.DataFrame({"doc_id": ["=1", "b"], "weight": [1 / 3, 2.0]})
    reporting.write_table(table, tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), table)


def test_write_table_replaces_a_link_instead_of_following_it(tmp_path):
    (tmp_path / "precious.txt").write_text("keep")
    (tmp_path / "t.csv").symlink_to(tmp_path / "precious.txt")
    reporting.write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    assert (tmp_path / "precious.txt").read_text() == "keep"
    assert not (tmp_path / "t.csv").is_symlink() and (tmp_path / "t.csv").read_text() == "a\n1\n"


# -- output folders ---------------------------------------------------------------------------

output = importlib.import_module("topicnmf.reporting.output")


def _marked(folder, format="topicnmf-run"):
    folder.mkdir()
    (folder / "run.json").write_text(json.dumps({"format": format}))
    return folder


@pytest.mark.parametrize(
    "setup, force, message",
    [
        (lambda t: (t / "x").mkdir(), False, "Output folder '{t}/x' exists; pass force=True to replace it or choose another out_dir."),
        (lambda t: ((t / "x").mkdir(), (t / "x" / "a").write_text("")), True,
         "Output folder '{t}/x' was not written by topicnmf (it has no run.json); force=True replaces only run folders: choose another out_dir."),
        (lambda t: _marked(t / "x", "other"), True, "was not written by topicnmf"),
        (lambda t: (t / "x").write_text(""), True, "Output path '{t}/x' is not a folder; choose a new folder for out_dir."),
        (lambda t: (t / "x").symlink_to(_marked(t / "real")), True, "Output path '{t}/x' is a symbolic link; choose a real folder for out_dir."),
        (lambda t: None, False, "The parent folder of '{t}/no/x' does not exist; create it or choose another out_dir."),
    ],
)
def test_check_output_dir_refusals(tmp_path, setup, force, message):
    setup(tmp_path)
    target = tmp_path / ("no/x" if "no/x" in message else "x")
    with pytest.raises(InputError, match=re.escape(message.format(t=tmp_path))):
        reporting.check_output_dir(target, force=force)


def test_check_output_dir_protects_the_corpus_and_the_working_directory(tmp_path, monkeypatch):
    corpus = tmp_path / "data" / "corpus.csv"
    corpus.parent.mkdir()
    corpus.write_text("text\nx\n")
    for target in (corpus.parent, tmp_path):
        with pytest.raises(InputError, match="holds the corpus"):
            reporting.check_output_dir(target, force=True, protect=[corpus])
    monkeypatch.chdir(corpus.parent)
    for target in (".", "..", "", str(tmp_path)):
        with pytest.raises(InputError, match="is the current working directory or holds it"):
            reporting.check_output_dir(target, force=True)
    assert reporting.check_output_dir(tmp_path / "new") == tmp_path / "new"
    _marked(tmp_path / "old_run")
    (tmp_path / "empty").mkdir()
    assert reporting.check_output_dir(tmp_path / "old_run", force=True) == tmp_path / "old_run"
    assert reporting.check_output_dir(tmp_path / "empty", force=True) == tmp_path / "empty"


def test_staged_folder_writes_all_or_nothing(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with reporting.staged_folder(target) as staging:
            (staging / "half.txt").write_text("half")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []
    with reporting.staged_folder(target) as staging:
        (staging / "run.json").write_text(json.dumps({"format": "topicnmf-run"}))
    assert sorted(p.name for p in target.iterdir()) == ["run.json"]
    assert target.stat().st_mode & 0o777 == 0o777 & ~_umask()
    with reporting.staged_folder(target, force=True) as staging:
        (staging / "run.json").write_text(json.dumps({"format": "topicnmf-run", "second": True}))
    assert reporting.read_run_file(target)["second"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("failing", ["mkdir", "_write_new"])  # the folder, then its marker
def test_a_folder_that_cannot_be_written_in_is_one_clear_error(tmp_path, monkeypatch, failing):
    from topicnmf.reporting import output

    def refuse(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(output.os if failing == "mkdir" else output, failing, refuse)
    message = f"Cannot write in the folder '{tmp_path}' (Read-only file system); choose another out_dir."
    with pytest.raises(InputError, match=re.escape(message)):
        with reporting.staged_folder(tmp_path / "out"):
            pass
    assert list(tmp_path.iterdir()) == []


def test_the_swap_checks_again(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(InputError, match=re.escape(f"Output folder '{target}' exists; pass force=True")):
        with reporting.staged_folder(target) as staging:
            (staging / "mine.txt").write_text("mine")
            target.mkdir()  # another run took the name meanwhile
            (target / "theirs.txt").write_text("theirs")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (target / "theirs.txt").read_text() == "theirs"
    with pytest.raises(InputError, match="was not written by topicnmf"):
        with reporting.staged_folder(target / "..", force=True):
            pass


def test_stale_staging_of_dead_processes_is_swept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    host = os.uname().nodename

    def staging(name, pid, token, marker=True, kind="staging"):
        folder = tmp_path / f".{name}.topicnmf-{kind}-{pid}-{token}"
        folder.mkdir()
        if marker:
            (folder / ".topicnmf-staging").write_text(json.dumps({"pid": pid, "token": token, "host": host}))
        return folder

    stale = staging("a", pid, "1" * 16)
    live = staging("b", os.getpid(), "2" * 16)
    unmarked = staging("c", pid, "3" * 16, marker=False)
    wrong_token = staging("d", pid, "4" * 16)
    (wrong_token / ".topicnmf-staging").write_text(json.dumps({"pid": pid, "token": "5" * 16, "host": host}))
    aside = staging("e", pid, "6" * 16, kind="old")
    _marked(aside / "e")
    removed = output.sweep_stale(tmp_path)
    assert sorted(removed) == sorted([stale.name, aside.name])
    assert not stale.exists() and live.exists() and unmarked.exists() and wrong_token.exists()
    assert reporting.is_run_folder(tmp_path / "e"), "a replaced run set aside by a dead run is put back"


def test_report_refuses_a_plots_link(small_model, tmp_path):
    run = tmp_path / "run"
    reporting.write_outputs(small_model, run)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "top_words.png").write_bytes(b"precious")
    shutil.rmtree(run / "plots")
    (run / "plots").symlink_to(outside)
    with pytest.raises(InputError, match="topicnmf does not write through links"):
        reporting.write_report(small_model, run)
    assert (outside / "top_words.png").read_bytes() == b"precious"
    assert sorted(p.name for p in outside.iterdir()) == ["top_words.png"]


def test_check_output_file(tmp_path):
    (tmp_path / "docs.csv").write_text("text\nx\n")
    with pytest.raises(InputError, match=re.escape(f"'{tmp_path}' is a folder; give path a file name such as topics.csv.")):
        reporting.check_output_file(tmp_path)
    with pytest.raises(InputError, match=re.escape(f"The folder of '{tmp_path}/no/x.csv' does not exist")):
        reporting.check_output_file(tmp_path / "no" / "x.csv")
    with pytest.raises(InputError, match="exists; pass force=True"):
        reporting.check_output_file(tmp_path / "docs.csv")
    with pytest.raises(InputError, match="would overwrite the input"):
        reporting.check_output_file(tmp_path / "docs.csv", force=True, protect=[tmp_path / "docs.csv"])
    assert reporting.check_output_file(tmp_path / "new.csv", protect=[tmp_path]) == tmp_path / "new.csv"


def test_plots_drawn_aside_are_the_plots_drawn_here(small_model, monkeypatch):
    from topicnmf.reporting import _aside

    scores = small_model.coherence("c_npmi")
    here = reporting.render_plots(small_model, top_n=5, measure="c_npmi", scores=scores, max_docs=50, dpi=40)
    with _aside.plots_aside(small_model, top_n=5, max_docs=50, dpi=40) as plots:
        aside = plots.result(measure="c_npmi", scores=scores)
    assert list(aside) == list(here) and aside == here
    with _aside.plots_aside(small_model, top_n=5, max_docs=50, dpi=40) as plots:
        assert list(plots.result(measure=None, scores=scores)) == [n for n in here if n != "coherence"]
    monkeypatch.setattr("topicnmf.preprocessing.stream.n_processes", lambda n_jobs, n_chars: 1)
    with _aside.plots_aside(small_model, top_n=5, max_docs=50, dpi=40) as plots:  # one CPU: drawn here
        assert plots.pool is None and plots.result(measure="c_npmi", scores=scores) == here


def test_model_json_is_the_text_json_dump_writes(tmp_path):
    from topicnmf._persistence import _dump_by_entry

    for state in ({}, {"a": 1, "b": [1, 2.5, None, "x\u00e9\n"], "c": {"d": float("nan")}}):
        with open(tmp_path / "m.json", "w", encoding="utf-8") as file:
            _dump_by_entry(state, file)
        assert (tmp_path / "m.json").read_text(encoding="utf-8") == json.dumps(state)
