"""``topicnmf fit``, ``topics`` and ``transform``: fit a model, show its topics, apply it to new documents.

Each command parses its options, calls the library and renders the result;
heavy libraries are imported inside the command bodies.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Optional

import typer

from topicnmf.cli._console import Progress, out, say, topics_table
from topicnmf.cli._errors import user_errors
from topicnmf.cli import _options as opt
from topicnmf.cli._options import CORPUS_HELP, Corpus, IdColumn, TextColumn, TopWords, default_out  # noqa: F401
from topicnmf.errors import InputError

__all__ = ["fit", "topics", "transform"]

MEASURE = "c_npmi"
#: corpus files larger than this (on disk) are streamed unless --no-stream
STREAM_ABOVE_MB = 512


def document_frequency(name: str, value: float | None) -> dict:
    """``--min-df``/``--max-df`` as the vectorizer reads them: a count of documents (int) or a share (float).

    ``--min-df``: a whole number is a count (1 keeps every term), a value below 1 a share.
    ``--max-df``: a value up to 1 is a share (1 keeps every term), a whole number above 1 a count.
    Anything else (2.5, inf, nan) is refused, not rounded.
    """
    if value is None:
        return {}
    finite, whole = math.isfinite(value), math.isfinite(value) and float(value).is_integer()
    if name == "min_df" and whole:
        return {name: int(value)}
    if finite and (value < 1 if name == "min_df" else value <= 1):
        return {name: float(value)}
    if name == "max_df" and whole:
        return {name: int(value)}
    raise InputError(
        f"The '{name}' parameter of TextVectorizer must be a share in [0, 1] or a whole number of "
        f"documents. Got {value:g}."
    )


def n_topics_value(text: str) -> int | str:
    """``--topics`` as TopicModel's ``n_topics``: ``"auto"`` or an int >= 1."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise InputError(f"--topics must be an int >= 1 or 'auto'; got {text!r}.")
    return value


Topics = opt.topics(n_topics_value, "Number of topics, or 'auto' to choose it by a sweep.")
Out = opt.out("topics")
Seed = opt.seed("Random seed of the initialisation.")
Force = opt.force()


def _libc():
    """The C library of this process where it is glibc on Linux (else None)."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt, libc.malloc_trim  # noqa: B018 (glibc has both; musl has neither)
    except (OSError, AttributeError):
        return None
    return libc


#: blocks of this size and above are mapped apart and returned to the system when freed
MMAP_THRESHOLD = 4 * 2**20


def release_memory_promptly() -> None:
    """Have this process give freed memory back to the system at once (glibc only).

    By default glibc keeps large freed blocks (the matrices and token arrays of one
    stage) in its heap for reuse, so the resident size only grows from stage to
    stage; a fixed mmap threshold of 4 MiB returns each of them when it is freed.
    A lower threshold also maps and unmaps every mid-sized temporary array of the
    solver (on 20 Newsgroups at k = 20, 128 KiB made the command about 1 s slower
    for 10 MB less at the peak). The command owns its process, so the setting is
    made here, not in the library.
    """
    libc = _libc()
    if libc is not None:
        m_trim_threshold, m_mmap_threshold = -1, -3
        libc.mallopt(m_mmap_threshold, MMAP_THRESHOLD)
        libc.mallopt(m_trim_threshold, MMAP_THRESHOLD)


def trim_memory() -> None:
    """Return the free pages inside the heap (left by many small blocks, such as texts) to the system."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def trimming(callback):
    """``callback`` that first trims the heap: at each stage, the last stage's garbage is returned."""
    def call(info):
        trim_memory()
        return callback(info)

    return call


