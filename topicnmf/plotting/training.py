"""The figure of the training: the factorisation's loss at each iteration."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._layout import documented, figure_and_axes

__all__ = ["plot_convergence"]


@documented
def plot_convergence(model, *, ax: Axes | None = None) -> Figure:
    """The factorisation's loss at each iteration (``model.loss_history_``).

    {{model_and_ax}}

    Returns
    -------
    fig : Figure
        The figure of ``ax`` or a new one with one line: x is the position in
        ``loss_history_`` (0, 1, ...), y the loss. The y axis is logarithmic when
        every loss is positive. Without a recorded history the axes says so.
    """
    history = model.loss_history_
    history = np.asarray([] if history is None else history, dtype=np.float64).ravel()
    fig, ax = figure_and_axes(ax, (6.0, 3.6), left=0.9)
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
