"""The report page: one self-contained HTML file from precomputed tables, images and data.

Nothing here computes a topic fact: :class:`PageData` carries what the page
shows (the tables of :mod:`topicnmf.reporting.tables`, the explorer's data from
:mod:`topicnmf.reporting.explorer`, the PNG plots, the run record, the model's
parameters) and :func:`render_page` lays it out. The page is a sequence of
sections (:data:`SECTIONS`), each a function from ``PageData`` to HTML.

The first section is the explorer: an intertopic distance map, the selected
topic's words re-ranked by a relevance slider, its representative documents,
and a word search, drawn by an inline script (``assets/explorer.js``, plain DOM)
from the data embedded as JSON. The static sections follow for print and for
readers without JavaScript: agreement with known labels, the topic and
coherence tables, the plots, the representative documents and the run.

Every value from the data is escaped (HTML text, and JSON in which ``<``, ``>``
and ``&`` are ``\\u`` escapes); the page loads nothing from elsewhere (inline CSS
and script, plots as data URIs) and fits a phone's width (wide tables scroll
inside their own box, long words wrap, the map is an SVG with a viewBox).
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

_ASSETS = "assets"


def asset(name: str) -> str:
    """The text of a file of the page (``report.css``, ``explorer.js``) shipped with the package."""
    from importlib import resources

    return resources.files("topicnmf.reporting").joinpath(_ASSETS, name).read_text(encoding="utf-8")



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
    explorer : dict or None
        :func:`~topicnmf.reporting.explorer.explorer_data`; ``None`` leaves the explorer out.
    agreement : dict or None
        :func:`~topicnmf.reporting.explorer.label_agreement`, where the documents have labels.
    sweep : DataFrame or None
        The sweep table of a model fitted with ``n_topics="auto"`` (``TopicModel.sweep_``).
    sweep_png : bytes or None
        Its figure.
    tree : DataFrame or None
        A topic tree, :meth:`HierarchicalTopicModel.tree` with a ``topic`` column (the
        leaf's topic, -1 for a split node); ``None`` leaves the tree out.
    extra_sections : list of str
        Sections of a richer model (topics over time), HTML already escaped, shown
        after the opening facts.
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
    explorer: dict | None = None
    agreement: dict | None = None
    sweep: pd.DataFrame | None = None
    sweep_png: bytes | None = None
    tree: pd.DataFrame | None = None
    extra_sections: list = field(default_factory=list)

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


def _extra(data: PageData) -> str:
    return "\n".join(data.extra_sections)


def _explorer(data: PageData) -> str:
    """The interactive part: its frame (filled by ``explorer.js``) and its data as JSON."""
    if data.explorer is None:
        return ""
    from topicnmf.reporting.explorer import json_script

    n_words = data.explorer.get("n_words", 20)
    options = "".join(
        f'<option value="{int(t["topic"])}">{int(t["topic"])}: {_e(t["label"])}</option>' for t in data.explorer["topics"]
    )
    return f"""<section id="explorer" class="explorer" hidden>
<h2>Explore the topics</h2>
<div class="search"><label for="word-search">Find a word:</label>
<input id="word-search" type="search" placeholder="a word, e.g. {_e(_example_word(data))}" autocomplete="off" spellcheck="false">
<div id="search-results" aria-live="polite"></div></div>
<div class="panes">
<div class="map-pane"><h3>Intertopic distance map</h3>
<svg id="topic-map" role="group" aria-label="Topics placed by the distances between their word distributions"></svg>
<p class="hint">Topics placed by classical multidimensional scaling of the Jensen-Shannon distances between
their word distributions: near topics use the same words. A circle's area is the topic's share. Click a topic.</p></div>
<div class="topic-pane"><label class="chooser" for="topic-select">Topic:
<select id="topic-select">{options}</select></label>
<h3 id="topic-title"></h3>
<p id="topic-facts"></p>
<label class="slider" for="lambda">Relevance &lambda; = <output id="lambda-value">1.00</output>
<input id="lambda" type="range" min="0" max="1" step="0.01" value="1"></label>
<p class="hint">The {n_words} most relevant words: &lambda; = 1 ranks them by their weight in the topic,
&lambda; = 0 by how specific they are to it (their weight in the topic over their weight in the corpus);
Sievert &amp; Shirley (2014) suggest &lambda; &asymp; 0.6.
<span class="legend"><span style="background:#d62728"></span>weight in the topic<span style="background:#c6dbef"></span>in the corpus</span></p>
<div id="word-bars" class="bars"></div>
<h4>Representative documents</h4><div id="topic-docs"></div></div>
</div>
</section>
<noscript><p class="note">The explorer needs JavaScript; the tables and plots below show the same topics.</p></noscript>
{json_script(data.explorer, "explorer-data")}"""


def _example_word(data: PageData) -> str:
    topics = data.explorer.get("topics") or []
    if topics and topics[0]["words"]:
        return data.explorer["vocab"][topics[0]["words"][0]]
    return "word"


def _tree(data: PageData) -> str:
    """The topic tree as nested lists (no script needed): each node's documents, share and words."""
    table = data.tree
    if table is None or table.empty:
        return ""
    children: dict[int, list[int]] = {}
    rows = {}
    for row in table.itertuples(index=False):
        rows[int(row.node)] = row
        children.setdefault(int(row.parent), []).append(int(row.node))
    out = [
        '<h2 id="tree">Topic tree</h2>',
        "<p>The documents split in two, again and again; the leaves are the "
        "topics of this report. Each node shows its documents, their share of the corpus and its top words.</p>",
    ]
    stack = [(node, 0) for node in reversed(children.get(-1, []))]
    depth = -1
    while stack:  # depth-first, without recursion (a tree may be deeper than Python's stack)
        node, level = stack.pop()
        if level > depth:
            out.append('<ul class="tree">')
        else:
            out.append("</li>" + "</ul></li>" * (depth - level))
        depth = level
        row = rows[node]
        topic = int(getattr(row, "topic", -1))
        name = f"topic {topic}" if topic >= 0 else f"node {node}"
        out.append(
            f'<li><strong>{_e(name)}</strong> <span class="hint">{int(row.documents):,} documents, '
            f"{100 * float(row.share):.1f}%</span> <span>{_e(row.top_words)}</span>"
        )
        stack.extend((child, level + 1) for child in reversed(children.get(node, [])))
    out.append("</li>" + "</ul></li>" * depth + "</ul>")
    return "\n".join(out)


