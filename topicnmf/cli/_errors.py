"""How the command line turns errors, warnings and signals into one line each.

- A user error (:class:`~topicnmf.errors.InputError`, or an OS error it expects,
  such as a missing file, a full disk or a denied permission) is one line
  ``Error: ...`` on stderr and exit code 1. Library messages speak the library's
  parameter names; :func:`cli_message` maps them to the command line's flags
  through one table, :data:`PARAMETER_FLAGS` (and :data:`PARAMETER_PHRASES` for
  the settings the command line makes without a flag). Any other exception is a bug and
  shows as one, with its traceback.
- SIGINT, SIGTERM and SIGHUP stop the command the same way: the library's
  ``finally`` blocks remove staging folders, one line says what stopped it, and
  the exit code is 128 + the signal number (130, 143, 129).
- Warnings are shown once each, one line each, before the result or the error.
"""

from __future__ import annotations

import errno
import re
import signal
import threading
import warnings
from contextlib import contextmanager

from topicnmf.cli._console import error, warn
from topicnmf.errors import InputError

__all__ = ["EXPECTED_ERRNOS", "PARAMETER_FLAGS", "PARAMETER_PHRASES", "Interrupted", "cli_message", "user_errors"]

# Library parameter -> command-line flag, where the user sees the flag.
PARAMETER_FLAGS = {
    "n_topics": "--topics",
    "n_components": "--components",
    "out_dir": "--out",
    "force": "--force",
    "top_n": "--top-words",
    "random_state": "--seed",
    "solver": "--solver",
    "max_iter": "--max-iter",
    "min_df": "--min-df",
    "max_df": "--max-df",
    "stem": "--stem",
    "phrases": "--phrases",
    "normalize": "--normalize",
    "text_column": "--text-column",
    "id_column": "--id-column",
    "label_column": "--label-column",
    "run_dir": "RUN_DIR",
    "window_topics": "--window-topics",
    "window": "--window",
    "seed_topics": "--seed-topics",
    "n_leaves": "--leaves",
    "split_rule": "--split-rule",
    "term_weights": "--term-weights",
    "partition": "--partition",
    "min_docs": "--min-docs",
    "time_column": "--time-column",
}

# Library phrases with no flag of their own -> what the command line does instead.
PARAMETER_PHRASES = {"with time_from='folder'": "without --time-column"}

EXPECTED_ERRNOS = frozenset(
    getattr(errno, name)
    for name in (
        "ENOENT", "EACCES", "EPERM", "EEXIST", "ENOTDIR", "EISDIR", "ENOSPC", "EDQUOT", "EROFS", "ELOOP",
        "ENAMETOOLONG", "ENOTEMPTY", "EXDEV", "EMFILE", "ENFILE", "EFBIG", "EBUSY", "ETXTBSY", "EIO",
    )
    if hasattr(errno, name)
)

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


def cli_message(message: str) -> str:
    """A library message with its parameter names replaced by the command line's flags.

    ``The 'n_topics' parameter of TopicModel must be ...`` becomes
    ``The --topics option must be ...``; ``n_topics=5`` becomes ``--topics 5``;
    ``force=True`` becomes ``--force``; other mentions of a mapped name become
    the flag; the phrases of :data:`PARAMETER_PHRASES` become what the command
    line does instead.
    """
    for phrase, instead in PARAMETER_PHRASES.items():
        message = message.replace(phrase, instead)
    names = "|".join(sorted(map(re.escape, PARAMETER_FLAGS), key=len, reverse=True))

    def option(match: re.Match) -> str:
        flag = PARAMETER_FLAGS[match["name"]]
        return f"The {flag} {'argument' if flag.isupper() else 'option'}"

    message = re.sub(rf"The '(?P<name>{names})' parameter of [\w.]+", option, message)
    message = re.sub(rf"\b(?P<name>{names})=True\b", lambda m: PARAMETER_FLAGS[m["name"]], message)
    message = re.sub(
        rf"\b(?P<name>{names})=(?P<value>[^\s,;)]+)",
        lambda m: f"{PARAMETER_FLAGS[m['name']]} {m['value']}",
        message,
    )
    message = re.sub(rf"'(?P<name>{names})'", lambda m: PARAMETER_FLAGS[m["name"]], message)
    underscored = "|".join(re.escape(n) for n in PARAMETER_FLAGS if "_" in n)
    return re.sub(rf"\b({underscored})\b", lambda m: PARAMETER_FLAGS[m.group(1)], message)


def os_message(exc: OSError) -> str:
    """One line for an OS error: what failed, on which path."""
    what = exc.strerror or str(exc)
    paths = [p for p in (exc.filename, exc.filename2) if p is not None]
    return f"{what}: " + " -> ".join(f"'{p}'" for p in paths) if paths else what


class Interrupted(KeyboardInterrupt):
    """Raised in the main thread by SIGINT, SIGTERM or SIGHUP while a command runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        try:
            return signal.Signals(self.signum).name
        except ValueError:
            return f"signal {self.signum}"


def _on_signal(signum, frame):
    for sig in _SIGNALS:  # a second signal must not stop the clean-up of the first
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


@contextmanager
def _signals_handled():
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in _SIGNALS}
    try:
        for sig in _SIGNALS:
            signal.signal(sig, _on_signal)
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def _show_warnings(caught) -> None:
    seen = set()
    for w in caught:
        if issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)):
            continue
        text = f"{w.category.__name__}: {cli_message(str(w.message))}"
        if text not in seen:
            seen.add(text)
            warn(text)


@contextmanager
def user_errors():
    """Run a command body: user errors and signals become one line and an exit code; bugs stay bugs."""
    import typer

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with _signals_handled():
                yield
        except KeyboardInterrupt as exc:
            signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
            _show_warnings(caught)
            name = exc.name if isinstance(exc, Interrupted) else "SIGINT"
            error(f"Interrupted by {name}; nothing half-written was left behind.")
            raise typer.Exit(128 + int(signum)) from None
        except InputError as exc:
            _show_warnings(caught)
            error(cli_message(str(exc)))
            raise typer.Exit(1) from None
        except OSError as exc:
            if exc.errno not in EXPECTED_ERRNOS:
                raise
            _show_warnings(caught)
            error(os_message(exc))
            raise typer.Exit(1) from None
        except MemoryError:
            _show_warnings(caught)
            error("Not enough memory for this run; use fewer --topics, a higher --min-df or a smaller corpus.")
            raise typer.Exit(1) from None
    _show_warnings(caught)
