"""Choosing the number of topics: stability, the sweep, its rule, the files and the CLI command."""

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import topicnmf
from topicnmf import TextVectorizer, TopicModel
from topicnmf.errors import ConvergenceWarning, InputError
from topicnmf.selection._rule import _knees
from topicnmf.selection import (
    COLUMNS,
    average_jaccard,
    recommend,
    sweep,
    top_terms,
    topic_stability,
)


def themed_corpus(n_themes, *, docs_per_theme=30, words_per_theme=25, n_common=40, length=60, share=0.6, seed=0):
    """Documents that each draw ``share`` of their words from one theme's vocabulary, the rest from common words."""
    rng = np.random.RandomState(seed)
    zipf = 1.0 / np.arange(1, words_per_theme + 1)
    zipf /= zipf.sum()
    common = [f"common{j}" for j in range(n_common)]
    docs = []
    for t in range(n_themes):
        words = [f"theme{t}word{j}" for j in range(words_per_theme)]
        for _ in range(docs_per_theme):
            n_theme = rng.binomial(length, share)
            tokens = list(rng.choice(words, n_theme, p=zipf)) + list(rng.choice(common, length - n_theme))
            rng.shuffle(tokens)
            docs.append(" ".join(tokens))
    return docs


def planted(rank, *, n=120, m=80, noise=0.3, seed=0):
    """Low rank plus noise: a non-negative ``W H`` of ``rank`` plus zero-mean Gaussian noise (clipped at 0)."""
    rng = np.random.RandomState(seed)
    W = rng.gamma(0.5, size=(n, rank))
    H = rng.gamma(0.5, size=(rank, m))
    X = W @ H
    return np.maximum(X + noise * X.std() * rng.standard_normal((n, m)), 0.0)


# -- average Jaccard and stability -------------------------------------------------------------


def brute_average_jaccard(r, s):
    return np.mean([len(set(r[:d]) & set(s[:d])) / len(set(r[:d]) | set(s[:d])) for d in range(1, len(r) + 1)])


def test_average_jaccard_matches_its_definition():
    rng = np.random.RandomState(0)
    a = np.array([rng.permutation(15)[:7] for _ in range(4)])
    b = np.array([rng.permutation(15)[:7] for _ in range(3)])
    expected = [[brute_average_jaccard(x, y) for y in b] for x in a]
    np.testing.assert_allclose(average_jaccard(a, b), expected)
    np.testing.assert_allclose(np.diag(average_jaccard(a, a)), 1.0)


def test_top_terms_heaviest_first_ties_by_index():
    H = np.array([[0.0, 3.0, 1.0, 3.0], [5.0, 0.0, 0.0, 1.0]])
    assert top_terms(H, 3).tolist() == [[1, 3, 2], [0, 3, 1]]
    assert top_terms(H, 10).shape == (2, 4)


def test_stability_is_blind_to_topic_order_and_sees_changes():
    rng = np.random.RandomState(1)
    H = rng.rand(5, 50)
    per_run, per_topic = topic_stability(H, [H[::-1], H[[1, 0, 2, 3, 4]]], top_n=10)
    np.testing.assert_allclose(per_run, 1.0)
    assert per_topic.shape == (2, 5)
    changed = H.copy()
    changed[2] = rng.rand(50)
    per_run, per_topic = topic_stability(H, [changed], top_n=10)
    assert per_topic[0, 2] < 0.5 and np.allclose(np.delete(per_topic[0], 2), 1.0)
    assert per_run[0] == pytest.approx(per_topic[0].mean())


# -- the sweep on planted data -------------------------------------------------------------------


@pytest.fixture(scope="module")
def five_themes():
    return themed_corpus(5, seed=3)


@pytest.fixture(scope="module")
def themed_sweep(five_themes):
    return sweep(five_themes, topics=range(2, 9), runs=3, random_state=0)


def test_sweep_table_is_tidy(themed_sweep):
    table = themed_sweep.table
    assert table.columns.tolist() == list(COLUMNS)
    assert table["k"].tolist() == list(range(2, 9))
    assert table["stability"].between(0, 1).all() and (table["stability_std"] >= 0).all()
    assert table[["c_npmi", "c_v", "diversity", "fit_time", "relative_error"]].notna().all().all()
    assert table["relative_error"].is_monotonic_decreasing


def test_sweep_recommends_the_planted_number_of_themes(themed_sweep):
    assert themed_sweep.best_k == 5
    assert "5" in themed_sweep.reason
    row = themed_sweep.table.set_index("k")
    assert row["stability"].idxmax() == 5
    assert row.loc[5, "stability"] > 0.9


