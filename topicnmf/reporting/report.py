"""Report files and whole run folders of a fitted TopicModel.

:func:`write_report` writes the summary, coherence, plots and ``report.html``
into a folder; :func:`write_outputs` writes a whole run folder (tables, the
saved model, the report and ``run.json``), all or nothing, through
:func:`~topicnmf.reporting.output.staged_folder`.

``run.json`` records the run, not the model: the corpus (source, size, SHA-256),
the report settings needed to rebuild the report the same way (``settings``),
library versions and timings. The model's own parameters live in
``model/model.json`` and are read from the model when shown.
"""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from topicnmf._validation import check_bool, check_callable, check_int, check_one_of, parameter_error
from topicnmf.errors import InputError
from topicnmf.reporting.output import (
    RUN_FILE,
    WING_DPI,
    OutputFolder,
    figure_png,
    read_run_file,
    run_record,
    staged_folder,
    write_files,
    write_run_file,
)
from topicnmf.reporting._aside import plots_aside
from topicnmf.reporting.explorer import explorer_data, label_agreement
from topicnmf.reporting.page import PageData, render_page
from topicnmf.reporting.tables import (
    MEASURES,
    check_measures,
    coherence_scores,
    corpus_hash,
    representative_docs,
    table_bytes,
    topic_summary,
)

__all__ = ["model_facts", "render_plots", "write_outputs", "write_report"]

DEFAULT_SETTINGS = {"top_n": 10, "measures": list(MEASURES), "n_representative": 3}
_VECTORIZER_FACTS = ("min_df", "max_df", "max_features", "stop_words", "stem", "phrases", "sublinear_tf")
_NMF_FACTS = ("solver", "init", "beta_loss", "max_iter", "tol", "alpha_W", "alpha_H", "l1_ratio")


def _notify(callback, stage: str) -> None:
    if callback is not None:
        callback({"stage": stage})


def model_facts(model) -> dict:
    """The parameters and fit statistics of a fitted model, as the report shows them.

    Read from the model (``get_params`` of its fitted vectorizer and
    factorisation, ``n_iter_``, ``reconstruction_err_``); nothing is stored twice.
    """
    facts = {"topics": model.n_topics_, "random_state": model.random_state}
    nmf = model.nmf_.get_params(deep=False)
    facts.update({key: nmf[key] for key in _NMF_FACTS if key in nmf})
    facts["iterations"] = model.n_iter_
    facts["reconstruction error"] = model.reconstruction_err_
    vectorizer = model.vectorizer_.get_params(deep=False)
    facts.update({key: vectorizer[key] for key in _VECTORIZER_FACTS if key in vectorizer})
    return facts


def render_plots(
    model, *, top_n: int, measure: str | None, scores, max_docs: int = 2000, dpi: int = 80
) -> dict[str, bytes]:
    """Each plot of the report as PNG bytes (matplotlib is imported here, not with this module)."""
    names = [name for name in PLOT_NAMES if name != "coherence" or measure is not None]
    images = render_some_plots(model, names, top_n=top_n, measure=measure, scores=scores, max_docs=max_docs,
                               dpi=dpi)
    # A figure, its axes and artists refer to each other: only the cycle collector frees
    # them. Collected here, their memory (some MB at k = 20) is free before the next stage.
    gc.collect()
    return images


#: the report's plots, in the order the page shows them
PLOT_NAMES = ("top_words", "prevalence", "doc_topics", "coherence", "convergence")


def render_some_plots(model, names, *, top_n: int, measure: str | None, scores, max_docs: int,
                      dpi: int) -> dict[str, bytes]:
    """The plots ``names`` (of :data:`PLOT_NAMES`) as PNG bytes; only ``"coherence"`` reads ``measure`` and ``scores``."""
    from topicnmf import plotting

    figures = {
        "top_words": lambda: plotting.plot_top_words(model, top_n=top_n),
        "prevalence": lambda: plotting.plot_prevalence(model),
        "doc_topics": lambda: plotting.plot_doc_topics(model, max_docs=max_docs),
        "coherence": lambda: plotting.plot_coherence(model, measure=measure, scores=scores),
        "convergence": lambda: plotting.plot_convergence(model),
    }
    return {name: figure_png(figures[name](), dpi) for name in names}


