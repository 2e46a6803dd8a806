"""Topic quality of topicnmf's defaults against the plain scikit-learn recipe on 20 Newsgroups.

    python benchmarks/quality.py [--topics 20] [--gensim]

Both sides fit K topics to the raw posts (`docs.jsonl.gz`). For each it prints the NMI of every
document's top topic against its newsgroup, c_npmi of the top-10 words on one reference
tokenisation of `docs_clean.jsonl.gz` (lowercased `\\b\\w\\w+\\b` tokens without scikit-learn's
English stop words), topic diversity (distinct top-10 words / (K x 10)) and the number of junk
topics (top topic of fewer than 0.5% of the documents). With --gensim the c_npmi values are
checked against gensim's CoherenceModel.
Targets for the defaults: NMI >= 0.50, c_npmi >= the recipe's, diversity >= 0.9, no junk topic.
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np
from sklearn.decomposition import NMF as SklearnNMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.metrics import normalized_mutual_info_score

from _common import load_20ng
from topicnmf import Corpus, TopicModel, coherence, topic_diversity

TOKEN = re.compile(r"\b\w\w+\b")


def reference_texts() -> list[list[str]]:
    clean = load_20ng("docs_clean.jsonl.gz")["text"]
    return [[t for t in TOKEN.findall(text.lower()) if t not in ENGLISH_STOP_WORDS] for text in clean]


def recipe(texts, k):
    vectorizer = TfidfVectorizer(stop_words="english", min_df=5, max_df=0.95)
    X = vectorizer.fit_transform(texts)
    nmf = SklearnNMF(n_components=k, init="nndsvda", random_state=0)
    W = nmf.fit_transform(X)
    words = vectorizer.get_feature_names_out()
    topics = [words[np.argsort(-row)[:10]].tolist() for row in nmf.components_]
    return W, topics


def defaults(texts, labels, k):
    model = TopicModel(n_topics=k, random_state=0).fit(Corpus.from_texts(texts, labels=labels))
    return model.doc_topic_, model.top_words(10)


def scores(W, topics, labels, reference, k, check_gensim):
    top = np.where(W.sum(axis=1) > 0, W.argmax(axis=1), -1)
    sizes = np.bincount(top[top >= 0], minlength=k)
    npmi = coherence(topics, reference, "c_npmi")
    row = {
        "nmi": normalized_mutual_info_score(labels, top),
        "c_npmi": float(np.mean(npmi)),
        "diversity": topic_diversity(topics, top_n=10),
        "junk": int(np.sum(sizes < 0.005 * len(top))),
    }
    if check_gensim:
        from gensim.corpora import Dictionary
        from gensim.models.coherencemodel import CoherenceModel

        gensim_npmi = CoherenceModel(topics=topics, texts=reference, dictionary=Dictionary(reference),
                                     coherence="c_npmi", topn=10, processes=1).get_coherence_per_topic()
        row["gensim_diff"] = float(np.max(np.abs(np.asarray(gensim_npmi) - npmi)))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--gensim", action="store_true", help="check c_npmi against gensim")
    args = parser.parse_args()
    docs = load_20ng("docs.jsonl.gz")
    texts, labels = docs["text"].tolist(), docs["label"].tolist()
    reference = reference_texts()
    rows = {}
    for name, run in [("scikit-learn recipe", lambda: recipe(texts, args.topics)),
                      ("topicnmf defaults", lambda: defaults(texts, labels, args.topics))]:
        start = time.perf_counter()
        W, topics = run()
        elapsed = time.perf_counter() - start
        rows[name] = scores(W, topics, labels, reference, args.topics, args.gensim)
        extra = f"  |c_npmi - gensim| {rows[name]['gensim_diff']:.1e}" if args.gensim else ""
        print(f"{name:<20} NMI {rows[name]['nmi']:.3f}  c_npmi {rows[name]['c_npmi']:.3f}  "
              f"diversity {rows[name]['diversity']:.3f}  junk topics {rows[name]['junk']}  fit {elapsed:5.1f} s{extra}")
        for t, words in enumerate(topics):
            print(f"    {t:2d} {' '.join(words)}")
    ours, theirs = rows["topicnmf defaults"], rows["scikit-learn recipe"]
    print(f"NMI {ours['nmi']:.3f} vs recipe {theirs['nmi']:.3f} (target >= 0.50) {'met' if ours['nmi'] >= 0.5 else 'NOT met'}")
    print(f"c_npmi {ours['c_npmi']:.3f} vs recipe {theirs['c_npmi']:.3f} (target >= recipe) "
          f"{'met' if ours['c_npmi'] >= theirs['c_npmi'] else 'NOT met'}")
    print(f"diversity {ours['diversity']:.3f} (target >= 0.9) {'met' if ours['diversity'] >= 0.9 else 'NOT met'}")
    print(f"junk topics {ours['junk']} (target 0) {'met' if ours['junk'] == 0 else 'NOT met'}")


if __name__ == "__main__":
    main()
