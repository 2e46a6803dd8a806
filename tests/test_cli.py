"""The command line, through typer's CliRunner on temporary folders."""

import json
import re
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

import topicnmf
from topicnmf.cli import app
from topicnmf.cli._errors import PARAMETER_FLAGS, cli_message

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_one_line_error(result, fragment, code=1):
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.rstrip().endswith(errors[0]), "the error is the last line"
    assert fragment in errors[0], errors[0]


@pytest.fixture(scope="module")
def fitted_run(sample_corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    result = invoke("fit", sample_corpus_dir, "--topics", 8, "--out", out, "--top-words", 7)
    assert result.exit_code == 0, result.output
    return out, result


def test_fit_writes_every_output(fitted_run):
    out, result = fitted_run
    for name in ["topics.csv", "doc_topics.csv", "run.json", "summary.csv", "model/model.json", "model/arrays.npz"]:
        assert (out / name).is_file(), name
    topics = pd.read_csv(out / "topics.csv")
    assert topics.columns.tolist() == ["topic", "rank", "word", "weight"]
    assert topics["topic"].nunique() == 8 and topics["rank"].max() == 6
    doc_topics = pd.read_csv(out / "doc_topics.csv")
    assert doc_topics.columns.tolist() == ["doc_id", "label"] + [f"topic_{t}" for t in range(8)] + ["top_topic"]
    assert len(doc_topics) >= 400
    summary = pd.read_csv(out / "summary.csv")
    assert summary.columns.tolist() == ["topic", "topic_label", "size", "share", "coherence", "top_words"]
    assert not list(out.parent.glob(".out.*")), "no staging folder is left behind"


def test_run_json_records_the_run_not_the_model(fitted_run):
    out, _ = fitted_run
    run = json.loads((out / "run.json").read_text())
    assert run["format"] == "topicnmf-run"
    assert run["settings"]["top_n"] == 7 and run["settings"]["normalize"] is False
    assert len(run["corpus"]["sha256"]) == 64 and run["corpus"]["documents"] >= 400
    assert run["versions"]["topicnmf"] == topicnmf.__version__
    assert {"vectorize", "factorize", "report", "write_outputs"} <= set(run["timings"])
    assert "parameters" not in run and "n_topics" not in json.dumps(run), "the model's parameters live in model/"
    model = json.loads((out / "model" / "model.json").read_text())
    assert model["params"]["n_topics"] == 8 and model["nmf"]["params"]["solver"] == "hals"


def test_fit_prints_share_and_names_the_coherence_measure(fitted_run):
    out, result = fitted_run
    assert "8 topics of" in result.stdout
    header = next(line for line in result.stdout.splitlines() if "topic" in line and "share" in line)
    assert "coherence (c_npmi)" in header and "size" in header
    summary = pd.read_csv(out / "summary.csv")
    assert f"{100 * summary['share'][0]:.1f}%" in result.stdout
    assert result.stderr.splitlines()[-1] == f"Wrote {out}"
    assert re.match(r"Read \d+ documents from ", result.stderr.splitlines()[0])


def test_topics_command_prints_the_saved_topics(fitted_run):
    out, _ = fitted_run
    for folder in (out, out / "model"):
        result = invoke("topics", folder, "--top-words", 5)
        assert result.exit_code == 0, result.output
        first = pd.read_csv(out / "topics.csv").query("topic == 0 and rank < 5")["word"]
        assert " ".join(first) in result.stdout
        assert "coherence (c_npmi)" in result.stdout


def test_transform_command_writes_new_document_topics(fitted_run, tmp_path):
    out, _ = fitted_run
    docs = tmp_path / "new.csv"
    pd.DataFrame({"text": ["the telescope showed the moons of jupiter", "knead the dough and bake bread"]}).to_csv(
        docs, index=False
    )
    target = tmp_path / "new_topics.csv"
    result = invoke("transform", out, docs, "--output", target, "--normalize")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(target)
    assert len(table) == 2 and table["top_topic"].nunique() == 2
    assert table.filter(like="topic_").sum(axis=1).round(4).tolist() == [1.0, 1.0]
    again = invoke("transform", out, docs, "--output", target)
    assert_one_line_error(again, "exists; pass --force to replace it or choose another --output.")


def test_transform_writes_parquet(fitted_run, tmp_path):
    pytest.importorskip("pyarrow")
    out, _ = fitted_run
    docs = tmp_path / "new.txt"
    docs.write_text("the telescope showed the moons of jupiter\nknead the dough and bake bread\n")
    result = invoke("transform", out, docs, "-o", tmp_path / "new.parquet")
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(tmp_path / "new.parquet")["doc_id"].tolist() == ["line_1", "line_2"]


def test_report_keeps_the_fit_settings(fitted_run):
    out, _ = fitted_run
    (out / "summary.csv").unlink()
    result = invoke("report", out)
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "summary.csv")
    assert summary["top_words"].str.split().str.len().max() == 7, "--top-words 7 of the fit is kept"
    result = invoke("report", out, "--top-words", 3)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "summary.csv")["top_words"].str.split().str.len().max() == 3


