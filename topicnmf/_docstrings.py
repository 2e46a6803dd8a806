"""Shared pieces of numpydoc docstrings, written once.

Where several public functions document a parameter (or a whole section) alike,
the text lives in one dict of fragments and each docstring names it on a line
of its own, ``{{name}}``; :func:`fill_doc` puts the fragment there, indented
like that line. The docstrings read by ``help()``, Sphinx and the doctests are
complete: only the source is shorter.

>>> FRAGMENTS = {"x": "x : int\\n    The value."}
>>> @fill_doc(FRAGMENTS)
... def twice(x):
...     '''Twice ``x``.
...
...     Parameters
...     ----------
...     {{x}}
...     '''
...     return 2 * x
>>> print(twice.__doc__.splitlines()[-3:-1])
['    x : int', '        The value.']
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping

_MARK = re.compile(r"^(?P<indent>[ \t]*)\{\{(?P<name>\w+)\}\}[ \t]*$", re.MULTILINE)


def fragment(*parts: str) -> str:
    """One fragment from several (each dedented; joined line by line)."""
    return "\n".join(textwrap.dedent(part).strip("\n") for part in parts)


def fill(doc: str | None, fragments: Mapping[str, str]) -> str | None:
    """``doc`` with every line ``{{name}}`` replaced by ``fragments[name]``, indented alike."""
    if doc is None:  # python -OO strips docstrings
        return None

    def put(match: re.Match) -> str:
        text = fragment(fragments[match["name"]])
        return textwrap.indent(text, match["indent"])

    return _MARK.sub(put, doc)


def fill_doc(fragments: Mapping[str, str]) -> Callable:
    """Decorator: fill the docstring of a function or class from ``fragments`` (see :func:`fill`)."""

    def decorate(obj):
        obj.__doc__ = fill(obj.__doc__, fragments)
        return obj

    return decorate
