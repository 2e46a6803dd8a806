"""Topics over time (Greene & Cross 2017): window topics per time window, dynamic topics over them.

- :mod:`~topicnmf.dynamic._model`: :class:`DynamicTopicModel`, its two levels of
  factorisation, the tracking of window topics and the tables over time;
- :mod:`~topicnmf.dynamic._state`: saving and loading a fitted model (JSON and ``.npz``).
"""

from ._model import WINDOW_AUTO_DOCS, WINDOW_AUTO_RUNS, WINDOW_AUTO_TOPICS, DynamicTopicModel

__all__ = ["DynamicTopicModel", "WINDOW_AUTO_DOCS", "WINDOW_AUTO_RUNS", "WINDOW_AUTO_TOPICS"]
