"""The run folder of a DynamicTopicModel and its report section.

:func:`~topicnmf.reporting.write_outputs` writes, for a DynamicTopicModel, the flat
model of the dynamic topics plus what :func:`dynamic_parts` adds: the window tables
and the topics-over-time plot; :func:`dynamic_section` is the part of ``report.html`` that
shows them: the plot, each dynamic topic's share per window, the dynamic topics'
words and the tracking of window topics to dynamic topics. Every value from the
data is escaped; the plot is embedded as a data URI.
"""

from __future__ import annotations

import base64

import numpy as np

from topicnmf._validation import check_int
from topicnmf.model import topic_sizes
from topicnmf.reporting.page import _e, html_table, number
from topicnmf.reporting.output import WING_DPI, figure_png
from topicnmf.reporting.tables import table_bytes

__all__ = ["dynamic_parts", "dynamic_section"]


def dynamic_section(model, plot_png: bytes, *, top_n: int = 10) -> str:
    """The "Topics over time" section of the report page of a fitted DynamicTopicModel.

    Parameters
    ----------
    model : DynamicTopicModel
        A fitted model.
    plot_png : bytes
        The topics-over-time plot (:func:`~topicnmf.plotting.plot_topics_over_time`) as PNG.
    top_n : int, default=10
        Top words listed per dynamic topic and per window topic.

    Returns
    -------
    html : str
        The section, every value from the data escaped.
    """
    top_n = check_int(top_n, "top_n", "dynamic_section")
    windows = [str(w) for w in model.windows_]
    labels = model.topic_labels_
    k = len(labels)
    over_time = model.topics_over_time()
    share = over_time.pivot(index="topic", columns="period", values="share").reindex(range(k)).to_numpy()
    tracking = model.tracking(top_n)
    counts = np.asarray(model.window_n_topics_)
    sizes = topic_sizes(model.doc_topic_)
    present = [int(tracking.loc[tracking["topic"] == t, "window"].nunique()) for t in range(k)]
    per_window = ", ".join(f"{_e(w)}: {int(c)}" for w, c in zip(windows, counts))
    caption = "Each dynamic topic's share of the documents per window (documents by their top dynamic topic)."
    encoded = base64.b64encode(plot_png).decode("ascii")
    out = [
        '<h2 id="over-time">Topics over time</h2>',
        f"<p>{k} dynamic topics over {len(windows)} windows ({_e(windows[0])} to {_e(windows[-1])}), "
        f"tracked across {len(tracking)} window topics (per window: {per_window}). Each window's documents "
        "were factorised on their own; a second factorisation of all window topics' top terms gives the "
        "dynamic topics (Greene &amp; Cross 2017), so a topic can persist, appear late or fade.</p>",
        f'<figure><img alt="{_e(caption)}" src="data:image/png;base64,{encoded}">'
        f"<figcaption>{_e(caption)}</figcaption></figure>",
        "<h3>Share of each window's documents</h3>",
        html_table(["topic", "label"] + windows,
                   [[str(t), _e(labels[t])] + [f"{100 * v:.0f}%" for v in share[t]] for t in range(k)],
                   numeric=set(range(2, len(windows) + 2)) | {0}),
        "<h3>Dynamic topics</h3>",
        html_table(["topic", "label", "documents", "windows", "top words"],
                   [[str(t), _e(labels[t]), f"{int(sizes[t]):,}", f"{present[t]} of {len(windows)}",
                     _e(" ".join(words))] for t, words in enumerate(model.top_words(top_n))],
                   numeric={0, 2}, words={4}),
        "<h3>Window topics and their dynamic topic</h3>",
        "<p>Each window topic (by window, largest first) with the dynamic topic it belongs to and its weight "
        "on it (1: wholly that topic); <em>documents</em> counts those whose top window topic it is.</p>",
        html_table(["window", "rank", "window topic", "dynamic topic", "weight", "documents", "top words"],
                   [[_e(row.window), str(row.rank), str(row.window_topic),
                     "none" if row.topic < 0 else f"{row.topic}: {_e(labels[row.topic])}",
                     number(row.weight, 2), f"{int(row.documents):,}", _e(row.top_words)]
                    for row in tracking.itertuples(index=False)],
                   numeric={1, 2, 4, 5}, words={6}),
    ]
    return "\n".join(out)


def dynamic_parts(model, top_n: int):
    """What a fitted DynamicTopicModel's run folder holds beside its dynamic topics' flat model.

    Returns ``(model.model_, files, run_info, report_options)`` for
    :func:`~topicnmf.reporting.write_outputs`: ``window_topics.csv``
    (:meth:`DynamicTopicModel.tracking`), ``topics_over_time.csv``
    (:meth:`DynamicTopicModel.topics_over_time`), ``topics_over_time.png``, the
    model's own files (``dynamic.json``, ``dynamic.npz``: with ``model/`` the folder
    :meth:`DynamicTopicModel.load` reads); the windows
    for ``run.json``; the "Topics over time" section (:func:`dynamic_section`).
    """
    from topicnmf import plotting
    from topicnmf.dynamic._state import dynamic_files

    png = figure_png(plotting.plot_topics_over_time(model), WING_DPI)
    files = {
        "window_topics.csv": table_bytes(model.tracking(top_n)),
        "topics_over_time.csv": table_bytes(model.topics_over_time()),
        "topics_over_time.png": png,
        **dynamic_files(model),
    }
    run_info = {"command": "dynamic", "windows": [str(window) for window in model.windows_],
                "window_topics": [int(c) for c in model.window_n_topics_]}
    return model.model_, files, run_info, {"extra_sections": [dynamic_section(model, png, top_n=top_n)]}
