"""Plots on the Agg backend, checked through their artists."""

import io
import re
import subprocess
import sys
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from topicnmf import TopicModel, plotting, read_corpus  # noqa: E402
from topicnmf.errors import InputError  # noqa: E402



def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    return buffer.getvalue()


def _bar_widths(ax):
    return np.array([patch.get_width() for patch in ax.patches])


def _collection_bars(ax):
    """(widths, centres) of the rectangles of an axes' one PolyCollection, in order."""
    (bars,) = ax.collections
    boxes = [path.vertices for path in bars.get_paths()]
    widths = np.array([box[:, 0].max() for box in boxes])
    centres = np.array([(box[:, 1].min() + box[:, 1].max()) / 2 for box in boxes])
    return widths, centres


def _bar_heights(ax):
    return np.array([patch.get_height() for patch in ax.patches])


# -- plot_top_words --------------------------------------------------------------------------


@pytest.mark.parametrize("n_topics, geometry", [(8, (2, 5)), (3, (1, 3))])
def test_top_words_grid_has_one_axes_per_topic(model, small_model, n_topics, geometry):
    fitted = model if n_topics == 8 else small_model
    fig = plotting.plot_top_words(fitted, top_n=6)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == n_topics
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in fig.axes} == {geometry}
    table = fitted.topic_words(6)
    for topic, ax in enumerate(fig.axes):
        words = table[table["topic"] == topic]
        assert ax.get_title() == f"Topic {topic}"
        widths, centres = _collection_bars(ax)
        assert len(widths) == len(words) == 6
        np.testing.assert_allclose(widths, words["weight"])
        assert [text.get_text() for text in ax.texts] == words["word"].tolist()
        np.testing.assert_allclose([text.get_position()[1] for text in ax.texts], centres)
        assert np.all(np.diff(centres) < 0), "the heaviest word is at the top"
        assert ax.get_ylim()[1] > centres[0] > ax.get_ylim()[1] - 1
    assert _png(fig)[:4] == b"\x89PNG"


def test_top_words_grid_rows_follow_k(sample_corpus_dir):
    seven = TopicModel(n_topics=7, random_state=0).fit(read_corpus(sample_corpus_dir))
    fig = plotting.plot_top_words(seven, top_n=3)
    assert len(fig.axes) == 7
    assert fig.axes[-1].get_subplotspec().rowspan.start == 1
    assert fig.axes[-1].get_subplotspec().colspan.start == 1


def test_top_words_draws_on_a_given_figure(small_model):
    fig = Figure(figsize=(6, 3))
    assert plotting.plot_top_words(small_model, top_n=4, fig=fig) is fig
    assert len(fig.axes) == 3
    layout = Figure(figsize=(6, 3), layout="constrained")
    assert len(plotting.plot_top_words(small_model, top_n=4, fig=layout).axes) == 3
    _png(layout)


# -- plot_prevalence -------------------------------------------------------------------------


def test_prevalence_has_a_bar_per_topic(model):
    fig = plotting.plot_prevalence(model)
    (ax,) = fig.axes
    widths = _bar_widths(ax)
    assert len(widths) == 8
    assert widths.sum() == pytest.approx(1.0)
    assert np.all(np.diff(widths) <= 1e-12), "topic 0 has the largest share"
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert sorted(labels) == sorted(f"{t}: {label}" for t, label in enumerate(model.topic_labels_))
    _png(fig)


def test_plots_reuse_a_given_axes(small_model):
    for plot in (plotting.plot_prevalence, plotting.plot_doc_topics, plotting.plot_coherence, plotting.plot_convergence):
        fig = Figure()
        ax = fig.add_subplot(1, 2, 2)
        assert plot(small_model, ax=ax) is ax.figure
        assert ax.has_data() or ax.images, plot.__name__
        _png(fig)


# -- plot_doc_topics -------------------------------------------------------------------------


