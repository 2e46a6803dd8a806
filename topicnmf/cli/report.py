"""``topicnmf report``: rebuild the report files of a run folder with the run's own settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from topicnmf.cli._console import Progress, say
from topicnmf.cli._errors import user_errors
from topicnmf.errors import InputError

__all__ = ["report"]

#: the commands whose run folder is a saved model of its own, and that model's class
LOADERS = {"dynamic": "DynamicTopicModel", "hierarchy": "HierarchicalTopicModel"}


def report(
    run_dir: Annotated[Path, typer.Argument(
        help="A run folder written by 'topicnmf fit', 'dynamic' or 'hierarchy' (not its model/ folder).")],
    top_words: Annotated[
        Optional[int], typer.Option("--top-words", "-n", min=1, help="Words shown per topic [default: the fit's].")
    ] = None,
):
    """Rebuild the summary, coherence, plots and report.html of a 'topicnmf fit', 'dynamic' or 'hierarchy' folder."""
    with user_errors(), Progress() as progress:
        import topicnmf
        from topicnmf import reporting

        if not reporting.is_run_folder(run_dir) and reporting.is_run_folder(run_dir.parent):
            raise InputError(f"'{run_dir}' is inside a run folder; pass the run folder '{run_dir.parent}' itself.")
        if not reporting.is_run_folder(run_dir):
            raise InputError(f"'{run_dir}' is not a run folder written by 'topicnmf fit' (no run.json); pass one.")
        command = reporting.read_run_file(run_dir).get("command", "fit")
        if command == "fit":
            model = topicnmf.TopicModel.load(run_dir / "model")
        elif command in LOADERS:
            model = getattr(topicnmf, LOADERS[command]).load(run_dir)
        else:
            raise InputError(f"'{run_dir}' was written by 'topicnmf {command}', which has no report to rebuild; "
                             "pass a run folder of 'topicnmf fit', 'dynamic' or 'hierarchy'.")
        reporting.write_report(model, run_dir, top_n=top_words, callback=progress.stage_callback())
    say(f"Wrote {run_dir / 'report.html'}")
