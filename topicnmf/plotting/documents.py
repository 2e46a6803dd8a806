"""The figure of the documents: their normalised topic weights as a heatmap."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from sklearn.utils import check_random_state

from topicnmf._validation import check_int
from topicnmf.measures import top_topics

from ._layout import documented, figure_and_axes

__all__ = ["plot_doc_topics"]


@documented
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
    {{model}}
    max_docs : int, default=2000
        Most documents drawn; a larger corpus is sampled uniformly without
        replacement, which keeps the picture and the drawing time bounded.
    random_state : int, RandomState instance or None, default=0
        Seed of the sample (unused when all documents fit).
    {{ax}}

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
    top = top_topics(W)
    top[top < 0] = n_topics
    top_weight = W[np.arange(len(W)), np.minimum(top, n_topics - 1)]
    order = np.lexsort((-top_weight, top))
    W = W[order]

    own_figure = ax is None
    fig, ax = figure_and_axes(ax, (max(4.5, 0.3 * n_topics + 2.2), 5.0), left=0.4, right=1.1, top=0.4)
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
