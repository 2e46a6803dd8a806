"""The figure of a sweep over the number of topics (:mod:`topicnmf.selection`): every signal against ``k``."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

__all__ = ["plot_sweep"]

# (column, title, spread column or None), drawn in this order, one panel each.
PANELS = (
    ("stability", "stability (mean ± sd of runs)", "stability_std"),
    ("heldout_error", "held-out error", None),
    ("relative_error", "reconstruction error / ||X||", None),
    ("c_npmi", "coherence c_npmi", None),
    ("c_v", "coherence c_v", None),
    ("diversity", "topic diversity", None),
    ("fit_time", "fit time (s)", None),
)


def plot_sweep(result, *, fig: Figure | None = None) -> Figure:
    """All signals of a sweep against ``k``, one small panel each, the choice marked.

    Signals that were not measured (all NaN, such as coherence when the sweep got
    a matrix) are left out.

    Parameters
    ----------
    result : SweepResult or DataFrame
        What :func:`topicnmf.sweep` returned, or a sweep table with the choice in
        ``attrs["best_k"]`` (``TopicModel.sweep_``).
    fig : Figure or None, default=None
        Draw into this figure (it is cleared); ``None`` makes a new one.

    Returns
    -------
    fig : Figure
        One axes per signal; the recommended ``k`` is a dashed vertical line
        (with the label ``"best k = ..."``) and a filled marker in every panel.
    """
    table = getattr(result, "table", result)
    best = int(result.best_k if hasattr(result, "best_k") else table.attrs["best_k"])
    panels = [p for p in PANELS if p[0] in table and table[p[0]].notna().any()]
    n_cols = 2 if len(panels) > 1 else 1
    n_rows = -(-len(panels) // n_cols)
    size = (4.2 * n_cols, 2.4 * n_rows + 0.5)
    if fig is None:
        fig = Figure(figsize=size)
    else:
        fig.clear()
        fig.set_size_inches(*size)
    ks = table["k"].to_numpy()
    at_best = table["k"].to_numpy() == best
    for index, (column, title, spread) in enumerate(panels):
        ax = fig.add_subplot(n_rows, n_cols, index + 1)
        values = table[column].to_numpy(dtype=float)
        ax.plot(ks, values, marker="o", markersize=3.5, color="tab:blue", linewidth=1.2)
        if spread is not None and spread in table:
            sd = table[spread].to_numpy(dtype=float)
            ax.fill_between(ks, values - sd, values + sd, color="tab:blue", alpha=0.2, linewidth=0)
        ax.axvline(best, color="tab:red", linestyle="--", linewidth=1.0, label=f"best k = {best}")
        if at_best.any():
            ax.plot(ks[at_best], values[at_best], marker="o", markersize=7, color="tab:red", linestyle="none")
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=8)
        ax.set_xticks(ks if len(ks) <= 16 else np.unique(np.linspace(ks[0], ks[-1], 12).round().astype(int)))
        if index == 0:
            ax.legend(fontsize=8, loc="best")
    fig.suptitle(f"Choosing the number of topics: best k = {best}", fontsize=10)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.06, top=1 - 0.55 / size[1], hspace=0.55, wspace=0.25)
    return fig
