"""Options that several commands share, defined once (typer ``Annotated`` aliases and factories).

An alias serves where the option is the same in every command; a factory where
only its help text or default name differs (the flags and the checks stay one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

from topicnmf.errors import InputError

CORPUS_HELP = "A folder of .txt/.md files, or a .txt/.csv/.tsv/.jsonl(.gz) file."

Corpus = Annotated[Path, typer.Argument(help=CORPUS_HELP)]
TextColumn = Annotated[str, typer.Option("--text-column", help="Text column of a CSV/TSV/JSONL file.")]
IdColumn = Annotated[Optional[str], typer.Option("--id-column", help="Id column of a table file.")]
TopWords = Annotated[int, typer.Option("--top-words", "-n", min=1, help="Words shown per topic.")]


def topics_option(value: str, parse: Callable[[str], object]) -> str:
    """A ``--topics`` callback: a value ``parse`` refuses is a usage error (exit code 2)."""
    try:
        parse(value)
    except InputError as error:
        raise typer.BadParameter(str(error).replace("--topics ", "", 1)) from None
    return value


def topics(parse: Callable[[str], object], help: str):
    """``--topics``/``-k`` as text, checked by ``parse`` when typer reads it."""
    return Annotated[str, typer.Option("--topics", "-k", callback=lambda v: topics_option(v, parse), help=help)]


def out(tail: str):
    """``--out``/``-o``, the output folder, by default ``<corpus name>_<tail>`` (see :func:`default_out`)."""
    return Annotated[
        Optional[Path], typer.Option("--out", "-o", help=f"Output folder [default: <corpus name>_{tail}].")
    ]


def default_out(corpus: Path, tail: str) -> Path:
    """``<corpus name>_<tail>``: the default output folder, in the working directory."""
    return Path(f"{corpus.name.split('.')[0] or 'corpus'}_{tail}")


def seed(help: str):
    """``--seed``: a random seed numpy accepts."""
    return Annotated[int, typer.Option("--seed", min=0, max=2**32 - 1, help=help)]


def force(help: str = "Replace an earlier run folder."):
    """``--force``/``-f``."""
    return Annotated[bool, typer.Option("--force", "-f", help=help)]
