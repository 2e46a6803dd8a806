"""Figures of the topics: their top words, their prevalence, their coherence."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from topicnmf._validation import check_int
from topicnmf.errors import InputError

from ._layout import (BAR_HEIGHT, MAX_COLUMNS, documented, figure_and_axes, shorten, text_width,
                      topic_colors, topic_labels)

__all__ = ["plot_top_words", "plot_prevalence", "plot_coherence"]


@documented
def plot_top_words(model, *, top_n: int = 10, fig: Figure | None = None) -> Figure:
    """Horizontal bar charts of the top words of every topic, one panel per topic.

    Each panel shows a topic's ``top_n`` heaviest words, the heaviest at the
    top, as bars whose length is the word's weight in ``components_``; the
    words are written on the bars. The weight axis has no ticks: the scale of
    ``H`` is arbitrary, only the lengths within a panel compare. The bars of a
    panel are one :class:`~matplotlib.collections.PolyCollection` (a rectangle
    per word, in rank order), which draws much faster than a patch per bar.

    Parameters
    ----------
    {{model}}
    top_n : int, default=10
        Words per topic.
    fig : Figure or None, default=None
        Figure to draw on (it should be empty); ``None`` makes a new one sized
        for the grid.

    Returns
    -------
    fig : Figure
        A grid of ``min(n_topics, 5)`` columns and as many rows as needed, with
        one axes per topic (no axes for the empty cells of the last row).

    Examples
    --------
    >>> from topicnmf import TopicModel
    >>> docs = ["cats purr and cats sleep", "dogs bark and dogs run"] * 5
    >>> model = TopicModel(n_topics=2, random_state=0).fit(docs)
    >>> len(plot_top_words(model, top_n=3).axes)
    2
    """
    top_n = check_int(top_n, "top_n", "plot_top_words")
    n_topics = model.n_topics_
    ncols = min(n_topics, MAX_COLUMNS)
    nrows = math.ceil(n_topics / ncols)
    words = model.topic_words(top_n)
    slots = min(top_n, len(model.vocabulary_))
    header = 0.65  # inches above the grid, for the figure title and the first row's titles
    if fig is None:
        fig = Figure(figsize=(2.4 * ncols, (0.2 * slots + 0.45) * nrows + header))
    width, height = fig.get_size_inches()
    if fig.get_layout_engine() is None:
        # Fixed margins in inches: much cheaper to draw than a layout engine.
        row_height = (height - header - 0.05) / nrows
        grid = fig.add_gridspec(
            nrows,
            ncols,
            left=0.05 / width,
            right=1 - 0.05 / width,
            bottom=0.05 / height,
            top=1 - header / height,
            wspace=0.06,
            hspace=0.3 / max(row_height - 0.3, 0.1),
        )
    else:
        grid = fig.add_gridspec(nrows, ncols)
    colors = topic_colors(n_topics)
    by_topic = {topic: group for topic, group in words.groupby("topic", sort=True)}
    for topic in range(n_topics):
        ax = fig.add_subplot(grid[topic // ncols, topic % ncols])
        group = by_topic.get(topic)
        if group is not None and not group.empty:
            weights = group["weight"].to_numpy()
            positions = slots - 1 - np.arange(len(group))
            # One collection of rectangles rather than a patch per bar: far cheaper to build and draw.
            half = BAR_HEIGHT / 2
            ax.add_collection(
                PolyCollection(
                    [((0, y - half), (w, y - half), (w, y + half), (0, y + half)) for y, w in zip(positions, weights)],
                    facecolors=colors[topic],
                    alpha=0.55,
                    edgecolors="none",
                ),
                autolim=False,
            )
            for y, word in zip(positions, group["word"].tolist()):
                ax.text(
                    0.02 * weights[0], y, shorten(word), va="center", ha="left", fontsize=8, clip_on=True,
                    parse_math=False,
                )
            ax.set_xlim(0, weights[0] * 1.02)
        ax.set_ylim(-0.6, slots - 0.4)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"Topic {topic}", fontsize=9, pad=3)
    fig.suptitle(f"Top {top_n} words per topic", fontsize=11, y=1 - 0.08 / height, va="top")
    return fig


@documented
def plot_prevalence(model, *, ax: Axes | None = None) -> Figure:
    """Bar chart of each topic's share of the corpus.

    The share of topic ``k`` is its part of the total weight of ``W @ H``,
    ``W[:, k].sum() * H[k].sum()`` over the sum for all topics (the order in
    which topics are numbered).

    {{model_and_ax}}

    Returns
    -------
    fig : Figure
        The figure of ``ax`` or a new one; one horizontal bar per topic,
        topic 0 at the top, labelled with its three top words.
    """
    share = model.topic_shares_
    n_topics = model.n_topics_
    labels = topic_labels(model)
    fig, ax = figure_and_axes(
        ax, (6.4, 0.22 * n_topics + 0.9), left=text_width(labels) + 0.2, bottom=0.5, top=0.35
    )
    positions = np.arange(n_topics)[::-1]
    ax.barh(positions, share, color=topic_colors(n_topics), height=0.75)
    ax.set_yticks(positions, labels, fontsize=8)
    ax.set_ylim(-0.6, n_topics - 0.4)
    ax.set_xlabel("share of total weight")
    ax.set_title("Topic prevalence")
    return fig


@documented
def plot_coherence(
    model,
    *,
    measure: str = "c_npmi",
    scores=None,
    top_n: int = 10,
    ax: Axes | None = None,
) -> Figure:
    """Bar chart of the coherence of each topic, with the mean as a dashed line.

    Parameters
    ----------
    {{model}}
    measure : str, default="c_npmi"
        The coherence measure (see :meth:`TopicModel.coherence`); it names the
        axis, and is computed unless ``scores`` are given.
    scores : array-like of shape (n_topics,) or None, default=None
        Precomputed scores of ``measure``, to avoid computing them again.
    top_n : int, default=10
        Top words per topic that are scored when ``scores`` is None.
    {{ax}}

    Returns
    -------
    fig : Figure
        The figure of ``ax`` or a new one; one bar per topic (of no height
        where the score is NaN).
    """
    n_topics = model.n_topics_
    if scores is None:
        scores = model.coherence(measure, top_n=top_n)
    scores = np.asarray(scores, dtype=np.float64)
    if scores.shape != (n_topics,):
        raise InputError(
            f"The 'scores' parameter of plot_coherence must have one score per topic ({n_topics}). "
            f"Got shape {scores.shape}."
        )
    fig, ax = figure_and_axes(ax, (max(4.5, 0.3 * n_topics + 1.2), 3.6))
    topics = np.arange(n_topics)
    ax.bar(topics, scores, color=topic_colors(n_topics), width=0.75)
    if np.isfinite(scores).any():
        mean = float(np.nanmean(scores))
        ax.axhline(mean, color="0.3", linestyle="--", linewidth=1, label=f"mean {mean:.3f}")
        ax.legend(loc="best", fontsize=8, frameon=False)
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    ax.set_xticks(topics, [str(t) for t in topics], fontsize=8)
    ax.set_xlabel("topic")
    ax.set_ylabel(measure)
    ax.set_title(f"Coherence per topic ({measure})")
    return fig
