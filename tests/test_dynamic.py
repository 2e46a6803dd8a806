"""DynamicTopicModel, TopicModel.topics_over_time and the time windows."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score

from topicnmf import DynamicTopicModel, InputError, TextVectorizer, TopicModel
from topicnmf._periods import over_time, periods

THEMES = {
    "football": "striker goal penalty referee match league goalkeeper defender",
    "baking": "oven bread dough bake crust flour yeast loaf",
    "astronomy": "telescope planet star orbit comet galaxy moon eclipse",
}


def _docs(rng, windows, themes_per_window):
    """Documents of six words drawn from a theme's eight, with the window they belong to."""
    texts, labels, times = [], [], []
    for window, themes in zip(windows, themes_per_window):
        for theme in themes:
            words = THEMES[theme].split()
            for _ in range(12):
                texts.append(" ".join(rng.choice(words, 6)))
                labels.append(theme)
                times.append(window)
    return texts, labels, times


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.RandomState(0)
    months = [pd.Timestamp("2016-01-15"), pd.Timestamp("2016-02-03"), pd.Timestamp("2016-03-30")]
    # astronomy appears in the second month; baking fades after it
    texts, labels, times = _docs(rng, months, [("football", "baking"), THEMES, ("football", "astronomy")])
    model = DynamicTopicModel(3, window_topics=3, random_state=0, vectorizer=TextVectorizer(min_df=1, max_df=1.0))
    return model.fit(texts, times=times), labels


def test_dynamic_topics_follow_themes_and_windows(fitted):
    model, labels = fitted
    assert model.windows_ == ["2016-01", "2016-02", "2016-03"]
    assert normalized_mutual_info_score(labels, model.doc_topic_.argmax(axis=1)) > 0.95
    # every window topic belongs to the dynamic topic of the documents it holds
    tracking = model.tracking(3)
    assert tracking.columns.tolist() == ["window_topic", "window", "rank", "topic", "weight", "documents", "top_words"]
    assert tracking.groupby("window").size().tolist() == [3, 3, 3]
    assert tracking["documents"].sum() == len(labels)
    doc_dynamic = model.window_topic_assignment_[model.doc_window_topic_]
    assert (doc_dynamic == model.doc_topic_.argmax(axis=1)).mean() > 0.95
    np.testing.assert_allclose(model.window_topic_dynamic_.sum(axis=1), 1.0)


def test_topics_appear_and_fade(fitted):
    model, labels = fitted
    table = model.topics_over_time()
    assert table.columns.tolist() == ["period", "topic", "documents", "share"]
    assert len(table) == 3 * 3 and table["documents"].sum() == len(labels)
    wide = table.pivot(index="period", columns="topic", values="documents")
    label_of = {t: pd.Series(labels)[model.doc_topic_.argmax(axis=1) == t].mode()[0] for t in range(3)}
    by_theme = wide.rename(columns=label_of)
    assert by_theme.loc["2016-01", "astronomy"] == 0 and by_theme.loc["2016-03", "baking"] == 0
    assert by_theme.loc["2016-02"].tolist() == [12, 12, 12]
    np.testing.assert_allclose(table.groupby("period", observed=True)["share"].sum(), 1.0)
    # the flat model of the dynamic topics counts the same, with its own method
    pd.testing.assert_frame_equal(model.model_.topics_over_time(), table)


def test_dynamic_model_is_a_topic_model(fitted, tmp_path):
    model, _ = fitted
    assert isinstance(model.model_, TopicModel)
    assert len(model.topic_labels_) == 3 and model.components_.shape == (3, len(model.vocabulary_))
    assert model.doc_topics().columns[:3].tolist() == ["doc_id", "window", "window_topic"]
    assert model.topic_words(4, topic=2).equals(model.model_.topic_words(4, topic=2))
    loaded = TopicModel.load(model.model_.save(tmp_path / "model"))
    assert loaded.doc_times_ == model.model_.doc_times_
    pd.testing.assert_frame_equal(loaded.topics_over_time(), model.topics_over_time())