def _settings(run_dir: Path | None, top_n, measures, n_representative, owner: str) -> dict:
    """The report settings: those given, else the run's (``run.json``), else the defaults."""
    recorded = {}
    if run_dir is not None:
        record = read_run_file(run_dir) or {}
        recorded = record.get("settings") if isinstance(record.get("settings"), dict) else {}
    settings = {}
    for name, given in (("top_n", top_n), ("measures", measures), ("n_representative", n_representative)):
        settings[name] = given if given is not None else recorded.get(name, DEFAULT_SETTINGS[name])
    settings["top_n"] = check_int(settings["top_n"], "top_n", owner)
    settings["n_representative"] = check_int(settings["n_representative"], "n_representative", owner)
    settings["measures"] = list(check_measures(settings["measures"], owner))
    return settings


def _build_report(model, settings: dict, *, max_docs: int, dpi: int, run_info: dict, callback, tree=None,
                  extra_sections=(), meanwhile=None) -> tuple:
    """Everything the report shows, computed before anything is written: (summary, files).

    ``meanwhile`` (no arguments) is called while the plots are drawn aside, after
    everything else that does not need them.
    """
    top_n, measures = settings["top_n"], settings["measures"]
    with plots_aside(model, top_n=top_n, max_docs=max_docs, dpi=dpi) as plots:
        _notify(callback, "coherence")
        try:
            model._token_stream()
            note = None
        except InputError as error:
            note = f"No coherence: {error}"
        coherence = None
        scores = np.full(model.n_topics_, np.nan)
        if note is None:
            coherence = pd.DataFrame({"topic": np.arange(model.n_topics_), **coherence_scores(model, measures, top_n)})
            scores = coherence[measures[0]].to_numpy()
        summary = topic_summary(model, top_n=top_n, measure=measures[0], scores=scores)
        representatives = representative_docs(model, n=settings["n_representative"])
        labels = None if model.doc_labels_ is None else dict(zip(model.doc_ids_, model.doc_labels_))
        explorer = explorer_data(
            model, representatives=representatives, scores=None if coherence is None else scores,
            measure=None if coherence is None else measures[0],
        )
        agreement = None
        if model.doc_labels_ is not None:
            from topicnmf.model import top_topics

            agreement = label_agreement(model.doc_labels_, top_topics(model.doc_topic_), model.n_topics_)
        if meanwhile is not None:
            meanwhile()
        _notify(callback, "plots")
        images = plots.result(measure=None if coherence is None else measures[0], scores=scores)
    from topicnmf.measures import topic_diversity

    sweep = getattr(model, "sweep_", None)
    sweep_image = None
    if sweep is not None:
        from topicnmf.reporting.sweep import sweep_png

        sweep_image = sweep_png(sweep, dpi=dpi)
    _notify(callback, "page")
    page = render_page(
        PageData(
            n_docs=len(model.doc_ids_),
            n_terms=len(model.vocabulary_),
            n_topics=model.n_topics_,
            top_n=top_n,
            summary=summary,
            representatives=representatives,
            coherence=coherence,
            coherence_note=note,
            diversity=float(topic_diversity(model.top_words(top_n))),
            images=images,
            model_facts=model_facts(model),
            run=run_info,
            doc_labels=labels,
            explorer=explorer,
            agreement=agreement,
            sweep=sweep,
            sweep_png=sweep_image,
            tree=tree,
            extra_sections=list(extra_sections),
        )
    )
    files = {"summary.csv": table_bytes(summary)}
    if coherence is not None:
        files["coherence.csv"] = table_bytes(coherence)
    files.update({f"plots/{name}.png": data for name, data in images.items()})
    if sweep is not None:
        files["sweep.csv"] = table_bytes(sweep.assign(best=sweep["k"] == sweep.attrs["best_k"]))
        files["plots/sweep.png"] = sweep_image
    files["report.html"] = page.encode("utf-8", "backslashreplace")  # lone surrogates from undecodable names
    return summary, files


def _check_report_dir(run_dir: Path) -> None:
    if (run_dir / "model.json").is_file() and (run_dir / "arrays.npz").is_file():
        raise InputError(
            f"'{run_dir}' is a model folder; pass the run folder that holds it ('{run_dir.parent}') as run_dir."
        )
    if not run_dir.is_dir():
        raise InputError(f"No output folder at '{run_dir}'; pass a folder written by 'topicnmf fit'.")


