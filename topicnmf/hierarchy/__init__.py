"""A topic tree by rank-2 splits (HierNMF2, Kuang & Park 2013).

- :mod:`~topicnmf.hierarchy._split`: one rank-2 split of a node's documents
  (spherical 2-means or rank-2 NMF), the node's term weights and the scores that
  order the splits (:func:`mndcg_score`);
- :mod:`~topicnmf.hierarchy._model`: :class:`HierarchicalTopicModel`, the tree, its
  cuts (:meth:`~HierarchicalTopicModel.reduce_topics`) and its table;
- :mod:`~topicnmf.hierarchy._state`: saving and loading a tree (JSON and ``.npz``).

D. Kuang and H. Park, "Fast rank-2 nonnegative matrix factorization for
hierarchical document clustering", KDD 2013, 739-747.
https://doi.org/10.1145/2487575.2487606
"""

from ._model import PARTITIONS, SPLIT_RULES, TERM_WEIGHTS, HierarchicalTopicModel
from ._split import mndcg_score

__all__ = ["HierarchicalTopicModel", "PARTITIONS", "SPLIT_RULES", "TERM_WEIGHTS", "mndcg_score"]