def test_sweep_recommends_eight_on_the_sample_corpus(sample_corpus_dir):
    result = topicnmf.sweep(topicnmf.read_corpus(sample_corpus_dir), random_state=0)
    assert result.best_k == 8 == len([p for p in sample_corpus_dir.iterdir() if p.is_dir()])


def test_sweep_keeps_every_reference_model(themed_sweep, five_themes):
    assert sorted(themed_sweep.models) == list(range(2, 9))
    assert themed_sweep.doc_topics[5].shape == (len(five_themes), 5)
    words = themed_sweep.top_words(5, n=3)
    themes = sorted({w[0][: len("themeX")] for w in words})
    assert themes == [f"theme{t}" for t in range(5)]


@pytest.mark.parametrize("rank", [3, 6])
def test_planted_rank_of_a_matrix(rank):
    result = sweep(planted(rank), topics=range(2, 9), runs=3, random_state=0)
    assert result.best_k == rank
    assert np.isnan(result.table["c_npmi"]).all()  # no texts, no coherence


def test_the_reference_model_is_the_plain_fit_to_the_reference_tolerance(five_themes):
    from topicnmf.nmf import NMF
    from topicnmf.selection import REFERENCE_TOL

    result = sweep(five_themes, topics=[4, 5], runs=2, random_state=7)
    model = TopicModel(n_topics=5, nmf=NMF(init="nndsvda", tol=REFERENCE_TOL), random_state=7).fit(five_themes)
    np.testing.assert_allclose(np.sort(result.models[5].components_, axis=0), np.sort(model.components_, axis=0),
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("n", [120, 200])  # the held-out fit: all documents (cold), a sample (warm)
def test_sweep_measurements_warn_of_no_iteration_cap(n):
    """Sample runs and held-out fits stop at their caps by design: no ConvergenceWarning reaches the caller."""
    X = planted(3, n=n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sweep(X, topics=[2, 3, 4], runs=2, random_state=0)
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]


def test_sweep_is_reproducible_and_sparse_equals_dense():
    X = planted(3, seed=4)
    first = sweep(X, topics=[2, 3, 4], runs=2, random_state=0).table
    again = sweep(sp.csr_matrix(X), topics=[2, 3, 4], runs=2, random_state=0).table
    columns = ["k", "stability", "stability_std", "relative_error"]
    pd.testing.assert_frame_equal(first[columns], again[columns], rtol=1e-5)


def test_a_row_does_not_depend_on_the_other_k():
    # the k are fitted from the largest down, each beside the runs of another k: no figure depends on that
    X = planted(3, seed=4)
    whole = sweep(X, topics=[2, 3, 4], runs=2, random_state=0)
    alone = sweep(X, topics=[3], runs=2, random_state=0)
    assert list(whole.models) == list(whole.doc_topics) == [2, 3, 4]
    columns = ["k", "reconstruction_error", "heldout_error", "stability", "stability_std", "diversity"]
    pd.testing.assert_frame_equal(whole.table.loc[whole.table["k"] == 3, columns].reset_index(drop=True),
                                  alone.table[columns], rtol=1e-5)


def test_callback_counts_every_step():
    seen = []
    sweep(planted(2), topics=[2, 3], runs=2, random_state=0, callback=seen.append)
    steps = [info for info in seen if "total" in info]
    assert [info["done"] for info in steps] == list(range(1, steps[0]["total"] + 1))
    assert {info["stage"] for info in steps} == {"fit", "stability", "heldout", "score"}
    assert {info["k"] for info in steps} == {2, 3}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"topics": "5"}, "The 'topics' parameter of sweep must be an int >= 1 or an iterable of ints >= 1"),
        ({"topics": [0, 2]}, "The 'topics' parameter of sweep must be an int >= 1 or an iterable of ints"),
        ({"topics": []}, "The 'topics' parameter of sweep must be an int >= 1 or an iterable of ints"),
        ({"topics": [2, 500]}, "topics up to 500 is more than the data supports (40 documents, 30 terms)"),
        ({"runs": 0}, "The 'runs' parameter of sweep must be an int >= 1. Got 0."),
        ({"sample": 1.0}, "The 'sample' parameter of sweep must be a float in (0, 1). Got 1.0."),
        ({"sample": 0}, "The 'sample' parameter of sweep must be a float in (0, 1]. Got 0."),
        ({"test_fraction": 0.7}, "The 'test_fraction' parameter of sweep must be a float in (0, 0.5]. Got 0.7."),
        ({"random_state": "x"}, "The 'random_state' parameter of sweep must be None, an int"),
        ({"callback": 3}, "The 'callback' parameter of sweep must be None or a callable. Got 3."),
    ],
)
def test_sweep_errors(params, message):
    X = np.random.RandomState(0).rand(40, 30)
    with pytest.raises(InputError, match=re.escape(message)):
        sweep(X, **{"topics": [2, 3], **params})