def test_periods_of_dates_names_and_numbers():
    stamps = [pd.Timestamp("2016-03-05"), pd.Timestamp("2015-12-31"), pd.Timestamp("2016-03-20")]
    index, names = periods(stamps, "auto", "f")
    assert names == ["2015-12", "2016-03"] and index.tolist() == [1, 0, 1]
    assert periods(stamps, "year", "f")[1] == ["2015", "2016"]
    assert periods(["month2", "month1", "month2"], "auto", "f") == (pytest.approx([1, 0, 1]), ["month1", "month2"])
    assert periods([10, 2, 10], None, "f")[1] == ["2", "10"]  # numbers sort as numbers
    table = over_time(np.array([[1.0, 0], [0, 0], [0, 2.0]]), np.array([0, 0, 1]), ["a", "b"])
    assert table["documents"].tolist() == [1, 0, 0, 1] and table["share"].tolist() == [0.5, 0, 0, 1]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: periods(["a", pd.Timestamp("2016-01-01")], "auto", "f"),
         "The times passed to f mix dates and other values; give all dates or all window names."),
        (lambda: periods(["a", "b"], "month", "f"),
         "The 'freq' parameter of f must be 'auto' when the times are window names or numbers, not dates. Got 'month'."),
        (lambda: periods(["a"], "fortnight", "f"),
         "The 'freq' parameter of f must be one of 'auto', 'day', 'month', 'quarter', 'week', 'year'. Got 'fortnight'."),
        (lambda: DynamicTopicModel().fit(["a b", "c d"]),
         "DynamicTopicModel.fit needs the documents' times: pass times=[...] or a Corpus read with a time column "
         "or window folders."),
        (lambda: DynamicTopicModel().fit(["a b", "c d"], times=["w1"]),
         "The 'times' passed to DynamicTopicModel.fit must hold one time per document. Got 1 times for 2 documents."),
        (lambda: DynamicTopicModel(window_topics=0).fit(["a b"], times=["w1"]),
         "The 'window_topics' parameter of DynamicTopicModel must be an int >= 1 or 'auto'. Got 0."),
        (lambda: DynamicTopicModel(window_topics="many").fit(["a b"], times=["w1"]),
         "The 'window_topics' parameter of DynamicTopicModel must be an int >= 1 or 'auto'. Got 'many'."),
        (lambda: DynamicTopicModel(n_topics="many").fit(["a b"], times=["w1"]),
         "The 'n_topics' parameter of DynamicTopicModel must be an int >= 1 or 'auto'. Got 'many'."),
        (lambda: TopicModel(2, vectorizer=TextVectorizer(min_df=1)).fit(["cats purr", "dogs bark"]).topics_over_time(),
         "This TopicModel has no document times; fit it on a Corpus with times (read_corpus(..., time_column=...)) "
         "to count topics over time."),
    ],
)
def test_errors(call, message):
    with pytest.raises(InputError, match=re.escape(message)):
        call()


@pytest.mark.slow
@pytest.mark.parametrize("window_topics", [5, "auto"])  # auto: 6, 5 and 5 topics, NMI 0.845
def test_dynamic_topics_match_news_sections(news_sections, window_topics):
    texts, labels, months = news_sections
    model = DynamicTopicModel(5, window_topics=window_topics, random_state=0)
    model.fit(texts, times=months)
    assert model.windows_ == ["month1", "month2", "month3"]
    assert normalized_mutual_info_score(labels, model.doc_topic_.argmax(axis=1)) >= 0.8


def _month_folders(root, rng):
    """dynamic-nmf's layout: month folders, section folders inside, one text file per document."""
    for month, themes in zip(["month1", "month2", "month3"], [("football", "baking"), THEMES, ("football", "astronomy")]):
        for theme in themes:
            folder = root / month / theme
            folder.mkdir(parents=True)
            words = THEMES[theme].split()
            for i in range(12):
                (folder / f"{i}.txt").write_text(" ".join(rng.choice(words, 6)), encoding="utf-8")
    return root


