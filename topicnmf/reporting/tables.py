"""Tables of a fitted TopicModel, and their export to CSV or Parquet files.

The tables are pandas DataFrames with snake_case columns, one row per topic (or
per topic and rank), sorted by topic. The topic facts (shares, sizes, labels, top
words) are the model's own: these functions arrange them, they never compute
them again.

Exports (:func:`write_table`) write numbers with 6 significant digits (float32,
the precision of the factors, has about 7) and neutralise text cells that a
spreadsheet would run as a formula: a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading ``'``. Lines end in CRLF
(RFC 4180), so a cell holding a line break is quoted and cannot start a row.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from topicnmf._validation import check_int
from topicnmf.errors import InputError
from topicnmf.model import as_corpus, doc_topic_frame, top_topics
from topicnmf.reporting.output import write_file_atomic

__all__ = [
    "MEASURES",
    "coherence_scores",
    "coherence_table",
    "CorpusRecord",
    "corpus_hash",
    "corpus_record",
    "new_doc_topics",
    "representative_docs",
    "table_bytes",
    "topic_summary",
    "write_table",
]

MEASURES = ("c_npmi", "c_v", "u_mass", "c_uci")
FLOAT_FORMAT = "%.6g"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def topic_summary(
    model,
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
        Columns ``topic, topic_label, size, share, coherence, top_words``:
        ``topic_label`` is the model's ``topic_labels_``, ``size`` its
        ``topic_sizes_`` (documents whose top topic it is), ``share`` its
        ``topic_shares_`` (part of the total weight of ``W @ H``), ``top_words``
        the space-separated top words. One row per topic, sorted by topic.

    Examples
    --------
    >>> from topicnmf import TopicModel
    >>> docs = ["cats purr and cats sleep", "dogs bark and dogs run"] * 5
    >>> model = TopicModel(n_topics=2, random_state=0).fit(docs)
    >>> topic_summary(model, top_n=3, measure=None).columns.tolist()
    ['topic', 'topic_label', 'size', 'share', 'top_words']
    """
    top_n = check_int(top_n, "top_n", "topic_summary")
    table = pd.DataFrame(
        {
            "topic": np.arange(model.n_topics_),
            "topic_label": list(model.topic_labels_),
            "size": np.asarray(model.topic_sizes_, dtype=np.int64),
            "share": np.asarray(model.topic_shares_, dtype=np.float64),
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
    table["top_words"] = [" ".join(w) for w in model.top_words(top_n)]
    return table


def check_measures(measures, owner: str) -> tuple[str, ...]:
    """``measures`` as a tuple of distinct names (a single name is a one-element tuple)."""
    if isinstance(measures, str):
        measures = (measures,)
    measures = tuple(measures)
    if not measures or not all(isinstance(m, str) for m in measures):
        raise InputError(
            f"The 'measures' parameter of {owner} must be a non-empty sequence of measure names. "
            f"Got {measures!r}."
        )
    if len(set(measures)) != len(measures):
        raise InputError(f"The 'measures' parameter of {owner} names a measure twice. Got {measures!r}.")
    return measures


def coherence_scores(model, measures: Sequence[str], top_n: int, texts=None) -> dict[str, np.ndarray]:
    """Scores of each measure, with the texts and top words prepared once.

    Without ``texts`` the model's own token ids are counted, once for all the
    measures (the same numbers as on its :meth:`~TopicModel.tokenized_texts`).
    """
    from topicnmf.measures import CoherenceCounts, coherence

    if texts is not None:
        words = model.top_words(top_n)
        return {measure: np.asarray(coherence(words, texts, measure), dtype=np.float64) for measure in measures}
    token_ids, offsets = model._token_stream()
    counts = CoherenceCounts(model._top_word_ids(top_n), measures=measures, owner="coherence")
    counts.add_ids(token_ids, offsets)
    return {measure: np.asarray(counts.scores(measure), dtype=np.float64) for measure in measures}


def coherence_table(model, *, measures: Sequence[str] = MEASURES, top_n: int = 10) -> pd.DataFrame:
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
    measures = check_measures(measures, "coherence_table")
    top_n = check_int(top_n, "top_n", "coherence_table")
    scores = coherence_scores(model, measures, top_n)
    return pd.DataFrame({"topic": np.arange(model.n_topics_), **scores})


def representative_docs(model, *, n: int = 3) -> pd.DataFrame:
    """The documents that show each topic best.

    A document can represent only its top topic (the topic of its largest
    weight). Among the documents whose top topic is ``k``, they are ranked by
    ``score = share * strength``: ``share`` is the document's weight on ``k``
    over its total weight (how much of the document is about ``k``) and
    ``strength`` its weight on ``k`` over the largest weight any document has
    on ``k`` (how strongly it shows ``k`` among the corpus). The share alone
    ties at 1.0 for every document about one topic only, short ones included;
    the strength alone favours long documents that cover many topics. The
    product is 1 only for the strongest document of a topic when it is about
    nothing else. Ties are broken by the larger share, then by corpus order;
    documents with no weight represent nothing.

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
        Columns ``topic, rank, doc_id, score, share, snippet``: ``rank`` 0 is
        the best representative; ``score`` and ``share`` are in (0, 1];
        ``snippet`` is the start of the document's text, cleaned of mail
        headers, quotes and signatures (the model's ``doc_snippets_``). Sorted
        by topic, then rank.

    Examples
    --------
    >>> from topicnmf import TopicModel
    >>> docs = ["cats purr and cats sleep", "dogs bark and dogs run"] * 5
    >>> model = TopicModel(n_topics=2, random_state=0).fit(docs)
    >>> representative_docs(model, n=2).columns.tolist()
    ['topic', 'rank', 'doc_id', 'score', 'share', 'snippet']
    """
    n = check_int(n, "n", "representative_docs")
    W = np.asarray(model.doc_topic_, dtype=np.float64)
    totals = W.sum(axis=1)
    top = top_topics(W)
    docs = np.flatnonzero(top >= 0)
    top = top[docs]
    raw = W[docs, top]
    share = raw / totals[docs]
    peak = W.max(axis=0)
    score = share * raw / peak[top]
    order = np.lexsort((docs, -share, -score, top))
    docs, top, share, score = docs[order], top[order], share[order], score[order]
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
            "score": score[keep],
            "share": share[keep],
            "snippet": ["" if snippets is None else snippets[i] for i in docs],
        }
    )