def fit(
    corpus: Corpus,
    topics: Topics = "10",
    out_dir: Out = None,
    solver: Annotated[str, typer.Option("--solver", help="NMF solver: hals, mu or als.")] = "hals",
    seed: Seed = 0,
    top_words: TopWords = 10,
    min_df: Annotated[
        Optional[float], typer.Option("--min-df", min=0, help="Drop terms in fewer documents (count, or share < 1).")
    ] = None,
    max_df: Annotated[
        Optional[float], typer.Option("--max-df", min=0, help="Drop terms in more documents (share <= 1, or count).")
    ] = None,
    stem: Annotated[bool, typer.Option("--stem/--no-stem", help="Snowball stemming (topics show whole words).")] = False,
    phrases: Annotated[bool, typer.Option("--phrases/--no-phrases", help="Join collocations such as new_york.")] = False,
    max_iter: Annotated[int, typer.Option("--max-iter", min=1, help="Most NMF iterations.")] = 200,
    text_column: TextColumn = "text",
    id_column: IdColumn = None,
    label_column: Annotated[Optional[str], typer.Option("--label-column", help="Label column of a table file.")] = None,
    normalize: Annotated[bool, typer.Option("--normalize/--raw", help="doc_topics weights summing to 1.")] = False,
    parquet: Annotated[bool, typer.Option("--parquet", help="Write topics and doc_topics as Parquet (pyarrow).")] = False,
    force: Force = False,
    seed_topics: Annotated[
        Optional[Path], typer.Option("--seed-topics", help="Seeded topics, one a line: 'name: word word word'.")
    ] = None,
    seed_strength: Annotated[
        float, typer.Option("--seed-strength", min=0.0, help="Pull of the seeded topics for the whole fit (0: start only).")
    ] = 0.03,
    stream: Annotated[
        Optional[bool],
        typer.Option("--stream/--no-stream", help="Read the corpus in chunks, bounded memory [default: above "
                     f"{STREAM_ABOVE_MB} MB on disk].", show_default=False),
    ] = None,
    chunksize: Annotated[int, typer.Option("--chunksize", min=1, help="Documents per chunk with --stream.")] = 20_000,
    scheduler: Annotated[
        Optional[str], typer.Option("--scheduler", help="Factorise on the Dask scheduler at this address.")
    ] = None,
    workers: Annotated[
        Optional[int], typer.Option("--workers", min=1, help="Factorise on a local Dask cluster of N workers.")
    ] = None,
):
    """Fit topics to a corpus and write tables, plots, the model and a report."""
    with user_errors(), Progress() as progress:
        import topicnmf
        from topicnmf import reporting
        from topicnmf._validation import check_one_of

        release_memory_promptly()
        target = out_dir if out_dir is not None else default_out(corpus, "topics")
        reporting.check_output_dir(target, force=force, protect=[corpus])
        check_one_of(solver, "solver", "NMF", topicnmf.nmf.SOLVERS)
        df = {**document_frequency("min_df", min_df), **document_frequency("max_df", max_df)}
        if stream is None and corpus.is_file() and corpus.stat().st_size > STREAM_ABOVE_MB * 2**20:
            say(f"Streaming {corpus.name} in chunks of {chunksize:,} documents: it is above {STREAM_ABOVE_MB} MB "
                "(--no-stream reads it whole)")
            stream = True
        if stream:
            if n_topics_value(topics) == "auto":
                raise InputError("--topics auto needs the whole corpus in memory; give a number of topics with --stream.")
            _fit_streamed(corpus, target, int(topics), seed, df, text_column, id_column, chunksize, top_words, force,
                          stem=stem, phrases=phrases, seed_topics=seed_topics)
            return
        if scheduler is not None and workers is not None:
            raise InputError("Give --scheduler ADDRESS or --workers N, not both.")
        cluster = scheduler if scheduler is not None else workers
        model = topicnmf.TopicModel(
            n_topics_value(topics),
            vectorizer=topicnmf.TextVectorizer(stem=stem, phrases=phrases, **df),
            nmf=topicnmf.NMF(solver=solver, init="nndsvda" if cluster is None else "random", max_iter=max_iter),
            scheduler=cluster,
            random_state=seed,
            seed_topics=None if seed_topics is None else topicnmf.read_seed_topics(seed_topics),
            seed_strength=seed_strength,
        )
        docs = topicnmf.read_corpus(
            corpus, text_column=text_column, id_column=id_column, label_column=label_column,
            callback=progress.reading_callback(),
        )
        say(reading_line(docs))
        model.fit(docs, callback=progress.fitting_callback(max_iter))
        docs = reporting.corpus_record(docs)  # the texts are not needed any more: let them go
        summary = reporting.write_outputs(
            model, target, top_n=top_words, normalize=normalize, table_format="parquet" if parquet else "csv",
            force=force, corpus=docs, callback=trimming(progress.stage_callback()),
        )
    if model.sweep_ is not None:
        say(f"Chose k = {model.n_topics_}: {model.sweep_.attrs['reason']}")
    out(topics_table(summary, f"{model.n_topics_} topics of {len(docs):,} documents", MEASURE))
    say(f"Wrote {target}")