def test_topic_model_counts_topics_over_time_of_a_corpus(tmp_path):
    from topicnmf import read_corpus

    corpus = read_corpus(_month_folders(tmp_path / "news", np.random.RandomState(1)), time_from="folder")
    model = TopicModel(3, vectorizer=TextVectorizer(min_df=1, max_df=1.0), random_state=0).fit(corpus)
    assert model.doc_times_ == corpus.times
    table = model.topics_over_time()
    assert list(table["period"].cat.categories) == ["month1", "month2", "month3"]
    assert table.groupby("period", observed=True)["documents"].sum().tolist() == [24, 36, 24]
    dynamic = DynamicTopicModel(3, window_topics=3, vectorizer=TextVectorizer(min_df=1, max_df=1.0),
                                random_state=0).fit(corpus)
    assert normalized_mutual_info_score(corpus.labels, dynamic.doc_topic_.argmax(axis=1)) > 0.95


_FITTED = ["windows_", "doc_window_", "window_components_", "window_n_topics_", "window_topic_window_",
           "window_topic_dynamic_", "window_topic_assignment_", "doc_window_topic_", "doc_topic_", "components_"]


def test_save_and_load(fitted, tmp_path):
    model, _ = fitted
    path = model.save(tmp_path / "dynamic")
    assert sorted(p.name for p in path.iterdir()) == ["dynamic.json", "dynamic.npz", "model"]
    loaded = DynamicTopicModel.load(path)
    assert loaded.get_params() == {**model.get_params(deep=False), "vectorizer": None}
    for name in _FITTED:
        np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name), err_msg=name)
    pd.testing.assert_frame_equal(loaded.tracking(4), model.tracking(4))
    pd.testing.assert_frame_equal(loaded.topics_over_time(), model.topics_over_time())
    pd.testing.assert_frame_equal(loaded.doc_topics(), model.doc_topics())
    docs = ["striker goal match", "dough oven bake"]
    np.testing.assert_array_equal(loaded.model_.transform(docs), model.model_.transform(docs))


def _damage(path, change):
    state = json.loads((path / "dynamic.json").read_text())
    change(state)
    (path / "dynamic.json").write_text(json.dumps(state))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s["params"].update(window="fortnight"), "'params' holds a value DynamicTopicModel does not take"),
        (lambda s: s["params"].update(window_topics="many"), "'params' holds a value DynamicTopicModel does not take"),
        (lambda s: s["params"].update(n_topics="many"), "'params' holds a value DynamicTopicModel does not take"),
        (lambda s: s["params"].update(n_topics=0), "'params' holds a value DynamicTopicModel does not take"),
        (lambda s: s["params"].update(top_terms="20"), "'params.top_terms' must be int, not str"),
        (lambda s: s["params"].update(n_topics=4), "n_topics is 4 but 'model' has 3 topics"),
        (lambda s: s["window_n_topics"].pop(), "'window_n_topics' has 2 entries, expected 3"),
        (lambda s: s.update(window_n_topics=[3, 3, 4]), "array 'window_components' has shape (9,"),
    ],
)
def test_load_refuses_damaged_state(fitted, tmp_path, change, message):
    path = fitted[0].save(tmp_path / "dynamic")
    _damage(path, change)
    with pytest.raises(InputError, match=re.escape(message)) as error:
        DynamicTopicModel.load(path)
    assert str(path / "dynamic") in str(error.value) and "\n" not in str(error.value)


