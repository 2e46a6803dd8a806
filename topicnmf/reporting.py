"""Tables and output folders from a fitted TopicModel."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from topicnmf.errors import InputError
from topicnmf.model import TopicModel, _library_versions

__all__ = [
    "check_output_dir",
    "corpus_hash",
    "new_doc_topics",
    "topic_summary",
    "write_csv_atomic",
    "write_outputs",
    "write_report",
]


def topic_summary(model: TopicModel, *, top_n: int = 10, measure: str | None = "c_npmi") -> pd.DataFrame:
    """One row per topic: its label, size, share, coherence and top words.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    top_n : int, default=10
        Top words per topic (shown and scored).
    measure : str or None, default="c_npmi"
        Coherence measure of the ``coherence`` column; ``None`` leaves it out.

    Returns
    -------
    DataFrame
        Columns ``topic, label, size, share, coherence, top_words``: ``label`` joins
        the top three words, ``size`` counts the documents whose top topic it is,
        ``share`` is the topic's part of the total weight ``W @ H``, ``top_words``
        is the space-separated top words. Sorted by topic.
    """
    words = model.top_words(top_n)
    W = np.asarray(model.doc_topic_, dtype=np.float64)
    mass = W.sum(axis=0) * np.asarray(model.components_, dtype=np.float64).sum(axis=1)
    top = model.doc_topics()["top_topic"].to_numpy()
    table = pd.DataFrame(
        {
            "topic": np.arange(model.n_topics_),
            "label": ["_".join(w[:3]) for w in words],
            "size": np.bincount(top[top >= 0], minlength=model.n_topics_),
            "share": mass / mass.sum() if mass.sum() > 0 else mass,
        }
    )
    if measure is not None:
        table["coherence"] = model.coherence(measure, top_n=top_n)
    table["top_words"] = [" ".join(w) for w in words]
    return table


def new_doc_topics(model: TopicModel, corpus, *, normalize: bool = False) -> pd.DataFrame:
    """The document-topic table of new documents (same columns as ``TopicModel.doc_topics``)."""
    W = model.transform(corpus)
    return TopicModel._doc_topic_frame(W, corpus.ids, corpus.labels, normalize)


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


@contextmanager
def _staging(target: Path):
    """A temporary folder beside ``target``, removed unless the caller moved it into place."""
    target.resolve().parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.resolve().parent))
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


def write_csv_atomic(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` as CSV to ``path`` through a temporary file, so no half-written file is left."""
    path = Path(path)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.resolve().parent)
    os.close(handle)
    try:
        table.to_csv(name, index=False)
        os.replace(name, path)
    finally:
        if os.path.exists(name):
            os.remove(name)
    return path


def write_report(model: TopicModel, run_dir: str | Path, *, top_n: int = 10) -> pd.DataFrame:
    """Write ``summary.csv`` and ``coherence.csv`` for ``model`` into ``run_dir``.

    Returns
    -------
    summary : DataFrame
        The topic summary that was written (see :func:`topic_summary`).
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise InputError(f"No output folder at '{run_dir}'; pass a folder written by 'topicnmf fit'.")
    summary = topic_summary(model, top_n=top_n)
    write_csv_atomic(summary, run_dir / "summary.csv")
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
        summary = write_report(model, staging, top_n=top_n)
        run = {
            "topicnmf_run": 1,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "parameters": {
                "n_topics": model.n_topics_,
                "random_state": model.random_state,
                "top_n": top_n,
                "vectorizer": model.vectorizer_.get_params(deep=False),
                "nmf": {k: v for k, v in model.nmf_.get_params(deep=False).items() if k != "callback"},
            },
            "corpus": {} if corpus is None else {"source": str(corpus.source), "documents": len(corpus), "sha256": corpus_hash(corpus)},
            "n_iter": int(getattr(model.nmf_, "n_iter_", 0)),
            "reconstruction_err": float(getattr(model.nmf_, "reconstruction_err_", float("nan"))),
            "versions": _library_versions(),
            "timings": {**model.timings_, "write_outputs": time.perf_counter() - start},
            **(run_info or {}),
        }
        (staging / "run.json").write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
        _replace_dir(staging, target)
    return summary
