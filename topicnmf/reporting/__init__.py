"""Tables, safe output folders and the report page of a fitted TopicModel.

- :mod:`~topicnmf.reporting.tables`: pandas tables (topic summary, coherence,
  representative documents, new documents' topics) and their CSV/Parquet export;
- :mod:`~topicnmf.reporting.output`: staged, marked output folders swapped in
  atomically, files written without following links (standard library only);
- :mod:`~topicnmf.reporting.explorer`: the data of the page's explorer (topic map,
  relevance, agreement with known labels), computed in Python and embedded as JSON;
- :mod:`~topicnmf.reporting.page`: the self-contained HTML report page;
- :mod:`~topicnmf.reporting.report`: report files and whole run folders;
- :mod:`~topicnmf.reporting.dynamic`: the run folder and report section of dynamic topics;
- :mod:`~topicnmf.reporting.images`: run folders of image compression and parts.

Public names are imported on first use, so ``topicnmf.reporting.output`` loads
neither numpy nor pandas, and nothing here loads matplotlib until a plot is drawn.
"""

from importlib import import_module

_PUBLIC = {
    "MEASURES": "tables",
    "coherence_table": "tables",
    "CorpusRecord": "tables",
    "corpus_hash": "tables",
    "corpus_record": "tables",
    "new_doc_topics": "tables",
    "representative_docs": "tables",
    "table_bytes": "tables",
    "topic_summary": "tables",
    "write_table": "tables",
    "RUN_FILE": "output",
    "RUN_FORMAT": "output",
    "OutputFolder": "output",
    "check_output_dir": "output",
    "check_output_file": "output",
    "is_run_folder": "output",
    "read_run_file": "output",
    "staged_folder": "output",
    "sweep_stale": "output",
    "write_file_atomic": "output",
    "explorer_data": "explorer",
    "label_agreement": "explorer",
    "PageData": "page",
    "render_page": "page",
    "model_facts": "report",
    "render_plots": "report",
    "dynamic_section": "dynamic",
    "dynamic_parts": "dynamic",
    "write_outputs": "report",
    "write_report": "report",
    "write_compression": "images",
    "write_parts": "images",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'topicnmf.reporting' has no attribute {name!r}")
    value = getattr(import_module(f"topicnmf.reporting.{_PUBLIC[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
