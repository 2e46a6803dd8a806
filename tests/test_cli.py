"""The command line, through typer's CliRunner on temporary folders."""

import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

import topicnmf
from topicnmf.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_one_line_error(result, fragment):
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.rstrip().endswith(errors[0]), "the error is the last line"
    assert fragment in errors[0], errors[0]


@pytest.fixture(scope="module")
def fitted_run(sample_corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    result = invoke("fit", sample_corpus_dir, "--topics", 8, "--out", out)
    assert result.exit_code == 0, result.output
    return out, result


def test_fit_writes_every_output(fitted_run):
    out, result = fitted_run
    for name in ["topics.csv", "doc_topics.csv", "run.json", "summary.csv", "model/model.json", "model/arrays.npz"]:
        assert (out / name).is_file(), name
    topics = pd.read_csv(out / "topics.csv")
    assert topics.columns.tolist() == ["topic", "rank", "word", "weight"]
    assert topics["topic"].nunique() == 8
    doc_topics = pd.read_csv(out / "doc_topics.csv")
    assert doc_topics.columns.tolist() == ["doc_id", "label"] + [f"topic_{t}" for t in range(8)] + ["top_topic"]
    assert len(doc_topics) >= 400
    run = json.loads((out / "run.json").read_text())
    assert run["parameters"]["n_topics"] == 8
    assert run["parameters"]["nmf"]["solver"] == "hals"
    assert len(run["corpus"]["sha256"]) == 64
    assert run["versions"]["topicnmf"] == topicnmf.__version__
    assert {"vectorize", "factorize"} <= set(run["timings"])
    assert "8 topics of" in result.stdout
    assert not list(out.parent.glob(".out.*")), "no staging folder is left behind"


def test_topics_command_prints_the_saved_topics(fitted_run):
    out, _ = fitted_run
    result = invoke("topics", out / "model", "--top-words", 5)
    assert result.exit_code == 0, result.output
    first = pd.read_csv(out / "topics.csv").query("topic == 0 and rank < 5")["word"]
    assert " ".join(first) in result.stdout


def test_transform_command_writes_new_document_topics(fitted_run, tmp_path):
    out, _ = fitted_run
    docs = tmp_path / "new.csv"
    pd.DataFrame({"text": ["the telescope showed the moons of jupiter", "knead the dough and bake bread"]}).to_csv(
        docs, index=False
    )
    target = tmp_path / "new_topics.csv"
    result = invoke("transform", out, docs, "--output", target)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(target)
    assert len(table) == 2 and "top_topic" in table
    assert table["top_topic"].nunique() == 2
    again = invoke("transform", out, docs, "--output", target)
    assert_one_line_error(again, "exists; pass --force")


def test_report_command_rebuilds_the_report(fitted_run):
    out, _ = fitted_run
    (out / "summary.csv").unlink()
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    assert (out / "summary.csv").is_file()


def test_existing_output_needs_force(sample_corpus_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = invoke("fit", sample_corpus_dir, "-k", 8, "--out", out)
    assert_one_line_error(result, "exists; pass --force")
    assert (out / "keep.txt").read_text() == "mine"
    result = invoke("fit", sample_corpus_dir, "-k", 8, "--out", out, "--force", "--top-words", 4)
    assert result.exit_code == 0, result.output
    assert not (out / "keep.txt").exists()
    assert pd.read_csv(out / "topics.csv")["rank"].max() == 3


@pytest.mark.parametrize(
    "make, args, fragment",
    [
        (lambda p: None, ["-k", 3], "does not exist. Pass an existing folder or file"),
        (lambda p: p.mkdir(), ["-k", 3], "no .txt or .md files"),
        (lambda p: (p.mkdir(), (p / "a.txt").write_text("the and of")), ["-k", 1], "stop words"),
        (
            lambda p: (p.mkdir(), (p / "a.txt").write_text("cats purr softly"), (p / "b.txt").write_text("dogs bark")),
            ["-k", 5, "--min-df", 1],
            "n_topics=5 is more than",
        ),
        (lambda p: (p.mkdir(), (p / "a.txt").write_text("cats purr")), ["-k", 1, "--solver", "cd"], "--solver"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, make, args, fragment):
    corpus = tmp_path / "corpus"
    make(corpus)
    out = tmp_path / "out"
    result = invoke("fit", corpus, "--out", out, *args)
    assert_one_line_error(result, fragment)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] in ([], ["corpus"])


def test_bad_option_value_is_a_usage_error(sample_corpus_dir, tmp_path):
    result = invoke("fit", sample_corpus_dir, "--topics", 0, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_load_errors_are_one_line(tmp_path):
    result = invoke("topics", tmp_path)
    assert_one_line_error(result, "is not a topicnmf model")


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert topicnmf.__version__ in result.stdout


def test_python_dash_m():
    result = subprocess.run([sys.executable, "-m", "topicnmf", "--help"], capture_output=True, text=True, check=True)
    assert "fit" in result.stdout


@pytest.mark.parametrize(
    "statement, absent",
    [
        ("import topicnmf", ("typer", "rich", "matplotlib", "sklearn")),
        # scikit-learn itself may load rich; topicnmf's library code never does
        ("import topicnmf; topicnmf.TopicModel; topicnmf.coherence; topicnmf.reporting", ("typer", "matplotlib")),
    ],
)
def test_import_is_light(statement, absent):
    code = f"import sys; {statement}; print(sorted(m for m in {absent!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