def _labels(data: PageData) -> str:
    """The known labels against the top topics: a count table, NMI and purity."""
    agreement = data.agreement
    if agreement is None:
        return ""
    counts = agreement["counts"]
    out = [
        '<h2 id="labels">Topics and known labels</h2>',
        f"<p>{agreement['documents']:,} documents by known label (rows) and top topic (columns; "
        "the darker, the larger a part of the row). "
        f"Normalised mutual information {number(agreement['nmi'])}, purity {number(agreement['purity'])} "
        "(the share of documents whose label is the most common one of their top topic).</p>",
    ]
    rows = []
    for label, values in zip(counts.index, counts.to_numpy()):
        cells = [_e(label)]
        peak = max(int(values.max()), 1)
        for value in values:
            alpha = 0.6 * int(value) / peak
            style = f' style="background:rgba(31,119,180,{alpha:.2f})"' if value else ""
            cells.append(f'<span{style} class="cell">{int(value):,}</span>' if value else "")
        rows.append(cells)
    table = html_table(["label"] + [str(t) for t in counts.columns], rows, numeric=set(range(1, len(counts.columns) + 1)))
    out.append(table.replace('<div class="scroll">', '<div class="scroll agreement">', 1))
    return "\n".join(out)


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


def _sweep(data: PageData) -> str:
    """How the number of topics was chosen (models fitted with ``n_topics="auto"``)."""
    if data.sweep is None:
        return ""
    from topicnmf.reporting.sweep import sweep_section

    return sweep_section(data.sweep, data.sweep_png)


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
        "<p>For each topic, the documents that show it best among those whose top topic it is, "
        "ranked by <em>score</em>: the part of the document that is about the topic times the "
        "document's weight on it relative to the strongest document of the topic.</p>",
    ]
    groups = {topic: group for topic, group in data.representatives.groupby("topic", sort=True)}
    for row in data.summary.itertuples(index=False):
        out.append(f'<h3 id="topic-{row.topic}">Topic {row.topic}: {_e(row.topic_label)}</h3>')
        group = groups.get(row.topic)
        if group is None:
            out.append('<p class="note">No document has this as its top topic.</p>')
            continue
        for doc in group.itertuples(index=False):
            meta = (
                f"<strong>{_e(doc.doc_id)}</strong> &middot; score {number(doc.score)} &middot; "
                f"{100 * doc.share:.1f}% of the document"
            )
            if data.doc_labels is not None:
                meta += f" &middot; label {_e(data.doc_labels.get(doc.doc_id, ''))}"
            out.append(
                f'<div class="doc"><div class="meta">{meta}</div><blockquote>{_e(doc.snippet)}</blockquote></div>'
            )
    return "\n".join(out)


def _definitions(items: list[tuple[str, object]]) -> str:
    return '<dl class="run">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(plain(v))}</dd>" for k, v in items) + "</dl>"


def _run_summary(data: PageData) -> str:
    """One sentence: what was fitted, on what, by which solver, in how long."""
    run, facts = data.run, data.model_facts
    corpus = run.get("corpus") or {}
    sentence = f"{data.n_topics} topics of {data.n_docs:,} documents"
    if corpus.get("source"):
        sentence += f" from {corpus['source']}"
    if "solver" in facts:
        sentence += f", factorised by {plain(facts['solver'])}"
        if "iterations" in facts:
            sentence += f" in {plain(facts['iterations'])} iterations"
    timings = {k: float(v) for k, v in (run.get("timings") or {}).items() if isinstance(v, numbers.Real)}
    fitted = [timings[k] for k in ("vectorize", "factorize") if k in timings]
    if fitted:
        sentence += f"; fitting took {sum(fitted):.1f} s"
        if "report" in timings:
            sentence += f" and the report {timings['report']:.1f} s"
    if run.get("created"):
        sentence += f" ({run['created']})"
    return f'<p class="summary">{_e(sentence)}.</p>'


def _run(data: PageData) -> str:
    run = data.run
    out = ['<h2 id="run">Run</h2>', _run_summary(data)]
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


SECTIONS: list[Callable[[PageData], str]] = [
    _facts, _extra, _explorer, _tree, _labels, _topics, _coherence, _sweep, _plots, _documents, _run,
]


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
    sections = SECTIONS if sections is None else sections
    body = "\n".join(filter(None, (section(data) for section in sections)))
    script = f"<script>{asset('explorer.js')}</script>" if data.explorer is not None and _explorer in sections else ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>",
            f"<style>{asset('report.css')}</style></head>",
            "<body>",
            body,
            script,
            "</body>",
            "</html>",
            "",
        ]
    )
