"""The figure of topics over time (:mod:`topicnmf.dynamic`): each topic's share per period."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._layout import figure_and_axes, topic_colors

__all__ = ["plot_topics_over_time"]


def plot_topics_over_time(model, *, ax: Axes | None = None) -> Figure:
    """Each topic's share of the documents per period, one line per topic.

    ``model`` is a fitted :class:`~topicnmf.dynamic.DynamicTopicModel` (its dynamic
    topics per window) or a :class:`~topicnmf.model.TopicModel` with document times.
    """
    table = model.topics_over_time()
    labels = model.topic_labels_
    periods = list(table["period"].cat.categories)
    k = len(labels)
    fig, ax = figure_and_axes(ax, (max(5.0, 0.6 * len(periods) + 3.0), 3.6), right=2.6)
    colors = topic_colors(k)
    x = np.arange(len(periods))
    for t in range(k):
        share = table.loc[table["topic"] == t, "share"].to_numpy()
        ax.plot(x, share, marker="o", color=colors[t], label=f"{t}: {labels[t]}")
    ax.set_xticks(x, periods, rotation=45 if len(periods) > 6 else 0, ha="right" if len(periods) > 6 else "center")
    ax.set_ylabel("share of documents")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return fig
