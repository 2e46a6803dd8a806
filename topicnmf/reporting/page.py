"""The report page: one self-contained HTML file from precomputed tables and images.

Nothing here computes a topic fact: :class:`PageData` carries what the page
shows (the tables of :mod:`topicnmf.reporting.tables`, the PNG plots, the run
record, the model's parameters) and :func:`render_page` lays it out. The page is
a sequence of sections (:data:`SECTIONS`), each a function from ``PageData`` to
HTML, so a new view (an interactive explorer with its data embedded as JSON and
inline JS) is one more function in the list.

Every value from the data is escaped; the page loads nothing from elsewhere
(inline CSS, plots as data URIs), has no script, and fits a phone's width (wide
tables scroll inside their own box, long words wrap).
"""

from __future__ import annotations

import base64
import html
import math
import numbers
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

__all__ = ["PageData", "SECTIONS", "render_page"]

CAPTIONS = {
    "top_words": "Top {top_n} words of each topic.",
    "prevalence": "Share of the total weight of each topic.",
    "doc_topics": "Normalised document-topic weights, documents grouped by top topic.",
    "coherence": "Coherence per topic ({measure}).",
    "convergence": "Loss of the factorisation at each iteration.",
}

_CSS = """
*, *::before, *::after { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 1.5em auto;
       max-width: 72em; padding: 0 1em; color: #222; line-height: 1.4; overflow-wrap: anywhere; }
h1 { margin-bottom: 0.2em; font-size: 1.6em; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.words { min-width: 12em; }
tfoot td { font-weight: 600; background: #fafafa; }
.facts { display: flex; flex-wrap: wrap; gap: 0.4em 2em; margin: 1em 0; padding: 0; list-style: none; }
.facts li span { color: #666; margin-right: 0.4em; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
.doc { margin: 0.4em 0 0.8em; } .doc .meta { color: #555; font-size: 0.9em; }
.doc blockquote { margin: 0.2em 0 0 0.6em; padding-left: 0.8em; border-left: 3px solid #ddd; color: #333; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; }
dl.run dt { color: #555; } dl.run dd { margin: 0; }
.note { color: #8a5a00; }
"""


@dataclass
class PageData:
    """What the report page shows; every table is computed before the page is drawn.

    Attributes
    ----------
    n_docs, n_terms, n_topics : int
        Sizes of the fitted model.
    top_n : int
        Top words per topic in the tables and the scores.
    summary : DataFrame
        :func:`~topicnmf.reporting.topic_summary`.
    representatives : DataFrame
        :func:`~topicnmf.reporting.representative_docs`.
    coherence : DataFrame or None
        :func:`~topicnmf.reporting.coherence_table`, or ``None`` with a ``coherence_note``.
    diversity : float
        Topic diversity of the top ``top_n`` words.
    images : dict of str to bytes
        PNG plots by name (see :data:`CAPTIONS`).
    model_facts : dict
        The model's parameters and fit statistics, as ``name -> value``.
    run : dict
        The run record (``run.json``): corpus, settings, versions, timings.
    doc_labels : dict of str to str or None
        Known class of each document, by id.
    """

    n_docs: int
    n_terms: int
    n_topics: int
    top_n: int
    summary: pd.DataFrame
    representatives: pd.DataFrame
    coherence: pd.DataFrame | None = None
    coherence_note: str | None = None
    diversity: float = float("nan")
    images: dict = field(default_factory=dict)
    model_facts: dict = field(default_factory=dict)
    run: dict = field(default_factory=dict)
    doc_labels: dict | None = None

    @property
    def measures(self) -> list[str]:
        return [] if self.coherence is None else [c for c in self.coherence.columns if c != "topic"]


# -- small helpers ----------------------------------------------------------------------------


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def number(value, digits: int = 3) -> str:
    """A float with ``digits`` decimals, or ``n/a`` when it is not finite."""
    value = float(value)
    return "n/a" if not math.isfinite(value) else f"{value:.{digits}f}"


