"""The files of a sweep over the number of topics: ``sweep.csv``, ``sweep.png``, ``sweep.html``.

``sweep.html`` is one self-contained page (inline CSS and SVG, no script, no
request leaving the file): the recommendation and its reason, the figure of
:func:`topicnmf.plotting.plot_sweep` and the table.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from topicnmf.reporting.output import staged_folder
from topicnmf.reporting.page import _e, html_table

__all__ = ["sweep_html", "write_sweep"]

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
    table = result.table
    header = list(table.columns) + ["choice"]
    rows = [
        [_cell(v) for v in row] + ["best" if int(row[0]) == result.best_k else ""]
        for row in table.itertuples(index=False)
    ]
    body = html_table(header, rows, numeric=set(range(len(table.columns))))
    first = f'<tr><td class="num">{_cell(result.best_k)}</td>'
    body = body.replace(first, '<tr class="best">' + first[4:], 1)  # k is unique: mark the chosen row
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f"<p class=\"reason\"><strong>Recommended: k = {result.best_k}.</strong> {_e(result.reason)}</p>"
        f"<figure>{svg}</figure>{body}</body></html>\n"
    )


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
    from topicnmf.plotting import plot_sweep

    with staged_folder(out_dir, force=force, protect=protect) as staging:
        table = result.table.copy()
        table["best"] = table["k"] == result.best_k
        table.to_csv(staging / "sweep.csv", index=False)
        plot_sweep(result).savefig(staging / "sweep.png", dpi=110)
        (staging / "sweep.html").write_text(sweep_html(result), encoding="utf-8")
    return Path(out_dir)
