"""Seeded topics against the unseeded fit: NMI of each document's top topic against its section.

Corpora: sections of 20 Newsgroups (cleaned posts), one three-word seed list per section
chosen as a reader would (obvious words, not mined from the labels); some sections join two
or three newsgroups, as a news site's "sport" holds hockey and baseball. Seven samples of
equal sections (300 posts of 50 words or more per newsgroup, 250 where a section joins
several); four of very distinct sections of different sizes (150 to 600 posts), once with
posts of 50 words or more and once, news-like, with posts of 150 words or more (half as
many); then eight_themes (the sample corpus) with all 8 and with 3 themes seeded. Per
corpus: the unseeded fit, the seeded fit (default ``seed_strength=0.03``), the seeded
start alone (``seed_strength=0``), a supervised ceiling (logistic regression on the same
TF-IDF, 5-fold cross-validated predictions), the share of the gap from unseeded to the
ceiling that the default closes, and whether every seed word is among its topic's top 10.
Last, absent themes: a seed list of a theme the '6 groups' corpus does not hold, added
with one topic more; the seeded topic's documents and the NMI of the others are printed
(``absent()`` runs this part alone).

    python benchmarks/seeding.py
"""

from __future__ import annotations

import os
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import normalized_mutual_info_score as nmi
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from _common import ROOT, load_20ng
from topicnmf import TopicModel, read_corpus

# section: (newsgroups, seed words), as a reader would name them; 300 posts per newsgroup, 250
# where a section joins several
SECTIONS = {
    "hockey": (["rec.sport.hockey"], "hockey nhl puck"), "space": (["sci.space"], "space nasa orbit"),
    "graphics": (["comp.graphics"], "graphics image software"), "guns": (["talk.politics.guns"], "gun guns firearms"),
    "christian": (["soc.religion.christian"], "god jesus church"), "forsale": (["misc.forsale"], "sale offer shipping"),
    "crypt": (["sci.crypt"], "encryption key clipper"), "autos": (["rec.autos"], "car engine cars"),
    "baseball": (["rec.sport.baseball"], "baseball pitcher hitter"), "med": (["sci.med"], "doctor disease patients"),
    "electronics": (["sci.electronics"], "circuit voltage amp"),
    "mideast": (["talk.politics.mideast"], "israel arab jews"),
    "windows_x": (["comp.windows.x"], "window server motif"),
    "sport": (["rec.sport.hockey", "rec.sport.baseball"], "game team season"),
    "religion": (["soc.religion.christian"], "god jesus church"),
}


def _sections(*names, **more):
    return {**{name: SECTIONS[name] for name in names}, **more}


CORPORA = {
    "6 groups": _sections("hockey", "space", "graphics", "guns", "christian", "forsale"),
    "5 groups": _sections("hockey", "space", "crypt", "christian", "autos"),
    "5 groups (b)": _sections("baseball", "med", "electronics", "mideast", "windows_x"),
    "4 groups": _sections("autos", "med", "crypt", "mideast"),
    "5 sections of 10 groups": _sections(
        "sport", computers=(["comp.graphics", "comp.windows.x", "comp.sys.ibm.pc.hardware"], "computer software windows"),
        politics=(["talk.politics.guns", "talk.politics.mideast"], "government law rights"),
        religion=SECTIONS["religion"], science=(["sci.space", "sci.med"], "science research study")),
    "5 sections of 7 groups": _sections(
        "sport", vehicles=(["rec.autos", "rec.motorcycles"], "car bike engine"),
        security=(["sci.crypt"], "encryption key security"), religion=SECTIONS["religion"], space=SECTIONS["space"]),
    "5 sections of 7 groups (b)": {
        "sport": (["rec.sport.hockey", "rec.sport.baseball"], "game team players"),
        "hardware": (["comp.sys.ibm.pc.hardware", "comp.sys.mac.hardware"], "drive card mac"),
        "health": SECTIONS["med"], "middle_east": SECTIONS["mideast"], "market": SECTIONS["forsale"]},
}
# very distinct sections of different sizes: section: ([(newsgroup, posts)], seed words)
UNEQUAL = {
    "6 distinct": {"hockey": ([("rec.sport.hockey", 450)], "hockey nhl puck"),
                   "space": ([("sci.space", 350)], "space nasa orbit"),
                   "graphics": ([("comp.graphics", 250)], "graphics image software"),
                   "mideast": ([("talk.politics.mideast", 400)], "israel arab jews"),
                   "christian": ([("soc.religion.christian", 300)], "god jesus church"),
                   "forsale": ([("misc.forsale", 150)], "sale offer shipping")},
    "news 5": {"sport": ([("rec.sport.hockey", 300), ("rec.sport.baseball", 300)], "game team season"),
               "tech": ([("comp.graphics", 200), ("comp.windows.x", 200)], "computer software windows"),
               "politics": ([("talk.politics.mideast", 250), ("talk.politics.guns", 200)], "government law rights"),
               "religion": ([("soc.religion.christian", 250)], "god jesus church"),
               "space": ([("sci.space", 350)], "space nasa orbit")},
    "4 distinct": {"space": ([("sci.space", 500)], "space nasa orbit"),
                   "mideast": ([("talk.politics.mideast", 300)], "israel arab jews"),
                   "hockey": ([("rec.sport.hockey", 200)], "hockey nhl puck"),
                   "forsale": ([("misc.forsale", 150)], "sale offer shipping")},
    "5 mixed": {"sport": ([("rec.sport.hockey", 250), ("rec.sport.baseball", 250)], "game team players"),
                "medicine": ([("sci.med", 350)], "doctor disease patients"),
                "crypto": ([("sci.crypt", 250)], "encryption key clipper"),
                "christian": ([("soc.religion.christian", 300)], "god jesus church"),
                "autos": ([("rec.autos", 200), ("rec.motorcycles", 200)], "car bike engine")},
}
THEMES = {"astronomy": "telescope planet galaxy", "cooking": "recipe oven sauce", "football": "goal striker match",
          "gardening": "soil compost garden", "medicine": "patients symptoms vaccine", "music": "guitar piano chord",
          "personal_finance": "mortgage savings pension", "programming": "code bugs database"}


