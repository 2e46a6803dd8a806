"""Tables, plots and output folders from a fitted TopicModel.

The tables are pandas DataFrames with snake_case columns, one row per topic (or per
topic and rank), sorted by topic. :func:`write_report` writes them with the plots
and a self-contained ``report.html`` into a run folder; :func:`write_outputs`
writes a whole run folder, all or nothing.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import secrets
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from topicnmf.corpus import Corpus
from topicnmf._validation import check_int
from topicnmf.errors import InputError
from topicnmf.model import TopicModel, doc_topic_frame
from topicnmf.model._state import library_versions as _library_versions

__all__ = [
    "check_output_dir",
    "coherence_table",
    "corpus_hash",
    "new_doc_topics",
    "representative_docs",
    "topic_summary",
    "write_csv_atomic",
    "write_outputs",
    "write_report",
]

MEASURES = ("c_npmi", "c_v", "u_mass", "c_uci")
PLOTS = ("top_words", "prevalence", "doc_topics", "coherence", "convergence")


def topic_summary(
    model: TopicModel,
    *,
    top_n: int = 10,
    measure: str | None = "c_npmi",
    scores=None,
) -> pd.DataFrame:
    """One row per topic: its label, size, share, coherence and top words.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    top_n : int, default=10
        Top words per topic (shown and scored).
    measure : str or None, default="c_npmi"
        Coherence measure of the ``coherence`` column; ``None`` leaves the column out.
    scores : array-like of shape (n_topics,) or None, default=None
        Precomputed scores of ``measure`` for the top ``top_n`` words (as from
        :func:`coherence_table`), used instead of computing them again.

    Returns
    -------
    DataFrame
        Columns ``topic, label, size, share, coherence, top_words``: ``label`` joins
        the top three words with ``_``, ``size`` counts the documents whose top topic
        it is (documents with no weight count for no topic), ``share`` is the
        topic's part of the total weight ``W @ H`` (the shares sum to 1),
        ``top_words`` is the space-separated top words. One row per topic, sorted
        by topic.

    Examples
    --------
    >>> from topicnmf import TopicModel
    >>> docs = ["cats purr and cats sleep", "dogs bark and dogs run"] * 5
    >>> model = TopicModel(n_topics=2, random_state=0).fit(docs)
    >>> topic_summary(model, top_n=3, measure=None).columns.tolist()
    ['topic', 'label', 'size', 'share', 'top_words']
    """
    top_n = check_int(top_n, "top_n", "topic_summary")
    words = model.top_words(top_n)
    table = pd.DataFrame(
        {
            "topic": np.arange(model.n_topics_),
            "label": list(model.topic_labels_),
            "size": model.topic_sizes_,
            "share": model.topic_shares_,
        }
    )
    if measure is not None:
        if scores is None:
            scores = model.coherence(measure, top_n=top_n)
        scores = np.asarray(scores, dtype=np.float64)
        if scores.shape != (model.n_topics_,):
            raise InputError(
                f"The 'scores' parameter of topic_summary must have one score per topic "
                f"({model.n_topics_}). Got shape {scores.shape}."
            )
        table["coherence"] = scores
    table["top_words"] = [" ".join(w) for w in words]
    return table


def _coherence_scores(model: TopicModel, measures: Sequence[str], top_n: int, texts=None) -> dict[str, np.ndarray]:
    """Scores of each measure, with the token streams and top words prepared once."""
    from topicnmf.measures import coherence

    words = model.top_words(top_n)
    if texts is None:
        texts = model.tokenized_texts()
    return {measure: np.asarray(coherence(words, texts, measure), dtype=np.float64) for measure in measures}


def _check_measures(measures, function: str) -> tuple[str, ...]:
    if isinstance(measures, str):
        measures = (measures,)
    measures = tuple(measures)
    if not measures or not all(isinstance(m, str) for m in measures):
        raise InputError(
            f"The 'measures' parameter of {function} must be a non-empty sequence of measure names. "
            f"Got {measures!r}."
        )
    if len(set(measures)) != len(measures):
        raise InputError(f"The 'measures' parameter of {function} names a measure twice. Got {measures!r}.")
    return measures


def coherence_table(model: TopicModel, *, measures: Sequence[str] = MEASURES, top_n: int = 10) -> pd.DataFrame:
    """The coherence of every topic under several measures, one row per topic.

    The measures are computed on the model's own tokenised training texts (see
    :meth:`TopicModel.coherence`); the texts and top words are prepared once for
    all measures.

    Parameters
    ----------
    model : TopicModel
        A fitted model (fitted with ``keep_tokens=True``).
    measures : sequence of str, default=("c_npmi", "c_v", "u_mass", "c_uci")
        Coherence measures, one column each, in this order; a single name is
        taken as a one-element sequence.
    top_n : int, default=10
        Top words per topic that are scored.

    Returns
    -------
    DataFrame
        Columns ``topic`` and one float column per measure; one row per topic,
        sorted by topic.
    """
    measures = _check_measures(measures, "coherence_table")
    top_n = check_int(top_n, "top_n", "coherence_table")
    scores = _coherence_scores(model, measures, top_n)
    return pd.DataFrame({"topic": np.arange(model.n_topics_), **scores})


def representative_docs(model: TopicModel, *, n: int = 3) -> pd.DataFrame:
    """The documents that show each topic best.

    A document can represent only its top topic (the topic of its largest
    weight). Among the documents whose top topic is ``k``, the representatives are
    those with the largest normalised weight on ``k`` (their weight on ``k`` over
    their total weight), ties broken by the larger raw weight and then by corpus
    order. Documents with no weight on any topic represent nothing.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    n : int, default=3
        Most documents per topic; a topic that is the top topic of fewer
        documents gets fewer rows (possibly none).

    Returns
    -------
    DataFrame
        Columns ``topic, rank, doc_id, weight, snippet``: ``rank`` 0 is the best
        representative, ``weight`` the normalised weight on the topic (in (0, 1]),
        ``snippet`` the start of the document's text. Sorted by topic, then rank.

    Examples
    --------
    >>> from topicnmf import TopicModel
    >>> docs = ["cats purr and cats sleep", "dogs bark and dogs run"] * 5
    >>> model = TopicModel(n_topics=2, random_state=0).fit(docs)
    >>> representative_docs(model, n=2).columns.tolist()
    ['topic', 'rank', 'doc_id', 'weight', 'snippet']
    """
    n = check_int(n, "n", "representative_docs")
    W = np.asarray(model.doc_topic_, dtype=np.float64)
    totals = W.sum(axis=1)
    docs = np.flatnonzero(totals > 0)
    top = W[docs].argmax(axis=1)
    raw = W[docs, top]
    normalised = raw / totals[docs]
    order = np.lexsort((docs, -raw, -normalised, top))
    docs, top, normalised = docs[order], top[order], normalised[order]
    starts = np.searchsorted(top, np.arange(model.n_topics_))
    rank = np.arange(len(docs)) - starts[top]
    keep = rank < n
    docs = docs[keep]
    snippets = getattr(model, "doc_snippets_", None)
    return pd.DataFrame(
        {
            "topic": top[keep].astype(np.int64),
            "rank": rank[keep].astype(np.int64),
            "doc_id": [model.doc_ids_[i] for i in docs],
            "weight": normalised[keep],
            "snippet": ["" if snippets is None else snippets[i] for i in docs],
        }
    )


def new_doc_topics(model: TopicModel, corpus, *, normalize: bool = False) -> pd.DataFrame:
    """The document-topic table of new documents.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    corpus : Corpus or list of str
        The new documents; a list of str gets the ids ``"0"``, ``"1"``, ...
    normalize : bool, default=False
        Scale each document's weights to sum to 1.

    Returns
    -------
    DataFrame
        The columns of :meth:`TopicModel.doc_topics`: ``doc_id``, ``label``
        (where the corpus has labels), ``topic_0 ... topic_{K-1}``, ``top_topic``
        (-1 for a document with no weight); one row per document, in order.
    """
    if not isinstance(corpus, Corpus):
        if isinstance(corpus, str):
            raise InputError(
                "new_doc_topics takes a Corpus or a list of str; got one str. Wrap it in a list: [text]."
            )
        corpus = Corpus.from_texts(list(corpus))
    W = model.transform(corpus)
    return doc_topic_frame(W, corpus.ids, corpus.labels, normalize=normalize)


def corpus_hash(corpus) -> str:
    """SHA-256 over the ids and texts of a corpus, to tell which corpus a run saw."""
    digest = hashlib.sha256()
    for doc_id, text in zip(corpus.ids, corpus.texts):
        digest.update(doc_id.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\1")
    return digest.hexdigest()


def check_output_dir(path: str | Path, *, force: bool = False) -> Path:
    """Check that ``path`` can take a run's output before any work is done."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"Output path '{path}' is a file; choose a folder with --out.")
    if path.exists() and not force:
        raise InputError(f"Output folder '{path}' exists; pass --force to replace it or choose another --out.")
    parent = path.resolve().parent
    if not parent.is_dir():
        raise InputError(f"The parent folder of '{path}' does not exist; create it or choose another --out.")
    return path


