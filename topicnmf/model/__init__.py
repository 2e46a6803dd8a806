"""The topic model: :class:`TopicModel` and the document containers it takes.

- ``_topicmodel``: the estimator (fit, transform, topic facts);
- ``_documents``: snippets, token lists, document-topic tables (``as_corpus`` comes from
  :mod:`topicnmf.corpus`, ``top_topics`` and ``topic_sizes`` from :mod:`topicnmf.measures`);
- ``_state``: the one serialiser (``model.json`` + ``arrays.npz``).
"""

from topicnmf.corpus import as_corpus
from topicnmf.measures import top_topics, topic_sizes

from ._documents import doc_topic_frame
from ._topicmodel import TopicModel

__all__ = ["TopicModel", "as_corpus", "doc_topic_frame", "top_topics", "topic_sizes"]