def write_report(
    model,
    run_dir: str | Path,
    *,
    top_n: int | None = None,
    measures: Sequence[str] | None = None,
    n_representative: int | None = None,
    max_docs: int = 2000,
    dpi: int = 80,
    run_info: dict | None = None,
    callback: Callable[[dict], None] | None = None,
) -> pd.DataFrame:
    """Write the summary, coherence, plots and ``report.html`` of ``model`` into ``run_dir``.

    Files written: ``summary.csv`` (:func:`~topicnmf.reporting.topic_summary`),
    ``coherence.csv`` (:func:`~topicnmf.reporting.coherence_table`),
    ``plots/top_words.png``, ``plots/prevalence.png``, ``plots/doc_topics.png``,
    ``plots/coherence.png``, ``plots/convergence.png`` and ``report.html``, one
    self-contained page (inline CSS, the plots embedded as data URIs, nothing
    fetched from elsewhere) with the topic table, the coherence table, topic
    diversity, the plots, the representative documents and the run. For a model
    fitted with ``n_topics="auto"`` also ``sweep.csv`` and ``plots/sweep.png``,
    and a section of the page on the choice of ``k`` (the reason, the figure of
    every signal against ``k`` and the sweep table, the chosen row marked).

    Everything is computed before the first file is written, each coherence
    measure once; each file is written under a temporary name and renamed into
    place, and nothing is written through a symbolic link (a ``plots`` link is
    refused), so rebuilding the report of a folder never leaves a half-written
    file. A model fitted with ``keep_tokens=False`` gets NaN coherence, no
    ``coherence.csv`` or coherence plot, and a note in the report.

    A fitted :class:`~topicnmf.dynamic.DynamicTopicModel` or
    :class:`~topicnmf.hierarchy.HierarchicalTopicModel` gets the report of its flat
    model with its own section and files, as :func:`write_outputs` writes them
    (the window tables and the topics-over-time plot; the tree table, plot and
    each document's leaf).

    Parameters
    ----------
    model : TopicModel, DynamicTopicModel or HierarchicalTopicModel
        A fitted model.
    run_dir : str or Path
        An existing folder, such as one written by ``topicnmf fit``, ``dynamic`` or
        ``hierarchy`` (not its ``model`` folder).
    top_n : int or None, default=None
        Top words per topic, shown and scored. ``None``: the run's setting in
        ``run_dir/run.json``, else 10. The same rule holds for the next two.
    measures : sequence of str or None, default=None
        Coherence measures of ``coherence.csv`` (default ``c_npmi, c_v, u_mass,
        c_uci``); the first is the ``coherence`` column of the summary and the
        measure of the coherence plot.
    n_representative : int or None, default=None
        Representative documents per topic in the report (default 3).
    max_docs : int, default=2000
        Most documents drawn in the heatmap (a larger corpus is sampled).
    dpi : int, default=80
        Resolution of the PNG files.
    run_info : dict or None, default=None
        The run's record to show under "Run"; ``None`` reads ``run_dir/run.json``.
    callback : callable or None, default=None
        Called with ``{"stage": name}`` as each stage starts: ``"coherence"``,
        ``"plots"``, ``"page"``, ``"writing"``.

    Returns
    -------
    summary : DataFrame
        The topic summary that was written.
    """
    run_dir = Path(run_dir)
    _check_report_dir(run_dir)
    settings = _settings(run_dir, top_n, measures, n_representative, "write_report")
    max_docs = check_int(max_docs, "max_docs", "write_report")
    dpi = check_int(dpi, "dpi", "write_report")
    check_callable(callback, "callback", "write_report")
    if run_info is None:
        run_info = read_run_file(run_dir) or {}
    model, extra_files, _, report = _flat_parts(model, settings["top_n"])
    summary, files = _build_report(model, settings, max_docs=max_docs, dpi=dpi, run_info=run_info, callback=callback,
                                   tree=report.get("tree"), extra_sections=report.get("extra_sections", ()))
    _notify(callback, "writing")
    with OutputFolder(run_dir) as folder:
        write_files(folder, {**files, **extra_files})
    return summary


