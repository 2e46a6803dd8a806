"""The ``topicnmf`` command line: one thin function per command over the library."""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

import topicnmf
from topicnmf.errors import InputError

app = typer.Typer(
    help="Topic modeling with non-negative matrix factorization.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

SOLVERS = ("hals", "mu", "als")


def _version(value: bool):
    if value:
        out.print(f"topicnmf {topicnmf.__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
):
    """Topic modeling with non-negative matrix factorization."""


@contextmanager
def _user_errors():
    """Turn bad input into one line on stderr and exit code 1; show warnings as one line each."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except (InputError, FileNotFoundError, FileExistsError, NotADirectoryError, PermissionError) as error:
            _show_warnings(caught)
            message = str(error) if isinstance(error, InputError) else f"{error.strerror}: '{error.filename}'"
            err.print(f"[red]Error:[/red] {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except ValueError as error:
            _show_warnings(caught)
            err.print(f"[red]Error:[/red] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    _show_warnings(caught)


def _show_warnings(caught):
    seen = set()
    for w in caught:
        text = f"{w.category.__name__}: {w.message}"
        if text not in seen and not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)):
            seen.add(text)
            err.print(f"[yellow]Warning:[/yellow] {text}", highlight=False, soft_wrap=True)


@contextmanager
def _progress():
    """A progress display on stderr, quiet when stderr is not a terminal."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with progress:
        yield progress


def _reading_callback(progress: Progress):
    task = progress.add_task("Reading", total=None, detail="")

    def callback(info):
        progress.update(task, completed=info["done"], total=info.get("total"), detail=f"{info['done']} documents")

    return callback


def _fitting_callback(progress: Progress, max_iter: int):
    tasks = {}

    def callback(info):
        stage = info["stage"]
        if stage == "vectorize":
            tasks["vectorize"] = progress.add_task("Vectorizing", total=None, detail="")
        elif stage == "factorize":
            if "factorize" not in tasks:
                progress.update(tasks["vectorize"], total=1, completed=1)
                tasks["factorize"] = progress.add_task("Factorizing", total=max_iter, detail="")
            progress.update(
                tasks["factorize"], completed=info["iteration"], detail=f"loss {info['loss']:.6g}"
            )

    return callback


def _report_reading(corpus) -> None:
    """One line on stderr: what was read, and what needed care."""
    notes = [
        f"{count} {what}"
        for count, what in (
            (corpus.empty, "empty"),
            (corpus.n_fallback_decoded, "not UTF-8 (decoded as cp1252/latin-1)"),
            (len(corpus.skipped), "files skipped"),
        )
        if count
    ]
    detail = f" ({', '.join(notes)})" if notes else ""
    err.print(f"Read {len(corpus)} documents from {corpus.source}{detail}", highlight=False, soft_wrap=True)


def _topics_table(summary, title: str) -> Table:
    table = Table(title=title, show_lines=False)
    table.add_column("topic", justify="right")
    table.add_column("size", justify="right")
    table.add_column("coherence", justify="right")
    table.add_column("top words")
    for row in summary.itertuples():
        score = getattr(row, "coherence", float("nan"))
        table.add_row(str(row.topic), str(row.size), f"{score:.3f}", row.top_words)
    return table


@app.command()
def fit(
    corpus: Annotated[Path, typer.Argument(help="A folder of .txt/.md files, or a .txt/.csv/.tsv/.jsonl(.gz) file.")],
    topics: Annotated[int, typer.Option("--topics", "-k", min=1, help="Number of topics.")] = 10,
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Output folder [default: <corpus name>_topics].")
    ] = None,
    solver: Annotated[str, typer.Option("--solver", help=f"NMF solver: {', '.join(SOLVERS)}.")] = "hals",
    seed: Annotated[int, typer.Option("--seed", help="Random seed of the initialisation.")] = 0,
    top_words: Annotated[int, typer.Option("--top-words", "-n", min=1, help="Words shown per topic.")] = 10,
    min_df: Annotated[
        Optional[float], typer.Option("--min-df", min=0, help="Drop terms in fewer documents (count, or share < 1).")
    ] = None,
    max_df: Annotated[
        Optional[float], typer.Option("--max-df", min=0, help="Drop terms in more documents (share <= 1, or count).")
    ] = None,
    stem: Annotated[bool, typer.Option("--stem/--no-stem", help="Snowball stemming (topics show whole words).")] = False,
    phrases: Annotated[bool, typer.Option("--phrases/--no-phrases", help="Join collocations such as new_york.")] = False,
    max_iter: Annotated[int, typer.Option("--max-iter", min=1, help="Most NMF iterations.")] = 200,
    text_column: Annotated[str, typer.Option("--text-column", help="Text column of a CSV/TSV/JSONL file.")] = "text",
    id_column: Annotated[Optional[str], typer.Option("--id-column", help="Id column of a table file.")] = None,
    label_column: Annotated[Optional[str], typer.Option("--label-column", help="Label column of a table file.")] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace an existing output folder.")] = False,
):
    """Fit topics to a corpus and write tables, plots, the model and a report."""
    from topicnmf import reporting

    with _user_errors():
        target = out_dir if out_dir is not None else Path(f"{corpus.name.split('.')[0] or 'corpus'}_topics")
        reporting.check_output_dir(target, force=force)
        if solver not in SOLVERS:
            raise InputError(f"--solver must be one of {', '.join(SOLVERS)}; got '{solver}'.")
        vectorizer_params = {"stem": stem, "phrases": phrases}
        vectorizer_params.update(_df_values(min_df, max_df))
        model = topicnmf.TopicModel(
            topics,
            vectorizer=topicnmf.TextVectorizer(**vectorizer_params),
            nmf=topicnmf.NMF(solver=solver, init="nndsvda", max_iter=max_iter),
            random_state=seed,
        )
        with _progress() as progress:
            docs = topicnmf.read_corpus(
                corpus,
                text_column=text_column,
                id_column=id_column,
                label_column=label_column,
                callback=_reading_callback(progress),
            )
            _report_reading(docs)
            model.fit(docs, callback=_fitting_callback(progress, max_iter))
            summary = reporting.write_outputs(
                model, target, top_n=top_words, force=force, corpus=docs
            )
        out.print(_topics_table(summary, f"{topics} topics of {len(docs)} documents"))
        err.print(f"Wrote {target}", highlight=False)


