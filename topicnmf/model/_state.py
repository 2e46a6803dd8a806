"""The one serialiser of a fitted TopicModel: ``model.json`` plus ``arrays.npz``, no pickle.

:func:`save_folder` writes what :func:`load_folder` reads back, checked as strictly as
a fit (see :mod:`topicnmf._persistence`).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from topicnmf._persistence import (
    ArraySpec,
    FolderFormat,
    check_values,
    corrupt,
    expect,
    expect_list,
    read_npz,
    read_params,
    read_state,
    write_model_folder,
)
from topicnmf.nmf import NMF
from topicnmf.preprocessing import TextVectorizer

from ._documents import Documents

__all__ = ["ARRAYS_FILE", "MODEL_FILE", "library_versions", "load_folder", "save_folder"]

MODEL_FILE = "model.json"
ARRAYS_FILE = "arrays.npz"
_PARAMS = {"keep_tokens": bool, "text_column": str}  # saved beside n_topics (the number fitted)
_FORMAT = FolderFormat("topicnmf-model", 1, MODEL_FILE, ARRAYS_FILE, kind="model", title="topicnmf model",
                       folder="the 'model' folder written by 'topicnmf fit'", saver="TopicModel.save")


def library_versions() -> dict[str, str]:
    found = {}
    for name in ("topicnmf", "numpy", "scipy", "scikit-learn", "nltk", "pandas"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "unknown"
    return found


def save_folder(model, path: str | Path) -> Path:
    """Write a fitted model to the folder ``path`` (see :meth:`TopicModel.save`)."""
    check_is_fitted(model, "nmf_")
    path = Path(path)
    nmf_params = {
        key: value
        for key, value in model.nmf_.get_params(deep=False).items()
        if value is None or isinstance(value, (str, int, float, bool))
    }
    state = _FORMAT.state(model, _PARAMS)
    state["params"]["n_topics"] = model.n_topics_  # the number fitted (the parameter may be "auto")
    state |= {
        "versions": library_versions(),
        "topic_labels": list(model.topic_labels_),
        "seeds": {"topic_ids": model.seed_topic_ids_, "missing": model.seed_words_missing_},
        "doc_times": _times_to_json(model.doc_times_),
        "nmf": {
            "class": type(model.nmf_).__name__,
            "params": nmf_params,
            "n_iter": model.n_iter_,
            "reconstruction_err": model.reconstruction_err_,
            "loss_history": model.loss_history_,
        },
        "vectorizer": model.vectorizer_.to_dict(),
        "vocabulary": model.vocabulary_.tolist(),
        "doc_ids": model.doc_ids_,
        "doc_labels": model.doc_labels_,
        "doc_snippets": model.doc_snippets_,
        "timings": model.timings_,
        "sweep": _sweep_state(model.sweep_),
    }
    arrays = {"components": model.components_, "doc_topic": model.doc_topic_}
    if model._token_ids is not None:
        arrays.update(token_ids=model._token_ids, token_offsets=model._token_offsets)
    return write_model_folder(path, state, arrays, _FORMAT)


def _sweep_state(table) -> dict | None:
    """The sweep table of ``n_topics="auto"`` as JSON data (NaN as null)."""
    if table is None:
        return None
    return {
        "columns": {c: [None if pd.isna(v) else v for v in table[c].tolist()] for c in table.columns},
        "best_k": int(table.attrs["best_k"]),
        "reason": str(table.attrs["reason"]),
    }


def _sweep_from_state(f: Path, state):
    if state is None:
        return None
    state = expect(f, state, dict, "sweep")
    columns = expect(f, state.get("columns"), dict, "sweep.columns")
    best_k = expect(f, state.get("best_k"), int, "sweep.best_k")
    reason = expect(f, state.get("reason"), str, "sweep.reason")
    ks = expect_list(f, columns.get("k"), int, "sweep.columns.k")
    data = {}
    for name, values in columns.items():
        values = expect_list(f, values, (int, float, type(None)), f"sweep.columns.{name}", len(ks))
        data[str(name)] = np.asarray([np.nan if v is None else v for v in values], dtype=np.float64)
    if best_k not in ks:
        raise corrupt(f, "'sweep.best_k' is not among the swept k")
    data["k"] = np.asarray(ks, dtype=np.int64)
    table = pd.DataFrame(data)
    table.attrs.update(best_k=best_k, reason=reason)
    return table


def load_folder(cls: type, path: str | Path):
    """Read the model folder ``path`` as a ``cls`` (see :meth:`TopicModel.load`)."""
    path = Path(path)
    state, model_file, arrays_file = read_state(path, _FORMAT)
    return _from_state(cls, model_file, state, arrays_file)


def _from_state(cls, model_file: Path, state: dict, arrays_file: Path):
    f = model_file
    params = read_params(f, state, {"n_topics": int, **_PARAMS}, {"text_column": "text"})
    k, random_state = params["n_topics"], params["random_state"]
    keep_tokens, text_column = params["keep_tokens"], params["text_column"]
    if k < 1:
        raise corrupt(f, "'params.n_topics' must be at least 1")
    vocabulary = expect_list(f, state.get("vocabulary"), str, "vocabulary")
    if len(set(vocabulary)) != len(vocabulary):
        raise corrupt(f, "'vocabulary' repeats terms")
    doc_ids = expect_list(f, state.get("doc_ids"), str, "doc_ids")
    n_docs, n_terms = len(doc_ids), len(vocabulary)
    labels = expect(f, state.get("doc_labels"), (list, type(None)), "doc_labels")
    if labels is not None:
        expect_list(f, labels, str, "doc_labels", n_docs)
    snippets = expect_list(f, state.get("doc_snippets"), str, "doc_snippets", n_docs)
    topic_labels = expect(f, state.get("topic_labels"), (list, type(None)), "topic_labels")
    if topic_labels is not None:
        expect_list(f, topic_labels, str, "topic_labels", k)
    timings = expect(f, state.get("timings", {}), dict, "timings")
    doc_times = _times_from_json(f, state.get("doc_times"), n_docs)
    seeds = expect(f, state.get("seeds", {}), dict, "seeds")
    seed_ids = expect(f, seeds.get("topic_ids", {}), dict, "seeds.topic_ids")
    if any(not isinstance(t, int) or isinstance(t, bool) or not 0 <= t < k for t in seed_ids.values()):
        raise corrupt(f, "'seeds.topic_ids' must map names to topics")
    missing = expect(f, seeds.get("missing", {}), dict, "seeds.missing")
    for name, words in missing.items():
        expect_list(f, words, str, f"seeds.missing.{name}")
    sweep = _sweep_from_state(f, state.get("sweep"))
    nmf_state = expect(f, state.get("nmf"), dict, "nmf")
    nmf_params = expect(f, nmf_state.get("params"), dict, "nmf.params")
    n_iter = expect(f, nmf_state.get("n_iter"), int, "nmf.n_iter")
    error = expect(f, nmf_state.get("reconstruction_err"), (int, float), "nmf.reconstruction_err")
    history = expect_list(f, nmf_state.get("loss_history"), (int, float), "nmf.loss_history")
    unknown = sorted(set(nmf_params) - set(NMF().get_params(deep=False)))
    if unknown:
        raise corrupt(f, f"'nmf.params' holds unknown parameters {unknown[:5]}")
    vectorizer = TextVectorizer.from_dict(state.get("vectorizer"))
    if len(vectorizer.get_feature_names_out()) != n_terms:
        raise corrupt(f, "the vectorizer's vocabulary does not match 'vocabulary'")

    arrays = read_npz(
        arrays_file,
        {
            "components": ArraySpec("f", (k, n_terms)),
            "doc_topic": ArraySpec("f", (n_docs, k)),
            "token_ids": ArraySpec("iu", (None,), required=False),
            "token_offsets": ArraySpec("iu", (n_docs + 1,), required=False),
        },
    )
    H = check_values(arrays_file, "components", arrays["components"], low=0)
    W = check_values(arrays_file, "doc_topic", arrays["doc_topic"], low=0)
    tokens = None
    if ("token_ids" in arrays) != ("token_offsets" in arrays):
        raise corrupt(arrays_file, "it has one of 'token_ids' and 'token_offsets' without the other")
    if "token_ids" in arrays:
        ids = check_values(arrays_file, "token_ids", arrays["token_ids"], low=-1, high=n_terms - 1)
        offsets = check_values(arrays_file, "token_offsets", arrays["token_offsets"], low=0, high=len(ids))
        if offsets[0] != 0 or offsets[-1] != len(ids) or np.any(np.diff(offsets) < 0):
            raise corrupt(arrays_file, "'token_offsets' do not cut 'token_ids' into documents")
        tokens = (ids.astype(np.int32, copy=False), offsets.astype(np.int64, copy=False))

    nmf = NMF.from_components(H, n_iter=n_iter, reconstruction_err=float(error), loss_history=history,
                              **nmf_params)
    model = cls(n_topics=k, nmf=clone(nmf), random_state=random_state, keep_tokens=keep_tokens,
                text_column=text_column, vectorizer=clone(vectorizer))
    model._set_fitted(
        nmf=nmf,
        order=np.arange(k),
        vectorizer=vectorizer,
        doc_topic=W,
        vocabulary=np.asarray(vocabulary, dtype=str),
        documents=Documents(doc_ids, labels, snippets, tokens, doc_times),
        timings=timings,
        topic_labels=topic_labels,
        seeds=(seed_ids, missing),
        sweep=sweep,
    )
    return model


def _times_to_json(times) -> dict | None:
    """Document times for model.json: their kind and their values as JSON values."""
    if times is None:
        return None
    if all(isinstance(t, (int, np.integer)) and not isinstance(t, bool) for t in times):
        return {"kind": "int", "values": [int(t) for t in times]}
    if all(isinstance(t, str) for t in times):
        return {"kind": "str", "values": list(times)}
    import pandas as pd

    return {"kind": "date", "values": [pd.Timestamp(t).isoformat() for t in times]}


def _times_from_json(f: Path, state, n_docs: int) -> list | None:
    """The document times of model.json, checked."""
    if state is None:
        return None
    state = expect(f, state, dict, "doc_times")
    kind = state.get("kind")
    kinds = {"int": int, "str": str, "date": str}
    if kind not in kinds:
        raise corrupt(f, "'doc_times.kind' must be 'int', 'str' or 'date'")
    values = expect_list(f, state.get("values"), kinds[kind], "doc_times.values", n_docs)
    if kind != "date":
        return values
    import pandas as pd

    try:
        return [pd.Timestamp(v) for v in values]
    except (ValueError, TypeError):
        raise corrupt(f, "'doc_times.values' holds a value that is not a date") from None