def _fit_streamed(corpus, target, topics, seed, df, text_column, id_column, chunksize, top_words, force, *,
                  stem, phrases, seed_topics):
    """``fit --stream``: topics.csv, doc_topics.csv and the topic table; one chunk in memory at a time."""
    import pandas as pd

    import topicnmf
    from topicnmf import reporting
    from topicnmf.streaming import fit_stream

    if stem or phrases or seed_topics is not None:
        raise InputError("--stream fits without --stem, --phrases and --seed-topics; drop them or use --no-stream.")
    if not corpus.is_file():
        raise InputError(f"--stream reads a corpus file (JSON lines, CSV, TSV, text lines); {corpus} is not one.")
    with reporting.staged_folder(target, force=force, protect=[corpus]) as staging:
        result = fit_stream(
            corpus, n_topics=topics, vectorizer=topicnmf.TextVectorizer(**df),
            nmf=topicnmf.NMF(topics, random_state=seed), chunksize=chunksize, top_n=max(top_words, 2),
            doc_topics_path=staging / "doc_topics.csv", text_column=text_column, id_column=id_column,
            work_dir=staging,
        )
        H = result.nmf.components_
        rows = [
            {"topic": t, "rank": r, "word": word, "weight": float(H[t, result.vectorizer.vocabulary_[word]])}
            for t, words in enumerate(result.top_words) for r, word in enumerate(words)
        ]
        pd.DataFrame(rows).to_csv(staging / "topics.csv", index=False)
    coherence = result.coherence[MEASURE]
    table = pd.DataFrame({
        "topic": range(topics), "share": result.topic_sizes / max(result.n_docs, 1), "size": result.topic_sizes,
        "coherence": coherence, "top_words": [" ".join(w[:top_words]) for w in result.top_words],
    })
    say(f"Read {result.n_docs:,} documents from {corpus} in chunks of {chunksize:,}")
    out(topics_table(table, f"{topics} topics of {result.n_docs:,} documents (streamed)", MEASURE))
    say(f"Wrote {target}")


def reading_line(corpus) -> str:
    """What was read, and what needed care, in one line."""
    skipped = len(corpus.skipped)
    notes = [
        f"{count:,} {what}"
        for count, what in (
            (corpus.empty, "empty"),
            (corpus.n_fallback_decoded, "not UTF-8 (decoded as cp1252/latin-1)"),
            (skipped, "file skipped" if skipped == 1 else "files skipped"),
        )
        if count
    ]
    detail = f" ({', '.join(notes)})" if notes else ""
    return f"Read {len(corpus):,} documents from {corpus.source}{detail}"


def model_folder(path: Path) -> Path:
    """Accept both a 'topicnmf fit' run folder and its model/ sub-folder."""
    return path / "model" if (path / "model").is_dir() else path


def topics(
    model_dir: Annotated[Path, typer.Argument(help="A run folder written by 'topicnmf fit' (or its model/ folder).")],
    top_words: TopWords = 10,
):
    """Print the topics of a saved model."""
    with user_errors():
        import topicnmf
        from topicnmf import reporting

        model = topicnmf.TopicModel.load(model_folder(model_dir))
        try:
            summary, measure = reporting.topic_summary(model, top_n=top_words, measure=MEASURE), MEASURE
        except InputError:  # fitted with keep_tokens=False: no texts to score
            summary, measure = reporting.topic_summary(model, top_n=top_words, measure=None), None
    out(topics_table(summary, f"{model.n_topics_} topics", measure))


def transform(
    model_dir: Annotated[Path, typer.Argument(help="A run folder written by 'topicnmf fit' (or its model/ folder).")],
    docs: Annotated[Path, typer.Argument(help="New documents: " + CORPUS_HELP)],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The document-topic table to write (.csv, or .parquet).")
    ] = Path("doc_topics_new.csv"),
    text_column: TextColumn = "text",
    id_column: IdColumn = None,
    normalize: Annotated[bool, typer.Option("--normalize/--raw", help="Weights summing to 1 per document.")] = False,
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace an existing output file.")] = False,
):
    """Write the document-topic table of new documents for a saved model."""
    with user_errors():
        import topicnmf
        from topicnmf import reporting

        folder = model_folder(model_dir)
        reporting.check_output_file(output, force=force, protect=[docs, folder], owner="--output")
        model = topicnmf.TopicModel.load(folder)
        corpus = topicnmf.read_corpus(docs, text_column=text_column, id_column=id_column)
        table = reporting.new_doc_topics(model, corpus, normalize=normalize)
        reporting.write_table(table, output)
    say(f"Wrote {output} ({len(table):,} documents)")