def test_report_refuses_a_model_folder_and_foreign_folders(fitted_run, tmp_path):
    out, _ = fitted_run
    before = sorted(p.name for p in (out / "model").iterdir())
    assert_one_line_error(invoke("report", out / "model"), f"pass the run folder '{out}' itself")
    assert sorted(p.name for p in (out / "model").iterdir()) == before
    assert_one_line_error(invoke("report", tmp_path), "is not a run folder written by 'topicnmf fit' (no run.json)")


def test_fit_normalize_and_parquet(sample_corpus_dir, tmp_path):
    pytest.importorskip("pyarrow")
    out = tmp_path / "out"
    result = invoke("fit", sample_corpus_dir, "-k", 8, "--out", out, "--normalize", "--parquet")
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out / "doc_topics.parquet")
    sums = table.filter(like="topic_").sum(axis=1)
    assert ((sums - 1).abs() < 1e-6).sum() >= len(table) - 5, "rows of documents with weight sum to 1"
    assert (out / "topics.parquet").is_file() and not (out / "doc_topics.csv").exists()
    assert json.loads((out / "run.json").read_text())["settings"]["normalize"] is True


def test_existing_output_needs_force_and_force_replaces_only_run_folders(sample_corpus_dir, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = invoke("fit", sample_corpus_dir, "-k", 8, "--out", out)
    assert_one_line_error(result, "exists; pass --force to replace it or choose another --out.")
    result = invoke("fit", sample_corpus_dir, "-k", 8, "--out", out, "--force")
    assert_one_line_error(result, "was not written by topicnmf (it has no run.json); --force replaces only run folders")
    assert (out / "keep.txt").read_text() == "mine"
    (out / "keep.txt").unlink()
    result = invoke("fit", sample_corpus_dir, "-k", 8, "--out", out, "--force", "--top-words", 4)
    assert result.exit_code == 0, result.output
    result = invoke("fit", sample_corpus_dir, "-k", 8, "--out", out, "--force", "--top-words", 3)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out / "topics.csv")["rank"].max() == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "nothing left beside the run folder"


@pytest.mark.parametrize(
    "make, args, fragment",
    [
        (lambda p: None, ["-k", 3], "does not exist. Pass an existing folder or file"),
        (lambda p: p.mkdir(), ["-k", 3], "no .txt or .md files"),
        (lambda p: (p.mkdir(), (p / "a.txt").write_text("the and of")), ["-k", 1], "stop words"),
        (
            lambda p: (p.mkdir(), (p / "a.txt").write_text("cats purr softly"), (p / "b.txt").write_text("dogs bark")),
            ["-k", 5, "--min-df", 1],
            "--topics 5 is more than",
        ),
        (
            lambda p: (p.mkdir(), (p / "a.txt").write_text("cats purr")),
            ["-k", 1, "--solver", "cd"],
            "The --solver option must be one of 'als', 'hals', 'mu'. Got 'cd'.",
        ),
        (
            lambda p: (p.mkdir(), (p / "a.txt").write_text("cats purr")),
            ["-k", 1, "--max-df", 2.5],
            "The --max-df option must be a share in [0, 1] or a whole number of documents. Got 2.5.",
        ),
        (
            lambda p: (p.mkdir(), (p / "a.txt").write_text("cats purr")),
            ["-k", 1, "--max-df", "inf"],
            "The --max-df option must be a share in [0, 1] or a whole number of documents. Got inf.",
        ),
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


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--topics", 0], "Invalid value for '--topics' / '-k'"),
        (["--min-df", -1], "Invalid value for '--min-df'"),
        (["--seed", 2**32], "Invalid value for '--seed'"),
        (["--bogus"], "No such option: --bogus"),
    ],
)
def test_usage_errors_are_one_line(sample_corpus_dir, tmp_path, args, fragment):
    result = invoke("fit", sample_corpus_dir, "--out", tmp_path / "out", *args)
    assert_one_line_error(result, fragment, code=2)
    assert "(see 'topicnmf fit --help')" in result.stderr or "fit --help" in result.stderr
    assert not (tmp_path / "out").exists()


