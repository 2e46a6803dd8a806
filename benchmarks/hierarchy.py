"""Topic tree to 20 leaves (HierarchicalTopicModel) against one flat k = 20 fit, on 20 Newsgroups.

For each split-or-stop rule (``split_rule="gain"``, the rank-2 over rank-1 gain; ``"mndcg"``,
Kuang & Park's ranking score), prints the times side by side with their ratio to the flat fit
(whole fit and factorisation alone) and how the first splits follow the newsgroup families
(comp, rec, sci, talk/religion, misc): NMI of the cuts to 2..5 leaves, on the cleaned and the
raw posts.

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
from topicnmf.hierarchy import SPLIT_RULES

FAMILIES = {"alt": "talk/religion", "soc": "talk/religion", "talk": "talk/religion"}


def _families(docs: pd.DataFrame) -> np.ndarray:
    return docs["label"].str.split(".").str[0].replace(FAMILIES).to_numpy()


def compare(name: str, show: bool) -> None:
    """Flat k = 20 against the tree to 20 leaves under each split rule, on one file of 20 Newsgroups."""
    docs = load_20ng(name)
    texts = docs["text"].tolist()
    family = _families(docs)
    start = time.perf_counter()
    flat = TopicModel(20, random_state=0).fit(texts)
    flat_time = time.perf_counter() - start
    print(f"\n== {name}: {len(texts):,} posts ==")
    print(f"{'':28}{'flat k=20':>12}" + "".join(f"{'tree ' + rule:>16}{'ratio':>8}" for rule in SPLIT_RULES))
    trees, times = {}, {}
    for rule in SPLIT_RULES:
        start = time.perf_counter()
        trees[rule] = HierarchicalTopicModel(20, split_rule=rule, random_state=0).fit(texts)
        times[rule] = time.perf_counter() - start
    print(f"{'whole fit (s)':28}{flat_time:12.1f}"
          + "".join(f"{times[r]:16.1f}{times[r] / flat_time:8.2f}" for r in SPLIT_RULES))
    f = flat.timings_["factorize"]
    print(f"{'factorisation (s)':28}{f:12.1f}"
          + "".join(f"{trees[r].timings_['factorize']:16.1f}{trees[r].timings_['factorize'] / f:8.2f}"
                    for r in SPLIT_RULES))
    nmi = normalized_mutual_info_score
    print(f"{'NMI vs newsgroups, 20':28}{nmi(docs['label'], flat.doc_topic_.argmax(1)):12.3f}"
          + "".join(f"{nmi(docs['label'], trees[r].doc_leaf()):16.3f}{'':8}" for r in SPLIT_RULES))
    for n in (2, 3, 4, 5):
        print(f"{f'NMI vs families, cut {n}':28}{'':12}"
              + "".join(f"{nmi(family, trees[r].doc_leaf(n)):16.3f}{'':8}" for r in SPLIT_RULES))
    if show:
        for rule in SPLIT_RULES:
            print(f"\n{rule}: cut to 5 leaves against the families")
            print(pd.crosstab(trees[rule].doc_leaf(5), family).to_string())
            print(trees[rule].tree(6).head(11).to_string(index=False))


def main() -> None:
    warnings.simplefilter("ignore")
    compare("docs_clean.jsonl.gz", show=True)
    compare("docs.jsonl.gz", show=False)


if __name__ == "__main__":
    main()