def test_doc_topics_heatmap_sorts_documents_by_top_topic(model):
    fig = plotting.plot_doc_topics(model)
    ax = fig.axes[0]
    (image,) = ax.images
    data = np.asarray(image.get_array())
    assert data.shape == (len(model.doc_ids_), 8)
    np.testing.assert_allclose(data.sum(axis=1), 1.0)
    top = data.argmax(axis=1)
    assert np.all(np.diff(top) >= 0)
    for topic in range(8):
        weights = data[top == topic, topic]
        assert np.all(np.diff(weights) <= 0)
    assert len(fig.axes) == 2, "the heatmap and its colour bar"
    _png(fig)


def test_doc_topics_heatmap_samples_large_corpora(model):
    first = plotting.plot_doc_topics(model, max_docs=50, random_state=1)
    again = plotting.plot_doc_topics(model, max_docs=50, random_state=1)
    data = np.asarray(first.axes[0].images[0].get_array())
    assert data.shape == (50, 8)
    np.testing.assert_array_equal(data, np.asarray(again.axes[0].images[0].get_array()))
    assert "50 of" in first.axes[0].get_title()


def test_doc_topics_puts_documents_without_weight_last():
    W = np.array([[0.0, 0.0], [1.0, 3.0], [2.0, 0.0], [4.0, 1.0]])
    fake = SimpleNamespace(doc_topic_=W)
    data = np.asarray(plotting.plot_doc_topics(fake).axes[0].images[0].get_array())
    np.testing.assert_allclose(data, [[1.0, 0.0], [0.8, 0.2], [0.25, 0.75], [0.0, 0.0]])


# -- plot_coherence --------------------------------------------------------------------------


def test_coherence_plot_uses_given_scores(small_model):
    scores = np.array([0.3, -0.1, np.nan])
    fig = plotting.plot_coherence(small_model, measure="c_v", scores=scores)
    ax = fig.axes[0]
    np.testing.assert_array_equal(_bar_heights(ax), scores)
    assert ax.get_ylabel() == "c_v"
    (mean_line,) = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert mean_line.get_ydata()[0] == pytest.approx(0.1)
    _png(fig)


def test_coherence_plot_computes_scores(small_model):
    ax = plotting.plot_coherence(small_model, measure="u_mass", top_n=5).axes[0]
    np.testing.assert_allclose(_bar_heights(ax), small_model.coherence("u_mass", top_n=5))


# -- plot_convergence ------------------------------------------------------------------------


def test_convergence_plots_the_loss_history(model):
    fig = plotting.plot_convergence(model)
    (line,) = fig.axes[0].lines
    history = np.asarray(model.nmf_.loss_history_)
    assert len(history) > 1
    np.testing.assert_allclose(line.get_ydata(), history)
    np.testing.assert_array_equal(line.get_xdata(), np.arange(len(history)))
    _png(fig)


def test_convergence_without_history_says_so():
    fake = SimpleNamespace(loss_history_=[])
    ax = plotting.plot_convergence(fake).axes[0]
    assert len(ax.lines) == 0 and [t.get_text() for t in ax.texts] == ["no loss history recorded"]


# -- errors and state ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plot, kwargs, message",
    [
        (plotting.plot_top_words, {"top_n": 0}, "The 'top_n' parameter of plot_top_words must be an int >= 1. Got 0."),
        (plotting.plot_doc_topics, {"max_docs": 2.5}, "The 'max_docs' parameter of plot_doc_topics must be an int >= 1. Got 2.5."),
        (
            plotting.plot_coherence,
            {"scores": [1.0, 2.0]},
            "The 'scores' parameter of plot_coherence must have one score per topic (3). Got shape (2,).",
        ),
    ],
)
def test_bad_arguments(small_model, plot, kwargs, message):
    with pytest.raises(InputError, match=re.escape(message)):
        plot(small_model, **kwargs)


def test_plotting_is_imported_on_demand_and_leaves_pyplot_alone():
    code = (
        "import sys, topicnmf; topicnmf.TopicModel; before = 'topicnmf.plotting' in sys.modules; "
        "from topicnmf import plotting; "
        "print(before, 'topicnmf.plotting' in sys.modules, 'matplotlib.pyplot' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True", "False"]