def test_negative_matrix_is_refused():
    with pytest.raises(InputError, match="Negative values"):
        sweep(-np.ones((10, 8)), topics=[2])


# -- the rule --------------------------------------------------------------------------------------


def table_of(**columns):
    n = len(columns["k"])
    base = {name: np.full(n, np.nan) for name in COLUMNS}
    base.update({name: np.asarray(values, dtype=float) for name, values in columns.items()})
    base["k"] = np.asarray(columns["k"], dtype=int)
    return pd.DataFrame(base)


def test_rule_takes_the_knee_among_the_stable():
    # 6 and 8 are tied on stability (within 0.05); the error falls fast up to 8 and slowly after it.
    errors = np.sqrt([100, 80, 60, 50, 40, 30, 29, 28.5])
    table = table_of(k=range(3, 11), stability=[0.6, 0.6, 0.7, 0.9, 0.7, 0.88, 0.6, 0.5], reconstruction_error=errors)
    best, reason = recommend(table)
    assert best == 8
    assert "The most stable k is 6 (stability 0.900); within 0.05 of it: k = 6, 8." in reason
    assert "k = 8 is where the reconstruction error stops falling fast" in reason


def test_rule_takes_the_knee_of_the_error_among_good_topics():
    # the error falls fast up to 5 and slowly after it; the quality keeps rising to 8 (sub-themes
    # are coherent too), as on clean news: the knee at 5 wins
    c_npmi = [0.09, 0.14, 0.15, 0.16, 0.17, 0.18, 0.2]
    errors = np.sqrt([100, 80, 60, 40, 37, 34, 31])
    table = table_of(k=range(2, 9), stability=[0.9] * 7, reconstruction_error=errors, c_npmi=c_npmi,
                     diversity=[1.0] * 7)
    best, reason = recommend(table)
    assert best == 5
    assert ("Among the k within 0.1 of it, k = 5 has the best product of the knee of the reconstruction error "
            "(each topic up to it lowered the squared error 6.67 times as much as each of the next ones) and "
            "the topic quality (c_npmi 0.160).") in reason
    # a knee outside the stable k does not count
    assert recommend(table.assign(stability=[0.9, 0.9, 0.9, 0.7, 0.9, 0.9, 0.9]))[0] != 5


def test_rule_weighs_the_knee_by_the_topic_quality():
    # a sharp knee at 3 (a first split into broad groups) and a weaker one at 6 where the topics
    # are twice as coherent: the knee leads, the quality ((1 + c_npmi) / 2: 0.54 against 0.58)
    # weighs it and does not outweigh it, so 3
    c_npmi = [0.05, 0.08, 0.1, 0.12, 0.16, 0.17, 0.17]
    sharp = table_of(k=range(2, 9), stability=[0.9] * 7, reconstruction_error=np.sqrt([100, 60, 54, 48, 40, 38, 36]),
                     c_npmi=c_npmi, diversity=[1.0] * 7)
    np.testing.assert_allclose(_knees(sharp)[[1, 4]], [40 / 6, 4.0])
    assert recommend(sharp)[0] == 3
    # knees nearly as sharp (1.90 at 3, 1.85 at 6): the better topics settle it, either way
    close = sharp.assign(reconstruction_error=np.sqrt([100, 81, 71, 61, 46.2, 38.2, 30.2]))
    np.testing.assert_allclose(_knees(close)[[1, 4]], [1.9, 1.85])
    assert recommend(close)[0] == 6
    assert recommend(close.assign(c_npmi=[0.05, 0.16, 0.1, 0.12, 0.08, 0.17, 0.17]))[0] == 3
    # a quality that keeps rising with k (short texts: c_npmi 0.04 at 4, 0.14 at 12) does not carry
    # the choice past a sharper knee, as the mean c_npmi itself would (almost four times the weight at 12)
    rising = table_of(k=range(2, 16), stability=[0.9] * 14, diversity=[1.0] * 14,
                      reconstruction_error=np.sqrt(np.cumsum([0, -25, -25, -22, -20, -19, -18, -17, -16, -15, -15,
                                                              -13, -13, -12]) + 300.0),
                      c_npmi=np.linspace(0.01, 0.18, 14))
    knees = _knees(rising)
    assert np.nanargmax(knees) == 2 and np.nanmax(knees) < 1.25  # flat knees, the sharpest at 4
    assert recommend(rising)[0] == 4
    # topic diversity is reported, not weighed: words shared between the topics at 6 (the forms
    # of one theme, as earnings reports on newswire) leave the choice where it was
    assert recommend(close.assign(diversity=[1.0, 1.0, 1.0, 1.0, 0.3, 1.0, 1.0]))[0] == 6


