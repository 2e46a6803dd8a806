"""The topic model: :class:`TopicModel` and the document containers it takes.

- ``_topicmodel``: the estimator (fit, transform, topic facts);
- ``_documents``: any container of texts as a Corpus; document-topic tables, top topics and topic sizes;
- ``_state``: the one serialiser (``model.json`` + ``arrays.npz``).
"""

from ._documents import as_corpus, doc_topic_frame, top_topics, topic_sizes
from ._topicmodel import TopicModel

__all__ = ["TopicModel", "as_corpus", "doc_topic_frame", "top_topics", "topic_sizes"]