def test_load_refuses_damaged_arrays(fitted, tmp_path):
    model, _ = fitted
    path = model.save(tmp_path / "dynamic")
    arrays = dict(np.load(path / "dynamic.npz", allow_pickle=False))
    first = int(np.flatnonzero(model.doc_window_ == 0)[0])
    arrays["doc_window_topic"][first] = len(model.window_components_) - 1  # a topic of the last window
    np.savez(path / "dynamic.npz", **arrays)
    with pytest.raises(InputError, match=re.escape("'doc_window_topic' names a window topic of another window")):
        DynamicTopicModel.load(path)
    arrays["window_topic_dynamic"][0, 0] = np.nan
    np.savez(path / "dynamic.npz", **arrays)
    with pytest.raises(InputError, match=re.escape("array 'window_topic_dynamic' holds NaN or infinity")):
        DynamicTopicModel.load(path)
    with pytest.raises(InputError, match=re.escape("is not a dynamic topic model: it lacks dynamic.json")):
        DynamicTopicModel.load(path / "model")


def _run_dynamic(*args):
    """``topicnmf dynamic ARGS`` through typer's test runner."""
    from typer.testing import CliRunner

    from topicnmf.cli import app

    return CliRunner().invoke(app, ["dynamic", *map(str, args)])


def test_cli_dynamic(tmp_path):
    from typer.testing import CliRunner

    from topicnmf.cli import app

    news = _month_folders(tmp_path / "news", np.random.RandomState(2))
    out = tmp_path / "out"
    result = _run_dynamic(news, "--window-topics", "auto", "--topics", "3", "--out", out)
    assert result.exit_code == 0, result.output
    for name in ["topics.csv", "doc_topics.csv", "window_topics.csv", "topics_over_time.csv",
                 "topics_over_time.png", "report.html"]:
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "topics_over_time.csv")
    assert table["period"].unique().tolist() == ["month1", "month2", "month3"]
    run = json.loads((out / "run.json").read_text())
    assert run["command"] == "dynamic" and run["window_topics"][::2] == [2, 2]  # 24 documents: k = 2 only
    assert not [p.name for p in tmp_path.iterdir() if "topicnmf-staging" in p.name]
    page = (out / "report.html").read_text(encoding="utf-8")
    section = page[page.index('<h2 id="over-time">'):page.index('<section id="explorer"')]
    assert "Topics over time" in section and section.count("data:image/png;base64,") == 1
    tracking = pd.read_csv(out / "window_topics.csv")
    for row in tracking.itertuples():  # the tracking table, row by row
        assert f'<td>{row.window}</td><td class="num">{row.rank}</td><td class="num">{row.window_topic}</td>' in section
    words = pd.read_csv(out / "topics.csv").query("rank == 0")["word"]
    assert all(word in section for word in words)
    result = CliRunner().invoke(app, ["report", str(out), "--top-words", "2"])  # rebuilt with other settings
    assert result.exit_code == 0, result.output
    rebuilt = pd.read_csv(out / "window_topics.csv")
    assert rebuilt.drop(columns="top_words").equals(tracking.drop(columns="top_words"))
    assert all(len(words.split()) <= 2 for words in rebuilt["top_words"])
    assert max(len(words.split()) for words in tracking["top_words"]) > 2
    assert '<h2 id="over-time">' in (out / "report.html").read_text(encoding="utf-8")
    loaded = DynamicTopicModel.load(out)  # the run folder is the saved model
    pd.testing.assert_frame_equal(loaded.tracking(), tracking, check_dtype=False)
    assert loaded.topics_over_time()[["period", "documents"]].astype({"period": str}).equals(
        table[["period", "documents"]])


def test_n_topics_auto_takes_the_sweep_of_the_whole_corpus(tmp_path):
    rng = np.random.RandomState(0)
    texts, labels, times = _docs(rng, ["w1", "w2", "w3"], [("football", "baking"), THEMES, ("football", "astronomy")])
    vectorizer = TextVectorizer(min_df=1, max_df=1.0)
    model = DynamicTopicModel("auto", window_topics=3, random_state=0, vectorizer=vectorizer).fit(texts, times=times)
    # the same sweep TopicModel("auto") runs on all the documents, and its choice
    flat = TopicModel("auto", random_state=0, vectorizer=vectorizer).fit(texts)
    assert model.n_topics_ == flat.n_topics_ == model.sweep_.attrs["best_k"] == 3
    pd.testing.assert_frame_equal(model.sweep_.drop(columns=["fit_time", "time"]),
                                  flat.sweep_.drop(columns=["fit_time", "time"]))
    assert normalized_mutual_info_score(labels, model.doc_topic_.argmax(axis=1)) > 0.95
    assert DynamicTopicModel(3, window_topics=3, vectorizer=vectorizer).fit(texts, times=times).sweep_ is None
    loaded = DynamicTopicModel.load(model.save(tmp_path / "auto"))
    assert loaded.n_topics == "auto" and loaded.n_topics_ == 3
    pd.testing.assert_frame_equal(loaded.sweep_, model.sweep_, check_dtype=False)


