"""Documents shown and tabulated: snippets, token lists, W as a tidy table."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from topicnmf.measures import top_topics

__all__ = ["Documents", "doc_topic_frame", "snippet", "token_lists"]

#: Characters of a document kept to show it in reports.
SNIPPET_CHARS = 300


class Documents(NamedTuple):
    """What a fitted model keeps of the documents it was fitted on, in their order.

    ``tokens`` are the encoded token streams ``(ids, offsets)`` (see
    :func:`token_lists`) or None; ``labels`` and ``times`` are None when the
    corpus has none.
    """

    ids: list[str]
    labels: list[Any] | None
    snippets: list[str]
    tokens: tuple[np.ndarray, np.ndarray] | None
    times: list[Any] | None

    @classmethod
    def of(cls, corpus, tokens=None, times=None) -> "Documents":
        """The documents of a :class:`~topicnmf.corpus.Corpus` (``times``: its own unless given)."""
        times = getattr(corpus, "times", None) if times is None else times
        return cls(
            list(corpus.ids),
            None if corpus.labels is None else list(corpus.labels),
            [snippet(text) for text in corpus.texts],
            None if tokens is None else (tokens[0], tokens[1]),
            None if times is None else list(times),
        )


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
