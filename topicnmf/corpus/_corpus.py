"""The Corpus type: documents with their ids, optional labels and times, and how they were read."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from topicnmf._validation import check_one_per
from topicnmf.corpus._messages import repeated
from topicnmf.errors import InputError

__all__ = ["Corpus", "as_corpus"]


@dataclass(repr=False)
class Corpus:
    """Documents with their ids, optional labels and times, and a record of how they were read.

    Build one with :func:`read_corpus` (from a folder or a file) or :meth:`from_texts` (from
    strings). Iterating over a corpus yields its texts; ``len(corpus)`` is the number of
    documents; ``corpus[i]`` is the text of document ``i`` and ``corpus[1:10]``,
    ``corpus[[0, 4]]`` or ``corpus[mask]`` a new Corpus of those documents (with their ids,
    labels and times).

    Parameters
    ----------
    ids : list of str of length n_docs
        Unique document ids: paths relative to the folder, ``line_<n>`` or ``row_<n>`` for
        files, positions for :meth:`from_texts`.
    texts : list of str of length n_docs
        The documents, as decoded; empty documents are kept.
    labels : list of str of length n_docs or None, default=None
        One label per document (a folder name or a label column), or None.
    source : str, default="<texts>"
        The path that was read, or ``"<texts>"``.
    n_fallback_decoded : int, default=0
        Number of documents that were not valid UTF-8 and were decoded as cp1252/latin-1.
    skipped : list of str, default=[]
        Files that were skipped (binary, special or unreadable), relative to the folder read.
    times : list of length n_docs or None, default=None
        When each document was written, or None. All of one kind, so that they sort: naive
        ``pandas.Timestamp`` for dates (UTC where the data gave an offset), ``int`` for
        window numbers, ``str`` for window names (such as ``month1``, ``2016-q1``) whose
        sorted order is their order in time. :func:`read_corpus` fills it from
        ``time_column`` or ``time_from="folder"``; see ``topicnmf.corpus._times`` for the
        formats read.

    Attributes
    ----------
    empty : int
        Number of documents kept although empty or whitespace only, counted when the corpus
        is built.

    Examples
    --------
    >>> corpus = Corpus.from_texts(["Stars and planets.", "", "Bread rises."],
    ...                            labels=["space", "none", "food"])
    >>> len(corpus), corpus.ids, corpus.empty
    (3, ['0', '1', '2'], 1)
    >>> [text.upper() for text in corpus][2]
    'BREAD RISES.'
    >>> corpus
    Corpus(n_docs=3, n_labels=3, source='<texts>', n_fallback_decoded=0, skipped=0, empty=1)
    >>> corpus[2], corpus[::2].labels
    ('Bread rises.', ['space', 'food'])
    """

    ids: list[str]
    texts: list[str]
    labels: list[str] | None = None
    source: str = "<texts>"
    n_fallback_decoded: int = 0
    skipped: list[str] = field(default_factory=list)
    times: list[Any] | None = None
    empty: int = field(init=False)
    # Per document, whether it was decoded by the fallback (set by the readers), so that a
    # subset counts its own; None when unknown.
    _fallback: list[bool] | None = field(default=None, init=False, compare=False)

    def __post_init__(self) -> None:
        self.ids = list(self.ids)
        self.texts = list(self.texts)
        n_docs = len(self.texts)
        if len(self.ids) != n_docs:
            raise InputError(
                f"A Corpus needs one id per text. Got {len(self.ids)} ids for {n_docs} texts."
            )
        for name in ("labels", "times"):
            values = getattr(self, name)
            if values is not None:
                values = list(values)
                setattr(self, name, values)
                if len(values) != n_docs:
                    raise InputError(
                        f"A Corpus needs one {name[:-1]} per text or {name}=None. "
                        f"Got {len(values)} {name} for {n_docs} texts."
                    )
        self.skipped = list(self.skipped)
        self.empty = sum(1 for text in self.texts if not text or text.isspace())

    def __len__(self) -> int:
        return len(self.texts)

    def __iter__(self) -> Iterator[str]:
        return iter(self.texts)

    def __getitem__(self, key):
        """The text at an int position; a Corpus of the documents at a slice, positions or mask."""
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            return self.texts[key]
        if isinstance(key, slice):
            positions = range(len(self))[key]
        else:
            positions = _positions(key, len(self))
        subset = Corpus(
            ids=[self.ids[i] for i in positions],
            texts=[self.texts[i] for i in positions],
            labels=None if self.labels is None else [self.labels[i] for i in positions],
            source=self.source,
            times=None if self.times is None else [self.times[i] for i in positions],
        )
        if self._fallback is not None:
            subset._set_fallback([self._fallback[i] for i in positions])
        return subset

    def __repr__(self) -> str:
        n_labels = None if self.labels is None else len(set(self.labels))
        n_times = "" if self.times is None else f", n_times={len(set(self.times))}"
        return (
            f"Corpus(n_docs={len(self)}, n_labels={n_labels}, source={self.source!r}, "
            f"n_fallback_decoded={self.n_fallback_decoded}, skipped={len(self.skipped)}, "
            f"empty={self.empty}{n_times})"
        )

    def _set_fallback(self, flags: list[bool]) -> None:
        self._fallback = flags
        self.n_fallback_decoded = sum(flags)

    @classmethod
    def from_texts(
        cls,
        texts: Iterable[str],
        ids: Iterable[Any] | None = None,
        labels: Iterable[Any] | None = None,
        times: Iterable[Any] | None = None,
    ) -> Corpus:
        """Build a corpus from strings.

        Parameters
        ----------
        texts : iterable of str of length n_docs
            The documents. A single string is refused (wrap it in a list); missing values
            must be replaced by ``""`` first.
        ids : iterable of length n_docs or None, default=None
            Unique ids, converted with ``str``. None numbers the texts ``"0"``, ``"1"``, ...
            (their positions).
        labels : iterable of length n_docs or None, default=None
            Labels, converted with ``str``, or None for no labels.
        times : iterable of length n_docs or None, default=None
            One time per text, all of one kind: dates (``datetime``, ``date``,
            ``numpy.datetime64``, ``pandas.Timestamp``, or strings in a date format), whole
            numbers, or window names (str). Stored as :attr:`times` says.

        Returns
        -------
        corpus : Corpus
            With ``source="<texts>"``.

        Raises
        ------
        InputError
            If ``texts`` is a string or holds something else than strings, if the lengths
            differ, the ids repeat, or the times mix kinds or formats.

        Examples
        --------
        >>> corpus = Corpus.from_texts(["a first text", "a second one"], ids=["a", "b"])
        >>> corpus.ids, corpus.labels, corpus.times
        (['a', 'b'], None, None)
        >>> Corpus.from_texts(["one", "two"], times=["2016-03-01", "2016-04-01"]).times
        [Timestamp('2016-03-01 00:00:00'), Timestamp('2016-04-01 00:00:00')]
        """
        if isinstance(texts, (str, bytes)):
            raise InputError(
                "The 'texts' parameter of Corpus.from_texts must be a list of strings. "
                "Got a single string; wrap it in a list."
            )
        texts = list(texts)
        for position, text in enumerate(texts):
            if not isinstance(text, str):
                raise InputError(
                    "The 'texts' parameter of Corpus.from_texts must hold strings only. "
                    f"Got {type(text).__name__} at position {position}; "
                    "replace missing values with ''."
                )
        if ids is None:
            ids = [str(position) for position in range(len(texts))]
        else:
            ids = [str(doc_id) for doc_id in ids]
            if len(ids) != len(texts):
                raise InputError(
                    "The 'ids' parameter of Corpus.from_texts must hold one id per text. "
                    f"Got {len(ids)} ids for {len(texts)} texts."
                )
            twice = repeated(ids)
            if twice:
                raise InputError(
                    f"The 'ids' parameter of Corpus.from_texts must hold unique ids. Got {twice}."
                )
        if labels is not None:
            labels = check_one_per([str(label) for label in labels], len(texts), "label", "text",
                                   "The 'labels' parameter of Corpus.from_texts")
        if times is not None:
            from topicnmf.corpus._times import parse_times

            if isinstance(times, (str, bytes)):
                raise InputError(
                    "The 'times' parameter of Corpus.from_texts must hold one time per text. "
                    "Got a single string; pass a list."
                )
            times = check_one_per(times, len(texts), "time", "text",
                                  "The 'times' parameter of Corpus.from_texts")
            times = parse_times(times, "The 'times' parameter of Corpus.from_texts")
        return cls(ids=ids, texts=texts, labels=labels, times=times)


def _positions(key: Any, n_docs: int) -> list[int]:
    """Positions from a sequence of ints or a boolean mask of length n_docs."""
    import numpy as np

    try:
        array = np.asarray(key)
    except (TypeError, ValueError):
        array = np.asarray([], dtype=object)
    if array.dtype == bool and array.ndim == 1:
        if len(array) != n_docs:
            raise InputError(
                f"A boolean mask selecting from a Corpus needs one value per document. "
                f"Got {len(array)} values for {n_docs} documents."
            )
        return np.flatnonzero(array).tolist()
    if array.ndim == 1 and (array.dtype.kind in "iu" or array.size == 0):
        positions = array.astype(np.int64).tolist()
        bad = [p for p in positions if not -n_docs <= p < n_docs]
        if bad:
            raise IndexError(f"Corpus position {bad[0]} is out of range for {n_docs} documents.")
        return [p % n_docs for p in positions]
    raise TypeError(
        "A Corpus is indexed by an int, a slice, a sequence of ints or a boolean mask; "
        f"got {type(key).__name__}."
    )


def as_corpus(documents, *, text_column: str = "text", owner: str = "TopicModel.fit") -> Corpus:
    """Documents in any common container as a :class:`~topicnmf.corpus.Corpus`.

    Takes a ``Corpus``; a list, tuple or other iterable of str; a pandas
    ``Series`` of str (its index gives the ids where they are unique); a 1-D
    NumPy array of str; or a pandas ``DataFrame`` whose ``text_column`` holds
    the texts.
    """
    import numpy as np

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