def test_cli_dynamic_topics_auto(tmp_path):
    news = _month_folders(tmp_path / "news", np.random.RandomState(2))
    out = tmp_path / "out"
    result = _run_dynamic(news, "--window-topics", "auto", "--topics", "auto", "--out", out)
    assert result.exit_code == 0, result.output
    loaded = DynamicTopicModel.load(out)
    assert loaded.n_topics == "auto"
    assert loaded.n_topics_ == min(loaded.sweep_.attrs["best_k"], loaded.window_n_topics_.sum())
    assert pd.read_csv(out / "sweep.csv")["k"].tolist() == loaded.sweep_["k"].tolist()
    # with fewer window topics than the sweep's choice, as many dynamic topics as they support
    result = _run_dynamic(news, "--window-topics", "1", "--topics", "auto", "--out", tmp_path / "few")
    assert result.exit_code == 0, result.output
    assert DynamicTopicModel.load(tmp_path / "few").n_topics_ == 3
    result = _run_dynamic(news, "--topics", "many")
    assert result.exit_code == 2
    assert "must be an int >= 1 or 'auto'; got 'many'" in result.output


def test_cli_dynamic_refuses_bad_window_topics(tmp_path):
    result = _run_dynamic(tmp_path, "--window-topics", "some")
    assert result.exit_code == 2
    assert "must be an int >= 1 or 'auto'; got 'some'" in result.output


def test_cli_dynamic_corpus_shape_errors_speak_in_flags(tmp_path):
    table = tmp_path / "news.csv"
    table.write_text("text,date\nsome words here,2020-01-02\n", encoding="utf-8")
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "a.txt").write_text("some words here", encoding="utf-8")
    cases = [
        ([str(table)], f"Time windows read without --time-column apply to folders; {str(table)!r} is a "
                       "file. For a table pass --time-column."),
        ([str(flat), "--time-column", "date"], "The --time-column option applies to tables"),
        ([str(flat)], f"The folder {str(flat)!r} has no time folders: without --time-column the folders"),
    ]
    for args, message in cases:
        result = _run_dynamic(*args, "--out", tmp_path / "out")
        assert result.exit_code == 1 and message in result.output, result.output
        assert "time_from" not in result.output and "time_column" not in result.output
        assert not (tmp_path / "out").exists()


def test_report_section_escapes_the_data(fitted):
    import copy

    from topicnmf.reporting.dynamic import dynamic_section

    model = copy.deepcopy(fitted[0])
    model.windows_ = ["<b>jan</b>", "feb & mar", "apr\"<x>"]
    model.model_.set_topic_labels(["<script>alert(1)</script>", "b", "c"])
    html = dynamic_section(model, b"\x89PNG", top_n=3)
    assert "<b>" not in html and "<script>" not in html and "<x>" not in html
    assert "&lt;b&gt;jan&lt;/b&gt;" in html and "feb &amp; mar" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_window_topics_auto_takes_each_windows_sweep(monkeypatch):
    """window_topics='auto': each window's k is its sweep's recommendation, over the k it supports."""
    from topicnmf import dynamic, selection

    calls = []
    sweep = selection.sweep_matrix

    def recording(X, ks, **kwargs):
        result = sweep(X, ks, **kwargs)
        calls.append((X.shape[0], list(ks), kwargs["runs"], result.best_k))
        assert kwargs["test_fraction"] is None and result.table["heldout_error"].isna().all()  # not read by the rule
        return result

    monkeypatch.setattr(selection, "sweep_matrix", recording)
    rng = np.random.RandomState(0)
    texts, labels, times = _docs(rng, ["w1", "w2", "w3"], [("football",), ("football", "baking"), THEMES])
    texts, labels, times = texts + texts[:9], labels + labels[:9], times + ["w4"] * 9  # too small to sweep
    model = DynamicTopicModel(3, window_topics="auto", random_state=0,
                              vectorizer=TextVectorizer(min_df=1, max_df=1.0)).fit(texts, times=times)
    assert [c[:3] for c in calls] == [(24, [2], 2), (36, [2, 3], 2)]
    assert model.window_n_topics_.tolist() == [1, 2, calls[1][3], 1]
    assert dynamic.WINDOW_AUTO_RUNS == 2
    assert normalized_mutual_info_score(labels, model.doc_topic_.argmax(axis=1)) > 0.9