def test_a_knee_needs_two_fits_after_it():
    # the squared error falls by 30 from 6 to 7 and by 1 after it: one fit after 7 cannot tell a
    # knee from an unlucky fit, so 7 has none and the rule takes the knee at 4 with two fits after it
    errors = np.sqrt([100, 80, 60, 55, 50, 20, 19])
    c_npmi = [0.1] * 7
    table = table_of(k=range(2, 9), stability=[0.9] * 7, reconstruction_error=errors, c_npmi=c_npmi,
                     diversity=[1.0] * 7)
    knees = _knees(table)
    assert np.isnan(knees[[0, -2, -1]]).all() and np.isfinite(knees[1:-2]).all()
    assert recommend(table)[0] == 4
    # of three k, the middle one is measured against the one after it
    three = _knees(table_of(k=[2, 3, 4], reconstruction_error=np.sqrt([100, 40, 30])))
    np.testing.assert_allclose(three, [np.nan, 6.0, np.nan])


def test_rule_falls_back_to_the_most_stable():
    table = table_of(k=[2, 3], stability=[0.5, 0.8], reconstruction_error=[2.0, 1.0])
    best, reason = recommend(table)
    assert best == 3 and "so the most stable one" in reason


def test_rule_on_one_k():
    best, reason = recommend(table_of(k=[7], stability=[0.4], stability_std=[0.0], reconstruction_error=[3.0]))
    assert best == 7 and "only" in reason


# -- TopicModel(n_topics="auto") -------------------------------------------------------------------


@pytest.fixture(scope="module")
def auto_model():
    return TopicModel("auto", vectorizer=TextVectorizer(min_df=1), random_state=0).fit(themed_corpus(4, seed=5))


def test_auto_keeps_the_chosen_model_and_the_table(auto_model):
    assert auto_model.n_topics_ == 4
    assert auto_model.doc_topic_.shape[1] == 4
    table = auto_model.sweep_
    assert table["k"].tolist() == list(topicnmf.selection.AUTO_TOPICS)
    assert table.attrs["best_k"] == 4 and table.attrs["reason"]
    assert "sweep" in auto_model.timings_
    # the chosen k is fitted as TopicModel(4) fits it (the sweep's reference fits stop earlier)
    plain = TopicModel(4, vectorizer=TextVectorizer(min_df=1), random_state=0).fit(themed_corpus(4, seed=5))
    np.testing.assert_allclose(auto_model.components_, plain.components_, rtol=1e-6, atol=1e-8)


def test_auto_sweep_saved_and_loaded(auto_model, tmp_path):
    auto_model.save(tmp_path / "m")
    loaded = TopicModel.load(tmp_path / "m")
    pd.testing.assert_frame_equal(loaded.sweep_, auto_model.sweep_, check_dtype=False)
    assert loaded.sweep_.attrs == auto_model.sweep_.attrs
    assert json.loads((tmp_path / "m" / "model.json").read_text())["sweep"]["best_k"] == 4
    assert TopicModel(2).fit(themed_corpus(2)).sweep_ is None


def test_auto_report_shows_the_sweep(auto_model, tmp_path):
    from topicnmf import reporting

    reporting.write_report(auto_model, tmp_path)
    page = (tmp_path / "report.html").read_text()
    section = page[page.index('<h2 id="sweep">'):]
    section = section[:section.index("<h2", 4)]
    assert "Recommended: k = 4." in section and "data:image/png;base64," in section
    best = re.findall(r'<tr class="best"[^>]*><td class="num">(\d+)</td>', section)
    assert best == ["4"] and section.count("<tr") == len(auto_model.sweep_) + 1
    table = pd.read_csv(tmp_path / "sweep.csv")
    assert table.loc[table["best"], "k"].tolist() == [4]
    assert (tmp_path / "plots" / "sweep.png").read_bytes()[:4] == b"\x89PNG"
    plain = TopicModel(2, random_state=0).fit(themed_corpus(2))
    (tmp_path / "plain").mkdir()
    reporting.write_report(plain, tmp_path / "plain")
    assert 'id="sweep"' not in (tmp_path / "plain" / "report.html").read_text()
    assert not (tmp_path / "plain" / "sweep.csv").exists()


