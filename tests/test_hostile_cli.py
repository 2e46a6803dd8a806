"""Hostile use of the command line: every case ends in one clean line (or works), loses nothing,
leaves nothing half-written and injects nothing into the terminal.

Each case is a function that prepares a folder and returns the command's arguments and the
exit codes it may end with. Every case is checked the same way (:func:`problems`): the exit
code; stderr of the failing ones ends in exactly one ``Error:`` line, and no line of it is
anything but a message (no traceback, no usage box); no raw control character reaches the
terminal; the corpus and every file that existed before are byte-identical afterwards; no
staging folder is left. The count of clean cases is printed at the end of the session
(``N cases: N clean``, from ``pytest_terminal_summary`` in conftest.py).

Cases that need signals, a killed process or two processes at once run ``python -m topicnmf``
in subprocesses.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from topicnmf.cli import app

ROOT = Path(__file__).resolve().parents[1]
SUITE = "hostile CLI"
THEMES = [
    "the striker scored a goal and the goalkeeper could not stop the penalty kick",
    "bake the bread in a hot oven until the crust is golden and crisp",
    "the telescope showed saturn rings and the moons of jupiter at night",
]
FIT = ["-k", "3", "--min-df", "1"]
MESSAGE_LINE = re.compile(r"^(Error|Warning): |^Read \d|^Wrote ")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def make_corpus(folder: Path, extra: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(12):
        (folder / f"d{i:02d}.txt").write_text(f"{THEMES[i % 3]} {i}", encoding="utf-8")
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def snapshot(root: Path) -> dict[str, str]:
    """Every file and link under ``root``: path -> hash of its bytes (or the link's target)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def staging_left(root: Path) -> list[str]:
    """Staging folders and temporary files under ``root``."""
    return sorted(str(p) for p in root.rglob(".*") if re.search(r"\.topicnmf-(staging|old)-|\.tmp$", p.name))


# -- the cases: each prepares `tmp` and returns (args, allowed exit codes, expected fragment or None)


def fit_into_the_corpus(tmp):
    return ["fit", tmp / "c", "--out", tmp / "c", "--force", *FIT], {1}, "holds the corpus"


def fit_into_the_parent_of_a_corpus_file(tmp):
    pd.DataFrame({"text": THEMES * 4}).to_csv(tmp / "c" / "docs.csv", index=False)
    return ["fit", tmp / "c" / "docs.csv", "--out", tmp / "c", "--force", *FIT], {1}, "holds the corpus"


def fit_into_the_working_directory(tmp):
    return ["fit", tmp / "c", "--out", ".", "--force", *FIT], {1}, "is the current working directory or holds it"


def fit_into_a_parent_of_the_working_directory(tmp):
    return ["fit", tmp / "c", "--out", "..", "--force", *FIT], {1}, "is the current working directory or holds it"


def fit_into_an_empty_path(tmp):
    return ["fit", tmp / "c", "--out", "", "--force", *FIT], {1}, "current working directory"


def force_into_an_unrelated_folder(tmp):
    (tmp / "photos").mkdir()
    (tmp / "photos" / "holiday.jpg").write_bytes(b"\xff\xd8 not really a photo")
    return ["fit", tmp / "c", "--out", tmp / "photos", "--force", *FIT], {1}, "was not written by topicnmf"


def force_into_a_folder_with_a_fake_run_file(tmp):
    (tmp / "notes").mkdir()
    (tmp / "notes" / "run.json").write_text('{"format": "something else"}')
    (tmp / "notes" / "todo.txt").write_text("keep me")
    return ["fit", tmp / "c", "--out", tmp / "notes", "--force", *FIT], {1}, "was not written by topicnmf"


def force_through_a_link_to_a_run_folder(tmp):
    (tmp / "real").mkdir()
    (tmp / "real" / "run.json").write_text('{"format": "topicnmf-run"}')
    (tmp / "link").symlink_to(tmp / "real")
    return ["fit", tmp / "c", "--out", tmp / "link", "--force", *FIT], {1}, "is a symbolic link"


def out_is_a_file(tmp):
    (tmp / "file.txt").write_text("mine")
    return ["fit", tmp / "c", "--out", tmp / "file.txt", "--force", *FIT], {1}, "is not a folder"


def out_has_no_parent(tmp):
    return ["fit", tmp / "c", "--out", tmp / "no" / "such" / "out", *FIT], {1}, "parent folder"


def existing_run_without_force(tmp):
    (tmp / "out").mkdir()
    (tmp / "out" / "run.json").write_text('{"format": "topicnmf-run"}')
    return ["fit", tmp / "c", "--out", tmp / "out", *FIT], {1}, "exists; pass --force"


def topics_zero(tmp):
    return ["fit", tmp / "c", "--topics", "0", "--out", tmp / "out"], {2}, "'--topics'"


def min_df_negative(tmp):
    return ["fit", tmp / "c", "--min-df", "-1", "--out", tmp / "out"], {2}, "'--min-df'"


def min_df_not_a_number(tmp):
    return ["fit", tmp / "c", "--min-df", "lots", "--out", tmp / "out"], {2}, "'--min-df'"


def min_df_nan(tmp):
    return ["fit", tmp / "c", "--min-df", "nan", "--out", tmp / "out", "-k", "3"], {1, 2}, "--min-df"


def max_df_inf(tmp):
    return ["fit", tmp / "c", "--max-df", "inf", "--out", tmp / "out", "-k", "3"], {1}, "--max-df"


def max_df_fraction_above_one(tmp):
    return ["fit", tmp / "c", "--max-df", "2.5", "--out", tmp / "out", "-k", "3"], {1}, "Got 2.5."


def seed_too_large(tmp):
    return ["fit", tmp / "c", "--seed", str(2**32), "--out", tmp / "out", *FIT], {2}, "'--seed'"


def seed_negative(tmp):
    return ["fit", tmp / "c", "--seed", "-5", "--out", tmp / "out", *FIT], {2}, "'--seed'"


def unknown_solver(tmp):
    return ["fit", tmp / "c", "--solver", "cd", "--out", tmp / "out", *FIT], {1}, "The --solver option"


def missing_corpus(tmp):
    return ["fit", tmp / "nothing", "--out", tmp / "out", *FIT], {1}, "does not exist"


def missing_text_column(tmp):
    pd.DataFrame({"body": THEMES * 4}).to_csv(tmp / "c" / "docs.csv", index=False)
    return ["fit", tmp / "c" / "docs.csv", "--out", tmp / "out", *FIT], {1}, "--text-column"


def too_many_topics(tmp):
    return ["fit", tmp / "c", "-k", "500", "--min-df", "1", "--out", tmp / "out"], {1}, "--topics 500"


def unknown_option(tmp):
    return ["fit", tmp / "c", "--topicz", "3"], {2}, "No such option"


def unknown_command(tmp):
    return ["fitt", tmp / "c"], {2}, "No such command"


def missing_argument(tmp):
    return ["fit"], {2}, "Missing argument"


def a_150_character_token(tmp):
    token = "x" * 150
    make_corpus(tmp / "c", {f"long{i}.txt": f"{token} {THEMES[i % 3]} {token}" for i in range(6)})
    return ["fit", tmp / "c", "--out", tmp / "out", *FIT], {0}, None


def markup_and_escapes_in_the_corpus_path(tmp):
    corpus = make_corpus(tmp / "c[/bold][red]\x1b[2J\x1b]52;c;aGVsbG8=\x07")
    return ["fit", corpus, "--out", tmp / "out", *FIT], {0}, None


def markup_and_escapes_in_words(tmp):
    make_corpus(tmp / "c", {f"odd{i}.txt": "[/bold] [red]alarm[/red] \x1b[2J \x1b]52;c;aGVsbG8=\x07 :smile:" for i in range(4)})
    return ["fit", tmp / "c", "--out", tmp / "out", *FIT], {0}, None


def a_file_name_that_is_not_utf8(tmp):
    for i in range(3):
        with open(os.path.join(os.fsencode(tmp / "c"), b"caf\xe9-%d.txt" % i), "w") as stream:
            stream.write(THEMES[i])
    return ["fit", tmp / "c", "--out", tmp / "out", *FIT], {0, 1}, None


def formula_ids_in_a_table(tmp):
    ids = [f'=HYPERLINK("http://evil/{i}","x")' for i in range(4)] + ["+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]
    ids += [f"plain{i}" for i in range(12 - len(ids))]
    pd.DataFrame({"id": ids, "text": [f"{THEMES[i % 3]} {i}" for i in range(12)]}).to_csv(
        tmp / "c" / "docs.csv", index=False
    )
    return ["fit", tmp / "c" / "docs.csv", "--id-column", "id", "--out", tmp / "out", *FIT], {0}, None


def report_through_a_plots_link(tmp):
    run = fitted_run(tmp)
    (tmp / "elsewhere").mkdir()
    (tmp / "elsewhere" / "top_words.png").write_bytes(b"precious")
    import shutil

    shutil.rmtree(run / "plots")
    (run / "plots").symlink_to(tmp / "elsewhere")
    return ["report", run], {1}, "topicnmf does not write through links"


def report_of_a_model_folder(tmp):
    return ["report", fitted_run(tmp) / "model"], {1}, "pass the run folder"


def report_of_a_foreign_folder(tmp):
    return ["report", tmp / "c"], {1}, "is not a run folder"


def transform_into_a_folder(tmp):
    return ["transform", fitted_run(tmp), tmp / "c", "-o", tmp / "c"], {1}, "is a folder"


def transform_into_a_missing_folder(tmp):
    return ["transform", fitted_run(tmp), tmp / "c", "-o", tmp / "no" / "x.csv"], {1}, "does not exist"


def transform_over_its_input(tmp):
    pd.DataFrame({"text": THEMES}).to_csv(tmp / "c" / "new.csv", index=False)
    args = ["transform", fitted_run(tmp), tmp / "c" / "new.csv", "-o", tmp / "c" / "new.csv", "--force"]
    return args, {1}, "would overwrite the input"


def transform_over_the_model(tmp):
    run = fitted_run(tmp)
    args = ["transform", run, tmp / "c", "-o", run / "model" / "model.json", "--force"]
    return args, {1}, "would overwrite the input"


def topics_of_a_crafted_vocabulary(tmp):
    run = fitted_run(tmp)
    state = json.loads((run / "model" / "model.json").read_text())
    state["vocabulary"][0] = "\x1b]52;c;aGVsbG8=\x07\x1b[2J[/bold]"
    (run / "model" / "model.json").write_text(json.dumps(state))
    return ["topics", run], {0, 1}, None


CASES = [value for name, value in list(globals().items()) if callable(value) and getattr(value, "__module__", "") == __name__
         and name not in {"make_corpus", "snapshot", "staging_left", "fitted_run", "problems", "record"}
         and not name.startswith(("test_", "_"))]


def fitted_run(tmp: Path) -> Path:
    """A run folder fitted on the small corpus, made once per case that needs one."""
    run = tmp / "run"
    if not run.exists():
        result = CliRunner().invoke(app, [str(a) for a in ["fit", tmp / "c", "--out", run, *FIT]])
        assert result.exit_code == 0, result.output
    return run


def problems(exit_code: int, stdout: str, stderr: str, allowed: set[int], fragment: str | None) -> list[str]:
    """What is not clean about one run of the command line."""
    found = []
    if exit_code not in allowed:
        found.append(f"exit code {exit_code}, expected one of {sorted(allowed)}")
    if "Traceback" in stdout + stderr:
        found.append("a traceback")
    if CONTROL.search(stdout + stderr):
        found.append(f"a raw control character reached the terminal: {CONTROL.search(stdout + stderr).group()!r}")
    lines = [line for line in stderr.splitlines() if line.strip()]
    stray = [line for line in lines if not MESSAGE_LINE.match(line)]
    if stray:
        found.append(f"stderr lines that are not messages: {stray[:3]}")
    errors = [line for line in lines if line.startswith("Error: ")]
    if exit_code != 0:
        if len(errors) != 1 or not lines or lines[-1] != errors[0]:
            found.append(f"not exactly one error line at the end: {lines[-3:]}")
        elif fragment and fragment not in errors[0]:
            found.append(f"the error does not say {fragment!r}: {errors[0]}")
    elif errors:
        found.append(f"an error line on success: {errors}")
    return found


@pytest.fixture
def record(hostile_results):
    def add(name: str, found: list[str]) -> None:
        hostile_results.setdefault(SUITE, {})[name] = not found
        assert not found, f"{name}: {found}"

    return add


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_hostile_case(case, tmp_path, monkeypatch, record):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    make_corpus(tmp_path / "c")
    args, allowed, fragment = case(tmp_path)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(app, [str(a) for a in args])
    found = problems(result.exit_code, result.stdout, result.stderr, allowed, fragment)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        found.append(f"an exception escaped: {result.exception!r}")
    after = snapshot(tmp_path)
    lost = [path for path, digest in before.items() if after.get(path) != digest]
    if lost:
        found.append(f"changed or lost: {lost[:5]}")
    if staging_left(tmp_path):
        found.append(f"left behind: {staging_left(tmp_path)}")
    if result.exit_code != 0 and (tmp_path / "out").exists() and "out" not in {p.split("/")[0] for p in before}:
        found.append("a half-written output folder")
    if result.exit_code == 0 and case is formula_ids_in_a_table:
        cells = (tmp_path / "out" / "doc_topics.csv").read_text().splitlines()
        if any(re.match(r"^\"?[=+\-@\t]", cell) for cell in cells[1:]):
            found.append("a formula cell in doc_topics.csv")
    record(case.__name__, found)


# -- cases that need processes: signals, a killed run, two runs at once -----------------------

_WRAPPER = textwrap.dedent(
    """
    import os, signal, sys
    from topicnmf.reporting import output
    original = output.OutputFolder.write_bytes
    SIGNAL = getattr(signal, sys.argv[1])
    def write_bytes(self, name, data):
        os.kill(os.getpid(), SIGNAL)
        return original(self, name, data)
    output.OutputFolder.write_bytes = write_bytes
    from topicnmf.cli import main
    sys.argv = ["topicnmf", *sys.argv[2:]]
    main()
    """
)


def _env():
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_signals_while_writing(tmp_path, record):
    """SIGTERM, SIGHUP and SIGINT while the run folder is being written: 143, 129, 130, one line, nothing left."""
    corpus = make_corpus(tmp_path / "c")
    before = snapshot(corpus)
    expected = {"SIGTERM": 143, "SIGHUP": 129, "SIGINT": 130}
    runs = {
        name: subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, name, "fit", str(corpus), "--out", str(tmp_path / name), *FIT],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
        )
        for name in expected
    }
    ended = {name: process.communicate(timeout=300) for name, process in runs.items()}
    for name, (stdout, stderr) in ended.items():  # every run has ended: no staging folder is in use
        found = problems(runs[name].returncode, stdout, stderr, {expected[name]}, f"Interrupted by {name}")
        if (tmp_path / name).exists() or staging_left(tmp_path):
            found.append(f"left behind: {staging_left(tmp_path) or name}")
        if snapshot(corpus) != before:
            found.append("the corpus changed")
        record(f"signal_{name}_while_writing", found)