def write_outputs(
    model,
    out_dir: str | Path,
    *,
    top_n: int = 10,
    measures: Sequence[str] = MEASURES,
    n_representative: int = 3,
    normalize: bool = False,
    table_format: str = "csv",
    force: bool = False,
    corpus=None,
    run_info: dict | None = None,
    extra_files: dict[str, bytes] | None = None,
    tree: pd.DataFrame | None = None,
    extra_sections: Sequence[str] | None = None,
    callback: Callable[[dict], None] | None = None,
) -> pd.DataFrame:
    """Write every output of a fitted model to the folder ``out_dir``, all or nothing.

    The folder gets ``topics.csv`` (:meth:`TopicModel.topic_words`),
    ``doc_topics.csv`` (:meth:`TopicModel.doc_topics`), ``model/``
    (:meth:`TopicModel.save`), what :func:`write_report` writes, and ``run.json``,
    the record of the run and the mark of a topicnmf run folder. Everything is
    written to a staging folder beside ``out_dir`` and moved into place at the
    end (see :mod:`topicnmf.reporting.output`): an error or an interrupt leaves
    no half-written folder, and an existing one intact.

    A :class:`~topicnmf.DynamicTopicModel` is written as the flat model of its
    dynamic topics (``model.model_``) plus ``window_topics.csv``,
    ``topics_over_time.csv``, ``topics_over_time.png`` and the "Topics over time"
    section of ``report.html`` (:func:`~topicnmf.reporting.dynamic.dynamic_parts`);
    ``run.json`` has ``"command": "dynamic"``, the windows and each window's
    number of topics. A :class:`~topicnmf.HierarchicalTopicModel` is written as
    the flat model of its leaves (``tree.model_``) plus ``tree.csv``
    (:meth:`~topicnmf.HierarchicalTopicModel.tree`), ``doc_leaves.csv``
    (``doc_id``, ``leaf``, ``topic``), ``tree.png``, the tree in ``report.html``
    and ``hierarchy.json`` and ``hierarchy.npz``, so that
    :meth:`~topicnmf.HierarchicalTopicModel.load` reads the run folder;
    ``run.json`` has ``"command": "hierarchy"``.

    Parameters
    ----------
    model : TopicModel, DynamicTopicModel or HierarchicalTopicModel
        A fitted model.
    out_dir : str or Path
        The output folder; it must not exist unless ``force``.
    top_n : int, default=10
        Top words per topic in the tables and the report.
    measures : sequence of str, default=("c_npmi", "c_v", "u_mass", "c_uci")
        Coherence measures of the report (see :func:`write_report`).
    n_representative : int, default=3
        Representative documents per topic in the report.
    normalize : bool, default=False
        Scale each document's weights in ``doc_topics`` to sum to 1.
    table_format : {"csv", "parquet"}, default="csv"
        File format of ``topics`` and ``doc_topics``; Parquet needs pyarrow.
    force : bool, default=False
        Replace an existing run folder (one with a topicnmf ``run.json``) or an
        empty folder; any other folder is refused.
    corpus : Corpus, CorpusRecord or None, default=None
        The training corpus (or its :func:`~topicnmf.reporting.corpus_record`): its
        source, size and hash go into ``run.json``, and ``out_dir`` may neither be
        nor hold its source.
    run_info : dict or None, default=None
        Extra entries for ``run.json`` (a ``timings`` dict is merged into the timings).
    extra_files : dict of str to bytes or None, default=None
        More files for the run folder, ``{relative name: content}`` (one level of
        sub-folders, such as ``"plots/x.png"``), written in the staging folder with
        the rest, so they too are all or nothing. A name that the run writes
        itself is refused.
    tree : DataFrame or None, default=None
        A topic tree table (:meth:`~topicnmf.HierarchicalTopicModel.tree`) shown in
        ``report.html``; a tree's own run folder shows its tree without it.
    extra_sections : sequence of str or None, default=None
        More sections of ``report.html``, as HTML already escaped (such as
        :func:`~topicnmf.reporting.dynamic.dynamic_section`), shown after the
        page's opening facts.
    callback : callable or None, default=None
        Called with ``{"stage": name}`` as each stage starts (see :func:`write_report`).

    Returns
    -------
    summary : DataFrame
        The topic summary (see :func:`~topicnmf.reporting.topic_summary`).
    """
    extra_files = _check_extra_files(extra_files)
    normalize = check_bool(normalize, "normalize", "write_outputs")
    force = check_bool(force, "force", "write_outputs")
    table_format = check_one_of(table_format, "table_format", "write_outputs", ("csv", "parquet"))
    check_callable(callback, "callback", "write_outputs")
    settings = _settings(None, top_n, measures, n_representative, "write_outputs")
    model, files, info, report = _flat_parts(model, settings["top_n"])
    extra_files = {**files, **extra_files}
    run_info = {**info, **(run_info or {})}
    tree = report.get("tree") if tree is None else tree
    extra_sections = [*report.get("extra_sections", ()), *(extra_sections or ())]
    source = None if corpus is None else getattr(corpus, "source", None)
    protect = [source] if source and os.path.exists(source) else []
    with staged_folder(out_dir, force=force, protect=protect) as staging:
        start = time.perf_counter()
        extra = dict(run_info or {})
        run = {
            **run_record(
                model="model",
                settings={**settings, "normalize": normalize, "table_format": table_format},
                corpus={} if corpus is None
                else {"source": str(corpus.source), "documents": len(corpus), "sha256": corpus_hash(corpus)},
            ),
            "timings": {**dict(extra.pop("timings", {}) or {}), **dict(model.timings_)},
            **extra,
        }
        tables = {}

        def tables_and_model():  # while the plots are drawn aside
            tables[f"topics.{table_format}"] = table_bytes(model.topic_words(settings["top_n"]), table_format)
            tables[f"doc_topics.{table_format}"] = table_bytes(model.doc_topics(normalize=normalize), table_format)
            model.save(staging / "model")

        summary, files = _build_report(model, settings, max_docs=2000, dpi=80, run_info=run, callback=callback,
                                       tree=tree, extra_sections=extra_sections or (), meanwhile=tables_and_model)
        from topicnmf.measures import topic_diversity

        run["topic_diversity"] = float(topic_diversity(model.top_words(settings["top_n"])))
        run["timings"]["report"] = time.perf_counter() - start
        _notify(callback, "writing")
        files.update(tables)
        clash = sorted(set(extra_files) & (set(files) | {RUN_FILE}))
        if clash:
            raise parameter_error("extra_files", "write_outputs", "names the run does not write itself", clash)
        files.update(extra_files)
        with OutputFolder(staging) as folder:
            write_files(folder, files)
            run["timings"]["write_outputs"] = time.perf_counter() - start
            write_run_file(folder, run)
    return summary


