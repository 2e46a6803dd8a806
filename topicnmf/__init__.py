"""topicnmf: topic modeling with non-negative matrix factorization.

The orientation is fixed: ``X (n_docs, n_terms) ~= W (n_docs, k) @ H (k, n_terms)``;
``W`` is what ``transform`` returns and ``H`` is ``components_``.

Public names are imported on first use, so ``import topicnmf`` loads nothing
heavy (not even numpy). ``topicnmf.coherence`` is the function; the module of the
coherence measures is :mod:`topicnmf.measures`.
"""

from importlib import import_module

# Public name -> the module that owns it.
_PUBLIC = {
    "NMF": "topicnmf.nmf",
    "factorize": "topicnmf.nmf",
    "Corpus": "topicnmf.corpus",
    "read_corpus": "topicnmf.corpus",
    "iter_corpus": "topicnmf.corpus",
    "Tokenizer": "topicnmf.preprocessing",
    "TextVectorizer": "topicnmf.preprocessing",
    "TopicModel": "topicnmf.model",
    "DynamicTopicModel": "topicnmf.dynamic",
    "HierarchicalTopicModel": "topicnmf.hierarchy",
    "read_seed_topics": "topicnmf.seeding",
    "coherence": "topicnmf.measures",
    "topic_diversity": "topicnmf.measures",
    "sweep": "topicnmf.selection",
    "InputError": "topicnmf.errors",
    "ConvergenceWarning": "topicnmf.errors",
}

_SUBMODULES = ("corpus", "preprocessing", "nmf", "model", "dynamic", "hierarchy", "seeding", "measures", "selection",
               "reporting", "plotting", "images", "cli")

__all__ = sorted(_PUBLIC) + ["__version__"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("topicnmf")
    except PackageNotFoundError:  # a source tree that is not installed
        return "0+unknown"


def __getattr__(name):
    if name == "__version__":
        value = _version()
    elif name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name]), name)
    elif name in _SUBMODULES:
        return import_module(f"topicnmf.{name}")
    else:
        raise AttributeError(f"module 'topicnmf' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__) | set(_SUBMODULES))
