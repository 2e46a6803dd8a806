"""The figure of a topic tree (:mod:`topicnmf.hierarchy`), drawn top-down."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from topicnmf._validation import check_int

from ._layout import figure_and_axes

__all__ = ["plot_topic_tree"]


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
    fig, ax = figure_and_axes(ax, (width, 1.1 * (depth.max() + 1) + 0.8), left=0.3, bottom=0.3)
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