def test_killed_run_is_swept_by_the_next(tmp_path, record):
    """SIGKILL leaves a staging folder; the next run beside it proves it stale and removes it."""
    corpus = make_corpus(tmp_path / "c")
    killed = subprocess.run(
        [sys.executable, "-c", _WRAPPER, "SIGKILL", "fit", str(corpus), "--out", str(tmp_path / "out"), *FIT],
        capture_output=True, text=True, env=_env(), timeout=300,
    )
    found = [] if killed.returncode == -signal.SIGKILL else [f"exit {killed.returncode}"]
    left = staging_left(tmp_path)
    if not left:
        found.append("the killed run left no staging folder to sweep (the case tests nothing)")
    mine = tmp_path / f".keep.topicnmf-staging-{os.getpid()}-{'0' * 16}"  # a live process's: kept
    mine.mkdir()
    (mine / ".topicnmf-staging").write_text(json.dumps({"pid": os.getpid(), "token": "0" * 16, "host": os.uname().nodename}))
    result = CliRunner().invoke(app, [str(a) for a in ["fit", corpus, "--out", tmp_path / "out", *FIT]])
    found += problems(result.exit_code, result.stdout, result.stderr, {0}, None)
    if [p for p in staging_left(tmp_path) if p != str(mine)]:
        found.append(f"not swept: {staging_left(tmp_path)}")
    if not mine.exists():
        found.append("a live process's staging folder was removed")
    record("sigkill_then_sweep", found)


def test_two_runs_into_one_folder(tmp_path, record):
    """Two `fit --out same` at once, without --force: exactly one wins, the other says so in one line."""
    corpus = make_corpus(tmp_path / "c")
    command = [sys.executable, "-m", "topicnmf", "fit", str(corpus), "--out", str(tmp_path / "same"), *FIT]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
            for _ in range(2)]
    results = [(p.returncode, *outputs) for p, outputs in ((p, p.communicate(timeout=300)) for p in runs)]
    codes = sorted(code for code, _, _ in results)
    found = [] if codes == [0, 1] else [f"exit codes {codes}, expected one winner"]
    for code, stdout, stderr in results:
        found += problems(code, stdout, stderr, {0, 1}, "Output folder")
    if not (tmp_path / "same" / "run.json").is_file() or staging_left(tmp_path):
        found.append("no complete run folder, or staging left behind")
    record("two_runs_into_one_folder", found)
