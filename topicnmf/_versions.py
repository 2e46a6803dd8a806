"""Versions of topicnmf and the libraries it runs on, as recorded with models and runs."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["LIBRARIES", "library_versions"]

LIBRARIES = ("topicnmf", "numpy", "scipy", "scikit-learn", "nltk", "pandas")


def library_versions(names=LIBRARIES) -> dict[str, str]:
    """``{distribution name: version}`` for ``names``; ``"unknown"`` where one is not installed."""
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "unknown"
    return found
