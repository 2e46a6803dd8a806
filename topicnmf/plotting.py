"""Matplotlib figures from a fitted TopicModel.

Every function takes the fitted model first and returns a
:class:`matplotlib.figure.Figure`. Functions that draw on one axes accept
``ax=None``: given an axes they draw on it and return its figure, otherwise they
make a new :class:`~matplotlib.figure.Figure` that is not registered with
pyplot, so nothing leaks into pyplot's global state and nothing needs closing.
None of them shows or saves a figure. This module works on any backend,
including Agg; ``import topicnmf`` does not import it.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from sklearn.utils import check_random_state

from topicnmf._validation import check_int
from topicnmf.errors import InputError

__all__ = [
    "plot_coherence",
    "plot_convergence",
    "plot_doc_topics",
    "plot_prevalence",
    "plot_top_words",
    "plot_topic_tree",
    "plot_topics_over_time",
]

MAX_COLUMNS = 5
BAR_HEIGHT = 0.85
MAX_LABEL_CHARS = 32  # longer labels and words are cut with an ellipsis, so a 150-character token cannot break a layout


# Margins are fixed in inches rather than found by a layout engine: a layout
# engine draws every text twice, which is most of the cost of these figures.
def _figure_and_axes(
    ax: Axes | None,
    figsize: tuple[float, float],
    *,
    left: float = 0.8,
    right: float = 0.2,
    bottom: float = 0.55,
    top: float = 0.35,
) -> tuple[Figure, Axes]:
    """``ax`` and its figure, or a new figure with one axes inside margins given in inches."""
    if ax is not None:
        return ax.figure, ax
    width, height = figsize
    fig = Figure(figsize=figsize)
    rect = (left / width, bottom / height, 1 - (left + right) / width, 1 - (bottom + top) / height)
    return fig, fig.add_axes(rect)


def _text_width(texts, fontsize: float = 8.0) -> float:
    """A generous estimate of the width in inches of the longest of ``texts``."""
    longest = max((len(t) for t in texts), default=0)
    return 0.62 * fontsize / 72 * longest


def _topic_colors(n_topics: int) -> list:
    """One colour per topic: tab10's, then tab20's light shades from topic 10 on."""
    if n_topics <= 10:
        return [colormaps["tab10"](t) for t in range(n_topics)]
    cmap = colormaps["tab20"]
    order = list(range(0, 20, 2)) + list(range(1, 20, 2))
    return [cmap(order[t % 20]) for t in range(n_topics)]


def _shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _literal(text: str) -> str:
    """Text for a tick label, shown as it is (dollar signs do not start mathtext)."""
    return text.replace("$", r"\$")


def _topic_labels(model) -> list[str]:
    """``"t: label"`` for every topic (its ``topic_labels_`` entry, cut to a readable length)."""
    return [_literal(f"{t}: {_shorten(label)}") for t, label in enumerate(model.topic_labels_)]


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
    model : TopicModel
        A fitted model.
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
    colors = _topic_colors(n_topics)
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
                    0.02 * weights[0], y, _shorten(word), va="center", ha="left", fontsize=8, clip_on=True,
                    parse_math=False,
                )
            ax.set_xlim(0, weights[0] * 1.02)
        ax.set_ylim(-0.6, slots - 0.4)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"Topic {topic}", fontsize=9, pad=3)
    fig.suptitle(f"Top {top_n} words per topic", fontsize=11, y=1 - 0.08 / height, va="top")
    return fig


def plot_prevalence(model, *, ax: Axes | None = None) -> Figure:
    """Bar chart of each topic's share of the corpus.

    The share of topic ``k`` is its part of the total weight of ``W @ H``,
    ``W[:, k].sum() * H[k].sum()`` over the sum for all topics (the order in
    which topics are numbered).

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    ax : Axes or None, default=None
        Axes to draw on; ``None`` makes a new figure.

    Returns
    -------
    fig : Figure
        The figure of ``ax`` or a new one; one horizontal bar per topic,
        topic 0 at the top, labelled with its three top words.
    """
    share = model.topic_shares_
    n_topics = model.n_topics_
    labels = _topic_labels(model)
    fig, ax = _figure_and_axes(
        ax, (6.4, 0.22 * n_topics + 0.9), left=_text_width(labels) + 0.2, bottom=0.5, top=0.35
    )
    positions = np.arange(n_topics)[::-1]
    ax.barh(positions, share, color=_topic_colors(n_topics), height=0.75)
    ax.set_yticks(positions, labels, fontsize=8)
    ax.set_ylim(-0.6, n_topics - 0.4)
    ax.set_xlabel("share of total weight")
    ax.set_title("Topic prevalence")
    return fig


def plot_doc_topics(
    model,
    *,
    max_docs: int = 2000,
    random_state: int | np.random.RandomState | None = 0,
    ax: Axes | None = None,
) -> Figure:
    """Heatmap of the normalised document-topic weights.

    Rows are documents, grouped by their top topic (topic 0 first; documents
    with no weight last) and, within a group, by their weight on that topic,
    heaviest first. Columns are topics. Each row is scaled to sum to 1.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    max_docs : int, default=2000
        Most documents drawn; a larger corpus is sampled uniformly without
        replacement, which keeps the picture and the drawing time bounded.
    random_state : int, RandomState instance or None, default=0
        Seed of the sample (unused when all documents fit).
    ax : Axes or None, default=None
        Axes to draw on; ``None`` makes a new figure.

    Returns
    -------
    fig : Figure
        The figure of ``ax`` or a new one with a colour bar; the image array
        has shape ``(min(n_docs, max_docs), n_topics)``.
    """
    max_docs = check_int(max_docs, "max_docs", "plot_doc_topics")
    W = np.asarray(model.doc_topic_, dtype=np.float64)
    n_docs, n_topics = W.shape
    rows = np.arange(n_docs)
    if n_docs > max_docs:
        rows = np.sort(check_random_state(random_state).choice(n_docs, size=max_docs, replace=False))
    W = W[rows]
    totals = W.sum(axis=1)
    W = W / np.where(totals > 0, totals, 1.0)[:, None]
    top = np.where(totals > 0, W.argmax(axis=1), n_topics)
    top_weight = W[np.arange(len(W)), np.minimum(top, n_topics - 1)]
    order = np.lexsort((-top_weight, top))
    W = W[order]

    own_figure = ax is None
    fig, ax = _figure_and_axes(ax, (max(4.5, 0.3 * n_topics + 2.2), 5.0), left=0.4, right=1.1, top=0.4)
    image = ax.imshow(W, aspect="auto", interpolation="nearest", cmap="viridis", vmin=0.0, vmax=1.0)
    ax.set_xticks(np.arange(n_topics), [str(t) for t in range(n_topics)], fontsize=8)
    ax.set_xlabel("topic")
    ax.set_ylabel("documents (by top topic)")
    ax.set_yticks([])
    sampled = f"{len(rows):,} of {n_docs:,} documents" if len(rows) < n_docs else f"{n_docs:,} documents"
    ax.set_title(f"Document-topic weights ({sampled})", fontsize=10)
    if own_figure:
        width, height = fig.get_size_inches()
        cax = fig.add_axes((1 - 0.95 / width, 0.55 / height, 0.15 / width, 1 - 0.95 / height))
        fig.colorbar(image, cax=cax, label="normalised weight")
    else:
        fig.colorbar(image, ax=ax, label="normalised weight", shrink=0.8)
    return fig


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
    model : TopicModel
        A fitted model.
    measure : str, default="c_npmi"
        The coherence measure (see :meth:`TopicModel.coherence`); it names the
        axis, and is computed unless ``scores`` are given.
    scores : array-like of shape (n_topics,) or None, default=None
        Precomputed scores of ``measure``, to avoid computing them again.
    top_n : int, default=10
        Top words per topic that are scored when ``scores`` is None.
    ax : Axes or None, default=None
        Axes to draw on; ``None`` makes a new figure.

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
    fig, ax = _figure_and_axes(ax, (max(4.5, 0.3 * n_topics + 1.2), 3.6))
    topics = np.arange(n_topics)
    ax.bar(topics, scores, color=_topic_colors(n_topics), width=0.75)
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


def plot_convergence(model, *, ax: Axes | None = None) -> Figure:
    """The factorisation's loss at each iteration (``model.loss_history_``).

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    ax : Axes or None, default=None
        Axes to draw on; ``None`` makes a new figure.

    Returns
    -------
    fig : Figure
        The figure of ``ax`` or a new one with one line: x is the position in
        ``loss_history_`` (0, 1, ...), y the loss. The y axis is logarithmic when
        every loss is positive. Without a recorded history the axes says so.
    """
    history = model.loss_history_
    history = np.asarray([] if history is None else history, dtype=np.float64).ravel()
    fig, ax = _figure_and_axes(ax, (6.0, 3.6), left=0.9)
    if history.size:
        ax.plot(np.arange(history.size), history, marker="." if history.size <= 60 else None, linewidth=1.2)
        if np.all(history > 0) and history.max() / history.min() > 10:
            ax.set_yscale("log")
    else:
        ax.text(0.5, 0.5, "no loss history recorded", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.set_title("Convergence")
    return fig


def plot_topics_over_time(model, *, ax: Axes | None = None) -> Figure:
    """Each topic's share of the documents per period, one line per topic.

    ``model`` is a fitted :class:`~topicnmf.dynamic.DynamicTopicModel` (its dynamic
    topics per window) or a :class:`~topicnmf.model.TopicModel` with document times.
    """
    table = model.topics_over_time()
    labels = model.topic_labels_
    periods = list(table["period"].cat.categories)
    k = len(labels)
    fig, ax = _figure_and_axes(ax, (max(5.0, 0.6 * len(periods) + 3.0), 3.6), right=2.6)
    colors = _topic_colors(k)
    x = np.arange(len(periods))
    for t in range(k):
        share = table.loc[table["topic"] == t, "share"].to_numpy()
        ax.plot(x, share, marker="o", color=colors[t], label=f"{t}: {labels[t]}")
    ax.set_xticks(x, periods, rotation=45 if len(periods) > 6 else 0, ha="right" if len(periods) > 6 else "center")
    ax.set_ylabel("share of documents")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    return fig


def plot_topic_tree(tree, *, top_n: int = 3, ax: Axes | None = None) -> Figure:
    """The topic tree of a fitted :class:`~topicnmf.hierarchy.HierarchicalTopicModel`.

    Nodes are drawn top-down, each labelled with its top words and documents; leaves
    are spread evenly along the bottom of their depth.
    """
    top_n = check_int(top_n, "top_n", "plot_topic_tree")
    table = tree.tree(top_n)
    children = {node: table.index[table["parent"] == node].tolist() for node in table["node"]}
    leaves = [node for node in table["node"] if not children[node]]
    xpos = {}
    counter = iter(range(len(leaves)))

    def place(node):
        if not children[node]:
            xpos[node] = float(next(counter))
        else:
            for child in children[node]:
                place(child)
            xpos[node] = float(np.mean([xpos[c] for c in children[node]]))

    place(0)
    depth = table["depth"].to_numpy()
    width = max(6.0, 1.3 * len(leaves))
    fig, ax = _figure_and_axes(ax, (width, 1.1 * (depth.max() + 1) + 0.8), left=0.3, bottom=0.3)
    for node, parent in zip(table["node"], table["parent"]):
        if parent >= 0:
            ax.plot([xpos[parent], xpos[node]], [-depth[parent], -depth[node]], color="0.6", lw=1, zorder=1)
    for row in table.itertuples():
        words = "\n".join(row.top_words.split()[:top_n])
        ax.text(xpos[row.node], -row.depth, f"{words}\n({row.documents})", ha="center", va="center",
                fontsize=7, bbox={"boxstyle": "round", "fc": "white", "ec": "0.5"}, zorder=2)
    ax.set_xlim(-0.7, len(leaves) - 0.3)
    ax.set_ylim(-depth.max() - 0.6, 0.6)
    ax.axis("off")
    return fig
