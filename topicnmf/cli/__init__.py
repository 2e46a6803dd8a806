"""The ``topicnmf`` command line: one typer app, one thin module per command family.

- :mod:`~topicnmf.cli._app`: the app, ``--version``/``--help``, usage errors as one line;
- :mod:`~topicnmf.cli._errors`: user errors, warnings and signals as one line each, and
  the one table from library parameter names to flags (``PARAMETER_FLAGS``);
- :mod:`~topicnmf.cli._console`: inert printing, the topic table, stage progress;
- :mod:`~topicnmf.cli.fit`: ``fit``, ``topics``, ``transform``;
- :mod:`~topicnmf.cli.report`: ``report``;
- :mod:`~topicnmf.cli.dynamic`: ``dynamic`` (topics over time);
- :mod:`~topicnmf.cli.hierarchy`: ``hierarchy`` (a topic tree);
- :mod:`~topicnmf.cli.image`: ``image compress``, ``image parts`` (a sub-app);
- :mod:`~topicnmf.cli.sweep`: ``sweep``.

A new command family is a module here with its command functions (each: parse,
call the library inside ``with user_errors():``, render through ``_console``),
registered below with one line. Output folders go through
:mod:`topicnmf.reporting.output` (``check_output_dir`` early, ``staged_folder`` to write).
"""

from topicnmf.cli import dynamic as _dynamic
from topicnmf.cli import fit as _fit
from topicnmf.cli import hierarchy as _hierarchy
from topicnmf.cli import image as _image
from topicnmf.cli import report as _report
from topicnmf.cli import sweep as _sweep
from topicnmf.cli._app import app, main

__all__ = ["app", "main"]

app.command()(_fit.fit)
app.command()(_fit.topics)
app.command()(_fit.transform)
app.command()(_report.report)
app.command()(_dynamic.dynamic)
app.command()(_hierarchy.hierarchy)
app.add_typer(_image.app, name="image")
app.command()(_sweep.sweep)
