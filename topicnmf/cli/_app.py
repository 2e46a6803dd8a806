"""The typer application: the group, ``--version``, ``--help``, and usage errors on one line.

Start-up stays light: this module imports typer and the standard library only;
numpy, pandas, scikit-learn, matplotlib and rich load inside the commands that
use them. Help is rendered as plain text (typer's rich help pulls in a markdown
parser at every start) and typer's own help option on the group is replaced by
a plain flag, which typer handles without loading its validation machinery.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

__all__ = ["app", "main"]


class _Group(TyperGroup):
    """The command group; a usage error (bad option, bad value, missing argument) is one line."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra: Any):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        # click's exception base, whether typer vendors click or uses the click package
        click_exception = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_exception as exc:
            from topicnmf.cli._console import error

            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `topicnmf`: the help, as click shows it
                typer.echo(exc.format_message(), err=True)
                sys.exit(exc.exit_code)
            hint = ""
            ctx = getattr(exc, "ctx", None)
            if ctx is not None:
                hint = f" (see '{ctx.command_path} --help')"
            error(" ".join(exc.format_message().split()) + hint)
            sys.exit(exc.exit_code)
        except typer.Abort:
            from topicnmf.cli._console import error

            error("Aborted.")
            sys.exit(1)
        except BrokenPipeError:  # stdout closed by a pager or `head`: stop quietly
            try:
                import os

                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


app = typer.Typer(
    cls=_Group,
    help="Topic modeling with non-negative matrix factorization.",
    no_args_is_help=True,
    add_completion=False,
    add_help_option=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        import topicnmf

        typer.echo(f"topicnmf {topicnmf.__version__}")
        raise typer.Exit()


def _show_help(ctx: typer.Context, value: bool) -> None:
    if value:
        typer.echo(ctx.get_help())
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    help_: Annotated[
        bool, typer.Option("--help", callback=_show_help, is_eager=True, help="Show this message and exit.")
    ] = False,
) -> None:
    """Topic modeling with non-negative matrix factorization."""


def main() -> None:
    """Entry point of the ``topicnmf`` console script (and ``python -m topicnmf``).

    Once a command has finished, every file it wrote is closed (run folders are
    moved into place only after that), so the process ends without the
    interpreter's teardown (freeing every object of a large model one by one
    takes about half a second): standard output and error are flushed and the
    exit code returned at once. A run that leaves worker processes behind (a
    local Dask cluster) or a code that is not a number ends the usual way.
    """
    try:
        app(prog_name="topicnmf")
    except SystemExit as exc:
        code = 0 if exc.code is None else exc.code
        mp = sys.modules.get("multiprocessing")
        if (
            not isinstance(code, int)
            or "numpy" not in sys.modules  # nothing large was built: the teardown is short
            or "distributed" in sys.modules
            or (mp is not None and mp.active_children())
        ):
            raise
        _exit_now(code)


def _exit_now(code: int) -> None:
    """Flush standard output and error, then end the process with ``code`` (no teardown)."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, or no stream at all
            pass
    os._exit(code)
