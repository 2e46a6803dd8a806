"""topicnmf: topic modeling with non-negative matrix factorization.

The orientation is fixed: ``X (n_docs, n_terms) ~= W (n_docs, k) @ H (k, n_terms)``;
``W`` is what ``transform`` returns and ``H`` is ``components_``.

Public names are imported on first use, so ``import topicnmf`` stays light and
loads neither typer, rich nor matplotlib.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version

# Imported now, so that the function, not its module, is ``topicnmf.coherence`` whatever
# is imported later (it loads only numpy).
from topicnmf.coherence import coherence, topic_diversity

try:
    __version__ = version("topicnmf")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

_PUBLIC = {
    "NMF": "topicnmf.nmf",
    "factorize": "topicnmf.nmf",
    "Corpus": "topicnmf.corpus",
    "read_corpus": "topicnmf.corpus",
    "Tokenizer": "topicnmf.preprocessing",
    "TextVectorizer": "topicnmf.preprocessing",
    "TopicModel": "topicnmf.model",
    "InputError": "topicnmf.errors",
    "ConvergenceWarning": "topicnmf.errors",
}

_SUBMODULES = ("corpus", "preprocessing", "nmf", "model", "reporting", "plotting", "cli")

__all__ = sorted([*_PUBLIC, "coherence", "topic_diversity"]) + ["__version__"]


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return import_module(f"topicnmf.{name}")
    raise AttributeError(f"module 'topicnmf' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