def new_doc_topics(model, documents, *, normalize: bool = False) -> pd.DataFrame:
    """The document-topic table of new documents.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    documents : Corpus, sequence or Series of str, 1-D array of str, or DataFrame
        The new documents (as :meth:`TopicModel.transform` takes them); plain
        texts get the ids ``"0"``, ``"1"``, ...
    normalize : bool, default=False
        Scale each document's weights to sum to 1.

    Returns
    -------
    DataFrame
        The columns of :meth:`TopicModel.doc_topics`: ``doc_id``, ``label``
        (where the corpus has labels), ``topic_0 ... topic_{K-1}``, ``top_topic``
        (-1 for a document with no weight); one row per document, in order.
    """
    corpus = as_corpus(documents, text_column=model.text_column, owner="new_doc_topics")
    return doc_topic_frame(model.transform(corpus), corpus.ids, corpus.labels, normalize=normalize)


class CorpusRecord:
    """What ``run.json`` records of a corpus (source, size, SHA-256), without its texts.

    :func:`write_outputs` takes it in place of the corpus, so a caller can let go
    of the texts once the model is fitted. Built by :func:`corpus_record`.
    """

    def __init__(self, source: str, n_docs: int, sha256: str):
        self.source, self.n_docs, self.sha256 = source, n_docs, sha256

    def __len__(self) -> int:
        return self.n_docs


def corpus_record(corpus) -> CorpusRecord:
    """The source, size and SHA-256 (:func:`corpus_hash`) of a corpus, as a :class:`CorpusRecord`."""
    return CorpusRecord(getattr(corpus, "source", "<texts>"), len(corpus), corpus_hash(corpus))


def corpus_hash(corpus) -> str:
    """SHA-256 over the ids and texts of a corpus, to tell which corpus a run saw.

    A :class:`CorpusRecord` gives the hash it holds.
    """
    if isinstance(corpus, CorpusRecord):
        return corpus.sha256
    digest = hashlib.sha256()
    for doc_id, text in zip(corpus.ids, corpus.texts):
        digest.update(doc_id.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\1")
    return digest.hexdigest()


# -- export -----------------------------------------------------------------------------------


def _cleaned(table: pd.DataFrame, *, neutralise: bool) -> pd.DataFrame:
    """``table`` with text cells made writable: lone surrogates (from undecodable file names)
    shown as ``\\udcXX``, and, with ``neutralise``, cells that start like a spreadsheet
    formula prefixed with ``'``."""
    columns = {}
    for name in table.columns:
        column = table[name]
        if not (column.dtype == object or pd.api.types.is_string_dtype(column.dtype)):
            continue
        values = column.to_numpy(dtype=object)
        changed = False
        for i, value in enumerate(values):
            if not isinstance(value, str):
                continue
            new = value
            if not new.isascii():
                new = new.encode("utf-8", "backslashreplace").decode("utf-8")
            if neutralise and new.startswith(FORMULA_STARTS):
                new = "'" + new
            if new is not value:
                if not changed:
                    values, changed = values.copy(), True
                values[i] = new
        if changed:
            columns[name] = values
    return table.assign(**columns) if columns else table


def table_bytes(table: pd.DataFrame, kind: str = "csv") -> bytes:
    """``table`` encoded as CSV (numbers to 6 significant digits, formulas neutralised) or Parquet.

    Parameters
    ----------
    table : DataFrame
    kind : {"csv", "parquet"}, default="csv"
        Parquet keeps the numbers as they are and needs pyarrow
        (``pip install 'topicnmf[parquet]'``).

    Returns
    -------
    data : bytes
    """
    if kind == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise InputError(
                "Parquet output needs pyarrow; install it (pip install 'topicnmf[parquet]') or write CSV."
            ) from None
        buffer = io.BytesIO()
        _cleaned(table, neutralise=False).to_parquet(buffer, index=False)
        return buffer.getvalue()
    if kind != "csv":
        raise InputError(f"The 'kind' parameter of table_bytes must be one of 'csv', 'parquet'. Got {kind!r}.")
    # CRLF line ends (RFC 4180) make the writer quote any cell holding a CR or LF, so no cell can start a row.
    table = _cleaned(table, neutralise=True)
    text = _csv_text(table)
    if text is None:
        text = table.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\r\n")
    return text.encode("utf-8")


def _csv_text(table: pd.DataFrame, chunk: int = 4096) -> str | None:
    """``table.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\\r\\n")``, column by column.

    The same text as pandas writes (the same ``csv`` writer, floats through the same
    format, NaN as an empty cell), about twice as fast on a document-topic table:
    the cells of ``chunk`` rows of a column are formatted in one pass rather than
    one by one. None for a table with a column other than numbers, booleans and
    str (pandas writes those).
    """
    if not len(table.columns) or not table.columns.is_unique:
        return None
    columns = []
    for name in table.columns:
        values = table[name].to_numpy()
        plain_text = values.dtype.kind == "O" and all(type(v) is str for v in values)  # noqa: E721 (not subclasses)
        if not (values.dtype.kind in "fiub" or plain_text):
            return None
        columns.append(values)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([str(name) for name in table.columns])
    for start in range(0, len(table), chunk):
        writer.writerows(zip(*(_cells(values[start : start + chunk]) for values in columns)))
    return buffer.getvalue()


def _cells(values: np.ndarray):
    """The CSV cells of one column's values (floats to 6 significant digits, NaN empty)."""
    if values.dtype.kind == "f":
        cells = list(map(FLOAT_FORMAT.__mod__, values.tolist()))
        for i in np.flatnonzero(np.isnan(values)).tolist():
            cells[i] = ""
        return cells
    if values.dtype.kind in "iub":
        return map(str, values.tolist())
    return values


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` to ``path`` whole, as Parquet if the name ends in ``.parquet``, else as CSV.

    CSV numbers have 6 significant digits and text cells that start with
    ``= + - @``, a tab or a carriage return get a leading ``'`` so that
    spreadsheets show them as text. The file is written under a temporary name
    and renamed into place, never through a link (see
    :func:`~topicnmf.reporting.output.write_file_atomic`).

    Returns
    -------
    path : Path
    """
    path = Path(path)
    kind = "parquet" if path.suffix.lower() == ".parquet" else "csv"
    return write_file_atomic(table_bytes(table, kind), path)