def test_load_errors_are_one_line(tmp_path):
    result = invoke("topics", tmp_path)
    assert_one_line_error(result, "is not a topicnmf model")


@pytest.mark.parametrize(
    "message, shown",
    [
        ("The 'n_topics' parameter of TopicModel must be an int >= 1. Got 0.", "The --topics option must be an int >= 1. Got 0."),
        ("n_topics=5 is more than the corpus supports; lower min_df.", "--topics 5 is more than the corpus supports; lower --min-df."),
        ("Output folder 'x' exists; pass force=True to replace it or choose another out_dir.",
         "Output folder 'x' exists; pass --force to replace it or choose another --out."),
        ("The DataFrame has no column 'text'; set text_column to the column.", "The DataFrame has no column 'text'; set --text-column to the column."),
        ("The 'measures' parameter of write_report names a measure twice.", "The 'measures' parameter of write_report names a measure twice."),
        ("The 'run_dir' parameter of write_report is wrong.", "The RUN_DIR argument is wrong."),
    ],
)
def test_library_names_map_to_flags(message, shown):
    assert cli_message(message) == shown


def test_every_mapped_flag_exists():
    from typer.main import get_command

    def commands(group):  # sub-apps such as `image` included
        for sub in group.commands.values():
            yield from commands(sub) if hasattr(sub, "commands") else [sub]

    every = list(commands(get_command(app)))
    flags = {opt for sub in every for param in sub.params for opt in param.opts}
    flags |= {param.name.upper() for sub in every for param in sub.params}
    assert set(PARAMETER_FLAGS.values()) <= flags


def test_version_and_help():
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"topicnmf {topicnmf.__version__}"
    result = invoke("--help")
    assert result.exit_code == 0 and "fit" in result.stdout and "--version" in result.stdout
    result = invoke("fit", "--help")
    assert result.exit_code == 0 and "--topics" in result.stdout and "--normalize" in result.stdout


def test_python_dash_m():
    result = subprocess.run([sys.executable, "-m", "topicnmf", "--help"], capture_output=True, text=True, check=True)
    assert "fit" in result.stdout


@pytest.mark.parametrize(
    "statement, absent",
    [
        ("import topicnmf", ("typer", "rich", "matplotlib", "sklearn")),
        ("import topicnmf.cli", ("numpy", "pandas", "sklearn", "matplotlib", "rich", "pydantic")),
        ("import topicnmf.reporting.output", ("numpy", "pandas")),
        # scikit-learn itself may load rich; topicnmf's library code never does
        ("import topicnmf; topicnmf.TopicModel; topicnmf.coherence; topicnmf.reporting.write_report", ("typer", "matplotlib")),
    ],
)
def test_import_is_light(statement, absent):
    code = f"import sys; {statement}; print(sorted(m for m in {absent!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_python_m_version_answers_without_typer():
    code = "import runpy, sys; sys.argv = ['topicnmf', '--version']; runpy.run_module('topicnmf', run_name='__main__'); print(sorted(m for m in ('typer', 'rich', 'numpy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == [f"topicnmf {topicnmf.__version__}", "[]"]


def test_fit_as_a_process_ends_with_its_outputs_and_messages_complete(sample_corpus_dir, tmp_path):
    # the command ends without the interpreter's teardown: everything must be written and flushed before
    out = tmp_path / "run"
    result = subprocess.run([sys.executable, "-m", "topicnmf", "fit", str(sample_corpus_dir), "-k", "8", "--out",
                             str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"Wrote {out}" in result.stderr + result.stdout
    assert json.loads((out / "run.json").read_text())["corpus"]["documents"] > 0
    assert (out / "report.html").read_text().rstrip().endswith("</html>")
    assert sorted(p.name for p in (out / "plots").iterdir()) == [
        "coherence.png", "convergence.png", "doc_topics.png", "prevalence.png", "top_words.png"]


@pytest.mark.parametrize("args", [["--version"], ["fit", "--help"], ["--help"]])
def test_start_up_loads_nothing_heavy(args):
    code = (
        "import sys\nfrom topicnmf.cli import main\nsys.argv = ['topicnmf', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = ('numpy', 'pandas', 'sklearn', 'matplotlib', 'pydantic', 'scipy')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "[]"
