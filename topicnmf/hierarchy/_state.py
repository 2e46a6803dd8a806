"""Saving and loading a HierarchicalTopicModel: ``hierarchy.json``, ``hierarchy.npz`` and ``model/``.

The leaves' flat model is saved and loaded as any :class:`~topicnmf.model.TopicModel`
(``model/``); the tree adds its parameters and shape (JSON) and the nodes' topics and
each document's leaf (``.npz``), read through :mod:`topicnmf._persistence` and
checked as strictly: a damaged file fails in one line naming it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.utils.validation import check_is_fitted

from topicnmf import _persistence as store

from ._model import PARTITIONS, SPLIT_RULES, TERM_WEIGHTS, node_documents

__all__ = ["TREE_ARRAYS", "TREE_FILE", "load_folder", "save_folder", "tree_files"]

TREE_FILE = "hierarchy.json"
TREE_ARRAYS = "hierarchy.npz"
_FORMAT = store.FolderFormat("topicnmf-tree", 1, TREE_FILE, TREE_ARRAYS, kind="tree", title="topic tree",
                             folder="a folder written by HierarchicalTopicModel.save or 'topicnmf hierarchy'",
                             saver="HierarchicalTopicModel.save")
MODEL_FOLDER = "model"
_PARAMS = {"n_leaves": int, "split_rule": str, "term_weights": str, "partition": str, "min_docs": int,
           "n_init": int, "keep_tokens": bool, "text_column": str}
# parameters added since format 1 began, as trees saved before them were grown
_BEFORE = {"partition": "nmf", "n_init": 1}


def _state(tree) -> tuple[dict, dict]:
    """The tree's own state (JSON) and arrays, not its leaves' model."""
    check_is_fitted(tree, "node_components_")
    state = _FORMAT.state(tree, _PARAMS, node_parent=[int(p) for p in tree.node_parent_],
                          split_order=[int(n) for n in tree.split_order_], timings=dict(tree.timings_))
    return state, {"node_components": tree.node_components_, "doc_leaf": tree.doc_leaf()}


def tree_files(tree) -> dict[str, bytes]:
    """The tree's own files (not its ``model/``), as ``{name: bytes}``, for a run folder."""
    return store.model_files(*_state(tree), _FORMAT)


def save_folder(tree, path: str | Path) -> Path:
    """Write a fitted tree to the folder ``path`` (see :meth:`HierarchicalTopicModel.save`)."""
    path = Path(path)
    state, arrays = _state(tree)
    tree.model_.save(path / MODEL_FOLDER)
    return store.write_model_folder(path, state, arrays, _FORMAT)


def _check_shape(f: Path, parents: list, order: list) -> None:
    """The ``j``-th split made the nodes ``2j + 1`` and ``2j + 2`` of a leaf that existed then."""
    if len(parents) != 2 * len(order) + 1 or parents[0] != -1:
        raise store.corrupt(f, "'node_parent' and 'split_order' do not describe a tree of rank-2 splits")
    split = set()
    for j, node in enumerate(order):
        if not 0 <= node <= 2 * j or node in split or parents[2 * j + 1] != node or parents[2 * j + 2] != node:
            raise store.corrupt(f, "'node_parent' and 'split_order' do not describe a tree of rank-2 splits")
        split.add(node)


def load_folder(cls, path: str | Path):
    """Read the tree folder ``path`` as a ``cls`` (see :meth:`HierarchicalTopicModel.load`)."""
    from topicnmf.model import TopicModel

    path = Path(path)
    state, f, arrays_file = store.read_state(path, _FORMAT)
    kwargs = store.read_params(f, state, _PARAMS, _BEFORE)
    parents = store.expect_list(f, state.get("node_parent"), int, "node_parent")
    order = store.expect_list(f, state.get("split_order"), int, "split_order")
    store.expect(f, state.get("timings", {}), dict, "timings")
    _check_shape(f, parents, order)
    if (kwargs["split_rule"] not in SPLIT_RULES or kwargs["term_weights"] not in TERM_WEIGHTS
            or kwargs["partition"] not in PARTITIONS or kwargs["n_leaves"] < 1 or kwargs["min_docs"] < 1
            or kwargs["n_init"] < 1):
        raise store.corrupt(f, "'params' holds a value HierarchicalTopicModel does not take")
    tree = cls(**kwargs)
    model = TopicModel.load(path / MODEL_FOLDER)
    n_docs, n_terms = len(model.doc_ids_), len(model.vocabulary_)
    arrays = store.read_npz(arrays_file, {"node_components": store.ArraySpec("f", (len(parents), n_terms)),
                                          "doc_leaf": store.ArraySpec("iu", (n_docs,))})
    components = store.check_values(arrays_file, "node_components", arrays["node_components"], low=0)
    doc_leaf = store.check_values(arrays_file, "doc_leaf", arrays["doc_leaf"], low=0, high=len(parents) - 1)
    leaves = sorted(set(range(len(parents))) - set(order))
    if model.n_topics_ != len(leaves):
        raise store.corrupt(f, f"the tree has {len(leaves)} leaves but '{MODEL_FOLDER}' {model.n_topics_} topics")
    if np.isin(doc_leaf, order).any():
        raise store.corrupt(arrays_file, "'doc_leaf' names a node that is not a leaf")
    docs = node_documents(doc_leaf, len(parents), order)
    tree._set_fitted(components.astype(np.float64), np.asarray(parents, dtype=np.int64), order, docs, model)
    return tree