def _df_values(min_df: float | None, max_df: float | None) -> dict:
    """--min-df/--max-df as scikit-learn reads them: an int is a count of documents, a float a share.

    A whole --min-df is a count (1 keeps every term); a --max-df up to 1 is a share (1 keeps every term).
    """
    values = {}
    if min_df is not None:
        values["min_df"] = int(min_df) if float(min_df).is_integer() else float(min_df)
    if max_df is not None:
        values["max_df"] = float(max_df) if max_df <= 1 else int(max_df)
    return values


@app.command()
def topics(
    model_dir: Annotated[Path, typer.Argument(help="A model folder written by 'topicnmf fit' (DIR/model).")],
    top_words: Annotated[int, typer.Option("--top-words", "-n", min=1, help="Words shown per topic.")] = 10,
):
    """Print the topics of a saved model."""
    from topicnmf import reporting

    with _user_errors():
        model = topicnmf.TopicModel.load(_model_folder(model_dir))
        summary = reporting.topic_summary(model, top_n=top_words)
    out.print(_topics_table(summary, f"{model.n_topics_} topics"))


@app.command()
def transform(
    model_dir: Annotated[Path, typer.Argument(help="A model folder written by 'topicnmf fit' (DIR/model).")],
    docs: Annotated[Path, typer.Argument(help="New documents: a folder or a .txt/.csv/.tsv/.jsonl(.gz) file.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to write the document-topic table (CSV).")
    ] = Path("doc_topics_new.csv"),
    text_column: Annotated[str, typer.Option("--text-column", help="Text column of a CSV/TSV/JSONL file.")] = "text",
    id_column: Annotated[Optional[str], typer.Option("--id-column", help="Id column of a table file.")] = None,
    normalize: Annotated[bool, typer.Option("--normalize/--raw", help="Weights summing to 1 per document.")] = False,
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace an existing output file.")] = False,
):
    """Write the document-topic table of new documents for a saved model."""
    from topicnmf import reporting

    with _user_errors():
        if output.exists() and not force:
            raise InputError(f"'{output}' exists; pass --force to replace it or choose another --output.")
        model = topicnmf.TopicModel.load(_model_folder(model_dir))
        corpus = topicnmf.read_corpus(docs, text_column=text_column, id_column=id_column)
        table = reporting.new_doc_topics(model, corpus, normalize=normalize)
        reporting.write_csv_atomic(table, output)
    err.print(f"Wrote {output} ({len(table)} documents)", highlight=False)


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="An output folder written by 'topicnmf fit'.")],
    top_words: Annotated[int, typer.Option("--top-words", "-n", min=1, help="Words shown per topic.")] = 10,
):
    """Rebuild the summary, coherence, plots and report.html of a 'topicnmf fit' folder."""
    from topicnmf import reporting

    with _user_errors():
        model = topicnmf.TopicModel.load(_model_folder(run_dir))
        reporting.write_report(model, run_dir, top_n=top_words)
    err.print(f"Wrote {run_dir / 'report.html'}", highlight=False)


def _model_folder(path: Path) -> Path:
    """Accept both a 'topicnmf fit' output folder and its model/ sub-folder."""
    return path / "model" if (path / "model").is_dir() else path


def main():
    """Entry point of the ``topicnmf`` console script."""
    app(prog_name="topicnmf")
