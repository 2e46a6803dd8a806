"""Time windows of documents: dates grouped by a calendar unit, or window names as they are.

A leaf on numpy and pandas, shared by :meth:`TopicModel.topics_over_time` and
:class:`~topicnmf.dynamic.DynamicTopicModel`.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Sequence

import numpy as np

from topicnmf._validation import check_one_of, parameter_error
from topicnmf.errors import InputError

__all__ = ["FREQUENCIES", "over_time", "periods"]

#: Calendar units a date can be grouped by, and their pandas period codes.
FREQUENCIES = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}


def _is_date(value: Any) -> bool:
    return isinstance(value, (_dt.date, np.datetime64)) and not isinstance(value, bool)


def periods(times: Sequence[Any], freq: str | None, owner: str) -> tuple[np.ndarray, list[str]]:
    """The window of each document and the windows in time order.

    Parameters
    ----------
    times : sequence of length n_docs
        Dates (``pandas.Timestamp``, ``datetime``, ``numpy.datetime64``), whole numbers,
        or window names (str) whose sorted order is their order in time; all of one kind.
    freq : {"auto", "day", "week", "month", "quarter", "year"} or None
        The calendar unit that groups dates; ``"auto"`` (or None) is ``"month"`` for
        dates and, for numbers and names, every distinct value as its own window.
    owner : str
        The function named in error messages.

    Returns
    -------
    index : ndarray of int of shape (n_docs,)
        Each document's window, a position in ``names``.
    names : list of str
        The windows, earliest first (``2016-03`` for a month, ``2016Q1`` for a quarter).
    """
    freq = "auto" if freq is None else freq
    check_one_of(freq, "freq", owner, ["auto", *FREQUENCIES])
    values = list(times)
    if not values:
        return np.zeros(0, dtype=np.int64), []
    dates = [_is_date(v) for v in values]
    if all(dates):
        import pandas as pd

        code = FREQUENCIES["month" if freq == "auto" else freq]
        stamps = pd.DatetimeIndex([pd.Timestamp(v) for v in values])
        if stamps.tz is not None:
            stamps = stamps.tz_convert(None)
        keys = stamps.to_period(code)
        order = sorted(set(keys))
        position = {key: i for i, key in enumerate(order)}
        return np.fromiter((position[k] for k in keys), dtype=np.int64, count=len(values)), [str(k) for k in order]
    if any(dates):
        raise InputError(
            f"The times passed to {owner} mix dates and other values; give all dates or all window names."
        )
    if freq != "auto":
        raise parameter_error(
            "freq", owner, "'auto' when the times are window names or numbers, not dates", freq
        )
    kinds = {int if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else type(v) for v in values}
    if len(kinds) > 1 or kinds - {int, str}:
        raise InputError(
            f"The times passed to {owner} must be all dates, all whole numbers or all str; "
            f"got {', '.join(sorted(k.__name__ for k in kinds))}."
        )
    keys = [int(v) for v in values] if kinds == {int} else values
    order = sorted(set(keys))
    position = {key: i for i, key in enumerate(order)}
    return np.fromiter((position[k] for k in keys), dtype=np.int64, count=len(values)), [str(k) for k in order]


def topics_by_period(W: np.ndarray, times: Sequence[Any] | None, freq: str | None):
    """:func:`over_time` of a TopicModel's documents, grouped into periods of ``freq`` by their ``times``."""
    if times is None:
        raise InputError(
            "This TopicModel has no document times; fit it on a Corpus with times "
            "(read_corpus(..., time_column=...)) to count topics over time."
        )
    index, names = periods(times, freq, "topics_over_time")
    return over_time(W, index, names)


def over_time(W: np.ndarray, index: np.ndarray, names: list[str]):
    """Documents per period and top topic, with their share of the period's documents.

    Parameters
    ----------
    W : ndarray of shape (n_docs, n_topics)
        Document-topic weights; a document counts for its top topic (none if all 0).
    index : ndarray of int of shape (n_docs,)
        Each document's period, a position in ``names``.
    names : list of str
        The periods in time order.

    Returns
    -------
    DataFrame
        Columns ``period`` (ordered categorical), ``topic``, ``documents``, ``share``
        (of all the period's documents), one row per period and topic, by period then topic.
    """
    import pandas as pd

    from topicnmf.measures import top_topics

    W = np.asarray(W)
    k = W.shape[1]
    top = top_topics(W)
    has = top >= 0
    counts = np.zeros((len(names), k), dtype=np.int64)
    np.add.at(counts, (index[has], top[has]), 1)
    totals = np.bincount(index, minlength=len(names))
    share = counts / np.where(totals > 0, totals, 1)[:, None]
    return pd.DataFrame({
        "period": pd.Categorical(np.repeat(names, k), categories=names, ordered=True),
        "topic": np.tile(np.arange(k), len(names)),
        "documents": counts.ravel(),
        "share": share.ravel(),
    })
