"""The news targets on a labelled corpus of your own: choosing k, seeded topics, topics over time.

    python benchmarks/labelled_news.py FOLDER [--seeds FILE] [--window-topics K] [--seed S]
    python benchmarks/labelled_news.py TABLE --label-column C [--text-column T] [--time-column D]
                                       [--seeds FILE] [--window-topics K] [--seed S]

``FOLDER`` is laid out as dynamic-nmf's sample (Greene and Cross 2017): one sub-folder per time
window (``month1/``, ``month2/``, ... in an order that sorts), each holding one ``.txt`` file per
article, named by its section and a number (``business012.txt``, ``tech_004.txt``): the section
is the file name up to its digits, a trailing ``_`` dropped. ``TABLE`` is any table
:func:`topicnmf.read_corpus` reads (CSV, TSV, JSON lines) with the section in ``--label-column``
and, for the topics over time, the date or window in ``--time-column``. Nothing is downloaded;
the corpus is read as it is.

Printed, each against the sections (normalised mutual information, NMI, of each document's top
topic; scikit-learn's ``normalized_mutual_info_score``):

- a flat ``TopicModel`` with as many topics as sections, and a supervised ceiling: logistic
  regression on the same TF-IDF, five-fold ``cross_val_predict`` on shuffled folds (a table or
  folder in the order of its sections or dates would otherwise test on its latest articles);
- ``TopicModel(n_topics="auto")``: the k chosen and whether it is within one of the number of
  sections, on the whole corpus, on 60% of it and on a copy where the largest section holds about
  half of the articles, three seeds each;
- with ``--seeds FILE`` (one topic a line, ``name: word word word``, as ``topicnmf fit
  --seed-topics``): the seeded fit against the unseeded one, and whether every seed word stays in
  its topic's top 10;
- ``DynamicTopicModel`` over the windows (``--window-topics`` per window, then ``"auto"``; as many
  dynamic topics as sections, then ``n_topics="auto"``), where the corpus has times.
"""

from __future__ import annotations

import argparse
import os
import re
import time
import warnings
from pathlib import Path

import numpy as np


def sections_of(ids: list[str]) -> np.ndarray:
    """Each article's section: its file name up to the digits, a trailing ``_`` dropped."""
    return np.array([re.sub(r"_?\d*\.txt$", "", Path(i).name) for i in ids])


def nmi(labels, W) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return float(normalized_mutual_info_score(labels, np.asarray(W).argmax(axis=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of month folders, or a table")
    parser.add_argument("--label-column", default=None, help="a table's column of sections")
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--time-column", default=None)
    parser.add_argument("--seeds", type=Path, default=None)
    parser.add_argument("--window-topics", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.metrics import normalized_mutual_info_score

    from topicnmf import DynamicTopicModel, TopicModel, read_corpus
    from topicnmf.seeding import read_seed_topics

    warnings.simplefilter("ignore")
    if args.folder.is_dir():
        corpus = read_corpus(args.folder, time_from="folder")
        sections = sections_of(corpus.ids)
    else:
        if args.label_column is None:
            parser.error("a table needs --label-column (the column of sections)")
        corpus = read_corpus(args.folder, text_column=args.text_column, label_column=args.label_column,
                             time_column=args.time_column)
        sections = np.asarray(corpus.labels, dtype=str)
    names, counts = np.unique(sections, return_counts=True)
    n = len(names)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{args.folder}: {len(corpus):,} articles, {n} sections "
          f"({', '.join(f'{a} {c}' for a, c in zip(names, counts))}), "
          f"{len(set(corpus.times or ()))} windows")

    flat = TopicModel(n, random_state=args.seed).fit(corpus)
    X = flat.vectorizer_.transform(corpus.texts)
    folds = StratifiedKFold(5, shuffle=True, random_state=args.seed)
    guess = cross_val_predict(LogisticRegression(C=10, max_iter=2000), X, sections, cv=folds)
    print(f"flat k={n}: NMI {nmi(sections, flat.doc_topic_):.3f}; supervised ceiling (logistic regression, "
          f"5-fold) NMI {normalized_mutual_info_score(sections, guess):.3f}, accuracy {np.mean(guess == sections):.3f}")

    texts = np.array(corpus.texts, dtype=object)
    largest = names[np.argmax(counts)]
    hits = 0
    runs = 0
    for seed in range(args.seed, args.seed + 3):
        rng = np.random.default_rng(seed)
        variants = {
            "all": np.arange(len(texts)),
            "60%": np.sort(rng.choice(len(texts), int(0.6 * len(texts)), replace=False)),
            f"{largest} half": np.flatnonzero((sections == largest) | (rng.random(len(texts)) < counts.max() / (len(texts) - counts.max()))),
        }
        for name, rows in variants.items():
            start = time.perf_counter()
            model = TopicModel("auto", random_state=seed).fit(list(texts[rows]))
            within = abs(model.n_topics_ - n) <= 1
            hits += within
            runs += 1
            print(f"auto, seed {seed}, {name:>16s} ({len(rows):5d} articles): k = {model.n_topics_:2d} "
                  f"({'within one' if within else 'NOT within one'}), NMI {nmi(sections[rows], model.doc_topic_):.3f}, "
                  f"{time.perf_counter() - start:.1f} s")
    print(f"auto: within one of {n} sections in {hits} of {runs}")

    if args.seeds is not None:
        seeds = read_seed_topics(args.seeds)
        seeded = TopicModel(n, random_state=args.seed, seed_topics=seeds).fit(corpus)
        top = seeded.top_words(10)
        kept = all(w in top[seeded.seed_topic_ids_[name]] for name, words in seeds.items() for w in words
                   if name not in seeded.seed_words_missing_)
        print(f"seeds ({args.seeds.name}): NMI unseeded {nmi(sections, flat.doc_topic_):.3f}, "
              f"seeded {nmi(sections, seeded.doc_topic_):.3f}; every seed word in its topic's top 10: {kept}")

    if corpus.times is None:
        return
    for n_topics, window_topics in ((n, args.window_topics), (n, "auto"), ("auto", args.window_topics)):
        start = time.perf_counter()
        dynamic = DynamicTopicModel(n_topics=n_topics, window_topics=window_topics, random_state=args.seed).fit(corpus)
        print(f"dynamic ({window_topics} window topics: {', '.join(map(str, dynamic.window_n_topics_))}; "
              f"{n_topics} dynamic topics: {dynamic.n_topics_}): NMI {nmi(sections, dynamic.model_.doc_topic_):.3f}, "
              f"{time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