def test_auto_refuses_a_tiny_corpus():
    with pytest.raises(InputError, match=re.escape("n_topics='auto' of TopicModel needs a corpus that supports at least 2 topics")):
        TopicModel("auto", vectorizer=TextVectorizer(min_df=1, max_df=1.0)).fit(["apple banana"])


# -- plot, files and command line ------------------------------------------------------------------


def test_plot_marks_the_choice(themed_sweep):
    from topicnmf.plotting import plot_sweep

    fig = plot_sweep(themed_sweep)
    shown = [c for c in COLUMNS if c in ("stability", "relative_error", "c_npmi", "c_v", "diversity", "fit_time")]
    if themed_sweep.table["heldout_error"].notna().any():
        shown.append("heldout_error")
    assert len(fig.axes) == len(shown)
    for ax in fig.axes:
        marks = [line for line in ax.get_lines() if line.get_label() == f"best k = {themed_sweep.best_k}"]
        assert len(marks) == 1 and list(marks[0].get_xdata()) == [5, 5]


def test_write_sweep_files(themed_sweep, tmp_path):
    from topicnmf.reporting.sweep import write_sweep

    out = write_sweep(themed_sweep, tmp_path / "sweep")
    table = pd.read_csv(out / "sweep.csv")
    assert table.columns.tolist() == list(COLUMNS) + ["best"]
    assert table.loc[table["best"], "k"].tolist() == [5]
    page = (out / "sweep.html").read_text()
    assert "Recommended: k = 5." in page and re.search(r'<tr class="best"[^>]*><td class="num">5</td>', page)
    assert "<svg" in page and "<script" not in page and 'src="http' not in page and 'href="http' not in page
    assert (out / "sweep.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(InputError, match=re.escape("exists; pass force=True to replace it")):
        write_sweep(themed_sweep, out)


@pytest.mark.parametrize(
    "text, values",
    [("5:30:5", [5, 10, 15, 20, 25, 30]), ("4:7", [4, 5, 6, 7]), ("4,6,8", [4, 6, 8]), ("8", [8])],
)
def test_cli_topics_ranges(text, values):
    from topicnmf.cli.sweep import parse_topics

    assert parse_topics(text) == values


@pytest.mark.parametrize("text", ["", "a:b", "5:30:0", "0,3", "3:"])
def test_cli_topics_ranges_refused(text):
    from topicnmf.cli.sweep import parse_topics

    with pytest.raises(InputError, match=re.escape("--topics must be start:stop[:step]")):
        parse_topics(text)


def test_cli_sweep_writes_and_marks_the_choice(tmp_path):
    from typer.testing import CliRunner

    from topicnmf.cli import app

    folder = tmp_path / "docs"
    folder.mkdir()
    for i, text in enumerate(themed_corpus(3, docs_per_theme=15, seed=2)):
        (folder / f"{i:03d}.txt").write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["sweep", str(folder), "--topics", "2:5", "--runs", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "3 │" in next(line for line in result.stdout.splitlines() if "best" in line and "│" in line) and "Recommended: k = 3." in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["sweep.csv", "sweep.html", "sweep.png"]
    again = CliRunner().invoke(app, ["sweep", str(folder), "--topics", "x", "--out", str(tmp_path / "o2")])
    assert again.exit_code == 2 and "Invalid value for '--topics'" in again.stderr and "start:stop[:step]" in again.stderr
    assert not (tmp_path / "o2").exists()


def test_cli_fit_topics_auto(tmp_path):
    from typer.testing import CliRunner

    from topicnmf.cli import app

    folder = tmp_path / "docs"
    folder.mkdir()
    for i, text in enumerate(themed_corpus(3, docs_per_theme=15, seed=2)):
        (folder / f"{i:03d}.txt").write_text(text)
    result = CliRunner().invoke(app, ["fit", str(folder), "--topics", "auto", "--min-df", "1", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert "Chose k = 3" in result.stderr and "3 topics of 45 documents" in result.stdout
    assert TopicModel.load(tmp_path / "o" / "model").sweep_.attrs["best_k"] == 3
    page = (tmp_path / "o" / "report.html").read_text()
    assert '<h2 id="sweep">Choosing the number of topics</h2>' in page and "Recommended: k = 3." in page
    assert (tmp_path / "o" / "sweep.csv").is_file() and (tmp_path / "o" / "plots" / "sweep.png").is_file()
    bad = CliRunner().invoke(app, ["fit", str(folder), "--topics", "many", "--out", str(tmp_path / "o3")])
    assert bad.exit_code == 2 and "Invalid value for '--topics'" in bad.stderr and "int >= 1 or 'auto'" in bad.stderr
