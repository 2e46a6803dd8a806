"""``topicnmf dynamic``: dynamic topics of a corpus with times (Greene & Cross 2017)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from topicnmf.cli._console import Progress, out, say, topics_table
from topicnmf.cli._errors import user_errors
from topicnmf.cli import _options as opt
from topicnmf.cli._options import CORPUS_HELP, TextColumn, TopWords, topics_option
from topicnmf.cli.fit import MEASURE, n_topics_value, reading_line

__all__ = ["dynamic"]

WINDOWS = ("auto", "day", "week", "month", "quarter", "year")
DynamicTopics = opt.topics(n_topics_value, "Dynamic topics, or 'auto' to choose them by a sweep of the whole corpus.")


def dynamic(
    corpus: Annotated[Path, typer.Argument(help=CORPUS_HELP + " Without --time-column: a folder of window folders.")],
    time_column: Annotated[
        Optional[str], typer.Option("--time-column", help="Time column of a table file (omit for window folders).")
    ] = None,
    window: Annotated[str, typer.Option("--window", help=f"Window of dates: {', '.join(WINDOWS)}.")] = "auto",
    window_topics: Annotated[
        str,
        typer.Option("--window-topics", callback=lambda v: topics_option(v, n_topics_value),
                     help="Topics per window, or 'auto' for each window's sweep recommendation."),
    ] = "10",
    topics: DynamicTopics = "10",
    out_dir: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Output folder [default: <corpus name>_dynamic].")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help="Random seed of the initialisations.")] = 0,
    top_words: TopWords = 10,
    text_column: TextColumn = "text",
    force: Annotated[bool, typer.Option("--force", "-f", help="Replace an earlier run folder.")] = False,
):
    """Window topics per time window, dynamic topics over them; tables, a plot and the report."""
    with user_errors(), Progress() as progress:
        import topicnmf
        from topicnmf import reporting
        from topicnmf._validation import check_one_of

        target = out_dir if out_dir is not None else Path(f"{corpus.name.split('.')[0] or 'corpus'}_dynamic")
        reporting.check_output_dir(target, force=force, protect=[corpus])
        check_one_of(window, "window", "DynamicTopicModel", WINDOWS)
        where = {"time_column": time_column} if time_column is not None else {"time_from": "folder"}
        docs = topicnmf.read_corpus(corpus, text_column=text_column, callback=progress.reading_callback(), **where)
        say(reading_line(docs))
        model = topicnmf.DynamicTopicModel(n_topics_value(topics), window_topics=n_topics_value(window_topics),
                                           window=window, random_state=seed)
        model.fit(docs, callback=progress.fitting_callback(max_iter=0))  # stages and the sweep; no iterations
        summary = reporting.write_outputs(model, target, top_n=top_words, force=force, corpus=docs,
                                          callback=progress.stage_callback())
    out(topics_table(summary, f"{model.n_topics_} dynamic topics over {len(model.windows_)} windows", MEASURE))
    say(f"Wrote {target}")
