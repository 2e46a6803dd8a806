"""Seeded topics against the unseeded fit: NMI of each document's top topic against its group.

Corpora: 5 and 6 groups of 20 Newsgroups (300 cleaned posts of 100 words or more each, one
three-word seed list per group) and eight_themes with all 8 themes seeded and with 3 seeded.
Also prints whether every seed word in the vocabulary is among its topic's top 10.

    python benchmarks/seeding.py
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

from _common import ROOT, load_20ng
from topicnmf import TopicModel, read_corpus

SEEDS = {"rec.sport.hockey": ["hockey", "team", "game"], "sci.space": ["space", "nasa", "orbit"],
         "sci.crypt": ["encryption", "key", "clipper"], "soc.religion.christian": ["god", "jesus", "church"],
         "rec.autos": ["car", "engine", "cars"], "comp.graphics": ["graphics", "image", "format"],
         "talk.politics.guns": ["gun", "guns", "firearms"],
         "astronomy": ["telescope", "planet", "galaxy"], "cooking": ["recipe", "oven", "sauce"],
         "football": ["goal", "striker", "match"], "gardening": ["soil", "compost", "garden"],
         "medicine": ["patients", "symptoms", "vaccine"], "music": ["guitar", "piano", "chord"],
         "personal_finance": ["mortgage", "savings", "pension"], "programming": ["code", "bugs", "database"]}
FIVE = ["rec.sport.hockey", "sci.space", "sci.crypt", "soc.religion.christian", "rec.autos"]


def news(docs, groups):
    rng = np.random.RandomState(0)
    texts, labels = [], []
    for group in groups:
        posts = docs.loc[(docs["label"] == group) & (docs["text"].str.split().str.len() >= 100), "text"].tolist()
        for i in rng.choice(len(posts), 300, replace=False):
            texts.append(posts[i])
            labels.append(group)
    return texts, labels


def main() -> None:
    warnings.simplefilter("ignore")
    docs = load_20ng("docs_clean.jsonl.gz")
    themes = read_corpus(ROOT / "corpora" / "eight_themes")
    cases = [("20ng 5 groups", *news(docs, FIVE), FIVE),
             ("20ng 5 + comp.graphics", *news(docs, FIVE + ["comp.graphics"]), FIVE + ["comp.graphics"]),
             ("20ng 5 + talk.politics.guns", *news(docs, FIVE + ["talk.politics.guns"]), FIVE + ["talk.politics.guns"]),
             ("eight_themes, 8 seeded", themes.texts, themes.labels, sorted(set(themes.labels))),
             ("eight_themes, 3 seeded", themes.texts, themes.labels, ["astronomy", "cooking", "personal_finance"])]
    print(f"{'corpus':30}{'unseeded':>10}{'seeded':>8}{'seeds in top 10':>17}")
    for name, texts, labels, seeded in cases:
        k = len(set(labels))
        plain = TopicModel(k, random_state=0).fit(texts)
        seeds = {group: SEEDS[group] for group in seeded}
        model = TopicModel(k, seed_topics=seeds, random_state=0).fit(texts)
        top = model.top_words(10)
        vocabulary = set(model.vocabulary_)
        on_top = all(set(seeds[g]) & vocabulary <= set(top[t]) for g, t in model.seed_topic_ids_.items())
        print(f"{name:30}{normalized_mutual_info_score(labels, plain.doc_topic_.argmax(1)):10.3f}"
              f"{normalized_mutual_info_score(labels, model.doc_topic_.argmax(1)):8.3f}{str(on_top):>17}")


if __name__ == "__main__":
    main()
