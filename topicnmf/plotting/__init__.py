"""Matplotlib figures from a fitted TopicModel (and from the analyses built on it).

Every function takes the fitted model (or result) first and returns a
:class:`matplotlib.figure.Figure`. Functions that draw on one axes accept
``ax=None``: given an axes they draw on it and return its figure, otherwise they
make a new :class:`~matplotlib.figure.Figure` that is not registered with
pyplot, so nothing leaks into pyplot's global state and nothing needs closing.
None of them shows or saves a figure. This package works on any backend,
including Agg; ``import topicnmf`` does not import it.

One module per family of figures: ``topics`` (top words, prevalence,
coherence), ``documents`` (document-topic weights), ``training`` (convergence),
``sweep`` (choosing k), ``dynamic`` (topics over time), ``hierarchy`` (the topic
tree); ``_layout`` holds what they share.
"""

from .documents import plot_doc_topics
from .dynamic import plot_topics_over_time
from .hierarchy import plot_topic_tree
from .sweep import plot_sweep
from .topics import plot_coherence, plot_prevalence, plot_top_words
from .training import plot_convergence

__all__ = [
    "plot_coherence",
    "plot_convergence",
    "plot_doc_topics",
    "plot_prevalence",
    "plot_sweep",
    "plot_top_words",
    "plot_topic_tree",
    "plot_topics_over_time",
]