def _umask() -> int:
    """The process's file-mode creation mask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


@contextmanager
def _staging(target: Path):
    """A temporary folder beside ``target``, removed unless the caller moved it into place."""
    target.resolve().parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.resolve().parent))
    # mkdtemp makes a private (0o700) folder; the run folder gets the usual permissions.
    staging.chmod(0o777 & ~_umask())
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace_dir(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, replacing an existing folder only once the new one is complete."""
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.resolve().parent))
        os.replace(target, old / target.name)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)


@contextmanager
def _atomic_file(path: Path):
    """Yield a temporary path beside ``path``; move it onto ``path`` if the block succeeds.

    The temporary file is opened like any new file (so it gets the usual
    permissions under the umask) and removed if the block fails.
    """
    path = Path(path)
    temporary = path.resolve().parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_csv_atomic(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` as CSV to ``path`` through a temporary file, so no half-written file is left."""
    path = Path(path)
    with _atomic_file(path) as temporary:
        table.to_csv(temporary, index=False)
    return path


def _write_bytes_atomic(data: bytes, path: Path) -> Path:
    """Write ``data`` to ``path`` through a temporary file beside it, then ``os.replace`` it into place."""
    with _atomic_file(path) as temporary:
        with open(temporary, "xb") as stream:
            stream.write(data)
    return path


def _model_parameters(model: TopicModel, top_n: int) -> dict:
    """The parameters of a fitted model, as ``run.json`` records them."""
    return {
        "n_topics": model.n_topics_,
        "random_state": model.random_state,
        "top_n": top_n,
        "vectorizer": model.vectorizer_.get_params(deep=False),
        "nmf": {k: v for k, v in model.nmf_.get_params(deep=False).items() if k != "callback"},
    }


def _topic_diversity(words: list[list[str]]) -> float:
    from topicnmf.measures import topic_diversity

    return float(topic_diversity(words))


def _render_plots(
    model: TopicModel, *, top_n: int, measure: str | None, scores, max_docs: int, dpi: int
) -> dict[str, bytes]:
    """Each plot of the report as PNG bytes (plotting is imported here, not with this module)."""
    from topicnmf import plotting

    figures = {
        "top_words": lambda: plotting.plot_top_words(model, top_n=top_n),
        "prevalence": lambda: plotting.plot_prevalence(model),
        "doc_topics": lambda: plotting.plot_doc_topics(model, max_docs=max_docs),
        "coherence": None
        if measure is None
        else (lambda: plotting.plot_coherence(model, measure=measure, scores=scores)),
        "convergence": lambda: plotting.plot_convergence(model),
    }
    images = {}
    for name, make in figures.items():
        if make is None:
            continue
        buffer = io.BytesIO()
        make().savefig(buffer, format="png", dpi=dpi)
        images[name] = buffer.getvalue()
    return images


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto;
       max-width: 72em; padding: 0 1em; color: #222; line-height: 1.4; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 0.3em 0.7em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tfoot td { font-weight: 600; background: #fafafa; }
.facts { display: flex; flex-wrap: wrap; gap: 0.5em 2em; margin: 1em 0; padding: 0; list-style: none; }
.facts li span { color: #666; margin-right: 0.4em; }
figure { margin: 1em 0 2em; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
.doc { margin: 0.4em 0 0.8em; } .doc .meta { color: #555; font-size: 0.9em; }
.doc blockquote { margin: 0.2em 0 0 1em; padding-left: 0.8em; border-left: 3px solid #ddd; color: #333; }
.note { color: #8a5a00; }
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def _number(value, digits: int = 3) -> str:
    value = float(value)
    return "n/a" if not np.isfinite(value) else f"{value:.{digits}f}"


def _html_table(
    header: list[str], rows: list[list[str]], *, numeric: set[int] = frozenset(), foot: list[str] | None = None
) -> str:
    """An HTML table from cells that are already escaped."""

    def cells(values, tag):
        return "".join(
            f'<{tag} class="num">{v}</{tag}>' if i in numeric else f"<{tag}>{v}</{tag}>" for i, v in enumerate(values)
        )

    parts = ["<table>", f"<thead><tr>{cells([_e(h) for h in header], 'th')}</tr></thead>", "<tbody>"]
    parts += [f"<tr>{cells(row, 'td')}</tr>" for row in rows]
    parts.append("</tbody>")
    if foot is not None:
        parts.append(f"<tfoot><tr>{cells(foot, 'td')}</tr></tfoot>")
    parts.append("</table>")
    return "\n".join(parts)


def _plain(value) -> str:
    """A parameter value as text: strings as they are, JSON values as JSON, anything else by ``str``."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (bool, int, float, list, tuple, dict)):
        try:
            return json.dumps(value)
        except (TypeError, ValueError):
            pass
    return str(value)


def _flatten(mapping: dict, prefix: str = "") -> list[tuple[str, object]]:
    items = []
    for key, value in mapping.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            items += _flatten(value, f"{name}.")
        else:
            items.append((name, value))
    return items


def _render_html(
    model: TopicModel,
    *,
    summary: pd.DataFrame,
    coherence: pd.DataFrame | None,
    coherence_note: str | None,
    representatives: pd.DataFrame,
    diversity: float,
    images: dict[str, bytes],
    run_info: dict,
    top_n: int,
) -> str:
    n_docs = len(model.doc_ids_)
    measures = [] if coherence is None else [c for c in coherence.columns if c != "topic"]
    facts = [
        ("documents", f"{n_docs:,}"),
        ("topics", str(model.n_topics_)),
        ("terms", f"{len(model.vocabulary_):,}"),
        (f"topic diversity (top {top_n})", _number(diversity)),
    ]
    facts += [(f"mean {m}", _number(np.nanmean(coherence[m]) if len(coherence) else np.nan)) for m in measures]
    facts.append(("iterations", str(run_info.get("n_iter", model.n_iter_))))
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Topic report: {model.n_topics_} topics of {n_docs:,} documents</title>",
        f"<style>{_CSS}</style></head>",
        "<body>",
        f"<h1>{model.n_topics_} topics of {n_docs:,} documents</h1>",
        '<ul class="facts">' + "".join(f"<li><span>{_e(k)}</span>{_e(v)}</li>" for k, v in facts) + "</ul>",
        "<p>Topics are numbered by their share of the total weight, the largest first. "
        "<em>Size</em> counts the documents whose top topic it is.</p>",
    ]

    # -- topic table
    has_coherence = "coherence" in summary.columns
    header = ["topic", "label", "size", "share"]
    if has_coherence:
        header.append(f"coherence ({measures[0]})" if measures else "coherence")
    header.append("top words")
    rows = []
    for row in summary.itertuples(index=False):
        cells = [str(row.topic), _e(row.label), f"{row.size:,}", f"{100 * row.share:.1f}%"]
        if has_coherence:
            cells.append(_number(row.coherence))
        cells.append(_e(row.top_words))
        rows.append(cells)
    numeric = {0, 2, 3, 4} if has_coherence else {0, 2, 3}
    out += ['<h2 id="topics">Topics</h2>', _html_table(header, rows, numeric=numeric)]

    # -- coherence
    out.append('<h2 id="coherence">Coherence</h2>')
    if coherence is None:
        out.append(f'<p class="note">{_e(coherence_note)}</p>')
    else:
        out.append(
            f"<p>Coherence of the top {top_n} words of each topic on the training texts "
            "(c_npmi in [-1, 1], c_v in [0, 1]; u_mass and c_uci are unbounded; higher is better for all). "
            f"Topic diversity is the share of distinct words among all topics' top {top_n} words.</p>"
        )
        rows = [[str(int(r[0]))] + [_number(v) for v in r[1:]] for r in coherence.itertuples(index=False)]
        foot = ["mean"] + [_number(np.nanmean(coherence[m])) for m in measures]
        out.append(_html_table(["topic"] + measures, rows, numeric=set(range(len(measures) + 1)), foot=foot))

    # -- plots
    captions = {
        "top_words": f"Top {top_n} words of each topic.",
        "prevalence": "Share of the total weight of each topic.",
        "doc_topics": "Normalised document-topic weights, documents grouped by top topic.",
        "coherence": f"Coherence per topic ({measures[0]})." if measures else "Coherence per topic.",
        "convergence": "Loss of the factorisation at each iteration.",
    }
    out.append('<h2 id="plots">Plots</h2>')
    for name, data in images.items():
        encoded = base64.b64encode(data).decode("ascii")
        out.append(
            f'<figure><img alt="{_e(captions[name])}" src="data:image/png;base64,{encoded}">'
            f"<figcaption>{_e(captions[name])}</figcaption></figure>"
        )

    # -- representative documents
    out.append('<h2 id="documents">Representative documents</h2>')
    out.append(
        "<p>For each topic, the documents with the largest normalised weight on it among those "
        "whose top topic it is.</p>"
    )
    labels = None
    if model.doc_labels_ is not None:
        labels = dict(zip(model.doc_ids_, model.doc_labels_))
    groups = {topic: group for topic, group in representatives.groupby("topic", sort=True)}
    for row in summary.itertuples(index=False):
        out.append(f'<h3 id="topic-{row.topic}">Topic {row.topic}: {_e(row.label)}</h3>')
        group = groups.get(row.topic)
        if group is None:
            out.append('<p class="note">No document has this as its top topic.</p>')
            continue
        for doc in group.itertuples(index=False):
            meta = f"<strong>{_e(doc.doc_id)}</strong> &middot; weight {_number(doc.weight)}"
            if labels is not None:
                meta += f" &middot; label {_e(labels.get(doc.doc_id, ''))}"
            out.append(
                f'<div class="doc"><div class="meta">{meta}</div><blockquote>{_e(doc.snippet)}</blockquote></div>'
            )

    # -- run parameters
    out.append('<h2 id="run">Run</h2>')
    rows = [[_e(k), _e(_plain(v))] for k, v in _flatten(run_info)]
    out.append(_html_table(["parameter", "value"], rows))
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


def _read_run_info(run_dir: Path) -> dict | None:
    try:
        info = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return info if isinstance(info, dict) else None


def write_report(
    model: TopicModel,
    run_dir: str | Path,
    *,
    top_n: int = 10,
    measures: Sequence[str] = MEASURES,
    n_representative: int = 3,
    max_docs: int = 2000,
    dpi: int = 80,
    run_info: dict | None = None,
) -> pd.DataFrame:
    """Write the summary, coherence, plots and ``report.html`` of ``model`` into ``run_dir``.

    Files written: ``summary.csv`` (:func:`topic_summary`), ``coherence.csv``
    (:func:`coherence_table`), ``plots/top_words.png``, ``plots/prevalence.png``,
    ``plots/doc_topics.png``, ``plots/coherence.png``, ``plots/convergence.png``
    and ``report.html``, one self-contained page (inline CSS, the plots embedded
    as data URIs, nothing fetched from elsewhere) with the topic table, the
    coherence table, topic diversity, the plots, the representative documents
    (:func:`representative_docs`) and the run parameters.

    Everything is computed before the first file is written, each coherence
    measure once, and each file is written under a temporary name and moved into
    place with ``os.replace``, so rebuilding the report of an existing folder
    never leaves a half-written file. A model fitted with ``keep_tokens=False``
    gets NaN coherence, no ``coherence.csv`` or coherence plot, and a note in the report.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    run_dir : str or Path
        An existing folder (as written by ``topicnmf fit``).
    top_n : int, default=10
        Top words per topic, shown and scored.
    measures : sequence of str, default=("c_npmi", "c_v", "u_mass", "c_uci")
        Coherence measures of ``coherence.csv``; the first is the ``coherence``
        column of the summary and the measure of the coherence plot.
    n_representative : int, default=3
        Representative documents per topic in the report.
    max_docs : int, default=2000
        Most documents drawn in the heatmap (a larger corpus is sampled).
    dpi : int, default=80
        Resolution of the PNG files.
    run_info : dict or None, default=None
        The run's record to show under "Run"; ``None`` reads ``run_dir/run.json``
        if there is one and otherwise shows the model's parameters.

    Returns
    -------
    summary : DataFrame
        The topic summary that was written (see :func:`topic_summary`).
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError(f"No output folder at '{run_dir}'; pass a folder written by 'topicnmf fit'.")
    top_n = check_int(top_n, "top_n", "write_report")
    measures = _check_measures(measures, "write_report")
    n_representative = check_int(n_representative, "n_representative", "write_report")
    dpi = check_int(dpi, "dpi", "write_report")

    try:
        texts, coherence_note = model.tokenized_texts(), None
    except InputError as error:
        texts, coherence_note = None, f"No coherence: {error}"
    if texts is not None:
        coherence = pd.DataFrame(
            {"topic": np.arange(model.n_topics_), **_coherence_scores(model, measures, top_n, texts)}
        )
        scores = coherence[measures[0]].to_numpy()
        del texts
    else:
        coherence, scores = None, np.full(model.n_topics_, np.nan)
    summary = topic_summary(model, top_n=top_n, measure=measures[0], scores=scores)
    representatives = representative_docs(model, n=n_representative)
    diversity = _topic_diversity(model.top_words(top_n))
    images = _render_plots(
        model,
        top_n=top_n,
        measure=None if coherence is None else measures[0],
        scores=scores,
        max_docs=max_docs,
        dpi=dpi,
    )
    if run_info is None:
        run_info = _read_run_info(run_dir) or {
            "parameters": _model_parameters(model, top_n),
            "n_iter": model.n_iter_,
            "reconstruction_err": model.reconstruction_err_,
        }
    page = _render_html(
        model,
        summary=summary,
        coherence=coherence,
        coherence_note=coherence_note,
        representatives=representatives,
        diversity=diversity,
        images=images,
        run_info=run_info,
        top_n=top_n,
    )

    write_csv_atomic(summary, run_dir / "summary.csv")
    if coherence is not None:
        write_csv_atomic(coherence, run_dir / "coherence.csv")
    plots = run_dir / "plots"
    plots.mkdir(exist_ok=True)
    for name, data in images.items():
        _write_bytes_atomic(data, plots / f"{name}.png")
    _write_bytes_atomic(page.encode("utf-8"), run_dir / "report.html")
    return summary


def write_outputs(
    model: TopicModel,
    out_dir: str | Path,
    *,
    top_n: int = 10,
    force: bool = False,
    run_info: dict | None = None,
    corpus=None,
) -> pd.DataFrame:
    """Write every output of a fitted model to the folder ``out_dir``, all or nothing.

    The folder gets ``topics.csv``, ``doc_topics.csv``, ``model/``, ``run.json``
    and what :func:`write_report` writes. Everything is written to a temporary
    folder beside ``out_dir`` first and moved into place at the end, so an error
    leaves no half-written folder and an existing one (with ``force=True``) intact.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    out_dir : str or Path
        The output folder.
    top_n : int, default=10
        Top words per topic in the tables.
    force : bool, default=False
        Replace an existing ``out_dir``.
    run_info : dict or None, default=None
        Extra entries for ``run.json``.
    corpus : Corpus or None, default=None
        The training corpus, whose hash goes into ``run.json``.

    Returns
    -------
    summary : DataFrame
        The topic summary (see :func:`topic_summary`).
    """
    target = check_output_dir(out_dir, force=force)
    start = time.perf_counter()
    with _staging(target) as staging:
        model.save(staging / "model")
        model.topic_words(top_n).to_csv(staging / "topics.csv", index=False)
        model.doc_topics().to_csv(staging / "doc_topics.csv", index=False)
        run = {
            "topicnmf_run": 1,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "parameters": _model_parameters(model, top_n),
            "corpus": {}
            if corpus is None
            else {"source": str(corpus.source), "documents": len(corpus), "sha256": corpus_hash(corpus)},
            "n_iter": model.n_iter_,
            "reconstruction_err": model.reconstruction_err_,
            "topic_diversity": _topic_diversity(model.top_words(top_n)),
            "versions": _library_versions(),
            "timings": dict(model.timings_),
            **(run_info or {}),
        }
        report_start = time.perf_counter()
        summary = write_report(model, staging, top_n=top_n, run_info=run)
        run["timings"]["report"] = time.perf_counter() - report_start
        run["timings"]["write_outputs"] = time.perf_counter() - start
        (staging / "run.json").write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
        _replace_dir(staging, target)
    return summary
