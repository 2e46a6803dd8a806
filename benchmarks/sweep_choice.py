"""How often the sweep's recommendation is the true number of classes: labelled and planted corpora.

    python benchmarks/sweep_choice.py [--only news] [--runs N] [--tables] [--seed S]

The evaluation set (true k in brackets):

- sixteen news-like subsets of cleaned 20 Newsgroups (``docs_clean.jsonl.gz``): 4 to 8 groups from
  distinct sections (computing, sport, cars, science, religion, politics, sales), posts of 50
  words or more, a few hundred to about 900 posts per group, some much larger than others
  (as in BBC news or Reuters); the groups and sizes are fixed below, the posts drawn with a seed;
- the sample corpus ``corpora/eight_themes`` (8);
- synthetic corpora with 3, 5 and 7 planted themes and low-rank-plus-noise matrices of rank 3
  and 6 (the generators of ``tests/test_selection.py``).

Each corpus is swept as ``TopicModel(n_topics="auto")`` does (``k`` in ``AUTO_TOPICS``, its
default runs). Printed per corpus: the true k, the choice of :func:`~topicnmf.selection.recommend`
and that of the earlier rule on the same table (stability and the knee of the error alone,
:func:`~topicnmf.selection.stable_knee`), and, for the news subsets, the ``labels`` column: the k
whose reference model's documents, each given to its heaviest topic, agree best with the
newsgroups (normalised mutual information). That column is no rule (it reads the labels); it
shows where the factorisation itself separates the groups best, which a rule reading the models
can hardly beat. Then the hits (equal) and near hits (within one) of each, news subsets and the
others apart, with the load average. ``--tables`` prints each corpus's per-k table as well;
``--seed`` draws other posts for the news subsets (and seeds their sweeps): the news hit rates move
by a few corpora from one draw to the next, so compare rules on more than one.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
import warnings

import numpy as np
from _common import ROOT, TWENTY_NG

# (name, {group: posts}); every group a distinct section, sizes uneven.
NEWS = (
    ("news4", {"comp.graphics": 900, "rec.sport.hockey": 500, "sci.space": 300, "talk.politics.mideast": 200}),
    ("news4b", {"rec.autos": 400, "sci.med": 400, "soc.religion.christian": 400, "misc.forsale": 400}),
    ("news5", {"sci.crypt": 800, "rec.sport.baseball": 700, "talk.politics.guns": 400, "sci.med": 250,
               "comp.windows.x": 150}),
    ("news5b", {"comp.sys.mac.hardware": 300, "rec.motorcycles": 300, "sci.space": 600,
                "talk.politics.mideast": 600, "soc.religion.christian": 300}),
    ("news6", {"rec.sport.hockey": 700, "sci.space": 600, "talk.politics.mideast": 500, "comp.graphics": 400,
               "sci.med": 300, "misc.forsale": 200}),
    ("news7", {"rec.autos": 600, "sci.crypt": 600, "comp.windows.x": 500, "soc.religion.christian": 400,
               "talk.politics.guns": 300, "sci.electronics": 250, "rec.sport.baseball": 200}),
    ("news8", {"rec.sport.hockey": 700, "sci.space": 600, "comp.graphics": 500, "talk.politics.mideast": 450,
               "sci.med": 400, "soc.religion.christian": 300, "rec.autos": 250, "misc.forsale": 200}),
    ("news4c", {"rec.sport.baseball": 800, "talk.politics.mideast": 500, "sci.electronics": 300,
                "comp.sys.ibm.pc.hardware": 200}),
    ("news5c", {"rec.motorcycles": 700, "sci.med": 600, "comp.graphics": 300, "talk.politics.guns": 200,
                "soc.religion.christian": 150}),
    ("news6b", {"sci.crypt": 900, "rec.sport.hockey": 600, "comp.os.ms-windows.misc": 400,
                "talk.politics.mideast": 300, "misc.forsale": 250, "sci.space": 200}),
    ("news7b", {"comp.graphics": 800, "rec.autos": 500, "sci.med": 500, "talk.politics.mideast": 400,
                "soc.religion.christian": 300, "rec.sport.baseball": 200, "sci.crypt": 150}),
    ("news8b", {"sci.space": 800, "talk.politics.guns": 600, "comp.windows.x": 500, "rec.motorcycles": 400,
                "sci.med": 300, "soc.religion.christian": 250, "rec.sport.hockey": 200, "misc.forsale": 150}),
    ("news4d", {"sci.space": 700, "rec.autos": 300, "talk.politics.guns": 200, "comp.os.ms-windows.misc": 150}),
    ("news5d", {"soc.religion.christian": 700, "comp.sys.ibm.pc.hardware": 500, "rec.sport.hockey": 300,
                "sci.electronics": 200, "talk.politics.mideast": 150}),
    ("news6c", {"talk.politics.guns": 700, "rec.motorcycles": 500, "sci.crypt": 400, "comp.sys.mac.hardware": 300,
                "sci.med": 200, "misc.forsale": 150}),
    ("news7c", {"sci.med": 700, "comp.os.ms-windows.misc": 500, "rec.sport.hockey": 400,
                "talk.politics.mideast": 300, "sci.space": 250, "rec.autos": 200, "soc.religion.christian": 150}),
)


def news_corpora(min_words: int = 50, seed: int = 0):
    """``(name, true_k, texts, labels)`` of the 20 Newsgroups subsets (empty if the corpus is absent)."""
    path = TWENTY_NG / "docs_clean.jsonl.gz"
    if not path.is_file():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        by_group: dict[str, list[str]] = {}
        for row in map(json.loads, lines):
            if len(row["text"].split()) >= min_words:
                by_group.setdefault(row["label"], []).append(row["text"])
    rng = np.random.RandomState(seed)
    out = []
    for name, sizes in NEWS:
        texts, labels = [], []
        for group, size in sizes.items():
            posts = by_group[group]
            texts += [posts[i] for i in rng.choice(len(posts), min(size, len(posts)), replace=False)]
            labels += [group] * min(size, len(posts))
        out.append((name, len(sizes), texts, labels))
    return out


def planted_corpora():
    """``(name, true_k, data, None)`` of the sample corpus and the synthetic ones (no labels)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_selection import planted, themed_corpus

    from topicnmf.corpus import read_corpus

    out = [("eight_themes", 8, read_corpus(ROOT / "corpora" / "eight_themes").texts, None)]
    out += [(f"themes{k}", k, themed_corpus(k, seed=3), None) for k in (3, 5, 7)]
    out += [(f"rank{k}", k, planted(k), None) for k in (3, 6)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["news", "planted"], default=None)
    parser.add_argument("--runs", type=int, default=None, help="stability runs (default: TopicModel's)")
    parser.add_argument("--tables", action="store_true", help="print each corpus's per-k table too")
    parser.add_argument("--seed", type=int, default=0, help="draws the news subsets' posts and seeds the sweeps")
    args = parser.parse_args()
    from sklearn.metrics import normalized_mutual_info_score

    from topicnmf.selection import AUTO_RUNS, AUTO_TOPICS, stable_knee, sweep

    runs = AUTO_RUNS if args.runs is None else args.runs
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; k in {list(AUTO_TOPICS)}, {runs} runs")
    corpora = []
    if args.only != "planted":
        corpora += news_corpora(seed=args.seed)
    if args.only != "news":
        corpora += planted_corpora()
    # right and within one, of the news subsets and of the others, per rule
    score = {key: {"news": [0, 0, 0], "other": [0, 0, 0]} for key in ("now", "before", "labels")}
    print(f"{'corpus':<14} {'docs':>6} {'true k':>6} {'chosen':>6} {'before':>6} {'labels':>6}  {'time':>7}")
    for name, true_k, data, labels in corpora:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            topics = [k for k in AUTO_TOPICS if k < len(data)]
            result = sweep(data, topics=topics, runs=runs, random_state=args.seed)
        elapsed = time.perf_counter() - start
        choices = {"now": result.best_k, "before": stable_knee(result.table)[0], "labels": None}
        if labels is not None:
            agreement = {k: normalized_mutual_info_score(labels, W.argmax(axis=1)) for k, W in result.doc_topics.items()}
            choices["labels"] = max(agreement, key=agreement.get)
        group = "news" if labels is not None else "other"
        for key, chosen in choices.items():
            if chosen is not None:
                tally = score[key][group]
                tally[0] += chosen == true_k
                tally[1] += abs(chosen - true_k) <= 1
                tally[2] += 1
        shown = "-" if choices["labels"] is None else choices["labels"]
        print(f"{name:<14} {len(data):>6} {true_k:>6} {choices['now']:>6} {choices['before']:>6} {shown:>6}  "
              f"{elapsed:6.1f}s", flush=True)
        if args.tables:
            columns = ["k", "relative_error", "heldout_error", "stability", "stability_std", "c_npmi", "c_v", "diversity"]
            print(result.table[columns].round(4).to_string(index=False), flush=True)
    rules = (("now", "recommend"), ("before", "stability and knee alone (before)"),
              ("labels", "labels: best NMI of the models (no rule)"))
    for key, label in rules:
        for group, what in (("news", "news subsets"), ("other", "sample and planted")):
            right, near, count = score[key][group]
            if count:
                print(f"{label:<42} {what:<19} right {right:>2} of {count}, within one {near:>2} of {count}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