def _check_extra_files(extra_files) -> dict[str, bytes]:
    """``extra_files`` as a dict of plain relative names (at most one folder deep) to bytes."""
    if extra_files is None:
        return {}
    expected = "a dict of relative file names (at most one folder deep) to bytes"
    if not isinstance(extra_files, dict):
        raise parameter_error("extra_files", "write_outputs", expected, extra_files)
    for name, data in extra_files.items():
        parts = name.split("/") if isinstance(name, str) else []
        if (
            not 1 <= len(parts) <= 2
            or any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts)
            or not isinstance(data, (bytes, bytearray))
        ):
            raise parameter_error("extra_files", "write_outputs", expected, name)
    return {name: bytes(data) for name, data in extra_files.items()}


def _tree_parts(tree, top_n: int):
    """What a fitted HierarchicalTopicModel's run folder holds beside its leaves' flat model."""
    from topicnmf import plotting
    from topicnmf.hierarchy._state import tree_files

    table = tree.tree(top_n)
    leaf = tree.doc_leaf()
    leaves = pd.DataFrame({"doc_id": tree.model_.doc_ids_, "leaf": leaf, "topic": table["topic"].to_numpy()[leaf]})
    files = {"tree.csv": table_bytes(table), "doc_leaves.csv": table_bytes(leaves),
             "tree.png": figure_png(plotting.plot_topic_tree(tree), WING_DPI), **tree_files(tree)}
    return tree.model_, files, {"command": "hierarchy", "leaves": len(tree.leaves_)}, {"tree": table}


def _flat_parts(model, top_n: int):
    """``model`` as the flat TopicModel its run folder holds, and what a dynamic model or a tree adds.

    Returns ``(flat model, files, run_info, report_options)``; a TopicModel adds nothing.
    """
    from sklearn.utils.validation import check_is_fitted

    from topicnmf.dynamic import DynamicTopicModel
    from topicnmf.hierarchy import HierarchicalTopicModel

    if isinstance(model, (DynamicTopicModel, HierarchicalTopicModel)):
        check_is_fitted(model)
        if isinstance(model, DynamicTopicModel):
            from topicnmf.reporting.dynamic import dynamic_parts

            return dynamic_parts(model, top_n)
        return _tree_parts(model, top_n)
    return model, {}, {}, {}
