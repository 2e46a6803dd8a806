"""Topic tree to 20 leaves (HierarchicalTopicModel) against one flat k = 20 fit, on 20 Newsgroups.

Prints both times side by side with their ratio (whole fit and factorisation alone) and
how the first splits follow the newsgroup families (comp, rec, sci, talk/religion, misc).

    python benchmarks/hierarchy.py
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

from _common import load_20ng
from topicnmf import HierarchicalTopicModel, TopicModel

FAMILIES = {"alt": "talk/religion", "soc": "talk/religion", "talk": "talk/religion"}


def main() -> None:
    docs = load_20ng("docs_clean.jsonl.gz")
    texts = docs["text"].tolist()
    family = docs["label"].str.split(".").str[0].replace(FAMILIES).to_numpy()
    warnings.simplefilter("ignore")
    start = time.perf_counter()
    flat = TopicModel(20, random_state=0).fit(texts)
    flat_time = time.perf_counter() - start
    start = time.perf_counter()
    tree = HierarchicalTopicModel(20, random_state=0).fit(texts)
    tree_time = time.perf_counter() - start
    print(f"{'':28}{'flat k=20':>12}{'tree 20 leaves':>16}{'ratio':>8}")
    print(f"{'whole fit (s)':28}{flat_time:12.1f}{tree_time:16.1f}{tree_time / flat_time:8.2f}")
    f, t = flat.timings_["factorize"], tree.timings_["factorize"]
    print(f"{'factorisation (s)':28}{f:12.1f}{t:16.1f}{t / f:8.2f}")
    print(f"{'NMI vs newsgroups':28}{normalized_mutual_info_score(docs['label'], flat.doc_topic_.argmax(1)):12.3f}"
          f"{normalized_mutual_info_score(docs['label'], tree.doc_leaf()):16.3f}")
    for n in (2, 3, 4, 5):
        leaf = tree.doc_leaf(n)
        print(f"\ncut to {n} leaves: NMI vs families {normalized_mutual_info_score(family, leaf):.3f}")
        print(pd.crosstab(leaf, family).to_string())
    print()
    print(tree.tree(6).head(15).to_string(index=False))


if __name__ == "__main__":
    main()
