"""Topic tree to 20 leaves (HierarchicalTopicModel) against one flat k = 20 fit, on 20 Newsgroups.

For each way of growing the tree (how a node's documents are split: spherical 2-means,
``kmeans``, from 16 starts or from the NNDSVD start alone, or rank-2 NMF, ``nmf``; which leaf is
split next: ``size`` or Kuang & Park's ``mndcg``; with the node's own term weights, ``node``, or
the corpus's, ``corpus``), prints the
times side by side with their ratio to the flat fit (whole fit and factorisation alone, of the
run kept; the flat fit and the default tree are each timed twice, alternately, and the better
time kept, so that the ratio of the two is the least disturbed by other work on the machine) and
how the first splits follow the newsgroup families (comp, rec, sci, talk/religion, misc): NMI of
the cuts to 2..6 leaves, and the purity of their nodes (the share of each node's largest
family, weighted by size: 1 where every node lies within one family, as a node of rec's sports
groups does). As a reference, flat NMF fits with 2..6 topics (each document to its
top topic) scored the same way. Cleaned and raw posts.

    python benchmarks/hierarchy.py
"""

from __future__ import annotations

import os
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

from _common import load_20ng
from topicnmf import HierarchicalTopicModel, TopicModel

FAMILIES = {"alt": "talk/religion", "soc": "talk/religion", "talk": "talk/religion"}
TREES = {  # label: (partition, split_rule, term_weights, n_init)
    "kmeans/size/node": ("kmeans", "size", "node", 16),
    "the same, 1 start": ("kmeans", "size", "node", 1),
    "nmf/size/node": ("nmf", "size", "node", 16),
    "kmeans/mndcg/node": ("kmeans", "mndcg", "node", 16),
    "nmf/mndcg/corpus": ("nmf", "mndcg", "corpus", 16),
}
DEFAULT = "kmeans/size/node"
CUTS = (2, 3, 4, 5, 6)  # the cuts of the tree scored against the families


def _families(docs: pd.DataFrame) -> np.ndarray:
    return docs["label"].str.split(".").str[0].replace(FAMILIES).to_numpy()


def _purity(nodes: np.ndarray, family: np.ndarray) -> float:
    table = pd.crosstab(nodes, family)
    return float(table.max(axis=1).sum() / table.to_numpy().sum())


def compare(name: str, show: bool) -> None:
    """Flat k = 20 against the tree to 20 leaves grown each way, on one file of 20 Newsgroups."""
    docs = load_20ng(name)
    texts = docs["text"].tolist()
    family = _families(docs)
    nmi = normalized_mutual_info_score
    print(f"\n== {name}: {len(texts):,} posts; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} ==")
    trees, times, flat_time = {}, {label: np.inf for label in TREES}, np.inf
    factorize, flat_factorize = {label: np.inf for label in TREES}, np.inf  # of the run kept
    for label, (partition, rule, weights, n_init) in [*TREES.items()] + [next(iter(TREES.items()))]:
        if label == DEFAULT:  # the flat fit and the default tree alternate twice: the best of two each
            start = time.perf_counter()
            flat = TopicModel(20, random_state=0).fit(texts)
            if time.perf_counter() - start < flat_time:
                flat_time, flat_factorize = time.perf_counter() - start, flat.timings_["factorize"]
        start = time.perf_counter()
        trees[label] = HierarchicalTopicModel(20, partition=partition, split_rule=rule, term_weights=weights,
                                                n_init=n_init, random_state=0).fit(texts)
        if time.perf_counter() - start < times[label]:
            times[label], factorize[label] = time.perf_counter() - start, trees[label].timings_["factorize"]
    print(f"{'':28}{'flat k=20':>12}" + "".join(f"{label:>18}{'ratio':>7}" for label in TREES))
    print(f"{'whole fit (s)':28}{flat_time:12.1f}"
          + "".join(f"{times[t]:18.1f}{times[t] / flat_time:7.2f}" for t in TREES))
    f = flat_factorize
    print(f"{'factorisation (s)':28}{f:12.1f}"
          + "".join(f"{factorize[t]:18.1f}{factorize[t] / f:7.2f}" for t in TREES))
    print(f"{'NMI vs newsgroups, 20':28}{nmi(docs['label'], flat.doc_topic_.argmax(1)):12.3f}"
          + "".join(f"{nmi(docs['label'], trees[t].doc_leaf()):18.3f}{'':7}" for t in TREES))
    references = {n: TopicModel(n, random_state=0).fit(texts).doc_topic_.argmax(1) for n in CUTS}
    for n in CUTS:
        print(f"{f'NMI vs families, cut {n}':28}{nmi(family, references[n]):12.3f}"
              + "".join(f"{nmi(family, trees[t].doc_leaf(n)):18.3f}{'':7}" for t in TREES))
    for n in CUTS:
        print(f"{f'purity of the cut-{n} nodes':28}{_purity(references[n], family):12.3f}"
              + "".join(f"{_purity(trees[t].doc_leaf(n), family):18.3f}{'':7}" for t in TREES))
    print("(the flat column of the cut rows: a flat fit with that many topics)")
    if show:
        for label in TREES:
            print(f"\n{label}: cut to 5 leaves against the families")
            print(pd.crosstab(trees[label].doc_leaf(5), family).to_string())
            print(trees[label].tree(6).head(9)[["node", "parent", "documents", "top_words"]].to_string(index=False))


def main() -> None:
    warnings.simplefilter("ignore")
    compare("docs_clean.jsonl.gz", show=True)
    compare("docs.jsonl.gz", show=False)


if __name__ == "__main__":
    main()
