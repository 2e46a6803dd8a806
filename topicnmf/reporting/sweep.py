"""The files of a sweep over the number of topics: ``sweep.csv``, ``sweep.png``, ``sweep.html``.

``sweep.html`` is one self-contained page (inline CSS and SVG, no script, no
request leaving the file): the recommendation and its reason, the figure of
:func:`topicnmf.plotting.plot_sweep` and the table.
"""

from __future__ import annotations

import base64
import io
import math
from pathlib import Path

from topicnmf.reporting.output import figure_png, staged_folder
from topicnmf.reporting.page import _e, html_table

__all__ = ["sweep_html", "sweep_png", "sweep_section", "write_sweep"]

_CSS = """
body { font-family: system-ui, sans-serif; margin: 1rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; font-size: 0.85rem; display: block; overflow-x: auto; }
th, td { padding: 0.2rem 0.5rem; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best td { background: #fde8e8; font-weight: 600; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
.reason { font-size: 1.05rem; }
"""


def _cell(value) -> str:
    if isinstance(value, float):
        return "n/a" if not math.isfinite(value) else f"{value:.4g}"
    return _e(value)


def _best_k_and_reason(result) -> tuple[int, str, object]:
    """``(best_k, reason, table)`` of a SweepResult or of a table with them in ``attrs``."""
    table = getattr(result, "table", result)
    if hasattr(result, "best_k"):
        return int(result.best_k), str(result.reason), table
    return int(table.attrs["best_k"]), str(table.attrs.get("reason", "")), table


def _sweep_body(result, figure: str) -> str:
    """The recommendation and its reason, the figure (HTML) and the table, the chosen row marked."""
    best_k, reason, table = _best_k_and_reason(result)
    header = list(table.columns) + ["choice"]
    rows = [
        [_cell(v) for v in row] + ["best" if int(row[0]) == best_k else ""]
        for row in table.itertuples(index=False)
    ]
    body = html_table(header, rows, numeric=set(range(len(table.columns))))
    first = f'<tr><td class="num">{_cell(best_k)}</td>'
    # k is unique: mark the chosen row (the style works without the page's CSS too)
    body = body.replace(first, '<tr class="best" style="background:#fde8e8;font-weight:600">' + first[4:], 1)
    return (
        f"<p class=\"reason\"><strong>Recommended: k = {best_k}.</strong> {_e(reason)}</p>"
        f"<figure>{figure}</figure>{body}"
    )


def sweep_html(result, *, title: str = "Choosing the number of topics") -> str:
    """The sweep page as one self-contained HTML string.

    Parameters
    ----------
    result : SweepResult
    title : str, default="Choosing the number of topics"

    Returns
    -------
    html : str
    """
    from topicnmf.plotting import plot_sweep

    buffer = io.StringIO()
    plot_sweep(result).savefig(buffer, format="svg")
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>{_sweep_body(result, svg)}</body></html>\n"
    )


def sweep_png(result, *, dpi: int = 80) -> bytes:
    """The figure of :func:`topicnmf.plotting.plot_sweep` as PNG bytes."""
    from topicnmf.plotting import plot_sweep

    return figure_png(plot_sweep(result), dpi)


def sweep_section(table, png: bytes | None) -> str:
    """The report page's section on the choice of ``k`` (``fit --topics auto``).

    Parameters
    ----------
    table : DataFrame
        ``TopicModel.sweep_``: the sweep table, with ``attrs["best_k"]`` and ``attrs["reason"]``.
    png : bytes or None
        The sweep figure (:func:`sweep_png`), embedded as a data URL.

    Returns
    -------
    html : str
    """
    caption = "Every signal of the sweep against k; the dashed line marks the chosen k."
    figure = ""
    if png is not None:
        encoded = base64.b64encode(png).decode("ascii")
        figure = f'<img alt="{_e(caption)}" src="data:image/png;base64,{encoded}"><figcaption>{_e(caption)}</figcaption>'
    intro = (
        "<p>The number of topics was chosen by a sweep: a model for every k in the range, "
        "each measured for topic stability over resampled documents, reconstruction and "
        "held-out error, coherence and diversity.</p>"
    )
    return '<h2 id="sweep">Choosing the number of topics</h2>\n' + intro + _sweep_body(table, figure)


def write_sweep(result, out_dir: str | Path, *, force: bool = False, protect=()) -> Path:
    """Write ``sweep.csv``, ``sweep.png`` and ``sweep.html`` to the folder ``out_dir``, all or nothing.

    Parameters
    ----------
    result : SweepResult
    out_dir : str or Path
        The output folder (created; an existing one is replaced only with ``force``).
    force : bool, default=False
        Replace an earlier output folder.
    protect : iterable of str or Path, default=()
        Paths the output folder must neither be nor hold (the corpus).

    Returns
    -------
    out_dir : Path
    """
    with staged_folder(out_dir, force=force, protect=protect) as staging:
        table = result.table.copy()
        table["best"] = table["k"] == result.best_k
        table.to_csv(staging / "sweep.csv", index=False)
        (staging / "sweep.png").write_bytes(sweep_png(result, dpi=110))
        (staging / "sweep.html").write_text(sweep_html(result), encoding="utf-8")
    return Path(out_dir)