def plain(value) -> str:
    """A parameter value as people read it: floats to 4 significant digits, types by name."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}" if abs(int(value)) >= 10_000 else str(int(value))
    if isinstance(value, numbers.Real):
        return f"{float(value):.4g}"
    if isinstance(value, type):
        return value.__name__
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value) if value else "none"
    name = getattr(value, "name", None)  # a numpy dtype
    if isinstance(name, str) and type(value).__module__.startswith("numpy"):
        return name
    return str(value)


def html_table(
    header: list[str],
    rows: list[list[str]],
    *,
    numeric: frozenset[int] | set[int] = frozenset(),
    words: frozenset[int] | set[int] = frozenset(),
    foot: list[str] | None = None,
) -> str:
    """An HTML table (in a box that scrolls sideways on its own) from cells already escaped."""

    def cells(values, tag):
        out = []
        for i, v in enumerate(values):
            css = "num" if i in numeric else "words" if i in words else ""
            out.append(f'<{tag} class="{css}">{v}</{tag}>' if css else f"<{tag}>{v}</{tag}>")
        return "".join(out)

    parts = ['<div class="scroll"><table>', f"<thead><tr>{cells([_e(h) for h in header], 'th')}</tr></thead>", "<tbody>"]
    parts += [f"<tr>{cells(row, 'td')}</tr>" for row in rows]
    parts.append("</tbody>")
    if foot is not None:
        parts.append(f"<tfoot><tr>{cells(foot, 'td')}</tr></tfoot>")
    parts.append("</table></div>")
    return "\n".join(parts)


# -- sections ---------------------------------------------------------------------------------


def _facts(data: PageData) -> str:
    facts = [
        ("documents", f"{data.n_docs:,}"),
        ("topics", str(data.n_topics)),
        ("terms", f"{data.n_terms:,}"),
        (f"topic diversity (top {data.top_n})", number(data.diversity)),
    ]
    if data.coherence is not None:
        facts += [(f"mean {m}", number(data.coherence[m].mean())) for m in data.measures]
    if "iterations" in data.model_facts:
        facts.append(("iterations", plain(data.model_facts["iterations"])))
    return (
        f"<h1>{data.n_topics} topics of {data.n_docs:,} documents</h1>\n"
        '<ul class="facts">' + "".join(f"<li><span>{_e(k)}</span>{_e(v)}</li>" for k, v in facts) + "</ul>\n"
        "<p>Topics are numbered by their share of the total weight, the largest first. "
        "<em>Size</em> counts the documents whose top topic it is.</p>"
    )


def _topics(data: PageData) -> str:
    summary = data.summary
    has_coherence = "coherence" in summary.columns
    header = ["topic", "label", "size", "share"]
    if has_coherence:
        header.append(f"coherence ({data.measures[0]})" if data.measures else "coherence")
    header.append("top words")
    rows = []
    for row in summary.itertuples(index=False):
        cells = [str(row.topic), _e(row.topic_label), f"{row.size:,}", f"{100 * row.share:.1f}%"]
        if has_coherence:
            cells.append(number(row.coherence))
        cells.append(_e(row.top_words))
        rows.append(cells)
    numeric = {0, 2, 3, 4} if has_coherence else {0, 2, 3}
    return '<h2 id="topics">Topics</h2>\n' + html_table(header, rows, numeric=numeric, words={len(header) - 1})


def _coherence(data: PageData) -> str:
    out = ['<h2 id="coherence">Coherence</h2>']
    if data.coherence is None:
        out.append(f'<p class="note">{_e(data.coherence_note or "No coherence.")}</p>')
        return "\n".join(out)
    measures = data.measures
    out.append(
        f"<p>Coherence of the top {data.top_n} words of each topic on the training texts "
        "(c_npmi in [-1, 1], c_v in [0, 1]; u_mass and c_uci are unbounded; higher is better for all). "
        f"Topic diversity is the share of distinct words among all topics' top {data.top_n} words.</p>"
    )
    rows = [[str(int(r[0]))] + [number(v) for v in r[1:]] for r in data.coherence.itertuples(index=False)]
    foot = ["mean"] + [number(data.coherence[m].mean()) for m in measures]
    out.append(html_table(["topic"] + measures, rows, numeric=set(range(len(measures) + 1)), foot=foot))
    return "\n".join(out)


def _plots(data: PageData) -> str:
    measure = data.measures[0] if data.measures else "coherence"
    out = ['<h2 id="plots">Plots</h2>']
    for name, png in data.images.items():
        caption = CAPTIONS.get(name, name).format(top_n=data.top_n, measure=measure)
        encoded = base64.b64encode(png).decode("ascii")
        out.append(
            f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{encoded}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>"
        )
    return "\n".join(out)


def _documents(data: PageData) -> str:
    out = [
        '<h2 id="documents">Representative documents</h2>',
        "<p>For each topic, the documents with the largest normalised weight on it among those "
        "whose top topic it is.</p>",
    ]
    groups = {topic: group for topic, group in data.representatives.groupby("topic", sort=True)}
    for row in data.summary.itertuples(index=False):
        out.append(f'<h3 id="topic-{row.topic}">Topic {row.topic}: {_e(row.topic_label)}</h3>')
        group = groups.get(row.topic)
        if group is None:
            out.append('<p class="note">No document has this as its top topic.</p>')
            continue
        for doc in group.itertuples(index=False):
            meta = f"<strong>{_e(doc.doc_id)}</strong> &middot; weight {number(doc.weight)}"
            if data.doc_labels is not None:
                meta += f" &middot; label {_e(data.doc_labels.get(doc.doc_id, ''))}"
            out.append(
                f'<div class="doc"><div class="meta">{meta}</div><blockquote>{_e(doc.snippet)}</blockquote></div>'
            )
    return "\n".join(out)


def _definitions(items: list[tuple[str, object]]) -> str:
    return '<dl class="run">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(plain(v))}</dd>" for k, v in items) + "</dl>"


def _run(data: PageData) -> str:
    run = data.run
    out = ['<h2 id="run">Run</h2>']
    corpus = run.get("corpus") or {}
    items = [(key, corpus[key]) for key in ("source", "documents") if key in corpus]
    if corpus.get("sha256"):
        items.append(("corpus sha256", str(corpus["sha256"])[:16] + "…"))
    if run.get("created"):
        items.append(("created", run["created"]))
    out.append(_definitions(items) if items else "")
    if data.model_facts:
        out.append("<h3>Model</h3>")
        out.append(_definitions(list(data.model_facts.items())))
    timings = run.get("timings") or {}
    if timings:
        rows = [[_e(stage), f"{float(seconds):.2f}"] for stage, seconds in timings.items()
                if isinstance(seconds, numbers.Real)]
        out.append("<h3>Time (seconds)</h3>")
        out.append(html_table(["stage", "seconds"], rows, numeric={1}))
    settings = run.get("settings") or {}
    if settings:
        out.append("<h3>Report settings</h3>")
        out.append(_definitions(list(settings.items())))
    versions = run.get("versions") or {}
    if versions:
        out.append("<p>Versions: " + _e(", ".join(f"{k} {v}" for k, v in versions.items())) + "</p>")
    return "\n".join(part for part in out if part)


SECTIONS: list[Callable[[PageData], str]] = [_facts, _topics, _coherence, _plots, _documents, _run]


def render_page(data: PageData, sections: list[Callable[[PageData], str]] | None = None) -> str:
    """The report page as one self-contained HTML document.

    Parameters
    ----------
    data : PageData
        What the page shows.
    sections : list of callable or None, default=None
        Functions from ``PageData`` to HTML, in page order; ``None`` means :data:`SECTIONS`.

    Returns
    -------
    page : str
    """
    title = f"Topic report: {data.n_topics} topics of {data.n_docs:,} documents"
    body = "\n".join(section(data) for section in (SECTIONS if sections is None else sections))
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{_CSS}</style></head>",
            "<body>",
            body,
            "</body>",
            "</html>",
            "",
        ]
    )