def test_window_topics_auto_takes_at_least_n_topics(monkeypatch):
    """A window's sweep that recommends fewer topics than n_topics gives way to n_topics (where supported)."""
    import dataclasses

    from topicnmf import selection

    sweep = selection.sweep_matrix
    taken = []

    def fewest(X, ks, **kwargs):
        result = dataclasses.replace(sweep(X, ks, **kwargs), best_k=min(ks))
        taken.append(list(ks))
        return result

    monkeypatch.setattr(selection, "sweep_matrix", fewest)
    rng = np.random.RandomState(0)
    texts, labels, times = _docs(rng, ["w1", "w2"], [THEMES, THEMES])
    model = DynamicTopicModel(3, window_topics="auto", random_state=0,
                              vectorizer=TextVectorizer(min_df=1, max_df=1.0)).fit(texts, times=times)
    assert taken == [[2, 3], [2, 3]]  # each window swept, and its recommendation was 2
    assert model.window_n_topics_.tolist() == [3, 3]
    assert normalized_mutual_info_score(labels, model.doc_topic_.argmax(axis=1)) > 0.9


def test_dynamic_outputs_are_all_or_nothing(fitted, tmp_path, monkeypatch):
    """A failure while writing the dynamic tables or plot leaves no run folder, and an old one intact."""
    from topicnmf import reporting
    from topicnmf.reporting.output import OutputFolder

    model, _ = fitted
    write_bytes = OutputFolder.write_bytes

    def failing(self, name, data):
        if name == "topics_over_time.png":
            raise OSError("disk full")
        return write_bytes(self, name, data)

    monkeypatch.setattr(OutputFolder, "write_bytes", failing)
    out = tmp_path / "out"
    with pytest.raises(OSError, match="disk full"):
        reporting.write_outputs(model, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    monkeypatch.setattr(OutputFolder, "write_bytes", write_bytes)
    reporting.write_outputs(model, out)
    before = sorted(p.name for p in out.iterdir())
    monkeypatch.setattr(OutputFolder, "write_bytes", failing)
    with pytest.raises(OSError, match="disk full"):
        reporting.write_outputs(model, out, force=True)
    assert sorted(p.name for p in out.iterdir()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("extra", [{"../x.csv": b""}, {"a/b/c.csv": b""}, {"x.csv": "text"}, {"topics.csv": b""}])
def test_write_outputs_refuses_bad_extra_files(fitted, tmp_path, extra):
    from topicnmf import reporting

    model, _ = fitted
    name = next(iter(extra))
    msg = "The 'extra_files' parameter of write_outputs must be "
    with pytest.raises(InputError, match=re.escape(msg)):
        reporting.write_outputs(model.model_, tmp_path / "out", extra_files=extra)
    assert not (tmp_path / "out").exists(), name


def test_write_outputs_refuses_an_unfitted_dynamic_model(tmp_path):
    from sklearn.exceptions import NotFittedError

    from topicnmf import reporting

    with pytest.raises(NotFittedError):
        reporting.write_outputs(DynamicTopicModel(), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []
