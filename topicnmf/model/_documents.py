"""Documents in and tables out: any container of texts as a Corpus, W as a tidy table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from topicnmf.corpus import Corpus
from topicnmf.errors import InputError

__all__ = ["as_corpus", "doc_topic_frame", "snippet"]

#: Characters of a document kept to show it in reports.
SNIPPET_CHARS = 300


def as_corpus(documents, *, text_column: str = "text", owner: str = "TopicModel.fit") -> Corpus:
    """Documents in any common container as a :class:`~topicnmf.corpus.Corpus`.

    Takes a ``Corpus``; a list, tuple or other iterable of str; a pandas
    ``Series`` of str (its index gives the ids where they are unique); a 1-D
    NumPy array of str; or a pandas ``DataFrame`` whose ``text_column`` holds
    the texts.
    """
    if isinstance(documents, Corpus):
        return documents
    ids = None
    if hasattr(documents, "columns") and hasattr(documents, "iloc"):  # a DataFrame
        if text_column not in documents.columns:
            raise InputError(
                f"The DataFrame passed to {owner} has no column {text_column!r}; "
                "set text_column to the column that holds the texts."
            )
        documents = documents[text_column]
    if hasattr(documents, "index") and hasattr(documents, "to_numpy"):  # a Series
        index = [str(i) for i in documents.index]
        ids = index if len(set(index)) == len(index) else None
        documents = documents.to_numpy()
    if isinstance(documents, np.ndarray):
        if documents.ndim != 1:
            raise InputError(
                f"The array passed to {owner} must be 1-D, one text per entry. "
                f"Got shape {documents.shape}; pass one column of texts."
            )
        documents = documents.tolist()
    if isinstance(documents, (str, bytes)) or not hasattr(documents, "__iter__"):
        raise InputError(
            f"{owner} takes a Corpus, a sequence or Series of str, or a DataFrame with a text column; "
            f"got {type(documents).__name__}. Pass a list of documents, e.g. [text1, text2]."
        )
    return Corpus.from_texts(list(documents), ids=ids)


def snippet(text: str, max_chars: int = SNIPPET_CHARS) -> str:
    """The start of a document for showing to people, cut on a word boundary.

    Cleaned by :func:`~topicnmf.preprocessing.clean_text` (mail headers with
    the subject kept, attribution lines, quoted replies and the signature go;
    quotes are kept when the text is nothing else) and cut by
    :func:`~topicnmf.preprocessing.snippet` after its last whole word that
    fits, with an ellipsis ("…"), at most ``max_chars`` characters in all.
    """
    from topicnmf.preprocessing import clean_text
    from topicnmf.preprocessing import snippet as cut

    return cut(clean_text(text) or clean_text(text, strip_quotes=False), max_chars)


def token_lists(token_ids: np.ndarray, offsets: np.ndarray, vocabulary) -> list[list[str]]:
    """Stored token ids (vocabulary columns, -1 outside it) as one list of words per document.

    Document ``d`` is ``token_ids[offsets[d]:offsets[d + 1]]``; a token outside the
    vocabulary becomes ``""``, so that every token keeps its position.
    """
    words = np.append(vocabulary, "").astype(object)
    tokens = words[token_ids].tolist()
    offsets = offsets.tolist()
    return [tokens[a:b] for a, b in zip(offsets[:-1], offsets[1:])]


def top_topics(W) -> np.ndarray:
    """Each document's top topic: the column of its largest weight, -1 where it has none.

    Parameters
    ----------
    W : array-like of shape (n_docs, n_topics)
        Non-negative document-topic weights.

    Returns
    -------
    ndarray of int of shape (n_docs,)
    """
    W = np.asarray(W)
    return np.where(W.max(axis=1, initial=0) > 0, W.argmax(axis=1), -1) if W.shape[1] else np.full(len(W), -1)


def topic_sizes(W) -> np.ndarray:
    """Documents per topic, each counted for its :func:`top_topics` (none if it has no weight).

    ``W`` is as for :func:`top_topics`; the counts are int64, of shape (n_topics,).
    """
    top = top_topics(W)
    return np.bincount(top[top >= 0], minlength=np.shape(W)[1]).astype(np.int64)


def doc_topic_frame(W, ids, labels=None, *, normalize: bool = False) -> pd.DataFrame:
    """A document-topic table: ``doc_id``, ``label`` (if any), ``topic_0..``, ``top_topic``.

    ``top_topic`` is -1 for a document with no weight on any topic; ``normalize``
    scales each row to sum to 1.
    """
    W = np.asarray(W, dtype=np.float64)
    totals = W.sum(axis=1)
    if normalize:
        W = W / np.where(totals > 0, totals, 1.0)[:, None]
    table = pd.DataFrame({"doc_id": list(ids)})
    if labels is not None:
        table["label"] = list(labels)
    topics = pd.DataFrame(W, columns=[f"topic_{t}" for t in range(W.shape[1])])
    table = pd.concat([table, topics], axis=1)
    table["top_topic"] = top_topics(W)
    return table
