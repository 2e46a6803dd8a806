"""How often the sweep's recommendation is the true number of classes: labelled and planted corpora.

    python benchmarks/sweep_choice.py [--only news] [--runs N] [--tables] [--seed S [S ...]] [--save DIR]
        [--words N] [--headline] [--docs N] [--skew] [--min-words N] [--min-df D]

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
by a few corpora from one draw to the next, so compare rules on more than one (several seeds run
one after the other and their hits add up). ``--save DIR`` writes each table (with the true and the
labels' k) to ``DIR/<corpus>-<seed>.csv``, so that a rule can be read again on the same sweeps.

News-like variants of the same subsets (newswire and news sites give short, edited texts, and
a few classes can dominate, as in Reuters):

- ``--words N``: each post cut to its first N words (AG News title and description: about 30 to
  45; Reuters stories: 50 to 150; posts of at least ``min(--min-words, N)`` words);
- ``--headline``: the post's subject line (from ``docs.jsonl.gz``, "Re:" dropped) put before it, a
  title and a lead;
- ``--docs N``: about N posts per subset, the groups in the same proportions (a group gives at most
  the posts it has: with posts of 50 words or more the subsets reach 2,500 to 4,900 posts for
  ``--docs 5000``; ``--min-words 20`` lets in more);
- ``--skew``: the largest group made as large as all the others together (half the posts);
- ``--min-df``: the vectorizer's ``min_df`` in place of ``TextVectorizer``'s default.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
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


def news_sizes(sizes: dict, available: dict, docs: int | None = None, skew: bool = False) -> dict:
    """Posts per group: ``sizes`` rescaled to ``docs`` in all, and with ``skew`` the largest group
    made as large as all the others together (half the documents, as a few classes dominate
    Reuters). A group is cut to the posts it has; with ``skew`` the others shrink with the largest
    one, so that it still holds half."""
    names = list(sizes)
    counts = np.array([sizes[g] for g in names], dtype=float)
    total = counts.sum() if docs is None else float(docs)
    if skew:
        top = int(np.argmax(counts))
        counts[top] = counts.sum() - counts[top]
    counts *= total / counts.sum()
    if skew:
        counts *= min(1.0, available[names[top]] / counts[top])
    return {g: int(min(round(c), available[g])) for g, c in zip(names, counts)}


def subjects() -> dict[str, str]:
    """The subject line of every post by id (``docs.jsonl.gz``), its "Re:" prefixes dropped."""
    out = {}
    with gzip.open(TWENTY_NG / "docs.jsonl.gz", "rt", encoding="utf-8") as lines:
        for row in map(json.loads, lines):
            match = re.search(r"^Subject:(.*)$", row["text"], flags=re.MULTILINE)
            out[row["id"]] = re.sub(r"^(\s*re\s*:)+", "", match.group(1), flags=re.IGNORECASE).strip() if match else ""
    return out


def news_corpora(min_words: int = 50, seed: int = 0, words: int | None = None, docs: int | None = None,
                 skew: bool = False, headline: bool = False):
    """``(name, true_k, texts, labels)`` of the 20 Newsgroups subsets (empty if the corpus is absent).

    ``words``: each post cut to its first ``words`` words (posts of at least ``min(min_words, words)``
    words); ``headline``: the post's subject line put before it (a title and a lead, as in AG News);
    ``docs`` and ``skew``: the sizes of :func:`news_sizes`.
    """
    path = TWENTY_NG / "docs_clean.jsonl.gz"
    if not path.is_file():
        return []
    least = min_words if words is None else min(min_words, words)
    titles = subjects() if headline else {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        by_group: dict[str, list[str]] = {}
        for row in map(json.loads, lines):
            tokens = row["text"].split()
            if len(tokens) >= least:
                text = row["text"] if words is None else " ".join(tokens[:words])
                by_group.setdefault(row["label"], []).append(f"{titles[row['id']]}\n{text}" if headline else text)
    rng = np.random.RandomState(seed)
    available = {group: len(posts) for group, posts in by_group.items()}
    out = []
    for name, sizes in NEWS:
        texts, labels = [], []
        for group, size in news_sizes(sizes, available, docs, skew).items():
            posts = by_group[group]
            texts += [posts[i] for i in rng.choice(len(posts), size, replace=False)]
            labels += [group] * size
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
    parser.add_argument("--seed", type=int, nargs="+", default=[0],
                        help="draws the news subsets' posts and seeds the sweeps; several: one pass each, hits summed")
    parser.add_argument("--words", type=int, default=None,
                        help="news-like variant: each post cut to its first N words (posts of min(--min-words, N) words or more)")
    parser.add_argument("--docs", type=int, default=None, help="news variant: about N posts per subset, proportions kept")
    parser.add_argument("--skew", action="store_true", help="news variant: the largest group holds half the posts")
    parser.add_argument("--headline", action="store_true",
                        help="news variant: each post's subject line before it (a title and a lead)")
    parser.add_argument("--min-df", type=float, default=None,
                        help="the vectorizer's min_df (an int count, or a share below 1; default: TextVectorizer's)")
    parser.add_argument("--save", default=None, help="write each corpus's table to DIR/<corpus>-<seed>.csv")
    parser.add_argument("--min-words", type=int, default=50, help="news subsets: posts of at least N words")
    args = parser.parse_args()
    from sklearn.metrics import normalized_mutual_info_score

    from topicnmf import TextVectorizer
    from topicnmf.selection import AUTO_RUNS, AUTO_TOPICS, stable_knee, sweep

    runs = AUTO_RUNS if args.runs is None else args.runs
    min_df = None if args.min_df is None else int(args.min_df) if args.min_df >= 1 else args.min_df
    vectorizer = None if min_df is None else TextVectorizer(min_df=min_df)
    variant = ", ".join(f"{key} {value}" for key, value in (("words", args.words), ("docs", args.docs),
                                                            ("skew", args.skew or None),
                                                            ("headline", args.headline or None),
                                                            ("min words", args.min_words if args.min_words != 50 else None),
                                                            ("min_df", min_df))
                        if value) or "as drawn"
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; k in {list(AUTO_TOPICS)}, {runs} runs; "
          f"news subsets: {variant}; seeds {args.seed}")
    # right and within one, of the news subsets and of the others, per rule
    score = {key: {"news": [0, 0, 0], "other": [0, 0, 0]} for key in ("now", "before", "labels")}
    ends = [0, 0]  # choices of recommend at the smallest and the largest k tried
    off = [0, 0]  # choices of recommend two or more below and two or more above the true k
    print(f"{'corpus':<14} {'seed':>4} {'docs':>6} {'terms':>6} {'true k':>6} {'chosen':>6} {'before':>6} "
          f"{'labels':>6}  {'time':>7}")
    for seed in args.seed:
        corpora = []
        if args.only != "planted":
            corpora += news_corpora(args.min_words, seed=seed, words=args.words, docs=args.docs, skew=args.skew,
                                    headline=args.headline)
        if args.only != "news" and seed == args.seed[0]:
            corpora += planted_corpora()
        for name, true_k, data, labels in corpora:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                topics = [k for k in AUTO_TOPICS if k < len(data)]
                result = sweep(data, topics=topics, runs=runs, random_state=seed,
                               vectorizer=None if labels is None else vectorizer)
            elapsed = time.perf_counter() - start
            choices = {"now": result.best_k, "before": stable_knee(result.table)[0], "labels": None}
            ends[0] += result.best_k == topics[0]
            ends[1] += result.best_k == topics[-1]
            off[0] += result.best_k <= true_k - 2
            off[1] += result.best_k >= true_k + 2
            if labels is not None:
                agreement = {k: normalized_mutual_info_score(labels, W.argmax(axis=1))
                             for k, W in result.doc_topics.items()}
                choices["labels"] = max(agreement, key=agreement.get)
            group = "news" if labels is not None else "other"
            for key, chosen in choices.items():
                if chosen is not None:
                    tally = score[key][group]
                    tally[0] += chosen == true_k
                    tally[1] += abs(chosen - true_k) <= 1
                    tally[2] += 1
            shown = "-" if choices["labels"] is None else choices["labels"]
            terms = "-" if result.vocabulary is None else len(result.vocabulary)
            print(f"{name:<14} {seed:>4} {len(data):>6} {terms:>6} {true_k:>6} {choices['now']:>6} "
                  f"{choices['before']:>6} {shown:>6}  {elapsed:6.1f}s", flush=True)
            if args.save:
                os.makedirs(args.save, exist_ok=True)
                result.table.assign(true_k=true_k, labels_k=choices["labels"]).to_csv(
                    os.path.join(args.save, f"{name}-{seed}.csv"), index=False)
            if args.tables:
                columns = ["k", "relative_error", "heldout_error", "stability", "stability_std", "c_npmi", "c_v",
                           "diversity"]
                print(result.table[columns].round(4).to_string(index=False), flush=True)
    rules = (("now", "recommend"), ("before", "stability and knee alone (before)"),
             ("labels", "labels: best NMI of the models (no rule)"))
    for key, label in rules:
        for group, what in (("news", "news subsets"), ("other", "sample and planted")):
            right, near, count = score[key][group]
            if count:
                print(f"{label:<42} {what:<19} right {right:>2} of {count}, within one {near:>2} of {count}")
    print(f"recommend chose the smallest k tried {ends[0]} times, the largest {ends[1]} times; "
          f"two or more below the true k {off[0]} times, two or more above {off[1]} times")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
