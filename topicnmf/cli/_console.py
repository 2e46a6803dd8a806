"""Terminal output of the command line: inert text, one-line messages, tables and progress.

Everything printed goes through here. Results go to stdout, messages and
progress to stderr. Text that comes from the data (words, ids, labels, paths,
messages that quote them) is *inert*: rich markup, emoji codes and highlighting
are off, and control characters, escape sequences, bidirectional overrides and
lone surrogates are shown as backslash escapes (``\\x1b``, ``\\u202e``), so no
word can clear the screen, write the clipboard (OSC 52), recolour the terminal or
break a line.

rich is imported on first use, not with the command line.
"""

from __future__ import annotations

import re
import sys
from typing import Any

__all__ = ["Progress", "error", "inert", "out", "say", "topics_table", "warn"]

# C0 and C1 controls, DEL, zero-width and bidirectional controls, line/paragraph separators, BOM, surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")

_consoles: dict[str, Any] = {}


def inert(value: Any) -> str:
    """``str(value)`` with every control character, escape sequence start and invisible control escaped."""
    text = str(value)

    def escape(match: re.Match) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _UNSAFE.sub(escape, text)


def _console(stream: str):
    """The rich console of ``stream`` ("stdout" or "stderr"): no markup, no emoji, no highlighting."""
    if stream not in _consoles or _consoles[stream].file is not getattr(sys, stream):
        from rich.console import Console

        _consoles[stream] = Console(
            file=getattr(sys, stream), markup=False, emoji=False, highlight=False, soft_wrap=True
        )
    return _consoles[stream]


def _line(prefix: str, style: str, message: Any):
    from rich.text import Text

    line = Text()
    if prefix:
        line.append(prefix, style=style)
        line.append(" ")
    line.append(inert(message))
    return line


def say(message: Any) -> None:
    """One plain line on stderr (what was read, what was written)."""
    _console("stderr").print(_line("", "", message))


def warn(message: Any) -> None:
    """``Warning: message`` on stderr, one line."""
    _console("stderr").print(_line("Warning:", "yellow", message))


def error(message: Any) -> None:
    """``Error: message`` on stderr, one line."""
    _console("stderr").print(_line("Error:", "bold red", message))


def out(renderable: Any) -> None:
    """A result (a table, a line of data) on stdout; plain strings are printed inertly."""
    if isinstance(renderable, str):
        renderable = _line("", "", renderable)
    _console("stdout").print(renderable)


def topics_table(summary, title: str, measure: str | None):
    """The topic summary as a rich table: topic, share, size, coherence (named by its measure), top words."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(inert(title)), show_lines=False)
    table.add_column("topic", justify="right")
    table.add_column("share", justify="right")
    table.add_column("size", justify="right")
    has_coherence = measure is not None and "coherence" in summary.columns
    if has_coherence:
        table.add_column(f"coherence ({measure})", justify="right")
    table.add_column("top words")
    for row in summary.itertuples(index=False):
        cells = [str(row.topic), f"{100 * row.share:.1f}%", f"{row.size:,}"]
        if has_coherence:
            cells.append("n/a" if row.coherence != row.coherence else f"{row.coherence:.3f}")
        cells.append(inert(row.top_words))
        table.add_row(*(Text(c) for c in cells))
    return table


class Progress:
    """Progress on stderr, one labelled line per stage, shown only when stderr is a terminal.

    Every stage is named from its start to its end ("Reading", "Vectorizing",
    "Factorizing", "Coherence", "Plots", "Page", "Writing"); starting a stage
    completes the one before (a factorisation that converged early shows the
    iterations it ran, not a bar frozen at ``iteration / max_iter``). The
    ``*_callback`` methods give the library's ``callback`` arguments.
    """

    LABELS = {
        "read": "Reading",
        "vectorize": "Vectorizing",
        "factorize": "Factorizing",
        "sweep": "Sweeping k",
        "coherence": "Coherence",
        "plots": "Plots",
        "page": "Report page",
        "writing": "Writing",
    }

    def __init__(self, enabled: bool | None = None):
        self.enabled = _console("stderr").is_terminal if enabled is None else enabled
        self._progress = None
        self._task = None
        self._stage = None

    def __enter__(self) -> "Progress":
        if self.enabled:
            from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._progress = RichProgress(
                TextColumn("{task.description:<12}"),
                BarColumn(),
                TextColumn("{task.fields[detail]}", markup=False),
                TimeElapsedColumn(),
                console=_console("stderr"),
                transient=True,
            )
            self._progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._finish()
        if self._progress is not None:
            self._progress.__exit__(*exc)
            self._progress = None

    def _finish(self) -> None:
        if self._progress is not None and self._task is not None:
            task = next(t for t in self._progress.tasks if t.id == self._task)
            done = task.completed if task.total is not None and task.completed else 1
            self._progress.update(self._task, total=done, completed=done)

    def stage(self, name: str, total: int | None = None, detail: str = "") -> None:
        """Start the stage ``name`` (a key of :attr:`LABELS`), completing the one before."""
        if name == self._stage:
            return
        self._finish()
        self._stage = name
        if self._progress is not None:
            self._task = self._progress.add_task(self.LABELS.get(name, name), total=total, detail=inert(detail))

    def update(self, completed: int, total: int | None = None, detail: str = "") -> None:
        if self._progress is not None and self._task is not None:
            fields = {"detail": inert(detail)}
            if total is not None:
                fields["total"] = total
            self._progress.update(self._task, completed=completed, **fields)

    def reading_callback(self):
        """``read_corpus``'s callback: the documents (or files) read so far."""
        self.stage("read")

        def callback(info):
            done = info.get("done", 0)
            self.update(done, info.get("total"), f"{done:,} documents")

        return callback

    def fitting_callback(self, max_iter: int):
        """``TopicModel.fit``'s callback: vectorizing, then each iteration with its loss."""

        def callback(info):
            stage = info.get("stage")
            if stage == "sweep" and "total" in info:
                self.stage("sweep", total=info["total"])
                self.update(info["done"], detail=f"k={info['k']} {info['step']}")
            elif stage == "factorize":
                self.stage("factorize", total=max_iter)
                iteration = info.get("iteration", 0)
                self.update(iteration, detail=f"iteration {iteration}, loss {info.get('loss', float('nan')):.6g}")
            elif stage:
                self.stage(stage)

        return callback

    def stage_callback(self):
        """A report's callback: ``{"stage": name}`` starts the stage."""

        def callback(info):
            self.stage(info.get("stage", ""))

        return callback