def sample(docs, sections, min_words=50, scale=1.0):
    """Texts and section labels; ``sections`` as in CORPORA (300 posts per newsgroup, 250 where a
    section joins several) or UNEQUAL (the posts given, times ``scale``)."""
    rng = np.random.RandomState(0)
    long = docs["text"].str.split().str.len() >= min_words
    texts, labels = [], []
    for section, (groups, _) in sections.items():
        for group in groups:
            group, n = group if isinstance(group, tuple) else (group, 300 if len(groups) == 1 else 250)
            posts = docs.loc[(docs["label"] == group) & long, "text"].tolist()
            for i in rng.choice(len(posts), min(len(posts), int(n * scale)), replace=False):
                texts.append(posts[i])
                labels.append(section)
    return texts, labels


def ceiling(model, texts, labels) -> float:
    X = model.vectorizer_.transform(texts)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)  # the texts come section by section
    predicted = cross_val_predict(LogisticRegression(C=10, max_iter=1000), X, labels, cv=folds)
    return nmi(labels, predicted)


def seeds_on_top(model, seeds) -> bool:
    top, vocabulary = model.top_words(10), set(model.vocabulary_)
    return all(set(seeds[name]) & vocabulary <= set(top[t]) for name, t in model.seed_topic_ids_.items())


def main() -> None:
    warnings.simplefilter("ignore")
    docs = load_20ng("docs_clean.jsonl.gz")
    themes = read_corpus(ROOT / "corpora" / "eight_themes")

    def seed_lists(sections):
        return {s: words.split() for s, (_, words) in sections.items()}

    cases = [(name, *sample(docs, sections), seed_lists(sections)) for name, sections in CORPORA.items()]
    cases += [(name, *sample(docs, sections), seed_lists(sections)) for name, sections in UNEQUAL.items()]
    cases += [(f"{name}, 150+ words", *sample(docs, sections, 150, 0.5), seed_lists(sections))
              for name, sections in UNEQUAL.items()]
    cases.append(("eight_themes, 8 seeded", themes.texts, themes.labels, {t: w.split() for t, w in THEMES.items()}))
    cases.append(("eight_themes, 3 seeded", themes.texts, themes.labels,
                  {t: THEMES[t].split() for t in ("astronomy", "cooking", "personal_finance")}))
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"{'corpus':30}{'docs':>6}{'unseeded':>10}{'seeded':>8}{'start only':>12}{'ceiling':>9}{'gap closed':>12}"
          f"{'seeds top 10':>14}", flush=True)
    rows = []
    for name, texts, labels, seeds in cases:
        k = len(set(labels))
        plain = TopicModel(k, random_state=0).fit(texts)
        model = TopicModel(k, seed_topics=seeds, random_state=0).fit(texts)
        start = TopicModel(k, seed_topics=seeds, seed_strength=0.0, random_state=0).fit(texts)
        scores = [nmi(labels, m.doc_topic_.argmax(axis=1)) for m in (plain, model, start)]
        top = ceiling(plain, texts, labels)
        closed = f"{(scores[1] - scores[0]) / (top - scores[0]):.0%}" if top > scores[0] + 0.01 else "-"
        rows.append(scores + [top])
        print(f"{name:30}{len(texts):6d}{scores[0]:10.3f}{scores[1]:8.3f}{scores[2]:12.3f}{top:9.3f}"
              f"{closed:>12}{str(seeds_on_top(model, seeds)):>14}", flush=True)
    mean = np.mean(rows, axis=0)
    print(f"{'mean':30}{'':6}{mean[0]:10.3f}{mean[1]:8.3f}{mean[2]:12.3f}{mean[3]:9.3f}")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")

    absent(docs)


def absent(docs=None) -> None:
    """Seed lists of themes the '6 groups' corpus does not hold, whose words occur in it here and
    there, with one topic more than its sections: the documents the seeded topic takes."""
    docs = load_20ng("docs_clean.jsonl.gz") if docs is None else docs
    sections = CORPORA["6 groups"]
    texts, labels = sample(docs, sections)
    labels = np.asarray(labels)
    for name, words in [("baseball", "baseball pitcher hitter"), ("medicine", "doctor disease patients"),
                        ("cooking", THEMES["cooking"])]:
        seeds = {s: w.split() for s, (_, w) in sections.items()}
        seeds[name] = words.split()
        model = TopicModel(len(seeds), seed_topics=seeds, random_state=0).fit(texts)
        top = model.doc_topic_.argmax(axis=1)
        mine = top == model.seed_topic_ids_[name]
        found = [w for w in words.split() if w in set(model.vocabulary_)]
        print(f"absent theme {name!r} ({words}; in the vocabulary: {' '.join(found) or 'none'}), k={len(seeds)}: "
              f"top topic of {int(mine.sum())} of {len(texts)} documents; NMI of the others "
              f"{nmi(labels[~mine], top[~mine]):.3f}; top words: {' '.join(model.top_words(6)[model.seed_topic_ids_[name]])}",
              flush=True)
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
