"""What every figure of :mod:`topicnmf.plotting` shares: axes in fixed margins, topic colours, labels.

Margins are fixed in inches rather than found by a layout engine: a layout
engine draws every text twice, which is most of the cost of these figures.
"""

from __future__ import annotations

from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from topicnmf._docstrings import fill_doc, fragment

MAX_COLUMNS = 5
BAR_HEIGHT = 0.85
MAX_LABEL_CHARS = 32  # longer labels and words are cut with an ellipsis, so a 150-character token cannot break a layout

_MODEL = """
model : TopicModel
    A fitted model.
"""
_AX = """
ax : Axes or None, default=None
    Axes to draw on; ``None`` makes a new figure.
"""
#: the docstring fragments of the figures (see ``topicnmf._docstrings``)
DOCS = {
    "model": _MODEL,
    "ax": _AX,
    "model_and_ax": fragment("Parameters\n----------", _MODEL, _AX),
}
documented = fill_doc(DOCS)


def figure_and_axes(
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


def text_width(texts, fontsize: float = 8.0) -> float:
    """A generous estimate of the width in inches of the longest of ``texts``."""
    longest = max((len(t) for t in texts), default=0)
    return 0.62 * fontsize / 72 * longest


def topic_colors(n_topics: int) -> list:
    """One colour per topic: tab10's, then tab20's light shades from topic 10 on."""
    if n_topics <= 10:
        return [colormaps["tab10"](t) for t in range(n_topics)]
    cmap = colormaps["tab20"]
    order = list(range(0, 20, 2)) + list(range(1, 20, 2))
    return [cmap(order[t % 20]) for t in range(n_topics)]


def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def literal(text: str) -> str:
    """Text for a tick label, shown as it is (dollar signs do not start mathtext)."""
    return text.replace("$", r"\$")


def topic_labels(model) -> list[str]:
    """``"t: label"`` for every topic (its ``topic_labels_`` entry, cut to a readable length)."""
    return [literal(f"{t}: {shorten(label)}") for t, label in enumerate(model.topic_labels_)]
