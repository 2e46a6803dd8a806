"""Saving and loading a DynamicTopicModel: ``dynamic.json``, ``dynamic.npz`` and ``model/``.

The dynamic topics' flat model is saved and loaded as any :class:`~topicnmf.model.TopicModel`
(``model/``); the dynamic model adds its parameters, windows and topics per window
(JSON) and the window topics, their weights on the dynamic topics, their assignment
and each document's window and window topic (``.npz``), read through
:mod:`topicnmf._persistence` and checked as strictly: a damaged file fails in one
line naming it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.utils.validation import check_is_fitted

from topicnmf import _persistence as store
from topicnmf._periods import FREQUENCIES

__all__ = ["DYNAMIC_ARRAYS", "DYNAMIC_FILE", "dynamic_files", "load_folder", "save_folder"]

DYNAMIC_FILE = "dynamic.json"
DYNAMIC_ARRAYS = "dynamic.npz"
_FORMAT = store.FolderFormat("topicnmf-dynamic", 1, DYNAMIC_FILE, DYNAMIC_ARRAYS, kind="dynamic model",
                             title="dynamic topic model",
                             folder="a folder written by DynamicTopicModel.save or 'topicnmf dynamic'",
                             saver="DynamicTopicModel.save")
MODEL_FOLDER = "model"
_PARAMS = {"n_topics": (int, str), "window_topics": (int, str), "window": str, "top_terms": int,
           "keep_tokens": bool, "text_column": str}


def _state(model) -> tuple[dict, dict]:
    """The dynamic model's own state (JSON) and arrays, not its dynamic topics' flat model."""
    check_is_fitted(model, "window_components_")
    state = _FORMAT.state(model, _PARAMS, windows=[str(window) for window in model.windows_],
                          window_n_topics=[int(count) for count in model.window_n_topics_])
    arrays = {
        "window_components": model.window_components_,
        "window_topic_dynamic": model.window_topic_dynamic_,
        "window_topic_assignment": model.window_topic_assignment_,
        "doc_window": model.doc_window_,
        "doc_window_topic": model.doc_window_topic_,
    }
    return state, arrays


def dynamic_files(model) -> dict[str, bytes]:
    """The dynamic model's own files (not its ``model/``), as ``{name: bytes}``, for a run folder."""
    return store.model_files(*_state(model), _FORMAT)


def save_folder(model, path: Path) -> Path:
    """Write a fitted dynamic model to the folder ``path`` (see :class:`DynamicTopicModel`)."""
    state, arrays = _state(model)
    model.model_.save(path / MODEL_FOLDER)
    return store.write_model_folder(path, state, arrays, _FORMAT)


def _a_number_of_topics(value) -> bool:
    """Whether a saved ``n_topics`` or ``window_topics`` is one the class takes: an int >= 1 or "auto"."""
    return value == "auto" if isinstance(value, str) else value >= 1


def _params(f: Path, state: dict) -> dict:
    """The constructor's arguments saved in ``state``, each of its type and a value the class takes."""
    kwargs = store.read_params(f, state, _PARAMS)
    if (not _a_number_of_topics(kwargs["n_topics"]) or not _a_number_of_topics(kwargs["window_topics"])
            or kwargs["top_terms"] < 1 or kwargs["window"] not in ("auto", *FREQUENCIES)):
        raise store.corrupt(f, "'params' holds a value DynamicTopicModel does not take")
    return kwargs


def load_folder(cls, path: Path):
    """Read the dynamic model folder ``path`` as a ``cls`` (see :class:`DynamicTopicModel`)."""
    from topicnmf.model import TopicModel

    state, f, arrays_file = store.read_state(path, _FORMAT)
    kwargs = _params(f, state)
    windows = store.expect_list(f, state.get("windows"), str, "windows")
    counts = store.expect_list(f, state.get("window_n_topics"), int, "window_n_topics", len(windows))
    if not windows or min(counts) < 0 or sum(counts) < 1:
        raise store.corrupt(f, "'windows' and 'window_n_topics' describe no window topic")
    model = TopicModel.load(path / MODEL_FOLDER)
    if kwargs["n_topics"] != "auto" and model.n_topics_ != kwargs["n_topics"]:
        raise store.corrupt(f, f"n_topics is {kwargs['n_topics']} but '{MODEL_FOLDER}' has {model.n_topics_} topics")
    n_docs, n_terms, n_rows, k = len(model.doc_ids_), len(model.vocabulary_), sum(counts), model.n_topics_
    arrays = store.read_npz(arrays_file, {
        "window_components": store.ArraySpec("f", (n_rows, n_terms)),
        "window_topic_dynamic": store.ArraySpec("f", (n_rows, k)),
        "window_topic_assignment": store.ArraySpec("iu", (n_rows,)),
        "doc_window": store.ArraySpec("iu", (n_docs,)),
        "doc_window_topic": store.ArraySpec("iu", (n_docs,)),
    })
    checked = {
        "window_components": dict(low=0),
        "window_topic_dynamic": dict(low=0, high=1),
        "window_topic_assignment": dict(low=-1, high=k - 1),
        "doc_window": dict(low=0, high=len(windows) - 1),
        "doc_window_topic": dict(low=-1, high=n_rows - 1),
    }
    for name, bounds in checked.items():
        store.check_values(arrays_file, name, arrays[name], **bounds)
    window_of_row = np.repeat(np.arange(len(windows)), counts)
    placed = arrays["doc_window_topic"] >= 0
    if (window_of_row[arrays["doc_window_topic"][placed]] != arrays["doc_window"][placed]).any():
        raise store.corrupt(arrays_file, "'doc_window_topic' names a window topic of another window")
    as_int = {name: arrays[name].astype(np.int64) for name in ("window_topic_assignment", "doc_window",
                                                                  "doc_window_topic")}
    return cls(**kwargs)._set_fitted(
        model, windows, as_int["doc_window"], arrays["window_components"].astype(np.float64),
        np.asarray(counts, dtype=np.int64), arrays["window_topic_dynamic"].astype(np.float64),
        as_int["window_topic_assignment"], as_int["doc_window_topic"])
