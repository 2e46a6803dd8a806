"""``topicnmf sweep``: fit a range of topic numbers, show the signals, recommend one.

The command parses its options, calls :func:`topicnmf.sweep` and renders the
result; heavy libraries are imported inside the command body.
"""

from __future__ import annotations

from typing import Annotated

import typer

from topicnmf.cli._console import Progress, out, say
from topicnmf.cli._errors import user_errors
from topicnmf.cli import _options as opt
from topicnmf.cli._options import Corpus, TextColumn, default_out
from topicnmf.cli.fit import reading_line
from topicnmf.errors import InputError

__all__ = ["parse_topics", "sweep"]

def parse_topics(text: str) -> list[int]:
    """``"5:30:5"`` (start:stop:step, stop included), ``"4:12"``, ``"4,6,8"`` or ``"8"`` as a list of ints."""
    text = text.strip()
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] < 1):
                raise ValueError
            start, stop, step = (parts + [1])[:3]
            values = list(range(start, stop + 1, step))
        else:
            values = [int(p) for p in text.split(",")]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise InputError(
            f"--topics must be start:stop[:step] (stop included), a list such as 4,6,8, or one int >= 1; got '{text}'."
        )
    return values


Topics = opt.topics(parse_topics, "Numbers of topics: start:stop[:step] (stop included) or 4,6,8.")
Out = opt.out("sweep")
Seed = opt.seed("Random seed of samples and fits.")
Force = opt.force("Replace an earlier output folder.")


def sweep_table(result):
    """The sweep as a rich table, the recommended row in bold and marked ``best``."""
    from rich.table import Table

    table = Table(title=f"Sweep over k: best k = {result.best_k}")
    columns = (
        ("k", "k", "{:d}"),
        ("stability", "stability", "{:.3f}"),
        ("stability_std", "± sd", "{:.3f}"),
        ("heldout_error", "held-out", "{:.4g}"),
        ("relative_error", "rel. error", "{:.4f}"),
        ("c_npmi", "c_npmi", "{:.3f}"),
        ("c_v", "c_v", "{:.3f}"),
        ("diversity", "diversity", "{:.3f}"),
        ("fit_time", "fit s", "{:.2f}"),
    )
    for _, name, _ in columns:
        table.add_column(name, justify="right")
    table.add_column("")
    for row in result.table.to_dict("records"):
        cells = []
        for column, _, form in columns:
            value = row[column]
            cells.append("n/a" if value != value else form.format(int(value) if column == "k" else value))
        best = int(row["k"]) == result.best_k
        table.add_row(*cells, "best" if best else "", style="bold" if best else None)
    return table


def sweep(
    corpus: Corpus,
    topics: Topics = "2:15",
    runs: Annotated[int, typer.Option("--runs", min=1, help="Fits on 80% samples per k, for stability.")] = 3,
    out_dir: Out = None,
    seed: Seed = 0,
    text_column: TextColumn = "text",
    force: Force = False,
):
    """Fit every number of topics in a range; write sweep.csv, sweep.png, sweep.html and recommend one."""
    with user_errors(), Progress() as progress:
        import topicnmf
        from topicnmf.reporting import check_output_dir
        from topicnmf.reporting.sweep import write_sweep

        target = out_dir if out_dir is not None else default_out(corpus, "sweep")
        check_output_dir(target, force=force, protect=[corpus])
        ks = parse_topics(topics)
        docs = topicnmf.read_corpus(corpus, text_column=text_column, callback=progress.reading_callback())
        say(reading_line(docs))

        def callback(info):
            if "total" in info:
                progress.stage("sweep", total=info["total"])
                progress.update(info["done"], detail=f"k={info['k']} {info['stage']}")
            else:
                progress.stage(info.get("stage", ""))

        result = topicnmf.sweep(docs, ks, runs=runs, random_state=seed, callback=callback)
        write_sweep(result, target, force=force, protect=[corpus])
    out(sweep_table(result))
    out(f"Recommended: k = {result.best_k}. {result.reason}")
    say(f"Wrote {target}")
